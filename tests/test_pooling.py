"""Pooling (ops/conv.py): values, indices and gradients against PyTorch, finite differences in
float64, double backward, and PyTorch's errors."""

import numpy as np
import pytest
from conftest import rand64
from error_texts import assert_raises_text

import retrograd
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _check(torch, ours_fn, theirs_fn, shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    if ties:  # few distinct values: the first maximum of a window must win, as in PyTorch
        a = rng.integers(0, 3, shape).astype(np.float32)
    else:
        a = rng.standard_normal(shape).astype(np.float32)
    x, xt = retrograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = ours_fn(x), theirs_fn(xt)
    out, ref = _as_tuple(out), _as_tuple(ref)
    for o, r in zip(out, ref):
        assert o.shape == tuple(r.shape)
        assert o.stride() == r.stride()
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=1e-5, atol=1e-6)
    if len(out) == 2:
        assert out[1].dtype == retrograd.int64
    seed_grad = rng.standard_normal(tuple(ref[0].shape)).astype(np.float32)
    out[0].backward(retrograd.tensor(seed_grad))
    ref[0].backward(torch.tensor(seed_grad))
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert x.grad.stride() == xt.grad.stride()


MAX = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2)),
    ((1, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))),
    ((2, 2, 9, 9), dict(kernel_size=3, stride=1, dilation=2, padding=1)),  # overlapping windows
    ((1, 2, 7, 7), dict(kernel_size=2, stride=2, ceil_mode=True)),
    ((1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched
    # disjoint windows (the backward pass places gradients without a scatter): gaps between
    # windows, dilated windows, rows and columns no window covers, unbatched
    ((2, 3, 9, 10), dict(kernel_size=2, stride=3)),
    ((1, 2, 9, 9), dict(kernel_size=2, stride=3, dilation=2)),
    ((2, 3, 7, 8), dict(kernel_size=3)),
    ((3, 7, 6), dict(kernel_size=(2, 3))),
    # more channels than output columns (pooled on a channels-last copy): disjoint, overlapping,
    # padded, dilated down to 1x1 outputs, unbatched
    ((2, 9, 8, 8), dict(kernel_size=2)),
    ((2, 12, 9, 9), dict(kernel_size=3, stride=1, dilation=2, padding=1)),
    ((1, 10, 7, 7), dict(kernel_size=2, stride=2, ceil_mode=True)),
    ((2, 9, 7, 6), dict(kernel_size=3, dilation=2)),
    ((9, 5, 5), dict(kernel_size=2, stride=1)),
]


@pytest.mark.parametrize("shape, kw", MAX)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool2d_matches_torch(torch_ref, shape, kw, ties):
    _check(
        torch_ref,
        lambda x: F.max_pool2d(x, return_indices=True, **kw),
        lambda x: torch_ref.nn.functional.max_pool2d(x, return_indices=True, **kw),
        shape,
        ties=ties,
    )


AVG = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2)),
    ((1, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))),
    ((1, 2, 7, 6), dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
    ((1, 2, 7, 7), dict(kernel_size=2, stride=2, ceil_mode=True)),
    ((1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (
        (1, 2, 8, 6),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    ),
    ((1, 2, 6, 6), dict(kernel_size=2, divisor_override=3)),
    ((3, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched
]


@pytest.mark.parametrize("shape, kw", AVG)
def test_avg_pool2d_matches_torch(torch_ref, shape, kw):
    _check(
        torch_ref,
        lambda x: F.avg_pool2d(x, **kw),
        lambda x: torch_ref.nn.functional.avg_pool2d(x, **kw),
        shape,
    )


ADAPTIVE = [
    ((2, 3, 8, 8), 2),
    ((2, 3, 7, 9), (3, 4)),
    ((1, 2, 5, 7), (5, 2)),
    ((2, 3, 6, 6), 1),
    ((1, 2, 5, 7), (None, 3)),
    ((3, 5, 4), (2, 2)),
    ((1, 1, 3, 3), 5),
]


@pytest.mark.parametrize("shape, size", ADAPTIVE)
def test_adaptive_avg_pool2d_matches_torch(torch_ref, shape, size):
    _check(
        torch_ref,
        lambda x: F.adaptive_avg_pool2d(x, size),
        lambda x: torch_ref.nn.functional.adaptive_avg_pool2d(x, size),
        shape,
    )


def test_pool_node_names():
    x = rand64(1, 1, 4, 4)
    assert F.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F.adaptive_avg_pool2d(x, 3).grad_fn.name() == "AdaptiveAvgPool2DBackward0"


def test_max_pool2d_exact_values_and_indices():
    x = retrograd.tensor(
        [
            [
                [
                    [1.0, 5.0, 2.0, 0.0],
                    [3.0, 4.0, 7.0, 7.0],
                    [0.0, 0.0, 1.0, 1.0],
                    [9.0, 0.0, 1.0, 1.0],
                ]
            ]
        ],
        requires_grad=True,
    )
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert out.tolist() == [[[[5.0, 7.0], [9.0, 1.0]]]]
    assert idx.tolist() == [[[[1, 6], [12, 10]]]]  # ties: the first in the window
    out.sum().backward()
    assert x.grad.tolist() == [
        [[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]]
    ]


POOL_GRADCHECK = [
    lambda x: F.max_pool2d(x, 2),
    lambda x: F.max_pool2d(x, 3, stride=1, padding=1),  # overlapping: gradients add up
    lambda x: F.max_pool2d(x, 2, stride=2, ceil_mode=True, dilation=1),
    lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    lambda x: F.avg_pool2d(x, 2, stride=1),
    lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
]


@pytest.mark.parametrize("fn", POOL_GRADCHECK)
def test_pool_gradcheck_and_gradgradcheck(fn):
    x = rand64(1, 2, 5, 5, seed=4)  # distinct values: max pooling is differentiable there
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


ERRORS = [
    (
        lambda: F.max_pool2d(retrograd.randn(2, 3, 8, 8), 3, padding=2),
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
        "dilation=1",
    ),
    (
        lambda: F.max_pool2d(retrograd.randn(2, 3, 9, 9), 3, padding=2, dilation=2),
        "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, "
        "kW = 3, kH = 3",
    ),
    (
        lambda: F.max_pool2d(retrograd.randn(1, 1, 2, 2), 3),
        "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small",
    ),
    (
        lambda: F.max_pool2d(retrograd.randn(8), 2),
        "non-empty 3D or 4D (batch mode) tensor expected for input",
    ),
    (
        lambda: F.avg_pool2d(retrograd.randn(2, 3, 8, 8), 3, padding=2),
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
        "dilation=1",
    ),
    (
        lambda: F.avg_pool2d(retrograd.randn(1, 1, 2, 2), 3),
        "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small",
    ),
    (
        lambda: F.adaptive_avg_pool2d(retrograd.randn(8), 2),
        "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [8]",
    ),
]


@pytest.mark.parametrize("fn, message", ERRORS)
def test_pool_errors_are_pytorchs(fn, message):
    assert_raises_text(fn, message)


@pytest.mark.parametrize("fn, message", ERRORS)
def test_pool_error_texts_are_pytorchs_own(torch_ref, fn, message):
    assert_raises_text(fn, message, retrograd=torch_ref, F=torch_ref.nn.functional)


MODULES = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3, 2, 1, 2, True, True), {}),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1), "padding": (1, 0)}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3, 2, 1, True, False, 2), {}),
    ("AdaptiveAvgPool2d", ((2, 3),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
]


@pytest.mark.parametrize("channels_last", [False, True])
def test_max_pool2d_gradient_goes_only_to_each_windows_maximum(torch_ref, channels_last):
    """An infinite or NaN gradient of one window reaches only the position of that window's
    maximum (no 0 * inf elsewhere), in either memory layout, with gaps between the windows."""
    a = np.random.default_rng(4).standard_normal((2, 3, 8, 8)).astype(np.float32)
    if channels_last:
        a = np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    x = retrograd.from_numpy(a).requires_grad_()
    xt = torch_ref.from_numpy(a).requires_grad_()
    out = F.max_pool2d(x, 2, stride=3)
    ref = torch_ref.nn.functional.max_pool2d(xt, 2, stride=3)
    seed = np.random.default_rng(5).standard_normal(tuple(out.shape)).astype(np.float32)
    seed[0, 1, 1, 0], seed[1, 2, 0, 2] = np.inf, np.nan
    out.backward(retrograd.tensor(seed))
    ref.backward(torch_ref.tensor(seed))
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("name, args, kw", MODULES)
def test_pool_modules_match_torch(torch_ref, name, args, kw):
    ours = getattr(retrograd.nn, name)(*args, **kw)
    theirs = getattr(torch_ref.nn, name)(*args, **kw)
    assert ours.extra_repr() == theirs.extra_repr()
    a = np.random.default_rng(0).standard_normal((2, 3, 9, 8)).astype(np.float32)
    out, ref = ours(retrograd.tensor(a)), theirs(torch_ref.tensor(a))
    out, ref = _as_tuple(out), _as_tuple(ref)
    for o, r in zip(out, ref):
        np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("channels_last", [False, True])
def test_max_pool2d_nan_and_memory_layout_match_torch(torch_ref, channels_last):
    """NaN wins a window (its last NaN, as PyTorch scans); channels-last memory gives the same."""
    a = np.random.default_rng(3).standard_normal((2, 3, 6, 6)).astype(np.float32)
    a[0, 1, 0, 1] = a[0, 1, 1, 0] = a[1, 2, 4, 4] = np.nan
    if channels_last:
        a = np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    x = retrograd.from_numpy(a).requires_grad_()
    xt = torch_ref.from_numpy(a).requires_grad_()
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    ref, ref_idx = torch_ref.nn.functional.max_pool2d(xt, 2, return_indices=True)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
    seed = np.arange(out.numel(), dtype=np.float32).reshape(tuple(out.shape))
    out.backward(retrograd.tensor(seed))
    ref.backward(torch_ref.tensor(seed))
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("name, args, kw", MODULES)
def test_pool_module_repr_is_pytorchs(torch_ref, name, args, kw):
    ours = getattr(retrograd.nn, name)(*args, **kw)
    assert repr(ours) == repr(getattr(torch_ref.nn, name)(*args, **kw))


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)])
def test_max_pool2d_saved_indices_second_derivative_and_no_grad_match_torch(
    torch_ref, channels_last, kw
):
    """Disjoint windows keep which offset of each window holds its maximum, not the flat index:
    the node still shows PyTorch's indices, double backward gathers by the offsets, and without
    a gradient to take only the maxima are computed."""
    a = np.random.default_rng(6).integers(0, 3, (2, 3, 8, 8)).astype(np.float32)  # ties
    if channels_last:
        a = np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    x = retrograd.from_numpy(a).requires_grad_()
    xt = torch_ref.from_numpy(a).requires_grad_()
    out, ref = F.max_pool2d(x, **kw), torch_ref.nn.functional.max_pool2d(xt, **kw)
    for name in ("_saved_indices", "_saved_result1"):
        expected = ref.grad_fn._saved_result1.numpy()
        np.testing.assert_array_equal(getattr(out.grad_fn, name).numpy(), expected)
    seed = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(np.float32)
    g = retrograd.tensor(seed, requires_grad=True)
    gt = torch_ref.tensor(seed, requires_grad=True)
    (gx,) = retrograd.autograd.grad(out, x, g, create_graph=True)
    (gxt,) = torch_ref.autograd.grad(ref, xt, gt, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), gxt.detach().numpy(), rtol=1e-6, atol=1e-6)
    weights = np.random.default_rng(8).standard_normal(a.shape).astype(np.float32)
    (gg,) = retrograd.autograd.grad((gx * retrograd.tensor(weights)).sum(), g)
    (ggt,) = torch_ref.autograd.grad((gxt * torch_ref.tensor(weights)).sum(), gt)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy(), rtol=1e-6, atol=1e-6)
    with retrograd.no_grad():
        plain = F.max_pool2d(x, **kw)
    assert plain.grad_fn is None and not plain.requires_grad
    np.testing.assert_array_equal(plain.numpy(), ref.detach().numpy())
    assert plain.numpy().strides == ref.detach().numpy().strides  # (the same memory layout)


