"""Elementwise ops, one table: known values, gradients (gradcheck, gradgradcheck over broadcast
shapes), PyTorch parity (values, dtypes, node names, gradients), type promotion and error texts."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_checks import assert_matches_pytorch, assert_second_derivatives_match, error_tests

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

# --- inputs ------------------------------------------------------------------------------------

ANY = (-1.0, 1.0)
POS = (0.5, 2.0)
UNIT = (-0.9, 0.9)
AWAY = "away"  # signed, at least 0.1 from every multiple of 0.5: no kink of abs/relu/floor/round


def values(shape, domain, seed):
    """Reproducible float64 values for one input, inside the op's smooth domain."""
    rng = np.random.default_rng(seed)
    if domain == AWAY:
        whole = rng.integers(-4, 4, shape) * 0.5
        return whole + rng.uniform(0.1, 0.4, shape)
    return rng.uniform(domain[0], domain[1], shape)


def leaves(lib, shapes, domains, dtype="float64", seed=0):
    return [
        lib.tensor(values(s, d, seed + i), dtype=getattr(lib, dtype), requires_grad=True)
        for i, (s, d) in enumerate(zip(shapes, domains))
    ]


class Case:
    """One op: how to call it (``fn(lib, *tensors)``, ``lib`` is retrograd or torch), the domain of
    each input, the node name PyTorch gives it, and what its gradient supports."""

    def __init__(self, name, fn, domains, node, gradgrad=True, grad=True):
        self.name, self.fn, self.domains, self.node = name, fn, domains, node
        self.gradgrad, self.grad = gradgrad, grad
        self.arity = len(domains)

    def __repr__(self):
        return self.name


