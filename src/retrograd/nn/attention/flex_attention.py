"""``nn.attention.flex_attention``: attention whose scores a Python function may change
(``score_mod(score, b, h, q_idx, kv_idx)``) and whose pattern a mask function may restrict
(``mask_mod(b, h, q_idx, kv_idx)`` through ``create_block_mask``).

PyTorch compiles these functions into a block-sparse kernel; run eagerly it evaluates them over
every (batch, head, query, key) position.  Here they are evaluated once, on index tensors shaped
to broadcast against the ``(B, H, Q, KV)`` scores, so any function built of tensor operations
(arithmetic, comparisons, ``where``, indexing a tensor by an index) gives the same values and
gradients.  The block-sparse description of a mask (``BlockMask.kv_indices`` and the like) is
not built: a ``BlockMask`` here keeps its mask function and shape.
"""

import math
from typing import NamedTuple

from ... import creation, dtypes
from ... import ops as _ops
from ...tensor import Tensor

__all__ = [
    "BlockMask",
    "flex_attention",
    "AuxOutput",
    "AuxRequest",
    "FlexKernelOptions",
    "create_block_mask",
    "create_mask",
    "or_masks",
    "and_masks",
    "noop_mask",
]

FlexKernelOptions = dict  # the kernel's tuning knobs: the eager computation has none


class AuxRequest(NamedTuple):
    """Which extra results ``flex_attention(..., return_aux=...)`` returns."""

    lse: bool = False
    max_scores: bool = False


class AuxOutput(NamedTuple):
    """The extra results of ``flex_attention``: the log-sum-exp of each query's scores and
    their maximum, where requested."""

    lse: Tensor | None = None
    max_scores: Tensor | None = None


def noop_mask(b, h, q_idx, kv_idx) -> Tensor:
    """The mask that keeps every position."""
    return creation.ones((), dtype=dtypes.bool)


def or_masks(*mask_mods):
    """The mask that keeps a position where any of ``mask_mods`` keeps it."""

    def mask(b, h, q_idx, kv_idx):
        result = creation.zeros((), dtype=dtypes.bool)
        for mod in mask_mods:
            result = result | mod(b, h, q_idx, kv_idx)
        return result

    return mask


def and_masks(*mask_mods):
    """The mask that keeps a position where all of ``mask_mods`` keep it."""

    def mask(b, h, q_idx, kv_idx):
        result = creation.ones((), dtype=dtypes.bool)
        for mod in mask_mods:
            result = result & mod(b, h, q_idx, kv_idx)
        return result

    return mask


def _indices(B: int, H: int, Q: int, KV: int):
    """Batch, head, query and key indices, each shaped to broadcast to ``(B, H, Q, KV)``."""
    return (
        creation.arange(B).view(B, 1, 1, 1),
        creation.arange(H).view(1, H, 1, 1),
        creation.arange(Q).view(1, 1, Q, 1),
        creation.arange(KV).view(1, 1, 1, KV),
    )


def create_mask(mod_fn, B: int | None, H: int | None, Q_LEN: int, KV_LEN: int, device=None):
    """``mod_fn`` evaluated at every position: a boolean tensor of shape ``(B, H, Q_LEN,
    KV_LEN)`` (a ``None`` batch or head count is 1)."""
    B, H = B or 1, H or 1
    keep = mod_fn(*_indices(B, H, Q_LEN, KV_LEN))
    return keep.to(device=device, dtype=dtypes.bool).expand(B, H, Q_LEN, KV_LEN).contiguous()


class BlockMask:
    """A mask for ``flex_attention``: its mask function, its shape ``(B, H, Q_LEN, KV_LEN)``
    and block size.  Its block-sparse index tensors are not built."""

    def __init__(self, mask_mod, shape: tuple, BLOCK_SIZE: tuple) -> None:
        self.mask_mod = mask_mod
        self.shape = shape
        self.seq_lengths = shape[2:]
        self.BLOCK_SIZE = BLOCK_SIZE

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(
            f"BlockMask.{name}: the block-sparse form of a mask is not built in retrograd "
            "(flex_attention evaluates the mask function at every position)"
        )

    def __repr__(self) -> str:
        return f"BlockMask(shape={self.shape}, BLOCK_SIZE={self.BLOCK_SIZE})"


