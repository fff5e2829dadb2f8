"""``retrograd.cuda.memory``: the caching allocator's counters as PyTorch's CPU-only build
answers them: nothing is allocated, so the readings are zero or empty, and the calls that reach
for the allocator itself fail on the missing binding, as they do there."""

import warnings
from collections import OrderedDict

from .. import _device

__all__ = [
    "caching_allocator_alloc",
    "caching_allocator_delete",
    "empty_cache",
    "mem_get_info",
    "memory_stats",
    "memory_stats_as_nested_dict",
    "reset_accumulated_memory_stats",
    "reset_peak_memory_stats",
    "reset_max_memory_allocated",
    "reset_max_memory_cached",
    "host_memory_stats",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "memory_cached",
    "max_memory_cached",
    "memory_snapshot",
    "memory_summary",
    "list_gpu_processes",
    "set_per_process_memory_fraction",
    "get_allocator_backend",
]


def _no_cuda(*args, **kwargs):
    raise AssertionError(_device.NO_CUDA)


def _missing_binding(name: str):
    """A call whose first step is a binding the CPU-only build leaves out."""
    return AttributeError(f"module 'torch._C' has no attribute '{name}'")


caching_allocator_alloc = caching_allocator_delete = mem_get_info = _no_cuda
set_per_process_memory_fraction = _no_cuda


def empty_cache() -> None:
    return None


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def memory_stats(device=None) -> dict:
    return OrderedDict()


def host_memory_stats() -> dict:
    return OrderedDict()


def memory_stats_as_nested_dict(device=None) -> dict:
    return {}


def reset_peak_memory_stats(device=None) -> None:
    raise _missing_binding("_cuda_resetPeakMemoryStats")


def reset_accumulated_memory_stats(device=None) -> None:
    raise _missing_binding("_cuda_resetAccumulatedMemoryStats")


def _resets_all_peaks(old: str):
    def reset(device=None) -> None:
        warnings.warn(
            f"torch.cuda.{old} now calls torch.cuda.reset_peak_memory_stats, which resets "
            "/all/ peak memory stats.",
            FutureWarning,
            stacklevel=2,
        )
        return reset_peak_memory_stats(device)

    reset.__name__ = old
    return reset


reset_max_memory_allocated = _resets_all_peaks("reset_max_memory_allocated")
reset_max_memory_cached = _resets_all_peaks("reset_max_memory_cached")


def memory_snapshot(mempool_id=None) -> list:
    raise _missing_binding("_cuda_memorySnapshot")


def get_allocator_backend() -> str:
    raise _missing_binding("_cuda_getAllocatorBackend")


def memory_summary(device=None, abbreviated: bool = False) -> str:
    """The report reads its first counter from the statistics, which are empty, and fails
    there."""
    raise KeyError("allocated_bytes.all.current")


def list_gpu_processes(device=None) -> str:
    return "pynvml module not found, please install nvidia-ml-py"


def _renamed(old: str, new):
    def alias(*args, **kwargs):
        warnings.warn(
            f"`torch.cuda.{old}` has been renamed to `torch.cuda.{new.__name__}`",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = old
    return alias


memory_cached = _renamed("memory_cached", memory_reserved)
max_memory_cached = _renamed("max_memory_cached", max_memory_reserved)
