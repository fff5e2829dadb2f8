"""``retrograd.cuda``: ``torch.cuda`` as PyTorch's CPU-only build has it.

There is no GPU: ``is_available()`` is False and ``device_count()`` 0; the calls that build answers
without a device (seeding, memory counters) do what it does, and the calls that need one raise its
error, ``AssertionError: Torch not compiled with CUDA enabled``.
"""

import warnings

from .. import _device, dtypes
from .._device import OutOfMemoryError
from . import amp, graphs, memory, streams
from .graphs import (
    CUDAGraph,
    graph,
    graph_pool_handle,
    is_current_stream_capturing,
    make_graphed_callables,
)
from .memory import (
    caching_allocator_alloc,
    caching_allocator_delete,
    empty_cache,
    get_allocator_backend,
    host_memory_stats,
    list_gpu_processes,
    max_memory_allocated,
    max_memory_cached,
    max_memory_reserved,
    mem_get_info,
    memory_allocated,
    memory_cached,
    memory_reserved,
    memory_snapshot,
    memory_stats,
    memory_stats_as_nested_dict,
    memory_summary,
    reset_accumulated_memory_stats,
    reset_max_memory_allocated,
    reset_max_memory_cached,
    reset_peak_memory_stats,
    set_per_process_memory_fraction,
)
from .streams import Event, Stream, StreamContext, set_stream, stream

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
    "BFloat16Storage",
    "BoolStorage",
    "ByteStorage",
    "CharStorage",
    "ComplexDoubleStorage",
    "ComplexFloatStorage",
    "DoubleStorage",
    "FloatStorage",
    "HalfStorage",
    "IntStorage",
    "LongStorage",
    "ShortStorage",
    "CUDAGraph",
    "CudaError",
    "OutOfMemoryError",
    "StreamContext",
    "caching_allocator_alloc",
    "caching_allocator_delete",
    "current_blas_handle",
    "default_generators",
    "get_allocator_backend",
    "get_gencode_flags",
    "get_sync_debug_mode",
    "graph",
    "graph_pool_handle",
    "graphs",
    "host_memory_stats",
    "ipc_collect",
    "is_current_stream_capturing",
    "list_gpu_processes",
    "make_graphed_callables",
    "max_memory_cached",
    "mem_get_info",
    "memory",
    "memory_cached",
    "memory_snapshot",
    "memory_stats_as_nested_dict",
    "memory_summary",
    "memory_usage",
    "utilization",
    "temperature",
    "power_draw",
    "clock_rate",
    "reset_accumulated_memory_stats",
    "reset_max_memory_allocated",
    "reset_max_memory_cached",
    "set_per_process_memory_fraction",
    "set_stream",
    "set_sync_debug_mode",
    "streams",
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
get_device_name = get_device_capability = get_device_properties = _no_cuda
initial_seed = get_rng_state = ipc_collect = _no_cuda
get_sync_debug_mode = set_sync_debug_mode = current_blas_handle = _no_cuda

# no device, no generator for one
default_generators: tuple = ()


def get_gencode_flags() -> str:
    return ""


def _is_compiled() -> bool:
    return False


def _no_nvml(device=None):
    """The device readings come from NVIDIA's management library, which is not installed."""
    raise ModuleNotFoundError("nvidia-ml-py does not seem to be installed or it can't be imported.")


utilization = temperature = power_draw = clock_rate = memory_usage = _no_nvml


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


class CudaError(RuntimeError):
    """``torch.cuda.CudaError(code)``: an error code of the CUDA runtime, whose text comes from
    the runtime; without one, making it fails on the missing binding, as in PyTorch's CPU-only
    build."""

    def __init__(self, code: int) -> None:
        raise AttributeError("'NoneType' object has no attribute 'cudaGetErrorString'")


class _CudaLegacyStorage:
    """``torch.cuda.FloatStorage`` ...: the names exist, with their dtypes; making one warns that
    typed storages are deprecated, then needs CUDA."""

    dtype: dtypes.dtype

    _warned = False  # PyTorch warns once a process

    def __new__(cls, *args, **kwargs):
        if not _CudaLegacyStorage._warned:
            _CudaLegacyStorage._warned = True
            warnings.warn(
                "TypedStorage is deprecated. It will be removed in the future and "
                "UntypedStorage will be the only storage class. This should only matter to you "
                "if you are using storages directly.  To access UntypedStorage directly, use "
                "tensor.untyped_storage() instead of tensor.storage()",
                UserWarning,
                stacklevel=2,
            )
        raise AssertionError(_device.NO_CUDA)


def _cuda_storage(name: str, dtype: dtypes.dtype) -> type:
    return type(name, (_CudaLegacyStorage,), {"__module__": "torch.cuda", "dtype": dtype})


BFloat16Storage = _cuda_storage("BFloat16Storage", dtypes.bfloat16)
BoolStorage = _cuda_storage("BoolStorage", dtypes.bool)
ByteStorage = _cuda_storage("ByteStorage", dtypes.uint8)
CharStorage = _cuda_storage("CharStorage", dtypes.int8)
ComplexDoubleStorage = _cuda_storage("ComplexDoubleStorage", dtypes.complex128)
ComplexFloatStorage = _cuda_storage("ComplexFloatStorage", dtypes.complex64)
DoubleStorage = _cuda_storage("DoubleStorage", dtypes.float64)
FloatStorage = _cuda_storage("FloatStorage", dtypes.float32)
HalfStorage = _cuda_storage("HalfStorage", dtypes.float16)
IntStorage = _cuda_storage("IntStorage", dtypes.int32)
LongStorage = _cuda_storage("LongStorage", dtypes.int64)
ShortStorage = _cuda_storage("ShortStorage", dtypes.int16)
