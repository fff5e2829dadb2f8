"""A tensor's memory seen as PyTorch sees it, a storage of elements that a tensor reads with sizes,
strides and an offset: ``as_strided`` (and ``as_strided_``, ``as_strided_scatter``), ``resize_``,
``empty_strided``, ``asarray``, ``frombuffer``, and the ``*_copy`` twins of the view ops.

A retrograd tensor's array is a NumPy view of some array that owns the memory (or wraps a foreign
buffer): that array is the storage, and a tensor's storage offset is where its first element sits
in it.  So ``as_strided`` of a view reads the memory of the tensor it is a view of, from the
offsets of that tensor, as PyTorch's does."""

import functools
import os
import warnings
import weakref

from .. import _device, dtypes
from .._array import contiguous_strides, kept_layout, kept_order, ndarray, xp
from .._array import memory_root as _root
from .._array import shared_memory as _array_shared_memory
from .._switches import grad_mode as _grad_state
from ..autograd.grad_mode import enable_grad
from ..creation import _NO_PINNED, numpy_checked, tensor
from ..tensor import Tensor, _make, _wrap_dim, int_list
from . import composite as _composite
from . import indexing as _indexing
from . import linalg as _linalg
from . import shape as _shape
from .complex_numbers import view_as_complex, view_as_real
from .inplace import (
    _check_restride,
    _restride,
    _take_flat,
    _zero_flat,
    positions,
    strided_grad,
)
from .pointwise import zero_grad
from .registry import declared_again, op, tensor_method

# --- storage, offsets and positions ------------------------------------------------------------


def _storage_bytes(a):
    """The memory ``a`` is a view of, as one flat array of bytes."""
    return _root(a).reshape(-1, order="A").view(xp.uint8)


def _offset(a):
    """``a``'s storage offset, in its elements."""
    start = a.__array_interface__["data"][0]
    return (start - _root(a).__array_interface__["data"][0]) // a.itemsize


def _geometry(a):
    """(sizes, strides, storage offset) of an array, in elements."""
    return tuple(a.shape), tuple(s // a.itemsize for s in a.strides), _offset(a)


def _listed(values):
    return ", ".join(map(str, values))


def _check_geometry(a, size, stride, offset):
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"[{_listed(stride)}]"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(size)}: [{_listed(size)}]"
        )
    if 0 in size:
        return
    need = (offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1) * a.itemsize
    have = _storage_bytes(a).size
    if need > have:
        raise RuntimeError(
            f"setStorage: sizes [{_listed(size)}], strides [{_listed(stride)}], storage offset "
            f"{offset}, and itemsize {a.itemsize} requiring a storage size of {need} are out of "
            f"bounds for storage of size {have}"
        )


def _strided(a, size, stride, offset):
    """``a``'s storage seen with the given geometry (checked already): a view of it."""
    buf = _storage_bytes(a)
    item = a.itemsize
    empty = 0 in size
    return xp.ndarray(
        tuple(size),
        a.dtype,
        buffer=buf,
        offset=0 if empty else offset * item,
        strides=tuple(s * item for s in stride),
    )


# --- as_strided --------------------------------------------------------------------------------


@op(
    view=True,
    method=False,
    node="AsStridedBackward0",
    grads=(lambda g, n: strided_grad(g, (n.size, n.stride, n.storage_offset), n.geometry),),
)
def _as_strided(self, size, stride, storage_offset, geometry):
    return _strided(self, size, stride, storage_offset)


def _geometry_args(input, size, stride, storage_offset):
    a = input._data
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    offset = _offset(a) if storage_offset is None else int(storage_offset)
    _check_geometry(a, size, stride, offset)
    return size, stride, offset


@tensor_method
def as_strided(input, size, stride, storage_offset=None):
    """``torch.as_strided``: a view of the input's storage with the given sizes, strides (in
    elements) and storage offset (the input's own by default)."""
    size, stride, offset = _geometry_args(input, size, stride, storage_offset)
    return _as_strided(input, size, stride, offset, _geometry(input._data))


def _slice_inverse_grad(g, n):
    index = [slice(None)] * g.ndim
    index[n.dim] = slice(n.start, n.end, n.step)
    return g[tuple(index)]


@op(
    inputs="self src",
    view=True,
    method=False,
    node="SliceInverseBackward0",
    grads=(_slice_inverse_grad, zero_grad),
)
def _slice_inverse(self, src, dim, start, end, step):
    return _strided(self, *_geometry(src))


