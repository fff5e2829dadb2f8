"""``torch.nn.modules.container``: classes from ``retrograd.nn.container``."""

from ..container import Container, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential

__all__ = ["Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
