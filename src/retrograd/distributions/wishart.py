"""``torch.distributions.Wishart``: the distribution of sums of ``df`` outer products of normal
vectors with covariance ``covariance_matrix`` (or its precision matrix, or its lower Cholesky
factor ``scale_tril``), over positive definite matrices."""

import math
import warnings
from numbers import Number

from .. import creation as _creation
from ..linalg import slogdet
from ..linalg import solve as linalg_solve
from ..ops.special import cholesky, digamma, mvlgamma, solve_triangular
from ..tensor import Size
from . import constraints
from .exp_family import ExponentialFamily
from .gamma import Chi2
from .multivariate_normal import _broadcast_shapes, _precision_to_scale_tril
from .utils import _finfo, _standard_normal, lazy_property

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The derivative of the log multivariate gamma function: sum of digamma(x - i/2), i < p."""
    halves = _creation.arange(p, dtype=x.dtype) / 2
    return digamma(x.unsqueeze(-1) - halves).sum(-1)


class Wishart(ExponentialFamily):
    """``Wishart(df, covariance_matrix=None, precision_matrix=None, scale_tril=None)``; samples
    by the Bartlett decomposition (the scale's Cholesky factor times a lower triangular matrix of
    chi and standard normal draws), drawing from the generator as PyTorch does."""

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {
            "covariance_matrix": constraints.positive_definite,
            "precision_matrix": constraints.positive_definite,
            "scale_tril": constraints.lower_cholesky,
            "df": constraints.greater_than(self.event_shape[-1] - 1),
        }

    def __init__(
        self,
        df,
        covariance_matrix=None,
        precision_matrix=None,
        scale_tril=None,
        validate_args=None,
    ):
        given = [
            (name, m)
            for name, m in (
                ("covariance_matrix", covariance_matrix),
                ("precision_matrix", precision_matrix),
                ("scale_tril", scale_tril),
            )
            if m is not None
        ]
        if len(given) != 1:
            raise AssertionError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        name, param = given[0]
        if param.dim() < 2:
            raise ValueError(
                "scale_tril must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if isinstance(df, Number):
            batch_shape = Size(param.shape[:-2])
            self.df = _creation.tensor(df, dtype=param.dtype)
        else:
            batch_shape = _broadcast_shapes(param.shape[:-2], df.shape)
            self.df = df.expand(tuple(batch_shape))
        event_shape = Size(param.shape[-2:])
        p = event_shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        setattr(self, name, param.expand(tuple(batch_shape) + (-1, -1)))
        if bool((self.df < p).any()):
            warnings.warn(
                "Low df values detected. Singular samples are highly likely to occur for "
                "ndim - 1 < df < ndim.",
                stacklevel=2,
            )
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = param
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(param)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(param)
        self._dist_chi2 = self._chi2(batch_shape)

    def _chi2(self, batch_shape):
        """The squared diagonal of the Bartlett factor: chi-squared with df, df - 1, ..."""
        p = self._event_shape[-1]
        steps = _creation.arange(p, dtype=self._unbroadcasted_scale_tril.dtype)
        return Chi2(self.df.unsqueeze(-1) - steps.expand(tuple(batch_shape) + (-1,)))

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = Size(batch_shape)
        cov_shape = tuple(batch_shape + self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(tuple(batch_shape))
        new._batch_dims = [-(x + 1) for x in range(len(batch_shape))]
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(cov_shape))
        ExponentialFamily.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._dist_chi2 = new._chi2(batch_shape)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        return tuple(self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        eye = _creation.eye(L.shape[-1], dtype=L.dtype)
        L_inv = solve_triangular(L, eye, upper=False)
        return (L_inv.mT @ L_inv).expand(self._matrix_shape())

    def _df_matrix(self, df):
        return df.reshape(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self):
        return self._df_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = factor.masked_fill(factor <= 0, math.nan)
        return self._df_matrix(factor) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        d = V.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix(self.df) * (V.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape):
        p = self._event_shape[-1]
        chi = self._dist_chi2.rsample(sample_shape).sqrt()
        chi = chi.clamp(min=_finfo(chi.dtype).eps)
        shape = tuple(Size(sample_shape) + self._batch_shape)
        below = _standard_normal(shape + (p * (p - 1) // 2,), chi.dtype)
        # the normal draws placed below the chi diagonal, row by row (a 0/1 matrix product
        # moves them exactly)
        i, j = _creation.tril_indices(p, p, offset=-1)
        place = _creation.zeros(p * (p - 1) // 2, p * p, dtype=chi.dtype)
        place[_creation.arange(len(i)), i * p + j] = 1
        noise = chi.diag_embed(dim1=-2, dim2=-1) + (below @ place).reshape(shape + (p, p))
        chol = self._unbroadcasted_scale_tril @ noise
        return chol @ chol.mT

    def _checked(self, sample):
        flags = self.support.check(sample)
        return flags.amax(self._batch_dims) if self._batch_shape else flags

    def rsample(self, sample_shape=(), max_try_correction=None):
        """Bartlett samples.  PyTorch 2.13 marks for another draw the samples that *pass* its
        positive-definite check (and warns "Singular sample detected."), so every call draws
        twice; this does the same, so that a seed gives PyTorch's samples."""
        if max_try_correction is None:
            max_try_correction = 10
        sample_shape = Size(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        redraw = self._checked(sample)
        if bool(redraw.any()):
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                count = int(redraw.sum())
                fresh = self._bartlett_sampling(Size((count,)))
                sample[redraw] = fresh
                still = redraw.clone()  # (the mask itself stays as the write saved it)
                still[redraw] = ~self._checked(fresh)
                redraw = still
                if not bool(redraw.any()):
                    break
        return sample

    def _half_log_det_terms(self):
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return p * _LOG_2 / 2 + L.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        # tr(S^-1 X) with S = L L^T formed from the whole of L, so that the gradient of L is
        # the full-matrix one PyTorch's cholesky_solve gives (upper entries included)
        trace = linalg_solve(L @ L.mT, value).diagonal(dim1=-2, dim2=-1).sum(-1)
        return (
            -nu * self._half_log_det_terms()
            - mvlgamma(nu / 2, p)
            + (nu - p - 1) / 2 * slogdet(value).logabsdet
            - trace / 2
        )

    def entropy(self):
        nu = self.df
        p = self._event_shape[-1]
        return (
            (p + 1) * self._half_log_det_terms()
            + mvlgamma(nu / 2, p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )

    @property
    def _natural_params(self):
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (self.df - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return (y + (p + 1) / 2) * (-slogdet(-2 * x).logabsdet + _LOG_2 * p) + mvlgamma(
            y + (p + 1) / 2, p
        )
