"""Products of matrices and vectors."""

from .._array import xp
from .registry import op, tensor_method


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
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_dt(a)} != {_dt(b)}")


def _dt(a):
    from ..dtypes import FROM_NP

    return FROM_NP[a.dtype].name.replace("float32", "float").replace("float64", "double") \
        .replace("int64", "long int")


@op(inputs="self mat2", saves="self mat2", check=_check_mm,
    grads=(lambda g, n: g.mm(n.mat2.t()), lambda g, n: n.self.t().mm(g)))
def mm(self, mat2):
    """``torch.mm``: the product of two matrices."""
    return xp.matmul(self, mat2)


def _check_dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of "
            "elements, but got {} and {} elements respectively".format(
                a.shape[0], b.shape[0], a.shape[0], b.shape[0])
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_dt(a).title()} and "
            f"{_dt(b).title()}"
        )


@op(inputs="self tensor", saves="self tensor", check=_check_dot,
    grads=(lambda g, n: g * n.tensor, lambda g, n: g * n.self))
def dot(self, tensor):
    """``torch.dot``: the inner product of two vectors."""
    return xp.dot(self, tensor)


def _check_matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else -1]:
        if b.ndim == 1:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[-2] if a.ndim > 1 else 1}), mat ({_dims(a)}), "
                f"vec ({b.shape[0]})"
            )
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[-2] if a.ndim > 1 else 1}x"
            f"{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})"
        )


@op(inputs="self other", saves="self other", check=_check_matmul, node="UnsafeViewBackward0",
    grads=(lambda g, n: g.matmul(n.other.mT).sum_to_size(n.self.shape),
           lambda g, n: n.self.mT.matmul(g).sum_to_size(n.other.shape)))
def _batched_matmul(self, other):
    return xp.matmul(self, other)


@tensor_method
def matmul(input, other):
    """``torch.matmul``: dot, matrix-vector, matrix or batched (broadcast) product by the dims."""
    a, b = input.ndim, other.ndim
    if a == 2 and b == 2:
        return mm(input, other)
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 1 and b >= 2:
        _check_matmul(input._data, other._data)
        return matmul(input.unsqueeze(0), other).squeeze(-2)
    if b == 1 and a >= 2:
        _check_matmul(input._data, other._data)
        return matmul(input, other.unsqueeze(-1)).squeeze(-1)
    return _batched_matmul(input, other)


__all__ = ["mm", "dot", "matmul"]
