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
    "index_put_": lambda T, t: t.index_put_(
        (T.tensor([0, 2]),), T.tensor([5.0, 6.0], dtype=t.dtype)
    ),
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
    return (
        r is y,
        y.grad_fn.name(),
        y._version,
        y.detach().tolist(),
        x.grad.tolist(),
        [n.name() if n is not None else None for n, _ in y.grad_fn.next_functions],
    )


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
    extra = ours[len(theirs) :]
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
        with pytest.raises(
            RuntimeError,
            match="^a leaf Variable that requires grad is being used in an in-place operation.$",
        ):
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
        with pytest.raises(
            RuntimeError,
            match="^a view of a leaf Variable that requires grad is "
            "being used in an in-place operation.$",
        ):
            x.view(-1).add_(1)


def test_write_through_view_of_non_leaf_rebases_the_base(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = x * 1
        v = base.view(-1)
        v.add_(1)
        names = (base.grad_fn.name(), v.grad_fn.name())
        (base**2).sum().backward()
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
        with pytest.raises(
            RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
        ):
            T.tensor([1, 2]).add_(0.5)
        with pytest.raises(
            RuntimeError,
            match=r"^output with shape \[2\] doesn't match the "
            r"broadcast shape \[2, 2\]$",
        ):
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
    assert theirs.startswith(
        "one of the variables needed for gradient computation has been "
        "modified by an inplace operation: [torch.FloatTensor [2]] is at "
        "version 1; expected version 0 instead."
    )
    assert ours.startswith(theirs)


@pytest.mark.parametrize(
    "program",
    [
        # a view written after a sibling view's write
        "b = x + 0; r0 = b[0]; r1 = b[:, 1]; r0.mul_(2); r1.mul_(3); loss = (b * b).sum()",
        # a view written after its base's write
        "b = x + 0; v = b[1]; b.mul_(2); v.add_(1); loss = (b * b).sum()",
        # a view of a view written after the base's write
        "y = x.reshape(-1) * 1; a = y[1:]; v = a[:2]; y.mul_(2); v.add_(1); loss = (y * y).sum()",
    ],
)
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
        return [
            (
                repr(t),
                t.grad_fn.name(),
                type(t.grad_fn).__name__,
                repr(t.grad_fn).split(" object")[0],
            )
            for t in (b, c)
        ]

    ours = program(retrograd)
    assert ours == program(torch_ref)
    assert ours[0][1] == "torch::autograd::CopySlices"


def test_sub_with_alpha_is_recorded(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 5.0], requires_grad=True)
        y = x * 1
        y.sub_(w, alpha=2).add_(w, alpha=0.5)
        y.sum().backward()
        return y.grad_fn.name(), y.detach().tolist(), x.grad.tolist(), w.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_diagonal_is_a_view_that_can_be_written(torch_ref):
    def program(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        b = x * 1
        d = b.diagonal()
        d.mul_(2)
        names = (b.grad_fn.name(), d.grad_fn.name(), b._version, d._base is b)
        (b * b).sum().backward()
        plain = T.zeros(2, 2)
        plain.diagonal().fill_(1)
        return names, b.detach().tolist(), x.grad.tolist(), plain.tolist()

    assert program(retrograd) == program(torch_ref)


def _outcome(T, program):
    """What ``program(T)`` returns, or the type and text of the error it raises."""
    try:
        return program(T)
    except (RuntimeError, IndexError, TypeError) as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize(
    "key, value",
    [
        (lambda T: T.tensor([0]), lambda T: T.tensor([1.0], dtype=T.float64)),
        (lambda T: [0, 1], lambda T: T.tensor([1.0, 2.0], dtype=T.float64)),
        (lambda T: T.tensor([0]), lambda T: T.tensor([1])),
        (lambda T: (T.tensor([0]),), lambda T: T.tensor([True])),
        (lambda T: T.tensor([True, False, True]), lambda T: T.tensor([1.0, 2.0], dtype=T.float64)),
        (lambda T: T.tensor([True, False, True]), lambda T: T.tensor([[5.0]], dtype=T.float64)),
        (lambda T: T.tensor([True, False, True]), lambda T: T.tensor(7, dtype=T.int32)),
    ],
)
def test_setitem_by_index_needs_the_same_dtype_except_one_value_into_a_mask(torch_ref, key, value):
    def program(T):
        b = T.zeros(3)
        b[key(T)] = value(T)
        return b.dtype == T.float32, b.tolist()

    assert _outcome(retrograd, program) == _outcome(torch_ref, program)


@pytest.mark.parametrize(
    "key, shape",
    [
        (0, (1, 1, 3)),
        (slice(None), (1, 2, 3)),
        ((0, 1), (1, 1)),
        (lambda T: T.tensor([0]), (1, 1, 3)),
        (0, (2, 1, 3)),
        (0, (3, 1)),
        (0, (2,)),
        ((0, 1), (2,)),
        (slice(None), (3, 2, 3)),
        (lambda T: T.tensor([0, 1]), (3,)),
        (lambda T: T.tensor([True, False]), (2, 3)),
        (lambda T: T.tensor([0]), (2, 1, 3)),
        (5, (3,)),
        (lambda T: T.tensor([5]), (3,)),
    ],
)
def test_setitem_value_shapes_and_errors(torch_ref, key, shape):
    def program(T):
        b = T.zeros(2, 3)
        b[key(T) if callable(key) else key] = T.ones(shape)
        return b.tolist()

    assert _outcome(retrograd, program) == _outcome(torch_ref, program)


@pytest.mark.parametrize(
    "write",
    [
        lambda T, x: x.__setitem__(slice(1, 3), T.tensor([7, 8])),  # int64 into float
        lambda T, x: x.__setitem__((0, slice(None)), T.tensor([[[2.5]]])),  # leading ones
        lambda T, x: x.__setitem__(1, -1),
        lambda T, x: x.__setitem__(slice(None), 4.25),
        lambda T, x: x.__setitem__(0, T.tensor([True, False, True])),
        lambda T, x: x.__setitem__(0, T.tensor([1.0, 2.0])),  # does not broadcast
        lambda T, x: x.__setitem__(0, T.tensor([1j, 2, 3])),  # complex into real
        lambda T, x: x.__setitem__(slice(1, None), x[:-1]),  # overlapping source
        lambda T, x: x.__setitem__(0, x[1]),  # other rows of the same memory
        lambda T, x: x.expand(2, 2, 3).__setitem__(0, 1.0),  # elements sharing memory
        lambda T, x: x.t().__setitem__((slice(None), 1), T.tensor([9.5, 8.5])),
        lambda T, x: x.__setitem__(slice(0, 1), T.zeros(2, 1, 3)),
        lambda T, x: x.__setitem__(0, float("nan")),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "int32", "bool"])
@pytest.mark.parametrize("leaf", [False, True])
def test_setitem_without_a_graph(torch_ref, write, dtype, leaf):
    """Writes that record nothing (plain tensors, or a leaf under no_grad): the values, casts,
    version counts, views and errors of PyTorch's copy_ and fill_."""

    def program(T):
        x = T.tensor([[1.5, -2.0, 3.0], [0.5, 0.0, -1.0]]).to(getattr(T, dtype))
        if leaf and dtype == "float32":
            x.requires_grad_()
        row = x[1]
        v0 = x._version
        with T.no_grad():
            write(T, x)
        return str(x.tolist()), row.tolist(), x._version - v0, x.requires_grad  # (str: NaN)

    assert _outcome(retrograd, program) == _outcome(torch_ref, program)


@pytest.mark.parametrize("dtype", ["bool", "int64", "float32"])
@pytest.mark.parametrize("key", [0, (0, 1), slice(None), Ellipsis])
@pytest.mark.parametrize("shape", [(), (1,), (3,)])
def test_setitem_fills_with_one_value_and_copies_a_region_of_its_shape(
    torch_ref, dtype, key, shape
):
    """As PyTorch's indexing: a value of the region's shape is copied (copy_ leaves an integer or
    bool region out of the graph), a 0-dim value into a larger region fills it (fill_, recorded
    into any dtype), and any other value is expanded and copied."""

    def program(T):
        x = T.tensor([0.75, -0.5, 2.0], requires_grad=True)
        b = T.zeros(2, 3, dtype=getattr(T, dtype))
        b[key] = x[0] if shape == () else x[:1] if shape == (1,) else x
        return b.tolist(), b.requires_grad, type(b.grad_fn).__name__

    assert _outcome(retrograd, program) == _outcome(torch_ref, program)


def test_copy_and_add_errors_for_shapes_that_do_not_broadcast(torch_ref):
    for program in (
        lambda T: T.zeros(2).copy_(T.ones(3)),
        lambda T: T.zeros(2, 3).copy_(T.ones(2)),
        lambda T: T.ones(2, 3).add_(T.ones(2)),
        lambda T: T.ones(2, 3).mul_(T.ones(2)),
    ):
        assert _outcome(retrograd, program) == _outcome(torch_ref, program)


@pytest.mark.parametrize(
    "key",
    [
        (0, [0, 2]),
        (slice(1, None), [0, 1]),
        (None, [0, 1]),
        (slice(None), [0, 1]),
        (Ellipsis, [1]),
        ([0, 1], slice(None), [0, 1]),
        (0, "mask"),
        (slice(None), "mask"),
    ],
)
def test_setitem_with_index_tensors_after_ints_and_slices(torch_ref, key):
    """The ints, slices and None make a view (CopySlices), the rest is index_put_ on it."""

    def program(T):
        x = T.arange(24.0).reshape(2, 3, 4).requires_grad_()
        w = T.tensor(5.0, requires_grad=True)
        b = x * 1
        b[tuple(T.tensor([True, False, True]) if k == "mask" else k for k in key)] = w * 2
        (b * T.arange(24.0).reshape(2, 3, 4)).sum().backward()
        return b.grad_fn.name(), b.tolist(), x.grad.tolist(), w.grad.item()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "program",
    [
        "b = x * 1; a, c = b.unbind(0); a.unsqueeze(0).mul_(2)",
        "b = x * 1; a, c = b.unbind(0); a[0] = 5.0",
        "b = x * 1; a, c = b.split(1); a[:, 1:].zero_()",
        "b = x * 1; a, c = b.unbind(0); b.mul_(2); (a * a).sum().backward()",
        "b = x * 1; a, c = b.chunk(2); a[0].add_(1); (c * c).sum().backward()",
        "a, c = (x * 1).unbind(0); a.mul_(2)",
        "a, c = (x * 1).split(1); c.add_(1)",
        "a, c = (x * 1).chunk(2); a.zero_()",
        "a, c = (x * 1).split([1, 1]); c.mul_(2)",
        "b = x * 1\nwith T.no_grad():\n    v = b[1:]\nv.mul_(2)",
        "b = x * 1\nwith T.no_grad():\n    v = b.t()\nv.copy_(T.ones(2, 2))",
        "b = x * 1\nwith T.no_grad():\n    v = b[0]\nv[0] = 3.0",
        "T.zeros(3).fill_(T.tensor([1.0, 2.0]))",
    ],
)
def test_in_place_errors_on_views_pytorch_forbids(program, torch_ref):
    def run(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            exec(program, {"T": T, "x": x})
        return str(err.value)

    assert run(retrograd) == run(torch_ref)


def test_views_made_and_written_under_no_grad_are_fine(torch_ref):
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = x * 1
        a, c = b.unbind(0)
        with T.no_grad():
            v = b[1:]
            v.mul_(2)
        (b * b).sum().backward()
        return b.tolist(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("key", ["0", "0:1", "None", "...", "T.tensor([0])"])
def test_setitem_into_a_view_made_under_no_grad(key, torch_ref):
    def run(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = x * 1
        with T.no_grad():
            v = b[0]
        with pytest.raises(RuntimeError) as err:
            exec(f"v[{key}] = 3.0", {"T": T, "v": v})
        return str(err.value)

    assert run(retrograd) == run(torch_ref)


# name -> arguments; "A" and "B" stand for float64 tensors that require grad, "I" for an index
TWINS = {
    "abs_": (),
    "acos_": (),
    "asin_": (),
    "atan_": (),
    "cos_": (),
    "cosh_": (),
    "sin_": (),
    "sinh_": (),
    "tan_": (),
    "sqrt_": (),
    "rsqrt_": (),
    "log_": (),
    "log10_": (),
    "log1p_": (),
    "log2_": (),
    "expm1_": (),
    "erf_": (),
    "neg_": (),
    "negative_": (),
    "reciprocal_": (),
    "square_": (),
    "sign_": (),
    "ceil_": (),
    "floor_": (),
    "round_": (),
    "trunc_": (),
    "frac_": (),
    "clamp_min_": (0.5,),
    "clamp_max_": (0.5,),
    "nan_to_num_": (),
    "addcmul_": ("A", "B"),
    "addcdiv_": ("A", "B"),
    "lerp_": ("A", 0.3),
    "multiply_": ("A",),
    "divide_": ("A",),
    "true_divide_": ("A",),
    "subtract_": ("A",),
    "cumsum_": (0,),
    "cumprod_": (1,),
    "tril_": (),
    "triu_": (),
    "scatter_": (0, "I", "B"),
    "scatter_add_": (0, "I", "B"),
}
TWIN_KWARGS = {"addcmul_": {"value": 2.0}, "divide_": {"rounding_mode": "floor"}}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_in_place_twins_of_out_of_place_ops(name, torch_ref):
    def program(T):
        x = T.tensor([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]], dtype=T.float64, requires_grad=True)
        env = {
            "A": T.tensor(
                [[0.5, 0.25, 0.8], [0.1, 0.6, 0.35]], dtype=T.float64, requires_grad=True
            ),
            "B": T.tensor(
                [[0.3, 0.9, 0.45], [0.7, 0.15, 0.5]], dtype=T.float64, requires_grad=True
            ),
            "I": T.tensor([[1, 0, 1], [0, 1, 0]]),
        }
        args = [env.get(a, a) if isinstance(a, str) else a for a in TWINS[name]]
        y = x * 1
        same = getattr(y, name)(*args, **TWIN_KWARGS.get(name, {})) is y
        (y * T.arange(6.0, dtype=T.float64).reshape(2, 3)).sum().backward()
        grads = [
            t.grad.flatten().tolist() if t.grad is not None else None
            for t in (x, env["A"], env["B"])
        ]
        return same, y.grad_fn.name(), y._version, y.flatten().tolist(), grads

    ours, theirs = program(retrograd), program(torch_ref)
    assert ours[:3] == theirs[:3]
    assert ours[3] == pytest.approx(theirs[3])
    for a, b in zip(ours[4], theirs[4]):
        assert a == b or a == pytest.approx(b)


@pytest.mark.parametrize(
    "call",
    [
        "t_()",
        "transpose_(0, 2)",
        "swapaxes_(-1, 0)",
        "swapdims_(0, 2)",
        "squeeze_()",
        "squeeze_(1)",
        "squeeze_((1,))",
        "unsqueeze_(-1)",
    ],
)
def test_in_place_shape_changes(call, torch_ref):
    def program(T):
        x = T.tensor([[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]], requires_grad=True)
        y = x * 1 if call != "t_()" else (x * 1)[0]
        same = eval(f"y.{call}") is y
        (y * T.arange(float(y.numel())).reshape(y.shape)).sum().backward()
        plain = T.zeros(2, 1, 3)
        eval(f"plain{'[0]' if call == 't_()' else ''}.{call}")
        return same, y.grad_fn.name(), list(y.shape), y._version, y.tolist(), x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_in_place_on_a_leaf_that_is_a_view(torch_ref):
    """A leaf made from a view (``arange(6).view(2, 3).requires_grad_()``) is still a leaf."""
    for T in (retrograd, torch_ref):
        for write in (lambda w: w.mul_(2), lambda w: w.__setitem__(0, 1.0), lambda w: w.t_()):
            w = T.arange(6.0).reshape(2, 3).requires_grad_()
            with pytest.raises(
                RuntimeError,
                match="^a view of a leaf Variable that requires grad "
                "is being used in an in-place operation.$",
            ):
                write(w)
            assert w.is_leaf and w.grad_fn is None


RANDOM_FILLS = [
    "uniform_()",
    "uniform_(-1, 1)",
    "normal_()",
    "normal_(2, 3)",
    "bernoulli_()",
    "bernoulli_(0.3)",
    "bernoulli_(T.full((3, 3), 0.5))",
    "exponential_()",
    "random_(0, 5)",
    "random_(5)",
    "random_()",
    "fill_diagonal_(2.0)",
]


def test_random_fills_are_recorded_like_pytorch(torch_ref):
    def program(T):
        x = T.ones(3, 3, requires_grad=True)
        names = []
        for call in RANDOM_FILLS:
            y = x * 1
            assert eval(f"y.{call}") is y
            names.append((y.grad_fn.name(), y._version))
            y.sum().backward()
        w = T.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="^a leaf Variable"):
            w.uniform_()
        with T.no_grad():
            w.normal_()
        return names, x.grad.tolist(), w.is_leaf, w._version

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "call",
    ["uniform_()", "normal_()", "bernoulli_()", "exponential_()", "random_(0, 5)", "random_()"],
)
def test_random_fills_of_integer_tensors(call, torch_ref):
    def program(T):
        z = T.ones(3, dtype=T.int64)
        try:
            eval(f"z.{call}")
        except (RuntimeError, NotImplementedError) as e:
            return type(e).__name__, str(e)
        return str(z.dtype), z._version

    assert program(retrograd) == program(torch_ref)


