"""A differential fuzzer: random autograd programs run on retrograd and on PyTorch, compared step
by step (values, dtypes, flags, node names, gradients, hook logs and errors)."""

from .generator import generate
from .runner import compare, differ, render, report, run, shrink

__all__ = ["compare", "differ", "generate", "render", "report", "run", "shrink"]
