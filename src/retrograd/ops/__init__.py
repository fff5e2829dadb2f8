"""Every differentiable op, declared once in the op table, and the Tensor methods made from it.

Each module lists its public functions in ``__all__``; they become ``retrograd.<name>``.  Ops declared
with ``op(...)`` and functions marked ``@tensor_method`` become Tensor methods as well.
"""

import builtins
from typing import TYPE_CHECKING

from .. import _device
from .. import dtypes as _dt
from ..tensor import Tensor
from . import (
    arguments,
    arrangement,
    aten,
    attention,
    complex_numbers,
    composite,
    conv,
    ctc,
    eigen,
    factorizations,
    fold,
    fractional,
    grid_sampler,
    householder,
    index_reduce,
    indexing,
    inplace,
    linalg,
    lu,
    nnops,
    pointwise,
    pool3d,
    properties,
    reduction,
    resample,
    sampling,
    segment,
    shape,
    sorting,
    sparse_compressed,
    sparse_coo,
    special,
    spectral,
    statistics,
    storage,
    triangular,
)
from .registry import METHODS, OPS, op, tensor_method

MODULES = (
    attention,
    pointwise,
    reduction,
    shape,
    linalg,
    indexing,
    nnops,
    conv,
    inplace,
    sorting,
    composite,
    sampling,
    special,
    factorizations,
    lu,
    householder,
    triangular,
    resample,
    ctc,
    complex_numbers,
    pool3d,
    fold,
    fractional,
    grid_sampler,
    arrangement,
    statistics,
    storage,
    index_reduce,
    properties,
    segment,
)

# The public functions: those composed from other ops check their arguments' kinds as PyTorch's
# parser does (see arguments; their calls to each other inside the package skip the check).
_EXPORTED = {_name: getattr(_m, _name) for _m in MODULES for _name in _m.__all__}
for _name, _fn in _EXPORTED.items():
    globals()[_name] = arguments.checked(_fn, _name)

if TYPE_CHECKING:  # the names the loop above makes, spelled out for type checkers
    from .arrangement import *  # noqa: F403
    from .complex_numbers import *  # noqa: F403
    from .composite import *  # noqa: F403
    from .conv import *  # noqa: F403
    from .grid_sampler import *  # noqa: F403
    from .householder import *  # noqa: F403
    from .index_reduce import *  # noqa: F403
    from .indexing import *  # noqa: F403
    from .inplace import *  # noqa: F403
    from .linalg import *  # noqa: F403
    from .lu import *  # noqa: F403
    from .nnops import *  # noqa: F403
    from .pointwise import *  # noqa: F403
    from .pool3d import *  # noqa: F403
    from .properties import *  # noqa: F403
    from .reduction import *  # noqa: F403
    from .sampling import *  # noqa: F403
    from .segment import *  # noqa: F403
    from .shape import *  # noqa: F403
    from .sorting import *  # noqa: F403
    from .special import *  # noqa: F403
    from .statistics import *  # noqa: F403
    from .storage import *  # noqa: F403
    from .triangular import *  # noqa: F403

__all__ = [name for m in MODULES for name in m.__all__]


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _commuted(fn):
    """``number + tensor``, ``number * tensor``: the op with the tensor first, as PyTorch records
    it (``other`` is the number) and as the op's fast path takes it; other operands as given."""

    def reflected(self, other):
        if type(other) is float or type(other) is int:
            return fn(self, other)
        return fn(other, self)

    return reflected


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return pointwise.bitwise_not(self)


def _matrix_transpose(name, conjugate):
    """The getter of ``Tensor.mT``, ``mH`` (conjugated) or ``H`` (conjugated, 2-D only)."""

    def get(self):
        ndim = self.ndim
        if name == "H" and ndim != 2:
            hint = ". For batches of matrices, consider using tensor.mH" if ndim > 2 else "."
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {ndim}-D tensor{hint}"
            )
        if ndim < 2:
            raise RuntimeError(
                f"tensor.{name} is only supported on matrices or batches of matrices. Got "
                f"{ndim}-D tensor."
            )
        t = shape.transpose(self, -2, -1)
        return pointwise.cj(t) if conjugate else t

    return get


def _contains(self, element):
    """``element in tensor``: whether some element equals it (a tensor element broadcasts)."""
    if not isinstance(
        element, (Tensor, builtins.bool, builtins.int, builtins.float, builtins.complex)
    ):
        raise RuntimeError(
            "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
            f"{type(element)}."
        )
    return bool(pointwise.eq(self, element)._data.any())


def _cpu(self, memory_format=None):
    """``Tensor.cpu``: the tensor itself (every tensor is on the CPU), laid out as a
    ``memory_format`` given asks."""
    if memory_format is None:
        return self
    return shape.to(self, memory_format=memory_format)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    """``Tensor.cuda``: PyTorch's CPU-only build has no CUDA device, and says so."""
    _device.accelerator_call("cuda", device)


