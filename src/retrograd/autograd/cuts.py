"""Where the graph was cut: a record on each tensor made, without a gradient, from one that has one.

A tensor that does not require grad, made from one that does, is a cut in the graph: ``detach()``,
``.data``, ``torch.tensor(t)``, an op with no gradient (``argmax``, ``x > 0``), any op under
``no_grad`` or ``inference_mode``, a write under ``no_grad``.  Each such result keeps ``_cuts``: a
few ``Cut`` records (the op, its call site as ``anomaly.caller_site`` records it for errors, and
which tensor was cut), and ops on tensors that carry records and need no gradient pass them on, so
a loss made through a cut still knows where.  The records cost nothing on the path where inputs
require grad in grad mode: an op reads them only when its result needs no gradient.

A value taken out as NumPy or Python (``numpy()``, ``item()``, ``tolist()``) cannot carry an
attribute, so the records are kept beside it while it lives: an array by its identity (or its
base's), the last few Python results by identity, and found again when ``torch.tensor`` /
``as_tensor`` / ``from_numpy`` wraps that very object.  A value computed from them is a new object
and is not recognised.

``set_enabled(False)`` stops making them.  While a backward pass runs its formulas, the engine
turns ``state.active`` off: the ops of a formula are not the user's, and an op that finds it off
looks no further (one attribute read, the cost of the records on the backward pass).
"""

import re
import sys
import weakref
from collections import deque

from .. import _switches
from .._switches import grad_mode as _grad_state
from .anomaly import caller_site, describe_site

MAX_CUTS = 4  # records a tensor keeps: the first ones made or inherited
_new = object.__new__
_ref = weakref.ref
_NOT_TENSORS = frozenset({int, float, bool, complex, type(None)})


class _State:
    """``enabled``: the user's switch; ``passes``: backward passes running, in any thread;
    ``active``: records are made now (enabled, and no pass running).  Process-wide, not per
    thread: the op table reads it on paths every op may take, and a record missed while another
    thread runs a backward pass is only a sentence less in an error."""

    def __init__(self):
        self.enabled = True
        self.passes = 0
        self.active = True


state = _State()


def set_enabled(enabled: bool) -> None:
    """Record where the graph is cut (the default) or not."""
    state.enabled = bool(enabled)
    state.active = state.enabled and not state.passes


def is_enabled() -> bool:
    return state.enabled


class Cut:
    """One place where a tensor that requires grad was left behind.

    ``op``: the op's name (``"detach"``, ``"data"``, ``"tensor"``, ``"argmax"``, ``"mul"`` ...);
    ``mode``: ``"no_grad"``, ``"inference_mode"`` or ``None`` (the op itself has no gradient);
    ``site``: the user's ``(code, offset)``; ``leaves``: weak references to the leaves that the cut
    tensor was computed from (``complete``: all of them were found)."""

    __slots__ = ("op", "mode", "site", "leaves", "complete", "__weakref__")

    def __init__(self, op, mode, site, leaves, complete):
        self.op = op
        self.mode = mode
        self.site = site
        self.leaves = leaves
        self.complete = complete

    @property
    def where(self) -> str:
        """``file.py:12 (`the line`)``."""
        return describe_site(self.site)

    @property
    def filename(self) -> str:
        return self.site[0].co_filename

    @property
    def lineno(self) -> int:
        from .anomaly import site_line

        return site_line(self.site)

    def cuts_off(self, leaf) -> bool:
        """Whether ``leaf`` is one of the tensors this cut left behind (as far as was found)."""
        return any(r() is leaf for r in self.leaves)

    def describe(self) -> str:
        """What was done where, as a noun phrase: ``a tensor detached at train.py:2 (`...`)``."""
        op, where = self.op, self.where
        if op == "detach" or op == "detach_":
            return f"a tensor detached at {where}"
        if op == "data":
            return f"`.data` taken at {where}"
        if op in ("tensor", "as_tensor", "from_numpy"):
            return f"a copy made by torch.{op}() at {where}"
        if op in ("numpy", "item", "tolist"):
            return f"a value taken out by {op}() at {where}"
        if self.mode == "no_grad":
            return f"`{op}` run under no_grad at {where}"
        if self.mode == "inference_mode":
            return f"`{op}` run in inference_mode at {where}"
        return f"`{op}`, which has no gradient, at {where}"

    def __repr__(self) -> str:
        code = self.site[0]
        return f"Cut(op={self.op!r}, mode={self.mode!r}, at='{code.co_filename}:{self.lineno}')"


