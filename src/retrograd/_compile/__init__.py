"""``retrograd.compile``: PyTorch's ``torch.compile``, as a trace of the op table replayed.

The first call for an input signature runs the function eagerly while a tracer records each op
it applies (see ``trace``); its results are the eager ones.  The eager backward pass of that
graph is then traced the same way, once per combination of outputs that may get a gradient.
Both recordings become generated Python functions on arrays (see ``program``).  Later calls whose
guards hold run the forward program on the arrays of the arguments and of the parameters (read
live: an optimizer's in-place step is seen) and return tensors with one node,
``CompiledFunctionBackward``, which runs the backward program.

A replay is one generated function per trace (``GraphEntry.fast``): it checks the call
against the traced signature, then the guards, runs the forward steps and makes the output's node,
with no key to build or look up; a call it does not take goes the long way (the key of its
signature, its traces in order).

Guards: the signature of the arguments (each tensor's shape, dtype and requires_grad, each other
argument's value), grad mode and the default dtype; for a module, every submodule's plain Python
attributes (``training`` among them), children and hooks; for a function, the Python values of
its closure and of the globals it names; for every tensor read from outside the arguments
(parameters, buffers, closure and global tensors), that the same place still holds a tensor of
the same shape, dtype and requires_grad.  A failed guard traces again (up to
``config.recompile_limit`` traces per signature, then eager).

What a trace cannot record breaks the graph: that signature then runs eagerly, as it is (the
answer is eager retrograd's), and ``explain`` says why; with ``fullgraph=True`` it raises.
Unlike PyTorch, a break does not split the function into several graphs: the whole call is eager.
"""

import functools
import weakref

from .. import dtypes
from .._array import xp
from .._switches import grad_mode as _grad_state
from ..autograd.node import _sequence
from ..dtypes import _default as _default_dtype
from ..nn.module import Module
from ..ops.registry import _edge
from ..tensor import Tensor, _make
from . import trace as _trace
from .program import CompiledFunctionBackward, Source, _reads, build, node_class

__all__ = ["compile", "OptimizedModule", "Unsupported", "InvalidBackend"]


class config:
    """``torch._dynamo.config``: the switches PyTorch programs set (read where they mean
    something here)."""

    suppress_errors = False
    recompile_limit = 8  # traces per input signature before it runs eagerly
    verbose = False
    capture_scalar_outputs = False


class Unsupported(RuntimeError):
    """``torch._dynamo.exc.Unsupported``: a graph break under ``fullgraph=True``."""


class InvalidBackend(NotImplementedError):
    """``torch._dynamo.exc.InvalidBackend`` (a RuntimeError, as NotImplementedError is one)."""


_BACKENDS = ("inductor", "eager", "aot_eager")
_KNOWN_BACKENDS = ("cudagraphs", "onnxrt", "openxla", "tvm", "aot_eager_decomp_partition")
_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
_SCALARS = (bool, int, float, complex, str, type(None))
_MISS = object()
_all_compiled = weakref.WeakSet()  # for reset()


def compile(
    model=None,
    *,
    fullgraph=False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable=False,
):
    """``torch.compile``: a function or module traced into array programs on its first call per
    input signature, then replayed; see the module docstring.

    ``dynamic``: shapes are specialized either way (a new shape is a new trace), which gives the
    same answers as PyTorch's dynamic shapes.  ``mode`` and ``options`` tune PyTorch's code
    generator and change no answer: checked and kept.  ``backend="eager"`` / ``"aot_eager"``
    run the function as it is."""
    if model is None:

        def decorate(fn):
            return compile(
                fn,
                fullgraph=fullgraph,
                dynamic=dynamic,
                backend=backend,
                mode=mode,
                options=options,
                disable=disable,
            )

        return decorate
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if backend is None:
        backend = "inductor"
    if not isinstance(backend, str):
        raise NotImplementedError(
            "retrograd.compile: a callable backend is not supported; the backends here are "
            "'inductor' (traced array programs), 'eager' and 'aot_eager'"
        )
    if backend not in _BACKENDS:
        if backend in _KNOWN_BACKENDS:
            raise NotImplementedError(
                f"retrograd.compile: backend '{backend}' is not built; the backends here are "
                "'inductor' (traced array programs), 'eager' and 'aot_eager'"
            )
        raise InvalidBackend(
            f"Invalid backend: '{backend}', see `torch._dynamo.list_backends()` for available "
            "backends."
        )
    if not callable(model):
        raise RuntimeError("compile() expects a callable, got " + type(model).__name__)
    if isinstance(model, Module):
        return OptimizedModule(model, _compiled(model, fullgraph, backend, disable, dynamic))
    if disable or backend != "inductor":
        return model
    return _compiled(model, fullgraph, backend, disable, dynamic)


