"""Reductions and ops along a dimension, one table: known values, gradients (gradcheck and
gradgradcheck, negative dims, keepdim, dim tuples, 0-dim), PyTorch parity (values, dtypes, node names,
gradients), integer inputs, ties, zeros in prod, and error texts."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_checks import assert_matches_pytorch, assert_second_derivatives_match, error_tests

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

T = retrograd.tensor


def leaf(lib, shape, seed=0, dtype="float64", low=-1.0, high=1.0):
    rng = np.random.default_rng(seed)
    return lib.tensor(rng.uniform(low, high, shape), dtype=getattr(lib, dtype), requires_grad=True)


class Case:
    """One call of a reduction: ``fn(lib, x)`` (``lib`` is retrograd or torch), the input shape and
    values, and the node PyTorch names."""

    def __init__(self, name, fn, shape, node, low=-1.0, high=1.0, gradgrad=True):
        self.name, self.fn, self.shape, self.node = name, fn, shape, node
        self.low, self.high, self.gradgrad = low, high, gradgrad

    def __repr__(self):
        return self.name


M, C = (3, 4), (2, 3, 4)
CASES = [
    Case("sum", lambda t, x: x.sum(), M, "SumBackward0"),
    Case("sum_dim", lambda t, x: x.sum(1), M, "SumBackward1"),
    Case("sum_neg_keepdim", lambda t, x: t.sum(x, -1, keepdim=True), C, "SumBackward1"),
    Case("sum_tuple", lambda t, x: x.sum((0, 2)), C, "SumBackward1"),
    Case("sum_empty_dims", lambda t, x: x.sum(()), M, "SumBackward1"),
    Case("sum_0dim", lambda t, x: x.sum(0), (), "SumBackward1"),
    Case("sum_dtype", lambda t, x: x.sum(0, dtype=t.float64), M, "SumBackward1"),
    Case("mean", lambda t, x: x.mean(), M, "MeanBackward0"),
    Case("mean_dim", lambda t, x: t.mean(x, dim=-2), M, "MeanBackward1"),
    Case("mean_tuple_keepdim", lambda t, x: x.mean((-1, 0), keepdim=True), C, "MeanBackward1"),
    Case("prod", lambda t, x: x.prod(), M, "ProdBackward0", 0.5, 1.5),
    Case("prod_dim", lambda t, x: t.prod(x, 1), M, "ProdBackward1"),
    Case("prod_keepdim", lambda t, x: x.prod(-1, keepdim=True), C, "ProdBackward1"),
    Case("prod_0dim", lambda t, x: x.prod(0), (), "ProdBackward1"),
    Case("var", lambda t, x: x.var(), M, "VarBackward0"),
    Case("var_dim", lambda t, x: x.var(1), M, "VarBackward0"),
    Case("var_biased", lambda t, x: x.var(0, unbiased=False), M, "VarBackward0"),
    Case("var_positional_unbiased", lambda t, x: t.var(x, -1, False, True), C, "VarBackward0"),
    Case("var_correction", lambda t, x: x.var(dim=(0, 2), correction=2), C, "VarBackward0"),
    Case("var_flag_only", lambda t, x: x.var(False), M, "VarBackward0"),
    Case("std", lambda t, x: x.std(), M, "StdBackward0"),
    Case("std_dim_keepdim", lambda t, x: t.std(x, 1, keepdim=True), M, "StdBackward0"),
    Case("std_correction", lambda t, x: x.std(dim=(0, 1), correction=0), C, "StdBackward0"),
    Case("norm", lambda t, x: x.norm(), M, "LinalgVectorNormBackward0"),
    Case("norm_1", lambda t, x: x.norm(1), M, "LinalgVectorNormBackward0"),
    Case("norm_inf", lambda t, x: x.norm(math.inf), M, "LinalgVectorNormBackward0"),
    Case("norm_neg_inf", lambda t, x: x.norm(-math.inf, dim=1), M, "LinalgVectorNormBackward0"),
    Case("norm_3", lambda t, x: t.norm(x, 3, 1), M, "LinalgVectorNormBackward0"),
    Case(
        "norm_fro_dim",
        lambda t, x: x.norm("fro", dim=(0, 2), keepdim=True),
        C,
        "LinalgVectorNormBackward0",
    ),
    Case("norm_dim_neg", lambda t, x: x.norm(dim=-1), M, "LinalgVectorNormBackward0"),
    Case("norm_0", lambda t, x: x.norm(0) * x.sum(), M, "MulBackward0"),  # norm 0: no gradient
    Case("norm_0dim", lambda t, x: x.norm(dim=0), (), "LinalgVectorNormBackward0"),
    Case("amax", lambda t, x: x.amax(), M, "AmaxBackward0"),
    Case("amax_dim", lambda t, x: t.amax(x, -1), M, "AmaxBackward0"),
    Case("amax_tuple_keepdim", lambda t, x: x.amax((0, 2), keepdim=True), C, "AmaxBackward0"),
    Case("amin", lambda t, x: x.amin(), M, "AminBackward0"),
    Case("amin_dim", lambda t, x: t.amin(x, dim=0), M, "AminBackward0"),
    Case("max", lambda t, x: x.max(), M, "MaxBackward1"),
    Case("min", lambda t, x: t.min(x), M, "MinBackward1"),
    Case("max_dim", lambda t, x: x.max(1).values, M, "MaxBackward0"),
    Case("max_dim_keepdim", lambda t, x: t.max(x, -1, keepdim=True)[0], C, "MaxBackward0"),
    Case("min_dim", lambda t, x: x.min(dim=0).values, M, "MinBackward0"),
    Case("max_0dim", lambda t, x: x.max(0).values, (), "MaxBackward0"),
    Case("logsumexp", lambda t, x: x.logsumexp(1), M, "LogsumexpBackward0"),
    Case(
        "logsumexp_tuple",
        lambda t, x: t.logsumexp(x, (0, -1), keepdim=True),
        C,
        "LogsumexpBackward0",
    ),
    Case("logsumexp_0dim", lambda t, x: x.logsumexp(0), (), "LogsumexpBackward0"),
    Case("cumsum", lambda t, x: x.cumsum(1), M, "CumsumBackward0"),
    Case("cumsum_neg", lambda t, x: t.cumsum(x, dim=-3), C, "CumsumBackward0"),
    Case("cumsum_dtype", lambda t, x: x.cumsum(0, dtype=t.float64), M, "CumsumBackward0"),
    Case("cumsum_0dim", lambda t, x: x.cumsum(0), (), "CumsumBackward0"),
    Case("softmax", lambda t, x: x.softmax(1), M, "SoftmaxBackward0"),
    Case("softmax_neg", lambda t, x: t.softmax(x, dim=-2), C, "SoftmaxBackward0"),
    Case("softmax_dtype", lambda t, x: t.softmax(x, 0, dtype=t.float64), M, "SoftmaxBackward0"),
    Case("softmax_0dim", lambda t, x: x.softmax(0), (), "SoftmaxBackward0"),
    Case("log_softmax", lambda t, x: x.log_softmax(1), M, "LogSoftmaxBackward0"),
    Case("log_softmax_neg", lambda t, x: t.log_softmax(x, -1), C, "LogSoftmaxBackward0"),
]


# --- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_gradcheck(case):
    x = leaf(retrograd, case.shape, low=case.low, high=case.high)
    assert gradcheck(lambda a: case.fn(retrograd, a), (x,))


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad], ids=repr)
def test_gradgradcheck(case):
    x = leaf(retrograd, case.shape, seed=2, low=case.low, high=case.high)
    assert gradgradcheck(lambda a: case.fn(retrograd, a), (x,))


# --- parity with PyTorch -------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_parity_with_pytorch(torch_ref, case):
    ours = leaf(retrograd, case.shape, seed=7, dtype="float32", low=case.low, high=case.high)
    theirs = torch_ref.tensor(ours.detach().numpy(), requires_grad=True)
    out, ref = case.fn(retrograd, ours), case.fn(torch_ref, theirs)
    assert_matches_pytorch(torch_ref, out, ref, [ours], [theirs], case.node)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad], ids=repr)
def test_second_derivatives_match_pytorch(torch_ref, case):
    ours = leaf(retrograd, case.shape, seed=8, dtype="float32", low=case.low, high=case.high)
    theirs = torch_ref.tensor(ours.detach().numpy(), requires_grad=True)
    out, ref = case.fn(retrograd, ours), case.fn(torch_ref, theirs)
    assert_second_derivatives_match(torch_ref, out, ref, [ours], [theirs])


NO_GRAD = [
    lambda t, x: x.argmax(),
    lambda t, x: x.argmax(1),
    lambda t, x: t.argmax(x, dim=-1, keepdim=True),
    lambda t, x: x.argmax(keepdim=True),
    lambda t, x: x.argmin(0),
    lambda t, x: t.argmin(x),
    lambda t, x: x.max(1).indices,
    lambda t, x: t.min(x, -1, keepdim=True).indices,
    lambda t, x: (x > 0).any(),
    lambda t, x: (x > 0).all(1),
    lambda t, x: t.any(x > 0.5, dim=(0, 1), keepdim=True),
    lambda t, x: (x > 0).to(t.uint8).all(0),
    lambda t, x: x.any(-1),
]


@pytest.mark.parametrize("i", range(len(NO_GRAD)))
def test_index_and_truth_results_match_pytorch(torch_ref, i):
    fn = NO_GRAD[i]
    ours = leaf(retrograd, M, seed=4, dtype="float32")
    theirs = torch_ref.tensor(ours.detach().numpy(), requires_grad=True)
    out, ref = fn(retrograd, ours), fn(torch_ref, theirs)
    assert str(out.dtype) == str(ref.dtype)
    assert out.grad_fn is None and not out.requires_grad
    assert out.tolist() == ref.tolist()


INTS = [
    lambda t, x: x.sum(),
    lambda t, x: x.sum(1, keepdim=True),
    lambda t, x: x.to(t.int32).sum(0),
    lambda t, x: x.to(t.bool).sum(),
    lambda t, x: x.prod(1),
    lambda t, x: x.to(t.bool).prod(),
    lambda t, x: x.prod(dtype=t.float32),
    lambda t, x: x.mean(dtype=t.float64),
    lambda t, x: x.amax(1),
    lambda t, x: x.amin(),
    lambda t, x: x.max(),
    lambda t, x: x.min(0).values,
    lambda t, x: x.logsumexp(1),
    lambda t, x: x.cumsum(1),
    lambda t, x: x.to(t.int32).cumsum(0),
    lambda t, x: x.to(t.bool).cumsum(0),
    lambda t, x: x.cumsum(1, dtype=t.float32),
    lambda t, x: x.softmax(1, dtype=t.float64),
    lambda t, x: x.log_softmax(0, dtype=t.float32),
    lambda t, x: x.argmax(0),
    lambda t, x: x.any(),
]


@pytest.mark.parametrize("i", range(len(INTS)))
def test_integer_inputs_match_pytorch(torch_ref, i):
    fn = INTS[i]
    data = np.array([[1, -2, 3], [0, 2, 2]])
    out, ref = fn(retrograd, retrograd.tensor(data)), fn(torch_ref, torch_ref.tensor(data))
    assert str(out.dtype) == str(ref.dtype)
    np.testing.assert_allclose(out.numpy().astype(float), ref.numpy().astype(float), rtol=1e-6)


# --- known values, ties and zeros ------------------------------------------------------------

X = [[1.0, 2.0, 3.0], [3.0, 0.5, 3.0]]
KNOWN = [
    (lambda: T(X).var(1), [1.0, 25 / 12]),
    (lambda: T(X).var(1, unbiased=False), [2 / 3, 25 / 18]),
    (lambda: T(X).std(0, correction=0), [1.0, 0.75, 0.0]),
    (lambda: T(X).prod(1), [6.0, 4.5]),
    (lambda: T([3.0, -4.0]).norm(), 5.0),
    (lambda: T([3.0, -4.0]).norm(1), 7.0),
    (lambda: T([3.0, -4.0]).norm(math.inf), 4.0),
    (lambda: T([3.0, 0.0]).norm(0), 1.0),
    (lambda: T(X).amax(1), [3.0, 3.0]),
    (lambda: T(X).max(1).indices, [2, 0]),  # the first of tied maxima
    (lambda: T(X).min(1).values, [1.0, 0.5]),
    (lambda: T([0.0, 0.0]).logsumexp(0), math.log(2.0)),
    (lambda: T([1000.0, 1000.0]).logsumexp(0), 1000.0 + math.log(2.0)),
    (lambda: T([-math.inf, -math.inf]).logsumexp(0), -math.inf),
    (lambda: T([1.0, 2.0, 3.0]).cumsum(0), [1.0, 3.0, 6.0]),
    (lambda: T([1000.0, 1000.0]).softmax(0), [0.5, 0.5]),
    (lambda: T([1000.0, 0.0]).log_softmax(0), [0.0, -1000.0]),
    (lambda: T([[1, 0], [1, 1]]).all(1), [False, True]),
    (lambda: T([[0.0, 0.0], [0.0, 2.0]]).any(0), [False, True]),
    (lambda: T([]).all(), True),
    (lambda: T([[0.0, 2.0]]).any(()), [[False, True]]),  # an empty dim tuple reduces nothing
    (lambda: T([2.0, 7.0, 7.0]).argmax(), 1),
]


@pytest.mark.parametrize("i", range(len(KNOWN)))
def test_known_values(i):
    fn, expected = KNOWN[i]
    np.testing.assert_allclose(fn().numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("op", ["amax", "amin", "max", "min"])
def test_ties_share_the_gradient_evenly(op):
    x = T(
        [[2.0, 2.0, 1.0], [2.0, 5.0, 5.0]]
        if op in ("amax", "max")
        else [[1.0, 1.0, 2.0], [0.0, 0.0, 0.0]],
        requires_grad=True,
    )
    getattr(x, op)().backward()
    expected = (
        [[0.0, 0.0, 0.0], [0.0, 0.5, 0.5]]
        if op in ("amax", "max")
        else [[0.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]
    )
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_ties_share_the_gradient_along_a_dim():
    x = T([[2.0, 2.0, 1.0], [4.0, 4.0, 4.0]], requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_max_along_a_dim_gives_the_gradient_to_the_picked_index():
    x = T([[2.0, 2.0, 1.0], [4.0, 5.0, 4.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0, 1] and str(indices.dtype) == "torch.int64"
    assert not indices.requires_grad and indices.grad_fn is None
    saved = values.grad_fn._saved_indices
    assert saved.tolist() == [0, 1] and not saved.requires_grad
    assert values.grad_fn._saved_dim == 1 and values.grad_fn._saved_keepdim is False
    values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_max_along_a_dim_is_a_named_tuple():
    r = T([[1.0, 3.0]]).max(1)
    assert type(r).__name__ == "max" and type(r).__module__ == "torch.return_types"
    assert r.values.tolist() == [3.0] and r[1].tolist() == [1]
    assert repr(r) == "torch.return_types.max(\nvalues=tensor([3.]),\nindices=tensor([1]))"
    assert type(T([1.0]).min(0)).__name__ == "min"


ZEROS = [
    [[0.0, 2.0, 3.0], [4.0, 5.0, 6.0]],  # one zero in a slice
    [[0.0, 0.0, 3.0], [0.5, 0.0, 2.0]],  # two zeros in a slice, one in the other
    [[0.0, 0.0, 0.0], [1.0, 2.0, -3.0]],
]


def _others(data, axis):
    """d prod / d x_i computed the slow way: the product of every other element of its slice."""
    a = np.asarray(data)
    out = np.empty_like(a)
    for idx in np.ndindex(a.shape):
        line = (
            np.take(a, idx[1 - axis] if axis is not None else 0, axis=1 - axis)
            if axis is not None
            else a.reshape(-1)
        )
        pos = idx[axis] if axis is not None else np.ravel_multi_index(idx, a.shape)
        out[idx] = np.prod(np.delete(line, pos))
    return out


@pytest.mark.parametrize("data", ZEROS)
@pytest.mark.parametrize("dim", [None, 1, 0])
def test_prod_gradient_with_zeros(data, dim):
    x = T(data, dtype=retrograd.float64, requires_grad=True)
    (x.prod() if dim is None else x.prod(dim)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), _others(data, dim))


@pytest.mark.parametrize("data", ZEROS)
def test_prod_gradient_with_zeros_matches_pytorch(torch_ref, data):
    for dim in (None, 1, -2):
        ours = T(data, requires_grad=True)
        theirs = torch_ref.tensor(data, requires_grad=True)
        for x in (ours, theirs):
            (x.prod() if dim is None else x.prod(dim)).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())


def test_prod_with_a_zero_passes_gradcheck_and_gradgradcheck():
    x = T([[0.0, 0.5, -0.7], [0.3, 0.9, 1.2]], dtype=retrograd.float64, requires_grad=True)
    for f in (lambda a: a.prod(1), lambda a: a.prod(), lambda a: a.prod(0, keepdim=True)):
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))


def test_prod_second_derivative_with_a_zero_matches_pytorch(torch_ref):
    data = [[0.0, 0.5, -0.7], [0.3, 0.0, 1.2]]
    hessians = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(data, requires_grad=True)
        (g,) = lib.autograd.grad(x.prod(1).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum(), x)
        hessians.append(h.numpy())
    np.testing.assert_allclose(*hessians, rtol=1e-5)


def test_var_without_degrees_of_freedom_warns_and_divides_by_zero():
    with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
        assert T([1.0, 2.0, 3.0]).var(correction=3).item() == math.inf
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
        assert math.isnan(T([1.0]).std().item())


def test_norm_of_zeros_has_zero_gradient():
    x = T([0.0, 0.0], requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_std_of_constant_has_zero_gradient():
    x = T([2.0, 2.0, 2.0], requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_softmax_and_logsumexp_stay_finite_for_large_inputs():
    x = T([[1e4, -1e4, 0.0]], requires_grad=True)
    assert np.isfinite(x.softmax(1).detach().numpy()).all()
    assert np.isfinite(x.log_softmax(1).detach().numpy()[0, [0, 2]]).all()
    x.logsumexp(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, 0.0, 0.0]])


# --- errors --------------------------------------------------------------------------------

ERRORS = [
    (
        lambda t: t.tensor([1, 2]).mean(),
        RuntimeError,
        (
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            "complex dtype. Got: Long"
        ),
    ),
    (
        lambda t: t.tensor([1, 2]).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda t: t.tensor([1, 2]).std(0),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda t: t.tensor([1, 2]).softmax(0),
        NotImplementedError,
        "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'",
    ),
    (
        lambda t: t.tensor([[1, 2]]).softmax(0),
        NotImplementedError,
        "\"softmax_kernel_impl\" not implemented for 'Long'",
    ),
    (
        lambda t: t.tensor([1, 2]).log_softmax(-1),
        NotImplementedError,
        "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'",
    ),
    (
        lambda t: t.tensor([1, 2]).norm(),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda t: t.zeros(0).max(),
        RuntimeError,
        (
            "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
            "dim with the 'dim' argument."
        ),
    ),
    (
        lambda t: t.zeros(0).amin(),
        RuntimeError,
        (
            "amin(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
            "dim with the 'dim' argument."
        ),
    ),
    (
        lambda t: t.zeros(0, 3).max(0),
        IndexError,
        "max(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda t: t.zeros(0).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    (
        lambda t: t.zeros(2, 0).argmin(1),
        IndexError,
        "argmin(): Expected reduction dim 1 to have non-zero size.",
    ),
    (lambda t: t.tensor([True]).argmax(), RuntimeError, "argmax(): does not support bool input"),
    (
        lambda t: t.zeros(2, 3).argmax([1]),
        TypeError,
        "argmax(): argument 'dim' (position 1) must be int, not list",
    ),
    (
        lambda t: t.zeros(2, 3).cumsum((0,)),
        TypeError,
        "cumsum(): argument 'dim' (position 1) must be int, not tuple",
    ),
    (
        lambda t: t.zeros(2, 3).softmax((0,)),
        TypeError,
        "softmax(): argument 'dim' (position 1) must be int, not tuple",
    ),
    (
        lambda t: t.zeros(2).sum((0, 0)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda t: t.zeros(2).amax((0, -1)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda t: t.zeros(2).any(1),
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (
        lambda t: t.tensor(2.0).sum(1),
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (
        lambda t: t.zeros(2, 3).softmax(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
]


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(ERRORS)


def test_one_dim_ops_refuse_a_tuple_of_dims():
    # PyTorch's texts here come from its argument parser and differ by call style; the type matches.
    for call in (lambda x: x.prod((0, 1)), lambda x: x.max((0, 1)), lambda x: x.min([0])):
        with pytest.raises(TypeError):
            call(T([[1.0]]))


def test_dim_is_required_where_pytorch_requires_it():
    x = T([1.0, 2.0])
    for name in ("softmax", "log_softmax", "logsumexp", "cumsum"):
        with pytest.raises(TypeError):
            getattr(x, name)()


# --- properties --------------------------------------------------------------------------------

rows = st.lists(st.floats(-30, 30, allow_nan=False, width=32), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None)
@given(rows, st.floats(-100, 100, allow_nan=False))
def test_softmax_sums_to_one_and_ignores_a_shift(xs, shift):
    x = T(xs, dtype=retrograd.float64)
    p = x.softmax(0)
    np.testing.assert_allclose(p.sum().item(), 1.0, rtol=1e-12)
    np.testing.assert_allclose((x + shift).softmax(0).numpy(), p.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        x.log_softmax(0).numpy(), (x - x.logsumexp(0)).numpy(), rtol=1e-9, atol=1e-9
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, -2.0, 3.0, 1.5]), min_size=1, max_size=5))
def test_prod_gradient_is_the_product_of_the_others(xs):
    x = T(xs, dtype=retrograd.float64, requires_grad=True)
    x.prod().backward()
    expected = [np.prod(xs[:i] + xs[i + 1 :]) for i in range(len(xs))]
    np.testing.assert_allclose(x.grad.numpy(), expected)


@settings(max_examples=20, deadline=None)
@given(st.lists(rows, min_size=1, max_size=3).filter(lambda r: len({len(x) for x in r}) == 1))
def test_var_and_std_agree_with_the_definition(data):
    x = T(data, dtype=retrograd.float64)
    a = np.asarray(data)
    for dim in (0, 1, None):
        for correction in (0, 1):
            n = a.size if dim is None else a.shape[dim]
            if n - correction <= 0:
                continue
            ref = ((a - a.mean(axis=dim, keepdims=True)) ** 2).sum(axis=dim) / (n - correction)
            np.testing.assert_allclose(
                x.var(dim, correction=correction).numpy(), ref, rtol=1e-9, atol=1e-9
            )
            np.testing.assert_allclose(
                x.std(dim, correction=correction).numpy(), np.sqrt(ref), rtol=1e-9, atol=1e-9
            )


# --- paired statistics, nan-ignoring sums, running extremes -----------------------------------

_RNG = np.random.default_rng(7)
_PLAIN = _RNG.standard_normal((3, 4))
_WITH_NAN = np.where(_RNG.random((3, 4)) < 0.25, np.nan, _PLAIN)
_TIES = np.array([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, 1.0, 1.0], [0.5, -1.0, 4.0, 4.0]])

PAIRED = [
    ("var_mean", lambda t, x: t.var_mean(x, 1)[0] * 1.5 + t.var_mean(x, 1)[1], _PLAIN),
    ("var_mean_keepdim", lambda t, x: t.var_mean(x, 0, keepdim=True, correction=0)[0], _PLAIN),
    ("var_mean_all", lambda t, x: t.var_mean(x, unbiased=False)[1] + t.var_mean(x)[0], _PLAIN),
    ("std_mean", lambda t, x: t.std_mean(x, 1)[0] - t.std_mean(x, 1)[1] * 2, _PLAIN),
    ("std_mean_mean_only", lambda t, x: t.std_mean(x, (0, 1))[1], _PLAIN),
    ("nansum", lambda t, x: t.nansum(x), _WITH_NAN),
    ("nansum_dim", lambda t, x: x.nansum(1, keepdim=True), _WITH_NAN),
    ("nanmean", lambda t, x: t.nanmean(x, 0), _WITH_NAN),
    ("aminmax", lambda t, x: t.aminmax(x).min * 2 + t.aminmax(x).max, _TIES),
    ("aminmax_dim", lambda t, x: t.aminmax(x, dim=1).max + x.aminmax(dim=1)[0] * 3, _TIES),
    ("logcumsumexp", lambda t, x: t.logcumsumexp(x, 1), _PLAIN),
    ("logcumsumexp_large", lambda t, x: x.logcumsumexp(0), _PLAIN * 60),
    ("cummax", lambda t, x: t.cummax(x, 1)[0], _TIES),
    ("cummin", lambda t, x: x.cummin(0).values, _TIES),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, fn, data", PAIRED, ids=[p[0] for p in PAIRED])
def test_paired_and_running_reductions_match_pytorch(torch_ref, name, fn, data, dtype):
    """Values, dtype, node name, gradients and second derivatives (a Hessian-vector product) as
    PyTorch gives them."""
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(data.astype(dtype), requires_grad=True)
        out = fn(lib, x)
        w = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype))
        (g,) = lib.autograd.grad((out * w).sum(), [x], create_graph=True)
        gg = None
        if g.requires_grad:  # (the gradient of a running max does not depend on x)
            (gg,) = lib.autograd.grad((g * g).sum(), [x], allow_unused=True)
        gg = np.zeros(x.shape) if gg is None else gg.numpy()
        got.append(
            (out.detach().numpy(), str(out.dtype), out.grad_fn.name(), g.detach().numpy(), gg)
        )
    (v, dt, node, g, gg), (tv, tdt, tnode, tg, tgg) = got
    assert (dt, node) == (tdt, tnode)
    np.testing.assert_allclose(v, tv, rtol=1e-5, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(g, tg, rtol=1e-4, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(gg, tgg, rtol=1e-3, atol=1e-4, equal_nan=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.logcumsumexp(x, 1),
        lambda t, x: t.var_mean(x, 1)[0] + t.var_mean(x, 1)[1],
        lambda t, x: t.std_mean(x, 0)[0],
        lambda t, x: t.aminmax(x, dim=0).max,
    ],
)
def test_paired_and_running_reductions_gradcheck(fn):
    x = retrograd.tensor(_PLAIN, requires_grad=True)
    assert gradcheck(lambda x: fn(retrograd, x), [x])
    assert gradgradcheck(lambda x: fn(retrograd, x), [x])


@pytest.mark.parametrize("dim", [0, 1])
def test_logcumsumexp_float32_values_and_gradient_are_pytorchs(torch_ref, dim):
    """Float32 running values accumulated in float64 and rounded once, and the gradient by
    PyTorch's reversed logcumsumexp in log space: on inputs spread over [-9, 9] its float32
    gradient is 1e-3 off the true one, and ours is the same."""
    rng = np.random.default_rng(3)
    data = rng.uniform(-9, 9, (5, 5, 200)).astype(np.float32)
    g = rng.standard_normal(data.shape).astype(np.float32)
    results = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(data, requires_grad=True)
        out = lib.logcumsumexp(x, dim)
        (grad,) = lib.autograd.grad(out, [x], lib.tensor(g))
        results.append((out.detach().numpy(), grad.numpy()))
    (v, grad), (tv, tgrad) = results
    np.testing.assert_array_equal(v, tv)
    np.testing.assert_allclose(grad, tgrad, rtol=1e-6, atol=1e-6)


def test_logcumsumexp_forward_mode_matches_pytorch(torch_ref):
    """The tangent comes from its own formula (the gradient is not linear in the output's)."""
    rng = np.random.default_rng(4)
    data, tangent = rng.standard_normal((2, 3, 4)) * 5
    results = []
    for lib in (retrograd, torch_ref):
        fwd = lib.autograd.forward_ad
        with fwd.dual_level():
            x = fwd.make_dual(lib.tensor(data), lib.tensor(tangent))
            results.append(fwd.unpack_dual(lib.logcumsumexp(x, 1)).tangent.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.cummax(t.tensor([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, 1.0, 1.0]]), 1),
        lambda t: t.cummin(t.tensor([1.0, float("nan"), 0.0, float("nan")]), 0),
        lambda t: t.cummax(t.tensor(2.5), 0),
        lambda t: t.nansum(t.tensor([1, 2])),
        lambda t: t.logcumsumexp(t.tensor([1.0, 2.0, float("-inf")]), 0),
        lambda t: t.aminmax(t.tensor([[1, 5], [7, 0]]), dim=-1, keepdim=True),
        lambda t: repr(t.aminmax(t.tensor([3.0, -1.0]))),
    ],
)
def test_running_extremes_and_nan_sums_print_as_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


