"""``nn.attention.bias``: causal masks for ``F.scaled_dot_product_attention`` given by their
variant and sequence lengths, so that a query and key of different lengths line up at the top
left (``causal_upper_left``) or at the bottom right (``causal_lower_right``) of the score
matrix."""

from enum import IntEnum

from ..._array import xp
from ...tensor import Tensor, _make

__all__ = ["causal_upper_left", "causal_lower_right", "CausalVariant", "CausalBias"]


class CausalVariant(IntEnum):
    """Where the causal diagonal starts: at the top-left corner, or ends at the bottom-right."""

    UPPER_LEFT = 1
    LOWER_RIGHT = 2


class CausalBias:
    """A causal mask of ``seq_len_q`` queries by ``seq_len_kv`` keys, passed as
    ``attn_mask``: query ``i`` sees key ``j`` where ``j <= i`` (upper left) or
    ``j <= i + seq_len_kv - seq_len_q`` (lower right)."""

    def __init__(self, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> None:
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f"variant must be a CausalVariant, got {type(variant).__name__}")
        self.variant = variant
        self.seq_len_q = seq_len_q
        self.seq_len_kv = seq_len_kv

    def _materialize(self, device=None) -> Tensor:
        """The mask as a boolean tensor (True where attention is allowed)."""
        offset = 0 if self.variant == CausalVariant.UPPER_LEFT else self.seq_len_kv - self.seq_len_q
        return _make(xp.tri(self.seq_len_q, self.seq_len_kv, offset, dtype=bool))

    def __repr__(self) -> str:
        return repr(self._materialize())


def _causal(variant: CausalVariant, name: str, size) -> CausalBias:
    if len(size) != 2:
        raise AssertionError(f"{name} only supports 2D tensors")
    return CausalBias(variant, size[0], size[1])


def causal_upper_left(*size) -> CausalBias:
    """A causal mask aligned at the top-left corner: ``causal_upper_left(seq_len_q,
    seq_len_kv)``."""
    return _causal(CausalVariant.UPPER_LEFT, "causal_upper_left", size)


def causal_lower_right(*size) -> CausalBias:
    """A causal mask aligned at the bottom-right corner: ``causal_lower_right(seq_len_q,
    seq_len_kv)``."""
    return _causal(CausalVariant.LOWER_RIGHT, "causal_lower_right", size)
