"""Programs found by the differential fuzzer where retrograd once gave another gradient than
PyTorch with no error, each run on both libraries and compared."""

import pytest

import retrograd


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if hasattr(value, "tolist"):
        return ["shape", list(value.shape), _rounded(value.detach().tolist())]
    return value


def _rounded(value):
    """Values to 6 significant digits (float32's exp differs in its last bit)."""
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _outcome(program, module):
    """What ``program(module)`` gives, or the type and first line of the error it raises."""
    try:
        return _lists(program(module))
    except RuntimeError as e:
        return ["error", str(e).split("\n")[0]]


def _same(torch_ref, program):
    ours, theirs = _outcome(program, retrograd), _outcome(program, torch_ref)
    if ours[:1] == ["error"] == theirs[:1]:
        assert ours[1].startswith(theirs[1])  # (retrograd may add a sentence)
    else:
        assert repr(ours) == repr(theirs)  # (repr: nan equals nan)
    return ours


def _twice(T):
    class Twice(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Twice


# --- retain_grad on a tensor written in place ------------------------------------------------


def test_retained_grad_follows_a_custom_functions_in_place_write(torch_ref):
    # (seed 802126) .grad is the gradient of the tensor's new value, not of the one it replaced
    def program(T):
        x = T.tensor([[-0.3, 1.1], [1.2, -0.8]], requires_grad=True)
        y = T.minimum(x, T.tensor([1.5, 1.3]))
        y.retain_grad()
        z = _twice(T).apply(y)
        z.mean().backward()
        return z is y, y.grad, x.grad

    assert _same(torch_ref, program)[1] == ["shape", [2, 2], [[0.25, 0.25], [0.25, 0.25]]]


def test_custom_in_place_write_clears_a_retained_grad(torch_ref):
    # (seed 814667) mark_dirty drops the .grad the tensor kept of its old value, also when the
    # write is then refused (a view of a leaf)
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.sum().backward()
        before = y.grad.clone()
        _twice(T).apply(y)
        after = y.grad
        v = x[:1]
        v.retain_grad()
        v.sum().backward()
        try:
            _twice(T).apply(v)
        except RuntimeError as e:
            refused = str(e)
        return before, after, v.grad, refused

    ours = _same(torch_ref, program)
    assert ours[1] is None and ours[2] is None


@pytest.mark.parametrize("write", ["mul_", "custom"])
def test_retained_grad_of_a_view_follows_the_write(torch_ref, write):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        v = y[:1]
        v.retain_grad()
        y.retain_grad()
        (v.sum() + y.sum()).backward(retain_graph=True)
        if write == "mul_":
            v.mul_(2)
        else:
            _twice(T).apply(v)
        kept = v.grad
        (v.sum() * 3 + y.sum()).backward()
        return kept, v.grad, y.grad, x.grad

    _same(torch_ref, program)


def test_retained_grad_follows_a_plain_in_place_write(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        (y * 3).sum().backward(retain_graph=True)
        kept = y.grad.clone()
        y.mul_(2)
        (y * 3).sum().backward()
        return kept, y.grad, x.grad

    _same(torch_ref, program)


def test_no_retained_grad_is_cleared_without_a_graph(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.sum().backward()
        with T.no_grad():
            _twice(T).apply(y)
        z = T.tensor([1.0, 2.0])
        z.grad = T.tensor([5.0, 5.0])
        _twice(T).apply(z)
        return y.grad, z.grad

    _same(torch_ref, program)
