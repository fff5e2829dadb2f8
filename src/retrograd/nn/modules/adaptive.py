"""``torch.nn.modules.adaptive``: classes from ``retrograd.nn.adaptive``."""

from ..adaptive import AdaptiveLogSoftmaxWithLoss, _ASMoutput  # noqa: F401

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
