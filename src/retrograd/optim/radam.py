"""``RAdam``: Adam whose adaptive step is switched on only once the variance of the adaptive
learning rate is tractable (rectified)."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    _adam_moments,
    _decayed,
    _grads,
    _real,
    _scalar_step,
    _step_count,
    _zeros_like,
)


class RAdam(Optimizer):
    """``torch.optim.RAdam``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                step = _step_count(state)
                param, g = _real(p._data), _real(g)
                g = _decayed(param, g, lr, weight_decay, group["decoupled_weight_decay"])
                m, v = _adam_moments(state, g, beta1, beta2)
                bias_correction2 = 1 - beta2**step
                update = m / (1 - beta1**step) * lr
                rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
                if rho_t > 5.0:  # the variance is tractable: the rectified adaptive step
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    root = xp.sqrt(v)
                    root += eps
                    update = update * (bias_correction2**0.5 / root) * rect
                param -= update
                bump_version(p, site)
