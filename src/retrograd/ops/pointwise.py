"""Elementwise ops: arithmetic, powers, exponentials, trigonometry, activations, comparisons."""

import math

from .. import _switches
from .._array import (
    ONE,
    array_arccos,
    array_arcsin,
    array_arctan,
    array_arctanh,
    array_cosh,
    array_exp,
    array_expm1,
    array_log,
    array_log1p,
    array_log2,
    array_log10,
    array_power,
    array_sigmoid,
    array_sinh,
    array_tan,
    array_tanh,
    c_order,
    is_dense,
    iterator_layout,
    kept_layout,
    ndarray,
    xp,
)
from ..dtypes import CPP_NAMES, FROM_NP, result_type, scalar_type_name
from ..tensor import Tensor, _make
from ..tensor import _make as _wrap
from .registry import op, refresh_views, tensor_method


def zero_grad(g, n):
    """The formula of an input the result does not vary with: zeros shaped as ``grad`` (PyTorch's
    ``zeros_like(grad)``: ``grad * 0`` would make an inf arriving there a nan), laid out as
    PyTorch's: as ``grad`` when it is dense (a permuted one too), else in C order (NumPy would
    copy an expanded gradient's odd strides)."""
    a = g._data
    if a.flags.c_contiguous or is_dense(a):
        return _wrap(xp.zeros_like(a))
    return _wrap(xp.zeros(a.shape, a.dtype))


def _not_for(kernel, kinds):
    """A check raising PyTorch's error for an op that has no kernel for some dtypes."""

    def check(a, *attrs):
        if a.dtype.kind in kinds:
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(a)}'")

    return check


# --- arithmetic ------------------------------------------------------------------------------


def _scaled(t, alpha):
    return t if alpha == 1 else t * alpha


def _scaled_grad(g, alpha):
    """``g * alpha`` as a gradient: a complex alpha conjugated (PyTorch's convention); a product
    by a number (MulBackward1), or a sparse gradient's own product by a number (the sparse
    products' formulas)."""
    if alpha == 1:
        return g
    alpha = alpha.conjugate() if type(alpha) is complex else alpha
    return g * alpha if g._sparse else _mul_scalar(g, alpha)


def _input_part(g, n):
    """The added input's gradient of an op ``beta * input + alpha * product`` (addmm, addmv
    ...): beta * g, summed back over what it was broadcast to (zeros for beta = 0, where the
    input is not read)."""
    if n.beta == 0:
        return g.new_zeros(n.self_shape)
    g = _scaled_grad(g, n.beta)
    return g if tuple(g.shape) == tuple(n.self_shape) else g.sum_to_size(n.self_shape)


def _or_zeros(t, x, r):
    """Input ``x``'s tangent ``t``, or zeros in its place where it has none (a Python number: a
    0-d tensor of the result ``r``'s dtype), as PyTorch's forward formulas read a missing tangent."""
    if t is not None:
        return t
    if isinstance(x, Tensor):
        return _wrap(xp.zeros(x._data.shape, dtype=x._data.dtype))
    return _wrap(xp.zeros((), dtype=r._data.dtype))


def _sum_made_last_first(first, second):
    """``first() + second()``, the terms made last to first, as PyTorch's forward formulas make
    the terms of a sum: a backward through the tangent runs the later made term's nodes first,
    so an error there (a saved tangent written in place since) is the one raised."""
    b = second()
    return first() + b


def _is_bool(a):
    return a.dtype == bool if hasattr(a, "dtype") else isinstance(a, bool)


def _is_integral(a):
    return a.dtype.kind in "biu" if hasattr(a, "dtype") else isinstance(a, int)


def _times_alpha(x, alpha):
    """alpha * x; a Python number stays one (xp.multiply would make it a NumPy scalar, which
    promotes a float32 tensor to float64 where PyTorch keeps float32)."""
    return xp.multiply(x, alpha) if type(x) is ndarray else x * alpha


def _check_alpha(a, b, alpha):
    if alpha == 1 and type(alpha) is int:
        return
    if isinstance(alpha, float) and _is_integral(a) and _is_integral(b):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if isinstance(alpha, bool) and not (_is_bool(a) and _is_bool(b)):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


# The alpha checks run in the forwards (only when alpha is given), not as check=, which would take
# add and sub off the registry's fast path.
@op(
    inputs="self other",
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: g, lambda g, n: _scaled_grad(g, n.alpha)),
    array_fn=xp.add,
    numbers="all",
    jvp=lambda t, x, r, alpha: (
        _or_zeros(t[0], x[0], r[0]) + _scaled(_or_zeros(t[1], x[1], r[0]), alpha)
    ),
)
def add(self, other, alpha=1):
    """``torch.add``: self + alpha * other."""
    if alpha == 1 and type(alpha) is int:
        return xp.add(self, other)
    _check_alpha(self, other, alpha)
    if _is_bool(self) and _is_bool(other):
        return xp.logical_or(self, xp.logical_and(other, bool(alpha)))  # bools stay bools
    return xp.add(self, other if alpha == 1 else _times_alpha(other, alpha))


def _check_sub(a, b, alpha):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if _is_bool(a) or _is_bool(b):
        for n in (a, b):  # (a Python int is read first: 2**64 is too big before anything)
            if type(n) is int:
                result_type(n)
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    _check_alpha(a, b, alpha)


@op(
    inputs="self other",
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: _scaled_grad(-g, n.alpha), lambda g, n: g),
    node="RsubBackward0",
    number_node="RsubBackward1",
)
def _rsub(self, other, alpha=1):
    return xp.subtract(other, self if alpha == 1 else _times_alpha(self, alpha))


_BOOL = xp.dtype(bool)  # (one object: an identity test is cheaper than comparing with ``bool``)


def _has_bool(a, b, alpha):
    """Whether sub must look closer: a bool operand, or an alpha other than 1."""
    return (
        (a.dtype is _BOOL if type(a) is ndarray else isinstance(a, bool))
        or (b.dtype is _BOOL if type(b) is ndarray else isinstance(b, bool))
        or alpha != 1
    )


def _subtraction(name, op_fn, doc):
    def subtract(input, other, *, alpha=1):
        # Checked here, before type promotion turns a bool tensor into integers.
        a, b = getattr(input, "_data", input), getattr(other, "_data", other)
        if _has_bool(a, b, alpha):
            _check_sub(a, b, alpha)
        if alpha == 1 and type(alpha) is int:  # the op's default: its fast path takes the call
            return op_fn(input, other)
        return op_fn(input, other, alpha)

    subtract.__name__ = subtract.__qualname__ = name
    subtract.__doc__ = doc
    return tensor_method(subtract)


@op(
    inputs="self other",
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: g, lambda g, n: _scaled_grad(-g, n.alpha)),
    jvp=lambda t, x, r, alpha: (
        _or_zeros(t[0], x[0], r[0]) - _scaled(_or_zeros(t[1], x[1], r[0]), alpha)
    ),
    node="SubBackward0",
    method=False,
    array_fn=xp.subtract,
)
def _sub(self, other, alpha=1):
    return xp.subtract(self, other if alpha == 1 else _times_alpha(other, alpha))


rsub = _subtraction(
    "rsub", _rsub, "``torch.rsub``: other - alpha * input (what ``number - tensor`` computes)."
)
sub = _subtraction(
    "sub", _sub, "``torch.sub``: input - alpha * other (bools refused, as in PyTorch)."
)


@op(
    inputs="self other",
    saves=("other", "self"),
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: g * cj(n.other), lambda g, n: g * cj(n.self)),
    array_fn=xp.multiply,
    numbers="all",
    jvp=lambda t, x, r: _sum_made_last_first(
        lambda: _or_zeros(t[1], x[1], r[0]) * x[0], lambda: _or_zeros(t[0], x[0], r[0]) * x[1]
    ),
)
def mul(self, other):
    """``torch.mul``: the elementwise product."""
    return xp.multiply(self, other)


