"""``retrograd.save`` / ``retrograd.load`` in PyTorch's own checkpoint format (``torch.serialization``).

A file written by ``torch.save`` loads here, and one written here loads in ``torch.load``; torch
is never imported. The format, as PyTorch writes it:

A ZIP archive, every record stored uncompressed, all under one folder (the file's name without
its extension, or ``archive`` for a file object):

``data.pkl``
    The object, pickled (protocol 2 by default). A tensor is the call
    ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``
    (``_rebuild_tensor_v3`` with the dtype as a seventh argument for uint16/32/64, whose storage
    is untyped); an ``nn.Parameter`` is ``torch._utils._rebuild_parameter(tensor, requires_grad,
    hooks)``. A storage is a persistent id ``('storage', torch.FloatStorage, key, location,
    numel)``: its bytes are the record ``data/<key>``, written once however many tensors view it.
``.format_version`` (``1``), ``.storage_alignment`` (``64``), ``byteorder`` (``little``)
    Every record's bytes start at a multiple of 64 in the file (a padding extra field in its
    local header), so a checkpoint can be memory-mapped (``load(mmap=True)``).
``version`` (``3``), ``.data/serialization_id``
    The format version, and an id of this file.

Loading runs the pickle: by default (``weights_only=True``, as in PyTorch 2.6+) through an
unpickler that only builds tensors, storages, containers, numbers, strings and what
``add_safe_globals`` allows, and imports nothing else; ``weights_only=False`` unpickles fully
(only for files you trust: a pickle can run any code). PyTorch's legacy format (before 1.6: a
sequence of pickles, then each storage's bytes) loads too, and so do files in retrograd's earlier
format (a ZIP of ``.npy`` arrays and a JSON index). ``.safetensors`` files: see
:mod:`retrograd.serialization.safetensors`.
"""

import enum
import io
import mmap
import os
import pickle
import struct
import sys
import uuid
import warnings
import zipfile
from pickle import UnpicklingError
from typing import Any

from .._array import xp
from . import _legacy
from ._pickle import (
    Pickler,
    Storage,
    StorageCollector,
    StorageType,
    _user_globals,
    allowed_globals,
    globals_in,
    read_pickle,
    user_globals,
)

DEFAULT_PROTOCOL = 2
# The newest ``version`` record PyTorch's reader accepts.
_MAX_VERSION = 10
_ALIGNMENT = 64
_TRUE = ("1", "y", "yes", "true")

_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


# --- the allow-list of weights_only loads (torch.serialization's names) ------------------------
def add_safe_globals(safe_globals: list) -> None:
    """Allow these classes and functions (or ``(object, "module.name")`` pairs) in
    ``weights_only`` loads."""
    _user_globals.update(safe_globals)


def get_safe_globals() -> list:
    """The globals that ``add_safe_globals`` allowed."""
    return list(_user_globals)


def clear_safe_globals() -> None:
    """Forget every global that ``add_safe_globals`` allowed."""
    _user_globals.clear()


class safe_globals:
    """``with safe_globals([...]):`` allows these globals in ``weights_only`` loads inside the
    block only."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_globals.difference_update(self.safe_globals)


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The ``module.name`` of every class or function the checkpoint's pickle names that a
    ``weights_only`` load would refuse (read without unpickling anything)."""
    with _Opened(f) as opened:
        reader = _Archive(opened.file, _source_name(f))
        data = reader.read_record("data.pkl")
    safe = set(allowed_globals()) | set(user_globals())
    return [name for name in globals_in(data) if name not in safe]


# --- settings of loads (torch.serialization's names) -------------------------------------------
class SourceChangeWarning(Warning):
    """PyTorch warns with this when a whole module's source changed since it was saved."""


class LoadEndianness(enum.Enum):
    """The byte order assumed for a checkpoint that has no ``byteorder`` record."""

    NATIVE = 1
    LITTLE = 2
    BIG = 3


