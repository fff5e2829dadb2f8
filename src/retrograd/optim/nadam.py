"""``NAdam``: Adam with Nesterov momentum, its momentum warmed up by ``momentum_decay``."""

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


class NAdam(Optimizer):
    """``torch.optim.NAdam``; each step is PyTorch's single-tensor update, in the parameter's
    dtype, with the running product of the momentum factors kept as a float32 scalar."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["mu_product"] = _scalar_step()
                    state["mu_product"]._data += 1
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                step = _step_count(state)
                param, g = _real(p._data), _real(g)
                g = _decayed(param, g, lr, weight_decay, group["decoupled_weight_decay"])
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                mu_product = state["mu_product"]._data
                mu_product *= mu
                m, v = _adam_moments(state, g, beta1, beta2)
                denom = xp.sqrt(v / (1 - beta2**step))
                denom += eps
                product = float(mu_product)
                param += (-lr * (1.0 - mu) / (1.0 - product)) * g / denom
                param += (-lr * mu_next / (1.0 - product * mu_next)) * m / denom
                bump_version(p, site)
