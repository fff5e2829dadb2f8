"""Reductions: sums, means and the other ops that fold dimensions away, and the ops along one
dimension that go with them (cumsum, softmax, log_softmax)."""

import builtins
import math
import warnings
from collections import namedtuple

from .._array import c_order, xp
from ..dtypes import as_dtype
from ..tensor import Tensor, _make, _wrap_dim
from . import autocast as _autocast
from .indexing import scatter
from .pointwise import (
    _div_scalar,
    _dtype_name,
    _mul_scalar,
    cj,
    complex_logaddexp,
    conjugated,
    maximum,
    minimum,
    where,
)
from .registry import op, tensor_method
from .sparse_coo import SparseCOOTensor


def dims_arg(dim, ndim):
    """``dim`` (None, an int, or a sequence of ints) as a sorted tuple of non-negative axes.

    None and an empty sequence mean every dimension, as in PyTorch.  A 0-dim tensor accepts dim 0
    and -1 and has no axis to reduce.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            dup = next(a for i, a in enumerate(axes) if a in axes[i + 1 :])
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        if not ndim:
            return ()
        return axes if axes else tuple(range(ndim))
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else ()


def expand_grad(g, shape, dim, keepdim):
    """A reduction's gradient spread back over the reduced dimensions of ``shape``."""
    return unsqueeze_grad(g, shape, dim, keepdim).expand(shape)


def unsqueeze_grad(g, shape, dim, keepdim):
    """A reduction's gradient (or result) with the reduced dimensions of ``shape`` back, of size
    1: it broadcasts against the input, as PyTorch's formulas have it (no ExpandBackward0)."""
    if not keepdim and dim is not None and len(shape):
        for d in dims_arg(dim, len(shape)):
            g = g.unsqueeze(d)
    return g


def _count(shape, dim):
    """How many elements each output of a reduction over ``dim`` folds together."""
    n = 1
    for d in dims_arg(dim, len(shape)):
        n *= shape[d]
    return n


def _to_dtype(g, dtype):
    """A gradient cast back to its input's dtype (after an op computed in another one)."""
    return g if g.dtype is dtype else g.to(dtype)


# --- sum, mean, prod ---------------------------------------------------------------------------


def _sum_dtype(a, dtype):
    if dtype is not None:
        return as_dtype(dtype).np
    return xp.int64 if a.dtype.kind in "biu" else None


def _sum_grad(g, n):
    return _to_dtype(expand_grad(g, n.self_shape, n.dim, n.keepdim), n.self_dtype)


@op(
    saves="self_shape self_dtype",
    grads=(_sum_grad,),
    jvp="linear",
    node="SumBackward1",
    method=False,
)
def _sum_dim(self, dim, keepdim, dtype):
    return c_order(
        xp.sum(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim, dtype=_sum_dtype(self, dtype))
    )


@op(
    saves="self_shape self_dtype",
    method=False,
    node="SumBackward0",
    grads=(lambda g, n: _to_dtype(g.expand(n.self_shape), n.self_dtype),),
    jvp="linear",
)
def _sum_all(self, dtype):
    return xp.sum(self, dtype=_sum_dtype(self, dtype))


@tensor_method
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.sum``: the sum over all elements or over ``dim``."""
    if input.__class__ is SparseCOOTensor:  # (its own sum)
        return input.sum(dim, keepdim, dtype=dtype)
    if dim is None and not keepdim:
        return _sum_all(input, dtype)
    return _sum_dim(input, dim, keepdim, dtype)


def _check_float_mean(a, dim, keepdim, dtype):
    if dtype is None and a.dtype.kind not in "fcV":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {_dtype_name(a)}"
        )


def _mean_grad(g, n):
    shape = n.self_shape
    spread = _div_scalar(expand_grad(g, shape, n.dim, n.keepdim), _count(shape, n.dim))
    return _to_dtype(spread, n.self_dtype)


@op(
    saves="self_shape self_dtype",
    grads=(_mean_grad,),
    jvp="linear",
    check=_check_float_mean,
    method=False,
    node="MeanBackward1",
)
def _mean_dim(self, dim, keepdim, dtype):
    return c_order(
        xp.mean(
            self,
            axis=dims_arg(dim, self.ndim),
            keepdims=keepdim,
            dtype=None if dtype is None else dtype.np,
        )
    )


@op(
    saves="self_shape self_dtype",
    grads=(_mean_grad,),
    jvp="linear",
    method=False,
    node="MeanBackward0",
)
def _mean_all(self, dim, keepdim, dtype):
    _check_float_mean(self, dim, keepdim, dtype)  # here, not check=: keeps the registry's fast path
    return xp.mean(self, dtype=None if dtype is None else dtype.np)


@tensor_method
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.mean``: the average over all elements or over ``dim``."""
    if dim is None and not keepdim:
        return _mean_all(input, None, False, dtype)
    return _mean_dim(input, dim, keepdim, dtype)


@conjugated
def _prod_grad(g, n):
    """d prod / d x_i is the product of the other elements, also where some elements are 0.

    With no zero in a slice that is prod / x_i.  With one zero x_k, it is the product of the rest
    at k, and x_k * rest / x_i elsewhere: 0, but written so that its own derivative by x_k is right
    (double backward).  With two or more zeros every derivative is 0, as PyTorch takes it.
    """
    x = n.self
    result = n.result  # (read also where unused, so checked for in-place writes, as PyTorch's)
    if x.ndim == 0:  # one element: its derivative is 1, the gradient passes as it is
        return _to_dtype(g, x.dtype)
    dim = n.dim
    keep = dim is not None
    zero = x == 0
    if not zero._data.any():
        # prod / x_i, read from the saved result as PyTorch's formula reads it: a higher-order
        # gradient goes through the result's node (and its hooks)
        if keep and not n.keepdim:
            g, result = g.unsqueeze(dim), result.unsqueeze(dim)
        return _to_dtype(g * (result / x), x.dtype)
    zeros = zero.sum(dim, keepdim=True) if keep else zero.sum()
    safe = where(zero, 1.0, x)
    rest = safe.prod(dim, keepdim=True) if keep else safe.prod()
    the_zero = (x * zero).sum(dim, keepdim=True) if keep else (x * zero).sum()  # x_k, valued 0
    one_zero = where(zero, rest, the_zero * rest / safe)
    others = where(zeros == 0, rest / safe, where(zeros == 1, one_zero, 0.0))
    g = expand_grad(g, x.shape, dim, n.keepdim) if keep else g
    return _to_dtype(g * others, x.dtype)


@op(saves="self result", grads=(_prod_grad,), node="ProdBackward0", method=False)
def _prod_all(self, dim, keepdim, dtype):
    return xp.prod(self, dtype=_sum_dtype(self, dtype))


