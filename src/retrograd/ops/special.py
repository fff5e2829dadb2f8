"""Special functions (``torch.special`` and its ``torch.*`` spellings) and the triangular linear
algebra that probability distributions need: Cholesky factors and triangular solves.

Most functions come from SciPy (imported when first called: NumPy has none of them). Each
derivative is written with these same ops, so higher derivatives follow. The Bessel functions, the
orthogonal polynomials and ``airy_ai`` have no derivative in PyTorch: their results do not require
grad.
"""

import math

from .._array import column_major, xp
from ..tensor import Tensor, _make
from . import autocast as _autocast
from .linalg import _diag_embed
from .nnops import erf
from .pointwise import _add_scalar, _div_scalar, _dtype_name, _mul_scalar, _sub_scalar, cj, where
from .registry import op, refuse_complex, tensor_method


def _scipy_special():
    import scipy.special

    return scipy.special


def _same_float(result, a):
    return (
        result.astype(a.dtype, copy=False)
        if a.dtype.kind in "fcV"
        else result.astype(xp.float32, copy=False)
    )


def _float_result(out, *arrays):
    """``out`` in the dtype PyTorch computes these inputs in: their promoted type, or the default
    float32 where that is an integer type (the inputs are already promoted by the op table)."""
    dt = xp.result_type(*arrays)
    return xp.asarray(out).astype(dt if dt.kind in "fcV" else xp.float32, copy=False)


def _binary(name, forward, grads, node, promote="float", real=None):
    """A function of two arguments as PyTorch records it: ``name`` (node ``node + "0"``) for two
    tensors, and ops of one tensor input for a Python number first (``node + "1"``) or second
    (``node + "2"``), each with the formula of its tensor input."""

    def scalar_self(other, self):
        return forward(self, other)

    def scalar_other(self, other):
        return forward(self, other)

    both = op(
        name,
        inputs="self other",
        saves="self other",
        broadcast=True,
        promote=promote,
        grads=grads,
        node=node + "0",
        method=False,
        real=real,
        numbers="self other",
    )(forward)
    first = op(
        name + "_self_scalar",
        inputs="other",
        saves="other",
        promote="float",
        grads=grads[1:],
        node=node + "1",
        method=False,
        real=real,
    )(scalar_self)
    second = op(
        name + "_other_scalar",
        inputs="self",
        saves="self",
        promote="float",
        grads=grads[:1],
        node=node + "2",
        method=False,
        real=real,
    )(scalar_other)

    def call(input, other):
        if isinstance(input, Tensor):
            return both(input, other) if isinstance(other, Tensor) else second(input, other)
        return first(other, input) if isinstance(other, Tensor) else both(input, other)

    return call


# --- the gamma function and its derivatives ------------------------------------------------------


@op(real="lgamma_vml_cpu", saves="self", promote="float", grads=(lambda g, n: g * digamma(n.self),))
def lgamma(self):
    """``torch.lgamma``: log |Gamma(x)| (inf at -inf, as PyTorch)."""
    return _same_float(xp.where(self == -xp.inf, xp.inf, _scipy_special().gammaln(self)), self)


@op(real="digamma", saves="self", promote="float", grads=(lambda g, n: g * polygamma(1, n.self),))
def digamma(self):
    """``torch.digamma``: the derivative of lgamma (PyTorch gives -inf at 0)."""
    out = _scipy_special().psi(self)
    out = xp.where(self == 0, xp.copysign(xp.inf, -self), out)  # -inf at 0, inf at -0
    return _same_float(out, self)


def _polygamma_values(self, n):
    if n == 0:
        out = _scipy_special().psi(self)
        out = xp.where(self == 0, xp.copysign(xp.inf, -self), out)
    elif n == 1 and self.dtype.kind == "f" and self.dtype.itemsize >= 4:
        return _trigamma(self)
    else:
        out = _scipy_special().polygamma(n, self)
    return _same_float(out, self)


