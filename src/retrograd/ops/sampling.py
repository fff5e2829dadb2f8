"""Sampling ops that make new tensors: ``bernoulli``, ``multinomial``, ``normal`` with tensor
arguments, ``poisson``, ``binomial`` and ``_standard_gamma``, all drawing PyTorch's numbers from
its generator through ``_sampling``.

Each records PyTorch's node: the samples do not vary with the parameters, so the gradient is zero
(``BernoulliBackward0``, ``NormalBackward1/2/3``, ``PoissonBackward0``), or PyTorch has none
(``bernoulli`` with a float ``p``, ``binomial``: a ``NotImplemented`` node that raises), or it is
the implicit reparameterisation gradient (``StandardGammaBackward0``, through
``_standard_gamma_grad``).
"""

from .. import _sampling
from .._array import xp
from .._generator import resolve
from .._out import check_out, write_out
from ..tensor import Tensor, _make
from . import pointwise as _p
from .pointwise import _dtype_name
from .registry import op, tensor_method
from .special import _standard_gamma_grad

__all__ = ["bernoulli", "binomial", "multinomial", "poisson"]


_zero = _p.zero_grad


@op(inputs="mean", grads=(_zero,), node="NormalBackward1", method=False)
def _normal_mean(mean, values):
    return values


@op(inputs="std", grads=(_zero,), node="NormalBackward2", method=False)
def _normal_std(std, values):
    return values


@op(inputs="mean std", grads=(_zero, _zero), broadcast=True, node="NormalBackward3", method=False)
def _normal_both(mean, std, values):
    return values


@op(grads=(_zero,), node="BernoulliBackward0", method=False)
def _bernoulli_p(self, values):
    return values


@op(grads=(_p._no_derivative,), node="torch::autograd::NotImplemented", method=False)
def _bernoulli_float(self, values, aten):
    return values


@op(grads=(_zero,), node="PoissonBackward0", method=False)
def _poisson(self, values):
    return values


@op(
    inputs="count prob",
    grads=(_p._no_derivative, _p._no_derivative),
    broadcast=True,
    node="torch::autograd::NotImplemented",
    method=False,
)
def _binomial(count, prob, values, aten):
    return values


def _gamma_grad(grad, node):
    # the implicit reparameterisation gradient of the samples in their shapes
    return grad * _standard_gamma_grad(node.self, node.result)


@op(saves="self result", grads=(_gamma_grad,), node="StandardGammaBackward0", method=False)
def _gamma(self, values):
    return values


def normal_tensors(gen, mean, std):
    """``torch.normal`` with a tensor ``mean`` and/or ``std``: standard normals scaled afterwards,
    as PyTorch does (``z * std + mean``); a float ``std`` is applied while drawing."""
    if isinstance(mean, Tensor) and isinstance(std, Tensor):
        shape = xp.broadcast_shapes(mean.shape, std.shape)
        dt = mean._data.dtype
        z = _sampling.normal(gen, _count(shape), dt).reshape(shape)
        return _normal_both(mean, std, (z * std._data + mean._data).astype(dt, copy=False))
    if isinstance(mean, Tensor):
        dt = mean._data.dtype
        z = _sampling.normal(gen, mean._data.size, dt, 0.0, float(std))
        return _normal_mean(mean, z.reshape(mean.shape) + mean._data)
    dt = std._data.dtype
    z = _sampling.normal(gen, std._data.size, dt).reshape(std.shape)
    return _normal_std(std, (z * std._data + dt.type(mean)).astype(dt, copy=False))


def _count(shape):
    n = 1
    for s in shape:
        n *= s
    return n


@tensor_method
def bernoulli(input, p=None, *, generator=None, out=None):
    """``torch.bernoulli``: 1 with the probability in each element of ``input`` (or with the
    float ``p``), else 0, in ``input``'s dtype."""
    if out is not None:
        check_out("bernoulli", out, (input,))
        return write_out("bernoulli", bernoulli(input, p, generator=generator), out, (input,))
    gen = resolve(generator)
    a = input._data
    if p is None:
        if ((a < 0) | (a > 1)).any():
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                "(Could this error message be improved?  If so, please report an "
                "enhancement request to PyTorch.)"
            )
        hits = _sampling.bernoulli_tensor(gen, a.reshape(-1))  # into a contiguous result
        return _bernoulli_p(input, hits.reshape(a.shape).astype(a.dtype))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    hits = _sampling.bernoulli_scalar(gen, a.size, p)
    return _bernoulli_float(input, hits.reshape(a.shape).astype(a.dtype), aten="bernoulli")


def _check_multinomial(a, n_sample, replacement):
    if not 1 <= a.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if a.dtype.kind not in "fV":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {_dtype_name(a)}"
        )
    if n_sample <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and n_sample > a.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if a.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    if a.size == 0:
        return
    if not (a.max() < xp.inf and a.min() >= 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (a.reshape(-1, a.shape[-1]).sum(axis=1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


@tensor_method
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """``torch.multinomial``: ``num_samples`` category indices per row, drawn in proportion to the
    row's weights (PyTorch's draws: exponential races without replacement, a binary search of the
    running sum with replacement)."""
    if out is not None:
        check_out("multinomial", out, (input,))
        return write_out(
            "multinomial",
            multinomial(input, num_samples, replacement, generator=generator),
            out,
            (input,),
        )
    a = input._data
    num_samples = int(num_samples)
    _check_multinomial(a, num_samples, replacement)
    shape = (num_samples,) if a.ndim == 1 else (a.shape[0], num_samples)
    if a.size == 0:
        return _make(xp.zeros(shape, dtype=xp.int64))
    rows = a.reshape(-1, a.shape[-1])
    picks = _sampling.multinomial(resolve(generator), rows, num_samples, replacement)
    return _make(picks.reshape(shape).astype(xp.int64, copy=False))


def poisson(input, generator=None):
    """``torch.poisson``: Poisson counts with the rates in ``input``, PyTorch's draws."""
    a = input._data
    rates = a.astype(xp.float64).reshape(-1)  # into a contiguous result, in its order
    if (rates < 0).any() or xp.isnan(rates).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    counts = _sampling.poisson(resolve(generator), rates)
    return _poisson(input, counts.reshape(a.shape).astype(a.dtype))


def binomial(count, prob, generator=None):
    """``torch.binomial``: successes in ``count`` trials of probability ``prob``, PyTorch's draws."""
    n = count._data
    p = xp.broadcast_to(prob._data, n.shape).astype(n.dtype)
    values = _sampling.binomial(resolve(generator), n.reshape(-1), p.reshape(-1))
    return _binomial(count, prob, values.reshape(n.shape).astype(n.dtype), aten="binomial")


def _standard_gamma(input, generator=None):
    """``torch._standard_gamma``: Gamma(alpha, 1) samples for the shapes ``alpha`` in ``input``,
    PyTorch's draws (its normals shared with the generator's cached one)."""
    a = input._data
    values = _sampling.standard_gamma(resolve(generator), a.reshape(-1))
    return _gamma(input, values.reshape(a.shape))
