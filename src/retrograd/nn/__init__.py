"""``retrograd.nn``: modules, parameters and the functional interface, as ``torch.nn`` has them."""

from . import functional
from .module import Module
from .parameter import Parameter

__all__ = ["Module", "Parameter", "functional"]
