"""The fused nodes of ops/nnops.py against PyTorch's: the mean and 1 / std that layer, batch and
group norm save, and second derivatives through the norms, gelu, silu, linear and cross-entropy."""

import numpy as np
import pytest

import retrograd

_rng = np.random.default_rng(0)
X = _rng.standard_normal((4, 6, 5))
W5, B5, W6, B6 = (_rng.standard_normal(n) for n in (5, 5, 6, 6))

NORMS = {
    "layer_norm": lambda T, x, w, b: T.nn.functional.layer_norm(x, (5,), w[:5], b[:5]),
    "layer_norm 2 dims": lambda T, x, w, b: T.nn.functional.layer_norm(x, (6, 5)),
    "group_norm": lambda T, x, w, b: T.nn.functional.group_norm(x, 3, w, b),
    "batch_norm train": lambda T, x, w, b: T.nn.functional.batch_norm(
        x, T.zeros(6, dtype=T.float64), T.ones(6, dtype=T.float64), w, b, training=True
    ),
    "batch_norm eval": lambda T, x, w, b: T.nn.functional.batch_norm(
        x, T.full((6,), 0.2, dtype=T.float64), T.full((6,), 1.5, dtype=T.float64), w, b
    ),
}


def _leaves(T):
    return [T.tensor(a, requires_grad=True) for a in (X, W6, B6)]


@pytest.mark.parametrize("name", sorted(NORMS))
def test_norms_save_the_statistics_pytorch_saves(torch_ref, name):
    ours = NORMS[name](retrograd, *_leaves(retrograd)).grad_fn
    theirs = NORMS[name](torch_ref, *_leaves(torch_ref)).grad_fn
    assert ours.name() == theirs.name()
    for attr in ("_saved_result1", "_saved_result2"):
        a, b = getattr(ours, attr), getattr(theirs, attr)
        assert a.shape == tuple(b.shape) and a.requires_grad == b.requires_grad
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours._saved_input.detach().numpy(), X)


@pytest.mark.parametrize("name", sorted(NORMS))
def test_second_derivatives_match_torch(torch_ref, name):
    """A gradient penalty through the norm: the first gradient differentiated again."""
    results = []
    for T in (retrograd, torch_ref):
        x, w, b = _leaves(T)
        out = NORMS[name](T, x, w, b)
        y = (out * out * out).sum()
        gx, gw = T.autograd.grad(y, (x, w), create_graph=True, allow_unused=True)
        penalty = (gx * gx).sum() + (0 if gw is None else (gw * gw).sum())
        penalty.backward()
        results.append([t.grad.numpy() if t.grad is not None else None for t in (x, w, b)])
    for a, b in zip(*results):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


_x2 = _rng.standard_normal((4, 5))
_w2 = _rng.standard_normal((3, 5))
_b2 = _rng.standard_normal(3)
_y2 = np.array([0, 2, 1, 2])

FUSED = {
    "gelu": lambda T, x, w, b: T.nn.functional.gelu(x),
    "gelu tanh": lambda T, x, w, b: T.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda T, x, w, b: T.nn.functional.silu(x),
    "linear": lambda T, x, w, b: T.nn.functional.linear(x, w, b),
    "log_softmax": lambda T, x, w, b: T.nn.functional.log_softmax(x, 1),
    "cross_entropy": lambda T, x, w, b: T.nn.functional.cross_entropy(
        T.nn.functional.linear(x, w, b), T.tensor(_y2)
    ),
}


@pytest.mark.parametrize("name", sorted(FUSED))
def test_fused_ops_nodes_and_second_derivatives_match_torch(torch_ref, name):
    results = []
    for T in (retrograd, torch_ref):
        x, w, b = (T.tensor(a, requires_grad=True) for a in (_x2, _w2, _b2))
        out = FUSED[name](T, x, w, b)
        y = (out * out * out).sum()
        gx, gw = T.autograd.grad(y, (x, w), create_graph=True, allow_unused=True)
        penalty = (gx * gx).sum() + (0 if gw is None else (gw * gw).sum())
        penalty.backward()
        grads = [t.grad.numpy() if t.grad is not None else None for t in (x, w, b)]
        results.append((out.grad_fn.name(), grads))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
