"""retrograd.distributions against torch.distributions: every family run with identical inputs on
both libraries, in float64 and float32 — seeded samples, log_prob, entropy, cdf/icdf, moments, shapes
and the gradients of each with respect to the parameters; kl_divergence for the registered pairs;
validate_args errors; and two programs in the style of published ones (a VAE, REINFORCE)."""

import zlib

import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")

DTYPES = ["float64", "float32"]
RNG = np.random.default_rng(0)


def _arrays(*shapes):
    return [RNG.standard_normal(s) for s in shapes]


def _leaf(lib, a, dtype, requires_grad=True):
    return lib.tensor(np.asarray(a), dtype=getattr(lib, dtype), requires_grad=requires_grad)


def _tol(dtype):
    # float64: PyTorch's trigamma (in the gradients of digamma) is good to about 1e-9 relative;
    # a Dirichlet entropy's gradient sums terms of about 20 into results near 0.01, so its
    # absolute error reaches a few 1e-9 (2.0e-9 seen, run to run)
    return dict(rtol=1e-8, atol=1e-8) if dtype == "float64" else dict(rtol=2e-5, atol=2e-6)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _same(a, b, dtype, what):
    assert tuple(a.shape) == tuple(b.shape), what
    assert str(a.dtype) == str(b.dtype), what
    np.testing.assert_allclose(_np(a), _np(b), err_msg=what, equal_nan=True, **_tol(dtype))


# Each case: name -> (constructor(lib, params) , raw parameter arrays, transform to valid values,
# value generator for log_prob/cdf (in numpy, from the dist's mean shape), flags).
def _pos(a):
    return np.exp(a) * 0.5 + 0.1


def _unit(a):
    return 1 / (1 + np.exp(-a))


def _away_from_half(a):
    return 0.5 + np.sign(a) * (0.15 + 0.3 * np.abs(np.tanh(a)))


def _spd(a):
    n = a.shape[-1]
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(a):
    t = (
        np.tril(a, -1) + np.diag(np.exp(np.diagonal(a, axis1=-2, axis2=-1)[0] * 0.3))
        if a.ndim == 2
        else None
    )
    return t


