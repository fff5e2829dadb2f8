"""``retrograd.xpu``: ``torch.xpu`` (Intel GPUs) as PyTorch's CPU-only build has it.

There is no XPU: ``is_available()`` is False and ``device_count()`` 0; seeding, the memory
counters and the queries that need no device answer as that build does (nothing to seed, zero
bytes), and the calls that need a device raise its error, ``AssertionError: Torch not compiled
with XPU enabled``.
"""

from .. import _device
from ..cuda import (
    StreamContext,
    device_count,
    get_arch_list,
    get_gencode_flags,
    get_rng_state_all,
    is_available,
    is_bf16_supported,
    is_initialized,
    is_tf32_supported,
    manual_seed,
    manual_seed_all,
    seed,
    seed_all,
    stream,
)
from ..cuda.memory import (  # (no device, no bytes)
    empty_cache,
    max_memory_allocated,
    max_memory_reserved,
    memory_allocated,
    memory_reserved,
    memory_stats,
    memory_stats_as_nested_dict,
)

_NO_XPU = _device._NOT_BUILT["xpu"]


def _no_xpu(*args, **kwargs):
    raise AssertionError(_NO_XPU)


def _no_zes(device=None):
    """Device readings come from Intel's Level Zero Sysman bindings, which are not installed."""
    raise ImportError("pyzes is required; install it with 'pip install pyzes'.")


def _dummy(name: str) -> type:
    """A class whose objects need the XPU runtime: making one fails as in the CPU-only build."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError(f"Tried to instantiate dummy base class {name}")

    return type(name, (), {"__new__": __new__, "__module__": "torch.xpu"})


Stream = _dummy("Stream")
Event = _dummy("Event")
XPUGraph = _dummy("XPUGraph")
MemPool = _dummy("MemPool")
XPUPluggableAllocator = _dummy("XPUPluggableAllocator")


default_generators: tuple = ()

init = current_device = _no_xpu
synchronize = current_stream = set_stream = set_device = get_stream_from_external = _no_xpu
get_device_name = get_device_capability = get_device_properties = _no_xpu
initial_seed = get_rng_state = mem_get_info = _no_xpu
set_per_process_memory_fraction = get_per_process_memory_fraction = _no_xpu
clock_rate = device_memory_used = memory_usage = power_draw = temperature = utilization = _no_zes


def can_device_access_peer(device, peer) -> bool:
    raise AssertionError(_NO_XPU)


def set_rng_state(new_state, device="xpu") -> None:
    new_state.clone()  # (the state is read before the device is asked for: none to set)


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)


def memory_snapshot(mempool_id=None) -> list:
    return []  # (CUDA's needs a binding the CPU-only build leaves out; XPU's does not)


class graph:
    """``with torch.xpu.graph(g):``: capturing needs an XPU graph, which cannot be made."""

    def __init__(self, xpu_graph, pool=None, stream=None, capture_error_mode="global"):  # noqa: F811
        self.xpu_graph = xpu_graph

    def __enter__(self):
        raise AssertionError(_NO_XPU)

    def __exit__(self, *exc):
        return False


class device:
    """``torch.xpu.device(idx)``: selecting a device for a block fails on entry."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        raise NotImplementedError("PyTorch was compiled without XPU support")

    def __exit__(self, *exc):
        return False


class device_of(device):
    """``torch.xpu.device_of(tensor)``: as ``device`` for the tensor's index."""

    def __init__(self, obj):
        super().__init__(-1)
