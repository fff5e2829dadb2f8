"""3-d max and average pooling, and max unpooling in 2-d and 3-d, vectorised as the 2-d pooling in
``conv`` is: strided window views over the padded volume, a running maximum or a sum over the
kernel offsets (k**3 whole-array steps, never a loop over windows), and indices into the flattened
D*H*W volume of the input, as PyTorch numbers them.

Max pooling's gradient scatters back through the indices and its double backward gathers again;
max unpooling is the scatter (later values win where indices repeat, as in PyTorch's kernel) and its
gradient is the gather.
"""

import functools
import itertools

from .._array import xp
from ..tensor import _make
from .conv import (
    _adaptive_windows,
    _max_pool2d,
    _pad,
    _pool_out,
    _prod,
    _windows,
    window_mean,
)
from .pointwise import _dtype_name, zero_grad
from .registry import declared_again, dtype_refusal, input_edge, op


def _triple(value, message, allow_empty=False):
    if isinstance(value, int):
        return (value,) * 3
    value = tuple(value)
    if len(value) == 1:
        return value * 3
    if len(value) != 3 and not (allow_empty and not value):
        raise RuntimeError(message)
    return value


def _pool3d_geometry(shape, kernel_size, stride, padding, dilation, ceil_mode, name):
    """Kernel, stride, per-side pads (the right one far enough for a ceil_mode window), dilation
    and output size of a 3-d pooling, with PyTorch's checks and messages."""
    average = name == "avg_pool3d"
    must = "must be" if average else "must either be"
    kernel = _triple(
        kernel_size, f"{name}: kernel_size {must} a single int, or a tuple of three ints"
    )
    omitted = "must be omitted" if average else "must either be omitted"
    stride = _triple(
        stride if stride is not None else (),
        f"{name}: stride {omitted}, a single int, or a tuple of three ints",
        allow_empty=True,
    )
    stride = stride or kernel
    padding = _triple(padding, f"{name}: padding {must} a single int, or a tuple of three ints")
    dilation = _triple(
        dilation, f"{name}: dilation must be either a single int, or a tuple of three ints"
    )
    if len(shape) not in (4, 5) or 0 in shape[1:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            "dilation should be greater than zero, but got dilationT: {} dilationH: {} "
            "dilationW: {}".format(*dilation)
        )
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    size = tuple(shape[-3:])
    if average and any(n < k for n, k in zip(size, kernel)):
        raise RuntimeError(
            "input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} kH: {} kW: {})".format(
                *size, *kernel
            )
        )
    out = tuple(
        _pool_out(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip(size, kernel, stride, padding, dilation)
    )
    if any(o <= 0 for o in out):
        c = shape[-4]
        raise RuntimeError(
            "Given input size: ({}x{}x{}x{}). Calculated output size: ({}x{}x{}x{}). Output size "
            "is too small".format(c, *size, c, *out)
        )
    pads = tuple(
        (p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
        for n, k, s, p, d, o in zip(size, kernel, stride, padding, dilation, out)
    )
    return kernel, stride, padding, pads, dilation, out


@functools.lru_cache(maxsize=64)
def _index_parts(kernel, stride, lows, dilation, out, size):
    """The flat volume offset of each kernel offset from its window's corner, and each window's
    corner (a pool index is their sum)."""
    place = (size[1] * size[2], size[2], 1)
    steps = sum(
        (xp.arange(k) * d * p).reshape((-1,) + (1,) * (2 - i))
        for i, (k, d, p) in enumerate(zip(kernel, dilation, place))
    )
    corner = sum(
        ((xp.arange(o) * s - lo) * p).reshape((-1,) + (1,) * (2 - i))
        for i, (o, s, lo, p) in enumerate(zip(out, stride, lows, place))
    )
    steps.flags.writeable = corner.flags.writeable = False
    return steps.ravel(), corner


def _max_pool3d_arrays(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Each window's maximum and its flat index into the input's D*H*W volume: a running maximum
    over the kernel offsets; a later value wins only when greater, or when it is NaN."""
    kernel, stride, _, pads, dilation, out = _pool3d_geometry(
        x.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d"
    )
    fill = -xp.inf if x.dtype.kind in "fV" else xp.iinfo(x.dtype).min
    win = _windows(_pad(x, pads, fill), out, kernel, stride, dilation)
    head = (slice(None),) * (x.ndim - 3 + 3)
    spots = [head + k for k in itertools.product(*map(range, kernel))]
    best = win[spots[0]].copy()
    code = xp.uint8 if len(spots) < 256 else xp.int32
    arg = xp.zeros(best.shape, code)
    wins = xp.empty(best.shape, bool)
    for k, where in enumerate(spots[1:], 1):
        v = win[where]
        xp.greater(v, best, out=wins)
        xp.maximum(best, v, out=best)
        xp.maximum(arg, wins.view(xp.uint8) * code(k), out=arg)
    if x.dtype.kind in "fV" and xp.isnan(best).any():  # the last NaN of a window is its maximum
        for k, where in enumerate(spots):
            xp.maximum(arg, xp.isnan(win[where]).view(xp.uint8) * code(k), out=arg)
    steps, corner = _index_parts(
        kernel, stride, tuple(lo for lo, _ in pads), dilation, out, tuple(x.shape[-3:])
    )
    return best, steps.take(arg) + corner


def _gather(self, indices, nd):
    """The values of ``self`` at flat indices into its last ``nd`` dimensions."""
    volume = _prod(self.shape[-nd:])
    lead = _prod(indices.shape[:-nd])
    per = _prod(indices.shape[-nd:])  # (not -1: an empty batch has every size)
    flat = (indices.reshape(lead, per) + (xp.arange(lead) * volume)[:, None]).ravel()
    return self.ravel()[flat].reshape(indices.shape)


def _scatter_add(self, indices, input_shape, nd):
    """Each value added at the flat index (into the last ``nd`` dims of ``input_shape``) it has."""
    total = _prod(input_shape)
    if indices.size == 0:
        return xp.zeros(input_shape, self.dtype)
    volume = _prod(input_shape[-nd:])
    lead = _prod(indices.shape[:-nd])
    flat = (indices.reshape(lead, -1) + (xp.arange(lead) * volume)[:, None]).ravel()
    summed = xp.bincount(flat, weights=self.ravel(), minlength=total)
    return summed.astype(self.dtype, copy=False).reshape(input_shape)


@op(
    saves="self_shape",
    method=False,
    node="MaxPool3DWithIndicesBackward0",
    grads=(lambda g, n: _pool_scatter3d(g, input_edge(n), n.indices, n.self_shape),),
)
def _max_pool3d(self, indices, values=None):
    """The input values at the pool indices (``values``, when the caller already has them)."""
    return values if values is not None else _gather(self, indices, 3)


@op(
    inputs="self input",
    grads=(lambda g, n: _max_pool3d(g, n.indices), zero_grad),
    method=False,
    node="MaxPool3DWithIndicesBackwardBackward0",
)
def _pool_scatter3d(self, input, indices, input_shape):
    """The adjoint of ``_max_pool3d``: each gradient added back where its maximum was
    (``input``: the pooled input's edge, see ``input_edge``)."""
    return _scatter_add(self, indices, input_shape, 3)


_adaptive_pool_scatter3d = declared_again(
    _pool_scatter3d, "_adaptive_pool_scatter3d", "AdaptiveMaxPool3DBackwardBackward0"
)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``torch.nn.functional.max_pool3d``: the maximum of each window of the volume (and its flat
    index into the input's D*H*W volume with ``return_indices``)."""
    if input._data.dtype == xp.bool_:
        raise dtype_refusal("max_pool3d", input)
    values, indices = _max_pool3d_arrays(
        input._data, kernel_size, stride, padding, dilation, ceil_mode
    )
    out = _max_pool3d(input, indices, values)
    return (out, _make(indices)) if return_indices else out


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``torch.nn.functional.max_pool3d_with_indices``: window maxima and their indices."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# --- adaptive max pooling ---------------------------------------------------------------------


def _adaptive_max3d_arrays(x, sizes):
    """Each cell's maximum and the flat D*H*W index of its first maximum in row-major order."""
    d, h, w = x.shape[-3:]
    dw, hw, ww = (_adaptive_windows(n, o) for n, o in zip((d, h, w), sizes, strict=True))
    od, oh, ow = sizes
    ld, lh, lw = dw.shape[1], hw.shape[1], ww.shape[1]
    flat = (
        dw[:, None, None, :, None, None] * (h * w)
        + hw[None, :, None, None, :, None] * w
        + ww[None, None, :, None, None, :]
    ).reshape(od, oh, ow, ld * lh * lw)
    lead = x.shape[:-3]
    windows = x.reshape(*lead, d * h * w)[..., flat]
    arg = xp.argmax(windows, -1)
    indices = xp.take_along_axis(xp.broadcast_to(flat, windows.shape), arg[..., None], -1)[..., 0]
    values = xp.take_along_axis(windows, arg[..., None], -1)[..., 0]
    return values, indices


@op(
    saves="self_shape",
    method=False,
    node="AdaptiveMaxPool3DBackward0",
    grads=(lambda g, n: _adaptive_pool_scatter3d(g, input_edge(n), n.indices, n.self_shape),),
)
def _adaptive_max_pool3d(self, indices, values=None):
    """The input values at the cells' maximum indices (``values``, when the caller has them)."""
    return values if values is not None else _gather(self, indices, 3)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """``torch.nn.functional.adaptive_max_pool3d``: the maximum over an even split of the volume
    into ``output_size`` cells (None keeps a size), and its flat index into the input's D*H*W
    volume with ``return_indices``."""
    if input.ndim not in (4, 5):
        raise RuntimeError(
            f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: {list(input.shape)}"
        )
    sizes = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 3:
        raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    for dim in range(1 if input.ndim == 5 else 0, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(
                "adaptive_max_pool3d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} being "
                "empty"
            )
    sizes = tuple(n if o is None else o for n, o in zip(input.shape[-3:], sizes, strict=True))
    if min(sizes) < 0:
        raise RuntimeError(
            "Trying to create tensor with negative dimension "
            f"{min(sizes)}: {list(input.shape[:-3]) + list(sizes)}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"adaptive_max_pool3d_cpu\" not implemented for '{_dtype_name(input._data)}'"
        )
    values, indices = _adaptive_max3d_arrays(input._data, sizes)
    out = _adaptive_max_pool3d(input, indices, values)
    return (out, _make(indices)) if return_indices else out


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """``torch.nn.functional.adaptive_max_pool3d_with_indices``: cell maxima and their indices."""
    return adaptive_max_pool3d(input, output_size, True)


# --- average pooling --------------------------------------------------------------------------


def _avg_geometry3d(
    shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dtype
):
    kernel, stride, padding, pads, _, out = _pool3d_geometry(
        shape, kernel_size, stride, padding, 1, ceil_mode, "avg_pool3d"
    )
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return kernel, stride, pads, out, divisor_override
    counts = []
    for n, k, s, p, o in zip(shape[-3:], kernel, stride, padding, out):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)  # a ceil_mode window is cut at the padded edge
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, n)
        counts.append(end - start)
    divisor = xp.multiply.outer(xp.multiply.outer(counts[0], counts[1]), counts[2])
    return kernel, stride, pads, out, divisor.astype(dtype if dtype.kind in "fcV" else xp.int64)


def _avg_pool3d_grad(g, n):
    return _avg_pool3d_backward(
        g,
        input_edge(n),
        n.self_shape,
        n.kernel_size,
        n.stride,
        n.padding,
        n.ceil_mode,
        n.count_include_pad,
        n.divisor_override,
    )


@op(saves="self_shape", method=False, node="AvgPool3DBackward0", grads=(_avg_pool3d_grad,))
def avg_pool3d(
    self,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """``torch.nn.functional.avg_pool3d``: the mean of each window of the volume (int64
    windows divided toward zero; other integer types PyTorch refuses)."""
    if self.dtype.kind not in "fV" and self.dtype != xp.int64:
        raise dtype_refusal("avg_pool3d_out_frame", self)
    kernel, stride, pads, out, divisor = _avg_geometry3d(
        self.shape,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        self.dtype,
    )
    win = _windows(_pad(self, pads), out, kernel, stride, (1, 1, 1))
    return window_mean(win.sum((-3, -2, -1)), divisor)


@op(
    grads=(
        lambda gg, n: avg_pool3d(
            gg,
            n.kernel_size,
            n.stride,
            n.padding,
            n.ceil_mode,
            n.count_include_pad,
            n.divisor_override,
        ),
        zero_grad,
    ),
    inputs="self input",
    method=False,
    node="AvgPool3DBackwardBackward0",
)
def _avg_pool3d_backward(
    self,
    input,
    input_shape,
    kernel_size,
    stride,
    padding,
    ceil_mode,
    count_include_pad,
    divisor_override,
):
    """The adjoint of ``avg_pool3d``: each window's gradient spread evenly over the window."""
    from .conv import _col2im

    kernel, stride, pads, out, divisor = _avg_geometry3d(
        input_shape,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        self.dtype,
    )
    g = self / divisor
    lead = g.shape[:-3]
    cols = xp.broadcast_to(g[..., None, None, None, :, :, :], lead + kernel + out)
    return _col2im(
        cols, input_shape[-3:], stride, (1, 1, 1), tuple(lo for lo, _ in pads), len(lead)
    )


# --- max unpooling ----------------------------------------------------------------------------


def _unpool_scatter(x, indices, size):
    """A zero [*lead, *size] array with each value of ``x`` written at its flat index (into the
    ``size`` volume); PyTorch's messages for indices of the wrong type, shape or range."""
    nd = len(size)
    if indices.dtype != xp.int64:
        from .pointwise import _dtype_name

        raise RuntimeError(
            f"elements in indices should be type int64 but got: {_dtype_name(indices)}"
        )
    if indices.shape != x.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor ("
            f"{list(x.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    volume = _prod(size)
    bad = (indices < 0) | (indices >= volume)
    if bad.any():
        first = indices.ravel()[int(xp.argmax(bad.ravel()))]
        raise RuntimeError(
            f"Found an invalid max index: {first} (output volumes are of size "
            + "x".join(map(str, size))
            + ")"
        )
    lead = _prod(x.shape[:-nd])
    out = xp.zeros((lead, volume), x.dtype)
    out[xp.arange(lead)[:, None], indices.reshape(lead, -1)] = x.reshape(lead, -1)
    return out.reshape(x.shape[:-nd] + tuple(size))


@op(
    method=False,
    node="MaxUnpool2DBackward0",
    grads=(lambda g, n: _max_pool2d(g, n.indices),),
    jvp="linear",
)
def _max_unpool2d(self, indices, output_size):
    return _unpool_scatter(self, indices, output_size)


@op(
    method=False,
    node="MaxUnpool3DBackward0",
    grads=(lambda g, n: _max_pool3d(g, n.indices),),
    jvp="linear",
)
def _max_unpool3d(self, indices, output_size):
    return _unpool_scatter(self, indices, output_size)


__all__ = ["max_pool3d"]  # (torch has no top-level avg_pool3d)
