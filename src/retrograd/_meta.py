"""The ``meta`` device: tensors with a shape and a dtype but no values, for building a model
without memory (``nn.Linear(..., device='meta')``, ``with torch.device('meta'):``) and then
giving it memory (``module.to_empty(device='cpu')``) before ``load_state_dict`` or
``reset_parameters``.

A meta tensor is a ``Tensor`` subclass that keeps its shape and dtype and no array: what reads
its array (every op not built here) raises NotImplementedError naming the op.  Built here: the
factories, printing, in-place fills (which do nothing, as on PyTorch's meta device), and the
shapes and dtypes of elementwise arithmetic, the common unary functions, matmul and linear, and of
the Tensor methods that index, view, reduce or keep dimensions (run on small stand-ins: see
``_on_stand_in`` and ``_on_sizes``)."""

import sys

from . import dtypes
from ._array import xp
from ._device import device as _device_type
from .printing import _with_suffixes
from .tensor import Size, Tensor, VersionCounter, _make, _wrap_dim

META = _device_type("meta")
_NO_DATA = "Cannot copy out of meta tensor; no data!"
_OTHER_DEVICE = "Tensor on device cpu is not on the expected device meta!"


def _op_name() -> str:
    """The op whose code read a meta tensor's values: the op-table op running in a calling
    frame, else the calling function's name (only when raising)."""
    frame = sys._getframe(2)
    first = frame.f_code.co_name
    while frame is not None:
        local = frame.f_locals
        for key in ("d", "general"):
            found = local.get(key)
            d = getattr(found, "opdef", found)
            name = getattr(d, "name", None)
            if isinstance(name, str) and hasattr(d, "forward"):
                return name
        frame = frame.f_back
    return first


