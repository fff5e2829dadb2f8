"""``torch.segment_reduce``: reductions over consecutive runs (segments) of one dimension, given
by their lengths or by offsets, with PyTorch's gradient node (``SegmentReduceBackward0``), whose
own backward op PyTorch gives no derivative."""

from .. import dtypes
from .._array import xp
from ..tensor import Tensor, _wrap_dim
from .registry import op

# reduce= as PyTorch reads it, the NumPy reduction, and the value of an empty segment
_REDUCTIONS = {
    "sum": ("sum", xp.add, 0.0),
    "mean": ("mean", xp.add, xp.nan),
    "prod": ("prod", xp.multiply, 1.0),
    "max": ("max", xp.maximum, -xp.inf),
    "amax": ("max", xp.maximum, -xp.inf),
    "min": ("min", xp.minimum, xp.inf),
    "amin": ("min", xp.minimum, xp.inf),
}


def _bounds(a, segments, axis):
    """``a`` as rows of (batch, positions + one spare, rest), and each segment's first and
    past-the-end flat row in it (the spare row keeps every end a valid index).  ``segments``:
    each segment's (start, end) along ``axis``, batched as the dimensions before it."""
    batch = a.shape[:axis]
    b = int(xp.prod(batch, dtype=xp.int64))
    n = a.shape[axis]
    rest = int(xp.prod(a.shape[axis + 1 :], dtype=xp.int64))
    bounds = xp.clip(segments.reshape(b, -1, 2), 0, n)
    starts, ends = bounds[..., 0], bounds[..., 1]
    shift = (xp.arange(b, dtype=xp.int64) * (n + 1))[:, None]
    return b, n, rest, (starts + shift).reshape(-1), (ends + shift).reshape(-1)


def _padded(a, axis, b, n, rest, fill):
    rows = xp.full((b, n + 1, rest), fill, a.dtype)
    rows[:, :n] = a.reshape(b, n, rest)
    return rows.reshape(b * (n + 1), rest)


def _reduced(ufunc, rows, starts, ends, identity):
    """``ufunc`` over rows[starts[i]:ends[i]] for each segment; ``identity`` where it is empty."""
    out = xp.full((starts.size, rows.shape[1]), identity, rows.dtype)
    full = ends > starts
    if full.any():
        pairs = xp.stack([starts[full], ends[full]], axis=1).reshape(-1)
        out[full] = ufunc.reduceat(rows, pairs, axis=0)[::2]
    return out


def _counts(starts, ends):
    return (ends - starts).astype(xp.float64)[:, None]


def _segment_reduce_arrays(a, reduce, segments, axis, initial):
    kind, ufunc, empty = _REDUCTIONS[reduce]
    b, n, rest, starts, ends = _bounds(a, segments, axis)
    identity = 0.0 if kind == "mean" else empty
    out = _reduced(ufunc, _padded(a, axis, b, n, rest, identity), starts, ends, identity)
    if initial is not None:
        out = ufunc(out, initial) if kind != "mean" else out + initial
    if kind == "mean":
        count = _counts(starts, ends)
        with xp.errstate(invalid="ignore", divide="ignore"):
            out = out / count
        if initial is not None:
            out = xp.where(count > 0, out, initial)
    return out.astype(a.dtype, copy=False).reshape(
        a.shape[:axis] + segments.shape[-2:-1] + a.shape[axis + 1 :]
    )


def _refuse_forward_ad(tangents, inputs, results, *attrs):
    raise NotImplementedError(
        "Trying to use forward AD with segment_reduce that does not support it because it has "
        "not been implemented yet.\nPlease file an issue to PyTorch at "
        "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we "
        "can prioritize its implementation or submit a PR adding the implementation to "
        "derivatives.yaml"
    )


def _no_derivative(g, n):
    raise RuntimeError("derivative for aten::_segment_reduce_backward is not implemented")


