"""``torch.nn.modules.module``: classes from ``retrograd.nn.module``."""

from ..module import Module

__all__ = ["Module"]
