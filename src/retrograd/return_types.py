"""``torch.return_types``: the classes of the named tuples that ``max``, ``sort``, ``topk``,
``linalg.svd`` ... return, under PyTorch's names (``torch.return_types.max``); each ``<name>_out``
is the same class, which ``out=`` forms return. The ops make them (``ops.reduction.RETURN_TYPES``);
this module only names them."""

from .ops import pointwise as _pointwise
from .ops.reduction import RETURN_TYPES as _MADE

_pointwise._frexp_pair(None, None)  # (frexp's type is made on first use)

all_return_types = []
for _name, _cls in sorted(_MADE.items()):
    globals()[_name] = _cls
    if _name != "histogramdd":  # (which has no out= form)
        globals()[_name + "_out"] = _cls
    all_return_types.append(_cls)

__all__ = ["all_return_types", *(n for n in globals() if n in _MADE or n[:-4] in _MADE)]
