"""See the graph: ``draw`` gives Graphviz DOT text for the graph behind tensors, ``memory_report`` a
table of what its nodes keep alive.

PyTorch has no such tool built in (``torchviz`` is a separate package); these read the same facts a
PyTorch user knows by name: ``grad_fn``, ``next_functions``, ``_saved_self``, ``AccumulateGrad``.
A node's saved tensors show as freed once a backward pass without ``retain_graph`` has run.
"""

import os
import shutil
import weakref

from .autograd.anomaly import site_line
from .autograd.function import BackwardCFunction
from .autograd.live_graphs import live_graphs
from .autograd.live_graphs import saved_entries as _saved_entries
from .autograd.node import AccumulateGrad, PackedSaved, grad_accumulator
from .tensor import Tensor

__all__ = ["DotGraph", "draw", "memory_report"]


class DotGraph(str):
    """DOT text (a ``str``) that can also render itself with Graphviz.

    In Jupyter it shows as a picture (``_repr_mimebundle_``, as ``graphviz`` objects do) when the
    ``graphviz`` package and the ``dot`` program are installed, and as its DOT text otherwise.
    """

    def render(self, filename: str, format: str = "svg") -> str:
        """Write ``filename.<format>`` (``svg``, ``png``, ``pdf`` ...) with Graphviz; returns its
        path.

        Without the ``graphviz`` package and the ``dot`` program, the DOT text is written to
        ``filename.dot`` and a RuntimeError says how to render it.
        """
        if _graphviz_available():
            import graphviz

            return graphviz.Source(str(self)).render(filename, format=format, cleanup=True)
        with open(filename + ".dot", "w") as f:
            f.write(self)
        raise RuntimeError(
            f"Graphviz is not available: wrote the DOT text to {filename}.dot. Render it with "
            f"`dot -T{format} {filename}.dot -o {filename}.{format}` after installing Graphviz "
            "(`apt-get install graphviz` and `pip install graphviz`), or paste it into an online "
            "Graphviz viewer."
        )

    def pipe(self, format: str = "svg") -> bytes:
        """The rendered picture as bytes (``svg``, ``png`` ...); needs Graphviz, as ``render``."""
        if not _graphviz_available():
            raise RuntimeError(
                "Graphviz is not available: install the `dot` program (`apt-get install "
                "graphviz`) and the Python package (`pip install graphviz`) to render the graph."
            )
        import graphviz

        return graphviz.Source(str(self)).pipe(format=format)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": str(self) + ("\n" + self.hint if hasattr(self, "hint") else "")}
        if _graphviz_available():
            bundle["image/svg+xml"] = self.pipe("svg").decode()
        return {
            k: v
            for k, v in bundle.items()
            if (not include or k in include) and not (exclude and k in exclude)
        }

    def _repr_svg_(self):
        return self.pipe("svg").decode() if _graphviz_available() else None


