"""Packed sequences against PyTorch: packing, unpacking, and the RNN layers run on them (values,
final states and gradients, with weights copied from PyTorch's layer)."""

import numpy as np
import pytest

import retrograd


def _packing(torch, x, lengths, enforce_sorted, batch_first):
    rnn = torch.nn.utils.rnn
    inp = torch.tensor(x, requires_grad=True)
    packed = rnn.pack_padded_sequence(
        inp, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted
    )
    padded, lens = rnn.pad_packed_sequence(
        packed, batch_first=batch_first, padding_value=-1.0, total_length=5
    )
    (
        padded * torch.tensor(np.arange(padded.numel(), dtype=np.float64).reshape(padded.shape))
    ).sum().backward()
    seqs = rnn.unpack_sequence(packed)
    again = rnn.pack_sequence([s.detach() for s in seqs], enforce_sorted=False)
    return [
        packed.data.tolist(),
        packed.batch_sizes.tolist(),
        None if packed.sorted_indices is None else packed.sorted_indices.tolist(),
        None if packed.unsorted_indices is None else packed.unsorted_indices.tolist(),
        padded.tolist(),
        lens.tolist(),
        inp.grad.tolist(),
        [s.tolist() for s in seqs],
        again.data.tolist(),
        again.batch_sizes.tolist(),
    ]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize(
    "lengths, enforce_sorted", [([4, 2, 1], True), ([2, 4, 1], False), ([1, 1, 4], False)]
)
def test_packing_as_pytorch(lengths, enforce_sorted, batch_first, torch_ref):
    shape = (3, 4, 2) if batch_first else (4, 3, 2)
    x = np.arange(24.0).reshape(shape)
    assert _packing(retrograd, x, lengths, enforce_sorted, batch_first) == _packing(
        torch_ref, x, lengths, enforce_sorted, batch_first
    )


def test_packing_errors_as_pytorch(torch_ref):
    for torch in (retrograd, torch_ref):
        x = torch.zeros(4, 3, 1)
        with pytest.raises(
            RuntimeError,
            match="`lengths` array must be sorted in decreasing "
            "order when `enforce_sorted` is True",
        ):
            torch.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1])
        with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
            torch.nn.utils.rnn.pack_padded_sequence(x, [4, 2, 0])


def _run_rnn(torch, kind, weights, x, lengths, h0, options):
    layer = getattr(torch.nn, kind)(2, 3, **options).double()
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.copy_(torch.tensor(weights[name]))
    inp = torch.tensor(x, requires_grad=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(inp, lengths, enforce_sorted=False)
    hx = None
    if h0 is not None:
        hx = torch.tensor(h0)
        hx = (hx, torch.tensor(h0) * 0.5) if kind == "LSTM" else hx
    out, state = layer(packed, hx)
    h_n = state[0] if kind == "LSTM" else state
    loss = out.data.pow(2).sum() + h_n.pow(2).sum()
    if kind == "LSTM":
        loss = loss + state[1].sum()
    loss.backward()
    results = [out.data, out.batch_sizes, h_n] + ([state[1]] if kind == "LSTM" else [])
    results += [inp.grad] + [p.grad for _, p in layer.named_parameters()]
    return [r.detach().numpy() for r in results]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True}])
@pytest.mark.parametrize("with_h0", [False, True])
def test_rnn_layers_on_packed_sequences(kind, options, with_h0, torch_ref):
    rng = np.random.default_rng(3)
    reference = getattr(torch_ref.nn, kind)(2, 3, **options)
    weights = {n: rng.uniform(-0.5, 0.5, tuple(p.shape)) for n, p in reference.named_parameters()}
    x = rng.standard_normal((5, 3, 2))
    lengths = [3, 5, 2]
    directions = 2 if options.get("bidirectional") else 1
    h0 = rng.standard_normal((options.get("num_layers", 1) * directions, 3, 3)) if with_h0 else None
    ours = _run_rnn(retrograd, kind, weights, x, lengths, h0, options)
    theirs = _run_rnn(torch_ref, kind, weights, x, lengths, h0, options)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
