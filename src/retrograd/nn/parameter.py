"""``nn.Parameter``: a leaf tensor that a Module registers as one of its parameters; ``nn.Buffer``:
one it registers as a buffer; ``UninitializedParameter``/``UninitializedBuffer``: the
placeholders of lazy modules, with no shape until ``materialize`` gives them one."""

from typing import TYPE_CHECKING

from .. import creation
from .._array import xp
from .._meta import MetaTensor, meta_tensor
from ..tensor import InferenceVersionCounter, Tensor, _make


class Parameter(Tensor):
    """A Tensor that is a module parameter (``torch.nn.Parameter``); requires grad by default."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if isinstance(data, MetaTensor):
            if cls is not Parameter:
                raise NotImplementedError(f"{cls.__name__} on the meta device: not built")
            p = meta_tensor(data.shape, data._meta[1], False, MetaParameter)
            return p.requires_grad_(requires_grad)
        array = xp.zeros(0, xp.float32) if data is None else data._data
        if requires_grad and array.dtype.kind not in "fcV":
            # the factories' wording, not Tensor.requires_grad_'s older one
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        # (a parameter of an inference tensor is one: outside inference_mode it may not require grad)
        vc = InferenceVersionCounter() if data is not None and data.is_inference() else None
        p = _make(array, False, None, vc, cls)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self._requires_grad))


class MetaParameter(Parameter, MetaTensor):
    """A Parameter on the meta device (``nn.Linear(..., device='meta')``): a shape and a dtype,
    no values, until ``Module.to_empty`` gives it memory (and makes it a plain Parameter)."""

    __slots__ = ()


class _BufferMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.__dict__.get("_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """``nn.Buffer(data, persistent=True)``: a tensor that, assigned to a module attribute, is
    registered as a buffer (kept in the state dict unless ``persistent=False``)."""

    def __new__(cls, data=None, *, persistent: bool = True):
        if data is None:
            data = _make(xp.zeros(0, xp.float32))
        buffer = data.detach().requires_grad_(data.requires_grad)
        buffer._is_buffer = True
        buffer.persistent = persistent
        return buffer


_NO_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes."
)


if TYPE_CHECKING:  # the mixin's methods read the Tensor it is mixed into
    _TensorBase = Tensor
else:
    _TensorBase = object


class UninitializedTensorMixin(_TensorBase):
    """What the placeholders share: no shape until ``materialize(shape)`` fills them in place
    and turns them into the class they stand for (``cls_to_become``)."""

    __slots__ = ()
    cls_to_become: type = Tensor

    @property
    def shape(self):
        raise RuntimeError(_NO_SHAPE)

    def size(self, dim=None):
        raise RuntimeError(_NO_SHAPE)

    def numel(self):
        raise RuntimeError(_NO_SHAPE)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the placeholder ``shape`` (its values uninitialised, here zeros) and make it a
        plain Parameter (or Tensor for a buffer)."""
        if isinstance(shape, int):
            shape = (shape,)
        dtype = self.dtype if dtype is None else dtype
        self._data = creation.zeros(tuple(shape), dtype=dtype, device=device)._data
        self._vc.version += 1
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """``nn.UninitializedParameter``: a parameter of a lazy module before its first call."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Parameter.__new__(cls, creation.empty(0, dtype=dtype, device=device), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """``nn.UninitializedBuffer``: a buffer of a lazy module before its first call."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        data = creation.empty(0, dtype=dtype, device=device)._data
        return _make(data, requires_grad, None, None, cls)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


def is_lazy(param) -> bool:
    """Whether ``param`` is a lazy module's placeholder not yet given a shape."""
    return isinstance(param, UninitializedTensorMixin)
