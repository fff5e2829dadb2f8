"""``torch.nn.modules.normalization``: classes from ``retrograd.nn.normalization``."""

from ..normalization import LayerNorm, GroupNorm

__all__ = ["LayerNorm", "GroupNorm"]
