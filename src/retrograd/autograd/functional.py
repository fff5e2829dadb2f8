"""Higher-order tools on functions (``torch.autograd.functional``): ``vjp``, ``jvp``, ``jacobian``,
``hessian``, ``vhp`` and ``hvp``.

Each takes a function of tensors and tensor inputs (a Tensor or a tuple of them) and returns results
in the same shape of nesting PyTorch uses.  The inputs are fresh graph leaves (or, with
``create_graph``, aliases that stay connected to the caller's graph); results are detached unless
``create_graph``.  ``jvp`` uses the double-vjp trick in reverse mode, as PyTorch does; ``jacobian``
with ``strategy="forward-mode"`` uses :mod:`retrograd.autograd.forward_ad`.
"""

from .._array import xp
from ..tensor import Tensor, _make
from . import forward_ad as fwad
from .grad_mode import enable_grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


# --- argument handling -----------------------------------------------------------------------------


def _as_tuple(x, arg_name, fn_name):
    """``(was_tuple, tuple_of_tensors)``; PyTorch's TypeError for anything else."""
    if isinstance(x, Tensor):
        return False, (x,)
    what = "outputs of the user-provided function" if arg_name == "outputs" else arg_name
    head = f"The {what} given to {fn_name} must be either a Tensor or a tuple of Tensors but the"
    if not isinstance(x, tuple):
        raise TypeError(f"{head} given {what} has type {type(x)}.")
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise TypeError(f"{head} value at index {i} has type {type(t)}.")
    return True, x


def _leaves(inputs, create_graph):
    """Inputs the function is differentiated at: aliases in the caller's graph with
    ``create_graph`` (so higher derivatives reach the caller), else fresh leaves."""
    out = []
    for t in inputs:
        if create_graph and t._requires_grad:
            out.append(t.view_as(t))
        elif t._data.dtype.kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        else:  # (requires_grad_ refuses an inference tensor outside inference_mode)
            out.append(_make(t._data, False, None, t._vc).requires_grad_())
    return tuple(out)


def _vectors(v, create_graph):
    """The vectors ``v`` as the products read them: aliases outside the caller's graph (each shares
    its version counter, so a node that saves one sees a later write), or, with ``create_graph``,
    aliases in it for those that require grad."""
    return tuple(a.view_as(a) if create_graph and a._requires_grad else a.detach() for a in v)


def _post(tensors, create_graph):
    if create_graph:
        return tensors
    return tuple(t.detach() if isinstance(t, Tensor) else t for t in tensors)


def _unwrap(was_tuple, values):
    return values if was_tuple else values[0]


def _check_v(v, reference, fn_name, single_msg, create_graph):
    """``v`` as a tuple matching ``reference`` in length and shapes; None allowed for one scalar."""
    if v is None:
        if len(reference) != 1 or reference[0]._data.size != 1:
            raise RuntimeError(single_msg)
        return tuple(_make(xp.ones_like(r._data)) for r in reference)
    _, v = _as_tuple(v, "v", fn_name)
    v = _vectors(v, create_graph)
    if len(v) != len(reference):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(reference)} but got {len(v)}."
        )
    for a, r in zip(v, reference):
        if a._data.shape != r._data.shape:
            raise RuntimeError(f"v has invalid size: should be {r.shape} but got {a.shape}.")
    return v


def _grad(outputs, inputs, grad_outputs, create_graph, strict, strict_kind, user_graph=None):
    """``autograd.grad`` for the outputs that require grad; None where an input is unused, or
    PyTorch's strict-mode error."""
    from . import grad

    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o._requires_grad]
    if pairs:
        gs = grad(
            [o for o, _ in pairs],
            inputs,
            [g for _, g in pairs],
            create_graph=create_graph,
            retain_graph=True,
            allow_unused=True,
        )
    else:
        gs = (None,) * len(inputs)
    if strict:
        for i, g in enumerate(gs):
            if g is None:
                raise RuntimeError(_strict_message(strict_kind, i))
            if (
                (create_graph if user_graph is None else user_graph)
                and not g._requires_grad
                and strict_kind != "hessian"
            ):
                what = "hessian" if strict_kind == "hessian_product" else "jacobian"
                raise RuntimeError(
                    f"The {what} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
    return gs


def _strict_message(kind, i):
    if kind in ("hessian", "hessian_product"):
        return (
            "While computing the hessian, found that the jacobian of the user-provided function "
            f"with respect to input {i} is independent of the input. This is not allowed in strict "
            "mode. You should ensure that your function is twice differentiable and that the "
            "jacobian depends on the inputs (this would be violated by a linear function for "
            "example)."
        )
    if kind == "double_back_trick":
        return (
            "The gradient with respect to the input is independent of entry "
            f"{i} in the grad_outputs when using the double backward trick to compute forward mode "
            "gradients. This is not allowed in strict mode."
        )
    if kind.startswith("output"):
        return (
            f"Output {kind[6:]} of the user-provided function is independent of input {i}. "
            "This is not allowed in strict mode."
        )
    return (
        f"The output of the user-provided function is independent of input {i}. This is not "
        "allowed in strict mode."
    )


def _check_requires_grad(outputs, strict):
    if strict:
        for i, o in enumerate(outputs):
            if not o._requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )


