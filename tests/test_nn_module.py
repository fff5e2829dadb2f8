"""nn.Module, Parameter and the containers: registration, traversal, modes, state dicts, hooks,
dtype conversion and repr, each compared with PyTorch's behaviour."""

import numpy as np
import pytest
from nn_parity import copy_weights, randn

import retrograd
import retrograd.nn as nn


def _model(lib):
    """The same nested model in retrograd (lib=retrograd.nn) or torch (lib=torch.nn)."""
    return lib.Sequential(
        lib.Linear(4, 8),
        lib.BatchNorm1d(8),
        lib.ReLU(),
        lib.Sequential(
            lib.Linear(8, 8, bias=False), lib.GELU(approximate="tanh"), lib.Dropout(0.1)
        ),
        lib.ModuleDict({"act": lib.LeakyReLU(0.2), "norm": lib.LayerNorm(8)}),
        lib.ModuleList([lib.Linear(8, 3), lib.Linear(8, 3), lib.Linear(8, 3), lib.Tanh()]),
        lib.Embedding(10, 4, padding_idx=1),
        lib.GRU(3, 5, num_layers=2, batch_first=True),
        lib.MultiheadAttention(4, 2),
        lib.Flatten(),
        lib.Softmax(dim=-1),
    )


class _Custom:
    """A user-defined Module with a parameter, a buffer and a child, built on either library."""

    @staticmethod
    def make(lib, torchlike):
        class Net(lib.Module):
            def __init__(self):
                super().__init__()
                self.scale = lib.Parameter(torchlike.ones(3))
                self.register_buffer("count", torchlike.zeros(1))
                self.register_buffer("scratch", torchlike.zeros(2), persistent=False)
                self.body = lib.Linear(3, 2)

            def forward(self, x):
                return self.body(x * self.scale)

        return Net()


def test_repr_equals_torch(torch_ref):
    assert repr(_model(nn)) == repr(_model(torch_ref.nn))
    assert repr(_Custom.make(nn, retrograd)) == repr(_Custom.make(torch_ref.nn, torch_ref))
    assert repr(nn.Sequential()) == repr(torch_ref.nn.Sequential()) == "Sequential()"
    assert repr(nn.ModuleList()) == repr(torch_ref.nn.ModuleList())


