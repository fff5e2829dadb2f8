"""In-place ops (``add_``, ``mul_``, ``x[i] = v``, ``+=`` ...) and the version counter they bump.

An in-place op writes into the tensor's own array, so every view and ``detach()`` of it sees the new
values, and bumps the version counter they share; a node that saved the old value then refuses to
run (PyTorch's "modified by an inplace operation" error).

When the op is recorded, the tensor is *rebased*: its out-of-place twin runs on an alias of the old
tensor (so the new node's edge leads to the old ``grad_fn``), the result is written back, and the
tensor takes the new node as its ``grad_fn`` (``AddBackward0`` for ``add_``, as in PyTorch).  Through
a view, the view's base gets a ``CopySlices`` node (gradient: the base's with the written region
zeroed, plus the new values' gradient in that region) and the view an ``AsStridedBackward0`` node
reading its region out of the new base.  Any write (recorded or not) makes the other views of that
memory stale: each gets such a fresh node when its ``grad_fn`` is next read or used
(``fresh_grad_fn``), or PyTorch's error if it may not (a view made under no_grad, or one of several
views an op returned, ``tensor.NO_GRAD_VIEW`` ...).  A base that comes to require grad through a
write tells the views made before (``tensor.views_follow_base``).  As PyTorch, a write refuses a
destination whose elements share memory (an expanded tensor) and inputs that share part of its
memory (``_check_overlap``).
"""

import numbers
import warnings
import weakref

from .. import _sampling, _switches, dtypes
from .._array import is_dense, kept_layout, kept_order, memory_root, ndarray, xp
from .._generator import resolve
from .._switches import grad_mode as _grad_state
from ..autograd.anomaly import caller_site
from ..autograd.cuts import note as _note_cut
from ..autograd.forward_ad import _OWN, _parent_of, _set_tangent, tangent_of
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.graph import hooks_open
from ..autograd.hooks import keep_hook_node, move_retain_grad
from ..autograd.node import (
    _NO_EDGE,
    FunctionNode,
    SavedOutput,
    _op_name,
    _sequence,
    freed_error,
    keep_shape_of,
)
from ..tensor import (
    CUSTOM_VIEW,
    INFERENCE_VIEW,
    MULTI_VIEW,
    NO_GRAD_VIEW,
    Tensor,
    _make,
    bump_version,
    views_follow_base,
)
from . import indexing as _indexing
from . import pointwise as _p
from . import registry as _registry
from . import special as _special
from .registry import METHODS as _METHODS
from .registry import _shape_error, note_view, op, refresh_views, tensor_method

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_MULTI_VIEW_WHY = (
    " This view is the output of a function that returns multiple views. Such "
    "functions do not allow the output views to be modified inplace. You should "
    "replace the inplace operation by an out-of-place one."
)
_NO_GRAD_WHY = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
    "clarify your code by moving both the view and the inplace either both inside the "
    "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
    "want the inplace to be tracked)."
)
_CUSTOM_VIEW = (
    " This view was created inside a custom Function (or because an input was returned "
    "as-is) and the autograd logic to handle view+inplace would override the custom "
    "backward associated with the custom Function, leading to incorrect gradients. This "
    "behavior is forbidden. You can fix this by cloning the output of the custom "
    "Function."
)
_VIEW_META_WHY = {
    NO_GRAD_VIEW: _NO_GRAD_WHY,
    MULTI_VIEW: _MULTI_VIEW_WHY,
    CUSTOM_VIEW: _CUSTOM_VIEW,
    INFERENCE_VIEW: _NO_GRAD_WHY.replace("no_grad block", "inference_mode block"),
}
_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)
_INPUT_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor "
    "refer to a single memory location. Please clone() the tensor before performing "
    "the operation."
)

# --- the nodes of writes through views: positions are flat indices into the base ----------------


@op(saves="self_shape", grads=(lambda g, n: _put_flat(g, n.index, n.self_shape),), method=False)
def _take_flat(self, index):
    return self.reshape(-1)[index]


@op(grads=(lambda g, n: _take_flat(g, n.index),), method=False)
def _put_flat(self, index, shape):
    out = xp.zeros(shape, dtype=self.dtype)
    xp.add.at(out.reshape(-1), index, self)  # an expanded view holds a position more than once
    return out


