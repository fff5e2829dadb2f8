"""Convolution and pooling, vectorised: strided window views (im2col) into one batched matmul.

A convolution reads every input window through an ``as_strided`` view, copies the windows once into
a ``[groups, positions, kernel * channels]`` matrix and multiplies it by the weight (with fewer
channels a group than the output is wide, ``[images, groups, channels * kernel, positions]``
instead, in the input's own layout: see ``_planar_pays``).  The transposed
convolution multiplies first and then adds the columns back into place (col2im): a loop over the
kernel offsets (k*k iterations of whole-array adds), never over pixels.  Both go a few images at a
time (``_CHUNK_BYTES`` of columns), so that the columns stay in cache between the copy or product
that writes them and the product or adds that read them.

Padding is kept per side, ``(lo, hi)`` for each spatial dimension: ``padding='same'`` with an even
kernel pads one more on the right, and the adjoint of a transposed convolution with
``output_padding`` reads past the end (a negative ``hi``, which crops).

The derivative formulas are convolutions again, so double backward needs no extra code:
the input gradient of a convolution is a transposed convolution and the reverse; the weight gradient
is ``_conv_weight``, a primitive of its own whose two gradients are both convolutions.  Without
create_graph, a backward call makes the gradients it needs in one pass over the images
(``_conv_backward``): what two of them read is copied once per chunk, the output gradient's rows
for a convolution's input, weight and bias gradients, the output gradient's columns for a
transposed convolution's.
"""

import functools
import itertools

from .. import _meta, _switches
from .._array import scratch_array as _scratch_array
from .._array import xp
from .._switches import grad_mode as _grad_state
from ..tensor import Tensor, _make
from . import autocast as _autocast
from .pointwise import _SAME_WIDTH_INT, cj, zero_grad
from .registry import (
    declared_again,
    dtype_refusal,
    input_edge,
    op,
    refuse_complex,
    refuse_unless_floating,
    shared_formulas,
)

_as_strided = xp.lib.stride_tricks.as_strided

# --- geometry ---------------------------------------------------------------------------------


def _ntuple(value, nd, name):
    """An int or a sequence as one value per spatial dimension (as PyTorch expands them)."""
    if isinstance(value, int):
        return (value,) * nd
    value = tuple(value)
    if len(value) == 1 and nd != 1:
        return value * nd
    if len(value) != nd:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {nd} values to match the "
            f"convolution dimensions, but got {name}={list(value)}"
        )
    return value


def _conv_pads(padding, kernel, dilation):
    """Padding as ``(lo, hi)`` per spatial dimension, from ints, pairs, 'valid' or 'same'."""
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    return tuple(p if isinstance(p, tuple) else (p, p) for p in _ntuple(padding, nd, "padding"))


def _geometry(weight_shape, stride, padding, dilation):
    """``(kernel, stride, pads, dilation)`` as tuples, from the arguments as the caller gave them
    (cached per shape and arguments: a convolution and its gradients ask for it several times)."""
    try:
        return _cached_geometry(weight_shape, stride, padding, dilation)
    except TypeError:  # an argument that cannot be hashed (a list): worked out afresh
        return _work_out_geometry(weight_shape, stride, padding, dilation)


def _work_out_geometry(weight_shape, stride, padding, dilation):
    kernel = tuple(weight_shape[2:])
    nd = len(kernel)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    return kernel, stride, _conv_pads(padding, kernel, dilation), dilation


_cached_geometry = functools.lru_cache(maxsize=256, typed=True)(_work_out_geometry)


def _prod(values):
    n = 1
    for v in values:
        n *= v
    return n


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


# --- array kernels ----------------------------------------------------------------------------


def _pad(a, pads, value=0.0, first=None, scratch=None):
    """``a`` padded by ``(lo, hi)`` on the dims from ``first`` on (default: the trailing ones); a
    negative ``hi`` crops instead.  ``scratch``: a slot of scratch memory to pad into, for a
    padded copy that no result keeps."""
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return a
    nd = len(pads)
    first = a.ndim - nd if first is None else first
    head = (slice(None),) * first
    sizes = a.shape[first : first + nd]
    if any(hi < 0 for _, hi in pads):
        a = a[head + tuple(slice(0, n + min(hi, 0)) for n, (_, hi) in zip(sizes, pads))]
        sizes = a.shape[first : first + nd]
    if all(lo == 0 and hi <= 0 for lo, hi in pads):
        return a
    shape = (
        a.shape[:first]
        + tuple(n + lo + max(hi, 0) for n, (lo, hi) in zip(sizes, pads))
        + a.shape[first + nd :]
    )
    if scratch is None:
        out = xp.zeros(shape, a.dtype) if value == 0 else xp.full(shape, value, a.dtype)
    else:
        out = _scratch_array(scratch, shape, a.dtype)
        out.fill(value)
    out[head + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))] = a
    return out


def _windows(a, out, kernel, stride, dilation, first=None):
    """A read-only view of the windows over ``a``'s dims from ``first`` on (default: the trailing
    ones): ``[*before, *out, *kernel, *after]``."""
    nd = len(kernel)
    first = a.ndim - nd if first is None else first
    st = a.strides
    return _as_strided(
        a,
        a.shape[:first] + tuple(out) + tuple(kernel) + a.shape[first + nd :],
        st[:first]
        + tuple(st[first + i] * stride[i] for i in range(nd))
        + tuple(st[first + i] * dilation[i] for i in range(nd))
        + st[first + nd :],
        writeable=False,
    )


def _out_size(size, kernel, stride, pads, dilation):
    return tuple(
        (n + lo + hi - d * (k - 1) - 1) // s + 1
        for n, k, s, (lo, hi), d in zip(size, kernel, stride, pads, dilation)
    )


# Inputs and results are (N, C, *spatial), as PyTorch lays them out (a channels-last view of the
# memory made ``x.view(n, -1)`` after a convolution or a pool fail, as PyTorch's MNIST example
# does, made ``is_contiguous()`` False and laid dropout's mask over other elements).  Inside, a
# chunk of images at a time works channels-last (N, *spatial, C), as PyTorch's fast CPU
# convolutions do: a window is then a few runs of contiguous channels, so im2col copies runs
# instead of single values.  The channels-last rows a product gives go into the (N, C, *spatial)
# result while the chunk is in cache (one transposition per chunk, which also adds the bias); an
# (N, C, *spatial) gradient comes into a chunk as [C, positions], whose transpose a product reads
# as the channels-last rows it is.


def _channels_last(a):
    return a.transpose((0,) + tuple(range(2, a.ndim)) + (1,))


def _channels_first(a):
    return a.transpose((0, a.ndim - 1) + tuple(range(1, a.ndim - 1)))