CASES = {
    "Normal": (
        lambda D, p: D.Normal(p[0], p[1]),
        [(3, 2), (2,)],
        [None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample cdf icdf entropy",
    ),
    "Bernoulli_probs": (
        lambda D, p: D.Bernoulli(probs=p[0]),
        [(4,)],
        [_unit],
        lambda s: RNG.integers(0, 2, s).astype(float),
        "sample entropy",
    ),
    "Bernoulli_logits": (
        lambda D, p: D.Bernoulli(logits=p[0]),
        [(2, 3)],
        [None],
        lambda s: RNG.integers(0, 2, s).astype(float),
        "sample entropy",
    ),
    "Categorical_probs": (
        lambda D, p: D.Categorical(probs=p[0]),
        [(3, 4)],
        [_pos],
        lambda s: RNG.integers(0, 4, s[:-1] if s else ()).astype(float),
        "sample entropy",
    ),
    "Categorical_logits": (
        lambda D, p: D.Categorical(logits=p[0]),
        [(2, 5)],
        [None],
        lambda s: RNG.integers(0, 5, (7, 2)).astype(float),
        "sample entropy",
    ),
    "OneHotCategorical": (
        lambda D, p: D.OneHotCategorical(logits=p[0]),
        [(2, 3)],
        [None],
        lambda s: np.eye(3)[RNG.integers(0, 3, (2,))],
        "sample entropy",
    ),
    "Uniform": (
        lambda D, p: D.Uniform(p[0], p[0] + p[1]),
        [(3,), (3,)],
        [None, _pos],
        None,
        "sample rsample cdf icdf entropy",
    ),
    "Exponential": (
        lambda D, p: D.Exponential(p[0]),
        [(4,)],
        [_pos],
        lambda s: np.abs(RNG.standard_normal(s)),
        "sample rsample cdf icdf entropy",
    ),
    "Laplace": (
        lambda D, p: D.Laplace(p[0], p[1]),
        [(2, 3), (3,)],
        [None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample cdf icdf entropy",
    ),
    "MultivariateNormal_cov": (
        lambda D, p: D.MultivariateNormal(p[0], covariance_matrix=p[1]),
        [(2, 3), (3, 3)],
        [None, _spd],
        lambda s: RNG.standard_normal((4,) + s),
        "sample rsample entropy",
    ),
    "MultivariateNormal_tril": (
        lambda D, p: D.MultivariateNormal(p[0], scale_tril=p[1]),
        [(3,), (2, 3, 3)],
        [None, lambda a: np.tril(a, -1) + np.eye(3) * 1.5],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
    "MultivariateNormal_prec": (
        lambda D, p: D.MultivariateNormal(p[0], precision_matrix=p[1]),
        [(3,), (3, 3)],
        [None, _spd],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
    "Cauchy": (
        lambda D, p: D.Cauchy(p[0], p[1]),
        [(2, 3), (3,)],
        [None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample cdf icdf entropy",
    ),
    "Gumbel": (
        lambda D, p: D.Gumbel(p[0], p[1]),
        [(3,), (2, 3)],
        [None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
    "LogNormal": (
        lambda D, p: D.LogNormal(p[0], p[1]),
        [(3,), (3,)],
        [None, _pos],
        lambda s: np.exp(RNG.standard_normal(s)),
        "sample rsample cdf icdf entropy",
    ),
    "RelaxedBernoulli": (
        lambda D, p: D.RelaxedBernoulli(p[1], logits=p[0]),
        [(2, 3), ()],
        [None, _pos],
        lambda s: RNG.uniform(0.05, 0.95, s),
        "sample rsample",
    ),
    "RelaxedOneHotCategorical": (
        lambda D, p: D.RelaxedOneHotCategorical(p[1], probs=p[0]),
        [(2, 4), ()],
        [_pos, _pos],
        lambda s: _simplex_points(s),
        "sample rsample",
    ),
    "Transformed_affine_tanh": (
        lambda D, p: D.TransformedDistribution(
            D.Normal(p[0], p[1]), [D.AffineTransform(0.5, p[2]), D.TanhTransform(cache_size=1)]
        ),
        [(3,), (3,), (3,)],
        [None, _pos, _pos],
        lambda s: RNG.uniform(-0.9, 0.9, s),
        "sample rsample",
    ),
    "Transformed_sigmoid_power": (
        lambda D, p: D.TransformedDistribution(
            D.Normal(p[0], p[1]), [D.SigmoidTransform(), D.PowerTransform(p[2])]
        ),
        [(2, 3), (3,), (3,)],
        [None, _pos, _pos],
        lambda s: RNG.uniform(0.1, 0.9, s),
        "sample rsample",
    ),
    "Transformed_stickbreaking": (
        lambda D, p: D.TransformedDistribution(D.Normal(p[0], p[1]), D.StickBreakingTransform()),
        [(2, 3), (3,)],
        [None, _pos],
        lambda s: _simplex_points(s),
        "sample rsample",
    ),
    "Transformed_softplus_exp_inv": (
        lambda D, p: D.TransformedDistribution(
            D.Normal(p[0], p[1]),
            [
                D.SoftplusTransform(),
                D.ExpTransform().inv,
                D.AffineTransform(p[2], 2.0, event_dim=1),
            ],
        ),
        [(3,), (3,), (3,)],
        [None, _pos, None],
        lambda s: RNG.standard_normal(s),
        "sample rsample",
    ),
    "Poisson": (
        lambda D, p: D.Poisson(p[0]),
        [(2, 3)],
        [_pos],
        lambda s: RNG.integers(0, 5, s).astype(float),
        "sample",
    ),
    "Binomial_probs": (
        lambda D, p: D.Binomial(5, probs=p[0]),
        [(4,)],
        [_unit],
        lambda s: RNG.integers(0, 6, s).astype(float),
        "sample entropy",
    ),
    "Binomial_logits": (
        lambda D, p: D.Binomial(p[1].detach().round(), logits=p[0]),
        [(2, 3), (3,)],
        [None, lambda a: np.abs(a) * 4 + 1],
        lambda s: RNG.integers(0, 2, s).astype(float),
        "sample",
    ),
    "HalfNormal": (
        lambda D, p: D.HalfNormal(p[0]),
        [(2, 3)],
        [_pos],
        lambda s: np.abs(RNG.standard_normal(s)),
        "sample rsample cdf icdf entropy",
    ),
    "HalfCauchy": (
        lambda D, p: D.HalfCauchy(p[0]),
        [(3,)],
        [_pos],
        lambda s: np.abs(RNG.standard_normal(s)),
        "sample rsample cdf icdf entropy",
    ),
    "Pareto": (
        lambda D, p: D.Pareto(p[0], p[1]),
        [(2, 3), (3,)],
        [_pos, lambda a: _pos(a) + 1.5],
        lambda s: np.abs(RNG.standard_normal(s)) + 25.0,
        "sample rsample cdf icdf entropy",
    ),
    "Weibull": (
        lambda D, p: D.Weibull(p[0], p[1]),
        [(2, 3), (3,)],
        [_pos, lambda a: _pos(a) + 0.8],
        lambda s: np.abs(RNG.standard_normal(s)) + 0.1,
        "sample rsample cdf icdf entropy",
    ),
    "InverseGamma": (
        lambda D, p: D.InverseGamma(p[0], p[1]),
        [(2, 3), (3,)],
        [lambda a: _pos(a) + 2.0, _pos],
        lambda s: np.abs(RNG.standard_normal(s)) + 0.1,
        "sample rsample entropy",
    ),
    "Kumaraswamy": (
        lambda D, p: D.Kumaraswamy(p[0], p[1]),
        [(2, 3), (3,)],
        [lambda a: _pos(a) + 1.0, lambda a: _pos(a) + 1.0],
        lambda s: RNG.uniform(0.05, 0.95, s),
        "sample rsample entropy own-mode",
    ),
    "Geometric_probs": (
        lambda D, p: D.Geometric(probs=p[0]),
        [(2, 3)],
        [lambda a: _unit(a) * 0.9 + 0.05],
        lambda s: RNG.integers(0, 6, s).astype(float),
        "sample entropy",
    ),
    "Geometric_logits": (
        lambda D, p: D.Geometric(logits=p[0]),
        [(4,)],
        [None],
        lambda s: RNG.integers(0, 6, s).astype(float),
        "sample entropy",
    ),
    "NegativeBinomial": (
        lambda D, p: D.NegativeBinomial(p[0], probs=p[1]),
        [(3,), (2, 3)],
        [lambda a: _pos(a) * 4 + 0.5, lambda a: _unit(a) * 0.8 + 0.1],
        lambda s: RNG.integers(0, 8, s).astype(float),
        "sample",
    ),
    "NegativeBinomial_logits": (
        lambda D, p: D.NegativeBinomial(3.0, logits=p[0]),
        [(4,)],
        [None],
        lambda s: RNG.integers(0, 8, s).astype(float),
        "sample",
    ),
    "FisherSnedecor": (
        lambda D, p: D.FisherSnedecor(p[0], p[1]),
        [(2, 3), (3,)],
        [lambda a: _pos(a) * 4 + 0.5, lambda a: _pos(a) * 4 + 0.5],
        lambda s: np.abs(RNG.standard_normal(s)) + 0.1,
        "sample rsample",
    ),
    "LogisticNormal": (
        lambda D, p: D.LogisticNormal(p[0], p[1]),
        [(2, 3), (3,)],
        [None, _pos],
        lambda s: np.random.default_rng(5).dirichlet(np.ones(s[-1]), s[:-1]),
        "sample rsample",
    ),
    "Multinomial": (
        lambda D, p: D.Multinomial(5, probs=p[0]),
        [(2, 4)],
        [lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)],
        lambda s: np.random.default_rng(2).multinomial(5, [0.25] * s[-1], s[:-1]).astype(float),
        "sample entropy",
    ),
    "Multinomial_logits": (
        lambda D, p: D.Multinomial(3, logits=p[0]),
        [(3,)],
        [None],
        lambda s: np.random.default_rng(2).multinomial(3, [1 / 3] * 3).astype(float),
        "sample entropy",
    ),
    "Gamma": (
        lambda D, p: D.Gamma(p[0], p[1]),
        [(2, 3), (3,)],
        [_pos, _pos],
        lambda s: np.abs(RNG.standard_normal(s)) + 0.1,
        "sample rsample cdf entropy",
    ),
    "Chi2": (
        lambda D, p: D.Chi2(p[0]),
        [(4,)],
        [lambda a: np.exp(a) + 0.5],
        lambda s: np.abs(RNG.standard_normal(s)) + 0.1,
        "sample rsample entropy",
    ),
    "StudentT": (
        lambda D, p: D.StudentT(p[0], p[1], p[2]),
        [(3,), (2, 3), (3,)],
        [lambda a: np.exp(a) + 0.5, None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
    "Dirichlet": (
        lambda D, p: D.Dirichlet(p[0]),
        [(2, 3)],
        [_pos],
        lambda s: _simplex_points(s),
        "sample entropy",
    ),
    "Beta": (
        lambda D, p: D.Beta(p[0], p[1]),
        [(3,), (2, 3)],
        [_pos, _pos],
        lambda s: RNG.uniform(0.05, 0.95, s),
        "sample entropy",
    ),
    "MixtureSameFamily_Normal": (
        lambda D, p: D.MixtureSameFamily(D.Categorical(logits=p[0]), D.Normal(p[1], p[2])),
        [(2, 3), (2, 3), (3,)],
        [None, None, _pos],
        lambda s: RNG.standard_normal((4,) + s),
        "sample cdf",
    ),
    "MixtureSameFamily_MVN": (
        lambda D, p: D.MixtureSameFamily(
            D.Categorical(probs=p[0]), D.Independent(D.Normal(p[1], p[2]), 1)
        ),
        [(3,), (3, 2), (3, 2)],
        [_pos, None, _pos],
        lambda s: RNG.standard_normal((5,) + s),
        "sample",
    ),
    "ContinuousBernoulli_probs": (
        lambda D, p: D.ContinuousBernoulli(probs=p[0]),
        [(2, 4)],
        # one member inside the Taylor region around 0.5; the others kept away from its edges,
        # where the closed forms cancel to a few digits in float32 (on both libraries)
        [lambda a: np.where(np.arange(4) == 1, 0.4995 + 0.0001 * np.tanh(a), _away_from_half(a))],
        lambda s: RNG.uniform(0.02, 0.98, s),
        "sample rsample cdf icdf entropy",
    ),
    "ContinuousBernoulli_logits": (
        lambda D, p: D.ContinuousBernoulli(logits=p[0], lims=(0.45, 0.55)),
        [(3,)],
        [lambda a: np.array([0.05, 2.0, -1.5]) * np.sign(a)],
        lambda s: RNG.uniform(0.02, 0.98, s),
        "sample rsample cdf icdf entropy",
    ),
    "GeneralizedPareto": (
        lambda D, p: D.GeneralizedPareto(p[0], p[1], p[2]),
        [(2, 4), (4,), (4,)],
        [None, _pos, lambda a: np.array([0.0, 0.3, -0.4, 0.8]) + 0.05 * np.tanh(a) * [0, 1, 1, 1]],
        None,
        "sample rsample cdf icdf entropy torch-f64-default",
    ),
    "LowRankMultivariateNormal": (
        lambda D, p: D.LowRankMultivariateNormal(p[0], p[1], p[2]),
        [(2, 4), (4, 2), (3, 1, 4)],
        # cov_diag at least 1: small entries make float32 gradients sum large opposite terms
        [None, lambda a: 0.5 * a, lambda a: _pos(a) + 1.0],
        lambda s: RNG.standard_normal((2,) + s),
        "sample rsample entropy",
    ),
    "LowRankMultivariateNormal_rank1": (
        lambda D, p: D.LowRankMultivariateNormal(p[0], p[1], p[2]),
        [(3,), (2, 3, 1), (3,)],
        [None, lambda a: 0.5 * a, lambda a: _pos(a) + 1.0],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
    "VonMises": (
        lambda D, p: D.VonMises(p[0], p[1]),
        [(2, 5), (5,)],
        # both sides of 3.75, where the Bessel series change, and a tiny and a large kappa
        [None, lambda a: np.array([1e-3, 0.4, 2.0, 6.0, 60.0]) * np.exp(0.1 * np.tanh(a))],
        lambda s: RNG.uniform(-np.pi, np.pi, (3,) + s),
        "sample",
    ),
    "LKJCholesky": (
        lambda D, p: D.LKJCholesky(3, p[0]),
        [(3,)],
        # concentrations that keep the diagonal away from 0, where its sqrt(1 - |row|^2)
        # turns a one-ulp difference of float32 sums into a relative 1e-4
        [lambda a: np.array([2.0, 4.0, 8.0]) * np.exp(0.1 * np.tanh(a))],
        lambda s: _corr_cholesky_points(s),
        "sample",
    ),
    "Independent_Normal": (
        lambda D, p: D.Independent(D.Normal(p[0], p[1]), 1),
        [(2, 3), (3,)],
        [None, _pos],
        lambda s: RNG.standard_normal(s),
        "sample rsample entropy",
    ),
}


def _corr_cholesky_points(shape):
    L = np.tril(np.random.default_rng(4).standard_normal(shape))
    n = shape[-1]
    L[..., range(n), range(n)] = np.abs(L[..., range(n), range(n)]) + 0.1
    return L / np.linalg.norm(L, axis=-1, keepdims=True)


def _simplex_points(shape):
    x = np.random.default_rng(9).uniform(0.2, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


def _build(lib, name, dtype):
    make, shapes, fixes, _, _ = CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # (the same on every run)
    raw = [rng.standard_normal(s) for s in shapes]
    vals = [a if f is None else f(a) for a, f in zip(raw, fixes)]
    params = [_leaf(lib, v, dtype) for v in vals]
    return make(lib.distributions, params), params


def _value(name, d, dtype):
    gen = CASES[name][3]
    shape = tuple(d.batch_shape) + tuple(d.event_shape)
    if name == "Uniform":
        low, high = _np(d.low), _np(d.high)
        return low + (high - low) * np.random.default_rng(3).uniform(size=(5,) + low.shape)
    if name == "GeneralizedPareto":  # inside the support, whose top is finite below 0
        u = np.random.default_rng(3).uniform(0.02, 0.98, (3,) + tuple(d.batch_shape))
        return _np(d.icdf(torch.tensor(u, dtype=d.loc.dtype)))
    if name == "Categorical_probs":
        return np.random.default_rng(3).integers(0, 4, (3,)).astype(float)
    return gen(shape)


def _grads(lib, out, params):
    gs = lib.autograd.grad(
        out.sum() if out.dim() else out, params, allow_unused=True, retain_graph=True
    )
    return [None if g is None else _np(g) for g in gs]


def _compare_grads(gr, gt, dtype, what):
    for a, b in zip(gr, gt):
        if a is None or b is None:
            assert a is None and b is None or np.all((a if a is not None else b) == 0), what
            continue
        np.testing.assert_allclose(a, b, err_msg=what, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_family_matches_pytorch(name, dtype):
    if "torch-f64-default" in CASES[name][4].split() and dtype == "float64":
        # PyTorch 2.13's GeneralizedPareto compares float64 parameters with a tensor of the
        # default dtype ("Double did not match Float"): both libraries run with float64 default
        old = torch.get_default_dtype(), retrograd.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        retrograd.set_default_dtype(retrograd.float64)
        try:
            _check_family(name, dtype)
        finally:
            torch.set_default_dtype(old[0])
            retrograd.set_default_dtype(old[1])
    else:
        _check_family(name, dtype)


def _check_family(name, dtype):
    flags = CASES[name][4].split()
    dr, pr = _build(retrograd, name, dtype)
    dt, pt = _build(torch, name, dtype)
    assert tuple(dr.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dr.event_shape) == tuple(dt.event_shape)
    assert dr.has_rsample == dt.has_rsample
    assert repr(dr.support) == repr(dt.support)
    # log_prob at the same values, and its gradient
    v = _value(name, dt, dtype)
    lr = dr.log_prob(retrograd.tensor(v, dtype=getattr(retrograd, dtype)))
    lt = dt.log_prob(torch.tensor(v, dtype=getattr(torch, dtype)))
    _same(lr, lt, dtype, f"{name}.log_prob")
    _compare_grads(_grads(retrograd, lr, pr), _grads(torch, lt, pt), dtype, f"{name} log_prob grad")
    for prop in ("mean", "variance", "stddev", "mode"):
        if prop == "mode" and "own-mode" in flags:
            continue  # (PyTorch's mode is nan there: tested against the formula instead)
        try:
            b = getattr(dt, prop)
        except NotImplementedError:
            continue
        _same(getattr(dr, prop), b, dtype, f"{name}.{prop}")
    if "entropy" in flags:
        er, et = dr.entropy(), dt.entropy()
        _same(er, et, dtype, f"{name}.entropy")
        _compare_grads(_grads(retrograd, er, pr), _grads(torch, et, pt), dtype, f"{name} H grad")
    for seed, shape in ((0, ()), (5, (4,)), (7, (2, 3))):
        if "sample" in flags:
            retrograd.manual_seed(seed)
            torch.manual_seed(seed)
            sr, st = dr.sample(shape), dt.sample(shape)
            _same(sr, st, dtype if st.dtype.is_floating_point else "float64", f"{name}.sample")
            assert not sr.requires_grad
        if "rsample" in flags:
            retrograd.manual_seed(seed)
            torch.manual_seed(seed)
            rr, rt = dr.rsample(shape), dt.rsample(shape)
            _same(rr, rt, dtype, f"{name}.rsample")
            w = np.random.default_rng(seed).standard_normal(tuple(rt.shape))
            _compare_grads(
                _grads(retrograd, rr * retrograd.tensor(w, dtype=rr.dtype), pr),
                _grads(torch, rt * torch.tensor(w, dtype=rt.dtype), pt),
                dtype,
                f"{name} rsample grad",
            )
    if "cdf" in flags:
        cr = dr.cdf(retrograd.tensor(v, dtype=getattr(retrograd, dtype)))
        ct = dt.cdf(torch.tensor(v, dtype=getattr(torch, dtype)))
        _same(cr, ct, dtype, f"{name}.cdf")
        if name == "Gamma":  # PyTorch has no derivative of igamma in its first argument
            for lib, c in ((retrograd, cr), (torch, ct)):
                with pytest.raises(NotImplementedError, match="igamma: input"):
                    c.sum().backward()
        else:
            _compare_grads(
                _grads(retrograd, cr, pr), _grads(torch, ct, pt), dtype, f"{name} cdf grad"
            )
    if "icdf" in flags:
        q = np.random.default_rng(4).uniform(0.05, 0.95, tuple(dt.batch_shape))
        ir = dr.icdf(retrograd.tensor(q, dtype=getattr(retrograd, dtype)))
        it = dt.icdf(torch.tensor(q, dtype=getattr(torch, dtype)))
        _same(ir, it, dtype, f"{name}.icdf")
        _compare_grads(_grads(retrograd, ir, pr), _grads(torch, it, pt), dtype, f"{name} icdf grad")
    # expand keeps the values and takes the new batch shape
    new = (6,) + tuple(dt.batch_shape)
    er, et = dr.expand(new), dt.expand(new)
    assert tuple(er.batch_shape) == tuple(et.batch_shape)
    one = v.reshape((-1,) + tuple(dt.batch_shape) + tuple(dt.event_shape))[0]
    _same(
        er.log_prob(retrograd.tensor(one, dtype=getattr(retrograd, dtype))),
        et.log_prob(torch.tensor(one, dtype=getattr(torch, dtype))),
        dtype,
        f"{name}.expand",
    )


def _scalar_family(name, lib, params):
    D = lib.distributions
    a, b = params
    return {
        "Normal": lambda: D.Normal(a, b.exp()),
        "Laplace": lambda: D.Laplace(a, b.exp()),
        "Exponential": lambda: D.Exponential(a.exp()),
        "Uniform": lambda: D.Uniform(a, a + b.exp()),
        "Bernoulli": lambda: D.Bernoulli(logits=a),
        "BernoulliP": lambda: D.Bernoulli(probs=a.sigmoid()),
        "Categorical": lambda: D.Categorical(logits=a),
        "OneHotCategorical": lambda: D.OneHotCategorical(probs=b.exp()),
        "Independent": lambda: D.Independent(D.Normal(a, b.exp()), 1),
        "Gumbel": lambda: D.Gumbel(a, b.exp()),
        "Cauchy": lambda: D.Cauchy(a, b.exp()),
        "LogNormal": lambda: D.LogNormal(a, b.exp()),
        "Poisson": lambda: D.Poisson(a.exp()),
        "Gamma": lambda: D.Gamma(a.exp(), b.exp()),
        "Beta": lambda: D.Beta(a.exp(), b.exp()),
        "Dirichlet": lambda: D.Dirichlet(a.exp()),
        "Binomial": lambda: D.Binomial(6, logits=b),
        "Geometric": lambda: D.Geometric(logits=a),
        "HalfNormal": lambda: D.HalfNormal(b.exp()),
        "Pareto": lambda: D.Pareto(a.exp() * 0.1, b.exp() + 2.5),
        "ParetoHeavy": lambda: D.Pareto(a.exp(), b.exp() * 0.2),
        # logits at least 1 away from 0 (see _away_from_half)
        "ContinuousBernoulli": lambda: D.ContinuousBernoulli(logits=a + a.sign()),
        "ContinuousBernoulliP": lambda: D.ContinuousBernoulli(probs=(b + b.sign()).sigmoid()),
        "UnitUniform": lambda: D.Uniform(a.sigmoid() * 0.4, 0.5 + b.sigmoid() * 0.5),
        "LowRankMultivariateNormal": lambda: D.LowRankMultivariateNormal(
            a, (b.unsqueeze(-1) * a.unsqueeze(-2))[..., :2], b.exp() + 0.1
        ),
        "MultivariateNormal": lambda: D.MultivariateNormal(
            a,
            scale_tril=(b.unsqueeze(-1) * b.unsqueeze(-2)).tril(-1) + (b.exp() + 0.5).diag_embed(),
        ),
    }[name]()


KL_PAIRS = [
    ("Normal", "Normal"),
    ("Bernoulli", "Bernoulli"),
    ("BernoulliP", "Bernoulli"),
    ("Categorical", "Categorical"),
    ("OneHotCategorical", "OneHotCategorical"),
    ("Uniform", "Uniform"),
    ("Exponential", "Exponential"),
    ("Laplace", "Laplace"),
    ("MultivariateNormal", "MultivariateNormal"),
    ("Independent", "Independent"),
    ("Normal", "Laplace"),
    ("Uniform", "Normal"),
    ("Exponential", "Normal"),
    ("Laplace", "Normal"),
    ("Uniform", "Exponential"),
    ("Normal", "Uniform"),
    ("Normal", "Exponential"),
    ("Laplace", "Uniform"),
    ("Exponential", "Uniform"),
    ("Gumbel", "Gumbel"),
    ("Cauchy", "Cauchy"),
    ("LogNormal", "LogNormal"),
    ("Gumbel", "Normal"),
    ("Normal", "Gumbel"),
    ("Uniform", "Gumbel"),
    ("Exponential", "Gumbel"),
    ("Gumbel", "Uniform"),
    ("Poisson", "Poisson"),
    ("Binomial", "Binomial"),
    ("Bernoulli", "Poisson"),
    ("Poisson", "Bernoulli"),
    ("Gamma", "Gamma"),
    ("Beta", "Beta"),
    ("Dirichlet", "Dirichlet"),
    ("Exponential", "Gamma"),
    ("Gamma", "Exponential"),
    ("Gamma", "Normal"),
    ("Gamma", "Uniform"),
    ("Beta", "Exponential"),
    ("Beta", "Gamma"),
    ("Beta", "Normal"),
    ("Normal", "Gamma"),
    ("Gumbel", "Gamma"),
    ("Normal", "Beta"),
    ("Geometric", "Geometric"),
    ("HalfNormal", "HalfNormal"),
    ("Pareto", "Pareto"),
    ("Pareto", "ParetoHeavy"),
    ("Pareto", "Exponential"),
    ("Pareto", "Gamma"),
    ("Pareto", "Normal"),
    ("ParetoHeavy", "Normal"),
    ("Pareto", "Uniform"),
    ("Pareto", "Beta"),
    ("Uniform", "Pareto"),
    ("Beta", "Pareto"),
    ("Normal", "Pareto"),
    ("Exponential", "Pareto"),
    ("LowRankMultivariateNormal", "LowRankMultivariateNormal"),
    ("MultivariateNormal", "LowRankMultivariateNormal"),
    ("LowRankMultivariateNormal", "MultivariateNormal"),
    ("ContinuousBernoulli", "ContinuousBernoulli"),
    ("ContinuousBernoulliP", "ContinuousBernoulli"),
    ("Beta", "ContinuousBernoulli"),
    ("Uniform", "ContinuousBernoulli"),
    ("UnitUniform", "ContinuousBernoulliP"),
    ("Exponential", "ContinuousBernoulli"),
    ("Gamma", "ContinuousBernoulli"),
    ("Gumbel", "ContinuousBernoulli"),
    ("Laplace", "ContinuousBernoulli"),
    ("Normal", "ContinuousBernoulli"),
    ("Pareto", "ContinuousBernoulli"),
    ("ContinuousBernoulli", "Exponential"),
    ("ContinuousBernoulli", "Normal"),
    ("ContinuousBernoulli", "Pareto"),
    ("ContinuousBernoulli", "Uniform"),
    ("ContinuousBernoulliP", "Uniform"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p_name,q_name", KL_PAIRS, ids=[f"{a}-{b}" for a, b in KL_PAIRS])
def test_kl_divergence_matches_pytorch(p_name, q_name, dtype):
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal((2, 3)) for _ in range(4)]
    if p_name == "Uniform" and q_name == "Uniform":  # q's interval covering p's: a finite KL
        arrays[2], arrays[3] = arrays[0] - 0.5, np.log(np.exp(arrays[1]) + 1.0)
    if q_name == "Exponential" and p_name == "Uniform":
        arrays[0] = np.abs(arrays[0])
    out = []
    for lib in (retrograd, torch):
        params = [_leaf(lib, a, dtype) for a in arrays]
        p = _scalar_family(p_name, lib, params[:2])
        q = _scalar_family(q_name, lib, params[2:])
        out.append((lib, lib.distributions.kl_divergence(p, q), params))
    (_, kr, pr), (_, kt, pt) = out
    _same(kr, kt, dtype, "kl")
    if np.isfinite(_np(kt)).all():
        _compare_grads(_grads(retrograd, kr, pr), _grads(torch, kt, pt), dtype, "kl grad")


def test_kl_divergence_unregistered_pair_and_register_kl():
    for lib in (retrograd, torch):
        D = lib.distributions
        with pytest.raises(
            NotImplementedError,
            match="No KL\\(p \\|\\| q\\) is implemented for p type Exponential and q type Laplace",
        ):
            D.kl_divergence(D.Exponential(1.0), D.Laplace(0.0, 1.0))

    class MyNormal(retrograd.distributions.Normal):
        pass

    @retrograd.distributions.register_kl(MyNormal, retrograd.distributions.Normal)
    def _kl(p, q):
        return p.loc * 0 + 42.0

    D = retrograd.distributions
    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


def test_lowrank_multivariate_normal_matrices_match_pytorch():
    rng = np.random.default_rng(12)
    arrays = [rng.standard_normal(s) for s in ((2, 4), (3, 1, 4, 2), (4,))]
    for dtype in DTYPES:
        out = []
        for lib in (retrograd, torch):
            loc, W, d = (_leaf(lib, a, dtype) for a in arrays)
            dist = lib.distributions.LowRankMultivariateNormal(loc, W, d.exp())
            mats = [dist.covariance_matrix, dist.precision_matrix, dist.scale_tril, dist.variance]
            w = [
                np.random.default_rng(i).standard_normal(tuple(m.shape)) for i, m in enumerate(mats)
            ]
            total = sum((m * lib.tensor(x, dtype=m.dtype)).sum() for m, x in zip(mats, w))
            out.append((mats, _grads(lib, total, [loc, W, d]), repr(dist)))
        for a, b in zip(out[0][0], out[1][0]):
            _same(a, b, dtype, "LowRankMultivariateNormal matrices")
        _compare_grads(out[0][1], out[1][1], dtype, "LowRankMultivariateNormal matrix grads")
        assert out[0][2] == out[1][2]


def test_lowrank_kl_event_shape_errors_match_pytorch():
    def pairs(D, t):
        lr2 = D.LowRankMultivariateNormal(t([0.0, 0.0]), t([[1.0], [1.0]]), t([1.0, 1.0]))
        lr3 = D.LowRankMultivariateNormal(t([0.0] * 3), t([[1.0]] * 3), t([1.0] * 3))
        mvn2 = D.MultivariateNormal(t([0.0, 0.0]), t(np.eye(2)))
        return [(lr2, lr3), (mvn2, lr3), (lr3, mvn2)]

    for (p, q), (pt, qt) in zip(
        pairs(retrograd.distributions, retrograd.tensor), pairs(torch.distributions, torch.tensor)
    ):
        ours = _error_text(lambda: retrograd.distributions.kl_divergence(p, q))
        theirs = _error_text(lambda: torch.distributions.kl_divergence(pt, qt))
        assert ours == theirs


def test_von_mises_tiny_concentration_samples_and_gradient():
    # below 1e-5 the proposal uses its expansion; PyTorch's float32 log_prob gradient is nan
    # there (its large-argument Bessel series overflows, and where() passes the nan on), ours
    # evaluates each series only on its own side and stays finite
    for dtype in DTYPES:
        out = []
        for lib in (retrograd, torch):
            kappa = lib.tensor([1e-6, 3e-6, 0.5], dtype=getattr(lib, dtype), requires_grad=True)
            d = lib.distributions.VonMises(lib.tensor(0.3, dtype=getattr(lib, dtype)), kappa)
            lib.manual_seed(1)
            out.append((d.sample((50,)), d.log_prob(lib.tensor(2.0, dtype=kappa.dtype)), kappa))
        (sr, lr, kr), (st, lt, _) = out
        _same(sr, st, dtype, "VonMises tiny kappa sample")
        _same(lr, lt, dtype, "VonMises tiny kappa log_prob")
        (g,) = retrograd.autograd.grad(lr.sum(), kr)
        assert np.isfinite(g.numpy()).all()


def _error_text(fn):
    with pytest.raises(Exception) as err:
        fn()
    return type(err.value).__name__, str(err.value)


VALIDATION_ERRORS = [
    lambda D, t: D.Normal(t([0.0, 1.0]), t([1.0, -1.0])),
    lambda D, t: D.Normal(t([0.0, 1.0, 2.0]), t([1.0, 1.0, 1.0])).log_prob(t([1.0, 2.0])),
    lambda D, t: D.Bernoulli(probs=t([0.2, 1.5])),
    lambda D, t: D.Bernoulli(probs=t([0.2]), logits=t([0.1])),
    lambda D, t: D.Bernoulli(t([0.5])).log_prob(t([0.5])),
    lambda D, t: D.Categorical(probs=t(0.5)),
    lambda D, t: D.Categorical(logits=t(0.5)),
    lambda D, t: D.Categorical(probs=t([0.2, -0.1, 0.9])),
    lambda D, t: D.Categorical(logits=t([0.2, 0.1, 0.9])).log_prob(t([3.0])),
    lambda D, t: D.Uniform(t([0.0, 2.0]), t([1.0, 1.0])),
    lambda D, t: D.Uniform(0.0, 1.0).log_prob(t([1.5])),
    lambda D, t: D.Exponential(t([0.0])),
    lambda D, t: D.MultivariateNormal(t(0.0), t([[1.0]])),
    lambda D, t: D.MultivariateNormal(t([0.0, 0.0])),
    lambda D, t: D.MultivariateNormal(t([0.0, 0.0]), covariance_matrix=t([[1.0, 2.0], [2.0, 1.0]])),
    lambda D, t: D.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([[1.0, 1.0], [0.0, 1.0]])),
    lambda D, t: D.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([1.0, 1.0])),
    lambda D, t: D.MultivariateNormal(t([0.0, 0.0]), t(np.eye(2))).log_prob(t([1.0, 2.0, 3.0])),
    lambda D, t: D.Independent(D.Normal(t([0.0]), t([1.0])), 2),
    lambda D, t: D.Normal(t([0.0]), t([1.0])).log_prob([0.5]),
    lambda D, t: D.OneHotCategorical(probs=t([0.5, 0.5])).log_prob(t([1.0, 1.0])),
    lambda D, t: D.ContinuousBernoulli(probs=t([0.3, 1.3]), validate_args=True),
    lambda D, t: D.ContinuousBernoulli(probs=t([0.3]), logits=t([0.1])),
    lambda D, t: D.ContinuousBernoulli(logits=t([0.3])).log_prob(t([1.5])),
    lambda D, t: D.GeneralizedPareto(t(0.0), t(1.0), t(-0.5)).log_prob(t([3.0])),
    lambda D, t: D.GeneralizedPareto(t(0.0), t(-1.0), t(0.5)),
    lambda D, t: D.VonMises(t([0.0]), t([0.0])),
    lambda D, t: D.LKJCholesky(1, t(1.0)),
    lambda D, t: D.LKJCholesky(2, t([1.0, -1.0])),
    lambda D, t: D.LKJCholesky(2, t(1.0)).log_prob(t([[1.0, 0.0], [1.0, 1.0]])),
    lambda D, t: D.VonMises(t([0.0]), t([1.0])).entropy(),
    lambda D, t: D.LowRankMultivariateNormal(t(0.0), t([[1.0]]), t([1.0])),
    lambda D, t: D.LowRankMultivariateNormal(t([0.0, 0.0]), t([1.0, 1.0]), t([1.0, 1.0])),
    lambda D, t: D.LowRankMultivariateNormal(t([0.0, 0.0]), t([[1.0]] * 3), t([1.0, 1.0])),
    lambda D, t: D.LowRankMultivariateNormal(t([0.0, 0.0]), t([[1.0]] * 2), t([1.0] * 3)),
    lambda D, t: D.LowRankMultivariateNormal(
        t([[0.0] * 2] * 2), t([[[1.0]] * 2] * 3), t([1.0] * 2)
    ),
    lambda D, t: D.LowRankMultivariateNormal(t([0.0, 0.0]), t([[1.0]] * 2), t([1.0, -1.0])),
]


@pytest.mark.parametrize("i", range(len(VALIDATION_ERRORS)))
def test_validate_args_errors_match_pytorch(i):
    fn = VALIDATION_ERRORS[i]
    ours = _error_text(lambda: fn(retrograd.distributions, retrograd.tensor))
    theirs = _error_text(lambda: fn(torch.distributions, torch.tensor))
    assert ours == theirs


def test_validate_args_off_skips_checks():
    for lib in (retrograd, torch):
        d = lib.distributions.Normal(lib.tensor([0.0]), lib.tensor([-1.0]), validate_args=False)
        assert d.log_prob(lib.tensor([0.0])).isnan().all()
    try:
        retrograd.distributions.Distribution.set_default_validate_args(False)
        retrograd.distributions.Normal(retrograd.tensor([0.0]), retrograd.tensor([-1.0]))
    finally:
        retrograd.distributions.Distribution.set_default_validate_args(True)


CONSTRAINT_VALUES = np.array([[-1.0, 0.0, 0.5], [1.0, 2.0, float("nan")]])


def _constraints(C):
    return [
        C.real,
        C.positive,
        C.nonnegative,
        C.unit_interval,
        C.boolean,
        C.simplex,
        C.nonnegative_integer,
        C.positive_integer,
        C.real_vector,
        C.greater_than(0.5),
        C.greater_than_eq(0.5),
        C.less_than(1.0),
        C.interval(-1.0, 1.0),
        C.half_open_interval(-1.0, 1.0),
        C.integer_interval(0, 2),
        C.one_hot,
        C.independent(C.positive, 1),
        C.multinomial(3),
    ]


def test_constraints_check_and_repr_match_pytorch():
    ours = _constraints(retrograd.distributions.constraints)
    theirs = _constraints(torch.distributions.constraints)
    for a, b in zip(ours, theirs):
        assert repr(a) == repr(b)
        assert (a.event_dim, a.is_discrete) == (b.event_dim, b.is_discrete)
        np.testing.assert_array_equal(
            a.check(retrograd.tensor(CONSTRAINT_VALUES)).numpy(),
            b.check(torch.tensor(CONSTRAINT_VALUES)).numpy(),
        )
    spd = np.array([[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [3.0, 1.0]]])
    for name in (
        "lower_triangular",
        "lower_cholesky",
        "positive_definite",
        "positive_semidefinite",
        "symmetric",
        "square",
    ):
        a = getattr(retrograd.distributions.constraints, name)
        b = getattr(torch.distributions.constraints, name)
        assert repr(a) == repr(b) and a.event_dim == b.event_dim
        np.testing.assert_array_equal(
            a.check(retrograd.tensor(spd)).numpy(), b.check(torch.tensor(spd)).numpy()
        )
    C = retrograd.distributions.constraints
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    assert C.is_dependent(retrograd.distributions.Uniform.support)


def test_distribution_reprs_and_enumerate_support_match_pytorch():
    def make(D, t):
        return [
            D.Normal(0.0, 1.0),
            D.Normal(t([0.0, 1.0]), t([1.0, 2.0])),
            D.Bernoulli(logits=t([0.3])),
            D.Categorical(probs=t([[0.2, 0.8], [0.5, 0.5]])),
            D.Independent(D.Normal(t([0.0, 1.0]), t([1.0, 2.0])), 1),
            D.MultivariateNormal(t([0.0, 1.0]), t(np.eye(2))),
        ]

    for a, b in zip(
        make(retrograd.distributions, retrograd.tensor), make(torch.distributions, torch.tensor)
    ):
        assert repr(a) == repr(b)
    for name in ("Bernoulli", "Categorical", "OneHotCategorical"):
        for expand in (True, False):
            ours = getattr(retrograd.distributions, name)(
                probs=retrograd.tensor([[0.2, 0.8], [0.5, 0.5]])
            ).enumerate_support(expand)
            theirs = getattr(torch.distributions, name)(
                probs=torch.tensor([[0.2, 0.8], [0.5, 0.5]])
            ).enumerate_support(expand)
            _same(ours, theirs, "float64", name)


def test_dirichlet_and_beta_rsample_draw_pytorchs_numbers_and_name_the_missing_gradient():
    for name in ("Dirichlet", "Beta"):
        outs = []
        for lib in (retrograd, torch):
            c = lib.tensor(
                [[0.5, 2.0, 3.0], [1.0, 1.5, 0.3]], dtype=lib.float64, requires_grad=True
            )
            d = (
                lib.distributions.Dirichlet(c)
                if name == "Dirichlet"
                else lib.distributions.Beta(c[0], c[1])
            )
            lib.manual_seed(3)
            outs.append(d.rsample((4,)))
        _same(outs[0], outs[1], "float64", name)
        assert outs[0].requires_grad
        with pytest.raises(NotImplementedError, match="_dirichlet_grad"):
            outs[0].sum().backward()


def test_kumaraswamy_mode_is_where_the_density_peaks():
    # PyTorch 2.13's Kumaraswamy.mode takes log1p(-concentration0), nan for every
    # concentration0 > 1: ours is ((a - 1) / (ab - 1))^(1/a), checked on a grid of the density
    a = retrograd.tensor([2.0, 3.5, 1.5], dtype=retrograd.float64)
    b = retrograd.tensor([4.0, 1.2, 2.5], dtype=retrograd.float64)
    d = retrograd.distributions.Kumaraswamy(a, b)
    x = retrograd.linspace(0.0005, 0.9995, 20000, dtype=retrograd.float64).unsqueeze(1)
    peak = x[d.log_prob(x).argmax(0), 0]
    np.testing.assert_allclose(d.mode.numpy(), peak.numpy(), atol=1e-4)
    low = retrograd.distributions.Kumaraswamy(retrograd.tensor([0.5]), retrograd.tensor([2.0]))
    assert np.isnan(low.mode.item())


def _registry_constraints(C, t):
    return [
        C.real,
        C.positive,
        C.nonnegative,
        C.greater_than(t([1.0, -2.0, 0.5])),
        C.greater_than_eq(1.0),
        C.less_than(2.0),
        C.interval(t([0.0, -1.0, 1.0]), 2.0),
        C.half_open_interval(0.0, 2.0),
        C.unit_interval,
        C.simplex,
        C.real_vector,
        C.independent(C.positive, 1),
        C.corr_cholesky,
    ]


@pytest.mark.parametrize("which", ["biject_to", "transform_to"])
def test_biject_to_and_transform_to_match_pytorch(which):
    x = np.random.default_rng(8).standard_normal((2, 3))
    ours = _registry_constraints(retrograd.distributions.constraints, retrograd.tensor)
    theirs = _registry_constraints(torch.distributions.constraints, torch.tensor)
    for cr, ct in zip(ours, theirs):
        tr = getattr(retrograd.distributions, which)(cr)
        tt = getattr(torch.distributions, which)(ct)
        assert repr(tr) == repr(tt)
        xr = retrograd.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        yr, yt = tr(xr), tt(xt)
        _same(yr, yt, "float64", f"{which}({ct!r})")
        _same(tr.inv(yr), tt.inv(yt), "float64", f"{which}({ct!r}).inv")
        if tt.bijective:
            _same(tr.log_abs_det_jacobian(xr, yr), tt.log_abs_det_jacobian(xt, yt), "float64", "J")
    for lib in (retrograd, torch):
        for bad, text in ((3, "Cannot transform int constraints"),):
            with pytest.raises(NotImplementedError, match=text):
                getattr(lib.distributions, which)(bad)
        with pytest.raises(NotImplementedError, match="Cannot transform _IntegerInterval"):
            getattr(lib.distributions, which)(lib.distributions.constraints.integer_interval(0, 2))


def test_matrix_transforms_match_pytorch():
    x = np.random.default_rng(4).standard_normal((2, 3, 3))
    for name in ("LowerCholeskyTransform", "PositiveDefiniteTransform"):
        out = []
        for lib in (retrograd, torch):
            xl = lib.tensor(x, requires_grad=True)
            t = getattr(lib.distributions, name)()
            y = t(xl)
            back = t.inv(y)
            w = lib.tensor(np.random.default_rng(1).standard_normal((2, 3, 3)))
            out.append((y, back, _grads(lib, (y * w).sum() + (back * w).sum(), [xl]), t))
        (yr, br, gr, tr), (yt, bt, gt, tt) = out
        _same(yr, yt, "float64", name)
        _same(br, bt, "float64", name + ".inv")
        _compare_grads(gr, gt, "float64", name + " grad")
        assert repr(tr.domain) == repr(tt.domain) and repr(tr.codomain) == repr(tt.codomain)
        assert tr.bijective == tt.bijective
        assert tr == getattr(retrograd.distributions, name)()
        for lib, t in ((retrograd, tr), (torch, tt)):
            with pytest.raises(NotImplementedError):
                t.log_abs_det_jacobian(lib.eye(2), lib.eye(2))
    for name in ("lower_cholesky", "positive_definite", "positive_semidefinite"):
        assert repr(
            retrograd.distributions.transform_to(getattr(retrograd.distributions.constraints, name))
        ) == repr(torch.distributions.transform_to(getattr(torch.distributions.constraints, name)))
        for lib in (retrograd, torch):
            with pytest.raises(NotImplementedError, match="Cannot transform _"):
                lib.distributions.biject_to(getattr(lib.distributions.constraints, name))


def test_cumulative_distribution_transform_matches_pytorch():
    out = []
    for lib in (retrograd, torch):
        loc = lib.tensor([0.3, -1.0], dtype=lib.float64, requires_grad=True)
        base = lib.distributions.Normal(loc, lib.tensor([1.0, 2.0], dtype=lib.float64))
        t = lib.distributions.CumulativeDistributionTransform(base)
        x = lib.tensor([[0.5, 0.1], [-2.0, 3.0]], dtype=lib.float64)
        y = t(x)
        d = lib.distributions.TransformedDistribution(base, [t])
        lp = d.log_prob(lib.tensor([0.2, 0.9], dtype=lib.float64))
        lib.manual_seed(2)
        s = d.sample((3,))
        out.append((y, t.inv(y), t.log_abs_det_jacobian(x, y), lp, s, _grads(lib, lp, [loc]), t))
    for a, b in zip(out[0][:5], out[1][:5]):
        _same(a, b, "float64", "CumulativeDistributionTransform")
    _compare_grads(out[0][5], out[1][5], "float64", "CumulativeDistributionTransform grad")
    tr, tt = out[0][6], out[1][6]
    assert repr(tr) == repr(tt) and repr(tr.codomain) == repr(tt.codomain)
    assert (tr.bijective, tr.sign, tr.event_dim) == (tt.bijective, tt.sign, tt.event_dim)
    assert tr.with_cache(1)._cache_size == 1


def _cat_stack_transforms(D, lib):
    return [
        (D.CatTransform([D.ExpTransform(), D.identity_transform], dim=0, lengths=[1, 2]), (3, 4)),
        (
            D.CatTransform(
                [D.ExpTransform(), D.IndependentTransform(D.SigmoidTransform(), 1)],
                dim=-1,
                lengths=[1, 3],
            ),
            (3, 4),
        ),
        (D.CatTransform([D.ExpTransform(), D.SigmoidTransform()], dim=-1, lengths=[1, 3]), (3, 4)),
        (D.StackTransform([D.ExpTransform(), D.SigmoidTransform(), D.identity_transform]), (3, 4)),
        (D.StackTransform([D.ExpTransform()] * 4, dim=1), (3, 4)),
        (
            D.biject_to(D.constraints.cat([D.constraints.positive, D.constraints.real], 1, [2, 2])),
            (3, 4),
        ),
        (D.transform_to(D.constraints.stack([D.constraints.unit_interval] * 3, 0)), (3, 4)),
    ]


def test_cat_and_stack_transforms_match_pytorch():
    x = np.random.default_rng(6).standard_normal((3, 4))
    ours = _cat_stack_transforms(retrograd.distributions, retrograd)
    theirs = _cat_stack_transforms(torch.distributions, torch)
    for (tr, _), (tt, _) in zip(ours, theirs):
        xr = retrograd.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        yr, yt = tr(xr), tt(xt)
        _same(yr, yt, "float64", repr(tt))
        _same(tr.inv(yr), tt.inv(yt), "float64", "inv")
        jr, jt = tr.log_abs_det_jacobian(xr, yr), tt.log_abs_det_jacobian(xt, yt)
        _same(jr, jt, "float64", "log_abs_det_jacobian")
        _compare_grads(_grads(retrograd, jr + 0, [xr]), _grads(torch, jt + 0, [xt]), "float64", "J")
        assert (tr.event_dim, tr.bijective, repr(tr), repr(tr.domain)) == (
            tt.event_dim,
            tt.bijective,
            repr(tt),
            repr(tt.domain),
        )
    for D, t in ((retrograd.distributions, retrograd.randn), (torch.distributions, torch.randn)):
        errors = []
        for fn in (
            lambda: D.CatTransform([D.ExpTransform()], lengths=[1, 2]),
            lambda: D.CatTransform([D.ExpTransform()])(t(2, 3)),
            lambda: D.StackTransform([D.ExpTransform()])(t(2, 3)),
            lambda: D.CatTransform([3]),
        ):
            errors.append(_error_text(fn))
        if D is retrograd.distributions:
            ours = errors
    assert ours == errors


def test_corr_cholesky_transform_matches_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 6)) * 1.5
    x[0, 0] = 30.0  # tanh clamped just inside (-1, 1)
    w = np.random.default_rng(1).standard_normal((2, 4, 4))
    out = []
    for lib in (retrograd, torch):
        xl = lib.tensor(x, requires_grad=True)
        t = lib.distributions.CorrCholeskyTransform()
        y = t(xl)
        j = t.log_abs_det_jacobian(xl, y)
        back = t.inv(y)
        g = _grads(lib, (y * lib.tensor(w)).sum() + j.sum() + back.sum(), [xl])
        shapes = (t.forward_shape((5, 6)), t.inverse_shape((5, 4, 4)))
        errors = [
            _error_text(fn)
            for fn in (
                lambda: t.forward_shape((5,)),
                lambda: t.inverse_shape((3, 4)),
                lambda: t(lib.zeros(5)),
            )
        ]
        out.append((y, j, back, g, tuple(map(tuple, shapes)), errors, repr(t.codomain)))
    for a, b in zip(out[0][:3], out[1][:3]):
        _same(a, b, "float64", "CorrCholeskyTransform")
    _compare_grads(out[0][3], out[1][3], "float64", "CorrCholeskyTransform grad")
    assert out[0][4:] == out[1][4:]
    C = retrograd.distributions.constraints
    assert C.corr_cholesky.check(out[0][0]).all()


def test_lkj_cholesky_small_concentrations_in_float64_match_pytorch():
    out = []
    for lib in (retrograd, torch):
        c = lib.tensor([0.5, 1.0, 0.8], dtype=lib.float64, requires_grad=True)
        d = lib.distributions.LKJCholesky(5, c)
        lib.manual_seed(3)
        s = d.sample((4,))
        lp = d.log_prob(s)
        out.append((s, lp, _grads(lib, lp, [c])))
    _same(out[0][0], out[1][0], "float64", "LKJCholesky sample")
    _same(out[0][1], out[1][1], "float64", "LKJCholesky log_prob")
    _compare_grads(out[0][2], out[1][2], "float64", "LKJCholesky log_prob grad")
    assert retrograd.distributions.constraints.corr_cholesky.check(out[0][0]).all()