def positions(size, stride, offset):
    """The storage position of every element of the geometry, as an int64 array of ``size``."""
    pos = xp.full(tuple(size), offset, xp.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (xp.arange(n, dtype=xp.int64) * s).reshape(shape)
    return pos


def strided_grad(g, out_geometry, in_geometry):
    """The gradient of reading ``in_geometry``'s storage with ``out_geometry`` (sizes, strides
    and offset, in elements), as PyTorch's as_strided backward computes it, in its ops: the
    gradient summed over the dimensions the output reads with stride 0, written (added, where
    output elements still share a position) into zeros covering both geometries, divided where
    the input reads a position more than once, and read back as a view with the input's
    geometry (so the gradient is a view, under create_graph one whose base holds the write)."""
    size, stride, offset = out_geometry
    repeated = [d for d, (n, s) in enumerate(zip(size, stride)) if s == 0 and n > 1]
    if repeated:
        g = g.sum(repeated, keepdim=True)
        size = tuple(1 if d in repeated else n for d, n in enumerate(size))
    out_pos = positions(size, stride, offset)
    in_pos = positions(*in_geometry)
    low = min([p.min() for p in (out_pos, in_pos) if p.size], default=0)
    high = max([p.max() for p in (out_pos, in_pos) if p.size], default=-1)
    storage = g.new_zeros((int(high - low + 1),))
    if out_pos.size and xp.bincount((out_pos - low).reshape(-1)).max() > 1:  # (overlaps)
        flat = _make(out_pos.reshape(-1) - low)
        storage.index_add_(0, flat, g.reshape(-1))
    else:
        storage.as_strided(size, stride, offset - low).copy_(g)
    counts = xp.bincount((in_pos - low).reshape(-1), minlength=int(high - low + 1))
    if in_pos.size and counts.max() > 1:
        storage.div_(_make(xp.maximum(counts, 1).astype(g._data.dtype)))
    in_size, in_stride, in_offset = in_geometry
    return storage.as_strided(in_size, in_stride, in_offset - low)


def _view_of_base_grad(g, n):
    """The base's gradient from its view's (``n.view``, the view's array; ``n.index``, the base's
    C-order position of each view element): the as_strided backward over the base's memory."""
    view = n.view
    item = view.itemsize
    base_strides = tuple(st // item for st in n.self_strides)
    offset = 0
    if view.size:
        first = xp.unravel_index(int(n.index.reshape(-1)[0]), n.self_shape)
        offset = sum(int(i) * st for i, st in zip(first, base_strides))
    view_geometry = (view.shape, tuple(st // item for st in view.strides), offset)
    return strided_grad(g, view_geometry, (tuple(n.self_shape), base_strides, 0))


@op(grads=(lambda g, n: _zero_flat(g, n.index),), method=False)
def _zero_flat(self, index):
    out = xp.array(self, order="C")
    out.reshape(-1)[index] = 0
    return out


@op(
    inputs="self src",
    grads=(lambda g, n: _zero_flat(g, n.index), lambda g, n: _take_flat(g, n.index)),
    node="torch::autograd::CopySlices",
    method=False,
)
def _copy_slices(self, src, index):
    return self  # the values are written already: only the node is wanted


def _copy_slices_apply(node, grads, needed, _apply=_copy_slices.opdef.Node.apply):
    # PyTorch's CopySlices wraps the node of the op that wrote (here the node of ``src``, its
    # second edge) and is freed once both ran in a backward without retain_graph, whatever was
    # written (a number, a leaf): a second backward through it is the freed-graph error, raised
    # before any gradient below it is accumulated.  A backward that failed inside that node (a
    # saved value changed since) freed neither, and the next one fails there again.
    src = node.next_functions[1][0]
    if _released(node) and (src is None or _released(src) or not _checks_versions(src)):
        raise freed_error(node)
    if node._overlapping:  # (PyTorch's backward writes the gradient through the view as well)
        raise RuntimeError(_OVERLAP)
    return _apply(node, grads, needed)


def _checks_versions(node):
    """Whether ``node`` saved a tensor whose version it checks: only such a node may fail."""
    return any(v is not None for v in getattr(node, "_versions", ()))


def _released(node):
    """Whether a backward has freed what ``node`` saved (a release names its backward call in
    ``_freed_at``; one that keeps sizes leaves a tuple in ``_saved``)."""
    return node._saved is None or getattr(node, "_freed_at", None) is not None


_copy_slices.opdef.Node.apply = _copy_slices_apply
# Set on the node of a write through a view whose elements share memory (an expanded view),
# whose gradient PyTorch refuses to compute.
_copy_slices.opdef.Node._overlapping = False


@op(
    saves="self_shape self_strides",
    grads=(_view_of_base_grad,),
    node="AsStridedBackward0",
    method=False,
)
def _view_of_base(self, index, view, previous=None):
    # (``previous``: the view's node before a write through it, which this node keeps alive as
    # the in-place op's node keeps it in PyTorch, though no gradient flows to it: a result that
    # an earlier write saved comes back with that node, and errors name it, while it lives; a
    # backward pass without retain_graph lets go of it, see _view_of_base_release)
    return view  # the view's own array: only the node is wanted


def _view_of_base_release(node, where=None, _release=FunctionNode._release):
    # PyTorch's CopySlices lets go of the in-place op's node once it ran in a backward pass
    # without retain_graph, and with it the view's previous node: a result an earlier write
    # saved is then named by that write's node in the version error, not by the view's
    _release(node, where)
    attrs = node._attrs
    if attrs is not None and len(attrs) > 2:
        node._attrs = attrs[:2]


_view_of_base.opdef.Node._release = _view_of_base_release


# The nodes of views read anew out of their base (AsStridedBackward0 ...) and CopySlices keep
# positions, not a tensor PyTorch would save: they may run in any number of backward passes
# (CopySlices is freed with the node it stands in front of, see _copy_slices_apply).
for _fn in (_take_flat, _put_flat, _zero_flat, _view_of_base, _copy_slices):
    _fn.opdef.Node._frees_index = False


_dense = is_dense


def _flat_index(base, view):
    """For each element of ``view``, the C-order position in ``base`` of the memory it shares."""
    b, v = base._data, view._data
    if v.size == 0:  # (a view of no elements: its base's memory may have any strides)
        return xp.empty(v.shape, dtype=xp.int64)
    if not _dense(b):
        raise RuntimeError(
            "retrograd cannot record an in-place write through a view of a tensor "
            "whose memory has gaps; clone() the base tensor first."
        )
    positions = xp.empty_like(b, dtype=xp.int64)  # the same memory order as the base
    positions[...] = xp.arange(b.size).reshape(b.shape)
    memory = positions.ravel(order="K")
    offset = (v.__array_interface__["data"][0] - b.__array_interface__["data"][0]) // b.itemsize
    strides = tuple(s // b.itemsize * 8 for s in v.strides)
    return xp.lib.stride_tricks.as_strided(memory[offset:], v.shape, strides).copy()


# --- out-of-place twins that PyTorch names after their in-place use ------------------------------


@op(grads=(_p.zero_grad,), node="ZeroBackward0", method=False)
def _zero(self):
    return xp.zeros_like(self)


@op(grads=(_p.zero_grad,), node="FillBackward2", method=False)
def _fill(self, value):
    return xp.full_like(self, value)


def _fill_value_grad(g, n):
    """The fill value's gradient: the sum of the filled tensor's, in the value's dtype."""
    s = g.sum()
    return s if s.dtype is n.value_dtype else s.to(n.value_dtype)


@op(
    inputs="self value",
    saves="value_dtype",
    grads=(_p.zero_grad, _fill_value_grad),
    node="FillBackward3",
    method=False,
)
def _fill_tensor(self, value):
    return xp.full_like(self, value)


# ``torch.fill``: the same values in a new tensor, under the names of the out-of-place overloads
_fill_new = op("_fill_new", grads=(_p.zero_grad,), node="FillBackward0", method=False)(
    _fill.opdef.forward
)
_fill_tensor_new = op(
    "_fill_tensor_new",
    inputs="self value",
    saves="value_dtype",
    grads=(_p.zero_grad, _fill_value_grad),
    node="FillBackward1",
    method=False,
)(_fill_tensor.opdef.forward)


def _check_fill_value(value):
    if value._data.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )


def fill(input, value):
    """``torch.fill``: a new tensor shaped and typed as ``input``, every element ``value`` (a
    number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        _check_fill_value(value)
        return _fill_tensor_new(input, value)
    return _fill_new(input, dtypes.checked_scalar(value, input.dtype))


def _overwritten_grad(g, n):
    """The gradient of the tensor ``copy_`` overwrote: zeros in C order whatever the gradient's
    layout, as PyTorch's CopyBackwards makes them (``zero_grad`` keeps a dense gradient's)."""
    return _make(xp.zeros(g.shape, g._data.dtype))


@op(
    inputs="self src",
    saves="src_shape src_dtype",
    grads=(_overwritten_grad, lambda g, n: g.sum_to_size(n.src_shape).to(n.src_dtype)),
    node="torch::autograd::CopyBackwards",
    method=False,
)
def _copy_from(self, src):
    try:
        out = xp.empty_like(self)  # (self's layout: a copy into a new tensor keeps it)
        out[...] = xp.broadcast_to(src, self.shape)
        return out
    except ValueError:
        try:
            shape = xp.broadcast_shapes(self.shape, src.shape)
        except ValueError as no_shape:  # no common shape at all: the binary ops' error
            raise _shape_error(no_shape, True, (self, src), "copy_") from None
        raise RuntimeError(
            f"output with shape [{_dims(self.shape)}] doesn't match the broadcast "
            f"shape [{_dims(shape)}]"
        ) from None


@op(
    saves="self_shape",
    grads=(lambda g, n: _index_scatter(g, n.key, n.self_shape),),
    node="IndexBackward0",
    method=False,
)
def _index_gather(self, key):
    return self[key]


@op(grads=(lambda g, n: _index_gather(g, n.key),), method=False)
def _index_scatter(self, key, shape):
    out = xp.zeros(shape, dtype=self.dtype)
    xp.add.at(out, key, self)
    return out


def _index_put_self_grad(g, n):
    if n.accumulate:
        return g
    keep = xp.ones(g.shape, dtype=bool)
    keep[n.key] = False
    return g * _make(keep)


@op(
    inputs="self values",
    saves="values_shape",
    grads=(
        _indexing.checked(_index_put_self_grad),
        _indexing.checked(lambda g, n: _index_gather(g, n.key).sum_to_size(n.values_shape)),
    ),
    node="IndexPutBackward0",
    method=False,
)
def _index_put(self, values, key, accumulate, indices=()):
    if values.dtype != self.dtype:
        raise _dtypes_differ(self.dtype, values.dtype)
    out = self.copy()
    try:
        if accumulate:
            xp.add.at(out, key, values)
        else:
            out[key] = values
    except (ValueError, TypeError):
        raise RuntimeError(
            f"shape mismatch: value tensor of shape [{_dims(values.shape)}] cannot be "
            f"broadcast to indexing result of shape [{_dims(out[key].shape)}]"
        ) from None
    return out


@tensor_method
def index_put(input, indices, values, accumulate=False):
    """``torch.index_put``: a copy of ``input`` with ``values`` put (or added) at ``indices``."""
    return _index_put(input, values, _key(indices), accumulate, _indexing.kept_indices(indices))


def _key(indices):
    return tuple(i._data if isinstance(i, Tensor) else i for i in indices)


def _dims(shape):
    return ", ".join(str(n) for n in shape)


# Writes that need no out-of-place result when nothing is recorded (``grad.zero_()`` ...).
_KERNELS = {_zero: lambda a: a.fill(0), _fill: lambda a, value: a.fill(value)}
# Writes whose tensor inputs PyTorch reads as one value first: they may share memory with the
# destination.
_NO_INPUT_CHECK = frozenset((_fill_tensor, _indexing.masked_fill))

# --- the in-place machinery ----------------------------------------------------------------------


def _bump(t):
    """A write happened: bump the shared version, remembering where (for the mismatch error)."""
    bump_version(t, caller_site(3))


def _write(t, array, overlap_ok=False):
    """Copy ``array`` into ``t``'s own memory with PyTorch's casting and shape rules
    (``overlap_ok``: the op may write into elements that share memory, see ``_overlap_ok``)."""
    data = t._data
    if array.shape != data.shape:
        try:
            shape = xp.broadcast_shapes(data.shape, array.shape)
        except ValueError:
            shape = None
        if shape != data.shape:
            raise RuntimeError(
                f"output with shape [{_dims(data.shape)}] doesn't match the "
                f"broadcast shape [{_dims(shape or array.shape)}]"
            )
    if not data.flags.writeable:
        data = _writable(data, overlap_ok)
    if not xp.can_cast(array.dtype, data.dtype, casting="same_kind"):
        raise RuntimeError(
            f"result type {dtypes.FROM_NP[array.dtype]._tensor_name[:-6]} can't be "
            f"cast to the desired output type "
            f"{dtypes.FROM_NP[data.dtype]._tensor_name[:-6]}"
        )
    if overlap_ok and 0 in data.strides and _zero_stride_overlap(data):
        # Elements share memory: only those the op changed are written (writing the others back
        # would undo it), as PyTorch's kernels write only where they change something.
        xp.copyto(data, array, casting="same_kind", where=array != data)
        return
    xp.copyto(data, array, casting="same_kind")


def _writable(a, overlap_ok=False):
    """A writable array on the memory of ``a``, a read-only view of an expanded tensor: NumPy marks
    every view of a broadcast read-only, where PyTorch refuses only a write into elements that
    share memory (PyTorch's error then, as for memory NumPy was given read-only; ``overlap_ok``:
    an op that PyTorch lets write there)."""
    owner = memory_root(a)  # (through NumPy's stride tricks' holders too)
    if (
        (not overlap_ok and _zero_stride_overlap(a))
        or type(owner) is not ndarray
        or not owner.flags.writeable
    ):
        raise RuntimeError(_OVERLAP)
    offset = a.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    try:
        return ndarray(a.shape, a.dtype, buffer=owner, offset=offset, strides=a.strides)
    except (TypeError, ValueError):
        raise RuntimeError(_OVERLAP) from None


def _requires_grad(args):
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def _note_write(t, args, op):
    """``t`` needs no gradient and was written from ``args`` without a record (under no_grad, or
    from a tensor that needs none): if they require grad or carry records of a cut, ``t`` now
    carries them too (``autograd.cuts``)."""
    for a in args:
        if isinstance(a, Tensor) and (a._requires_grad or a._cuts is not None):
            if not isinstance(op, str):
                opdef = getattr(op, "opdef", None)
                op = (_registry.shown_name(opdef) if opdef is not None else "copy") + "_"
            base = t._view_base  # (a write into a view is a write into its base)
            tensors = (t, *(x for x in args if isinstance(x, Tensor)))  # (not the indices)
            _note_cut(t if base is None else (t, base), tensors, op)
            return


def _alias(t):
    """The tensor before the write: same array, same place in the graph, a version of its own."""
    a = _make(t._data, t._requires_grad, t._grad_fn)
    a._output_nr = t._output_nr
    if t._requires_grad and t._grad_fn is None:  # a leaf (under no_grad...): share its accumulator
        a._acc = t._acc
    return a


def _saved_since(node, start, t):
    """Whether a node made after sequence number ``start`` (the graph one op call made, from
    its result's ``node`` back) saved ``t`` itself, or in a list of tensors."""
    stack = [node]
    while stack:
        n = stack.pop()
        if not isinstance(n, FunctionNode) or n._seq < start:
            continue
        for s in n._saved or ():
            if s is t or (type(s) is list and any(x is t for x in s)):
                return True
        stack.extend(nxt for nxt, _ in n.next_functions)
    return False


def inplace(t, fn, *args):
    """Run out-of-place ``fn(t, *args)`` and make its result ``t``'s new value (and graph)."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(inplace, (t, fn, *args), {})
        if batched is not NotImplemented:
            return batched
    try:
        base = t._view_base
    except AttributeError:
        if isinstance(t, Tensor):
            raise
        name = getattr(fn, "__name__", "").lstrip("_")
        raise TypeError(
            f"{name}_(): argument 'input' (position 1) must be Tensor, not {type(t).__name__}"
        ) from None
    record = _grad_state.enabled and (
        t._requires_grad
        or _requires_grad(args)
        or (base is not None and (base._requires_grad or t._item_view))
    )
    if record and fn is _copy_from and t._data.dtype.kind not in "fcV":
        # PyTorch's copy_ (and so x[i] = v) leaves an integer or bool tensor out of the graph,
        # though its masked_fill_ and fill_ do not.
        record = False
    dual = _switches.forward_ad_hook is not None
    if not record:
        kernel = _KERNELS.get(fn)
        if kernel is not None and not dual:
            _check_overlap(t, args, fn)
            data = t._data
            kernel(data if data.flags.writeable else _writable(data, True), *args)
        else:
            with no_grad():
                out = fn(t, *args)
            _check_overlap(
                t, args, fn
            )  # after the op's own checks, as PyTorch's kernels order them
            _write(t, _in_element_order(t, fn, args, t, out._data), _overlap_ok(fn, t, args))
        _bump(t)
        if not t._requires_grad:
            _note_write(t, args, fn)
        if dual:
            _move_tangent(t, out)
        return t
    if t._custom_view is not None:
        raise RuntimeError(
            f"{t._custom_view} is a view and is being modified inplace." + _CUSTOM_VIEW
        )
    check_inplace(t)
    if base is not None and t._vc.stale:
        fresh_grad_fn(t)  # a stale view's errors
    old = _alias(t)
    index = None
    if base is not None and old._grad_fn is not None and base._data.dtype == t._data.dtype:
        # PyTorch's write through a view takes its input from the base (CopySlices): the view's
        # own node, and the hooks on it, are no longer on the path of the gradient.  (A real
        # part of a complex base reads through its own view.)
        index = _flat_index(base, t)
        old._grad_fn = _view_of_base(base, index, t._data, old._grad_fn)._grad_fn
        old._output_nr = 0
    packing = hooks_open()
    if packing:  # a pack hook may keep the array itself (detach, numpy): it must see the old value
        old._data = _kept_copy(old._data)
    if dual:
        _copy_tangent(t, old)
    start = next(_sequence)  # the nodes fn makes come after this number
    out = fn(old, *args)
    _check_overlap(t, args, fn)
    if not packing and _saved_since(out._grad_fn, start, old):  # keep the old value safe
        old._data = _kept_copy(old._data)
    _write(t, _in_element_order(t, fn, args, old, out._data), _overlap_ok(fn, t, args))
    _bump(t)
    node = out.grad_fn
    if base is None:
        _rebase(t, node, out._output_nr)
    else:
        _write_through_view(t, base, out, index)
    if isinstance(node, FunctionNode) and node._saved:
        _resave_result(node, out, t)
    if dual:
        _move_tangent(t, out)
    return t


# The most elements a write is redone for one by one (see _in_element_order): beyond, PyTorch's
# order depends on its vector width and threads.
_ELEMENT_ORDER_LIMIT = 1024


def _in_element_order(t, fn, args, self, out):
    """The values ``fn(self, *args)`` writes into ``t`` (``out``, computed out of place) as
    PyTorch's kernels write them: element by element, in the order of ``t``'s memory, each from
    the values in memory then.  They differ where an input shares memory with ``t`` other than
    element for element (PyTorch refuses only inputs that are dense, see ``_check_overlap``):
    an element it reads may have been written already.  Then the op is redone for each element
    in turn, on the memory as it is, and that element written."""
    dest = t._data
    if out.shape != dest.shape or not 1 < dest.size <= _ELEMENT_ORDER_LIMIT:
        return out
    if not any(
        isinstance(a, Tensor)
        and not a._sparse
        and _same_memory(dest, a._data)
        and _reads_written_elements(dest, a._data)
        for a in args
    ):
        return out
    if not dest.flags.writeable:
        dest = _writable(dest, True)
    out = out.copy()
    axes = sorted(range(dest.ndim), key=lambda d: -abs(dest.strides[d]))  # outermost first
    with no_grad():
        for index in xp.ndindex(*(dest.shape[d] for d in axes)):
            at = tuple(index[axes.index(d)] for d in range(dest.ndim))
            out[at] = fn(self, *args)._data[at]
            dest[at] = out[at]
    return out


def _reads_written_elements(dest, a):
    """Whether ``a``, broadcast to ``dest``, reads memory of ``dest`` other than each element its
    own."""
    try:
        b = xp.broadcast_to(a, dest.shape)
    except ValueError:
        return False
    same = b.strides == dest.strides and (
        b.__array_interface__["data"][0] == dest.__array_interface__["data"][0]
    )
    return not same and xp.shares_memory(dest, b)


def check_inplace(t):
    """PyTorch's checks, in its order, of a write into ``t`` that will be recorded: a view that may
    not be written (made under no_grad, or one of several views), a view of a leaf, a leaf."""
    base = t._view_base
    if base is None:
        if t._requires_grad and t._grad_fn is None:
            raise RuntimeError(_LEAF)
        return
    if t._view_meta is not None:
        raise _view_error(t, False, t._item_view or None)
    if (t._requires_grad or t._item_view) and base._grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)


def _write_through_view(t, base, out, index=None):
    """The view ``t`` of ``base`` (at ``index``, found when not given) now holds ``out``
    (recorded): the base gets a CopySlices node, the view an AsStrided node reading its region
    out of the new base."""
    if base._data.dtype != t._data.dtype:  # a part of a complex base (.real, .imag)
        from .complex_numbers import view_as_complex, view_as_real

        pairs = view_as_real(base)  # the base as real pairs: positions counted in those
        index = _flat_index(pairs, t)
        new_base = view_as_complex(_copy_slices(pairs, out, index))
        _rebase(base, new_base.grad_fn, 0)
        _rebase(t, _view_of_base(view_as_real(base), index, t._data).grad_fn, 0)
        t._attr_version = t._vc.version
        return t
    if index is None:
        index = _flat_index(base, t)
    new_base = _copy_slices(base, out, index)
    if 0 in t._data.strides and _zero_stride_overlap(t._data):
        new_base.grad_fn._overlapping = True
    _rebase(base, new_base.grad_fn, 0)
    _rebase(t, _view_of_base(base, index, t._data).grad_fn, 0)
    t._attr_version = t._vc.version  # its grad_fn is current; the other views' are stale
    return t


def dirty_view(t, node, inputs):
    """A custom Function wrote into the view ``t`` (``ctx.mark_dirty``) and ``t`` now has the
    Function's node: record the write into its base, as an in-place op through a view is.  The
    node's edges for ``t`` (at positions ``inputs``) read its region out of the base instead, as
    in-place ops on views do (see ``inplace``)."""
    base = t._view_base
    index = _flat_index(base, t)
    if inputs:  # (the view's node before the write lives on as in-place ops keep it)
        previous = node.next_functions[inputs[0]][0]
        edge = (_view_of_base(base, index, t._data, previous).grad_fn, 0)
        edges = list(node.next_functions)
        for i in inputs:
            edges[i] = edge
        node.next_functions = tuple(edges)
    return _write_through_view(t, base, _alias(t), index)


def _view_error(t, indirect, node_name=None):
    """PyTorch's error for a write (``indirect``: into its base or another view of its base) that a
    view ``t`` cannot take part in, by how it was made: under no_grad, or as one of several views.
    ``node_name``: the name of its grad_fn's op, when that differs from ``t.grad_fn``'s."""
    meta = t._view_meta
    node = t._grad_fn
    if node_name is None and node is not None:
        node_name = _op_name(node)
    what = "its base or another view of its base has been" if indirect else "is being"
    if meta is NO_GRAD_VIEW or meta is INFERENCE_VIEW or node_name is None:
        head = (
            "A view was created in"
            if node_name is None
            else f"Output {t._output_nr} of {node_name} is a view of a view which was created in"
        )
        msg = (
            f"{head} inference mode and {what} modified inplace in normal mode."
            if meta is INFERENCE_VIEW
            else f"{head} no_grad mode and {what} modified inplace with grad mode enabled."
        )
    else:
        msg = f"Output {t._output_nr} of {node_name} is a view and {what} modified inplace."
    return RuntimeError(msg + _VIEW_META_WHY[meta])


def _zero_stride_overlap(a):
    """Whether some elements of ``a`` share one memory location (a dimension expanded by a stride
    of 0), PyTorch's "internal overlap" of a destination.  An empty array has no elements to
    share (NumPy may give it zero strides)."""
    if a.size == 0:
        return False
    for stride, n in zip(a.strides, a.shape):
        if stride == 0 and n > 1:
            return True
    return False


def _span(a):
    """The bytes a dense array covers, [start, end), or None when it has gaps or overlaps."""
    if not _dense(a):
        return None
    start = a.__array_interface__["data"][0]
    return start, start + a.size * a.itemsize


def _overlaps(dest, src, full):
    """PyTorch's check of an input against the written-to array: where both are dense, memory
    they share in part is an error (``full``: sharing it all is one too, unless they are one array
    seen the same way and ``full`` is False)."""
    if dest.size == 0 or src.size == 0:
        return False
    d, s = _span(dest), _span(src)
    if d is None or s is None or not (d[0] < s[1] and s[0] < d[1]):
        return False
    if d == s and _strides(dest) == _strides(src):  # (as PyTorch: sizes aside, ndim not)
        return full
    return True


def _strides(a):
    """The strides of ``a`` as PyTorch's tensor would have them: a dimension of size 1 that NumPy
    added with stride 0 (``x[None]``, a new dimension of ``expand``) has the stride PyTorch's
    ``unsqueeze`` gives it."""
    strides = a.strides
    if 0 not in strides:
        return strides
    strides = list(strides)
    for d in range(a.ndim - 1, -1, -1):
        if strides[d] == 0 and a.shape[d] == 1:
            strides[d] = a.itemsize if d == a.ndim - 1 else a.shape[d + 1] * strides[d + 1]
    return tuple(strides)


def _same_view(a, b):
    """Whether arrays ``a`` and ``b`` read the same elements of one memory in the same way (the
    address, shape, strides and dtype of both alike)."""
    return (
        a.shape == b.shape
        and a.dtype == b.dtype
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and _strides(a) == _strides(b)
    )


def _kept_copy(a):
    """A copy of ``a`` in its layout, as PyTorch's clone of the old value of a tensor written in
    place is (a formula reading it then gives a gradient that layout, as PyTorch's does)."""
    return kept_layout(a.copy(order=kept_order(a)), a)


def _same_memory(a, b):
    """A cheap first look: whether arrays ``a`` and ``b`` are views of one array."""
    return memory_root(a) is memory_root(b)  # (through the holder NumPy's stride tricks leave)


# Writes that PyTorch lets into a destination whose elements share memory (an expanded tensor): a
# value written everywhere, or into the elements a mask, an index or a triangle picks.
_PARTIAL_WRITES = frozenset(("masked_fill", "index_fill", "tril", "triu", "_index_put"))
_EXPANDED = (
    "Use of {} on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. {}"
)
_EXPANDED_WARNINGS = {
    "_index_put": _EXPANDED.format("index_put_", "tensor[indices] = tensor"),
    "masked_fill": _EXPANDED.format("masked_fill_", "tensor[mask] = scalar"),
    "index_fill": _EXPANDED.format("index_fill_", "tensor[mask] = scalar"),
}


def _overlap_ok(fn, t=None, args=()):
    """Whether ``fn`` may write into ``t`` where its elements share memory: a partial write, or
    a copy of the same view of the memory onto itself (PyTorch's copy_ then does nothing)."""
    return (
        fn in _KERNELS
        or getattr(fn, "__name__", None) in _PARTIAL_WRITES
        or (fn is _copy_from and t is not None and _same_view(t._data, args[0]._data))
    )


def _check_overlap(t, args, fn):
    """PyTorch's errors for a write whose destination ``t`` has elements sharing memory, or whose
    tensor inputs share memory with it in part (index_put: at all)."""
    dest = t._data
    if fn is _copy_from and _same_view(dest, args[0]._data):
        return  # PyTorch's copy_ of memory onto the same view of it does nothing, checks none
    if 0 in dest.strides and _zero_stride_overlap(dest):
        if not _overlap_ok(fn):
            raise RuntimeError(_OVERLAP)
        warning = _EXPANDED_WARNINGS.get(getattr(fn, "__name__", None))
        if warning is not None:
            warnings.warn(warning, UserWarning, stacklevel=4)
    if fn in _NO_INPUT_CHECK:
        return
    full = fn is _index_put
    one_mask = full and args[0]._data.size == 1 and len(args[1]) == 1
    if one_mask and getattr(args[1][0], "dtype", None) == bool:  # noqa: E721 (a NumPy dtype)
        return  # one value under one mask: PyTorch fills with the value, read first
    for a in args:
        if (
            isinstance(a, Tensor)
            and not a._sparse  # (a sparse COO operand has no dense memory to share)
            and _same_memory(dest, a._data)
            and (a._data.dtype.kind != "b")
            and _overlaps(dest, a._data, full)
        ):
            raise RuntimeError(_INPUT_OVERLAP)


def _copy_tangent(t, alias):
    tangent = tangent_of(t)
    if tangent is not None:
        _set_tangent(alias, tangent)


def _move_tangent(t, out):
    """Forward AD: ``t`` now holds ``out``'s value, so it takes ``out``'s tangent.  Written through
    a view, the tensor whose tangent the view's is a view of (up the chain) takes it in the written
    region (zeros there when ``out`` has none); a view with no such tensor updates its base."""
    tangent = tangent_of(out)
    link = _parent_of(t)
    if (
        tangent is None
        and tangent_of(t) is None
        and (t._view_base is None or tangent_of(t._view_base) is None)
    ):
        return
    if tangent is None:
        tangent = _make(xp.zeros_like(t._data))
    _set_tangent(t, tangent, link)
    child, child_tangent = t, tangent
    while True:
        if link is _OWN:
            return
        if link is not None:
            parent = link()
            if parent is None or tangent_of(parent) is None:
                return
        elif child is t and t._view_base is not None:
            parent = t._view_base  # no tangent link: the base (it may have no tangent yet)
        else:
            return
        parent_tangent = tangent_of(parent)
        hook, _switches.forward_ad_hook = _switches.forward_ad_hook, None
        try:
            index = _flat_index(parent, child).reshape(-1)
            written = _put_flat(child_tangent.reshape(-1), index, parent._data.shape)
            if parent_tangent is not None:
                written = _zero_flat(parent_tangent, index) + written
        finally:
            _switches.forward_ad_hook = hook
        link = _parent_of(parent)
        _set_tangent(parent, written, link)
        child, child_tangent = parent, written


def _resave_result(node, out, t):
    """The node saved its result: point it at ``t``, whose memory now holds that result.  A result
    packed by saved_tensors_hooks stays as the hook kept it (``out``'s memory is not written).

    A view written in place has a node of its own now (reading its region out of the base's
    CopySlices): the saved result comes back with that node as its grad_fn, as PyTorch's does,
    so a derivative of the backward reaches the base's new value.  It is held weakly (it leads
    back to ``node``), and while the view is gone ``node`` stands in for it, as in PyTorch."""
    saved, versions = list(node._saved), list(node._versions)
    own = t._grad_fn
    entry = (t._data, t._vc) if own is node else (t._data, t._vc, t._output_nr, weakref.ref(own))
    for i, s in enumerate(saved):
        if type(s) is SavedOutput and s[0] is out._data:
            saved[i] = SavedOutput(entry)
            versions[i] = t._vc.version
    node._saved, node._versions = tuple(saved), tuple(versions)


def _rebase(t, node, output_nr, retained=True):
    """``t``'s history is now ``node``'s output ``output_nr``; a gradient ``t`` retains follows it
    there unless ``retained`` is False (an in-place change of shape, whose retained gradient
    PyTorch leaves at the old node, in the old shape)."""
    if retained:
        move_retain_grad(t, node, output_nr)
    t._grad_fn = node
    t._output_nr = output_nr
    if not t._requires_grad:
        t._requires_grad = True
        if t._view_base is None:
            views_follow_base(t)


def fresh_grad_fn(t):
    """The grad_fn of a view ``t``, made anew (an AsStrided node reading its region out of its
    base) when its base or another view of it was written since ``t``'s grad_fn was made, as
    PyTorch's views do; a view that may not take part in such a write raises PyTorch's error.
    A view with no grad_fn of a base that needs none stays as it is (its version is not taken:
    should the base come to require grad, the view learns then)."""
    version = t._vc.version
    if t._attr_version == version:
        return t._grad_fn
    base = t._view_base
    if t._grad_fn is None and not base._requires_grad:
        return None
    if t._custom_view is not None and t._requires_grad:
        raise RuntimeError(
            f"{t._custom_view} is a view and its base or another view of its "
            "base has been modified inplace." + _CUSTOM_VIEW
        )
    if t._view_meta is not None:
        raise _view_error(t, True)
    t._attr_version = version
    with enable_grad():
        if base._requires_grad and base._data.dtype != t._data.dtype:  # a part of a complex base
            from .complex_numbers import view_as_real

            pairs = view_as_real(base)
            node = _view_of_base(pairs, _flat_index(pairs, t), t._data).grad_fn
        elif base._requires_grad:
            node = _view_of_base(base, _flat_index(base, t), t._data).grad_fn
        else:  # the base was detached in place since: PyTorch's node leads nowhere
            node = _view_of_base(_make(base._data, True), _flat_index(base, t), t._data).grad_fn
            node.next_functions = (_NO_EDGE,)
    _rebase(t, node, 0)
    return node


# --- the public in-place methods -----------------------------------------------------------------


def _method(name, fn, doc):
    def method(self, *args):
        return inplace(self, fn, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return tensor_method(method)


def _fits(shape, target):
    """Whether an operand of ``shape`` broadcasts to ``target`` unchanged."""
    try:
        return xp.broadcast_shapes(shape, target) == target
    except ValueError:  # the out-of-place op raises PyTorch's error
        return False


def _same_kind(data, b):
    """Whether ``data op b`` may be written into ``data`` (NumPy's same-kind casting): at once
    for an operand of ``data``'s dtype or a float into floats, the common cases."""
    if type(b) is float:
        if data.dtype.kind in "fc":
            return True
    elif type(b) is ndarray and b.dtype is data.dtype:
        return True
    return xp.can_cast(xp.result_type(data, b), data.dtype, casting="same_kind")


def _fast(ufunc, name, fn):
    """``add_`` and kin: one ufunc writing in place when nothing is recorded (optimizer steps)."""

    def method(self, other, alpha=1):
        if (_switches.forward_ad_hook is None and _switches.batching is None) and (
            not _grad_state.enabled
            or not (
                self._requires_grad
                or (isinstance(other, Tensor) and other._requires_grad)
                or self._view_base is not None
            )
        ):
            data = self._data
            o = other._data if isinstance(other, Tensor) else other
            # (memory shared with other is looked at before alpha scales it into a new array)
            b = o * alpha if alpha != 1 else o
            if type(b) is int and data.dtype.kind in "iu":
                b = _registry.wrapped_int(b, data.dtype)
            if (
                data.flags.writeable
                and isinstance(b, (ndarray, float, int))
                and _same_kind(data, b)
                and (
                    not isinstance(b, ndarray)
                    or b.shape == data.shape
                    or _fits(b.shape, data.shape)
                )
                # (o, not b: a 0-d o times alpha is a NumPy scalar, which shares no memory)
                and not (isinstance(o, ndarray) and _same_memory(data, o))
            ):
                ufunc(data, b, out=data)
                _bump(self)
                if not self._requires_grad and b is not other:
                    _note_write(self, (other,), name)
                return self
        if alpha != 1:  # keyword: ``sub`` takes alpha only by name
            return inplace(self, lambda a, b: fn(a, b, alpha=alpha), other)
        return inplace(self, fn, other)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``Tensor.{name}``: ``{fn.__name__}`` written into this tensor."
    return method


add_ = tensor_method(_fast(xp.add, "add_", _p.add))
sub_ = tensor_method(_fast(xp.subtract, "sub_", _p.sub))
_mul_by = _fast(xp.multiply, "mul_", _p.mul)


@tensor_method
def mul_(self, other):
    """``Tensor.mul_``: ``mul`` written into this tensor (no ``alpha``, as in PyTorch)."""
    return _mul_by(self, other)


@tensor_method
def div_(self, other, *, rounding_mode=None):
    """``Tensor.div_``."""
    if rounding_mode is None:
        return inplace(self, _p.div, other)
    return inplace(self, lambda a, b: _p.div(a, b, rounding_mode=rounding_mode), other)


pow_ = _method("pow_", _p.pow, "``Tensor.pow_``.")
exp_ = _method("exp_", _p.exp, "``Tensor.exp_``.")
relu_ = _method("relu_", _p.relu, "``Tensor.relu_``.")
sigmoid_ = _method("sigmoid_", _p.sigmoid, "``Tensor.sigmoid_``.")
tanh_ = _method("tanh_", _p.tanh, "``Tensor.tanh_``.")
zero_ = _method("zero_", _zero, "``Tensor.zero_``: every element set to 0.")


def _twin(name):
    """An in-place method whose out-of-place twin is the Tensor method ``name`` (looked up when
    first called: some twins are declared in modules loaded after this one)."""
    fn = None

    def method(self, *args, **kwargs):
        nonlocal fn
        if fn is None:
            fn = getattr(Tensor, name)
        if kwargs:
            return inplace(self, lambda a, *rest: fn(a, *rest, **kwargs), *args)
        return inplace(self, fn, *args)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``Tensor.{name}_``: ``Tensor.{name}`` written into this tensor."
    return tensor_method(method)


# Pointwise (and other same-shape) ops: each in-place form is its twin written back, as above.
for _name in (
    "abs absolute acos arccos asin arcsin atan arctan cos cosh sin sinh tan sqrt rsqrt "
    "log log10 log1p log2 expm1 erf neg negative reciprocal square sign ceil floor round "
    "trunc fix frac nan_to_num addcmul addcdiv lerp multiply divide "
    "true_divide subtract fmod remainder cumsum cumprod tril triu scatter "
    "scatter_add bitwise_and bitwise_or bitwise_xor bitwise_not atan2 arctan2 hypot copysign "
    "nextafter heaviside logit sinc index_add addmm addmv addr baddbmm addbmm scatter_reduce index_copy index_fill "
    "exp2 i0 mvlgamma igamma igammac xlogy erfinv erfc lgamma digamma "
    "acosh arccosh asinh arcsinh atanh arctanh deg2rad rad2deg sgn bitwise_left_shift "
    "bitwise_right_shift"
).split():
    _twin(_name)


@tensor_method
def ldexp_(self, other):
    """``Tensor.ldexp_``: ``ldexp`` written into this tensor, which must hold floats (PyTorch's
    own text for any other dtype)."""
    if self._data.dtype.kind not in "fcV":
        raise RuntimeError(
            f"ldexp can't be cast to the desired output type {self.dtype._tensor_name[:-6]}"
        )
    return inplace(self, _p.ldexp, other)


def _divisors_in_place(name):
    """``Tensor.gcd_``/``lcm_`` and ``torch.gcd_``/``lcm_``: the second argument must be a
    tensor; PyTorch counts its position from the method's or the function's first argument."""
    fn = getattr(_p, name)

    def checked(position):
        def write(input, other):
            if not isinstance(other, Tensor):
                raise TypeError(
                    f"{name}_(): argument 'other' (position {position}) must be Tensor, not "
                    f"{type(other).__name__}"
                )
            return inplace(input, fn, other)

        write.__name__ = write.__qualname__ = name + "_"
        write.__doc__ = f"``torch.{name}_``: ``{name}`` written into ``input``."
        return write

    tensor_method(checked(1))
    return checked(2)


gcd_ = _divisors_in_place("gcd")
lcm_ = _divisors_in_place("lcm")


@op(
    grads=(lambda g, n: _p.cj(g),),
    jvp="linear",
    node="ConjPhysicalBackward1",
    method=False,
)
def _conj_physical_in_place(self):
    return xp.conj(self)


@tensor_method
def conj_physical_(self):
    """``Tensor.conj_physical_``: the conjugate written into this tensor (a real tensor keeps its
    values, though the write is recorded, as in PyTorch)."""
    return inplace(self, _conj_physical_in_place)


# --- comparisons and logic written into self: the result keeps self's dtype ----------------------


def _number_other(name, other):
    if not isinstance(other, (bool, int, float, complex)):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({type(other).__name__}), but expected one of:\n * (Tensor other)\n"
            f"      didn't match because some of the arguments have invalid types: "
            f"(!{type(other).__name__}!)\n * (Number other)\n"
            f"      didn't match because some of the arguments have invalid types: "
            f"(!{type(other).__name__}!)\n"
        )


def _compared_in_place(name, compare):
    """``Tensor.eq_`` and kin: ``compare`` cast to self's dtype.  As in PyTorch the write is
    recorded (``EqBackward0`` for a number, ``EqBackward1`` for a tensor) with a zero gradient."""
    node = name[0].upper() + name[1:] + "Backward"
    kernel = compare.opdef.forward

    def forward(self, other, dtype):
        return kernel(self, other).astype(dtype, copy=False)

    def forward_number(self, other, dtype, common):
        # compared in the type self and the number promote to (an int64 against 2.5: float32)
        return forward(self.astype(common, copy=False), common.type(other), dtype)

    by_number = op(f"_{name}_number_", grads=(_p.zero_grad,), node=node + "0", method=False)(
        forward_number
    )
    by_tensor = op(
        f"_{name}_tensor_",
        inputs="self other",
        broadcast=True,
        promote="binary",
        grads=(_p.zero_grad, _p.zero_grad),
        node=node + "1",
        method=False,
    )(forward)

    def method(self, other):
        if isinstance(other, Tensor):
            return inplace(self, by_tensor, other, self._data.dtype)
        _number_other(name + "_", other)
        common = dtypes.result_type(self, other).np
        return inplace(self, by_number, other, self._data.dtype, common)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``Tensor.{name}_``: ``{name}`` written into this tensor, in its dtype."
    return method


def _logical_in_place(name, logical):
    """``Tensor.logical_and_`` and kin: PyTorch gives them no derivative and records nothing, so
    the tensor keeps its ``grad_fn`` (a leaf that requires grad may be written)."""

    def method(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}_(): argument 'other' (position 1) must be Tensor, not "
                f"{type(other).__name__}"
            )
        with no_grad():
            return inplace(self, logical, other)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``Tensor.{name}_``: ``{name}`` written into this tensor, in its dtype."
    return method


@tensor_method
def logical_not_(self):
    """``Tensor.logical_not_``: ``logical_not`` written into this tensor, in its dtype (not
    recorded, as in PyTorch)."""
    with no_grad():
        return inplace(self, _p.logical_not)


for _name, _other_names in (
    ("eq", ()),
    ("ne", ("not_equal",)),
    ("lt", ("less",)),
    ("le", ("less_equal",)),
    ("gt", ("greater",)),
    ("ge", ("greater_equal",)),
):
    _fn = _compared_in_place(_name, getattr(_p, _name))
    for _spelling in (_name, *_other_names):
        tensor_method(_fn, name=_spelling + "_")
for _name in ("logical_and", "logical_or", "logical_xor"):
    tensor_method(_logical_in_place(_name, getattr(_p, _name)))


# --- Python callables applied element by element (``apply_``, ``map_``, ``map2_``) ------------------


def _as_element(kind):
    """How a callable's return value becomes an element of a tensor of dtype ``kind``, with the
    errors PyTorch's conversions raise."""
    if kind in "fV":

        def real(v):
            if not isinstance(v, numbers.Real):
                raise TypeError(f"must be real number, not {type(v).__name__}")
            return float(v)

        return real
    if kind == "c":
        return complex

    def integer(v):
        if not isinstance(v, numbers.Real):
            raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
        return int(v)

    return integer


def _apply_elementwise(name, self, fn, others):
    """``fn`` called on each element of ``self`` (and of ``others``, broadcast to its shape), the
    results written into ``self``'s memory.  As in PyTorch, nothing is recorded and the version
    stays: a tensor that requires grad is refused."""
    if self.requires_grad or any(o.requires_grad for o in others):
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
            "instead."
        )
    data = self._data
    columns = [data.ravel().tolist()]
    columns += [o.expand(self.shape)._data.ravel().tolist() for o in others]
    convert = _as_element(data.dtype.kind)
    values = [convert(fn(*args)) for args in zip(*columns)]
    target = data if data.flags.writeable else _writable(data)
    target[...] = xp.asarray(values, dtype=data.dtype).reshape(data.shape)
    return self


def _same_type(name, argument, self, other):
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument '{argument}' (position 1) must be Tensor, not "
            f"{type(other).__name__}"
        )
    if other.dtype is not self.dtype:
        what = f"'{argument}'" if name == "map_" else f"argument '{argument}'"
        raise TypeError(f"{name}: expected {self.type()} for {what} (got {other.type()})")


@tensor_method
def apply_(self, callable):
    """``Tensor.apply_``: each element replaced by ``callable(element)`` (a Python function: one
    call per element, as in PyTorch)."""
    return _apply_elementwise("apply_", self, callable, ())


@tensor_method
def map_(self, other, callable):
    """``Tensor.map_``: each element replaced by ``callable(element, other's element)``."""
    _same_type("map_", "other", self, other)
    return _apply_elementwise("map_", self, callable, (other,))


@tensor_method
def map2_(self, x, y, callable):
    """``Tensor.map2_``: each element replaced by ``callable(element, x's, y's)``."""
    _same_type("map2_", "x", self, x)
    _same_type("map2_", "y", self, y)
    return _apply_elementwise("map2_", self, callable, (x, y))


@tensor_method
def polygamma_(self, n):
    """``Tensor.polygamma_(n)``: ``polygamma(n, self)`` written into this tensor (PyTorch's
    ``PolygammaBackward1``)."""
    return inplace(self, _special._polygamma_in_place, n)


@tensor_method
def floor_divide_(self, other):
    """``Tensor.floor_divide_`` (``//=``): ``floor_divide`` written into this tensor."""
    return inplace(self, _p._floor_divide, other, "floor_divide_")


# --- random fills (``uniform_``, ``normal_`` ...): PyTorch's samplers on its generator ------------


def _drawn(node):
    """The op recording a random fill: the new values depend on no input, so the old values'
    gradient is zero (PyTorch's ``UniformBackward0`` ...)."""

    def forward(self, values):
        return values

    forward.__name__ = "_" + node
    return op(grads=(_p.zero_grad,), node=node, method=False)(forward)


_UNIFORM = _drawn("UniformBackward0")
_NORMAL = _drawn("NormalBackward0")
_BERNOULLI = _drawn("BernoulliBackward2")
_EXPONENTIAL = _drawn("ExponentialBackward0")
_GEOMETRIC = _drawn("GeometricBackward0")
_LOG_NORMAL = _drawn("LogNormalBackward0")
_CAUCHY = _drawn("CauchyBackward0")
# PyTorch names random_'s node by the overload called: (from, to), (to) or ().
_RANDOM_FROM_TO, _RANDOM_TO, _RANDOM = (_drawn(f"RandomBackward{i}") for i in range(3))


@op(
    inputs="self p",
    saves="p_shape p_dtype",
    node="BernoulliBackward1",
    method=False,
    grads=(_p.zero_grad, lambda g, n: _make(xp.zeros(n.p_shape, n.p_dtype.np))),
)
def _bernoulli_by_tensor(self, p, values):
    """bernoulli_ by a tensor of probabilities: an input of the node (its gradient is zero)."""
    return values


def _fill_drawn(t, node_op, flat):
    """Write values drawn in ``t``'s visiting order (PyTorch's) into ``t``, recorded as
    ``node_op``."""
    values = _sampling.placed(xp.asarray(flat), t._data)
    return inplace(t, node_op, values.astype(t._data.dtype, copy=False))


def _floating_only(t, kernel):
    if t._data.dtype.kind not in "fcV":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{t.dtype._tensor_name[:-6]}'")


def _number(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@tensor_method
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """``Tensor.uniform_``: values drawn uniformly from [from, to) (``from`` is a Python keyword:
    it is taken by name through ``**kwargs``)."""
    _floating_only(self, "check_uniform_bounds")
    from_ = kwargs.pop("from", from_)
    if kwargs:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if from_ > to:
        raise RuntimeError(
            "uniform_ expects to return a [from, to) range, but found "
            f"from={_number(from_)} > to={_number(to)}"
        )
    a = self._data
    values = _sampling.uniform(resolve(generator), a.size, a.dtype, float(from_), float(to))
    return _fill_drawn(self, _UNIFORM, values)


@tensor_method
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """``Tensor.normal_``: values drawn from N(mean, std^2); PyTorch's vectorised path for 16 or
    more contiguous elements, its scalar one otherwise."""
    _floating_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
    a = self._data
    values = _sampling.normal(
        resolve(generator), a.size, a.dtype, float(mean), float(std), a.flags.c_contiguous
    )
    return _fill_drawn(self, _NORMAL, values)


@tensor_method
def bernoulli_(self, p=0.5, *, generator=None):
    """``Tensor.bernoulli_``: 1 with probability ``p`` (a number or a tensor), else 0."""
    gen = resolve(generator)
    a = self._data
    if isinstance(p, Tensor):
        probs = p._data
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                "(Could this error message be improved?  If so, please report an "
                "enhancement request to PyTorch.)"
            )
        hits = _sampling.bernoulli_tensor(gen, _sampling.visited(probs, a))
        values = _sampling.placed(hits, a).astype(a.dtype)
        return inplace(self, _bernoulli_by_tensor, p, values)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_number(p)}")
    return _fill_drawn(self, _BERNOULLI, _sampling.bernoulli_scalar(gen, a.size, p))


@tensor_method
def exponential_(self, lambd=1.0, *, generator=None):
    """``Tensor.exponential_``: values drawn from the exponential distribution of rate ``lambd``."""
    if self._data.dtype.kind not in "fV":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. "
            "dtype must be a floating point but you specified "
            f"{self.dtype._tensor_name[:-6]}"
        )
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_number(lambd)}")
    values = _sampling.exponential(resolve(generator), self._data.size, lambd, _wide(self))
    return _fill_drawn(self, _EXPONENTIAL, values)


