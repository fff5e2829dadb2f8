"""Train a small classifier written the way many published PyTorch scripts still are.

``Variable``, ``device = 'cuda' if torch.cuda.is_available() else 'cpu'``, ``.to(device)``,
``cudnn.benchmark = True``, imports from ``torch.nn.modules``, a loss built on ``_Loss`` with the
old ``size_average``/``reduce`` arguments, ``nn.DataParallel``, ``torch.FloatTensor(...)`` and
weights written through ``.data``.  It imports ``torch``: the test
(tests/test_legacy_style_example.py) runs this file unchanged twice, once with the name ``torch``
bound to retrograd (``import retrograd as torch``, for every ``torch.*`` module) and once to
PyTorch, and compares the losses.  The weights and data come from NumPy, so both runs start from
the same point.

    python examples/legacy_style_training.py [--epochs 5] [--seed 0]
"""

import argparse

import numpy as np
import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable
from torch.nn.modules.batchnorm import BatchNorm1d
from torch.nn.modules.linear import Linear
from torch.nn.modules.loss import _Loss
from torch.optim.lr_scheduler import StepLR

parser = argparse.ArgumentParser(description="legacy-style PyTorch training")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=0)


class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = Linear(n_in, n_hidden)
        self.bn1 = BatchNorm1d(n_hidden)
        self.fc2 = Linear(n_hidden, n_out)

    def forward(self, x):
        x = F.relu(self.bn1(self.fc1(x)))
        return self.fc2(x)


class SmoothedNLLLoss(_Loss):
    """Cross entropy with label smoothing, on the old _Loss base class."""

    def __init__(self, smoothing=0.1, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.smoothing = smoothing

    def forward(self, logits, target):
        logp = F.log_softmax(logits, dim=1)
        nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
        smooth = -logp.mean(dim=1)
        loss = (1.0 - self.smoothing) * nll + self.smoothing * smooth
        return loss.mean() if self.reduction == "mean" else loss.sum()


def make_data(rng, n_per_class=60):
    """Three Gaussian blobs in 4-d."""
    centres = np.array([[2.0, 0.0, 0.0, 1.0], [-1.0, 2.0, 0.5, 0.0], [0.0, -2.0, -1.0, 0.5]])
    x = np.concatenate([c + rng.randn(n_per_class, 4) for c in centres]).astype(np.float32)
    y = np.repeat(np.arange(3), n_per_class)
    return x, y


def init_weights(model, rng):
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.data = torch.from_numpy(np.zeros(tuple(p.size()), dtype=np.float32))
        else:
            p.data = torch.from_numpy((rng.randn(*p.size()) * 0.3).astype(np.float32))


def main(argv=None):
    args = parser.parse_args(argv)
    use_cuda = torch.cuda.is_available()
    device = "cuda" if use_cuda else "cpu"
    cudnn.benchmark = True
    if use_cuda:
        torch.cuda.manual_seed_all(args.seed)

    rng = np.random.RandomState(args.seed)
    x_all, y_all = make_data(rng)
    model = Net(4, 16, 3)
    init_weights(model, rng)
    model = nn.DataParallel(model)
    model.to(device)

    criterion = SmoothedNLLLoss(smoothing=0.1)
    summed = nn.CrossEntropyLoss(size_average=False)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)

    losses = []
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(x_all))
        for start in range(0, len(order), args.batch_size):
            idx = order[start : start + args.batch_size]
            inputs = Variable(torch.FloatTensor(x_all[idx])).to(device)
            targets = Variable(torch.LongTensor(y_all[idx])).to(device)
            optimizer.zero_grad()
            output = model(inputs)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()

        model.eval()
        with torch.no_grad():
            inputs = Variable(torch.from_numpy(x_all)).to(device)
            targets = Variable(torch.from_numpy(y_all)).to(device)
            output = model(inputs)
            total = summed(output, targets).item() / len(y_all)
            correct = output.data.max(1)[1].eq(targets.data).sum().item()
        print(
            f"Epoch {epoch + 1}: train loss {losses[-1]:.4f}, eval loss {total:.4f}, accuracy {correct}/{len(y_all)}"
        )
    return losses


if __name__ == "__main__":
    main()
