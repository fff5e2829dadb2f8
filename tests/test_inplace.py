"""In-place ops: values, version counters, rebased graphs, views and PyTorch's errors."""

import pytest

import retrograd


# name -> the in-place call; each is run on a non-leaf of [0.5, 2, 3] in both libraries
INPLACE = {
    "add_": lambda T, t: t.add_(1.5),
    "add_tensor": lambda T, t: t.add_(T.tensor([1.0, 2.0, 3.0]), alpha=2),
    "sub_": lambda T, t: t.sub_(T.tensor([1.0, 2.0, 3.0])),
    "mul_": lambda T, t: t.mul_(2.0),
    "mul_tensor": lambda T, t: t.mul_(T.tensor([2.0, 3.0, 4.0])),
    "div_": lambda T, t: t.div_(T.tensor([2.0, 3.0, 4.0])),
    "pow_": lambda T, t: t.pow_(2),
    "clamp_": lambda T, t: t.clamp_(1.0, 2.5),
    "clamp_min": lambda T, t: t.clamp_(min=1.0),
    "zero_": lambda T, t: t.zero_(),
    "fill_": lambda T, t: t.fill_(2.0),
    "copy_": lambda T, t: t.copy_(T.tensor([7.0, 8.0, 9.0])),
    "exp_": lambda T, t: t.exp_(),
    "relu_": lambda T, t: t.sub_(1).relu_(),
    "sigmoid_": lambda T, t: t.sigmoid_(),
    "tanh_": lambda T, t: t.tanh_(),
    "masked_fill_": lambda T, t: t.masked_fill_(T.tensor([True, False, True]), 0.0),
    "index_put_": lambda T, t: t.index_put_((T.tensor([0, 2]),), T.tensor([5.0, 6.0], dtype=t.dtype)),
    "iadd": lambda T, t: t.__iadd__(1.0),
    "isub": lambda T, t: t.__isub__(T.tensor([1.0, 1.0, 1.0])),
    "imul": lambda T, t: t.__imul__(3.0),
    "itruediv": lambda T, t: t.__itruediv__(2.0),
}


def _run(T, call):
    x = T.tensor([0.5, 2.0, 3.0], dtype=T.float64, requires_grad=True)
    y = x * 1
    r = call(T, y)
    (y * T.tensor([1.0, 2.0, 3.0], dtype=T.float64)).sum().backward()
    return (r is y, y.grad_fn.name(), y._version, y.detach().tolist(), x.grad.tolist(),
            [n.name() if n is not None else None for n, _ in y.grad_fn.next_functions])


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_op_matches_pytorch(torch_ref, name):
    ours = _run(retrograd, INPLACE[name])
    theirs = _run(torch_ref, INPLACE[name])
    assert ours[:3] == theirs[:3]  # same object, node name, version
    assert ours[3] == pytest.approx(theirs[3])
    assert ours[4] == pytest.approx(theirs[4])
    assert ours[5][0] == theirs[5][0]  # the edge to the old graph


def test_mul_by_tensor_keeps_the_old_value_for_the_other_gradient(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        z = T.tensor([2.0, 3.0, 4.0], requires_grad=True)
        y = x * 1
        y.mul_(z)
        y.sum().backward()
        return x.grad.tolist(), z.grad.tolist()

    assert program(retrograd) == program(torch_ref) == ([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])


def test_version_counter_is_shared_with_views_and_detach():
    x = retrograd.ones(2, 3)
    v = x.view(6)
    d = x.detach()
    v.add_(1)
    d.mul_(2)
    assert x._version == v._version == d._version == 2
    assert x.tolist() == [[4.0] * 3] * 2


def _modified_error(T):
    a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a.exp()
    b.add_(1)
    with pytest.raises(RuntimeError) as info:
        b.sum().backward()
    return str(info.value)


def test_saved_tensor_modified_error_keeps_pytorch_text_and_points_home(torch_ref):
    theirs = _modified_error(torch_ref)
    ours = _modified_error(retrograd)
    assert ours.startswith(theirs)
    extra = ours[len(theirs):]
    assert "ExpBackward0" in extra and "shape [3]" in extra and "torch.float32" in extra
    assert extra.count("test_inplace.py:") == 2  # the forward call and the in-place op
    assert "b = a.exp()" in extra and "b.add_(1)" in extra


def test_saved_input_modified_names_its_current_producer(torch_ref):
    def message(T):
        a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 1
        c = b * b
        b.mul_(2)
        with pytest.raises(RuntimeError) as info:
            c.sum().backward()
        return str(info.value)

    theirs = message(torch_ref)
    assert message(retrograd).startswith(theirs)
    assert "output 0 of Mul," in theirs


def test_leaf_in_place_raises_and_no_grad_update_keeps_the_leaf(torch_ref):
    for T in (retrograd, torch_ref):
        w = T.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used "
                                               "in an in-place operation.$"):
            w.add_(1)
        (w * w).sum().backward()
        before = id(w)
        with T.no_grad():
            w -= 0.1 * w.grad
        assert id(w) == before and w.is_leaf and w.requires_grad and w.grad_fn is None
        assert w.detach().tolist() == pytest.approx([0.8, 1.6])
        assert w._version == 1


def test_view_of_leaf_raises(torch_ref):
    for T in (retrograd, torch_ref):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad is "
                                               "being used in an in-place operation.$"):
            x.view(-1).add_(1)


