"""``torch.nn.modules.linear``: classes from ``retrograd.nn.linear``."""

from ..linear import Identity, Linear, Bilinear, NonDynamicallyQuantizableLinear

__all__ = ["Identity", "Linear", "Bilinear", "NonDynamicallyQuantizableLinear"]
