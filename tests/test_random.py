"""PyTorch's random streams: the same seed gives PyTorch's numbers, bit for bit.

Each check runs one program on retrograd and on PyTorch after ``manual_seed`` (or with a seeded
``Generator``) and compares every value exactly, for many seeds, for sizes on both sides of the
16-element point where PyTorch's normal sampler switches to its vectorised path, and for float32,
float64 and integer dtypes.
"""

import copy
import math
import os
import pickle
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd
from retrograd import _sampling
from retrograd._generator import Generator
from tests import conftest

SEEDS = [0, 1, 42, 1234, 2**32 + 5, 2**63 - 1, -1, 67280421310721]
SIZES = [1, 2, 15, 16, 17, 31, 100, 1000, 1023, 4099]
FLOATS = ["float32", "float64"]


def run_both(torch, program, seed=0):
    """``program(lib)`` on both libraries after ``lib.manual_seed(seed)``."""
    torch.manual_seed(seed)
    expected = program(torch)
    retrograd.manual_seed(seed)
    return program(retrograd), expected


def assert_same(actual, expected):
    """Equal values (NaN where PyTorch has NaN), dtype and shape, and the same printout."""
    if isinstance(actual, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
        return
    a, e = actual.detach().numpy(), expected.detach().numpy()
    assert a.dtype == e.dtype and a.shape == e.shape
    np.testing.assert_array_equal(a, e)
    assert str(actual) == str(expected)


def assert_same_modules(actual, expected):
    sa, se = actual.state_dict(), expected.state_dict()
    assert list(sa) == list(se)
    for name in sa:
        assert_same(sa[name], se[name])


# --- the engine: seeding and raw words -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_words_are_pytorchs(torch_ref, seed):
    """32-bit draws (``random_(0, 2**27)``: one word each) and 64-bit draws (``random_()`` on int64)
    from every kind of seed: small, above 32 bits (only the low 32 seed the twister), negative."""
    program = lambda t: (
        t.empty(700, dtype=t.int64).random_(0, 2**27),
        t.empty(700, dtype=t.int64).random_(),
    )
    assert_same(*run_both(torch_ref, program, seed))
    torch_ref.manual_seed(seed)
    retrograd.manual_seed(seed)
    assert retrograd.initial_seed() == torch_ref.initial_seed()


def test_fresh_generators_start_from_pytorchs_default_seed(torch_ref):
    g, h = retrograd.Generator(), torch_ref.Generator()
    assert g.initial_seed() == h.initial_seed() == 67280421310721
    assert_same(retrograd.rand(5, generator=g), torch_ref.rand(5, generator=h))


def test_seed_values_and_errors_as_pytorch(torch_ref):
    for lib in (retrograd, torch_ref):
        assert lib.manual_seed(-1).initial_seed() == 2**64 - 1
        assert lib.manual_seed("12").initial_seed() == 12
        assert lib.manual_seed(2.7).initial_seed() == 2
        with pytest.raises(ValueError, match="^Overflow when unpacking long long$"):
            lib.manual_seed(2**64)
        with pytest.raises(RuntimeError, match="^manual_seed expected a long, but got float$"):
            lib.Generator().manual_seed(1.5)
        assert isinstance(lib.manual_seed(3), lib.Generator)


# --- factories ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand_and_randn(torch_ref, n, dtype):
    for seed in SEEDS[:4]:
        assert_same(
            *run_both(
                torch_ref,
                lambda t: (
                    t.rand(n, dtype=getattr(t, dtype)),
                    t.randn(n, dtype=getattr(t, dtype)),
                    t.rand(n, dtype=getattr(t, dtype)),
                ),
                seed,
            )
        )


@pytest.mark.skipif(
    conftest._torch is None and bool(os.environ.get("RETROGRAD_TEST_LIGHT")),
    reason="PyTorch is not installed: parity check not run (make test-light)",
)
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**64 - 1),
    shape=st.lists(st.integers(1, 40), min_size=1, max_size=3),
    dtype=st.sampled_from(FLOATS),
)
def test_randn_any_seed_and_shape(seed, shape, dtype):
    import torch

    assert_same(*run_both(torch, lambda t: t.randn(*shape, dtype=getattr(t, dtype)), seed))


