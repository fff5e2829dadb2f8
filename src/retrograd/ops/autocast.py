"""Which ops CPU autocast runs in low precision and which in float32, and the casts it makes.

PyTorch's CPU autocast casts the floating-point tensor arguments of two lists of ops: matrix
products and convolutions run in the region's low dtype (bfloat16 or float16), and ops that lose
too much in it (losses, linear algebra, some poolings and pads, ``prod`` ...) run in float32; float64
tensors are left alone, and every other op runs in the dtypes it is given.  An op joins a list by
the decorators here, or, where a wrapper's frame would shift the stack level of a warning the
function gives, by casting at its top through ``to_lower_precision``/``to_float32``; while no
region is on (``_switches.autocast`` is None) either costs one read.  The casts are ``Tensor.to``, so they are in the graph and gradients reach float32 leaves as
float32.  ``amp.autocast_mode`` owns the switch and this module's cache.
"""

import functools

from .. import _switches, dtypes
from ..tensor import Tensor
from .registry import METHODS

__all__ = [
    "lower_precision",
    "float32",
    "to_lower_precision",
    "to_float32",
    "clear_cache",
    "cache",
]

# Casts of float32 leaves that require grad (weights) to the low dtype, made once per outermost
# region while caching is on: id -> (leaf, cast).  Kept and cleared by amp.autocast_mode.
cache: dict = {}
cache_enabled = [True]


def _cast_lower(t, low):
    if t.__class__ is not Tensor and not isinstance(t, Tensor):
        return t
    d = t.dtype
    if not d.is_floating_point or d is dtypes.float64 or d is low:
        return t
    if (
        d is dtypes.float32
        and t._requires_grad
        and t._grad_fn is None
        and t._view_base is None
        and cache_enabled[0]
    ):
        hit = cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        out = t.to(low)
        cache[id(t)] = (t, out)
        return out
    return t.to(low)


def _cast_float32(t, low):
    if t.__class__ is not Tensor and not isinstance(t, Tensor):
        return t
    d = t.dtype
    if d is dtypes.float16 or d is dtypes.bfloat16:
        return t.to(dtypes.float32)
    return t


def _cast_all(cast, args, kwargs, low):
    out = []
    for a in args:
        if isinstance(a, (list, tuple)) and a and isinstance(a[0], Tensor):
            a = type(a)(cast(x, low) for x in a)
        else:
            a = cast(a, low)
        out.append(a)
    if kwargs:
        kwargs = {k: cast(v, low) for k, v in kwargs.items()}
    return out, kwargs


def _policy(cast):
    def wrap(fn):
        @functools.wraps(fn)
        def autocast(*args, **kwargs):
            low = _switches.autocast
            if low is not None:
                args, kwargs = _cast_all(cast, args, kwargs, low)
            return fn(*args, **kwargs)

        return autocast

    def decorate(fn):
        autocast = wrap(fn)
        name = fn.__name__
        method = METHODS.get(name)
        if method is fn:  # a Tensor method too: the method casts as well
            METHODS[name] = autocast
        elif method is not None and getattr(method, "function", None) is fn:
            METHODS[name] = wrap(method)  # (an op's method of its own: see registry.op)
        return autocast

    return decorate


lower_precision = _policy(_cast_lower)
lower_precision.__doc__ = "An op that CPU autocast runs in the region's low dtype."
float32 = _policy(_cast_float32)
float32.__doc__ = "An op that CPU autocast runs in float32."


def to_lower_precision(*args):
    """The arguments as a listed low-precision op takes them inside a region (for a function
    that casts at its top, ``if _switches.autocast is not None: ...``, rather than through the
    decorator, so that the warnings it gives keep their stack levels)."""
    low = _switches.autocast
    return tuple(_cast_lower(a, low) for a in args)


def to_float32(*args):
    """The arguments as a listed float32 op takes them inside a region (see to_lower_precision)."""
    return tuple(_cast_float32(a, None) for a in args)


def clear_cache():
    cache.clear()
