"""Module backward hooks (full, pre, legacy), global module hooks, state-dict hooks and extra
state, optimizer hooks, ``utils.hooks`` and the hook helpers of ``autograd.graph``: each program
runs on retrograd and on PyTorch, and everything it records (values, gradients, node names,
warnings, error types and texts) must be the same."""

import importlib
import re
import warnings

import pytest

import retrograd


def _plain(value):
    """``value`` as plain data: tensors as lists, reprs without addresses or library names."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "detach") and hasattr(value, "tolist"):
        return ("tensor", _plain(value.detach().tolist()), value.requires_grad)
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    text = re.sub(r" at 0x[0-9a-f]+", "", repr(value))
    return text.replace("retrograd", "torch")


class _Recorder:
    """Runs the steps of a program, recording each result, warning and error."""

    def __init__(self):
        self.events = []

    def __call__(self, label, fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = fn()
            except Exception as e:  # the error is what the step records
                self.events.append((label, "raises", type(e).__name__, _text(str(e))))
                result = None
            else:
                self.events.append((label, _plain(result)))
        for w in caught:
            if issubclass(w.category, (UserWarning, FutureWarning, DeprecationWarning)):
                self.events.append((label, "warns", w.category.__name__, _text(str(w.message))))
        return result

    def note(self, *values):
        self.events.append(_plain(values))


def _text(message: str) -> str:
    """An error text with addresses and the library's name out of it; retrograd's own sentence
    after PyTorch's (naming where a node was made) is left out."""
    message = re.sub(r" at 0x[0-9a-f]+", "", message).replace("retrograd", "torch")
    message = message.replace(" torch computes on the CPU only.", "")
    return re.sub(r" \((The hook is on|made by|in the call|of) .*\)$", "", message)


def _same(torch_ref, program):
    results = []
    for lib in (retrograd, torch_ref):
        record = _Recorder()
        program(lib, record)
        results.append(record.events)
    ours, theirs = results
    assert ours == theirs
    return ours


def _module_module(lib):
    return importlib.import_module(lib.__name__ + ".nn.modules.module")


@pytest.fixture(autouse=True)
def _no_global_hooks_left(torch_ref):
    """Global hooks are process-wide: every test starts and ends without any."""
    yield
    for lib in (retrograd, torch_ref):
        # (retrograd's live in nn.module; nn.modules.module shows them)
        where = ".nn.module" if lib is retrograd else ".nn.modules.module"
        mm = importlib.import_module(lib.__name__ + where)
        for name in dir(mm):
            if name.startswith("_global_") and name.endswith("hooks"):
                getattr(mm, name).clear()
        mm._global_is_full_backward_hook = None
        opt = importlib.import_module(lib.__name__ + ".optim.optimizer")
        opt._global_optimizer_pre_hooks.clear()
        opt._global_optimizer_post_hooks.clear()


def _two_in_two_out(T):
    class Two(T.nn.Module):
        def forward(self, a, b, k=3):
            return a * b, a + k

    return Two()


# --- full backward hooks and pre-hooks -------------------------------------------------------
def test_full_hooks_see_every_argument_and_pre_hooks_replace_grad_output(torch_ref):
    def program(T, step):
        m = _two_in_two_out(T)
        m.register_full_backward_hook(lambda mod, gi, go: step.note("hook", gi, go))
        m.register_full_backward_pre_hook(
            lambda mod, go: step.note("pre", go) or tuple(None if g is None else g * 2 for g in go)
        )
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0])
        x, y = step("call", lambda: m(a, b))
        step("nodes", lambda: (x.grad_fn.name(), y.grad_fn is x.grad_fn))
        step("edges", lambda: [n.name() for n, _ in x.grad_fn.next_functions])
        step("backward", lambda: (x.sum() + (y * y).sum()).backward())
        step("grad", lambda: a.grad)
        a.grad = None
        x, y = m(a, b)  # only the first output reaches the loss
        step("one output", lambda: x.sum().backward())
        step("grad", lambda: a.grad)
        c = T.tensor([1.0, 2.0], requires_grad=True)
        step("non-tensor argument", lambda: m(c, 2.0)[0].sum().backward())

    _same(torch_ref, program)


