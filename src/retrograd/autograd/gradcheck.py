"""``gradcheck`` and ``gradgradcheck``: derivatives checked against finite differences.

Each input that requires grad is perturbed one element at a time by ``eps`` (central differences in
the inputs' own dtype: use float64); the numerical Jacobian is compared with the one that reverse
mode builds row by row from unit output gradients.
"""

import warnings

from .._array import xp
from ..tensor import Tensor, _make
from . import forward_ad as fwad
from .node import Node, _edge, _sequence


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    return _float_outputs(_as_tuple(func(*inputs)))


def _float_outputs(outs):
    return tuple(o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind in "fcV")


def _diff_outputs(func, inputs):
    return tuple(o for o in _as_tuple(func(*inputs)) if o.requires_grad)


# Complex values are checked as PyTorch checks them: a complex number is two real ones, its real
# and imaginary parts, so each complex input is perturbed in both and each complex output counts
# twice.  A Jacobian's rows are the real coordinates of an input, its columns an output's.


def _size(a):
    """How many real coordinates an array has."""
    return a.size * 2 if a.dtype.kind == "c" else a.size


def _coords(a):
    """An array's real coordinates, in float64: a complex one's parts interleaved."""
    a = xp.ascontiguousarray(a).ravel()
    if a.dtype.kind == "c":
        return a.astype(xp.complex128).view(xp.float64)
    return a.astype(xp.float64)


def _unit(a, j):
    """The direction of real coordinate ``j`` of array ``a``: (element, step of one)."""
    if a.dtype.kind == "c":
        return j // 2, (1j if j % 2 else 1)
    return j, 1


# A sparse COO input (PyTorch's ``masked`` semantics): its Jacobian has a row per element of
# the dense tensor it stands for.  The numerical one perturbs its specified values alone (a
# row per value, zero rows elsewhere); without ``masked`` the function is given instead a copy
# in which every element is specified (``_densify``), so every row is perturbed.  The analytical
# one reads each gradient as dense, whatever its layout.


def _is_sparse(x) -> bool:
    return isinstance(x, Tensor) and type(x) is not Tensor and x.is_sparse


def _dense_array(t):
    return t.to_dense()._data if _is_sparse(t) else t._data


def _jacobian_rows(x) -> int:
    """How many real coordinates the dense form of an input has."""
    if _is_sparse(x):
        return x.numel() * (2 if x.is_complex() else 1)
    return _size(x._data)


def _densify(x):
    """A sparse COO ``x`` with every element specified: zero where ``x`` has none."""
    from ..ops.sparse_coo import sparse_coo  # (the op table sits above autograd)

    k = x.sparse_dim()
    shape = x._size[:k]
    c = x.detach().coalesce()
    vals = xp.zeros((int(xp.prod(shape)), *x._vals.shape[1:]), x._vals.dtype)
    if c._idx.shape[1]:
        vals[xp.ravel_multi_index(tuple(c._idx), shape)] = c._vals
    idx = xp.indices(shape).reshape(k, -1).astype(xp.int64)
    return sparse_coo(idx, vals, x._size, True, x._requires_grad)


def _sparse_numerical(func, inputs, x, eps, n_outs):
    """The numerical Jacobians of a sparse COO input: each value perturbed in place, its row
    the element of the dense tensor it sits at (a repeated index: the last one's)."""
    v = x._vals
    k = x.sparse_dim()
    per_entry = int(xp.prod(v.shape[1:]))
    at = xp.ravel_multi_index(tuple(x._idx), x._size[:k]) if k else xp.zeros(1, xp.int64)
    rows = (at[:, None] * per_entry + xp.arange(per_entry)).ravel()
    per_out = [xp.zeros((_jacobian_rows(x), n)) for n in n_outs]
    for j in range(_size(v)):
        i, step = _unit(v, j)
        orig = v.flat[i]
        v.flat[i] = orig + eps * step
        plus = [_coords(o._data) for o in _outputs(func, inputs)]
        v.flat[i] = orig - eps * step
        minus = [_coords(o._data) for o in _outputs(func, inputs)]
        v.flat[i] = orig
        row = rows[i] * 2 + j % 2 if v.dtype.kind == "c" else rows[i]
        for m, (p, q) in enumerate(zip(plus, minus)):
            per_out[m][row] = (p - q) / (2 * eps)
    return per_out


def _densified(x):
    return _densify(x) if _is_sparse(x) else x


