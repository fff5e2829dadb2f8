"""``retrograd.autograd.graph.saved_tensors_hooks``: every saved tensor is packed when saved and
unpacked when a formula reads it."""

import numpy as np
import pytest

import retrograd
from retrograd import _switches
from retrograd.autograd.graph import save_on_cpu, saved_tensors_hooks
from tests.conftest import rand64


def test_pack_at_save_time_unpack_at_read_time():
    x = rand64(3)
    events = []

    def pack(t):
        events.append(("pack", tuple(t.shape), t.grad_fn.name() if t.grad_fn else None))
        return t

    def unpack(t):
        events.append(("unpack",))
        return t

    with saved_tensors_hooks(pack, unpack):
        y = x * x.exp()  # exp saves its result; mul saves both inputs
        # (mul keeps "other" before "self", as PyTorch's node does)
        assert events == [
            ("pack", (3,), "ExpBackward0"),
            ("pack", (3,), "ExpBackward0"),
            ("pack", (3,), None),
        ]
    loss = y.sum()
    assert events.count(("unpack",)) == 0
    loss.backward()
    assert events.count(("unpack",)) == 3
    xs = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(xs) * (1 + xs))
    assert _switches.pack_hook is None  # off again once the block closes


def test_node_keeps_only_what_pack_returned_and_unpack_is_used():
    x = rand64(3)
    with saved_tensors_hooks(
        lambda t: t.detach().numpy().copy(), lambda a: retrograd.tensor(a * 2)
    ):  # unpack doubles: must show
        y = (x * x).sum()
    node = y.grad_fn.next_functions[0][0]
    assert not any(isinstance(getattr(s, "packed", None), retrograd.Tensor) for s in node._saved)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x.detach().numpy())  # 2 * (2x)


def test_innermost_hooks_win_and_outside_is_untouched():
    x = rand64(3)
    calls = []
    with saved_tensors_hooks(lambda t: calls.append("outer") or t, lambda t: t):
        with saved_tensors_hooks(lambda t: calls.append("inner") or t, lambda t: t):
            x.sin()
        x.cos()
    x.tan()
    assert calls == ["inner", "outer"]


def test_unpack_must_return_a_tensor():
    x = rand64(3)
    with saved_tensors_hooks(lambda t: t, lambda p: 3):
        y = x.exp()
    with pytest.raises(
        TypeError,
        match="^Output of saved tensor unpack_hook expected to be a Tensor "
        "but got result of type int$",
    ):
        y.sum().backward()


def test_freed_after_backward_and_double_backward_through_hooks():
    x = rand64(3)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = (x**3).sum()
    (g,) = retrograd.autograd.grad(y, x, create_graph=True)
    (gg,) = retrograd.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x.detach().numpy())
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        z = x.exp().sum()
    z.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        z.backward()


def test_save_on_cpu_gives_the_same_gradients():
    x = rand64(2, 3)
    w = rand64(3, 4, seed=1)
    with save_on_cpu(pin_memory=False):
        (x @ w).tanh().sum().backward()
    gx, gw = x.grad, w.grad
    x.grad = w.grad = None
    (x @ w).tanh().sum().backward()
    np.testing.assert_array_equal(gx.numpy(), x.grad.numpy())
    np.testing.assert_array_equal(gw.numpy(), w.grad.numpy())


def test_parity_with_pytorch_pack_calls(torch_ref):
    def count(m):
        n = []
        x = m.tensor([0.5, 1.5, -2.0], requires_grad=True)
        with m.autograd.graph.saved_tensors_hooks(
            lambda t: n.append(tuple(t.shape)) or t, lambda t: t
        ):
            y = (x.sigmoid() * x).sum() + (x @ x)
        y.backward()
        return sorted(n), x.grad.tolist()

    ours, ref = count(retrograd), count(torch_ref)
    assert ours[0] == ref[0]
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-6)


def test_hooks_are_per_thread():
    import threading

    x = rand64(3)
    calls = []
    inside = threading.Event()
    done = threading.Event()

    def other_thread():
        inside.wait()
        x.exp()  # hooks are open in the main thread only: not packed here
        done.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with saved_tensors_hooks(lambda t: calls.append("packed") or t, lambda t: t):
        inside.set()
        done.wait()
        x.sin()
    t.join()
    assert calls == ["packed"]


def test_a_pack_hook_may_run_ops(torch_ref):
    """Ops inside the hooks save their own values plainly (no packing without end)."""
    grads = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda v: v.exp(), lambda v: v.log()):
            y = (x * x).sum()
        y.backward()
        grads.append(x.grad.tolist())
    assert grads[0] == pytest.approx(grads[1]) == [2.0, 4.0]


