"""The one backward pass, behind ``Tensor.backward()`` and ``autograd.grad()`` alike.

1. Walk the graph from the roots (iteratively: a graph 100,000 ops deep must work) and count, for
   each node, how many edges lead into it.  With ``inputs``, keep only the nodes on a path to them.
2. Run a node once every gradient it waits for has arrived, newest node first (highest sequence
   number, AccumulateGrad before all), summing gradients that arrive at the same output slot.
3. AccumulateGrad adds into the leaf's ``.grad``; ``autograd.grad`` captures the gradients instead.
4. Without ``retain_graph`` each node releases its saved tensors right after it ran.
"""

import functools
import heapq
import threading
from heapq import heappop, heappush
from sys import getrefcount

from .. import _switches
from .._array import (
    copy_in_layout,
    empty_in_layout,
    is_dense,
    memory_of_its_own,
    sum_to_shape,
    summed_into,
    xp,
)
from .._switches import grad_mode as _grad_state
from ..tensor import Tensor, _make, bump_version
from .anomaly import caller_site, check_gradients, node_origin, warn_error_in
from .cuts import state as _cut_state
from .node import (
    ACCUMULATE_GRAD_SEQUENCE,
    AccumulateGrad,
    FunctionNode,
    check_detached,
    grad_accumulator,
)

# Set by ``autograd.training_checks`` while a leak or pitfall detector is on, None otherwise:
# ``observer(root_edges, retain_graph, accumulate, inputs, site)`` before each backward pass.
observer = None


class _Passes(threading.local):
    """The backward passes running on this thread, innermost last: each one's final callbacks."""

    def __init__(self):
        self.callbacks = []


_passes = _Passes()


_NO_EDGE_ROOT = "element {} of tensors does not require grad and does not have a grad_fn"


class _Pass(list):
    """One backward pass: its final callbacks (the list), and for hooks that ask which nodes it
    will run, ``graph``: (dependency counts, the needed nodes or None, the root edges, whether it
    accumulates), or for a pass of one node (``_run_one``) that node; ``notes``: a dict hooks may
    keep per pass, unset until one does."""

    __slots__ = ("graph", "notes")


_LEAF_IN_GRAD = (
    "A leaf node was passed to _will_engine_execute_node but we are currently running "
    "autograd.grad(). This is currently not supported."
)


def will_run(node) -> bool:
    """Whether the backward pass now running computes the gradient that goes into ``node``
    (PyTorch's ``_will_engine_execute_node``)."""
    p = current_pass()
    if p is None:
        raise RuntimeError(
            "_will_engine_execute_node should only be called during the backward pass"
        )
    graph = p.graph
    if type(graph) is not tuple:  # a pass of one node, accumulating: its edges lead to leaves
        return node is graph or any(node is n for n, _ in graph.next_functions)
    deps, needed, root_edges, accumulate = graph
    if any(node is n for n, _ in root_edges):
        reached = True
    else:
        reached = node in deps
    if not reached:
        return False
    if not accumulate and type(node) is AccumulateGrad:
        raise RuntimeError(_LEAF_IN_GRAD)
    return needed is None or node in needed


def queue_callback(callback) -> None:
    """Run ``callback()`` when the backward pass now running ends, after every node and hook
    (PyTorch's ``Variable._execution_engine.queue_callback``).  A callback may queue another."""
    stack = _passes.callbacks
    if not stack:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    stack[-1].append(callback)


def current_pass():
    """An object that stands for the innermost backward pass running on this thread (the same one
    from its start to its end, a different one for each pass), or None outside any."""
    stack = _passes.callbacks
    return stack[-1] if stack else None


