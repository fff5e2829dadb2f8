"""``torch.masked``: reductions and normalizations that leave out the elements a boolean
``mask`` marks False, on plain tensors (PyTorch's functional form).  ``MaskedTensor`` is not
built: making one raises ``NotImplementedError``."""

from ._ops import (
    amax,
    amin,
    argmax,
    argmin,
    cumprod,
    cumsum,
    log_softmax,
    logaddexp,
    logsumexp,
    mean,
    median,
    norm,
    normalize,
    prod,
    softmax,
    softmin,
    std,
    sum,
    var,
)

_NOT_BUILT = (
    "torch.masked.MaskedTensor is not supported; pass a plain tensor and mask= to the "
    "torch.masked functions instead"
)


class MaskedTensor:
    """``torch.masked.MaskedTensor``: not built (see the module's docstring)."""

    def __init__(self, data, mask, requires_grad=False):
        raise NotImplementedError(_NOT_BUILT)


def masked_tensor(data, mask, requires_grad=False):
    """``torch.masked.masked_tensor``: not built."""
    raise NotImplementedError(_NOT_BUILT)


def as_masked_tensor(data, mask):
    """``torch.masked.as_masked_tensor``: not built."""
    raise NotImplementedError(_NOT_BUILT)


def is_masked_tensor(obj) -> bool:
    """``torch.masked.is_masked_tensor``: False, there being no MaskedTensor."""
    return isinstance(obj, MaskedTensor)


__all__ = [
    "MaskedTensor",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "as_masked_tensor",
    "cumprod",
    "cumsum",
    "is_masked_tensor",
    "log_softmax",
    "logaddexp",
    "logsumexp",
    "masked_tensor",
    "mean",
    "median",
    "norm",
    "normalize",
    "prod",
    "softmax",
    "softmin",
    "std",
    "sum",
    "var",
]