def _compiled(fn, fullgraph, backend, disable, dynamic):
    if disable or backend != "inductor":
        return fn
    cf = CompiledFunction(fn, fullgraph)

    # The caller gets a plain function, as from PyTorch (a method it decorates binds): calling
    # it costs less than calling an object's __call__, and it runs the last graph's ``fast``
    # itself.  (A module's goes into its OptimizedModule.)
    def compiled(*args, **kwargs):
        fast = cf.fast
        if fast is not None and not kwargs and _trace.active is None:
            result = fast(args)
            if result is not _MISS:
                return result
        return cf.call(args, kwargs)

    if not isinstance(fn, Module):
        functools.update_wrapper(compiled, fn)
        compiled._torchdynamo_orig_callable = fn
    compiled._compiled_function = cf
    return compiled


class OptimizedModule(Module):
    """``torch._dynamo.eval_frame.OptimizedModule``: the compiled module, holding the original as
    ``_orig_mod`` (so its state-dict keys start with ``_orig_mod.``) and passing other attribute
    reads to it."""

    def __init__(self, mod, compiled_call):
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled_call"] = compiled_call

    def forward(self, *args, **kwargs):
        return self._compiled_call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        return self._compiled_call(*args, **kwargs)

    @property
    def training(self):
        return self._orig_mod.training

    @training.setter
    def training(self, value):
        # (Module.__init__ sets it before _orig_mod exists: the original keeps its own)
        if "_modules" in self.__dict__ and "_orig_mod" in self._modules:
            self._orig_mod.training = value

    def __getattr__(self, name):
        if name in ("_orig_mod",):
            return Module.__getattr__(self, name)
        try:
            return Module.__getattr__(self, name)
        except AttributeError:
            return getattr(self._orig_mod, name)

    def __dir__(self):
        return self._orig_mod.__dir__()


# --- one compiled callable ------------------------------------------------------------------------


