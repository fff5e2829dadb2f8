"""Products of matrices and vectors."""

import math
import string

from .. import _switches
from .._array import c_order, reshaped_view, xp
from ..dtypes import FROM_NP
from ..tensor import Tensor, _make, _wrap_dim
from . import autocast as _autocast
from . import sparse_compressed, sparse_coo
from .pointwise import _input_part, _or_zeros, _scaled_grad, _sum_made_last_first, cj
from .registry import broadcast_pair, op, tensor_method
from .shape import _unsafe_view, view
from .sparse_compressed import SparseCompressedTensor
from .sparse_coo import SparseCOOTensor


def _dims(a):
    return "x".join(map(str, a.shape))


def _check_mm(a, b):
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(a)} and {_dims(b)})")
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_dt(a)} != {_dt(b)}"
        )


def _dt(a):
    return (
        FROM_NP[a.dtype]
        .name.replace("float32", "float")
        .replace("float64", "double")
        .replace("int64", "long int")
    )


def column_major(strides, rows, itemsize):
    """Whether a matrix of ``rows`` rows with these strides (in bytes) is laid out column by
    column, as ``x.t()`` of a contiguous ``x`` is: PyTorch then gives its gradient that layout."""
    return strides[0] == itemsize and strides[1] == rows * itemsize


def mat1_grad(g, mat2, mat1_strides):
    """The gradient of ``mat1`` in ``mat1 @ mat2``, in ``mat1``'s memory order."""
    mat2 = cj(mat2)
    if column_major(mat1_strides, g.shape[0], g._data.itemsize):
        return mat2.mm(g.t()).t()
    return g.mm(mat2.t())


def mat2_grad(g, mat1, mat2_strides):
    """The gradient of ``mat2`` in ``mat1 @ mat2``, in ``mat2``'s memory order."""
    mat1 = cj(mat1)
    if column_major(mat2_strides, mat1.shape[1], g._data.itemsize):
        return g.t().mm(mat1).t()
    return mat1.t().mm(g)


@_autocast.lower_precision
@op(
    inputs="self mat2",
    saves=("mat2 self_strides", "self mat2_strides"),
    check=_check_mm,
    sparse=sparse_compressed.either(sparse_coo.mm, sparse_compressed.mm),
    grads=(
        lambda g, n: mat1_grad(g, n.mat2, n.self_strides),
        lambda g, n: mat2_grad(g, n.self, n.mat2_strides),
    ),
    jvp=lambda t, x, r: _sum_made_last_first(
        lambda: _or_zeros(t[0], x[0], r[0]).mm(x[1]), lambda: x[0].mm(_or_zeros(t[1], x[1], r[0]))
    ),
)
def mm(self, mat2):
    """``torch.mm``: the product of two matrices."""
    return xp.matmul(self, mat2)


def _check_dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_scalar_name(a)} and {_scalar_name(b)}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same number of "
            f"elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )


@op(
    inputs="self tensor",
    saves=("tensor", "self"),
    check=_check_dot,
    sparse=sparse_coo.no_sparse_kernel("dot"),
    grads=(lambda g, n: g * cj(n.tensor), lambda g, n: g * cj(n.self)),
)
def dot(self, tensor):
    """``torch.dot``: the inner product of two vectors."""
    return xp.dot(self, tensor)


