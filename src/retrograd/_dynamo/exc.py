"""``torch._dynamo.exc``: the errors ``retrograd.compile`` raises."""

from .._compile import InvalidBackend, Unsupported

__all__ = ["InvalidBackend", "Unsupported"]