@op(
    inputs="self other",
    saves=("other", "self other"),
    broadcast=True,
    promote="float",
    # (the other's gradient grouped as PyTorch's, -g * ((self / other) / other): as
    # -g * self / (other * other) about half of the float32 results differed in the last bit)
    grads=(lambda g, n: g / cj(n.other), lambda g, n: -g * cj((n.self / n.other) / n.other)),
    node="DivBackward0",
    numbers="all",
)
def true_divide(self, other):
    """``torch.true_divide``: the elementwise quotient, in floating point."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.true_divide(self, other)


# A tensor divided by a real number inside a derivative formula: PyTorch's formulas divide by a
# Scalar, recorded as DivBackward1 (a Python ``x / 2`` records DivBackward0, in both libraries).
@op(
    promote="float",
    grads=(lambda g, n: _div_scalar(g, n.other.conjugate()),),
    node="DivBackward1",
    method=False,
)
def _div_scalar(self, other):
    return (self / other).astype(self.dtype, copy=False)


# ... and times (plus, minus) a number inside PyTorch's own composite functions and derivative
# formulas (a Python ``x * 0.5`` records MulBackward0, as in PyTorch); the same bits as ``x * 0.5``
# (a complex number is conjugated in the gradient, PyTorch's convention; a real one is itself)
@op(
    promote="float",
    grads=(lambda g, n: _mul_scalar(g, n.other.conjugate()),),
    node="MulBackward1",
    method=False,
)
def _mul_scalar(self, other):
    return (self * other).astype(self.dtype, copy=False)


@op(promote="float", grads=(lambda g, n: g,), node="AddBackward1", method=False)
def _add_scalar(self, other):
    return (self + other).astype(self.dtype, copy=False)


@op(promote="float", grads=(lambda g, n: g,), node="SubBackward1", method=False)
def _sub_scalar(self, other):
    return (self - other).astype(self.dtype, copy=False)


@op(inputs="self", grads=(lambda g, n: -g,), jvp="linear")
def neg(self):
    """``torch.neg``."""
    if self.dtype == bool:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return xp.negative(self)


def _pow_scalar_grad(g, n):
    e = n.exponent
    if e == 0:
        return zero_grad(g, n)
    return g * cj(
        _mul_scalar(n.self ** (e - 1), e)
    )  # (grouped as PyTorch's: the layout follows self)


def _check_pow_scalar(a, exponent):
    if a.dtype.kind in "iub" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


@op(
    inputs="self",
    saves="self",
    grads=(_pow_scalar_grad,),
    node="PowBackward0",
    check=_check_pow_scalar,
)
def _pow_scalar(self, exponent):
    if self.dtype == bool:
        if isinstance(exponent, bool):  # bool ** bool stays bool: x ** True is x, x ** False is 1
            return self.copy() if exponent else xp.ones_like(self)
        if isinstance(exponent, int):  # PyTorch computes integer powers of bools in int64
            self = self.astype(xp.int64)
    elif (
        type(exponent) in (int, float)
        and exponent in _POWERS_AS_PRODUCTS
        and self.dtype in _FLOAT_POWER_TYPES
    ):
        return _POWERS_AS_PRODUCTS[exponent](self)  # rounded as PyTorch rounds them
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_power(self, exponent)


# PyTorch computes these powers of floats by multiplying (x ** 3 is x * x * x, rounded twice),
# not with pow(): the last bit differs from NumPy's power, and sin(x ** 3) shows it (and the C
# library's pow takes a hundred times as long).  (float16 comes here as float32.)
_FLOAT_POWER_TYPES = (xp.dtype(xp.float32), xp.dtype(xp.float64))


def _reciprocal_square(x):
    with xp.errstate(divide="ignore"):
        return 1 / (x * x)


def _reciprocal_sqrt(x):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return 1 / xp.sqrt(x)


_POWERS_AS_PRODUCTS = {
    2: lambda x: x * x,  # (NumPy's power gives the same bits, more slowly)
    3: lambda x: x * x * x,
    -2: _reciprocal_square,
    -0.5: _reciprocal_sqrt,
}


def _int_power(base, exponent):
    """Integer powers where some exponents are negative: 1 ** -n = 1, (-1) ** -n = +-1, else 0
    (PyTorch's integer results, where the array library refuses)."""
    safe = xp.power(base, xp.maximum(exponent, 0))
    one = xp.where(exponent % 2 == 0, 1, base)
    neg = xp.where(xp.abs(base) == 1, one, 0).astype(safe.dtype)
    return xp.where(exponent < 0, neg, safe)


def _pow_exponent_grad(g, n):
    base, result = n.self, n.result
    # d/de b**e = b**e * log(b); taken as 0 where b == 0 and e >= 0 (the limit PyTorch uses):
    # there the base is replaced by 1, whose log is 0, so no 0 * -inf is ever formed.
    # (a complex exponent: its real part decides)
    return g * cj(result * where((base == 0) & (n.exponent.real >= 0), 1.0, base).log())


def _pow_base_grad(g, n):
    e = n.exponent
    # exponent 0 has derivative 0 even at base 0, where e * b ** (e - 1) would be 0 * inf:
    # there the base is replaced by 1, so the product is 0 * 1.
    return g * cj(e * where(e == 0, 1.0, n.self) ** _sub_scalar(e, 1))


@op(
    inputs="self exponent",
    saves="self exponent result",
    broadcast=True,
    promote="binary",
    grads=(_pow_base_grad, _pow_exponent_grad),
    node="PowBackward1",
)
def _pow_tensor(self, exponent):
    if self.dtype == bool:  # both are bool after promotion
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if exponent.dtype.kind in "iu" and self.dtype.kind in "iu":
        return _int_power(self, exponent)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_power(self, exponent)


def _pow_scalar_base_grad(g, n):
    exponent = n.exponent  # read whatever the base (a write into it since is PyTorch's error)
    if n.self_scalar == 0:  # 0 ** e: derivative 0 for e >= 0, as PyTorch takes it
        return g * where(exponent.real >= 0, 0.0, -math.inf)  # inf * log(0) for e < 0
    return g * cj(_mul_scalar(n.result, _log_scalar(n.self_scalar)))


@op(inputs="exponent", saves="exponent result", grads=(_pow_scalar_base_grad,), node="PowBackward2")
def _pow_scalar_base(exponent, self_scalar):
    if exponent.dtype == bool and isinstance(self_scalar, bool):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    # PyTorch's result is contiguous here, whatever the exponent's layout.
    with xp.errstate(divide="ignore", invalid="ignore"):
        if exponent.dtype.kind in "iu" and isinstance(self_scalar, int):
            return c_order(_int_power(xp.asarray(self_scalar, dtype=exponent.dtype), exponent))
        return c_order(
            array_power(_scalar_base(self_scalar, exponent), exponent).astype(
                _scalar_power_dtype(exponent, self_scalar), copy=False
            )
        )


def _scalar_base(base, exponent):
    """A float base of a float32 exponent as a float32, which PyTorch makes it (1.46 ** x:
    taken as a float64, a third of the values differed in the last bit)."""
    return xp.float32(base) if type(base) is float and exponent.dtype == xp.float32 else base


def _scalar_power_dtype(exponent, base):
    """A Python float base with an integer or bool exponent gives the default float dtype."""
    return result_type(base, _make(exponent)).np


def _log_scalar(x):
    return math.log(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))


@tensor_method
def pow(input, exponent):
    """``torch.pow``: a tensor to a scalar or tensor power, or a scalar to a tensor power."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(pow, (input, exponent), {})
        if batched is not NotImplemented:
            return batched
    if not isinstance(input, Tensor):
        return _pow_scalar_base(_float_for(exponent, input), input)
    if isinstance(exponent, Tensor):
        return _pow_tensor(input, exponent)
    if isinstance(exponent, float) and input._data.dtype.kind in "biu":
        input = input.float()
    return _pow_scalar(input, exponent)


def _float_for(t, scalar):
    """An integer tensor meets a float scalar: computed in the default float dtype."""
    if isinstance(scalar, float) and t._data.dtype.kind in "biu":
        return t.float()
    return t


@tensor_method
def div(input, other, *, rounding_mode=None):
    """``torch.div``: true division, or rounded toward zero ("trunc") or down ("floor")."""
    if rounding_mode is None:
        return true_divide(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _rounded_div(input, other, rounding_mode)


def _check_rounded_div(a, b, rounding_mode):
    if _is_bool(a) and _is_bool(b):
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    if _is_integral(a) and _is_integral(b) and xp.any(xp.equal(b, 0)):
        raise RuntimeError("ZeroDivisionError")


def _divide_rounded(a, b, rounding_mode):
    with xp.errstate(divide="ignore", invalid="ignore"):
        if rounding_mode == "floor":
            return xp.floor_divide(a, b)
        q = xp.trunc(xp.true_divide(a, b))
    return q.astype(_rounded_dtype(a, b), copy=False)


def _rounded_dtype(a, b):
    """The dtype of a rounded division: the floating input's (the default float dtype for an
    integer tensor and a Python float), else the integer tensor's."""
    arrays = [x for x in (a, b) if type(x) is ndarray]
    for x in arrays:
        if x.dtype.kind in "fcV":
            return x.dtype
    if any(isinstance(x, float) for x in (a, b)):
        from ..dtypes import get_default_dtype

        return get_default_dtype().np
    return arrays[0].dtype


@op(
    inputs="self other",
    broadcast=True,
    promote="binary",
    check=_check_rounded_div,
    grads=(zero_grad, zero_grad),
    method=False,
    node="DivBackward2",
)
def _rounded_div(self, other, rounding_mode):
    return _divide_rounded(self, other, rounding_mode)


def _no_derivative(grad, node):
    """The formula of an op PyTorch gives no derivative: reaching it raises PyTorch's error, which
    names the op as called (``node.aten``)."""
    raise RuntimeError(f"derivative for aten::{node.aten} is not implemented")