def create_block_mask(
    mask_mod,
    B: int | None,
    H: int | None,
    Q_LEN: int,
    KV_LEN: int,
    device=None,
    BLOCK_SIZE=128,
    _compile=False,
    separate_full_blocks: bool = True,
    compute_dq_write_order: bool = False,
    dq_kv_order: bool = True,
) -> BlockMask:
    """A ``BlockMask`` for ``mask_mod`` over ``(B, H, Q_LEN, KV_LEN)`` (a ``None`` batch or
    head count applies to every batch or head)."""
    if not isinstance(BLOCK_SIZE, tuple):
        BLOCK_SIZE = (BLOCK_SIZE, BLOCK_SIZE)
    return BlockMask(mask_mod, (B or 1, H or 1, Q_LEN, KV_LEN), BLOCK_SIZE)


def flex_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    score_mod=None,
    block_mask: BlockMask | None = None,
    scale: float | None = None,
    enable_gqa: bool = False,
    return_lse: bool = False,
    kernel_options=None,
    *,
    return_aux: AuxRequest | None = None,
):
    """Attention of ``query`` (B, Hq, L, E) over ``key`` (B, Hkv, S, E) and ``value`` (B, Hkv,
    S, Ev): the scores ``q k^T * scale`` passed through ``score_mod``, the positions that
    ``block_mask`` drops left out, softmax over the keys (a query with no key left gets zeros).
    Returns the output, with the log-sum-exp of the scores for ``return_lse``, or an
    ``AuxOutput`` for ``return_aux``.  As in PyTorch's CPU build, inputs that require grad are
    refused (there is no backward on the CPU)."""
    if query.requires_grad or key.requires_grad or value.requires_grad:
        raise NotImplementedError(
            "FlexAttention does not support backward on CPU. Please set the input "
            "requires_grad to False or use another device."
        )
    if return_aux is not None and return_aux.max_scores:
        raise NotImplementedError("Returning max scores is not supported on CPU/MPS.")
    B, Hq, L, E = query.shape
    Hkv, S = key.shape[1], key.shape[2]
    if Hq != Hkv:
        if not enable_gqa:
            raise ValueError(
                "Expect query and key/value to have the same number of heads but got "
                f"Hq={Hq} and Hkv={Hkv}. Try setting enable_gqa=True for GQA."
            )
        if Hq % Hkv != 0:
            raise ValueError(
                f"Expect number of query heads to be a multiple of kv heads for GQA but got "
                f"Hq={Hq} and Hkv={Hkv}."
            )
        key = key.repeat_interleave(Hq // Hkv, dim=1)
        value = value.repeat_interleave(Hq // Hkv, dim=1)
    scale = 1.0 / math.sqrt(E) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * scale
    index = _indices(B, Hq, L, S)
    if score_mod is not None:
        scores = score_mod(scores, *index)
    if block_mask is not None:
        keep = block_mask.mask_mod(*index).to(dtype=dtypes.bool).expand(B, Hq, L, S)
        scores = scores.masked_fill(~keep, -math.inf)
    empty = (scores == -math.inf).all(-1, keepdim=True)  # a query with every key masked
    lse = _ops.logsumexp(scores.masked_fill(empty, 0.0), -1, keepdim=True)
    out = (scores - lse).exp().matmul(value)
    lse = lse.masked_fill(empty, -math.inf).squeeze(-1)
    if return_aux is not None:
        return out, AuxOutput(lse=lse if return_aux.lse else None)
    if return_lse:
        return out, lse
    return out
