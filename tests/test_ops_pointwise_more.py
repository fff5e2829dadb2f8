"""The rest of PyTorch's pointwise surface, run on both libraries: in-place comparisons and logic
(the result keeps the written tensor's dtype; what is recorded), bit shifts past the width of the
type, the inverse hyperbolics' in-place spellings, the dtype shorthands, the predicates and shape
helpers of torch's namespace, and PyTorch's error types and texts for each."""

import numpy as np
import pytest

import retrograd


def _run(lib, fn):
    """``fn(lib)``'s outcome: its value (tensors as arrays with dtype names) or its error."""
    try:
        out = fn(lib)
    except Exception as e:  # the error is the outcome compared
        return ("error", type(e).__name__, str(e))
    return _plain(out)


def _plain(out):
    if hasattr(out, "grad_fn") and hasattr(out, "detach"):
        grad_fn = None if out.grad_fn is None else type(out.grad_fn).__name__
        values = out.detach().numpy()
        return ("tensor", str(out.dtype), values.shape, values.tolist(), grad_fn, out.requires_grad)
    if isinstance(out, (tuple, list)):
        return tuple(_plain(o) for o in out)
    return out


def assert_same(torch, fn):
    """``fn`` gives the same values, dtypes and nodes, or the same error, on both libraries."""
    ours, theirs = _run(retrograd, fn), _run(torch, fn)
    assert _same(_nan_safe(ours), _nan_safe(theirs)), (ours, theirs)


