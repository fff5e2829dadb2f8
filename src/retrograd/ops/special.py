"""Special functions and the triangular linear algebra that probability distributions need:
lgamma, digamma, polygamma, erfinv, erfc, xlogy, Cholesky factors and triangular solves.

The log-gamma family comes from SciPy (imported when first called: NumPy has none). Each derivative
is written with these same ops, so higher derivatives follow.
"""

import math

from .._array import xp
from . import autocast as _autocast
from .linalg import _diag_embed
from .pointwise import _dtype_name
from .registry import op, tensor_method


def _scipy_special():
    import scipy.special

    return scipy.special


def _same_float(result, a):
    return (
        result.astype(a.dtype, copy=False)
        if a.dtype.kind in "fV"
        else result.astype(xp.float32, copy=False)
    )


# --- the gamma function and its derivatives ------------------------------------------------------


@op(saves="self", promote="float", grads=(lambda g, n: g * digamma(n.self),))
def lgamma(self):
    """``torch.lgamma``: log |Gamma(x)|."""
    return _same_float(_scipy_special().gammaln(self), self)


@op(saves="self", promote="float", grads=(lambda g, n: g * polygamma(1, n.self),))
def digamma(self):
    """``torch.digamma``: the derivative of lgamma (PyTorch gives -inf at 0)."""
    out = _scipy_special().psi(self)
    out = xp.where(self == 0, -xp.inf, out)
    return _same_float(out, self)


@op(
    "polygamma",
    inputs="self",
    saves="self",
    promote="float",
    grads=(lambda g, n: g * polygamma(n.n + 1, n.self),),
    method=False,
)
def _polygamma(self, n):
    if n == 0:
        out = _scipy_special().psi(self)
        out = xp.where(self == 0, -xp.inf, out)
    else:
        out = _scipy_special().polygamma(n, self)
    return _same_float(out, self)


