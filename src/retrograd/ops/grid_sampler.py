"""Sampling an input at the points of a grid: ``torch.grid_sampler_2d`` and ``grid_sampler_3d``,
behind ``F.grid_sample``, in bilinear (trilinear), nearest and bicubic modes, with zeros, border or
reflection padding.

Each output value is a weighted sum of the input at a few integer taps around its point (2 per
dimension for bilinear, 4 for bicubic, 1 for nearest), with no loop over points.  One call is one
node, PyTorch's ``GridSampler2DBackward0`` (``3D``), whose gradients for both inputs are computed
together.  The forward and the gradients without create_graph work on arrays (the second half of
this file: sparse products over a channels-last copy of the input); under create_graph the same
gradients are written in the table's ops (the first half: one gather of every tap, a scatter-add
of the weighted output gradient for the input, the weights' slopes for the grid), so they are
differentiable again: double backward works.
"""

import functools
import math

from .. import _switches
from .._array import added_rows, scratch_array, weighted_rows, xp
from ..tensor import Tensor, _make
from .pointwise import _dtype_name, where
from .registry import op, refuse_complex, shared_formulas
from .resample import _CUBIC_A, _cubic_slopes, _cubic_weights
from .shape import stack

MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")


def _reflected(x: Tensor, low: float, span: float):
    """``x`` folded into [low, low + span] by reflection at both ends, and the sign (+1 or -1) of
    d folded / d x."""
    d = x - low
    turned = (d < 0).to(x.dtype)
    d = d.abs()
    flips = (d / span).floor()
    extra = d.fmod(span)
    odd = flips.remainder(2).to(x.dtype)
    folded = where(odd == 0, extra + low, span - extra + low)
    return folded, (1 - 2 * turned) * (1 - 2 * odd)


def _padded(x: Tensor, n: int, padding_mode: str, align_corners: bool):
    """Pixel coordinates ``x`` brought into the input (size ``n``) as ``padding_mode`` says, and
    d padded / d x (None: 1): border clips; reflection folds, then clips."""
    if padding_mode == "zeros":
        return x, None
    slope = None
    if padding_mode == "reflection":
        if align_corners and n == 1:
            return x * 0, x.detach() * 0
        x, slope = _reflected(x, 0.0, n - 1.0) if align_corners else _reflected(x, -0.5, n)
    inside = ((x > 0) & (x < n - 1)).to(x.dtype)
    slope = inside if slope is None else slope * inside
    # (a nan coordinate is clipped to 0, as PyTorch's kernels clip it)
    return where(x.isnan(), x.new_zeros(()), x.clamp(0, n - 1)), slope.detach()


def _taps(c: Tensor, n: int, mode: str, padding_mode: str, align_corners: bool):
    """One spatial dimension's part of the sampling, from the grid's coordinate ``c`` [N, *out]:
    the taps [k, N, *out] (integer-valued, detached), whether each reads the input, their weights
    and the weights' slopes d weight / d c (None for nearest)."""
    scale = (n - 1) / 2 if align_corners else n / 2
    x = (c + 1) / 2 * (n - 1) if align_corners else ((c + 1) * n - 1) / 2
    if mode == "bicubic":  # the taps are padded one by one; the weights see the raw position
        low = x.detach().floor()
        t = x - low
        taps = [_padded(low + k, n, padding_mode, align_corners)[0] for k in (-1, 0, 1, 2)]
        weights = _cubic_weights(t, _CUBIC_A)
        slopes = [s * scale for s in _cubic_slopes(t, _CUBIC_A)]
    else:
        x, slope = _padded(x, n, padding_mode, align_corners)
        if mode == "nearest":
            taps, weights, slopes = [x.detach().round()], [x.new_ones(x.shape)], None
        else:
            low = x.detach().floor()
            taps = [low, low + 1]
            weights = [(low + 1) - x, x - low]
            up = x.new_full(x.shape, scale) if slope is None else slope * scale
            slopes = [-up, up]
    taps = [tap.detach() for tap in taps]
    reads = [(tap >= 0) & (tap <= n - 1) for tap in taps]
    # a tap that reads nothing (outside, or at a nan or infinite point) is read at 0, masked
    taps = [where(inside, tap, tap.new_zeros(())) for tap, inside in zip(taps, reads)]
    return stack(taps), stack(reads), stack(weights), None if slopes is None else stack(slopes)


