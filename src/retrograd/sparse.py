"""``torch.sparse``: the sum and the products of sparse COO tensors (``ops/sparse_coo.py``); the
rest of PyTorch's module refuses by name."""

from ._device import refusing
from .ops.sparse_coo import sparse_addmm as addmm
from .ops.sparse_coo import sparse_mm as mm
from .ops.sparse_coo import sparse_sum as sum  # noqa: A001 (PyTorch's name)

__all__ = ["addmm", "mm", "sum"]

_NOT_BUILT = "torch.sparse.{} is not built in retrograd (torch.sparse.sum, mm and addmm are)"

for _name in (
    "sampled_addmm",
    "softmax",
    "log_softmax",
    "spdiags",
    "spsolve",
    "as_sparse_gradcheck",
    "to_sparse_semi_structured",
    "check_sparse_tensor_invariants",
    "SparseSemiStructuredTensor",
):
    globals()[_name] = refusing(_name, _NOT_BUILT.format(_name))
del _name