def _trigamma(x):
    """polygamma(1, x) as PyTorch computes it, in x's own precision (float32 or float64): below
    1/2 the reflection psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x), then six steps of
    psi'(x) = 1/x^2 + psi'(x + 1), then the asymptotic series in 1/x.  Near the poles of
    negative x its float32 result is far from the exact value (pi x rounded to float32 before
    the sine: some 1e-5 relative at -7.95, more nearer a pole); the rounded exact value would
    not be PyTorch's."""
    t = x.dtype.type
    one = t(1)
    with xp.errstate(all="ignore"):
        reflected = x < t(0.5)
        pi = t(math.pi)
        # (the sine of the rounded pi x, itself rounded once to x's precision)
        s = xp.sin((pi * x).astype(xp.float64)).astype(x.dtype)
        total = xp.where(reflected, -((pi * pi) / (s * s)), t(0))
        x = xp.where(reflected, one - x, x)
        for _ in range(6):
            total = total + one / (x * x)
            x = x + one
        ixx = one / (x * x)
        series = ixx * (t(1 / 6) - ixx * (t(1 / 30) - ixx * t(1 / 42)))
        total = total + (one + one / (t(2) * x) + series) / x
    return xp.where(reflected, -total, total)


def _polygamma_grad(g, n):
    return g * polygamma(n.n + 1, n.self)


def _check_polygamma(a, n):
    refuse_complex("digamma" if n == 0 else "trigamma" if n == 1 else "polygamma", a)


_polygamma = op(
    "polygamma",
    saves="self",
    promote="float",
    grads=(_polygamma_grad,),
    method=False,
    check=_check_polygamma,
)(_polygamma_values)
# The in-place form is another overload in PyTorch, with its own node.
_polygamma_in_place = op(
    "_polygamma_in_place",
    saves="self",
    promote="float",
    grads=(_polygamma_grad,),
    node="PolygammaBackward1",
    method=False,
    check=_check_polygamma,
)(_polygamma_values)


