"""Layer, batch and group norm nodes (ops/nnops.py) against PyTorch's: the mean and 1 / std they
save, and second derivatives through them."""

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
