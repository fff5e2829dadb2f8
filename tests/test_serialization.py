"""retrograd.save / retrograd.load: exact round trips, and damaged or hostile files refused."""

import io
import json
import math
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import retrograd
from retrograd import optim

DTYPES = ["float16", "float32", "float64", "complex64", "complex128", "uint8", "int8", "int16",
          "int32", "int64", "bool"]


def _round_trip(obj):
    buf = io.BytesIO()
    retrograd.save(obj, buf)
    buf.seek(0)
    return retrograd.load(buf)


def _same_tensor(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.requires_grad == b.requires_grad
    assert a._data.tobytes() == b._data.tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensors_of_every_dtype_round_trip_exactly(dtype):
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((3, 4)) * 100).astype(dtype)
    for array in (values, values.T, values[:, ::2], np.array(values[0, 0]), values[:0]):
        t = retrograd.from_numpy(array)  # strided views are written in order, read contiguous
        _same_tensor(t, _round_trip(t))


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
        "ints": [0, -1, 2 ** 70], "floats": (0.1, 1e300, -0.0, math.inf),
        "nan": math.nan, "complex": 1 - 2j, "flags": [True, False, None], "text": "héllo",
        3: "int key", (1, "a"): "tuple key", 0.5: "float key",
        "dtype": retrograd.float64, "size": retrograd.Size([2, 3]),
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
    assert back["dtype"] is retrograd.float64
    assert type(back["size"]) is retrograd.Size and back["size"] == (2, 3)
    assert type(back["state"]) is OrderedDict and list(back["state"]) == ["w", "b"]
    _same_tensor(obj["state"]["w"], back["state"]["w"])
    assert back["empty"] == [[], (), {}]


def test_a_tensor_saved_twice_loads_as_one_tensor(tmp_path):
    t = retrograd.ones(3)
    back = _round_trip({"a": t, "b": [t]})
    assert back["a"] is back["b"][0]
    with zipfile.ZipFile(_saved_to(tmp_path, {"a": t, "b": [t]})) as zf:
        assert sorted(zf.namelist()) == ["retrograd.json", "tensors/0.npy"]


def _saved_to(tmp_path, obj, name="ckpt.pt"):
    path = tmp_path / name
    retrograd.save(obj, path)
    return path


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


def test_the_format_is_a_zip_of_npy_files_and_a_json_index(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(2, requires_grad=True)})
    with zipfile.ZipFile(path) as zf:
        index = json.loads(zf.read("retrograd.json"))
        array = np.load(io.BytesIO(zf.read("tensors/0.npy")), allow_pickle=False)
    assert index["format"] == "retrograd-checkpoint" and index["version"] == 1
    assert index["root"]["type"] == "dict"
    key, value = index["root"]["items"][0]
    assert key == {"type": "str", "value": "w"}
    assert value == {"type": "tensor", "file": "tensors/0.npy", "dtype": "float32",
                     "shape": [2], "requires_grad": True, "parameter": False}
    assert array.tolist() == [1.0, 1.0]


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


