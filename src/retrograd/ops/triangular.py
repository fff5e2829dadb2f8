"""Solves with Cholesky and triangular factors under PyTorch's torch.* names
(``cholesky_solve``, ``cholesky_inverse``, ``triangular_solve``) and LAPACK's QR factorization in
Householder form (``geqrf``), each one node with PyTorch's name; the derivative formulas are
written in retrograd's ops."""

from .._array import column_major, xp
from .factorizations import _named, _type_name
from .registry import op
from .special import _mH, _mT, _solve_raw, _summed_to, _triangle, solve_triangular


def _cholesky_solve_array(B, L, upper):
    # A = L L^H (U^H U with ``upper``): two triangular solves
    LH = xp.swapaxes(L, -1, -2)
    if LH.dtype.kind == "c":
        LH = LH.conj()
    with xp.errstate(divide="ignore", invalid="ignore"):
        if upper:
            return _solve_raw(L, _solve_raw(LH, B, False, True, False), True, True, False)
        return _solve_raw(LH, _solve_raw(L, B, False, True, False), True, True, False)


def _factor_grad(gA, L, upper):
    """The gradient of the factor of A = L L^H (U^H U) from A's, taken as a Hermitian matrix.
    As in PyTorch it is not restricted to the factor's triangle (the only one the forward
    reads): the gradient of L L^H as a function of a full L."""
    sym = gA + _mH(gA)
    return L @ sym if upper else sym @ L


def _cholesky_solve_grads(g, n):
    X, L = n.result, n.input2
    gB = cholesky_solve(g, L, n.upper)
    gL = _factor_grad(-(gB @ _mH(X)), L, n.upper)
    return _summed_to(gB, n.self_shape), _summed_to(gL, n.input2.shape)


def _check_cholesky_solve(b, L, upper):
    if b.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead"
        )
    if L.ndim < 2:
        raise RuntimeError(
            f"u should have at least 2 dimensions, but has {L.ndim} dimensions instead"
        )
    if b.dtype != L.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {_type_name(b)} and A "
            f"of type {_type_name(L)} instead."
        )


@op(
    inputs="self input2",
    saves="self_shape input2 result",
    grads=(
        lambda g, n: _cholesky_solve_grads(g, n)[0],
        lambda g, n: _cholesky_solve_grads(g, n)[1],
    ),
    check=_check_cholesky_solve,
    node="CholeskySolveBackward0",
)
def cholesky_solve(self, input2, upper=False):
    """``torch.cholesky_solve``: X with A X = B for A = L L^H given its Cholesky factor L
    (U^H U given U with ``upper``)."""
    return column_major(_cholesky_solve_array(self, input2, upper).astype(self.dtype, copy=False))


def _check_cholesky_inverse(L):
    if L.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")


def _cholesky_inverse_grad(g, n):
    # (the gradient made Hermitian first, then taken through the inverse, as PyTorch groups it)
    Ainv, L = n.result, n.self
    sym = Ainv @ ((g + _mH(g)) @ Ainv)
    return -(L @ sym) if n.upper else -(sym @ L)


@op(
    saves="self result",
    grads=(_cholesky_inverse_grad,),
    check=lambda L, upper: _check_cholesky_inverse(L),
    node="CholeskyInverseBackward0",
)
def cholesky_inverse(self, upper=False):
    """``torch.cholesky_inverse``: the inverse of A = L L^H from its Cholesky factor L (U^H U
    from U with ``upper``)."""
    eye = xp.broadcast_to(xp.eye(self.shape[-1], dtype=self.dtype), self.shape)
    return column_major(_cholesky_solve_array(eye, self, upper).astype(self.dtype, copy=False))


