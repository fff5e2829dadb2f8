"""Helpers shared by the distributions (``torch.distributions.utils``)."""

from functools import update_wrapper
from numbers import Number

import numpy as _np

from .. import creation as _creation
from .. import dtypes as _dtypes
from ..autograd import enable_grad
from ..ops import broadcast_tensors, sigmoid, softmax
from ..tensor import Tensor

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "euler_constant",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]


def broadcast_all(*values):
    """The values as tensors broadcast to one shape; numbers take the dtype of the first tensor
    (the default dtype when there is none)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, torch.Tensor or "
            "objects implementing __torch_function__."
        )
    if not all(isinstance(v, Tensor) for v in values):
        dtype = next(
            (v.dtype for v in values if isinstance(v, Tensor)), _dtypes.get_default_dtype()
        )
        values = [v if isinstance(v, Tensor) else _creation.tensor(v, dtype=dtype) for v in values]
    return broadcast_tensors(*values)


def _standard_normal(shape, dtype, device=None):
    """Standard normals drawn as PyTorch's distributions draw them (``empty(shape).normal_()``)."""
    return _creation.empty(tuple(shape), dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """``value`` summed over its ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def _finfo(dtype):
    return _np.finfo(_np.dtype(str(dtype).replace("torch.", "")))


def logits_to_probs(logits, is_binary=False):
    """Probabilities from log-odds (``is_binary``) or unnormalised log-probabilities."""
    if is_binary:
        return sigmoid(logits)
    return softmax(logits, -1)


def clamp_probs(probs):
    """``probs`` clamped into [eps, 1 - eps], eps the dtype's machine epsilon."""
    eps = float(_finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-odds (``is_binary``) or log-probabilities from probabilities, clamped away from 0
    and 1."""
    p = clamp_probs(probs)
    if is_binary:
        return p.log() - (-p).log1p()
    return p.log()


class lazy_property:
    """A method computed on first reading (with grad enabled) and stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (from diagonal ``diag``) of the last two dimensions, row by row."""
    n = mat.shape[-1]
    rows, cols = _np.tril_indices(n, diag)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of ``tril_matrix_to_vec``."""
    k = vec.shape[-1]
    n = int(
        round(
            (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * k + 4 * abs(diag) * (diag + 1)) ** 0.5)
            / 2
        )
    )
    rows, cols = _np.tril_indices(n, diag)
    flat = _creation.zeros(tuple(vec.shape[:-1]) + (n * n,), dtype=vec.dtype)
    index = _creation.tensor(rows * n + cols).expand(tuple(vec.shape[:-1]) + (k,))
    return flat.scatter(-1, index, vec).reshape(tuple(vec.shape[:-1]) + (n, n))


euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant
