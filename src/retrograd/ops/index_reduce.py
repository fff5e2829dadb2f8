"""Writing a source's values into a copy of a tensor at indices: ``index_reduce`` (the slices of
``source`` combined into the slices of ``dim`` its ``index`` names, by product, mean, max or min)
and ``put`` (values at flat indices, written or added)."""

import warnings

from .. import dtypes
from .._array import xp
from .._out import write_out
from ..tensor import _wrap_dim
from . import indexing as _indexing
from .inplace import _take_flat, _twin, _zero_flat
from .registry import op, tensor_method

# index_reduce is scatter_reduce with the index repeated along the other dimensions: the same
# forward and formulas, recorded under PyTorch's name for it.
_scatter_reduce = _indexing._scatter_reduce.opdef
_index_reduce = op(
    "_index_reduce",
    inputs="self src",
    saves="self src result",
    grads=_scatter_reduce.grads,
    node="IndexReduceBackward0",
    method=False,
)(_scatter_reduce.forward)

_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")
_WARNED = []


def _name_of(a):
    return dtypes.scalar_type_name(dtypes.FROM_NP[a._data.dtype])


@tensor_method
def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """``torch.index_reduce``: a copy of ``input`` whose slices along ``dim`` named by ``index``
    are combined with the slices of ``source`` by ``reduce`` ('prod', 'mean', 'amax' or 'amin'),
    the input's own value among them unless ``include_self`` is False."""
    if not _WARNED:
        _WARNED.append(True)
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time.", UserWarning, 2
        )
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    d = _wrap_dim(dim, input.ndim)
    idx = index._data
    if idx.dtype not in (xp.int32, xp.int64):
        raise RuntimeError(
            f"index_reduce_(): Expected dtype int32/int64 for index but got: {_name_of(index)}"
        )
    if idx.ndim > 1:
        raise IndexError(
            "index_reduce_(): Index is supposed to be a vector, but got dim: "
            f"{idx.ndim} with type: {_name_of(index)} and size: [{', '.join(map(str, idx.shape))}]"
        )
    source_size = source.shape[d] if source.ndim else 1
    if idx.size != source_size:
        raise RuntimeError(
            f"index_reduce_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({source_size}), for dim: {d}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({_name_of(input)}) and source ({_name_of(source)}) must "
            "have the same scalar type"
        )
    if input.ndim != source.ndim or any(
        a != b for k, (a, b) in enumerate(zip(input.shape, source.shape)) if k != d
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified dimension. "
            f"Got self.shape = [{', '.join(map(str, input.shape))}] source.shape = "
            f"[{', '.join(map(str, source.shape))}]"
        )
    size = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise IndexError("index out of range in self")
    shape = [1] * source.ndim
    if shape:
        shape[d] = idx.size
    full = xp.broadcast_to(idx.astype(xp.int64).reshape(shape), source.shape)
    key = _indexing._along_key(full, d, input.ndim)
    result = _index_reduce(
        input, source, d, full, key, reduce, include_self, _indexing.kept_indices((index,))
    )
    return result if out is None else write_out("index_reduce", result, out, (input, source))


@op(
    inputs="self source",
    saves="source_shape",
    grads=(
        lambda g, n: g if n.accumulate else _zero_flat(g, n.index),
        lambda g, n: _take_flat(g, n.index).reshape(n.source_shape),
    ),
    node="PutBackward0",
    method=False,
)
def _put(self, source, index, accumulate):
    out = xp.array(self, order="C")
    flat = out.reshape(-1)
    if accumulate:
        xp.add.at(flat, index, source.reshape(-1))
    else:
        flat[index] = source.reshape(-1)
    return out


@tensor_method
def put(input, index, source, accumulate=False):
    """``torch.put``: a copy of ``input`` with ``source``'s values at the flat positions
    ``index`` (the input seen as one row), written or, with ``accumulate``, added."""
    idx = index._data
    if idx.dtype != xp.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_name_of(index)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_name_of(input)} and source.dtype = {_name_of(source)}"
        )
    if idx.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    n = input._data.size
    flat = idx.reshape(-1)
    if n == 0 and flat.size:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    bad = flat[(flat >= n) | (flat < -n)]
    if bad.size:
        raise IndexError(
            f"out of range: tried to access index {int(bad[0])} on a tensor of {n} elements."
        )
    return _put(input, source, flat % n if n else flat, bool(accumulate))


_twin("index_reduce")
_twin("put")

__all__ = ["index_reduce", "put"]
