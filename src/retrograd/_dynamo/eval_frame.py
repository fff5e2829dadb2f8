"""``torch._dynamo.eval_frame``: where PyTorch keeps ``OptimizedModule``."""

from .._compile import OptimizedModule

__all__ = ["OptimizedModule"]
