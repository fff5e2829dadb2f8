"""``clip_grad_norm_`` and ``clip_grad_value_``: rescale or clamp ``.grad`` in place; the norm
and the rescaling also apart (``get_total_norm``, ``clip_grads_with_norm_``)."""

import math
import warnings
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


def _norm(a, norm_type: float):
    """The ``norm_type`` norm of a flat array in its dtype, as PyTorch's ``vector_norm`` rounds
    it: the sum of powers (here summed in float64) rounded to the dtype, then its root taken in
    the dtype."""
    dtype = a.dtype.type
    if not a.size:
        return dtype(0)
    a = xp.abs(a.astype(xp.float64))
    if norm_type == math.inf:
        return dtype(a.max())
    if norm_type == 0:
        return dtype((a != 0).sum())
    if norm_type == 1:
        return dtype(a.sum())
    if norm_type == 2:
        return xp.sqrt(dtype((a * a).sum()))
    return xp.power(dtype((a**norm_type).sum()), dtype(1.0 / norm_type))


def get_total_norm(
    tensors: _Params, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None
) -> Tensor:
    """``nn.utils.get_total_norm``: the ``norm_type`` norm of all ``tensors`` (usually gradients)
    taken together, as if concatenated into one vector."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    arrays = [t._data for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not arrays:
        return _make(xp.asarray(0.0, xp.float32))
    dtype = arrays[0].dtype
    # as PyTorch: each tensor's norm (rounded to its dtype), then the norm of those norms
    norms = xp.array([_norm(a.reshape(-1), norm_type) for a in arrays], dtype)
    total = float(_norm(norms, norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return _make(xp.asarray(total, dtype))


def clip_grads_with_norm_(
    parameters: _Params, max_norm: float, total_norm: Tensor, foreach=None
) -> None:
    """``nn.utils.clip_grads_with_norm_``: scale the gradients by max_norm / (total_norm + 1e-6)
    where that is below 1 (``total_norm`` from ``get_total_norm``, perhaps over more tensors)."""
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    for g in _grads(parameters):
        _scale_into(g, g._data * xp.asarray(coef, g._data.dtype))


def clip_grad_norm_(
    parameters: _Params,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """``nn.utils.clip_grad_norm_``: scale all gradients so their joint norm is at most
    ``max_norm``; returns the norm they had."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(
    parameters: _Params,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """``nn.utils.clip_grad_norm``: the old name of ``clip_grad_norm_``, with PyTorch's warning."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _Params, clip_value: float, foreach=None) -> None:
    """``nn.utils.clip_grad_value_``: clamp every gradient element to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        _scale_into(g, xp.clip(g._data, -clip_value, clip_value))