def _numerical_jacobian(func, inputs, eps):
    """One matrix per (input, output): d output / d input, by central differences."""
    outs0 = _outputs(func, inputs)
    jac = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x._requires_grad):
            continue
        if _is_sparse(x):
            jac.append(_sparse_numerical(func, inputs, x, eps, [_size(o._data) for o in outs0]))
            continue
        flat = x._data.flat  # writes through, whatever the strides: perturbing it perturbs x
        per_out = [xp.zeros((_size(x._data), _size(o._data))) for o in outs0]
        for j in range(_size(x._data)):
            i, step = _unit(x._data, j)
            orig = flat[i]
            flat[i] = orig + eps * step
            plus = [_coords(o._data) for o in _outputs(func, inputs)]
            flat[i] = orig - eps * step
            minus = [_coords(o._data) for o in _outputs(func, inputs)]
            flat[i] = orig
            for k, (p, m) in enumerate(zip(plus, minus)):
                per_out[k][j] = (p - m) / (2 * eps)
        jac.append(per_out)
    return jac


def _analytical_jacobian(func, inputs, nondet_tol=float("inf"), check_grad_dtypes=False):
    """The Jacobians by reverse mode, built twice: backward must give the same rows each time
    (within ``nondet_tol``), and with ``check_grad_dtypes`` gradients in their inputs' dtypes."""
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    outs = _outputs(func, inputs)
    first, dtypes_ok = _reverse_rows(outs, diff_inputs)
    if nondet_tol != float("inf"):
        again, _ = _reverse_rows(outs, diff_inputs)
        for a_i, b_i in zip(first, again):
            for a, b in zip(a_i, b_i):
                if a.size and xp.abs(a - b).max() > nondet_tol:
                    raise GradcheckError(
                        "Backward is not reentrant, i.e., running backward with same input and "
                        "grad_output multiple times gives different values, although analytical "
                        "gradient matches numerical gradient.The tolerance for nondeterminism was "
                        f"{nondet_tol}."
                    )
    if check_grad_dtypes and not dtypes_ok:
        raise GradcheckError("Gradient has dtype mismatch")
    return first


def _reverse_rows(outs, diff_inputs):
    from . import grad

    jac = [[xp.zeros((_jacobian_rows(x), _size(o._data))) for o in outs] for x in diff_inputs]
    dtypes_ok = True
    for k, o in enumerate(outs):
        if not o._requires_grad:
            continue
        for j in range(_size(o._data)):
            # (a complex output's unit seeds, 1 and i, give the gradients of its two parts)
            at, step = _unit(o._data, j)
            seed = xp.zeros(o._data.size, dtype=o._data.dtype)
            seed[at] = step
            gs = grad(
                o,
                diff_inputs,
                _make(seed.reshape(o._data.shape)),
                retain_graph=True,
                allow_unused=True,
            )
            for i, g in enumerate(gs):
                if g is not None:
                    dtypes_ok &= g.dtype == diff_inputs[i].dtype
                    jac[i][k][:, j] = _coords(_dense_array(g))
    return jac, dtypes_ok


def _check_grad_layouts(func, inputs):
    """PyTorch's check of the gradients that zero output gradients give: one of a layout other
    than strided must have its input's (a sparse gradient for a dense input is an error)."""
    from . import grad

    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    outs = [o for o in _outputs(func, inputs) if o._requires_grad]
    zeros = [_make(xp.zeros_like(o._data)) for o in outs]
    for g, x in zip(grad(outs, diff_inputs, zeros, allow_unused=True), diff_inputs):
        if g is not None and g.layout != x.layout and g.is_sparse:
            raise GradcheckError(f"grad is incorrect layout ({g.layout} is not {x.layout})")


def _forward_jacobian(func, inputs):
    """The same matrices as ``_analytical_jacobian``, column by column with forward-mode AD."""
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    outs = _outputs(func, inputs)
    jac = [[xp.zeros((_size(inputs[i]._data), _size(o._data))) for o in outs] for i in diff]
    for n, i in enumerate(diff):
        x = inputs[i]
        for j in range(_size(x._data)):
            at, step = _unit(x._data, j)
            seed = xp.zeros(x._data.size, dtype=x._data.dtype)
            seed[at] = step
            with fwad.dual_level():
                args = list(inputs)
                args[i] = fwad.make_dual(x.detach(), _make(seed.reshape(x._data.shape)))
                for k, o in enumerate(_outputs(func, args)):
                    t = fwad.unpack_dual(o).tangent
                    if t is not None:
                        jac[n][k][j] = _coords(t._data)
    return jac


