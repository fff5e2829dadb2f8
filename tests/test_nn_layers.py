"""Layers against PyTorch with identical weights: outputs, input gradients and parameter gradients
equal to float32 tolerance, and the state a layer keeps (running statistics) evolving the same."""

import numpy as np
import pytest
from nn_parity import check_module, close, copy_weights, pair, randn

import retrograd
import retrograd.nn as nn
from retrograd.autograd import gradcheck


def _make(torch, name, *args, **kwargs):
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(torch_ref, shape, bias):
    ours, theirs = _make(torch_ref, "Linear", 4, 3, bias=bias)
    assert repr(ours) == repr(theirs)
    check_module(torch_ref, ours, theirs, randn(0, *shape))


def test_bilinear(torch_ref):
    ours, theirs = _make(torch_ref, "Bilinear", 3, 4, 2)
    assert repr(ours) == repr(theirs)
    check_module(torch_ref, ours, theirs, randn(0, 5, 3), randn(1, 5, 4))


@pytest.mark.parametrize(
    "name,shape",
    [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (2, 3, 4, 5))],
)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train_then_eval(torch_ref, name, shape, affine):
    ours, theirs = _make(torch_ref, name, 3, momentum=0.3, affine=affine)
    assert repr(ours) == repr(theirs)
    for step in range(2):
        check_module(torch_ref, ours, theirs, randn(step, *shape) * 2 + 1)
        for buf in ("running_mean", "running_var"):
            close(getattr(ours, buf), getattr(theirs, buf))
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == step + 1
    ours.eval()
    theirs.eval()
    check_module(torch_ref, ours, theirs, randn(5, *shape))


