"""LU and LDL^T factorizations with pivots, the Householder product, and the torch.linalg
functions built on them or beside them (``*_ex``, ``vander``, ``tensorinv``, ``tensorsolve``):
values, pivots, info, node names, gradients and PyTorch's errors."""

import warnings

import numpy as np
import pytest
from op_checks import error_tests, program_matches_pytorch

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

_R = np.random.default_rng(5)
_SQ = _R.standard_normal((2, 4, 4))
_SINGULAR = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (2, 5, 3), (6, 2)])
def test_lu_and_its_gradients_match_pytorch_for_square_wide_and_tall(torch_ref, shape):
    a = _R.standard_normal(shape)
    got = []
    for lib in (retrograd, torch_ref):
        A = lib.tensor(a, requires_grad=True)
        P, L, U = lib.linalg.lu(A)
        LU, pivots = lib.linalg.lu_factor(A)
        loss = (L * L.detach()).sum() + (U.cos()).sum() + (LU * LU).sum()
        (g,) = lib.autograd.grad(loss, A)
        got.append([t.detach().numpy() for t in (P, L, U, LU, pivots, g)] + [str(pivots.dtype)])
    for u, v in zip(got[0][:-1], got[1][:-1]):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
    assert got[0][-1] == got[1][-1] == "torch.int32"
    A = retrograd.tensor(a, requires_grad=True)
    assert gradgradcheck(lambda x: retrograd.linalg.lu(x)[1:], (A,))
    assert gradgradcheck(lambda x: retrograd.linalg.lu_factor(x).LU, (A,))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_matches_pytorch(torch_ref, left, adjoint):
    b = _R.standard_normal((3, 4, 2) if left else (3, 2, 4))

    def program(t, a, b):
        LU, pivots = t.linalg.lu_factor(a + 4 * t.eye(4, dtype=a.dtype))
        return t.linalg.lu_solve(LU, pivots, b, left=left, adjoint=adjoint)

    program_matches_pytorch(torch_ref, program, [_SQ[:1], b])
    A = retrograd.tensor(_SQ[:1], requires_grad=True)
    B = retrograd.tensor(b, requires_grad=True)
    assert gradgradcheck(lambda a, b: program(retrograd, a, b), (A, B))


def test_lu_unpack_matches_pytorch(torch_ref):
    a = _R.standard_normal((2, 5, 3))
    for lib in (retrograd, torch_ref):
        P, L, U = lib.lu_unpack(*lib.linalg.lu_factor(lib.tensor(a)))
        np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-12)
    ours = retrograd.lu_unpack(*retrograd.linalg.lu_factor(retrograd.tensor(a)), unpack_data=False)
    assert ours.L.shape == ours.U.shape == (0,) and ours.P.shape == (2, 5, 5)
    A = retrograd.tensor(a, requires_grad=True)
    pivots = retrograd.linalg.lu_factor(A.detach()).pivots
    assert gradcheck(lambda x: retrograd.lu_unpack(x, pivots)[1:], (A,))


def test_info_of_the_ex_functions_matches_pytorch(torch_ref):
    not_pd = np.array([[[1.0, 2.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 2.0]]])
    for lib in (retrograd, torch_ref):
        f = lib.linalg
        got = [
            f.lu_factor_ex(lib.tensor(_SINGULAR)).info,
            f.cholesky_ex(lib.tensor(not_pd)).info,
            f.cholesky_ex(lib.tensor(not_pd)).L[0],
            f.inv_ex(lib.tensor(_SINGULAR)).info,
            f.solve_ex(lib.tensor(_SINGULAR), lib.ones(2, 2, dtype=lib.float64)).info,
            f.ldl_factor_ex(lib.zeros(3, 3)).info,
        ]
        if lib is retrograd:
            ours = got
    for u, v in zip(ours, got):
        assert str(u) == str(v)


def test_ldl_factor_and_solve_match_pytorch(torch_ref):
    a = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])  # 2 x 2 pivots
    b = _R.standard_normal((3, 2))
    got = []
    for lib in (retrograd, torch_ref):
        LD, pivots = lib.linalg.ldl_factor(lib.tensor(a))
        X = lib.linalg.ldl_solve(LD, pivots, lib.tensor(b))
        got.append([LD.numpy(), pivots.numpy(), X.numpy()])
    for u, v in zip(*got):
        np.testing.assert_allclose(u, v, rtol=1e-12)
    assert got[0][1].tolist() == [-3, -3, 3]


