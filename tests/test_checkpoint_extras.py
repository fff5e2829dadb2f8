"""The rest of ``torch.utils.checkpoint`` against PyTorch: ``context_fn`` and
``noop_context_fn``, ``set_checkpoint_early_stop``, ``set_checkpoint_debug_enabled``,
``detach_variable``, ``check_backward_validity``, the device-state helpers, ``CheckpointPolicy``
and selective checkpointing."""

import functools
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
import torch.utils.checkpoint

import retrograd
import retrograd.utils.checkpoint


def _outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = ("returns", fn())
        except Exception as e:
            out = ("raises", type(e).__name__, str(e))
    return out, [(w.category, str(w.message)) for w in caught]


def _same(fn):
    assert _outcome(lambda: fn(retrograd)) == _outcome(lambda: fn(torch))


def test_context_fn_wraps_forward_and_recomputation():
    def run(lib):
        calls = []

        class Ctx:
            def __init__(self, name):
                self.name = name

            def __enter__(self):
                calls.append(("enter", self.name))

            def __exit__(self, *exc):
                calls.append(("exit", self.name))

        def f(x):
            calls.append("f")
            return x.sin().sin()

        x = lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(
            f, x, use_reentrant=False, context_fn=lambda: (Ctx("fwd"), Ctx("re"))
        )
        calls.append("backward")
        y.sum().backward()
        return calls, x.grad.tolist()

    assert run(retrograd) == run(torch)


def test_noop_context_fn():
    def run(lib):
        fwd, re = lib.utils.checkpoint.noop_context_fn()
        with fwd, re:
            pass
        x = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(
            lambda t: t.exp() * t,
            x,
            use_reentrant=False,
            context_fn=lib.utils.checkpoint.noop_context_fn,
        )
        y.sum().backward()
        return x.grad.tolist()

    assert run(retrograd) == run(torch)


@pytest.mark.parametrize("enable", [True, False])
def test_set_checkpoint_early_stop(enable):
    def run(lib):
        seen = []

        def f(x):
            a = x.sin()
            seen.append("after first save")
            b = a.cos()
            seen.append("end")
            return b

        x = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
        with lib.utils.checkpoint.set_checkpoint_early_stop(enable):
            y = lib.utils.checkpoint.checkpoint(f, x, use_reentrant=False)
        y2 = y * 1  # a node after the segment, so backward reaches the saved tensors
        y2.sum().backward()
        return seen, x.grad.tolist()

    assert run(retrograd) == run(torch)


def test_set_checkpoint_debug_enabled_is_a_context():
    def run(lib):
        with lib.utils.checkpoint.set_checkpoint_debug_enabled(True):
            x = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
            y = lib.utils.checkpoint.checkpoint(lambda t: t.sin(), x, use_reentrant=False)
            y.sum().backward()
        with lib.utils.checkpoint.set_checkpoint_debug_enabled(None):
            pass
        return x.grad.tolist()

    assert run(retrograd) == run(torch)


def test_detach_variable():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        out = lib.utils.checkpoint.detach_variable((x, 3, y, lib.zeros(1)))
        return [
            (o.requires_grad, o.is_leaf, o.grad_fn, o is x, o.tolist())
            if hasattr(o, "requires_grad")
            else o
            for o in out
        ]

    _same(run)
    _same(lambda lib: lib.utils.checkpoint.detach_variable([lib.ones(1)]))
    _same(lambda lib: lib.utils.checkpoint.detach_variable(lib.ones(1)))


def test_check_backward_validity():
    _same(lambda lib: lib.utils.checkpoint.check_backward_validity((lib.ones(2),)))
    _same(
        lambda lib: lib.utils.checkpoint.check_backward_validity(
            (lib.ones(2, requires_grad=True), 1)
        )
    )
    _same(lambda lib: lib.utils.checkpoint.check_backward_validity([]))


def test_device_states():
    _same(lambda lib: lib.utils.checkpoint.get_device_states(lib.ones(2), 3))
    _same(lambda lib: lib.utils.checkpoint.set_device_states([], []))
    _same(lambda lib: lib.utils.checkpoint.set_device_states([0], [lib.ones(1)]))
    _same(
        lambda lib: lib.utils.checkpoint.set_device_states([0], [lib.ones(1)], device_type="cuda")
    )


