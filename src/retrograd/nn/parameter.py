"""``nn.Parameter``: a leaf tensor that a Module registers as one of its parameters."""

from .._array import xp
from ..tensor import Tensor, _make


class Parameter(Tensor):
    """A Tensor that is a module parameter (``torch.nn.Parameter``); requires grad by default."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        array = xp.zeros(0, xp.float32) if data is None else data._data
        p = _make(array, False, None, None, cls)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self._requires_grad))
