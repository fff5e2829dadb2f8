"""``torch.cuda.amp``: the older spelling of ``torch.amp`` for 'cuda'; each name warns that it is
deprecated, as PyTorch does, and behaves as ``torch.amp``'s does for 'cuda' without a GPU."""

import functools
import warnings

from ... import amp as _amp

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


def _moved(name: str, new: str) -> None:
    warnings.warn(
        f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use `{new}` instead.",
        FutureWarning,
        stacklevel=3,
    )


class autocast(_amp.autocast):
    """``torch.cuda.amp.autocast``: ``torch.amp.autocast('cuda', ...)``."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True):
        _moved("autocast", "torch.amp.autocast('cuda', args...)")
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cuda.amp.GradScaler``: ``torch.amp.GradScaler('cuda', ...)``."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        _moved("GradScaler", "torch.amp.GradScaler('cuda', args...)")
        super().__init__(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )


def custom_fwd(fwd=None, *, cast_inputs=None):
    """``torch.cuda.amp.custom_fwd``: ``torch.amp.custom_fwd(device_type='cuda')``."""
    _moved("custom_fwd", "torch.amp.custom_fwd(args..., device_type='cuda')")
    if fwd is None:
        return functools.partial(_amp.custom_fwd, device_type="cuda", cast_inputs=cast_inputs)
    return _amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """``torch.cuda.amp.custom_bwd``: ``torch.amp.custom_bwd(device_type='cuda')``."""
    _moved("custom_bwd", "torch.amp.custom_bwd(args..., device_type='cuda')")
    if bwd is None:
        return functools.partial(_amp.custom_bwd, device_type="cuda")
    return _amp.custom_bwd(bwd, device_type="cuda")
