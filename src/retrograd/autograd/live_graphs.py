"""Every autograd graph still alive in the process: its outputs, nodes, saved bytes, the line that
made it, and the Python names that keep it alive.

A diagnostic, run on request (``viz.memory_report()``, the leak detector): it asks the garbage
collector for every tensor and node, so it costs time in proportion to the whole heap, and nothing
on the op path.  PyTorch has no such census; its facts are the ones PyTorch users know by name
(``grad_fn``, ``next_functions``, saved tensors).
"""

import gc
import os
import sys

from ..tensor import Tensor
from .anomaly import INTERNAL_FILES, describe_site, node_site
from .function import BackwardCFunction
from .node import RELEASED, AccumulateGrad, Node, PackedSaved, SavedOutput

__all__ = ["LiveGraph", "live_graphs", "saved_entries"]


# --- what a node saved -------------------------------------------------------------------------------


def saved_entries(node):
    """``(name, value)`` for each value a node saved: a Tensor, an array, or a plain value; the
    value is None once it was freed.  Empty for nodes that save nothing (and for a custom
    Function's node once freed)."""
    if isinstance(node, BackwardCFunction):
        return _function_saved_entries(node)
    index = getattr(type(node), "_saved_slots", None)
    if not index:
        return []
    saved = getattr(node, "_saved", None)
    versions = getattr(node, "_versions", None) or ()
    out = []
    for name, i in index.items():
        if i < len(versions) and versions[i] is None and (saved is None or saved[i] is None):
            continue  # left out: no gradient that reads it was needed
        if saved is None or saved[i] is RELEASED:
            out.append(("_saved_" + name, None))
            continue
        value = saved[i]
        if type(value) is SavedOutput:
            value = value[0]  # the op's own output, kept as (array, version counter)
        out.append(("_saved_" + name, value))
    return out


def _function_saved_entries(node):
    """A custom Function's ``ctx.save_for_backward`` values, named ``saved_tensors[i]``.  Its
    entries are (tensor, version, output_nr); an output is kept as (array, version counter)."""
    saved = node.__dict__.get("_saved")
    if saved is None:
        return []
    out = []
    for i, entry in enumerate(saved):
        value = entry[0] if entry is not None else None
        if entry is not None and entry[2] is not None and type(value) is not PackedSaved:
            value = value[0]
        out.append((f"saved_tensors[{i}]", value if entry is not None else "None"))
    return out


def saved_array(value):
    """The array behind a saved value (a Tensor or an array), or None for anything else."""
    if isinstance(value, Tensor):
        value = value._data
    return value if hasattr(value, "nbytes") and hasattr(value, "shape") else None


# --- the census ------------------------------------------------------------------------------------


class LiveGraph:
    """One connected autograd graph that is still alive.

    ``outputs``: the live tensors at its top (their grad_fn has no live consumer); ``roots``: its
    top nodes; ``nodes``: how many nodes it has (leaves' AccumulateGrad not counted); ``saved_bytes``:
    the arrays its nodes still keep, each once, leaving out the leaves' own; ``oldest`` and
    ``newest``: the recorded ``(code, offset)`` of its oldest and newest node that has one;
    ``holders``: what keeps its outputs alive, in words (``total_loss``, a local of train() ...).
    """

    __slots__ = ("outputs", "roots", "nodes", "saved_bytes", "oldest", "newest", "holders")

    def __init__(self, outputs, roots, nodes, saved_bytes, oldest, newest):
        self.outputs = outputs
        self.roots = roots
        self.nodes = nodes
        self.saved_bytes = saved_bytes
        self.oldest = oldest
        self.newest = newest
        self.holders = []

    @property
    def made_at(self) -> str:
        """The line that made the graph's oldest node, with its text."""
        return describe_site(self.oldest) if self.oldest is not None else "an unknown place"

    def __repr__(self):
        names = ", ".join(r.name() for r in self.roots[:3])
        return f"<LiveGraph {names}: {self.nodes} nodes, {self.saved_bytes} saved bytes>"


def live_nodes():
    """Every node alive in the process except the leaves' AccumulateGrad, oldest first."""
    # by type, not isinstance: some objects (deprecated aliases) warn when asked for __class__
    found = [
        o for o in gc.get_objects() if issubclass(type(o), Node) and type(o) is not AccumulateGrad
    ]
    found.sort(key=_seq)
    return found