def test_a_hook_replaces_grad_input_and_wrong_lengths_raise(torch_ref):
    def program(T, step):
        nn = T.nn
        T.manual_seed(0)
        x = T.ones(1, 2, requires_grad=True)
        m = nn.Linear(2, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0 + 7,))
        step("replace", lambda: m(x).sum().backward())
        step("grad", lambda: x.grad)
        m2 = nn.Linear(2, 2)
        m2.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        step("hook length", lambda: m2(x).sum().backward())
        m3 = nn.Linear(2, 2)
        m3.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
        step("pre-hook length", lambda: m3(x).sum().backward())
        m4 = nn.Tanh()
        m4.register_full_backward_hook(lambda mod, gi, go: (T.ones(3),))
        step("hook shape", lambda: m4(x).sum().backward())

    _same(torch_ref, program)


def test_hooks_when_no_input_requires_grad(torch_ref):
    def program(T, step):
        nn = T.nn
        T.manual_seed(0)
        m = nn.Linear(2, 2)
        m.register_full_backward_hook(lambda mod, gi, go: step.note("hook", gi, go))
        step("fires on outputs", lambda: m(T.ones(1, 2)).sum().backward())
        m2 = nn.Linear(2, 2)
        m2.register_full_backward_hook(lambda mod, gi, go: (T.ones(1, 2),))
        step("may not return", lambda: m2(T.ones(1, 2)).sum().backward())
        m3 = nn.Linear(2, 2)
        m3.register_full_backward_hook(lambda mod, gi, go: (None,))
        step("all None is fine", lambda: m3(T.ones(1, 2)).sum().backward())
        m4 = nn.Linear(2, 2)
        m4.register_full_backward_pre_hook(lambda mod, go: step.note("pre only", go))
        step("pre only", lambda: m4(T.ones(1, 2)).sum().backward())

        class Made(nn.Module):
            def forward(self):
                return T.ones(2, requires_grad=True) * 2

        m5 = Made()
        m5.register_full_backward_hook(lambda mod, gi, go: step.note("no inputs", gi, go))
        step("no inputs", lambda: m5().sum().backward())
        with T.no_grad():
            step("no_grad: no node", lambda: m(T.ones(1, 2, requires_grad=True)).grad_fn)

    _same(torch_ref, program)


def test_hook_order_prepend_and_removal(torch_ref):
    def program(T, step):
        nn = T.nn
        mm = _module_module(T)
        seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        first = seq[0]
        first.register_full_backward_hook(lambda m, gi, go: step.note("b1"))
        first.register_full_backward_hook(lambda m, gi, go: step.note("b0"), prepend=True)
        h = first.register_full_backward_hook(lambda m, gi, go: step.note("b2"))
        first.register_full_backward_pre_hook(lambda m, go: step.note("p1"))
        first.register_full_backward_pre_hook(lambda m, go: step.note("p0"), prepend=True)
        first.register_forward_pre_hook(lambda m, a: step.note("local forward pre"))
        first.register_forward_hook(lambda m, a, o: step.note("local forward"))
        handles = [
            mm.register_module_forward_pre_hook(lambda m, a: step.note("gpre", type(m).__name__)),
            mm.register_module_forward_hook(lambda m, a, o: step.note("gfwd", type(m).__name__)),
            mm.register_module_full_backward_hook(
                lambda m, gi, go: step.note("gbw", type(m).__name__, len(gi), len(go))
            ),
            mm.register_module_full_backward_pre_hook(
                lambda m, go: step.note("gbwpre", type(m).__name__)
            ),
        ]
        x = T.ones(1, 2, requires_grad=True)
        y = step("call", lambda: seq(x))
        step("nodes", lambda: [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()])
        step("backward", lambda: y.sum().backward())
        h.remove()
        for handle in handles:
            handle.remove()
        step("after removal", lambda: seq(x).sum().backward())
        with handles[0]:
            pass

    _same(torch_ref, program)


def test_hooks_per_call_retain_graph_and_autograd_grad(torch_ref):
    def program(T, step):
        nn = T.nn
        x = T.tensor([1.0, 2.0], requires_grad=True)
        ident = nn.Identity()
        ident.register_full_backward_hook(lambda m, gi, go: step.note("identity", gi, go))
        step("identity", lambda: (ident(x) * 3).sum().backward())
        t = nn.Tanh()
        t.register_full_backward_hook(lambda m, gi, go: step.note("tanh", gi))
        t.register_full_backward_pre_hook(lambda m, go: step.note("pre", go))
        y1, y2 = t(x), t(x * 2)
        step("two calls", lambda: (y1.sum() + 10 * y2.sum()).backward(retain_graph=True))
        step("again", lambda: y1.sum().backward())
        step("autograd.grad", lambda: T.autograd.grad(t(x).sum(), x))

    _same(torch_ref, program)