def _rows_chunk(a, start, stop, groups, slot):
    """Images ``start:stop`` of ``a`` [N, C, *S] as one [C/G, (stop - start) * prod(S)] matrix
    per group, copied into scratch memory's ``slot`` (runs of prod(S) values: cheap, and in
    cache for the product that reads it next).  Its transpose is the chunk's channels-last
    rows, which a product reads as they are (a transposed operand costs it nothing)."""
    n, c = stop - start, a.shape[1]
    per = a[0, 0].size
    part = a[start:stop].reshape(n, groups, c // groups, per).transpose(1, 2, 0, 3)
    out = _scratch_array(slot, part.shape, a.dtype)
    xp.copyto(out, part)
    return out.reshape(groups, c // groups, n * per)


def _store_chunk(res, out, start, stop, bias=None):
    """A chunk's result, [G, (stop - start) * prod(S), O/G] (channels-last rows, in cache),
    written into images ``start:stop`` of ``out`` [N, O, *S], plus ``bias`` [G, O/G, 1] when given
    (the transposition and the bias in one pass)."""
    groups, og = res.shape[0], res.shape[2]
    n = stop - start
    src = res.reshape(groups, n, -1, og).transpose(1, 0, 3, 2)  # [n, G, O/G, prod(S)]
    dst = out[start:stop].reshape(src.shape)
    if bias is None:
        xp.copyto(dst, src)
    else:
        xp.add(src, bias, out=dst)


# The columns are made and multiplied a few images at a time: a chunk this big stays in the
# core's L2 cache from the copy that writes it to the product that reads it, where a whole
# batch's columns (megabytes) would go out to memory and come back.
_CHUNK_BYTES = 1 << 19


def _chunk_size(n, item_bytes):
    """How many of a batch's ``n`` items make about ``_CHUNK_BYTES`` (at least one)."""
    return max(1, min(n, _CHUNK_BYTES // max(1, item_bytes)))


def _chunks(n, step):
    """``(start, stop)`` of each chunk of ``step`` images in a batch of ``n``."""
    for start in range(0, n, step):
        yield start, min(n, start + step)


def _window_view(x, out, kernel, stride, pads, dilation, groups):
    """The windows of ``x`` [N, C, *S] as a view [G, N, *out, *kernel, C/G] of a padded,
    channels-last copy (in scratch memory): a window is then a few runs of channels."""
    c = x.shape[1]
    nd = len(kernel)
    padded = _pad(_channels_last(x), pads, first=1, scratch="padded")
    win = _windows(padded, out, kernel, stride, dilation, first=1)  # [N, *out, *k, C]
    win = win.reshape(win.shape[:-1] + (groups, c // groups))  # [N, *out, *k, G, C/G]: a view
    return win.transpose((1 + 2 * nd, 0) + tuple(range(1, 1 + 2 * nd)) + (2 + 2 * nd,))


def _column_store(win):
    """How many images of a ``_window_view`` a chunk of columns takes, and scratch memory for
    one chunk's columns: [G, step * prod(out), prod(k) * C/G]."""
    groups, n = win.shape[:2]
    nd = (win.ndim - 3) // 2
    per, kc = _prod(win.shape[2 : 2 + nd]), _prod(win.shape[2 + nd :])
    step = _chunk_size(n, groups * per * kc * win.itemsize)
    return step, _scratch_array("cols", (groups, step * per, kc), win.dtype)


def _im2col(win, start, stop, store):
    """The windows of images ``start:stop`` of a ``_window_view``, copied into ``store`` (from
    ``_column_store``) as one matrix per group: [G, (stop - start) * prod(out), prod(k) * C/G]."""
    per = _prod(win.shape[2 : 2 + (win.ndim - 3) // 2])
    cols = store[:, : (stop - start) * per]
    xp.copyto(cols.reshape((win.shape[0], stop - start) + win.shape[2:]), win[:, start:stop])
    return cols


class _Convolved:
    """A convolution's result [N, O, *out], made a chunk of images at a time from the chunk's
    columns (``add``): their product with the weight gives channels-last rows, which go into the
    (N, O, *out) result while they are in cache, the bias added on the way."""

    __slots__ = ("result", "wmat", "bias", "per", "store")

    def __init__(self, w, groups, n, out, step, dtype, bias=None):
        o, nd = w.shape[0], w.ndim - 2
        # the weight as [G, prod(k) * C/G, O/G], in the (kernel, channel) order of the columns
        self.wmat = (
            w.reshape((groups, o // groups) + w.shape[1:])
            .transpose((0,) + tuple(range(3, 3 + nd)) + (2, 1))
            .reshape(groups, -1, o // groups)
        )
        self.result = xp.empty((n, o) + tuple(out), dtype)
        self.bias = None if bias is None else bias.reshape(groups, o // groups, 1)
        self.per = _prod(out)
        self.store = _scratch_array("conv rows", (groups, step * self.per, o // groups), dtype)

    def add(self, cols, start, stop):
        part = xp.matmul(cols, self.wmat, out=self.store[:, : (stop - start) * self.per])
        _store_chunk(part, self.result, start, stop, self.bias)


def _conv_forward(x, w, stride, pads, dilation, groups, bias=None):
    """The convolution of ``x`` by ``w`` (plus ``bias``), a chunk of images at a time."""
    out = _out_size(x.shape[2:], w.shape[2:], stride, pads, dilation)
    if _planar_pays(x.shape[1] // groups, out):
        return _planar_conv_forward(x, w, out, stride, pads, dilation, groups, bias)
    win = _window_view(x, out, w.shape[2:], stride, pads, dilation, groups)
    step, store = _column_store(win)
    conv = _Convolved(w, groups, x.shape[0], out, step, xp.result_type(x.dtype, w.dtype), bias)
    for start, stop in _chunks(x.shape[0], step):
        conv.add(_im2col(win, start, stop, store), start, stop)
    return conv.result


# With few channels a group, a channels-last window is a few runs of a few values each, and the
# copy that makes the columns goes a value or two at a time.  Such a convolution makes its columns
# in the input's own (N, C, *S) layout instead, where a kernel offset's values over one output
# row are a run of the output's width: [N, G, C/G * prod(k), prod(out)] per chunk of images.
# Each image's product with the weight is then that image's (N, C, *out) result, written in
# place (no transposition), and the weight gradient comes out in the weight's own layout.


def _planar_pays(channels, out):
    """Whether a convolution with ``channels`` input channels a group and output spatial size
    ``out`` makes its columns faster in the input's own layout: a channels-last window's runs
    (of ``channels`` values) are shorter than the output's rows."""
    return len(out) > 0 and channels < out[-1]


def _planar_windows(x, out, kernel, stride, pads, dilation, groups):
    """The windows of ``x`` [N, C, *S] as a view [N, G, C/G, *kernel, *out] of a padded copy (in
    scratch memory)."""
    n, c = x.shape[:2]
    nd = len(kernel)
    win = _windows(_pad(x, pads, scratch="padded"), out, kernel, stride, dilation)
    win = win.transpose((0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd)))
    return win.reshape((n, groups, c // groups) + win.shape[2:])


def _planar_columns(win):
    """How many images of a ``_planar_windows`` view a chunk of columns takes, and scratch
    memory for one chunk's columns: [step, G, C/G * prod(k), prod(out)]."""
    n, groups = win.shape[:2]
    nd = (win.ndim - 3) // 2
    k, per = _prod(win.shape[2 : 3 + nd]), _prod(win.shape[3 + nd :])
    step = _chunk_size(n, groups * k * per * win.itemsize)
    return step, _scratch_array("cols", (step, groups, k, per), win.dtype)


def _planar_im2col(win, start, stop, store):
    """The columns of images ``start:stop`` of a ``_planar_windows`` view, copied into
    ``store``: [stop - start, G, C/G * prod(k), prod(out)]."""
    cols = store[: stop - start]
    xp.copyto(cols.reshape(win[start:stop].shape), win[start:stop])
    return cols


def _planar_conv_forward(x, w, out, stride, pads, dilation, groups, bias):
    """``_conv_forward`` on columns in the input's own layout: each image's product is its
    result."""
    n, o = x.shape[0], w.shape[0]
    win = _planar_windows(x, out, w.shape[2:], stride, pads, dilation, groups)
    step, store = _planar_columns(win)
    wmat = w.reshape(groups, o // groups, -1)  # [G, O/G, C/G * prod(k)]: the columns' order
    result = xp.empty((n, o) + tuple(out), xp.result_type(x.dtype, w.dtype))
    rows = result.reshape(n, groups, o // groups, -1)
    b = None if bias is None else bias.reshape(groups, o // groups, 1)
    for start, stop in _chunks(n, step):
        part = xp.matmul(wmat, _planar_im2col(win, start, stop, store), out=rows[start:stop])
        if b is not None:  # (while the chunk is in cache)
            part += b
    return result


def _planar_weight_grad(x, g, kernel, stride, pads, dilation, groups):
    """A convolution's weight gradient from columns in the input's own layout: per image, its
    gradient's rows times its columns, summed over the images (in the weight's layout)."""
    n, o = g.shape[:2]
    win = _planar_windows(x, g.shape[2:], kernel, stride, pads, dilation, groups)
    step, store = _planar_columns(win)
    rows = g.reshape(n, groups, o // groups, -1)  # [N, G, O/G, prod(out)]
    dw = None
    for start, stop in _chunks(n, step):
        cols = _planar_im2col(win, start, stop, store)
        part = xp.matmul(rows[start:stop], cols.swapaxes(-1, -2)).sum(0)
        dw = part if dw is None else xp.add(dw, part, out=dw)
    return dw.reshape((o, x.shape[1] // groups) + tuple(kernel))


def _col2im(cols, size, stride, dilation, lows, first, out=None):
    """Sum window values back into place: ``cols`` [*before, *kernel, *windows, *after] ->
    [*before, *size, *after] (into ``out`` when given), where window ``o``'s offset ``k`` lands
    at ``o * stride + k * dilation - low`` and what lands outside ``size`` is dropped (the
    padding).  One whole-array add per kernel offset, each over the windows whose value lands
    inside (with the kernel axes first, each offset's values are one block: long contiguous
    runs)."""
    nd = len(size)
    kernel = cols.shape[first : first + nd]
    spots = cols.shape[first + nd : first + 2 * nd]
    head = (slice(None),) * first
    moves = _moves(spots, kernel, tuple(stride), tuple(dilation), tuple(lows), tuple(size))
    acc = out
    if acc is None:
        shape = cols.shape[:first] + tuple(size) + cols.shape[first + 2 * nd :]
        acc = xp.empty(shape, cols.dtype)
    if moves and moves[0][2]:  # an offset whose values cover the whole result: it starts it
        acc[...] = cols[head + moves[0][0]]
        moves = moves[1:]
    else:
        acc.fill(0)
    for source, target, _ in moves:
        acc[head + target] += cols[head + source]
    return acc


@functools.lru_cache(maxsize=256)
def _moves(out, kernel, stride, dilation, lows, size):
    """The adds of a col2im: per kernel offset whose values land anywhere, ``(source, target,
    whole)``: the index of its values in the columns, where they land, and whether they cover the
    whole result (the first such offset comes first)."""
    spans = [
        _landing(o, k, s, d, lo, n)
        for o, k, s, d, lo, n in zip(out, kernel, stride, dilation, lows, size)
    ]
    moves = []
    for k in itertools.product(*(range(len(sp)) for sp in spans)):
        parts = [sp[ki] for sp, ki in zip(spans, k)]
        if any(p is None for p in parts):
            continue
        target = tuple(p[1] for p in parts)
        whole = all(t == slice(0, n, 1) for t, n in zip(target, size))
        moves.append((k + tuple(p[0] for p in parts), target, whole))
    moves.sort(key=lambda m: not m[2])  # (a stable sort: the rest keep their order)
    return tuple(moves)


@functools.lru_cache(maxsize=256)
def _landing(out, kernel, stride, dilation, low, size):
    """Per kernel offset: the (source, target) slices of the windows whose value at that offset
    lands inside ``size``, or None when none does."""
    spans = []
    for k in range(kernel):
        shift = k * dilation - low
        first = max(0, -(shift // stride))
        last = min(out, (size - 1 - shift) // stride + 1)
        if last <= first:
            spans.append(None)
            continue
        start = first * stride + shift
        spans.append(
            (slice(first, last), slice(start, start + (last - first - 1) * stride + 1, stride))
        )
    return tuple(spans)


def _spread_step(n, w, groups, size, dtype):
    """Images per chunk of a transposed convolution by ``w`` of inputs of spatial ``size``:
    about ``_CHUNK_BYTES`` of the products that spread them."""
    return _chunk_size(n, groups * _prod(w.shape[1:]) * _prod(size) * dtype.itemsize)


class _Spread:
    """A transposed convolution's result [N, O, *out], made a chunk of images at a time from
    the chunk's rows (``add``, as ``_rows_chunk`` gives them): one product per kernel offset
    spreads each input position into a window of outputs, each offset's values one block; the
    blocks are summed into place (col2im) and the chunk goes into the (N, O, *out) result while
    it is in cache."""

    __slots__ = ("result", "wk", "kernel", "size", "stride", "dilation", "lows", "store", "acc")

    def __init__(self, size, n, w, stride, pads, dilation, groups, output_padding, step, dtype):
        cg, og = w.shape[:2]
        kernel = w.shape[2:]
        nd = len(kernel)
        out = tuple(
            (i - 1) * s + d * (k - 1) + 1 - lo - hi + p
            for i, s, d, k, (lo, hi), p in zip(size, stride, dilation, kernel, pads, output_padding)
        )
        # the weight as [G, prod(k), C/G, O/G]: one product per kernel offset
        self.wk = (
            w.reshape((groups, cg // groups, og) + kernel)
            .transpose((0,) + tuple(range(3, 3 + nd)) + (1, 2))
            .reshape(groups, -1, cg // groups, og)
        )
        self.result = xp.empty((n, groups * og) + out, dtype)
        self.kernel, self.size, self.stride, self.dilation = kernel, tuple(size), stride, dilation
        self.lows = tuple(lo for lo, _ in pads)
        rows = step * _prod(size)
        self.store = _scratch_array("spread", (groups, self.wk.shape[1], rows, og), dtype)
        self.acc = _scratch_array("col2im", (groups, step) + out + (og,), dtype)

    def add(self, rows, start, stop):
        groups, og = self.wk.shape[0], self.wk.shape[3]
        nd = len(self.kernel)
        spread = self.store[:, :, : rows.shape[2]]
        xp.matmul(rows.transpose(0, 2, 1)[:, None], self.wk, out=spread)
        cols = spread.reshape((groups,) + self.kernel + (stop - start,) + self.size + (og,))
        cols = cols.transpose(
            (0, 1 + nd) + tuple(range(1, 1 + nd)) + tuple(range(2 + nd, 3 + 2 * nd))
        )
        part = self.acc[:, : stop - start]
        out = self.result.shape[2:]
        _col2im(cols, out, self.stride, self.dilation, self.lows, 2, part)  # [G, n, *out, O/G]
        _store_chunk(part.reshape(groups, -1, og), self.result, start, stop)


def _conv_transpose_forward(y, w, stride, pads, dilation, groups, output_padding):
    """The transposed convolution of ``y`` by ``w``, a chunk of images at a time."""
    n = y.shape[0]
    dtype = xp.result_type(y.dtype, w.dtype)
    step = _spread_step(n, w, groups, y.shape[2:], dtype)
    spread = _Spread(y.shape[2:], n, w, stride, pads, dilation, groups, output_padding, step, dtype)
    for start, stop in _chunks(n, step):
        spread.add(_rows_chunk(y, start, stop, groups, "rows"), start, stop)
    return spread.result


def _weight_layout(res, kernel):
    """A weight gradient made as [G, O/G, prod(k) * C/G] as the weight's [O, C/G, *k] (a view
    of it)."""
    groups, og, kc = res.shape
    nd = len(kernel)
    res = res.reshape((groups * og,) + tuple(kernel) + (kc // _prod(kernel),))
    return res.transpose((0, 1 + nd) + tuple(range(1, 1 + nd)))


def _conv_weight_forward(x, g, kernel, stride, pads, dilation, groups):
    """The weight gradient of a convolution of ``x`` whose output has the gradient ``g``."""
    need = (False, True, False)
    return _conv_backward(x, g, None, kernel, stride, pads, dilation, groups, need)[1]


def _conv_backward(x, g, w, kernel, stride, pads, dilation, groups, need):
    """The gradients of a convolution of ``x`` by ``w`` whose output has the gradient ``g``,
    those ``need`` asks for (input, weight, bias): the transposed convolution of ``g``, the
    rows of ``g`` times the columns of ``x``, and the channel sums of ``g``.  One pass over the
    images, a chunk at a time: each chunk of ``g`` is copied into rows once, and all three read
    them while they are in cache."""
    need_x, need_w, need_b = need
    n = x.shape[0]
    size = g.shape[2:]
    if need_w and _planar_pays(x.shape[1] // groups, size):
        dw = _planar_weight_grad(x, g, kernel, stride, pads, dilation, groups)
        dx = db = None
        if need_x:
            dx, _, db = _conv_backward(
                x, g, w, kernel, stride, pads, dilation, groups, (True, False, need_b)
            )
        elif need_b:
            db = _channel_sums(g)
        return dx, dw, db
    dw = db = spread = None
    if need_w:
        win = _window_view(x, size, kernel, stride, pads, dilation, groups)
        step, store = _column_store(win)
        dtype = xp.result_type(x.dtype, g.dtype)
        dw = xp.zeros((groups, g.shape[1] // groups, store.shape[2]), dtype)
    if need_x:
        dtype = xp.result_type(g.dtype, w.dtype)
        if not need_w:
            step = _spread_step(n, w, groups, size, dtype)
        opad = _fitting_padding(x.shape[2:], size, kernel, stride, pads, dilation)
        spread = _Spread(size, n, w, stride, pads, dilation, groups, opad, step, dtype)
    if need_b:
        db = xp.zeros((groups, g.shape[1] // groups), g.dtype)
    for start, stop in _chunks(n, step):
        rows = _rows_chunk(g, start, stop, groups, "grad rows")  # [G, O/G, (stop - start) * per]
        if need_b:
            db += rows.sum(2)
        if need_x:
            spread.add(rows, start, stop)
        if need_w:
            dw += xp.matmul(rows, _im2col(win, start, stop, store))
    return (
        None if spread is None else spread.result,
        None if dw is None else _weight_layout(dw, kernel),
        None if db is None else db.reshape(-1),
    )


def _conv_transpose_backward(y, g, w, stride, pads, dilation, groups, need_y, need_w):
    """The input's and weight's gradients of a transposed convolution of ``y`` by ``w`` whose
    output has the gradient ``g`` (``pads`` as its adjoint convolution reads them): the
    convolution of ``g``, and the rows of ``y`` times the columns of ``g``.  One pass over the
    images, a chunk at a time: each chunk's columns of ``g`` are copied once for both
    products."""
    n = y.shape[0]
    kernel = w.shape[2:]
    win = _window_view(g, y.shape[2:], kernel, stride, pads, dilation, groups)
    step, store = _column_store(win)
    conv = dw = None
    if need_y:
        dtype = xp.result_type(g.dtype, w.dtype)
        conv = _Convolved(w, groups, n, y.shape[2:], step, dtype)
    if need_w:
        dtype = xp.result_type(y.dtype, g.dtype)
        dw = xp.zeros((groups, y.shape[1] // groups, store.shape[2]), dtype)
    for start, stop in _chunks(n, step):
        cols = _im2col(win, start, stop, store)
        if need_y:
            conv.add(cols, start, stop)
        if need_w:
            dw += xp.matmul(_rows_chunk(y, start, stop, groups, "grad rows"), cols)
    return (
        None if conv is None else conv.result,
        None if dw is None else _weight_layout(dw, kernel),
    )


# --- the convolution op -----------------------------------------------------------------------


_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half"}


_CHECKED = set()  # the arguments of convolutions that passed their checks (they depend on shapes)


def _check_conv(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    key = (
        x.shape,
        x.dtype,
        w.shape,
        w.dtype,
        None if b is None else (b.shape, b.dtype),
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
    )
    try:
        if key in _CHECKED:
            return
    except TypeError:  # an argument that cannot be hashed (a list): checked every time
        key = None
    _check_conv_arguments(x, w, b, stride, padding, dilation, transposed, output_padding, groups)
    if key is not None:
        if len(_CHECKED) >= 1024:
            _CHECKED.clear()
        _CHECKED.add(key)


def _check_conv_arguments(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    if b is not None and not transposed and b.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({_C_TYPE_NAMES.get(x.dtype.name, x.dtype.name)}) and bias type "
            f"({_C_TYPE_NAMES.get(b.dtype.name, b.dtype.name)}) should be the same"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(x)} but found {_scalar(w)}")
    kernel, stride, pads, dilation = _geometry(w.shape, stride, padding, dilation)
    nd = len(kernel)
    if x.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, but got "
            f"input of size: {_shape_str(x.shape)}"
        )
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if isinstance(padding, str) and padding == "same" and any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    if not isinstance(padding, str) and any(
        (p < 0) if isinstance(p, int) else False for p in _ntuple(padding, nd, "padding")
    ):
        raise RuntimeError("negative padding is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {_shape_str(w.shape)} instead"
        )
    channels = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != channels:
        given = f"transposed={int(transposed)}" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {given}, weight of size {_shape_str(w.shape)}, expected input"
            f"{_shape_str(x.shape)} to have {channels} channels, but got {x.shape[1]} channels "
            "instead"
        )
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if b is not None and (b.ndim != 1 or b.shape[0] != out_channels):
        raise RuntimeError(
            f"Given weight of size {_shape_str(w.shape)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {_shape_str(b.shape)} instead"
        )
    if transposed:
        opad = _ntuple(output_padding, nd, "output_padding")
        if any(p >= s and p >= d for p, s, d in zip(opad, stride, dilation)):
            names = ("height", "width") if nd == 2 else tuple(f"dim{i}" for i in range(nd))
            parts = [f"output_padding_{nm}: {p}" for nm, p in zip(names, opad)]
            parts += [f"stride_{nm}: {s}" for nm, s in zip(names, stride)]
            parts += [f"dilation_{nm}: {d}" for nm, d in zip(names, dilation)]
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but "
                "got " + " ".join(parts)
            )
    else:
        padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads)]
        span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        if any(p < s for p, s in zip(padded, span)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
                "actual input size"
            )


def _scalar(a):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(
        a.dtype.name, a.dtype.name
    )


def _fitting_padding(size, grad_size, kernel, stride, pads, dilation):
    """The output_padding that brings a transposed convolution of ``grad_size`` out at ``size``."""
    return tuple(
        n - ((g - 1) * s + d * (k - 1) + 1 - lo - hi)
        for n, g, k, s, (lo, hi), d in zip(size, grad_size, kernel, stride, pads, dilation)
    )


def _zeros(nd):
    return (0,) * nd


def _conv_input_grad(g, n):
    w = cj(n.weight)
    kernel, stride, pads, dilation = _geometry(w.shape, n.stride, n.padding, n.dilation)
    nd = len(kernel)
    if n.transposed:  # the adjoint crop of output_padding reads past the end: a negative hi
        opad = _ntuple(n.output_padding, nd, "output_padding")
        pads = tuple((lo, hi - p) for (lo, hi), p in zip(pads, opad))
        return _convolution(g, w, None, stride, pads, dilation, False, _zeros(nd), n.groups)
    opad = _fitting_padding(n.input.shape[2:], g.shape[2:], kernel, stride, pads, dilation)
    return _convolution(g, w, None, stride, pads, dilation, True, opad, n.groups)


def _conv_weight_grad(g, n):
    w = n.weight
    kernel, stride, pads, dilation = _geometry(w.shape, n.stride, n.padding, n.dilation)
    if n.transposed:  # a transposed convolution's weight pairs its output with its input
        opad = _ntuple(n.output_padding, len(kernel), "output_padding")
        pads = tuple((lo, hi - p) for (lo, hi), p in zip(pads, opad))
        return _conv_weight(g, cj(n.input), kernel, stride, pads, dilation, n.groups)
    return _conv_weight(cj(n.input), g, kernel, stride, pads, dilation, n.groups)


def _conv_bias_grad(g, n):
    return g.sum((0,) + tuple(range(2, g.ndim)))


def _conv_grads_in_tensors(g, n):
    """The three gradients in differentiable ops (under create_graph), where needed."""
    formulas = (_conv_input_grad, _conv_weight_grad, _conv_bias_grad)
    return tuple(
        None if nxt is None else f(g, n) for f, (nxt, _) in zip(formulas, n.next_functions)
    )


def _conv_grads_in_arrays(g, n):
    """The three gradients, where needed, computed on arrays from one geometry: the input's by
    the adjoint product, the weight's by one product over the input's windows, the bias's a sum
    (complex: with the other factor conjugated)."""
    ga = g._data
    # float16/bfloat16: the ops compute them in float32; under a trace (retrograd.compile) or
    # forward AD: in the table's ops, which they record
    if ga.dtype.itemsize == 2 or _switches.forward_ad_hook is not None:
        return _conv_grads_in_tensors(g, n)
    need = tuple(nxt is not None for nxt, _ in n.next_functions)
    need_x, need_w, need_b = need
    dx = dw = db = None
    if need_x or need_w:
        w = n.weight._data
        kernel, stride, pads, dilation = _geometry(w.shape, n.stride, n.padding, n.dilation)
        w = w.conj() if w.dtype.kind == "c" else w
        x = n.input._data
        x = x.conj() if x.dtype.kind == "c" else x
        if n.transposed:  # the adjoint crop of output_padding reads past the end: a negative hi
            opad = _ntuple(n.output_padding, len(kernel), "output_padding")
            pads = tuple((lo, hi - p) for (lo, hi), p in zip(pads, opad))
            dx, dw = _conv_transpose_backward(
                x, ga, w, stride, pads, dilation, n.groups, need_x, need_w
            )
        else:
            dx, dw, db = _conv_backward(x, ga, w, kernel, stride, pads, dilation, n.groups, need)
    if need_b and db is None:
        db = _channel_sums(ga)
    return tuple(None if a is None else _make(a) for a in (dx, dw, db))


def _channel_sums(g):
    """``g`` [N, C, *S] summed over all but its channels: for a channels-last ``g``, one product
    of a row of ones with its [N * prod(S), C] rows (a reduction down the columns of a tall,
    narrow matrix is slow in NumPy); for an (N, C, *S) ``g``, each plane's sum (a contiguous
    run) and then the images'."""
    if g.ndim > 2 and g.dtype.kind == "f":
        rows = _channels_last(g)
        if rows.flags.c_contiguous:
            rows = rows.reshape(-1, g.shape[1])
            return xp.matmul(xp.ones(rows.shape[0], g.dtype), rows)
        if g.flags.c_contiguous:
            return g.reshape(g.shape[0], g.shape[1], -1).sum(2).sum(0)
    return g.sum((0,) + tuple(range(2, g.ndim)))


# (saves in this order: the table's fast path for saving "both inputs" assumes exactly two inputs)
@op(
    inputs="input weight bias",
    saves="weight input",
    check=_check_conv,
    method=False,
    node="ConvolutionBackward0",
    grads=shared_formulas(3, _conv_grads_in_arrays, _conv_grads_in_tensors),
)
def _convolution(
    input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
):
    """The N-d (transposed) convolution behind ``torch.convolution``, conv1d, conv2d and
    friends; ``padding`` may also be "same" or "valid", or give ``(lo, hi)`` per dimension, for
    uneven padding (what the public functions make of theirs)."""
    kernel, stride, pads, dilation = _geometry(weight.shape, stride, padding, dilation)
    if transposed:
        opad = _ntuple(output_padding, len(kernel), "output_padding")
        out = _conv_transpose_forward(input, weight, stride, pads, dilation, groups, opad)
        if bias is not None:  # into the fresh result, in its dtype (casting the bias)
            out += bias.reshape((-1,) + (1,) * len(kernel))
        return out
    return _conv_forward(input, weight, stride, pads, dilation, groups, bias)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """``torch.convolution``: the N-d (transposed) convolution, its sizes as lists of ints."""
    return _convolution(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
    )


def _conv_weight_x_grad(gg, n):
    """d weight_grad / d input: the transposed convolution of the output gradient by ``gg``."""
    g = n.grad_output
    opad = _fitting_padding(
        n.input.shape[2:], g.shape[2:], n.kernel_size, n.stride, n.padding, n.dilation
    )
    return _convolution(cj(g), gg, None, n.stride, n.padding, n.dilation, True, opad, n.groups)


def _conv_weight_g_grad(gg, n):
    return _convolution(
        cj(n.input),
        gg,
        None,
        n.stride,
        n.padding,
        n.dilation,
        False,
        _zeros(len(n.kernel_size)),
        n.groups,
    )


@op(
    inputs="input grad_output",
    saves="input grad_output",
    method=False,
    node="ConvolutionBackwardBackward0",
    grads=(_conv_weight_x_grad, _conv_weight_g_grad),
)
def _conv_weight(input, grad_output, kernel_size, stride, padding, dilation, groups):
    """A convolution's weight gradient: each weight entry correlates input windows with the output
    gradient.  ``padding`` is per side, as ``_geometry`` gives it."""
    return _conv_weight_forward(input, grad_output, kernel_size, stride, padding, dilation, groups)


# --- pooling ----------------------------------------------------------------------------------


def _pool_out(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size: floor or ceil, but no window starts in the right padding."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v) * (2 if len(v) == 1 else 1)


def _pool_geometry(shape, kernel_size, stride, padding, dilation, ceil_mode):
    if len(shape) not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = _pair(kernel_size)
    stride = (
        kernel
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else _pair(stride)
    )
    padding, dilation = _pair(padding), _pair(dilation)
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}"
        )
    size = shape[-2:]
    out = tuple(
        _pool_out(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip(size, kernel, stride, padding, dilation)
    )
    if any(o <= 0 for o in out):
        c = shape[-3]
        raise RuntimeError(
            f"Given input size: ({c}x{size[0]}x{size[1]}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}). Output size is too small"
        )
    # padded far enough on the right for the last (ceil_mode) window
    pads = tuple(
        (p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
        for n, k, s, p, d, o in zip(size, kernel, stride, padding, dilation, out)
    )
    return kernel, stride, pads, dilation, out


def _max_pool_arrays(x, kernel_size, stride, padding, dilation, ceil_mode, want):
    """Each window's maximum, a running maximum over the kernel offsets (k*k whole-array steps)
    in whichever of NCHW or channels-last the input's memory is laid out, and what ``want`` asks
    for where it is: None (nothing), ``"grad"`` (what the backward pass needs) or ``"indices"``
    (also the flat H*W index of each maximum, PyTorch's indices).

    Returns ``(best, codes, indices, window)``.  ``window`` is ``(kernel, stride, dilation)`` when
    the windows neither overlap nor reach into padding; then ``codes`` says which kernel offset
    (numbered row-major) holds each maximum, and the backward pass places each gradient with one
    masked copy per offset, no scatter.  Otherwise ``window`` and ``codes`` are None and the
    backward pass scatters by ``indices``.  A later value wins only when greater, or when it is
    NaN (the last NaN of a window is its maximum), as in PyTorch."""
    refuse_complex("max_pool2d", x)
    kernel, stride, pads, dilation, out = _pool_geometry(
        x.shape, kernel_size, stride, padding, dilation, ceil_mode
    )
    channels_last = x.ndim == 4 and x.shape[1] > 1 and _channels_last(x).flags.c_contiguous
    copied = not channels_last and _channels_last_pays(x.shape, out[1])
    if channels_last:
        a, first, tail = _channels_last(x), 1, (slice(None),)
    elif copied:
        a, first, tail = _channels_last_copy(x, "pool input"), 1, (slice(None),)
    else:
        a, first, tail = x, x.ndim - 2, ()
    fill = -xp.inf if x.dtype.kind in "fV" else xp.iinfo(x.dtype).min
    win = _windows(_pad(a, pads, fill, first), out, kernel, stride, dilation, first)
    head = (slice(None),) * (first + 2)
    spots = [head + (i, j) + tail for i in range(kernel[0]) for j in range(kernel[1])]
    best = win[spots[0]].copy()
    if want is None:
        for where in spots[1:]:
            xp.maximum(best, win[where], out=best)
        if copied:
            best = _channels_first_copy(best, x.shape[:-3])
        return (_channels_first(best) if channels_last else best), None, None, None
    # which kernel offset holds each window's maximum: a later one wins only when greater.  The
    # offset number grows along the loop, so "take k where it wins" is a maximum (no masked
    # write, whose branches on random data cost ten times as much).
    code = xp.uint8 if len(spots) < 256 else xp.int32
    arg = xp.zeros(best.shape, code)
    wins = xp.empty(best.shape, bool)
    step = xp.empty(best.shape, code)
    for k, where in enumerate(spots[1:], 1):
        v = win[where]
        xp.greater(v, best, out=wins)
        xp.maximum(best, v, out=best)
        xp.multiply(wins, code(k), out=step)
        xp.maximum(arg, step, out=arg)
    if x.dtype.kind in "fV" and xp.isnan(best).any():  # the last NaN of a window is its maximum
        for k, where in enumerate(spots):
            xp.isnan(win[where], out=wins)
            xp.multiply(wins, code(k), out=step)
            xp.maximum(arg, step, out=arg)
    if copied:
        best, arg = (
            _channels_first_copy(best, x.shape[:-3]),
            _channels_first_copy(arg, x.shape[:-3]),
        )
    disjoint = all(lo == 0 and hi == 0 for lo, hi in pads) and all(
        s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation)
    )
    index = None
    if want == "indices" or not disjoint:
        lows = tuple(lo for lo, _ in pads)
        index = _pool_indices(arg, kernel, stride, lows, dilation, x.shape[-1], channels_last)
    window = (kernel, stride, dilation) if disjoint else None
    if channels_last:
        best, arg = _channels_first(best), _channels_first(arg)
    return best, (arg if disjoint else None), index, window


def _channels_last_pays(shape, out_width):
    """Whether a pool over an input laid out [..., C, H, W] goes faster on a channels-last copy:
    each kernel offset's values are then runs of C channels, where they are runs of one output
    row (``out_width`` values a stride apart) in the input's own layout."""
    return len(shape) > 2 and shape[-3] > out_width


def _channels_last_copy(a, slot):
    """``a`` [*lead, C, H, W] copied into [prod(lead), H, W, C] order (a transposition within
    each image, which stays in cache), in scratch memory's ``slot``."""
    a = _channels_last(a.reshape((-1,) + a.shape[-3:]))
    out = _scratch_array(slot, a.shape, a.dtype)
    xp.copyto(out, a)
    return out


def _channels_first_copy(a, lead):
    """The inverse of ``_channels_last_copy``: [N, H, W, C] into a fresh [*lead, C, H, W]."""
    # (a copy, not ascontiguousarray, which passes a view whose size-1 dimensions have odd strides)
    return _channels_first(a).copy().reshape(tuple(lead) + (a.shape[-1],) + a.shape[1:3])


def _pool_indices(arg, kernel, stride, lows, dilation, width, channels_last):
    """The flat H*W input index of each window's maximum, from the kernel offset holding it
    (``arg``, laid out as the kernels work: channels-last or not)."""
    out = arg.shape[1:3] if channels_last else arg.shape[-2:]
    steps, corner = _pool_index_parts(kernel, stride, lows, dilation, out, width)
    index = steps.take(arg)
    index += corner[..., None] if channels_last else corner
    return _channels_first(index) if channels_last else index


@functools.lru_cache(maxsize=64)
def _pool_index_parts(kernel, stride, lows, dilation, out, width):
    """The flat H*W offset of each kernel offset from its window's corner, and each window's
    corner: a pool index is their sum."""
    steps = (xp.arange(kernel[0])[:, None] * dilation[0] * width) + xp.arange(kernel[1]) * dilation[
        1
    ]
    rows = (xp.arange(out[0]) * stride[0] - lows[0]) * width
    corner = rows[:, None] + (xp.arange(out[1]) * stride[1] - lows[1])
    steps.flags.writeable = corner.flags.writeable = False
    return steps.ravel(), corner


def _flat_indices(indices, plane):
    """Pool indices into one flat index per element over all leading dims."""
    lead = _prod(indices.shape[:-2])
    idx = indices.reshape(lead, -1)
    return (idx + (xp.arange(lead) * plane)[:, None]).ravel()


def _codes_channels_last(codes):
    return codes.ndim == 4 and codes.shape[1] > 1 and _channels_last(codes).flags.c_contiguous


def _max_pool2d_grad(g, n):
    return _pool_scatter(g, input_edge(n), n.indices, n.self_shape, n.window)


@op(
    saves="self_shape",
    method=False,
    node="MaxPool2DWithIndicesBackward0",
    grads=(_max_pool2d_grad,),
)
def _max_pool2d(self, indices, values=None, window=None):
    """The input values at the pool indices (``values``, when the caller already has them).
    ``window``: ``(kernel, stride, dilation)`` when the windows are disjoint and unpadded; then
    ``indices`` holds which kernel offset of its window each maximum is at (see
    ``_max_pool_arrays``), else None and ``indices`` are flat H*W indices."""
    if values is not None:
        return values
    if window is not None:  # each window's value at its offset
        kernel, stride, dilation = window
        win = _windows(self, indices.shape[-2:], kernel, stride, dilation)
        flat = win.reshape(win.shape[:-2] + (-1,))
        return xp.take_along_axis(flat, indices[..., None].astype(xp.intp), -1)[..., 0]
    plane = self.shape[-2] * self.shape[-1]
    return self.ravel()[_flat_indices(indices, plane)].reshape(indices.shape)


def _saved_pool_indices(node):
    """``_saved_indices``: PyTorch's flat H*W indices, also where the node keeps offsets."""
    if node.window is None:
        return _make(node.indices)
    kernel, stride, dilation = node.window
    codes = node.indices
    channels_last = _codes_channels_last(codes)
    arg = _channels_last(codes) if channels_last else codes
    width = node.self_shape[-1]
    return _make(_pool_indices(arg, kernel, stride, (0, 0), dilation, width, channels_last))


# (PyTorch's name for the indices, its second result, and ours)
_max_pool2d.opdef.Node._saved_result1 = _max_pool2d.opdef.Node._saved_indices = property(
    _saved_pool_indices
)


@op(
    inputs="self input",
    grads=(lambda g, n: _max_pool2d(g, n.indices, None, n.window), zero_grad),
    method=False,
    node="MaxPool2DWithIndicesBackwardBackward0",
)
def _pool_scatter(self, input, indices, input_shape, window=None):
    """Each pooled gradient added back at the input position its index names (the adjoint of
    ``_max_pool2d``; overlapping windows add up).  The result is laid out as the indices are
    (channels-last when the pooled input was), so the next elementwise op reads both alike.
    ``input``: the pooled input, or what ``input_edge`` makes for it (an edge, no values read).
    ``window``: see ``_max_pool2d``."""
    if indices.size == 0:
        return xp.zeros(input_shape, self.dtype)
    total = _prod(input_shape)
    channels_last = len(input_shape) == 4 and _codes_channels_last(indices)
    if window is not None:
        return _place_disjoint(self, indices, input_shape, window, channels_last)
    if channels_last:
        n, c, h, w = input_shape
        flat = (
            xp.arange(n)[:, None, None, None] * (h * w) + _channels_last(indices)
        ) * c + xp.arange(c)
        summed = xp.bincount(flat.ravel(), weights=_channels_last(self).ravel(), minlength=total)
        return _channels_first(summed.astype(self.dtype, copy=False).reshape(n, h, w, c))
    plane = input_shape[-2] * input_shape[-1]
    summed = xp.bincount(_flat_indices(indices, plane), weights=self.ravel(), minlength=total)
    return summed.astype(self.dtype, copy=False).reshape(input_shape)


# (adaptive max pooling's gradient: the same scatter, PyTorch's node of its own)
_adaptive_pool_scatter = declared_again(
    _pool_scatter, "_adaptive_pool_scatter", "AdaptiveMaxPool2DBackwardBackward0"
)


def max_pool2d_with_indices_backward(
    grad_output, self, kernel_size, stride, padding, dilation, ceil_mode, indices
):
    """``torch.ops.aten.max_pool2d_with_indices_backward``: the gradient of ``max_pool2d``'s
    input from its output's, each added back at the input position ``indices`` names."""
    _pool_geometry(self.shape, kernel_size, stride, padding, dilation, ceil_mode)
    return _pool_scatter(grad_output, self, indices._data, self.shape)


def _place_disjoint(g, codes, input_shape, window, channels_last):
    """``_pool_scatter`` for disjoint, unpadded windows: each input position lies in at most one
    window, so per kernel offset one pass writes every window's value at that offset: its
    gradient where its code names the offset, else 0 (k*k whole-array steps, no scatter)."""
    kernel, stride, dilation = window
    size = codes.shape[-2:]
    # (the positions no window covers, if any, stay 0)
    covered = dilation == (1, 1) and stride == kernel
    covered = covered and all(o * s == n for o, s, n in zip(size, stride, input_shape[-2:]))
    make = xp.empty if covered else xp.zeros
    copied = not channels_last and _channels_last_pays(input_shape, size[1])
    if channels_last:
        n, c, h, w = input_shape
        out = make((n, h, w, c), g.dtype)
        g, codes, first, tail = _channels_last(g), _channels_last(codes), 1, (slice(None),)
    elif copied:
        *lead, c, h, w = input_shape
        out = _scratch_array("pool grad", (_prod(lead), h, w, c), g.dtype)
        if not covered:
            out.fill(0)
        g, codes = _channels_last_copy(g, "pool g"), _channels_last_copy(codes, "pool codes")
        first, tail = 1, (slice(None),)
    else:
        out = make(input_shape, g.dtype)
        first, tail = out.ndim - 2, ()
    st = out.strides
    windows = _as_strided(
        out,
        out.shape[:first] + size + kernel + out.shape[first + 2 :],
        st[:first]
        + (st[first] * stride[0], st[first + 1] * stride[1])
        + (st[first] * dilation[0], st[first + 1] * dilation[1])
        + st[first + 2 :],
    )
    # g where the code names the offset, else exactly 0 (not 0 * g, which is nan for an infinite
    # g): a bitwise and with an all-ones or all-zeros integer of g's width
    ints = _SAME_WIDTH_INT.get(g.dtype.itemsize) if g.dtype.kind in "fV" else None
    g = xp.ascontiguousarray(g)
    head = (slice(None),) * (first + 2)
    spots = itertools.product(range(kernel[0]), range(kernel[1]))
    if ints is not None:
        bits = g.view(ints)
        hit = _scratch_array("pool hit", g.shape, xp.int8)
        mask = _scratch_array("pool mask", g.shape, ints)
    for k, spot in enumerate(spots):
        target = windows[head + spot + tail]
        if ints is None:
            target[...] = 0
            xp.copyto(target, g, where=codes == k)
            continue
        xp.equal(codes, k, out=hit)  # 1 where the offset holds the maximum
        xp.negative(hit, out=mask)  # -1: all bits set
        xp.bitwise_and(bits, mask, out=target.view(ints))
    if copied:
        return _channels_first_copy(out, input_shape[:-3])
    return _channels_first(out) if channels_last else out


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``torch.nn.functional.max_pool2d_with_indices``: window maxima and their indices."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``torch.nn.functional.max_pool2d``: the maximum of each window (and its index if asked)."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            max_pool2d,
            (input, kernel_size, stride, padding, dilation, ceil_mode, return_indices),
            {},
        )
        if batched is not NotImplemented:
            return batched
    if type(input) is not Tensor and input.is_meta:  # the shapes alone
        x = _stand_in(input)  # (PyTorch's meta kernel takes every dtype)
        out = _pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode)[-1]
        values = _meta.meta_tensor(x.shape[:-2] + out, x.dtype, input.requires_grad)
        return (values, _meta.meta_tensor(values.shape, xp.int64)) if return_indices else values
    if input._data.dtype == xp.bool_:
        raise dtype_refusal("max_pool2d", input)
    # (with no gradient to take, forward or backward, only the maxima)
    grad = (input._requires_grad and _grad_state.enabled) or _switches.forward_ad_hook is not None
    want = "indices" if return_indices else "grad" if grad else None
    values, codes, indices, window = _max_pool_arrays(
        input._data, kernel_size, stride, padding, dilation, ceil_mode, want
    )
    out = _max_pool2d(input, indices if window is None else codes, values, window)
    return (out, _make(indices)) if return_indices else out


def _avg_divisor(size, kernel, stride, padding, out, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return divisor_override
    counts = []
    for n, k, s, p, o in zip(size, kernel, stride, padding, out):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)  # a ceil_mode window is cut at the padded edge
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, n)
        counts.append(end - start)
    return (counts[0][:, None] * counts[1][None, :]).astype(dtype)


def _avg_geometry(
    shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dtype
):
    kernel, stride, pads, _, out = _pool_geometry(shape, kernel_size, stride, padding, 1, ceil_mode)
    divisor = _avg_divisor(
        shape[-2:], kernel, stride, _pair(padding), out, count_include_pad, divisor_override, dtype
    )
    return kernel, stride, pads, out, divisor


def _avg_pool2d_grad(g, n):
    return _avg_pool2d_backward(
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


@op(saves="self_shape", method=False, node="AvgPool2DBackward0", grads=(_avg_pool2d_grad,))
def avg_pool2d(
    self,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """``torch.nn.functional.avg_pool2d``: the mean of each window (of int64 windows, their sum
    divided as C divides integers, toward zero; other integer types PyTorch refuses)."""
    if self.dtype.kind not in "fV" and self.dtype != xp.int64:
        raise dtype_refusal("avg_pool2d", self)
    kernel, stride, pads, out, divisor = _avg_geometry(
        self.shape,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        self.dtype,
    )
    win = _windows(_pad(self, pads), out, kernel, stride, (1, 1))
    return window_mean(win.sum((-2, -1)), divisor)


def window_mean(total, divisor):
    """Window sums over their divisors (a divisor_override may be negative); integers divided
    as C divides them, toward zero, as PyTorch's integer pooling kernels do."""
    if total.dtype.kind in "fcV":
        return total / divisor
    quotient = xp.abs(total) // xp.abs(divisor)
    return xp.where((total < 0) != (divisor < 0), -quotient, quotient).astype(total.dtype)


@op(
    grads=(
        lambda gg, n: avg_pool2d(
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
    node="AvgPool2DBackwardBackward0",
)
def _avg_pool2d_backward(
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
    """The adjoint of ``avg_pool2d``: each window's gradient spread evenly over the window."""
    kernel, stride, pads, out, divisor = _avg_geometry(
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
    lead = g.shape[:-2]
    cols = xp.broadcast_to(g[..., None, None, :, :], lead + kernel + out)
    return _col2im(cols, input_shape[-2:], stride, (1, 1), tuple(lo for lo, _ in pads), len(lead))


def _adaptive_matrix(size, out, dtype):
    """The [out, size] averaging matrix of one dimension of adaptive pooling."""
    i = xp.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    j = xp.arange(size)
    inside = (j[None, :] >= start[:, None]) & (j[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_matrices(shape, output_size, dtype):
    if len(shape) not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_shape_str(shape)}"
        )
    out = _pair(output_size)
    out = tuple(n if o is None else o for n, o in zip(shape[-2:], out))
    return _adaptive_matrix(shape[-2], out[0], dtype), _adaptive_matrix(shape[-1], out[1], dtype)


def _adaptive_grad(g, n):
    return _adaptive_avg_pool2d_backward(g, input_edge(n), n.self_shape, n.output_size)


@op(saves="self_shape", method=False, node="AdaptiveAvgPool2DBackward0", grads=(_adaptive_grad,))
def _adaptive_avg_pool2d(self, output_size):
    rows, cols = _adaptive_matrices(self.shape, output_size, self.dtype)
    return xp.matmul(xp.matmul(rows, self), cols.T)


@op(
    inputs="grad_output input",
    method=False,
    node="AdaptiveAvgPool2DBackwardBackward0",
    grads=(lambda gg, n: _adaptive_avg_pool2d(gg, n.output_size), zero_grad),
)
def _adaptive_avg_pool2d_backward(grad_output, input, input_shape, output_size):
    """The adjoint of ``_adaptive_avg_pool2d``: each cell's gradient spread over its window
    (``input``: the pooled input's edge, see ``input_edge``)."""
    rows, cols = _adaptive_matrices(input_shape, output_size, grad_output.dtype)
    return xp.matmul(xp.matmul(rows.T, grad_output), cols)


def adaptive_avg_pool2d(input, output_size):
    """``torch.nn.functional.adaptive_avg_pool2d``: the mean over an even split into output_size
    cells (cells overlap by one where the sizes do not divide)."""
    if _pair(output_size) == (1, 1) and input.ndim in (3, 4):
        return input.mean((-2, -1), keepdim=True)  # PyTorch takes the same shortcut
    refuse_unless_floating("adaptive_avg_pool2d", input)
    return _adaptive_avg_pool2d(input, output_size)


def _adaptive_windows(size, out):
    """(out, L) input positions of each adaptive window (start to end - 1; shorter windows
    repeat their last position, which changes neither their maximum nor where it first is)."""
    i = xp.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    span = int((end - start).max()) if out else 0
    return xp.minimum(start[:, None] + xp.arange(span), end[:, None] - 1)


def _adaptive_max_indices(a, out_h, out_w):
    """The flat in-plane index of the first maximum (in row-major order) of each window."""
    h, w = a.shape[-2:]
    rows, cols = _adaptive_windows(h, out_h), _adaptive_windows(w, out_w)
    by_col = a[..., cols]  # (..., H, out_w, Lw)
    best_col = xp.argmax(by_col, -1)
    col = cols[xp.arange(out_w), best_col]  # (..., H, out_w)
    col_max = xp.take_along_axis(by_col, best_col[..., None], -1)[..., 0]
    by_row = col_max[..., rows, :]  # (..., out_h, Lh, out_w)
    best_row = xp.argmax(by_row, -2)  # (..., out_h, out_w)
    row = rows[xp.arange(out_h)[:, None], best_row]
    col = xp.take_along_axis(col[..., rows, :], best_row[..., None, :], -2)[..., 0, :]
    return row * w + col


@op(
    saves="self_shape",
    method=False,
    node="AdaptiveMaxPool2DBackward0",
    grads=(lambda g, n: _adaptive_pool_scatter(g, input_edge(n), n.indices, n.self_shape),),
)
def _adaptive_max_pool2d(self, indices):
    plane = self.shape[-2] * self.shape[-1]
    return self.ravel()[_flat_indices(indices, plane)].reshape(indices.shape)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool2d``: the maximum over an even split of the plane into
    ``output_size`` cells (None keeps a size), and where it is with ``return_indices``."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    refuse_unless_floating("adaptive_max_pool2d", input)
    sizes = _pair(output_size)
    out_h, out_w = (n if o is None else o for n, o in zip(input.shape[-2:], sizes))
    indices = _adaptive_max_indices(input._data, out_h, out_w)
    values = _adaptive_max_pool2d(input, indices)
    return (values, _make(indices)) if return_indices else values


# --- the public convolutions ------------------------------------------------------------------


def _batched(input, nd, name):
    if input.ndim == nd + 1:
        return False
    if input.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
            f"of size: {_shape_str(input.shape)}"
        )
    return True


def _stand_in(t):
    """An array of ``t``'s shape and dtype that holds no memory (one element, broadcast), for
    the checks and shapes of an op on meta tensors; a tensor with memory gives its own."""
    return _meta.stand_in(t) if t.is_meta else t._data


def _meta_convolution(
    input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
):
    """A convolution of meta tensors: a real one's checks and errors, its result's shape and
    dtype, no values."""
    x, w = _stand_in(input), _stand_in(weight)
    b = None if bias is None else _stand_in(bias)
    _check_conv_arguments(x, w, b, stride, padding, dilation, transposed, output_padding, groups)
    kernel, stride, pads, dilation = _geometry(w.shape, stride, padding, dilation)
    if transposed:
        opad = _ntuple(output_padding, len(kernel), "output_padding")
        size = tuple(
            (n - 1) * s - lo - hi + d * (k - 1) + p + 1
            for n, k, s, (lo, hi), d, p in zip(x.shape[2:], kernel, stride, pads, dilation, opad)
        )
        channels = w.shape[1] * groups
    else:
        size = _out_size(x.shape[2:], kernel, stride, pads, dilation)
        channels = w.shape[0]
    grad = any(t is not None and t.requires_grad for t in (input, weight, bias))
    return _meta.meta_tensor((x.shape[0], channels) + size, x.dtype, grad)


def _conv(
    input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, nd, name
):
    if type(input) is not Tensor and input.is_meta:
        convolve = _meta_convolution
    else:
        convolve = _convolution
    if _batched(input, nd, name):
        return convolve(
            input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
        )
    out = convolve(
        input.unsqueeze(0),
        weight,
        bias,
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
    )
    return out.squeeze(0)


@_autocast.lower_precision
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv1d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 1, "stride"),
        padding,
        dilation,
        False,
        0,
        groups,
        1,
        "conv1d",
    )


@_autocast.lower_precision
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv2d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 2, "stride"),
        padding,
        dilation,
        False,
        0,
        groups,
        2,
        "conv2d",
    )


@_autocast.lower_precision
def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """``torch.nn.functional.conv_transpose1d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 1, "stride"),
        padding,
        dilation,
        True,
        output_padding,
        groups,
        1,
        "conv_transpose1d",
    )


@_autocast.lower_precision
def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """``torch.nn.functional.conv_transpose2d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 2, "stride"),
        padding,
        dilation,
        True,
        output_padding,
        groups,
        2,
        "conv_transpose2d",
    )


@_autocast.lower_precision
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv3d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 3, "stride"),
        padding,
        dilation,
        False,
        0,
        groups,
        3,
        "conv3d",
    )


@_autocast.lower_precision
def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """``torch.nn.functional.conv_transpose3d``."""
    return _conv(
        input,
        weight,
        bias,
        _ntuple(stride, 3, "stride"),
        padding,
        dilation,
        True,
        output_padding,
        groups,
        3,
        "conv_transpose3d",
    )


__all__ = [
    "convolution",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool2d",
    "max_pool2d_with_indices",
    "avg_pool2d",
    "adaptive_avg_pool2d",
]
