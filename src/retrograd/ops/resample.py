"""Resampling by separable linear maps: ``F.interpolate`` in its linear, bilinear, trilinear,
bicubic and nearest-exact modes (with ``antialias`` for bilinear and bicubic) and adaptive
average pooling in 3-d.

Each of these computes every output value as a weighted sum of input values along each spatial
dimension on its own, so it is one (out, in) matrix per dimension, built once per call from
PyTorch's rules for where an output position samples the input (``_source``) and with what
weights.  The forward applies the matrices along the last dimensions; the gradient applies their
transposes (another op, so double backward works); neither loops over elements.
"""

import math

from .. import dtypes
from .._array import xp
from .conv import _adaptive_matrix
from .pointwise import zero_grad
from .registry import dtype_refusal, input_edge, op

_CUBIC_A = -0.75  # the bicubic kernel's parameter (antialiased bicubic uses -0.5)


def _scale(size, out, align_corners, scale_factor):
    """How far apart in the input two neighbouring outputs sample it."""
    if align_corners:
        return (size - 1) / (out - 1) if out > 1 else 0.0
    if scale_factor is not None and scale_factor > 0:
        return 1.0 / scale_factor
    return size / out


def _source(size, out, align_corners, scale_factor, cubic=False):
    """The (fractional) input position each output position samples."""
    scale = _scale(size, out, align_corners, scale_factor)
    i = xp.arange(out, dtype=xp.float64)
    if align_corners:
        return scale * i
    src = scale * (i + 0.5) - 0.5
    return src if cubic else xp.maximum(src, 0.0)


def _linear_matrix(size, out, align_corners, scale_factor):
    m = xp.zeros((out, size))
    rows = xp.arange(out)
    if size == out:  # (PyTorch copies when the sizes agree, whatever the scale)
        m[rows, rows] = 1.0
        return m
    src = _source(size, out, align_corners, scale_factor)
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), size - 1)
    frac = xp.clip(src - i0, 0.0, 1.0)
    i1 = i0 + (i0 < size - 1)
    xp.add.at(m, (rows, i0), 1.0 - frac)
    xp.add.at(m, (rows, i1), frac)
    return m


def _cubic_weights(t, a):
    """The four weights of the cubic convolution kernel for offsets -1, 0, 1, 2 from the sample
    at floor(position), t the fraction past it."""

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _cubic_slopes(t, a):
    """d / dt of each of ``_cubic_weights(t, a)``."""

    def near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    return [far(t + 1.0), near(t), -near(1.0 - t), -far(2.0 - t)]


def _cubic_matrix(size, out, align_corners, scale_factor):
    m = xp.zeros((out, size))
    rows = xp.arange(out)
    src = _source(size, out, align_corners, scale_factor, cubic=True)
    base = xp.floor(src)
    t = src - base
    base = base.astype(xp.int64)
    for k, w in enumerate(_cubic_weights(t, _CUBIC_A)):
        xp.add.at(m, (rows, xp.clip(base - 1 + k, 0, size - 1)), w)  # edges repeat
    return m


def _nearest_exact_matrix(size, out, align_corners, scale_factor):
    # PyTorch works out these positions in float32 whatever the dtype
    scale = xp.float32(1.0 / scale_factor if scale_factor else size / out)
    i = xp.arange(out, dtype=xp.float32)
    src = xp.minimum(xp.floor((i + xp.float32(0.5)) * scale).astype(xp.int64), size - 1)
    m = xp.zeros((out, size))
    m[xp.arange(out), src] = 1.0
    return m


def _aa_triangle(x):
    return xp.maximum(1.0 - xp.abs(x), 0.0)


def _aa_cubic(x):
    a = -0.5
    x = xp.abs(x)
    return xp.where(
        x < 1.0,
        ((a + 2) * x - (a + 3)) * x * x + 1,
        xp.where(x < 2.0, (((x - 5) * x + 8) * x - 4) * a, 0.0),
    )


