"""The nn functions of PyTorch's ``torch`` namespace (``torch.batch_norm``, ``torch.lstm``,
``torch.stft`` ...) against PyTorch: the same program on both libraries gives the same values,
gradients, node names and errors; gradients also against finite differences in float64."""

import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")


def _pair(shape, seed=0, dtype="float64", grad=True, low=-1.0, high=1.0):
    a = np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)
    return (
        retrograd.tensor(a, requires_grad=grad),
        torch.tensor(a, requires_grad=grad),
    )


def _close(ours, theirs, tol=1e-6):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t, tol)
        return
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol, equal_nan=True
    )


def _same(fn, *specs, tol=1e-6, grad=True, node=True):
    """``fn(lib, *tensors)`` on both libraries: values, node name of the first output, and the
    gradients of the tensors that require grad for a random weighting of the outputs."""
    ours_in, theirs_in = [], []
    for i, spec in enumerate(specs):
        o, t = (
            spec
            if isinstance(spec, tuple) and isinstance(spec[0], retrograd.Tensor)
            else (_pair(spec, seed=i))
        )
        ours_in.append(o)
        theirs_in.append(t)
    ours = fn(retrograd, *ours_in)
    theirs = fn(torch, *theirs_in)
    _close(ours, theirs, tol)
    first_o = ours[0] if isinstance(ours, (tuple, list)) else ours
    first_t = theirs[0] if isinstance(theirs, (tuple, list)) else theirs
    if node and first_t.grad_fn is not None:
        assert type(first_o.grad_fn).__name__ == type(first_t.grad_fn).__name__
    if not grad or first_t.grad_fn is None:
        return ours, theirs
    if first_t.is_complex():
        first_o = retrograd.view_as_real(first_o.contiguous())
        first_t = torch.view_as_real(first_t)
    w = np.random.default_rng(7).uniform(-1, 1, tuple(first_t.shape))
    (first_o * retrograd.tensor(w, dtype=first_o.dtype)).sum().backward()
    (first_t * torch.tensor(w, dtype=first_t.dtype)).sum().backward()
    for o, t in zip(ours_in, theirs_in):
        if t.requires_grad:
            assert (o.grad is None) == (t.grad is None)
            if t.grad is not None:
                _close(o.grad, t.grad, tol)
    return ours, theirs


def _raises_same(fn, *args_pairs):
    with pytest.raises(Exception) as theirs:
        fn(torch, *[p[1] for p in args_pairs])
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd, *[p[0] for p in args_pairs])
    assert str(ours.value).startswith(str(theirs.value)), (ours.value, theirs.value)


def _gradcheck(fn, *shapes, seed=0):
    xs = [_pair(s, seed=seed + i)[0] for i, s in enumerate(shapes)]
    assert retrograd.autograd.gradcheck(fn, xs)


# --- normalisation ---------------------------------------------------------------------------


def test_batch_norm_training_updates_running_stats_in_pytorchs_order():
    x, w, b = (4, 3, 5), (3,), (3,)
    stats = [(retrograd.zeros(3), retrograd.ones(3)), (torch.zeros(3), torch.ones(3))]

    def f(t, x, w, b):
        rm, rv = stats[t is torch]
        rm, rv = rm.double(), rv.double()
        out = t.batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5, False)
        return out, rm, rv

    _same(f, x, w, b)
    _same(
        lambda t, x, w, b: t.batch_norm(
            x, w, b, x[0, :, 0].detach(), x[1, :, 0].detach().abs(), False, 0.1, 1e-5, True
        ),
        x,
        w,
        b,
    )
    _raises_same(
        lambda t, x: t.batch_norm(x, None, None, None, None, False, 0.1, 1e-5, False),
        _pair(x),
    )
    _gradcheck(
        lambda x, w, b: retrograd.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), x, w, b
    )


def test_native_batch_layer_group_norm_return_the_statistics():
    x = (4, 6, 5)
    _same(
        lambda t, x, w, b: t.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5), x, (6,), (6,)
    )
    _same(
        lambda t, x: t.native_batch_norm(
            x, None, None, t.zeros(6, dtype=t.float64), t.ones(6, dtype=t.float64), False, 0.1, 1e-5
        ),
        x,
    )
    _same(lambda t, x, w, b: t.native_layer_norm(x, [5], w, b, 1e-5), x, (5,), (5,))
    _same(lambda t, x, w, b: t.native_layer_norm(x, [6, 5], w, b, 1e-5), x, (6, 5), (6, 5))
    _same(lambda t, x, w, b: t.native_group_norm(x, w, b, 4, 6, 5, 3, 1e-5), x, (6,), (6,))
    _raises_same(lambda t, x: t.native_group_norm(x, None, None, 4, 6, 5, 4, 1e-5), _pair(x))