def _same(a, b):
    """Equal, but for floats a last bit or two apart: the inverse hyperbolics come from each
    library's vectorised kernels, which round apart on some CPUs (AVX-512)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 2.5e-7 * abs(b)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _nan_safe(x):
    if isinstance(x, float) and x != x:
        return "nan"
    if isinstance(x, (tuple, list)):
        return tuple(_nan_safe(v) for v in x)
    return x


_COMPARISONS = [
    "eq_",
    "ne_",
    "not_equal_",
    "lt_",
    "less_",
    "le_",
    "less_equal_",
    "gt_",
    "greater_",
    "ge_",
    "greater_equal_",
]
_DTYPES = ["float32", "float64", "int64", "int16", "uint8", "bool", "complex64"]


@pytest.mark.parametrize("name", _COMPARISONS)
@pytest.mark.parametrize("dtype", _DTYPES)
def test_in_place_comparison_keeps_the_dtype(torch_ref, name, dtype):
    def by_tensor(t):
        x = t.tensor([0, 1, 2, 3]).to(getattr(t, dtype))
        return getattr(x, name)(t.tensor([2.0, 1.0, 0.0, 2.0]))

    def by_number(t):
        x = t.tensor([[0, 1], [2, 3]]).to(getattr(t, dtype))
        return getattr(x, name)(2)

    def by_float(t):  # compared in the promoted type, written back in self's
        return getattr(t.tensor([0, 1, 2, 3]).to(getattr(t, dtype)), name)(1.5)

    for fn in (by_tensor, by_number, by_float):
        assert_same(torch_ref, fn)


@pytest.mark.parametrize("name", ["logical_and_", "logical_or_", "logical_xor_"])
@pytest.mark.parametrize("dtype", _DTYPES)
def test_in_place_logic_keeps_the_dtype(torch_ref, name, dtype):
    def fn(t):
        x = t.tensor([0, 1, 2, 0]).to(getattr(t, dtype))
        return getattr(x, name)(t.tensor([0.0, 0.0, 3.0, 1.0]))

    assert_same(torch_ref, fn)
    assert_same(torch_ref, lambda t: t.tensor([0, 2]).to(getattr(t, dtype)).logical_not_())


@pytest.mark.parametrize("name", ["eq_", "lt_", "greater_equal_"])
def test_in_place_comparison_is_recorded_with_a_zero_gradient(torch_ref, name):
    def by_number(t):
        a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = a * 1
        getattr(x, name)(2.0)
        (grad,) = t.autograd.grad(x.sum(), a)
        return x, grad, type(x.grad_fn.next_functions[0][0]).__name__

    def by_tensor(t):
        b = t.tensor([1.0, 2.0, 0.5], requires_grad=True)
        x = t.tensor([[1.0, 3.0, 0.0], [2.0, 2.0, 2.0]])
        getattr(x, name)(b)
        (grad,) = t.autograd.grad(x.sum(), b)
        return x, grad, len(x.grad_fn.next_functions)

    assert_same(torch_ref, by_number)
    assert_same(torch_ref, by_tensor)


def test_in_place_logic_records_nothing(torch_ref):
    def fn(t):
        a = t.tensor([1.0, 0.0, 3.0], requires_grad=True)
        a.logical_not_()  # a leaf that requires grad may be written: nothing is recorded
        x = a * 2
        x.logical_and_(t.tensor([1.0, 1.0, 0.0]))
        (grad,) = t.autograd.grad(x.sum(), a)
        return a, x, x._version, grad

    assert_same(torch_ref, fn)


def test_in_place_comparison_errors(torch_ref):
    for fn in (
        lambda t: t.tensor([1.0, 2.0]).lt_("a"),
        lambda t: t.tensor([1.0, 2.0]).eq_(None),
        lambda t: t.tensor([1 + 1j, 2]).lt_(t.tensor(2.0)),
        lambda t: t.tensor([1.0, 2]).gt_(t.tensor(2 + 1j)),
        lambda t: t.tensor([1.0, 2]).le(2 + 1j),
        lambda t: t.tensor([1.0, 2]).lt_(t.tensor([[2.5]])),
        lambda t: t.tensor(1.0).ge_(t.tensor([2.5])),
        lambda t: t.tensor([1.0, 2.0], requires_grad=True).eq_(1),
        lambda t: t.tensor([1.0, 2]).logical_and_(1),
        lambda t: t.tensor([1, 2]).logical_or_(t.tensor([[1, 2]])),
        lambda t: t.tensor([1.0, 2]).eq_(t.tensor(2 + 1j)),  # complex compared, real written
        lambda t: t.tensor([16777217, 3]).eq_(16777216.0),  # compared in float32, as promoted
    ):
        assert_same(torch_ref, fn)


_INTEGERS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("dtype", _INTEGERS)
@pytest.mark.parametrize("name", ["bitwise_left_shift", "bitwise_right_shift"])
def test_shifts_past_the_width_of_the_type(torch_ref, dtype, name):
    def fn(t):
        values = t.tensor([1, 5, 100, 127, 0, 3]).to(getattr(t, dtype))
        if dtype != "uint8":
            values = values * t.tensor([1, -1, 1, -1, 1, -1]).to(getattr(t, dtype))
        amounts = (
            t.arange(-2, 72).reshape(-1, 1).to(getattr(t, dtype) if dtype != "uint8" else t.int64)
        )
        return getattr(t, name)(values, amounts)

    assert_same(torch_ref, fn)


def test_shift_operators_and_errors(torch_ref):
    for fn in (
        lambda t: t.tensor([1, 2]) << 3,
        lambda t: t.tensor([-16, 16]) >> 2,
        lambda t: 1 << t.tensor([1, 2]),
        lambda t: 64 >> t.tensor([1, 2]),
        lambda t: t.bitwise_left_shift(3, t.tensor([1, 2], dtype=t.int16)),
        lambda t: t.tensor([1, 2], dtype=t.uint8) << t.tensor(3),
        lambda t: t.tensor([1, 2]).bitwise_right_shift_(t.tensor([1])),
        lambda t: t.tensor([1.0]) << 1,
        lambda t: t.tensor([1, 2]) >> 1.5,
        lambda t: t.tensor([True]) << t.tensor([True]),
        lambda t: t.tensor([1, 2], dtype=t.int16).bitwise_left_shift_(t.tensor([1, 70])),
    ):
        assert_same(torch_ref, fn)

    def in_place(t):
        x = t.tensor([1, 2])
        x <<= 2
        y = t.tensor([-8, 8])
        y >>= 1
        return x, y

    assert_same(torch_ref, in_place)


@pytest.mark.parametrize(
    "name, values",
    [
        ("acosh", [0.5, 1.0, 2.0, float("inf")]),
        ("arccosh", [1.5, 3.0]),
        ("asinh", [-1.0, 0.0, 2.0]),
        ("arcsinh", [-1.0, 0.0, 2.0]),
        ("atanh", [-1.0, 0.5, 1.0, 2.0, float("nan")]),
        ("arctanh", [-0.5, 0.5]),
        ("deg2rad", [180.0, -90.0]),
        ("rad2deg", [3.0, -1.0]),
    ],
)
def test_inverse_hyperbolics_and_angles_every_spelling(torch_ref, name, values):
    assert_same(torch_ref, lambda t: getattr(t, name)(t.tensor(values)))
    assert_same(torch_ref, lambda t: getattr(t.tensor(values), name)())
    assert_same(torch_ref, lambda t: getattr(t.tensor(values), name + "_")())
    assert_same(torch_ref, lambda t: getattr(t, name + "_")(t.tensor(values, dtype=t.float64)))
    assert_same(torch_ref, lambda t: getattr(t, name)(t.tensor([1, 2])))  # integers: float
    assert_same(torch_ref, lambda t: getattr(t.tensor([1, 2]), name + "_")())  # ... refused
    assert_same(torch_ref, lambda t: getattr(t, name)(t.tensor([1.5 + 1j, 0.5j])))


def test_in_place_function_forms(torch_ref):
    for fn in (
        lambda t: t.conj_physical_(t.tensor([1 + 1j, -2])),
        lambda t: t.conj_physical_(t.tensor([1.0, 2.0], requires_grad=True) * 1),
        lambda t: t.ldexp_(t.tensor([1.0, 2]), t.tensor([1, 2])),
        lambda t: t.gcd_(t.tensor([4, 6]), t.tensor([6, 4])),
        lambda t: t.lcm_(t.tensor([4, 6]), t.tensor([6, 4])),
        lambda t: t.gcd(t.tensor([4]), 2),
        lambda t: t.lcm(t.tensor([4]), 2),
        lambda t: (t.tensor([1.0, -2.0], requires_grad=True) * 1).sgn_(),
        lambda t: t.tensor([1 + 1j, 0]).sgn_(),
        lambda t: t.tensor([True, False]).sgn(),
    ):
        assert_same(torch_ref, fn)


def test_fmax_fmin_signbit_infinities_positive(torch_ref):
    nan, inf = float("nan"), float("inf")
    for fn in (
        lambda t: t.fmax(t.tensor([1.0, nan, 3, nan]), t.tensor([2.0, 1, nan, nan])),
        lambda t: t.fmin(t.tensor([1, 2]), t.tensor([1.5])),
        lambda t: t.tensor([True]).fmax(t.tensor([False])),
        lambda t: t.fmax(t.tensor([1.0]), 1.0),
        lambda t: t.fmin(t.tensor([1j]), t.tensor([1j])),
        lambda t: t.signbit(t.tensor([-0.0, 0.0, -1, nan, inf, -inf])),
        lambda t: t.signbit(t.tensor([-1, 2])),
        lambda t: t.signbit(t.tensor([1j])),
        lambda t: t.isposinf(t.tensor([inf, -inf, nan, 1])),
        lambda t: t.isneginf(t.tensor([inf, -inf, nan, 1])),
        lambda t: t.isneginf(t.tensor([1, 2])),
        lambda t: t.isposinf(t.tensor([1j])),
        lambda t: t.isreal(t.tensor([1j, 1, 0j])),
        lambda t: t.tensor([1, 2]).isreal(),
        lambda t: t.positive(t.tensor([True])),
        lambda t: +t.tensor([True]),
        lambda t: t.positive(t.tensor([1, 2])),
    ):
        assert_same(torch_ref, fn)
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    assert retrograd.positive(x) is x and x.positive() is x  # PyTorch returns the tensor itself


def test_fmax_gradient_follows_the_number(torch_ref):
    def fn(t):
        nan = float("nan")
        a = t.tensor([1.0, nan, 3.0, nan, 2.0], requires_grad=True)
        b = t.tensor([2.0, 1.0, nan, nan, 2.0], requires_grad=True)
        return t.autograd.grad(t.fmax(a, b).sum() + t.fmin(a, b).sum(), (a, b))

    assert_same(torch_ref, fn)


def test_activations_in_torch_namespace(torch_ref):
    for fn in (
        lambda t: t.threshold(t.tensor([-1.0, 0.5, 2.0], requires_grad=True), 0.6, -3.0),
        lambda t: t.threshold_(t.tensor([-1.0, 0.5, 2.0], requires_grad=True) * 1, 0.6, -3.0),
        lambda t: t.threshold(t.tensor([1, 2, 3]), 1.5, 0.5),
        lambda t: t.celu(t.tensor([-1.0, 2.0], requires_grad=True), alpha=2.0),
        lambda t: t.celu_(t.tensor([-1.0, 2.0], requires_grad=True) * 1, 2.0),
        lambda t: t.selu(t.tensor([-1.0, 2.0], requires_grad=True)),
        lambda t: t.selu_(t.tensor([-1.0, 2.0], requires_grad=True) * 1),
        lambda t: t.prelu(t.tensor([-1.0, 2.0], requires_grad=True), t.tensor([0.25])),
        lambda t: t.tensor([[-1.0, 2.0]]).prelu(t.tensor([0.25, 0.5])),
        lambda t: t.prelu(t.tensor([[-1.0, 2.0]]), t.tensor([0.25, 0.5, 1.0])),
        lambda t: t.prelu(t.tensor([-1.0]), t.tensor([0.25], dtype=t.float64)),
        lambda t: t.rrelu(t.tensor([-1.0, 2.0])),
    ):
        assert_same(torch_ref, fn)


def test_dtype_shorthands(torch_ref):
    for name in ("byte", "char", "short", "cfloat", "cdouble"):
        assert_same(torch_ref, lambda t: getattr(t.tensor([1.5, -2.0], requires_grad=True), name)())
        assert_same(
            torch_ref, lambda t: getattr(t.tensor([3, 4]), name)(memory_format=t.preserve_format)
        )
        with pytest.raises(TypeError):  # memory_format is keyword-only
            getattr(retrograd.tensor([3, 4]), name)(retrograd.preserve_format)
    with pytest.raises(NotImplementedError, match="chalf"):
        retrograd.tensor([1.0]).chalf()


def test_predicates(torch_ref):
    for dtype in ("int64", "float32", "bool", "complex64", "uint8", "int8"):
        assert_same(torch_ref, lambda t: t.is_signed(t.zeros(1, dtype=getattr(t, dtype))))
        assert_same(torch_ref, lambda t: t.zeros(1, dtype=getattr(t, dtype)).is_signed())
    for values in ([1.0], [0], [], [1, 2], [[float("nan")]], 0j, False):
        assert_same(torch_ref, lambda t: t.is_nonzero(t.tensor(values)))
        assert_same(torch_ref, lambda t: t.tensor(values).is_nonzero())
    for fn in (
        lambda t: t.is_signed(1),
        lambda t: t.is_same_size(t.zeros(2, 3), t.zeros(2, 3)),
        lambda t: t.zeros(2, 3).is_same_size(t.zeros(3, 2)),
        lambda t: t.is_same_size(t.zeros(2, 3), [2, 3]),
        lambda t: t.is_inference(t.zeros(2)),
        lambda t: t.is_inference(1),
        lambda t: t.is_distributed(t.zeros(2)),
        lambda t: t.zeros(2).is_distributed(),
        lambda t: t.is_distributed(3),
        lambda t: t.get_device(t.zeros(2)),
        lambda t: t.get_device(3),
        lambda t: t.is_storage(t.zeros(2)),
        lambda t: t.typename(t.zeros(2, dtype=t.int64)),
        lambda t: t.typename(t.zeros(2, dtype=t.complex64)),
        lambda t: t.typename(3),
        lambda t: t.typename(len),
    ):
        assert_same(torch_ref, fn)

    def inference(t):
        with t.inference_mode():
            y = t.zeros(2)
        return t.is_inference(y)

    assert_same(torch_ref, inference)


def test_fill_scalar_tensor_can_cast(torch_ref):
    for fn in (
        lambda t: t.fill(t.zeros(2, requires_grad=True), 3.0),
        lambda t: t.fill(t.zeros(2, requires_grad=True), t.tensor(3.0, requires_grad=True)),
        lambda t: t.fill(t.zeros(2, dtype=t.int64), 3.7),
        lambda t: t.fill(t.zeros(2), t.tensor([3.0])),
        lambda t: t.scalar_tensor(3),
        lambda t: t.scalar_tensor(3.5, dtype=t.int32),
        lambda t: t.scalar_tensor(True),
        lambda t: t.scalar_tensor(1 + 2j),
        lambda t: t.scalar_tensor(1 + 2j, dtype=t.complex128),
        lambda t: t.scalar_tensor(3, requires_grad=True),
        lambda t: t.scalar_tensor(t.tensor(3)),
        lambda t: t.scalar_tensor(t.tensor([3, 4])),
        lambda t: t.scalar_tensor("a"),
        lambda t: t.can_cast(t.float32, "a"),
        lambda t: t.scalar_tensor(1.0, out=t.empty(())),
        lambda t: t.threshold(t.tensor([1.0, 2.0]), 1.5, 0.0, out=t.empty(2)),
        lambda t: t.isreal(t.tensor([1.0]), out=t.empty(1, dtype=t.bool)),
        lambda t: t.fmax(t.tensor([1.0, 2.0]), t.tensor([2.0, 1.0]), out=t.empty(2)),
        lambda t: t.can_cast(from_=t.float32, to=t.int32),
    ):
        assert_same(torch_ref, fn)
    names = ("bool", "uint8", "int8", "int64", "float16", "float32", "float64", "complex64")
    for a in names:
        for b in names:
            assert_same(torch_ref, lambda t: t.can_cast(getattr(t, a), getattr(t, b)))

    def filled(t):
        x = t.zeros(2, 2, requires_grad=True)
        v = t.tensor(2.0, requires_grad=True)
        return t.autograd.grad(t.fill(x, v).sum(), (x, v))

    assert_same(torch_ref, filled)


@pytest.mark.parametrize(
    "shapes",
    [
        ((2, 1), (3,)),
        (2, (3, 1)),
        (),
        ((2,), (3,)),
        ((5, 2), (4, 1), (3,)),
        ((1, 3), (2, 1), (4, 1, 5)),
        ((2, -1),),
        ((2,), (3,), (-1,)),
        ((1,), (0,)),
        ((0,), (2,)),
        (None,),
        ((2,), None),
        (1.5,),
        ((1.5,),),
        ((True,),),
        (3, (1, 1)),
    ],
)
def test_broadcast_shapes(torch_ref, shapes):
    assert_same(torch_ref, lambda t: t.broadcast_shapes(*shapes))
    assert_same(torch_ref, lambda t: t.broadcast_shapes(t.Size([2, 1]), [1, 4]))
    assert_same(torch_ref, lambda t: t.broadcast_shapes(t.Size([2]), t.Size([3])))


def test_in_place_variants_write_in_place():
    x = retrograd.tensor([1.5, 2.0])
    view = x[:1]
    assert view.acosh_() is view and np.isclose(x[0].item(), np.arccosh(1.5))
    y = retrograd.tensor([1, 6])
    assert y.eq_(retrograd.tensor([1, 2])) is y and y.tolist() == [1, 0]


def test_legacy_spellings_and_constants(torch_ref):
    for fn in (
        lambda t: t.tensor([1, 2]).ldexp_(t.tensor([1])),
        lambda t: t.tensor([True]).ldexp_(t.tensor([1])),
        lambda t: t.tensor([1.0, 2]).ldexp_(t.tensor([1])),
        lambda t: t.tensor([1, 2]).gcd_(2),
        lambda t: t.gcd_(t.tensor([1, 2]), 2),
        lambda t: t.lcm_(t.tensor([1, 2]), 2.0),
        lambda t: t.tensor([1, 2]).__div__(2),
        lambda t: t.tensor([1, 2]).__rdiv__(2),
        lambda t: t.tensor([1, 2]).__idiv__(2),
        lambda t: t.tensor([1.0, 2]).__idiv__(2),
        lambda t: t.tensor([1.0]).__nonzero__(),
        lambda t: t.tensor([1.5]).__long__(),
        lambda t: (t.pi, t.e, t.inf, t.newaxis),
    ):
        assert_same(torch_ref, fn)
    assert retrograd.nan != retrograd.nan


def test_contains_and_python_callables(torch_ref):
    def calls(t):
        x = t.tensor([[1.0, 2.0], [3.0, 4.0]])
        seen = []
        t.tensor([True, False]).apply_(lambda v: seen.append(type(v).__name__) or v)
        x[:, 0].apply_(lambda v: v * 10)  # through a view, into the base's memory
        return x, x._version, seen, 2 in x, 5 in x, t.tensor([3.0, 9.0]) in x

    assert_same(torch_ref, calls)
    for fn in (
        lambda t: "a" in t.tensor([1.0]),
        lambda t: t.tensor([1, 2]).apply_(lambda v: v / 3),
        lambda t: t.tensor([1, 2]).apply_(lambda v: "x"),
        lambda t: t.tensor([1.0, 2]).apply_(lambda v: "a"),
        lambda t: t.tensor([1.0]).apply_(lambda v: True),
        lambda t: t.tensor([1j]).apply_(lambda v: v * 2),
        lambda t: t.zeros(0, 2).apply_(lambda v: 5.0),
        lambda t: (t.tensor([1.0, 2], requires_grad=True) * 1).apply_(lambda v: v),
        lambda t: t.tensor([[1.0, 2]]).map_(t.tensor([3.0]), lambda a, b: a + b),
        lambda t: t.tensor([1.0, 2]).map_(t.tensor([[3.0], [4]]), lambda a, b: a + b),
        lambda t: t.tensor([1.0, 2]).map_(t.tensor([3, 4]), lambda a, b: a + b),
        lambda t: t.tensor([1.0, 2]).map_(3, lambda a, b: a + b),
        lambda t: t.tensor([1.0, 2]).map_(t.tensor([3.0, 4], requires_grad=True), max),
        lambda t: t.tensor([1.0, 2]).map2_(t.tensor([3.0, 4]), t.tensor([1.0, 2]), max),
        lambda t: t.tensor([1.0, 2]).map2_(t.tensor([3.0, 4]), t.tensor([1, 1]), max),
        lambda t: t.tensor([1.0, 2]).map2_(t.tensor([3, 4]), t.tensor([1.0, 1]), max),
    ):
        assert_same(torch_ref, fn)