def _wide(t):
    """Whether ``t`` holds float64 values, which a sampler gives to PyTorch's last bit (its
    float64 draws round to a narrower dtype the same either way)."""
    return t._data.dtype == xp.float64


@tensor_method
def masked_scatter_(self, mask, source):
    """``Tensor.masked_scatter_``: ``Tensor.masked_scatter`` written into this tensor, whose
    shape the mask must expand to."""
    if isinstance(mask, Tensor) and mask._data.dtype == xp.bool_:
        ms, shape = mask._data.shape, self._data.shape
        if len(ms) > len(shape):
            raise RuntimeError(
                f"expand(CPUBoolType{{[{_dims(ms)}]}}, size=[{_dims(shape)}]): the number of sizes "
                f"provided ({len(shape)}) must be greater or equal to the number of dimensions in "
                f"the tensor ({len(ms)})"
            )
        _check_expand(mask, shape)
    return inplace(self, Tensor.masked_scatter, mask, source)


@tensor_method
def geometric_(self, p, *, generator=None):
    """``Tensor.geometric_``: the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_number(p)}")
    values = _sampling.geometric(resolve(generator), self._data.size, p)
    return _fill_drawn(self, _GEOMETRIC, values)


@tensor_method
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """``Tensor.log_normal_``: exp of N(mean, std^2) values."""
    _floating_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_number(std)}")
    values = _sampling.log_normal(
        resolve(generator), self._data.size, float(mean), float(std), _wide(self)
    )
    return _fill_drawn(self, _LOG_NORMAL, values)


@tensor_method
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """``Tensor.cauchy_``: values drawn from the Cauchy distribution."""
    _floating_only(self, "cauchy_cpu")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_number(sigma)}")
    values = _sampling.cauchy(
        resolve(generator), self._data.size, float(median), float(sigma), _wide(self)
    )
    return _fill_drawn(self, _CAUCHY, values)


_ONE_BOUND = object()  # random_'s ``to`` when not given: random_(5) draws from [0, 5)


@tensor_method
def random_(self, from_=None, to=_ONE_BOUND, *, generator=None):
    """``Tensor.random_``: integers drawn from [from, to), from [0, from) when only one bound is
    given, or up to 2**mantissa (the whole range for integer tensors) with no ``to``."""
    gen = resolve(generator)
    a = self._data
    node_op = _RANDOM_FROM_TO
    if to is _ONE_BOUND:  # random_(to) or random_()
        if from_ is None:
            return _fill_drawn(self, _RANDOM, _sampling.random_default(gen, a.size, a.dtype))
        node_op = _RANDOM_TO
        from_, to = 0, from_
    if from_ is None:
        from_ = 0
    if to is None:
        if from_ == -(1 << 63) and a.dtype in _FULL_RANGE_DTYPES:
            return _fill_drawn(self, node_op, _sampling.random_full_range(gen, a.size))
        to = (
            2 ** (xp.finfo(a.dtype).nmant + 1) + 1
            if a.dtype.kind in "fV"
            else 2
            if a.dtype == bool
            else int(xp.iinfo(a.dtype).max) + 1
        )
    if from_ >= to:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}"
        )
    if a.dtype.kind in "biu":
        low, high = (
            (0, 1) if a.dtype == bool else (int(xp.iinfo(a.dtype).min), int(xp.iinfo(a.dtype).max))
        )
        name = dtypes.CPP_NAMES.get(dtypes.FROM_NP[a.dtype], a.dtype.name)
        if not low <= from_ <= high:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not low <= to - 1 <= high:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    from_, to = _sampling.float_range(a.dtype, from_, to)
    return _fill_drawn(self, node_op, _sampling.random_from_to(gen, a.size, to - from_, from_))


_FULL_RANGE_DTYPES = frozenset(xp.dtype(n) for n in ("int64", "float64", "float32"))


@tensor_method
def fill_diagonal_(self, fill_value, wrap=False):
    """``Tensor.fill_diagonal_``: ``fill_value`` along the main diagonal (of a matrix, or of a
    tensor whose dimensions are all equal); with ``wrap``, a tall matrix's diagonal starts again
    every ``columns + 1`` rows."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if len(shape) > 2:
        index = (xp.arange(shape[0]),) * len(shape)
    else:
        self.diagonal().fill_(fill_value)
        if not (wrap and shape[0] > shape[1] + 1):
            return self
        # the wrapped part: a second write, as in PyTorch (the version counts both)
        flat = xp.arange(0, shape[0] * shape[1], shape[1] + 1)[shape[1] :]
        index = (flat // shape[1], flat % shape[1])
    self[tuple(_make(i) for i in index)] = fill_value
    return self


# --- in-place changes of shape and strides (``t_``, ``unsqueeze_`` ...): no data is written ------


def _restrided(node, swap):
    """The op that records a shape change made in place: its forward hands back the new array
    (made already), its node has PyTorch's name for the in-place form (``TBackward1`` ...)."""
    if swap:
        grads = (lambda g, n: g if n.dim0 == n.dim1 else g.transpose(n.dim0, n.dim1),)
    else:
        grads = (lambda g, n: g.reshape(n.self_shape),)

    def forward(self, array, dim0=0, dim1=0):
        return array

    forward.__name__ = "_" + node
    recorded = op(saves="" if swap else "self_shape", grads=grads, node=node, method=False)(forward)
    # (the new array among its arguments is no saved tensor: the node saves none, and runs again)
    recorded.opdef.Node._frees_index = False
    return recorded


_T1 = _restrided("TBackward1", True)
_TRANSPOSE1 = _restrided("TransposeBackward1", True)
_UNSQUEEZE1 = _restrided("UnsqueezeBackward1", False)
_SQUEEZE3 = _restrided("SqueezeBackward3", False)  # squeeze_(): every size-1 dimension
_SQUEEZE4 = _restrided("SqueezeBackward4", False)  # squeeze_(dim)
_SQUEEZE5 = _restrided("SqueezeBackward5", False)  # squeeze_(dims)


def _check_restride(t):
    if _grad_state.enabled and t._requires_grad:
        check_inplace(t)


def _restride(t, new, node_op, dim0=0, dim1=0):
    """Make ``new`` (a view of ``t``'s memory with another shape) ``t``'s array, recorded."""
    if _grad_state.enabled and t._requires_grad:
        if t._view_base is not None and t._vc.stale:
            fresh_grad_fn(t)
        node = node_op(_alias(t), new._data, dim0, dim1).grad_fn
        t._data = new._data
        keep_hook_node(t)
        _rebase(t, node, 0, retained=False)
        _bump(t)
        t._attr_version = t._vc.version  # a view: its grad_fn is the one just made, not stale
    else:
        keep_shape_of(t)  # the node its gradient goes to keeps the shape it must have
        t._data = new._data
        _bump(t)
    return t


@tensor_method
def t_(self):
    """``Tensor.t_``: this tensor transposed in place (at most 2 dimensions)."""
    _check_restride(self)
    if self._data.ndim > 2:
        raise RuntimeError(
            f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D"
        )
    return _restride(self, self.detach().t(), _T1, 0, self._data.ndim - 1 if self._data.ndim else 0)


@tensor_method
def transpose_(self, dim0, dim1):
    """``Tensor.transpose_``: two dimensions swapped in place."""
    _check_restride(self)
    new = self.detach().transpose(dim0, dim1)
    n = self._data.ndim
    return _restride(self, new, _TRANSPOSE1, dim0 % n if n else 0, dim1 % n if n else 0)


tensor_method(transpose_, name="swapaxes_")
tensor_method(transpose_, name="swapdims_")


@tensor_method
def unsqueeze_(self, dim):
    """``Tensor.unsqueeze_``: a size-1 dimension inserted in place."""
    _check_restride(self)
    return _restride(self, self.detach().unsqueeze(dim), _UNSQUEEZE1)


@tensor_method
def squeeze_(self, dim=None):
    """``Tensor.squeeze_``: size-1 dimensions removed in place (all, or those named by ``dim``)."""
    _check_restride(self)
    node_op = (
        _SQUEEZE3 if dim is None else _SQUEEZE5 if isinstance(dim, (tuple, list)) else _SQUEEZE4
    )
    squeezed = self.detach().squeeze() if dim is None else self.detach().squeeze(dim)
    return _restride(self, squeezed, node_op)


@tensor_method
def clamp_(self, min=None, max=None):
    """``Tensor.clamp_``."""
    _check_number_bounds(self, min, max)
    return inplace(self, _p.clamp, min, max)


def _check_number_bounds(t, *bounds):
    if t._data.dtype.kind in "biu" and any(isinstance(b, float) for b in bounds):
        name = dtypes.CPP_NAMES.get(t.dtype, t.dtype._tensor_name[:-6])
        raise RuntimeError(f"result type Float can't be cast to the desired output type {name}")


@tensor_method
def clamp_min_(self, min):
    """``Tensor.clamp_min_``."""
    _check_number_bounds(self, min)
    return inplace(self, _METHODS["clamp_min"], min)


@tensor_method
def clamp_max_(self, max):
    """``Tensor.clamp_max_``."""
    _check_number_bounds(self, max)
    return inplace(self, _METHODS["clamp_max"], max)


tensor_method(clamp_, name="clip_")


@tensor_method
def fill_(self, value):
    """``Tensor.fill_``: every element set to ``value`` (a number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        _check_fill_value(value)
        return inplace(self, _fill_tensor, value)
    return inplace(self, _fill, dtypes.checked_scalar(value, self.dtype))


@tensor_method
def copy_(self, src, non_blocking=False):
    """``Tensor.copy_``: ``src``'s values (broadcast, cast to this dtype) written into this tensor."""
    if not isinstance(src, Tensor):
        raise TypeError(
            f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
        )
    return inplace(self, _copy_from, src)


@tensor_method
def masked_fill_(self, mask, value):
    """``Tensor.masked_fill_``: ``value`` written where ``mask`` holds."""
    return inplace(self, _indexing.masked_fill, mask, value)


@tensor_method
def index_put_(self, indices, values, accumulate=False):
    """``Tensor.index_put_``: ``values`` put (or added) at the positions ``indices`` name."""
    if not isinstance(values, Tensor):
        values = _make(xp.asarray(values, dtype=self._data.dtype))
    return inplace(
        self, _index_put, values, _key(indices), accumulate, _indexing.kept_indices(indices)
    )


def _dtypes_differ(dest, source):
    """PyTorch's error for index_put_ (and ``x[index] = values``) with values of another dtype
    (array dtypes), raised as it writes: after the checks of what the write may record."""
    return RuntimeError(
        "Index put requires the source and destination dtypes match, got "
        f"{dtypes.FROM_NP[dest]._tensor_name[:-6]} for the destination and "
        f"{dtypes.FROM_NP[source]._tensor_name[:-6]} for the source."
    )


def setitem(self, key, value):
    """``x[key] = value`` as PyTorch does it: the ints, slices and None of ``key`` make a view; what
    is left (index tensors, masks) is an ``index_put_`` on that view, else a ``copy_`` into it."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(setitem, (self, key, value), {})
        if batched is not NotImplemented:
            return batched
    if key is False:  # (x[False] = v writes nothing, and PyTorch records nothing)
        return
    items, advanced, reader = _indexing.parse_key(key, self._data.shape)  # PyTorch's index errors
    # PyTorch skips slices that cover their whole dimension: with nothing else, ``x[:] = value``
    # is ``x.copy_(value)``, with copy_'s node and errors (a leaf, a view made under no_grad ...).
    whole = (
        not advanced
        and (reader is _indexing._slice or reader is _indexing._alias)
        and _indexing.split_advanced(items, self._data.shape)[0] is None
    )
    if not whole and self._vc.stale and self._view_base is not None:
        refresh_views(
            (self,)
        )  # PyTorch's first view of ``self`` reads its grad_fn: its errors first
    if not isinstance(value, Tensor):
        value = dtypes.checked_scalar(value, self.dtype, "index")
        value = _make(xp.asarray(value, dtype=self._data.dtype))
    if not advanced and _plain_write(self, items, whole, value):
        return
    if whole:
        _copy_to(self, value)
        return
    if not advanced:
        _copy_to(_view(self, items, reader), value)
        return
    if value._data.ndim and value._data.shape[0] == 1:
        value = _strip_leading_ones(value)
    view_key, index = _indexing.split_advanced(items, self._data.shape)
    # A real view (with its grad_fn): the written region keeps its old values where no index falls.
    target = self if view_key is None else _indexing.getitem(self, tuple(view_key))
    if value._data.dtype != self._data.dtype:
        masks = [k for k in index if type(k) is ndarray]
        if len(masks) == 1 and masks[0].dtype == bool and value._data.size == 1:
            value = value.to(self.dtype)  # PyTorch fills a single mask with one value of any dtype
    inplace(
        target,
        _index_put,
        value,
        index,
        False,
        _indexing.kept_indices(key if type(key) is tuple else (key,)),
    )


def _plain_write(self, items, whole, value):
    """Whether ``self[items] = value`` (a basic key) was done here, as an array copy: what
    ``_copy_to`` does when nothing is recorded (no gradient, no cut, no forward AD), the
    destination is writable without shared elements, the value can broadcast to it, shares no
    memory with it and needs no complex-to-real cast.  Everything else takes ``_copy_to``."""
    base = self._view_base if self._view_base is not None else self
    if (
        (_grad_state.enabled and (self._requires_grad or base._requires_grad))
        or value._requires_grad
        or value._cuts is not None
        or _switches.forward_ad_hook is not None
    ):
        return False
    data = self._data
    if not whole:
        data = data[items if Ellipsis in items else (*items, Ellipsis)]
    src = value._data
    if (
        not data.flags.writeable
        or 0 in data.strides
        or (src.dtype.kind == "c" and data.dtype.kind != "c")
        or _same_memory(data, src)
    ):
        return False
    shape, vshape = data.shape, src.shape
    if vshape != shape and vshape:
        n = 0
        while n < len(vshape) and vshape[n] == 1:
            n += 1
        vshape = vshape[n:]
        if len(vshape) > len(shape) or any(
            v != d and v != 1 for v, d in zip(vshape[::-1], shape[::-1], strict=False)
        ):
            return False  # (the errors are _copy_to's)
        src = src.reshape(vshape)
    xp.copyto(data, src, casting="unsafe")
    bump_version(self, caller_site(2))
    return True


def _copy_to(dest, value):
    """``value`` written into the region ``dest`` as PyTorch's indexing writes it: a value of the
    region's shape by ``copy_`` (which leaves an integer or bool region out of the graph), one
    value (0-dim) by ``fill_`` (FillBackward3, recorded into any dtype), any other by ``copy_``
    once its leading dimensions of size 1 are dropped and it is expanded to the region."""
    shape = dest._data.shape
    vshape = value._data.shape
    if vshape == shape:
        inplace(dest, _copy_from, value)
    elif not vshape:
        inplace(dest, _fill_tensor, value)
    else:
        if vshape[0] == 1:
            value = _strip_leading_ones(value)
        _check_expand(value, shape)
        if value._data.shape != shape:
            # expanded first, as PyTorch's indexing does: an expanded source shares no memory
            # with the region in a way its overlap check can tell (x[:] = x[0] runs)
            value = value.expand(shape)
        inplace(dest, _copy_from, value)


# The view that setitem writes through, by the reader parse_key names (PyTorch's node names).
_VIEW_OF_VIEW = {
    _indexing._select: "Select",
    _indexing._slice: "Slice",
    _indexing._unsqueeze_index: "Unsqueeze",
}


def _strip_leading_ones(value):
    """``value`` without its leading dimensions of size 1 (PyTorch drops them before writing)."""
    shape = value._data.shape
    n = 0
    while n < len(shape) and shape[n] == 1:
        n += 1
    return value.reshape(shape[n:])


def _view(self, key, reader):
    """The view ``self[key]`` (basic key) that a write goes through.  It gets no grad_fn (copy_
    needs none); ``_item_view`` names the node PyTorch's would have (None: it would have none)."""
    if Ellipsis not in key:
        key = tuple(key) + (Ellipsis,)  # keeps an all-integer key a (0-dim) view, not a copy
    view = _make(self._data[tuple(key)], False, None, self._vc)
    view._view_base = self._view_base if self._view_base is not None else self
    view._attr_version = self._vc.version
    note_view(view, self)
    view._item_view = (
        _VIEW_OF_VIEW.get(reader) if self._requires_grad and _grad_state.enabled else None
    )
    return view


def _check_expand(value, shape):
    """PyTorch's errors when ``value`` cannot be expanded to the written region's ``shape``."""
    vs = value._data.shape
    if vs == shape:
        return
    if len(vs) > len(shape):
        raise RuntimeError(
            f"expand(torch.{value.dtype._tensor_name}{{[{_dims(vs)}]}}, size=[{_dims(shape)}]): "
            f"the number of sizes provided ({len(shape)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(vs)})"
        )
    for i in range(1, len(vs) + 1):
        if vs[-i] != shape[-i] and vs[-i] != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[-i]}) must match the existing size "
                f"({vs[-i]}) at non-singleton dimension {len(shape) - i}.  Target sizes: "
                f"[{_dims(shape)}].  Tensor sizes: [{_dims(vs)}]"
            )


