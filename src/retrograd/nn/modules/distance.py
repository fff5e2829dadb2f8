"""``torch.nn.modules.distance``: classes from ``retrograd.nn.distance``."""

from ..distance import CosineSimilarity, PairwiseDistance

__all__ = ["PairwiseDistance", "CosineSimilarity"]