@op(saves="self result", grads=(_prod_grad,), node="ProdBackward1", method=False)
def _prod_dim(self, dim, keepdim, dtype):
    return c_order(
        xp.prod(
            self, axis=dims_arg(dim, self.ndim), keepdims=keepdim, dtype=_sum_dtype(self, dtype)
        )
    )


@_autocast.float32
@tensor_method
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.prod``: the product of all elements, or along one dimension ``dim``."""
    if dim is None:
        return _prod_all(input, None, False, dtype)
    int_dim("prod", dim)
    return _prod_dim(input, dim, keepdim, dtype)


# --- variance and standard deviation -----------------------------------------------------------


def _check_var(a, dim, correction, keepdim):
    if a.dtype.kind not in "fcV":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _var_divisor(shape, dim, correction):
    return builtins.max(0, _count(shape, dim) - correction)


def _var_forward(a, dim, correction, keepdim, name):
    axes = dims_arg(dim, a.ndim)
    divisor = _var_divisor(a.shape, dim, correction)
    if divisor == 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
            "than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    with xp.errstate(divide="ignore", invalid="ignore"):
        centred = a - a.mean(axis=axes, keepdims=True)
        # (a complex tensor's spread is real: |x - mean|^2)
        squares = centred * centred if a.dtype.kind != "c" else centred.real**2 + centred.imag**2
        return c_order(
            xp.true_divide(xp.sum(squares, axis=axes, keepdims=keepdim), divisor).astype(
                squares.dtype, copy=False
            )
        )


def _var_grad(g, n):
    x = n.self
    # (a reduction over every dimension subtracts the 0-d mean)
    whole = n.dim is None or not x.ndim
    centred = x - (x.mean() if whole else x.mean(n.dim, keepdim=True))
    divisor = _var_divisor(x.shape, n.dim, n.correction)
    scale = 2.0 / divisor if divisor else math.inf
    # (2 / divisor) * g first, then times the centred input, as PyTorch groups it (as
    # g * centred * scale a third of the gradients differed in the last bit); the scaling is a
    # pass over the reduced gradient, not over the input
    return unsqueeze_grad(_mul_scalar(g, scale), x.shape, n.dim, n.keepdim) * centred


def _var_of_std_grad(g, std):
    """std = sqrt(var): d std = d var / (2 std), taken as 0 where std is 0 (PyTorch's choice)."""
    return (g / _mul_scalar(std, 2)).masked_fill(std == 0, 0.0)


def _std_grad(g, n):
    return _var_grad(_var_of_std_grad(g, n.result), n)


@op(saves="self", grads=(_var_grad,), check=_check_var, node="VarBackward0", method=False)
def _var(self, dim, correction, keepdim):
    return _var_forward(self, dim, correction, keepdim, "var")


@op(saves="self result", grads=(_std_grad,), check=_check_var, node="StdBackward0", method=False)
def _std(self, dim, correction, keepdim):
    with xp.errstate(invalid="ignore"):
        return xp.sqrt(_var_forward(self, dim, correction, keepdim, "std"))


def _correction(name, dim, unbiased, correction):
    """PyTorch's overloads of var/std: ``(dim, unbiased, keepdim)``, ``(unbiased)`` and
    ``(dim, *, correction)``; returns (dim, correction)."""
    if isinstance(dim, builtins.bool):  # x.var(False): the unbiased overload
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got both "
            "unbiased and correction"
        )
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


