"""Products, distances, norms and statistics of whole tensors that PyTorch keeps in its top-level
namespace: ``inner``, ``vdot``, ``dist``, ``renorm``, ``cov``, ``corrcoef``, ``chain_matmul``,
``frobenius_norm``, ``nuclear_norm``, and the legacy linear-algebra names (``torch.cholesky``
still works; ``solve``, ``lstsq``, ``symeig``, ``eig`` and ``matrix_rank`` raise PyTorch's error
that points at ``torch.linalg``)."""

import types
import warnings

from .. import dtypes
from .._array import c_order, xp
from .._switches import grad_mode as _grad_state
from ..tensor import Tensor, _make, _wrap_dim
from . import composite as _composite
from . import reduction as _reduction
from . import shape as _shape
from .factorizations import _LinAlgError, svdvals
from .inplace import _twin
from .linalg import mm
from .pointwise import cj, where
from .registry import no_derivative, op, tensor_method
from .special import _check_square, _cholesky, _cholesky_grad

# --- products ----------------------------------------------------------------------------------


@tensor_method
def inner(input, other, *, out=None):
    """``torch.inner``: sums of products over the last dimension of both (a product with a 0-d
    input; ``dot`` for two vectors)."""
    if input.ndim == 0 or other.ndim == 0:
        result = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(
                "inner() the last dimension must match on both input tensors but got shapes "
                f"[{', '.join(map(str, input.shape))}] and [{', '.join(map(str, other.shape))}]"
            )
        result = _composite.tensordot(input, other, ([-1], [-1]))
    if out is not None:
        from .._out import write_out

        return write_out("inner", result, out, (input, other))
    return result


def _scalar_name(a):
    return dtypes.scalar_type_name(dtypes.FROM_NP[a.dtype])


def _check_vdot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_scalar_name(a)} and {_scalar_name(b)}"
        )
    if a.size != b.size:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.size}] and src [{b.size}] to have the "
            f"same number of elements, but got {a.size} and {b.size} elements respectively"
        )


@op(
    inputs="self other",
    saves=("other", "self"),
    check=_check_vdot,
    grads=(lambda g, n: g.conj() * n.other, lambda g, n: g * n.self),
)
def vdot(self, other):
    """``torch.vdot``: the dot product of two vectors, the first conjugated."""
    return xp.asarray(xp.vdot(self, other))


# --- distances and norms -----------------------------------------------------------------------


def _pnorm_grad(x, p, norm, g, dim=None, keepdim=False):
    """The gradient of ``vector_norm(x, p, dim, keepdim)`` (``norm``) for output gradient ``g``."""
    node = types.SimpleNamespace(self=x, ord=p, dtype=None, dim=dim, keepdim=keepdim, result=norm)
    return _reduction._norm_grad(g, node)


def _dist_grad(sign):
    def formula(g, n):
        grad = _pnorm_grad(n.self - n.other, n.p, n.result, g)
        if grad is None:
            return None
        return grad if sign > 0 else -grad

    return formula


@op(
    inputs="self other",
    saves="self other result",
    broadcast=True,
    promote="binary",
    grads=(_dist_grad(1), _dist_grad(-1)),
)
def dist(self, other, p=2):
    """``torch.dist``: the ``p``-norm of ``self - other`` (broadcast)."""
    if self.dtype.kind not in "fcV":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_scalar_name(self)} instead."
        )
    return c_order(_reduction._norm_forward(self - other, p, None, False, None))


def _renorm_dims(ndim, dim):
    d = _wrap_dim(dim, ndim)
    return tuple(i for i in range(ndim) if i != d)


def _check_renorm(a, p, dim, maxnorm):
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_number(maxnorm)}")
    if a.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {a.ndim} dimensions")
    _wrap_dim(dim, a.ndim)


def _number(v):
    return str(int(v)) if float(v).is_integer() else str(v)


_RENORM_EPS = 1e-7


