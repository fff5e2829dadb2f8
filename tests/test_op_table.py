"""The op table drives its own tests: every op registered with ``@op`` (``retrograd.ops.OPS``) has
samples in ``tests/op_samples.py``, and each sample is checked the same way:

- values, dtypes, shapes, ``requires_grad``, node names and first gradients against PyTorch, in
  float32 and float64;
- ``gradcheck`` and ``gradgradcheck`` in float64 (where PyTorch's own check fails or raises for the
  same program, ours must too, with the same exception type);
- forward-mode AD against reverse mode (``<u, J v>`` both ways) and against PyTorch's tangents
  (where PyTorch has no forward formula, ours must refuse it with the same exception type).

An op with no samples fails ``test_every_registered_op_has_samples``; a sample that does not reach
its op's node fails its values test.  A sample PyTorch disagrees with today is a strict xfail
whose reason is written beside it in the table.
"""

import numpy as np
import pytest
from op_samples import SAMPLES, inputs, tensors_of

import retrograd
from retrograd.ops.registry import OPS

# (op name, sample number, sample) for every sample in the table
ALL = [(name, i, s) for name, samples in SAMPLES.items() for i, s in enumerate(samples)]


def _params(check, rows):
    """pytest parameters for ``check``: the sample's strict xfail for that check, if it has one."""
    out = []
    for name, i, s in rows:
        reason = s.xfail.get(check)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(name, s, id=f"{name}-{i}", marks=marks))
    return out


DIFFERENTIABLE = [r for r in ALL if r[0] in OPS and OPS[r[0]].differentiable and r[2].grad]


def test_every_registered_op_has_samples():
    missing = sorted(n for n in OPS if not SAMPLES.get(n))
    assert not missing, f"registered ops with no samples in tests/op_samples.py: {missing}"


def test_every_sampled_op_is_registered():
    stale = sorted(set(SAMPLES) - set(OPS))
    assert not stale, f"samples for ops that are not registered: {stale}"


# --- values, dtypes and node names against PyTorch ---------------------------------------------


def _node_types(outs):
    """The node types in the graph behind ``outs``."""
    seen, found = set(), set()
    stack = [o.grad_fn for o in outs if o.grad_fn is not None]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        found.add(type(fn))
        stack.extend(f for f, _ in fn.next_functions)
    return found


def _name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def _array(t):
    """A tensor's values as an array (PyTorch's conjugate views and zero tensors resolved)."""
    return t.detach().numpy(force=True)


def _random(rng, like):
    """Standard normal values shaped as the tensor ``like``, complex (both parts) where it is."""
    shape = tuple(like.shape)
    values = rng.standard_normal(shape)
    if like.dtype.is_complex:
        values = values + 1j * rng.standard_normal(shape)
    return values


def _inner(a, b):
    """The real inner product of two arrays, real or complex: Re(sum(conj(a) b))."""
    return float(np.real(np.sum(np.conj(a) * b)))