def run(roots, grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grads`` (Tensors) from the tensors ``roots``.

    ``inputs``: the tensors to stop at (None: every leaf of the graph).  With ``accumulate`` their
    ``.grad`` is updated; without, the gradients that reached them are returned, None where none did.
    """
    # ``next_node``: the one node that became ready while the queue was empty runs next without
    # going through the queue (a chain never touches it); a second ready node sends both there.
    # ``next_slots``: its gradients (taken out of ``buffers``, or carried straight to it when the
    # one that made it ready was its only one).  ``lone_root``: the root's node when there is one
    # root: nodes that lead to no wanted input do not run, and neither do their tensor hooks,
    # except those of a lone root (PyTorch starts there; with several roots, at a node above them).
    if inputs is None and len(roots) == 1:  # the common case: one root, every leaf
        t = roots[0]
        node = t._grad_fn
        if node is None or (t._vc.stale and t._view_base is not None):
            node, nr = gradient_edge(t)  # (a leaf root makes its AccumulateGrad)
            if node is None:  # a view made under no_grad of a tensor that requires grad
                raise RuntimeError(_NO_EDGE_ROOT.format(0))
        else:
            nr = t._output_nr
            # loss.backward() of a graph of one node on leaves (a compiled function's, one op's;
            # its first edge read here, so that a deeper graph costs no call)
            if (
                accumulate
                and (
                    not (e := node.next_functions)
                    or (n0 := e[0][0]) is None
                    or type(n0) is AccumulateGrad
                )
                and _run_one(node, nr, grads[0], retain_graph, create_graph)
            ):
                return None
        root_edges = [(node, nr)]
        lone_root = node
        targets = None
        deps = _prepare((node,), None)[0]
        buffers = {}
        ready = []  # (the root runs first, as the one ready node)
        next_node = node
        next_slots = [grads[0]] if nr == 0 else [None] * nr + [grads[0]]
        needed = wanted = captured = None
    else:
        root_edges = [
            gradient_edge(t) for t in roots
        ]  # first: a leaf root makes its AccumulateGrad
        for i, (node, _) in enumerate(root_edges):
            if node is None:
                raise RuntimeError(_NO_EDGE_ROOT.format(i))
        lone_root = root_edges[0][0] if len(root_edges) == 1 else None
        targets = {}  # node -> {output_nr: [indices into inputs]}
        deps, needed, wanted, captured, buffers, ready = _start(
            root_edges, grads, inputs, accumulate, targets
        )
        next_node = next_slots = None
    # The user's backward call, named in the error of a later backward through freed buffers.
    # Also where an existing .grad is added into, for the error if a graph had saved that .grad.
    site = caller_site(3)  # (the user's call of Tensor.backward, autograd.backward or grad)
    if observer is not None:
        observer(root_edges, retain_graph, accumulate, inputs, site)
    freed_at = None if retain_graph else site
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    final = _Pass()  # queue_callback's callbacks for this pass
    final.graph = (deps, needed, root_edges, accumulate)
    passes = _passes.callbacks
    passes.append(final)
    _cut_state.passes += 1  # the formulas' ops are no cuts of the user's
    _cut_state.active = False
    # Every node runs and none is only captured: the checks for hooks, pruning and capture are
    # skipped for a node that has no hooks (the common case, one flag read).
    plain = needed is None and not targets
    detached = _switches.detached  # (tensors detached in place since their nodes saved them)
    profiler = _switches.profiler
    try:
        while True:
            if next_node is not None:
                node = next_node
                slots = next_slots
                next_node = None
            elif ready:
                node = heappop(ready)[-1]
                slots = buffers.pop(node, None) or [None]
            else:
                break
            edges = node.next_functions  # (none: an AccumulateGrad)
            hooked = _switches.node_hooks and node._hooked
            if hooked or not plain:
                next_slots = None  # (slots may be replaced: see outs = g = buf = None below)
                if hooked and node._input_shapes is not None:
                    slots = _fit_input_shapes(node, slots, deps, root_edges)
                runs = needed is None or needed.get(node)
                # A node that also runs gives its gradient as it arrived, before the tensor hooks
                # (which run as part of the node); one only captured, after them (as PyTorch).
                captures = targets and node in targets
                if captures and runs:
                    _capture(node, targets[node], slots, inputs, captured, accumulate, create_graph)
                if (
                    hooked
                    and (node._tensor_pre_hooks is not None or node._retain_grad_hooks is not None)
                    and (runs or captures or node is lone_root)
                ):
                    slots = _tensor_hooks(node, slots, create_graph)
                if not runs:
                    if captures:
                        _capture(
                            node, targets[node], slots, inputs, captured, accumulate, create_graph
                        )
                    elif (
                        node is lone_root
                        and type(node) is AccumulateGrad
                        and node.variable._hooks is not None
                        and slots[0] is not None
                    ):
                        _leaf_hooks(node.variable, slots[0])
                    continue
            if not edges and type(node) is AccumulateGrad:
                if accumulate and slots[0] is not None:
                    # (the names of the last node's gradients and buffer let go: they would
                    # count as holders of the gradient in the reference counts that decide
                    # whether .grad may take it without a copy)
                    outs = g = buf = None
                    if hooked:  # the leaf's own hooks first, then the node's, as in PyTorch
                        _accumulate_with_node_hooks(node, slots, create_graph, site)
                    else:
                        g = slots.pop()
                        own = (  # (_sole written out: the name g, getrefcount's argument)
                            type(g) is Tensor
                            and getrefcount(g) == 2
                            and (a := g._data).base is None
                            and getrefcount(a) == 3
                            and g._grad_fn is None
                        )
                        accumulate_grad(node.variable, g, create_graph, site, True, own)
                        # (nor keep the gradient alive here until the next leaf's: added into
                        # an existing .grad, it is garbage now, a weight's as big as the weight)
                        g = a = None
                continue
            if hooked and node._pre_hooks is not None:
                slots = _call_pre_hooks(node, slots)
            if slots[0] is None and not node._runs_on_none and all(g is None for g in slots):
                # No gradient reached the node: its formulas need not run, but it runs all the
                # same in PyTorch, which reads (and so checks) every value it saved first.
                if isinstance(node, FunctionNode) and (node._versions or node._attrs is None):
                    if detached:
                        check_detached(node)
                    node._check_saved()
                outs = (None,) * len(edges)
            else:
                try:
                    if detached and isinstance(node, FunctionNode):
                        check_detached(node)
                    if profiler is None:
                        outs = node.apply(slots, wanted)
                    else:
                        outs = profiler.run_node(node, slots, wanted)
                except Exception as e:
                    if _switches.anomaly:
                        warn_error_in(node)
                    if getattr(e, "_node", None) is node and slots[0] is not None:
                        _name_freed_output(e, node, slots[0])
                    raise
                if hooked and node._hooks is not None:
                    outs = _call_post_hooks(node, outs, slots)
                if _switches.anomaly:
                    try:
                        check_gradients(node, outs)
                    except RuntimeError:
                        warn_error_in(node)  # as PyTorch warns for every error in a node
                        raise
            if retain_graph:
                pass
            elif node._plain_release and not node._attrs:
                if node._saved is not None:
                    node._saved = None
                    node._freed_at = freed_at
            else:
                node._release(freed_at)
            for (nxt, nr), g in zip(edges, outs):
                if nxt is None:
                    continue
                if g is not None:
                    if _switches.kept_shapes and nxt._hooked and nxt._input_shapes is not None:
                        _check_delivered(node, edges, nxt, nr, g)
                    buf = buffers.get(nxt)
                    if buf is None and nr == 0:
                        left = deps[nxt] - 1
                        if not left and next_node is None and not ready:
                            next_node = nxt  # its one gradient, carried (a chain)
                            next_slots = [g]
                            continue
                        buffers[nxt] = [g]
                    else:
                        _add(buffers, nxt, nr, g, outs)
                left = deps[nxt] - 1
                if left:
                    deps[nxt] = left
                elif next_node is None and not ready:
                    next_node = nxt
                    next_slots = buffers.pop(nxt, None) or [None]
                else:  # (_entry written out: the heap's entries)
                    if next_node is not None:
                        buffers[next_node] = next_slots
                        heappush(
                            ready,
                            (-next_node._seq, next_node)
                            if type(next_node) is not AccumulateGrad
                            else (_ACCUMULATE_GRAD_KEY, _NAN + 0.0, next_node),
                        )
                        next_node = None
                    heappush(
                        ready,
                        (-nxt._seq, nxt)
                        if type(nxt) is not AccumulateGrad
                        else (_ACCUMULATE_GRAD_KEY, _NAN + 0.0, nxt),
                    )
    except BaseException:
        passes.pop()
        raise
    finally:
        _grad_state.enabled = prev_mode
        _cut_state.passes -= 1
        if not _cut_state.passes:
            _cut_state.active = _cut_state.enabled
    if final:
        _final_callbacks(final, passes)
    else:
        passes.pop()
    return captured


def _final_callbacks(final, passes):
    """Run the callbacks ``queue_callback`` gave this pass (a callback may queue another), then
    leave the pass."""
    try:
        i = 0
        while i < len(final):
            final[i]()
            i += 1
    finally:
        passes.pop()


def _run_one(node, nr, grad, retain_graph, create_graph):
    """``run`` for a graph that is one node whose edges lead to leaves only, each at most once,
    with no hooks and no anomaly mode: the node, then each leaf's AccumulateGrad in the order the
    general pass's ready heap pops them, without its queue and dependency counts.  False (and nothing
    done) for any other graph."""
    hooks = _switches.node_hooks
    if (hooks and node._hooked) or _switches.anomaly or type(node) is AccumulateGrad:
        return False
    edges = node.next_functions
    two = len(edges) == 2  # (the common case: two leaves, or one)
    if two:
        (a0, _), (a1, _) = edges
        if a0 is not None and (type(a0) is not AccumulateGrad or (hooks and a0._hooked)):
            return False
        if a1 is not None and (
            type(a1) is not AccumulateGrad or (hooks and a1._hooked) or a1 is a0
        ):
            return False
    else:
        for nxt, _ in edges:
            if nxt is not None and (type(nxt) is not AccumulateGrad or (hooks and nxt._hooked)):
                return False
        if len(edges) > 2:
            leaves = [n for n, _ in edges if n is not None]
            if len(set(leaves)) != len(leaves):
                return False
    site = caller_site(4)  # (the user's backward call: Tensor.backward's caller)
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    final = _Pass()
    final.graph = node
    passes = _passes.callbacks
    passes.append(final)
    _cut_state.passes += 1  # the formulas' ops are no cuts of the user's (as in run)
    _cut_state.active = False
    try:
        slots = [grad] if nr == 0 else [None] * nr + [grad]
        try:
            if _switches.detached and isinstance(node, FunctionNode):
                check_detached(node)
            outs = node.apply(slots, None)
        except Exception as e:
            if getattr(e, "_node", None) is node and slots[0] is not None:
                _name_freed_output(e, node, slots[0])
            raise
        if not retain_graph:
            node._release(site)
        if two and len(outs) == 2:
            g0, g1 = outs
            if a0 is None or g0 is None:
                todo = () if a1 is None or g1 is None else ((a1, g1),)
            elif a1 is None or g1 is None:
                todo = ((a0, g0),)
            else:
                todo = ((a0, g0), (a1, g1))
        else:
            todo = [
                (nxt, g) for (nxt, _), g in zip(edges, outs) if nxt is not None and g is not None
            ]
        n = len(todo)
        if n > 3:  # (up to three the heap pops them in edge order)
            todo = [todo[i] for i in _tie_order(n)]  # as the ready heap would pop them
        if node._formula_grads:
            # .grad may take a gradient nothing else refers to (see _sole), which here is known
            # without counting: new, owning its array, not the incoming gradient, and going to
            # one leaf only (a custom Function's backward is user code: those are copied)
            incoming = grad._data
            if n == 2:  # (two gradients of the same array: a sparse one has none)
                g0, g1 = todo[0][1], todo[1][1]
                distinct = (
                    type(g0) is not Tensor or type(g1) is not Tensor or g0._data is not g1._data
                )
            else:
                distinct = (
                    n < 2
                    or len({id(g._data) if type(g) is Tensor else id(g) for _, g in todo}) == n
                )
            for acc, g in todo:
                v = acc.variable
                if type(g) is not Tensor:  # (a sparse gradient: no ._data)
                    accumulate_grad(v, g, create_graph, site)
                    continue
                a = g._data
                if (
                    a.base is None
                    and a is not incoming
                    and g._grad_fn is None
                    and (distinct or sum(h._data is a for _, h in todo) == 1)
                ):
                    if (
                        v._grad is None
                        and v._grad_fn is None
                        and v._hooks is None
                        and v._post_acc_hooks is None
                        and not create_graph
                        and v._requires_grad
                        and a.dtype == v._data.dtype
                        and a.shape == v._data.shape
                        and (a.ndim < 2 or a.strides == v._data.strides)
                    ):
                        v._grad = g  # accumulate_grad's common case: a leaf's first gradient
                    else:
                        accumulate_grad(v, g, create_graph, site, True, True)
                else:
                    accumulate_grad(v, g, create_graph, site)
        else:
            for acc, g in todo:
                accumulate_grad(acc.variable, g, create_graph, site)
    except BaseException:
        passes.pop()
        raise
    finally:
        _grad_state.enabled = prev_mode
        _cut_state.passes -= 1
        if not _cut_state.passes:
            _cut_state.active = _cut_state.enabled
    if final:
        _final_callbacks(final, passes)
    else:
        passes.pop()
    return True


def _entry(node):
    """The ready-heap entry of ``node``: the newest node pops first.  AccumulateGrads share one
    sequence number and tie: heapq then pops them in the order PyTorch's std::priority_queue does
    (both sift the same way), e.g. the leaves of one stack() in the order 0, 2, 1, 3.  Each one's
    entry holds a NaN of its own (``_NAN + 0.0`` is a new float object), which neither equals nor
    is less than another: comparing two such entries ends there, without comparing the nodes."""
    if type(node) is AccumulateGrad:
        return (_ACCUMULATE_GRAD_KEY, _NAN + 0.0, node)
    return (-node._seq, node)


_ACCUMULATE_GRAD_KEY = -ACCUMULATE_GRAD_SEQUENCE
_NAN = float("nan")


@functools.cache
def _tie_order(n):
    """The order in which the ready heap pops ``n`` AccumulateGrads pushed in edge order (equal
    keys: a binary heap's own order, 0 2 1 3 for four)."""
    heap = []
    for i in range(n):
        heappush(heap, (_ACCUMULATE_GRAD_KEY, _NAN + 0.0, i))  # (tied, as in the queue)
    return tuple(heappop(heap)[2] for _ in range(n))


def _fit_input_shapes(node, slots, deps, root_edges):
    """Gradients for outputs of ``node`` that changed shape since it was made (in place, outside
    the graph) are summed back to the shape it was made with; one that cannot be is an error
    naming the node that produced it, as PyTorch's check of each gradient against its input
    metadata."""
    slots = list(slots)
    for nr, shape in node._input_shapes.items():
        g = slots[nr] if nr < len(slots) else None
        if g is None or g._data.shape == shape:
            continue
        if not _sums_to(shape, g._data.shape):
            got = ", ".join(map(str, g._data.shape))
            want = ", ".join(map(str, shape))
            head, index = _producer(node, nr, deps, root_edges)
            raise RuntimeError(
                f"{head}invalid gradient at index {index} - got [{got}] but expected shape "
                f"compatible with [{want}]"
            )
        slots[nr] = (
            g.sum_to_size(shape)
            if _grad_state.enabled
            else _make(sum_to_shape(g._data, tuple(shape)))
        )
    return slots


def _check_delivered(node, edges, nxt, nr, g):
    """PyTorch's check of a gradient ``node`` just gave ``(nxt, nr)``, whose tensor changed shape
    since ``nxt`` was made: one that cannot be summed back to that shape is an error right after
    ``node`` runs, before any other node (``_fit_input_shapes`` sums it back when ``nxt`` runs)."""
    shape = nxt._input_shapes.get(nr)
    if shape is not None and g._data.shape != shape and not _sums_to(shape, g._data.shape):
        got = ", ".join(map(str, g._data.shape))
        want = ", ".join(map(str, shape))
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index "
            f"{edges.index((nxt, nr))} - got [{got}] but expected shape compatible with [{want}]"
        )


