"""Saved-tensor hooks (``torch.autograd.graph``): ``saved_tensors_hooks`` and ``save_on_cpu``.

While a ``saved_tensors_hooks(pack_hook, unpack_hook)`` block is open, every tensor a node saves
(an input, or the op's own output saved as ``result``) goes through ``pack_hook`` when the node is
made; the node keeps only what ``pack_hook`` returned, and ``unpack_hook`` turns it back into a
tensor when a derivative formula reads it.  The innermost open block wins and the blocks are
per thread, as in PyTorch.
Activation checkpointing (:mod:`retrograd.utils.checkpoint`) is built on this.
"""

import contextlib
import threading
from typing import Any, NamedTuple

from .. import _switches
from ..tensor import InferenceVersionCounter, Tensor, bump_version
from . import engine
from .anomaly import caller_site
from .node import Node, PackedSaved, RemovableHandle, grad_accumulator

# PyTorch's names; hooks_open and pack_saved are for retrograd's own modules.
__all__ = [
    "GradientEdge",
    "Node",
    "allow_mutation_on_saved_tensors",
    "disable_saved_tensors_hooks",
    "get_gradient_edge",
    "increment_version",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]


class _Local(threading.local):
    def __init__(self):
        self.stack = []  # this thread's open (pack_hook, unpack_hook) pairs, innermost last
        self.disabled = None  # the error message of an open disable_saved_tensors_hooks block


_local = _Local()
_open = [0]  # blocks open in all threads: the op table calls _pack_node only while there are any
_lock = threading.Lock()


def hooks_open() -> bool:
    """Whether a ``saved_tensors_hooks`` block is open in this thread."""
    return bool(_local.stack)


def pack_saved(tensor, output_nr=None):
    """What a node should keep for ``tensor`` (its output number ``output_nr`` if it is one of
    the node's outputs): the tensor itself, or its packed form while hooks are on.  For nodes
    made outside the op table (custom Functions)."""
    stack = _local.stack
    if not stack:
        return tensor
    pack, unpack = stack[-1]
    return PackedSaved(
        _packed(pack, tensor), unpack, tensor._vc, output_nr, _saved_edge(tensor, output_nr)
    )


def _saved_edge(t, output_nr=None):
    """Where a saved input that requires grad stands in the graph, which its unpacked value takes
    again (see ``PackedSaved``); None for an output, or an input that does not require grad."""
    if output_nr is not None or not t._requires_grad:
        return None
    return (t.grad_fn, t._output_nr, t._acc)


def _packed(pack, tensor):
    """``pack(tensor)`` with the hooks off in this thread: ops the hook runs save their values
    plainly, as in PyTorch (else each would pack again, without end)."""
    stack = _local.stack
    _local.stack = []
    try:
        return pack(tensor)
    finally:
        _local.stack = stack


def _pack_node(saved, plan, results):
    """The op table's hook: ``saved`` (as the node would keep it) with every tensor packed."""
    stack = _local.stack
    if not stack:  # hooks are open in another thread only
        return saved
    pack, unpack = stack[-1]
    out = list(saved)
    for j, entry in enumerate(plan):
        if entry is None:  # left out: its gradient is not needed
            continue
        kind, i = entry
        if kind == 0 and isinstance(saved[j], Tensor):
            t = saved[j]
            out[j] = PackedSaved(_packed(pack, t), unpack, t._vc, None, _saved_edge(t))
        elif kind == 1:
            r = results[i]
            out[j] = PackedSaved(_packed(pack, r), unpack, r._vc, i)
    return tuple(out)


class saved_tensors_hooks:
    """Context manager: pack every tensor saved for backward with ``pack_hook`` and unpack it with
    ``unpack_hook`` when backward needs it (``torch.autograd.graph.saved_tensors_hooks``)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _local.disabled is not None:
            raise RuntimeError(_local.disabled)
        _local.stack.append((self.pack_hook, self.unpack_hook))
        with _lock:
            _open[0] += 1
            _switches.pack_hook = _pack_node
        return self

    def __exit__(self, *exc):
        _local.stack.pop()
        with _lock:
            _open[0] -= 1
            if not _open[0]:
                _switches.pack_hook = None


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Inside the block, opening ``saved_tensors_hooks`` raises RuntimeError(error_message), as
    does entering the block while hooks are open
    (``torch.autograd.graph.disable_saved_tensors_hooks``)."""
    if _local.stack:
        raise RuntimeError(error_message)
    prev = _local.disabled
    _local.disabled = error_message
    try:
        yield
    finally:
        _local.disabled = prev


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept on the CPU (``torch.autograd.graph.save_on_cpu``).  Everything already
    lives on the CPU here, so the saved values are kept as detached tensors, without a copy."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda t: t.detach(), lambda t: t)


class GradientEdge(NamedTuple):
    """Where a gradient enters the graph: a node and which of its inputs
    (``torch.autograd.graph.GradientEdge``); ``autograd.grad`` takes one in place of a tensor."""

    node: Node
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The edge a gradient for ``tensor`` takes: its grad_fn and output number, or a leaf's
    AccumulateGrad (``torch.autograd.graph.get_gradient_edge``)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    node, nr = engine.gradient_edge(tensor)
    return GradientEdge(node, nr)


