"""``retrograd.optim.swa_utils``: stochastic weight averaging and exponential moving averages of a
model's weights (``torch.optim.swa_utils``).

``AveragedModel`` keeps a copy of a model whose parameters (and, with ``use_buffers``, buffers) are
running averages of the model's; ``SWALR`` anneals each group's rate to a constant SWA rate;
``update_bn`` recomputes BatchNorm statistics for the averaged weights with one pass over data.
"""

import itertools
import math
from copy import deepcopy

from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..dtypes import int64
from ..nn.module import Module
from ..nn.modules.batchnorm import _BatchNorm
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer


def get_ema_multi_avg_fn(decay: float = 0.999):
    """An average over lists of tensors: each averaged one moved ``1 - decay`` of the way to the
    current one (``lerp``)."""

    @no_grad()
    def ema_update(averaged, current, num_averaged):
        for a, c in zip(averaged, current):
            a.lerp_(c, 1 - decay)

    return ema_update


def get_swa_multi_avg_fn():
    """An average over lists of tensors: the equal-weight running mean of every model seen."""

    @no_grad()
    def swa_update(averaged, current, num_averaged):
        for a, c in zip(averaged, current):
            if a.is_floating_point():
                a.lerp_(c, 1 / (num_averaged + 1))
            else:
                a.add_((c - a).div(num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999):
    """An average of one tensor: ``decay * averaged + (1 - decay) * current``."""

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """An average of one tensor: the running mean, ``averaged + (current - averaged) / (n + 1)``."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose weights ``update_parameters(model)`` moves to the average of the
    models it is given: the equal-weight mean by default, or ``avg_fn`` (one tensor at a time) or
    ``multi_avg_fn`` (lists of tensors at once), e.g. ``get_ema_multi_avg_fn(0.999)``."""

    def __init__(
        self,
        model: Module,
        device=None,
        avg_fn=None,
        multi_avg_fn=None,
        use_buffers: bool = False,
    ):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged(self, model: Module):
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
            return mine, theirs
        return self.parameters(), model.parameters()

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        mine, theirs = self._averaged(model)
        pairs = [(a.detach(), m.detach()) for a, m in zip(mine, theirs)]
        n = self.n_averaged.item()
        with no_grad():
            if n == 0:
                for a, m in pairs:
                    a.copy_(m)
            elif self.avg_fn is not None:
                for a, m in pairs:
                    a.copy_(self.avg_fn(a, m, self.n_averaged))
            else:
                fn = self.multi_avg_fn
                if fn is None:  # the running mean, one tensor at a time (as on a CPU)
                    mean = get_swa_avg_fn()
                    for a, m in pairs:
                        a.copy_(mean(a, m, self.n_averaged))
                else:
                    fn([a for a, _ in pairs], [m for _, m in pairs], self.n_averaged)
            if not self.use_buffers:  # buffers are not averaged: they follow the model
                for b, mb in zip(self.module.buffers(), model.buffers()):
                    b.copy_(mb.detach())
            self.n_averaged += 1


@no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """Recompute the running statistics of ``model``'s BatchNorm layers with one pass over
    ``loader`` (its items, or their first element, are the inputs): each layer's statistics
    become the plain mean over the batches (momentum ``None`` for the pass)."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate from its current value to ``swa_lr`` over ``anneal_epochs``
    epochs (on a cosine or a line), then hold it there."""

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr,
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ):
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        if self._anneal_strategy == "linear":
            return t
        return (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list:
        self._warn_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        before = self.anneal_func(max(0, min(1, (step - 1) / span)))
        now = self.anneal_func(max(0, min(1, step / span)))
        lrs = []
        for group in self.optimizer.param_groups:
            lr, target = group["lr"], group["swa_lr"]
            # the rate this schedule started from, recovered from the current one
            start = target if before == 1 else (lr - before * target) / (1 - before)
            lrs.append(target * now + start * (1 - now))
        return lrs


__all__ = [
    "AveragedModel",
    "SWALR",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]
