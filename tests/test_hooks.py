"""Tensor hooks, retain_grad order, post-accumulate hooks and node hooks, checked against PyTorch."""

import pytest

import retrograd


def _both(torch_ref, program):
    """Run ``program(module)`` with retrograd and with PyTorch; return both results as lists."""
    ours = program(retrograd)
    theirs = program(torch_ref)
    return _lists(ours), _lists(theirs)


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if hasattr(value, "tolist"):
        return value.detach().tolist() if hasattr(value, "detach") else value.tolist()
    return value


@pytest.mark.parametrize("hook_first", [True, False])
def test_retain_grad_sees_the_hooked_gradient_in_either_order(torch_ref, hook_first):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if hook_first:
            y.register_hook(lambda g: g * 10)
            y.retain_grad()
        else:
            y.retain_grad()
            y.register_hook(lambda g: g * 10)
        y.sum().backward()
        return y.grad, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == [[10.0, 10.0], [20.0, 20.0]]


def test_leaf_hook_replaces_gradient_then_post_accumulate_hook_runs(torch_ref):
    def program(T):
        seen = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 3)
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        (x * 2).sum().backward()
        return x.grad, seen

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == [[6.0, 6.0], [[6.0, 6.0]]]


def test_hooks_run_in_registration_order_and_handle_removes(torch_ref):
    def program(T):
        order = []
        x = T.tensor([1.0], requires_grad=True)
        y = x * 1
        y.register_hook(lambda g: order.append("a"))
        h = y.register_hook(lambda g: order.append("b") or g * 5)
        y.register_hook(lambda g: order.append("c"))
        y.sum().backward(retain_graph=True)
        first = x.grad.clone()
        h.remove()
        x.grad = None
        y.sum().backward()
        return order, first, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
    assert ours[0] == ["a", "b", "c", "a", "c"]


def test_hook_errors_match(torch_ref):
    for T in (retrograd, torch_ref):
        with pytest.raises(
            RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
        ):
            T.tensor([1.0]).register_hook(lambda g: g)
        x = T.tensor([1.0], requires_grad=True)
        with pytest.raises(
            RuntimeError,
            match="post accumulate grad hooks cannot be registered on non-leaf tensors",
        ):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_node_prehook_and_hook(torch_ref):
    def program(T):
        log = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 2).exp()
        z.grad_fn.register_prehook(lambda go: log.append(("pre", _lists(go))) or (go[0] * 2,))
        z.grad_fn.register_hook(lambda gi, go: log.append(("post", _lists(gi), _lists(go))))
        z.sum().backward()
        return log, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours[0][0] == theirs[0][0]
    assert ours[0][1][0] == "post"
    assert ours[1] == pytest.approx(theirs[1])
    assert ours[0][1][1][0] == pytest.approx(theirs[0][1][1][0])


def test_removed_node_hook_does_not_run():
    x = retrograd.tensor([1.0], requires_grad=True)
    z = x.exp()
    h = z.grad_fn.register_prehook(lambda go: (go[0] * 100,))
    h.remove()
    z.sum().backward()
    assert x.grad.item() == pytest.approx(2.718281828, rel=1e-6)


def test_hooks_apply_to_autograd_grad_results(torch_ref):
    def program(T):
        seen = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 10)
        x.register_post_accumulate_grad_hook(lambda t: seen.append("post"))
        (gx,) = T.autograd.grad((x * 3).sum(), x)
        z = x * 2
        z.register_hook(lambda g: g * 7)
        (gz,) = T.autograd.grad((z * 1).sum(), z)
        return gx, gz, seen, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == [[30.0, 30.0], [7.0, 7.0], [], None]


