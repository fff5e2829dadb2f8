"""dtype objects, the default dtype and type promotion (``promote_types``/``result_type``)."""

import itertools
import warnings

import pytest

import retrograd as torch

NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "uint16",
    "uint32",
    "uint64",
]


def _outcome(fn, *args):
    try:
        return repr(fn(*args))
    except RuntimeError as e:
        return f"RuntimeError: {e}"


def test_dtype_objects():
    assert repr(torch.float32) == "torch.float32" and str(torch.float64) == "torch.float64"
    assert torch.float is torch.float32 and torch.double is torch.float64
    assert torch.half is torch.float16 and torch.long is torch.int64 and torch.int is torch.int32
    assert torch.short is torch.int16 and torch.cfloat is torch.complex64
    assert torch.float64.is_floating_point and not torch.int64.is_floating_point
    assert torch.complex64.is_complex and not torch.float32.is_complex
    assert torch.float32.is_signed and not torch.bool.is_signed and not torch.uint8.is_signed
    assert torch.float16.itemsize == 2 and torch.complex128.itemsize == 16
    assert torch.complex128.to_real() is torch.float64 and torch.int64.to_real() is torch.int64
    assert torch.float64.to_complex() is torch.complex128
    with pytest.raises(RuntimeError, match="^Unknown Complex ScalarType for Long$"):
        torch.int64.to_complex()


def test_default_dtype():
    assert torch.get_default_dtype() is torch.float32
    with pytest.raises(
        TypeError, match="^only floating-point types are supported as the default type$"
    ):
        torch.set_default_dtype(torch.int64)
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor(1.5).dtype is torch.float64
        assert torch.ones(2).dtype is torch.float64
        assert torch.arange(0.0, 1.0, 0.5).dtype is torch.float64
        assert torch.result_type(torch.tensor([1, 2]), 1.5) is torch.float64
    finally:
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("int32", "float16", "float16"),
        ("uint8", "int8", "int16"),
        ("bool", "int8", "int8"),
        ("int64", "float32", "float32"),
        ("float64", "complex64", "complex128"),
        ("float16", "float32", "float32"),
        ("uint8", "bool", "uint8"),
        ("int16", "uint8", "int16"),
    ],
)
def test_promote_types_examples(a, b, expected):
    assert torch.promote_types(getattr(torch, a), getattr(torch, b)) is getattr(torch, expected)
    assert torch.promote_types(getattr(torch, b), getattr(torch, a)) is getattr(torch, expected)


def test_wide_unsigned_types_do_not_promote():
    with pytest.raises(
        RuntimeError,
        match="^Promotion for uint16, uint32, uint64 types is not "
        "supported, attempted to promote UInt16 and Char$",
    ):
        torch.promote_types(torch.uint16, torch.int8)
    assert torch.promote_types(torch.uint64, torch.float16) is torch.float16


def test_promote_types_all_pairs_match_pytorch(torch_ref):
    for a, b in itertools.product(NAMES, NAMES):
        ours = _outcome(torch.promote_types, getattr(torch, a), getattr(torch, b))
        theirs = _outcome(torch_ref.promote_types, getattr(torch_ref, a), getattr(torch_ref, b))
        assert ours == theirs, (a, b)


SCALARS = {"bool": True, "int64": 2, "float32": 2.5, "complex64": 1 + 1j}
# PyTorch gives complex32 where a float16 tensor meets a complex number; NumPy has no complex32.
COMPLEX32 = {"float16"}


def _participant(m, kind, name):
    if kind == "scalar":
        return SCALARS[name]
    return m.ones(() if kind == "zero-dim" else (2,), dtype=getattr(m, name))


KIND_PAIRS = [
    k
    for k in itertools.product(["dim", "zero-dim", "scalar"], repeat=2)
    if k != ("scalar", "scalar")
]  # result_type needs a tensor


@pytest.mark.parametrize("kinds", KIND_PAIRS, ids=str)
def test_result_type_matches_pytorch(torch_ref, kinds):
    ka, kb = kinds
    names = NAMES[:11]
    for a, b in itertools.product(names, names):
        if (ka == "scalar" and a not in SCALARS) or (kb == "scalar" and b not in SCALARS):
            continue
        theirs = _outcome(
            torch_ref.result_type, _participant(torch_ref, ka, a), _participant(torch_ref, kb, b)
        )
        if "complex32" in theirs:
            continue
        ours = _outcome(torch.result_type, _participant(torch, ka, a), _participant(torch, kb, b))
        assert ours == theirs, (ka, a, kb, b)


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (torch.ones(2, dtype=torch.int32), 2.5, torch.float32),
        (torch.ones(2, dtype=torch.int32), torch.tensor(2.5, dtype=torch.float64), torch.float64),
        (torch.ones(2, dtype=torch.bool), torch.tensor(2, dtype=torch.int8), torch.int8),
        (torch.ones(2, dtype=torch.float16), torch.tensor(1.0, dtype=torch.float64), torch.float16),
        (torch.tensor(1, dtype=torch.int8), torch.ones(2, dtype=torch.uint8), torch.uint8),
        (
            torch.ones(2, dtype=torch.float32),
            torch.tensor(1j, dtype=torch.complex128),
            torch.complex64,
        ),
        (torch.ones(2, dtype=torch.int64), True, torch.int64),
        (torch.ones(2, dtype=torch.bool), 3, torch.int64),
        (torch.tensor(1, dtype=torch.int32), 2, torch.int32),
    ],
)
def test_result_type_priorities(a, b, expected):
    """Tensors with dimensions outrank 0-dim tensors, which outrank Python numbers: a lower one only
    counts when it is of a higher category (bool < integer < float < complex)."""
    assert torch.result_type(a, b) is expected
    assert (a + b).dtype is expected


