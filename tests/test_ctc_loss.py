"""``F.ctc_loss`` and ``nn.CTCLoss`` against PyTorch: every reduction, padded and concatenated
targets, lengths as tensors or tuples, an empty target, impossible alignments (inf, or 0 with
``zero_infinity``), unbatched input; values, node names and gradients in float64 and float32;
the gradient against finite differences; no second derivative, as PyTorch; errors."""

import numpy as np
import pytest
from op_checks import error_tests

import retrograd

RNG = np.random.default_rng(0)
X = RNG.standard_normal((7, 3, 5))
TARGETS = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])
IN_LENGTHS = np.array([7, 5, 6])
TARGET_LENGTHS = np.array([3, 2, 0])

CASES = {
    "mean": dict(reduction="mean"),
    "sum": dict(reduction="sum"),
    "none": dict(reduction="none"),
    "blank 4": dict(reduction="none", blank=4, targets=np.array([[1, 2, 2], [3, 1, 0], [0, 0, 0]])),
    "concatenated targets": dict(targets=np.array([1, 2, 2, 3, 1])),
    "tuple lengths": dict(in_lengths=(7, 5, 6), target_lengths=(3, 2, 0), tuples=True),
    "impossible": dict(reduction="none", in_lengths=np.array([2, 2, 2])),
    "impossible, zero_infinity": dict(
        reduction="none", in_lengths=np.array([2, 2, 2]), zero_infinity=True
    ),
    "impossible mean, zero_infinity": dict(in_lengths=np.array([2, 4, 2]), zero_infinity=True),
    "unbatched": dict(
        x=X[:, 0], targets=TARGETS[0], in_lengths=np.array([7]), target_lengths=np.array([3])
    ),
}


def _run(lib, dtype, reduction="mean", blank=0, zero_infinity=False, tuples=False, **kw):
    x = lib.tensor(kw.get("x", X).astype(dtype), requires_grad=True)
    lengths = [kw.get("in_lengths", IN_LENGTHS), kw.get("target_lengths", TARGET_LENGTHS)]
    if not tuples:
        lengths = [lib.tensor(v) for v in lengths]
    y = lib.nn.functional.ctc_loss(
        x.log_softmax(-1),
        lib.tensor(kw.get("targets", TARGETS)),
        *lengths,
        blank=blank,
        reduction=reduction,
        zero_infinity=zero_infinity,
    )
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
    (y * w).sum().backward()
    return y.grad_fn.name(), y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(CASES))
def test_matches_pytorch(torch_ref, case, dtype):
    ours, theirs = _run(retrograd, dtype, **CASES[case]), _run(torch_ref, dtype, **CASES[case])
    assert ours[0] == theirs[0]
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], **tol)
    np.testing.assert_allclose(ours[2], theirs[2], **tol)


def test_gradient_is_the_finite_difference_one():
    # (a target equal to the blank too: a case where PyTorch's own gradient is not the loss's)
    def loss(a):
        return retrograd.nn.functional.ctc_loss(
            retrograd.tensor(a).log_softmax(2),
            retrograd.tensor([[1, 2, 2], [3, 3, 1]]),
            retrograd.tensor([7, 6]),
            retrograd.tensor([3, 3]),
            blank=2,
            reduction="sum",
        )

    x = retrograd.tensor(X[:, :2], requires_grad=True)
    y = retrograd.nn.functional.ctc_loss(
        x.log_softmax(2),
        retrograd.tensor([[1, 2, 2], [3, 3, 1]]),
        retrograd.tensor([7, 6]),
        retrograd.tensor([3, 3]),
        blank=2,
        reduction="sum",
    )
    y.backward()
    a = X[:, :2]
    fd = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = 1e-6
        fd[idx] = (loss(a + e).item() - loss(a - e).item()) / 2e-6
    np.testing.assert_allclose(x.grad.numpy(), fd, atol=1e-7)


def test_no_second_derivative_as_pytorch(torch_ref):
    texts = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(X, requires_grad=True)
        y = lib.nn.functional.ctc_loss(
            x.log_softmax(2),
            lib.tensor(TARGETS),
            lib.tensor(IN_LENGTHS),
            lib.tensor(TARGET_LENGTHS),
        )
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        with pytest.raises(RuntimeError) as err:
            g.sum().backward()
        texts.append(str(err.value))
    assert texts[0] == texts[1]


def test_module(torch_ref):
    got = []
    for lib in (retrograd, torch_ref):
        m = lib.nn.CTCLoss(blank=4, reduction="sum", zero_infinity=True)
        y = m(
            lib.tensor(X).log_softmax(2),
            lib.tensor([[1, 2, 2], [3, 1, 0], [0, 0, 0]]),
            lib.tensor(IN_LENGTHS),
            lib.tensor(TARGET_LENGTHS),
        )
        got.append((repr(m), y.item()))
    assert got[0][0] == got[1][0]
    assert got[0][1] == pytest.approx(got[1][1], rel=1e-12)


def _ctc(t, **kw):
    args = dict(
        log_probs=t.tensor(X).log_softmax(2),
        targets=t.tensor(TARGETS),
        input_lengths=t.tensor(IN_LENGTHS),
        target_lengths=t.tensor(TARGET_LENGTHS),
    )
    args.update({k: v(t) if callable(v) else v for k, v in kw.items()})
    return t.nn.functional.ctc_loss(**args)


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: _ctc(t, target_lengths=lambda t: t.tensor([3, 7, 0])),
            RuntimeError,
            "Expected tensor to have size at least 7 at dimension 1, but got size 3 for argument "
            "#2 'targets' (while checking arguments for ctc_loss_allocate_outputs)",
        ),
        (
            lambda t: _ctc(t, input_lengths=lambda t: t.tensor([8, 5, 6])),
            RuntimeError,
            "Expected input_lengths to have value at most 7, but got value 8 (while checking "
            "arguments for ctc_loss_allocate_outputs)",
        ),
        (lambda t: _ctc(t, blank=5), RuntimeError, "blank must be in label range"),
        (
            lambda t: _ctc(t, reduction="x"),
            ValueError,
            "x is not a valid value for reduction",
        ),
    ]
)
