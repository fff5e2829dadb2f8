"""Making tensors: ``tensor``, ``zeros``, ``arange``, ``randn`` ... and the random number generator."""

import builtins
import functools
import math
import warnings
from contextlib import suppress

from . import _device, _meta, _sampling, _switches, dtypes
from ._array import copy_in_order, kept_layout, kept_order, ndarray, xp
from ._device import device
from ._generator import Generator, default_generator, resolve  # noqa: F401 (torch.Generator)
from ._out import check_out, write_out
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: F401
from .tensor import _ABSENT, Size, Tensor, _make, int_list


def _check_grad_dtype(array, requires_grad):
    if requires_grad and array.dtype.kind not in "fcV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


_PY_SCALARS = {builtins.bool: dtypes.bool, builtins.int: dtypes.int64}


def _scalar_type(x):
    """The dtype one element of a nested list asks for (``torch.tensor`` promotes them together)."""
    t = type(x)
    if t is builtins.float:
        return dtypes.get_default_dtype()
    if t in _PY_SCALARS:
        return _PY_SCALARS[t]
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (ndarray, xp.generic)):
        return dtypes.from_numpy_dtype(x.dtype)
    _element_type_check(x)
    return dtypes.scalar_dtype(x)


def _list_dtype(data):
    """The dtype of a nested list: its elements' dtypes promoted together ([1, 2.5] -> float)."""
    found = None
    stack = [data]
    while stack:
        seq = stack.pop()
        kinds = set(map(type, seq))
        for k in kinds & {list, tuple}:
            stack.extend(x for x in seq if type(x) is k)
        if kinds <= {list, tuple, builtins.float, builtins.int, builtins.bool}:
            dts = [
                d
                for k, d in (
                    (builtins.float, dtypes.get_default_dtype()),
                    (builtins.int, dtypes.int64),
                    (builtins.bool, dtypes.bool),
                )
                if k in kinds
            ]
        else:
            dts = [_scalar_type(x) for x in seq if type(x) not in (list, tuple)]
        for d in dts:
            found = d if found is None else dtypes.promote_types(found, d)
    return found


def _check_sequence(data):
    """PyTorch's errors for nested lists that are not rectangular, or hold what is not a number."""
    shape = []
    x = data
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    stack = [(data, 0)]
    while stack:
        seq, dim = stack.pop()
        if not isinstance(seq, (list, tuple, builtins.range)):
            if dim < len(shape):
                raise TypeError("not a sequence")
            _element_type_check(seq)
            continue
        if dim >= len(shape):
            raise TypeError(f"'{type(seq).__name__}' object cannot be interpreted as an integer")
        if len(seq) != shape[dim]:
            raise ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})"
            )
        stack.extend((x, dim + 1) for x in reversed(seq))


def _element_type_check(x):
    if isinstance(x, (str, bytes)):
        raise ValueError(f"too many dimensions '{type(x).__name__}'")  # noqa: TRY004
    if not isinstance(
        x,
        (
            builtins.bool,
            builtins.int,
            builtins.float,
            builtins.complex,
            xp.generic,
            Tensor,
            ndarray,
        ),
    ):
        raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")  # noqa: TRY004


def _integer_array(data, d):
    """Nested lists of numbers as an array of the integer type ``d``, with PyTorch's checks of
    each number (``dtypes.checked_scalar``): NumPy's casts would truncate a float out of range
    and refuse a negative number for an unsigned type, which PyTorch wraps."""
    try:
        probe = xp.asarray(data)
    except (OverflowError, ValueError):
        probe = None
    unsigned_long = d is dtypes.uint64  # (no float, no negative: see checked_scalar)
    if probe is not None and probe.dtype.kind in ("biu" if unsigned_long else "biuf"):
        info = xp.iinfo(d.np)
        if probe.dtype.kind == "f":
            low = info.min
        else:
            low = info.min if d.is_signed or unsigned_long else -info.max
        if (
            probe.size == 0
            or probe.dtype.kind == "b"
            or low <= probe.min() <= probe.max() <= info.max
        ):
            # (NaN fails the comparison)
            if probe.dtype.kind != "f":
                return probe.astype(d.np)
            with suppress(OverflowError):  # (an integer beyond int64 among floats)
                return xp.asarray(data, dtype=d.np)
    return xp.asarray(_checked(data, d), dtype=d.np)


def _checked(data, d):
    """``data`` (numbers in nested lists) with each number converted to the integer type ``d`` as
    ``tensor`` converts it: PyTorch's errors for values out of range, negatives wrapped into an
    unsigned type."""
    if isinstance(data, (list, tuple)):
        return [_checked(x, d) for x in data]
    return dtypes.checked_scalar(data, d, "tensor")


