"""``F.embedding_bag`` and ``nn.EmbeddingBag`` against PyTorch: sum, mean and max over bags from
offsets or rows, padding, per-sample weights, ``include_last_offset`` (PyTorch's last bag runs to
the end of the input), ``max_norm`` renormalising the rows in place (also for ``F.embedding``);
values, node names and both gradients; gradcheck; reprs and errors."""

import numpy as np
import pytest
from op_checks import error_tests

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
W = RNG.standard_normal((10, 3))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9])
OFFSETS = np.array([0, 4, 4, 7])
PSW = RNG.standard_normal(8)


def _cases():
    for mode in ("sum", "mean", "max"):
        yield dict(mode=mode), IDX, OFFSETS, None
        yield dict(mode=mode), IDX.reshape(2, 4), None, None
        yield dict(mode=mode, padding_idx=4), IDX, OFFSETS, None
        yield dict(mode=mode, include_last_offset=True), IDX, OFFSETS, None
        yield dict(mode=mode, padding_idx=-8), IDX.reshape(4, 2), None, None
    yield dict(mode="sum"), IDX, OFFSETS, PSW
    yield dict(mode="sum", padding_idx=2), IDX.reshape(2, 4), None, PSW.reshape(2, 4)


CASES = list(_cases())


def _run(lib, kw, idx, offsets, psw):
    w = lib.tensor(W, requires_grad=True)
    p = None if psw is None else lib.tensor(psw, requires_grad=True)
    o = None if offsets is None else lib.tensor(offsets)
    y = lib.nn.functional.embedding_bag(lib.tensor(idx), w, o, per_sample_weights=p, **kw)
    g = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
    (y * g).sum().backward()
    return (
        y.grad_fn.name(),
        y.detach().numpy(),
        w.grad.numpy(),
        None if p is None else p.grad.numpy(),
    )


@pytest.mark.parametrize("i", range(len(CASES)))
def test_matches_pytorch(torch_ref, i):
    ours, theirs = _run(retrograd, *CASES[i]), _run(torch_ref, *CASES[i])
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:]):
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck(mode):
    idx, offsets = retrograd.tensor(IDX), retrograd.tensor(OFFSETS)
    w = retrograd.tensor(W, requires_grad=True)
    f = lambda w: retrograd.nn.functional.embedding_bag(idx, w, offsets, mode=mode)  # noqa: E731
    assert gradcheck(f, [w])
    assert gradgradcheck(f, [w])
    p = retrograd.tensor(PSW, requires_grad=True)
    g = lambda w, p: retrograd.nn.functional.embedding_bag(  # noqa: E731
        idx, w, offsets, mode="sum", per_sample_weights=p
    )
    assert gradcheck(g, [w, p])


@pytest.mark.parametrize("fn", ["embedding", "embedding_bag"])
def test_max_norm_renormalises_the_rows_looked_up(torch_ref, fn):
    rows = []
    for lib in (retrograd, torch_ref):
        w = lib.tensor(W * 3)
        idx = lib.tensor(IDX.reshape(2, 4))
        getattr(lib.nn.functional, fn)(idx, w, max_norm=1.5)
        rows.append(w.numpy())
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-12)


@pytest.mark.parametrize(
    "layer",
    [
        "EmbeddingBag(10, 3, mode='max')",
        "EmbeddingBag(10, 3, max_norm=1.0, padding_idx=2)",
        "EmbeddingBag(10, 3, norm_type=1.0, mode='sum', include_last_offset=True)",
    ],
)
def test_module(torch_ref, layer):
    got = []
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        m = eval("lib.nn." + layer, {"lib": lib})
        y = m(lib.tensor(IDX), lib.tensor(OFFSETS))
        got.append((repr(m), m.weight.detach().numpy().copy(), y.detach().numpy()))
    assert got[0][0] == got[1][0]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-6)
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-5, atol=1e-6)
    bag = retrograd.nn.EmbeddingBag.from_pretrained(retrograd.tensor(W), mode="sum")
    assert not bag.weight.requires_grad and bag.mode == "sum"


def _bag(t, *args, **kw):
    return t.nn.functional.embedding_bag(*args, **kw)


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: _bag(
                t,
                t.tensor(IDX),
                t.ones(10, 3),
                t.tensor(OFFSETS),
                mode="max",
                per_sample_weights=t.ones(8),
            ),
            NotImplementedError,
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            "supported for mode='sum' (got mode='max'). Please open a feature request on GitHub.",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX), t.ones(10, 3)),
            ValueError,
            "offsets has to be a 1D Tensor but got None",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX).view(2, 4), t.ones(10, 3), t.tensor([0, 4])),
            ValueError,
            "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
            "fixed length sequences. However, found offsets of type <class 'torch.Tensor'>",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX), t.ones(10, 3), t.tensor(OFFSETS), mode="foo"),
            ValueError,
            "mode has to be one of sum, mean or max",
        ),
        (
            lambda t: _bag(
                t, t.tensor(IDX).view(2, 4), t.ones(10, 3), per_sample_weights=t.ones(8)
            ),
            ValueError,
            "embedding_bag: If per_sample_weights (torch.Size([8])) is not None, then it must "
            "have the same shape as the input (torch.Size([2, 4]))",
        ),
        (
            lambda t: _bag(t, t.tensor([1, 20]), t.ones(10, 3), t.tensor([0])),
            RuntimeError,
            "Index 1 of input takes value 20 which is not in the valid range [0, 10)",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX), t.ones(10, 3), t.tensor([0, 9])),
            RuntimeError,
            "offsets[-1] can not be greater than input's length 8 but got offsets[-1] of 9",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX), t.ones(10, 3), t.tensor([1, 4])),
            RuntimeError,
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
            "position 0. However, got 1\n[ torch.LongTensor{} ]",
        ),
        (
            lambda t: _bag(t, t.tensor(IDX).float(), t.ones(10, 3), t.tensor(OFFSETS)),
            RuntimeError,
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            "Long, Int; but got torch.FloatTensor instead (while checking arguments for "
            "embedding_bag)",
        ),
    ]
)
