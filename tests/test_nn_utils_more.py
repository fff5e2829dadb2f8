"""The rest of ``nn.utils`` and ``nn.init`` that programs reach for: the norm and the clipping of
gradients apart, the deprecated names with PyTorch's warnings, conv/linear + BatchNorm fusion
(the fused layer computes what the pair did, with PyTorch's fused weights) and ``skip_init``."""

import warnings

import numpy as np
import pytest

import retrograd
import retrograd.nn as nn


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize(
    "name",
    [
        "constant",
        "dirac",
        "eye",
        "kaiming_normal",
        "kaiming_uniform",
        "normal",
        "orthogonal",
        "sparse",
        "uniform",
        "xavier_normal",
        "xavier_uniform",
    ],
)
def test_deprecated_init_names_warn_and_fill_as_pytorch(torch_ref, name):
    got = []
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        t = lib.empty(3, 3, 3) if name == "dirac" else lib.empty(3, 4)
        args = {"constant": (0.5,), "sparse": (0.5,)}.get(name, ())
        texts = _warnings_of(lambda: getattr(lib.nn.init, name)(t, *args))
        got.append((texts, t.numpy().copy()))
    assert got[0][0] == got[1][0] and got[0][0]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-6, atol=1e-7)


def test_total_norm_and_clipping_apart_equal_clip_grad_norm(torch_ref):
    results = []
    for lib in (retrograd, torch_ref):
        ps = [lib.nn.Parameter(lib.ones(3)), lib.nn.Parameter(lib.ones(2))]
        ps[0].grad = lib.tensor([3.0, -4.0, 12.0])
        ps[1].grad = lib.tensor([1.0, 2.0])
        total = lib.nn.utils.get_total_norm([p.grad for p in ps], 3.0)
        lib.nn.utils.clip_grads_with_norm_(ps, 2.0, total)
        old = _warnings_of(lambda: lib.nn.utils.clip_grad_norm(ps, 1.0))
        results.append((round(total.item(), 5), [p.grad.tolist() for p in ps], old))
    assert results[0][0] == results[1][0] and results[0][2] == results[1][2]
    np.testing.assert_allclose(sum(results[0][1], []), sum(results[1][1], []), rtol=1e-6)


@pytest.mark.parametrize("kind", ["conv", "conv transposed", "linear"])
def test_fusion_matches_pytorch_and_the_unfused_pair(torch_ref, kind):
    outs = []
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5) if "conv" in kind else (4, 3)).astype(np.float32)
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        if kind == "conv":
            layer, bn = lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4)
        elif kind == "conv transposed":
            layer, bn = lib.nn.ConvTranspose2d(3, 4, 3, bias=False), lib.nn.BatchNorm2d(4)
        else:
            layer, bn = lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4)
        bn.running_mean.copy_(lib.linspace(-1, 1, 4))
        bn.running_var.copy_(lib.linspace(0.5, 2, 4))
        bn.weight.data.copy_(lib.linspace(0.2, 1.5, 4))
        layer.eval()
        bn.eval()
        u = lib.nn.utils
        if kind == "linear":
            fused = u.fuse_linear_bn_eval(layer, bn)
        else:
            fused = u.fuse_conv_bn_eval(layer, bn, transpose=kind == "conv transposed")
        xt = lib.tensor(x)
        outs.append((fused(xt).detach().numpy(), bn(layer(xt)).detach().numpy(), fused.weight))
    (ours, pair, w), (theirs, _, tw) = outs
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours, pair, rtol=1e-5, atol=1e-5)
    assert isinstance(w, nn.Parameter) and w.requires_grad == tw.requires_grad


def test_fusion_refuses_training_layers():
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_linear_bn_eval(nn.Linear(2, 2), nn.BatchNorm1d(2))


def test_skip_init_leaves_the_random_stream_untouched(torch_ref):
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        layer = lib.nn.utils.skip_init(lib.nn.Linear, 5, 3)
        assert tuple(layer.weight.shape) == (3, 5)
    assert retrograd.rand(4).tolist() == torch_ref.rand(4).tolist()
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        nn.utils.skip_init(nn.ReLU)


def test_sparse_adam_checks_as_pytorch_and_refuses_dense_gradients(torch_ref):
    got = []
    for lib in (retrograd, torch_ref):
        p = lib.nn.Parameter(lib.ones(2))
        seen = [lib.optim.SparseAdam([p]).defaults]
        for kw in [{"lr": -1}, {"eps": -1}, {"betas": (1.0, 0.9)}]:
            with pytest.raises(ValueError) as err:
                lib.optim.SparseAdam([p], **kw)
            seen.append(str(err.value))
        opt = lib.optim.SparseAdam([p])
        seen.append(opt.step())  # no gradient: nothing to do
        p.grad = lib.ones(2)
        with pytest.raises(RuntimeError) as err:
            opt.step()
        seen.append(str(err.value))
        got.append(seen)
    assert got[0] == got[1]