def test_unsupported_objects_and_cycles_are_refused():
    with pytest.raises(TypeError, match="cannot store an object of type .*object"):
        retrograd.save(object(), io.BytesIO())
    with pytest.raises(TypeError, match="dict key"):
        retrograd.save({retrograd.ones(1): 1}, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        retrograd.save(loop, io.BytesIO())


# --- damaged and hostile files ------------------------------------------------------------------
def _rewrite(path, change):
    """Rewrite the archive at ``path``, passing each (name, bytes) through ``change``."""
    with zipfile.ZipFile(path) as zf:
        entries = [(n, zf.read(n)) for n in zf.namelist()]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            out = change(name, data)
            if out is not None:
                zf.writestr(out[0], out[1])


def _load_error(path):
    with pytest.raises(RuntimeError) as info:
        retrograd.load(path)
    message = str(info.value)
    assert str(path) in message and "not a valid retrograd checkpoint" in message
    return message


def test_truncated_file(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 0):
        path.write_bytes(data[:cut])
        assert "not a ZIP archive" in _load_error(path)


def test_flipped_byte_in_array_data_is_caught_by_crc(tmp_path):
    path = _saved_to(tmp_path, {"w": retrograd.ones(100)})
    data = bytearray(path.read_bytes())
    at = data.index(np.ones(100, np.float32).tobytes()) + 37
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "damaged" in _load_error(path)


def test_index_that_disagrees_with_the_array(tmp_path):
    path = _saved_to(tmp_path, retrograd.ones(2, 3))

    def wrong_shape(name, data):
        if name == "retrograd.json":
            return name, data.replace(b"[2, 3]", b"[3, 2]")
        return name, data

    _rewrite(path, wrong_shape)
    assert "the index says float32 [3, 2]" in _load_error(path)


@pytest.mark.parametrize("root, what", [
    ({"type": "eval", "value": "1"}, "unknown type 'eval'"),
    ({"type": "list"}, "no 'items' list"),
    ({"type": "int", "value": "7"}, "no valid 'value'"),
    ({"type": "float", "value": "12abc"}, "not a number"),
    ({"type": "tensor", "file": "tensors/9.npy", "dtype": "float32", "shape": [1],
      "requires_grad": False, "parameter": False}, "is missing"),
    ({"type": "tensor", "file": "tensors/0.npy", "dtype": "object", "shape": [1],
      "requires_grad": False, "parameter": False}, "unsupported dtype"),
    ({"type": "dict", "items": [[{"type": "list", "items": []}, {"type": "none"}]]},
     "not hashable"),
    ([1, 2], "not an object with a 'type'"),
])
def test_malformed_index_entries(tmp_path, root, what):
    path = _saved_to(tmp_path, retrograd.ones(1))

    def replace_root(name, data):
        if name == "retrograd.json":
            index = json.loads(data)
            index["root"] = root
            return name, json.dumps(index).encode()
        return name, data

    _rewrite(path, replace_root)
    assert what in _load_error(path)


def test_index_header_checks(tmp_path):
    path = _saved_to(tmp_path, 1)
    _rewrite(path, lambda n, d: (n, d.replace(b'"version": 1', b'"version": 99')))
    assert "format version 99" in _load_error(path)
    _rewrite(path, lambda n, d: (n, b"{not json"))
    assert "not valid JSON" in _load_error(path)
    _rewrite(path, lambda n, d: None)
    assert "has no retrograd.json index" in _load_error(path)
    path.write_bytes(b"this is not a zip file at all")
    assert "not a ZIP archive" in _load_error(path)


class _Payload:
    """Unpickling this creates a file: the proof that a loader ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_an_object_array_with_a_pickle_payload_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = _saved_to(tmp_path, retrograd.ones(1))
    evil = io.BytesIO()
    np.save(evil, np.array([_Payload(str(marker))], dtype=object), allow_pickle=True)

    def swap(name, data):
        return (name, evil.getvalue()) if name.endswith(".npy") else (name, data)

    _rewrite(path, swap)
    assert "damaged" in _load_error(path)
    assert not marker.exists()


def test_a_pytorch_pickle_checkpoint_is_refused_without_running_it(tmp_path, torch_ref):
    marker = tmp_path / "pwned"
    path = tmp_path / "torch.pt"
    torch_ref.save({"w": torch_ref.ones(2), "x": _Payload(str(marker))}, path)
    assert "PyTorch (pickle) checkpoint" in _load_error(path)
    assert not marker.exists()
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(_Payload(str(marker))))
    assert "not a ZIP archive" in _load_error(plain)
    assert not marker.exists()


def test_module_state_dict_round_trip(tmp_path):
    def model():
        return retrograd.nn.Sequential(retrograd.nn.Linear(3, 4), retrograd.nn.ReLU(),
                                       retrograd.nn.Linear(4, 2))

    a = model()
    path = _saved_to(tmp_path, {"model": a.state_dict(), "epoch": 3})
    saved = retrograd.load(path)
    assert type(saved["model"]) is OrderedDict and saved["epoch"] == 3
    b = model()
    b.load_state_dict(saved["model"])
    x = retrograd.randn(5, 3)
    assert a(x).tolist() == b(x).tolist()
    with pytest.raises(TypeError, match="Save the object's state_dict"):
        retrograd.save(a, io.BytesIO())
