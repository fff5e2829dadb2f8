"""Opt-in warnings about training loops that run without error but keep memory or give wrong steps.

``detect_leaks()``: at each ``optimizer.step()``, count the graph nodes still alive from before the
previous step; when that count grows at each of ``steps`` steps in a row, warn once, naming the
line that made the graph that keeps the old ones (``total_loss += loss``) and the variable that
holds it.  Also warns when a ``backward(retain_graph=True)`` kept saved tensors that no later
backward pass used by the time the graph was freed.

``detect_pitfalls()``: warns at ``optimizer.step()`` when the gradients come from more than one
``backward()`` since they were last cleared (unless ``accumulate`` declares it), when a module in
``train()`` mode with dropout or batch norm runs under ``no_grad``, and when ``backward()`` reaches
some but not all of the parameters an optimizer updates (named by their module path).

Both are context managers (and decorators), process-wide like anomaly mode.  Off, they cost
nothing on the op path: the optimizer, the module call and the backward pass each read one switch.
PyTorch has neither; the warnings name lines as retrograd's errors do.
"""

import functools
import gc
import sys
import weakref

from .._switches import grad_mode as _grad_state
from . import engine
from .anomaly import _warn_at, caller_site, describe_site, node_site
from .anomaly import state as _anomaly
from .live_graphs import LiveGraph, _saved_bytes, live_graphs
from .node import AccumulateGrad

__all__ = ["detect_leaks", "detect_pitfalls"]


class _State:
    """What the detectors now on ask for; read by the optimizer, ``Module.__call__`` and the engine."""

    def __init__(self):
        self.active = False  # either detector on: optimizers tell us about step and zero_grad
        self.leaks = []  # the detect_leaks objects on, innermost last
        self.pitfalls = []  # the detect_pitfalls objects on, innermost last
        self.optimizers = weakref.WeakSet()
        self.listeners = []  # fn(state), told when a detector turns on or off

    def changed(self):
        self.active = bool(self.leaks or self.pitfalls)
        engine.observer = _backward_started if self.active else None
        for listener in self.listeners:
            listener(self)


state = _State()


class _Detector:
    """A switch on inside a ``with`` block, or around a decorated function."""

    _stack = ""  # the state list this kind of detector lives in

    def __enter__(self):
        getattr(state, self._stack).append(self)
        self._start()
        state.changed()
        return self

    def __exit__(self, *exc):
        stack = getattr(state, self._stack)
        if self in stack:
            stack.remove(self)
        self._stop()
        state.changed()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper

    def _start(self):
        pass

    def _stop(self):
        pass


# --- leaks ---------------------------------------------------------------------------------------


class detect_leaks(_Detector):
    """Warn when the autograd graph kept alive across ``optimizer.step()`` calls grows at each of
    ``steps`` steps in a row (a loss summed into a tensor, outputs kept in a list, a hidden state
    carried without ``detach()``), or when ``retain_graph=True`` kept saved tensors that no later
    backward pass used.

    While on, every op notes the line that called it (as anomaly mode does) and joins a weak set
    that each step counts: a diagnostic, slower than a plain run.  Custom Functions' nodes are not
    counted (they rarely make a graph that grows).
    """

    _stack = "leaks"

    def __init__(self, steps: int = 3) -> None:
        if steps < 1:
            raise ValueError(f"detect_leaks needs steps >= 1, got {steps}")
        self.steps = steps

    def _start(self):
        self._history = []  # per step: nodes alive from before the previous step
        self._mark = -1  # the newest node's sequence number at the previous step
        self._warned = False
        self._retained = weakref.WeakKeyDictionary()  # node -> record of a retain_graph=True pass
        self._retain_warned = set()  # the backward calls warned about, once each
        self._finalizers = []
        if _anomaly.watched is None:
            _anomaly.watched = weakref.WeakSet()
        _anomaly.want_sites(True)

    def _stop(self):
        _anomaly.want_sites(False)
        if not _anomaly.record_sites:
            _anomaly.watched = None
        for f in self._finalizers:
            f.detach()
        self._finalizers = []

    def _census(self) -> None:
        nodes = list(_anomaly.watched)  # every op-table node made since the detector started
        mark = self._mark
        old = [n for n in nodes if n._seq <= mark]
        self._mark = max((n._seq for n in nodes), default=mark)
        self._history.append(len(old))
        h = self._history[-self.steps - 1 :]
        if self._warned or len(h) <= self.steps or not all(a < b for a, b in zip(h, h[1:])):
            return
        self._warned = True
        old_ids = {id(n) for n in old}
        del nodes, old
        graphs = [g for g in live_graphs() if _has_old_nodes(g, old_ids)]
        _warn_leak(graphs, h, self.steps)

    # retain_graph=True that nothing used
    def _backward(self, nodes, retain_graph, site) -> None:
        for n in nodes:
            record = self._retained.get(n)
            if record is not None:
                record[0] = True  # a later pass ran through what was retained
        if not retain_graph or not nodes:
            return
        record = [False, site, _saved_bytes(nodes), self._retain_warned]
        if not record[2]:
            return
        for n in nodes:
            self._retained[n] = record
        self._finalizers.append(weakref.finalize(nodes[0], _retained_died, record))
        self._finalizers = [f for f in self._finalizers if f.alive]


