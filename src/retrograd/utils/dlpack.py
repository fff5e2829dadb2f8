"""``torch.utils.dlpack``: tensors shared with other array libraries through DLPack, without a
copy (NumPy's own DLPack support underneath: ``np.from_dlpack(tensor)`` works too)."""

from .._array import xp
from ..tensor import Tensor, _make


def to_dlpack(tensor):
    """``torch.utils.dlpack.to_dlpack``: a DLPack capsule of ``tensor``'s memory, which one
    ``from_dlpack`` can take over (a tensor that requires grad is exported too, as in PyTorch)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"_to_dlpack(): argument 'data' (position 1) must be Tensor, not "
            f"{type(tensor).__name__}"
        )
    return tensor.detach().__dlpack__()


class _Capsule:
    """A bare DLPack capsule, as the ``__dlpack__`` protocol that NumPy reads hands it over."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # (kDLCPU: a capsule from elsewhere is refused below if it is not)


_INVALID = (
    "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
    "once, so you might have already constructed a tensor from it once."
)


def from_dlpack(ext_tensor):
    """``torch.from_dlpack``: a tensor sharing the memory of ``ext_tensor``, an object with
    ``__dlpack__`` (a NumPy array, a tensor of another library) or a DLPack capsule."""
    if not hasattr(ext_tensor, "__dlpack__"):
        if type(ext_tensor).__name__ != "PyCapsule":
            raise RuntimeError(_INVALID)
        try:
            array = xp.from_dlpack(_Capsule(ext_tensor))
        except ValueError:  # (NumPy's words for a capsule already taken over)
            raise RuntimeError(_INVALID) from None
        return _make(array)
    array = xp.from_dlpack(ext_tensor)
    if isinstance(ext_tensor, Tensor):  # the same memory, and its version counter
        return ext_tensor.detach()
    return _make(array)


__all__ = ["from_dlpack", "to_dlpack"]
