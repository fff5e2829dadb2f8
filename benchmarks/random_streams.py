"""Random numbers side by side with PyTorch: the samplers that reproduce PyTorch's streams.

retrograd draws the same numbers as PyTorch (its Mersenne Twister and each sampler's use of it),
which costs more NumPy work than a plain NumPy sampler: float32 normals replay PyTorch's AVX2
polynomials in float32 with fused multiply-adds, and randperm resolves a sequential shuffle without
a loop.  These ratios say what that costs.
"""

from harness import compare


def sampler(size, make):
    def bench(lib):
        lib.manual_seed(0)
        return lambda: make(lib, size)

    return bench


def main():
    n = 1_000_000
    compare("rand(1e6) float32", sampler(n, lambda t, k: t.rand(k)), rounds=5, target=0.1)
    compare("randn(1e6) float32", sampler(n, lambda t, k: t.randn(k)), rounds=5, target=0.1)
    compare(
        "randn(1e6) float64",
        sampler(n, lambda t, k: t.randn(k, dtype=t.float64)),
        rounds=5,
        target=0.1,
    )
    compare("randn(8) (scalar path)", sampler(8, lambda t, k: t.randn(k)))
    compare(
        "randint(0, 10, 1e6)", sampler(n, lambda t, k: t.randint(0, 10, (k,))), rounds=5, target=0.1
    )
    compare("randperm(1e5)", sampler(100_000, lambda t, k: t.randperm(k)), rounds=5, target=0.1)
    compare(
        "dropout(0.5) on 1e6",
        sampler(n, lambda t, k: t.nn.functional.dropout(t.ones(k), 0.5)),
        rounds=5,
        target=0.1,
    )
    compare(
        "multinomial 64x1000, 100 with replacement",
        sampler(64, lambda t, k: t.multinomial(t.ones(k, 1000), 100, True)),
        rounds=5,
        target=0.1,
    )
    compare(
        "nn.Linear(1024, 1024)", sampler(1024, lambda t, k: t.nn.Linear(k, k)), rounds=5, target=0.1
    )
    compare(
        "poisson(full(1e4, 3.0))",
        sampler(10_000, lambda t, k: t.poisson(t.full((k,), 3.0))),
        rounds=5,
        target=0.1,
    )


if __name__ == "__main__":
    main()
