"""retrograd.save / retrograd.load on their own: exact round trips in PyTorch's format, the
weights-only allow-list, damaged and hostile files refused, and retrograd's earlier format.

Files exchanged with PyTorch itself are tested in test_torch_format.py."""

import io
import json
import math
import os
import pickle
import struct
import subprocess
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import retrograd
from retrograd import optim
from retrograd import serialization as ser

DTYPES = [
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "uint16",
    "uint32",
    "uint64",
]


def _round_trip(obj, **load_args):
    buf = io.BytesIO()
    retrograd.save(obj, buf)
    buf.seek(0)
    return retrograd.load(buf, **load_args)


def _same_tensor(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.requires_grad == b.requires_grad
    assert a._data.tobytes() == b._data.tobytes()


def _saved_to(tmp_path, obj, name="ckpt.pt"):
    path = tmp_path / name
    retrograd.save(obj, path)
    return path


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensors_of_every_dtype_round_trip_exactly(dtype):
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((3, 4)) * 100).astype(dtype)
    for array in (
        values,
        values.T,
        values[:, ::2],
        np.array(values[0, 0]),
        values[:0],
        np.broadcast_to(values[0], (2, 4)),
    ):
        t = retrograd.from_numpy(np.array(array) if array.base is None else array)
        back = _round_trip(t)
        _same_tensor(t, back)
        assert back.stride() == t.stride()


def test_special_float_values_and_requires_grad_round_trip():
    t = retrograd.tensor([math.nan, math.inf, -math.inf, -0.0, 1e-45], requires_grad=True)
    back = _round_trip(t)
    _same_tensor(t, back)
    assert back.is_leaf and back.grad is None


def test_parameters_keep_their_class_and_flag():
    p = retrograd.nn.Parameter(retrograd.ones(2, 3))
    q = retrograd.nn.Parameter(retrograd.zeros(1), requires_grad=False)
    back = _round_trip([p, q])
    assert isinstance(back[0], retrograd.nn.Parameter) and back[0].requires_grad
    assert isinstance(back[1], retrograd.nn.Parameter) and not back[1].requires_grad
    _same_tensor(p, back[0])


def test_nested_python_values_round_trip():
    obj = {
        "ints": [0, -1, 2**70],
        "floats": (0.1, 1e300, -0.0, math.inf),
        "nan": math.nan,
        "complex": 1 - 2j,
        "flags": [True, False, None],
        "text": "héllo",
        3: "int key",
        (1, "a"): "tuple key",
        0.5: "float key",
        "bytes": b"\x00\xff",
        "dtype": retrograd.float64,
        "size": retrograd.Size([2, 3]),
        "set": {1, 2},
        "device": retrograd.device("cpu"),
        "state": OrderedDict([("w", retrograd.ones(2)), ("b", retrograd.zeros(1))]),
        "empty": [[], (), {}],
    }
    back = _round_trip(obj)
    assert list(back.keys()) == list(obj.keys())
    assert back["ints"] == obj["ints"] and back["floats"] == obj["floats"]
    assert type(back["floats"]) is tuple and math.copysign(1, back["floats"][2]) == -1
    assert math.isnan(back["nan"]) and back["complex"] == obj["complex"]
    assert back["flags"] == [True, False, None] and back["text"] == "héllo"
    assert back[3] == "int key" and back[(1, "a")] == "tuple key" and back[0.5] == "float key"
    assert back["bytes"] == b"\x00\xff" and back["set"] == {1, 2}
    assert back["dtype"] is retrograd.float64 and back["device"] == retrograd.device("cpu")
    assert type(back["size"]) is retrograd.Size and back["size"] == (2, 3)
    assert type(back["state"]) is OrderedDict and list(back["state"]) == ["w", "b"]
    _same_tensor(obj["state"]["w"], back["state"]["w"])
    assert back["empty"] == [[], (), {}]


def test_a_tensor_saved_twice_loads_as_one_tensor():
    t = retrograd.ones(3)
    back = _round_trip({"a": t, "b": [t]})
    assert back["a"] is back["b"][0]


