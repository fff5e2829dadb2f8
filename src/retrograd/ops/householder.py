"""The product of Householder reflectors, ``torch.linalg.householder_product`` (``torch.orgqr``):
the first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i being column i of the input
below its diagonal with a 1 on it (how ``geqrf`` leaves a QR factorization).

The reflectors are applied to the whole batch at once, one reflector after another; the
derivative formula runs the same sweep in retrograd's ops, so it has derivatives of its own.
"""

from .._array import xp
from ..tensor import _make
from .factorizations import _type_name
from .registry import op, shared_formulas, tensor_method
from .special import _mT


def _reflectors(A, k):
    """The vectors v_i as the columns of an m x k matrix (tensor)."""
    m = A.shape[-2]
    return A[..., :, :k].tril(-1) + _make(xp.eye(m, k, dtype=A._data.dtype))


def _householder_grads(g, n):
    # Q = H_1 ... H_k E.  With R_i = H_{i+1} ... H_k E and G_i = H_{i-1} ... H_1 G (each H is
    # symmetric), the change of H_i contributes <M_i, dH_i>, M_i = G_i R_i^T, and
    # dH_i = -dtau_i v v^T - tau_i (dv v^T + v dv^T).
    from .shape import cat

    A, tau = n.input, n.tau
    m, cols = A.shape[-2:]
    k = tau.shape[-1]
    V = _reflectors(A, k)
    R = _make(xp.eye(m, cols, dtype=A._data.dtype))
    after = [R] * k
    for i in reversed(range(k)):
        after[i] = R
        v, t = V[..., :, i : i + 1], tau[..., i : i + 1].unsqueeze(-1)
        R = R - t * (v @ (_mT(v) @ R))
    G = g
    g_tau, g_v = [], []
    for i in range(k):
        v, t = V[..., :, i : i + 1], tau[..., i : i + 1].unsqueeze(-1)
        Mv = G @ (_mT(after[i]) @ v)
        Mtv = after[i] @ (_mT(G) @ v)
        g_tau.append(-(_mT(v) @ Mv).squeeze(-1))
        g_v.append(-t * (Mv + Mtv))
        G = G - t * (v @ (_mT(v) @ G))
    gA = cat(g_v, -1).tril(-1)
    if cols > k:
        gA = cat([gA, gA.new_zeros(gA.shape[:-1] + (cols - k,))], -1)
    return gA, cat(g_tau, -1)


def _check(a, tau):
    name = "torch.linalg.householder_product"
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise RuntimeError(
            f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if a.shape[-1] < tau.shape[-1]:
        raise RuntimeError(
            f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]"
        )
    if tau.ndim != a.ndim - 1 or tau.shape[:-1] != a.shape[:-2]:
        raise RuntimeError(
            f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(tau.shape[:-1])}"
        )
    if a.dtype != tau.dtype:
        raise RuntimeError(
            f"{name}: tau dtype {_type_name(tau)} does not match input dtype {_type_name(a)}"
        )
    if a.dtype.kind == "c":
        raise NotImplementedError(
            "linalg.householder_product of complex tensors is not supported yet"
        )


@op(
    inputs="input tau",
    saves="input tau",
    grads=shared_formulas(2, _householder_grads, _householder_grads),
    check=_check,
    node="LinalgHouseholderProductBackward0",
    method=False,
)
def _householder_product(input, tau):
    m, n = input.shape[-2:]
    Q = xp.broadcast_to(xp.eye(m, n, dtype=input.dtype), input.shape).copy()
    for i in reversed(range(tau.shape[-1])):  # Q = H_1 (H_2 (... (H_k E)))
        v = input[..., i:, i].copy()
        v[..., 0] = 1
        w = xp.einsum("...r,...rc->...c", v, Q[..., i:, :])
        Q[..., i:, :] -= tau[..., i, None, None] * v[..., :, None] * w[..., None, :]
    return Q


def householder_product(A, tau, *, out=None):
    """``torch.linalg.householder_product``: the first n columns of the product of the
    Householder reflectors that A's columns below the diagonal and ``tau`` define."""
    from .factorizations import _with_out

    return _with_out(_householder_product(A, tau), out, "linalg_householder_product")


@tensor_method
def orgqr(input, tau):
    """``torch.orgqr``: ``linalg.householder_product`` by LAPACK's name."""
    return householder_product(input, tau)


__all__ = ["orgqr"]
