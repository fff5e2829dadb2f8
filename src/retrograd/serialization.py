"""``retrograd.save`` / ``retrograd.load``: checkpoints that never run code when they are read.

PyTorch's ``torch.save`` writes a pickle, and reading a pickle can run any code its author chose.
A retrograd checkpoint holds data only, so loading a file from a stranger is safe.

The format (version 1)
----------------------
A ZIP archive (entries stored, not compressed) with:

``retrograd.json``
    The index, UTF-8 JSON: ``{"format": "retrograd-checkpoint", "version": 1, "root": NODE}``.
``tensors/<n>.npy``
    One array per distinct tensor, in NumPy's ``.npy`` format, always read with
    ``allow_pickle=False`` (an object array is refused).

``NODE`` is a JSON object whose ``"type"`` says what it holds:

============== ===========================================================================
type           other fields
============== ===========================================================================
``none``       --
``bool``       ``value``: true or false
``int``        ``value``: a JSON integer (any size)
``float``      ``value``: Python's ``repr`` of the float as a string (exact; ``"nan"``, ``"inf"``)
``complex``    ``real``, ``imag``: as for ``float``
``str``        ``value``: a JSON string
``list``       ``items``: a list of NODEs
``tuple``      ``items``: a list of NODEs
``size``       ``items``: a list of JSON integers (a ``torch.Size``)
``dict``       ``items``: a list of ``[KEY NODE, VALUE NODE]`` pairs (keys may be any hashable
               NODE: ``str``, ``int``, ``float``, ``bool``, ``none`` or ``tuple``)
``OrderedDict`` as ``dict`` (a state dict keeps its type)
``dtype``      ``value``: a dtype name such as ``"float32"``
``tensor``     ``file`` (the ``tensors/<n>.npy`` entry), ``dtype``, ``shape`` (list of ints),
               ``requires_grad`` (bool), ``parameter`` (bool: an ``nn.Parameter``)
============== ===========================================================================

A tensor referred to several times is written once, and loads as one tensor referred to several
times. Tensors that are views of one another are written as separate arrays (their sharing is
not kept). ``.grad`` and the graph are not saved: a loaded tensor is a leaf.

Reading checks everything it relies on: the archive (ZIP's CRC-32 of every entry), the index's
structure, and each array's dtype and shape against the index. A truncated, corrupted or
tampered file raises ``RuntimeError`` naming the file and what is wrong.
"""

import json
import math
import os
import zipfile
from collections import OrderedDict
from typing import Any

from . import dtypes
from ._array import xp
from .tensor import Size, Tensor, _make

FORMAT = "retrograd-checkpoint"
VERSION = 1
INDEX = "retrograd.json"

_PLAIN = (type(None), bool, int, float, complex, str)
_DTYPES = {d.name: d for d in dtypes.ALL}


