"""Why a gradient is None or zero: ``explain(output, leaf)``, and the sentence that the "does not
require grad" error adds.

Both read the records that ops leave where the graph was cut (``autograd.cuts``) and walk the graph
from the output as the engine would.  Whether a gradient is zero is found by running the backward
pass once more on a copy of what reaches the leaf (``autograd.grad`` with node hooks), which needs
the saved values: after a ``backward()`` that freed them, only ops whose gradient is zero whatever
the values (``sign``, ``round``, ``floor`` ...) can be named.
"""

from dataclasses import dataclass, field

from .._array import xp
from .anomaly import INTERNAL_FILES, _getframe, describe_site, node_site, outside
from .cuts import Cut, CutEdge, op_name_of

# Ops whose gradient is zero everywhere (where it is defined), whatever their inputs.
ZERO_GRADIENT_NODES = frozenset(
    {
        "SignBackward0",
        "SgnBackward0",
        "RoundBackward0",
        "RoundBackward1",
        "FloorBackward0",
        "CeilBackward0",
        "TruncBackward0",
    }
)


@dataclass
class Explanation:
    """The answer of ``explain``: ``reason`` is one of

    - ``"used"``: the leaf gets a nonzero gradient;
    - ``"zero"``: every path to the leaf passes through an op whose gradient is zero here
      (``zeros``: those nodes);
    - ``"cut"``: the output reaches the leaf only through a cut in the graph (``cuts``);
    - ``"unused"``: the leaf is not used in computing the output;
    - ``"no_grad_leaf"``: the leaf does not require grad;
    - ``"not_leaf"``: the tensor is not a leaf, so backward() leaves its ``.grad`` None;
    - ``"unknown"``: the leaf is reached, but the values that would tell whether its gradient is
      zero were freed by a backward().

    ``path``: the nodes from the output's ``grad_fn`` to the leaf's ``AccumulateGrad`` (``"used"``,
    ``"zero"``, ``"unknown"``) or to the node whose input was cut (``"cut"``)."""

    reason: str
    sentence: str
    path: list = field(default_factory=list)
    cuts: list = field(default_factory=list)
    zeros: list = field(default_factory=list)

    def __str__(self) -> str:
        return self.sentence


def user_frame(depth=2):
    """The innermost frame outside retrograd, ``depth`` frames up or further."""
    f = _getframe(depth)
    return outside(f) if f.f_code.co_filename in INTERNAL_FILES else f


def _names(frame):
    """``id(tensor) -> variable name`` for the tensors a user's frame holds (locals, then
    globals)."""
    from ..tensor import Tensor

    names = {}
    if frame is None:
        return names
    for scope in (frame.f_globals, frame.f_locals):
        for k, v in scope.items():
            if isinstance(v, Tensor) and not k.startswith("_"):
                names[id(v)] = k
    return names


def _join(parts):
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _cut_leaf_names(cuts, names):
    out = []
    for c in cuts:
        for r in c.leaves:
            leaf = r()
            if leaf is not None and id(leaf) in names:
                n = f"`{names[id(leaf)]}`"
                if n not in out:
                    out.append(n)
    return out


def cut_sentence(tensor, frame=None) -> str:
    """One sentence saying through which cuts ``tensor`` depends on tensors that require grad, or
    "" when it carries no record (for errors about a tensor without a graph)."""
    cuts = tensor._cuts
    if not cuts:
        return ""
    if frame is None:
        frame = user_frame()
    names = _names(frame)
    who = f"`{names[id(tensor)]}`" if id(tensor) in names else "This tensor"
    leaves = _cut_leaf_names(cuts, names)
    what = _join(leaves) if leaves else "a tensor that requires grad"
    return f"{who} depends on {what} only through {_join(c.describe() for c in cuts)}."


def _graph(root):
    """Walk the graph from ``root``: ``{id(node): node}``, the predecessors of each node, and
    the cut edges met (node, its cuts)."""
    nodes = {id(root): root}
    preds = {}
    cut_edges = []
    stack = [root]
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if type(edge) is CutEdge:
                cut_edges.append((node, edge.cuts))
                continue
            nxt = edge[0]
            if nxt is None:
                continue
            preds.setdefault(id(nxt), []).append(node)
            if id(nxt) not in nodes:
                nodes[id(nxt)] = nxt
                stack.append(nxt)
    return nodes, preds, cut_edges