@op(
    inputs="grad output data",
    grads=(_no_derivative, _no_derivative, _no_derivative),
    node="torch::autograd::NotImplemented",
    method=False,
)
def _segment_reduce_backward(grad, output, data, reduce, segments, axis, initial):
    """The gradient of segment_reduce at ``data``: each segment's output gradient spread over its
    elements (split evenly between the ties of a max or min; products of the others for prod)."""
    kind, ufunc, empty = _REDUCTIONS[reduce]
    b, n, rest, starts, ends = _bounds(data, segments, axis)
    segments = starts.size
    g = grad.reshape(segments, rest)
    result = output.reshape(segments, rest)
    x = data.reshape(b, n, rest)
    # the segment of each element (or none: an element no segment covers gets no gradient)
    keys = (xp.arange(b, dtype=xp.int64)[:, None] * (n + 1) + xp.arange(n)).reshape(-1)
    seg = xp.searchsorted(ends, keys, side="right")
    inside = seg < segments
    seg = xp.minimum(seg, max(segments - 1, 0))
    inside &= starts[seg] <= keys if segments else inside
    x = x.reshape(b * n, rest)
    each = g[seg]
    if kind == "mean":
        each = each / xp.maximum(_counts(starts, ends), 1)[seg]
    elif kind in ("max", "min"):
        hit = (x == result[seg]) | (xp.isnan(x) & xp.isnan(result[seg]))
        ties = _reduced(xp.add, _padded(hit.astype(x.dtype), axis, b, n, rest, 0), starts, ends, 0)
        with xp.errstate(invalid="ignore", divide="ignore"):
            each = xp.where(hit, each / ties[seg], 0)
    elif kind == "prod":
        zero = x == 0
        ones = _padded(xp.where(zero, 1, x), axis, b, n, rest, 1)
        others = _reduced(xp.multiply, ones, starts, ends, 1.0)
        if initial is not None:
            others = others * initial
        zeros = _reduced(
            xp.add, _padded(zero.astype(x.dtype), axis, b, n, rest, 0), starts, ends, 0
        )
        with xp.errstate(invalid="ignore", divide="ignore"):
            ratio = result[seg] / xp.where(zero, 1, x)
        each = each * xp.where(zero, xp.where(zeros[seg] == 1, others[seg], 0), ratio)
    return xp.where(inside[:, None], each, 0).astype(data.dtype, copy=False).reshape(data.shape)


def _segment_grad(g, n):
    return _segment_reduce_backward(g, n.result, n.self, n.reduce, n.segments, n.axis, n.initial)


@op(
    saves="self result",
    grads=(_segment_grad,),
    node="SegmentReduceBackward0",
    jvp=_refuse_forward_ad,
    method=False,
)
def _segment_reduce(self, reduce, segments, axis, initial):
    return _segment_reduce_arrays(self, reduce, segments, axis, initial)


def _integer_array(t, kernel):
    a = t._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(t.dtype)}'"
        )
    return a.astype(xp.int64)


def segment_reduce(
    data,
    reduce,
    *,
    lengths=None,
    indices=None,
    offsets=None,
    axis=0,
    unsafe=False,
    initial=None,
):
    """``torch.segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
    unsafe=False, initial=None)``: ``reduce`` (sum, mean, prod, max/amax, min/amin) over the
    segments of dimension ``axis``, given by ``lengths`` or ``offsets`` (batched over the leading
    dimensions of either)."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if data._data.dtype.kind not in "fV":
        raise NotImplementedError(
            f"\"_segment_reduce_cpu\" not implemented for '{dtypes.scalar_type_name(data.dtype)}'"
        )
    axis = _wrap_dim(axis, data.ndim)
    if indices is not None and lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is not None:
        lens = _integer_array(lengths, "_segment_reduce_lengths_cpu_kernel1")
        kind = "lengths"
    elif offsets is not None:
        bounds = _integer_array(offsets, "_segment_reduce_offsets_cpu_kernel1")
        kind = "offsets"
    else:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    given = lens if kind == "lengths" else bounds
    if data.ndim < given.ndim:
        raise RuntimeError(
            "Expected data.dim() >= lengths_value.dim() to be true, but got false.  (Could this "
            "error message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    if axis != given.ndim - 1:
        raise RuntimeError(
            f"segment_reduce(): Expected axis to be the last dimension of {kind} but got {axis}."
        )
    if kind == "offsets":  # a segment from each offset to the next
        starts, ends = bounds[..., :-1], bounds[..., 1:]
        if (ends < starts).any():
            raise RuntimeError(
                "Expected segment_length >= 0 to be true, but got false.  (Could this error "
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
    else:
        if lens.size == 0:
            raise RuntimeError(
                "min(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                "the reduction dim with the 'dim' argument."
            )
        if (lens < 0).any():
            raise RuntimeError("lengths contains negative value!")
        if not unsafe and (lens.sum(axis=-1) != data.shape[axis]).any():
            raise RuntimeError(
                "segment_reduce(): Expected all rows of lengths along axis to sum to "
                "data.size(lengths.dim()-1) when !unsafe."
            )
        ends = xp.cumsum(lens, axis=-1)
        starts = ends - lens
    if isinstance(initial, Tensor):
        initial = initial.item()
    return _segment_reduce(data, reduce, xp.stack([starts, ends], axis=-1), axis, initial)


__all__ = ["segment_reduce"]
