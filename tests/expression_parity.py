"""Run one expression with ``torch`` bound to retrograd and to PyTorch, and compare the outcomes:
the same repr, or the same exception type with a message that starts with PyTorch's (retrograd may
add one sentence); warnings too, when asked."""

import warnings

import retrograd


def outcome(torch, expression: str, namespace=None):
    """('ok', repr) or (exception type name, message), and the warnings raised, as text."""
    scope = {"torch": torch, **(namespace or {})}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = "ok", repr(eval(expression, scope))
        except Exception as e:  # the error is what is compared
            result = type(e).__name__, str(e)
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_same_outcome(expression: str, torch, check_warnings: bool = False, namespace=None):
    (ours, our_warnings) = outcome(retrograd, expression, namespace)
    (theirs, their_warnings) = outcome(torch, expression, namespace)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        assert ours[1] == theirs[1]
    elif ours[0] == "NotImplementedError" and "' backend." in theirs[1]:
        # PyTorch's text goes on to list its dispatch keys; ours stops after the first sentences
        assert ours[1].split(" backend.")[0] == theirs[1].split(" backend.")[0]
    else:
        assert ours[1].startswith(theirs[1]), (ours, theirs)
    if check_warnings:
        # PyTorch's warnings from C++ end by naming the source line they came from
        their_warnings = [w.split(" (Triggered internally at ")[0] for w in their_warnings]
        assert our_warnings == their_warnings
