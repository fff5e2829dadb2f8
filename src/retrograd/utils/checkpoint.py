"""Activation checkpointing (``torch.utils.checkpoint.checkpoint``): keep only a segment's inputs
and run its forward again during backward, trading compute for memory.

``use_reentrant=False`` (recommended, as in PyTorch) keeps the ordinary graph of the segment, but
every tensor its nodes save goes through a ``saved_tensors_hooks`` pack hook that keeps only a
small handle.  The first time backward reads one of them, the segment is run again from its saved
inputs and the handles are matched, in order, to the tensors the rerun saves.

``use_reentrant=True`` runs the segment without a graph and puts one ``CheckpointFunctionBackward``
node in its place; that node reruns the segment with a graph and runs a nested backward through it.
"""

import contextlib
import enum
import warnings
import weakref

from .. import _switches
from .._switches import grad_mode as _grad_state
from ..autograd.anomaly import caller_site, describe_site, node_site
from ..autograd.engine import current_pass, gradient_edge
from ..autograd.engine import run as _run_backward
from ..autograd.graph import saved_tensors_hooks
from ..autograd.node import DETACHED_SAVED, Node, check_version, freed_error
from ..ops import aten as _aten
from ..ops.registry import Replay
from ..tensor import INFERENCE_SAVED, Tensor, _make

__all__ = [
    "CheckpointError",
    "CheckpointPolicy",
    "SelectiveCheckpointContext",
    "check_backward_validity",
    "checkpoint",
    "checkpoint_sequential",
    "create_selective_checkpoint_contexts",
    "detach_variable",
    "get_device_states",
    "noop_context_fn",
    "set_checkpoint_debug_enabled",
    "set_checkpoint_early_stop",
    "set_device_states",
]

# Process-wide overrides of checkpoint's ``early_stop`` and ``debug`` arguments, set for a block
# by ``set_checkpoint_early_stop`` / ``set_checkpoint_debug_enabled`` (None: the argument rules).
_early_stop_override: bool | None = None
_debug_override: bool | None = None

_REENTRANT_DEFAULT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
    "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the differences "
    "between the two variants."
)


# PyTorch's closing text for the errors of a rerun that does not match the first run.
_TIP = (
    "\nTip: To see a more detailed error message, either pass `debug=True` to\n"
    "`torch.utils.checkpoint.checkpoint(...)` or wrap the code block\n"
    "with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to\n"
    "enable checkpoint\u2011debug mode globally.\n\n"
    "If this error occurs under torch.compile with automatic_dynamic_shapes enabled,\n"
    "it may be because the recomputation selected a different compiled graph than the\n"
    "forward pass (e.g., a dynamic graph instead of the original static graph).\n"
    "To fix this, either:\n"
    "  - Use torch._dynamo.mark_dynamic() to explicitly mark varying dimensions as\n"
    "    dynamic upfront, avoiding the static-to-dynamic transition.\n"
    "  - Call torch._C._dynamo.eval_frame._set_lru_cache(False) to disable LRU cache\n"
    "    reordering, which can change which graph is checked first between forward\n"
    "    and recompute.\n"
    "See https://github.com/pytorch/pytorch/issues/166926 for more details and\n"
    "workaround examples.\n"
)
_DETERMINISM_CHECKS = ["default", "none"]


class CheckpointError(RuntimeError):
    """The rerun of a checkpointed segment did not save the same tensors as the first run."""


class _StopRecomputation(Exception):
    """Raised inside the rerun once every saved tensor is recomputed: the rest need not run."""