def _renorm_grad(g, n):
    x, maxnorm = n.self, n.maxnorm
    dims = _renorm_dims(x.ndim, n.dim)
    norm = x.norm(n.p, dims, keepdim=True)
    over = norm > maxnorm
    scale = where(over, maxnorm / (norm + _RENORM_EPS), 1.0)
    # d scale / d norm, where the slice is scaled down; the norm's own gradient through it
    dscale = where(over, -maxnorm / (norm + _RENORM_EPS) ** 2, 0.0)
    gx = g * cj(x)  # (the norm is real: of a complex slice, the real part of its gradient)
    g_norm = (gx.real if gx.is_complex() else gx).sum(dims, keepdim=True) * dscale
    return g * scale + _pnorm_grad(x, n.p, norm, g_norm, dims, True)


@op(saves="self", check=_check_renorm, grads=(_renorm_grad,))
def renorm(self, p, dim, maxnorm):
    """``torch.renorm``: each slice along ``dim`` scaled down to ``p``-norm ``maxnorm`` where its
    norm exceeds it."""
    dims = _renorm_dims(self.ndim, dim)
    norm = _reduction._norm_forward(self, p, dims, True, None)
    with xp.errstate(divide="ignore", invalid="ignore"):
        scale = xp.where(norm > maxnorm, maxnorm / (norm + _RENORM_EPS), 1.0).astype(self.dtype)
    return c_order(self * scale)


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """``torch.frobenius_norm``: the 2-norm over ``dim`` (``norm(input, 2, dim)``'s node)."""
    warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead",
        UserWarning,
        2,
    )
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    result = _reduction._p_norm(input, 2, dim, keepdim, None)
    if out is not None:
        from .._out import write_out

        return write_out("frobenius_norm", result, out, (input,))
    return result


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """``torch.nuclear_norm``: the sum of the singular values of the matrices over ``dim`` (the
    last two dimensions of a matrix by default)."""
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead",
        UserWarning,
        2,
    )
    dim = (-2, -1) if dim is None else tuple(dim)
    if input.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    d0, d1 = (_wrap_dim(d, input.ndim) for d in dim)
    rest = [d for d in range(input.ndim) if d not in (d0, d1)]
    moved = (
        input if (d0, d1) == (input.ndim - 2, input.ndim - 1) else input.permute(rest + [d0, d1])
    )
    result = svdvals(moved).sum(-1)
    if keepdim:
        result = result.unsqueeze(-1).unsqueeze(-1)
        order = rest + [d0, d1]
        result = result.permute([order.index(i) for i in range(input.ndim)])
    if out is not None:
        from .._out import write_out

        return write_out("nuclear_norm", result, out, (input,))
    return result


def chain_matmul(*matrices, out=None):
    """``torch.chain_matmul``: the product of the matrices (deprecated in PyTorch for
    ``torch.linalg.multi_dot``)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        2,
    )
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        result = _shape.clone(matrices[0])
    else:
        from ..linalg import multi_dot  # (a layer above: built from these ops)

        result = multi_dot(matrices)
    if out is not None:
        from .._out import write_out

        return write_out("chain_matmul", result, out, matrices)
    return result


# --- covariance and correlation ----------------------------------------------------------------


def _check_weights(name, w, n, integral):
    if w.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
            f"{w.ndim} dimensions"
        )
    if w.numel() != n:
        raise RuntimeError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {w.numel()} != {n}"
        )
    if integral and w.dtype.category != 1:
        raise RuntimeError(
            f"cov(): expected {name} to have integral dtype but got {name} with "
            f"{dtypes.scalar_type_name(w.dtype)} dtype"
        )
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(
            f"cov(): expected {name} to have floating point dtype but got {name} with "
            f"{dtypes.scalar_type_name(w.dtype)} dtype"
        )
    if bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


@tensor_method
def cov(input, *, correction=1, fweights=None, aweights=None):
    """``torch.cov``: the covariance matrix of the variables in the rows of ``input`` (its
    columns the observations), weighted by ``fweights`` (counts) and ``aweights``."""
    if input.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    if input.dtype is dtypes.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if not isinstance(correction, int) or isinstance(correction, bool):
        raise TypeError(
            f"cov(): argument 'correction' must be int, not {type(correction).__name__}"
        )
    x = input.view(1, -1) if input.ndim < 2 else input
    if x.dtype.category == 1:
        x = x.to(dtypes.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, False)
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        w_sum = n
        norm = n - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    # (a tensor where there are weights: the weights' gradient goes through it too)
    if (norm if w is None else norm.item()) <= 0:
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations.",
            UserWarning,
            2,
        )
        norm = 0 if w is None else norm * 0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = mm(xm, xw.t().conj()) / norm
    return c.squeeze()


@tensor_method
def corrcoef(input):
    """``torch.corrcoef``: the Pearson correlation coefficients of the rows of ``input``."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    std = (d.real if d.is_complex() else d).sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    if c.is_complex():
        from .complex_numbers import complex as _complex

        return _complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


