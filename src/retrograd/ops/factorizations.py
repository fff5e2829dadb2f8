"""Dense linear algebra: inverses, determinants, solves, and the eigenvalue, singular value and
QR decompositions, with the matrix exponential and pseudo-inverse.

Each op works on batches (the last two dimensions are the matrix) and keeps PyTorch's node name
(``LinalgInvExBackward0`` ...).  The derivative formulas are written with retrograd's own ops,
these included, so second derivatives follow.  Complex inputs take PyTorch's conjugate
gradients; an op that has no complex form yet says so rather than drop the imaginary part.
"""

import math
from collections import namedtuple

from .._array import c_order, column_major, xp
from .._switches import grad_mode as _grad_state
from ..tensor import _make
from . import autocast as _autocast
from .linalg import _diag_embed
from .pointwise import cj
from .registry import op, shared_formulas, tensor_method
from .special import _check_square, _mH, _summed_to, solve_triangular


def _real_only(a, name):
    if a.dtype.kind == "c":
        raise NotImplementedError(f"linalg.{name} of complex tensors is not supported yet")
    if a.dtype.kind not in "f":
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
            f"{_type_name(a)}"
        )


def _type_name(a):
    from ..dtypes import FROM_NP, scalar_type_name

    return scalar_type_name(FROM_NP[a.dtype])


def _square(name, complex_too=False):
    def check(a, *attrs):
        _check_square(a, name)
        if complex_too and a.dtype.kind == "c":
            return
        _real_only(a, name)

    return check


def _eye_like(t):
    n = t.shape[-1]
    return _make(xp.eye(n, dtype=t._data.dtype))


# --- inverse, determinant, solve ---------------------------------------------------------------


class _LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a factorization failed because of the matrix's values
    (singular, not positive-definite); a RuntimeError, as in PyTorch."""


_LinAlgError.__module__ = "torch._C"


def _first_zero_pivot(a):
    """The 1-based position of the first zero on U's diagonal in the LU factors of (the first
    singular matrix of) ``a``: the element PyTorch's error names."""
    import warnings

    import scipy.linalg

    flat = a.reshape((-1,) + a.shape[-2:])
    for m in flat:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lu, _ = scipy.linalg.lu_factor(m, check_finite=False)
        zeros = xp.flatnonzero(xp.diagonal(lu) == 0)
        if zeros.size:
            return int(zeros[0]) + 1
    return 1


def _singular(name, a):
    return _LinAlgError(
        f"linalg.{name}: The diagonal element {_first_zero_pivot(a)} is zero, the inversion could "
        "not be completed because the input matrix is singular."
    )


@op(
    saves="result",
    grads=(lambda g, n: -(_mH(n.result) @ g @ _mH(n.result)),),
    check=_square("inv", complex_too=True),
    node="LinalgInvExBackward0",
    method=False,
)
def _inv(self):
    try:
        return column_major(xp.linalg.inv(self))
    except xp.linalg.LinAlgError:
        raise _singular("inv", self) from None


@_autocast.float32
def inv(A, *, out=None):
    """``torch.linalg.inv``: the inverse of each square matrix."""
    return _with_out(_inv(A), out, "linalg_inv")


def _det_grad(g, n):
    # d det = det * tr(A^-1 dA): the gradient is g * conj(det) * A^-H where A is invertible; for
    # a singular A, g times the transposed adjugate, from the SVD A = U S V^T.
    A, det = n.self, n.result
    scale = (g * cj(det)).unsqueeze(-1).unsqueeze(-1)
    if bool((det._data != 0).all()):
        return scale * _mH(inv(A))
    if A._data.dtype.kind == "c":
        raise NotImplementedError(
            "the gradient of linalg.det of a singular complex matrix is not supported yet"
        )
    U, S, Vh = linalg_svd(A, full_matrices=False)
    # adj(S)_i is the product of the other singular values: S repeated in rows, the diagonal 1
    k = S.shape[-1]
    others = (
        S.unsqueeze(-2).expand(*S.shape[:-1], k, k).masked_fill(_make(xp.eye(k, dtype=bool)), 1.0)
    )
    adj_s = others.prod(-1)
    sign = (xp.linalg.det(U._data) * xp.linalg.det(Vh._data)).astype(U._data.dtype)
    return (
        g.unsqueeze(-1).unsqueeze(-1)
        * _make(sign)[..., None, None]
        * ((U * adj_s.unsqueeze(-2)) @ Vh)
    )


@op(
    saves="self result",
    grads=(_det_grad,),
    check=_square("det", complex_too=True),
    node="LinalgDetBackward0",
)
def _det(self):
    return xp.asarray(xp.linalg.det(self), dtype=self.dtype)


def det(A, *, out=None):
    """``torch.linalg.det``: the determinant of each square matrix."""
    return _with_out(_det(A), out, "linalg_det")