@op(
    inputs="self other",
    broadcast=True,
    promote="binary",
    check=lambda a, b, aten: _check_rounded_div(a, b, "floor"),
    grads=(_no_derivative, _no_derivative),
    node="torch::autograd::NotImplemented",
    method=False,
)
def _floor_divide(self, other, aten):
    return _divide_rounded(self, other, "floor")


@tensor_method
def floor_divide(input, other):
    """``torch.floor_divide``: division rounded down (``//``).  Unlike ``div(rounding_mode=
    "floor")`` it has no derivative: a backward pass through it raises."""
    return _floor_divide(input, other, "floor_divide")


# --- exponentials and logarithms ---------------------------------------------------------------


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: g * cj(n.result),),
    jvp=lambda t, x, r: t[0] * r[0],
    array_fn=array_exp,
)
def exp(self):
    """``torch.exp``."""
    return array_exp(self)


@op(saves="self", promote="float", grads=(lambda g, n: g / cj(n.self),))
def log(self):
    """``torch.log``."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_log(self)


# (ln 10 as the double 2.3025850929940456, the one PyTorch's formula multiplies by; the nearest
# double to ln 10, math.log(10.0), is one bit above it, and 93% of float64 gradients differed)
@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g / cj(_mul_scalar(n.self, 2.3025850929940456)),),
)
def log10(self):
    """``torch.log10``."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_log10(self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g / cj(_add_scalar(n.self, 1)),),
    node="Log1PBackward0",
)
def log1p(self):
    """``torch.log1p``: log(1 + x), accurate near 0."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_log1p(self)


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: g * cj(_add_scalar(n.result, 1)),),
    array_fn=array_expm1,
)
def expm1(self):
    """``torch.expm1``: exp(x) - 1, accurate near 0."""
    with xp.errstate(over="ignore"):
        return array_expm1(self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g / cj(_mul_scalar(n.self, 0.6931471805599453)),),
)
def log2(self):
    """``torch.log2``."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return array_log2(self)


@op(saves="result", promote="float", grads=(lambda g, n: g / _mul_scalar(cj(n.result), 2),))
def sqrt(self):
    """``torch.sqrt``."""
    with xp.errstate(invalid="ignore"):
        return xp.sqrt(self)


@op(saves="result", promote="float", grads=(lambda g, n: -0.5 * g * cj(n.result**3),))
def rsqrt(self):
    """``torch.rsqrt``: 1 / sqrt(x)."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return 1 / xp.sqrt(self)


# -g * (1/x)**2 with the square taken first, as PyTorch groups it (as (-g * r) * r, a third of the
# gradients differed in the last bit)
@op(saves="result", promote="float", grads=(lambda g, n: -g * cj(n.result * n.result),))
def reciprocal(self):
    """``torch.reciprocal``: 1 / x."""
    with xp.errstate(divide="ignore"):
        return xp.reciprocal(self)


@tensor_method
def square(input):
    """``torch.square``: x ** 2 (a ``PowBackward0`` node, as in PyTorch; bools give int64)."""
    return _pow_scalar(input, 2)


# --- rounding (zero gradient, as in PyTorch, except frac) ---------------------------------------


def _rounding(name, ufunc):
    def forward(self):
        return ufunc(self) if self.dtype.kind in "fV" else self.copy()

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}`` (its gradient is zero; integers are returned unchanged)."
    real = (NotImplementedError, f"{name} is not supported for complex inputs")
    if name == "round":
        real = "round_vml_cpu"
    return op(name, grads=(zero_grad,), check=_not_for(f"{name}_vml_cpu", "b"), real=real)(forward)


floor = _rounding("floor", xp.floor)
ceil = _rounding("ceil", xp.ceil)
trunc = _rounding("trunc", xp.trunc)
fix = trunc
tensor_method(fix, name="fix")


def _check_round_decimals(a, decimals):
    # PyTorch's kernel for decimals=0 is the plain rounding one, and its error names that one
    _not_for("round_vml_cpu" if decimals == 0 else "round_cpu", "biu")(a)


@op(
    real="round_cpu",
    grads=(zero_grad,),
    node="RoundBackward1",
    check=_check_round_decimals,
    method=False,
)
def _round_decimals(self, decimals):
    return xp.round(self, decimals)


_round0 = _rounding("round", xp.round)


@tensor_method
def round(input, *, decimals=None):
    """``torch.round``: to the nearest integer, halves to even; with ``decimals``, to that many
    decimal places (its gradient is zero)."""
    if decimals is not None:
        return _round_decimals(input, decimals)
    return _round0(input)


@op(real="frac_cpu", grads=(lambda g, n: g,), check=_not_for("frac_cpu", "biu"))
def frac(self):
    """``torch.frac``: x - trunc(x), with the sign of x."""
    return self - xp.trunc(self)


# --- complex conjugation -----------------------------------------------------------------------


@op(grads=(lambda g, n: g.conj(),), jvp="linear", node="ConjBackward0", method=False)
def _conj(self):
    return xp.conj(self)


@tensor_method
def conj(input):
    """``torch.conj``: the complex conjugate; a tensor of another dtype is returned as it is.
    PyTorch's conjugate of a complex tensor is a lazy view (a bit on the tensor); NumPy has no such
    view, so here it is a new tensor, already resolved (``is_conj()`` is False)."""
    if input._data.dtype.kind != "c":
        return input
    return _conj(input)


def cj(x):
    """``x`` conjugated, for derivative formulas, where PyTorch's convention for complex inputs
    conjugates the other factor (``grad * other.conj()``): a real tensor or a Python number other
    than a complex one is returned as it is, at the cost of a test or two."""
    if type(x) is Tensor:
        return x if x._data.dtype.kind != "c" else _conj(x)
    if type(x) is float or type(x) is int:  # (a number: the attribute error below costs)
        return x
    try:
        data = x._data
    except AttributeError:  # a Python number
        return x.conjugate() if type(x) is complex else x
    return x if data.dtype.kind != "c" else _conj(x)


def conjugated(formula):
    """A derivative formula linear in ``grad`` and written with the plain (holomorphic)
    derivative, made to follow PyTorch's convention for complex gradients: ``conj(formula(
    conj(grad)))`` (which is ``grad * conj(derivative)``); a real gradient takes ``formula`` as it
    is."""

    def gradient(g, n):
        if g._data.dtype.kind == "c":
            return _conj(formula(_conj(g), n))
        return formula(g, n)

    gradient.__name__ = formula.__name__
    return gradient


# --- sign and magnitude ------------------------------------------------------------------------


@op(saves="self", grads=(lambda g, n: g * n.self.sgn(),))
def abs(self):
    """``torch.abs``."""
    if self.dtype == bool:  # here rather than check=: keeps abs on the registry's fast path
        _not_for("abs_cpu", "b")(self)
    return xp.abs(self)


@op(
    real=(
        NotImplementedError,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn instead.",
    ),
    grads=(zero_grad,),
)
def sign(self):
    """``torch.sign``: -1, 0 or 1 (its gradient is zero); bools are their own sign."""
    if self.dtype == bool:
        return self.copy()
    out = xp.sign(self)
    if self.dtype.kind in "fV":  # the sign of nan is 0
        out = xp.where(xp.isnan(out), out.dtype.type(0), out)
    return out


def _sgn_grad(g, n):
    z = n.self
    if z._data.dtype.kind != "c":
        return zero_grad(g, n)
    # z / |z| moves only along the unit circle: i s Im(conj(s) g) / |z|, and 0 at z = 0
    s = n.result
    a = z.abs()
    return where(a == 0, 0.0, s * (cj(s) * g).imag * 1j / a)


@op(saves="self result", grads=(_sgn_grad,))
def sgn(self):
    """``torch.sgn``: ``z / |z|`` of a complex number (0 at 0), the sign of a real one (a bool
    is its own)."""
    if self.dtype.kind != "c":
        return sign.opdef.forward(self)
    a = xp.abs(self)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(a == 0, self.dtype.type(0), self / a)


def _angle_grad(g, n):
    z = n.self
    if z._data.dtype.kind != "c":
        return zero_grad(g, n)
    a = z.abs()  # d angle = Im(dz / z): i z / |z|^2 in PyTorch's convention
    return where(z == 0, 0.0, g * z * 1j / (a * a))


@op(saves="self", promote="float", grads=(_angle_grad,))
def angle(self):
    """``torch.angle``: the argument of a complex number; pi for a negative real, else 0 (nan
    stays nan)."""
    if self.dtype.kind == "c":
        return xp.angle(self)
    zero = xp.where(xp.isnan(self), self, self.dtype.type(0))
    return xp.where(self < 0, self.dtype.type(math.pi), zero)


# --- trigonometry and hyperbolic functions -----------------------------------------------------


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g * cj(n.self.cos()),),
    jvp=lambda t, x, r: t[0] * x[0].cos(),
    array_fn=xp.sin,
)
def sin(self):
    """``torch.sin``."""
    return xp.sin(self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g * cj(-n.self.sin()),),
    jvp=lambda t, x, r: t[0] * x[0].sin().neg(),
    array_fn=xp.cos,
)
def cos(self):
    """``torch.cos``."""
    return xp.cos(self)


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: g * cj(_add_scalar(n.result.pow(2), 1)),),
    array_fn=array_tan,
)
def tan(self):
    """``torch.tan``."""
    return array_tan(self)


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: tanh_backward(g, cj(n.result)),),
    array_fn=array_tanh,
    jvp=lambda t, x, r: tanh_backward(t[0], r[0]),
)
def tanh(self):
    """``torch.tanh``."""
    return array_tanh(self)


# The gradients of tanh, sigmoid and relu are ops of their own, as in PyTorch: one array pass in a
# backward call instead of three, and their own formulas keep double backward working.  As
# elementwise ops (``broadcast``) their result is laid out as PyTorch's kernels lay it out, after
# grad_output first (a permuted gradient stays permuted).
@op(
    inputs="grad_output output",
    saves="grad_output output",
    broadcast=True,
    method=False,
    grads=(
        lambda gg, n: tanh_backward(gg, cj(n.output)),
        lambda gg, n: gg * cj(_mul_scalar(n.output, -2) * n.grad_output),
    ),
)
def tanh_backward(grad_output, output):
    # (PyTorch rounds 1 - y * y once, as a fused multiply-add: rounded twice here, a third of
    # float32 gradients differ in the last bit; rounding once through float64 cost the 200-op
    # chain, whose tanh gradients are a quarter of its steps, 6% more time)
    square = output * output
    return grad_output * (ONE.get(square.dtype, 1) - square)


@op(
    inputs="grad_output output",
    saves="grad_output output",
    broadcast=True,
    method=False,
    grads=(
        lambda gg, n: sigmoid_backward(gg, cj(n.output)),
        lambda gg, n: gg * cj(n.grad_output) * _add_scalar(_mul_scalar(cj(n.output), -2), 1),
    ),
)
def sigmoid_backward(grad_output, output):
    # (g * (1 - y)) * y, PyTorch's order: as (g * y) * (1 - y) a third of the results differed in
    # the last bit
    return grad_output * (ONE.get(output.dtype, 1) - output) * output


@op(
    inputs="grad_output self",
    saves="self",
    method=False,
    grads=(lambda gg, n: threshold_backward(gg, n.self, n.threshold), zero_grad),
)
def threshold_backward(grad_output, self, threshold):
    # zero where self <= threshold: a nan input passes its gradient, as PyTorch's kernel has it
    ints = _SAME_WIDTH_INT.get(grad_output.itemsize) if grad_output.dtype.kind in "fV" else None
    if ints is None or grad_output.ndim == 0 or grad_output.shape != self.shape:
        return keep_where(grad_output, ~(self <= threshold))
    # keep_where's bitwise and, its mask made from the comparison itself: 1 - 1 where the
    # gradient goes, 0 - 1 (all bits set) where it stays (one pass and one array fewer)
    mask = xp.empty_like(self, dtype=ints)  # (laid out as self: channels-last stays so)
    xp.less_equal(self, threshold, out=mask)
    xp.subtract(mask, 1, out=mask)
    xp.bitwise_and(grad_output.view(ints), mask, out=mask)
    return mask.view(grad_output.dtype)


_SAME_WIDTH_INT = {2: xp.int16, 4: xp.int32, 8: xp.int64}


def piecewise_backward(node):
    """The backward of a piecewise linear activation as an op of its own, named as PyTorch names
    its double backward (``LeakyReluBackwardBackward0`` ...): ``grad_output`` times ``inside``
    where ``keep`` holds, else times ``outside``, or else exactly 0 for ``outside=None`` (+0.0
    where a negative gradient times 0 is -0.0: hardtanh's and the shrinks' zeros, where leaky
    relu's slope 0 multiplies).  ``self`` is an input whose derivative is 0, so under
    create_graph the gradient is in the graph (a second gradient is zeros, not None)."""

    def forward(grad_output, self, keep, inside, outside):
        if outside is None:
            return keep_where(grad_output if inside == 1 else grad_output * inside, keep)
        return xp.where(keep, grad_output * inside, grad_output * outside).astype(
            grad_output.dtype, copy=False
        )

    def grad_output_grad(gg, n):
        return fn(gg, n.self, n.keep, n.inside, n.outside)

    fn = op(
        "_" + node,
        inputs="grad_output self",
        saves="self",
        broadcast=True,
        method=False,
        node=node,
        grads=(grad_output_grad, zero_grad),
    )(forward)
    return fn


def keep_where(values, keep):
    """``values`` where ``keep`` holds, else exactly 0 (a nan or inf there too, as PyTorch's
    masking kernels give).  For floats, a bitwise and with an all-ones/all-zeros mask: a
    branch-free pass, several times faster than ``where`` on a random mask."""
    ints = _SAME_WIDTH_INT.get(values.itemsize) if values.dtype.kind in "fV" else None
    if ints is None or values.ndim == 0 or values.shape != keep.shape:
        return xp.where(keep, values, xp.zeros((), values.dtype))
    mask = keep.astype(ints)
    xp.negative(mask, out=mask)  # 1 -> all bits set
    xp.bitwise_and(values.view(ints), mask, out=mask)
    return mask.view(values.dtype)


def _one_minus_square(x):
    """1 - x * x as PyTorch's formulas write it: -x * x + 1 (the same bits)."""
    return _add_scalar(-x * x, 1)


@op(saves="self", promote="float", grads=(lambda g, n: g * cj(_one_minus_square(n.self).rsqrt()),))
def asin(self):
    """``torch.asin``."""
    with xp.errstate(invalid="ignore"):
        return array_arcsin(self)


@op(saves="self", promote="float", grads=(lambda g, n: g * cj(-_one_minus_square(n.self).rsqrt()),))
def acos(self):
    """``torch.acos``."""
    with xp.errstate(invalid="ignore"):
        return array_arccos(self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g / cj(_add_scalar(n.self * n.self, 1)),),
    array_fn=array_arctan,
)
def atan(self):
    """``torch.atan``."""
    return array_arctan(self)


