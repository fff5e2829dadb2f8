"""A temporal convolutional network in the style of the published TCN: residual blocks of two
dilated causal ``Conv1d`` layers (left padding cut off with a ``Chomp``), each wrapped in weight
normalisation, ReLU and dropout, with a 1x1 convolution on the skip path when the width changes;
the dilation doubles block by block.  The first block uses the old ``nn.utils.weight_norm`` (a
``weight_g``/``weight_v`` pair and a forward pre-hook), the others
``nn.utils.parametrizations.weight_norm`` (``parametrizations.weight.original0``/``original1``).
The task is sequence to sequence: at every time step, a nonlinear function of inputs 1 and 6 steps
back (which the causal convolutions can see, and no further).  Adam with gradient clipping.  Written for
PyTorch; runs unchanged with ``import retrograd as torch``.

    python examples/tcn.py            # with retrograd
    python examples/tcn.py --torch    # the same program on PyTorch
"""

import argparse

import retrograd as torch


def delayed_sum(torch, n, length):
    """Random inputs and a target that looks back in time: ``y[t] = 0.8 x[t-1] - 0.6 tanh(2 x[t-6])``."""
    x = torch.randn(n, 1, length)
    past = lambda k: torch.nn.functional.pad(x, (k, 0))[:, :, :length]
    return x, 0.8 * past(1) - 0.6 * torch.tanh(2 * past(6))


def main(torch=torch, epochs=12, length=24, seed=0, log=print):
    nn, F = torch.nn, torch.nn.functional
    old_weight_norm = nn.utils.weight_norm
    weight_norm = nn.utils.parametrizations.weight_norm
    torch.manual_seed(seed)

    class Chomp1d(nn.Module):
        def __init__(self, size):
            super().__init__()
            self.size = size

        def forward(self, x):
            return x[:, :, : -self.size].contiguous()

    class TemporalBlock(nn.Module):
        def __init__(self, n_in, n_out, kernel, dilation, dropout, wn):
            super().__init__()
            pad = (kernel - 1) * dilation
            self.net = nn.Sequential(
                wn(nn.Conv1d(n_in, n_out, kernel, padding=pad, dilation=dilation)),
                Chomp1d(pad),
                nn.ReLU(),
                nn.Dropout(dropout),
                wn(nn.Conv1d(n_out, n_out, kernel, padding=pad, dilation=dilation)),
                Chomp1d(pad),
                nn.ReLU(),
                nn.Dropout(dropout),
            )
            self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None
            for conv in (m for m in self.net if isinstance(m, nn.Conv1d)):
                if hasattr(conv, "weight_v"):  # old: weight = weight_g * weight_v / |weight_v|
                    nn.init.normal_(conv.weight_v, 0, 0.01)
                else:  # parametrized: original0 is the magnitude g, original1 the direction v
                    nn.init.normal_(conv.parametrizations.weight.original1, 0, 0.01)
            if self.downsample is not None:
                nn.init.normal_(self.downsample.weight, 0, 0.01)

        def forward(self, x):
            skip = x if self.downsample is None else self.downsample(x)
            return F.relu(self.net(x) + skip)

    class TCN(nn.Module):
        def __init__(self, n_in, channels, kernel=3, dropout=0.05):
            super().__init__()
            blocks = []
            for i, n_out in enumerate(channels):
                wn = old_weight_norm if i == 0 else weight_norm
                blocks.append(TemporalBlock(n_in, n_out, kernel, 2**i, dropout, wn))
                n_in = n_out
            self.tcn = nn.Sequential(*blocks)
            self.out = nn.Conv1d(n_in, 1, 1)

        def forward(self, x):
            return self.out(self.tcn(x))

    x_train, y_train = delayed_sum(torch, 256, length)
    x_test, y_test = delayed_sum(torch, 64, length)
    model = TCN(1, [12, 12, 12])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for epoch in range(epochs):
        model.train()
        for idx in torch.randperm(len(x_train)).split(32):
            loss = F.mse_loss(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            test = F.mse_loss(model(x_test), y_test).item()
        log(f"epoch {epoch:2d}  train loss {losses[-1]:.5f}  test loss {test:.5f}")
    return losses + [test]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args()
    if args.torch:
        import torch
    main(torch, epochs=args.epochs)