def _seq(node):
    return getattr(node, "_seq", 0)


def live_graphs(name_holders: bool = True) -> list:
    """Every live graph (``LiveGraph``), the one keeping the most saved bytes first.

    With ``name_holders``, each graph's ``holders`` says which variables, lists, dicts or
    attributes keep its outputs alive (found by walking ``gc.get_referrers`` and the stack's frames).
    """
    graphs = _find_graphs()  # its working sets are gone before the holders are searched
    if name_holders:
        name_all(graphs)
    return graphs


def _find_graphs() -> list:
    nodes = live_nodes()
    parent = {n: n for n in nodes}

    def find(n):
        while parent[n] is not n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    consumed = set()
    for n in nodes:
        for nxt, _ in n.next_functions:
            if nxt is not None and nxt in parent:
                consumed.add(nxt)
                a, b = find(n), find(nxt)
                if a is not b:
                    parent[b] = a
    groups: dict = {}
    for n in nodes:
        groups.setdefault(find(n), []).append(n)
    outputs: dict = {}
    for t in [o for o in gc.get_objects() if issubclass(type(o), Tensor)]:
        fn = t._grad_fn
        if fn is not None and fn in parent and fn not in consumed:
            outputs.setdefault(fn, []).append(t)
    graphs = []
    for members in groups.values():
        roots = [n for n in members if n not in consumed]
        outs = [t for r in roots for t in outputs.get(r, ())]
        sites = [s for s in map(node_site, members) if s is not None]
        graphs.append(
            LiveGraph(
                outs,
                roots,
                len(members),
                _saved_bytes(members),
                sites[0] if sites else None,
                sites[-1] if sites else None,
            )
        )
    graphs.sort(key=lambda g: (-g.saved_bytes, -g.nodes))
    return graphs


def _saved_bytes(members) -> int:
    """Bytes of the arrays the nodes keep, each once, leaving out the leaves' arrays (alive anyway)."""
    leaf = set()
    arrays = {}
    for n in members:
        for nxt, _ in n.next_functions:
            if type(nxt) is AccumulateGrad:
                a = nxt.variable._data  # type: ignore[attr-defined]
                leaf.add(id(a))
                if a.base is not None:
                    leaf.add(id(a.base))
    for n in members:
        for _, value in saved_entries(n):
            a = saved_array(value)
            if a is None or id(a) in leaf:
                continue
            base = a.base if a.base is not None else a
            if id(base) not in leaf:
                arrays[id(base)] = base.nbytes
    return sum(arrays.values())


# --- who keeps a graph alive --------------------------------------------------------------------


def name_all(graphs) -> None:
    """Fill each graph's ``holders``: for its outputs (or, with none, its root nodes), the names
    that refer to them."""
    targets = [(g, o) for g in graphs for o in (g.outputs or g.roots)]
    names = holders([o for _, o in targets])
    for g, o in targets:
        for name in names.get(id(o), ()):
            if name not in g.holders:
                g.holders.append(name)


def holders(objects, depth: int = 3) -> dict:
    """``{id(obj): [description, ...]}``: the names by which user code can reach each object.

    A local variable of a frame outside retrograd, a module global, an item of a list, tuple or
    set, a value of a dict, or an attribute of an object, followed up to ``depth`` containers.
    """
    frames = _user_frames()
    names: dict = {}
    pending = {id(o): o for o in objects}
    skip = {id(objects), id(frames), id(pending), id(sys._getframe())}
    for f in frames:
        d = f.f_locals  # a snapshot dict on 3.11/3.12, skipped below as a referrer
        skip.add(id(d))
        for key, v in d.items():
            if id(v) in pending and pending[id(v)] is v:
                names.setdefault(id(v), []).append(_local(key, f))
    modules = {id(m.__dict__): name for name, m in list(sys.modules.items()) if m is not None}
    level = [o for o in objects if id(o) not in names]
    heap = gc.get_objects()
    skip.add(id(heap))
    skip.add(id(level))
    chains = {id(o): (id(o), "") for o in level}  # id -> (target id, description prefix)
    for _ in range(depth):
        if not level:
            break
        by_id = {id(o): o for o in level}
        nxt = []
        skip.add(id(by_id))
        found = [(r, o) for r, o in _referrers(by_id, skip, heap) if not issubclass(type(r), Node)]
        skip.add(id(found))
        owners = _dict_owners(
            [r for r, _ in found if type(r) is dict and id(r) not in modules], heap
        )
        for r, o in found:
            target, prefix = chains[id(o)]
            how = _how(r, o, modules, owners)
            if how is None:
                continue
            text, final = how
            if final is True:
                names.setdefault(target, []).append(prefix + text)
                continue
            if id(r) in by_id or id(r) in chains:
                continue
            for f in frames:
                key = next((k for k, v in f.f_locals.items() if v is r), None)
                if key is not None:
                    names.setdefault(target, []).append(f"{prefix}{text} {_local(key, f)}")
                    break
            else:
                if final == "attribute":  # an object no variable names: say which attribute
                    unnamed = text.replace(" of the ", " of a ", 1)
                    names.setdefault(target, []).append(prefix + unnamed)
                    continue
                chains[id(r)] = (target, prefix + text + " ")
                nxt.append(r)
        skip.add(id(nxt))
        level = nxt
        skip.add(id(level))
    return names


