"""``torch.nn.modules.dropout``: classes from ``retrograd.nn.dropout``."""

from ..dropout import Dropout, _DropoutNd  # noqa: F401

__all__ = ["Dropout"]
