"""Graph nodes: ``Node`` (a backward function), ``AccumulateGrad`` and the saved-tensor records.

A node holds, for each input of the forward op, an edge ``(next_node, input_nr)`` in
``next_functions``; the values its derivative formulas need (``_saved``, with the version each had when
saved); and the hooks that run around it.  Nothing here refers back to the tensors a node produced,
so a graph is never a reference cycle and dies with its last tensor.
"""

import itertools
import weakref

from .. import _switches
from .._array import sum_to_shape
from ..tensor import Tensor, VersionCounter, _make
from .anomaly import describe_site, node_origin

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

# PyTorch orders ready nodes by creation: newest first.  AccumulateGrad always comes first: every
# one has the same sequence number, above any an op's node can reach, so ready AccumulateGrads tie
# and leave the ready heap in the order a binary heap gives equal keys (see engine._entry).
ACCUMULATE_GRAD_SEQUENCE = 1 << 62
_sequence = itertools.count()


def note_detached(t):
    """``t``, made by an op, is being detached in place: the nodes made so far that saved it
    may no longer run (see ``check_detached``)."""
    if _switches.detached is None:
        _switches.detached = {}
    detached = _switches.detached
    key = id(t)
    detached[key] = (weakref.ref(t, lambda _, key=key: detached.pop(key, None)), next(_sequence))


def check_detached(node):
    """PyTorch's error for a node that saved an input which was detached in place afterwards
    (its unpacking finds no node behind a tensor that had one)."""
    saved = node._saved
    if not saved:
        return
    detached = _switches.detached
    for t in saved:
        if type(t) is Tensor:
            entry = detached.get(id(t))
            if entry is not None and entry[0]() is t and entry[1] > node._seq:
                raise RuntimeError(DETACHED_SAVED)


DETACHED_SAVED = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with "
    ".detach_().This is not supported, please use out-of-place `.detach()` instead"
)


_new = object.__new__


class Node:
    """A backward function in the graph (PyTorch's ``torch.autograd.graph.Node``)."""

    __slots__ = ("next_functions", "_seq", "__dict__", "__weakref__")

    # Rarely set, so they live in the instance dict behind these class defaults: a node is made on
    # every op call, and each attribute set there costs.
    _pre_hooks = None  # HookDict of fn(grad_outputs), run before the node
    _hooks = None  # HookDict of fn(grad_inputs, grad_outputs), run after it
    _tensor_pre_hooks = None  # {output_nr: HookDict} of the output tensors' own hooks
    _retain_grad_hooks = None  # {output_nr: weakref to the tensor that retains its grad}
    _hooked = False  # any of the above set (mark_hooked): the engine checks this one flag
    _runs_on_none = False  # run even when every gradient arriving is None (custom Functions)
    # {output_nr: shape}: the shape an output had when the node was made, kept once that output
    # changed shape in place outside the graph (``unsqueeze_`` under no_grad, ``.data = ...``);
    # the engine sums a gradient arriving there back to it, as PyTorch checks each gradient
    # against the node's input metadata.
    _input_shapes = None
    # A node of the op table whose release only drops its saved values (it keeps no sizes): the
    # engine releases one that has no attributes inline, as FunctionNode._release would.
    _plain_release = False
    # Its gradients are computed by the op table's derivative formulas, which are linear in the
    # incoming gradient: each is a new array, a view, or an incoming gradient itself (the engine
    # may then hand a new one to a leaf's .grad without a copy).  Not so for user code.
    _formula_grads = False

    @property
    def metadata(self) -> dict:
        """A dict for the user's own notes about this node (``Node.metadata``)."""
        return self.__dict__.setdefault("_metadata", {})

    def name(self) -> str:
        return type(self).__name__

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after the node; it may return new grad_inputs."""
        return _add_hook(self, "_hooks", fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before the node; it may return new grad_outputs."""
        return _add_hook(self, "_pre_hooks", fn)

    def _register_hook_dict(self, tensor):  # PyTorch keeps this name for compatibility
        pass

    def __call__(self, *grads):
        out = self.apply(list(grads), None)
        return out[0] if len(out) == 1 else tuple(out)

    def _release(self, where=None):
        """Drop the saved values; ``where`` is the backward call doing so (for error messages)."""

    def __repr__(self):
        # PyTorch's repr shows the bare class name, without name()'s "torch::autograd::"
        return f"<{self.name().rpartition('::')[2]} object at {hex(id(self))}>"


