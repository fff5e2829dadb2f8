"""``torch.compiler``: the user-facing helpers around ``torch.compile``."""

from ._compile import reset
from ._dynamo import disable, is_compiling

__all__ = ["disable", "is_compiling", "is_dynamo_compiling", "reset"]


def is_dynamo_compiling() -> bool:
    """False: a traced function runs as ordinary Python code, also while it is traced."""
    return False