def numpy_checked(array):
    """``array``, a NumPy array a tensor is made from, after PyTorch's checks: a dtype it has,
    and no negative stride (a flipped view: PyTorch's ValueError, which asks for a copy)."""
    dtypes.from_numpy_dtype(array.dtype)  # PyTorch's error for unsupported types
    for stride in array.strides:
        if stride < 0:
            raise ValueError(
                "At least one stride in the given numpy array is negative, and tensors with "
                "negative strides are not currently supported. (You can probably work around "
                "this by making a copy of your array  with array.copy().) "
            )
    return array


def _infer_array(data, dtype):
    """The array for ``tensor(data)``: Python floats take the default dtype, ints int64, NumPy
    scalars and tensors in a list keep theirs."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, (ndarray, xp.generic)):
        array = numpy_checked(xp.asarray(data))
    elif isinstance(data, (list, tuple, builtins.range)):
        data = list(data) if isinstance(data, builtins.range) else data
        inferred = (_list_dtype(data) if dtype is None else dtype) or dtypes.get_default_dtype()
        if inferred is dtypes.bfloat16:  # read as doubles and rounded below, as PyTorch rounds
            inferred = dtypes.float64
        try:
            if inferred.category == dtypes._INT:
                array = _integer_array(_unwrap(data), inferred)
            else:
                array = xp.asarray(_unwrap(data), dtype=inferred.np)
        except (ValueError, TypeError):
            _check_sequence(data)
            raise
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    else:
        _element_type_check(data)
        target = _scalar_type(data) if dtype is None else dtype
        if target.category == dtypes._INT:  # (an int out of int64's range too: tensor(2**63))
            data = _checked(data, target)
        array = xp.asarray(
            data,
            dtype=_scalar_type(data).np if dtype is None or dtype is dtypes.bfloat16 else dtype.np,
        )
    if dtype is not None and array.dtype != dtype.np:
        array = dtypes.cast(array, dtype.np)
    return array


_PLAIN_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float, builtins.complex))


def _unwrap(data):
    """Nested lists may hold tensors (0-dim or not): use their values."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        if set(map(type, data)) <= _PLAIN_NUMBERS:
            return data  # (numbers alone: nothing to unwrap, one look at each element's type)
        return [_unwrap(d) for d in data]
    return data


def _factory_out(fn, out, args, kwargs):
    """A factory's ``out=``: the result takes ``out``'s dtype unless ``dtype=`` names one, which
    must then be ``out``'s."""
    check_out(f"aten::{fn.__name__}", out)
    dtype = kwargs.get("dtype")
    if dtype is None:
        kwargs["dtype"] = out.dtype
    elif dtype is not out.dtype:
        raise RuntimeError(
            f"dtype {dtypes.scalar_type_name(dtype)} does not match dtype of out "
            f"parameter ({dtypes.scalar_type_name(out.dtype)})"
        )
    return write_out(
        f"aten::{fn.__name__}",
        fn(*args, **kwargs),
        out,
        resized=_ARANGE_RESIZED if fn.__name__ == "arange" else None,
    )


_ARANGE_RESIZED = (
    "The number of elements in the out tensor of shape [{0}] is {2} which does not match the "
    "computed number of elements {3}. Note that this may occur as a result of rounding error. "
    "The out tensor will be resized to a tensor of shape {4}."
)


_NO_PINNED = (
    "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
    "allocator is available on this system."
)


def _python_dtypes(fn):
    """Let ``dtype=`` be one of Python's types too (``torch.zeros(2, dtype=float)``), and check
    ``device=`` and ``pin_memory=``: memory is the CPU's, as in PyTorch's CPU-only build."""
    copies = fn.__name__ in ("tensor", "as_tensor")  # data moved to a device, as ``.to`` does
    like = fn.__name__.endswith("_like")  # on the input's device, not the default one
    takes_out = not like and fn.__name__ not in ("tensor", "as_tensor", "scalar_tensor")

    @functools.wraps(fn)
    def creator(*args, **kwargs):
        if not kwargs:  # the common call: only the default device to check
            if _device._default[0] is not None and not like:
                if _device._default[0]._type == "meta":
                    return _meta.meta_factory(fn, args, kwargs, like)
                _device.check_default()
            if like and args and isinstance(args[0], _meta.MetaTensor):
                return _meta.meta_factory(fn, args, kwargs, like)
            return fn(*args)
        d = kwargs.get("dtype")
        if d.__class__ is type:
            kwargs["dtype"] = dtypes.as_dtype(d)
        dev = kwargs.get("device")
        if like and args and isinstance(args[0], _meta.MetaTensor):
            if dev is None or _meta.on_meta(dev):
                return _meta.meta_factory(fn, args, kwargs, like)
            _device.check(dev, True)
            return _meta.dense_like(fn, args, {k: v for k, v in kwargs.items() if k != "device"})
        if _meta.on_meta(dev) or (
            dev is None and not like and getattr(_device._default[0], "_type", None) == "meta"
        ):
            return _meta.meta_factory(fn, args, kwargs, like)
        if dev is not None:
            _device.check(dev, not copies)
        elif _device._default[0] is not None and not like:
            _device.check_default()
        if kwargs.get("pin_memory"):
            raise RuntimeError(_NO_PINNED)
        layout = kwargs.get("layout")
        if layout is not None and layout is not _device.strided:
            raise NotImplementedError(
                f"layout={layout}: retrograd tensors are dense (torch.strided) only"
            )
        memory_format = kwargs.get("memory_format")
        if memory_format is not None:
            _device.check_memory_format(memory_format)
        out = kwargs.pop("out", None)
        if out is None:
            made = fn(*args, **kwargs)
            if memory_format is not None:
                _in_memory_format(made, memory_format)
            return made
        if not takes_out:  # (PyTorch's ``*_like``, ``tensor``, ``as_tensor``, ``scalar_tensor``)
            raise TypeError(f"{fn.__name__}() got an unexpected keyword argument 'out'")
        return _factory_out(fn, out, args, kwargs)

    return creator


