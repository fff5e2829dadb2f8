"""Who owns a gradient: ``.grad`` takes the engine's gradient without a copy only when nothing else
refers to it, so adding into ``.grad`` later (a second backward, an optimizer's in-place update)
never changes a tensor that the caller, a hook, another leaf or ``autograd.grad`` was given.

Each program writes into ``.grad`` after the gradient was shared, then reports every tensor that
could have been an alias; both libraries must report the same values."""

import pytest

import retrograd
import retrograd.autograd.engine as engine
from retrograd.autograd.node import _sequence
from retrograd.ops.inplace import _saved_since


def _both(torch_ref, program):
    ours = program(retrograd)
    theirs = program(torch_ref)
    assert ours == theirs
    return ours


def _leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def test_gradient_passed_to_backward_of_a_leaf(torch_ref):
    def program(lib):
        x = _leaf(lib)
        g = lib.tensor([1.0, 1.0, 1.0])
        x.backward(g)
        x.grad.mul_(10)
        return [g.tolist(), x.grad.tolist(), x.grad is g]

    assert _both(torch_ref, program)[0] == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("op", ["add", "sub", "clone", "contiguous"])
def test_gradient_passed_through_to_two_leaves_or_the_caller(torch_ref, op):
    """Formulas that hand their incoming gradient on (add, sub's first input, clone): the caller's
    gradient, and each leaf's, stay apart.  (Through a view PyTorch's ``.grad`` takes a view of
    the caller's gradient, its memory included; retrograd copies.)"""

    def program(lib):
        x, w = _leaf(lib), _leaf(lib, (4.0, 5.0, 6.0))
        if op == "add":
            y = x + w
        elif op == "sub":
            y = x - w
        else:
            y = getattr(x, op)()
        g = lib.tensor([1.0, 2.0, 3.0])
        y.backward(g)
        x.grad.add_(100)
        return [g.tolist(), x.grad.tolist(), None if w.grad is None else w.grad.tolist()]

    _both(torch_ref, program)


def test_tensor_hook_keeps_the_gradient_it_saw(torch_ref):
    def program(lib):
        x = _leaf(lib)
        seen = []
        x.register_hook(lambda g: seen.append(g))
        (x * 2).sum().backward()
        (x * 2).sum().backward()  # adds into x.grad in place
        return [[s.tolist() for s in seen], x.grad.tolist()]

    _both(torch_ref, program)


