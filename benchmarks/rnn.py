"""Recurrent training steps side by side with PyTorch: an LSTM or GRU over a sequence, a linear
head on every step, cross entropy, and an ``optim.SGD`` step.

    python benchmarks/rnn.py

small: 1 layer, hidden 64, sequence 35, batch 8; large: 2 layers, hidden 256, sequence 35,
batch 20.  Targets (retrograd/torch): LSTM small at most 1.3, LSTM large at most 1.0.

The cell loop is the other way recurrent models are written: two ``LSTMCell``s called once per
time step from Python, in float64, as in the time-series example of PyTorch's example programs
(hidden 51, batch 97; 100 steps here), trained by L-BFGS, of which one closure is timed.
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


def cell_loop(lib, steps=100, batch=97, hidden=51):
    """Forward and backward of two stacked ``LSTMCell``s and a linear head, stepped from Python."""
    import numpy as np

    lib.manual_seed(0)
    nn = lib.nn
    cell1, cell2 = nn.LSTMCell(1, hidden).double(), nn.LSTMCell(hidden, hidden).double()
    head = nn.Linear(hidden, 1).double()
    rng = np.random.default_rng(0)
    series = rng.standard_normal((batch, steps + 1))
    inputs, target = lib.tensor(series[:, :-1]), lib.tensor(series[:, 1:])

    def step():
        for p in (*cell1.parameters(), *cell2.parameters(), *head.parameters()):
            p.grad = None
        h1 = c1 = h2 = c2 = lib.zeros(batch, hidden, dtype=lib.float64)
        outputs = []
        for x in inputs.split(1, dim=1):
            h1, c1 = cell1(x, (h1, c1))
            h2, c2 = cell2(h1, (h2, c2))
            outputs.append(head(h2))
        nn.functional.mse_loss(lib.cat(outputs, dim=1), target).backward()

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
    compare("LSTMCell loop (2 cells x 51, T100, B97, float64)", cell_loop, rounds=9)


if __name__ == "__main__":
    main()
