"""``nn.utils.rnn``: variable-length sequences as one padded batch (``pad_sequence``) or packed
(``pack_padded_sequence``, ``PackedSequence``), which the RNN layers take.

For ``pad_sequence`` PyTorch writes each sequence into a filled tensor in place (a ``CopySlices``
node); here each is padded and the results stacked, so the node is ``StackBackward0``, with the
same values and gradients.  Packing is likewise built from slices and ``cat`` (PyTorch has one
``PackPaddedSequenceBackward0`` node), with the same values and gradients.
"""

from collections import namedtuple

from ..._array import xp
from ...ops.indexing import index_select
from ...ops.shape import cat, stack
from ...tensor import Tensor, _make
from .. import functional as F


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """``pad_sequence``: sequences of shape (L_i, *) as (max L, B, *), or (B, max L, *) with
    ``batch_first``, padded with ``padding_value`` on the ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        before, after = (extra, 0) if padding_side == "left" else (0, extra)
        # F.pad counts from the last dimension: zeros for the trailing ones, then the length
        padded.append(
            F.pad(s, (0, 0) * (s.ndim - 1) + (before, after), value=padding_value) if extra else s
        )
    return stack(padded, 0 if batch_first else 1)


__all__ = ["pad_sequence"]


# --- packed sequences: the time steps of a sorted batch, only the sequences still running --------


class PackedSequence(
    namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
):
    """``nn.utils.rnn.PackedSequence``: ``data`` holds, time step after time step, the elements of
    the sequences still running (longest first); ``batch_sizes[t]`` says how many.  The RNN layers
    take it in place of a padded batch."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        data = self.data.to(*args, **kwargs)
        return (
            self
            if data is self.data
            else type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)
        )

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (a 1-D tensor of int64 indices): ``out[p[i]]
    = i``; ``None`` stays ``None``."""
    if permutation is None:
        return None
    array = permutation._data
    if array.ndim > 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if array.dtype != xp.int64 and array.dtype != xp.int32:
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if array.dtype != xp.int64:  # the inverse is filled from int64 positions
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    flat = array.reshape(-1)
    bad = (flat < 0) | (flat >= flat.size)
    if bad.any():
        raise RuntimeError(
            f"index {flat[bad][0]} is out of bounds for dimension 0 with size {flat.size}"
        )
    inverse = xp.empty_like(flat)
    inverse[flat] = xp.arange(flat.size)
    return _make(inverse.reshape(array.shape))


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """``nn.utils.rnn.pack_padded_sequence``: a padded (T, B, *) batch (B, T, * with
    ``batch_first``) and each sequence's length, packed."""
    lengths = xp.asarray(
        lengths._data if isinstance(lengths, Tensor) else lengths, dtype=xp.int64
    ).reshape(-1)
    if enforce_sorted:
        if xp.any(lengths[:-1] < lengths[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                "to sidestep this requirement if you do not need ONNX exportability."
            )
        sorted_indices = None
    else:
        order = xp.argsort(-lengths, kind="stable")
        sorted_indices = _make(order.astype(xp.int64))
        lengths = lengths[order]
        input = index_select(input, 0 if batch_first else 1, sorted_indices)
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element "
            "in 'lengths' that is <= 0"
        )
    if batch_first:
        input = input.transpose(0, 1)
    batch_sizes = (lengths[None, :] > xp.arange(int(lengths.max()))[:, None]).sum(1)
    data = cat([input[t, : int(n)] for t, n in enumerate(batch_sizes)])
    return PackedSequence(data, _make(batch_sizes.astype(xp.int64)), sorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length=None,
):
    """``nn.utils.rnn.pad_packed_sequence``: the padded batch and the lengths, in the order the
    sequences had before packing."""
    sizes = sequence.batch_sizes._data.tolist()
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest "
                f"sequence in input, but got total_length={total_length} and max "
                f"sequence length being {steps}"
            )
        steps = total_length
    batch = sizes[0]
    rows, start = [], 0
    filler = sequence.data.new_full((batch,) + tuple(sequence.data.shape[1:]), padding_value)
    for t in range(steps):
        n = sizes[t] if t < len(sizes) else 0
        part = sequence.data[start : start + n]
        rows.append(cat([part, filler[n:]]) if n < batch else part)
        start += n
    padded = stack(rows)
    lengths = (xp.asarray(sizes)[None, :] > xp.arange(batch)[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        padded = index_select(padded, 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _make(lengths.astype(xp.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """``nn.utils.rnn.pack_sequence``: a list of (L_i, *) sequences, packed."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence):
    """``nn.utils.rnn.unpack_sequence``: the list of sequences a packed batch holds."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return [padded[i, : int(n)] for i, n in enumerate(lengths.tolist())]


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False):
    """``nn.utils.rnn.unpad_sequence``: each sequence of a padded batch, cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, : int(n)] for i, n in enumerate(lengths.tolist())]


__all__ += [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pack_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