@op(saves="self", promote="float", grads=(lambda g, n: g * cj(n.self.cosh()),), array_fn=array_sinh)
def sinh(self):
    """``torch.sinh``."""
    return array_sinh(self)


@op(saves="self", promote="float", grads=(lambda g, n: g * cj(n.self.sinh()),), array_fn=array_cosh)
def cosh(self):
    """``torch.cosh``."""
    return array_cosh(self)


# The inverse hyperbolic functions: their domains end where the derivative blows up (acosh below
# 1, atanh outside (-1, 1)); outside, NumPy's nan or inf is PyTorch's value too.
def _acosh_grad(g, n):
    # PyTorch's choices: 1 / sqrt(x^2 - 1) for a real x (finite below -1, where acosh is nan),
    # and 1 / (sqrt(z - 1) sqrt(z + 1)) for a complex z (the branch of acosh itself)
    z = n.self
    if z._data.dtype.kind != "c":
        return g * _sub_scalar(z * z, 1).rsqrt()
    return g * cj(_sub_scalar(z, 1).rsqrt() * _add_scalar(z, 1).rsqrt())


@op(saves="self", promote="float", grads=(_acosh_grad,))
def acosh(self):
    """``torch.acosh``."""
    with xp.errstate(invalid="ignore"):
        return xp.arccosh(self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g * cj(_add_scalar(n.self.pow(2), 1).rsqrt()),),
)
def asinh(self):
    """``torch.asinh``."""
    return xp.arcsinh(self)


@op(saves="self", promote="float", grads=(lambda g, n: g / cj(_sub(1, n.self.pow(2))),))
def atanh(self):
    """``torch.atanh``."""
    with xp.errstate(invalid="ignore", divide="ignore"):
        return array_arctanh(self)


def _sigmoid(x):
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    return array_sigmoid(x)


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: sigmoid_backward(g, cj(n.result)),),
    jvp=lambda t, x, r: sigmoid_backward(t[0], r[0]),
)
def sigmoid(self):
    """``torch.sigmoid``: 1 / (1 + exp(-x))."""
    return _sigmoid(self)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    saves="result",
    grads=(lambda g, n: threshold_backward(g, n.result, 0),),
    jvp=lambda t, x, r: threshold_backward(t[0], r[0], 0),
)
def relu(self):
    """``torch.relu``: max(x, 0)."""
    if (
        self.dtype == bool
    ):  # checked here, not by check=, to keep the op on the registry's fast path
        raise RuntimeError("Boolean inputs not supported for relu")
    # max(0, x), 0 first and as an array: NumPy's vector loop takes two arrays (a number operand
    # runs an element at a time, several times slower), and with 0 first -0.0 and a nan keep
    # their sign, bit for bit as PyTorch's relu.
    if 0 in self.strides:  # an expanded input: zeros_like would copy its odd strides
        return iterator_layout(xp.maximum(xp.zeros((), self.dtype), self), (self,))
    out = xp.zeros_like(self)
    return xp.maximum(out, self, out=out)


