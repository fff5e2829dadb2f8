"""``nn.utils.parametrizations``: ready-made parametrizations (``weight_norm``, ``spectral_norm``,
``orthogonal``) registered through ``nn.utils.parametrize``."""

from ... import linalg
from ...autograd.grad_mode import no_grad
from ...creation import eye, randn, zeros_like
from ...dtypes import finfo
from ...ops.shape import cat
from ...ops.triangular import geqrf
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from . import parametrize
from .weight_norm import _norm_except_dim, weight_norm_product

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """``weight = g * v / ||v||`` from ``original0`` (g) and ``original1`` (v)."""

    def __init__(self, dim=0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_product(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim=0) -> Module:
    """``nn.utils.parametrizations.weight_norm``: ``module.<name>`` becomes ``g * v / ||v||`` with
    ``parametrizations.<name>.original0`` (g) and ``original1`` (v) as its parameters."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _named_tensor(module: Module, name: str) -> Tensor:
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    return weight


def _conj_t(x: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (``x.mH``)."""
    x = x.mT
    return x.conj() if x.is_complex() else x


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` the largest singular value of ``weight`` seen as a matrix with
    rows along ``dim``, estimated by power iteration on the buffers ``_u`` and ``_v`` (which take
    ``n_power_iterations`` steps per call in training mode, none in eval mode).  A 1-d weight is
    simply normalised."""

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._reshape_weight_to_matrix(weight)
            h, w = matrix.shape
            u = matrix.new_empty(h).normal_(0, 1)
            v = matrix.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            # start from a good estimate, as PyTorch does
            self._power_method(matrix, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, matrix: Tensor, n_power_iterations: int) -> None:
        with no_grad():
            matrix = matrix.detach()
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(matrix.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(_conj_t(matrix).mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        # the buffers move on in place at the next call: the graph keeps copies
        u, v = self._u.clone(), self._v.clone()
        if u.is_complex():
            u = u.conj()
        sigma = u.dot(matrix.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim=None,
) -> Module:
    """``nn.utils.parametrizations.spectral_norm``: ``module.<name>`` becomes itself divided by its
    spectral norm; the estimates of the singular vectors are the buffers
    ``parametrizations.<name>.0._u`` and ``._v``.  ``dim`` is 1 for transposed convolutions and 0
    otherwise by default."""
    weight = _named_tensor(module, name)
    if dim is None:
        from ..conv import _ConvTransposeNd

        dim = 1 if isinstance(module, _ConvTransposeNd) else 0
    parametrization = _SpectralNorm(weight, n_power_iterations, dim, eps)
    parametrize.register_parametrization(module, name, parametrization)
    return module


_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.shape[-2], q.shape[-1]
    atol = 10.0 * n * finfo(q.dtype).eps
    return bool((_conj_t(q) @ q).allclose(eye(k, dtype=q.dtype), atol=atol))


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a``'s QR decomposition with R's diagonal made positive (unique for full rank)."""
    q, r = linalg.qr(a)
    return q * r.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """An orthogonal (unitary) matrix with ``weight``'s shape from an unconstrained one: the
    matrix exponential or Cayley map of a skew-symmetric matrix, or a product of Householder
    reflections; with ``use_trivialization`` the result multiplies the buffer ``base``, which
    assignment sets."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *, use_trivialization=True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            a = x.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (a * a).sum(dim=-2))
            q = linalg.householder_product(a, tau)
            # the diagonal of ``x`` (truncated to an integer) sets each column's sign
            q = q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            x = x.tril()
            if n != k:
                pad = x.new_zeros(n, n - k).expand(*x.shape[:-2], -1, -1)
                x = _cat_last(x, pad)
            a = x - _conj_t(x)
            if self.orthogonal_map == "matrix_exp":
                q = linalg.matrix_exp(a)
            else:
                identity = eye(n, dtype=a.dtype)
                q = linalg.solve(identity - 0.5 * a, identity + 0.5 * a)
            if n != k:
                q = q[..., :k]
        base = self._buffers.get("base")
        if base is not None:
            q = base @ q
        if transposed:
            q = q.mT
        return q

    def right_inverse(self, q: Tensor) -> Tensor:
        if q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {q.shape}."
            )
        with no_grad():
            q_init = q
            n, k = q.shape[-2], q.shape[-1]
            transposed = n < k
            if transposed:
                q = q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map != "householder":
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False."
                    )
                return self._householder_inverse(q, transposed)
            if n == k:
                q = q.clone() if _is_orthogonal(q) else _make_orthogonal(q)
            else:
                # complete the k columns to a full orthogonal n x n matrix
                extra = randn(*q.shape[:-2], n, n - k, dtype=q.dtype)
                q = _make_orthogonal(_cat_last(q, extra))
            self.base = q
            # -Id: the householder map takes its column signs from the diagonal
            neg_id = zeros_like(q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id

    @staticmethod
    def _householder_inverse(q: Tensor, transposed: bool) -> Tensor:
        a, tau = geqrf(q)
        diag = a.diagonal(dim1=-2, dim2=-1)
        # the sign of R's diagonal, flipped where the reflection is the identity
        signs = diag.sign()
        signs = signs.where(tau != 0.0, -signs)
        diag.copy_(signs)
        return a.mT if transposed else a


def _cat_last(a: Tensor, b: Tensor) -> Tensor:
    return cat([a, b], dim=-1)


def orthogonal(
    module: Module, name: str = "weight", orthogonal_map=None, *, use_trivialization: bool = True
) -> Module:
    """``nn.utils.parametrizations.orthogonal``: ``module.<name>`` (a matrix or a batch of them)
    becomes orthogonal (unitary, for complex tensors), through ``orthogonal_map``: ``"matrix_exp"`` (the
    default for square or complex matrices), ``"cayley"`` or ``"householder"`` (the default
    otherwise)."""
    weight = _named_tensor(module, name)
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    parametrization = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, parametrization, unsafe=True)
    return module
