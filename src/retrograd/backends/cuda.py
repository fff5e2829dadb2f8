"""``torch.backends.cuda``: CUDA library switches.  There is no CUDA here (``is_built()`` is False);
the switches are kept so code that sets them runs."""

import contextlib

from .. import _switches

__all__ = [
    "is_built",
    "matmul",
    "flash_sdp_enabled",
    "enable_flash_sdp",
    "math_sdp_enabled",
    "enable_math_sdp",
    "mem_efficient_sdp_enabled",
    "enable_mem_efficient_sdp",
    "cudnn_sdp_enabled",
    "enable_cudnn_sdp",
    "sdp_kernel",
]


def is_built() -> bool:
    """Whether retrograd was built with CUDA: never."""
    return False


class cuBLASModule:
    """``torch.backends.cuda.matmul``: cuBLAS switches.  ``allow_tf32`` is another view of
    ``torch.get_float32_matmul_precision()`` ('highest' means no TF32), as in PyTorch."""

    _FLAGS = (
        "allow_fp16_reduced_precision_reduction",
        "allow_bf16_reduced_precision_reduction",
        "allow_fp16_accumulation",
    )

    def __init__(self):
        object.__setattr__(
            self,
            "_values",
            {
                "allow_fp16_reduced_precision_reduction": True,
                "allow_bf16_reduced_precision_reduction": True,
                "allow_fp16_accumulation": False,
            },
        )

    def __getattr__(self, name):
        from . import get_float32_matmul_precision

        if name == "allow_tf32":
            return get_float32_matmul_precision() != "highest"
        if name in self._FLAGS:
            return self._values[name]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name, value):
        from . import set_float32_matmul_precision

        if name == "allow_tf32":
            set_float32_matmul_precision("high" if value else "highest")
        elif name in self._FLAGS:
            self._values[name] = value
        else:
            raise AttributeError("Unknown attribute " + name)


matmul = cuBLASModule()

_sdp = _switches.sdp_enabled


def flash_sdp_enabled() -> bool:
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    _sdp["flash"] = bool(enabled)


def math_sdp_enabled() -> bool:
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    _sdp["math"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _sdp["mem_efficient"] = bool(enabled)


def cudnn_sdp_enabled() -> bool:
    return _sdp["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    _sdp["cudnn"] = bool(enabled)


@contextlib.contextmanager
def sdp_kernel(
    enable_flash: bool = True,
    enable_math: bool = True,
    enable_mem_efficient: bool = True,
    enable_cudnn: bool = True,
):
    """Switch the attention kernels for a block, and restore them after it."""
    before = dict(_sdp)
    _sdp.update(
        flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient, cudnn=enable_cudnn
    )
    try:
        yield
    finally:
        _sdp.update(before)