def test_names_and_traversal_equal_torch(torch_ref):
    ours, theirs = _model(nn), _model(torch_ref.nn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (n, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.shape == tuple(tp.shape), n
    c, tc = _Custom.make(nn, retrograd), _Custom.make(torch_ref.nn, torch_ref)
    assert list(c.state_dict()) == list(tc.state_dict())  # non-persistent buffer left out
    assert [n for n, _ in c.named_buffers()] == [n for n, _ in tc.named_buffers()]


def test_shared_parameters_counted_once():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, lin)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 2
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4


def test_parameter_is_a_leaf_that_requires_grad(torch_ref):
    p = nn.Parameter(retrograd.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and isinstance(p, retrograd.Tensor)
    assert repr(p) == repr(torch_ref.nn.Parameter(torch_ref.tensor([1.0, 2.0])))
    assert not nn.Parameter(retrograd.ones(2), requires_grad=False).requires_grad


def test_assignment_errors_match_torch(torch_ref):
    ours, theirs = nn.Linear(2, 2), torch_ref.nn.Linear(2, 2)
    with pytest.raises(TypeError) as a:
        ours.weight = retrograd.ones(2, 2)
    with pytest.raises(TypeError) as b:
        theirs.weight = torch_ref.ones(2, 2)
    assert str(a.value) == str(b.value)
    with pytest.raises(AttributeError) as a:
        ours.nothing
    with pytest.raises(AttributeError) as b:
        theirs.nothing
    assert str(a.value) == str(b.value)
    with pytest.raises(KeyError) as a:
        ours.register_buffer("weight", retrograd.ones(1))
    with pytest.raises(KeyError) as b:
        theirs.register_buffer("weight", torch_ref.ones(1))
    assert str(a.value) == str(b.value)
    ours.bias = None
    assert ours.bias is None and list(ours.state_dict()) == ["weight"]


def test_train_eval_propagate():
    model = _model(nn)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model[3].train()
    assert model[3][2].training and not model[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")


def test_zero_grad():
    model = nn.Linear(3, 2)
    model(retrograd.ones(1, 3)).sum().backward()
    g = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is g and (g.numpy() == 0).all()
    model(retrograd.ones(1, 3)).sum().backward()
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_state_dict_round_trip():
    retrograd.manual_seed(0)
    a = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    a(retrograd.randn(5, 3))  # moves the running statistics
    sd = a.state_dict()
    assert sd["1.num_batches_tracked"].item() == 1
    assert not any(v.requires_grad for v in sd.values())
    assert np.shares_memory(sd["0.weight"].numpy(), a[0].weight.detach().numpy())
    retrograd.manual_seed(1)
    b = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    weight = b[0].weight
    assert repr(b.load_state_dict(sd)) == "<All keys matched successfully>"
    assert b[0].weight is weight  # copied in place: optimisers keep their parameters
    x = retrograd.randn(2, 3)
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert all(v.requires_grad is False for v in a.state_dict(keep_vars=False).values())
    assert a.state_dict(keep_vars=True)["0.weight"] is a[0].weight


def test_load_state_dict_strict_errors_match_torch(torch_ref):
    ours, theirs = _model(nn), _model(torch_ref.nn)
    copy_weights(torch_ref, ours, theirs)
    sd = ours.state_dict()
    tsd = theirs.state_dict()
    for drop in ["0.bias", "7.weight_hh_l1"]:
        del sd[drop]
        del tsd[drop]
    sd["extra.weight"] = retrograd.zeros(1)
    tsd["extra.weight"] = torch_ref.zeros(1)
    sd["0.weight"] = retrograd.zeros(8, 5)
    tsd["0.weight"] = torch_ref.zeros(8, 5)
    with pytest.raises(RuntimeError) as a:
        ours.load_state_dict(sd)
    with pytest.raises(RuntimeError) as b:
        theirs.load_state_dict(tsd)
    assert str(a.value) == str(b.value)
    sd["0.weight"] = retrograd.zeros(8, 4)
    tsd["0.weight"] = torch_ref.zeros(8, 4)
    assert repr(ours.load_state_dict(sd, strict=False)) == repr(
        theirs.load_state_dict(tsd, strict=False)
    )
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        ours.load_state_dict([1, 2])


def test_apply_and_init():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    seen = []

    def fill(m):
        seen.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    assert model.apply(fill) is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]  # children first
    assert (model[2].weight.detach().numpy() == 0.5).all()


def test_to_dtype_keeps_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    w = model[0].weight
    model(retrograd.randn(4, 2)).sum().backward()
    assert model.to(retrograd.float64) is model
    assert model[0].weight is w and w.dtype == retrograd.float64
    assert w.grad.dtype == retrograd.float64
    assert model[1].running_mean.dtype == retrograd.float64
    assert model[1].num_batches_tracked.dtype == retrograd.int64  # integers untouched
    out = model(retrograd.randn(4, 2, dtype=retrograd.float64))
    assert out.dtype == retrograd.float64
    model.float()
    assert w.dtype == retrograd.float32
    assert model.to("cpu") is model


def test_forward_hooks():
    model = nn.Linear(2, 2)
    calls = []
    pre = model.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = model.register_forward_hook(lambda m, args, out: calls.append(out) or out + 1)
    out = model(retrograd.ones(1, 2))
    expected = model.bias.detach().numpy() + 1
    np.testing.assert_allclose(out.detach().numpy()[0], expected)
    assert len(calls) == 1
    pre.remove()
    post.remove()
    out = model(retrograd.ones(1, 2))
    assert len(calls) == 1
    np.testing.assert_allclose(
        out.detach().numpy()[0],
        model.weight.detach().numpy().sum(1) + model.bias.detach().numpy(),
        rtol=1e-6,
    )


def test_hook_order_prepend_and_kwargs():
    model = nn.Identity()
    order = []
    model.register_forward_hook(lambda m, a, o: order.append("first"))
    model.register_forward_hook(lambda m, a, o: order.append("prepended"), prepend=True)
    model.register_forward_pre_hook(
        lambda m, a, k: (a, k) if order.append(sorted(k)) else None, with_kwargs=True
    )
    model(retrograd.ones(1))
    assert order == [[], "prepended", "first"]


def test_sequential_indexing():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[0] is layers[0] and seq[-1] is layers[2]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == layers[1:]
    assert list(sub.state_dict()) == ["2.weight", "2.bias"]  # names kept, as in PyTorch
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and isinstance(seq[3], nn.Sigmoid)
    with pytest.raises(IndexError, match="index 7 is out of range"):
        seq[7]
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    from collections import OrderedDict

    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert named(retrograd.ones(3, 2)).shape == (3, 2)


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    assert len(ml) == 3 and isinstance(ml[-1], nn.Tanh)
    assert len(list(ml.parameters())) == 2
    md = nn.ModuleDict({"a": nn.Linear(1, 2)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    pl = nn.ParameterList([nn.Parameter(retrograd.ones(2)), retrograd.zeros(3)])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]


def test_get_submodule_and_parameter():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2)))
    assert model.get_submodule("0.0") is model[0][0]
    assert model.get_parameter("0.0.bias") is model[0][0].bias