def polygamma(n, input):
    """``torch.polygamma``: the n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _polygamma(input, n)


@tensor_method(name="polygamma")
def _polygamma_method(self, n):
    """``Tensor.polygamma(n)``: ``torch.polygamma(n, self)``."""
    return polygamma(n, self)


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


def _check_tensors(name, input, other):
    for i, (arg, x) in enumerate((("input", input), ("other", other))):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {i + 1}) must be Tensor, not "
                f"{type(x).__name__}"
            )


def _igamma_edges(out, a, x, lower):
    """PyTorch's values of P(a, x) (``lower`` 1) or Q(a, x) = 1 - P (``lower`` 0) at the edges,
    decided before a nan in the other argument is looked at: P(a, 0) = 0, P(a, inf) = 1,
    P(inf, x) = 0 for finite x."""
    upper = 1 - lower
    out = xp.where(xp.isinf(x), lower, out)
    out = xp.where(xp.isinf(a), xp.where(xp.isinf(x), xp.nan, upper), out)
    out = xp.where(x == 0, upper, out)
    out = xp.where(a == 0, xp.where(x > 0, lower, xp.nan), out)
    return xp.where((x < 0) | (a < 0), xp.nan, out)


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
    return _float_result(
        _igamma_edges(_scipy_special().gammainc(self, other), self, other, 1), self, other
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
    return _float_result(
        _igamma_edges(_scipy_special().gammaincc(self, other), self, other, 0), self, other
    )


@tensor_method
def igamma(input, other):
    """``torch.igamma`` (``torch.special.gammainc``): the regularised lower incomplete gamma
    function P(input, other)."""
    _check_tensors("igamma", input, other)
    return _igamma(input, other)


@tensor_method
def igammac(input, other):
    """``torch.igammac`` (``torch.special.gammaincc``): 1 - P(input, other)."""
    _check_tensors("igammac", input, other)
    return _igammac(input, other)


# --- the error function's relatives ------------------------------------------------------------


_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


@op(
    real="erfinv_vml_cpu",
    saves="result",
    promote="float",
    grads=(lambda g, n: g * _mul_scalar(n.result.pow(2).exp(), _SQRT_PI_OVER_2),),
)
def erfinv(self):
    """``torch.erfinv``: the inverse of erf on (-1, 1)."""
    return _same_float(_scipy_special().erfinv(self), self)


@op(
    real="erfc_vml_cpu",
    saves="self",
    promote="float",
    grads=(lambda g, n: g * _mul_scalar((-n.self.pow(2)).exp(), -2.0 / math.sqrt(math.pi)),),
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


def _xlogy(self, other):
    x, y = xp.asarray(self), xp.asarray(other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = x * xp.log(y)
    return _float_result(xp.where((x == 0) & ~xp.isnan(y), 0, out), self, other)


_xlogy_op = _binary(
    "xlogy",
    _xlogy,
    (_xlogy_self_grad, _xlogy_other_grad),
    "XlogyBackward",
    promote="binary",
    real="xlogy_cpu",
)


@tensor_method
def xlogy(input, other):
    """``torch.xlogy``: x * log(y), 0 where x is 0 (unless y is nan)."""
    return _xlogy_op(input, other)


# --- torch.special: exponentials, the normal distribution, entropy ------------------------------


_LN2 = math.log(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# (g * 2**x) * ln 2, in PyTorch's order: as g * (2**x * ln 2) a third of the gradients differed
@op(saves="result", promote="float", grads=(lambda g, n: _mul_scalar(g * cj(n.result), _LN2),))
def exp2(self):
    """``torch.exp2`` (``torch.special.exp2``): 2 to the power x."""
    with xp.errstate(over="ignore"):
        return _same_float(xp.exp2(self), self)


@op(
    real="entr_cpu",
    saves="self",
    promote="float",
    grads=(lambda g, n: g * -_add_scalar(n.self.log(), 1),),
    node="SpecialEntrBackward0",
    method=False,
)
def special_entr(self):
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = xp.where(self > 0, -self * xp.log(xp.where(self > 0, self, 1)), 0)
    out = xp.where(self < 0, -xp.inf, xp.where(xp.isnan(self), xp.nan, out))
    return _same_float(out, self)


@op(
    real="erfcx_cpu",
    saves="self result",
    promote="float",
    grads=(lambda g, n: _sub_scalar(_mul_scalar(n.self, 2) * n.result, _TWO_OVER_SQRT_PI) * g,),
    node="SpecialErfcxBackward0",
    method=False,
)
def special_erfcx(self):
    return _same_float(_scipy_special().erfcx(self), self)


@op(
    real="log_ndtr_cpu",
    saves="self result",
    promote="float",
    grads=(
        lambda g, n: (
            _div_scalar(g, _SQRT_2PI) * (n.result + _div_scalar(n.self.pow(2), 2)).neg().exp()
        ),
    ),
    node="SpecialLogNdtrBackward0",
    method=False,
)
def special_log_ndtr(self):
    return _same_float(_scipy_special().log_ndtr(self), self)


@op(
    real="ndtri_cpu",
    saves="result",
    promote="float",
    grads=(lambda g, n: g * _SQRT_2PI * _div_scalar(n.result.square(), 2).exp(),),
    node="SpecialNdtriBackward0",
    method=False,
)
def special_ndtri(self):
    return _same_float(_scipy_special().ndtri(self), self)


def _xlog1py_self_grad(g, n):
    # log1p(y), except 0 where x is 0 and y is at most -1 (as xlogy at y <= 0)
    other = n.other
    return xlog1py(g, other).masked_fill((n.self == 0) & (other <= -1), 0.0)


def _xlog1py(self, other):
    x, y = xp.asarray(self), xp.asarray(other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = x * xp.log1p(y)
    return _float_result(xp.where((x == 0) & ~xp.isnan(y), 0, out), self, other)


_xlog1py_op = _binary(
    "special_xlog1py",
    _xlog1py,
    (_xlog1py_self_grad, lambda g, n: g * n.self / _add_scalar(n.other, 1)),
    "SpecialXlog1PyBackward",
    real="xlog1py_cpu",
)


def xlog1py(input, other):
    """``torch.special.xlog1py``: x * log(1 + y), 0 where x is 0 (unless y is nan)."""
    return _xlog1py_op(input, other)


def _no_zeta_grad(g, n):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


def _zeta(self, other):
    out = _scipy_special().zeta(self, other)
    # PyTorch: nan at q = inf, except inf where x is 1
    return _float_result(xp.where((other == xp.inf) & (self != 1), xp.nan, out), self, other)


_zeta_op = _binary(
    "special_zeta",
    _zeta,
    (_no_zeta_grad, lambda g, n: g * -n.self * zeta(n.self + 1, n.other)),
    "SpecialZetaBackward",
    real="zeta_cpu",
)


def zeta(input, other):
    """``torch.special.zeta``: the Hurwitz zeta function, sum over k >= 0 of (k + q)^-x."""
    return _zeta_op(input, other)


def ndtr(input):
    """``torch.special.ndtr``: the standard normal distribution function, (1 + erf(x / sqrt 2))
    / 2, composed of those ops as in PyTorch."""
    return _mul_scalar(_add_scalar(erf(_mul_scalar(input, _SQRT1_2)), 1), 0.5)


_SQRT1_2 = math.sqrt(0.5)


# --- the modified Bessel functions of the first kind that have derivatives ---------------------


@op(real="i0_vml_cpu", saves="self", promote="float", grads=(lambda g, n: g * special_i1(n.self),))
def i0(self):
    """``torch.i0`` (``torch.special.i0``): the modified Bessel function of the first kind, order 0."""
    return _same_float(_scipy_special().i0(self), self)


@op(
    real="i0e_cpu",
    saves="self result",
    promote="float",
    grads=(lambda g, n: g * (special_i1e(n.self) - n.self.sgn() * n.result),),
    node="SpecialI0EBackward0",
    method=False,
)
def special_i0e(self):
    return _same_float(_scipy_special().i0e(self), self)


# (at x = 0 the slope is 1/2; dividing by 1 there keeps the unused branch, and so the second
# derivative, finite)
def _i1_grad(g, n):
    x = n.self
    zero = x == 0
    safe = where(zero, 1.0, x)
    return g * where(zero, 0.5, i0(safe) - n.result * safe.reciprocal())


def _i1e_grad(g, n):
    x = n.self
    zero = x == 0
    safe = where(zero, 1.0, x)
    return g * where(zero, 0.5, special_i0e(safe) - n.result * (safe.sgn() + safe.reciprocal()))


@op(
    real="i1_cpu",
    saves="self result",
    promote="float",
    grads=(_i1_grad,),
    node="SpecialI1Backward0",
    method=False,
)
def special_i1(self):
    return _same_float(_scipy_special().i1(self), self)


@op(
    real="i1e_cpu",
    saves="self result",
    promote="float",
    grads=(_i1e_grad,),
    node="SpecialI1EBackward0",
    method=False,
)
def special_i1e(self):
    return _same_float(_scipy_special().i1e(self), self)


# --- the multivariate log-gamma function -------------------------------------------------------


def _mvlgamma_grad(g, n):
    x = n.self
    # x plus the negated halves (the same bits as x minus them), as PyTorch's formula adds them
    negated = _make(xp.arange(n.p, dtype=x._data.dtype) / -2)
    return g * digamma(x.unsqueeze(-1) + negated).sum(-1)


def _check_mvlgamma(a, p):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")


@op(
    real="arange_cpu", saves="self", promote="float", grads=(_mvlgamma_grad,), check=_check_mvlgamma
)
def mvlgamma(self, p):
    """``torch.mvlgamma`` (``torch.special.multigammaln``): the log of the multivariate gamma
    function of dimension ``p``."""
    halves = xp.arange(p, dtype=self.dtype) / 2
    out = _scipy_special().gammaln(self[..., None] - halves).sum(-1)
    return _same_float(out + p * (p - 1) / 4 * math.log(math.pi), self)


# --- functions PyTorch gives no derivative: Bessel, Airy and the orthogonal polynomials ---------


def _nan_at_inf(out, x):
    # PyTorch's kernels for these evaluate sines and exponentials of x: nan at either infinity.
    return xp.where(xp.isinf(x), xp.nan, out)


def _unary_value(name, compute, argument="self"):
    """A function of one tensor that PyTorch leaves out of the graph (no derivative); PyTorch
    names its argument ``input`` or (``argument="x"``) ``x``."""

    def forward(self):
        with xp.errstate(all="ignore"):
            return _same_float(compute(self), self)

    def forward_x(x):
        return forward(x)

    declared = forward if argument == "self" else forward_x
    declared.__name__ = "special_" + name
    return op(inputs=argument, promote="float", method=False)(declared)


def _sp(name):
    return lambda x: getattr(_scipy_special(), name)(x)


def _spherical_j0(x):
    return xp.where(x == 0, 1.0, xp.where(xp.isinf(x), 0.0, xp.sin(x) / xp.where(x == 0, 1, x)))


special_airy_ai = _unary_value(
    "airy_ai", lambda x: _nan_at_inf(_scipy_special().airy(x)[0], x), argument="x"
)
special_bessel_j0 = _unary_value("bessel_j0", lambda x: _nan_at_inf(_sp("j0")(x), x))
special_bessel_j1 = _unary_value("bessel_j1", lambda x: _nan_at_inf(_sp("j1")(x), x))
special_bessel_y0 = _unary_value("bessel_y0", lambda x: _nan_at_inf(_sp("y0")(x), x))
special_bessel_y1 = _unary_value("bessel_y1", lambda x: _nan_at_inf(_sp("y1")(x), x))
special_modified_bessel_i0 = _unary_value(
    "modified_bessel_i0", lambda x: _nan_at_inf(_sp("i0")(x), x)
)
special_modified_bessel_i1 = _unary_value(
    "modified_bessel_i1", lambda x: _nan_at_inf(_sp("i1")(x), x)
)
special_modified_bessel_k0 = _unary_value("modified_bessel_k0", _sp("k0"))
special_modified_bessel_k1 = _unary_value("modified_bessel_k1", _sp("k1"))
special_scaled_modified_bessel_k0 = _unary_value(
    "scaled_modified_bessel_k0", _sp("k0e"), argument="x"
)
special_scaled_modified_bessel_k1 = _unary_value(
    "scaled_modified_bessel_k1", _sp("k1e"), argument="x"
)
special_spherical_bessel_j0 = _unary_value("spherical_bessel_j0", _spherical_j0, argument="x")


def _degrees(n):
    """The polynomials' degrees: ``n`` truncated to integers, -1 (the zero polynomial) where it
    is not finite."""
    n = xp.asarray(n)
    if n.dtype.kind in "fV":
        n = xp.where(xp.isfinite(n), xp.trunc(n), -1)
    return n.astype(xp.int64)


def _three_term(x, n, p1, step):
    """P_n(x) for the family with P_0 = 1, P_1 = ``p1(x)`` and P_(k+1) = ``step(k, x, P_k,
    P_(k-1))``; 0 where n < 0.  The loop runs over the degrees, each step over every element."""
    n = _degrees(n)
    x, n = xp.broadcast_arrays(x, n)
    out = xp.where(n == 0, 1.0, 0.0).astype(x.dtype)
    top = int(n.max()) if n.size else 0
    if top < 1:
        return out
    prev, cur = xp.ones_like(x), p1(x)
    out = xp.where(n == 1, cur, out)
    for k in range(1, top):
        prev, cur = cur, step(k, x, cur, prev)
        out = xp.where(n == k + 1, cur, out)
    return out


def _recurrence(p1, step):
    return lambda x, n: _three_term(x, n, p1, step)


def _chebyshev_step(k, x, cur, prev):
    return 2 * x * cur - prev


def _shifted(poly):
    return lambda x, n: poly(2 * x - 1, n)


_chebyshev_t = _recurrence(lambda x: x, _chebyshev_step)
_chebyshev_u = _recurrence(lambda x: 2 * x, _chebyshev_step)
_chebyshev_v = _recurrence(lambda x: 2 * x - 1, _chebyshev_step)
_chebyshev_w = _recurrence(lambda x: 2 * x + 1, _chebyshev_step)
_POLYNOMIALS = {
    "chebyshev_polynomial_t": _chebyshev_t,
    "chebyshev_polynomial_u": _chebyshev_u,
    "chebyshev_polynomial_v": _chebyshev_v,
    "chebyshev_polynomial_w": _chebyshev_w,
    "shifted_chebyshev_polynomial_t": _shifted(_chebyshev_t),
    "shifted_chebyshev_polynomial_u": _shifted(_chebyshev_u),
    "shifted_chebyshev_polynomial_v": _shifted(_chebyshev_v),
    "shifted_chebyshev_polynomial_w": _shifted(_chebyshev_w),
    # physicists' and probabilists' Hermite polynomials
    "hermite_polynomial_h": _recurrence(
        lambda x: 2 * x, lambda k, x, cur, prev: 2 * x * cur - 2 * k * prev
    ),
    "hermite_polynomial_he": _recurrence(lambda x: x, lambda k, x, cur, prev: x * cur - k * prev),
    "laguerre_polynomial_l": _recurrence(
        lambda x: 1 - x, lambda k, x, cur, prev: ((2 * k + 1 - x) * cur - k * prev) / (k + 1)
    ),
    "legendre_polynomial_p": _recurrence(
        lambda x: x, lambda k, x, cur, prev: ((2 * k + 1) * x * cur - k * prev) / (k + 1)
    ),
}


def _polynomial(name, evaluate):
    def forward(x, n):
        values = _float_result(x, x, n)
        with xp.errstate(all="ignore"):
            return _float_result(evaluate(values, n), x, n)

    forward.__name__ = "special_" + name
    return op(inputs="x n", broadcast=True, promote="float", method=False, numbers="x n")(forward)


_POLYNOMIAL_OPS = {name: _polynomial(name, f) for name, f in _POLYNOMIALS.items()}


# --- triangular linear algebra ------------------------------------------------------------------


def _mT(a):
    return a.transpose(-2, -1)


def _mH(t):
    """The conjugate transpose of each matrix (the transpose of a real one)."""
    return cj(_mT(t))


def _cholesky_grad(g, n):
    # For A = L L^H: with P the lower triangle of L^H dL, dA = L^-H M L^-1, M = (P + Q^H) / 2
    # with Q the strict lower triangle of P (H: the transpose of a real matrix).  M is Hermitian
    # but for its diagonal, whose imaginary part stays, as in PyTorch's convention.
    L = n.result
    if n.upper:  # the result is L^H
        L, g = _mH(L), _mH(g)
    P = (_mH(L) @ g).tril()
    M = _mul_scalar(P + _mH(P.tril(-1)), 0.5)
    return solve_triangular(L, solve_triangular(_mH(L), M, upper=True), upper=False, left=False)


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
    # the upper factor of A's upper triangle is the conjugate-transposed lower factor of A^H's
    # lower one
    a = xp.swapaxes(self, -1, -2).conj() if upper else self
    try:
        L = xp.linalg.cholesky(a).astype(self.dtype, copy=False)
        return column_major(xp.swapaxes(L, -1, -2).conj() if upper else L)
    except xp.linalg.LinAlgError:
        pass
    # name the first minor that is not positive-definite, as PyTorch does
    for k in range(1, a.shape[-1] + 1):
        try:
            xp.linalg.cholesky(a[..., :k, :k])
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
    return _cholesky(A, upper)


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
        _mH(n.self), g, upper=not n.upper, left=n.left, unitriangular=n.unitriangular
    )


def _solve_b_grad(g, n):
    return _summed_to(_solve_b_full(g, n), n.B_shape)


def _solve_a_grad(g, n):
    gb = _solve_b_full(g, n)
    X = n.result
    ga = -(gb @ _mH(X)) if n.left else -(_mH(X) @ gb)
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
    if not A.size or not b.size:
        return xp.zeros(shape + b.shape[-2:], dtype=xp.result_type(A, b))
    try:
        from scipy.linalg import blas
    except ImportError:  # pragma: no cover - SciPy is present where retrograd is tested
        return xp.linalg.solve(A, b)
    # BLAS's triangular solve, one call per matrix (NumPy has none): like PyTorch's, it gives
    # inf and nan at a zero on the diagonal rather than an error. Each A[i].T is A[i]^T in the
    # column-major layout BLAS reads, which trans_a=1 turns back into A[i] (its other triangle).
    dtype = xp.result_type(A, b)
    trsm = blas.get_blas_funcs("trsm", (xp.empty(0, dtype),))
    out = xp.empty(shape + b.shape[-2:], dtype=dtype)
    for i in xp.ndindex(*shape):
        out[i] = trsm(1.0, A[i].T, b[i], lower=int(upper), trans_a=1)
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
        return column_major(
            _solve_raw(self, B, upper, left, unitriangular).astype(self.dtype, copy=False)
        )


@_autocast.float32
def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """``torch.linalg.solve_triangular``: X with A X = B (X A = B when ``left`` is False), reading
    only the triangle of A that ``upper`` names."""
    return _solve_triangular(A, B, upper, left, unitriangular)


@tensor_method
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """``torch.diag_embed``: the last dimension laid along the diagonal of new matrices, whose
    rows and columns are the result's dimensions ``dim1`` and ``dim2``."""
    return _diag_embed(input, offset, dim1, dim2)


__all__ = [
    "_standard_gamma_grad",
    "diag_embed",
    "digamma",
    "erfc",
    "erfinv",
    "exp2",
    "i0",
    "igamma",
    "igammac",
    "lgamma",
    "mvlgamma",
    "polygamma",
    "xlogy",
]
