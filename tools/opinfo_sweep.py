"""Run PyTorch's own per-operator sample inputs (its OpInfo records) on retrograd and on PyTorch and
compare: values, dtypes, shapes, input gradients, and the exception type where PyTorch raises.

A developer's tool, not a test: it needs PyTorch's internal test modules (``expecttest`` installed
beside PyTorch).  Usage, from the repository root::

    PYTHONPATH=src python tools/opinfo_sweep.py [--ops NAME ...] [--jobs N] [--timeout S]
        [--out sweep.jsonl] [--summary sweep.txt] [--details N]

Each op runs on CPU in float32 and float64, and complex128 where the op supports it, or in the
``--dtypes`` named (integer and bool samples are made without requires_grad; float16 and bfloat16
results may differ in their last bit or two).  A sample's tensors are copied into retrograd
tensors with the same dtype, requires_grad, shape and strides (non-contiguous samples stay
non-contiguous; a view is the same view of its copied base).  The retrograd callable is found by the qualified name
of the record's ``op`` (``torch.linalg.svd`` -> ``retrograd.linalg.svd``, ``Tensor.add`` ->
``retrograd.Tensor.add``); a lambda defined in PyTorch's test modules runs with ``torch`` bound to
retrograd in its globals.  Each sample is classed as

- ``ok``: both raise the same exception type, or both succeed with equal values (and gradients);
- ``differ``: values, dtype, shape, gradients or the exception type differ;
- ``missing``: retrograd has no such callable, or raises NotImplementedError where PyTorch runs;
- ``crash``: retrograd raised an exception PyTorch would not name (NumPy's or SciPy's errors,
  AttributeError, KeyError, an IndexError/TypeError/ValueError raised inside NumPy, ...);
- ``skip``: the sample's inputs cannot be copied (a sparse tensor, a PyTorch-only object).

Workers run the ops in child processes; an op that kills its worker (a segfault, memory) is
recorded as a crash and the next worker goes on after it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import traceback
import types

CATEGORIES = ("ok", "differ", "missing", "crash", "skip")
DTYPES = ("float32", "float64", "complex128")
# PyTorch's internal modules whose names map onto retrograd's public ones.
MODULES = {
    "torch._C._linalg": "retrograd.linalg",
    "torch._C._special": "retrograd.special",
    "torch._C._fft": "retrograd.fft",
    "torch._C._nn": "retrograd.nn.functional",
    "torch._C._sparse": "retrograd.sparse",
    "torch._C._VariableFunctions": "retrograd",
    "torch.functional": "retrograd",
    "torch._tensor": "retrograd.Tensor",
    "torch.masked._ops": "retrograd.masked",
    "torch.signal.windows.windows": "retrograd.signal.windows",
    "torch._refs": None,
}
# ops whose results are uninitialised memory: their dtype and shape are compared, not their values
UNINITIALISED = (
    "empty",
    "empty_like",
    "empty_permuted",
    "empty_strided",
    "new_empty",
    "new_empty_strided",
)
CRASH_TYPES = (
    AttributeError,
    KeyError,
    AssertionError,
    ZeroDivisionError,
    NameError,
    UnboundLocalError,
    RecursionError,
    OverflowError,
    FloatingPointError,
)


class Timeout(BaseException):
    """A sample ran past its time (a BaseException, so no `except Exception` swallows it)."""


def _on_alarm(signum, frame):
    raise Timeout()


class Unconvertible(Exception):
    """A sample holds something retrograd has no counterpart for."""


class Missing(Exception):
    """retrograd has no callable of that name."""


# --- converting a sample -------------------------------------------------------------------------


def _compressed_to_retrograd(obj, torch, rg, memo):
    """A sparse compressed tensor: made of its three parts, copied (a leaf when it requires grad)."""
    x = obj.detach()
    if obj.layout in (torch.sparse_csr, torch.sparse_bsr):
        parts = (x.crow_indices(), x.col_indices())
    else:
        parts = (x.ccol_indices(), x.row_indices())
    cidx, pidx, vals = (to_retrograd(p.clone(), torch, rg, {}) for p in (*parts, x.values()))
    layout = getattr(rg, str(obj.layout).split(".")[-1])
    t = rg.sparse_compressed_tensor(cidx, pidx, vals, tuple(obj.shape), layout=layout)
    if obj.requires_grad:
        t.requires_grad_(True)
    return t


def to_retrograd(obj, torch, rg, memo):
    """A copy of ``obj`` with every PyTorch tensor, dtype, device, size and layout replaced by
    retrograd's; tensors keep dtype, requires_grad and strides; a tensor seen twice maps to one."""
    import numpy as np

    if isinstance(obj, torch.Tensor):
        if id(obj) in memo:
            return memo[id(obj)][1]
        if obj.layout in (torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
            t = _compressed_to_retrograd(obj, torch, rg, memo)
            memo[id(obj)] = (obj, t)
            return t
        if obj.layout != torch.strided or obj.is_quantized:
            raise Unconvertible(f"layout {obj.layout}")
        base = obj._base
        bits = (obj.is_conj(), obj.is_neg())
        if (
            base is not None
            and bits == (base.is_conj(), base.is_neg())
            and obj.requires_grad
            and obj.grad_fn is None
            and base.requires_grad
        ):
            # a view made under no_grad of a tensor that requires grad (istft's window[:8]):
            # no leaf of its own, no edge in a graph; made so here too, not as a fresh leaf. A
            # conjugate or negative view (mm's `b.conj()` sample) holds other values than its base
            # reads, so it is copied as below: retrograd has no conjugate views
            b = to_retrograd(base, torch, rg, memo)
            with rg.no_grad():
                if base.is_complex() and not obj.is_complex():  # (window.real[:8])
                    b = b.real
                elif obj.dtype != base.dtype:
                    raise Unconvertible(f"a {obj.dtype} view of a {base.dtype} tensor")
                t = _view_of(obj, b, base)
            memo[id(obj)] = (obj, t)
            return t
        if (
            base is not None
            and not base.requires_grad
            and obj.dtype == base.dtype
            and not (obj.is_conj() or obj.is_neg() or base.is_conj() or base.is_neg())
        ):
            # a view of a tensor that needs no grad, itself a leaf when it requires grad
            # (as_strided's base[5:15].requires_grad_()): the same view of the converted base,
            # so an op reading the storage past the view (as_strided) reads the same values
            t = _view_of(obj, to_retrograd(base, torch, rg, memo), base)
            if obj.requires_grad:
                t.requires_grad_(True)
            memo[id(obj)] = (obj, t)
            return t
        x = obj.detach().resolve_conj().resolve_neg()
        bfloat16 = x.dtype == torch.bfloat16  # (NumPy has none: through float32, exactly)
        arr = x.float().numpy() if bfloat16 else x.numpy()
        if x.is_contiguous() or x.numel() == 0:
            copy = np.array(arr, copy=True, order="C")
        else:  # the same strides over a fresh buffer
            span = 1 + sum((n - 1) * s for n, s in zip(x.shape, x.stride()) if n > 0)
            base = np.zeros(span, dtype=arr.dtype)
            copy = np.lib.stride_tricks.as_strided(
                base, x.shape, tuple(s * arr.itemsize for s in x.stride())
            )
            copy[...] = arr
        t = rg.from_numpy(copy)
        if bfloat16:
            t = t.bfloat16()
        if obj.requires_grad:
            t.requires_grad_(True)
        memo[id(obj)] = (obj, t)
        return t
    if isinstance(obj, torch.dtype):
        return getattr(rg, str(obj).split(".")[-1])
    if isinstance(obj, torch.device):
        return rg.device(str(obj))
    if isinstance(obj, torch.memory_format):
        return getattr(rg, str(obj).split(".")[-1])
    if isinstance(obj, torch.layout):
        return getattr(rg, str(obj).split(".")[-1])
    if isinstance(obj, torch.Size):
        return rg.Size(obj)
    if isinstance(obj, torch.Generator):
        raise Unconvertible("generator")
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(to_retrograd(v, torch, rg, memo) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_retrograd(v, torch, rg, memo) for v in obj)
    if isinstance(obj, dict):
        return {k: to_retrograd(v, torch, rg, memo) for k, v in obj.items()}
    if isinstance(obj, (int, float, complex, bool, str, type(None), slice, type(Ellipsis))):
        return obj
    if isinstance(obj, (np.ndarray, np.generic)):
        return obj
    if callable(obj) and getattr(obj, "__module__", "") and obj.__module__.startswith("torch"):
        try:
            return resolve(obj, torch, rg)
        except Missing as e:
            raise Unconvertible(str(e)) from e
    raise Unconvertible(type(obj).__name__)


def _view_of(obj, b, base):
    """The view ``obj`` of PyTorch's tensor ``base`` made over ``b``, retrograd's copy of base
    (or of its real part): the same sizes, strides and offset into the storage."""
    size = obj.element_size()
    offset = obj.storage_offset() * size - base.storage_offset() * base.element_size()
    return b.as_strided(tuple(obj.shape), obj.stride(), b.storage_offset() + offset // size)


# --- finding retrograd's callable -----------------------------------------------------------------


def _lookup(root, dotted):
    obj = root
    for part in dotted.split("."):
        if not hasattr(obj, part):
            raise Missing(f"{getattr(root, '__name__', root)}.{dotted}")
        obj = getattr(obj, part)
    return obj


def resolve(fn, torch, rg):
    """retrograd's counterpart of PyTorch's callable ``fn``."""
    import importlib

    if isinstance(fn, types.FunctionType) and fn.__module__.startswith("torch.testing"):
        return _rebind(fn, torch, rg) if _test_helper(fn) else fn
    if isinstance(fn, types.FunctionType) and fn.__module__.startswith(
        ("torch._refs", "torch._prims")
    ):
        raise Missing(f"reference {fn.__module__}.{fn.__qualname__}")
    name = getattr(fn, "__name__", None)
    objclass = getattr(fn, "__objclass__", None)
    if objclass is not None and name:  # a method descriptor: Tensor.add, Tensor.__radd__
        return _lookup(rg.Tensor, name)
    self = getattr(fn, "__self__", None)
    if self is not None and isinstance(self, type) and issubclass(self, torch.Tensor) and name:
        return _lookup(rg, name) if hasattr(rg, name) else _lookup(rg.Tensor, name)
    if type(fn).__name__ in ("OpOverloadPacket", "OpOverload"):  # torch.ops.aten.slice.Tensor
        packet = getattr(fn, "overloadpacket", fn).__name__
        aten = getattr(rg.ops.aten, packet)
        if not aten.exists():
            raise Missing(f"torch.ops.aten.{packet}")
        return (
            getattr(aten, fn._overloadname) if fn is not getattr(fn, "overloadpacket", fn) else aten
        )
    module = getattr(fn, "__module__", None) or ""
    qualname = getattr(fn, "__qualname__", name) or ""
    if isinstance(fn, types.BuiltinFunctionType) or "<locals>" in qualname:
        qualname = name or ""  # torch.abs's is '_VariableFunctionsClass.abs'; a made function's
    if module in MODULES:
        target = MODULES[module]
        if target is None:
            raise Missing(f"{module}.{qualname}")
        head, _, rest = target.partition(".")
        root = importlib.import_module(head)
        if rest:
            root = _lookup(root, rest)
        if module == "torch._tensor":
            qualname = qualname.rpartition(".")[2]
        for prefix in ("linalg_", "special_", "fft_"):  # torch._C._linalg.linalg_solve
            if target.endswith(prefix[:-1]) and qualname.startswith(prefix):
                qualname = qualname[len(prefix) :]
        if module == "torch._C._nn" and not hasattr(root, qualname):
            aten = getattr(rg.ops.aten, qualname)  # an operator F names otherwise (log_sigmoid)
            if aten.exists():
                return aten
        return _lookup(root, qualname)
    if module.startswith("torch"):
        mod = "retrograd" + module[len("torch") :]
        try:
            root = importlib.import_module(mod)
        except ImportError as e:
            raise Missing(f"module {mod}") from e
        return _lookup(root, qualname)
    raise Missing(f"{module}.{qualname}")


_REBOUND_GLOBALS: dict = {}


class _Namespace(types.ModuleType):
    """retrograd's module seen where a test function reads PyTorch's: a name retrograd lacks is
    PyTorch's when private or a module (test machinery such as ``torch.utils._mode_utils``,
    ``torch.accelerator``), else Missing."""

    def __init__(self, ours, theirs):
        super().__init__(ours.__name__)
        self._ours, self._theirs = ours, theirs

    def __getattr__(self, name):
        if hasattr(self._ours, name):
            value = getattr(self._ours, name)
            theirs = getattr(self._theirs, name, None)
            if isinstance(value, types.ModuleType) and isinstance(theirs, types.ModuleType):
                return _Namespace(value, theirs)
            return value
        theirs = getattr(self._theirs, name, None)
        if theirs is not None and (name.startswith("_") or isinstance(theirs, types.ModuleType)):
            return theirs
        raise Missing(f"{self._ours.__name__}.{name}")


def _rebound_globals(module_globals, torch, rg):
    """A copy of a PyTorch test module's globals in which ``torch`` (and its submodules) are
    retrograd's and the module's own functions read this copy; one per module."""
    key = id(module_globals)
    if key in _REBOUND_GLOBALS:
        return _REBOUND_GLOBALS[key]
    glb = dict(module_globals)
    _REBOUND_GLOBALS[key] = glb
    for name, value in module_globals.items():
        if value is torch:
            glb[name] = _Namespace(rg, torch)
        elif isinstance(value, types.ModuleType) and value.__name__.startswith("torch."):
            try:
                glb[name] = _Namespace(_lookup(rg, value.__name__[len("torch.") :]), value)
            except Missing:
                pass
        elif isinstance(value, types.FunctionType) and _test_helper(value):
            glb[name] = _rebind(value, torch, rg)
    return glb


def _test_helper(fn):
    """A function of PyTorch's op tests (not of their machinery: RNG state, device setup)."""
    module = fn.__module__ or ""
    return module.startswith("torch.testing") and module.rpartition(".")[2] not in (
        "common_utils",
        "common_device_type",
        "common_cuda",
        "common_dtype",
    )


def _rebind(fn, torch, rg):
    """A test-module function run over retrograd: its globals and closure see retrograd where
    they saw torch."""
    glb = _rebound_globals(fn.__globals__, torch, rg)
    closure = None
    if fn.__closure__:
        cells = []
        for cell in fn.__closure__:
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                cells.append(types.CellType())
                continue
            if (
                callable(value)
                and not isinstance(value, type)
                and (getattr(value, "__module__", "") or "").startswith("torch")
            ):
                try:
                    value = resolve(value, torch, rg)
                except Missing:
                    pass
            elif isinstance(value, (torch.Tensor, torch.dtype)):
                value = to_retrograd(value, torch, rg, {})
            cells.append(types.CellType(value))
        closure = tuple(cells)
    return types.FunctionType(fn.__code__, glb, fn.__name__, fn.__defaults__, closure)


# --- comparing ------------------------------------------------------------------------------------


def flatten(obj):
    if isinstance(obj, (list, tuple)):
        return [leaf for item in obj for leaf in flatten(item)]
    return [obj]


def tolerance(dtype_name):
    return {
        "float32": (1.3e-6 * 10, 1e-5 * 10),
        "float64": (1e-7, 1e-7 * 10),
        "complex64": (1.3e-5, 1e-4),
        "complex128": (1e-7, 1e-6),
        # (a float16 or bfloat16 result rounded at other steps than PyTorch's differs in its
        # last bit or two)
        "float16": (2e-3, 1e-3),
        "bfloat16": (1.6e-2, 1e-3),
    }.get(dtype_name, (1e-5, 1e-5))


def compare_values(theirs, ours, torch, rg, values=True):
    """None when equal, else a short description of the first difference (of dtypes and shapes
    only, without ``values``)."""
    import numpy as np

    a, b = flatten(theirs), flatten(ours)
    if len(a) != len(b):
        return f"structure: {len(a)} outputs vs {len(b)}"
    for i, (x, y) in enumerate(zip(a, b)):
        if isinstance(x, torch.Tensor):
            if not isinstance(y, rg.Tensor):
                return f"output {i}: Tensor vs {type(y).__name__}"
            if str(x.dtype) != str(y.dtype):
                return f"output {i}: dtype {x.dtype} vs {y.dtype}"
            if tuple(x.shape) != tuple(y.shape):
                return f"output {i}: shape {tuple(x.shape)} vs {tuple(y.shape)}"
            if not values:
                continue
            if x.layout in (torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
                if str(x.layout) != str(y.layout):
                    return f"output {i}: layout {x.layout} vs {y.layout}"
                x, y = x.detach().to_dense(), y.detach().to_dense()
            elif x.layout == torch.sparse_coo:  # (its dense values: the pattern may differ)
                if not y.is_sparse:
                    return f"output {i}: layout {x.layout} vs {y.layout}"
                x, y = x.detach().to_dense(), y.detach().to_dense()
            elif x.layout != torch.strided:
                continue
            xa = x.detach().resolve_conj().resolve_neg()
            if xa.dtype == torch.bfloat16:
                xa = xa.float()
            xa = xa.numpy()
            ya = y.detach()
            ya = ya.resolve_conj() if hasattr(ya, "resolve_conj") else ya
            if ya.dtype == rg.bfloat16:
                ya = ya.float()
            ya = np.asarray(ya.numpy())
            rtol, atol = tolerance(str(x.dtype).split(".")[-1])
            if xa.dtype.kind in "fc":
                if not np.allclose(xa, ya, rtol=rtol, atol=atol, equal_nan=True):
                    err = np.nanmax(np.abs(xa - ya)) if xa.size else 0.0
                    return f"output {i}: values differ (max abs {err:.3g})"
            elif not np.array_equal(xa, ya):
                return f"output {i}: values differ"
        elif isinstance(y, rg.Tensor):
            return f"output {i}: {type(x).__name__} vs Tensor"
        elif isinstance(x, (float, complex)) and isinstance(y, (int, float, complex)):
            if not (x == y or (x != x and y != y) or abs(x - y) <= 1e-6 * (1 + abs(x))):
                return f"output {i}: {x!r} vs {y!r}"
        elif isinstance(x, (int, bool, str)) or x is None:
            if x != y or type(x) is not type(y) and not (isinstance(x, int) and isinstance(y, int)):
                return f"output {i}: {x!r} vs {y!r}"
    return None


def exception_class(e):
    """``crash`` for an exception PyTorch's users would never see from it, else ``error``."""
    if isinstance(e, CRASH_TYPES):
        return "crash"
    module = type(e).__module__ or ""
    if module.startswith(("numpy", "scipy")):
        return "crash"
    if isinstance(e, (IndexError, TypeError, ValueError)):
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        filename = tb.tb_frame.f_code.co_filename
        if "/numpy/" in filename or "/scipy/" in filename:
            return "crash"
    return "error"


def same_exception(theirs, ours):
    """The same type by name (PyTorch's LinAlgError is ``torch._C._LinAlgError``), or a subclass of
    the builtin type PyTorch raised."""
    if type(theirs).__name__.lstrip("_") == type(ours).__name__.lstrip("_"):
        return True
    return type(theirs).__module__ == "builtins" and isinstance(ours, type(theirs))


def where(e):
    tb = e.__traceback__
    frames = traceback.extract_tb(tb)
    for frame in reversed(frames):
        if "/retrograd/" in frame.filename:
            return f"{os.path.basename(frame.filename)}:{frame.lineno} {frame.name}"
    return ""


# --- one sample -----------------------------------------------------------------------------------


def run_sample(opinfo, sample, fn_ours, torch, rg, timeout):
    """(category, detail) of one sample."""
    import numpy as np

    memo: dict = {}
    try:
        args_ours = to_retrograd((sample.input, sample.args, sample.kwargs), torch, rg, memo)
    except Unconvertible as e:
        return "skip", f"unconvertible {e}"
    torch.manual_seed(1234)
    try:
        theirs = opinfo.op(sample.input, *sample.args, **sample.kwargs)
        their_error = None
    except Exception as e:
        their_error = e
    rg.manual_seed(1234)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        x, args, kwargs = args_ours
        ours = fn_ours(x, *args, **kwargs)
        our_error = None
    except Timeout:
        return "crash", f"timeout {timeout}s"
    except Missing as e:
        return "missing", str(e)
    except Exception as e:
        our_error = e
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if our_error is not None:
        kind = exception_class(our_error)
        text = f"{type(our_error).__name__}: {str(our_error)[:160]} [{where(our_error)}]"
        if their_error is not None:
            if kind != "crash" and same_exception(their_error, our_error):
                return "ok", None
            return ("crash" if kind == "crash" else "differ"), (
                f"raise {type(their_error).__name__} vs {text}"
            )
        if kind == "crash":
            return "crash", text
        if isinstance(our_error, NotImplementedError):
            return "missing", text
        return "differ", f"raise none vs {text}"
    if their_error is not None:
        return "differ", (f"raise {type(their_error).__name__}: {str(their_error)[:120]} vs none")
    process = sample.output_process_fn_grad  # (makes non-unique results comparable: svd's signs)
    if process.__name__ != "<lambda>" or process.__code__.co_code != (lambda x: x).__code__.co_code:
        theirs = process(theirs)
        try:
            ours = resolve(process, torch, rg)(ours)
        except Exception as e:
            return exception_class(e) if exception_class(e) == "crash" else "differ", (
                f"output_process_fn_grad {type(e).__name__}: {str(e)[:160]} [{where(e)}]"
            )
    problem = compare_values(theirs, ours, torch, rg, opinfo.name not in UNINITIALISED)
    if problem:
        return "differ", problem
    # gradients
    their_outs = [
        t
        for t in flatten(theirs)
        if isinstance(t, torch.Tensor)
        and t.requires_grad
        and (t.is_floating_point() or t.is_complex())
    ]
    our_outs = [
        t
        for t, x in zip(flatten(ours), flatten(theirs))
        if isinstance(x, torch.Tensor)
        and x.requires_grad
        and (x.is_floating_point() or x.is_complex())
    ]
    leaves = [(t, o) for t, o in memo.values() if isinstance(t, torch.Tensor) and t.requires_grad]
    if not their_outs or not leaves or not opinfo.supports_autograd:
        return "ok", None
    if any(not o.requires_grad for o in our_outs):
        return "differ", "output does not require grad"
    gen = np.random.default_rng(7)
    grads_t, grads_o = [], []
    for t in their_outs:
        g = gen.standard_normal(tuple(t.shape))
        if t.is_complex():
            g = g + 1j * gen.standard_normal(tuple(t.shape))
        if t.dtype == torch.bfloat16:  # (NumPy has no bfloat16: rounded by each library)
            g = np.asarray(g, dtype="float32")
            grads_t.append(torch.from_numpy(g.copy()).bfloat16())
            grads_o.append(rg.from_numpy(g.copy()).bfloat16())
            continue
        g = np.asarray(g, dtype=str(t.dtype).split(".")[-1])
        grads_t.append(torch.from_numpy(g.copy()))
        grads_o.append(rg.from_numpy(g.copy()))
    try:
        gt = torch.autograd.grad(their_outs, [t for t, _ in leaves], grads_t, allow_unused=True)
    except Exception:
        return "ok", None
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        go = rg.autograd.grad(our_outs, [o for _, o in leaves], grads_o, allow_unused=True)
    except Timeout:
        return "crash", f"backward timeout {timeout}s"
    except Exception as e:
        kind = exception_class(e)
        text = f"backward {type(e).__name__}: {str(e)[:160]} [{where(e)}]"
        return ("crash" if kind == "crash" else "differ"), text
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    for i, (a, b) in enumerate(zip(gt, go)):
        if a is None and b is None:
            continue
        if a is None:
            a = torch.zeros_like(leaves[i][0])
        if b is None:
            b = rg.zeros_like(leaves[i][1])
        problem = compare_values(a, b, torch, rg)
        if problem:
            return "differ", f"grad of input {i}: {problem.partition(': ')[2]}"
    return "ok", None


def run_op(opinfo, torch, rg, timeout, dtypes):
    """Counts per category and the details of non-ok samples, over the dtypes the op supports."""
    counts: collections.Counter = collections.Counter()
    details: collections.Counter = collections.Counter()  # (dtype, category, detail) -> samples
    try:
        supported = opinfo.supported_dtypes("cpu")
    except Exception:
        supported = opinfo.dtypes
    try:
        fn_ours = resolve(opinfo.op, torch, rg)
        missing = None
    except Missing as e:
        fn_ours, missing = None, str(e)
    for dtype_name in dtypes:
        dtype = getattr(torch, dtype_name)
        if dtype not in supported:
            continue
        requires_grad = bool(opinfo.supports_autograd) and (
            dtype.is_floating_point or dtype.is_complex
        )
        signal.setitimer(signal.ITIMER_REAL, timeout * 4)
        try:
            samples = list(opinfo.sample_inputs("cpu", dtype, requires_grad=requires_grad))
        except Timeout:
            counts["skip"] += 1
            details[(dtype_name, "skip", "sample generation timed out")] += 1
            continue
        except Exception as e:
            counts["skip"] += 1
            details[(dtype_name, "skip", f"sample generation: {type(e).__name__}: {e}")] += 1
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for sample in samples:
            if missing:
                category, detail = "missing", missing
            else:
                try:
                    category, detail = run_sample(opinfo, sample, fn_ours, torch, rg, timeout)
                except Timeout:
                    category, detail = "crash", "timeout"
                except Exception as e:  # the sweep's own failure: say so, go on
                    category, detail = "skip", f"sweep: {type(e).__name__}: {e}"
            counts[category] += 1
            if category != "ok":
                details[(dtype_name, category, detail)] += 1
    return counts, [[*key, n] for key, n in details.most_common(40)]


def opinfo_key(opinfo):
    return opinfo.name + ("." + opinfo.variant_test_name if opinfo.variant_test_name else "")


def worker(names, out_path, timeout, dtypes):
    """Run the named ops, appending one JSON line per op to ``out_path``."""
    import warnings

    warnings.filterwarnings("ignore")
    import torch
    from torch.testing._internal.common_methods_invocations import op_db

    import retrograd as rg

    torch.set_default_dtype(torch.float32)
    signal.signal(signal.SIGALRM, _on_alarm)
    by_key = {opinfo_key(o): o for o in op_db}
    with open(out_path, "a") as out:
        for key in names:
            out.write(json.dumps({"start": key}) + "\n")
            out.flush()
            try:
                counts, details = run_op(by_key[key], torch, rg, timeout, dtypes)
            except Exception as e:  # the sweep's own failure: record it, go on
                counts, details = {"skip": 1}, [["", "skip", f"sweep: {type(e).__name__}: {e}", 1]]
            out.write(json.dumps({"op": key, "counts": dict(counts), "details": details}) + "\n")
            out.flush()


def all_keys(selected):
    import warnings

    warnings.filterwarnings("ignore")
    from torch.testing._internal.common_methods_invocations import op_db

    keys = [opinfo_key(o) for o in op_db]
    if selected:
        keys = [k for k in keys if k in selected or k.split(".")[0] in selected]
    return keys


def read_results(path):
    done, started = {}, []
    if not os.path.exists(path):
        return done, started
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if "start" in record:
                started.append(record["start"])
            else:
                done[record["op"]] = record
    return done, started


def drive(keys, out_path, jobs, timeout, dtypes):
    """Run every op in child workers, restarting past an op that kills its worker."""
    shards = [keys[i::jobs] for i in range(jobs)]
    paths = [f"{out_path}.{i}" for i in range(jobs)]
    for p in paths:
        if os.path.exists(p):
            os.remove(p)
    pending = {i: list(s) for i, s in enumerate(shards) if s}
    procs = {}

    def launch(i):
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            paths[i],
            "--timeout",
            str(timeout),
            "--dtypes",
            *dtypes,
            "--ops",
            *pending[i],
        ]
        procs[i] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    for i in pending:
        launch(i)
    while procs:
        for i, p in list(procs.items()):
            if p.poll() is None:
                continue
            del procs[i]
            done, started = read_results(paths[i])
            left = [k for k in pending[i] if k not in done]
            if left and p.returncode != 0:
                dead = started[-1] if started and started[-1] not in done else left[0]
                with open(paths[i], "a") as out:
                    out.write(
                        json.dumps(
                            {
                                "op": dead,
                                "counts": {"crash": 1},
                                "details": [["", "crash", f"worker died (exit {p.returncode})", 1]],
                            }
                        )
                        + "\n"
                    )
                left = [k for k in left if k != dead]
            pending[i] = left
            if left:
                launch(i)
        import time

        time.sleep(0.5)
    results = {}
    with open(out_path, "w") as out:
        for p in paths:
            done, _ = read_results(p)
            results.update(done)
            os.remove(p)
        for key in keys:
            if key in results:
                out.write(json.dumps(results[key]) + "\n")
    return [results[k] for k in keys if k in results]


def summarize(results, n_details):
    lines = []
    totals = collections.Counter()
    for r in results:
        totals.update(r["counts"])
    clean = sum(1 for r in results if set(r["counts"]) <= {"ok", "skip"})
    lines.append(
        f"ops {len(results)} (all samples ok: {clean}); samples {sum(totals.values())}: "
        + ", ".join(f"{c} {totals[c]}" for c in CATEGORIES)
    )
    lines.append("")
    lines.append(f"{'op':40s} " + " ".join(f"{c:>7s}" for c in CATEGORIES))
    for r in sorted(results, key=lambda r: r["op"]):
        c = r["counts"]
        lines.append(f"{r['op']:40s} " + " ".join(f"{c.get(k, 0):7d}" for k in CATEGORIES))
    lines.append("")
    lines.append("causes (first detail of each op; most common first):")
    causes = collections.Counter()
    ops_of = collections.defaultdict(set)
    for r in results:
        for _dtype, category, detail, n in r["details"]:
            causes[(category, _cause(detail))] += n
            ops_of[(category, _cause(detail))].add(r["op"])
    for key, n in causes.most_common(100):
        names = sorted(ops_of[key])
        shown = " ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
        lines.append(f"{n:6d} {key[0]:8s} {key[1]}  ({len(names)} ops: {shown})")
    if n_details:
        lines.append("")
        lines.append("details:")
        for r in results:
            seen = set()
            for dtype, category, detail, n in r["details"]:
                if (category, detail) in seen or len(seen) >= n_details:
                    continue
                seen.add((category, detail))
                lines.append(f"{r['op']} [{dtype} x{n}] {category}: {detail}")
    return "\n".join(lines)


def _cause(detail):
    """A sample's detail with its numbers stripped: one line per kind of difference."""
    import re

    text = re.sub(r"\(max abs [^)]*\)", "", detail or "")
    text = re.sub(r"output \d+", "output", text)
    text = re.sub(r"input \d+", "input", text)
    text = re.sub(r"\[[^\]]*\]$", "", text).strip()
    return text[:150]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", nargs="*", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--dtypes", nargs="*", default=list(DTYPES))
    parser.add_argument("--out", default="opinfo_sweep.jsonl")
    parser.add_argument("--summary", default=None)
    parser.add_argument("--details", type=int, default=3)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--resummarize", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.ops, args.worker, args.timeout, args.dtypes)
        return
    if args.resummarize:
        results = [json.loads(line) for line in open(args.out)]
    else:
        results = drive(all_keys(args.ops), args.out, args.jobs, args.timeout, args.dtypes)
    text = summarize(results, args.details)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")
    print(text.split("\n\n")[0])


if __name__ == "__main__":
    main()