def _accelerator_method(kind):
    """``Tensor.xpu`` and kin: the CPU-only build's error for that device."""

    def call(self, device=None, non_blocking=False, memory_format=None):
        _device.accelerator_call(kind, device)

    call.__name__ = kind
    return call


def _pin_memory(self, device=None):
    """``Tensor.pin_memory``: page-locked memory is for copies to an accelerator; without one the
    CPU-only build refuses, and so does this."""
    raise RuntimeError(_device.NO_ACCELERATOR)


def _is_pinned(self, device=None) -> bool:
    return False


def _record_stream(self, stream):
    """``Tensor.record_stream``: streams belong to accelerators, which the CPU-only build lacks."""
    raise RuntimeError("unknown parameter type")


def _grad_dtype(self):
    """``Tensor.grad_dtype``: the dtype ``.grad`` is kept in, the tensor's own."""
    return self.dtype


def _set_grad_dtype(self, value):
    if value != self.dtype:
        raise NotImplementedError(
            "Tensor.grad_dtype other than the tensor's own dtype is not built in retrograd"
        )


def _cast_method(name, dt):
    """``Tensor.float()`` and kin: ``to(dtype)``, taking PyTorch's ``memory_format``."""

    def cast(self, *, memory_format=None):
        if memory_format is not None:
            return shape.to(self, dt, memory_format=memory_format)
        return shape.to(self, dt)

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = f"``Tensor.{name}``: this tensor as {dt}."
    return cast


def _chalf(self, memory_format=None):
    """``Tensor.chalf``: complex32 (PyTorch's experimental ComplexHalf) has no NumPy type."""
    raise NotImplementedError("Tensor.chalf: complex32 (ComplexHalf) tensors are not supported")


def _index(self, positions, dims):
    """``Tensor.index``: binds dimensions to first-class dimension objects (functorch.dim), which
    retrograd does not have."""
    raise NotImplementedError(
        f"Tensor.index(positions={positions!r}, dims={dims!r}): first-class dimensions "
        "(functorch.dim) are not supported"
    )


def _module_load(self, other, assign=False):
    """``Tensor.module_load``: what ``load_state_dict`` swaps in for this parameter or buffer:
    ``other`` detached (``assign``), or this tensor with ``other`` copied in, detached."""
    return other.detach() if assign else self.copy_(other).detach()


_REINFORCE_REMOVED = """reinforce() was removed.
Use torch.distributions instead.
See https://pytorch.org/docs/main/distributions.html

Instead of:

probs = policy_network(state)
action = probs.multinomial()
next_state, reward = env.step(action)
action.reinforce(reward)
action.backward()

Use:

probs = policy_network(state)
# NOTE: categorical is equivalent to what used to be called multinomial
m = torch.distributions.Categorical(probs)
action = m.sample()
next_state, reward = env.step(action)
loss = -m.log_prob(action) * reward
loss.backward()
"""


def _reinforce(self, reward):
    """``Tensor.reinforce``: long removed; PyTorch's error says what to use instead."""
    raise RuntimeError(_REINFORCE_REMOVED)


def _install_sparse_methods():
    """The sparse COO methods on a dense tensor: PyTorch's answers and errors for the strided
    layout (the sparse tensor class overrides each)."""

    def layout_error(name, kind="sparse coordinate tensor"):
        def refuse(self):
            raise RuntimeError(f"{name} expected {kind} layout but got Strided")

        return refuse

    def backend_error(name):
        return _device.refusing(name, _device.no_kernel(name), method=True)

    for name in ("coalesce", "indices", "is_coalesced"):
        setattr(Tensor, name, layout_error(name))
    Tensor.values = layout_error("values", "sparse tensor")
    for name in ("_indices", "_values", "_nnz"):
        setattr(Tensor, name, backend_error(name))
    Tensor.to_dense = lambda self, dtype=None, *, masked_grad=None: (
        self if dtype is None else self.to(dtype)
    )
    Tensor.to_sparse = sparse_coo.to_sparse
    Tensor.sparse_dim = lambda self: 0
    Tensor.dense_dim = lambda self: self.dim()
    Tensor.to_sparse_coo = lambda self: sparse_coo.to_sparse(self)
    Tensor.sparse_mask = sparse_coo.sparse_mask
    for name, kind in (
        ("crow_indices", "sparse row compressed tensor"),
        ("col_indices", "sparse row compressed tensor"),
        ("ccol_indices", "sparse column compressed tensor"),
        ("row_indices", "sparse column compressed tensor"),
    ):
        setattr(Tensor, name, layout_error(name, kind))
    # quantized tensors: a float tensor is its own dequantized form; the rest needs a quantized one
    Tensor.dequantize = lambda self: self
    for name in (
        "int_repr",
        "q_scale",
        "q_zero_point",
        "q_per_channel_scales",
        "q_per_channel_zero_points",
        "q_per_channel_axis",
        "qscheme",
    ):
        setattr(Tensor, name, backend_error(name))

    def not_built(name):
        return _device.refusing(name, f"Tensor.{name} is not built in retrograd", method=True)

    sparse_compressed.install_methods()
    Tensor.smm = sparse_coo.smm
    Tensor.sspaddmm = sparse_coo.sspaddmm
    for name in (
        "to_mkldnn",
        "to_padded_tensor",
        "sparse_resize_",
        "sparse_resize_and_clear_",
        "resize_as_sparse_",
    ):
        setattr(Tensor, name, not_built(name))


