"""vmap's batched tensors and the batching rules that run an op once over a whole batch.

A ``BatchedTensor`` wraps a tensor (``_value``) whose dimension 0 is the batch dimension of one
vmap level; its ``shape``, ``dim()`` and ``size()`` are the per-example (logical) ones.  Nested vmap
calls nest the wrappers: the ``_value`` of a level-2 tensor may itself be batched at level 1.

Every op of the op table, and the composite functions that read arrays directly (``matmul``,
``reshape``, ``__getitem__``, ``cat`` ...), ask ``_switches.batching`` first while a vmap call runs.
``dispatch`` below answers: NotImplemented when no argument is batched; else the op's rule from
``RULES``, which translates the op to one call on the batched values (dims shifted past the batch
dimension, operands aligned for broadcasting, 1-D matmul operands made matrices ...); and for an op
with no rule, the declared fallback: a Python loop over the batch that stacks the results.  Each op
that fell back is counted in ``FALLBACKS`` and named once in a warning.
"""

import sys
import threading
import warnings
from collections import Counter

from .. import _switches
from ..tensor import Size, Tensor

FALLBACKS: Counter = Counter()  # op name -> how many calls ran as a loop over the batch

RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the 'same' "
    "or 'different' randomness flags on vmap or perform the randomness operation out of vmap"
)
ITEM_ERROR = (
    "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over calling "
    ".item() on a Tensor, please try to rewrite what you're doing with other operations. If error "
    "is occurring somewhere inside PyTorch internals, please file a bug report."
)


class BatchedArrayError(NotImplementedError, AttributeError):
    """Code read the array of a batched tensor (an AttributeError too, so that code that reads it
    only when there is one, ``getattr(x, "_data", x)``, takes the batched tensor as it is)."""


class Level:
    """One running vmap call: its batch size and randomness mode."""

    __slots__ = ("size", "randomness")

    def __init__(self, size, randomness):
        self.size = size
        self.randomness = randomness


class _Levels(threading.local):
    def __init__(self):
        self.stack = []  # this thread's running vmap calls, outermost first
        self.drawing = 0  # >0 while a batching rule draws for a whole batch


_LOCAL = _Levels()


def running() -> list:
    """This thread's running vmap calls, outermost first; a tensor's level is its index + 1."""
    return _LOCAL.stack


