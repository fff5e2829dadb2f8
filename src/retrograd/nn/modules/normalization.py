"""``torch.nn.modules.normalization``: classes from ``retrograd.nn.normalization``."""

from ..normalization import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
