"""Bytes for the object collectives (``broadcast_object_list``, ``all_gather_object`` ...).

PyTorch pickles the objects and unpickles what the other ranks sent, so a rank can run code on
every other rank.  Here the sender pickles with tensors, arrays, dtypes and sizes taken out as
persistent records, and the receiver unpickles with a loader that imports nothing: plain data
(containers, numbers, strings, bytes, None), ``OrderedDict``, sets, and those records.  Any other
global in the bytes is refused.

Kept small and private: the checkpoint loader's restricted unpickler (``weights_only``) answers
the same question and the two can share one allow-list.
"""

import collections
import io
import pickle

from .. import dtypes
from .._array import xp
from ..tensor import Size, Tensor, _make

# The only globals the loader resolves; everything else is an UnpicklingError.
_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
    ("builtins", "bytearray"): bytearray,
}


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            from ..nn.parameter import Parameter

            kind = "parameter" if isinstance(obj, Parameter) else "tensor"
            return (kind, _array_record(obj._data), obj._requires_grad)
        if type(obj) is xp.ndarray and obj.dtype.kind in "biufc":
            return ("ndarray", _array_record(obj))
        if isinstance(obj, dtypes.dtype):
            return ("dtype", obj.np.str)
        if type(obj) is Size:
            return ("size", tuple(obj))
        return None


def _array_record(a):
    return (a.dtype.str, a.shape, xp.ascontiguousarray(a).tobytes())


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"object collectives carry plain data only: refusing to load {module}.{name} "
                "(containers, numbers, strings, bytes, None and tensors are allowed)"
            ) from None

    def persistent_load(self, pid):
        kind = pid[0]
        if kind in ("tensor", "parameter"):
            t = _make(_array(pid[1]), bool(pid[2]) and kind == "tensor")
            if kind == "parameter":
                from ..nn.parameter import Parameter

                return Parameter(t, requires_grad=bool(pid[2]))
            return t
        if kind == "ndarray":
            return _array(pid[1])
        if kind == "dtype":
            return dtypes.from_numpy_dtype(xp.dtype(pid[1]))
        if kind == "size":
            return Size(int(n) for n in pid[1])
        raise pickle.UnpicklingError(f"unknown record {kind!r} in an object collective")


def _array(record):
    dtype, shape, data = record
    dt = xp.dtype(dtype)
    if dt.kind not in "biufc":
        raise pickle.UnpicklingError(f"refusing an array of dtype {dt} in an object collective")
    return xp.frombuffer(bytearray(data), dt).reshape(shape)


def dumps(obj) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def loads(data) -> object:
    return _Unpickler(io.BytesIO(data)).load()
