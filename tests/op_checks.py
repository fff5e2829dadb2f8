"""Checks shared by the op tables (tests/test_ops_*.py): parity with PyTorch and error texts."""

import numpy as np
import pytest

import retrograd


def assert_matches_pytorch(torch, out, ref, ours, theirs, node):
    """``out`` (from retrograd inputs ``ours``) agrees with ``ref`` (from torch inputs ``theirs``):
    dtype, shape, node name, values, and the gradients of a random weighting of the outputs."""
    assert str(out.dtype) == str(ref.dtype)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.grad_fn.name() == ref.grad_fn.name() == node
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    weights = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(np.float32)
    (out * retrograd.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5)


def assert_second_derivatives_match(torch, out, ref, ours, theirs):
    """Double backward agrees with PyTorch: the gradient of a weighted sum of first derivatives
    (a Hessian-vector product), input by input."""
    rng = np.random.default_rng(2)
    weights = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    firsts = []
    for lib, o, xs in ((retrograd, out, ours), (torch, ref, theirs)):
        gs = lib.autograd.grad((o * lib.tensor(weights)).sum(), xs, create_graph=True)
        firsts.append((lib, gs, xs))
    vectors = [rng.standard_normal(tuple(x.shape)).astype(np.float32) for x in theirs]
    seconds = []
    for lib, gs, xs in firsts:
        total = sum((g * lib.tensor(v)).sum() for g, v in zip(gs, vectors) if g.requires_grad)
        if not isinstance(total, (retrograd.Tensor, torch.Tensor)):  # every gradient is constant
            seconds.append([None] * len(xs))
            continue
        hv = lib.autograd.grad(total, xs, allow_unused=True)
        seconds.append([None if h is None else h.detach().numpy(force=True) for h in hv])
    for a, b in zip(*seconds):
        a = np.zeros_like(b) if a is None and b is not None else a
        b = np.zeros_like(a) if b is None and a is not None else b
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def assert_raises_exactly(lib, fn, exc, text):
    """``fn(lib)`` raises ``exc`` with exactly ``text`` (``lib``: retrograd, or torch itself)."""
    with pytest.raises(exc) as err:
        fn(lib)
    assert str(err.value) == text


def error_tests(errors):
    """The two tests of a table of ``(fn, exception type, text)``: retrograd raises exactly that,
    and so does PyTorch (so the expected texts are PyTorch's, not ours)."""
    cases = pytest.mark.parametrize("i", range(len(errors)))

    @cases
    def test_error_type_and_text(i):
        assert_raises_exactly(retrograd, *errors[i])

    @cases
    def test_error_texts_are_pytorchs(torch_ref, i):
        assert_raises_exactly(torch_ref, *errors[i])

    return test_error_type_and_text, test_error_texts_are_pytorchs


def program_matches_pytorch(torch, fn, arrays, weights=np.linspace, atol=0.0, rtol=1e-7):
    """``fn(lib, *tensors)`` on float64 leaves made from ``arrays``, in retrograd and PyTorch:
    the same values, node name and gradients of a fixed weighting of the output (``weights``:
    ``np.linspace`` for -1..1, or ``np.cos`` of the positions)."""
    got = []
    for lib in (retrograd, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *ts)
        n = out.numel()
        w = np.linspace(-1, 1, n) if weights is np.linspace else weights(np.arange(n))
        grads = lib.autograd.grad((out * lib.tensor(w.reshape(tuple(out.shape)))).sum(), ts)
        got.append((out.detach().numpy(), out.grad_fn.name(), [g.numpy() for g in grads]))
    (v, node, grads), (tv, tnode, tgrads) = got
    assert node == tnode
    np.testing.assert_allclose(v, tv, atol=atol, rtol=rtol)
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g, tg, atol=max(atol, 1e-12), rtol=rtol)
