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
        with pytest.raises(
            RuntimeError, match="Trying to backward through the graph a second time"
        ):
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


def test_grad_of_a_leaf_with_respect_to_itself():
    x = torch.ones(2, requires_grad=True)
    (g,) = torch.autograd.grad(x, [x], torch.tensor([2.0, 3.0]))
    assert g.tolist() == [2.0, 3.0]


def test_the_same_input_named_twice_gets_its_gradient_twice():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g1, g2 = torch.autograd.grad((x * x).sum(), [x, x])
    assert g1.tolist() == g2.tolist() == [2.0, 4.0]


def test_gradcheck_sees_a_non_contiguous_input():
    x = torch.randn(3, 4, dtype=torch.float64).t().requires_grad_()
    assert not x.is_contiguous()
    assert torch.autograd.gradcheck(lambda t: (t * t).sum(0), (x,))
    # t.detach() * t has the value t*t but the gradient t, not 2t: gradcheck must notice
    assert not torch.autograd.gradcheck(lambda t: t.detach() * t, (x,), raise_exception=False)


def test_a_left_out_argument_reads_as_its_default_on_the_node(torch_ref):
    """The fast path records only the arguments given; the node still reports the default."""
    for lib in (torch, torch_ref):
        a = lib.ones(2, requires_grad=True)
        assert (a + a).grad_fn._saved_alpha == 1
        assert lib.add(a, a, alpha=3).grad_fn._saved_alpha == 3
