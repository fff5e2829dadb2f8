"""The memory layout of linear algebra results, as PyTorch's: factorizations and solvers return
each matrix in Fortran order, as LAPACK leaves it (``is_contiguous()`` is False, a ``view``
may refuse), a right-hand solve the transposed left one's; the strides are compared, size-1
dimensions included."""

import warnings

import numpy as np
import pytest

import retrograd

_CASES = {
    "qr": lambda L, t, A, R, B, v, S: L.linalg.qr(R),
    "qr_complete": lambda L, t, A, R, B, v, S: L.linalg.qr(R, mode="complete"),
    "eigh": lambda L, t, A, R, B, v, S: L.linalg.eigh(S),
    "eigh_upper": lambda L, t, A, R, B, v, S: L.linalg.eigh(S, UPLO="U"),
    "eig": lambda L, t, A, R, B, v, S: L.linalg.eig(A),
    "svd": lambda L, t, A, R, B, v, S: L.linalg.svd(R, full_matrices=False),
    "svd_full": lambda L, t, A, R, B, v, S: L.linalg.svd(R),
    "torch.svd": lambda L, t, A, R, B, v, S: L.svd(R),
    "cholesky": lambda L, t, A, R, B, v, S: L.linalg.cholesky(S),
    "cholesky_upper": lambda L, t, A, R, B, v, S: L.linalg.cholesky_ex(S, upper=True),
    "inv": lambda L, t, A, R, B, v, S: L.linalg.inv_ex(A),
    "solve": lambda L, t, A, R, B, v, S: L.linalg.solve(A, B),
    "solve_right": lambda L, t, A, R, B, v, S: L.linalg.solve(A, B.mT, left=False),
    "solve_vector": lambda L, t, A, R, B, v, S: L.linalg.solve(A, v),
    "lstsq": lambda L, t, A, R, B, v, S: L.linalg.lstsq(A, B).solution,
    "lu_factor": lambda L, t, A, R, B, v, S: L.linalg.lu_factor(A),
    "lu_solve": lambda L, t, A, R, B, v, S: L.linalg.lu_solve(*L.linalg.lu_factor(A), B),
    "lu_solve_right": lambda L, t, A, R, B, v, S: L.linalg.lu_solve(
        *L.linalg.lu_factor(A), B.mT, left=False
    ),
    "ldl": lambda L, t, A, R, B, v, S: L.linalg.ldl_factor(S),
    "ldl_solve": lambda L, t, A, R, B, v, S: L.linalg.ldl_solve(*L.linalg.ldl_factor(S), B),
    "solve_triangular": lambda L, t, A, R, B, v, S: L.linalg.solve_triangular(
        L.linalg.cholesky(S), B, upper=False
    ),
    "triangular_solve": lambda L, t, A, R, B, v, S: L.triangular_solve(
        B, L.linalg.cholesky(S), upper=False
    ),
    "cholesky_solve": lambda L, t, A, R, B, v, S: L.cholesky_solve(B, L.linalg.cholesky(S)),
    "cholesky_inverse": lambda L, t, A, R, B, v, S: L.cholesky_inverse(L.linalg.cholesky(S)),
    "geqrf": lambda L, t, A, R, B, v, S: L.geqrf(R),
    "householder_product": lambda L, t, A, R, B, v, S: L.linalg.householder_product(*L.geqrf(R)),
    "ormqr": lambda L, t, A, R, B, v, S: L.ormqr(*L.geqrf(R), t(R.shape[:-1] + (3,))),
    "matrix_power": lambda L, t, A, R, B, v, S: L.linalg.matrix_power(A, -2),
}


@pytest.mark.parametrize(
    "n, batch, dtype", [(20, (3,), "float64"), (4, (), "float32"), (3, (2, 2), "complex128")]
)
@pytest.mark.parametrize("case", list(_CASES))
def test_strides_as_pytorchs(torch_ref, case, n, batch, dtype):
    rng = np.random.default_rng(0)

    def array(shape):
        a = rng.standard_normal(shape)
        return a + 1j * rng.standard_normal(shape) if dtype.startswith("complex") else a

    arrays = [array((*batch, n, n)), array((*batch, n + 2, n)), array((*batch, n, 2))]
    arrays.append(array((*batch, n)))
    got = []
    for lib in (retrograd, torch_ref):
        dt = getattr(lib, dtype)

        def t(shape, lib=lib, dt=dt):
            return lib.tensor(array(tuple(shape))).to(dt)

        A, R, B, v = (lib.tensor(a).to(dt) for a in arrays)
        S = A @ A.mT.conj() + n * lib.eye(n, dtype=dt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (triangular_solve is deprecated)
            out = _CASES[case](lib, t, A, R, B, v, S)
        outs = out if isinstance(out, tuple) else (out,)
        got.append([(tuple(o.shape), o.stride(), o.is_contiguous()) for o in outs])
    assert got[0] == got[1]


def test_view_of_an_inverse_refuses_as_pytorchs(torch_ref):
    texts = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(RuntimeError) as e:
            lib.linalg.inv(lib.eye(3) * 2).view(9)
        texts.append(str(e.value))
    assert texts[0] == texts[1]
