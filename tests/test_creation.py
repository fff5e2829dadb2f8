"""Making tensors: tensor/as_tensor/from_numpy, factories, ranges and random numbers, as PyTorch."""

import numpy as np
import pytest

import retrograd
import retrograd as torch


def _same(ours, theirs):
    """Same dtype name, shape and exact values."""
    assert repr(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.tolist() == theirs.tolist()


# --- tensor(): dtype inference --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,dtype",
    [
        (3, torch.int64),
        (3.0, torch.float32),
        (True, torch.bool),
        ([1, 2.5], torch.float32),
        ([True, 2], torch.int64),
        ([[1.0], [2]], torch.float32),
        ((1, 2), torch.int64),
        (range(3), torch.int64),
        ([], torch.float32),
        (1 + 2j, torch.complex64),
        ([np.float64(1.0), 2.0], torch.float64),
        ([1.0, np.float32(2.0)], torch.float32),
        ([1, np.int32(2)], torch.int64),
        ([np.int32(1)], torch.int32),
        (np.int32(1), torch.int32),
        (np.float16(1), torch.float16),
        ([np.bool_(True)], torch.bool),
        ([torch.tensor(1, dtype=torch.int32), 2], torch.int64),
        (np.array([1, 2], dtype=np.int16), torch.int16),
    ],
)
def test_tensor_infers_dtype(data, dtype):
    assert torch.tensor(data).dtype is dtype


def test_tensor_copies_and_default_dtype_follows_set_default_dtype():
    a = np.array([1.0, 2.0])
    t = torch.tensor(a)
    a[0] = 5.0
    assert t.tolist() == [1.0, 2.0] and t.dtype is torch.float64
    retrograd.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.5]).dtype is torch.float64
        assert torch.tensor([1j]).dtype is torch.complex128
    finally:
        retrograd.set_default_dtype(torch.float32)


@pytest.mark.parametrize(
    "data,exc,message",
    [
        ([[1, 2], [3, 4, 5]], ValueError, "expected sequence of length 2 at dim 1 (got 3)"),
        ([[1], [2, 3]], ValueError, "expected sequence of length 1 at dim 1 (got 2)"),
        ([[1, 2], 3], TypeError, "not a sequence"),
        ([1, None], RuntimeError, "Could not infer dtype of NoneType"),
        (None, RuntimeError, "Could not infer dtype of NoneType"),
        ({1: 2}, RuntimeError, "Could not infer dtype of dict"),
        ("abc", TypeError, "new(): invalid data type 'str'"),
        (["a"], ValueError, "too many dimensions 'str'"),
    ],
)
def test_tensor_rejects_bad_data_as_pytorch(data, exc, message):
    with pytest.raises(exc) as info:
        torch.tensor(data)
    assert str(info.value) == message


def test_tensor_of_a_tensor_warns():
    with pytest.warns(
        UserWarning,
        match=r"To copy construct from a tensor, it is recommended to use "
        r"sourceTensor\.detach\(\)\.clone\(\)",
    ):
        torch.tensor(torch.ones(2))


@pytest.mark.parametrize("factory", ["tensor", "zeros", "ones", "arange", "randint"])
def test_integer_tensors_cannot_require_grad(factory):
    make = {
        "tensor": lambda: torch.tensor([1, 2], requires_grad=True),
        "zeros": lambda: torch.zeros(2, dtype=torch.int32, requires_grad=True),
        "ones": lambda: torch.ones(2, dtype=torch.int64, requires_grad=True),
        "arange": lambda: torch.arange(3, requires_grad=True),
        "randint": lambda: torch.randint(3, (2,), requires_grad=True),
    }[factory]
    with pytest.raises(RuntimeError) as info:
        make()
    assert (
        str(info.value) == "Only Tensors of floating point and complex dtype can require gradients"
    )


# --- sharing memory -------------------------------------------------------------------------------