def _slogdet_grad(grads, n):
    # d log|det| = Re tr(A^-1 dA) and, for a complex A, d sign = i sign Im tr(A^-1 dA): the
    # gradient is (g_logabsdet - i Im(conj(g_sign) sign)) A^-H (the sign of a real A is constant)
    g_sign, g = (list(grads) + [None])[:2]
    complex_a = n.self._data.dtype.kind == "c"
    if complex_a and g_sign is not None:
        turn = (cj(g_sign) * n.result).imag * -1j
        g = turn if g is None else g + turn
    if g is None:
        return _make(xp.zeros(n.self.shape, n.self._data.dtype))
    return g.unsqueeze(-1).unsqueeze(-1) * _mH(inv(n.self))


@op(
    saves="self result",
    grads=(_slogdet_grad,),
    check=_square("slogdet", complex_too=True),
    outputs=2,
    node="LinalgSlogdetBackward0",
    method=False,
)
def _slogdet(self):
    sign, logabsdet = xp.linalg.slogdet(self)
    return xp.asarray(sign, self.dtype), xp.asarray(logabsdet, xp.abs(sign).dtype)


def slogdet(A):
    """``torch.linalg.slogdet``: (sign, log |det|) of each square matrix; the sign's gradient is
    zero (it records the node, as PyTorch)."""
    sign, logabsdet = _slogdet(A)
    return _SLOGDET(sign, logabsdet)


def logdet(input):
    """``torch.logdet``: log det, nan where the determinant is negative (-inf where it is 0)."""
    from .pointwise import where

    sign, logabsdet = slogdet(input)
    if sign.is_complex():  # log det = log sign + log |det|
        return sign.log() + logabsdet
    return where(sign == -1, math.nan, logabsdet)


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve_grads_in_tensors(g, n):
    # left: X = A^-1 B, so gB = A^-H g and gA = -gB X^H; right: X = B A^-1, so gB = g A^-H and
    # gA = -X^H gB (H: the transpose of a real matrix)
    A, X = n.A, n.result
    if n.vector:
        g, X = g.unsqueeze(-1), X.unsqueeze(-1)
    if n.left:
        gB = solve(_mH(A), g)
        gA = -(gB @ _mH(X))
    else:
        gB = _mH(solve(A, _mH(g)))
        gA = -(_mH(X) @ gB)
    if n.vector:
        gB = gB.squeeze(-1)
    return _summed_to(gA, n.A.shape), _summed_to(gB, n.B_shape)


def _solve_grads_in_arrays(g, n):
    """The same gradients on arrays, through the forward's LU factors where it kept them."""
    lu, pivots = n.result1._data, n.result2._data
    if not lu.size:
        return _solve_grads_in_tensors(g, n)
    g, X = g._data, n.result._data
    if n.vector:
        g, X = g[..., None], X[..., None]
    need_a = n.next_functions[0][0] is not None
    Xh = xp.swapaxes(X, -1, -2)
    if lu.dtype.kind == "c":  # A^H y = g is A^T conj(y) = conj(g)
        g, Xh = g.conj(), Xh.conj()
    if n.left:  # A^H gB = g
        gB = _lu_solve(lu, pivots, g, transposed=True)
    else:  # gB A^H = g, that is A conj(gB)^T = conj(g)^T
        gB = xp.swapaxes(_lu_solve(lu, pivots, xp.swapaxes(g, -1, -2), transposed=False), -1, -2)
    if lu.dtype.kind == "c":
        gB = gB.conj()
    if need_a:
        gA = -xp.matmul(gB, Xh) if n.left else -xp.matmul(Xh, gB)
    else:
        gA = None
    if n.vector:
        gB = gB[..., 0]
    gB = _summed_to(_make(c_order(gB)), n.B_shape)
    return (None if gA is None else _make(c_order(gA))), gB


# Below this order a batched numpy.linalg.solve is faster than one LAPACK call per matrix.
_LU_MIN_ORDER = 16


def _lu_factor(A):
    """LU factors of each matrix's transpose, one LAPACK call per matrix (NumPy has no batched LU):
    ``lu[i].T`` holds the factors (LAPACK's column-major layout of A[i]^T, which is A[i]'s own
    memory), ``pivots[i]`` the row swaps; None where a matrix is singular."""
    from scipy.linalg import lapack

    getrf = lapack.get_lapack_funcs("getrf", (A,))
    lu = xp.array(A, order="C")
    pivots = xp.empty(A.shape[:-1], dtype=xp.int32)
    flat, flat_piv = lu.reshape(-1, *A.shape[-2:]), pivots.reshape(-1, A.shape[-1])
    for i in range(flat.shape[0]):
        _, piv, info = getrf(flat[i].T, overwrite_a=True)
        if info > 0:
            return None
        flat_piv[i] = piv
    return lu, pivots


