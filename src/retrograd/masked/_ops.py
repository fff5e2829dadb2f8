"""``torch.masked``'s functions on plain tensors with a ``mask=``: the elements where the mask is
False are left out of the reduction or normalization.

Each function fills the left-out elements with the operation's identity (0 for a sum, 1 for a
product, -inf for a maximum or a log-sum-exp, nan for the median) with ``where`` and then runs
the ordinary op, as PyTorch does: values, node names and gradients (zero where the mask is False)
follow.  A reduction over nothing gives that identity, or nan for a mean or a variance.
"""

import math

from .. import linalg as _linalg
from ..nn import functional as _F
from ..ops import amax as _amax
from ..ops import amin as _amin
from ..ops import argmax as _argmax
from ..ops import argmin as _argmin
from ..ops import cumprod as _cumprod
from ..ops import cumsum as _cumsum
from ..ops import logaddexp as _logaddexp
from ..ops import logsumexp as _logsumexp
from ..ops import nanmedian as _nanmedian
from ..ops import where
from ..tensor import Tensor


def _input_mask(input, mask):
    """The mask as a bool tensor of the input's shape (everything, without one)."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"mask must be a Tensor, not {type(mask).__name__}")
    if mask.ndim > input.ndim:
        raise IndexError(
            "_input_mask expected broadcastable mask (got mask dimensionality higher than of the "
            "input)"
        )
    if mask.dtype is not _bool():
        mask = mask.to(_bool())
    return mask.expand(input.shape) if tuple(mask.shape) != tuple(input.shape) else mask


def _bool():
    from .. import dtypes

    return dtypes.bool


def _int64():
    from .. import dtypes

    return dtypes.int64


def _filled(input, mask, fill):
    """The input with ``fill`` where the mask is False (the input itself without a mask)."""
    mask = _input_mask(input, mask)
    if mask is None:
        return input
    return where(mask, input, fill)


def _dims(input, dim):
    """PyTorch's dim argument of the masked reductions: None or () means every dimension."""
    dims = () if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    return dims or tuple(range(input.ndim))


def _cast(input, dtype):
    return input if dtype is None else input.to(dtype)


def _lowest(input):
    if input.dtype.is_floating_point:
        return -math.inf
    return int(_iinfo(input).min)


def _highest(input):
    if input.dtype.is_floating_point:
        return math.inf
    return int(_iinfo(input).max)


def _iinfo(input):
    import numpy as np

    return np.iinfo(input._data.dtype)


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.sum``: the sum of the elements the mask keeps."""
    return _filled(input, mask, 0).sum(_dims(input, dim), keepdim=keepdim, dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.prod``: the product of the elements the mask keeps."""
    out = _filled(_cast(input, dtype), mask, 1)
    dims = _dims(input, dim)
    if not dims:  # a 0-d input: nothing to reduce; integers still become int64, as prod's do
        if dtype is None and not (out.dtype.is_floating_point or out.dtype.is_complex):
            return out.to(_int64())
        return out
    for d in sorted({d % max(input.ndim, 1) for d in dims}, reverse=True):  # (0-d: dim 0)
        out = out.prod(d, keepdim=keepdim)
    return out