def test_from_numpy_and_as_tensor_share_memory_and_numpy_gives_it_back():
    a = np.zeros(3, dtype=np.float32)
    t = torch.from_numpy(a)
    u = torch.as_tensor(a)
    a[1] = 7.0
    assert t.tolist() == [0.0, 7.0, 0.0] and u.tolist() == [0.0, 7.0, 0.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    assert np.shares_memory(np.asarray(t), a)
    assert t.dtype is torch.float32


def test_as_tensor_copies_only_when_it_must():
    a = np.ones(2, dtype=np.float32)
    assert not np.shares_memory(torch.as_tensor(a, dtype=torch.float64).numpy(), a)
    t = torch.ones(2)
    assert torch.as_tensor(t) is t
    assert torch.as_tensor([1, 2]).dtype is torch.int64


def test_from_numpy_errors():
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got list\)"):
        torch.from_numpy([1])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.object_"):
        torch.from_numpy(np.array([None]))


@pytest.mark.parametrize(
    "make",
    [
        lambda t, a: t.from_numpy(a[:, ::-1]),
        lambda t, a: t.from_numpy(a[::-1][:0]),
        lambda t, a: t.as_tensor(a[::-1]),
        lambda t, a: t.as_tensor(a[::-1], dtype=t.float32),
        lambda t, a: t.asarray(a[:, ::-2]),
        lambda t, a: t.tensor(a[::-1]),
        lambda t, a: t.tensor(np.flip(a), dtype=t.float32),
    ],
)
def test_a_numpy_array_with_a_negative_stride_is_refused_as_pytorch(torch_ref, make):
    """PyTorch's tensors have no negative strides: a flipped NumPy array is its ValueError
    (which asks for a copy), for tensor() as for from_numpy()."""
    a = np.arange(6.0).reshape(2, 3)
    caught = []
    for lib in (torch, torch_ref):
        with pytest.raises(ValueError) as info:
            make(lib, a)
        caught.append(str(info.value))
    assert caught[0] == caught[1]


@pytest.mark.parametrize(
    "data",
    [
        2**63,
        2**64 - 1,
        [2**63, 1],
        [[2**64 - 1]],
        0,
        True,
        [True, 3],
        2**64,
        [2**64],
        -1,
        [-1],
        -(2**63),
        [2**63, -1],
        1.5,
        [1.5],
        [1, 2.5],
        1e19,
        1 + 0j,
    ],
)
def test_uint64_tensor_reads_each_number_as_pytorch(torch_ref, data):
    """torch.tensor(data, dtype=torch.uint64) reads every number as an unsigned 64-bit
    integer: up to 2**64 - 1, no negative number (other unsigned types wrap them), no float."""
    got = []
    for lib in (torch, torch_ref):
        try:
            got.append(repr(lib.tensor(data, dtype=lib.uint64)))
        except Exception as e:
            got.append(f"{type(e).__name__}: {e}")
    assert got[0] == got[1]


# --- factories ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "torch.zeros(2, 3)",
        "torch.zeros((2, 3))",
        "torch.zeros([2, 3], dtype=torch.int32)",
        "torch.zeros(())",
        "torch.zeros(0)",
        "torch.ones(2, dtype=torch.bool)",
        "torch.full((2, 2), 7)",
        "torch.full((2, 2), 7.)",
        "torch.full((2,), True)",
        "torch.full((2,), 1.5, dtype=torch.float64)",
        "torch.full([], 3)",
        "torch.zeros_like(torch.ones(2, 3, dtype=torch.float64))",
        "torch.ones_like(torch.ones(2), dtype=torch.int64)",
        "torch.full_like(torch.ones(2), 5)",
        "torch.full_like(torch.ones(2, dtype=torch.int64), 2.7)",
        "torch.eye(3)",
        "torch.eye(2, 3)",
        "torch.eye(3, dtype=torch.int64)",
        "torch.eye(0)",
        "torch.empty(2, 3).new_zeros(2)",
        "torch.ones(2, dtype=torch.float64).new_tensor([1, 2])",
        "torch.ones(2, dtype=torch.int32).new_ones((1,))",
        "torch.ones(2).new_full((1,), 3)",
        "torch.Tensor([1, 2])",
        "torch.Tensor([[1, 2]])",
        "torch.Tensor(np.array([1, 2]))",
        "torch.Tensor((2, 3))",
        "torch.Tensor()",
        "torch.Tensor(torch.tensor([1, 2]))",
    ],
)
def test_factories_match_pytorch(torch_ref, expr):
    _same(eval(expr), eval(expr, {"torch": torch_ref, "np": np}))


