"""Adaptive max pooling (1-d and 2-d, with indices) and power-average pooling against PyTorch:
values, indices, node names and gradients, the layers' reprs; and the gradient of relu and
threshold at a nan input (PyTorch's kernel zeroes it only where the input is <= the threshold)."""

import numpy as np
import pytest

import retrograd

PROGRAMS = {
    "adaptive_max_pool2d": (
        (2, 3, 7, 5),
        lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (3, 2)),
    ),
    "adaptive_max_pool2d None": (
        (3, 7, 5),
        lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (None, 4)),
    ),
    "adaptive_max_pool2d larger": ((1, 2, 3, 4), lambda t, x: t.nn.AdaptiveMaxPool2d(5)(x)),
    "adaptive_max_pool1d": ((2, 3, 9), lambda t, x: t.nn.functional.adaptive_max_pool1d(x, 4)),
    "AdaptiveMaxPool1d unbatched": ((3, 7), lambda t, x: t.nn.AdaptiveMaxPool1d(3)(x)),
    "lp_pool2d": ((2, 3, 6, 6), lambda t, x: t.nn.functional.lp_pool2d(x.abs(), 2, 3)),
    "LPPool2d strided": ((2, 3, 6, 7), lambda t, x: t.nn.LPPool2d(1.5, (2, 3), stride=2)(x.abs())),
    "lp_pool1d": ((2, 3, 8), lambda t, x: t.nn.functional.lp_pool1d(x, 3, 2)),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_pytorch(torch_ref, name):
    shape, fn = PROGRAMS[name]
    x = np.random.default_rng(len(name)).standard_normal(shape)
    got = []
    for lib in (retrograd, torch_ref):
        t = lib.tensor(x, requires_grad=True)
        y = fn(lib, t)
        w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        got.append((y.grad_fn.name(), y.detach().numpy(), t.grad.numpy()))
    assert got[0][0] == got[1][0]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", ["adaptive_max_pool1d", "adaptive_max_pool2d"])
def test_indices_are_pytorchs_even_with_ties(torch_ref, fn):
    shape = (2, 3, 9) if fn.endswith("1d") else (2, 3, 7, 5)
    x = np.random.default_rng(0).integers(0, 3, shape).astype(float)  # many ties
    size = 4 if fn.endswith("1d") else (3, 2)
    out = [
        getattr(lib.nn.functional, fn)(lib.tensor(x), size, return_indices=True)
        for lib in (retrograd, torch_ref)
    ]
    assert out[0][1].tolist() == out[1][1].tolist()
    assert out[0][0].tolist() == out[1][0].tolist()


def test_relu_and_threshold_pass_the_gradient_at_nan(torch_ref):
    grads = []
    for lib in (retrograd, torch_ref):
        for fn in (lib.relu, lambda x: lib.nn.functional.threshold(x, 0.5, 2.0)):
            x = lib.tensor([float("nan"), 1.0, -1.0, 0.0, 0.5], requires_grad=True)
            fn(x).sum().backward()
            grads.append(x.grad.tolist())
    assert grads[:2] == grads[2:]