_LEAF_SEARCH = 64  # nodes looked at behind a cut, to name the leaves it left behind
_VALUE_SEARCH = 8  # ... behind item() and tolist(), whose values are seldom made tensors again


def _search(graphs, leaves, budget):
    """``leaves`` and those found behind the nodes ``graphs``, looking at ``budget`` nodes at most
    (a cut's cost stays bounded), and whether that found them all."""
    seen = set()
    stack = list(graphs)
    while stack and budget:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        budget -= 1
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaves += (_ref(variable),)
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None:
                stack.append(nxt)
    return leaves, not stack


def _mode():
    if _grad_state.enabled:
        return None
    return "inference_mode" if _grad_state.inference else "no_grad"


def _leaves(tensors):
    """Weak references to the leaves behind the inputs that require grad, and whether they were
    all found."""
    leaves = ()
    graphs = None  # the grad_fns of inputs that require grad and are no leaves
    for t in tensors:
        if type(t) not in _NOT_TENSORS and t._requires_grad:
            fn = t._grad_fn
            if fn is None:
                base = t._view_base
                leaves += (_ref(t if base is None else base),)
            elif graphs is None:
                graphs = [fn]
            else:
                graphs.append(fn)
    if graphs is None:
        return leaves, True
    return _search(graphs, leaves, _LEAF_SEARCH)


def merged(cuts, more):
    """``cuts`` and then ``more``, each record once, at most ``MAX_CUTS``."""
    if cuts is None:
        return more
    if more is None or more is cuts:
        return cuts
    out = list(cuts)
    for c in more:
        if len(out) >= MAX_CUTS:
            break
        if c not in out:
            out.append(c)
    return tuple(out)


def _cut(op, mode, leaves, complete):
    """The record of a cut by ``op``, the retrograd function that called this one's caller."""
    cut = _new(Cut)  # (no __init__ call: cheaper, and cuts can come one an op)
    cut.op = op
    cut.mode = mode
    cut.site = caller_site(4)  # the op's caller, or the first frame outside retrograd above it
    cut.leaves = leaves
    cut.complete = complete
    return cut


def new_cut(op, source, budget=_LEAF_SEARCH):
    """A record of a cut made now by ``op`` (the retrograd function that called this one) on the
    tensor ``source``, which requires grad."""
    fn = source._grad_fn
    if fn is None:
        base = source._view_base
        leaves, complete = (_ref(source if base is None else base),), True
    else:
        leaves, complete = _search((fn,), (), budget)
    return _cut(op, _mode(), leaves, complete)