def _spread(part: Tensor, i: int, nd: int) -> Tensor:
    """Dimension ``i``'s factor [k_i, N, *out] shaped to broadcast over every tap of every
    dimension: [k_i, 1 (one for each later dimension), N, *out]."""
    return part.reshape(part.shape[:1] + (1,) * (nd - 1 - i) + part.shape[1:])


def _outer(parts, nd):
    """Per-dimension factors [k_i, N, *out] multiplied over every tap of every dimension:
    [K, N, P], from the last dimension (x) to the first, as PyTorch groups them."""
    out = _spread(parts[-1], nd - 1, nd)
    for i in reversed(range(nd - 1)):
        out = out * _spread(parts[i], i, nd)
    k = math.prod(p.shape[0] for p in parts)
    return out.reshape(k, parts[0].shape[1], -1)


def _sampling(input: Tensor, grid: Tensor, mode: str, padding_mode: str, align_corners: bool):
    """What every computation of the sampler needs: the flat index of every tap of every point
    [N, 1, K * P] (K taps a point, P points), whether each tap reads the input [N, 1, K, P], and
    each dimension's ``_taps``."""
    sizes = tuple(input.shape[2:])  # (D,) H, W
    nd = len(sizes)
    # the grid's last dimension holds (x, y[, z]): the input's spatial dimensions reversed
    parts = [
        _taps(grid[..., nd - 1 - i], sizes[i], mode, padding_mode, align_corners) for i in range(nd)
    ]
    index = inside = None
    for i, (taps, reads, _, _) in enumerate(parts):  # the row-major flat index
        step = math.prod(sizes[i + 1 :])
        taps, reads = _spread(taps, i, nd) * step, _spread(reads, i, nd)
        index = taps if index is None else index + taps
        inside = reads if inside is None else inside & reads
    n, k, count = (
        grid.shape[0],
        math.prod(p[0].shape[0] for p in parts),
        math.prod(grid.shape[1:-1]),
    )
    index = index.clamp(0, math.prod(sizes) - 1).long()
    index = index.reshape(k, n, count).permute(1, 0, 2).reshape(n, 1, k * count)
    inside = inside.reshape(k, n, count).permute(1, 0, 2).unsqueeze(1)
    return index, inside, parts


def _weights(factors, nd):
    """The weight of every tap of every point, [N, 1, K, P], from per-dimension ``factors``."""
    return _outer(factors, nd).permute(1, 0, 2).unsqueeze(1)


def _read(input: Tensor, index: Tensor, inside: Tensor) -> Tensor:
    """The input at every tap, [N, C, K, P]; 0 at taps outside it."""
    n, c = input.shape[:2]
    k, count = inside.shape[2:]
    flat = input.reshape(n, c, -1)
    values = flat.gather(2, index.expand(n, c, k * count)).reshape(n, c, k, count)
    return where(inside, values, values.new_zeros(()))


# ---- the same sampling on arrays: the forward, and the gradients without create_graph ----
#
# Every tap of every point is a row of the input laid out channels last, [N * plane + 1, C]
# (plane: the spatial size), whose last row is zeros: a tap outside the input reads that row.
# Sampling is then one sparse product (each point's row, a weighted sum of its K tap rows, in
# one compiled pass), the input's gradient its adjoint, and the grid's the same product with
# each dimension's weight slopes in place of the weights.  Nearest sampling reads one tap:
# a gather in the input's own layout, and a scatter-add for its gradient.

