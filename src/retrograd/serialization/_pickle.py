"""The pickle inside a checkpoint: PyTorch's names for tensors, and the two ways to read it.

Writing: a pure-Python ``pickle`` Pickler whose tensors become PyTorch's rebuild calls
(``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``) and
whose storages become persistent ids ``('storage', torch.FloatStorage, key, 'cpu', numel)``. The
PyTorch names are written as plain GLOBAL opcodes: torch is never imported.

Reading with ``weights_only=True``: :class:`WeightsUnpickler`, an interpreter of pickle opcodes
that resolves a GLOBAL only from a fixed table (tensors, storages, dtypes, containers) plus what
``add_safe_globals`` added, and calls, instantiates or builds nothing else. Nothing outside the
table is ever imported.

Reading with ``weights_only=False``: :class:`FullUnpickler`, the standard unpickler, with
PyTorch's names mapped onto retrograd's.
"""

import _compat_pickle
import codecs
import importlib
import io
import pickle
import struct
import types
from collections import Counter, OrderedDict
from pickle import UnpicklingError

from .. import dtypes
from .._array import contiguous_strides, xp
from .._device import refusing
from ..autograd.node import _HookDict
from ..creation import device
from ..tensor import Size, Tensor, _make

# --- PyTorch's names ---------------------------------------------------------------------------
# storage class name -> retrograd dtype name (None: a dtype retrograd does not have)
STORAGE_DTYPES = {
    "FloatStorage": "float32",
    "DoubleStorage": "float64",
    "HalfStorage": "float16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "ShortStorage": "int16",
    "IntStorage": "int32",
    "LongStorage": "int64",
    "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
    "BFloat16Storage": "bfloat16",
    "QInt8Storage": None,
    "QUInt8Storage": None,
    "QInt32Storage": None,
    "QUInt4x2Storage": None,
    "QUInt2x4Storage": None,
}
DTYPE_STORAGES = {d: s for s, d in STORAGE_DTYPES.items() if d is not None}
# dtypes PyTorch has and retrograd does not (a file naming one gets NotImplementedError)
_MISSING_DTYPES = (
    [
        "complex32",
        "quint8",
        "qint8",
        "qint32",
        "quint4x2",
        "quint2x4",
        "float8_e4m3fn",
        "float8_e5m2",
        "float8_e4m3fnuz",
        "float8_e5m2fnuz",
        "float8_e8m0fnu",
        "float4_e2m1fn_x2",
        "bits8",
        "bits16",
        "bits1x8",
        "bits2x4",
        "bits4x2",
    ]
    + [f"int{n}" for n in range(1, 8)]
    + [f"uint{n}" for n in range(1, 8)]
)


class StorageType:
    """What a storage class name (``torch.FloatStorage``) stands for in a checkpoint: its dtype
    (``None`` for ``torch.UntypedStorage``, whose sizes count bytes)."""

    __slots__ = ("dtype", "name")

    def __init__(self, name, dtype=None):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


class Storage:
    """A storage read from a checkpoint: a flat array of its dtype (bytes when untyped) that the
    tensors built on it view. ``map_location`` callables receive one."""

    __slots__ = ("_device", "array", "dtype")

    def __init__(self, array, dtype=None, device="cpu"):
        self.array, self.dtype, self._device = array, dtype, device

    @property
    def device(self):
        from ..creation import device

        return device(self._device)

    def nbytes(self) -> int:
        return self.array.nbytes

    def size(self) -> int:
        return self.array.size

    __len__ = size

    def cpu(self):
        return self

    def __repr__(self):
        kind = "UntypedStorage" if self.dtype is None else f"TypedStorage(dtype={self.dtype})"
        return f"<retrograd {kind} of {self.array.size} elements on {self._device}>"


def _parameter_class():
    from ..nn.parameter import Parameter

    return Parameter


# --- rebuilding tensors ------------------------------------------------------------------------
def _ints(value, what):
    if not (isinstance(value, tuple) and all(type(n) is int for n in value)):
        raise RuntimeError(f"a tensor in the checkpoint has an invalid {what}: {value!r}")
    return value


