"""retrograd.nn.init: PyTorch's gains, fans and distributions, written in place."""

import math

import numpy as np
import pytest

import retrograd
import retrograd.nn as nn
from retrograd.nn import init


@pytest.mark.parametrize(
    "name,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_equals_torch(torch_ref, name, param):
    assert init.calculate_gain(name, param) == torch_ref.nn.init.calculate_gain(name, param)


def test_errors_equal_torch(torch_ref):
    cases = [
        (lambda m: m.calculate_gain("foo"), ValueError),
        (lambda m: m.xavier_uniform_(_lib_zeros(m, 3)), ValueError),
        (lambda m: m.kaiming_uniform_(_lib_zeros(m, 3, 3), mode="fan"), ValueError),
    ]
    for call, kind in cases:
        with pytest.raises(kind) as a:
            call(init)
        with pytest.raises(kind) as b:
            call(torch_ref.nn.init)
        assert str(a.value) == str(b.value)


def _lib_zeros(module, *shape):
    lib = retrograd if module is init else __import__("torch")
    return lib.zeros(*shape)


def _fresh(*shape):
    return nn.Parameter(retrograd.zeros(*shape))


def test_in_place_and_versioned():
    p = _fresh(3, 4)
    v = p._version
    assert init.normal_(p) is p
    assert p._version == v + 1 and p.requires_grad and p.grad_fn is None
    assert init.zeros_(p) is p and (p.detach().numpy() == 0).all()
    assert (init.ones_(p).detach().numpy() == 1).all()
    assert (init.constant_(p, 0.3).detach().numpy() == np.float32(0.3)).all()
    np.testing.assert_array_equal(init.eye_(p).detach().numpy(), np.eye(3, 4))


def test_distributions():
    retrograd.manual_seed(0)
    fan_in, fan_out = 200, 300
    w = _fresh(fan_out, fan_in)
    a = init.uniform_(w, -2, 3).detach().numpy()
    assert a.min() >= -2 and a.max() < 3 and abs(a.mean() - 0.5) < 0.05
    a = init.normal_(w, 1.0, 2.0).detach().numpy()
    assert abs(a.mean() - 1) < 0.05 and abs(a.std() - 2) < 0.05
    a = init.xavier_uniform_(w, gain=2.0).detach().numpy()
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(a).max() <= bound and abs(a.std() - bound / math.sqrt(3)) < 0.02 * bound
    a = init.xavier_normal_(w).detach().numpy()
    assert abs(a.std() - math.sqrt(2 / (fan_in + fan_out))) < 0.002
    a = init.kaiming_uniform_(w, nonlinearity="relu").detach().numpy()
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    a = init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").detach().numpy()
    assert abs(a.std() - math.sqrt(2 / fan_out)) < 0.003
    a = init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0).detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 1.0
    # the mean of N(0.5, 1) truncated to [-0.5, 1]:
    # 0.5 + (phi(-1) - phi(0.5)) / (Phi(0.5) - Phi(-1))
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    expected = 0.5 + (phi(-1) - phi(0.5)) / (cdf(0.5) - cdf(-1))
    assert abs(a.mean() - expected) < 0.01


def test_orthogonal():
    w = init.orthogonal_(_fresh(3, 5)).detach().numpy()
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)


def test_generator_argument_is_reproducible():
    g = retrograd.Generator().manual_seed(7)
    a = init.normal_(_fresh(4), generator=g).detach().numpy().copy()
    g.manual_seed(7)
    np.testing.assert_array_equal(a, init.normal_(_fresh(4), generator=g).detach().numpy())


def test_manual_seed_makes_layers_reproducible():
    retrograd.manual_seed(3)
    a = nn.Linear(3, 3).weight.detach().numpy().copy()
    retrograd.manual_seed(3)
    np.testing.assert_array_equal(a, nn.Linear(3, 3).weight.detach().numpy())


def test_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(_fresh(0, 3))
