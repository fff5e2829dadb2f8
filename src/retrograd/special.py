"""``retrograd.special`` (PyTorch's ``torch.special``): special functions.

Where PyTorch's function is another op under a second name (``expit`` is ``sigmoid``, ``psi`` is
``digamma``, ``gammainc`` is ``igamma``), it is that same op here, with that op's node.
"""

from . import ops as _ops
from .ops import special as _s
from .ops.nnops import erf
from .ops.pointwise import expm1, log1p, logit, sigmoid, sinc
from .ops.pointwise import round as _round
from .ops.reduction import log_softmax, logsumexp, softmax
from .ops.special import (
    digamma,
    erfc,
    erfinv,
    exp2,
    i0,
    ndtr,
    polygamma,
    xlog1py,
    xlogy,
    zeta,
)
from .ops.special import igamma as gammainc
from .ops.special import igammac as gammaincc
from .ops.special import lgamma as gammaln
from .ops.special import mvlgamma as multigammaln
from .tensor import Tensor

# the package's own functions, which check their arguments' kinds (see ops.arguments)
gammainc, gammaincc, polygamma, xlogy = _ops.igamma, _ops.igammac, _ops.polygamma, _ops.xlogy  # noqa: F811

expit = sigmoid
psi = digamma


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """``torch.special.round``: ``torch.round`` with ``decimals`` (0 by default), so its node is
    ``RoundBackward1`` and an integer tensor is refused, as PyTorch does."""
    return _round(input, decimals=decimals)


entr = _s.special_entr
erfcx = _s.special_erfcx
log_ndtr = _s.special_log_ndtr
ndtri = _s.special_ndtri
i0e = _s.special_i0e
i1 = _s.special_i1
i1e = _s.special_i1e
airy_ai = _s.special_airy_ai
bessel_j0 = _s.special_bessel_j0
bessel_j1 = _s.special_bessel_j1
bessel_y0 = _s.special_bessel_y0
bessel_y1 = _s.special_bessel_y1
modified_bessel_i0 = _s.special_modified_bessel_i0
modified_bessel_i1 = _s.special_modified_bessel_i1
modified_bessel_k0 = _s.special_modified_bessel_k0
modified_bessel_k1 = _s.special_modified_bessel_k1
scaled_modified_bessel_k0 = _s.special_scaled_modified_bessel_k0
scaled_modified_bessel_k1 = _s.special_scaled_modified_bessel_k1
spherical_bessel_j0 = _s.special_spherical_bessel_j0
_P = _s._POLYNOMIAL_OPS
chebyshev_polynomial_t = _P["chebyshev_polynomial_t"]
chebyshev_polynomial_u = _P["chebyshev_polynomial_u"]
chebyshev_polynomial_v = _P["chebyshev_polynomial_v"]
chebyshev_polynomial_w = _P["chebyshev_polynomial_w"]
shifted_chebyshev_polynomial_t = _P["shifted_chebyshev_polynomial_t"]
shifted_chebyshev_polynomial_u = _P["shifted_chebyshev_polynomial_u"]
shifted_chebyshev_polynomial_v = _P["shifted_chebyshev_polynomial_v"]
shifted_chebyshev_polynomial_w = _P["shifted_chebyshev_polynomial_w"]
hermite_polynomial_h = _P["hermite_polynomial_h"]
hermite_polynomial_he = _P["hermite_polynomial_he"]
laguerre_polynomial_l = _P["laguerre_polynomial_l"]
legendre_polynomial_p = _P["legendre_polynomial_p"]

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]


def _take_out():
    """PyTorch's ``out=`` on the functions here that are written by hand (the op-table ops take it
    themselves)."""
    from ._out import with_out

    g = globals()
    aliases = {"gammainc": "igamma", "gammaincc": "igammac"}  # (torch's ops of those names)
    for name in "gammainc gammaincc ndtr polygamma round xlog1py xlogy zeta".split():
        g[name] = with_out(g[name], aliases.get(name, name))


_take_out()