@tensor_method
def slice_inverse(input, src, dim=0, start=None, end=None, step=1):
    """``torch.slice_inverse``: undoes ``src[start:end:step]`` along ``dim`` for an ``input`` that
    is that slice: a view of ``input``'s storage with ``src``'s sizes, strides and offset."""
    _check_geometry(input._data, *_geometry(src._data))
    return _slice_inverse(input, src, _wrap_dim(dim, src.ndim), start, end, step)


def _as_strided_restrided(self, array, out_geometry, in_geometry):
    return array


# The node of ``as_strided_``: the new array is made already (see inplace._restrided).
_AS_STRIDED1 = op(
    "_AsStridedBackward1",
    node="AsStridedBackward1",
    method=False,
    grads=(lambda g, n: strided_grad(g, n.out_geometry, n.in_geometry),),
)(_as_strided_restrided)
_AS_STRIDED1.opdef.Node._frees_index = False


@tensor_method
def as_strided_(input, size, stride, storage_offset=None):
    """``Tensor.as_strided_``: this tensor made to read its storage with the given geometry."""
    _check_restride(input)
    size, stride, offset = _geometry_args(input, size, stride, storage_offset)
    new = _make(_strided(input._data, size, stride, offset))
    return _restride(input, new, _AS_STRIDED1, (size, stride, offset), _geometry(input._data))


def _check_as_strided_scatter(a, src, index):
    if src.shape != index.shape:
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"[{_listed(src.shape)}], slice size = [{_listed(index.shape)}]"
        )


@op(
    inputs="self src",
    method=False,
    check=_check_as_strided_scatter,
    node="AsStridedScatterBackward0",
    grads=(lambda g, n: _zero_flat(g, n.index), lambda g, n: _take_flat(g, n.index)),
)
def _as_strided_scatter(self, src, index):
    out = kept_layout(self.copy(order=kept_order(self)), self)
    flat = _root(out).reshape(-1, order="A")
    flat[index] = src
    return out


@tensor_method
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``torch.as_strided_scatter``: a copy of ``input`` with ``src`` written where
    ``as_strided(size, stride, storage_offset)`` of that copy reads."""
    if _grad_state.enabled and input.requires_grad and not input._data.flags.c_contiguous:
        raise RuntimeError(
            "!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED at "
            '"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp":4754, please report a '
            "bug to PyTorch. as_strided_scatter is currently only supported for contiguous inputs"
        )
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    offset = 0 if storage_offset is None else int(storage_offset)
    _check_geometry(xp.empty(input._data.size, input._data.dtype), size, stride, offset)
    return _as_strided_scatter(input, src, positions(size, stride, offset))


# --- resizing ----------------------------------------------------------------------------------


def _resized(a, shape):
    """``a``'s storage from its offset, seen as a contiguous ``shape``; the storage grown (into
    new memory, its old elements copied) where it is too small."""
    offset = _offset(a)
    numel = 1
    for n in shape:
        numel *= n
    buf = _storage_bytes(a)
    if (offset + numel) * a.itemsize > buf.size:
        grown = xp.zeros((offset + numel) * a.itemsize, xp.uint8)
        grown[: buf.size] = buf
        a = grown[: a.itemsize].view(a.dtype)  # (only its storage is read below)
    return _strided(a, shape, contiguous_strides(shape), offset)


@tensor_method
def resize_(self, *sizes, memory_format=None):
    """``Tensor.resize_``: this tensor made a contiguous one of ``sizes`` over its storage from its
    offset; a bigger size grows the storage (the new elements are zeros here)."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = int_list("resize_", "size", sizes)
    if any(n < 0 for n in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    if memory_format is _device.preserve_format:
        raise RuntimeError("Unsupported memory formatPreserve")
    if memory_format in (_device.channels_last, _device.channels_last_3d):
        rank = 4 if memory_format is _device.channels_last else 5
        if len(shape) != rank:
            name = "channels_last" if rank == 4 else "channels_last_3d"
            raise RuntimeError(f"required rank {rank} tensor to use {name} format")
    _device.check_memory_format(memory_format)
    if shape == self._data.shape and (memory_format is None or self._data.flags.c_contiguous):
        return self  # (nothing changes: no new version)
    return _restride(self, _make(_resized(self._data, shape)), None)


@tensor_method
def resize_as_(self, the_template, memory_format=None):
    """``Tensor.resize_as_``: ``resize_`` to the shape of ``the_template``."""
    return resize_(self, the_template._data.shape, memory_format=memory_format)


@op(
    saves="self_shape",
    view=True,
    method=False,
    node="ResizeBackward",
    grads=(lambda g, n: g.reshape(n.self_shape),),
)
def _resize(self, shape):
    return xp.ascontiguousarray(self).reshape(shape)


def _resize_autograd(input, shape, name):
    warnings.warn(f"non-inplace {name} is deprecated", UserWarning, 3)
    numel = 1
    for n in shape:
        numel *= n
    if numel != input._data.size:
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, shape))} ({numel} elements in total), but "
            f"the given tensor has a size of {'x'.join(map(str, input._data.shape))} "
            f"({input._data.size} elements). autograd's resize can only change the shape of a "
            "given tensor, while preserving the number of elements. "
        )
    return _resize(input, shape)