@tensor_method
def var(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> Tensor:
    """``torch.var``: the variance, with Bessel's correction unless ``unbiased=False`` or another
    ``correction`` is given."""
    dim, correction = _correction("var", dim, unbiased, correction)
    return _var(input, dim, correction, keepdim)


@tensor_method
def std(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> Tensor:
    """``torch.std``: the standard deviation (see ``var`` for ``unbiased`` and ``correction``)."""
    dim, correction = _correction("std", dim, unbiased, correction)
    return _std(input, dim, correction, keepdim)


# --- maxima and minima -------------------------------------------------------------------------


def _check_extreme(name):
    def check(a, dim, keepdim):
        if a.size == 0:
            if dim is None or dim == () or dim == []:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            dims_arg(dim, a.ndim)  # (its errors first)
            for d in dim if isinstance(dim, (tuple, list)) else (dim,):
                if a.ndim and a.shape[_wrap_dim(d, a.ndim)] == 0:
                    # (amax and amin name the dim as given, -1 as -1; max and min wrapped)
                    shown = d if name in ("amax", "amin") else _wrap_dim(d, a.ndim)
                    raise IndexError(
                        f"{name}(): Expected reduction dim {shown} to have non-zero size."
                    )

    return check


def _shared_grad(g, n):
    """The gradient of a max or min: shared evenly by every element equal to the result."""
    x = n.self
    shape = x.shape
    hit = (x == expand_grad(n.result, shape, n.dim, n.keepdim)).to(g.dtype)
    count = hit.sum(n.dim, keepdim=True) if n.dim is not None else hit.sum()
    return expand_grad(g, shape, n.dim, n.keepdim) * hit / count


def evenly_shared(g, n):
    """The gradient of a reduction of all elements to one of them (``max()``, ``min()``,
    ``median()``): shared evenly by the elements equal to the result, or by the nan elements when
    the result is nan; the others get exact zeros, also when no element equals the result (a
    saved value changed in place behind saved_tensors_hooks), as in PyTorch; written into new
    zeros, so the gradient is contiguous whatever the input's layout, as PyTorch's is."""
    x, result = n.self, n.result
    hit = x.isnan() if bool(result.isnan()) else x == result
    return x.new_zeros(x.shape).masked_fill_(hit, g / hit.sum())


@op(real="max_values_cpu", saves="self result", grads=(_shared_grad,), check=_check_extreme("amax"))
def amax(self, dim=(), keepdim=False):
    """``torch.amax``: the largest value over ``dim`` (all dims by default); ties share the
    gradient evenly."""
    return c_order(xp.amax(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim))


@op(real="min_values_cpu", saves="self result", grads=(_shared_grad,), check=_check_extreme("amin"))
def amin(self, dim=(), keepdim=False):
    """``torch.amin``: the smallest value over ``dim`` (all dims by default); ties share the
    gradient evenly."""
    return c_order(xp.amin(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim))


@op(
    real="max_all",
    saves="self result",
    grads=(evenly_shared,),
    node="MaxBackward1",
    check=_check_extreme("max"),
    method=False,
)
def _max_all(self, dim, keepdim):
    return xp.amax(self)


@op(
    real="min_all",
    saves="self result",
    grads=(evenly_shared,),
    node="MinBackward1",
    check=_check_extreme("min"),
    method=False,
)
def _min_all(self, dim, keepdim):
    return xp.amin(self)


class _ReturnType(tuple):
    """A named pair of results printed as PyTorch prints ``torch.return_types.max(...)``."""

    __slots__ = ()
    _fields = ("values", "indices")

    def __new__(cls, first, second):
        return tuple.__new__(cls, (first, second))

    def __repr__(self):
        a, b = self._fields
        return f"torch.return_types.{type(self).__name__}(\n{a}={self[0]!r},\n{b}={self[1]!r})"


# Every named result type made, by PyTorch's name (``torch.return_types``): one class a name.
RETURN_TYPES: dict = {}


def _return_type(name, fields=("values", "indices")):
    made = RETURN_TYPES.get(name)
    if made is not None and made._fields == fields:
        return made
    members = {"__slots__": (), "_fields": fields}
    members.update({f: property(lambda self, i=i: self[i]) for i, f in enumerate(fields)})
    cls = type(name, (_ReturnType,), members)
    cls.__module__ = "torch.return_types"
    cls.__qualname__ = name
    RETURN_TYPES[name] = cls
    return cls


return_types = namedtuple("return_types", "max min")(_return_type("max"), _return_type("min"))


def _select(arg_fn, a, dim, keepdim):
    """The values that ``arg_fn`` (argmax or argmin) picks along ``dim``, and their indices."""
    d = dims_arg(dim, a.ndim)
    if not d:  # a 0-dim tensor: its only element, at index 0
        return a.copy(), xp.zeros((), dtype=xp.int64)
    idx = xp.expand_dims(arg_fn(a, axis=d[0]), d[0])
    values = xp.take_along_axis(a, idx, axis=d[0])
    if not keepdim:
        values, idx = values.squeeze(d[0]), idx.squeeze(d[0])
    return c_order(values), c_order(idx)


def _select_grad(g, n):
    """The gradient of max/min along a dim (and of the values of sort, topk, median ...): each
    goes back to the element its index picked, scattered into zeros (a new tensor, also for a
    0-dim input), as PyTorch's."""
    shape = n.self_shape
    idx = n.result1
    d = n.dim if shape else 0
    if shape and not n.keepdim:
        d = dims_arg(d, len(shape))[0]
        idx, g = idx.unsqueeze(d), g.unsqueeze(d)
    return scatter(_make(xp.zeros(shape, dtype=g._data.dtype)), d, _make(idx._data), g)


@op(
    real=(RuntimeError, "max(): does not support complex input"),
    saves="self_shape result1",
    grads=(_select_grad,),
    node="MaxBackward0",
    method=False,
    returns=return_types.max,
    check=_check_extreme("max"),
)
def _max_dim(self, dim, keepdim):
    return _select(xp.argmax, self, dim, keepdim)


@op(
    real=(RuntimeError, "min(): does not support complex input"),
    saves="self_shape result1",
    grads=(_select_grad,),
    node="MinBackward0",
    method=False,
    returns=return_types.min,
    check=_check_extreme("min"),
)
def _min_dim(self, dim, keepdim):
    return _select(xp.argmin, self, dim, keepdim)


def _saved_indices(node):
    """``_saved_indices`` of MaxBackward0/MinBackward0, as PyTorch names it: the indices picked."""
    return _make(node.result1._data)


for _op in (_max_dim, _min_dim):
    _op.opdef.Node._saved_indices = property(_saved_indices)


def _extreme(name, all_op, dim_op, binary):
    def extreme(input: Tensor, dim=None, keepdim: bool = False):
        if isinstance(dim, Tensor):
            return binary(input, dim)
        if dim is None:
            return all_op(input, None, False)
        int_dim(name, dim)
        return dim_op(input, dim, keepdim)

    extreme.__name__ = extreme.__qualname__ = name
    return extreme


def _argextreme(name, arg_fn):
    def forward(self, dim=None, keepdim=False):
        if self.dtype == bool:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if self.size == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                )
            out = xp.asarray(arg_fn(self.reshape(-1)), dtype=xp.int64)
            return out.reshape((1,) * self.ndim) if keepdim else out
        int_dim(name, dim)
        axes = dims_arg(dim, self.ndim)
        if not axes:
            return xp.zeros((), dtype=xp.int64)
        if self.shape[axes[0]] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axes[0]} to have non-zero size.")
        return c_order(xp.asarray(arg_fn(self, axis=axes[0], keepdims=keepdim), dtype=xp.int64))

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: the index of the {name[3:]}imum (no gradient)."
    return op(name, real=(RuntimeError, f"{name}(): does not support complex input"))(forward)


max = tensor_method(_extreme("max", _max_all, _max_dim, maximum))
min = tensor_method(_extreme("min", _min_all, _min_dim, minimum))
max.__doc__ = (
    "``torch.max``: the largest value; along ``dim``, a (values, indices) named tuple; "
    "with a tensor, ``maximum``."
)
min.__doc__ = (
    "``torch.min``: the smallest value; along ``dim``, a (values, indices) named tuple; "
    "with a tensor, ``minimum``."
)


argmax = _argextreme("argmax", xp.argmax)
argmin = _argextreme("argmin", xp.argmin)


def _truth(name, fn):
    def forward(self, dim=None, keepdim=False):
        if isinstance(dim, (tuple, list)) and not dim:  # no dim named: nothing is reduced
            out = self != 0
            return out.astype(xp.uint8) if self.dtype == xp.uint8 else out
        out = c_order(fn(self, axis=dims_arg(dim, self.ndim), keepdims=keepdim))
        # PyTorch keeps uint8 for uint8 input; every other dtype gives bool.
        return out.astype(xp.uint8) if self.dtype == xp.uint8 else out

    forward.__name__ = name
    forward.__doc__ = f"``torch.{name}``: whether {name} elements are non-zero (no gradient)."
    return op(name)(forward)


any = _truth("any", xp.any)
all = _truth("all", xp.all)


# --- norms and log-sum-exp ---------------------------------------------------------------------


def _check_norm(a, ord, dim, keepdim, dtype):
    if a.dtype.kind not in "fcV":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_dtype_name(a)}"
        )


def _norm_forward(a, ord, dim, keepdim, dtype):
    if dtype is not None:
        a = a.astype(dtype.np)
    axes = dims_arg(dim, a.ndim)
    m = xp.abs(a)
    if ord == math.inf:
        return (
            xp.amax(m, axis=axes, keepdims=keepdim)
            if a.size
            else xp.zeros(_kept_shape(a.shape, axes, keepdim), m.dtype)
        )
    if ord == -math.inf:
        return xp.amin(m, axis=axes, keepdims=keepdim)
    if ord == 0:
        return xp.sum(m != 0, axis=axes, keepdims=keepdim).astype(m.dtype)  # (real for complex)
    if ord == 1:
        return xp.sum(m, axis=axes, keepdims=keepdim)
    if ord == 2:
        return xp.sqrt(xp.sum(m * m, axis=axes, keepdims=keepdim))
    with xp.errstate(divide="ignore"):
        return xp.sum(m**ord, axis=axes, keepdims=keepdim) ** (1.0 / ord)


