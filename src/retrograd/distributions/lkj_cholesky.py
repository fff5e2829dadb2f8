"""``torch.distributions.LKJCholesky``: the LKJ distribution over correlation matrices, on their
lower Cholesky factors: density proportional to det(R)^(concentration - 1)."""

import math
from numbers import Number

from .. import creation as _creation
from ..autograd import no_grad
from ..ops import cat
from ..ops.special import lgamma
from ..tensor import Size
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import _finfo, broadcast_all

__all__ = ["LKJCholesky"]


def _mvlgamma(a, p):
    """log of the multivariate gamma function Gamma_p(a)."""
    total = p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        total = total + lgamma(a - j / 2)
    return total


class LKJCholesky(Distribution):
    """Lower Cholesky factors L of dim x dim correlation matrices R = L L^T with density
    proportional to det(R)^(concentration - 1). Sampled by the onion method: row i is
    sqrt(y_i) times a uniform direction in its first i coordinates, y_i ~ Beta, and the
    diagonal entry completes the unit norm."""

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(
                f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}."
            )
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = Size() if isinstance(concentration, Number) else self.concentration.size()
        event_shape = Size((dim, dim))
        # row i's squared off-diagonal norm y_i ~ Beta(i/2, c + (dim - 2 - i)/2) (row 0 unused)
        offset = _creation.arange(dim - 1, dtype=self.concentration.dtype)
        offset = cat([offset.new_zeros((1,)), offset])
        marginal = self.concentration + 0.5 * (dim - 2)
        self._beta = Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=()):
        with no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            shape = tuple(self._extended_shape(sample_shape))
            u = _creation.empty(shape, dtype=y.dtype).normal_().tril(-1)
            direction = u / u.pow(2).sum(-1, keepdim=True).sqrt()
            direction[..., 0, :].fill_(0.0)  # row 0 has no off-diagonal entries (0 / 0 above)
            w = y.sqrt() * direction
            eps = float(_finfo(w.dtype).tiny)
            diagonal = (1 - w.pow(2).sum(-1)).clamp(min=eps).sqrt()
            return w + diagonal.diag_embed()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diagonal = value.diagonal(dim1=-2, dim2=-1)[..., 1:]
        order = _creation.arange(2, self.dim + 1, dtype=value.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = (
            0.5 * dm1 * math.log(math.pi) + _mvlgamma(alpha - 0.5, dm1) - lgamma(alpha) * dm1
        )
        return unnormalized - normalizer
