"""Functions PyTorch itself builds from other ops, built here the same way, so their results
carry the same nodes (``hstack`` is a ``CatBackward0``, ``outer`` a ``MulBackward0`` ...)."""

import warnings

from .._array import xp
from ..tensor import Tensor, _wrap_dim
from . import indexing as _indexing
from .registry import tensor_method
from .shape import cat, expand, flip, permute, reshape, transpose, unsqueeze


def atleast_1d(*tensors):
    """``torch.atleast_1d``: 0-dim tensors as 1-element vectors; others unchanged."""
    return _each(tensors, lambda t: reshape(t, (1,)) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """``torch.atleast_2d``: vectors as one row, 0-dim tensors as 1x1."""
    return _each(tensors, lambda t: unsqueeze(atleast_1d(t), 0) if t.ndim < 2 else t)


def _atleast_3d(t):
    if t.ndim == 0:
        return reshape(t, (1, 1, 1))
    if t.ndim == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    if t.ndim == 2:
        return unsqueeze(t, -1)
    return t


def atleast_3d(*tensors):
    """``torch.atleast_3d``: a vector of n as 1 x n x 1, a matrix as m x n x 1."""
    return _each(tensors, _atleast_3d)


def _each(tensors, fn):
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
        return tuple(fn(t) for t in tensors)
    out = tuple(fn(t) for t in tensors)
    return out[0] if len(out) == 1 else out


def hstack(tensors, *, out=None):
    """``torch.hstack``: joined along dim 1, or dim 0 for vectors."""
    tensors = atleast_1d(tensors)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """``torch.vstack``: vectors as rows, joined along dim 0."""
    return cat(atleast_2d(tensors), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """``torch.dstack``: joined along dim 2, each at least 3-d."""
    return cat(atleast_3d(tensors), 2, out=out)


def column_stack(tensors, *, out=None):
    """``torch.column_stack``: vectors as columns, joined along dim 1."""
    return cat([reshape(t, (-1, 1)) if t.ndim <= 1 else t for t in tensors], 1, out=out)


def broadcast_tensors(*tensors):
    """``torch.broadcast_tensors``: each expanded to the shape they broadcast to; one that has
    that shape already is returned itself, as in PyTorch (no ExpandBackward0 node)."""
    shape = xp.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """``torch.meshgrid``: coordinate grids from 1-d tensors ('ij' indexing unless 'xy')."""
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the "
            "indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0], *tensors[2:])
    shape = tuple(t.numel() for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[i] = -1
        grids.append(expand(reshape(t, tuple(view)), shape))
    if swap:  # 'xy': the first two swapped before and after
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


@tensor_method
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """``torch.diff``: differences of neighbours along ``dim``, ``n`` times over."""
    if prepend is not None or append is not None:
        input = cat([t for t in (prepend, input, append) if t is not None], dim)
    lead = (slice(None),) * _wrap_dim(dim, input.ndim)
    for _ in range(n):
        if input.shape[dim] == 0:
            break
        input = input[(*lead, slice(1, None))] - input[(*lead, slice(None, -1))]
    return input


@tensor_method
def narrow(input, dim: int, start: int, length: int):
    """``torch.narrow``: ``length`` elements of ``dim`` from ``start`` (a slice, so a view)."""
    if not input.ndim:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    # always a slice node, as PyTorch's, even where the slice covers the whole dimension
    key = (slice(None),) * d + (slice(start, start + length), Ellipsis)
    return _indexing._slice(input, key, False, _indexing._slice)


@tensor_method
def unflatten(input, dim: int, sizes):
    """``torch.unflatten``: dimension ``dim`` split into ``sizes`` (one of them may be -1)."""
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    size = input.shape[d]
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in sizes:
        sizes = tuple(size // known if s == -1 else s for s in sizes)
    elif known != size:
        raise RuntimeError(
            f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't "
            f"multiply up to the size of dim {dim} ({size}) in the input tensor"
        )
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1 :])


@tensor_method
def select(input, dim: int, index: int):
    """``torch.select``: the slice at ``index`` of ``dim``, that dimension removed."""
    if not input.ndim:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"[{', '.join(map(str, input.shape))}] at dimension {d}"
        )
    return input[(slice(None),) * d + (index,)]


@tensor_method
def movedim(input, source, destination):
    """``torch.movedim``: dimensions moved to new positions, the others keeping their order."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(d, input.ndim) for d in src]
    dst = [_wrap_dim(d, input.ndim) for d in dst]
    if not input.ndim:  # nothing to move: an alias, as in PyTorch
        return _indexing._alias(input, (), False, None)
    order = [d for d in range(input.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


@tensor_method
def swapaxes(input, axis0: int, axis1: int):
    """``torch.swapaxes``: ``transpose`` under NumPy's name."""
    return transpose(input, axis0, axis1)


swapdims = swapaxes
tensor_method(moveaxis, name="moveaxis")
tensor_method(swapdims, name="swapdims")


def fliplr(input):
    """``torch.fliplr``: columns reversed (dim 1)."""
    return flip(input, (1,))


def flipud(input):
    """``torch.flipud``: rows reversed (dim 0)."""
    return flip(input, (0,))


__all__ = [
    "narrow",
    "unflatten",
    "select",
    "movedim",
    "moveaxis",
    "swapaxes",
    "swapdims",
    "fliplr",
    "flipud",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "hstack",
    "vstack",
    "row_stack",
    "dstack",
    "column_stack",
    "broadcast_tensors",
    "meshgrid",
    "diff",
]