def _has_old_nodes(graph: LiveGraph, old_ids) -> bool:
    stack = list(graph.roots)
    seen = set()
    while stack:
        n = stack.pop()
        if id(n) in old_ids:
            return True
        seen.add(n)
        stack.extend(
            nxt
            for nxt, _ in n.next_functions
            if nxt is not None and type(nxt) is not AccumulateGrad and nxt not in seen
        )
    return False


def _warn_leak(graphs, history, steps) -> None:
    by_site: dict = {}
    for g in graphs:
        site = next((s for s in map(node_site, g.roots) if s is not None), g.newest)
        by_site.setdefault(site, []).append(g)
    if not by_site:
        return
    site, group = max(by_site.items(), key=lambda kv: sum(g.nodes for g in kv[1]))
    nodes = sum(g.nodes for g in group)
    saved = sum(g.saved_bytes for g in group)
    holders = []
    for g in group:
        holders += [h for h in g.holders if h not in holders]
    held = f"; it is held by {' and by '.join(holders[:3])}" if holders else ""
    size = f"{nodes} nodes, {_human(saved)} of saved tensors" if saved else f"{nodes} nodes"
    if len(group) == 1:
        what = (
            f"the graph made at {describe_site(site)} keeps the graphs of earlier steps alive "
            f"({size}){held}."
        )
    else:
        what = (
            f"{len(group)} graphs made at {describe_site(site)} are alive from earlier steps "
            f"({size}){held.replace('it is', 'they are')}."
        )
    _warn_at(
        site,
        f"The autograd graph alive across optimizer steps grew at each of the last {steps} "
        f"steps ({' -> '.join(map(str, history))} nodes made before the previous step): {what} "
        "Keep numbers rather than tensors across steps (`loss.item()`), or detach() what you "
        "carry from one step to the next.",
        UserWarning,
    )


def _retained_died(record) -> None:
    used, site, nbytes, warned = record
    if used or site in warned:
        return
    warned.add(site)
    _warn_at(
        site,
        f"backward(retain_graph=True) at {describe_site(site)} kept {_human(nbytes)} of saved "
        "tensors that no later backward pass used before the graph was freed: leave out "
        "retain_graph=True there, so they are freed as the backward pass runs.",
        UserWarning,
    )


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024:
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


# --- pitfalls ------------------------------------------------------------------------------------


class detect_pitfalls(_Detector):
    """Warn, naming the line, about training-loop mistakes that raise no error:

    - ``optimizer.step()`` with gradients from more than one ``backward()`` since they were last
      cleared (``zero_grad()`` forgotten or misplaced); ``accumulate=n`` declares gradient
      accumulation over ``n`` backward passes per step (``True``: any number);
    - a module in ``train()`` mode that holds dropout or batch norm, called under ``no_grad``
      (evaluation without ``model.eval()``);
    - ``backward()`` from a loss that depends on some, but not all, of the parameters an
      optimizer updates (each named by its module path).
    """

    _stack = "pitfalls"

    def __init__(self, accumulate: int | bool | None = None) -> None:
        if not (accumulate is None or isinstance(accumulate, (bool, int))) or (
            type(accumulate) is int and accumulate < 1
        ):
            raise ValueError(
                f"accumulate must be a number of backward passes >= 1, True or None, got "
                f"{accumulate!r}"
            )
        self.accumulate = accumulate

    def _start(self):
        self._counts = weakref.WeakKeyDictionary()  # optimizer -> [backward passes, last site]
        self._warned = set()
        self.modules_seen = weakref.WeakSet()
        for o in gc.get_objects():  # the optimizers made before the block
            if _is_optimizer(o):
                state.optimizers.add(o)

    def _backward(self, leaves, site) -> None:
        for opt in list(state.optimizers):
            params = _params(opt)
            reached = [p for p in params if id(p) in leaves]
            if not reached:
                continue
            count = self._counts.setdefault(opt, [0, None])
            if all(p.grad is None or not p.grad._data.any() for p in params):
                count[0] = 0  # cleared since (model.zero_grad(), p.grad = None ...)
            count[0] += 1
            count[1] = site
            missing = [p for p in params if p.requires_grad and id(p) not in leaves]
            key = (id(opt), "unused", tuple(map(id, missing)))
            if missing and key not in self._warned:
                self._warned.add(key)
                _warn_unused(opt, params, missing, site)

    def _step(self, opt, site) -> None:
        count = self._counts.get(opt)
        allowed = self.accumulate
        if count is None or allowed is True or count[0] <= (allowed or 1):
            return
        key = (id(opt), "accumulated")
        if key in self._warned:
            return
        self._warned.add(key)
        if allowed:
            fix = (
                f"zero_grad() every {allowed} backward passes, as declared by "
                f"detect_pitfalls(accumulate={allowed})"
            )
        else:
            fix = (
                "optimizer.zero_grad() before each backward(), or declare gradient accumulation "
                f"with detect_pitfalls(accumulate={count[0]})"
            )
        _warn_at(
            site,
            f"optimizer.step() at {describe_site(site)} applies gradients summed over "
            f"{count[0]} backward() calls since they were last cleared (the last at "
            f"{describe_site(count[1])}): call {fix}.",
            UserWarning,
        )

    def _zero_grad(self, opt) -> None:
        count = self._counts.get(opt)
        if count is not None:
            count[0] = 0


