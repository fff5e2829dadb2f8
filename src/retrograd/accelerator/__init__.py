"""``retrograd.accelerator``: ``torch.accelerator`` as PyTorch's CPU-only build has it.

The CPU is no accelerator: ``is_available()`` is False, ``current_accelerator()`` None and
``device_count()`` 0, so device-agnostic code (``device = torch.accelerator.current_accelerator()
if torch.accelerator.is_available() else torch.device('cpu')``) chooses the CPU.  Every call that
needs an accelerator raises its error: ``Accelerator expected`` for a device named by type,
``Cannot access accelerator device when none is available.`` for the rest.
"""

import warnings

from .. import _device
from .._stream import Stream
from .graphs import Graph
from .memory import (
    empty_cache,
    empty_host_cache,
    get_memory_info,
    max_memory_allocated,
    max_memory_reserved,
    memory_allocated,
    memory_reserved,
    memory_stats,
    reset_accumulated_memory_stats,
    reset_peak_memory_stats,
)

__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "current_stream",
    "device_count",
    "device_index",
    "empty_cache",
    "empty_host_cache",
    "get_device_capability",
    "get_memory_info",
    "Graph",
    "is_available",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "memory_stats",
    "reset_accumulated_memory_stats",
    "reset_peak_memory_stats",
    "set_device_idx",
    "set_device_index",
    "set_stream",
    "synchronize",
]


def is_available() -> bool:
    """Whether an accelerator can be used: never, in retrograd."""
    return False


def device_count() -> int:
    """How many accelerator devices there are: none."""
    return 0


def current_accelerator(check_available: bool = False):
    """The accelerator's device type, or None: there is none."""
    return None


def _no_accelerator(device=None):
    """The error for a call on ``device``: a device or a name is no accelerator; anything else
    (an index, None: the current one) finds none."""
    if isinstance(device, (str, _device.device)):
        return RuntimeError("Accelerator expected")
    return RuntimeError(_device.NO_ACCELERATOR)


def current_device_index() -> int:
    raise _no_accelerator()


def set_device_index(device, /) -> None:
    if device is None or not isinstance(device, (int, str, _device.device)):
        raise ValueError(
            f"Expected a torch.device with a specified index or an integer, but got:{device}"
        )
    raise _no_accelerator(device)


def current_device_idx() -> int:
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device, /) -> None:
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def synchronize(device=None, /) -> None:
    raise _no_accelerator(device)


def current_stream(device=None, /) -> Stream:
    raise _no_accelerator(device)


def set_stream(stream) -> None:
    if not isinstance(stream, Stream):
        raise TypeError(
            "_accelerator_setStream(): incompatible function arguments. The following argument "
            f"types are supported:\n    1. (arg0: torch.Stream) -> None\n\nInvoked with: {stream}"
        )
    raise _no_accelerator()


def get_device_capability(device=None, /) -> dict:
    raise _no_accelerator(device)


class device_index:
    """``with torch.accelerator.device_index(i):``: ``None`` selects nothing and the block runs;
    an index needs an accelerator, so entering fails."""

    def __init__(self, device, /):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            raise _no_accelerator()
        return None

    def __exit__(self, *exc):
        return None