def test_empty_and_legacy_constructor_shapes():
    assert torch.empty(2, 3).shape == (2, 3)
    assert torch.empty_like(torch.ones(2, dtype=torch.int32)).dtype is torch.int32
    assert torch.Tensor(2, 3).shape == (2, 3) and torch.Tensor(2, 3).dtype is torch.float32
    assert not torch.Tensor(2, 3).requires_grad


def test_legacy_constructor_of_a_tensor_is_an_alias(torch_ref):
    for lib in (torch, torch_ref):
        t = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.Tensor(t)
        assert u is not t and u._base is t and type(u.grad_fn).__name__ == "AliasBackward0"
        ints = lib.tensor([1, 2])
        alias = lib.Tensor(ints)
        assert alias.dtype is lib.int64 and alias is not ints
        with lib.no_grad():
            alias.add_(1)  # shares the data and the version counter
        assert ints.tolist() == [2, 3] and ints._version == 1


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (
            lambda: torch.ones(-1),
            RuntimeError,
            "Trying to create tensor with negative dimension -1: [-1]",
        ),
        (
            lambda: torch.randn(2, -1),
            RuntimeError,
            "Trying to create tensor with negative dimension -1: [2, -1]",
        ),
        (lambda: torch.zeros(2, -3), RuntimeError, "zeros: Dimension size must be non-negative."),
        (lambda: torch.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
        (lambda: torch.eye(2, -1), RuntimeError, "m must be greater or equal to 0, got -1"),
        (lambda: torch.Tensor(2.5), TypeError, "new(): data must be a sequence (got float)"),
        (lambda: torch.Tensor("a"), TypeError, "new(): invalid data type 'str'"),
        (lambda: torch.arange(0, 1, 0), RuntimeError, "step must be nonzero"),
        (
            lambda: torch.arange(1, 0, 1),
            RuntimeError,
            "upper bound and lower bound inconsistent with step sign",
        ),
        (lambda: torch.arange(1, 2, 0.3, dtype=torch.int64), ValueError, "step must be nonzero"),
        (lambda: torch.arange(float("nan")), RuntimeError, "unsupported range: 0 -> nan"),
        (lambda: torch.arange(1.5, float("inf")), RuntimeError, "unsupported range: 1.5 -> inf"),
        (lambda: torch.linspace(0, 1, -1), RuntimeError, "number of steps must be non-negative"),
        (
            lambda: torch.rand(2, dtype=torch.int64),
            NotImplementedError,
            "\"check_uniform_bounds\" not implemented for 'Long'",
        ),
        (
            lambda: torch.randn(2, dtype=torch.int32),
            NotImplementedError,
            "\"normal_kernel_cpu\" not implemented for 'Int'",
        ),
        (
            lambda: torch.randint(5, 2, (2,)),
            RuntimeError,
            "random_ expects 'from' to be less than 'to', but got from=5 >= to=2",
        ),
        (
            lambda: torch.normal(0.0, -1.0, size=(2,)),
            RuntimeError,
            "normal expects std >= 0.0, but found std -1",
        ),
        (
            lambda: torch.normal(0.0, -1.5, size=(2,)),
            RuntimeError,
            "normal expects std >= 0.0, but found std -1.5",
        ),
    ],
)
def test_factory_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


# --- ranges -------------------------------------------------------------------------------------

