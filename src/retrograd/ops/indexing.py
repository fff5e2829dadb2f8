"""Reading and writing by index: ``Tensor.__getitem__``, gather, index_select, masked_fill, scatter,
tril/triu and nonzero.

Every read by index is one op whose backward adds the gradient into zeros of the input's shape at
the same positions (``add.at``, so repeated indices accumulate); that backward is itself an op whose
gradient is the same read, so higher derivatives need nothing more.
"""

import warnings

from .. import _switches, dtypes
from .._array import c_order, ndarray, strided_layout, xp
from .._out import check_out, dtype_expected, write_out
from ..autograd.node import check_version
from ..tensor import Tensor, _make, _wrap_dim
from .pointwise import _dtype_name, where
from .registry import (
    _shape_error,
    broadcast_pair,
    no_derivative,
    op,
    refuse_complex,
    tensor_method,
)

# --- the key: what Tensor.__getitem__ accepts, as the array library's key ----------------------

_BAD_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
    "valid indices (got {})"
)
_BAD_TENSOR_INDEX = "tensors used as indices must be long, int, byte or bool tensors"


def _index_array(value):
    a = value._data if isinstance(value, Tensor) else xp.asarray(value)
    if a.dtype.kind == "b":
        return a
    if a.dtype.kind not in "iu":
        if isinstance(value, Tensor) or a.size:
            raise IndexError(_BAD_TENSOR_INDEX)
        a = a.astype(xp.int64)  # x[[]]: an empty list indexes nothing
    return a


def _item(k):
    """One element of a key in the array library's terms; ints stay ints (a view, not a copy)."""
    if k is None or k is Ellipsis or type(k) is slice:
        if type(k) is slice and k.step is not None:
            step = k.step.__index__()
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step < 0:
                raise ValueError("step must be greater than zero")
        return k
    if type(k) is int:
        return k
    if isinstance(k, Tensor):
        if k._data.ndim == 0 and k._data.dtype.kind in "iu":
            return int(k._data)  # a 0-dim integer tensor selects, as an int does
        return _index_array(k)
    if isinstance(k, (bool, xp.bool_)):
        return xp.asarray(k)
    if isinstance(k, (list, tuple, ndarray)):
        return _index_array(k)
    if hasattr(k, "__index__"):
        return k.__index__()
    raise IndexError(_BAD_INDEX.format(type(k).__name__))


def _as_tuple(key):
    if type(key) is tuple:
        return key
    # PyTorch (still) reads a list holding sequences, slices or None as a tuple of indices.
    if type(key) is list and any(
        k is None or k is Ellipsis or isinstance(k, (list, tuple, slice, Tensor)) for k in key
    ):
        return tuple(key)
    return (key,)


