"""Bad input: PyTorch's exception type and message text, for the mistakes people make most."""

import pytest

import retrograd as torch  # noqa: F401 - the expressions below are evaluated with it

CASES = [
    (
        "torch.ones(2, 3) + torch.ones(3, 2)",
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1",
    ),
    (
        "torch.ones(2, 3) * torch.ones(4)",
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    (
        "torch.ones(2, 3) / torch.ones(3, 3)",
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    (
        "torch.ones(2, 3, 4) + torch.ones(5, 4)",
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1",
    ),
    (  # three operands: each broadcast against the shape of those before it
        "torch.where(torch.ones(3, 1) > 0, torch.ones(2, 1, 1), torch.ones(4, 1, 1))",
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
    ),
    (
        "torch.where(torch.ones(2, 2) > 0, torch.ones(2, 2), torch.ones(3, 3))",
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1",
    ),
    (
        "torch.ones(2, 3) @ torch.ones(2, 3)",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    (
        "torch.mm(torch.ones(2, 3), torch.ones(2, 3))",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    (
        "torch.ones(3) @ torch.ones(2)",
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [3] and src [2] to have the same number of "
            "elements, but got 3 and 2 elements respectively"
        ),
    ),
    (
        "torch.matmul(torch.ones(2, 3), torch.ones(4))",
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)",
    ),
    (
        "torch.matmul(torch.ones(4), torch.ones(2, 3))",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x4 and 2x3)",
    ),
    (
        "torch.tensor(1.) @ torch.ones(2)",
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    (
        "torch.ones(2, 3, 4) @ torch.ones(3, 4, 5)",
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    (
        "torch.ones(2, 3, 4) @ torch.ones(5, 6)",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)",
    ),
    (
        "torch.tensor([1., 2.]).item()",
        RuntimeError,
        "a Tensor with 2 elements cannot be converted to Scalar",
    ),
    (
        "(torch.ones(2, requires_grad=True) * 2).requires_grad_(False)",
        RuntimeError,
        (
            "you can only change requires_grad flags of leaf variables. If you want to use a computed "
            "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
        ),
    ),
    (
        "torch.tensor([1, 2], requires_grad=True)",
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    (
        "torch.ones(2, dtype=torch.int64, requires_grad=True)",
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    (
        "torch.ones(2, 3).sum(dim=2)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    ("torch.ones(2, 3).view(4)", RuntimeError, "shape '[4]' is invalid for input of size 6"),
]


def _check(expr, exc, message):
    with pytest.raises(exc) as info:
        eval(expr)
    assert str(info.value) == message


@pytest.mark.parametrize("expr,exc,message", CASES, ids=[c[0] for c in CASES])
def test_error_type_and_text(expr, exc, message):
    _check(expr, exc, message)


@pytest.mark.parametrize("expr,exc,message", CASES, ids=[c[0] for c in CASES])
def test_expected_texts_are_pytorchs(torch_ref, expr, exc, message):
    """The literal texts above are checked against PyTorch itself where it is installed."""
    with pytest.raises(exc) as info:
        eval(expr, {"torch": torch_ref})
    assert str(info.value) == message
