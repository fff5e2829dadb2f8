"""Scaled dot-product attention as one op: PyTorch's fused CPU kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``), one node for ``softmax(q k^T * scale + mask) v``.

The node saves what PyTorch's does: the query, key and value, the output and the log-sum-exp of
each row of scores; the attention matrix is not kept but recomputed from them in the backward pass,
as a flash kernel does.  Its three gradients share that matrix and its gradient, so the first of
the three formulas to run computes all of them.  With ``create_graph`` they are computed in Tensor
ops (differentiable again); otherwise in arrays.

A row whose every key is masked out attends to nothing: its output is zero (the unfused softmax
gives NaN there), as in PyTorch's kernel.
"""

import math
from collections import namedtuple

from .._array import scratch_array, xp
from .._switches import grad_mode as _grad_state
from ..tensor import _make
from .nnops import _linear
from .registry import FusedNode, op, record_fused, shared_formulas

__all__ = []

_FlashResult = namedtuple("_FlashResult", "output logsumexp")


def _scale(query, scale):
    return 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale


def _bias(attn_mask, is_causal, lq, lk, dtype):
    """The additive bias on the scores: the float mask, or the causal one (top-left aligned)."""
    if is_causal:
        return xp.where(xp.tril(xp.ones((lq, lk), bool)), 0.0, -xp.inf).astype(dtype)
    return None if attn_mask is None else attn_mask._data


def _scores(q, k, scale, bias):
    s = xp.matmul(q, xp.swapaxes(k, -1, -2))
    if scale is not None:
        s *= scale
    if bias is None:
        return s
    if xp.broadcast_shapes(s.shape, bias.shape) != s.shape:
        return s + bias  # a mask with more batch dimensions than the inputs
    s += bias
    return s


def _forward(query, key, value, attn_mask, dropout_p, is_causal, scale):
    bias = _bias(attn_mask, is_causal, query.shape[-2], key.shape[-2], query.dtype)
    s = _scores(query, key, _scale(query, scale), bias)
    top = s.max(-1, keepdims=True)
    dead = ~xp.isfinite(top)  # every key masked out: the row attends to nothing
    if dead.any():
        top[dead] = 0.0
    s -= top
    xp.exp(s, out=s)
    total = s.sum(-1, keepdims=True)
    lse = top + xp.log(total, where=~dead, out=xp.zeros_like(total))
    total[dead] = 1.0
    s /= total
    return xp.matmul(s, value), lse[..., 0]


def _probabilities(n, q, k):
    """The attention matrix again, from the saved log-sum-exp (zero on rows that attend nothing)."""
    bias = _bias(n.attn_mask, n.is_causal, q.shape[-2], k.shape[-2], q.dtype)
    s = _scores(q, k, _scale(q, n.scale), bias)
    s -= n.logsumexp._data[..., None]
    return xp.exp(s, out=s)


def _grads_in_arrays(g, n):
    q, k, v = n.query._data, n.key._data, n.value._data
    out, g = n.output._data, g._data
    p = _probabilities(n, q, k)
    scale = _scale(q, n.scale)
    dv = xp.matmul(xp.swapaxes(p, -1, -2), g)
    dp = xp.matmul(g, xp.swapaxes(v, -1, -2))
    dp -= (g * out).sum(-1, keepdims=True)
    dp *= p  # the scores' gradient
    dp *= scale
    dq = xp.matmul(dp, k)
    dk = xp.matmul(xp.swapaxes(dp, -1, -2), q)
    return _make(dq), _make(dk), _make(dv)


def _grads_in_tensors(g, n):
    """The same gradients in Tensor ops, so that they can be differentiated again."""
    q, k, v = n.query, n.key, n.value
    scale = _scale(q, n.scale)
    scores = q.matmul(k.transpose(-2, -1)) * scale
    bias = _bias(n.attn_mask, n.is_causal, q.shape[-2], k.shape[-2], q._data.dtype)
    if bias is not None:
        # rows with every key masked attend nothing: softmax over a zero bias there, then zeroed
        dead = xp.isneginf(bias).all(-1, keepdims=True)
        scores = scores + _make(xp.where(dead, 0.0, bias).astype(bias.dtype))
    p = scores.softmax(-1)
    if bias is not None and dead.any():
        p = p * _make((~dead).astype(bias.dtype))
    dv = p.transpose(-2, -1).matmul(g)
    dp = g.matmul(v.transpose(-2, -1))
    ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * scale
    return ds.matmul(k), ds.transpose(-2, -1).matmul(q), dv