# --- histograms --------------------------------------------------------------------------------


def _no_derivative_of(name, backward_name, forward_name):
    formula, jvp = no_derivative(backward_name, forward_name)

    def forward(self, results):
        return results

    forward.__name__ = "_" + name + "_recorded"
    recorded = op(
        outputs=None,
        grads=(formula,),
        jvp=jvp,
        node="torch::autograd::NotImplemented",
        method=False,
    )(forward)
    recorded.opdef.Node._frees_index = False
    return recorded


_histogram_recorded = _no_derivative_of("histogram", "histogram", "histogram")
# (PyTorch's histogramdd is made of two ATen ops: the edges, then the counts)
_histogramdd_recorded = _no_derivative_of(
    "histogramdd", "_histogramdd_from_bin_cts", "_histogramdd_bin_edges"
)
histogram_type = _reduction._return_type("histogram", ("hist", "bin_edges"))
histogramdd_type = _reduction._return_type("histogramdd", ("hist", "bin_edges"))


def _histogram_arrays(input, bins, range, weight, density, name):
    """The histogram of the rows of ``input`` (points of its last dimension) and each dimension's
    bin edges, as arrays: PyTorch's checks, edges spaced in the input's dtype."""
    a = input._data
    if a.dtype.kind not in "fV":
        raise NotImplementedError(
            f"\"histogramdd\" not implemented for '{dtypes.scalar_type_name(input.dtype)}'"
        )
    if a.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = a.shape[-1]
    points = a.reshape(-1, dims)
    if weight is not None and tuple(weight.shape) != a.shape[:-1]:
        raise RuntimeError(
            "torch.histogramdd: if weight tensor is provided it should have the same shape as the "
            "input tensor excluding its innermost dimension, but got input with shape "
            f"[{', '.join(map(str, a.shape))}] and weight with shape "
            f"[{', '.join(map(str, weight.shape))}]"
        )
    if isinstance(bins, int):
        bins = [bins] * dims
    edges = []
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            edges.append(b._data.astype(a.dtype))
            continue
        if b <= 0:
            raise RuntimeError(f"{name}(): bins must be > 0, but got {b} for dimension {d}")
        column = points[:, d]
        if range is not None:
            low, high = float(range[2 * d]), float(range[2 * d + 1])
        elif column.size:
            low, high = float(column.min()), float(column.max())
        else:
            low, high = 0.0, 1.0
        if low > high:
            raise RuntimeError(
                "torch.histogramdd: min should not exceed max, but got min "
                f"{_number(low)} max {_number(high)} for dimension {d}"
            )
        if low == high:
            low, high = low - 0.5, high + 0.5
        edges.append(xp.linspace(low, high, b + 1, dtype=a.dtype))
    w = None if weight is None else weight._data.reshape(-1)
    if any((e[1:] < e[:-1]).any() for e in edges):  # (NumPy refuses edges out of order)
        return _searched_histogramdd(points, edges, w, density).astype(a.dtype), edges
    hist, _ = xp.histogramdd(points, bins=edges, weights=w, density=density)
    return hist.astype(a.dtype), edges


