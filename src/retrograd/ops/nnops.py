"""Ops for neural networks: erf, the activations with their own formulas, a fused linear layer,
nll_loss, and the gather/scatter pair behind embeddings.

Only ``erf`` is public (``torch.erf``); the others are private ops that ``retrograd.nn.functional``
wraps, each with the node name PyTorch gives it (``GeluBackward0``, ``NllLossBackward0`` ...).
Activations whose derivative is not exact when composed (softplus at 0, gelu) are ops here.
"""

import math

from .._array import xp
from ..tensor import Tensor, _make
from .pointwise import where
from .registry import op

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def erf_array(a):
    """erf elementwise to double precision (NumPy has none).

    Below 2.5 in magnitude: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!, a series of
    positive terms (no cancellation). Above: 1 - erfc(x), erfc from its continued fraction.
    """
    x = xp.asarray(a, dtype=xp.float64)
    out = xp.empty_like(x)
    ax = xp.abs(x)
    small = ax < 2.5
    xs = x[small]
    x2 = xs * xs
    term = xs.copy()
    total = xs.copy()
    for n in range(1, 42):
        term *= x2 * (2.0 / (2 * n + 1))
        total += term
    out[small] = _TWO_OVER_SQRT_PI * xp.exp(-x2) * total
    big = ~small
    xl = ax[big]
    with xp.errstate(over="ignore", invalid="ignore"):
        f = xl.copy()
        for k in range(60, 0, -1):
            f = xl + (0.5 * k) / f
        erfc = xp.exp(-xl * xl) / (math.sqrt(math.pi) * f)
    out[big] = xp.where(xp.isnan(xl), xl, xp.copysign(1.0 - erfc, x[big]))
    return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out


@op(saves="self", promote="float",
    grads=(lambda g, n: g * (_TWO_OVER_SQRT_PI * (-(n.self * n.self)).exp()),))
def erf(self):
    """``torch.erf``: the error function."""
    return erf_array(self)


# --- linear layers -----------------------------------------------------------------------------


def _check_linear(x, w, b):
    if x.shape[-1] != w.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} "
                           f"and {w.shape[1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_dtype_name(x)} and {_dtype_name(w)}")


def _dtype_name(a):
    from .pointwise import _dtype_name as name

    return name(a)


# saves "weight self", not "self weight": registry.py's fast path for saving the first two inputs
# assumes an op has exactly two tensor inputs.
@op(inputs="self weight bias", saves="weight self", method=False, node="AddmmBackward0",
    check=_check_linear,
    grads=(lambda g, n: g.mm(n.weight), lambda g, n: g.t().mm(n.self), lambda g, n: g.sum(0)))
def _linear(self, weight, bias):
    """x W^T + b for a matrix x: one node (PyTorch's addmm) instead of transpose, mm and add."""
    out = xp.matmul(self, weight.T)
    if bias is not None:
        out += bias
    return out


# --- activations -------------------------------------------------------------------------------


def _gelu_grad(g, n):
    x = n.self
    if n.approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + _GELU_C * x * x * x)
        t = inner.tanh()
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x))
    else:
        d = 0.5 * (1 + erf(x * _INV_SQRT_2)) + x * (_INV_SQRT_2PI * (-0.5 * x * x).exp())
    return g * d


@op(saves="self", grads=(_gelu_grad,), node="GeluBackward0", method=False)
def _gelu(self, approximate="none"):
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (self + _GELU_C * self * self * self)
        return (0.5 * self * (1 + xp.tanh(inner))).astype(self.dtype, copy=False)
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return (0.5 * self * (1 + erf_array(self * _INV_SQRT_2))).astype(self.dtype, copy=False)


def _silu_grad(g, n):
    s = n.self.sigmoid()
    return g * (s * (1 + n.self * (1 - s)))


@op(saves="self", grads=(_silu_grad,), node="SiluBackward0", method=False)
def _silu(self):
    e = xp.exp(-xp.abs(self))
    s = xp.where(self >= 0, 1 / (1 + e), e / (1 + e))
    return (self * s).astype(self.dtype, copy=False)


def _softplus_grad(g, n):
    bx = n.self * n.beta
    return where(bx > n.threshold, g, g * bx.sigmoid())


@op(saves="self", grads=(_softplus_grad,), node="SoftplusBackward0", method=False)
def _softplus(self, beta=1.0, threshold=20.0):
    bx = self * beta
    # log(1 + exp(bx)) written so that exp never overflows
    soft = (xp.log1p(xp.exp(-xp.abs(bx))) + xp.maximum(bx, 0)) / beta
    return xp.where(bx > threshold, self, soft).astype(self.dtype, copy=False)


