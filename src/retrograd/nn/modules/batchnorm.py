"""``torch.nn.modules.batchnorm``: classes from ``retrograd.nn.normalization``."""

from ..normalization import BatchNorm1d, BatchNorm2d, _BatchNorm  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d"]