def _in_memory_format(t, memory_format):
    """A factory's fresh tensor ``t`` laid out as ``memory_format`` asks (preserve_format: as
    made, the input's layout for a ``*_like``)."""
    order = _device.memory_order(memory_format, t._data.ndim)
    if order is not None and order != tuple(builtins.range(t._data.ndim)):
        t._data = copy_in_order(t._data, order)
    elif order is not None and not t._data.flags.c_contiguous:
        t._data = xp.ascontiguousarray(t._data)


@_python_dtypes
def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``torch.tensor``: a new leaf tensor holding a copy of ``data``."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    array = _infer_array(data, dtype)
    array = xp.array(array, copy=True)
    _check_grad_dtype(array, requires_grad)
    return _rewrapped(_make(array, bool(requires_grad)), data, "tensor")


def _rewrapped(t, data, op):
    """``t``, made from ``data``: if ``data`` was taken out of the graph (a tensor that requires
    grad, or an array or value that left through a cut), it says where (``autograd.cuts``)."""
    if isinstance(data, Tensor):
        if data._requires_grad or data._cuts is not None:
            _switches.cuts.note_detached(t, data, op)
    elif not t._requires_grad:
        if type(data) in (list, tuple) and data and isinstance(data[0], Tensor):
            _switches.cuts.note(
                t, tuple(data), op
            )  # torch.tensor([loss1, loss2]): one level looked at
            return t
        cuts = _switches.cuts.found(data)
        if cuts is not None:
            t._cuts = cuts
    return t


@_python_dtypes
def as_tensor(data, dtype=None, device=None):
    """``torch.as_tensor``: shares memory with a NumPy array or tensor of the same dtype."""
    if isinstance(data, Tensor) and (dtype is None or dtype.np == data._data.dtype):
        return data
    if isinstance(data, ndarray) and (dtype is None or dtype.np == data.dtype):
        return _rewrapped(_make(numpy_checked(data)), data, "as_tensor")
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """``torch.from_numpy``: a tensor sharing memory with ``array``."""
    if not isinstance(array, ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return _rewrapped(_make(numpy_checked(array)), array, "from_numpy")


def _shape(size, name, keyword=_ABSENT):
    """The shape a factory ``name`` is asked for, in any of the forms PyTorch takes (see
    int_list); PyTorch's errors for a negative size."""
    size = int_list(name, "size", size, keyword)
    for n in size:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: "
                f"[{', '.join(str(k) for k in size)}]"
            )
    return size


def _dt(dtype, default=None):
    return (dtype or default or dtypes.get_default_dtype()).np


def _filled(array, requires_grad):
    _check_grad_dtype(array, requires_grad)
    return _make(array, bool(requires_grad))


@_python_dtypes
def zeros(
    *sizes, size=_ABSENT, dtype=None, device=None, requires_grad=False, out=None, layout=None
):
    """``torch.zeros``."""
    shape = int_list("zeros", "size", sizes, size)
    if any(n < 0 for n in shape):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _filled(xp.zeros(shape, _dt(dtype)), requires_grad)


