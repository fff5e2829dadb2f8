"""Ops that move elements without computing new values: views, reshapes, copies, dtype changes."""

from .. import _device, _meta, _switches, dtypes
from .._array import c_order, copy_in_order, kept_layout, kept_order, reshaped_view, xp
from .._out import check_out, write_out
from ..autograd.cuts import note as note_cut
from ..tensor import _ABSENT, Tensor, _is_index, _make, _wrap_dim, int_list
from . import arguments
from .indexing import index_select
from .reduction import dims_arg
from .registry import no_derivative, op, refresh_views, tensor_method


def _infer(shape, numel):
    """Resolve one -1 in ``shape``; PyTorch's error when the sizes cannot fit ``numel``."""
    shape = tuple(shape)
    known = 1
    free = None
    for i, s in enumerate(shape):
        if s == -1:
            if free is not None:
                raise RuntimeError("only one dimension can be inferred")
            free = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if free is not None:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
            )
        shape = shape[:free] + (numel // known,) + shape[free + 1 :]
    elif known != numel:
        raise RuntimeError(
            f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
        )
    return shape


def _view_array(a, shape):
    v = reshaped_view(a, _infer(shape, a.size))
    if v is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return v


def _reshaped_grad(g, shape):
    """The gradient of a reshape: ``g`` reshaped back; the view made directly where ``reshape``
    would make it (a contiguous gradient), without working the shape out again."""
    if type(g) is Tensor and g._data.flags.c_contiguous and _switches.batching is None:
        return view(g, shape)
    return reshape(g, shape)


@op(
    saves="self_shape",
    view=True,
    grads=(lambda g, n: _reshaped_grad(g, n.self_shape),),
    node="ViewBackward0",
)
def view(self, shape):
    """``Tensor.view``: the same data seen with another shape; never copies."""
    return _view_array(self, shape)


@op(
    saves="self_shape",
    node="UnsafeViewBackward0",
    method=False,
    grads=(lambda g, n: _reshaped_grad(g, n.self_shape),),
    jvp="linear",
)
def _unsafe_view(self, shape):
    """A reshape of a fresh result that no one else holds, so not a view (PyTorch's
    ``_unsafe_view``): the last step of a copying ``reshape`` and of a folded or batched
    ``matmul``."""
    return self.reshape(shape)


@op(
    saves="self_shape",
    view=True,
    grads=(lambda g, n: _reshaped_grad(g, n.self_shape),),
    node="ReshapeAliasBackward0",
    method=False,
)
def _reshape_alias(self, shape):
    """``reshape`` of a tensor that is not contiguous yet whose strides allow a view: the same
    view as ``view``, recorded under PyTorch's name for it."""
    return _view_array(self, shape)


def reshape(input, shape):
    """``torch.reshape``: a view when the strides allow it (ViewBackward0 for a contiguous input,
    ReshapeAliasBackward0 otherwise, as PyTorch records), else a contiguous copy reshaped
    (CloneBackward0, then UnsafeViewBackward0)."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(reshape, (input, shape), {})
        if batched is not NotImplemented:
            return batched
    shape = _infer(shape, input._data.size)
    if input._data.flags.c_contiguous:
        return view(input, shape)
    if reshaped_view(input._data, shape) is not None:
        return _reshape_alias(input, shape)
    return _unsafe_view(clone(input, _CONTIGUOUS), shape)


@op(saves="self_shape", grads=(lambda g, n: g.sum_to_size(n.self_shape),), view=True)
def expand(self, size):
    """``Tensor.expand``: size-1 dimensions repeated without copying (-1 keeps a size)."""
    size = tuple(size)
    lead = len(size) - self.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand({_type_name(self)}{{[{', '.join(map(str, self.shape))}]}}, "
            f"size=[{', '.join(map(str, size))}]): the number of sizes provided ({len(size)}) must "
            f"be greater or equal to the number of dimensions in the tensor ({self.ndim})"
        )
    target = []
    for i, s in enumerate(size):
        cur = self.shape[i - lead] if i >= lead else None
        if s == -1:
            if cur is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            s = cur
        elif cur is not None and cur != 1 and cur != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, size))}].  "
                f"Tensor sizes: [{', '.join(map(str, self.shape))}]"
            )
        target.append(s)
    if tuple(target[lead:]) == self.shape and all(s == 1 for s in target[:lead]):
        # Expanding nothing (size-1 dimensions in front at most) shares no element twice: a plain
        # view, which may be written, as PyTorch's may.
        if not lead:
            return self.view()
        out = self.reshape(tuple(target))
    else:
        out = xp.broadcast_to(self, tuple(target))
    if 1 in target:
        # NumPy gives every size-1 dimension stride 0; PyTorch keeps an unexpanded one's stride,
        # and gives a new one in front of size 1 the next dimension's extent, strides that later
        # layout decisions read (they move no element)
        strides = list(out.strides)
        for i in range(len(target) - 1, -1, -1):
            if target[i] == 1:
                j = i - lead
                if j >= 0:
                    strides[i] = self.strides[j]
                else:
                    strides[i] = target[i + 1] * strides[i + 1] if i + 1 < len(target) else 0
        if tuple(strides) != out.strides:
            out = xp.lib.stride_tricks.as_strided(
                out, strides=strides, writeable=out.flags.writeable
            )
    return out


def _type_name(a):
    return "torch." + dtypes.FROM_NP[a.dtype]._tensor_name


@op(
    saves="self_shape",
    grads=(lambda g, n: g.expand(n.self_shape),),
    node="SumBackward1",
    method=False,
)
def _sum_keeping_dims(self, size, lead):
    # (``size`` has ``self``'s number of dimensions; the first ``lead`` are summed whatever their
    # size, as PyTorch's sum_to does: new memory, which a view then drops)
    axes = tuple(range(lead)) + tuple(
        i for i in range(lead, self.ndim) if size[i] == 1 and self.shape[i] != 1
    )
    wide = xp.int64 if self.dtype.kind in "biu" else None  # (PyTorch sums integers in int64)
    return c_order(xp.add.reduce(self, axis=axes, keepdims=True, dtype=wide))


def sum_to_size(input, size):
    """``Tensor.sum_to_size``: sum broadcast dimensions away until the shape is ``size``.  As in
    PyTorch: ``input`` itself when it has that shape already, the sum of all to a 0-dim shape
    (also of a 0-dim input: a new tensor), and otherwise a sum keeping its dimensions, viewed
    without the leading ones (a view) when ``size`` has fewer."""
    size = tuple(size)
    shape = input._data.shape
    if size == shape and size:
        return input
    if not _expandable(size, shape):
        raise RuntimeError(
            f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
            f"{{[{', '.join(map(str, shape))}]}}."
        )
    if not size:
        return input.sum()  # (SumBackward0, as PyTorch's sum to a 0-dim shape)
    lead = len(shape) - len(size)
    out = _sum_keeping_dims(input, (1,) * lead + size, lead)
    return view(out, size) if lead else out


def _expandable(small, big):
    if len(small) > len(big):
        return False
    if small == big[len(big) - len(small) :]:  # (a bias's gradient: no size-1 dimension)
        return True
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


@op(view=True, grads=(lambda g, n: g.transpose(n.dim0, n.dim1),))
def transpose(self, dim0, dim1):
    """``torch.transpose``: a view with two dimensions swapped."""
    d0, d1 = _wrap_dim(dim0, self.ndim), _wrap_dim(dim1, self.ndim)
    return xp.swapaxes(self, d0, d1) if self.ndim else self.view()  # 0-dim: NumPy has no axis 0


def _check_t(a):
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")


@op(view=True, grads=(lambda g, n: g.t(),), node="TBackward0", check=_check_t)
def t(self):
    """``torch.t``: the transpose of a matrix (vectors and scalars unchanged)."""
    return self.T


def _inverse_permutation(dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def _check_permute(a, dims):
    if len(dims) != a.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{a.ndim} is not equal to len(dims) = {len(dims)}"
        )
    wrapped = [_wrap_dim(d, a.ndim) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")


@op(
    view=True,
    grads=(
        lambda g, n: g.permute(_inverse_permutation([_wrap_dim(d, len(n.dims)) for d in n.dims])),
    ),
    check=_check_permute,
)
def permute(self, dims):
    """``torch.permute``: a view with the dimensions reordered."""
    return xp.transpose(self, [_wrap_dim(d, self.ndim) for d in dims])


@op(view=True, grads=(lambda g, n: g.squeeze(n.dim),))
def unsqueeze(self, dim):
    """``torch.unsqueeze``: a view with a size-1 dimension inserted at ``dim``."""
    d = _wrap_dim(dim, self.ndim + 1)
    shape = self.shape
    # (what xp.expand_dims does, without its argument parsing)
    out = self.reshape(shape[:d] + (1,) + shape[d:])
    # PyTorch's stride for the new dimension: the extent of the one it goes before, or 1 element
    # at the end (NumPy gives the last stride there); a layout decision may read it
    stride = shape[d] * self.strides[d] if d < len(shape) else self.itemsize
    if out.strides[d] == stride:
        return out
    strides = out.strides[:d] + (stride,) + out.strides[d + 1 :]
    return xp.lib.stride_tricks.as_strided(out, strides=strides, writeable=out.flags.writeable)


def _squeeze_forward(self, dim):
    if dim is None:
        return xp.squeeze(self)
    if not isinstance(dim, (tuple, list)):
        dims = (_wrap_dim(dim, self.ndim),)
    elif dim:  # no dims: nothing squeezed (dims_arg would read it as all of them)
        dims = dims_arg(dim, self.ndim)
    else:
        return self.view()
    if not self.ndim:  # 0-dim: dim 0 or -1 names the tensor itself, NumPy has no axis for it
        return self.view()
    axes = tuple(d for d in dims if self.shape[d] == 1)
    return xp.squeeze(self, axis=axes) if axes else self.view()


def _squeeze_op(name, node):
    # One forward, three node names: PyTorch names squeeze(), squeeze(int) and squeeze(tuple) apart.
    return op(
        name,
        saves="self_shape",
        view=True,
        node=node,
        method=False,
        grads=(_unsqueezed_grad,),
    )(_squeeze_forward)


def _unsqueezed_grad(g, n):
    """The gradient of a squeeze: ``g`` with the squeezed size-1 dimensions put back one by one,
    first to last (a view each), or ``g`` itself where none was squeezed, as PyTorch's."""
    shape, dim = n.self_shape, n.dim
    if dim is None:
        dims = range(len(shape))
    elif isinstance(dim, (tuple, list)):
        dims = sorted({_wrap_dim(d, len(shape)) for d in dim}) if shape else ()
    else:
        dims = (_wrap_dim(dim, len(shape)),) if shape else ()
    for d in dims:
        if shape[d] == 1:
            g = g.unsqueeze(d)
    return g


_squeeze_all = _squeeze_op("_squeeze", "SqueezeBackward0")
_squeeze_dim = _squeeze_op("_squeeze_dim", "SqueezeBackward1")
_squeeze_dims = _squeeze_op("_squeeze_dims", "SqueezeBackward2")


@tensor_method
def squeeze(input, dim=None):
    """``torch.squeeze``: size-1 dimensions removed (all, or those named by ``dim``)."""
    if dim is None:
        return _squeeze_all(input, None)
    if isinstance(dim, (tuple, list)):
        return _squeeze_dims(input, tuple(dim))
    return _squeeze_dim(input, dim)


@tensor_method
def flatten(input, start_dim=0, end_dim=-1):
    """``torch.flatten``: dimensions start_dim..end_dim merged into one."""
    nd = input.ndim
    if nd == 0:
        return input.reshape(1)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return input.reshape(shape[:s] + (-1,) + shape[e + 1 :])


def _check_clone(a, memory_format=None):
    _device.check_memory_format(memory_format)
    _device.memory_order(memory_format, a.ndim)


@op(grads=(lambda g, n: g,), jvp="linear", check=_check_clone)
def clone(self, memory_format=None):
    """``torch.clone``: a copy that stays in the graph, with the input's layout (PyTorch's
    preserve_format) unless ``memory_format`` asks for another (contiguous, channels last)."""
    if memory_format is _CONTIGUOUS:
        return self.copy(order="C")
    order = _device.memory_order(memory_format, self.ndim)
    if order is not None:
        return copy_in_order(self, order)
    return kept_layout(self.copy(order=kept_order(self)), self)


_CONTIGUOUS = _device.contiguous_format  # (clone's memory_format for the copies made here)
_PRESERVE = _device.preserve_format


@tensor_method
def contiguous(input, memory_format=None):
    """``Tensor.contiguous``: the tensor itself when laid out as ``memory_format`` asks (row
    major by default; channels last), else a copy laid out so."""
    _device.check_memory_format(memory_format)
    if memory_format is None or memory_format is _CONTIGUOUS or memory_format is _PRESERVE:
        return input if input._data.flags.c_contiguous else clone(input, _CONTIGUOUS)
    _device.memory_order(memory_format, input.ndim)  # (PyTorch's error for another rank)
    return input if input.is_contiguous(memory_format) else clone(input, memory_format)


def _to_copy_grad(g, n):
    dtype = n.self_dtype
    if g._data.dtype.kind == "c" and not dtype.is_complex:
        g = g.real  # a real tensor made complex: its gradient is the real part (PyTorch's)
    return g.to(dtype)


@op(saves="self_dtype", grads=(_to_copy_grad,), node="ToCopyBackward0")
def _to_copy(self, dtype, memory_format=None):
    with xp.errstate(invalid="ignore", over="ignore"):  # nan/overflow -> int wraps silently
        # PyTorch keeps the layout of a dense input (a transposed one stays transposed) and
        # makes an expanded one contiguous, unless a memory format asks for another.
        cast = kept_layout(dtypes.cast(self, dtype.np, kept_order(self)), self)
    order = _device.memory_order(memory_format, self.ndim)
    return cast if order is None else copy_in_order(cast, order)


_TO_SIGNATURES = (
    "to() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy "
    "= False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, torch.memory_format "
    "memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format "
    "memory_format = None)\n"
)
_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy", "memory_format", "tensor")


def _to_arguments(args, kwargs):
    """``Tensor.to``'s three forms, (device, dtype, ...), (dtype, ...) and (tensor, ...), read as
    PyTorch reads them: the dtype asked for, and whether a copy is asked for.  A device other than
    the CPU raises the CPU-only build's error."""
    bad = [k for k in kwargs if k not in _TO_KEYWORDS]
    first = args[0] if args else None
    if isinstance(first, dtypes.dtype) or first.__class__ is type:
        names, first = ("dtype", "non_blocking", "copy"), dtypes.as_dtype(first)
    elif isinstance(first, Tensor):
        names = ("tensor", "non_blocking", "copy")
    else:
        names = ("device", "dtype", "non_blocking", "copy")
    given = dict(zip(names, (first,) + args[1:])) if args else {}
    ok = (
        not bad
        and len(args) <= len(names)
        and not set(given) & set(kwargs)
        and isinstance(given.get("dtype", kwargs.get("dtype")), (dtypes.dtype, type(None), type))
        and isinstance(given.get("non_blocking", False), bool)
        and isinstance(given.get("copy", False), bool)
    )
    if not ok:
        got = [_device.argument_type(a) for a in args]
        got += [f"{k}={_device.argument_type(v)}" for k, v in kwargs.items()]
        raise TypeError(_TO_SIGNATURES.format(", ".join(got) + (", " if kwargs else "")))
    given.update(kwargs)
    _device.check(given.get("device"))
    memory_format = given.get("memory_format")
    _device.check_memory_format(memory_format)
    dtype = given.get("dtype")
    if given.get("tensor") is not None:
        dtype = given["tensor"].dtype
    elif dtype.__class__ is type:
        dtype = dtypes.as_dtype(dtype)
    return dtype, given.get("copy", False), memory_format


@tensor_method
def to(input, *args, **kwargs):
    """``Tensor.to``: another dtype; the device must be the CPU (PyTorch's CPU-only build)."""
    if input.__class__ is not Tensor and input.is_sparse:  # (.float() and kin come here too)
        return input.to(*args, **kwargs)
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(to, (input, *args), kwargs)
        if batched is not NotImplemented:
            return batched
    if not kwargs and len(args) == 1 and args[0].__class__ is dtypes.dtype:
        # .float(), .to(torch.float64): the common call, parsed fast
        dtype, copy, memory_format = args[0], False, None
    else:
        first = args[0] if args else None
        if _meta.on_meta(kwargs.get("device", first)):  # the meta device: a shape, no values
            rest = {k: v for k, v in kwargs.items() if k != "device"}
            dtype, _, _ = _to_arguments(args[1:] if "device" not in kwargs else args, rest)
            np_dtype = input.dtype.np if dtype is None else dtype.np
            return _meta.meta_tensor(input.shape, np_dtype, input.requires_grad)
        dtype, copy, memory_format = _to_arguments(args, kwargs)
    if dtype is None or dtype.np == input._data.dtype:
        if memory_format is None or memory_format is _PRESERVE:
            return clone(input) if copy else input
        if not copy and input.is_contiguous(memory_format):
            return input
        dtype = input.dtype
    if dtype.category < 2 and input._requires_grad:  # integer results are outside the graph
        out = _to_copy(_make(input._data), dtype, memory_format)
        note_cut(out, (input,), f"to({dtype})")
        return out
    return _to_copy(input, dtype, memory_format)


# --- repeating and reversing -------------------------------------------------------------------


def _check_repeat(a, repeats):
    if len(repeats) < a.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of "
            "dimensions of tensor"
        )
    shape = (1,) * (len(repeats) - a.ndim) + a.shape
    if any(r < 0 for r in repeats):
        sizes = [r * s for r, s in zip(repeats, shape)]
        bad = next(n for n in sizes if n < 0)
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {bad}: [{', '.join(map(str, sizes))}]"
        )