# --- clamping, maxima and selection ------------------------------------------------------------


def _clamp_grad(g, n):
    x = n.self
    lo, hi = n.min, n.max
    if lo is None:
        return where(x <= hi, g, 0.0)
    if hi is None:
        return where(x >= lo, g, 0.0)
    return where((x >= lo) & (x <= hi), g, 0.0)


def _check_clamp(x, min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


def _clamp_forward(x, lo, hi):
    out = x
    if lo is not None:
        out = xp.maximum(out, lo)
    if hi is not None:
        out = xp.minimum(out, hi)
    return (out if out is not x else out.copy()).astype(x.dtype, copy=False)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    saves="self",
    grads=(_clamp_grad,),
    node="ClampBackward1",
    check=_check_clamp,
    method=False,
)
def _clamp_scalar(self, min, max):
    return _clamp_forward(self, min, max)


def _clamp_self_grad(g, n):
    x, lo, hi = n.self, n.min, n.max
    if lo is None:
        return where(x <= hi, g, 0.0)
    if hi is None:
        return where(x >= lo, g, 0.0)
    return where((x >= lo) & (x <= hi), g, 0.0)


def _clamp_min_grad(g, n):
    x, lo, hi = n.self, n.min, n.max
    below = x < lo if hi is None else (x < lo) & (lo < hi)
    return where(below, g, 0.0)


def _clamp_max_grad(g, n):
    x, lo, hi = n.self, n.min, n.max
    above = x > hi if lo is None else (x > hi) | (hi < lo)  # min > max: the output is max
    return where(above, g, 0.0)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    inputs="self min max",
    saves="self min max",
    broadcast=True,
    node="ClampBackward0",
    grads=(_clamp_self_grad, _clamp_min_grad, _clamp_max_grad),
    method=False,
)
def _clamp_tensor(self, min, max):
    return _clamp_forward(self, min, max)


def _bounds_dtype(input, *bounds):
    """The dtype PyTorch clamps in: bounds take part in type promotion like other operands."""
    return result_type(input, *(b for b in bounds if b is not None))


@tensor_method
def clamp(input, min=None, max=None):
    """``torch.clamp``: each element limited to [min, max]; bounds are numbers or tensors
    (where min > max, the result is max)."""
    tensors = isinstance(min, Tensor) or isinstance(max, Tensor)
    if tensors and not all(b is None or isinstance(b, Tensor) for b in (min, max)):
        raise TypeError(
            f"clamp() received an invalid combination of arguments - got ({type(min).__name__}, "
            f"{type(max).__name__}), but expected one of:\n * (Tensor min = None, Tensor max = None)"
            "\n * (Number min = None, Number max = None)\n"
        )
    dt = _bounds_dtype(input, min, max)
    if dt is not input.dtype:
        input = input.to(dt)
    if not tensors:
        return _clamp_scalar(input, min, max)
    if min is None and max is None:
        _check_clamp(None, None, None)
    min, max = [b if b is None or b.dtype is dt else b.to(dt) for b in (min, max)]
    return _clamp_tensor(input, min, max)


clip = clamp
tensor_method(clip, name="clip")


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    saves="self",
    grads=(lambda g, n: where(n.self >= n.min, g, 0.0),),
    method=False,
    node="ClampMinBackward0",
)
def _clamp_min_scalar(self, min):
    return _clamp_forward(self, min, None)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    saves="self",
    grads=(lambda g, n: where(n.self <= n.max, g, 0.0),),
    method=False,
    node="ClampMaxBackward0",
)
def _clamp_max_scalar(self, max):
    return _clamp_forward(self, None, max)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    inputs="self min",
    saves="self min",
    broadcast=True,
    node="ClampMinBackward1",
    method=False,
    grads=(lambda g, n: where(n.self >= n.min, g, 0.0), lambda g, n: where(n.self < n.min, g, 0.0)),
)
def _clamp_min_tensor(self, min):
    return _clamp_forward(self, min, None)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    inputs="self max",
    saves="self max",
    broadcast=True,
    node="ClampMaxBackward1",
    method=False,
    grads=(lambda g, n: where(n.self <= n.max, g, 0.0), lambda g, n: where(n.self > n.max, g, 0.0)),
)
def _clamp_max_tensor(self, max):
    return _clamp_forward(self, None, max)


def _one_bound(scalar_op, tensor_op):
    def bound(input, bound):
        dt = _bounds_dtype(input, bound)
        if dt is not input.dtype:
            input = input.to(dt)
        if isinstance(bound, Tensor):
            return tensor_op(input, bound if bound.dtype is dt else bound.to(dt))
        return scalar_op(input, bound)

    return bound


clamp_min = tensor_method(_one_bound(_clamp_min_scalar, _clamp_min_tensor), name="clamp_min")
clamp_max = tensor_method(_one_bound(_clamp_max_scalar, _clamp_max_tensor), name="clamp_max")
clamp_min.__doc__ = "``torch.clamp_min``: each element at least ``min`` (a number or a tensor)."
clamp_max.__doc__ = "``torch.clamp_max``: each element at most ``max`` (a number or a tensor)."


# The gradient is selected, never multiplied by a 0/1 mask: an inf or nan arriving for the input
# that was not chosen must not make a nan (PyTorch's formulas select too).
def _max_grad(first):
    def formula(g, n):
        a, b = n.self, n.other  # (compared in this order for both: the masks take self's layout)
        # (PyTorch's form, so that a second-order graph has its nodes: MaskedFill over Where)
        return where(a == b, g / 2, g).masked_fill_(a < b if first else a > b, 0)

    return formula


def _min_grad(first):
    def formula(g, n):
        a, b = n.self, n.other
        return where(a == b, g / 2, g).masked_fill_(a > b if first else a < b, 0)

    return formula


def _require_tensor(name, b):
    """PyTorch's error for ops whose second argument must be a tensor, not a number."""
    if not hasattr(b, "dtype"):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
        )


@op(
    real=(RuntimeError, "maximum not implemented for complex tensors."),
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    grads=(_max_grad(True), _max_grad(False)),
)
def maximum(self, other):
    """``torch.maximum``: the elementwise larger value (ties share the gradient)."""
    _require_tensor("maximum", other)
    return xp.maximum(self, other)


@op(
    real=(RuntimeError, "minimum not implemented for complex tensors."),
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    grads=(_min_grad(True), _min_grad(False)),
)
def minimum(self, other):
    """``torch.minimum``: the elementwise smaller value (ties share the gradient)."""
    _require_tensor("minimum", other)
    return xp.minimum(self, other)


def _check_where(cond, x, y):
    if getattr(cond, "dtype", None) != bool:  # noqa: E721 (a NumPy dtype equals bool)
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dtype_name(cond)}"
        )


def _dtype_name(a):
    """The scalar type name PyTorch's messages use for an array's dtype: Float, Long, Bool ..."""
    return FROM_NP[a.dtype]._tensor_name[: -len("Tensor")]


@op(
    inputs="condition self other",
    saves="condition",
    broadcast=True,
    grads=(None, lambda g, n: where(n.condition, g, 0.0), lambda g, n: where(n.condition, 0.0, g)),
    check=_check_where,
)
def _where(condition, self, other):
    return xp.where(condition, self, other)


