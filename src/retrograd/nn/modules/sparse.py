"""``torch.nn.modules.sparse``: classes from ``retrograd.nn.sparse``."""

from ..sparse import Embedding

__all__ = ["Embedding"]
