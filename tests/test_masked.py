"""torch.masked's functions on plain tensors with a mask: values, dtypes, node names and
gradients against PyTorch (slices the mask empties included), gradients against finite
differences, and MaskedTensor refused by name."""

import math

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

_R = np.random.default_rng(0)
_X = _R.standard_normal((3, 4))
_MASK = _R.random((3, 4)) > 0.4
_MASK[2] = False  # a row with nothing kept
_MASKS = {"mask": _MASK, "broadcast": _MASK[0], "none": None}

_REDUCTIONS = ["sum", "mean", "amax", "amin", "prod", "logsumexp", "std", "var"]


def _cases():
    for m in _MASKS:
        for dim in (None, 1, (0, 1), -2):
            for keepdim in (False, True):
                for name in _REDUCTIONS:
                    yield (
                        name,
                        m,
                        (
                            lambda t, n=name, d=dim, k=keepdim: (
                                lambda x, mask: getattr(t.masked, n)(x, d, keepdim=k, mask=mask)
                            )
                        ),
                    )
                for ord in (2.0, 1.0, math.inf, -math.inf, 0.0):
                    yield (
                        f"norm{ord}",
                        m,
                        (
                            lambda t, o=ord, d=dim, k=keepdim: (
                                lambda x, mask: t.masked.norm(x, o, d, keepdim=k, mask=mask)
                            )
                        ),
                    )
        for dim in (0, -1):
            for name in ["softmax", "log_softmax", "softmin", "cumsum", "cumprod", "median"]:
                yield (
                    name,
                    m,
                    (
                        lambda t, n=name, d=dim: (
                            lambda x, mask: getattr(t.masked, n)(x, d, mask=mask)
                        )
                    ),
                )
            for name in ["argmax", "argmin"]:
                yield (
                    name,
                    m,
                    (
                        lambda t, n=name, d=dim: (
                            lambda x, mask: getattr(t.masked, n)(x, d, keepdim=True, mask=mask)
                        )
                    ),
                )
            yield (
                "normalize",
                m,
                (lambda t, d=dim: lambda x, mask: t.masked.normalize(x, 1.0, d, mask=mask)),
            )
    extra = {
        "var_unbiased_false": lambda t: lambda x, m: t.masked.var(x, 1, False, mask=m),
        "var_correction_2": lambda t: lambda x, m: t.masked.var(x, 0, correction=2, mask=m),
        "std_correction_0": lambda t: lambda x, m: t.masked.std(x, 1, correction=0, mask=m),
        # complex: the mean of |x - mean|^2, in the complex dtype
        "var_complex": lambda t: (
            lambda x, m: t.view_as_real(t.masked.var(t.complex(x, x.flip(1)), 1, mask=m))
        ),
        "std_complex_correction_2": lambda t: (
            lambda x, m: t.view_as_real(
                t.masked.std(t.complex(x, x * x), 1, correction=2, keepdim=True, mask=m)
            )
        ),
        "mean_dtype": lambda t: lambda x, m: t.masked.mean(x.float(), 1, dtype=t.float64, mask=m),
        "argmax_all": lambda t: lambda x, m: t.masked.argmax(x, mask=m),
        "logaddexp": lambda t: (
            lambda x, m: t.masked.logaddexp(x, x.flip(0), input_mask=m, other_mask=~m)
        ),
    }
    for name, fn in extra.items():
        yield name, "mask", fn


CASES = list(_cases())