@tensor_method
def where(condition, input=None, other=None):
    """``torch.where``: ``input`` where ``condition`` holds, else ``other``; or the indices where
    ``condition`` holds when given alone."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    dt = result_type(input, other)
    input, other = [
        x.to(dt) if isinstance(x, Tensor) else _make(xp.asarray(x, dtype=dt.np))
        for x in (input, other)
    ]
    return _where(condition, input, other)


@tensor_method(name="where")
def _where_method(input, condition, other):
    """``Tensor.where(condition, other)``: the tensor itself where ``condition`` holds, else
    ``other`` (the method's tensor is the values, not the condition)."""
    return where(condition, input, other)


# --- interpolation and fused products ------------------------------------------------------------


@op(
    inputs="self end",
    broadcast=True,
    promote="binary",
    method=False,
    node="LerpBackward0",
    grads=(lambda g, n: g * cj(1 - n.weight), lambda g, n: g * cj(n.weight)),
)
def _lerp_scalar(self, end, weight):
    return self + weight * (end - self)


@op(
    inputs="self end weight",
    saves=("weight", "weight", "self end"),
    broadcast=True,
    promote="binary",
    method=False,
    node="LerpBackward1",
    grads=(
        lambda g, n: g * cj(_sub(1, n.weight)),
        lambda g, n: g * cj(n.weight),
        lambda g, n: g * cj(n.end - n.self),
    ),
)
def _lerp_tensor(self, end, weight):
    return self + weight * (end - self)


def _check_lerp(input, end, weight):
    if not isinstance(end, Tensor) or not isinstance(weight, (Tensor, int, float, complex)):
        got = ", ".join(
            type(a).__name__ if not isinstance(a, Tensor) else "Tensor"
            for a in (input, end, weight)
        )
        raise TypeError(
            f"lerp() received an invalid combination of arguments - got ({got}), but "
            "expected one of:\n * (Tensor input, Tensor end, Tensor weight, *, Tensor "
            "out = None)\n * (Tensor input, Tensor end, Number weight, *, Tensor out = "
            "None)\n"
        )
    dt = input.dtype
    for name, other in (("end", end), ("weight", weight)):
        if isinstance(other, Tensor) and other.dtype is not dt and (name == "end" or other.ndim):
            refresh_views((input, end, weight))
            raise RuntimeError(
                f"expected dtype {CPP_NAMES.get(dt, dt)} for `{name}` but got "
                f"dtype {CPP_NAMES.get(other.dtype, other.dtype)}"
            )
    if isinstance(weight, Tensor):  # a 0-dim weight takes part in the type promotion
        dt = result_type(input, end, weight)
    if not dt.is_floating_point and not dt.is_complex:
        kind = "tensor" if isinstance(weight, Tensor) else "scalar"
        raise NotImplementedError(
            f"\"lerp_kernel_{kind}\" not implemented for '{scalar_type_name(dt)}'"
        )


@tensor_method
def lerp(input, end, weight):
    """``torch.lerp``: input + weight (end - input), weight a number or a tensor.

    As in PyTorch there is no type promotion: ``end`` and a weight with dimensions must have the
    input's dtype (a 0-dim weight may have any), and integer inputs are refused."""
    _check_lerp(input, end, weight)
    if isinstance(weight, Tensor):
        return _lerp_tensor(input, end, weight)
    return _lerp_scalar(input, end, weight)


def _check_addcmul(self, tensor1, tensor2, value=1):
    if self.dtype == bool:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")


def _in_kind(value, a):
    """``value`` as a result of ``a``'s dtype takes it (an integer result: truncated)."""
    return int(value) if a.dtype.kind in "iu" and not isinstance(value, bool) else value


@op(
    inputs="self tensor1 tensor2",
    saves=("", "tensor2", "tensor1"),
    broadcast=True,
    promote="binary",
    check=_check_addcmul,
    node="AddcmulBackward0",
    grads=(
        lambda g, n: g,
        lambda g, n: g * cj(_mul_scalar(n.tensor2, n.value)),  # (the factor first, as PyTorch's)
        lambda g, n: g * cj(_mul_scalar(n.tensor1, n.value)),
    ),
)
def addcmul(self, tensor1, tensor2, value=1):
    """``torch.addcmul``: self + value * tensor1 * tensor2, in the dtype the three promote to."""
    return self + _in_kind(value, self) * tensor1 * tensor2


@op(
    inputs="self tensor1 tensor2",
    saves=("", "tensor2", "tensor1 tensor2"),
    broadcast=True,
    promote="binary",
    node="AddcdivBackward0",
    method=False,
    grads=(
        lambda g, n: g,
        # (the factors first, then times g, as PyTorch groups them)
        lambda g, n: g * cj(true_divide(n.value, n.tensor2)),  # (a true division: not 1 / t2 * v)
        lambda g, n: -g * cj(_mul_scalar(n.tensor1, n.value) / (n.tensor2 * n.tensor2)),
    ),
)
def _addcdiv(self, tensor1, tensor2, value=1):
    return self + value * tensor1 / tensor2


@tensor_method
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``torch.addcdiv``: input + value * tensor1 / tensor2, in the dtype the three promote to;
    as in PyTorch, two integer (or bool) tensors to divide are refused."""
    if all(isinstance(t, Tensor) and t._data.dtype.kind not in "fc" for t in (tensor1, tensor2)):
        raise RuntimeError(_INTEGER_ADDCDIV)
    return _addcdiv(input, tensor1, tensor2, value)


_INTEGER_ADDCDIV = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes."
)


# --- comparisons and logic (no gradient) -------------------------------------------------------


def _is_complex(a):
    return a.dtype.kind == "c" if type(a) is ndarray else isinstance(a, complex)


def _comparison(name, ufunc, ordered=True):
    kernel = name + "_cpu"

    def forward(self, other):
        # (in the forward, which the in-place forms run too, not through the declaration's real=)
        if ordered and (_is_complex(self) or _is_complex(other)):  # NumPy orders them, PyTorch not
            promoted = xp.result_type(self, other)
            raise NotImplementedError(
                f"\"{kernel}\" not implemented for '{FROM_NP[promoted]._tensor_name[:-6]}'"
            )
        return ufunc(self, other)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: elementwise, a bool tensor (no gradient)."
    return op(name, inputs="self other", broadcast=True, promote="binary", numbers="other")(forward)


eq = _comparison("eq", xp.equal, ordered=False)
ne = _comparison("ne", xp.not_equal, ordered=False)
lt = _comparison("lt", xp.less)
le = _comparison("le", xp.less_equal)
gt = _comparison("gt", xp.greater)
ge = _comparison("ge", xp.greater_equal)


def _logical(name, ufunc):
    def forward(self, other):
        _require_tensor(name, other)
        return ufunc(self, other)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: elementwise, a bool tensor (no gradient)."
    return op(name, inputs="self other", broadcast=True)(forward)


logical_and = _logical("logical_and", xp.logical_and)
logical_or = _logical("logical_or", xp.logical_or)
logical_xor = _logical("logical_xor", xp.logical_xor)


@op()
def logical_not(self):
    """``torch.logical_not``."""
    return xp.logical_not(self)


def _bitwise(name, ufunc):
    def forward(self, other):
        promoted = self if type(self) is ndarray else other  # both share the promoted dtype
        if promoted.dtype.kind in "fV":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_dtype_name(promoted)}'"
            )
        return ufunc(self, other)

    forward.__name__ = name
    return op(name, inputs="self other", broadcast=True, promote="binary", numbers="self other")(
        forward
    )


bitwise_and = _bitwise("bitwise_and", xp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", xp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", xp.bitwise_xor)


@op()
def bitwise_not(self):
    """``torch.bitwise_not`` (``~``): logical not for bools, bit flip for integers."""
    if self.dtype.kind in "fV":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{_dtype_name(self)}'")
    return xp.invert(self)


# --- float classification and closeness (no gradient) -----------------------------------------


def _classify(name, ufunc, doc):
    def forward(self):
        if self.dtype.kind in "biu":  # integers are never nan or inf
            return xp.full(self.shape, ufunc is xp.isfinite)
        return ufunc(self)

    forward.__name__ = name
    forward.__doc__ = doc
    return op(name)(forward)


isnan = _classify("isnan", xp.isnan, "``torch.isnan``: True where an element is NaN.")
isinf = _classify("isinf", xp.isinf, "``torch.isinf``: True where an element is +inf or -inf.")
isfinite = _classify(
    "isfinite",
    xp.isfinite,
    "``torch.isfinite``: True where an element is neither NaN nor infinite.",
)


def _check_same_dtype(a, b, *attrs):
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_dtype_name(a)} did not match {_dtype_name(b)}")


@op(inputs="self other", broadcast=True, check=_check_same_dtype)
def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``torch.isclose``: |self - other| <= atol + rtol |other|, elementwise."""
    return xp.isclose(self, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


@tensor_method
def allclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """``torch.allclose``: whether ``isclose`` holds for every element."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@tensor_method
def equal(input, other) -> bool:
    """``torch.equal``: the same shape and the same values (dtypes may differ)."""
    if input.shape != other.shape:
        return False
    return bool(xp.array_equal(input._data, other._data))


def _float_limits(a, nan, posinf, neginf):
    info = xp.finfo(a.dtype)
    return (
        0.0 if nan is None else nan,
        info.max if posinf is None else posinf,
        info.min if neginf is None else neginf,
    )


@op(saves="self", grads=(lambda g, n: g * n.self.isfinite(),), node="NanToNumBackward0")
def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
    """``torch.nan_to_num``: NaN, +inf and -inf replaced (by 0 and the dtype's largest and
    smallest finite values unless given)."""
    if self.dtype.kind not in "fV":
        return self.copy()
    nan, posinf, neginf = _float_limits(self, nan, posinf, neginf)
    return kept_layout(xp.nan_to_num(self, nan=nan, posinf=posinf, neginf=neginf), self)


@op(
    real="remainder_cpu",
    inputs="self other",
    saves=("", "self other"),
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: g, lambda g, n: -g * _rounded_div(n.self, n.other, "floor")),
    node="RemainderBackward1",
    number_node="RemainderBackward0",
    numbers="self other",
)
def remainder(self, other):
    """``torch.remainder`` (``%``): the remainder with the sign of the divisor, as Python's."""
    _check_integer_divisor(other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.mod(self, other)


@op(
    real="fmod_cpu",
    inputs="self other",
    saves=("", "self other"),
    broadcast=True,
    promote="binary",
    grads=(lambda g, n: g, lambda g, n: -g * _rounded_div(n.self, n.other, "trunc")),
    node="FmodBackward1",
    number_node="FmodBackward0",
    numbers="other",
)
def fmod(self, other):
    """``torch.fmod``: the remainder with the sign of the dividend, as C's."""
    _check_integer_divisor(other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.fmod(self, other)


def _check_integer_divisor(other):
    if (
        getattr(other, "dtype", None) is not None
        and other.dtype.kind in "iu"
        and (other == 0).any()
    ):
        raise RuntimeError("ZeroDivisionError")


def _zeros_for(n):
    return _wrap(xp.zeros(n.primal_shape, dtype=n.primal_dtype.np))


@op(
    inputs="self primal",
    saves="primal_shape primal_dtype",
    method=False,
    node="TangentLinkBackward0",
    grads=(lambda g, n: g, lambda g, n: _zeros_for(n)),
)
def _tangent_link(self, primal):
    """A forward-AD tangent tied to a primal value its op's formula reads, with a derivative of
    zero: PyTorch's tangent formulas read those values (``self_t * other_p``, ``threshold_backward
    (self_t, result, 0)``), so a gradient of the tangent reaches them, as zeros, where the
    tangent computed here would not depend on them."""
    return self.copy()


# --- two-argument functions: angles, norms, log-sums, signs ------------------------------------


def _tensor_other(name, kernel=None):
    """The check of a binary op whose second argument must be a tensor (PyTorch has no Scalar
    overload for it) and, with ``kernel``, no integer kernel when both inputs are integers."""

    def check(a, b, *attrs):
        if type(b) is not ndarray:
            raise TypeError(
                f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
            )
        if kernel is not None and a.dtype.kind in "biu" and b.dtype.kind in "biu":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(a)}'")

    return check


def _atan2_grads(g, n):
    # 1 / (x^2 + y^2), set to 0 where both are 0 (PyTorch's choice at the origin)
    denominator = n.self * n.self + n.other * n.other
    recip = denominator.reciprocal().masked_fill(denominator == 0, 0.0)
    return g * n.other * recip, g * -n.self * recip


@op(
    real="atan2_cpu",
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="float",
    check=_tensor_other("atan2"),
    grads=(lambda g, n: _atan2_grads(g, n)[0], lambda g, n: _atan2_grads(g, n)[1]),
)
def atan2(self, other):
    """``torch.atan2``: the angle of the point (other, self), in (-pi, pi]."""
    return xp.arctan2(self, other)


@op(
    real="hypot_cpu",
    inputs="self other",
    saves="self other result",
    broadcast=True,
    promote="binary",
    check=_tensor_other("hypot", "hypot_cpu"),
    grads=(lambda g, n: g * n.self / n.result, lambda g, n: g * n.other / n.result),
)
def hypot(self, other):
    """``torch.hypot``: sqrt(self^2 + other^2), without overflow in the squares."""
    return xp.hypot(self, other)


@op(
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    check=_tensor_other("logaddexp", "logaddexp_cpu"),
    grads=(
        lambda g, n: g / cj(_add_scalar((n.other - n.self).exp(), 1)),
        lambda g, n: g / cj(_add_scalar((n.self - n.other).exp(), 1)),
    ),
)
def logaddexp(self, other):
    """``torch.logaddexp``: log(exp(self) + exp(other)), computed without overflow."""
    if self.dtype.kind == "c" or getattr(other, "dtype", self.dtype).kind == "c":
        return complex_logaddexp(self, other)
    return xp.logaddexp(self, other)


def complex_logaddexp(a, b):
    """log(exp(a) + exp(b)) for complex arrays: from the one of larger real part (``a`` where
    the real parts are equal), which NumPy's ``logaddexp`` (real only) does not do.  Where both
    real parts are -inf the result is ``b`` (exp of either is 0, its angle undefined), where
    both are +inf log(exp(a) + exp(b)) itself, and a nan in either part of either makes both
    parts nan, as PyTorch's kernels give them."""
    a, b = xp.broadcast_arrays(a, b)
    first = a.real >= b.real
    big = xp.where(first, a, b)
    with xp.errstate(invalid="ignore", over="ignore", divide="ignore"):
        out = big + xp.log1p(xp.exp(xp.where(first, b, a) - big))
        infinite = (a.real == b.real) & xp.isinf(a.real)
        if infinite.any():
            out = xp.where(infinite, xp.where(a.real < 0, b, xp.log(xp.exp(a) + xp.exp(b))), out)
    nan = xp.isnan(a) | xp.isnan(b)
    if nan.any():
        out = xp.where(nan, complex(xp.nan, xp.nan), out)
    return out


@op(
    real="logaddexp2_cpu",
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    check=_tensor_other("logaddexp2", "logaddexp2_cpu"),
    grads=(
        lambda g, n: g / _add_scalar(2.0 ** (n.other - n.self), 1),
        lambda g, n: g / _add_scalar(2.0 ** (n.self - n.other), 1),
    ),
)
def logaddexp2(self, other):
    """``torch.logaddexp2``: log2(2^self + 2^other), computed without overflow."""
    return xp.logaddexp2(self, other)


def _copysign_self_grad(g, n):
    # the sign flips or it doesn't: result / self, and 0 where self is 0
    return g * (n.result / n.self).masked_fill(n.self == 0, 0.0)


@op(
    real="copysign_cpu",
    inputs="self other",
    saves=("self result", ""),
    broadcast=True,
    promote="float",
    grads=(_copysign_self_grad, zero_grad),
    node="CopysignBackward0",
    method=False,
)
def _copysign(self, other):
    return xp.copysign(self, other)


@op(saves="self result", promote="float", grads=(_copysign_self_grad,), node="CopysignBackward1")
def _copysign_scalar(self, other):
    return xp.copysign(self, other).astype(self.dtype, copy=False)


@tensor_method
def copysign(input, other):
    """``torch.copysign``: the magnitude of ``input`` with the sign of ``other`` (-0.0 counts as
    negative)."""
    from ..tensor import Tensor

    if isinstance(other, Tensor) or not isinstance(input, Tensor):
        return _copysign(input, other)
    return _copysign_scalar(input, other)


@op(
    real="nextafter_cpu",
    inputs="self other",
    broadcast=True,
    promote="binary",
    check=_tensor_other("nextafter"),
    grads=(lambda g, n: g, zero_grad),
)
def nextafter(self, other):
    """``torch.nextafter``: the next representable number after ``self`` towards ``other``."""
    return xp.nextafter(self, other)


def _check_heaviside(a, b, aten):
    if type(b) is not ndarray:
        raise TypeError(
            f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(b).__name__}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


@op(
    real=(RuntimeError, "heaviside is not yet implemented for complex tensors."),
    inputs="self values",
    broadcast=True,
    check=_check_heaviside,
    grads=(_no_derivative, _no_derivative),
    node="torch::autograd::NotImplemented",
    method=False,
)
def _heaviside(self, values, aten):
    return xp.where(self == 0, values, (self > 0).astype(self.dtype)).astype(self.dtype)


@tensor_method
def heaviside(input, values):
    """``torch.heaviside``: 0 below zero, 1 above, ``values`` at zero.  It has no derivative."""
    return _heaviside(input, values, "heaviside")


@op(
    inputs="self other",
    saves="other result",
    broadcast=True,
    promote="float",
    grads=(
        lambda g, n: g * cj(2.0**n.other),
        lambda g, n: _mul_scalar(g * cj(n.result), math.log(2.0)),
    ),
)
def ldexp(self, other):
    """``torch.ldexp``: self * 2^other."""
    return xp.multiply(self, xp.exp2(other))


def _logit_grad(g, n):
    # nan outside [0, 1] (0 outside [eps, 1 - eps] with eps), as PyTorch has it
    x = n.self
    grad = g / (x * _sub(1, x))
    if n.eps is None:
        return where((x < 0) | (x > 1), math.nan, grad)
    return where((x < n.eps) | (x > 1 - n.eps), 0.0, grad)


@op(real="logit_cpu", saves="self", promote="float", grads=(_logit_grad,))
def logit(self, eps=None):
    """``torch.logit``: log(p / (1 - p)); with ``eps``, p is first clamped to [eps, 1 - eps]."""
    if eps is not None:
        self = xp.clip(self, eps, 1 - eps)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.log(self / (1 - self))


def _sinc_grad(g, n):
    x = n.self
    pix = _mul_scalar(x, math.pi)
    square = _mul_scalar(x * x, math.pi)  # (pi x^2 grouped as PyTorch's: (x x) pi)
    return where(square == 0, 0.0, g * cj((pix * pix.cos() - pix.sin()) / square))


@op(saves="self", promote="float", grads=(_sinc_grad,))
def sinc(self):
    """``torch.sinc``: sin(pi x) / (pi x), 1 at 0."""
    with xp.errstate(invalid="ignore"):
        return xp.sinc(self).astype(self.dtype, copy=False)


def _double(x):
    """``x`` as float_power computes it: float64, or complex128 for complex input."""
    from ..dtypes import complex128, float64
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return x.to(complex128 if x.dtype.is_complex else float64)
    return x


@tensor_method
def float_power(input, exponent):
    """``torch.float_power``: ``pow`` computed in double precision whatever the inputs' dtypes."""
    from ..tensor import Tensor

    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError("float_power(): argument 'exponent' must be Tensor")
        input = _wrap(
            xp.asarray(input, xp.complex128 if isinstance(input, complex) else xp.float64)
        )
    return pow(_double(input), _double(exponent))


@tensor_method
def float_power_(self, exponent):
    """``Tensor.float_power_``: ``float_power`` written into this tensor, which must be double."""
    from ..dtypes import complex128, float64
    from ..tensor import Tensor

    complex_ = self.dtype.is_complex or isinstance(exponent, Tensor) and exponent.dtype.is_complex
    wanted = complex128 if complex_ else float64
    if self.dtype is not wanted:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype._tensor_name[:-6]} but the "
            f"operation's result requires dtype {wanted._tensor_name[:-6]}"
        )
    return self.pow_(_double(exponent))


# --- integer divisors, mantissa and exponent ---------------------------------------------------


def _integer_pair(name, input, other):
    from ..tensor import Tensor

    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    arrays = [t._data if isinstance(t, Tensor) else xp.asarray(t) for t in (input, other)]
    for a in arrays:
        if a.dtype.kind not in "iub" or a.dtype == bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_dtype_name(a)}'")
    dt = result_type(input, other).np
    return [a.astype(dt, copy=False) for a in arrays]