def keep_input_shape(node, output_nr, shape):
    """An output of ``node`` is about to change its shape outside the graph: remember the shape
    the node's gradient for it must have (the first one: the shape it was made with)."""
    shapes = node._input_shapes
    if shapes is None:
        shapes = node._input_shapes = {}
    shapes.setdefault(output_nr, shape)
    mark_hooked(node)  # the engine looks at ``_input_shapes`` on hooked nodes only
    _switches.kept_shapes = True


def mark_hooked(node):
    """``node`` has hooks, a ``retain_grad`` or a kept input shape: the engine looks at them."""
    node._hooked = True
    _switches.node_hooks = True


def keep_shape_of(t):
    """``t`` is about to change its shape outside the graph: the node its gradient goes to (its
    grad_fn, or a leaf's live AccumulateGrad) remembers the shape that gradient must have, as
    PyTorch's nodes keep their inputs' metadata."""
    node = t._grad_fn
    if node is not None:
        keep_input_shape(node, t._output_nr, t._data.shape)
    elif t._acc is not None:
        acc = t._acc()
        if acc is not None:
            keep_input_shape(acc, 0, t._data.shape)


class RemovableHandle:
    """Returned by every ``register_*hook``; ``remove()`` takes the hook out again
    (``torch.utils.hooks.RemovableHandle``).  ``extra_dict``: more dicts (or one) keyed by the same
    id, such as the record of which hooks take keyword arguments, cleared with it."""

    _ids = itertools.count()

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict) if hooks_dict is not None else _dead
        self.id = next(RemovableHandle._ids)
        extras = (
            ()
            if extra_dict is None
            else (extra_dict,)
            if isinstance(extra_dict, dict)
            else extra_dict
        )
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __getstate__(self):
        d = self.hooks_dict_ref()
        return (d, self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state):
        self.hooks_dict_ref = _dead if state[0] is None else weakref.ref(state[0])
        self.id = state[1]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in state[2] if d is not None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


RemovableHandle.__module__ = "retrograd.utils.hooks"  # its public home


def add_to(hooks, hook, prepend: bool = False, extra_dicts=()) -> RemovableHandle:
    """Put ``hook`` into the dict ``hooks`` (first with ``prepend``) under a new handle, which
    also clears its entry in each of ``extra_dicts`` when removed."""
    handle = RemovableHandle(hooks, extra_dict=extra_dicts)
    if prepend:
        rest = list(hooks.items())
        hooks.clear()
        hooks[handle.id] = hook
        hooks.update(rest)
    else:
        hooks[handle.id] = hook
    return handle


def _dead():
    """A weak reference that is already dead (a handle whose dict is gone)."""
    return None


class _HookDict(dict):
    """A dict that a handle can refer to weakly (plain dicts cannot be weakly referenced)."""

    __slots__ = ("__weakref__",)


def _add_hook(owner, slot, fn, key=None):
    hooks = getattr(owner, slot)
    if key is not None:  # per-output dicts, for tensor hooks on a node
        if hooks is None:
            hooks = {}
            setattr(owner, slot, hooks)
        owner_hooks = hooks.get(key)
        if owner_hooks is None:
            owner_hooks = hooks[key] = _HookDict()
        hooks = owner_hooks
    elif hooks is None:
        hooks = _HookDict()
        setattr(owner, slot, hooks)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    if isinstance(owner, Node):
        mark_hooked(owner)
    return handle


def _holds_index(values, depth=0):
    """Whether ``values`` (a node's attributes) hold an array or a tensor, also inside tuples."""
    for a in values:
        if hasattr(a, "__array_interface__") or hasattr(a, "_vc"):
            return True
        if type(a) in (tuple, list) and depth < 2 and _holds_index(a, depth + 1):
            return True
    return False


