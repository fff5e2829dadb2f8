"""``retrograd.amp``: automatic mixed precision: ``autocast`` regions on the CPU and the CPU's
``GradScaler``; for 'cuda' both behave as PyTorch's CPU-only build has them: disabled with a
warning."""

from . import autocast_mode, grad_scaler  # noqa: F401  (torch.amp.autocast_mode ...)
from .autocast_mode import (
    autocast,
    custom_bwd,
    custom_fwd,
    get_autocast_dtype,
    is_autocast_available,
)
from .grad_scaler import GradScaler

__all__ = [
    "autocast",
    "custom_bwd",
    "custom_fwd",
    "get_autocast_dtype",
    "is_autocast_available",
    "GradScaler",
]