def test_householder_product_rebuilds_q_of_a_qr_factorization(torch_ref):
    """The reflectors LAPACK's geqrf leaves give back Q of the QR factorization."""
    from scipy.linalg import lapack

    a = _R.standard_normal((5, 3))
    qr, tau, _, _ = lapack.dgeqrf(a)
    q = retrograd.linalg.householder_product(retrograd.tensor(qr), retrograd.tensor(tau))
    np.testing.assert_allclose(q.numpy(), np.linalg.qr(a)[0], atol=1e-12)
    A = retrograd.tensor(_R.standard_normal((2, 4, 3)), requires_grad=True)
    tau = retrograd.tensor(_R.standard_normal((2, 2)), requires_grad=True)
    assert gradgradcheck(retrograd.linalg.householder_product, (A, tau))


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.linalg.vander(x),
        lambda t, x: t.linalg.vander(x[0], N=5),
        lambda t, x: t.linalg.tensorinv(x.reshape(2, 3, 6), ind=2) * 1,
        lambda t, x: t.linalg.tensorsolve(x.reshape(6, 2, 3), x[:2, :3] * 1, dims=(0,)),
        lambda t, x: t.linalg.inv_ex(x.reshape(6, 6)).inverse,
        lambda t, x: t.linalg.solve_ex(x.reshape(6, 6), x[0]).result,
        lambda t, x: t.linalg.cholesky_ex(x.reshape(6, 6) @ x.reshape(6, 6).mT).L,
    ],
)
def test_linalg_compositions_match_pytorch(torch_ref, fn):
    program_matches_pytorch(torch_ref, fn, [_R.standard_normal((6, 6))])


def test_deprecated_lu_names_warn_and_match_pytorch(torch_ref):
    b = _R.standard_normal((2, 4, 1))
    got = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            LU, pivots, info = lib.lu(lib.tensor(_SQ), get_infos=True)
            X = lib.lu_solve(lib.tensor(b), LU, pivots)
            X2 = lib.tensor(b).lu_solve(*lib.tensor(_SQ).lu())
        if lib is retrograd:  # (PyTorch warns once per process: an earlier test may have seen it)
            assert len(caught) >= 2
        got.append([LU.numpy(), pivots.numpy(), info.numpy(), X.numpy(), X2.numpy()])
    for u, v in zip(*got):
        np.testing.assert_allclose(u, v, rtol=1e-12)


(test_lu_error_type_and_text, test_lu_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.linalg.lu_factor(t.tensor(_SINGULAR)),
            RuntimeError,
            "torch.linalg.lu_factor: (Batch element 1): U[2,2] is zero and using it on lu_solve "
            "would result in a division by zero. If you still want to perform the factorization, "
            "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)",
        ),
        (
            lambda t: t.linalg.lu_factor_ex(t.tensor(_SINGULAR[1]), check_errors=True),
            RuntimeError,
            "torch.linalg.lu_factor_ex: U[2,2] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)",
        ),
        (
            lambda t: t.linalg.lu(t.ones(2, 2), pivot=False),
            RuntimeError,
            "linalg.lu_factor: LU without pivoting is not implemented on the CPU",
        ),
        (
            lambda t: t.linalg.lu(t.ones(3)),
            RuntimeError,
            "linalg.lu: Expected tensor with 2 or more dimensions. Got size: [3] instead",
        ),
        (
            lambda t: t.linalg.lu_factor(t.ones(2, 2, dtype=t.int64)),
            NotImplementedError,
            "\"lu_cpu\" not implemented for 'Long'",
        ),
        (
            lambda t: t.linalg.lu_solve(t.eye(3), t.ones(3, dtype=t.int32), t.ones(3)),
            RuntimeError,
            "linalg.lu_solve: The input tensor B must have at least 2 dimensions.",
        ),
        (
            lambda t: t.linalg.lu_solve(t.eye(3), t.ones(3, dtype=t.int32), t.ones(2, 3)),
            RuntimeError,
            "linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 2x3)",
        ),
        (
            lambda t: t.linalg.lu_solve(t.eye(3), t.ones(3, dtype=t.int64), t.ones(3, 1)),
            RuntimeError,
            "linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32",
        ),
        (
            lambda t: t.lu_unpack(t.eye(3), t.ones(3)),
            RuntimeError,
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            "dtype.\nNote: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor",
        ),
        (
            lambda t: t.linalg.householder_product(t.ones(2, 3), t.ones(1)),
            RuntimeError,
            "torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
            "input.shape[-1]",
        ),
        (
            lambda t: t.linalg.householder_product(t.ones(3, 2), t.ones(3)),
            RuntimeError,
            "torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
            "tau.shape[-1]",
        ),
        (
            lambda t: t.linalg.householder_product(t.ones(2, 3, 2), t.ones(3, 1)),
            RuntimeError,
            "torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
            "input.shape[:-2], but got [3]",
        ),
        (
            lambda t: t.linalg.ldl_factor(t.ones(2, 3)),
            RuntimeError,
            "torch.linalg.ldl_factor_ex: A must be batches of square matrices, but they are 2 by "
            "3 matrices",
        ),
        (
            lambda t: t.linalg.vander(t.ones(3), N=1),
            RuntimeError,
            "N must be greater than 1.",
        ),
        (
            lambda t: t.linalg.tensorinv(t.ones(4, 6, 8, 2)),
            RuntimeError,
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            "prod(self.shape[:ind]), but got 16 != 24",
        ),
        (
            lambda t: t.linalg.tensorsolve(t.ones(2, 3, 5), t.ones(2, 3)),
            RuntimeError,
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            "prod(self.shape[:other.ndim]), but got 5 != 6",
        ),
        (
            lambda t: t.linalg.inv_ex(t.tensor(_SINGULAR[1]), check_errors=True),
            RuntimeError,
            "linalg.inv_ex: The diagonal element 2 is zero, the inversion could not be completed "
            "because the input matrix is singular.",
        ),
        (
            lambda t: t.linalg.solve_ex(
                t.tensor(_SINGULAR[1]).float(), t.ones(2), check_errors=True
            ),
            RuntimeError,
            "torch.linalg.solve_ex: The solver failed because the input matrix is singular.",
        ),
        (
            lambda t: t.linalg.cholesky_ex(t.tensor([[1.0, 2.0], [2.0, 1.0]]), check_errors=True),
            RuntimeError,
            "linalg.cholesky_ex: The factorization could not be completed because the input is "
            "not positive-definite (the leading minor of order 2 is not positive-definite).",
        ),
    ]
)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, a: t.linalg.cholesky(a, upper=True),
        lambda t, a: t.linalg.cholesky_ex(a, upper=True).L,
    ],
)
def test_cholesky_upper_reads_the_upper_triangle(torch_ref, fn):
    """With ``upper`` the factor comes from A's upper triangle (the lower one holds noise), in
    one LinalgCholeskyExBackward0 node as in PyTorch."""
    a = np.array([[4.0, 1.0, 0.5], [-3.0, 3.0, 0.2], [9.0, 0.2, 2.0]])
    program_matches_pytorch(torch_ref, fn, [a])


