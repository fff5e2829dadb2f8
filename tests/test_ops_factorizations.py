"""Dense linear algebra (torch.linalg and the torch.* names for it): values, node names and
gradients against PyTorch, second derivatives against finite differences in float64, and
PyTorch's errors."""

import numpy as np
import pytest
from op_checks import error_tests, program_matches_pytorch

import retrograd
from retrograd.autograd import gradgradcheck

_R = np.random.default_rng(0)
_SQ = _R.standard_normal((3, 3))
_SPD = _SQ @ _SQ.T + 3 * np.eye(3)
_TALL = _R.standard_normal((4, 3))
_WIDE = _R.standard_normal((3, 4))
_RHS = _R.standard_normal((3, 2))
_BATCH = _R.standard_normal((2, 3, 3))


def _sym(a):
    # eigh reads one triangle: differentiate through a symmetric function of the input
    return a + a.mT


def _rebuilt(t, a):
    u, s, vh = t.linalg.svd(a, full_matrices=False)
    return (u * s.unsqueeze(-2)) @ vh


CASES = [
    ("inv", lambda t, a: t.linalg.inv(a), [_SQ]),
    ("inverse_batched", lambda t, a: t.inverse(a), [_BATCH]),
    ("det", lambda t, a: t.linalg.det(a), [_SQ]),
    ("det_batched", lambda t, a: a.det(), [_BATCH]),
    ("slogdet", lambda t, a: t.linalg.slogdet(a).logabsdet, [_SQ]),
    ("logdet", lambda t, a: t.logdet(a), [_SPD]),
    ("solve", lambda t, a, b: t.linalg.solve(a, b), [_SQ, _RHS]),
    ("solve_vector", lambda t, a, b: t.linalg.solve(a, b), [_SQ, _RHS[:, 0]]),
    ("solve_right", lambda t, a, b: t.linalg.solve(a, b, left=False), [_SQ, _RHS.T]),
    ("eigh_values", lambda t, a: t.linalg.eigh(_sym(a)).eigenvalues, [_SPD]),
    ("eigh_vectors", lambda t, a: t.linalg.eigh(_sym(a)).eigenvectors.abs(), [_SPD]),
    (
        "eigh_both",
        lambda t, a: (lambda e: e[0].sum() + (e[1] ** 2 * t.arange(3.0, dtype=t.float64)).sum())(
            t.linalg.eigh(_sym(a))
        ),
        [_SPD],
    ),
    ("eigvalsh_upper", lambda t, a: t.linalg.eigvalsh(_sym(a), "U"), [_SQ]),
    ("svdvals", lambda t, a: t.linalg.svdvals(a), [_TALL]),
    ("svd_U", lambda t, a: t.linalg.svd(a, full_matrices=False).U.abs(), [_TALL]),
    ("svd_Vh", lambda t, a: t.linalg.svd(a, full_matrices=False).Vh.abs(), [_WIDE]),
    ("svd_rebuilt", _rebuilt, [_TALL]),
    ("svd_legacy_V", lambda t, a: t.svd(a).V.abs(), [_TALL]),
    ("qr_Q", lambda t, a: t.linalg.qr(a).Q, [_TALL]),
    ("qr_R", lambda t, a: t.linalg.qr(a).R, [_TALL]),
    ("qr_square", lambda t, a: (lambda q, r: q.sum() + r.sum())(*t.linalg.qr(a)), [_SQ]),
    # a wide A = [X Y]: X's QR, and R's last columns Q^H Y
    (
        "qr_wide",
        lambda t, a: (lambda q, r: (q * t.arange(9.0).reshape(3, 3)).sum() + r.sum())(
            *t.linalg.qr(a)
        ),
        [_WIDE],
    ),
    ("qr_wide_R", lambda t, a: t.linalg.qr(a, mode="complete").R, [_WIDE]),
    ("qr_wide_Q", lambda t, a: t.linalg.qr(a).Q, [_WIDE]),
    ("pinv", lambda t, a: t.linalg.pinv(a), [_TALL]),
    ("pinverse_wide", lambda t, a: t.pinverse(a), [_WIDE]),
    ("lstsq", lambda t, a, b: t.linalg.lstsq(a, b).solution, [_TALL, _R.standard_normal((4, 2))]),
    # the squared norms of the residuals: differentiable, from gelsd, gelss and gels
    (
        "lstsq_residuals",
        lambda t, a, b: t.linalg.lstsq(a, b, driver="gelsd").residuals,
        [_TALL, _R.standard_normal((4, 2))],
    ),
    (
        "lstsq_residuals_and_solution",
        lambda t, a, b: (lambda r: r.residuals.sum() + r.solution.sum())(
            t.linalg.lstsq(a, b, driver="gels")
        ),
        [_TALL, _R.standard_normal((4, 2))],
    ),
    (
        "lstsq_residuals_vector",
        lambda t, a, b: t.linalg.lstsq(a, b, driver="gelss").residuals,
        [_TALL, _R.standard_normal(4)],
    ),
    ("matrix_power", lambda t, a: t.linalg.matrix_power(a, 3), [_SQ]),
    ("matrix_power_negative", lambda t, a: t.linalg.matrix_power(a, -2), [_SQ]),
    ("matrix_exp", lambda t, a: t.linalg.matrix_exp(a), [_SQ * 0.5]),
    ("matrix_exp_batched", lambda t, a: a.matrix_exp(), [_BATCH * 0.5]),
    ("cross", lambda t, a, b: t.linalg.cross(a, b), [_TALL, _TALL[::-1].copy()]),
    ("cross_legacy", lambda t, a, b: t.cross(a, b, dim=1), [_TALL, _TALL[::-1].copy()]),
    ("multi_dot", lambda t, a, b, c: t.linalg.multi_dot([a, b, c]), [_TALL, _SQ, _RHS]),
    (
        "multi_dot_vectors",
        lambda t, a, b, c: t.linalg.multi_dot([a, b, c]),
        [_TALL[:, 0], _TALL, _RHS[:, 0]],
    ),
    ("vecdot", lambda t, a, b: t.linalg.vecdot(a, b), [_TALL, _TALL * 2]),
    ("cond", lambda t, a: t.linalg.cond(a), [_SQ]),
    ("matrix_norm_nuc", lambda t, a: t.linalg.matrix_norm(a, "nuc"), [_TALL]),
    ("matrix_norm_2", lambda t, a: t.linalg.matrix_norm(a, 2), [_TALL]),
    ("matrix_norm_1", lambda t, a: t.linalg.matrix_norm(a, 1), [_TALL]),
    ("matrix_norm_inf", lambda t, a: t.linalg.matrix_norm(a, float("inf"), keepdim=True), [_TALL]),
    ("norm_matrix_2", lambda t, a: t.linalg.norm(a, 2), [_TALL]),
    ("torch_norm_nuc", lambda t, a: t.norm(a, "nuc"), [_TALL]),
    ("torch_norm_nuc_dims", lambda t, a: t.norm(a, "nuc", (0, 2), True), [_BATCH]),
]


