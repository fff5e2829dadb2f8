"""Ops for neural networks: erf, the activations with their own formulas, a fused linear layer,
nll_loss, and the gather/scatter pair behind embeddings.

Only ``erf`` is public (``torch.erf``); the others are private ops that ``retrograd.nn.functional``
wraps, each with the node name PyTorch gives it (``GeluBackward0``, ``NllLossBackward0`` ...).
Activations whose derivative is not exact when composed (softplus at 0, gelu) are ops here.
"""

import inspect
import math
from collections import namedtuple

from .. import _generator, _sampling, _switches
from .._array import (
    array_exp,
    array_expm1,
    array_log1p,
    array_sigmoid,
    array_tanh,
    c_order,
    kept_layout,
    xp,
)
from .._switches import grad_mode as _grad_state
from ..autograd.grad_mode import enable_grad
from ..autograd.node import AccumulateGrad
from ..tensor import Tensor, _make, _wrap_dim, made_stale
from .pointwise import (
    _add_scalar,
    _div_scalar,
    _dtype_name,
    _mul_scalar,
    _sub,
    _sub_scalar,
    cj,
    piecewise_backward,
    sigmoid_backward,
    threshold_backward,
    where,
    zero_grad,
)
from .registry import (
    declared_again,
    dtype_refusal,
    input_edge,
    no_derivative,
    op,
    shared_formulas,
    tensor_method,
)
from .shape import cat
from .sparse_coo import sparse_coo

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def erf_array(a):
    """erf elementwise (NumPy has none): SciPy's, imported on first use, in the input's float
    dtype; half-width floats go through float32, as SciPy has no loop for them."""
    import scipy.special

    if a.dtype.kind == "V" or a.dtype.itemsize < 4:
        return scipy.special.erf(a.astype(xp.float32)).astype(a.dtype, copy=False)
    return scipy.special.erf(a)


@op(
    real="erf_vml_cpu",
    saves="self",
    promote="float",
    # (PyTorch's order of factors, which lays the gradient out as self is)
    grads=(lambda g, n: _mul_scalar((-n.self.pow(2)).exp(), _TWO_OVER_SQRT_PI) * g,),
)
def erf(self):
    """``torch.erf``: the error function."""
    return kept_layout(erf_array(self), self)


# --- linear layers -----------------------------------------------------------------------------


def _check_linear(b, x, w):
    if x.shape[-1] != w.shape[1]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} "
            f"and {w.shape[1]}x{w.shape[0]})"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_dtype_name(x)} and {_dtype_name(w)}"
        )


# The inputs in PyTorch's addmm order (bias, input, weight): the node's next_functions list them
# so, as a program that walks them from a linear layer's output expects (the bias's
# AccumulateGrad first).  The weight's edge goes to its AccumulateGrad, where PyTorch's goes
# through a TBackward0 first.
@op(
    inputs="bias self weight",
    saves=("", "weight self_strides", "self weight_strides"),
    method=False,
    node="AddmmBackward0",
    check=_check_linear,
    grads=(
        lambda g, n: g.sum(0),
        lambda g, n: _linear_input_grad(g, cj(n.weight), n.self_strides),
        lambda g, n: _linear_weight_grad(g, cj(n.self), n.weight_strides),
    ),
)
def _addmm_linear(bias, self, weight):
    """x W^T + b for a matrix x: one node (PyTorch's addmm) instead of transpose, mm and add."""
    out = xp.matmul(self, weight.T)
    out += bias
    return out


def _linear(self, weight, bias):
    """``_addmm_linear`` called as F.linear orders its arguments."""
    return _addmm_linear(bias, self, weight)


def _linear_input_grad(g, weight, strides):
    """The input's gradient, laid out as the input is (addmm's gradient of ``mat1``)."""
    size = g._data.itemsize
    if strides[0] == size and strides[1] == g.shape[0] * size:  # column by column
        return weight.t().mm(g.t()).t()
    return g.mm(weight)


def _linear_weight_grad(g, x, strides):
    """The weight's gradient, laid out as the weight is: row by row unless it was not (addmm's
    gradient of ``mat2``, the weight's transpose, then transposed back)."""
    size = g._data.itemsize
    if strides[1] == size and strides[0] == x.shape[1] * size:
        return g.t().mm(x)
    return x.t().mm(g).t()


def _as_pytorch_saves_weight(weight):
    """PyTorch's addmm saves ``weight.t()``, a view: its errors describe that (an error path)."""
    with enable_grad():  # a view made as in the forward, so the error names it as PyTorch does
        view = weight.t()
    return made_stale(view)


_addmm_linear.opdef.Node._saved_in_errors = {
    1: _as_pytorch_saves_weight
}  # (saved slot 1: the weight)


# --- activations -------------------------------------------------------------------------------


def _activation_backward(node, double_grad, self_name="self"):
    """Declare an activation's backward op ``(grad_output, self, *attrs)`` under PyTorch's node
    name for it (``GeluBackwardBackward0``): one array pass in a backward call, and under
    create_graph one node whose formulas go on differentiating: the op itself on ``gg`` for
    the output gradient (it is linear in it), ``double_grad`` for the input."""

    def declare(forward):
        attrs = tuple(inspect.signature(forward).parameters)[2:]

        def grad_output_grad(gg, n):
            return fn(gg, getattr(n, self_name), *(getattr(n, a) for a in attrs))

        fn = op(
            inputs=f"grad_output {self_name}",
            saves=(self_name, f"grad_output {self_name}"),
            broadcast=True,
            method=False,
            node=node,
            grads=(grad_output_grad, double_grad),
        )(forward)
        return fn

    return declare


def _gelu_double_grad(gg, n):
    """The derivative of gelu's gradient in the input, times ``gg`` and the output gradient."""
    x, gg = n.self, gg * n.grad_output
    if n.approximate == "tanh":
        t = ((x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI).tanh()
        slope = (x * x * (3 * _GELU_C) + 1) * _SQRT_2_OVER_PI  # of tanh's argument
        bend = x * (6 * _GELU_C * _SQRT_2_OVER_PI) - t * slope * slope * 2
        return gg * _sub(1, t * t) * (slope + x * bend * 0.5)
    square = x * x
    pdf = _mul_scalar(_mul_scalar(square, -0.5).exp(), _INV_SQRT_2PI)
    return gg * (_mul_scalar(pdf, 2) - square * pdf)


@_activation_backward("GeluBackwardBackward0", _gelu_double_grad)
def _gelu_backward(grad_output, self, approximate):
    x = self
    if approximate == "tanh":
        t = array_tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x))
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x))
    else:
        d = 0.5 * (1 + erf_array(x * _INV_SQRT_2)) + x * (_INV_SQRT_2PI * array_exp(-0.5 * x * x))
    return (grad_output * d).astype(grad_output.dtype, copy=False)


@op(
    real="GeluKernelImpl",
    saves="self",
    grads=(lambda g, n: _gelu_backward(g, n.self, n.approximate),),
    node="GeluBackward0",
    method=False,
)
def _gelu(self, approximate="none"):
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (self + _GELU_C * self * self * self)
        return (0.5 * self * (1 + xp.tanh(inner))).astype(self.dtype, copy=False)
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return (0.5 * self * (1 + erf_array(self * _INV_SQRT_2))).astype(self.dtype, copy=False)


def _silu_grad(g, n):
    s = n.self.sigmoid()
    # (PyTorch's grouping: as g * (s * ...) 45% differed)
    return g * s * _add_scalar(n.self * _sub(1, s), 1)


@op(saves="self", grads=(_silu_grad,), node="SiluBackward0", method=False)
def _silu(self):
    if self.dtype.kind == "c":  # x * sigmoid(x), holomorphic
        with xp.errstate(over="ignore", invalid="ignore"):
            return self / (1 + xp.exp(-self))
    # x / (1 + exp(-x)), as PyTorch's kernel computes it (as x * sigmoid(x) a quarter of the
    # float32 values differed in the last bit); exp(-x) is inf below -88, and x / inf is -0
    with xp.errstate(over="ignore"):
        return (self / (1 + array_exp(-self))).astype(self.dtype, copy=False)


def _softplus_double_grad(gg, n):
    """The derivative of softplus's gradient in the input: sigmoid's derivative at beta x, times
    beta, below the threshold (PyTorch's formula, node for node)."""
    bx = _mul_scalar(n.self, n.beta)
    slope = sigmoid_backward(gg * n.grad_output, bx.sigmoid()) * (bx < n.threshold)
    return _mul_scalar(slope, n.beta)


@_activation_backward("SoftplusBackwardBackward0", _softplus_double_grad)
def _softplus_backward(grad_output, self, beta, threshold):
    # g z / (z + 1) with z = exp(beta x), PyTorch's grouping (as g * sigmoid(beta x) about half
    # the gradients differed in the last bit); g itself above the threshold
    bx = self * beta
    with xp.errstate(over="ignore", invalid="ignore"):
        z = array_exp(bx)
        return xp.where(bx > threshold, grad_output, grad_output * z / (z + 1))


@op(
    real="softplus_cpu",
    saves="self",
    grads=(lambda g, n: _softplus_backward(g, n.self, n.beta, n.threshold),),
    node="SoftplusBackward0",
    method=False,
)
def _softplus(self, beta=1.0, threshold=20.0):
    bx = self * beta
    # log1p(exp(bx)) / beta as PyTorch computes it (the exp overflows only where bx is above
    # the threshold, whose values are x itself; written as log1p(exp(-|bx|)) + max(bx, 0), 30%
    # of the float32 values differed in the last bit, 5% now)
    with xp.errstate(over="ignore"):
        soft = array_log1p(array_exp(bx)) / beta
    return xp.where(bx > threshold, self, soft).astype(self.dtype, copy=False)


def _elu_double_grad(gg, n):
    """The derivative of elu's gradient in its input (the gradient itself for input_scale times
    gg and the output gradient), or in its result for the in-place form's (whose gradient is
    linear in the result), where the input is negative (0 at 0, where the gradient's slope
    is the negative side's)."""
    x, gg = n.self_or_result, _mul_scalar(gg * n.grad_output, n.input_scale)
    if not n.is_result:
        gg = _elu_backward(gg, x, n.alpha, n.scale, n.input_scale, False)
    return gg * (x < 0)


# (celu's and selu's too, as in PyTorch), read from the input, or from the result for the in-place
# forms
@_activation_backward("EluBackwardBackward0", _elu_double_grad, "self_or_result")
def _elu_backward(grad_output, self_or_result, alpha, scale, input_scale, is_result):
    x, g = self_or_result, grad_output
    pos = g if scale == 1 else g * scale
    if is_result:
        neg = g * input_scale * (x + alpha * scale)
    else:
        with xp.errstate(over="ignore", invalid="ignore"):  # (exp overflows where x > 0)
            neg = g * (alpha * scale * input_scale) * array_exp(x * input_scale)
    return xp.where(x > 0, pos, neg).astype(g.dtype, copy=False)


def _elu_grad(g, n):
    return _elu_backward(g, n.self, n.alpha, n.scale, n.input_scale, False)


@op(real="elu_cpu", saves="self", grads=(_elu_grad,), node="EluBackward0", method=False)
def _elu(self, alpha=1.0, scale=1.0, input_scale=1.0):
    neg = alpha * array_expm1(xp.minimum(self, 0) * input_scale)
    return (scale * xp.where(self > 0, self, neg)).astype(self.dtype, copy=False)


_leaky_relu_backward = piecewise_backward("LeakyReluBackwardBackward0")
_hardtanh_backward = piecewise_backward("HardtanhBackwardBackward0")


@op(
    real="leaky_relu_cpu",
    saves="self",
    node="LeakyReluBackward0",
    method=False,
    grads=(lambda g, n: _leaky_relu_backward(g, n.self, n.self._data > 0, 1, n.negative_slope),),
)
def _leaky_relu(self, negative_slope=0.01):
    return xp.where(self > 0, self, self * negative_slope).astype(self.dtype, copy=False)


def _inside(x, low, high):
    """Where low < x < high: the open band in which a clamping activation passes gradients."""
    return (x > low).logical_and(x < high)


def _hardtanh_grad(g, n):
    x = n.self._data
    return _hardtanh_backward(g, n.self, (x > n.min_val) & (x < n.max_val), 1, None)