@pytest.mark.parametrize("n", [5, 16, 37, 100])
def test_float16_samplers(torch_ref, n):
    """Half precision draws in float32 and rounds; its vectorised normal fill draws uniforms
    block by block, so a ragged end consumes fewer words than in float32."""

    def program(t):
        def new():
            return t.empty(n, dtype=t.float16)

        return (
            new().uniform_(-1, 2),
            new().normal_(0.5, 2.0),
            t.rand(n, dtype=t.float16),
            t.randn(n, dtype=t.float16),
            t.rand(3),
        )

    assert_same(*run_both(torch_ref, program, 4))


def test_scalar_normal_path_keeps_its_second_value_for_the_next_call(torch_ref):
    """Under 16 elements PyTorch draws normals in pairs and caches the second one in the
    generator, across calls and dtypes; ``manual_seed`` drops it."""

    def program(t):
        out = [t.randn(1), t.randn(3, dtype=t.float64), t.randn(17), t.randn(1), t.randn(2)]
        t.manual_seed(5)
        out.append(t.randn(1))
        return out

    assert_same(*run_both(torch_ref, program))


@pytest.mark.filterwarnings("ignore:from is out of bounds", "ignore:to - 1 is out of bounds")
@pytest.mark.parametrize(
    "low,high",
    [
        (0, 10),
        (-5, 5),
        (-60000, 60000),
        (3, 2**28 - 1),
        (0, 2**28),
        (-5, 2**28 - 5),
        (0, 2**30),
        (-(2**31), 2**31 - 1),
        (-(2**40), 2**40),
        (0, 2**53 + 3),
        (-(2**63), 2**63 - 1),
    ],
)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float16", "float32", "float64"])
def test_randint(torch_ref, low, high, dtype):
    """64-bit draws from a range of 2**28; float dtypes narrow bounds they cannot hold."""
    if dtype == "int32" and high > 2**31 or dtype == "float16" and high > 65504:
        return
    for seed in SEEDS[:3]:
        assert_same(
            *run_both(
                torch_ref,
                lambda t: (
                    t.randint(low, high, (3, 37), dtype=getattr(t, dtype)),
                    t.empty(40, dtype=getattr(t, dtype)).random_(low, high),
                ),
                seed,
            )
        )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 16, 50, 1000, 5003])
def test_randperm(torch_ref, n):
    for seed in SEEDS:
        assert_same(*run_both(torch_ref, lambda t: t.randperm(n), seed))
    assert_same(*run_both(torch_ref, lambda t: t.randperm(n, dtype=t.float32)))


def test_randperm_resolves_the_shuffle_like_the_loop_it_replaces():
    def shuffle(words, n):
        perm = list(range(n))
        for i in range(n - 1):
            j = i + int(words[i]) % (n - i)
            perm[i], perm[j] = perm[j], perm[i]
        return perm

    for seed in range(40):
        for n in (2, 3, 7, 64, 513):
            words = Generator().manual_seed(seed).words32(n - 1)
            assert _sampling.randperm(Generator().manual_seed(seed), n).tolist() == shuffle(
                words, n
            )


def test_like_factories(torch_ref):
    def program(t):
        x = t.zeros(4, 17, dtype=t.float64)
        return (
            t.rand_like(x),
            t.randn_like(x),
            t.randint_like(x, 7),
            t.randint_like(x, -3, 9),
            t.randn_like(x, dtype=t.float32),
        )

    assert_same(*run_both(torch_ref, program, 11))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [3, 40])
def test_normal_overloads(torch_ref, n, dtype):
    def program(t):
        d = getattr(t, dtype)
        g = t.Generator().manual_seed(1)
        mean = t.randn(n, generator=g, dtype=d)
        std = t.rand(n, generator=g, dtype=d) + 0.5
        return (
            t.normal(mean, std),
            t.normal(mean, 0.7),
            t.normal(0.3, std),
            t.normal(0.3, 0.7, (n,), dtype=d),
            t.normal(t.zeros(2, n, dtype=d), std),
        )

    assert_same(*run_both(torch_ref, program))


def test_normal_nodes_and_zero_gradients(torch_ref):
    for lib in (retrograd, torch_ref):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        for out, node in [
            (lib.normal(mean, std), "NormalBackward3"),
            (lib.normal(mean, 2.0), "NormalBackward1"),
            (lib.normal(1.0, std), "NormalBackward2"),
        ]:
            assert type(out.grad_fn).__name__ == node
            out.sum().backward()
        assert mean.grad.tolist() == std.grad.tolist() == [0.0, 0.0, 0.0]