def _sums_to(small, big):
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


def _producer(node, nr, deps, root_edges):
    """('Function XBackward0 returned an ', i): the newest node whose output i went to
    ``(node, nr)`` in this pass; ('', position among the roots) when only the caller's gradient
    for a root did."""
    best = None
    for n in [*deps, *(e[0] for e in root_edges)]:
        if (
            n is not None
            and n._seq > (-1 if best is None else best._seq)
            and (node, nr) in n.next_functions
        ):
            best = n
    if best is None:
        return "", root_edges.index((node, nr))
    return f"Function {best.name()} returned an ", best.next_functions.index((node, nr))


def _name_freed_output(error, node, g):
    """The error of a second backward through ``node`` (its saved values are gone): add the shape
    and dtype of the node's output, which the gradient ``g`` arriving at it has."""
    shape = ", ".join(map(str, g.shape))
    error.args = (
        f"{error.args[0]} {node.name()}'s output has shape [{shape}] and dtype {g.dtype}.",
    )


def _start(root_edges, grads, inputs, accumulate, targets):
    """Dependencies, pruning and the first ready nodes, for several roots or with ``inputs``.

    Fills ``targets`` (node -> {output_nr: [indices into inputs]}).
    """
    if inputs is not None:
        for i, t in enumerate(inputs):
            node, nr = _input_edge(t, accumulate)
            if node is not None:
                targets.setdefault(node, {}).setdefault(nr, []).append(i)
    deps, needed = _prepare([n for n, _ in root_edges], targets if inputs is not None else None)
    # Gradients are computed for edges into needed nodes and into the targets themselves (a
    # non-leaf target only captures its gradient: it does not run).
    wanted = needed.keys() | targets.keys() if needed is not None else None
    captured = [None] * len(inputs) if inputs is not None else None
    buffers = {}
    for (node, nr), g in zip(root_edges, grads):
        _add(buffers, node, nr, g)
    ready = [_entry(node) for node in buffers if deps.get(node, 0) == 0]
    heapq.heapify(ready)
    return deps, needed, wanted, captured, buffers, ready