def _scalar_name(a):
    """PyTorch's ScalarType name of an array's dtype: Float, Double, Long ..."""
    return FROM_NP[a.dtype]._tensor_name[: -len("Tensor")]


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _check_matmul(a, b, folded=False):
    """PyTorch's errors for ``matmul`` beyond the 1-D and 2-D cases (which ``dot``/``mm`` check),
    in the terms of the call it turns the operands into: ``mv`` or ``mm`` for a matrix or vector
    (or a larger operand ``folded`` into a matrix), else ``bmm`` on both expanded."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    k = a.shape[-1]
    if b.ndim == 1 and (folded or a.ndim == 2):  # a matrix-vector product
        rows = _prod(a.shape[:-1])
        if k != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({b.shape[0]})"
            )
        _check_addmv_dtypes(a, b)
        return
    if b.ndim == 2 and (folded or a.ndim == 1):  # a matrix product
        rows = _prod(a.shape[:-1])
        if k != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {_dims(b)})"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {_dt(a)} != {_dt(b)}"
            )
        return
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    batch = broadcast_pair(batch_a, batch_b)
    rows = b.shape[-2] if b.ndim > 1 else b.shape[0]  # (a vector: one column)
    if k != rows:
        n = _prod(batch)
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] but got: "
            f"[{n}, {rows}]."
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(a)} but found {_scalar_name(b)}")


def _should_fold(x, y):
    """Whether ``matmul`` folds the operand of 3 or more dims into a matrix and calls ``mm`` or
    ``mv`` (PyTorch's choice: when the other operand requires grad, or when the fold needs no
    copy), rather than ``bmm`` on both expanded."""
    larger = x.ndim >= y.ndim
    big = x._data if larger else y._data.swapaxes(-1, -2)
    small = y if larger else x
    if not (big.ndim >= 3 and small.ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if x.ndim == 2:  # folding would need the transposed product copied back
        return False
    if big.size == 0:
        return True
    shape, strides = big.shape, big.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _sparse_matmul(input, other):
    """Whether ``matmul`` with a sparse COO operand is the sparse module's: unless a dense
    operand of 3 or more dimensions meets a sparse matrix or vector (the dense path's fold)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        return True
    a, b = input.dim(), other.dim()
    return (a <= 2 and b <= 2) or (input._sparse and a > 2) or (other._sparse and b > 2)


@_autocast.lower_precision
@tensor_method
def matmul(input, other):
    """``torch.matmul``: dot, matrix-vector, matrix or batched (broadcast) product by the dims,
    made of the ops PyTorch makes it of (so the same nodes save the same tensors)."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(matmul, (input, other), {})
        if batched is not NotImplemented:
            return batched
    if input.__class__ is SparseCompressedTensor or other.__class__ is SparseCompressedTensor:
        return sparse_compressed.matmul(input, other)
    sparse = input.__class__ is SparseCOOTensor or other.__class__ is SparseCOOTensor
    if sparse and _sparse_matmul(input, other):
        return sparse_coo.matmul(input, other)
    a, b = input.ndim, other.ndim
    if a == 2 and b == 2:
        return _raw_mm(input, other)
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 3 and b == 3:  # a batch of one that requires grad is taken as a matrix, to be folded
        if input.shape[0] == 1 and other.shape[0] != 1 and input._requires_grad:
            return matmul(input.squeeze(0), other)
        if other.shape[0] == 1 and input.shape[0] != 1 and other._requires_grad:
            return matmul(input, other.squeeze(0))
    if a == 0 or b == 0 or not _should_fold(input, other):
        if sparse:
            raise RuntimeError(sparse_coo.EXPAND_SPARSE)
        _check_matmul(input._data, other._data)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return _raw_mm(input.unsqueeze(0), other).squeeze_(0)
    if _should_fold(input, other):
        transpose = b > a
        big = other.mT if transpose else input
        small = (input.t() if a == 2 else input) if transpose else other
        if not sparse:  # (a sparse operand's mm or mv checks it)
            _check_matmul(big._data, small._data, folded=True)
        shape = tuple(big.shape[:-1])
        folded = big.reshape(_prod(shape), big.shape[-1])
        if small.ndim == 1:
            return _unsafe_view(folded.mv(small), shape)
        out = _unsafe_view(_raw_mm(folded, small), shape + (small.shape[1],))
        return out.mT.contiguous() if transpose else out
    n = input.shape[-2] if a > 1 else 1
    p = other.shape[-1] if b > 1 else 1
    batch = tuple(xp.broadcast_shapes(input.shape[:-2], other.shape[:-2]))
    count = _prod(batch)
    left = input.expand(batch + (n, input.shape[-1])).reshape(count, n, input.shape[-1])
    right = other if b > 1 else other.unsqueeze(-1)
    right = right.expand(batch + tuple(right.shape[-2:])).reshape(count, right.shape[-2], p)
    out = _raw_bmm(left, right)
    shape = batch + ((n,) if a > 1 else ()) + ((p,) if b > 1 else ())
    return _unsafe_view(out.squeeze(-1) if b == 1 else out, shape)


def _check_bmm(a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(a)} but found {_scalar_name(b)}")


@_autocast.lower_precision
@op(
    inputs="self mat2",
    saves=("mat2", "self"),
    check=_check_bmm,
    sparse=sparse_coo.bmm,
    grads=(lambda g, n: g.bmm(cj(n.mat2.mT)), lambda g, n: cj(n.self.mT).bmm(g)),
    jvp=lambda t, x, r: _sum_made_last_first(
        lambda: _or_zeros(t[0], x[0], r[0]).bmm(x[1]), lambda: x[0].bmm(_or_zeros(t[1], x[1], r[0]))
    ),
)
def bmm(self, mat2):
    """``torch.bmm``: a batch of matrix products, ``out[b] = self[b] @ mat2[b]``."""
    return xp.matmul(self, mat2)


# matmul casts its inputs under autocast itself; the products it is made of need not again
_raw_mm = mm.__wrapped__
_raw_bmm = bmm.__wrapped__


@tensor_method
def outer(input, vec2):
    """``torch.outer`` (alias ``ger``): ``out[i, j] = input[i] * vec2[j]``."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return input.unsqueeze(1) * vec2


ger = outer
tensor_method(outer, name="ger")
# ``torch.spmm`` and ``torch.dsmm`` (sparse times dense, dense result) are mm by other names: mm
# takes a sparse operand, and records MmBackward0 as they do
spmm = dsmm = mm


# --- einsum -------------------------------------------------------------------------------------


def _einsum_error(msg):
    return RuntimeError("einsum(): " + msg)


def _operand_subscripts(lhs, ndims):
    """Each operand's subscripts as a string of letters, ``...`` still marked by '.'."""
    subs = lhs.split(",")
    if len(subs) < len(ndims):
        raise _einsum_error("more operands were provided than specified in the equation")
    if len(subs) > len(ndims):
        raise _einsum_error("fewer operands were provided than specified in the equation")
    for i, sub in enumerate(subs):
        body = sub.replace("...", "", 1)
        if "." in body:
            raise _einsum_error(f"found '.' for operand {i} that is not part of any ellipsis")
        if "..." not in sub and len(sub) != ndims[i]:
            raise _einsum_error(
                f"the number of subscripts in the equation ({len(sub)}) does not match the number "
                f"of dimensions ({ndims[i]}) for operand {i} and no ellipsis was given"
            )
    return subs


def parse_einsum(equation, shapes):
    """``(inputs, output)``: explicit subscripts for each operand and the output, the ellipsis
    spelled out in fresh letters (right-aligned, as broadcasting aligns)."""
    eq = equation.replace(" ", "")
    for i, c in enumerate(eq):
        if not (c in string.ascii_letters or c in ".,->"):
            raise _einsum_error(
                f"invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    lhs, arrow, rhs = eq.partition("->")
    subs = _operand_subscripts(lhs, [len(s) for s in shapes])
    free = [c for c in string.ascii_letters if c not in eq]
    n_ell = max([len(s) - len(sub) + 3 for sub, s in zip(subs, shapes) if "..." in sub] or [0])
    ell = "".join(free[:n_ell])
    inputs = []
    for sub, shape in zip(subs, shapes):
        if "..." in sub:
            k = len(shape) - len(sub) + 3
            sub = sub.replace("...", ell[n_ell - k :])
        inputs.append(sub)
    letters = "".join(inputs)
    if arrow:
        output = rhs.replace("...", ell)
        for c in output:
            if output.count(c) > 1:
                raise _einsum_error(f"output subscript {c} appears more than once in the output")
            if c not in letters:
                raise _einsum_error(
                    f"output subscript {c} does not appear in the equation for any input operand"
                )
    else:
        output = ell + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        )
    return inputs, output


def _letter_sizes(inputs, shapes):
    """The size of each letter; PyTorch's errors where operands disagree (1 broadcasts)."""
    sizes = {}
    for i, (sub, shape) in enumerate(zip(inputs, shapes)):
        own = {}
        for c, n in zip(sub, shape):
            if c in own and own[c] != n:
                raise _einsum_error(
                    f"subscript {c} is repeated for operand {i} but the sizes "
                    f"don't match, {n} != {own[c]}"
                )
            own[c] = n
        for c, n in own.items():
            seen = sizes.get(c)
            if seen is None or seen == 1:
                sizes[c] = n
            elif n != seen and n != 1:
                raise _einsum_error(
                    f"subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
    return sizes


def einsum(equation, *operands):
    """``torch.einsum``: sums of products over the subscripts of ``equation`` (NumPy's notation,
    ``...`` and implicit output included).

    Built from other ops as PyTorch builds it, so it behaves as PyTorch's does: a subscript that
    only reorders dims (``'ij->ji'``) gives a view; operands multiplied with nothing summed between
    them go through ``mul`` (and promote dtypes), those with subscripts summed between them through
    ``bmm`` (which wants one dtype); each of those nodes keeps what it saves, version-checked.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    shapes = [t.shape for t in operands]
    inputs, output = parse_einsum(equation, shapes)
    _letter_sizes(inputs, shapes)
    # Every operand is laid out over the same dims: the output's letters, then those summed.
    summed = [c for c in dict.fromkeys("".join(inputs)) if c not in output]
    order = list(output) + summed
    ops = [
        _einsum_operand(t, sub, order, output, inputs, i)
        for i, (t, sub) in enumerate(zip(operands, inputs))
    ]
    if len(ops) == 1:
        result = ops[0]
        if summed:
            result = result.sum(list(range(len(output), len(order))))
        return result
    result = ops[0]
    for i in range(1, len(ops)):
        later = set("".join(inputs[i + 1 :]))
        done = [
            order.index(c)
            for c in summed
            if c not in later and (c in inputs[i] or any(c in sub for sub in inputs[:i]))
        ]
        result = _sum_product(result, ops[i], done)
    if summed:
        result = _folded(result, tuple(result.shape[: len(output)]))
    return result


def _einsum_operand(t, sub, order, output, inputs, i):
    """Operand ``i`` over all the dims of ``order``: repeated letters taken along their diagonal,
    letters no other operand nor the output has summed, dims it lacks of size 1."""
    sub = list(sub)
    for c in list(dict.fromkeys(sub)):
        while sub.count(c) > 1:
            p = sub.index(c)
            q = sub.index(c, p + 1)
            t = t.diagonal(0, p, q)
            sub = [x for k, x in enumerate(sub) if k not in (p, q)] + [c]
    others = "".join(inputs[:i] + inputs[i + 1 :]) + output
    alone = [k for k, c in enumerate(sub) if c not in others]
    if alone and len(inputs) > 1:
        t = t.sum(alone)
        sub = [c for k, c in enumerate(sub) if k not in alone]
    for c in order:
        if c not in sub:
            t = t.unsqueeze(-1)
            sub.append(c)
    return t.permute([sub.index(c) for c in order if c in sub])


def _folded(t, shape):
    """``t.reshape(shape)`` as einsum's folds record it: a view (ViewBackward0) wherever the
    strides allow one, as in PyTorch, else a copy."""
    if reshaped_view(t._data, shape) is not None:
        return view(t, shape)
    return t.reshape(shape)


def _sum_product(left, right, dims):
    """``(left * right)`` summed over ``dims``, keeping them (size 1): a dim only one side has is
    summed on that side, one both have by a ``bmm``; with none such, a ``mul``."""
    if not dims:
        return left * right
    batch, lonly, ronly, both = [], [], [], []
    for d in range(left.ndim):
        ls, rs = left.shape[d] != 1, right.shape[d] != 1
        if d in dims:
            if ls and rs:
                both.append(d)
            elif ls:
                left = left.sum(d, keepdim=True)
            elif rs:
                right = right.sum(d, keepdim=True)
        elif ls and rs:
            batch.append(d)
        elif ls:
            lonly.append(d)
        elif rs:
            ronly.append(d)
    if not both:  # nothing left to sum over both: a product (of ones along the summed dims)
        return left * right
    rest = [d for d in range(left.ndim) if d not in batch + lonly + ronly + both]

    def size(t, ds):
        n = 1
        for d in ds:
            n *= t.shape[d]
        return n

    bsz, lsz, rsz, ssz = size(left, batch), size(left, lonly), size(right, ronly), size(left, both)
    a = _folded(left.permute(batch + lonly + both + ronly + rest), (bsz, lsz, ssz))
    b = _folded(right.permute(batch + both + ronly + lonly + rest), (bsz, ssz, rsz))
    out = a.bmm(b).reshape(
        [left.shape[d] for d in batch + lonly]
        + [right.shape[d] for d in ronly]
        + [1] * (len(both) + len(rest))
    )
    placed = batch + lonly + ronly + both + rest
    return out.permute([placed.index(d) for d in range(left.ndim)])


# --- diagonals and the trace ---------------------------------------------------------------------


def _check_diagonal(a, offset, dim1, dim2):
    d1, d2 = _wrap_dim(dim1, a.ndim), _wrap_dim(dim2, a.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")


@op(
    inputs="grad",
    method=False,
    node="DiagonalBackwardBackward0",
    grads=(lambda g, n: diagonal(g, n.offset, n.dim1, n.dim2),),
)
def _diagonal_backward(grad, shape, offset, dim1, dim2):
    """Zeros of ``shape`` with ``grad`` written along the diagonal (the adjoint of taking it)."""
    out = xp.zeros(shape, grad.dtype)
    d1, d2 = dim1 % len(shape), dim2 % len(shape)
    rows, cols = _diagonal_positions(shape[d1], shape[d2], offset)
    xp.moveaxis(out, (d1, d2), (-2, -1))[..., rows, cols] = grad
    return out


def _diagonal_positions(n_rows, n_cols, offset):
    """Row and column indices of the (offset) diagonal of an n_rows x n_cols matrix."""
    n = max(0, min(n_rows - max(-offset, 0), n_cols - max(offset, 0)))
    i = xp.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


@op(
    saves="self_shape",
    check=_check_diagonal,
    view=True,
    grads=(lambda g, n: _diagonal_backward(g, n.self_shape, n.offset, n.dim1, n.dim2),),
)
def diagonal(self, offset=0, dim1=0, dim2=1):
    """``torch.diagonal``: the (offset) diagonal of dims dim1 and dim2, as the last dimension."""
    out = xp.diagonal(self, offset, dim1, dim2)
    # NumPy hands the diagonal out read-only; PyTorch's is a view that can be written through.
    out.flags.writeable = self.flags.writeable
    return out


def _check_trace(a):
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")


@_autocast.float32
@op(
    saves="self_shape",
    check=_check_trace,
    grads=(lambda g, n: g * _make(xp.eye(*n.self_shape, dtype=g._data.dtype)),),
)
def trace(self):
    """``torch.trace``: the sum of a matrix's main diagonal."""
    return xp.asarray(xp.trace(self), dtype=self.dtype if self.dtype.kind in "fcV" else xp.int64)


def _check_diag_embed(a, offset, dim1=-2, dim2=-1):
    d1, d2 = _wrap_dim(dim1, a.ndim + 1), _wrap_dim(dim2, a.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")


@op(
    method=False,
    check=_check_diag_embed,
    node="DiagEmbedBackward0",
    grads=(lambda g, n: diagonal(g, n.offset, n.dim1, n.dim2),),
)
def _diag_embed(self, offset, dim1=-2, dim2=-1):
    n = self.shape[-1] + abs(offset)
    out = xp.zeros(self.shape[:-1] + (n, n), self.dtype)
    rows, cols = _diagonal_positions(n, n, offset)
    out[..., rows, cols] = self
    d1, d2 = _wrap_dim(dim1, out.ndim), _wrap_dim(dim2, out.ndim)
    if (d1, d2) != (out.ndim - 2, out.ndim - 1):  # (the matrices' dims moved where asked)
        out = xp.ascontiguousarray(xp.moveaxis(out, (-2, -1), (d1, d2)))
    return out


@tensor_method
def diag(input, diagonal: int = 0):
    """``torch.diag``: a vector as a diagonal matrix, or a matrix's diagonal as a vector."""
    if input.ndim == 1:
        return _diag_embed(input, diagonal)
    if input.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def _check_mv(a, v):
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a)}), vec ({v.shape[0]})"
        )
    _check_addmv_dtypes(a, v)


