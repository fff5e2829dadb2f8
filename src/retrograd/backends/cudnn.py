"""``torch.backends.cudnn``: cuDNN switches.  cuDNN is not available here (``is_available()`` is
False, ``version()`` None); ``benchmark``, ``deterministic``, ``enabled`` and ``allow_tf32`` can be
set and read, as in PyTorch's CPU-only build, and change nothing."""

import contextlib

__all__ = [
    "is_available",
    "version",
    "is_acceptable",
    "flags",
    "enabled",
    "benchmark",
    "benchmark_limit",
    "deterministic",
    "allow_tf32",
]

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN could run on ``tensor``: never, without a GPU."""
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches for a block, and restore them after it."""
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    module = globals()
    before = {n: module[n] for n in names}
    module.update(zip(names, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)))
    try:
        yield
    finally:
        module.update(before)