def checkpoint(
    function,
    *args,
    use_reentrant=None,
    context_fn=None,
    determinism_check="default",
    debug=False,
    early_stop=True,
    preserve_rng_state=True,
    **kwargs,
):
    """``function(*args, **kwargs)``, keeping only its inputs for backward
    (``torch.utils.checkpoint.checkpoint``)."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_DEFAULT, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not None or debug is not False:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None",
                UserWarning,
                stacklevel=2,
            )
    elif determinism_check not in _DETERMINISM_CHECKS:
        raise ValueError(
            f"determinism_check should be one of {_DETERMINISM_CHECKS}, but got {determinism_check}"
        )
    rng = _rng_state() if preserve_rng_state else None
    site = caller_site(1)
    if use_reentrant:
        return _reentrant(function, args, rng, site)
    if _early_stop_override is not None:
        early_stop = _early_stop_override
    forward_context, recompute_context = (context_fn or noop_context_fn)()
    if _grad_state.enabled and any(isinstance(a, Tensor) and a.is_inference() for a in args):
        raise RuntimeError(INFERENCE_SAVED)  # PyTorch's checkpoint saves its tensor arguments
    check = determinism_check == "default"
    frame = _Frame(function, args, kwargs, rng, site, check, early_stop, recompute_context)
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        return function(*args, **kwargs)


def noop_context_fn():
    """The default ``context_fn`` of ``checkpoint``: no context around the forward or the
    recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Within the block, non-reentrant checkpoints stop their recomputation once every saved
    tensor is back (``enable``) or always run it to the end, whatever their ``early_stop``."""
    global _early_stop_override
    before = _early_stop_override
    _early_stop_override = enable
    try:
        yield
    finally:
        _early_stop_override = before


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None):
    """Within the block, checkpoints run in debug mode (``True``), not (``False``), or as their
    ``debug`` argument says (``None``).  retrograd's errors about a recomputation that differs
    name the saved tensors either way."""
    global _debug_override
    before = _debug_override
    _debug_override = enabled
    try:
        yield
    finally:
        _debug_override = before


def detach_variable(inputs: tuple) -> tuple:
    """The tensors of ``inputs`` detached from their graphs as fresh leaves that keep their
    ``requires_grad``; other values as they are."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(
            "Only tuple of tensors is supported. Got Unsupported input type: "
            + type(inputs).__name__
        )
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            d = x.detach()
            d.requires_grad = x.requires_grad
            x = d
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs) -> None:
    """Warn when no tensor among ``inputs`` requires grad: a checkpoint of them has no
    gradient to give."""
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None",
            UserWarning,
            stacklevel=2,
        )


def get_device_states(*args) -> tuple:
    """The random-number states of the accelerators the tensors in ``args`` are on: none, as
    every tensor is on the CPU (whose state checkpoint keeps itself)."""
    return [], []


def set_device_states(devices, states, *, device_type=None) -> None:
    """Restore accelerator random-number states taken by ``get_device_states``: there are none
    on the CPU, so any device given fails as in PyTorch's CPU-only build."""
    for _ in zip(devices, states):
        if device_type == "cuda":
            raise RuntimeError("PyTorch was compiled without CUDA support")
        raise AttributeError(f"module 'torch.{device_type or 'cpu'}' has no attribute 'device'")


class CheckpointPolicy(enum.Enum):
    """What selective checkpointing does with an op's output: save it or recompute it, by
    requirement or by preference (``create_selective_checkpoint_contexts``)."""

    MUST_SAVE = 0
    PREFER_SAVE = 1
    MUST_RECOMPUTE = 2
    PREFER_RECOMPUTE = 3
    MUST_CPU_OFFLOAD = 4
    PREFER_CPU_OFFLOAD = 5


class SelectiveCheckpointContext:
    """What a selective-checkpoint policy function is told: whether the call is the
    recomputation."""

    def __init__(self, *, is_recompute, op_output=None) -> None:
        self.is_recompute = is_recompute
        self.op_output = op_output


