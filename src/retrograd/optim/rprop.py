"""``Rprop``: per-coordinate step sizes that grow while the gradient keeps its sign and shrink
when it flips; only the gradient's sign moves the parameter."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _make, _real, _scalar_step, _step_count, _zeros_like


class Rprop(Optimizer):
    """``torch.optim.Rprop``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        etas: tuple = (0.5, 1.2),
        step_sizes: tuple = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
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
            etaminus, etaplus = group["etas"]
            step_min, step_max = group["step_sizes"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_step()
                    state["prev"] = _zeros_like(p)
                    value = complex(lr, lr) if p._data.dtype.kind == "c" else lr
                    state["step_size"] = _make(xp.full_like(p._data, value))
                _step_count(state)
                param, g = _real(p._data), _real(g)
                prev = _real(state["prev"]._data)
                step_size = _real(state["step_size"]._data)
                product = xp.sign(g * prev)
                factor = xp.where(product > 0, etaplus, xp.where(product < 0, etaminus, 1))
                step_size *= factor.astype(step_size.dtype)
                xp.clip(step_size, step_min, step_max, out=step_size)
                g = xp.where(factor == etaminus, 0, g).astype(g.dtype)
                param -= xp.sign(g) * step_size
                prev[...] = g
                bump_version(p, site)