def _check_addmv_dtypes(a, v):
    if a.dtype != v.dtype:  # (the result, made as the vector, comes first)
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_scalar_name(v)}, {_scalar_name(a)}, and {_scalar_name(v)}"
        )


@op(
    inputs="self vec",
    saves=("vec", "self"),
    check=_check_mv,
    sparse=sparse_compressed.either(sparse_coo.mv, sparse_compressed.mv),
    grads=(lambda g, n: g.unsqueeze(1) * cj(n.vec), lambda g, n: cj(n.self.t()).mv(g)),
    jvp=lambda t, x, r: _sum_made_last_first(
        lambda: _or_zeros(t[0], x[0], r[0]).mv(x[1]), lambda: x[0].mv(_or_zeros(t[1], x[1], r[0]))
    ),
)
def mv(self, vec):
    """``torch.mv``: a matrix times a vector."""
    return xp.matmul(self, vec)


# --- pairwise distances ------------------------------------------------------------------------


def _cdist_grads(g, n, x1, x2, dist):
    """Gradients of dist[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p for both inputs."""
    p = n.p
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # ... P R M
    if p == 0:
        zero = (diff * 0).sum(-2)
        return zero, (diff * 0).sum(-3)
    gd = g.unsqueeze(-1)
    if p == 1:
        part = gd * diff.sign()
    elif p == math.inf:
        part = gd * diff.sign() * (diff.abs() == dist.unsqueeze(-1)).to(g.dtype)
    else:
        if p == 2:
            scale = diff
        else:
            scale = diff * diff.abs().pow(p - 2)
        denominator = dist.pow(p - 1).unsqueeze(-1)
        part = (gd * scale / denominator).masked_fill(denominator == 0, 0.0)
    return part.sum(-2), -part.sum(-3)


