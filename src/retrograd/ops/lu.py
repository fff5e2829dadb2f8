"""LU and LDL^T factorizations with row pivots: ``torch.linalg.lu_factor``, ``lu``, ``lu_solve``,
``ldl_factor``, ``ldl_solve``, ``torch.lu_unpack`` and the older ``torch.lu``/``torch.lu_solve``.

Pivots are PyTorch's, which are LAPACK's: 1-based int32 row swaps, applied in order (LDL^T's
negative pairs mark 2 x 2 blocks).  LAPACK factors one matrix per call (NumPy has no batched LU);
everything else runs on the stacked batch.  The derivative formulas are written in retrograd's
ops, so they have derivatives of their own.
"""

import math

from .._array import c_order, column_major, xp
from ..tensor import _make
from .factorizations import _LinAlgError, _named, _type_name, _with_out
from .pointwise import _no_derivative
from .registry import op, shared_formulas, tensor_method
from .special import _mH, _summed_to, solve_triangular

_LU_FACTOR = _named("linalg_lu_factor", ("LU", "pivots"))
_LU_FACTOR_EX = _named("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_LU = _named("linalg_lu", ("P", "L", "U"))
_LU_UNPACK = _named("lu_unpack", ("P", "L", "U"))
_LU_WITH_INFO = _named("_lu_with_info", ("LU", "pivots", "info"))
_LDL_FACTOR = _named("linalg_ldl_factor", ("LD", "pivots"))
_LDL_FACTOR_EX = _named("linalg_ldl_factor_ex", ("LD", "pivots", "info"))


def _lapack(name, a):
    from scipy.linalg import lapack

    return lapack.get_lapack_funcs(name, (a,))


def _column_major(a):
    """A C-ordered copy of ``a`` with each matrix transposed: ``copy[i].T`` is ``a[i]`` in the
    column-major layout LAPACK writes into in place."""
    return xp.array(xp.swapaxes(a, -1, -2), order="C")


def _check_float(a, name):
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_name(a)}'")


# --- LU ----------------------------------------------------------------------------------------


def _getrf(a):
    """The packed LU factors of each matrix of ``a`` (C order), PyTorch's pivots and LAPACK's
    info (k > 0: U[k-1, k-1] is zero)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    work = _column_major(a)
    pivots = xp.broadcast_to(xp.arange(1, k + 1, dtype=xp.int32), a.shape[:-2] + (k,)).copy()
    info = xp.zeros(a.shape[:-2], xp.int32)
    if a.size:
        getrf = _lapack("getrf", a)
        flat, flat_pivots, flat_info = (
            work.reshape(-1, n, m),
            pivots.reshape(-1, k),
            info.reshape(-1),
        )
        for i in range(flat.shape[0]):
            # (the factors are assigned: SciPy may work on a copy whatever overwrite_a says)
            flat[i].T[...], piv, flat_info[i] = getrf(flat[i].T, overwrite_a=1)
            flat_pivots[i] = piv + 1  # (SciPy gives them 0-based)
    return xp.swapaxes(work, -1, -2), pivots, info  # (each matrix in Fortran order, as LAPACK's)


def _permutation(pivots, m, dtype):
    """P with A = P L U for the row swaps ``pivots`` (1-based) of m-row matrices."""
    batch = pivots.shape[:-1]
    flat = pivots.reshape(math.prod(batch), pivots.shape[-1]) - 1  # (no -1: k may be 0)
    rows = xp.arange(flat.shape[0])
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    for i in range(flat.shape[1]):  # swaps in order: P^T A = A[perm]
        j = flat[:, i]
        perm[rows, i], perm[rows, j] = perm[rows, j], perm[rows, i].copy()
    P = xp.zeros((flat.shape[0], m, m), dtype)
    P[rows[:, None], perm, xp.arange(m)] = 1
    return P.reshape(batch + (m, m))


def _unpacked(lu):
    """L (unit lower, m x k) and U (upper, k x n) from packed factors, on arrays."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = xp.tril(lu[..., :, :k], -1)
    L[..., xp.arange(k), xp.arange(k)] = 1
    return L, c_order(xp.triu(lu[..., :k, :]))


