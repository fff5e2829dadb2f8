"""``retrograd.signal``: ``torch.signal`` (its window functions)."""

from . import windows

__all__ = ["windows"]