def _triangular_solve_grads(grads, n):
    gX, gA_clone = (list(grads) + [None])[:2]
    A, X = n.A, n.result
    op_upper = n.upper != n.transpose
    gb = gA = None
    if gX is not None:
        op_A = _mT(A) if n.transpose else A
        gb = solve_triangular(_mH(op_A), gX, upper=not op_upper, unitriangular=n.unitriangular)
        g_op = -(gb @ _mH(X))
        gA = _triangle(_mT(g_op) if n.transpose else g_op, n.upper, n.unitriangular)
        gb = _summed_to(gb, n.self_shape)
    if gA_clone is not None:
        gA = gA_clone if gA is None else gA + gA_clone
    return gb, None if gA is None else _summed_to(gA, n.A.shape)


def _check_triangular_solve(b, A, upper, transpose, unitriangular):
    if b.ndim < 2:
        raise RuntimeError(
            f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has {b.ndim} dimensions instead"
        )
    if A.ndim < 2:
        raise RuntimeError(
            f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has {A.ndim} dimensions instead"
        )
    if b.dtype != A.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {_type_name(b)} and A "
            f"of type {_type_name(A)} instead."
        )


_TRIANGULAR_SOLVE = _named("triangular_solve", ("solution", "cloned_coefficient"))


@op(
    inputs="self A",
    saves="self_shape A result",
    grads=(
        lambda g, n: _triangular_solve_grads(g, n)[0],
        lambda g, n: _triangular_solve_grads(g, n)[1],
    ),
    outputs=2,
    check=_check_triangular_solve,
    node="TriangularSolveBackward0",
    returns=_TRIANGULAR_SOLVE,
)
def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
    """``torch.triangular_solve``: X with A X = b (A^T X = b with ``transpose``), A read from the
    triangle ``upper`` names, and a copy of A."""
    a = xp.swapaxes(A, -1, -2) if transpose else A
    with xp.errstate(divide="ignore", invalid="ignore"):
        x = _solve_raw(a, self, upper != transpose, True, unitriangular)
    batch = xp.broadcast_shapes(self.shape[:-2], A.shape[:-2])
    return column_major(x.astype(A.dtype, copy=False)), column_major(
        xp.broadcast_to(A, batch + A.shape[-2:]), copy=True
    )


def _no_geqrf_derivative(grads, n):
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def _no_geqrf_tangent(tangents, inputs, results):
    raise NotImplementedError(
        "Trying to use forward AD with geqrf that does not support it because it has not been "
        "implemented yet.\nPlease file an issue to PyTorch at "
        "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we "
        "can prioritize its implementation or submit a PR adding the implementation to "
        "derivatives.yaml"
    )


_GEQRF = _named("geqrf", ("a", "tau"))


@op(
    grads=(_no_geqrf_derivative,),
    jvp=_no_geqrf_tangent,
    outputs=2,
    check=lambda a: _check_geqrf(a),
    node="GeqrfBackward0",
    returns=_GEQRF,
    complex_grad=False,
)
def geqrf(self):
    """``torch.geqrf``: LAPACK's QR factorization: R on and above the diagonal, the Householder
    vectors below it, and their scales tau (``householder_product`` makes Q of them)."""
    from scipy.linalg import lapack

    m, n = self.shape[-2:]
    work = xp.array(xp.swapaxes(self, -1, -2), order="C")  # each work[i].T: column-major
    tau = xp.zeros(self.shape[:-2] + (min(m, n),), self.dtype)
    if self.size:
        geqrf_ = lapack.get_lapack_funcs("geqrf", (self,))
        flat, flat_tau = work.reshape(-1, n, m), tau.reshape(-1, min(m, n))
        for i in range(flat.shape[0]):
            flat[i].T[...], flat_tau[i], _, _ = geqrf_(flat[i].T)
    return xp.swapaxes(work, -1, -2), tau  # (each matrix in Fortran order, as LAPACK left it)


def _check_geqrf(a):
    if a.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{_type_name(a)}'")


__all__ = ["cholesky_solve", "cholesky_inverse", "triangular_solve", "geqrf"]