def test_random_fills_draw_from_their_distributions():
    retrograd.manual_seed(0)
    t = retrograd.empty(20000)
    assert 2.9 < t.uniform_(**{"from": 2, "to": 4}).mean().item() < 3.1 and t.min().item() >= 2
    assert abs(t.normal_(1.0, 2.0).std().item() - 2.0) < 0.1
    assert abs(t.bernoulli_(0.25).mean().item() - 0.25) < 0.02
    assert abs(t.exponential_(4.0).mean().item() - 0.25) < 0.02
    assert set(t.random_(3).unique().tolist()) == {0.0, 1.0, 2.0}
    assert retrograd.zeros(3).bernoulli_(retrograd.tensor([0.0, 1.0, 1.0])).tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    "shape, wrap", [((5, 2), True), ((5, 2), False), ((2, 4), True), ((2, 2, 2), False)]
)
def test_fill_diagonal(shape, wrap, torch_ref):
    def program(T):
        a = T.zeros(*shape)
        a.fill_diagonal_(1.5, wrap=wrap)
        return a.tolist(), a._version

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "call",
    [
        "F.relu(y, inplace=True)",
        "F.leaky_relu(y, 0.1, inplace=True)",
        "F.elu(y, inplace=True)",
        "F.selu(y, inplace=True)",
        "F.celu(y, inplace=True)",
        "F.threshold(y, 0.1, 20.0, inplace=True)",
        "F.hardtanh(y, inplace=True)",
        "F.relu_(y)",
        "F.leaky_relu_(y, 0.2)",
        "F.elu_(y)",
        "F.selu_(y)",
        "F.celu_(y)",
        "F.hardtanh_(y)",
        "F.threshold_(y, 0.1, 20.0)",
        "T.nn.Threshold(0.1, 20, True)(y)",
        "T.nn.LeakyReLU(0.2, inplace=True)(y)",
        "T.relu_(y)",
        "T.sigmoid_(y)",
        "T.tanh_(y)",
        "T.exp_(y)",
        "T.sqrt_(y.abs_())",
        "T.clamp_(y, 0, 1)",
        "T.zero_(y)",
        "T.fill_(y, 2.0)",
    ],
)
def test_functional_and_module_level_in_place_forms(call, torch_ref):
    def program(T):
        x = T.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 1
        same = eval(call, {"T": T, "F": T.nn.functional, "y": y}) is y
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return same, y.grad_fn.name(), y._version, y.tolist(), x.grad.tolist()

    ours, theirs = program(retrograd), program(torch_ref)
    assert ours[:3] == theirs[:3]
    assert ours[3] == pytest.approx(theirs[3]) and ours[4] == pytest.approx(theirs[4])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "float16", "float64"])