@tensor_method
def resize(self, *sizes):
    """``Tensor.resize``: PyTorch's deprecated out-of-place resize, a reshape that must keep the
    number of elements."""
    return _resize_autograd(self, int_list("resize", "size", sizes), "resize")


@tensor_method
def resize_as(self, tensor):
    """``Tensor.resize_as``: ``resize`` to the shape of ``tensor``."""
    return _resize_autograd(self, tuple(tensor._data.shape), "resize_as")


# --- strided factories, asarray, frombuffer ----------------------------------------------------


def _empty_strided(size, stride, dtype, requires_grad):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
            f"({len(stride)})"
        )
    need = 0 if 0 in size else sum((n - 1) * s for n, s in zip(size, stride)) + 1
    storage = xp.zeros(need, dtype.np)
    _check_geometry(storage, size, stride, 0)
    out = _make(_strided(storage, size, stride, 0))
    return out.requires_grad_() if requires_grad else out


def _factory_options(dtype, device, layout=None, pin_memory=False):
    """The dtype asked for (one of Python's types too); the device must be the CPU, memory not
    pinned, the layout strided, as in PyTorch's CPU-only build."""
    if device is not None:
        _device.check(device, True)
    if pin_memory:
        raise RuntimeError(_NO_PINNED)
    if layout is not None and layout is not _device.strided:
        raise NotImplementedError(
            f"layout={layout}: retrograd tensors are dense (torch.strided) only"
        )
    return dtypes.as_dtype(dtype) if dtype.__class__ is type else dtype


def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """``torch.empty_strided``: a new tensor laid out with the given strides (its values are
    zeros here, never garbage)."""
    dtype = _factory_options(dtype, device, layout, pin_memory)
    return _empty_strided(size, stride, dtype or dtypes.get_default_dtype(), requires_grad)


def empty_permuted(
    size,
    physical_layout,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """``torch.empty_permuted``: ``empty_strided`` whose dimensions lie in memory in the order
    ``physical_layout`` gives, outermost first (``(0, 2, 3, 1)``: channels last)."""
    size, order = tuple(int(n) for n in size), tuple(int(d) for d in physical_layout)
    if len(size) != len(order):
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}"
        )
    seen = set()
    for i, d in enumerate(order):
        if not 0 <= d < len(size):
            raise RuntimeError(
                f"Dimension out of range (expected to be between 0 and {len(size) - 1}, but got "
                f"{d} at index {i}).  NB: negative dims not currently supported; file an issue "
                "if you want it."
            )
        if d in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(d)
    stride = [1] * len(size)
    step = 1
    for d in reversed(order):
        stride[d] = step
        step *= max(size[d], 1)
    return empty_strided(
        size,
        stride,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
        pin_memory=pin_memory,
    )