def test_views_of_one_array_share_one_storage_record_and_stay_views():
    base = retrograd.arange(12.0).reshape(3, 4)
    obj = {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(), "tail": base[2:, 1:]}
    buf = io.BytesIO()
    retrograd.save(obj, buf)
    with zipfile.ZipFile(buf) as zf:
        assert [n for n in zf.namelist() if "/data/" in n] == ["archive/data/0"]
    buf.seek(0)
    back = retrograd.load(buf)
    for name, t in obj.items():
        assert back[name].tolist() == t.tolist() and back[name].stride() == t.stride()
    back["base"][1, 2] = 100.0
    assert back["row"][2].item() == 100.0 and back["col"][1].item() == 100.0
    assert back["t"][2, 1].item() == 100.0


@pytest.mark.parametrize("mmap", [False, True])
def test_saving_what_was_loaded_writes_the_same_storages(tmp_path, mmap):
    base = retrograd.arange(100.0)
    path = _saved_to(tmp_path, {"a": base[:10], "b": base[50:], "c": retrograd.ones(3)})
    back = retrograd.load(path, mmap=mmap)
    again = _saved_to(tmp_path, back, "again.pt")
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(again) as other:
        first = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if "/data/" in n}
        second = {n.split("/", 1)[1]: other.read(n) for n in other.namelist() if "/data/" in n}
    assert first == second and len(first) == 2
    for k, t in retrograd.load(again).items():
        assert t.tolist() == back[k].tolist()


def test_the_archive_layout_is_pytorchs(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(2, requires_grad=True)}, "model.ckpt.pt")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == [
            "model.ckpt/data.pkl",
            "model.ckpt/.format_version",
            "model.ckpt/.storage_alignment",
            "model.ckpt/byteorder",
            "model.ckpt/data/0",
            "model.ckpt/version",
            "model.ckpt/.data/serialization_id",
        ]
        assert zf.read("model.ckpt/version") == b"3\n"
        assert zf.read("model.ckpt/byteorder") == sys.byteorder.encode()
        assert zf.read("model.ckpt/.storage_alignment") == b"64"
        assert len(zf.read("model.ckpt/.data/serialization_id")) == 40
        assert zf.read("model.ckpt/data/0") == np.ones(2, np.float32).tobytes()
        infos = zf.infolist()
    raw = path.read_bytes()
    for info in infos:  # every record's bytes start on a 64-byte boundary
        assert info.compress_type == zipfile.ZIP_STORED
        name_len, extra_len = struct.unpack(
            "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
        )
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0


def test_data_pkl_names_pytorchs_rebuild_functions_and_storages():
    buf = io.BytesIO()
    retrograd.save(
        [
            retrograd.ones(2),
            retrograd.nn.Parameter(retrograd.ones(1)),
            retrograd.ones(1, dtype=retrograd.uint16),
        ],
        buf,
    )
    with zipfile.ZipFile(buf) as zf:
        data = zf.read("archive/data.pkl")
    assert ser._pickle.globals_in(data) == [
        "torch._utils._rebuild_tensor_v2",
        "torch.FloatStorage",
        "collections.OrderedDict",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_tensor_v3",
        "torch.storage.UntypedStorage",
        "torch.uint16",
    ]
    assert data[:2] == b"\x80\x02"  # pickle protocol 2, as torch.save writes


def test_paths_strings_and_file_objects(tmp_path):
    t = retrograd.arange(6).reshape(2, 3)
    path = _saved_to(tmp_path, t)
    _same_tensor(t, retrograd.load(path))
    _same_tensor(t, retrograd.load(str(path), map_location="cpu", weights_only=True))
    with open(path, "rb") as f:
        _same_tensor(t, retrograd.load(f))
    with open(tmp_path / "other.pt", "wb") as f:
        retrograd.save(t, f)
    _same_tensor(t, retrograd.load(tmp_path / "other.pt"))