_settings = {"endianness": None, "mmap_shared": False}


def get_default_load_endianness() -> LoadEndianness | None:
    """The byte order assumed for checkpoints without a ``byteorder`` record (None: native)."""
    return _settings["endianness"]


def set_default_load_endianness(endianness) -> None:
    """Set the byte order assumed for checkpoints without a ``byteorder`` record."""
    if endianness is not None and not isinstance(endianness, LoadEndianness):
        raise TypeError("Invalid argument type in function set_default_load_endianness")
    _settings["endianness"] = endianness


def get_default_mmap_options() -> int:
    """How ``load(mmap=True)`` maps files: ``mmap.MAP_PRIVATE`` (writes to a loaded tensor stay
    in memory) or ``mmap.MAP_SHARED`` (they go to the file, whose records then no longer match
    their CRC-32: such a file reads back only with ``mmap=True``, which does not check it)."""
    return mmap.MAP_SHARED if _settings["mmap_shared"] else mmap.MAP_PRIVATE


class set_default_mmap_options:
    """Set how ``load(mmap=True)`` maps files; as a context manager, for its block only."""

    def __init__(self, flags: int):
        if flags not in (mmap.MAP_PRIVATE, mmap.MAP_SHARED):
            raise ValueError(
                "Invalid argument in function set_default_mmap_options, expected "
                f"mmap.MAP_PRIVATE or mmap.MAP_SHARED, but got {flags}"
            )
        self.previous = _settings["mmap_shared"]
        _settings["mmap_shared"] = flags == mmap.MAP_SHARED

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _settings["mmap_shared"] = self.previous


def location_tag(storage) -> str:
    """The device name a storage is saved under: always ``"cpu"``."""
    return "cpu"


def default_restore_location(storage, location: str):
    """The storage, restored on ``location`` (only the CPU exists)."""
    return _restore(storage, location)


# --- save ------------------------------------------------------------------------------------
def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _source_name(f) -> str:
    if _is_path(f):
        return os.fspath(f)
    return getattr(f, "name", None) or f"<{type(f).__name__}>"


def save(
    obj: Any,
    f,
    pickle_module=pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Write ``obj`` (tensors, state dicts, modules, optimizers, NumPy arrays, nested Python data)
    to a path or binary file object in PyTorch's checkpoint format (``torch.save``)."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "retrograd.save with _use_new_zipfile_serialization=False "
            "(PyTorch's legacy, pre-1.6 format)"
        )
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError(
            f"retrograd.save with pickle_module={pickle_module!r}: only "
            "the standard pickle module is supported"
        )
    if _is_path(f):
        parent = os.path.dirname(os.fspath(f))
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
    storages = StorageCollector()
    buffer = io.BytesIO()
    Pickler(buffer, pickle_protocol, storages).dump(obj)
    records = [
        ("data.pkl", buffer.getvalue()),
        (".format_version", b"1"),
        (".storage_alignment", str(_ALIGNMENT).encode()),
    ]
    if not _disable_byteorder_record:
        records.append(("byteorder", sys.byteorder.encode()))
    records += [(f"data/{key}", data) for key, data in storages.records]
    records += [
        ("version", b"3\n"),
        (".data/serialization_id", f"{uuid.uuid4().int:040d}"[-40:].encode()),
    ]
    folder = os.path.splitext(os.path.basename(os.fspath(f)))[0] if _is_path(f) else "archive"
    if _is_path(f):
        with open(f, "wb") as out:
            _write_archive(out, folder, records)
    else:
        _write_archive(f, folder, records)


def _write_archive(file, folder: str, records) -> None:
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, data in records:
            name = f"{folder}/{name}"
            view = memoryview(data).cast("B")
            zip64 = view.nbytes * 1.05 > zipfile.ZIP64_LIMIT
            # local header: 30 bytes, the name, our padding field (4 + pad), zip64's 20 bytes
            header = 30 + len(name.encode("utf-8")) + 4 + (20 if zip64 else 0)
            pad = -(zf.start_dir + header) % _ALIGNMENT
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            with zf.open(info, "w", force_zip64=zip64) as out:
                out.write(view)


