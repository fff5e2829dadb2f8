"""Engine errors keep PyTorch's text and add where: the forward call, the in-place op, the backward."""

import gc
import weakref

import pytest
from conftest import doubling

import retrograd
from retrograd.autograd.anomaly import node_site, site_line


def _lines(*needles):
    """The line numbers of this file holding each needle (so tests survive edits above them)."""
    with open(__file__) as f:
        text = f.read().splitlines()
    return [
        next(i + 1 for i, line in enumerate(text) if n in line and "_lines(" not in line)
        for n in needles
    ]


def _second_backward_message(T):
    w = T.tensor([1.0], requires_grad=True)
    y = (w * w).exp()  # FORWARD-LINE
    y.backward()  # FIRST-BACKWARD
    with pytest.raises(RuntimeError) as info:
        y.backward()
    return str(info.value)


def test_second_backward_names_node_forward_call_and_the_freeing_backward(torch_ref):
    theirs = _second_backward_message(torch_ref)
    ours = _second_backward_message(retrograd)
    assert ours.startswith(theirs)
    extra = ours[len(theirs) :]
    fwd, bwd = _lines("# FORWARD-LINE", "# FIRST-BACKWARD")
    assert "ExpBackward0" in extra
    assert f"test_error_locations.py:{fwd} (`y = (w * w).exp()" in extra
    assert f"test_error_locations.py:{bwd} (`y.backward()" in extra
    assert "retain_graph=True" in extra and "detach()" in extra
    assert extra.endswith(" ExpBackward0's output has shape [1] and dtype torch.float32.")


def test_reading_a_freed_saved_tensor_points_home():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(
        RuntimeError, match="^Trying to backward through the graph a second time"
    ) as e:
        _ = y.grad_fn._saved_result
    assert "y.sum().backward()" in str(e.value)


def _helper(a):
    return a.pow(2) * 3  # HELPER-LINE


def test_site_is_the_first_frame_outside_retrograd():
    x = retrograd.tensor([1.0], requires_grad=True)
    y = _helper(x)
    (line,) = _lines("# HELPER-LINE")
    for node in (y.grad_fn, y.grad_fn.next_functions[0][0]):
        # pow is a composite method inside retrograd: its node still points at the user's line
        site = node_site(node)
        assert site[0].co_filename == __file__
        assert site_line(site) == line


def test_version_mismatch_names_the_in_place_op():
    a = retrograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    c = b.sigmoid()  # SAVES-RESULT
    c.mul_(2)  # WRITES-SAVED
    with pytest.raises(RuntimeError, match="^one of the variables needed for gradient") as info:
        c.sum().backward()
    fwd, write = _lines("# SAVES-RESULT", "# WRITES-SAVED")
    text = str(info.value)
    assert "SigmoidBackward0" in text and "shape [3]" in text and "torch.float32" in text
    assert f":{fwd} (`c = b.sigmoid()" in text and f":{write} (`c.mul_(2)" in text


def test_recording_the_site_keeps_no_frame_alive():
    class Big:
        pass

    def forward(x):
        big = Big()
        ref = weakref.ref(big)
        return x * 2, ref

    x = retrograd.tensor([1.0], requires_grad=True)
    gc.disable()
    try:
        y, ref = forward(x)
        assert ref() is None  # the frame's locals died with the frame
    finally:
        gc.enable()
    assert node_site(y.grad_fn) is not None


def _changed_by(error_text):
    return error_text.split("was changed by the in-place op at ")[1]


@pytest.mark.parametrize(
    "make",
    [
        lambda p: retrograd.optim.SGD([p], lr=0.1, momentum=0.9),
        lambda p: retrograd.optim.Adam([p]),
        lambda p: retrograd.optim.AdamW([p]),
        lambda p: retrograd.optim.Adagrad([p]),
        lambda p: retrograd.optim.RMSprop([p]),
    ],
)
def test_optimizer_step_is_named_as_the_write_not_an_older_one(make):
    w = retrograd.tensor([1.0, 2.0], requires_grad=True)
    with retrograd.no_grad():
        w.mul_(2)  # an older write: must not be named
    opt = make(w)
    x = retrograd.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    w.grad = retrograd.ones(2)
    opt.step()  # OPTIMIZER-STEP
    with pytest.raises(RuntimeError, match="^one of the variables needed") as info:
        y.backward()
    (line,) = _lines("# OPTIMIZER-STEP")
    assert _changed_by(str(info.value)).startswith(f"{__file__}:{line} (`opt.step()")


