"""nn.Transformer and its layers against PyTorch: the same submodules and parameter names, so a
state dict moves across, then the same outputs and gradients for every kind of mask."""

import warnings

import numpy as np
import pytest

import retrograd


def _twins(torch, build):
    """The module in both libraries, retrograd's with PyTorch's weights (float64)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the nested-tensor note, in both
        theirs = build(torch).double()
        ours = build(retrograd).double()
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in state.items()})
    return ours, theirs


def _run(lib, module, arrays, kwargs):
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    masks = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    out = module(*inputs, **masks)
    weights = np.random.default_rng(9).standard_normal(tuple(out.shape))
    (out * lib.tensor(weights)).sum().backward()
    grads = {name: p.grad.numpy() for name, p in module.named_parameters()}
    return out.detach().numpy(), [t.grad.numpy() for t in inputs], grads


def _compare(torch, ours, theirs, arrays, **kwargs):
    a = _run(retrograd, ours, arrays, kwargs)
    b = _run(torch, theirs, arrays, kwargs)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-9, atol=1e-12)
    for g, h in zip(a[1], b[1]):
        np.testing.assert_allclose(g, h, rtol=1e-8, atol=1e-11)
    assert a[2].keys() == b[2].keys()
    for name in a[2]:
        np.testing.assert_allclose(a[2][name], b[2][name], rtol=1e-8, atol=1e-11, err_msg=name)


def _causal(n):
    return np.triu(np.full((n, n), -np.inf), 1)


SEQ, BATCH, D = 5, 3, 8
RNG = np.random.default_rng(0)
SRC = RNG.standard_normal((SEQ, BATCH, D))
TGT = RNG.standard_normal((4, BATCH, D))
PAD = np.zeros((BATCH, SEQ), bool)
PAD[1, -2:] = True


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_layer(torch_ref, norm_first, activation):
    def build(lib):
        act = (lambda x: lib.tanh(x) * 2) if activation == "callable" else activation
        return lib.nn.TransformerEncoderLayer(
            D, 2, dim_feedforward=16, dropout=0.0, activation=act, norm_first=norm_first
        )

    ours, theirs = _twins(torch_ref, build)
    _compare(torch_ref, ours, theirs, [SRC])
    _compare(torch_ref, ours, theirs, [SRC], src_mask=_causal(SEQ), src_key_padding_mask=PAD)
    _compare(
        torch_ref,
        ours,
        theirs,
        [SRC],
        src_mask=np.triu(np.ones((SEQ, SEQ), bool), 1),
        is_causal=True,
    )


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer(torch_ref, batch_first):
    def build(lib):
        return lib.nn.TransformerDecoderLayer(
            D, 4, dim_feedforward=16, dropout=0.0, batch_first=batch_first, layer_norm_eps=1e-6
        )

    ours, theirs = _twins(torch_ref, build)
    arrays = [TGT, SRC]
    if batch_first:
        arrays = [a.transpose(1, 0, 2).copy() for a in arrays]
    _compare(torch_ref, ours, theirs, arrays, tgt_mask=_causal(4), memory_key_padding_mask=PAD)


def test_transformer_with_masks_and_state_dict_names(torch_ref):
    def build(lib):
        return lib.nn.Transformer(
            d_model=D,
            nhead=2,
            num_encoder_layers=2,
            num_decoder_layers=2,
            dim_feedforward=16,
            dropout=0.0,
        )

    ours, theirs = _twins(torch_ref, build)
    mask = retrograd.nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.tolist() == torch_ref.nn.Transformer.generate_square_subsequent_mask(4).tolist()
    _compare(
        torch_ref,
        ours,
        theirs,
        [SRC, TGT],
        tgt_mask=_causal(4),
        src_key_padding_mask=PAD,
        memory_key_padding_mask=PAD,
    )


def test_stacks_repr_and_errors(torch_ref):
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            layer = lib.nn.TransformerEncoderLayer(D, 2, dim_feedforward=16, norm_first=True)
            lib.nn.TransformerEncoder(layer, 2)
        assert [str(w.message) for w in caught] == [
            "enable_nested_tensor is True, but self.use_nested_tensor is False because "
            "encoder_layer.norm_first was True"
        ]
        model = lib.nn.Transformer(
            d_model=D, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16
        )
        with pytest.raises(RuntimeError, match="^the batch number of src and tgt must be equal$"):
            model(lib.zeros(5, 2, D), lib.zeros(4, 3, D))
        with pytest.raises(
            RuntimeError, match="^the feature number of src and tgt must be equal to d_model$"
        ):
            model(lib.zeros(5, 2, D + 1), lib.zeros(4, 2, D + 1))
        with pytest.raises(RuntimeError, match="^activation should be relu/gelu, not tanh$"):
            lib.nn.TransformerEncoderLayer(D, 2, activation="tanh")
    assert repr(retrograd.nn.TransformerEncoderLayer(D, 2)) == repr(
        torch_ref.nn.TransformerEncoderLayer(D, 2)
    )


def test_training_a_small_language_model_ends_at_pytorchs_loss(torch_ref):
    """A few steps of a causal Transformer encoder language model with Adam, from the same
    weights: the same losses."""
    vocab, seq, batch = 11, 6, 4
    rng = np.random.default_rng(3)
    tokens = rng.integers(0, vocab, (batch, seq + 1))

    def build(lib):
        class TinyLM(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = lib.nn.Embedding(vocab, D)
                layer = lib.nn.TransformerEncoderLayer(
                    D, 2, 16, dropout=0.0, batch_first=True, norm_first=True
                )
                self.body = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
                self.head = lib.nn.Linear(D, vocab)

            def forward(self, x):
                mask = lib.nn.Transformer.generate_square_subsequent_mask(x.shape[1])
                return self.head(self.body(self.embed(x), mask=mask.double(), is_causal=True))

        return TinyLM()

    ours, theirs = _twins(torch_ref, build)
    losses = []
    for lib, model in ((retrograd, ours), (torch_ref, theirs)):
        opt = lib.optim.Adam(model.parameters(), lr=1e-2)
        x, y = lib.tensor(tokens[:, :-1]), lib.tensor(tokens[:, 1:])
        run = []
        for _ in range(5):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-9)
    assert losses[0][-1] < losses[0][0]


@pytest.mark.parametrize("bias_kv, zero_attn", [(True, False), (False, True), (True, True)])
def test_multihead_attention_added_keys(torch_ref, bias_kv, zero_attn):
    """add_bias_kv and add_zero_attn: one more learnt key/value, one more zero key/value, with
    both masks widened to let every query attend to them."""

    def build(lib):
        return lib.nn.MultiheadAttention(D, 2, add_bias_kv=bias_kv, add_zero_attn=zero_attn)

    ours, theirs = _twins(torch_ref, build)
    for kwargs in ({}, {"attn_mask": _causal(SEQ), "key_padding_mask": PAD}):
        results = []
        for lib, module in ((retrograd, ours), (torch_ref, theirs)):
            q = lib.tensor(SRC, requires_grad=True)
            masks = {k: lib.tensor(v) for k, v in kwargs.items()}
            out, weights = module(q, q, q, **masks)
            (out.sum() + weights.sum()).backward()
            results.append(
                (
                    out.detach().numpy(),
                    weights.detach().numpy(),
                    q.grad.numpy(),
                    {n: p.grad.numpy() for n, p in module.named_parameters()},
                )
            )
            module.zero_grad()
        for a, b in zip(results[0][:3], results[1][:3]):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        for name, g in results[1][3].items():
            np.testing.assert_allclose(results[0][3][name], g, rtol=1e-8, atol=1e-11)