def _lu_solve(lu, pivots, B, transposed, conjugate=False):
    """X with A X = B (A^T X = B when ``transposed``, A^H X = B with ``conjugate`` too) for the
    factors of A^T ``_lu_factor`` made; B has A's batch shape."""
    from scipy.linalg import lapack

    getrs = lapack.get_lapack_funcs("getrs", (lu,))
    # the right-hand sides transposed and C-ordered: each one column-major as LAPACK reads it
    out = xp.array(xp.swapaxes(B, -1, -2), dtype=lu.dtype, order="C")
    n, k = lu.shape[-1], B.shape[-1]
    flat_lu, flat_piv = lu.reshape(-1, n, n), pivots.reshape(-1, n)
    flat = out.reshape(-1, k, n)
    trans = 0 if transposed else 2 if conjugate else 1
    for i in range(flat.shape[0]):
        getrs(flat_lu[i].T, flat_piv[i], flat[i].T, trans=trans, overwrite_b=True)
    return xp.swapaxes(out, -1, -2)


_NO_FACTORS = xp.empty(0, dtype=xp.int32)
# (what _solve returns: the solution first, the only output with a gradient)
_SOLVE = namedtuple("_SOLVE", "result LU pivots")


@op(
    inputs="A B",
    saves="A B_shape result result1 result2",
    grads=shared_formulas(2, _solve_grads_in_arrays, _solve_grads_in_tensors),
    node="LinalgSolveExBackward0",
    returns=_SOLVE,
    method=False,
)
def _solve(A, B, left, vector):
    """X, and the LU factors of A^T with their pivots (empty when the solve kept none)."""
    rhs = B[..., None] if vector else B
    if not left:
        rhs = xp.swapaxes(rhs, -1, -2)
    batch = xp.broadcast_shapes(A.shape[:-2], rhs.shape[:-2])
    factors = None
    if A.shape[-1] >= _LU_MIN_ORDER and A.shape[:-2] == batch and A.size:
        factors = _lu_factor(A)
        if factors is None:
            raise _singular_solve()
    if factors is not None:
        rhs = xp.broadcast_to(rhs, batch + rhs.shape[-2:])
        x = _lu_solve(factors[0], factors[1], rhs, transposed=not left)
    else:
        try:
            x = xp.linalg.solve(A if left else xp.swapaxes(A, -1, -2), rhs)
        except xp.linalg.LinAlgError:
            raise _singular_solve() from None
        factors = (_NO_FACTORS.astype(A.dtype), _NO_FACTORS)
    x = column_major(x)  # (a right solve is the transposed left one's: in C order then)
    if not left:
        x = xp.swapaxes(x, -1, -2)
    if vector:  # (a batch of vectors comes back laid out as one matrix of them, columns first)
        x = column_major(x[..., 0])
    return x, column_major(factors[0]), factors[1]


def _singular_solve():
    return _LinAlgError(
        "torch.linalg.solve: The solver failed because the input matrix is singular."
    )


@_autocast.float32
def solve(A, B, *, left=True, out=None):
    """``torch.linalg.solve``: X with A X = B (X A = B when ``left`` is False); B may be a batch
    of vectors."""
    _check_square(A._data, "solve")
    if A._data.dtype.kind != "c":
        _real_only(A._data, "solve")
    vector = left and _is_vector_rhs(A, B)
    if A.dtype is not B.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype._tensor_name[:-6]} and B of type {B.dtype._tensor_name[:-6]} instead"
        )
    return _with_out(_solve(A, B, left, vector)[0], out, "linalg_solve")


# NumPy's batched eigh and svd run LAPACK's syevd and gesdd on each matrix too, but a call per
# matrix through SciPy's LAPACK is markedly faster from order 16 on (the loop's overhead is
# small next to the decomposition there); below, and for empty or non-finite input (NumPy's
# errors), NumPy's batched routines run.
def _by_lapack(a):
    return min(a.shape[-2:]) >= _LU_MIN_ORDER and a.size and xp.isfinite(a).all()


def _per_matrix(a, routine, order, **options):
    """The outputs of LAPACK's ``routine`` for each matrix of the batch ``a``, the first ones
    picked and ordered by ``order`` (matrices in Fortran order, as LAPACK leaves them and
    PyTorch returns them); None if a call reports a failure."""
    from scipy.linalg import lapack

    fn = lapack.get_lapack_funcs(routine, (a,))
    flat = a.reshape(-1, *a.shape[-2:])
    outs = None
    for i in range(flat.shape[0]):
        found = fn(flat[i], **options)
        if found[-1] != 0:
            return None
        if outs is None:
            outs = [_batch_of(flat.shape[0], found[j]) for j in order]
        for out, j in zip(outs, order):
            out[i] = found[j]
    return tuple(out.reshape(a.shape[:-2] + out.shape[1:]) for out in outs)


def _batch_of(n, found):
    """An empty batch of ``n`` arrays like ``found``, a matrix in Fortran order or a vector."""
    if found.ndim < 2:
        return xp.empty((n,) + found.shape, found.dtype)
    return xp.swapaxes(xp.empty((n,) + found.shape[::-1], found.dtype), -1, -2)


# --- symmetric eigenvalues ---------------------------------------------------------------------


