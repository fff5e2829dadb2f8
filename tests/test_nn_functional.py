"""retrograd.nn.functional: values and gradients against PyTorch, derivatives against finite
differences in float64 (first and second order)."""

import math

import numpy as np
import pytest
from conftest import rand64
from nn_parity import close, pair, randn

import retrograd
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

# name, our call, torch's call (each takes the functional module and the input)
ACTIVATIONS = [
    ("relu", lambda f, x: f.relu(x)),
    ("gelu", lambda f, x: f.gelu(x)),
    ("gelu_tanh", lambda f, x: f.gelu(x, approximate="tanh")),
    ("silu", lambda f, x: f.silu(x)),
    ("softplus", lambda f, x: f.softplus(x)),
    ("softplus_beta", lambda f, x: f.softplus(x, beta=2.0, threshold=1.5)),
    ("elu", lambda f, x: f.elu(x)),
    ("elu_alpha", lambda f, x: f.elu(x, alpha=0.5)),
    ("selu", lambda f, x: f.selu(x)),
    ("leaky_relu", lambda f, x: f.leaky_relu(x)),
    ("leaky_relu_slope", lambda f, x: f.leaky_relu(x, 0.2)),
    ("sigmoid", lambda f, x: f.sigmoid(x)),
    ("tanh", lambda f, x: f.tanh(x)),
    ("logsigmoid", lambda f, x: f.logsigmoid(x)),
    ("hardtanh", lambda f, x: f.hardtanh(x, -0.5, 0.7)),
    ("softmax0", lambda f, x: f.softmax(x, dim=0)),
    ("softmax1", lambda f, x: f.softmax(x, dim=-1)),
    ("log_softmax0", lambda f, x: f.log_softmax(x, dim=0)),
    ("log_softmax1", lambda f, x: f.log_softmax(x, dim=1)),
    ("softmin", lambda f, x: f.softmin(x, dim=1)),
]


