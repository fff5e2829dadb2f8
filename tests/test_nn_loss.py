"""Losses, as functions and as modules: values and gradients against PyTorch, gradcheck in
float64."""

import numpy as np
import pytest
from conftest import rand64
from nn_parity import close, pair, randn

import retrograd
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

REDUCTIONS = ["mean", "sum", "none"]


def _both(torch, fn_name, x, y, target_grad=True, **kwargs):
    """Call F.<fn_name> in both libraries; check the value and the gradient of x (and y)."""
    a, ta = pair(torch, x)
    y_grad = y.dtype.kind == "f"
    if y_grad:
        b, tb = pair(torch, y)
    else:
        b, tb = retrograd.tensor(y), torch.tensor(y)
    ours_kw = {
        k: (retrograd.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()
    }
    theirs_kw = {
        k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()
    }
    out = getattr(F, fn_name)(a, b, **ours_kw)
    tout = getattr(torch.nn.functional, fn_name)(ta, tb, **theirs_kw)
    close(out, tout)
    w = randn(7, *tout.shape)
    (out * retrograd.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    close(a.grad, ta.grad)
    if y_grad and target_grad:
        close(b.grad, tb.grad)
    return out, tout


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses(torch_ref, fn, reduction):
    x, y = randn(0, 4, 3), randn(1, 4, 3)
    _both(torch_ref, fn, x, y, reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("shapes", [((4, 3), ()), ((4, 3), (3,)), ((1, 3), (4, 1))], ids=str)
def test_losses_whose_inputs_broadcast(torch_ref, fn, reduction, shapes):
    """A reduced loss's gradient is summed back to each input's own shape (a 0-d target's
    gradient is 0-d, not the broadcast shape)."""
    import warnings

    x, y = randn(2, *shapes[0]), randn(3, *shapes[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Using a target size ... that is different"
        out, _ = _both(torch_ref, fn, x, y, reduction=reduction)
    a, b = rand64(*shapes[0], seed=4), rand64(*shapes[1], seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert gradcheck(lambda p, q: getattr(F, fn)(p, q, reduction=reduction), (a, b))


def test_smooth_l1_beta(torch_ref):
    _both(torch_ref, "smooth_l1_loss", randn(0, 5) * 2, randn(1, 5), beta=0.5)
    _both(torch_ref, "smooth_l1_loss", randn(0, 5) * 2, randn(1, 5), beta=0.0)
    _both(torch_ref, "huber_loss", randn(0, 5) * 2, randn(1, 5), delta=0.3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(torch_ref, reduction):
    logp = randn(0, 5, 4)
    target = np.array([0, 3, 1, 1, 2])
    weight = np.array([0.5, 2.0, 1.0, 3.0], np.float32)
    _both(torch_ref, "nll_loss", logp, target, reduction=reduction)
    _both(torch_ref, "nll_loss", logp, target, reduction=reduction, weight=weight)
    _both(torch_ref, "nll_loss", logp, target, reduction=reduction, weight=weight, ignore_index=1)


def test_nll_loss_spatial_and_unbatched(torch_ref):
    _both(torch_ref, "nll_loss", randn(0, 2, 3, 4), np.array([[0, 2, 1, 1], [2, 2, 0, 1]]))
    _both(
        torch_ref,
        "nll_loss",
        randn(0, 2, 3, 4),
        np.array([[0, 2, 1, 1], [2, 2, 0, 1]]),
        reduction="none",
    )
    _both(torch_ref, "nll_loss", randn(0, 4), np.array(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_indices(torch_ref, reduction, smoothing):
    x = randn(0, 6, 5)
    target = np.array([0, 4, 1, 1, 2, 3])
    weight = np.array([0.5, 2.0, 1.0, 3.0, 0.7], np.float32)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    _both(torch_ref, "cross_entropy", x, target, **kw)
    _both(torch_ref, "cross_entropy", x, target, weight=weight, **kw)
    _both(torch_ref, "cross_entropy", x, target, weight=weight, ignore_index=1, **kw)
    _both(torch_ref, "cross_entropy", x, target, ignore_index=4, **kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_probabilities(torch_ref, reduction, smoothing):
    x = randn(0, 4, 3)
    probs = np.abs(randn(1, 4, 3))
    probs /= probs.sum(1, keepdims=True)
    weight = np.array([0.5, 2.0, 1.0], np.float32)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    _both(torch_ref, "cross_entropy", x, probs, **kw)
    _both(torch_ref, "cross_entropy", x, probs, weight=weight, **kw)


def test_cross_entropy_spatial_and_unbatched(torch_ref):
    _both(
        torch_ref,
        "cross_entropy",
        randn(0, 2, 3, 4),
        np.array([[0, 2, 1, 1], [2, 2, 0, 1]]),
        label_smoothing=0.1,
    )
    _both(torch_ref, "cross_entropy", randn(0, 5), np.array(3))


def test_cross_entropy_gradcheck():
    target = retrograd.tensor([0, 2, 1])
    w = retrograd.tensor([0.3, 1.0, 2.0], dtype=retrograd.float64)
    x = rand64(3, 3)
    assert gradcheck(lambda x: F.cross_entropy(x, target, w, label_smoothing=0.1), (x,))
    assert gradgradcheck(lambda x: F.cross_entropy(x, target, w, ignore_index=2), (x,))
    assert gradgradcheck(lambda x: F.nll_loss(x, target, reduction="none"), (x,))


# A batch of logits taller than it is wide (more than 64 rows, at most 64 classes) takes
# log_softmax's transposed path; a target with no ignored element takes nll_loss's short path.
TALL = (100, 10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_of_a_tall_batch(torch_ref, reduction, smoothing):
    x = randn(3, *TALL) * 4
    target = np.random.default_rng(4).integers(0, TALL[1], TALL[0])
    weight = np.abs(randn(5, TALL[1])) + 0.1
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    _both(torch_ref, "cross_entropy", x, target, **kw)
    _both(torch_ref, "cross_entropy", x, target, weight=weight, **kw)
    _both(torch_ref, "cross_entropy", x, target, ignore_index=int(target[0]), **kw)
    _both(torch_ref, "cross_entropy", x, target, weight=weight, ignore_index=-1, **kw)
    _both(torch_ref, "cross_entropy", x, target.astype(np.uint8), **kw)
    probs = np.abs(randn(6, *TALL))
    _both(torch_ref, "cross_entropy", x, probs / probs.sum(1, keepdims=True), **kw)
    _both(torch_ref, "nll_loss", x, target, reduction=reduction)
    _both(torch_ref, "nll_loss", x, target, reduction=reduction, ignore_index=TALL[1] - 1)


def test_cross_entropy_of_a_tall_batch_keeps_pytorchs_nodes_and_dtypes(torch_ref):
    torch = torch_ref
    x = randn(7, *TALL)
    target = np.random.default_rng(8).integers(0, TALL[1], TALL[0])
    for dtype in ("float32", "float64"):
        a = retrograd.tensor(x, dtype=getattr(retrograd, dtype), requires_grad=True)
        ta = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
        out = F.cross_entropy(a, retrograd.tensor(target))
        tout = torch.nn.functional.cross_entropy(ta, torch.tensor(target))
        assert str(out.dtype) == str(tout.dtype)
        assert type(out.grad_fn).__name__ == type(tout.grad_fn).__name__ == "NllLossBackward0"
        inner = out.grad_fn.next_functions[0][0]
        assert type(inner).__name__ == "LogSoftmaxBackward0"
        assert inner.next_functions[0][0] is a.grad_fn or inner.next_functions[0][0].variable is a
        close(out, tout)
        out.backward()
        tout.backward()
        close(a.grad, ta.grad)
    logp = F.log_softmax(retrograd.tensor(x), 1, dtype=retrograd.float64)
    tlogp = torch.nn.functional.log_softmax(torch.tensor(x), 1, dtype=torch.float64)
    assert logp._data.flags.c_contiguous and logp.dtype == retrograd.float64
    np.testing.assert_allclose(logp.numpy(), tlogp.numpy(), rtol=1e-12, atol=1e-12)


def test_cross_entropy_of_a_tall_batch_gradcheck():
    rng = np.random.default_rng(9)
    target = retrograd.tensor(rng.integers(0, 5, 70))
    w = retrograd.tensor(rng.uniform(0.2, 2.0, 5), dtype=retrograd.float64)
    x = rand64(70, 5, low=-3, high=3)
    for kw in (
        {},
        {"weight": w, "label_smoothing": 0.1},
        {"ignore_index": 2, "reduction": "sum"},
        {"reduction": "none"},
    ):
        assert gradcheck(lambda x, kw=kw: F.cross_entropy(x, target, **kw), (x,))
        assert gradgradcheck(lambda x, kw=kw: F.cross_entropy(x, target, **kw), (x,))


@pytest.mark.parametrize("shape", [(4, 3), (80, 3)], ids=str)
def test_log_softmax_and_softmax_of_rows_with_infinities_are_pytorchs(torch_ref, shape):
    # an infinite maximum or a nan makes its whole row nan, a row of -inf too, silently
    x = randn(10, *shape)
    x[0, 1] = np.inf
    x[1, :] = -np.inf
    x[2, 0] = np.nan
    x[3, 0], x[3, 2] = np.inf, -np.inf
    for name in ("log_softmax", "softmax"):
        ours = getattr(F, name)(retrograd.tensor(x), 1)
        theirs = getattr(torch_ref.nn.functional, name)(torch_ref.tensor(x), 1)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
        assert (np.isnan(ours.numpy()) == np.isnan(theirs.numpy())).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(torch_ref, reduction):
    x = randn(0, 4, 3) * 3
    x[0, 0] = 0.0
    y = (randn(1, 4, 3) > 0).astype(np.float32)
    w = np.abs(randn(2, 4, 3))
    pw = np.array([0.5, 2.0, 3.0], np.float32)
    _both(torch_ref, "binary_cross_entropy_with_logits", x, y, reduction=reduction)
    _both(
        torch_ref,
        "binary_cross_entropy_with_logits",
        x,
        y,
        reduction=reduction,
        weight=w,
        pos_weight=pw,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(torch_ref, reduction):
    p = 1 / (1 + np.exp(-randn(0, 4, 3)))
    y = (randn(1, 4, 3) > 0).astype(np.float32)
    _both(torch_ref, "binary_cross_entropy", p, y, reduction=reduction)
    _both(
        torch_ref, "binary_cross_entropy", p, y, reduction=reduction, weight=np.abs(randn(2, 4, 3))
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(torch_ref, reduction, log_target):
    logq = np.log(np.abs(randn(0, 3, 4)) + 0.1)
    p = np.abs(randn(1, 3, 4))
    target = np.log(p + 0.1) if log_target else p
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        _both(torch_ref, "kl_div", logq, target, reduction=reduction, log_target=log_target)


def test_kl_div_zero_target(torch_ref):
    """A zero target contributes 0 to the loss.  (Its gradient there is NaN in PyTorch and finite
    here, so the target's gradient is not compared.)"""
    p = np.abs(randn(1, 3, 4))
    p[0, 0] = 0.0
    out, _ = _both(torch_ref, "kl_div", randn(0, 3, 4), p, target_grad=False, reduction="sum")
    assert np.isfinite(out.item())


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_loss_gradchecks():
    x, y = rand64(3, 4), rand64(3, 4, seed=1)
    prob = rand64(3, 4, seed=2, low=0.1, high=0.9)
    binary = retrograd.tensor((np.arange(12).reshape(3, 4) % 2).astype(np.float64))
    for f in [
        F.mse_loss,
        F.l1_loss,
        F.smooth_l1_loss,
        F.huber_loss,
        F.binary_cross_entropy_with_logits,
        lambda a, b: F.kl_div(a, b.abs(), reduction="batchmean"),
    ]:
        assert gradcheck(f, (x, y))
    assert gradcheck(lambda p: F.binary_cross_entropy(p, binary), (prob,))
    pw = rand64(
        4, seed=3, low=0.5, high=2, requires_grad=False
    )  # PyTorch refuses one that requires grad
    assert gradgradcheck(
        lambda a: F.binary_cross_entropy_with_logits(a, binary, pos_weight=pw), (x,)
    )
    assert gradgradcheck(F.mse_loss, (x, y))


def test_loss_errors_match_torch(torch_ref):
    tf = torch_ref.nn.functional
    cases = [
        (
            lambda: F.nll_loss(retrograd.zeros(3, 4), retrograd.tensor([0, 1, 7])),
            lambda: tf.nll_loss(torch_ref.zeros(3, 4), torch_ref.tensor([0, 1, 7])),
        ),
        (
            lambda: F.nll_loss(retrograd.zeros(3, 4), retrograd.tensor([0, 1])),
            lambda: tf.nll_loss(torch_ref.zeros(3, 4), torch_ref.tensor([0, 1])),
        ),
        (
            lambda: F.cross_entropy(retrograd.zeros(3, 4), retrograd.tensor([0, 1, -1])),
            lambda: tf.cross_entropy(torch_ref.zeros(3, 4), torch_ref.tensor([0, 1, -1])),
        ),
        (
            lambda: F.cross_entropy(retrograd.zeros(2, 3), retrograd.tensor([0.0, 1.0])),
            lambda: tf.cross_entropy(torch_ref.zeros(2, 3), torch_ref.tensor([0.0, 1.0])),
        ),
        (
            lambda: F.nll_loss(retrograd.zeros(2, 3), retrograd.tensor([0, 1]).int()),
            lambda: tf.nll_loss(torch_ref.zeros(2, 3), torch_ref.tensor([0, 1]).int()),
        ),
    ]
    for ours, theirs in cases:
        with pytest.raises(Exception) as a:
            ours()
        with pytest.raises(Exception) as b:
            theirs()
        assert type(a.value) is type(b.value)
        assert str(a.value) == str(b.value)


def test_mse_broadcast_warning():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(retrograd.ones(3, 1), retrograd.ones(3))


def test_nll_loss_all_ignored_is_nan():
    out = F.nll_loss(retrograd.zeros(2, 3), retrograd.tensor([1, 1]), ignore_index=1)
    assert np.isnan(out.item())


LOSS_MODULES = [
    ("MSELoss", {}, "float"),
    ("L1Loss", {"reduction": "sum"}, "float"),
    ("SmoothL1Loss", {"beta": 0.5}, "float"),
    ("NLLLoss", {"ignore_index": 0}, "index"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, "index"),
    ("CrossEntropyLoss", {"reduction": "none"}, "index"),
    ("BCELoss", {}, "prob"),
    ("BCEWithLogitsLoss", {}, "binary"),
    ("KLDivLoss", {"reduction": "batchmean"}, "float"),
    ("KLDivLoss", {"reduction": "sum", "log_target": True}, "float"),
]


@pytest.mark.parametrize("name,kwargs,kind", LOSS_MODULES)
def test_loss_modules(torch_ref, name, kwargs, kind):
    x = randn(0, 4, 3)
    y = {
        "float": np.abs(randn(1, 4, 3)),
        "index": np.array([0, 2, 1, 0]),
        "binary": (randn(1, 4, 3) > 0).astype(np.float32),
    }.get(kind)
    if kind == "prob":
        x = 1 / (1 + np.exp(-x))
        y = (randn(1, 4, 3) > 0).astype(np.float32)
    a, ta = pair(torch_ref, x)
    b = retrograd.tensor(y)
    tb = torch_ref.tensor(y)
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch_ref.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    out, tout = ours(a, b), theirs(ta, tb)
    close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    close(a.grad, ta.grad)


def test_weighted_loss_modules(torch_ref):
    w = np.array([0.2, 1.0, 3.0], np.float32)
    x = randn(0, 4, 3)
    t = np.array([0, 2, 1, 0])
    for name in ["CrossEntropyLoss", "NLLLoss"]:
        ours = getattr(nn, name)(weight=retrograd.tensor(w))
        theirs = getattr(torch_ref.nn, name)(weight=torch_ref.tensor(w))
        close(
            ours(retrograd.tensor(x), retrograd.tensor(t)),
            theirs(torch_ref.tensor(x), torch_ref.tensor(t)),
        )
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    pw = np.array([2.0, 0.5, 1.0], np.float32)
    y = (randn(1, 4, 3) > 0).astype(np.float32)
    close(
        nn.BCEWithLogitsLoss(pos_weight=retrograd.tensor(pw))(
            retrograd.tensor(x), retrograd.tensor(y)
        ),
        torch_ref.nn.BCEWithLogitsLoss(pos_weight=torch_ref.tensor(pw))(
            torch_ref.tensor(x), torch_ref.tensor(y)
        ),
    )
