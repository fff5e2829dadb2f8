"""``retrograd.utils``: helpers beside the core (``utils.data`` for datasets and loaders)."""

from . import data

__all__ = ["data"]
