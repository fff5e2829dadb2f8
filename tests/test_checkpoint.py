"""``retrograd.utils.checkpoint.checkpoint``: same gradients, inputs kept, forward rerun in backward."""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradgradcheck
from retrograd.autograd.node import PackedSaved
from retrograd.utils.checkpoint import checkpoint
from tests.conftest import rand64


def _block(calls, w1, w2):
    def f(x):
        calls.append(1)
        return ((x @ w1).relu() @ w2).tanh()

    return f


@pytest.mark.parametrize("reentrant", [False, True])
def test_same_gradients_and_one_rerun(reentrant):
    w1, w2 = rand64(3, 4, seed=1), rand64(4, 2, seed=2)
    x = rand64(5, 3)
    calls = []
    f = _block(calls, w1, w2)
    y = checkpoint(f, x, use_reentrant=reentrant)
    (y * y).sum().backward()
    assert len(calls) == 2  # forward, then the rerun in backward
    got = [x.grad.numpy().copy(), w1.grad.numpy().copy(), w2.grad.numpy().copy()]
    for t in (x, w1, w2):
        t.grad = None
    y = f(x)
    (y * y).sum().backward()
    for g, t in zip(got, (x, w1, w2)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12)


def test_non_reentrant_keeps_the_graph_but_no_intermediate_arrays():
    w = rand64(3, 3, seed=1)
    x = rand64(2, 3)
    y = checkpoint(lambda a: (a @ w).sin().exp(), x, use_reentrant=False)
    assert y.grad_fn.name() == "ExpBackward0"  # the ordinary graph, as in PyTorch
    node = y.grad_fn
    while node is not None and node.name() != "torch::autograd::AccumulateGrad":
        for s in node._saved:
            if type(s) is tuple:
                continue  # an input's strides (mm), kept as they are
            assert type(s) is PackedSaved  # a handle, not an array
            assert not hasattr(s.packed, "_data") and not hasattr(s.packed, "nbytes")
        node = node.next_functions[0][0]
    (g,) = retrograd.autograd.grad(y.sum(), x)  # autograd.grad works too
    xs, ws = x.detach().numpy(), w.detach().numpy()
    inner = xs @ ws
    np.testing.assert_allclose(
        g.numpy(), (np.exp(np.sin(inner)) * np.cos(inner)) @ ws.T, rtol=1e-12
    )


def test_reentrant_has_one_node():
    x = rand64(3)
    y = checkpoint(lambda a: a.sin().exp(), x, use_reentrant=True)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    assert y.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo$"):
        checkpoint(lambda a, foo: a, x, use_reentrant=True, foo=1)


def test_rng_state_is_replayed():
    x = rand64(4)

    def noisy(a):
        return a * retrograd.rand(4, dtype=retrograd.float64)

    retrograd.manual_seed(0)
    y = checkpoint(noisy, x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy() / x.detach().numpy())


def test_use_reentrant_must_be_passed_explicitly_warning():
    x = rand64(3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        checkpoint(lambda a: a * 2, x)
    assert any("use_reentrant parameter should be passed explicitly" in str(m.message) for m in w)


def test_non_tensor_arguments_and_kwargs():
    x = rand64(3)
    y = checkpoint(lambda a, k, scale=1.0: a * k * scale, x, 2.0, scale=3.0, use_reentrant=False)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0, 6.0]


def test_rerun_that_saves_differently_raises():
    x = rand64(3)
    runs = []

    def moody(a):
        runs.append(1)
        return a.exp() if len(runs) == 1 else a + 1  # exp saves its result, add nothing

    y = checkpoint(moody, x, use_reentrant=False)
    with pytest.raises(
        retrograd.utils.checkpoint.CheckpointError, match="A different number of tensors was saved"
    ):
        y.sum().backward()


def test_retain_graph_reads_recomputed_values_twice():
    w = rand64(3, seed=1)
    x = rand64(3)
    y = checkpoint(lambda a: (a * w).sin(), x, use_reentrant=False)
    y.sum().backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-12)


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("reentrant", [False, True])
def test_input_changed_in_place_after_forward_is_pytorchs_error(torch_ref, reentrant):
    def run(T):
        x = T.ones(3, requires_grad=True)
        a = x * 1
        f = lambda v: v.sin().exp()
        y = T.utils.checkpoint.checkpoint(f, a, use_reentrant=reentrant)  # CHECKPOINTED
        a.mul_(2)  # CHANGES-INPUT
        y.sum().backward()

    (kind, theirs), (ours_kind, ours) = (
        _error(lambda: run(torch_ref)),
        _error(lambda: run(retrograd)),
    )
    assert kind == ours_kind == "RuntimeError"
    assert "which is output 0 of Mul" in theirs
    assert ours.startswith(theirs)
    assert "a.mul_(2)  # CHANGES-INPUT" in ours[len(theirs) :]
    assert "# CHECKPOINTED" in ours[len(theirs) :]


