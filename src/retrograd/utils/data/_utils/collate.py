"""``torch.utils.data._utils.collate``: turning samples into batches.

``collate`` walks containers (mappings, namedtuples, sequences) itself and hands every other
element type to the function that ``collate_fn_map`` names for it, so a program can extend
``default_collate_fn_map`` with its own types, as it can in PyTorch."""

import copy
from collections import abc

from .... import creation, dtypes, ops
from ...._array import xp as np
from ....tensor import Tensor

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)

_NUMPY_TEXT_KINDS = "SUO"  # bytes, str and object arrays: no tensor dtype holds them


def _is_numpy_text(array) -> bool:
    return array.dtype.kind in _NUMPY_TEXT_KINDS


def _rebuild_mapping(elem, values: dict):
    """A mapping of ``elem``'s type holding ``values`` (a plain dict when the type can't be
    built that way), as PyTorch keeps OrderedDict, defaultdict and friends."""
    try:
        if isinstance(elem, abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values: list):
    try:
        if isinstance(elem, abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def collate(batch, *, collate_fn_map: dict | None = None):
    """Merge a list of samples into a batch: the function ``collate_fn_map`` gives for the first
    sample's type (its exact type first, then the first entry it is an instance of) does the
    work; mappings, namedtuples and sequences are collated field by field."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, abc.Mapping):
        return _rebuild_mapping(
            elem,
            {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem},
        )
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return elem_type(*(collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)]
        if isinstance(elem, tuple):  # tuples become lists, as in PyTorch
            return fields
        return _rebuild_sequence(elem, fields)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None):
    return ops.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None):
    if _is_numpy_text(batch[0]):
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([creation.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None):
    return creation.tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map: dict | None = None):
    return creation.tensor(batch, dtype=dtypes.float64)


def collate_int_fn(batch, *, collate_fn_map: dict | None = None):
    return creation.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map: dict | None = None):
    return batch


default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,  # bool too: a bool batch becomes a bool tensor
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """``torch.utils.data.default_collate``: tensors and arrays are stacked along a new first
    dimension, Python floats become a float64 tensor, ints an int64 one, bools a bool one,
    NumPy scalars a tensor of their dtype, strings and bytes stay a list, and mappings,
    namedtuples and sequences are collated field by field (tuples come back as lists)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """``torch.utils.data.default_convert``: what a loader without batching returns. NumPy
    arrays and scalars become tensors (text arrays stay as they are), containers are walked
    and tuples come back as lists."""
    if isinstance(data, Tensor):
        return data
    elem_type = type(data)
    if elem_type.__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and _is_numpy_text(data):
            return data
        return creation.as_tensor(data)
    if isinstance(data, abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]
