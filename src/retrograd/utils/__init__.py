"""``retrograd.utils``: helpers built on the public API (``checkpoint``)."""

from . import checkpoint

__all__ = ["checkpoint"]