ARANGES = [
    "torch.arange(5)",
    "torch.arange(1, 4)",
    "torch.arange(0, 1, 0.1)",
    "torch.arange(5, 0, -1)",
    "torch.arange(1., 2.5, 0.5)",
    "torch.arange(0, -3, -0.5)",
    "torch.arange(10, dtype=torch.float64)",
    "torch.arange(0, 5, 2)",
    "torch.arange(0.5, 3)",
    "torch.arange(torch.tensor(3))",
    "torch.arange(-1.5, 1.5, 0.7)",
    "torch.arange(0, 0)",
    "torch.arange(0, 1, 1/3.)",
    "torch.arange(0, 1, 0.3, dtype=torch.float64)",
    "torch.arange(0, 1, 0.1, dtype=torch.float64)",
    "torch.arange(0, 5, 0.5, dtype=torch.int32)",
    "torch.arange(0.5, 5.9, 1.3, dtype=torch.int64)",
    "torch.arange(0.5, 5.9, 1.3, dtype=torch.int16)",
    "torch.arange(-3.7, 5.9, 1.3, dtype=torch.int64)",
    "torch.arange(-3.7, 5.9, 1.3, dtype=torch.int32)",
    "torch.arange(10, 0, -3.5, dtype=torch.int64)",
    "torch.arange(1, 2.5, 0.5, dtype=torch.float16)",
    "torch.arange(0, -10, -3)",
]


def test_arange_literal_values():
    assert torch.arange(5).tolist() == [0, 1, 2, 3, 4] and torch.arange(5).dtype is torch.int64
    assert torch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert torch.arange(0, 1, 0.1).shape == (10,)  # the count is computed in double
    assert torch.arange(10, 0, -3.5, dtype=torch.int64).tolist() == [10, 7, 4, 1]


def test_float_arange_values_are_pytorchs_to_the_last_bit():
    # PyTorch's kernel works in blocks of SIMD lanes: the middle value is not exactly zero, and
    # that shows in repr (scientific notation).
    assert torch.arange(-1, 1, 0.1).tolist()[10] == -2.9802322831784522e-09
    assert torch.arange(-1, 1, 0.1, dtype=torch.float64).tolist()[10] == 5.551115123125783e-17
    assert repr(torch.arange(-1, 1, 0.1)) == (
        "tensor([-1.0000e+00, -9.0000e-01, -8.0000e-01, -7.0000e-01, -6.0000e-01,\n"
        "        -5.0000e-01, -4.0000e-01, -3.0000e-01, -2.0000e-01, -1.0000e-01,\n"
        "        -2.9802e-09,  1.0000e-01,  2.0000e-01,  3.0000e-01,  4.0000e-01,\n"
        "         5.0000e-01,  6.0000e-01,  7.0000e-01,  8.0000e-01,  9.0000e-01])"
    )


def test_float_arange_random_ranges_match_pytorch(torch_ref):
    rng = np.random.default_rng(5)
    for _ in range(40):
        start = float(rng.uniform(-50, 50))
        step = float(rng.choice([0.1, 0.3, 0.7, 1 / 3, 0.05, -0.1, -0.37, 2.5]))
        end = start + step * int(rng.integers(0, 300))
        for name in ("float32", "float64"):
            ours = torch.arange(start, end, step, dtype=getattr(torch, name)).tolist()
            theirs = torch_ref.arange(start, end, step, dtype=getattr(torch_ref, name)).tolist()
            assert ours == theirs, (start, end, step, name)


