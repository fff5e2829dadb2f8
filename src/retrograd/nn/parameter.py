"""``nn.Parameter``: a leaf tensor that a Module registers as one of its parameters; ``nn.Buffer``:
one it registers as a buffer."""

from .._array import xp
from ..tensor import InferenceVersionCounter, Tensor, _make


class Parameter(Tensor):
    """A Tensor that is a module parameter (``torch.nn.Parameter``); requires grad by default."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
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