def _lu_grad_of(gL, gU, P, L, U):
    """The gradient of A = P L U from those of L and U (None: no gradient), in retrograd's ops
    (^T below is the conjugate transpose for complex matrices, PyTorch's convention).

    With dA = P (dL U + L dU): for a square or wide A (L square), X = L^-1 P^T dA has
    L^-1 dL = tril_{-1}(X1 U1^-1) over U's first square block U1, so the gradient of X is
    [triu(gU1) + tril_{-1}(L^T gL - gU U^T) U1^-T, gU2] and that of A is P L^-T times it.  For a
    tall A (U square) the same steps run on the transposes: Y = P^T dA U^-1 has gradient
    [tril_{-1}(gL1) + L1^-T triu(gU U^T - L^T gL); gL2], and that of A is P Y U^-T."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    gL = None if gL is None else gL.tril(-1)
    gU = None if gU is None else gU.triu()
    if m <= n:
        phi = None if gL is None else _mH(L) @ gL
        if gU is not None:
            phi = -(gU @ _mH(U)) if phi is None else phi - gU @ _mH(U)
        gX = solve_triangular(_mH(U[..., :, :k]), phi.tril(-1), upper=False, left=False)
        if gU is not None:
            gX = gX + gU[..., :, :k]
            if n > k:
                gX = _cat(gX, gU[..., :, k:], -1)
        elif n > k:
            gX = _cat(gX, U.new_zeros(U.shape[:-1] + (n - k,)), -1)
        gA = solve_triangular(_mH(L), gX, upper=True, unitriangular=True)
        return P @ gA
    psi = None if gU is None else gU @ _mH(U)
    if gL is not None:
        psi = -(_mH(L) @ gL) if psi is None else psi - _mH(L) @ gL
    gY = solve_triangular(_mH(L[..., :k, :]), psi.triu(), upper=True, unitriangular=True)
    if gL is not None:
        gY = _cat(gY + gL[..., :k, :], gL[..., k:, :], -2)
    else:
        gY = _cat(gY, L.new_zeros(L.shape[:-2] + (m - k, k)), -2)
    return P @ solve_triangular(_mH(U), gY, upper=False, left=False)


def _cat(a, b, dim):
    from .shape import cat

    return cat([a, b], dim)


def _check_lu_input(a, name):
    if a.ndim < 2:
        raise RuntimeError(
            f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(a.shape)} instead"
        )
    _check_float(a, "lu")


def _lu_factor_grad(g, n):
    LU, pivots = n.result, n.result1
    m, k = LU.shape[-2], min(LU.shape[-2:])
    L = LU[..., :, :k].tril(-1) + _make(xp.eye(m, k, dtype=LU._data.dtype))
    U = LU[..., :k, :].triu()
    P = _make(_permutation(pivots._data, m, LU._data.dtype))
    return _lu_grad_of(g[..., :, :k], g[..., :k, :], P, L, U)


@op(
    saves="result result1",
    grads=(_lu_factor_grad,),
    check=lambda a: _check_lu_input(a, "torch.lu_factor"),
    node="LinalgLuFactorExBackward0",
    returns=_LU_FACTOR_EX,
    method=False,
)
def _lu_factor_ex(self):
    return _getrf(self)


def _lu_grad(grads, n):
    gL, gU = (list(grads) + [None])[:2]
    return _lu_grad_of(gL, gU, n.result2, n.result, n.result1)


@op(
    saves="result result1 result2",
    grads=(_lu_grad,),
    outputs=2,
    check=lambda a: _check_lu_input(a, "linalg.lu"),
    node="LinalgLuBackward0",
    method=False,
)
def _lu(self):
    lu, pivots, _ = _getrf(self)
    L, U = _unpacked(lu)
    return L, U, _permutation(pivots, self.shape[-2], self.dtype)


def _no_pivoting():
    return RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _singular_u(name, info):
    bad = xp.flatnonzero(info.reshape(-1))
    where = f"(Batch element {bad[0]}): " if info.ndim else ""
    k = int(info.reshape(-1)[bad[0]])
    return _LinAlgError(
        f"{name}: {where}U[{k},{k}] is zero and using it on lu_solve would result in a division "
        "by zero. If you still want to perform the factorization, consider calling "
        "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
    )


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``torch.linalg.lu_factor_ex``: the LU factors of each matrix packed in one (L's unit
    diagonal left out), PyTorch's pivots and LAPACK's info (k > 0: U[k-1, k-1] is zero)."""
    if not pivot:
        raise _no_pivoting()
    LU, pivots, info = _lu_factor_ex(A)
    if check_errors and info._data.any():
        raise _singular_u("torch.linalg.lu_factor_ex", info._data)
    return _with_out(_LU_FACTOR_EX(LU, pivots, info), out, "linalg_lu_factor_ex")