def _kept_shape(shape, axes, keepdim):
    if keepdim:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _norm_grad(g, n):
    x, ord = n.self, n.ord
    if ord == 0:  # piecewise constant: PyTorch leaves the gradient undefined (x.grad stays None)
        return None
    if n.dtype is not None:
        x = x.to(n.dtype)
    shape = x.shape
    g = unsqueeze_grad(g, shape, n.dim, n.keepdim)
    norm = unsqueeze_grad(n.result, shape, n.dim, n.keepdim)
    # (grouped as PyTorch's, whose first factor decides the layout where the factors' differ:
    # sgn(x) * g, g * (x / norm), (x |x|^(p-2)) * (g / norm^(p-1)))
    if ord == 1:
        out = x.sgn() * g
    elif ord in (math.inf, -math.inf):
        # Like amax/amin of |x|: the elements that reach the norm share the gradient evenly,
        # and a nan element reaches a nan norm (its sign, 0, then drops it), as in PyTorch.
        hit = ((x.abs() == norm) | x.isnan()).to(g.dtype)
        count = hit.sum(n.dim, keepdim=True) if n.dim is not None else hit.sum()
        out = x.sgn() * (g / count * hit)
    elif ord == 2:
        out = g * (x / norm).masked_fill_(norm == 0, 0.0)
    elif ord < 1:
        scaled = (x.sgn() * x.abs() ** (ord - 1)).masked_fill(x == 0, 0.0)
        out = scaled * g * norm ** (1 - ord)
    else:
        scaled = x * x.abs() ** (ord - 2) if ord > 2 else x.sgn() * x.abs() ** (ord - 1)
        out = scaled * (g / norm ** (ord - 1)).masked_fill(norm == 0, 0.0)
    return _to_dtype(out, n.self.dtype)


@op(
    saves="self result",
    grads=(_norm_grad,),
    check=_check_norm,
    node="LinalgVectorNormBackward0",
    method=False,
)
def _vector_norm(self, ord, dim, keepdim, dtype):
    return c_order(_norm_forward(self, ord, dim, keepdim, dtype))


@op(saves="self result", grads=(_norm_grad,), check=_check_norm, node="NormBackward1", method=False)
def _p_norm(self, ord, dim, keepdim, dtype):
    """The same norm as the node of ATen's ``norm(self, p, dim)`` that ``pairwise_distance``
    calls."""
    return c_order(_norm_forward(self, ord, dim, keepdim, dtype))


@tensor_method
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """``torch.norm``: a vector norm over all elements or ``dim`` (p = 2 and "fro" by default, 1,
    inf, -inf, 0 or any other number); another string, the matrix norm of that order over
    ``dim`` (which must name two dims: all of them when not given)."""
    if p == "fro":
        p = 2
    elif isinstance(p, str):
        from .. import linalg

        if dim is None:
            dim = tuple(range(input.ndim))
        elif isinstance(dim, int):
            dim = (dim,)
        return linalg.matrix_norm(input, p, dim, keepdim, dtype=dtype)
    return _vector_norm(input, p, dim, keepdim, dtype)


def _logsumexp_grad(g, n):
    x = n.self
    shape = x.shape
    weights = (x - unsqueeze_grad(n.result, shape, n.dim, n.keepdim)).exp()
    return unsqueeze_grad(g, shape, n.dim, n.keepdim) * cj(weights)


@op(saves="self result", promote="float", grads=(_logsumexp_grad,))
def logsumexp(self, dim, keepdim=False):
    """``torch.logsumexp``: log(sum(exp(x))) over ``dim``, computed without overflow."""
    axes = dims_arg(dim, self.ndim)
    if self.size == 0:
        return xp.log(xp.sum(xp.exp(self), axis=axes, keepdims=keepdim))
    # (amax and sum are these reductions, called directly; a complex input is shifted by its
    # largest real part, so the imaginary part of the result is log's principal one)
    top = xp.maximum.reduce(self.real if self.dtype.kind == "c" else self, axis=axes, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0)  # all -inf (or an inf) must not make nan
    with xp.errstate(divide="ignore"):
        out = xp.log(xp.add.reduce(xp.exp(self - top), axis=axes, keepdims=True)) + top
    return c_order(out if keepdim else out.squeeze(axes))


# --- along one dimension: cumsum, softmax, log_softmax -----------------------------------------


def int_dim(name, dim):
    """PyTorch's error for ops that take one dim, given a tuple, a list or None."""
    if not isinstance(dim, int):
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )


def _axis(dim, ndim):
    """The one axis an op along ``dim`` works on, or None for a 0-dim tensor."""
    d = _wrap_dim(dim, ndim)
    return d if ndim else None


def _cumsum_grad(g, n):
    # Each input reaches every output at or after it: the reversed cumulative sum of g (summed
    # in PyTorch's order, flipped), or g itself where each output has one input.
    d = n.dim
    g = _to_dtype(g, n.self_dtype)
    if g._data.size <= 1 or g.shape[d] == 1:
        return g
    return g.flip(d).cumsum(d).flip(d)


@op(saves="self_dtype", grads=(_cumsum_grad,))
def cumsum(self, dim, dtype=None):
    """``torch.cumsum``: running sums along ``dim`` (integers and bools sum in int64)."""
    return _cumulative("cumsum", xp.cumsum, self, dim, dtype)


def _cumulative(name, fn, a, dim, dtype):
    """``fn`` (cumsum or cumprod) along ``dim``; integers and bools accumulate in int64."""
    axis = _axis(dim, a.ndim)
    out_dtype = _sum_dtype(a, dtype)
    if axis is None:
        return a.astype(out_dtype or a.dtype)
    if out_dtype is not None and xp.dtype(out_dtype) == xp.bool_:  # (asked for: no kernel)
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    return c_order(fn(a, axis=axis, dtype=out_dtype))