def test_layer_group_instance_rms_norm():
    x = (4, 6, 5)
    _same(lambda t, x, w, b: t.layer_norm(x, [5], w, b, 1e-5, True), x, (5,), (5,))
    _same(lambda t, x: t.layer_norm(x, (6, 5)), x)
    _same(lambda t, x, w, b: t.group_norm(x, 2, w, b, 1e-3), x, (6,), (6,))
    _same(lambda t, x: t.group_norm(x, 3), x)
    _same(
        lambda t, x, w, b: t.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        x,
        (6,),
        (6,),
    )
    _same(lambda t, x, w: t.rms_norm(x, [5], w, 1e-6), x, (5,))
    _same(lambda t, x: t.rms_norm(x, [6, 5]), x)
    _raises_same(lambda t, x: t.layer_norm(x, [4]), _pair(x))
    _raises_same(lambda t, x: t.group_norm(x, 4), _pair(x))
    _gradcheck(lambda x, w, b: retrograd.group_norm(x, 3, w, b), x, (6,), (6,))
    _gradcheck(lambda x, w, b: retrograd.layer_norm(x, [5], w, b), x, (5,), (5,))


# --- embeddings ------------------------------------------------------------------------------


def test_embedding_takes_the_weight_first_and_a_negative_padding_idx_means_none():
    idx = (retrograd.tensor([0, 1, 4, 1]), torch.tensor([0, 1, 4, 1]))
    _same(lambda t, w, i: t.embedding(w, i), (5, 3), idx)
    _same(lambda t, w, i: t.embedding(w, i, 1), (5, 3), idx)
    _same(lambda t, w, i: t.embedding(w, i, -2), (5, 3), idx)
    _same(lambda t, w, i: t.embedding(w, i, 1, True), (5, 3), idx)


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_bag_returns_pytorchs_four_results(mode, dtype):
    w = _pair((6, 3), dtype=dtype)
    idx = (retrograd.tensor([0, 1, 2, 5, 5, 3]), torch.tensor([0, 1, 2, 5, 5, 3]))
    off = (retrograd.tensor([0, 2, 2]), torch.tensor([0, 2, 2]))
    _same(lambda t, w, i, o: t.embedding_bag(w, i, o, False, mode), w, idx, off, tol=1e-5)
    # with include_last_offset PyTorch's bookkeeping results (and, for float32 sums, the
    # weight's gradient) hold unset memory: the output alone is compared, and in float64 (its
    # float32 mean sums the last bag up to the last offset but divides by the count to the end)
    if dtype == "float32":
        return
    last = (retrograd.tensor([0, 2, 5]), torch.tensor([0, 2, 5]))
    _same(
        lambda t, w, i, o: t.embedding_bag(w, i, o, False, mode, False, None, True)[0],
        w,
        idx,
        last,
        tol=1e-5,
        grad=False,
    )


# --- dropout ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "dropout",
        "alpha_dropout",
        "feature_dropout",
        "feature_alpha_dropout",
    ],
)
def test_dropout_family_in_and_out_of_place(name):
    x = (4, 3, 5)
    for train in (True, False):
        for p in (0.0, 0.3, 1.0):

            def f(t, x):
                t.manual_seed(3)
                return getattr(t, name)(x, p, train)

            _same(f, x, node=False)

            def g(t, x):
                t.manual_seed(3)
                y = x.detach().clone()
                out = getattr(t, name + "_")(y, p, train)
                assert out is y
                return out

            _same(g, x, grad=False)
    _raises_same(lambda t, x: getattr(t, name)(x, 1.5, True), _pair(x))
    one = (retrograd.ones(3, dtype=retrograd.int64), torch.ones(3, dtype=torch.int64))
    _raises_same(lambda t, x: getattr(t, name)(x, 0.5, True), one)


def test_feature_dropout_needs_two_dims():
    _raises_same(lambda t, x: t.feature_dropout(x, 0.5, True), _pair((3,)))
    _raises_same(lambda t, x: t.feature_alpha_dropout(x, 0.5, True), _pair((3,)))


def test_native_dropout_returns_the_mask_and_pytorchs_node():
    for train in (True, False, None):

        def f(t, x):
            t.manual_seed(1)
            return t.native_dropout(x, 0.4, train)

        _same(f, (5, 7))
    _raises_same(lambda t, x: t.native_dropout(x, 1.5, True), _pair((3,)))
    _gradcheck(lambda x: retrograd.native_dropout(x, 0.5, False)[0], (3, 4))
    mask = retrograd.native_dropout(retrograd.ones(50), 0.5, True)[1]
    _gradcheck(lambda x: retrograd.ops.nnops._masked_scale(x, mask._data, 2.0, 2.0), (50,))


# --- distances and products ------------------------------------------------------------------


def test_bilinear_cosine_similarity_pairwise_distance():
    _same(lambda t, a, b, w, c: t.bilinear(a, b, w, c), (4, 3), (4, 2), (5, 3, 2), (5,))
    _same(lambda t, a, b: t.cosine_similarity(a, b, 1, 1e-8), (4, 3), (4, 3))
    _same(lambda t, a, b: t.pairwise_distance(a, b, 3.0, 1e-6, True), (4, 3), (4, 3))


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_pdist(p):
    _same(lambda t, x: t.pdist(x, p), (5, 3))
    _same(lambda t, x: t.nn.functional.pdist(x, p), (4, 2))
    if p != 0.0:
        _gradcheck(lambda x: retrograd.pdist(x, p), (4, 3))
        assert retrograd.autograd.gradgradcheck(
            lambda x: retrograd.pdist(x, p), [_pair((4, 3), seed=5)[0]]
        )