@pytest.mark.parametrize(
    "map_location",
    [
        "cpu",
        b"cpu",
        retrograd.device("cpu"),
        {"cpu": "cpu"},
        {"cuda:0": "cpu"},
        {"cpu": retrograd.device("cpu")},
        lambda storage, loc: storage,
        lambda storage, loc: None,
    ],
)
def test_map_location_forms(map_location):
    t = retrograd.arange(4.0)
    _same_tensor(t, _round_trip(t, map_location=map_location))


def test_map_location_callable_gets_each_storage_and_its_location():
    seen = []

    def record(storage, location):
        seen.append((storage.nbytes(), location, str(storage.device)))
        return storage

    base = retrograd.ones(3)
    _round_trip([base, base[1:], retrograd.zeros(2, dtype=retrograd.float64)], map_location=record)
    assert seen == [(12, "cpu", "cpu"), (16, "cpu", "cpu")]


@pytest.mark.parametrize(
    "map_location, error, text",
    [
        (
            "cuda",
            RuntimeError,
            (
                "Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False."
            ),
        ),
        ({"cpu": "cuda:1"}, RuntimeError, "on a CUDA device"),
        (
            "foo",
            RuntimeError,
            (
                "don't know how to restore data location of "
                "torch.storage.UntypedStorage (tagged with foo)"
            ),
        ),
        (5, TypeError, "'int' object is not callable"),
        (lambda s, loc: 3, TypeError, "map_location returned int"),
    ],
)
def test_bad_map_locations(map_location, error, text):
    with pytest.raises(error) as info:
        _round_trip(retrograd.ones(1), map_location=map_location)
    assert text in str(info.value)


def test_mmap_maps_the_records_copy_on_write(tmp_path):
    base = retrograd.arange(1000.0)
    path = _saved_to(tmp_path, {"w": base, "v": base[10:20]})
    before = path.read_bytes()
    back = retrograd.load(path, mmap=True)
    assert back["w"].tolist() == base.tolist() and back["v"].tolist() == base[10:20].tolist()
    assert np.shares_memory(back["w"]._data, back["v"]._data)
    back["w"].add_(1)  # written in memory, never to the file
    assert back["v"][0].item() == 11.0
    assert path.read_bytes() == before
    with (
        pytest.raises(ValueError, match="f must be a file path in order to use the mmap"),
        open(path, "rb") as f,
    ):
        retrograd.load(f, mmap=True)


def test_mmap_shared_writes_go_to_the_file(tmp_path):
    import mmap

    path = _saved_to(tmp_path, retrograd.zeros(4))
    assert ser.get_default_mmap_options() == mmap.MAP_PRIVATE
    with ser.set_default_mmap_options(mmap.MAP_SHARED):
        assert ser.get_default_mmap_options() == mmap.MAP_SHARED
        t = retrograd.load(path, mmap=True)
        t.fill_(2.0)
        del t
    assert ser.get_default_mmap_options() == mmap.MAP_PRIVATE
    assert retrograd.load(path, mmap=True).tolist() == [2.0] * 4
    with pytest.raises(RuntimeError, match="Bad CRC-32"):  # the record no longer matches its CRC
        retrograd.load(path)
    with pytest.raises(ValueError, match="expected mmap.MAP_PRIVATE or mmap.MAP_SHARED, but got 5"):
        ser.set_default_mmap_options(5)


def test_default_load_endianness_applies_to_files_without_a_byteorder_record():
    t = retrograd.arange(3, dtype=retrograd.int32)
    buf = io.BytesIO()
    retrograd.save(t, buf, _disable_byteorder_record=True)
    assert ser.get_default_load_endianness() is None
    try:
        ser.set_default_load_endianness(ser.LoadEndianness.BIG)
        buf.seek(0)
        assert retrograd.load(buf).tolist() == np.arange(3, dtype=">i4").view("<i4").tolist()
    finally:
        ser.set_default_load_endianness(None)
    with pytest.raises(
        TypeError, match="Invalid argument type in function set_default_load_endianness"
    ):
        ser.set_default_load_endianness("big")