LINSPACES = [
    "torch.linspace(0, 1, 5)",
    "torch.linspace(0, 1, 1)",
    "torch.linspace(0, 1, 0)",
    "torch.linspace(-1, 1, 7, dtype=torch.float64)",
    "torch.linspace(-1, 1, 7)",
    "torch.linspace(-1, 1, 8)",
    "torch.linspace(0.1, 0.7, 11)",
    "torch.linspace(0.1, 0.7, 11, dtype=torch.float64)",
    "torch.linspace(0, 10, 5, dtype=torch.int64)",
    "torch.linspace(0, 1, 4, dtype=torch.int64)",
    "torch.linspace(0, -10, 4, dtype=torch.int64)",
    "torch.linspace(0, 10, 7, dtype=torch.int32)",
    "torch.linspace(0.3, 1.9, 9, dtype=torch.float16)",
    "torch.linspace(-9.51, 3.47, 19, dtype=torch.int64)",
    "torch.linspace(torch.tensor(0.), 1, 3)",
]


@pytest.mark.parametrize("expr", ARANGES + LINSPACES)
def test_ranges_match_pytorch(torch_ref, expr):
    _same(eval(expr), eval(expr, {"torch": torch_ref}))


def test_linspace_random_bounds_match_pytorch_bit_for_bit(torch_ref):
    rng = np.random.default_rng(1)
    for _ in range(30):
        a, b = rng.uniform(-10, 10, 2)
        n = int(rng.integers(2, 40))
        for name in ("float32", "float64", "float16", "int64"):
            ours = torch.linspace(a, b, n, dtype=getattr(torch, name))
            theirs = torch_ref.linspace(a, b, n, dtype=getattr(torch_ref, name))
            assert ours.tolist() == theirs.tolist(), (a, b, n, name)


def test_linspace_literal_values():
    assert torch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # The second half counts down from the end: the middle value is not exactly zero.
    assert torch.linspace(-1, 1, 7, dtype=torch.float64).tolist()[3] == 5.551115123125783e-17
    assert torch.linspace(0, 10, 7, dtype=torch.int32).tolist() == [0, 1, 3, 5, 6, 8, 10]
    assert torch.linspace(1, 3, 5, requires_grad=True).requires_grad


# --- random numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.rand(3, 2),
        lambda: torch.randn(4),
        lambda: torch.randint(0, 10, (5,)),
        lambda: torch.normal(0.0, 1.0, size=(3,)),
        lambda: torch.randperm(6),
        lambda: torch.normal(torch.zeros(2), torch.ones(2)),
    ],
    ids=["rand", "randn", "randint", "normal", "randperm", "normal-tensors"],
)
def test_manual_seed_repeats_the_numbers(make):
    torch.manual_seed(123)
    first = make().tolist()
    torch.manual_seed(123)
    assert make().tolist() == first
    assert make().tolist() != first or len(first) < 2


def test_random_dtypes_shapes_and_ranges():
    torch.manual_seed(0)
    assert torch.rand(2, 3).dtype is torch.float32
    assert torch.rand((2, 3), dtype=torch.float64).dtype is torch.float64
    u = torch.rand(1000)
    assert 0.0 <= min(u.tolist()) and max(u.tolist()) < 1.0
    r = torch.randint(1, 5, (200,))
    assert r.dtype is torch.int64 and set(r.tolist()) <= {1, 2, 3, 4}
    assert torch.randint(5, (3,), dtype=torch.float32).dtype is torch.float32
    assert torch.randn(2, requires_grad=True).requires_grad
    assert torch.normal(torch.zeros(2, 3), 1.0).shape == (2, 3)
    assert torch.normal(0.0, torch.ones(2, 3)).shape == (2, 3)
    g = torch.Generator().manual_seed(5)
    assert (
        torch.rand(3, generator=g).tolist()
        == torch.rand(3, generator=torch.Generator().manual_seed(5)).tolist()
    )


def test_rng_state_round_trip():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    a = torch.randn(3).tolist()
    torch.set_rng_state(state)
    assert torch.randn(3).tolist() == a
    assert torch.manual_seed(3).initial_seed() == 3


def test_normal_needs_a_size_for_two_floats():
    with pytest.raises(
        TypeError,
        match=r"normal\(\) received an invalid combination of arguments - "
        r"got \(float, float\)",
    ):
        torch.normal(2.0, 3.0)
