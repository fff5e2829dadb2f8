"""``retrograd.fft`` against ``torch.fft``: values, dtypes, node names and gradients for every
transform, each norm, and signal sizes smaller and larger than the input (odd and even); the
frequencies, the shifts and the errors."""

import numpy as np
import pytest

import retrograd

rng = np.random.default_rng(1)
X = rng.standard_normal((4, 6))
Z = X + 1j * rng.standard_normal((4, 6))

CASES = []
for _norm in (None, "ortho", "forward"):
    for _name in ("fft", "ifft", "rfft", "ihfft"):
        for _n in (None, 3, 6, 9, 10):
            CASES.append((_name, "real", {"n": _n, "norm": _norm}))
    for _name in ("fft", "ifft", "irfft", "hfft"):
        for _n in (None, 3, 4, 9, 10, 12):
            CASES.append((_name, "complex", {"n": _n, "norm": _norm}))
    for _name in ("fft2", "ifft2", "rfft2", "ihfft2", "fftn", "rfftn", "ihfftn"):
        for _s in (None, (3, 5), (5, 8)):
            CASES.append((_name, "real", {"s": _s, "norm": _norm}))
    for _name in ("fft2", "ifft2", "irfft2", "hfft2", "fftn", "ifftn", "irfftn", "hfftn"):
        for _s in (None, (3, 5), (5, 8), (5, 7)):
            CASES.append((_name, "complex", {"s": _s, "norm": _norm}))
CASES += [
    ("fft", "real", {"dim": 0}),
    ("irfft", "complex", {"dim": 0, "n": 5}),
    ("rfftn", "real", {"dim": (1, 0)}),
    ("irfftn", "complex", {"dim": (1, 0), "s": (5, 3)}),
    ("ihfftn", "real", {"dim": 0}),
    ("fftn", "real", {"s": (-1, 4)}),
]


def _run(lib, name, kind, kwargs, dtype):
    x = lib.tensor(X if kind == "real" else Z, dtype=getattr(lib, dtype)).requires_grad_()
    y = getattr(lib.fft, name)(x, **kwargs)
    w = np.cos(np.arange(y.numel())).reshape(tuple(y.shape))
    if y.dtype.is_complex:
        w = w * (1 + 0.5j)
    (g,) = lib.autograd.grad(y, x, lib.tensor(w, dtype=y.dtype))
    return y.detach().numpy(force=True), str(y.dtype), y.grad_fn.name(), g.numpy(force=True)


@pytest.mark.parametrize("dtype", ["float64", "complex"])
@pytest.mark.parametrize("name, kind, kwargs", CASES)
def test_transform_matches_pytorch(torch_ref, name, kind, kwargs, dtype):
    if dtype == "complex":  # single precision: float32 in, complex64 out
        dtype = "float32" if kind == "real" else "complex64"
    elif kind == "complex":
        dtype = "complex128"
    got = _run(retrograd, name, kind, kwargs, dtype)
    want = _run(torch_ref, name, kind, kwargs, dtype)
    assert got[1:3] == want[1:3]
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype in ("float32", "complex64") else {}
    for a, b in ((got[0], want[0]), (got[3], want[3])):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize(
    "name, kind, kwargs",
    [
        ("fft", "complex", {"n": 5}),
        ("rfft", "real", {"n": 7}),
        ("irfft", "complex", {"n": 5}),
        ("irfft", "complex", {"n": 8, "norm": "ortho"}),
        ("hfft", "complex", {"n": 7}),
        ("ihfft", "real", {}),
        ("irfftn", "complex", {"s": (3, 4)}),
        ("ihfft2", "real", {"norm": "forward"}),
    ],
)
def test_gradcheck(name, kind, kwargs):
    x = retrograd.tensor((X if kind == "real" else Z)[:2, :4], requires_grad=True)

    def f(x):
        return getattr(retrograd.fft, name)(x, **kwargs)

    assert retrograd.autograd.gradcheck(f, (x,))
    assert retrograd.autograd.gradgradcheck(f, (x,))


def test_integer_input_and_frequencies(torch_ref):
    for t in (retrograd, torch_ref):
        assert str(t.fft.fft(t.arange(4)).dtype) == "torch.complex64"
    pairs = [
        (lambda t: t.fft.fftfreq(5), None),
        (lambda t: t.fft.rfftfreq(6, d=0.5), None),
        (lambda t: t.fft.fftfreq(4, dtype=t.float64, requires_grad=True), None),
        (lambda t: t.fft.fftshift(t.arange(10.0).reshape(2, 5)), None),
        (lambda t: t.fft.ifftshift(t.arange(10.0).reshape(2, 5), dim=1), None),
        (lambda t: t.fft.ifftshift(t.fft.fftshift(t.arange(7.0))), None),
    ]
    for program, _ in pairs:
        ours, theirs = program(retrograd), program(torch_ref)
        assert str(ours.dtype) == str(theirs.dtype)
        assert ours.requires_grad == theirs.requires_grad
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def test_shift_records_a_roll(torch_ref):
    for t in (retrograd, torch_ref):
        x = t.ones(3, 4, requires_grad=True)
        assert t.fft.fftshift(x).grad_fn.name() == "RollBackward0"


ERRORS = [
    lambda t: t.fft.fft(t.ones(4, 6), n=0),
    lambda t: t.fft.fft(t.ones(4, 6), dim=2),
    lambda t: t.fft.fft(t.ones(4, 6), norm="bad"),
    lambda t: t.fft.rfft(t.ones(4, dtype=t.complex128)),
    lambda t: t.fft.ihfft(t.ones(4, dtype=t.complex128)),
    lambda t: t.fft.fftn(t.ones(4, 6), s=(2, 3), dim=(0,)),
    lambda t: t.fft.fftn(t.ones(4, 6), dim=(0, 0)),
    lambda t: t.fft.irfft(t.ones(1, dtype=t.complex128)),
    lambda t: t.fft.fft(t.ones(3, dtype=t.float16)),
    lambda t: t.fft.fft2(t.ones(3)),
    lambda t: t.fft.fftn(t.ones(4, 6), s=(3, 3, 3)),
    lambda t: t.fft.fft(t.tensor(1.0)),
    lambda t: t.fft.ifftn(t.tensor(1.0), dim=0),
]


@pytest.mark.parametrize("program", ERRORS)
def test_errors(torch_ref, program):
    with pytest.raises(Exception) as want:
        program(torch_ref)
    with pytest.raises(type(want.value)) as got:
        program(retrograd)
    assert str(got.value) == str(want.value)