(
    test_paired_reduction_error_type_and_text,
    test_paired_reduction_error_texts_are_pytorchs,
) = error_tests(
    [
        (
            lambda t: t.aminmax(t.tensor([])),
            RuntimeError,
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity.",
        ),
        (
            lambda t: t.aminmax(t.zeros(2, 0), dim=1),
            IndexError,
            "aminmax: Expected reduction dim 1 to have non-zero size.",
        ),
        (
            lambda t: t.nanmean(t.tensor([1, 2])),
            RuntimeError,
            "nanmean(): expected input to have floating point or complex dtype but got Long",
        ),
    ]
)


# --- quantiles ---------------------------------------------------------------------------------

_Q = np.random.default_rng(9).standard_normal((3, 5))
_Q_NAN = _Q.copy()
_Q_NAN[0, 1] = np.nan
_Q_NAN[2, :] = np.nan

QUANTILES = [
    lambda t, x: t.quantile(x, 0.3),
    lambda t, x: t.quantile(x, 0.3, dim=1),
    lambda t, x: x.quantile(t.tensor([0.1, 0.5, 0.9], dtype=t.float64), dim=0, keepdim=True),
    lambda t, x: t.quantile(x, t.tensor([0.25, 0.75], dtype=t.float64), keepdim=True),
    lambda t, x: t.nanquantile(x, 0.4, dim=1),
    lambda t, x: x.nanquantile(t.tensor([0.2, 0.8], dtype=t.float64)),
] + [
    (lambda t, x, how=how: t.quantile(x, 0.37, dim=-1, interpolation=how))
    for how in ("linear", "lower", "higher", "nearest", "midpoint")
]