def _size_list(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def whole_slice(k, n):
    """Whether PyTorch skips the slice ``k`` of a dimension of size ``n`` as keeping all of it: it
    starts at 0 as written (``-n:`` is a slice), steps by 1, and stops at or past the end."""
    return (
        (k.start is None or k.start == 0)
        and (k.step is None or k.step == 1)
        and (k.stop is None or k.stop >= n)
    )


def parse_key(key, shape):
    """``(key, advanced, node)``: the normalized key, whether it indexes by arrays, and the name of
    the node PyTorch gives the result; PyTorch's errors for bad indices."""
    items = tuple(_item(k) for k in _as_tuple(key))
    # In a tuple key, PyTorch skips slices that keep a whole dimension: they name no node.
    skip_full = type(key) is not slice
    ndim = len(shape)
    used = 0
    for k in items:
        if k is None or k is Ellipsis:
            continue
        used += k.ndim if type(k) is ndarray and k.dtype.kind == "b" else 1
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    advanced = False
    nth = 0  # advanced index tensors met so far (PyTorch numbers its bound errors by them)
    dim = 0
    ellipsis_seen = False
    last = Ellipsis  # the last element that is not an ellipsis
    for k in items:
        if k is Ellipsis:
            if not ellipsis_seen:
                dim += ndim - used
                ellipsis_seen = True
            continue
        if type(k) is slice and skip_full and whole_slice(k, shape[dim]):
            dim += 1
            continue
        last = k
        if k is None:
            continue
        if type(k) is int:
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
            dim += 1
        elif type(k) is slice:
            dim += 1
        elif k.dtype.kind == "b":
            advanced = True
            for j, m in enumerate(k.shape):
                if m != shape[dim + j]:
                    raise IndexError(
                        f"The shape of the mask {_size_list(k.shape)} at index {j} does not match "
                        f"the shape of the indexed tensor {_size_list(shape)} at index {dim + j}"
                    )
            dim += k.ndim
            nth += k.ndim
        else:
            advanced = True
            n = shape[dim]
            if k.size:
                bad = k[(k >= n) | (k < -n)]
                if bad.size:
                    raise IndexError(
                        f"index {bad.flat[0]} is out of bounds for dimension {nth} with size {n}"
                    )
            dim += 1
            nth += 1
    if advanced:
        return items, True, _index
    if not ellipsis_seen:
        items = items + (Ellipsis,)  # a[1, 2, ...] is a 0-dim view where a[1, 2] would be a copy
    if last is Ellipsis:
        return items, False, _alias
    if last is None:
        return items, False, _unsqueeze_index
    return items, False, _select if type(last) is int else _slice


def split_advanced(items, shape):
    """A parsed key with index arrays, split as PyTorch splits it: the basic key of the view to
    write into (None when it would be all of ``self``) and the index into that view."""
    used = sum(
        k.ndim if type(k) is ndarray and k.dtype == bool else 1
        for k in items
        if k is not None and k is not Ellipsis
    )
    view_key, index = [], []
    needs_view = False
    dim = 0
    for k in items:
        if k is Ellipsis:
            n = len(shape) - used
            view_key.append(Ellipsis)
            index.extend([slice(None)] * n)
            dim += n
            used = len(shape)  # a second ``...`` stands for no dimension
        elif k is None:
            view_key.append(None)
            index.append(slice(None))
            needs_view = True
        elif type(k) is int:
            view_key.append(k)
            needs_view = True
            dim += 1
        elif type(k) is slice:
            view_key.append(k)
            index.append(slice(None))
            needs_view = needs_view or not whole_slice(k, shape[dim])
            dim += 1
        elif k.ndim == 0:  # a bool: a new dimension, then a mask of one element indexing it
            view_key.append(None)
            index.append(k.reshape(1))
            needs_view = True
        else:
            n = k.ndim if k.dtype == bool else 1
            view_key.extend([slice(None)] * n)
            index.append(k)
            dim += n
    return (view_key if needs_view else None), tuple(index)


# --- reading by index, and its backward ---------------------------------------------------------


def kept_indices(values):
    """The index tensors among ``values`` (integer ones with dimensions, and masks), each with its
    version now.  Backward reads an index again, so a node keeps these and, as PyTorch does,
    refuses one written in place since (``checked``)."""
    return tuple(
        (v, v._vc.version)
        for v in values
        if isinstance(v, Tensor) and (v._data.ndim or v._data.dtype == bool)
    )


def checked(formula):
    """``formula``, run once the indices its node kept (its ``indices``) are found unchanged."""

    def grad(g, n):
        for t, version in n.indices:
            check_version(n, t, version)
        return formula(g, n)

    return grad


def _index_backward_grad(g, n):
    return n.node_fn(g, n.key, n.advanced, n.node_fn)


def _into_zeros(grad, shape, key, advanced, node_fn):
    out = xp.zeros(shape, grad.dtype)
    if advanced:
        xp.add.at(out, key, grad)  # repeated indices: each occurrence adds its gradient
    else:
        out[key] = grad
    return out


def _backward_op(name, node):
    """The backward of a read by key, as an op (so double backward works), under the node name
    of the op PyTorch's formula calls for that read."""
    return op(name, inputs="grad", grads=(_index_backward_grad,), method=False, node=node)(
        _into_zeros
    )


_index_backward = _backward_op("_index_backward", "IndexPutImplBackward0")
_select_backward = _backward_op("_select_backward", "SelectBackwardBackward0")
_slice_backward = _backward_op("_slice_backward", "SliceBackwardBackward0")
_gather_backward = _backward_op("_gather_backward", "ScatterAddBackward0")
_index_select_backward = _backward_op("_index_select_backward", "IndexAddBackward0")


def _take(self, key, advanced, node_fn, indices=()):
    out = self[key]
    if advanced:
        return _index_layout(out, self, key) if out.ndim > 1 else out
    if None in key:
        return _new_axis_strides(out, self, key)
    return out


_WHOLE = slice(None)


def _new_axis_strides(out, a, key):
    """``out = a[key]`` (a basic key holding None) with PyTorch's strides for the dimensions
    None adds, where NumPy gives 0: PyTorch unsqueezes at each None in turn, which gives the
    new dimension the extent of the one it goes before (size times stride), or 1 element at
    the end."""
    if a.flags.c_contiguous and all(
        k is None or k is Ellipsis or (type(k) is slice and k == _WHOLE) for k in key
    ):
        return a.reshape(out.shape)  # (C strides are those: no stride tricks needed)
    strides = list(out.strides)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    dim = at = 0  # the next dimension of ``a`` and of ``out``
    for k in key:
        if k is None:
            strides[at] = a.shape[dim] * a.strides[dim] if dim < a.ndim else a.itemsize
            at += 1
        elif k is Ellipsis:
            rest = a.ndim - used
            dim += rest
            at += rest
            used = a.ndim  # (a second ``...`` stands for no dimension)
        else:
            dim += 1
            at += type(k) is slice
    strides = tuple(strides)
    if strides == out.strides:
        return out
    return xp.lib.stride_tricks.as_strided(out, strides=strides, writeable=out.flags.writeable)


def _index_layout(out, a, key):
    """``out = a[key]`` (integer index arrays and full slices) laid out as PyTorch's index op
    lays it out: by TensorIterator over ``a`` seen with the result's shape (stride 0 along the
    indexed dimensions) and the index arrays (stride 0 along the others).  Other keys keep
    NumPy's layout."""
    if out.flags.c_contiguous and a.flags.c_contiguous:
        # (every operand is in C order, or tells nothing, when the indexed dimensions are
        # adjacent and the indices are C-ordered: the common x[idx] needs no further look)
        if all(type(k) is not ndarray or k.flags.c_contiguous for k in key):
            where = [i for i, k in enumerate(key) if type(k) is ndarray]
            if where[-1] - where[0] == len(where) - 1 and Ellipsis not in key[: where[0]]:
                return out
    items = []
    for k in key:
        if k is Ellipsis:
            items.extend([slice(None)] * (a.ndim - len(key) + 1))
        elif type(k) is ndarray and k.dtype.kind in "iu":
            items.append(k)
        elif type(k) is slice and k == slice(None):
            items.append(k)
        else:
            return out
    items.extend([slice(None)] * (a.ndim - len(items)))
    where = [i for i, k in enumerate(items) if type(k) is ndarray]
    shape = xp.broadcast_shapes(*(items[i].shape for i in where))
    if where[-1] - where[0] == len(where) - 1:  # adjacent: the index dimensions stay in place
        before, after = list(range(where[0])), list(range(where[-1] + 1, a.ndim))
    else:  # apart: the index dimensions come first
        before, after = [], [i for i in range(a.ndim) if i not in where]
    n = len(shape)
    if len(before) + n + len(after) != out.ndim:
        return out
    zeros = (0,) * n
    strides = [tuple(a.strides[i] for i in before) + zeros + tuple(a.strides[i] for i in after)]
    for i in where:
        b = xp.broadcast_to(items[i], shape)
        strides.append((0,) * len(before) + b.strides + (0,) * len(after))
    # (a size-1 dimension tells nothing, as in iterator_layout)
    strides = [tuple(0 if size == 1 else st for st, size in zip(sts, out.shape)) for sts in strides]
    return strided_layout(out, strides)


def _read_backward(g, n):
    if n.node_fn is _unsqueeze_index:
        dims = _new_dims(n.key, g.ndim)
        if dims is not None:  # dimensions added and nothing else: PyTorch squeezes them, one
            for d in reversed(dims):  # by one (a view each), the last added first
                g = g.squeeze(d)
            return g
    elif n.node_fn is _alias or n.node_fn is _identity:
        return g
    backward = _BACKWARD_OF.get(n.node_fn, _index_backward if n.advanced else _slice_backward)
    return backward(g, n.self_shape, n.key, n.advanced, n.node_fn)


def _new_dims(key, ndim):
    """The dimensions of an ``ndim``-dim result that ``None`` in ``key`` added, or None when the
    key does more than add dimensions."""
    dims = []
    dim = 0
    for k in key:
        if k is None:
            dims.append(dim)
            dim += 1
        elif k is Ellipsis:
            dim += ndim - sum(1 for j in key if j is not Ellipsis)
        elif type(k) is slice and k == slice(None):
            dim += 1
        else:
            return None
    return tuple(dims)


def _take_contiguous(self, key, advanced, node_fn, indices=()):
    return c_order(self[key])


def _reader(name, node, by_tensors=False, forward=_take):
    """A read by key; ``by_tensors``: the key may hold index tensors, which backward checks."""
    return op(
        name,
        saves="self_shape",
        view=True,
        method=False,
        node=node,
        grads=(checked(_read_backward) if by_tensors else _read_backward,),
    )(forward)


_select = _reader("_select", "SelectBackward0")
_slice = _reader("_slice", "SliceBackward0")
_unsqueeze_index = _reader("_unsqueeze_index", "UnsqueezeBackward0")
_alias = _reader("_alias", "AliasBackward0")
# (forward AD's primal of a dual tensor: a view whose node hands the gradient on as it is)
_identity = _reader("_identity", "torch::autograd::Identity")
_index = _reader("_index", "IndexBackward0", True)
_gather = _reader("_gather", "GatherBackward0", True)
# (PyTorch's index_select result is contiguous, NumPy's fancy indexing keeps the input's order)
_index_select = _reader("_index_select", "IndexSelectBackward0", True, _take_contiguous)
_BACKWARD_OF = {
    _select: _select_backward,
    _slice: _slice_backward,
    _index: _index_backward,
    _gather: _gather_backward,
    _index_select: _index_select_backward,
}


_ZERO_DIM_INT = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
    "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
)