def create_selective_checkpoint_contexts(policy_fn_or_list, allow_cache_entry_mutation=False):
    """The two contexts of ``checkpoint(..., use_reentrant=False, context_fn=...)`` for
    selective activation checkpointing: in the forward, ``policy_fn(ctx, op, *args, **kwargs)``
    (``op`` a ``torch.ops.aten`` overload) decides for each op call whether its output is kept
    (``MUST_SAVE``/``PREFER_SAVE``, or True) or recomputed; in the recomputation a kept output is
    used again, the op not run.  A list of ops keeps the outputs of those ops."""
    if isinstance(policy_fn_or_list, list):
        ops_to_save = policy_fn_or_list
        for op in ops_to_save:
            if not isinstance(op, _aten.OpOverload):
                hint = (
                    "Please update the OpOverloadPacket to a specific OpOverload.For example, "
                    "if you have `torch.ops.aten.mm`, change it to `torch.ops.aten.mm.default`."
                    if isinstance(op, _aten.OpOverloadPacket)
                    else ""
                )
                raise ValueError(
                    f"Expected op in `op_list` to be an OpOverload but got: {op} of type "
                    f"{_type_name(op)}. {hint}"
                )

        def policy_fn(ctx, op, *args, **kwargs):
            if op in ops_to_save:
                return CheckpointPolicy.MUST_SAVE
            return CheckpointPolicy.PREFER_RECOMPUTE

    elif callable(policy_fn_or_list):
        policy_fn = policy_fn_or_list
    else:
        raise TypeError("policy_fn_or_list must be either a function or a list of ops.")
    storage: dict = {}
    return _Caching(policy_fn, storage), _Cached(storage, allow_cache_entry_mutation)


def _type_name(x) -> str:
    kind = type(x)
    if kind in (_aten.OpOverload, _aten.OpOverloadPacket):  # (PyTorch's module in the message)
        return f"<class 'torch._ops.{kind.__name__}'>"
    return "<class 'torch.Tensor'>" if isinstance(x, Tensor) else str(kind)


_RECOMPUTE = object()  # a storage entry: the op runs again
_CONSUMED = object()  # a storage entry already used by the recomputation
_MISMATCH = (
    "This can happen if the operations in the checkpointed region are nondeterministic or "
    "depend on global state that changed between forward and backward."
)


class _Interceptor:
    """Sees every call of an op of the table while active (through the op-call hook that vmap
    also uses, so the two do not nest)."""

    def __enter__(self):
        handler = _switches.interception.handler
        profiler = _switches.profiler  # (a profiler steps aside: the region's ops go untimed)
        if handler is not None and (profiler is None or handler != profiler.dispatch):
            raise NotImplementedError(
                "selective activation checkpointing inside torch.func.vmap is not built in "
                "retrograd"
            )
        self.counter: dict = {}
        self.previous = _switches.set_handler(self.dispatch)
        return self

    def __exit__(self, *exc):
        _switches.set_handler(self.previous)
        return False

    def key(self, fn):
        """The op's PyTorch overload and the index of this call of it, or None for a function
        that is not an op of the table (or is a view or writes in place, whose output is the
        input's memory: always run)."""
        d = getattr(fn, "opdef", None)
        if d is None or d.view or d.name.endswith("_"):
            return None, 0
        op = _aten.overload_of(d.name)
        index = self.counter.get(op, 0)
        self.counter[op] = index + 1
        return op, index


class _Caching(_Interceptor):
    """The forward's context: runs each op, asks the policy, keeps what it says to save."""

    def __init__(self, policy_fn, storage) -> None:
        self.policy_fn = policy_fn
        self.storage = storage

    def dispatch(self, fn, args, kwargs):
        op, index = self.key(fn)
        if op is None:
            return NotImplemented
        _switches.interception.handler = None  # (the op itself runs as usual)
        try:
            out = fn(*args, **kwargs)
        finally:
            _switches.interception.handler = self.dispatch
        ctx = SelectiveCheckpointContext(is_recompute=False, op_output=out)
        policy = self.policy_fn(ctx, op, *args, **kwargs)
        if isinstance(policy, bool):
            policy = CheckpointPolicy.MUST_SAVE if policy else CheckpointPolicy.PREFER_RECOMPUTE
        entries = self.storage.setdefault(op, {})
        if policy in (CheckpointPolicy.MUST_SAVE, CheckpointPolicy.PREFER_SAVE):
            tensors = (out,) if isinstance(out, Tensor) else tuple(out)
            # the arrays and the versions they had (a later write into one is an error)
            entries[index] = (
                isinstance(out, Tensor),
                [(t._data, t._vc, t._vc.version) for t in tensors],
            )
        else:
            entries[index] = _RECOMPUTE
        return out