def test_modified_saved_tensor_is_named_by_its_type(dtype, torch_ref):
    def program(T):
        m = T.tensor([1, 0]).to(getattr(T, dtype))
        z = T.tensor([1.0, 2.0], requires_grad=True) * m
        m.fill_(0)
        z.sum().backward()

    ours, theirs = _outcome(retrograd, program), _outcome(torch_ref, program)
    assert theirs[0] == "RuntimeError" and ours[0] == theirs[0] and ours[1].startswith(theirs[1])


def test_augmented_assignments_write_in_place(torch_ref):
    """``y op= v`` changes the tensor itself (and everything that shares it), as in PyTorch."""

    def program(T):
        x = T.tensor([5.0, 7.0], requires_grad=True)
        y = x * 1
        alias = y
        y **= 2
        pow_result = (alias is y, y.grad_fn.name(), y._version)
        f = T.tensor([5.0, 7.0])
        g = f
        g //= 2
        g %= 2
        i = T.tensor([5, 7])
        j = i
        j &= 3
        j |= 8
        j ^= 1
        m = T.tensor([True, False, True])
        m_alias = m
        m &= T.tensor([True, True, False])
        m |= T.tensor([False, True, False])
        return (
            pow_result,
            y.tolist(),
            f.tolist(),
            f._version,
            i.tolist(),
            i._version,
            m_alias.tolist(),
            m._version,
        )

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
@pytest.mark.parametrize(
    "call",
    [
        "clamp_(0.5, 3.5)",
        "clamp_(min=0.5)",
        "clip_(0.5, 1.5)",
        "clamp_min_(0.5)",
        "clamp_max_(0.5)",
        "clamp_(max=T.tensor(0.5))",
    ],
)
def test_clamp_of_integers_by_floats_is_refused(dtype, call, torch_ref):
    def message(T):
        t = T.tensor([1, 5], dtype=getattr(T, dtype))
        with pytest.raises(RuntimeError) as err:
            eval(f"t.{call}", {"t": t, "T": T})
        return str(err.value)

    assert message(retrograd) == message(torch_ref)


