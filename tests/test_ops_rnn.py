"""The fused recurrent kernels (ops/rnn.py) against the composed step-by-step graph and PyTorch:
values and every gradient, graph node names, gradients against finite differences, double
backward, and the errors about saved values."""

import numpy as np
import pytest
from nn_parity import randn

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck
from retrograd.ops import rnn as rnn_ops

CONFIGS = [
    dict(),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True, bias=False),
    dict(num_layers=3, batch_first=True),
]


def _module(torch, kind, input_size, hidden, dtype, **options):
    if kind == "RNN_RELU":
        kind, options = "RNN", dict(options, nonlinearity="relu")
    layer = getattr(torch.nn, kind)(input_size, hidden, **options)
    return layer.double() if dtype == np.float64 else layer


def _run(torch, kind, weights, x, h0=None, lengths=None, dtype=np.float32, **options):
    """Output, final states and every gradient of a weighted sum of them, as numpy arrays."""
    layer = _module(torch, kind, x.shape[-1], 4, dtype, **options)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.copy_(torch.tensor(weights[name].astype(dtype)))
    inp = torch.tensor(x.astype(dtype), requires_grad=True)
    feed = inp
    if lengths is not None:
        feed = torch.nn.utils.rnn.pack_padded_sequence(
            inp, lengths, batch_first=options.get("batch_first", False), enforce_sorted=False
        )
    hx, leaves = None, [inp]
    if h0 is not None:
        hx = torch.tensor(h0.astype(dtype), requires_grad=True)
        leaves.append(hx)
        if kind == "LSTM":
            hx = (hx, torch.tensor((h0 * 0.5).astype(dtype), requires_grad=True))
            leaves.append(hx[1])
    out, state = layer(feed, hx)
    if lengths is not None:
        out = out.data
    results = [out] + (list(state) if kind == "LSTM" else [state])
    loss = sum(
        (r * torch.tensor(randn(7 + i, *r.shape).astype(dtype))).sum()
        for i, r in enumerate(results)
    )
    loss.backward()
    grads = [t.grad for t in leaves] + [p.grad for _, p in layer.named_parameters()]
    return [r.detach().numpy() for r in results] + [g.numpy() for g in grads]


def _weights(kind, input_size, **options):
    layer = _module(retrograd, kind, input_size, 4, np.float32, **options)
    return {name: randn(i, *p.shape) * 0.6 for i, (name, p) in enumerate(layer.named_parameters())}


def _composed(monkeypatch):
    monkeypatch.setattr(rnn_ops, "fusable", lambda *args: False)


def _h0(kind, options, batch):
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    return randn(3, layers, batch, 4)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN", "RNN_RELU"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "default")
def test_fused_matches_composed_and_pytorch(torch_ref, monkeypatch, kind, config):
    x = randn(1, 6, 3, 5)  # (T, B, I), or (B, T, I) with batch_first
    weights = _weights(kind, 5, **config)
    batch = x.shape[0] if config.get("batch_first") else x.shape[1]
    h0 = _h0(kind, config, batch)
    for hx in (None, h0):
        fused = _run(retrograd, kind, weights, x, hx, **config)
        theirs = _run(torch_ref, kind, weights, x, hx, **config)
        with monkeypatch.context() as m:
            _composed(m)
            composed = _run(retrograd, kind, weights, x, hx, **config)
        assert len(fused) == len(theirs) == len(composed)
        for a, b, c in zip(fused, theirs, composed):
            np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_sequences_fused(torch_ref, monkeypatch, kind, bidirectional):
    x = randn(2, 5, 4, 3)
    config = dict(num_layers=2, bidirectional=bidirectional)
    weights = _weights(kind, 3, **config)
    h0 = _h0(kind, config, 4)
    lengths = [2, 5, 1, 3]
    fused = _run(retrograd, kind, weights, x, h0, lengths, **config)
    theirs = _run(torch_ref, kind, weights, x, h0, lengths, **config)
    with monkeypatch.context() as m:
        _composed(m)
        composed = _run(retrograd, kind, weights, x, h0, lengths, **config)
    for a, b, c in zip(fused, theirs, composed):
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _names(torch, kind, dtype, **options):
    torch.manual_seed(0)
    layer = _module(torch, kind, 3, 4, dtype, **options)
    x = torch.tensor(randn(0, 5, 2, 3).astype(dtype), requires_grad=True)
    out, state = layer(x)
    h = state[0] if kind == "LSTM" else state

    def edges(node):
        return [None if n is None else (n.name(), nr) for n, nr in node.next_functions]

    inner = out.grad_fn
    while inner.name() in ("CatBackward0", "TransposeBackward0", "TransposeBackward1"):
        inner = inner.next_functions[0][0]
    return [out.grad_fn.name(), h.grad_fn.name(), edges(h.grad_fn), inner.name()]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "default")