def lu_factor(A, *, pivot=True, out=None):
    """``torch.linalg.lu_factor``: ``lu_factor_ex`` that refuses a singular U."""
    if not pivot:
        raise _no_pivoting()
    LU, pivots, info = _lu_factor_ex(A)
    if info._data.any():
        raise _singular_u("torch.linalg.lu_factor", info._data)
    return _with_out(_LU_FACTOR(LU, pivots), out, "linalg_lu_factor")


def linalg_lu(A, *, pivot=True, out=None):
    """``torch.linalg.lu``: P, L, U with A = P L U (L unit lower triangular, U upper)."""
    if not pivot:
        raise _no_pivoting()
    L, U, P = _lu(A)
    return _with_out(_LU(P, L, U), out, "linalg_lu")


def _check_lu_pivots(LU, pivots, name):
    if LU.ndim < 2:
        raise RuntimeError(
            f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(LU.shape)} instead"
        )
    if pivots.dtype != xp.int32:
        raise RuntimeError(
            f"{name}: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
            "Note: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )


def _lu_unpack_grad(grads, n):
    gL, gU = (list(grads) + [None])[:2]
    m, cols = n.LU_data_shape[-2:]
    parts = []
    if gL is not None and gL.numel():
        parts.append(_padded(gL.tril(-1), m, cols))
    if gU is not None and gU.numel():
        parts.append(_padded(gU.triu(), m, cols))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def _padded(g, m, n):
    """``g`` (m x k or k x n) in the top-left corner of m x n zeros."""
    if g.shape[-1] < n:
        g = _cat(g, g.new_zeros(g.shape[:-1] + (n - g.shape[-1],)), -1)
    if g.shape[-2] < m:
        g = _cat(g, g.new_zeros(g.shape[:-2] + (m - g.shape[-2], n)), -2)
    return g


@op(
    inputs="LU_data",
    saves="LU_data_shape",
    grads=(_lu_unpack_grad,),
    outputs=2,
    check=lambda a, p, data, perm: _check_lu_pivots(a, p, "torch.lu_unpack"),
    node="LuUnpackBackward0",
    method=False,
)
def _lu_unpack(LU_data, pivots, unpack_data, unpack_pivots):
    empty = xp.empty(0, LU_data.dtype)
    L, U = _unpacked(LU_data) if unpack_data else (empty, empty)
    P = _permutation(pivots, LU_data.shape[-2], LU_data.dtype) if unpack_pivots else empty
    return L, U, P


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``torch.lu_unpack``: P, L, U from the packed factors and pivots ``lu_factor`` gives."""
    L, U, P = _lu_unpack(LU_data, LU_pivots._data, unpack_data, unpack_pivots)
    return _with_out(_LU_UNPACK(P, L, U), out, "lu_unpack")


def _lu_solve_grads(g, n):
    """X solves op(A) X = B (or X op(A) = B), op(A) being A or A^H, A = P L U: the gradient of
    B is a solve with op(A)^H, that of op(A) -gB X^H (-X^H gB on the right), and A's goes to
    the packed factors as dA = P (dL U + L dU) says (^H: the transpose of a real matrix)."""
    LU, X = n.LU, n.result
    pivots = _make(n.pivots)
    gB = linalg_lu_solve(LU, pivots, g, left=n.left, adjoint=not n.adjoint)
    g_op = -(gB @ _mH(X)) if n.left else -(_mH(X) @ gB)
    gA = _mH(g_op) if n.adjoint else g_op
    m = LU.shape[-1]
    L = LU.tril(-1) + _make(xp.eye(m, dtype=LU._data.dtype))
    U = LU.triu()
    PtgA = _mH(_make(_permutation(n.pivots, m, LU._data.dtype))) @ gA
    gLU = (PtgA @ _mH(U)).tril(-1) + (_mH(L) @ PtgA).triu()
    return _summed_to(gLU, n.LU.shape), _summed_to(gB, n.B_shape)


def _check_lu_solve(LU, B, pivots, left, adjoint):
    if LU.ndim < 2 or LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(
            "torch.linalg.lu_solve: A must be batches of square matrices, but they are "
            f"{LU.shape[-2]} by {LU.shape[-1]} matrices"
        )
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq, shapes = ("AX = B", f"{n}x{n} and {B.shape[-2]}x{B.shape[-1]}")
        if not left:
            eq = "XA = B"
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} ({shapes})"
        )
    if LU.dtype != B.dtype:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
            f"{_type_name(LU)} and B of type {_type_name(B)} instead"
        )
    if pivots.dtype != xp.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")


@op(
    inputs="LU B",
    saves="LU B_shape result",
    grads=shared_formulas(2, _lu_solve_grads, _lu_solve_grads),
    check=_check_lu_solve,
    node="LinalgLuSolveBackward0",
    method=False,
)
def _lu_solve(LU, B, pivots, left, adjoint):
    from .factorizations import _lu_solve as getrs

    rhs = B if left else xp.swapaxes(B, -1, -2)
    batch = xp.broadcast_shapes(LU.shape[:-2], rhs.shape[:-2], pivots.shape[:-1])
    n = LU.shape[-1]
    if not n or not rhs.shape[-1] or 0 in batch:
        return xp.zeros(batch + B.shape[-2:], LU.dtype)
    factors = _column_major(xp.broadcast_to(LU, batch + (n, n)))
    piv = xp.broadcast_to(pivots, batch + (n,)) - 1
    # X A = B is A^T X^T = B^T: a right-hand solve with A is a left-hand one with A^T; X A^H = B
    # is A conj(X^T) = conj(B^T)
    with_a = left != adjoint
    conjugated = not left and adjoint and LU.dtype.kind == "c"
    rhs = xp.broadcast_to(xp.conj(rhs) if conjugated else rhs, batch + rhs.shape[-2:])
    x = getrs(factors, piv, rhs, transposed=with_a, conjugate=adjoint)
    x = xp.conj(x) if conjugated else x
    x = column_major(x)  # (a right solve is the transposed left one's: in C order then)
    return x if left else xp.swapaxes(x, -1, -2)


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """``torch.linalg.lu_solve``: X with A X = B for A = P L U given by ``lu_factor`` (X A = B
    when ``left`` is False; A^H in place of A with ``adjoint``)."""
    return _with_out(_lu_solve(LU, B, pivots._data, left, adjoint), out, "linalg_lu_solve")


# --- LDL^T -------------------------------------------------------------------------------------


def _check_ldl(a, name):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )
    if a.dtype.kind not in "fc":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got {_type_name(a)}"
        )


def _ldl_routine(name, a, hermitian):
    """LAPACK's routine ``name`` ("trf" or "trs") for symmetric matrices, or Hermitian ones."""
    return _lapack(("he" if hermitian and a.dtype.kind == "c" else "sy") + name, a)


@op(
    grads=(_no_derivative,),
    check=lambda a, aten, hermitian: _check_ldl(a, "torch.linalg.ldl_factor_ex"),
    node="torch::autograd::NotImplemented",
    returns=_LDL_FACTOR_EX,
    method=False,
)
def _ldl_factor_ex(self, aten, hermitian):
    """LAPACK's sytrf (hetrf for a Hermitian complex matrix) on each matrix's lower triangle: L
    and D packed in the lower triangle, the pivots, info (k > 0: D[k-1, k-1] is zero)."""
    n = self.shape[-1]
    work = _column_major(self)
    pivots = xp.broadcast_to(xp.arange(1, n + 1, dtype=xp.int32), self.shape[:-1]).copy()
    info = xp.zeros(self.shape[:-2], xp.int32)
    if self.size:
        sytrf = _ldl_routine("trf", self, hermitian)
        flat, flat_pivots, flat_info = (
            work.reshape(-1, n, n),
            pivots.reshape(-1, n),
            info.reshape(-1),
        )
        for i in range(flat.shape[0]):
            flat[i].T[...], flat_pivots[i], flat_info[i] = sytrf(flat[i].T, lower=1, overwrite_a=1)
    return column_major(xp.tril(xp.swapaxes(work, -1, -2))), pivots, info


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``torch.linalg.ldl_factor_ex``: the LDL^T factors of each symmetric matrix (its lower
    triangle read; LDL^H of a Hermitian one with ``hermitian``) in one, Bunch-Kaufman pivots as
    LAPACK gives them, and info."""
    LD, pivots, info = _ldl_factor_ex(A, "linalg_ldl_factor_ex", hermitian)
    if check_errors and info._data.any():
        raise _ldl_error("torch.linalg.ldl_factor_ex", info._data)
    return _with_out(_LDL_FACTOR_EX(LD, pivots, info), out, "linalg_ldl_factor_ex")


def _ldl_error(name, info):
    # (PyTorch 2.13 fails an internal assertion here, with this text)
    k = int(info.reshape(-1)[xp.flatnonzero(info.reshape(-1))[0]])
    return RuntimeError(
        f"{name}: Unknown error code: {k}. (D[{k - 1}, {k - 1}] of the factors is zero: the matrix "
        "is singular.)"
    )


def ldl_factor(A, *, hermitian=False, out=None):
    """``torch.linalg.ldl_factor``: ``ldl_factor_ex`` that refuses a singular matrix."""
    LD, pivots, info = _ldl_factor_ex(A, "linalg_ldl_factor_ex", hermitian)
    if info._data.any():
        raise _ldl_error("torch.linalg.ldl_factor", info._data)
    return _with_out(_LDL_FACTOR(LD, pivots), out, "linalg_ldl_factor")


def _check_ldl_solve(LD, B, pivots, aten, hermitian):
    _check_ldl(LD, "torch.linalg.ldl_solve")
    if B.ndim < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(B.ndim, 1)}, "
            f"{max(B.ndim, 1) - 1}], but got -2)"
        )
    if LD.dtype != B.dtype:
        raise RuntimeError(
            "torch.linalg.ldl_solve: Expected LD and B to have the same dtype, but found LD of "
            f"type {_type_name(LD)} and B of type {_type_name(B)} instead"
        )
    if pivots.dtype != xp.int32:
        raise RuntimeError("torch.linalg.ldl_solve: Expected pivots to be integers. Got Long")


@op(
    inputs="LD B",
    grads=(_no_derivative, _no_derivative),
    check=_check_ldl_solve,
    node="torch::autograd::NotImplemented",
    method=False,
)
def _ldl_solve(LD, B, pivots, aten, hermitian):
    batch = xp.broadcast_shapes(LD.shape[:-2], B.shape[:-2], pivots.shape[:-1])
    n, k = LD.shape[-1], B.shape[-1]
    out = _column_major(xp.broadcast_to(B, batch + B.shape[-2:]).astype(LD.dtype))
    if n and k and 0 not in batch:
        sytrs = _ldl_routine("trs", LD, hermitian)
        factors = _column_major(xp.broadcast_to(LD, batch + (n, n))).reshape(-1, n, n)
        piv = xp.broadcast_to(pivots, batch + (n,)).reshape(-1, n)
        flat = out.reshape(-1, k, n)
        for i in range(flat.shape[0]):
            flat[i].T[...] = sytrs(factors[i].T, piv[i], flat[i].T, lower=1)[0]
    return column_major(xp.swapaxes(out, -1, -2))


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """``torch.linalg.ldl_solve``: X with A X = B for A's factors from ``ldl_factor``."""
    X = _ldl_solve(LD, B, pivots._data, "linalg_ldl_solve", hermitian)
    return _with_out(X, out, "linalg_ldl_solve")


def lu(A, pivot=True, get_infos=False, out=None):
    """``torch.lu``: ``linalg.lu_factor_ex``'s LU and pivots, its info too with ``get_infos``
    (which also stops a singular U being an error)."""
    import warnings

    warnings.warn(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.",
        UserWarning,
        stacklevel=2,
    )
    if not pivot:
        raise _no_pivoting()
    LU, pivots, info = _lu_factor_ex(A)
    if not get_infos:
        if info._data.any():
            raise _singular_u("torch.linalg.lu_factor_ex", info._data)
        return _with_out((LU, pivots), out, "lu")
    return _with_out(_LU_WITH_INFO(LU, pivots, info), out, "lu")


def lu_solve(input, LU_data, LU_pivots, *, out=None):
    """``torch.lu_solve``: ``linalg.lu_solve`` with B first."""
    import warnings

    warnings.warn(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve and will be removed in "
        "a future PyTorch release.",
        UserWarning,
        stacklevel=2,
    )
    return linalg_lu_solve(LU_data, LU_pivots, input, out=out)


tensor_method(lu)
tensor_method(lu_solve)

__all__ = ["lu", "lu_solve", "lu_unpack"]
