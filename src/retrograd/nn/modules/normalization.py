"""``torch.nn.modules.normalization``: classes from ``retrograd.nn.normalization``."""

from ..normalization import CrossMapLRN2d, GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm

__all__ = ["CrossMapLRN2d", "LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