def test_pdist_edges_and_errors():
    # (PyTorch's backward of an empty pdist crashes the process: values alone here)
    _same(lambda t, x: t.pdist(x), (1, 3), grad=False)
    _same(lambda t, x: t.pdist(x), (0, 3), grad=False)
    _same(lambda t, x: t.pdist(x), (3, 0), grad=False)
    rows = np.random.default_rng(0).uniform(-1, 1, (4, 3))
    rows[1] = rows[0]  # a zero distance: a zero gradient
    for p in (0.5, 1.0, 2.0, 3.0, float("inf")):
        pair = (retrograd.tensor(rows, requires_grad=True), torch.tensor(rows, requires_grad=True))
        _same(lambda t, x: t.pdist(x, p), pair)
    _raises_same(lambda t, x: t.pdist(x), _pair((2, 3, 4)))
    _raises_same(lambda t, x: t.pdist(x, -1.0), _pair((2, 3)))
    ints = (retrograd.ones(3, 2, dtype=retrograd.int64), torch.ones(3, 2, dtype=torch.int64))
    _raises_same(lambda t, x: t.pdist(x), ints)


# --- losses with ATen's int reductions ---------------------------------------------------------


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_losses_take_int_reductions(reduction):
    r = reduction
    sign = (
        retrograd.tensor([1.0, -1.0, 1.0, -1.0], dtype=retrograd.float64),
        torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64),
    )
    _same(lambda t, a, b, y: t.margin_ranking_loss(a, b, y, 0.1, r), (4,), (4,), sign)
    _same(lambda t, a, y: t.hinge_embedding_loss(a, y, 0.5, r), (4,), sign)
    _same(lambda t, a, b, y: t.cosine_embedding_loss(a, b, y, 0.1, r), (4, 3), (4, 3), sign)
    _same(
        lambda t, a, p, n: t.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6, True, r),
        (4, 3),
        (4, 3),
        (4, 3),
    )
    _same(lambda t, x, y: t.poisson_nll_loss(x, y.abs() * 3, True, True, 1e-8, r), (4, 3), (4, 3))
    _same(
        lambda t, x, y: t.poisson_nll_loss(x.abs(), y.abs(), False, False, 1e-8, r), (4, 3), (4, 3)
    )
    _same(
        lambda t, x, y, w, pw: t.binary_cross_entropy_with_logits(
            x, y.abs(), w.detach(), pw.detach(), r
        ),
        (4, 3),
        (4, 3),
        (3,),
        (3,),
    )
    _same(lambda t, x, y: t.kl_div(x, y.abs(), r), (4, 3), (4, 3))
    _same(lambda t, x, y: t.kl_div(x, y, r, log_target=True), (4, 3), (4, 3))


def test_kl_div_mean_gives_no_warning(recwarn):
    x, y = _pair((4, 3))[0], _pair((4, 3), seed=1)[0].abs()
    retrograd.kl_div(x, y, 1)
    assert not recwarn.list


def test_ctc_loss():
    lp = _pair((6, 2, 4))
    lp_o, lp_t = (
        lp[0].log_softmax(2).detach().requires_grad_(),
        lp[1].log_softmax(2).detach().requires_grad_(),
    )
    tg = (retrograd.tensor([[1, 2], [3, 3]]), torch.tensor([[1, 2], [3, 3]]))
    for r in (0, 1, 2):
        _same(lambda t, lp, y: t.ctc_loss(lp, y, [6, 5], [2, 2], 0, r, False), (lp_o, lp_t), tg)
        _same(
            lambda t, lp, y: t.ctc_loss(lp, y, t.tensor([6, 5]), t.tensor([2, 1]), 0, r, True),
            (lp_o, lp_t),
            tg,
        )


# --- padding, pooling, grids -----------------------------------------------------------------


def test_constant_pad_nd():
    _same(lambda t, x: t.constant_pad_nd(x, [1, 2], 1.5), (2, 3, 4))
    _same(lambda t, x: t.constant_pad_nd(x, [1, 0, -1, 2]), (2, 3, 4))


def test_pooling_1d():
    x = (2, 3, 7)
    _same(lambda t, x: t.max_pool1d(x, 2), x)
    _same(lambda t, x: t.max_pool1d(x, [3], [2], [1], [1], True), x)
    _same(lambda t, x: t.max_pool1d_with_indices(x, 3, 2, 1), x)
    _same(lambda t, x: t.nn.functional.max_pool1d_with_indices(x, 3, 2, 1), x)
    _same(lambda t, x: t.nn.functional.max_pool1d_with_indices(x, 3, return_indices=False), x)
    _same(lambda t, x: t.avg_pool1d(x, 3, 2, 1, True, False), x)
    _same(lambda t, x: t.avg_pool1d(x, [2]), x)
    _same(lambda t, x: t.adaptive_avg_pool1d(x, 3), x)
    _same(lambda t, x: t.adaptive_max_pool1d(x, [3]), x)
    _gradcheck(lambda x: retrograd.max_pool1d_with_indices(x, 2)[0], x)


