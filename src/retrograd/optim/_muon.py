"""``Muon``: momentum SGD whose update for a matrix is orthogonalised by a few Newton–Schulz
iterations before it is applied.

The iteration runs in bfloat16 as PyTorch's does: every matrix product and every fused
``beta * C + alpha * A @ B`` is computed in float32 and rounded to bfloat16 once, so the update
matches PyTorch's to bfloat16's precision whatever the parameter's dtype.
"""

import math
from collections.abc import Iterable

from .. import dtypes
from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import Tensor, bump_version
from .optimizer import Optimizer, _lerp_, _zeros_like

_COEFFICIENTS = (3.4445, -4.775, 2.0315)


class Muon(Optimizer):
    """``torch.optim.Muon(params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
    ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None)``:
    for 2-D parameters only; its state is each parameter's ``momentum_buffer``."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple = _COEFFICIENTS,
        eps: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        "Muon only supports 2D parameters whereas we found a parameter with "
                        f"size: {p.size()}"
                    )

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            with_grads = []
            for p in group["params"]:
                if p._grad is None:
                    continue
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                with_grads.append(p)
            lr = float(group["lr"])
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            for p in with_grads:
                g = p._grad._data
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = _zeros_like(p._grad)
                buf = state["momentum_buffer"]._data
                _lerp_(buf, g, 1 - momentum)
                if group["nesterov"]:
                    update = g.copy()
                    _lerp_(update, buf, momentum)
                else:
                    update = buf
                ortho = _newton_schulz(
                    update, group["ns_coefficients"], group["ns_steps"], group["eps"]
                )
                step = -_adjusted_lr(lr, group["adjust_lr_fn"], p.shape)
                param = p._data
                if param.dtype.itemsize < 4:  # half types: PyTorch works in float32
                    work = param.astype(xp.float32)
                    work *= 1 - lr * weight_decay
                    work += step * ortho
                    param[...] = dtypes.cast(work, param.dtype)
                else:
                    param *= 1 - lr * weight_decay
                    param += step * ortho.astype(param.dtype)
                bump_version(p, site)


def _adjusted_lr(lr: float, adjust_lr_fn: str | None, shape) -> float:
    """The learning rate scaled to the matrix's shape: by ``sqrt(max(1, rows / cols))``
    (``'original'``, the default), or to match AdamW's update size, ``0.2 * sqrt(max(rows,
    cols))`` (``'match_rms_adamw'``)."""
    rows, cols = shape[0], shape[1]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


def _newton_schulz(grad, coefficients, steps: int, eps: float):
    """The nearest semi-orthogonal matrix to ``grad``, approximately: scale it to norm at most
    one, then ``steps`` times ``X <- a X + (b X X^T + c (X X^T)^2) X``, on the wide orientation.
    Returned as float32 values that bfloat16 holds exactly."""
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    a, b, c = coefficients
    bf16 = dtypes.bfloat16.np

    def rounded(x):
        return x.astype(bf16).astype(xp.float32)

    x = rounded(dtypes.cast(grad, bf16).astype(xp.float32))
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    norm = xp.float32(xp.sqrt(xp.vdot(x, x)))
    x = rounded(x / rounded(xp.maximum(norm, xp.float32(eps))))
    for _ in range(steps):
        gram = rounded(x @ x.T)
        poly = rounded(b * gram + c * (gram @ gram))
        x = rounded(a * x + poly @ x)
    return x.T if tall else x
