"""``torch.cond`` and ``torch.while_loop``: control flow that PyTorch captures whole when it
compiles.  Run eagerly, as here, each is its Python meaning: the branch the predicate picks, the
body while the condition holds, recorded op by op into the graph (PyTorch's compiled forms make
one node of the whole; the values and gradients are the same)."""

from .autograd.grad_mode import no_grad
from .tensor import Tensor


def _leaves(tree):
    if isinstance(tree, (tuple, list)):
        for item in tree:
            yield from _leaves(item)
    elif isinstance(tree, dict):
        for item in tree.values():
            yield from _leaves(item)
    else:
        yield tree


def cond(pred, true_fn, false_fn, operands=()):
    """``torch.cond(pred, true_fn, false_fn, operands)``: ``true_fn(*operands)`` if ``pred``
    (a bool or a one-element tensor), else ``false_fn(*operands)``."""
    if not isinstance(pred, (bool, int, float)):
        if not isinstance(pred, Tensor):
            raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
        if pred.numel() != 1:
            raise RuntimeError(
                f"Expected pred to be bool or single-element tensor, but got {pred}."
            )
        if not callable(true_fn) or not callable(false_fn):
            raise RuntimeError("Expect both branches to be callable.")
        if not isinstance(operands, (tuple, list)) or any(
            not isinstance(t, Tensor) for t in _leaves(operands)
        ):
            raise RuntimeError(
                "Expect operands to be a tuple of possibly nested dict/list/tuple that only "
                f"consists of tensor leaves, but got {operands}."
            )
        pred = bool(pred.item())
    return true_fn(*operands) if pred else false_fn(*operands)


def while_loop(cond_fn, body_fn, carried_inputs):
    """``torch.while_loop(cond_fn, body_fn, carried_inputs)``: ``body_fn`` applied to the carried
    values while ``cond_fn`` of them holds; the last values, as ``body_fn`` returns them (the
    inputs themselves if it never ran, as the body would return them)."""
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    leaves = list(_leaves(carried_inputs))
    refused = tuple(type(t) for t in leaves if not isinstance(t, (Tensor, int)))
    if refused:
        raise AssertionError(
            f"{leaves} can only be of (<class 'torch.Tensor'>, <class 'int'>, "
            f"<class 'torch.SymInt'>) but got {refused}"
        )
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(
            "Expect carried_inputs to be a tuple of possibly nested dict/list/tuple that only"
            f"consists of tensor or int leaves, but got {carried_inputs}."
        )
    carried = tuple(carried_inputs)
    if not bool(cond_fn(*carried)):
        # the inputs, in the structure the body returns (PyTorch reads it by tracing the body)
        with no_grad():
            shaped = body_fn(*carried)
        return type(shaped)(carried) if isinstance(shaped, (tuple, list)) else carried[0]
    while True:
        result = body_fn(*carried)
        carried = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        if not bool(cond_fn(*carried)):
            return result