@conjugated
def _cumprod_grad(g, n):
    """d/dx_i of sum_j g_j prod_{k<=j} x_k, exact where inputs are zero too:
    (prod_{k<i} x_k) * sum_{j>=i} g_j prod_{i<k<=j} x_k, from an n x n table of partial products."""
    result = n.result  # (read first, so checked for in-place writes, as PyTorch's node keeps it)
    x = n.self
    if (
        x._data.size <= 1 or x.shape[n.dim] <= 1
    ):  # each output is its input: the gradient as it came
        return _to_dtype(g, n.self_dtype)
    if not (x._data == 0).any():
        # No zero input: the sums of g * result from each position on, over the input, as
        # PyTorch computes it (from the saved result, which a saved-tensor hook may hand back
        # changed)
        d = n.dim
        return _to_dtype((g * result).flip(d).cumsum(d).flip(d) / x, n.self_dtype)
    # (the dim last: transposed there and back only when it is not, so that the gradient is no
    # view, as PyTorch's is not)
    swap = n.dim % x.ndim != x.ndim - 1
    if swap:
        x = x.transpose(n.dim, -1)
    gt = g.transpose(n.dim, -1) if swap else g
    size = x.shape[-1]
    pos = _make(xp.arange(size))
    after = pos.unsqueeze(1) < pos  # [i, j]: j > i
    table = where(after, x.unsqueeze(-2).expand(*x.shape[:-1], size, size), 1.0).cumprod(-1)
    tail = (where(after.logical_or(pos.unsqueeze(1) == pos), table, 0.0) * gt.unsqueeze(-2)).sum(-1)
    ones = _make(xp.ones(x.shape[:-1] + (1,), x._data.dtype))
    from .shape import cat

    before = cat([ones, x[..., :-1]], -1).cumprod(-1)
    grad = before * tail
    if swap:
        grad = grad.transpose(n.dim, -1)
        if not grad.is_contiguous():  # (PyTorch's gradient here is contiguous)
            grad = grad.contiguous()
    return _to_dtype(grad, n.self_dtype)


@op(saves="self result self_dtype", grads=(_cumprod_grad,))
def cumprod(self, dim, dtype=None):
    """``torch.cumprod``: running products along ``dim`` (integers and bools in int64)."""
    return _cumulative("cumprod", xp.cumprod, self, dim, dtype)


@tensor_method
def count_nonzero(input, dim=None):
    """``torch.count_nonzero``: how many elements are not zero, over ``dim`` (all by default)."""
    axes = dims_arg(dim, input.ndim)
    return _make(xp.asarray(xp.count_nonzero(input._data, axis=axes or None), dtype=xp.int64))


