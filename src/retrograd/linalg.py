"""``retrograd.linalg``: the norms of ``torch.linalg`` (vector norms, and the Frobenius norm of
matrices), each a ``LinalgVectorNormBackward0`` node as in PyTorch."""

from .ops import autocast as _autocast
from .ops.eigen import eig, eigvals
from .ops.factorizations import (
    _LinAlgError,
    det,
    eigh,
    eigvalsh,
    inv,
    linalg_cross,
    linalg_qr,
    linalg_svd,
    lstsq,
    matrix_exp,
    matrix_power,
    pinv,
    slogdet,
    solve,
    svdvals,
)
from .ops.linalg import diagonal as _diagonal
from .ops.reduction import _vector_norm
from .ops.special import cholesky, solve_triangular
from .tensor import Tensor


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``ord``-norm over ``dim`` (every element by default)."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.matrix_norm``: the Frobenius norm over the two ``dim`` (other orders are not
    supported)."""
    if ord == "fro":
        return _vector_norm(A, 2, tuple(dim), keepdim, dtype)
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = dim
    if ord == "nuc" or ord in (2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted(x % A.ndim for x in (d0, d1)):
                out = out.unsqueeze(d)
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        summed, other = summed % A.ndim, other % A.ndim
        if not keepdim and other > summed:
            other -= 1
        sums = A.abs().sum(summed, keepdim=keepdim)
        return sums.amax(other, keepdim=keepdim) if ord > 0 else sums.amin(other, keepdim=keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: a vector norm, or for a matrix ``ord`` (with two ``dim``) a matrix
    norm; with neither, the 2-norm of all elements."""
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is not None and (
        dim is None and A.ndim == 2 or isinstance(dim, (tuple, list)) and len(dim) == 2
    ):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return _vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)


LinAlgError = _LinAlgError
svd = linalg_svd
qr = linalg_qr
cross = linalg_cross


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.linalg.diagonal``: ``torch.diagonal`` with the last two dimensions as default."""
    return _diagonal(A, offset, dim1, dim2)


@_autocast.lower_precision
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """``torch.linalg.vecdot``: the dot product of vectors along ``dim`` (a product and a sum)."""
    return (x * y).sum(dim)


def multi_dot(tensors) -> Tensor:
    """``torch.linalg.multi_dot``: the product of a chain of matrices (the first and last may be
    vectors), multiplied in the order that costs the fewest multiplications."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vector, last_vector = tensors[0].ndim == 1, tensors[-1].ndim == 1
    if first_vector:
        tensors[0] = tensors[0].unsqueeze(0)
    if last_vector:
        tensors[-1] = tensors[-1].unsqueeze(-1)
    for i, t in enumerate(tensors):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dims = [tensors[0].shape[0]] + [t.shape[1] for t in tensors]
    n = len(tensors)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def chain(i, j):
        if i == j:
            return tensors[i]
        k = split[i][j]
        return chain(i, k).mm(chain(k + 1, j))

    shape = tensors[0].shape[:1] + tensors[-1].shape[1:]
    shape = shape[1 if first_vector else 0 : 1 if last_vector else 2]
    return chain(0, n - 1).view(shape)


@_autocast.float32
def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """``torch.linalg.matrix_rank``: how many singular values exceed max(atol, rtol * largest)
    (rtol defaults to eps * max(m, n))."""
    from ._array import xp

    if hermitian:  # only the lower triangle is read, as for eigh
        A = A.tril() + A.tril(-1).mT
    s = svdvals(A.detach())._data
    eps = float(xp.finfo(s.dtype).eps)
    if rtol is None:
        rtol = eps * max(A.shape[-2], A.shape[-1]) if atol is None or atol == 0 else 0.0
    largest = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    cutoff = xp.maximum(0.0 if atol is None else atol, rtol * largest)
    from .tensor import _make

    return _make((s > cutoff).sum(-1).astype(xp.int64))


@_autocast.float32
def cond(A: Tensor, p=None) -> Tensor:
    """``torch.linalg.cond``: the condition number in the ``p`` norm (2 by default: the ratio
    of the largest to the smallest singular value)."""
    if p is None or p in (2, -2):
        s = svdvals(A)
        if p == -2:
            return (s[..., -1:] / s[..., :1]).squeeze(-1)
        return (s[..., :1] / s[..., -1:]).squeeze(-1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


__all__ = [
    "norm",
    "vector_norm",
    "matrix_norm",
    "cholesky",
    "solve_triangular",
    "LinAlgError",
    "inv",
    "det",
    "slogdet",
    "solve",
    "eig",
    "eigvals",
    "eigh",
    "eigvalsh",
    "svd",
    "svdvals",
    "qr",
    "pinv",
    "lstsq",
    "matrix_exp",
    "matrix_power",
    "cross",
    "diagonal",
    "vecdot",
    "multi_dot",
    "matrix_rank",
    "cond",
]


def _take_out():
    """PyTorch's ``out=`` on the functions here that are written by hand (the op-table ops take it
    themselves)."""
    from ._out import with_out

    g = globals()
    names = "cond eigh lstsq matrix_norm matrix_power matrix_rank multi_dot norm qr slogdet svd"
    for name in (*names.split(), "vecdot", "vector_norm"):
        g[name] = with_out(g[name], f"linalg_{name}")


_take_out()