@_python_dtypes
def ones(*sizes, size=_ABSENT, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.ones``."""
    return _filled(xp.ones(_shape(sizes, "ones", size), _dt(dtype)), requires_grad)


@_python_dtypes
def empty(
    *sizes,
    size=_ABSENT,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    memory_format=None,
):
    """``torch.empty`` (its values are zeros here, never garbage)."""
    return _filled(xp.zeros(_shape(sizes, "empty", size), _dt(dtype)), requires_grad)


@_python_dtypes
def full(size, fill_value, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.full``: the dtype follows ``fill_value`` when none is given."""
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    fill_value = dtypes.checked_scalar(fill_value, dtype)
    return _filled(xp.full(_shape((size,), "full"), fill_value, dtype.np), requires_grad)


@_python_dtypes
def scalar_tensor(s, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=None):
    """``torch.scalar_tensor``: a 0-d tensor holding the number ``s``, in the default dtype
    unless one is given."""
    if isinstance(s, Tensor) and s._data.ndim == 0:
        s = s.item()
    if not isinstance(s, (builtins.bool, builtins.int, builtins.float, complex)):
        raise TypeError(
            f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}"
        )
    if dtype is None:
        dtype = dtypes.get_default_dtype()
    if isinstance(s, complex) and s.imag and not dtype.is_complex:
        raise RuntimeError(
            f"value cannot be converted to type {dtypes.CPP_NAMES[dtype]} without overflow"
        )
    value = s if dtype.is_complex or not isinstance(s, complex) else s.real
    return _filled(xp.full((), value, dtype.np), requires_grad)


def _like(t, dtype):
    return dtype.np if dtype is not None else t._data.dtype


@_python_dtypes
def zeros_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            zeros_like,
            (input,),
            {"dtype": dtype, "requires_grad": requires_grad, "memory_format": memory_format},
        )
        if batched is not NotImplemented:
            return batched
    return _filled(
        kept_layout(
            xp.zeros_like(input._data, _like(input, dtype), kept_order(input._data)), input._data
        ),
        requires_grad,
    )


@_python_dtypes
def ones_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            ones_like,
            (input,),
            {"dtype": dtype, "requires_grad": requires_grad, "memory_format": memory_format},
        )
        if batched is not NotImplemented:
            return batched
    return _filled(
        kept_layout(
            xp.ones_like(input._data, _like(input, dtype), kept_order(input._data)), input._data
        ),
        requires_grad,
    )


@_python_dtypes
def empty_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            empty_like,
            (input,),
            {"dtype": dtype, "requires_grad": requires_grad, "memory_format": memory_format},
        )
        if batched is not NotImplemented:
            return batched
    return _filled(
        kept_layout(
            xp.zeros_like(input._data, _like(input, dtype), kept_order(input._data)), input._data
        ),
        requires_grad,
    )


@_python_dtypes
def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None):
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            full_like,
            (input, fill_value),
            {"dtype": dtype, "requires_grad": requires_grad, "memory_format": memory_format},
        )
        if batched is not NotImplemented:
            return batched
    return _filled(
        kept_layout(
            xp.full_like(input._data, fill_value, _like(input, dtype), kept_order(input._data)),
            input._data,
        ),
        requires_grad,
    )


def _scalar_str(v) -> str:
    """A number as PyTorch's messages print it (``1.5``, ``-1``, ``1e-07``, ``inf``)."""
    return f"{v:g}" if isinstance(v, builtins.float) else str(v)