def _fill(gs, like):
    """Zeros where an input had no gradient (PyTorch's non-strict answer)."""
    return tuple(g if g is not None else _make(xp.zeros_like(r._data)) for g, r in zip(gs, like))


def _call(func, inputs, fn_name):
    return _as_tuple(func(*inputs), "outputs", fn_name)


# --- vjp and jvp ---------------------------------------------------------------------------------


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)`` (``torch.autograd.functional.vjp``)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _leaves(inputs, create_graph)
        out_tuple, outputs = _call(func, inputs, "vjp")
        _check_requires_grad(outputs, strict)
        v = _check_v(
            v,
            outputs,
            "vjp",
            "The vector v can only be None if the user-provided "
            "function returns a single Tensor with a single element.",
            create_graph,
        )
        gs = _fill(_grad(outputs, inputs, v, create_graph, strict, "back"), inputs)
    return _unwrap(out_tuple, _post(outputs, create_graph)), _unwrap(
        in_tuple, _post(gs, create_graph)
    )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)`` (``torch.autograd.functional.jvp``), by the double-vjp trick."""
    with enable_grad():
        _, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _leaves(inputs, create_graph)
        v = _check_v(
            v,
            inputs,
            "jvp",
            "The vector v can only be None if the input to the "
            "user-provided function is a single Tensor with a single element.",
            create_graph,
        )
        out_tuple, outputs = _call(func, inputs, "jvp")
        _check_requires_grad(outputs, strict)
        # u is a dummy output gradient: v^T J^T u is linear in u, and its gradient in u is J v.
        us = tuple(_make(xp.zeros_like(o._data), True) for o in outputs)
        gs = _grad(outputs, inputs, us, True, strict, "back", user_graph=False)
        jv = _grad(
            _gs_nonnull(gs), us, _v_nonnull(gs, v), create_graph, strict, "double_back_trick"
        )
        jv = _fill(jv, outputs)
    return _unwrap(out_tuple, _post(outputs, create_graph)), _unwrap(
        out_tuple, _post(jv, create_graph)
    )


def _gs_nonnull(gs):
    return tuple(g for g in gs if g is not None)


def _v_nonnull(gs, v):
    return tuple(a for g, a in zip(gs, v) if g is not None)


# --- Jacobians and Hessians --------------------------------------------------------------------------


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian of ``func`` at ``inputs`` (``torch.autograd.functional.jacobian``).

    Entry ``[i][j]`` has shape ``output_i.shape + input_j.shape``.  ``vectorize`` is accepted (rows
    are computed one at a time either way); ``strategy="forward-mode"`` builds it column by column
    with forward-mode AD and, as in PyTorch, needs ``vectorize=True``.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". '
            'Hint: If your function has more outputs than inputs, "forward-mode" '
            "tends to be more performant. Otherwise, prefer to use "
            '"reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` "
                'and `strategy="forward-mode"` are not supported together '
                "(yet). Please either set `create_graph=False` or "
                '`strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). '
                'Please either set `strict=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse "
                "Hessian isonly implemented for `vectorize=True`."
            )
    if strict and vectorize:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            "`vectorized=True` are not supported together. Please either set "
            "`strict=False` or `vectorize=False`."
        )
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _leaves(inputs, create_graph)
        out_tuple, outputs = _call(func, inputs, "jacobian")
        _check_requires_grad(outputs, strict)
        if strategy == "forward-mode":
            jac = _forward_jacobian(func, inputs, outputs)
        else:
            jac = [
                _reverse_rows(o, k, inputs, create_graph, strict, vectorize)
                for k, o in enumerate(outputs)
            ]
    jac = tuple(_unwrap(in_tuple, _post(row, create_graph)) for row in jac)
    if strategy == "forward-mode" and in_tuple:
        # PyTorch's forward-mode answer nests lists, not tuples, when the inputs are a tuple.
        jac = [list(row) for row in jac] if out_tuple else (list(jac[0]),)
    return _unwrap(out_tuple, jac)


def _reverse_rows(output, k, inputs, create_graph, strict, vectorize=False):
    """d output / d input_j for every j, one output element (one backward pass) at a time."""
    n = output._data.size
    if n == 0:  # PyTorch stacks one row per output element, and has none to stack
        if vectorize:
            raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
        raise RuntimeError("stack expects a non-empty TensorList")
    rows = [[] for _ in inputs]
    for e in range(n):
        seed = xp.zeros(n, dtype=output._data.dtype)
        seed[e] = 1
        gs = _grad(
            (output,),
            inputs,
            (_make(seed.reshape(output._data.shape)),),
            create_graph,
            strict,
            f"output{k}",
        )
        for j, (g, x) in enumerate(zip(gs, inputs)):
            rows[j].append(g if g is not None else _make(xp.zeros_like(x._data)))
    return tuple(
        _stack_rows(r, output._data.shape, x._data.shape, output._data.dtype)
        for r, x in zip(rows, inputs)
    )


def _stack_rows(rows, out_shape, in_shape, dtype):
    """Rows (one per output element) stacked into a tensor of shape ``out_shape + in_shape``."""
    if not any(r._requires_grad for r in rows):
        data = xp.stack([r._data.reshape(-1) for r in rows]) if rows else xp.zeros((0,), dtype)
        return _make(data.reshape(out_shape + in_shape))
    # Kept differentiable (create_graph): the sum of each row placed by a constant one-hot column.
    n = len(rows)
    total = None
    for e, r in enumerate(rows):
        onehot = xp.zeros((n, 1), dtype=r._data.dtype)
        onehot[e] = 1
        piece = r.reshape(1, -1) * _make(onehot)
        total = piece if total is None else total + piece
    return total.reshape(out_shape + in_shape)


def _forward_jacobian(func, inputs, outputs):
    """Column by column: one forward-mode pass per input element."""
    cols = [[[] for _ in inputs] for _ in outputs]
    for j, x in enumerate(inputs):
        for e in range(x._data.size):
            seed = xp.zeros(x._data.size, dtype=x._data.dtype)
            seed[e] = 1
            with fwad.dual_level():
                # Leaves that require grad, so a function that itself differentiates (hessian's
                # inner gradient) works: forward-over-reverse.
                duals = tuple(
                    fwad.make_dual(_make(a._data, True), _make(seed.reshape(a._data.shape)))
                    if i == j
                    else _make(a._data, True)
                    for i, a in enumerate(inputs)
                )
                _, outs = _as_tuple(func(*duals), "outputs", "jacobian")
                for k, o in enumerate(outs):
                    t = fwad.unpack_dual(o).tangent
                    cols[k][j].append(
                        t._data.reshape(-1)
                        if t is not None
                        else xp.zeros(o._data.size, dtype=o._data.dtype)
                    )
    jac = []
    for k, o in enumerate(outputs):
        row = []
        for j, x in enumerate(inputs):
            m = xp.stack(cols[k][j], axis=1) if cols[k][j] else xp.zeros((o._data.size, 0))
            row.append(_make(m.reshape(o._data.shape + x._data.shape).astype(o._data.dtype)))
        jac.append(tuple(row))
    return jac


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar function (``torch.autograd.functional.hessian``): entry ``[i][j]``
    has shape ``input_i.shape + input_j.shape``."""
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    in_tuple, inputs_t = _as_tuple(inputs, "inputs", "hessian")

    def jac_func(*inp):
        # (the inner Jacobian's own aliases, as PyTorch's hessian takes one Jacobian of another:
        # a value the function saves is a view of the outer one's input)
        inp = _leaves(inp, True)
        out_tuple, out = _call(func, inp, "hessian")
        _check_requires_grad(out, strict)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out[0]._data.size != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should "
                "contain a single element"
            )
        out = out[0]
        gs = _grad(
            (out.reshape(()),),
            inp,
            (_make(xp.ones((), dtype=out._data.dtype)),),
            True,
            strict,
            "hessian",
        )
        if strict:
            for i, g in enumerate(gs):
                if not g._requires_grad:
                    raise RuntimeError(_strict_message("hessian", i))
        return _fill(gs, inp)

    res = jacobian(
        jac_func,
        inputs_t,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return res if in_tuple else res[0][0]


def _scalar_output(func, inputs, fn_name):
    outputs = func(*inputs)
    was_tuple, outs = _as_tuple(outputs, "outputs", fn_name)
    if was_tuple or len(outs) != 1:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outs[0]._data.size != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should "
            "contain a single element"
        )
    return outs[0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar function (``torch.autograd.functional.vhp``)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar function (``torch.autograd.functional.hvp``)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    # H is symmetric for twice continuously differentiable functions, so v^T H = (H v)^T and both
    # are the vjp of the gradient with v.
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _leaves(inputs, create_graph)
        v = _check_v(
            v,
            inputs,
            fn_name,
            "The vector v can only be None if the input to the "
            "user-provided function is a single Tensor with a single element.",
            create_graph,
        )
        out = _scalar_output(func, inputs, fn_name)
        _check_requires_grad((out,), strict)
        gs = _grad(
            (out,),
            inputs,
            (_make(xp.ones_like(out._data)),),
            True,
            strict,
            "back",
            user_graph=False,
        )
        gs = _fill(gs, inputs)
        if fn_name == "hvp":
            # H v by the double-backward trick, as PyTorch computes it (so the graph of the
            # result, and what its nodes save, is PyTorch's): the vjp of the gradient with u,
            # u^T H, is linear in u, and its vjp in u with v is H v.
            us = tuple(_make(xp.zeros_like(t._data), True) for t in inputs)
            uh = _grad(gs, inputs, us, True, strict, "hessian", user_graph=False)
            hv = _grad(_fill(uh, inputs), us, v, create_graph, strict, "hessian_product")
        else:
            hv = _grad(gs, inputs, v, create_graph, strict, "hessian_product")
        hv = _fill(hv, inputs)
    return _post((out,), create_graph)[0], _unwrap(in_tuple, _post(hv, create_graph))