U, B = (ANY,), (ANY, ANY)
CASES = [
    Case("add", lambda t, x, y: x + y, B, "AddBackward0"),
    Case("add_alpha", lambda t, x, y: t.add(x, y, alpha=2.5), B, "AddBackward0"),
    Case("add_scalar", lambda t, x: 1.5 + x, U, "AddBackward0"),
    Case("sub", lambda t, x, y: x - y, B, "SubBackward0"),
    Case("sub_alpha", lambda t, x, y: t.sub(x, y, alpha=-2), B, "SubBackward0"),
    Case("rsub", lambda t, x: 2 - x, U, "RsubBackward1"),
    Case("mul", lambda t, x, y: x * y, B, "MulBackward0"),
    Case("mul_scalar", lambda t, x: x * 3, U, "MulBackward0"),
    Case("div", lambda t, x, y: x / y, (ANY, POS), "DivBackward0"),
    Case("true_divide", lambda t, x, y: t.true_divide(x, y), (ANY, POS), "DivBackward0"),
    Case("rdiv", lambda t, x: 2 / x, (POS,), "MulBackward0"),
    Case(
        "div_floor",
        lambda t, x, y: t.div(x, y, rounding_mode="floor"),
        (AWAY, POS),
        "DivBackward2",
        gradgrad=False,
    ),
    Case(
        "div_trunc",
        lambda t, x, y: t.div(x, y, rounding_mode="trunc"),
        (AWAY, POS),
        "DivBackward2",
        gradgrad=False,
    ),
    Case("neg", lambda t, x: -x, U, "NegBackward0"),
    Case("pow_scalar", lambda t, x: x**3, U, "PowBackward0"),
    Case("pow_float", lambda t, x: x**2.5, (POS,), "PowBackward0"),
    Case("pow_zero", lambda t, x: x**0, U, "PowBackward0"),
    Case("pow_tensor", lambda t, x, y: x**y, (POS, ANY), "PowBackward1"),
    Case("rpow", lambda t, x: 2**x, U, "PowBackward2"),
    Case("square", lambda t, x: t.square(x), U, "PowBackward0"),
    Case("reciprocal", lambda t, x: x.reciprocal(), (POS,), "ReciprocalBackward0"),
    Case("exp", lambda t, x: x.exp(), U, "ExpBackward0"),
    Case("log", lambda t, x: x.log(), (POS,), "LogBackward0"),
    Case("log2", lambda t, x: x.log2(), (POS,), "Log2Backward0"),
    Case("log1p", lambda t, x: x.log1p(), (POS,), "Log1PBackward0"),
    Case("expm1", lambda t, x: x.expm1(), U, "Expm1Backward0"),
    Case("sqrt", lambda t, x: x.sqrt(), (POS,), "SqrtBackward0"),
    Case("rsqrt", lambda t, x: x.rsqrt(), (POS,), "RsqrtBackward0"),
    Case("abs", lambda t, x: x.abs(), (AWAY,), "AbsBackward0"),
    Case("sign", lambda t, x: x.sign(), (AWAY,), "SignBackward0", gradgrad=False),
    Case("floor", lambda t, x: x.floor(), (AWAY,), "FloorBackward0", gradgrad=False),
    Case("ceil", lambda t, x: x.ceil(), (AWAY,), "CeilBackward0", gradgrad=False),
    Case("round", lambda t, x: x.round(), (AWAY,), "RoundBackward0", gradgrad=False),
    Case(
        "round_decimals",
        lambda t, x: t.round(x, decimals=1),
        ((0.11, 0.14),),
        "RoundBackward1",
        gradgrad=False,
    ),
    Case("trunc", lambda t, x: x.trunc(), (AWAY,), "TruncBackward0", gradgrad=False),
    Case("frac", lambda t, x: x.frac(), (AWAY,), "FracBackward0"),
    Case("sin", lambda t, x: x.sin(), U, "SinBackward0"),
    Case("cos", lambda t, x: x.cos(), U, "CosBackward0"),
    Case("tan", lambda t, x: x.tan(), U, "TanBackward0"),
    Case("asin", lambda t, x: x.asin(), (UNIT,), "AsinBackward0"),
    Case("acos", lambda t, x: x.acos(), (UNIT,), "AcosBackward0"),
    Case("atan", lambda t, x: x.atan(), U, "AtanBackward0"),
    Case("sinh", lambda t, x: x.sinh(), U, "SinhBackward0"),
    Case("cosh", lambda t, x: x.cosh(), U, "CoshBackward0"),
    Case("tanh", lambda t, x: x.tanh(), U, "TanhBackward0"),
    Case("sigmoid", lambda t, x: x.sigmoid(), U, "SigmoidBackward0"),
    Case("relu", lambda t, x: x.relu(), (AWAY,), "ReluBackward0"),
    Case("clamp", lambda t, x: x.clamp(-0.5, 0.5), (AWAY,), "ClampBackward1"),
    Case("clamp_min", lambda t, x: t.clamp(x, min=0.5), (AWAY,), "ClampBackward1"),
    Case("clip", lambda t, x: x.clip(max=-0.5), (AWAY,), "ClampBackward1"),
    Case("clamp_tensor", lambda t, x, lo, hi: x.clamp(lo, hi), (ANY, ANY, ANY), "ClampBackward0"),
    Case("clamp_tensor_min", lambda t, x, lo: x.clamp(min=lo), B, "ClampBackward0"),
    Case("clamp_tensor_max", lambda t, x, hi: t.clamp(x, max=hi), B, "ClampBackward0"),
    Case("clamp_min_fn", lambda t, x: t.clamp_min(x, 0.0), (AWAY,), "ClampMinBackward0"),
    Case("clamp_max_fn", lambda t, x: x.clamp_max(0.0), (AWAY,), "ClampMaxBackward0"),
    Case("clamp_min_tensor", lambda t, x, y: x.clamp_min(y), B, "ClampMinBackward1"),
    Case("clamp_max_tensor", lambda t, x, y: t.clamp_max(x, y), B, "ClampMaxBackward1"),
    Case("maximum", lambda t, x, y: t.maximum(x, y), B, "MaximumBackward0"),
    Case("minimum", lambda t, x, y: t.minimum(x, y), B, "MinimumBackward0"),
    Case("max_binary", lambda t, x, y: t.max(x, y), B, "MaximumBackward0"),
    Case("min_binary", lambda t, x, y: x.min(y), B, "MinimumBackward0"),
    Case("where", lambda t, x, y: t.where(x > 0, x, y), B, "WhereBackward0"),
    Case("where_scalar", lambda t, x: t.where(x > 0, x, 0.0), (AWAY,), "WhereBackward0"),
    Case("atan2", lambda t, x, y: t.atan2(x, y), B, "Atan2Backward0"),
    Case("arctan2", lambda t, x, y: x.arctan2(y), B, "Atan2Backward0"),
    Case("hypot", lambda t, x, y: t.hypot(x, y), B, "HypotBackward0"),
    Case("logaddexp", lambda t, x, y: t.logaddexp(x, y), B, "LogaddexpBackward0"),
    Case("logaddexp2", lambda t, x, y: x.logaddexp2(y), B, "Logaddexp2Backward0"),
    Case("copysign", lambda t, x, y: t.copysign(x, y), (ANY, AWAY), "CopysignBackward0"),
    Case("copysign_scalar", lambda t, x: x.copysign(-1.5), U, "CopysignBackward1"),
    Case("nextafter", lambda t, x, y: t.nextafter(x, y), B, "NextafterBackward0"),
    Case("ldexp", lambda t, x, y: t.ldexp(x, y), B, "LdexpBackward0"),
    Case("logit", lambda t, x: x.logit(), ((0.05, 0.95),), "LogitBackward0"),
    Case("logit_eps", lambda t, x: t.logit(x, eps=0.2), ((0.05, 0.95),), "LogitBackward0"),
    Case("sinc", lambda t, x: t.sinc(x), U, "SincBackward0"),
    Case("float_power", lambda t, x, y: t.float_power(x, y), (POS, ANY), "PowBackward1"),
    Case("float_power_scalar", lambda t, x: x.float_power(2), U, "PowBackward0"),
]
UNARY = [c for c in CASES if c.arity == 1]
BINARY = [c for c in CASES if c.arity == 2]
BROADCAST = [((3, 4), (4,)), ((2, 1, 3), (4, 3)), ((), (2, 3)), ((2, 3), ())]


def _shapes(case, pair):
    """Shapes for a case's inputs: a broadcasting pair, the second shape again for a third input."""
    return (pair + pair[1:])[: case.arity]


# --- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 4), ()])
@pytest.mark.parametrize("case", UNARY, ids=repr)
def test_unary_gradcheck(case, shape):
    (x,) = leaves(retrograd, [shape], case.domains)
    assert gradcheck(lambda a: case.fn(retrograd, a), (x,))


@pytest.mark.parametrize("pair", BROADCAST, ids=str)
@pytest.mark.parametrize("case", [c for c in CASES if c.arity > 1], ids=repr)
def test_broadcast_gradcheck(case, pair):
    xs = leaves(retrograd, _shapes(case, pair), case.domains)
    assert gradcheck(lambda *a: case.fn(retrograd, *a), xs)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad], ids=repr)
def test_gradgradcheck(case):
    shapes = [(2, 3), (3,), (1, 3)][: case.arity]
    xs = leaves(retrograd, shapes, case.domains, seed=3)
    assert gradgradcheck(lambda *a: case.fn(retrograd, *a), xs)


# --- parity with PyTorch -------------------------------------------------------------------


def _both(torch, case, shapes, dtype="float32", seed=5):
    ours = leaves(retrograd, shapes, case.domains, dtype, seed)
    theirs = [torch.tensor(x.detach().numpy(), requires_grad=True) for x in ours]
    return ours, theirs