def test_missing_forward():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_training_loop_reduces_loss():
    """The canonical loop, with plain SGD steps written on the parameters."""
    retrograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
    x = retrograd.tensor(randn(0, 64, 3))
    y = retrograd.tensor((randn(0, 64, 3).sum(1, keepdims=True)).astype(np.float32))
    loss_fn = nn.MSELoss()
    first = None
    for _ in range(100):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        for p in model.parameters():
            nn.init._fill(p, p.detach().numpy() - 0.05 * p.grad.numpy())
        first = first if first is not None else loss.item()
    assert loss.item() < 0.1 * first


def test_parameter_containers_repr_equal_torch(torch_ref):
    ours = [
        nn.ParameterList(
            [
                nn.Parameter(retrograd.ones(2)),
                nn.Parameter(retrograd.zeros(2, 3, dtype=retrograd.float64)),
            ]
        ),
        nn.ParameterList([retrograd.ones(2)]),
        nn.ParameterDict({"a": nn.Parameter(retrograd.ones(2)), "b": retrograd.ones(1, 3)}),
        nn.ParameterDict(),
        nn.ParameterList(),
    ]
    theirs = [
        torch_ref.nn.ParameterList(
            [
                torch_ref.nn.Parameter(torch_ref.ones(2)),
                torch_ref.nn.Parameter(torch_ref.zeros(2, 3, dtype=torch_ref.float64)),
            ]
        ),
        torch_ref.nn.ParameterList([torch_ref.ones(2)]),
        torch_ref.nn.ParameterDict(
            {"a": torch_ref.nn.Parameter(torch_ref.ones(2)), "b": torch_ref.ones(1, 3)}
        ),
        torch_ref.nn.ParameterDict(),
        torch_ref.nn.ParameterList(),
    ]
    for a, b in zip(ours, theirs):
        assert repr(a) == repr(b)
    d = ours[2]
    assert list(d.keys()) == ["a", "b"] and "b" in d and d.pop("b").shape == (1, 3)
    assert len(d) == 1


def test_parameter_dict_orders_keys_as_torch(torch_ref):
    # A plain dict is added in key order (so parameters() and an optimizer's flat vector follow
    # it); an OrderedDict, a ParameterDict or a sequence of pairs keeps its own order.
    from collections import OrderedDict

    for lib in (retrograd, torch_ref):
        p = lambda v: lib.nn.Parameter(lib.tensor(v))
        pairs = [("w", p(1.0)), ("b", p(2.0)), ("phi", p(3.0))]
        made = [
            lib.nn.ParameterDict(dict(pairs)),
            lib.nn.ParameterDict(OrderedDict(pairs)),
            lib.nn.ParameterDict(pairs),
            lib.nn.ParameterDict(lib.nn.ParameterDict(OrderedDict(pairs))),
        ]
        later = lib.nn.ParameterDict({"z": p(0.0)})
        later.update(dict(pairs))
        made.append(later)
        orders = [list(d.keys()) for d in made]
        values = [x.item() for x in made[0].parameters()]
        if lib is retrograd:
            ours = orders, values
    assert ours == (orders, values)
    assert orders[0] == ["b", "phi", "w"] and orders[1] == ["w", "b", "phi"]


def test_sequential_insert_and_module_list_delete():
    seq = nn.Sequential(nn.ReLU(), nn.Tanh())
    seq.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in seq] == ["ReLU", "Sigmoid", "Tanh"]
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    del ml[0]
    assert [n for n, _ in ml.named_children()] == ["0", "1"]
    assert isinstance(ml[0], nn.Tanh)


def test_training_step_leaves_no_reference_cycles():
    """Forward and backward through every kind of layer: with the cycle collector off, nothing
    is left for it to find (each graph is freed by reference counting alone)."""
    import gc

    model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 3))
    lstm, mha = nn.LSTM(3, 5, batch_first=True), nn.MultiheadAttention(4, 2)
    x, y = retrograd.randn(6, 4), retrograd.tensor([0, 1, 2, 0, 1, 2])

    def step():
        loss = nn.functional.cross_entropy(model(x), y, label_smoothing=0.1)
        out, (h, c) = lstm(retrograd.randn(2, 4, 3))
        o, w = mha(retrograd.randn(3, 2, 4), retrograd.randn(5, 2, 4), retrograd.randn(5, 2, 4))
        (loss + out.sum() + o.sum()).backward()

    step()  # (the first step imports what it uses the first time: modules hold cycles)
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):
            step()
        assert gc.collect() == 0
    finally:
        gc.enable()