def test_retained_non_leaf_named_in_inputs_is_stored_once(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = x * 2
        w.retain_grad()
        w.register_hook(lambda g: g * 5)
        (w * 1).sum().backward(inputs=[w])
        return w.grad, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == [[5.0, 5.0], None]


@pytest.mark.parametrize("hook_before_write", [True, False])
def test_hook_and_in_place_write(torch_ref, hook_before_write):
    def program(T):
        seen = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        if hook_before_write:
            y.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        y.mul_(3)
        if not hook_before_write:
            y.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        (y * 2).sum().backward()
        return seen, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs


@pytest.mark.parametrize(
    "make_hook, message",
    [
        (lambda lib: lambda g: lib.ones(3), "hook '<lambda>' has changed the size of value"),
        (
            lambda lib: lambda g: g.double(),
            "hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)",
        ),
    ],
)
@pytest.mark.parametrize("on_leaf", [True, False])
def test_a_hook_may_not_change_size_or_type(make_hook, message, on_leaf, torch_ref):
    for lib in (retrograd, torch_ref):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(make_hook(lib))
        with pytest.raises(RuntimeError) as err:
            (y * 3).sum().backward()
        # PyTorch's text; then, for a hook on a node's output, ours naming that node
        assert (
            str(err.value) == message
            if on_leaf or lib is torch_ref
            else (
                str(err.value).startswith(message + " (The hook is on a gradient of MulBackward0")
            )
        )


def test_a_leaf_gets_its_gradient_in_its_own_dtype(torch_ref):
    """A float64 gradient from a custom Function reaches a float32 leaf as float32."""
    for lib in (retrograd, torch_ref):

        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g.double() * 2

        x = lib.ones(2, requires_grad=True)
        Double.apply(x).sum().backward()
        assert str(x.grad.dtype) == "torch.float32" and x.grad.tolist() == [2.0, 2.0]


def test_accumulate_grad_node_name_and_hooks(torch_ref):
    def program(T):
        log = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        x.register_hook(lambda g: g * 3)
        acc.register_prehook(lambda go: log.append(("pre", _lists(go))) or (go[0] * 10,))
        acc.register_hook(lambda gi, go: log.append(("post", _lists(gi), _lists(go))))
        x.register_post_accumulate_grad_hook(lambda t: log.append(("acc", _lists(t.grad))))
        y.sum().backward()
        return acc.name(), repr(acc).split(" ")[0], log, x.grad

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
    assert ours[:2] == ["torch::autograd::AccumulateGrad", "<AccumulateGrad"]


def _hook_error(T, where, result):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    z = x * T.tensor([3.0, 4.0], requires_grad=True)
    if where == "pre":
        z.grad_fn.register_prehook(lambda go: result(go))
    elif where == "post":
        z.grad_fn.register_hook(lambda gi, go: result(gi))
    elif where == "tensor":
        z.register_hook(lambda g: result((g,))[0])
    else:
        x.register_post_accumulate_grad_hook(lambda t: result((t.grad,)))
    with pytest.raises((RuntimeError, TypeError)) as err:
        z.sum().backward()
    return type(err.value).__name__, str(err.value)


@pytest.mark.parametrize(
    "where, result",
    [
        ("pre", lambda g: list(g)),
        ("pre", lambda g: g[0]),
        ("pre", lambda g: g + g),
        ("pre", lambda g: (3,)),
        ("pre", lambda g: (g[0].sum(),)),
        ("post", lambda g: list(g)),
        ("post", lambda g: g[:1]),
        ("post", lambda g: (g[0].double(), None)),
        ("post", lambda g: (3, None)),
        ("tensor", lambda g: (3,)),
        ("post_accumulate", lambda g: g),
        ("post_accumulate", lambda g: g[0]),
    ],
)
def test_what_a_hook_returns_is_checked(torch_ref, where, result):
    ours, theirs = _hook_error(retrograd, where, result), _hook_error(torch_ref, where, result)
    assert ours[0] == theirs[0]
    # PyTorch's text; after a RuntimeError about a node's gradient, ours naming that node
    assert ours[1] == theirs[1] or (
        theirs[0] == "RuntimeError"
        and ours[1].startswith(
            theirs[1] + " (The hook is on a gradient of MulBackward0, made by the forward call at "
        )
    )


def _post_accumulate_returns(T, result):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(result)
    try:
        (x * 2).sum().backward()
    except (RuntimeError, TypeError) as e:
        return type(e).__name__, str(e)
    return x.grad.tolist()


@pytest.mark.parametrize(
    "result",
    [
        lambda t: t,  # the tensor itself: allowed
        lambda t: t.detach(),
        lambda t: t.grad.double(),
        lambda t: t.grad[:1],
    ],
)
def test_post_accumulate_hook_result_is_checked_as_pytorch_does(torch_ref, result):
    """A post-accumulate hook's result goes through the tensor-hook size and type checks first;
    only the tensor itself may come back."""
    ours = _post_accumulate_returns(retrograd, result)
    assert ours == _post_accumulate_returns(torch_ref, result)


@pytest.mark.parametrize(
    "case",
    [
        "leaf_root_unused",
        "leaf_root_allow_unused",
        "leaf_root_backward_inputs",
        "nonleaf_off_the_path",
        "nonleaf_root_unused",
        "nonleaf_among_several_roots",
        "leaf_among_several_roots",
    ],
)
def test_tensor_hooks_run_on_the_nodes_pytorch_runs(torch_ref, case):
    """With ``inputs`` (autograd.grad, backward(inputs=...)) only the nodes that lead to an input
    run, and only their tensor hooks are called, but for a lone root, where the pass starts: its
    hooks run even when it leads nowhere (a leaf's too).  Never a hook called with None for a
    node that does not run."""

    def program(T):
        log = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = T.tensor([3.0, -1.0], requires_grad=True)
        z = x * 2
        hooked = x if case.startswith("leaf") else z
        hooked.register_hook(lambda g: log.append(None if g is None else g.tolist()))
        ones = T.ones(2)
        try:
            if case == "leaf_root_unused":
                T.autograd.grad(x, [y], ones)
            elif case == "leaf_root_allow_unused":
                T.autograd.grad(x, [y], ones, allow_unused=True)
            elif case == "leaf_root_backward_inputs":
                T.autograd.backward([x], [ones], inputs=[y])
            elif case == "nonleaf_off_the_path":
                T.autograd.grad((z * y).sum(), [y])
            elif case == "nonleaf_root_unused":
                T.autograd.grad(z, [y], ones, allow_unused=True)
            else:
                T.autograd.grad([hooked, y.sum()], [y], [ones, None])
        except RuntimeError as e:
            log.append(str(e))
        return log

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs


def test_node_hooks_get_one_gradient_per_output_of_the_forward(torch_ref):
    """A node of several outputs (unbind, split, a custom Function) hands its pre- and post-hooks
    one gradient per output, None for those that got none, as PyTorch does."""

    def program(T):
        log = []
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        a, _ = x.unbind(0)
        a.grad_fn.register_prehook(lambda go: log.append([g is None for g in go]))
        a.grad_fn.register_hook(lambda gi, go: log.append((len(gi), [g is None for g in go])))
        a.sum().backward()
        _, d, _ = x.split(1, 1) + (None,)
        d.grad_fn.register_hook(lambda gi, go: log.append((len(gi), [g is None for g in go])))
        d.sum().backward()
        return log

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
