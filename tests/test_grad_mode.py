"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode — as context managers and as
decorators, and thread-local as in PyTorch."""

import threading

import pytest

import retrograd as torch


def _records(x):
    return (x * 2).requires_grad


def test_no_grad_context():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad() as g:
        assert g is None
        assert not torch.is_grad_enabled()
        y = x * 2
        assert torch.ones(2, requires_grad=True).requires_grad  # factories still honour the flag
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            assert _records(x)
        assert not _records(x)


def test_set_grad_enabled_as_function_context_and_decorator():
    x = torch.ones(2, requires_grad=True)
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled() and not _records(x)
    finally:
        torch.set_grad_enabled(True)
    with torch.set_grad_enabled(False):
        assert not _records(x)
    assert torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def f(a):
        return a * 2

    assert torch.is_grad_enabled()  # decorating does not change the mode outside the function
    assert not f(x).requires_grad
    assert torch.is_grad_enabled()


@pytest.mark.parametrize(
    "decorator",
    [torch.no_grad(), torch.no_grad, torch.inference_mode(), torch.inference_mode],
    ids=["no_grad()", "no_grad", "inference_mode()", "inference_mode"],
)
def test_decorators_turn_grad_off_inside_only(decorator):
    x = torch.ones(2, requires_grad=True)

    @decorator
    def f(a):
        assert not torch.is_grad_enabled()
        return a * 2

    assert not f(x).requires_grad
    assert torch.is_grad_enabled()
    assert f.__name__ == "f"


def test_enable_grad_decorator():
    x = torch.ones(2, requires_grad=True)

    @torch.enable_grad()
    def f(a):
        return a * 2

    with torch.no_grad():
        assert f(x).requires_grad
        assert not torch.is_grad_enabled()


def test_decorated_generator_keeps_the_mode_across_yields():
    @torch.no_grad()
    def gen():
        for _ in range(2):
            yield torch.is_grad_enabled()

    g = gen()
    assert next(g) is False
    assert torch.is_grad_enabled()
    assert next(g) is False


def test_mode_restored_after_an_exception():
    with pytest.raises(ValueError), torch.no_grad():
        raise ValueError
    assert torch.is_grad_enabled()


def test_inference_mode():
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
        assert not _records(x)
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert _records(x) and not torch.is_inference_mode_enabled()


def test_grad_mode_is_thread_local():
    seen = {}
    x = torch.ones(2, requires_grad=True)

    def worker():
        seen["enabled"] = torch.is_grad_enabled()
        seen["records"] = _records(x)
        with torch.no_grad():
            seen["inner"] = torch.is_grad_enabled()

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not torch.is_grad_enabled()  # the thread's no_grad did not leak either way
    assert seen == {"enabled": True, "records": True, "inner": False}
    assert torch.is_grad_enabled()


def test_decorating_a_class_is_deprecated_and_builds_under_the_mode():
    with pytest.warns(FutureWarning, match="^Decorating classes is deprecated"):

        @torch.no_grad()
        class C:
            def __init__(self):
                self.enabled = torch.is_grad_enabled()

    assert C().enabled is False and torch.is_grad_enabled()
