"""``torch.nn.modules.pooling``: classes from ``retrograd.nn.pooling``."""

from ..pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                       MaxPool2d)
from ..pooling import _AdaptiveAvgPoolNd, _AvgPoolNd, _MaxPoolNd  # noqa: F401

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d"]
