"""Run a fuzz program on a library module, record what a user could observe after every step,
compare two such records, and shrink a differing program to a minimal one.

A program is a list of ``Step`` (one or a few lines of Python source each) that refers to the
library only through the name ``torch``; the same text runs with ``import torch`` and with
``import retrograd as torch``.
"""

import builtins
import re
import signal
import warnings
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Step:
    src: str  # Python source, refers to the library as ``torch``
    tag: str  # "category:op", groups differences by what the step did
    _code: object = field(default=None, repr=False, compare=False)

    @property
    def code(self):
        if self._code is None:
            self._code = compile(self.src, "<fuzz>", "exec")
        return self._code


def render(steps):
    """The program as a runnable script."""
    return "import torch\n\n" + "\n".join(s.src for s in steps) + "\n"


# --- recording -------------------------------------------------------------------------------

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def _norm_message(text):
    text = text.replace("retrograd.", "torch.").replace("retrograd", "torch")
    return _ADDR.sub("0x?", text)


def _array(t):
    try:
        return t.detach().numpy()
    except RuntimeError:  # PyTorch's ZeroTensor (a tangent known to be zero) needs force=True
        return t.detach().numpy(force=True)


def _tensor_desc(t, names_by_id, name):
    arr = _array(t)
    grad = None
    g = t.grad
    if g is not None:
        grad = (str(g.dtype), tuple(g.shape), _array(g).copy(), bool(g.requires_grad))
    try:
        fn = t.grad_fn
        fn = None if fn is None else type(fn).__name__
    except Exception as e:  # noqa: BLE001 - PyTorch refuses grad_fn of some modified views
        fn = f"raises {type(e).__name__}: {_norm_message(str(e))}"
    alias = names_by_id.get(id(t))
    try:
        is_leaf = bool(t.is_leaf)
    except Exception as e:  # noqa: BLE001 - as grad_fn
        is_leaf = f"raises {type(e).__name__}: {_norm_message(str(e))}"
    return {
        "dtype": str(t.dtype),
        "shape": tuple(t.shape),
        "requires_grad": bool(t.requires_grad),
        "is_leaf": is_leaf,
        "grad_fn": fn,
        "is_contiguous": bool(t.is_contiguous()),
        "value": arr.copy(),
        "grad": grad,
        "alias_of": alias if alias != name else None,
    }


def _desc(value, mod, names_by_id, name):
    if isinstance(value, mod.Tensor):
        return ("T", _tensor_desc(value, names_by_id, name))
    if value is None or isinstance(value, (bool, int, float, str)):
        return ("V", value)
    if isinstance(value, (list, tuple)):
        return ("L", tuple(_desc(v, mod, names_by_id, None) for v in value))
    return ("O", None)  # handles, classes, functions: not compared


class Snapshot(dict):
    """Variable name -> description; ``aliased_grads``: the names of tensors whose ``.grad`` shares
    memory with another tensor's (PyTorch's AccumulateGrad can keep one stride-0 gradient as two
    leaves' ``.grad``, and a later in-place accumulation into one then changes the other: a defect
    of the reference, not behaviour to copy)."""

    aliased_grads = frozenset()


def _aliased_grads(named):
    arrays = [(k, _array(t.grad)) for k, t in named if t.grad is not None]
    return frozenset(
        name
        for i, (k, a) in enumerate(arrays)
        for j, (m, b) in enumerate(arrays)
        if i != j and np.shares_memory(a, b)
        for name in (k, m)
    )


def snapshot(ns, mod):
    """What a user could print about every variable of the program."""
    names = sorted(k for k in ns if not k.startswith("_") and k != "torch")
    names_by_id = {}
    for k in names:
        if isinstance(ns[k], mod.Tensor):
            names_by_id.setdefault(id(ns[k]), k)
    snap = Snapshot((k, _desc(ns[k], mod, names_by_id, k)) for k in names)
    snap.aliased_grads = _aliased_grads((k, ns[k]) for k in names_by_id.values())
    return snap


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout("program ran too long")


def run(steps, mod, timeout=None):
    """Execute ``steps`` with ``torch`` bound to ``mod``; one (error, snapshot) per step."""
    ns = {"torch": mod, "__builtins__": builtins}
    trace = []
    old = None
    if timeout:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(timeout)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for step in steps:
                err = None
                try:
                    exec(step.code, ns)
                except _Timeout:
                    raise
                except Exception as e:  # noqa: BLE001 - the error is part of the behaviour
                    err = (type(e).__name__, _norm_message(str(e)))
                trace.append((err, snapshot(ns, mod)))
    except _Timeout:
        trace.append((("Timeout", "program ran too long"), {}))
    finally:
        if timeout:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        mod.set_grad_enabled(True)
    return trace


# --- comparing -------------------------------------------------------------------------------


def _tol(dtype, loose=False):
    if dtype.endswith("float64") and not loose:
        return 1e-7, 1e-9
    if dtype.endswith(("float16", "bfloat16")):
        return 1e-2, 1e-3
    return 2e-4, 2e-5


