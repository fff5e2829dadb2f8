"""What PyTorch's namespace answers about tensors, dtypes, shapes and objects without computing
anything (``torch.is_signed``, ``torch.broadcast_shapes``, ``torch.typename`` ...)."""

import sys

from ..autograd.node import Node
from ..tensor import Size, Tensor
from .complex_numbers import _tensor_argument
from .registry import tensor_method


@tensor_method
def is_signed(input) -> bool:
    """``torch.is_signed``: whether the dtype holds negative numbers (bool and unsigned do not)."""
    _tensor_argument("is_signed", input)
    return input.dtype.is_signed


@tensor_method
def is_nonzero(input) -> bool:
    """``torch.is_nonzero``: the truth of a one-element tensor (NaN is true); PyTorch's error for
    any other number of elements."""
    _tensor_argument("is_nonzero", input)
    return bool(input)


@tensor_method
def is_same_size(input, other) -> bool:
    """``torch.is_same_size``: whether both tensors have the same shape."""
    _tensor_argument("is_same_size", input)
    if not isinstance(other, Tensor):
        raise TypeError(
            "is_same_size(): argument 'other' (position 2) must be Tensor, not "
            f"{type(other).__name__}"
        )
    return input.shape == other.shape


def is_inference(input) -> bool:
    """``torch.is_inference``: whether the tensor was made in inference mode."""
    _tensor_argument("is_inference", input)
    return input.is_inference()


@tensor_method
def is_distributed(input) -> bool:
    """``torch.is_distributed``: False (no tensor here is split over processes)."""
    _tensor_argument("is_distributed", input)
    return False


def get_device(input) -> int:
    """``torch.get_device``: -1, PyTorch's index for the CPU."""
    _tensor_argument("get_device", input)
    return input.get_device()


def detach(input) -> Tensor:
    """``torch.detach``: ``input.detach()``, the same values outside the graph."""
    _tensor_argument("detach", input)
    return input.detach()


def detach_(input) -> Tensor:
    """``torch.detach_``: ``input.detach_()``, ``input`` itself taken out of the graph."""
    _tensor_argument("detach_", input)
    return input.detach_()


def is_storage(obj) -> bool:
    """``torch.is_storage``: whether ``obj`` is a storage (a tensor's, or one read from a
    checkpoint)."""
    from ..serialization._pickle import Storage  # (a higher layer, needed only here)
    from .storage import UntypedStorage

    return isinstance(obj, (Storage, UntypedStorage))


def typename(obj) -> str:
    """``torch.typename``: a tensor's type string (``torch.FloatTensor``), else the qualified
    name of ``obj`` (a class or function) or of its class, as PyTorch names it: under ``torch``,
    by PyTorch's module layout."""
    if isinstance(obj, Tensor):
        return obj.type()
    if isinstance(getattr(obj, "__self__", None), Tensor):  # a bound method: one of PyTorch's
        return f"Tensor.{obj.__name__}"  # built-in methods, which name no module
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(obj, "__module__", None) or named.__module__ or ""
    if module == "retrograd" or module.startswith("retrograd."):
        module = _pytorch_module(named, module)
    if module in ("", "builtins"):
        return named.__qualname__
    return f"{module}.{named.__qualname__}"


# retrograd's modules whose classes PyTorch defines elsewhere (in C++, shown as these modules)
_PYTORCH_MODULES = {
    "retrograd.tensor": "torch",
    "retrograd.dtypes": "torch",
    "retrograd._device": "torch",
    "retrograd._generator": "torch._C",
}


def _pytorch_module(named, module):
    """The module PyTorch defines ``named`` in, for an object of retrograd's ``module``."""
    if module in _PYTORCH_MODULES:
        return _PYTORCH_MODULES[module]
    if isinstance(named, type) and issubclass(named, Node) and module.startswith("retrograd.ops"):
        return ""  # an op's node: one of PyTorch's C++ classes, shown by its name alone
    if module.startswith("retrograd.ops.") and callable(named) and not isinstance(named, type):
        return "torch._VariableFunctionsClass"  # an op: one of PyTorch's built-in functions
    if module.startswith("retrograd.nn."):
        # PyTorch's torch.nn.modules.<file> layout, which retrograd.nn.modules mirrors
        for name, mirror in list(sys.modules.items()):
            if (
                name.startswith("retrograd.nn.modules.")
                and getattr(mirror, named.__name__, None) is named
                and named.__name__ in getattr(mirror, "__all__", ())
            ):
                return "torch" + name[len("retrograd") :]
    return "torch" + module[len("retrograd") :]


def broadcast_shapes(*shapes) -> Size:
    """``torch.broadcast_shapes``: the shape that tensors of all these shapes broadcast to (an
    int stands for a 1-d shape, None for none), with PyTorch's errors."""
    given = []
    for shape in shapes:
        if shape is None:
            continue
        if isinstance(shape, int):
            shape = (shape,)
        elif not isinstance(shape, (tuple, list, str)):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, got "
                f"{shape}"
            )
        given.append(shape)
    result = [1] * max((len(s) for s in given), default=0)
    for index, shape in enumerate(given):
        for d in range(-1, -len(shape) - 1, -1):
            n = shape[d]
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if result[d] == 1:
                result[d] = n
            elif n != 1 and n != result[d]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {d}! Mismatching "
                    f"argument at index {index} had {shape}; but expected shape should be "
                    f"broadcastable to [{', '.join(str(m) for m in result)}]"
                )
    for i, n in enumerate(result):
        if not isinstance(n, int):
            raise TypeError(
                f"torch.Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')"
            )
    return Size(int(n) for n in result)


__all__ = [
    "broadcast_shapes",
    "detach",
    "detach_",
    "get_device",
    "is_distributed",
    "is_inference",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "is_storage",
    "typename",
]