def note(result, tensors, op):
    """``result`` of ``op`` (a tensor or a tuple of them) needs no gradient, and one of
    ``tensors`` requires grad or carries records: ``result`` gets the inputs' records and, while
    there is room, a new one for this op (the retrograd function that called this one)."""
    if not state.active:
        return
    cuts = None
    cut_here = False
    for t in tensors:
        if type(t) in _NOT_TENSORS:
            continue
        c = t._cuts
        if c is not None:
            cuts = c if cuts is None or c is cuts else merged(cuts, c)
        if t._requires_grad:
            cut_here = True
    if cut_here:
        if _grad_state.enabled:
            mode = None
        else:
            mode = "inference_mode" if _grad_state.inference else "no_grad"
        if cuts is None:
            cuts = (_cut(op, mode, *_leaves(tensors)),)
        else:
            for c in cuts:
                # the first record of a no_grad block stands for its later ops
                if mode is not None and c.mode == mode:
                    break
            else:
                c = cuts[-1] if len(cuts) >= MAX_CUTS else None  # (no room for a record)
            if c is None:
                cuts = merged(cuts, (_cut(op, mode, *_leaves(tensors)),))
            else:  # the record that stands for this cut no longer names every leaf cut off
                c.complete = False
    if type(result) is not tuple:
        # (not on a view made under no_grad of a tensor that requires grad: it does too)
        if not result._requires_grad:
            result._cuts = cuts if result._cuts is None else merged(result._cuts, cuts)
        return
    for r in result:
        if not r._requires_grad:
            r._cuts = cuts if r._cuts is None else merged(r._cuts, cuts)


def note_detached(result, source, op):
    """``result`` was taken out of the graph from ``source`` by ``detach`` / ``.data`` / ... ."""
    if not state.active:
        return
    cuts = source._cuts
    if source._requires_grad:
        cuts = merged((new_cut(op, source),), cuts)
    if cuts is not None:
        result._cuts = cuts


class CutEdge(tuple):
    """A node's edge ``(None, 0)`` to an input that needs no gradient because the graph was cut on
    the way to it (the op table makes one only then); ``cuts``: that input's records."""

    def __new__(cls, cuts):
        edge = tuple.__new__(cls, (None, 0))
        edge.cuts = cuts
        return edge


def op_name_of(node_name: str) -> str:
    """The op a node's name stands for, as a user calls it: ``SumBackward0`` -> ``sum``,
    ``MaskedFillBackward1`` -> ``masked_fill``."""
    base = re.sub(r"Backwards?\d*$", "", node_name.rpartition("::")[2])
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


# --- values that left as NumPy arrays or Python numbers ------------------------------------------

_arrays: dict = {}  # id(array) -> (weak reference to it, its records)
_values: deque = deque(
    maxlen=8
)  # (Python value, its records): the last few item() / tolist() results


def note_array(array, tensor, op="numpy"):
    """``array`` was handed out by ``tensor.numpy()``: keep its records while it lives."""
    if not state.active:
        return
    cuts = tensor._cuts
    if tensor._requires_grad:  # numpy(force=True)
        cuts = merged((new_cut(op, tensor),), cuts)
    if cuts is None:
        return
    key = id(array)
    if key in _arrays:
        ref, old = _arrays[key]
        if ref() is array:
            _arrays[key] = (ref, merged(old, cuts))
            return
    _arrays[key] = (weakref.ref(array, lambda _, key=key: _arrays.pop(key, None)), cuts)


def note_value(value, tensor, op):
    """``value`` came out of ``tensor`` by ``item()`` or ``tolist()``."""
    if not state.active:
        return
    if type(value) is not float and type(value) is not complex and type(value) is not list:
        return  # ints and bools are shared objects: one could not tell them apart
    cuts = tensor._cuts
    if tensor._requires_grad:  # (``loss.item()`` on every step: a short search for its leaves)
        cuts = merged((new_cut(op, tensor, _VALUE_SEARCH),), cuts)
    if cuts is not None:
        _values.append((value, cuts))


def found(data):
    """The records of ``data`` (an array or Python value being wrapped into a tensor), or None."""
    if _arrays and hasattr(data, "__array_interface__"):
        a = data
        for _ in range(3):  # the array, or a view of it (``arr[1:]``, ``arr.reshape``)
            entry = _arrays.get(id(a))
            if entry is not None and entry[0]() is a:
                return entry[1]
            a = getattr(a, "base", None)
            if a is None:
                break
    for value, cuts in _values:
        if value is data:
            return cuts
    return None


_switches.cuts = sys.modules[__name__]
