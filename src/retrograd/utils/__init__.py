"""``retrograd.utils``: helpers built on the public API (``checkpoint``, ``data``)."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