def test_batch_norm_cumulative_average_and_untracked(torch_ref):
    ours, theirs = _make(torch_ref, "BatchNorm1d", 3, momentum=None)
    for step in range(3):
        check_module(torch_ref, ours, theirs, randn(step, 4, 3))
    close(ours.running_mean, theirs.running_mean)
    close(ours.running_var, theirs.running_var)
    ours, theirs = _make(torch_ref, "BatchNorm1d", 3, track_running_stats=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.eval()
    theirs.eval()
    check_module(torch_ref, ours, theirs, randn(0, 4, 3))


def test_batch_norm_errors(torch_ref):
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(retrograd.ones(1, 3, 2, 2))
    with pytest.raises(ValueError) as a:
        nn.BatchNorm1d(3)(retrograd.ones(1, 3))
    with pytest.raises(ValueError) as b:
        torch_ref.nn.BatchNorm1d(3)(torch_ref.ones(1, 3))
    assert str(a.value) == str(b.value)


@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(torch_ref, shape, normalized, affine):
    ours, theirs = _make(torch_ref, "LayerNorm", normalized, elementwise_affine=affine)
    assert repr(ours) == repr(theirs)
    # non-trivial affine parameters, so their gradients mean something
    if affine:
        nn.init.normal_(ours.weight)
        nn.init.normal_(ours.bias)
    check_module(torch_ref, ours, theirs, randn(0, *shape))


@pytest.mark.parametrize("shape", [(2, 6), (2, 6, 5), (3, 6, 2, 2)])
def test_group_norm(torch_ref, shape):
    ours, theirs = _make(torch_ref, "GroupNorm", 3, 6)
    nn.init.normal_(ours.weight)
    nn.init.normal_(ours.bias)
    assert repr(ours) == repr(theirs)
    check_module(torch_ref, ours, theirs, randn(0, *shape))


def test_norm_gradcheck():
    x = retrograd.tensor(randn(0, 4, 3).astype(np.float64), requires_grad=True)
    ln = nn.LayerNorm(3).double()
    bn = nn.BatchNorm1d(3).double()
    gn = nn.GroupNorm(1, 3).double()
    for layer in (ln, bn, gn):
        assert gradcheck(layer, (x,))
    assert gradcheck(lambda w, b: nn.functional.layer_norm(x, (3,), w, b), (ln.weight, ln.bias))


def test_embedding(torch_ref):
    ours, theirs = _make(torch_ref, "Embedding", 7, 3, padding_idx=-2)
    assert repr(ours) == repr(theirs)
    assert (ours.weight.detach().numpy()[5] == 0).all()
    idx = np.array([[0, 5, 5], [6, 1, 0]])
    check_module(torch_ref, ours, theirs, idx)
    pre = nn.Embedding.from_pretrained(retrograd.ones(3, 2))
    assert not pre.weight.requires_grad


def test_embedding_errors(torch_ref):
    with pytest.raises(IndexError) as a:
        nn.Embedding(3, 2)(retrograd.tensor([3]))
    with pytest.raises(IndexError) as b:
        torch_ref.nn.Embedding(3, 2)(torch_ref.tensor([3]))
    assert str(a.value) == str(b.value)


def test_dropout_module():
    d = nn.Dropout(0.5)
    assert repr(d) == "Dropout(p=0.5, inplace=False)"
    x = retrograd.ones(100)
    assert (d(x).numpy() == 0).any()
    d.eval()
    assert d(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(2)


@pytest.mark.parametrize(
    "name,args",
    [
        ("ReLU", ()),
        ("ReLU", (True,)),
        ("LeakyReLU", (0.2,)),
        ("GELU", ()),
        ("GELU", ("tanh",)),
        ("SiLU", ()),
        ("Tanh", ()),
        ("Sigmoid", ()),
        ("Softmax", (1,)),
        ("LogSoftmax", (-1,)),
        ("ELU", (0.7,)),
        ("Softplus", (2.0, 3.0)),
        ("Softmin", (0,)),
        ("SELU", ()),
        ("LogSigmoid", ()),
        ("Hardtanh", ()),
        ("ReLU6", ()),
        ("Identity", ()),
        ("Flatten", ()),
        ("Flatten", (0, 1)),
        ("Unflatten", (1, (2, 2))),
    ],
)
def test_activation_and_shape_modules(torch_ref, name, args):
    ours, theirs = _make(torch_ref, name, *args)
    assert repr(ours) == repr(theirs)
    if args == (True,):  # in place in PyTorch, refused on a leaf: the repr is what is checked
        return
    check_module(torch_ref, ours, theirs, randn(0, 3, 4, 2) * 2)


RNN_CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(batch_first=True),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(bias=False),
]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("config", RNN_CONFIGS, ids=lambda c: ",".join(c) or "default")
def test_recurrent_layers(torch_ref, kind, config):
    ours, theirs = _make(torch_ref, kind, 3, 4, **config)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_module(torch_ref, ours, theirs, randn(0, 5, 2, 3), atol=2e-5)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_initial_state_and_unbatched(torch_ref, kind):
    ours, theirs = _make(torch_ref, kind, 3, 4, num_layers=2, bidirectional=True)
    copy_weights(torch_ref, ours, theirs)
    h0 = randn(1, 4, 2, 4)
    x, tx = pair(torch_ref, randn(0, 5, 2, 3))
    if kind == "LSTM":
        c0 = randn(2, 4, 2, 4)
        (h, th), (hc, thc) = pair(torch_ref, h0), pair(torch_ref, c0)
        out, (hn, cn) = ours(x, (h, hc))
        tout, (thn, tcn) = theirs(tx, (th, thc))
        close(cn, tcn, atol=2e-5)
        (out.sum() + hn.sum() + cn.sum()).backward()
        (tout.sum() + thn.sum() + tcn.sum()).backward()
        close(hc.grad, thc.grad, atol=2e-5)
    else:
        h, th = pair(torch_ref, h0)
        out, hn = ours(x, h)
        tout, thn = theirs(tx, th)
        (out.sum() + hn.sum()).backward()
        (tout.sum() + thn.sum()).backward()
    close(out, tout, atol=2e-5)
    close(hn, thn, atol=2e-5)
    close(h.grad, th.grad, atol=2e-5)
    close(x.grad, tx.grad, atol=2e-5)
    # unbatched: (L, H_in)
    check_module(torch_ref, ours, theirs, randn(3, 5, 3), atol=2e-5)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_recurrent_cells(torch_ref, kind):
    ours, theirs = _make(torch_ref, kind, 3, 4)
    assert repr(ours) == repr(theirs)
    check_module(torch_ref, ours, theirs, randn(0, 2, 3))
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == repr(
        torch_ref.nn.RNNCell(3, 4, nonlinearity="relu")
    )


def _cell_graph(torch, kind):
    """The names of the nodes a cell's step records (but the weights' transposes: retrograd's
    linear is one node where PyTorch's records TBackward0 beside addmm), and its new state."""
    torch.manual_seed(0)
    cell = getattr(torch.nn, kind)(3, 4)
    h0 = torch.tensor(randn(1, 2, 4))
    out = cell(torch.tensor(randn(0, 2, 3)), (h0, h0) if kind == "LSTMCell" else h0)
    h = out[0] if kind == "LSTMCell" else out
    names, seen, todo = [], set(), [h.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if node.name() != "TBackward0":
            names.append(node.name())
        todo.extend(n for n, _ in node.next_functions)
    return sorted(names), h.detach().numpy()


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_recurrent_cells_record_pytorch_nodes_and_rounding(torch_ref, kind):
    """A cell's step records PyTorch's ops (its gates split by UnsafeSplitBackward0; a GRU's new
    state as n + z (h - n)), so its float32 values round as PyTorch's do."""
    ours, theirs = _cell_graph(retrograd, kind), _cell_graph(torch_ref, kind)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=0, atol=1e-7)


def test_rnn_relu_and_gradcheck(torch_ref):
    ours, theirs = _make(torch_ref, "RNN", 2, 3, nonlinearity="relu")
    check_module(torch_ref, ours, theirs, randn(0, 4, 1, 2))
    lstm = nn.LSTM(2, 2).double()
    x = retrograd.tensor(randn(1, 3, 1, 2).astype(np.float64), requires_grad=True)
    assert gradcheck(lambda x: lstm(x)[0], (x,))


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention(torch_ref, batch_first):
    ours, theirs = _make(torch_ref, "MultiheadAttention", 4, 2, batch_first=batch_first)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    nn.init.normal_(ours.in_proj_bias)
    q, k = randn(0, 3, 2, 4), randn(1, 5, 2, 4)
    if batch_first:
        q, k = q.transpose(1, 0, 2).copy(), k.transpose(1, 0, 2).copy()
    check_module(torch_ref, ours, theirs, q, k, k.copy())


def test_multihead_attention_masks(torch_ref):
    ours, theirs = _make(torch_ref, "MultiheadAttention", 4, 2)
    copy_weights(torch_ref, ours, theirs)
    q, k = randn(0, 3, 2, 4), randn(1, 5, 2, 4)
    attn_mask = np.triu(np.ones((3, 5), bool), 1)
    pad = np.array([[False] * 4 + [True], [False] * 5])
    float_mask = randn(3, 3, 5)
    for kwargs in [
        dict(attn_mask=attn_mask),
        dict(key_padding_mask=pad),
        dict(attn_mask=attn_mask, key_padding_mask=pad),
        dict(attn_mask=float_mask),
        dict(need_weights=False),
        dict(average_attn_weights=False),
    ]:
        a = [retrograd.tensor(v) for v in (q, k, k)]
        b = [torch_ref.tensor(v) for v in (q, k, k)]
        ka = {n: retrograd.tensor(v) if isinstance(v, np.ndarray) else v for n, v in kwargs.items()}
        kb = {n: torch_ref.tensor(v) if isinstance(v, np.ndarray) else v for n, v in kwargs.items()}
        out, w = ours(*a, **ka)
        tout, tw = theirs(*b, **kb)
        close(out, tout)
        assert (w is None) == (tw is None)
        if w is not None:
            close(w, tw)


def test_multihead_attention_unbatched(torch_ref):
    ours, theirs = _make(torch_ref, "MultiheadAttention", 4, 1)
    check_module(torch_ref, ours, theirs, randn(0, 3, 4), randn(1, 2, 4), randn(2, 2, 4))


def test_default_initialisation_distributions():
    """Fresh layers draw from PyTorch's distributions (bounds and spread)."""
    retrograd.manual_seed(0)
    lin = nn.Linear(400, 300)
    w = lin.weight.detach().numpy()
    bound = 1 / np.sqrt(400)  # kaiming_uniform with a=sqrt(5): sqrt(6 / ((1 + 5) * fan_in))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound
    b = lin.bias.detach().numpy()
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound
    emb = nn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(emb.std() - 1) < 0.02 and abs(emb.mean()) < 0.02
    gru = nn.GRU(10, 25)
    for p in gru.parameters():
        assert np.abs(p.detach().numpy()).max() <= 1 / 5
    mha = nn.MultiheadAttention(8, 2)
    assert (mha.in_proj_bias.detach().numpy() == 0).all()
    ln = nn.LayerNorm(3)
    assert (ln.weight.detach().numpy() == 1).all() and (ln.bias.detach().numpy() == 0).all()


def test_multihead_attention_kdim_vdim(torch_ref):
    ours, theirs = _make(torch_ref, "MultiheadAttention", 4, 2, kdim=3, vdim=5, bias=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_module(torch_ref, ours, theirs, randn(0, 3, 2, 4), randn(1, 6, 2, 3), randn(2, 6, 2, 5))


def test_gru_and_attention_gradcheck():
    gru = nn.GRU(2, 2, bidirectional=True).double()
    x = retrograd.tensor(randn(0, 3, 1, 2).astype(np.float64), requires_grad=True)
    assert gradcheck(lambda x: gru(x)[0], (x,))
    mha = nn.MultiheadAttention(4, 2).double()
    q = retrograd.tensor(randn(1, 2, 1, 4).astype(np.float64), requires_grad=True)
    k = retrograd.tensor(randn(2, 3, 1, 4).astype(np.float64), requires_grad=True)
    assert gradcheck(lambda q, k: mha(q, k, k)[0], (q, k))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_scale_grad_by_freq(torch_ref, dtype, padding_idx):
    """Each row's gradient divided by how often its index occurs in the whole input."""
    w = randn(0, 6, 3).astype(dtype)
    idx = np.array([[0, 1, 1, 5], [5, 1, 2, 0]])
    g = randn(1, 2, 4, 3).astype(dtype)
    got = []
    for lib in (retrograd, torch_ref):
        layer = lib.nn.Embedding(6, 3, padding_idx, scale_grad_by_freq=True)
        layer.weight.data = lib.tensor(w)
        out = layer(lib.tensor(idx))
        out.backward(lib.tensor(g))
        f = lib.nn.functional.embedding(lib.tensor(idx), lib.tensor(w, requires_grad=True))
        got.append((out.detach().numpy(), layer.weight.grad.numpy(), repr(layer), f.grad_fn.name()))
    np.testing.assert_allclose(got[0][0], got[1][0])
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-6)
    assert got[0][1].dtype == got[1][1].dtype
    assert got[0][2:] == got[1][2:]


@pytest.mark.parametrize(
    "name, padding, shape",
    [
        ("ReflectionPad1d", 2, (1, 2, 5)),
        ("ReflectionPad2d", (1, 0, 2, 1), (1, 1, 4, 4)),
        ("ReflectionPad3d", 1, (1, 1, 3, 3, 3)),
        ("ReplicationPad1d", (0, 3), (2, 3)),
        ("ReplicationPad2d", 2, (1, 2, 3, 3)),
        ("ReplicationPad3d", (1, 0, 0, 1, 2, 0), (1, 1, 2, 3, 3)),
        ("CircularPad1d", (1, 2), (1, 2, 4)),
        ("CircularPad2d", 1, (1, 1, 3, 3)),
        ("CircularPad3d", 1, (1, 1, 2, 3, 3)),
    ],
)
def test_mode_padding_modules_as_pytorch(torch_ref, name, padding, shape):
    x = np.random.default_rng(3).standard_normal(shape)
    outs = []
    for lib in (retrograd, torch_ref):
        layer = getattr(lib.nn, name)(padding)
        t = lib.tensor(x, requires_grad=True)
        y = layer(t)
        (y * lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
        outs.append((repr(layer), y.detach().numpy(), t.grad.numpy()))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[0][1], outs[1][1])
    np.testing.assert_allclose(outs[0][2], outs[1][2])