def _count(input, mask, dims, keepdim, dtype):
    """How many elements each reduction keeps: a tensor, or a number without a mask."""
    mask = _input_mask(input, mask)
    if mask is None:
        n = 1
        for d in dims:
            n *= input.shape[d] if input.ndim else 1  # (dim 0 or -1 of a 0-dim input: itself)
        return n
    return mask.sum(dims, keepdim=keepdim, dtype=dtype)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.mean``: the sum of the kept elements over their count (nan for none)."""
    input = _cast(input, dtype)
    dims = _dims(input, dim)
    total = _filled(input, mask, 0).sum(dims, keepdim=keepdim)
    return total / _count(input, mask, dims, keepdim, total.dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.amax``: the largest kept element (-inf for none)."""
    input = _cast(input, dtype)
    return _amax(_filled(input, mask, _lowest(input)), _dims(input, dim), keepdim)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.amin``: the smallest kept element (inf for none)."""
    input = _cast(input, dtype)
    return _amin(_filled(input, mask, _highest(input)), _dims(input, dim), keepdim)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.argmax``: the position of the largest kept element, in the input's dtype
    (as PyTorch gives it)."""
    input = _cast(input, dtype)
    return _argmax(_filled(input, mask, _lowest(input)), dim, keepdim).to(input.dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.argmin``: the position of the smallest kept element, in the input's dtype
    (as PyTorch gives it)."""
    input = _cast(input, dtype)
    return _argmin(_filled(input, mask, _highest(input)), dim, keepdim).to(input.dtype)


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.median``: the median of the kept elements along ``dim`` (nan for none)."""
    input = _cast(input, dtype)
    return _nanmedian(_filled(input, mask, math.nan), dim, keepdim).values


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """``torch.masked.var``: the variance of the kept elements, divided by their count less
    ``correction`` (1 by default; ``unbiased=False`` makes it 0)."""
    if unbiased is not None and correction is not None:
        raise RuntimeError("Only one of unbiased and correction may be given")
    if correction is None:
        correction = 0 if unbiased is False else 1
    input = _cast(input, dtype)
    dims = _dims(input, dim)
    # (a complex input: counted in its real dtype, the mean of |x - mean|^2 in its own)
    count = _count(input, mask, dims, True, input.dtype.to_real())
    mean = _filled(input, mask, 0).sum(dims, keepdim=True) / count
    centred = input - mean
    if centred.is_complex():
        squares = (centred * centred.conj()).real.to(centred.dtype)
    else:
        squares = centred * centred
    total = _filled(squares, mask, 0).sum(dims, keepdim=keepdim)
    if isinstance(count, int):
        return total / max(count - correction, 0)
    if not keepdim:
        count = count.reshape(total.shape)
    if correction:
        count = (count - correction).clamp(min=0)
    return total / count


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """``torch.masked.std``: the square root of ``torch.masked.var``."""
    return var(
        input, dim, unbiased, correction=correction, keepdim=keepdim, dtype=dtype, mask=mask
    ).sqrt()


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.norm``: the vector ``ord``-norm of the kept elements."""
    input = _cast(input, dtype)
    fill = math.inf if ord == -math.inf else 0
    return _linalg.vector_norm(_filled(input, mask, fill), ord, _dims(input, dim), keepdim)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``torch.masked.logsumexp``: log of the sum of exp of the kept elements (-inf for none)."""
    input = _cast(input, dtype)
    return _logsumexp(_filled(input, mask, -math.inf), _dims(input, dim), keepdim)


def softmax(input, dim, *, dtype=None, mask=None):
    """``torch.masked.softmax``: softmax over the kept elements, 0 at the others (nan where a
    slice keeps none)."""
    input = _cast(input, dtype)
    return _F.softmax(_filled(input, mask, -math.inf), dim)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """``torch.masked.log_softmax``: log-softmax over the kept elements, -inf at the others."""
    input = _cast(input, dtype)
    return _F.log_softmax(_filled(input, mask, -math.inf), dim)


def softmin(input, dim, *, dtype=None, mask=None):
    """``torch.masked.softmin``: softmin over the kept elements, 0 at the others."""
    input = _cast(input, dtype)
    return _F.softmin(_filled(input, mask, math.inf), dim)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """``torch.masked.normalize``: the kept elements over their ``ord``-norm along ``dim`` (at
    least ``eps``), 0 at the others."""
    input = _cast(input, dtype)
    denominator = norm(input, ord, dim, keepdim=True, mask=mask).clamp(min=eps)
    return _filled(input, mask, 0) / denominator


def cumsum(input, dim, *, dtype=None, mask=None):
    """``torch.masked.cumsum``: running sums along ``dim`` that skip the left-out elements, in
    the input's dtype (integers are not widened to int64 as by cumsum)."""
    input = _cast(input, dtype)
    return _cumsum(_filled(input, mask, 0), dim, dtype=input.dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    """``torch.masked.cumprod``: running products along ``dim`` that skip the left-out
    elements, in the input's dtype."""
    input = _cast(input, dtype)
    return _cumprod(_filled(input, mask, 1), dim, dtype=input.dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """``torch.masked.logaddexp``: log(exp(input) + exp(other)), each left out (-inf) where its
    own mask is False."""
    input, other = _cast(input, dtype), _cast(other, dtype)
    return _logaddexp(_filled(input, input_mask, -math.inf), _filled(other, other_mask, -math.inf))
