"""Elementwise ops: arithmetic, powers, exponentials, trigonometry, activations, comparisons."""

from .._array import xp
from .registry import op, tensor_method

# --- arithmetic ------------------------------------------------------------------------------


def _scaled(g, alpha):
    return g if alpha == 1 else g * alpha


@op(inputs="self other", broadcast=True, promote="binary",
    grads=(lambda g, n: g, lambda g, n: _scaled(g, n.alpha)))
def add(self, other, alpha=1):
    """``torch.add``: self + alpha * other."""
    return xp.add(self, other if alpha == 1 else xp.multiply(other, alpha))


@op(inputs="self other", broadcast=True, promote="binary",
    grads=(lambda g, n: g, lambda g, n: _scaled(-g, n.alpha)))
def sub(self, other, alpha=1):
    """``torch.sub``: self - alpha * other."""
    if getattr(self, "dtype", None) == bool and getattr(other, "dtype", None) == bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    return xp.subtract(self, other if alpha == 1 else xp.multiply(other, alpha))


@op(inputs="self other", saves="self other", broadcast=True, promote="binary",
    grads=(lambda g, n: g * n.other, lambda g, n: g * n.self))
def mul(self, other):
    """``torch.mul``: the elementwise product."""
    return xp.multiply(self, other)


@op(inputs="self other", saves="self other", broadcast=True, promote="float",
    grads=(lambda g, n: g / n.other, lambda g, n: -g * n.self / (n.other * n.other)),
    node="DivBackward0")
def true_divide(self, other):
    """``torch.true_divide``: the elementwise quotient, in floating point."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.true_divide(self, other)


@op(inputs="self", grads=(lambda g, n: -g,))
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
        return g * 0
    return g * e * n.self ** (e - 1)


@op(inputs="self", saves="self", grads=(_pow_scalar_grad,), node="PowBackward0")
def _pow_scalar(self, exponent):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.power(self, exponent)


def _pow_exponent_grad(g, n):
    base, result = n.self, n.result
    # d/de b**e = b**e * log(b); taken as 0 where b == 0 and e >= 0 (the limit PyTorch uses)
    return g * where((base == 0) & (n.exponent >= 0), 0.0, result * base.log())


@op(inputs="self exponent", saves="self exponent result", broadcast=True, promote="binary",
    grads=(lambda g, n: g * n.exponent * n.self ** (n.exponent - 1), _pow_exponent_grad),
    node="PowBackward1")
def _pow_tensor(self, exponent):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.power(self, exponent)


@op(inputs="exponent", saves="exponent result",
    grads=(lambda g, n: g * n.result * _log_scalar(n.self_scalar),), node="PowBackward2")
def _pow_scalar_base(exponent, self_scalar):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.power(self_scalar, exponent)


def _log_scalar(x):
    import math

    return math.log(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))


@tensor_method
def pow(input, exponent):
    """``torch.pow``: a tensor to a scalar or tensor power, or a scalar to a tensor power."""
    from ..tensor import Tensor

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


@op(inputs="self other", broadcast=True, promote="binary",
    grads=(lambda g, n: g * 0, lambda g, n: g * 0), method=False, node="DivBackward1")
def _rounded_div(self, other, rounding_mode):
    with xp.errstate(divide="ignore", invalid="ignore"):
        if rounding_mode == "floor":
            return xp.floor_divide(self, other)
        q = xp.true_divide(self, other)
        return xp.trunc(q).astype(q.dtype if self.dtype.kind == "f" else self.dtype)


# --- exponentials and logarithms ---------------------------------------------------------------


@op(saves="result", promote="float", grads=(lambda g, n: g * n.result,))
def exp(self):
    """``torch.exp``."""
    return xp.exp(self)


@op(saves="self", promote="float", grads=(lambda g, n: g / n.self,))
def log(self):
    """``torch.log``."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.log(self)