class _Writer:
    """Turns an object into an index NODE, collecting the arrays it refers to."""

    def __init__(self):
        self.arrays: list = []
        self.tensor_files: dict = {}  # id(tensor) -> its entry name
        self.keep: list = []  # the tensors seen, so their ids stay unique while writing
        self.open: set = set()  # ids of the containers being walked (a cycle is refused)

    def node(self, obj: Any) -> dict:
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": repr(float(obj))}
        if isinstance(obj, complex):
            return {"type": "complex", "real": repr(obj.real), "imag": repr(obj.imag)}
        if isinstance(obj, str):
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if isinstance(obj, dtypes.dtype):
            return {"type": "dtype", "value": obj.name}
        if isinstance(obj, Size):
            return {"type": "size", "items": [int(n) for n in obj]}
        if isinstance(obj, (list, tuple, dict)):
            if id(obj) in self.open:
                raise ValueError("retrograd.save: the object contains itself (a reference cycle); "
                                 "a checkpoint can only hold trees of containers")
            self.open.add(id(obj))
            try:
                return self.container(obj)
            finally:
                self.open.discard(id(obj))
        raise TypeError(
            f"retrograd.save cannot store an object of type {type(obj).__module__}."
            f"{type(obj).__qualname__}: a checkpoint holds only tensors, dtypes, None, bools, "
            "numbers, strings, and lists, tuples and dicts of them (never code). Save the "
            "object's state_dict() instead.")

    def container(self, obj) -> dict:
        if isinstance(obj, dict):
            kind = "OrderedDict" if isinstance(obj, OrderedDict) else "dict"
            items = []
            for k, v in obj.items():
                if not isinstance(k, (*_PLAIN, tuple)):
                    raise TypeError(f"retrograd.save: dict key {k!r} of type "
                                    f"{type(k).__name__} cannot be stored; keys must be strings, "
                                    "numbers, bools, None or tuples of them")
                items.append([self.node(k), self.node(v)])
            return {"type": kind, "items": items}
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {"type": kind, "items": [self.node(v) for v in obj]}

    def tensor(self, t: Tensor) -> dict:
        name = self.tensor_files.get(id(t))
        if name is None:
            name = f"tensors/{len(self.arrays)}.npy"
            self.tensor_files[id(t)] = name
            self.arrays.append((name, t._data))
            self.keep.append(t)
        from .nn.parameter import Parameter

        return {"type": "tensor", "file": name, "dtype": t.dtype.name,
                "shape": list(t._data.shape), "requires_grad": bool(t._requires_grad),
                "parameter": isinstance(t, Parameter)}


def save(obj: Any, f, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False
         ) -> None:
    """Write ``obj`` to a path or binary file object (``torch.save``; no pickle: see the module
    docstring for the format). The pickle options are accepted and ignored."""
    writer = _Writer()
    index = {"format": FORMAT, "version": VERSION, "root": writer.node(obj)}
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(INDEX, json.dumps(index, allow_nan=False))
        for name, array in writer.arrays:
            with zf.open(name, "w", force_zip64=array.nbytes > 0x7FFFFFFF) as entry:
                xp.lib.format.write_array(entry, array, allow_pickle=False)


