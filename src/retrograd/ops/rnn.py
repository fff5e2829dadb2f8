"""Recurrent layers over a whole sequence: ``RNN`` (tanh or relu), ``LSTM`` and ``GRU``.

``layer`` runs one layer in one direction.  Its fused kernel computes the input projection of every
time step as one matrix product, loops over time only for the hidden-to-hidden product and the gate
arithmetic, and records one graph node whose backward pass (backpropagation through time) is
written here in NumPy: the same loop backwards, then one matrix product over all steps for each
weight's gradient.  Gate order and formulas follow PyTorch (LSTM: input, forget, cell, output;
GRU: reset, update, new, with the reset gate applied to the hidden projection and its bias).

The node keeps PyTorch's name where PyTorch records one node per layer (``MkldnnRnnLayerBackward0``:
an LSTM in float32); elsewhere PyTorch records the step-by-step graph, whose output node is a
``StackBackward0``, and the fused node takes that name.  Under ``create_graph`` the node recomputes
the layer with the composed ops (``composed_layer``, one node per op) and differentiates those, so
gradients of gradients work as they do everywhere else.
"""

from itertools import repeat

from .. import _switches
from .._array import ONE, copy_rows, scratch_array, xp
from .._switches import grad_mode as _grad_state
from ..tensor import _make
from . import registry
from .nnops import _linear
from .shape import cat, stack

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --- the composed layer: retrograd ops, one node each -------------------------------------------


def _affine(x, w, b):
    """x W^T + b over the last dimension, as ``F.linear`` records it."""
    if b is None:
        return x.matmul(w.t())
    if x.ndim == 2:
        return _linear(x, w, b)
    return _linear(x.reshape(-1, x.shape[-1]), w, b).reshape(x.shape[:-1] + (w.shape[0],))