def test_node_names_as_pytorch(torch_ref, kind, dtype, config):
    ours = _names(retrograd, kind, dtype, **config)
    theirs = _names(torch_ref, kind, dtype, **config)
    assert ours[:2] == theirs[:2]
    assert ours[3] == theirs[3]
    assert len(ours[2]) == len(theirs[2])
    if kind == "LSTM" and dtype == np.float32:  # one node per layer and direction, as PyTorch's
        assert ours[2] == theirs[2]


def test_lstm_node_edges_as_pytorch(torch_ref):
    """MkldnnRnnLayerBackward0's edges: input, the four weights, h_0 and c_0."""
    found = []
    for torch in (retrograd, torch_ref):
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(3, 4, bias=False)
        h0 = torch.zeros(1, 2, 4, requires_grad=True)
        out, _ = lstm(torch.zeros(5, 2, 3), (h0, torch.zeros(1, 2, 4)))
        found.append([None if n is None else n.name() for n, _ in out.grad_fn.next_functions])
    assert found[0] == found[1]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN", "RNN_RELU"])
def test_gradcheck_and_double_backward(kind):
    retrograd.manual_seed(0)
    for layers, steps in ((2, 3), (1, 2)):  # double backward on the smaller one: it is slow
        layer = _module(retrograd, kind, 2, 2, np.float64, num_layers=layers, bidirectional=True)
        x = retrograd.tensor(randn(1, steps, 2, 2).astype(np.float64), requires_grad=True)
        h = retrograd.tensor(randn(2, 2 * layers, 2, 2).astype(np.float64), requires_grad=True)

        def run(x, h):
            hx = (h, h * 0.5) if kind == "LSTM" else h
            out, state = layer(x, hx)
            return out, state[0] if kind == "LSTM" else state

        assert gradcheck(run, (x, h)) if layers == 2 else gradgradcheck(run, (x, h))


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("reverse", [False, True])
def test_gradcheck_every_input_of_a_layer(mode, reverse):
    """One fused layer, each input (weights and initial states too) checked against finite
    differences, on a packed batch (rows stop at different steps) and on a full one."""
    gates = rnn_ops.GATES[mode] * 3
    shapes = [(4, 3, 2), (gates, 2), (gates, 3), (gates,), (gates,), (3, 3), (3, 3)]
    inputs = [
        retrograd.tensor(randn(i, *shape).astype(np.float64), requires_grad=True)
        for i, shape in enumerate(shapes if mode == "LSTM" else shapes[:-1])
    ]
    for sizes in ([3, 3, 2, 1], None):

        def run(x, w_ih, w_hh, b_ih, b_hh, h, c=None):
            out, h, c = rnn_ops.layer(mode, x, w_ih, w_hh, b_ih, b_hh, h, c, reverse, sizes)
            return (out, h) if c is None else (out, h, c)

        assert gradcheck(run, inputs)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("sizes", [None, [3, 3, 2, 1]], ids=["full", "packed"])
def test_lstm_recurrent_products_in_row_blocks(monkeypatch, reverse, sizes):
    """A recurrent product above ``_UNPACKED_PRODUCT`` runs as one batched product of the
    weight's row blocks (forward: the gates' rows; backward: the transposed weight's): values and
    every gradient as the composed layer's."""
    monkeypatch.setattr(rnn_ops, "_UNPACKED_PRODUCT", 10_000)
    hidden, batch = 32, 3
    for w in (np.zeros((4 * hidden, hidden)), np.zeros((hidden, 4 * hidden))):
        assert rnn_ops._row_blocks(w, batch).shape[0] == 2  # (the products do split)
        assert rnn_ops._row_blocks(w, 2) is w  # (and smaller ones stay whole)
    shapes = [(4, batch, 5), (4 * hidden, 5), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,)]
    shapes += [(batch, hidden), (batch, hidden)]
    arrays = [randn(i, *shape) * 0.5 for i, shape in enumerate(shapes)]

    def run():
        inputs = [retrograd.tensor(a, requires_grad=True) for a in arrays]
        results = rnn_ops.layer("LSTM", *inputs, reverse, sizes)
        loss = sum(
            (r * retrograd.tensor(randn(9 + i, *r.shape))).sum() for i, r in enumerate(results)
        )
        return [r.detach().numpy() for r in results] + [
            g.numpy() for g in retrograd.autograd.grad(loss, inputs)
        ]

    fused = run()
    with monkeypatch.context() as m:
        _composed(m)
        composed = run()
    for a, c in zip(fused, composed):
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)