def from_file(
    filename,
    shared=None,
    size=0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """``torch.from_file``: ``size`` elements read from a file; ``shared``: the tensor is the
    file's memory, mapped (writes reach the file, made ``size`` elements long if missing)."""
    dtype = _factory_options(dtype, device, layout, pin_memory) or dtypes.get_default_dtype()
    need = size * dtype.itemsize
    if shared:
        if not os.path.exists(filename):
            with open(filename, "wb") as f:
                f.truncate(need)
        mode = "r+"
    elif not os.path.exists(filename):
        raise RuntimeError(
            f"unable to open file <{filename}> in read-only mode: No such file or directory (2)"
        )
    have = os.path.getsize(filename)
    if need > have:
        raise RuntimeError(
            f"file <{filename}> size <{have}> is smaller than the required mapping size <{need}>"
        )
    if not shared or need == 0:
        array = xp.fromfile(filename, dtype.np, count=size)
    else:
        array = xp.memmap(filename, dtype.np, mode, shape=(size,))
    out = _make(array)
    return out.requires_grad_() if requires_grad else out


@tensor_method
def new_empty_strided(
    self, size, stride, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False
):
    """``Tensor.new_empty_strided``: ``empty_strided`` of this tensor's dtype by default."""
    return empty_strided(
        size,
        stride,
        dtype=dtype or self.dtype,
        layout=layout,
        device=device,
        pin_memory=pin_memory,
        requires_grad=requires_grad,
    )


def _type_name(dt):
    return dtypes.scalar_type_name(dt)


_ASARRAY_GRAD_DEFAULT = (
    "torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead of "
    "False. Pass requires_grad=False explicitly to get the old behavior and silence this warning."
)
_UNSET = object()


def _asarray_tensor(obj, dtype, copy, requires_grad):
    target = dtype or obj.dtype
    if target is not obj.dtype and copy is False:
        raise ValueError(
            f"can't alias tensor with dtype '{_type_name(obj.dtype)}' into dtype "
            f"'{_type_name(target)}'."
        )
    if requires_grad is _UNSET:
        if obj.requires_grad:
            warnings.warn(_ASARRAY_GRAD_DEFAULT, UserWarning, 3)
        requires_grad = obj.requires_grad
    if copy:
        out = _shape.clone(obj) if target is obj.dtype else obj.to(target)
    elif target is not obj.dtype:
        out = obj.to(target)
    else:
        out = obj
    if requires_grad and not out.requires_grad:
        out.requires_grad_()
    return out


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=_UNSET):
    """``torch.asarray``: ``obj`` as a tensor, sharing its memory where it can (a tensor, a NumPy
    array, an object with the buffer protocol) unless ``copy``; ``copy=False`` refuses a copy."""
    dtype = _factory_options(dtype, device)
    if isinstance(obj, Tensor):
        return _asarray_tensor(obj, dtype, copy, requires_grad)
    grad = False if requires_grad is _UNSET else bool(requires_grad)
    if isinstance(obj, ndarray) or (hasattr(obj, "__array_interface__")):
        a = numpy_checked(xp.asarray(obj))
        target = dtype or dtypes.from_numpy_dtype(a.dtype)
        if target.np != a.dtype:
            if copy is False:
                raise ValueError(
                    f"can't alias tensor with dtype '{_type_name(dtypes.from_numpy_dtype(a.dtype))}'"
                    f" into dtype '{_type_name(target)}'."
                )
            a = a.astype(target.np)
        elif copy:
            a = a.copy()
        out = _make(a)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        out = frombuffer(obj, dtype=dtype or dtypes.uint8)
        if copy:
            out = _make(out._data.copy())
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        return tensor(obj, dtype=dtype, requires_grad=grad)
    return out.requires_grad_() if grad else out


_WARNED_READ_ONLY = []


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """``torch.frombuffer``: a 1-d tensor over an object's memory (the buffer protocol), sharing
    it."""
    dtype = _factory_options(dtype, None)
    view = memoryview(buffer)
    length = view.nbytes
    item = dtype.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(
            f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
            f"({length} bytes) minus 1"
        )
    if count < 0:
        if (length - offset) % item:
            raise ValueError(
                f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                f"multiple of element size ({item})"
            )
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(
            f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) "
            f"must not be greater than actual buffer length ({length} bytes)"
        )
    if view.readonly and not _WARNED_READ_ONLY:
        _WARNED_READ_ONLY.append(True)
        warnings.warn(
            "The given buffer is not writable, and PyTorch does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) buffer "
            "using the tensor. You may want to copy the buffer to protect its data or make it "
            "writable before converting it to a tensor. This type of warning will be suppressed "
            "for the rest of this program.",
            UserWarning,
            3,
        )
    a = xp.frombuffer(view.cast("B"), dtype.np, count, offset)
    out = _make(a)
    return out.requires_grad_() if requires_grad else out


# --- the *_copy functions: a view op's result as new memory ------------------------------------


def copy_of(view_fn, name, node=None, forward=None):
    """The op ``name``: ``view_fn``'s op (its forward, checks and derivative formulas) with its
    result copied into new contiguous memory, recorded as PyTorch records it (``<node>_copy``).
    ``forward``: one that reads any layout where the view's needs strides that allow a view."""
    d = view_fn.opdef
    forward = forward or d.forward

    @functools.wraps(forward)
    def copied(*args):
        out = forward(*args)
        if isinstance(out, tuple):
            return tuple(xp.array(o, order="C") for o in out)
        return xp.array(out, order="C")

    return declared_again(view_fn, name, node or d.Node.__name__ + "_copy", copied)


_VIEW_OPS = (
    _shape.view,
    _shape.permute,
    _shape.transpose,
    _shape.t,
    _shape.expand,
    _shape.unsqueeze,
    _shape._squeeze_all,
    _shape._squeeze_dim,
    _shape._squeeze_dims,
    _indexing._select,
    _indexing._slice,
    _indexing._alias,
    _shape._split,
    _shape._split_with_sizes,
    _shape.unbind,
    _shape.unfold,
    _linalg.diagonal,
    _as_strided,
    view_as_real,
)
# the copy op of each view op, by the view op's node type
_COPIES = {
    fn.opdef.Node: copy_of(fn, "_" + fn.opdef.name.lstrip("_") + "_copy") for fn in _VIEW_OPS
}