def getitem(self, key):
    """``Tensor.__getitem__``: ints, slices, None, ``...``, bool masks and integer arrays, mixed as
    NumPy and PyTorch mix them."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(getitem, (self, key), {})
        if batched is not NotImplemented:
            return batched
    shape = self._data.shape
    if type(key) is int:  # the common x[i], without the general parse
        if not shape:
            raise IndexError(_ZERO_DIM_INT)
        if not -shape[0] <= key < shape[0]:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {shape[0]}")
        return _select(self, (key, Ellipsis), False, _select)
    if type(key) is slice and not shape:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    items, advanced, fn = parse_key(key, shape)
    if not advanced:
        return fn(self, items, advanced, fn)
    kept = kept_indices(key if type(key) is tuple else (key,))
    if any(type(k) is int or type(k) is ndarray and k.ndim == 0 for k in items):
        # PyTorch selects by the ints first, then indexes the view by the tensors: x[0, :, [0, 1]]
        # is (3, 2) for x of (2, 3, 4), where NumPy would count the int as an index array; and a
        # bool (x[True], x[x > 0] of a 0-dim x) adds a dimension first (a view, UnsqueezeBackward0)
        # that a mask of one element then indexes.
        view_key, index = split_advanced(items, shape)
        self = getitem(self, tuple(view_key))
        items, advanced, fn = parse_key(index, self._data.shape)
    return fn(self, items, advanced, fn, kept)


# --- gather, index_select, take_along_dim -------------------------------------------------------


def _long_index(index, message):
    a = index._data if isinstance(index, Tensor) else xp.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(message)
    return a


def _along_key(index, d, ndim):
    """The full advanced key that reads ``index`` along dim ``d`` and the index's own position
    along the others (gather's and scatter's addressing).  A 0-dim input has one element, which
    every index names (the bounds are checked): the key reads it in the index's shape."""
    if ndim == 0:
        if index.size > 1:
            raise NotImplementedError(
                "gather/scatter of a 0-dim tensor by more than one index is not supported"
            )
        return () if index.ndim == 0 else (None,) * index.ndim
    key = list(xp.indices(index.shape, sparse=True))
    key[d] = index
    return tuple(key)


def _check_bounds(index, d, size):
    bad = index[(index >= size) | (index < -size)]
    if bad.size:
        raise RuntimeError(
            f"index {bad.flat[0]} is out of bounds for dimension {d} with size {size}"
        )


def _check_along(name, shape, index, d, other=None, other_name="src"):
    if index.ndim != len(shape) and not (index.ndim <= 1 and len(shape) <= 1):
        what = "input" if name == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    for k, m in enumerate(index.shape):
        if k != d and m > shape[k]:
            if name == "gather":
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {_size_list(index.shape)} "
                    f"to be no larger than self {_size_list(shape)} apart from dimension {d}"
                )
            break
    else:
        if other is None or all(m <= s for m, s in zip(index.shape, other)):
            _check_bounds(index, d, shape[d] if shape else 1)
            return
    raise RuntimeError(
        f"Expected index {_size_list(index.shape)} to be no larger than self {_size_list(shape)} "
        f"apart from dimension {d} and to be no larger size than {other_name} "
        f"{_size_list(other)}"
    )


@tensor_method
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``torch.gather``: ``out[i][j] = input[i][index[i][j]]`` along ``dim`` (2-D case)."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            gather, (input, dim, index), {"sparse_grad": sparse_grad, "out": out}
        )
        if batched is not NotImplemented:
            return batched
    if sparse_grad:
        raise NotImplementedError(
            "gather(sparse_grad=True): retrograd has no sparse tensors; "
            "the gradient of gather is always dense here"
        )
    d = _wrap_dim(dim, input.ndim)
    idx = _long_index(index, "gather(): Expected dtype int32/int64 for index")
    if idx.size == 0 and input.ndim and idx.ndim != input.ndim:
        key = _nowhere(idx, input.ndim)  # (the result has the index's shape)
    else:
        _check_along("gather", input._data.shape, idx, d)
        key = _along_key(idx, d, input.ndim)
    if out is not None:
        check_out("gather", out, (input,))
    # the index is a saved tensor of gather's node even when 0-dim (freed with the graph)
    kept = ((index, index._vc.version),) if isinstance(index, Tensor) else ()
    result = _gather(input, key, True, _gather, kept)
    if out is None:
        return result
    return write_out("gather", result, out, (input,), dtype_expected(result, out), exact=True)