def _tensor_from_storage(storage, offset, size, stride, requires_grad, dtype=None):
    if not isinstance(storage, Storage):
        raise TypeError(
            f"a tensor in the checkpoint is built on {type(storage).__name__}, not on a storage"
        )
    size, stride = _ints(tuple(size), "size"), _ints(tuple(stride), "stride")
    if (
        type(offset) is not int
        or offset < 0
        or len(size) != len(stride)
        or any(n < 0 for n in size + stride)
    ):
        raise RuntimeError(
            f"a tensor in the checkpoint has an invalid layout: offset {offset!r}, "
            f"size {list(size)}, stride {list(stride)}"
        )
    array = storage.array
    if dtype is not None:  # an untyped storage read as ``dtype``
        if array.nbytes % dtype.itemsize:
            raise RuntimeError(f"a storage of {array.nbytes} bytes cannot hold {dtype} elements")
        array = array.view(dtype.np)
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > array.size:
        item = array.itemsize
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {needed * item} are out of bounds "
            f"for storage of size {array.size * item}"
        )
    # a view whose base is the storage's array: tensors on one storage stay views of one array
    data = xp.ndarray(
        size,
        array.dtype,
        buffer=array,
        offset=offset * array.itemsize if needed else 0,
        strides=tuple(s * array.itemsize for s in stride),
    )
    if requires_grad and data.dtype.kind not in "fcV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _make(data, bool(requires_grad))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor_from_storage(storage, storage_offset, size, stride, False)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    return _tensor_from_storage(storage, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    if not isinstance(dtype, dtypes.dtype):
        raise TypeError(f"a tensor in the checkpoint names {dtype!r} as its dtype")
    return _tensor_from_storage(storage, storage_offset, size, stride, requires_grad, dtype)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise TypeError(f"a Parameter in the checkpoint wraps {type(data).__name__}, not a tensor")
    return _parameter_class()(data, bool(requires_grad))


# attributes a checkpoint may not set on a tensor: what makes it a tensor and ties it to a graph
_TENSOR_INTERNALS = frozenset(Tensor.__slots__) | {"__class__", "__dict__", "grad_fn"}


def _set_state(obj, state):
    """Set a checkpoint's attributes (a dict, or PyTorch's ``(dict, slots)`` pair) on a tensor."""
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    else:
        slots = None
    for part in (state, slots):
        if part:
            if not isinstance(part, dict):
                raise RuntimeError(
                    f"the state of a tensor in the checkpoint is a "
                    f"{type(part).__name__}, not a dict"
                )
            for k, v in part.items():
                if not isinstance(k, str) or k in _TENSOR_INTERNALS:
                    raise UnpicklingError(
                        f"a tensor in the checkpoint sets its attribute {k!r}, "
                        "which a checkpoint may not set"
                    )
                setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and type(ret) is not new_type:
        ret = _make(ret._data, ret._requires_grad, cls=new_type)
    return _set_state(ret, state)


def _not_built(name):
    return refusing(
        name,
        f"loading a tensor saved through torch._utils.{name}: retrograd has only dense CPU tensors",
    )


def _missing_dtype(name):
    raise NotImplementedError(
        f"the checkpoint holds a tensor of dtype torch.{name}, which retrograd does not have"
    )


def _get_layout(name):
    if name != "torch.strided":
        raise NotImplementedError(
            f"loading a tensor of layout {name}: retrograd has only dense (strided) tensors"
        )
    return name


def _encode(text, encoding="utf-8"):
    """``_codecs.encode`` as pickle protocol 2 uses it for bytes: a str to latin-1 or UTF-8 (not
    any codec by name, which could import one)."""
    if type(text) is not str or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise UnpicklingError(
            f"_codecs.encode is allowed only to make bytes from a str with "
            f"latin1 or utf-8, not {type(text).__name__} with {encoding!r}"
        )
    return codecs.encode(text, encoding)


def _device(*args):
    return device(*args)