def _reshaped(self, shape):
    return xp.reshape(self, _shape._infer(shape, self.size))


_COPIES[_shape.view.opdef.Node] = copy_of(_shape.view, "_view_copy", forward=_reshaped)
_NARROW_COPIES = {
    _indexing._slice.opdef.Node: copy_of(_indexing._slice, "_narrow_copy", "NarrowCopyBackward0")
}


def _copying(name, view, copies=_COPIES):
    """``torch.<name>``: what ``view(input, ...)`` would view, as a new tensor: recorded by the
    copy of the op the view records (found by the node it makes on an alias of the input), with
    the same arguments, so the view's checks and errors are its own."""

    def copy(input, *args, out=None, **kwargs):
        floating = input._data.dtype.kind in "fcV"
        probe = _make(input._data, True) if floating else input
        with enable_grad():
            seen = view(probe, *args, **kwargs)
        if not floating:  # (no graph for integers) the view's elements, copied
            if isinstance(seen, (tuple, list)):
                return tuple(_make(xp.array(t._data, order="C")) for t in seen)
            result = _make(xp.array(seen._data, order="C"))
        else:
            first = seen[0] if isinstance(seen, (tuple, list)) else seen
            node = first.grad_fn
            result = copies[type(node)](input, *node._attrs)
        if out is None:
            return result
        from .._out import write_out

        if isinstance(result, tuple):  # (split_copy and kin write a list of tensors)
            return [write_out(name, r, o, (input,)) for r, o in zip(result, out)]
        return write_out(name, result, out, (input,))

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = f"``torch.{name}``: a copy, in new memory, of what ``{name[:-5]}`` views."
    return copy


def _slice(input, dim=0, start=None, end=None, step=1):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input.ndim)
    key = (slice(None),) * d + (slice(start, end, step), Ellipsis)
    return _indexing._slice(input, key, False, _indexing._slice)


def view_as_complex_copy(input, *, out=None):
    """``torch.view_as_complex_copy``: a copy of what ``view_as_complex`` views (PyTorch gives it
    no derivative)."""
    if _grad_state.enabled and input.requires_grad:
        raise RuntimeError(
            "view_as_complex_copy does not support automatic differentiation for outputs with "
            "complex dtype."
        )
    result = _make(xp.array(view_as_complex(input.detach())._data, order="C"))
    if out is not None:
        from .._out import write_out

        return write_out("view_as_complex_copy", result, out, (input,))
    return result


view_copy = _copying(
    "view_copy", lambda x, size: _shape.view(x.reshape(-1), int_list("view_copy", "size", (size,)))
)
permute_copy = _copying("permute_copy", _shape.permute)
transpose_copy = _copying("transpose_copy", _shape.transpose)
t_copy = _copying("t_copy", _shape.t)
expand_copy = _copying("expand_copy", lambda x, size, *, implicit=False: _shape.expand(x, size))
squeeze_copy = _copying("squeeze_copy", _shape.squeeze)
unsqueeze_copy = _copying("unsqueeze_copy", _shape.unsqueeze)
select_copy = _copying("select_copy", _composite.select)
slice_copy = _copying("slice_copy", _slice)
split_copy = _copying("split_copy", lambda x, split_size, dim=0: _shape._split(x, split_size, dim))
split_with_sizes_copy = _copying(
    "split_with_sizes_copy",
    lambda x, split_sizes, dim=0: _shape._split_with_sizes(x, split_sizes, dim),
)
unbind_copy = _copying("unbind_copy", _shape.unbind)
diagonal_copy = _copying("diagonal_copy", _linalg.diagonal)
alias_copy = _copying(
    "alias_copy", lambda x: _indexing._alias(x, (Ellipsis,), False, _indexing._alias)
)
unfold_copy = _copying("unfold_copy", _shape.unfold)
as_strided_copy = _copying("as_strided_copy", as_strided)
view_as_real_copy = _copying("view_as_real_copy", view_as_real)
narrow_copy = tensor_method(_copying("narrow_copy", _composite.narrow, _NARROW_COPIES))


def _no_derivative(g, n):
    raise RuntimeError("derivative for aten::detach_copy is not implemented")


def _no_forward_derivative(tangents, inputs, results):
    raise NotImplementedError(
        "Trying to use forward AD with aten::detach_copy that does not support it."
    )


