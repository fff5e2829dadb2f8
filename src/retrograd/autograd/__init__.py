"""``retrograd.autograd``: ``backward`` and ``grad`` (both run ``engine.run``), grad modes, nodes."""

import warnings

from .._array import xp
from ..tensor import Tensor, _make
from . import engine, profiler
from .anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .explain import Explanation, cut_sentence, explain
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    is_multithreading_enabled,
    is_view_replay_enabled,
    no_grad,
    set_grad_enabled,
    set_multithreading_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import GradientEdge
from .node import AccumulateGrad, Node
from .training_checks import detect_leaks, detect_pitfalls
from .variable import Variable

__all__ = [
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "is_multithreading_enabled",
    "set_multithreading_enabled",
    "is_view_replay_enabled",
    "SavedTensor",
    "Node",
    "AccumulateGrad",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "Variable",
    "detect_leaks",
    "detect_pitfalls",
    "explain",
    "Explanation",
]


class SavedTensor:
    """``torch.autograd.SavedTensor``: the record a node keeps of a tensor it saved.  Nodes make
    them; Python code may not."""

    def __init__(self) -> None:
        raise RuntimeError("Trying to create a SavedTensor object from Python is forbidden.")


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _ones_like(t):
    """The implicit gradient of a scalar output (two C calls: ``xp.ones`` is Python code)."""
    ones = xp.empty(t._data.shape, t._data.dtype)
    ones.fill(1)
    return _make(ones)


def _make_grads(outputs, grads, is_grads_batched=False):
    """One gradient per output: checked against its shape, or ones for a scalar output."""
    if grads is None:
        grads = (None,) * len(outputs)
    for g in grads[: len(outputs)]:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o._requires_grad:
                if (o._data.size if o.__class__ is Tensor or not o.is_sparse else o.numel()) != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if o._data.dtype.kind not in "fV":
                    raise RuntimeError(
                        "grad can be implicitly created only for real scalar outputs but got "
                        f"{o.dtype}"
                    )
                g = _ones_like(o)
            out.append(g)
            continue
        if is_grads_batched:
            if g._data.shape[1:] != o._data.shape:
                raise RuntimeError(
                    "If `is_grads_batched=True`, we interpret the first dimension of each "
                    "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                    "expected to match the shape of corresponding output, but a mismatch was "
                    f"detected: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a "
                    f"shape of {o.shape}. If you only want some tensors in `grad_output` to be "
                    "considered batched, consider using vmap."
                )
        elif o.__class__ is not Tensor or g.__class__ is not Tensor:  # (a sparse one, maybe)
            if g.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                    f"has a shape of {o.shape}."
                )
            if g.dtype != o.dtype:
                g = g.to(o.dtype)
            out.append(g)
            continue
        elif g._data.shape != o._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has "
                f"a shape of {o.shape}."
            )
        if g._data.dtype != o._data.dtype:
            g = g.to(o.dtype)
        out.append(g)
    # Counted after the pairs are checked, as PyTorch does: a non-scalar output without a
    # gradient is reported before a missing gradient, and gradients past the last output are
    # left unused, as PyTorch leaves them.
    if len(out) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(out)} gradients")
    return out


def _check_roots(outputs):
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(
                f"backward(): argument 'tensors' must be a sequence of Tensors, not "
                f"{type(o).__name__}"
            )
        if not o._requires_grad:
            message = f"element {i} of tensors does not require grad and does not have a grad_fn"
            if o._cuts is not None:  # made through a cut in the graph: say where
                message += ". " + cut_sentence(o)
            raise RuntimeError(message)


_CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when creating "
    "the graph to avoid this. If you have to use this function, make sure to reset the .grad fields "
    "of your parameters to None after use to break the cycle and avoid the leak."
)
_warned_create_graph = False


def _warn_create_graph():
    """PyTorch warns once per process when ``backward(create_graph=True)`` fills a leaf's grad."""
    global _warned_create_graph
    _warned_create_graph = True
    warnings.warn(_CREATE_GRAPH_CYCLE, UserWarning, stacklevel=3)


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
):
    """Sum the gradients of ``tensors`` into the ``.grad`` of the leaves (``torch.autograd.backward``)."""
    if (
        isinstance(tensors, Tensor)
        and grad_tensors is None
        and grad_variables is None
        and inputs is None
        and not create_graph
        and tensors._requires_grad
        and (tensors.__class__ is Tensor or not tensors.is_sparse)
        and tensors._data.size == 1
        and tensors._data.dtype.kind in "fV"
    ):
        # The common call, loss.backward(), without the general argument handling below: the
        # path of Tensor.backward, which takes this call on its own
        Tensor.backward(tensors, None, retain_graph)
        return
    if grad_variables is not None:
        warnings.warn(
            "`grad_variables` is deprecated. Use `grad_tensors` instead.",
            FutureWarning,
            stacklevel=2,
        )
        if grad_tensors is not None:
            raise RuntimeError(
                "`grad_tensors` and `grad_variables` (deprecated) arguments both "
                "passed to `backward()`. Please only use `grad_tensors`."
            )
        grad_tensors = grad_variables
    if inputs is not None and len(_as_tuple(inputs)) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _as_tuple(tensors)
    inputs = _as_tuple(inputs)
    grads = _make_grads(tensors, _as_tuple(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(tensors)
    if inputs is not None:
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if (
        create_graph
        and not _warned_create_graph
        and (inputs is None or any(t.grad_fn is None for t in inputs))
    ):
        _warn_create_graph()
    engine.run(tensors, grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated
    (``torch.autograd.grad``)."""
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if not only_inputs:
        warnings.warn(
            "only_inputs argument is deprecated and is ignored now (defaults to True). To "
            "accumulate gradient for other parts of the graph, please use "
            "torch.autograd.backward.",
            FutureWarning,
            stacklevel=2,
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, GradientEdge) else _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if is_grads_batched:
        return _batched_grad(
            outputs,
            inputs,
            _make_grads(outputs, _as_tuple(grad_outputs), True),
            retain_graph,
            create_graph,
            allow_unused,
            materialize_grads,
        )
    grads = _make_grads(outputs, _as_tuple(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outputs)
    for t in inputs:
        if isinstance(t, GradientEdge):
            continue
        if not isinstance(t, Tensor):
            raise TypeError(
                f"grad(): argument 'inputs' must be a sequence of Tensors, not {type(t).__name__}"
            )
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    result = engine.run(outputs, grads, retain_graph, create_graph, inputs, accumulate=False)
    out = []
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if materialize_grads:
                g = _make(xp.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph and g._grad_fn is not None:  # (a hook's result with a graph)
            g = g.detach()
        out.append(g)
    return tuple(out)


def _batched_grad(
    outputs, inputs, grads, retain_graph, create_graph, allow_unused, materialize_grads
):
    """``grad(is_grads_batched=True)``: each grad_output has a leading batch dimension; the
    gradients for each entry are computed in turn and stacked (PyTorch maps one backward over the
    batch with vmap: the same values)."""
    from ..ops.shape import stack

    batch = next(g._data.shape[0] for g in grads if g is not None)
    rows = []
    for b in range(batch):
        rows.append(
            grad(
                outputs,
                inputs,
                [None if g is None else g[b] for g in grads],
                retain_graph=retain_graph if b == batch - 1 else True,
                create_graph=create_graph,
                allow_unused=allow_unused,
                materialize_grads=materialize_grads,
            )
        )
    return tuple(None if per[0] is None else stack(list(per)) for per in zip(*rows))


from . import forward_ad, functional, graph  # noqa: E402  (they use backward and grad above)
