"""``nn.AdaptiveLogSoftmaxWithLoss`` against PyTorch with the same weights: the named tuple of
output and loss, their gradients for the input and every parameter (float64 and float32),
``log_prob``, ``predict``, parameter names, the seeded initial weights, and the errors."""

import numpy as np
import pytest

import retrograd


def _pair(torch, dtype, head_bias=True, cutoffs=(4, 10), n_classes=20):
    ours = retrograd.nn.AdaptiveLogSoftmaxWithLoss(
        16, n_classes, cutoffs, div_value=2.0, head_bias=head_bias, dtype=getattr(retrograd, dtype)
    )
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(
        16, n_classes, cutoffs, div_value=2.0, head_bias=head_bias, dtype=getattr(torch, dtype)
    )
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batched", [True, False])
def test_output_loss_and_gradients(torch_ref, dtype, batched):
    ours, theirs = _pair(torch_ref, dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((12, 16) if batched else (16,))
    target = rng.integers(0, 20, 12) if batched else np.int64(15)
    results = []
    for lib, m in ((retrograd, ours), (torch_ref, theirs)):
        t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        out = m(t, lib.tensor(target))
        assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
        (out.output.sum() * 0.3 + out.loss).backward()
        grads = {k: p.grad.numpy() for k, p in m.named_parameters() if p.grad is not None}
        results.append((out.output.detach().numpy(), out.loss.item(), t.grad.numpy(), grads))
    tol = 1e-10 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=tol, atol=tol)
    assert results[0][0].shape == results[1][0].shape
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=tol)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=tol, atol=tol)
    assert results[0][3].keys() == results[1][3].keys()
    for k in results[1][3]:
        np.testing.assert_allclose(results[0][3][k], results[1][3][k], rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_log_prob_and_predict(torch_ref, dtype):
    ours, theirs = _pair(torch_ref, dtype, head_bias=False, cutoffs=(2, 5), n_classes=9)
    x = np.random.default_rng(1).standard_normal((40, 16)) * 3
    got = []
    for lib, m in ((retrograd, ours), (torch_ref, theirs)):
        t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        lp = m.log_prob(t)
        (
            lp * lib.tensor(np.cos(np.arange(lp.numel())).reshape(40, 9), dtype=lp.dtype)
        ).sum().backward()
        got.append((lp.detach().numpy(), t.grad.numpy(), m.predict(t).numpy()))
    tol = 1e-10 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=tol, atol=tol)
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=tol, atol=tol)
    np.testing.assert_array_equal(got[0][2], got[1][2])
    assert len(set(got[1][2].tolist())) > 2  # rows predicted in the shortlist and in clusters


def test_seeded_construction_and_repr(torch_ref):
    made = []
    for lib in (retrograd, torch_ref):
        lib.manual_seed(0)
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], head_bias=True)
        made.append((repr(m), {k: v.detach().numpy() for k, v in m.state_dict().items()}))
    assert made[0][0] == made[1][0]
    assert made[0][1].keys() == made[1][1].keys()
    for k in made[1][1]:
        np.testing.assert_allclose(made[0][1][k], made[1][1][k], rtol=1e-6)


ERRORS = [
    lambda t, m: t.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda t, m: t.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda t, m: t.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda t, m: t.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [0, 3]),
    lambda t, m: m(t.ones(4, 8), t.tensor([1, 2, 3])),
    lambda t, m: m(t.ones(4, 2, 8), t.tensor([1, 2, 3, 4])),
    lambda t, m: m(t.ones(4, 8), t.tensor(3)),
    lambda t, m: m(t.ones(4, 8), t.ones(4, 2).long()),
    lambda t, m: m(t.ones(4, 8), t.tensor([1, 12, -1, 4])),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])
        with pytest.raises(Exception) as info:
            ERRORS[i](lib, m)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[0]) == str(caught[1])
