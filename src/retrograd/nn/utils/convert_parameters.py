"""``parameters_to_vector`` and ``vector_to_parameters``."""

from collections.abc import Iterable

from ...ops.shape import cat
from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """``nn.utils.parameters_to_vector``: every parameter flattened and joined, in order (in the
    graph, so gradients flow back to the parameters)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """``nn.utils.vector_to_parameters``: slices of ``vec`` written into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    data = vec._data
    offset = 0
    for p in parameters:
        n = p.numel()
        p._data = data[offset : offset + n].reshape(p.shape).astype(p._data.dtype, copy=True)
        p._vc.version += 1
        offset += n
