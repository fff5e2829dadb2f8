"""``torch.nn.modules.container``: classes from ``retrograd.nn.container``."""

from ..container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
