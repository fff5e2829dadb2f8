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


INFERENCE_STEPS = {
    "versions": lambda T, x, n, a, f: [a._version],
    "view_version": lambda T, x, n, a, f: [a[0:1]._version],
    "add_": lambda T, x, n, a, f: [a.add_(1)],
    "add_ under no_grad": lambda T, x, n, a, f: [T.no_grad()(lambda: a.add_(1))()],
    "setitem": lambda T, x, n, a, f: [a.__setitem__(0, 5.0)],
    "unsqueeze_": lambda T, x, n, a, f: [a.unsqueeze_(0)],
    "saved as an input": lambda T, x, n, a, f: [(a * x).sum()],
    "saved by exp's other input": lambda T, x, n, a, f: [x.exp() * a],
    "saved by an in-place op": lambda T, x, n, a, f: [(x * 1).mul_(a)],
    "not saved": lambda T, x, n, a, f: [(a + x).sum(), T.cat([a, x]).grad_fn.name()],
    "not recorded": lambda T, x, n, a, f: [T.no_grad()(lambda: (a * x).sum())()],
    "requires_grad_": lambda T, x, n, a, f: [a.requires_grad_()],
    "requires_grad_(False)": lambda T, x, n, a, f: [a.requires_grad_(False)],
    "Parameter": lambda T, x, n, a, f: [T.nn.Parameter(a)],
    "jacobian": lambda T, x, n, a, f: [T.autograd.functional.jacobian(lambda t: t * 2, a)],
    "copied into a normal tensor": lambda T, x, n, a, f: [n.copy_(a), n._version],
    "clone": lambda T, x, n, a, f: [a.clone().add_(1), a.clone().is_inference()],
    "leaf made inside": lambda T, x, n, a, f: [f.is_leaf, f.requires_grad, f * x],
    "saved by a custom Function": lambda T, x, n, a, f: [_SaveBoth(T).apply(a, x)],
}


def _SaveBoth(T):
    class SaveBoth(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    return SaveBoth


@pytest.mark.parametrize("step", sorted(INFERENCE_STEPS))
def test_inference_tensors_outside_inference_mode(torch_ref, step):
    """A tensor made inside inference_mode is an inference tensor (so are its views; a view of a
    normal tensor made there is not): outside the block it shows no version and may not be
    written (the write happens, then PyTorch's error), saved for backward or made to require
    grad; it may be read by ops that do not save it."""

    def program(T):
        x = T.ones(2, requires_grad=True)
        n = T.ones(2)
        with T.inference_mode():
            a = x * 2
            views = [a.view(2), n[0:1], n.detach(), x[0:1], T.ones(2), T.tensor([1.0])]
            n.add_(1)  # a normal tensor written inside stays one
            f = T.ones(2).requires_grad_()  # allowed inside
            inside = [f.requires_grad, (f * 2).requires_grad, a.add_(1) is a]
        flags = [t.is_inference() for t in (a, *views, f)] + [n._version, n.is_inference()]
        try:
            out = INFERENCE_STEPS[step](T, x, n, a, f)
        except RuntimeError as e:
            out = [str(e)]
        with T.inference_mode():
            out.append(a.tolist())  # what an error left written
        return inside, flags, [o.tolist() if hasattr(o, "tolist") else o for o in out]

    assert program(torch) == program(torch_ref)


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


def test_float_of_a_tensor_that_requires_grad_warns_once_as_in_pytorch(torch_ref):
    """``float(t)`` with grad mode on warns once a process (``int``, ``.item()`` and ``float``
    under no_grad say nothing): each library runs the same calls in a fresh process."""
    import subprocess
    import sys

    program = """
import sys, warnings
lib = __import__(sys.argv[1])
x = lib.ones(1, requires_grad=True)
seen = []
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    for call in ("int", "item", "nograd", "float", "float", "float of a plain tensor"):
        if call == "int":
            int(x)
        elif call == "item":
            x.item()
        elif call == "nograd":
            with lib.no_grad():
                float(x)
        elif call == "float":
            float(x * 2)
        else:
            float(x.detach())
        seen.append([(i.category.__name__, str(i.message).split(" (Triggered")[0]) for i in w])
print(seen)
"""
    outs = [
        subprocess.run(
            [sys.executable, "-c", program, name], capture_output=True, text=True, check=True
        ).stdout
        for name in ("retrograd", "torch")
    ]
    assert outs[0] == outs[1]
    assert "Converting a tensor with requires_grad=True to a scalar" in outs[0]