def _recompute_differs(T, second):
    x = T.ones(3, requires_grad=True)
    runs = []

    def f(a):
        runs.append(1)
        return a.exp().sin() if len(runs) == 1 else second(a)

    y = T.utils.checkpoint.checkpoint(f, x, use_reentrant=False)
    return _error(lambda: y.sum().backward())


@pytest.mark.parametrize(
    "second", [lambda a: a[:2].exp().sin(), lambda a: a.double().exp().sin(), lambda a: a + 1]
)
def test_rerun_that_differs_is_pytorchs_checkpoint_error(torch_ref, second):
    theirs = _recompute_differs(torch_ref, second)
    ours = _recompute_differs(retrograd, second)
    assert theirs[0] == ours[0] == "CheckpointError"
    assert ours[1] == theirs[1]


def test_rerun_stops_once_every_saved_tensor_is_back(torch_ref):
    """A rerun that would save more than the forward did is cut short, not an error."""
    grads = []
    for T in (torch_ref, retrograd):
        x = T.ones(3, requires_grad=True)
        runs = []

        def f(a):
            runs.append(1)
            return (a + 1).sin() if len(runs) == 1 else a.exp().sin().cos()

        y = T.utils.checkpoint.checkpoint(f, x, use_reentrant=False, early_stop=True)
        y.sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == pytest.approx(grads[1])


def _recompute_saves_more(T, early_stop):
    x = T.ones(3, requires_grad=True)
    runs = []

    def f(a):
        runs.append(1)
        b = a.sin()
        return b if len(runs) == 1 else b.exp().cos()

    y = T.utils.checkpoint.checkpoint(f, x, use_reentrant=False, early_stop=early_stop)
    return _error(lambda: y.sum().backward()), len(runs)


def test_without_early_stop_the_rerun_runs_whole_and_may_not_save_more(torch_ref):
    """early_stop=False: the segment reruns to its end, and saving more than the forward did is
    PyTorch's CheckpointError."""
    (kind, theirs), their_runs = _recompute_saves_more(torch_ref, False)
    (ours_kind, ours), our_runs = _recompute_saves_more(retrograd, False)
    assert kind == ours_kind == "CheckpointError"
    assert ours == theirs
    assert our_runs == their_runs == 2


def test_argument_checks_are_pytorchs(torch_ref):
    def calls(T):
        x = T.ones(3, requires_grad=True)
        cp = T.utils.checkpoint.checkpoint
        return [
            lambda: cp(lambda a: a, x, use_reentrant=False, determinism_check="foo"),
            lambda: cp(lambda a: a, x, use_reentrant=True, debug=True),
            lambda: cp(lambda a: a, x, use_reentrant=True, context_fn=lambda: (None, None)),
            lambda: T.autograd.grad(cp(lambda a: a.sin(), x, use_reentrant=True).sum(), x),
        ]

    for theirs, ours in zip(calls(torch_ref), calls(retrograd)):
        assert _error(ours) == _error(theirs)


def test_reentrant_warns_when_no_input_requires_grad(torch_ref):
    for T in (torch_ref, retrograd):
        w = T.ones(3, requires_grad=True)
        with pytest.warns(
            UserWarning,
            match="^None of the inputs have requires_grad=True. Gradients will be None$",
        ):
            y = T.utils.checkpoint.checkpoint(lambda a: a * w, T.ones(3), use_reentrant=True)
        assert not y.requires_grad