def _elu_grad(g, n):
    x = n.self
    pos = g if n.scale == 1 else g * n.scale
    return where(x > 0, pos, g * (n.alpha * n.scale * n.input_scale) * (x * n.input_scale).exp())


@op(saves="self", grads=(_elu_grad,), node="EluBackward0", method=False)
def _elu(self, alpha=1.0, scale=1.0, input_scale=1.0):
    neg = alpha * xp.expm1(xp.minimum(self, 0) * input_scale)
    return (scale * xp.where(self > 0, self, neg)).astype(self.dtype, copy=False)


@op(saves="self", grads=(lambda g, n: where(n.self > 0, g, g * n.negative_slope),),
    node="LeakyReluBackward0", method=False)
def _leaky_relu(self, negative_slope=0.01):
    return xp.where(self > 0, self, self * negative_slope).astype(self.dtype, copy=False)


# --- nll_loss ------------------------------------------------------------------------------------


def _nll_parts(shape, target, weight, ignore_index):
    """Per element of ``target``: the class it picks (ignored ones pointed at 0) and its weight."""
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    ignored = target == ignore_index
    bad = (~ignored) & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].reshape(-1)[0])} is out of bounds.")
    safe = xp.where(ignored, 0, target)
    w = xp.ones(safe.shape) if weight is None else weight[safe]
    return safe, xp.where(ignored, 0.0, w)


def _nll_coefficients(shape, dtype, target, weight, reduction, ignore_index):
    """d loss / d input as a constant array: -w at each picked class, over the total weight for
    'mean'.  The loss is linear in its input, so this is its whole derivative."""
    safe, w = _nll_parts(shape, target, weight, ignore_index)
    coeff = xp.zeros(shape, dtype)
    if len(shape) == 1:
        coeff[safe] = -w
    else:
        xp.put_along_axis(coeff, xp.expand_dims(safe, 1), xp.expand_dims(-w, 1), 1)
    if reduction == "mean":
        coeff /= w.sum()
    return coeff


def _nll_grad(g, n):
    shape = n.self_shape
    coeff = _make(_nll_coefficients(shape, g._data.dtype, n.target, n.weight, n.reduction,
                                    n.ignore_index))
    if n.reduction == "none" and len(shape) > 1:
        g = g.unsqueeze(1)
    return g * coeff


@op(saves="self_shape", grads=(_nll_grad,), node="NllLossBackward0", method=False)
def _nll_loss(self, target, weight, reduction, ignore_index):
    safe, w = _nll_parts(self.shape, target, weight, ignore_index)
    if self.ndim == 1:
        picked = self[safe]
    else:
        picked = xp.take_along_axis(self, xp.expand_dims(safe, 1), 1).squeeze(1)
    losses = (-w * picked).astype(self.dtype)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=self.dtype)
    if reduction == "sum":
        return total
    with xp.errstate(invalid="ignore", divide="ignore"):
        return xp.asarray(total / w.sum(dtype=self.dtype), dtype=self.dtype)


# --- embedding ----------------------------------------------------------------------------------


@op(inputs="grad", method=False, node="EmbeddingBackwardBackward0",
    grads=(lambda g, n: _embedding(g, n.indices, None),))
def _embedding_backward(grad, indices, shape, padding_idx):
    """Zeros of the weight's ``shape`` with each row of ``grad`` added at its index (the adjoint
    of the lookup); the ``padding_idx`` row gets nothing."""
    out = xp.zeros(shape, grad.dtype)
    xp.add.at(out, indices, grad)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


@op(inputs="weight", saves="weight_shape", method=False, node="EmbeddingBackward0",
    grads=(lambda g, n: _embedding_backward(g, n.indices, n.weight_shape, n.padding_idx),))
def _embedding(weight, indices, padding_idx):
    return weight[indices]


def as_index(target) -> "xp.ndarray":
    """An int64 array from a Tensor, array or int, to index with."""
    return target._data if isinstance(target, Tensor) else xp.asarray(target)


__all__ = ["erf"]


@op(saves="self", method=False,
    grads=(lambda g, n: g * ((n.self > n.min_val) & (n.self < n.max_val)),))
def _hardtanh(self, min_val, max_val):
    """x clamped to [min_val, max_val]; unlike clamp, the gradient is 0 at the bounds."""
    return xp.clip(self, min_val, max_val)