@op(
    inputs="query key value",
    saves="query key value result result1",
    outputs=1,
    returns=_FlashResult,
    method=False,
    node="ScaledDotProductFlashAttentionForCpuBackward0",
    grads=shared_formulas(3, _grads_in_arrays, _grads_in_tensors),
)
def _scaled_dot_product_flash_attention_for_cpu(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None
):
    """``softmax(query key^T * scale + attn_mask) value`` over 4-d (N, heads, L, E) inputs, and
    the log-sum-exp of each row of scores.  ``attn_mask`` is an additive float Tensor (or None)."""
    return _forward(query, key, value, attn_mask, dropout_p, is_causal, scale)


_Node = _scaled_dot_product_flash_attention_for_cpu.opdef.Node
# PyTorch's names for the two outputs it saves (the log-sum-exp is no differentiable output)
_Node._saved_output = _Node.output = _Node._saved_result
_Node._saved_logsumexp = _Node.logsumexp = property(lambda node: _make(node.result1._data))


# --- the core of MultiheadAttention with its weights ----------------------------------------------
#
# With need_weights PyTorch composes the core of multi-head attention from bmm and softmax; here it
# is one node, whose second output is the attention matrix, kept (it is returned anyway) rather
# than recomputed.  A row whose every key is masked gives NaN, as the composed softmax does.


def _softmax_in_place(s):
    """Softmax over the last axis of the scores ``s``, in place.  Where every score lies well
    inside exp's range (one minimum and one maximum over the whole array tell), no row's maximum
    needs subtracting first: the same values to rounding, without a reduction along each short
    row (slow in NumPy).  Each row's sum is one product with a column of ones."""
    if s.dtype.itemsize < 4 or not (-64.0 < s.min() and s.max() < 64.0):  # (also NaN, -inf)
        s -= s.max(-1, keepdims=True)
    xp.exp(s, out=s)
    s /= xp.matmul(s, xp.ones((s.shape[-1], 1), s.dtype))
    return s


def _core_forward(query, key, value, bias, scale):
    s = _softmax_in_place(_scores(query, key, scale, bias))
    return xp.matmul(s, value), s


def _two(grads):
    """The gradients of the output and of the weights (None where one got none)."""
    return tuple(grads[i] if i < len(grads) else None for i in range(2))


def _core_grads_in_arrays(grads, n):
    g_out, g_weights = _two(grads)
    q, k, v, p = n.query._data, n.key._data, n.value._data, n.result1._data
    dtype = q.dtype
    if dtype.itemsize == 2:  # float16/bfloat16: computed in float32, rounded once at the end
        q, k, v, p = (a.astype(xp.float32) for a in (q, k, v, p))
    dp = xp.zeros_like(p) if g_weights is None else g_weights._data.astype(p.dtype, copy=True)
    if g_out is None:
        dv = xp.zeros_like(v)
    else:
        g = g_out._data.astype(p.dtype, copy=False)
        dv = xp.matmul(xp.swapaxes(p, -1, -2), g)
        dp += xp.matmul(g, xp.swapaxes(v, -1, -2))
    dp -= (dp * p).sum(-1, keepdims=True)
    dp *= p  # the scores' gradient
    dp *= n.scale
    dq, dk = xp.matmul(dp, k), xp.matmul(xp.swapaxes(dp, -1, -2), q)
    return tuple(_make(a.astype(dtype, copy=False)) for a in (dq, dk, dv))


def _core_grads_in_tensors(grads, n):
    """The same gradients in Tensor ops, so that they can be differentiated again."""
    g_out, g_weights = _two(grads)
    q, k, v = n.query, n.key, n.value
    scores = q.matmul(k.transpose(-2, -1)) * n.scale
    if n.bias is not None:
        scores = scores + n.bias
    p = scores.softmax(-1)
    dp = g_weights
    dv = None
    if g_out is not None:
        dv = p.transpose(-2, -1).matmul(g_out)
        dp = (
            g_out.matmul(v.transpose(-2, -1))
            if dp is None
            else dp + g_out.matmul(v.transpose(-2, -1))
        )
    if dv is None:
        dv = _make(xp.zeros_like(v._data))
    ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * n.scale
    return ds.matmul(k), ds.transpose(-2, -1).matmul(q), dv


