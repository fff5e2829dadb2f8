"""Checkpoints move both ways: ``torch.save`` files load in retrograd and ``retrograd.save`` files
load in ``torch.load``, both with ``weights_only=True``, with equal values, dtypes, shapes,
strides, sharing, requires_grad and Parameter type."""

import io
import math
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import retrograd
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


def _torch_to_rg(torch, obj, **load_args):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return retrograd.load(buf, **load_args)


def _rg_to_torch(torch, obj, **load_args):
    buf = io.BytesIO()
    retrograd.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, **load_args)


def _same(a, b):
    """``a`` and ``b`` (one from each library) hold the same values, types and tensors."""
    if hasattr(a, "numpy") and hasattr(b, "numpy") and hasattr(a, "dtype"):
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        assert a.requires_grad == b.requires_grad
        assert type(a).__name__ == type(b).__name__  # Tensor or Parameter
        if a.numel():  # (NumPy gives an empty array zero strides; retrograd reports those)
            assert a.stride() == b.stride()
        x, y = a.detach().numpy(), b.detach().numpy()
        assert x.tobytes() == y.tobytes()
        return
    assert type(a).__name__ == type(b).__name__, (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    elif type(a).__name__ in ("dtype", "device"):
        assert repr(a) == repr(b)
    else:
        assert a == b


# --- tensors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_both_ways(torch_ref, dtype):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal((3, 4)) * 50).astype(dtype)
    t = torch_ref.from_numpy(array.copy())
    r = retrograd.from_numpy(array.copy())
    for source, back in ((t, _torch_to_rg(torch_ref, t)), (r, _rg_to_torch(torch_ref, r))):
        _same(source, back)


def test_requires_grad_parameters_and_strides_both_ways(torch_ref):
    def objects(lib):
        base = lib.arange(24.0).reshape(4, 6)
        return {
            "leaf": lib.ones(3, requires_grad=True),
            "param": lib.nn.Parameter(lib.full((2, 2), 0.5)),
            "frozen": lib.nn.Parameter(lib.zeros(2), requires_grad=False),
            "t": base.t(),
            "cols": base[:, 1::2],
            "row": base[2],
            "base": base,
            "scalar": lib.tensor(3.5),
            "empty": lib.zeros(0, 3),
            "expanded": lib.ones(1, 3).expand(4, 3),
        }

    _same(objects(torch_ref), _torch_to_rg(torch_ref, objects(torch_ref)))
    _same(objects(retrograd), _rg_to_torch(torch_ref, objects(retrograd)))


def test_attributes_set_on_tensors_both_ways(torch_ref):
    def objects(lib):
        t, p = lib.ones(2), lib.nn.Parameter(lib.zeros(1))
        t.note, p.tag = "hello", 3
        return [t, p]

    for source, back in (
        (objects(torch_ref), _torch_to_rg(torch_ref, objects(torch_ref))),
        (objects(retrograd), _rg_to_torch(torch_ref, objects(retrograd))),
    ):
        _same(source, back)
        assert back[0].note == "hello" and back[1].tag == 3


def test_whole_torch_modules_load_with_weights_only_false(torch_ref, monkeypatch):
    """PyTorch's classes are found at retrograd's matching paths (torch.nn.modules.linear.Linear
    -> retrograd.nn.modules.linear.Linear); aliases stand in for any such path not there yet."""
    import importlib
    import sys

    for name in (
        "modules",
        "modules.linear",
        "modules.container",
        "modules.activation",
        "modules.batchnorm",
    ):
        try:
            importlib.import_module(f"retrograd.nn.{name}")
        except ImportError:
            monkeypatch.setitem(sys.modules, f"retrograd.nn.{name}", retrograd.nn)
    model = torch_ref.nn.Sequential(
        torch_ref.nn.Linear(2, 3), torch_ref.nn.ReLU(), torch_ref.nn.BatchNorm1d(3)
    )
    model(torch_ref.randn(5, 2))
    buf = io.BytesIO()
    torch_ref.save(model, buf)
    buf.seek(0)
    with pytest.raises(
        pickle.UnpicklingError,
        match="GLOBAL torch.nn.modules.container.Sequential was not an allowed global",
    ):
        retrograd.load(buf)
    buf.seek(0)
    back = retrograd.load(buf, weights_only=False)
    assert type(back) is retrograd.nn.Sequential and type(back[0]) is retrograd.nn.Linear
    _same(model.state_dict(), back.state_dict())
    model.eval()
    back.eval()
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(
        back(retrograd.from_numpy(x)).tolist(),
        model(torch_ref.from_numpy(x)).tolist(),
        rtol=1e-6,
        atol=1e-6,  # (float32 sums; the weights are whatever PyTorch's generator was at)
    )


def test_what_cannot_be_saved_fails_as_in_pytorch(torch_ref, tmp_path):
    def local():
        return lambda x: x

    for target in (io.BytesIO(), tmp_path / "missing" / "x.pt"):
        for obj in (local(), {"f": local()}, 1):
            try:
                torch_ref.save(obj, target)
            except Exception as e:  # noqa: BLE001 - the exception itself is compared
                theirs = e
            else:
                continue
            with pytest.raises(type(theirs)) as ours:
                retrograd.save(obj, target)
            assert str(ours.value) == str(theirs)


def test_views_share_one_storage_both_ways(torch_ref):
    base = torch_ref.arange(12.0).reshape(3, 4)
    back = _torch_to_rg(torch_ref, [base, base[1], base.t()])
    assert np.shares_memory(back[0]._data, back[1]._data)
    back[0][1, 0] = -1.0
    assert back[1][0].item() == -1.0 and back[2][0, 1].item() == -1.0

    base = retrograd.arange(12.0).reshape(3, 4)
    out = _rg_to_torch(torch_ref, [base, base[1], base.t()])
    ptrs = {x.untyped_storage().data_ptr() for x in out}
    assert len(ptrs) == 1 and out[1].storage_offset() == 4
    out[0][1, 0] = -1.0
    assert out[1][0].item() == -1.0


def test_the_same_file_bytes_as_torch_save_for_a_state_dict(torch_ref):
    """The pickle retrograd writes is the one torch.save writes for the same objects."""
    import zipfile

    def data_pkl(lib):
        buf = io.BytesIO()
        lib.save(
            {
                "w": lib.ones(2, 3),
                "p": lib.nn.Parameter(lib.zeros(3)),
                "i": lib.arange(4),
                "n": [1, 2.5, None, "s", (True,)],
            },
            buf,
        )
        with zipfile.ZipFile(buf) as zf:
            return zf.read("archive/data.pkl"), sorted(zf.namelist())

    assert data_pkl(retrograd) == data_pkl(torch_ref)


def test_nested_python_data_both_ways(torch_ref):
    def obj(lib):
        return {
            "list": [1, -2, 2**70, 0.5, -0.0, math.inf, None, True, "text"],
            "tuple": (1, (2, 3)),
            "od": OrderedDict([("b", 1), ("a", 2)]),
            "nested": {"k": [{"x": lib.ones(1)}]},
            7: "int key",
            (1, 2): "tuple key",
            "bytes": b"\x00\x01",
            "set": {3, 4},
            "complex": 1 - 2j,
            "dtype": lib.float64,
            "size": lib.Size([2, 3]),
            "device": lib.device("cpu"),
            "nan": math.nan,
        }

    _same(obj(torch_ref), _torch_to_rg(torch_ref, obj(torch_ref)))
    _same(obj(retrograd), _rg_to_torch(torch_ref, obj(retrograd)))


def test_numpy_arrays_both_ways(torch_ref):
    arrays = [np.arange(6.0).reshape(2, 3), np.arange(4, dtype=np.int32), np.array(True)]
    allowed = [
        np.ndarray.__reduce__(np.zeros(1))[0],
        np.ndarray,
        np.dtype,
        *{type(a.dtype) for a in arrays},
    ]
    with ser.safe_globals(allowed):
        back = _torch_to_rg(torch_ref, arrays)
    with torch_ref.serialization.safe_globals(allowed):
        out = _rg_to_torch(torch_ref, arrays)
    for a, b, c in zip(arrays, back, out):
        assert a.dtype == b.dtype == c.dtype
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    for x in _torch_to_rg(torch_ref, arrays, weights_only=False):
        assert type(x) is np.ndarray


def test_bfloat16_files_load(torch_ref):
    t = torch_ref.tensor([1.1, -2.5, 1e-3], dtype=torch_ref.bfloat16)
    back = _torch_to_rg(torch_ref, t)
    assert back.dtype is retrograd.bfloat16 and back.tolist() == t.tolist()
    assert _torch_to_rg(torch_ref, torch_ref.bfloat16) is retrograd.bfloat16
    with pytest.raises(NotImplementedError, match="torch.float8_e4m3fn"):
        _torch_to_rg(torch_ref, torch_ref.float8_e4m3fn)


def test_what_retrograd_lacks_is_named(torch_ref):
    cases = [
        (torch_ref.ones(2).to_sparse(), "layout torch.sparse_coo"),
        (torch_ref.ones(2, device="meta"), "_rebuild_meta_tensor_no_storage"),
    ]
    for obj, name in cases:
        with pytest.raises(NotImplementedError, match=name):
            _torch_to_rg(torch_ref, obj)


@pytest.mark.filterwarnings("ignore:`torch.jit.save` is deprecated:DeprecationWarning")
def test_torchscript_archives_are_refused(torch_ref):
    buf = io.BytesIO()
    torch_ref.jit.save(torch_ref.jit.script(torch_ref.nn.Linear(2, 3)), buf)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="Cannot use ``weights_only=True`` with TorchScript"):
        retrograd.load(buf)
    buf.seek(0)
    with pytest.raises(NotImplementedError, match="TorchScript"):
        retrograd.load(buf, weights_only=False)


