"""``torch.nn.modules.distance``: classes from ``retrograd.nn.distance``."""

from ..distance import PairwiseDistance, CosineSimilarity

__all__ = ["PairwiseDistance", "CosineSimilarity"]