def _values_differ(ref, got, dtype, loose=False):
    if ref.shape != got.shape:
        return True
    if ref.dtype.kind in "biu" or ref.dtype == np.bool_:
        return not np.array_equal(ref, got)
    ref = ref.astype(np.float64)
    got = got.astype(np.float64)
    if not np.array_equal(np.isnan(ref), np.isnan(got)):
        return True
    fin = np.isfinite(ref)
    if not np.array_equal(ref[~fin & ~np.isnan(ref)], got[~fin & ~np.isnan(ref)]):
        return True
    rtol, atol = _tol(dtype, loose)
    r, g = ref[fin], got[fin]
    if r.size == 0:
        return False
    scale = max(1.0, float(np.abs(r).max()))
    return bool((np.abs(r - g) > atol * scale + rtol * np.abs(r)).any())


def _maxdiff(x, y):
    try:
        return f"  (largest difference {np.abs(x.astype(np.float64) - y).max():.3g})"
    except Exception:  # noqa: BLE001 - shapes differ
        return ""


def _fmt(v):
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=5, threshold=30, separator=", ").replace("\n", "")
    return repr(v)


_TENSOR_FIELDS = (
    "dtype",
    "shape",
    "requires_grad",
    "is_leaf",
    "grad_fn",
    "alias_of",
    "value",
    "grad",
    "is_contiguous",
)


def _compare_desc(path, ref, got, loose=False, fields=_TENSOR_FIELDS):
    """First difference between two descriptions as (field, path, ref text, got text), or None."""
    if ref[0] != got[0]:
        return ("kind", path, ref[0], got[0])
    kind = ref[0]
    if kind == "V" and "value" not in fields:
        return None
    if kind == "V":
        a, b = ref[1], got[1]
        if isinstance(a, float) and isinstance(b, (float, int)) and not isinstance(b, bool):
            if _values_differ(np.array(a), np.array(float(b)), "float32"):
                return ("value", path, repr(a), repr(b))
            return None
        if type(a) is not type(b) or a != b:
            return ("value", path, repr(a), repr(b))
        return None
    if kind == "L":
        if len(ref[1]) != len(got[1]):
            return ("length", path, str(len(ref[1])), str(len(got[1])))
        for i, (a, b) in enumerate(zip(ref[1], got[1])):
            d = _compare_desc(f"{path}[{i}]", a, b, loose, fields)
            if d:
                return d
        return None
    if kind == "O":
        return None
    a, b = ref[1], got[1]
    for f in fields:
        x, y = a[f], b[f]
        if f == "value":
            if x.dtype != y.dtype and a["dtype"] == b["dtype"]:
                pass  # the numpy dtype names may differ for bool; values compare below
            if _values_differ(x, y, a["dtype"], loose):
                return ("value", path, _fmt(x), _fmt(y) + _maxdiff(x, y))
        elif f == "grad":
            if (x is None) != (y is None):
                return (
                    "grad",
                    path + ".grad",
                    _fmt(x if x is None else x[2]),
                    _fmt(y if y is None else y[2]),
                )
            if x is not None:
                if x[0] != y[0]:
                    return ("grad-dtype", path + ".grad", x[0], y[0])
                if x[1] != y[1]:
                    return ("grad-shape", path + ".grad", str(x[1]), str(y[1]))
                if x[3] != y[3]:
                    return ("grad-requires_grad", path + ".grad", str(x[3]), str(y[3]))
                if _values_differ(x[2], y[2], x[0], loose):
                    return ("grad", path + ".grad", _fmt(x[2]), _fmt(y[2]) + _maxdiff(x[2], y[2]))
        elif (
            f == "grad_fn"
            and (x == "CppFunction" or path[:1] in "dqgj")
            and (x is None) == (y is None)
        ):
            pass  # PyTorch exposes no Python class for that node, or the node belongs to a
            # derivative formula (forward AD's d*, q*; autograd.grad's g* with create_graph;
            # torch.autograd.functional's j*),
            # which retrograd writes in its own ops: only its presence is compared
        elif f == "is_contiguous" and path[:1] in "dq":
            pass  # the layout of a tangent is PyTorch's own choice
        elif f == "alias_of" and path.startswith("g"):
            pass  # which gradients autograd.grad returns as one object is not specified
        elif x != y:
            return (f, f"{path}.{f}", repr(x), repr(y))
    return None


@dataclass
class Difference:
    step: int  # index of the first step after which the records differ
    field: str  # error / missing-error / unexpected-error / value / grad / dtype / ...
    where: str  # variable path
    ref: str  # what the reference library gave
    got: str  # what the library under test gave
    tag: str  # the step's tag

    @property
    def signature(self):
        """What groups differences of one cause: the field and the step's kind (for steps run
        under a grad mode, the mode and the kind of op, not the op)."""
        tag = self.tag
        if tag.startswith("mode:"):
            tag = ":".join(tag.split(":")[:3])
        return (self.field, tag)

    def is_silent_gradient(self):
        """Gradients that differ while neither library raised."""
        return self.field in ("grad", "grad-shape", "grad-dtype") or (
            self.field == "value" and self.tag.startswith("backward:")
        )


