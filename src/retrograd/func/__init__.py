"""``torch.func``: function transforms — grad, grad_and_value, vjp, jvp, linearize, jacrev,
jacfwd, hessian, vmap — and functional_call / stack_module_state for running modules as functions.

How vmap batches
----------------
``vmap(f)(x)`` runs ``f`` once, on the whole batch.  Each mapped input is wrapped in a
``BatchedTensor`` (``_batching``): a tensor whose ``_value`` holds all the examples along dim 0,
and whose ``shape``, ``dim()``, ``size()``, ``len()`` are those of one example, so that code that
reads shapes sees what it sees outside vmap.  Every op of the op table, and the composite functions
that read arrays directly (``matmul``, ``reshape``, indexing, ``cat``/``stack``, ``F.dropout`` ...),
ask ``_switches.batching`` first while a vmap call is running; with a batched argument, the op's
batching rule runs it once on the batched values:

* elementwise ops: as they are; broadcasting ops: batched operands padded with size-1 dims after
  the batch dim up to the largest per-example rank, so the batch dim never meets another dim;
* ops along dims (reductions, softmax, cumsum, sort, transpose, permute, unsqueeze, flip, ...):
  dims wrapped against the per-example rank and shifted past the batch dim; ``dim=None``
  reductions reduce every per-example dim;
* shape ops (view, reshape, expand, repeat, flatten, sum_to_size): the batch size put in front;
* matmul and the products made of it (mm, mv, dot, bmm, linear, addmm, ...): per-example 1-D
  operands made matrices, the batch dim put in front of the other operand's batch dims, one
  ``matmul`` on the whole batch;
* indexing: the key applied past the batch dim (tensor indices that are unbatched and adjacent);
* losses with a reduction: computed unreduced, then reduced over the per-example dims.

An op with no rule runs through the declared fallback: a Python loop over the batch that stacks
the results; each such op is counted in ``retrograd.func.FALLBACKS`` and named once in a warning.
Nested vmap calls nest the wrappers (one level per call); a rule handles the innermost level and
calls the op again on the unwrapped values, which the next level's rule then handles.

Random ops: ``randomness="error"`` raises PyTorch's error at the first draw inside the vmap call;
``"same"`` draws per-example shapes once (one draw shared by the batch); ``"different"`` draws
for the whole batch (factories such as ``randn`` then make a batched tensor).

How the derivative transforms work
----------------------------------
``grad``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd`` run ``f`` on fresh differentiable stand-ins for
the inputs and call the one backward engine (``autograd.grad``).  ``jvp`` and ``linearize`` take
the derivative of a vjp with respect to its (dummy) cotangent, which is linear in it: two reverse
passes, so that every op with a double-backward formula has a Jacobian-vector product and the
transforms compose (``jacrev(jacfwd(f))``, ``hessian = jacfwd(jacrev(f))``, ``grad(grad(f))``).
``jacrev`` runs one vjp per output element and ``jacfwd`` one jvp per input element.

Inside vmap, the transforms work on the plain tensors under the wrappers.  An input of ``grad``
is replaced by a copy per example of every running vmap level (an unbatched input expanded
along the batch dims — a view, no copy of memory), and the output's per-example values are
seeded with ones: since each example's output depends only on that example's copy, the gradient
with respect to the copies is the per-example gradient, computed in one backward pass over the
batch.  So ``vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)`` runs the model once forward
and once backward on all examples (with batched matmuls against the broadcast parameters).

A transform keeps its graph (``create_graph``) only when something outside will differentiate
its results: an outer transform is running, an input requires grad, or the graph of ``f``'s
output reaches a tensor that requires grad from ``f``'s closure (a walk of that graph); else its
backward pass builds no graph, and its results are detached.
"""

from ._batching import FALLBACKS
from ._functionalize import functionalize, replace_all_batch_norm_modules_
from ._module import functional_call, stack_module_state
from ._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from ._vmap import vmap

__all__ = [
    "FALLBACKS",
    "functional_call",
    "functionalize",
    "replace_all_batch_norm_modules_",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "stack_module_state",
    "vjp",
    "vmap",
]