@pytest.mark.parametrize("name,call", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(torch_ref, name, call):
    values = randn(0, 4, 5) * 3
    values[0, :3] = [0.0, 25.0, -30.0]  # zero, and the far ends of softplus' threshold
    x, tx = pair(torch_ref, values)
    y, ty = call(F, x), call(torch_ref.nn.functional, tx)
    close(y, ty)
    w = randn(1, 4, 5)
    (y * retrograd.tensor(w)).sum().backward()
    (ty * torch_ref.tensor(w)).sum().backward()
    close(x.grad, tx.grad)


@pytest.mark.parametrize("name,call", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck(name, call):
    x = rand64(3, 4, low=-2, high=2)
    assert gradcheck(lambda t: call(F, t), (x,))
    if name not in ("relu", "hardtanh"):  # piecewise linear: second derivative zero anyway
        assert gradgradcheck(lambda t: call(F, t), (x,))


def test_node_names_match_torch(torch_ref):
    x, tx = pair(torch_ref, randn(0, 2, 3))
    tf = torch_ref.nn.functional
    for ours, theirs in [
        (F.gelu(x), tf.gelu(tx)),
        (F.silu(x), tf.silu(tx)),
        (F.softplus(x), tf.softplus(tx)),
        (F.elu(x), tf.elu(tx)),
        (F.leaky_relu(x), tf.leaky_relu(tx)),
        (F.softmax(x, 1), tf.softmax(tx, 1)),
        (F.log_softmax(x, 1), tf.log_softmax(tx, 1)),
        (
            F.cross_entropy(x, retrograd.tensor([0, 2])),
            tf.cross_entropy(tx, torch_ref.tensor([0, 2])),
        ),
    ]:
        assert ours.grad_fn.name() == theirs.grad_fn.name()


def test_erf_to_double_precision():
    xs = np.linspace(-7, 7, 2001)
    ours = retrograd.erf(retrograd.tensor(xs)).numpy()
    np.testing.assert_allclose(ours, [math.erf(v) for v in xs], rtol=0, atol=4e-15)
    assert retrograd.erf(retrograd.tensor([0.5])).dtype == retrograd.float32
    assert gradgradcheck(retrograd.erf, (rand64(5, low=-3, high=3),))


def test_softmax_is_stable_for_large_inputs():
    x = retrograd.tensor([[1000.0, 1000.0], [-1000.0, 0.0]])
    np.testing.assert_allclose(F.softmax(x, 1).numpy(), [[0.5, 0.5], [0.0, 1.0]])
    assert np.isfinite(F.log_softmax(x, 1).numpy()).all()


def test_softmax_integer_input_refused_as_torch(torch_ref):
    with pytest.raises(NotImplementedError) as ours:
        F.softmax(retrograd.tensor([1, 2]), 0)
    with pytest.raises(NotImplementedError) as theirs:
        torch_ref.nn.functional.softmax(torch_ref.tensor([1, 2]), 0)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_warns_as_torch_naming_the_function(torch_ref, name):
    """An implicit dim warns with the function's own name, at the caller's line."""
    found = []
    for lib in (retrograd, torch_ref):
        with pytest.warns(UserWarning) as record:
            getattr(lib.nn.functional, name)(lib.tensor([[1.0, 2.0], [3.0, 5.0]]))
        found.append(([str(w.message) for w in record], record[0].filename))
    assert found[0] == found[1]
    assert found[0][1] == __file__


def test_softmax_dtype_argument(torch_ref):
    x = retrograd.tensor([1.0, 2.0])
    assert F.softmax(x, 0, dtype=retrograd.float64).dtype == retrograd.float64


def test_linear_matches_torch(torch_ref):
    for x_shape in [(3, 4), (2, 3, 4), (4,)]:
        x, tx = pair(torch_ref, randn(0, *x_shape))
        w, tw = pair(torch_ref, randn(1, 5, 4))
        b, tb = pair(torch_ref, randn(2, 5))
        y, ty = F.linear(x, w, b), torch_ref.nn.functional.linear(tx, tw, tb)
        close(y, ty)
        y.sum().backward()
        ty.sum().backward()
        for a, t in [(x, tx), (w, tw), (b, tb)]:
            close(a.grad, t.grad)


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "empty features"])
def test_linear_of_a_batch_of_sequences_is_pytorchs_view_addmm_view(torch_ref, layout):
    shape = (5, 3, 0) if layout == "empty features" else (5, 3, 4)
    xa = randn(0, *shape)
    x, tx = pair(torch_ref, xa.transpose(1, 0, 2) if layout == "transposed" else xa)
    w, tw = pair(torch_ref, randn(1, 6, shape[-1]))
    b, tb = pair(torch_ref, randn(2, 6))
    y, ty = F.linear(x, w, b), torch_ref.nn.functional.linear(tx, tw, tb)
    close(y, ty)
    assert y._data.flags.c_contiguous
    if layout == "contiguous":  # (PyTorch's matmul takes over from addmm otherwise)
        names = []
        for node in (y.grad_fn, ty.grad_fn):
            addmm = node.next_functions[0][0]
            inner = sorted(n.name() for n, _ in addmm.next_functions if n is not None)
            names.append((node.name(), addmm.name(), "ViewBackward0" in inner))
        assert names[0] == names[1] == ("ViewBackward0", "AddmmBackward0", True)
    g = randn(3, *ty.shape)
    y.backward(retrograd.tensor(g))
    ty.backward(torch_ref.tensor(g))
    for a, t in [(x, tx), (w, tw), (b, tb)]:
        close(a.grad, t.grad)
        assert a.grad.shape == a.shape


def test_linear_of_a_batch_of_sequences_gradgradcheck():
    x, w, b = rand64(2, 3, 4), rand64(5, 4, seed=1), rand64(5, seed=2)
    assert gradgradcheck(F.linear, (x, w, b))
    assert gradgradcheck(lambda x: F.linear(x.transpose(0, 1), w, b), (x,))


def test_linear_and_bilinear_gradcheck():
    x, w, b = rand64(3, 4), rand64(5, 4, seed=1), rand64(5, seed=2)
    assert gradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda x, w: F.linear(x, w), (x, w))
    x1, x2, wb = rand64(2, 3), rand64(2, 4, seed=3), rand64(2, 3, 4, seed=4)
    assert gradcheck(F.bilinear, (x1, x2, wb, rand64(2, seed=5)))


def test_bilinear_matches_torch(torch_ref):
    x1, t1 = pair(torch_ref, randn(0, 3, 2))
    x2, t2 = pair(torch_ref, randn(1, 3, 4))
    w, tw = pair(torch_ref, randn(2, 5, 2, 4))
    b, tb = pair(torch_ref, randn(3, 5))
    close(F.bilinear(x1, x2, w, b), torch_ref.nn.functional.bilinear(t1, t2, tw, tb))


def test_dropout_training_and_eval():
    retrograd.manual_seed(0)
    x = retrograd.ones(2000, requires_grad=True)
    y = F.dropout(x, 0.25)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.05
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)  # the same mask in the gradient
    assert F.dropout(x, 0.25, training=False) is x
    assert (F.dropout(x, 1.0).detach().numpy() == 0).all()
    retrograd.manual_seed(3)
    a = F.dropout(x, 0.5).detach().numpy()
    retrograd.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).detach().numpy())


