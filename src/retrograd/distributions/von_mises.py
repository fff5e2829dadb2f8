"""``torch.distributions.VonMises``: the circular normal distribution on [-pi, pi), density
exp(concentration cos(x - loc)) / (2 pi I0(concentration))."""

import math
from numbers import Number

from .. import creation as _creation
from ..autograd import no_grad
from ..ops import where
from ..tensor import Size
from . import constraints
from .distribution import Distribution, _expand_params
from .utils import broadcast_all, lazy_property

__all__ = ["VonMises"]

# Polynomial approximations of the modified Bessel functions I0 and I1 (Abramowitz and Stegun,
# 9.8.1 to 9.8.4; relative error below about 2e-7): for x < 3.75 in y = (x / 3.75)^2 of I0(x)
# and I1(x) / x, above it in t = 3.75 / x of sqrt(x) exp(-x) I(x). PyTorch evaluates the same
# series, so log_prob and variance agree with it to rounding, not only to 2e-7.
_SMALL = (
    (1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813),
    (0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411),
)
_LARGE = (
    (
        0.39894228,
        0.01328592,
        0.00225319,
        -0.00157565,
        0.00916281,
        -0.02057706,
        0.02635537,
        -0.01647633,
        0.00392377,
    ),
    (
        0.39894228,
        -0.03988024,
        -0.00362018,
        0.00163801,
        -0.01031555,
        0.02282967,
        -0.02895312,
        0.01787654,
        -0.00420059,
    ),
)


def _horner(coefficients, x):
    result = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        result = result * x + c
    return result


def _log_modified_bessel(x, order):
    """log I_order(x) for x > 0, order 0 or 1."""
    # each series on its own side of 3.75 only (clamped), so that neither overflows
    y = (x.clamp(max=3.75) / 3.75).pow(2)
    small = _horner(_SMALL[order], y).log()
    if order == 1:
        small = x.log() + small
    t = 3.75 / x.clamp(min=3.75)
    large = x - 0.5 * x.log() + _horner(_LARGE[order], t).log()
    return where(x < 3.75, small, large)


def _rejection_sample(loc, concentration, proposal_r, x):
    """Best and Fisher's (1979) wrapped-Cauchy rejection sampler; every round draws three
    uniforms per element (3 x shape) and fills the elements still waiting."""
    done = _creation.zeros(tuple(x.shape), dtype=bool)
    while not bool(done.all()):
        u = _creation.rand(*((3,) + tuple(x.shape)), dtype=loc.dtype)
        u1, u2, u3 = u.unbind()
        z = (math.pi * u1).cos()
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        if bool(accept.any()):
            x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
            done = done | accept
    return (x + math.pi + loc).remainder(2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution over angles, centred on ``loc`` with ``concentration``
    kappa; ``sample`` is not reparameterised (PyTorch's rejection sampler, on its stream)."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        numbers = isinstance(loc, Number) and isinstance(concentration, Number)
        super().__init__(Size() if numbers else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_params(self, VonMises, batch_shape, ("loc", "concentration"), _instance)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return log_prob - math.log(2 * math.pi) - _log_modified_bessel(self.concentration, 0)

    @lazy_property
    def _proposal_r(self):
        # r = (1 + rho^2) / (2 rho), rho = (tau - sqrt(2 tau)) / (2 kappa),
        # tau = 1 + sqrt(1 + 4 kappa^2); 1 / kappa + kappa (its expansion) for tiny kappa
        kappa = self.concentration.double()
        tau = 1 + (1 + 4 * kappa.pow(2)).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        r = (1 + rho.pow(2)) / (2 * rho)
        return where(kappa < 1e-5, kappa.reciprocal() + kappa, r)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            x = _creation.empty(shape, dtype=self.loc.dtype)
            return _rejection_sample(
                self.loc.double(), self.concentration.double(), self._proposal_r, x.double()
            ).to(self.loc.dtype)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        kappa = self.concentration
        ratio = (_log_modified_bessel(kappa, 1) - _log_modified_bessel(kappa, 0)).exp()
        return 1 - ratio
