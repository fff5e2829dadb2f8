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

from .._array import xp
from ..tensor import _make
from .registry import op, shared_formulas

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


def _core_forward(query, key, value, bias, scale):
    s = _scores(query, key, scale, bias)
    s -= s.max(-1, keepdims=True)
    xp.exp(s, out=s)
    s /= s.sum(-1, keepdims=True)
    return xp.matmul(s, value), s


def _two(grads):
    """The gradients of the output and of the weights (None where one got none)."""
    return tuple(grads[i] if i < len(grads) else None for i in range(2))


def _core_grads_in_arrays(grads, n):
    g_out, g_weights = _two(grads)
    q, k, v, p = n.query._data, n.key._data, n.value._data, n.result1._data
    dp = xp.zeros_like(p) if g_weights is None else g_weights._data.astype(p.dtype, copy=True)
    if g_out is None:
        dv = xp.zeros_like(v)
    else:
        dv = xp.matmul(xp.swapaxes(p, -1, -2), g_out._data)
        dp += xp.matmul(g_out._data, xp.swapaxes(v, -1, -2))
    dp -= (dp * p).sum(-1, keepdims=True)
    dp *= p  # the scores' gradient
    dp *= n.scale
    return _make(xp.matmul(dp, k)), _make(xp.matmul(xp.swapaxes(dp, -1, -2), q)), _make(dv)


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