def test_mmap_of_a_torch_file(torch_ref, tmp_path):
    path = tmp_path / "t.pt"
    base = torch_ref.arange(100.0)
    torch_ref.save({"a": base, "b": base[5:]}, path)
    back = retrograd.load(path, mmap=True)
    assert back["b"].tolist() == base[5:].tolist()
    assert np.shares_memory(back["a"]._data, back["b"]._data)


def test_torch_maps_retrograd_files_and_reads_unseekable_writes(torch_ref, tmp_path):
    path = tmp_path / "r.pt"
    base = retrograd.arange(1000.0)
    retrograd.save(
        {"a": base, "v": base[3:], "h": retrograd.ones(3, dtype=retrograd.float16)}, path
    )
    out = torch_ref.load(path, mmap=True)
    assert out["v"][:3].tolist() == [3.0, 4.0, 5.0] and out["h"].dtype == torch_ref.float16

    class Unseekable:  # a pipe or socket: write() only
        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(bytes(data))
            return len(data)

        def flush(self):
            pass

    sink = Unseekable()
    retrograd.save({"a": base}, sink)
    assert torch_ref.load(io.BytesIO(b"".join(sink.parts)))["a"].tolist() == base.tolist()


def test_legacy_pytorch_format_loads(torch_ref, tmp_path):
    """PyTorch's pre-1.6 format: a sequence of pickles, then each storage's bytes."""
    path = tmp_path / "old.pt"
    base = torch_ref.arange(6.0)
    obj = {
        "a": base,
        "v": base[2:],
        "p": torch_ref.nn.Parameter(torch_ref.ones(2).double()),
        "u": torch_ref.ones(3, dtype=torch_ref.uint16),
        "n": [1, "x", None],
    }
    torch_ref.save(obj, path, _use_new_zipfile_serialization=False)
    for weights_only in (True, False):
        back = retrograd.load(path, weights_only=weights_only)
        _same(obj, back)
        assert np.shares_memory(back["a"]._data, back["v"]._data)
    data = path.read_bytes()
    path.write_bytes(data[:-5])
    with pytest.raises(RuntimeError, match="truncated"):
        retrograd.load(path)
    with pytest.raises(RuntimeError, match="mmap can only be used with files saved with"):
        retrograd.load(str(path), mmap=True)