@tensor_method
def index_select(input, dim, index, *, out=None):
    """``torch.index_select``: the entries of ``index`` (a vector) along ``dim``."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(index_select, (input, dim, index), {"out": out})
        if batched is not NotImplemented:
            return batched
    d = _wrap_dim(dim, input.ndim)
    idx = _long_index(index, "index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    size = input._data.shape[d] if input.ndim else 1
    bad = idx[(idx >= size) | (idx < 0)]
    if bad.size:
        if input.ndim == 2 and d == 1:
            raise RuntimeError(
                f"INDICES element is out of DATA bounds, id={bad[0]} axis_dim={size}"
            )
        raise IndexError("index out of range in self")
    if out is not None:
        check_out("index_select", out, (input,))
    key = (slice(None),) * d + (idx,) if input.ndim else ()  # a 0-dim input: its one element
    result = _index_select(input, key, True, _index_select, kept_indices((index,)))
    if out is None:
        return result
    return write_out(
        "index_select",
        result,
        out,
        (input,),
        RuntimeError("index_select(): self and result must have the same scalar type"),
        exact=True,
    )


def take_along_dim(input, indices, dim=None, *, out=None):
    """``torch.take_along_dim``: gather with ``indices`` broadcast against ``input`` off ``dim``
    (over the flattened input when ``dim`` is None)."""
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1), out=out)
    if input.ndim != indices.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    d = _wrap_dim(dim, input.ndim)
    shapes = [t.shape[:d] + (1,) + t.shape[d + 1 :] for t in (input, indices)]
    try:
        shape = list(xp.broadcast_shapes(*shapes))
    except ValueError as e:  # PyTorch's text, naming the dimension
        raise _shape_error(e, True, [xp.broadcast_to(0, s) for s in shapes], "") from None
    shape[d] = input.shape[d]
    if list(input.shape) != shape:  # (PyTorch expands only what needs it)
        input = input.expand(shape)
    shape[d] = indices.shape[d]
    # Gathers by its own copy of the indices, as PyTorch does: writing them later is no error.
    return input.gather(d, indices.expand(shape).clone(), out=out)


tensor_method(take_along_dim)


# --- writing by index: scatter, scatter_add, masked_fill ----------------------------------------


def _src_grad(g, n):
    """Gradient of ``src``: what was read from it, in a tensor of its own shape."""
    part = g.gather(n.dim, n.index)
    if tuple(part.shape) == tuple(n.src_shape):
        return part
    key = tuple(slice(0, m) for m in n.index.shape) + (Ellipsis,)
    return _slice_backward(part, n.src_shape, key, False, _slice)


def _src_part(src, index):
    if src.shape == index.shape:
        return src if src.ndim else src.reshape(())
    return src[tuple(slice(0, m) for m in index.shape)]


@op(
    inputs="self src",
    saves="src_shape",
    grads=(checked(lambda g, n: g.scatter(n.dim, n.index, 0)), checked(_src_grad)),
    node="ScatterBackward0",
    method=False,
)
def _scatter_src(self, src, dim, index, key, indices=()):
    out = self.copy()
    out[key] = _src_part(src, index)
    return out


@op(
    inputs="self",
    grads=(checked(lambda g, n: g.scatter(n.dim, n.index, 0)),),
    node="ScatterBackward1",
    method=False,
)
def _scatter_value(self, dim, index, key, value, indices=()):
    out = self.copy()
    out[key] = value
    return out


_no_scatter_reduce_grad, _no_scatter_reduce_jvp = no_derivative("scatter")


def _reduced_into(self, key, values, reduce):
    """A copy of ``self`` with ``values`` added into (or multiplied with) the elements ``key``
    addresses, a repeated position once for each time it is named."""
    out = self.copy()
    (xp.add if reduce == "add" else xp.multiply).at(out, key, values)
    return out


@op(
    inputs="self src",
    grads=(_no_scatter_reduce_grad, _no_scatter_reduce_grad),
    jvp=_no_scatter_reduce_jvp,
    node="torch::autograd::NotImplemented",
    method=False,
)
def _scatter_reduced(self, src, dim, index, key, reduce, indices=()):
    """scatter of a tensor ``src`` with ``reduce`` (PyTorch has no derivative)."""
    return _reduced_into(self, key, _src_part(src, index), reduce)


@op(
    grads=(_no_scatter_reduce_grad,),
    jvp=_no_scatter_reduce_jvp,
    node="torch::autograd::NotImplemented",
    method=False,
)
def _scatter_reduced_value(self, dim, index, key, value, reduce, indices=()):
    """scatter of a number ``value`` with ``reduce`` (PyTorch has no derivative)."""
    return _reduced_into(self, key, value, reduce)


_warned_reduce: list = []


@op(
    inputs="self src",
    saves="src_shape",
    grads=(checked(lambda g, n: g), checked(_src_grad)),
    method=False,
    node="ScatterAddBackward0",
)
def _scatter_add(self, src, dim, index, key, indices=()):
    out = self.copy()
    xp.add.at(out, key, _src_part(src, index))
    return out


def _scatter_args(name, input, dim, index, src):
    d = _wrap_dim(dim, input.ndim)
    idx = _long_index(index, "scatter(): Expected dtype int32/int64 for index")
    if isinstance(src, Tensor):
        if src.ndim != idx.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idx.size == 0 and input.ndim and idx.ndim != input.ndim:
        return d, idx, _nowhere(idx, input.ndim)
    _check_along(
        name, input._data.shape, idx, d, src._data.shape if isinstance(src, Tensor) else None
    )
    return d, idx, _along_key(idx, d, input.ndim)


def _nowhere(idx, ndim):
    """The key of an empty index into an ``ndim``-dim tensor, whatever its own number of dims:
    it addresses nothing (PyTorch takes such an index in gather and scatter), in its shape."""
    return tuple(xp.zeros(idx.shape, xp.int64) for _ in range(ndim))


@tensor_method
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """``torch.scatter``: a copy of ``input`` with ``src`` (or ``value``) written at ``index`` along
    ``dim``."""
    if src is None:
        src = value
    d, idx, key = _scatter_args("scatter", input, dim, index, src)
    if out is not None:
        check_out("scatter", out, (input, src))
    if reduce is not None:  # (deprecated in PyTorch, and not differentiable there)
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if not isinstance(src, Tensor):
            value = dtypes.checked_scalar(src, input.dtype)
            result = _scatter_reduced_value(
                input, d, idx, key, value, reduce, kept_indices((index,))
            )
        else:
            if not _warned_reduce:  # (once, as PyTorch)
                _warned_reduce.append(True)
                warnings.warn(
                    "The reduce argument of torch.scatter with Tensor src is deprecated and will "
                    "be removed in a future PyTorch release. Use torch.scatter_reduce instead for "
                    "more reduction options.",
                    UserWarning,
                    stacklevel=3,  # (through the argument check's wrapper)
                )
            result = _scatter_reduced(input, src, d, idx, key, reduce, kept_indices((index,)))
    elif isinstance(src, Tensor):
        result = _scatter_src(input, src, d, idx, key, kept_indices((index,)))
    else:
        result = _scatter_value(input, d, idx, key, src, kept_indices((index,)))
    if out is None:
        return result
    return write_out("scatter", result, out, (input, src), dtype_expected(result, out), exact=True)


@tensor_method
def scatter_add(input, dim, index, src, *, out=None):
    """``torch.scatter_add``: a copy of ``input`` with ``src`` added at ``index`` along ``dim``
    (repeated indices add up)."""
    d, idx, key = _scatter_args("scatter_add", input, dim, index, src)
    if out is not None:
        check_out("scatter_add", out, (input, src))
    result = _scatter_add(input, src, d, idx, key, kept_indices((index,)))
    if out is None:
        return result
    return write_out(
        "scatter_add", result, out, (input, src), dtype_expected(result, out), exact=True
    )


# --- scatter_reduce ----------------------------------------------------------------------------

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _group_counts(n, key, out_shape, include_self):
    """How many values each position of the result combines (itself included or not)."""
    counts = xp.full(out_shape, 1 if include_self else 0, dtype=xp.int64)
    xp.add.at(counts, key, 1)
    return counts


def _scatter_reduce_grads(g, n):
    """Gradients of scatter_reduce for the input and for src, written in retrograd ops."""
    self, src, index, reduce = n.self, n.src, n.index, n.reduce
    d, result = n.dim, n.result
    touched = _make(_group_counts(None, n.key, self.shape, False) > 0)
    if reduce == "sum":
        g_self = g if n.include_self else g.masked_fill(touched, 0.0)
        return g_self, g.gather(d, index)
    if reduce == "mean":
        counts = _make(_group_counts(None, n.key, self.shape, n.include_self).astype(g._data.dtype))
        scaled = g / counts.clamp(min=1)
        g_self = scaled if n.include_self else g.masked_fill(touched, 0.0)
        return g_self, scaled.gather(d, index)
    if reduce in ("amax", "amin"):
        picked = result.gather(d, index)
        src_hit = (src == picked).to(g.dtype)
        # the input's own value counts among the ties even when not included (PyTorch's rule)
        self_hit = (self == result).to(g.dtype)
        ties = src_hit.new_zeros(self.shape).scatter_add(d, index, src_hit) + self_hit
        share = g / ties.clamp(min=1)
        g_src = share.gather(d, index) * src_hit
        if not n.include_self:
            return g.masked_fill(touched, 0.0), g_src
        return share * self_hit, g_src
    # prod: each factor's gradient is the product of the others (zeros counted apart)
    zeros_src = (src == 0).to(g.dtype)
    zero_count = zeros_src.new_zeros(self.shape).scatter_add(d, index, zeros_src)
    safe_src = src.masked_fill(src == 0, 1.0)
    nonzero_prod = (
        self.masked_fill(self == 0, 1.0) if n.include_self else self.new_ones(self.shape)
    ).scatter_reduce(d, index, safe_src, "prod")
    if n.include_self:
        zero_count = zero_count + (self == 0).to(g.dtype)
    others_src = where(
        src == 0,
        where(zero_count.gather(d, index) == 1, nonzero_prod.gather(d, index), 0.0),
        result.gather(d, index) / safe_src,
    )
    g_src = g.gather(d, index) * others_src
    if not n.include_self:
        return g.masked_fill(touched, 0.0), g_src
    safe_self = self.masked_fill(self == 0, 1.0)
    others_self = where(self == 0, where(zero_count == 1, nonzero_prod, 0.0), result / safe_self)
    return g * others_self, g_src


@op(
    inputs="self src",
    saves="self src result",
    grads=(
        checked(lambda g, n: _scatter_reduce_grads(g, n)[0]),
        checked(lambda g, n: _scatter_reduce_grads(g, n)[1]),
    ),
    node="ScatterReduceBackward0",
    method=False,
)
def _scatter_reduce(self, src, dim, index, key, reduce, include_self, indices=()):
    out = self.copy()
    part = _src_part(src, index)
    if reduce == "mean":
        counts = _group_counts(None, key, out.shape, include_self)
        if not include_self:
            out[key] = 0
        xp.add.at(out, key, part)
        if out.dtype.kind in "iu":
            return xp.where(counts > 0, out // xp.maximum(counts, 1), out).astype(out.dtype)
        return xp.where(counts > 0, out / xp.maximum(counts, 1), out).astype(out.dtype)
    ufunc = {"sum": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}[reduce]
    if not include_self:
        first = {"sum": 0, "prod": 1}.get(reduce)
        if first is None:  # amax/amin: start from the first value written there
            out[key] = part
        else:
            out[key] = first
    ufunc.at(out, key, part)
    return out


@tensor_method
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """``torch.scatter_reduce``: ``src`` combined into a copy of ``input`` at ``index`` along
    ``dim`` by ``reduce`` ('sum', 'prod', 'mean', 'amax' or 'amin'), with the input's own value
    among them unless ``include_self`` is False."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # (PyTorch takes these too)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            "reduce argument must be either sum, prod, mean, amax or amin, got " + str(reduce)
        )
    d, idx, key = _scatter_args("scatter_reduce", input, dim, index, src)
    if out is not None:
        check_out("scatter_reduce", out, (input, src))
    result = _scatter_reduce(input, src, d, idx, key, reduce, include_self, kept_indices((index,)))
    if out is None:
        return result
    return write_out(
        "scatter_reduce", result, out, (input, src), dtype_expected(result, out), exact=True
    )