@pytest.mark.parametrize(
    "program",
    [
        "b = x * 1; v = b[1:]; z = v * v\nwith T.no_grad():\n    v.mul_(2)\nz.sum().backward()",
        "b = x * 1; v = b[1:]; z = v * v\nwith T.no_grad():\n    b.mul_(2)\nz.sum().backward()",
        "v = x[1:]; z = v * v\nwith T.no_grad():\n    x.mul_(2)\nz.sum().backward()",
        "b = x * 1; v = b[1:]; w = v[0]; z = w * w; b.mul_(2); z.sum().backward()",
        "b = x * 1; v = b[1:]; z = v * v; v.mul_(2); z.sum().backward()",
        "b = x * 1; v = b[1:]; b.mul_(2); k = v * 1; z = v * v; b.add_(1); z.sum().backward()",
        "b = x * 1; z = b[1] * b[2]; b[0] = 5.0; z.sum().backward()",
        "c = T.ones(3); v = c[1:]; z = x[1:] * v; c.mul_(2); z.sum().backward()",
    ],
)
def test_modified_view_is_named_as_pytorch_names_it(program, torch_ref):
    """A saved view whose memory was written since: PyTorch names its fresh AsStrided node."""

    def run(T):
        return _outcome(
            T, lambda T: exec(program, {"T": T, "x": T.tensor([1.0, 2.0, 3.0], requires_grad=True)})
        )

    ours, theirs = run(retrograd), run(torch_ref)
    assert theirs[0] == "RuntimeError" and ours[0] == theirs[0] and ours[1].startswith(theirs[1])


