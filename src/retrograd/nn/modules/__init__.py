"""``retrograd.nn.modules``: PyTorch's module layout (``torch.nn.modules.linear`` ...) over the
classes ``retrograd.nn`` defines, so ``from torch.nn.modules.loss import _Loss`` resolves to the
same objects as ``torch.nn``'s."""

from . import (
    activation,
    adaptive,
    batchnorm,
    channelshuffle,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    instancenorm,
    lazy,
    linear,
    loss,
    module,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
    utils,  # noqa: F401  (torch.nn.modules.utils)
)

_SUBMODULES = (
    activation,
    adaptive,
    batchnorm,
    channelshuffle,
    instancenorm,
    lazy,
    pixelshuffle,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    linear,
    loss,
    module,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)

globals().update({name: getattr(m, name) for m in _SUBMODULES for name in m.__all__})
__all__ = sorted({name for m in _SUBMODULES for name in m.__all__})  # noqa: PLE0605
