"""``out=``: write a function's result into a tensor the caller gave, as PyTorch does.

The result is cast to ``out``'s dtype when PyTorch allows it (never float to integer, complex to
real, or anything else to bool), ``out`` is resized when its shape differs (with PyTorch's warning
unless it was empty), and ``out`` is returned.  Results written this way are outside the graph, so
PyTorch refuses ``out=`` when an argument requires grad; so does this.
"""

import functools
import warnings

from . import dtypes
from ._switches import grad_mode as _grad_state
from .tensor import Tensor, bump_version

_RESIZED = (
    "An output with one or more elements was resized since it had shape [{}], which does not "
    "match the required output shape [{}]. This behavior is deprecated, and in a future PyTorch "
    "release outputs will not be resized unless they have zero elements. You can explicitly reuse "
    "an out tensor t by resizing it, inplace, to zero elements with t.resize_(0)."
)


def can_cast(source: dtypes.dtype, target: dtypes.dtype) -> bool:
    """PyTorch's ``can_cast``: no step down from complex to real, float to integer, or to bool."""
    if source.is_complex and not target.is_complex:
        return False
    if source.is_floating_point and not (target.is_floating_point or target.is_complex):
        return False
    return source is dtypes.bool or target is not dtypes.bool


def check_out(name: str, out, inputs=()) -> None:
    """PyTorch's errors for an ``out=`` that is not a tensor, or with arguments that need grad."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _grad_state.enabled and (
        out._requires_grad or any(isinstance(t, Tensor) and t._requires_grad for t in inputs)
    ):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def write_out(
    name: str,
    result: Tensor,
    out,
    inputs=(),
    cast_error=None,
    exact: bool = False,
    resized=_RESIZED,
) -> Tensor:
    """Write ``result`` into ``out`` (see the module's docstring) and return ``out``.

    ``cast_error``: the exception for a dtype ``out`` cannot take, where the op has its own;
    ``exact``: the op takes only an ``out`` of the result's own dtype (gather, index_select ...);
    ``resized``: the warning when a non-empty ``out`` is resized (None: PyTorch gives none)."""
    check_out(name, out, inputs)
    data = result._data
    if data.dtype != out._data.dtype and (exact or not can_cast(result.dtype, out.dtype)):
        raise cast_error or RuntimeError(
            f"result type {dtypes.scalar_type_name(result.dtype)} can't be cast to the desired "
            f"output type {dtypes.scalar_type_name(out.dtype)}"
        )
    if data.shape != out._data.shape:
        if out._data.size and resized:
            warnings.warn(
                resized.format(
                    ", ".join(map(str, out._data.shape)),
                    ", ".join(map(str, data.shape)),
                    out._data.size,
                    data.size,
                    data.shape,
                ),
                UserWarning,
                stacklevel=3,
            )
        out._data = data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = data
    bump_version(out, None)
    return out


def write_outs(name: str, result, out, inputs=()):
    """``write_out`` for an op that returns one tensor or a tuple of them (``out`` then a tuple of
    as many tensors, PyTorch's ``out=(values, indices)``); returns ``out`` as the op would."""
    if not isinstance(result, tuple):
        return write_out(name, result, out, inputs)
    if not isinstance(out, (tuple, list)) or not all(isinstance(o, Tensor) for o in out):
        raise TypeError(
            f"{name}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}"
        )
    if len(out) != len(result):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
    written = [write_out(name, r, o, inputs) for r, o in zip(result, out)]
    return type(result)(*written) if hasattr(result, "_fields") else tuple(written)


def call_with_out(name: str, fn, args, kwargs, out):
    """``fn(*args, **kwargs)`` written into ``out`` (one tensor or a tuple); the inputs, whose
    requires_grad refuses ``out``, are the tensors among the arguments and in their lists."""
    inputs = [
        t
        for a in (*args, *kwargs.values())
        for t in (a if isinstance(a, (list, tuple)) else (a,))
        if isinstance(t, Tensor)
    ]
    return write_outs(name, fn(*args, **kwargs), out, inputs)


_WITH_OUT: dict = {}  # (fn, name) -> its one wrapper: a name in two namespaces is one object


def with_out(fn, name: str):
    """``fn`` taking PyTorch's keyword ``out=`` as well (for a function written by hand; op-table
    functions take it through the registry).  Only the public name gets this: a Tensor method
    keeps ``fn`` itself, and PyTorch's methods have no ``out``.  ``torch.xlogy`` and
    ``torch.special.xlogy`` stay one function, as in PyTorch."""
    wrapped = _WITH_OUT.get((fn, name))
    if wrapped is not None:
        return wrapped

    @functools.wraps(fn)
    def function(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return call_with_out(name, fn, args, kwargs, out)

    _WITH_OUT[fn, name] = function
    return function


def dtype_expected(result: Tensor, out: Tensor) -> RuntimeError:
    """The error of the ops that take an ``out`` of their result's dtype only."""
    return RuntimeError(
        f"Expected out tensor to have dtype {dtypes.CPP_NAMES[result.dtype]}, but "
        f"got {dtypes.CPP_NAMES[out.dtype]} instead"
    )
