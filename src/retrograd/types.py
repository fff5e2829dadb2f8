"""``retrograd.types``: the type aliases annotations import from ``torch.types``."""

import builtins
import os
from typing import IO, Union

from ._device import device as _device
from .tensor import Size, Tensor

__all__ = ["Device", "Number", "FileLike", "Tensor", "Size", "IntLikeType", "FloatLikeType",
           "BoolLikeType", "Storage"]

_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_complex = builtins.complex
_str = builtins.str
_size = Union[Size, list, tuple]

Number = Union[_int, _float, _bool]
Device = Union[_device, _str, _int, None]
FileLike = Union[_str, os.PathLike, IO[bytes]]
IntLikeType = _int
FloatLikeType = _float
BoolLikeType = _bool
Storage = object  # retrograd keeps no separate storage objects


