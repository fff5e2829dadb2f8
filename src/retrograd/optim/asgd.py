"""``ASGD``: stochastic gradient descent whose iterates are averaged once ``t0`` steps have
passed, the average kept in the state as ``ax``."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _make, _real, _scalar_step, _step_count, _zeros_like


class ASGD(Optimizer):
    """``torch.optim.ASGD``; each step is PyTorch's single-tensor update, in the parameter's
    dtype, with ``eta`` and ``mu`` kept as float32 scalars."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
            lr, lambd, alpha, t0 = float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            weight_decay = group["weight_decay"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["eta"] = _make(xp.array(lr, dtype=xp.float32))
                    state["mu"] = _make(xp.array(1.0, dtype=xp.float32))
                    state["ax"] = _zeros_like(p)
                step = _step_count(state)
                param, g = _real(p._data), _real(g)
                if weight_decay != 0:
                    g = g + weight_decay * param
                eta = float(state["eta"]._data)
                param *= 1 - lambd * eta
                param += -eta * g
                ax, mu = _real(state["ax"]._data), float(state["mu"]._data)
                if mu != 1:
                    ax += (param - ax) * mu
                else:
                    ax[...] = param
                state["eta"]._data[...] = lr / (1 + lambd * lr * step) ** alpha
                state["mu"]._data[...] = 1 / max(1, step - t0)
                bump_version(p, site)
