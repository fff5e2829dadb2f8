"""``retrograd.cuda``: ``torch.cuda`` as PyTorch's CPU-only build has it.

There is no GPU: ``is_available()`` is False and ``device_count()`` 0; the calls that build answers
without a device (seeding, memory counters) do what it does, and the calls that need one raise its
error, ``AssertionError: Torch not compiled with CUDA enabled``.
"""

import warnings

from .. import _device
from . import amp

__all__ = [
    "amp",
    "is_available",
    "device_count",
    "is_initialized",
    "init",
    "current_device",
    "set_device",
    "device",
    "device_of",
    "get_device_name",
    "get_device_capability",
    "get_device_properties",
    "synchronize",
    "empty_cache",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "initial_seed",
    "get_rng_state",
    "get_rng_state_all",
    "set_rng_state",
    "set_rng_state_all",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "memory_stats",
    "reset_peak_memory_stats",
    "is_bf16_supported",
    "is_tf32_supported",
    "Stream",
    "Event",
    "current_stream",
    "default_stream",
    "stream",
    "get_arch_list",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]

_initialized = False


def _no_cuda(*args, **kwargs):
    raise AssertionError(_device.NO_CUDA)


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


init = current_device = synchronize = current_stream = default_stream = _no_cuda
get_device_name = get_device_capability = get_device_properties = mem_get_info = _no_cuda
initial_seed = get_rng_state = ipc_collect = set_per_process_memory_fraction = _no_cuda


def set_device(device) -> None:
    """PyTorch's CPU-only build fails here on a missing internal function; so does this."""
    raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")


# Seeding with no device: the CPU-only build accepts these and does nothing, so seeding code that
# covers both devices runs.
def manual_seed(seed) -> None:
    int(seed)


def manual_seed_all(seed) -> None:
    int(seed)


def seed() -> None:
    return None


def seed_all() -> None:
    return None


def set_rng_state(new_state, device="cuda") -> None:
    return None


def get_rng_state_all() -> list:
    return []


def set_rng_state_all(new_states) -> None:
    return None


# Memory counters with no device: nothing is allocated.
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
    from collections import OrderedDict

    return OrderedDict()


def reset_peak_memory_stats(device=None) -> None:
    raise AttributeError("module 'torch._C' has no attribute '_cuda_resetPeakMemoryStats'")


class device:
    """``torch.cuda.device(idx)``: selecting a device for a block fails on entry, as in the
    CPU-only build; making the object does not."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc):
        return False


class device_of(device):
    """``torch.cuda.device_of(tensor)``: the device of a CPU tensor is no CUDA device, so the block
    runs unchanged."""

    def __init__(self, obj):
        super().__init__(-1)

    def __enter__(self):
        return self


class Stream:
    """``torch.cuda.Stream``: needs a GPU."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """``torch.cuda.Event``: needs a GPU."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event")


class StreamContext:
    """``torch.cuda.stream(None)``: with no stream, the block runs as it is."""

    def __init__(self, stream):
        if stream is not None:
            _no_cuda()
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def stream(stream) -> StreamContext:
    return StreamContext(stream)


class _CudaTensorType(type):
    """``torch.cuda.FloatTensor`` ...: the names exist; making one needs CUDA."""

    def __call__(cls, *args, **kwargs):
        raise TypeError(
            f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled."
        )

    def __instancecheck__(cls, obj):
        return False


def _cuda_type(name):
    return _CudaTensorType(name, (), {"__module__": "torch.cuda"})


FloatTensor = _cuda_type("FloatTensor")
DoubleTensor = _cuda_type("DoubleTensor")
HalfTensor = _cuda_type("HalfTensor")
BFloat16Tensor = _cuda_type("BFloat16Tensor")
LongTensor = _cuda_type("LongTensor")
IntTensor = _cuda_type("IntTensor")
ShortTensor = _cuda_type("ShortTensor")
CharTensor = _cuda_type("CharTensor")
ByteTensor = _cuda_type("ByteTensor")
BoolTensor = _cuda_type("BoolTensor")


def _deprecated_alias(old: str, new):
    def alias(*args, **kwargs):
        warnings.warn(
            f"`torch.cuda.{old}` has been renamed to `torch.cuda.{new.__name__}`",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = old
    return alias


memory_cached = _deprecated_alias("memory_cached", memory_reserved)
max_memory_cached = _deprecated_alias("max_memory_cached", max_memory_reserved)