def gradient_edge(t):
    """Where a gradient for tensor ``t`` enters the graph: (grad_fn, output_nr) or its AccumulateGrad."""
    if t._vc.stale and t._view_base is not None:  # a view that a write may have made stale
        from ..ops.inplace import fresh_grad_fn

        fresh_grad_fn(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (grad_accumulator(t), 0)


def _input_edge(t, accumulate):
    if isinstance(t, tuple):  # a GradientEdge
        return (t.node, t.output_nr)
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if accumulate:
        return (grad_accumulator(t), 0)
    ref = t._acc  # a leaf no graph used has no live AccumulateGrad: nothing can reach it
    return (ref() if ref is not None else None, 0)


def _capture(node, slot_map, slots, inputs, captured, accumulate, create_graph):
    for nr, indices in slot_map.items():
        g = slots[nr] if nr < len(slots) else None
        if g is None:
            continue
        if not accumulate and type(node) is AccumulateGrad and node.variable._hooks is not None:
            g = _leaf_hooks(node.variable, g)  # a leaf's hooks run for autograd.grad too
        for i in indices:  # the same tensor may be named more than once
            if not accumulate:
                captured[i] = g
            elif type(node) is not AccumulateGrad:  # backward(inputs=[non_leaf]) fills .grad
                if not inputs[i]._retains_grad:  # else its retain_grad hook stored it already
                    _store_grad(inputs[i], g, create_graph)
                break


def _add(buffers, node, nr, g, outs=()):
    """Sum gradient ``g`` into the slot ``nr`` of the node's input buffer (``outs``: the
    gradients, ``g`` among them, of the node that made it)."""
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * (nr + 1) if nr else [None]
    elif len(slots) <= nr:
        slots.extend([None] * (nr + 1 - len(slots)))
    old = slots[nr]
    if old is None:
        slots[nr] = g
    elif _summable_in_place(old, g, outs):
        # PyTorch adds into the first gradient when nothing else holds it and no graph is
        # recorded: its version goes up by one (an error about it later says so)
        try:
            old._data = summed_into(old._data, g._data)
        except ValueError:  # (memory that may not be written: a sum of its own, then)
            slots[nr] = old + g
        else:
            old._vc.version += 1
    else:
        # (dense + sparse is dense; PyTorch has no sparse + dense, so a sparse sum goes second)
        slots[nr] = g + old if old.is_sparse else old + g


def _summable_in_place(old, g, outs):
    """Whether the engine alone holds gradient ``old`` (the buffer's slot, the names for it here
    and the gradients of the node running now, when it made ``old`` too; no hook, view or caller
    keeps it) and may add ``g`` into its memory.  An array that owns its memory is dense (in any
    order, which the sum keeps, as PyTorch's does); one that may not be written is found by the
    sum itself."""
    if _grad_state.enabled or type(old) is not Tensor or type(g) is not Tensor:
        return False
    a = old._data
    b = g._data
    if (
        a is b
        or old._grad_fn is not None
        or a.base is not None
        or a.dtype != b.dtype
        or a.shape != b.shape
    ):
        return False
    held = _HELD_BY_ENGINE
    for o in outs:  # (not a generator: it would keep old in a cell)
        if o is old:
            held += 1
    o = None  # (the loop's name may be old)
    return (
        getrefcount(old) == held
        and getrefcount(a) == 3  # (old._data, the name a and the call's)
        and b.base is not a  # (a owns its memory: only a view of it shares it)
    )


_HELD_BY_ENGINE = 4  # the buffer's slot, _add's and _summable_in_place's names, getrefcount's
# (as _sole counts them: with its own name and getrefcount's)
_HELD_BY_HOOKED_LEAF = 5  # the slot, the names grad and new in _accumulate_with_node_hooks
_HELD_HERE = 3  # the name new in _accumulate_with_node_hooks


def _sole(g, held):
    """Whether a leaf's ``.grad`` may be gradient ``g`` itself, as PyTorch decides by counting
    references: ``g`` is dense and has no graph, ``held`` references refer to it (the caller's
    names, this call's, getrefcount's) and nothing else, and nothing but ``g`` refers to its
    array, which alone reads its memory (no view, alias, hook, saved value or caller keeps
    either).  ``run`` writes the test out for the common case, an array that owns its memory."""
    return (
        type(g) is Tensor
        and getrefcount(g) == held
        and getrefcount(a := g._data) == 3  # (g._data, a, getrefcount's argument)
        and memory_of_its_own(a)
        and g._grad_fn is None
    )


def _prepare(roots, targets):
    """Count the edges into every reachable node; with targets, mark the nodes that lead to one."""
    deps = {}
    if targets is None and len(roots) == 1:
        # The common walk, written out: no parent links, and no root to look out for (the graph
        # has no cycle, so no path leads back to a lone root).
        stack = [roots[0]]
        pop, push = stack.pop, stack.append
        while stack:
            for nxt, _ in pop().next_functions:
                if nxt is None:
                    continue
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    push(nxt)
        return deps, None
    roots = dict.fromkeys(roots)  # once each, in order
    stack = list(roots)
    children = {} if targets is not None else None
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            n = deps.get(nxt)
            if n is None:
                deps[nxt] = 1
                if nxt not in roots:
                    stack.append(nxt)
            else:
                deps[nxt] = n + 1
            if children is not None:
                children.setdefault(nxt, []).append(node)
    seen = deps.keys() | roots.keys() if targets is not None else None
    if targets is None:
        return deps, None
    # A node is needed when a target is reachable from it: walk parent links up from the targets.
    # A non-leaf target is in ``needed`` as False: its parents compute the gradient that reaches
    # it, but it does not run itself (unless another target lies below it).
    needed = {}
    stack = []
    for t in targets:
        if t in seen:
            if t not in needed:
                needed[t] = type(t) is AccumulateGrad
            stack.append(t)
    while stack:
        node = stack.pop()
        for parent in children.get(node, ()):
            if not needed.get(parent):
                needed[parent] = True
                stack.append(parent)
    return deps, needed


def _accumulate_with_node_hooks(node, slots, create_graph, site=None):
    """AccumulateGrad with hooks on the node itself: the leaf's tensor hooks, the node's pre-hooks,
    the accumulation, then the node's post-hooks (they get no grad_inputs)."""
    variable = node.variable
    grad = new = slots[0]
    held = getrefcount(grad)
    mine = _sole(grad, _HELD_BY_HOOKED_LEAF)  # (before any hook has seen it)
    if variable._hooks is not None:
        new = _leaf_hooks(variable, new)
    if node._pre_hooks is not None:
        new = _call_pre_hooks(node, [new])[0]
    if new is not None:
        # As PyTorch, which counts references: .grad may be the gradient the hooks leave when
        # nothing else holds it, the one the engine alone held (a hook kept no reference to it),
        # or a new one a hook returned and did not keep.  (A leaf that changed shape since the
        # graph was made then takes the gradient's shape, not its own.)
        if new is grad:
            owned = mine and getrefcount(grad) == held
        else:
            owned = _sole(new, _HELD_HERE)
        accumulate_grad(variable, new, create_graph, site, leaf_hooks=False, owned=owned)
    if node._hooks is not None:
        _call_post_hooks(node, (), [new])


def accumulate_grad(variable, grad, create_graph, site=None, leaf_hooks=True, owned=False):
    """Add ``grad`` into ``variable.grad`` as AccumulateGrad does, then run post-accumulate hooks;
    ``site``: the backward call, recorded as the write when an existing .grad is added into;
    ``owned``: nothing but the caller refers to ``grad`` or its array, so ``.grad`` may be it."""
    if leaf_hooks and variable._hooks is not None:
        grad = _leaf_hooks(variable, grad)
        owned = False  # a hook may have kept it, or returned a tensor of its own
    if variable._grad_fn is not None:  # (an in-place op wrote a graph into it since)
        raise RuntimeError("leaf variable has been moved into the graph interior")
    old = variable._grad
    # (a plain Tensor is dense: sparseness is read only of a subclass)
    if (
        type(grad) is not Tensor
        or type(variable) is not Tensor
        or (old is not None and type(old) is not Tensor)
    ) and (grad.is_sparse or (old is not None and old.is_sparse) or variable._sparse):
        _accumulate_sparse(variable, grad, old, owned)
    elif (
        old is None
        and not create_graph
        and variable._requires_grad
        and (a := grad._data).dtype == (v := variable._data).dtype
        and a.shape == v.shape
    ):
        # a leaf's first gradient, the common case of _accumulate_dense written out
        if owned and (a.ndim < 2 or a.strides == v.strides or _layout_kept(a, v)):
            variable._grad = grad
        else:
            variable._grad = _make(copy_in_layout(a, v))
    else:
        _accumulate_dense(variable, grad, create_graph, site, owned)
    if variable._post_acc_hooks is not None:
        for hook in tuple(variable._post_acc_hooks.values()):
            r = hook(variable)
            # PyTorch checks the result as a tensor hook's (against the leaf), and lets the leaf
            # itself come back
            if r is not None and _checked_hook_result(hook, variable, r) is not variable:
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _accumulate_sparse(variable, grad, old, owned):
    """AccumulateGrad with a sparse COO gradient or leaf: the first gradient is kept as
    ``.grad`` (a sparse leaf's may be dense, as in PyTorch); two sparse ones add to a sparse sum;
    a dense one and a sparse one to a dense sum (in place into a dense ``.grad``).  Outside the
    graph (create_graph with a sparse gradient is not built)."""
    if not variable._requires_grad:
        return
    check = getattr(grad, "_accumulated", None)  # (a compressed layout's own refusal)
    if check is not None:
        check()
    if old is None:
        variable._grad = grad if owned else grad.clone()
    elif not (old.is_sparse or grad.is_sparse):  # (two dense gradients of a sparse leaf)
        variable._grad = old + grad
    elif not old.is_sparse:
        from ..ops.sparse_coo import add_into_dense  # (the op table sits above the engine)

        add_into_dense(old, grad)
    elif grad.is_sparse:
        variable._grad = old + grad
    else:
        variable._grad = grad + old


def _accumulate_dense(variable, grad, create_graph, site, owned):
    if grad._data.dtype != variable._data.dtype:  # e.g. a custom Function's float64 gradient
        grad = grad.to(variable.dtype)
        owned = True  # a new array
    old = variable._grad
    if not variable._requires_grad:
        # detached in place (detach_, requires_grad_(False)) since the graph was made: its
        # hooks still run, but nothing is stored, as in PyTorch
        pass
    elif old is None:
        # A gradient only the engine holds becomes .grad without a copy (PyTorch steals one by
        # its reference count); any other may also reach another leaf, a hook or the caller, so
        # .grad gets an array of its own, and adding into it later changes nothing else.
        shape = grad._data.shape
        if shape == variable._data.shape:
            owned = owned and _layout_kept(grad._data, variable._data)
        elif not (owned and not create_graph and _layout_kept(grad._data, variable._data)):
            # the leaf changed shape in place (under no_grad) since the graph was made: as in
            # PyTorch, .grad is copied into the leaf's new shape, unless the leaf is not dense
            if is_dense(variable._data):
                shape = variable._data.shape
            owned = False
        if create_graph:
            variable._grad = _graph_copy(grad, site, shape, variable._data)
        elif owned:
            variable._grad = grad
        elif shape != grad._data.shape:
            variable._grad = _copy_into(shape, grad)
        else:
            variable._grad = _make(copy_in_layout(grad._data, variable._data))
    elif create_graph or grad._requires_grad:
        variable._grad = old + grad
    else:  # in place, also into a .grad that has a graph: it keeps it, as in PyTorch
        if grad._data.shape != old._data.shape:  # the leaf changed shape in place: ``+=``'s rule
            grad = _copy_into(old._data.shape, grad)
        old._add_grad_(grad, site)


def _graph_copy(grad, site, shape, like):
    """The first ``.grad`` of a leaf under ``create_graph``: a copy made by ``copy_`` into a new
    tensor of ``shape`` (laid out as the leaf's array ``like`` when that has the shape), so the
    graph of ``grad`` goes on through a CopyBackwards node, and no other leaf or hook shares the
    tensor (a later in-place accumulation into one ``.grad`` must not reach another), as in
    PyTorch."""
    g = _copy_into(shape, grad, like if like.shape == shape else None)
    bump_version(g, site)  # the copy_ write
    return g


def _copy_into(shape, grad, like=None):
    """``grad`` copied by ``copy_`` into a new tensor of ``shape`` (broadcasting it, or PyTorch's
    error where it cannot), in C order, or laid out as the array ``like`` (see copy_in_layout)."""
    from ..ops.inplace import _copy_from  # (the op table sits above the engine)

    dtype = grad._data.dtype
    empty = xp.empty(shape, dtype) if like is None else empty_in_layout(like, dtype)
    return _copy_from(_make(empty), grad)


def _layout_kept(g, v):
    """Whether the gradient array ``g`` may become the ``.grad`` of a leaf whose array ``v`` has
    another shape (the leaf changed shape in place since the graph was made) as it is, by
    PyTorch's layout rule for a leaf's first gradient: a dense leaf's strides must match the
    gradient's in each dimension where the gradient's size is not 1 (dimensions the leaf no
    longer has are not compared), and no dimension of the gradient may be a stride-0 one; a
    leaf that is not dense takes a C-contiguous gradient."""
    if not is_dense(v):
        return bool(g.flags.c_contiguous)
    gi, vi = g.itemsize, v.itemsize
    for i, (n, stride) in enumerate(zip(g.shape, g.strides)):
        if n != 1:
            if i < v.ndim and stride // gi != v.strides[i] // vi:
                return False
        elif stride == 0:
            return False
    return True


def _leaf_hooks(variable, grad):
    """A leaf's ``register_hook`` hooks, in order; each may replace the gradient."""
    for hook in tuple(variable._hooks.values()):
        r = hook(grad)
        if r is not None:
            grad = _checked_hook_result(hook, grad, r)
    return grad


def _checked_hook_result(hook, grad, new, node=None):
    """A tensor hook may replace a gradient, but not change its size or type (PyTorch's errors,
    then ours: the node whose gradient the hook is on, and where it was made)."""
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._data.shape != grad._data.shape:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the size of value" + _hooked_node(node)
        )
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"torch.{grad.dtype._tensor_name} got torch.{new.dtype._tensor_name})"
            + _hooked_node(node)
        )
    return new