def polygamma(n, input):
    """``torch.polygamma``: the n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _polygamma(input, n)


# --- the reparameterised derivative of Gamma(alpha, 1) samples ----------------------------------

# The derivative of a Gamma(alpha, 1) sample x in alpha at a fixed quantile (implicit
# reparameterisation): dx/dalpha = -(dP(alpha, x)/dalpha) / p(x; alpha). PyTorch approximates it
# in three regimes and we use the same ones, so gradients agree: below x = 0.8 a six-term series
# for the incomplete gamma function; for alpha > 8 Rice's saddle-point expansion (with a closed
# form near x = alpha); elsewhere exp(p(u, v) / q(u, v)), u = log(x / alpha), v = log(alpha), with
# p and q cubic in v and quadratic in u. Row k of the table holds the u^k coefficients: first
# the four of p by power of v, then the four of q.
_GAMMA_GRAD_UV = (
    (
        0.16009398,
        -0.094634809,
        0.025146376,
        -0.0030648343,
        1.0,
        0.32668115,
        0.10406089,
        0.0014179084,
    ),
    (
        0.53487893,
        0.1298071,
        0.065735949,
        -0.0015649758,
        0.16639465,
        0.020070113,
        -0.0035938915,
        -0.00058392623,
    ),
    (
        0.040121004,
        -0.0065914022,
        -0.0026286047,
        -0.0013441777,
        0.017050642,
        -0.0021309326,
        0.00085092367,
        -1.5247877e-07,
    ),
)


def _gamma_grad_small_x(alpha, x):
    # P(alpha, x) = x^alpha * sum_k (-x)^k / (k! (alpha + k)), differentiated in alpha term by term
    term = xp.ones_like(x)
    s1 = 1.0 / alpha
    s2 = 1.0 / (alpha * alpha)
    for k in range(1, 6):
        term = term * (-x / k)
        s1 = s1 + term / (alpha + k)
        s2 = s2 + term / ((alpha + k) ** 2)
    x_alpha = x**alpha
    pdf = x ** (alpha - 1) * xp.exp(-x)
    cdf = x_alpha * s1
    d_cdf = (xp.log(x) - _scipy_special().psi(alpha)) * cdf - x_alpha * s2
    out = -d_cdf / pdf
    return xp.where(xp.isnan(out), 0.0, out)


def _gamma_grad_large_alpha(alpha, x):
    near = (0.9 * alpha <= x) & (x <= 1.1 * alpha)
    n1 = 1 + 24 * alpha * (1 + 12 * alpha)
    n2 = 1440 * alpha**2 + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
    close = n1 * n2 / (1244160 * alpha**4)
    denom = xp.sqrt(8 * alpha)
    t2 = denom / (alpha - x)
    t3 = (x - alpha - alpha * xp.log(x / alpha)) ** -1.5
    t23 = xp.where(x < alpha, t2 - t3, t2 + t3)
    t1 = xp.log(x / alpha) * t23 - xp.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) ** 2)
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    far = -stirling * x * t1 / denom
    return xp.where(near, close, far)


def _gamma_grad_rational(alpha, x):
    u, v = xp.log(x / alpha), xp.log(alpha)
    c = [a + u * (b + u * d) for a, b, d in zip(*_GAMMA_GRAD_UV)]
    p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
    q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
    return xp.exp(p / q)


def _no_gamma_grad_derivative(g, n):
    raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


@op(
    inputs="self output",
    broadcast=True,
    grads=(_no_gamma_grad_derivative,) * 2,
    node="StandardGammaGradBackward0",
    method=False,
)
def _standard_gamma_grad(self, output):
    """``torch._standard_gamma_grad``: d output / d alpha for Gamma(alpha, 1) samples ``output``
    of the shapes ``self``."""
    alpha, x = xp.broadcast_arrays(
        xp.asarray(self, dtype=xp.float64), xp.asarray(output, dtype=xp.float64)
    )
    with xp.errstate(all="ignore"):
        out = xp.where(
            x < 0.8,
            _gamma_grad_small_x(alpha, x),
            xp.where(
                alpha > 8.0, _gamma_grad_large_alpha(alpha, x), _gamma_grad_rational(alpha, x)
            ),
        )
    return out.astype(xp.result_type(self, output), copy=False)


def _no_dirichlet_grad(g, n):
    raise NotImplementedError(
        "the derivative of Dirichlet samples in their concentration "
        "(PyTorch's _dirichlet_grad) is not implemented in retrograd"
    )


@op(grads=(_no_dirichlet_grad,), node="_DirichletBackward", method=False)
def _dirichlet_rsample(self, values):
    """Dirichlet samples ``values`` recorded as a function of the concentration ``self``."""
    return values


# --- the regularised incomplete gamma functions ------------------------------------------------


def _igamma_input_grad(g, n):
    raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")


def _igammac_input_grad(g, n):
    raise NotImplementedError("the derivative for 'igammac: input' is not implemented.")


def _igamma_density(n):
    # d/dx P(a, x) = x^(a-1) e^(-x) / Gamma(a)
    a, x = n.self, n.other
    return ((a - 1) * x.log() - x - lgamma(a)).exp()


@op(
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    grads=(_igamma_input_grad, lambda g, n: g * _igamma_density(n)),
    node="IgammaBackward0",
    method=False,
)
def _igamma(self, other):
    return _same_float(
        _scipy_special().gammainc(self, other), xp.asarray(xp.result_type(self, other).type(0))
    )


@op(
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    grads=(_igammac_input_grad, lambda g, n: -g * _igamma_density(n)),
    node="IgammacBackward0",
    method=False,
)
def _igammac(self, other):
    return _same_float(
        _scipy_special().gammaincc(self, other), xp.asarray(xp.result_type(self, other).type(0))
    )


def igamma(input, other):
    """``torch.igamma`` (``torch.special.gammainc``): the regularised lower incomplete gamma
    function P(input, other)."""
    return _igamma(input, other)


def igammac(input, other):
    """``torch.igammac`` (``torch.special.gammaincc``): 1 - P(input, other)."""
    return _igammac(input, other)


# --- the error function's relatives ------------------------------------------------------------


_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


@op(
    saves="result",
    promote="float",
    grads=(lambda g, n: g * (_SQRT_PI_OVER_2 * (n.result * n.result).exp()),),
)
def erfinv(self):
    """``torch.erfinv``: the inverse of erf on (-1, 1)."""
    return _same_float(_scipy_special().erfinv(self), self)


@op(
    saves="self",
    promote="float",
    grads=(lambda g, n: g * (-2.0 / math.sqrt(math.pi) * (-(n.self * n.self)).exp()),),
)
def erfc(self):
    """``torch.erfc``: 1 - erf(x), accurate where erf(x) is near 1."""
    return _same_float(_scipy_special().erfc(self), self)


def _xlogy_self_grad(g, n):
    # log(y), except 0 where x is 0 and y is not positive (PyTorch's choice at the boundary)
    other = n.other
    return xlogy(g, other).masked_fill((n.self == 0) & (other <= 0), 0.0)


def _xlogy_other_grad(g, n):
    return g * n.self / n.other


@op(
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    grads=(_xlogy_self_grad, _xlogy_other_grad),
    node="XlogyBackward0",
)
def xlogy(self, other):
    """``torch.xlogy``: x * log(y), 0 where x is 0 (unless y is nan)."""
    x, y = xp.asarray(self), xp.asarray(other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = x * xp.log(y)
    out = xp.where((x == 0) & ~xp.isnan(y), 0, out)
    dt = xp.result_type(self, other)
    if dt.kind not in "fV":
        dt = xp.float32
    return xp.asarray(out).astype(dt, copy=False)


# --- triangular linear algebra ------------------------------------------------------------------


def _mT(a):
    return a.transpose(-2, -1)


def _cholesky_grad(g, n):
    # For A = L L^T: with P the lower triangle of L^T dL (diagonal halved),
    # dA = sym(L^-T P L^-1), sym(S) = (S + S^T) / 2.
    L = n.result
    P = (_mT(L) @ g).tril()
    P = P - 0.5 * _diag_embed(P.diagonal(0, -2, -1), 0)
    S = solve_triangular(L, solve_triangular(_mT(L), P, upper=True), upper=False, left=False)
    return 0.5 * (S + _mT(S))


def _check_square(a, name):
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )


def _check_cholesky(a, upper):
    _check_square(a, "cholesky")


@op(
    saves="result",
    grads=(_cholesky_grad,),
    check=_check_cholesky,
    method=False,
    node="LinalgCholeskyExBackward0",
)
def _cholesky(self, upper):
    try:
        return xp.linalg.cholesky(self).astype(self.dtype, copy=False)
    except xp.linalg.LinAlgError:
        pass
    # name the first minor that is not positive-definite, as PyTorch does
    for k in range(1, self.shape[-1] + 1):
        try:
            xp.linalg.cholesky(self[..., :k, :k])
        except xp.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.cholesky: The factorization could not be completed "
                f"because the input is not positive-definite (the leading minor "
                f"of order {k} is not positive-definite)."
            ) from None
    raise RuntimeError(
        "linalg.cholesky: The factorization could not be completed because the "
        "input is not positive-definite."
    )


@_autocast.float32
def cholesky(A, *, upper=False):
    """``torch.linalg.cholesky``: the lower factor L of A = L L^T (its transpose with ``upper``)."""
    L = _cholesky(A, False)
    return _mT(L) if upper else L


def _triangle(a, upper, unitriangular):
    t = a.triu() if upper else a.tril()
    if unitriangular:
        t = t - _diag_embed(t.diagonal(0, -2, -1), 0)
    return t


def _summed_to(g, shape):
    """``g`` summed over the batch dimensions that the solve broadcast its input over."""
    return g if tuple(g.shape) == tuple(shape) else g.sum_to_size(tuple(shape))


def _solve_b_full(g, n):
    return solve_triangular(
        _mT(n.self), g, upper=not n.upper, left=n.left, unitriangular=n.unitriangular
    )


def _solve_b_grad(g, n):
    return _summed_to(_solve_b_full(g, n), n.B_shape)


def _solve_a_grad(g, n):
    gb = _solve_b_full(g, n)
    X = n.result
    ga = -(gb @ _mT(X)) if n.left else -(_mT(X) @ gb)
    return _summed_to(_triangle(ga, n.upper, n.unitriangular), n.self.shape)


def _solve_raw(a, b, upper, left, unitriangular):
    A = xp.triu(a) if upper else xp.tril(a)
    if unitriangular:
        A = A.copy()
        idx = xp.arange(A.shape[-1])
        A[..., idx, idx] = 1
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return xp.swapaxes(
            _solve_raw(xp.swapaxes(A, -1, -2), xp.swapaxes(b, -1, -2), not upper, True, False),
            -1,
            -2,
        )
    shape = xp.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    A = xp.broadcast_to(A, shape + A.shape[-2:])
    b = xp.broadcast_to(b, shape + b.shape[-2:])
    try:
        import scipy.linalg
    except ImportError:  # pragma: no cover - SciPy is present where retrograd is tested
        return xp.linalg.solve(A, b)
    if A.ndim == 2:
        return scipy.linalg.solve_triangular(A, b, lower=not upper, check_finite=False)
    out = xp.empty(shape + b.shape[-2:], dtype=xp.result_type(A, b))
    for i in xp.ndindex(*shape):
        out[i] = scipy.linalg.solve_triangular(A[i], b[i], lower=not upper, check_finite=False)
    return out


def _check_solve(a, b, upper, left, unitriangular):
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"linalg.solve_triangular: Expected A and B to have the same dtype, "
            f"but found A of type {_dtype_name(a)} and B of type {_dtype_name(b)} instead"
        )


@op(
    inputs="self B",
    saves="self B_shape result",
    grads=(_solve_a_grad, _solve_b_grad),
    check=_check_solve,
    method=False,
    node="LinalgSolveTriangularBackward0",
)
def _solve_triangular(self, B, upper, left, unitriangular):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return _solve_raw(self, B, upper, left, unitriangular).astype(self.dtype, copy=False)


@_autocast.float32
def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """``torch.linalg.solve_triangular``: X with A X = B (X A = B when ``left`` is False), reading
    only the triangle of A that ``upper`` names."""
    return _solve_triangular(A, B, upper, left, unitriangular)


@tensor_method
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """``torch.diag_embed``: the last dimension laid along the diagonal of new matrices (the
    matrices in the last two dimensions only)."""
    if (dim1, dim2) not in ((-2, -1), (input.ndim - 1, input.ndim)):
        raise NotImplementedError("diag_embed: only dim1=-2, dim2=-1 is supported")
    return _diag_embed(input, offset)


__all__ = [
    "_standard_gamma_grad",
    "diag_embed",
    "digamma",
    "erfc",
    "erfinv",
    "igamma",
    "igammac",
    "lgamma",
    "polygamma",
    "xlogy",
]
