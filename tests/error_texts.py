"""One check for PyTorch's error texts, shared by the test modules."""

import types

import pytest


def assert_raises_text(fn, message, **names):
    """``fn()`` raises RuntimeError with exactly ``message``.  ``names`` rebind ``fn``'s globals, so
    the same lambda runs against PyTorch too (``retrograd=torch, F=torch.nn.functional``) and the
    expected texts are checked to be PyTorch's own, not our guesses."""
    if names:
        fn = types.FunctionType(fn.__code__, dict(fn.__globals__, **names))
    with pytest.raises(RuntimeError) as info:
        fn()
    assert str(info.value) == message