def test_checkpoint_policy_members():
    t = torch.utils.checkpoint.CheckpointPolicy
    r = retrograd.utils.checkpoint.CheckpointPolicy
    assert [(k, v.value) for k, v in r.__members__.items()] == [
        (k, v.value) for k, v in t.__members__.items()
    ]
    ctx = retrograd.utils.checkpoint.SelectiveCheckpointContext(is_recompute=True)
    assert ctx.is_recompute


def _sac_program(lib, policy, listed=False):
    """A checkpointed segment under selective checkpointing: the ops the policy is asked about
    (and whether in the recomputation), the gradients, and how often NumPy's sine ran in the
    forward and backward (retrograd's sin runs it; PyTorch's does not)."""
    lib.manual_seed(0)
    x = lib.randn(3, 4, dtype=lib.float64, requires_grad=True)
    w = lib.randn(4, 4, dtype=lib.float64, requires_grad=True)
    seen = []

    def policy_fn(ctx, op, *args, **kwargs):
        seen.append((str(op), ctx.is_recompute))
        return policy(lib, op)

    def fn(x, w):
        return lib.sigmoid(lib.mm(lib.sin(x), w)).exp() * w.sum()

    context = functools.partial(
        lib.utils.checkpoint.create_selective_checkpoint_contexts,
        policy(lib) if listed else policy_fn,
    )
    with mock.patch.object(np, "sin", wraps=np.sin) as sine:
        out = lib.utils.checkpoint.checkpoint(fn, x, w, use_reentrant=False, context_fn=context)
        out.sum().backward()
    return seen, x.grad.tolist(), w.grad.tolist(), sine.call_count


def _agree(ours, theirs):
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def _save(*names):
    def policy(lib, op):
        keep = [getattr(lib.ops.aten, n).default for n in names]
        return (
            lib.utils.checkpoint.CheckpointPolicy.MUST_SAVE
            if op in keep
            else lib.utils.checkpoint.CheckpointPolicy.PREFER_RECOMPUTE
        )

    return policy


@pytest.mark.parametrize("saved", [(), ("sin",), ("sin", "mm"), ("exp", "sigmoid")])
def test_selective_checkpointing_keeps_what_the_policy_saves(saved):
    ours = _sac_program(retrograd, _save(*saved))
    _agree(ours, _sac_program(torch, _save(*saved)))
    # the sine ran in the forward, and again in the recomputation only if not saved
    assert ours[3] == (1 if "sin" in saved else 2)


def test_selective_checkpointing_with_a_list_of_ops_and_booleans():
    def as_list(lib):
        return [lib.ops.aten.mm.default, lib.ops.aten.exp.default]

    def as_bool(lib, op):
        return op is lib.ops.aten.sin.default

    for policy, listed in ((as_list, True), (as_bool, False)):
        ours = _sac_program(retrograd, policy, listed)
        _agree(ours, _sac_program(torch, policy, listed))
        assert ours[3] == (2 if listed else 1)


def test_selective_checkpointing_errors():
    _same(lambda lib: lib.utils.checkpoint.create_selective_checkpoint_contexts(3))
    _same(lambda lib: lib.utils.checkpoint.create_selective_checkpoint_contexts([lib.ops.aten.mm]))
    _same(lambda lib: lib.utils.checkpoint.create_selective_checkpoint_contexts([1]))

    def mutated(lib):
        w = lib.randn(3, 3, requires_grad=True)

        def fn(w):
            y = lib.mm(w, w)
            y.add_(1)
            return y.sin()

        context = functools.partial(
            lib.utils.checkpoint.create_selective_checkpoint_contexts, [lib.ops.aten.mm.default]
        )
        lib.utils.checkpoint.checkpoint(
            fn, w, use_reentrant=False, context_fn=context
        ).sum().backward()

    _same(mutated)


def test_aten_op_names():
    for lib in (retrograd, torch):
        mm = lib.ops.aten.mm
        assert mm.default is lib.ops.aten.mm.default
        assert (str(mm.default), repr(mm.default), str(mm), mm.default.name()) == (
            "aten.mm.default",
            "<OpOverload(op='aten.mm', overload='default')>",
            "aten.mm",
            "aten::mm",
        )