class FunctionNode(Node):
    """The node of a declared op.  Its subclass per op (``MulBackward0`` ...) is made by the op table.

    ``_saved`` holds one entry per saved name (a Tensor, the output's array, or a Python value) and
    ``_versions`` the version each tensor had when saved; ``_release`` drops them after a backward
    pass without ``retain_graph``.
    """

    # _site, _site_at: the code and bytecode offset of the forward call (set for nodes that save
    # values); _freed_at: the backward call that released them.  Read with getattr: not always set.
    __slots__ = ("_saved", "_versions", "_attrs", "_meta", "_site", "_site_at", "_freed_at")

    # Filled per op by the op table:
    _formulas = ()  # one formula(grad, node) per tensor input, or None where not differentiable
    _saved_slots: dict[str, int] = {}  # saved name -> position in _saved
    _kept_on_release = ()  # positions in _saved of sizes and dtypes, which a release keeps
    _check_unread = True  # whether it may keep a tensor that the formulas it runs do not read
    _frees_index = True  # whether an index among its attributes is released with the graph
    _n_outputs = 1
    _op_name = ""
    _formula_grads = True
    # saved index -> fn(tensor): the tensor as PyTorch's node would have saved it, for errors
    # (a fused op may save an input where PyTorch saves a view of it).
    _saved_in_errors: dict = {}

    def apply(self, grads, needed):
        """The gradients for each input, from those of the outputs; ``needed`` (a set, or None
        for all) names the next nodes whose gradients are wanted."""
        if (self._check_unread or needed is not None) and self._versions:
            self._check_saved()
        g = grads[0] if self._n_outputs == 1 else grads
        meta = self._meta
        out = []
        ran = False
        for i, ((nxt, _), formula) in enumerate(zip(self.next_functions, self._formulas)):
            if nxt is None or formula is None or (needed is not None and nxt not in needed):
                out.append(None)
                continue
            r = formula(g, self)
            ran = True
            if meta is not None and meta[i] is not None and r is not None:
                r = _fit(r, meta[i])
            out.append(r)
        if not ran and (self._versions or self._attrs is None):
            self._check_saved()  # no formula read them, yet the node ran
        return out

    def _check_saved(self):
        """Before the formulas run: every saved tensor still as it was saved, read or not by the
        gradients wanted now (PyTorch unpacks all of a node's saved values before its formulas),
        an index among its attributes too (released with them: see ``_release``)."""
        if self._attrs is None:
            raise freed_error(self)
        saved = self._saved
        if saved is None:
            for v in self._versions:
                if v is not None:
                    raise freed_error(self)
            return
        for i, v in enumerate(self._versions):
            if v is not None:
                t = saved[i]
                if type(t) is PackedSaved:
                    continue  # no version to check, as in PyTorch
                vc = t[1] if type(t) is SavedOutput else t._vc
                if vc.version != v:  # (a released value's never equals it)
                    self._unpack(i)  # raises the error

    def _release(self, where=None):
        saved = self._saved
        if saved is not None:
            kept = self._kept_on_release
            attrs = self._attrs
            if attrs and self._frees_index and _holds_index(attrs):
                # an index among the attributes (index_select, gather ...) is a saved tensor in
                # PyTorch: freed too, so a second backward through this node is an error
                self._attrs = None
            # Sizes and dtypes stay, as PyTorch keeps them: a node that saved no tensor can run again.
            self._saved = (
                None
                if not kept
                else tuple(s if i in kept else RELEASED for i, s in enumerate(saved))
            )
            self._freed_at = where

    def _unpack(self, i):
        saved = self._saved
        if saved is None:
            raise freed_error(self)
        value = saved[i]
        if value is RELEASED:
            raise freed_error(self)
        version = self._versions[i]
        if version is None:
            return value
        if type(value) is PackedSaved:
            # What the unpack hook returns is used as it is: PyTorch checks no version here.
            return value.unpack(self)
        if type(value) is SavedOutput:
            array, vc = value[0], value[1]
            if len(value) > 3:  # a view's result written in place: the view's node, while it lives
                own = value[3]()
                t = _make(array, True, self if own is None else own, vc)
            else:
                t = _make(array, True, self, vc)
            if len(value) > 2:  # an output after the first: its own slot of this node
                t._output_nr = value[2]
        else:
            t = value
            vc = t._vc
        if vc.version != version:
            for j in range(i):  # PyTorch reads them in order: an earlier one fails first
                earlier = saved[j]
                v = self._versions[j]
                if v is not None and type(earlier) is not PackedSaved:
                    evc = earlier[1] if type(earlier) is SavedOutput else earlier._vc
                    if evc.version != v:
                        return self._unpack(j)
            shown = self._saved_in_errors.get(i)
            raise RuntimeError(_modified_message(self, t if shown is None else shown(t), version))
        return t