# --- load ------------------------------------------------------------------------------------
class _Opened:
    """A path opened for reading, or a file object used as it is."""

    def __init__(self, f):
        self.f = f

    def __enter__(self):
        self.file = open(self.f, "rb") if _is_path(self.f) else self.f
        return self

    def __exit__(self, *exc):
        if _is_path(self.f):
            self.file.close()


class _Archive:
    """The records of a PyTorch checkpoint archive, with PyTorch's errors for missing or damaged
    ones (plus a sentence saying which file)."""

    def __init__(self, file, source: str):
        self.source = source
        try:
            self.zf = zipfile.ZipFile(file, "r")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise RuntimeError(
                "PytorchStreamReader failed reading zip archive: failed finding central "
                f"directory. {source} is not a complete ZIP archive ({e}): it is truncated or "
                "damaged."
            ) from None
        names = self.zf.namelist()
        self.names = set(names)
        if _legacy.INDEX in self.names:
            self.folder = None  # retrograd's earlier format
            return
        if not names or "/" not in names[0]:
            raise RuntimeError(
                f"file in archive is not in a subdirectory: "
                f"{names[0] if names else ''}. {source} is not a PyTorch "
                "checkpoint."
            )
        self.folder = names[0].split("/", 1)[0]

    def has(self, name: str) -> bool:
        return f"{self.folder}/{name}" in self.names

    def info(self, name: str) -> zipfile.ZipInfo:
        if not self.has(name):
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {name}: file not found. "
                f"{self.source} lacks the record {self.folder}/{name}: the checkpoint is "
                "incomplete or damaged."
            )
        return self.zf.getinfo(f"{self.folder}/{name}")

    def read_record(self, name: str, expected: int | None = None):
        """The record's bytes (a writable uint8 array when ``expected`` gives its size)."""
        info = self.info(name)
        if expected is not None and info.file_size != expected:
            raise RuntimeError(
                f"record size ({info.file_size} bytes) does not match expected size ({expected} "
                f"bytes = {expected} elements * 1 bytes/element) for dtype Byte. The record "
                f"{info.filename} of {self.source} is truncated or damaged."
            )
        try:
            with self.zf.open(info) as entry:
                if expected is None:
                    return entry.read()
                out = xp.empty(expected, xp.uint8)
                view, done = memoryview(out), 0
                while done < expected:
                    n = entry.readinto(view[done:])
                    if not n:
                        break
                    done += n
                if done < expected or entry.read(1):
                    raise zipfile.BadZipFile("its length differs from the size in the directory")
                return out
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: the record {info.filename} of "
                f"{self.source} is damaged ({e})."
            ) from None

    def data_offset(self, info: zipfile.ZipInfo, file) -> int:
        """Where the record's bytes start in the file (for memory mapping)."""
        file.seek(info.header_offset)
        header = file.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {info.filename}: the "
                f"local header in {self.source} is damaged."
            )
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len


def _wo_message(message: str) -> str:
    """PyTorch's explanation around an error of the weights-only unpickler."""
    if "was not an allowed global by default." in message:
        text = (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the "
            f"checkpoint\033[0m. \n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load "
            "with `weights_only=True` please check the recommended steps in the following "
            "error message.\n\tWeightsUnpickler error: " + message
        )
    else:
        text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
        if "is blocked" not in message:
            text += (
                "Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler "
                "error: "
            )
        text += "\n\n" + message
    return text + _DOCS_MESSAGE


def _restore(storage: Storage, location: str) -> Storage:
    location = str(location)
    if location == "cpu":
        return storage
    if location.startswith("cuda"):
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    if location == "meta":
        raise NotImplementedError(
            "torch.load with map_location='meta': retrograd has no meta device"
        )
    raise RuntimeError(
        "don't know how to restore data location of "
        f"torch.storage.UntypedStorage (tagged with {location})"
    )