def _compare(numerical, analytical, rtol, atol, raise_exception, mode, dtypes):
    for i, (num_i, ana_i) in enumerate(zip(numerical, analytical)):
        for k, (n, a) in enumerate(zip(num_i, ana_i)):
            if n.shape != a.shape:  # (an output whose size depends on a sparse input's pattern)
                raise RuntimeError(
                    f"gradcheck: output {k} has {a.shape[1]} elements for the inputs as given but "
                    f"{n.shape[1]} for their every element specified (masked=False): pass masked="
                    "True, or make the output's size independent of the sparse inputs' patterns"
                )
            if not xp.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False):
                if raise_exception:  # the matrices shown in the output's dtype, as PyTorch does
                    raise GradcheckError(
                        f"Jacobian {mode}mismatch for output {k} with respect to input {i},\n"
                        f"numerical:{_make(n.astype(dtypes[k]))}\n"
                        f"analytical:{_make(a.astype(dtypes[k]))}\n"
                    )
                return False
    return True


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_batched_forward_grad=False,
    check_forward_ad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
):
    """True when ``func``'s gradients match finite differences (``torch.autograd.gradcheck``).

    ``check_forward_ad`` also checks forward-mode AD (``retrograd.autograd.forward_ad``) against
    them; ``check_backward_ad=False`` skips reverse mode.  Backward runs twice and must agree with
    itself within ``nondet_tol``; ``check_grad_dtypes`` checks each gradient's dtype.
    ``fast_mode=True`` runs the full check (PyTorch's fast mode checks random projections of the
    same Jacobians: a subset of it).  ``masked`` concerns the unspecified elements of sparse
    COO inputs: with it their gradients are not checked (only the specified values are
    perturbed); without it the finite differences are taken of the input with every element
    specified.  A sparse output is PyTorch's ValueError.  The batched checks need ``vmap``,
    which is not built: asking for them raises ``NotImplementedError``.
    """
    assert check_forward_ad or check_backward_ad, (
        "Expected at least one of check_forward_ad or check_backward_ad to be True"
    )
    if check_batched_grad or check_batched_forward_grad:
        name = "check_batched_grad" if check_batched_grad else "check_batched_forward_grad"
        raise NotImplementedError(
            f"gradcheck({name}=True): batched gradients need vmap, which "
            "retrograd does not have yet"
        )
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    # Any output that is not a Tensor is an error, as in PyTorch; those that do not require grad
    # are left out, and with none left the function must not depend on its inputs at all.
    outs = _as_tuple(func(*inputs))
    if any(_is_sparse(o) and o.requires_grad for o in outs):
        raise ValueError(
            "Sparse output is not supported at gradcheck yet. Please call "
            "to_dense(masked_grad=...) on the output of fn for gradcheck."
        )
    if check_forward_ad and any(_is_sparse(x) for x in inputs):
        raise NotImplementedError(
            "gradcheck(check_forward_ad=True) of a sparse COO input: forward-mode AD of sparse "
            "tensors is not built in retrograd"
        )
    numerical_inputs = inputs if masked else tuple(map(_densified, inputs))
    if not any([o.requires_grad for o in outs]):
        if any(
            xp.any(j != 0)
            for per_out in _numerical_jacobian(func, numerical_inputs, eps)
            for j in per_out
        ):
            if raise_exception:
                raise GradcheckError("Numerical gradient for function expected to be zero")
            return False
        return True
    numerical = _numerical_jacobian(func, numerical_inputs, eps)
    dtypes = [o._data.real.dtype for o in _float_outputs(outs)]
    if check_backward_ad:
        try:
            analytical = _analytical_jacobian(func, inputs, nondet_tol, check_grad_dtypes)
        except GradcheckError:
            if raise_exception:
                raise
            return False
        if not _compare(numerical, analytical, rtol, atol, raise_exception, "", dtypes):
            return False
        try:
            _check_grad_layouts(func, inputs)
        except GradcheckError:
            if raise_exception:
                raise
            return False
        if check_undefined_grad:
            try:
                _check_undefined_grad(func, inputs)
            except GradcheckError:
                if raise_exception:
                    raise
                return False
    if check_forward_ad and not _compare(
        numerical,
        _forward_jacobian(func, inputs),
        rtol,
        atol,
        raise_exception,
        "computed with forward mode ",
        dtypes,
    ):
        return False
    return True


class UndefinedGradBackward(Node):
    """Passes no gradient on, whatever it gets (PyTorch's ``UndefinedGrad``): the nodes past it
    receive None, as PyTorch's receive an undefined gradient."""

    def apply(self, grads, needed):
        return (None,)


