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


@pytest.mark.parametrize("dtype, most_differing", [("float32", 0.02), ("float64", 0.001)])
def test_trigamma_has_pytorchs_bits_near_the_poles_too(dtype, most_differing):
    """polygamma(1, x), digamma's gradient, as PyTorch computes it in float32 and float64: at
    -7.950587 PyTorch's float32 value is 412.7526 where the exact one rounds to 412.74423, and
    near the poles the two differ more.  Bit for bit in all but a few values, a few units in
    the last place at most; the edges (0, poles, infinities, NaN) alike."""
    rng = np.random.default_rng(21)
    x = np.concatenate(
        [
            rng.uniform(-10, 10, 4000),
            rng.uniform(0, 100, 1000),
            [-7.950587, -3.973022, 0.0, -0.0, 1.0, -1.0, -2.0, 0.5, 1e-30, -1e30],
            [np.inf, -np.inf, np.nan],
        ]
    ).astype(dtype)
    got = []
    for lib in (retrograd, torch):
        t = lib.tensor(x, requires_grad=True)
        lib.digamma(t).backward(lib.ones_like(t))
        got.append((lib.polygamma(1, t).detach().numpy(), t.grad.numpy()))
    (ours, our_grad), (theirs, their_grad) = got
    np.testing.assert_array_equal(ours, our_grad)
    np.testing.assert_array_equal(their_grad, theirs)
    same = (ours == theirs) | np.isnan(ours) & np.isnan(theirs)
    assert same[-13:].all()
    assert 1 - same.mean() <= most_differing
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(ours, theirs, rtol=8 * np.finfo(dtype).eps)


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
    # (float64 samples: equal but for a last bit now and then, on a CPU where the two libraries'
    # vectorised log rounds apart; see test_random.assert_same)
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=0 if dtype == "float32" else 1e-13)
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


# --- torch.special -------------------------------------------------------------------------------

INF, NAN = np.inf, np.nan
EDGES = np.array(
    [0.0, -0.0, 1e-3, -1e-3, 0.3, -0.7, 1.0, -1.0, 2.5, -3.2, 7.0, -9.0, 30.0, -40.0, 100.0]
    + [INF, -INF, NAN, 0.5, 0.9999, 1.0001]
)
SPECIAL_UNARY = (
    "airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1 "
    "modified_bessel_k0 modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1 "
    "spherical_bessel_j0 entr erfcx log_ndtr ndtri ndtr i0 i0e i1 i1e exp2 expit gammaln psi "
    "digamma erf erfc erfinv expm1 log1p logit sinc round"
).split()
POLYNOMIALS = (
    "chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v chebyshev_polynomial_w "
    "shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u "
    "shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_h "
    "hermite_polynomial_he laguerre_polynomial_l legendre_polynomial_p"
).split()
SPECIAL_BINARY = ["zeta", "xlog1py", "xlogy", "gammainc", "gammaincc"]


def test_torch_special_has_every_function_pytorch_has():
    theirs = {n for n in dir(torch.special) if not n.startswith("_")}
    theirs -= {"Tensor", "torch", "common_args", "multi_dim_common"}
    assert theirs == set(retrograd.special.__all__)


@pytest.mark.parametrize(
    "special, op",
    [
        ("expit", "sigmoid"),
        ("psi", "digamma"),
        ("gammaln", "lgamma"),
        ("gammainc", "igamma"),
        ("gammaincc", "igammac"),
        ("multigammaln", "mvlgamma"),
        ("exp2", "exp2"),
        ("i0", "i0"),
        ("erfinv", "erfinv"),
        ("logit", "logit"),
        ("xlogy", "xlogy"),
        ("sinc", "sinc"),
        ("polygamma", "polygamma"),
        ("softmax", "softmax"),
        ("logsumexp", "logsumexp"),
    ],
)
def test_special_names_are_the_torch_ops(special, op):
    assert getattr(retrograd.special, special) is getattr(retrograd, op)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", SPECIAL_UNARY)
def test_special_unary_edges_match_pytorch(name, dtype):
    """0, -0, the poles, +-inf and nan give PyTorch's values (PyTorch's own float64 kernels for
    the Bessel functions are good to about 1e-6)."""
    ours = getattr(retrograd.special, name)(
        retrograd.tensor(EDGES, dtype=getattr(retrograd, dtype))
    )
    theirs = getattr(torch.special, name)(torch.tensor(EDGES, dtype=getattr(torch, dtype)))
    assert str(ours.dtype) == str(theirs.dtype)
    rtol = 1e-5 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("name", SPECIAL_UNARY)
