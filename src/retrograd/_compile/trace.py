"""Tracing: run a function once on real tensors and record every op the table runs for it.

While a trace is open, the op table's forward-mode hook (``_switches.forward_ad_hook``, which also
sends every op call down the table's general path) is the tracer's: each op call is recorded as
one step, ``outputs = forward(*input arrays, *attributes)``, its arrays named by slots.  What the
recording cannot see is watched for and breaks the trace instead of being recorded wrong:

- a tensor made outside the op table during the trace (``_make`` in any module, e.g. a dropout
  mask, a creation op, a formula that computes an index array itself) reaching an op;
- a write in place (every write bumps a version through ``bump_version``);
- the data read into Python (``item``, ``tolist``, ``numpy``, ``bool(t)`` ...: the function's
  control flow may depend on it), hooks registered, custom ``autograd.Function``, a backward pass
  run inside the function, saved-tensor hooks, anomaly mode, forward-mode AD.

Tensors that existed before the trace (arguments, a module's parameters and buffers, tensors in
the function's closure or globals) are the program's inputs, read live on every replay.
"""

import sys
import threading

from .. import _switches
from .._array import ndarray, xp
from ..autograd import engine as _engine
from ..autograd import function as _function
from ..autograd.node import Node
from ..ops import registry as _registry
from ..tensor import Tensor

_tensor_mod = sys.modules[Tensor.__module__]  # (retrograd.tensor, the module, not the function)


class Break(Exception):
    """The trace cannot stand for the function: why (a graph break, in PyTorch's words)."""


# Each array a step reads: a slot (an earlier step's output, an input, a seed), a slot cast to a
# dtype, a Python constant, or a list of them (``cat``'s list of tensors).
SLOT, CAST, CONST, LIST = range(4)


class Step:
    __slots__ = ("fn", "ins", "attrs", "outs", "zero_d", "check", "name", "single", "dtypes")

    def __init__(self, fn, ins, attrs, outs, zero_d, check, name, single, dtypes=()):
        self.single = single  # the forward returns one array, not a sequence of them
        # the dtype of each array the forward took (None for a constant), then of each output
        self.dtypes = dtypes
        self.fn = fn
        self.ins = ins  # tuple of (kind, value) per input
        self.attrs = attrs  # tuple of constants, or (SLOT, i) markers where an array was passed
        self.outs = outs  # slot per output
        self.zero_d = zero_d  # per output: 0-d (the forward may give a NumPy scalar)
        self.check = check
        self.name = name


class _AttrSlot:
    """An array (or, with ``tensor``, a tensor) among an op's attributes: read from a slot."""

    __slots__ = ("slot", "tensor")

    def __init__(self, slot, tensor=False):
        self.slot = slot
        self.tensor = tensor


def _holds_data(v):
    if isinstance(v, (ndarray, Tensor)):
        return True
    return isinstance(v, (tuple, list)) and any(_holds_data(e) for e in v)


_DATA_READS = ("item", "tolist", "numpy", "__array__", "__bool__", "__float__", "__int__")
_DATA_READS += (
    "__index__",
    "__complex__",
    "__repr__",
    "__str__",
    "__format__",
)  # (print: each call)
_HOOKS = ("register_hook", "retain_grad", "register_post_accumulate_grad_hook")
_PACKAGE = __name__.split(".")[0]  # (as imported: a benchmark imports an earlier tree renamed)
_lock = threading.Lock()
active = None  # the tracer while a trace is open (a compiled function called inside runs as is)
# Ops whose output shape depends on the values of their input: what follows them may too.
DATA_DEPENDENT_SHAPES = frozenset(
    ("nonzero", "masked_select", "_masked_select", "unique", "argwhere", "bincount")
)


