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

``set_enabled(False)`` stops making new records (the check an op makes stays).
"""

import re
import weakref
from collections import deque

from .anomaly import caller_site, describe_site
from .grad_mode import state as _grad_state

MAX_CUTS = 4  # records a tensor keeps: the first ones made or inherited


class _Switch:
    enabled = True


switch = _Switch()


def set_enabled(enabled: bool) -> None:
    """Record graph cuts (the default) or not."""
    switch.enabled = bool(enabled)


def is_enabled() -> bool:
    return switch.enabled


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


def _leaves(tensors):
    """Weak references to the leaves behind the inputs that require grad, and whether the search
    found them all (it stops after ``_LEAF_SEARCH`` nodes: a cut's cost stays bounded)."""
    found = []
    seen = set()
    stack = []
    for t in tensors:
        if getattr(t, "_requires_grad", False):
            fn = t._grad_fn
            if fn is None:
                found.append(weakref.ref(t._view_base if t._view_base is not None else t))
            else:
                stack.append(fn)
    budget = _LEAF_SEARCH
    while stack and budget:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        budget -= 1
        variable = getattr(node, "variable", None)
        if variable is not None:
            found.append(weakref.ref(variable))
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None:
                stack.append(nxt)
    return tuple(found), not stack


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


def new_cut(op, tensors, depth=3):
    """A record of a cut made now by ``op`` on ``tensors``, at the user's line ``depth`` frames
    up or further (``caller_site``)."""
    if _grad_state.enabled:
        mode = None
    else:
        mode = "inference_mode" if _grad_state.inference else "no_grad"
    leaves, complete = _leaves(tensors)
    return Cut(op, mode, caller_site(depth), leaves, complete)


def note(result, tensors, op):
    """``result`` of ``op`` needs no gradient, and one of ``tensors`` requires grad or carries
    records: give ``result`` a new record, the inputs' records, or both."""
    if not switch.enabled:
        return
    cuts = None
    cut_here = False
    for t in tensors:
        c = getattr(t, "_cuts", None)
        if c is not None:
            cuts = merged(cuts, c)
        if getattr(t, "_requires_grad", False):
            cut_here = True
    if cut_here:
        cuts = merged((new_cut(op, tensors),), cuts)
    if cuts is not None:
        for r in result if type(result) is tuple else (result,):
            if not r._requires_grad:
                r._cuts = merged(r._cuts, cuts)


def note_list(result, tensors, op):
    """``note`` for an op whose inputs are a list of tensors (``cat``, ``stack`` ...)."""
    note(result, tensors[0] if tensors and type(tensors[0]) is list else tensors, op)


def note_detached(result, source, op):
    """``result`` was taken out of the graph from ``source`` by ``detach`` / ``.data`` / ... ."""
    if not switch.enabled:
        return
    cuts = source._cuts
    if source._requires_grad:
        cuts = merged((new_cut(op, (source,)),), cuts)
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

_arrays = {}  # id(array) -> (weak reference to it, its records)
_values = deque(maxlen=8)  # (Python value, its records): the last few item() / tolist() results


def note_array(array, tensor, op="numpy"):
    """``array`` was handed out by ``tensor.numpy()``: keep its records while it lives."""
    if not switch.enabled:
        return
    cuts = tensor._cuts
    if tensor._requires_grad:  # numpy(force=True)
        cuts = merged((new_cut(op, (tensor,)),), cuts)
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
    if not switch.enabled:
        return
    if type(value) is not float and type(value) is not complex and type(value) is not list:
        return  # ints and bools are shared objects: one could not tell them apart
    cuts = tensor._cuts
    if tensor._requires_grad:
        cuts = merged((new_cut(op, (tensor,)),), cuts)
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
