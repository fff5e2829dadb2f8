"""Engine errors keep PyTorch's text and add where: the forward call, the in-place op, the backward."""

import gc
import weakref

import pytest

import retrograd
from retrograd.autograd.anomaly import node_site, site_line


def _lines(*needles):
    """The line numbers of this file holding each needle (so tests survive edits above them)."""
    with open(__file__) as f:
        text = f.read().splitlines()
    return [next(i + 1 for i, line in enumerate(text) if n in line and "_lines(" not in line)
            for n in needles]


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
    extra = ours[len(theirs):]
    fwd, bwd = _lines("# FORWARD-LINE", "# FIRST-BACKWARD")
    assert "ExpBackward0" in extra
    assert f"test_error_locations.py:{fwd} (`y = (w * w).exp()" in extra
    assert f"test_error_locations.py:{bwd} (`y.backward()" in extra
    assert "retain_graph=True" in extra and "detach()" in extra


def test_reading_a_freed_saved_tensor_points_home():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time") as e:
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


@pytest.mark.parametrize("make", [
    lambda p: retrograd.optim.SGD([p], lr=0.1, momentum=0.9),
    lambda p: retrograd.optim.Adam([p]),
    lambda p: retrograd.optim.AdamW([p]),
    lambda p: retrograd.optim.Adagrad([p]),
    lambda p: retrograd.optim.RMSprop([p]),
])
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