def _repeat_grad(g, n):
    shape, reps = n.self_shape, n.repeats
    if not reps:
        return g
    lead = len(reps) - len(shape)
    padded = (1,) * lead + tuple(shape)
    # Output dim i holds reps[i] copies of a block of padded[i]: split it in two and sum the copies
    # (and the leading blocks of size 1 away with them: the sum is the gradient, not a view of it).
    split = [k for pair in zip(reps, padded) for k in pair]
    dims = tuple(range(2 * lead)) + tuple(range(2 * lead, 2 * len(reps), 2))
    return g.reshape(split).sum(dims)


@op(saves="self_shape", grads=(_repeat_grad,), check=_check_repeat)
def repeat(self, repeats):
    """``Tensor.repeat``: the tensor tiled ``repeats[i]`` times along each dimension."""
    return xp.tile(self, tuple(repeats))


def _flip_axes(ndim, dims):
    if ndim == 0 or not dims:
        for d in dims:
            _wrap_dim(d, ndim)
        return ()
    return dims_arg(tuple(dims), ndim)


@op(grads=(lambda g, n: g.flip(n.dims),))
def flip(self, dims):
    """``torch.flip``: the elements in reverse order along ``dims`` (a copy, as in PyTorch)."""
    axes = _flip_axes(self.ndim, dims)
    flipped = xp.flip(self, axes) if axes else self
    return kept_layout(flipped.copy(order=kept_order(self)), self)