@op(
    grads=(_no_derivative,),
    jvp=_no_forward_derivative,
    node="torch::autograd::NotImplemented",
    method=False,
)
def detach_copy(self):
    """``torch.detach_copy``: a copy of the tensor's values (PyTorch records a node that has no
    derivative)."""
    return xp.array(self, order="C")


__all__ = [
    "TypedStorage",
    "UntypedStorage",
    "as_strided",
    "as_strided_",
    "as_strided_scatter",
    "empty_permuted",
    "from_file",
    "slice_inverse",
    "resize_as_",
    "empty_strided",
    "asarray",
    "frombuffer",
    "view_copy",
    "permute_copy",
    "transpose_copy",
    "t_copy",
    "expand_copy",
    "squeeze_copy",
    "unsqueeze_copy",
    "select_copy",
    "slice_copy",
    "split_copy",
    "split_with_sizes_copy",
    "unbind_copy",
    "diagonal_copy",
    "alias_copy",
    "detach_copy",
    "narrow_copy",
    "unfold_copy",
    "as_strided_copy",
    "view_as_real_copy",
    "view_as_complex_copy",
]


# --- storages: the memory a tensor views, as PyTorch's storage objects ---------------------------

# --- shared memory: what share_memory_ moves a storage into ---------------------------------------

_SHARED: dict = {}  # id(root array) -> (weakref to it, its memory file's descriptor or None)


def _register_shared(root, fd) -> None:
    """Remember ``root`` as shared memory whose file is ``fd`` (closed when ``root`` dies)."""
    key = id(root)

    def forget(_, key=key, fd=fd):
        _SHARED.pop(key, None)
        if fd is not None:
            os.close(fd)

    _SHARED[key] = (weakref.ref(root, forget), fd)


def shared_fd(a):
    """The descriptor of the memory file behind array ``a``'s storage, or None where its memory
    is not shared (or is shared without a file)."""
    entry = _SHARED.get(id(_root(a)))
    return None if entry is None else entry[1]


def _address(a) -> int:
    return a.__array_interface__["data"][0]


def _holders(root, known, tensor):
    """Every Tensor and storage whose array is ``root`` or a view of it: ``known`` where the
    caller knows them all, else found by asking the garbage collector what refers to ``root``,
    to the version counter views share (``tensor``'s, and those of each tensor found) and to
    each array found (NumPy's arrays are not tracked, so their views are found by the tensors
    that hold them)."""
    if known is not None:
        return known
    import gc

    found: dict = {}
    targets: list = [root] if tensor is None else [root, tensor._data, tensor._vc]
    seen = {id(t) for t in targets}
    while targets:
        for h in gc.get_referrers(*targets):
            if id(h) in found:
                continue
            if isinstance(h, UntypedStorage) and h._root is root:
                found[id(h)] = h
            elif isinstance(h, Tensor) and _root(h._data) is root:
                found[id(h)] = h
        targets = [
            t
            for h in found.values()
            if isinstance(h, Tensor)
            for t in (h._data, h._vc)
            if id(t) not in seen and not seen.add(id(t))
        ]
    return list(found.values())


def _references(tensor) -> int:
    """References to ``tensor``'s array and to the array owning its memory, counted (each
    count with this function's own)."""
    import sys

    a = tensor._data
    root = _root(a)
    return sys.getrefcount(root) + (0 if a is root else sys.getrefcount(a))


@functools.cache
def _sole_references(is_root: bool) -> int:
    """What ``_references`` counts for a tensor that alone holds its memory (as a view of it,
    unless ``is_root``): measured once, the count depending on the interpreter."""
    memory = xp.zeros(2)
    probe = _make(memory if is_root else memory[1:], False)
    del memory
    return _references(probe)


def _sole_holder(tensor) -> bool:
    """Whether nothing but ``tensor`` holds its array and the memory it views (the common case
    of a parameter: share_storage then needs no search).  The caller holds neither array."""
    return _references(tensor) <= _sole_references(tensor._data.base is None)


def share_storage(a, known=None, tensor=None):
    """Move the memory that array ``a`` views into shared memory (once), so that processes
    forked later and those it is sent to write to the same memory: a copy, every tensor and
    storage that viewed the old memory now viewing the copy at the same offsets (``known``:
    all of them, where the caller knows; ``tensor``: one of them).  Returns the new root."""
    root = _root(a)
    if id(root) in _SHARED:
        return root
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        raise NotImplementedError(
            "share_memory_: the memory of a tensor made by unfold or as_strided of a view "
            "cannot be moved into shared memory in retrograd; share the tensor it was made from"
        )
    memory, fd = _array_shared_memory(root.nbytes)
    flat = xp.frombuffer(memory, dtype=root.dtype, count=root.size)
    flat[...] = root.reshape(-1, order="A")
    _register_shared(flat, fd)
    start = _address(root)
    for h in _holders(root, known, tensor):
        if isinstance(h, UntypedStorage):
            h._root = flat
            continue
        old = h._data
        offset = _address(old) - start if old.size else 0
        h._data = xp.ndarray(old.shape, old.dtype, buffer=flat, offset=offset, strides=old.strides)
    return flat


