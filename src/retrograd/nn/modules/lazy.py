"""``torch.nn.modules.lazy``: ``LazyModuleMixin`` from ``retrograd.nn.lazy``."""

from ..lazy import LazyModuleMixin

__all__ = ["LazyModuleMixin"]
