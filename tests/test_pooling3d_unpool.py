"""3-d max and average pooling and max unpooling (1-d, 2-d, 3-d) against PyTorch: values,
indices, node names, gradients in float64 and float32, the layers' reprs and the errors."""

import numpy as np
import pytest

import retrograd

PROGRAMS = {
    "max_pool3d": ((2, 3, 5, 6, 7), lambda t, x: t.nn.functional.max_pool3d(x, 2)),
    "max_pool3d everything": (
        (2, 2, 7, 8, 9),
        lambda t, x: t.nn.functional.max_pool3d(
            x, (3, 2, 3), (2, 1, 2), (1, 1, 0), (1, 2, 2), ceil_mode=True
        ),
    ),
    "max_pool3d indices": (
        (3, 5, 6, 5),
        lambda t, x: t.nn.functional.max_pool3d(x, 3, 2, 1, return_indices=True),
    ),
    "MaxPool3d": ((1, 2, 4, 5, 6), lambda t, x: t.nn.MaxPool3d((2, 3, 2), padding=1)(x)),
    "avg_pool3d": ((2, 3, 5, 6, 7), lambda t, x: t.nn.functional.avg_pool3d(x, 2)),
    "avg_pool3d ceil no pad count": (
        (2, 2, 7, 6, 5),
        lambda t, x: t.nn.functional.avg_pool3d(
            x, 3, 2, 1, ceil_mode=True, count_include_pad=False
        ),
    ),
    "AvgPool3d divisor": (
        (2, 5, 6, 5),
        lambda t, x: t.nn.AvgPool3d((2, 3, 2), 1, (1, 1, 0), divisor_override=5)(x),
    ),
    "max_unpool2d": (
        (2, 3, 6, 8),
        lambda t, x: t.nn.functional.max_unpool2d(
            *t.nn.functional.max_pool2d(x, 2, None, 0, 1, False, True), 2
        ),
    ),
    "MaxUnpool2d output_size": (
        (2, 3, 7, 9),
        lambda t, x: t.nn.MaxUnpool2d(3, 2, 1)(
            *t.nn.MaxPool2d(3, 2, 1, return_indices=True)(x), output_size=(2, 3, 7, 9)
        ),
    ),
    "max_unpool1d": (
        (2, 3, 9),
        lambda t, x: t.nn.functional.max_unpool1d(
            *t.nn.functional.max_pool1d(x, 3, 2, 1, return_indices=True), 3, 2, 1, (9,)
        ),
    ),
    "MaxUnpool1d unbatched": (
        (3, 8),
        lambda t, x: t.nn.MaxUnpool1d(2)(*t.nn.MaxPool1d(2, return_indices=True)(x)),
    ),
    "max_unpool3d": (
        (2, 2, 4, 6, 5),
        lambda t, x: t.nn.functional.max_unpool3d(
            *t.nn.functional.max_pool3d(x, 2, return_indices=True), 2, output_size=(4, 6, 5)
        ),
    ),
    "MaxUnpool3d unbatched": (
        (2, 4, 4, 4),
        lambda t, x: t.nn.MaxUnpool3d(3, 2, 1)(
            *t.nn.MaxPool3d(3, 2, 1, return_indices=True)(x), output_size=(4, 4, 4)
        ),
    ),
}


