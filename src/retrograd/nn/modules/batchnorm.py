"""``torch.nn.modules.batchnorm``: classes from ``retrograd.nn.normalization``."""

from ..normalization import BatchNorm1d, BatchNorm2d, _BatchNorm, _NormBase  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d"]
