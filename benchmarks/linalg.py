"""Batched linear algebra side by side with PyTorch: forward and backward of ``linalg.solve``,
``linalg.cholesky`` and ``linalg.svd`` on a batch of 64 matrices of 64 x 64 (float32, one thread
each), and of ``linalg.inv`` and ``linalg.eigh`` the same way.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/linalg.py
"""

import numpy as np
from harness import compare

BATCH, N = 64, 64


def _inputs(lib, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((BATCH, N, N)).astype(np.float32)
    spd = a @ a.transpose(0, 2, 1) + N * np.eye(N, dtype=np.float32)
    b = rng.standard_normal((BATCH, N, 4)).astype(np.float32)
    return (
        lib.tensor(a, requires_grad=True),
        lib.tensor(spd, requires_grad=True),
        lib.tensor(b, requires_grad=True),
    )


def solve(lib):
    a, spd, b = _inputs(lib)

    def step():
        lib.linalg.solve(spd, b).sum().backward()

    return step


def cholesky(lib):
    a, spd, b = _inputs(lib)

    def step():
        lib.linalg.cholesky(spd).sum().backward()

    return step


def svd(lib):
    a, spd, b = _inputs(lib)
    w = lib.tensor(np.linspace(-1, 1, N, dtype=np.float32))

    def step():
        u, s, vh = lib.linalg.svd(a, full_matrices=False)
        ((s * w).sum() + vh.abs().sum() * 1e-3).backward()

    return step


def inv(lib):
    a, spd, b = _inputs(lib)

    def step():
        lib.linalg.inv(spd).sum().backward()

    return step


def eigh(lib):
    a, spd, b = _inputs(lib)
    w = lib.tensor(np.linspace(-1, 1, N, dtype=np.float32))

    def step():
        values, vectors = lib.linalg.eigh(spd)
        ((values * w).sum() + vectors.abs().sum() * 1e-3).backward()

    return step


if __name__ == "__main__":
    print(f"batch of {BATCH} matrices {N} x {N}, float32, forward + backward")
    for name, make in (
        ("linalg.solve", solve),
        ("linalg.cholesky", cholesky),
        ("linalg.svd", svd),
        ("linalg.inv", inv),
        ("linalg.eigh", eigh),
    ):
        compare(name, make, rounds=7, target=0.2)