def test_writes_outside_the_graph_record_their_own_site():
    m = retrograd.nn.Linear(2, 2)
    x = retrograd.ones(1, 2, requires_grad=True)
    y = m(x).sum()
    retrograd.nn.init.ones_(m.weight)  # INIT-WRITE
    with pytest.raises(RuntimeError) as info:
        y.backward()
    (line,) = _lines("# INIT-WRITE")
    assert _changed_by(str(info.value)).startswith(f"{__file__}:{line} ")
    y = m(x).sum()
    m.load_state_dict({"weight": retrograd.zeros(2, 2), "bias": retrograd.zeros(2)})  # LOADED
    with pytest.raises(RuntimeError) as info:
        y.backward()
    (line,) = _lines("# LOADED")
    assert _changed_by(str(info.value)).startswith(f"{__file__}:{line} ")


class _Doubler(retrograd.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mark_dirty(a)
        return a.mul_(2)

    @staticmethod
    def backward(ctx, g):
        return 2 * g


def test_mark_dirty_names_the_apply_call():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = a.sin()
    with retrograd.no_grad():
        a.add_(1)  # an older write
    _Doubler.apply(a)  # DIRTY-APPLY
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    (line,) = _lines("# DIRTY-APPLY")
    assert _changed_by(str(info.value)).startswith(f"{__file__}:{line} ")


_VIEWS = {
    "t": lambda a: a.t(),
    "slice": lambda a: a[0:1],
    "select": lambda a: a[0],
    "unsqueeze": lambda a: a.unsqueeze(0),
    "view": lambda a: a.view(6),
    "expand": lambda a: a[0:1].expand(3, 3),
    "diagonal": lambda a: a.diagonal(),
    "permute": lambda a: a.permute(1, 0),
    "unbind": lambda a: a.unbind(0)[1],
    "split": lambda a: a.split(1)[0],
}


def _saved_view_message(T, view, base_kind):
    if base_kind == "leaf":
        base = T.ones(2, 3, requires_grad=True)
    elif base_kind == "non-leaf":
        base = T.ones(2, 3, requires_grad=True) * 1
    else:
        base = T.ones(2, 3)
    v = view(base)
    y = (v * T.ones(1, requires_grad=True)).sum()
    with T.no_grad():
        base.mul_(2)  # WRITES-BASE
    with pytest.raises(RuntimeError) as info:
        y.backward()
    return str(info.value)


@pytest.mark.parametrize("base_kind", ["leaf", "non-leaf", "constant"])
@pytest.mark.parametrize("name", list(_VIEWS))
def test_saved_view_of_a_changed_base_is_described_as_pytorch_does(torch_ref, name, base_kind):
    theirs = _saved_view_message(torch_ref, _VIEWS[name], base_kind)
    ours = _saved_view_message(retrograd, _VIEWS[name], base_kind)
    assert ours.startswith(theirs)
    assert "MulBackward0" in ours[len(theirs) :] and "# WRITES-BASE" in ours[len(theirs) :]


def test_diagonal_is_a_view(torch_ref):
    for T in (torch_ref, retrograd):
        x = T.ones(2, 3, requires_grad=True)
        w = x * 1
        w.diagonal().mul_(3)
        w.sum().backward()
        assert x.grad.tolist() == [[3.0, 1.0, 1.0], [1.0, 3.0, 1.0]]
        c = T.ones(2, 3)
        d = c.diagonal()
        c.mul_(2)
        assert d.tolist() == [2.0, 2.0] and d._version == 1


def _linear_weight_changed(T, input_shape, frozen, bias):
    w = T.ones(2, 3, requires_grad=not frozen)
    b = T.ones(2, requires_grad=True) if bias else None
    x = T.ones(*input_shape, requires_grad=True)
    y = T.nn.functional.linear(x, w, b).sum()
    with T.no_grad():
        w.mul_(2)  # CHANGES-WEIGHT
    with pytest.raises(RuntimeError) as info:
        y.backward()
    return str(info.value)


@pytest.mark.parametrize("input_shape", [(3,), (4, 3), (5, 4, 3)])
@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_linear_weight_changed_is_described_as_pytorch_saves_it(
    torch_ref, input_shape, frozen, bias
):
    """PyTorch's linear saves weight.t() (shape [3, 2]): the fused node describes it the same."""
    theirs = _linear_weight_changed(torch_ref, input_shape, frozen, bias)
    ours = _linear_weight_changed(retrograd, input_shape, frozen, bias)
    assert ours.startswith(theirs)
    assert "# CHANGES-WEIGHT" in ours[len(theirs) :]


def _custom_backward_error(T, returned):
    class Bad(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return returned(T, g)

    x = T.ones(3, requires_grad=True)
    y = Bad.apply(x)  # BAD-APPLY
    with pytest.raises(Exception) as info:
        y.sum().backward()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("returned", [lambda T, g: (g, g), lambda T, g: T.ones(5), lambda T, g: 3])
def test_custom_function_backward_errors_name_the_apply_call(torch_ref, returned):
    (theirs_type, theirs), (ours_type, ours) = (
        _custom_backward_error(torch_ref, returned),
        _custom_backward_error(retrograd, returned),
    )
    assert ours_type is RuntimeError and theirs_type is RuntimeError
    assert ours.startswith(theirs)
    (line,) = _lines("# BAD-APPLY")
    assert f"BadBackward, made by the forward call at {__file__}:{line}" in ours[len(theirs) :]


def _node_hook_error(T, kind, returned):
    x = T.ones(3, requires_grad=True)
    y = x.exp()
    if kind == "post":
        y.grad_fn.register_hook(lambda gi, go: returned(T))
    else:
        y.grad_fn.register_prehook(lambda go: returned(T))
    with pytest.raises(Exception) as info:
        y.sum().backward()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("kind", ["pre", "post"])
@pytest.mark.parametrize(
    "returned",
    [
        lambda T: (T.ones(4),),
        lambda T: (T.ones(3), T.ones(3)),
        lambda T: (T.ones(3).double(),),
        lambda T: [T.ones(3)],
        lambda T: T.ones(3),
    ],
)
def test_node_hook_results_are_checked_as_in_pytorch(torch_ref, kind, returned):
    ours, theirs = (
        _node_hook_error(retrograd, kind, returned),
        _node_hook_error(torch_ref, kind, returned),
    )
    assert ours[0] == theirs[0] and ours[1].startswith(theirs[1])
    if theirs[0] == "RuntimeError":  # then ours: the node, made by the user's line
        assert ours[1][len(theirs[1]) :].startswith(
            f" (The hook is on a gradient of ExpBackward0, made by the forward call at {__file__}:"
        )


def test_writes_into_grad_name_zero_grad_and_the_accumulating_backward():
    """A graph that saved a .grad: zeroing it in place, or a backward adding into it, is the
    write the error names (not an older in-place op on it)."""
    for how in ("zero_grad", "module zero_grad", "backward"):
        w = retrograd.ones(3, requires_grad=True)
        (w * 2).sum().backward()
        w.grad.mul_(0.5)  # an older write, e.g. clipping: must not be named
        y = (w.grad * w).sum()
        if how == "zero_grad":
            retrograd.optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)  # GRAD-WRITE
        elif how == "module zero_grad":
            m = retrograd.nn.Module()
            m.w = retrograd.nn.Parameter(w.detach())
            m.w.grad = w.grad
            m.zero_grad(set_to_none=False)  # GRAD-WRITE
        else:
            (w * 2).sum().backward()  # GRAD-WRITE
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert "# GRAD-WRITE" in _changed_by(str(info.value)), how


def test_tensor_hook_error_names_the_node_and_a_leaf_hook_error_is_pytorchs(torch_ref):
    def run(T, leaf):
        x = T.ones(3, requires_grad=True)
        t = x if leaf else x.exp()  # HOOKED-NODE
        t.register_hook(lambda g: T.ones(4))
        with pytest.raises(RuntimeError) as info:
            t.sum().backward()
        return str(info.value)

    assert run(retrograd, True) == run(torch_ref, True)
    theirs, ours = run(torch_ref, False), run(retrograd, False)
    (line,) = _lines("# HOOKED-NODE")
    assert ours == theirs + (
        f" (The hook is on a gradient of ExpBackward0, made by the forward "
        f"call at {__file__}:{line} (`t = x if leaf else x.exp()  # "
        "HOOKED-NODE`).)"
    )


def test_second_backward_through_a_reduction_names_its_output_shape_and_dtype():
    x = retrograd.ones(2, 3, dtype=retrograd.float64, requires_grad=True)
    y = x.exp().prod(0)  # (sum would keep only sizes, which a backward does not free)
    y.sum().backward()
    with pytest.raises(RuntimeError) as info:
        y.backward(retrograd.ones(3, dtype=retrograd.float64))
    assert "The saved values of ProdBackward1," in str(info.value)  # the first node to run
    assert str(info.value).endswith("ProdBackward1's output has shape [3] and dtype torch.float64.")


@pytest.mark.parametrize(
    "make",
    [
        lambda T, x: x.sum(0),
        lambda T, x: x.pow(T.ones(3)),
        lambda T, x: x.clamp(0, 0.5),
        lambda T, x: x.mean(0),
        lambda T, x: x * 2,
        lambda T, x: doubling(T).apply(x),
    ],
)
def test_producer_is_named_as_pytorch_names_it(torch_ref, make):
    """XBackward0 -> X, XBackward1 -> X1 (Sum1, Pow1, Clamp1), a custom XBackward -> X."""

    def message(T):
        x = T.ones(2, 3, requires_grad=True)
        a = make(T, x)
        y = (a * a).sum()
        with T.no_grad():
            a.add_(1)
        with pytest.raises(RuntimeError) as info:
            y.backward()
        return str(info.value)

    theirs = message(torch_ref)
    assert message(retrograd).startswith(theirs)
