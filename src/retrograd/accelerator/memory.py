"""``retrograd.accelerator.memory``: the accelerator's memory counters, which need one."""

from collections import OrderedDict

from .. import _device

__all__ = [
    "empty_cache",
    "empty_host_cache",
    "get_memory_info",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "memory_stats",
    "reset_accumulated_memory_stats",
    "reset_peak_memory_stats",
]


def _none():
    return RuntimeError(_device.NO_ACCELERATOR)


def empty_cache() -> None:
    raise _none()


def empty_host_cache() -> None:
    raise _none()


def memory_stats(device_index=None, /) -> OrderedDict:
    raise _none()


def memory_allocated(device_index=None, /) -> int:
    raise _none()


def max_memory_allocated(device_index=None, /) -> int:
    raise _none()


def memory_reserved(device_index=None, /) -> int:
    raise _none()


def max_memory_reserved(device_index=None, /) -> int:
    raise _none()


def reset_accumulated_memory_stats(device_index=None, /) -> None:
    raise _none()


def reset_peak_memory_stats(device_index=None, /) -> None:
    raise _none()


def get_memory_info(device_index=None, /) -> tuple:
    raise _none()