def test_dropout_bad_probability(torch_ref):
    with pytest.raises(ValueError) as ours:
        F.dropout(retrograd.ones(2), 1.5)
    with pytest.raises(ValueError) as theirs:
        torch_ref.nn.functional.dropout(torch_ref.ones(2), 1.5)
    assert str(ours.value) == str(theirs.value)


def test_embedding_matches_torch_with_padding(torch_ref):
    w, tw = pair(torch_ref, randn(0, 6, 3))
    idx = [[0, 2, 2], [5, 0, 1]]
    y = F.embedding(retrograd.tensor(idx), w, padding_idx=2)
    ty = torch_ref.nn.functional.embedding(torch_ref.tensor(idx), tw, padding_idx=2)
    close(y, ty)
    g = randn(1, 2, 3, 3)
    (y * retrograd.tensor(g)).sum().backward()
    (ty * torch_ref.tensor(g)).sum().backward()
    close(w.grad, tw.grad)
    assert y.grad_fn.name() == ty.grad_fn.name()


def test_embedding_double_backward():
    w = rand64(5, 3)
    idx = retrograd.tensor([[1, 1], [4, 0]])
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))


def test_linear_one_node_and_errors_match_torch(torch_ref):
    lin, tlin = retrograd.nn.Linear(2, 3), torch_ref.nn.Linear(2, 3)
    assert lin(retrograd.ones(4, 2)).grad_fn.name() == tlin(torch_ref.ones(4, 2)).grad_fn.name()
    for shape, dtype in [((4, 5), None), ((4, 7, 5), None), ((4, 2), "float64")]:
        with pytest.raises(RuntimeError) as a:
            lin(retrograd.ones(*shape, dtype=getattr(retrograd, dtype) if dtype else None))
        with pytest.raises(RuntimeError) as b:
            tlin(torch_ref.ones(*shape, dtype=getattr(torch_ref, dtype) if dtype else None))
        assert str(a.value) == str(b.value)


def test_linear_node_lists_its_edges_in_addmm_order(torch_ref):
    """Bias, input, weight, as PyTorch's addmm: a walk down next_functions from a layer's output
    meets the bias's AccumulateGrad first, then the input's node (the neural-networks tutorial
    prints them).  The weight's edge is its AccumulateGrad, not PyTorch's TBackward0 before it."""
    walks = []
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        x = lib.randn(4, 3, requires_grad=True)
        for out in (lin(x.relu()), lin(x.relu()[0]), lin(x.relu().unsqueeze(0))):
            node = out.grad_fn
            while node.name() != "AddmmBackward0":
                node = node.next_functions[0][0]
            first, second = (n.name() for n, _ in node.next_functions[:2])
            walks.append((first, second, node.next_functions[0][0].variable is lin.bias))
    assert walks[:3] == walks[3:]


def test_linear_double_backward():
    x, w, b = rand64(3, 4), rand64(5, 4, seed=1), rand64(5, seed=2)
    assert gradgradcheck(F.linear, (x, w, b))
    assert gradcheck(F.linear, (rand64(2, 3, 4), w, b))


def test_similarity_and_normalize_match_torch(torch_ref):
    tf = torch_ref.nn.functional
    a, ta = pair(torch_ref, randn(0, 3, 4))
    b, tb = pair(torch_ref, randn(1, 3, 4))
    for ours, theirs in [
        (F.cosine_similarity(a, b), tf.cosine_similarity(ta, tb)),
        (F.cosine_similarity(a, b, dim=0), tf.cosine_similarity(ta, tb, dim=0)),
        (F.normalize(a), tf.normalize(ta)),
        (F.normalize(a, p=1.0, dim=0), tf.normalize(ta, p=1.0, dim=0)),
    ]:
        close(ours, theirs)
        ours.sum().backward()
        theirs.sum().backward()
        close(a.grad, ta.grad)
        a.grad = ta.grad = None


@pytest.mark.parametrize(
    "kwargs", [{}, {"is_causal": True}, {"scale": 0.3}, {"mask": "bool"}, {"mask": "float"}]
)
def test_scaled_dot_product_attention_matches_torch(torch_ref, kwargs):
    q, tq = pair(torch_ref, randn(0, 2, 3, 4))
    k, tk = pair(torch_ref, randn(1, 2, 3, 4))
    v, tv = pair(torch_ref, randn(2, 2, 3, 5))
    kwargs = dict(kwargs)
    mask = kwargs.pop("mask", None)
    ours_kw, theirs_kw = dict(kwargs), dict(kwargs)
    if mask == "bool":
        m = np.tril(np.ones((3, 3), bool))
        ours_kw["attn_mask"], theirs_kw["attn_mask"] = retrograd.tensor(m), torch_ref.tensor(m)
    elif mask == "float":
        m = randn(3, 3, 3)
        ours_kw["attn_mask"], theirs_kw["attn_mask"] = retrograd.tensor(m), torch_ref.tensor(m)
    out = F.scaled_dot_product_attention(q, k, v, **ours_kw)
    tout = torch_ref.nn.functional.scaled_dot_product_attention(tq, tk, tv, **theirs_kw)
    close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    for ours, theirs in [(q, tq), (k, tk), (v, tv)]:
        close(ours.grad, theirs.grad)


