"""``Adam``: adaptive moment estimation, with AMSGrad and L2 or decoupled weight decay."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
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


class Adam(Optimizer):
    """``torch.optim.Adam``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    _sparse_refusal = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            eps, weight_decay, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
            decoupled = group.get("decoupled_weight_decay", False)
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                step = _step_count(state)
                param, g = _real(p._data), _real(g)
                g = _decayed(param, g, lr, weight_decay, decoupled)
                m, v = _adam_moments(state, g, beta1, beta2)
                step_size = lr / (1 - beta1**step)
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                if amsgrad:
                    vmax = _real(state["max_exp_avg_sq"]._data)
                    xp.maximum(vmax, v, out=vmax)
                    v = vmax
                denom = xp.sqrt(v)
                denom /= bias_correction2_sqrt
                denom += eps
                param += -step_size * m / denom
                # PyTorch writes the parameter twice with decoupled decay (mul_, then addcdiv_)
                if weight_decay != 0 and decoupled:
                    p._vc.version += 1
                bump_version(p, site)


def _check_adam_args(lr, betas, eps, weight_decay) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
