"""``torch.nn.modules.dropout``: classes from ``retrograd.nn.dropout``."""

from ..dropout import Dropout

__all__ = ["Dropout"]
