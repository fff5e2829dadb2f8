"""Sorting along one dimension: sort, argsort and topk.

``sort`` and ``topk`` return PyTorch's (values, indices) named tuples; the values' gradient goes
back to the position each one came from (a scatter of the gradient into zeros).
"""

from .._array import like_layout, xp
from ..tensor import Tensor, _make, _wrap_dim
from .indexing import scatter
from .reduction import _return_type, _select_grad, int_dim
from .registry import op, tensor_method

_SORT = _return_type("sort")
_TOPK = _return_type("topk")


def _order(a, axis, descending):
    """Stable indices that sort ``a`` along ``axis``; equal values keep their order either way."""
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind in "bu":
        a = a.astype(xp.int64)
    return xp.argsort(-a, axis=axis, kind="stable")


def _sorted(a, dim, descending, k=None):
    """Values and int64 indices of ``a`` sorted along ``dim``, the first ``k`` of them if given."""
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    axis = _wrap_dim(dim, a.ndim)
    idx = _order(a, axis, descending)
    if k is not None:
        idx = xp.take(idx, xp.arange(k), axis=axis)
    return xp.take_along_axis(a, idx, axis=axis), idx.astype(xp.int64, copy=False)


def _scatter_back(g, n):
    """The gradient of picked values: each goes back to the position its index names."""
    zeros = _make(xp.zeros(n.self_shape, dtype=g._data.dtype))
    if not n.self_shape:
        return g
    return scatter(zeros, n.dim, _make(n.result1._data), g)


@op(
    saves="self_shape result1",
    grads=(_scatter_back,),
    method=False,
    node="SortBackward0",
    returns=_SORT,
)
def _sort(self, dim, descending):
    return _sorted_like(self, dim, descending)


def _sorted_like(a, dim, descending):
    """``_sorted`` laid out as PyTorch's sort lays out its results: like a dense input."""
    values, indices = _sorted(a, dim, descending)
    return like_layout(values, a), like_layout(indices, a)


@op(
    saves="self_shape result1",
    grads=(_scatter_back,),
    method=False,
    node="SortBackward1",
    returns=_SORT,
)
def _sort_stable(self, dim, descending):
    return _sorted_like(self, dim, descending)


@tensor_method
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable=None):
    """``torch.sort``: (values, indices) sorted along ``dim``; equal values keep their order."""
    int_dim("sort", dim)
    _wrap_dim(dim, input.ndim)  # PyTorch's error for a dim out of range
    if stable is None:
        return _sort(input, dim, descending)
    return _sort_stable(input, dim, descending)


@tensor_method
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """``torch.argsort``: the indices that sort ``input`` along ``dim`` (no gradient)."""
    int_dim("argsort", dim)
    _wrap_dim(dim, input.ndim)
    return _make(_sorted_like(input._data, dim, descending)[1])


def _check_topk(a, k, dim, largest, sorted):
    size = a.shape[_wrap_dim(dim, a.ndim)] if a.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")


@op(
    saves="self_shape result1",
    grads=(_scatter_back,),
    method=False,
    node="TopkBackward0",
    returns=_TOPK,
    check=_check_topk,
)
def _topk(self, k, dim, largest, sorted):
    return _sorted(self, dim, largest, k)


@tensor_method
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """``torch.topk``: the ``k`` largest (or smallest) values along ``dim`` and their indices,
    largest first (smallest first with ``largest=False``)."""
    int_dim("topk", dim)
    _wrap_dim(dim, input.ndim)
    return _topk(input, k, dim, largest, sorted)


_MEDIAN = _return_type("median")


def _even_share(g, n):
    """The gradient of the median of all elements, shared evenly among the elements equal to it
    (PyTorch's rule)."""
    hit = (n.self == n.result).to(g.dtype)
    return hit * (g / hit.sum())


@op(saves="self result", grads=(_even_share,), method=False, node="MedianBackward0")
def _median_all(self):
    if self.size == 0:
        return xp.asarray(xp.nan, self.dtype)
    flat = xp.sort(self.reshape(-1), kind="stable")
    return flat[(flat.size - 1) // 2].copy()


@op(
    saves="self_shape result1",
    grads=(_select_grad,),
    method=False,
    node="MedianBackward1",
    returns=_MEDIAN,
)
def _median_dim(self, dim, keepdim):
    if self.ndim == 0:
        return self.copy(), xp.zeros((), dtype=xp.int64)
    axis = _wrap_dim(dim, self.ndim)
    idx = _order(self, axis, False)
    middle = xp.take(idx, [(self.shape[axis] - 1) // 2], axis=axis).astype(xp.int64)
    values = xp.take_along_axis(self, middle, axis=axis)
    if not keepdim:
        values, middle = values.squeeze(axis), middle.squeeze(axis)
    return values, middle


_median_dim.opdef.Node._saved_indices = property(lambda node: _make(node.result1._data))


@tensor_method
def median(input: Tensor, dim=None, keepdim: bool = False):
    """``torch.median``: the lower median of all elements, or (values, indices) along ``dim``."""
    if dim is None:
        return _median_all(input)
    int_dim("median", dim)
    _wrap_dim(dim, input.ndim)
    return _median_dim(input, dim, keepdim)


__all__ = ["sort", "argsort", "topk", "median"]