@pytest.mark.parametrize("name, fn, arrays", CASES, ids=[c[0] for c in CASES])
def test_linear_algebra_matches_pytorch(torch_ref, name, fn, arrays):
    """Values, node name and gradients as PyTorch gives them."""
    program_matches_pytorch(torch_ref, fn, arrays, np.linspace, atol=1e-7)


@pytest.mark.parametrize("name, fn, arrays", CASES, ids=[c[0] for c in CASES])
def test_linear_algebra_second_derivatives(name, fn, arrays):
    ts = [retrograd.tensor(a, requires_grad=True) for a in arrays]
    assert gradgradcheck(lambda *xs: fn(retrograd, *xs), ts)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, a: t.linalg.eigh(_sym(a)).eigenvectors.abs(),
        lambda t, a: t.linalg.svd(a, full_matrices=False).Vh.abs().sum() * a.sum(),
        lambda t, a: t.linalg.qr(a).R.diagonal().abs(),
    ],
)
def test_decompositions_hessian_vector_products_match_pytorch(torch_ref, fn):
    """Second derivatives through ops with several outputs: a gradient that flows through a saved
    second or third output must reach that output's slot of the node."""
    got = []
    for lib in (retrograd, torch_ref):
        a = lib.tensor(_SPD, requires_grad=True)
        out = fn(lib, a)
        (g,) = lib.autograd.grad(out.sum(), [a], create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(_SQ)).sum(), [a])
        got.append(h.numpy())
    np.testing.assert_allclose(got[0], got[1], atol=1e-7)


