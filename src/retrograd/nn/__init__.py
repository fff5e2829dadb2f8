"""``retrograd.nn``: modules, parameters and the functional interface, as ``torch.nn`` has them."""

from . import functional
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .module import Module
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = ["Module", "Parameter", "functional", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d",
           "AvgPool2d", "AdaptiveAvgPool2d"]