# The version counter that saved values other than tensors answer with: no version equals its
# own, so the op table's inline read of a saved tensor defers to Node._unpack for them.
_NO_VERSION = VersionCounter()
_NO_VERSION.version = None


class SavedOutput(tuple):
    """An op's own output as its node keeps it: ``(array, version counter)``, not the tensor, which
    holds the node (that would be a reference cycle).  ``Node._unpack`` makes a tensor of it again,
    with the node as its grad_fn.  ``(array, version counter, output number)`` is a later output;
    a fourth item, a weak reference to a node, is the grad_fn it comes back with instead (the
    node of a view whose result an in-place op saved, see ``ops.inplace``)."""

    __slots__ = ()
    _vc = _NO_VERSION


class _Released:
    """What a release leaves in place of a saved tensor beside sizes it keeps."""

    __slots__ = ()
    _vc = _NO_VERSION

    def __repr__(self):
        return "<released>"


RELEASED = _Released()


class PackedSaved:
    """A saved tensor that went through a ``saved_tensors_hooks`` pack hook at save time.

    ``unpack`` calls the unpack hook when a formula reads it; what that returns is used as it is,
    with no version check, as in PyTorch.  A saved output comes back with its node as ``grad_fn``
    again, sharing the output's version counter (kept here as ``vc``); ``is_output`` is its
    output number then, None for a saved input.
    """

    __slots__ = ("packed", "unpack_hook", "vc", "is_output", "edge")
    _vc = _NO_VERSION

    def __init__(self, packed, unpack_hook, vc, is_output, edge=None):
        self.packed = packed
        self.unpack_hook = unpack_hook
        self.vc = vc
        self.is_output = is_output
        # A saved input that requires grad: (grad_fn, output_nr, weakref to a leaf's
        # AccumulateGrad), its place in the graph, which the unpacked tensor takes again.
        self.edge = edge

    def unpack(self, node):
        t = self.unpack_hook(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got "
                f"result of type {type(t).__name__}"
            )
        if self.is_output is not None:
            t = _make(t._data, True, node, self.vc)
            t._output_nr = self.is_output
        elif self.edge is not None:
            # As in PyTorch, what the hook gives back stands where the saved tensor stood in the
            # graph (a checkpoint's detached recomputed value still leads to its inputs, so a
            # double backward goes through it).
            grad_fn, output_nr, acc = self.edge
            if grad_fn is not None:
                if t.grad_fn is not grad_fn or t._output_nr != output_nr:
                    t = _make(t._data, True, grad_fn, t._vc)
                    t._output_nr = output_nr
            elif t.grad_fn is not None or not t._requires_grad or t._acc is not acc:
                t = _make(t._data, True, None, t._vc)
                t._acc = acc
        elif t._requires_grad:
            # a saved input that did not require grad then comes back as one that does not (a
            # checkpoint's recomputed value, the tensor itself after requires_grad_())
            t = _make(t._data, False, None, t._vc)
        return t


class UnaryNode(FunctionNode):
    """The node of a one-input, one-output op: ``apply`` without the loop (the common case)."""

    __slots__ = ()

    def apply(self, grads, needed):
        nxt = self.next_functions[0][0]
        if nxt is None or (needed is not None and nxt not in needed):
            # (an input that requires grad through a view made under no_grad)
            if self._versions or self._attrs is None:
                self._check_saved()  # the node runs all the same: its saved values are checked
            return (None,)
        r = self._formulas[0](grads[0], self)
        if self._meta is not None and r is not None:
            r = _fit(r, self._meta[0])
        return (r,)