# --- in-place fills ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_gamma_family(torch_ref, dtype):
    # float64 shapes to PyTorch's last bit (its C library's log, log1p and pow); Dirichlet and
    # Beta normalise float64 draws whatever the dtype
    def program(t):
        d = getattr(t, dtype)
        dist = t.distributions
        return (
            t._standard_gamma(t.linspace(0.3, 5, 50, dtype=d)),
            dist.Dirichlet(t.ones(8, 3, dtype=d)).sample(),
            dist.Beta(t.full((9,), 2.0, dtype=d), t.full((9,), 0.5, dtype=d)).sample(),
            dist.Gamma(t.full((17,), 0.7, dtype=d), 2.0).rsample(),
        )

    for seed in range(8):
        assert_same(*run_both(torch_ref, program, seed))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 15, 16, 17, 250])
def test_fills(torch_ref, n, dtype):
    def program(t):
        d = getattr(t, dtype)

        def new():
            return t.empty(n, dtype=d)

        return (
            new().uniform_(-0.3, 0.7),
            new().uniform_(-2.5, 1e-3),
            new().normal_(0.5, 2.0),
            new().normal_(-1, 0.01),
            new().exponential_(2.5),
            new().geometric_(0.3),
            new().log_normal_(0.1, 0.5),
            new().cauchy_(1.0, 2.0),
            new().bernoulli_(0.3),
            new().random_(),
            new().random_(-7, 12),
            new().random_(100),
        )

    for seed in SEEDS[:3]:
        assert_same(*run_both(torch_ref, program, seed))


@pytest.mark.parametrize(
    "dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float16", "float32", "float64"]
)
def test_random_default_range_per_dtype(torch_ref, dtype):
    assert_same(*run_both(torch_ref, lambda t: t.empty(300, dtype=getattr(t, dtype)).random_()))


def test_random_full_64_bit_range(torch_ref):
    assert_same(*run_both(torch_ref, lambda t: t.empty(50, dtype=t.int64).random_(-(2**63), None)))


def test_strided_outputs_are_filled_in_memory_order(torch_ref):
    """A fill of a transposed view visits the elements in memory order, and a strided normal_
    takes the scalar path even with 16 or more elements."""

    def program(t):
        x = t.zeros(6, 7)
        x.t().uniform_()
        y = t.zeros(8, 5, dtype=t.float64)
        y.t().normal_()
        z = t.zeros(4, 9)
        z[:, ::2].bernoulli_(0.5)
        return x, y, z

    assert_same(*run_both(torch_ref, program, 3))


def test_fill_errors(torch_ref):
    x = retrograd.zeros(3)
    cases = [
        (
            lambda t: t.zeros(3).exponential_(-1.0),
            "exponential_ expects lambda > 0.0, but found lambda=-1",
        ),
        (
            lambda t: t.zeros(3).geometric_(1.5),
            r"geometric_ expects p to be in \(0, 1\), but got p=1.5",
        ),
        (
            lambda t: t.zeros(3).log_normal_(0.0, 0.0),
            "log_normal_ expects std > 0.0, but found std=0",
        ),
        (
            lambda t: t.zeros(3).cauchy_(0.0, -1.0),
            "cauchy_ expects sigma > 0.0, but found sigma=-1",
        ),
        (
            lambda t: t.zeros(3).uniform_(2.0, 1.0),
            r"uniform_ expects to return a \[from, to\) range, but found from=2 > to=1",
        ),
        (
            lambda t: t.zeros(3).bernoulli_(1.5),
            r"bernoulli_ expects p to be in \[0, 1\], but got p=1.5",
        ),
        (lambda t: t.zeros(3).normal_(0.0, -1.0), "normal expects std >= 0.0, but found std -1"),
    ]
    for program, message in cases:
        for lib in (retrograd, torch_ref):
            with pytest.raises(RuntimeError, match=f"^{message}$"):
                program(lib)
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_fill_nodes(torch_ref):
    for lib in (retrograd, torch_ref):
        x = lib.zeros(3, requires_grad=True)
        for fill, args, node in [
            ("geometric_", (0.3,), "GeometricBackward0"),
            ("log_normal_", (), "LogNormalBackward0"),
            ("cauchy_", (), "CauchyBackward0"),
            ("exponential_", (), "ExponentialBackward0"),
        ]:
            y = getattr(x.clone(), fill)(*args)
            assert type(y.grad_fn).__name__ == node


