"""Reading the checkpoints that retrograd wrote before it wrote PyTorch's format.

``retrograd.load`` still reads them: an archive with a ``retrograd.json`` index comes here. They
hold data only (no pickle), so reading one runs no code.

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
import zipfile
from collections import OrderedDict
from typing import Any

from .. import dtypes
from .._array import xp
from ..tensor import Size, Tensor, _make

FORMAT = "retrograd-checkpoint"
VERSION = 1
INDEX = "retrograd.json"

_DTYPES = {d.name: d for d in dtypes.ALL}


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
            return complex(self.float(node.get("real"), where), self.float(node.get("imag"), where))
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
            self.fail(
                f"the array file {name!r} holds {array.dtype} {list(array.shape)}, but "
                f"the index says {dt.name} {shape}"
            )
        if not array.flags.writeable:
            array = array.copy()
        if flags[1]:
            from ..nn.parameter import Parameter

            t = Parameter(_make(array), requires_grad=flags[0])
        else:
            t = _make(array, flags[0])
        self.tensors[name] = t
        return t


def read(zf: zipfile.ZipFile, fail) -> Any:
    """The object in an open archive of this format; ``fail(what)`` raises the error."""
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
