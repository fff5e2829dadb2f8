"""``torch.autograd.Variable``: the pre-0.4 wrapper, now a way of making a tensor.

``Variable(t)`` is ``t.detach()`` (the same memory and version counter), made to require grad when
``requires_grad=True``; every tensor is an instance of ``Variable``.  ``volatile`` no longer does
anything: PyTorch warns so, and so does this.
"""

import warnings

from ..creation import zeros
from ..tensor import Tensor

__all__ = ["Variable"]

_VOLATILE_ARGUMENT = (
    "volatile was removed and now has no effect. Use `with torch.no_grad():` instead."
)


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``torch.autograd.Variable(data=None, requires_grad=False, volatile=False)``."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None, **kwargs):
        if kwargs:
            raise TypeError(
                f"'{next(iter(kwargs))}' is an invalid keyword argument for this function"
            )
        if volatile:
            warnings.warn(_VOLATILE_ARGUMENT, UserWarning, stacklevel=2)
        if _grad_fn is not None:
            raise TypeError(
                f"_grad_fn has to be a Function object or None, but got {type(_grad_fn).__name__}"
            )
        if data is None:
            data = zeros(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            if out._data.dtype.kind not in "fcV":
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            out._requires_grad = True
        return out


def _volatile(self) -> bool:
    warnings.warn(
        "volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2
    )
    return False


Tensor.volatile = property(_volatile)  # type: ignore[method-assign,assignment]