# (the formulas of both ways to compute the distances)
_CDIST_GRADS = (
    lambda g, n: _cdist_grads(g, n, n.x1, n.x2, n.result)[0],
    lambda g, n: _cdist_grads(g, n, n.x1, n.x2, n.result)[1],
)


@op(
    inputs="x1 x2",
    saves="x1 x2 result",
    grads=_CDIST_GRADS,
    node="CdistBackward0",
    method=False,
)
def _cdist(x1, x2, p):
    diff = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        out = (diff != 0).sum(-1).astype(x1.dtype)
    elif p == 1:
        out = diff.sum(-1)
    elif p == 2:
        out = xp.sqrt((diff * diff).sum(-1))
    elif p == math.inf:
        out = diff.max(-1) if diff.shape[-1] else xp.zeros(diff.shape[:-1], x1.dtype)
    else:
        out = (diff**p).sum(-1) ** (1.0 / p)
    return out.astype(x1.dtype, copy=False)


@op(
    inputs="x1 x2",
    saves="x1 x2 result",
    grads=_CDIST_GRADS,
    node="EuclideanDistBackward0",
    method=False,
)
def _euclidean_dist(x1, x2, p):
    # |a|^2 - 2 a.b + |b|^2 as one matrix product, clamped before the root (PyTorch's fast path)
    square1 = (x1 * x1).sum(-1, keepdims=True)
    square2 = (x2 * x2).sum(-1, keepdims=True)
    cross = x1 @ xp.swapaxes(x2, -1, -2)
    return xp.sqrt(xp.maximum(square1 - 2 * cross + xp.swapaxes(square2, -1, -2), 1e-30))


