"""In-place ops (``add_``, ``mul_``, ``x[i] = v``, ``+=`` ...) and the version counter they bump.

An in-place op writes into the tensor's own array, so every view and ``detach()`` of it sees the new
values, and bumps the version counter they share; a node that saved the old value then refuses to
run (PyTorch's "modified by an inplace operation" error).

When the op is recorded, the tensor is *rebased*: its out-of-place twin runs on an alias of the old
tensor (so the new node's edge leads to the old ``grad_fn``), the result is written back, and the
tensor takes the new node as its ``grad_fn`` (``AddBackward0`` for ``add_``, as in PyTorch).  Through
a view, the view's base gets a ``CopySlices`` node (gradient: the base's with the written region
zeroed, plus the new values' gradient in that region) and the view an ``AsStridedBackward0`` node
reading its region out of the new base.  Other views of that base made before the write get the same
fresh node the next time they are used (``fresh_grad_fn``).
"""

import sys

from .. import dtypes
from .._array import ndarray, xp
from ..autograd.anomaly import caller_site
from ..autograd.grad_mode import no_grad
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import FunctionNode
from ..tensor import Tensor, _make
from . import indexing as _indexing
from . import pointwise as _p
from . import registry as _registry
from .registry import op, tensor_method

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."
_CUSTOM_VIEW = (" This view was created inside a custom Function (or because an input was returned "
                "as-is) and the autograd logic to handle view+inplace would override the custom "
                "backward associated with the custom Function, leading to incorrect gradients. This "
                "behavior is forbidden. You can fix this by cloning the output of the custom "
                "Function.")
_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")

# --- the nodes of writes through views: positions are flat indices into the base ----------------


@op(saves="self_shape", grads=(lambda g, n: _put_flat(g, n.index, n.self_shape),), method=False)
def _take_flat(self, index):
    return self.reshape(-1)[index]


@op(grads=(lambda g, n: _take_flat(g, n.index),), method=False)
def _put_flat(self, index, shape):
    out = xp.zeros(shape, dtype=self.dtype)
    out.reshape(-1)[index] = self
    return out


@op(grads=(lambda g, n: _zero_flat(g, n.index),), method=False)
def _zero_flat(self, index):
    out = xp.array(self, order="C")
    out.reshape(-1)[index] = 0
    return out


@op(inputs="self src", grads=(lambda g, n: _zero_flat(g, n.index), lambda g, n: _take_flat(g, n.index)),
    node="torch::autograd::CopySlices", method=False)
def _copy_slices(self, src, index):
    return self  # the values are written already: only the node is wanted


@op(saves="self_shape", grads=(lambda g, n: _put_flat(g, n.index, n.self_shape),),
    node="AsStridedBackward0", method=False)
def _view_of_base(self, index, view):
    return view  # the view's own array: only the node is wanted


def _dense(a):
    """Whether ``a`` covers its memory with no gaps, in any order of dimensions (a permuted
    contiguous tensor too), with positive strides."""
    expected = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n > 1):
        if stride != expected:
            return False
        expected *= n
    return True


