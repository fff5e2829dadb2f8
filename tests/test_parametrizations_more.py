"""``nn.utils.parametrizations.orthogonal`` and ``spectral_norm`` and
``nn.utils.parametrize.transfer_parametrizations_and_params`` against PyTorch: the same program,
seeded alike, on both libraries (state dict keys and values, outputs, gradients, errors)."""

import numpy as np
import pytest
import torch

import retrograd


def _err(fn):
    try:
        fn()
    except Exception as e:  # the type and text are what is compared
        return f"{type(e).__name__}: {e}"
    return None


def _arrays(state):
    return {k: v.detach().numpy().copy() for k, v in state.items()}


def _close(a, b, dtype):
    tol = 1e-10 if dtype == "float64" else 2e-5
    assert a.keys() == b.keys() if isinstance(a, dict) else True
    if isinstance(a, dict):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=tol, atol=tol, err_msg=k)
    else:
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _orthogonal_program(lib, dtype, shape, orthogonal_map, use_trivialization):
    P = lib.nn.utils.parametrizations
    lib.manual_seed(0)
    dt = getattr(lib, dtype)
    m = lib.nn.Linear(shape[1], shape[0], dtype=dt)
    P.orthogonal(m, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
    out = {"keys": list(m.state_dict()), "state": _arrays(m.state_dict())}
    x = lib.randn(2, shape[1], dtype=dt)
    y = m(x)
    (y.pow(3).sum() + m.weight.sum()).backward()
    out["y"] = y.detach().numpy()
    out["grad"] = m.parametrizations.weight.original.grad.numpy()
    w = m.weight.detach()
    n, k = w.shape
    gram = w.mT @ w if n >= k else w @ w.mT
    out["gram"] = gram.numpy()
    out["map"] = type(m.parametrizations.weight[0]).__name__
    if use_trivialization or orthogonal_map == "householder":
        lib.manual_seed(1)
        target = lib.randn(*shape, dtype=dt)
        with lib.no_grad():
            m.weight = target
        out["assigned"] = m.weight.detach().numpy()
        out["state2"] = _arrays(m.state_dict())
    else:
        out["assign_error"] = _err(lambda: setattr(m, "weight", lib.eye(*shape, dtype=dt)))
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("use_trivialization", [True, False])
def test_orthogonal_matches_pytorch(dtype, shape, orthogonal_map, use_trivialization):
    args = (dtype, shape, orthogonal_map, use_trivialization)
    got = _orthogonal_program(retrograd, *args)
    want = _orthogonal_program(torch, *args)
    assert got["keys"] == want["keys"]
    for key in ("state", "y", "grad", "gram", "assigned", "state2"):
        if key in want:
            _close(got[key], want[key], dtype)
    assert got.get("assign_error") == want.get("assign_error")
    k = min(shape)
    np.testing.assert_allclose(got["gram"], np.eye(k), atol=1e-5)


def test_orthogonal_default_map_and_batches():
    got, want = [], []
    for lib, out in ((retrograd, got), (torch, want)):
        lib.manual_seed(0)
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.randn(2, 4, 3, dtype=lib.float64))
        lib.nn.utils.parametrizations.orthogonal(m)
        m.weight.pow(2).mul(lib.arange(3.0, dtype=lib.float64)).sum().backward()
        out += [m.weight.detach().numpy(), m.parametrizations.weight.original.grad.numpy()]
        out.append(m.state_dict()["parametrizations.weight.0.base"].numpy())
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_orthogonal_gradcheck():
    from retrograd.autograd import gradcheck, gradgradcheck
    from retrograd.nn.utils.parametrizations import _Orthogonal

    retrograd.manual_seed(0)
    for shape, omap in [((3, 3), "matrix_exp"), ((4, 2), "cayley"), ((2, 4), "householder")]:
        x = retrograd.randn(*shape, dtype=retrograd.float64, requires_grad=True)
        p = _Orthogonal(x, omap, use_trivialization=False)
        if omap == "householder":
            # the column signs come from the integer part of the diagonal: keep it away from 0
            with retrograd.no_grad():
                x.diagonal().copy_(retrograd.tensor([1.5, -2.5], dtype=retrograd.float64))
        assert gradcheck(p, (x,))
        assert gradgradcheck(p, (x,))


def _errors(lib):
    P = lib.nn.utils.parametrizations
    nn = lib.nn
    m = nn.Linear(3, 3)
    P.orthogonal(m, orthogonal_map="cayley", use_trivialization=False)
    tall = nn.Linear(3, 4)
    P.orthogonal(tall)
    return [
        _err(lambda: P.orthogonal(nn.Linear(3, 3), orthogonal_map="foo")),
        _err(lambda: P.orthogonal(nn.BatchNorm1d(3))),
        _err(lambda: P.orthogonal(nn.Linear(3, 3), "nope")),
        _err(lambda: P.spectral_norm(nn.Linear(3, 3), "foo")),
        _err(lambda: P.spectral_norm(nn.Linear(3, 3), n_power_iterations=0)),
        _err(lambda: setattr(m, "weight", lib.eye(3))),
        _err(lambda: setattr(tall, "weight", lib.eye(3))),
    ]


