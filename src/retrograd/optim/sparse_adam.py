"""``SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``).  retrograd has no
sparse tensors, so every gradient it makes is dense, which PyTorch's SparseAdam refuses with the
error kept here: the optimizer builds and checks its options as PyTorch's does, and ``step``
with a gradient says to use Adam."""

from collections.abc import Iterable

from .adam import _check_adam_args
from .optimizer import Optimizer, _grads


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam``."""

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
        for group in self.param_groups:
            for _ in _grads(group):  # every gradient here is dense
                raise RuntimeError(
                    "SparseAdam does not support dense gradients, please consider Adam instead"
                )
