"""``Adadelta``: steps scaled by the ratio of running root mean squares of past updates and
gradients."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _real, _scalar_step, _step_count, _zeros_like


class Adadelta(Optimizer):
    """``torch.optim.Adadelta``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)
        for group in self.param_groups:
            lr, rho, eps = float(group["lr"]), group["rho"], group["eps"]
            weight_decay = group["weight_decay"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                _step_count(state)
                param, g = _real(p._data), _real(g)
                if weight_decay != 0:
                    g = g + weight_decay * param
                square_avg = _real(state["square_avg"]._data)
                acc_delta = _real(state["acc_delta"]._data)
                square_avg *= rho
                square_avg += (1 - rho) * g * g
                std = xp.sqrt(square_avg + eps)
                delta = xp.sqrt(acc_delta + eps)
                delta /= std
                delta *= g
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                param += -lr * delta
                bump_version(p, site)