def _eigh_grad_in_tensors(gL, gV, L, V):
    if gV is None:
        inner = _diag_embed(gL, 0)
        if V.dtype is not inner.dtype:  # (a complex V: the eigenvalues are real)
            inner = inner.to(V.dtype)
    else:
        VhgV = _mH(V) @ gV
        if VhgV._data.dtype.kind == "c":
            # eigenvectors are known up to a phase e^{i phi} each: a loss that depends on it
            # makes Im diag(V^H gV) nonzero (beyond PyTorch's lax tolerance, which rounding
            # never reaches)
            phase = VhgV._data.diagonal(0, -2, -1).imag
            if not xp.allclose(phase, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError(_EIGH_ILL_DEFINED)
        gaps = L.unsqueeze(-2) - L.unsqueeze(-1)  # gaps[i, j] = L[j] - L[i]
        off = 1 - _eye_like(L)
        inner = (VhgV / (gaps + _eye_like(L))) * off
        inner = 0.5 * (inner + _mH(inner))
        if gL is not None:
            inner = inner + _diag_embed(gL, 0)
    return V @ inner @ _mH(V)


_EIGH_ILL_DEFINED = (
    "linalg_eigh_backward: The eigenvectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this quantity, so it is "
    "ill-defined."
)


def _eigh_grad_in_arrays(gL, gV, L, V):
    """The same gradient on arrays: V (skew(V^T gV) / gaps + diag(gL)) V^T, three products."""
    n = L.shape[-1]
    diagonal = (Ellipsis, xp.arange(n), xp.arange(n))
    if gV is None:
        inner = xp.zeros(V.shape, V.dtype)
    else:
        inner = xp.matmul(xp.swapaxes(V, -1, -2), gV)
        inner -= xp.swapaxes(inner, -1, -2).copy()
        gaps = L[..., None, :] - L[..., :, None]
        gaps *= 2
        gaps[diagonal] = 1
        inner /= gaps
    inner[diagonal] = 0 if gL is None else gL
    return xp.matmul(xp.matmul(V, inner), xp.swapaxes(V, -1, -2))


def _eigh_grad(grads, n):
    gL, gV = (list(grads) + [None])[:2]
    if _grad_state.enabled or n.result1._data.dtype.kind == "c":
        return _eigh_grad_in_tensors(gL, gV, n.result, n.result1)
    L, V = n.result._data, n.result1._data
    found = _eigh_grad_in_arrays(
        None if gL is None else gL._data, None if gV is None else gV._data, L, V
    )
    return _make(found)


def _syevd_steps(a, lower):
    """Each matrix's eigenvalues and eigenvectors by the steps of LAPACK's syevd, one matrix at a
    time: the reduction to a tridiagonal matrix (sytrd), its divide-and-conquer eigensolver
    (stevd), and the reduction's reflectors made into Q (orgqr) that turn the tridiagonal
    matrix's eigenvectors into A's, in one batched product for the whole batch (syevd applies
    them one matrix at a time instead); None if a matrix's solver fails."""
    from scipy.linalg import lapack

    n, dtype = a.shape[-1], a.dtype
    sytrd, stevd, orgqr = lapack.get_lapack_funcs(("sytrd", "stevd", "orgqr"), (a,))
    lwork = _sytrd_workspace(sytrd.typecode, n)
    # a matrix's transpose in C order is the matrix in LAPACK's column-major order: either way
    # the lower triangle LAPACK reads is the triangle ``lower`` names
    work = xp.array(xp.swapaxes(a, -1, -2) if lower else a, order="C").reshape(-1, n, n)
    batch = work.shape[0]
    w = xp.empty((batch, n), dtype)
    z = xp.empty((batch, n, n), dtype)
    q = xp.zeros((batch, n, n), dtype)
    q[:, 0, 0] = 1
    for i in range(batch):
        c, d, e, tau, _ = sytrd(work[i].T, lower=1, lwork=lwork, overwrite_a=1)
        w[i], z[i], info = stevd(d, e, overwrite_d=1, overwrite_e=1)
        if info:
            return None
        # (the reflectors of an order-n reduction fill n - 1 columns: orgqr's optimal
        # workspace is no larger than sytrd's)
        q[i, 1:, 1:] = orgqr(c[1:, :-1], tau, lwork=lwork, overwrite_a=1)[0]
    # (Q Z as (Z^T Q^T)^T: the same products, BLAS's bits, each matrix in Fortran order)
    v = xp.swapaxes(xp.matmul(xp.swapaxes(z, -1, -2), xp.swapaxes(q, -1, -2)), -1, -2)
    return w.reshape(a.shape[:-1]), v.reshape(a.shape)


_SYTRD_WORKSPACE = {}


def _sytrd_workspace(typecode, n):
    """sytrd's optimal workspace size for order ``n``, asked of LAPACK once per type and order."""
    key = (typecode, n)
    size = _SYTRD_WORKSPACE.get(key)
    if size is None:
        from scipy.linalg import lapack

        query = getattr(lapack, f"{typecode}sytrd_lwork")
        size = _SYTRD_WORKSPACE[key] = max(int(query(n)[0]), n)
    return size


@op(
    saves="result result1",
    grads=(_eigh_grad,),
    check=lambda a, uplo: _square("eigh", complex_too=True)(a),
    outputs=2,
    node="LinalgEighBackward0",
    method=False,
)
def _eigh(self, uplo):
    if self.dtype.char in "fd" and _by_lapack(self):
        found = _syevd_steps(self, uplo == "L")
        if found is not None:
            return found[0], column_major(found[1])
    w, v = xp.linalg.eigh(self, UPLO=uplo)
    return c_order(w), column_major(v)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


@_autocast.float32
def eigh(A, UPLO="L"):
    """``torch.linalg.eigh``: the eigenvalues (ascending) and eigenvectors of each symmetric
    matrix, reading the triangle ``UPLO`` names."""
    _check_uplo(UPLO)
    w, v = _eigh(A, UPLO)
    return _EIGH(w, v)


@_autocast.float32
def eigvalsh(A, UPLO="L", *, out=None):
    """``torch.linalg.eigvalsh``: the eigenvalues (ascending) of each symmetric matrix."""
    _check_uplo(UPLO)
    return _with_out(_eigh(A, UPLO)[0], out, "linalg_eigvalsh")


# --- singular values ---------------------------------------------------------------------------


def _svd_grad(grads, n):
    gU, gS, gVh = (list(grads) + [None, None])[:3]
    U, S, Vh = n.result, n.result1, n.result2
    k = S.shape[-1]
    if n.full_matrices:  # the columns past k span a free basis: their gradient is ignored
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :, :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    V = _mH(Vh)
    # (S and its gradient are real: a complex U's products need them in its type)
    as_u = (lambda t: t) if U.dtype is S.dtype else (lambda t: t.to(U.dtype))
    middle = as_u(_diag_embed(gS, 0)) if gS is not None else None
    if gU is None and gVh is None:
        return U @ middle @ Vh
    UhgU = None if gU is None else _mH(U) @ gU
    gV = None if gVh is None else _mH(gVh)
    VhgV = None if gV is None else V.mH @ gV
    if U._data.dtype.kind == "c":
        # singular vectors are known up to a common phase e^{i phi} per pair: a loss that
        # depends on it makes Im diag(U^H gU) + Im diag(V^H gV) nonzero; as PyTorch, the two
        # terms are compared with a lax tolerance (so rounding never raises)
        on_u, on_v = (0 if m is None else m._data.diagonal(0, -2, -1).imag for m in (UhgU, VhgV))
        if not xp.allclose(on_u, -on_v, rtol=1e-2, atol=5e-3):
            raise RuntimeError(_SVD_ILL_DEFINED)
    s2 = S * S
    gaps = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # gaps[i, j] = s_j^2 - s_i^2
    eye = _make(xp.eye(k, dtype=S._data.dtype))
    # (1 on the diagonal: a complex skew(U^H gU) keeps the imaginary part of its diagonal there,
    # which a loss within the tolerance above leaves, and PyTorch's gradient keeps)
    F = 1 / (gaps + eye)
    Smat = as_u(_diag_embed(S, 0))
    parts = [] if middle is None else [middle]
    result = None
    if gU is not None:
        J = F * (UhgU - _mH(UhgU))
        parts.append(J @ Smat)
        if U._data.dtype.kind == "c":  # the phase of each pair, fixed through U
            parts.append(_diag_embed(UhgU.diagonal(0, -2, -1).imag * 1j / S, 0))
    if gVh is not None:
        K = F * (VhgV - _mH(VhgV))
        parts.append(Smat @ K)
    inner = parts[0]
    for p in parts[1:]:
        inner = inner + p
    result = U @ inner @ Vh
    Sinv = as_u(_diag_embed(1 / S, 0))
    if gU is not None and U.shape[-2] > k:
        result = result + (gU - U @ UhgU) @ Sinv @ Vh
    if gVh is not None and V.shape[-2] > k:
        result = result + U @ Sinv @ _mH(gV - V @ VhgV)
    return result


_SVD_ILL_DEFINED = (
    "svd_backward: The singular vectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this phase term, making "
    "it ill-defined."
)


@op(
    saves="result result1 result2",
    grads=(_svd_grad,),
    outputs=3,
    node="LinalgSvdBackward0",
    method=False,
)
def _svd(self, full_matrices):
    if self.dtype.kind != "c":
        _real_only(self, "svd")
    if _by_lapack(self):
        found = _per_matrix(self, "gesdd", (0, 1, 2), full_matrices=int(full_matrices))
        if found is not None:
            return found
    u, s, vh = xp.linalg.svd(self, full_matrices=full_matrices)
    return column_major(u), c_order(s), column_major(vh)


@_autocast.float32
def linalg_svd(A, full_matrices=True, *, driver=None):
    """``torch.linalg.svd``: U, S, Vh with A = U diag(S) Vh, singular values descending."""
    if driver is not None:
        raise RuntimeError(
            "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
            "cuSOLVER backend."
        )
    _check_matrix(A, "svd")
    U, S, Vh = _svd(A, full_matrices)
    return _SVD(U, S, Vh)


@_autocast.float32
def svdvals(A, *, driver=None, out=None):
    """``torch.linalg.svdvals``: the singular values of each matrix, descending."""
    return _with_out(linalg_svd(A, full_matrices=False, driver=driver).S, out, "linalg_svdvals")


def _check_matrix(A, name):
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")


@_autocast.float32
def svd(input, some=True, compute_uv=True):
    """``torch.svd``: U, S, V (not Vh), reduced unless ``some`` is False."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        zeros = input.new_zeros
        return _SVD_LEGACY(zeros(input.shape[:-2] + (m, m)), S, zeros(input.shape[:-2] + (n, n)))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _SVD_LEGACY(U, S, _mH(Vh))


# --- QR ----------------------------------------------------------------------------------------


def _qr_grad(grads, n):
    gQ, gR = (list(grads) + [None])[:2]
    Q, R = n.result, n.result1
    if n.mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )
    if n.mode == "complete" and Q.shape[-2] > R.shape[-1]:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if gQ is None:
        gQ = _make(xp.zeros(Q.shape, Q._data.dtype))
    m, n_columns = R.shape[-2], R.shape[-1]
    if m >= n_columns:
        return _qr_grad_tall(gQ, gR, Q, R)
    # A wide A = [X Y]: X = Q R1 is the QR of its first m columns and R2 = Q^H Y, so Y's
    # gradient is Q gR2 and X's is the square one with gQ + Y gR2^H
    from .shape import cat

    gR1 = gR2 = None
    if gR is not None:
        gR1, gR2 = gR[..., :m], gR[..., m:]
        Y = Q @ R[..., m:]
        gQ = gQ + Y @ _mH(gR2)
    gX = _qr_grad_tall(gQ, gR1, Q, R[..., :m])
    gY = _make(xp.zeros(R.shape[:-1] + (n_columns - m,), Q._data.dtype)) if gR2 is None else Q @ gR2
    return cat([gX, gY], -1)


def _qr_grad_tall(gQ, gR, Q, R):
    """The gradient of A = Q R for an A of no more columns than rows."""
    M = -(_mH(gQ) @ Q)
    if gR is not None:
        M = M + R @ _mH(gR)
    lower = M.tril(-1)
    M = lower + _mH(lower) + _diag_embed(M.diagonal(0, -2, -1).real, 0)
    b = gQ + Q @ M
    # b R^-H: a triangular solve from the right
    return solve_triangular(_mH(R), b, upper=False, left=False)


@op(
    saves="result result1",
    grads=(_qr_grad,),
    outputs=2,
    node="LinalgQrBackward0",
    method=False,
)
def _qr(self, mode):
    if self.dtype.kind != "c":
        _real_only(self, "qr")
    q, r = xp.linalg.qr(self, mode="reduced" if mode == "r" else mode)
    if mode == "r":  # (Q is not given: an empty output of the node)
        q = xp.zeros((0,), self.dtype)
    return column_major(q), column_major(r)


@_autocast.float32
def linalg_qr(A, mode="reduced"):
    """``torch.linalg.qr``: Q with orthonormal columns and upper-triangular R, A = Q R."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _check_matrix(A, "qr")
    Q, R = _qr(A, mode)
    return _QR(Q, R)


@_autocast.float32
def qr(input, some=True):
    """``torch.qr``: ``linalg.qr`` with the old ``some`` flag."""
    import warnings

    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.",
        UserWarning,
        stacklevel=3,  # (through autocast's wrapper)
    )
    return _QR_OLD(*linalg_qr(input, "reduced" if some else "complete"))


