"""``torch.nn.modules.pixelshuffle``: classes from ``retrograd.nn.pixelshuffle``."""

from ..pixelshuffle import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