class MetaTensor(Tensor):
    """A tensor on the meta device: ``_meta`` holds its shape and NumPy dtype."""

    __slots__ = ()  # (the same layout as Tensor's: to_empty turns one into a dense tensor)

    @property
    def _data(self):
        raise NotImplementedError(
            f"{_op_name()}: not built for meta tensors in retrograd (they have a shape and a "
            "dtype, and propagate them through elementwise arithmetic, matmul, linear and the "
            "Tensor methods that index, view or reduce); "
            "give the tensor memory first (Module.to_empty)"
        )

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.FROM_NP[self._meta[1]]

    @property
    def shape(self) -> Size:
        return Size(self._meta[0])

    def size(self, dim=None):
        shape = self._meta[0]
        return Size(shape) if dim is None else shape[_wrap_dim(dim, len(shape))]

    @property
    def ndim(self) -> int:
        return len(self._meta[0])

    def dim(self) -> int:
        return len(self._meta[0])

    ndimension = dim

    def numel(self) -> int:
        return Size(self._meta[0]).numel()

    nelement = numel

    def element_size(self) -> int:
        return self._meta[1].itemsize

    @property
    def itemsize(self) -> int:
        return self._meta[1].itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self._meta[1].itemsize

    def stride(self, dim=None):
        strides, step = [], 1
        for n in reversed(self._meta[0]):
            strides.append(step)
            step *= max(n, 1)
        out = tuple(reversed(strides))
        return out if dim is None else out[_wrap_dim(dim, len(out))]

    def is_contiguous(self, memory_format=None) -> bool:
        return True

    @property
    def device(self):
        return META

    @property
    def is_meta(self) -> bool:
        return True

    @property
    def is_cpu(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._meta[1].kind in "fV"

    def is_complex(self) -> bool:
        return self._meta[1].kind == "c"

    def requires_grad_(self, requires_grad: bool = True):
        if requires_grad and self._meta[1].kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def data(self):
        return self.detach()

    def detach(self) -> "MetaTensor":
        return meta_tensor(self._meta[0], self._meta[1])

    def clone(self, memory_format=None) -> "MetaTensor":
        return meta_tensor(self._meta[0], self._meta[1])

    def __repr__(self) -> str:
        suffixes = ["device='meta'", f"size={tuple(self._meta[0])}"]
        if self.dtype is not dtypes.get_default_dtype():
            suffixes.append(f"dtype={self.dtype!r}")
        if self._requires_grad:
            suffixes.append("requires_grad=True")
        return _with_suffixes("tensor(...", suffixes, len("tensor("))

    def __str__(self) -> str:
        return self.__repr__()

    def __deepcopy__(self, memo):
        new = meta_tensor(self._meta[0], self._meta[1], self._requires_grad, type(self))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (meta_tensor, (self._meta[0], self._meta[1].str, self._requires_grad))

    def __len__(self) -> int:
        if not self._meta[0]:
            raise TypeError("len() of a 0-d tensor")
        return self._meta[0][0]

    # --- no values to give ------------------------------------------------------------------
    def item(self):
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar"
            )
        raise RuntimeError("Tensor.item() cannot be called on meta tensors")

    def tolist(self):
        raise NotImplementedError(_NO_DATA)

    def numpy(self, *, force: bool = False):
        raise TypeError(
            "can't convert meta device type tensor to numpy. Use Tensor.cpu() to copy the "
            "tensor to host memory first."
        )

    def cpu(self, memory_format=None):
        raise NotImplementedError(_NO_DATA)

    def to(self, *args, **kwargs):
        target_dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype):
                target_dtype = a
            elif isinstance(a, Tensor):
                if not a.is_meta:
                    raise NotImplementedError(_NO_DATA)
                target_dtype = a.dtype
            elif a is not None and str(a) != "meta":
                raise NotImplementedError(_NO_DATA)
        dev = kwargs.get("device")
        if dev is not None and str(dev) != "meta":
            raise NotImplementedError(_NO_DATA)
        if target_dtype is None or target_dtype is self.dtype:
            return self
        return meta_tensor(self._meta[0], target_dtype.np, self._requires_grad)

    def float(self, memory_format=None):
        return self.to(dtypes.float32)

    def double(self, memory_format=None):
        return self.to(dtypes.float64)

    def half(self, memory_format=None):
        return self.to(dtypes.float16)

    # --- writes: nothing to write -----------------------------------------------------------
    def _nothing(self, *args, **kwargs):
        return self

    uniform_ = normal_ = zero_ = fill_ = copy_ = _nothing
    add_ = sub_ = mul_ = div_ = clamp_ = clamp_min_ = clamp_max_ = erfinv_ = _nothing
    exponential_ = bernoulli_ = random_ = geometric_ = log_normal_ = cauchy_ = _nothing
    masked_fill_ = fill_diagonal_ = index_fill_ = sqrt_ = abs_ = neg_ = _nothing

    # --- shapes of the ops built here -------------------------------------------------------
    def _binary(self, other, name):
        if isinstance(other, Tensor) and not other.is_meta:
            raise RuntimeError(_OTHER_DEVICE)
        shape = self._meta[0]
        if isinstance(other, Tensor):
            shape = _broadcast(shape, tuple(other.shape))
        b = _proxy(other) if isinstance(other, Tensor) else other
        dt = getattr(_proxy(self), name)(b).dtype
        return meta_tensor(shape, dt.np, _wants_grad(self, other))

    def add(self, other, *, alpha=1):
        return self._binary(other, "add")

    def sub(self, other, *, alpha=1):
        return self._binary(other, "sub")

    def mul(self, other):
        return self._binary(other, "mul")

    def div(self, other, *, rounding_mode=None):
        return self._binary(other, "div")

    def __add__(self, other):
        return self._binary(other, "__add__")

    def __radd__(self, other):
        return self._binary(other, "__radd__")

    def __sub__(self, other):
        return self._binary(other, "__sub__")

    def __rsub__(self, other):
        return self._binary(other, "__rsub__")

    def __mul__(self, other):
        return self._binary(other, "__mul__")

    def __rmul__(self, other):
        return self._binary(other, "__rmul__")

    def __truediv__(self, other):
        return self._binary(other, "__truediv__")

    def __rtruediv__(self, other):
        return self._binary(other, "__rtruediv__")

    def __pow__(self, other):
        return self._binary(other, "__pow__")

    def _unary(self, name):
        dt = getattr(_proxy(self), name)().dtype
        return meta_tensor(self._meta[0], dt.np, self._requires_grad)

    def __neg__(self):
        return self._unary("__neg__")

    def neg(self):
        return self._unary("neg")

    def abs(self):
        return self._unary("abs")

    def exp(self):
        return self._unary("exp")

    def log(self):
        return self._unary("log")

    def sqrt(self):
        return self._unary("sqrt")

    def relu(self):
        return self._unary("relu")

    def sigmoid(self):
        return self._unary("sigmoid")

    def tanh(self):
        return self._unary("tanh")

    def sin(self):
        return self._unary("sin")

    def cos(self):
        return self._unary("cos")

    def matmul(self, other):
        if isinstance(other, Tensor) and not other.is_meta:
            raise RuntimeError(_OTHER_DEVICE)
        a, b = tuple(self._meta[0]), tuple(other.shape)
        if len(a) == 2 and len(b) == 2 and a[1] != b[0]:
            raise RuntimeError(
                f"a and b must have same reduction dim, but got {list(a)} X {list(b)}."
            )
        if not a or not b or a[-1] != (b[0] if len(b) == 1 else b[-2]):
            _proxy(self, full=True).matmul(_proxy(other, full=True))  # (the op's own error)
        if len(b) == 1:
            shape = a[:-1]
        elif len(a) == 1:
            shape = b[:-2] + b[-1:]
        else:
            shape = tuple(xp.broadcast_shapes(a[:-2], b[:-2])) + (a[-2], b[-1])
        dt = _proxy(self).reshape(-1)[:1].dot(_proxy(other).reshape(-1)[:1]).dtype
        return meta_tensor(shape, dt.np, _wants_grad(self, other))

    mm = __matmul__ = matmul

    def t(self):
        shape = self._meta[0]
        if len(shape) > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {len(shape)}D"
            )
        return meta_tensor(shape[::-1], self._meta[1], self._requires_grad)

    def transpose(self, dim0, dim1):
        shape = list(self._meta[0])
        i, j = _wrap_dim(dim0, len(shape)), _wrap_dim(dim1, len(shape))
        shape[i], shape[j] = shape[j], shape[i]
        return meta_tensor(shape, self._meta[1], self._requires_grad)

    def reshape(self, *shape):
        new = _proxy(self, full=True).reshape(*shape).shape  # (a view: no memory)
        return meta_tensor(new, self._meta[1], self._requires_grad)

    view = reshape

    # --- indexing and views: run on a stand-in of the whole shape that holds one element ---
    def __getitem__(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        for k in keys:
            if isinstance(k, Tensor) and k.is_meta and k.dtype in (dtypes.bool, dtypes.uint8):
                raise NotImplementedError(_NONZERO)
        key = tuple(_index_proxy(k) for k in keys) if isinstance(key, tuple) else _index_proxy(key)
        return _as_meta(_proxy(self, full=True, grad=True)[key])

    def masked_fill(self, mask, value):
        if isinstance(mask, Tensor) and not mask.is_meta:
            raise RuntimeError(_OTHER_DEVICE)
        _proxy(self).masked_fill(
            _proxy(mask), _proxy(value) if isinstance(value, Tensor) else value
        )
        _broadcast(self._meta[0], tuple(mask.shape))
        return meta_tensor(self._meta[0], self._meta[1], _wants_grad(self, value))


_NONZERO = (
    "The register_meta function for torch.nonzero() raises unimplemented by default, as a "
    "correct data-independent implementation does not exist. This implementation returns a fake "
    "value, assuming all elements of the tensor are non-zero. To enable this registration, "
    "please set 'torch.fx.experimental._config.meta_nonzero_assume_all_nonzero' to True."
)


def _as_meta(out):
    """A dense result of a stand-in (a tensor, or a tuple or named tuple of them) as meta
    tensors of the same shapes and dtypes."""
    if isinstance(out, Tensor):
        return meta_tensor(out.shape, out._data.dtype, out._requires_grad)
    parts = [_as_meta(t) for t in out]
    return type(out)(*parts) if hasattr(out, "_fields") else type(out)(parts)


def _index_proxy(k):
    """An index for a stand-in: a meta index tensor as one of its shape and dtype, all zeros."""
    if isinstance(k, MetaTensor):
        return _proxy(k, full=True)
    return k


def _on_stand_in(name):
    """The method ``name`` of a meta tensor, run on a stand-in of its whole shape that holds one
    element (for views: no memory, and the op's own checks and errors)."""

    def method(self, *args, **kwargs):
        args = [_index_proxy(a) for a in args]
        return _as_meta(getattr(_proxy(self, full=True, grad=True), name)(*args, **kwargs))

    method.__name__ = name
    return method


def _on_sizes(name):
    """The method ``name`` of a meta tensor that reduces or keeps dimensions (sums, maxima,
    cumulative sums, softmax ...): run on a stand-in whose dimensions have the distinct sizes
    2, 3, 4 ..., so each size in the result names the input dimension it comes from (1: one
    reduced with keepdim).  The stand-in is small whatever the tensor's size."""

    def method(self, *args, **kwargs):
        shape, np_dtype = self._meta
        sizes = tuple(range(2, len(shape) + 2))
        small = _make(xp.broadcast_to(xp.zeros((), np_dtype), sizes))
        small._requires_grad = self._requires_grad
        out = getattr(small, name)(*args, **kwargs)

        def back(t):
            new = tuple(n if n == 1 else shape[n - 2] for n in t.shape)
            return meta_tensor(new, t._data.dtype, t._requires_grad)

        if isinstance(out, Tensor):
            return back(out)
        return type(out)(*[back(t) for t in out])

    method.__name__ = name
    return method


for _name in (
    "select", "narrow", "unsqueeze", "squeeze", "permute", "expand", "expand_as", "movedim",
    "moveaxis", "swapaxes", "swapdims", "split", "chunk", "unbind", "flatten", "unflatten",
    "index_select", "gather", "diagonal", "repeat", "tile", "flip", "roll",
):  # fmt: skip
    setattr(MetaTensor, _name, _on_stand_in(_name))
for _name in (
    "sum", "mean", "nansum", "nanmean", "prod", "amax", "amin", "max", "min", "argmax",
    "argmin", "aminmax", "std", "var", "std_mean", "var_mean", "norm", "logsumexp", "all",
    "any", "count_nonzero", "median", "nanmedian", "mode", "cumsum", "cumprod", "cummax",
    "cummin", "logcumsumexp", "softmax", "log_softmax", "sort", "argsort",
):  # fmt: skip
    setattr(MetaTensor, _name, _on_sizes(_name))


def _broadcast(*shapes) -> tuple:
    """The shape that ``shapes`` broadcast to, or the meta kernels' error."""
    common = [1] * max(len(s) for s in shapes)
    for arg, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == 1:
                continue
            if common[i] != 1 and common[i] != shape[i]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! "
                    f"Mismatching argument at index {arg} had {Size(shape)}; but expected "
                    f"shape should be broadcastable to {common}"
                )
            common[i] = shape[i]
    return tuple(common)