@tensor_method
def gcd(input, other):
    """``torch.gcd``: the greatest common divisor, elementwise, of integer tensors."""
    a, b = _integer_pair("gcd", input, other)
    return _wrap(c_order(xp.gcd(a, b)))


@tensor_method
def lcm(input, other):
    """``torch.lcm``: the least common multiple, elementwise, of integer tensors."""
    a, b = _integer_pair("lcm", input, other)
    return _wrap(c_order(xp.lcm(a, b)))


def _check_frexp(a):
    if a.dtype.kind not in "fcV":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")


def _frexp_grad(g, n):
    # mantissa = x / 2^exponent, the exponent held constant
    return g * _wrap(xp.ldexp(xp.ones((), g._data.dtype), -n.result1._data))


_FREXP = []  # torch.return_types.frexp, made when first needed (reduction imports this module)


def _frexp_pair(mantissa, exponent):
    if not _FREXP:
        from .reduction import _return_type

        _FREXP.append(_return_type("frexp", ("mantissa", "exponent")))
    return _FREXP[0](mantissa, exponent)


@op(
    real=(RuntimeError, "torch.frexp() only supports floating-point dtypes"),
    saves="result1",
    grads=(_frexp_grad,),
    check=_check_frexp,
    node="FrexpBackward0",
    returns=_frexp_pair,
)
def frexp(self):
    """``torch.frexp``: (mantissa, exponent) with input = mantissa * 2^exponent, the mantissa in
    (-1, -0.5] or [0.5, 1) and the exponent an int32."""
    m, e = xp.frexp(self)
    return c_order(m), c_order(e.astype(xp.int32))


