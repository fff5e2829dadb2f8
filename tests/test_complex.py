"""Complex tensors against PyTorch: gradients in PyTorch's convention (``dL/dx + i dL/dy`` for a
real loss L of ``z = x + iy``), the parts as views that writes reach, and the errors."""

import numpy as np
import pytest

import retrograd

rng = np.random.default_rng(0)
A = rng.uniform(-1, 1, (3, 4)) + 1j * rng.uniform(-1, 1, (3, 4))
B = rng.uniform(-1, 1, (3, 4)) + 1j * rng.uniform(-1, 1, (3, 4))

# Real losses of two complex leaves, each through an op whose formula conjugates a factor.
PROGRAMS = {
    "mul": lambda t, a, b: (a * b).abs().sum(),
    "mul_real": lambda t, a, b: (a * b.real).abs().sum(),
    "mul_number": lambda t, a, b: (a * (2 - 1j) + b).abs().sum(),
    "div": lambda t, a, b: (a / b).abs().sum(),
    "rdiv": lambda t, a, b: (2 / a + b).abs().sum(),
    "exp": lambda t, a, b: (t.exp(a) * b).real.sum(),
    "log": lambda t, a, b: (t.log(a) + t.log1p(b) + t.log2(a) + t.log10(b)).abs().sum(),
    "pow": lambda t, a, b: (a**3 + a**b).abs().sum(),
    "roots": lambda t, a, b: (a.sqrt() + b.rsqrt() + a.reciprocal()).abs().sum(),
    "trig": lambda t, a, b: (a.sin() + a.cos() + b.tan()).abs().sum(),
    "mean": lambda t, a, b: (a.mean() * b.sum()).abs(),
    "matmul": lambda t, a, b: (a @ b.mT).abs().sum() + (a[0] @ b[0]).abs(),
    "bmm": lambda t, a, b: (a[None] @ b.mT[None]).abs().sum() + (a @ b[0]).abs().sum(),
    "addmm": lambda t, a, b: t.addmm(a[:, :3], a, b.mT).abs().sum(),
    "addcdiv": lambda t, a, b: t.addcdiv(a, a * 2, b, value=0.5).abs().sum(),
    "addcmul": lambda t, a, b: t.addcmul(a, a * 2, b, value=0.5).abs().sum(),
    "angle": lambda t, a, b: (t.angle(a) * b.real).sum(),
    "sgn": lambda t, a, b: (a.sgn() * b).real.sum(),
    "parts": lambda t, a, b: (a.real * b.imag + a.imag**2).sum(),
    "conj": lambda t, a, b: (a.conj() * b).imag.sum() + t.conj_physical(a).real.sum(),
    "view_as_real": lambda t, a, b: t.view_as_real(a * b).pow(2).sum(),
    "view_as_complex": lambda t, a, b: t.view_as_complex(t.view_as_real(a) * 2).abs().sum(),
    "complex": lambda t, a, b: t.complex(a.real, b.imag).abs().sum(),
    "polar": lambda t, a, b: t.polar(a.abs(), b.real).imag.sum(),
    "to_complex": lambda t, a, b: (a.real.to(t.complex128) * b).abs().sum(),
    "vecdot": lambda t, a, b: (t.linalg.vecdot(a, b) * b[:, 0]).abs().sum(),
    "linear": lambda t, a, b: (
        t.nn.functional.linear(a, b, a[:, 1]).abs().sum()
        + t.nn.functional.linear(a[0], b, b[:, 2]).abs().sum()
    ),
    "lerp": lambda t, a, b: (
        t.lerp(a, b, 0.3 + 0.4j).abs().sum() + t.lerp(a, b, b * 0.5).abs().sum()
    ),
    "addmm_scaled": lambda t, a, b: t.addmm(a[:, :3], a, b.mT, beta=1 - 2j, alpha=0.5j).abs().sum(),
    "ldexp": lambda t, a, b: (t.ldexp(a, b) * b).abs().sum(),
    # a factor of A itself, not of a product that makes A Hermitian (whose gradient would hide
    # the imaginary part of the diagonal, which PyTorch's convention keeps)
    "cholesky": lambda t, a, b: (
        (t.linalg.cholesky(a[:, :3] * 0.2 + 3 * t.eye(3)) * b[:, 1:]).abs().sum()
        + (t.linalg.cholesky(a[:, 1:] * 0.3 + 2 * t.eye(3), upper=True) * b[:, :3]).real.sum()
    ),
}


def _grads(lib, f):
    a = lib.tensor(A, requires_grad=True)
    b = lib.tensor(B, requires_grad=True)
    out = f(lib, a, b)
    return [
        None if g is None else g.detach().resolve_conj().numpy()
        for g in lib.autograd.grad(out, (a, b), allow_unused=True)
    ]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradients_follow_pytorchs_convention(torch_ref, name):
    got = _grads(retrograd, PROGRAMS[name])
    want = _grads(torch_ref, PROGRAMS[name])
    for g, w in zip(got, want):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_abs_of_square_gradient():
    z = retrograd.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    (z * z).abs().sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [2 + 4j, 6 - 2j])  # d|z|^2 = 2z


@pytest.mark.parametrize("name", ["mul", "div", "trig", "matmul", "polar", "angle", "sgn"])
def test_gradcheck_perturbs_both_parts(name):
    def f(a, b):
        return PROGRAMS[name](retrograd, a, b)

    a = retrograd.tensor(A[:2, :3], requires_grad=True)
    b = retrograd.tensor(B[:2, :3], requires_grad=True)
    if name == "matmul":
        a = retrograd.tensor(A, requires_grad=True)
        b = retrograd.tensor(B, requires_grad=True)
    assert retrograd.autograd.gradcheck(f, (a, b))
    assert retrograd.autograd.gradgradcheck(f, (a, b))


