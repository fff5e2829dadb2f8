"""Scaled dot-product attention as one op (ops/attention.py): values, gradients and the node
against PyTorch, finite differences in float64 (twice), and the calls left to the composed form."""

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

F = retrograd.nn.functional
_rng = np.random.default_rng(0)
Q, K, V = (_rng.standard_normal(s) for s in ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)))
BOOL_MASK = _rng.random((4, 5)) > 0.3
BOOL_MASK[1] = False  # a query that may attend to no key at all
FLOAT_MASK = _rng.standard_normal((2, 1, 4, 5))

CASES = {
    "plain": {},
    "causal": {"is_causal": True},
    "scale": {"scale": 0.3},
    "float mask": {"attn_mask": FLOAT_MASK},
    "bool mask": {"attn_mask": BOOL_MASK},
}


def _run(lib, kw, arrays=(Q, K, V)):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    out = lib.nn.functional.scaled_dot_product_attention(*ts, **kw)
    (out * out).sum().backward(retain_graph=True)
    return out, [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("case", sorted(CASES))
def test_fused_attention_matches_torch(torch_ref, case):
    out, grads = _run(retrograd, CASES[case])
    ref, ref_grads = _run(torch_ref, CASES[case])
    assert (
        out.grad_fn.name() == ref.grad_fn.name() == "ScaledDotProductFlashAttentionForCpuBackward0"
    )
    assert len(out.grad_fn.next_functions) == len(ref.grad_fn.next_functions) == 3
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-12)
    for a, b in zip(grads, ref_grads):
        np.testing.assert_allclose(a, b, atol=1e-12)
    node, theirs = out.grad_fn, ref.grad_fn
    np.testing.assert_allclose(node._saved_logsumexp.numpy(), theirs._saved_logsumexp.numpy())
    assert node._saved_output.shape == tuple(theirs._saved_output.shape)
    assert node._saved_is_causal == theirs._saved_is_causal
    assert node._saved_scale == theirs._saved_scale


