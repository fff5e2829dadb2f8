"""CPU autocast and GradScaler against PyTorch: the state functions, which ops run in the low
dtype and which in float32, a small model's dtypes, values and gradients, and GradScaler's
scales, skipped steps and errors on the same training program."""

import warnings

import numpy as np
import pytest

import retrograd


def _inputs(lib, dt):
    rs = np.random.RandomState(0)
    return lambda *shape: lib.tensor(rs.randn(*shape).astype(np.float32)).to(dt)


# op -> a call on tensors made by r(*shape); each runs under autocast('cpu') with float32,
# bfloat16 and float64 inputs, and its result's dtype must be PyTorch's.
OPS = {
    "mm": lambda m, r: m.mm(r(3, 4), r(4, 5)),
    "matmul": lambda m, r: m.matmul(r(3, 4), r(4, 5)),
    "matmul vectors": lambda m, r: r(4) @ r(4),
    "bmm": lambda m, r: m.bmm(r(2, 3, 4), r(2, 4, 5)),
    "addmm": lambda m, r: m.addmm(r(3, 5), r(3, 4), r(4, 5)),
    "baddbmm": lambda m, r: m.baddbmm(r(2, 3, 5), r(2, 3, 4), r(2, 4, 5)),
    "addbmm": lambda m, r: m.addbmm(r(3, 5), r(2, 3, 4), r(2, 4, 5)),
    "linear": lambda m, r: m.nn.functional.linear(r(3, 4), r(5, 4), r(5)),
    "linear 3d": lambda m, r: m.nn.functional.linear(r(2, 3, 4), r(5, 4)),
    "conv1d": lambda m, r: m.nn.functional.conv1d(r(1, 2, 8), r(3, 2, 3)),
    "conv2d": lambda m, r: m.nn.functional.conv2d(r(1, 2, 6, 6), r(3, 2, 3, 3), r(3)),
    "conv_transpose2d": lambda m, r: m.nn.functional.conv_transpose2d(r(1, 2, 4, 4), r(2, 3, 3, 3)),
    "prelu": lambda m, r: m.nn.functional.prelu(r(3, 4), r(1)),
    "attention": lambda m, r: m.nn.functional.scaled_dot_product_attention(
        r(1, 2, 4, 8), r(1, 2, 4, 8), r(1, 2, 4, 8)
    ),
    "vecdot": lambda m, r: m.linalg.vecdot(r(3, 4), r(3, 4)),
    "einsum": lambda m, r: m.einsum("ij,jk->ik", r(3, 4), r(4, 5)),
    "tensordot": lambda m, r: m.tensordot(r(3, 4), r(4, 5), 1),
    "multi_dot": lambda m, r: m.linalg.multi_dot([r(3, 4), r(4, 5), r(5, 2)]),
    # not on either list: they run in what they are given
    "dot": lambda m, r: m.dot(r(4), r(4)),
    "mv": lambda m, r: m.mv(r(3, 4), r(4)),
    "outer": lambda m, r: m.outer(r(3), r(4)),
    "relu": lambda m, r: m.relu(r(3)),
    "softmax": lambda m, r: m.softmax(r(3, 4), 1),
    "log_softmax": lambda m, r: m.log_softmax(r(3, 4), 1),
    "layer_norm": lambda m, r: m.nn.functional.layer_norm(r(3, 4), (4,)),
    "sum": lambda m, r: r(3).sum(),
    # the float32 list
    "prod": lambda m, r: r(3).prod(),
    "prod dim": lambda m, r: r(3, 2).prod(1),
    "mse_loss": lambda m, r: m.nn.functional.mse_loss(r(3), r(3)),
    "l1_loss": lambda m, r: m.nn.functional.l1_loss(r(3), r(3)),
    "smooth_l1_loss": lambda m, r: m.nn.functional.smooth_l1_loss(r(3), r(3)),
    "huber_loss": lambda m, r: m.nn.functional.huber_loss(r(3), r(3)),
    "cross_entropy": lambda m, r: m.nn.functional.cross_entropy(r(3, 4), m.tensor([0, 1, 2])),
    "nll_loss": lambda m, r: m.nn.functional.nll_loss(r(3, 4), m.tensor([0, 1, 2])),
    "binary_cross_entropy": lambda m, r: m.nn.functional.binary_cross_entropy(
        r(3).sigmoid(), r(3).sigmoid()
    ),
    "bce_with_logits": lambda m, r: m.nn.functional.binary_cross_entropy_with_logits(
        r(3), r(3).sigmoid()
    ),
    "kl_div": lambda m, r: m.nn.functional.kl_div(r(3), r(3), reduction="batchmean"),
    "soft_margin_loss": lambda m, r: m.nn.functional.soft_margin_loss(r(3), r(3)),
    "margin_ranking_loss": lambda m, r: m.nn.functional.margin_ranking_loss(r(3), r(3), r(3)),
    "hinge_embedding_loss": lambda m, r: m.nn.functional.hinge_embedding_loss(r(3), r(3)),
    "cosine_embedding_loss": lambda m, r: m.nn.functional.cosine_embedding_loss(
        r(3, 4), r(3, 4), r(3)
    ),
    "poisson_nll_loss": lambda m, r: m.nn.functional.poisson_nll_loss(r(3), r(3)),
    "triplet_margin_loss": lambda m, r: m.nn.functional.triplet_margin_loss(
        r(3, 4), r(3, 4), r(3, 4)
    ),
    "cdist": lambda m, r: m.cdist(r(3, 4), r(2, 4)),
    "trace": lambda m, r: m.trace(r(3, 3)),
    "quantile": lambda m, r: m.quantile(r(5), 0.5),
    "linalg.inv": lambda m, r: m.linalg.inv(r(3, 3)),
    "inverse": lambda m, r: m.inverse(r(3, 3)),
    "pinverse": lambda m, r: m.pinverse(r(3, 3)),
    "qr": lambda m, r: m.linalg.qr(r(3, 3))[0],
    "svd": lambda m, r: m.linalg.svd(r(3, 3))[1],
    "svdvals": lambda m, r: m.linalg.svdvals(r(3, 3)),
    "eigvalsh": lambda m, r: m.linalg.eigvalsh(r(3, 3)),
    "solve": lambda m, r: m.linalg.solve(r(3, 3), r(3)),
    "lstsq": lambda m, r: m.linalg.lstsq(r(3, 3), r(3, 1))[0],
    "cond": lambda m, r: m.linalg.cond(r(3, 3)),
    "multi_margin_loss": lambda m, r: m.nn.functional.multi_margin_loss(
        r(3, 4), m.tensor([1, 0, 3])
    ),
    "multilabel_margin_loss": lambda m, r: m.nn.functional.multilabel_margin_loss(
        r(2, 3), m.tensor([[1, -1, 0], [2, 0, 1]])
    ),
    "ctc_loss": lambda m, r: m.nn.functional.ctc_loss(
        r(5, 2, 4).log_softmax(2), m.tensor([[1, 2], [3, 1]]), m.tensor([5, 4]), m.tensor([2, 2])
    ),
    "gaussian_nll_loss (not listed)": lambda m, r: m.nn.functional.gaussian_nll_loss(
        r(3), r(3), r(3).exp()
    ),
    "interpolate linear (not listed)": lambda m, r: m.nn.functional.interpolate(
        r(1, 2, 3), scale_factor=2, mode="linear"
    ),
}