@op(
    inputs="query key value",
    saves="query key value result1",
    outputs=2,
    method=False,
    node="MultiheadAttentionCoreBackward0",
    grads=shared_formulas(3, _core_grads_in_arrays, _core_grads_in_tensors),
)
def _attention_with_weights(query, key, value, bias=None, scale=1.0):
    """``softmax(query key^T * scale + bias) value`` over (batch, L, E) inputs, and the softmax
    (the attention weights).  ``bias`` is an additive float Tensor that needs no gradient, or
    None."""
    return _core_forward(query, key, value, None if bias is None else bias._data, scale)


# --- multi-head self-attention, projections included, as one node -------------------------------
#
# Self-attention (query, key and value one tensor) with the packed in-projection, no dropout and
# a mask that needs no gradient: the in-projection, the attention of every head and the
# out-projection run as one node, its backward pass written here on arrays.  PyTorch records
# some thirty nodes for this; their Python bookkeeping is most of the time of a small layer.


def composed_self_attention(x, w_in, b_in, w_out, b_out, heads, bias):
    """The fused node's outputs in retrograd ops, one node each: ``(out, weights)`` for ``x`` of
    shape (L, N, E); ``out`` (L * N, E), ``weights`` (N * heads, L, L)."""
    steps, batch, embed = x.shape
    hd = embed // heads
    x2 = x.reshape(steps * batch, embed)
    proj = _linear(x2, w_in, b_in) if b_in is not None else x2.matmul(w_in.t())
    qkv = proj.reshape(steps, batch, 3, heads, hd).permute(2, 1, 3, 0, 4)
    q, k, v = qkv.reshape(3, batch * heads, steps, hd).unbind(0)
    o, weights = _attention_with_weights(q, k, v, bias, 1.0 / math.sqrt(hd))
    o2 = o.reshape(batch, heads, steps, hd).permute(2, 0, 1, 3).reshape(steps * batch, embed)
    out = _linear(o2, w_out, b_out) if b_out is not None else o2.matmul(w_out.t())
    return out, weights


def _query_scaled(a, embed, hd):
    """``a``, the in-projection's weight or bias (or their gradient), with its query part (the
    first ``embed`` rows) multiplied by the scale of the scores, in place."""
    a[:embed] *= hd**-0.5
    return a


def _heads(proj, steps, batch, heads, i):
    """Part ``i`` (q, k or v) of an in-projection (L * N, 3 * E) as (N, heads, L, E / heads): a
    view, which the products read (and write) in place, strided as it is."""
    hd = proj.shape[1] // (3 * heads)
    return proj.reshape(steps, batch, 3, heads, hd)[:, :, i].transpose(1, 2, 0, 3)


def self_attention(x, w_in, b_in, w_out, b_out, heads, bias):
    """Multi-head self-attention over ``x`` (L, N, E) as one node: ``(out, weights)``, ``out``
    (L * N, E), as the output projection makes it, and ``weights`` the attention of each head,
    (N * heads, L, L).  ``bias``: an additive float mask Tensor that needs no gradient,
    broadcasting to the weights, or None."""
    inputs = (x, w_in, b_in, w_out, b_out)
    record = _grad_state.enabled and any(t is not None and t._requires_grad for t in inputs)
    steps, batch, embed = x._data.shape
    hd = embed // heads
    x2 = x._data.reshape(steps * batch, embed)
    # the scale of the scores goes into the query's rows of the in-projection (a small array)
    # rather than over the scores (and their gradient) after the product
    w_scaled = _query_scaled(w_in._data.copy(), embed, hd)
    proj = xp.matmul(x2, w_scaled.T)
    if b_in is not None:
        proj += _query_scaled(b_in._data.copy(), embed, hd)
    q, k, v = (_heads(proj, steps, batch, heads, i) for i in range(3))
    b = None if bias is None else bias._data
    if b is not None and b.ndim == 3:  # (N * heads, L or 1, L)
        b = b.reshape((batch, heads) + b.shape[1:])
    p = _softmax_in_place(_scores(q, k, None, b))  # (N, heads, L, L)
    o2 = xp.empty((steps, batch, heads, hd), p.dtype)  # every head's output, in rows (L, N)
    xp.matmul(p, v, out=o2.transpose(1, 2, 0, 3))
    o2 = o2.reshape(steps * batch, embed)
    out = xp.matmul(o2, w_out._data.T)
    if b_out is not None:
        out += b_out._data
    results = (_make(out, record), _make(p.reshape(batch * heads, steps, steps), record))
    if record:
        record_fused(
            MultiheadSelfAttentionBackward0,
            inputs,
            results,
            (heads, bias),
            (x2, proj, o2, w_scaled),
            (1,),  # the weights, as the composed softmax keeps them
        )
    return results


