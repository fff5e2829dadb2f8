"""``linalg.eig`` and ``linalg.eigvals`` against PyTorch: complex results, PyTorch's gradient
(conjugate convention) and its error for a loss that depends on the eigenvectors' phases."""

import numpy as np
import pytest

import retrograd

rng = np.random.default_rng(3)
MATRICES = {
    "real batch": rng.standard_normal((2, 4, 4)),
    "complex": rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4)),
    "symmetric": (lambda a: a + a.T)(rng.standard_normal((3, 3))),
}


def _run(lib, A, dtype):
    a = lib.tensor(A, requires_grad=True)
    if dtype == "single":
        a = lib.tensor(A, dtype=lib.complex64 if np.iscomplexobj(A) else lib.float32)
        a.requires_grad_()
    L, V = lib.linalg.eig(a)
    n = A.shape[-1]
    weights = lib.tensor(np.arange(n) + 1j, dtype=L.dtype)
    # a loss that does not depend on the eigenvectors' phases
    loss = (L * weights).real.sum() + (
        V.abs() ** 2 * lib.tensor(np.cos(np.arange(n * n)).reshape(n, n))
    ).sum()
    (g,) = lib.autograd.grad(loss, a)
    (g2,) = lib.autograd.grad(lib.linalg.eigvals(a).abs().sum(), a)
    return L, V, g, g2


@pytest.mark.parametrize("dtype", ["double", "single"])
@pytest.mark.parametrize("kind", sorted(MATRICES))
def test_eig_matches_pytorch(torch_ref, kind, dtype):
    A = MATRICES[kind]
    ours = _run(retrograd, A, dtype)
    theirs = _run(torch_ref, A, dtype)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "single" else {"rtol": 1e-7, "atol": 1e-9}
    for o, t in zip(ours, theirs):
        assert str(o.dtype) == str(t.dtype)
    assert ours[0].grad_fn.name() == theirs[0].grad_fn.name() == "LinalgEigBackward0"
    np.testing.assert_allclose(ours[0].detach().numpy(), theirs[0].detach().numpy(), **tol)
    # eigenvectors: the same up to one phase per column (LAPACK builds may choose differently)
    v, w = ours[1].detach().numpy(), theirs[1].detach().numpy()
    overlap = np.abs(np.sum(np.conj(v) * w, axis=-2))
    np.testing.assert_allclose(overlap, 1, **tol)
    for o, t in zip(ours[2:], theirs[2:]):
        np.testing.assert_allclose(o.numpy(), t.numpy(), **tol)


def test_gradcheck():
    a = retrograd.tensor(MATRICES["real batch"][0, :3, :3], requires_grad=True)
    z = retrograd.tensor(MATRICES["complex"][:3, :3], requires_grad=True)
    for x in (a, z):
        assert retrograd.autograd.gradcheck(lambda x: retrograd.linalg.eigvals(x), (x,))
        assert retrograd.autograd.gradcheck(lambda x: retrograd.linalg.eig(x)[1].abs(), (x,))


def test_phase_dependent_loss_is_refused(torch_ref):
    A = np.random.default_rng(5).standard_normal((3, 3))
    messages = []
    for lib in (retrograd, torch_ref):
        a = lib.tensor(A, requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            lib.linalg.eig(a)[1].sum().abs().backward()
        messages.append(str(err.value))
    assert messages[0] == messages[1]


ERRORS = [
    lambda t: t.linalg.eig(t.ones(2, 3)),
    lambda t: t.linalg.eig(t.ones(2, 2, dtype=t.int64)),
    lambda t: t.linalg.eigvals(t.ones(3)),
]


@pytest.mark.parametrize("program", ERRORS)
def test_errors(torch_ref, program):
    with pytest.raises(Exception) as want:
        program(torch_ref)
    with pytest.raises(type(want.value)) as got:
        program(retrograd)
    assert str(got.value) == str(want.value)


def test_empty(torch_ref):
    for lib in (retrograd, torch_ref):
        L, V = lib.linalg.eig(lib.zeros(0, 0))
        assert str(L.dtype) == "torch.complex64" and tuple(V.shape) == (0, 0)