def _arange_count(start, end, step, dtype):
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_scalar_str(start)} -> {_scalar_str(end)}")
    if (end - start) * step < 0 or (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is dtypes.int64:
        # int64 ranges are computed on the bounds truncated to integers, as PyTorch does.
        start, end, step = builtins.int(start), builtins.int(end), builtins.int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        sign = 1 if step > 0 else -1
        return start, step, builtins.int((end - start + step - sign) / step)
    n = math.ceil((end - start) / step)
    if dtype.category < 2:  # other integer types: count from the exact bounds, values truncated
        return builtins.int(start), builtins.int(step), n
    return start, step, n


@_python_dtypes
def arange(
    start,
    end=None,
    step=1,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.arange``: int64 when every bound is an integer, else the default float dtype."""
    if end is None:
        start, end = 0, start
    # tensors and NumPy scalars count as the Python numbers they hold
    start, end, step = (
        s.item() if isinstance(s, (Tensor, xp.generic)) else s for s in (start, end, step)
    )
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        integral = all(isinstance(v, builtins.int) for v in (start, end, step))
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    first, step, n = _arange_count(start, end, step, dtype)
    if dtype.category < 2:
        values = first + xp.arange(n, dtype=xp.int64) * step
    elif dtype is dtypes.float32 or dtype is dtypes.float64:
        values = _arange_like_pytorch(first, step, n, dtype)
    else:
        values = first + xp.arange(n, dtype=xp.float64) * step
    return _filled(values.astype(dtype.np), requires_grad)


_RANGE_DEPRECATED = (
    "torch.range is deprecated and will be removed in a future release because its behavior is "
    "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values "
    "in [start, end)."
)


@_python_dtypes
def range(start, end, step=1, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.range`` (deprecated, with PyTorch's warning): ``start``, ``start + step`` ... up
    to ``end`` included, in the default float dtype unless ``dtype`` names one."""
    warnings.warn(_RANGE_DEPRECATED, UserWarning, stacklevel=3)
    start, end, step = (
        s.item() if isinstance(s, (Tensor, xp.generic)) else s for s in (start, end, step)
    )
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_scalar_str(start)} -> {_scalar_str(end)}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype.category < 2:  # integers: from the bounds as integers
        start, end, step = builtins.int(start), builtins.int(end), builtins.int(step)
    n = math.floor((end - start) / step) + 1
    values = start + xp.arange(n, dtype=xp.float64 if dtype.category >= 2 else xp.int64) * step
    return _filled(values.astype(dtype.np), requires_grad)


def _arange_like_pytorch(start, step, n, dtype):
    """The values PyTorch's CPU kernel gives, to the last bit (they show in ``repr``: its
    ``arange(-1, 1, 0.1)[10]`` is -2.9802e-09, not 0).

    The kernel fills blocks of SIMD lanes (8 floats or 4 doubles; pairs of blocks, the remainder
    one element at a time): a block's first value is ``start + step * i`` rounded to the dtype, the
    others add ``k * step`` to it in double.  For doubles each multiply-add is fused (one rounding,
    emulated here in long double).  Ranges longer than 16384 are split across threads in PyTorch,
    so beyond that the last bits may differ.
    """
    lanes = 8 if dtype is dtypes.float32 else 4
    blocked = n // (2 * lanes) * (2 * lanes)
    block = xp.arange(0, blocked, lanes)
    k = xp.arange(lanes)
    tail = xp.arange(blocked, n)
    if dtype is dtypes.float32:
        base = (start + step * block).astype(xp.float32).astype(xp.float64)
        body = (base[:, None] + k * step).astype(xp.float32)
        rest = (start + step * tail).astype(xp.float32)
    else:
        wide, lstep = xp.longdouble, xp.longdouble(step)
        base = (lstep * block.astype(wide) + wide(start)).astype(xp.float64)
        body = (k.astype(wide) * lstep + base.astype(wide)[:, None]).astype(xp.float64)
        rest = (lstep * tail.astype(wide) + wide(start)).astype(xp.float64)
    return xp.concatenate((body.ravel(), rest))


@_python_dtypes
def linspace(
    start,
    end,
    steps,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.linspace``: ``steps`` values from start to end, both included.

    As PyTorch: the first half counts up from ``start`` and the second half down from ``end``, in
    the output's precision (floats) or in double, truncated (integers); so the ends are exact.
    """
    start, end = (s.item() if isinstance(s, Tensor) else s for s in (start, end))
    if not isinstance(steps, builtins.int):
        raise TypeError(
            f"linspace(): argument 'steps' (position 3) must be int, not {type(steps).__name__}"
        )
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or dtypes.get_default_dtype()
    if steps <= 1:
        return _filled(xp.full(steps, start).astype(dtype.np), requires_grad)
    idx = xp.arange(steps)
    half = steps // 2
    # The step is rounded to the output's float type; each value is then one fused multiply-add,
    # rounded once (emulated in a wider type): this is what PyTorch's kernel computes.  float16
    # rounds after every operation instead.
    if dtype.category >= 2:
        step_type = dtype.np.type
        wide = {dtypes.float64: xp.longdouble, dtypes.float16: xp.float16}.get(dtype, xp.float64)
        idx = idx.astype(wide)
    else:
        step_type, wide = builtins.int, xp.longdouble  # integer bounds, a double step
    lo, hi = step_type(start), step_type(end)
    step = wide(xp.float64((hi - lo) / step_type(steps - 1)))
    values = xp.empty(steps, dtype=wide)
    values[:half] = wide(lo) + step * idx[:half]
    values[half:] = wide(hi) - step * (steps - 1 - idx[half:])
    if dtype.category < 2:
        values = values.astype(xp.float64)  # rounded to double, then truncated
    return _filled(values.astype(dtype.np), requires_grad)


@_python_dtypes
def logspace(
    start,
    end,
    steps,
    base=10.0,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
):
    """``torch.logspace``: base ** linspace(start, end, steps)."""
    dtype = dtype or dtypes.get_default_dtype()
    exponents = linspace(start, end, steps, dtype=dtypes.float64)._data
    return _filled(xp.power(float(base), exponents).astype(dtype.np), requires_grad)


@_python_dtypes
def eye(
    n, m=None, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False
):
    """``torch.eye``: ones on the diagonal."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _filled(xp.eye(n, m, dtype=_dt(dtype)), requires_grad)


def _triangle_indices(lower, row, col, offset, dtype):
    if dtype is None:
        dtype = dtypes.int64
    for name, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{name} must be non-negative, got{n}")
    find = xp.tril_indices if lower else xp.triu_indices
    rows, cols = find(row, offset, col)
    return _filled(xp.stack([rows, cols]).astype(dtypes.as_dtype(dtype).np), False)


@_python_dtypes
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """``torch.tril_indices``: the (row, column) coordinates of the lower triangle of a
    ``row`` x ``col`` matrix (below diagonal ``offset``), as a 2 x N tensor."""
    return _triangle_indices(True, row, col, offset, dtype)


@_python_dtypes
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """``torch.triu_indices``: the coordinates of the upper triangle (above diagonal
    ``offset``)."""
    return _triangle_indices(False, row, col, offset, dtype)


# --- random numbers: PyTorch's generator and samplers (``_generator``, ``_sampling``) ----------


def _float_only(kernel, dtype):
    """PyTorch's error for sampling continuous values into an integer or bool dtype."""
    if dtype is not None and dtype.category < 2:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(dtype)}'"
        )