def _hooked_node(node):
    """Our sentence after a hook error: the node whose gradient the hook is on."""
    return "" if node is None else f" (The hook is on a gradient of {node_origin(node)}.)"


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _store_grad(t, g, create_graph):
    old = t._grad
    if old is None:
        t._grad = g if create_graph else g.clone() if g.is_sparse else _make(g._data.copy())
    else:
        t._grad = old + g


def _tensor_hooks(node, slots, create_graph):
    """Tensor hooks of the node's outputs (``t.register_hook``), then ``retain_grad``."""
    hooks = node._tensor_pre_hooks
    if hooks is not None:
        for nr, hd in hooks.items():
            # An output that got no gradient has its hooks called with None, as in PyTorch.
            if nr >= len(slots):
                slots = list(slots) + [None] * (nr + 1 - len(slots))
            for hook in tuple(hd.values()):
                r = hook(slots[nr])
                if r is not None:
                    if slots[nr] is None:
                        raise RuntimeError("can't replace a None gradient with a non-None value")
                    slots[nr] = _checked_hook_result(hook, slots[nr], r, node)
    retain = node._retain_grad_hooks
    if retain is not None:
        for key, ref in retain.items():
            t = ref()
            if t is not None and key < len(slots) and slots[key] is not None:
                if create_graph and t._grad is None:  # a copy in the graph, as PyTorch's clone
                    t._grad = slots[key].clone()
                else:
                    _store_grad(t, slots[key], False)
    return slots