def test_double_backward_matches_composed_and_pytorch(torch_ref, monkeypatch):
    """A gradient penalty through an LSTM: create_graph reruns the composed ops."""

    def penalty(torch):
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(3, 4, num_layers=2).double()
        with torch.no_grad():
            for i, p in enumerate(lstm.parameters()):
                p.copy_(torch.tensor(randn(i, *p.shape).astype(np.float64) * 0.5))
        x = torch.tensor(randn(9, 5, 2, 3).astype(np.float64), requires_grad=True)
        out, (h, c) = lstm(x)
        (g,) = torch.autograd.grad((out**2).sum() + c.sum(), x, create_graph=True)
        (g**2).sum().backward()
        return [x.grad.numpy()] + [p.grad.numpy() for p in lstm.parameters()]

    fused = penalty(retrograd)
    theirs = penalty(torch_ref)
    with monkeypatch.context() as m:
        _composed(m)
        composed = penalty(retrograd)
    for a, b, c in zip(fused, theirs, composed):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_retain_graph_runs_the_node_twice():
    retrograd.manual_seed(0)
    gru = retrograd.nn.GRU(3, 4)
    x = retrograd.randn(5, 2, 3, requires_grad=True)
    out, h = gru(x)
    loss = out.sum() + h.sum()
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_writing_into_the_lstm_output_fails_the_backward_as_pytorch(torch_ref):
    """PyTorch's fused LSTM layer keeps its output; its step-by-step GRU does not."""
    for torch in (retrograd, torch_ref):
        torch.manual_seed(0)
        out, _ = torch.nn.LSTM(3, 4)(torch.randn(5, 2, 3, requires_grad=True))
        out.add_(1)
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
        assert str(info.value).startswith(
            "one of the variables needed for gradient computation has been modified by an "
            "inplace operation: [torch.FloatTensor [5, 2, 4]], which is output 0 of "
            "MkldnnRnnLayer, is at version 1; expected version 0 instead."
        )
        x = torch.randn(5, 2, 3, requires_grad=True)
        out, _ = torch.nn.GRU(3, 4)(x)
        out.add_(1)
        out.sum().backward()
        assert x.grad is not None


def test_no_grad_and_inference_record_nothing():
    lstm = retrograd.nn.LSTM(3, 4)
    with retrograd.no_grad():
        out, (h, c) = lstm(retrograd.randn(5, 2, 3))
    assert out.grad_fn is None and not out.requires_grad and not c.requires_grad
    out, _ = lstm.requires_grad_(False)(retrograd.randn(5, 2, 3))
    assert out.grad_fn is None


def test_saved_tensor_hooks_see_the_composed_graph():
    """Saved-tensor hooks (and checkpointing) see what each composed op saves."""
    packed = []
    gru = retrograd.nn.GRU(3, 4)
    x = retrograd.randn(5, 2, 3, requires_grad=True)
    with retrograd.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
        out, _ = gru(x)
    assert packed
    out.sum().backward()
    fused = retrograd.randn(5, 2, 3, requires_grad=True)
    with retrograd.no_grad():
        fused.copy_(x)
    gru(fused)[0].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), fused.grad.numpy(), rtol=1e-5, atol=1e-6)


ERROR_CASES = [
    ("LSTM", (5, 2, 3), ((2, 4), (2, 4))),
    ("LSTM", (5, 3), ((1, 2, 4), (1, 2, 4))),
    ("GRU", (5, 3), (4, 2, 4)),
    ("GRU", (5, 2, 3), (4, 3, 4)),
    ("GRU", (5, 3), (4, 5)),
    ("LSTM", (5, 2, 3), ((1, 3, 4), (1, 2, 4))),
    ("LSTM", (5, 2, 3), ((1, 2, 4), (2, 2, 4))),
    ("LSTM", (0, 2, 3), None),
    ("RNN", (5, 2, 4), None),
]


@pytest.mark.parametrize("kind, shape, hx", ERROR_CASES)
def test_bad_input_and_states_fail_as_in_pytorch(torch_ref, kind, shape, hx):
    errors = []
    for torch in (retrograd, torch_ref):
        options = dict(num_layers=2, bidirectional=True) if kind == "GRU" else {}
        layer = getattr(torch.nn, kind)(3, 4, **options)
        state = None
        if hx is not None:
            state = tuple(torch.zeros(*s) for s in hx) if kind == "LSTM" else torch.zeros(*hx)
        with pytest.raises((RuntimeError, ValueError)) as info:
            layer(torch.zeros(*shape), state)
        errors.append((info.type, str(info.value)))
    assert errors[0] == errors[1]


