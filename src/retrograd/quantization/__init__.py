"""``torch.quantization``: the older path of ``torch.ao.quantization``'s names."""

from ..ao.quantization import *  # noqa: F403
from ..ao.quantization import __all__ as __all__