def test_affine_grid_generator_and_grid_sampler():
    _same(lambda t, th: t.affine_grid_generator(th, [2, 1, 3, 4], False), (2, 2, 3))
    _same(lambda t, th: t.affine_grid_generator(th, [2, 1, 3, 4], True), (2, 2, 3))
    _same(lambda t, th: t.affine_grid_generator(th, [1, 2, 2, 3, 2], False), (1, 3, 4))
    _same(lambda t, th: t.nn.functional.affine_grid(th, [2, 1, 3, 4], False), (2, 2, 3))
    for mode in (0, 1, 2):
        for pad in (0, 1, 2):
            for corners in (False, True):
                _same(
                    lambda t, i, g: t.grid_sampler(i, g, mode, pad, corners),
                    (2, 1, 3, 4),
                    (2, 3, 4, 2),
                )
                _same(
                    lambda t, i, g: t.grid_sampler_2d(i, g, mode, pad, corners),
                    (2, 1, 3, 4),
                    (2, 3, 4, 2),
                )
                if mode < 2:
                    _same(
                        lambda t, i, g: t.grid_sampler_3d(i, g, mode, pad, corners),
                        (2, 1, 3, 4, 2),
                        (2, 3, 4, 1, 3),
                    )
    _raises_same(
        lambda t, i, g: t.grid_sampler_3d(i, g, 0, 0, False),
        _pair((2, 1, 3, 4)),
        _pair((2, 3, 4, 2)),
    )


# --- norms and conv_tbc ----------------------------------------------------------------------


def test_norm_except_dim():
    x = (3, 4, 5)
    for p, d in [(2, 0), (2, 1), (3, 2), (2, -1), (1, -2)]:
        _same(lambda t, v: t.norm_except_dim(v, p, d), x, node=False)
    _gradcheck(lambda v: retrograd.norm_except_dim(v, 2, 1), x)


def test_native_norm_is_sparse_only_on_the_cpu():
    with pytest.raises(NotImplementedError) as theirs:
        torch.native_norm(torch.ones(3))
    with pytest.raises(NotImplementedError) as ours:
        retrograd.native_norm(retrograd.ones(3))
    first = str(theirs.value).split(". ")[0]
    assert str(ours.value).startswith(first + ". ")


def test_conv_tbc():
    for pad in (0, 1, -1):
        _same(lambda t, i, w, b: t.conv_tbc(i, w, b, pad), (7, 2, 3), (3, 3, 4), (4,), node=False)
        _same(
            lambda t, i, w, b: t.nn.functional.conv_tbc(i, w, b, pad),
            (7, 2, 3),
            (3, 3, 4),
            (4,),
            node=False,
        )
    i, w, b = _pair((7, 2, 3)), _pair((3, 3, 4)), _pair((4,))
    _raises_same(lambda t, i, w, b: t.conv_tbc(i, w, b[:2]), i, w, b)
    _raises_same(lambda t, i, w, b: t.conv_tbc(i[0], w, b), i, w, b)
    _raises_same(lambda t, i, w, b: t.conv_tbc(i, w[0], b), i, w, b)
    _raises_same(lambda t, i, w, b: t.conv_tbc(i, w[:, :2], b), i, w, b)
    _raises_same(lambda t, i, w, b: t.conv_tbc(i, w, b[None]), i, w, b)
    _gradcheck(lambda i, w, b: retrograd.conv_tbc(i, w, b, 1), (5, 2, 3), (2, 3, 2), (2,))


# --- recurrent cells and flat-weights layers ---------------------------------------------------


def test_recurrent_cells():
    x, h, c = (3, 4), (3, 5), (3, 5)
    _same(
        lambda t, x, h, c, a, b, d, e: t.lstm_cell(x, (h, c), a, b, d, e),
        x,
        h,
        c,
        (20, 4),
        (20, 5),
        (20,),
        (20,),
    )
    _same(lambda t, x, h, c, a, b: t.lstm_cell(x, [h, c], a, b), x, h, c, (20, 4), (20, 5))
    _same(
        lambda t, x, h, a, b, d, e: t.gru_cell(x, h, a, b, d, e),
        x,
        h,
        (15, 4),
        (15, 5),
        (15,),
        (15,),
    )
    _same(
        lambda t, x, h, a, b, d, e: t.rnn_tanh_cell(x, h, a, b, d, e),
        x,
        h,
        (5, 4),
        (5, 5),
        (5,),
        (5,),
    )
    _same(lambda t, x, h, a, b: t.rnn_relu_cell(x, h, a, b), x, h, (5, 4), (5, 5))
    _gradcheck(lambda x, h, a, b: retrograd.gru_cell(x, h, a, b), x, h, (15, 4), (15, 5))