_FILLS = {
    "setitem": lambda T, d, v: (lambda x: (x.__setitem__(0, v), x)[1])(T.zeros(3, dtype=d)),
    "fill_": lambda T, d, v: T.zeros(3, dtype=d).fill_(v),
    "fill": lambda T, d, v: T.fill(T.zeros(3, dtype=d), v),
    "full": lambda T, d, v: T.full((3,), v, dtype=d),
    "masked_fill": lambda T, d, v: T.zeros(3, dtype=d).masked_fill(
        T.tensor([True, False, True]), v
    ),
    "index_fill": lambda T, d, v: T.zeros(3, dtype=d).index_fill(0, T.tensor([1]), v),
    "tensor": lambda T, d, v: T.tensor([[v, 1]], dtype=d),
    "tensor 0-d": lambda T, d, v: T.tensor(v, dtype=d),
}
_EDGE_NUMBERS = (
    *(float(x) for x in ("nan", "inf", "-inf")),
    1e20, 1e39, 70000.0, 255.5, 2.7, -0.5, -1.0,
    300, -1, -255, -256, 128, -129, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64,
)  # fmt: skip


@pytest.mark.parametrize("how", sorted(_FILLS))
def test_numbers_filled_into_every_dtype_convert_as_pytorch(torch_ref, how):
    """A number written into a tensor is checked against the type's range as PyTorch checks it:
    its error and text (the C++ type name differs by path), negatives wrapped into unsigned
    types, floats into bool, narrow float types refusing a finite value beyond their range."""

    def outcome(T, name, value):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (NumPy's and PyTorch's cast warnings)
                return str(_FILLS[how](T, getattr(T, name), value).tolist())
        except (RuntimeError, ValueError, OverflowError, TypeError) as e:
            return f"{type(e).__name__}: {e}"

    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
    differ = [
        (name, value, outcome(torch, name, value), want)
        for name in names
        for value in _EDGE_NUMBERS
        if outcome(torch, name, value) != (want := outcome(torch_ref, name, value))
    ]
    assert differ == []


@pytest.mark.parametrize("exponent", [3, 3.0, -2, -2.0, 2.0, -1.0, -0.5])
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_powers_by_a_number_give_pytorchs_bits(torch_ref, name, exponent):
    """PyTorch computes x ** 3 as x * x * x, x ** -2 as 1 / (x * x) and x ** -0.5 as
    1 / sqrt(x): the same bits here.  (Other exponents go through its vectorised pow, whose last
    bit differs from the C library's in about one value in ten.)"""
    import numpy as np

    values = np.random.default_rng(3).standard_normal(4096) * 4
    values[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30]
    if (
        name == "float16" and exponent == -0.5
    ):  # (PyTorch's float16 takes pow(): -0 and -inf differ)
        values[:6] = [0.0, 1.0, np.inf, 4.0, np.nan, 1e-30]
    mine = torch.tensor(values).to(getattr(torch, name)) ** exponent
    theirs = torch_ref.tensor(values).to(getattr(torch_ref, name)) ** exponent
    assert mine.dtype == getattr(torch, name)
    assert np.array_equal(mine.numpy(), theirs.numpy(), equal_nan=True)


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_python_ints_out_of_an_integer_types_range_wrap_in_arithmetic(torch_ref, name):
    """PyTorch reads a Python int as a 64-bit integer and casts it into the tensor's type (C's
    wrap-around), where NumPy refuses a value out of the type's range; an int from 2**63 on is
    an unsigned 64-bit one, which a bool tensor cannot be promoted with."""

    def outcome(T, op, value):
        x = T.tensor([0, 1, 2]).to(getattr(T, name))
        try:
            return op(x, value).tolist()
        except (RuntimeError, OverflowError, ValueError) as e:
            return f"{type(e).__name__}: {e}"

    ops = (
        lambda x, v: x + v,
        lambda x, v: x.sub(v),
        lambda x, v: x * v,
        lambda x, v: x.add_(v),
        lambda x, v: v - x,
        lambda x, v: x == v,
        lambda x, v: x.add(v),
        lambda x, v: x / v,
        lambda x, v: x.bitwise_or(v),
        lambda x, v: x.new_tensor(v),
    )
    numbers = (300, -1, -129, 70000, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64)
    differ = [
        (i, v, got, want)
        for i, op in enumerate(ops)
        for v in numbers
        if (got := outcome(torch, op, v)) != (want := outcome(torch_ref, op, v))
    ]
    assert differ == []


@pytest.mark.parametrize("expression", ["z.to(torch.float64)", "z.double()", "z.real.double()"])
def test_a_complex128_cast_to_float64_keeps_its_precision(torch_ref, expression):
    """A complex128 tensor cast to float64 keeps the real part's double precision (it went
    through float32 while bfloat16's type was not loaded)."""

    def run(lib):
        z = lib.tensor([1.0000000001 + 2j], dtype=lib.complex128)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(expression, {"torch": lib, "z": z}).tolist()

    assert run(torch) == run(torch_ref)
