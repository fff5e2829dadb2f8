"""``torch.distributions.GeneralizedPareto``: the peaks-over-threshold law with cdf
1 - (1 + concentration z)^(-1 / concentration), z = (x - loc) / scale (1 - exp(-z) at 0)."""

import math
from numbers import Number

from .. import creation as _creation
from ..ops import where
from ..tensor import Size
from . import constraints
from .distribution import Distribution, _expand_params
from .utils import broadcast_all

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """The generalised Pareto distribution: support [loc, inf) for concentration >= 0 and
    [loc, loc - scale / concentration] below 0; concentrations within ``isclose`` of 0 use the
    exponential limit."""

    arg_constraints = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "concentration": constraints.real,
    }
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        numbers = all(isinstance(v, Number) for v in (loc, scale, concentration))
        super().__init__(Size() if numbers else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_params(
            self, GeneralizedPareto, batch_shape, ("loc", "scale", "concentration"), _instance
        )

    def _near_zero(self):
        return self.concentration.isclose(_creation.zeros_like(self.concentration))

    def _safe_concentration(self):
        # 1 where the exponential limit applies, so that dividing by it stays finite
        return where(self._near_zero(), _creation.ones_like(self.concentration), self.concentration)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        u = _creation.rand(tuple(shape), dtype=self.loc.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        xi = self._safe_concentration()
        general = -(xi.reciprocal() + 1.0) * (xi * z).log1p()
        return where(self._near_zero(), -z, general) - self.scale.log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        z = where(z >= 0, z, _creation.full_like(z, math.nan))  # nan below loc
        xi = self._safe_concentration()
        log_survival = where(self._near_zero(), -z, -(xi * z).log1p() / xi)
        return -log_survival.expm1()

    def icdf(self, value):
        log_survival = (-value).log1p()
        xi = self._safe_concentration()
        z = where(self._near_zero(), -log_survival, (-xi * log_survival).expm1() / xi)
        return self.loc + self.scale * z

    @property
    def mean(self):
        xi = self.concentration
        finite = self.loc + self.scale / (1.0 - xi)
        return where(xi < 1, finite, _creation.full_like(finite, math.nan))

    @property
    def variance(self):
        xi = self.concentration
        finite = self.scale.pow(2) / ((1.0 - xi).pow(2) * (1.0 - 2.0 * xi))
        return where(xi < 0.5, finite, _creation.full_like(finite, math.nan))

    @property
    def mode(self):
        return self.loc

    def entropy(self):
        return self.scale.log() + self.concentration + 1.0

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        xi = self.concentration
        upper = where(
            xi < 0,
            self.loc - self.scale / xi,
            _creation.full_like(self.loc, math.inf),
        )
        return constraints.interval(self.loc, upper)
