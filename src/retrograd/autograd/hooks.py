"""Tensor hooks: ``register_hook``, ``retain_grad`` and post-accumulate-grad hooks.

A leaf keeps its hooks itself (AccumulateGrad runs them); a non-leaf's hooks live on its grad_fn,
keyed by the tensor's output number, and run before that node, as in PyTorch.  ``retain_grad`` is
held through a weak reference, so a hook never keeps its tensor alive.
"""

import weakref

from .node import RemovableHandle, _add_hook, _HookDict, mark_hooked


def register_tensor_hook(tensor, hook):
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    fn = tensor.grad_fn
    if fn is None:
        return _add_hook(tensor, "_hooks", hook)
    bound = tensor._hook_node
    if bound is not None:
        return _add_hook(bound[0], "_tensor_pre_hooks", hook, key=bound[1])
    return _add_hook(fn, "_tensor_pre_hooks", hook, key=tensor._output_nr)


def keep_hook_node(tensor):
    """``tensor`` gets a new grad_fn from an in-place change of its shape or strides (``t_``,
    ``squeeze_`` ...), which, as in PyTorch, does not move its hooks: while its current node holds
    hooks of it, hooks registered later join them there (until a write of its values)."""
    if tensor._hook_node is None:
        fn = tensor._grad_fn
        hooks = None if fn is None else fn._tensor_pre_hooks
        if hooks is not None and tensor._output_nr in hooks:
            tensor._hook_node = (fn, tensor._output_nr)


def retain_grad(tensor):
    fn = tensor.grad_fn
    if fn._retain_grad_hooks is None:
        fn._retain_grad_hooks = {}
    fn._retain_grad_hooks[tensor._output_nr] = weakref.ref(tensor)
    mark_hooked(fn)
    tensor._retains_grad = True


def move_retain_grad(tensor, node, output_nr):
    """``tensor`` gets the grad_fn ``node`` (an in-place write): its ``retain_grad`` hook, if any,
    follows it from the old grad_fn, so ``.grad`` keeps the gradient of its current value, and
    hooks registered from now on go to ``node``."""
    if tensor._hook_node is not None:
        tensor._hook_node = None
    old = tensor._grad_fn
    if tensor._retains_grad and old is not None and old._retain_grad_hooks is not None:
        ref = old._retain_grad_hooks.pop(tensor._output_nr, None)
        if ref is not None:
            if node._retain_grad_hooks is None:
                node._retain_grad_hooks = {}
            node._retain_grad_hooks[output_nr] = ref
            mark_hooked(node)


def register_post_accumulate_grad_hook(tensor, hook):
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    return _add_hook(tensor, "_post_acc_hooks", hook)


__all__ = [
    "register_tensor_hook",
    "retain_grad",
    "move_retain_grad",
    "keep_hook_node",
    "register_post_accumulate_grad_hook",
    "RemovableHandle",
    "_HookDict",
]
