"""``torch.distributions.ContinuousBernoulli``: the density C(lambda) lambda^x (1 - lambda)^(1 - x)
on [0, 1], with C(lambda) = 2 atanh(1 - 2 lambda) / (1 - 2 lambda) its normalising constant."""

import math
from numbers import Number

from .. import creation as _creation
from ..autograd import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..ops import where
from ..tensor import Size
from . import constraints
from .bernoulli import _one_of
from .distribution import _expand_params
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    """The continuous Bernoulli distribution, given ``probs`` or ``logits``. Inside ``lims``
    (around 0.5, where the closed forms divide 0 by 0) values come from Taylor expansions."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            # checked before clamping, which would otherwise hide values outside [0, 1]
            if validate_args is not None and not bool(
                self.arg_constraints["probs"].check(param).all()
            ):
                raise ValueError("The parameter probs has invalid values")
            param = clamp_probs(param)
            self.probs = param
        else:
            self.logits = param
        self._param = param
        self._lims = lims
        super().__init__(
            Size() if isinstance(given, Number) else param.size(), validate_args=validate_args
        )

    def expand(self, batch_shape, _instance=None):
        new = _expand_params(self, ContinuousBernoulli, batch_shape, ("probs", "logits"), _instance)
        new._lims = self._lims
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.size()

    def _outside_unstable_region(self):
        return (self.probs < self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        # inside the unstable region the closed forms see lims[0] instead, so that neither
        # they nor their gradients turn to nan there (their results are not used)
        return where(
            self._outside_unstable_region(),
            self.probs,
            self._lims[0] * _creation.ones_like(self.probs),
        )

    def _log_odds_gap(self, p):
        # log(1 - p) - log(p) = 2 atanh(1 - 2p)
        return (-p).log1p() - p.log()

    def _cont_bern_log_norm(self):
        """log C(probs)."""
        p = self._cut_probs()
        p_low = where(p <= 0.5, p, _creation.zeros_like(p))
        p_high = where(p > 0.5, p, _creation.ones_like(p))
        exact = self._log_odds_gap(p).abs().log() - where(
            p <= 0.5, (-2.0 * p_low).log1p(), (2.0 * p_high - 1.0).log()
        )
        x2 = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x2) * x2
        return where(self._outside_unstable_region(), exact, taylor)

    @property
    def mean(self):
        p = self._cut_probs()
        exact = p / (2.0 * p - 1.0) + 1.0 / self._log_odds_gap(p)
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return where(self._outside_unstable_region(), exact, taylor)

    @property
    def stddev(self):
        return self.variance.sqrt()

    @property
    def variance(self):
        p = self._cut_probs()
        exact = p * (p - 1.0) / (1.0 - 2.0 * p).pow(2) + 1.0 / self._log_odds_gap(p).pow(2)
        x2 = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x2) * x2
        return where(self._outside_unstable_region(), exact, taylor)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        u = _creation.rand(tuple(shape), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        bce = binary_cross_entropy_with_logits(logits, value, reduction="none")
        return -bce + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        p = self._cut_probs()
        powered = (value * p.log() + (1.0 - value) * (-p).log1p()).exp()
        exact = (powered + p - 1.0) / (2.0 * p - 1.0)
        inside = where(self._outside_unstable_region(), exact, value)
        return where(
            value <= 0.0,
            _creation.zeros_like(inside),
            where(value >= 1.0, _creation.ones_like(inside), inside),
        )

    def icdf(self, value):
        p = self._cut_probs()
        exact = ((value * (2.0 * p - 1.0) - p).log1p() - (-p).log1p()) / (p.log() - (-p).log1p())
        return where(self._outside_unstable_region(), exact, value)

    def entropy(self):
        log_p0 = (-self.probs).log1p()
        log_p1 = self.probs.log()
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log C as a function of the natural parameter x = logit(probs):
        log((e^x - 1) / x), by its Taylor series near x = 0."""
        outside = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = where(outside, x, (self._lims[0] - 0.5) * _creation.ones_like(x))
        exact = cut.expm1().abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return where(outside, exact, taylor)