@pytest.mark.parametrize(
    "name, mask, program", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_masked_function_matches_pytorch(torch_ref, name, mask, program):
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(_X, requires_grad=True)
        m = None if _MASKS[mask] is None else lib.tensor(_MASKS[mask])
        out = program(lib)(x, m)
        row = [out.detach().numpy(), str(out.dtype), out.requires_grad]
        row.append(None if out.grad_fn is None else out.grad_fn.name())
        if out.requires_grad:
            w = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
            (g,) = lib.autograd.grad((out * w).nan_to_num().sum(), x, allow_unused=True)
            row.append(np.zeros(_X.shape) if g is None else g.numpy())  # (norm 0: no gradient)
        got.append(row)
    ours, theirs = got
    assert ours[1:4] == theirs[1:4]
    for a, b in zip(ours[:1] + ours[4:], theirs[:1] + theirs[4:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, m: retrograd.masked.sum(x, 1, mask=m),
        lambda x, m: retrograd.masked.mean(x, 0, mask=m),
        lambda x, m: retrograd.masked.var(x, 1, mask=m),
        lambda x, m: retrograd.masked.logsumexp(x, 1, mask=m),
        lambda x, m: retrograd.masked.softmax(x, 1, mask=m),
        lambda x, m: retrograd.masked.normalize(x, 2.0, 1, mask=m),
        lambda x, m: retrograd.masked.cumprod(x, 1, mask=m),
        lambda x, m: retrograd.masked.prod(x, (0, 1), mask=m),
    ],
)
def test_masked_gradients_against_finite_differences(fn):
    mask = retrograd.tensor([[True, False, True, True], [False, True, True, False]])
    x = retrograd.tensor(_X[:2] + 2.0, requires_grad=True)
    assert gradcheck(lambda x: fn(x, mask), (x,))
    assert gradgradcheck(lambda x: fn(x, mask), (x,))


def test_a_mask_of_higher_dimension_is_pytorchs_error(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(IndexError, match="got mask dimensionality higher than of the input"):
            lib.masked.sum(lib.ones(2, 3), 1, mask=lib.ones(1, 2, 3, dtype=lib.bool))


def test_an_integer_mask_counts_as_bool(torch_ref):
    got = [
        lib.masked.sum(lib.tensor(_X), 1, mask=lib.tensor(_MASK.astype(np.int64))).numpy()
        for lib in (retrograd, torch_ref)
    ]
    np.testing.assert_allclose(*got)


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.masked.masked_tensor(t.ones(2), t.ones(2, dtype=t.bool)),
        lambda t: t.masked.as_masked_tensor(t.ones(2), t.ones(2, dtype=t.bool)),
        lambda t: t.masked.MaskedTensor(t.ones(2), t.ones(2, dtype=t.bool)),
    ],
)
def test_masked_tensor_is_refused_by_name(make):
    with pytest.raises(NotImplementedError, match="MaskedTensor"):
        make(retrograd)
    assert not retrograd.masked.is_masked_tensor(retrograd.ones(2))


@pytest.mark.parametrize("kw", [{"dim": 0, "keepdim": True}, {"dim": -1}, {"dim": ()}, {}])
@pytest.mark.parametrize("mask", [None, True, False])
def test_prod_of_a_0d_input_as_pytorch(torch_ref, kw, mask):
    """masked.prod over dim 0 or -1 of a 0-d input reduces nothing, as PyTorch's (it divided by
    the input's zero dimensions): values, node and gradient."""

    def run(lib):
        x = lib.tensor(2.5, requires_grad=True)
        m = None if mask is None else lib.tensor(mask)
        r = lib.masked.prod(x, mask=m, **kw)
        (g,) = lib.autograd.grad(r.sum(), x)
        node = None if r.grad_fn is None else r.grad_fn.name()
        return r.tolist(), tuple(r.shape), node, g.tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("shape", [(), (2, 3)])
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": ()}, {"dtype": "int16"}, {"mask": True}])
@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool"])
def test_prod_of_integers_is_int64_as_pytorch(torch_ref, shape, kw, dtype):
    """masked.prod of integers or bools gives int64 unless a dtype is asked for, as prod does;
    also where nothing is reduced (a 0-d input)."""

    def run(lib):
        x = lib.ones(shape, dtype=getattr(lib, dtype)) * 2 if dtype != "bool" else lib.ones(shape)
        x = x.to(getattr(lib, dtype))
        args = dict(kw)
        if "dtype" in args:
            args["dtype"] = getattr(lib, args["dtype"])
        if "mask" in args:
            args["mask"] = lib.tensor(args["mask"])
        if "dim" in args and not shape:
            args["dim"] = () if args["dim"] == () else 0
        r = lib.masked.prod(x, **args)
        return str(r.dtype), r.tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", _REDUCTIONS)
def test_an_empty_dim_tuple_reduces_every_dimension_as_pytorch(torch_ref, name):
    """dim=() asks for every dimension, as dim=None does: values and gradients."""

    def run(lib):
        x = lib.arange(1.0, 7.0, dtype=lib.float64).reshape(2, 3).requires_grad_()
        m = lib.tensor([[True, False, True], [True, True, False]])
        r = getattr(lib.masked, name)(x, dim=(), mask=m)
        (g,) = lib.autograd.grad(r, x)
        return tuple(r.shape), round(r.item(), 10), np.round(g.detach().numpy(), 10).tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "bool", "float32"])
def test_cumulative_ops_keep_the_input_dtype_as_pytorch(torch_ref, name, dtype):
    """masked.cumsum and masked.cumprod run in the input's dtype (cumsum of integers would give
    int64); a bool input is PyTorch's error for a bool cumsum."""

    def run(lib):
        x = lib.tensor([[0, 1, 2], [3, 4, 5]]).to(getattr(lib, dtype))
        try:
            r = getattr(lib.masked, name)(x, 1, mask=x > 1)
        except NotImplementedError as e:
            return str(e)
        return str(r.dtype), r.tolist()

    assert run(retrograd) == run(torch_ref)