def test_in_place_writes_through_a_hooked_module_raise(torch_ref):
    def program(T, step):
        nn = T.nn
        x = T.ones(1, 2, requires_grad=True)
        m = nn.Linear(2, 2)
        m.register_full_backward_hook(lambda *a: None)
        step("output written", lambda: m(x).add_(1))
        relu = nn.ReLU(inplace=True)
        relu.register_full_backward_hook(lambda *a: None)
        step("inplace relu", lambda: relu(x * 1))

        class WritesInput(nn.Module):
            def forward(self, t):
                t.add_(1)
                return t * 2

        w = WritesInput()
        w.register_full_backward_pre_hook(lambda *a: None)
        step("input written", lambda: w(x * 1))
        plain = WritesInput()
        step("without hooks", lambda: plain(x * 1))

    _same(torch_ref, program)


def test_outputs_that_are_not_tensors(torch_ref):
    def program(T, step):
        nn = T.nn

        class Dict(nn.Module):
            def forward(self, t):
                return {"y": t * 2}

        class Mixed(nn.Module):
            def forward(self, t):
                return t * 2, 5, t.detach()

        x = T.ones(2, requires_grad=True)
        d = Dict()
        d.register_full_backward_hook(lambda *a: step.note("dict hook"))
        step("dict", lambda: d(x)["y"].sum().backward())
        m = Mixed()
        m.register_full_backward_hook(lambda mod, gi, go: step.note("mixed", gi, go))
        m.register_full_backward_pre_hook(lambda mod, go: step.note("mixed pre", go))
        out = step("mixed call", lambda: m(x))
        step("mixed", lambda: (out[0].sum() + out[2].sum()).backward())

    _same(torch_ref, program)


# --- the legacy backward hook ------------------------------------------------------------------
def test_legacy_and_full_backward_hooks_do_not_mix(torch_ref):
    def program(T, step):
        nn = T.nn
        mm = _module_module(T)
        m = nn.Tanh()
        step("kind", lambda: m._is_full_backward_hook)
        m.register_full_backward_hook(lambda *a: None)
        step("full then legacy", lambda: m.register_backward_hook(lambda *a: None))
        m2 = nn.Tanh()
        m2.register_backward_hook(lambda *a: None)
        step("legacy then full", lambda: m2.register_full_backward_hook(lambda *a: None))
        step("pre-hook still", lambda: type(m2.register_full_backward_pre_hook(lambda *a: None)))
        step("kinds", lambda: (m._is_full_backward_hook, m2._is_full_backward_hook))
        h = mm.register_module_backward_hook(lambda *a: None)
        step("global mix", lambda: mm.register_module_full_backward_hook(lambda *a: None))
        h.remove()
        step("still legacy", lambda: mm.register_module_full_backward_hook(lambda *a: None))

    _same(torch_ref, program)


