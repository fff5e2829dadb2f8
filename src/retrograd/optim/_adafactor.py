"""``Adafactor`` (Shazeer and Stern, 2018): Adam's second moment without its memory cost.  For a
parameter of two or more dimensions the running mean of the squared gradient is kept only as its
row and column means over the last two dimensions, and estimated as their outer product divided
by the mean of the rows; a vector keeps it whole.  The step size follows the parameter's own
scale (its root mean square, at least ``eps[1]``) and the update's root mean square is clipped to
``d``."""

import math
from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import Tensor, _make, bump_version
from .optimizer import Optimizer, _lerp_, _scalar_step, _step_count


def _rms(a) -> float:
    return float(xp.sqrt(xp.vdot(a, a))) / math.sqrt(a.size) if a.size else 0.0


class Adafactor(Optimizer):
    """``torch.optim.Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
    weight_decay=0.0, *, foreach=None, maximize=False)``; each step is PyTorch's single-tensor
    update, with its state (``step``, and ``row_var``/``col_var`` or ``variance``)."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,  # (one update per tensor either way: the same numbers)
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)
        for group in self.param_groups:
            lr = float(group["lr"])
            eps1, eps2 = group["eps"]
            d, weight_decay = group["d"], group["weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                if p._data.dtype.kind == "c":
                    raise RuntimeError("Adafactor does not support complex parameters")
                g = -p._grad._data if group["maximize"] else p._grad._data
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    if g.ndim > 1:
                        state["row_var"] = _make(xp.zeros(g.shape[:-1] + (1,), g.dtype))
                        state["col_var"] = _make(xp.zeros(g.shape[:-2] + (1, g.shape[-1]), g.dtype))
                    else:
                        state["variance"] = _make(xp.zeros_like(g))
                self._update(p, g, state, lr, eps1, eps2, d, weight_decay, group)
                bump_version(p, site)

    @staticmethod
    def _update(p, g, state, lr, eps1, eps2, d, weight_decay, group) -> None:
        param = p._data
        if eps1 is None:
            eps1 = float(xp.finfo(param.dtype).eps)
        step = _step_count(state)
        beta2_weight = step ** group["beta2_decay"]  # the weight of the new squared gradient
        rho = min(lr, 1 / step**0.5)
        alpha = max(eps2, _rms(param)) * rho
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        if g.ndim > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            _lerp_(
                row_var,
                xp.square(xp.sqrt((g * g).sum(-1, keepdims=True))) / g.shape[-1],
                beta2_weight,
            )
            _lerp_(
                col_var,
                xp.square(xp.sqrt((g * g).sum(-2, keepdims=True))) / g.shape[-2],
                beta2_weight,
            )
            estimate = xp.matmul(row_var, col_var)
            estimate /= xp.maximum(row_var.mean(-2, keepdims=True), eps1)
        else:
            variance = state["variance"]._data
            _lerp_(variance, g * g, beta2_weight)
            estimate = variance.copy()
        update = 1 / xp.sqrt(xp.maximum(estimate, param.dtype.type(eps1 * eps1)))
        update *= g
        denom = max(1.0, _rms(update) / d)
        param -= (alpha / denom) * update