@pytest.mark.parametrize("case", ["plain", "causal", "bool mask"])
def test_fused_attention_gradcheck_and_gradgradcheck(case):
    kw = {
        k: retrograd.tensor(v) if isinstance(v, np.ndarray) else v for k, v in CASES[case].items()
    }
    inputs = [retrograd.tensor(a[:1, :2], requires_grad=True) for a in (Q, K, V)]

    def fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **kw)

    assert fn(*inputs).grad_fn.name() == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_only_the_inputs_that_need_a_gradient_get_one(torch_ref):
    for lib in (retrograd, torch_ref):
        q = lib.tensor(Q, requires_grad=True)
        k, v = lib.tensor(K), lib.tensor(V, requires_grad=True)
        lib.nn.functional.scaled_dot_product_attention(q, k, v).sum().backward()
        assert q.grad is not None and k.grad is None and v.grad is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda T, q, k, v: (q[0], k[0], v[0], {}),  # 3-d inputs
        lambda T, q, k, v: (q, k, v[..., :6], {}),  # another value width
        lambda T, q, k, v: (q, k[:1], v[:1], {}),  # broadcast batch
        lambda T, q, k, v: (q, k, v, {"attn_mask": T.zeros(4, 5, requires_grad=True)}),
    ],
)
def test_calls_outside_the_kernel_are_composed_as_in_pytorch(torch_ref, make):
    results = []
    for lib in (retrograd, torch_ref):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in (Q, K, V))
        a, b, c, kw = make(lib, q, k, v)
        out = lib.nn.functional.scaled_dot_product_attention(a, b, c, **kw)
        out.sum().backward()
        results.append((out.grad_fn.name(), out.detach().numpy(), q.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-12)
    np.testing.assert_allclose(results[0][2], results[1][2], atol=1e-12)


def _pair_of_mha(torch, **kw):
    ours = retrograd.nn.MultiheadAttention(8, 2, **kw)
    theirs = torch.nn.MultiheadAttention(8, 2, **kw)
    with torch.no_grad():  # the same weights in both
        for p, q in zip(theirs.parameters(), ours.parameters()):
            p.copy_(torch.tensor(q.detach().numpy()))
    return ours, theirs


@pytest.mark.parametrize("need_weights", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", [False, True])
def test_multihead_self_attention_matches_torch(torch_ref, need_weights, batch_first, masks):
    x = _rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8)).astype(np.float32)
    padding = np.arange(5)[None, :] >= np.array([[5], [3], [4]])
    results = []
    for lib, mha in zip((retrograd, torch_ref), _pair_of_mha(torch_ref, batch_first=batch_first)):
        t = lib.tensor(x, requires_grad=True)
        kw = {}
        if masks:
            kw["attn_mask"] = lib.tensor(np.triu(np.ones((5, 5), bool), 1))
            kw["key_padding_mask"] = lib.tensor(padding)
        out, weights = mha(t, t, t, need_weights=need_weights, **kw)
        (out * out).sum().backward()
        grads = [t.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()]
        results.append(
            (out.detach().numpy(), None if weights is None else weights.detach().numpy(), grads)
        )
    (out, weights, grads), (ref, ref_weights, ref_grads) = results
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    assert (weights is None) == (ref_weights is None)
    if weights is not None:
        np.testing.assert_allclose(weights, ref_weights, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads, ref_grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "self_attention, node, edges",
    [(True, "MultiheadSelfAttentionBackward0", 5), (False, "MultiheadAttentionCoreBackward0", 3)],
)
def test_multihead_attention_core_is_one_node_and_its_weights_carry_gradients(
    torch_ref, self_attention, node, edges
):
    """Self-attention is one node from the input to the output projection; attention between
    two tensors has its core (scores, softmax, weighted sum) as one."""
    x = _rng.standard_normal((5, 3, 8)).astype(np.float32)
    mask = _rng.standard_normal((5, 5)).astype(np.float32)
    results = []
    for lib, mha in zip((retrograd, torch_ref), _pair_of_mha(torch_ref)):
        t = lib.tensor(x, requires_grad=True)
        kv = t if self_attention else t * 2
        out, weights = mha(t, kv, kv, attn_mask=lib.tensor(mask), average_attn_weights=False)
        ((out * out).sum() + (weights * weights * 10).sum()).backward()
        results.append([t.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()])
        if lib is retrograd:
            core = weights.grad_fn.next_functions[0][0]
            assert core.name() == node
            assert len(core.next_functions) == edges
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_multihead_attention_core_gradcheck_and_gradgradcheck():
    from retrograd.ops.attention import _attention_with_weights

    q, k, v = (retrograd.tensor(a[0, :2, :3, :4], requires_grad=True) for a in (Q, K, V))
    bias = retrograd.tensor(_rng.standard_normal((3, 3)))

    def fn(q, k, v):
        out, weights = _attention_with_weights(q, k, v, bias, 0.7)
        return out, weights

    assert gradcheck(fn, (q, k, v))
    assert gradgradcheck(fn, (q, k, v))


# --- self-attention, projections included, as one node ---------------------------------------

_X = _rng.standard_normal((5, 3, 8))  # (L, N, E)
_PARAMS = [_rng.standard_normal(s) * 0.5 for s in ((24, 8), (24,), (8, 8), (8,))]
_BIAS = _rng.standard_normal((5, 5))


def _fused_and_composed(bias, need):
    from retrograd.ops.attention import composed_self_attention, self_attention

    b = None if bias is None else retrograd.tensor(bias)
    runs = []
    for fn in (self_attention, composed_self_attention):
        x, *params = (retrograd.tensor(a, requires_grad=True) for a in (_X, *_PARAMS))
        out, weights = fn(x, *params, 2, b)
        loss = (out * out).sum() if need != "weights" else 0
        if need != "out":
            loss = loss + (weights * weights * 3).sum()
        loss.backward()
        runs.append((out, weights, [t.grad for t in (x, *params)]))
    return runs


@pytest.mark.parametrize("bias", [None, _BIAS])
@pytest.mark.parametrize("need", ["out", "weights", "both"])
def test_fused_self_attention_equals_the_composed_ops(bias, need):
    """Values and every gradient, from the output, the weights or both."""
    (out, weights, grads), (ref, ref_weights, ref_grads) = _fused_and_composed(bias, need)
    assert out.grad_fn.name() == "MultiheadSelfAttentionBackward0"
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), ref_weights.detach().numpy(), rtol=1e-12)
    for g, r in zip(grads, ref_grads):
        assert (g is None) == (r is None)
        if g is not None:
            np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bias", [None, _BIAS])