_PAIR = xp.arange(2, dtype=xp.int8).reshape(2, 1)  # (int8: sums keep the float type)
_CUBIC_OFFSETS = xp.arange(-1, 3, dtype=xp.int8).reshape(4, 1)


def _padded_array(x, top, padding_mode, align_corners):
    """``_padded`` on arrays, every dimension at once (``top``: each one's size - 1, shaped to
    broadcast): ``x`` brought into [0, top], and d padded / d x (None: 1).  A dimension of size
    1 under align_corners reflects onto 0 with slope 0 (its span, 0, makes nan, clipped to 0)."""
    if padding_mode == "zeros":
        return x, None
    slope = None
    if padding_mode == "reflection":
        low, span = (0.0, top) if align_corners else (-0.5, top + 1)
        d = x - low
        turned = d < 0
        d = xp.abs(d)
        odd = xp.floor(d / span) % 2 == 1
        extra = xp.fmod(d, span)
        x = xp.where(odd, span - extra + low, extra + low)
        slope = xp.where(turned != odd, _MINUS[x.dtype], _PLUS[x.dtype])
    inside = (x > 0) & (x < top)
    slope = inside.astype(x.dtype) if slope is None else slope * inside
    # (fmax first: a nan coordinate becomes 0, as PyTorch's kernels clip it)
    return xp.fmin(xp.fmax(x, 0), top), slope


_PLUS = {xp.dtype(t): xp.ones((), t) for t in ("float16", "float32", "float64")}
_MINUS = {t: -one for t, one in _PLUS.items()}


def _frozen(a):
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=64)
def _dimensions(sizes, dtype, align_corners):
    """Each spatial dimension's size, size - 1, d pixel / d coordinate and row step (in the
    channels-last input), shaped [nd, 1, 1] to broadcast over its taps of every point."""
    nd = len(sizes)
    size = xp.array(sizes, dtype).reshape(nd, 1, 1)
    top = size - 1
    steps = xp.array([math.prod(sizes[i + 1 :]) for i in range(nd)]).reshape(nd, 1, 1)
    scale = top / 2 if align_corners else size / 2
    return tuple(_frozen(a) for a in (size, top, scale, steps))


def _spread_all(parts, combine):
    """Per-dimension factors [nd, k, N * P] combined (``combine``: add, multiply ...) over every
    tap of every dimension, [K, N * P]: from the last dimension (x) to the first, as PyTorch
    groups a weight's factors."""
    nd = len(parts)
    out = parts[-1]
    for i in reversed(range(nd - 1)):
        spread = parts[i].shape[:1] + (1,) * (nd - 1 - i) + parts[i].shape[-1:]
        out = combine(out, parts[i].reshape(spread))
    return out.reshape(math.prod(out.shape[:-1]), out.shape[-1])