@pytest.mark.parametrize("data", [_Q, _Q_NAN], ids=["plain", "with_nan"])
@pytest.mark.parametrize("fn", QUANTILES)
def test_quantiles_match_pytorch(torch_ref, fn, data):
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(data, requires_grad=True)
        out = fn(lib, x)
        w = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
        (g,) = lib.autograd.grad((out * w).sum(), [x])
        got.append((out.detach().numpy(), tuple(out.shape), g.numpy()))
    (v, shape, g), (tv, tshape, tg) = got
    assert shape == tshape
    np.testing.assert_allclose(v, tv, equal_nan=True)
    np.testing.assert_allclose(g, tg, equal_nan=True)


def test_quantile_second_derivatives():
    x = retrograd.tensor(_Q, requires_grad=True)
    assert gradgradcheck(lambda a: retrograd.quantile(a, 0.3, dim=1), [x])


(test_quantile_error_type_and_text, test_quantile_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.quantile(t.ones(3), 1.5),
            RuntimeError,
            "quantile() q must be in the range [0, 1] but got 1.5",
        ),
        (
            lambda t: t.quantile(t.ones(3, dtype=t.int64), 0.5),
            RuntimeError,
            "quantile() input tensor must be either float or double dtype",
        ),
        (
            lambda t: t.quantile(t.ones(3), 0.5, interpolation="foo"),
            RuntimeError,
            "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            "but got foo",
        ),
        (
            lambda t: t.quantile(t.tensor([]), 0.5),
            RuntimeError,
            "quantile() input tensor must be non-empty",
        ),
        (
            lambda t: t.quantile(t.ones(3), t.tensor([[0.5]])),
            RuntimeError,
            "quantile() q must be a scalar or 1D tensor",
        ),
    ]
)


