"""The eigendecomposition of general (not symmetric) square matrices: ``linalg.eig`` and
``linalg.eigvals``, whose results are complex whatever the input's type.

The gradient is PyTorch's (conjugate convention): with ``A = V diag(L) V^-1`` and eigenvectors of
norm 1,  ``gA = V^-H (diag(gL) + (V^H gV - V^H V diag(Re diag(V^H gV))) / E) V^H``, where
``E[i, j] = conj(L[j]) - conj(L[i])``; for a real ``A``, its real part.  An eigenvector is known up
to a phase, so a loss that depends on that phase (``Im diag(V^H gV)`` not zero) has no gradient:
PyTorch's error then.  The formula is written in retrograd's ops, so it has a derivative of its
own.
"""

from .._array import column_major, xp
from ..dtypes import FROM_NP, scalar_type_name
from ..tensor import _make
from .factorizations import _eye_like, _mH, _named, _with_out, solve
from .linalg import _diag_embed
from .registry import op
from .special import _check_square

_ILL_DEFINED = (
    "linalg_eig_backward: The eigenvectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this quantity, so it "
    "is ill-defined."
)


def _check_eig(a):
    _check_square(a, "eig")
    if a.dtype in (xp.float16,) or a.dtype.itemsize == 2:
        raise NotImplementedError(
            f"\"linalg_eig_out_cpu\" not implemented for '{scalar_type_name(FROM_NP[a.dtype])}'"
        )
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"Unknown Complex ScalarType for {scalar_type_name(FROM_NP[a.dtype])}")


def _complex_type(a):
    return xp.complex64 if a.dtype in (xp.float32, xp.complex64) else xp.complex128


def _eig_grad(grads, n):
    """The gradient, in retrograd's ops (so that it has a graph of its own under
    ``create_graph``; the solve dominates its cost either way)."""
    gL, gV = (list(grads) + [None])[:2]
    L, V = n.result, n.result1
    Vh = _mH(V)
    eye = _eye_like(V)
    if gV is None:
        inner = _make(xp.zeros(V.shape, V._data.dtype))
    else:
        VhgV = Vh @ gV
        diag = VhgV.diagonal(0, -2, -1)
        if not xp.allclose(diag._data.imag, 0, rtol=1e-2, atol=1e-2):
            raise RuntimeError(_ILL_DEFINED)
        inner = VhgV - Vh @ (V * diag.real.unsqueeze(-2))
        Lc = L.conj()
        inner = inner / (Lc.unsqueeze(-2) - Lc.unsqueeze(-1) + eye)
    inner = inner * (1 - eye)
    if gL is not None:
        inner = inner + _diag_embed(gL, 0)
    gA = solve(Vh, inner @ Vh) if L.shape[-1] else inner
    return gA.real if n.self_dtype.is_floating_point else gA


@op(
    saves="self_dtype result result1",
    grads=(_eig_grad,),
    check=_check_eig,
    outputs=2,
    node="LinalgEigBackward0",
    method=False,
)
def _linalg_eig(self):
    out = _complex_type(self)
    if self.size == 0:
        return xp.zeros(self.shape[:-1], out), xp.zeros(self.shape, out)
    w, v = xp.linalg.eig(self)
    return w.astype(out), column_major(v.astype(out))


_EIG = _named("linalg_eig", ("eigenvalues", "eigenvectors"))


def eig(A, *, out=None):
    """``torch.linalg.eig``: the eigenvalues and eigenvectors (of norm 1) of each square matrix,
    complex."""
    w, v = _linalg_eig(A)
    result = _EIG(w, v)
    return _with_out(result, out, "linalg_eig") if out is not None else result


def eigvals(A, *, out=None):
    """``torch.linalg.eigvals``: the eigenvalues of each square matrix, complex."""
    _check_square(A._data, "eigvals")  # (the shared op's checks would name eig)
    return _with_out(_linalg_eig(A)[0], out, "linalg_eigvals")


__all__: list[str] = []
