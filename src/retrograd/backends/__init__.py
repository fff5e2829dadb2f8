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
