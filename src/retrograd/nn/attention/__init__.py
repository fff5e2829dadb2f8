"""``nn.attention``: choosing the kernel behind ``F.scaled_dot_product_attention``
(``sdpa_kernel``, ``SDPBackend``), causal biases (``bias``) and ``flex_attention``.

On the CPU two kernels exist, as in PyTorch's CPU build: the fused one (``FLASH_ATTENTION``)
and the composed one (``MATH``); asking for only the others leaves no kernel, and the call
fails with PyTorch's error.
"""

import contextlib
from enum import Enum

from ... import _switches
from . import bias, flex_attention

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(Enum):
    """The kernels of scaled dot-product attention."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value


_SWITCH = {
    SDPBackend.MATH: "math",
    SDPBackend.FLASH_ATTENTION: "flash",
    SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
    SDPBackend.CUDNN_ATTENTION: "cudnn",
    SDPBackend.OVERRIDEABLE: "overrideable",
}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Within the block, ``F.scaled_dot_product_attention`` uses only ``backends`` (one
    ``SDPBackend`` or a list); the previous choice comes back after the block (also as a
    decorator).  ``set_priority`` orders the GPU kernels: on the CPU the fused kernel runs
    whenever it is enabled and takes the call, as in PyTorch's CPU build."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, "
            f"got {type(backends).__name__}"
        )
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    enabled = _switches.sdp_enabled
    before = dict(enabled)
    on = {_SWITCH[b] for b in chosen if b in _SWITCH}
    for name in enabled:
        enabled[name] = name in on
    try:
        yield {}
    finally:
        enabled.update(before)