def _map(map_location, storage: Storage, location: str) -> Storage:
    from ..creation import device

    if map_location is None:
        return _restore(storage, location)
    if isinstance(map_location, (str, bytes)):
        target = map_location.decode() if isinstance(map_location, bytes) else map_location
        return _restore(storage, target)
    if isinstance(map_location, device):
        return _restore(storage, str(map_location))
    if isinstance(map_location, dict):
        return _restore(storage, map_location.get(location, location))
    result = map_location(storage, location)
    if result is None:
        return _restore(storage, location)
    if not isinstance(result, Storage):
        raise TypeError(
            f"map_location returned {type(result).__name__}; it must return the "
            "storage it was given (or another storage), or None"
        )
    return result


class _Loader:
    """Reads the storages that a checkpoint's pickle refers to, each once."""

    def __init__(self, archive: _Archive, map_location, mmap_file, file):
        self.archive, self.map_location = archive, map_location
        self.mapped, self.file = mmap_file, file
        self.storages: dict = {}
        if archive.has("byteorder"):
            byteorder = archive.read_record("byteorder").decode("utf-8", "replace")
        else:
            byteorder = {LoadEndianness.LITTLE: "little", LoadEndianness.BIG: "big"}.get(
                get_default_load_endianness(), sys.byteorder
            )
        if byteorder not in ("little", "big"):
            raise ValueError(f"Unknown endianness type: {byteorder}")
        self.swap = byteorder != sys.byteorder

    def __call__(self, pid):
        if type(pid) is not tuple or len(pid) != 5 or pid[0] not in ("storage", b"storage"):
            raise UnpicklingError(
                f"unsupported persistent id encountered: {pid!r} is not "
                "('storage', type, key, location, numel)"
            )
        _, storage_type, key, location, numel = pid
        key, location = (s.decode("ascii") if isinstance(s, bytes) else s for s in (key, location))
        if not isinstance(storage_type, StorageType):
            raise UnpicklingError(
                f"the persistent id {pid!r} names {storage_type!r}, which is not a storage type"
            )
        if (
            type(numel) is not int
            or numel < 0
            or not isinstance(key, str)
            or not isinstance(location, str)
        ):
            raise UnpicklingError(f"the persistent id {pid!r} is malformed")
        dtype = storage_type.dtype
        if dtype is None and storage_type.name != "UntypedStorage":
            raise NotImplementedError(
                f"loading a tensor of storage type torch."
                f"{storage_type.name}: retrograd has no such dtype"
            )
        found = self.storages.get(key)
        if found is not None:
            return found
        item = 1 if dtype is None else dtype.itemsize
        nbytes = numel * item
        if self.mapped is not None:
            info = self.archive.info(f"data/{key}")
            if info.file_size != nbytes or info.compress_type != zipfile.ZIP_STORED:
                self.archive.read_record(f"data/{key}", nbytes)  # raises the size error
            start = self.archive.data_offset(info, self.file)
            # an array of its own over the mapped bytes (saving it again writes this storage,
            # not the whole mapped file)
            array = xp.frombuffer(memoryview(self.mapped)[start : start + nbytes], xp.uint8)
        else:
            array = self.archive.read_record(f"data/{key}", nbytes)
        if dtype is not None:
            array = array.view(dtype.np)
            if self.swap and item > 1:
                array = array.byteswap()
        elif self.swap:
            raise NotImplementedError(
                "loading a uint16/uint32/uint64 tensor from a big-endian checkpoint"
            )
        storage = _map(self.map_location, Storage(array, dtype, location), location)
        self.storages[key] = storage
        return storage