class BinaryNode(FunctionNode):
    """The node of a two-input, one-output op: ``apply`` written out (add, mul, matmul ...)."""

    __slots__ = ()

    def apply(self, grads, needed):
        (n0, _), (n1, _) = self.next_functions
        if self._versions and (self._check_unread or needed is not None or n0 is None is n1):
            self._check_saved()  # (with no edge, no formula reads them, yet the node runs)
        elif (n0 is None is n1 or needed is not None) and self._attrs is None:
            raise freed_error(self)  # (an index it kept, released: see _release)
        g = grads[0]
        f0, f1 = self._formulas
        if needed is not None:
            if n0 not in needed:
                n0 = None
            if n1 not in needed:
                n1 = None
        r0 = None if n0 is None or f0 is None else f0(g, self)
        r1 = None if n1 is None or f1 is None else f1(g, self)
        meta = self._meta
        if meta is not None:
            if meta[0] is not None and r0 is not None:
                r0 = _fit(r0, meta[0])
            if meta[1] is not None and r1 is not None:
                r1 = _fit(r1, meta[1])
        return (r0, r1)


class ListInputNode(FunctionNode):
    """The node of an op over a list of tensors (``cat``, ``stack``): one edge per listed tensor.

    Its single formula returns a list with one gradient per tensor of the list.
    """

    __slots__ = ()

    def apply(self, grads, needed):
        g = grads[0] if self._n_outputs == 1 else grads
        return [
            r if nxt is not None and (needed is None or nxt in needed) else None
            for r, (nxt, _) in zip(self._formulas[0](g, self), self.next_functions)
        ]


def _fit(grad, meta):
    """Undo broadcasting and type promotion: sum ``grad`` back to the input's shape and dtype."""
    shape, dtype = meta
    if grad.shape != shape:
        # (without a graph to record, the sum on arrays: sum_to_size's view and two op calls
        # would cost three times as much on every broadcast input, a bias's gradient); an op
        # all the same while a hook watches the op table (a trace records the sum as a step)
        if _switches.grad_mode.enabled or _switches.forward_ad_hook is not None:
            grad = grad.sum_to_size(shape)
        else:
            grad = _make(sum_to_shape(grad._data, tuple(shape)))
    if dtype is not None and grad.dtype is not dtype:
        if grad._data.dtype.kind == "c" and not dtype.is_complex:
            grad = grad.real  # a real input's part in a complex result: the real part (PyTorch)
        grad = grad.to(dtype)
    return grad


def _modified_message(node, tensor, expected, origin=None):
    """PyTorch's error for a saved ``tensor`` changed in place since it was at version
    ``expected``, then ours: the tensor, who saved it (``origin``, else the node and its forward
    call) and the write that changed it (the site its version counter keeps)."""
    vc = tensor._vc
    now = vc.version
    vc_site = vc.site
    shape = ", ".join(str(n) for n in tensor.shape)
    try:
        owner = _describe(tensor, node)
    except RuntimeError as e:  # a view whose grad_fn cannot be made anew (one of several views
        return str(e) + _modified_hint(node, tensor, vc_site, origin)  # ...): that error instead
    owner = f", which is {owner}," if owner else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{_type_name(tensor)} [{shape}]]{owner} is at version "
        f"{now}; expected version {expected} instead. Hint: "
        + (_HINT_IN_ANOMALY_MODE if _switches.anomaly else _HINT)
        + _modified_hint(node, tensor, vc_site, origin)
    )


