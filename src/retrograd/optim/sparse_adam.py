"""``SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``): only the rows a
gradient names have their moments and values updated, and a dense gradient is refused."""

import math
from collections.abc import Iterable

from .._array import xp
from ..autograd.anomaly import caller_site
from ..ops.sparse_coo import SparseCOOTensor, add_into_dense, sparse_coo
from .adam import _check_adam_args
from .optimizer import Optimizer, _grads, _make


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam``: the moments are dense buffers, the step count a Python int
    (as PyTorch keeps them)."""

    _sparse_refusal = None

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, 0.0)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)

    def _step(self) -> None:
        site = caller_site(1)  # the user's step() call, for the error about a changed weight
        for group in self.param_groups:
            for _, g in _grads(group):
                if type(g) is not SparseCOOTensor:
                    raise RuntimeError(
                        "SparseAdam does not support dense gradients, please consider Adam instead"
                    )
            lr, eps = group["lr"], group["eps"]
            beta1, beta2 = group["betas"]
            for p, g in _grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = _make(xp.zeros_like(p._data))
                    state["exp_avg_sq"] = _make(xp.zeros_like(p._data))
                state["step"] += 1
                g = g.coalesce()
                if not g._nnz():
                    continue
                idx, values, size = g._idx, g._vals, g._size
                at = tuple(idx)
                # each moment moves toward the new value at the rows named: m += (1-b) (new - m)
                old_avg = state["exp_avg"]._data[at]
                avg_step = (values - old_avg) * (1 - beta1)
                add_into_dense(state["exp_avg"], sparse_coo(idx, avg_step, size, True))
                old_sq = state["exp_avg_sq"]._data[at]
                sq_step = (values * values - old_sq) * (1 - beta2)
                add_into_dense(state["exp_avg_sq"], sparse_coo(idx, sq_step, size, True))
                numer = avg_step + old_avg
                denom = xp.sqrt(sq_step + old_sq) + eps
                step = state["step"]
                step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
                update = (-step_size * (numer / denom)).astype(p._data.dtype, copy=False)
                add_into_dense(p, sparse_coo(idx, update, size, True), site=site)