class _Plan:
    """Where each tap of each point reads the input, and how much, on arrays, every dimension
    at once: ``index`` [K, N * P] (a row of the channels-last input; the zero row past its end
    where the tap is outside; for nearest, the position in the spatial plane, 0 outside), and
    for the interpolating modes the weights and their slopes d weight / d coordinate, per
    dimension ([nd, k, N * P]) until combined."""

    def __init__(self, input_shape, grid, mode, padding_mode, align_corners):
        n, sizes = input_shape[0], tuple(input_shape[2:])
        nd = len(sizes)
        size, top, self.scale, steps = _dimensions(sizes, grid.dtype, align_corners)
        # the grid's last dimension holds (x, y[, z]): the input's spatial dimensions reversed
        count = grid.size // nd  # (points, all batch elements together)
        self.count = count // max(n, 1)  # (points of one batch element)
        x = xp.ascontiguousarray(grid.reshape(count, nd)[:, ::-1].T).reshape(nd, 1, count)
        x += 1
        if align_corners:
            x /= 2
            x *= top
        else:
            x *= size
            x -= 1
            x /= 2
        self.mode, self.slope = mode, None
        if mode == "bicubic":  # the taps are padded one by one; the weights see the raw position
            low = xp.floor(x)
            self.t = x - low
            taps = _padded_array(low + _CUBIC_OFFSETS, top, padding_mode, align_corners)[0]
            self.factors = xp.concatenate(_cubic_weights(self.t, _CUBIC_A), 1)
        else:
            x, self.slope = _padded_array(x, top, padding_mode, align_corners)
            if mode == "nearest":
                taps = xp.rint(x)
            else:
                low = xp.floor(x)
                taps = low + _PAIR
                self.factors = xp.concatenate([taps[:, 1:] - x, x - low], 1)
        rows = taps.astype(xp.intp)
        rows *= steps
        if mode != "nearest":
            self.rows = n * math.prod(sizes)  # (the zero row's index)
            # (each point's first row: its batch element's)
            first = rows[0].reshape(rows.shape[1], n, self.count)
            first += (xp.arange(n) * math.prod(sizes)).reshape(n, 1)
        self.inside = _spread_all((taps >= 0) & (taps <= top), xp.logical_and)
        outside = 0 if mode == "nearest" else self.rows
        self.index = xp.where(self.inside, _spread_all(rows, xp.add), outside)

    def weights(self):
        return _spread_all(self.factors, xp.multiply)

    def slopes(self, i):
        """d weight / d (dimension ``i``'s grid coordinate) of every tap."""
        if self.mode == "bicubic":
            slope = xp.concatenate(_cubic_slopes(self.t[i], _CUBIC_A)) * self.scale[i]
        else:
            up = self.scale[i] if self.slope is None else self.slope[i] * self.scale[i]
            slope = xp.concatenate([-up, up])  # ([2, 1] without padding: broadcast)
        factors = list(self.factors)
        factors[i] = slope
        return _spread_all(factors, xp.multiply)


_LAST = {4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}  # (the channels moved last)


def _zeros(slot, shape, dtype):
    """A temporary array of zeros in this thread's scratch memory (see scratch_array)."""
    out = scratch_array(slot, shape, dtype)
    out.fill(0)
    return out


def _channels_last(input):
    """The input as rows of channels, one per spatial position, and a zero row after them (in
    scratch memory: a temporary)."""
    n, c = input.shape[:2]
    table = scratch_array(
        "grid_sampler table", (n * math.prod(input.shape[2:]) + 1, c), input.dtype
    )
    xp.copyto(table[:-1].reshape((n,) + input.shape[2:] + (c,)), input.transpose(_LAST[input.ndim]))
    table[-1] = 0
    return table


def _channels_first(rows, shape):
    """Rows [N * P, C] as an array of ``shape`` [N, C, ...] (C order)."""
    out = xp.empty(shape, rows.dtype)
    n, c, count = shape[0], shape[1], math.prod(shape[2:])
    xp.copyto(out.reshape(n, c, count), rows.reshape(n, count, c).transpose(0, 2, 1))
    return out


def _nearest_index(input_shape, plan):
    """The flat index of each point's one tap in every channel, [N, C, P] (0 outside)."""
    n, c = input_shape[:2]
    plane = math.prod(input_shape[2:])
    return plan.index.reshape(n, 1, plan.count) + (xp.arange(n * c) * plane).reshape(n, c, 1)


@xp.errstate(all="ignore")  # (nan and infinite points, size-1 reflections: silent, as PyTorch)
def _forward_arrays(input, grid, mode, padding_mode, align_corners):
    plan = _Plan(input.shape, grid, mode, padding_mode, align_corners)
    n, c = input.shape[:2]
    shape = (n, c) + grid.shape[1:-1]
    if mode == "nearest":  # each batch element's channels read at its points' positions
        planes = input.reshape(n, c, math.prod(input.shape[2:]))
        at = plan.index.reshape(n, plan.count)
        values = xp.empty((n, c, at.shape[1]), input.dtype)
        for i in range(n):
            xp.take(planes[i], at[i], 1, values[i], "clip")  # (a mode other than raise: unbuffered)
        return xp.where(plan.inside.reshape(n, 1, plan.count), values, 0).reshape(shape)
    rows = _zeros("grid_sampler rows", (plan.index.shape[1], c), input.dtype)
    weighted_rows(rows, _channels_last(input), plan.index, plan.weights())
    return _channels_first(rows, shape)


