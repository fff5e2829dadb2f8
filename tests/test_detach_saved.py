"""A tensor made by an op, saved by a node and then detached in place (``detach_``): the node
refuses to run with PyTorch's error; saved after the detach, or saved as a node's own result, it
is used as it is."""

import pytest

import retrograd

PROGRAMS = [
    # the node's own result, detached
    lambda t, x: t.autograd.grad((x.exp().detach_() * 0).sum() + x.sum(), x),
    # detached before it is saved
    lambda t, x: t.autograd.grad(((x * 2).detach_() * x).sum(), x),
    # detached after it is saved, by one formula or by both
    lambda t, x: _after(t, x, lambda y: y * x),
    lambda t, x: _after(t, x, lambda y: y * y),
    # saved by a node that no gradient reaches: it runs all the same
    lambda t, x: _after(t, x, lambda y: y.sum() + 0 * y.sin().sum()),
    # through a graph with a softplus and an expm1 saving the same input
    lambda t, x: _multi(t, x),
]


def _after(t, x, f):
    y = x * 2
    z = f(y).sum()
    y.detach_()
    return t.autograd.grad(z, x)


def _multi(t, x):
    s = x.sum(dim=0)
    a = t.nn.functional.softplus(s)
    b = s.expm1()
    with t.no_grad():
        s.detach_()
    t.autograd.backward([(b * b).sum(), a.sum()])
    return x.grad


def _outcome(lib, program):
    x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
    try:
        return str(program(lib, x))
    except RuntimeError as e:
        return f"RuntimeError: {e}"


@pytest.mark.parametrize("program", PROGRAMS)
def test_detached_saved_tensor_as_pytorch(torch_ref, program):
    assert _outcome(retrograd, program) == _outcome(torch_ref, program)