def increment_version(tensor) -> None:
    """Count a write to ``tensor`` (or to each tensor of an iterable) that the autograd did not
    see, so saved copies of it are known to be stale (``torch.autograd.graph.increment_version``)."""
    if isinstance(tensor, Tensor):
        tensor = (tensor,)
    try:
        tensors = list(tensor)
    except TypeError:
        raise RuntimeError("increment_version expect a Iterable[Tensor] as input") from None
    for t in tensors:
        if not isinstance(t, Tensor):
            raise RuntimeError("increment_version expect a Iterable[Tensor] as input")
        if type(t._vc) is not InferenceVersionCounter:  # (which counts no versions)
            bump_version(t, caller_site(1))


class _MultiHandle(RemovableHandle):
    """The handle of a multi-grad hook: removing it removes the hook from every tensor."""

    def __init__(self, handles):
        self.handles = tuple(handles)

    def remove(self) -> None:
        for h in self.handles:
            h.remove()

    def __getstate__(self):
        return self.handles

    def __setstate__(self, state):
        self.handles = state


def register_multi_grad_hook(tensors, fn, *, mode: str = "all") -> RemovableHandle:
    """``fn`` once per backward pass that reaches ``tensors``: with ``mode="all"`` once the
    gradients of all of them that the pass computes are in (a list, None for the others); with
    ``mode="any"`` on the first one computed, with that gradient alone
    (``torch.autograd.graph.register_multi_grad_hook``).  Built on tensor hooks: each pass keeps
    its own count."""
    modes = ("all", "any")
    if mode not in modes:
        raise ValueError(f"Expects mode to be one of {modes} but got {mode}")
    token = object()  # this registration's key in each pass's notes

    def notes():
        p = engine.current_pass()
        if getattr(p, "notes", None) is None:
            p.notes = {}
        return p.notes

    if mode == "any":

        def first_only(grad):
            seen = notes()
            if token not in seen:
                seen[token] = True
                fn(grad)

        return _MultiHandle(t.register_hook(first_only) for t in tensors if t.requires_grad)

    edges = []
    for t in tensors:
        if not t.requires_grad:
            raise AssertionError("Expected gradient function to be set")
        edges.append(t)

    def gather(i):
        def hook(grad):
            seen = notes()
            state = seen.get(token)
            if state is None:
                nodes = [t.grad_fn or grad_accumulator(t) for t in edges]
                state = seen[token] = [sum(map(engine.will_run, nodes)), [None] * len(edges)]
            state[1][i] = grad
            state[0] -= 1
            if state[0] == 0:
                fn(state[1])

        return hook

    return _MultiHandle(t.register_hook(gather(i)) for i, t in enumerate(edges))


class _AllowMutationOnSavedContext:
    """What ``allow_mutation_on_saved_tensors`` yields: the tensors saved for backward inside it,
    by the memory they live in, each with the copy made of it before its first write."""

    def __init__(self):
        self.saved: dict = {}  # id(memory) -> (memory, [[tensor, copy or None], ...])
        self.closed = False


_mutation_open = [False]  # one context at a time, in the whole process


def _memory(array):
    """The array that owns the memory ``array`` views."""
    while array.base is not None:
        array = array.base
    return array


@contextlib.contextmanager
def allow_mutation_on_saved_tensors():
    """Inside the block, a tensor saved for backward may be written in place: the first write
    keeps a copy of what was saved, which backward then reads
    (``torch.autograd.graph.allow_mutation_on_saved_tensors``).  Built on saved-tensor hooks and
    the op-call interceptor, which sees each in-place op before it writes."""
    if _mutation_open[0]:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    if _switches.interception.handler is not None:
        raise NotImplementedError(
            "allow_mutation_on_saved_tensors inside torch.func.vmap or selective activation "
            "checkpointing is not built in retrograd"
        )
    ctx = _AllowMutationOnSavedContext()

    def pack(t):
        record = [t, None]
        memory = _memory(t._data)
        ctx.saved.setdefault(id(memory), (memory, []))[1].append(record)
        return record

    def unpack(record):
        if ctx.closed:
            raise AssertionError(
                "Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
                "in which the graph was originally recorded."
            )
        return record[0] if record[1] is None else record[1]

    from ..ops.inplace import inplace  # (the op table's in-place writes all go through it)

    def before_write(fn, args, kwargs):
        d = getattr(fn, "opdef", None)
        writes = fn is inplace or (d is not None and d.name.endswith("_"))
        if writes and args and isinstance(args[0], Tensor):
            entry = ctx.saved.get(id(_memory(args[0]._data)))
            if entry is not None:
                for record in entry[1]:
                    if record[1] is None:
                        record[1] = record[0].detach().clone()
        return NotImplemented  # the op runs as usual

    _mutation_open[0] = True
    previous = _switches.set_handler(before_write)
    try:
        with saved_tensors_hooks(pack, unpack):
            yield ctx
    finally:
        _switches.set_handler(previous)
        ctx.closed = True
        ctx.saved.clear()
        _mutation_open[0] = False
