"""The connectionist temporal classification loss (``F.ctc_loss``): the negative log-probability
of each target sequence summed over every alignment of it to the input frames.

The forward and backward variables (alpha, beta) are computed in log space over the extended
target (a blank before, between and after the labels), vectorised over the batch and the target
positions, one step per frame.  The gradient is PyTorch's: for each frame and class,
``exp(log_probs) - exp(log(sum of alpha * beta over the positions of that class) + nll -
log_probs)``, times the loss's gradient (the first term vanishes through a log_softmax, as
PyTorch's formula assumes one); frames past a sequence's length get 0.  PyTorch has no second
derivative; nor does this.
"""

from .._array import xp
from ..tensor import _make
from .pointwise import _no_derivative, where
from .registry import op

_NEG_INF = -xp.inf


def _extended(targets, target_lengths, blank):
    """(N, 2 S + 1) labels: blank, l1, blank, l2, ..., blank; whether position s may be
    reached from s - 2 (a label differing from the label before it); and which positions are
    within each sequence's extended target."""
    n, s = targets.shape
    ext = xp.full((n, 2 * s + 1), blank, xp.int64)
    ext[:, 1::2] = targets
    skip = xp.zeros(ext.shape, bool)
    skip[:, 3::2] = targets[:, 1:] != targets[:, :-1]
    inside = xp.arange(2 * s + 1)[None, :] < (2 * target_lengths + 1)[:, None]
    return ext, skip, inside


def _shifted(a, k):
    """``a`` moved k places to the right along the last axis, -inf coming in (k < 0: left)."""
    out = xp.full(a.shape, _NEG_INF)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _lse3(a, b, c):
    m = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isneginf(m), 0.0, m)
    with xp.errstate(divide="ignore"):
        return safe + xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe))


def _alphas_betas(lp, ext, skip, inside, input_lengths, target_lengths):
    """log alpha and log beta, (T, N, 2 S + 1), and each sequence's negative log-likelihood."""
    t_max, n = lp.shape[:2]
    rows = xp.arange(n)[:, None]
    emit = lp[:, rows, ext]  # (T, N, 2S+1): log_probs of each extended position's label
    alpha = xp.full(emit.shape, _NEG_INF)
    first = xp.full(ext.shape, _NEG_INF)
    first[:, 0] = emit[0, :, 0]
    first[:, 1] = xp.where(target_lengths > 0, emit[0, :, 1], _NEG_INF)
    alpha[0] = xp.where(inside, first, _NEG_INF)
    for t in range(1, t_max):
        prev = alpha[t - 1]
        two = xp.where(skip, _shifted(prev, 2), _NEG_INF)
        alpha[t] = xp.where(inside, _lse3(prev, _shifted(prev, 1), two) + emit[t], _NEG_INF)
    last = input_lengths - 1
    end = 2 * target_lengths  # the final blank; the final label is one before
    final = alpha[last, xp.arange(n)]
    tail = xp.where(target_lengths > 0, final[xp.arange(n), xp.maximum(end - 1, 0)], _NEG_INF)
    nll = -xp.logaddexp(final[xp.arange(n), end], tail)
    beta = xp.full(emit.shape, _NEG_INF)
    start = xp.full(ext.shape, _NEG_INF)  # where beta starts, at each sequence's last frame
    start[xp.arange(n), end] = 0.0
    has = target_lengths > 0
    start[xp.arange(n)[has], end[has] - 1] = 0.0
    skip_back = xp.zeros(skip.shape, bool)  # s may go on to s + 2
    skip_back[:, :-2] = skip[:, 2:]
    nxt = xp.full(ext.shape, _NEG_INF)
    for t in range(t_max - 1, -1, -1):
        two = xp.where(skip_back, _shifted(nxt, -2), _NEG_INF)
        step = _lse3(nxt, _shifted(nxt, -1), two)
        here = xp.where((t == last)[:, None], start, step)
        here = xp.where(((t <= last)[:, None]) & inside, here + emit[t], _NEG_INF)
        beta[t] = here
        nxt = here
    return alpha, beta, nll, emit


def _ctc_grad(g, n):
    return _ctc_loss_backward(g, n.log_probs, n.parts, n.zero_infinity, "_ctc_loss_backward")


@op(
    inputs="log_probs",
    saves="log_probs",
    method=False,
    node="CtcLossBackward0",
    grads=(_ctc_grad,),
)
def _ctc_loss(log_probs, parts, zero_infinity):
    """Each sequence's negative log-likelihood; ``parts`` (a dict) keeps what the gradient
    reads, filled in here."""
    lp = log_probs.astype(xp.float64)
    ext, skip, inside = _extended(parts["targets"], parts["target_lengths"], parts["blank"])
    alpha, beta, nll, _ = _alphas_betas(
        lp, ext, skip, inside, parts["input_lengths"], parts["target_lengths"]
    )
    parts.update(ext=ext, alpha=alpha, beta=beta, nll=nll)
    return nll.astype(log_probs.dtype)


@op(
    inputs="grad log_probs",
    method=False,
    node="torch::autograd::NotImplemented",
    grads=(_no_derivative, _no_derivative),
)
def _ctc_loss_backward(grad, log_probs, parts, zero_infinity, aten):
    lp = log_probs.astype(xp.float64)
    t_max, n, c = lp.shape
    alpha, beta, nll, ext = parts["alpha"], parts["beta"], parts["nll"], parts["ext"]
    both = alpha + beta  # (T, N, 2S+1), each including the frame's log_prob once too often
    top = both.max(2, keepdims=True)
    top = xp.where(xp.isneginf(top), 0.0, top)
    acc = xp.zeros((t_max, n, c))
    t_idx = xp.arange(t_max)[:, None, None]
    n_idx = xp.arange(n)[None, :, None]
    xp.add.at(acc, (t_idx, n_idx, ext[None, :, :]), xp.exp(both - top))
    with xp.errstate(over="ignore", invalid="ignore"):
        out = xp.exp(lp) - acc * xp.exp(top + nll[None, :, None] - lp)
    live = xp.arange(t_max)[:, None] < parts["input_lengths"][None, :]
    out = xp.where(live[:, :, None], out, 0.0)
    if zero_infinity:
        out = xp.where(xp.isinf(nll)[None, :, None], 0.0, out)
    return (out * grad.astype(xp.float64)[None, :, None]).astype(log_probs.dtype)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """The per-sequence losses (N,) of (T, N, C) log-probabilities and (N, S) targets (integer
    arrays for the rest), inf where no alignment exists (0 with ``zero_infinity``)."""
    parts = {
        "targets": targets,
        "input_lengths": input_lengths,
        "target_lengths": target_lengths,
        "blank": blank,
    }
    loss = _ctc_loss(log_probs, parts, zero_infinity)
    if zero_infinity:  # (a where after the loss, as PyTorch's graph has it)
        return where(_make(xp.isinf(loss._data)), _make(xp.zeros((), loss._data.dtype)), loss)
    return loss


__all__: list = []