def _custom_functions(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return y * g

    return Square, Exp


def test_custom_function_saves_go_through_the_hooks(torch_ref):
    results = []
    for lib in (torch_ref, retrograd):
        Square, Exp = _custom_functions(lib)
        events = []

        def pack(t):
            events.append(("pack", t.grad_fn.name() if t.grad_fn is not None else None))
            return t.detach().numpy().copy()  # the node keeps only this

        def unpack(a):
            events.append("unpack")
            return lib.tensor(a)

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = Exp.apply(Square.apply(x))
        y.sum().backward()
        results.append((events, x.grad.tolist()))
    assert (
        results[1][0]
        == results[0][0]
        == [("pack", None), ("pack", "ExpBackward"), "unpack", "unpack"]
    )
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)


def test_custom_function_unpack_must_return_a_tensor(torch_ref):
    for lib in (torch_ref, retrograd):
        Square, _ = _custom_functions(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: 3):
            y = Square.apply(x).sum()
        with pytest.raises(
            TypeError,
            match="^Output of saved tensor unpack_hook expected to be a "
            "Tensor but got result of type int$",
        ):
            y.backward()


@pytest.mark.parametrize("case", ["input", "output", "leaf", "save_on_cpu"])
def test_no_version_check_through_hooks_as_in_pytorch(torch_ref, case):
    """PyTorch uses what the unpack hook returns as it is: a write after packing is no error."""
    grads = []
    for lib in (torch_ref, retrograd):
        graph = lib.autograd.graph
        hooks = (
            graph.save_on_cpu()
            if case == "save_on_cpu"
            else graph.saved_tensors_hooks(lambda t: t, lambda t: t)
        )
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with hooks:
            a = x * 1
            y = x.sin() if case == "leaf" else a.exp() if case != "input" else a.sin()
        if case == "leaf":
            with lib.no_grad():
                x.add_(1)
        elif case == "input":
            a.add_(1)
        else:
            y.add_(1)
        y.sum().backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_disable_saved_tensors_hooks(torch_ref):
    for lib in (torch_ref, retrograd):
        graph = lib.autograd.graph
        with graph.disable_saved_tensors_hooks("no hooks in here"):
            with graph.disable_saved_tensors_hooks("inner"):
                pass
            with pytest.raises(RuntimeError, match="^no hooks in here$"):
                with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with pytest.raises(RuntimeError, match="^hooks are open$"):
                with graph.disable_saved_tensors_hooks("hooks are open"):
                    pass
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # allowed again afterwards
            pass


@pytest.mark.parametrize("hooks", ["save_on_cpu", "detach", "numpy"])
def test_in_place_op_packs_the_value_before_its_write(torch_ref, hooks):
    """A pack hook that keeps the array itself must still see the value the op read."""
    grads = []
    for lib in (torch_ref, retrograd):
        graph = lib.autograd.graph
        ctx = (
            graph.save_on_cpu()
            if hooks == "save_on_cpu"
            else graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t)
            if hooks == "detach"
            else graph.saved_tensors_hooks(lambda t: t.detach().numpy(), lib.from_numpy)
        )
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        a = x * 1
        with ctx:
            a.mul_(b)  # b's gradient is the old a
        a.sum().backward()
        grads.append((x.grad.tolist(), b.grad.tolist()))
    assert grads[1] == grads[0] == ([3.0, 4.0], [0.5, 1.0])


@pytest.mark.parametrize("hooks", ["save_on_cpu", "identity", "numpy"])
def test_in_place_op_that_saves_its_result_under_hooks(hooks):
    """exp_ saves its result: under hooks the node keeps what the hook packed (it crashed).
    PyTorch, which checks no version through hooks, would read the value sigmoid_ wrote later;
    we keep the value exp_ made, so the gradient is the true one."""
    graph = retrograd.autograd.graph
    ctx = (
        graph.save_on_cpu()
        if hooks == "save_on_cpu"
        else graph.saved_tensors_hooks(lambda t: t, lambda t: t)
        if hooks == "identity"
        else graph.saved_tensors_hooks(lambda t: t.detach().numpy(), retrograd.from_numpy)
    )
    x = rand64(3)
    a = x * 1
    with ctx:
        a.exp_()
        b = a.sigmoid_()
    b.sum().backward()
    e = np.exp(x.detach().numpy())
    s = 1 / (1 + np.exp(-e))
    np.testing.assert_allclose(x.grad.numpy(), s * (1 - s) * e, rtol=1e-12)