def _check_parity(torch, case, shapes):
    ours, theirs = _both(torch, case, shapes)
    out, ref = case.fn(retrograd, *ours), case.fn(torch, *theirs)
    assert_matches_pytorch(torch, out, ref, ours, theirs, case.node)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_parity_with_pytorch(torch_ref, case):
    _check_parity(torch_ref, case, [(3, 4), (4,), (3, 1)][: case.arity])


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad], ids=repr)
def test_second_derivatives_match_pytorch(torch_ref, case):
    ours, theirs = _both(torch_ref, case, [(3, 4), (4,), (3, 1)][: case.arity])
    out, ref = case.fn(retrograd, *ours), case.fn(torch_ref, *theirs)
    assert_second_derivatives_match(torch_ref, out, ref, ours, theirs)


@pytest.mark.parametrize("case", [c for c in CASES if c.arity == 2], ids=repr)
def test_parity_broadcast_and_zero_dim(torch_ref, case):
    _check_parity(torch_ref, case, [(2, 1, 3), (4, 3)])
    _check_parity(torch_ref, case, [(), (2, 3)])


# --- known values --------------------------------------------------------------------------

T = retrograd.tensor
KNOWN = [
    (lambda: T([1.5, -1.5, 2.5, -0.5]).round(), [2.0, -2.0, 2.0, -0.0]),
    (lambda: T([1.25, 2.35, -0.26]).round(decimals=1), [1.2, 2.4, -0.3]),
    (lambda: T([125.0, 1234.0]).round(decimals=-2), [100.0, 1200.0]),
    (lambda: T([1.5, -1.5]).floor(), [1.0, -2.0]),
    (lambda: T([1.5, -1.5]).ceil(), [2.0, -1.0]),
    (lambda: T([1.5, -1.5]).trunc(), [1.0, -1.0]),
    (lambda: T([1.75, -1.75]).frac(), [0.75, -0.75]),
    (lambda: T([2.0, -4.0, 0.0]).reciprocal(), [0.5, -0.25, math.inf]),
    (lambda: T([3, -2]).square(), [9, 4]),
    (lambda: T([0.5, -1.0]).asin(), [math.pi / 6, -math.pi / 2]),
    (lambda: T([0.5, -1.0]).acos(), [math.pi / 3, math.pi]),
    (lambda: T([1.0, -1.0]).atan(), [math.pi / 4, -math.pi / 4]),
    (lambda: T([0.0, 1.0]).sinh(), [0.0, math.sinh(1.0)]),
    (lambda: T([0.0, 1.0]).cosh(), [1.0, math.cosh(1.0)]),
    (lambda: T([-1000.0, 0.0, 1000.0]).sigmoid(), [0.0, 0.5, 1.0]),
    (lambda: T([1.0, 5.0, -2.0]).clamp(0.0, 2.0), [1.0, 2.0, 0.0]),
    (lambda: T([3.0]).clamp(min=2, max=1), [1.0]),  # min > max: every element is max
    (lambda: T([1.0, 5.0]).clamp(T([2.0, 0.0]), T(3.0)), [2.0, 3.0]),
    (lambda: T([-1.0, 2.0]).clamp_min(0.0), [0.0, 2.0]),
    (lambda: T([-1.0, 2.0]).clamp_max(T([0.0, 1.0])), [-1.0, 1.0]),
    (lambda: T([-3, 5]).div(2, rounding_mode="floor"), [-2, 2]),
    (lambda: T([-3, 5]).div(2, rounding_mode="trunc"), [-1, 2]),
    (lambda: T([-3.0, 5.0]) // 2, [-2.0, 2.0]),
    (lambda: T([1, 2, -1]) ** T([-1, -2, -3]), [1, 0, -1]),
    (lambda: 2 ** T([1, 2]), [2, 4]),
    (lambda: T([-1.0, 0.0, 2.0]).relu(), [0.0, 0.0, 2.0]),
    (lambda: T([True, False]).sign(), [True, False]),
    (lambda: retrograd.add(T([True, False]), T([False, False]), alpha=True), [True, False]),
    (lambda: retrograd.maximum(T([1.0, 5.0]), T([3.0])), [3.0, 5.0]),
    (lambda: retrograd.max(T([1.0, 5.0]), T([3.0])), [3.0, 5.0]),
]


@pytest.mark.parametrize("i", range(len(KNOWN)))
def test_known_values(i):
    fn, expected = KNOWN[i]
    np.testing.assert_allclose(fn().numpy(), expected, rtol=1e-6, atol=1e-7)


def test_zero_derivatives_where_pytorch_takes_them():
    x = T([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    e = T([0.0, 1.0], requires_grad=True)
    retrograd.pow(0, e).sum().backward()  # 0 ** e: d/de taken as 0 for e >= 0
    assert e.grad.tolist() == [0.0, 0.0]
    b, e = T([0.0], requires_grad=True), T([0.0], requires_grad=True)
    (b**e).backward()
    assert b.grad.tolist() == [0.0] and e.grad.tolist() == [0.0]


def test_ties_share_the_gradient_of_maximum():
    a, b = T([1.0, 2.0], requires_grad=True), T([1.0, 1.0], requires_grad=True)
    retrograd.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_clamp_tensor_bounds_get_the_gradient_outside():
    x = T([-1.0, 0.5, 3.0], requires_grad=True)
    lo, hi = T(0.0, requires_grad=True), T(2.0, requires_grad=True)
    x.clamp(lo, hi).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert lo.grad.item() == 1.0 and hi.grad.item() == 1.0


# --- dtypes and type promotion ---------------------------------------------------------------

PROMOTION = [
    (lambda t: t.tensor([1, 2]) + 1.5, "torch.float32"),
    (lambda t: t.tensor([1, 2]) * 2, "torch.int64"),
    (lambda t: t.tensor([1, 2]) / 2, "torch.float32"),
    (lambda t: t.tensor([1, 2]) // 2, "torch.int64"),
    (lambda t: t.tensor([1, 2]) // 2.5, "torch.float32"),
    (lambda t: t.tensor([1, 2], dtype=t.int32) + t.tensor(3), "torch.int32"),
    (lambda t: t.tensor([1, 2], dtype=t.int32) + t.tensor(3.0), "torch.float32"),
    (lambda t: t.tensor([1.0], dtype=t.float16) + t.tensor(3.0, dtype=t.float64), "torch.float16"),
    (lambda t: t.tensor(1) + t.tensor([1.0], dtype=t.float16), "torch.float16"),
    (lambda t: t.tensor([1.0]) + t.tensor([1.0], dtype=t.float64), "torch.float64"),
    (lambda t: t.tensor([True]) + t.tensor([True]), "torch.bool"),
    (lambda t: t.tensor([True]) * 2.5, "torch.float32"),
    (lambda t: t.tensor([1, 2]) ** 2, "torch.int64"),
    (lambda t: t.tensor([1, 2]) ** 2.0, "torch.float32"),
    (lambda t: 2 ** t.tensor([1, 2]), "torch.int64"),
    (lambda t: 2.0 ** t.tensor([1, 2]), "torch.float32"),
    (lambda t: 2.5 ** t.tensor([True]), "torch.float32"),
    (lambda t: t.tensor([2, 3]) ** t.tensor(2.0), "torch.float32"),
    (lambda t: t.tensor(2.0) ** t.tensor([2, 3]), "torch.float32"),
    (lambda t: t.tensor([True]).square(), "torch.int64"),
    (lambda t: t.tensor([True, False]) ** 2, "torch.int64"),
    (lambda t: t.tensor([True, False]) ** True, "torch.bool"),
    (lambda t: t.tensor([True, False]) ** 2.5, "torch.float32"),
    (lambda t: 2 ** t.tensor([True, False]), "torch.int64"),
    (lambda t: t.tensor([1, 2]).exp(), "torch.float32"),
    (lambda t: t.tensor([True]).exp(), "torch.float32"),
    (lambda t: t.tensor([1], dtype=t.int32).sqrt(), "torch.float32"),
    (lambda t: t.tensor([1, 2]).reciprocal(), "torch.float32"),
    (lambda t: t.tensor([1, 2]).asin(), "torch.float32"),
    (lambda t: t.tensor([1, 2]).cosh(), "torch.float32"),
    (lambda t: t.tensor([1, 2]).sigmoid(), "torch.float32"),
    (lambda t: t.tensor([1, 2]).floor(), "torch.int64"),
    (lambda t: t.tensor([1, 2]).round(), "torch.int64"),
    (lambda t: t.tensor([1, 2]).abs(), "torch.int64"),
    (lambda t: t.tensor([1, 2]).relu(), "torch.int64"),
    (lambda t: t.tensor([-1, 2]).sign(), "torch.int64"),
    (lambda t: t.tensor([True]).sign(), "torch.bool"),
    (lambda t: t.tensor([1, 2]).clamp(max=1.5), "torch.float32"),
    (lambda t: t.tensor([1, 2]).clamp(0, 1), "torch.int64"),
    (lambda t: t.tensor([True, False]).clamp(0, 1), "torch.int64"),
    (lambda t: t.tensor([1, 2]).clamp(t.tensor(0.5)), "torch.float32"),
    (lambda t: t.tensor([1, 2]).clamp(min=t.tensor(0.5, dtype=t.float64)), "torch.float64"),
    (lambda t: t.tensor([1, 2]).clamp_min(0.5), "torch.float32"),
    (lambda t: t.tensor([1, 2]).maximum(t.tensor([1.5])), "torch.float32"),
    (lambda t: t.where(t.tensor([True, False]), 1, 0), "torch.int64"),
    (lambda t: t.where(t.tensor([True, False]), 1.0, 0), "torch.float32"),
    (lambda t: t.where(t.tensor([True]), t.tensor([1, 2]), 0.5), "torch.float32"),
    (lambda t: t.tensor([1, 2]) == 1.5, "torch.bool"),
    (lambda t: t.logical_and(t.tensor([1, 2]), t.tensor([0, 1.0])), "torch.bool"),
    (lambda t: t.tensor([1, 2]) & t.tensor([3]), "torch.int64"),
    (lambda t: t.tensor([5, -5]).div(t.tensor(2.0), rounding_mode="floor"), "torch.float32"),
    (lambda t: t.atan2(t.tensor([1, 2]), t.tensor([3, 4])), "torch.float32"),
    (lambda t: t.hypot(t.tensor([1, 2]), t.tensor([3.0, 4.0], dtype=t.float64)), "torch.float64"),
    (lambda t: t.copysign(t.tensor([1, 2]), -1), "torch.float32"),
    (lambda t: t.ldexp(t.tensor([1, 2]), t.tensor([1, 2])), "torch.float32"),
    (lambda t: t.ldexp(t.tensor([1.0], dtype=t.float64), t.tensor([3])), "torch.float64"),
    (lambda t: t.logit(t.tensor([0, 1])), "torch.float32"),
    (lambda t: t.sinc(t.tensor([0, 1])), "torch.float32"),
    (lambda t: t.float_power(t.tensor([1, 2]), 2), "torch.float64"),
    (lambda t: t.float_power(t.tensor([1.0]), t.tensor([2.0], dtype=t.float16)), "torch.float64"),
    (lambda t: t.float_power(2, t.tensor([1.0, 2.0])), "torch.float64"),
    (lambda t: t.nextafter(t.tensor([1.0]), t.tensor([2.0], dtype=t.float64)), "torch.float64"),
    (lambda t: t.heaviside(t.tensor([-1, 0, 2]), t.tensor([7])), "torch.int64"),
]


@pytest.mark.parametrize("i", range(len(PROMOTION)))
def test_result_dtype(i):
    fn, expected = PROMOTION[i]
    assert str(fn(retrograd).dtype) == expected


@pytest.mark.parametrize("i", range(len(PROMOTION)))
def test_result_dtype_and_values_match_pytorch(torch_ref, i):
    fn = PROMOTION[i][0]
    ours, ref = fn(retrograd), fn(torch_ref)
    assert str(ours.dtype) == str(ref.dtype)
    np.testing.assert_allclose(ours.numpy().astype(float), ref.numpy().astype(float), rtol=1e-6)


# --- errors --------------------------------------------------------------------------------

SUB_BOOL = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
    "to invert a mask, use the `~` or `logical_not()` operator instead."
)
ERRORS = [
    (
        lambda t: t.tensor([True]) - t.tensor([True]),
        RuntimeError,
        (
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        ),
    ),
    (lambda t: t.tensor([True]) - 1, RuntimeError, SUB_BOOL),
    (lambda t: 1.5 - t.tensor([True]), RuntimeError, SUB_BOOL),
    (
        lambda t: -t.tensor([True]),
        RuntimeError,
        (
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
            "a mask, use the `~` or `logical_not()` operator instead."
        ),
    ),
    (
        lambda t: t.add(t.tensor([1]), t.tensor([1]), alpha=1.5),
        RuntimeError,
        "For integral input tensors, argument alpha must not be a floating point number.",
    ),
    (
        lambda t: t.sub(t.tensor([1]), 2, alpha=0.5),
        RuntimeError,
        "For integral input tensors, argument alpha must not be a floating point number.",
    ),
    (
        lambda t: t.add(t.tensor([1]), t.tensor([1]), alpha=True),
        RuntimeError,
        "Boolean alpha only supported for Boolean results.",
    ),
    (
        lambda t: t.tensor([1, 2]) ** -1,
        RuntimeError,
        "Integers to negative integer powers are not allowed.",
    ),
    (lambda t: t.tensor([1, 2]).div(0, rounding_mode="floor"), RuntimeError, "ZeroDivisionError"),
    (lambda t: t.tensor([5, 5]) // t.tensor([0, 3]), RuntimeError, "ZeroDivisionError"),
    (
        lambda t: t.tensor([True]).div(t.tensor([True]), rounding_mode="trunc"),
        NotImplementedError,
        "\"div_trunc_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([1.0]).div(2, rounding_mode="round"),
        RuntimeError,
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'",
    ),
    (lambda t: t.tensor([True]).relu(), RuntimeError, "Boolean inputs not supported for relu"),
    (
        lambda t: t.tensor([True]).abs(),
        NotImplementedError,
        "\"abs_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([True]).floor(),
        NotImplementedError,
        "\"floor_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([True]).ceil(),
        NotImplementedError,
        "\"ceil_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([True]).trunc(),
        NotImplementedError,
        "\"trunc_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([True]).round(),
        NotImplementedError,
        "\"round_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        lambda t: t.tensor([1, 2]).round(decimals=1),
        NotImplementedError,
        "\"round_cpu\" not implemented for 'Long'",
    ),
    (
        lambda t: t.tensor([1, 2]).frac(),
        NotImplementedError,
        "\"frac_cpu\" not implemented for 'Long'",
    ),
    (
        lambda t: t.tensor([1.5]) & t.tensor([1]),
        NotImplementedError,
        "\"bitwise_and_cpu\" not implemented for 'Float'",
    ),
    (
        lambda t: t.tensor([1.5], dtype=t.float64) | 1,
        NotImplementedError,
        "\"bitwise_or_cpu\" not implemented for 'Double'",
    ),
    (
        lambda t: t.tensor([True]) ** t.tensor([True]),
        NotImplementedError,
        "\"pow\" not implemented for 'Bool'",
    ),
    (lambda t: True ** t.tensor([True]), NotImplementedError, "\"pow\" not implemented for 'Bool'"),
    (
        lambda t: t.atan2(t.tensor([1.0]), 0.5),
        TypeError,
        "atan2(): argument 'other' (position 2) must be Tensor, not float",
    ),
    (
        lambda t: t.hypot(t.tensor([1]), t.tensor([2])),
        NotImplementedError,
        "\"hypot_cpu\" not implemented for 'Long'",
    ),
    (
        lambda t: t.logaddexp(t.tensor([1]), t.tensor([2])),
        NotImplementedError,
        "\"logaddexp_cpu\" not implemented for 'Long'",
    ),
    (
        lambda t: t.heaviside(t.tensor([1.0]), t.tensor([2.0], dtype=t.float64)),
        RuntimeError,
        "heaviside is not yet implemented for tensors with different dtypes.",
    ),
    (
        lambda t: (
            t.heaviside(t.tensor([1.0], requires_grad=True), t.tensor([0.5])).sum().backward()
        ),
        RuntimeError,
        "derivative for aten::heaviside is not implemented",
    ),
    (
        lambda t: t.tensor([1.0]).float_power_(2),
        RuntimeError,
        "the base given to float_power_ has dtype Float but the operation's result requires dtype "
        "Double",
    ),
    (
        lambda t: t.bitwise_not(t.tensor([1.5])),
        NotImplementedError,
        "\"bitwise_not_cpu\" not implemented for 'Float'",
    ),
    (
        lambda t: t.clamp(t.tensor([1.0])),
        RuntimeError,
        "torch.clamp: At least one of 'min' or 'max' must not be None",
    ),
    (
        lambda t: t.maximum(t.tensor([1.0]), 2),
        TypeError,
        "maximum(): argument 'other' (position 2) must be Tensor, not int",
    ),
    (
        lambda t: t.logical_xor(t.tensor([1.0]), 2),
        TypeError,
        "logical_xor(): argument 'other' (position 2) must be Tensor, not int",
    ),
    (
        lambda t: t.tensor([1.0, 2.0]) + t.tensor([1.0, 2.0, 3.0]),
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    (
        lambda t: t.where(t.tensor([1, 0]), 1.0, 0.0),
        RuntimeError,
        "where expected condition to be a boolean tensor, but got a tensor with dtype Long",
    ),
]


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(ERRORS)


# --- properties --------------------------------------------------------------------------------

floats = st.floats(-50, 50, allow_nan=False, width=32)


@settings(max_examples=25, deadline=None)
@given(st.lists(floats, min_size=1, max_size=6))
def test_sigmoid_is_one_minus_its_mirror_and_never_nan(xs):
    x = T(xs)
    np.testing.assert_allclose((x.sigmoid() + (-x).sigmoid()).numpy(), 1.0, rtol=1e-6)
    assert not np.isnan(T([v * 1e3 for v in xs]).sigmoid().numpy()).any()


@settings(max_examples=25, deadline=None)
@given(st.lists(floats, min_size=1, max_size=6), st.lists(floats, min_size=1, max_size=6))
def test_floor_division_rebuilds_the_dividend(xs, ys):
    ys = [y if abs(y) > 0.5 else 1.0 for y in ys]
    a, b = T(xs, dtype=retrograd.float64).reshape(-1, 1), T(ys, dtype=retrograd.float64)
    q = a.div(b, rounding_mode="floor")
    r = a - q * b  # the remainder has the sign of the divisor and is smaller than it
    assert (r.abs() < b.abs() + 1e-9).all() and ((r == 0) | ((r > 0) == (b > 0))).all()


def test_relu_gradient_is_exactly_zero_where_the_input_is_not_positive(torch_ref):
    """Even a nan or inf arriving there gives 0, as PyTorch's threshold_backward does."""
    grads = [float("nan"), float("inf"), 5.0, 6.0, float("nan")]
    values = [-1.0, 0.0, 2.0, 3.0, 4.0]
    for lib in (retrograd, torch_ref):
        for dtype in (lib.float32, lib.float64):
            x = lib.tensor(values, dtype=dtype, requires_grad=True)
            x.relu().backward(lib.tensor(grads, dtype=dtype))
            got = x.grad.tolist()
            assert got[:4] == [0.0, 0.0, 5.0, 6.0] and got[4] != got[4]  # the last stays nan


def test_relu_keeps_negative_zero_and_nan_bits_as_pytorch(torch_ref):
    """relu is max(0, x) as PyTorch computes it: -0.0 stays -0.0 and a nan keeps its sign, bit
    for bit, for every layout."""
    values = [-0.0, 0.0, float("nan"), -float("nan"), float("inf"), -float("inf"), 1e-45, -3.0]
    for dtype in ("float32", "float64"):
        x = np.array(values * 3, dtype=dtype).reshape(4, 6)
        for view in (lambda a: a, lambda a: a.T, lambda a: a[:, ::2]):
            ours = view(retrograd.tensor(x)).relu().numpy()
            theirs = view(torch_ref.tensor(x)).relu().numpy()
            assert ours.tobytes() == theirs.tobytes() and ours.strides == theirs.strides


@pytest.mark.parametrize(
    "call",
    [
        "y.floor()",
        "y.ceil()",
        "y.trunc()",
        "y.round()",
        "y.round(decimals=1)",
        "y.sign()",
        "y.pow(0)",
        "T.div(y, w, rounding_mode='floor')",
    ],
)
def test_zero_gradients_stay_zero_when_inf_arrives(call, torch_ref):
    # PyTorch's formula is zeros_like(grad): an inf arriving there does not become 0 * inf = nan.
    def program(T):
        x = T.ones(2, requires_grad=True)
        w = T.tensor([2.0, 3.0], requires_grad=True)
        y = x * 1
        z = eval(call)
        z.backward(T.tensor([float("inf"), 1.0]))
        return x.grad.tolist(), None if w.grad is None else w.grad.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "program",
    [
        "torch.floor_divide(x, 2)",
        "x // 2",
        "7 // x",
        "x.floor_divide(x + 1)",
        "y = x * 1; y //= 2",
    ],
)
def test_floor_divide_has_no_derivative(program, torch_ref):
    """``floor_divide`` and ``//`` record a node whose backward raises, where ``div(rounding_mode=
    "floor")`` has a zero gradient: a silent zero was wrong."""

    def run(torch):
        x = torch.tensor([3.0, 5.0], requires_grad=True)
        scope = {"torch": torch, "x": x}
        exec(program if "=" in program else "y = " + program, scope)
        y = scope["y"]
        try:
            y.sum().backward()
        except RuntimeError as e:
            return y.tolist(), type(y.grad_fn).__name__, str(e)
        return y.tolist(), type(y.grad_fn).__name__, x.grad.tolist()

    assert run(retrograd) == run(torch_ref)


# --- result layouts: PyTorch's TensorIterator order ---------------------------------------------

_LAYOUTS = {
    "contiguous": lambda T, a: T.tensor(a),
    "permuted": lambda T, a: T.tensor(a.transpose(2, 0, 1).copy()).permute(1, 2, 0),
    "mT": lambda T, a: T.tensor(a.transpose(0, 2, 1).copy()).mT,
    "expanded": lambda T, a: T.tensor(a[:, :1].copy()).expand(2, 3, 4),
    "sliced": lambda T, a: T.tensor(np.concatenate([a, a], 2))[:, :, ::2],
    "lower rank": lambda T, a: T.tensor(a[0].T.copy()).T,
}

_ELEMENTWISE = {
    "add": lambda T, x, y: x + y,
    "mul": lambda T, x, y: x.mul(y),
    "minimum": lambda T, x, y: T.minimum(x, y),
    "lt": lambda T, x, y: x < y,
    "rsub": lambda T, x, y: T.rsub(x, y),
    "where": lambda T, x, y: T.where(x > y, x, y),
    "lerp": lambda T, x, y: x.lerp(y.to(x.dtype), 0.25),
    "mse_loss": lambda T, x, y: T.nn.functional.mse_loss(x, y, reduction="none"),
    "bce_with_logits": lambda T, x, y: T.nn.functional.binary_cross_entropy_with_logits(
        *T.broadcast_tensors(x, y.sigmoid()), reduction="none"
    ),
    "masked_fill": lambda T, x, y: x.masked_fill(y > 0.5, 0.5),
}


@pytest.mark.parametrize("op", sorted(_ELEMENTWISE))
def test_elementwise_results_are_laid_out_as_pytorch_lays_them_out(torch_ref, op):
    """An elementwise op lays its result out from its operands' layouts, the first operand that
    tells two dimensions apart deciding (``x.T + x`` follows ``x.T``; NumPy would give C order),
    an expanded or cast operand as PyTorch's copies lay it out: what ``is_contiguous()`` and
    ``view()`` see afterwards."""
    a = np.arange(1.0, 25.0).reshape(2, 3, 4) / 7
    fn = _ELEMENTWISE[op]
    for (xn, mx), (yn, my), cast in itertools.product(
        _LAYOUTS.items(), _LAYOUTS.items(), (False, True)
    ):
        outcomes = []
        for T in (retrograd, torch_ref):
            x = mx(T, a)
            y = my(T, a + 0.5)
            y = y.double() if cast else y
            r = fn(T, x, y)
            outcomes.append((tuple(r.shape), r.stride(), r.is_contiguous()))
        assert outcomes[0] == outcomes[1], (xn, yn, cast)


@pytest.mark.parametrize(
    "op", ["sort", "argsort", "tril", "erf", "clone", "double", "nan_to_num", "zeros_like"]
)
def test_results_of_one_input_are_laid_out_as_pytorch_lays_them_out(torch_ref, op):
    """sort keeps its input's layout (as a copy keeps it), tril gives a contiguous result, a copy
    or a cast of an expanded tensor orders its other dimensions by their strides."""
    a = np.arange(1.0, 25.0).reshape(2, 3, 4) / 7
    layouts = dict(_LAYOUTS)
    layouts["diagonal"] = lambda T, a: T.tensor(np.arange(72.0).reshape(3, 2, 3, 4)).diagonal(
        0, 0, 2
    )
    layouts["expanded permuted"] = lambda T, a: T.tensor(a[0].T.copy()).T.expand(2, 3, 4)
    for name, make in layouts.items():
        outcomes = []
        for T in (retrograd, torch_ref):
            x = make(T, a)
            r = {
                "sort": lambda: x.sort(1).values,
                "argsort": lambda: x.argsort(-1),
                "tril": lambda: x.tril(),
                "erf": lambda: x.erf(),
                "clone": lambda: x.clone(),
                "double": lambda: x.double(),
                "nan_to_num": lambda: x.nan_to_num(),
                "zeros_like": lambda: T.zeros_like(x),
            }[op]()
            outcomes.append((tuple(r.shape), r.stride(), r.is_contiguous()))
        assert outcomes[0] == outcomes[1], name


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.tensor([1.0, -2.0, 0.5]).atan2_(t.tensor([2.0, 1.0, -1.0])),
        lambda t: t.tensor([1.0, -2.0, 0.5]).hypot_(t.tensor([2.0, 1.0, -1.0])),
        lambda t: t.tensor([1.0, -2.0, 0.0]).copysign_(t.tensor([-2.0, 1.0, -0.0])),
        lambda t: t.tensor([0.1, 0.5, 0.9]).logit_(0.2),
        lambda t: t.tensor([0.0, 0.25, 3.0]).sinc_(),
        lambda t: t.tensor([1.0, 3.0]).ldexp_(t.tensor([2, -1])),
        lambda t: t.tensor([1.0, 3.0], dtype=t.float64).float_power_(t.tensor([0.5, 2.0])),
        lambda t: t.tensor([1.0, 3.0]).nextafter_(t.tensor([2.0, 2.0])),
        lambda t: t.tensor([-1.0, 0.0, 3.0]).heaviside_(t.tensor([0.5])),
    ],
)
def test_inplace_two_argument_functions_match_pytorch(program, torch_ref):
    ours, theirs = program(retrograd), program(torch_ref)
    assert str(ours.dtype) == str(theirs.dtype)
    # (atan2 and sinc's float32 results come from each library's vectorised kernels, which may
    # round the last bit apart, by how many depends on the CPU's vector instructions)
    np.testing.assert_array_max_ulp(ours.numpy(), theirs.numpy(), maxulp=1)


def test_two_argument_functions_at_their_edges_match_pytorch(torch_ref):
    """The origin of atan2 (gradient 0), hypot (nan), -inf in logaddexp, 0 in copysign and sinc,
    logit's clamped ends: the values PyTorch's formulas give there."""
    edges = [
        (lambda t, x, y: t.atan2(x, y), [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
        (lambda t, x, y: t.hypot(x, y), [0.0, 3.0], [0.0, 4.0]),
        (lambda t, x, y: t.logaddexp(x, y), [float("-inf"), 1.0], [float("-inf"), 1.0]),
        (lambda t, x, y: t.copysign(x, y), [0.0, 1.0, -2.0], [-1.0, -0.0, 1.0]),
        (lambda t, x, y: t.sinc(x) * y, [0.0, 0.5, 1.0], [1.0, 1.0, 1.0]),
        (lambda t, x, y: t.logit(x, eps=0.1) + y, [0.0, 0.05, 0.5, 1.0], [1.0] * 4),
        (lambda t, x, y: t.logit(x) + y, [0.0, 0.5, 1.0], [1.0] * 3),
    ]
    for fn, xs, ys in edges:
        got = []
        for lib in (retrograd, torch_ref):
            x = lib.tensor(xs, requires_grad=True)
            y = lib.tensor(ys, requires_grad=True)
            out = fn(lib, x, y)
            out.sum().backward()
            got.append([out.detach().numpy(), x.grad.numpy(), y.grad.numpy()])
        for a, b in zip(*got):
            np.testing.assert_allclose(a, b, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize(
    "program",
    [
        lambda T, a: (a**3).sum(),
        lambda T, a: (a ** T.full((2, 2), 3.0, dtype=T.float64)).sum(),
        lambda T, a: (T.full((2, 2), 1.5, dtype=T.float64) ** a).sum(),
        lambda T, a: T.cumprod(a, 0).sum(),
        lambda T, a: T.cumprod(a.t(), 0).sum(),
    ],
)
def test_gradient_layout_follows_the_input_as_pytorchs_formulas(torch_ref, program):
    """pow's gradients multiply the incoming gradient by one product of the saved values, as
    PyTorch groups them, so an elementwise gradient of a transposed input is laid out like it
    (an expanded incoming gradient does not decide the layout); cumprod's is contiguous."""

    def run(T):
        a = T.tensor([[0.362, 0.54], [0.776, 1.61]], dtype=T.float64).t().requires_grad_()
        (g,) = T.autograd.grad(program(T, a), a, create_graph=True)
        return g.stride(), g.is_contiguous(), np.round(g.detach().numpy(), 9).tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv_promote_their_three_tensors(torch_ref, name):
    """The three tensors of addcmul / addcdiv are promoted together as PyTorch promotes them
    (an int64 input with float32 factors computes in float32, not NumPy's float64), so the
    in-place form's cast error names PyTorch's type, and gradients keep each input's dtype."""

    def run(T):
        a = T.tensor([1, 2])
        t = T.tensor([1.0, 2.0], requires_grad=True)
        d = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        out = []
        try:
            getattr(a, name + "_")(t, t, value=0.5)
        except RuntimeError as e:
            out.append(str(e))
        r = getattr(T, name)(a, t, t, value=0.5)
        out.append((str(r.dtype), r.tolist()))
        r = getattr(T, name)(d, t, t)
        g = T.autograd.grad(r.sum(), [t, d])
        out.append([(str(x.dtype), x.tolist()) for x in (r, *g)])
        return out

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, 0.5, True])
def test_addcmul_and_addcdiv_promote_their_three_tensors(torch_ref, name, value):
    """The result has the dtype the three tensors promote to (the value takes it, truncated for
    integers); addcmul refuses bool, addcdiv two integer tensors to divide; in place, the error
    names the promoted dtype."""

    def run(T):
        a = T.tensor([1, 2])
        f = T.tensor([1.5, 2.0])
        d = T.tensor([1.5, 2.0], dtype=T.float64)
        h = T.tensor(2.0, dtype=T.float64)
        b = T.tensor([True, False])
        out = []
        for args in ((a, f, f), (a, a, a), (f, a, a), (a, f, a), (f, d, f), (f, h, f), (b, b, b)):
            try:
                r = getattr(T, name)(*args, value=value)
                out.append((str(r.dtype), r.tolist()))
            except (RuntimeError, NotImplementedError) as e:
                out.append(str(e))
        try:
            getattr(a.clone(), name + "_")(f, f, value=value)
        except RuntimeError as e:
            out.append(str(e))
        return out

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_arithmetic_with_python_numbers_matches_pytorch_bit_for_bit(torch_ref, dtype):
    """add, sub and mul of a tensor and a Python number, either side, give PyTorch's bits for
    numbers that convert exactly, round, overflow the type, or are signed zeros, nan and
    integers a float cannot hold; each twice (the second call may reuse what the first made)."""
    values = [1e-40, 1e-30, 0.5, -1.25, 3.0, 1e30, 3e38, float("inf"), float("nan"), -0.0]
    numbers = [0.9, 0.1, 1, -7, 0.0, -0.0, float("nan"), float("-inf"), 2**24 + 1, 2**60]
    numbers += [1e-45, 3.5e38, 1e300]

    def run(T):
        x = T.tensor(values, dtype=getattr(T, dtype))
        out = []
        for y in numbers:
            for _ in range(2):
                for r in (x + y, y + x, x - y, y - x, x * y, y * x):
                    out.append((str(r.dtype), r.numpy().tobytes()))
        return out

    assert run(retrograd) == run(torch_ref)


def test_a_number_times_a_tensor_records_the_number_as_other(torch_ref):
    """``2.0 * x`` is ``x.mul(2.0)`` in PyTorch's graph: the node saves the number as ``other``,
    and ``1 + x`` is ``x.add(1)``."""
    for T in (retrograd, torch_ref):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        assert float(T.as_tensor((2.0 * x).grad_fn._saved_other)) == 2.0
        assert (1 + x).grad_fn._saved_alpha == 1
        (3.0 * x + 1).sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]