def _allowed_globals() -> dict:
    """``module.name`` -> the object it stands for, for every name a weights-only load
    accepts without ``add_safe_globals``."""
    table = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": _parameter_class(),
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _device,
        "_codecs.encode": _encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": StorageType("UntypedStorage"),
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.serialization._get_layout": _get_layout,
    }
    for d in (*dtypes.ALL, dtypes.bfloat16):
        table[f"torch.{d.name}"] = d
    for storage, name in STORAGE_DTYPES.items():
        table[f"torch.{storage}"] = StorageType(storage, name and getattr(dtypes, name))
    for f in (
        _rebuild_tensor,
        _rebuild_tensor_v2,
        _rebuild_tensor_v3,
        _rebuild_parameter,
        _rebuild_parameter_with_state,
    ):
        table[f"torch._utils.{f.__name__}"] = f
    for name in (
        "_rebuild_qtensor",
        "_rebuild_sparse_tensor",
        "_rebuild_nested_tensor",
        "_rebuild_meta_tensor_no_storage",
        "_rebuild_wrapper_subclass",
        "_rebuild_device_tensor_from_numpy",
        "_rebuild_device_tensor_from_cpu_tensor",
    ):
        table[f"torch._utils.{name}"] = _not_built(name)
    return table


_ALLOWED: dict = {}
BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def allowed_globals() -> dict:
    if not _ALLOWED:
        _ALLOWED.update(_allowed_globals())
    return _ALLOWED


# --- the user's additions (torch.serialization.add_safe_globals) --------------------------------
_user_globals: set = set()