_COMPUTE_MODES = (
    "use_mm_for_euclid_dist_if_necessary",
    "use_mm_for_euclid_dist",
    "donot_use_mm_for_euclid_dist",
)


@_autocast.float32
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """``torch.cdist``: the p-norm distance between each row of ``x1`` and each row of ``x2``
    (batched over leading dimensions).  For p = 2 with more than 25 rows on either side, or when
    ``compute_mode`` asks, the distances come from one matrix product, as in PyTorch."""
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    for label, t in (("X1", x1), ("X2", x2)):
        if t.is_complex():
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {label} got: {t.dtype._tensor_name[:-6]}"
            )
    if x1.dtype.category < 2 or x2.dtype.category < 2:
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, X1 got: {x1.dtype._tensor_name[:-6]}"
        )
    batch = tuple(xp.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2])))
    if tuple(x1.shape[:-2]) != batch:
        x1 = x1.expand(batch + tuple(x1.shape[-2:]))
    if tuple(x2.shape[:-2]) != batch:
        x2 = x2.expand(batch + tuple(x2.shape[-2:]))
    rows, cols = x1.shape[-2], x2.shape[-2]
    by_product = p == 2 and (
        compute_mode == "use_mm_for_euclid_dist"
        or (compute_mode == _COMPUTE_MODES[0] and (rows > 25 or cols > 25))
    )
    if by_product:
        return _euclidean_dist(x1, x2, float(p)).view(batch + (rows, cols))
    return _cdist(x1, x2, float(p))