def test_legacy_hook_sees_its_node_and_warns_where_that_is_not_the_module(torch_ref):
    def program(T, step):
        nn = T.nn

        class Scale(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(T.tensor([2.0, 3.0]))

            def forward(self, t):
                return t * self.w

        x = T.tensor([1.0, 2.0], requires_grad=True)
        s = Scale()
        s.register_backward_hook(lambda mod, gi, go: step.note("scale", gi, go))
        step("one node", lambda: s(x).sum().backward())
        s2 = Scale()
        s2.register_backward_hook(lambda mod, gi, go: (gi[0] * 10, gi[1]))
        step("replaced", lambda: s2(x).sum().backward())
        step("grad", lambda: x.grad)
        chain = nn.Sequential(nn.Tanh(), nn.Sigmoid())
        chain.register_backward_hook(lambda mod, gi, go: step.note("chain", len(gi)))
        step("several nodes", lambda: chain(x).sum().backward())
        two = _two_in_two_out(T)
        two.register_backward_hook(lambda mod, gi, go: step.note("two", gi, go))
        step("two outputs", lambda: two(x, T.ones(2))[0].sum().backward())

        class Dict(nn.Module):
            def forward(self, t):
                return {"y": t * 2}

        d = Dict()
        d.register_backward_hook(lambda *a: None)
        step("dict output", lambda: d(x)["y"].sum().backward())

        class Nested(nn.Module):
            def forward(self, t):
                return [t * 2]

        n = Nested()
        n.register_backward_hook(lambda *a: None)
        step("list output", lambda: n(x)[0].sum().backward())

        class Keyword(nn.Module):
            def forward(self, t, scale):
                return t * scale

        k = Keyword()
        k.register_backward_hook(lambda *a: None)
        step("non-tensor input", lambda: k(x, 2.0).sum().backward())
        mm = _module_module(T)
        mm.register_module_backward_hook(lambda *a: step.note("global legacy"))
        step("dead module", lambda: nn.Tanh()(x).sum().backward())
        keep = nn.Tanh()
        step("live module", lambda: keep(x).sum().backward())

    _same(torch_ref, program)


# --- global hooks ------------------------------------------------------------------------------
def test_global_forward_hooks(torch_ref):
    def program(T, step):
        nn = T.nn
        mm = _module_module(T)
        x = T.ones(1, 2)
        lin = nn.Linear(2, 2)
        h = mm.register_module_forward_hook(
            lambda m, a, k, o: step.note("kwargs", type(m).__name__, k), with_kwargs=True
        )
        step("with kwargs", lambda: nn.Sequential(lin)(x) is not None)
        h.remove()
        h = mm.register_module_forward_pre_hook(lambda m, a: (a[0] * 0,))
        step("pre replaces", lambda: lin(x * 5).shape)
        h.remove()
        h = mm.register_module_forward_hook(lambda m, a, o: o * 0 + 1)
        step("forward replaces", lambda: lin(x))
        h.remove()

        class Fails(nn.Module):
            def forward(self, t):
                raise ValueError("boom")

        f = Fails()
        f.register_forward_hook(lambda m, a, o: step.note("local always", o), always_call=True)
        h = mm.register_module_forward_hook(
            lambda m, a, o: step.note("global always", o), always_call=True
        )
        step("always", lambda: f(x))
        h.remove()
        step("removed", lambda: f(x))

    _same(torch_ref, program)


def test_global_registration_hooks(torch_ref):
    def program(T, step):
        nn = T.nn
        mm = _module_module(T)
        handles = [
            mm.register_module_buffer_registration_hook(lambda m, n, b: step.note("buffer", n)),
            mm.register_module_module_registration_hook(lambda m, n, s: step.note("module", n)),
            mm.register_module_parameter_registration_hook(lambda m, n, p: step.note("param", n)),
        ]
        step("batchnorm", lambda: nn.BatchNorm1d(2) is not None)
        m = nn.Module()
        m.x = nn.Linear(1, 1)
        m.register_buffer("b", T.ones(1))
        m.p = nn.Parameter(T.ones(1))
        m.register_buffer("n", None)
        m.add_module("z", None)
        m.b = T.zeros(1)
        m.p = None
        for handle in handles:
            handle.remove()
        handles = [
            mm.register_module_buffer_registration_hook(lambda m, n, b: b * 2),
            mm.register_module_parameter_registration_hook(lambda m, n, p: nn.Parameter(p * 3)),
            mm.register_module_module_registration_hook(lambda m, n, s: nn.Tanh()),
        ]
        m = nn.Module()
        m.register_buffer("b", T.ones(1))
        m.p = nn.Parameter(T.ones(1))
        m.x = nn.Linear(1, 1)
        step("replaced", lambda: (m.b, m.p, repr(m.x)))
        for handle in handles:
            handle.remove()

    _same(torch_ref, program)


# --- state dicts -------------------------------------------------------------------------------
def _net(T):
    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = T.nn.Linear(2, 2)
            self.b = T.nn.Linear(2, 1)

    T.manual_seed(0)
    return Net()


def test_state_dict_hooks(torch_ref):
    def program(T, step):
        n = _net(T)
        n.register_state_dict_pre_hook(lambda m, prefix, keep: step.note("pre", prefix, keep))
        n.a.register_state_dict_pre_hook(lambda m, prefix, keep: step.note("pre", prefix, keep))
        n.a.register_state_dict_post_hook(
            lambda m, sd, prefix, meta: step.note("post", prefix, list(sd), meta)
        )
        step("keys", lambda: list(n.state_dict(keep_vars=True)))
        step("metadata", lambda: dict(n.state_dict()._metadata))
        h = n.b.register_state_dict_post_hook(lambda m, sd, prefix, meta: 5)
        step("post returns", lambda: n.state_dict())
        h.remove()
        n2 = _net(T)
        n2._register_state_dict_hook(lambda m, sd, prefix, meta: {"x": 1})
        n2.a._register_state_dict_hook(lambda m, sd, prefix, meta: {"y": 1})
        step("older hook replaces", lambda: list(n2.state_dict()))

        def hook(m, sd, prefix, meta):
            sd[prefix + "extra"] = T.zeros(1)

        n2.a.register_state_dict_post_hook(hook)
        step("both kinds", lambda: n2._register_state_dict_hook(hook))
        step("pre hook's return is ignored", lambda: n2.register_state_dict_pre_hook(lambda *a: 3))
        n3 = _net(T)
        n3.a.register_state_dict_post_hook(hook)
        step("adds a key", lambda: list(n3.state_dict()))
        step("positional arguments", lambda: list(n3.state_dict(None, "p.")))

    _same(torch_ref, program)


def test_load_state_dict_hooks(torch_ref):
    def program(T, step):
        sd = _net(T).state_dict()
        n = _net(T)

        def pre(m, sd, prefix, meta, strict, missing, unexpected, errors):
            step.note("pre", type(m).__name__, prefix, sorted(sd), meta, strict)

        n.register_load_state_dict_pre_hook(pre)
        n.a.register_load_state_dict_pre_hook(pre)
        n.register_load_state_dict_post_hook(lambda m, keys: step.note("post", keys))
        n.a.register_load_state_dict_post_hook(lambda m, keys: step.note("post a", keys))
        step("load", lambda: n.load_state_dict(sd))
        step("non-strict", lambda: n.load_state_dict({"zz": T.ones(1)}, strict=False))
        n.a.register_load_state_dict_post_hook(lambda m, keys: 1)
        step("post returns", lambda: n.load_state_dict(sd))
        n2 = _net(T)
        n2._register_load_state_dict_pre_hook(
            lambda sd, prefix, *rest: step.note("without module", prefix)
        )
        n2._register_load_state_dict_pre_hook(
            lambda m, sd, prefix, *rest: step.note("with module", type(m).__name__),
            with_module=True,
        )
        step("private", lambda: n2.load_state_dict(sd))

        def rename(m, sd, prefix, *rest):
            for k in list(sd):
                if k.startswith(prefix + "old."):
                    sd[prefix + "a." + k[len(prefix) + 4 :]] = sd.pop(k)

        n3 = _net(T)
        n3.register_load_state_dict_pre_hook(rename)
        old = {("old." + k[2:] if k.startswith("a.") else k): v for k, v in sd.items()}
        step("renamed", lambda: n3.load_state_dict(old))
        step("caller's dict unchanged", lambda: sorted(old))
        step("loaded", lambda: n3.a.weight)
        n4 = _net(T)
        n4.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
        step("post clears missing", lambda: n4.load_state_dict({}))
        n5 = _net(T)
        shared = n5.a
        n5.c = shared
        step("shared child", lambda: n5.load_state_dict(_net(T).state_dict(), strict=False))

    _same(torch_ref, program)


def test_extra_state(torch_ref):
    def program(T, step):
        nn = T.nn

        class Counter(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(1, 1)
                self.register_buffer("n", T.zeros(1))
                self.v = 3

            def get_extra_state(self):
                return {"v": self.v}

            def set_extra_state(self, state):
                self.v = state["v"]

        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.c = Counter()

        p = Outer()
        sd = step("keys", lambda: list(p.state_dict()))
        step("value", lambda: p.state_dict()["c._extra_state"])
        q = Outer()
        q.c.v = 0
        step("load", lambda: q.load_state_dict(p.state_dict()))
        step("restored", lambda: q.c.v)
        sd = p.state_dict()
        del sd["c._extra_state"]
        step("missing", lambda: Outer().load_state_dict(sd))
        step("missing, not strict", lambda: Outer().load_state_dict(sd, strict=False))
        lin = nn.Linear(1, 1)
        extra = {**lin.state_dict(), "_extra_state": 1}
        step("unexpected", lambda: nn.Linear(1, 1).load_state_dict(extra))
        step("unexpected, not strict", lambda: nn.Linear(1, 1).load_state_dict(extra, False))
        step("base get", lambda: lin.get_extra_state())
        step("base set", lambda: lin.set_extra_state(1))

        class OnlyGet(nn.Module):
            def get_extra_state(self):
                return 1

        step("only get", lambda: OnlyGet().load_state_dict(OnlyGet().state_dict()))

    _same(torch_ref, program)


def _note_module(m, *rest):
    """A load pre-hook that can be pickled: it records which module it was called with."""
    m.seen = getattr(m, "seen", 0) + 1


def test_hooks_are_copied_with_their_module(torch_ref):
    def program(T, step):
        import copy

        n = _net(T)
        n.register_load_state_dict_pre_hook(_note_module)
        n.register_forward_hook(lambda m, a, o: o * 2)
        twin = copy.deepcopy(n)
        step("copy loads", lambda: twin.load_state_dict(n.state_dict()))
        step("the copy's hook saw the copy", lambda: (getattr(n, "seen", 0), twin.seen))
        step("forward hook copied", lambda: twin.a(T.ones(1, 2)).shape)

    _same(torch_ref, program)


def test_backward_hook_used_directly(torch_ref):
    def program(T, step):
        hooks = importlib.import_module(T.__name__ + ".utils.hooks")
        m = T.nn.Tanh()
        bw = hooks.BackwardHook(m, [lambda mod, gi, go: step.note("hook", gi, go)], [])
        x = T.tensor([0.5, 1.0], requires_grad=True)
        args = bw.setup_input_hook((x, 3))
        out = bw.setup_output_hook(m.forward(args[0]))
        step("state", lambda: (bw.n_inputs, bw.input_tensors_index, bw.n_outputs))
        step("backward", lambda: out.sum().backward())

    _same(torch_ref, program)


# --- the rest of Module's surface --------------------------------------------------------------
def test_set_submodule_devices_and_class_attributes(torch_ref):
    def program(T, step):
        nn = T.nn
        m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
        step("replace", lambda: (m.set_submodule("1.0", nn.Tanh()), repr(m)))
        step("new, not strict", lambda: (m.set_submodule("1.x", nn.Tanh()), repr(m)))
        step("new, strict", lambda: m.set_submodule("1.y", nn.Tanh(), strict=True))
        step("missing parent", lambda: m.set_submodule("2.y", nn.Tanh()))
        step("not a module", lambda: m.set_submodule("1.0", 3))
        step("empty", lambda: m.set_submodule("", nn.Tanh()))
        step("through a tensor", lambda: m.set_submodule("0.weight.x", nn.Tanh()))
        step("over a tensor", lambda: m.set_submodule("0.weight", nn.Tanh()))
        for device in ("xpu", "ipu", "mtia"):
            step(device, lambda: getattr(m, device)())
            step(device + " 0", lambda: getattr(m, device)(0))
            step(device + " empty", lambda: repr(getattr(nn.Module(), device)()))
        step("flags", lambda: (nn.Module.call_super_init, nn.Module.dump_patches))
        step("T_destination", lambda: nn.Module.T_destination.__name__)

        class Base:
            def __init__(self, **kwargs):
                step.note("base got", kwargs)

        class Passes(nn.Module, Base):
            call_super_init = True

        step("call_super_init", lambda: Passes(foo=1).training)

        class Keeps(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        step("without it", lambda: Keeps(foo=1))

    _same(torch_ref, program)


def test_utils_hooks(torch_ref):
    def program(T, step):
        hooks = importlib.import_module(T.__name__ + ".utils.hooks")
        t = T.ones(1, requires_grad=True)
        handles = [
            t.register_hook(lambda g: g),
            (t * 1).grad_fn.register_hook(lambda *a: None),
            T.nn.Linear(1, 1).register_forward_hook(lambda *a: None),
            T.optim.SGD([T.nn.Parameter(T.ones(1))], lr=1).register_step_pre_hook(lambda *a: 0),
        ]
        step("one handle type", lambda: [isinstance(h, hooks.RemovableHandle) for h in handles])
        d, extra = {}, {}
        step("plain dicts", lambda: hooks.RemovableHandle(d, extra_dict=extra))
        step("names", lambda: (hooks.BackwardHook.__name__, hooks.RemovableHandle.__name__))
        marked = hooks.unserializable_hook(lambda g: g)
        step("marked", lambda: marked.__torch_unserializable__)
        u = T.ones(1, requires_grad=True)
        u.register_hook(marked)
        step("unserializable only", lambda: hooks.warn_if_has_hooks(u))

        def plain(g):
            return g

        u.register_hook(plain)
        step("warns", lambda: hooks.warn_if_has_hooks(u))

    _same(torch_ref, program)


def test_removable_handle_clears_its_extra_dicts():
    from collections import OrderedDict

    from retrograd.utils.hooks import RemovableHandle

    hooks, extra = OrderedDict(), OrderedDict()
    handle = RemovableHandle(hooks, extra_dict=extra)
    hooks[handle.id] = print
    extra[handle.id] = True
    with handle:
        pass
    assert not hooks and not extra
    m = retrograd.nn.Linear(1, 1)
    h = m.register_forward_hook(lambda *a: None, with_kwargs=True, always_call=True)
    h.remove()
    assert not m._forward_hooks_with_kwargs and not m._forward_hooks_always_called


# --- optimizers --------------------------------------------------------------------------------
def test_optimizer_state_dict_hooks(torch_ref):
    def program(T, step):
        p = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([p], lr=0.1, momentum=0.9)
        p.grad = T.ones(2)
        opt.step()
        opt.register_state_dict_pre_hook(lambda o: step.note("pre", type(o).__name__))
        opt.register_state_dict_post_hook(lambda o, sd: step.note("post", sorted(sd)))
        opt.register_state_dict_pre_hook(lambda o: step.note("pre first"), prepend=True)
        sd = step("state dict", lambda: opt.state_dict())
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
        step("replaced", lambda: sorted(opt.state_dict()))
        opt2 = T.optim.SGD([p], lr=0.1, momentum=0.9)
        opt2.register_load_state_dict_pre_hook(lambda o, sd: step.note("load pre", sorted(sd)))

        def faster(o, sd):
            sd = dict(sd)
            sd["param_groups"] = [dict(g, lr=0.5) for g in sd["param_groups"]]
            return sd

        opt2.register_load_state_dict_pre_hook(faster)
        opt2.register_load_state_dict_post_hook(
            lambda o: step.note("load post", o.param_groups[0]["lr"])
        )
        opt2.register_load_state_dict_post_hook(lambda o: step.note("post first"), prepend=True)
        opt2.register_load_state_dict_pre_hook(lambda o, sd: step.note("pre first"), prepend=True)
        step("load", lambda: opt2.load_state_dict(sd))
        step("loaded", lambda: (opt2.param_groups[0]["lr"], opt2.state[p]))
        step("caller's dict unchanged", lambda: sd["param_groups"][0]["lr"])

    _same(torch_ref, program)


def test_optimizer_step_hooks_global_and_local(torch_ref):
    def program(T, step):
        opt_mod = importlib.import_module(T.__name__ + ".optim.optimizer")
        p = T.nn.Parameter(T.ones(2))
        p.grad = T.ones(2)
        opt = T.optim.SGD([p], lr=0.1)
        handles = [
            opt_mod.register_optimizer_step_pre_hook(
                lambda o, a, k: step.note("global pre", len(a), a[0] is o, k)
            ),
            opt_mod.register_optimizer_step_post_hook(lambda o, a, k: step.note("global post")),
        ]
        opt.register_step_pre_hook(lambda o, a, k: step.note("pre", len(a), a[0] is o, k))
        opt.register_step_post_hook(lambda o, a, k: step.note("post"))
        step("step", lambda: opt.step())
        step("closure", lambda: opt.step(closure=lambda: 1.0))
        for h in handles:
            h.remove()
        step("removed", lambda: opt.step())
        h = opt_mod.register_optimizer_step_pre_hook(lambda o, a, k: 5)
        step("bad return", lambda: opt.step())
        h.remove()
        h = opt_mod.register_optimizer_step_pre_hook(lambda o, a, k: ((o,), {}))
        step("replaced args", lambda: opt.step(lambda: 2.0))
        h.remove()

        class Mine(T.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, {})

            def step(self, closure=None):
                step.note("my step")
                return 7

        h = opt_mod.register_optimizer_step_pre_hook(lambda o, a, k: step.note(type(o).__name__))
        step("subclass", lambda: Mine([p]).step())
        h.remove()
        step("wrapped", lambda: (Mine.step.hooked, T.optim.SGD.step.hooked))
        decorated = T.optim.Optimizer.profile_hook_step(lambda self: step.note("decorated"))
        step("profile_hook_step", lambda: decorated(opt))

    _same(torch_ref, program)


# --- autograd.graph ----------------------------------------------------------------------------
def test_gradient_edges_and_versions(torch_ref):
    def program(T, step):
        G = importlib.import_module(T.__name__ + ".autograd.graph")
        a = T.ones(2, requires_grad=True)
        b = a * 2
        e = step("leaf", lambda: G.get_gradient_edge(a))
        step("fields", lambda: (G.GradientEdge._fields, e.output_nr, e.node.name()))
        step("non-leaf", lambda: G.get_gradient_edge(b))
        step("no grad", lambda: G.get_gradient_edge(T.ones(2)))
        step("grad at an edge", lambda: T.autograd.grad(b.sum(), e, retain_graph=True))
        step("grad at edges", lambda: T.autograd.grad(b.sum(), [G.get_gradient_edge(b), e]))
        _, d = (a * 3).unbind()
        step("second output", lambda: G.get_gradient_edge(d))
        t = T.ones(2)
        step("bump", lambda: (G.increment_version(t), t._version))
        step("bump each", lambda: (G.increment_version([t, t]), t._version))
        step("not tensors", lambda: G.increment_version(3))
        with T.inference_mode():
            i = T.ones(1)
        step("inference", lambda: G.increment_version(i))
        x = T.tensor([1.0], requires_grad=True)
        y = x * x
        x2 = x.detach()
        G.increment_version(x2)
        try:
            y.backward()
        except RuntimeError as e:  # (retrograd adds where the write happened)
            step.note("stale saved value", str(e).split(" Hint:")[0])

    _same(torch_ref, program)


def test_multi_grad_hook(torch_ref):
    def program(T, step):
        G = importlib.import_module(T.__name__ + ".autograd.graph")
        x, y, z = (T.ones(2, requires_grad=True) for _ in range(3))
        h = G.register_multi_grad_hook((x, y, z), lambda grads: step.note("all", grads))
        step("two of three", lambda: (x * 2 + y * 3).sum().backward())
        step("one of three", lambda: (x * 2).sum().backward())
        step("a graph of one node", lambda: x.dot(y).backward())  # (the engine's run_one)
        h.remove()
        step("removed", lambda: (x * 2).sum().backward())
        h = G.register_multi_grad_hook((x, y), lambda g: step.note("any", g) or g * 100, mode="any")
        step("any", lambda: (x * 2 + y * 3).sum().backward())
        step("return ignored", lambda: (x.grad, y.grad))
        h.remove()
        step("bad mode", lambda: G.register_multi_grad_hook((x,), lambda g: None, mode="foo"))
        step("no grad, all", lambda: G.register_multi_grad_hook((x, T.ones(1)), lambda g: None))
        step("no grad, any", lambda: G.register_multi_grad_hook((x, T.ones(1)), print, mode="any"))
        w = x * 1
        h = G.register_multi_grad_hook((w, y), lambda g: step.note("non-leaf", g))
        step("inputs=", lambda: (w * 2 + y).sum().backward(inputs=[y]))
        step("grad of the non-leaf", lambda: T.autograd.grad((w * 4).sum(), w))
        step("grad of a leaf", lambda: T.autograd.grad((x * y).sum(), x))
        h.remove()

    _same(torch_ref, program)


def test_allow_mutation_on_saved_tensors(torch_ref):
    def program(T, step):
        G = importlib.import_module(T.__name__ + ".autograd.graph")

        def case(write, use=lambda t: t * t, make=lambda a: a * 1):
            a = T.tensor([1.0, 2.0], requires_grad=True)
            b = make(a)
            out = use(b)
            write(b)
            out.sum().backward()
            return a.grad

        with G.allow_mutation_on_saved_tensors() as ctx:
            step("context", lambda: type(ctx).__name__)
            step("mul_", lambda: case(lambda b: b.mul_(2), use=lambda b: b.sin() * b))
            step("setitem", lambda: case(lambda b: b.__setitem__(0, 5.0), use=lambda b: b.exp()))
            step("through a view", lambda: case(lambda b: b[:1].mul_(3), use=lambda b: b.exp()))

            def quietly(b):
                with T.no_grad():
                    b.add_(1)

            step("under no_grad", lambda: case(quietly))
            step("a saved result", lambda: case(lambda b: b.add_(1), use=lambda b: b, make=T.exp))
            step("twice", lambda: case(lambda b: (b.mul_(2), b.add_(1)), use=T.sin))
            step("copy_", lambda: case(lambda b: b.copy_(T.zeros(2))))
            step("leaf", lambda: T.ones(1, requires_grad=True).add_(1))
            step("nested", lambda: G.allow_mutation_on_saved_tensors().__enter__())
            a = T.tensor([1.0, 2.0], requires_grad=True)
            late = (a * 1).sin()
        step("outside", lambda: late.sum().backward())
        step("closed", lambda: T.ones(1).mul_(2))

    _same(torch_ref, program)
