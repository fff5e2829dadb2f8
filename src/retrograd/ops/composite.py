"""Functions PyTorch itself builds from other ops, built here the same way, so their results
carry the same nodes (``hstack`` is a ``CatBackward0``, ``outer`` a ``MulBackward0`` ...)."""

import warnings

from .._array import xp
from ..tensor import Tensor, _wrap_dim
from . import arguments as _arguments
from . import indexing as _indexing
from .registry import tensor_method
from .shape import _varargs_sizes, cat, expand, flip, permute, reshape, transpose, unsqueeze


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
    """``torch.diff``: differences of neighbours along ``dim``, ``n`` times over (n = 0: a copy
    of the input, prepend and append ignored)."""
    if prepend is not None or append is not None:
        joined = cat([t for t in (prepend, input, append) if t is not None], dim)
        input = joined if n else input  # (the shapes checked all the same)
    if n == 0:
        return input.new_empty(input.shape).copy_(input)
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


def slice_tensor(self, dim: int = 0, start=None, end=None, step: int = 1):
    """``torch.ops.aten.slice.Tensor``: ``self[..., start:end:step]`` along ``dim`` (a view;
    out-of-range bounds are clipped, as a Python slice's are)."""
    if not self.ndim:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, self.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step), Ellipsis)
    return _indexing._slice(self, key, False, _indexing._slice)


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
        return _indexing._alias(input, (Ellipsis,), False, _indexing._alias)
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


@tensor_method
def fliplr(input):
    """``torch.fliplr``: columns reversed (dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@tensor_method
def flipud(input):
    """``torch.flipud``: rows reversed (dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


# --- tiling, splitting at indices, products of tensors -----------------------------------------


@tensor_method
def broadcast_to(input, size):
    """``torch.broadcast_to``: ``expand`` under NumPy's name."""
    return expand(input, size)


def tile(input, dims):
    """``torch.tile``: ``repeat`` with ``dims`` padded with leading 1s to the tensor's rank."""
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return input.repeat(dims)


tensor_method(_varargs_sizes(tile, "dims"), name="tile")


def _split_points(input, indices_or_sections, d):
    """The start of each piece: from a number of sections (the first ``size % n`` pieces one
    longer) or from the indices themselves."""
    size = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {t.ndim} dims"
            )
        if t.dtype.category != 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have integer dtype, but got "
                f"{t.dtype._tensor_name[:-6]}"
            )
        indices_or_sections = t.item() if t.ndim == 0 else t.tolist()
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        small, extra = divmod(size, n)
        starts, at = [], 0
        for i in range(1, n):
            at += small + (1 if i <= extra else 0)
            starts.append(at)
        return starts
    if isinstance(indices_or_sections, (list, tuple)):
        return [int(i) for i in indices_or_sections]
    raise TypeError(
        "tensor_split() received an invalid combination of arguments - got (Tensor, "
        f"{type(indices_or_sections).__name__})"
    )


@tensor_method
def tensor_split(input, indices_or_sections, dim=0):
    """``torch.tensor_split``: views of ``input`` cut into that many nearly equal pieces along
    ``dim``, or cut before each of the given indices (pieces may be empty)."""
    if input.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    bounds = [0, *_split_points(input, indices_or_sections, d), size]
    pieces = []
    for start, stop in zip(bounds, bounds[1:]):
        start = min(max(start if start >= 0 else start + size, 0), size)
        stop = min(max(stop if stop >= 0 else stop + size, start), size)
        pieces.append(narrow(input, d, start, stop - start))
    return tuple(pieces)