# --- dropout, init and freshly made layers --------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("p", [0.1, 0.33, 0.5, 0.9])
def test_dropout_masks(torch_ref, p, dtype):
    def program(t):
        x = t.randn(7, 33, dtype=getattr(t, dtype))
        layer = t.nn.Dropout(p)
        return t.nn.functional.dropout(x, p), layer(x), layer(x.t())

    for seed in SEEDS[:3]:
        assert_same(*run_both(torch_ref, program, seed))


INITS = {
    "uniform_": lambda t, w: t.nn.init.uniform_(w, -0.1, 0.2),
    "normal_": lambda t, w: t.nn.init.normal_(w, 0.5, 0.1),
    "xavier_uniform_": lambda t, w: t.nn.init.xavier_uniform_(w),
    "xavier_normal_": lambda t, w: t.nn.init.xavier_normal_(w, gain=1.5),
    "kaiming_uniform_": lambda t, w: t.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_normal_": lambda t, w: t.nn.init.kaiming_normal_(w, mode="fan_out"),
    "trunc_normal_": lambda t, w: t.nn.init.trunc_normal_(w, std=0.02),
    "trunc_normal_narrow": lambda t, w: t.nn.init.trunc_normal_(w, std=1.0, a=0.5, b=3.0),
    "trunc_normal_wide": lambda t, w: t.nn.init.trunc_normal_(w, mean=0.5, std=2.0, a=-1.0, b=1.0),
}


