"""``nn.Dropout``."""

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _DropoutNd(Module):
    """What the dropout layers share: ``p``, ``inplace``, and how they print."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """``nn.Dropout``: zeroes elements with probability p in training, identity in eval."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)
