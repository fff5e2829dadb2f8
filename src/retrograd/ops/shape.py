"""Ops that move elements without computing new values: views, reshapes, copies, dtype changes."""

from .. import dtypes
from .._array import sum_to_shape, xp
from ..tensor import _wrap_dim
from .registry import op, tensor_method


def shape_arg(shape):
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all name the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


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
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = shape[:free] + (numel // known,) + shape[free + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


def _view_array(a, shape):
    shape = _infer(shape, a.size)
    v = a.view()
    try:
        v.shape = shape  # refuses (instead of copying) when the strides cannot express it
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return v


@op(saves="self_shape", view=True, grads=(lambda g, n: g.reshape(n.self_shape),),
    node="ViewBackward0")
def view(self, shape):
    """``Tensor.view``: the same data seen with another shape; never copies."""
    return _view_array(self, shape)


@op(saves="self_shape", view=True, grads=(lambda g, n: g.reshape(n.self_shape),),
    node="ViewBackward0")
def reshape(self, shape):
    """``torch.reshape``: a view when the strides allow it, else a copy."""
    return self.reshape(_infer(shape, self.size))


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
    return xp.broadcast_to(self, tuple(target))


def _type_name(a):
    return "torch." + dtypes.FROM_NP[a.dtype]._tensor_name


@op(saves="self_shape", grads=(lambda g, n: g.expand(n.self_shape),), node="SumToSizeBackward0")
def sum_to_size(self, size):
    """``Tensor.sum_to_size``: sum broadcast dimensions away until the shape is ``size``."""
    size = tuple(size)
    if not _expandable(size, self.shape):
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, self.shape))}]}}.")
    return sum_to_shape(self, size)


def _expandable(small, big):
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


@op(view=True, grads=(lambda g, n: g.transpose(n.dim0, n.dim1),))
def transpose(self, dim0, dim1):
    """``torch.transpose``: a view with two dimensions swapped."""
    d0, d1 = _wrap_dim(dim0, self.ndim), _wrap_dim(dim1, self.ndim)
    return xp.swapaxes(self, d0, d1)


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


@op(view=True, grads=(lambda g, n: g.permute(_inverse_permutation(
    [_wrap_dim(d, len(n.dims)) for d in n.dims])),), check=_check_permute)
def permute(self, dims):
    """``torch.permute``: a view with the dimensions reordered."""
    return xp.transpose(self, [_wrap_dim(d, self.ndim) for d in dims])


@op(view=True, grads=(lambda g, n: g.squeeze(n.dim),))
def unsqueeze(self, dim):
    """``torch.unsqueeze``: a view with a size-1 dimension inserted at ``dim``."""
    return xp.expand_dims(self, _wrap_dim(dim, self.ndim + 1))


@op(saves="self_shape", view=True, grads=(lambda g, n: g.reshape(n.self_shape),))
def squeeze(self, dim=None):
    """``torch.squeeze``: size-1 dimensions removed (all, or those named by ``dim``)."""
    if dim is None:
        return xp.squeeze(self)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = tuple(d for d in (_wrap_dim(d, self.ndim) for d in dims) if self.shape[d] == 1)
    return xp.squeeze(self, axis=axes) if axes else self.view()


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
    return input.reshape(shape[:s] + (-1,) + shape[e + 1:])


@op(grads=(lambda g, n: g,))
def clone(self, memory_format=None):
    """``torch.clone``: a copy that stays in the graph."""
    return self.copy()


@tensor_method
def contiguous(input, memory_format=None):
    """``Tensor.contiguous``: the tensor itself when C-contiguous, else a contiguous copy."""
    return input if input._data.flags.c_contiguous else clone(input)


@op(saves="self_dtype", grads=(lambda g, n: g.to(n.self_dtype),), node="ToCopyBackward0")
def _to_copy(self, dtype):
    with xp.errstate(invalid="ignore", over="ignore"):  # nan/overflow -> int wraps silently
        return self.astype(dtype.np)


@tensor_method
def to(input, *args, dtype=None, copy=False, **kwargs):
    """``Tensor.to``: another dtype (device names are accepted: everything lives on the CPU)."""
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif hasattr(a, "_data") and hasattr(a, "dtype"):  # .to(other_tensor)
            dtype = a.dtype
    if dtype is None or dtype.np == input._data.dtype:
        return clone(input) if copy else input
    if dtype.category < 2 and input._requires_grad:  # integer results are outside the graph
        return _to_copy(input.detach(), dtype)
    return _to_copy(input, dtype)


__all__ = ["view", "reshape", "expand", "sum_to_size", "transpose", "t", "permute", "unsqueeze",
           "squeeze", "flatten", "clone", "contiguous", "to"]


def _varargs_shape(fn):
    def method(self, *shape):
        return fn(self, shape_arg(shape))

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


# As methods these take sizes one by one too: x.view(2, 3) as well as x.view((2, 3)).
for _fn in (view, reshape, expand, permute):
    tensor_method(_varargs_shape(_fn), name=_fn.__name__)
tensor_method(lambda self, other: expand(self, other._data.shape), name="expand_as")
tensor_method(lambda self, other: view(self, other._data.shape), name="view_as")
tensor_method(lambda self, other: reshape(self, other._data.shape), name="reshape_as")