def test_reentrant_node_is_named_in_errors_and_anomaly_mode(torch_ref):
    def second_backward(T):
        x = T.ones(3, requires_grad=True)
        y = T.utils.checkpoint.checkpoint(lambda a: a.sin(), x, use_reentrant=True)  # SEGMENT
        y.backward(T.ones(3))  # FIRST
        return _error(lambda: y.backward(T.ones(3)))

    theirs, ours = second_backward(torch_ref), second_backward(retrograd)
    assert ours[0] == theirs[0] and ours[1].startswith(theirs[1])
    extra = ours[1][len(theirs[1]) :]
    assert "CheckpointFunctionBackward" in extra and "# SEGMENT" in extra and "# FIRST" in extra

    x = retrograd.tensor([1.0, -1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with retrograd.autograd.detect_anomaly():
            y = checkpoint(lambda a: a.sqrt(), x, use_reentrant=True)  # NAN-SEGMENT
            with pytest.raises(RuntimeError, match="returned nan values"):
                y.sum().backward()
    found = [
        str(w.message)
        for w in caught
        if "Error detected in CheckpointFunctionBackward" in str(w.message)
    ]
    assert len(found) == 1 and "# NAN-SEGMENT" in found[0]


@pytest.mark.parametrize("reentrant", [False, True])
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_pytorch(torch_ref, reentrant, segments):
    results = []
    for T in (torch_ref, retrograd):
        T.manual_seed(0)
        model = T.nn.Sequential(
            T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 4), T.nn.ReLU(), T.nn.Linear(4, 2)
        )
        with T.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(T.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1) / 3)
        x = T.linspace(-2, 2, 15).reshape(5, 3).requires_grad_()
        y = T.utils.checkpoint.checkpoint_sequential(model, segments, x, use_reentrant=reentrant)
        y.pow(2).sum().backward()
        results.append(
            [y.tolist(), x.grad.tolist()] + [p.grad.tolist() for p in model.parameters()]
        )
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_checkpoint_sequential_warns_and_checks_keywords(torch_ref):
    for T in (torch_ref, retrograd):
        x = T.ones(2, requires_grad=True)
        with pytest.warns(
            UserWarning,
            match="^torch.utils.checkpoint.checkpoint_sequential: the "
            "use_reentrant parameter should be passed explicitly",
        ):
            T.utils.checkpoint.checkpoint_sequential([T.nn.Tanh()] * 2, 2, x)
        with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo$"):
            T.utils.checkpoint.checkpoint_sequential(
                [T.nn.Tanh()], 1, x, use_reentrant=False, foo=1
            )


def test_second_order_gradient_through_non_reentrant_checkpoint(torch_ref):
    """create_graph=True differentiates through the recomputed segment back to its inputs."""
    results = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([0.667, -0.3], dtype=lib.float64, requires_grad=True)
        h = x * 1.5
        y = lib.utils.checkpoint.checkpoint(
            lambda a: (a.cos() * a.exp() + 1).sum(0), h, use_reentrant=False
        )
        (g,) = lib.autograd.grad(y.sum(), [x], create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    assert np.abs(results[0][1]).min() > 0.01


def test_checkpoint_gradgradcheck():
    x = rand64(3, seed=7)
    assert gradgradcheck(
        lambda a: checkpoint(lambda b: (b.sin() * b).exp(), a, use_reentrant=False), (x,)
    )


def test_reentrant_checkpoint_gradients_have_no_graph_under_create_graph(torch_ref):
    """The reentrant checkpoint's nested backward runs without create_graph, as PyTorch's does:
    after backward(create_graph=True) the inputs' and the segment's parameters' .grad have no
    graph (PyTorch supports no double backward through it)."""

    def run(T):
        x = T.tensor([[-1.073, 1.691], [0.2, 1.833]], requires_grad=True)
        w = T.tensor([0.5, 2.0], requires_grad=True)
        y = T.utils.checkpoint.checkpoint(lambda a: a.sigmoid() * a * w, x, use_reentrant=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the create_graph reference-cycle warning
            (y * y).sum().backward(create_graph=True)
        return [(t.grad.requires_grad, np.round(t.grad.numpy(), 5).tolist()) for t in (x, w)]

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("grad_enabled", [True, False])
def test_an_inference_tensor_argument_of_a_non_reentrant_checkpoint(torch_ref, grad_enabled):
    # PyTorch's checkpoint saves its tensor arguments for backward: an inference tensor among
    # them is refused while grad mode is on (and not inside a list or as a keyword).
    def outcome(T):
        with T.inference_mode():
            t = T.ones(2)
        results = []
        for call in (
            lambda: T.utils.checkpoint.checkpoint(lambda a: a * 2, t, use_reentrant=False),
            lambda: T.utils.checkpoint.checkpoint(
                lambda a, b: a * 2, T.ones(2), [t], use_reentrant=False
            ),
        ):
            try:
                with T.set_grad_enabled(grad_enabled):
                    results.append(call().tolist())
            except RuntimeError as e:
                results.append(str(e))
        return results

    assert outcome(retrograd) == outcome(torch_ref)