def _upper_bound(x, e):
    """For each of ``x``, the first position in ``e`` whose edge is above it, found by the
    binary search of C++'s upper_bound over ``e`` as it is (sorted or not), as PyTorch's
    kernel searches given edges; vectorised over ``x``, one step per halving."""
    first = xp.zeros(x.shape, xp.int64)
    count = xp.full(x.shape, len(e), xp.int64)
    while count.any():
        step = count // 2
        at = first + step
        right = (count > 0) & ~(x < e[xp.minimum(at, len(e) - 1)])
        first = xp.where(right, at + 1, first)
        count = xp.where(right, count - step - 1, step)
    return first


def _searched_histogramdd(points, edges, weights, density):
    """The histogram of ``points`` over bin edges some of which are out of order, as PyTorch
    counts it: each point in the bin a binary search of the edges as given finds (the last edge
    in the last bin), a point outside [first edge, last edge] of a dimension left out."""
    kept = xp.ones(points.shape[0], bool)
    flat = xp.zeros(points.shape[0], xp.int64)
    for d, e in enumerate(edges):
        x = points[:, d]
        kept &= (x >= e[0]) & (x <= e[-1])
        at = _upper_bound(x, e) - 1
        flat = flat * (len(e) - 1) + xp.where(at == len(e) - 1, at - 1, at)
    shape = tuple(len(e) - 1 for e in edges)
    size = int(xp.prod(shape))
    chosen = None if weights is None else weights[kept]
    hist = xp.bincount(flat[kept], chosen, minlength=size).reshape(shape).astype(points.dtype)
    if density:
        with xp.errstate(invalid="ignore", divide="ignore"):
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                view = [1] * len(edges)
                view[d] = -1
                hist = hist / xp.diff(e).reshape(view)
    return hist


@tensor_method
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``torch.histogram``: counts (or weights, or a density) of the elements in ``bins`` equal
    bins over ``range`` (the elements' own by default), or between the given bin edges."""
    w = None if weight is None else weight.reshape(-1, 1)[..., 0]
    hist, edges = _histogram_arrays(
        input.reshape(-1, 1), [bins], range, w, density, "torch.histogram"
    )
    results = (_make(hist), _make(edges[0]))
    if _grad_state.enabled and input.requires_grad:
        results = _histogram_recorded(input, (hist, edges[0]))
    if out is not None:
        from .._out import write_out

        results = [write_out("histogram", r, o, (input,)) for r, o in zip(results, out)]
    return histogram_type(*results)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """``torch.histogramdd``: the histogram of the points in the rows of ``input`` (its last
    dimension the coordinates), with bins per dimension (a count each, or edges)."""
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    bins_list = [bins] * input.shape[-1] if isinstance(bins, int) else list(bins)
    hist, edges = _histogram_arrays(input, bins_list, range, weight, density, "torch.histogramdd")
    results = (_make(hist), *(_make(e) for e in edges))
    if _grad_state.enabled and input.requires_grad:
        results = _histogramdd_recorded(input, (hist, *edges))
    return histogramdd_type(results[0], tuple(results[1:]))


# --- the legacy linear-algebra names -----------------------------------------------------------


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
    "all valid (symmetric positive definite) inputs."
)


def _check_legacy_cholesky(a, upper):
    try:
        _check_square(a, "cholesky")
    except RuntimeError as e:
        raise RuntimeError(str(e).removeprefix("linalg.")) from None