# --- the k-th value, the mode, the nan-ignoring median, integration ----------------------------

_K = np.random.default_rng(10).standard_normal((3, 5))
_TIED = np.array([[1.0, 3.0, 3.0, 2.0, 1.0], [2.0, 2.0, 1.0, 1.0, 5.0], [0.0, 0.0, 0.0, 1.0, 1.0]])
_HOLES = _K.copy()
_HOLES[0, 1] = np.nan
_HOLES[2, :] = np.nan
_X = np.cumsum(np.random.default_rng(11).random(5))

PICKS = [
    (lambda t, y: t.kthvalue(y, 2)[0], _K),
    (lambda t, y: y.kthvalue(3, 0, keepdim=True).values, _K),
    (lambda t, y: t.mode(y)[0], _TIED),
    (lambda t, y: y.mode(0).values, _TIED),
    (lambda t, y: t.nanmedian(y), _HOLES),
    (lambda t, y: t.nanmedian(y, 1)[0], _HOLES),
    (lambda t, y: y.nanmedian(0, keepdim=True)[0], _HOLES),
    (lambda t, y: t.nanmedian(y), _K),
    (lambda t, y: t.trapezoid(y), _K),
    (lambda t, y: t.trapezoid(y, dx=0.5, dim=0), _K),
    (lambda t, y: t.trapezoid(y, t.tensor(_X)), _K),
    (lambda t, y: t.trapz(y, dx=0.3, dim=0), _K),
    (lambda t, y: t.cumulative_trapezoid(y), _K),
    (lambda t, y: t.cumulative_trapezoid(y, t.tensor(_X)), _K),
    (lambda t, y: t.combinations(y[0], 2), _K),
    (lambda t, y: t.combinations(y[0], 3, with_replacement=True), _K),
]