def test_det_of_a_singular_matrix_is_the_adjugate():
    """d det(A) / dA is the transposed adjugate, which a singular matrix of rank n - 1 still has
    (PyTorch 2.13 gives zeros here): checked against finite differences."""
    a = retrograd.tensor(
        [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]],
        dtype=retrograd.float64,
        requires_grad=True,
    )
    a.det().backward()
    step = 1e-6
    numeric = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            plus, minus = a.detach().numpy().copy(), a.detach().numpy().copy()
            plus[i, j] += step
            minus[i, j] -= step
            numeric[i, j] = (np.linalg.det(plus) - np.linalg.det(minus)) / (2 * step)
    np.testing.assert_allclose(a.grad.numpy(), numeric, atol=1e-6)
    assert np.abs(numeric).max() > 0.5


def _RANKS(t):
    """Three 3 x 3 matrices of ranks 2, 3, 3 (the first with a repeated row)."""
    a = np.random.default_rng(3).standard_normal((3, 3, 3))
    a[0, 2] = a[0, 1]
    return t.tensor(a)


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.linalg.matrix_rank(t.tensor([[1.0, 2.0], [2.0, 4.0]])),
        # tolerances as tensors, one per matrix; a positive atol makes the default rtol 0
        lambda t: t.linalg.matrix_rank(_RANKS(t), atol=t.tensor([0.0, 100.0, -1.0])),
        lambda t: t.linalg.matrix_rank(
            _RANKS(t), atol=t.tensor([1e-20, 0.0, 1.0]), rtol=t.tensor(0.5)
        ),
        lambda t: t.linalg.matrix_rank(_RANKS(t), rtol=t.tensor([0.0, 0.9, 0.1])),
        lambda t: t.linalg.matrix_rank(_RANKS(t), atol=-1.0),
        lambda t: t.linalg.lstsq(t.tensor(_TALL), t.tensor(_TALL[:, :1])).rank,
        # what each driver gives besides the solution, and which outputs require grad
        *(
            lambda t, d=driver, a=a: (
                lambda r: (r[1], r[2], tuple(r[3].shape), r[3].dtype, r[0].requires_grad)
            )(t.linalg.lstsq(t.tensor(a, requires_grad=True), t.tensor(a[..., :2] + 1), driver=d))
            for driver in ("gels", "gelsy", "gelsd", "gelss")
            for a in (_TALL, _WIDE, np.stack([_TALL, _TALL * 2]), np.ones((4, 3)))
            if driver != "gels" or a.shape != (4, 3) or a[0, 0] != 1.0
        ),
        lambda t: t.linalg.slogdet(t.tensor([[0.0, 1.0], [1.0, 0.0]])),
        lambda t: t.logdet(t.tensor([[0.0, 1.0], [1.0, 0.0]])),
        lambda t: t.linalg.matrix_power(t.tensor([[1.0, 1.0], [0.0, 1.0]]), 0),
        lambda t: tuple(t.linalg.qr(t.tensor(_TALL), mode="r").Q.shape),
        lambda t: t.linalg.qr(t.tensor(_TALL, requires_grad=True), mode="r").Q,
        lambda t: tuple(t.linalg.qr(t.tensor(_TALL), mode="complete").Q.shape),
        lambda t: tuple(t.linalg.svd(t.tensor(_TALL)).U.shape),
    ],
)
def test_linear_algebra_results_print_as_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


(test_linalg_error_type_and_text, test_linalg_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.linalg.inv(t.tensor([[1.0, 2.0], [2.0, 4.0]])),
            RuntimeError,
            "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed "
            "because the input matrix is singular.",
        ),
        (
            lambda t: t.linalg.solve(t.tensor([[1.0, 2.0], [2.0, 4.0]]), t.ones(2)),
            RuntimeError,
            "torch.linalg.solve: The solver failed because the input matrix is singular.",
        ),
        (
            lambda t: t.linalg.inv(t.ones(2, 3)),
            RuntimeError,
            "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices",
        ),
        (
            lambda t: t.linalg.eigh(t.ones(3, 3), "X"),
            RuntimeError,
            "Expected UPLO argument to be 'L' or 'U', but got X",
        ),
        (
            lambda t: t.linalg.qr(t.ones(4, 3, requires_grad=True), "r").R.sum().backward(),
            RuntimeError,
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr.",
        ),
        (
            lambda t: t.linalg.qr(t.ones(4, 3, requires_grad=True), "complete").R.sum().backward(),
            RuntimeError,
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.",
        ),
        (
            lambda t: t.norm(t.ones(2, 3, 4), "nuc"),
            RuntimeError,
            "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2",
        ),
        (
            lambda t: t.linalg.matrix_norm(t.ones(2, 3, 4), "abc", (0,)),
            RuntimeError,
            "linalg.matrix_norm: Order abc not supported.",
        ),
        (
            lambda t: t.linalg.matrix_norm(t.ones(2, 3, 4), 2, (1, -2)),
            RuntimeError,
            "linalg.matrix_norm: dims must be different. Got (1, 1)",
        ),
        (
            lambda t: t.linalg.matrix_norm(t.ones(3), "fro"),
            RuntimeError,
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
        ),
        (
            lambda t: t.linalg.qr(t.ones(3, 3), "x"),
            RuntimeError,
            "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or "
            "'complete'",
        ),
    ]
)


