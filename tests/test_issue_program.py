"""The first program of the README: accumulation, retain_graph, and the second-backward error."""

import pytest

import retrograd as torch

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _program():
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    return w, x, y


def test_gradients_accumulate_with_retain_graph():
    w, x, y = _program()
    y.backward(retain_graph=True)
    assert repr(w.grad) == "tensor([5.])"
    assert repr(x.grad) == "tensor([2.])"
    y.backward()
    assert repr(w.grad) == "tensor([10.])"
    assert repr(x.grad) == "tensor([4.])"


def test_second_backward_without_retain_graph_raises():
    w, x, y = _program()
    y.backward()
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert str(err.value).startswith(FREED)
    assert repr(w.grad) == "tensor([5.])"  # the failed call added nothing


def test_saved_tensors_are_readable_until_freed():
    w, x, y = _program()
    assert repr(y.grad_fn._saved_self) == "tensor([3.], grad_fn=<AddBackward0>)"
    assert repr(y.grad_fn._saved_other) == "tensor([2.], grad_fn=<AddBackward0>)"
    y.backward()
    for name in ("_saved_self", "_saved_other"):
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            getattr(y.grad_fn, name)


def test_graph_structure():
    w, x, y = _program()
    assert y.grad_fn.name() == "MulBackward0"
    (a_fn, _), (b_fn, _) = y.grad_fn.next_functions
    assert a_fn.name() == b_fn.name() == "AddBackward0"
    (acc_w, _), (acc_x, _) = a_fn.next_functions
    assert acc_w.variable is w and acc_x.variable is x
    assert b_fn.next_functions[0][0] is acc_w  # one AccumulateGrad per leaf, shared
    assert b_fn.next_functions[1] == (None, 0)
    assert repr(y) == "tensor([6.], grad_fn=<MulBackward0>)"
