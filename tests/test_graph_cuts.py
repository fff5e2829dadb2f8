"""Where the graph was cut: the records ops leave, the sentence the "does not require grad" error
adds after PyTorch's text, and ``autograd.explain``.

Each program runs on PyTorch too: our error must begin with PyTorch's text word for word."""

import inspect
import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import cuts, explain


def _at(text, fn):
    """``this_file:line (`text`)``: where a cut made by ``text`` in function ``fn`` is reported."""
    lines, first = inspect.getsourcelines(fn)
    (n,) = [first + i for i, line in enumerate(lines) if line.strip() == text]
    return f"{__file__}:{n} (`{text}`)"


def _error(program, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.tensor(t)'s copy-construct warning
        with pytest.raises(RuntimeError) as info:
            program(lib)
    return str(info.value)


def _check(program, torch_ref, sentence):
    theirs = _error(program, torch_ref)
    ours = _error(program, retrograd)
    assert theirs == "element 0 of tensors does not require grad and does not have a grad_fn"
    assert ours == theirs + ". " + sentence


# --- one program per kind of cut: the error names the line ---------------------------------------


def _detach(lib):
    w = lib.ones(3, requires_grad=True)
    h = (w * 2).detach()
    loss = (h * 3).sum()
    loss.backward()


def test_detach(torch_ref):
    where = _at("h = (w * 2).detach()", _detach)
    _check(_detach, torch_ref, f"`loss` depends on `w` only through a tensor detached at {where}.")


def _data(lib):
    w = lib.ones(3, requires_grad=True)
    h = (w * 2).data
    loss = (h * 3).sum()
    loss.backward()


def test_data(torch_ref):
    where = _at("h = (w * 2).data", _data)
    _check(_data, torch_ref, f"`loss` depends on `w` only through `.data` taken at {where}.")


def _numpy_round_trip(lib):
    w = lib.ones(3, requires_grad=True)
    a = (w * 2).detach().numpy()
    h = lib.tensor(a)
    loss = (h * 3).sum()
    loss.backward()


def _from_numpy(lib):
    w = lib.ones(3, requires_grad=True)
    a = (w * 2).detach().numpy()
    loss = (lib.from_numpy(a[1:]) * 3).sum()
    loss.backward()


def test_numpy_round_trip(torch_ref):
    for program in (_numpy_round_trip, _from_numpy):  # a view of the array is recognised too
        where = _at("a = (w * 2).detach().numpy()", program)
        sentence = f"`loss` depends on `w` only through a tensor detached at {where}."
        _check(program, torch_ref, sentence)


def _numpy_computed(lib):
    w = lib.ones(3, requires_grad=True)
    a = (w * 2).detach().numpy() + 1  # a new array: not recognised
    loss = (lib.tensor(a) * 3).sum()
    loss.backward()


def test_numpy_array_computed_from_the_value_is_not_recognised(torch_ref):
    assert _error(_numpy_computed, retrograd) == _error(_numpy_computed, torch_ref)


def _item(lib):
    w = lib.ones(3, requires_grad=True)
    v = (w * 2).sum().item()
    loss = lib.tensor(v) * 3
    loss.backward()


def test_item(torch_ref):
    where = _at("v = (w * 2).sum().item()", _item)
    _check(
        _item,
        torch_ref,
        f"`loss` depends on `w` only through a value taken out by item() at {where}.",
    )


def _tensor_rewrap(lib):
    w = lib.ones(3, requires_grad=True)
    h = lib.tensor(w * 2)
    loss = (h * 3).sum()
    loss.backward()


def test_tensor_rewrap(torch_ref):
    where = _at("h = lib.tensor(w * 2)", _tensor_rewrap)
    _check(
        _tensor_rewrap,
        torch_ref,
        f"`loss` depends on `w` only through a copy made by torch.tensor() at {where}.",
    )


def _tensor_of_tensors(lib):
    w = lib.ones(3, requires_grad=True)
    h = lib.tensor([w[0] * 2, w[1]])
    loss = (h * 3).sum()
    loss.backward()


def test_tensor_of_a_list_of_tensors(torch_ref):
    where = _at("h = lib.tensor([w[0] * 2, w[1]])", _tensor_of_tensors)
    _check(
        _tensor_of_tensors,
        torch_ref,
        f"`loss` depends on `w` only through a copy made by torch.tensor() at {where}.",
    )


def _comparison(lib):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    m = (w > 0).float()
    loss = (m * 3).sum()
    loss.backward()


def test_comparison(torch_ref):
    where = _at("m = (w > 0).float()", _comparison)
    _check(
        _comparison,
        torch_ref,
        f"`loss` depends on `w` only through `gt`, which has no gradient, at {where}.",
    )


def _argmax(lib):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    i = w.argmax()
    loss = i * 2.0
    loss.backward()


def test_argmax(torch_ref):
    where = _at("i = w.argmax()", _argmax)
    _check(
        _argmax,
        torch_ref,
        f"`loss` depends on `w` only through `argmax`, which has no gradient, at {where}.",
    )


def _no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    with lib.no_grad():
        h = w * 2
    loss = (h * 3).sum()
    loss.backward()


def test_no_grad_block(torch_ref):
    where = _at("h = w * 2", _no_grad)
    _check(
        _no_grad,
        torch_ref,
        f"`loss` depends on `w` only through `mul` run under no_grad at {where}.",
    )


def _inference_mode(lib):
    w = lib.ones(3, requires_grad=True)
    with lib.inference_mode():
        h = w.exp()
    loss = h.sum() * 3
    loss.backward()


def test_inference_mode(torch_ref):
    where = _at("h = w.exp()", _inference_mode)
    _check(
        _inference_mode,
        torch_ref,
        f"`loss` depends on `w` only through `exp` run in inference_mode at {where}.",
    )


def _inplace_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    buf = lib.zeros(3)
    with lib.no_grad():
        buf.add_(w)
    loss = (buf * 3).sum()
    loss.backward()


def _setitem_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    buf = lib.zeros(3)
    with lib.no_grad():
        buf[1:] = w[:2]
    loss = (buf * 3).sum()
    loss.backward()


def test_inplace_write_under_no_grad(torch_ref):
    where = _at("buf.add_(w)", _inplace_no_grad)
    _check(
        _inplace_no_grad,
        torch_ref,
        f"`loss` depends on `w` only through `add_` run under no_grad at {where}.",
    )
    where = _at("buf[1:] = w[:2]", _setitem_no_grad)
    _check(
        _setitem_no_grad,
        torch_ref,
        f"`loss` depends on `w` only through `copy_` run under no_grad at {where}.",
    )


def _two_cuts(lib):
    w = lib.ones(3, requires_grad=True)
    v = lib.ones(3, requires_grad=True)
    h = w.detach()
    g = v.argmax()
    loss = (h * g).sum()
    loss.backward()


def test_two_cuts_are_both_named(torch_ref):
    a, b = _at("h = w.detach()", _two_cuts), _at("g = v.argmax()", _two_cuts)
    sentence = (
        f"`loss` depends on `w` and `v` only through a tensor detached at {a} and `argmax`, which "
        f"has no gradient, at {b}."
    )
    _check(_two_cuts, torch_ref, sentence)


def _no_cut(lib):
    loss = lib.ones(3).sum()
    loss.backward()


def test_no_sentence_without_a_cut(torch_ref):
    assert _error(_no_cut, retrograd) == _error(_no_cut, torch_ref)


def test_switched_off_no_records_and_pytorch_text_alone(torch_ref):
    cuts.set_enabled(False)
    try:
        assert _error(_detach, retrograd) == _error(_detach, torch_ref)
    finally:
        cuts.set_enabled(True)
    assert cuts.is_enabled()


# --- how records travel ----------------------------------------------------------------------------


def test_records_propagate_and_stay_few():
    w = retrograd.ones(3, requires_grad=True)
    h = w.detach()
    for _ in range(3):
        h = (h * 2).sin().sum(0, keepdim=True)
    assert [c.op for c in h._cuts] == ["detach"]
    with retrograd.no_grad():
        for _ in range(10):
            h = h + w  # a no_grad block: its first record stands for its later ops
    assert [(c.op, c.mode) for c in h._cuts] == [("detach", None), ("add", "no_grad")]
    assert not h._cuts[1].complete  # (it does not name the leaves the later ops cut off)
    for i in range(10):
        h = h + (w > i).float()  # ops without a gradient: a record each, up to MAX_CUTS
    assert [c.op for c in h._cuts] == ["detach", "add", "gt", "gt"] and cuts.MAX_CUTS == 4
    v = retrograd.ones(3, requires_grad=True)
    with retrograd.no_grad():
        h = h * v
    e = explain(h.sum(), v)
    assert e.reason == "unused" and e.cuts == [h._cuts[1]]
    assert str(e).startswith(
        "`v` is not used in computing the output except perhaps through `add` run under no_grad"
    )


def test_no_records_on_the_graph_path_nor_on_gradients():
    w = retrograd.ones(3, requires_grad=True)
    x = retrograd.ones(3)
    loss = ((w * x).sin() > 0).float().sum() + (w * w).sum()
    assert loss._cuts is None and x._cuts is None
    loss.backward()
    assert w.grad._cuts is None  # the formulas' ops under the engine's no_grad record nothing
    assert w.detach()._cuts[0].op == "detach"  # and records are made again after the pass
    with pytest.raises(RuntimeError):
        loss.backward()  # (a pass that fails: the buffers were freed)
    assert w.detach()._cuts[0].op == "detach"


def test_no_records_on_the_gradients_of_a_one_node_graph():
    # (the engine runs a graph of one node on leaves by a shorter path: the same rule there)
    w = retrograd.ones(3, requires_grad=True)
    x = retrograd.ones(3, requires_grad=True)
    retrograd.dot(w, x).backward()
    assert w.grad._cuts is None and x.grad._cuts is None
    assert w.detach()._cuts[0].op == "detach"


def test_a_cut_input_keeps_its_edge_as_pytorch_prints_it():
    w = retrograd.ones(3, requires_grad=True)
    v = retrograd.ones(3, requires_grad=True)
    edges = (w.detach() * v).grad_fn.next_functions
    assert edges[0] == (None, 0) and repr(edges[0]) == "(None, 0)"
    assert edges[0].cuts[0].op == "detach"


def test_numpy_and_python_values_are_found_by_identity_only():
    w = retrograd.ones(3, requires_grad=True)
    a = w.detach().numpy()
    assert retrograd.as_tensor(a)._cuts[0].op == "detach"
    assert retrograd.tensor(a.copy())._cuts is None
    values = (w * 1).tolist()
    assert retrograd.tensor(values)._cuts[0].op == "tolist"
    assert retrograd.tensor(list(values))._cuts is None
    assert retrograd.tensor(np.ones(3))._cuts is None


def test_cut_record_as_data():
    w = retrograd.ones(3, requires_grad=True)
    h = (w * 2).detach()
    (c,) = h._cuts
    assert (c.op, c.mode, c.filename, c.lineno) == ("detach", None, __file__, _line_of(c))
    assert c.cuts_off(w)
    assert not c.cuts_off(retrograd.ones(3, requires_grad=True))


def _line_of(cut):
    return int(
        _at("h = (w * 2).detach()", test_cut_record_as_data).split(" (")[0].rsplit(":", 1)[1]
    )


# --- explain -------------------------------------------------------------------------------------


def test_explain_cut_with_another_path():
    w = retrograd.ones(3, requires_grad=True)
    v = retrograd.ones(3, requires_grad=True)
    h = (w * 2).detach()
    loss = (h * 3).sum() + (v * v).sum()
    loss.backward()  # no error: v requires grad; w.grad stays None
    assert w.grad is None
    e = explain(loss, w)
    where = _at("h = (w * 2).detach()", test_explain_cut_with_another_path)
    assert e.reason == "cut"
    assert str(e) == (
        f"`w` reaches `loss` only through a tensor detached at {where}, so `w.grad` stays None."
    )
    assert [c.op for c in e.cuts] == ["detach"]
    # (h * 3).sum() needs no gradient: the first node that takes it is where the path ends
    assert [n.name() for n in e.path] == ["AddBackward0"]


def test_explain_cut_on_the_output_itself():
    w = retrograd.ones(3, requires_grad=True)
    with retrograd.no_grad():
        h = w * 2
    loss = h.sum()
    e = explain(loss, w)
    assert e.reason == "cut" and e.path == []
    assert str(e) == (
        f"`w` reaches `loss` only through `mul` run under no_grad at {_at('h = w * 2', test_explain_cut_on_the_output_itself)}, "
        "so `w.grad` stays None."
    )


def test_explain_not_used_at_all():
    w = retrograd.ones(3, requires_grad=True)
    u = retrograd.ones(3, requires_grad=True)
    loss = (w * w).sum()
    e = explain(loss, u)
    assert e.reason == "unused" and e.cuts == []
    assert str(e) == "`u` is not used in computing `loss`, so `u.grad` stays None."


def test_explain_dead_relu_before_backward():
    x = retrograd.tensor([-1.0, -2.0, -3.0], requires_grad=True)
    y = (x.relu() * 2).sum()
    e = explain(y, x)
    assert e.reason == "zero"
    assert [n.name() for n in e.zeros] == ["ReluBackward0"]
    assert str(e) == (
        f"Every path from `y` to `x` passes through `relu` at {_at('y = (x.relu() * 2).sum()', test_explain_dead_relu_before_backward)}, "
        "whose gradient is zero here, so `x.grad` is zero."
    )
    assert [type(n).__name__ for n in e.path] == [
        "SumBackward0",
        "MulBackward0",
        "ReluBackward0",
        "AccumulateGrad",
    ]
    y.backward()  # explain left the graph as it was: it can still run once
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_explain_after_backward_names_what_it_can():
    x = retrograd.tensor([-1.0, -2.0, 3.0], requires_grad=True)
    y = (x.sign() * 3).sum()
    y.backward()
    e = explain(y, x)
    assert e.reason == "zero"
    assert str(e) == (
        "Every path from `y` to `x` passes through `sign`, whose gradient is zero here, so "
        "`x.grad` is zero."
    )
    z = (x.relu() * 2).sum()
    z.backward()  # the saved values are freed: whether relu was dead cannot be read
    e = explain(z, x)
    assert e.reason == "used"  # x.grad is nonzero, as backward() left it
    x.grad = None
    w = retrograd.tensor([-1.0], requires_grad=True)
    d = w.relu().sum()
    d.backward()
    assert explain(d, w).reason == "unknown"
    assert "backward(retain_graph=True)" in str(explain(d, w))


def test_explain_multiplication_by_zero_and_a_used_leaf():
    w = retrograd.ones(3, requires_grad=True)
    m = (w * retrograd.zeros(3)).sum()
    e = explain(m, w)
    assert e.reason == "zero" and [n.name() for n in e.zeros] == ["MulBackward0"]
    n = (w * 2).sum()
    e = explain(n, w)
    assert e.reason == "used"
    assert str(e) == "`w` gets a nonzero gradient from `n`, through 2 ops."


def test_explain_leaf_without_requires_grad_and_non_leaf():
    x = retrograd.ones(3)
    w = retrograd.ones(3, requires_grad=True)
    h = w * 2
    loss = (h * x).sum()
    assert explain(loss, x).reason == "no_grad_leaf"
    assert explain(loss, h).reason == "not_leaf"


def test_explain_is_public():
    assert "explain" in retrograd.autograd.__all__
    assert retrograd.autograd.explain is explain