def _graphviz_available() -> bool:
    """Whether the ``graphviz`` package and the ``dot`` program it runs are both installed."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


# What draw and memory_report last saw of each node (output shape, saved tensors' shape, dtype
# and bytes), so a graph drawn before backward() still shows them, marked freed, after it.
_seen = weakref.WeakKeyDictionary()


def _remember(node, key, value):
    _seen.setdefault(node, {})[key] = value


def _recalled(node, key):
    return _seen.get(node, {}).get(key)


# --- reading the graph -------------------------------------------------------------------------------


def _roots(tensor_or_tensors):
    if isinstance(tensor_or_tensors, Tensor):
        return [tensor_or_tensors]
    return [t for t in tensor_or_tensors if isinstance(t, Tensor)]


def _root_node(t):
    """The node a root tensor enters the graph at: its grad_fn or, for a leaf that requires grad,
    its AccumulateGrad (made if no graph holds one: drawing a lone leaf shows the leaf)."""
    if t.grad_fn is not None:
        return t.grad_fn
    return grad_accumulator(t) if t._requires_grad else None


def _walk(roots):
    """Every node reachable from the roots' grad_fn, each once, roots first (no recursion)."""
    order = []
    seen = set()
    stack = [n for n in map(_root_node, reversed(roots)) if n is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for nxt, _ in reversed(node.next_functions):
            if nxt is not None and nxt not in seen:
                stack.append(nxt)
    return order


def saved_entries(node):
    """``(name, value)`` for each value a node saved (``autograd.live_graphs.saved_entries``); a
    custom Function's node freed after it was drawn still lists how many it had, as freed."""
    entries = _saved_entries(node)
    if isinstance(node, BackwardCFunction):
        if node.__dict__.get("_saved") is None:
            count = _recalled(node, "count") or 0
            return [(f"saved_tensors[{i}]", None) for i in range(count)]
        _remember(node, "count", len(entries))
    return entries


def _describe(value):
    """``(shape, dtype, bytes, array)`` of a saved value; arrays and Tensors only."""
    if isinstance(value, Tensor):
        value = value._data
    if hasattr(value, "nbytes") and hasattr(value, "shape"):
        from .dtypes import FROM_NP

        return tuple(value.shape), FROM_NP[value.dtype], value.nbytes, value
    return None


def _shape(shape):
    return "(" + ", ".join(map(str, shape)) + ")"


def _freed_where(node):
    """Where the backward pass that freed the node ran, when the engine recorded it."""
    where = getattr(node, "_freed_at", None)  # (code, offset) of that call, from the engine
    if where is None:
        return ""
    return f" by the backward call at {os.path.basename(where[0].co_filename)}:{site_line(where)}"


def _leaf_names(params):
    return {id(t): name for name, t in (params or {}).items()}


# --- draw -----------------------------------------------------------------------------------------


def _q(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def draw(tensor_or_tensors, params=None, show_saved: bool = True) -> DotGraph:
    """The graph behind ``tensor_or_tensors`` as Graphviz DOT text.

    One box per node, named as PyTorch names it (``MulBackward0``); leaves named from ``params``
    (name -> tensor) with their shapes; the shape of the tensor each edge carries; with
    ``show_saved``, each node's saved tensors (``_saved_self`` ...) with shape and dtype, drawn
    dashed and marked "freed" once a backward pass released them.  A tensor in ``params`` that no
    path reaches (the graph was cut before it, or it was not used) is drawn in red, with a dashed
    edge to the outputs.  The result is a ``str``; its ``render(filename, format)`` draws it
    when Graphviz is installed, and Jupyter shows it as a picture.
    """
    roots = _roots(tensor_or_tensors)
    names = _leaf_names(params)
    ids = {}
    lines = [
        "digraph retrograd {",
        "  graph [rankdir=BT];",
        '  node [shape=box, style=filled, fillcolor=lightgrey, fontname="monospace"];',
    ]

    def nid(node):
        return ids.setdefault(node, f"n{len(ids)}")

    for k, t in enumerate(roots):
        label = f"output {k}\n{_shape(t.shape)}"
        lines.append(f"  out{k} [label={_q(label)}, fillcolor=darkolivegreen1];")
        node = _root_node(t)
        if node is not None:
            lines.append(f"  {nid(node)} -> out{k} [label={_q(_shape(t.shape))}];")
    nodes = _walk(roots)
    out_shapes = _output_shapes(roots, nodes)
    for node in nodes:
        me = nid(node)
        if type(node) is AccumulateGrad:
            v = node.variable
            name = names.get(id(v), "")
            label = f"{name}\n{_shape(v.shape)}" if name else f"AccumulateGrad\n{_shape(v.shape)}"
            lines.append(f"  {me} [label={_q(label)}, fillcolor=lightblue];")
            continue
        lines.append(f"  {me} [label={_q(node.name())}];")
        for nxt, _nr in node.next_functions:
            if nxt is None:
                continue
            shape = out_shapes.get(nxt)
            label = f" [label={_q(_shape(shape))}]" if shape is not None else ""
            lines.append(f"  {nid(nxt)} -> {me}{label};")
        if show_saved:
            for j, (sname, value) in enumerate(saved_entries(node)):
                sid = f"{me}_s{j}"
                if value is None:
                    d = _recalled(node, sname)
                    was = f"{_shape(d[0])} {d[1]}\n" if d is not None else ""
                    text, color = f"{sname}\n{was}freed{_freed_where(node)}", "white"
                elif type(value) is PackedSaved:
                    text, color = f"{sname}\npacked by saved_tensors_hooks", "orange"
                else:
                    d = _describe(value)
                    if d is None:
                        text, color = f"{sname}\n{value}", "lightyellow"
                    else:
                        _remember(node, sname, d[:3])
                        text = f"{sname}\n{_shape(d[0])} {d[1]}"
                        color = "orange"
                style = "dashed" if value is None else "filled"
                lines.append(f"  {sid} [label={_q(text)}, fillcolor={color}, style={style}];")
                lines.append(f"  {sid} -> {me} [style=dotted, arrowhead=none];")
    lines += _unreached(params, nodes, roots)
    lines.append("}")
    dot = DotGraph("\n".join(lines) + "\n")
    if not _graphviz_available():
        dot.hint = (
            "Graphviz is not installed: render this text with `dot -Tsvg graph.dot -o "
            "graph.svg`, or install the `graphviz` Python package and program."
        )
    return dot


def _unreached(params, nodes, roots):
    """The tensors named in ``params`` that no path of the graph reaches, drawn in red with a
    dashed edge to the outputs: a backward pass leaves their ``.grad`` untouched (the graph was
    cut by ``detach()``, ``.data``, ``no_grad`` ..., or they were not used)."""
    if not params or not roots:
        return []
    reached = {id(n.variable) for n in nodes if type(n) is AccumulateGrad}
    lines = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for k, (name, t) in enumerate(items):
        if not isinstance(t, Tensor) or id(t) in reached or t.grad_fn is not None:
            continue
        if t._requires_grad:
            why = "no path to the outputs:\ncut (detach, .data, no_grad) or unused"
        else:
            why = "requires_grad=False"
        label = f"{name}\n{_shape(t.shape)}\n{why}"
        lines.append(
            f'  cut{k} [label={_q(label)}, fillcolor=mistyrose, color=red, style="filled,dashed"];'
        )
        for j in range(len(roots)):
            lines.append(f"  cut{k} -> out{j} [style=dashed, color=red, arrowhead=tee];")
    return lines


def _output_shapes(roots, nodes):
    """The shape each node's output has, where the graph still shows it, at no cost to op calls.

    Known: a root tensor's shape, a leaf's, a saved ``result``, and what a consumer saved of an
    input (the input itself, its ``_shape``, or the shape it was broadcast from).  Elementwise ops
    pass shapes on both ways (input to output and back), until nothing new is learned.
    """
    shapes = {n: _recalled(n, "out") for n in nodes if _recalled(n, "out") is not None}
    for t in roots:
        if t.grad_fn is not None:
            shapes.setdefault(t.grad_fn, tuple(t.shape))
    facts = []
    for node in nodes:
        if type(node) is AccumulateGrad:
            shapes[node] = tuple(node.variable.shape)
            continue
        entries = dict(saved_entries(node))
        d = _describe(entries.get("_saved_result"))
        if d is not None:
            shapes.setdefault(node, d[0])
        opdef = _opdef(node)
        names = opdef.inputs if opdef is not None else ()
        meta = getattr(node, "_meta", None)
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is None:
                continue
            if meta is not None and i < len(meta) and meta[i] is not None:
                shapes.setdefault(nxt, tuple(meta[i][0]))
            elif i < len(names):
                d = _describe(entries.get("_saved_" + names[i]))
                shape = d[0] if d is not None else entries.get("_saved_" + names[i] + "_shape")
                if isinstance(shape, tuple):
                    shapes.setdefault(nxt, tuple(shape))
        if opdef is not None and opdef.forward.__module__.endswith(".pointwise"):
            facts.append(
                (
                    node,
                    [
                        nxt
                        for i, (nxt, _) in enumerate(node.next_functions)
                        if nxt is not None and not (meta and meta[i])
                    ],
                )
            )
    changed = True
    while changed:  # elementwise: an input that was not broadcast has the output's shape
        changed = False
        for node, same in facts:
            group = [node] + same
            known = next((shapes[n] for n in group if n in shapes), None)
            if known is not None:
                for n in group:
                    if n not in shapes:
                        shapes[n] = known
                        changed = True
    for n, shape in shapes.items():
        _remember(n, "out", shape)
    return shapes


def _opdef(node):
    from .ops import OPS

    return OPS.get(getattr(type(node), "_op_name", ""))


# --- memory report ------------------------------------------------------------------------------------


def memory_report(tensor_or_tensors=None, params=None) -> str:
    """A text table of every node of the graph, each array it saved, its bytes and state (live, or
    freed), and the total bytes a ``backward()`` would free.

    The total counts each array once, and leaves out arrays that belong to the graph's leaves or
    to the tensors given (the parameters, inputs and those tensors stay alive after backward).

    With no tensor, every autograd graph alive in the process instead: its output tensors, node
    count, saved bytes, the line that made its oldest node, and the variables, lists, dicts or
    attributes that keep it alive (``autograd.live_graphs``: it walks the whole heap, so it takes
    time in proportion to it).
    """
    if tensor_or_tensors is None:
        if params is not None:
            raise ValueError("memory_report(params=...) needs the tensors whose graph to report")
        return _live_report(live_graphs())
    roots = _roots(tensor_or_tensors)
    nodes = [n for n in _walk(roots) if type(n) is not AccumulateGrad]
    # Arrays that stay alive after backward anyway: the leaves' and the roots' (the caller holds
    # the root tensors), and what they are views of.
    kept = [n.variable._data for n in _walk(roots) if type(n) is AccumulateGrad]
    kept += [t._data for t in roots]
    if params is not None:  # tensors the caller keeps too (a dict, as torchviz takes, or a list)
        kept += [t._data for t in (params.values() if isinstance(params, dict) else params)]
    leaf_arrays = {id(a) for a in kept} | {id(a.base) for a in kept if a.base is not None}
    rows = []
    freeable = {}
    for node in nodes:
        entries = saved_entries(node)
        if not entries:
            rows.append((node.name(), "-", "", "", "0", "nothing saved"))
            continue
        for sname, value in entries:
            if value is None:
                d = _recalled(node, sname)
                shape, dtype, nbytes = (
                    (_shape(d[0]), _dtype(d[1]), str(d[2])) if d else ("", "", "")
                )
                rows.append(
                    (node.name(), sname, shape, dtype, nbytes, "freed" + _freed_where(node))
                )
                continue
            if type(value) is PackedSaved:
                rows.append((node.name(), sname, "", "", "?", "packed by a hook"))
                continue
            d = _describe(value)
            if d is None:
                rows.append((node.name(), sname, str(value), "", "0", "live (not an array)"))
                continue
            _remember(node, sname, d[:3])
            shape, dtype, nbytes, array = d
            base = array.base if array.base is not None else array
            if id(base) not in leaf_arrays and id(array) not in leaf_arrays:
                freeable[id(base)] = base.nbytes
            rows.append((node.name(), sname, _shape(shape), _dtype(dtype), str(nbytes), "live"))
    header = ("node", "saved", "shape", "dtype", "bytes", "state")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]

    def fmt(r):
        return "  ".join(
            c.rjust(w) if i == 4 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))
        ).rstrip()

    out = [fmt(header), fmt(tuple("-" * w for w in widths))]
    out += [fmt(r) for r in rows]
    total = sum(freeable.values())
    out.append("")
    out.append(
        f"{len(nodes)} nodes; backward() would free {total} bytes ({_human(total)}) "
        "of saved arrays held only by the graph"
    )
    return "\n".join(out) + "\n"