def test_singular_matrices_raise_linalg_error(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(lib.linalg.LinAlgError):
            lib.linalg.inv(lib.zeros(2, 2))
        assert issubclass(lib.linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize(
    "A_shape, B_shape, left",
    [
        ((3, 20, 20), (3, 20, 2), True),
        ((3, 20, 20), (3, 2, 20), False),
        ((3, 20, 20), (3, 20), True),  # a batch of vectors
        ((2, 20, 20), (20, 1), True),  # B broadcast over A's batch
        ((20, 20), (2, 20, 3), True),  # A broadcast over B's batch
        ((20, 20), (20,), True),
    ],
)
def test_solve_of_larger_matrices_matches_pytorch(torch_ref, A_shape, B_shape, left):
    """Matrices from order 16 are solved through LU factors that the backward pass reuses."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal(A_shape) + 5 * np.eye(A_shape[-1])
    b = rng.standard_normal(B_shape)
    for dtype in ("float64", "float32"):
        got = []
        for lib in (retrograd, torch_ref):
            A = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
            B = lib.tensor(b, dtype=getattr(lib, dtype), requires_grad=True)
            X = lib.linalg.solve(A, B, left=left)
            w = lib.tensor(np.cos(np.arange(X.numel())).reshape(X.shape), dtype=X.dtype)
            (X * w).sum().backward()
            got.append([X.grad_fn.name(), X.detach().numpy(), A.grad.numpy(), B.grad.numpy()])
        assert got[0][0] == got[1][0]
        tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
        for u, v in zip(got[0][1:], got[1][1:]):
            np.testing.assert_allclose(u, v, **tol)


@pytest.mark.parametrize("left", [True, False])
def test_solve_through_lu_factors_has_second_derivatives(left):
    rng = np.random.default_rng(1)
    A = retrograd.tensor(rng.standard_normal((16, 16)) + 4 * np.eye(16), requires_grad=True)
    B = retrograd.tensor(rng.standard_normal((16, 1) if left else (1, 16)), requires_grad=True)
    assert gradgradcheck(lambda A, B: retrograd.linalg.solve(A, B, left=left), (A, B))


def test_solve_of_a_larger_singular_matrix_raises(torch_ref):
    a = np.ones((2, 20, 20))
    for lib in (retrograd, torch_ref):
        with pytest.raises(RuntimeError, match="The solver failed because the input matrix is"):
            lib.linalg.solve(lib.tensor(a), lib.tensor(np.ones((2, 20, 1))))


def _complex(shape, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("shape", [(3, 3), (2, 5, 3), (3, 5)])
def test_legacy_svd_of_a_complex_matrix_gives_v_not_its_conjugate(torch_ref, shape, some):
    """torch.svd's V is Vh^H: U diag(S) V^H rebuilds A, and the gradient through it matches."""
    got = []
    for lib in (retrograd, torch_ref):
        a = lib.tensor(_complex(shape), requires_grad=True)
        U, S, V = lib.svd(a, some=some)
        k = S.shape[-1]
        rebuilt = (U[..., :k] * S.unsqueeze(-2).to(a.dtype)) @ V[..., :k].mH
        (g,) = lib.autograd.grad((U[..., :k] @ V[..., :k].mH).real.sum(), a)
        got.append([rebuilt.detach().numpy(), g.numpy()])
    np.testing.assert_allclose(got[0][0], _complex(shape), atol=1e-12)
    for o, t in zip(*got):
        np.testing.assert_allclose(o, t, atol=1e-10)


def _svd_phase_gradient(lib, a, on_u, on_v, dtype):
    """The gradient of A from gradients of U and Vh that change with the phases of the singular
    pairs by ``on_u`` and ``on_v`` (Im diag(U^H gU) and -Im diag(V^H gV)), plus a phase-free
    part; None where the library calls the loss ill-defined."""
    x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
    U, S, Vh = lib.linalg.svd(x, full_matrices=False)
    U0, Vh0 = U.detach(), Vh.detach()
    rng = np.random.default_rng(5)
    gU = lib.tensor(_complex(U.shape, 6), dtype=U.dtype)
    gVh = lib.tensor(_complex(Vh.shape, 7), dtype=U.dtype)
    # the phase-free part: Im diag(U^H gU) and Im diag(V^H gV) taken away
    gU = gU - U0 @ lib.diag_embed(1j * (U0.mH @ gU).diagonal(0, -2, -1).imag.to(U.dtype))
    gVh = gVh - lib.diag_embed(-1j * (Vh0 @ gVh.mH).diagonal(0, -2, -1).imag.to(U.dtype)) @ Vh0
    phase = lambda p: lib.diag_embed(lib.tensor(p * 1j, dtype=U.dtype))  # noqa: E731
    gU, gVh = gU + U0 @ phase(on_u), gVh + phase(on_v) @ Vh0
    gS = lib.tensor(rng.standard_normal(S.shape), dtype=S.dtype)
    try:
        (g,) = lib.autograd.grad([U, S, Vh], x, [gU, gS, gVh])
    except RuntimeError as e:
        assert "specified up to multiplication by e^{i phi}" in str(e)
        return None
    return g.numpy()


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize(
    "on_u, on_v",
    [
        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
        ([0.5, -1.0, 2.0], [0.5, -1.0, 2.0]),  # invariant: the phases cancel
        ([0.003, 0.0, 0.0], [0.0, 0.0, 0.0]),  # within PyTorch's tolerance
        ([0.0, 0.0, 0.0], [0.0, -0.004, 0.0]),
        ([1.0, 0.0, 0.0], [1.012, 0.0, 0.0]),
        ([0.007, 0.0, 0.0], [0.0, 0.0, 0.0]),  # beyond it: ill-defined
        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.006]),
        ([1.0, 0.0, 0.0], [1.02, 0.0, 0.0]),
    ],
)
def test_complex_svd_gradient_and_its_phase_check_match_pytorch(torch_ref, on_u, on_v, dtype):
    """Singular vectors are known up to a phase per pair: PyTorch raises where the gradients of
    U and Vh depend on it beyond a lax tolerance, and within it keeps the phase terms that are
    left in its formula; the same gradient or the same error."""
    a = _complex((2, 4, 3), 8)
    ours = _svd_phase_gradient(retrograd, a, np.array(on_u), np.array(on_v), dtype)
    theirs = _svd_phase_gradient(torch_ref, a, np.array(on_u), np.array(on_v), dtype)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        tol = 1e-4 if dtype == "complex64" else 1e-10
        np.testing.assert_allclose(ours, theirs, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", ["float32", "complex64"])
def test_single_precision_matrix_exp_is_rounded_once(torch_ref, dtype):
    """A batch of matrices of large norm: each element is the double-precision exponential
    rounded once (float32 scaling and squaring loses some ten units in the last place there);
    PyTorch's float32 algorithm agrees to its own rounding error, about 1e-6 of the largest."""
    rng = np.random.default_rng(11)
    a = rng.uniform(-9, 9, (5, 5, 5)) + (1j * rng.uniform(-9, 9, (5, 5, 5)) if "c" in dtype else 0)
    a = a.astype(dtype)
    exact = torch_ref.linalg.matrix_exp(
        torch_ref.tensor(a.astype(np.complex128 if "c" in dtype else np.float64))
    )
    ours = retrograd.linalg.matrix_exp(retrograd.tensor(a)).numpy()
    assert ours.dtype == a.dtype
    np.testing.assert_array_equal(ours, exact.numpy().astype(dtype))
    theirs = torch_ref.linalg.matrix_exp(torch_ref.tensor(a)).numpy()
    scale = np.abs(exact.numpy()).max((-2, -1), keepdims=True)
    assert (np.abs(ours - theirs) <= 4e-6 * scale).all()


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("phase", [0.0, 0.006, -0.0099, 0.0101, 0.05])
def test_complex_eigh_phase_check_has_pytorchs_tolerance(torch_ref, phase, dtype):
    """A gradient of the eigenvectors that changes with their phases by ``phase`` (beside a
    phase-free loss): the same gradient below PyTorch's tolerance, the same error above it."""
    a = _complex((2, 4, 4), 12)
    a = a + np.swapaxes(a, -1, -2).conj()
    weights = np.random.default_rng(13).standard_normal((2, 4, 4))
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
        w, V = lib.linalg.eigh(x)
        loss = ((V * V.conj()).real * lib.tensor(weights, dtype=w.dtype)).sum() + w.sum()
        turn = lib.diag_embed(lib.tensor([phase * 1j, 0, 0, 0], dtype=V.dtype))
        try:
            (g,) = lib.autograd.grad([loss, V], x, [lib.ones((), dtype=w.dtype), V.detach() @ turn])
        except RuntimeError as e:
            assert "specified up to multiplication by e^{i phi}" in str(e)
            g = None
        got.append(g)
    assert (got[0] is None) == (got[1] is None)
    if got[0] is not None:
        tol = 1e-5 if dtype == "complex64" else 1e-12
        np.testing.assert_allclose(got[0].numpy(), got[1].numpy(), atol=tol)


def test_complex_svd_passes_gradcheck_and_gradgradcheck():
    from retrograd.autograd import gradcheck

    a = retrograd.tensor(_complex((2, 4, 3), 9), requires_grad=True)

    def phase_free(x):
        U, S, Vh = retrograd.linalg.svd(x, full_matrices=False)
        return U @ Vh, S, U.abs()

    assert gradcheck(phase_free, [a])
    assert gradgradcheck(phase_free, [a])


@pytest.mark.parametrize("shape", [(3, 20, 20), (2, 24, 18), (18, 24)])
def test_svd_and_eigh_of_larger_matrices_match_pytorch(torch_ref, shape):
    """From order 16 the decompositions run one LAPACK call per matrix: values, sign-free
    functions of the vectors and their gradients match PyTorch's."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape)
    spd = a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1.0, shape[-2] + 1))  # no repeats
    got = []
    for lib in (retrograd, torch_ref):
        A = lib.tensor(a, requires_grad=True)
        S_ = lib.tensor(spd, requires_grad=True)
        U, S, Vh = lib.linalg.svd(A, full_matrices=False)
        w = lib.tensor(np.linspace(-1, 1, S.shape[-1]))
        ((S * w).sum() + Vh.abs().sum() * 1e-2 + U.abs().sum() * 1e-2).backward()
        L, V = lib.linalg.eigh(S_, UPLO="U")
        wl = lib.tensor(np.linspace(-1, 1, L.shape[-1]))
        ((L * wl).sum() + V.abs().sum() * 1e-2).backward()
        got.append([t.detach().numpy() for t in (S, U.abs(), Vh.abs(), A.grad, L, V.abs())])
        got[-1].append(S_.grad.numpy())
    for u, v in zip(*got):
        np.testing.assert_allclose(u, v, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_of_larger_matrices_reads_one_triangle(torch_ref, dtype, uplo):
    """From order 16 eigh runs LAPACK's steps one matrix at a time: only the triangle ``UPLO``
    names is read (the other holds noise), the dtype is kept, and values, sign-free functions of
    the vectors and the gradient match PyTorch's."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3, 20, 20))
    spd = a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1.0, 21.0))
    noisy = np.where(np.tri(20, dtype=bool) == (uplo == "L"), spd, rng.standard_normal(spd.shape))
    got = []
    for lib in (retrograd, torch_ref):
        A = lib.tensor(noisy, dtype=getattr(lib, dtype), requires_grad=True)
        L, V = lib.linalg.eigh(A, UPLO=uplo)
        w = lib.tensor(np.linspace(-1, 1, 20), dtype=L.dtype)
        ((L * w).sum() + V.abs().sum() * 1e-2).backward()
        got.append([str(L.dtype), str(V.dtype), L.detach().numpy(), V.abs().detach().numpy()])
        got[-1].append(A.grad.numpy())
    assert got[0][:2] == got[1][:2]
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-10)
    for u, v in zip(got[0][2:], got[1][2:]):
        np.testing.assert_allclose(u, v, **tol)


def test_eigh_of_a_larger_matrix_with_repeated_eigenvalues(torch_ref):
    """A matrix with a repeated eigenvalue: its eigenvalues, and vectors that are orthonormal and
    diagonalize it."""
    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.standard_normal((24, 24)))
    a = (q * np.repeat([1.0, 2.0, 3.0], 8)) @ q.T
    L, V = retrograd.linalg.eigh(retrograd.tensor(a))
    np.testing.assert_allclose(L.numpy(), torch_ref.linalg.eigh(torch_ref.tensor(a))[0].numpy())
    v = V.numpy()
    np.testing.assert_allclose(v.T @ v, np.eye(24), atol=1e-12)
    np.testing.assert_allclose(v.T @ a @ v, np.diag(L.numpy()), atol=1e-12)