@op(
    real=(NotImplementedError, "clamp is not supported for complex types"),
    saves="self",
    node="HardtanhBackward0",
    method=False,
    grads=(_hardtanh_grad,),
)
def _hardtanh(self, min_val, max_val):
    """x clamped to [min_val, max_val]; unlike clamp, the gradient is 0 at the bounds."""
    return xp.clip(self, min_val, max_val).astype(self.dtype, copy=False)


def _log_sigmoid_double_grad(gg, n):
    """The derivative of log sigmoid's gradient in the input: sigmoid's derivative, negated."""
    s = n.self.sigmoid()
    return gg * n.grad_output * _sub_scalar(s, 1) * s


@_activation_backward("LogSigmoidBackwardBackward0", _log_sigmoid_double_grad)
def _log_sigmoid_backward(grad_output, self):
    # sigmoid(-x) as PyTorch's kernel computes it, from q = z / (1 + z) with z = exp(-|x|):
    # 1 - q for x < 0, q elsewhere (as g * sigmoid(-x) a third of the gradients differed)
    z = array_exp(-xp.abs(self))
    q = z / (1 + z)
    return (grad_output * xp.where(self < 0, 1 - q, q)).astype(grad_output.dtype, copy=False)


@op(
    real="log_sigmoid_cpu",
    saves="self",
    node="LogSigmoidBackward0",
    method=False,
    grads=(lambda g, n: _log_sigmoid_backward(g, n.self),),
)
def _log_sigmoid(self):
    # log(sigmoid(x)) = -log(1 + exp(-x)), written so that exp never overflows
    soft = array_log1p(array_exp(-xp.abs(self)))
    return (xp.minimum(self, 0) - soft).astype(self.dtype, copy=False)


_no_hardsigmoid_second, _no_hardsigmoid_second_forward = no_derivative("hardsigmoid_backward")


# Hardsigmoid's gradient is an op of its own, as in PyTorch, which gives it no derivative: under
# create_graph the gradient's node is NotImplemented, and a second derivative raises.
@op(
    inputs="grad_output self",
    broadcast=True,
    method=False,
    node="torch::autograd::NotImplemented",
    grads=(_no_hardsigmoid_second, _no_hardsigmoid_second),
    jvp=_no_hardsigmoid_second_forward,
)
def _hardsigmoid_backward(grad_output, self):
    inside = (self > -3.0) & (self < 3.0)
    return xp.where(inside, grad_output / 6, xp.zeros((), grad_output.dtype))


@op(
    real="hardsigmoid_cpu",
    saves="self",
    node="HardsigmoidBackward0",
    method=False,
    grads=(lambda g, n: _hardsigmoid_backward(g, n.self),),
    jvp=lambda t, x, r: _hardsigmoid_backward(t[0], x[0]),  # (its own derivative raises)
)
def _hardsigmoid(self):
    return (xp.clip(self + 3, 0, 6) / 6).astype(self.dtype, copy=False)


# (x / 3 + 1/2 between -3 and 3 is hardswish's only slope)
@_activation_backward(
    "HardswishBackwardBackward0",
    lambda gg, n: where(_inside(n.self, -3.0, 3.0), _div_scalar(gg * n.grad_output, 3), 0.0),
)
def _hardswish_backward(grad_output, self):
    g = grad_output
    middle = xp.where(self < 3.0, g * (self / 3 + 0.5), g)
    return xp.where(self <= -3.0, xp.zeros((), g.dtype), middle).astype(g.dtype, copy=False)


@op(
    real="hardswish_cpu",
    saves="self",
    node="HardswishBackward0",
    method=False,
    grads=(lambda g, n: _hardswish_backward(g, n.self),),
)
def _hardswish(self):
    return (self * xp.clip(self + 3, 0, 6) / 6).astype(self.dtype, copy=False)


def _mish_grad(g, n):
    # softplus as log(1 + exp(x)) composed, as PyTorch's formula computes it (its graph under
    # create_graph: an exp of a large x is inf, whose tanh is 1)
    x = n.self
    with xp.errstate(over="ignore"):
        t = x.exp().log1p().tanh()
    return g * (t + x * x.sigmoid() * _sub(1, t * t))


@op(real="mish_cpu", saves="self", node="MishBackward0", method=False, grads=(_mish_grad,))
def _mish(self):
    soft = xp.log1p(xp.exp(-xp.abs(self))) + xp.maximum(self, 0)
    return (self * xp.tanh(xp.where(self > 20, self, soft))).astype(self.dtype, copy=False)


@op(
    real="threshold_cpu",
    saves="self",
    node="ThresholdBackward0",
    method=False,
    grads=(lambda g, n: threshold_backward(g, n.self, n.threshold),),
)
def _threshold(self, threshold, value):
    return xp.where(self > threshold, self, xp.asarray(value, self.dtype))


_celu = op(
    "_celu", real="elu_cpu", saves="self", grads=(_elu_grad,), node="CeluBackward0", method=False
)(lambda self, alpha, scale, input_scale: _elu.opdef.forward(self, alpha, scale, input_scale))


def _elu_result_grad(g, n):
    """elu's derivative read from its result (positive exactly where the input is)."""
    return _elu_backward(g, n.result, n.alpha, n.scale, n.input_scale, True)


_NEGATIVE_SLOPE_IN_PLACE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, please "
    "call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you "
    "do require supporting in-place leakRelu backward calculation with negative slope"
)


def _leaky_relu_result_grad(g, n):
    if n.negative_slope < 0:  # the result no longer tells where the input was positive
        raise RuntimeError(_NEGATIVE_SLOPE_IN_PLACE)
    return _leaky_relu_backward(g, n.result, n.result._data > 0, 1, n.negative_slope)


def _in_place_named(fn, node, result_grad=None):
    """``fn`` again, under the name PyTorch gives the node of its in-place form (``F.elu(x,
    inplace=True)`` makes an ``EluBackward1``).  With ``result_grad`` the node keeps its result, as
    PyTorch's does, so the in-place write need not copy the old values away."""
    d = fn.opdef
    if result_grad is None:
        saves, grads = " ".join(d.saves), d.grads
    else:
        saves, grads = "result", (result_grad,)
    return op(
        d.name + "_",
        inputs=" ".join(d.inputs),
        saves=saves,
        grads=grads,
        node=node,
        method=False,
        check=d.check,
        real=d.real,
    )(d.forward)


# The in-place forms whose nodes PyTorch names apart (``F.leaky_relu_`` ...), by out-of-place op.
IN_PLACE = {
    fn: _in_place_named(fn, *rest)
    for fn, *rest in (
        (_elu, "EluBackward1", _elu_result_grad),
        (_celu, "CeluBackward1", _elu_result_grad),
        (_leaky_relu, "LeakyReluBackward1", _leaky_relu_result_grad),
        (_threshold, "ThresholdBackward1"),
    )
}


# --- the activations of torch's own namespace (``torch.celu`` ...), behind nn.functional's too ------

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _written(fn, input, *args):
    """``fn(input, *args)`` written into ``input``, recorded under the node PyTorch gives the
    in-place form."""
    from .inplace import inplace  # (inplace imports this module)

    return inplace(input, IN_PLACE.get(fn, fn), *args)


def threshold(input, threshold, value):
    """``torch.threshold``: x where x > threshold, else value."""
    return _threshold(input, threshold, value)


def threshold_(input, threshold, value):
    """``torch.threshold_``: ``threshold`` written into ``input``."""
    return _written(_threshold, input, threshold, value)


def celu(input, alpha=1.0):
    """``torch.celu``: x where x > 0, else alpha (exp(x / alpha) - 1)."""
    return _celu(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    """``torch.celu_``: ``celu`` written into ``input``."""
    return _written(_celu, input, alpha, 1.0, 1.0 / alpha)


def selu(input):
    """``torch.selu``: ELU scaled by PyTorch's constants (a ``EluBackward0`` node, as there)."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE)


def selu_(input):
    """``torch.selu_``: ``selu`` written into ``input``."""
    return _written(_elu, input, _SELU_ALPHA, _SELU_SCALE)


def _glu_grad_output_grad(gg, n):
    """gg's product with glu's gradient for an output gradient of ones, halves summed: the
    derivative of glu's gradient in the output gradient."""
    gg_a, gg_b = gg.chunk(2, n.dim)
    a, b = n.self.chunk(2, n.dim)
    s = b.sigmoid()
    return gg_a * s + gg_b * a * s * _sub(1, s)


def _glu_double_grad(gg, n):
    """The derivative of glu's gradient in the input (halves a, b; s = sigmoid(b), whose
    derivative is s (1 - s) and second derivative s (1 - s) (1 - 2 s))."""
    gg_a, gg_b = gg.chunk(2, n.dim)
    a, b = n.self.chunk(2, n.dim)
    s = b.sigmoid()
    slope = s * _sub(1, s) * n.grad_output
    return cat([gg_b * slope, slope * (gg_a + gg_b * a * _sub(1, _mul_scalar(s, 2)))], n.dim)


# Glu's gradient is an op of its own, as in PyTorch (GluBackwardBackward0 under create_graph).
@op(
    inputs="grad_output self",
    saves=("self", "grad_output self"),
    method=False,
    node="GluBackwardBackward0",
    grads=(_glu_grad_output_grad, _glu_double_grad),
)
def _glu_backward(grad_output, self, dim):
    a, b = xp.split(self, 2, axis=dim)
    s = array_sigmoid(b)
    g = grad_output
    return xp.concatenate([g * s, g * a * s * (1 - s)], axis=dim).astype(g.dtype, copy=False)


def _check_glu(a, dim):
    if a.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {a.shape[d]}"
        )


@op(
    real="glu_cpu",
    saves="self",
    node="GluBackward0",
    method=False,
    grads=(lambda g, n: _glu_backward(g, n.self, n.dim),),
    check=_check_glu,
)
def _glu(self, dim):
    a, b = xp.split(self, 2, axis=dim)
    return (a / (1 + xp.exp(-b))).astype(self.dtype, copy=False)


def _channel_shape(x, weight):
    """The weight's shape to broadcast over x: its channels along dim 1."""
    return (-1,) + (1,) * (x.ndim - 2) if x.ndim >= 2 else (-1,)


def _prelu_weight_grad(g, n):
    x, w = n.self, n.weight
    part = where(x > 0, 0.0, x * g)
    if w.numel() == 1 or x.ndim < 2:
        return part.sum().reshape(w.shape)
    return part.sum([d for d in range(x.ndim) if d != 1])


@op(
    real="prelu_cpu",
    inputs="self weight",
    saves="self weight",
    node="PreluKernelBackward0",
    method=False,
    grads=(
        lambda g, n: where(
            n.self > 0,
            g,
            g * n.weight.reshape(_channel_shape(n.self, n.weight))
            if n.weight.numel() > 1
            else g * n.weight.reshape(()),
        ),
        _prelu_weight_grad,
    ),
)
def _prelu(self, weight):
    w = weight.reshape(_channel_shape(self, weight)) if weight.size > 1 else weight.reshape(())
    return xp.where(self > 0, self, self * w).astype(self.dtype, copy=False)


@tensor_method
def prelu(input, weight):
    """``torch.prelu``: x where x > 0, else weight x, one weight per channel (dim 1) or one for
    all."""
    if _switches.autocast is not None:
        from . import autocast

        input, weight = autocast.to_lower_precision(input, weight)
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter "
            f"numbers = {weight.numel()} and channel size = {channels}."
        )
    if input.dtype is not weight.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {input.dtype._tensor_name[:-6]} and "
            f"{weight.dtype._tensor_name[:-6]}"
        )
    return _prelu(input, weight)


# --- normalisation: layer, batch and group norm -------------------------------------------------
#
# Each is one op that returns its result with the mean and 1 / std it normalised with, and saves
# them, as PyTorch's native_*_norm do.  Their first derivatives are computed from those in arrays;
# under create_graph the statistics are recomputed from the input in Tensor ops instead, so that
# the gradient can be differentiated again.

_NormResult = namedtuple("_NormResult", "output mean rstd")


