"""The shrinking activations, rrelu, Softmax2d, channel-wise and alpha dropout and gumbel_softmax
against PyTorch: values, node names, gradients, and, for the random ones, the very samples PyTorch
draws from the same seed (the noise comes from its generator's stream, as PyTorch consumes it)."""

import warnings

import numpy as np
import pytest
from op_checks import error_tests

import retrograd

F32 = dict(rtol=2e-6, atol=1e-6)
F64 = dict(rtol=1e-12, atol=1e-12)


def _run(lib, fn, shape, dtype, seed):
    lib.manual_seed(seed)
    data = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    x = lib.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (dropout2d's warnings about 3-D inputs: tested below)
        y = fn(lib, x)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
    (y * w).sum().backward()
    return y.detach().numpy(), x.grad.numpy(), y.grad_fn.name(), str(y.dtype)


def _matches(torch, fn, shape=(2, 3, 4, 5), dtype="float64", seed=0):
    ours = _run(retrograd, fn, shape, dtype, seed)
    theirs = _run(torch, fn, shape, dtype, seed)
    tol = F64 if dtype == "float64" else F32
    assert ours[2:] == theirs[2:]
    np.testing.assert_allclose(ours[0], theirs[0], **tol)
    np.testing.assert_allclose(ours[1], theirs[1], **tol)


def _f(lib):
    return lib.nn.functional


PROGRAMS = {
    "hardshrink": lambda t, x: _f(t).hardshrink(x, 0.7),
    "torch.hardshrink": lambda t, x: t.hardshrink(x),
    "Tensor.hardshrink": lambda t, x: x.hardshrink(0.2),
    "softshrink": lambda t, x: _f(t).softshrink(x, 0.7),
    "Softshrink": lambda t, x: t.nn.Softshrink(0.2)(x),
    "Tanhshrink": lambda t, x: t.nn.Tanhshrink()(x),
    "rrelu eval": lambda t, x: _f(t).rrelu(x),
    "rrelu train": lambda t, x: _f(t).rrelu(x, training=True),
    "RReLU module": lambda t, x: t.nn.RReLU(0.1, 0.9)(x),
    "rrelu inplace": lambda t, x: _f(t).rrelu(x * 1, 0.2, 0.4, True, True),
    "torch.rrelu_": lambda t, x: t.rrelu_(x * 1, 0.2, 0.4, True),
    "rrelu eval inplace": lambda t, x: t.nn.RReLU(inplace=True).eval()(x * 1),
    "Softmax2d": lambda t, x: t.nn.Softmax2d()(x),
    "Softmax2d 3-D": lambda t, x: t.nn.Softmax2d()(x[0]),
    "dropout1d": lambda t, x: _f(t).dropout1d(x[0], 0.4),
    "dropout1d unbatched": lambda t, x: _f(t).dropout1d(x[0, 0], 0.4),
    "Dropout1d eval": lambda t, x: t.nn.Dropout1d(0.4).eval()(x[0]) * 1,
    "dropout2d": lambda t, x: _f(t).dropout2d(x, 0.4),
    "dropout2d 3-D": lambda t, x: _f(t).dropout2d(x[0], 0.4),
    "dropout2d inplace": lambda t, x: _f(t).dropout2d(x * 1, 0.4, inplace=True),
    "dropout3d": lambda t, x: _f(t).dropout3d(x, 0.4),
    "Dropout3d batched": lambda t, x: t.nn.Dropout3d(0.3)(x[None]),
    "alpha_dropout": lambda t, x: _f(t).alpha_dropout(x, 0.3, True),
    "alpha_dropout inplace": lambda t, x: _f(t).alpha_dropout(x * 1, 0.3, True, True),
    "AlphaDropout": lambda t, x: t.nn.AlphaDropout(0.3)(x),
    "feature_alpha_dropout": lambda t, x: _f(t).feature_alpha_dropout(x, 0.3, True),
    "FeatureAlphaDropout": lambda t, x: t.nn.FeatureAlphaDropout(0.6)(x),
    "alpha_dropout p=1": lambda t, x: _f(t).alpha_dropout(x, 1.0, True),
    "gumbel_softmax": lambda t, x: _f(t).gumbel_softmax(x, 0.5),
    "gumbel_softmax hard": lambda t, x: _f(t).gumbel_softmax(x, 0.5, True, dim=1),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_pytorch(torch_ref, name, dtype):
    _matches(torch_ref, PROGRAMS[name], dtype=dtype, seed=len(name))


@pytest.mark.parametrize("seed", [0, 7])
def test_random_layers_draw_pytorchs_samples_at_size(torch_ref, seed):
    # past the sizes where PyTorch's samplers switch to vectorised paths
    _matches(torch_ref, lambda t, x: _f(t).dropout2d(x, 0.5), (64, 100, 3, 3), "float32", seed)
    _matches(torch_ref, lambda t, x: _f(t).rrelu(x, training=True), (3000,), "float32", seed)
    _matches(torch_ref, lambda t, x: _f(t).alpha_dropout(x, 0.2, True), (5000,), "float64", seed)


def test_shrink_of_nan_and_band_edges(torch_ref):
    values = [0.5, -0.5, 0.6, -0.7, float("nan"), 0.0]
    for name in ("hardshrink", "softshrink"):
        got = getattr(retrograd.nn.functional, name)(retrograd.tensor(values)).numpy()
        want = getattr(torch_ref.nn.functional, name)(torch_ref.tensor(values)).numpy()
        np.testing.assert_array_equal(got, want)


def test_rrelu_draws_only_for_elements_not_positive(torch_ref):
    # the stream after rrelu is where PyTorch's is: one draw per element <= 0, none for nan
    values = [1.0, -1.0, 0.0, float("nan"), 2.0, -3.0]
    for lib in (retrograd, torch_ref):
        lib.manual_seed(3)
        _f(lib).rrelu(lib.tensor(values), training=True)
    assert retrograd.rand(3).tolist() == torch_ref.rand(3).tolist()


def test_dropout2d_warnings_are_pytorchs(torch_ref):
    for shape in [(2, 3), (2, 3, 4)]:
        texts = []
        for lib in (retrograd, torch_ref):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _f(lib).dropout2d(lib.ones(shape))
            texts.append([str(w.message) for w in caught])
        assert texts[0] == texts[1] and texts[0]


@pytest.mark.parametrize(
    "layer",
    [
        "Hardshrink()",
        "Softshrink(0.3)",
        "Tanhshrink()",
        "RReLU()",
        "RReLU(0.1, 0.3, True)",
        "Softmax2d()",
        "Dropout1d()",
        "Dropout2d(0.2, True)",
        "Dropout3d()",
        "AlphaDropout(0.2)",
        "FeatureAlphaDropout()",
        "CELU(inplace=True)",
    ],
)
def test_reprs(torch_ref, layer):
    assert repr(eval("retrograd.nn." + layer)) == repr(eval("torch_ref.nn." + layer))


def test_celu_module_writes_in_place_when_asked():
    x = retrograd.tensor([-1.0, 2.0])
    assert retrograd.nn.CELU(inplace=True)(x) is x
    assert x.tolist()[1] == 2.0 and x.tolist()[0] < 0


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: _f(t).softshrink(t.ones(2), -1),
            RuntimeError,
            "lambda must be in range [0, 3.40282e+38] for input dtype Float, but found -1",
        ),
        (
            lambda t: _f(t).softshrink(t.ones(2, dtype=t.float64), -2.5),
            RuntimeError,
            "lambda must be in range [0, 1.79769e+308] for input dtype Double, but found -2.5",
        ),
        (
            lambda t: _f(t).hardshrink(t.arange(3)),
            NotImplementedError,
            "\"hardshrink_cpu\" not implemented for 'Long'",
        ),
        (
            lambda t: t.rrelu(t.arange(3)),
            NotImplementedError,
            "\"leaky_relu_cpu\" not implemented for 'Long'",
        ),
        (
            lambda t: _f(t).rrelu(t.ones(2), 0.5, 0.1),
            RuntimeError,
            "Lower bound should be less than or equal to the upper bound",
        ),
        (
            lambda t: _f(t).dropout1d(t.ones(2, 3, 4, 5)),
            RuntimeError,
            "dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
        ),
        (
            lambda t: _f(t).feature_alpha_dropout(t.ones(2), 0.5, True),
            RuntimeError,
            "Feature dropout requires at least 2 dimensions in the input",
        ),
        (
            lambda t: t.nn.Softmax2d()(t.ones(3)),
            ValueError,
            "Softmax2d: expected input to be 3D or 4D, got 1D instead",
        ),
        (
            lambda t: _f(t).alpha_dropout(t.ones(3), 1.5),
            ValueError,
            "dropout probability has to be between 0 and 1, but got 1.5",
        ),
        (
            lambda t: t.nn.Dropout2d(p=2),
            ValueError,
            "dropout probability has to be between 0 and 1, but got 2",
        ),
    ]
)