# --- angles, NaN-ignoring extrema, sign bits and bit shifts -------------------------------------


def _angle_conversion(name, factor, node):
    def forward(self):
        if self.dtype.kind == "c":
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        return self * self.dtype.type(factor)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: the angle times {factor!r} (no complex inputs)."
    return op(name, promote="float", node=node, grads=(lambda g, n: g * factor,), jvp="linear")(
        forward
    )


deg2rad = _angle_conversion("deg2rad", math.pi / 180, "Deg2RadBackward0")
rad2deg = _angle_conversion("rad2deg", 180 / math.pi, "Rad2DegBackward0")


def _fmax_fmin(name, ufunc, wins):
    """``fmax``/``fmin``: a NaN loses to a number.  The gradient goes to ``self`` where it wins
    (``wins(self, other)``, ties included) or ``other`` is NaN, else to ``other``, as PyTorch."""

    def to_self(n):
        return wins(n.self, n.other) | n.other.isnan()

    def forward(self, other):
        if self.dtype.kind == "c":
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        return ufunc(self, other)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: elementwise, ignoring a NaN against a number."
    return op(
        name,
        inputs="self other",
        saves="self other",
        broadcast=True,
        promote="binary",
        check=_tensor_other(name),
        grads=(
            lambda g, n: g.masked_fill(to_self(n).logical_not(), 0.0),
            lambda g, n: g.masked_fill(to_self(n), 0.0),
        ),
    )(forward)


fmax = _fmax_fmin("fmax", xp.fmax, lambda a, b: a >= b)
fmin = _fmax_fmin("fmin", xp.fmin, lambda a, b: a <= b)


@op()
def signbit(self):
    """``torch.signbit``: True where the sign bit is set (-0.0 and -nan included)."""
    if self.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    if self.dtype.kind in "biu":
        return self < 0
    return xp.signbit(self)


def _infinity_test(name, sign):
    def forward(self):
        if self.dtype.kind == "c":
            raise RuntimeError(f"{name} does not support complex inputs.")
        if self.dtype.kind in "biu":
            return xp.zeros(self.shape, bool)
        return self == self.dtype.type(sign * math.inf)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: True where an element is {'+-'[sign < 0]}inf."
    return op(name)(forward)


isposinf = _infinity_test("isposinf", 1)
isneginf = _infinity_test("isneginf", -1)


@op()
def isreal(self):
    """``torch.isreal``: True where the imaginary part is 0 (everywhere for a real tensor)."""
    if self.dtype.kind == "c":
        return self.imag == 0
    return xp.ones(self.shape, bool)


@tensor_method
def positive(input):
    """``torch.positive`` (unary ``+``): the tensor itself, refused for bool as in PyTorch."""
    if input._data.dtype == bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _shift(name, kernel, left):
    """``bitwise_left_shift``/``bitwise_right_shift`` of integers, as PyTorch defines a shift by
    a negative amount or by the width of the type or more: all bits shifted out (a right shift of
    a negative signed number leaves -1)."""

    def forward(self, other):
        a = self if type(self) is ndarray else other  # the operand that carries the dtype
        if a.dtype.kind not in "iu":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(a)}'")
        dt = a.dtype
        x = xp.asarray(self, dt)
        n = xp.asarray(other, dt)
        bits = dt.itemsize * 8
        inside = (n >= 0) & (n < bits)
        amount = xp.where(inside, n, dt.type(0))
        if left:
            return xp.where(inside, xp.left_shift(x, amount), dt.type(0))
        out_of_range = xp.right_shift(x, dt.type(bits - 1)) if dt.kind == "i" else dt.type(0)
        return xp.where(inside, xp.right_shift(x, amount), out_of_range)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: elementwise, of integer tensors."
    return op(name, inputs="self other", broadcast=True, promote="binary", numbers="self other")(
        forward
    )


bitwise_left_shift = _shift("bitwise_left_shift", "lshift_cpu", True)
bitwise_right_shift = _shift("bitwise_right_shift", "rshift_cpu", False)


__all__ = [
    "acosh",
    "asinh",
    "atanh",
    "deg2rad",
    "rad2deg",
    "fmax",
    "fmin",
    "signbit",
    "isposinf",
    "isneginf",
    "isreal",
    "positive",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "remainder",
    "gcd",
    "lcm",
    "frexp",
    "fmod",
    "atan2",
    "hypot",
    "logaddexp",
    "logaddexp2",
    "copysign",
    "nextafter",
    "heaviside",
    "ldexp",
    "logit",
    "sinc",
    "float_power",
    "log10",
    "lerp",
    "addcmul",
    "addcdiv",
    "isnan",
    "isinf",
    "isfinite",
    "isclose",
    "allclose",
    "equal",
    "nan_to_num",
    "floor_divide",
    "abs",
    "acos",
    "angle",
    "conj",
    "sgn",
    "add",
    "asin",
    "atan",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "cos",
    "cosh",
    "div",
    "eq",
    "exp",
    "expm1",
    "fix",
    "floor",
    "frac",
    "ge",
    "gt",
    "le",
    "log",
    "log1p",
    "log2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "maximum",
    "minimum",
    "mul",
    "ne",
    "neg",
    "pow",
    "reciprocal",
    "relu",
    "round",
    "rsqrt",
    "rsub",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "sub",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "where",
]

# Other names PyTorch gives the same functions.
_ALIASES = {
    "divide": div,
    "subtract": sub,
    "multiply": mul,
    "negative": neg,
    "greater": gt,
    "greater_equal": ge,
    "less": lt,
    "less_equal": le,
    "not_equal": ne,
    "absolute": abs,
    "arcsin": asin,
    "arccos": acos,
    "arctan": atan,
    "arctan2": atan2,
    "arccosh": acosh,
    "arcsinh": asinh,
    "arctanh": atanh,
}
globals().update(_ALIASES)
for _alias, _fn in _ALIASES.items():
    tensor_method(_fn, name=_alias)
__all__ += list(_ALIASES)