class Tracer:
    """Records op calls into ``steps``; ``slots[id(array)]`` names every array it has seen."""

    def __init__(self, find_external):
        self.slots = {}
        self.keep = []  # every array named, kept alive so that no id is reused while tracing
        self.arrays = []  # the array of each slot
        self.steps = []
        self.n_slots = 0
        self.created = {}  # id(tensor) -> the function that made it outside the op table
        self.find_external = find_external  # tensor or array -> slot, or None
        self.thread = threading.get_ident()
        self.reason = None
        self.grids = set()  # ids of index grids (np.indices): functions of a shape alone

    def new_slot(self, array):
        i = self.n_slots
        self.n_slots += 1
        self.slots[id(array)] = i
        self.keep.append(array)
        self.arrays.append(array)
        return i

    def fail(self, reason):
        if self.reason is None:
            self.reason = reason
        raise Break(reason)

    # --- the op hook --------------------------------------------------------------------------
    def hook(self, general, args, tensors, results, n_outputs):
        # A failed trace lets the function run on: it is the eager call the user made, and must
        # not run twice (random draws, Python side effects).
        if self.reason is None and threading.get_ident() == self.thread:
            try:
                self.record(general.opdef, args, tensors, results)
            except Break:
                pass

    def record(self, d, args, tensors, results):
        if d.name in DATA_DEPENDENT_SHAPES:
            self.fail(f"{d.name}: the shape of its output depends on the data")
        for t in tensors:
            if hasattr(t, "_data") and t._data.itemsize == 2 and t._data.dtype.kind in "fV":
                # (eager computes float16 and bfloat16 in float32, rounding once per op)
                self.fail(f"{d.name} of a float16 or bfloat16 tensor")
        k = len(d.inputs)
        attrs = tuple(args[k:])
        if d.listed:
            items = []
            for t in tensors:
                items.append((SLOT, self.slot_of(t, d.name)))
            if d.promote is not None and len({t._data.dtype for t in tensors}) > 1:
                self.fail(f"{d.name} of tensors of several dtypes")
            ins = ((LIST, tuple(items)),)
            dtypes = ()
        else:
            arrays = [t._data if isinstance(t, Tensor) else t for t in tensors]
            promoted = arrays
            if d.promote is not None:
                promoted = _registry._promote(d.promote, tensors, arrays, d.name)
            ins = []
            for t, a, p in zip(tensors, arrays, promoted):
                if isinstance(t, Tensor):
                    s = self.slot_of(t, d.name)
                    ins.append((CAST, (s, p.dtype)) if p is not a else (SLOT, s))
                else:
                    ins.append((CONST, p))  # (a number as the op reads it: an int wrapped)
            ins = tuple(ins)
            dtypes = tuple(
                p.dtype if isinstance(t, Tensor) else None for t, p in zip(tensors, promoted)
            )
        attrs = self.attr_template(attrs, d.name)
        outs = []
        zero_d = []
        for r in results:
            a = r._data
            outs.append(self.new_slot(a))
            zero_d.append(a.ndim == 0)
        self.steps.append(
            Step(
                d.forward,
                ins,
                attrs,
                tuple(outs),
                tuple(zero_d),
                d.check,
                d.name,
                d.outputs == 1 and d.returns is None,
                dtypes + tuple(r._data.dtype for r in results),
            )
        )

    def slot_of(self, t, op_name):
        a = t._data
        s = self.slots.get(id(a))
        if s is not None:
            return s
        maker = self.created.get(id(t))
        if maker is not None:
            self.fail(
                f"{op_name} got a tensor made outside the op table while tracing (by {maker}())"
            )
        s = self.find_external(t)
        if s is None:
            self.fail(
                f"{op_name} got a tensor that is none of the function's arguments, module "
                "parameters or buffers, closure or global tensors"
            )
        return s

    def attr_template(self, attrs, op_name):
        """The attributes as constants, with a marker for each array or tensor among them
        (at any depth of tuples and lists): those are read from their slots on each replay."""
        if not any(_holds_data(v) for v in attrs):
            return attrs
        return tuple(self.attr_value(v, op_name) for v in attrs)

    def attr_value(self, v, op_name):
        if isinstance(v, (tuple, list)):
            if not any(_holds_data(e) for e in v):
                return v
            if type(v) not in (tuple, list):
                self.fail(f"{op_name} takes arrays inside a {type(v).__name__}")
            return type(v)(self.attr_value(e, op_name) for e in v)
        if isinstance(v, Tensor):
            s = self.slots.get(id(v._data))
            if s is None:
                self.fail(f"{op_name} takes a tensor among its attributes that is not traced")
            return _AttrSlot(s, True)
        if not isinstance(v, ndarray):
            return v
        s = self.slots.get(id(v))
        if s is None and id(v) in self.grids:
            return v  # np.indices of a shape: a constant
        if s is None:
            s = self.find_external(v)
        if s is None:
            self.fail(f"{op_name} takes an array computed outside the op table")
        return _AttrSlot(s)

    # --- what breaks a trace --------------------------------------------------------------------
    def made(self, t, maker):
        if threading.get_ident() == self.thread:
            self.created[id(t)] = maker
            self.keep.append(t)

    def wrote(self, t):
        if threading.get_ident() == self.thread:
            self.reason = self.reason or "a tensor was written in place"

    def read_data(self, what):
        if threading.get_ident() == self.thread:
            self.reason = self.reason or (
                f"Tensor.{what}() reads a tensor's data into Python (data-dependent control flow "
                "or output)"
            )

    def unsupported(self, what):
        if threading.get_ident() == self.thread:
            self.reason = self.reason or what