def _install_methods():
    for name, fn in METHODS.items():
        # (the table describes the function of that name: a method of other parameters, such
        # as x.reshape(*shape), goes unchecked)
        if _EXPORTED.get(name, fn) is fn:
            fn = arguments.checked(fn, name, as_method=True)
        setattr(Tensor, name, fn)
    p, s = pointwise, shape
    for name, dt in (
        ("float", _dt.float32),
        ("double", _dt.float64),
        ("half", _dt.float16),
        ("bfloat16", _dt.bfloat16),
        ("long", _dt.int64),
        ("int", _dt.int32),
        ("bool", _dt.bool),
        ("byte", _dt.uint8),
        ("char", _dt.int8),
        ("short", _dt.int16),
        ("cfloat", _dt.complex64),
        ("cdouble", _dt.complex128),
    ):
        setattr(Tensor, name, _cast_method(name, dt))
    Tensor.chalf = _chalf
    Tensor.index = _index
    Tensor.module_load = _module_load
    Tensor.reinforce = _reinforce
    Tensor.type_as = lambda self, other: s.to(self, other.dtype)
    Tensor.mT = property(_matrix_transpose("mT", False))
    Tensor.mH = property(_matrix_transpose("mH", True))
    Tensor.H = property(_matrix_transpose("H", True))
    complex_numbers.install_parts()
    Tensor.cpu = _cpu
    Tensor.cuda = _cuda
    for kind in ("xpu", "ipu", "mtia"):
        setattr(Tensor, kind, _accelerator_method(kind))
    Tensor.record_stream = _record_stream
    Tensor.pin_memory = _pin_memory
    Tensor.is_pinned = _is_pinned
    # every tensor is a dense CPU tensor of numbers
    for flag in (
        *("is_meta", "is_sparse", "is_sparse_csr", "is_quantized", "is_mkldnn", "is_nested"),
        *("is_ipu", "is_maia", "is_mps", "is_mtia", "is_vulkan", "is_xla", "is_xpu"),
    ):
        setattr(Tensor, flag, property(lambda self: False))
    Tensor.is_cpu = property(lambda self: True)
    Tensor.grad_dtype = property(_grad_dtype, _set_grad_dtype)
    Tensor.layout = property(lambda self: _device.strided)
    _install_sparse_methods()

    Tensor.__add__ = p.add
    Tensor.__radd__ = _commuted(p.add)
    Tensor.__sub__ = p.sub
    Tensor.__rsub__ = p.rsub
    Tensor.__mul__ = p.mul
    Tensor.__rmul__ = _commuted(p.mul)
    Tensor.__truediv__ = p.true_divide
    Tensor.__div__ = p.true_divide  # (Python 2's spellings, which PyTorch keeps)
    Tensor.__nonzero__ = Tensor.__bool__
    Tensor.__long__ = Tensor.__int__
    # number / tensor is number * (1 / tensor) in PyTorch: its graph shows Mul over Reciprocal.
    Tensor.__rtruediv__ = lambda self, other: p.mul(p.reciprocal(self), other)
    Tensor.__rdiv__ = Tensor.__rtruediv__
    Tensor.__floordiv__ = p.floor_divide
    Tensor.__rfloordiv__ = _reflected(p.floor_divide)
    Tensor.__pow__ = p.pow
    Tensor.__rpow__ = _reflected(p.pow)
    Tensor.__matmul__ = linalg.matmul
    Tensor.__rmatmul__ = _reflected(linalg.matmul)
    Tensor.__neg__ = p.neg
    Tensor.__pos__ = p.positive
    Tensor.__abs__ = p.abs
    Tensor.__eq__ = p.eq
    Tensor.__ne__ = p.ne
    Tensor.__lt__ = p.lt
    Tensor.__le__ = p.le
    Tensor.__gt__ = p.gt
    Tensor.__ge__ = p.ge
    Tensor.__and__ = p.bitwise_and
    Tensor.__rand__ = _reflected(p.bitwise_and)
    Tensor.__or__ = p.bitwise_or
    Tensor.__ror__ = _reflected(p.bitwise_or)
    Tensor.__xor__ = p.bitwise_xor
    Tensor.__rxor__ = _reflected(p.bitwise_xor)
    Tensor.__invert__ = _invert
    Tensor.__contains__ = _contains
    Tensor.__lshift__ = p.bitwise_left_shift
    Tensor.__rlshift__ = _reflected(p.bitwise_left_shift)
    Tensor.__rshift__ = p.bitwise_right_shift
    Tensor.__rrshift__ = _reflected(p.bitwise_right_shift)
    Tensor.__mod__ = p.remainder
    Tensor.__rmod__ = _reflected(p.remainder)


_install_methods()
