"""The floor under the compiled MLP step of ``compiled.py``: the same 784-512-512-10 training step
(batch 128, forward, backward, SGD) written by hand in NumPy, and its eight matrix products
alone, each timed side by side with PyTorch's eager step and with PyTorch's products of the same
shapes and layouts.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/mlp_floor.py

No library can run the step in less time than its products take: ``products ... /torch`` says
whether NumPy's BLAS (OpenBLAS) or PyTorch's is the faster for these shapes, ``hand-written
step numpy/torch`` how far below PyTorch's step a NumPy program can get at all.
"""

import statistics

import compiled  # (first: it imports the harness, which pins the BLAS to one thread)
from harness import _calibrate, _time, retrograd, torch

BATCH, SIZES = 128, (784, 512, 512, 10)


def numpy_step():
    """The step in plain NumPy: in-place bias, relu and SGD, the softmax's gradient in place."""
    import numpy as np

    rng = np.random.default_rng(0)
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    w = [(rng.standard_normal((a, b)) / a**0.5).astype(np.float32) for a, b in pairs]
    b = [np.zeros(n, np.float32) for n in SIZES[1:]]
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    rows = np.arange(BATCH)
    lr = np.float32(0.01)

    def step():
        h1 = x @ w[0]
        h1 += b[0]
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w[1]
        h2 += b[1]
        np.maximum(h2, 0, out=h2)
        z = h2 @ w[2]
        z += b[2]
        z -= z.max(1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(1, keepdims=True)
        z[rows, y] -= 1
        z /= BATCH
        g2 = z @ w[2].T
        g2 *= h2 > 0
        g1 = g2 @ w[1].T
        g1 *= h1 > 0
        grads = [x.T @ g1, h1.T @ g2, h2.T @ z, g1.sum(0), g2.sum(0), z.sum(0)]
        for p, g in zip(w + b, grads):
            p -= lr * g

    return step


def products(lib):
    """The step's eight matrix products (three forward, five backward) on arrays of its shapes,
    transposed where the step's backward reads a transpose."""
    gen = lib.Generator().manual_seed(0)

    def r(*shape):
        return lib.randn(*shape, generator=gen)

    x, w0, w1, w2 = r(BATCH, 784), r(784, 512), r(512, 512), r(512, 10)
    h1, h2, g3, g2, g1 = r(BATCH, 512), r(BATCH, 512), r(BATCH, 10), r(BATCH, 512), r(BATCH, 512)
    mm = lib.mm

    def step():
        mm(x, w0), mm(h1, w1), mm(h2, w2)
        mm(h2.t(), g3), mm(g3, w2.t()), mm(h1.t(), g2), mm(g2, w1.t()), mm(x.t(), g1)

    return step


def _side_by_side(name, steps, rounds=9, target=0.2):
    """Median time of each step over interleaved rounds; prints them and the first / second."""
    inner = [_calibrate(s, target) for s in steps]
    times = [[] for _ in steps]
    for _ in range(rounds):
        for s, n, ts in zip(steps, inner, times):
            ts.append(_time(s, n))
    med = [statistics.median(ts) for ts in times]
    print(f"{name:<38} {med[0] * 1e3:7.2f} ms / {med[1] * 1e3:7.2f} ms = {med[0] / med[1]:5.2f}")


def main():
    if torch is None:
        print("PyTorch is not installed: nothing to compare with")
        return
    _side_by_side("products retrograd (NumPy matmul)/torch", [products(retrograd), products(torch)])
    _side_by_side("hand-written step numpy/torch", [numpy_step(), compiled.mlp_step(torch)])
    _side_by_side(
        "compiled step retrograd/torch",
        [compiled.mlp_step(retrograd), compiled.mlp_step(torch)],
    )


if __name__ == "__main__":
    main()