class _Cached(_Interceptor):
    """The recomputation's context: an op whose output was kept records its node on the kept
    arrays instead of running; the others run again."""

    def __init__(self, storage, allow_cache_entry_mutation) -> None:
        self.storage = storage
        self.allow_cache_entry_mutation = allow_cache_entry_mutation

    def dispatch(self, fn, args, kwargs):
        op, index = self.key(fn)
        if op is None:
            return NotImplemented
        entries = self.storage.get(op)
        if entries is None:
            raise RuntimeError(
                f"{op} encountered during backward but not found in storage. {_MISMATCH}"
            )
        entry = entries.get(index)
        if entry is None:
            raise RuntimeError(
                f"{op} invocation index {index} encountered during backward but not found in "
                f"storage. {_MISMATCH}"
            )
        if entry is _CONSUMED:
            raise RuntimeError(
                "Trying to backward an extra time. You are only allowed to backward once on any "
                "region computed under selective activation checkpoint."
            )
        if entry is _RECOMPUTE:
            return NotImplemented
        entries[index] = _CONSUMED
        single, kept = entry
        if not self.allow_cache_entry_mutation:
            for _, vc, version in kept:
                if vc.version != version:
                    raise RuntimeError(
                        "Tensor cached during selective activation checkpoint has been mutated"
                    )
        arrays = [a for a, _, _ in kept]
        return Replay(arrays[0] if single else tuple(arrays))


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a list or ``nn.Sequential``) in order, checkpointing each of the first
    ``segments - 1`` equal chunks; the last chunk runs plainly, as its outputs are needed at once
    (``torch.utils.checkpoint.checkpoint_sequential``)."""
    if use_reentrant is None:
        warnings.warn(_SEQUENTIAL_REENTRANT_DEFAULT, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def chunk(fns):
        def run(x):
            for f in fns:
                x = f(x)
            return x

        return run

    size = len(functions) // segments
    done = 0
    for _ in range(segments - 1):
        input = checkpoint(
            chunk(functions[done : done + size]),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
        done += size
    return chunk(functions[done:])(input)


_SEQUENTIAL_REENTRANT_DEFAULT = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
    "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants."
)


def _saved_inputs(args):
    """The tensor inputs with the version each has now and whether an op made it (it has a
    node), to check before a rerun."""
    return tuple((a, a._vc.version, a.grad_fn is not None) for a in args if isinstance(a, Tensor))


def _check_inputs(inputs, site, detached=True):
    """PyTorch's error when an input of the segment changed in place since the forward: the rerun
    would compute from the new values; with ``detached``, first (for each input in order) its
    error for one an op made that was detached in place since, as the non-reentrant checkpoint
    reads its inputs as saved tensors."""
    for t, version, made in inputs:
        if detached and made and t.grad_fn is None:
            raise RuntimeError(DETACHED_SAVED)
        if t._vc.version != version:
            check_version(
                None, t, version, f"torch.utils.checkpoint as an input, at {describe_site(site)}"
            )


def _rng_state():
    from ..creation import get_rng_state

    return get_rng_state()


def _rerun(function, args, kwargs, rng):
    """Run the segment again, on the same random numbers when ``rng`` was saved."""
    if rng is None:
        return function(*args, **kwargs)
    from ..creation import get_rng_state, set_rng_state

    now = get_rng_state()
    set_rng_state(rng)
    try:
        return function(*args, **kwargs)
    finally:
        set_rng_state(now)


def _detached(args, requires=None):
    """The inputs as fresh leaves (same data; the same requires_grad, or the flags ``requires``
    gives for the tensors in order) for the rerun."""
    flags = iter(
        requires
        if requires is not None
        else [a._requires_grad for a in args if isinstance(a, Tensor)]
    )
    return tuple(
        _make(a._data, next(flags), None, a._vc) if isinstance(a, Tensor) else a for a in args
    )


class _Handle:
    """What a node keeps for one saved tensor of a checkpointed segment: its place in the
    segment's order of saves, its shape and dtype then and, after the rerun, the recomputed
    tensor.  The node owns the handle, so the recomputed tensor goes as soon as the node has run
    and released it."""

    __slots__ = ("__weakref__", "frame", "index", "meta", "value")

    def __init__(self, frame, index, meta):
        self.frame = frame
        self.index = index
        self.meta = meta
        self.value = None


def _meta(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device}


class _Frame:
    """One non-reentrant checkpointed call: its inputs, and weak references to its handles."""

    __slots__ = (
        "args",
        "check",
        "early_stop",
        "function",
        "handles",
        "inputs",
        "kwargs",
        "recompute_context",
        "recomputed_in",
        "rng",
        "site",
    )

    def __init__(self, function, args, kwargs, rng, site, check, early_stop, recompute_context):
        self.function = function
        # The inputs themselves are all the segment keeps: the rerun's graph starts at them, so
        # a backward with create_graph=True differentiates through the recomputed values back
        # to the inputs, as PyTorch's non-reentrant checkpoint does.
        self.args = args
        self.inputs = _saved_inputs(args)
        self.kwargs = kwargs
        self.rng = rng
        self.site = site
        self.check = check  # determinism_check="default": compare shapes and dtypes
        self.early_stop = early_stop
        self.recompute_context = recompute_context  # context_fn's second context
        self.handles = []
        self.recomputed_in = None  # the backward pass of the last rerun

    def pack(self, tensor):
        handle = _Handle(self, len(self.handles), _meta(tensor) if self.check else None)
        self.handles.append(weakref.ref(handle))
        return handle  # no array is kept

    @staticmethod
    def unpack(handle):
        # The first read in this segment in this backward pass: every live handle gets its value
        # (each pass reruns the segment, as PyTorch's: a retained graph keeps no recomputed value
        # for the next pass)
        if handle.value is None or handle.frame.recomputed_in is not current_pass():
            handle.frame.recompute()
        else:  # recomputed by an earlier backward (retain_graph): the inputs must be unchanged
            _check_inputs(handle.frame.inputs, handle.frame.site)
        return handle.value

    def recompute(self):
        """Run the segment again and hand each live handle its recomputed tensor, in order; with
        ``early_stop``, stop once the last one has its value, as PyTorch does.

        Under a backward with ``create_graph=True`` (grad mode on while formulas run) the rerun
        keeps its own graph, so the gradient is differentiable through the recomputed values
        back to the inputs; otherwise the values are detached and the rerun's nodes keep
        nothing, so that memory stays at one segment's."""
        differentiable = _grad_state.enabled
        _check_inputs(self.inputs, self.site)
        self.recomputed_in = current_pass()
        handles = self.handles
        count = [0]
        differ = []

        def keep(t):
            i = count[0]
            if i >= len(handles):  # (only without early_stop: else the rerun stopped before)
                raise CheckpointError(
                    "torch.utils.checkpoint: trying to save more tensors during "
                    "recomputation than during the original forward pass.\n" + _TIP
                )
            count[0] += 1
            h = handles[i]()
            if h is not None:
                h.value = t if differentiable or t.grad_fn is None else t.detach()
                if h.meta is not None and h.meta != _meta(t):
                    differ.append((i, h))
            if self.early_stop and count[0] == len(handles):
                raise _StopRecomputation
            return t if differentiable else None

        prev = _grad_state.enabled
        _grad_state.enabled = True
        try:
            with saved_tensors_hooks(keep, lambda t: t), self.recompute_context:
                _rerun(self.function, self.args, self.kwargs, self.rng)
        except _StopRecomputation:
            pass
        finally:
            _grad_state.enabled = prev
        if count[0] != len(handles):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                f"original forward and recomputation.\nNumber of tensors saved during forward: "
                f"{len(handles)}\nNumber of tensors saved during recomputation: {count[0]}.\n"
                + _TIP
            )
        if differ:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass.\n"
                + "".join(
                    f"tensor at position {i}:\nsaved metadata: {h.meta}\n"
                    f"recomputed metadata: {_meta(h.value)}\n"
                    for i, h in differ
                )
                + ".\n"
                + _TIP
            )