def user_globals() -> dict:
    table = {}
    for entry in _user_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError(
                    "Expected tuple of length 2 (global, str of callable full path), "
                    f"but got tuple of length: {len(entry)}"
                )
            if type(entry[1]) is not str:
                raise TypeError(
                    "Expected second item in tuple to be str of callable full path, "
                    f"but got: {type(entry[1])}"
                )
            table[entry[1]] = entry[0]
        else:
            table[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return table


def _py3_name(module, name):
    """The Python 3 spelling of a global that a protocol 0-2 pickle may give in Python 2's
    (``__builtin__.set``: PyTorch writes protocol 2)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def resolve_safe_global(module: str, name: str):
    """The object a weights-only load gives for GLOBAL ``module name``; raises PyTorch's
    UnpicklingError for anything outside the allow-list, without importing it."""
    full = f"{module}.{name}"
    if module in BLOCKED_MODULES:
        raise UnpicklingError(
            f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked."
        )
    if module == "torch" and name in _MISSING_DTYPES:
        _missing_dtype(name)
    found = allowed_globals().get(full, _MISSING)
    if found is _MISSING:
        found = user_globals().get(full, _MISSING)
    if found is _MISSING:
        full = full.removeprefix("builtins.")
        raise UnpicklingError(
            f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please use "
            f"`torch.serialization.add_safe_globals([{full}])` or the "
            f"`torch.serialization.safe_globals([{full}])` context manager to allowlist this "
            "global if you trust this class/function."
        )
    return found


_MISSING = object()


# --- writing ---------------------------------------------------------------------------------
class _Global:
    """A name written as a GLOBAL opcode (a PyTorch name, which is never imported)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name in a checkpoint, not a function")


_G = {}


def _global(module, name):
    g = _G.get((module, name))
    if g is None:
        g = _G[(module, name)] = _Global(module, name)
    return g


class _Reduced:
    """An object that pickles as ``func(*args)``."""

    __slots__ = ("rv",)

    def __init__(self, func, args):
        self.rv = (func, args)


class _StorageRef:
    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


class StorageCollector:
    """Finds the storage of each tensor saved: the whole block of memory its array views, written
    once however many tensors view it, with each tensor's offset and strides inside it."""

    def __init__(self):
        self.records: list = []  # (key, uint8 array of the storage's bytes)
        self._keys: dict = {}  # (id(block), dtype) -> (key, numel)
        self._keep: list = []  # the blocks seen, so their ids stay unique while saving

    def locate(self, array):
        """(key, numel, offset, stride) of ``array`` in its storage."""
        item = array.itemsize
        block = array
        while isinstance(block.base, xp.ndarray):
            block = block.base
        if not (block.flags.c_contiguous or block.flags.f_contiguous):
            block = None
        if block is not None and array.size:
            start = array.__array_interface__["data"][0] - block.__array_interface__["data"][0]
            if start % item or block.nbytes % item or any(s < 0 or s % item for s in array.strides):
                block = None
        elif block is not None:
            start = 0
            if block.nbytes % item:
                block = None
        if block is None:  # no shareable storage: save a dense copy of its own
            block = xp.ascontiguousarray(array)
            array, start = block, 0
        ident = (id(block), array.dtype)
        entry = self._keys.get(ident)
        if entry is None:
            key = str(len(self.records))
            flat = block.reshape(-1, order="A")
            if not flat.dtype.isnative:
                flat = flat.astype(flat.dtype.newbyteorder("="))
            self.records.append((key, flat.view(xp.uint8)))
            entry = self._keys[ident] = (key, block.nbytes // item)
            self._keep.append(block)
        if array.size:
            stride = tuple(s // item for s in array.strides)
        else:
            stride = contiguous_strides(array.shape)
        return entry[0], entry[1], start // item, stride


def _hooks():
    """An empty ``OrderedDict()`` of backward hooks, written as PyTorch writes it."""
    return _Reduced(_global("collections", "OrderedDict"), ())


class Pickler(pickle._Pickler):
    """Writes retrograd objects under PyTorch's names (see the module docstring)."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages: StorageCollector):
        super().__init__(file, protocol)
        self.storages = storages

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            # a user's attributes on the tensor (retrograd's own start with "_")
            state = {k: v for k, v in obj.__dict__.items() if not k.startswith("_")}
            parameter = _parameter_class()
            if isinstance(obj, parameter):
                if state:
                    return (
                        _global("torch._utils", "_rebuild_parameter_with_state"),
                        (self._tensor(obj, False), obj._requires_grad, _hooks(), state),
                    )
                return (
                    _global("torch._utils", "_rebuild_parameter"),
                    (self._tensor(obj, False), obj._requires_grad, _hooks()),
                )
            rebuild = self._tensor(obj, obj._requires_grad).rv
            if not state and type(obj) is Tensor:
                return rebuild
            new_type = _global("torch", "Tensor") if type(obj) is Tensor else type(obj)
            return (
                _global("torch._tensor", "_rebuild_from_type_v2"),
                (rebuild[0], new_type, rebuild[1], state),
            )
        if type(obj) is _Reduced:
            return obj.rv
        if type(obj) is _HookDict:  # a module's or optimizer's hooks: PyTorch's OrderedDict
            return (_global("collections", "OrderedDict"), (), None, None, iter(obj.items()))
        if isinstance(obj, Size):
            return (_global("torch", "Size"), (tuple(obj),))
        if isinstance(obj, device):
            return (_global("torch", "device"), (str(obj),))
        return NotImplemented

    def _tensor(self, t, requires_grad) -> _Reduced:
        dt = t.dtype
        key, numel, offset, stride = self.storages.locate(t._data)
        storage_name = DTYPE_STORAGES.get(dt.name)
        shape = tuple(t._data.shape)
        if storage_name is not None:
            pid = ("storage", _global("torch", storage_name), key, "cpu", numel)
            return _Reduced(
                _global("torch._utils", "_rebuild_tensor_v2"),
                (_StorageRef(pid), offset, shape, stride, bool(requires_grad), _hooks()),
            )
        # uint16/32/64: an untyped storage (sizes in bytes) and the dtype named in the call
        pid = (
            "storage",
            _global("torch.storage", "UntypedStorage"),
            key,
            "cpu",
            numel * dt.itemsize,
        )
        return _Reduced(
            _global("torch._utils", "_rebuild_tensor_v3"),
            (_StorageRef(pid), offset, shape, stride, bool(requires_grad), _hooks(), dt),
        )

    def save_global(self, obj, name=None):
        try:
            super().save_global(obj, name)
        except pickle.PicklingError:
            # the error the standard (C) pickler, which torch.save uses, gives for this object
            pickle.dumps(obj, self.proto)
            raise

    def save_global_name(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(
                pickle.GLOBAL
                + obj.module.encode("utf-8")
                + b"\n"
                + obj.name.encode("utf-8")
                + b"\n"
            )
        self.memoize(obj)

    def save_dtype(self, obj):
        self.save_global_name(_global("torch", obj.name))

    dispatch[_Global] = save_global_name
    dispatch[types.FunctionType] = save_global
    dispatch[dtypes.dtype] = save_dtype


# --- reading with weights_only=True -----------------------------------------------------------
def _unpack(fmt):
    s = struct.Struct(fmt)
    return s.size, s.unpack


class WeightsUnpickler:
    """Runs a pickle's opcodes with only the allow-listed globals (see the module docstring).

    Every object it makes is a container, a number, a string, bytes, a tensor, a storage or an
    instance of an allowed class: a GLOBAL outside the table raises before anything is imported,
    and REDUCE, NEWOBJ and BUILD act only on allowed callables, classes and instances."""

    def __init__(self, file, persistent_load, encoding="utf-8"):
        self.read = file.read
        self.readline = file.readline
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.proto = 0

    def load(self):
        self.stack: list = []
        self.metastack: list = []
        self.memo: dict = {}
        self.allowed = allowed_globals()
        self.user = user_globals()
        self.values = {id(v) for v in self.allowed.values()} | {id(v) for v in self.user.values()}
        ops = self._ops
        read = self.read
        while True:
            key = read(1)
            if not key:
                raise EOFError("Ran out of input")
            op = ops.get(key[0])
            if op is None:
                raise UnpicklingError(f"Unsupported operand {key[0]}")
            if op(self):
                return self.stack.pop()

    # helpers
    def _take(self, n):
        data = self.read(n)
        if len(data) < n:
            raise EOFError("Ran out of input")
        return data

    def _line(self):
        line = self.readline()
        if not line.endswith(b"\n"):
            raise EOFError("Ran out of input")
        return line[:-1]

    def _pop_mark(self):
        items = self.stack
        if not self.metastack:
            raise UnpicklingError("could not find MARK")
        self.stack = self.metastack.pop()
        return items

    def _is_allowed(self, obj):
        return id(obj) in self.values

    def _global(self, module, name):
        module, name = _py3_name(module, name)
        found = resolve_safe_global(module, name)
        self.stack.append(found)

    def _string(self, data):
        if self.encoding == "bytes":
            return data
        return data.decode(self.encoding, "strict")

    # opcodes
    def op_proto(self):
        self.proto = self._take(1)[0]

    def op_frame(self):
        self._take(8)

    def op_stop(self):
        return True

    def op_mark(self):
        self.metastack.append(self.stack)
        self.stack = []

    def op_pop(self):
        if self.stack:
            self.stack.pop()
        else:
            self._pop_mark()

    def op_pop_mark(self):
        self._pop_mark()

    def op_dup(self):
        self.stack.append(self.stack[-1])

    def op_none(self):
        self.stack.append(None)

    def op_true(self):
        self.stack.append(True)

    def op_false(self):
        self.stack.append(False)

    def op_int(self):
        text = self._line()
        self.stack.append(False if text == b"00" else True if text == b"01" else int(text))

    def op_long(self):
        text = self._line()
        self.stack.append(int(text[:-1] if text.endswith(b"L") else text))

    def op_float(self):
        self.stack.append(float(self._line()))

    def op_binfloat(self):
        self.stack.append(struct.unpack(">d", self._take(8))[0])

    def _fixed(fmt):
        size, unpack = _unpack(fmt)

        def op(self):
            self.stack.append(unpack(self._take(size))[0])

        return op

    op_binint = _fixed("<i")
    op_binint1 = _fixed("<B")
    op_binint2 = _fixed("<H")

    def _sized(fmt, convert):
        size, unpack = _unpack(fmt)

        def op(self):
            n = unpack(self._take(size))[0]
            self.stack.append(convert(self, self._take(n)))

        return op

    op_long1 = _sized("<B", lambda self, d: pickle.decode_long(d))
    op_long4 = _sized("<i", lambda self, d: pickle.decode_long(d))
    op_binunicode = _sized("<I", lambda self, d: str(d, "utf-8", "surrogatepass"))
    op_short_binunicode = _sized("<B", lambda self, d: str(d, "utf-8", "surrogatepass"))
    op_binunicode8 = _sized("<Q", lambda self, d: str(d, "utf-8", "surrogatepass"))
    op_binbytes = _sized("<I", lambda self, d: bytes(d))
    op_short_binbytes = _sized("<B", lambda self, d: bytes(d))
    op_binbytes8 = _sized("<Q", lambda self, d: bytes(d))
    op_bytearray8 = _sized("<Q", lambda self, d: bytearray(d))
    op_binstring = _sized("<i", lambda self, d: self._string(d))
    op_short_binstring = _sized("<B", lambda self, d: self._string(d))
    del _fixed, _sized

    def op_unicode(self):
        self.stack.append(str(self._line(), "raw-unicode-escape"))

    def op_empty_tuple(self):
        self.stack.append(())

    def op_tuple(self):
        items = self._pop_mark()
        self.stack.append(tuple(items))

    def op_tuple1(self):
        self.stack[-1] = (self.stack[-1],)

    def op_tuple2(self):
        self.stack[-2:] = [tuple(self.stack[-2:])]

    def op_tuple3(self):
        self.stack[-3:] = [tuple(self.stack[-3:])]

    def op_empty_list(self):
        self.stack.append([])

    def op_list(self):
        items = self._pop_mark()
        self.stack.append(items)

    def op_empty_dict(self):
        self.stack.append({})

    def op_dict(self):
        items = self._pop_mark()
        self.stack.append({items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)})

    def op_empty_set(self):
        self.stack.append(set())

    def op_frozenset(self):
        items = self._pop_mark()
        self.stack.append(frozenset(items))

    def op_additems(self):
        items = self._pop_mark()
        target = self.stack[-1]
        if type(target) is not set:
            raise UnpicklingError(f"Can only add items to sets, but got {type(target)}")
        target.update(items)

    def op_append(self):
        item = self.stack.pop()
        target = self.stack[-1]
        if type(target) is not list:
            raise UnpicklingError(f"Can only append to lists, but got {type(target)}")
        target.append(item)

    def op_appends(self):
        items = self._pop_mark()
        target = self.stack[-1]
        if type(target) is not list:
            raise UnpicklingError(f"Can only extend lists, but got {type(target)}")
        target.extend(items)

    def _dict_target(self, opcode):
        target = self.stack[-1]
        if type(target) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(target)}"
            )
        return target

    def op_setitem(self):
        value, key = self.stack.pop(), self.stack.pop()
        self._dict_target("SETITEM")[key] = value

    def op_setitems(self):
        items = self._pop_mark()
        target = self._dict_target("SETITEMS")
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]

    def _get(self, index):
        try:
            self.stack.append(self.memo[index])
        except KeyError:
            raise UnpicklingError(f"Memo value not found at index {index}") from None

    def _put(self, index):
        if index < 0:
            raise ValueError("negative PUT argument")
        self.memo[index] = self.stack[-1]

    def op_get(self):
        self._get(int(self._line()))

    def op_binget(self):
        self._get(self._take(1)[0])

    def op_long_binget(self):
        self._get(struct.unpack("<I", self._take(4))[0])

    def op_put(self):
        self._put(int(self._line()))

    def op_binput(self):
        self._put(self._take(1)[0])

    def op_long_binput(self):
        self._put(struct.unpack("<I", self._take(4))[0])

    def op_memoize(self):
        self.memo[len(self.memo)] = self.stack[-1]

    def op_global(self):
        module = self._line().decode("utf-8")
        name = self._line().decode("utf-8")
        self._global(module, name)

    def op_stack_global(self):
        name, module = self.stack.pop(), self.stack.pop()
        if type(name) is not str or type(module) is not str:
            raise UnpicklingError("STACK_GLOBAL requires str")
        self._global(module, name)

    def op_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not self._is_allowed(func):
            message = f"Trying to call reduce for unrecognized function {func}"
            if hasattr(func, "__self__"):
                message += f" which belongs to {func.__self__}"
            raise UnpicklingError(message)
        if type(args) is not tuple:
            raise UnpicklingError(
                f"the arguments of {func} are a {type(args).__name__}, not a tuple"
            )
        self.stack[-1] = func(*args)

    def _new(self, cls, args, kwargs):
        if cls is _parameter_class():
            return cls(*args, **kwargs)
        if not (self._is_allowed(cls) and isinstance(cls, type)):
            raise UnpicklingError(
                "Can only create new object for nn.Parameter or classes "
                f"allowlisted via `add_safe_globals` but got {cls}"
            )
        return cls.__new__(cls, *args, **kwargs)

    def op_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(self._new(cls, args, {}))

    def op_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(self._new(cls, args, kwargs))

    def op_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        kind = type(inst)
        if kind is OrderedDict:
            inst.__dict__.update(state)
        elif kind is _parameter_class() or kind is Tensor or self._is_allowed(kind):
            setstate = getattr(inst, "__setstate__", None)
            if kind not in (Tensor, _parameter_class()) and setstate is not None:
                setstate(state)
            else:
                _set_state(inst, state)
        else:
            raise UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types "
                f"allowlisted via `add_safe_globals`, but got {kind}"
            )

    def op_binpersid(self):
        pid = self.stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and pid and pid[0] not in ("storage", b"storage"):
            raise UnpicklingError(
                f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
            )
        self.stack.append(self.persistent_load(pid))

    _ops = {}


for _name in dir(WeightsUnpickler):
    if _name.startswith("op_"):
        _code = getattr(pickle, _name[3:].upper(), None)
        if _name == "op_true":
            _code = pickle.NEWTRUE
        elif _name == "op_false":
            _code = pickle.NEWFALSE
        WeightsUnpickler._ops[_code[0]] = getattr(WeightsUnpickler, _name)
del _name, _code


def globals_in(data: bytes) -> list:
    """The ``module.name`` of every GLOBAL in a pickle, read without running it."""
    import pickletools

    names, strings = [], []
    for opcode, arg, _pos in pickletools.genops(data):
        if opcode.name == "GLOBAL":
            module, name = arg.split(" ", 1)
            names.append("{}.{}".format(*_py3_name(module, name)))
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.append(f"{strings[-2]}.{strings[-1]}")
        if isinstance(arg, str):
            strings.append(arg)
    return list(dict.fromkeys(names))


# --- reading with weights_only=False ----------------------------------------------------------
class FullUnpickler(pickle.Unpickler):
    """The standard unpickler (it runs whatever the file names: only for trusted files), reading
    PyTorch's names as retrograd's."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent_load = persistent_load

    def persistent_load(self, pid):
        return self._persistent_load(pid)

    def find_class(self, module, name):
        module, name = _py3_name(module, name)
        if module == "torch" and name in _MISSING_DTYPES:
            _missing_dtype(name)
        found = allowed_globals().get(f"{module}.{name}", _MISSING)
        if found is not _MISSING:
            return found
        if module == "torch" or module.startswith("torch."):
            # PyTorch's own classes (a whole torch.nn module): retrograd's at the same path
            try:
                target = importlib.import_module("retrograd" + module[len("torch") :])
                obj = target
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                raise NotImplementedError(
                    f"the checkpoint names {module}.{name}, which retrograd does not have at "
                    f"retrograd{module[len('torch') :]}.{name}"
                ) from None
        return super().find_class(module, name)


def read_pickle(data, persistent_load, weights_only: bool, **load_args):
    """The object pickled in ``data`` (bytes, or a binary file read from where it stands)."""
    buffer = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    if weights_only:
        return WeightsUnpickler(buffer, persistent_load, load_args.get("encoding", "utf-8")).load()
    return FullUnpickler(buffer, persistent_load, **load_args).load()