def _on_path(target, preds):
    """``{id(node): node}`` of the nodes from which ``target`` can be reached."""
    seen = {id(target): target}
    stack = [target]
    while stack:
        node = stack.pop()
        for p in preds.get(id(node), ()):
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return seen


def _path(root, target, allowed):
    """Nodes from ``root`` to ``target`` through ``allowed`` (ids), or [] if there is none."""
    parent = {id(root): None}
    stack = [root]
    while stack:
        node = stack.pop()
        if node is target:
            out = [node]
            while parent[id(out[-1])] is not None:
                out.append(parent[id(out[-1])])
            return out[::-1]
        for nxt, _ in node.next_functions:
            if nxt is not None and id(nxt) in allowed and id(nxt) not in parent:
                parent[id(nxt)] = node
                stack.append(nxt)
    return []


def _reaches_without(root, target, blocked, allowed):
    """Whether ``target`` can be reached from ``root`` avoiding the ``blocked`` nodes (ids)."""
    return bool(_path(root, target, {k for k in allowed if k not in blocked}))


def _describe_node(node) -> str:
    site = node_site(node)
    op = op_name_of(node.name())
    return f"`{op}` at {describe_site(site)}" if site is not None else f"`{op}`"


def _nonzero(g) -> bool:
    return g is not None and bool(xp.any(g._data != 0))


def _zeroing_nodes(output, leaf, on_path):
    """Run the backward pass from ``output`` to ``leaf`` again, watching the nodes on the way:
    those that receive a nonzero gradient and pass only zeros on towards the leaf.  Returns
    (the leaf's gradient, those nodes), or None when the saved values were freed."""
    from . import grad

    seen = {}
    handles = []
    for node in on_path.values():
        if getattr(node, "variable", None) is not None:
            continue

        def hook(grad_inputs, grad_outputs, node=node):
            seen[id(node)] = (grad_inputs, grad_outputs)

        handles.append(node.register_hook(hook))
    ones = None if output._data.size == 1 else output.new_ones(output.shape)
    try:
        (g,) = grad(output, leaf, ones, retain_graph=True, allow_unused=True)
    except RuntimeError as e:
        if str(e).startswith("Trying to backward through the graph a second time"):
            return None  # (PyTorch's text for saved values a backward() freed)
        raise
    finally:
        for h in handles:
            h.remove()
    zeros = []
    for key, (grad_inputs, grad_outputs) in seen.items():
        node = on_path[key]
        if not any(_nonzero(go) for go in grad_outputs):
            continue
        towards = [
            gi
            for gi, (nxt, _) in zip(grad_inputs, node.next_functions)
            if nxt is not None and id(nxt) in on_path
        ]
        if towards and not any(_nonzero(gi) for gi in towards):
            zeros.append(node)
    zeros.sort(key=lambda n: -getattr(n, "_seq", 0))  # nearest the output first
    return g, zeros