# --- the matmul family with an added term: beta * input + alpha * product ------------------------


def _added(name, a, product, beta, alpha):
    """beta * a + alpha * product, with a broadcast to the product's shape (PyTorch's expand
    error otherwise) and ignored when beta is 0, nan included."""
    _check_same_dtype(name, a, product)
    try:
        start = xp.broadcast_to(a, product.shape)
    except ValueError:
        shape = product.shape
        lead = len(shape) - a.ndim
        dim = next(i for i in range(a.ndim) if a.shape[i] != 1 and a.shape[i] != shape[lead + i])
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[lead + dim]}) must match the existing size "
            f"({a.shape[dim]}) at non-singleton dimension {lead + dim}.  Target sizes: "
            f"{list(shape)}.  Tensor sizes: {list(a.shape)}"
        ) from None
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return c_order(product.astype(a.dtype, copy=False))
    return c_order((start if beta == 1 else start * beta) + product).astype(a.dtype, copy=False)


def _check_same_dtype(name, a, b):
    if a.dtype != b.dtype:
        from ..dtypes import FROM_NP, scalar_type_name

        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {scalar_type_name(FROM_NP[a.dtype])}"
            f" and {scalar_type_name(FROM_NP[b.dtype])}"
        )


def _check_addmm(a, m1, m2, beta, alpha):
    for label, m in (("mat1", m1), ("mat2", m2)):
        if m.ndim != 2:
            raise RuntimeError(f"{label} must be a matrix, got {m.ndim}-D tensor")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({m1.shape[0]}x{m1.shape[1]} and "
            f"{m2.shape[0]}x{m2.shape[1]})"
        )
    _check_same_dtype("addmm", m1, m2)


