"""``torch.amp.GradScaler``: loss scaling for float16 training, as PyTorch's CPU-only build has it.

For 'cuda' that build warns and disables the scaler; a disabled scaler passes the loss through,
steps the optimizer as usual and keeps a scale of 1.0.  A scaler enabled on the CPU is not built.
"""

import warnings

from .. import _device

__all__ = ["GradScaler"]


class GradScaler:
    """``torch.amp.GradScaler(device='cuda', init_scale=65536.0, growth_factor=2.0,
    backoff_factor=0.5, growth_interval=2000, enabled=True)``."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        kind = _device.device(device).type
        if enabled and kind == "cuda":
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                UserWarning,
                stacklevel=2,
            )
            enabled = False
        elif enabled:
            raise NotImplementedError(
                f"GradScaler on device '{kind}' is not built in retrograd; "
                "create it with enabled=False"
            )
        self._device = kind
        self._enabled = enabled
        self._init_scale = init_scale
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        """The outputs times the scale: unchanged, since the scaler is disabled."""
        return outputs

    def unscale_(self, optimizer) -> None:
        """Divide the gradients by the scale: nothing to do at a scale of 1."""

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)``: with no scaling, no step is ever skipped."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        """Adjust the scale: a disabled scaler keeps none."""

    def get_scale(self) -> float:
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def state_dict(self) -> dict:
        """A disabled scaler's state is empty, as in PyTorch."""
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """A disabled scaler has no state to load (PyTorch ignores it too)."""