def test_fused_self_attention_gradcheck_and_gradgradcheck(bias):
    from retrograd.ops.attention import self_attention

    b = None if bias is None else retrograd.tensor(bias)
    x = retrograd.tensor(_X[:3, :2], requires_grad=True)
    params = [retrograd.tensor(a, requires_grad=True) for a in _PARAMS]
    if bias is not None:
        b = retrograd.tensor(bias[:3, :3])

    def fn(x, *params):
        return self_attention(x, *params, 2, b)

    assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_multihead_self_attention_second_derivatives_match_torch(torch_ref, batch_first, bias):
    """A gradient penalty through the fused layer (its backward recomposes the ops)."""
    x = _rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    results = []
    for lib, mha in zip(
        (retrograd, torch_ref), _pair_of_mha(torch_ref, batch_first=batch_first, bias=bias)
    ):
        mha = mha.double()
        t = lib.tensor(x, requires_grad=True)
        out, weights = mha(t, t, t)
        if lib is retrograd:  # the output's view (and transpose), then the fused node
            fn = out.grad_fn
            while fn.name() in ("TransposeBackward0", "ViewBackward0"):
                fn = fn.next_functions[0][0]
            assert fn.name() == "MultiheadSelfAttentionBackward0"
        loss = (out * out * out).sum() + (weights * weights).sum()
        grads = lib.autograd.grad(loss, [t, *mha.parameters()], create_graph=True)
        sum(g.pow(2).sum() for g in grads).backward()
        results.append([t.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("write", ["in_proj_weight", "weights"])
def test_fused_self_attention_refuses_saved_values_written_since(torch_ref, write):
    errors = []
    for lib, mha in zip((retrograd, torch_ref), _pair_of_mha(torch_ref)):
        t = lib.tensor(_X.astype(np.float32), requires_grad=True)
        out, weights = mha(t, t, t, average_attn_weights=False)
        if write == "weights":
            weights.mul_(2)
        else:
            with lib.no_grad():
                mha.in_proj_weight.mul_(2)
        with pytest.raises(RuntimeError) as info:
            (out.sum() + weights.sum()).backward()
        errors.append(str(info.value))
    assert errors[0].startswith(errors[1].split("[")[0])


@pytest.mark.parametrize("mask", ["padding only", "3-d float", "causal"])
def test_fused_self_attention_masks_match_torch(torch_ref, mask):
    """Each mask reaches the fused node as a bias of its own shape: (N * heads, 1, L) for
    padding, (N * heads, L, L), or (L, L)."""
    x = _rng.standard_normal((5, 3, 8)).astype(np.float32)
    padding = np.arange(5)[None, :] >= np.array([[5], [3], [4]])
    float_mask = _rng.standard_normal((6, 5, 5)).astype(np.float32)
    results = []
    for lib, mha in zip((retrograd, torch_ref), _pair_of_mha(torch_ref)):
        t = lib.tensor(x, requires_grad=True)
        if mask == "padding only":
            kw = {"key_padding_mask": lib.tensor(padding)}
        elif mask == "3-d float":
            kw = {"attn_mask": lib.tensor(float_mask)}
        else:
            kw = {"attn_mask": lib.nn.Transformer.generate_square_subsequent_mask(5)}
        out, weights = mha(t, t, t, **kw)
        ((out * out).sum() + (weights * weights).sum()).backward()
        grads = [t.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()]
        results.append([out.detach().numpy(), weights.detach().numpy()] + grads)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("size", [1.0, 40.0])
@pytest.mark.parametrize("self_attention", [True, False])
def test_multihead_attention_softmax_matches_torch_for_small_and_huge_scores(
    torch_ref, size, self_attention
):
    """The softmax subtracts no row maximum while every score lies well inside exp's range, and
    does where some do not (scores in the thousands here): both match PyTorch."""
    x = (_rng.standard_normal((3, 6, 8)) * size).astype(np.float32)
    y = (_rng.standard_normal((3, 6, 8)) * size).astype(np.float32)
    results = []
    for lib, mha in zip((retrograd, torch_ref), _pair_of_mha(torch_ref, batch_first=True)):
        t = lib.tensor(x, requires_grad=True)
        other = t if self_attention else lib.tensor(y, requires_grad=True)
        out, weights = mha(t, other, other, average_attn_weights=False)
        ((out * out).sum() + (weights * weights).sum()).backward()
        grads = [t.grad.numpy()] + [p.grad.numpy() for p in mha.parameters()]
        results.append((out.detach().numpy(), weights.detach().numpy(), grads))
    (out, weights, grads), (ref, ref_weights, ref_grads) = results
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * size)
    for a, b in zip(grads, ref_grads):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3 * size**2)
