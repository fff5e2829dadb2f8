"""Sampling an input at the points of a grid: ``torch.grid_sampler_2d`` and ``grid_sampler_3d``,
behind ``F.grid_sample``, in bilinear (trilinear), nearest and bicubic modes, with zeros, border or
reflection padding.

Each output value is a weighted sum of the input at a few integer taps around its point (2 per
dimension for bilinear, 4 for bicubic, 1 for nearest): one gather of every tap of every point,
and products of per-dimension weights, with no loop over points.  One call is one node,
PyTorch's ``GridSampler2DBackward0`` (``3D``); its gradients are written in the table's ops
(a scatter-add of the weighted output gradient for the input, the weights' slopes for the grid),
computed once for both inputs, and differentiable again: double backward works.
"""

import math

from .. import _switches
from .._array import xp
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


def _sample(input, grid, mode, padding_mode, align_corners):
    nd = input.ndim - 2
    index, inside, parts = _sampling(input, grid, mode, padding_mode, align_corners)
    values = _read(input, index, inside)
    out = (values * _weights([p[2] for p in parts], nd)).sum(2)
    return out.reshape(tuple(input.shape[:2]) + tuple(grid.shape[1:-1]))


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


def _added_back_arrays(input: Tensor, index: Tensor, share: Tensor) -> Tensor:
    """``_added_back`` without a graph: one count of weighted flat positions (several times
    faster than a scatter-add)."""
    n, c = input.shape[:2]
    plane = math.prod(input.shape[2:])
    rows = xp.arange(n * c).reshape(n, c, 1) * plane
    flat = (rows + index._data).ravel()
    summed = xp.bincount(flat, weights=share._data.ravel(), minlength=n * c * plane)
    return _make(summed.astype(input.dtype.np, copy=False).reshape(input.shape))


def _grads_arrays(g, node):
    if _switches.forward_ad_hook is not None:  # (forward AD reruns the formulas: in the ops)
        return _grads(g, node)
    return _grads(g, node, _added_back_arrays)


@xp.errstate(invalid="ignore", over="ignore")  # (nan and infinite points: silent, as PyTorch)
def _grads(g, node, added_back=_added_back):
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
        grad_input = added_back(input, index, share.reshape(n, c, k * count))
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
    @xp.errstate(invalid="ignore", over="ignore")  # (as _grads)
    def forward(input, grid, interpolation_mode, padding_mode, align_corners):
        out = _sample(
            _make(input),
            _make(grid),
            MODES[interpolation_mode],
            PADDINGS[padding_mode],
            bool(align_corners),
        )
        return out._data

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