def test_write_through_view_of_non_leaf_rebases_the_base(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = x * 1
        v = base.view(-1)
        v.add_(1)
        names = (base.grad_fn.name(), v.grad_fn.name())
        (base ** 2).sum().backward()
        return names, x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_write_through_transposed_view(torch_ref):
    def program(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        base = x * 1
        base.t().mul_(T.tensor([1.0, 2.0, 3.0]).unsqueeze(1))
        (base * x).sum().backward()
        return base.detach().tolist(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_view_made_before_a_write_to_its_base_gets_a_fresh_grad_fn(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = x * 1
        v = base.unsqueeze(0)
        base.mul_(2)
        v.sum().backward()
        return x.grad.tolist()

    assert program(retrograd) == program(torch_ref) == [2.0, 2.0, 2.0]


def test_sibling_view_sees_a_write_through_another_view(torch_ref):
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        base = x * 1
        v1 = base.view(4)
        v2 = base.t()
        v1.mul_(T.tensor([1.0, 2.0, 3.0, 4.0]))
        (v2 * v2).sum().backward()
        return x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_write_through_slice(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = x * 1
        base[0:2].mul_(2)
        (base * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return base.grad_fn.name(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_setitem(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = T.tensor([7.0], requires_grad=True)
        y = x * 2
        y[0] = 5.0
        y[1:2] = w
        name1 = y.grad_fn.name()
        y[T.tensor([2])] = w * 3
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return name1, y.grad_fn.name(), y.detach().tolist(), x.grad.tolist(), w.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_setitem_into_a_buffer_that_does_not_require_grad(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        buf = T.zeros(2, 3)
        buf[:, 1] = x * 2
        buf[T.tensor([True, False])] = x.sum()
        buf.sum().backward()
        return buf.requires_grad, buf.grad_fn.name(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_setitem_on_leaf_raises(torch_ref):
    for T in (retrograd, torch_ref):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
            x[0] = 5.0
        with T.no_grad():
            x[0] = 5.0
        assert x.detach().tolist() == [5.0, 2.0, 3.0] and x.is_leaf


def test_retain_grad_follows_the_rebased_tensor(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.mul_(3)
        (y * 2).sum().backward()
        return y.grad.tolist(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_casting_and_shape_errors(torch_ref):
    for T in (retrograd, torch_ref):
        with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired "
                                               "output type Long$"):
            T.tensor([1, 2]).add_(0.5)
        with pytest.raises(RuntimeError, match=r"^output with shape \[2\] doesn't match the "
                                               r"broadcast shape \[2, 2\]$"):
            T.tensor([1.0, 2.0]).add_(T.ones(2, 2))
        t = T.tensor([1.0, 2.0])
        t.add_(T.tensor([1.0, 2.0], dtype=T.float64))
        assert t.dtype == T.float32 and t.tolist() == [2.0, 4.0]


def test_write_into_expanded_tensor_raises(torch_ref):
    for T in (retrograd, torch_ref):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        z = (x * 1).expand(2, 3)
        with pytest.raises(RuntimeError, match="^unsupported operation: more than one element"):
            z.add_(1)


def test_inplace_gradients_pass_gradcheck():
    from conftest import rand64

    def f(x):
        y = x * 1
        y.mul_(x).add_(x, alpha=2).tanh_()
        return y

    assert retrograd.autograd.gradcheck(f, (rand64(3),))
    assert retrograd.autograd.gradgradcheck(f, (rand64(3),))


def test_modified_leaf_message_names_no_producer(torch_ref):
    """A saved leaf changed under no_grad: PyTorch names no producer and puts no comma."""
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * x
        with lib.no_grad():
            x.mul_(2)
        with pytest.raises(RuntimeError) as err:
            y.sum().backward()
        return str(err.value)

    ours, theirs = run(retrograd), run(torch_ref)
    assert theirs.startswith("one of the variables needed for gradient computation has been "
                             "modified by an inplace operation: [torch.FloatTensor [2]] is at "
                             "version 1; expected version 0 instead.")
    assert ours.startswith(theirs)


@pytest.mark.parametrize("program", [
    # a view written after a sibling view's write
    "b = x + 0; r0 = b[0]; r1 = b[:, 1]; r0.mul_(2); r1.mul_(3); loss = (b * b).sum()",
    # a view written after its base's write
    "b = x + 0; v = b[1]; b.mul_(2); v.add_(1); loss = (b * b).sum()",
    # a view of a view written after the base's write
    "y = x.reshape(-1) * 1; a = y[1:]; v = a[:2]; y.mul_(2); v.add_(1); loss = (y * y).sum()",
])
def test_writes_through_views_made_stale_by_earlier_writes(program, torch_ref):
    grads = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        scope = {"x": x}
        exec(program, scope)
        scope["loss"].backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


def test_write_through_a_view_of_a_permuted_dense_tensor(torch_ref):
    grads = []
    for lib in (retrograd, torch_ref):
        x = lib.arange(24.0).reshape(2, 3, 4).requires_grad_()
        y = x.permute(2, 0, 1) * 1  # dense, but neither C- nor F-ordered
        y[0].mul_(2)
        (y * y).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


def test_cpp_node_names_print_as_pytorch(torch_ref):
    """PyTorch's C++ nodes: ``name()`` is qualified, the class (and so the repr) is not."""
    def program(T):
        a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 1
        b[:2].mul_(2)
        c = b.clone()
        c.copy_(a)
        return [(repr(t), t.grad_fn.name(), type(t.grad_fn).__name__,
                 repr(t.grad_fn).split(" object")[0]) for t in (b, c)]

    assert program(retrograd) == program(torch_ref)
