"""``torch.nn.modules.container``: classes from ``retrograd.nn.container``."""

from ..container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