class CompiledFunction:
    """A function (or a module's ``__call__``) with its traces by input signature."""

    def __init__(self, fn, fullgraph=False):
        self.fn = fn
        self.fullgraph = fullgraph
        self.module = fn if isinstance(fn, Module) else getattr(fn, "__self__", None)
        if not isinstance(self.module, Module):
            self.module = None
        self.cache = {}
        self.history = []  # (entry) in order made, for explain()
        self.fast = None  # the last graph's ``fast``: checks the call itself, no key to make
        _all_compiled.add(self)

    def reset(self):
        self.cache.clear()
        self.history.clear()
        self.fast = None

    def call(self, args, kwargs):
        """A call (one that the last graph's ``fast`` did not take, from the function
        ``compile`` returns): the key of its signature, its traces in order, or a new trace."""
        if _trace.active is not None:  # inside another trace: its ops are that trace's
            return self.fn(*args, **kwargs)
        tensors = []
        key = _signature(args, kwargs, tensors)
        if key is None:  # an argument the key cannot hold: not traced
            return self.fn(*args, **kwargs)
        if len(tensors) > 1:
            ids = [id(t._data) for t in tensors]
            if len(set(ids)) < len(ids):  # one array passed twice: the pattern is part of the key
                key += tuple(ids.index(i) for i in ids)
        entries = self.cache.get(key)
        if entries is not None:
            for entry in entries:
                result = entry.run(tensors, args, kwargs, self.fn)
                if result is not _MISS:
                    if entry.fast is not None:
                        self.fast = entry.fast
                    return result
            if len(entries) >= config.recompile_limit:
                return self.fn(*args, **kwargs)
        return self._trace(key, args, kwargs, tensors)

    def _trace(self, key, args, kwargs, tensors):
        guards = _python_guards(self.fn, self.module)
        externals = []
        tracer = _trace.Tracer(None)
        tracer.find_external = _external_finder(self.fn, self.module, tracer, externals)
        first = {}
        for i, t in enumerate(tensors):  # (an array passed twice is read from its first slot)
            first.setdefault(id(t._data), i)
            tracer.new_slot(t._data)
            tracer.slots[id(t._data)] = first[id(t._data)]
        n_inputs = len(tensors)
        result = _MISS
        try:
            if tensors and _passed_and_reachable(tensors, self.fn, self.module):
                tracer.fail(
                    "an argument is also a parameter, buffer, closure or global tensor of the "
                    "function (which of the two an op reads cannot be told apart)"
                )
            if self.module is not None and any(
                m._forward_hooks or m._forward_pre_hooks for m in self.module.modules()
            ):
                tracer.fail("module hooks (they run as Python code on every call)")
            with _trace.patched(tracer):
                result = self.fn(*args, **kwargs)
            if tracer.reason is None:
                signature = _fast_signature(args, kwargs, tensors, key)
                entry = _make_entry(tracer, tensors, n_inputs, externals, result, guards, signature)
                if entry.fast is not None:
                    self.fast = entry.fast
            else:
                entry = EagerEntry(guards, tracer.reason)
        except _trace.Break as e:  # (before the call, or in making the programs after it)
            entry = EagerEntry(guards, tracer.reason or str(e))
        self.cache.setdefault(key, []).append(entry)
        self.history.append(entry)
        if isinstance(entry, EagerEntry):
            if self.fullgraph:
                raise Unsupported(entry.reason)
            if result is _MISS:  # refused before the call: run it as it is
                return self.fn(*args, **kwargs)
        return result


def _signature(args, kwargs, tensors):
    """A hashable key of the call (tensors by shape, dtype, requires_grad; other values as they
    are), the tensors appended to ``tensors``; None for an argument the key cannot hold."""
    key = [_grad_state.enabled, _grad_state.inference, _default_dtype[0]]
    for a in args:
        if type(a) is Tensor or isinstance(a, Tensor):
            d = a._data
            tensors.append(a)
            key += (Tensor, d.shape, d.dtype, a._requires_grad)
        elif type(a) in _SCALARS:
            key += (type(a), a)
        elif not _add_nested(a, key, tensors):
            return None
    if kwargs:
        for k, v in kwargs.items():
            key.append(k)
            if not _add_nested(v, key, tensors):
                return None
    return tuple(key)


def _fast_signature(args, kwargs, tensors, key):
    """What ``GraphEntry.fast`` checks to stand for ``key``: the modes and, per positional
    argument, a tensor's (True, shape, dtype, requires_grad) or a value's (False, type, value);
    None for a call it does not take (keywords, containers, an array passed twice)."""
    if kwargs or len({id(t._data) for t in tensors}) < len(tensors):
        return None
    per_arg = []
    for a in args:
        if isinstance(a, Tensor):
            per_arg.append((True, a._data.shape, a._data.dtype, a._requires_grad))
        elif type(a) in _SCALARS:
            per_arg.append((False, type(a), a, None))
        else:
            return None
    return tuple(key[:3]), tuple(per_arg)


def _add_nested(a, key, tensors):
    if isinstance(a, Tensor):
        d = a._data
        tensors.append(a)
        key += (Tensor, d.shape, d.dtype, a._requires_grad)
        return True
    if type(a) in _SCALARS or isinstance(a, dtypes.dtype):
        key += (type(a), a)
        return True
    if type(a) in (tuple, list):
        key += (type(a), len(a))
        return all(_add_nested(v, key, tensors) for v in a)
    if type(a) is dict:
        key += (dict, len(a))
        for k, v in a.items():
            key.append(k)
            if not _add_nested(v, key, tensors):
                return False
        return True
    return False