@tensor_method
def hash_tensor(input, dim=None, *, keepdim=False, mode=0):
    """``torch.hash_tensor``: the elements' bits (as 64-bit floats or integers) folded together
    by exclusive or, over ``dim`` (every dimension by default), as a uint64 tensor."""
    if mode != 0:
        raise RuntimeError(f"Unknown hash_tensor mode: {mode}")
    a = input._data
    if a.dtype.kind == "c":
        raise NotImplementedError(f"\"xor_sum_cpu\" not implemented for '{_dtype_name(a)}'")
    axes = dims_arg(dim, a.ndim)
    if a.size == 0:
        if dim is None or (isinstance(dim, (list, tuple)) and not dim):
            raise RuntimeError(
                "hash_tensor: Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        for d in axes:
            if a.shape[d] == 0:
                raise IndexError(f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    wide = xp.float64 if a.dtype.kind in "fV" else xp.int64
    bits = a.astype(wide).view(xp.uint64)
    return _make(xp.asarray(xp.bitwise_xor.reduce(bits, axis=axes, keepdims=keepdim)))


def _check_softmax(name):
    def check(a, dim, dtype=None):
        if dtype is None and a.dtype.kind not in "fV":
            last = "lastdim_" if _wrap_dim(dim, a.ndim) == builtins.max(a.ndim - 1, 0) else ""
            raise NotImplementedError(
                f"\"{name}_{last}kernel_impl\" not implemented for '{_dtype_name(a)}'"
            )

    return check


def _shifted(a, dim, dtype):
    """``a`` in the output dtype, minus its maximum along ``dim`` (so exp cannot overflow)."""
    if dtype is not None:
        a = a.astype(dtype.np)
    axis = _axis(dim, a.ndim)
    if a.size == 0 or axis is None:
        return a - a, axis
    top = _reduced_along(xp.maximum, a, axis)
    if xp.isfinite(top).all():
        return a - top, axis
    with xp.errstate(invalid="ignore"):  # an infinite maximum: nan along its slice, as PyTorch
        return a - top, axis


def _softmax_grad(g, n):
    # (with dtype=, PyTorch converts the input first: the gradient goes back through that copy)
    y = n.result
    return _to_dtype(_softmax_backward_data(g, y, n.dim, y.dtype), n.self_dtype)


def _reduced_along(ufunc, a, axis):
    """``ufunc.reduce`` along ``axis``, the dimension kept.  A short last axis of a matrix (the
    classes of a batch of logits) is reduced over a transposed copy: NumPy reduces it a row at a
    time, several times slower than it reduces the first axis of a contiguous array."""
    if a.ndim == 2 and axis == 1 and a.shape[1] <= 64 < a.shape[0]:
        return ufunc.reduce(xp.ascontiguousarray(a.T), axis=0)[:, None]
    return ufunc.reduce(a, axis=axis, keepdims=True)


def _summed_along(a, axis):
    return _reduced_along(xp.add, a, axis) if axis is not None else a


# softmax's and log_softmax's gradients are ops of their own, as in PyTorch (their nodes are
# SoftmaxBackwardDataBackward0 and LogSoftmaxBackwardDataBackward0 under create_graph), with the
# derivatives of y * (g - sum(g * y)) and g - exp(y) * sum(g).
@op(
    inputs="grad_output output",
    saves=("output", "grad_output output"),
    method=False,
    grads=(
        lambda gg, n: _softmax_backward_data(
            _to_dtype(gg, n.output.dtype), n.output, n.dim, n.output.dtype
        ),
        lambda gg, n: _softmax_double_backward(_to_dtype(gg, n.output.dtype), n),
    ),
)
def _softmax_backward_data(grad_output, output, dim, input_dtype):
    # y * (g - sum(g * y)), grouped as PyTorch's kernel (as g * y - y * sum(g * y) half the
    # results differed in the last bit), for as many array passes; float16 and bfloat16 in
    # float32, rounded once (the op is told its result's dtype, so the table leaves it alone)
    if output.itemsize == 2 and output.dtype.kind in "fV":
        grad_output, output = grad_output.astype(xp.float32), output.astype(xp.float32)
    total = _summed_along(grad_output * output, _axis(dim, output.ndim))
    out = output * (grad_output - total)
    return out.astype(input_dtype.np, copy=False)


def _softmax_double_backward(gg, n):
    go, y, dim = n.grad_output, n.output, n.dim
    return go * gg - (y * go).sum(dim, keepdim=True) * gg - go * (y * gg).sum(dim, keepdim=True)


@op(
    inputs="grad_output output",
    saves=("output", "grad_output output"),
    method=False,
    grads=(
        lambda gg, n: (
            _to_dtype(gg, n.output.dtype)
            - (_to_dtype(gg, n.output.dtype) * n.output.exp()).sum(n.dim, keepdim=True)
        ),
        lambda gg, n: (
            -n.grad_output.sum(n.dim, keepdim=True) * n.output.exp() * _to_dtype(gg, n.output.dtype)
        ),
    ),
)
def _log_softmax_backward_data(grad_output, output, dim, input_dtype):
    out = grad_output - xp.exp(output) * _summed_along(grad_output, _axis(dim, output.ndim))
    return out.astype(input_dtype.np, copy=False)


def _logsumexp_jvp(t, x, dim, dtype):
    """The tangent of logsumexp(x) along ``dim`` (kept), as PyTorch's softmax and log_softmax
    compute it: the shifted exponential is scaled by the tangent in place, so a backward pass
    through the tangent that reaches that exponential meets PyTorch's "modified by an inplace
    operation" error (exp saved its result), as it does in PyTorch."""
    if dtype is not None:
        x, t = x.to(dtype), t.to(dtype)
    if x.numel() == 0:
        return (x.exp() * t).sum(dim, keepdim=True) / x.exp().sum(dim, keepdim=True)
    e = (x - x.amax(dim, keepdim=True)).exp()
    total = e.sum(dim, keepdim=True)
    e.mul_(t)
    return e.sum(dim, keepdim=True).div_(total)


def _softmax_jvp(t, x, r, dim, dtype):
    tt = t[0] if dtype is None else t[0].to(dtype)
    return r[0] * (tt - _logsumexp_jvp(t[0], x[0], dim, dtype))


def _log_softmax_jvp(t, x, r, dim, dtype):
    tt = t[0] if dtype is None else t[0].to(dtype)
    return tt - _logsumexp_jvp(t[0], x[0], dim, dtype)


@op(
    saves="self_dtype result",
    grads=(_softmax_grad,),
    jvp=_softmax_jvp,
    check=_check_softmax("softmax"),
)
def softmax(self, dim, dtype=None):
    """``torch.softmax``: exp(x) / sum(exp(x)) along ``dim``, computed without overflow."""
    z, axis = _shifted(self, dim, dtype)
    e = xp.exp(z)
    with xp.errstate(invalid="ignore"):  # a slice of -inf only: nan, silently as PyTorch
        return c_order(e / _summed_along(e, axis))


@op(
    saves="self_dtype result",
    grads=(_softmax_grad,),
    check=_check_softmax("softmax"),
    method=False,
)
def _safe_softmax(self, dim, dtype=None):
    """``torch._safe_softmax``: softmax, but 0 along a slice that is all -inf (attention with
    every key masked), where softmax gives nan; its gradient there is 0 too."""
    out = softmax.opdef.forward(self, dim, dtype)
    axis = _axis(dim, self.ndim)
    if self.size and axis is not None:
        masked = _reduced_along(xp.logical_and, self == -xp.inf, axis)
        out[xp.broadcast_to(masked, out.shape)] = 0
    return out


def _log_softmax_grad(g, n):
    y = n.result
    return _to_dtype(_log_softmax_backward_data(g, y, n.dim, y.dtype), n.self_dtype)


@op(
    saves="self_dtype result",
    grads=(_log_softmax_grad,),
    jvp=_log_softmax_jvp,
    check=_check_softmax("log_softmax"),
)
def log_softmax(self, dim, dtype=None):
    """``torch.log_softmax``: x - logsumexp(x) along ``dim``, computed without overflow."""
    if self.ndim == 2 and _wrap_dim(dim, 2) == 1 and self.shape[1] <= 64 < self.shape[0]:
        return _log_softmax_of_rows(self, dtype)
    z, axis = _shifted(self, dim, dtype)
    if axis is None:
        return z
    with xp.errstate(divide="ignore", invalid="ignore"):  # nan where a slice holds an infinity
        return c_order(z - xp.log(_summed_along(xp.exp(z), axis)))


def _log_softmax_of_rows(a, dtype):
    """log_softmax along the short rows of a tall matrix (the classes of a batch of logits),
    worked out on one transposed copy: NumPy reduces the first axis of a contiguous array
    several times faster than it reduces short rows, and the subtractions go in place.  The
    same arithmetic in the same order as the general case, so the same values bit for bit."""
    t = a.T.astype(dtype.np, order="C") if dtype is not None else a.T.copy()
    top = xp.maximum.reduce(t, axis=0)
    if xp.isfinite(top).all():
        t -= top
        t -= xp.log(xp.add.reduce(xp.exp(t), axis=0))
    else:  # nan along a row that holds an infinity or a nan, silently as PyTorch
        with xp.errstate(invalid="ignore"):
            t -= top
            t -= xp.log(xp.add.reduce(xp.exp(t), axis=0))
    return xp.ascontiguousarray(t.T)


# --- pairs of statistics, nan-ignoring sums, running extremes -----------------------------------

_AMINMAX = _return_type("aminmax", ("min", "max"))
_CUMMAX = _return_type("cummax")
_CUMMIN = _return_type("cummin")


def _mean_part(g, n):
    """The gradient a mean over ``n.dim`` passes back: ``g`` spread evenly over what it averaged."""
    shape = n.self.shape
    return _div_scalar(expand_grad(g, shape, n.dim, n.keepdim), _count(shape, n.dim))


def _spread_mean_grad(of_std):
    """The formula of var_mean (``of_std`` False) or std_mean: the spread's gradient plus the
    mean's, for whichever of the two outputs got one."""

    def formula(grads, n):
        g_spread, g_mean = (list(grads) + [None])[:2]
        parts = []
        if g_spread is not None:
            if of_std:
                g_spread = _var_of_std_grad(g_spread, n.result)
            parts.append(_var_grad(g_spread, n))
        if g_mean is not None:
            parts.append(_mean_part(g_mean, n))
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    return formula


def _mean_of(a, dim, keepdim):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return c_order(xp.mean(a, axis=dims_arg(dim, a.ndim), keepdims=keepdim))


@op(
    saves="self",
    grads=(_spread_mean_grad(False),),
    check=_check_var,
    outputs=2,
    returns=lambda *pair: pair,
    node="VarMeanBackward0",
    method=False,
)
def _var_mean(self, dim, correction, keepdim):
    return _var_forward(self, dim, correction, keepdim, "var_mean"), _mean_of(self, dim, keepdim)


@op(
    saves="self result",
    grads=(_spread_mean_grad(True),),
    check=_check_var,
    outputs=2,
    returns=lambda *pair: pair,
    node="StdMeanBackward0",
    method=False,
)
def _std_mean(self, dim, correction, keepdim):
    with xp.errstate(invalid="ignore"):
        std = xp.sqrt(_var_forward(self, dim, correction, keepdim, "std_mean"))
    return std, _mean_of(self, dim, keepdim)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``torch.var_mean``: (variance, mean) over ``dim``, one node for both."""
    dim, correction = _correction("var_mean", dim, unbiased, correction)
    return _var_mean(input, dim, correction, keepdim)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``torch.std_mean``: (standard deviation, mean) over ``dim``, one node for both."""
    dim, correction = _correction("std_mean", dim, unbiased, correction)
    return _std_mean(input, dim, correction, keepdim)


def _nansum_grad(g, n):
    return _to_dtype(expand_grad(g, n.self.shape, n.dim, n.keepdim), n.self.dtype).masked_fill(
        n.self.isnan(), 0.0
    )


@op(
    real=(RuntimeError, "nansum on CPU does not support complex inputs"),
    saves="self",
    grads=(_nansum_grad,),
    node="NansumBackward0",
    method=False,
)
def _nansum(self, dim, keepdim, dtype):
    axes = dims_arg(dim, self.ndim)
    return c_order(xp.nansum(self, axis=axes, keepdims=keepdim, dtype=_sum_dtype(self, dtype)))


@tensor_method
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.nansum``: the sum with nan counted as zero."""
    return _nansum(input, dim, keepdim, dtype)


@tensor_method
def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.nanmean``: the mean of the elements that are not nan (PyTorch's composition:
    nansum divided by the count of the others)."""
    if input.dtype.category < 2:
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype._tensor_name[:-6]}"
        )
    count = (~input.isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def _check_aminmax(a, dim, keepdim):
    if dim is None:
        if a.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                "no identity."
            )
    elif a.ndim and a.shape[_wrap_dim(dim, a.ndim)] == 0:  # (named wrapped, unlike amax's)
        raise IndexError(
            f"aminmax: Expected reduction dim {_wrap_dim(dim, a.ndim)} to have non-zero size."
        )


