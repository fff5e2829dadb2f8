"""The one place that imports the array library.

Every other module takes ``xp`` from here, so moving to another NumPy-like library (CuPy for 'cuda')
means changing this file alone.
"""

import numpy as xp

ndarray = xp.ndarray


def asarray(value, dtype=None):
    """A C-contiguous-or-not ndarray view of ``value`` (no copy when it already is one)."""
    return xp.asarray(value, dtype=dtype)


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