def _normalise(x, dims, eps):
    """x centred and scaled over ``dims``, with the mean and 1 / std (keepdims)."""
    if x.size == 0:  # (as PyTorch: a mean of no values is 0, and its 1 / std nan)
        shape = tuple(1 if d in dims else n for d, n in enumerate(x.shape))
        return x.copy(), xp.zeros(shape, x.dtype), xp.full(shape, xp.nan, x.dtype)
    mean = x.mean(dims, keepdims=True)
    centred = x - mean
    rstd = 1.0 / xp.sqrt((centred * centred).mean(dims, keepdims=True) + eps)
    centred *= rstd
    return centred, mean, rstd


def _affine(out, weight, bias, view):
    if weight is not None:
        out *= weight.reshape(view)
    if bias is not None:
        out += bias.reshape(view)
    return out


def _norm_input_grad_array(gw, xhat, rstd, dims):
    """The input gradient of a normalisation over ``dims`` in arrays: ``gw`` is the output
    gradient times the weight."""
    return rstd * (gw - gw.mean(dims, keepdims=True) - xhat * (gw * xhat).mean(dims, keepdims=True))


def _layer_norm_stats(x, dims, eps):
    """x normalised over ``dims`` and 1 / std, recomputed from x in Tensor ops (differentiable)."""
    centred = x - x.mean(dims, keepdim=True)
    rstd = ((centred * centred).mean(dims, keepdim=True) + eps).rsqrt()
    return centred * rstd, rstd


# --- a normalisation's gradient: a backward op of its own, with its own derivative --------------
# Layer norm's and batch norm's gradients are each one op (PyTorch's NativeLayerNormBackward's
# and NativeBatchNormBackward's backward ops): one array pass for the three gradients in a
# backward call, and under create_graph one node whose formulas below go on differentiating,
# reading the saved mean and 1 / std as constants, as PyTorch's do.


def _wanted(n):
    """Which of a node's inputs have an edge: the gradients a backward op computes."""
    return tuple(f is not None for f, _ in n.next_functions)


def _centred_part(z, xhat, dims):
    """``z`` less its mean and its component along ``xhat`` over ``dims``: the projection a
    normalisation's input gradient applies to the output's."""
    return z - z.mean(dims, keepdim=True) - xhat * (xhat * z).mean(dims, keepdim=True)


def _no_derivative_of(what):
    """The formula of a backward op's input that PyTorch gives no derivative (the statistics)."""

    def formula(gg, n):
        raise NotImplementedError(f"the derivative for '{what}' is not implemented.")

    return formula


def _norm_double_grads(gg, n, mean, rstd, dims, sum_dims, view, training):
    """The gradients of a normalisation's backward op, of (grad_out, input, weight), from those
    of its results (input's, weight's and bias's gradients, None where none came): ``mean`` and
    ``rstd`` are the statistics the input was normalised with (constants, broadcasting against
    it), ``dims`` the dimensions normalised over, ``sum_dims`` those the weight's gradient sums,
    ``view`` the shape the weight broadcasts in (None: as it is)."""
    # (a result the mask left out, empty, has no derivative)
    gg_input, gg_weight, gg_bias = (g if m else None for g, m in zip((*gg, None, None), n.mask))
    g, x = n.grad_out, n.input
    w = n.weight
    if w is not None and view is not None:
        w = w.reshape(view)
    if view is not None:
        gg_weight = None if gg_weight is None else gg_weight.reshape(view)
        gg_bias = None if gg_bias is None else gg_bias.reshape(view)
    xhat = (x - mean) * rstd
    g_grad = w_grad = x_grad = None
    if gg_input is not None:
        t = rstd * (_centred_part(gg_input, xhat, dims) if training else gg_input)
        g_grad = t if w is None else t * w
        if w is not None:
            gt = g * t
            w_grad = gt.sum(sum_dims) if sum_dims else gt
    if gg_weight is not None:
        g_grad = gg_weight * xhat if g_grad is None else g_grad + gg_weight * xhat
    if gg_bias is not None:
        g_grad = gg_bias.expand(g.shape) if g_grad is None else g_grad + gg_bias
    v = None if gg_weight is None else gg_weight * g
    if not training:
        return g_grad, None if v is None else v * rstd, w_grad
    if gg_input is not None:
        a = g if w is None else g * w
        c = (a * xhat).mean(dims, keepdim=True)
        d = (gg_input * xhat).mean(dims, keepdim=True)
        s = rstd * (c * gg_input + d * a)
        v = -s if v is None else v - s
    if v is not None:
        x_grad = rstd * _centred_part(v, xhat, dims)
        if gg_input is not None:
            grad_input = rstd * _centred_part(a, xhat, dims)
            x_grad = x_grad - rstd * (gg_input * grad_input).mean(dims, keepdim=True) * xhat
    return g_grad, x_grad, w_grad


def _layer_norm_grad_arrays(g, x, weight, mean, rstd, k, mask):
    """Layer norm's three gradients in arrays (None where ``mask`` says none is wanted)."""
    nd = x.ndim
    dims, lead = tuple(range(nd - k, nd)), tuple(range(nd - k))
    grad_input = grad_weight = grad_bias = None
    if mask[0] or mask[1]:
        xhat = (x - mean) * rstd
        if mask[0]:
            gw = g if weight is None else g * weight
            grad_input = _norm_input_grad_array(gw, xhat, rstd, dims)
        if mask[1]:
            grad_weight = (g * xhat).sum(lead)
    if mask[2]:
        grad_bias = g.sum(lead)
    return grad_input, grad_weight, grad_bias


def _backward_results(grads, x):
    """A backward op's results: an empty array for a gradient not asked for."""
    return tuple(xp.empty(0, x.dtype) if a is None else a for a in grads)


def _layer_norm_double_grads(gg, n):
    nd = n.input.ndim
    dims, lead = tuple(range(nd - n.k, nd)), tuple(range(nd - n.k))
    g_grad, x_grad, w_grad = _norm_double_grads(gg, n, n.mean, n.rstd, dims, lead, None, True)
    return g_grad, x_grad, None, None, w_grad, None


_LAYER_NORM_DOUBLE = shared_formulas(6, _layer_norm_double_grads, _layer_norm_double_grads)


@op(
    inputs="grad_out input mean rstd weight bias",
    saves="grad_out input mean rstd weight",
    outputs=3,
    method=False,
    node="NativeLayerNormBackwardBackward0",
    # (the bias: an edge whose derivative is none, as PyTorch records it)
    grads=(
        *_LAYER_NORM_DOUBLE[:2],
        _no_derivative_of("native_layer_norm_backward mean"),
        _no_derivative_of("native_layer_norm_backward rstd"),
        *_LAYER_NORM_DOUBLE[4:],
    ),
)
def _layer_norm_backward(grad_out, input, mean, rstd, weight, bias, k, mask):
    """Layer norm's gradients of its input, weight and bias (PyTorch's native_layer_norm_backward);
    ``mean`` and ``rstd`` are the forward's statistics, ``mask`` the gradients wanted."""
    grads = _layer_norm_grad_arrays(grad_out, input, weight, mean, rstd, k, mask)
    return _backward_results(grads, input)


def _layer_norm_grads_in_arrays(g, n):
    w = n.weight
    grads = _layer_norm_grad_arrays(
        g._data,
        n.input._data,
        None if w is None else w._data,
        n.result1._data,
        n.result2._data,
        n.k,
        _wanted(n),
    )
    return tuple(None if a is None else _make(a) for a in grads)


def _layer_norm_grads_in_tensors(g, n):
    mask = _wanted(n)
    # (the statistics outside the graph, as PyTorch's forward gives them)
    mean, rstd = _make(n.result1._data), _make(n.result2._data)
    grads = _layer_norm_backward(g, n.input, mean, rstd, n.weight, n.bias, n.k, mask)
    return tuple(t if m else None for t, m in zip(grads, mask))


@op(
    real="LayerNormKernelImpl",
    inputs="input weight bias",
    saves="input weight bias result1 result2",
    outputs=1,
    returns=_NormResult,
    method=False,
    node="NativeLayerNormBackward0",
    grads=shared_formulas(3, _layer_norm_grads_in_arrays, _layer_norm_grads_in_tensors),
)
def _layer_norm(input, weight, bias, k, eps):
    """``input`` normalised over its last ``k`` dimensions, then scaled and shifted; with the
    mean and 1 / std (PyTorch's native_layer_norm)."""
    out, mean, rstd = _normalise(input, tuple(range(input.ndim - k, input.ndim)), eps)
    out = _affine(out, weight, bias, weight.shape if weight is not None else None)
    dtype = input.dtype
    return (
        c_order(out.astype(dtype, copy=False)),
        mean.astype(dtype, copy=False),
        rstd.astype(dtype, copy=False),
    )


def _plain_result(i):
    """A saved statistic as PyTorch hands it out: a tensor outside the graph."""
    return property(lambda node: _make(node._unpack(node._saved_slots[f"result{i}"])._data))


for _node in (_layer_norm.opdef.Node,):
    _node._saved_result1, _node._saved_result2 = _plain_result(1), _plain_result(2)


# --- batch norm ----------------------------------------------------------------------------------


