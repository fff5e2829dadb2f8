"""``retrograd.backends``: the backend switches PyTorch code reads and sets
(``torch.backends.cudnn.benchmark = True``), as PyTorch's CPU-only build has them.

The switches are kept and reported; the ones for CUDA libraries change nothing here, since there is
no GPU, exactly as in that build.
"""

import warnings

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]

_PRECISIONS = ("highest", "high", "medium")
_matmul_precision = ["highest"]


def get_float32_matmul_precision() -> str:
    """``torch.get_float32_matmul_precision``."""
    return _matmul_precision[0]


def set_float32_matmul_precision(precision: str) -> None:
    """``torch.set_float32_matmul_precision``: the precision float32 matrix products may use.

    NumPy's float32 products are always full precision ('highest' is what every setting gets
    here; PyTorch's CPU kernels do the same on CPUs without reduced-precision units)."""
    if precision not in _PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _matmul_precision[0] = precision


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """``torch.use_deterministic_algorithms``: every op here is deterministic already (NumPy's
    kernels run in one order), so the switch is kept, reported, and always satisfied."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"use_deterministic_algorithms(): argument 'mode' (position 1) must be "
            f"bool, not {type(mode).__name__}"
        )
    _deterministic.update(mode=mode, warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode) -> None:
    """``torch.set_deterministic_debug_mode``: the same switch as ``use_deterministic_algorithms``
    by another name: 0/"default" off, 1/"warn" on with warnings only, 2/"error" on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                f"{debug_mode}"
            )
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    _deterministic.update(mode=debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """``torch.get_deterministic_debug_mode``: 0 off, 1 warn only, 2 on (see the setter)."""
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


_warn_always = [False]


def set_warn_always(b: bool) -> None:
    """``torch.set_warn_always``: kept and reported; retrograd's warnings go through Python's
    ``warnings``, whose filters decide how often each is shown."""
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _warn_always[0] = b


def is_warn_always_enabled() -> bool:
    return _warn_always[0]