# --- pseudo-inverse, least squares, exponential ------------------------------------------------


def _pinv_grad(g, n):
    return _pinv_grad_of(g, n.self, n.result)


def _pinv_grad_of(g, A, X):
    """The gradient of X = pinv(A) for output gradient ``g``."""
    m, k = A.shape[-2], A.shape[-1]
    eye_m = _make(xp.eye(m, dtype=A._data.dtype))
    eye_n = _make(xp.eye(k, dtype=A._data.dtype))
    gt, Xh = _mH(g), _mH(X)
    return -(Xh @ g @ Xh) + (eye_m - A @ X) @ gt @ X @ Xh + Xh @ X @ gt @ (eye_n - X @ A)


@op(saves="self result", grads=(_pinv_grad,), node="LinalgPinvBackward0", method=False)
def _pinv(self, atol, rtol, hermitian=False):
    if self.dtype.kind != "c":
        _real_only(self, "pinv")
    if hermitian:
        # through the eigenvalues of the lower triangle (of the diagonal its real part), those of
        # magnitude at or below max(atol, rtol * largest) taken as zero; the gradient is still
        # the general one, at the matrix as given
        w, v = xp.linalg.eigh(self)
        size = xp.abs(w)
        largest = size.max(-1, keepdims=True, initial=0)
        kept = size > xp.maximum(atol, rtol * largest)
        w_inv = xp.where(kept, 1 / xp.where(kept, w, 1), 0)
        return c_order((v * w_inv[..., None, :].astype(v.dtype)) @ xp.swapaxes(v, -1, -2).conj())
    v_scaled, ut = _pseudo_inverse_factors(self, atol, rtol)
    return c_order(v_scaled @ ut)


