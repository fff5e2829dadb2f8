"""``retrograd.types``: the type aliases annotations import from ``torch.types``."""

import builtins
import os
from typing import IO

from ._device import device as _device
from .tensor import Size, Tensor

__all__ = [
    "Device",
    "Number",
    "FileLike",
    "Tensor",
    "Size",
    "IntLikeType",
    "FloatLikeType",
    "BoolLikeType",
    "Storage",
]

_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_complex = builtins.complex
_str = builtins.str
_size = Size | list | tuple

Number = _int | _float | _bool
Device = _device | _str | _int | None
FileLike = _str | os.PathLike | IO[bytes]
IntLikeType = _int
FloatLikeType = _float
BoolLikeType = _bool
Storage = object  # retrograd keeps no separate storage objects