def test_errors_match_pytorch():
    assert _errors(retrograd) == _errors(torch)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley"])
def test_orthogonal_complex_weights(shape, orthogonal_map):
    """A complex weight becomes unitary, with PyTorch's values and gradients."""

    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.randn(*shape, dtype=lib.complex128))
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map)
        w = m.weight
        x = lib.arange(2.0 * shape[1], dtype=lib.float64).reshape(2, shape[1]).to(w.dtype)
        (x @ w.mT).abs().sum().backward()
        return w.detach().numpy().copy(), m.parametrizations.weight.original.grad.numpy().copy()

    (w, g), (tw, tg) = run(retrograd), run(torch)
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-12)
    small = min(shape)
    gram = w.conj().T @ w if shape[0] >= shape[1] else w @ w.conj().T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_complex_householder_is_refused():
    m = retrograd.nn.Module()
    m.weight = retrograd.nn.Parameter(retrograd.randn(3, 3, dtype=retrograd.complex128))
    with pytest.raises(ValueError, match="householder parametrization does not support complex"):
        retrograd.nn.utils.parametrizations.orthogonal(m, orthogonal_map="householder")


_SPECTRAL_CASES = [
    ("Linear", (3, 5), {}),
    ("Conv2d", (2, 4, 3), {}),
    ("ConvTranspose2d", (2, 4, 3), {}),
    ("Linear", (3, 5), {"n_power_iterations": 3, "eps": 1e-3}),
    ("Conv2d", (2, 4, 3), {"dim": 2}),
    ("Linear", (3, 5), {"name": "bias"}),
]


def _spectral_program(lib, dtype, kind, args, kwargs):
    lib.manual_seed(0)
    dt = getattr(lib, dtype)
    m = getattr(lib.nn, kind)(*args, dtype=dt)
    lib.nn.utils.parametrizations.spectral_norm(m, **kwargs)
    name = kwargs.get("name", "weight")
    out = [list(m.state_dict()), repr(m)]
    shape = (2, 3) if kind == "Linear" else (1, 2, 5, 5)
    for mode in ("train", "eval", "train"):
        getattr(m, mode)()
        x = lib.randn(*shape, dtype=dt)
        y = m(x)
        y.pow(2).sum().backward()
        out.append(y.detach().numpy())
        out.append(m.parametrizations[name].original.grad.numpy().copy())
        out.append(_arrays(m.state_dict()))
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", _SPECTRAL_CASES, ids=lambda c: f"{c[0]}-{c[2]}")
def test_spectral_norm_matches_pytorch(dtype, case):
    got = _spectral_program(retrograd, dtype, *case)
    want = _spectral_program(torch, dtype, *case)
    assert got[:2] == want[:2]
    for a, b in zip(got[2:], want[2:], strict=True):
        _close(a, b, dtype)


def test_spectral_norm_eval_does_not_iterate_and_gradcheck():
    from retrograd.autograd import gradcheck, gradgradcheck

    retrograd.manual_seed(0)
    m = retrograd.nn.Linear(3, 4, dtype=retrograd.float64)
    retrograd.nn.utils.parametrizations.spectral_norm(m)
    m.eval()
    u = m.parametrizations.weight[0]._u.clone()
    m(retrograd.randn(2, 3, dtype=retrograd.float64))
    assert retrograd.equal(u, m.parametrizations.weight[0]._u)
    p = m.parametrizations.weight[0]
    w = retrograd.randn(4, 3, dtype=retrograd.float64, requires_grad=True)
    assert gradcheck(p, (w,))
    assert gradgradcheck(p, (w,))


def _transfer_program(lib):
    Z = lib.nn.utils.parametrize
    P = lib.nn.utils.parametrizations
    lib.manual_seed(0)
    a = lib.nn.Linear(3, 3, dtype=lib.float64)
    P.orthogonal(a)
    P.spectral_norm(a, "bias")
    b = lib.nn.Linear(3, 3, dtype=lib.float64)
    Z.transfer_parametrizations_and_params(a, b)
    c = lib.nn.Identity()
    lib.nn.utils.parametrizations.weight_norm(w := lib.nn.Linear(2, 2, dtype=lib.float64))
    Z.transfer_parametrizations_and_params(w, c, "weight")
    d = lib.nn.Linear(3, 3)
    Z.transfer_parametrizations_and_params(lib.nn.Linear(3, 3), d)
    return [
        repr(b),
        list(b.state_dict()),
        b.parametrizations.weight.original is a.parametrizations.weight.original,
        b.parametrizations.weight[0] is a.parametrizations.weight[0],
        b.weight.detach().numpy(),
        a.weight.detach().numpy(),
        repr(c),
        list(c.state_dict()),
        c.parametrizations.weight.original1 is w.parametrizations.weight.original1,
        c.weight.detach().numpy(),
        type(d).__name__,
        _err(lambda: Z.transfer_parametrizations_and_params(w, lib.nn.Identity(), "bias")),
    ]


def test_transfer_parametrizations_and_params_matches_pytorch():
    got, want = _transfer_program(retrograd), _transfer_program(torch)
    for a, b in zip(got, want, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, atol=1e-12)
        else:
            assert a == b
