"""More ways to cut, flatten and reorder a tensor, each built from the ops PyTorch builds it from
(so each result carries PyTorch's nodes): ``ravel``, ``hsplit``/``vsplit``/``dsplit``,
``split_with_sizes``, the ``unsafe_*`` splits, ``adjoint``, ``msort``, ``argwhere``,
``unravel_index`` and ``unique_consecutive``."""

import warnings
from collections import namedtuple

from .._array import xp
from .._switches import grad_mode as _grad_state
from ..tensor import Tensor, _make, _wrap_dim
from . import composite as _composite
from . import shape as _shape
from .registry import op, tensor_method
from .shape import _check_sizes, _split_arrays, _split_grad, _split_sizes


@tensor_method
def ravel(input):
    """``torch.ravel``: the elements as one vector, a view where the tensor is contiguous (else a
    contiguous copy, viewed)."""
    return _shape.view(_shape.contiguous(input), (-1,))


def _split_by(name, dim, min_dims):
    def split(input, indices_or_sections):
        if input.ndim < min_dims:
            at_least = "1 dimension" if min_dims == 1 else f"{min_dims} dimension"
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {at_least}, but got a tensor with "
                f"{input.ndim} dimensions!"
            )
        d = 0 if name == "hsplit" and input.ndim == 1 else dim
        if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
            size = input.shape[d]
            n = indices_or_sections
            if n == 0 or size % n:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the "
                    f"dimension {size} is not divisible by the split_size {n}!"
                )
        return _composite.tensor_split(input, indices_or_sections, d)

    split.__name__ = split.__qualname__ = name
    split.__doc__ = (
        f"``torch.{name}``: ``tensor_split`` along dimension {dim}, a number of sections having "
        "to divide it evenly."
    )
    return tensor_method(split)


hsplit = _split_by("hsplit", 1, 1)
vsplit = _split_by("vsplit", 0, 2)
dsplit = _split_by("dsplit", 2, 3)


@tensor_method
def split_with_sizes(input, split_sizes, dim=0):
    """``torch.split_with_sizes``: views of the given sizes along ``dim``."""
    return _shape._split_with_sizes(input, [int(s) for s in split_sizes], dim)


def _check_split(a, sizes, dim=0):
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")


# The unsafe splits: the same pieces, sharing the input's memory, but not recorded as views (so
# a piece may be written in place, as in PyTorch, each with a version counter of its own).
@op(
    "unsafe_split",
    saves="self_shape self_dtype",
    outputs=None,
    check=_check_split,
    grads=(_split_grad(lambda size, n: _split_sizes(size, n.split_size)),),
)
def unsafe_split(self, split_size, dim=0):
    """``torch.unsafe_split``: ``split`` whose pieces are not tracked as views."""
    d = _wrap_dim(dim, self.ndim)
    return _split_arrays(self, _split_sizes(self.shape[d], split_size), d)


@op(
    "unsafe_split_with_sizes",
    saves="self_shape self_dtype",
    outputs=None,
    check=_check_split,
    grads=(_split_grad(lambda size, n: list(n.split_sizes)),),
)
def unsafe_split_with_sizes(self, split_sizes, dim=0):
    """``torch.unsafe_split_with_sizes``: ``split_with_sizes`` whose pieces are not tracked as
    views."""
    d = _wrap_dim(dim, self.ndim)
    return _split_arrays(self, _check_sizes(self.shape[d], split_sizes, d), d)


@tensor_method
def unsafe_chunk(input, chunks, dim=0):
    """``torch.unsafe_chunk``: ``chunk`` whose pieces are not tracked as views."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[_wrap_dim(dim, input.ndim)]
    if size == 0:
        return unsafe_split_with_sizes(input, [0] * chunks, dim)
    return unsafe_split(input, -(-size // chunks), dim)


@tensor_method
def adjoint(input):
    """``torch.adjoint``: the conjugate transpose of the last two dimensions (a view)."""
    if input.ndim == 0:
        warnings.warn(
            "adjoint() is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, 2
        )
        return input.conj()
    if input.ndim == 1:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    out = _shape.transpose(input, -2, -1)
    return out.conj() if input.is_complex() else out


@tensor_method
def msort(input, *, out=None):
    """``torch.msort``: sorted along the first dimension (the values of ``sort(input, 0)``)."""
    result = input.sort(0).values
    if out is not None:
        from .._out import write_out

        return write_out("msort", result, out, (input,))
    return result


@tensor_method
def argwhere(input):
    """``torch.argwhere``: the indices of the non-zero elements, one row each (``nonzero``)."""
    return input.nonzero()


def unravel_index(indices, shape):
    """``torch.unravel_index``: flat indices into a tensor of ``shape`` as one index tensor per
    dimension."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices).__name__}")
    if indices.dtype.category != 1:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if 0 in shape:
        raise RuntimeError("ZeroDivisionError")
    flat = indices._data.astype(xp.int64)
    out, stride = [], 1
    for size in reversed(shape):
        out.append(_make((flat // stride) % size))
        stride *= size
    return tuple(reversed(out))


def _unique_consecutive_grad(g, n):
    raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


_UniqueConsecutive = namedtuple("_UniqueConsecutive", "output inverse_indices counts")


@op(
    grads=(_unique_consecutive_grad,),
    returns=_UniqueConsecutive,
    method=False,
    node="UniqueConsecutiveBackward0",
)
def _unique_consecutive(self, results):
    return results


@tensor_method
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique_consecutive``: each run of equal elements (or slices along ``dim``) kept
    once, with each element's run number (``return_inverse``) and the runs' lengths
    (``return_counts``) when asked."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        starts = xp.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = a.shape
    else:
        if a.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap_dim(dim, a.ndim)
        if any(n == 0 for k, n in enumerate(a.shape) if k != d):
            raise RuntimeError(
                "There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                "applied"
            )
        moved = xp.moveaxis(a, d, 0)
        starts = xp.ones(moved.shape[0], bool)
        if moved.shape[0] > 1:
            rows = moved.reshape(moved.shape[0], -1)
            starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        values = xp.ascontiguousarray(xp.moveaxis(moved[starts], 0, d))
        inverse_shape = (moved.shape[0],)
    run = xp.cumsum(starts) - 1
    first = xp.flatnonzero(starts)
    counts = xp.diff(xp.append(first, starts.size)).astype(xp.int64)
    arrays = (values, run.reshape(inverse_shape).astype(xp.int64), counts)
    if input.requires_grad and _grad_state.enabled:
        out = list(_unique_consecutive(input, arrays))
    else:
        out = [_make(arr) for arr in arrays]
    picked = [out[0]] + [t for t, want in zip(out[1:], (return_inverse, return_counts)) if want]
    return picked[0] if len(picked) == 1 else tuple(picked)


__all__ = [
    "unique_consecutive",
    "ravel",
    "hsplit",
    "vsplit",
    "dsplit",
    "split_with_sizes",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "unsafe_chunk",
    "adjoint",
    "msort",
    "argwhere",
    "unravel_index",
]
