"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..ops.sparse_coo import SparseCOOTensor, add_into_dense
from ..tensor import bump_version
from .optimizer import Optimizer, _grads, _make


class SGD(Optimizer):
    """``torch.optim.SGD``; each step is PyTorch's single-tensor update, in the parameter's
    dtype."""

    _sparse_refusal = None

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum, dampening = group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p, g in _grads(group):
                if type(g) is SparseCOOTensor:
                    self._sparse_update(p, g, group, site)
                    continue
                if weight_decay != 0:
                    g = g + weight_decay * p._data
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = _make(xp.array(g))  # 0-d stays an array
                    else:
                        b = buf._data
                        b *= momentum
                        b += g if dampening == 0 else (1 - dampening) * g
                    g = g + momentum * buf._data if nesterov else buf._data
                p._data += -lr * g
                bump_version(p, site)

    def _sparse_update(self, p, g, group, site) -> None:
        """The update with a sparse gradient, as PyTorch's: the momentum buffer is sparse too
        (sums of sparse gradients), and weight decay, which would add the dense weight, is
        refused with PyTorch's error."""
        momentum, dampening = group["momentum"], group["dampening"]
        if group["weight_decay"] != 0:
            g.add(p)  # (PyTorch's error: a sparse tensor plus a dense one)
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.clone()
            else:
                buf.mul_(momentum).add_(g, alpha=1 - dampening)
            g = g.add(buf, alpha=momentum) if group["nesterov"] else buf
        add_into_dense(p, g, -float(group["lr"]), site=site)