def _module_pair(cls, **kw):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(4, 5, **kw).double()
    ours = getattr(retrograd.nn, cls)(4, 5, **kw).double()
    ours.load_state_dict(
        {k: retrograd.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    return ours, theirs


@pytest.mark.parametrize(
    "name, cls", [("lstm", "LSTM"), ("gru", "GRU"), ("rnn_tanh", "RNN"), ("rnn_relu", "RNN")]
)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_flat_weights_layers_match_the_modules(name, cls, bidirectional, batch_first, bias):
    kw = dict(num_layers=2, bidirectional=bidirectional, bias=bias)
    if name == "rnn_relu":
        kw["nonlinearity"] = "relu"
    mods = _module_pair(cls, **kw)
    d = 2 if bidirectional else 1
    shape = (3, 6, 4) if batch_first else (6, 3, 4)

    def f(t, x, h, c):
        m = mods[t is torch]
        hx = (h, c) if name == "lstm" else h
        out = getattr(t, name)(
            x, hx, m._flat_weights, bias, 2, 0.0, False, bidirectional, batch_first
        )
        return out

    _same(f, shape, (2 * d, 3, 5), (2 * d, 3, 5))


@pytest.mark.parametrize("bias", [False, True])
def test_flat_weights_projected_lstm_matches_the_module(bias):
    """Projected when the states differ in size: each group of weights then ends with w_hr."""
    kw = dict(num_layers=2, bidirectional=True, bias=bias, proj_size=3)
    mods = _module_pair("LSTM", **kw)

    def f(t, x, h, c):
        m = mods[t is torch]
        flat = t.lstm(x, (h, c), m._flat_weights, bias, 2, 0.0, False, True, False)
        return flat + tuple(m(x, (h, c))[1])

    _same(f, (6, 2, 4), (4, 2, 3), (4, 2, 5))
    errors = []  # one weight missing
    for t in (retrograd, torch):
        x, h = t.zeros(6, 2, 4, dtype=t.float64), t.zeros(4, 2, 3, dtype=t.float64)
        c = t.zeros(4, 2, 5, dtype=t.float64)
        weights = mods[t is torch]._flat_weights[:-1]
        with pytest.raises(RuntimeError) as info:
            t.lstm(x, (h, c), weights, bias, 2, 0.0, False, True, False)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_flat_weights_lstm_on_packed_data():
    ours_m, theirs_m = _module_pair("LSTM", num_layers=1)
    x = _pair((5, 3, 4))
    lengths = [5, 3, 2]
    po = retrograd.nn.utils.rnn.pack_padded_sequence(x[0], lengths)
    pt = torch.nn.utils.rnn.pack_padded_sequence(x[1], lengths)
    h = _pair((1, 3, 5), seed=1)
    c = _pair((1, 3, 5), seed=2)
    ours = retrograd.lstm(
        po.data, po.batch_sizes, (h[0], c[0]), ours_m._flat_weights, True, 1, 0.0, False, False
    )
    theirs = torch.lstm(
        pt.data, pt.batch_sizes, (h[1], c[1]), theirs_m._flat_weights, True, 1, 0.0, False, False
    )
    _close(ours, theirs)


# --- stft / istft ----------------------------------------------------------------------------


def _hann(t, n):
    return t.hann_window(n, dtype=t.float64)


_STFT_CASES = [
    dict(n_fft=16, window=16),
    dict(n_fft=16, hop_length=3, win_length=10, window=10, normalized=True),
    dict(n_fft=16, window=16, center=False),
    dict(n_fft=16, window=16, pad_mode="constant"),
    dict(n_fft=16, window=16, pad_mode="circular", onesided=False),
    dict(n_fft=12, hop_length=5, window=None),
]


@pytest.mark.filterwarnings("ignore:A window was not provided")
@pytest.mark.parametrize("case", _STFT_CASES)
@pytest.mark.parametrize("batched", [False, True])
def test_stft_values_gradients_and_inverse(case, batched):
    shape = (2, 40) if batched else (40,)

    def kwargs(t):
        kw = dict(case)
        if kw.get("window") is not None:
            kw["window"] = _hann(t, kw["window"])
        return kw

    _same(lambda t, x: t.stft(x, return_complex=True, **kwargs(t)), shape)
    _same(lambda t, x: x.stft(return_complex=True, **kwargs(t)).abs(), shape, node=False)

    def round_trip(t, x):
        kw = kwargs(t)
        kw.pop("pad_mode", None)
        s = t.stft(x, return_complex=True, **kw)
        if not kw.get("center", True):
            return s
        return t.istft(s, **kw)

    _same(round_trip, shape)
    kw = kwargs(retrograd)
    kw.pop("pad_mode", None)
    assert retrograd.autograd.gradcheck(
        lambda x: retrograd.stft(x, return_complex=True, **kwargs(retrograd)), [_pair(shape)[0]]
    )


@pytest.mark.filterwarnings("ignore")
def test_stft_real_output_and_complex_input():
    _same(lambda t, x: t.stft(x, 8, window=_hann(t, 8), return_complex=False), (30,))
    c = np.random.default_rng(0).standard_normal((2, 30)) + 1j
    pair = (retrograd.tensor(c), torch.tensor(c))
    _same(lambda t, x: t.stft(x, 8, window=_hann(t, 8)), pair)
    _same(lambda t, x: t.stft(x, 8, window=_hann(t, 8)).abs(), pair, node=False)


@pytest.mark.filterwarnings("ignore")
def test_istft_length_normalized_two_sided():
    def f(t, x, **kw):
        s = t.stft(x, 16, window=_hann(t, 16), return_complex=True, **kw)
        return s

    for kw in (dict(length=50), dict(length=30), dict(normalized=True)):
        _same(
            lambda t, x: t.istft(
                f(t, x, **({"normalized": True} if "normalized" in kw else {})),
                16,
                window=_hann(t, 16),
                **kw,
            ),
            (2, 40),
        )
    _same(
        lambda t, x: t.istft(
            f(t, x, onesided=False), 16, window=_hann(t, 16), onesided=False, return_complex=True
        ),
        (2, 40),
    )
    _same(lambda t, x: t.istft(f(t, x, onesided=False), 16, window=_hann(t, 16)), (40,))
    assert retrograd.autograd.gradcheck(
        lambda x: retrograd.istft(f(retrograd, x), 16, window=_hann(retrograd, 16)),
        [_pair((2, 24))[0]],
    )


@pytest.mark.filterwarnings("ignore")
def test_istft_of_a_spectrum_no_real_signal_has():
    # A two-sided spectrum that is not conjugate-symmetric: a real output reads only its first
    # half (as one side of a symmetric one), a complex window's squares stay complex.
    rng = np.random.default_rng(1)

    def spectrum(shape):
        z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        return retrograd.tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)

    _same(lambda t, z: t.istft(z, 10), spectrum((10, 4)), node=False)
    _same(lambda t, z: t.istft(z, 8, onesided=False, center=False), spectrum((2, 8, 5)), node=False)
    w = rng.uniform(0.5, 1.5, 8) * (1 + 0.5j)
    window = retrograd.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    _same(
        lambda t, z, w: t.istft(z, 10, window=w, win_length=8, return_complex=True),
        spectrum((2, 10, 6)),
        window,
        node=False,
    )


def _sweep_tool():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / "opinfo_sweep.py"
    spec = importlib.util.spec_from_file_location("opinfo_sweep_tool", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("real", [False, True])
def test_istft_window_viewed_under_no_grad_gets_no_gradient(real):
    """PyTorch's istft samples pass ``window[:8]`` (or ``window.real[:8]``) made under no_grad
    from a window that requires grad: a view with no leaf of its own, so no edge and no
    gradient for it or its base.  retrograd gives the same, and the sweep tool converts such a
    view into one (it made a fresh leaf, which got a gradient PyTorch's has not)."""
    rng = np.random.default_rng(2)
    z = rng.standard_normal((2, 8, 6)) + 1j * rng.standard_normal((2, 8, 6))
    w = rng.uniform(0.5, 2, 10) * (1 + 0.5j)

    def window_of(base):
        return (base.real if real else base)[:8]

    their_base = torch.tensor(w, requires_grad=True)
    with torch.no_grad():
        theirs = window_of(their_base)
    ours = _sweep_tool().to_retrograd(theirs, torch, retrograd, {})
    for t, window in ((torch, theirs), (retrograd, ours)):
        x = t.tensor(z, requires_grad=True)
        kw = {} if real else {"return_complex": True}
        y = t.istft(x, 8, window=window, onesided=False, **kw)
        assert window.requires_grad and window.grad_fn is None
        (grad,) = t.autograd.grad(y.abs().sum(), [window], allow_unused=True)
        assert grad is None


@pytest.mark.filterwarnings("ignore")
def test_stft_and_istft_errors():
    x = _pair((2, 40))
    _raises_same(lambda t, x: t.stft(x, 16), x)
    _raises_same(lambda t, x: t.stft(x, 50, return_complex=True, center=False), x)
    _raises_same(lambda t, x: t.stft(x, 16, hop_length=0, return_complex=True), x)
    _raises_same(lambda t, x: t.stft(x, 16, win_length=20, return_complex=True), x)
    _raises_same(lambda t, x: t.stft(x, 16, window=t.ones(10), return_complex=True), x)
    _raises_same(lambda t, x: t.stft(x[None], 16, return_complex=True), x)
    _raises_same(lambda t, x: t.stft(x, 16, return_complex=True, align_to_window=True), x)
    _raises_same(lambda t, x: t.stft(x.to(t.complex128), 16, onesided=True), x)
    _raises_same(lambda t, x: t.istft(x, 16), x)
    _raises_same(lambda t, x: t.istft(t.stft(x, 16, return_complex=True), 15), x)
    _raises_same(
        lambda t, x: t.istft(t.stft(x, 16, return_complex=True), 16, return_complex=True), x
    )
    _raises_same(lambda t, x: t.istft(t.stft(x, 16, return_complex=True)[None], 16), x)
    _raises_same(
        lambda t, x: t.istft(t.stft(x, 16, return_complex=True), 16, window=t.zeros(16)), x
    )


def test_stft_warns_as_pytorch_does():
    with pytest.warns(UserWarning, match="A window was not provided"):
        retrograd.stft(retrograd.ones(20), 8, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        retrograd.stft(retrograd.ones(20), 8, window=retrograd.ones(8), return_complex=False)


# --- randomized low-rank SVD and PCA, LOBPCG -------------------------------------------------


def _low_rank(m, n, r, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, r)) @ rng.standard_normal((r, n))
    return retrograd.tensor(a), torch.tensor(a)


def _same_up_to_sign(ours, theirs, tol=1e-8):
    """Columns of two factors that may differ by a sign each."""
    o, t = ours.detach().numpy(), theirs.detach().numpy()
    signs = np.sign((o * t).sum(-2, keepdims=True))
    np.testing.assert_allclose(o * signs, t, rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(8, 6), (6, 8)])
def test_svd_lowrank_is_exact_on_a_matrix_of_low_rank(shape):
    a = _low_rank(*shape, 3)
    for q, niter in ((3, 2), (4, 0), (None, None)):

        def f(t, a):
            t.manual_seed(0)
            return t.svd_lowrank(a, q=q, niter=niter)

        (uo, so, vo), (ut, st, vt) = f(retrograd, a[0]), f(torch, a[1])
        _close(so[:3], st[:3], 1e-8)
        assert so.shape == st.shape and uo.shape == ut.shape and vo.shape == vt.shape
        _same_up_to_sign(uo[:, :3], ut[:, :3])
        _same_up_to_sign(vo[:, :3], vt[:, :3])
        rebuilt = uo.matmul(retrograd.diag(so)).matmul(vo.mT)
        np.testing.assert_allclose(rebuilt.numpy(), a[0].numpy(), atol=1e-10)


def test_svd_lowrank_with_M_and_gradients():
    a, m = _low_rank(8, 6, 2), _low_rank(1, 6, 1, seed=3)

    def f(t, a, m):
        t.manual_seed(0)
        return t.svd_lowrank(a, q=3, M=m)[1]

    _close(f(retrograd, *[x[0] for x in (a, m)]), f(torch, *[x[1] for x in (a, m)]), 1e-8)

    def singular_values(x):
        retrograd.manual_seed(0)
        return retrograd.svd_lowrank(x, q=2, niter=1)[1]

    x = _low_rank(6, 5, 2)[0].requires_grad_()
    assert retrograd.autograd.gradcheck(singular_values, [x])


def test_svd_lowrank_of_a_complex_matrix_draws_pytorchs_complex_normal_basis():
    """A complex A - M of higher rank than q: the approximation depends on the random matrix,
    drawn complex as PyTorch's; the factors, and the gradient of a phase-free function of
    them, match PyTorch's."""
    rng = np.random.default_rng(4)
    a, m = (rng.standard_normal((2, 6, 4)) + 1j * rng.standard_normal((2, 6, 4)) for _ in "am")
    got = []
    for t in (retrograd, torch):
        x, mean = t.tensor(a, requires_grad=True), t.tensor(m)
        t.manual_seed(3)
        U, S, V = t.svd_lowrank(x, q=2, M=mean)
        product = (U * S.unsqueeze(-2)) @ V.mH
        (grad,) = t.autograd.grad((product * product.conj()).real.sum() + S.sum(), x)
        got.append([y.detach().resolve_conj().numpy() for y in (S, U.abs(), product, grad)])
    for o, r in zip(*got):
        np.testing.assert_allclose(o, r, rtol=1e-9, atol=1e-9)


def test_pca_lowrank_centres_the_columns():
    a = _pair((9, 5), grad=False)
    for kw in ({}, dict(q=3), dict(center=False, q=5), dict(niter=4)):

        def f(t, a):
            t.manual_seed(0)
            return t.pca_lowrank(a, **kw)

        (uo, so, vo), (ut, st, vt) = f(retrograd, a[0]), f(torch, a[1])
        assert so.shape == st.shape and uo.shape == ut.shape and vo.shape == vt.shape
        if kw.get("q", 5) == 5:  # the full rank: exact
            _close(so, st, 1e-8)
    _raises_same(lambda t, a: t.pca_lowrank(a, q=9), a)
    _raises_same(lambda t, a: t.pca_lowrank(a, niter=-1), a)


def _spd(m, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.standard_normal((m, m))
    s = s @ s.T + np.eye(m)
    return retrograd.tensor(s), torch.tensor(s)


@pytest.mark.parametrize(
    "kw",
    [
        dict(k=2),
        dict(k=2, largest=False),
        dict(k=3, method="basic"),
        dict(k=2, n=3),
        dict(k=1, largest=False, tol=1e-10),
    ],
)
def test_lobpcg_finds_pytorchs_eigenvalues(kw):
    a = _spd(15)
    eo, xo = retrograd.lobpcg(a[0], **kw)
    et, xt = torch.lobpcg(a[1], **kw)
    _close(eo, et, 1e-6)
    assert xo.shape == xt.shape
    _same_up_to_sign(xo, xt, 1e-4)
    residual = a[0].matmul(xo) - xo * eo
    assert float(residual.abs().max()) < 1e-5


def test_lobpcg_generalized_preconditioned_and_given_start():
    a, b = _spd(15), _spd(15, seed=1)
    start = _pair((15, 3), seed=4, grad=False)
    for kw in (dict(k=2, B=b), dict(X=start), dict(k=2, X=start, largest=False, iK=b)):
        args_o = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kw.items()}
        args_t = {k: (v[1] if isinstance(v, tuple) else v) for k, v in kw.items()}
        eo, _ = retrograd.lobpcg(a[0], **args_o)
        et, _ = torch.lobpcg(a[1], **args_t)
        _close(eo, et, 1e-6)


def test_lobpcg_errors():
    _raises_same(lambda t, a: t.lobpcg(a[:10, :10], k=4), _spd(15))
    with pytest.raises(NotImplementedError, match="gradients"):
        retrograd.lobpcg(_spd(12)[0].requires_grad_(), k=2)


# --- linear_cross_entropy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(reduction="sum"),
        dict(reduction="none", ignore_index=1),
        dict(label_smoothing=0.2),
        dict(weight=True),
        dict(bias=True),
    ],
)
def test_linear_cross_entropy(kw):
    kw = dict(kw)
    use_bias = kw.pop("bias", False)
    use_weight = kw.pop("weight", False)
    target = (retrograd.tensor([0, 2, 1, 1]), torch.tensor([0, 2, 1, 1]))

    def f(t, x, w, b, cw, y):
        extra = dict(kw)
        if use_bias:
            extra["linear_bias"] = b
        if use_weight:
            extra["weight"] = cw.detach().abs()
        return t.nn.functional.linear_cross_entropy(x, w, y, **extra)

    _same(f, (4, 5), (3, 5), (3,), (3,), target)
    _same(lambda t, x, w, y: t.nn.functional.linear_cross_entropy(x, w, y[0]), (5,), (3, 5), target)
    assert retrograd.autograd.gradcheck(
        lambda x, w: retrograd.nn.functional.linear_cross_entropy(x, w, target[0], **kw),
        [_pair((4, 5))[0], _pair((3, 5), seed=1)[0]],
    )


