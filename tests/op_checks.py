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
