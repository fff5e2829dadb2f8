"""``retrograd.mtia``: ``torch.mtia`` (Meta's training and inference accelerator), which
retrograd does not have: no device, nothing to seed, zero bytes; the calls that need the device
raise the error of PyTorch's builds without the MTIA backend."""

from .. import _device
from .._stream import Event, Stream
from ..cuda import (
    device_count,
    get_rng_state_all,
    is_available,
    is_initialized,
    manual_seed,
    manual_seed_all,
    seed,
    seed_all,
)
from ..cuda.memory import max_memory_allocated, memory_allocated

_NO_MTIA = _device._NOT_BUILT["mtia"]
default_generators: tuple = ()


def _without(call: str):
    return _device.without_backend("MTIA", call)


def _not_built(*args, **kwargs):
    raise AssertionError(_NO_MTIA)


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return True  # (what the device type supports, asked of no device)


def is_fbcode() -> bool:
    return False


def is_prod() -> bool:
    return False


init = initial_seed = get_rng_state = _not_built
current_device = current_stream = default_stream = synchronize = _without("getCurrentDevice")
get_device_capability = get_device_properties = set_rng_state = stream = current_device
set_device = _without("setCurrentDevice")
empty_cache = _without("emptyCache")
snapshot = _without("memorySnapshot")
graph_pool_handle = _without("graphPoolHandle")


def set_rng_state_all(new_states) -> None:
    return None


def set_stream(stream) -> None:
    return None


def memory_stats(device=None) -> dict:
    return {}


def reset_peak_memory_stats(device=None) -> None:
    return None


def record_memory_history(enabled="all", stacks="python", max_entries=0) -> None:
    return None


class device:
    """``torch.mtia.device(idx)``: selecting a device for a block fails on entry."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        raise RuntimeError("Cannot execute maybeExchangeDevice() without MTIA backend.")

    def __exit__(self, *exc):
        return False