def test_geqrf_and_ormqr_rebuild_a_matrix(torch_ref):
    """geqrf's reflectors, applied by ormqr to R, give back the matrix (as in PyTorch)."""
    a = _R.standard_normal((2, 5, 3))
    for lib in (retrograd, torch_ref):
        qr, tau = lib.geqrf(lib.tensor(a))
        R = qr[..., :3, :].triu()
        rebuilt = lib.ormqr(qr, tau, lib.cat([R, lib.zeros(2, 2, 3, dtype=R.dtype)], -2))
        np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-12)


def _complex(shape):
    return _R.standard_normal(shape) + 1j * _R.standard_normal(shape)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_geqrf_householder_product_and_ormqr_match_pytorch(torch_ref, dtype):
    """geqrf of a complex batch (R and the reflectors, as LAPACK's zgeqrf leaves them), Q made
    of them, and Q^H applied by ormqr from the right: PyTorch's values."""
    a, c = _complex((2, 5, 3)), _complex((2, 4, 5))
    got = []
    for lib in (retrograd, torch_ref):
        kind = getattr(lib, dtype)
        qr, tau = lib.geqrf(lib.tensor(a, dtype=kind))
        q = lib.linalg.householder_product(qr, tau)
        applied = lib.ormqr(qr, tau, lib.tensor(c, dtype=kind), left=False, transpose=True)
        got.append([x.numpy() for x in (qr, tau, q, applied)])
    tol = 1e-5 if dtype == "complex64" else 1e-12
    for ours, theirs in zip(*got):
        np.testing.assert_allclose(ours, theirs, atol=tol)
    q = got[0][2]
    np.testing.assert_allclose(
        q.conj().swapaxes(-1, -2) @ q, np.broadcast_to(np.eye(3), q.shape[:-2] + (3, 3)), atol=tol
    )


def _weighted(lib, fn, arrays, dtype):
    """``fn`` of complex leaves and the gradients of a fixed complex weighting of its output."""
    kind = getattr(lib, dtype)
    xs = [lib.tensor(x, dtype=kind, requires_grad=True) for x in arrays]
    out = fn(lib, *xs)
    w = np.cos(np.arange(out.numel())) + 1j * np.sin(np.arange(out.numel()) * 0.7)
    loss = (out * lib.tensor(w.reshape(tuple(out.shape)), dtype=kind)).real.sum()
    return [out.detach().numpy()] + [g.numpy() for g in lib.autograd.grad(loss, xs)]


