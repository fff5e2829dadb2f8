"""The special functions and triangular solves (retrograd/ops/special.py): values, node names and
gradients against PyTorch, gradients and second derivatives against finite differences."""

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

POINTS = np.array([[0.3, 1.7, 4.2], [0.05, 2.5, 9.0]])
UNARY = {
    "lgamma": (POINTS, "LgammaBackward0"),
    "digamma": (POINTS, "DigammaBackward0"),
    "erfinv": (np.array([[-0.9, -0.2, 0.0], [0.3, 0.7, 0.95]]), "ErfinvBackward0"),
    "erfc": (np.array([[-1.5, -0.2, 0.0], [0.3, 0.7, 2.5]]), "ErfcBackward0"),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_pytorch(name, dtype):
    x, node = UNARY[name]
    a = retrograd.tensor(x, dtype=getattr(retrograd, dtype), requires_grad=True)
    b = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    ra, tb = getattr(retrograd, name)(a), getattr(torch, name)(b)
    assert ra.grad_fn.name() == tb.grad_fn.name() == node
    assert str(ra.dtype) == str(tb.dtype)
    tol = dict(rtol=1e-8, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ra.detach().numpy(), tb.detach().numpy(), **tol)
    ra.sum().backward()
    tb.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    assert getattr(a, name)().shape == ra.shape  # the Tensor method too


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck_and_gradgradcheck(name):
    x = retrograd.tensor(UNARY[name][0], dtype=retrograd.float64, requires_grad=True)
    fn = getattr(retrograd, name)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_integer_input_computes_in_float32_and_digamma_pole():
    for lib in (retrograd, torch):
        assert str(lib.lgamma(lib.tensor([1, 2, 3])).dtype) == "torch.float32"
    np.testing.assert_array_equal(
        retrograd.digamma(retrograd.tensor([0.0])).numpy(),
        torch.digamma(torch.tensor([0.0])).numpy(),
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_matches_pytorch(n):
    x = np.array([0.4, 1.5, 3.0])
    a = retrograd.tensor(x, dtype=retrograd.float64, requires_grad=True)
    b = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ra, tb = retrograd.polygamma(n, a), torch.polygamma(n, b)
    np.testing.assert_allclose(ra.detach().numpy(), tb.detach().numpy(), rtol=1e-8)
    ra.sum().backward()
    tb.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8)
    assert gradcheck(lambda t: retrograd.polygamma(n, t), (a,))


def test_xlogy_matches_pytorch_including_zeros():
    x, y = np.array([0.0, 1.0, 2.0, 0.0]), np.array([0.5, 2.0, 3.0, 0.0])
    ours = [retrograd.tensor(v, requires_grad=True) for v in (x, y)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, y)]
    ro, to = retrograd.xlogy(*ours), torch.xlogy(*theirs)
    assert ro.grad_fn.name() == to.grad_fn.name()
    np.testing.assert_allclose(ro.detach().numpy(), to.detach().numpy())
    ro[:3].sum().backward()
    to[:3].sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    xs = [
        retrograd.tensor(v, dtype=retrograd.float64, requires_grad=True)
        for v in ([0.5, 1.0, 2.0], [0.5, 2.0, 3.0])
    ]
    assert gradcheck(retrograd.xlogy, xs)


def _spd(rng, shape):
    m = rng.standard_normal(shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_pytorch(upper):
    rng = np.random.default_rng(0)
    A = _spd(rng, (2, 3, 3))
    w = rng.standard_normal((2, 3, 3))
    outs = []
    for lib in (retrograd, torch):
        a = lib.tensor(A, requires_grad=True)
        L = lib.linalg.cholesky(a, upper=upper)
        (L * lib.tensor(w)).sum().backward()
        outs.append((L.detach().numpy(), a.grad.numpy(), L.grad_fn.name()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-10, atol=1e-12)


def test_cholesky_gradcheck_and_errors():
    rng = np.random.default_rng(1)
    M = retrograd.tensor(rng.standard_normal((3, 3)), requires_grad=True)

    def f(m):
        return retrograd.linalg.cholesky(m @ m.mT + 3 * retrograd.eye(3, dtype=retrograd.float64))

    assert gradcheck(f, (M,))
    assert gradgradcheck(f, (M,))
    for lib in (retrograd, torch):
        with pytest.raises(
            RuntimeError,
            match="linalg.cholesky: The factorization could not be "
            "completed because the input is not positive-definite \\(the leading "
            "minor of order 2 is not positive-definite\\).",
        ):
            lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]]))


