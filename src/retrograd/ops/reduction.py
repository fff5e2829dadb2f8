"""Reductions: sums, means and the other ops that fold dimensions away."""

from .. import dtypes
from .._array import xp
from ..tensor import _wrap_dim
from .registry import op


def dims_arg(dim, ndim):
    """``dim`` (None, an int, or a sequence of ints) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
        return axes if axes else tuple(range(ndim))
    return (_wrap_dim(dim, ndim),)


def expand_grad(g, shape, dim, keepdim):
    """A reduction's gradient spread back over the reduced dimensions of ``shape``."""
    if not keepdim and dim is not None and len(shape):
        for d in dims_arg(dim, len(shape)):
            g = g.unsqueeze(d)
    return g.expand(shape)


def _sum_dtype(a, dtype):
    if dtype is not None:
        return dtype.np
    return xp.int64 if a.dtype.kind in "biu" else None


@op(saves="self_shape", grads=(lambda g, n: expand_grad(g, n.self_shape, n.dim, n.keepdim),))
def sum(self, dim=None, keepdim=False, dtype=None):
    """``torch.sum``: the sum over all elements or over ``dim``."""
    return xp.sum(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim,
                  dtype=_sum_dtype(self, dtype))


def _check_mean(a, dim=None, keepdim=False, dtype=None):
    if dtype is None and a.dtype.kind not in "fc":
        name = dtypes.FROM_NP[a.dtype]._tensor_name[:-len("Tensor")]
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {name}"
        )


def _mean_grad(g, n):
    shape = n.self_shape
    count = 1
    for d in dims_arg(n.dim, len(shape)):
        count *= shape[d]
    return expand_grad(g, shape, n.dim, n.keepdim) / count


@op(saves="self_shape", grads=(_mean_grad,), check=_check_mean)
def mean(self, dim=None, keepdim=False, dtype=None):
    """``torch.mean``: the average over all elements or over ``dim``."""
    return xp.mean(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim,
                   dtype=None if dtype is None else dtype.np)


__all__ = ["sum", "mean"]