def test_views_from_several_outputs_may_still_be_written_where_pytorch_allows(torch_ref):
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        p, q = x.unbind()
        b = p * 1  # a new tensor: writing into it is fine
        b[1:].mul_(2)
        b.view(2).add_(1)
        (b * b).sum().backward()
        plain = T.zeros(3)
        with T.no_grad():
            plain.unbind()[0].add_(1)  # a 0-dim view of a vector still writes into it
        return b.tolist(), x.grad.tolist(), plain.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("grad", [False, True])
def test_mul_takes_no_alpha(grad, torch_ref):
    def program(T):
        t = T.ones(2, requires_grad=grad) * 1
        with pytest.raises(TypeError) as e:
            t.mul_(2, alpha=3)
        return str(e.value), t.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("key", ["[:]", "[...]", "[:, 0:3]", "[0:9]", "[1:]", "[:, 0]"])
def test_setitem_through_a_whole_key_writes_the_tensor_itself(key, torch_ref):
    # PyTorch skips slices that cover a whole dimension: z[:] = v is z.copy_(v), with copy_'s node
    # and copy_'s errors (a leaf, an output of chunk, a view made under no_grad).
    def program(T):
        def attempt(f):
            try:
                return f()
            except RuntimeError as e:
                return str(e)

        def leaf():
            a = T.ones(4, 3, requires_grad=True)
            exec(f"a{key} = 1.0")

        def non_leaf():
            z = T.ones(4, 3, requires_grad=True) * 1
            exec(f"z{key} = T.full((3,), 2.0, requires_grad=True)")
            return z.grad_fn.name(), z._version

        def chunk_output():
            p = (T.ones(8, 3, requires_grad=True) * 1).chunk(2)[1]
            exec(f"p{key} = 1.0")

        def no_grad_view():
            b = T.ones(8, 3, requires_grad=True) * 1
            with T.no_grad():
                v = b[0:4]
            exec(f"v{key} = 1.0")

        return [attempt(f) for f in (leaf, non_leaf, chunk_output, no_grad_view)]

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "dtype, call",
    [
        ("float32", "random_(5, 2)"),
        ("float32", "random_(0)"),
        ("int8", "random_(-3)"),
        ("bool", "random_(3)"),
        ("uint8", "random_(300)"),
        ("uint8", "random_(-1, 3)"),
    ],
)
def test_random_bounds_out_of_order_or_range(dtype, call, torch_ref):
    def program(T):
        z = T.zeros(2, dtype=getattr(T, dtype))
        with pytest.raises(RuntimeError) as e:
            eval(f"z.{call}")
        return str(e.value), z._version

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "call",
    [
        "F.elu(y, inplace=True)",
        "F.celu_(y, 0.5)",
        "F.selu_(y)",
        "F.leaky_relu(y, 0.1, inplace=True)",
        "F.leaky_relu_(y, -0.1)",
    ],
)
def test_in_place_activations_save_their_result(call, torch_ref):
    # As in PyTorch: the node keeps the written tensor, so the old values need no copy, and
    # leaky_relu_ with a negative slope cannot be differentiated from its result.
    def program(T):
        x = T.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 1
        eval(call, {"F": T.nn.functional, "y": y})
        node = y.grad_fn
        saved = (hasattr(node, "_saved_self"), node._saved_result.tolist())
        try:
            (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        except RuntimeError as e:
            return saved, str(e)
        return saved, [round(v, 5) for v in x.grad.tolist()]

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "call",
    [
        "y.uniform_()",
        "y.normal_()",
        "y.bernoulli_(T.full((2,), 0.5))",
        "y.zero_()",
        "y.fill_(2.0)",
        "y.fill_(T.tensor(1.0))",
        "y.copy_(T.ones(2))",
        "y.random_(0, 3)",
    ],
)
def test_overwritten_values_get_zero_gradient_even_from_inf(call, torch_ref):
    # PyTorch's formula is zeros_like(grad): an inf arriving there does not become 0 * inf = nan.
    def program(T):
        x = T.ones(2, requires_grad=True)
        y = x * 1
        eval(call)
        y.backward(T.tensor([float("inf"), 1.0]))
        return x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("write", ["setitem_iadd", "view_add_", "setitem"])
