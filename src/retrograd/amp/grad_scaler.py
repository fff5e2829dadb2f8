"""``torch.amp.GradScaler``: loss scaling for low-precision training.

The loss is multiplied by a scale before ``backward()``, so that small float16 gradients do not
flush to zero; ``unscale_`` divides the gradients back and notes whether any is inf or nan;
``step`` skips the optimizer's step when one was; ``update`` shrinks the scale after such a step
and grows it after ``growth_interval`` clean ones in a row.  The scale is a float32 number and the
streak an int32 one, as in PyTorch, so the scales follow PyTorch's exactly.

For 'cuda' PyTorch's CPU-only build warns and disables the scaler; a disabled scaler passes the
loss through, steps the optimizer as usual and keeps a scale of 1.0.  retrograd does the same.
"""

import math
import warnings
from collections.abc import Iterable

from .._array import xp
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor, _make

__all__ = ["GradScaler", "OptState"]


class OptState:
    """Where an optimizer is in the iteration: nothing done yet, gradients unscaled, stepped."""

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state():
    return {"stage": OptState.READY, "found_inf": None}


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
        self._device = device
        if enabled and device == "cuda":
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                UserWarning,
                stacklevel=2,
            )
            enabled = False
        if enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._enabled = enabled
        self._init_scale = init_scale
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        # Made at the first scale(): a float32 scale and an int32 count of clean steps in a row.
        self._scale = None
        self._growth_tracker = None
        self._per_optimizer_states: dict = {}

    def _state(self, optimizer):
        state = self._per_optimizer_states.get(id(optimizer))
        if state is None:
            state = self._per_optimizer_states[id(optimizer)] = _fresh_state()
        return state

    def _check_started(self, funcname):
        fix = (
            "This may indicate your script did not use scaler.scale(loss or outputs) earlier in "
            "the iteration."
        )
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        """The outputs (a tensor, or lists, tuples and iterables of them) times the scale."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = _make(xp.array(self._init_scale, xp.float32))
            self._growth_tracker = xp.array(self._init_growth_tracker, xp.int32)

        def times_scale(value):
            if isinstance(value, Tensor):
                return value * self._scale
            if isinstance(value, Iterable):
                scaled = map(times_scale, value)
                return type(value)(scaled) if isinstance(value, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return times_scale(outputs)

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of the optimizer's parameters by the scale, in place, noting
        whether any of them holds an inf or a nan."""
        if not self._enabled:
            return
        self._check_started("unscale_")
        state = self._state(optimizer)
        if state["stage"] == OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] == OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # 1/scale worked out in float64 and rounded to float32, as PyTorch does
        inv_scale = float(xp.float32(1.0 / float(self._scale._data)))
        found = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if g.dtype.name == "float16":
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    if not found and not bool(xp.isfinite(g._data.astype(xp.float32)).all()):
                        found = True
                    g.mul_(inv_scale)
        state["found_inf"] = xp.float32(found)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` after unscaling, unless a gradient held an inf or
        a nan: then the step is skipped (and None returned)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_started("step")
        state = self._state(optimizer)
        if state["stage"] == OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == OptState.READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return result

    def update(self, new_scale=None) -> None:
        """Set the scale for the next iteration: ``new_scale`` if given, else the scale times
        ``backoff_factor`` after a skipped step, times ``growth_factor`` after
        ``growth_interval`` clean ones in a row."""
        if not self._enabled:
            return
        self._check_started("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                value = new_scale
            else:
                reason = (
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                    "torch.FloatTensor with requires_grad=False."
                )
                if (
                    not isinstance(new_scale, Tensor)
                    or new_scale.numel() != 1
                    or new_scale.requires_grad
                ):
                    raise AssertionError(reason)
                value = new_scale._data.reshape(())
            self._scale._data[...] = value
        else:
            found = [
                s["found_inf"]
                for s in self._per_optimizer_states.values()
                if s["found_inf"] is not None
            ]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            scale = self._scale._data
            if sum(found):
                scale[...] = scale * xp.float32(self._backoff_factor)
                self._growth_tracker[...] = 0
            else:
                streak = int(self._growth_tracker) + 1
                if streak == self._growth_interval:
                    grown = scale * xp.float32(self._growth_factor)
                    if math.isfinite(float(grown)):
                        scale[...] = grown
                    streak = 0
                self._growth_tracker[...] = streak
        self._scale._vc.version += 1
        self._per_optimizer_states = {}

    def get_scale(self) -> float:
        """The scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale._data)

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker)

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
        """The scale, the factors, the interval and the streak; empty when disabled, as in
        PyTorch."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Take the state ``state_dict()`` gave (a disabled scaler ignores it, as in PyTorch)."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = state_dict["scale"]
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker[...] = state_dict["_growth_tracker"]

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if self._per_optimizer_states:
                raise AssertionError(
                    "A GradScaler instance may only be pickled at the beginning of an iteration, "
                    "or at the end after scaler.update()."
                )
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state