@xp.errstate(all="ignore")  # (as _forward_arrays)
def _grads_of_arrays(g, input, grid, mode, padding_mode, align_corners, need_input, need_grid):
    """The input's and the grid's gradients (arrays, or None where not needed) for output
    gradient ``g``."""
    plan = _Plan(input.shape, grid, mode, padding_mode, align_corners)
    n, c = input.shape[:2]
    nd = input.ndim - 2
    grad_input = grad_grid = None
    if mode == "nearest":
        if need_input:
            flat = xp.zeros(input.size, input.dtype)
            count = plan.count
            values = xp.where(plan.inside.reshape(n, 1, count), g.reshape(n, c, count), 0)
            xp.add.at(flat, _nearest_index(input.shape, plan).ravel(), values.ravel())
            grad_input = flat.reshape(input.shape)
        if need_grid:
            grad_grid = xp.zeros(grid.shape, grid.dtype)
        return grad_input, grad_grid
    # (the temporaries in scratch memory: a fresh megabyte each call costs page faults)
    by_point = scratch_array("grid_sampler g", (g.shape[0],) + g.shape[2:] + (c,), g.dtype)
    xp.copyto(by_point, g.transpose(_LAST[g.ndim]))  # g, channels last
    by_point = by_point.reshape(plan.index.shape[1], c)
    if need_input:
        rows = _zeros("grid_sampler rows", (plan.rows + 1, c), g.dtype)
        added_rows(rows, plan.index, plan.weights(), by_point)
        grad_input = _channels_first(rows[:-1], input.shape)
    if need_grid:  # each coordinate's slope of the output, summed over the channels with g
        table = _channels_last(input)
        along = _zeros("grid_sampler rows", (nd,) + by_point.shape, g.dtype)
        for i in range(nd):
            weighted_rows(along[i], table, plan.index, plan.slopes(i))
        # the grid's last dimension holds the coordinates in reverse
        grad_grid = xp.empty(grid.shape, g.dtype)
        xp.einsum("dpc,pc->pd", along[::-1], by_point, out=grad_grid.reshape(by_point.shape[0], nd))
    return grad_input, grad_grid


def _check(nd):
    def check(input, grid, interpolation_mode, padding_mode, align_corners):
        if input.shape[0] != grid.shape[0]:
            raise RuntimeError(
                "grid_sampler(): expected grid and input to have same batch size, but got input "
                f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
            )
        if grid.shape[-1] != input.ndim - 2:
            raise RuntimeError(
                f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, "
                f"but got grid with sizes {list(grid.shape)}"
            )
        for i in range(2, input.ndim):
            if input.shape[i] == 0:
                raise RuntimeError(
                    "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                    f"input has sizes {list(input.shape)} with dimension {i} being empty"
                )
        if input.ndim != nd + 2 or grid.ndim != nd + 2:
            raise RuntimeError(
                f"grid_sampler(): expected {nd + 2}D input and grid with same number of "
                f"dimensions, but got input with sizes {list(input.shape)} and grid with sizes "
                f"{list(grid.shape)}"
            )
        if nd == 3 and interpolation_mode == 2:
            raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
        if input.dtype != grid.dtype:
            raise RuntimeError(
                f"expected scalar type {_dtype_name(input)} but found {_dtype_name(grid)}"
            )
        if input.dtype.kind not in "fV":
            refuse_complex(f"grid_sampler_{nd}d_cpu_kernel_impl", input)
            raise NotImplementedError(
                f"\"grid_sampler_{nd}d_cpu_kernel_impl\" not implemented for '{_dtype_name(input)}'"
            )

    return check