def test_optimizer_state_dict_round_trip_continues_identically():
    def fresh():
        p = retrograd.nn.Parameter(retrograd.tensor([1.0, -2.0, 3.0]))
        return p, optim.Adam([p], lr=0.1, amsgrad=True)

    p, opt = fresh()
    for _ in range(3):
        p.grad = p.detach() * 1.5
        opt.step()
    q, other = fresh()
    q.data = retrograd.tensor(p.tolist())
    other.load_state_dict(_round_trip(opt.state_dict()))
    for param, o in ((p, opt), (q, other)):
        param.grad = param.detach() * 1.5
        o.step()
    assert p.tolist() == q.tolist()


def _model():
    return retrograd.nn.Sequential(
        retrograd.nn.Linear(3, 4),
        retrograd.nn.ReLU(),
        retrograd.nn.BatchNorm1d(4),
        retrograd.nn.Linear(4, 2),
    )


def test_module_state_dict_round_trip(tmp_path):
    a = _model()
    path = _saved_to(tmp_path, {"model": a.state_dict(), "epoch": 3})
    saved = retrograd.load(path)
    assert type(saved["model"]) is OrderedDict and saved["epoch"] == 3
    b = _model()
    b.load_state_dict(saved["model"])
    x = retrograd.randn(5, 3)
    assert a(x).tolist() == b(x).tolist()


def test_whole_modules_and_optimizers_need_weights_only_false(tmp_path):
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(retrograd.randn(5, 3)).sum().backward()
    opt.step()
    path = _saved_to(tmp_path, {"model": model, "opt": opt})
    with pytest.raises(pickle.UnpicklingError) as info:
        retrograd.load(path)
    message = str(info.value)
    assert message.startswith("Weights only load failed. This file can still be loaded")
    assert (
        "WeightsUnpickler error: Unsupported global: GLOBAL "
        "retrograd.nn.container.Sequential was not an allowed global by default. Please use "
        "`torch.serialization.add_safe_globals([retrograd.nn.container.Sequential])`"
    ) in message
    back = retrograd.load(path, weights_only=False)
    assert type(back["model"]) is retrograd.nn.Sequential and type(back["opt"]) is optim.SGD
    x = retrograd.randn(5, 3)
    model.eval()
    back["model"].eval()
    assert back["model"](x).tolist() == model(x).tolist()
    state, other = opt.state_dict(), back["opt"].state_dict()
    assert other["param_groups"] == state["param_groups"]
    for k, v in state["state"].items():
        assert other["state"][k]["momentum_buffer"].tolist() == v["momentum_buffer"].tolist()
    # the loaded optimizer updates the loaded model's parameters
    assert back["opt"].param_groups[0]["params"][0] is back["model"][0].weight


def test_environment_switches_of_weights_only(tmp_path, monkeypatch):
    path = _saved_to(tmp_path, _model())
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected"):
        assert type(retrograd.load(path)) is retrograd.nn.Sequential
    with pytest.raises(pickle.UnpicklingError):  # an explicit True still wins
        retrograd.load(path, weights_only=True)
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "yes")
    with pytest.raises(RuntimeError, match="Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD`"):
        retrograd.load(path)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(pickle.UnpicklingError):
        retrograd.load(path, weights_only=False)


def test_pickle_module_with_weights_only_is_refused(tmp_path):
    path = _saved_to(tmp_path, 1)
    with pytest.raises(
        RuntimeError, match="Can not safely load weights when explicit pickle_module is specified"
    ):
        retrograd.load(path, pickle_module=pickle, weights_only=True)
    assert retrograd.load(path, pickle_module=pickle) == 1  # weights_only defaults to False


