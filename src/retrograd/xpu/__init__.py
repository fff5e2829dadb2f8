"""``retrograd.xpu``: ``torch.xpu`` (Intel GPUs) as PyTorch's CPU-only build has it.

There is no XPU: ``is_available()`` is False and ``device_count()`` 0; seeding, the memory
counters and the queries that need no device answer as that build does (nothing to seed, zero
bytes), and the calls that need a device raise its error, ``AssertionError: Torch not compiled
with XPU enabled``.
"""

from collections import OrderedDict

from .. import _device
from ..cuda import StreamContext, stream

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


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def is_tf32_supported() -> bool:
    return False


def get_arch_list() -> list:
    return []


def get_gencode_flags() -> str:
    return ""


default_generators: tuple = ()

init = current_device = _no_xpu
synchronize = current_stream = set_stream = set_device = get_stream_from_external = _no_xpu
get_device_name = get_device_capability = get_device_properties = _no_xpu
initial_seed = get_rng_state = mem_get_info = _no_xpu
set_per_process_memory_fraction = get_per_process_memory_fraction = _no_xpu
clock_rate = device_memory_used = memory_usage = power_draw = temperature = utilization = _no_zes


def can_device_access_peer(device, peer) -> bool:
    raise AssertionError(_NO_XPU)


# Seeding with no device: accepted and nothing done, so code seeding every device runs.
def manual_seed(seed) -> None:
    int(seed)


def manual_seed_all(seed) -> None:
    int(seed)


def seed() -> None:
    return None


def seed_all() -> None:
    return None


def set_rng_state(new_state, device="xpu") -> None:
    new_state.clone()  # (the state is read before the device is asked for: none to set)


def get_rng_state_all() -> list:
    return []


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)


# Memory counters: no device, no bytes.
def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def memory_stats(device=None) -> OrderedDict:
    return OrderedDict()


def memory_stats_as_nested_dict(device=None) -> dict:
    return {}


def memory_snapshot(mempool_id=None) -> list:
    return []


def empty_cache() -> None:
    return None


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