# --- module state dicts -------------------------------------------------------------------------
MODULES = [
    ("Linear", (3, 4), {}),
    ("Linear", (3, 4), {"bias": False}),
    ("Bilinear", (2, 3, 4), {}),
    ("Conv1d", (2, 3, 3), {}),
    ("Conv2d", (2, 3, (3, 2)), {"groups": 1}),
    ("ConvTranspose2d", (2, 3, 3), {}),
    ("BatchNorm1d", (3,), {}),
    ("BatchNorm2d", (3,), {}),
    ("LayerNorm", ((2, 3),), {}),
    ("GroupNorm", (2, 4), {}),
    ("Embedding", (10, 3), {}),
    ("RNN", (3, 4), {"num_layers": 2}),
    ("LSTM", (3, 4), {"bidirectional": True}),
    ("GRU", (3, 4), {"batch_first": True}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {}),
    ("RNNCell", (3, 4), {}),
    ("MultiheadAttention", (8, 2), {}),
    ("PReLU", (), {}),
]


def _trained(lib, name, args, kwargs):
    """A module with non-default buffers (BatchNorm's running stats and batch count)."""
    lib.manual_seed(0)
    m = getattr(lib.nn, name)(*args, **kwargs)
    if name.startswith("BatchNorm"):
        shape = (5, 3) if name == "BatchNorm1d" else (5, 3, 2, 2)
        m(lib.randn(*shape))
        m(lib.randn(*shape))
    return m


