"""``torch.nn.modules.normalization``: classes from ``retrograd.nn.normalization``."""

from ..normalization import GroupNorm, LayerNorm

__all__ = ["LayerNorm", "GroupNorm"]
