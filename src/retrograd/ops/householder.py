"""The product of Householder reflectors, ``torch.linalg.householder_product`` (``torch.orgqr``):
the first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H, v_i being column i of the input
below its diagonal with a 1 on it (how ``geqrf`` leaves a QR factorization); real or complex.

The reflectors are applied to the whole batch at once, one reflector after another; the
derivative formula runs the same sweep in retrograd's ops, so it has derivatives of its own.
"""

from .._array import column_major, xp
from ..tensor import _make
from .factorizations import _type_name
from .pointwise import cj
from .registry import op, shared_formulas, tensor_method
from .special import _mH


def _reflectors(A, k):
    """The vectors v_i as the columns of an m x k matrix (tensor)."""
    m = A.shape[-2]
    return A[..., :, :k].tril(-1) + _make(xp.eye(m, k, dtype=A._data.dtype))


def _householder_grads(g, n):
    return _product_grads(g, n.input, n.tau)


def _product_grads(g, A, tau):
    """The gradients of A and tau from that of Q = H_1 ... H_k E (the first columns of the
    identity), in retrograd's ops; for complex ones the conjugate gradients, as PyTorch's."""
    # Q = H_1 ... H_k E.  With R_i = H_{i+1} ... H_k E and G_i = H_{i-1}^H ... H_1^H G, the
    # change of H_i contributes Re <M_i, dH_i>, M_i = G_i R_i^H, and
    # dH_i = -dtau_i v v^H - tau_i (dv v^H + v dv^H): the gradient of tau_i is -v^H M_i v,
    # that of v_i -(conj(tau_i) M_i v + tau_i M_i^H v).
    from .shape import cat

    m, cols = A.shape[-2:]
    k = tau.shape[-1]
    if not k:  # no reflector: Q = E depends on neither input (no gradient, as PyTorch's)
        return None, None
    V = _reflectors(A, k)
    R = _make(xp.eye(m, cols, dtype=A._data.dtype))
    after = [R] * k
    for i in reversed(range(k)):
        after[i] = R
        v, t = V[..., :, i : i + 1], tau[..., i : i + 1].unsqueeze(-1)
        R = R - t * (v @ (_mH(v) @ R))
    G = g
    g_tau, g_v = [], []
    for i in range(k):
        v, t = V[..., :, i : i + 1], tau[..., i : i + 1].unsqueeze(-1)
        Mv = G @ (_mH(after[i]) @ v)
        Mhv = after[i] @ (_mH(G) @ v)
        g_tau.append(-(_mH(v) @ Mv).squeeze(-1))
        g_v.append(-(cj(t) * Mv + t * Mhv))
        G = G - cj(t) * (v @ (_mH(v) @ G))
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


@op(
    inputs="input tau",
    saves="input tau",
    grads=shared_formulas(2, _householder_grads, _householder_grads),
    check=_check,
    node="LinalgHouseholderProductBackward0",
    method=False,
)
def _householder_product(input, tau):
    return column_major(_q_array(input, tau))


def _q_array(input, tau):
    m, n = input.shape[-2:]
    Q = xp.broadcast_to(xp.eye(m, n, dtype=input.dtype), input.shape).copy()
    for i in reversed(range(tau.shape[-1])):  # Q = H_1 (H_2 (... (H_k E)))
        v = input[..., i:, i].copy()
        v[..., 0] = 1
        w = xp.einsum("...r,...rc->...c", v.conj(), Q[..., i:, :])
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


def _full_reflectors(A):
    """A made square (m x m): zero columns appended, or the columns past m dropped; its product
    is then the whole Q."""
    from .shape import cat

    m, n = A.shape[-2:]
    if m <= n:
        return A[..., :, :m]
    return cat([A, A.new_zeros(A.shape[:-1] + (m - n,))], -1)


def _applied(Q, other, left, transpose):
    Q = _mH(Q) if transpose else Q
    return Q @ other if left else other @ Q


def _ormqr_grads(g, n):
    A, tau, other = n.input, n.input2, n.input3
    full = _full_reflectors(A)
    Q = _householder_product(full, tau)
    # result = op(Q) C (left) or C op(Q): the gradients of C and of op(Q), then of Q
    if n.left:
        g_other, g_op = _applied(Q, g, True, not n.transpose), g @ _mH(other)
    else:
        g_other, g_op = _applied(Q, g, False, not n.transpose), _mH(other) @ g
    gQ = _mH(g_op) if n.transpose else g_op
    gA, g_tau = _product_grads(gQ, full, tau)
    if gA is None:  # no reflector
        return None, None, g_other
    m, cols = A.shape[-2:]
    if cols > m:
        gA = _cat_zeros(gA, cols - m)
    return gA[..., :, :cols], g_tau, g_other


def _cat_zeros(g, k):
    from .shape import cat

    return cat([g, g.new_zeros(g.shape[:-1] + (k,))], -1)


def _check_ormqr(a, tau, other, left, transpose):
    name = "torch.ormqr"
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError(f"{name}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if tau.shape[-1] != min(other.shape[side], a.shape[-1]):
        raise RuntimeError(
            f"{name}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])"
        )
    if other.shape[side] != a.shape[-2]:
        raise RuntimeError(f"{name}: other.shape[{side}] must be equal to input.shape[-2]")
    for label, t in (("tau", tau), ("other", other)):
        if t.dtype != a.dtype:
            raise RuntimeError(
                f"{name}: Expected input and {label} to have the same dtype, but input has "
                f"dtype{_type_name(a)} and {label} has dtype {_type_name(t)}"
            )
    m = a.shape[-2]
    _check(xp.empty(a.shape[:-2] + (m, m), a.dtype), tau)


@op(
    inputs="input input2 input3",  # (PyTorch's names: tau and the matrix to multiply)
    saves="input input2 input3",
    grads=shared_formulas(3, _ormqr_grads, _ormqr_grads),
    check=_check_ormqr,
    node="OrmqrBackward0",
)
def ormqr(input, input2, input3, left=True, transpose=False):
    """``torch.ormqr``: ``input3`` multiplied by the Q that the Householder reflectors in
    ``input`` and ``input2`` (tau) make (from the left unless ``left`` is False; Q^H with
    ``transpose``)."""
    tau, other = input2, input3
    m, n = input.shape[-2:]
    if m <= n:
        full = input[..., :, :m]
    else:
        full = xp.concatenate([input, xp.zeros(input.shape[:-1] + (m - n,), input.dtype)], -1)
    Q = _q_array(full, tau)
    Q = xp.swapaxes(Q, -1, -2).conj() if transpose else Q
    return column_major(xp.matmul(Q, other) if left else xp.matmul(other, Q))


__all__ = ["orgqr", "ormqr"]
