"""``clip_grad_norm_`` and ``clip_grad_value_``: rescale or clamp ``.grad`` in place."""

import math
from collections.abc import Iterable

from ..._array import xp
from ...tensor import Tensor, _make

_Params = Tensor | Iterable[Tensor]


def _grads(parameters: _Params):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p._grad for p in parameters if p._grad is not None]


def _scale_into(grad: Tensor, array) -> None:
    """Write ``array`` into the gradient's memory (in place, outside the graph)."""
    if grad._data.flags.writeable:
        grad._data[...] = array
    else:
        grad._data = array.astype(grad._data.dtype)
    grad._vc.version += 1


def clip_grad_norm_(
    parameters: _Params,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """``nn.utils.clip_grad_norm_``: scale all gradients so their joint norm is at most
    ``max_norm``; returns the norm they had."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return _make(xp.asarray(0.0, xp.float32))
    dtype = grads[0]._data.dtype
    if norm_type == math.inf:
        total = max(float(xp.abs(g._data).max()) for g in grads)
    else:
        total = sum(
            float((xp.abs(g._data.astype(xp.float64)) ** norm_type).sum()) for g in grads
        ) ** (1.0 / norm_type)
    total_norm = xp.asarray(total, dtype)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    for g in grads:
        _scale_into(g, g._data * xp.asarray(coef, g._data.dtype))
    return _make(total_norm)


def clip_grad_value_(parameters: _Params, clip_value: float, foreach=None) -> None:
    """``nn.utils.clip_grad_value_``: clamp every gradient element to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        _scale_into(g, xp.clip(g._data, -clip_value, clip_value))