# --- copying and filling by index, scattering by mask, writing into a part ---------------------


def _along(a, dim, index):
    """The key that addresses positions ``index`` of dim ``dim`` of ``a`` (every other dim whole)."""
    return (slice(None),) * _wrap_dim(dim, a.ndim) + (index,) if a.ndim else ()


def _written_along(a, dim, index, value, op=""):
    """A copy of ``a`` with ``value`` written at positions ``index`` (a tensor) of ``dim``;
    ``op``: the name PyTorch's out-of-bounds error starts with, if any."""
    i = index._data.reshape(-1)
    d = _wrap_dim(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    bad = i[(i >= size) | (i < -size)]
    if bad.size:
        head = f"{op}(): " if op else ""
        raise IndexError(
            f"{head}index {bad[0]} is out of bounds for dimension {d} with size {size}"
        )
    out = a.copy()
    out[_along(out, dim, i)] = value
    return out


def _zeroed_along(g, n):
    """The gradient of what a write along ``n.dim`` kept: zero where it wrote."""
    return g.index_fill(n.dim, n.index, 0.0)


def _read_along(g, n, index=None):
    """The gradient of what was written along ``n.dim`` (at ``index``, ``n.index`` unless
    given): ``g`` where it went."""
    return g.index_select(n.dim, n.index if index is None else index) if g.ndim else g


@op(
    inputs="self source",
    saves="source_shape",
    grads=(_zeroed_along, lambda g, n: _read_along(g, n).reshape(n.source_shape)),
    node="IndexCopyBackward0",
    method=False,
)
def _index_copy(self, source, dim, index):
    return _written_along(self, dim, index, source, "index_copy_")


@tensor_method
def index_copy(input, dim, index, source):
    """``torch.index_copy``: a copy of ``input`` with the slices of ``source`` written at the
    positions ``index`` names along ``dim``."""
    _long_index(index, "index_copy_(): Expected a long tensor for index, but got Float")
    return _index_copy(input, source, dim, index)


@op(grads=(_zeroed_along,), node="IndexFillBackward0", method=False)
def _index_fill_scalar(self, dim, index, value):
    return _written_along(self, dim, index, value)


@op(
    inputs="self value",
    # (the value's gradient: each position it was written to counted once, however often the
    # index names it)
    grads=(_zeroed_along, lambda g, n: _read_along(g, n, n.index.unique()).sum()),
    node="IndexFillBackward1",
    method=False,
)
def _index_fill_tensor(self, value, dim, index):
    return _written_along(self, dim, index, value)


@tensor_method
def index_fill(input, dim, index, value):
    """``torch.index_fill``: a copy of ``input`` with ``value`` at the positions ``index`` names
    along ``dim``."""
    _long_index(index, "index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        return _index_fill_tensor(input, value, dim, index)
    return _index_fill_scalar(input, dim, index, dtypes.checked_scalar(value, input.dtype))


def _masked_scatter_source_grad(g, n):
    """The gradient reaching the first ``k`` elements of source (k the mask's True count), in
    source's shape."""
    mask = n.mask
    picked = g.masked_select(mask)
    size = 1
    for m in n.source_shape:
        size *= m
    rest = picked.new_zeros((size - picked.shape[0],))
    from .shape import cat

    return cat([picked, rest]).reshape(n.source_shape)


def _check_masked_scatter(a, source, mask):
    if mask.dtype != xp.bool_:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{dtypes.scalar_type_name(dtypes.FROM_NP[mask.dtype])}"
        )
    shape = broadcast_pair(mask.shape, a.shape)
    if int(xp.broadcast_to(mask, shape).sum()) > source.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")


@op(
    inputs="self source",
    saves="self_shape source_shape",
    grads=(
        lambda g, n: g.masked_fill(n.mask, 0.0).sum_to_size(n.self_shape),
        _masked_scatter_source_grad,
    ),
    check=lambda a, source, mask: _check_masked_scatter(a, source, mask._data),
    node="MaskedScatterBackward0",
    method=False,
)
def _masked_scatter(self, source, mask):
    # (the result has the shape self and the mask broadcast to, as PyTorch's)
    shape = xp.broadcast_shapes(self.shape, mask._data.shape)
    out = xp.array(xp.broadcast_to(self, shape))
    where_ = xp.broadcast_to(mask._data, shape)
    out[where_] = source.reshape(-1)[: int(where_.sum())]
    return out


@tensor_method
def masked_scatter(input, mask, source):
    """``torch.masked_scatter``: a copy of ``input`` with the elements of ``source``, in order,
    written where ``mask`` is True."""
    return _masked_scatter(input, source, mask)


# --- select_scatter, slice_scatter, diagonal_scatter: src written into one part of a copy -------


def _part_view(a, part):
    """The view of ``a`` that ``part`` names: ("select", dim, index), ("slice", dim, start, stop,
    step) or ("diagonal", offset, dim1, dim2), the diagonal last as ``Tensor.diagonal`` puts it."""
    kind = part[0]
    if kind == "select":  # (the Ellipsis: a 0-dim view of one element, not a NumPy scalar)
        return a[(slice(None),) * part[1] + (part[2], Ellipsis)]
    if kind == "slice":
        return a[(slice(None),) * part[1] + (slice(part[2], part[3], part[4]),)]
    offset, d1, d2 = part[1:]
    moved = xp.moveaxis(a, (d1, d2), (-2, -1))
    rows, cols = moved.shape[-2:]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, cols - start_col), 0)
    i = xp.arange(length)
    return moved, (Ellipsis, start_row + i, start_col + i)


