"""``torch.storage``: the storage classes, ``UntypedStorage`` (bytes) and ``TypedStorage``
(elements of a dtype), which ``ops.storage`` defines."""

from .ops.storage import TypedStorage, UntypedStorage

__all__ = ["TypedStorage", "UntypedStorage"]
