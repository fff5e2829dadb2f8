"""``Adamax``: Adam with the infinity norm of past gradients in place of their second moment."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .adam import _check_adam_args
from .optimizer import Optimizer, _grads, _lerp_, _real, _scalar_step, _step_count, _zeros_like


class Adamax(Optimizer):
    """``torch.optim.Adamax``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                step = _step_count(state)
                param, g = _real(p._data), _real(g)
                if weight_decay != 0:
                    g = g + weight_decay * param
                m, u = _real(state["exp_avg"]._data), _real(state["exp_inf"]._data)
                _lerp_(m, g, 1 - beta1)
                u *= beta2
                bound = xp.abs(g)
                bound += eps
                xp.maximum(u, bound, out=u)
                param += (-lr / (1 - beta1**step)) * m / u
                bump_version(p, site)