@op(saves="self", promote="float", grads=(lambda g, n: g / (n.self + 1),))
def log1p(self):
    """``torch.log1p``: log(1 + x), accurate near 0."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.log1p(self)


@op(saves="result", promote="float", grads=(lambda g, n: g * (n.result + 1),))
def expm1(self):
    """``torch.expm1``: exp(x) - 1, accurate near 0."""
    return xp.expm1(self)


@op(saves="self", promote="float", grads=(lambda g, n: g / (n.self * 0.6931471805599453),))
def log2(self):
    """``torch.log2``."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.log2(self)


@op(saves="result", promote="float", grads=(lambda g, n: g / (2 * n.result),))
def sqrt(self):
    """``torch.sqrt``."""
    with xp.errstate(invalid="ignore"):
        return xp.sqrt(self)


@op(saves="result", promote="float", grads=(lambda g, n: -0.5 * g * n.result ** 3,))
def rsqrt(self):
    """``torch.rsqrt``: 1 / sqrt(x)."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return 1 / xp.sqrt(self)


# --- sign and magnitude ------------------------------------------------------------------------


@op(saves="self", grads=(lambda g, n: g * n.self.sign(),))
def abs(self):
    """``torch.abs``."""
    return xp.abs(self)


@op(grads=(lambda g, n: g * 0,))
def sign(self):
    """``torch.sign``: -1, 0 or 1 (its gradient is zero)."""
    return xp.sign(self)


# --- trigonometry and hyperbolic functions -----------------------------------------------------


@op(saves="self", promote="float", grads=(lambda g, n: g * n.self.cos(),))
def sin(self):
    """``torch.sin``."""
    return xp.sin(self)


@op(saves="self", promote="float", grads=(lambda g, n: -g * n.self.sin(),))
def cos(self):
    """``torch.cos``."""
    return xp.cos(self)


@op(saves="result", promote="float", grads=(lambda g, n: g * (1 + n.result * n.result),))
def tan(self):
    """``torch.tan``."""
    return xp.tan(self)


@op(saves="result", promote="float", grads=(lambda g, n: g * (1 - n.result * n.result),))
def tanh(self):
    """``torch.tanh``."""
    return xp.tanh(self)


def _sigmoid(x):
    # exp of -|x| never overflows; both halves are the same function.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@op(saves="result", promote="float", grads=(lambda g, n: g * n.result * (1 - n.result),))
def sigmoid(self):
    """``torch.sigmoid``: 1 / (1 + exp(-x))."""
    return _sigmoid(self)


@op(saves="result", grads=(lambda g, n: g * (n.result > 0),))
def relu(self):
    """``torch.relu``: max(x, 0)."""
    return xp.maximum(self, 0) if self.dtype.kind != "b" else self.copy()


# --- clamping, maxima and selection ------------------------------------------------------------


def _clamp_grad(g, n):
    x = n.self
    lo, hi = n.min, n.max
    if lo is None:
        return g * (x <= hi)
    if hi is None:
        return g * (x >= lo)
    return g * ((x >= lo) & (x <= hi))


def _check_clamp(x, min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


@op(saves="self", grads=(_clamp_grad,), node="ClampBackward1", check=_check_clamp)
def clamp(self, min=None, max=None):
    """``torch.clamp``: each element limited to [min, max] (scalar bounds)."""
    if min is not None and isinstance(min, float) and self.dtype.kind in "iub":
        self = self.astype(xp.float32)
    if max is not None and isinstance(max, float) and self.dtype.kind in "iub":
        self = self.astype(xp.float32)
    out = self
    if min is not None:
        out = xp.maximum(out, xp.asarray(min, dtype=out.dtype))
    if max is not None:
        out = xp.minimum(out, xp.asarray(max, dtype=out.dtype))
    return out if out is not self else out.copy()


clip = clamp
tensor_method(clip, name="clip")


def _max_grad(first):
    def formula(g, n):
        a, b = (n.self, n.other) if first else (n.other, n.self)
        return g * where(a == b, 0.5, (a > b).to(g.dtype))

    return formula


def _min_grad(first):
    def formula(g, n):
        a, b = (n.self, n.other) if first else (n.other, n.self)
        return g * where(a == b, 0.5, (a < b).to(g.dtype))

    return formula


@op(inputs="self other", saves="self other", broadcast=True, promote="binary",
    grads=(_max_grad(True), _max_grad(False)))
def maximum(self, other):
    """``torch.maximum``: the elementwise larger value (ties share the gradient)."""
    return xp.maximum(self, other)


@op(inputs="self other", saves="self other", broadcast=True, promote="binary",
    grads=(_min_grad(True), _min_grad(False)))
def minimum(self, other):
    """``torch.minimum``: the elementwise smaller value (ties share the gradient)."""
    return xp.minimum(self, other)


def _check_where(cond, x, y):
    if getattr(cond, "dtype", None) != bool:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dtype_name(cond)}"
        )


def _dtype_name(a):
    from ..dtypes import FROM_NP

    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "float16": "Half", "uint8": "Byte", "int8": "Char", "int16": "Short",
            "bool": "Bool"}.get(FROM_NP[a.dtype].name, FROM_NP[a.dtype].name)


@op(inputs="condition self other", saves="condition", broadcast=True,
    grads=(None, lambda g, n: where(n.condition, g, 0.0), lambda g, n: where(n.condition, 0.0, g)),
    check=_check_where)
def _where(condition, self, other):
    return xp.where(condition, self, other)


@tensor_method
def where(condition, input=None, other=None):
    """``torch.where``: ``input`` where ``condition`` holds, else ``other``; or the indices where
    ``condition`` holds when given alone."""
    from ..dtypes import result_type
    from ..tensor import Tensor, _make

    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    dt = result_type(input, other)
    input, other = [x.to(dt) if isinstance(x, Tensor) else _make(xp.asarray(x, dtype=dt.np))
                    for x in (input, other)]
    return _where(condition, input, other)


# --- comparisons and logic (no gradient) -------------------------------------------------------


def _comparison(name, ufunc):
    def forward(self, other):
        return ufunc(self, other)

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: elementwise, a bool tensor (no gradient)."
    return op(name, inputs="self other", broadcast=True, promote="binary")(forward)


eq = _comparison("eq", xp.equal)
ne = _comparison("ne", xp.not_equal)
lt = _comparison("lt", xp.less)
le = _comparison("le", xp.less_equal)
gt = _comparison("gt", xp.greater)
ge = _comparison("ge", xp.greater_equal)


def _logical(name, ufunc):
    def forward(self, other):
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
        if getattr(self, "dtype", xp.dtype(int)).kind == "f" or getattr(
                other, "dtype", xp.dtype(int)).kind == "f":
            raise RuntimeError(f'"{name}_cpu" not implemented for \'Float\'')
        return ufunc(self, other)

    forward.__name__ = name
    return op(name, inputs="self other", broadcast=True, promote="binary")(forward)


bitwise_and = _bitwise("bitwise_and", xp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", xp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", xp.bitwise_xor)


@op()
def bitwise_not(self):
    """``torch.bitwise_not`` (``~``): logical not for bools, bit flip for integers."""
    if self.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return xp.invert(self)


__all__ = [
    "add", "sub", "mul", "true_divide", "div", "neg", "pow", "exp", "log", "log1p", "expm1", "log2",
    "sqrt", "rsqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "clamp", "clip",
    "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
]

# Other names PyTorch gives the same functions.
_ALIASES = {"divide": div, "subtract": sub, "multiply": mul, "negative": neg, "greater": gt,
            "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne, "absolute": abs}
globals().update(_ALIASES)
for _alias, _fn in _ALIASES.items():
    tensor_method(_fn, name=_alias)
__all__ += list(_ALIASES)