@op(
    saves="result",
    grads=(_cholesky_grad,),
    check=_check_legacy_cholesky,
    method=False,
    node="CholeskyBackward0",
)
def _legacy_cholesky(self, upper):
    try:
        return _cholesky.opdef.forward(self, upper)
    except RuntimeError as e:  # (not positive-definite: PyTorch's LinAlgError)
        raise _LinAlgError(str(e).removeprefix("linalg.")) from None


@tensor_method
def cholesky(input, upper=False, *, out=None):
    """``torch.cholesky``: the Cholesky factor (lower, or upper with ``upper``), PyTorch's older
    name for ``torch.linalg.cholesky``."""
    warnings.warn(_CHOLESKY_DEPRECATED, UserWarning, 2)
    result = _legacy_cholesky(input, bool(upper))
    if out is not None:
        from .._out import write_out

        return write_out("cholesky", result, out, (input,))
    return result


_REMOVED = "This function was deprecated since version 1.9 and is now removed. "
_MATRIX_RANK_REMOVED = (
    _REMOVED.rstrip() + "\nPlease use the `torch.linalg.matrix_rank` function instead. The "
    "parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."
)
_SOLVE_REMOVED = (
    _REMOVED + "`torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
    "has its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`."
    "\nX = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)"
)
_LSTSQ_REMOVED = (
    _REMOVED + "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq`"
    " has reversed arguments and does not return the QR decomposition in the returned tuple "
    "(although it returns other information about the problem).\n\nTo get the QR decomposition "
    "consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored the "
    "residuals of the solution in the last m - n columns of the returned value whenever m > n. "
    "In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named "
    "tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]"
    "\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution"
)
_SYMEIG_REMOVED = (
    _REMOVED + "The default behavior has changed from using the upper triangular portion of the "
    "matrix by default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, "
    "upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else "
    "'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
    "torch.linalg.eigh(A, UPLO='U' if upper else 'L')"
)
_EIG_REMOVED = (
    _REMOVED + "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
    "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:"
    "\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
    "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)"
)


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    """``torch.matrix_rank``: removed from PyTorch (``torch.linalg.matrix_rank``); raises its
    error."""
    raise RuntimeError(_MATRIX_RANK_REMOVED)


def solve(input, A, *, out=None):
    """``torch.solve``: removed from PyTorch (``torch.linalg.solve``); raises its error."""
    raise RuntimeError(_SOLVE_REMOVED)


def lstsq(input, A, *, out=None):
    """``torch.lstsq``: removed from PyTorch (``torch.linalg.lstsq``); raises its error."""
    raise RuntimeError(_LSTSQ_REMOVED)


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """``torch.symeig``: removed from PyTorch (``torch.linalg.eigh``); raises its error."""
    raise RuntimeError(_SYMEIG_REMOVED)


def eig(self, eigenvectors=False, *, e=None, v=None):
    """``torch.eig``: removed from PyTorch (``torch.linalg.eig``); raises its error."""
    raise RuntimeError(_EIG_REMOVED)


def _removed_method(name, message):
    def method(self, other):
        raise RuntimeError(message)

    def method_of_one(self, eigenvectors=False):
        raise RuntimeError(message)

    fn = method if name in ("solve", "lstsq") else method_of_one
    fn.__name__ = name
    fn.__qualname__ = "Tensor." + name
    fn.__doc__ = f"``Tensor.{name}``: removed from PyTorch; raises its error."
    tensor_method(fn)


for _name, _message in (
    ("solve", _SOLVE_REMOVED),
    ("lstsq", _LSTSQ_REMOVED),
    ("symeig", _SYMEIG_REMOVED),
    ("eig", _EIG_REMOVED),
):
    _removed_method(_name, _message)

_twin("renorm")


__all__ = [
    "inner",
    "vdot",
    "dist",
    "renorm",
    "frobenius_norm",
    "nuclear_norm",
    "chain_matmul",
    "cov",
    "corrcoef",
    "histogram",
    "histogramdd",
    "cholesky",
    "matrix_rank",
    "solve",
    "lstsq",
    "symeig",
    "eig",
]