# --- one tensor into several: split, chunk, unbind ----------------------------------------------


def _zeros(shape, dtype):
    return _make(xp.zeros(shape, dtype.np))


def _fill_missing(grads, shapes, dtype):
    """The outputs' gradients, zeros for those that got none (unused outputs of split, unbind)."""
    n = len(grads)
    return [
        grads[i] if i < n and grads[i] is not None else _zeros(shape, dtype)
        for i, shape in enumerate(shapes)
    ]


def _split_sizes(size, split_size):
    if split_size < 0:
        raise RuntimeError(
            f"split expects split_size be non-negative, but got split_size={split_size}"
        )
    if split_size == 0:
        if size != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
            )
        return [0]
    count = max(1, -(-size // split_size))
    return [split_size] * (count - 1) + [size - split_size * (count - 1)]


def _check_sizes(size, sizes, dim):
    if sum(sizes) != size or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
            f"dimension {dim}), but got split_sizes=[{', '.join(map(str, sizes))}]"
        )
    return list(sizes)


def _split_arrays(a, sizes, d):
    bounds = []
    at = 0
    for s in sizes[:-1]:
        at += s
        bounds.append(at)
    return tuple(xp.split(a, bounds, axis=d))


def _split_grad(sizes_of):
    def formula(grads, n):
        shape = n.self_shape
        d = _wrap_dim(n.dim, len(shape))
        sizes = sizes_of(shape[d], n)
        shapes = [shape[:d] + (s,) + shape[d + 1 :] for s in sizes]
        return cat(_fill_missing(grads, shapes, n.self_dtype), d)

    return formula


@op(
    "split",
    saves="self_shape self_dtype",
    outputs=None,
    view=True,
    method=False,
    grads=(_split_grad(lambda size, n: _split_sizes(size, n.split_size)),),
)
def _split(self, split_size, dim):
    d = _wrap_dim(dim, self.ndim)
    return _split_arrays(self, _split_sizes(self.shape[d], split_size), d)


@op(
    "split_with_sizes",
    saves="self_shape self_dtype",
    outputs=None,
    view=True,
    method=False,
    grads=(_split_grad(lambda size, n: list(n.split_sizes)),),
)
def _split_with_sizes(self, split_sizes, dim):
    d = _wrap_dim(dim, self.ndim)
    return _split_arrays(self, _check_sizes(self.shape[d], split_sizes, d), d)


def split(tensor, split_size_or_sections, dim=0):
    """``torch.split``: views of equal chunks of ``split_size`` (the last smaller), or of the
    given sizes, along ``dim``.  As PyTorch's, an int (or a one-element tensor) goes to the
    ``split`` op and anything else to ``split_with_sizes``, each given every argument by
    position and checking its kinds (PyTorch's TypeErrors name that op)."""
    if isinstance(split_size_or_sections, Tensor):
        try:
            split_size_or_sections = int(split_size_or_sections)
        except ValueError:
            pass
    if isinstance(split_size_or_sections, int):
        return _split(tensor, split_size_or_sections, dim)
    return _split_with_sizes(tensor, split_size_or_sections, dim)


@tensor_method(name="split")
def _split_method(self, split_size, dim=0):
    """``Tensor.split``: ``torch.split`` with PyTorch's method keyword, ``split_size``."""
    return split(self, split_size, dim)


@tensor_method
def chunk(input, chunks, dim=0):
    """``torch.chunk``: at most ``chunks`` views of equal size (the last smaller) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[_wrap_dim(dim, input.ndim)]
    if size == 0:
        return _split_with_sizes(input, [0] * chunks, dim)
    return _split(input, -(-size // chunks), dim)


def _check_unbind(a, dim=0):
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")


def _unbind_grad(grads, n):
    shape = n.self_shape
    d = _wrap_dim(n.dim, len(shape))
    part = shape[:d] + shape[d + 1 :]
    return stack(_fill_missing(grads, [part] * shape[d], n.self_dtype), d)


@op(
    saves="self_shape self_dtype",
    outputs=None,
    view=True,
    grads=(_unbind_grad,),
    check=_check_unbind,
)
def unbind(self, dim=0):
    """``torch.unbind``: the slices along ``dim``, as views, with that dimension removed."""
    moved = xp.moveaxis(self, _wrap_dim(dim, self.ndim), 0)
    return tuple(moved[i, ...] for i in range(moved.shape[0]))  # 0-dim views, not scalar copies


# --- several tensors into one: cat, stack -------------------------------------------------------


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def _cast_back(parts, dtypes_):
    return [p if dt is None else p.to(dt) for p, dt in zip(parts, dtypes_)]


def _cat_grad(g, n):
    # each part a view of its own (narrow, as PyTorch's), not one of split's several views: an
    # in-place write into one is allowed
    out, start, dim = [], 0, n.dim
    for s in n.sizes:
        if s is None:
            out.append(_zeros((0,), g.dtype))
        else:
            out.append(g.narrow(dim, start, s))
            start += s
    return _cast_back(out, n.in_dtypes)


@op("cat", inputs="tensors", grads=(_cat_grad,), method=False)
def _cat(tensors, dim, sizes, in_dtypes, dtype):
    return c_order(
        xp.concatenate(
            [a for a, s in zip(tensors, sizes) if s is not None], axis=dim, dtype=dtype.np
        )
    )


def _out_dtypes(tensors):
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = dtypes.promote_types(target, t.dtype)
    return target, [None if t.dtype is target else t.dtype for t in tensors]


def cat(tensors, dim=0, *, out=None):
    """``torch.cat``: tensors joined along an existing dimension."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(cat, (tensors, dim), {"out": out} if out is not None else {})
        if batched is not NotImplemented:
            return batched
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not t.ndim:  # (before the dim is read: a 0-d tensor has no dim to join along)
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # PyTorch still skips 1-D empty tensors whatever the others' shapes (legacy behaviour).
    skipped = [t.ndim == 1 and t.shape[0] == 0 for t in tensors]
    if all(skipped):  # only such tensors: joined along their one dim, whatever ``dim`` says
        skipped = [False] * len(tensors)
        ref = tensors[0]
        d = 0
    else:
        ref = tensors[skipped.index(False)]
        try:
            d = _wrap_dim(dim, ref.ndim)
        except IndexError:
            refresh_views(tensors)  # (PyTorch's view errors come first)
            raise
    for i, t in enumerate(tensors):
        if skipped[i]:
            continue
        if t.ndim != ref.ndim:
            refresh_views(tensors)
            raise RuntimeError(
                f"Number of dimensions of tensors must match.  Expected {ref.ndim}-D tensors, "
                f"but got {t.ndim}-D for tensor number {i} in the list"
                if _on_meta(ref)
                else f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                refresh_views(tensors)  # (PyTorch's view errors come first)
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected "
                    + (
                        f"{ref.shape[k]} in dimension {k} but got {t.shape[k]} for tensor number "
                        f"{i} in the list"
                        if _on_meta(ref)
                        else f"size {ref.shape[k]} but got size {t.shape[k]} for tensor number "
                        f"{i} in the list."
                    )
                )
    sizes = [None if skip else t.shape[d] for t, skip in zip(tensors, skipped)]
    target, in_dtypes = _out_dtypes(tensors)
    if type(ref) is not Tensor and ref.is_meta:
        shape = list(ref.shape)
        shape[d] = sum(n for n in sizes if n is not None)
        return _meta.joined(tensors, shape, target)
    if out is not None:
        check_out("cat", out, tensors)
    result = _cat(list(tensors), d, sizes, in_dtypes, target)
    return result if out is None else write_out("cat", result, out, tensors, _cat_cast(out))


def _on_meta(t):
    """Whether ``t`` is a meta tensor (whose errors PyTorch's meta kernels word their own way)."""
    return type(t) is not Tensor and t.is_meta


def _cat_cast(out):
    return TypeError(
        "torch.cat(): input types can't be cast to the desired output type "
        f"{dtypes.scalar_type_name(out.dtype)}"
    )


def _stack_grad(g, n):
    # each part a view of its own (select, as PyTorch's), not one of unbind's several views: an
    # in-place write into one is allowed
    return _cast_back([g.select(n.dim, i) for i in range(len(n.in_dtypes))], n.in_dtypes)


@op("stack", inputs="tensors", grads=(_stack_grad,), method=False)
def _stack(tensors, dim, in_dtypes, dtype):
    return c_order(xp.stack(tensors, axis=dim, dtype=dtype.np))


def stack(tensors, dim=0, *, out=None):
    """``torch.stack``: tensors of one shape joined along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != first:
            refresh_views(tensors)  # (PyTorch's view errors come first)
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got [{', '.join(map(str, first))}] "
                f"at entry 0 and [{', '.join(map(str, t.shape))}] at entry {i}"
            )
    try:
        d = _wrap_dim(dim, len(first) + 1)
    except IndexError:
        refresh_views(tensors)  # (PyTorch's view errors come first)
        raise
    target, in_dtypes = _out_dtypes(tensors)
    if type(tensors[0]) is not Tensor and tensors[0].is_meta:
        return _meta.joined(tensors, (*first[:d], len(tensors), *first[d:]), target)
    if out is not None:
        check_out("stack", out, tensors)
    result = _stack(list(tensors), d, in_dtypes, target)
    return result if out is None else write_out("stack", result, out, tensors, _cat_cast(out))


def _roll_back(g, n):
    shifts = n.shifts if isinstance(n.shifts, (tuple, list)) else (n.shifts,)
    return roll(g, tuple(-k for k in shifts), n.dims)


def _check_roll(a, shifts, dims):
    if dims is None or dims == ():
        return
    for d in dims if isinstance(dims, tuple) else (dims,):
        if not a.ndim:
            raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
        _wrap_dim(d, a.ndim)


@op(grads=(_roll_back,), method=False, node="RollBackward0", check=_check_roll)
def _roll(self, shifts, dims):
    if dims is None or dims == ():  # rolled as one flat vector, shape kept
        return xp.roll(self.reshape(-1), shifts).reshape(self.shape)
    return c_order(xp.roll(self, shifts, axis=dims))


@tensor_method
def roll(input, shifts, dims=None):
    """``torch.roll``: elements shifted along ``dims`` (the flattened tensor when none), wrapping
    around."""
    if (
        isinstance(dims, (tuple, list))
        and isinstance(shifts, (tuple, list))
        and len(dims) != len(shifts)
    ):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    return _roll(
        input,
        tuple(shifts) if isinstance(shifts, list) else shifts,
        tuple(dims) if isinstance(dims, list) else dims,
    )


@tensor_method
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """``torch.repeat_interleave``: each element (or slice along ``dim``) repeated in place."""
    if repeats is None:  # repeat_interleave(counts): each index, counts[i] times
        return _make(xp.repeat(xp.arange(input.numel()), input._data.reshape(-1)))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = _wrap_dim(dim, input.ndim)
    if isinstance(repeats, int):
        if output_size is not None and output_size != input.shape[d] * repeats:
            raise RuntimeError(
                f"repeat_interleave: Invalid output_size, expected "
                f"{input.shape[d] * repeats} but got {output_size}"
            )
        # as PyTorch: a new axis expanded, copied, and folded in (a ViewBackward0 node)
        shape = input.shape
        out = clone(expand(unsqueeze(input, d + 1), shape[: d + 1] + (repeats,) + shape[d + 1 :]))
        return view(out, shape[:d] + (shape[d] * repeats,) + shape[d + 1 :])
    counts = repeats._data.reshape(-1)
    idx = xp.repeat(xp.arange(input.shape[d]), counts)
    if output_size is not None and output_size != idx.size:
        raise RuntimeError("allocated size does not match required size")
    return index_select(input, d, _make(idx))


concat = concatenate = cat


# --- sliding windows ---------------------------------------------------------------------------


def _window_positions(n_windows, size, step):
    """The position along the dimension of element j of window i: i * step + j."""
    return (xp.arange(n_windows) * step)[:, None] + xp.arange(size)[None, :]


@op(
    inputs="grad",
    method=False,
    node="UnfoldBackwardBackward0",
    grads=(lambda g, n: unfold(g, n.dim, n.size, n.step),),
)
def _unfold_backward(grad, input_shape, dim, size, step):
    """The adjoint of ``unfold``: each window's gradient added back where the window read."""
    out = xp.zeros(input_shape, grad.dtype)
    if not input_shape:
        out[()] = grad.sum()
        return out
    dim = _wrap_dim(dim, len(input_shape))
    moved = xp.moveaxis(grad, (dim, grad.ndim - 1), (0, 1))  # windows, size, rest...
    positions = _window_positions(grad.shape[dim], size, step)
    xp.add.at(xp.moveaxis(out, dim, 0), positions, moved)
    return out


def _check_unfold(a, dim, size, step):
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")


@op(
    saves="self_shape",
    view=True,
    check=_check_unfold,
    node="UnfoldBackward0",
    grads=(lambda g, n: _unfold_backward(g, n.self_shape, n.dimension, n.size, n.step),),
)
def unfold(self, dimension, size, step):
    """``Tensor.unfold``: every window of ``size`` elements along ``dimension``, ``step`` apart,
    as a new last dimension (a view)."""
    if self.ndim == 0:
        return self.reshape(1)
    d = _wrap_dim(dimension, self.ndim)
    n_windows = (self.shape[d] - size) // step + 1
    shape = self.shape[:d] + (n_windows,) + self.shape[d + 1 :] + (size,)
    strides = self.strides[:d] + (self.strides[d] * step,) + self.strides[d + 1 :]
    strides += (self.strides[d],)
    return xp.lib.stride_tricks.as_strided(self, shape, strides)


# --- quarter turns and block-diagonal matrices ---------------------------------------------


def _check_rot90(a, k, dims):
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if a.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {a.ndim}")
    d0, d1 = (_wrap_dim(d, a.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )


@op(
    grads=(lambda g, n: rot90(g, -n.k, n.dims),),
    check=_check_rot90,
    node="Rot90Backward0",
    method=False,
)
def _rot90(self, k, dims):
    d0, d1 = (_wrap_dim(d, self.ndim) for d in dims)
    k %= 4
    if k == 0:
        return self.copy()
    if k == 2:
        return c_order(xp.flip(self, (d0, d1)))
    # a quarter turn: one flip into new memory, then a transposed view of it (PyTorch's layout)
    flipped = c_order(xp.flip(self, d1 if k == 1 else d0))
    return xp.swapaxes(flipped, d0, d1)


@tensor_method
def rot90(input, k: int = 1, dims=(0, 1)):
    """``torch.rot90``: ``k`` quarter turns in the plane of ``dims``, from the first towards the
    second."""
    return _rot90(input, k, tuple(dims))


def _block_diag_grad(g, n):
    parts, r, c = [], 0, 0
    for shape, dtype in zip(n.shapes, n.in_dtypes):
        rows, cols = (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape
        part = g[r : r + rows, c : c + cols].reshape(shape)
        parts.append(part if dtype is None else part.to(dtype))
        r, c = r + rows, c + cols
    return parts


@op(inputs="tensors", grads=(_block_diag_grad,), node="BlockDiagBackward0", method=False)
def _block_diag(tensors, shapes, in_dtypes, dtype):
    mats = [a.reshape(1, -1) if a.ndim < 2 else a for a in tensors]
    out = xp.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dtype.np)
    r = c = 0
    for m in mats:
        out[r : r + m.shape[0], c : c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


_chunk_cat_no_derivative, _chunk_cat_no_forward_ad = no_derivative("_chunk_cat")


@op(
    "_chunk_cat",
    inputs="tensors",
    grads=(_chunk_cat_no_derivative,),
    jvp=_chunk_cat_no_forward_ad,
    node="torch::autograd::NotImplemented",
    method=False,
)
def _chunk_cat_arrays(tensors, dim, num_chunks):
    rows = []
    for a in tensors:
        missing = -a.shape[dim] % num_chunks
        if missing:  # zeros after the last chunk's values
            pads = [(0, 0)] * a.ndim
            pads[dim] = (0, missing)
            a = xp.pad(a, pads)
        rows.append(a.reshape(a.shape[:dim] + (num_chunks, -1)))
    return xp.concatenate(rows, -1)


def _chunk_cat(tensors, dim: int, num_chunks: int) -> Tensor:
    """``torch._chunk_cat``: each tensor cut into ``num_chunks`` equal chunks along ``dim``
    (zeros padding the last), each chunk flattened over ``dim`` and the dimensions after it, and
    the chunks of every tensor side by side: [*sizes before dim, num_chunks, total].  PyTorch
    gives it no derivative."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("_chunk_cat expects a non-empty input tensor list")
    if num_chunks < 1:
        raise RuntimeError("_chunk_cat expects positive num_chunks")
    d = _wrap_dim(dim, tensors[0].ndim)
    for t in tensors:
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("_chunk_cat expects all input tensors with the same dtype")
        if t.ndim <= d or tuple(t.shape[:d]) != tuple(tensors[0].shape[:d]):
            raise RuntimeError(
                "_chunk_cat expects same sizes of 0,...,dim-1 dimensions for all tensors"
            )
    return _chunk_cat_arrays(tensors, d, num_chunks)


def block_diag(*tensors):
    """``torch.block_diag``: the tensors (0-, 1- or 2-dimensional) along the diagonal of one
    matrix, zeros elsewhere."""
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t.ndim} dimensions"
            )
    if not tensors:
        return _make(xp.zeros((1, 0), dtypes.get_default_dtype().np))
    target, in_dtypes = _out_dtypes(tensors)
    return _block_diag(list(tensors), tuple(tuple(t.shape) for t in tensors), in_dtypes, target)


__all__ = [
    "cat",
    "rot90",
    "block_diag",
    "roll",
    "repeat_interleave",
    "chunk",
    "clone",
    "concat",
    "concatenate",
    "contiguous",
    "expand",
    "flatten",
    "flip",
    "permute",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "sum_to_size",
    "t",
    "to",
    "transpose",
    "unbind",
    "unsqueeze",
    "view",
]


def _varargs_sizes(fn, shown, *, also=()):
    """``fn``'s Tensor method, which takes its sizes one by one as well as in one sequence or by
    the keyword ``shown``: ``x.permute(1, 0)``, ``x.permute((1, 0))``, ``x.permute(dims=[1, 0])``
    (``also``: keywords PyTorch takes that change nothing here)."""
    name = fn.__name__

    def method(self, *args, **kwargs):
        keyword = kwargs.pop(shown, _ABSENT) if kwargs else _ABSENT
        if not args and keyword is _ABSENT:
            raise TypeError(f'{name}() missing 1 required positional arguments: "{shown}"')
        for key in kwargs:
            if key not in also:
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
        return fn(self, int_list(name, shown, args, keyword))

    method.__name__ = name
    method.__doc__ = fn.__doc__
    return method


for _fn, _shown in (
    (reshape, "shape"),
    (permute, "dims"),
    (repeat, "repeats"),
    (flip, "dims"),
    (sum_to_size, "size"),
):
    tensor_method(_varargs_sizes(_fn, _shown), name=_fn.__name__)
tensor_method(_varargs_sizes(expand, "size", also=("implicit",)), name="expand")


def _as_tuple(size):
    return size if size.__class__ is tuple else (size,) if size.__class__ is int else tuple(size)


def _packed(fn, name, sizes):
    """The Tensor method of ``fn``, a function of several signatures one of which takes a
    tuple of ints alone (``view(dtype)`` or ``view(size)``): sizes given one by one, the first
    an int, are that tuple (``x.view(2, 3)``), as PyTorch's parser reads them; the signatures
    are then tried as for any function of several (see arguments).  A call of ints alone, or
    of one tuple of them, goes straight to ``sizes(self, the int, tuple or ints)``."""
    checked = arguments.checked(fn, name, as_method=True)

    def method(self, *args, **kwargs):
        if args and not kwargs:
            items = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
            if all(n.__class__ is int for n in items):
                return sizes(self, args[0] if len(args) == 1 else args)
        if len(args) > 1 and _is_index(args[0]):
            args = (args,)
        return checked(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = fn.__doc__
    return method


def _view(self, size=None, dtype=None):
    """``Tensor.view``: the same data seen with another shape (``size``), or with its bytes read
    as another dtype."""
    if dtype is None and (isinstance(size, dtypes.dtype) or size.__class__ is type):
        dtype = size  # (given by position)
    if dtype is not None:
        return _view_as_dtype(self, dtypes.as_dtype(dtype))
    return view(self, int_list("view", "size", (size,)))


def _view_as_dtype(self, dtype):
    """``x.view(dtype)``: the same bytes read as ``dtype``; outside the graph, as in PyTorch,
    and sharing ``x``'s version counter.  Another element size rescales the last dimension,
    which must then be contiguous."""
    a = self._data
    old, new = a.dtype.itemsize, dtype.np.itemsize
    if old != new:
        about = (
            f"to view {dtypes.scalar_type_name(self.dtype)} as "
            f"{dtypes.scalar_type_name(dtype)} (different element sizes)"
        )
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {about}")
        strides = self.stride()
        if strides[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {about}, but got {strides[-1]}")
        if new > old:
            ratio = new // old
            if a.shape[-1] % ratio:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {ratio} {about}, but got {a.shape[-1]}"
                )
            offset = self.storage_offset()
            if offset % ratio:
                raise RuntimeError(
                    f"self.storage_offset() must be divisible by {ratio} {about}, but got {offset}"
                )
            for d, st in enumerate(strides[:-1]):
                if st % ratio:
                    raise RuntimeError(
                        f"self.stride({d}) must be divisible by {ratio} {about}, but got {st}"
                    )
    out = self.detach()
    out._data = a.view(dtype.np)
    return out


_view.__name__ = "view"
tensor_method(_packed(_view, "view", lambda x, size: view(x, _as_tuple(size))), name="view")
tensor_method(_packed(squeeze, "squeeze", squeeze), name="squeeze")
tensor_method(lambda self, other: expand(self, other._data.shape), name="expand_as")
tensor_method(lambda self, other: view(self, other._data.shape), name="view_as")
tensor_method(lambda self, other: reshape(self, other._data.shape), name="reshape_as")