@_autocast.lower_precision
@op(
    inputs="self mat1 mat2",
    saves=("self_shape", "mat2 mat1_strides", "mat1 mat2_strides"),
    grads=(
        _input_part,
        lambda g, n: _scaled_grad(mat1_grad(g, n.mat2, n.mat1_strides), n.alpha),
        lambda g, n: _scaled_grad(mat2_grad(g, n.mat1, n.mat2_strides), n.alpha),
    ),
    check=_check_addmm,
    sparse=sparse_compressed.either(sparse_coo.addmm, sparse_compressed.addmm),
)
def addmm(self, mat1, mat2, beta=1, alpha=1):
    """``torch.addmm``: beta * input + alpha * (mat1 @ mat2)."""
    return _added("addmm", self, mat1 @ mat2, beta, alpha)


def _check_addmv(a, mat, vec, beta, alpha):
    if a.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {a.ndim}, {mat.ndim}, {vec.ndim}"
        )
    if mat.shape[1] != vec.shape[0] or (a.ndim == 1 and a.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(
            f"size mismatch, got input ({', '.join(map(str, a.shape))}), mat "
            f"({'x'.join(map(str, mat.shape))}), vec ({', '.join(map(str, vec.shape))})"
        )


@op(
    inputs="self mat vec",
    saves=("self_shape", "vec", "mat"),
    grads=(
        _input_part,
        lambda g, n: _scaled_grad(g.unsqueeze(-1) * cj(n.vec), n.alpha),
        lambda g, n: _scaled_grad(cj(n.mat.t()).mv(g), n.alpha),
    ),
    check=_check_addmv,
    sparse=sparse_coo.no_sparse_kernel("addmv"),
)
def addmv(self, mat, vec, beta=1, alpha=1):
    """``torch.addmv``: beta * input + alpha * (mat @ vec)."""
    return _added("addmv", self, mat @ vec, beta, alpha)


@op(
    inputs="self vec1 vec2",
    saves=("self_shape", "vec2", "vec1"),
    grads=(
        _input_part,
        lambda g, n: _scaled_grad(g.mv(cj(n.vec2)), n.alpha),
        lambda g, n: _scaled_grad(g.mT.mv(cj(n.vec1)), n.alpha),
    ),
)
def addr(self, vec1, vec2, beta=1, alpha=1):
    """``torch.addr``: beta * input + alpha * outer(vec1, vec2)."""
    return _added("addr", self, xp.multiply.outer(vec1, vec2), beta, alpha)


def _check_batched(name, b1, b2):
    for label, m in (("batch1", b1), ("batch2", b2)):
        if m.ndim != 3:
            raise RuntimeError(f"{label} must be a 3D tensor")
    if name == "addbmm":
        if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
            raise RuntimeError(
                f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                f"{b2.shape[1]}x{b2.shape[2]})"
            )
    elif (b2.shape[0], b2.shape[1]) != (b1.shape[0], b1.shape[2]):
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}]."
        )


