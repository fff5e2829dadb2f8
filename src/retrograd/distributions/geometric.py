"""``torch.distributions.Geometric``: the number of failures before the first success."""

from numbers import Number

from .. import creation as _creation
from ..autograd import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..tensor import Size
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution, _expand_params
from .utils import _finfo, broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    """Failures before the first success in trials of success probability ``probs``."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        super().__init__(
            Size() if isinstance(given, Number) else param.size(), validate_args=validate_args
        )
        if self._validate_args and probs is not None:  # a success must be possible
            valid = self.probs > 0
            if not bool(valid.all()):
                raise ValueError(
                    f"Expected parameter probs ({type(self.probs).__name__} of shape "
                    f"{tuple(self.probs.shape)}) of distribution {self!r} to satisfy the "
                    f"constraint {constraints.positive!r}, but found invalid values:\n"
                    f"{self.probs.detach()[~valid]}"
                )

    def expand(self, batch_shape, _instance=None):
        return _expand_params(self, Geometric, batch_shape, ("probs", "logits"), _instance)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return _creation.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        tiny = float(_finfo(self.probs.dtype).tiny)
        with no_grad():
            u = _creation.empty(shape, dtype=self.probs.dtype).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # (a certain success at 0 failures: 0 * log(0) is 0 there, not nan)
        probs = probs.masked_fill((probs == 1) & (value == 0), 0.0)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return (
            binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
        )
