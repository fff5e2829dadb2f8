"""``torch.nn.modules.upsampling``: classes from ``retrograd.nn.upsampling``."""

from ..upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
