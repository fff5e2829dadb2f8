"""``RMSprop``: divide by a running root mean square of the gradient (optionally centred)."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _lerp_, _real, _scalar_step, _step_count, _zeros_like


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``; each step is PyTorch's single-tensor update."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            weight_decay, momentum, centered = (
                group["weight_decay"],
                group["momentum"],
                group["centered"],
            )
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                _step_count(state)
                param, g = _real(p._data), _real(g)
                if weight_decay != 0:
                    g = g + weight_decay * param
                square_avg = _real(state["square_avg"]._data)
                square_avg *= alpha
                square_avg += (1 - alpha) * g * g
                if centered:
                    grad_avg = _real(state["grad_avg"]._data)
                    _lerp_(grad_avg, g, 1 - alpha)
                    avg = xp.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = xp.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= momentum
                    buf += g / avg
                    param += -lr * buf
                else:
                    param += -lr * g / avg
                bump_version(p, site)
