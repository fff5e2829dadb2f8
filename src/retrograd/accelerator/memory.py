"""``retrograd.accelerator.memory``: the accelerator's memory counters, which need one."""

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


def _no_accelerator(device_index=None, /):
    raise RuntimeError(_device.NO_ACCELERATOR)


# each needs an accelerator, and there is none
empty_cache = empty_host_cache = get_memory_info = memory_stats = _no_accelerator
memory_allocated = max_memory_allocated = memory_reserved = max_memory_reserved = _no_accelerator
reset_accumulated_memory_stats = reset_peak_memory_stats = _no_accelerator