class CheckpointFunctionBackward(Node):
    """The one node a reentrant checkpoint leaves in the graph: reruns the segment in backward."""

    __slots__ = ("_freed", "args", "function", "inputs", "n_outputs", "rng")

    def apply(self, grads, needed):
        # (checked before the saved inputs are read, so before their release, as PyTorch does)
        if needed is not None:  # autograd.grad or backward(inputs=...): .grad is not to be touched
            raise RuntimeError(_REENTRANT_GRAD)
        if self._freed:
            raise freed_error(self)
        _check_inputs(self.inputs, node_site(self), detached=False)
        # (whether an input requires grad is read now, from the tensor itself, as PyTorch reads
        # its saved inputs: one detached in place since the forward gets no gradient)
        inputs = _detached(self.args, [t.requires_grad for t, _, _ in self.inputs])
        prev = _grad_state.enabled
        _grad_state.enabled = True
        try:
            outs = _rerun(self.function, inputs, {}, self.rng)
        finally:
            _grad_state.enabled = prev
        outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
        if not any(isinstance(o, Tensor) and o._requires_grad for o in outs):
            # (every input detached in place since the forward, say)
            raise RuntimeError(_NOT_NECESSARY)
        roots, root_grads = [], []
        for o, g in zip(outs, grads):
            if isinstance(o, Tensor) and o._requires_grad and g is not None:
                roots.append(o)
                root_grads.append(g)
        result = [None] * len(self.args)
        if roots:
            # A nested backward, as PyTorch's reentrant checkpoint runs: parameters used inside
            # the segment get their .grad here; the inputs' gradients go on to the outer graph.
            _run_backward(roots, root_grads, False, False)
            for i, a in enumerate(inputs):
                if isinstance(a, Tensor) and a._requires_grad:
                    result[i] = a._grad
        return [result[i] for i in self._tensor_positions()]

    def _tensor_positions(self):
        return [i for i, a in enumerate(self.args) if isinstance(a, Tensor)]

    def _release(self, where=None):
        self.args = self.inputs = None
        self._freed = True
        self._freed_at = where