def _pseudo_inverse_factors(a, atol, rtol):
    """V diag(1/s) and U^H from the SVD of ``a``, singular values at or below
    max(atol, rtol * largest) taken as zero: their product is the pseudo-inverse."""
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    largest = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    kept = s > xp.maximum(atol, rtol * largest)
    s_inv = xp.where(kept, 1 / xp.where(kept, s, 1), 0)
    return xp.swapaxes(vh, -1, -2).conj() * s_inv[..., None, :], xp.swapaxes(u, -1, -2).conj()


@_autocast.float32
def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """``torch.linalg.pinv``: the Moore-Penrose pseudo-inverse, singular values below
    max(atol, rtol * largest) treated as zero (rtol defaults to eps * max(m, n))."""
    _check_matrix(A, "pinv")
    eps = float(xp.finfo(A._data.dtype).eps) if A._data.dtype.kind in "fcV" else 0.0
    if rtol is None:
        rtol = eps * max(A.shape[-2], A.shape[-1]) if atol is None or atol == 0 else 0.0
    atol = 0.0 if atol is None else atol
    return _with_out(_pinv(A, atol, rtol, hermitian), out, "linalg_pinv")


@_autocast.float32
def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: ``linalg.pinv`` with a relative cut-off ``rcond``."""
    return pinv(input, rtol=rcond)


def _lstsq_grads(grads, n):
    gX, g_residuals = (list(grads) + [None])[:2]
    A, B = n.A, n.B
    vector = B.ndim == A.ndim - 1
    if vector:
        B = B.unsqueeze(-1)
    gA = gB = None
    if gX is not None:
        X_of_A = pinv(A)
        if vector:
            gX = gX.unsqueeze(-1)
        gB = _mH(X_of_A) @ gX
        gA = _pinv_grad_of(gX @ _mH(B), A, X_of_A)
    if g_residuals is not None and g_residuals.numel():
        # the squared norms of R = B - A X, whose derivative in X is zero at the solution:
        # 2 R g for B, -2 R g X^H for A
        X = n.result.unsqueeze(-1) if vector else n.result
        gR = (B - A @ X) * g_residuals.unsqueeze(-2) * 2
        gA = -(gR @ _mH(X)) if gA is None else gA - gR @ _mH(X)
        gB = gR if gB is None else gB + gR
    zero = _make(xp.zeros(B.shape, B._data.dtype)) if gB is None else gB
    return (
        _make(xp.zeros(A.shape, A._data.dtype)) if gA is None else gA,
        zero.squeeze(-1) if vector else zero,
    )


@op(
    inputs="A B",
    saves="A B result",
    grads=(lambda g, n: _lstsq_grads(g, n)[0], lambda g, n: _lstsq_grads(g, n)[1]),
    outputs=2,
    node="LinalgLstsqBackward0",
    method=False,
)
def _lstsq(A, B, rcond, residuals):
    """The solution, and the squared norms of its residuals where ``residuals`` (else empty)."""
    vector = B.ndim == A.ndim - 1
    rhs = B[..., None] if vector else B
    v_scaled, ut = _pseudo_inverse_factors(A, 0.0, rcond)
    x = v_scaled @ (ut @ rhs)
    real = xp.abs(x[..., :0, :0]).dtype
    if residuals:
        r = rhs - A @ x
        squared = (r.real * r.real + r.imag * r.imag) if r.dtype.kind == "c" else r * r
        squares = squared.sum(-2)
    else:
        squares = xp.zeros((0,), real)
    return (x[..., 0] if vector else column_major(x)), squares


# What each driver gives besides the solution: (the rank, the singular values, the residuals
# where every matrix is of full rank)
_LSTSQ_DRIVERS = {
    "gels": (False, False, True),
    "gelsy": (True, False, False),
    "gelsd": (True, True, True),
    "gelss": (True, True, True),
}


@_autocast.float32
def lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq``: the least-squares solution of A X = B.  As the CPU build's
    drivers (gelsy by default) give them: the rank (not from gels), the singular values (from
    gelsd and gelss), and the squared norms of the residuals of a tall A of full rank (not from
    gelsy; all of them differentiable, empty or not)."""
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    _check_matrix(A, "lstsq")
    if A._data.dtype.kind != "c":
        _real_only(A._data, "lstsq")
    if rcond is None:
        rcond = float(xp.finfo(A._data.dtype).eps) * max(A.shape[-2], A.shape[-1])
    gives_rank, gives_values, gives_residuals = _LSTSQ_DRIVERS[driver or "gelsy"]
    m, n = A.shape[-2], A.shape[-1]
    s = xp.linalg.svd(A._data, compute_uv=False)
    largest = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    ranks = (s > rcond * largest).sum(-1).astype(xp.int64)
    full = gives_residuals and m > n and bool((ranks == n).all())
    X, residuals = _lstsq(A, B, rcond, full)
    empty = xp.zeros((0,), s.dtype)  # (a complex A's singular values are real)
    rank = _make(xp.asarray(ranks) if gives_rank else empty.astype(xp.int64))
    values = _make(s if gives_values else empty)
    return _LSTSQ(X, residuals, rank, values)


