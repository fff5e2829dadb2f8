"""Fractional max pooling in 2-d and 3-d (Graham, 2014): windows of a fixed size whose starts are
spread pseudo-randomly so that the output has any size between the input's and the input's less a
window.  One uniform sample per (batch, channel, dimension) places the starts; they are computed in
the input's float type, as PyTorch's kernel does, so the same samples give the same windows.

Every window of every plane is read at once by fancy indexing ([N, C, *out, *kernel]); the maximum
is the first largest value in row-major window order, or the last NaN when a window has one.
"""

from .._array import xp
from .pointwise import zero_grad
from .pool3d import _gather, _scatter_add
from .registry import input_edge, op

_NAMES = ("time", "height", "width")


def _starts(samples, size, out, kernel):
    """[N, C, out] window starts along one dimension from its [N, C] samples."""
    last = xp.full(samples.shape + (1,), size - kernel, xp.int64)
    if out == 1:
        return last
    alpha = samples.dtype.type(size - kernel) / samples.dtype.type(out - 1)
    u = samples[..., None]
    i = xp.arange(out - 1, dtype=samples.dtype)
    starts = ((i + u) * alpha).astype(xp.int64) - (u * alpha).astype(xp.int64)
    return xp.concatenate([starts, xp.broadcast_to(last, samples.shape + (1,))], -1)


def check(shape, kernel, out, samples, name):
    """PyTorch's checks of a fractional max pooling's sizes and samples."""
    nd = len(kernel)
    if len(shape) not in (nd + 1, nd + 2) or 0 in shape[-nd - 1 :]:
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(shape)}"
        )
    names = _NAMES[3 - nd :]
    prefix = f"{name}()" if nd == 2 else f"{name}_out()"
    # (the 3-d kernel also refuses windows that would end exactly at the input's last element)
    for n, k, o, what in zip(shape[-nd:], kernel, out, names):
        if o + k - 1 > n or (nd == 3 and o + k - 1 == n):
            raise RuntimeError(f"{prefix}: pool {what} {k} too large relative to input {what} {n}")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batch = shape[0] if len(shape) == nd + 2 else 1
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )


def indices(x, kernel, out, samples):
    """Each window's maximum's flat index into the input's plane (or volume)."""
    nd = len(kernel)
    batched = x.ndim == nd + 2
    a = x if batched else x[None]
    samples = samples[: a.shape[0]]
    size = a.shape[2:]
    # PyTorch's samples run (width, height) in 2-d and (time, height, width) in 3-d
    order = (1, 0) if nd == 2 else (0, 1, 2)
    flat = 0
    place = 1
    for d in reversed(range(nd)):
        start = _starts(samples[..., order[d]], size[d], out[d], kernel[d])
        pos = start[..., None] + xp.arange(kernel[d])  # [N, C, out_d, k_d]
        shape = [1] * (2 * nd)
        shape[d], shape[nd + d] = out[d], kernel[d]
        flat = flat + pos.reshape(pos.shape[:2] + tuple(shape)) * place
        place *= size[d]
    n, c = a.shape[:2]
    # (sizes spelt out, not -1: an empty batch has them all the same)
    windows = _count(out) * _count(kernel)
    flat = xp.broadcast_to(flat, (n, c) + tuple(out) + tuple(kernel)).reshape(n, c, windows)
    values = xp.take_along_axis(a.reshape(n, c, _count(size)), flat, -1).reshape(
        (n, c, _count(out), _count(kernel))
    )
    best = xp.argmax(values, -1)
    if values.dtype.kind in "fV":
        nan = xp.isnan(values)
        if nan.any():  # the last NaN of a window is its maximum
            last = values.shape[-1] - 1 - xp.argmax(nan[..., ::-1], -1)
            best = xp.where(nan.any(-1), last, best)
    chosen = xp.take_along_axis(flat.reshape(values.shape), best[..., None], -1)[..., 0]
    chosen = chosen.reshape((n, c) + tuple(out))
    return chosen if batched else chosen[0]


def _count(sizes):
    return int(xp.prod(sizes)) if len(sizes) else 1


@op(
    saves="self_shape",
    method=False,
    node="FractionalMaxPool2DBackward0",
    grads=(lambda g, n: _fractional_scatter2d(g, input_edge(n), n.indices, n.self_shape),),
)
def _fractional_max_pool2d(self, indices):
    return _gather(self, indices, 2)


@op(
    inputs="self input",
    grads=(lambda g, n: _fractional_max_pool2d(g, n.indices), zero_grad),
    method=False,
    node="FractionalMaxPool2DBackwardBackward0",
)
def _fractional_scatter2d(self, input, indices, input_shape):
    return _scatter_add(self, indices, input_shape, 2)


@op(
    saves="self_shape",
    method=False,
    node="FractionalMaxPool3DBackward0",
    grads=(lambda g, n: _fractional_scatter3d(g, input_edge(n), n.indices, n.self_shape),),
)
def _fractional_max_pool3d(self, indices):
    return _gather(self, indices, 3)


@op(
    inputs="self input",
    grads=(lambda g, n: _fractional_max_pool3d(g, n.indices), zero_grad),
    method=False,
    node="FractionalMaxPool3DBackwardBackward0",
)
def _fractional_scatter3d(self, input, indices, input_shape):
    return _scatter_add(self, indices, input_shape, 3)


__all__: list[str] = []
