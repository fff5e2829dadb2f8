"""remainder (%) and fmod: values, signs, gradients and errors as PyTorch has them."""

import pytest

import retrograd as torch
from retrograd.autograd import gradcheck, gradgradcheck


def test_remainder_takes_the_divisors_sign_and_fmod_the_dividends():
    a = torch.tensor([5.0, -5.0, 3.5])
    b = torch.tensor([3.0, 3.0, -2.0])
    assert (a % b).tolist() == [2.0, 1.0, -0.5]
    assert torch.fmod(a, b).tolist() == [2.0, -2.0, 1.5]
    assert (torch.tensor([5, -5]) % 3).tolist() == [2, 1]
    assert (5 % torch.tensor([3.0, -3.0])).tolist() == [2.0, -1.0]


def test_gradients_against_finite_differences():
    x = torch.tensor([5.3, -5.2, 3.5], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[3.0, 3.0, -2.0]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda a, b: torch.fmod(a, b) + a % b, (x, y))
    assert gradgradcheck(lambda a, b: torch.fmod(a, b) * (a % b), (x, y))


def test_integer_division_by_zero_raises():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([5]) % torch.tensor([0])


def test_parity(torch_ref):
    a, b = [5.3, -5.2, 3.5, -7.1], [3.0, 3.0, -2.0, -2.5]
    for lib_fn in ("remainder", "fmod"):
        x = torch.tensor(a, requires_grad=True)
        y = torch.tensor(b, requires_grad=True)
        xr = torch_ref.tensor(a, requires_grad=True)
        yr = torch_ref.tensor(b, requires_grad=True)
        out, ref = getattr(torch, lib_fn)(x, y), getattr(torch_ref, lib_fn)(xr, yr)
        assert out.tolist() == pytest.approx(ref.tolist())
        out.sum().backward()
        ref.sum().backward()
        assert y.grad.tolist() == pytest.approx(yr.grad.tolist())
        assert x.grad.tolist() == pytest.approx(xr.grad.tolist())