class patched:
    """While open: the op hook is the tracer's, and what it cannot record tells it so."""

    def __init__(self, tracer):
        self.tracer = tracer
        self.saved = []

    def __enter__(self):
        global active
        _lock.acquire()
        active = self.tracer
        try:
            self._install()
        except BaseException:
            self._restore()
            active = None
            _lock.release()
            raise
        return self.tracer

    def __exit__(self, *exc):
        global active
        try:
            hook_now = _switches.forward_ad_hook
            self._restore()
            if hook_now != self.tracer.hook:
                self.tracer.reason = self.tracer.reason or "forward-mode AD inside the function"
        finally:
            active = None
            _lock.release()

    def _set(self, owner, name, value):
        # (from a class its own attribute as stored: a classmethod stays one when put back)
        old = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        self.saved.append((owner, name, old))
        setattr(owner, name, value)

    def _restore(self):
        while self.saved:
            owner, name, value = self.saved.pop()
            setattr(owner, name, value)

    def _install(self):
        tracer = self.tracer
        make = _tensor_mod._make
        bump = _tensor_mod.bump_version

        def traced_make(*args, **kwargs):
            t = make(*args, **kwargs)
            tracer.made(t, sys._getframe(1).f_code.co_name)
            return t

        def traced_bump(t, site):
            tracer.wrote(t)
            return bump(t, site)

        for mod in list(sys.modules.values()):
            name = getattr(mod, "__name__", "")
            if not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
                continue
            g = mod.__dict__
            if g.get("_make") is make:
                self._set(mod, "_make", traced_make)
            if g.get("bump_version") is bump:
                self._set(mod, "bump_version", traced_bump)
        for what in _DATA_READS:
            if what in Tensor.__dict__:
                self._set(Tensor, what, _reading(Tensor.__dict__[what], what, tracer))
        for what in _HOOKS:
            if what in Tensor.__dict__:
                method = Tensor.__dict__[what]
                self._set(Tensor, what, _refusing(method, f"Tensor.{what}()", tracer))
        for what in ("register_hook", "register_prehook"):
            self._set(Node, what, _refusing(Node.__dict__[what], f"Node.{what}()", tracer))
        inner = "a backward pass inside the function"
        self._set(_engine, "run", _refusing(_engine.run, inner, tracer))
        apply = _function.Function.__dict__["apply"].__func__
        self._set(
            _function.Function,
            "apply",
            classmethod(_refusing(apply, "a custom autograd.Function", tracer)),
        )
        indices = xp.indices

        def traced_indices(*args, **kwargs):
            grid = indices(*args, **kwargs)
            for g in grid if isinstance(grid, tuple) else (grid,):
                tracer.grids.add(id(g))
                tracer.keep.append(g)
            return grid

        self._set(xp, "indices", traced_indices)
        if _switches.forward_ad_hook is not None:
            tracer.fail("forward-mode AD is on")
        if _switches.pack_hook is not None:
            tracer.fail("saved-tensor hooks are open")
        if _switches.anomaly_hook is not None:
            tracer.fail("anomaly detection is on")
        self._set(_switches, "forward_ad_hook", tracer.hook)


def _reading(method, what, tracer):
    def read(*args, **kwargs):
        tracer.read_data(what)
        return method(*args, **kwargs)

    return read


def _refusing(fn, what, tracer):
    def refused(*args, **kwargs):
        tracer.unsupported(what)
        return fn(*args, **kwargs)

    return refused


original_engine_run = _engine.run
