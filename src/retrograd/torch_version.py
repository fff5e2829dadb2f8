"""``torch.torch_version``: ``TorchVersion``, a version string that compares with strings, tuples
and versions as versions (``"2.10" > "2.9"``), as PyTorch's ``torch.__version__`` does."""

from __future__ import annotations

from typing import Any

from .version import __version__

__all__ = ["TorchVersion", "internal_version"]


def _parsed(value: Any):
    """``value`` as a comparable version: a tuple's items joined with dots, a string parsed by
    ``packaging`` (imported when first needed)."""
    from packaging.version import Version

    if isinstance(value, Version):
        return value
    if isinstance(value, tuple):
        return Version(".".join(str(item) for item in value))
    if isinstance(value, str):
        return Version(value)
    raise TypeError


def _comparison(name: str):
    def compare(self, other):
        from packaging.version import InvalidVersion

        try:
            return getattr(_parsed(str(self)), name)(_parsed(other))
        except InvalidVersion:  # (not a version: compared as strings)
            return getattr(str, name)(self, other)
        except TypeError:
            return NotImplemented

    compare.__name__ = name
    return compare


class TorchVersion(str):
    """A version string that compares as a version."""

    __gt__ = _comparison("__gt__")
    __lt__ = _comparison("__lt__")
    __ge__ = _comparison("__ge__")
    __le__ = _comparison("__le__")
    __eq__ = _comparison("__eq__")  # (``!=`` stays str's, as in PyTorch)
    __hash__ = str.__hash__


internal_version = TorchVersion(__version__)
