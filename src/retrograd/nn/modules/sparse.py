"""``torch.nn.modules.sparse``: classes from ``retrograd.nn.sparse``."""

from ..sparse import Embedding, EmbeddingBag

__all__ = ["Embedding", "EmbeddingBag"]