def _antialiased_matrix(size, out, align_corners, scale_factor, filter_fn, support_size):
    """Downsampling that averages over the filter stretched to the output's spacing (so no
    input value is skipped), each row's weights summing to 1."""
    scale = _scale(size, out, align_corners, scale_factor)
    support = support_size * 0.5 * scale if scale >= 1.0 else support_size * 0.5
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (xp.arange(out) + 0.5)
    lo = xp.maximum((center - support + 0.5).astype(xp.int64), 0)
    hi = xp.minimum((center + support + 0.5).astype(xp.int64), size)
    j = xp.arange(size)
    inside = (j[None, :] >= lo[:, None]) & (j[None, :] < hi[:, None])
    w = xp.where(inside, filter_fn((j[None, :] - center[:, None] + 0.5) * invscale), 0.0)
    total = w.sum(1, keepdims=True)
    return xp.divide(w, total, out=xp.zeros_like(w), where=total != 0)


def _area_matrix(size, out, align_corners, scale_factor):
    return _adaptive_matrix(size, out, xp.float64)


_MATRICES = {
    "linear": _linear_matrix,
    "bilinear": _linear_matrix,
    "trilinear": _linear_matrix,
    "bicubic": _cubic_matrix,
    "nearest-exact": _nearest_exact_matrix,
    "area": _area_matrix,
}


def matrices(mode, in_sizes, out_sizes, align_corners, scale_factors, antialias=False):
    """One (out, in) float64 matrix per spatial dimension."""
    if antialias:
        fn, support = (_aa_triangle, 2) if mode == "bilinear" else (_aa_cubic, 4)
        return tuple(
            _antialiased_matrix(n, o, align_corners, s, fn, support)
            for n, o, s in zip(in_sizes, out_sizes, scale_factors)
        )
    build = _MATRICES[mode]
    return tuple(
        build(n, o, align_corners, s) for n, o, s in zip(in_sizes, out_sizes, scale_factors)
    )


def _fixed_point(m):
    """The weights ``m`` as integers with ``bits`` fractional bits, as PyTorch's uint8 kernels
    take them: the most bits (up to 22) that keep the largest weight below 2**15, each weight
    rounded half away from zero."""
    top = float(m.max()) if m.size else 0.0
    bits = 0
    while bits < 22 and int(0.5 + top * (1 << (bits + 1))) < (1 << 15):
        bits += 1
    return xp.trunc(m * (1 << bits) + xp.where(m < 0, -0.5, 0.5)), bits


def _apply_uint8(a, mats):
    """``_apply`` for 8-bit images as PyTorch computes them: in fixed point, the last dimension
    first, each pass rounded to the nearest integer and clamped to 0..255 (the sums are of
    integers below 2**53, exact in float64)."""
    lead = a.ndim - len(mats)
    for j in reversed(range(len(mats))):
        weights, bits = _fixed_point(mats[j])
        axis = lead + j
        sums = xp.tensordot(a.astype(xp.float64), weights, axes=([axis], [1])).astype(xp.int64)
        a = xp.moveaxis((sums + (1 << (bits - 1))) >> bits, -1, axis)
        a = xp.clip(a, 0, 255).astype(xp.uint8)
    return xp.ascontiguousarray(a)


def _apply(a, mats):
    """``a`` with each matrix applied along its dimension (the last ``len(mats)`` dimensions)."""
    if a.dtype == xp.uint8:
        return _apply_uint8(a, mats)
    lead = a.ndim - len(mats)
    for j, m in enumerate(mats):
        axis = lead + j
        a = xp.moveaxis(
            xp.tensordot(a, m.astype(a.dtype, copy=False), axes=([axis], [1])), -1, axis
        )
    return xp.ascontiguousarray(a)


def _transposed(mats):
    return tuple(m.T for m in mats)


def _resampling(node):
    """The op applying the matrices, named ``node``, and its adjoint (named as PyTorch names the
    backward's own node), each the other's gradient.  Adaptive average pooling's adjoint also
    takes the pooled input, with a zero derivative, as PyTorch's does (see ``input_edge``)."""
    back_node = node[: -len("Backward0")] + "BackwardBackward0"
    takes_input = node.startswith("AdaptiveAvgPool")

    def forward(self, mats):
        return _apply(self, mats)

    def backward(grad_output, mats):
        return _apply(grad_output, mats)

    def backward_with_input(grad_output, input, mats):
        return _apply(grad_output, mats)

    def gradient(g, n):
        if takes_input:
            return adjoint(g, input_edge(n), _transposed(n.mats))
        return adjoint(g, _transposed(n.mats))

    resample = op("_" + node, method=False, node=node, grads=(gradient,))(forward)
    adjoint = op(
        "_" + back_node,
        inputs="grad_output input" if takes_input else "grad_output",
        method=False,
        node=back_node,
        grads=(lambda g, n: resample(g, _transposed(n.mats)), zero_grad)[: 1 + takes_input],
    )(backward_with_input if takes_input else backward)
    return resample