_MOST_GRAPHS = 20


def _live_report(graphs) -> str:
    """``memory_report()``: one paragraph per live graph, most saved bytes first."""
    if not graphs:
        return "No autograd graph is alive.\n"
    total = sum(g.saved_bytes for g in graphs)
    nodes = sum(g.nodes for g in graphs)
    head = (
        f"{len(graphs)} live autograd graph{'s' if len(graphs) > 1 else ''}: {nodes} nodes, "
        f"{_bytes(total)} of saved tensors"
    )
    out = [head, ""]
    for k, g in enumerate(graphs[:_MOST_GRAPHS], 1):
        outs = ", ".join(_tensor_text(t) for t in g.outputs[:3]) or (
            "no tensor (held as " + ", ".join(r.name() for r in g.roots[:3]) + ")"
        )
        out.append(f"graph {k}: {outs}")
        out.append(f"  {g.nodes} nodes, {_bytes(g.saved_bytes)} saved")
        out.append(f"  oldest node made at {g.made_at}")
        for h in g.holders[:4] or ["nothing found by name (a closure, a C object, or a cycle)"]:
            out.append(f"  kept alive by {h}")
        out.append("")
    if len(graphs) > _MOST_GRAPHS:
        rest = graphs[_MOST_GRAPHS:]
        out.append(
            f"... and {len(rest)} more graphs: {sum(g.nodes for g in rest)} nodes, "
            f"{_bytes(sum(g.saved_bytes for g in rest))} saved"
        )
    return "\n".join(out).rstrip("\n") + "\n"


def _bytes(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n} bytes ({_human(n)})"


def _tensor_text(t) -> str:
    return f"tensor {_shape(t.shape)} {_dtype(t.dtype)}, grad_fn={t.grad_fn.name()}"


def _dtype(dtype):
    return str(dtype).replace("torch.", "")


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
