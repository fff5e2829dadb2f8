"""``torch.nn.modules.fold``: classes from ``retrograd.nn.fold``."""

from ..fold import Fold, Unfold

__all__ = ["Fold", "Unfold"]
