"""``torch.nn.modules.conv``: classes from ``retrograd.nn.conv``."""

from ..conv import Conv1d, Conv2d, ConvTranspose2d, _ConvNd  # noqa: F401

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]
