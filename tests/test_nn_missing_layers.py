"""Layers and functions filled in late, against PyTorch on the same weights and inputs (float64
and float32): ``AdaptiveMaxPool3d``, ``LPPool3d``, ``CrossMapLRN2d``, ``Container``."""

import warnings

import numpy as np
import pytest
import torch

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck


def _err(fn):
    try:
        return repr(fn())
    except Exception as e:  # the type and text are what is compared
        return f"{type(e).__name__}: {e}"


def _run(lib, fn, array, dtype):
    x = lib.tensor(array, dtype=getattr(lib, dtype), requires_grad=True)
    out = fn(lib, x)
    extra = []
    if isinstance(out, tuple):
        out, extra = out[0], [e.numpy() for e in out[1:]]
    out.pow(2).sum().backward()
    return out.grad_fn.name(), [out.detach().numpy(), *extra, x.grad.numpy()]


_CASES = [
    (lambda L, x: L.nn.functional.adaptive_max_pool3d(x, (2, 3, None), True), (1, 2, 5, 4, 3)),
    (lambda L, x: L.nn.functional.adaptive_max_pool3d(x, 2), (2, 5, 4, 3)),
    (lambda L, x: L.nn.functional.adaptive_max_pool3d_with_indices(x, (3, 1, 2)), (2, 2, 7, 4, 5)),
    (lambda L, x: L.nn.AdaptiveMaxPool3d((2, None, 1), return_indices=True)(x), (1, 2, 5, 4, 3)),
    (lambda L, x: L.nn.AdaptiveMaxPool3d(3)(x), (1, 1, 2, 7, 3)),
    (lambda L, x: L.nn.functional.lp_pool3d(x, 2, 2), (1, 2, 5, 4, 4)),
    (lambda L, x: L.nn.LPPool3d(3, (1, 2, 3), stride=2, ceil_mode=True)(x.abs()), (2, 5, 4, 7)),
    (lambda L, x: L.nn.LPPool3d(1.5, 2)(x.abs() + 0.1), (1, 2, 4, 4, 4)),
    (lambda L, x: L.nn.CrossMapLRN2d(3, 1e-2, 0.75, 1.5)(x), (2, 7, 3, 4)),
    (lambda L, x: L.nn.CrossMapLRN2d(4, 1e-1, 0.5, 2)(x), (2, 9, 3, 4)),
    (lambda L, x: L.nn.CrossMapLRN2d(5)(x * 10), (1, 3, 2, 2)),
    (lambda L, x: L.nn.CrossMapLRN2d(2, 0.3)(x * 3), (1, 6, 2, 2)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", range(len(_CASES)))
def test_layers_match_pytorch(dtype, case):
    fn, shape = _CASES[case]
    array = np.random.default_rng(case).standard_normal(shape)
    got_name, got = _run(retrograd, fn, array, dtype)
    want_name, want = _run(torch, fn, array, dtype)
    assert got_name == want_name
    tol = 1e-12 if dtype == "float64" else 2e-5
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_adaptive_max_pool3d_gradcheck():
    x = retrograd.randn(1, 2, 5, 4, 3, dtype=retrograd.float64, requires_grad=True)
    fn = lambda x: retrograd.nn.functional.adaptive_max_pool3d(x, (2, 3, 2))  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    lp = lambda x: retrograd.nn.functional.lp_pool3d(x.abs() + 0.5, 2.5, 2)  # noqa: E731
    assert gradcheck(lp, (x,))
    assert gradgradcheck(lp, (x,))


def _errors(lib):
    F = lib.nn.functional
    return [
        _err(lambda: F.adaptive_max_pool3d(lib.randn(2, 3), 2)),
        _err(lambda: F.adaptive_max_pool3d(lib.randn(1, 2, 3, 4, 5), (2, 2))),
        _err(lambda: F.adaptive_max_pool3d(lib.randn(1, 0, 3, 4, 5), 2)),
        _err(lambda: F.adaptive_max_pool3d(lib.randn(0, 2, 3, 4, 5), 2).shape),
        _err(lambda: F.adaptive_max_pool3d(lib.randn(1, 2, 3, 4, 5), -1)),
        _err(lambda: F.adaptive_max_pool3d(lib.randn(1, 2, 3, 4, 5).int(), 2)),
        _err(lambda: lib.nn.CrossMapLRN2d(3)(lib.randn(2, 3, 4))),
        _err(
            lambda: (
                lib.nn.CrossMapLRN2d(1)(lib.randn(2, 3, 4, 4, requires_grad=True)).sum().backward()
            )
        ),
        repr(lib.nn.AdaptiveMaxPool3d((2, None, 1))),
        repr(lib.nn.LPPool3d(2, 3)),
        repr(lib.nn.LPPool3d(2, (1, 2, 3), stride=2, ceil_mode=True)),
        repr(lib.nn.CrossMapLRN2d(3)),
    ]


def test_errors_and_reprs_match_pytorch():
    assert _errors(retrograd) == _errors(torch)


def test_cross_map_lrn2d_is_once_differentiable():
    x = retrograd.randn(1, 4, 2, 2, requires_grad=True)
    y = retrograd.nn.CrossMapLRN2d(3)(x)
    (g,) = retrograd.autograd.grad(y.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        g.sum().backward()


def _container(lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = lib.nn.Container(a=lib.nn.Linear(2, 2), b=lib.nn.ReLU())
    return [
        [(w.category, str(w.message), w.filename) for w in caught],
        repr(c),
        list(c.state_dict()),
        lib.nn.modules.container.Container is lib.nn.Container,
    ]


def test_container_matches_pytorch():
    assert _container(retrograd) == _container(torch)


def _volumetric(lib, dtype, mode, padding_mode, align_corners):
    rng = np.random.default_rng(0)
    dt = getattr(lib, dtype)
    x = lib.tensor(rng.standard_normal((2, 3, 4, 5, 3)), dtype=dt, requires_grad=True)
    theta = lib.tensor(
        np.eye(3, 4)[None] * 1.1 + rng.uniform(-0.3, 0.3, (2, 3, 4)), dtype=dt, requires_grad=True
    )
    grid = lib.nn.functional.affine_grid(theta, (2, 3, 2, 3, 4), align_corners=align_corners)
    # reach outside [-1, 1] too, so that every padding mode matters
    grid = grid * 1.4
    y = lib.nn.functional.grid_sample(x, grid, mode, padding_mode, align_corners)
    (y.pow(2).sum() + grid.pow(2).sum()).backward()
    return [y.detach().numpy(), grid.detach().numpy(), x.grad.numpy(), theta.grad.numpy()]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_grid_sample_and_affine_grid_5d_match_pytorch(dtype, mode, padding_mode, align_corners):
    args = (dtype, mode, padding_mode, align_corners)
    tol = 1e-12 if dtype == "float64" else 2e-5
    for a, b in zip(_volumetric(retrograd, *args), _volumetric(torch, *args), strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_5d_gradcheck(padding_mode):
    rng = np.random.default_rng(1)
    x = retrograd.tensor(rng.standard_normal((1, 1, 2, 3, 2)), requires_grad=True)
    # points away from the pixel lattice, where trilinear weights are smooth (a few, and a small
    # volume: gradgradcheck's cost grows with the square of the element count)
    g = retrograd.tensor(rng.uniform(-1.2, 1.2, (1, 1, 2, 2, 3)), requires_grad=True)
    for align_corners in (True, False):
        fn = lambda x, g: retrograd.nn.functional.grid_sample(  # noqa: E731
            x, g, "bilinear", padding_mode, align_corners
        )
        assert gradcheck(fn, (x, g))
        assert gradgradcheck(fn, (x, g))


def test_grid_sample_5d_errors_match_pytorch():
    def errors(lib):
        F = lib.nn.functional
        x, g = lib.randn(1, 2, 3, 3, 3), lib.rand(1, 2, 2, 2, 3)
        return [
            _err(lambda: F.grid_sample(x, g, mode="bicubic", align_corners=False)),
            _err(lambda: F.grid_sample(x, lib.rand(1, 2, 2, 2, 2), align_corners=False)),
            _err(lambda: F.grid_sample(x, lib.rand(1, 2, 2, 3), align_corners=False)),
        ]

    assert errors(retrograd) == errors(torch)


def _bag_program(lib, dtype, kwargs):
    kwargs = dict(kwargs)
    lib.manual_seed(0)
    w = lib.randn(6, 3, dtype=getattr(lib, dtype), requires_grad=True)
    psw = kwargs.pop("psw", None)
    if psw is not None:
        psw = lib.tensor(psw, dtype=getattr(lib, dtype), requires_grad=True)
    inp = lib.tensor(kwargs.pop("inp", [1, 2, 1, 1, 3, 2, 5, 5]))
    offsets = kwargs.pop("offsets", None)
    offsets = None if offsets is None else lib.tensor(offsets)
    bag = lib.nn.EmbeddingBag.from_pretrained(w, freeze=False, scale_grad_by_freq=True, **kwargs)
    y = bag(inp, offsets, per_sample_weights=psw)
    y.pow(2).sum().backward()
    out = [repr(bag), y.detach().numpy(), bag.weight.grad.numpy()]
    return out + ([psw.grad.numpy()] if psw is not None else [])


_BAG_CASES = [
    {"mode": "sum", "offsets": [0, 3, 5]},
    {"mode": "mean", "offsets": [0, 3, 5]},
    {"mode": "mean", "offsets": [0, 3, 5], "padding_idx": 1},
    {"mode": "sum", "offsets": [0, 3, 5, 8], "include_last_offset": True},
    {"mode": "sum", "offsets": [0, 3, 5], "psw": [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4]},
    {"mode": "mean", "inp": [[1, 2, 1, 1], [3, 2, 5, 5]]},
    {"mode": "sum", "offsets": [0, 3, 3, 5]},
    {"mode": "sum", "inp": [4, 0, 4, 4, 0, 3], "offsets": [0, 1]},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", range(len(_BAG_CASES)))
def test_embedding_bag_scale_grad_by_freq_matches_pytorch(dtype, case):
    got = _bag_program(retrograd, dtype, _BAG_CASES[case])
    want = _bag_program(torch, dtype, _BAG_CASES[case])
    assert got[0] == want[0]
    tol = 1e-12 if dtype == "float64" else 2e-6
    for a, b in zip(got[1:], want[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_embedding_bag_max_refuses_scale_grad_by_freq():
    def errors(lib):
        w = lib.randn(6, 3)
        return [
            _err(
                lambda: lib.nn.functional.embedding_bag(
                    lib.tensor([1, 2]), w, lib.tensor([0]), mode="max", scale_grad_by_freq=True
                )
            ),
            _err(
                lambda: lib.nn.EmbeddingBag(6, 3, mode="max", scale_grad_by_freq=True)(
                    lib.tensor([[1, 2]])
                )
            ),
        ]

    assert errors(retrograd) == errors(torch)
