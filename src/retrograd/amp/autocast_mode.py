"""``torch.amp.autocast``: mixed precision regions.

On the CPU a region runs the ops of PyTorch's CPU lists (``ops.autocast``) in its low dtype
(bfloat16 by default, or float16) or in float32.  For 'cuda' PyTorch's CPU-only build warns and
disables autocast (there is no GPU), so the region runs in the dtypes its code asks for; retrograd
does the same.  The state is process-wide here (PyTorch keeps it per thread).
"""

import functools
import warnings

from .. import _device, _switches, dtypes
from ..ops import autocast as _ops_autocast

__all__ = [
    "autocast",
    "custom_fwd",
    "custom_bwd",
    "is_autocast_available",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "set_autocast_enabled",
    "set_autocast_dtype",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
]

# The CPU's state: whether on, its low dtype, and how many regions are open (the cache of casts
# is dropped when the outermost one closes).  'cuda' is never on.
_cpu = {"enabled": False, "dtype": dtypes.bfloat16, "nesting": 0}
_LOW_DTYPES = {"cpu": (dtypes.bfloat16, dtypes.float16)}


def _kind(device_type) -> str:
    return _device.device(device_type).type


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast(device_type)`` is accepted (it runs disabled for 'cuda')."""
    return device_type in ("cpu", "cuda")


def is_autocast_enabled(device_type=None) -> bool:
    """``torch.is_autocast_enabled(device_type='cuda')``: whether a region is on for the device."""
    return device_type is not None and _kind(device_type) == "cpu" and _cpu["enabled"]


def get_autocast_dtype(device_type):
    """``torch.get_autocast_dtype``: the low dtype a region on the device uses (float16 for
    'cuda', bfloat16 for the CPU unless set)."""
    return _cpu["dtype"] if _kind(device_type) == "cpu" else dtypes.float16


def set_autocast_enabled(device_type, enabled=None) -> None:
    """``torch.set_autocast_enabled(device_type, enabled)``."""
    if enabled is None:  # the older form, set_autocast_enabled(enabled), is for 'cuda'
        return
    if _kind(device_type) == "cpu":
        _cpu["enabled"] = bool(enabled)
        _publish()


def set_autocast_dtype(device_type, dtype) -> None:
    """``torch.set_autocast_dtype(device_type, dtype)``."""
    if _kind(device_type) == "cpu":
        _cpu["dtype"] = dtype
        _publish()


def is_autocast_cache_enabled() -> bool:
    return _ops_autocast.cache_enabled[0]


def set_autocast_cache_enabled(enabled: bool) -> None:
    _ops_autocast.cache_enabled[0] = bool(enabled)


def clear_autocast_cache() -> None:
    _ops_autocast.clear_cache()


def _publish():
    """The switch the ops read: the low dtype while CPU autocast is on, else None."""
    _switches.autocast = _cpu["dtype"] if _cpu["enabled"] else None


def is_autocast_cpu_enabled() -> bool:
    warnings.warn(
        "torch.is_autocast_cpu_enabled() is deprecated. Please use "
        "torch.is_autocast_enabled('cpu') instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return _cpu["enabled"]


def get_autocast_cpu_dtype():
    warnings.warn(
        "torch.get_autocast_cpu_dtype() is deprecated. Please use "
        "torch.get_autocast_dtype('cpu') instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return _cpu["dtype"]


def set_autocast_cpu_enabled(enabled) -> None:
    """``torch.set_autocast_cpu_enabled`` (deprecated): ``set_autocast_enabled('cpu', ...)``."""
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    warnings.warn(
        "torch.set_autocast_cpu_enabled(enabled) is deprecated. Please use "
        "torch.set_autocast_enabled('cpu', enabled) instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    set_autocast_enabled("cpu", enabled)


def set_autocast_cpu_dtype(dtype) -> None:
    """``torch.set_autocast_cpu_dtype`` (deprecated): ``set_autocast_dtype('cpu', ...)``."""
    if not isinstance(dtype, dtypes.dtype):
        raise TypeError(f"dtype must be a torch.dtype (got {type(dtype).__name__})")
    warnings.warn(
        "torch.set_autocast_cpu_dtype(dtype) is deprecated. Please use "
        "torch.set_autocast_dtype('cpu', dtype) instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    set_autocast_dtype("cpu", dtype)


def autocast_increment_nesting() -> int:
    """``torch.autocast_increment_nesting``: one more open autocast region; the new count."""
    _cpu["nesting"] += 1
    return _cpu["nesting"]


def autocast_decrement_nesting() -> int:
    """``torch.autocast_decrement_nesting``: one region fewer; the new count (whoever closes
    the outermost region clears the cache of casts)."""
    _cpu["nesting"] -= 1
    return _cpu["nesting"]


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager and decorator; on the CPU it runs the listed ops in ``dtype`` or float32."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        kind = _kind(device_type)
        self.device = kind
        self.fast_dtype = get_autocast_dtype(kind) if dtype is None else dtype
        self._cache_enabled = (
            is_autocast_cache_enabled() if cache_enabled is None else bool(cache_enabled)
        )
        if enabled and kind == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                UserWarning,
                stacklevel=2,
            )
            enabled = False
        elif enabled and kind == "cpu" and self.fast_dtype not in _LOW_DTYPES["cpu"]:
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                UserWarning,
                stacklevel=2,
            )
            enabled = False
        elif enabled and kind != "cpu":
            raise NotImplementedError(
                f"autocast on device_type '{kind}' is not built in retrograd; run without it "
                "(enabled=False)"
            )
        self._enabled = bool(enabled)

    def __enter__(self):
        if self.device != "cpu":
            return self
        self._before = (_cpu["enabled"], _cpu["dtype"], is_autocast_cache_enabled())
        _cpu["enabled"] = self._enabled
        _cpu["dtype"] = self.fast_dtype
        _cpu["nesting"] += 1
        set_autocast_cache_enabled(self._cache_enabled)
        _publish()
        return self

    def __exit__(self, *exc):
        if self.device != "cpu":
            return False
        _cpu["nesting"] -= 1
        if _cpu["nesting"] == 0:
            clear_autocast_cache()
        _cpu["enabled"], _cpu["dtype"], cache = self._before
        set_autocast_cache_enabled(cache)
        _publish()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """``torch.amp.custom_fwd``: for a custom Function's forward.  With ``cast_inputs`` inside an
    enabled region, the forward gets its floating-point tensors in that dtype and runs with
    autocast off; otherwise it runs as written."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def forward(*args, **kwargs):
        if cast_inputs is None or not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        from ..tensor import Tensor

        def cast(v):
            if isinstance(v, Tensor) and v.dtype.is_floating_point and v.dtype is not cast_inputs:
                return v.to(cast_inputs)
            return v

        with autocast(device_type, enabled=False):
            return fwd(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})

    return forward


def custom_bwd(bwd=None, *, device_type: str):
    """``torch.amp.custom_bwd``: the backward runs in the forward's autocast state (never active
    here), so it runs as written."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