@_autocast.lower_precision
@op(
    inputs="self batch1 batch2",
    saves=("self_shape", "batch2", "batch1"),
    grads=(
        _input_part,
        lambda g, n: _scaled_grad(g.bmm(cj(n.batch2.mT)), n.alpha),
        lambda g, n: _scaled_grad(cj(n.batch1.mT).bmm(g), n.alpha),
    ),
    check=lambda a, b1, b2, beta, alpha: _check_batched("baddbmm", b1, b2),
)
def baddbmm(self, batch1, batch2, beta=1, alpha=1):
    """``torch.baddbmm``: beta * input + alpha * (batch1 @ batch2), matrix by matrix."""
    return _added("baddbmm", self, batch1 @ batch2, beta, alpha)


@_autocast.lower_precision
@op(
    inputs="self batch1 batch2",
    saves=("self_shape", "batch2", "batch1"),
    grads=(
        _input_part,
        lambda g, n: _scaled_grad(
            g.unsqueeze(0).expand(n.batch1.shape[0], -1, -1).bmm(cj(n.batch2.mT)), n.alpha
        ),
        lambda g, n: _scaled_grad(
            cj(n.batch1.mT).bmm(g.unsqueeze(0).expand(n.batch1.shape[0], -1, -1)), n.alpha
        ),
    ),
    check=lambda a, b1, b2, beta, alpha: _check_batched("addbmm", b1, b2),
)
def addbmm(self, batch1, batch2, beta=1, alpha=1):
    """``torch.addbmm``: beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    return _added("addbmm", self, (batch1 @ batch2).sum(0), beta, alpha)


__all__ = [
    "bmm",
    "addmm",
    "addmv",
    "addr",
    "baddbmm",
    "addbmm",
    "cdist",
    "dot",
    "einsum",
    "ger",
    "matmul",
    "mm",
    "spmm",
    "dsmm",
    "outer",
    "diagonal",
    "trace",
    "diag",
    "mv",
]
