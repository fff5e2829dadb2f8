"""``torch.distributions.Dirichlet``."""

from ..autograd import no_grad
from ..dtypes import finfo
from ..nn.functional import one_hot
from ..ops.sampling import _standard_gamma
from ..ops.special import _dirichlet_rsample, digamma, lgamma, xlogy
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution on the simplex with ``concentration`` along the last dimension.
    Samples are normalised standard gamma draws, as PyTorch's; their gradient in the concentration
    is not built (it raises)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(
            concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args
        )

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape + self.event_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        concentration = self.concentration.expand(tuple(self._extended_shape(sample_shape)))
        dtype = concentration.dtype
        with no_grad():
            # As PyTorch's sampler: gamma draws and their normalisation in float64 whatever the
            # dtype, kept inside (0, 1) in the dtype and rounded to it once.
            g = _standard_gamma(concentration.detach().double())
            limits = finfo(dtype)
            x = (g / g.sum(-1, keepdim=True)).clamp(limits.tiny, 1 - limits.eps / 2).to(dtype)
        return _dirichlet_rsample(concentration, x._data)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return xlogy(c - 1.0, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        all_below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        corner = one_hot(mode.argmax(dim=-1), cm1.shape[-1]).to(mode.dtype)
        return corner.where(all_below_one, mode)

    @property
    def variance(self):
        c = self.concentration
        c0 = c.sum(-1, True)
        return c * (c0 - c) / (c0.pow(2) * (c0 + 1))

    def entropy(self):
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (
            lgamma(c).sum(-1)
            - lgamma(a0)
            - (k - a0) * digamma(a0)
            - ((c - 1.0) * digamma(c)).sum(-1)
        )

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