def _aminmax_grad(grads, n):
    g_min, g_max = (list(grads) + [None])[:2]
    parts = []
    for g, result in ((g_min, n.result), (g_max, n.result1)):
        if g is not None:
            parts.append(_even_among(g, n.self, result, n.dim, n.keepdim))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def _even_among(g, x, result, dim, keepdim):
    """``g`` shared evenly by the elements of ``x`` equal to ``result`` (their max or min)."""
    shape = x.shape
    hit = (x == expand_grad(result, shape, dim, keepdim)).to(g.dtype)
    count = hit.sum(dim, keepdim=True) if dim is not None else hit.sum()
    return expand_grad(g, shape, dim, keepdim) * hit / count


@op(
    real="aminmax_cpu",
    saves="self result result1",
    grads=(_aminmax_grad,),
    check=_check_aminmax,
    outputs=2,
    returns=_AMINMAX,
    node="AminmaxBackward0",
    method=False,
)
def _aminmax(self, dim, keepdim):
    axes = dims_arg(dim, self.ndim)
    return (
        c_order(xp.amin(self, axis=axes, keepdims=keepdim)),
        c_order(xp.amax(self, axis=axes, keepdims=keepdim)),
    )


@tensor_method
def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``torch.aminmax``: (min, max) in one pass, over ``dim`` or all elements; ties share the
    gradient evenly, as ``amin``/``amax``."""
    if dim is not None:
        int_dim("aminmax", dim)
    return _aminmax(input, dim, keepdim)


def _logcumsumexp_grad(g, n):
    # d out_j / d x_i = exp(x_i - out_j) for j >= i: the gradient is exp(x_i) times the reversed
    # running sum of g_j exp(-out_j), taken in log space (a reversed logcumsumexp) so that no
    # exp overflows; a real g's positive and negative parts apart, each part's log where it is
    # absent the dtype's lowest finite value, as PyTorch computes it (its bits, and its graph
    # under create_graph).  Not linear in g: forward mode reads ``_logcumsumexp_jvp`` instead.
    x, out, d = n.self, n.result, n.dim
    if g.ndim == 0 or g.numel() == 0:
        return g

    def reversed_lcse(t):
        return t.flip([d]).logcumsumexp(d).flip([d])

    if g.dtype.is_complex:
        return (reversed_lcse(g.conj().log() - out) + x).exp().conj()
    lowest = float(xp.finfo(g.dtype.np).min)
    log_abs = g.abs().log()
    parts = [
        (reversed_lcse(where(part, log_abs, lowest) - out) + x).exp() for part in (g > 0, g < 0)
    ]
    return parts[0] - parts[1]


def _logcumsumexp_jvp(tangents, inputs, results, dim):
    # the tangent's running sum weighted by exp(x), over the running sum of exp(x) (plus 1e-13,
    # which keeps an all -inf prefix finite), x less its maximum along dim where it is real
    x, t = inputs[0], tangents[0]
    e = (x - x.amax(dim, keepdim=True)).exp() if not x.dtype.is_complex else x.exp()
    return (e * t).cumsum(dim) / (e.cumsum(dim) + 1e-13)


@op(saves="self result", promote="float", grads=(_logcumsumexp_grad,), jvp=_logcumsumexp_jvp)
def logcumsumexp(self, dim):
    """``torch.logcumsumexp``: log of the running sum of exp along ``dim``, without overflow."""
    if self.ndim == 0:
        return self.copy()
    axis = _wrap_dim(dim, self.ndim)
    if self.dtype.kind == "c":
        # PyTorch's scan, step by step along the dim (each step over the whole slice), each
        # element added to the running value from -inf (the first one too: an element of real
        # part -inf gives -inf+0j): the log's imaginary part is then the one PyTorch gives, not
        # only the same modulo 2 pi
        out = xp.moveaxis(self.copy(), axis, 0)
        running = xp.full(out.shape[1:], -xp.inf, dtype=out.dtype)
        for i in range(out.shape[0]):
            running = out[i] = complex_logaddexp(out[i], running)
        return c_order(xp.moveaxis(out, 0, axis))
    # float32 accumulated in float64, each running value rounded once, as PyTorch's CPU scan
    # does (NumPy's float32 logaddexp differs from it in the last bit in most values); a
    # difference of two terms beyond the largest float (the second derivative's terms near
    # the lowest float) overflows inside NumPy's logaddexp to the right value, silently as in
    # PyTorch
    wide = xp.float64 if self.dtype == xp.float32 else None
    with xp.errstate(over="ignore"):
        out = xp.logaddexp.accumulate(self, axis=axis, dtype=wide)
    return c_order(out.astype(self.dtype, copy=False))


def _running_extreme(a, dim, accumulate):
    """Running max (``accumulate`` = maximum.accumulate) or min along ``dim``, and the index of
    the element each running value came from: the latest of equal values (and of nans, which
    win), as PyTorch's kernels keep it."""
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    axis = _wrap_dim(dim, a.ndim)
    values = accumulate(a, axis=axis)
    positions = xp.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - axis - 1))
    # where the element is the running value, it is the latest source; carried on by a running max
    source = xp.where((a == values) | xp.isnan(a), positions, 0)
    return c_order(values), c_order(xp.maximum.accumulate(source, axis=axis).astype(xp.int64))