def _flat_index(base, view):
    """For each element of ``view``, the C-order position in ``base`` of the memory it shares."""
    b, v = base._data, view._data
    if not _dense(b):
        raise RuntimeError("retrograd cannot record an in-place write through a view of a tensor "
                           "whose memory has gaps; clone() the base tensor first.")
    positions = xp.empty_like(b, dtype=xp.int64)  # the same memory order as the base
    positions[...] = xp.arange(b.size).reshape(b.shape)
    memory = positions.ravel(order="K")
    offset = (v.__array_interface__["data"][0] - b.__array_interface__["data"][0]) // b.itemsize
    strides = tuple(s // b.itemsize * 8 for s in v.strides)
    return xp.lib.stride_tricks.as_strided(memory[offset:], v.shape, strides).copy()


# --- out-of-place twins that PyTorch names after their in-place use ------------------------------


@op(grads=(lambda g, n: g * 0,), node="ZeroBackward0", method=False)
def _zero(self):
    return xp.zeros_like(self)


@op(grads=(lambda g, n: g * 0,), node="FillBackward2", method=False)
def _fill(self, value):
    return xp.full_like(self, value)


@op(inputs="self value", grads=(lambda g, n: g * 0, lambda g, n: g.sum()), node="FillBackward3",
    method=False)
def _fill_tensor(self, value):
    return xp.full_like(self, value)


@op(inputs="self src", saves="src_shape src_dtype",
    grads=(lambda g, n: g * 0, lambda g, n: g.sum_to_size(n.src_shape).to(n.src_dtype)),
    node="torch::autograd::CopyBackwards", method=False)
def _copy_from(self, src):
    try:
        return xp.array(xp.broadcast_to(src, self.shape), dtype=self.dtype)
    except ValueError:
        raise RuntimeError(f"output with shape [{_dims(self.shape)}] doesn't match the broadcast "
                           f"shape [{_dims(xp.broadcast_shapes(self.shape, src.shape))}]") from None


@op(saves="self_shape", grads=(lambda g, n: _index_scatter(g, n.key, n.self_shape),),
    node="IndexBackward0", method=False)
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


@op(inputs="self values", saves="values_shape",
    grads=(_index_put_self_grad,
           lambda g, n: _index_gather(g, n.key).sum_to_size(n.values_shape)),
    node="IndexPutBackward0", method=False)
def _index_put(self, values, key, accumulate):
    out = self.copy()
    if accumulate:
        xp.add.at(out, key, values)
    else:
        out[key] = values
    return out


@tensor_method
def index_put(input, indices, values, accumulate=False):
    """``torch.index_put``: a copy of ``input`` with ``values`` put (or added) at ``indices``."""
    return _index_put(input, values, _key(indices), accumulate)


def _key(indices):
    return tuple(i._data if isinstance(i, Tensor) else i for i in indices)


def _dims(shape):
    return ", ".join(str(n) for n in shape)


# Writes that need no out-of-place result when nothing is recorded (``grad.zero_()`` ...).
_KERNELS = {_zero: lambda a: a.fill(0), _fill: lambda a, value: a.fill(value)}

# --- the in-place machinery ----------------------------------------------------------------------


def _bump(t):
    """A write happened: bump the shared version, remembering where (for the mismatch error)."""
    vc = t._vc
    vc[0] += 1
    site = caller_site(3)
    if len(vc) == 1:
        vc.append(site)
    else:
        vc[1] = site


def _write(t, array):
    """Copy ``array`` into ``t``'s own memory with PyTorch's casting and shape rules."""
    data = t._data
    if array.shape != data.shape:
        try:
            shape = xp.broadcast_shapes(data.shape, array.shape)
        except ValueError:
            shape = None
        if shape != data.shape:
            raise RuntimeError(f"output with shape [{_dims(data.shape)}] doesn't match the "
                               f"broadcast shape [{_dims(shape or array.shape)}]")
    if not data.flags.writeable:
        raise RuntimeError(_OVERLAP)
    if not xp.can_cast(array.dtype, data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {dtypes.FROM_NP[array.dtype]._tensor_name[:-6]} can't be "
                           f"cast to the desired output type "
                           f"{dtypes.FROM_NP[data.dtype]._tensor_name[:-6]}")
    xp.copyto(data, array, casting="same_kind")


def _requires_grad(args):
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def _alias(t):
    """The tensor before the write: same array, same place in the graph, a version of its own."""
    a = _make(t._data, t._requires_grad, t.grad_fn)
    a._output_nr = t._output_nr
    if t._requires_grad and t.grad_fn is None:  # a leaf (under no_grad...): share its accumulator
        a._acc = t._acc
    return a


def inplace(t, fn, *args):
    """Run out-of-place ``fn(t, *args)`` and make its result ``t``'s new value (and graph)."""
    base = t._view_base
    record = _grad_state.enabled and (
        t._requires_grad or _requires_grad(args) or (base is not None and base._requires_grad))
    dual = _registry.forward_ad_hook is not None
    if not record:
        kernel = _KERNELS.get(fn)
        if kernel is not None and t._data.flags.writeable and not dual:
            kernel(t._data, *args)
        else:
            with no_grad():
                out = fn(t, *args)
            _write(t, out._data)
        _bump(t)
        if dual:
            _move_tangent(t, out)
        return t
    if t._custom_view is not None:
        raise RuntimeError(f"{t._custom_view} is a view and is being modified inplace." + _CUSTOM_VIEW)
    if t._requires_grad and t.grad_fn is None and base is None:
        raise RuntimeError(_LEAF)
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)
    if base is not None and len(t._vc) > 3:  # an earlier recorded write made this view stale
        fresh_grad_fn(t)
    old = _alias(t)
    if dual:
        _copy_tangent(t, old)
    out = fn(old, *args)
    if sys.getrefcount(old) > 2:  # a node saved the old value: keep it from the write
        old._data = old._data.copy()
    _write(t, out._data)
    _bump(t)
    node = out.grad_fn
    if isinstance(node, FunctionNode) and node._saved:
        _resave_result(node, out, t)
    if base is None:
        _rebase(t, node, out._output_nr)
        _mark_views_stale(t)  # views of it made before the write need a fresh grad_fn
    else:
        index = _flat_index(base, t)
        new_base = _copy_slices(base, out, index)
        _rebase(base, new_base.grad_fn, 0)
        _rebase(t, _view_of_base(base, index, t._data).grad_fn, 0)
        _mark_views_stale(t)
    if dual:
        _move_tangent(t, out)
    return t


