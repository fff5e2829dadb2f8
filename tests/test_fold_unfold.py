"""``F.unfold``/``F.fold`` and ``nn.Unfold``/``nn.Fold`` against PyTorch: values, node names
(Im2ColBackward0, Col2ImBackward0), gradients and double backward in float64 and float32, the
layers' reprs and the errors for bad sizes."""

import numpy as np
import pytest

import retrograd

PROGRAMS = {
    "unfold": ((2, 3, 5, 6), lambda t, x: t.nn.functional.unfold(x, 2)),
    "unfold everything": (
        (2, 3, 5, 6),
        lambda t, x: t.nn.functional.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
    ),
    "Unfold unbatched": ((3, 6, 5), lambda t, x: t.nn.Unfold((3, 2), padding=(1, 0), stride=2)(x)),
    "fold": ((2, 12, 12), lambda t, x: t.nn.functional.fold(x, (4, 5), 2)),
    "fold everything": (
        (2, 18, 12),
        lambda t, x: t.nn.functional.fold(x, (5, 6), (2, 3), (1, 2), 1, (2, 1)),
    ),
    "Fold unbatched": ((8, 6), lambda t, x: t.nn.Fold((4, 6), 2, stride=2)(x)),
    "fold of unfold": (
        (1, 2, 5, 5),
        lambda t, x: t.nn.functional.fold(
            t.nn.functional.unfold(x, 3, padding=1), (5, 5), 3, padding=1
        ),
    ),
}


def _run(lib, name, dtype):
    shape, fn = PROGRAMS[name]
    x = np.random.default_rng(len(name)).standard_normal(shape)
    t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    y = fn(lib, t)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=y.dtype)
    (g,) = lib.autograd.grad((y * y * w).sum(), t, create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), t)
    return y.grad_fn.name(), y.detach().numpy(), g.detach().numpy(), gg.numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_pytorch(torch_ref, name, dtype):
    ours, theirs = _run(retrograd, name, dtype), _run(torch_ref, name, dtype)
    assert ours[0] == theirs[0]
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(ours[1:], theirs[1:]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_reprs(torch_ref):
    for make in (
        lambda nn: nn.Unfold(2),
        lambda nn: nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)),
        lambda nn: nn.Fold((4, 5), 2, stride=2),
    ):
        assert repr(make(retrograd.nn)) == repr(make(torch_ref.nn))


def _r(t, *shape, dtype=None):
    return t.ones(*shape, dtype=dtype)


ERRORS = [
    lambda t, F: F.unfold(_r(t, 2, 3, 5, 6), 7),
    lambda t, F: F.unfold(_r(t, 3, 4), 2),
    lambda t, F: F.unfold(_r(t, 3), 2),
    lambda t, F: F.unfold(_r(t, 1, 2, 3, 4, 5), 2),
    lambda t, F: F.unfold(_r(t, 0, 3, 4), 2),
    lambda t, F: F.unfold(_r(t, 2, 0, 4, 4), 2),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 0),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, stride=0),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, stride=-1),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, dilation=0),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, padding=-1),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), (2, 2, 2)),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, padding=(1, 1, 1)),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4), 2, stride=(1,)),
    lambda t, F: F.unfold(_r(t, 2, 3, 4, 4, dtype=t.int64), 2),
    lambda t, F: F.fold(_r(t, 2, 18, 12), (5, 6), (2, 2)),
    lambda t, F: F.fold(_r(t, 2, 18, 12), (5, 7), (2, 3), (1, 2), 1, (2, 1)),
    lambda t, F: F.fold(_r(t, 12), (5, 6), (2, 3)),
    lambda t, F: F.fold(_r(t, 1, 4, 4, 4), (3, 3), 2),
    lambda t, F: F.fold(_r(t, 2, 0, 4), (3, 3), 2),
    lambda t, F: F.fold(_r(t, 2, 18, 12), (5,), (2, 3)),
    lambda t, F: F.fold(_r(t, 2, 18, 12), (1, 1), (2, 3)),
    lambda t, F: F.fold(_r(t, 1, 4, 4), (0, 3), 2),
    lambda t, F: F.fold(_r(t, 1, 4, 4), (3, 3), 0),
    lambda t, F: F.fold(_r(t, 1, 4, 4), (3, 3), 2, dilation=(1, 1, 1)),
    lambda t, F: F.fold(_r(t, 1, 4, 4, dtype=t.int64), (3, 3), 2),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(Exception) as info:
            ERRORS[i](lib, lib.nn.functional)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[1]) in str(caught[0])


def test_empty_batches(torch_ref):
    for lib in (retrograd, torch_ref):
        assert tuple(lib.nn.functional.unfold(lib.ones(0, 3, 4, 4), 2).shape) == (0, 12, 9)
        assert tuple(lib.nn.functional.fold(lib.ones(0, 4, 4), (3, 3), 2).shape) == (0, 1, 3, 3)
