"""``retrograd.amp``: automatic mixed precision names (``autocast``, ``GradScaler``), behaving as
PyTorch's CPU-only build does for 'cuda': present, and disabled with a warning."""

from . import autocast_mode, grad_scaler  # noqa: F401  (torch.amp.autocast_mode ...)
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