def test_input_dtype_must_match_the_weights(torch_ref):
    errors = []
    for torch in (retrograd, torch_ref):
        with pytest.raises(ValueError) as info:
            torch.nn.GRU(3, 4)(torch.zeros(5, 2, 3, dtype=torch.float64))
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_empty_batch_as_pytorch(torch_ref):
    for kind in ("LSTM", "GRU"):
        shapes = []
        for torch in (retrograd, torch_ref):
            out, _ = getattr(torch.nn, kind)(3, 4, bidirectional=True)(torch.zeros(5, 0, 3))
            shapes.append(tuple(out.shape))
        assert shapes[0] == shapes[1] == (5, 0, 8)


# --- LSTM with a projection of the hidden state (proj_size) -------------------------------------

PROJ_CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True, bidirectional=True, bias=False),
]


def _randn64(seed, *shape):
    return randn(seed, *shape).astype(np.float64)


def _projected(torch, **options):
    """An LSTM with hidden size 5 projected to 2, in float64."""
    return torch.nn.LSTM(3, 5, proj_size=2, **options).double()


def _run_projected(torch, weights, x, hx=None, lengths=None, **options):
    """Output, h_n, c_n and the gradients of a weighted sum of them with respect to the input,
    the initial states and every parameter (in ``named_parameters`` order), as numpy arrays."""
    layer = _projected(torch, **options)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.copy_(torch.tensor(weights[name]))
    inp = torch.tensor(x, requires_grad=True)
    feed = inp
    if lengths is not None:
        feed = torch.nn.utils.rnn.pack_padded_sequence(
            inp, lengths, batch_first=options.get("batch_first", False), enforce_sorted=False
        )
    leaves, state = [inp], None
    if hx is not None:
        state = tuple(torch.tensor(s, requires_grad=True) for s in hx)
        leaves += state
    out, (h_n, c_n) = layer(feed, state)
    results = [out.data if lengths is not None else out, h_n, c_n]
    loss = sum((r * torch.tensor(_randn64(7 + i, *r.shape))).sum() for i, r in enumerate(results))
    loss.backward()
    grads = [t.grad for t in leaves] + [p.grad for _, p in layer.named_parameters()]
    return [r.detach().numpy() for r in results] + [g.numpy() for g in grads]


def _projected_weights(**options):
    layer = _projected(retrograd, **options)
    return {
        name: _randn64(i, *p.shape) * 0.6 for i, (name, p) in enumerate(layer.named_parameters())
    }


def _projected_states(options, batch):
    """(h_0, c_0): the hidden state has the projection's size 2, the cell state 5."""
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    lead = (layers,) if batch is None else (layers, batch)
    return _randn64(3, *lead, 2), _randn64(4, *lead, 5)


@pytest.mark.parametrize("config", PROJ_CONFIGS, ids=lambda c: ",".join(c) or "default")
@pytest.mark.parametrize("batched", [True, False])
def test_projected_lstm_matches_pytorch(torch_ref, config, batched):
    x = _randn64(1, 4, 3, 3) if batched else _randn64(1, 4, 3)  # (T, B, I) / (B, T, I) / (T, I)
    batch = (x.shape[0] if config.get("batch_first") else x.shape[1]) if batched else None
    weights = _projected_weights(**config)
    for hx in (None, _projected_states(config, batch)):
        ours = _run_projected(retrograd, weights, x, hx, **config)
        theirs = _run_projected(torch_ref, weights, x, hx, **config)
        assert [a.shape for a in ours] == [b.shape for b in theirs]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_projected_lstm_packed_sequences(torch_ref):
    config = dict(num_layers=2, bidirectional=True)
    x = _randn64(2, 5, 4, 3)
    weights = _projected_weights(**config)
    hx = _projected_states(config, 4)
    ours = _run_projected(retrograd, weights, x, hx, [2, 5, 1, 3], **config)
    theirs = _run_projected(torch_ref, weights, x, hx, [2, 5, 1, 3], **config)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_projected_lstm_gradcheck_and_double_backward():
    retrograd.manual_seed(0)
    layer = _projected(retrograd, num_layers=2, bidirectional=True)
    x = retrograd.tensor(_randn64(1, 2, 2, 3), requires_grad=True)
    h = retrograd.tensor(_randn64(2, 4, 2, 2), requires_grad=True)
    c = retrograd.tensor(_randn64(3, 4, 2, 5), requires_grad=True)

    def run(x, h, c):
        out, (h_n, c_n) = layer(x, (h, c))
        return out, h_n, c_n

    assert gradcheck(run, (x, h, c))
    assert gradgradcheck(run, (x, h, c))