def test_selective_checkpointing_sees_only_its_own_thread():
    """The op-call interception is per thread, as PyTorch's dispatch modes: another thread's ops
    while one thread is in a selective-checkpoint region (or in vmap) are neither seen by the
    policy nor changed, and a region may open in one thread while another runs vmap."""
    import threading

    inside, done = threading.Event(), threading.Event()
    seen, other = [], {}

    def policy_fn(ctx, op, *args, **kwargs):
        seen.append(str(op))
        if len(seen) == 1:
            inside.set()
            assert done.wait(10)
        return retrograd.utils.checkpoint.CheckpointPolicy.PREFER_RECOMPUTE

    def fn(x):
        return x.sin().exp()

    x = retrograd.randn(5, dtype=retrograd.float64, requires_grad=True)
    context = functools.partial(
        retrograd.utils.checkpoint.create_selective_checkpoint_contexts, policy_fn
    )

    def elsewhere():
        assert inside.wait(10)
        a = retrograd.arange(4.0, dtype=retrograd.float64)
        other["value"] = (a.cos() * 2).tolist()
        done.set()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    out = retrograd.utils.checkpoint.checkpoint(fn, x, use_reentrant=False, context_fn=context)
    worker.join()
    assert seen == ["aten.sin.default", "aten.exp.default"]
    assert other["value"] == (np.cos(np.arange(4.0)) * 2).tolist()
    out.sum().backward()
    np.testing.assert_allclose(
        x.grad.numpy(), (np.exp(np.sin(x.detach().numpy())) * np.cos(x.detach().numpy()))
    )

    # a region in one thread while vmap runs in another
    in_vmap, region_done = threading.Event(), threading.Event()

    def per_example(v):
        in_vmap.set()
        assert region_done.wait(10)
        return v * 2

    result = {}
    vm = threading.Thread(
        target=lambda: result.setdefault(
            "vmap", retrograd.func.vmap(per_example)(retrograd.ones(3, 2))
        )
    )
    vm.start()
    assert in_vmap.wait(10)
    try:
        y = retrograd.utils.checkpoint.checkpoint(
            lambda t: t.exp(), x, use_reentrant=False, context_fn=context
        )
    finally:
        region_done.set()
        vm.join()
    assert y.shape == (5,)
    assert result["vmap"].tolist() == [[2.0, 2.0]] * 3


def _backward_twice(lib, saved):
    """Two backward passes through one checkpointed segment (retain_graph=True), then
    autograd.grad through it: how often the segment ran, and the gradients."""
    calls = []

    def fn(x, w):
        calls.append(1)
        return lib.sigmoid(lib.mm(lib.sin(x), w)).exp() * w.sum()

    lib.manual_seed(0)
    x = lib.randn(3, 4, dtype=lib.float64, requires_grad=True)
    w = lib.randn(4, 4, dtype=lib.float64, requires_grad=True)
    ops = [getattr(lib.ops.aten, n).default for n in saved]
    context = functools.partial(lib.utils.checkpoint.create_selective_checkpoint_contexts, ops)
    out = lib.utils.checkpoint.checkpoint(fn, x, w, use_reentrant=False, context_fn=context)
    results = []
    for run in (
        lambda: out.sum().backward(retain_graph=True),
        lambda: out.sum().backward(retain_graph=True),
        lambda: lib.autograd.grad(out.sum(), x, create_graph=True)[0].sum().backward(),
    ):
        try:
            run()
            results.append((len(calls), x.grad.tolist()))
        except RuntimeError as e:
            results.append((len(calls), str(e)))
    return results


@pytest.mark.parametrize("saved", [(), ("sin",), ("mm", "sin", "sigmoid", "exp", "sum", "mul")])
def test_each_backward_pass_recomputes_the_segment(saved):
    """Each backward pass through a non-reentrant checkpoint reruns the segment, as PyTorch's
    does (a retained graph keeps no recomputed values): under selective checkpointing a second
    pass finds the kept outputs used and raises PyTorch's error."""
    ours, theirs = _backward_twice(retrograd, saved), _backward_twice(torch, saved)
    assert [r[0] for r in ours] == [r[0] for r in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12)