def test_numpy_arrays_save_and_load_with_their_globals_allowed():
    array = np.arange(6.0).reshape(2, 3)
    reconstruct = array.__reduce__()[0]  # numpy._core.multiarray._reconstruct in NumPy 2
    name = f"{reconstruct.__module__}.{reconstruct.__name__}"
    with pytest.raises(pickle.UnpicklingError) as info:
        _round_trip(array)
    assert f"GLOBAL {name} was not an allowed global" in str(info.value)
    allowed = [reconstruct, np.ndarray, np.dtype, type(array.dtype)]
    with ser.safe_globals(allowed):
        assert set(ser.get_safe_globals()) == set(allowed)
        back = _round_trip({"a": array})
    assert ser.get_safe_globals() == []
    np.testing.assert_array_equal(back["a"], array)
    np.testing.assert_array_equal(_round_trip(array, weights_only=False), array)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def test_add_safe_globals_allows_a_class_and_clear_forgets_it():
    try:
        buf = io.BytesIO()
        retrograd.save(Point(1, retrograd.ones(2)), buf)
        buf.seek(0)
        with pytest.raises(
            pickle.UnpicklingError, match=f"GLOBAL {__name__}.Point was not an allowed global"
        ):
            retrograd.load(buf)
        assert ser.get_unsafe_globals_in_checkpoint(buf) == [f"{__name__}.Point"]
        ser.add_safe_globals([Point])
        assert ser.get_safe_globals() == [Point]
        buf.seek(0)
        p = retrograd.load(buf)
        assert type(p) is Point and p.x == 1 and p.y.tolist() == [1.0, 1.0]
        ser.clear_safe_globals()
        ser.add_safe_globals([(Point, "some.other.Name")])  # allowed under another name only
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError, match="Point was not an allowed global"):
            retrograd.load(buf)
    finally:
        ser.clear_safe_globals()
    assert ser.get_safe_globals() == []


def test_the_torch_serialization_names_exist():
    assert ser.DEFAULT_PROTOCOL == 2
    for name in (
        "save",
        "load",
        "add_safe_globals",
        "safe_globals",
        "get_safe_globals",
        "clear_safe_globals",
        "get_unsafe_globals_in_checkpoint",
    ):
        assert callable(getattr(ser, name)), name


def test_legacy_zipless_save_is_not_built():
    with pytest.raises(NotImplementedError, match="_use_new_zipfile_serialization=False"):
        retrograd.save(retrograd.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)


def test_byteorder_record_can_be_left_out_and_big_endian_files_are_swapped(tmp_path):
    t = retrograd.arange(5, dtype=retrograd.int32)
    buf = io.BytesIO()
    retrograd.save(t, buf, _disable_byteorder_record=True)
    assert not any(n.endswith("byteorder") for n in zipfile.ZipFile(buf).namelist())
    buf.seek(0)
    _same_tensor(t, retrograd.load(buf))
    path = _saved_to(tmp_path, t)
    swapped = np.arange(5, dtype=np.int32).byteswap().tobytes()
    _rewrite(
        path,
        lambda n, d: (
            (n, b"big")
            if n.endswith("byteorder")
            else (n, swapped)
            if n.endswith("data/0")
            else (n, d)
        ),
    )
    _same_tensor(t, retrograd.load(path))