def _count(shape):
    return math.prod(shape)


@_python_dtypes
def rand(
    *sizes,
    size=_ABSENT,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.rand``: uniform on [0, 1)."""
    if _switches.batching is not None:  # (vmap: one draw per example, or one shared)
        kw = {"generator": generator, "dtype": dtype, "requires_grad": requires_grad}
        batched = _switches.batching(rand, sizes if size is _ABSENT else (size,), kw)
        if batched is not NotImplemented:
            return batched
    _float_only("check_uniform_bounds", dtype)
    shape = _shape(sizes, "rand", size)
    values = _sampling.uniform(resolve(generator), _count(shape), _dt(dtype), 0.0, 1.0)
    return _filled(values.reshape(shape), requires_grad)


@_python_dtypes
def randn(
    *sizes,
    size=_ABSENT,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.randn``: standard normal."""
    if _switches.batching is not None:  # (vmap: one draw per example, or one shared)
        kw = {"generator": generator, "dtype": dtype, "requires_grad": requires_grad}
        batched = _switches.batching(randn, sizes if size is _ABSENT else (size,), kw)
        if batched is not NotImplemented:
            return batched
    _float_only("normal_kernel_cpu", dtype)
    shape = _shape(sizes, "randn", size)
    values = _sampling.normal(resolve(generator), _count(shape), _dt(dtype))
    return _filled(values.reshape(shape), requires_grad)


def _random_bounds(low, high):
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )


@_python_dtypes
def randint(
    *args,
    size=None,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.randint(high, size)`` or ``torch.randint(low, high, size)``: int64 by default."""
    if size is None and args:
        *args, size = args
    if size is None or len(args) not in (1, 2):
        raise TypeError(
            "randint() missing required argument 'size' (pos 2)"
            if size is None
            else "randint() takes from 2 to 3 positional arguments"
        )
    if isinstance(size, builtins.int):
        raise TypeError(
            f"randint(): argument 'size' (position {len(args) + 1}) must be tuple of ints, not int"
        )
    low, high = (0, args[0]) if len(args) == 1 else args
    low, high = builtins.int(low), builtins.int(high)
    _random_bounds(low, high)
    shape = _shape((size,), "randint")
    dt = _dt(dtype, dtypes.int64)
    low, high = _sampling.float_range(dt, low, high)
    array = _sampling.random_from_to(resolve(generator), _count(shape), high - low, low)
    return _filled(array.reshape(shape).astype(dt), requires_grad)


@_python_dtypes
def randperm(
    n,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    pin_memory=False,
):
    """``torch.randperm``: a random permutation of 0..n-1 (PyTorch's shuffle, draw for draw)."""
    n = builtins.int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    array = _sampling.randperm(resolve(generator), n)
    return _filled(array.astype(_dt(dtype, dtypes.int64)), requires_grad)


@_python_dtypes
def rand_like(input, dtype=None, generator=None, requires_grad=False, **kwargs):
    """``torch.rand_like``: ``rand`` with the shape (and by default the dtype) of ``input``."""
    if _switches.batching is not None:  # (vmap)
        kw = {"dtype": dtype, "generator": generator, "requires_grad": requires_grad, **kwargs}
        batched = _switches.batching(rand_like, (input,), kw)
        if batched is not NotImplemented:
            return batched
    dt = _like(input, dtype)
    values = _sampling.uniform(resolve(generator), input._data.size, dt, 0.0, 1.0)
    return _filled(values.reshape(input._data.shape), requires_grad)


@_python_dtypes
def randn_like(input, dtype=None, generator=None, requires_grad=False, **kwargs):
    """``torch.randn_like``: ``randn`` with the shape (and by default the dtype) of ``input``."""
    if _switches.batching is not None:  # (vmap)
        kw = {"dtype": dtype, "generator": generator, "requires_grad": requires_grad, **kwargs}
        batched = _switches.batching(randn_like, (input,), kw)
        if batched is not NotImplemented:
            return batched
    dt = _like(input, dtype)
    values = _sampling.normal(resolve(generator), input._data.size, dt)
    return _filled(values.reshape(input._data.shape), requires_grad)


@_python_dtypes
def randint_like(
    input, low=0, high=None, *, dtype=None, generator=None, requires_grad=False, **kwargs
):
    """``torch.randint_like(input, high)`` or ``(input, low, high)``."""
    if high is None:
        low, high = 0, low
    low, high = builtins.int(low), builtins.int(high)
    _random_bounds(low, high)
    array = _sampling.random_from_to(resolve(generator), input._data.size, high - low, low)
    return _filled(array.reshape(input._data.shape).astype(_like(input, dtype)), requires_grad)


_NORMAL_SIGNATURES = (
    "normal() received an invalid combination of arguments - got ({}, {}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device "
    "= None, bool pin_memory = False, bool requires_grad = False)\n"
)


@_python_dtypes
def normal(
    mean=0.0,
    std=1.0,
    size=None,
    generator=None,
    dtype=None,
    requires_grad=False,
    out=None,
    **kwargs,
):
    """``torch.normal``: normal samples; ``mean``/``std`` may be tensors (broadcast) or floats.

    As in PyTorch, tensor arguments scale standard normals afterwards: ``z * std + mean`` (two
    roundings), and a tensor mean with a float std draws ``normal_(0, std)`` and adds the mean."""
    gen = resolve(generator)
    t_mean, t_std = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not t_std and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_scalar_str(std)}")
    if not (t_mean or t_std):
        if size is None:
            raise TypeError(_NORMAL_SIGNATURES.format(type(mean).__name__, type(std).__name__))
        shape = _shape((size,), "normal")
        values = _sampling.normal(
            gen, _count(shape), _dt(dtype), builtins.float(mean), builtins.float(std)
        )
        return _filled(values.reshape(shape), requires_grad)
    if t_std and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    from .ops.sampling import normal_tensors

    return normal_tensors(gen, mean, std)


_NEW_SIGNATURES = (
    "new() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (*, torch.device device = None)\n"
    "      didn't match because some of the keywords were incorrect: {}\n"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)\n"
)


