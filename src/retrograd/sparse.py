"""``torch.sparse``: the sum, the products and the softmax of sparse COO tensors (``ops/sparse_coo.py``),
the products of sparse compressed ones (``ops/sparse_compressed.py``); the rest of PyTorch's module refuses by name."""

from ._device import refusing
from .ops.sparse_compressed import sampled_addmm
from .ops.sparse_compressed import sparse_mm as mm
from .ops.sparse_coo import sparse_addmm as addmm
from .ops.sparse_coo import sparse_log_softmax as log_softmax
from .ops.sparse_coo import sparse_softmax as softmax
from .ops.sparse_coo import sparse_sum as sum  # noqa: A001 (PyTorch's name)

sparse_sampled_addmm = sampled_addmm  # (torch._C._sparse's names of the two)
_sparse_mm = mm

__all__ = ["addmm", "log_softmax", "mm", "sampled_addmm", "softmax", "sum"]

_NOT_BUILT = "torch.sparse.{} is not built in retrograd (torch.sparse.sum, mm, addmm, sampled_addmm, softmax and log_softmax are)"

for _name in (
    "spdiags",
    "spsolve",
    "as_sparse_gradcheck",
    "to_sparse_semi_structured",
    "check_sparse_tensor_invariants",
    "SparseSemiStructuredTensor",
):
    globals()[_name] = refusing(_name, _NOT_BUILT.format(_name))
del _name