def _all_outputs(node, slots):
    """``slots`` with None for the node's outputs that got no gradient (after the last that did):
    node hooks see one gradient per output of the forward, as in PyTorch."""
    outputs = getattr(node, "_outputs", None)  # a custom Function's node
    n = len(outputs) if outputs is not None else getattr(node, "_n_outputs", 1)
    if n is None:  # split, unbind ...: as many as the call made
        n = node._outputs_made
    return slots if len(slots) >= n else [*slots, *(None,) * (n - len(slots))]


def _call_pre_hooks(node, slots):
    slots = _all_outputs(node, slots)
    for hook in tuple(node._pre_hooks.values()):
        r = hook(tuple(slots))
        if r is not None:
            slots = _checked_hook_results(hook, slots, r, node)
    return slots


def _call_post_hooks(node, outs, slots):
    slots = _all_outputs(node, slots)
    for hook in tuple(node._hooks.values()):
        r = hook(tuple(outs), tuple(slots))
        if r is not None:
            outs = _checked_hook_results(hook, outs, r, node)
    return outs


def _checked_hook_results(hook, grads, new, node=None):
    """A node hook's replacement gradients: a tuple as long as the one it got, each a Tensor of the
    same size and type as the gradient it replaces, or None (PyTorch's errors, then ours naming
    the node)."""
    if type(new) is not tuple:
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(grads):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
            f"(got {len(new)}, but expected {len(grads)})" + _hooked_node(node)
        )
    return [
        v if v is None or old is None else _checked_hook_result(hook, old, v, node)
        for old, v in zip(grads, new)
    ]
