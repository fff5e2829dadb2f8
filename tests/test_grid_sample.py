"""``F.grid_sample`` (4-D: bilinear, nearest and bicubic; 5-D: trilinear and nearest; zeros,
border and reflection padding; both ``align_corners``), ``torch.grid_sampler_2d``/``_3d`` and
``F.affine_grid`` (2-D and 3-D) against PyTorch: values, node names, the gradients of input, grid
and theta in float64 and float32, second derivatives, finite differences, warnings and errors."""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck


def _run(lib, dtype, mode, padding_mode, align_corners):
    rng = np.random.default_rng(0)
    t = getattr(lib, dtype)
    x = lib.tensor(rng.standard_normal((2, 3, 5, 6)), dtype=t, requires_grad=True)
    theta = lib.tensor(rng.standard_normal((2, 2, 3)) * 0.8, dtype=t, requires_grad=True)
    grid = lib.nn.functional.affine_grid(theta, (2, 3, 4, 7), align_corners)
    grid.retain_grad()
    y = lib.nn.functional.grid_sample(x, grid, mode, padding_mode, align_corners)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=t)
    (y * y * w).sum().backward()
    return y.detach().numpy(), x.grad.numpy(), grid.grad.numpy(), theta.grad.numpy()


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_pytorch(torch_ref, dtype, mode, padding_mode, align_corners):
    ours = _run(retrograd, dtype, mode, padding_mode, align_corners)
    theirs = _run(torch_ref, dtype, mode, padding_mode, align_corners)
    tol = 1e-10 if dtype == "float64" else 1e-4
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _run_3d(lib, dtype, mode, padding_mode, align_corners):
    """A volume [2, 3, 4, 5, 3] read at points that reach past its faces, and the second
    derivatives: of the input's and the grid's gradients (taken with create_graph)."""
    rng = np.random.default_rng(3)
    t = getattr(lib, dtype)
    x = lib.tensor(rng.standard_normal((2, 3, 4, 5, 3)), dtype=t, requires_grad=True)
    g = lib.tensor(rng.uniform(-1.3, 1.3, (2, 3, 2, 4, 3)), dtype=t, requires_grad=True)
    y = lib.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=t)
    gx, gg = lib.autograd.grad((y * y * w).sum(), (x, g), create_graph=True)
    second = lib.autograd.grad((gx * gx).sum() + (gg * gg).sum(), (x, g), allow_unused=True)
    found = [y, gx, gg] + [s for s in second if s is not None]
    return [type(y.grad_fn).__name__] + [a.detach().numpy() for a in found]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_volumes_match_pytorch(torch_ref, dtype, mode, padding_mode, align_corners):
    ours = _run_3d(retrograd, dtype, mode, padding_mode, align_corners)
    theirs = _run_3d(torch_ref, dtype, mode, padding_mode, align_corners)
    assert ours[0] == theirs[0] == "GridSampler3DBackward0"
    assert len(ours) == len(theirs)
    tol = 1e-10 if dtype == "float64" else 1e-4
    for a, b in zip(ours[1:], theirs[1:]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_second_derivatives_match_pytorch(torch_ref, padding_mode, align_corners):
    def run(lib):
        rng = np.random.default_rng(4)
        x = lib.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
        g = lib.tensor(rng.uniform(-1.3, 1.3, (1, 3, 2, 2)), requires_grad=True)
        y = lib.nn.functional.grid_sample(x, g, "bicubic", padding_mode, align_corners)
        gx, gg = lib.autograd.grad((y * y).sum(), (x, g), create_graph=True)
        return [a.numpy() for a in lib.autograd.grad((gx * gx).sum() + (gg**3).sum(), (x, g))]

    for a, b in zip(run(retrograd), run(torch_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "nd, mode", [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")]
)
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_gradcheck_every_mode(nd, mode, padding_mode):
    rng = np.random.default_rng(5)
    x = retrograd.tensor(rng.standard_normal((1, 2) + (3, 4, 2)[:nd]), requires_grad=True)
    # points away from pixel lines and from the reflection's folds (kinks of the sampling)
    points = rng.integers(-5, 5, (1,) + (2, 2, 1)[:nd] + (nd,)) * 0.25 + 0.1
    g = retrograd.tensor(points, requires_grad=True)
    sampler = retrograd.grid_sampler_2d if nd == 2 else retrograd.grid_sampler_3d

    def f(x, g):
        return sampler(
            x,
            g,
            ("bilinear", "nearest", "bicubic").index(mode),
            ("zeros", "border", "reflection").index(padding_mode),
            False,
        )

    assert gradcheck(f, (x, g))
    assert gradgradcheck(f, (x, g))


def test_nodes_and_edges_match_pytorch(torch_ref):
    def run(lib):
        x = lib.ones(1, 1, 2, 2, 2, requires_grad=True)
        g = lib.zeros(1, 1, 1, 1, 3, requires_grad=True)
        y = lib.grid_sampler_3d(x, g, 0, 0, False)
        gx, gg = lib.autograd.grad(y.sum(), (x, g), create_graph=True)
        return type(y.grad_fn).__name__, len(y.grad_fn.next_functions), gg.requires_grad

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_3d_matches_pytorch(torch_ref, align_corners):
    theta = np.random.default_rng(1).standard_normal((2, 3, 4))
    got = [
        lib.nn.functional.affine_grid(lib.tensor(theta), (2, 1, 3, 4, 5), align_corners).numpy()
        for lib in (retrograd, torch_ref)
    ]
    np.testing.assert_allclose(got[0], got[1], atol=1e-12)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_gradcheck(padding_mode):
    rng = np.random.default_rng(2)
    x = retrograd.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    # points away from pixel lines and from the reflection's folds (kinks of the sampling)
    g = retrograd.tensor(rng.uniform(-1.2, 1.2, (1, 3, 2, 2)), requires_grad=True)
    F = retrograd.nn.functional

    def f(x, g):
        return F.grid_sample(x, g, "bilinear", padding_mode, True)

    assert gradcheck(f, (x, g))
    assert gradgradcheck(f, (x, g))


def test_default_align_corners_warns(torch_ref):
    messages = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            grid = lib.nn.functional.affine_grid(lib.eye(2, 3)[None], (1, 1, 2, 2))
            lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), grid)
        messages.append([str(c.message) for c in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 2


def _x(t):
    return t.ones(1, 2, 3, 4)


def _g(t, *shape):
    return t.zeros(*(shape or (1, 5, 6, 2)))


ERRORS = [
    lambda t, F: F.grid_sample(_x(t), _g(t), mode="x", align_corners=False),
    lambda t, F: F.grid_sample(_x(t), _g(t), padding_mode="x", align_corners=False),
    lambda t, F: F.grid_sample(_x(t), _g(t, 1, 5, 6, 1), align_corners=False),
    lambda t, F: F.grid_sample(_x(t)[0], _g(t), align_corners=False),
    lambda t, F: F.grid_sample(_x(t), _g(t, 1, 1, 5, 6, 2), align_corners=False),
    lambda t, F: F.grid_sample(_x(t).repeat(2, 1, 1, 1), _g(t), align_corners=False),
    lambda t, F: F.grid_sample(_x(t), _g(t).double(), align_corners=False),
    lambda t, F: F.grid_sample(_x(t)[0], _g(t, 2, 5, 1), align_corners=False),
    lambda t, F: F.grid_sample(_x(t), _g(t, 1, 1, 5, 6, 2), align_corners=False),
    lambda t, F: F.grid_sample(_x(t)[..., :0], _g(t), align_corners=False),
    lambda t, F: F.grid_sample(_x(t)[None], _g(t, 1, 1, 5, 6, 3), "bicubic", align_corners=False),
    lambda t, F: t.grid_sampler_2d(_x(t)[0], _g(t), 0, 0, False),
    lambda t, F: t.grid_sampler_3d(_x(t), _g(t, 1, 5, 6, 3), 0, 0, False),
    lambda t, F: t.grid_sampler_2d(_x(t).int(), _g(t).int(), 0, 0, False),
    lambda t, F: t.grid_sampler_2d(_x(t).repeat(2, 1, 1, 1), _g(t), 2, 1, True),
    lambda t, F: F.affine_grid(t.zeros(2, 2, 3), (2, 3, 4), align_corners=False),
    lambda t, F: F.affine_grid(t.zeros(2, 3), (2, 3, 4, 5), align_corners=False),
    lambda t, F: F.affine_grid(t.zeros(2, 2, 3), (2, 3, 4, 5, 6), align_corners=False),
    lambda t, F: F.affine_grid(t.zeros(2, 2, 3).int(), (2, 3, 4, 5), align_corners=False),
    lambda t, F: F.affine_grid(t.zeros(2, 2, 3), (2, 3, 0, 5), align_corners=False),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch_ref, i):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(Exception) as info:
            ERRORS[i](lib, lib.nn.functional)
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1])
    assert str(caught[1]) in str(caught[0])


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_nan_and_infinite_points_match_pytorch(torch_ref, mode, padding_mode):
    """A nan or infinite point reads nothing with zeros padding and clips to an edge with the
    others (a nan to 0), as PyTorch's kernels do (values only: PyTorch's backward crashes on
    such points)."""
    nan, inf = float("nan"), float("inf")
    points = [[[[nan, 0.2], [0.1, inf], [-inf, 0.3], [0.5, 0.5]]]]
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.arange(12.0).reshape(1, 1, 3, 4)
        got.append(lib.nn.functional.grid_sample(x, lib.tensor(points), mode, padding_mode, False))
    np.testing.assert_allclose(got[0].numpy(), got[1].numpy(), rtol=1e-6)


def _sampled(lib, x, g, mode, padding_mode, dtype="float32", layout=None, needs=(True, True)):
    """Output and the gradients of ``(y * y * w).sum()`` (None where not asked) for arrays
    ``x`` and ``g``; ``layout``: the input channels last and the grid transposed in memory."""
    t = getattr(lib, dtype)
    x, g = lib.tensor(x, dtype=t), lib.tensor(g, dtype=t)
    if layout:
        x = x.contiguous(memory_format=lib.channels_last if x.ndim == 4 else lib.channels_last_3d)
        g = g.transpose(1, 2).contiguous().transpose(1, 2)
    x.requires_grad_(needs[0])
    g.requires_grad_(needs[1])
    y = lib.nn.functional.grid_sample(x, g, mode, padding_mode, False)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), dtype=t)
    (y.float() * y.float() * w.float()).sum().backward()
    grads = [None if a.grad is None else a.grad.float().numpy() for a in (x, g)]
    return [y.detach().float().numpy(), y.is_contiguous()] + grads