def _run(lib, name, dtype):
    shape, fn = PROGRAMS[name]
    x = np.random.default_rng(len(name)).permutation(int(np.prod(shape))).reshape(shape) * 0.01
    t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    out = fn(lib, t)
    y, rest = (out[0], out[1:]) if isinstance(out, tuple) else (out, ())
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=y.dtype)
    (g,) = lib.autograd.grad((y * w).sum(), t, create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), t) if g.requires_grad else (lib.zeros_like(t),)
    return (
        y.grad_fn.name(),
        y.detach().numpy(),
        [r.numpy() for r in rest],
        g.detach().numpy(),
        gg.numpy(),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_pytorch(torch_ref, name, dtype):
    ours, theirs = _run(retrograd, name, dtype), _run(torch_ref, name, dtype)
    assert ours[0] == theirs[0]
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(ours[1:], theirs[1:]):
        if isinstance(a, list):
            assert len(a) == len(b)
            for u, v in zip(a, b):
                assert u.dtype == v.dtype
                np.testing.assert_array_equal(u, v)
        else:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_max_pool3d_nan_and_ties_pick_pytorchs_index(torch_ref):
    x = np.random.default_rng(0).integers(0, 3, (2, 3, 5, 6, 4)).astype(float)
    x[0, 0, 1, 1, 1] = np.nan
    got = [
        lib.nn.functional.max_pool3d(lib.tensor(x), 2, 1, return_indices=True)
        for lib in (retrograd, torch_ref)
    ]
    np.testing.assert_array_equal(got[0][1].numpy(), got[1][1].numpy())
    np.testing.assert_array_equal(got[0][0].numpy(), got[1][0].numpy())


def test_reprs(torch_ref):
    for make in (
        lambda nn: nn.MaxPool3d(2),
        lambda nn: nn.MaxPool3d((2, 1, 2), 1, 1, 2, True, True),
        lambda nn: nn.AvgPool3d(3, 2, 1, True, False, 2),
        lambda nn: nn.MaxUnpool1d(2),
        lambda nn: nn.MaxUnpool2d(2),
        lambda nn: nn.MaxUnpool3d(3, stride=2, padding=1),
    ):
        assert repr(make(retrograd.nn)) == repr(make(torch_ref.nn))


def _long(lib, value, shape):
    return lib.full(shape, value, dtype=lib.int64)


ERRORS = [
    lambda t, x: t.nn.functional.max_pool3d(x, 2, padding=2),
    lambda t, x: t.nn.functional.max_pool3d(x, 5),
    lambda t, x: t.nn.functional.max_pool3d(x[0, 0], 2),
    lambda t, x: t.nn.functional.max_pool3d(x, (2, 2)),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, (1, 1)),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, 1, (1, 1)),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, 1, 0, (1, 1)),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, 0),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, dilation=0),
    lambda t, x: t.nn.functional.avg_pool3d(x, 5),
    lambda t, x: t.nn.functional.avg_pool3d(x, (2, 2)),
    lambda t, x: t.nn.functional.avg_pool3d(x, 2, (1, 1)),
    lambda t, x: t.nn.functional.avg_pool3d(x, 2, 1, (1, 1)),
    lambda t, x: t.nn.functional.avg_pool3d(x, 3, 2, 2),
    lambda t, x: t.nn.functional.avg_pool3d(x, 1, divisor_override=0),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, :, 0, :2, :2], _long(t, 99, (2, 2, 2)), 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, :, 0, :2, :2], _long(t, -1, (2, 2, 2)), 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, :, 0, :2, :2], _long(t, 1, (2, 2)), 2),
    lambda t, x: t.nn.functional.max_unpool2d(
        x[0, :, 0, :2, :2], _long(t, 1, (2, 2, 2)), 2, output_size=(9, 9)
    ),
    lambda t, x: t.nn.functional.max_unpool2d(
        x[0, :, 0, :2, :2], _long(t, 1, (2, 2, 2)), 2, output_size=(1, 2, 3)
    ),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, 0, 0], _long(t, 1, (4, 4)), 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, :, 0, :2, :2], _long(t, 1, (2, 2, 2)).int(), 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, :, 0, :2, :2].long(), _long(t, 1, (2, 2, 2)), 2),
    lambda t, x: t.nn.functional.max_unpool1d(x[0, 0, 0, 0], _long(t, 1, (4,)), 2),
    lambda t, x: t.nn.functional.max_unpool1d(x[0, 0, 0], _long(t, 99, (4, 4)), 2),
    lambda t, x: t.nn.functional.max_unpool3d(x[0, 0], _long(t, 1, (4, 4, 4)), 2),
    lambda t, x: t.nn.functional.max_unpool3d(x, _long(t, 999, (1, 2, 4, 4, 4)), 2),
    lambda t, x: t.nn.functional.max_unpool3d(
        x, _long(t, 1, (1, 2, 4, 4, 4)), 2, output_size=(1, 2, 3)
    ),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 4, 4)))
        with pytest.raises(Exception) as info:
            ERRORS[i](lib, x)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[1]) in str(caught[0])