@pytest.mark.parametrize("name", list(INITS))
@pytest.mark.parametrize("shape", [(3, 4), (5, 3), (64, 40), (8, 3, 3, 3)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_init_functions(torch_ref, name, shape, dtype):
    def program(t):
        return INITS[name](t, t.empty(shape, dtype=getattr(t, dtype)))

    assert_same(*run_both(torch_ref, program, 2))


def test_sparse_and_dirac(torch_ref):
    def program(t):
        g = t.Generator().manual_seed(4)
        return (
            t.nn.init.sparse_(t.empty(10, 6), 0.3),
            t.nn.init.sparse_(t.empty(40, 3), 0.1, std=0.5, generator=g),
            t.nn.init.dirac_(t.empty(4, 3, 5)),
            t.nn.init.dirac_(t.empty(6, 2, 3, 3), 2),
            t.nn.init.dirac_(t.empty(2, 4, 3, 3, 3)),
            t.rand(2),
        )

    assert_same(*run_both(torch_ref, program, 9))
    for lib in (retrograd, torch_ref):
        with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
            lib.nn.init.sparse_(lib.empty(3), 0.1)
        with pytest.raises(ValueError, match="^dim 0 must be divisible by groups$"):
            lib.nn.init.dirac_(lib.empty(3, 3, 3), 2)


def test_orthogonal_draws_pytorchs_normals(torch_ref):
    """The normals are PyTorch's; the QR factorisation is LAPACK's in both, which may round the
    last bit differently."""
    for shape in [(6, 4), (3, 8), (16, 2, 3)]:
        actual, expected = run_both(torch_ref, lambda t, s=shape: t.nn.init.orthogonal_(t.empty(s)))
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=0, atol=1e-6)


LAYERS = {
    "Linear": lambda t: t.nn.Linear(4, 3),
    "Bilinear": lambda t: t.nn.Bilinear(3, 4, 5),
    "Conv1d": lambda t: t.nn.Conv1d(2, 4, 5),
    "Conv2d": lambda t: t.nn.Conv2d(3, 8, 3),
    "ConvTranspose2d": lambda t: t.nn.ConvTranspose2d(2, 3, 3),
    "LSTM": lambda t: t.nn.LSTM(10, 20, 2),
    "GRU": lambda t: t.nn.GRU(5, 7, bidirectional=True),
    "RNN": lambda t: t.nn.RNN(3, 4),
    "Embedding": lambda t: t.nn.Embedding(10, 3),
    "Embedding16": lambda t: t.nn.Embedding(100, 16, padding_idx=0),
    "LayerNorm": lambda t: t.nn.LayerNorm(5),
    "MultiheadAttention": lambda t: t.nn.MultiheadAttention(8, 2),
    "MLP": lambda t: t.nn.Sequential(t.nn.Linear(10, 20), t.nn.ReLU(), t.nn.Linear(20, 2)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_fresh_layers_get_pytorchs_weights(torch_ref, name):
    for seed in (0, 7):
        assert_same_modules(*run_both(torch_ref, LAYERS[name], seed))


def test_what_pytorch_prints(torch_ref):
    """The programs of the brief print exactly what PyTorch prints."""
    programs = [
        lambda t: t.nn.Linear(4, 3).weight,
        lambda t: t.randn(1000),
        lambda t: t.randperm(50),
        lambda t: t.multinomial(t.tensor([0.1, 0.2, 0.3, 0.4]), 10, replacement=True),
        lambda t: t.nn.functional.dropout(t.ones(4, 6), 0.5),
    ]
    for program in programs:
        actual, expected = run_both(torch_ref, program)
        assert repr(actual) == repr(expected)


def test_a_seeded_training_step_gives_pytorchs_numbers(torch_ref):
    def program(t):
        model = t.nn.Sequential(t.nn.Linear(6, 8), t.nn.Dropout(0.25), t.nn.Linear(8, 1))
        x, y = t.randn(5, 6), t.rand(5, 1)
        loss = t.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss.detach(), model[0].weight.grad

    actual, expected = run_both(torch_ref, program, 1)
    np.testing.assert_allclose(actual[0].numpy(), expected[0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(actual[1].numpy(), expected[1].numpy(), rtol=1e-5, atol=1e-7)


# --- Generator objects and the torch.random module -------------------------------------------------


def test_generator_objects_are_separate_streams(torch_ref):
    def program(t):
        g = t.Generator().manual_seed(9)
        out = [
            t.rand(5, generator=g),
            t.randn(20),
            t.randn(3, generator=g),
            t.randint(0, 9, (4,), generator=g),
            t.randperm(7, generator=g),
            t.empty(4).normal_(generator=g),
            t.empty(4).uniform_(generator=g),
            t.bernoulli(t.full((4,), 0.5), generator=g),
            t.multinomial(t.ones(5), 2, generator=g),
            t.normal(0.0, 1.0, (3,), generator=g),
        ]
        return out + [t.tensor(g.initial_seed())]

    assert_same(*run_both(torch_ref, program, 4))


def test_state_bytes_are_pytorchs_and_restore_either_way(torch_ref):
    def states(t):
        out = [t.get_rng_state()]
        t.randn(1)  # leaves a cached normal in the state
        out.append(t.get_rng_state())
        t.rand(700)  # past one block of the twister
        out.append(t.get_rng_state())
        return out

    assert_same(*run_both(torch_ref, states, 5))
    torch_ref.manual_seed(8)
    torch_ref.randn(3)
    retrograd.set_rng_state(retrograd.tensor(torch_ref.get_rng_state().numpy()))
    assert_same(retrograd.randn(5), torch_ref.randn(5))
    retrograd.manual_seed(2)
    retrograd.rand(3)
    torch_ref.set_rng_state(torch_ref.from_numpy(retrograd.get_rng_state().numpy()))
    assert_same(retrograd.randn(30), torch_ref.randn(30))


def test_state_errors(torch_ref):
    for lib in (retrograd, torch_ref):
        g = lib.Generator()
        with pytest.raises(
            RuntimeError,
            match="^Expected a CPUGeneratorImplState of size 5056 "
            "but found the input RNG state size to be 10$",
        ):
            g.set_state(lib.zeros(10, dtype=lib.uint8))
        with pytest.raises(TypeError, match="^RNG state must be a torch.ByteTensor$"):
            g.set_state(lib.zeros(5056))
        with pytest.raises(TypeError, match="^expected a torch.ByteTensor, but got list$"):
            g.set_state([1, 2])
        with pytest.raises(RuntimeError, match="^Invalid mt19937 state$"):
            g.set_state(lib.zeros(5056, dtype=lib.uint8))


def test_generator_seed_and_state_methods():
    g = retrograd.Generator()
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and 0 <= s < 2**64
    state = g.get_state()
    a = retrograd.rand(4, generator=g).tolist()
    assert g.set_state(state) is g
    assert retrograd.rand(4, generator=g).tolist() == a
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert str(g.device) == "cpu"
    s = retrograd.seed()
    assert retrograd.initial_seed() == s


def test_torch_random_module(torch_ref):
    assert retrograd.random.default_generator is retrograd.default_generator
    for name in (
        "manual_seed",
        "seed",
        "initial_seed",
        "get_rng_state",
        "set_rng_state",
        "fork_rng",
    ):
        assert callable(getattr(retrograd.random, name))
    assert sorted(retrograd.random.__all__) == sorted(torch_ref.random.__all__)

    def program(t):
        t.random.manual_seed(6)
        a = t.rand(3)
        with t.random.fork_rng():
            t.rand(5)
        with t.random.fork_rng(enabled=False):
            t.rand(2)
        return a, t.rand(3), t.tensor(t.random.initial_seed())

    assert_same(*run_both(torch_ref, program))


# --- the arithmetic helpers -----------------------------------------------------------------------


def test_fused_multiply_add_rounds_once():
    rng = np.random.default_rng(0)
    a32, b32, c32 = (rng.standard_normal(400).astype(np.float32) for _ in range(3))
    c32[:100] = -(a32[:100].astype(np.float64) * b32[:100]).astype(np.float32)  # cancellations
    exact = [
        Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
        for a, b, c in zip(a32, b32, c32)
    ]
    got = _sampling.fma32(a32, b32, c32)
    for g, e in zip(got, exact):
        lo, hi = np.nextafter(g, np.float32(-np.inf)), np.nextafter(g, np.float32(np.inf))
        assert abs(Fraction(float(g)) - e) <= min(
            abs(Fraction(float(lo)) - e), abs(Fraction(float(hi)) - e)
        )
    a, b, c = (rng.standard_normal(400) for _ in range(3))
    got = _sampling.fma64(a, b, c)
    for x, y, z, g in zip(a, b, c, got):
        e = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        for neighbour in (np.nextafter(g, -np.inf), np.nextafter(g, np.inf)):
            assert abs(Fraction(float(g)) - e) <= abs(Fraction(float(neighbour)) - e)


def test_thread_safe_generator_is_none_outside_thread_workers(torch_ref):
    assert retrograd.random.thread_safe_generator() is None
    assert torch_ref.random.thread_safe_generator() is None


def test_float_bounds_warning(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.warns(
            UserWarning,
            match=r"^to - 1 is out of bounds \[-\(2\^24\), 2\^24\]\. "
            "Due to precision limitations float can support",
        ):
            lib.randint(0, 2**25, (2,), dtype=lib.float32)
        with pytest.warns(
            UserWarning,
            match=r"^from is out of bounds \[-\(2\^53\), 2\^53\]\. "
            "Due to precision limitations double",
        ):
            lib.empty(2, dtype=lib.float64).random_(-(2**54), 0)


def test_generators_pickle_and_copy(torch_ref):
    for lib in (retrograd, torch_ref):
        g = lib.Generator().manual_seed(3)
        lib.randn(1, generator=g)  # a cached normal travels with the state
        for twin in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
            assert twin.initial_seed() == 3
            assert twin.get_state().tolist() == g.get_state().tolist()
    g = retrograd.Generator().manual_seed(3)
    assert (
        retrograd.randn(3, generator=copy.deepcopy(g)).tolist()
        == retrograd.randn(3, generator=g).tolist()
    )


@pytest.mark.parametrize("size", [1, 7, 8, 9, 17, 100])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_samples_are_pytorchs(torch_ref, size, dtype):
    """A complex number draws two of its part's type, the real part first; a normal one has
    variance 1/2 in each part.  Sizes straddle the 16-element blocks of the vectorised normals."""

    def program(lib):
        dt = getattr(lib, dtype)
        out = [lib.randn(size, dtype=dt), lib.rand(size, dtype=dt)]
        x = lib.empty(size, dtype=dt)
        out.append(x.normal_(0.5, 2.0).clone())
        out.append(x.uniform_(-2, 3).clone())
        out.append(lib.randn_like(x))
        return out

    assert_same(*run_both(torch_ref, program))
