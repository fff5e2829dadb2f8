"""``retrograd.utils.checkpoint.checkpoint``: same gradients, inputs kept, forward rerun in backward."""

import warnings

import numpy as np
import pytest

import retrograd
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
            assert type(s) is PackedSaved  # a handle, not an array
            assert not hasattr(s.packed, "_data") and not hasattr(s.packed, "nbytes")
        node = node.next_functions[0][0]
    (g,) = retrograd.autograd.grad(y.sum(), x)  # autograd.grad works too
    xs, ws = x.detach().numpy(), w.detach().numpy()
    inner = xs @ ws
    np.testing.assert_allclose(g.numpy(), (np.exp(np.sin(inner)) * np.cos(inner)) @ ws.T,
                               rtol=1e-12)


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
    with pytest.raises(retrograd.utils.checkpoint.CheckpointError,
                       match="A different number of tensors was saved"):
        y.sum().backward()


def test_retain_graph_reads_recomputed_values_twice():
    w = rand64(3, seed=1)
    x = rand64(3)
    y = checkpoint(lambda a: (a * w).sin(), x, use_reentrant=False)
    y.sum().backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-12)