def _copy_tangent(t, alias):
    from ..autograd.forward_ad import _set_tangent, tangent_of

    tangent = tangent_of(t)
    if tangent is not None:
        _set_tangent(alias, tangent)


def _move_tangent(t, out):
    """Forward AD: ``t`` now holds ``out``'s value, so it takes ``out``'s tangent.  Written through
    a view, the tensor whose tangent the view's is a view of (up the chain) takes it in the written
    region (zeros there when ``out`` has none); a view with no such tensor updates its base."""
    from ..autograd.forward_ad import _OWN, _parent_of, _set_tangent, tangent_of

    tangent = tangent_of(out)
    link = _parent_of(t)
    if tangent is None and tangent_of(t) is None and (t._view_base is None or tangent_of(
            t._view_base) is None):
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
        hook, _registry.forward_ad_hook = _registry.forward_ad_hook, None
        try:
            index = _flat_index(parent, child).reshape(-1)
            written = _put_flat(child_tangent.reshape(-1), index, parent._data.shape)
            if parent_tangent is not None:
                written = _zero_flat(parent_tangent, index) + written
        finally:
            _registry.forward_ad_hook = hook
        link = _parent_of(parent)
        _set_tangent(parent, written, link)
        child, child_tangent = parent, written


def _resave_result(node, out, t):
    """The node saved its result: point it at ``t``, whose memory now holds that result."""
    saved, versions = list(node._saved), list(node._versions)
    for i, s in enumerate(saved):
        if versions[i] is not None and versions[i] < 0 and s[0] is out._data:
            saved[i] = (t._data, t._vc)
            versions[i] = ~t._vc[0]
    node._saved, node._versions = tuple(saved), tuple(versions)


def _rebase(t, node, output_nr):
    old = t.grad_fn
    if t._retains_grad and old is not None and old._retain_grad_hooks is not None:
        ref = old._retain_grad_hooks.pop(t._output_nr, None)
        if ref is not None:
            if node._retain_grad_hooks is None:
                node._retain_grad_hooks = {}
            node._retain_grad_hooks[output_nr] = ref
            node._hooked = True
    t.grad_fn = node
    t._output_nr = output_nr
    t._requires_grad = True


def _mark_views_stale(t):
    """A recorded write through ``t``: every other view of its memory needs a fresh grad_fn."""
    vc = t._vc
    while len(vc) < 4:
        vc.append(None if len(vc) == 1 else (0 if len(vc) == 2 else {}))
    vc[2] += 1
    vc[3] = {id(t): vc[2]}