class UntypedStorage:
    """``torch.UntypedStorage``: the bytes of the memory a tensor views (all of it, whatever
    part the tensor reads), shared by every view of it."""

    __slots__ = ("_root",)

    def __init__(self, root):
        self._root = root

    def _bytes(self):
        return self._root.reshape(-1, order="A").view(xp.uint8)

    def nbytes(self) -> int:
        return self._root.nbytes

    def size(self) -> int:
        return self._root.nbytes

    def __len__(self) -> int:
        return self.size()

    def element_size(self) -> int:
        return 1

    def data_ptr(self) -> int:
        return self._root.__array_interface__["data"][0]

    @property
    def device(self):
        return _device.device("cpu")

    def tolist(self) -> list:
        return self._bytes().tolist()

    def __getitem__(self, index):
        return self._bytes()[index].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def cpu(self):
        return self

    def type(self) -> str:
        return "torch.storage.UntypedStorage"

    def is_shared(self) -> bool:
        return id(self._root) in _SHARED

    def share_memory_(self):
        """Moves the memory into shared memory (``share_storage``), which every tensor viewing
        it then views."""
        share_storage(self._root)
        return self

    def untyped(self):
        return self

    def __repr__(self):
        values = "\n".join(f" {v}" for v in self.tolist())
        return f"{values}\n[torch.storage.UntypedStorage(device=cpu) of size {self.size()}]"


class TypedStorage(UntypedStorage):
    """``torch.TypedStorage`` (deprecated in PyTorch): the same memory counted in elements of
    one dtype."""

    __slots__ = ("dtype",)

    def __init__(self, root, dtype):
        super().__init__(root)
        self.dtype = dtype

    def _elements(self):
        return self._bytes().view(self.dtype.np)

    def size(self) -> int:
        return self._root.nbytes // self.dtype.itemsize

    def element_size(self) -> int:
        return self.dtype.itemsize

    def tolist(self) -> list:
        return self._elements().tolist()

    def __getitem__(self, index):
        return self._elements()[index].tolist()

    def type(self) -> str:
        return "torch." + self.dtype._tensor_name.replace("Tensor", "Storage")

    def untyped(self):
        return UntypedStorage(self._root)

    def __repr__(self):
        values = "\n".join(f" {v}" for v in self.tolist())
        shown = f"torch.storage.TypedStorage(dtype={self.dtype}, device=cpu)"
        return f"{values}\n[{shown} of size {self.size()}]"


UntypedStorage.__module__ = TypedStorage.__module__ = "torch.storage"  # (PyTorch's names)


_TYPED_STORAGE_DEPRECATED = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
    "only storage class. This should only matter to you if you are using storages directly.  To "
    "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()"
)


_warned = [False]


@tensor_method
def untyped_storage(self) -> UntypedStorage:
    """``Tensor.untyped_storage``: the bytes of the memory this tensor views."""
    return UntypedStorage(_root(self._data))


@tensor_method
def storage(self) -> TypedStorage:
    """``Tensor.storage``: the memory this tensor views, in elements of its dtype (with
    PyTorch's deprecation warning)."""
    if not _warned[0]:  # (once, as PyTorch)
        _warned[0] = True
        warnings.warn(_TYPED_STORAGE_DEPRECATED, UserWarning, stacklevel=2)
    return TypedStorage(_root(self._data), self.dtype)


def _legacy_storage(dtype) -> type:
    """``torch.FloatStorage`` and kin: the name of a typed storage of one dtype (constructing
    one is not offered: ``untyped_storage()`` is the storage)."""
    name = dtype._tensor_name[: -len("Tensor")] + "Storage"

    def __new__(cls, *args, **kwargs):
        raise NotImplementedError(
            f"torch.{name}: constructing a legacy typed storage is not supported; use "
            "Tensor.untyped_storage() or torch.UntypedStorage"
        )

    return type(name, (), {"__module__": "torch", "dtype": dtype, "__new__": __new__})


LEGACY_STORAGES = {d: _legacy_storage(d) for d in dtypes.ALL}


@tensor_method
def storage_type(self) -> type:
    """``Tensor.storage_type``: the legacy typed storage class of this tensor's dtype
    (``torch.FloatStorage``), with PyTorch's deprecation warning."""
    if not _warned[0]:  # (once, as PyTorch)
        _warned[0] = True
        warnings.warn(_TYPED_STORAGE_DEPRECATED, UserWarning, stacklevel=2)
    return LEGACY_STORAGES[self.dtype]


