"""GaussianNLLLoss, MultiMarginLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
TripletMarginWithDistanceLoss and NLLLoss2d against PyTorch: values, node names and gradients in
float64 for every reduction, float32 through the modules, gradcheck, reprs and errors."""

import warnings

import numpy as np
import pytest
from op_checks import error_tests

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5))
V = RNG.uniform(0.1, 2.0, (4, 5))
Y = RNG.standard_normal((4, 5))
CLASSES = np.array([1, 0, 4, 2])
LABELS = np.array([[1, 2, -1, 0, 3], [4, -1, 1, 1, 1], [0, 1, 2, 3, 4], [-1, 0, 0, 0, 0]])
BITS = (RNG.uniform(size=(4, 5)) > 0.5).astype(np.float64)
W = RNG.uniform(0.5, 2.0, 5)


def _f(t):
    return t.nn.functional


# (fn(lib, x, *more tensors needing no gradient), extra arrays: int64 ones stay integers)
PROGRAMS = {
    "gaussian_nll": (lambda t, x, y, v: _f(t).gaussian_nll_loss(x, y, v), [Y, V]),
    "gaussian_nll full sum": (
        lambda t, x, y, v: _f(t).gaussian_nll_loss(x, y, v, full=True, reduction="sum"),
        [Y, V],
    ),
    "gaussian_nll shared var": (
        lambda t, x, y, v: _f(t).gaussian_nll_loss(x, y, v[:, :1], reduction="none"),
        [Y, V],
    ),
    "gaussian_nll var one short": (
        lambda t, x, y, v: _f(t).gaussian_nll_loss(x, y, v[:, 0], eps=0.5),
        [Y, V],
    ),
    "gaussian_nll float var": (lambda t, x, y: _f(t).gaussian_nll_loss(x, y, 0.7), [Y]),
    "multi_margin": (lambda t, x, c: _f(t).multi_margin_loss(x, c), [CLASSES]),
    "multi_margin p2 weight none": (
        lambda t, x, c, w: _f(t).multi_margin_loss(x, c, 2, 0.5, w, reduction="none"),
        [CLASSES, W],
    ),
    "multi_margin sum": (
        lambda t, x, c: _f(t).multi_margin_loss(x * 0.3, c, margin=2.0, reduction="sum"),
        [CLASSES],
    ),
    "multi_margin 1-D": (lambda t, x, c: _f(t).multi_margin_loss(x[0], c[0]), [CLASSES]),
    "multilabel_margin": (lambda t, x, c: _f(t).multilabel_margin_loss(x, c), [LABELS]),
    "multilabel_margin none": (
        lambda t, x, c: _f(t).multilabel_margin_loss(x, c, reduction="none"),
        [LABELS],
    ),
    "multilabel_margin 1-D": (
        lambda t, x, c: _f(t).multilabel_margin_loss(x[1], c[0], reduction="sum"),
        [LABELS],
    ),
    "multilabel_soft_margin": (
        lambda t, x, b, w: _f(t).multilabel_soft_margin_loss(x, b, w),
        [BITS, W],
    ),
    "multilabel_soft_margin none": (
        lambda t, x, b: _f(t).multilabel_soft_margin_loss(x, b, reduction="none"),
        [BITS],
    ),
    "triplet_with_distance": (
        lambda t, x, y, v: _f(t).triplet_margin_with_distance_loss(x, y, v),
        [Y, V],
    ),
    "triplet_with_distance cosine swap": (
        lambda t, x, y, v: _f(t).triplet_margin_with_distance_loss(
            x,
            y,
            v,
            distance_function=lambda a, b: 1 - _f(t).cosine_similarity(a, b),
            margin=0.5,
            swap=True,
            reduction="none",
        ),
        [Y, V],
    ),
}


def _run(lib, name, dtype):
    fn, extra = PROGRAMS[name]
    x = lib.tensor(X.astype(dtype), requires_grad=True)
    more = [lib.tensor(a if a.dtype.kind == "i" else a.astype(dtype)) for a in extra]
    out = fn(lib, x, *more)
    w = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)).astype(dtype))
    (out * w).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), out.grad_fn.name(), str(out.dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_pytorch(torch_ref, name, dtype):
    ours, theirs = _run(retrograd, name, dtype), _run(torch_ref, name, dtype)
    assert ours[2:] == theirs[2:]
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[0], theirs[0], **tol)
    np.testing.assert_allclose(ours[1], theirs[1], **tol)


