"""``Adagrad``: per-coordinate learning rates from the running sum of squared gradients."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..ops.sparse_coo import SparseCOOTensor, add_into_dense, sparse_coo
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _make, _real, _scalar_step, _step_count


class Adagrad(Optimizer):
    """``torch.optim.Adagrad``; as PyTorch, its state exists from construction on."""

    _sparse_refusal = None

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group: dict) -> dict:
        state = self.state[p]
        state["step"] = _scalar_step()
        value = group["initial_accumulator_value"]
        if p._data.dtype.kind == "c":  # both parts of a complex entry accumulate from value
            value = complex(value, value)
        state["sum"] = _make(xp.full_like(p._data, value))
        return state

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            lr, lr_decay, eps = float(group["lr"]), group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p, g in _grads(group):
                state = self.state[p] or self._init_state(p, group)
                step = _step_count(state)
                if type(g) is SparseCOOTensor:
                    _sparse_update(p, g, state, group, step, site)
                    continue
                param, g = _real(p._data), _real(g)
                if weight_decay != 0:
                    g = g + weight_decay * param
                clr = lr / (1 + (step - 1) * lr_decay)
                total = _real(state["sum"]._data)
                total += g * g
                std = xp.sqrt(total)
                std += eps
                param += -clr * g / std
                bump_version(p, site)


def _sparse_update(p, g, state, group, step, site) -> None:
    """The update with a sparse gradient, as PyTorch's: only the entries it names change, in
    the sum of squares and in the parameter; weight decay is refused."""
    if group["weight_decay"] != 0:
        raise RuntimeError("weight_decay option is not compatible with sparse gradients")
    clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
    g = g.coalesce()
    idx, values = g._idx, g._vals
    total = state["sum"]
    add_into_dense(total, sparse_coo(idx, values * values, g._size, True), site=site)
    std = xp.sqrt(total._data[tuple(idx)])
    std += group["eps"]
    add_into_dense(p, sparse_coo(idx, values / std, g._size, True), -clr, site=site)