def fresh_grad_fn(t):
    """The grad_fn of a view, made anew from its base when a recorded write made the old one stale."""
    vc = t._vc
    if vc[3].get(id(t)) != vc[2]:
        if t._custom_view is not None and t._requires_grad:
            raise RuntimeError(f"{t._custom_view} is a view and its base or another view of its "
                               "base has been modified inplace." + _CUSTOM_VIEW)
        base = t._view_base
        vc[3][id(t)] = vc[2]
        if base._requires_grad:
            _rebase(t, _view_of_base(base, _flat_index(base, t), t._data).grad_fn, 0)
    return t.grad_fn


# --- the public in-place methods -----------------------------------------------------------------


def _method(name, fn, doc):
    def method(self, *args):
        return inplace(self, fn, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return tensor_method(method)


def _fast(ufunc, name, fn):
    """``add_`` and kin: one ufunc writing in place when nothing is recorded (optimizer steps)."""
    def method(self, other, alpha=1):
        if _registry.forward_ad_hook is None and (not _grad_state.enabled or not (
                self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
                or self._view_base is not None)):
            data = self._data
            b = other._data if isinstance(other, Tensor) else other
            if alpha != 1:
                b = b * alpha
            if (data.flags.writeable and isinstance(b, (ndarray, float, int))
                    and xp.can_cast(xp.result_type(data, b), data.dtype, casting="same_kind")
                    and (not isinstance(b, ndarray) or xp.broadcast_shapes(b.shape, data.shape)
                         == data.shape)):
                ufunc(data, b, out=data)
                _bump(self)
                return self
        if alpha != 1:
            return inplace(self, fn, other, alpha)
        return inplace(self, fn, other)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``Tensor.{name}``: ``{fn.__name__}`` written into this tensor."
    return tensor_method(method)


add_ = _fast(xp.add, "add_", _p.add)
sub_ = _fast(xp.subtract, "sub_", _p.sub)


mul_ = _fast(xp.multiply, "mul_", _p.mul)


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


@tensor_method
def clamp_(self, min=None, max=None):
    """``Tensor.clamp_``."""
    return inplace(self, _p.clamp, min, max)


tensor_method(clamp_, name="clip_")


@tensor_method
def fill_(self, value):
    """``Tensor.fill_``: every element set to ``value`` (a number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        return inplace(self, _fill_tensor, value)
    return inplace(self, _fill, value)


@tensor_method
def copy_(self, src, non_blocking=False):
    """``Tensor.copy_``: ``src``'s values (broadcast, cast to this dtype) written into this tensor."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
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
    elif values._data.dtype != self._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{self.dtype._tensor_name[:-6]} for the destination and "
            f"{values.dtype._tensor_name[:-6]} for the source.")
    return inplace(self, _index_put, values, _key(indices), accumulate)


def _is_basic(key):
    """Slices, integers, None and Ellipsis only: the indexed part is a view."""
    for k in key:
        if not (k is None or k is Ellipsis or isinstance(k, (int, slice))) or isinstance(k, bool):
            return False
    return True


def setitem(self, key, value):
    """``x[key] = value``: a write through a view (basic indexing) or an ``index_put_``."""
    key = key if isinstance(key, tuple) else (key,)
    key = tuple(int(k) if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in "iu"
                else k for k in key)
    if not isinstance(value, Tensor):
        value = _make(xp.asarray(value, dtype=self._data.dtype))
    if not _is_basic(key):
        inplace(self, _index_put, value, _key(key), False)
        return
    if Ellipsis not in key:
        key = key + (Ellipsis,)  # keeps an all-integer key a (0-dim) view, not a copy
    view = _make(self._data[key], False, None, self._vc)
    view._view_base = self._view_base if self._view_base is not None else self
    inplace(view, _copy_from, value)


def _iop(fn):
    def method(self, other):
        return fn(self, other)

    return method


Tensor.__setitem__ = setitem
Tensor.__iadd__ = _iop(add_)
Tensor.__isub__ = _iop(sub_)
Tensor.__imul__ = _iop(mul_)
Tensor.__itruediv__ = _iop(div_)

__all__ = ["index_put"]