def _aliased(field, where, ref_trace, i):
    """``field``, or "grad-aliased-in-reference" for the ``.grad`` of a tensor to which the
    reference gave memory shared with another tensor's ``.grad`` (see Snapshot), by step ``i``:
    PyTorch's accumulation into shared memory, not a silent wrong gradient of ours."""
    name = where.split(".")[0]
    if field.startswith("grad") and any(name in s.aliased_grads for _, s in ref_trace[: i + 1]):
        return "grad-aliased-in-reference"
    return field


def compare(steps, ref_trace, got_trace):
    """The first difference between two records of ``steps``, or None.  Where float32 takes part
    anywhere, float64 results are compared at float32's tolerance too (they may carry its error)."""
    loose = any("float32" in s.src or ".float()" in s.src for s in steps)
    for i, ((e1, s1), (e2, s2)) in enumerate(zip(ref_trace, got_trace)):
        tag = steps[i].tag if i < len(steps) else "?"
        if e1 != e2:
            if e1 is None:
                return Difference(i, "unexpected-error", "", "no error", f"{e2[0]}: {e2[1]}", tag)
            if e2 is None:
                return Difference(i, "missing-error", "", f"{e1[0]}: {e1[1]}", "no error", tag)
            if e1[0] != e2[0]:
                return Difference(
                    i, "error-type", "", f"{e1[0]}: {e1[1]}", f"{e2[0]}: {e2[1]}", tag
                )
            if not e2[1].startswith(e1[1]):
                return Difference(
                    i, "error-text", "", f"{e1[0]}: {e1[1]}", f"{e2[0]}: {e2[1]}", tag
                )
        if s1.keys() != s2.keys():
            return Difference(i, "variables", "", str(sorted(s1)), str(sorted(s2)), tag)
        for k in s1:
            d = _compare_desc(k, s1[k], s2[k], loose)
            if d:
                return Difference(i, _aliased(d[0], d[1], ref_trace, i), d[1], d[2], d[3], tag)
    if len(ref_trace) != len(got_trace):
        return Difference(
            min(len(ref_trace), len(got_trace)),
            "length",
            "",
            str(len(ref_trace)),
            str(len(got_trace)),
            "?",
        )
    return None


def gradient_difference(steps, ref_trace, got_trace):
    """The first difference in a gradient (a ``.grad``, or a result of ``autograd.grad`` or
    ``torch.autograd.functional``) before the libraries first disagree about an error; None if
    there is none.  Unlike ``compare``, it looks past differences in values, flags and names, so
    it counts every program whose gradients differ silently."""
    loose = any("float32" in s.src or ".float()" in s.src for s in steps)
    for i, ((e1, s1), (e2, s2)) in enumerate(zip(ref_trace, got_trace)):
        if (e1 is None) != (e2 is None) or (e1 and (e1[0] != e2[0] or not e2[1].startswith(e1[1]))):
            return None
        made = steps[i].src.split("=")[0] if "=" in steps[i].src else ""
        for k in sorted(s1.keys() & s2.keys()):
            result = k[:1] in "gj" and k in made  # a gradient, compared where it is made
            if not result and s1[k][0] not in ("T", "L"):
                continue
            fields = ("value", "grad") if result else ("grad",)
            d = _compare_desc(k, s1[k], s2[k], loose, fields)
            if d and (result or d[0].startswith("grad")) and d[0] != "grad-requires_grad":
                field = _aliased(d[0] if d[0].startswith("grad") else "grad", d[1], ref_trace, i)
                return Difference(i, field, d[1], d[2], d[3], steps[i].tag)
    return None


def differ(steps, ref_mod, got_mod, timeout=None):
    return compare(steps, run(steps, ref_mod), run(steps, got_mod, timeout=timeout))


def shrink(steps, ref_mod, got_mod, diff, timeout=None, budget=400, gradients=False):
    """Delete steps while a difference of the same kind (field and step tag) remains; with
    ``gradients``, while some gradient differs silently (see ``gradient_difference``)."""
    sig = diff.signature
    steps = list(steps)
    changed = True
    while changed and budget > 0:
        changed = False
        for i in range(len(steps) - 1, -1, -1):
            if budget <= 0 or i >= len(steps):
                continue
            trial = steps[:i] + steps[i + 1 :]
            budget -= 1
            ref, got = run(trial, ref_mod), run(trial, got_mod, timeout=timeout)
            d = gradient_difference(trial, ref, got) if gradients else compare(trial, ref, got)
            if d is not None and (gradients or d.signature == sig):
                steps, diff, changed = trial, d, True
    return steps, diff


def report(steps, diff, ref_name="torch", got_name="retrograd"):
    """A difference as a minimal program plus what each library gave."""
    where = f" {diff.where}" if diff.where else ""
    return (
        f"{render(steps)}"
        f"# after step {diff.step + 1} ({diff.tag}): {diff.field}{where}\n"
        f"#   {ref_name}: {diff.ref}\n"
        f"#   {got_name}: {diff.got}\n"
    )