def test_tensor_hook_on_an_intermediate_returns_its_own_tensor(torch_ref):
    def program(lib):
        x = _leaf(lib)
        mine = lib.tensor([7.0, 8.0, 9.0])
        h = x * 1
        h.register_hook(lambda g: mine)
        (h + 0).sum().backward()
        x.grad.mul_(2)
        return [mine.tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_node_hooks_keep_what_they_saw(torch_ref):
    def program(lib):
        x = _leaf(lib)
        y = x * 3
        kept = []
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return [kept[0].tolist(), kept[1].tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_retained_grad_of_an_intermediate_and_the_leaf_behind_it(torch_ref):
    def program(lib):
        x = _leaf(lib)
        m = x * 1
        m.retain_grad()
        (m + x).sum().backward()
        x.grad.add_(100)
        return [m.grad.tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_autograd_grad_results_then_backward_into_grad(torch_ref):
    def program(lib):
        x = _leaf(lib)
        y = (x * x).sum()
        (gx,) = lib.autograd.grad(y, x, retain_graph=True)
        y.backward()
        x.grad.add_(100)
        return [gx.tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_retain_graph_accumulates_into_the_same_grad(torch_ref):
    def program(lib):
        x = _leaf(lib)
        y = (x * 2).sum()
        y.backward(retain_graph=True)
        first = x.grad
        y.backward()
        return [first.tolist(), x.grad.tolist(), first is x.grad]

    assert _both(torch_ref, program)[2] is True


def test_custom_function_backward_may_keep_its_gradient(torch_ref):
    def program(lib):
        kept = []

        class Keep(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                out = g * 2
                kept.append(out)
                return out

        x = _leaf(lib)
        Keep.apply(x).sum().backward()
        x.grad.mul_(10)
        return [kept[0].tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_one_leaf_used_twice_sums_into_a_grad_of_its_own(torch_ref):
    def program(lib):
        x = _leaf(lib)
        g = lib.tensor([1.0, 1.0, 1.0])
        (x + x).backward(g)
        x.grad.add_(5)
        return [g.tolist(), x.grad.tolist()]

    _both(torch_ref, program)


def test_create_graph_gives_each_leaf_a_grad_of_its_own(torch_ref):
    """Under ``create_graph`` the first ``.grad`` is a copy (a CopyBackwards node on the
    gradient's graph): two leaves that got the same gradient tensor do not share it, so the
    second backward's in-place accumulation into one does not reach the other (it did: a silently
    wrong gradient)."""

    def program(lib):
        a, b = _leaf(lib, (0.921,)), _leaf(lib, (-1.343,))
        y = a + b
        (y * y).sum().backward(create_graph=True)
        first = [a.grad is b.grad, type(a.grad.grad_fn).__name__, a.grad._version]
        first.append([type(n).__name__ for n, _ in a.grad.grad_fn.next_functions])
        (b.grad * b.grad).sum().backward()
        return [first, [round(v, 4) for v in a.grad.tolist() + b.grad.tolist()]]

    assert _both(torch_ref, program)[1] == [-4.22, -4.22]


def test_inplace_op_keeps_the_value_its_node_saved(torch_ref):
    """``a.mul_(w)``: w's gradient needs ``a`` as it was before the write."""

    def program(lib):
        w = _leaf(lib)
        a = lib.tensor([2.0, 3.0, 4.0])
        a.mul_(w)
        a.sum().backward()
        return [a.tolist(), w.grad.tolist()]

    assert _both(torch_ref, program)[1] == [2.0, 3.0, 4.0]


def test_inplace_ops_in_a_row_keep_the_values_their_nodes_saved(torch_ref):
    def program(lib):
        w = _leaf(lib)
        a = lib.tensor([2.0, 3.0, 4.0])
        a.addcmul_(lib.ones(3), w)
        a.mul_(w)
        a.sum().backward()
        return [a.tolist(), w.grad.tolist()]

    _both(torch_ref, program)


def test_a_value_saved_by_any_node_an_op_call_made_is_found():
    """An in-place op built from several ops: the node that saved the old value may lie behind the
    result's own (here ``(old * w) + 1``: the product's node saved it, the sum's saved nothing)."""
    w = retrograd.ones(3, requires_grad=True)
    before = retrograd.ones(3) * w  # a node made before the call, saving its own inputs
    old = retrograd.ones(3)
    start = next(_sequence)
    out = old * w + 1
    assert _saved_since(out.grad_fn, start, old)
    assert not _saved_since(out.grad_fn, start, retrograd.ones(3))
    assert not _saved_since(before.grad_fn, start, before.grad_fn._saved[1])


def _counted_copies(monkeypatch):
    """The shapes of the arrays the engine wraps as new tensors (its copies into ``.grad``),
    appended to the list returned as they are made."""
    copies = []
    real = engine._make

    def counting(data, *args, **kwargs):
        copies.append(data.shape)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(engine, "_make", counting)
    return copies


def test_grad_takes_an_unshared_gradient_without_a_copy(monkeypatch):
    """The other side of the rule: a gradient that a formula made for one leaf becomes ``.grad``
    as it is (PyTorch steals it the same way), with no copy of its array."""
    copies = _counted_copies(monkeypatch)
    w = retrograd.ones(3, 4, requires_grad=True)
    b = retrograd.zeros(4, requires_grad=True)
    (retrograd.ones(2, 3).matmul(w).relu().sum() + (b * 2).sum()).backward()
    assert w.grad.tolist() == [[2.0] * 4] * 3 and b.grad.tolist() == [2.0] * 4
    assert copies == []  # w's from mm's formula, b's from mul's: both new, each for one leaf


def test_a_gradient_handed_to_two_leaves_is_copied_for_the_first_only(monkeypatch):
    """A formula's gradient that an add hands on to two leaves: the first leaf's ``.grad`` is a
    copy (the other leaf's buffer still holds the gradient), the second takes it, as PyTorch's
    reference count decides; the two ``.grad`` never share memory."""
    copies = _counted_copies(monkeypatch)
    x = retrograd.ones(3, requires_grad=True)
    w = retrograd.ones(3, requires_grad=True)
    ((x + w) * 2).sum().backward()
    assert copies == [(3,)]
    x.grad.add_(100)
    assert x.grad.tolist() == [102.0] * 3 and w.grad.tolist() == [2.0] * 3