def _added_back(input: Tensor, index: Tensor, share: Tensor) -> Tensor:
    """Each tap's ``share`` [N, C, K * P] of the gradient added into the input's position
    ``index`` names, in the table's ops (differentiable)."""
    n, c = input.shape[:2]
    flat = input.new_zeros((n, c, math.prod(input.shape[2:])))
    return flat.scatter_add(2, index.expand(share.shape), share).reshape(input.shape)


def _grads_arrays(g, node):
    if _switches.forward_ad_hook is not None:  # (forward AD reruns the formulas: in the ops)
        return _grads(g, node)
    arrays = g._data, node.input._data, node.grid._data
    half = arrays[1].dtype if arrays[1].itemsize == 2 else None  # (float16, bfloat16)
    if half is not None:  # computed in float32, as the forward is
        arrays = [a.astype(xp.float32) for a in arrays]
    need_input, need_grid = (fn is not None for fn, _ in node.next_functions)
    grads = _grads_of_arrays(
        *arrays,
        MODES[node.interpolation_mode],
        PADDINGS[node.padding_mode],
        node.align_corners,
        need_input,
        need_grid,
    )
    return tuple(None if a is None else _make(a.astype(half or a.dtype, copy=False)) for a in grads)


@xp.errstate(invalid="ignore", over="ignore")  # (nan and infinite points: silent, as PyTorch)
def _grads(g, node):
    """The input's and the grid's gradients for output gradient ``g``, in the table's ops."""
    input, grid = node.input, node.grid
    mode = MODES[node.interpolation_mode]
    nd = input.ndim - 2
    index, inside, parts = _sampling(
        input, grid, mode, PADDINGS[node.padding_mode], node.align_corners
    )
    n, c = input.shape[:2]
    k, count = inside.shape[2:]
    g = g.reshape(n, c, 1, count)
    need_input, need_grid = (fn is not None for fn, _ in node.next_functions)
    grad_input = grad_grid = None
    if need_input:  # each tap's share of g, added back where the tap reads
        share = where(inside, g * _weights([p[2] for p in parts], nd), g.new_zeros(()))
        grad_input = _added_back(input, index, share.reshape(n, c, k * count))
    if need_grid and mode == "nearest":
        grad_grid = grid.new_zeros(grid.shape)
    elif need_grid:
        tapped = (g * _read(input, index, inside)).sum(1)  # [N, K, P]: over the channels
        along = []
        for i in range(nd):  # d out / d coordinate i: its weights replaced by their slopes
            factors = [p[3] if j == i else p[2] for j, p in enumerate(parts)]
            along.append((tapped * _weights(factors, nd)[:, 0]).sum(1))
        # the grid's last dimension holds the coordinates in reverse
        grad_grid = stack(along[::-1], -1).reshape(grid.shape)
    return grad_input, grad_grid


def _declare(nd):
    def forward(input, grid, interpolation_mode, padding_mode, align_corners):
        return _forward_arrays(
            input, grid, MODES[interpolation_mode], PADDINGS[padding_mode], bool(align_corners)
        )

    forward.__doc__ = (
        f"``torch.grid_sampler_{nd}d``: ``input`` [N, C, {'D, ' if nd == 3 else ''}H, W] read "
        "at the grid's normalised points (modes and paddings as ints, see MODES and PADDINGS)."
    )
    return op(
        f"grid_sampler_{nd}d",
        inputs="input grid",
        saves="input grid",
        check=_check(nd),
        method=False,
        node=f"GridSampler{nd}DBackward0",
        grads=shared_formulas(2, _grads_arrays, _grads),
    )(forward)


grid_sampler_2d = _declare(2)
grid_sampler_3d = _declare(3)

__all__ = ["grid_sampler_2d", "grid_sampler_3d"]