@pytest.mark.parametrize("fn, data", PICKS)
def test_picks_and_integrals_match_pytorch(torch_ref, fn, data):
    got = []
    for lib in (retrograd, torch_ref):
        y = lib.tensor(data, requires_grad=True)
        out = fn(lib, y)
        w = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
        (g,) = lib.autograd.grad((out * w).sum(), [y])
        got.append((out.detach().numpy(), tuple(out.shape), g.numpy()))
    (v, shape, g), (tv, tshape, tg) = got
    assert shape == tshape
    np.testing.assert_allclose(v, tv, equal_nan=True)
    np.testing.assert_allclose(g, tg)


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.mode(t.tensor(_TIED)),
        lambda t: t.kthvalue(t.tensor(_K), 2, 1),
        lambda t: t.nanmedian(t.tensor(_HOLES), 1),
        lambda t: t.vander(t.tensor([1, 2, 3])),
        lambda t: t.vander(t.tensor([1.0, 2.0]), N=0),
        lambda t: t.vander(t.tensor([1.5, 2.0, -1.0]), N=4, increasing=True),
        lambda t: t.combinations(t.tensor([1.0, 2.0]), r=0),
        lambda t: t.combinations(t.tensor([1.0, 2.0]), 3),
        lambda t: t.tril_indices(3, 4, -1),
        lambda t: t.triu_indices(2, 3, offset=-1),
        lambda t: t.triu_indices(3, 3, dtype=t.int32).dtype,
    ],
)
def test_picks_and_indices_print_as_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


