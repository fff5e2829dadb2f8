"""Printed tensors re-checked live against PyTorch: the expected strings written in
``test_printing.py`` are what PyTorch prints today, and a wider set of tensors (every dtype, 0-d,
empty, large and summarised, nan/inf, scientific notation, requires_grad, grad_fn, complex) prints
the same in both libraries, character for character (retrograd prints ``torch``, as PyTorch does)."""

import pytest
from test_printing import EXPECTED, EXPECTED_WITH_OPTIONS

import retrograd

# Each expression is evaluated with ``torch`` bound to retrograd, then to PyTorch.
EXPRESSIONS = [
    # dtypes
    *(
        f"torch.tensor([[1.5, -2.25, 0.0], [3.0, 4.125, -5.5]], dtype=torch.{d})"
        for d in ("float16", "float32", "float64")  # (no bfloat16: NumPy has none)
    ),
    *(
        f"torch.tensor([[1, -2, 0], [3, 4, 100]], dtype=torch.{d})"
        for d in ("int8", "int16", "int32", "int64")
    ),
    "torch.tensor([0, 7, 255], dtype=torch.uint8)",
    "torch.tensor([[True, False], [False, True]])",
    # 0-d, empty
    "torch.tensor(2.5)",
    "torch.tensor(-7)",
    "torch.tensor(False)",
    "torch.tensor(1.0, dtype=torch.float64)",
    "torch.tensor(3, dtype=torch.int32)",
    "torch.zeros(0)",
    "torch.zeros(3, 0, 2, dtype=torch.float64)",
    "torch.zeros(0, dtype=torch.bool)",
    # large: wrapped and summarised
    "torch.arange(30.) / 7",
    "torch.arange(2000)",
    "torch.arange(2000.).reshape(40, 50) / 3",
    "torch.arange(1500, dtype=torch.float64) * 1e-3",
    "torch.ones(3, 4, 5)",
    # nan, inf, scientific notation, mixed magnitudes
    "torch.tensor([float('nan'), float('inf'), -float('inf'), 1.5])",
    "torch.tensor([float('nan')])",
    "torch.tensor([1e-8, 1.0, 1e8])",
    "torch.tensor([123456.0, 0.5])",
    "torch.tensor([1e-4, 2e-4])",
    "torch.tensor([1e20, -1e-20], dtype=torch.float64)",
    "torch.tensor([0.1, 0.2, 0.30000001])",
    "torch.tensor([-0.0, 0.0])",
    "torch.tensor([100.0, 1000.0, 10000.0])",
    "torch.tensor([[1e-3, 5.0], [7.5, 1e3]])",
    # autograd
    "torch.tensor([1.0, 2.0], requires_grad=True)",
    "torch.tensor(3.0, requires_grad=True)",
    "torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
    "torch.tensor([1.0, 2.0], requires_grad=True) * 2",
    "torch.tensor([1.0, 2.0], requires_grad=True).sum()",
    "torch.tensor([[1.0, 2.0]], requires_grad=True).t()",
    "torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True).exp()",
    "torch.tensor([1.0, 2.0], requires_grad=True)[0]",
    "torch.tensor([1.0, 2.0], requires_grad=True).detach()",
    "torch.zeros(0, requires_grad=True) + 1",
    "(torch.arange(1000.0, requires_grad=True) * 2).view(10, 100)",
    # complex
    "torch.tensor([1 + 2j, -3.5 - 4j])",
    "torch.tensor(2j)",
    "torch.tensor([1e5 + 1j, 0j], dtype=torch.complex128)",
    "torch.tensor([[1 + 1j, 2], [3, 4j]], dtype=torch.complex64)",
]


def _eval(lib, expr):
    return eval(expr, {"torch": lib})


@pytest.mark.parametrize("expr, expected", EXPECTED, ids=[e for e, _ in EXPECTED])
def test_written_expectations_are_what_pytorch_prints(torch_ref, expr, expected):
    assert repr(_eval(torch_ref, expr)) == expected


@pytest.mark.parametrize(
    "options, expr, expected",
    EXPECTED_WITH_OPTIONS,
    ids=[f"{o}-{e}" for o, e, _ in EXPECTED_WITH_OPTIONS],
)
def test_written_expectations_with_options_are_what_pytorch_prints(
    torch_ref, options, expr, expected
):
    torch_ref.set_printoptions(**eval(options))
    try:
        assert repr(_eval(torch_ref, expr)) == expected
    finally:
        torch_ref.set_printoptions(profile="default")


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_repr_and_str_are_pytorchs(torch_ref, expr):
    ours, theirs = _eval(retrograd, expr), _eval(torch_ref, expr)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("expr", EXPRESSIONS[:12])
def test_printed_under_float64_default_is_pytorchs(torch_ref, expr):
    """With float64 as the default dtype, float64 loses its suffix and float32 gains one."""
    for lib in (retrograd, torch_ref):
        lib.set_default_dtype(lib.float64)
    try:
        assert repr(_eval(retrograd, expr)) == repr(_eval(torch_ref, expr))
    finally:
        for lib in (retrograd, torch_ref):
            lib.set_default_dtype(lib.float32)
