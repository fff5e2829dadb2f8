"""``retrograd.linalg``: the norms of ``torch.linalg`` (vector norms, and the Frobenius norm of
matrices), each a ``LinalgVectorNormBackward0`` node as in PyTorch."""

from .ops.reduction import _vector_norm
from .ops.special import cholesky, solve_triangular
from .tensor import Tensor


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``ord``-norm over ``dim`` (every element by default)."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.matrix_norm``: the Frobenius norm over the two ``dim`` (other orders are not
    supported)."""
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported; use 'fro'")
    return _vector_norm(A, 2, tuple(dim), keepdim, dtype)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: a vector norm, or for a matrix ``ord`` (with two ``dim``) a matrix
    norm; with neither, the 2-norm of all elements."""
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is not None and dim is None and A.ndim == 2:
        raise NotImplementedError(f"linalg.norm: the matrix norm ord={ord!r} is not supported")
    return _vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)


__all__ = ["norm", "vector_norm", "matrix_norm", "cholesky", "solve_triangular"]