def _check_version(archive: _Archive) -> None:
    if not archive.has("version"):
        raise RuntimeError(
            f'Expected hasRecord("version") to be true, but got false. '
            f"{archive.source} lacks its version record: it is incomplete or "
            "not a checkpoint."
        )
    text = archive.read_record("version").decode("utf-8", "replace").strip()
    if not text.isdigit():
        raise RuntimeError(f"the version record of {archive.source} is {text!r}, not a number")
    if int(text) > _MAX_VERSION:
        raise RuntimeError(
            f"Attempted to read a PyTorch file with version {int(text)}, but the maximum "
            f"supported version for reading is {_MAX_VERSION}. The version of your PyTorch "
            "installation may be too old, please upgrade PyTorch to latest version to mitigate "
            "this issue."
        )


def load(
    f,
    map_location=None,
    pickle_module=None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args,
) -> Any:
    """Read an object that ``torch.save`` or ``retrograd.save`` wrote, from a path or binary file
    object (``torch.load``). ``weights_only`` (the default) builds only tensors, containers and
    plain values, running no code from the file; everything loads on the CPU."""
    weights_only_not_set = weights_only is None
    if weights_only_not_set:
        weights_only = pickle_module is None
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
            "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set."
        )
    if force:
        weights_only = True
    elif force_no and weights_only_not_set:
        warnings.warn(
            "Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since "
            "the`weights_only` argument was not explicitly passed to `torch.load`, "
            "forcing weights_only=False.",
            UserWarning,
            stacklevel=2,
        )
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if not weights_only and pickle_module not in (None, pickle):
        raise NotImplementedError(
            f"retrograd.load with pickle_module={pickle_module!r}: only "
            "the standard pickle module is supported"
        )
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    pickle_load_args.setdefault("encoding", "utf-8")

    if _is_path(f) and os.fspath(f).endswith(".safetensors"):
        from ..creation import device

        if isinstance(map_location, dict):
            raise RuntimeError(
                "Loading safetensors file with dict map_location is not "
                "supported. Use a device string or torch.device instead."
            )
        if map_location is not None and not isinstance(map_location, (str, bytes, device)):
            raise RuntimeError(
                "Loading safetensors file with callable map_location is not "
                "supported. Use a device string or torch.device instead."
            )
        from .safetensors import load_file

        return load_file(f, device=str(map_location or "cpu"))

    source = _source_name(f)
    with _Opened(f) as opened:
        file = opened.file
        start = file.tell()
        magic = file.read(4)
        file.seek(start)
        if magic != b"PK\x03\x04":
            if mmap:
                name = f"{f}, " if isinstance(f, str) else ""
                raise RuntimeError(
                    "mmap can only be used with files saved with "
                    f"`torch.save({name}_use_new_zipfile_serialization=True), please torch.save "
                    "your checkpoint with this option in order to use mmap."
                )
            try:
                return _load_not_zip(file, source, weights_only, map_location, pickle_load_args)
            except UnpicklingError as e:
                if weights_only:
                    raise UnpicklingError(_wo_message(str(e))) from None
                raise
        archive = _Archive(file, source)
        if archive.folder is None:
            return _legacy.read(archive.zf, _legacy_fail(source))
        if archive.has("constants.pkl"):  # what torch.jit.save writes
            if weights_only:
                raise RuntimeError(
                    "Cannot use ``weights_only=True`` with TorchScript archives "
                    "passed to ``torch.load``. " + _UNSAFE_MESSAGE
                )
            raise NotImplementedError(
                "loading a TorchScript archive (torch.jit.save's format): "
                "retrograd has no TorchScript"
            )
        mapped = None
        if mmap:
            if not _is_path(f):
                raise ValueError("f must be a file path in order to use the mmap argument")
            mapped = xp.memmap(
                os.fspath(f), xp.uint8, mode="r+" if _settings["mmap_shared"] else "c"
            )
        _check_version(archive)
        data = archive.read_record("data.pkl")
        loader = _Loader(archive, map_location, mapped, file)
        try:
            return read_pickle(data, loader, weights_only, **pickle_load_args)
        except UnpicklingError as e:
            if weights_only:
                raise UnpicklingError(_wo_message(str(e))) from None
            raise
        except EOFError:
            raise EOFError(
                f"Ran out of input. The pickle {archive.folder}/data.pkl in {source} "
                "ends before its end mark: it is truncated or was edited."
            ) from None