_NOT_NECESSARY = "none of output has requires_grad=True, this checkpoint() is not necessary"
_REENTRANT_GRAD = (
    "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an "
    "`inputs` parameter to .backward(). To resolve this error, you can either set "
    "use_reentrant=False, or call .backward() without passing the `inputs` argument."
)


def _reentrant(function, args, rng, site):
    prev = _grad_state.enabled
    _grad_state.enabled = False
    try:
        outs = function(*args)
    finally:
        _grad_state.enabled = prev
    tensor_args = [a for a in args if isinstance(a, Tensor)]
    if not (prev and any(a._requires_grad for a in tensor_args)):
        return outs
    if any(a.is_inference() for a in tensor_args):  # (saved for the rerun, after the segment ran)
        raise RuntimeError(INFERENCE_SAVED)
    node = CheckpointFunctionBackward.__new__(CheckpointFunctionBackward)
    from ..autograd.node import _sequence

    node._seq = next(_sequence)
    node.next_functions = tuple(
        gradient_edge(a) if a._requires_grad else (None, 0) for a in tensor_args
    )
    node.function = function
    node.args = _detached(args)
    node.inputs = _saved_inputs(args)
    node._site, node._site_at = site  # named by errors and anomaly mode, as an op's node is
    node.rng = rng
    node._freed = False
    single = isinstance(outs, Tensor)
    results = []
    for i, o in enumerate((outs,) if single else outs):
        if isinstance(o, Tensor) and o._data.dtype.kind in "fcV":
            o = _make(o._data, True, node)
            o._output_nr = i
        results.append(o)
    node.n_outputs = len(results)
    return results[0] if single else tuple(results)