def _matrix_exp_grad(g, n):
    # the gradient is the upper right block of exp([[A^H, g], [0, A^H]])
    from .shape import cat

    At = _mH(n.self)
    zero = At * 0
    block = cat([cat([At, g], -1), cat([zero, At], -1)], -2)
    k = At.shape[-1]
    return matrix_exp(block)[..., :k, k:]


@op(
    saves="self",
    grads=(_matrix_exp_grad,),
    check=_square("matrix_exp", complex_too=True),
    node="LinalgMatrixExpBackward0",
)
def matrix_exp(self):
    """``torch.linalg.matrix_exp``: the exponential of each square matrix."""
    import scipy.linalg

    # single precision computed in double and rounded once: scaling and squaring in float32
    # loses some ten units in the last place on a matrix of large norm (PyTorch's own float32
    # algorithm about as many, elsewhere), the rounded result none
    wide = _DOUBLE.get(self.dtype)
    return c_order(
        scipy.linalg.expm(self if wide is None else self.astype(wide)).astype(
            self.dtype, copy=False
        )
    )


_DOUBLE = {xp.dtype(xp.float32): xp.float64, xp.dtype(xp.complex64): xp.complex128}


def _cross_grads(g, n):
    return linalg_cross(cj(n.other), g, dim=n.dim), linalg_cross(g, cj(n.self), dim=n.dim)