def test_projected_lstm_parameters_and_seeded_weights_as_pytorch(torch_ref):
    for torch in (retrograd, torch_ref):
        torch.manual_seed(0)
    ours, theirs = (
        torch.nn.LSTM(4, 8, proj_size=3).state_dict() for torch in (retrograd, torch_ref)
    )
    assert list(ours) == list(theirs)
    for name in theirs:
        np.testing.assert_array_equal(ours[name].numpy(), theirs[name].numpy())
    options = dict(num_layers=2, bidirectional=True, bias=False)
    layers = [torch.nn.LSTM(4, 8, proj_size=3, **options) for torch in (retrograd, torch_ref)]
    shapes = [[(n, tuple(p.shape)) for n, p in m.named_parameters()] for m in layers]
    assert shapes[0] == shapes[1]
    assert layers[0]._flat_weights_names == layers[1]._flat_weights_names
    assert [[tuple(w.shape) for w in ws] for ws in layers[0].all_weights] == [
        [tuple(w.shape) for w in ws] for ws in layers[1].all_weights
    ]
    assert repr(layers[0]) == repr(layers[1])


@pytest.mark.parametrize(
    "kind, options",
    [
        ("LSTM", dict(proj_size=-1)),
        ("LSTM", dict(proj_size=4)),
        ("LSTM", dict(proj_size=6)),
        ("LSTM", dict(proj_size=-1, dropout=2.0)),
        ("GRU", dict(proj_size=2)),
        ("GRU", dict(proj_size=0)),
        ("RNN", dict(proj_size=0, nonlinearity="sigmoid")),
    ],
)
def test_projected_lstm_bad_arguments_fail_as_pytorch(torch_ref, kind, options):
    """Only an LSTM takes a projection, smaller than its hidden size."""
    errors = []
    for torch in (retrograd, torch_ref):
        with pytest.raises(ValueError) as info:
            getattr(torch.nn, kind)(3, 4, **options)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "shape, hx",
    [
        ((5, 2, 3), ((1, 2, 4), (1, 2, 4))),  # h_0 of the hidden size, not the projection's
        ((5, 2, 3), ((1, 2, 2), (1, 2, 2))),  # c_0 of the projection's size
        ((5, 2, 3), ((1, 3, 2), (1, 2, 4))),
        ((5, 2, 3), ((2, 2), (2, 4))),
        ((5, 3), ((1, 4), (1, 4))),
        ((5, 3), ((4,), (4,))),
    ],
)
def test_projected_lstm_bad_states_fail_as_pytorch(torch_ref, shape, hx):
    errors = []
    for torch in (retrograd, torch_ref):
        layer = torch.nn.LSTM(3, 4, proj_size=2)
        state = tuple(torch.zeros(*s) for s in hx)
        with pytest.raises(RuntimeError) as info:
            layer(torch.zeros(*shape), state)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_projected_lstm_dropout_between_layers():
    """In training the output of the first layer is dropped out (not the last layer's)."""
    layer = retrograd.nn.LSTM(3, 5, num_layers=2, dropout=1.0, proj_size=2).double()
    x = retrograd.tensor(_randn64(1, 4, 2, 3))
    out_train = layer(x)[0]
    layer.eval()
    out_eval = layer(x)[0]
    # every input to the second layer is zero in training: its output depends on the biases alone
    zero_in = layer.weight_ih_l1.detach().clone()
    with retrograd.no_grad():
        layer.weight_ih_l1.zero_()
    np.testing.assert_allclose(out_train.detach().numpy(), layer(x)[0].detach().numpy())
    with retrograd.no_grad():
        layer.weight_ih_l1.copy_(zero_in)
    assert not np.allclose(out_train.detach().numpy(), out_eval.detach().numpy())


def test_projected_lstm_node_names_as_pytorch(torch_ref):
    names = []
    for torch in (retrograd, torch_ref):
        torch.manual_seed(0)
        layer = torch.nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True).double()
        out, (h_n, c_n) = layer(torch.zeros(4, 2, 3, dtype=torch.float64))
        names.append([type(t.grad_fn).__name__ for t in (out, h_n, c_n)])
    assert names[0] == names[1]
