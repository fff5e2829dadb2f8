"""``torch.utils.hooks``: the handle every ``register_*hook`` returns, and the machinery behind a
module's full backward hooks.

A module with full backward hooks (or backward pre-hooks) passes its tensor inputs, and then its
outputs, through an identity custom Function (``BackwardHookFunction``).  Its two nodes are
ordinary graph nodes: a post-hook on the outputs' node sees the gradients of the module's
outputs (the pre-hooks may replace them), and a post-hook on the inputs' node sees the gradients
of its inputs (the full hooks may replace them).  One backward engine runs them all.
"""

import warnings

from .. import _switches
from ..autograd.function import Function
from ..autograd.node import RemovableHandle
from ..tensor import Tensor

__all__ = ["BackwardHook", "RemovableHandle", "unserializable_hook", "warn_if_has_hooks"]

_FIRING_ON_OUTPUTS = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See "
    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details."
)


def unserializable_hook(f):
    """Mark ``f`` as a tensor hook that pickling a tensor may leave out (no warning for it)."""
    f.__torch_unserializable__ = True
    return f


def warn_if_has_hooks(tensor) -> None:
    """Warn that the tensor hooks of ``tensor`` (other than unserializable ones) are not pickled."""
    hooks = tensor._hooks
    if hooks is None and tensor.grad_fn is not None:
        hooks = (tensor.grad_fn._tensor_pre_hooks or {}).get(tensor._output_nr)
    for hook in (hooks or {}).values():
        if not getattr(hook, "__torch_unserializable__", False):
            warnings.warn(
                f"backward hook {hook!r} on tensor will not be serialized.  If this is "
                "expected, you can decorate the function with @torch.utils.hooks.unserializable_hook "
                "to suppress this warning",
                stacklevel=2,
            )


class BackwardHookFunction(Function):
    """The identity, as one node (``BackwardHookFunctionBackward``) that hooks can be put on."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """The full backward hooks and backward pre-hooks of one call of ``module``.

    ``setup_input_hook(args)`` and ``setup_output_hook(output)`` route the call's tensors through
    ``BackwardHookFunction`` and return them so; in the backward pass the pre-hooks then see (and
    may replace) the gradients of the outputs, and the hooks the gradients of the inputs, each as a
    tuple with one entry per argument (None where the argument is not a tensor, or got none).
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    def setup_input_hook(self, args):
        def hook(grad_inputs, _):
            return self._run_hooks(grad_inputs)

        new_args, self.input_tensors_index = _through_identity(args, hook)
        self.n_inputs = len(args)
        return new_args

    def setup_output_hook(self, output):
        def hook(_, grad_outputs):
            return self._run_pre_hooks(grad_outputs)

        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        new_outputs, self.output_tensors_index = _through_identity(outputs, hook)
        self.n_outputs = len(outputs)
        return new_outputs[0] if single else new_outputs

    def _run_pre_hooks(self, grads):
        index = self.output_tensors_index
        self.grad_outputs = _spread(index, grads, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(new)}, but expected {len(self.grad_outputs)}"
                )
            self.grad_outputs = new
        grad_outputs = self.grad_outputs
        if self.input_tensors_index is None:  # no input needs a gradient: the hooks run now
            warnings.warn(_FIRING_ON_OUTPUTS, UserWarning, stacklevel=1)
            grad_inputs = (None,) * self.n_inputs
            for user_hook in self.user_hooks:
                r = user_hook(self.module, grad_inputs, grad_outputs)
                if r is not None and not (isinstance(r, tuple) and all(g is None for g in r)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in index)

    def _run_hooks(self, grads):
        if self.grad_outputs is None:  # no output of the module got a gradient
            return None
        index = self.input_tensors_index
        grad_inputs = _spread(index, grads, self.n_inputs)
        for user_hook in self.user_hooks:
            new = user_hook(self.module, grad_inputs, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(new)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = new
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in index)


def _spread(index, values, size):
    """``values`` (one per tensor) placed at ``index`` in a tuple of ``size``, None elsewhere."""
    out = [None] * size
    for i, v in zip(index or (), values):
        out[i] = v
    return tuple(out)


def _through_identity(values, hook):
    """``values`` with their tensors passed through ``BackwardHookFunction``, whose node gets
    ``hook`` as post-hook, and the positions of the tensors; ``values`` and None when no tensor
    needs a gradient (or grad mode is off)."""
    index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
    if not (_switches.grad_mode.enabled and any(values[i].requires_grad for i in index)):
        return values, None
    passed = BackwardHookFunction.apply(*(values[i] for i in index))
    node = next(t.grad_fn for t in passed if t.grad_fn is not None)
    node.register_hook(hook)
    out = list(values)
    for i, t in zip(index, passed):
        out[i] = t
    return (tuple(out) if type(values) is tuple else type(values)(*out)), index
