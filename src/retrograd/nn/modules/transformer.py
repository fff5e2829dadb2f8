"""``torch.nn.modules.transformer``: the classes of ``retrograd.nn.transformer``, and the helpers
of that module that published code imports from this path."""

from ..transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    _activation,
    _clones,
    _square_subsequent_mask,
)

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]


def _get_clones(module, N):
    """``N`` deep copies of ``module`` in a ModuleList."""
    return _clones(module, N)


def _get_activation_fn(activation: str):
    """``"relu"`` or ``"gelu"`` as the function, with PyTorch's error for another name."""
    return _activation(activation)


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None):
    """The causal float mask of size ``sz``: -inf above the diagonal, 0 elsewhere."""
    return _square_subsequent_mask(sz, dtype=dtype, device=device)