class _Reader:
    """Rebuilds the object from the index, checking each NODE as it goes."""

    def __init__(self, zf: zipfile.ZipFile, fail):
        self.zf = zf
        self.fail = fail
        self.tensors: dict = {}  # entry name -> the tensor already loaded from it

    def node(self, node, where: str):
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            self.fail(f"the index entry at {where} is not an object with a 'type'")
        kind = node["type"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node.get("value")
            expected = {"bool": bool, "int": int, "str": str}[kind]
            if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
                self.fail(f"the {kind} at {where} has no valid 'value'")
            return value
        if kind == "float":
            return self.float(node.get("value"), where)
        if kind == "complex":
            return complex(self.float(node.get("real"), where),
                           self.float(node.get("imag"), where))
        if kind in ("list", "tuple", "dict", "OrderedDict", "size"):
            items = node.get("items")
            if not isinstance(items, list):
                self.fail(f"the {kind} at {where} has no 'items' list")
            if kind == "size":
                if not all(isinstance(n, int) and not isinstance(n, bool) for n in items):
                    self.fail(f"the size at {where} holds something other than integers")
                return Size(items)
            if kind in ("list", "tuple"):
                values = [self.node(v, f"{where}[{i}]") for i, v in enumerate(items)]
                return values if kind == "list" else tuple(values)
            out = OrderedDict() if kind == "OrderedDict" else {}
            for i, pair in enumerate(items):
                if not (isinstance(pair, list) and len(pair) == 2):
                    self.fail(f"item {i} of the {kind} at {where} is not a [key, value] pair")
                key = self.node(pair[0], f"{where}.key{i}")
                try:
                    out[key] = self.node(pair[1], f"{where}[{key!r}]")
                except TypeError:
                    self.fail(f"key {i} of the {kind} at {where} is not hashable")
            return out
        if kind == "dtype":
            dt = _DTYPES.get(node.get("value"))
            if dt is None:
                self.fail(f"the dtype at {where} names no dtype: {node.get('value')!r}")
            return dt
        if kind == "tensor":
            return self.tensor(node, where)
        self.fail(f"the index entry at {where} has an unknown type {kind!r}")

    def float(self, text, where: str) -> float:
        try:
            value = float(text)
        except (TypeError, ValueError):
            self.fail(f"the float at {where} is not a number: {text!r}")
        if math.isfinite(value) or text in ("nan", "inf", "-inf"):
            return value
        self.fail(f"the float at {where} is not a number: {text!r}")

    def tensor(self, node: dict, where: str) -> Tensor:
        name, shape = node.get("file"), node.get("shape")
        dt = _DTYPES.get(node.get("dtype"))
        if dt is None:
            self.fail(f"the tensor at {where} has an unsupported dtype {node.get('dtype')!r}")
        if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
            self.fail(f"the tensor at {where} has no valid shape")
        if not isinstance(name, str):
            self.fail(f"the tensor at {where} names no array file")
        flags = (node.get("requires_grad"), node.get("parameter"))
        if not all(isinstance(b, bool) for b in flags):
            self.fail(f"the tensor at {where} lacks its requires_grad/parameter flags")
        if name in self.tensors:
            return self.tensors[name]
        try:
            with self.zf.open(name) as entry:
                array = xp.lib.format.read_array(entry, allow_pickle=False)
                if entry.read(1):
                    self.fail(f"the array file {name!r} has bytes after its data")
        except KeyError:
            self.fail(f"the array file {name!r} (for the tensor at {where}) is missing")
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as e:
            self.fail(f"the array file {name!r} is damaged ({e})")
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        if array.dtype != dt.np or list(array.shape) != shape:
            self.fail(f"the array file {name!r} holds {array.dtype} {list(array.shape)}, but "
                      f"the index says {dt.name} {shape}")
        if not array.flags.writeable:
            array = array.copy()
        if flags[1]:
            from .nn.parameter import Parameter

            t = Parameter(_make(array), requires_grad=flags[0])
        else:
            t = _make(array, flags[0])
        self.tensors[name] = t
        return t


def _source_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return getattr(f, "name", None) or f"<{type(f).__name__}>"


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args) -> Any:
    """Read an object written by ``retrograd.save`` from a path or binary file object
    (``torch.load``). Nothing in the file is ever executed; ``map_location`` and the pickle
    options are accepted and ignored (everything loads on the CPU)."""
    source = _source_name(f)

    def fail(what: str):
        raise RuntimeError(f"retrograd.load: {source} is not a valid retrograd checkpoint: "
                           f"{what}")

    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    try:
        zf = zipfile.ZipFile(target, "r")
    except zipfile.BadZipFile:
        fail("it is not a ZIP archive (the file is truncated or corrupted, or was written by "
             "another program)")
    with zf:
        names = zf.namelist()
        if INDEX not in names:
            if any(n.endswith("data.pkl") for n in names):
                fail("it is a PyTorch (pickle) checkpoint; retrograd never unpickles, since "
                     "that can run code. Convert it in PyTorch to tensors of plain values, or "
                     "save it with safetensors")
            fail(f"it has no {INDEX} index")
        try:
            index = json.loads(zf.read(INDEX).decode("utf-8"))
        except zipfile.BadZipFile as e:
            fail(f"its index is damaged ({e})")
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            fail(f"its index is not valid JSON ({e})")
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            fail(f"its index does not say format {FORMAT!r}")
        version = index.get("version")
        if not isinstance(version, int) or version > VERSION or version < 1:
            fail(f"it is format version {version!r}; this retrograd reads up to {VERSION}")
        if "root" not in index:
            fail("its index has no 'root'")
        try:
            return _Reader(zf, fail).node(index["root"], "root")
        except RecursionError:
            fail("its index is nested too deeply")


__all__ = ["load", "save"]