def test_linear_cross_entropy_k_dimensional_and_probabilities():
    target = (retrograd.tensor([[0, 2], [1, 1]]), torch.tensor([[0, 2], [1, 1]]))
    _same(
        lambda t, x, w, b, y: t.nn.functional.linear_cross_entropy(x, w, y, linear_bias=b),
        (2, 5),
        (3, 2, 5),
        (3, 2),
        target,
        node=False,  # (F.cross_entropy's node for K-dimensional logits: NllLossBackward0 here)
    )
    _same(
        lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x, w, p.softmax(1)),
        (4, 5),
        (3, 5),
        (4, 3),
        node=False,  # (F.cross_entropy's last node for probabilities: DivBackward0 here)
    )
    x, w = _pair((4, 5)), _pair((3, 5))
    p = _pair((4, 3))
    _raises_same(
        lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x, w, p, ignore_index=0), x, w, p
    )
    _raises_same(lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x[None], w, p), x, w, p)
    _raises_same(lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x, w[0], p), x, w, p)
    _raises_same(lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x, w[:, :4], p), x, w, p)
    _raises_same(
        lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x, w, p, linear_bias=w[0]), x, w, p
    )
    _raises_same(
        lambda t, x, w, p: t.nn.functional.linear_cross_entropy(x[0], w[:, None], p), x, w, p
    )


def test_linear_cross_entropy_loss_module():
    for kw in (dict(), dict(out_features=(2,), bias=True, reduction="sum", label_smoothing=0.1)):
        torch.manual_seed(0)
        theirs = torch.nn.LinearCrossEntropyLoss(5, 3, dtype=torch.float64, **kw)
        ours = retrograd.nn.LinearCrossEntropyLoss(5, 3, dtype=retrograd.float64, **kw)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        ours.load_state_dict(
            {k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
        )
        y = [[0, 2], [1, 1]] if kw else [0, 2]
        x = _pair((2, 5), grad=False)
        lo = ours(x[0], retrograd.tensor(y))
        lt = theirs(x[1], torch.tensor(y))
        _close(lo, lt)
        lo.backward()
        lt.backward()
        _close(ours.linear.weight.grad, theirs.linear.weight.grad)
    with pytest.raises(RuntimeError) as theirs_err:
        torch.nn.LinearCrossEntropyLoss(5, 3, label_smoothing=2.0)
    with pytest.raises(
        RuntimeError, match=str(theirs_err.value).replace("[", r"\[").replace("]", r"\]")
    ):
        retrograd.nn.LinearCrossEntropyLoss(5, 3, label_smoothing=2.0)
