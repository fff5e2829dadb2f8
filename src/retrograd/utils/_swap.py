"""``torch.utils.swap_tensors``: two tensor objects exchange everything they hold, so every
reference to one now sees the other's data, class, attributes and autograd state."""

from ..tensor import Tensor

_SLOTS = tuple(s for s in Tensor.__slots__ if s not in ("__dict__", "__weakref__"))
_MISSING = object()


def swap_tensors(t1, t2) -> None:
    """Swap ``t1`` and ``t2`` in place: their data, dtype, shape, ``requires_grad``, ``grad``,
    ``grad_fn``, Python class and instance attributes.

    As in PyTorch, a leaf that a live graph uses may not be swapped (the graph would send its
    gradient to the other tensor)."""
    for name, t in (("t1", t1), ("t2", t2)):
        if not isinstance(t, Tensor):
            raise AttributeError(f"'{type(t).__name__}' object has no attribute '_use_count'")
        ref = t.__dict__.get("_acc")
        if ref is not None and ref() is not None:
            raise RuntimeError(
                f"Expected use_count of {name} to be 1 or 2 with an AccumulateGrad node but got "
                "3 make sure you are not holding references to the tensor in other places."
            )
    for slot in _SLOTS:
        a, b = getattr(t1, slot, _MISSING), getattr(t2, slot, _MISSING)
        for t, value in ((t1, b), (t2, a)):
            if value is _MISSING:
                delattr(t, slot)
            else:
                setattr(t, slot, value)
    d1, d2 = dict(t1.__dict__), dict(t2.__dict__)
    t1.__dict__.clear()
    t1.__dict__.update(d2)
    t2.__dict__.clear()
    t2.__dict__.update(d1)
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