def explain(output, leaf) -> Explanation:
    """Why ``leaf.grad`` is None or zero after ``output.backward()``, in words and as data.

    Walks the graph from ``output``: the leaf is not used at all, used only through a cut in the
    graph (``detach``, ``.data``, ``torch.tensor``, an op without a gradient, ``no_grad`` ...: which
    line, which op), or only through ops whose gradient is zero (a relu dead everywhere, ``sign``,
    a multiplication by zero ...).  ``str()`` of the answer is the sentence."""
    names = _names(user_frame())
    out_name = f"`{names[id(output)]}`" if id(output) in names else "the output"
    leaf_name = f"`{names[id(leaf)]}`" if id(leaf) in names else "the tensor"
    grad_of = f"{leaf_name[:-1]}.grad`" if leaf_name.startswith("`") else "its .grad"

    if not leaf._requires_grad:
        return Explanation(
            "no_grad_leaf",
            f"{leaf_name} does not require grad, so backward() computes no gradient for it: "
            f"make it with requires_grad=True (or call requires_grad_()).",
        )
    if output is leaf:
        return _used([], out_name, leaf_name)
    target = leaf._grad_fn
    root = output._grad_fn
    nodes, preds, cut_edges = _graph(root) if root is not None else ({}, {}, [])
    if target is None:  # a leaf: its AccumulateGrad, if the graph reaches it
        target = next(
            (n for n in nodes.values() if getattr(n, "variable", None) is leaf),
            None,
        )
    elif id(target) not in nodes:
        target = None

    if target is None:
        return _not_reached(output, leaf, root, nodes, cut_edges, out_name, leaf_name, grad_of)

    on_path = _on_path(target, preds)
    result = _zeroing_nodes(output, leaf, on_path)
    not_leaf = leaf._grad_fn is not None
    if result is None:  # values freed: only ops whose gradient is always zero can be named
        zeros = [n for n in on_path.values() if n.name() in ZERO_GRADIENT_NODES]
        if zeros and not _reaches_without(root, target, {id(n) for n in zeros}, on_path):
            return _zero(root, target, on_path, zeros, out_name, leaf_name, grad_of)
        path = _path(root, target, on_path)
        if not not_leaf and _nonzero(leaf._grad):
            return _used(path, out_name, leaf_name)
        return Explanation(
            "unknown",
            f"{leaf_name} is used in computing {out_name}; whether its gradient is zero depends "
            f"on values that backward() has freed: call explain() before backward(), or "
            f"backward(retain_graph=True), to check them.",
            path,
        )
    g, zeros = result
    if not _nonzero(g) and zeros:
        return _zero(root, target, on_path, zeros, out_name, leaf_name, grad_of)
    path = _path(root, target, on_path)
    if not_leaf:
        return Explanation(
            "not_leaf",
            f"{leaf_name} is used in computing {out_name}, but it is not a leaf: backward() "
            f"fills .grad only on leaves, unless retain_grad() was called on it first.",
            path,
        )
    if _nonzero(g):
        return _used(path, out_name, leaf_name)
    return Explanation(
        "zero",
        f"{leaf_name} is used in computing {out_name}, but its gradient is zero: the gradient "
        f"arriving from {out_name} is zero.",
        path,
    )


def _used(path, out_name, leaf_name):
    n = max(len(path) - 1, 0)  # the nodes that are ops (the last is the leaf's AccumulateGrad)
    return Explanation(
        "used",
        f"{leaf_name} gets a nonzero gradient from {out_name}, through {n} op{'s' * (n != 1)}.",
        path,
    )


def _zero(root, target, on_path, zeros, out_name, leaf_name, grad_of):
    path = _path(root, target, on_path)
    which = _join(_describe_node(n) for n in zeros[:3])
    whose = "whose gradient is" if len(zeros[:3]) == 1 else "whose gradients are"
    return Explanation(
        "zero",
        f"Every path from {out_name} to {leaf_name} passes through {which}, {whose} zero "
        f"here, so {grad_of} is zero.",
        path,
        zeros=zeros,
    )


def _not_reached(output, leaf, root, nodes, cut_edges, out_name, leaf_name, grad_of):
    """The leaf is not in the graph of ``output``: through a cut, or not used at all."""
    found = []  # (node holding the cut edge or None for the output itself, cut)
    if output._cuts:
        found.extend((None, c) for c in output._cuts)
    for node, cuts in cut_edges:
        found.extend((node, c) for c in cuts)
    mine = [(n, c) for n, c in found if c.cuts_off(leaf)]
    if mine:
        cuts = list(dict.fromkeys(c for _, c in mine))
        node = mine[0][0]
        path = _path(root, node, nodes) if node is not None else []
        return Explanation(
            "cut",
            f"{leaf_name} reaches {out_name} only through {_join(c.describe() for c in cuts)}, "
            f"so {grad_of} stays None.",
            path,
            cuts,
        )
    unsure = list(dict.fromkeys(c for _, c in found if not c.complete))
    sentence = f"{leaf_name} is not used in computing {out_name}, so {grad_of} stays None."
    if unsure:
        sentence = (
            f"{leaf_name} is not used in computing {out_name} except perhaps through "
            f"{_join(c.describe() for c in unsure)} (not every tensor cut off there could be "
            f"recorded), so {grad_of} stays None."
        )
    return Explanation("unused", sentence, cuts=unsure)


__all__ = ["explain", "Explanation", "Cut", "cut_sentence"]
