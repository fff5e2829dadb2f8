"""``distributions.Wishart`` against PyTorch: a seed gives PyTorch's Bartlett samples (and leaves
the generator where PyTorch leaves it), log_prob, entropy, mean, variance and mode with their
gradients in float64 and float32, the three ways to give the scale, batches and ``expand``,
finite-difference gradients, and the errors and warnings."""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck

COV = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.5]])


def _make(lib, dtype, how, df=(4.5, 6.0)):
    t = getattr(lib, dtype)
    cov = lib.tensor(COV, dtype=t)
    df = lib.tensor(df, dtype=t, requires_grad=True)
    if how == "covariance_matrix":
        arg = cov.clone().requires_grad_()
    elif how == "precision_matrix":
        arg = lib.linalg.inv(cov).requires_grad_()
    else:
        arg = lib.linalg.cholesky(cov).requires_grad_()
    return lib.distributions.Wishart(df, **{how: arg}), df, arg


def _run(lib, dtype, how, sample_shape):
    w, df, arg = _make(lib, dtype, how)
    lib.manual_seed(7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = w.rsample(sample_shape)
    after = lib.rand(2).numpy()
    value = s.detach()
    total = (
        w.log_prob(value).sum()
        + w.entropy().sum()
        + w.mean.sum()
        + w.variance.sum()
        + w.mode.nan_to_num(0.0).sum()
    )
    total.backward()
    return {
        "sample": value.numpy(),
        "after": after,
        "warnings": sorted({str(c.message) for c in caught}),
        "log_prob": w.log_prob(value).detach().numpy(),
        "entropy": w.entropy().detach().numpy(),
        "mean": w.mean.detach().numpy(),
        "variance": w.variance.detach().numpy(),
        "mode": w.mode.detach().numpy(),
        "precision": w.precision_matrix.detach().numpy(),
        "grad df": df.grad.numpy(),
        "grad arg": arg.grad.numpy(),
        "shapes": (tuple(w.batch_shape), tuple(w.event_shape)),
    }


@pytest.mark.parametrize("sample_shape", [(), (2,)])
@pytest.mark.parametrize("how", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_pytorch(torch_ref, dtype, how, sample_shape):
    ours = _run(retrograd, dtype, how, sample_shape)
    theirs = _run(torch_ref, dtype, how, sample_shape)
    tol = 1e-9 if dtype == "float64" else 2e-4
    for key, want in theirs.items():
        got = ours[key]
        if key in ("warnings", "shapes"):
            assert got == want, key
        else:
            assert got.dtype == want.dtype, key
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=key)


def test_sample_gradients_match_pytorch(torch_ref):
    # (PyTorch's rsample backward fails for a non-empty sample shape: a mask it saved is
    # written in place; with an empty one both run)
    got = []
    for lib in (retrograd, torch_ref):
        L = lib.linalg.cholesky(lib.tensor(COV)).requires_grad_()
        df = lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
        lib.manual_seed(3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = lib.distributions.Wishart(df, scale_tril=L).rsample()
        (s * lib.tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
        got.append((L.grad.numpy(), df.grad.numpy()))
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-9)
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-9)


def test_log_prob_and_entropy_gradcheck():
    value = retrograd.tensor(COV * 3 + np.eye(3))
    L = retrograd.linalg.cholesky(retrograd.tensor(COV)).requires_grad_()
    df = retrograd.tensor([4.5, 7.0], dtype=retrograd.float64, requires_grad=True)

    def f(df, L):
        w = retrograd.distributions.Wishart(df, scale_tril=L.tril())
        return w.log_prob(value), w.entropy()

    assert gradcheck(f, (df, L))


def test_expand_and_batch_shapes(torch_ref):
    got = []
    for lib in (retrograd, torch_ref):
        w = lib.distributions.Wishart(lib.tensor(5.0), covariance_matrix=lib.tensor(COV).float())
        e = w.expand((4, 2))
        lib.manual_seed(1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = e.sample((3,))
        got.append((tuple(e.batch_shape), tuple(s.shape), s.numpy(), e.log_prob(s).numpy()))
    assert got[0][:2] == got[1][:2]
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-5)
    np.testing.assert_allclose(got[0][3], got[1][3], rtol=1e-4)


ERRORS = [
    lambda t: t.distributions.Wishart(t.tensor(4.0)),
    lambda t: t.distributions.Wishart(t.tensor(4.0), t.eye(2), scale_tril=t.eye(2)),
    lambda t: t.distributions.Wishart(t.tensor(4.0), covariance_matrix=t.ones(3)),
    lambda t: t.distributions.Wishart(t.tensor(1.5), covariance_matrix=t.eye(3)),
    lambda t: t.distributions.Wishart(2.0, covariance_matrix=t.eye(3)),
    lambda t: t.distributions.Wishart(
        t.tensor(4.0), covariance_matrix=-t.eye(3), validate_args=True
    ),
    lambda t: t.distributions.Wishart(
        t.tensor(4.0), covariance_matrix=t.eye(3), validate_args=True
    ).log_prob(-t.eye(3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(Exception) as info:
            ERRORS[i](lib)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[1]) in str(caught[0])


def test_low_df_warns_as_pytorch(torch_ref):
    messages = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.distributions.Wishart(lib.tensor(2.5), covariance_matrix=lib.eye(3))
        messages.append([str(c.message) for c in caught])
    assert messages[0] == messages[1] and messages[0]