def _write_part(out, part, src):
    view = _part_view(out, part)
    if part[0] == "diagonal":
        moved, key = view
        moved[key] = src
    else:
        view[...] = src


def _read_part(t, part):
    if part[0] == "select":
        return t.select(part[1], part[2])
    if part[0] == "slice":
        return t[(slice(None),) * part[1] + (slice(part[2], part[3], part[4]),)]
    return t.diagonal(part[1], part[2], part[3])


def _check_part(a, src, part, node):
    view = _part_view(a, part)
    shape = view[0][view[1]].shape if part[0] == "diagonal" else view.shape
    if tuple(src.shape) != tuple(shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(shape)}"
        )


def _part_writer(node):
    def forward(self, src, part, node):
        out = self.copy()
        _write_part(out, part, src)
        return out

    return op(
        "_" + node,
        inputs="self src",
        saves="src_shape src_dtype",
        grads=(
            lambda g, n: _PART_WRITERS[n.node](
                g, g.new_zeros(n.src_shape, dtype=g.dtype), n.part, n.node
            ),
            lambda g, n: _read_part(g, n.part),
        ),
        check=_check_part,
        node=node,
        method=False,
    )(forward)


_PART_WRITERS = {
    name: _part_writer(name)
    for name in ("SelectScatterBackward0", "SliceScatterBackward0", "DiagonalScatterBackward0")
}


@tensor_method
def select_scatter(input, src, dim, index):
    """``torch.select_scatter``: a copy of ``input`` with ``src`` written at ``index`` of ``dim``."""
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input.shape)} at dimension {d}"
        )
    part = ("select", d, index % size)
    return _PART_WRITERS["SelectScatterBackward0"](input, src, part, "SelectScatterBackward0")


@tensor_method
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``torch.slice_scatter``: a copy of ``input`` with ``src`` written into the slice
    ``start:end:step`` of ``dim``."""
    d = _wrap_dim(dim, input.ndim)
    part = ("slice", d, start, end, step)
    return _PART_WRITERS["SliceScatterBackward0"](input, src, part, "SliceScatterBackward0")


@tensor_method
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``torch.diagonal_scatter``: a copy of ``input`` with ``src`` written along the diagonal
    ``offset`` of the ``dim1`` x ``dim2`` matrices."""
    part = ("diagonal", offset, _wrap_dim(dim1, input.ndim), _wrap_dim(dim2, input.ndim))
    return _PART_WRITERS["DiagonalScatterBackward0"](input, src, part, "DiagonalScatterBackward0")


def _check_mask(self, mask, *rest):
    if mask.dtype.kind != "b":
        name = dtypes.CPP_NAMES.get(dtypes.FROM_NP[mask.dtype], mask.dtype.name)
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {name}"
        )
    try:
        xp.broadcast_shapes(mask.shape, self.shape)
    except ValueError as e:
        raise _shape_error(e, True, [mask, self], "masked_fill") from None


@op(
    inputs="self mask",
    saves="mask",
    broadcast=True,
    check=_check_mask,
    method=False,
    grads=(lambda g, n: g.masked_fill(n.mask, 0), None),
    node="MaskedFillBackward0",
)
def _masked_fill_scalar(self, mask, value):
    return c_order(xp.where(mask, xp.asarray(value).astype(self.dtype), self))


