"""Padding modules: ``nn.ConstantPad1d/2d/3d``, ``nn.ZeroPad1d/2d/3d``, and the reflection,
replication and circular ones."""

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _ConstantPadNd(Module):
    _dims = 1

    def __init__(self, padding, value: float):
        super().__init__()
        # An int pads every side of each padded dimension alike.
        self.padding = (padding,) * (2 * self._dims) if isinstance(padding, int) else tuple(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """``nn.ConstantPad1d``."""


class ConstantPad2d(_ConstantPadNd):
    """``nn.ConstantPad2d``."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """``nn.ConstantPad3d``."""

    _dims = 3


def _zero_pad(base, doc):
    class ZeroPad(base):
        __doc__ = doc

        def __init__(self, padding):
            super().__init__(padding, 0.0)

        def extra_repr(self) -> str:
            return f"{self.padding}"

    return ZeroPad


ZeroPad1d = _zero_pad(ConstantPad1d, "``nn.ZeroPad1d``.")
ZeroPad2d = _zero_pad(ConstantPad2d, "``nn.ZeroPad2d``.")
ZeroPad3d = _zero_pad(ConstantPad3d, "``nn.ZeroPad3d``.")
for _name in ("ZeroPad1d", "ZeroPad2d", "ZeroPad3d"):
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name


class _ModePadNd(Module):
    """Padding by reflection, replication or wrapping around (``F.pad``'s other modes)."""

    _dims = 1
    _mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = (padding,) * (2 * self._dims) if isinstance(padding, int) else tuple(padding)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _mode_pad(name, mode, dims):
    return type(name, (_ModePadNd,), {"_dims": dims, "_mode": mode, "__doc__": f"``nn.{name}``."})


ReflectionPad1d = _mode_pad("ReflectionPad1d", "reflect", 1)
ReflectionPad2d = _mode_pad("ReflectionPad2d", "reflect", 2)
ReflectionPad3d = _mode_pad("ReflectionPad3d", "reflect", 3)
ReplicationPad1d = _mode_pad("ReplicationPad1d", "replicate", 1)
ReplicationPad2d = _mode_pad("ReplicationPad2d", "replicate", 2)
ReplicationPad3d = _mode_pad("ReplicationPad3d", "replicate", 3)
CircularPad1d = _mode_pad("CircularPad1d", "circular", 1)
CircularPad2d = _mode_pad("CircularPad2d", "circular", 2)
CircularPad3d = _mode_pad("CircularPad3d", "circular", 3)
