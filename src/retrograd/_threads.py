"""``torch.set_num_threads`` / ``get_num_threads``: the threads NumPy's BLAS uses for matrix
products, set and read through ``threadpoolctl`` (the ``threads`` extra).

Without threadpoolctl the number cannot be changed once NumPy has loaded its BLAS: setting it then
warns and changes nothing, and ``get_num_threads`` reports what the BLAS was started with.
"""

import os
import warnings

_interop = [None]


def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    import numpy  # noqa: F401  (its BLAS must be loaded to be found)

    return ThreadpoolController()


def _check(n, name: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")


def set_num_threads(int) -> None:  # PyTorch's parameter name
    """Use ``int`` threads in the BLAS behind matrix products and convolutions."""
    n = int
    _check(n, "set_num_threads")
    controller = _controller()
    if controller is None:
        warnings.warn(
            "set_num_threads: threadpoolctl is not installed, so the number of BLAS "
            "threads cannot be changed (pip install retrograd[threads]).",
            UserWarning,
            stacklevel=2,
        )
        return
    controller.limit(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads the BLAS uses (the largest, if several BLAS libraries are loaded)."""
    controller = _controller()
    if controller is not None:
        counts = [lib.num_threads for lib in controller.lib_controllers if lib.user_api == "blas"]
        if counts:
            return max(counts)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def set_num_interop_threads(int) -> None:
    """Threads for running independent ops in parallel: retrograd runs ops one at a time, so this
    is recorded only (``get_num_interop_threads`` reports it)."""
    n = int
    _check(n, "set_num_interop_threads")
    _interop[0] = n


def get_num_interop_threads() -> int:
    return _interop[0] or 1


def init_num_threads() -> None:
    """``torch.init_num_threads``: nothing to do; the BLAS keeps its own threads (see
    ``set_num_threads``)."""


def set_flush_denormal(mode) -> bool:
    """``torch.set_flush_denormal``: whether the requested mode is in effect.  NumPy computes
    with subnormal numbers kept and offers no switch for the processor's flush-to-zero mode, so
    asking to flush them answers False (PyTorch's answer on a processor without the mode) and
    asking to keep them True."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return not mode