@op(
    inputs="self mask value",
    saves="mask",
    broadcast=True,
    check=_check_mask,
    method=False,
    grads=(
        lambda g, n: g.masked_fill(n.mask, 0),
        None,
        lambda g, n: g.masked_fill(n.mask.logical_not(), 0),
    ),
    node="MaskedFillBackward1",
)
def _masked_fill_tensor(self, mask, value):
    return c_order(xp.where(mask, value.astype(self.dtype), self))


@tensor_method
def masked_fill(input, mask, value):
    """``torch.masked_fill``: ``value`` where ``mask`` is True (broadcast), ``input`` elsewhere."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got "
                f"tensor with {value.ndim} dimension(s)."
            )
        return _masked_fill_tensor(input, mask, value)
    return _masked_fill_scalar(input, mask, dtypes.checked_scalar(value, input.dtype))


# --- triangles and nonzero ----------------------------------------------------------------------


def _check_triangle(name):
    def check(a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")

    return check


@op(grads=(lambda g, n: g.tril(n.diagonal),), check=_check_triangle("tril"))
def tril(self, diagonal=0):
    """``torch.tril``: the lower triangle (on and below ``diagonal``); the rest zero."""
    return c_order(xp.tril(self, diagonal))  # contiguous, as PyTorch's


@op(grads=(lambda g, n: g.triu(n.diagonal),), check=_check_triangle("triu"))
def triu(self, diagonal=0):
    """``torch.triu``: the upper triangle (on and above ``diagonal``); the rest zero."""
    return c_order(xp.triu(self, diagonal))


def _check_masked_select(a, mask, indices=()):
    if mask.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")


def _masked_select_backward(grad, shape, mask):
    """Zeros of ``shape`` with ``grad`` written, in order, where the (broadcast) mask is True:
    PyTorch's masked_scatter into zeros, summed back to ``shape`` when the mask broadcast it."""
    full = xp.broadcast_shapes(tuple(shape), mask.shape)
    zeros = _make(xp.zeros(full, grad._data.dtype))
    out = _masked_scatter(zeros, grad, _make(mask))
    return out.sum_to_size(shape) if full != tuple(shape) else out


@op(
    inputs="self",
    saves="self_shape",
    method=False,
    node="MaskedSelectBackward0",
    check=_check_masked_select,
    grads=(checked(lambda g, n: _masked_select_backward(g, n.self_shape, n.mask)),),
)
def _masked_select(self, mask, indices=()):
    shape = xp.broadcast_shapes(self.shape, mask.shape)
    return xp.broadcast_to(self, shape)[xp.broadcast_to(mask, shape)]


@tensor_method
def masked_select(input, mask):
    """``torch.masked_select``: the elements where ``mask`` is True, as a vector."""
    return _masked_select(input, mask._data, kept_indices((mask,)))


@tensor_method
def unique(
    input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim=None
):
    """``torch.unique``: the distinct elements (or slices along ``dim``), in order, with the
    inverse indices and counts when asked (no gradient)."""
    a = input._data
    refuse_complex("unique" if dim is None else "unique_dim", a)
    axis = None if dim is None else _wrap_dim(dim, a.ndim)
    values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
    out = (_make(values),)
    if return_inverse:
        out += (_make(inverse.reshape(a.shape if axis is None else -1).astype(xp.int64)),)
    if return_counts:
        out += (_make(counts.astype(xp.int64)),)
    return out[0] if len(out) == 1 else out


@tensor_method
def bincount(input, weights=None, minlength: int = 0):
    """``torch.bincount``: how often each non-negative integer occurs (summing ``weights``)."""
    a = input._data
    if a.dtype.kind in "fcV":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_dtype_name(a)}'")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _make(xp.bincount(a, minlength=minlength).astype(xp.int64))
    w = weights._data
    out_dtype = w.dtype if w.dtype.kind in "fV" else xp.float64
    return _make(xp.bincount(a, w, minlength=minlength).astype(out_dtype))


@tensor_method
def nonzero(input, *, out=None, as_tuple=False):
    """``torch.nonzero``: the indices of the non-zero elements, one row each (or one tensor per
    dimension with ``as_tuple``)."""
    a = input._data
    if as_tuple:
        if out is not None:
            raise RuntimeError("nonzero does not support the out kwarg when as_tuple is True")
        return tuple(
            _make(i.astype(xp.int64)) for i in xp.nonzero(a.reshape(1) if a.ndim == 0 else a)
        )
    result = _make(xp.argwhere(a).astype(xp.int64))
    if out is None:
        return result
    return write_out(
        "nonzero",
        result,
        out,
        (),
        RuntimeError(
            "nonzero: Expected out tensor to have scalar type Long but got scalar type"
            f"{dtypes.scalar_type_name(out.dtype)}"
        ),
        exact=True,
    )


@tensor_method
def nonzero_static(input, *, size, fill_value=-1):
    """``torch.nonzero_static``: nonzero's rows, cut or padded with ``fill_value`` to ``size``."""
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    a = input._data
    found = xp.argwhere(a)[:size].astype(xp.int64)
    out = xp.full((size, a.ndim), fill_value, xp.int64)
    out[: len(found)] = found
    return _make(out)


# --- adding into rows, flat picks, sorted search, membership -----------------------------------


def _check_index_add(a, source, dim, index, alpha):
    d = _wrap_dim(dim, a.ndim)
    if index.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {index.ndim} with type: "
            f"{dtypes.scalar_type_name(dtypes.FROM_NP[index.dtype])} and size: {list(index.shape)}"
        )
    if a.dtype != source.dtype:
        raise RuntimeError(
            f"index_add_(): self ({dtypes.scalar_type_name(dtypes.FROM_NP[a.dtype])}) and source "
            f"({dtypes.scalar_type_name(dtypes.FROM_NP[source.dtype])}) must have the same scalar "
            "type"
        )
    along = source.shape[d] if source.ndim else 1
    if index.size != along:
        raise RuntimeError(
            f"index_add_(): Number of indices ({index.size}) should be equal to source.size(dim): "
            f"({along}), for dim: {dim}"
        )
    kept = [n for i, n in enumerate(a.shape) if i != d]
    if source.ndim and [n for i, n in enumerate(source.shape) if i != d] != kept:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified dimension. "
            f"Got self.shape = {list(a.shape)} source.shape = {list(source.shape)}"
        )
    size = a.shape[d] if a.ndim else 1
    bad = index.reshape(-1)[(index.reshape(-1) >= size) | (index.reshape(-1) < 0)]
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {d} with size {size}")


def _index_add_source_grad(g, n):
    if not g.ndim:
        return g.reshape(n.source_shape) * n.alpha if n.alpha != 1 else g.reshape(n.source_shape)
    picked = g.index_select(n.dim, n.index)
    picked = picked.reshape(n.source_shape)
    return picked if n.alpha == 1 else picked * n.alpha