def test_the_library_never_imports_torch(tmp_path):
    path = tmp_path / "x.pt"
    code = (
        "import sys; sys.modules['torch'] = None\n"  # any import of torch now fails
        "import retrograd\n"
        "retrograd.save({'w': retrograd.ones(2), 'm': retrograd.nn.Linear(2, 1)}, "
        f"{str(path)!r})\n"
        f"assert retrograd.load({str(path)!r}, weights_only=False)['w'].tolist() == [1.0, 1.0]\n"
        f"retrograd.save({{'w': retrograd.ones(2)}}, {str(path)!r})\n"
        f"assert retrograd.load({str(path)!r})['w'].tolist() == [1.0, 1.0]\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- hostile files -----------------------------------------------------------------------------
class _Payload:
    """Unpickling this creates a file: the proof that a loader ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


class _System:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _with_pickle(tmp_path, data: bytes, name="evil.pt"):
    """A checkpoint whose data.pkl is ``data``."""
    path = _saved_to(tmp_path, retrograd.ones(1), name)
    _rewrite(path, lambda n, d: (n, data) if n.endswith("data.pkl") else (n, d))
    return path


def test_a_malicious_pickle_is_refused_without_running_anything(tmp_path):
    marker = tmp_path / "pwned"
    path = _saved_to(tmp_path, {"w": retrograd.ones(2), "x": _Payload(str(marker))})
    # Python 3.12 pickles open() as _io.open, earlier versions as io.open
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL _?io\.open was not an allowed"):
        retrograd.load(path)
    assert not marker.exists()
    path = _saved_to(tmp_path, [_System(f"touch {marker}")])
    with pytest.raises(pickle.UnpicklingError) as info:
        retrograd.load(path)
    assert not marker.exists()
    module = os.system.__module__
    assert (
        f"Trying to load unsupported GLOBAL {module}.system whose module {module} is blocked."
    ) in str(info.value)
    assert "Please file an issue" not in str(info.value)
    retrograd.load(path, weights_only=False)  # the explicit opt-in runs it
    assert marker.exists()


@pytest.mark.parametrize(
    "data, text",
    [
        # REDUCE of a string: no callable outside the allow-list is ever called
        (b"\x80\x02X\x03\x00\x00\x00abc)R.", "Trying to call reduce for unrecognized function abc"),
        (b"\x80\x02)K\x01a.", "Can only append to lists, but got <class 'tuple'>"),
        (
            b"\x80\x02]K\x01K\x02s.",
            (
                "Can only SETITEM for dict, collections.OrderedDict, "
                "collections.Counter, but got <class 'list'>"
            ),
        ),
        (
            b"\x80\x02X\x01\x00\x00\x00x)\x81.",
            (
                "Can only create new object for nn.Parameter or "
                "classes allowlisted via `add_safe_globals` but got"
            ),
        ),
        (
            b"\x80\x02]}b.",
            (
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                "`add_safe_globals`, but got <class 'list'>"
            ),
        ),
        (
            b"\x80\x02X\x01\x00\x00\x00xQ.",
            ("persistent_load id must be tuple or int, but got <class 'str'>"),
        ),
        (
            b"\x80\x02X\x01\x00\x00\x00x\x85Q.",
            ("Only persistent_load of storage is allowed, but got <class 'str'>"),
        ),
        (b"\x80\x02\xff.", "Unsupported operand 255"),
        (b"\x80\x02cbuiltins\neval\n.", "GLOBAL eval was not an allowed global by default"),
        (b"\x80\x02c__builtin__\neval\n.", "GLOBAL eval was not an allowed global by default"),
        (b"\x80\x04\x8c\x02os\x8c\x06system\x93.", "GLOBAL os.system whose module os is blocked"),
        (
            b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R.",
            "_codecs.encode is allowed only to make bytes from a str with latin1 or utf-8",
        ),
    ],
)
def test_crafted_pickles_get_pytorchs_weights_only_errors(tmp_path, data, text):
    path = _with_pickle(tmp_path, data)
    with pytest.raises(pickle.UnpicklingError) as info:
        retrograd.load(path)
    assert str(info.value).startswith("Weights only load failed.")
    assert text in str(info.value)


# --- damaged files -----------------------------------------------------------------------------
def _rewrite(path, change):
    """Rewrite the archive at ``path``, passing each (name, bytes) through ``change``."""
    with zipfile.ZipFile(path) as zf:
        entries = [(n, zf.read(n)) for n in zf.namelist()]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            out = change(name, data)
            if out is not None:
                zf.writestr(out[0], out[1])


def _error(path, error=RuntimeError, **load_args):
    with pytest.raises(error) as info:
        retrograd.load(path, **load_args)
    return str(info.value)


def test_truncated_file(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10):
        path.write_bytes(data[:cut])
        message = _error(path)
        assert message.startswith(
            "PytorchStreamReader failed reading zip archive: failed finding central directory"
        )
        assert str(path) in message and "truncated" in message
    path.write_bytes(b"")
    assert "is empty" in _error(path, EOFError)


def test_a_file_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"garbage here")
    message = _error(path, pickle.UnpicklingError)
    assert "invalid load key, 'g'." in message and "neither a ZIP archive nor" in message


def test_missing_records(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = path.read_bytes()
    for record in ("data/0", "data.pkl"):
        _rewrite(path, lambda n, d, record=record: None if n.endswith(record) else (n, d))
        message = _error(path)
        assert message.startswith(
            f"PytorchStreamReader failed locating file {record}: file not found."
        )
        assert f"lacks the record ckpt/{record}" in message
        path.write_bytes(data)
    _rewrite(path, lambda n, d: None if n.endswith("/version") else (n, d))
    assert _error(path).startswith('Expected hasRecord("version") to be true, but got false.')


def test_edited_records(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = path.read_bytes()

    def edit(record, change):
        path.write_bytes(data)
        _rewrite(path, lambda n, d: (n, change(d)) if n.endswith(record) else (n, d))

    edit("data/0", lambda d: d[:-8])
    assert _error(path).startswith(
        "record size (392 bytes) does not match expected size (400 "
        "bytes = 400 elements * 1 bytes/element) for dtype Byte."
    )
    edit("data.pkl", lambda d: d[:-20])
    assert "ends before its end mark" in _error(path, EOFError)
    edit("version", lambda d: b"99\n")
    assert _error(path).startswith(
        "Attempted to read a PyTorch file with version 99, but the "
        "maximum supported version for reading is 10."
    )
    edit("byteorder", lambda d: b"middle")
    assert _error(path, ValueError) == "Unknown endianness type: middle"
    edit("data.pkl", lambda d: d.replace(b"K\x64\x85", b"K\x65\x85"))  # size 100 -> 101
    assert "out of bounds for storage of size 400" in _error(path)


def test_flipped_byte_in_tensor_data_is_caught_by_crc(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = bytearray(path.read_bytes())
    at = data.index(np.ones(100, np.float32).tobytes()) + 37
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    message = _error(path)
    assert message.startswith("PytorchStreamReader failed reading file data/0")
    assert "Bad CRC-32" in message and str(path) in message


def test_a_checkpoint_cannot_set_a_tensors_internals(tmp_path):
    t = retrograd.ones(2)
    t.grad_fn_note = 1
    path = _saved_to(tmp_path, t)
    assert retrograd.load(path).grad_fn_note == 1
    _rewrite(
        path,
        lambda n, d: (n, d.replace(b"\x0c\x00\x00\x00grad_fn_note", b"\x07\x00\x00\x00grad_fn")),
    )
    for weights_only in (True, False):
        with pytest.raises(
            pickle.UnpicklingError,
            match="sets its attribute 'grad_fn', which a checkpoint may not set",
        ):
            retrograd.load(path, weights_only=weights_only)


def test_quantized_storage_is_not_built(tmp_path):
    data = (
        b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n"
        b"QInt8Storage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQK\x00K\x01\x85K\x01"
        b"\x85\x89ccollections\nOrderedDict\n)Rtr."
    )
    path = _with_pickle(tmp_path, data)
    assert "QInt8Storage" in _error(path, NotImplementedError)


# --- retrograd's earlier format (a ZIP of .npy arrays and a JSON index) --------------------------
def _write_old_format(path, root, arrays=()):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "retrograd.json",
            json.dumps({"format": "retrograd-checkpoint", "version": 1, "root": root}),
        )
        for i, array in enumerate(arrays):
            buf = io.BytesIO()
            np.save(buf, array)
            zf.writestr(f"tensors/{i}.npy", buf.getvalue())
    return path


def _old_tensor(i, array, requires_grad=False, parameter=False):
    return {
        "type": "tensor",
        "file": f"tensors/{i}.npy",
        "dtype": str(array.dtype),
        "shape": list(array.shape),
        "requires_grad": requires_grad,
        "parameter": parameter,
    }


def test_the_earlier_retrograd_format_still_loads(tmp_path):
    w, b = np.arange(6, dtype=np.float32).reshape(2, 3), np.zeros(2)
    root = {
        "type": "dict",
        "items": [
            [
                {"type": "str", "value": "model"},
                {
                    "type": "OrderedDict",
                    "items": [
                        [
                            {"type": "str", "value": "w"},
                            _old_tensor(0, w, parameter=True, requires_grad=True),
                        ],
                        [{"type": "str", "value": "b"}, _old_tensor(1, b)],
                    ],
                },
            ],
            [
                {"type": "str", "value": "again"},
                _old_tensor(0, w, parameter=True, requires_grad=True),
            ],
            [{"type": "str", "value": "epoch"}, {"type": "int", "value": 3}],
            [{"type": "str", "value": "lr"}, {"type": "float", "value": "0.1"}],
            [{"type": "str", "value": "size"}, {"type": "size", "items": [2, 3]}],
            [{"type": "str", "value": "dtype"}, {"type": "dtype", "value": "float64"}],
        ],
    }
    back = retrograd.load(_write_old_format(tmp_path / "old.pt", root, [w, b]))
    assert type(back["model"]) is OrderedDict and back["epoch"] == 3 and back["lr"] == 0.1
    assert isinstance(back["model"]["w"], retrograd.nn.Parameter)
    assert (
        back["model"]["w"].tolist() == w.tolist() and back["model"]["b"].dtype == retrograd.float64
    )
    assert back["again"] is back["model"]["w"]
    assert back["size"] == retrograd.Size([2, 3]) and back["dtype"] is retrograd.float64


@pytest.mark.parametrize(
    "root, what",
    [
        ({"type": "eval", "value": "1"}, "unknown type 'eval'"),
        ({"type": "list"}, "no 'items' list"),
        ({"type": "int", "value": "7"}, "no valid 'value'"),
        (
            {
                "type": "tensor",
                "file": "tensors/9.npy",
                "dtype": "float32",
                "shape": [1],
                "requires_grad": False,
                "parameter": False,
            },
            "is missing",
        ),
        (
            {
                "type": "tensor",
                "file": "tensors/0.npy",
                "dtype": "float32",
                "shape": [3],
                "requires_grad": False,
                "parameter": False,
            },
            "the index says float32 [3]",
        ),
    ],
)
def test_damaged_files_of_the_earlier_format(tmp_path, root, what):
    path = _write_old_format(tmp_path / "old.pt", root, [np.ones(1, np.float32)])
    message = _error(path)
    assert str(path) in message and "not a valid retrograd checkpoint" in message
    assert what in message


def test_an_object_array_in_the_earlier_format_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "old.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "retrograd.json",
            json.dumps(
                {
                    "format": "retrograd-checkpoint",
                    "version": 1,
                    "root": {
                        "type": "tensor",
                        "file": "tensors/0.npy",
                        "dtype": "float32",
                        "shape": [1],
                        "requires_grad": False,
                        "parameter": False,
                    },
                }
            ),
        )
        buf = io.BytesIO()
        np.save(buf, np.array([_Payload(str(marker))], dtype=object), allow_pickle=True)
        zf.writestr("tensors/0.npy", buf.getvalue())
    assert "damaged" in _error(path)
    assert not marker.exists()


class _TinyLM(retrograd.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = retrograd.nn.Embedding(10, 4)
        self.rnn = retrograd.nn.LSTM(4, 5)
        self.head = retrograd.nn.Linear(5, 10)

    def forward(self, x):
        return self.head(self.rnn(self.embed(x))[0])


def test_a_whole_model_loads_with_its_classes_as_safe_globals(tmp_path):
    """``torch.save(model)`` then ``torch.load`` under ``safe_globals([...the classes...])``, as
    published training scripts do: the model comes back, and takes hooks again."""
    retrograd.manual_seed(0)
    model = _TinyLM()
    path = tmp_path / "model.pt"
    retrograd.save(model, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        retrograd.load(path)  # the classes are not allowed by default
    classes = [_TinyLM, retrograd.nn.modules.sparse.Embedding, retrograd.nn.modules.rnn.LSTM]
    with retrograd.serialization.safe_globals([*classes, retrograd.nn.modules.linear.Linear]):
        loaded = retrograd.load(path)
    loaded.rnn.flatten_parameters()  # (a no-op on the CPU, as in PyTorch; scripts call it)
    x = retrograd.tensor([[1, 2, 3]])
    seen = []
    loaded.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    assert retrograd.equal(loaded(x), model(x)) and seen == [(1, 3, 10)]