def _options(d) -> str:
    return (
        f"TensorOptions(dtype={dtypes.CPP_NAMES[d]}, device=cpu, layout=Strided, "
        "requires_grad=false (default), pinned_memory=false (default), "
        "memory_format=(nullopt))"
    )


def _legacy_new(dtype, args, kwargs):
    """The legacy constructors, ``torch.Tensor(...)``, ``torch.FloatTensor(...)`` and
    ``Tensor.new(...)``: sizes (``Tensor(2, 3)``, ``Tensor(torch.Size([2, 3]))``, ``size=``) give a
    new tensor (zeros here; PyTorch leaves it uninitialised), data (a list, array) is copied, and a
    tensor is returned as it is.  ``dtype``: the constructor's own (None: ``torch.Tensor``, which
    takes the default dtype for new memory and keeps a tensor's)."""
    bad = [k for k in kwargs if k not in ("device", "size") or (k == "size" and args)]
    if bad:
        got = [_device.argument_type(a) for a in args]
        got += [f"{k}={_device.argument_type(v)}" for k, v in kwargs.items()]
        raise TypeError(_NEW_SIGNATURES.format(", ".join(got), ", ".join(bad)))
    dev = kwargs.get("device")
    if dev is not None and device(dev).type != "cpu":
        raise RuntimeError(
            "legacy constructor expects device type: cpu but device type: "
            f"{device(dev).type} was passed"
        )
    new_dtype = dtype or dtypes.get_default_dtype()
    if "size" in kwargs:
        return zeros(kwargs["size"], dtype=new_dtype)
    if not args:
        return zeros(0, dtype=new_dtype)
    if len(args) == 1 and not isinstance(args[0], builtins.int):
        data = args[0]
        if isinstance(data, Tensor):
            if dtype is not None and data.dtype is not dtype:
                raise TypeError(f"expected {_options(dtype)} (got {_options(data.dtype)})")
            return data[...] if dtype is None else data  # torch.Tensor(t): an alias
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if data is None or isinstance(data, (builtins.float, builtins.bool, builtins.complex)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        if isinstance(data, Size):
            return zeros(data, dtype=new_dtype)
        return tensor(data, dtype=new_dtype)
    return zeros(*args, dtype=new_dtype)


# --- Tensor methods that make new tensors ---------------------------------------------------------


def _new_options(name, kwargs):
    """The ``new_*`` methods take ``layout`` and ``pin_memory`` beyond dtype, device and
    requires_grad (the factory checks them)."""
    for k in kwargs:
        if k not in ("layout", "pin_memory"):
            raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")
    return kwargs


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False, **kwargs):
    """``Tensor.new_tensor``: like ``torch.tensor``, with this tensor's dtype and device by
    default."""
    _new_options("new_tensor", kwargs)
    return tensor(
        data,
        dtype=dtype or self.dtype,
        device=_device.CPU if device is None else device,
        requires_grad=requires_grad,
        **kwargs,
    )


