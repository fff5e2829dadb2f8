"""``torch._dynamo``: the few names PyTorch programs import from it (``reset``, ``explain``,
``config``, ``exc``, ``OptimizedModule``), over ``retrograd.compile``'s tracer."""

from .._compile import OptimizedModule, config, explain, list_backends, reset
from . import eval_frame, exc

__all__ = [
    "OptimizedModule",
    "config",
    "disable",
    "eval_frame",
    "exc",
    "explain",
    "is_compiling",
    "list_backends",
    "reset",
]


def is_compiling() -> bool:
    """False: the traced function runs as ordinary Python code, also while it is traced."""
    return False


def disable(fn=None, recursive=True):
    """``torch._dynamo.disable``: the function as it is (it runs eagerly anyway when called from a
    compiled function, since its ops are recorded like any others)."""
    if fn is None:
        return lambda f: f
    return fn