def cartesian_prod(*tensors):
    """``torch.cartesian_prod``: every combination of one element from each 1-d tensor, one per
    row (a single tensor comes back as it is)."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .shape import stack

    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


@tensor_method
def diagflat(input, offset: int = 0):
    """``torch.diagflat``: a square matrix with the flattened input on diagonal ``offset``."""
    from .special import diag_embed

    return diag_embed(reshape(input, (-1,)) if input.ndim != 1 else input, offset)


@tensor_method
def kron(input, other):
    """``torch.kron``: the Kronecker product, as PyTorch composes it: each input viewed with its
    dimensions interleaved with 1s, multiplied, and the product viewed back."""
    from .shape import _unsafe_view

    nd = max(input.ndim, other.ndim)
    a_shape = (1,) * (nd - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (nd - other.ndim) + tuple(other.shape)
    a_view = tuple(k for n in a_shape for k in (n, 1))
    b_view = tuple(k for n in b_shape for k in (1, n))
    product = _unsafe_view(input.contiguous(), a_view) * _unsafe_view(other.contiguous(), b_view)
    return _unsafe_view(product, tuple(m * n for m, n in zip(a_shape, b_shape)))


def _contracted_dims(a, b, dims):
    """The dimensions of ``a`` and of ``b`` that ``dims`` pairs up, read as PyTorch's tensordot
    reads them: an int (the last ``dims`` of ``a`` with the first of ``b``), a pair of lists of
    ints, or a tensor of either; anything else is its RuntimeError, and lists of other than
    ints are its parser's TypeError."""
    if isinstance(dims, Tensor):
        dims = int(dims.item()) if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if not isinstance(dims, (list, tuple)):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
            f"containing two lists, but got dims={dims}"
        )
    da, db = dims
    da = _arguments.int_list("tensordot", "dims_self", 3, da)
    db = _arguments.int_list("tensordot", "dims_other", 4, db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


def tensordot(a, b, dims=2, out=None):
    """``torch.tensordot``: the sum of products over the dimensions ``dims`` pairs up, as one
    matrix product of the two inputs permuted and flattened.  A contracted dimension of size 1
    against a longer one is summed away from the other side first, as PyTorch does."""
    given_a, given_b = _contracted_dims(a, b, dims)
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da, db = [], []
    for i, j in zip(given_a, given_b):
        wa, wb = _wrap_dim(i, a.ndim), _wrap_dim(j, b.ndim)
        if a.shape[wa] != b.shape[wb]:
            if a.shape[wa] == 1:
                b = b.sum(wb, keepdim=True, dtype=b.dtype)
            elif b.shape[wb] == 1:
                a = a.sum(wa, keepdim=True, dtype=a.dtype)
            else:
                raise RuntimeError(
                    f"contracted dimensions need to match, but first has size {a.shape[wa]} in "
                    f"dim {i} and second has size {b.shape[wb]} in dim {j}"
                )
        da.append(wa)
        db.append(wb)
    for given, wrapped in ((given_a, da), (given_b, db)):
        for k, d in enumerate(wrapped):
            if d in wrapped[:k]:
                raise RuntimeError(f"dim {given[k]} appears multiple times in the list of dims")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    size = 1
    for d in da:
        size *= a.shape[d]
    rows = reshape(permute(a, free_a + da), (-1, size))
    cols = reshape(permute(b, db + free_b), (size, -1))
    result = reshape(
        rows.mm(cols), tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    )
    if out is not None:
        from .._out import write_out

        return write_out("tensordot", result, out, (a, b))
    return result


# --- integration, Vandermonde matrices, combinations -------------------------------------------


def _neighbours(y, d):
    n = y.shape[d]
    return narrow(y, d, 1, n - 1), narrow(y, d, 0, n - 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.trapezoid``: the trapezoidal rule along ``dim``, with sample points ``x`` or a
    constant spacing ``dx`` (1 by default)."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx; only one may be given")
    d = _wrap_dim(dim, y.ndim)
    if y.shape[d] == 0:
        return y.sum(d) * 0
    if x is None:
        spacing = 1 if dx is None else dx
        ends = (select(y, d, 0) + select(y, d, -1)) * 0.5
        return (y.sum(d) - ends) * spacing
    upper, lower = _neighbours(y, d)
    return (_gaps(x, y.ndim, d) * (upper + lower)).sum(d) / 2


def _gaps(x, ndim, d):
    """The spacing of the sample points ``x`` along ``d`` (a 1-d ``x`` laid along ``d``)."""
    if x.ndim == 1:
        view = [1] * ndim
        view[d] = -1
        return reshape(x[1:] - x[:-1], tuple(view))
    after, before = _neighbours(x, d)
    return after - before


def trapz(y, x=None, *, dx=None, dim=-1):
    """``torch.trapz``: ``trapezoid`` under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.cumulative_trapezoid``: the running trapezoidal integral along ``dim``."""
    d = _wrap_dim(dim, y.ndim)
    upper, lower = _neighbours(y, d)
    if x is None:
        spacing = 1 if dx is None else dx
        return ((upper + lower) * (spacing / 2)).cumsum(d)
    return (_gaps(x, y.ndim, d) * (upper + lower) / 2).cumsum(d)


# --- finite differences -------------------------------------------------------------------------


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """``torch.gradient``: the derivative of the samples ``input`` along each dimension in
    ``dim`` (every one by default) by second-order central differences inside and one-sided
    differences of order ``edge_order`` at the ends; ``spacing`` is one number for every
    dimension, one per dimension, or the sample coordinates (a 1-d tensor) of each."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"gradient(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [_wrap_dim(d, input.ndim) for d in ([dim] if isinstance(dim, int) else dim)]
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if spacing is None:  # (given as None: unspecified, a spacing of 1)
        spacing = 1
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            if dim is None:
                raise RuntimeError(
                    "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                    f"length equal to 'self.dim() = {input.ndim}', since dim argument was not "
                    f"given, but got a list of length {len(spacing)}"
                )
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                "and dim arguments to have the same length, but got a spacing argument of "
                f"length {len(spacing)} and a dim argument of length {len(dims)}."
            )
        spacings = list(spacing)
    else:
        if isinstance(spacing, Tensor):  # a 0-d tensor counts as its number
            spacing = spacing.item()
        spacings = [spacing] * len(dims)
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    for h in spacings:
        if isinstance(h, Tensor) and h.ndim != 1:
            raise RuntimeError(
                "torch.gradient expected each element of spacing to have one dimension, but "
                f"got an element with {h.ndim} dimensions!"
            )
    return tuple(
        (_sampled_gradient if isinstance(h, Tensor) else _spaced_gradient)(input, h, d, edge_order)
        for h, d in zip(spacings, dims)
    )


def _spaced_gradient(f, h, d, edge_order):
    """The derivative along ``d`` of samples ``h`` apart."""
    n = f.shape[d]
    center = (narrow(f, d, 2, n - 2) - narrow(f, d, 0, n - 2)) / (2 * h)
    first, second, last, before = (narrow(f, d, i % n, 1) for i in (0, 1, -1, -2))
    if edge_order == 1:
        prepend = (second - first) / h
        append = (last - before) / h
    else:
        third, third_last = narrow(f, d, 2, 1), narrow(f, d, n - 3, 1)
        prepend = (-1.5 * first + 2 * second - 0.5 * third) / h
        append = (0.5 * third_last - 2 * before + 1.5 * last) / h
    return cat([prepend, center, append], d)


def _sampled_gradient(f, x, d, edge_order):
    """The derivative along ``d`` of samples at the coordinates ``x``: the weights of the
    second-order differences on an uneven grid."""
    n = f.shape[d]
    dx = x[1:] - x[:-1]
    view = [1] * f.ndim
    view[d] = -1
    left, right = reshape(dx[:-1], tuple(view)), reshape(dx[1:], tuple(view))
    a = -right / (left * (left + right))
    b = (right - left) / (left * right)
    c = left / (right * (left + right))
    center = a * narrow(f, d, 0, n - 2) + b * narrow(f, d, 1, n - 2) + c * narrow(f, d, 2, n - 2)
    first, second, last, before = (narrow(f, d, i % n, 1) for i in (0, 1, -1, -2))
    if edge_order == 1:
        prepend = (second - first) / dx[0]
        append = (last - before) / dx[-1]
    else:
        h0, h1 = dx[0], dx[1]
        prepend = (
            -(2 * h0 + h1) / (h0 * (h0 + h1)) * first
            + (h0 + h1) / (h0 * h1) * second
            - h0 / (h1 * (h0 + h1)) * narrow(f, d, 2, 1)
        )
        h0, h1 = dx[-1], dx[-2]  # (the last gap, and the one before it)
        append = (
            h0 / (h1 * (h0 + h1)) * narrow(f, d, n - 3, 1)
            - (h0 + h1) / (h0 * h1) * before
            + (2 * h0 + h1) / (h0 * (h0 + h1)) * last
        )
    return cat([prepend, center, append], d)


def vander(x, N=None, increasing=False):
    """``torch.vander``: the columns are powers of ``x`` (decreasing unless ``increasing``)."""
    from .._array import xp
    from ..tensor import _make

    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n == 0:
        return x.new_zeros((x.shape[0], 0))
    powers = _make(xp.arange(n, dtype=xp.int64))
    if x.dtype.category < 2:
        x = x.to(x.dtype if x.dtype.category == 1 else powers.dtype)
    result = x.unsqueeze(-1) ** powers
    return result if increasing else flip(result, (1,))


def combinations(input, r=2, with_replacement=False):
    """``torch.combinations``: every choice of ``r`` elements of a 1-d tensor, one per row
    (as ``itertools.combinations``, or with replacement)."""
    import itertools

    from .._array import xp
    from ..tensor import _make
    from .shape import stack

    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(range(input.shape[0]), r))
    # (no rows: r empty columns stacked all the same, in the graph)
    columns = xp.array(rows, dtype=xp.int64).reshape(len(rows), r).T
    return stack([input.index_select(0, _make(c.copy())) for c in columns], 1)


__all__ = [
    "gradient",
    "narrow",
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "vander",
    "combinations",
    "broadcast_to",
    "tile",
    "tensor_split",
    "cartesian_prod",
    "diagflat",
    "kron",
    "tensordot",
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