def _wants_grad(a, b) -> bool:
    return a._requires_grad or (isinstance(b, Tensor) and b._requires_grad)


def stand_in(t):
    """An array of meta tensor ``t``'s shape and dtype that holds no memory (one element,
    broadcast): what ops that work out shapes and check them read in place of values."""
    return xp.broadcast_to(xp.zeros((), t._meta[1]), t._meta[0])


def _proxy(t, full=False, grad=False):
    """A dense stand-in of meta tensor ``t`` that costs no memory: of its dtype and number of
    dimensions (sizes 1), or with ``full`` of its whole shape (every element the same one);
    with ``grad``, requiring grad as ``t`` does (so ops on it say whether their results do)."""
    out = _make(stand_in(t) if full else xp.zeros((1,) * len(t._meta[0]), t._meta[1]))
    if grad:
        out._requires_grad = t._requires_grad
    return out


def meta_tensor(shape, np_dtype, requires_grad=False, cls=MetaTensor) -> MetaTensor:
    t = Tensor.__new__(cls)
    t._meta = (tuple(int(n) for n in shape), xp.dtype(np_dtype))
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._vc = VersionCounter()
    t._output_nr = 0
    t._cuts = None
    return t


def on_meta(dev) -> bool:
    """Whether ``dev`` (a device, a name, or anything else) names the meta device."""
    if isinstance(dev, str):
        return dev == "meta"
    return isinstance(dev, _device_type) and dev._type == "meta"


