"""``retrograd.mps``: ``torch.mps`` (Apple's Metal GPUs), which retrograd does not have.

``is_available()`` is False and ``device_count()`` 0; ``manual_seed`` does nothing, so seeding code
for every device runs; the rest raises the error of PyTorch's builds without the MPS backend,
naming the runtime call it would have made.
"""

from .. import _device
from ..cuda import device_count, is_available, manual_seed


def _without(call: str):
    return _device.without_backend("MPS", call)


class Event:
    """``torch.mps.Event``: an event of the Metal queue, which there is none of."""

    def __init__(self, enable_timing: bool = False):
        raise RuntimeError("Cannot execute acquireEvent() without MPS backend.")


synchronize = _without("deviceSynchronize")
empty_cache = _without("emptyCache")
seed = get_rng_state = set_rng_state = _without("getDefaultGenerator")
current_allocated_memory = _without("getCurrentAllocatedMemory")
driver_allocated_memory = _without("getDriverAllocatedMemory")
recommended_max_memory = _without("getRecommendedMaxMemory")
set_per_process_memory_fraction = _without("setMemoryFraction")


def compile_shader(source: str):
    raise RuntimeError("MPS is not available")


def load_metallib(source):
    raise RuntimeError("MPS is not available")


__all__ = [
    "Event",
    "compile_shader",
    "current_allocated_memory",
    "device_count",
    "driver_allocated_memory",
    "empty_cache",
    "get_rng_state",
    "is_available",
    "load_metallib",
    "manual_seed",
    "recommended_max_memory",
    "seed",
    "set_per_process_memory_fraction",
    "set_rng_state",
    "synchronize",
]