def test_gradcheck_finds_a_wrong_complex_gradient():
    class WrongConj(retrograd.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return g * 2 * z  # PyTorch's convention needs 2 * conj(z)

    z = retrograd.tensor(A[:1, :2], requires_grad=True)
    assert not retrograd.autograd.gradcheck(WrongConj.apply, (z,), raise_exception=False)


def test_parts_are_views_that_writes_reach(torch_ref):
    def program(t):
        w = t.zeros(3, dtype=t.complex64)
        w.real = t.ones(3)
        w.imag.add_(2)
        w.real[0] = 5
        t.view_as_real(w)[1, 1] = 7
        c = t.view_as_complex(t.zeros(3, 2))
        c.imag.fill_(1)
        return w, c

    for ours, theirs in zip(program(retrograd), program(torch_ref)):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_write_into_a_part_reaches_the_gradient(torch_ref):
    def program(t):
        z = t.tensor(A, requires_grad=True)
        w = z * 1
        w.imag.mul_(3)
        v = w.real
        v.add_(w.imag * 2)
        (w.abs().sum() + v.sum()).backward()
        return z.grad

    np.testing.assert_allclose(program(retrograd).numpy(), program(torch_ref).numpy())


def test_parts_of_an_empty_tensor(torch_ref):
    # (an array with no elements has NumPy's strides, not PyTorch's: the gradients are views
    # of them all the same)
    def program(t):
        z = t.zeros(1, 0, 3, dtype=t.complex128, requires_grad=True)
        grads = []
        for y in (z.real, z.imag, t.view_as_real(z), z.mT.real):
            (g,) = t.autograd.grad(y, [z], t.zeros(y.shape, dtype=t.float64))
            grads.append((tuple(g.shape), g.dtype.is_complex))
        return grads, tuple(t.view_as_complex(t.zeros(3, 0, 2).transpose(0, 1)).shape)

    assert program(retrograd) == program(torch_ref)


def test_real_tensors(torch_ref):
    for t in (retrograd, torch_ref):
        x = t.randn(3)
        assert x.conj() is x and x.real is x and x.resolve_conj() is x
        assert not t.is_complex(x) and not x.is_conj() and not t.is_neg(x)
    x = [-1.0, 0.0, 2.0, float("nan"), float("inf")]
    np.testing.assert_array_equal(
        retrograd.angle(retrograd.tensor(x)).numpy(), torch_ref.angle(torch_ref.tensor(x)).numpy()
    )


ERRORS = [
    lambda t: t.randn(3).imag,
    lambda t: t.view_as_real(t.randn(3)),
    lambda t: t.view_as_complex(t.randn(3, 3)),
    lambda t: t.view_as_complex(t.randn(3, 2).t().contiguous().t()),
    lambda t: t.view_as_complex(t.ones(3, 2, dtype=t.int64)),
    lambda t: t.complex(t.randn(3), t.randn(3, dtype=t.float64)),
    lambda t: t.complex(t.ones(3, dtype=t.int64), t.ones(3, dtype=t.int64)),
    lambda t: t.polar(t.randn(3), t.randn(3, dtype=t.float64)),
    lambda t: t.randn(2, dtype=t.complex64, requires_grad=True).sum().backward(),
]


@pytest.mark.parametrize("program", ERRORS)
def test_errors(torch_ref, program):
    with pytest.raises(Exception) as want:
        program(torch_ref)
    with pytest.raises(type(want.value)) as got:
        program(retrograd)
    assert str(got.value) == str(want.value)


def test_parts_of_a_transposed_tensor(torch_ref):
    """view_as_real, .real and .imag of a tensor whose last dimension is not contiguous (a
    transpose, a matrix's conjugate transpose): views with PyTorch's strides and gradients."""

    def program(t):
        x = t.tensor([[1 + 2j, 3 - 1j], [0.5j, 2.0]], requires_grad=True)
        y = (x * 1).mT
        pairs = t.view_as_real(y)
        w = t.tensor([[1.0, 2.0], [3.0, 4.0]])
        ((y.real * w).sum() + (y.imag * w * w).sum()).backward()
        return pairs.shape, pairs.stride(), x.grad

    ours, theirs = program(retrograd), program(torch_ref)
    assert tuple(ours[0]) == tuple(theirs[0]) and ours[1] == theirs[1]
    np.testing.assert_allclose(ours[2].numpy(), theirs[2].numpy())


@pytest.mark.parametrize(
    "expr",
    [
        "t.randn(2, 3, dtype=t.complex64).mH",
        "t.randn(2, 3, dtype=t.complex64).H",
        "t.randn(2, 3, 4).H",
        "t.randn(3).mH",
        "t.randn(3).mT",
        "t.randn(3).H",
    ],
)
def test_conjugate_transposes(torch_ref, expr):
    """``mH`` and ``H`` conjugate and swap the last two dimensions; PyTorch's errors elsewhere."""
    results = []
    for t in (retrograd, torch_ref):
        t.manual_seed(0)
        try:
            results.append(eval(expr, {"t": t}))
        except RuntimeError as e:
            results.append(str(e))
    ours, theirs = results
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        np.testing.assert_allclose(ours.numpy(), theirs.resolve_conj().numpy())