@op(
    inputs="self source",
    saves="source_shape",
    grads=(lambda g, n: g, _index_add_source_grad),
    check=lambda a, source, dim, index, alpha: _check_index_add(a, source, dim, index._data, alpha),
    node="IndexAddBackward0",
    method=False,
)
def _index_add(self, source, dim, index, alpha):
    out = self.copy()
    if alpha != 1 and source.dtype.kind in "iub":  # (alpha in the integer type: -1 wraps)
        alpha = source.dtype.type(dtypes.checked_scalar(alpha, dtypes.FROM_NP[source.dtype]))
    values = source if alpha == 1 else source * alpha
    if out.ndim == 0:
        out += values.reshape(())
        return out
    d = _wrap_dim(dim, out.ndim)
    xp.add.at(xp.moveaxis(out, d, 0), index._data.reshape(-1), xp.moveaxis(values, d, 0))
    return out


@tensor_method
def index_add(input, dim, index, source, *, alpha=1):
    """``torch.index_add``: a copy of ``input`` with ``alpha * source`` added at the positions
    ``index`` names along ``dim`` (repeated positions add up)."""
    if isinstance(index, Tensor) and index._data.dtype.kind not in "iu":
        raise RuntimeError(
            "index_add_(): Expected dtype int32/int64 for index but got: "
            f"{dtypes.scalar_type_name(index.dtype)}"
        )
    return _index_add(input, source, dim, index, alpha)


def _take_grad(g, n):
    zeros = _make(xp.zeros(n.self_shape, dtype=g._data.dtype))  # (PyTorch's put into zeros)
    return zeros.put(_make(n.index._data), g, accumulate=True)


def _check_take(a, index):
    size = a.size
    flat = index._data.reshape(-1)
    bad = flat[(flat >= size) | (flat < -size)]
    if bad.size:
        raise IndexError(
            f"out of range: tried to access index {bad[0]} on a tensor of {size} elements."
        )


@op(saves="self_shape", grads=(_take_grad,), check=_check_take, node="TakeBackward0", method=False)
def _take(self, index):
    return self.reshape(-1)[index._data % max(self.size, 1)].copy()


@tensor_method
def take(input, index):
    """``torch.take``: the elements at ``index`` of ``input`` read as one flat vector."""
    if not isinstance(index, Tensor) or index._data.dtype != xp.int64:
        kind = dtypes.scalar_type_name(index.dtype) if isinstance(index, Tensor) else "?"
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {kind}")
    return _take(input, index)


def _sorted_search(sequence, values, right, sorter):
    side = "right" if right else "left"
    if sequence.ndim == 1:
        return xp.searchsorted(sequence, values, side=side, sorter=sorter)
    lead = sequence.shape[:-1]
    out = xp.empty(values.shape, dtype=xp.int64)
    for i in xp.ndindex(*lead):
        srt = None if sorter is None else sorter[i]
        out[i] = xp.searchsorted(sequence[i], values[i], side=side, sorter=srt)
    return out


def searchsorted(
    sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None
):
    """``torch.searchsorted``: where each value of ``input`` would go in ``sorted_sequence`` (its
    last dimension) to keep it sorted; the first such place, or the last with ``right=True``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left "
                "while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    values = xp.asarray(input) if scalar else input._data
    if seq.ndim != 1 and (scalar or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor "
            f"{list(values.shape)}"
        )
    refuse_complex("searchsorted_out_cpu", seq, values)
    order = None if sorter is None else _long_index(sorter, "sorter must be a tensor of long")
    found = _sorted_search(seq, values, right, order)
    result = _make(xp.asarray(found, dtype=xp.int32 if out_int32 else xp.int64))
    if out is not None:
        return write_out("searchsorted", result, out, exact=True)
    return result


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """``torch.bucketize``: the bucket of each value of ``input`` among the sorted 1-D
    ``boundaries`` (``searchsorted`` with the arguments the other way round)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """``torch.isin``: whether each of ``elements`` occurs in ``test_elements`` (either may be a
    number)."""
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return _make(xp.isin(a, b, assume_unique=assume_unique, invert=invert))


# --- the unsafe masked reads and writes ----------------------------------------------------------


def _masked_key(self: Tensor, indices) -> tuple:
    """PyTorch's ``Tensor?[]`` indices as an array key, each clamped into its dimension (the
    unsafe masked ops read or write every position, masked ones too)."""
    if any(i is None for i in indices):
        raise TypeError(
            "expected Tensor as element "
            f"{[i is None for i in indices].index(True)} in argument 2, but got NoneType"
        )
    return tuple(xp.clip(i._data, -n, n - 1) for i, n in zip(indices, self.shape, strict=False))


@op(
    saves="self_shape",
    grads=(lambda g, n: _masked_put(g.new_zeros(n.self_shape), g, n.mask, n.key),),
    node="UnsafeMaskedIndexBackward0",
    method=False,
)
def _masked_index(self, mask, key, fill):
    return xp.where(mask, self[key], self.dtype.type(fill))


@op(
    inputs="self values",
    grads=(lambda g, n: g, lambda g, n: _masked_index(g, n.mask, n.key, 0)),
    node="UnsafeMaskedIndexPutAccumulateBackward0",
    method=False,
)
def _masked_put(self, values, mask, key):
    out = self.copy()
    xp.add.at(out, key, xp.where(mask, values, self.dtype.type(0)))
    return out


def _unsafe_masked_index(self: Tensor, mask: Tensor, indices, fill) -> Tensor:
    """``torch._unsafe_masked_index``: ``self[indices]`` where ``mask`` holds, else ``fill``."""
    return _masked_index(self, mask._data, _masked_key(self, indices), fill)


def _unsafe_masked_index_put_accumulate(self: Tensor, mask: Tensor, indices, values) -> Tensor:
    """``torch._unsafe_masked_index_put_accumulate``: ``values`` where ``mask`` holds added
    into a copy of ``self`` at ``indices``."""
    return _masked_put(self, values, mask._data, _masked_key(self, indices))


__all__ = [
    "masked_select",
    "select_scatter",
    "slice_scatter",
    "diagonal_scatter",
    "index_copy",
    "index_fill",
    "masked_scatter",
    "scatter_reduce",
    "index_add",
    "take",
    "searchsorted",
    "bucketize",
    "isin",
    "unique",
    "bincount",
    "gather",
    "index_select",
    "masked_fill",
    "nonzero",
    "nonzero_static",
    "scatter",
    "scatter_add",
    "take_along_dim",
    "tril",
    "triu",
]

tensor_method(getitem, name="__getitem__")
