"""The one place that imports the array library.

Every other module takes ``xp`` from here, so moving to another NumPy-like library (CuPy for 'cuda')
means changing this file alone.
"""

import numpy as xp

ndarray = xp.ndarray


def asarray(value, dtype=None):
    """A C-contiguous-or-not ndarray view of ``value`` (no copy when it already is one)."""
    return xp.asarray(value, dtype=dtype)


def c_order(array):
    """``array`` in C order, copied only when it is not: PyTorch's reductions, joins, softmax and
    the like give contiguous results whatever the layout of their input (NumPy keeps it), and
    whether a later ``view`` works depends on it."""
    return array if array.flags.c_contiguous else xp.array(array, order="C")


def kept_order(array):
    """The order a copy of ``array`` takes to keep its layout, as PyTorch's copies do: a dense
    array's ("K": a transposed one stays transposed), an expanded one's contiguous ("C")."""
    return "C" if 0 in array.strides else "K"


def reshaped_view(array, shape):
    """``array`` seen with ``shape`` without copying, or None when its strides cannot express it.

    NumPy 2.1+ says so through ``reshape(copy=False)``; older NumPy only by assigning ``.shape``
    to a view, which NumPy 2.5 deprecates."""
    try:
        return _reshape_no_copy(array, shape)
    except (AttributeError, ValueError):
        return None


if xp.lib.NumpyVersion(xp.__version__) >= "2.1.0":

    def _reshape_no_copy(array, shape):
        return xp.reshape(array, shape, copy=False)
else:  # pragma: no cover - NumPy before 2.1

    def _reshape_no_copy(array, shape):
        v = array.view()
        v.shape = shape
        return v


def sum_to_shape(array, shape):
    """Sum a broadcast array back down to ``shape`` (the inverse of broadcasting)."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and array.shape[i + lead] != 1
    )
    out = array.sum(axis=axes, keepdims=True) if axes else array
    return out.reshape(shape)
