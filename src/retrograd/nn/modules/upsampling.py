"""``torch.nn.modules.upsampling``: classes from ``retrograd.nn.upsampling``."""

from ..upsampling import Upsample

__all__ = ["Upsample"]