def test_special_unary_integer_input_is_float32(name):
    try:
        theirs = getattr(torch.special, name)(torch.tensor([1, 2, 0]))
    except NotImplementedError as e:  # (round has no integer kernel)
        with pytest.raises(NotImplementedError, match=str(e)):
            getattr(retrograd.special, name)(retrograd.tensor([1, 2, 0]))
        return
    ours = getattr(retrograd.special, name)(retrograd.tensor([1, 2, 0]))
    assert str(ours.dtype) == str(theirs.dtype) == "torch.float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


@pytest.mark.parametrize("name", SPECIAL_BINARY)
def test_special_binary_edges_match_pytorch(name):
    x = np.array([1.0, 2.0, 3.5, 0.5, -1.0, INF, NAN, 1.0001])
    q = np.array([1.0, 2.0, 0.5, 0.0, -1.0, -1.5, 3.0, INF, NAN])
    xx, qq = np.meshgrid(x, q)
    ours = getattr(retrograd.special, name)(retrograd.tensor(xx), retrograd.tensor(qq))
    theirs = getattr(torch.special, name)(torch.tensor(xx), torch.tensor(qq))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7, atol=1e-300)
    if name.startswith("gamma"):  # PyTorch takes no Python number here
        for lib in (retrograd, torch):
            with pytest.raises(TypeError, match=r"argument 'input' \(position 1\) must be Tensor"):
                getattr(lib.special, name)(2, lib.tensor([1.5]))
        return
    for a, b in [(2, torch.tensor([1.5, 2.0])), (torch.tensor([2, 3]), 2)]:  # dtypes with numbers
        ra = retrograd.tensor(a.numpy()) if isinstance(a, torch.Tensor) else a
        rb = retrograd.tensor(b.numpy()) if isinstance(b, torch.Tensor) else b
        r, t = getattr(retrograd.special, name)(ra, rb), getattr(torch.special, name)(a, b)
        assert str(r.dtype) == str(t.dtype)
        np.testing.assert_allclose(r.numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_match_pytorch(name):
    """Degrees below 0 give 0, non-integer degrees are truncated; at a nan x every degree above
    0 is nan (PyTorch's vectorised kernel gives the neighbouring element's value there)."""
    x = np.array([-1.0, 1.0, 0.0, 0.3, -0.6, 0.99, 2.0, -3.0, INF, -INF])
    n = np.array([-1, 0, 1, 2, 3, 5, 8, 13, 30])
    xx, nn = np.meshgrid(x, n)
    for dtype in ("float64", "float32"):
        ours = getattr(retrograd.special, name)(
            retrograd.tensor(xx, dtype=getattr(retrograd, dtype)), retrograd.tensor(nn)
        )
        theirs = getattr(torch.special, name)(
            torch.tensor(xx, dtype=getattr(torch, dtype)), torch.tensor(nn)
        )
        assert str(ours.dtype) == str(theirs.dtype)
        # (PyTorch's float32 Chebyshev values at high degree come from cos(n acos x))
        tol = dict(rtol=1e-7, atol=1e-9) if dtype == "float64" else dict(rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), **tol)
    fractional = (torch.tensor([0.5, 0.3]), torch.tensor([2.7, -1.2]))
    r = getattr(retrograd.special, name)(*(retrograd.tensor(v.numpy()) for v in fractional))
    np.testing.assert_allclose(r.numpy(), getattr(torch.special, name)(*fractional).numpy())
    for args in [
        (retrograd.tensor([1, 2]), retrograd.tensor([3, 2])),
        (0.5, retrograd.tensor([3])),
    ]:
        assert getattr(retrograd.special, name)(*args).dtype == retrograd.float32
    at_nan = getattr(retrograd.special, name)(
        retrograd.tensor([NAN] * 3), retrograd.tensor([0, 1, 4])
    )
    assert at_nan[0] == 1 and at_nan[1:].isnan().all()