def _is_optimizer(o) -> bool:
    optim = sys.modules.get("retrograd.optim.optimizer")
    return optim is not None and issubclass(type(o), optim.Optimizer)


def _params(opt):
    return [p for group in opt.param_groups for p in group["params"]]


def _warn_unused(opt, params, missing, site) -> None:
    names = _param_names(missing)
    shown = names[:4] + ([f"{len(names) - 4} more"] if len(names) > 4 else [])
    listed = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
    _warn_at(
        site,
        f"backward() at {describe_site(site)} reaches {len(params) - len(missing)} of the "
        f"{len(params)} parameters that {type(opt).__name__} updates: the loss does not depend "
        f"on {listed}, so their .grad gets nothing from it. Use them in the loss, or leave them "
        "out of the optimizer (or set their requires_grad=False).",
        UserWarning,
    )


def _param_names(params) -> list:
    """Each parameter's module path (``Net.head.weight``), found among the live modules."""
    nn = sys.modules.get("retrograd.nn.module")
    found: dict = {}
    if nn is not None:
        modules = [o for o in gc.get_objects() if issubclass(type(o), nn.Module)]
        children = {id(c) for m in modules for c in m._modules.values() if c is not None}
        for m in modules:
            if id(m) in children:
                continue  # name parameters from the outermost module that holds them
            for name, p in m.named_parameters():
                found.setdefault(id(p), f"`{type(m).__name__}.{name}`")
    return [
        found.get(id(p), f"a parameter of shape {tuple(p.shape)} (#{i})")
        for i, p in enumerate(params)
    ]


def check_module_call(module) -> None:
    """``Module.__call__`` while pitfalls are watched: a module in train() mode with dropout or
    batch norm, called under no_grad, is being evaluated without ``eval()``."""
    if _grad_state.enabled or not module.training or not state.pitfalls:
        return
    seen = state.pitfalls[-1].modules_seen
    if module in seen:
        return
    from ..nn.dropout import _DropoutNd  # noqa: PLC0415 (nn is imported once a module exists)
    from ..nn.normalization import _BatchNorm  # noqa: PLC0415

    odd = []
    effects = {}
    for name, m in module.named_modules():
        seen.add(m)
        if m.training and isinstance(m, (_DropoutNd, _BatchNorm)):
            odd.append(f"{type(m).__name__} `{name}`" if name else type(m).__name__)
            if isinstance(m, _DropoutNd):
                effects[0] = "dropout zeroes values at random"
            else:
                effects[1] = "batch norm uses the batch's statistics and updates its running ones"
    if not odd:
        return
    site = caller_site(3)
    what = ", ".join(odd[:4]) + (" act" if len(odd) > 1 else " acts")
    _warn_at(
        site,
        f"{type(module).__name__} is called in train() mode inside no_grad at "
        f"{describe_site(site)}: its {what} as in training "
        f"({'; '.join(effects[k] for k in sorted(effects))}). Call .eval() on the module "
        "before evaluating, and .train() after.",
        UserWarning,
    )


# --- what the optimizer and the engine call while a detector is on ----------------------------------


def before_step(opt) -> None:
    """``optimizer.step()`` is about to run."""
    state.optimizers.add(opt)
    site = caller_site(3)
    for d in state.pitfalls:
        d._step(opt, site)
    for d in state.leaks:
        d._census()


def zero_grad_called(opt) -> None:
    for d in state.pitfalls:
        d._zero_grad(opt)


def _backward_started(root_edges, retain_graph, accumulate, inputs, site) -> None:
    """The engine, before a backward pass runs: walk its graph once for every detector."""
    nodes = []
    leaves = set()
    seen = set()
    stack = [n for n, _ in root_edges if n is not None]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if type(n) is AccumulateGrad:
            leaves.add(id(n.variable))  # type: ignore[attr-defined]
            continue
        nodes.append(n)
        stack.extend(nxt for nxt, _ in n.next_functions if nxt is not None)
    for d in state.leaks:
        d._backward(nodes, retain_graph, site)
    if accumulate and inputs is None:
        for d in state.pitfalls:
            d._backward(leaves, site)