(test_pick_error_type_and_text, test_pick_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.kthvalue(t.tensor([1.0, 2.0]), 3),
            RuntimeError,
            "kthvalue(): selected number k out of range for dimension 0",
        ),
        (
            lambda t: t.mode(t.tensor([])),
            IndexError,
            "mode(): Expected reduction dim 0 to have non-zero size.",
        ),
        (lambda t: t.tril_indices(-1, 3), RuntimeError, "row must be non-negative, got-1"),
    ]
)


@pytest.mark.parametrize("shape, dim", [((), 0), ((), -1), ((1,), 0), ((2, 1), -1), ((2, 3), 1)])
def test_cumprod_gradient_along_a_dimension_of_one(torch_ref, shape, dim):
    """Along a dimension of size 1 (or of a 0-d tensor) each output is its input: the gradient
    is the output gradient as it came (no graph of its own under create_graph), as in PyTorch;
    a 0-d input raised an IndexError."""

    def run(T):
        x = T.full(shape, 1.434, dtype=T.float64, requires_grad=True)
        y = T.cumprod(x, dim)
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        return np.round(g.detach().numpy(), 9).tolist(), g.requires_grad

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_softmax_gradient_is_pytorchs_backward_data_node(torch_ref, name, dtype):
    """Under create_graph the gradient of softmax / log_softmax is made by one node,
    (Log)SoftmaxBackwardDataBackward0 as in PyTorch (then ToCopyBackward0 with dtype=), and
    differentiating it again gives PyTorch's second derivative."""

    def run(T):
        x = (T.arange(6.0).reshape(2, 3) / 5).requires_grad_()
        y = getattr(x, name)(1, dtype=None if dtype is None else getattr(T, dtype))
        w = T.linspace(-1, 1, 6, dtype=y.dtype).reshape(2, 3)
        (g,) = T.autograd.grad((y * w).sum(), x, create_graph=True)
        (h,) = T.autograd.grad((g * g).sum(), x)
        return type(g.grad_fn).__name__, np.round(h.numpy(), 5).tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (0,), (3,)])