def _channel_view(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _batch_norm_dims(x):
    return (0,) + tuple(range(2, x.ndim))


def _batch_norm_stats(x, save_mean, save_invstd, running_mean, running_var, training, eps):
    """The mean and 1 / std the input was normalised with, in its channel view (arrays): the
    batch's, saved, in training, else the running ones."""
    view = _channel_view(x)
    if training:
        return save_mean.reshape(view), save_invstd.reshape(view)
    mean = running_mean.reshape(view).astype(x.dtype, copy=False)
    return mean, (1 / xp.sqrt(running_var + eps)).reshape(view).astype(x.dtype, copy=False)


def _batch_norm_grad_arrays(g, x, weight, mean, rstd, training, mask):
    """Batch norm's three gradients in arrays (None where ``mask`` says none is wanted);
    ``mean`` and ``rstd`` in the channel view."""
    dims = _batch_norm_dims(x)
    grad_input = grad_weight = grad_bias = None
    if mask[0] or mask[1]:
        xhat = (x - mean) * rstd
        if mask[0]:
            gw = g if weight is None else g * weight.reshape(_channel_view(x))
            grad_input = _norm_input_grad_array(gw, xhat, rstd, dims) if training else gw * rstd
        if mask[1]:
            grad_weight = (g * xhat).sum(dims)
    if mask[2]:
        grad_bias = g.sum(dims)
    return grad_input, grad_weight, grad_bias


def _batch_norm_double_grads(gg, n):
    x = n.input
    mean, rstd = _batch_norm_stats(
        x._data,
        n.save_mean._data,
        n.save_invstd._data,
        n.running_mean,
        n.running_var,
        n.training,
        n.eps,
    )
    dims = _batch_norm_dims(x)
    g_grad, x_grad, w_grad = _norm_double_grads(
        gg, n, _make(mean), _make(rstd), dims, dims, _channel_view(x), n.training
    )
    return g_grad, x_grad, w_grad, None, None


def _batch_norm_backward(
    grad_out, input, weight, save_mean, save_invstd, running_mean, running_var, training, eps, mask
):
    """Batch norm's gradients of its input, weight and bias (PyTorch's
    native_batch_norm_backward): ``save_mean`` and ``save_invstd`` are the batch statistics
    of the forward in training, ``mask`` the gradients wanted."""
    mean, rstd = _batch_norm_stats(
        input, save_mean, save_invstd, running_mean, running_var, training, eps
    )
    grads = _batch_norm_grad_arrays(grad_out, input, weight, mean, rstd, training, mask)
    return _backward_results(grads, input)


_BATCH_NORM_DOUBLE = shared_formulas(5, _batch_norm_double_grads, _batch_norm_double_grads)

# Batch norm's backward op, once as native_batch_norm's and once as the one of the private
# operators that update the running statistics or not (the forward's op name says which)
_BATCH_NORM_BACKWARDS = {
    name: op(
        name,
        inputs="grad_out input weight save_mean save_invstd",
        saves="grad_out input weight save_mean save_invstd",
        outputs=3,
        method=False,
        node=node,
        grads=(
            *_BATCH_NORM_DOUBLE[:3],
            _no_derivative_of(f"{aten} save_mean"),
            _no_derivative_of(f"{aten} save_invstd"),
        ),
    )(_batch_norm_backward)
    for name, node, aten in (
        (
            "_native_batch_norm_backward",
            "NativeBatchNormBackwardBackward0",
            "native_batch_norm_backward",
        ),
        ("_batch_norm_backward", "BatchNormBackwardBackward0", "batch_norm_backward"),
    )
}


def _batch_norm_grads_in_arrays(g, n):
    w = n.weight
    x = n.input._data
    mean, rstd = _batch_norm_stats(
        x, n.result1._data, n.result2._data, n.running_mean, n.running_var, n.training, n.eps
    )
    grads = _batch_norm_grad_arrays(
        g._data, x, None if w is None else w._data, mean, rstd, n.training, _wanted(n)
    )
    return tuple(None if a is None else _make(a) for a in grads)


def _batch_norm_grads_in_tensors(g, n):
    mask = _wanted(n)
    name = "_batch_norm_backward" if "_update" in n._op_name else "_native_batch_norm_backward"
    grads = _BATCH_NORM_BACKWARDS[name](
        g,
        n.input,
        n.weight,
        _make(n.result1._data),
        _make(n.result2._data),
        n.running_mean,
        n.running_var,
        n.training,
        n.eps,
        mask,
    )
    return tuple(t if m else None for t, m in zip(grads, mask))


@op(
    inputs="input weight bias",
    saves="input weight result1 result2",
    outputs=1,
    returns=_NormResult,
    method=False,
    node="NativeBatchNormBackward0",
    grads=shared_formulas(3, _batch_norm_grads_in_arrays, _batch_norm_grads_in_tensors),
)
def _batch_norm(input, weight, bias, running_mean, running_var, training, eps):
    """Each channel (dim 1) normalised with the batch statistics (training) or the running ones,
    then scaled and shifted; with the batch mean and 1 / std in training, empty in eval (PyTorch's
    native_batch_norm)."""
    view = _channel_view(input)
    dtype = input.dtype
    if training:
        out, mean, rstd = _normalise(input, _batch_norm_dims(input), eps)
        mean, rstd = mean.reshape(-1), rstd.reshape(-1)
    else:
        out = (input - running_mean.reshape(view)) / xp.sqrt(running_var.reshape(view) + eps)
        mean = rstd = xp.empty(0, dtype)
    out = _affine(out, weight, bias, view)
    return (
        out.astype(dtype, copy=False),
        mean.astype(dtype, copy=False),
        rstd.astype(dtype, copy=False),
    )


# PyTorch's private batch-norm operators compute what _batch_norm does and each records a node of
# its own; by op name: the torch.ops.aten operator's (its no_stats overload's: ..._no_stats)
BATCH_NORM_OPS = {
    name: declared_again(_batch_norm, name, node)
    for name, node in (
        ("_native_batch_norm_legit", "NativeBatchNormLegitBackward0"),
        ("_native_batch_norm_legit_no_stats", "NativeBatchNormLegitBackward1"),
        ("_native_batch_norm_legit_no_training", "NativeBatchNormLegitNoTrainingBackward0"),
        ("_batch_norm_with_update", "BatchNormWithUpdateBackward0"),
        ("_batch_norm_no_update", "BatchNormNoUpdateBackward0"),
    )
}
for _fn in (_batch_norm, *BATCH_NORM_OPS.values()):
    _fn.opdef.Node._saved_result1 = _plain_result(1)
    _fn.opdef.Node._saved_result2 = _plain_result(2)


# --- group norm ----------------------------------------------------------------------------------


def _group_norm_xhat(n):
    """x normalised within each (sample, group), in x's shape, and 1 / std per (sample, group)."""
    x = n.input
    grouped = x.reshape(_grouped_shape(x.shape, n.num_groups))
    xhat, rstd = _layer_norm_stats(grouped, (2,), n.eps)
    return xhat, rstd


def _grouped_shape(shape, groups):
    """(N, groups, the rest): an empty batch too, which a -1 cannot size."""
    rest = 1
    for k in shape[1:]:
        rest *= k
    return (shape[0], groups, rest // groups)


def _group_norm_xhat_array(n):
    x = n.input._data
    grouped = x.reshape(_grouped_shape(x.shape, n.num_groups))
    return (grouped - n.result1._data[..., None]) * n.result2._data[..., None]


def _group_norm_input_grad(grads, n):
    # The mean's and 1 / std's gradients reach the input along with the output's, as in
    # PyTorch (d mean = 1 / M, d rstd = -rstd^2 xhat / M per element of a group of M).
    g, g_mean, g_rstd = (list(grads) + [None, None])[:3]
    x = n.input
    if g is None:
        return _make(xp.zeros(x.shape, x._data.dtype))
    if not _grad_state.enabled and g_mean is None and g_rstd is None:
        gw = g._data if n.weight is None else g._data * n.weight._data.reshape(_channel_view(g))
        xhat = _group_norm_xhat_array(n)
        rstd = n.result2._data[..., None]
        return _make(_norm_input_grad_array(gw.reshape(xhat.shape), xhat, rstd, 2).reshape(x.shape))
    xhat, rstd = _group_norm_xhat(n)
    gw = g if n.weight is None else g * n.weight.reshape(_channel_view(x))
    gw = gw.reshape(xhat.shape)
    dx = rstd * (gw - gw.mean(2, keepdim=True) - xhat * (gw * xhat).mean(2, keepdim=True))
    size = xhat.shape[2]
    if g_mean is not None:
        dx = dx + g_mean.unsqueeze(-1) / size
    if g_rstd is not None:
        dx = dx - g_rstd.unsqueeze(-1) * rstd * rstd * xhat / size
    return dx.reshape(x.shape)


def _group_norm_weight_grad(grads, n):
    g = grads[0]
    if g is None:
        return _make(xp.zeros(n.weight.shape, n.weight._data.dtype))
    if not _grad_state.enabled:
        xhat = _group_norm_xhat_array(n).reshape(g.shape)
        return _make((g._data * xhat).sum(_batch_norm_dims(g)))
    xhat, _ = _group_norm_xhat(n)
    return (g * xhat.reshape(g.shape)).sum(_batch_norm_dims(g))


@op(
    inputs="input weight bias",
    saves="input weight result1 result2",
    outputs=3,
    returns=_NormResult,
    method=False,
    node="NativeGroupNormBackward0",
    grads=(
        _group_norm_input_grad,
        _group_norm_weight_grad,
        lambda grads, n: None if grads[0] is None else grads[0].sum(_batch_norm_dims(grads[0])),
    ),
)
def _group_norm(input, weight, bias, num_groups, eps):
    """Channels split into ``num_groups`` groups, each normalised over its channels and space,
    then scaled and shifted per channel; with the mean and 1 / std per (sample, group) (PyTorch's
    native_group_norm)."""
    grouped = input.reshape(_grouped_shape(input.shape, num_groups))
    out, mean, rstd = _normalise(grouped, (2,), eps)
    out = _affine(out.reshape(input.shape), weight, bias, _channel_view(input))
    dtype = input.dtype
    return (
        out.astype(dtype, copy=False),
        mean[..., 0].astype(dtype, copy=False),
        rstd[..., 0].astype(dtype, copy=False),
    )


# --- nll_loss ------------------------------------------------------------------------------------


def _nll_parts(shape, target, weight, ignore_index):
    """Per element of ``target``: the class it picks (ignored ones pointed at 0) and its weight,
    None where every element weighs 1 (no class weights, nothing ignored: the common call, told
    apart by the target's extremes alone when ``ignore_index`` is no class)."""
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    if target.size and 0 <= target.min() and target.max() < n_classes:
        if not (0 <= ignore_index < n_classes and (target == ignore_index).any()):
            return target, None if weight is None else weight[target]
    ignored = target == ignore_index
    bad = (~ignored) & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].reshape(-1)[0])} is out of bounds.")
    safe = xp.where(ignored, 0, target)
    w = xp.ones(safe.shape) if weight is None else weight[safe]
    return safe, xp.where(ignored, 0.0, w)


def _picked_places(shape, safe):
    """The index of the entry that each element of ``safe`` picks along the class dimension (1,
    or 0 for a vector) of an array of ``shape``."""
    if len(shape) == 1:
        return safe
    if len(shape) == 2:
        return xp.arange(shape[0]), safe
    return xp.expand_dims(safe, 1)


def _nll_input_grad(shape, grad_output, safe, w, ignored):
    """d loss / d input times ``grad_output`` (already over the mean's total weight): -w times
    it at each picked class (``safe``, ``w`` from ``_nll_parts``), +0 elsewhere and for the
    ``ignored`` elements.  The loss is linear in its input, so this is its whole derivative;
    only the picked entries are multiplied (a negative gradient times 0 would write -0 where
    PyTorch's zeros are +0)."""
    grad = xp.zeros(shape, grad_output.dtype)
    picked = -grad_output if w is None else -w * grad_output
    if w is not None and ignored.any():
        picked = xp.where(ignored, 0, picked)
    places = _picked_places(shape, safe)
    if len(shape) > 2:
        xp.put_along_axis(grad, places, xp.expand_dims(picked, 1) if picked.ndim else picked, 1)
    else:
        grad[places] = picked
    return grad


def _nll_grad(g, n):
    return _nll_loss_backward(
        g, input_edge(n), n.target, n.weight, n.reduction, n.ignore_index, n.self_shape
    )


@op(
    inputs="grad_output self",
    method=False,
    node="NllLossBackwardBackward0",
    # linear in grad_output, whose adjoint picks as the loss picks its input: nll_loss itself;
    # constant in the loss's input (``self``: its edge, see ``input_edge``)
    grads=(
        lambda gg, n: _nll_loss(gg, n.target, n.weight, n.reduction, n.ignore_index),
        zero_grad,
    ),
)
def _nll_loss_backward(grad_output, self, target, weight, reduction, ignore_index, self_shape):
    """nll_loss's gradient: ``grad_output`` times the loss's constant derivative.  One op (not
    a product with a constant tensor) so that a trace records it as a step."""
    safe, w = _nll_parts(self_shape, target, weight, ignore_index)
    if reduction == "mean":  # g over the total weight first, then times -w, as PyTorch's kernel
        total = safe.size if w is None else w.sum(dtype=grad_output.dtype)
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad_output = grad_output / grad_output.dtype.type(total)
    return _nll_input_grad(self_shape, grad_output, safe, w, target == ignore_index)


@op(
    real="nll_loss_out_frame",
    saves="self_shape",
    grads=(_nll_grad,),
    node="NllLossBackward0",
    method=False,
)
def _nll_loss(self, target, weight, reduction, ignore_index):
    safe, w = _nll_parts(self.shape, target, weight, ignore_index)
    places = _picked_places(self.shape, safe)
    if self.ndim > 2:
        picked = xp.take_along_axis(self, places, 1).squeeze(1)
    else:
        picked = self[places]
    if w is None:  # every weight 1
        losses = -picked
        if reduction == "none":
            return losses
        total = losses.sum(dtype=self.dtype)
        if reduction == "sum":
            return total
        return xp.asarray(total / self.dtype.type(safe.size), dtype=self.dtype)
    losses = (-w * picked).astype(self.dtype)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=self.dtype)
    if reduction == "sum":
        return total
    with xp.errstate(invalid="ignore", divide="ignore"):
        return xp.asarray(total / w.sum(dtype=self.dtype), dtype=self.dtype)


# --- pointwise losses ----------------------------------------------------------------------------
# Each one node with PyTorch's name (``MseLossBackward0`` ...), reduction included, as PyTorch
# prints it after ``loss = F.mse_loss(...)``.  The formulas give d loss / d input per element,
# scaled by 1 / numel for 'mean'.


def _reduce_array(loss, reduction, dtype):
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = loss.sum(dtype=dtype) if reduction == "sum" else loss.mean(dtype=dtype)
    return xp.asarray(total, dtype=dtype)


# The gradients group their arithmetic as PyTorch's do, each loss its own way (a different order
# changes the last bit of a third of the gradients): the kernels of mse, smooth l1 and huber scale
# d loss / d input by the reduction's constant (2 / numel ...) and then multiply by g; the others
# multiply by g first and divide by numel last.


def _mean_grad(grad, n):
    """``grad`` (g times d loss / d input) over numel for 'mean' (a division by a number)."""
    return _div_scalar(grad, grad.numel()) if n.reduction == "mean" else grad


# The gradients of mse, smooth l1 and huber are ops of their own, as in PyTorch: one array pass
# in a backward call, and under create_graph one node (MseLossBackwardBackward0 ...) whose own
# formulas go on differentiating.  The target's gradient is the op with input and target swapped.