@pytest.mark.parametrize(
    "name", ["multi_margin", "multi_margin p2 weight none", "multilabel_margin none"]
)
def test_gradcheck(name):
    fn, extra = PROGRAMS[name]
    more = [retrograd.tensor(a) for a in extra]
    x = retrograd.tensor(X, requires_grad=True)
    assert gradcheck(lambda x: fn(retrograd, x, *more), [x])
    assert gradgradcheck(lambda x: fn(retrograd, x, *more), [x])


@pytest.mark.parametrize(
    "layer",
    [
        "GaussianNLLLoss()",
        "GaussianNLLLoss(full=True, eps=1e-3, reduction='sum')",
        "MultiMarginLoss()",
        "MultiMarginLoss(p=2, margin=0.5, weight=lib.ones(5))",
        "MultiLabelMarginLoss()",
        "MultiLabelSoftMarginLoss(reduction='none')",
        "TripletMarginWithDistanceLoss()",
        "TripletMarginWithDistanceLoss(distance_function=lib.nn.PairwiseDistance(), swap=True)",
    ],
)
def test_modules_print_and_compute_as_pytorchs(torch_ref, layer):
    made = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            made.append(eval("lib.nn." + layer, {"lib": lib}))
    assert repr(made[0]) == repr(made[1])
    assert list(made[0].state_dict()) == list(made[1].state_dict())


def test_nll_loss_2d_warns_as_pytorch_and_computes_nll(torch_ref):
    texts = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.NLLLoss2d()
        texts.append([(w.category, str(w.message)) for w in caught])
        x = lib.tensor(X).log_softmax(1)
        texts[-1].append(round(loss(x, lib.tensor(CLASSES)).item(), 12))
    assert texts[0] == texts[1]


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: _f(t).gaussian_nll_loss(t.ones(4, 5), t.ones(4, 5), -t.ones(4, 5)),
            ValueError,
            "var has negative entry/entries",
        ),
        (
            lambda t: _f(t).gaussian_nll_loss(t.ones(4, 5), t.ones(4, 5), t.ones(4, 3)),
            ValueError,
            "var is of incorrect size",
        ),
        (
            lambda t: _f(t).gaussian_nll_loss(t.ones(4, 5), t.ones(4, 5), 1.0, reduction="x"),
            ValueError,
            "x is not valid",
        ),
        (
            lambda t: _f(t).multi_margin_loss(t.ones(4, 5), t.tensor([1, 0, 4, 2]), p=3),
            ValueError,
            "only p == 1 and p == 2 supported",
        ),
        (
            lambda t: _f(t).multi_margin_loss(t.ones(4, 5), t.tensor([1, 0, 4])),
            RuntimeError,
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            "input samples (batch size). Expected target size [4], but got [3]. Input has shape "
            "[4, 5].",
        ),
        (
            lambda t: _f(t).multi_margin_loss(t.ones(4, 5), t.tensor([1, 0, 7, 2])),
            RuntimeError,
            "target out of range",
        ),
        (
            lambda t: _f(t).multi_margin_loss(
                t.ones(4, 5), t.tensor([1, 0, 4, 2]), weight=t.ones(3)
            ),
            RuntimeError,
            "inconsistent weight size, expected 5 but got [3]",
        ),
        (
            lambda t: _f(t).multilabel_margin_loss(t.ones(4, 5), t.tensor([1, 2, -1, 0, 0])),
            RuntimeError,
            "inconsistent target size: [5] for input of size: [4, 5]",
        ),
        (
            lambda t: _f(t).triplet_margin_with_distance_loss(
                t.ones(2), t.ones(2), t.ones(2), margin=0
            ),
            ValueError,
            "margin must be greater than 0, got 0",
        ),
        (
            lambda t: _f(t).triplet_margin_with_distance_loss(t.ones(2), t.ones(2), t.ones(1, 2)),
            RuntimeError,
            "The anchor, positive, and negative tensors are expected to have the same number of "
            "dimensions, but got: anchor 1D, positive 1D, and negative 2D inputs",
        ),
        (
            lambda t: t.nn.MultiMarginLoss(weight=t.ones(2, 2)),
            ValueError,
            "MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead",
        ),
        (
            lambda t: t.nn.TripletMarginWithDistanceLoss(margin=0),
            ValueError,
            "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0 instead",
        ),
    ]
)