def cell(mode, gi, h, c, w_hh, b_hh, w_hr=None):
    """One time step from ``gi``, the input's projection (with its bias) for that step; returns
    the new hidden state and, for an LSTM, the new cell state (else None).  ``w_hr``: an LSTM's
    projection (P, H) of the hidden state, whose size is then P."""
    gh = _affine(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (gi + gh).unsafe_chunk(4, 1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        return (h if w_hr is None else h.matmul(w_hr.t())), c
    if mode == "GRU":
        ir, iz, in_ = gi.unsafe_chunk(3, 1)
        hr, hz, hn = gh.unsafe_chunk(3, 1)
        r = (hr + ir).sigmoid()
        z = (hz + iz).sigmoid()
        n = (in_ + hn * r).tanh()
        return (h - n) * z + n, None  # (the fused kernel's rounding, and PyTorch's)
    pre = gi + gh
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


def composed_layer(mode, x, w_ih, w_hh, b_ih, b_hh, h, c, reverse=False, sizes=None, w_hr=None):
    """The layer step by step in retrograd ops: ``(output, h_n, c_n)`` for ``x`` of shape
    (T, B, I).  With ``sizes`` (a packed batch's ``batch_sizes``) only the first ``sizes[t]`` rows
    move at step t; the others keep their state.  ``w_hr``: see ``cell``."""
    steps, batch = x.shape[0], x.shape[1]
    if h is None:  # (the hidden state's size is w_hh's columns: P for a projected LSTM)
        h = _make(xp.zeros((batch, w_hh.shape[1]), x._data.dtype))
    if c is None and mode == "LSTM":
        c = _make(xp.zeros((batch, w_hh.shape[0] // 4), x._data.dtype))
    projected = _affine(x, w_ih, b_ih).unbind(0)  # every time step at once
    hs = [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        h_new, c_new = cell(mode, projected[t], h, c, w_hh, b_hh, w_hr)
        if sizes is not None and sizes[t] < batch:  # finished or not yet started
            n = sizes[t]
            h_new = cat([h_new[:n], h[n:]])
            c_new = cat([c_new[:n], c[n:]]) if c is not None else None
        h, c = h_new, c_new
        hs[t] = h
    return stack(hs), h, c


# --- the fused kernel ---------------------------------------------------------------------------


def fusable(x, weights, h, c):
    """Whether the fused kernel runs: one floating dtype for every array, no forward-mode AD or
    saved-tensor hooks (those see the composed ops), and no empty sequence."""
    if _switches.forward_ad_hook is not None or _switches.pack_hook is not None:
        return False
    dtype = x._data.dtype
    if dtype.kind not in "fV" or x._data.shape[0] == 0:
        return False
    return all(t is None or t._data.dtype == dtype for t in (*weights, h, c))


def layer(mode, x, w_ih, w_hh, b_ih, b_hh, h=None, c=None, reverse=False, sizes=None, w_hr=None):
    """One layer in one direction over ``x`` (T, B, I): ``(output, h_n, c_n)``, ``c_n`` None but
    for an LSTM.  ``h``/``c``: initial states (B, H), zeros when None; ``sizes``: see
    ``composed_layer``; ``w_hr``: see ``cell``.  Fused when ``fusable`` and not projected, else
    composed."""
    inputs = (x, w_ih, w_hh, b_ih, b_hh, h, c)
    if w_hr is not None or not fusable(x, inputs[1:5], h, c):
        return composed_layer(mode, x, w_ih, w_hh, b_ih, b_hh, h, c, reverse, sizes, w_hr)
    arrays = [None if t is None else t._data for t in inputs]
    record = _grad_state.enabled and any(t is not None and t._requires_grad for t in inputs)
    with xp.errstate(over="ignore"):  # exp(-x) of a large negative x is inf: sigmoid 0, as meant
        out, hy, cy, work = _FORWARD[mode](*arrays, reverse, sizes)
    name = "MkldnnRnnLayerBackward0" if mode == "LSTM" and out.dtype == xp.float32 else ""
    results = (_make(out, record), _make(hy, record), None if cy is None else _make(cy, record))
    if record:
        # PyTorch's fused layer keeps its output: a write into it fails the backward pass
        registry.record_fused(
            _NODES[name or "StackBackward0"],
            inputs,
            results,
            (mode, reverse, sizes),
            work,
            (0,) if name else (),
        )
    return results


class _LayerNode(registry.FusedNode):
    """The node of one fused layer: edges to (input, w_ih, w_hh, b_ih, b_hh, h_0, c_0), outputs
    (output, h_n, c_n); ``_work`` holds the arrays the forward kept for the backward pass."""

    __slots__ = ()
    _n_outputs = 3

    def apply(self, grads, needed):
        if self._versions:
            self._check_saved()
        want = [
            nxt is not None and (needed is None or nxt in needed) for nxt, _ in self.next_functions
        ]
        grads = list(grads) + [None] * (3 - len(grads))
        if _grad_state.enabled:  # create_graph: differentiate the composed ops instead
            return self._composed_backward(grads, want)
        mode, reverse, sizes = self._attrs
        arrays = [None if t is None else t._data for t in self._saved[:7]]
        d_out, d_hy, d_cy = (None if g is None else g._data for g in grads)
        with xp.errstate(over="ignore", under="ignore"):
            got = _BACKWARD[mode](self._work, arrays, d_out, d_hy, d_cy, want, reverse, sizes)
        return [None if g is None or not w else _make(g) for g, w in zip(got, want)]

    def _composed_backward(self, grads, want):
        mode, reverse, sizes = self._attrs
        inputs = [self._unpack(i) for i in range(7)]
        results = composed_layer(mode, *inputs, reverse, sizes)
        return self._differentiate(inputs, results, grads, want)


_NODES = {
    name: type(name, (_LayerNode,), {"__slots__": ()})
    for name in ("MkldnnRnnLayerBackward0", "StackBackward0")
}


def _sigmoid_(a):
    """1 / (1 + exp(-a)), in place (the reciprocal as a division: NumPy's float32 reciprocal
    runs unvectorised, its division does not, and both round the same)."""
    one = ONE.get(a.dtype, 1)
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    a += one
    xp.divide(one, a, out=a)


def _project(x, w_ih, bias):
    """The input projection of every step at once: (T, B, G), and x as (T*B, I)."""
    steps, batch = x.shape[0], x.shape[1]
    x2 = x.reshape(steps * batch, x.shape[2])
    xw = xp.matmul(x2, w_ih.T)
    if bias is not None:
        xw += bias
    return xw.reshape(steps, batch, w_ih.shape[0]), x2


def _states(h0, steps, rows, cols, dtype, reverse):
    """The states of every step, (T + 1, rows, cols) (B, H; for the LSTM H, B), with the initial
    one in place; and two (T, rows, cols) views of it: what step t reads and what it writes
    (row t and t + 1; backwards, t + 1 and t)."""
    hs = xp.empty((steps + 1, rows, cols), dtype)
    hs[steps if reverse else 0] = 0 if h0 is None else h0
    return (hs, hs[1:], hs[:-1]) if reverse else (hs, hs[:-1], hs[1:])


def _steps(backwards, sizes, batch, *arrays):
    """``(n, views...)`` for each time step, from the last when ``backwards``: each (T, ...)
    array's slice for that step, and ``n``, how many rows move then (all, unless ``sizes``)."""
    if backwards:
        arrays = [a[::-1] for a in arrays]
        sizes = None if sizes is None else sizes[::-1]
    return zip(repeat(batch) if sizes is None else sizes, *arrays)


# OpenBLAS multiplies matrices of up to this many multiply-adds (rows x inner x columns) with a
# kernel that reads them where they lie; a larger product first copies (packs) both operands.  A
# recurrent step's product is a whole weight matrix by a few columns: packing the weight at every
# step costs about a third of the product, which row blocks below this size never pay.
_UNPACKED_PRODUCT = 1_000_000


def _row_blocks(w, cols):
    """``w`` (M, K) for products with ``cols`` columns, as (k, M / k, K): the fewest equal row
    blocks each under ``_UNPACKED_PRODUCT`` (one batched product runs them all), or ``w`` itself
    when the whole product is that small or M splits into no blocks of 16 rows or more."""
    rows, inner = w.shape
    fewest = -(-rows * inner * cols // _UNPACKED_PRODUCT)
    if fewest > 1:
        for k in range(fewest, rows // 16 + 1):
            if rows % k == 0:
                return xp.ascontiguousarray(w).reshape(k, rows // k, inner)
    return w


def _no_grad_out(d_out, shape, dtype):
    """The output's gradient, or zeros (read only) when the output got none."""
    return xp.broadcast_to(xp.zeros((), dtype), shape) if d_out is None else d_out


def _lstm_layout(w):
    """The LSTM's gate rows as the kernel keeps them: (output, input, forget, cell), the three
    sigmoid gates first and negated, so that their sigmoid is 1 / (1 + exp(a)) over one block, and
    the three that the cell state's gradient drives last, so that they are one block too.  ``w``:
    a weight (4H, ...) or bias (4H,) in PyTorch's order (input, forget, cell, output); one pass."""
    hidden = w.shape[0] // 4
    out = xp.empty(w.shape, w.dtype)
    xp.negative(w[3 * hidden :], out=out[:hidden])
    xp.negative(w[: 2 * hidden], out=out[hidden : 3 * hidden])
    out[3 * hidden :] = w[2 * hidden : 3 * hidden]
    return out


def _lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse, sizes):
    # Feature-major: each step's gates are (4H, B) and its states (H, B), so every gate block is
    # one contiguous array (NumPy's exp and tanh run fastest on those).
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    w_ih = _lstm_layout(w_ih)
    w_hh = _lstm_layout(w_hh)
    w_blocks = _row_blocks(w_hh, batch)
    product = xp.dot if w_blocks is w_hh else xp.matmul  # (dot: the cheapest call for 2-D)
    x2 = x.reshape(steps * batch, x.shape[2])
    # The input's projection of every step is one product, (4H, I) by (I, T*B), into reused
    # scratch memory (as T products of B columns it runs far slower), and one copy lays it out
    # as the steps' contiguous (4H, B) blocks of gates, to which each step adds its recurrent
    # product (adding the strided columns at every step instead costs more than the copy).
    projected = scratch_array("lstm_projected", (4 * hidden, steps * batch), x.dtype)
    xp.dot(w_ih, x2.T, out=projected)
    if b_ih is not None:
        projected += _lstm_layout(b_ih + b_hh)[:, None]
    a = xp.empty((steps, 4 * hidden, batch), x.dtype)
    copy_rows(a, projected.reshape(4 * hidden, steps, batch).transpose(1, 0, 2))
    blocked = (steps,) + w_blocks.shape[:-1] + (batch,)  # each step's gates as the blocks' rows
    rec = xp.empty(blocked[1:], x.dtype)
    hs, h_read, h_write = _states(
        None if h0 is None else h0.T, steps, hidden, batch, x.dtype, reverse
    )
    # Each step's cell state sits beside the tanh of its candidate gate, (2, H, B), in the order
    # of the input and forget gates' rows: one division by their 1 + exp(-pre) scales both.
    cs = xp.empty((steps + 1, 2, hidden, batch), x.dtype)
    cs[steps if reverse else 0, 1] = 0 if c0 is None else c0.T
    pairs = cs[1:] if reverse else cs[:-1]
    c_write = (cs[:-1] if reverse else cs[1:])[:, 1]
    tc = xp.empty((steps, hidden, batch), x.dtype)  # tanh of each new cell state
    scaled = xp.empty((2, hidden, batch), x.dtype)
    scaled_input, scaled_forget = scaled  # (views made once, not at every step)
    h1, h3 = hidden, 3 * hidden
    one = ONE.get(x.dtype, 1)
    # Each step turns the sigmoid gates' block into 1 + exp(-pre) and divides by it, which
    # saves a reciprocal per step; the sigmoids themselves are taken once, after the loop.
    for n, g, d3, d_o, d_if, cg, pair, tg, hp, hq, cq, tct in _steps(
        reverse,
        sizes,
        batch,
        *(a.reshape(blocked), a[:, :h3], a[:, :h1], a[:, h1:h3].reshape(steps, 2, hidden, batch)),
        *(a[:, h3:], pairs, pairs[:, 0], h_read, h_write, c_write, tc),
    ):
        both, input_part, forget_part = scaled, scaled_input, scaled_forget
        if n < batch:  # a packed batch: the finished (or not yet started) rows keep their state
            hq[:, n:] = hp[:, n:]
            cq[:, n:] = pair[1, :, n:]
            d3, d_o, d_if, cg = d3[:, :n], d_o[:, :n], d_if[..., :n], cg[:, :n]
            pair, tg, hq, cq, tct = pair[..., :n], tg[:, :n], hq[:, :n], cq[:, :n], tct[:, :n]
            both = scaled[..., :n]
            input_part, forget_part = both[0], both[1]
            g[..., :n] += xp.matmul(w_blocks, hp[:, :n])
        else:
            g += product(w_blocks, hp, out=rec)
        xp.exp(d3, out=d3)
        d3 += one
        xp.tanh(cg, out=tg)
        xp.divide(pair, d_if, out=both)
        xp.add(input_part, forget_part, out=cq)
        xp.tanh(cq, out=tct)
        xp.divide(tct, d_o, out=hq)
    sig = a[:, :h3]
    xp.divide(one, sig, out=sig)  # o, i, f (a division: see _sigmoid_)
    last = 0 if reverse else steps
    work = (a, pairs, tc, h_read, x2)
    out = h_write.transpose(0, 2, 1).copy()
    return out, hs[last].T.copy(), cs[last, 1].T.copy(), work


def _gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse, sizes):
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    bias = None
    if b_ih is not None:  # the hidden bias of the reset and update gates adds like the input's
        bias = b_ih.copy()
        bias[:h2] += b_hh[:h2]
    a, x2 = _project(x, w_ih, bias)  # becomes r, z, n
    gh = xp.empty_like(a)  # the hidden projection, with the new gate's hidden bias
    hs, h_read, h_write = _states(h0, steps, batch, hidden, x.dtype, reverse)
    w_t = w_hh.T
    b_hn = None if b_hh is None else b_hh[h2:]
    for n, g, hg, hp, hq in _steps(reverse, sizes, batch, a, gh, h_read, h_write):
        if n < batch:
            hq[n:] = hp[n:]
            g, hg, hp, hq = g[:n], hg[:n], hp[:n], hq[:n]
        xp.matmul(hp, w_t, out=hg)
        hn = hg[:, h2:]
        if b_hn is not None:
            hn += b_hn
        rz = g[:, :h2]
        rz += hg[:, :h2]
        _sigmoid_(rz)
        new = g[:, h2:]
        new += rz[:, :hidden] * hn
        xp.tanh(new, out=new)
        xp.subtract(hp, new, out=hq)
        hq *= rz[:, hidden:]
        hq += new
    last = 0 if reverse else steps
    return h_write.copy(), hs[last].copy(), None, (a, gh, h_read, x2)


def _simple_forward(relu):
    def forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse, sizes):
        steps, batch = x.shape[0], x.shape[1]
        hidden = w_hh.shape[1]
        a, x2 = _project(x, w_ih, None if b_ih is None else b_ih + b_hh)
        hs, h_read, h_write = _states(h0, steps, batch, hidden, x.dtype, reverse)
        w_t = w_hh.T
        for n, g, hp, hq in _steps(reverse, sizes, batch, a, h_read, h_write):
            if n < batch:
                hq[n:] = hp[n:]
                g, hp, hq = g[:n], hp[:n], hq[:n]
            xp.matmul(hp, w_t, out=hq)
            hq += g
            if relu:
                xp.maximum(hq, 0, out=hq)
            else:
                xp.tanh(hq, out=hq)
        last = 0 if reverse else steps
        return h_write.copy(), hs[last].copy(), None, (h_write, h_read, x2)

    return forward


def _carried(grad, batch, hidden, dtype):
    """The gradient flowing back into the state: the final state's own, or zeros."""
    return xp.zeros((batch, hidden), dtype) if grad is None else grad.astype(dtype, copy=True)


def _input_grads(dgi, dgh, x2, h_read, w_ih, want, x_shape):
    """The gradients of input, weights and biases from those of the gates' pre-activations over
    every step: one matrix product each (``dgi``: of the input projection, ``dgh``: of the hidden
    one, (T, B, G) both; ``h_read``: the state each step read)."""
    g = w_ih.shape[0]
    gi2 = dgi.reshape(-1, g)
    gh2 = gi2 if dgh is dgi else dgh.reshape(-1, g)
    dx = xp.matmul(gi2, w_ih).reshape(x_shape) if want[0] else None
    dw_ih = xp.matmul(gi2.T, x2) if want[1] else None
    dw_hh = xp.matmul(gh2.T, h_read.reshape(-1, h_read.shape[-1])) if want[2] else None
    db_ih = gi2.sum(0) if want[3] else None
    db_hh = (gh2.sum(0) if dgh is not dgi or db_ih is None else db_ih.copy()) if want[4] else None
    return [dx, dw_ih, dw_hh, db_ih, db_hh]


def _row_sums(m):
    """The sums of the rows of ``m``: a product with a vector of ones for the types the BLAS
    takes, several times faster than NumPy's pairwise sum of short rows; that sum otherwise."""
    if m.dtype not in (xp.float32, xp.float64):
        return m.sum(1)
    return xp.dot(m, xp.ones(m.shape[1], m.dtype))


def _lstm_backward(work, arrays, d_out, d_hy, d_cy, want, reverse, sizes):
    a, pairs, tc, h_read, x2 = work
    x, w_ih, w_hh = arrays[0], arrays[1], arrays[2]
    steps, gates, batch = a.shape
    hidden = gates // 4
    dtype = a.dtype
    o, i, f = (a[:, k * hidden : (k + 1) * hidden] for k in range(3))
    g = pairs[:, 0]  # (the cell gate's tanh; beside it the cell state read)
    # What each gate's pre-activation gradient is per unit of dc (input, forget, cell) or of dh
    # (output), and how dh reaches dc: every step at once, outside the loop.  The gradients are
    # in PyTorch's gate order, and so is every product with the layer's own weights below.
    # (In place, into buffers of reused scratch memory: temporaries this large would each cost
    # fresh pages.  per_dc and per_dh share one of the gates' size, which after the loop takes
    # the gates' gradients laid out for the weight products; no result keeps any of them.)
    # Each call covers as many gates as lie side by side: NumPy runs a call on a strided block
    # through its buffers step by step, so one call over the three sigmoid gates costs far less
    # than three.
    one = ONE.get(dtype, 1)
    per_gate = scratch_array("lstm_per_gate", (steps, 4, hidden, batch), dtype)
    per_dc, per_dh = per_gate[:, :3], per_gate[:, 3]
    p_g = per_dc[:, 2]
    sig = a[:, : 3 * hidden]
    slopes = scratch_array("lstm_slopes", sig.shape, dtype)  # s (1 - s): output, input, forget
    xp.subtract(one, sig, out=slopes)
    slopes *= sig
    slopes = slopes.reshape(steps, 3, hidden, batch)
    xp.multiply(slopes[:, 1:], pairs, out=per_dc[:, :2])  # input by g, forget by the cell read
    xp.multiply(slopes[:, 0], tc, out=per_dh)
    xp.multiply(g, g, out=p_g)
    xp.subtract(one, p_g, out=p_g)
    p_g *= i
    dh_to_dc = xp.multiply(tc, tc, out=scratch_array("lstm_dh_to_dc", tc.shape, dtype))
    xp.subtract(one, dh_to_dc, out=dh_to_dc)
    dh_to_dc *= o
    # Each step's gate gradients are one contiguous (4H, B) block of a (T, 4H, B) buffer, as are
    # the output's gradients (H, B) (one transposing copy first): the loop's writes and reads are
    # then whole blocks, not rows of B scattered through the sequence.
    dgates = scratch_array("lstm_dgates", (steps, gates, batch), dtype)
    if sizes is not None:
        dgates.fill(0)
    d_out = _no_grad_out(d_out, (steps, batch, hidden), dtype).transpose(0, 2, 1)
    if d_out.strides[0]:  # (a real gradient, not the zeros' read-only view)
        d_copy = scratch_array("lstm_d_out", d_out.shape, dtype)
        xp.copyto(d_copy, d_out)
        d_out = d_copy
    dh = _carried(d_hy, batch, hidden, dtype).T.copy()
    dc = _carried(d_cy, batch, hidden, dtype).T.copy()
    w_hh_t = w_hh.T
    t_blocks = _row_blocks(w_hh_t, batch)
    product = xp.dot if t_blocks is w_hh_t else xp.matmul
    dh_blocks = dh.reshape(t_blocks.shape[:-1] + (batch,))
    via_dh = xp.empty((hidden, batch), dtype)  # dh's share of dc at each step
    for n, dg, dg_ifc, dg_o, p_o, p_c, p_ifc, f_t, do_t in _steps(
        not reverse,
        sizes,
        batch,
        *(
            dgates,
            dgates[:, : 3 * hidden].reshape(steps, 3, hidden, batch),
            dgates[:, 3 * hidden :],
        ),
        *(per_dh, dh_to_dc, per_dc, f, d_out),
    ):
        dh_t, dc_t = dh, dc
        if n < batch:  # the rows that kept their state output it: its gradient flows on
            dh[:, n:] += do_t[:, n:]
            dh_t, dc_t, dg = dh[:, :n], dc[:, :n], dg[:, :n]
            dg_ifc, dg_o, p_o, p_c = dg_ifc[..., :n], dg_o[:, :n], p_o[:, :n], p_c[:, :n]
            p_ifc, f_t, do_t = p_ifc[..., :n], f_t[:, :n], do_t[:, :n]
        dh_t += do_t
        xp.multiply(dh_t, p_o, out=dg_o)
        dc_t += xp.multiply(dh_t, p_c, out=via_dh[:, :n])
        xp.multiply(dc_t, p_ifc, out=dg_ifc)
        dc_t *= f_t
        if n < batch:
            xp.matmul(w_hh_t, dg, out=dh_t)
        else:
            product(t_blocks, dg, out=dh_blocks)
    # Every step's gradients as one (4H, T*B) matrix, and the states each step read as (H, T*B),
    # copied into the buffers the loop is done with: then one product per weight over all steps.
    dg2 = per_gate.reshape(gates, steps * batch)
    copy_rows(dg2.reshape(gates, steps, batch), dgates.transpose(1, 0, 2))
    db = _row_sums(dg2) if want[3] or want[4] else None  # (the two biases' gradients are equal)
    h2 = None
    if want[2]:
        h2 = dh_to_dc.reshape(hidden, steps * batch)
        copy_rows(h2.reshape(hidden, steps, batch), h_read.transpose(1, 0, 2))
    grads = [
        xp.matmul(dg2.T, w_ih).reshape(x.shape) if want[0] else None,
        xp.matmul(dg2, x2) if want[1] else None,
        xp.matmul(dg2, h2.T) if h2 is not None else None,
        db if want[3] else None,
        (db.copy() if want[3] else db) if want[4] else None,
    ]
    return grads + [dh.T.copy(), dc.T.copy()]


def _gru_backward(work, arrays, d_out, d_hy, d_cy, want, reverse, sizes):
    a, gh, h_read, x2 = work
    x, w_ih, w_hh = arrays[0], arrays[1], arrays[2]
    steps, batch, gates = a.shape
    hidden = gates // 3
    dtype = a.dtype
    r, z, new = a[..., :hidden], a[..., hidden : 2 * hidden], a[..., 2 * hidden :]
    hn = gh[..., 2 * hidden :]
    # Per unit of dh: the pre-activation gradients of the input projection (r, z, n) and of the
    # hidden one (r, z, and the new gate's hidden part, which the reset gate scales).
    dnew = (1 - z) * (1 - new * new)
    per_in = xp.empty((steps, batch, 3, hidden), dtype)
    xp.multiply(dnew * hn, r * (1 - r), out=per_in[:, :, 0])
    xp.multiply(h_read - new, z * (1 - z), out=per_in[:, :, 1])
    per_in[:, :, 2] = dnew
    per_hid = per_in.copy()
    xp.multiply(dnew, r, out=per_hid[:, :, 2])
    make = xp.zeros if sizes is not None else xp.empty
    dgi = make((steps, batch, gates), dtype)
    dgh = make((steps, batch, gates), dtype)
    d_out = _no_grad_out(d_out, h_read.shape, dtype)
    dh = _carried(d_hy, batch, hidden, dtype)
    for n, gi, gh_t, p_in, p_hid, z_t, do_t in _steps(
        not reverse, sizes, batch, dgi, dgh, per_in, per_hid, z, d_out
    ):
        dh_t = dh
        if n < batch:
            dh[n:] += do_t[n:]
            dh_t, gi, gh_t, p_in, p_hid, z_t, do_t = (
                dh[:n],
                gi[:n],
                gh_t[:n],
                p_in[:n],
                p_hid[:n],
                z_t[:n],
                do_t[:n],
            )
        dh_t += do_t
        col = dh_t[:, None]
        xp.multiply(col, p_in, out=gi.reshape(n, 3, hidden))
        xp.multiply(col, p_hid, out=gh_t.reshape(n, 3, hidden))
        dh_t *= z_t
        dh_t += xp.matmul(gh_t, w_hh)
    return _input_grads(dgi, dgh, x2, h_read, w_ih, want, x.shape) + [dh, None]


def _simple_backward(relu):
    def backward(work, arrays, d_out, d_hy, d_cy, want, reverse, sizes):
        h_write, h_read, x2 = work
        x, w_ih, w_hh = arrays[0], arrays[1], arrays[2]
        batch, hidden = h_write.shape[1], h_write.shape[2]
        dtype = h_write.dtype
        slope = (h_write > 0).astype(dtype) if relu else 1 - h_write * h_write
        dpre = (xp.zeros if sizes is not None else xp.empty)(h_write.shape, dtype)
        d_out = _no_grad_out(d_out, h_write.shape, dtype)
        dh = _carried(d_hy, batch, hidden, dtype)
        for n, dp, s, do_t in _steps(not reverse, sizes, batch, dpre, slope, d_out):
            dh_t = dh
            if n < batch:
                dh[n:] += do_t[n:]
                dh_t, dp, s, do_t = dh[:n], dp[:n], s[:n], do_t[:n]
            dh_t += do_t
            xp.multiply(dh_t, s, out=dp)
            xp.matmul(dp, w_hh, out=dh_t)
        return _input_grads(dpre, dpre, x2, h_read, w_ih, want, x.shape) + [dh, None]

    return backward


_FORWARD = {
    "LSTM": _lstm_forward,
    "GRU": _gru_forward,
    "RNN_TANH": _simple_forward(False),
    "RNN_RELU": _simple_forward(True),
}
_BACKWARD = {
    "LSTM": _lstm_backward,
    "GRU": _gru_backward,
    "RNN_TANH": _simple_backward(False),
    "RNN_RELU": _simple_backward(True),
}

__all__ = []