# --- guards on Python state ----------------------------------------------------------------------


def _python_guards(fn, module):
    """What the trace may have read from Python besides the arguments: (getter, value) pairs."""
    guards = []
    functions = [fn]
    if module is not None:
        for m in module.modules():
            guards.append((functools.partial(_module_state, m), _module_state(m)))
            forward = getattr(type(m), "forward", None)
            if forward is not None and forward not in functions:
                functions.append(forward)
    for f in functions:
        _scalar_guards(f, guards)
    return tuple(guards)


def _scalar_guards(fn, guards):
    """Guards on the Python numbers and strings ``fn`` reads from its closure and globals."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        cells = getattr(fn, "__closure__", None) or ()
        for cell in cells:
            try:
                v = cell.cell_contents
            except ValueError:
                continue
            if type(v) in _SCALARS:
                guards.append((functools.partial(_cell, cell), v))
        g = getattr(fn, "__globals__", {})
        for name in code.co_names:
            if name in g and type(g[name]) in _SCALARS:
                guards.append((functools.partial(g.get, name), g[name]))


def _cell(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return _MISS


def _module_state(m):
    d = m.__dict__
    return (
        tuple((k, v) for k, v in d.items() if type(v) in _SCALARS),
        tuple(map(id, m._modules.values())),
        len(m._forward_hooks) + len(m._forward_pre_hooks),
    )


def _external_finder(fn, module, tracer, externals):
    """``find(tensor or array) -> slot``: a tensor from outside the arguments, found where the
    function can reach it (module parameters, buffers and tensor attributes; closure and globals,
    directly or one list, tuple or dict deep), is read from that place on every replay."""
    places = None

    def find(obj):
        nonlocal places
        if places is None:
            places = _places(fn, module)
        array = obj._data if isinstance(obj, Tensor) else obj
        for t, getter in places:
            if t is obj or t._data is array:
                slot = tracer.new_slot(t._data)
                externals.append((slot, getter, t))
                return slot
        return None

    return find


def _places(fn, module):
    places = []
    if module is not None:
        for m in module.modules():
            for store in (m._parameters, m._buffers, m.__dict__):
                for k, v in store.items():
                    if isinstance(v, Tensor):
                        places.append((v, functools.partial(store.get, k)))
    roots = []
    cells = getattr(fn, "__closure__", None) or ()
    for cell in cells:
        roots.append((_cell_value(cell), functools.partial(_cell, cell)))
    code = getattr(fn, "__code__", None)
    g = getattr(fn, "__globals__", None)
    if code is not None and g is not None:
        for name in code.co_names:
            if name in g:
                roots.append((g[name], functools.partial(g.get, name)))
    for value, getter in roots:
        if isinstance(value, Tensor):
            places.append((value, getter))
        elif type(value) in (list, tuple):
            for i, v in enumerate(value):
                if isinstance(v, Tensor):
                    places.append((v, functools.partial(_item, getter, i)))
        elif type(value) is dict:
            for k, v in value.items():
                if isinstance(v, Tensor):
                    places.append((v, functools.partial(_item, getter, k)))
    return places


def _passed_and_reachable(tensors, fn, module):
    arrays = {id(t._data) for t in tensors}
    return any(id(t._data) in arrays for t, _ in _places(fn, module))


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


def _item(getter, key):
    try:
        return getter()[key]
    except (IndexError, KeyError, TypeError):
        return None


# --- entries: one trace each -----------------------------------------------------------------------


class EagerEntry:
    """A signature whose trace broke: run eagerly while the Python guards hold."""

    graph = False
    fast = None

    def __init__(self, guards, reason):
        self.guards = guards
        self.reason = reason
        self.ops = ()

    def run(self, tensors, args, kwargs, fn):
        for getter, value in self.guards:
            if getter() != value:
                return _MISS
        return fn(*args, **kwargs)


class GraphEntry:
    """A trace that holds: its forward program, backward programs and output structure.

    ``run(tensors, args, kwargs, fn)`` (for a call whose signature matched) and ``fast(args)``
    (for any positional call: it checks the signature itself; None where it cannot) are
    generated for the trace (see ``_write_runs``): its guards, the forward steps, the node and
    the outputs, one function."""

    graph = True
    reason = None
    fast = None


def _rebuild(structure, results, tensors, ext_tensors):
    kind, v = structure
    if kind == "out":
        return results[v]
    if kind == "arg":
        return tensors[v]
    if kind == "ext":
        return ext_tensors[v]
    if kind == "const":
        return v
    if kind == "dict":
        return {k: _rebuild(s, results, tensors, ext_tensors) for k, s in v}
    items = [_rebuild(s, results, tensors, ext_tensors) for s in v]
    return items if kind == "list" else tuple(items) if kind == "tuple" else kind(*items)


def _make_entry(tracer, tensors, n_inputs, externals, result, guards, signature=None):
    """The programs of a trace that ran to its end, or an EagerEntry saying what stands in the
    way."""
    slots = tracer.slots
    arg_slot = {id(t): i for i, t in enumerate(tensors)}
    ext_index = {id(t): i for i, (_, _, t) in enumerate(externals)}
    out_slots = []  # slot of each output tensor the program makes, in order
    out_tensors = []
    produced = {}  # id(output tensor) -> index among outputs

    def describe(v):
        if isinstance(v, Tensor):
            i = arg_slot.get(id(v))
            if i is not None:
                return ("arg", i)
            i = ext_index.get(id(v))
            if i is not None:
                return ("ext", i)
            j = produced.get(id(v))
            if j is not None:
                return ("out", j)
            s = slots.get(id(v._data))
            if s is None:
                raise _trace.Break("the function returns a tensor made outside the op table")
            if s in input_slots:
                raise _trace.Break("the function returns an input's data as a new tensor")
            j = produced[id(v)] = len(out_tensors)
            out_slots.append(s)
            out_tensors.append(v)
            return ("out", j)
        if type(v) in _SCALARS or isinstance(v, dtypes.dtype):
            return ("const", v)
        if type(v) in (tuple, list):
            return (type(v).__name__, tuple(describe(x) for x in v))
        if isinstance(v, tuple) and hasattr(v, "_fields"):  # a namedtuple (return_types ...)
            return (type(v), tuple(describe(x) for x in v))
        if type(v) is dict:
            return ("dict", tuple((k, describe(x)) for k, x in v.items()))
        raise _trace.Break(f"the function returns a {type(v).__name__}")

    input_slots = set(range(n_inputs)) | {s for s, _, _ in externals}
    structure = describe(result)
    ins = list(range(n_inputs)) + [s for s, _, _ in externals]
    every_input = list(tensors) + [t for _, _, t in externals]
    for t in out_tensors:  # an output sharing memory with an input would be a view of it
        for x in every_input:
            if xp.may_share_memory(t._data, x._data):
                raise _trace.Break("an output shares memory with an input (a view)")
    entry = GraphEntry()
    entry.guards = guards
    entry.externals = tuple(
        (g, t._data.shape, t._data.dtype, t._requires_grad) for _, g, t in externals
    )
    entry.single = structure[0] == "out" and len(out_tensors) == 1
    entry.structure = structure
    entry.n_out = len(out_tensors)
    entry.ops = tuple(s.name for s in tracer.steps)
    forward_steps = tracer.steps
    diff_outputs = [t for t in out_tensors if t._requires_grad]
    entry.node = None  # the class of the outputs' node; None: no output requires grad
    entry.programs = None  # mask -> backward program, for a node of several outputs
    saved_slots = []
    if diff_outputs:
        if len(diff_outputs) > 3:
            raise _trace.Break("more than three outputs require grad")
        diff_inputs = [i for i, t in enumerate(every_input) if t._requires_grad]
        seen = set()
        diff_inputs = [
            i
            for i in diff_inputs
            if not (id(every_input[i]) in seen or seen.add(id(every_input[i])))
        ]
        wrt = [every_input[i] for i in diff_inputs]
        traces = {}
        for mask in range(1, 1 << len(diff_outputs)):
            roots = [t for i, t in enumerate(diff_outputs) if mask >> i & 1]
            traces[mask] = _trace_backward(tracer, roots, wrt)
        used = []
        for steps, _, results in traces.values():
            for step in steps:
                used += _reads(step)
            used.extend(r for r in results if r is not None)
        saved_slots = sorted({s for s in used if s in tracer.forward_slots})
        entry.diff_nr = [None] * len(out_tensors)
        for nr, t in enumerate(diff_outputs):
            entry.diff_nr[produced[id(t)]] = nr
        exposed = []
        for s in saved_slots:
            if s in input_slots:
                exposed.append((0, ins.index(s)))
            elif s in out_slots:
                exposed.append((1, out_slots.index(s)))
        entry.exposed = tuple(exposed)
        if len(traces) == 1:  # one output requires grad: its node's apply is the program
            steps, seeds, results = traces[1]
            entry.node = node_class(
                steps, seeds[0], saved_slots, results, tracer.arrays, bool(exposed)
            )
        else:
            entry.programs = {
                mask: build(steps, seeds + saved_slots, results, f"backward_{mask}", tracer.arrays)
                for mask, (steps, seeds, results) in traces.items()
            }
            entry.node = CompiledFunctionBackward
        entry.diff_inputs = tuple(diff_inputs)
    arrays = tracer.arrays
    _write_runs(
        entry, forward_steps, n_inputs, externals, out_slots, saved_slots, signature, arrays
    )
    return entry


def _write_runs(entry, steps, n_inputs, externals, out_slots, saved_slots, signature, arrays):
    """``entry.run`` and ``entry.fast`` as Python source (see GraphEntry).

    ``signature``: how ``fast`` checks its arguments, None for no ``fast``: ((grad mode,
    inference mode, default dtype), one (is_tensor, a, b, c) per positional argument: a tensor's
    shape, dtype and requires_grad, or a value's type and value)."""
    src = Source(
        MISS=_MISS,
        isinstance=isinstance,
        type=type,
        Node=entry.node,
        edge=_edge,
        seq=_sequence,
        rebuild=_rebuild,
        ddt=_default_dtype,
        programs=entry.programs,
    )
    const, line = src.const, src.line
    # (``is`` where the objects are unique: a False there only sends the call the long way)
    for getter, value in entry.guards:
        line(f"if {const(getter)}() != {const(value)}: return MISS")
    guards, src.lines = src.lines, []
    for i in range(n_inputs):
        line(f"s{i} = t{i}._data")
    reads, src.lines = src.lines, []
    for j, (slot, getter, t) in enumerate(externals):
        a = t._data
        line(f"e{j} = {const(getter)}()")
        line(f"if not isinstance(e{j}, Tensor): return MISS")
        line(f"s{slot} = e{j}._data")
        line(
            f"if s{slot}.shape != {const(a.shape)} or s{slot}.dtype is not {const(a.dtype)} "
            f"or e{j}._requires_grad is not {t._requires_grad}: return MISS"
        )
    src.steps(steps, arrays, {*out_slots, *saved_slots})
    everything = [f"t{i}" for i in range(n_inputs)] + [f"e{j}" for j in range(len(externals))]
    n_out = len(out_slots)
    if entry.node is not None:
        line("node = new(Node)")
        # Each edge as _edge finds it, written out for the common case: a leaf whose
        # AccumulateGrad lives (no grad_fn, no recorded write that may have made it stale).
        for k, i in enumerate(entry.diff_inputs):
            t = everything[i]
            line(f"a{k} = {t}._acc")
            line(
                f"if a{k} is not None and {t}._grad_fn is None and not {t}._vc.stale: a{k} = a{k}()"
            )
            line(f"else: a{k} = None")
        edges = "".join(
            f"(a{k}, 0) if a{k} is not None else edge({everything[i]}), "
            for k, i in enumerate(entry.diff_inputs)
        )
        line(f"node.next_functions = ({edges})")
        line("node._seq = next(seq)")
        if entry.programs is not None:
            line("node._programs = programs")
        line("node._saved = (" + "".join(f"s{k}, " for k in saved_slots) + ")")
        checks = [
            f"({everything[i]}, {everything[i]}._vc.version, None, None)"
            for kind, i in entry.exposed
            if kind == 0
        ]
        for j in range(n_out):
            nr = entry.diff_nr[j]
            if nr is None:
                line(f"r{j} = make(s{out_slots[j]})")
            else:
                src.tensor(f"r{j}", f"s{out_slots[j]}", "node")
                if nr:
                    line(f"r{j}._output_nr = {nr}")
        checks += [
            f"(None, 0, r{j}._vc, s{out_slots[j]})" for kind, j in entry.exposed if kind == 1
        ]
        if checks or entry.programs is not None:
            line("node._checks = (" + "".join(f"{c}, " for c in checks) + ")")
    else:
        for j in range(n_out):
            line(f"r{j} = make(s{out_slots[j]})")
    if entry.single:
        line("return r0")
    else:
        results = "".join(f"r{j}, " for j in range(n_out))
        tensors = "".join(f"t{i}, " for i in range(n_inputs))
        exts = "".join(f"e{j}, " for j in range(len(externals)))
        line(f"return rebuild({const(entry.structure)}, [{results}], [{tensors}], [{exts}])")
    body = src.lines
    src.lines = guards + reads + body
    if n_inputs:
        src.lines.insert(0, "    " + "".join(f"t{i}, " for i in range(n_inputs)) + "= tensors")
    entry.run = src.function("run(tensors, args, kwargs, fn)")
    if signature is None:
        return
    modes, args = signature
    line(f"if len(args) != {len(args)}: return MISS")
    # (inference mode is off in every thread while no inference_mode block is open anywhere:
    # the thread's flag, a thread-local read, is read only then)
    inference = (
        f"gs.inference is not {modes[1]}"
        if modes[1] is not False
        else "(sw.inference_blocks and gs.inference is not False)"
    )
    line(
        f"if gs.enabled is not {modes[0]} or {inference} "
        f"or ddt[0] is not {const(modes[2])}: return MISS"
    )
    names = []
    k = 0
    for is_tensor, *_ in args:
        names.append(f"t{k}" if is_tensor else f"a{len(names)}")
        k += is_tensor
    if args:
        line("".join(f"{n}, " for n in names) + "= args")
    for name, (is_tensor, a, b, c) in zip(names, args):
        if is_tensor:
            line(f"if not isinstance({name}, Tensor): return MISS")
            i = name[1:]
            line(f"s{i} = {name}._data")
            line(
                f"if s{i}.shape != {const(a)} or s{i}.dtype is not {const(b)} "
                f"or {name}._requires_grad is not {c}: return MISS"
            )
        else:
            line(f"if type({name}) is not {const(a)}: return MISS")
            line(f"if {name} is not {const(b)} and {name} != {const(b)}: return MISS")
    # each tensor's array a different one, as when traced
    if 1 < k <= 4:
        pairs = [f"s{i} is s{j}" for i in range(k) for j in range(i + 1, k)]
        line(f"if {' or '.join(pairs)}: return MISS")
    elif k > 4:
        line(f"if len({{*map(id, ({''.join(f's{i}, ' for i in range(k))}))}}) != {k}: return MISS")
    src.lines += guards
    src.lines += body
    entry.fast = src.function("fast(args)")


def _trace_backward(tracer, roots, wrt):
    """The eager backward pass of ``roots`` down to ``wrt``, recorded: (steps, seed slots, slot of
    each gradient reaching ``wrt`` or None)."""
    if not hasattr(tracer, "forward_slots"):
        tracer.forward_slots = set(range(tracer.n_slots))
        tracer.forward_steps = tracer.steps
    seeds = []
    seed_slots = []
    for r in roots:
        a = xp.ones(r._data.shape, r._data.dtype)
        seeds.append(_make(a))
        seed_slots.append(tracer.new_slot(a))
    tracer.steps = []
    # The tensors' own hooks run when the real backward pass reaches them, not in the program.
    muted = []
    for t in wrt:
        if t._grad_fn is None and t._hooks is not None:
            muted.append((t, "_hooks", t._hooks))
            t._hooks = None
        fn = t._grad_fn
        if fn is not None and fn._hooked:
            muted.append((fn, "_hooked", fn.__dict__.get("_hooked", _MISS)))
            fn._hooked = False
    try:
        with _trace.patched(tracer):
            captured = _trace.original_engine_run(roots, seeds, True, False, wrt, accumulate=False)
    finally:
        for owner, name, value in reversed(muted):
            if value is _MISS:
                del owner.__dict__[name]
            else:
                setattr(owner, name, value)
        steps, tracer.steps = tracer.steps, tracer.forward_steps
    if tracer.reason is not None:
        raise _trace.Break(tracer.reason)
    results = []
    for g in captured:
        if g is None:
            results.append(None)
            continue
        s = tracer.slots.get(id(g._data))
        if s is None:
            raise _trace.Break("a gradient made outside the op table")
        results.append(s)
    return steps, seed_slots, results


# --- torch._dynamo's helpers ----------------------------------------------------------------------


def reset() -> None:
    """``torch._dynamo.reset``: forget every trace; the next calls trace again."""
    for cf in _all_compiled:
        cf.reset()


def list_backends(exclude_tags=()) -> list:
    """``torch._dynamo.list_backends``: the backends ``compile`` takes."""
    return ["inductor"]


class BreakReason:
    """One entry of ``ExplainOutput.break_reasons`` (PyTorch's ``GraphCompileReason``)."""

    def __init__(self, reason):
        self.reason = reason
        self.user_stack = []
        self.graph_break = True

    def __repr__(self):
        return f"GraphCompileReason(reason={self.reason!r}, graph_break=True)"


class ExplainOutput:
    """What ``explain(fn)(*args)`` returns: graphs, breaks and ops of the traces that call made
    (``torch._dynamo.backends.debugging.ExplainOutput``).  A break sends the whole call to eager
    mode here, so a call gives one graph or none."""

    def __init__(self, entries):
        graphs = [e for e in entries if e.graph]
        self.graphs = graphs
        self.graph_count = len(graphs)
        self.break_reasons = [BreakReason(e.reason) for e in entries if not e.graph]
        self.graph_break_count = len(self.break_reasons)
        self.ops_per_graph = [list(e.ops) for e in graphs]
        self.op_count = sum(len(ops) for ops in self.ops_per_graph)
        self.out_guards = []
        self.compile_times = ""

    def __str__(self):
        lines = [
            f"Graph Count: {self.graph_count}",
            f"Graph Break Count: {self.graph_break_count}",
            f"Op Count: {self.op_count}",
            "Break Reasons:",
        ]
        for i, r in enumerate(self.break_reasons, 1):
            lines += [f"  Break Reason {i}:", f"    Reason: {r.reason}"]
        lines.append("Ops per Graph:")
        for i, ops in enumerate(self.ops_per_graph, 1):
            lines.append(f"  Ops {i}:")
            lines += [f"    {op}" for op in ops]
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def explain(f, *extra_args, **extra_kwargs):
    """``torch._dynamo.explain(fn)(*args, **kwargs)``: trace ``fn`` on those arguments (it runs
    once) and say what became a graph and what broke it."""
    if extra_args or extra_kwargs:
        return explain(f)(*extra_args, **extra_kwargs)

    def inner(*args, **kwargs):
        cf = CompiledFunction(getattr(f, "_torchdynamo_orig_callable", f))
        try:
            cf.call(args, kwargs)
            return ExplainOutput(cf.history)
        finally:
            _all_compiled.discard(cf)

    return inner
