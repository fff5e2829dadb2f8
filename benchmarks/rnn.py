"""Recurrent training steps side by side with PyTorch: an LSTM or GRU over a sequence, a linear
head on every step, cross entropy, and an ``optim.SGD`` step.

    python benchmarks/rnn.py

small: 1 layer, hidden 64, sequence 35, batch 8; large: 2 layers, hidden 256, sequence 35,
batch 20.  Targets (retrograd/torch): LSTM small at most 1.3, LSTM large at most 1.0.
"""

from harness import compare  # first: it pins the BLAS to one thread before NumPy loads


def rnn_step(lib, kind="LSTM", layers=1, hidden=64, steps=35, batch=8, classes=10):
    """One training step of ``kind`` (``LSTM``, ``GRU`` or ``RNN``) with a linear head and SGD."""
    import numpy as np  # (here, not above: NumPy must load after harness pins its BLAS)

    lib.manual_seed(0)  # each library draws its own weights: the same shapes and distributions
    nn, F = lib.nn, lib.nn.functional
    rnn = getattr(nn, kind)(hidden, hidden, layers)
    head = nn.Linear(hidden, classes)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = lib.optim.SGD(params, lr=0.1)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((steps, batch, hidden)).astype(np.float32))
    y = lib.tensor(rng.integers(0, classes, steps * batch))

    def step():
        opt.zero_grad()
        out = rnn(x)[0]
        loss = F.cross_entropy(head(out).reshape(-1, classes), y)
        loss.backward()
        opt.step()

    return step


def main():
    compare("LSTM step small (1x64, T35, B8)", rnn_step, rounds=9, target=0.1)
    compare(
        "LSTM step large (2x256, T35, B20)",
        lambda lib: rnn_step(lib, "LSTM", 2, 256, 35, 20),
        rounds=7,
        target=0.2,
    )
    compare("GRU step small (1x64, T35, B8)", lambda lib: rnn_step(lib, "GRU"), rounds=9)
    compare(
        "GRU step large (2x256, T35, B20)",
        lambda lib: rnn_step(lib, "GRU", 2, 256, 35, 20),
        rounds=7,
        target=0.2,
    )
    compare("RNN step small (1x64, T35, B8)", lambda lib: rnn_step(lib, "RNN"), rounds=9)


if __name__ == "__main__":
    main()
