"""Sampling ops: ``bernoulli``, ``multinomial``, ``poisson``, ``binomial`` and ``_standard_gamma``
draw PyTorch's numbers."""

import pytest
from test_random import SEEDS, assert_same, run_both

import retrograd


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli(torch_ref, dtype):
    def program(t):
        d = getattr(t, dtype)
        g = t.Generator().manual_seed(3)
        p = t.rand(5, 40, generator=g, dtype=d)
        x = t.zeros(5, 40, dtype=d)
        return (
            t.bernoulli(p),
            p.bernoulli(),
            t.bernoulli(p, 0.3),
            x.bernoulli_(p),
            t.zeros(5, 40).bernoulli_(p),
            t.zeros(3, 5, 40, dtype=t.int64).bernoulli_(p),
            t.bernoulli(p.t()),
        )

    for seed in SEEDS[:4]:
        assert_same(*run_both(torch_ref, program, seed))


def test_bernoulli_nodes_and_errors(torch_ref):
    for lib in (retrograd, torch_ref):
        p = lib.rand(3, requires_grad=True)
        out = lib.bernoulli(p)
        assert type(out.grad_fn).__name__ == "BernoulliBackward0"
        out.sum().backward()
        assert p.grad.tolist() == [0.0, 0.0, 0.0]
        out = lib.bernoulli(p, 0.3)
        with pytest.raises(
            RuntimeError, match="^derivative for aten::bernoulli is not implemented$"
        ):
            out.sum().backward()
        with pytest.raises(RuntimeError, match=r"^Expected p_in >= 0 && p_in <= 1 to be true"):
            lib.bernoulli(lib.tensor([0.5, 2.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize(
    "shape,samples", [((10,), 1), ((10,), 5), ((3, 7), 7), ((4, 100), 50), ((2, 1000), 3)]
)
def test_multinomial(torch_ref, shape, samples, replacement, dtype):
    def program(t):
        g = t.Generator().manual_seed(11)
        w = t.rand(shape, generator=g, dtype=getattr(t, dtype))
        w[..., 1] = 0  # a category that never comes up
        return t.multinomial(w, samples, replacement), w.multinomial(samples, replacement)

    for seed in SEEDS[:3]:
        assert_same(*run_both(torch_ref, program, seed))


def test_multinomial_errors(torch_ref):
    cases = [
        (
            (lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1)),
            r"invalid multinomial distribution \(sum of probabilities <= 0\)",
        ),
        (
            (lambda t: t.multinomial(t.tensor([1.0, -1.0]), 1)),
            "probability tensor contains either `inf`, `nan` or element < 0",
        ),
        (
            (lambda t: t.multinomial(t.tensor([1.0, float("nan")]), 1)),
            "probability tensor contains either `inf`, `nan` or element < 0",
        ),
        (
            (lambda t: t.multinomial(t.tensor([1.0, 2.0]), 3)),
            r"cannot sample n_sample > prob_dist.size\(-1\) samples without replacement",
        ),
        (
            (lambda t: t.multinomial(t.tensor([1, 2]), 1)),
            "multinomial only supports floating-point dtypes for input, got: Long",
        ),
        ((lambda t: t.multinomial(t.ones(2, 2, 2), 1)), "prob_dist must be 1 or 2 dim"),
        ((lambda t: t.multinomial(t.ones(3), 0)), "cannot sample n_sample <= 0 samples"),
    ]
    for program, message in cases:
        for lib in (retrograd, torch_ref):
            with pytest.raises(RuntimeError, match=f"^{message}$"):
                program(lib)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rates", ["one rate", "mixed"])
def test_poisson(torch_ref, rates, dtype):
    """Knuth's method below rate 10, Hormann's rejection from 10 on; each element starts where the
    last one's draws ended, and the stream goes on from where PyTorch's does."""

    def program(t):
        d = getattr(t, dtype)
        g = t.Generator().manual_seed(5)
        out = []
        for rate in (0.0, 0.01, 3.0, 9.99, 10.0, 25.5, 1000.0):
            out.append(t.poisson(t.full((1500,), rate, dtype=d)))
        mixed = (t.rand(40, 15, generator=g, dtype=d) * 30).t()
        mixed[0, :5] = 0.0
        out += [t.poisson(mixed), t.poisson(t.tensor([4.0, 12.0], dtype=d)), t.rand(3)]
        return out if rates == "one rate" else out[-3:]

    for seed in SEEDS[:2]:
        assert_same(*run_both(torch_ref, program, seed))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binomial(torch_ref, dtype):
    """Inversion by geometric gaps below a mean of 10, BTRS rejection from 10, each on the rarer
    outcome; one setting for all elements or a different one for each."""

    def program(t):
        d = getattr(t, dtype)
        g = t.Generator().manual_seed(8)
        out = [
            t.binomial(t.full((1500,), n, dtype=d), t.full((1500,), p, dtype=d))
            for n, p in [
                (10.0, 0.3),
                (100.0, 0.3),
                (100.0, 0.8),
                (50.0, 0.95),
                (1000.0, 0.5),
                (0.0, 0.5),
                (5.0, 0.0),
                (7.0, 1.0),
            ]
        ]
        count = t.randint(0, 200, (30, 20), generator=g).to(d)
        prob = t.rand(30, 20, generator=g, dtype=d)
        return out + [
            t.binomial(count, prob),
            t.binomial(count, t.full((20,), 0.25, dtype=d)),
            t.rand(3),
        ]

    assert_same(*run_both(torch_ref, program, 1))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cached", [False, True])
def test_standard_gamma(torch_ref, cached, dtype):
    """Marsaglia-Tsang with PyTorch's normals: a normal cached by an earlier randn is used first,
    and the one this call leaves cached is the next randn's."""

    def program(t):
        d = getattr(t, dtype)
        g = t.Generator().manual_seed(2)
        if cached:
            t.randn(1)
        out = [t._standard_gamma(t.full((800,), a, dtype=d)) for a in (2.5, 0.3, 100.0, 1.0)]
        out += [
            t._standard_gamma(t.rand(40, 30, generator=g, dtype=d) * 5),
            t._standard_gamma(t.tensor([0.0, 0.0, 1.5, 0.2], dtype=d)),
            t.randn(3),
        ]
        return out

    for seed in SEEDS[:2]:
        assert_same(*run_both(torch_ref, program, seed))


def test_poisson_and_gamma_nodes(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(
            RuntimeError, match="^invalid Poisson rate, expected rate to be non-negative$"
        ):
            lib.poisson(lib.tensor([1.0, -1.0]))
        rate = lib.rand(3, requires_grad=True)
        out = lib.poisson(rate)
        assert type(out.grad_fn).__name__ == "PoissonBackward0"
        out.sum().backward()
        assert rate.grad.tolist() == [0.0, 0.0, 0.0]
        assert type(lib._standard_gamma(rate).grad_fn).__name__ == "StandardGammaBackward0"
        assert (
            type(lib.binomial(lib.ones(3, requires_grad=True), lib.rand(3)).grad_fn).__name__
            == "NotImplemented"  # (its name() is "torch::autograd::NotImplemented")
        )


def test_bernoulli_of_a_scalar_p_on_strided_input(torch_ref):
    assert_same(*run_both(torch_ref, lambda t: t.bernoulli(t.zeros(6, 4).t(), 0.4), 2))


def test_method_names_as_pytorch(torch_ref):
    for name in (
        "poisson",
        "binomial",
        "bernoulli",
        "multinomial",
        "geometric_",
        "log_normal_",
        "cauchy_",
        "exponential_",
        "random_",
    ):
        assert hasattr(retrograd.Tensor, name) == hasattr(torch_ref.Tensor, name), name
