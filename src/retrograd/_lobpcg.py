"""``torch.lobpcg``: the k largest (or smallest) eigenpairs of a symmetric positive definite
generalized problem A x = lambda B x by the locally optimal block preconditioned conjugate
gradient method (Knyazev, 2001), on arrays: each step a Rayleigh-Ritz projection onto the span
of the current block, its preconditioned residuals and the previous search directions."""

from ._array import xp
from .creation import randn
from .tensor import Tensor, _make


def _orthonormal_basis(S, B):
    """A basis of span(S) orthonormal in the B inner product, directions that are (numerically)
    dependent left out."""
    gram = S.T @ (B @ S)
    gram = (gram + gram.T) / 2
    d, v = xp.linalg.eigh(gram)
    keep = d > d.max() * xp.finfo(S.dtype).eps * S.shape[0] * 10
    return S @ (v[:, keep] / xp.sqrt(d[keep]))


def _ritz(S, A, n, largest):
    """The Ritz values and vectors of A on span(S) (S B-orthonormal), the best ``n`` first."""
    small = S.T @ (A @ S)
    values, vectors = xp.linalg.eigh((small + small.T) / 2)
    order = xp.argsort(-values if largest else values, kind="stable")
    return values[order], vectors[:, order]


def lobpcg(
    A: Tensor,
    k=None,
    B=None,
    X=None,
    n=None,
    iK=None,
    niter=None,
    tol=None,
    largest=None,
    method=None,
    tracker=None,
    ortho_iparams=None,
    ortho_fparams=None,
    ortho_bparams=None,
):
    """``torch.lobpcg``: ``(E, X)``, the ``k`` largest (``largest``, the default) or smallest
    eigenvalues of A x = lambda B x (B the identity by default) and their B-orthonormal
    eigenvectors; ``n`` vectors (``X``'s columns, or random ones from the default generator)
    are iterated until the first ``k`` residuals fall below ``tol`` (the dtype's eps ** 0.5) or
    ``niter`` steps (default 1000; -1: no limit) have run; ``iK`` preconditions the residuals.
    ``method`` ('ortho' or 'basic') and the ``ortho_*params`` tune how PyTorch keeps its blocks
    orthogonal; the eigenpairs are the same, and this solver keeps them orthonormal its own way."""
    del method, ortho_iparams, ortho_fparams, ortho_bparams  # (see the docstring)
    if tracker is not None:
        raise NotImplementedError("lobpcg: tracker is not supported by retrograd")
    if A.ndim != 2:
        raise NotImplementedError("lobpcg: batches of matrices are not built in retrograd")
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be square matrix, got {list(A.shape)}")
    tensors = [t for t in (A, B, X, iK) if isinstance(t, Tensor)]
    if any(t.requires_grad for t in tensors):
        raise NotImplementedError(
            "lobpcg: gradients through lobpcg are not built in retrograd (use linalg.eigh for a "
            "differentiable decomposition)"
        )
    m = A.shape[0]
    dtype = A.dtype
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(
            f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller "
            f"than 3 x the number of requested eigenpairs (={n})"
        )
    largest = True if largest is None else largest
    niter = 1000 if niter is None else niter
    a = A._data
    b = xp.eye(m, dtype=a.dtype) if B is None else B._data.astype(a.dtype, copy=False)
    tol = float(xp.finfo(a.dtype).eps) ** 0.5 if tol is None else tol
    x = (randn(m, n, dtype=dtype) if X is None else X)._data.astype(a.dtype, copy=True)
    a_norm = xp.linalg.norm(a, 2)
    b_norm = xp.linalg.norm(b, 2)
    x = _orthonormal_basis(x, b)
    values, vectors = _ritz(x, a, n, largest)
    x = (x @ vectors)[:, :n]
    values = values[:n]
    p = None
    step = 0
    while niter < 0 or step < niter:
        residual = a @ x - (b @ x) * values
        size = xp.linalg.norm(residual, axis=0)
        scale = xp.linalg.norm(x, axis=0) * (a_norm + xp.abs(values) * b_norm)
        if (size[:k] < tol * scale[:k]).all():
            break
        w = residual if iK is None else iK._data @ residual
        S = _orthonormal_basis(xp.hstack([x, w] if p is None else [x, w, p]), b)
        values, vectors = _ritz(S, a, n, largest)
        new_x = S @ vectors[:, :n]
        # the search directions: the part of the new block outside the old one
        p = new_x - x @ (x.T @ (b @ new_x))
        x = new_x
        values = values[:n]
        step += 1
    return _make(xp.ascontiguousarray(values[:k]).astype(a.dtype)), _make(
        xp.ascontiguousarray(x[:, :k]).astype(a.dtype)
    )


__all__ = ["lobpcg"]