@pytest.mark.parametrize("name", ["bessel_j0", "airy_ai", "modified_bessel_k1"])
def test_functions_without_derivative_leave_the_graph(name):
    for lib in (retrograd, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = getattr(lib.special, name)(x)
        assert not y.requires_grad and y.grad_fn is None
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
            y.sum().backward()
    x = retrograd.tensor([0.5, 1.5], requires_grad=True)
    assert not retrograd.special.legendre_polynomial_p(x, 3).requires_grad


def test_zeta_has_no_derivative_in_x():
    for lib in (retrograd, torch):
        x = lib.tensor([2.0, 3.0], dtype=lib.float64, requires_grad=True)
        q = lib.tensor([1.5, 2.0], dtype=lib.float64, requires_grad=True)
        for y in (lib.special.zeta(x, q), lib.special.zeta(x, 2.0)):
            with pytest.raises(
                NotImplementedError, match="the derivative for 'zeta' is not implemented."
            ):
                y.sum().backward()


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: x.i0_(),
        lambda t, x: t.i0_(x),
        lambda t, x: x.exp2_(),
        lambda t, x: t.exp2_(x),
        lambda t, x: x.polygamma_(1),
        lambda t, x: x.mvlgamma_(2),
        lambda t, x: t.tensor([1.5, 2.0, 2.5], dtype=x.dtype).igamma_(x),  # (no derivative in
        lambda t, x: t.tensor([1.5, 2.0, 2.5], dtype=x.dtype).igammac_(x),  # the first input)
        lambda t, x: x.xlogy_(2.0),
        lambda t, x: t.xlogy_(x, 3.0),
        lambda t, x: x.erfinv_(),
        lambda t, x: x.lgamma_(),
        lambda t, x: x.digamma_(),
        lambda t, x: x.erfc_(),
        lambda t, x: t.erfc_(x),
        lambda t, x: t.sinc_(x),
        lambda t, x: t.logit_(x),
    ],
)
def test_methods_and_in_place_forms_match_pytorch(call):
    values = np.array([0.6, 0.8, 0.9])
    results = []
    for lib in (retrograd, torch):
        a = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        x = a * 1
        out = call(lib, x)
        out.sum().backward()
        results.append((out.detach().numpy(), a.grad.numpy(), out.grad_fn.name()))
    (v, g, n), (tv, tg, tn) = results
    assert n == tn
    np.testing.assert_allclose(v, tv, rtol=1e-8)  # (PyTorch's trigamma is good to 1e-9)
    np.testing.assert_allclose(g, tg, rtol=1e-8)


def test_mvlgamma_needs_p_of_at_least_one():
    for lib in (retrograd, torch):
        with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
            lib.special.multigammaln(lib.tensor([2.5]), 0)


@pytest.mark.parametrize(
    "name, domain",
    [
        ("entr", (0.2, 2.0)),
        ("erfcx", (-1.0, 2.0)),
        ("log_ndtr", (-3.0, 3.0)),
        ("ndtri", (0.1, 0.9)),
        ("i0e", (0.2, 2.0)),
        ("i1", (-2.0, 2.0)),
        ("i1e", (0.2, 2.0)),
        ("i0", (-2.0, 2.0)),
        ("ndtr", (-2.0, 2.0)),
    ],
)
def test_special_gradients_match_pytorch_and_finite_differences(name, domain):
    x = np.linspace(*domain, 5)
    grads = []
    for lib in (retrograd, torch):
        a = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        y = getattr(lib.special, name)(a)
        (g,) = lib.autograd.grad(y.sum(), a, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), a)
        grads.append((y.grad_fn.name(), g.detach().numpy(), gg.numpy()))
    assert grads[0][0] == grads[1][0]
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-9)
    np.testing.assert_allclose(grads[0][2], grads[1][2], rtol=1e-7)
    a = retrograd.tensor(x, dtype=retrograd.float64, requires_grad=True)
    assert gradgradcheck(getattr(retrograd.special, name), (a,))


def test_solve_triangular_with_a_zero_on_the_diagonal_gives_pytorchs_infinities():
    a = np.array([[[1.0, 0.0], [2.0, 0.0]], [[2.0, 1.0], [0.0, 0.0]]])
    b = np.ones((2, 2, 1))
    for upper in (False, True):
        ours = retrograd.linalg.solve_triangular(
            retrograd.tensor(a), retrograd.tensor(b), upper=upper
        )
        theirs = torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), upper=upper)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