# PyTorch's hint, which differs in anomaly mode (where a warning has named the forward call).
_HINT = (
    "enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
_HINT_IN_ANOMALY_MODE = (
    "the backtrace further above shows the operation that failed to compute "
    "its gradient. The variable in question was changed in there or anywhere "
    "later. Good luck!"
)


def check_version(node, tensor, version, origin=None):
    """PyTorch's error when ``tensor``, which ``node`` (or ``origin``, a description) kept at
    ``version``, was written in place since."""
    if tensor._vc.version != version:
        raise RuntimeError(_modified_message(node, tensor, version, origin))


def _type_name(tensor):
    """The tensor type as PyTorch's message names it; bool tensors keep their old backend name."""
    name = tensor.dtype._tensor_name
    return "CPUBoolType" if name == "BoolTensor" else f"torch.{name}"


def _describe(tensor, saver=None):
    """Which output of which node ``tensor`` is, as the error for a changed saved tensor says: a
    node's own output by its number, a tensor another node saved (an input) as output 0."""
    fn = tensor.grad_fn  # (a view whose memory was written since gets a fresh one here)
    if fn is None:
        return ""
    nr = tensor._output_nr if saver is None or fn is saver else 0
    return f"output {nr} of {_op_name(fn)}"


def _op_name(fn):
    """How PyTorch names a tensor's producer in its errors: ``MulBackward0`` -> ``Mul``,
    ``SumBackward1`` -> ``Sum1``, a custom ``SqBackward`` -> ``Sq``; other names as they are."""
    name = fn.name()
    head, found, tail = name.rpartition("Backward")
    if found and (tail == "" or tail.isdigit()):
        return head if tail in ("", "0") else head + tail
    return name


def freed_error(node) -> RuntimeError:
    """PyTorch's error for reading ``node``'s saved values after a backward freed them, then our
    sentence; ``_node`` tells the engine which node it is about (it adds that node's output)."""
    error = RuntimeError(_FREED + _freed_hint(node))
    error._node = node  # type: ignore[attr-defined]
    return error


def _freed_hint(node):
    """Our sentence after PyTorch's: which node, made where, freed by which backward call."""
    return (
        f" The saved values of {node_origin(node)} were freed by the backward call at "
        f"{describe_site(getattr(node, '_freed_at', None))}: pass retain_graph=True to that "
        "call, or detach() the part of the graph that you reuse across iterations."
    )


def _modified_hint(node, tensor, vc_site, origin=None):
    shape = ", ".join(str(n) for n in tensor.shape)
    changed = (
        f", and was changed by the in-place op at {describe_site(vc_site)}"
        if vc_site is not None
        else ""
    )
    return (
        f" The tensor of shape [{shape}] and dtype {tensor.dtype} was saved by "
        f"{origin or node_origin(node)}{changed}."
    )


class AccumulateGrad(Node):
    """The node that stores a leaf's gradient in ``.grad``; ``variable`` is the leaf.  Made by
    ``grad_accumulator``, never directly: a leaf has at most one live."""

    __slots__ = ("variable",)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's name(); its repr says AccumulateGrad

    def apply(self, grads, needed):
        return []


_NO_EDGE = (None, 0)


def _edge(t):
    """The edge a node keeps to one input: its grad_fn, its AccumulateGrad, or nothing."""
    if not isinstance(t, Tensor):
        return _NO_EDGE
    if t._vc.stale and t._view_base is not None:  # a recorded write may have made it stale
        from ..ops.inplace import fresh_grad_fn  # (the op table remakes a view's node)

        fresh_grad_fn(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        ref = t._acc  # the leaf's live AccumulateGrad, inline: the common case
        acc = ref() if ref is not None else None
        return (acc if acc is not None else new_accumulator(t), 0)
    if t._cuts is not None:  # made through a cut in the graph: the node keeps where (explain)
        return _switches.cuts.CutEdge(t._cuts)
    return _NO_EDGE


def grad_accumulator(tensor):
    """The leaf's one AccumulateGrad, shared by every op that uses it while any graph holds it."""
    ref = tensor._acc
    acc = ref() if ref is not None else None
    return acc if acc is not None else new_accumulator(tensor)


def new_accumulator(tensor):
    """A new AccumulateGrad for a leaf that has no live one.  Built without ``__init__``: an op
    on a leaf whose last graph is gone (each step of a training loop) makes one.

    A view made under no_grad of a tensor that requires grad requires grad through its base, yet
    is no leaf of its own: it has none (None), and no gradient flows through it, as in PyTorch,
    unless ``requires_grad_()`` made it one."""
    base = tensor._view_base
    if base is not None and base._requires_grad and not tensor._own_leaf:
        return None
    acc = _new(AccumulateGrad)
    acc.variable = tensor
    acc.next_functions = ()
    acc._seq = ACCUMULATE_GRAD_SEQUENCE
    tensor._acc = weakref.ref(acc)
    return acc