def test_a_second_backward_through_a_write_into_a_view_fails_before_accumulating(torch_ref, write):
    """A write through a view gives the base a CopySlices node; a backward that frees the graph
    frees it too, though it saved no tensor, so a second backward raises there, before any
    gradient below it reaches a leaf (the leaves keep the first backward's gradients)."""

    def program(T):
        x = T.ones(2, 2, requires_grad=True)
        y = T.tensor([1.0, 2.0], requires_grad=True)
        t = x * 1
        if write == "setitem_iadd":
            t[0] += y
        elif write == "view_add_":
            t[0].add_(y)
        else:
            t[0] = y
        t.sum().backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
            t.sum().backward()
        return x.grad.tolist(), y.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_a_view_of_a_leaf_detached_in_place_then_written_keeps_a_node_leading_nowhere(torch_ref):
    """A view of a leaf, the leaf detached in place and then written: the view's node is made
    anew (AsStridedBackward0) with no edge, as in PyTorch; the view is no leaf and gets no .grad."""

    def program(T):
        x = T.tensor([-0.8, -1.5], requires_grad=True)
        v = x.expand(2, 2)
        x.detach_()
        x[..., 0] = 2.0
        fn = v.grad_fn
        v.sum().backward()
        return type(fn).__name__, fn.next_functions, v.requires_grad, v.is_leaf, x.grad

    assert program(retrograd) == program(torch_ref)


def _result_saved_through_view(T, keep_view, op):
    a = T.tensor([[0.3], [-0.8]], dtype=T.float64, requires_grad=True)
    b = a * 2
    v = b.transpose(0, 1)[None]
    getattr(v, op)()  # its node saves its result, now the view's memory
    if not keep_view:
        del v
    (g,) = T.autograd.grad((b * b).sum(), [a], create_graph=True)
    (h,) = T.autograd.grad(g.sum(), [b], allow_unused=True)
    return h


@pytest.mark.parametrize("keep_view", [True, False])
@pytest.mark.parametrize("op", ["tanh_", "sigmoid_", "exp_"])
def test_result_saved_by_a_write_through_a_view_leads_to_the_new_base(keep_view, op):
    # The saved result comes back as the view's value, whose node reads it out of the base's
    # CopySlices: a derivative of the backward with respect to the base's new value goes
    # through it.  Once the view is gone, the op's own node stands in, as in PyTorch.
    torch = pytest.importorskip("torch")
    want = _result_saved_through_view(torch, keep_view, op)
    got = _result_saved_through_view(retrograd, keep_view, op)
    assert (got is None) == (want is None)
    assert got.flatten().tolist() == pytest.approx(want.flatten().tolist(), rel=1e-12)