@tensor_method
def is_shared(self) -> bool:
    """``Tensor.is_shared``: whether ``share_memory_`` marked this tensor's memory (a view of
    it too)."""
    return id(_root(self._data)) in _SHARED


@tensor_method
def share_memory_(self):
    """``Tensor.share_memory_``: this tensor, its memory (all of its storage, which its views
    share) moved into memory that processes forked later, and those it is sent to through
    ``retrograd.multiprocessing``, read and write too."""
    share_storage(self._data, [self] if _sole_holder(self) else None, self)
    return self


@tensor_method
def const_data_ptr(self) -> int:
    """``Tensor.const_data_ptr``: ``data_ptr()``, the address of the first element (for reading)."""
    return self.data_ptr()


@tensor_method
def is_set_to(self, tensor) -> bool:
    """``Tensor.is_set_to``: whether both tensors view the same memory with the same sizes,
    strides and offset."""
    a, b = self._data, tensor._data
    return (
        _root(a) is _root(b)
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
    )


@tensor_method
def dim_order(self, *, ambiguity_check=False) -> tuple:
    """``Tensor.dim_order``: the dimensions from the outermost to the innermost in memory (by
    decreasing stride, ties in order); with ``ambiguity_check``, PyTorch's error where two
    dimensions could be in either order."""
    strides = self.stride()
    order = tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))
    if ambiguity_check is not False:
        if ambiguity_check is not True:
            raise NotImplementedError("dim_order(ambiguity_check=<memory formats>)")
        if len(set(strides)) != len(strides):
            raise RuntimeError(
                "The tensor does not have unique dim order, or cannot map to exact one of the "
                "given memory formats."
            )
    return order


@tensor_method
def as_subclass(self, cls):
    """``Tensor.as_subclass``: this tensor as an instance of ``cls`` (a Tensor subclass): the
    same memory, in the graph through an alias."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(
            "Creating a Tensor subclass from a class that does not inherit from Tensor is not "
            "possible. Make sure your class inherits from Tensor."
        )
    result = _indexing._alias(self, (Ellipsis,), False, _indexing._alias)
    result.__class__ = cls
    return result


@tensor_method
def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """``Tensor.set_``: this tensor made to view other memory: ``source``'s (a tensor: its
    sizes, strides and offset too), a storage's (from ``storage_offset``, with ``size`` and
    ``stride``, by default all of it as one dimension), or none (an empty tensor)."""
    _check_restride(self)
    if isinstance(source, Tensor) and source.requires_grad and _grad_state.enabled:
        raise NotImplementedError("set_ to a tensor that requires grad (which has no gradient)")
    if self._requires_grad and self._grad_fn is not None and _grad_state.enabled:
        raise NotImplementedError("set_ of a tensor in a graph")
    dtype = self._data.dtype
    if source is None:
        new = xp.zeros(0, dtype)
    elif isinstance(source, Tensor):
        if source._data.dtype != dtype:
            raise RuntimeError(
                f"Could not set tensor of type {dtypes.CPP_NAMES[source.dtype]} to a tensor of "
                f"type {dtypes.CPP_NAMES[self.dtype]}"
            )
        new = source._data
    elif isinstance(source, UntypedStorage):
        if isinstance(source, TypedStorage) and source.dtype.np != dtype:
            raise RuntimeError(
                f"Expected a Storage of type {dtypes.CPP_NAMES[self.dtype]} or an "
                f"UntypedStorage, but got type {dtypes.scalar_type_name(source.dtype)} for "
                "argument 1 'storage'"
            )
        root = source._root
        item = dtype.itemsize
        if size is None:
            size = ((root.nbytes // item) - storage_offset,)
        size = tuple(size)
        stride = contiguous_strides(size) if stride is None else tuple(stride)
        base = root.reshape(-1, order="A").view(xp.uint8)[: root.nbytes - root.nbytes % item]
        _check_geometry(base.view(dtype), size, stride, storage_offset)
        new = _strided(base.view(dtype), size, stride, storage_offset)
    else:
        raise TypeError(
            f"set_() received an invalid combination of arguments - got "
            f"({type(source).__name__}), but expected one of:\n * ()\n * (torch.Storage source)\n"
            " * (torch.Storage source, int storage_offset, tuple of ints size, tuple of ints "
            "stride)\n * (Tensor source)\n * (Tensor source, int storage_offset, tuple of ints "
            "size, tuple of ints stride)"
        )
    return _restride(self, _make(new), None)