def _referrers(by_id, skip, heap):
    """``(referrer, target)`` pairs for the targets in ``by_id`` (id -> object): one walk of the
    heap, where ``gc.get_referrers(*targets)`` would compare every reference with every target."""
    out = []
    for x in heap:
        if id(x) in skip:
            continue
        for o in gc.get_referents(x):
            if by_id.get(id(o), by_id) is o:
                out.append((x, o))
    return out


def _dict_owners(dicts, heap) -> dict:
    """``{id(d): obj}`` for the dicts that are an object's ``__dict__`` (one heap walk for all)."""
    if not dicts:
        return {}
    ids = {id(d) for d in dicts}
    owners = {}
    for x, _ in _referrers({id(d): d for d in dicts}, (), heap):
        if type(x) is dict or type(x) is list:
            continue
        try:  # not getattr: a class's own __getattr__ could run (and warn)
            d = object.__getattribute__(x, "__dict__")
        except (AttributeError, TypeError):
            continue
        if id(d) in ids:
            owners[id(d)] = x
    return owners


def _how(r, o, modules, owners):
    """How container ``r`` holds ``o``: ``(text, final)``; final when the text names a place
    user code can write (a global, an attribute), else the container is followed further."""
    if type(r) is dict:
        key = next((k for k, v in r.items() if v is o), None)
        mod = modules.get(id(r))
        if mod is not None:
            return f"`{key}`, a global of module {mod}", True
        owner = owners.get(id(r))
        if owner is not None:
            if isinstance(owner, Tensor):
                return None  # a tensor's own fields (.grad ...): not a graph's keeper
            return f"attribute `.{key}` of a {type(owner).__name__} object", True
        return f"the value of key {key!r} of the dict", False
    if type(r) is list:
        return "an item of the list", False
    if type(r) is tuple:
        return "an item of the tuple", False
    if isinstance(r, (set, frozenset)):
        return "a member of the set", False
    try:  # an object's attribute (its __dict__, reported as the object itself on 3.11+)
        d = object.__getattribute__(r, "__dict__")
    except (AttributeError, TypeError):
        return None
    if type(d) is not dict or isinstance(r, (Tensor, type)):
        return None  # a tensor's own fields (.grad ...) or a class attribute: not a keeper here
    key = next((k for k, v in d.items() if v is o), None)
    if key is None:
        return None
    return f"attribute `.{key}` of the {type(r).__name__} object", "attribute"


def _local(key, f) -> str:
    """```total_loss``, a local of train() in train.py``."""
    if f.f_code.co_name == "<module>":
        return f"`{key}`, a global of module {f.f_globals.get('__name__')}"
    return f"`{key}`, a local of {f.f_code.co_name}() in {os.path.basename(f.f_code.co_filename)}"


def _user_frames():
    """The frames of every thread's stack that run user code (not retrograd's own).  No frame of
    ours is kept in a local: a frame referring to itself would keep the whole stack's locals alive
    until the cycle collector runs."""
    out = []
    for f in sys._current_frames().values():
        while f is not None:
            if f.f_code.co_filename not in INTERNAL_FILES and f not in out:
                out.append(f)
            f = f.f_back
    return out