def meta_factory(fn, args, kwargs, like):
    """A factory's result on the meta device: its shape and dtype, found by running it with
    every size 0 (so no memory is taken and no random number drawn), or for one of the
    ``*_like`` factories, from the input."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ("device", "pin_memory")}
    requires_grad = bool(kwargs.get("requires_grad", False))
    if like:
        source = args[0]
        dt = kwargs.get("dtype") or source.dtype
        return meta_tensor(source.shape, dt.np, requires_grad)
    if "size" in kwargs:
        size = tuple(kwargs.pop("size"))
        rest = args
    elif args and isinstance(args[0], (tuple, list)):
        size, rest = tuple(args[0]), args[1:]
    else:
        n = 0
        while n < len(args) and isinstance(args[n], int) and not isinstance(args[n], bool):
            n += 1
        size, rest = tuple(args[:n]), args[n:]
    if fn.__name__ in ("empty", "zeros", "ones", "rand", "randn", "full"):
        sample = fn((0,) * len(size), *rest, **kwargs)
    else:  # (the values decide the shape: arange, tensor, eye ...)
        sample = fn(*args, **kwargs)
        size = tuple(sample.shape)
    return meta_tensor(size, sample._data.dtype, requires_grad)


def dense_like(fn, args, kwargs):
    """A ``*_like`` factory of a meta tensor onto the CPU: the input's shape and dtype."""
    source = args[0]
    stand_in = _make(xp.empty(tuple(source.shape), source._meta[1]))
    return fn(stand_in, *args[1:], **kwargs)


def give_memory(t, dense_class) -> None:
    """Turn meta tensor ``t`` in place into a ``dense_class`` tensor of its shape and dtype,
    with uninitialised memory (``Module.to_empty``)."""
    shape, np_dtype = t._meta
    del t.__dict__["_meta"]
    t.__class__ = dense_class
    t._data = xp.empty(shape, np_dtype)


def joined(tensors, shape, dtype) -> MetaTensor:
    """The result of ``cat`` or ``stack`` of meta tensors, checked by the caller: ``shape``."""
    if not all(t.is_meta for t in tensors):
        raise RuntimeError(_OTHER_DEVICE)
    return meta_tensor(shape, dtype.np, any(t._requires_grad for t in tensors))


def linear(input, weight, bias=None):
    """The shape and dtype of ``F.linear`` on meta tensors."""
    out = input.matmul(weight.t())
    return out if bias is None else out + bias