def _running_grad(g, n):
    index = n.result1
    zeros = _make(xp.zeros(n.self_shape, dtype=g._data.dtype))
    return zeros.scatter_add(n.dim, _make(index._data), g)


@op(
    real="cummax_cpu",
    saves="self_shape result1",
    grads=(_running_grad,),
    returns=_CUMMAX,
    node="CummaxBackward0",
    method=False,
)
def _cummax(self, dim):
    return _running_extreme(self, dim, xp.maximum.accumulate)


@op(
    real="cummin_cpu",
    saves="self_shape result1",
    grads=(_running_grad,),
    returns=_CUMMIN,
    node="CumminBackward0",
    method=False,
)
def _cummin(self, dim):
    return _running_extreme(self, dim, xp.minimum.accumulate)


@tensor_method
def cummax(input: Tensor, dim: int):
    """``torch.cummax``: running maxima along ``dim`` and where each came from."""
    int_dim("cummax", dim)
    _wrap_dim(dim, input.ndim)
    return _cummax(input, dim)


@tensor_method
def cummin(input: Tensor, dim: int):
    """``torch.cummin``: running minima along ``dim`` and where each came from."""
    int_dim("cummin", dim)
    _wrap_dim(dim, input.ndim)
    return _cummin(input, dim)


# --- quantiles ---------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    """PyTorch's composition: sort along ``dim`` (nan last), the rank q * (n - 1) of each
    quantile among the values (n counting the non-nan ones for ``nanquantile``), the two values
    around it gathered and interpolated."""
    scalar_q = not isinstance(q, Tensor)
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    qs = xp.atleast_1d(xp.asarray(q._data if isinstance(q, Tensor) else q, dtype=xp.float64))
    if input.dtype.category != 2:
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    bad = qs[(qs < 0) | (qs > 1)]
    if bad.size:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {bad[0]:g}")
    if dim is None:
        x = input.reshape(-1)
        d = 0
        kept_shape = (1,) * input.ndim
    else:
        d = _wrap_dim(dim, input.ndim)
        x = input
        kept_shape = tuple(1 if i == d else n for i, n in enumerate(input.shape))
    if x.ndim == 0:
        x, d = x.reshape(1), 0
    base = x.sort(d).values.movedim(d, -1)  # ... x n
    n = base.shape[-1]
    nan_last = base._data[..., -1:]
    if ignore_nan:
        counts = (~xp.isnan(base._data)).sum(-1, keepdims=True)
    else:
        counts = xp.full(nan_last.shape, n)
    ranks = qs * (counts - 1)  # ... x Q
    # (the ranks that do not follow q: all nan, the first, a nan; a nan among them, the answer)
    fixed = (counts == 0) if ignore_nan else xp.isnan(nan_last)
    ranks = xp.where(fixed, 0.0 if ignore_nan else n - 1.0, ranks)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = xp.floor(ranks).astype(xp.int64)
    values = base.unsqueeze(-2).expand(*base.shape[:-1], qs.size, n)  # ... x Q x n
    result = values.gather(-1, _make(below[..., None])).squeeze(-1)
    if interpolation in ("linear", "midpoint"):
        above = xp.ceil(ranks).astype(xp.int64)
        high = values.gather(-1, _make(above[..., None])).squeeze(-1)
        fraction = 0.5 if interpolation == "midpoint" else ranks - below
        weight = _make(
            xp.broadcast_to(xp.asarray(fraction, dtype=base._data.dtype), ranks.shape).copy()
        )
        if interpolation == "linear" and isinstance(q, Tensor) and q.requires_grad:
            # the same weight as a function of q, which then gets a gradient through it
            steps = _make(xp.asarray(counts - 1, dtype=base._data.dtype))
            follows = q.reshape(-1).to(weight.dtype) * steps - _make(
                below.astype(weight._data.dtype)
            )
            weight = where(_make(xp.broadcast_to(fixed, ranks.shape)), weight, follows)
        result = result.lerp(high, weight)
    result = result.movedim(-1, 0)  # Q x ...
    if keepdim:
        result = result.reshape((qs.size,) + kept_shape)
    if scalar_q:
        result = result.squeeze(0)
    return result


@_autocast.float32
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.quantile``: the q-th quantiles of ``input`` along ``dim`` (all elements by
    default), interpolated between neighbouring values as ``interpolation`` says; nan if a nan
    is among them."""
    result = _quantile(input, q, dim, keepdim, interpolation, False)
    return result if out is None else _out_result("quantile", result, out, input)


@_autocast.float32
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.nanquantile``: ``quantile`` of the values that are not nan."""
    result = _quantile(input, q, dim, keepdim, interpolation, True)
    return result if out is None else _out_result("nanquantile", result, out, input)


def _out_result(name, result, out, input):
    from .._out import write_out

    return write_out(name, result, out, (input,))


tensor_method(quantile)
tensor_method(nanquantile)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """``torch.histc``: counts of the values in ``bins`` equal bins over [min, max] (over the data's
    own range when min and max are equal); values outside are left out.  It has no gradient."""
    a = input._data
    if a.dtype.kind == "c":  # (PyTorch's range finding refuses it first)
        raise NotImplementedError(f"\"aminmax_cpu\" not implemented for '{_dtype_name(a)}'")
    if a.dtype.kind not in "fV":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_dtype_name(a)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(xp.min(a)), float(xp.max(a))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    flat = a.reshape(-1)
    kept = flat[(flat >= lo) & (flat <= hi)]
    counts, _ = xp.histogram(kept, bins, range=(lo, hi))
    result = _make(counts.astype(a.dtype))
    if out is not None:
        from .._out import write_out

        return write_out("histc", result, out, (input,))
    return result


tensor_method(histc)

__all__ = [
    "all",
    "histc",
    "quantile",
    "nanquantile",
    "var_mean",
    "std_mean",
    "nansum",
    "nanmean",
    "aminmax",
    "logcumsumexp",
    "cummax",
    "cummin",
    "count_nonzero",
    "hash_tensor",
    "cumprod",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "cumsum",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "prod",
    "softmax",
    "std",
    "sum",
    "var",
]
