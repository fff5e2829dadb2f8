"""``torch.ao``: PyTorch's architecture-optimization tools; retrograd has ``ao.quantization``'s
names (the stubs a float model holds work, the rest refuse: there are no quantized tensors)."""

from . import quantization

__all__ = ["quantization"]