_COMPLEX_PRODUCTS = [
    (lambda t, a, tau: t.linalg.householder_product(a, tau), [(2, 5, 3), (2, 2)]),
    (lambda t, a, tau: t.orgqr(a, tau), [(4, 4), (4,)]),
    (lambda t, a, tau, c: t.ormqr(a, tau, c), [(2, 4, 3), (2, 3), (2, 4, 2)]),
    (lambda t, a, tau, c: t.ormqr(a, tau, c, True, True), [(4, 4), (4,), (4, 3)]),
    (lambda t, a, tau, c: t.ormqr(a, tau, c, False, False), [(3, 5), (3,), (2, 3)]),
    (lambda t, a, tau, c: t.ormqr(a, tau, c, False, True), [(2, 3, 2), (2, 2), (2, 4, 3)]),
]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("fn, shapes", _COMPLEX_PRODUCTS)
def test_complex_householder_products_and_their_gradients_match_pytorch(
    torch_ref, fn, shapes, dtype
):
    arrays = [_complex(s) for s in shapes]
    ours = _weighted(retrograd, fn, arrays, dtype)
    theirs = _weighted(torch_ref, fn, arrays, dtype)
    tol = 2e-4 if dtype == "complex64" else 1e-10
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, atol=tol, rtol=tol)


@pytest.mark.parametrize("fn, shapes", _COMPLEX_PRODUCTS[:3])
def test_complex_householder_products_pass_gradcheck_and_gradgradcheck(fn, shapes):
    xs = [
        retrograd.tensor(_complex(s) * 0.5, dtype=retrograd.complex128, requires_grad=True)
        for s in shapes
    ]
    program = lambda *ts: fn(retrograd, *ts)  # noqa: E731
    assert gradcheck(program, xs)
    assert gradgradcheck(program, xs)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_broadcast_like_pytorch(torch_ref, upper):
    a = _R.standard_normal((3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    factor = np.linalg.cholesky(spd).T if upper else np.linalg.cholesky(spd)

    def program(t, b, f):
        return t.cholesky_solve(b, f, upper=upper) + t.cholesky_inverse(f, upper=upper)[:, :1]

    program_matches_pytorch(torch_ref, program, [_R.standard_normal((2, 3, 1)), factor])


(test_legacy_error_type_and_text, test_legacy_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.ormqr(t.ones(3, 3), t.ones(2), t.ones(5, 3), left=False),
            RuntimeError,
            "torch.ormqr: tau.shape[-1] must be equal to min(other.shape[-1], input.shape[-1])",
        ),
        (
            lambda t: t.ormqr(t.ones(3, 3), t.ones(3), t.ones(4, 3)),
            RuntimeError,
            "torch.ormqr: other.shape[-2] must be equal to input.shape[-2]",
        ),
        (
            lambda t: t.ormqr(t.ones(3, 3), t.ones(3), t.ones(3)),
            RuntimeError,
            "torch.ormqr: other must have at least 2 dimensions.",
        ),
        (
            lambda t: t.cholesky_solve(t.ones(3), t.eye(3)),
            RuntimeError,
            "b should have at least 2 dimensions, but has 1 dimensions instead",
        ),
        (
            lambda t: t.cholesky_inverse(t.ones(3)),
            RuntimeError,
            "cholesky_inverse: The input tensor A must have at least 2 dimensions.",
        ),
        (
            lambda t: t.geqrf(t.ones(3, 3, requires_grad=True))[0].sum().backward(),
            NotImplementedError,
            "the derivative for 'geqrf' is not implemented.",
        ),
        (
            lambda t: t.geqrf(t.ones(3, 3, dtype=t.complex128, requires_grad=True)),
            RuntimeError,
            "geqrf does not support automatic differentiation for outputs with complex dtype.",
        ),
        (
            lambda t: t.geqrf(t.ones(3, 3, dtype=t.int64)),
            NotImplementedError,
            "\"geqrf_cpu\" not implemented for 'Long'",
        ),
        (
            lambda t: _geqrf_of_a_dual(t),
            NotImplementedError,
            "Trying to use forward AD with geqrf that does not support it because it has not been "
            "implemented yet.\nPlease file an issue to PyTorch at "
            "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we "
            "can prioritize its implementation or submit a PR adding the implementation to "
            "derivatives.yaml",
        ),
    ]
)


def _geqrf_of_a_dual(t):
    with t.autograd.forward_ad.dual_level():
        x = t.ones(3, 3, dtype=t.float64)
        return t.geqrf(t.autograd.forward_ad.make_dual(x, t.ones_like(x)))
