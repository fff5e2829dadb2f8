"""``gradcheck`` extended: forward mode checked against finite differences, composed functions,
and custom Functions (once ``retrograd.autograd.Function`` exists)."""

import pytest

import retrograd
from retrograd.autograd import GradcheckError, gradcheck, gradgradcheck
from retrograd.autograd import forward_ad as fwad
from tests.conftest import rand64


def composed(x, w):
    """A user's function made of several ops, as a custom Function's forward would be."""
    return (x @ w).tanh().sum(0) * x.mean()


def test_gradcheck_composed_function_both_modes():
    x, w = rand64(3, 2), rand64(2, 4, seed=1)
    assert gradcheck(composed, (x, w), check_forward_ad=True)
    assert gradgradcheck(composed, (x, w))


def test_check_forward_ad_catches_a_wrong_tangent():
    def wrong_forward(x):
        tangent = fwad.unpack_dual(x).tangent
        if tangent is None:
            return x * 2
        return fwad.make_dual(x.detach() * 2, tangent * 3)  # the true tangent is 2 * t

    x = rand64(3)
    assert gradcheck(wrong_forward, (x,))  # reverse mode is right
    with pytest.raises(GradcheckError, match="^Jacobian computed with forward mode mismatch for "
                       "output 0 with respect to input 0,"):
        gradcheck(wrong_forward, (x,), check_forward_ad=True, check_backward_ad=False)
    assert not gradcheck(wrong_forward, (x,), check_forward_ad=True, raise_exception=False)


def test_gradcheck_custom_function():
    class Cube(retrograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    assert gradcheck(Cube.apply, (rand64(4),))
    assert gradgradcheck(Cube.apply, (rand64(4),))