def _self_attention_grads(work, p, w_out, g_out, g_p, want, heads):
    """The gradients of (x, w_in, b_in, w_out, b_out) from those of the output and the weights
    (either None), where ``want``."""
    x2, proj, o2, w_scaled = work  # (proj holds the query times the scale)
    rows, embed = x2.shape
    steps = p.shape[1]
    batch, hd = p.shape[0] // heads, embed // heads
    q, k, v = (_heads(proj, steps, batch, heads, i) for i in range(3))
    p = p.reshape(batch, heads, steps, steps)
    # (the temporaries below, megabytes on a large layer, live in reused scratch memory)
    d_proj = scratch_array("attention_d_proj", proj.shape, proj.dtype)  # the products write it
    dq, dk, dv = (_heads(d_proj, steps, batch, heads, i) for i in range(3))
    dw_out = db_out = None
    if g_out is not None:
        g2 = g_out.reshape(rows, embed)
        dw_out = xp.matmul(g2.T, o2) if want[3] else None
        db_out = g2.sum(0) if want[4] else None
        do = scratch_array("attention_do", (rows, embed), xp.result_type(g2, w_out))
        do = xp.matmul(g2, w_out, out=do).reshape(steps, batch, heads, hd)
        # each row of dp dotted with p is do . (p v) = do . o: over E / heads, not over L
        row = xp.einsum("lnhd,lnhd->nhl", do, o2.reshape(steps, batch, heads, hd))[..., None]
        do = do.transpose(1, 2, 0, 3)
        xp.matmul(xp.swapaxes(p, -1, -2), do, out=dv)
        dp = scratch_array("attention_dp", p.shape, xp.result_type(do, v))
        xp.matmul(do, xp.swapaxes(v, -1, -2), out=dp)
        if g_p is not None:
            g_p = g_p.reshape(p.shape)
            dp += g_p
            row += (g_p * p).sum(-1, keepdims=True)
    else:
        dv[...] = 0
        dp = g_p.reshape(p.shape).astype(p.dtype, copy=True)
        row = (dp * p).sum(-1, keepdims=True)
    dp -= row
    dp *= p  # the scores' gradient
    xp.matmul(dp, k, out=dq)  # (of the scaled query: d_proj is that of the scaled projection)
    xp.matmul(xp.swapaxes(dp, -1, -2), q, out=dk)
    dx = xp.matmul(d_proj, w_scaled).reshape(steps, batch, embed) if want[0] else None
    dw_in = _query_scaled(xp.matmul(d_proj.T, x2), embed, hd) if want[1] else None
    db_in = _query_scaled(d_proj.sum(0), embed, hd) if want[2] else None
    return [dx, dw_in, db_in, dw_out, db_out]


class MultiheadSelfAttentionBackward0(FusedNode):
    """The node of ``self_attention``: edges to (x, w_in, b_in, w_out, b_out), outputs (out,
    weights)."""

    __slots__ = ()
    _n_outputs = 2

    def apply(self, grads, needed):
        if self._versions:
            self._check_saved()
        want = [
            nxt is not None and (needed is None or nxt in needed) for nxt, _ in self.next_functions
        ]
        grads = list(grads) + [None] * (2 - len(grads))
        heads, bias = self._attrs
        if _grad_state.enabled:  # create_graph: differentiate the composed ops instead
            inputs = [self._unpack(i) for i in range(5)]
            results = composed_self_attention(*inputs, heads, bias)
            return self._differentiate(inputs, results, grads, want)
        g_out, g_p = (None if g is None else g._data for g in grads)
        saved = self._saved
        got = _self_attention_grads(
            self._work, saved[5][0], saved[3]._data, g_out, g_p, want, heads
        )
        return [None if g is None else _make(g) for g in got]