def _legacy_fail(source):
    def fail(what: str):
        raise RuntimeError(f"retrograd.load: {source} is not a valid retrograd checkpoint: {what}")

    return fail


_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


def _load_not_zip(file, source, weights_only, map_location, load_args):
    """A file that is not a ZIP archive: PyTorch's legacy (pre-1.6) format, a sequence of pickles
    that starts with a magic number; anything else is refused."""
    start = file.tell()
    if not file.read(1):
        raise EOFError(f"Ran out of input. {source} is empty.")
    file.seek(start)

    def read(persistent_load=_no_persistent):
        return read_pickle(file, persistent_load, weights_only, **load_args)

    try:
        magic = read()
    except (UnpicklingError, EOFError, ValueError):
        magic = None
    if magic != _LEGACY_MAGIC:
        file.seek(start)
        first = file.read(1).decode("latin-1")
        raise UnpicklingError(
            f"invalid load key, {first!r}. {source} is not a checkpoint: it is neither a ZIP "
            "archive nor a file in PyTorch's legacy format."
        )
    protocol = read()
    if protocol != _LEGACY_PROTOCOL:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    info = read()
    swap = isinstance(info, dict) and info.get("little_endian", True) != (sys.byteorder == "little")
    storages: dict = {}  # key -> (storage, numel)

    def persistent_load(pid):
        if type(pid) is not tuple or len(pid) != 6 or pid[0] not in ("storage", b"storage"):
            raise UnpicklingError(
                f"unsupported persistent id encountered: {pid!r} is not "
                "('storage', type, key, location, numel, view)"
            )
        _, storage_type, key, location, numel, view = pid
        if not isinstance(storage_type, StorageType) or type(numel) is not int or numel < 0:
            raise UnpicklingError(f"the persistent id {pid!r} is malformed")
        if storage_type.dtype is None and storage_type.name != "UntypedStorage":
            raise NotImplementedError(
                f"loading a tensor of storage type torch."
                f"{storage_type.name}: retrograd has no such dtype"
            )
        if key not in storages:
            dtype = storage_type.dtype
            array = xp.zeros(numel, xp.uint8 if dtype is None else dtype.np)
            storages[key] = (Storage(array, dtype, location), numel)
        storage = storages[key][0]
        if view is not None:
            _, offset, size = view
            storage = Storage(storage.array[offset : offset + size], storage.dtype, location)
        return _map(map_location, storage, location)

    obj = read(persistent_load)
    for key in read():  # then each storage's element count and bytes, in this order
        if key not in storages:
            raise RuntimeError(
                f"{source} lists a storage {key!r} that no tensor uses: the file is damaged"
            )
        storage, numel = storages[key]
        head = file.read(8)
        count = struct.unpack("<q", head)[0] if len(head) == 8 else -1
        data = storage.array.view(xp.uint8)
        if count != numel or file.readinto(memoryview(data)) != data.nbytes:
            raise RuntimeError(
                f"the data of storage {key!r} in {source} is truncated or does "
                f"not match its size ({numel} elements)"
            )
        if swap and storage.array.itemsize > 1:
            storage.array.byteswap(inplace=True)
    return obj


def _no_persistent(pid):
    raise UnpicklingError("unsupported persistent id encountered")


__all__ = [
    "DEFAULT_PROTOCOL",
    "LoadEndianness",
    "SourceChangeWarning",
    "StorageType",
    "add_safe_globals",
    "clear_safe_globals",
    "default_restore_location",
    "get_default_load_endianness",
    "get_default_mmap_options",
    "get_safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "load",
    "location_tag",
    "safe_globals",
    "save",
    "set_default_load_endianness",
    "set_default_mmap_options",
]
