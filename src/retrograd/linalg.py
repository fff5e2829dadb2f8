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
from .ops.householder import householder_product
from .ops.linalg import diagonal as _diagonal
from .ops.linalg import matmul
from .ops.lu import (
    _getrf,
    _named,
    ldl_factor,
    ldl_factor_ex,
    ldl_solve,
    lu_factor,
    lu_factor_ex,
)
from .ops.lu import linalg_lu as lu
from .ops.lu import linalg_lu_solve as lu_solve
from .ops.reduction import _vector_norm
from .ops.special import cholesky, solve_triangular
from .tensor import Tensor, _wrap_dim


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``ord``-norm over ``dim`` (every element by default)."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


def _check_matrix_norm(A, ord, dim):
    """PyTorch's errors, in its order, for a matrix norm's tensor, string order and dims."""
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if isinstance(ord, str) and ord not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    if _wrap_dim(dim[0], A.ndim) == _wrap_dim(dim[1], A.ndim):
        raise RuntimeError(
            f"linalg.matrix_norm: dims must be different. Got ({_wrap_dim(dim[0], A.ndim)}, "
            f"{_wrap_dim(dim[1], A.ndim)})"
        )


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.matrix_norm``: the norm of order ``ord`` ("fro", "nuc", ±1, ±2, ±inf) of
    the matrices in the two dimensions ``dim``."""
    _check_matrix_norm(A, ord, dim)
    if ord == "fro":
        return _vector_norm(A, 2, tuple(dim), keepdim, dtype)
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = dim
    if ord == "nuc" or ord in (2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:  # (as PyTorch: two size-1 dims last, moved to where the matrices were)
            out = out.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (d0, d1))
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
    """``torch.linalg.vecdot``: the dot product of vectors along ``dim`` (a product and a sum),
    the first conjugated where complex."""
    return ((x.conj() if x.is_complex() else x) * y).sum(dim)


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
    # a tolerance may be a tensor, one per matrix of the batch (broadcast against it)
    atol, rtol = (t._data[..., None] if isinstance(t, Tensor) else t for t in (atol, rtol))
    if rtol is None:  # eps * max(m, n), or 0 where atol is positive
        default = float(xp.finfo(s.dtype).eps) * max(A.shape[-2], A.shape[-1])
        rtol = default if atol is None else xp.where(xp.asarray(atol) > 0, 0.0, default)
    largest = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    cutoff = xp.maximum(0.0 if atol is None else atol, rtol * largest)
    from .tensor import _make

    return _make((s > cutoff).sum(-1).astype(xp.int64))


@_autocast.float32
def cond(A: Tensor, p=None) -> Tensor:
    """``torch.linalg.cond``: the condition number in the ``p`` norm (2 by default: the ratio
    of the largest to the smallest singular value)."""
    if p is not None and (isinstance(p, bool) or p not in _COND_ORDERS):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is None or p in (2, -2):
        if A.numel() == 0:
            return A.new_zeros(A.shape[:-2], dtype=A.dtype.to_real())
        s = svdvals(A)
        if p == -2:
            return (s[..., -1:] / s[..., :1]).squeeze(-1)
        return (s[..., :1] / s[..., -1:]).squeeze(-1)
    m, n = A.shape[-2:]
    if m != n:
        raise RuntimeError(
            f"linalg.cond(ord={p}): A must be batches of square matrices, but they are {m} by "
            f"{n} matrices"
        )
    if A.numel() == 0:
        return A.new_zeros(A.shape[:-2], dtype=A.dtype.to_real())
    inverse, info = inv_ex(A)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    if bool((info > 0).any()):  # a singular matrix: infinitely ill-conditioned
        result = result.masked_fill(info > 0, float("inf"))
    return result


_COND_ORDERS = (2, -2, 1, -1, float("inf"), float("-inf"), "fro", "nuc")


def _zero_info(A):
    from ._array import xp
    from .tensor import _make

    return _make(xp.zeros(A.shape[:-2], xp.int32))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """``torch.linalg.cholesky_ex``: the Cholesky factor and info (k > 0: the leading minor of
    order k is not positive-definite, and the factor holds LAPACK's partial result)."""
    from .ops.factorizations import _with_out

    try:
        result = _CHOLESKY_EX(cholesky(A, upper=upper), _zero_info(A))
    except RuntimeError as e:
        if "not positive-definite" not in str(e):
            raise
        if check_errors:
            raise _LinAlgError(str(e).replace("linalg.cholesky:", "linalg.cholesky_ex:")) from None
        result = _CHOLESKY_EX(*_partial_cholesky(A, upper))
    return _with_out(result, out, "linalg_cholesky_ex")


def _partial_cholesky(A, upper):
    """LAPACK's potrf on each matrix: the factor (partial where it stopped) and info."""
    from scipy.linalg import lapack

    from ._array import xp
    from .tensor import _make

    a = A._data
    potrf = lapack.get_lapack_funcs("potrf", (a,))
    flat = a.reshape((-1,) + a.shape[-2:])
    factors = xp.empty_like(flat)
    info = xp.empty(flat.shape[0], xp.int32)
    for i in range(flat.shape[0]):
        factors[i], info[i] = potrf(flat[i], lower=not upper, clean=1)
    return _make(factors.reshape(a.shape)), _make(info.reshape(a.shape[:-2]))


def _info_of_lu(A):
    from .tensor import _make

    return _make(_getrf(A._data)[2])


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """``torch.linalg.inv_ex``: the inverse and info (k > 0: U[k-1, k-1] of the LU factors is
    zero, and the inverse is not finite)."""
    from .ops.factorizations import _with_out

    try:
        result = _INV_EX(inv(A), _zero_info(A))
    except _LinAlgError as e:
        if check_errors:
            raise _LinAlgError(str(e).replace("linalg.inv:", "linalg.inv_ex:")) from None
        eye = A.new_zeros(A.shape[-1:]).diag().fill_diagonal_(1).expand(A.shape)
        result = _INV_EX(lu_solve(*lu_factor_ex(A.detach())[:2], eye), _info_of_lu(A))
    return _with_out(result, out, "linalg_inv_ex")


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """``torch.linalg.solve_ex``: the solution and info (k > 0: U[k-1, k-1] of A's LU factors is
    zero, and the solution is not finite)."""
    from .ops.factorizations import _with_out

    try:
        result = _SOLVE_EX(solve(A, B, left=left), _zero_info(A))
    except _LinAlgError as e:
        if check_errors:
            raise _LinAlgError(str(e).replace("linalg.solve:", "linalg.solve_ex:")) from None
        LU, pivots, _ = lu_factor_ex(A.detach())
        vector = left and (B.ndim == 1 or B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
        rhs = B.detach().unsqueeze(-1) if vector else B.detach()
        x = lu_solve(LU, pivots, rhs, left=left)
        result = _SOLVE_EX(x.squeeze(-1) if vector else x, _info_of_lu(A))
    return _with_out(result, out, "linalg_solve_ex")


def vander(x: Tensor, *, N=None) -> Tensor:
    """``torch.linalg.vander``: the powers x^0 ... x^(N-1) of each element along a new last
    dimension (N: the size of the last dimension by default)."""
    from .ops.shape import cat

    if N is None:
        N = x.shape[-1] if x.ndim else 1
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    if not x.ndim:  # (a 0-dim x counts as one element: one row, as PyTorch gives it)
        x = x.unsqueeze(0)
    powers = x.unsqueeze(-1).expand(*x.shape, N - 1).cumprod(-1)
    return cat([x.new_ones(tuple(x.shape) + (1,)), powers], -1)


def _product(shape):
    out = 1
    for s in shape:
        out *= s
    return out


def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:
    """``torch.linalg.tensorinv``: the inverse of A seen as a matrix with the first ``ind``
    dimensions as rows, shaped A.shape[ind:] + A.shape[:ind]."""
    from .ops.factorizations import _with_out

    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = _product(A.shape[:ind]), _product(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    result = inv(A.reshape(rows, cols)).reshape(tuple(A.shape[ind:]) + tuple(A.shape[:ind]))
    return _with_out(result, out, "linalg_tensorinv")


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:
    """``torch.linalg.tensorsolve``: X with tensordot(A, X, X.ndim) = B (``dims`` of A moved to
    the end first)."""
    from .ops.factorizations import _with_out

    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    shape = tuple(A.shape[B.ndim :])
    size, rhs = _product(shape), _product(B.shape)
    if size != rhs:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {size} != {rhs}"
        )
    result = solve(A.reshape(rhs, size), B.reshape(rhs)).reshape(shape)
    return _with_out(result, out, "linalg_tensorsolve")


_CHOLESKY_EX = _named("linalg_cholesky_ex", ("L", "info"))
_INV_EX = _named("linalg_inv_ex", ("inverse", "info"))
_SOLVE_EX = _named("linalg_solve_ex", ("result", "info"))


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
    "matmul",
    "cholesky_ex",
    "inv_ex",
    "solve_ex",
    "lu_factor",
    "lu_factor_ex",
    "lu",
    "lu_solve",
    "householder_product",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "vander",
    "tensorinv",
    "tensorsolve",
]


def _take_out():
    """PyTorch's ``out=`` on the functions here that are written by hand (the op-table ops take it
    themselves)."""
    from ._out import with_out

    g = globals()
    names = "cond eigh lstsq matrix_norm matrix_power matrix_rank multi_dot norm qr slogdet svd"
    for name in (*names.split(), "matmul", "vecdot", "vector_norm"):
        g[name] = with_out(g[name], f"linalg_{name}")


_take_out()
