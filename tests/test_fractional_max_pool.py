"""Fractional max pooling (2-d and 3-d) against PyTorch: with the same seed the same samples are
drawn from the default generator, so the windows, values, indices and gradients agree, in float64
and float32; given ``_random_samples`` and ``output_ratio``; the layers; the errors."""

import numpy as np
import pytest

import retrograd

CASES = [
    (2, (2, 3, 7, 9), (2, 3), dict(output_size=(4, 5))),
    (2, (3, 10, 8), 3, dict(output_size=(5, 6))),
    (2, (2, 3, 17, 13), 2, dict(output_ratio=(0.5, 0.7))),
    (2, (2, 3, 7, 9), 2, dict(output_size=(1, 1))),
    (2, (2, 3, 7, 9), 2, dict(output_size=(6, 8))),
    (3, (2, 3, 7, 9, 8), 2, dict(output_size=(3, 4, 5))),
    (3, (2, 6, 5, 7), (2, 3, 2), dict(output_size=(4, 2, 3))),
    (3, (1, 2, 11, 9, 10), 2, dict(output_ratio=0.5)),
]


def _run(lib, case, dtype, seed):
    nd, shape, kernel, kw = case
    x = np.random.default_rng(seed).standard_normal(shape)
    lib.manual_seed(seed)
    t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
    y, idx = f(t, kernel, return_indices=True, **kw)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=y.dtype)
    (g,) = lib.autograd.grad((y * y * w).sum(), t, create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), t)
    after = lib.rand(3).numpy()  # the generator moved on as far in both
    return y.grad_fn.name(), idx.numpy(), y.detach().numpy(), g.detach().numpy(), gg.numpy(), after


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_seeded_calls_match_pytorch(torch_ref, case, dtype):
    for seed in range(4):
        ours = _run(retrograd, CASES[case], dtype, seed)
        theirs = _run(torch_ref, CASES[case], dtype, seed)
        assert ours[0] == theirs[0]
        np.testing.assert_array_equal(ours[1], theirs[1])
        for a, b in zip(ours[2:], theirs[2:]):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("nd", [2, 3])
def test_given_samples_and_the_layer(torch_ref, nd):
    shape = (2, 3, 9, 8) if nd == 2 else (2, 3, 9, 8, 7)
    x = np.random.default_rng(1).standard_normal(shape)
    u = np.random.default_rng(2).uniform(size=(2, 3, nd))
    got = []
    for lib in (retrograd, torch_ref):
        cls = getattr(lib.nn, f"FractionalMaxPool{nd}d")
        layer = cls(2, output_ratio=0.6, return_indices=True, _random_samples=lib.tensor(u))
        y, idx = layer(lib.tensor(x))
        got.append((y.numpy(), idx.numpy(), repr(layer), list(layer.state_dict())))
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])
    assert got[0][2:] == got[1][2:]


def _x(t, *shape):
    return t.ones(*shape, dtype=t.float64)


def _u(t, *shape):
    return t.full(shape, 0.5, dtype=t.float64)


ERRORS = [
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), 2),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), 2, output_ratio=0.5),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), 2, output_ratio=(0.5, 0.5, 0.5)),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), 2, output_size=(7, 9)),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), 2, output_size=(6, 9)),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9), (2, 2, 2), output_size=3),
    lambda t, F, nn: F.fractional_max_pool2d(
        _x(t, 2, 2, 7, 9), 2, output_size=3, _random_samples=_u(t, 1, 2, 2)
    ),
    lambda t, F, nn: F.fractional_max_pool2d(
        _x(t, 2, 2, 7, 9), 2, output_size=3, _random_samples=_u(t, 2, 3, 2)
    ),
    lambda t, F, nn: F.fractional_max_pool2d(
        _x(t, 2, 2, 7, 9), 2, output_size=3, _random_samples=_u(t, 2, 2, 3)
    ),
    lambda t, F, nn: F.fractional_max_pool2d(
        _x(t, 2, 2, 7, 9), 2, output_size=3, _random_samples=_u(t, 2, 2)
    ),
    lambda t, F, nn: F.fractional_max_pool2d(
        _x(t, 2, 2, 7, 9), 2, output_size=3, _random_samples=_u(t, 2, 2, 2).float()
    ),
    lambda t, F, nn: F.fractional_max_pool2d(_x(t, 1, 2, 7, 9).long(), 2, output_size=3),
    lambda t, F, nn: F.fractional_max_pool3d(
        _x(t, 1, 1, 6, 5, 7), (2, 3, 2), output_size=(4, 3, 3)
    ),
    lambda t, F, nn: F.fractional_max_pool3d(_x(t, 1, 1, 6, 5, 7), 2, output_size=(5, 3, 3)),
    lambda t, F, nn: F.fractional_max_pool3d(_x(t, 1, 1, 6, 5, 7), 2, output_size=(4, 3, 6)),
    lambda t, F, nn: F.fractional_max_pool3d(_x(t, 1, 1, 6, 5, 7), 2),
    lambda t, F, nn: nn.FractionalMaxPool2d(2),
    lambda t, F, nn: nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda t, F, nn: nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
    lambda t, F, nn: nn.FractionalMaxPool3d(2, output_ratio=(0.5, 1, 0.5)),
    lambda t, F, nn: nn.FractionalMaxPool3d(0, output_ratio=0.5),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(Exception) as info:
            ERRORS[i](lib, lib.nn.functional, lib.nn)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[1]) in str(caught[0])


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("return_indices", [False, True])
@pytest.mark.parametrize("how", [{"output_size": 2}, {"output_ratio": 0.5}])
def test_an_empty_batch_as_pytorch(torch_ref, nd, return_indices, how):
    """An empty batch pools to an empty result of the right shape, with its node and an empty
    input gradient (the flat indices were reshaped with a size NumPy cannot infer there)."""

    def run(lib):
        x = lib.zeros((0, 1, 4, 5, 4)[: nd + 2], dtype=lib.float64, requires_grad=True)
        pool = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
        how_nd = {k: (v,) * nd if isinstance(v, float) else v for k, v in how.items()}
        out = pool(x, 2, return_indices=return_indices, **how_nd)
        values = out[0] if return_indices else out
        (g,) = lib.autograd.grad(values.sum(), x)
        extra = (tuple(out[1].shape), str(out[1].dtype)) if return_indices else None
        return tuple(values.shape), values.grad_fn.name(), tuple(g.shape), extra

    assert run(retrograd) == run(torch_ref)
