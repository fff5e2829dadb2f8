"""Sorting along one dimension: sort, argsort and topk.

``sort`` and ``topk`` return PyTorch's (values, indices) named tuples; the values' gradient goes
back to the position each one came from (a scatter of the gradient into zeros).
"""

from .._array import c_order, like_layout, xp
from ..tensor import Tensor, _make, _wrap_dim
from .indexing import scatter
from .reduction import _return_type, _select_grad, evenly_shared, int_dim
from .registry import op, refuse_complex, tensor_method

_SORT = _return_type("sort")
_TOPK = _return_type("topk")

_NO_COMPLEX_SORT = (RuntimeError, " Sort does not support complex dtypes on CPU")


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
    index = n.result1
    zeros = _make(xp.zeros(n.self_shape, dtype=g._data.dtype))
    return scatter(zeros, n.dim, _make(index._data), g)


@op(
    real=_NO_COMPLEX_SORT,
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
    refuse_complex(_NO_COMPLEX_SORT, input)
    return _make(_sorted_like(input._data, dim, descending)[1])


def _check_topk(a, k, dim, largest, sorted):
    size = a.shape[_wrap_dim(dim, a.ndim)] if a.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")


@op(
    real=(RuntimeError, " topk does not support complex dtypes on CPU"),
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


@op(
    real="median_cpu",
    saves="self result",
    grads=(evenly_shared,),
    method=False,
    node="MedianBackward0",
)
def _median_all(self):
    if self.size == 0:
        return xp.asarray(xp.nan, self.dtype)
    if self.dtype.kind in "fc" and xp.isnan(self).any():
        return xp.asarray(xp.nan, self.dtype)  # a nan anywhere is the median, as in PyTorch
    flat = xp.sort(self.reshape(-1), kind="stable")
    return flat[(flat.size - 1) // 2].copy()


@op(
    real="median_out",
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
    if self.dtype.kind in "fc":  # a slice with a nan has it as its median: the first one
        nan = xp.isnan(self)
        if nan.any():
            first = xp.argmax(nan, axis=axis, keepdims=True)
            middle = xp.where(nan.any(axis=axis, keepdims=True), first, middle)
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


# --- the k-th smallest, the most frequent, the median ignoring nan -----------------------------

_KTHVALUE = _return_type("kthvalue")
_MODE = _return_type("mode")
_NANMEDIAN = _return_type("nanmedian")


def _picked(a, dim, keepdim, pick):
    """Values and indices chosen along ``dim`` by ``pick(sorted_values, order) -> position``
    (in the sorted order, per slice)."""
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    axis = _wrap_dim(dim, a.ndim)
    order = _order(a, axis, False)
    values = xp.take_along_axis(a, order, axis=axis)
    position = pick(xp.moveaxis(values, axis, -1), xp.moveaxis(order, axis, -1))
    position = xp.expand_dims(position, axis)
    index = xp.take_along_axis(order, position, axis=axis).astype(xp.int64)
    out = xp.take_along_axis(a, index, axis=axis)
    if not keepdim:
        out, index = out.squeeze(axis), index.squeeze(axis)
    return c_order(out), c_order(index)


def _check_kthvalue(a, k, dim, keepdim):
    size = a.shape[_wrap_dim(dim, a.ndim)] if a.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {_wrap_dim(dim, a.ndim)}"
        )


@op(
    real="kthvalue_cpu",
    saves="self_shape result1",
    grads=(_select_grad,),
    method=False,
    node="KthvalueBackward0",
    returns=_KTHVALUE,
    check=_check_kthvalue,
)
def _kthvalue(self, k, dim, keepdim):
    return _picked(self, dim, keepdim, lambda v, o: xp.full(v.shape[:-1], k - 1))


@tensor_method
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """``torch.kthvalue``: the k-th smallest value along ``dim`` and its index (of equal values,
    the one a stable sort puts there)."""
    int_dim("kthvalue", dim)
    return _kthvalue(input, k, dim, keepdim)


def _most_frequent(values, order):
    """Per slice of sorted values: the position of the last of the longest run (the smallest
    such value), and so the last occurrence of the mode, as PyTorch reports it."""
    n = values.shape[-1]
    flat = values.reshape(-1, n)
    positions = xp.empty(flat.shape[0], dtype=xp.int64)
    for r, row in enumerate(flat):
        starts = xp.flatnonzero(xp.concatenate(([True], row[1:] != row[:-1])))
        lengths = xp.diff(xp.concatenate((starts, [n])))
        best = int(xp.argmax(lengths))
        positions[r] = starts[best] + lengths[best] - 1
    return positions.reshape(values.shape[:-1])


def _last_of_run(values, order):
    """The stable sort keeps equal values in their order: the last of the mode's run is its
    last occurrence, as the index PyTorch gives."""
    return _most_frequent(values, order)


@op(
    real="mode_cpu",
    saves="self_shape result1",
    grads=(_select_grad,),
    method=False,
    node="ModeBackward0",
    returns=_MODE,
)
def _mode(self, dim, keepdim):
    if self.size == 0:
        d = _wrap_dim(dim, max(self.ndim, 1))
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return _picked(self, dim, keepdim, _last_of_run)


@tensor_method
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """``torch.mode``: the most frequent value along ``dim`` (the smallest of equally frequent
    ones) and the index of its last occurrence."""
    int_dim("mode", dim)
    return _mode(input, dim, keepdim)


def _middle_of_numbers(values, order):
    counts = (~xp.isnan(values)).sum(-1)
    # a slice of nan only: the middle of its nans, as PyTorch's index says
    counts = xp.where(counts == 0, values.shape[-1], counts)
    return (counts - 1) // 2


@op(
    real="median_cpu",
    saves="self result",
    grads=(evenly_shared,),
    method=False,
    node="NanmedianBackward0",
)
def _nanmedian_all(self):
    kept = self[~xp.isnan(self)]
    if kept.size == 0:
        return xp.asarray(xp.nan, self.dtype)
    flat = xp.sort(kept, kind="stable")
    return flat[(flat.size - 1) // 2].copy()


@op(
    real="median_out",
    saves="self_shape result1",
    grads=(_select_grad,),
    method=False,
    node="NanmedianBackward1",
    returns=_NANMEDIAN,
)
def _nanmedian_dim(self, dim, keepdim):
    return _picked(self, dim, keepdim, _middle_of_numbers)


@tensor_method
def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """``torch.nanmedian``: the lower median of the values that are not nan, of all elements or
    (values, indices) along ``dim``."""
    if dim is None:
        return _nanmedian_all(input)
    int_dim("nanmedian", dim)
    _wrap_dim(dim, input.ndim)
    return _nanmedian_dim(input, dim, keepdim)


for _fn in (_kthvalue, _mode, _nanmedian_dim):
    _fn.opdef.Node._saved_indices = property(lambda node: _make(node.result1._data))

__all__ = ["sort", "argsort", "topk", "median", "kthvalue", "mode", "nanmedian"]