NODES = {
    ("linear", 1): "UpsampleLinear1DBackward0",
    ("bilinear", 2): "UpsampleBilinear2DBackward0",
    ("bicubic", 2): "UpsampleBicubic2DBackward0",
    ("trilinear", 3): "UpsampleTrilinear3DBackward0",
    ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
    ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
    ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
    ("bilinear-aa", 2): "UpsampleBilinear2DAaBackward0",
    ("bicubic-aa", 2): "UpsampleBicubic2DAaBackward0",
    ("area", 3): "AdaptiveAvgPool3DBackward0",
}
OPS = {key: _resampling(node) for key, node in NODES.items()}


# the kernel PyTorch names when it refuses an input's dtype: integers (but uint8 for the modes
# below), complex numbers, and float16 and bfloat16 when antialiased
_INTEGER_KERNELS = {
    ("linear", False): "compute_indices_weights_linear",
    ("trilinear", False): "compute_indices_weights_linear",
    ("bilinear", False): "upsample_bilinear2d_channels_last",
    ("bicubic", False): "compute_indices_weights_cubic",
    ("bilinear", True): "compute_index_ranges_weights",
    ("bicubic", True): "compute_index_ranges_weights",
    ("nearest-exact", False): "compute_indices_weights_nearest",
    ("area", False): "adaptive_avg_pool3d_cpu",
}
_UINT8_MODES = ("bilinear", "bicubic", "nearest-exact")


def _check_dtype(input, mode, k, antialias):
    dtype = input.dtype
    if dtype.is_floating_point and not (antialias and dtype.itemsize == 2):
        return
    if dtype is dtypes.uint8 and mode in _UINT8_MODES:
        return
    kernel = _INTEGER_KERNELS[(mode, antialias)]
    if mode == "nearest-exact" and k == 2:
        kernel = "upsample_nearest2d_channels_last"
    raise dtype_refusal(kernel, input)


def resample(input, mode, out_sizes, align_corners=False, scale_factors=None, antialias=False):
    """``input`` resampled over its last ``len(out_sizes)`` dimensions."""
    k = len(out_sizes)
    _check_dtype(input, mode, k, bool(antialias))
    scale_factors = scale_factors or (None,) * k
    in_sizes = tuple(input.shape[input.ndim - k :])
    mats = matrices(mode, in_sizes, out_sizes, bool(align_corners), scale_factors, antialias)
    return OPS[(mode + "-aa" if antialias else mode, k)](input, mats)


def upsample_bilinear2d_aa(
    input, output_size, align_corners, scales_h=None, scales_w=None, *, scale_factors=None
):
    """``torch.ops.aten._upsample_bilinear2d_aa``: antialiased bilinear resampling of a 4-D
    input to ``output_size``, or (given as the fourth argument, a list: the ``vec`` overload)
    by ``scale_factors``, the output's size their floor."""
    if isinstance(scales_h, (list, tuple)):  # the vec overload's scale_factors
        scale_factors = scales_h
    elif scale_factors is None and (scales_h is not None or scales_w is not None):
        scale_factors = (scales_h, scales_w)
    in_sizes = tuple(input.shape[2:])
    if output_size is None:
        output_size = [math.floor(n * f) for n, f in zip(in_sizes, scale_factors)]
    return resample(
        input,
        "bilinear",
        tuple(output_size),
        align_corners,
        None if scale_factors is None else tuple(scale_factors),
        antialias=True,
    )


def adaptive_avg_pool3d(input, output_size):
    """``F.adaptive_avg_pool3d``: the mean over an even split of the last three dimensions into
    ``output_size`` cells (None keeps a size)."""
    if input.ndim not in (4, 5):
        raise RuntimeError(
            f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {list(input.shape)}"
        )
    sizes = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    sizes = tuple(n if o is None else o for n, o in zip(input.shape[-3:], sizes))
    if math.prod(sizes) == 1:  # one cell: the mean over the three dimensions
        return input.mean((-3, -2, -1), keepdim=True)
    return resample(input, "area", sizes)


__all__: list = []
