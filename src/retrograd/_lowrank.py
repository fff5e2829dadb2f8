"""``torch.svd_lowrank`` and ``torch.pca_lowrank``: randomized low-rank SVD (Halko, Martinsson
and Tropp, 2009) built from ``randn``, ``linalg.qr`` and ``linalg.svd``, so it is differentiable
wherever those are, and draws its random matrix from the default generator as PyTorch does."""

from . import linalg as _linalg
from .creation import randn
from .tensor import Tensor


def _adjoint(x: Tensor) -> Tensor:
    return x.mT.conj() if x.is_complex() else x.mT


def _minus(product: Tensor, M, right: Tensor, adjoint: bool) -> Tensor:
    """``product - M @ right`` (``M^H @ right`` with ``adjoint``), or ``product`` without M."""
    if M is None:
        return product
    return product - (_adjoint(M) if adjoint else M).matmul(right)


def _approximate_basis(A: Tensor, q: int, niter: int, M) -> Tensor:
    """An orthonormal (m, q) basis whose span approximates the range of ``A - M``: the range of
    (A - M) R for a Gaussian R, sharpened by ``niter`` subspace iterations."""
    R = randn(A.shape[-1], q, dtype=A.dtype)  # (complex normal for a complex A, as PyTorch's)
    Q = _linalg.qr(_minus(A.matmul(R), M, R, False)).Q
    for _ in range(niter):
        Q = _linalg.qr(_minus(_adjoint(A).matmul(Q), M, Q, True)).Q
        Q = _linalg.qr(_minus(A.matmul(Q), M, Q, False)).Q
    return Q


def svd_lowrank(A: Tensor, q=6, niter=2, M=None):
    """``torch.svd_lowrank``: ``(U, S, V)`` with ``A - M ~ U diag(S) V^H``, of rank ``q``
    (default 6), ``niter`` (default 2) subspace iterations."""
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n  # (work on the adjoint: the basis is then of the smaller side)
    if wide:
        A = _adjoint(A)
        M = None if M is None else _adjoint(M)
    Q = _approximate_basis(A, q, niter, M)
    B = _minus(_adjoint(Q).matmul(A), _adjoint(Q) if M is not None else None, M, False)
    U, S, Vh = _linalg.svd(B, full_matrices=False)
    U, V = Q.matmul(U), _adjoint(Vh)
    return (V, S, U) if wide else (U, S, V)


def pca_lowrank(A: Tensor, q=None, center: bool = True, niter: int = 2):
    """``torch.pca_lowrank``: ``svd_lowrank`` of ``A`` with its column means taken away
    (``center``), ``q`` defaulting to min(6, m, n)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank(): argument 'A' must be Tensor, not {type(A).__name__}")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(-2, keepdim=True), q, niter=niter)


__all__ = ["pca_lowrank", "svd_lowrank"]