def _per_element_scale(reduction, d, scale=1.0):
    """A loss's constant factor of d loss / d input: ``scale``, over numel for 'mean'."""
    return scale / d.size if reduction == "mean" else scale


def _loss_backward(name, node, forward, double, grad_output_grad=None):
    """A loss's backward op ``(grad_output, self, target, reduction, param)``: ``forward(d,
    grad_output, param, scale)`` on arrays (d the input minus the target, scale the reduction's
    constant factor); its formulas: the op itself for grad_output (unless ``grad_output_grad``
    is given), ``double(gg * grad_output, node)`` for the input and its negation for the
    target."""

    def backward(grad_output, self, target, reduction, param):
        d = self - target
        return c_order(forward(d, grad_output, param, _per_element_scale(reduction, d)))

    fn = op(
        name,
        inputs="grad_output self target",
        saves=("self target", "grad_output self target", "grad_output self target"),
        broadcast=True,
        promote="binary",
        method=False,
        node=node,
        grads=(
            grad_output_grad or (lambda gg, n: fn(gg, n.self, n.target, n.reduction, n.param)),
            lambda gg, n: double(gg * n.grad_output, n),
            lambda gg, n: -double(gg * n.grad_output, n),
        ),
    )(backward)
    return fn


def _mse_forward(d, grad_output, _, scale):
    return d * (2.0 * scale) * grad_output


_mse_backward = _loss_backward(
    "_mse_loss_backward",
    "MseLossBackwardBackward0",
    _mse_forward,
    lambda g, n: _mean_grad(_mul_scalar(g, 2), n),
)


@op(
    real="mse_cpu",
    inputs="self target",
    saves="self target",
    broadcast=True,
    promote="binary",
    method=False,
    node="MseLossBackward0",
    grads=(
        lambda g, n: _mse_backward(g, n.self, n.target, n.reduction, None),
        lambda g, n: _mse_backward(g, n.target, n.self, n.reduction, None),
    ),
)
def _mse_loss(self, target, reduction):
    d = self - target
    return _reduce_array(d * d, reduction, d.dtype)


def _smooth_l1_forward(d, grad_output, beta, scale):
    # d loss / d input per element: d / beta inside the band |d| < beta, sign(d) outside
    slope = xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))
    return (slope if scale == 1 else slope * scale) * grad_output


def _inside_band(g, n):
    """``g`` where the input is within the loss's quadratic band (|d| < beta), else 0."""
    return g * ((n.self - n.target).abs() < n.param)


_smooth_l1_backward = _loss_backward(
    "_smooth_l1_loss_backward",
    "SmoothL1LossBackwardBackward0",
    _smooth_l1_forward,
    lambda g, n: _mean_grad(_div_scalar(_inside_band(g, n), n.param), n),
)


def _smooth_l1_values(self, target, beta):
    d = xp.abs(self - target)
    return xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)


@op(
    real="smooth_l1_cpu",
    inputs="self target",
    saves="self target",
    broadcast=True,
    promote="binary",
    method=False,
    node="SmoothL1LossBackward0",
    grads=(
        lambda g, n: _smooth_l1_backward(g, n.self, n.target, n.reduction, n.beta),
        lambda g, n: _smooth_l1_backward(g, n.target, n.self, n.reduction, n.beta),
    ),
)
def _smooth_l1_loss(self, target, reduction, beta):
    loss = _smooth_l1_values(self, target, beta)
    return _reduce_array(loss, reduction, loss.dtype)


def _huber_forward(d, grad_output, delta, scale):
    # d itself inside the band |d| < delta ((d / delta) * delta is not always d), delta times its
    # sign outside
    slope = xp.where(xp.abs(d) < delta, d, xp.sign(d) * delta)
    return (slope if scale == 1 else slope * scale) * grad_output


def _reduced_grad_output_grad(backward, gg, n, *args):
    """The derivative of a loss's backward op in its output gradient, as PyTorch's: for a
    reduced loss the slopes for an output gradient of 1, times gg, summed; else the op on gg."""
    if n.reduction == "none":
        return backward(gg, n.self, n.target, n.reduction, *args)
    ones = n.grad_output.new_ones(n.grad_output.shape)
    return (backward(ones, n.self, n.target, n.reduction, *args) * gg).sum()


_huber_backward = _loss_backward(
    "_huber_loss_backward",
    "HuberLossBackwardBackward0",
    _huber_forward,
    lambda g, n: _mean_grad(_inside_band(g, n), n),
    lambda gg, n: _reduced_grad_output_grad(_huber_backward, gg, n, n.param),
)


def _huber_grad(wrt, other):
    def grad(g, n):
        # PyTorch's loss has the input's dtype whatever the target's; its backward takes only
        # one dtype and names the other tensor's as found.
        a, b = getattr(n, wrt), getattr(n, other)
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"Found dtype {_dtype_name(b._data)} but expected {_dtype_name(a._data)}"
            )
        return _huber_backward(g, a, b, n.reduction, n.delta)

    return grad


# Huber with delta is delta times smooth l1 with beta = delta, computed in the promoted dtype and
# given the input's.
@op(
    real="huber_cpu",
    inputs="self target",
    saves="self target",
    broadcast=True,
    method=False,
    node="HuberLossBackward0",
    grads=(_huber_grad("self", "target"), _huber_grad("target", "self")),
)
def _huber_loss(self, target, reduction, delta):
    loss = delta * _smooth_l1_values(self, target, delta)
    return _reduce_array(loss, reduction, self.dtype)


def _weighted(per_element, weight):
    return per_element if weight is None else per_element * weight


# The input's gradient is an op of its own, as in PyTorch (BinaryCrossEntropyBackwardBackward0
# under create_graph); its formulas are PyTorch's, which add 1e-12 to p and 1 - p where the
# gradient itself clamps p (1 - p) at 1e-12.
_BCE_EPS = 1e-12


def _bce_double_grad_output(gg, n):
    x, y = n.self, n.target
    slope = (x - y) / (_add_scalar(x, _BCE_EPS) * _add_scalar(_sub(1, x), _BCE_EPS))
    return _mean_grad(_weighted(slope * gg, n.weight), n)


def _bce_double_self(gg, n):
    x, y = n.self, n.target
    curvature = x * x - _mul_scalar(x, 2) * y + y  # (d/dp of (p - y) / (p (1 - p)), its numerator)
    square = _add_scalar(x, _BCE_EPS).pow(2) * _add_scalar(_sub(1, x), _BCE_EPS).pow(2)
    return _mean_grad(_weighted(curvature / square * (gg * n.grad_output), n.weight), n)


def _bce_double_target(gg, n):
    x = n.self
    return _mean_grad(_weighted(-gg * n.grad_output / (_sub(1, x) * x), n.weight), n)


@op(
    inputs="grad_output self target weight",
    saves=("self target weight", "grad_output self target weight", "grad_output self weight", ""),
    broadcast=True,
    method=False,
    node="BinaryCrossEntropyBackwardBackward0",
    grads=(_bce_double_grad_output, _bce_double_self, _bce_double_target, None),
)
def _binary_cross_entropy_backward(grad_output, self, target, weight, reduction):
    grad = grad_output * (self - target) / xp.maximum((1 - self) * self, _BCE_EPS)
    if weight is not None:
        grad = grad * weight
    if reduction == "mean":
        grad = grad / grad.size
    return grad.astype(self.dtype, copy=False)


def _bce_input_grad(g, n):
    return _binary_cross_entropy_backward(g, n.self, n.target, n.weight, n.reduction)


def _bce_target_grad(g, n):
    # -logit(p) g, unclamped (inf at p = 0) and -0 at p = 1/2, as PyTorch's
    return _mean_grad(_weighted(-n.self.logit() * g, n.weight), n)


def _check_bce(self, target, weight, reduction):
    if target.dtype != self.dtype:
        raise RuntimeError(f"Found dtype {_dtype_name(target)} but expected {_dtype_name(self)}")


@op(
    inputs="self target weight",
    saves="self target weight",
    broadcast=True,
    method=False,
    node="BinaryCrossEntropyBackward0",
    check=_check_bce,
    grads=(_bce_input_grad, _bce_target_grad, None),
)
def _binary_cross_entropy(self, target, weight, reduction):
    with xp.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100 as PyTorch does
        log_p = xp.maximum(xp.log(self), -100)
        log_q = xp.maximum(xp.log1p(-self), -100)
    loss = -(target * log_p + (1 - target) * log_q)
    if weight is not None:
        loss = loss * weight
    return _reduce_array(loss, reduction, self.dtype)


def _bce_logits_input_grad(g, n):
    x, y = n.self, n.target
    if n.pos_weight is None:
        slope = x.sigmoid() - y
    else:  # (1 + (pos_weight - 1) y) sigmoid(x) - pos_weight y, PyTorch's formula op for op
        weighted_y = n.pos_weight * y
        slope = (_add_scalar(weighted_y, 1) - y) * x.sigmoid() - weighted_y
    return _mean_grad(_weighted(slope * g, n.weight), n)


def _bce_logits_target_grad(g, n):
    x = n.self
    if n.pos_weight is None:
        slope = -x
    else:  # log sigmoid(-x) - pos_weight log sigmoid(x), as PyTorch's formula
        slope = _log_sigmoid(-x) - n.pos_weight * _log_sigmoid(x)
    return _mean_grad(_weighted(slope * g, n.weight), n)


# The result has the target's dtype, as PyTorch's.
@op(
    inputs="self target weight pos_weight",
    saves="self target weight pos_weight",
    broadcast=True,
    method=False,
    node="BinaryCrossEntropyWithLogitsBackward0",
    grads=(_bce_logits_input_grad, _bce_logits_target_grad, None, None),
)
def _binary_cross_entropy_with_logits(self, target, weight, pos_weight, reduction):
    """(1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x)), the log written so exp never
    overflows."""
    log_sig_neg = xp.log1p(xp.exp(-xp.abs(self))) + xp.maximum(-self, 0)
    if pos_weight is None:
        loss = (1 - target) * self + log_sig_neg
    else:
        loss = (1 - target) * self + (1 + (pos_weight - 1) * target) * log_sig_neg
    if weight is not None:
        loss = loss * weight
    # PyTorch's result is written into a tensor of the target's dtype (a float64 input with a
    # float32 target gives a float32 loss), computed in the promoted one.
    return _reduce_array(loss, reduction, target.dtype)


def _soft_margin_double_grad(gg, n):
    """The derivative of soft margin's gradient in the input: y^2 z / (1 + z)^2 with
    z = exp(-y x), over numel for 'mean'."""
    y = n.target
    z = (-y * n.self).exp()
    denominator = _add_scalar(z, 1)
    return _mean_grad(gg * n.grad_output * (y * y) * z / (denominator * denominator), n)


# Soft margin's gradient is an op of its own, as in PyTorch (SoftMarginLossBackwardBackward0
# under create_graph); the output gradient's derivative sums back to a reduced loss's shape.
@op(
    inputs="grad_output self target",
    saves=("self target", "grad_output self target", ""),
    broadcast=True,
    method=False,
    node="SoftMarginLossBackwardBackward0",
    grads=(
        lambda gg, n: _reduced_grad_output_grad(_soft_margin_backward, gg, n),
        _soft_margin_double_grad,
        None,
    ),
)
def _soft_margin_backward(grad_output, self, target, reduction):
    # -y z / (1 + z) with z = exp(-y x), scaled first, as PyTorch's kernel computes it
    z = array_exp(-target * self)
    scale = -1.0 / self.size if reduction == "mean" else -1.0
    return (scale * target * z / (1 + z) * grad_output).astype(self.dtype, copy=False)


@op(
    inputs="self target",
    saves="self target",
    method=False,
    node="SoftMarginLossBackward0",
    grads=(lambda g, n: _soft_margin_backward(g, n.self, n.target, n.reduction), None),
)
def _soft_margin_loss(self, target, reduction):
    z = -target * self
    loss = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)  # log(1 + exp(z)) without overflow
    return _reduce_array(loss, reduction, self.dtype)


# --- nearest-neighbour upsampling ----------------------------------------------------------------


