"""``torch.func.functionalize`` and ``replace_all_batch_norm_modules_``.

PyTorch's ``functionalize`` traces a program into one without in-place ops (and, on request,
without views) for compilers, while keeping what the caller sees: the same outputs, and the
inputs' mutations written back to them.  retrograd runs programs eagerly and has no compiler
to hand a functional program to, so the wrapper runs the function itself, which gives exactly
that; with ``remove="mutations_and_views"`` the outputs that view other tensors are returned as
copies of their own, as PyTorch's ``{view}_copy`` ops give them.
"""

import functools

from ..tensor import Tensor
from ..utils._pytree import tree_map

_REMOVE = ("mutations", "mutations_and_views")


def functionalize(func, *, remove: str = "mutations"):
    """``func`` as a function whose results and input mutations are those of ``func``;
    ``remove="mutations_and_views"`` also returns fresh, contiguous tensors where ``func``
    returned views."""
    if remove not in _REMOVE:
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
            " Valid options are:\n"
            "     remove='mutations': all inplace and out= operators will be removed from the "
            "program, and replaced with their out-of-place equivalents.\n"
            "     remove='mutations_and_views': In addition to the above, all aliasing operators "
            "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n"
        )
    if remove == "mutations":
        run = func
    else:

        def run(*args, **kwargs):
            return tree_map(_own_copy, func(*args, **kwargs))

    @functools.wraps(func)
    def functionalized(*args, **kwargs):
        return run(*args, **kwargs)

    return functionalized


def _own_copy(x):
    """A view as a contiguous tensor with storage of its own (its gradient flows as the
    view's); other values as they are."""
    if isinstance(x, Tensor) and x._base is not None:
        return x.clone().contiguous()
    return x


def replace_all_batch_norm_modules_(root):
    """Stop every batch-norm module in ``root`` (itself included) from tracking running
    statistics, in place: their running mean, variance and batch count are dropped, so they
    always normalise with the batch's own statistics (what vmap over a model needs).  Returns
    ``root``."""
    from ..nn.normalization import _BatchNorm

    for module in root.modules():
        if isinstance(module, _BatchNorm):
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