def _check_cross(a, b, dim):
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
            f"{b.shape[dim]}"
        )


@op(
    inputs="self other",
    saves="self other",
    broadcast=True,
    promote="binary",
    check=_check_cross,
    grads=(lambda g, n: _cross_grads(g, n)[0], lambda g, n: _cross_grads(g, n)[1]),
    node="LinalgCrossBackward0",
    method=False,
)
def _cross(self, other, dim):
    return c_order(xp.cross(self, other, axis=dim))


def linalg_cross(input, other, *, dim=-1, out=None):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim``."""
    return _with_out(_cross(input, other, dim), out, "linalg_cross")


def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: ``linalg.cross`` along ``dim``; without ``dim``, along the first
    dimension of size 3 (deprecated in PyTorch, which warns)."""
    if dim is None:
        import warnings

        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        dim = next((i for i, n in enumerate(input.shape) if n == 3), -1)
    return linalg_cross(input, other, dim=dim, out=out)


def matrix_power(A, n):
    """``torch.linalg.matrix_power``: A multiplied by itself ``n`` times (A^-1 for negative n),
    by repeated squaring as PyTorch does."""
    _check_square(A._data, "matrix_power")
    if n == 0:  # (identities written into a copy of A: in the graph, with zero gradient)
        eye = _make(xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
        return A.clone().copy_(eye)
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return A.clone()
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _with_out(result, out, name):
    if out is None:
        return result
    from .._out import write_outs

    return write_outs(name, result, out)


def _named(name, fields):
    from .reduction import RETURN_TYPES, _return_type

    if len(fields) == 2:
        return _return_type(name, fields)
    if name in RETURN_TYPES and RETURN_TYPES[name]._fields == fields:
        return RETURN_TYPES[name]
    cls = type(name, (tuple,), {"__slots__": (), "_fields": fields})
    for i, f in enumerate(fields):
        setattr(cls, f, property(lambda self, i=i: self[i]))
    cls.__new__ = lambda c, *items: tuple.__new__(c, items)
    cls.__module__ = "torch.return_types"

    def _repr(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls.__repr__ = _repr
    RETURN_TYPES[name] = cls
    return cls


_SLOGDET = _named("linalg_slogdet", ("sign", "logabsdet"))
_EIGH = _named("linalg_eigh", ("eigenvalues", "eigenvectors"))
_SVD = _named("linalg_svd", ("U", "S", "Vh"))
_SVD_LEGACY = _named("svd", ("U", "S", "V"))
_QR = _named("linalg_qr", ("Q", "R"))
_QR_OLD = _named("qr", ("Q", "R"))  # (torch.qr's)
_named("slogdet", ("sign", "logabsdet"))  # (torch.slogdet's: its results are linalg_slogdet's)
_LSTSQ = _named("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))

inverse = inv

__all__ = [
    "inverse",
    "det",
    "logdet",
    "slogdet",
    "pinverse",
    "matrix_power",
    "matrix_exp",
    "svd",
    "qr",
    "cross",
]

for _name in ("det", "inverse", "logdet", "slogdet", "pinverse", "matrix_power", "svd", "qr"):
    tensor_method(globals()[_name], name=_name)
tensor_method(lambda self, other, dim=None: cross(self, other, dim), name="cross")
