"""``retrograd.utils``: helpers built on the public API (``checkpoint``, ``data``,
``swap_tensors``, ``set_module``)."""

from . import checkpoint, data, dlpack, hooks
from ._swap import swap_tensors

__all__ = ["checkpoint", "data", "dlpack", "hooks", "set_module", "swap_tensors"]


def set_module(obj, mod: str) -> None:
    """Set ``obj.__module__`` to ``mod`` (how a library shows a name under its public path)."""
    if not isinstance(mod, str):
        raise TypeError("The mod argument should be a string")
    obj.__module__ = mod
