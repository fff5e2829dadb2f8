"""``torch.nn.modules.flatten``: classes from ``retrograd.nn.linear``."""

from ..linear import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