Tensor.__setitem__ = setitem
Tensor.__iadd__ = add_
Tensor.__isub__ = sub_
Tensor.__imul__ = _mul_by  # ``*=`` passes no alpha: the fast path itself, not mul_'s wrapper
Tensor.__itruediv__ = div_
Tensor.__idiv__ = div_
Tensor.__ipow__ = pow_
Tensor.__ifloordiv__ = _METHODS["floor_divide_"]
Tensor.__imod__ = _METHODS["remainder_"]
Tensor.__iand__ = _METHODS["bitwise_and_"]
Tensor.__ior__ = _METHODS["bitwise_or_"]
Tensor.__ixor__ = _METHODS["bitwise_xor_"]
Tensor.__ilshift__ = _METHODS["bitwise_left_shift_"]
Tensor.__irshift__ = _METHODS["bitwise_right_shift_"]

# ``torch.relu_(x)`` and kin: PyTorch's module-level spellings of these in-place methods.
_MODULE_LEVEL = (
    "abs_ acos_ addmv_ arccos_ arcsin_ arctan_ asin_ atan_ ceil_ clamp_ clamp_max_ clamp_min_ "
    "clip_ cos_ cosh_ erf_ erfc_ exp_ exp2_ expm1_ fill_ i0_ logit_ sinc_ xlogy_ fix_ floor_ frac_ index_put_ log10_ log1p_ "
    "log2_ log_ nan_to_num_ neg_ negative_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ "
    "sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ zero_ acosh_ arccosh_ asinh_ arcsinh_ atanh_ "
    "arctanh_ deg2rad_ rad2deg_ conj_physical_ ldexp_"
).split()
for _name in _MODULE_LEVEL:
    globals()[_name] = _METHODS[_name]

__all__ = ["index_put", "fill", "gcd_", "lcm_"] + _MODULE_LEVEL