@pytest.mark.parametrize("name", list(OPS))
def test_op_lists(torch_ref, name):
    fn = OPS[name]
    for low in ("bfloat16", "float16"):
        seen = []
        for lib in (retrograd, torch_ref):
            row = []
            for dt in ("float32", "bfloat16", "float64"):
                with lib.autocast("cpu", dtype=getattr(lib, low)):
                    out = fn(lib, _inputs(lib, getattr(lib, dt)))
                row.append(str(out.dtype))
            seen.append(row)
        assert seen[0] == seen[1], (low, seen)


def test_state_functions_and_nesting(torch_ref):
    def program(lib):
        got = [lib.is_autocast_enabled(), lib.is_autocast_enabled("cpu")]
        got += [lib.get_autocast_dtype("cpu"), lib.get_autocast_dtype("cuda")]
        with lib.autocast("cpu"):
            got += [lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")]
            with lib.autocast("cpu", enabled=False):
                got += [lib.is_autocast_enabled("cpu"), (lib.ones(2, 2) @ lib.ones(2, 2)).dtype]
            with lib.autocast("cpu", dtype=lib.float16):
                got += [lib.get_autocast_dtype("cpu"), (lib.ones(2, 2) @ lib.ones(2, 2)).dtype]
            got += [lib.get_autocast_dtype("cpu"), (lib.ones(2, 2) @ lib.ones(2, 2)).dtype]
        got += [lib.is_autocast_enabled("cpu"), (lib.ones(2, 2) @ lib.ones(2, 2)).dtype]

        @lib.autocast("cpu")
        def inside(x):
            return x @ x, lib.is_autocast_enabled("cpu")

        y, on = inside(lib.ones(2, 2))
        got += [y.dtype, on, lib.is_autocast_enabled("cpu")]
        with pytest.warns(FutureWarning, match=r"torch.cpu.amp.autocast\(args...\)` is deprecated"):
            region = lib.cpu.amp.autocast()
        with region:
            got += [lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")]
        with lib.amp.autocast("cpu", dtype=lib.float16):
            got += [lib.get_autocast_dtype("cpu")]
        with pytest.warns(UserWarning, match="CPU Autocast only supports dtypes of torch.bfloat16"):
            region = lib.autocast("cpu", dtype=lib.float32)
        with region:
            got += [lib.is_autocast_enabled("cpu")]
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            lib.is_autocast_enabled("foo")
        return [str(g) for g in got]

    assert program(retrograd) == program(torch_ref)


def test_an_exception_inside_leaves_autocast_off(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(ZeroDivisionError), lib.autocast("cpu"):
            1 / 0
        assert not lib.is_autocast_enabled("cpu")
        assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype is lib.float32


def _small_model(lib, low):
    """Linear, ReLU, Linear, softmax and two losses under autocast: each output's dtype, the
    losses, and the parameters' gradients."""
    rs = np.random.RandomState(1)
    fc1, fc2 = lib.nn.Linear(6, 8), lib.nn.Linear(8, 3)
    with lib.no_grad():
        for p in (*fc1.parameters(), *fc2.parameters()):
            p.copy_(lib.tensor(rs.randn(*p.shape).astype(np.float32) * 0.5))
    x = lib.tensor(rs.randn(4, 6).astype(np.float32))
    y = lib.tensor([0, 1, 2, 1])
    F = lib.nn.functional
    with lib.autocast("cpu", dtype=low(lib)):
        h = fc1(x)
        r = F.relu(h)
        o = fc2(r)
        p = F.softmax(o, 1)
        ce = F.cross_entropy(o, y)
        mse = F.mse_loss(p, lib.zeros(4, 3))
        total = ce + mse
    total.backward()
    dtypes = [str(t.dtype) for t in (h, r, o, p, ce, mse, total)]
    grads = [(str(q.grad.dtype), q.grad.double().numpy()) for q in (fc1.weight, fc2.bias)]
    return dtypes, [ce.item(), mse.item()], grads


@pytest.mark.parametrize("low", ["bfloat16", "float16"])
def test_small_model_under_autocast(torch_ref, low):
    pick = lambda lib: getattr(lib, low)
    (md, ml, mg), (td, tl, tg) = _small_model(retrograd, pick), _small_model(torch_ref, pick)
    assert md == td
    # The forward pass rounds as PyTorch's does; the backward pass's formulas are compositions
    # of ops, each rounding to the low dtype where PyTorch's fused kernels round once, so the
    # gradients agree to a few units in the low dtype's last place.
    np.testing.assert_allclose(ml, tl, rtol=1e-6)
    ulp = {"bfloat16": 2.0**-8, "float16": 2.0**-11}[low]
    for (mdt, mv), (tdt, tv) in zip(mg, tg):
        assert mdt == tdt == "torch.float32"
        np.testing.assert_allclose(mv, tv, rtol=0, atol=8 * ulp * np.abs(tv).max())


def test_weight_casts_are_cached_per_region(torch_ref):
    for lib in (retrograd, torch_ref):
        w = lib.ones(3, 3, requires_grad=True)
        x = lib.ones(2, 3)
        for cache in (True, False):
            with lib.autocast("cpu", cache_enabled=cache):
                a, b = x @ w, lib.mm(x, w)
                assert lib.is_autocast_cache_enabled() is cache
            assert (a.grad_fn.next_functions[1][0] is b.grad_fn.next_functions[1][0]) is cache
            (a.sum() + b.sum()).backward()
            assert w.grad.dtype is lib.float32 and w.grad[0].tolist() == [4.0, 4.0, 4.0]
            w.grad = None


def test_custom_fwd_casts_inputs_and_turns_autocast_off(torch_ref):
    for lib in (retrograd, torch_ref):

        class Double(lib.autograd.Function):
            @staticmethod
            @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
            def forward(ctx, x):
                return x * 2, lib.is_autocast_enabled("cpu")

            @staticmethod
            @lib.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g, _):
                return g * 2

        x = lib.ones(2, dtype=lib.bfloat16, requires_grad=True)
        with lib.autocast("cpu"):
            y, on = Double.apply(x)
        assert y.dtype is lib.float32 and not on
        y, on = Double.apply(x)
        assert y.dtype is lib.bfloat16 and not on
        y.sum().backward()
        assert x.grad.dtype is lib.bfloat16


def _scaler_program(lib):
    rs = np.random.RandomState(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2))
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rs.randn(*p.shape).astype(np.float32) * 0.5))
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=3)
    record = [scaler.is_enabled(), scaler.get_scale(), scaler.state_dict()]
    x = lib.tensor(rs.randn(16, 4).astype(np.float32))
    y = lib.tensor(rs.randn(16, 2).astype(np.float32))
    losses, weights = [], []
    for it in range(12):
        opt.zero_grad()
        with lib.autocast("cpu"):
            loss = lib.nn.functional.mse_loss(model(x), y)
        scaled = scaler.scale(loss)
        if it in (4, 8):  # an overflow: the step is skipped and the scale halves
            scaled = scaled * float("inf")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy on inf * 0
            scaled.backward()
        if it == 6:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        result = scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
        record.append((str(scaled.dtype), scaler.get_scale(), scaler._get_growth_tracker(), result))
        weights.append(model[0].weight.detach()[0].tolist())
    record.append(scaler.state_dict())
    scaler.update(3.0)
    record.append(scaler.get_scale())
    scaler.update(lib.tensor(5.0))
    record.append(scaler.get_scale())
    other = lib.amp.GradScaler("cpu")
    other.load_state_dict(scaler.state_dict())
    record.append(other.state_dict())
    record.append([str(t) for t in scaler.scale([x.sum(), (x.mean(), x.max())])])
    return record, losses, weights