def test_cumprod_gradient_over_at_most_one_element(torch_ref, shape):
    """A 0-d or one-element input's gradient is the incoming one (not built from a table of
    products, which has no last dimension for a 0-d input), outside the graph as in PyTorch."""

    def run(T):
        x = (T.arange(math.prod(shape), dtype=T.float64) + 0.5).reshape(shape).requires_grad_()
        y = T.cumprod(x, dim=0)
        (g,) = T.autograd.grad(y.sum() * 2, x, create_graph=True)
        (gg,) = T.autograd.grad((T.cumprod(x, dim=0) ** 2).sum(), x, create_graph=True)
        return g.tolist(), g.requires_grad, gg.tolist(), gg.requires_grad

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.amax(-1),
        lambda x: x.amin([-1]),
        lambda x: x.amax((0, -1)),
        lambda x: x.max(-1),
        lambda x: x.min(dim=-1),
        lambda x: x.argmax(-1),
        lambda x: x.aminmax(dim=-1),
    ],
)
def test_an_empty_reduction_dim_is_named_as_pytorch_names_it(torch_ref, call):
    # (amax and amin name the dim as given, max, min and aminmax as wrapped: seed 9303800)
    errors = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(IndexError) as info:
            call(lib.zeros(2, 0))
        errors.append(str(info.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.cumsum(t.ones(3, dtype=t.bool), 0, dtype=t.bool),
        lambda t: t.ones(2, 3).cumsum(1, dtype=t.bool),
        lambda t: t.cumprod(t.ones(3), 0, dtype=t.bool),
        lambda t: t.cumsum(t.ones(()), 0, dtype=t.bool),  # (0-d: no kernel runs, a value)
    ],
)
def test_cumulative_ops_asked_for_bool_as_pytorch(torch_ref, program):
    def run(lib):
        try:
            r = program(lib)
        except NotImplementedError as e:
            return str(e)
        return str(r.dtype), r.tolist()

    assert run(retrograd) == run(torch_ref)
