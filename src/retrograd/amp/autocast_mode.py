"""``torch.amp.autocast``: mixed precision regions, as PyTorch's CPU-only build runs them.

For 'cuda' that build warns and disables autocast (there is no GPU), so the region runs in the
dtypes its code asks for; retrograd does the same.  CPU autocast (running chosen ops in bfloat16)
is not built: asking for it raises ``NotImplementedError``.
"""

import functools
import warnings

from .. import _device

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available"]


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast(device_type)`` is accepted (it runs disabled for 'cuda')."""
    return device_type == "cuda"


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager and decorator; always disabled here (see the module's docstring)."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        kind = _device.device(device_type).type
        if enabled and kind == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                UserWarning,
                stacklevel=2,
            )
            enabled = False
        elif enabled:
            raise NotImplementedError(
                f"autocast on device_type '{kind}' is not built in "
                "retrograd; run without it (enabled=False)"
            )
        self.device = kind
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """``torch.amp.custom_fwd``: for a custom Function's forward inside autocast.  Autocast is never
    active here, so the forward runs as written (``cast_inputs`` applies only inside autocast)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type: str):
    """``torch.amp.custom_bwd``: the backward runs in the forward's autocast state (never active
    here), so it runs as written."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


def is_autocast_enabled(device_type=None) -> bool:
    """``torch.is_autocast_enabled``: never, here."""
    return False