def _nearest_sources(in_size, out_size, scale):
    """For each output position along one dimension, the input position it copies: floor(j s)
    with s = 1 / scale_factor when one is given, else in / out (PyTorch's 'nearest')."""
    step = 1.0 / scale if scale is not None else in_size / out_size
    return xp.minimum(xp.floor(xp.arange(out_size) * step).astype(xp.int64), in_size - 1)


def _nearest_plan(in_shape, sizes, scales):
    """(axis, source positions) for each upsampled dimension (the last ``len(sizes)``)."""
    lead = len(in_shape) - len(sizes)
    return [
        (lead + i, _nearest_sources(in_shape[lead + i], size, scale))
        for i, (size, scale) in enumerate(zip(sizes, scales))
    ]


@op(
    inputs="grad",
    method=False,
    node="UpsampleNearestBackwardBackward0",
    grads=(lambda g, n: _upsample_nearest(g, n.sizes, n.scales),),
)
def _upsample_nearest_backward(grad, in_shape, sizes, scales):
    """The adjoint of copying: each output's gradient added back to the input it copied."""
    out = grad
    for axis, src in _nearest_plan(in_shape, sizes, scales):
        onehot = (xp.arange(in_shape[axis])[:, None] == src[None, :]).astype(grad.dtype)
        out = xp.moveaxis(xp.tensordot(out, onehot, axes=([axis], [1])), -1, axis)
    return out


def _upsample_nearest_name(n_dims):
    return f"UpsampleNearest{n_dims}DBackward0"


def _upsample_nearest_forward(self, sizes, scales):
    out = self
    for axis, src in _nearest_plan(self.shape, sizes, scales):
        out = xp.take(out, src, axis=axis)
    return out


_upsample_nearest_ops = {
    k: op(
        f"_upsample_nearest{k}d",
        saves="self_shape",
        method=False,
        node=_upsample_nearest_name(k),
        grads=(lambda g, n: _upsample_nearest_backward(g, n.self_shape, n.sizes, n.scales),),
    )(_upsample_nearest_forward)
    for k in (1, 2, 3)
}


def _upsample_nearest(input, sizes, scales):
    """Nearest-neighbour upsampling of the last ``len(sizes)`` dimensions (of floating types
    and uint8, as PyTorch's kernels)."""
    if input._data.dtype.kind not in "fV" and input._data.dtype != xp.uint8:
        kernel = "upsample_nearest2d_channels_last" if len(sizes) == 2 else ""
        raise dtype_refusal(kernel or "compute_indices_weights_nearest", input)
    return _upsample_nearest_ops[len(sizes)](input, tuple(sizes), tuple(scales))


# --- padding -------------------------------------------------------------------------------------