def test_linear_with_broadcast_bias(torch_ref):
    x, tx = pair(torch_ref, randn(0, 3, 4))
    w, tw = pair(torch_ref, randn(1, 5, 4))
    b, tb = pair(torch_ref, randn(2, 3, 5))
    y, ty = F.linear(x, w, b), torch_ref.nn.functional.linear(tx, tw, tb)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(b.grad, tb.grad)


def test_dropout_and_attention_gradcheck():
    def dropped(x):
        retrograd.manual_seed(5)  # the same mask at every evaluation
        return F.dropout(x, 0.4)

    assert gradcheck(dropped, (rand64(3, 4),))
    q, k, v = rand64(2, 3, 2), rand64(2, 4, 2, seed=1), rand64(2, 4, 3, seed=2)
    assert gradcheck(F.scaled_dot_product_attention, (q, k, v))
    mask = retrograd.tensor(np.tril(np.ones((3, 4), bool)))
    assert gradgradcheck(
        lambda q, k: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k)
    )


def test_one_hot_matches_torch(torch_ref):
    tf = torch_ref.nn.functional
    for idx, n in [([0, 2], 4), ([[1], [0]], -1), ([3, 0], -1)]:
        ours, theirs = F.one_hot(retrograd.tensor(idx), n), tf.one_hot(torch_ref.tensor(idx), n)
        assert ours.dtype == retrograd.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for args in [([-1], -1), ([3], 2), ([1.0], -1)]:
        with pytest.raises(RuntimeError) as a:
            F.one_hot(retrograd.tensor(args[0]), args[1])
        with pytest.raises(RuntimeError) as b:
            tf.one_hot(torch_ref.tensor(args[0]), args[1])
        assert str(a.value) == str(b.value)


def test_normalize_and_cosine_similarity_at_a_zero_vector(torch_ref):
    """Finite gradients equal to PyTorch's where a row is all zeros (no nan from sqrt at 0)."""
    out = []
    for lib in (retrograd, torch_ref):
        F = lib.nn.functional
        x = lib.tensor([[1.0, 2.0], [0.0, 0.0], [-1.0, 3.0]], requires_grad=True)
        (F.normalize(x, p=3.0) * lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
        a = lib.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
        b = lib.tensor([[2.0, 1.0], [1.0, 1.0]], requires_grad=True)
        F.cosine_similarity(a, b).sum().backward()
        out.append(
            x.grad.flatten().tolist() + a.grad.flatten().tolist() + b.grad.flatten().tolist()
        )
    assert out[0] == pytest.approx(out[1], rel=1e-5)


def test_hardtanh_and_relu6_gradients_are_zero_at_the_bounds(torch_ref):
    out = []
    for lib in (retrograd, torch_ref):
        F = lib.nn.functional
        x = lib.tensor([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0], requires_grad=True)
        (F.hardtanh(x) + 2 * F.relu6(x)).sum().backward()
        out.append(x.grad.tolist())
    assert out[0] == out[1]


@pytest.mark.parametrize("inplace", [False, True])
def test_elu_second_derivative_at_zero_is_pytorchs(torch_ref, inplace):
    """At 0 elu's gradient takes the negative side's slope (alpha) and its second derivative
    is 0, from the input or (in place) from the result."""
    out = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([-1.0, 0.0, 1.0], dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.elu(x * 1, 0.5, inplace=inplace)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        out.append((g.tolist(), gg.tolist()))
    assert out[0] == out[1]


@pytest.mark.parametrize(
    "name, args",
    [
        ("relu", ()),
        ("relu6", ()),
        ("hardtanh", ()),
        ("elu", ()),
        ("selu", ()),
        ("silu", ()),
        ("leaky_relu", (0.1,)),
    ],
)
def test_inplace_true_writes_into_the_input(name, args, torch_ref):
    out = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([-2.0, -0.5, 0.5, 7.0], requires_grad=True)
        y = x * 1
        r = getattr(lib.nn.functional, name)(y, *args, inplace=True)
        assert r is y
        (y * y).sum().backward()
        out.append(y.tolist() + x.grad.tolist())
    assert out[0] == pytest.approx(out[1], rel=1e-5)
