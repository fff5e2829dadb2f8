"""Train a small CNN on scikit-learn's handwritten digits (8x8 images, no download).

Written as ordinary PyTorch code: ``import retrograd as torch`` is the only change.  Shows a tqdm
progress bar per epoch, saves a checkpoint (PyTorch's file format), plots the train and test
loss to a PNG, prints the final test accuracy, and reloads the checkpoint to check it gives the
same.

    python examples/digits_cnn.py [--epochs 15] [--out examples/output]
"""

import argparse
import math
import os
import time

import matplotlib

matplotlib.use("Agg")  # write PNGs, never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tqdm import tqdm  # noqa: E402

import retrograd as torch  # noqa: E402
import retrograd.nn as nn  # noqa: E402
import retrograd.nn.functional as F  # noqa: E402


class DigitsCNN(nn.Module):
    """conv 1->32, conv 32->64, max pool, then two linear layers: 8x8 image -> 10 logits.

    ``width`` multiplies the channels of both convolutions (a heavier network for benchmarks)."""

    def __init__(self, width=1):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32 * width, 3, padding=1)
        self.conv2 = nn.Conv2d(32 * width, 64 * width, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(64 * width * 4 * 4, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))  # 32 x 8 x 8
        x = self.pool(F.relu(self.conv2(x)))  # 64 x 4 x 4
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def load_data(seed):
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # N x 1 x 8 x 8, in [0, 1]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, random_state=seed, stratify=digits.target
    )
    return (
        torch.from_numpy(x_train),
        torch.from_numpy(y_train.astype(np.int64)),
        torch.from_numpy(x_test),
        torch.from_numpy(y_test.astype(np.int64)),
    )


def shifted(images, rng):
    """Each image moved by up to one pixel in each direction (zero fill): a cheap augmentation
    that keeps the small network from learning pixel positions by heart."""
    n, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    dy, dx = rng.integers(0, 3, n), rng.integers(0, 3, n)
    rows = (dy[:, None] + np.arange(h))[:, :, None]
    cols = (dx[:, None] + np.arange(w))[:, None, :]
    return padded[np.arange(n)[:, None, None], 0, rows, cols][:, None]


def evaluate(model, x, y):
    """Mean cross-entropy loss and accuracy over a whole split, without building a graph."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, accuracy


def train(epochs, batch_size, lr, seed, out_dir):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = load_data(seed)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train": [], "test": []}
    n = x_train.shape[0]
    for epoch in range(1, epochs + 1):
        for group in optimizer.param_groups:  # cosine decay: small steps settle the last epochs
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / epochs))
        order = rng.permutation(n)
        batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        total = 0.0
        bar = tqdm(batches, desc=f"epoch {epoch:2d}/{epochs}", unit="batch", leave=False)
        for idx in bar:
            xb = torch.from_numpy(shifted(x_train.numpy()[idx], rng))
            yb = torch.from_numpy(y_train.numpy()[idx])
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            bar.set_postfix(loss=f"{loss.item():.4f}")
        test_loss, test_acc = evaluate(model, x_test, y_test)
        history["train"].append(total / n)
        history["test"].append(test_loss)
        tqdm.write(
            f"epoch {epoch:2d}: train loss {total / n:.4f}  test loss {test_loss:.4f}  "
            f"test accuracy {test_acc:.2%}"
        )
    return model, history, (x_test, y_test)


def plot(history, path):
    epochs = range(1, len(history["train"]) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, history["train"], marker="o", label="train (shifted images)")
    ax.plot(epochs, history["test"], marker="o", label="test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_yscale("log")
    ax.set_title("Digits CNN (retrograd)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "output"))
    parser.add_argument(
        "--min-accuracy",
        type=float,
        default=0.97,
        help="exit with an error below this test accuracy",
    )
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    start = time.perf_counter()
    model, history, (x_test, y_test) = train(
        args.epochs, args.batch_size, args.lr, args.seed, args.out
    )
    _, accuracy = evaluate(model, x_test, y_test)

    checkpoint = os.path.join(args.out, "digits_cnn.pt")
    torch.save(model.state_dict(), checkpoint)
    reloaded = DigitsCNN()
    reloaded.load_state_dict(torch.load(checkpoint))
    _, reloaded_accuracy = evaluate(reloaded, x_test, y_test)

    figure = os.path.join(args.out, "digits_cnn_loss.png")
    plot(history, figure)

    print(
        f"test accuracy: {accuracy:.2%} ({len(y_test)} test images), "
        f"trained in {time.perf_counter() - start:.1f} s"
    )
    print(f"checkpoint: {checkpoint} (reloaded: test accuracy {reloaded_accuracy:.2%})")
    print(f"loss plot:  {figure}")
    if reloaded_accuracy != accuracy:
        raise SystemExit("the reloaded checkpoint does not give the same test accuracy")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"test accuracy {accuracy:.2%} is below {args.min_accuracy:.0%}")
    return accuracy


if __name__ == "__main__":
    main()