def _undefined_grad(t):
    node = UndefinedGradBackward()
    node.next_functions = (_edge(t),)
    node._seq = next(_sequence)
    return _make(t._data, True, node)


_UNDEFINED_HINT = (
    'Please look at "Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
)


def _check_undefined_grad(func, inputs):
    """Backward must cope with outputs that get no gradient: all of them, or one at a time."""
    from . import grad

    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    outs = _diff_outputs(func, inputs)
    cases = [[_undefined_grad(o) for o in outs]]
    if len(outs) > 1:
        for k in range(len(outs)):
            cases.append(
                [
                    _undefined_grad(o) if j == k else o
                    for j, o in enumerate(_diff_outputs(func, inputs))
                ]
            )
    for outputs in cases:
        zeros = [_make(xp.zeros_like(o._data)) for o in outputs]
        try:
            grads = grad(outputs, diff_inputs, zeros, allow_unused=True)
        except RuntimeError as e:
            _warn_undefined()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. " + _UNDEFINED_HINT
            ) from e
        if any(g is not None and xp.any(_dense_array(g) != 0) for g in grads):
            _warn_undefined()
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output "
                "grads are undefined or zero. " + _UNDEFINED_HINT
            )


def _warn_undefined():
    warnings.warn(
        "Backwards compatibility: New undefined gradient support checking feature is "
        "enabled by default, but it may break existing callers of this function. If "
        "this is true for you, you can call this function with "
        '"check_undefined_grad=False" to disable the feature',
        stacklevel=4,
    )


def _check_inputs(inputs):
    """PyTorch's checks of gradcheck's inputs: float64 advised, no stride-0 dimension, and at least
    one input that requires grad."""
    any_requires_grad = False
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x._requires_grad:
            content = x._vals if _is_sparse(x) else x._data  # (a sparse one: its values)
            if content.dtype not in (xp.float64, xp.complex128):
                warnings.warn(
                    f"Input #{i} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs "
                    "are not of double precision floating point or complex. ",
                    stacklevel=3,
                )
            # (NumPy may give an empty array stride 0 where PyTorch would not: it overlaps nothing)
            if content.size and any(
                st == 0 and n > 1 for st, n in zip(content.strides, content.shape)
            ):
                raise RuntimeError(
                    f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before passing "
                    "it to gradcheck."
                )
            any_requires_grad = True
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but "
            "none of them have requires_grad=True."
        )


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
):
    """Second derivatives checked the same way: ``gradcheck`` of the first-order gradient
    (``torch.autograd.gradgradcheck``)."""
    from . import grad

    assert check_fwd_over_rev or check_rev_over_rev, (
        "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
    )
    assert not (check_undefined_grad and not check_rev_over_rev), (
        "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
    )
    assert not (check_batched_grad and not check_rev_over_rev), (
        "Setting check_batched_grad=True requires check_rev_over_rev to be True"
    )
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = xp.random.default_rng(0)
        grad_outputs = tuple(_random_like(o._data, rng) for o in _diff_outputs(func, inputs))
    grad_outputs = _as_tuple(grad_outputs)
    if gen_non_contig_grad_outputs:  # the same values, read through strides that skip
        grad_outputs = tuple(_non_contiguous(g) for g in grad_outputs)
    n_in = len(inputs)
    # Forward mode hands first_order detached dual inputs: which ones required grad is kept here.
    diff_in = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad}
    diff_out = {i for i, g in enumerate(grad_outputs) if g._requires_grad}

    def first_order(*args):
        ins = tuple(x.requires_grad_() if i in diff_in else x for i, x in enumerate(args[:n_in]))
        gos = tuple(g.requires_grad_() if i in diff_out else g for i, g in enumerate(args[n_in:]))
        outs = _diff_outputs(func, ins)
        gs = grad(
            outs, [ins[i] for i in sorted(diff_in)], gos, create_graph=True, allow_unused=True
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_order,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        fast_mode=fast_mode,
        masked=masked,
    )


def _non_contiguous(t):
    """``t``'s values in a tensor whose array skips every other element of a larger one."""
    if t._data.size <= 1:
        return t
    wide = xp.repeat(t._data[..., None], 2, axis=-1)[..., 0]
    return _make(wide, t._requires_grad)


def _random_like(a, rng):
    """A tensor shaped as ``a`` of uniform values in [-1, 1) (both parts, for a complex one) that
    requires grad."""
    values = rng.uniform(-1, 1, a.shape)
    if a.dtype.kind == "c":
        values = values + 1j * rng.uniform(-1, 1, a.shape)
    return _make(xp.array(values, dtype=a.dtype), True)