def _assert_close(a, b, dtype):
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(a, b, equal_nan=True, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, sample", _params("values", ALL))
def test_sample_matches_pytorch(torch_ref, name, sample, dtype):
    ours = inputs(retrograd, sample, dtype)
    theirs = inputs(torch_ref, sample, dtype)
    outs = tensors_of(sample.fn(retrograd, *ours))
    refs = tensors_of(sample.fn(torch_ref, *theirs))
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        assert str(o.dtype) == str(r.dtype)
        assert tuple(o.shape) == tuple(r.shape)
        assert o.requires_grad == r.requires_grad
        assert _name(o) == _name(r)
        _assert_close(_array(o), _array(r), dtype)
    if OPS[name].differentiable:  # the sample reaches the op it is filed under
        nodes = {OPS[name].Node, OPS[name].NumberNode}  # (of a number as its second input)
        assert nodes & _node_types(outs), f"{name}'s node is not in the sample's graph"
    # first gradients of a random weighting of the outputs, input by input
    pairs = [(o, r) for o, r in zip(outs, refs) if r.requires_grad]
    if not pairs:
        return
    rng = np.random.default_rng(7)
    ws = [_random(rng, r) for _, r in pairs]
    xs = [x for x in ours if x.requires_grad]
    ys = [y for y in theirs if y.requires_grad]

    def grads(lib, outs, leaves):
        weights = [lib.tensor(w, dtype=o.dtype) for w, o in zip(ws, outs)]
        return lib.autograd.grad(outs, leaves, weights, allow_unused=True)

    try:
        want = grads(torch_ref, [r for _, r in pairs], ys)
    except RuntimeError as e:  # no derivative in PyTorch: ours raises the same error
        with pytest.raises(RuntimeError) as err:
            grads(retrograd, [o for o, _ in pairs], xs)
        assert str(err.value) == str(e)
        return
    got = grads(retrograd, [o for o, _ in pairs], xs)
    for g, h, x in zip(got, want, xs):  # (no gradient and a gradient of zeros are the same)
        if g is not None and h is not None:
            assert str(g.dtype) == str(h.dtype)
        g = np.zeros(tuple(x.shape)) if g is None else _array(g)
        h = np.zeros(tuple(x.shape)) if h is None else _array(h)
        _assert_close(g, h, dtype)


# --- gradients against finite differences, in float64 ------------------------------------------


def _float_outputs(lib, sample):
    def f(*xs):
        return tuple(
            o
            for o in tensors_of(sample.fn(lib, *xs))
            if o.dtype.is_floating_point or o.dtype.is_complex
        )

    return f


def _assert_raises_like(expected, fn, *args):
    """``fn(*args)`` raises an exception of the type PyTorch raised (``expected``), by name:
    PyTorch's ``GradcheckError`` is retrograd's ``GradcheckError``."""
    with pytest.raises(Exception) as err:
        fn(*args)
    assert type(err.value).__name__ == type(expected).__name__, (err.value, expected)


def _not_implemented(e):
    return isinstance(e, NotImplementedError) or "not implemented" in str(e)


def _both_checks(torch, check, sample):
    """``check`` (gradcheck or gradgradcheck) has PyTorch's outcome on the same program: it passes,
    or fails (where PyTorch's derivative is not the numerical one by design: ``normal``'s mean,
    ``embedding``'s padding row), or raises PyTorch's exception type.  Where PyTorch has no such
    derivative, ours may have one, and then it must pass."""
    ours = getattr(retrograd.autograd, check)
    theirs = getattr(torch.autograd, check)
    try:
        theirs(_float_outputs(torch, sample), inputs(torch, sample))
    except Exception as e:
        try:
            assert ours(_float_outputs(retrograd, sample), inputs(retrograd, sample))
        except Exception as mine:
            assert type(mine).__name__ == type(e).__name__, (mine, e)
        else:
            assert _not_implemented(e), f"PyTorch's {check} fails here, ours passes: {e}"
        return
    assert ours(_float_outputs(retrograd, sample), inputs(retrograd, sample))


@pytest.mark.parametrize("name, sample", _params("gradcheck", DIFFERENTIABLE))
def test_sample_gradcheck(torch_ref, name, sample):
    _both_checks(torch_ref, "gradcheck", sample)


@pytest.mark.parametrize("name, sample", _params("gradgradcheck", DIFFERENTIABLE))
def test_sample_gradgradcheck(torch_ref, name, sample):
    _both_checks(torch_ref, "gradgradcheck", sample)


# --- forward mode against reverse mode ---------------------------------------------------------


def _forward(lib, sample, xs, vs):
    """The outputs' tangents for input tangents ``vs`` (forward-mode AD of ``lib``)."""
    fwad = lib.autograd.forward_ad
    with fwad.dual_level():
        duals = [fwad.make_dual(x, v) if v is not None else x for x, v in zip(xs, vs)]
        outs = _float_outputs(lib, sample)(*duals)
        return [fwad.unpack_dual(o).tangent for o in outs]


@pytest.mark.parametrize("name, sample", _params("forward_ad", DIFFERENTIABLE))
def test_sample_forward_ad_matches_reverse_mode(torch_ref, name, sample):
    ours = inputs(retrograd, sample, "float64")
    theirs = inputs(torch_ref, sample, "float64")
    rng = np.random.default_rng(11)
    vs = [_random(rng, x) if x.requires_grad else None for x in ours]
    rvs = [v if v is None else retrograd.tensor(v) for v in vs]
    try:
        want = _forward(
            torch_ref, sample, theirs, [v if v is None else torch_ref.tensor(v) for v in vs]
        )
    except Exception as e:
        # No forward formula in PyTorch: ours refuses the same way, or has one that agrees with
        # reverse mode.
        if not _not_implemented(e):
            _assert_raises_like(e, _forward, retrograd, sample, ours, rvs)
            return
        try:
            got = _forward(retrograd, sample, ours, rvs)
        except Exception as mine:
            assert type(mine).__name__ == type(e).__name__, (mine, e)
            return
        us = [_random(rng, o) for o in _float_outputs(retrograd, sample)(*ours)]
        assert _dot_test(retrograd, sample, ours, got, us, vs)
        return
    got = _forward(retrograd, sample, ours, rvs)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (g is None) == (w is None)
        if w is not None:
            _assert_close(_array(g), _array(w), "float64")
    # <u, J v> by forward mode equals <J^T u, v> by reverse mode, wherever it does in PyTorch
    us = [_random(rng, o) for o in _float_outputs(torch_ref, sample)(*theirs)]
    if _dot_test(torch_ref, sample, theirs, want, us, vs):
        assert _dot_test(retrograd, sample, ours, got, us, vs)


def _dot_test(lib, sample, xs, tangents, us, vs):
    """Whether ``<u, J v>`` from the tangents equals ``<J^T u, v>`` by ``lib``'s reverse mode."""
    outs = _float_outputs(lib, sample)(*xs)
    pairs = [(o, t, u) for o, t, u in zip(outs, tangents, us) if o.requires_grad]
    forward = sum(_inner(u, 0 if t is None else _array(t)) for _, t, u in pairs)
    diff = [(x, v) for x, v in zip(xs, vs) if x.requires_grad]
    grads = lib.autograd.grad(
        [o for o, _, _ in pairs],
        [x for x, _ in diff],
        [lib.tensor(u) for _, _, u in pairs],
        allow_unused=True,
    )
    reverse = sum(_inner(_array(g), v) for g, (_, v) in zip(grads, diff) if g is not None)
    return forward == pytest.approx(reverse, rel=1e-7, abs=1e-9)
