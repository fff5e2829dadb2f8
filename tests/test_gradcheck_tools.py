"""``gradcheck`` extended: forward mode checked against finite differences, composed functions,
and custom Functions (once ``retrograd.autograd.Function`` exists)."""

import pytest

import retrograd
from retrograd.autograd import GradcheckError, gradcheck, gradgradcheck
from retrograd.autograd import forward_ad as fwad
from tests.conftest import doubling, rand64


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
    with pytest.raises(
        GradcheckError,
        match="^Jacobian computed with forward mode mismatch for output 0 with respect to input 0,",
    ):
        gradcheck(wrong_forward, (x,), check_forward_ad=True, check_backward_ad=False)
    assert not gradcheck(wrong_forward, (x,), check_forward_ad=True, raise_exception=False)


def test_gradcheck_custom_function():
    Cube = _cube_with_jvp(3)
    assert gradcheck(Cube.apply, (rand64(4),))
    assert gradgradcheck(Cube.apply, (rand64(4),))


def _gradcheck_programs(T):
    """gradcheck and gradgradcheck called as a user might, rightly or wrongly: name -> program."""
    gc, ggc = T.autograd.gradcheck, T.autograd.gradgradcheck

    def x64():
        return T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)

    def x32():
        return T.tensor([1.0, 2.0], requires_grad=True)

    return {
        "float32_inputs_warn": lambda: gc(lambda a, b: a * b, (x32(), x32()), atol=1e-2),
        "gradgradcheck_float32_warns": lambda: ggc(lambda a: a**2, (x32(),), raise_exception=False),
        "nothing_requires_grad": lambda: gc(lambda a: a * 2, (x64().detach(),)),
        "gradgradcheck_nothing_requires_grad": lambda: ggc(lambda a: a * 2, (x64().detach(),)),
        "neither_mode": lambda: gc(lambda a: a * 2, (x64(),), check_backward_ad=False),
        "stride_0_input": lambda: gc(
            lambda a: a * 2, (T.ones(1, dtype=T.float64, requires_grad=True).expand(3),)
        ),
        "output_not_a_tensor": lambda: gc(lambda a: 3.0, (x64(),)),
        "outputs_detached": lambda: gc(lambda a: a.detach() * 2, (x64(),)),
        "outputs_detached_no_raise": lambda: gc(
            lambda a: a.detach() * 2, (x64(),), raise_exception=False
        ),
        "outputs_constant": lambda: gc(lambda a: T.ones(2, dtype=T.float64), (x64(),)),
    }


@pytest.mark.parametrize("name", list(_gradcheck_programs(retrograd)))
def test_gradcheck_input_and_output_checks_match_pytorch(torch_ref, name):
    import warnings

    def run(T):
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            try:
                result = _gradcheck_programs(T)[name]()
            except Exception as e:  # noqa: BLE001 - the error itself is compared
                result = type(e).__name__, str(e)
        return result, [(w.category, str(w.message)) for w in warned]

    assert run(retrograd) == run(torch_ref)


def _cube_with_jvp(factor):
    class Cube(retrograd.autograd.Function):
        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.save_for_forward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return factor * t * x * x

    return Cube


def test_gradcheck_forward_mode_uses_a_custom_functions_jvp():
    assert gradcheck(_cube_with_jvp(3).apply, (rand64(4),), check_forward_ad=True)
    wrong = _cube_with_jvp(2).apply
    assert gradcheck(wrong, (rand64(4),))  # reverse mode is right; only the jvp is wrong
    assert not gradcheck(wrong, (rand64(4),), check_forward_ad=True, raise_exception=False)
    with pytest.raises(GradcheckError, match="^Jacobian computed with forward mode mismatch"):
        gradcheck(wrong, (rand64(4),), check_forward_ad=True)

    NoJvp = doubling(retrograd)

    with pytest.raises(NotImplementedError, match="^You must implement the jvp function"):
        gradcheck(NoJvp.apply, (rand64(4),), check_forward_ad=True)


def _fwd_over_rev_classes(T):
    class Sq(T.autograd.Function):  # a right backward and a wrong jvp
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 3 * t * x

    class Cube(T.autograd.Function):  # its backward runs Sq: only forward-over-reverse sees it
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * Sq.apply(x)

    return Cube


FWD_OVER_REV = {
    "rev_over_rev": {},
    "fwd_over_rev": {"check_fwd_over_rev": True},
    "fwd_over_rev_no_raise": {"check_fwd_over_rev": True, "raise_exception": False},
    "neither": {"check_rev_over_rev": False},
    "undefined_grad_needs_rev_over_rev": {"check_rev_over_rev": False, "check_fwd_over_rev": True},
}


@pytest.mark.parametrize("name", list(FWD_OVER_REV))
def test_gradgradcheck_forward_over_reverse(torch_ref, name):
    def run(T):
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
        go = T.ones(3, dtype=T.float64, requires_grad=True)
        try:
            return T.autograd.gradgradcheck(
                _fwd_over_rev_classes(T).apply, (x,), (go,), **FWD_OVER_REV[name]
            )
        except Exception as e:  # noqa: BLE001 - the error itself is compared
            return type(e).__name__, str(e).split("\n")[0]

    assert run(retrograd) == run(torch_ref)


def test_gradgradcheck_forward_over_reverse_on_ops():
    x, w = rand64(3, 2), rand64(2, 4, seed=1)
    assert gradgradcheck(composed, (x, w), check_fwd_over_rev=True)
    assert gradgradcheck(
        lambda a: a.sin(),
        (rand64(3),),
        check_fwd_over_rev=True,
        check_rev_over_rev=False,
        check_undefined_grad=False,
    )


def _undefined_grad_classes(T):
    class NonZero(T.autograd.Function):  # right, except that it invents a gradient from none
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return T.ones_like(ctx.x) if g is None else g * 2

    class Raises(T.autograd.Function):  # copes with one missing gradient, not with both
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            if g1 is None and g2 is None:
                raise RuntimeError("no grad")
            return (0 if g1 is None else g1 * 2) + (0 if g2 is None else g2 * 3)

    class Handles(Raises):
        @staticmethod
        def backward(ctx, g1, g2):
            if g1 is None and g2 is None:
                return None
            return (0 if g1 is None else g1 * 2) + (0 if g2 is None else g2 * 3)

    def keep_input(cls):
        def apply(x):
            y = cls.apply(x)
            (y[0] if isinstance(y, tuple) else y).grad_fn.x = x.detach()
            return y

        return apply

    return {"NonZero": keep_input(NonZero), "Raises": Raises.apply, "Handles": Handles.apply}


UNDEFINED = [
    ("NonZero", {}),
    ("NonZero", {"raise_exception": False}),
    ("NonZero", {"check_undefined_grad": False}),
    ("Raises", {}),
    ("Handles", {}),
]


@pytest.mark.parametrize("name,kwargs", UNDEFINED)
def test_check_undefined_grad(torch_ref, name, kwargs):
    import warnings

    def run(T):
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            try:
                result = T.autograd.gradcheck(_undefined_grad_classes(T)[name], (x,), **kwargs)
            except Exception as e:  # noqa: BLE001 - the error itself is compared
                result = type(e).__name__, str(e)
        return result, [str(w.message) for w in warned]

    assert run(retrograd) == run(torch_ref)