@pytest.mark.parametrize(
    "name, args, kwargs", MODULES, ids=[f"{n}{i}" for i, (n, _, _) in enumerate(MODULES)]
)
def test_module_state_dicts_both_ways(torch_ref, name, args, kwargs):
    tm = _trained(torch_ref, name, args, kwargs)
    rm = _trained(retrograd, name, args, kwargs)
    for keep_vars in (False, True):
        from_torch = _torch_to_rg(torch_ref, tm.state_dict(keep_vars=keep_vars))
        _same(tm.state_dict(keep_vars=keep_vars), from_torch)
        from_rg = _rg_to_torch(torch_ref, rm.state_dict(keep_vars=keep_vars))
        _same(rm.state_dict(keep_vars=keep_vars), from_rg)
    # each library's module takes the other's checkpoint
    target = _trained(retrograd, name, args, kwargs)
    target.load_state_dict(_torch_to_rg(torch_ref, tm.state_dict()))
    _same(tm.state_dict(), target.state_dict())
    other = _trained(torch_ref, name, args, kwargs)
    other.load_state_dict(_rg_to_torch(torch_ref, rm.state_dict()))
    _same(rm.state_dict(), other.state_dict())


# --- optimizer state dicts ----------------------------------------------------------------------
OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1}),
]


def _stepped(lib, name, kwargs, steps=2):
    p = lib.nn.Parameter(lib.tensor([[1.0, -2.0], [0.5, 3.0]]))
    opt = getattr(lib.optim, name)([p], **kwargs)
    for _ in range(steps):
        p.grad = p.detach() * 0.5 + 1
        opt.step()
    return p, opt


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS)
def test_optimizer_state_dicts_both_ways(torch_ref, name, kwargs):
    tp, topt = _stepped(torch_ref, name, kwargs)
    rp, ropt = _stepped(retrograd, name, kwargs)
    _same(topt.state_dict(), _torch_to_rg(torch_ref, topt.state_dict()))
    _same(ropt.state_dict(), _rg_to_torch(torch_ref, ropt.state_dict()))
    # training goes on identically after a checkpoint crosses over
    rq, rnext = _stepped(retrograd, name, kwargs, steps=0)
    rq.data = retrograd.tensor(tp.tolist())
    rnext.load_state_dict(_torch_to_rg(torch_ref, topt.state_dict()))
    tq, tnext = _stepped(torch_ref, name, kwargs, steps=0)
    tq.data = torch_ref.tensor(rp.tolist())
    tnext.load_state_dict(_rg_to_torch(torch_ref, ropt.state_dict()))
    for param, opt in ((tp, topt), (rq, rnext), (rp, ropt), (tq, tnext)):
        param.grad = param.detach() * 0.5 + 1
        opt.step()
    np.testing.assert_allclose(rq.tolist(), tp.tolist(), rtol=1e-6)
    np.testing.assert_allclose(tq.tolist(), rp.tolist(), rtol=1e-6)


