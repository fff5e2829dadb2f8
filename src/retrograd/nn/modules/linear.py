"""``torch.nn.modules.linear``: classes from ``retrograd.nn.linear``."""

from ..lazy import (
    LazyLinear,
)
from ..linear import Bilinear, Identity, Linear, NonDynamicallyQuantizableLinear

__all__ = ["Identity", "Linear", "Bilinear", "NonDynamicallyQuantizableLinear", "LazyLinear"]
