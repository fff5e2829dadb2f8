"""``nn.utils.rnn.pad_sequence``: variable-length sequences stacked into one padded batch.

PyTorch writes each sequence into a filled tensor in place (a ``CopySlices`` node); here each is
padded and the results stacked, so the node is ``StackBackward0``, with the same values and
gradients.
"""

from ...ops.shape import stack
from ...tensor import Tensor
from .. import functional as F


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """``pad_sequence``: sequences of shape (L_i, *) as (max L, B, *), or (B, max L, *) with
    ``batch_first``, padded with ``padding_value`` on the ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        before, after = (extra, 0) if padding_side == "left" else (0, extra)
        # F.pad counts from the last dimension: zeros for the trailing ones, then the length
        padded.append(F.pad(s, (0, 0) * (s.ndim - 1) + (before, after), value=padding_value)
                      if extra else s)
    return stack(padded, 0 if batch_first else 1)


__all__ = ["pad_sequence"]
