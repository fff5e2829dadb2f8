"""retrograd: PyTorch's autograd rebuilt in Python on NumPy.

``import retrograd as torch`` runs ordinary PyTorch autograd code: the same API, the same dynamic
graph, the same semantics and error messages.
"""

import os as _os
from math import e, inf, nan, pi  # noqa: F401 (torch.e ... : PyTorch's namespace has them)
from typing import TYPE_CHECKING

from . import (
    accelerator,
    amp,
    autograd,
    backends,
    cpu,
    cuda,
    distributed,
    distributions,
    dtypes,
    fft,
    func,
    hub,
    jit,
    linalg,
    masked,
    mps,
    mtia,
    multiprocessing,
    nested,
    nn,
    onnx,
    ops,
    optim,
    random,
    serialization,
    signal,
    sparse,
    special,
    testing,
    types,
    utils,
    version,
    viz,
    xpu,
)
from ._device import (
    OutOfMemoryError,
    _mkldnn,
    channels_last,
    channels_last_3d,
    contiguous_format,
    get_default_device,
    jagged,
    layout,
    memory_format,
    preserve_format,
    set_default_device,
    sparse_bsc,
    sparse_bsr,
    sparse_coo,
    sparse_csc,
    sparse_csr,
    strided,
)
from ._device import device as _device_class
from ._higher_order_ops import cond, while_loop
from ._lobpcg import lobpcg
from ._lowrank import pca_lowrank, svd_lowrank
from ._stream import Event, Stream
from ._threads import (
    get_num_interop_threads,
    get_num_threads,
    init_num_threads,
    set_flush_denormal,
    set_num_interop_threads,
    set_num_threads,
)
from ._variable_functions import *  # noqa: F403  (torch.batch_norm, torch.lstm ...)
from .amp import autocast
from .amp.autocast_mode import (
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_cpu_dtype,
    set_autocast_cpu_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.anomaly import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .autograd.grad_mode import is_inference_mode_enabled
from .backends import (
    are_deterministic_algorithms_enabled,
    get_deterministic_debug_mode,
    get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled,
    is_warn_always_enabled,
    set_deterministic_debug_mode,
    set_float32_matmul_precision,
    set_warn_always,
    use_deterministic_algorithms,
)
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    Generator,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    default_generator,
    device,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    scalar_tensor,
    seed,
    set_default_tensor_type,
    set_rng_state,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from .dtypes import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .func import vmap
from .functional import istft, stft
from .jit import fork, wait
from .ops.indexing import _unsafe_masked_index, _unsafe_masked_index_put_accumulate
from .ops.reduction import _safe_softmax, _softmax_backward_data
from .ops.sampling import _standard_gamma
from .ops.shape import _chunk_cat
from .ops.sparse_compressed import (
    sparse_bsc_tensor,
    sparse_bsr_tensor,
    sparse_compressed_tensor,
    sparse_csc_tensor,
    sparse_csr_tensor,
)
from .ops.sparse_coo import (
    ccol_indices_copy,
    col_indices_copy,
    crow_indices_copy,
    hsmm,
    hspmm,
    indices_copy,
    resize_as_sparse_,
    row_indices_copy,
    saddmm,
    smm,
    sparse_coo_tensor,
    sspaddmm,
    values_copy,
)
from .printing import set_printoptions
from .random import thread_safe_generator
from .serialization import load, save
from .signal.windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)
from .tensor import Size, Tensor, is_tensor
from .utils.dlpack import from_dlpack, to_dlpack

if TYPE_CHECKING:  # ``bool`` and ``int`` here are retrograd's dtypes
    import builtins


newaxis = None  # (torch.newaxis, NumPy's spelling of indexing with None)


def is_floating_point(input) -> "builtins.bool":
    return input.is_floating_point()


def compiled_with_cxx11_abi() -> "builtins.bool":
    """``torch.compiled_with_cxx11_abi``: PyTorch's wheels are built with the C++11 ABI."""
    return True


def get_file_path(*path_components: str) -> str:
    """``torch.get_file_path``: a path under the directory that holds the package."""
    return _os.path.join(_os.path.dirname(_os.path.dirname(__file__)), *path_components)


def prepare_multiprocessing_environment(path: str) -> None:
    """``torch.prepare_multiprocessing_environment``: nothing to prepare (as in PyTorch)."""


class _ClassProperty:
    def __init__(self, getter) -> None:
        self.getter = getter

    def __get__(self, instance, owner=None):
        return self.getter.__get__(instance, owner or type(instance))()


def classproperty(getter):
    """``torch.classproperty``: a property read from the class (``C.name``) as from instances."""
    if not isinstance(getter, (classmethod, staticmethod)):
        getter = classmethod(getter)
    return _ClassProperty(getter)


def get_device_module(device=None):  # noqa: F811 (PyTorch's parameter name)
    """``torch.get_device_module``: the module of a device type (``torch.cpu``, ``torch.cuda``
    ...); with no device, the CPU's (this build has no accelerator)."""
    if isinstance(device, _device_class):
        kind = device.type
    elif isinstance(device, str):
        kind = _device_class(device).type
    elif device is None:
        kind = "cpu"
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or None")
    module = globals().get(kind)
    if module is None or not isinstance(module, type(_os)):
        raise RuntimeError(
            f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'."
        )
    return module


def numel(input) -> "builtins.int":
    return input.numel()


# Functions written by hand (not op-table ops, which take ``out`` themselves) that PyTorch's
# namespace gives an ``out=`` keyword.
_OUT_FUNCTIONS = frozenset(
    "addcdiv aminmax clamp clamp_max clamp_min clip conj_physical copysign cummax cummin diag diff div divide "
    "float_power floor_divide ger hash_tensor heaviside igamma igammac isin kron kthvalue lerp masked_select "
    "matmul matrix_power max mean min mode nanmean nansum norm orgqr outer polygamma pow qr round "
    "slice_scatter slogdet sort square std sub subtract svd threshold topk var xlogy".split()
)


def _public_ops():
    """Every op function in retrograd.ops becomes retrograd.<name>."""
    from types import ModuleType

    from ._out import with_out

    g = globals()
    for name, value in vars(ops).items():
        if name.startswith("_") or name in g or isinstance(value, ModuleType):
            continue
        if callable(value):
            g[name] = with_out(value, name) if name in _OUT_FUNCTIONS else value


_public_ops()

from . import (  # noqa: E402
    _dynamo,
    compiler,
    futures,
    overrides,
    profiler,
    return_types,
    storage,
    torch_version,
)
from ._compile import compile  # noqa: E402  (torch.compile)

__version__ = torch_version.internal_version  # (compares as a version: torch.__version__)

# PyTorch's module paths that few programs use, imported when first named (``torch.fx``): an
# import of retrograd does not pay for them.
_ON_FIRST_USE = frozenset("ao export fx library monitor package quantization quasirandom".split())


def __getattr__(name: str):
    if name in _ON_FIRST_USE:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