def test_grad_scaler_follows_pytorch(torch_ref):
    """The same scales, streaks and skipped steps; the weights the steps make agree to float32's
    rounding (see test_small_model_under_autocast), and skipped steps leave them unchanged."""
    (mine, my_losses, my_w), (theirs, their_losses, their_w) = (
        _scaler_program(retrograd),
        _scaler_program(torch_ref),
    )
    assert mine == theirs
    np.testing.assert_allclose(my_losses, their_losses, rtol=1e-6)
    np.testing.assert_allclose(my_w, their_w, rtol=1e-6)
    for it in (4, 8):
        assert my_w[it] == my_w[it - 1]


def test_grad_scaler_errors(torch_ref):
    for lib in (retrograd, torch_ref):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="Attempted step but _scale is None.  This may"):
            scaler.step(opt)
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            lib.amp.GradScaler("cpu", growth_factor=0.5)
        with pytest.raises(AssertionError, match="The backoff factor must be < 1.0."):
            lib.amp.GradScaler("cpu", backoff_factor=1.0)
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            lib.amp.GradScaler("cpu").load_state_dict({})
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
            scaler.scale(3)
        scaler.scale(model(lib.ones(1, 2)).sum()).backward()
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            scaler.step(opt, closure=lambda: 0)
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called since"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
            scaler.unscale_(opt)
        with pytest.raises(AssertionError, match="new_scale should be a float or a 1-element"):
            scaler.update(lib.tensor([1.0, 2.0]))
        half = lib.nn.Linear(2, 1).half()
        opt = lib.optim.SGD(half.parameters(), lr=0.1)
        scaler.scale(half(lib.ones(1, 2, dtype=lib.float16)).sum()).backward()
        with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
            scaler.unscale_(opt)
        with pytest.warns(FutureWarning, match=r"torch.cpu.amp.GradScaler\(args...\)` is"):
            assert lib.cpu.amp.GradScaler().is_enabled()


@pytest.mark.parametrize("self_attention", [True, False])
def test_multihead_attention_under_autocast(torch_ref, self_attention):
    # the attention layer casts as its ops are listed (its fused paths step aside under
    # autocast) and its backward reaches float32 leaves in float32
    got = []
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        m = lib.nn.MultiheadAttention(16, 2)
        data = np.random.default_rng(0).standard_normal((5, 3, 16)).astype(np.float32)
        x = lib.tensor(data, requires_grad=True)
        kv = x if self_attention else x * 0.5
        with lib.autocast("cpu", dtype=lib.bfloat16):
            y, w = m(x, kv, kv)
        y.float().sum().backward()
        got.append((str(y.dtype), str(w.dtype), str(x.grad.dtype), y.float().detach().numpy()))
    assert got[0][:3] == got[1][:3]
    np.testing.assert_allclose(got[0][3], got[1][3], atol=0.03)