def _check_pad(a, pad, value):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * a.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input "
            f"dimension but got padding length {len(pad)} and input of dimension "
            f"{a.ndim}"
        )
    for i in range(len(pad) // 2):
        if a.shape[a.ndim - 1 - i] + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")


@op(
    grads=(lambda g, n: _constant_pad(g, tuple(-p for p in n.pad), 0),),
    method=False,
    node="ConstantPadNdBackward0",
    check=_check_pad,
)
def _constant_pad(self, pad, value):
    """``pad`` as (before, after) pairs from the last dimension back; negative amounts crop.  Its
    adjoint is the same op with every amount negated."""
    crop = [slice(None)] * self.ndim
    widths = [(0, 0)] * self.ndim
    for i in range(len(pad) // 2):
        d = self.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        crop[d] = slice(max(-before, 0), self.shape[d] - max(-after, 0))
        widths[d] = (max(before, 0), max(after, 0))
    return xp.pad(self[tuple(crop)], widths, constant_values=value)


# --- reflect and replicate padding: a gather by an index map, its adjoint a scatter-add ----------


def _pad_maps(shape, pad, mode):
    """Per padded dimension (the last ``len(pad) // 2``), the source index of each output
    position: mirrored at the edges for 'reflect', held at the edge for 'replicate'."""
    maps = []
    k = len(pad) // 2
    for i in range(k):
        d = len(shape) - k + i
        before, after = pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]
        n = shape[d]
        src = xp.arange(-before, n + after)
        if mode == "reflect":
            src = xp.abs(src)
            src = xp.where(src > n - 1, 2 * (n - 1) - src, src)
        else:
            src = xp.clip(src, 0, n - 1)
        maps.append(src)
    return tuple(maps)


def _map_key(ndim, maps):
    """The advanced key that reads ``maps`` on the last dimensions, an outer product of them."""
    k = len(maps)
    grid = xp.ix_(*maps) if k > 1 else maps
    return (Ellipsis, *grid)


def _repad_grad(g, n):
    return _PAD_OPS[n.node_name](g, n.maps, n.node_name)


def _unpad_by_map(grad, input, maps, shape, node_name):
    """The adjoint of a padding by index map: each output's gradient added at its source
    (``input``: the padded input's edge, see ``input_edge``)."""
    out = xp.zeros(shape, grad.dtype)
    xp.add.at(out, _map_key(len(shape), maps), grad)
    return out


def _pad_by_map_grad(g, n):
    return _UNPAD_OPS[n.node_name](g, input_edge(n), n.maps, n.self_shape, n.node_name)


def _pad_by_map(self, maps, node_name):
    return c_order(self[_map_key(self.ndim, maps)])


# one op per mode and rank, named as PyTorch names its node (ReflectionPad2DBackward0 ...)
_PAD_OPS = {
    name: op(
        "_pad_" + name, saves="self_shape", method=False, node=name, grads=(_pad_by_map_grad,)
    )(_pad_by_map)
    for name in (
        f"{kind}Pad{k}DBackward0" for kind in ("Reflection", "Replication") for k in (1, 2, 3)
    )
}
# and the adjoint of each, by the padding's node name (ReflectionPad2DBackwardBackward0 ...)
_UNPAD_OPS = {
    name: op(
        "_unpad_" + name,
        inputs="grad input",
        method=False,
        node=name[: -len("0")] + "Backward0",
        grads=(_repad_grad, zero_grad),
    )(_unpad_by_map)
    for name in _PAD_OPS
}


def map_pad(input, pad, mode):
    """'reflect' or 'replicate' padding of the last ``len(pad) // 2`` dimensions (negative
    amounts crop)."""
    kind = "Reflection" if mode == "reflect" else "Replication"
    name = f"{kind}Pad{len(pad) // 2}DBackward0"
    return _PAD_OPS[name](input, _pad_maps(input.shape, pad, mode), name)


# --- embedding ----------------------------------------------------------------------------------


@op(
    inputs="grad",
    method=False,
    node="EmbeddingDenseBackwardBackward0",
    grads=(lambda g, n: _embedding(g, n.indices, None),),
    jvp="linear",
)
def _embedding_backward(grad, indices, shape, padding_idx, scale_grad_by_freq=False):
    """Zeros of the weight's ``shape`` with each row of ``grad`` added at its index (the adjoint
    of the lookup); the ``padding_idx`` row gets nothing.  With ``scale_grad_by_freq`` each row
    is divided by how often its index occurs in ``indices``.  (As in PyTorch, the derivative of
    this with respect to ``grad`` is the plain lookup: it leaves out both the padding row and
    the scaling.)"""
    out = xp.zeros(shape, grad.dtype)
    if scale_grad_by_freq:
        counts = xp.bincount(indices.ravel(), minlength=shape[0]).astype(grad.dtype)
        grad = grad / counts[indices][..., None]
    xp.add.at(out, indices, grad)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def _embedding_weight_grad(g, n):
    if n.sparse and _to_leaf(n, g):
        if n.scale_grad_by_freq:
            raise RuntimeError(
                "embedding_backward: scale_grad_by_freq not supported with sparse gradients"
            )
        return _sparse_rows(g, n.indices.reshape(-1), n.weight_shape, n.padding_idx)
    return _embedding_backward(g, n.indices, n.weight_shape, n.padding_idx, n.scale_grad_by_freq)


# The nodes a sparse gradient passes through, as in PyTorch: their formulas multiply the incoming
# gradient elementwise (by a number or a tensor of the same shape), so it keeps its zeros.
_SPARSE_THROUGH = frozenset(
    ("AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "NegBackward0")
    + ("ExpBackward0", "CloneBackward0")
)


def _to_leaf(n, g):
    """Whether the weight's gradient ``g`` is made sparse: when every path from the lookup
    reaches a leaf's ``.grad`` (or where ``autograd.grad`` captures it) only through nodes that
    pass a sparse gradient on, and it is no derivative that a backward with create_graph=True
    records.  (PyTorch passes a sparse gradient on into any node and fails in those that do not
    take one, and records the graph of one; here those get the dense gradient, of the same
    values, differentiable where it should be.)"""
    if _grad_state.enabled and g.requires_grad:
        return False
    todo, seen = [n.next_functions[0][0]], set()
    while todo:
        node = todo.pop()
        if node is None or type(node) is AccumulateGrad or id(node) in seen:
            continue
        if type(node).__name__ not in _SPARSE_THROUGH:
            return False
        meta = node._meta  # (an input broadcast or cast: its gradient is summed or cast)
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is not None:
                if meta is not None and meta[i] is not None:
                    return False
                todo.append(nxt)
        seen.add(id(node))
    return True


def _sparse_rows(g, rows, shape, padding_idx):
    """The sparse COO gradient of a lookup: one entry per row looked up (repeats kept, as
    PyTorch leaves them uncoalesced), the padding row's left out."""
    values = g._data.reshape(len(rows), *shape[1:])
    if padding_idx is not None:
        keep = rows != padding_idx
        rows, values = rows[keep], values[keep]
    return sparse_coo(rows[None].astype(xp.int64, copy=False), values, shape)


@op(
    inputs="weight",
    saves="weight_shape",
    method=False,
    node="EmbeddingBackward0",
    grads=(_embedding_weight_grad,),
)
def _embedding(weight, indices, padding_idx, scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at ``indices``; ``sparse``: the weight's gradient is a sparse COO
    tensor (when it goes into a leaf's ``.grad``)."""
    return weight[indices]


def embedding_renorm_(weight, indices, max_norm, norm_type):
    """``torch.embedding_renorm_``: the rows of ``weight`` at ``indices`` whose ``norm_type``
    norm exceeds ``max_norm`` scaled down to it (by max_norm / (norm + 1e-7)), in place and
    outside the graph."""
    rows = xp.unique(as_index(indices))
    w = weight._data
    sub = w[rows]
    if norm_type == math.inf:
        norms = xp.abs(sub).max(1) if sub.size else xp.zeros(len(rows))
    elif norm_type == 0:  # the count of nonzero entries
        norms = (sub != 0).sum(1)
    else:
        norms = (xp.abs(sub.astype(xp.float64)) ** norm_type).sum(1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sub[big] * scale[:, None]
        weight._vc.version += 1
    return weight


def _bag_coefficients(n, bag_of, count):
    """Per looked-up row: its weight in its bag's sum (per-sample weights aside), 0 where the
    row is padding: 1 for 'sum', 1 / rows in the bag for 'mean'."""
    coef = xp.where(n.valid, 1.0, 0.0)
    if n.mode == "mean":
        coef = coef / xp.maximum(count, 1)[bag_of]
    return coef


def _bag_weight_grad(g, n):
    idx, bag_of = n.indices, n.bag_of
    rows = g.index_select(0, _make(bag_of))
    shape = n.weight.shape
    if n.mode == "max":
        _, first = _bag_max(n.weight._data, idx, bag_of, n.n_bags, n.valid)
        b, d = xp.nonzero(first >= 0)  # (bags, dims) that have a maximum
        target = idx[first[b, d]] * shape[1] + d
        flat = _make(xp.zeros(shape[0] * shape[1], g._data.dtype))
        return flat.index_add(0, _make(target), g[_make(b), _make(d)]).reshape(shape)
    sparse = n.sparse and _to_leaf(n, g)
    if sparse and n.scale_grad_by_freq:
        raise RuntimeError(
            "embedding_backward: scale_grad_by_freq not supported with sparse gradients"
        )
    count = xp.bincount(bag_of[n.valid], minlength=n.n_bags)
    coef = _bag_coefficients(n, bag_of, count)
    if n.scale_grad_by_freq:
        coef = coef / _bag_frequency_scale(idx, shape[0])[idx]
    coef = _make(coef.astype(g._data.dtype)[:, None])
    rows = rows * coef
    if n.per_sample_weights is not None:
        rows = rows * n.per_sample_weights.unsqueeze(1)
    if sparse:
        keep = n.valid  # padding rows get no entry
        return sparse_coo(idx[keep][None].astype(xp.int64), rows._data[keep], tuple(shape))
    zeros = _make(xp.zeros(shape, g._data.dtype))
    return zeros.index_add(0, _make(idx), rows)


def _bag_frequency_scale(idx, rows):
    """The divisor of each weight row's gradient under ``scale_grad_by_freq``, as PyTorch's CPU
    kernel for embedding_bag applies it: the k-th smallest distinct index looked up is divided by
    the count of the k-th entry of the sorted indices (repetitions included), which is the
    index's own count only while the indices before it are distinct."""
    counts = xp.bincount(idx, minlength=rows)
    divisor = xp.ones(rows, xp.int64)
    distinct = xp.unique(idx)
    divisor[distinct] = counts[xp.sort(idx)[: len(distinct)]]
    return divisor


def _bag_sample_weight_grad(g, n):
    rows = g.index_select(0, _make(n.bag_of)) * n.weight.index_select(0, _make(n.indices))
    return rows.sum(1) * _make(n.valid.astype(g._data.dtype))


def _bag_max(weight, indices, bag_of, n_bags, valid):
    """Each bag's maximum of the rows of ``weight`` at ``indices`` (0 for an empty bag), and the
    position in ``indices`` of the first row that holds it (-1 for an empty bag), as PyTorch's
    kernel keeps it."""
    rows = weight[indices][valid]
    keep = bag_of[valid]
    out = xp.full((n_bags, weight.shape[1]), -xp.inf, weight.dtype)
    xp.maximum.at(out, keep, rows)
    empty = xp.isneginf(out)
    out[empty] = 0
    pos = xp.nonzero(valid)[0]
    first = xp.full(out.shape, len(indices), xp.int64)
    xp.minimum.at(first, keep, xp.where(rows == out[keep], pos[:, None], len(indices)))
    return out, xp.where(empty, -1, first)


@op(
    inputs="weight per_sample_weights",
    saves="weight per_sample_weights",
    method=False,
    node="EmbeddingBagBackward0",
    grads=(_bag_weight_grad, _bag_sample_weight_grad),
)
def _embedding_bag(
    weight,
    per_sample_weights,
    indices,
    bag_of,
    n_bags,
    mode,
    valid,
    scale_grad_by_freq=False,
    sparse=False,
):
    """The bags' sums, means or maxima of the rows of ``weight`` at ``indices`` (``bag_of`` the
    bag of each; rows where ``valid`` is False are padding and left out; ``scale_grad_by_freq``
    divides each row's gradient by how often its index occurs).  A maximum's gradient
    goes to the row that gave it, found again from the saved weight in the backward pass."""
    if mode == "max":
        return _bag_max(weight, indices, bag_of, n_bags, valid)[0]
    rows = weight[indices]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    keep = bag_of[valid]
    out = xp.zeros((n_bags, weight.shape[1]), weight.dtype)
    xp.add.at(out, keep, rows[valid])
    if mode == "mean":
        count = xp.bincount(keep, minlength=n_bags)
        out /= xp.maximum(count, 1)[:, None].astype(weight.dtype)
    return out


# --- weight normalisation: w = g * v / ||v||, the norm over every dimension but ``dim`` ----------


def _except_dim(dim, ndim):
    """The dimensions a weight-norm reduces: all (``dim`` -1), or all but ``dim``."""
    return tuple(range(ndim)) if dim == -1 else tuple(i for i in range(ndim) if i != dim)


def _wn_sum(x, dim):
    """``x`` summed over the weight-norm dimensions, kept as size 1 (a 0-d result for dim -1)."""
    axes = _except_dim(dim, x.ndim)
    if dim == -1:
        return x.sum()
    return x.sum(list(axes), keepdim=True) if axes else x


def _wn_v_grad(g, n):
    norm = _wn_sum(n.v * n.v, n.dim).sqrt()
    along = _wn_sum(g * n.v, n.dim)
    return n.g / norm * (g - n.v * (along / (norm * norm)))


def _wn_g_grad(g, n):
    return _wn_sum(g * n.v, n.dim) / _wn_sum(n.v * n.v, n.dim).sqrt()


@op(
    inputs="v g",
    saves="v g",
    method=False,
    node="WeightNormInterfaceBackward0",
    grads=(_wn_v_grad, _wn_g_grad),
)
def _weight_norm(v, g, dim):
    """``torch._weight_norm``: ``v * (g / ||v||)``, the norm taken over every dimension except
    ``dim`` (over all of them for ``dim`` -1)."""
    axes = _except_dim(dim, v.ndim)
    norm = xp.sqrt((v * v).sum(axis=axes, keepdims=dim != -1))
    return (v * (g / norm)).astype(v.dtype, copy=False)


def _floats_only(kernel):
    """A check raising PyTorch's error for a non-float input to ``kernel`` (its CPU kernel name)."""

    def check(a, *attrs):
        if a.dtype.kind not in "fV":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(a)}'")

    return check


def _outside_band(x, lambd):
    """Where a shrinking activation passes its gradient: outside [-lambd, lambd] (nan too)."""
    return ~((x >= -lambd) & (x <= lambd))


_hardshrink_backward = piecewise_backward("HardshrinkBackwardBackward0")
_softshrink_backward = piecewise_backward("SoftshrinkBackwardBackward0")


@op(
    saves="self",
    node="HardshrinkBackward0",
    check=_floats_only("hardshrink_cpu"),
    grads=(
        lambda g, n: _hardshrink_backward(g, n.self, _outside_band(n.self._data, n.lambd), 1, None),
    ),
)
def hardshrink(self, lambd=0.5):
    """``torch.hardshrink``: x outside [-lambd, lambd], 0 inside."""
    return xp.where(_outside_band(self, lambd), self, xp.zeros((), self.dtype))


def _check_softshrink(a, lambd):
    _floats_only("softshrink_check")(a)
    if lambd < 0:
        top = xp.finfo(a.dtype).max
        raise RuntimeError(
            f"lambda must be in range [0, {float(top):g}] for input dtype {_dtype_name(a)}, "
            f"but found {lambd:g}"
        )


@op(
    saves="self",
    node="SoftshrinkBackward0",
    method=False,
    check=_check_softshrink,
    grads=(
        lambda g, n: _softshrink_backward(g, n.self, _outside_band(n.self._data, n.lambd), 1, None),
    ),
)
def _softshrink(self, lambd=0.5):
    """``F.softshrink``: x moved lambd towards 0, and 0 inside [-lambd, lambd]."""
    return (self - xp.clip(self, -lambd, lambd)).astype(self.dtype, copy=False)


_rrelu_backward = piecewise_backward("RreluWithNoiseBackwardBackward0")
_NOWHERE = xp.zeros((), bool)


def _rrelu_slopes(g, n, x):
    """rrelu's gradient read from ``x``, its input or (in place) its result: in training the
    slopes drawn in the forward, everywhere; else the mean slope where x is not positive (the
    result is positive exactly where the input was, as the mean slope is not negative)."""
    if n.training and n.upper - n.lower > 1e-6:
        return _rrelu_backward(g, x, _NOWHERE, 1, n.noise)
    return _rrelu_backward(g, x, x._data > 0, 1, (n.lower + n.upper) / 2)


@op(
    inputs="self",
    saves="self",
    node="RreluWithNoiseBackward0",
    method=False,
    check=_floats_only("leaky_relu_cpu"),
    grads=(lambda g, n: _rrelu_slopes(g, n, n.self),),
)
def _rrelu_with_noise(self, noise, lower, upper, training):
    if training:
        return (self * noise).astype(self.dtype, copy=False)
    slope = (lower + upper) / 2
    return xp.where(self > 0, self, self * slope).astype(self.dtype, copy=False)


IN_PLACE[_rrelu_with_noise] = _in_place_named(
    _rrelu_with_noise, "RreluWithNoiseBackward1", lambda g, n: _rrelu_slopes(g, n, n.result)
)


def rrelu_noise(a, lower: float, upper: float, training: bool, generator=None):
    """The slopes ``rrelu`` multiplies ``a`` by in training: one float64 uniform on [lower, upper)
    per element that is not positive, drawn in C order (as PyTorch's kernel visits a contiguous
    copy of its input), 1 elsewhere; None outside training."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return None
    flat = xp.ascontiguousarray(a).reshape(-1)
    low = flat <= 0
    gen = _generator.resolve(generator)
    drawn = _sampling.fma64(_sampling.uniform01_f64(gen, int(low.sum())), upper - lower, lower)
    noise = xp.ones(flat.shape, a.dtype)
    noise[low] = drawn.astype(a.dtype)
    return noise.reshape(a.shape)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """``torch.rrelu``: leaky relu whose negative slope is drawn uniformly from [lower, upper)
    for each element in training, and is their mean otherwise."""
    noise = rrelu_noise(input._data, lower, upper, training, generator)
    return _rrelu_with_noise(input, noise, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """``torch.rrelu_``: ``rrelu`` written into ``input``."""
    from .inplace import inplace  # (inplace imports this module)

    noise = rrelu_noise(input._data, lower, upper, training, generator)
    return inplace(input, IN_PLACE[_rrelu_with_noise], noise, lower, upper, training)


def _copied(arranged, shape):
    """A fresh C-ordered copy of the view ``arranged``, in ``shape`` (never the input's memory,
    even where the rearrangement moves nothing)."""
    out = xp.empty(arranged.shape, arranged.dtype)
    out[...] = arranged
    return out.reshape(shape)


def _check_shuffle(name, what, a, factor):
    if a.ndim < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{a.ndim} dimension(s)"
        )
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def _check_pixel_shuffle(a, upscale_factor):
    _check_shuffle("pixel_shuffle", "upscale_factor", a, upscale_factor)
    c = a.shape[-3]
    if c % (upscale_factor * upscale_factor):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by "
            f"{upscale_factor * upscale_factor}"
        )


def _check_pixel_unshuffle(a, downscale_factor):
    _check_shuffle("pixel_unshuffle", "downscale_factor", a, downscale_factor)
    for side, d in (("height", -2), ("width", -1)):
        if a.shape[d] % downscale_factor:
            raise RuntimeError(
                f"pixel_unshuffle expects {side} to be divisible by downscale_factor, but "
                f"input.size({d})={a.shape[d]} is not divisible by {downscale_factor}"
            )


@op(
    node="PixelShuffleBackward0",
    method=False,
    check=_check_pixel_shuffle,
    grads=(lambda g, n: pixel_unshuffle(g, n.upscale_factor),),
)
def pixel_shuffle(self, upscale_factor):
    """``torch.pixel_shuffle``: (*, C r^2, H, W) to (*, C, H r, W r), each group of r^2
    channels spread over an r-by-r block."""
    r = upscale_factor
    *lead, c, h, w = self.shape
    blocks = self.reshape(*lead, c // (r * r), r, r, h, w)
    k = len(lead)
    order = (*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return _copied(blocks.transpose(order), (*lead, c // (r * r), h * r, w * r))


@op(
    node="PixelUnshuffleBackward0",
    method=False,
    check=_check_pixel_unshuffle,
    grads=(lambda g, n: pixel_shuffle(g, n.downscale_factor),),
)
def pixel_unshuffle(self, downscale_factor):
    """``torch.pixel_unshuffle``: pixel_shuffle undone, (*, C, H r, W r) to (*, C r^2, H, W)."""
    r = downscale_factor
    *lead, c, h, w = self.shape
    blocks = self.reshape(*lead, c, h // r, r, w // r, r)
    k = len(lead)
    order = (*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return _copied(blocks.transpose(order), (*lead, c * r * r, h // r, w // r))


def _check_channel_shuffle(a, groups):
    if a.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(a.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if a.shape[1] % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {a.shape[1]} channels and "
            f"{groups} groups."
        )


@op(
    node="ChannelShuffleBackward0",
    method=False,
    check=_check_channel_shuffle,
    grads=(lambda g, n: channel_shuffle(g, g.shape[1] // n.groups),),
)
def channel_shuffle(self, groups):
    """``torch.channel_shuffle``: the channels, read as a (groups, C / groups) grid, transposed."""
    n, c, *rest = self.shape
    grid = self.reshape(n, groups, c // groups, *rest).swapaxes(1, 2)
    return _copied(grid, self.shape)


# --- margin losses over classes ------------------------------------------------------------------
# Inputs (N, C) or (C,), one node each with PyTorch's name, the reduction inside it.  A sample's
# loss sums hinge terms over pairs of classes; each formula gives d loss / d input per sample.


def _per_sample(g, n, rows, ndim):
    """``g`` (the loss's gradient) as one factor per sample row, the mean's 1 / N included."""
    if n.reduction == "none":
        return g.reshape(rows, 1) if ndim > 1 else g.reshape(1)
    return g / rows if n.reduction == "mean" else g


def _margin_terms(x, target, margin):
    """margin - x[target] + x[j] for every class j, the target's own column excluded (N, C)."""
    picked = xp.take_along_axis(x, target[:, None], 1)
    z = margin - picked + x
    others = xp.ones(x.shape, bool)
    xp.put_along_axis(others, target[:, None], False, 1)
    return z, others


def _multi_margin_grad(g, n):
    x = n.self
    rows = x.shape[0] if x.ndim > 1 else 1
    x2 = x.reshape(rows, -1)
    t = n.target.reshape(rows)
    z, others = _margin_terms(x2._data, t, n.margin)
    live = others & (z > 0)
    scale = (xp.ones(rows) if n.weight is None else n.weight[t]) / x2.shape[1]
    if n.p == 1:
        d = _make((live * scale[:, None]).astype(x._data.dtype))
    else:  # p == 2: 2 z, z as a tensor so a second derivative sees it
        z_t = x2 - x2.gather(1, _make(t[:, None])) + n.margin
        d = z_t * _make((2 * live * scale[:, None]).astype(x._data.dtype))
    own = _make(xp.eye(x2.shape[1], dtype=x._data.dtype)[t])
    d = d - own * d.sum(1, keepdim=True)  # the target's own column: minus the others' sum
    return (_per_sample(g, n, rows, x.ndim) * d).reshape(x.shape)


@op(saves="self", node="MultiMarginLossBackward0", method=False, grads=(_multi_margin_grad,))
def _multi_margin_loss(self, target, p, margin, weight, reduction):
    rows = self.shape[0] if self.ndim > 1 else 1
    x = self.reshape(rows, -1)
    t = target.reshape(rows)
    z, others = _margin_terms(x, t, margin)
    hinge = xp.where(others, xp.maximum(z, 0), 0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[t][:, None]
    losses = hinge.sum(1) / x.shape[1]
    return _reduce_array(losses if self.ndim > 1 else losses.reshape(()), reduction, self.dtype)


def _multilabel_pairs(x, target):
    """For (N, C) scores and targets: how often each class is named before the first -1 (N, C),
    whether it is not named at all (N, C), and the hinge terms 1 - x[named] + x[other] (N, C, C)."""
    valid = xp.cumprod(target != -1, axis=1).astype(bool)
    counts = xp.zeros(x.shape)
    rows = xp.broadcast_to(xp.arange(x.shape[0])[:, None], target.shape)
    xp.add.at(counts, (rows[valid], target[valid]), 1.0)
    z = 1 - x[:, :, None] + x[:, None, :]
    return counts, counts == 0, z


def _multilabel_margin_grad(g, n):
    x = n.self
    rows = x.shape[0] if x.ndim > 1 else 1
    a = x._data.reshape(rows, -1)
    counts, other, z = _multilabel_pairs(a, n.target.reshape(rows, -1))
    live = counts[:, :, None] * other[:, None, :] * (z > 0)  # (N, named, other)
    d = (live.sum(1) - live.sum(2)) / a.shape[1]
    return (_per_sample(g, n, rows, x.ndim) * _make(d.astype(a.dtype))).reshape(x.shape)


def _check_multilabel(a, target, reduction):
    if target.shape != a.shape:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(a.shape)}"
        )


@op(
    saves="self",
    node="MultilabelMarginLossBackward0",
    method=False,
    check=_check_multilabel,
    grads=(_multilabel_margin_grad,),
)
def _multilabel_margin_loss(self, target, reduction):
    rows = self.shape[0] if self.ndim > 1 else 1
    x = self.reshape(rows, -1)
    counts, other, z = _multilabel_pairs(x, target.reshape(rows, -1))
    hinge = counts[:, :, None] * other[:, None, :] * xp.maximum(z, 0)
    losses = (hinge.sum((1, 2)) / x.shape[1]).astype(self.dtype)
    return _reduce_array(losses if self.ndim > 1 else losses.reshape(()), reduction, self.dtype)


# --- pdist ---------------------------------------------------------------------------------------


def _pdist_pairs(n):
    """The row pairs (i, j), i < j, in the order of pdist's output."""
    return xp.triu_indices(n, 1)


def _pdist_grad(g, n):
    """The gradient of each pairwise distance ||x_i - x_j||_p, sent to row i and, negated, to
    row j (PyTorch's formulas: zero where a distance is zero, and for p < 1 where a difference
    is; for p = inf to every coordinate that attains the maximum)."""
    x, p = n.self, n.p
    rows, cols = x.shape
    if rows < 2 or cols == 0 or p == 0:
        return x * 0
    i, j = (_make(a) for a in _pdist_pairs(rows))
    diff = x.index_select(0, i) - x.index_select(0, j)
    dist = n.result.unsqueeze(1)
    g = g.unsqueeze(1)
    if p == 1:
        gd = diff.sign() * g
    elif p == math.inf:
        gd = diff.sign() * (diff.abs() == dist).to(diff.dtype) * g
    else:
        safe = where(dist == 0, 1.0, dist)
        if p == 2:
            gd = diff * g / safe
        else:
            size = diff.abs() if p > 1 else where(diff == 0, 1.0, diff.abs())  # (0 ** (p - 1))
            gd = diff.sign() * size.pow(p - 1) * g / safe.pow(p - 1)
        gd = where(dist == 0, 0.0, gd)
    zeros = x * 0
    return zeros.index_add(0, i, gd).index_add(0, j, -gd)


def _check_pdist(a, p):
    if a.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {a.ndim}D")
    if a.dtype.kind not in "fV":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")


@op(saves="self result", method=False, check=_check_pdist, grads=(_pdist_grad,))
def pdist(self, p=2.0):
    """``torch.pdist``: the p-norm distance between every pair of rows i < j of a 2-D input, in
    row-major order of the pairs."""
    i, j = _pdist_pairs(self.shape[0])
    diff = xp.abs(self[i] - self[j])
    if p == 0:
        out = (diff != 0).sum(1)
    elif p == math.inf:
        out = diff.max(1, initial=0)
    elif p == 1:
        out = diff.sum(1)
    elif p == 2:
        out = xp.sqrt((diff * diff).sum(1))
    else:
        out = (diff**p).sum(1) ** (1.0 / p)
    return c_order(xp.asarray(out, self.dtype))


# --- affine grids --------------------------------------------------------------------------------


def _affine_base(size, align_corners, dtype):
    """The normalised coordinates (x, y[, z], 1) of every output point, (points, nd + 1): pixel
    centres (or corners, with ``align_corners``) spread over [-1, 1] along each dimension."""
    from ..creation import linspace
    from ..dtypes import from_numpy_dtype

    spatial = tuple(size[2:])
    axes = []
    for n in reversed(spatial):  # x first
        if n <= 1:
            axes.append(xp.zeros(n, dtype))
            continue
        coords = linspace(-1.0, 1.0, n, dtype=from_numpy_dtype(dtype))._data
        axes.append(coords if align_corners else coords * dtype.type((n - 1) / n))
    mesh = xp.meshgrid(*reversed(axes), indexing="ij")  # (z,) y, x
    base = xp.stack([*reversed(mesh), xp.ones(spatial, dtype)], -1)
    return base.reshape(-1, len(spatial) + 1)


def _affine_grid_grad(g, n):
    base = _make(_affine_base(n.size, n.align_corners, g._data.dtype))
    rows = g.reshape(g.shape[0], -1, g.shape[-1])  # (N, points, nd)
    return rows.transpose(1, 2).matmul(base)


@op(inputs="theta", method=False, grads=(_affine_grid_grad,))
def affine_grid_generator(theta, size, align_corners):
    """``torch.affine_grid_generator``: the sampling grid [N, (D,) H, W, nd] that the affine maps
    ``theta`` [N, nd, nd + 1] make of the normalised output coordinates (``F.affine_grid``)."""
    base = _affine_base(size, align_corners, theta.dtype)
    grid = base[None] @ theta.transpose(0, 2, 1)
    return c_order(grid.reshape((size[0], *size[2:], theta.shape[1])).astype(theta.dtype))


# --- the dropout mask ----------------------------------------------------------------------------


def _masked_scale_grad(g, n):
    return _masked_scale(g, n.mask, n.grad_scale, n.grad_scale)


@op(node="NativeDropoutBackward0", method=False, grads=(_masked_scale_grad,))
def _masked_scale(self, mask, scale, grad_scale):
    """``self * mask * scale`` for a boolean ``mask`` (the kept elements): dropout's output,
    whose node is PyTorch's ``NativeDropoutBackward0``; its gradient is scaled by
    ``grad_scale`` (``native_dropout`` with ``train=None`` scales its gradient by 1)."""
    return (self * mask * self.dtype.type(scale)).astype(self.dtype, copy=False)


@op(
    inputs="grad_output",
    node="NativeDropoutBackwardBackward0",
    method=False,
    grads=(lambda g, n: _dropout_backward(g, n.mask, n.scale),),
)
def _dropout_backward(grad_output, mask, scale):
    """``grad_output * mask * scale``, shapes alike: the gradient of dropout's input."""
    return _masked_scale.opdef.forward(grad_output, mask, scale, scale)


def native_dropout_backward(grad_output: Tensor, mask: Tensor, scale: float) -> Tensor:
    """``torch.ops.aten.native_dropout_backward``: ``grad_output * mask * scale``."""
    same = tuple(mask.shape) == tuple(grad_output.shape)
    if same and (grad_output.is_floating_point() or grad_output.is_complex()):
        return _dropout_backward(grad_output, mask._data, scale)
    return grad_output * mask * scale  # (shapes that broadcast; integers times a float scale)


def as_index(target) -> "xp.ndarray":
    """An int64 array from a Tensor, array or int, to index with."""
    return target._data if isinstance(target, Tensor) else xp.asarray(target)


_update_stats_no_derivative, _update_stats_no_forward_ad = no_derivative("batch_norm_update_stats")


def _check_update_stats(a, running_mean, running_var, momentum):
    if a.dtype.kind not in "fV":
        raise NotImplementedError(
            f"\"batch_norm_update_stats_cpu\" not implemented for '{_dtype_name(a)}'"
        )
    _wrap_dim(1, a.ndim)
    for r in (running_mean, running_var):
        if r is not None and r.dtype != a.dtype:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


@op(
    inputs="input running_mean running_var",
    outputs=2,
    check=_check_update_stats,
    grads=(_update_stats_no_derivative,) * 3,
    jvp=_update_stats_no_forward_ad,
    node="torch::autograd::NotImplemented",
    method=False,
)
def batch_norm_update_stats(input, running_mean, running_var, momentum):
    """``torch.batch_norm_update_stats``: the batch's mean and (biased) variance per channel
    (dim 1), and the running statistics moved towards them by ``momentum`` (the unbiased
    variance), written in place."""
    axes = (0, *range(2, input.ndim))
    mean = input.mean(axis=axes)
    var = input.var(axis=axes)
    n = input.size // max(input.shape[1], 1)
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += momentum * mean
    if running_var is not None:
        with xp.errstate(divide="ignore", invalid="ignore"):
            running_var *= 1 - momentum
            running_var += momentum * var * (n / (n - 1) if n > 1 else xp.inf)
    return mean, var


__all__ = [
    "batch_norm_update_stats",
    "affine_grid_generator",
    "celu",
    "celu_",
    "prelu",
    "selu",
    "selu_",
    "threshold",
    "threshold_",
    "channel_shuffle",
    "pdist",
    "erf",
    "hardshrink",
    "pixel_shuffle",
    "pixel_unshuffle",
    "rrelu",
    "rrelu_",
]