@pytest.mark.parametrize(
    "upper,left,unitriangular",
    [(False, True, False), (True, True, False), (False, False, False), (True, False, True)],
)
def test_solve_triangular_matches_pytorch(upper, left, unitriangular):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    B = rng.standard_normal((4, 1, 3, 2) if left else (4, 1, 2, 3))  # batch dimensions broadcast
    outs = []
    for lib in (retrograd, torch):
        a, b = lib.tensor(A, requires_grad=True), lib.tensor(B, requires_grad=True)
        X = lib.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unitriangular)
        (X**2).sum().backward()
        outs.append((X.detach().numpy(), a.grad.numpy(), b.grad.numpy(), X.grad_fn.name()))
    for u, v in zip(outs[0], outs[1]):
        if isinstance(u, str):
            assert u == v
        else:
            np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
    a = retrograd.tensor(A[0], requires_grad=True)
    b = retrograd.tensor(B[0, 0], requires_grad=True)
    fn = lambda a, b: retrograd.linalg.solve_triangular(
        a, b, upper=upper, left=left, unitriangular=unitriangular
    )
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_diag_embed_matches_pytorch():
    x = np.arange(6.0).reshape(2, 3)
    for offset in (0, 1, -1):
        a, b = retrograd.tensor(x), torch.tensor(x)
        np.testing.assert_array_equal(
            retrograd.diag_embed(a, offset).numpy(), torch.diag_embed(b, offset).numpy()
        )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_standard_gamma_gradient_matches_pytorch_in_every_regime(dtype):
    # shapes below 1 and small samples (series), above 8 (saddle point), between (rational)
    alpha = np.concatenate([np.linspace(0.05, 3.0, 40), np.linspace(3.0, 40.0, 40)])
    outs = []
    for lib in (retrograd, torch):
        a = lib.tensor(alpha, dtype=getattr(lib, dtype), requires_grad=True)
        lib.manual_seed(7)
        x = lib._standard_gamma(a)
        x.backward(lib.ones_like(x))
        outs.append((x.detach().numpy(), a.grad.numpy(), x.grad_fn.name()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-6 if dtype == "float32" else 1e-12)
    assert outs[0][2] == outs[1][2] == "StandardGammaBackward0"


def test_standard_gamma_gradient_is_the_implicit_derivative():
    # d x / d alpha at a fixed quantile u = P(alpha, x): differentiate scipy's inverse in alpha
    import scipy.special as sp

    alpha = np.array([0.3, 1.0, 2.5, 6.0, 12.0])
    retrograd.manual_seed(2)
    a = retrograd.tensor(alpha, requires_grad=True)
    x = retrograd._standard_gamma(a)
    x.backward(retrograd.ones_like(x))
    u = sp.gammainc(alpha, x.detach().numpy())
    h = 1e-6
    numeric = (sp.gammaincinv(alpha + h, u) - sp.gammaincinv(alpha - h, u)) / (2 * h)
    np.testing.assert_allclose(a.grad.numpy(), numeric, rtol=5e-3)
    with pytest.raises(
        NotImplementedError, match="the derivative for '_standard_gamma_grad' is not implemented."
    ):
        (g,) = retrograd.autograd.grad(retrograd._standard_gamma(a).sum(), a, create_graph=True)
        g.sum().backward()


def test_igamma_matches_pytorch():
    a_np, x_np = np.array([0.5, 2.0, 7.5]), np.array([0.3, 2.5, 6.0])
    outs = []
    for lib in (retrograd, torch):
        a = lib.tensor(a_np)
        x = lib.tensor(x_np, requires_grad=True)
        lo, hi = lib.igamma(a, x), lib.igammac(a, x)
        (lo + 2 * hi).sum().backward()
        outs.append((lo.detach().numpy(), hi.detach().numpy(), x.grad.numpy(), lo.grad_fn.name()))
        a.requires_grad_()
        with pytest.raises(
            NotImplementedError, match="the derivative for 'igamma: input' is not implemented."
        ):
            lib.igamma(a, x).sum().backward()
    for u, v in zip(*outs):
        if isinstance(u, str):
            assert u == v
        else:
            np.testing.assert_allclose(u, v, rtol=1e-12)