def _new_factory(factory):
    def method(self, *sizes, size=_ABSENT, dtype=None, device=None, requires_grad=False, **kwargs):
        _new_options("new_" + factory.__name__, kwargs)
        shape = int_list("new_" + factory.__name__, "size", sizes, size)
        return factory(
            _shape((shape,), "new_" + factory.__name__),
            dtype=dtype or self.dtype,
            device=_device.CPU if device is None else device,
            requires_grad=requires_grad,
            **kwargs,
        )

    method.__name__ = "new_" + factory.__name__
    method.__doc__ = (
        f"``Tensor.new_{factory.__name__}``: with this tensor's dtype and device by default."
    )
    return method


def _new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kwargs):
    """``Tensor.new_full``: with this tensor's dtype and device by default."""
    _new_options("new_full", kwargs)
    return full(
        size,
        fill_value,
        dtype=dtype or self.dtype,
        device=_device.CPU if device is None else device,
        requires_grad=requires_grad,
        **kwargs,
    )


_TYPE_NAMES = {"torch." + d._tensor_name: d for d in dtypes.ALL}


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """``Tensor.type``: the type name (``'torch.FloatTensor'``), or a copy in another dtype, named
    by a dtype, a legacy type (``torch.DoubleTensor``) or its name; CUDA types fail as in
    PyTorch's CPU-only build."""
    if kwargs:
        raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if dtype is None:
        return "torch." + self.dtype._tensor_name
    if dtype is Tensor:
        dtype = dtypes.get_default_dtype()
    elif isinstance(dtype, _LegacyType):  # x.type(torch.LongTensor)
        dtype = dtype.dtype
    elif isinstance(dtype, str):
        if dtype.startswith("torch.cuda."):
            raise RuntimeError(_device.CUDA_LIBRARY)
        if dtype not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _TYPE_NAMES[dtype]
    elif getattr(dtype, "__module__", None) == "torch.cuda":  # torch.cuda.FloatTensor
        raise RuntimeError(_device.CUDA_LIBRARY)
    return self.to(dtype)


def _new(self, *args, **kwargs):
    """``Tensor.new``: the legacy constructor, with this tensor's dtype."""
    return _legacy_new(self.dtype, args, kwargs)


Tensor.new = _new
Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_factory(zeros)
Tensor.new_ones = _new_factory(ones)
Tensor.new_empty = _new_factory(empty)
Tensor.new_full = _new_full
Tensor.type = _type


class _LegacyType(type):
    """``isinstance(t, torch.FloatTensor)``: whether a tensor has that dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype


def _legacy_constructor(name, dtype):
    def __new__(cls, *args, **kwargs):
        return _legacy_new(dtype, args, kwargs)

    return _LegacyType(
        name,
        (),
        {
            "__new__": __new__,
            "dtype": dtype,
            "__doc__": f"``torch.{name}``: the legacy constructor.",
        },
    )


FloatTensor = _legacy_constructor("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_constructor("HalfTensor", dtypes.float16)
LongTensor = _legacy_constructor("LongTensor", dtypes.int64)
IntTensor = _legacy_constructor("IntTensor", dtypes.int32)
ShortTensor = _legacy_constructor("ShortTensor", dtypes.int16)
CharTensor = _legacy_constructor("CharTensor", dtypes.int8)
ByteTensor = _legacy_constructor("ByteTensor", dtypes.uint8)
BoolTensor = _legacy_constructor("BoolTensor", dtypes.bool)


_WARNED_TENSOR_TYPE = []


def set_default_tensor_type(t) -> None:
    """``torch.set_default_tensor_type``: the default dtype set from a floating legacy tensor
    type (``torch.DoubleTensor``) or its name; deprecated, as PyTorch says once."""
    if not _WARNED_TENSOR_TYPE:
        _WARNED_TENSOR_TYPE.append(True)
        warnings.warn(
            "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
            "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
            UserWarning,
            stacklevel=2,
        )
    if isinstance(t, str):
        if t.startswith("torch.cuda."):
            raise TypeError(f"type {t} not available. Torch not compiled with CUDA enabled.")
        if t not in _TYPE_NAMES:
            module, _, name = t.rpartition(".")
            if module != "torch":
                raise ModuleNotFoundError(f"No module named '{t.split('.')[0]}'")
            raise AttributeError(f"module 'torch' has no attribute '{name}'")
        dtype = _TYPE_NAMES[t]
    elif isinstance(t, _LegacyType):
        dtype = t.dtype
    elif getattr(t, "__module__", None) == "torch.cuda":
        raise TypeError(
            f"type torch.cuda.{t.__name__} not available. Torch not compiled with CUDA enabled."
        )
    else:
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.set_default_dtype(dtype)