CASES = [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")]


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("nd, mode", CASES)
@pytest.mark.parametrize("case", ["many points", "layout", "input only", "grid only"])
def test_sizes_layouts_and_needs_match_pytorch(torch_ref, case, nd, mode, padding_mode):
    """Many points (their taps read in one sparse product each, not all at once), an input
    laid out channels last with a grid transposed in memory, and one input needing a gradient."""
    rng = np.random.default_rng(6)
    points = (2, 48, 40)[:nd] if case == "many points" else (3, 4, 2)[:nd]
    x = rng.standard_normal((2, 3) + (5, 6, 4)[:nd])
    g = rng.uniform(-1.3, 1.3, (2,) + points + (nd,))
    needs = {"input only": (True, False), "grid only": (False, True)}.get(case, (True, True))
    got = [
        _sampled(lib, x, g, mode, padding_mode, layout=case == "layout", needs=needs)
        for lib in (retrograd, torch_ref)
    ]
    for a, b in zip(*got):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
        else:
            assert a == b


@pytest.mark.parametrize("nd, mode", CASES)
def test_half_precision_and_empty_grids_match_pytorch(torch_ref, nd, mode):
    rng = np.random.default_rng(7)
    sizes = (5, 6, 4)[:nd]
    x = rng.standard_normal((2, 3) + sizes)
    # pixel positions 0.3 past an integer (or past -1): no float16 rounding moves a tap
    pixels = rng.integers(-1, sizes[::-1], (2,) + (3, 4, 2)[:nd] + (nd,)) + 0.3
    g = (2 * pixels + 1) / np.array(sizes[::-1]) - 1
    got = [_sampled(lib, x, g, mode, "border", "float16") for lib in (retrograd, torch_ref)]
    for a, b in zip(*got):  # (float16 roundings: a share of the largest value)
        np.testing.assert_allclose(a, b, rtol=2e-2, atol=5e-3 * max(1, np.abs(b).max()))
    empty = g[:, :0]
    got = [_sampled(lib, x, empty, mode, "zeros") for lib in (retrograd, torch_ref)]
    assert [np.shape(a) for a in got[0]] == [np.shape(b) for b in got[1]]