_AVG_KWARGS = [
    {},
    {"padding": 1},
    {"padding": 1, "count_include_pad": False},
    {"ceil_mode": True},
    {"stride": 1},
]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("kw", _AVG_KWARGS)
def test_avg_pool_of_int64_divides_toward_zero_as_pytorch(torch_ref, k, kw):
    """int64 windows' sums divided as C divides integers (toward zero, negative sums too), the
    result int64; with divisor_override (2-d, 3-d) too."""
    x = (np.arange(2 * 4**k) * 7 % 11 - 5).reshape((2, 1) + (4,) * k)
    if k > 1 and kw == {}:
        kw = {"divisor_override": 3}
    elif k > 1 and kw == {"ceil_mode": True}:
        kw = {**kw, "divisor_override": -2}  # (a negative divisor: toward zero still)
    got = []
    for lib in (retrograd, torch_ref):
        pool = getattr(lib.nn.functional, f"avg_pool{k}d")
        y = pool(lib.tensor(x), 2, **kw)
        got.append((str(y.dtype), y.tolist()))
    assert got[0] == got[1]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "bool", "complex64"])
def test_avg_pool_refuses_other_integer_types_as_pytorch(torch_ref, k, dtype):
    caught = []
    for lib in (retrograd, torch_ref):
        x = lib.ones((1, 2) + (4,) * k, dtype=getattr(lib, dtype))
        with pytest.raises(NotImplementedError) as info:
            getattr(lib.nn.functional, f"avg_pool{k}d")(x, 2)
        caught.append(str(info.value))
    assert caught[0] == caught[1]


@pytest.mark.parametrize(
    "program",
    [
        lambda t, x: t.nn.functional.max_pool1d(x[0], 2),
        lambda t, x: t.nn.functional.max_pool1d(x[0], 2, return_indices=True),
        lambda t, x: t.nn.functional.max_pool2d(x, 2),
        lambda t, x: t.nn.functional.max_pool3d(x[None], 2),
        lambda t, x: t.nn.functional.max_pool3d(x[None], 2, return_indices=True),
    ],
)
def test_max_pool_refuses_bools_as_pytorch(torch_ref, program):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(NotImplementedError) as info:
            program(lib, lib.ones(1, 2, 4, 4, dtype=lib.bool))
        caught.append(str(info.value))
    assert caught[0] == caught[1]