# --- what weights_only refuses, with PyTorch's own words ---------------------------------------
class Point:
    def __init__(self, x):
        self.x = x


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


class _System:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _both_errors(torch, tmp_path, obj):
    path = tmp_path / "x.pt"
    torch.save(obj, path)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError) as ours:
        retrograd.load(path)
    return str(theirs.value), str(ours.value)


@pytest.mark.parametrize(
    "make", [lambda m: Point(1), lambda m: [_Payload(m)], lambda m: {"x": _System(f"touch {m}")}]
)
def test_refusals_match_pytorchs_error_text_and_run_nothing(torch_ref, tmp_path, make):
    marker = tmp_path / "pwned"
    theirs, ours = _both_errors(torch_ref, tmp_path, make(str(marker)))
    assert ours == theirs
    assert not marker.exists()


def test_safe_globals_let_a_class_through_as_in_pytorch(torch_ref, tmp_path):
    path = tmp_path / "p.pt"
    torch_ref.save(Point(torch_ref.ones(2)), path)
    with ser.safe_globals([Point]):
        p = retrograd.load(path)
    assert type(p) is Point and type(p.x) is retrograd.Tensor and p.x.tolist() == [1.0, 1.0]
    assert ser.get_unsafe_globals_in_checkpoint(
        path
    ) == torch_ref.serialization.get_unsafe_globals_in_checkpoint(path)


def test_a_whole_retrograd_module_needs_weights_only_false_in_torch_too(torch_ref, tmp_path):
    path = tmp_path / "m.pt"
    retrograd.save(retrograd.nn.Linear(2, 3), path)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch_ref.load(path)
    with pytest.raises(pickle.UnpicklingError) as ours:
        retrograd.load(path)
    assert str(ours.value) == str(theirs.value)


# --- safetensors ---------------------------------------------------------------------------------
def test_safetensors_both_ways(torch_ref, tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    from retrograd.serialization import safetensors as st

    tensors = {
        "w": torch_ref.randn(3, 4),
        "i": torch_ref.arange(5),
        "b": torch_ref.tensor([True]),
        "h": torch_ref.ones(2, dtype=torch_ref.float16),
    }
    path = tmp_path / "m.safetensors"
    st_torch.save_file(tensors, path, metadata={"format": "pt"})
    for back in (st.load_file(path), retrograd.load(path), st.load(path.read_bytes())):
        assert sorted(back) == sorted(tensors)
        for k, t in tensors.items():
            assert str(back[k].dtype) == str(t.dtype)
            assert back[k]._data.tobytes() == t.numpy().tobytes()
    mine = {"w": retrograd.randn(3, 4).t(), "u": retrograd.arange(3, dtype=retrograd.uint8)}
    st.save_file(mine, tmp_path / "r.safetensors", metadata={"k": "v"})
    out = st_torch.load_file(tmp_path / "r.safetensors")
    assert out["w"].tolist() == mine["w"].tolist() and out["u"].dtype == torch_ref.uint8
    assert st_torch.load(st.save(mine))["u"].tolist() == [0, 1, 2]

    shared = retrograd.ones(4)
    with pytest.raises(RuntimeError, match="Some tensors share memory"):
        st.save({"a": shared, "b": shared[1:]})
    with pytest.raises(RuntimeError, match="dict map_location is not supported"):
        retrograd.load(path, map_location={"cpu": "cpu"})