class BatchedTensor(Tensor):
    """A tensor batched at one vmap level: ``_value`` holds the examples along its dimension 0."""

    __slots__ = ("_value", "_level")

    # --- what reads the per-example shape -----------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._value.shape[1:])

    def size(self, dim=None):
        shape = self._value.shape[1:]
        if dim is None:
            return Size(shape)
        return shape[_wrap(dim, len(shape))]

    @property
    def ndim(self) -> int:
        return self._value.dim() - 1

    def dim(self) -> int:
        return self._value.dim() - 1

    ndimension = dim

    def numel(self) -> int:
        return Size(self._value.shape[1:]).numel()

    nelement = numel

    @property
    def dtype(self):
        return self._value.dtype

    def is_floating_point(self) -> bool:
        return self._value.is_floating_point()

    def is_complex(self) -> bool:
        return self._value.is_complex()

    def element_size(self) -> int:
        return self._value.element_size()

    @property
    def requires_grad(self) -> bool:
        return self._value.requires_grad

    @property
    def grad_fn(self):
        return self._value.grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._value.is_leaf

    def is_contiguous(self, memory_format=None) -> bool:
        return True  # (layout is the batched value's business)

    def contiguous(self, memory_format=None):
        return self

    @property
    def T(self):
        return self.permute(tuple(range(self.dim() - 1, -1, -1)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def detach(self):
        return wrap(self._value.detach(), self._level)

    def __len__(self):
        shape = self._value.shape
        if len(shape) < 2:
            raise TypeError("len() of a 0-d tensor")
        return shape[1]

    def __iter__(self):
        return iter(self.unbind(0))

    def __getitem__(self, key):
        return getitem(self, key)

    def item(self):
        raise RuntimeError(ITEM_ERROR)

    def tolist(self):
        raise RuntimeError(ITEM_ERROR)

    def __bool__(self):
        raise RuntimeError(
            "vmap: It looks like you're attempting to use a Tensor in some data-dependent control "
            "flow. We don't support that yet, please shout over at "
            "https://github.com/pytorch/functorch/issues/257 ."
        )

    __float__ = __int__ = __index__ = item

    def numpy(self, *, force=False):
        raise RuntimeError("vmap: numpy() of a batched tensor has no per-example meaning.")

    def __repr__(self):
        return f"BatchedTensor(lvl={self._level}, bdim=0, value=\n{self._value!r}\n)"

    def __getattr__(self, name):
        # Reached for the array slot, which a batched tensor does not have: code that reads the
        # array of its argument directly, with no batching rule in front of it.
        if name == "_data":
            caller = sys._getframe(1).f_code.co_name
            raise BatchedArrayError(
                f"vmap: {caller}() read the array of a batched tensor directly and has no "
                "batching rule in retrograd; run it outside vmap."
            )
        raise AttributeError(f"'BatchedTensor' object has no attribute '{name}'")


def wrap(value, level):
    """``value`` (batch at dim 0) as a tensor batched at ``level``."""
    t = object.__new__(BatchedTensor)
    t._value = value
    t._level = level
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._cuts = None
    t._vc = value._vc
    return t


def _wrap(dim, n):
    if not -max(n, 1) <= dim < max(n, 1):
        lo, hi = -max(n, 1), max(n, 1) - 1
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim % max(n, 1)


def _level_of(x, level):
    return type(x) is BatchedTensor and x._level == level


def _top_level(args, kwargs):
    top = 0
    for a in args:
        t = type(a)
        if t is BatchedTensor:
            if a._level > top:
                top = a._level
        elif t is tuple or t is list:
            for b in a:
                if type(b) is BatchedTensor and b._level > top:
                    top = b._level
    if kwargs:
        for a in kwargs.values():
            if type(a) is BatchedTensor and a._level > top:
                top = a._level
    return top


def dispatch(fn, args, kwargs):
    """The op-call handler (``_switches.set_handler``) of a thread in vmap: run ``fn`` (an op or a
    composite) on batched arguments."""
    level = _top_level(args, kwargs)
    if not level:
        if getattr(fn, "__name__", "") in ("rand", "randn") and fn.__module__.endswith("creation"):
            return random_factory(fn, args, kwargs)
        return NotImplemented
    opdef = getattr(fn, "opdef", None)
    name = opdef.name if opdef is not None else fn.__name__ + "()"  # (a composite function)
    rule = RULES.get(name)
    if rule is not None:
        if opdef is not None and (kwargs or len(args) != len(opdef.params)):
            args, kwargs = opdef.bind(args, kwargs), {}
        out = rule(fn, level, *args, **kwargs)
        if out is not NotImplemented:
            return out
    return fallback(fn, name, level, args, kwargs)


# --- the fallback: a loop over the batch --------------------------------------------------------


def _select(x, level, i):
    if type(x) is BatchedTensor and x._level == level:
        return x._value[i]
    if type(x) in (tuple, list):
        return type(x)(_select(b, level, i) for b in x)
    return x


def fallback(fn, name, level, args, kwargs):
    """``fn`` run on each example in turn and the results stacked: for ops with no rule."""
    if not FALLBACKS[name]:
        warnings.warn(
            f"vmap: {name} has no batching rule in retrograd; it runs as a Python loop over the "
            "batch (slower, same values).",
            stacklevel=4,
        )
    FALLBACKS[name] += 1
    size = running()[level - 1].size
    outs = [
        fn(
            *[_select(a, level, i) for a in args],
            **{k: _select(v, level, i) for k, v in kwargs.items()},
        )
        for i in range(size)
    ]
    return _stacked(outs, level)


def _stacked(outs, level):
    from ..ops.shape import stack

    first = outs[0]
    if isinstance(first, Tensor):
        return wrap(stack(outs), level)
    if isinstance(first, tuple):
        parts = [_stacked([o[j] for o in outs], level) for j in range(len(first))]
        return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
    if isinstance(first, list):
        return [_stacked([o[j] for o in outs], level) for j in range(len(first))]
    if all(o == first for o in outs):
        return first
    raise RuntimeError(
        "vmap: an operation returned a Python value that differs between examples; it has no "
        "per-example tensor to stack."
    )


# --- helpers for the rules ----------------------------------------------------------------------


def _value(x, level):
    """The batched value of ``x`` at ``level`` (batch at dim 0), or None when it is not batched."""
    return x._value if type(x) is BatchedTensor and x._level == level else None


def _lead(v, n):
    """``v`` (batch at dim 0) with ``n`` size-1 dims after the batch dim."""
    if n <= 0:
        return v
    return v.reshape((v.shape[0],) + (1,) * n + tuple(v.shape[1:]))


def _logical_ndim(x, level):
    if type(x) is BatchedTensor and x._level == level:
        return x._value.dim() - 1
    return x.dim() if isinstance(x, Tensor) else 0


def _aligned(level, tensors):
    """Values for a broadcasting op: each batched one padded to the largest per-example rank, so
    that its batch dim leads every other operand's dims; unbatched ones as they are."""
    n = max(_logical_ndim(t, level) for t in tensors)
    out = []
    for t in tensors:
        v = _value(t, level)
        out.append(t if v is None else _lead(v, n - (v.dim() - 1)))
    return out


def _as_batched(x, level):
    """``x`` as a batched value (batch at dim 0), expanding an unbatched one."""
    v = _value(x, level)
    if v is not None:
        return v
    size = running()[level - 1].size
    return x.unsqueeze(0).expand((size,) + tuple(x.shape))


# --- the rules ----------------------------------------------------------------------------------

RULES: dict = {}


def _rule(*names):
    def register(f):
        for n in names:
            RULES[n] = f
        return f

    return register


# Elementwise ops of one tensor (their other arguments are numbers or flags): the batch is one
# more leading dimension.
@_rule(
    *"""abs acos asin atan ceil cos cosh digamma erf erfc erfinv exp expm1 floor frac lgamma log
    log10 log1p log2 logit neg reciprocal relu round rsqrt sigmoid sign sin sinc sinh sqrt tan
    tanh trunc isfinite isinf isnan logical_not bitwise_not nan_to_num polygamma _pow_scalar
    _elu _gelu _hardsigmoid _hardswish _hardtanh _leaky_relu _log_sigmoid _mish _silu _softplus
    _threshold _clamp_scalar _clamp_min_scalar _clamp_max_scalar _copysign_scalar
    _round_decimals clone _to_copy _fill _zero _inv _det _slogdet _matrix_exp matrix_exp _cholesky
    _pinv _eigh _qr _svd""".split()
)
def _elementwise(fn, level, x, *rest):
    return _wrap_out(fn(x._value, *rest), level)


def _wrap_out(out, level):
    if isinstance(out, Tensor):
        return wrap(out, level)
    parts = [wrap(o, level) for o in out]
    return type(out)(*parts) if hasattr(out, "_fields") else tuple(parts)


@_rule("_pow_scalar_base")
def _pow_base(fn, level, exponent, base):
    return wrap(fn(exponent._value, base), level)


def _broadcasting(k):
    def rule(fn, level, *args):
        tensors = [a for a in args[:k] if isinstance(a, Tensor)]
        aligned = iter(_aligned(level, tensors))
        new = [next(aligned) if isinstance(a, Tensor) else a for a in args[:k]]
        return wrap(fn(*new, *args[k:]), level)

    return rule


for _name, _k in (
    (
        "add _sub _rsub mul true_divide _rounded_div _floor_divide fmod remainder atan2 hypot "
        "maximum minimum logaddexp logaddexp2 xlogy _copysign _pow_tensor eq ne lt le gt ge "
        "logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor isclose nextafter "
        "ldexp _heaviside _igamma _igammac _clamp_min_tensor _clamp_max_tensor _lerp_scalar "
        "_masked_fill_scalar threshold_backward sigmoid_backward tanh_backward "
        "_standard_gamma_grad",
        2,
    ),
    ("addcmul addcdiv _clamp_tensor _lerp_tensor _where _masked_fill_tensor", 3),
):
    for _n in _name.split():
        RULES[_n] = _broadcasting(_k)


def _shift(dim, n):
    return _wrap(dim, n) + 1


def _shift_dims(dim, n):
    if isinstance(dim, (tuple, list)):
        return tuple(_shift(d, n) for d in dim)
    return _shift(dim, n)


def _all_dims(v):
    return tuple(range(1, v.dim()))


# Reductions whose dim may be None (all dims), an int or a tuple.
@_rule("_sum_dim", "_mean_dim", "_nansum", "_prod_dim")
def _reduce_dim_dtype(fn, level, x, dim, keepdim, dtype):
    v = x._value
    n = v.dim() - 1
    if n == 0 or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return NotImplemented
    dims = _all_dims(v) if dim is None else _shift_dims(dim, n)
    return wrap(fn(v, dims, keepdim, dtype), level)


@_rule("_sum_all")
def _sum_all(fn, level, x, dtype):
    from ..ops.reduction import _sum_dim

    v = x._value
    return NotImplemented if v.dim() == 1 else wrap(_sum_dim(v, _all_dims(v), False, dtype), level)


@_rule("_mean_all")
def _mean_all(fn, level, x, dim, keepdim, dtype):
    from ..ops.reduction import _mean_dim

    v = x._value
    return NotImplemented if v.dim() == 1 else wrap(_mean_dim(v, _all_dims(v), False, dtype), level)


@_rule("amax", "amin", "logsumexp", "all", "any")
def _reduce_dim(fn, level, x, dim=None, keepdim=False):
    v = x._value
    n = v.dim() - 1
    if n == 0 or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return NotImplemented
    dims = _all_dims(v) if dim is None else _shift_dims(dim, n)
    return wrap(fn(v, dims, keepdim), level)


@_rule("_max_all", "_min_all")
def _max_all(fn, level, x, dim=None, keepdim=False):
    from ..ops.reduction import amax, amin

    v = x._value
    if v.dim() == 1:
        return NotImplemented
    return wrap((amax if fn.opdef.name == "_max_all" else amin)(v, _all_dims(v)), level)


@_rule("_std", "_var", "_std_mean", "_var_mean")
def _moments(fn, level, x, dim, correction, keepdim):
    v = x._value
    n = v.dim() - 1
    if n == 0:
        return NotImplemented
    dims = _all_dims(v) if dim is None else _shift_dims(dim, n)
    return _wrap_out(fn(v, dims, correction, keepdim), level)


@_rule("_vector_norm")
def _vector_norm(fn, level, x, ord, dim, keepdim, dtype):
    v = x._value
    n = v.dim() - 1
    if n == 0:
        return NotImplemented
    dims = _all_dims(v) if dim is None else _shift_dims(dim, n)
    return wrap(fn(v, ord, dims, keepdim, dtype), level)


@_rule("argmax", "argmin")
def _argmax(fn, level, x, dim=None, keepdim=False):
    v = x._value
    n = v.dim() - 1
    if dim is None:
        if keepdim:
            return NotImplemented
        return wrap(fn(v.reshape(v.shape[0], -1), 1, False), level)
    return wrap(fn(v, _shift(dim, n), keepdim), level)


# Ops along one int dim (the rest of their arguments as they are).
@_rule(
    "softmax",
    "log_softmax",
    "cumsum",
    "cumprod",
    "logcumsumexp",
    "_cummax",
    "_cummin",
    "_glu",
    "_sort",
    "_sort_stable",
    "_max_dim",
    "_min_dim",
    "_median_dim",
    "_nanmedian_dim",
    "_mode",
    "_squeeze_dim",
    "_squeeze_dims",
    "split",
    "split_with_sizes",
    "unbind",
    "_aminmax",
)
def _along_first_attr(fn, level, x, dim, *rest):
    v = x._value
    if dim is None:
        return NotImplemented
    out = fn(v, _shift_dims(dim, v.dim() - 1), *rest)
    return _wrap_out(out, level) if isinstance(out, (Tensor, tuple, list)) else out


@_rule("_topk", "_kthvalue")
def _topk(fn, level, x, k, dim, *rest):
    v = x._value
    return _wrap_out(fn(v, k, _shift(dim, v.dim() - 1), *rest), level)


@_rule("unsqueeze")
def _unsqueeze(fn, level, x, dim):
    v = x._value
    return wrap(fn(v, _wrap(dim, v.dim()) + 1), level)


@_rule("_squeeze")
def _squeeze(fn, level, x, dim=None):
    v = x._value
    dims = tuple(i for i in range(1, v.dim()) if v.shape[i] == 1)
    return wrap(v.squeeze(dims) if dims else v.view(v.shape), level)


@_rule("transpose")
def _transpose(fn, level, x, dim0, dim1):
    v = x._value
    n = v.dim() - 1
    return wrap(fn(v, _shift(dim0, n), _shift(dim1, n)), level)


@_rule("t")
def _t(fn, level, x):
    v = x._value
    return wrap(v.transpose(1, 2) if v.dim() == 3 else v.view(v.shape), level)


@_rule("permute")
def _permute(fn, level, x, dims):
    v = x._value
    n = v.dim() - 1
    return wrap(fn(v, (0,) + tuple(_shift(d, n) for d in dims)), level)


@_rule("diagonal")
def _diagonal(fn, level, x, offset=0, dim1=0, dim2=1):
    v = x._value
    n = v.dim() - 1
    return wrap(fn(v, offset, _shift(dim1, n), _shift(dim2, n)), level)


@_rule("flip")
def _flip(fn, level, x, dims):
    v = x._value
    return wrap(fn(v, _shift_dims(tuple(dims), v.dim() - 1)), level)


@_rule("_roll")
def _roll(fn, level, x, shifts, dims):
    if dims is None or (isinstance(dims, (tuple, list)) and not dims):
        return NotImplemented
    v = x._value
    return wrap(fn(v, shifts, _shift_dims(dims, v.dim() - 1)), level)


@_rule("_cross")
def _cross(fn, level, x, other, dim):
    a, b = _aligned(level, (x, other))
    n = max(_logical_ndim(x, level), _logical_ndim(other, level))
    return wrap(fn(a, b, _shift(dim, n)), level)


@_rule("tril", "triu")
def _tri(fn, level, x, diagonal=0):
    return wrap(fn(x._value, diagonal), level)


@_rule("view", "_unsafe_view")
def _view(fn, level, x, shape):
    v = x._value
    if isinstance(shape, int):
        shape = (shape,)
    return wrap(fn(v, (v.shape[0],) + tuple(shape)), level)


@_rule("reshape()")
def _reshape(fn, level, x, shape):
    v = _value(x, level)
    if v is None:
        return NotImplemented
    if isinstance(shape, int):
        shape = (shape,)
    return wrap(fn(v, (v.shape[0],) + tuple(shape)), level)


@_rule("expand")
def _expand(fn, level, x, size):
    v = x._value
    size = tuple(size)
    v = _lead(v, len(size) - (v.dim() - 1))
    return wrap(fn(v, (v.shape[0],) + size), level)


@_rule("repeat")
def _repeat(fn, level, x, repeats):
    v = x._value
    repeats = tuple(repeats)
    v = _lead(v, len(repeats) - (v.dim() - 1))
    return wrap(fn(v, (1,) + repeats), level)


@_rule("sum_to_size")
def _sum_to_size(fn, level, x, size):
    v = x._value
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    shape = tuple(v.shape[1:])
    lead = len(shape) - len(size)
    if lead < 0:
        return NotImplemented
    dims = [1 + i for i in range(lead)] + [
        1 + lead + j for j, s in enumerate(size) if s == 1 and shape[lead + j] != 1
    ]
    out = v.sum(dims, keepdim=True) if dims else v
    return wrap(out.reshape((v.shape[0],) + size), level)


# --- matmul and the products made of it ---------------------------------------------------------


def _batched_matmul(level, a, b):
    """The batched value of ``a @ b`` (either or both batched, of any per-example rank >= 1)."""
    from ..ops.linalg import matmul

    va, vb = _value(a, level), _value(b, level)
    na, nb = _logical_ndim(a, level), _logical_ndim(b, level)
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    left = va if va is not None else a
    right = vb if vb is not None else b
    if na == 1:
        left = left.unsqueeze(-2)
    if nb == 1:
        right = right.unsqueeze(-1)
    # Per-example batch ranks: the batch dim must lead the other operand's batch dims.
    ra, rb = max(na - 2, 0), max(nb - 2, 0)
    r = max(ra, rb)
    if va is not None:
        left = _lead(left, r - ra)
    if vb is not None:
        right = _lead(right, r - rb)
    if va is None and vb is not None and na >= 2:
        left = left.reshape((1,) * (r - ra) + tuple(left.shape))
    out = matmul(left, right)
    if nb == 1:
        out = out.squeeze(-1)
    if na == 1:
        out = out.squeeze(-1 if nb == 1 else -2)
    return out


@_rule("matmul()", "mm", "bmm", "mv", "dot")
def _matmul(fn, level, a, b):
    return wrap(_batched_matmul(level, a, b), level)


@_rule("_addmm_linear")
def _addmm_linear(fn, level, bias, x, weight):
    wt = weight.mT if _logical_ndim(weight, level) == 2 else weight
    return wrap(_batched_matmul(level, x, wt), level) + bias


@_rule("addmm", "addmv", "addr", "baddbmm", "addbmm")
def _addmm(fn, level, s, m1, m2, beta=1, alpha=1):
    name = fn.opdef.name if hasattr(fn, "opdef") else fn.__name__
    if name == "addr":
        prod = wrap(_batched_matmul(level, m1.unsqueeze(-1), m2.unsqueeze(-2)), level)
    elif name == "addbmm":
        prod = wrap(_batched_matmul(level, m1, m2), level).sum(0)
    else:
        prod = wrap(_batched_matmul(level, m1, m2), level)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # (the input's values are not read, nans included)
        return prod
    return prod + (s if beta == 1 else s * beta)


# --- lists of tensors ---------------------------------------------------------------------------


@_rule("cat()")
def _cat(fn, level, tensors, dim=0, *, out=None):
    if out is not None:
        return NotImplemented
    n = max(_logical_ndim(t, level) for t in tensors)
    values = [_as_batched(t, level) for t in tensors if _logical_ndim(t, level) or n == 0]
    return wrap(fn(values, _shift(dim, n)), level)


@_rule("stack")
def _stack(fn, level, tensors, dim, in_dtypes, dtype):
    # (the op: its dim already wrapped against the per-example rank + 1)
    return wrap(fn([_as_batched(t, level) for t in tensors], dim + 1, in_dtypes, dtype), level)


# --- indexing -----------------------------------------------------------------------------------


def getitem(x, key):
    """``x[key]`` of a batched ``x``: the key applied past the batch dim when its tensor indices
    are unbatched and adjacent (so that NumPy's placement of their dims is the per-example one);
    else a loop over the batch."""
    from ..ops.indexing import getitem as plain_getitem

    level = x._level
    key_t = key if type(key) is tuple else (key,)
    advanced = [
        i
        for i, k in enumerate(key_t)
        if isinstance(k, (Tensor, list)) or (hasattr(k, "dtype") and hasattr(k, "shape"))
    ]
    batched_key = any(type(k) is BatchedTensor for k in key_t)
    # bool indices, ints between tensor indices and separated tensor indices all move dims
    separated = advanced and (
        advanced[-1] - advanced[0] + 1 != len(advanced) or any(type(k) is bool for k in key_t)
    )
    if batched_key or separated:
        return fallback(plain_getitem, "__getitem__", level, (x, key), {})
    if advanced and any(type(k) is int for k in key_t):
        return fallback(plain_getitem, "__getitem__", level, (x, key), {})
    return wrap(plain_getitem(x._value, (slice(None),) + key_t), level)


RULES["getitem()"] = lambda fn, level, x, key: (
    getitem(x, key) if _level_of(x, level) else NotImplemented
)


# --- losses with a reduction --------------------------------------------------------------------


def _reduced(out, reduction, level):
    v = out._value
    if reduction in ("none", 0):
        return out
    dims = _all_dims(v)
    if not dims:
        return out
    if reduction in ("mean", 1):
        return wrap(v.mean(dims), level)
    return wrap(v.sum(dims), level)


@_rule("_mse_loss", "_huber_loss", "_smooth_l1_loss")
def _pointwise_loss(fn, level, x, target, reduction, *rest):
    a, b = _aligned(level, (x, target))
    return _reduced(wrap(fn(a, b, _none_like(reduction), *rest), level), reduction, level)


@_rule("_binary_cross_entropy", "_binary_cross_entropy_with_logits")
def _bce(fn, level, x, target, weight, *rest):
    k = 4 if fn.opdef.name.endswith("logits") else 3
    tensors = [t for t in (x, target, weight, *rest[: k - 3]) if isinstance(t, Tensor)]
    aligned = iter(_aligned(level, tensors))
    args = [
        next(aligned) if isinstance(t, Tensor) else t for t in (x, target, weight, *rest[: k - 3])
    ]
    reduction = rest[k - 3]
    out = wrap(fn(*args, _none_like(reduction), *rest[k - 2 :]), level)
    return _reduced(out, reduction, level)


def _none_like(reduction):
    return 0 if isinstance(reduction, int) else "none"


@_rule("dropout()")
def _dropout(fn, level, x, p, training, inplace):
    if not _level_of(x, level) or inplace:
        return NotImplemented
    if running()[level - 1].randomness == "same":  # one mask, shared by the batch
        from ..creation import ones

        return x * fn(ones(x.shape, dtype=x.dtype), p, training, False)
    with batched_draw():
        return wrap(fn(x._value, p, training, False), level)


@_rule("to()")
def _to(fn, level, x, *args, **kwargs):
    if not _level_of(x, level) or any(isinstance(a, Tensor) for a in args):
        return NotImplemented
    return wrap(fn(x._value, *args, **kwargs), level)


# --- random ops ---------------------------------------------------------------------------------


@_rule("rand_like()", "randn_like()")
def _random_like(fn, level, x, *args, **kwargs):
    if not _level_of(x, level):
        return NotImplemented
    mode = running()[level - 1].randomness
    if mode == "error":
        raise RuntimeError(RANDOM_ERROR)
    if mode == "same":  # one draw of the per-example shape, shared by the batch
        from ..creation import empty

        return fn(empty(x.shape, dtype=x.dtype), *args, **kwargs)
    with batched_draw():
        return wrap(fn(x._value, *args, **kwargs), level)


class batched_draw:
    """While a batching rule draws one value per example (randomness="different")."""

    def __enter__(self):
        _LOCAL.drawing += 1

    def __exit__(self, *exc):
        _LOCAL.drawing -= 1


def random_check():
    """Called by the generators before each draw while vmap runs: PyTorch's error under
    randomness="error"; under "different", an error unless a batching rule draws for the whole
    batch (an op without one would draw one value, shared by the examples: a wrong answer)."""
    if any(lv.randomness == "error" for lv in running()):
        raise RuntimeError(RANDOM_ERROR)
    if not _LOCAL.drawing and any(lv.randomness == "different" for lv in running()):
        raise NotImplementedError(
            "vmap(randomness='different'): this random operation has no batching rule in "
            "retrograd, so it would draw one value for the whole batch; use randomness='same' "
            "or draw outside vmap."
        )


_switches.random_check = random_check


def random_factory(fn, size, kwargs):
    """``rand``/``randn`` inside vmap: under randomness="different", one draw per example of
    every such level (a batched result); else NotImplemented (one draw, shared)."""
    levels = [i + 1 for i, lv in enumerate(running()) if lv.randomness == "different"]
    if not levels:
        return NotImplemented
    if any(lv.randomness == "error" for lv in running()):
        raise RuntimeError(RANDOM_ERROR)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    _switches.interception.handler = None  # (the draw itself, outside the batching)
    _LOCAL.drawing += 1
    try:
        out = fn(*[running()[lv - 1].size for lv in levels], *size, **kwargs)
    finally:
        _LOCAL.drawing -= 1
        _switches.interception.handler = dispatch
    for lv in levels:
        out = wrap(out, lv)
    return out


# --- in-place ops -------------------------------------------------------------------------------

INPLACE_ERROR = (
    "vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a Tensor "
    "`other` in extra_args that has more elements than `self`. This happened due to `other` being "
    "vmapped over but `self` not being vmapped over in a vmap. Please try to use out-of-place "
    "operators instead of inplace arithmetic. If said operator is being called inside the "
    "PyTorch framework, please file a bug report instead."
)


@_rule("inplace()")
def _inplace(fn, level, t, op, *args):
    """``t.op_(*args)``: the op out of place on the batch, written into ``t``'s batched value."""
    if not _level_of(t, level):
        raise RuntimeError(INPLACE_ERROR)
    out = op(t, *args)
    t._value.copy_(_as_batched(out, level))
    return t


@_rule("setitem()")
def _setitem(fn, level, x, key, value):
    if not _level_of(x, level):
        raise RuntimeError(INPLACE_ERROR)
    key_t = key if type(key) is tuple else (key,)
    if any(isinstance(k, Tensor) or type(k) in (list, bool) for k in key_t) or Ellipsis in key_t:
        return NotImplemented  # (the loop: each example's view written in turn)
    v = x._value
    if isinstance(value, Tensor):
        sel = v[(slice(None),) + key_t]
        value = _aligned(level, (wrap(sel, level), value))[1]
    fn(v, (slice(None),) + key_t, value)
    return None


# --- tensors like another -----------------------------------------------------------------------


@_rule("zeros_like()", "ones_like()", "empty_like()", "full_like()")
def _like(fn, level, x, *args, **kwargs):
    if not _level_of(x, level):
        return NotImplemented
    return wrap(fn(x._value, *args, **kwargs), level)


@_rule("pow()")
def _pow(fn, level, x, exponent):
    tensors = [a for a in (x, exponent) if isinstance(a, Tensor)]
    aligned = iter(_aligned(level, tensors))
    args = [next(aligned) if isinstance(a, Tensor) else a for a in (x, exponent)]
    return wrap(fn(*args), level)


# --- indexing along a dim -----------------------------------------------------------------------


@_rule("gather()")
def _gather(fn, level, x, dim, index, sparse_grad=False, out=None):
    if out is not None or sparse_grad:
        return NotImplemented
    n = max(_logical_ndim(x, level), 1)
    d = _shift(dim, n)
    xv, iv = _as_batched(x, level), _as_batched(index, level)
    if iv.dim() != xv.dim():
        return NotImplemented
    return wrap(fn(xv, d, iv), level)


@_rule("index_select()")
def _index_select(fn, level, x, dim, index, out=None):
    if out is not None or not _level_of(x, level) or _value(index, level) is not None:
        return NotImplemented
    v = x._value
    return wrap(fn(v, _shift(dim, max(v.dim() - 1, 1)), index), level)


# --- layers over (N, C, ...) inputs, the batch folded into N ------------------------------------


def _folded(fn, level, x, spatial, *rest):
    """``fn(x, *rest)`` for ``x`` of (N, C, *spatial) or (C, *spatial) per example: the batch
    becomes N (or is folded into it); other tensor arguments must be unbatched."""
    if not _level_of(x, level) or any(_value(a, level) is not None for a in rest):
        return NotImplemented
    v = x._value
    n = v.dim() - 1
    if n == spatial + 1:  # (C, *spatial): the batch is the N dim
        return _wrap_out(fn(v, *rest), level)
    b = v.shape[0]
    out = fn(v.reshape((b * v.shape[1],) + tuple(v.shape[2:])), *rest)

    def back(o):
        if o.dim() and o.shape[0] == b * v.shape[1]:
            return wrap(o.reshape((b, v.shape[1]) + tuple(o.shape[1:])), level)
        return o  # (statistics of the whole batch, such as running means: unbatched)

    if isinstance(out, Tensor):
        return back(out)
    parts = [back(o) for o in out]
    return type(out)(*parts) if hasattr(out, "_fields") else tuple(parts)


@_rule("max_pool2d()")
def _max_pool2d(fn, level, x, *rest):
    return _folded(fn, level, x, 2, *rest)


@_rule("avg_pool2d")
def _avg_pool2d(fn, level, x, *rest):
    return _folded(fn, level, x, 2, *rest)


@_rule(
    "_batch_norm",
    "_native_batch_norm_legit",
    "_native_batch_norm_legit_no_stats",
    "_native_batch_norm_legit_no_training",
    "_batch_norm_with_update",
    "_batch_norm_no_update",
)
def _batch_norm(fn, level, x, weight, bias, running_mean, running_var, training, eps):
    if training:
        return NotImplemented  # (statistics over each example's own N: the loop)
    v = _value(x, level)
    if v is None or v.dim() < 3:
        return NotImplemented
    return _folded(
        fn, level, x, v.dim() - 3, weight, bias, running_mean, running_var, training, eps
    )


@_rule("_layer_norm")
def _layer_norm(fn, level, x, weight, bias, k, eps):
    if not _level_of(x, level) or any(_value(a, level) is not None for a in (weight, bias)):
        return NotImplemented
    return _wrap_out(fn(x._value, weight, bias, k, eps), level)


@_rule("_constant_pad")
def _constant_pad(fn, level, x, pad, value):
    v = x._value
    if len(pad) > 2 * (v.dim() - 1):
        return NotImplemented
    return wrap(fn(v, pad, value), level)


@_rule("_convolution")
def _convolution(
    fn, level, x, weight, bias, stride, padding, dilation, transposed, out_pad, groups
):
    """A batch of inputs: folded into N.  A batch of weights (per-example gradients): the
    examples side by side as groups of one convolution."""
    wv, bv = _value(weight, level), _value(bias, level)
    if transposed:
        return NotImplemented
    spatial = weight.dim() - 2
    if wv is None and bv is None:
        return _folded(
            fn,
            level,
            x,
            spatial,
            weight,
            bias,
            stride,
            padding,
            dilation,
            transposed,
            out_pad,
            groups,
        )
    b = running()[level - 1].size
    xb = _as_batched(x, level)  # (B, [N,] C, *spatial)
    unbatched_n = xb.dim() - 1 == spatial + 1
    if unbatched_n:
        xb = xb.unsqueeze(1)
    n, c = xb.shape[1], xb.shape[2]
    xs = xb.transpose(0, 1).reshape((n, b * c) + tuple(xb.shape[3:]))
    wb = _as_batched(weight, level)  # (B, O, C/g, *k)
    o = wb.shape[1]
    ws = wb.reshape((b * o,) + tuple(wb.shape[2:]))
    bs = None if bias is None else _as_batched(bias, level).reshape(b * o)
    out = fn(xs, ws, bs, stride, padding, dilation, transposed, out_pad, groups * b)
    out = out.reshape((n, b, o) + tuple(out.shape[2:])).transpose(0, 1)
    return wrap(out.squeeze(1) if unbatched_n else out, level)


# --- attention ----------------------------------------------------------------------------------


@_rule("scaled_dot_product_attention()")
def _attention(fn, level, q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    if dropout_p:
        return NotImplemented
    tensors = [t for t in (q, k, v, attn_mask) if isinstance(t, Tensor)]
    if any(_logical_ndim(t, level) < 2 for t in tensors):
        return NotImplemented
    n = max(_logical_ndim(t, level) for t in tensors)
    parts = [
        None if t is None else _lead(_as_batched(t, level), n - _logical_ndim(t, level))
        for t in (q, k, v, attn_mask)
    ]
    return wrap(fn(*parts[:3], parts[3], dropout_p, is_causal, scale), level)


# --- losses over class scores -------------------------------------------------------------------


@_rule("nll_loss()")
def _nll_loss(fn, level, x, target, weight, size_average, ignore_index, reduce, reduction):
    """Per example: the unreduced losses of (N, C) scores (or (C,)), reduced as PyTorch reduces
    one example's: the sum, or the sum over the weights of the kept targets."""
    if size_average is not None or reduce is not None or _value(weight, level) is not None:
        return NotImplemented
    n = _logical_ndim(x, level)
    if n not in (1, 2):
        return NotImplemented
    xv, tv = _as_batched(x, level), _as_batched(target, level)
    b = xv.shape[0]
    flat_x = xv.reshape(-1, xv.shape[-1])
    flat_t = tv.reshape(-1)
    losses = fn(flat_x, flat_t, weight, None, ignore_index, None, "none").reshape(b, -1)
    if reduction == "none":
        return wrap(losses.reshape(tuple(tv.shape)), level)
    total = losses.sum(1)
    if reduction == "sum":
        return wrap(total, level)
    kept = flat_t != ignore_index
    w = kept.to(xv.dtype)
    if weight is not None:
        w = w * weight[flat_t.clamp(0, weight.shape[0] - 1)]
    return wrap(total / w.reshape(b, -1).sum(1), level)


@_rule("embedding()")
def _embedding(
    fn, level, idx, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse
):
    iv, wv = _value(idx, level), _value(weight, level)
    if wv is None:
        return wrap(
            fn(iv, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse), level
        )
    if padding_idx is not None:
        return NotImplemented
    # A batch of tables (per-example gradients): one table of them all, each example's indices
    # offset to its own rows.
    from ..creation import arange

    b, rows = wv.shape[0], wv.shape[1]
    ib = _as_batched(idx, level)
    offsets = (arange(b) * rows).reshape((b,) + (1,) * (ib.dim() - 1))
    out = fn(
        ib + offsets,
        wv.reshape((b * rows,) + tuple(wv.shape[2:])),
        None,
        max_norm,
        norm_type,
        scale_grad_by_freq,
        sparse,
    )
    return wrap(out, level)
