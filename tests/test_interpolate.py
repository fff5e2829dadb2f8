"""``F.interpolate`` in every mode against PyTorch: sizes and scale factors up and down, with and
without ``align_corners``, ``antialias`` for bilinear and bicubic, ``recompute_scale_factor``;
values, node names and gradients in float64 and float32; gradcheck and gradgradcheck; the
``Upsample`` layers; the errors and the deprecated ``upsample*`` functions' warnings."""

import itertools
import warnings

import numpy as np
import pytest
from op_checks import error_tests

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

SPATIAL = (5, 7, 4)


def _cases():
    modes = [
        ("linear", 1),
        ("bilinear", 2),
        ("bicubic", 2),
        ("trilinear", 3),
        ("nearest-exact", 1),
        ("nearest-exact", 2),
        ("nearest-exact", 3),
        ("area", 1),
        ("area", 2),
        ("area", 3),
        ("nearest", 2),
    ]
    for mode, nd in modes:
        sizes = [
            {"size": (8, 3, 6)[:nd]},
            {"size": (2, 11, 4)[:nd]},
            {"scale_factor": 2.0},
            {"scale_factor": 0.7},
            {"scale_factor": (1.5, 0.5, 2.3)[:nd]},
            {"scale_factor": 0.7, "recompute_scale_factor": True},
        ]
        corners = [None] if mode in ("nearest-exact", "area", "nearest") else [False, True]
        for size, corner in itertools.product(sizes, corners):
            kw = dict(mode=mode, **size)
            if corner is not None:
                kw["align_corners"] = corner
            yield (2, 3) + SPATIAL[:nd], kw
            if mode in ("bilinear", "bicubic"):
                yield (2, 3) + SPATIAL[:nd], dict(kw, antialias=True)


CASES = list(_cases())


def _run(lib, x, kw, dtype):
    t = lib.tensor(x.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = lib.nn.functional.interpolate(t, **kw)
    w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
    (y * w).sum().backward()
    return y.detach().numpy(), t.grad.numpy(), y.grad_fn.name()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("i", range(len(CASES)))
def test_matches_pytorch(torch_ref, i, dtype):
    shape, kw = CASES[i]
    x = np.random.default_rng(i).standard_normal(shape)
    ours, theirs = _run(retrograd, x, kw, dtype), _run(torch_ref, x, kw, dtype)
    assert ours[2] == theirs[2]
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(ours[0], theirs[0], **tol)
    np.testing.assert_allclose(ours[1], theirs[1], **tol)


@pytest.mark.parametrize(
    "kw",
    [
        dict(size=(4, 3), mode="bilinear", align_corners=True),
        dict(size=(6, 2), mode="bicubic"),
        dict(size=(2, 2), mode="bicubic", antialias=True),
        dict(size=(5, 4), mode="nearest-exact"),
    ],
)
def test_gradcheck_and_gradgradcheck(kw):
    x = retrograd.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 5)), requires_grad=True)
    f = lambda x: retrograd.nn.functional.interpolate(x, **kw)  # noqa: E731
    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


@pytest.mark.parametrize(
    "layer,shape",
    [
        ("Upsample(scale_factor=2, mode='bilinear', align_corners=True)", (1, 2, 3, 3)),
        ("Upsample(size=(4, 5, 6), mode='trilinear')", (1, 1, 2, 3, 2)),
        ("UpsamplingBilinear2d(scale_factor=2)", (1, 2, 3, 4)),
        ("UpsamplingNearest2d(size=5)", (1, 2, 3, 4)),
        ("AdaptiveAvgPool3d((2, None, 3))", (2, 3, 4, 5, 6)),
        ("AdaptiveAvgPool3d(1)", (3, 4, 5, 6)),
    ],
)
def test_layers(torch_ref, layer, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    got = []
    for lib in (retrograd, torch_ref):
        m = eval("lib.nn." + layer, {"lib": lib})
        t = lib.tensor(x, requires_grad=True)
        y = m(t)
        y.sum().backward()
        got.append((repr(m), y.grad_fn.name(), y.detach().numpy(), t.grad.numpy()))
    assert got[0][:2] == got[1][:2]
    np.testing.assert_allclose(got[0][2], got[1][2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0][3], got[1][3], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["upsample", "upsample_nearest", "upsample_bilinear"])
def test_deprecated_names_warn_and_resample(torch_ref, name):
    got = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = getattr(lib.nn.functional, name)(
                lib.arange(6.0).reshape(1, 1, 2, 3), scale_factor=2
            )
        got.append(([str(w.message) for w in caught], y.numpy()))
    assert got[0][0] == got[1][0]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-6)


def _interp(t, shape, **kw):
    return t.nn.functional.interpolate(t.ones(shape), **kw)


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: _interp(t, (1, 2, 5, 6), size=(7, 3), mode="linear"),
            NotImplementedError,
            "Got 4D input, but linear mode needs 3D input",
        ),
        (
            lambda t: _interp(t, (1, 2, 5), size=7, mode="bilinear"),
            NotImplementedError,
            "Got 3D input, but bilinear mode needs 4D input",
        ),
        (
            lambda t: _interp(t, (1, 2, 5), size=7, mode="foo"),
            NotImplementedError,
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got 3D) for the modes: "
            "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
            "(got foo)",
        ),
        (
            lambda t: _interp(t, (2, 3), size=3, mode="linear"),
            NotImplementedError,
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: "
            "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
            "(got linear)",
        ),
        (
            lambda t: _interp(t, (1, 2, 3, 3, 3), size=(3, 3, 3), mode="bilinear", antialias=True),
            ValueError,
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
            "a 4-D tensor as input",
        ),
        (
            lambda t: _interp(t, (1, 2, 5, 6), size=(3, 3), mode="area", align_corners=True),
            ValueError,
            "align_corners option can only be set with the interpolating modes: linear | "
            "bilinear | bicubic | trilinear",
        ),
        (
            lambda t: _interp(t, (1, 2, 5, 6), size=(3,), mode="bilinear"),
            ValueError,
            "Input and output must have the same number of spatial dimensions, but got input "
            "with spatial dimensions of [5, 6] and output size of (3,). Please provide input "
            "tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
        ),
        (
            lambda t: _interp(t, (1, 2, 5, 6), scale_factor=(2,), mode="bilinear"),
            ValueError,
            "Input and scale_factor must have the same number of spatial dimensions, but got "
            "input with spatial dimensions of [5, 6] and scale_factor of shape (2,). Please "
            "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, "
            "...,sK) format.",
        ),
        (
            lambda t: _interp(t, (1, 2, 5), size=3, scale_factor=2.0),
            ValueError,
            "only one of size or scale_factor should be defined",
        ),
        (
            lambda t: _interp(t, (1, 2, 5), size=3, recompute_scale_factor=True),
            ValueError,
            "recompute_scale_factor is not meaningful with an explicit size.",
        ),
    ]
)


_IMAGE_CASES = [
    ((3, 7, 9), {"size": (4, 5)}),
    ((3, 7, 9), {"size": (13, 17)}),
    ((4, 30, 21), {"size": (5, 40)}),
    ((3, 12, 16), {"scale_factor": (0.3, 1.7)}),
    ((1, 9, 9), {"size": (9, 4)}),
    ((3, 25, 2), {"size": (3, 1)}),
]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("i", range(len(_IMAGE_CASES)))
def test_uint8_images_match_pytorch_exactly(torch_ref, mode, antialias, align_corners, i):
    """An 8-bit image resizes in fixed point as PyTorch's: every pixel the same."""
    shape, kw = _IMAGE_CASES[i]
    image = np.random.default_rng(i).integers(0, 256, (2, *shape)).astype(np.uint8)
    got = []
    for lib in (retrograd, torch_ref):
        y = lib.nn.functional.interpolate(
            lib.from_numpy(image.copy()),
            mode=mode,
            antialias=antialias,
            align_corners=align_corners,
            **kw,
        )
        got.append((str(y.dtype), y.numpy()))
    assert got[0][0] == got[1][0]
    np.testing.assert_array_equal(got[0][1], got[1][1])


def test_uint8_nearest_exact_matches_pytorch(torch_ref):
    image = np.random.default_rng(5).integers(0, 256, (1, 2, 5, 7)).astype(np.uint8)
    got = [
        lib.nn.functional.interpolate(
            lib.from_numpy(image.copy()), size=(3, 11), mode="nearest-exact"
        ).numpy()
        for lib in (retrograd, torch_ref)
    ]
    np.testing.assert_array_equal(got[0], got[1])


def _ints(t, dtype, k, mode, antialias=False):
    x = t.ones((1, 2) + (4,) * k, dtype=getattr(t, dtype))
    return t.nn.functional.interpolate(x, size=(3,) * k, mode=mode, antialias=antialias)


(
    test_dtype_refusals_type_and_text,
    test_dtype_refusals_texts_are_pytorchs,
) = error_tests(
    [
        (
            lambda t, dtype=dtype, k=k, mode=mode, aa=aa: _ints(t, dtype, k, mode, aa),
            NotImplementedError,
            f"\"{kernel}\" not implemented for '{name}'",
        )
        for dtype, name in (
            ("uint8", "Byte"),
            ("int64", "Long"),
            ("bool", "Bool"),
            ("complex64", "ComplexFloat"),
        )
        for k, mode, aa, kernel in (
            (1, "linear", False, "compute_indices_weights_linear"),
            (3, "trilinear", False, "compute_indices_weights_linear"),
            (2, "bilinear", False, "upsample_bilinear2d_channels_last"),
            (2, "bicubic", False, "compute_indices_weights_cubic"),
            (2, "bicubic", True, "compute_index_ranges_weights"),
            (1, "nearest-exact", False, "compute_indices_weights_nearest"),
            (2, "nearest-exact", False, "upsample_nearest2d_channels_last"),
            (3, "area", False, "adaptive_avg_pool3d_cpu"),
        )
        if dtype != "uint8" or mode in ("linear", "trilinear", "area")
    ]
    + [
        (
            lambda t, dtype=dtype, mode=mode: _ints(t, dtype, 2, mode, True),
            NotImplementedError,
            f"\"compute_index_ranges_weights\" not implemented for '{name}'",
        )
        for dtype, name in (("float16", "Half"), ("bfloat16", "BFloat16"))
        for mode in ("bilinear", "bicubic")
    ]
    + [
        (
            lambda t, dtype=dtype, pool=pool, k=k: getattr(t.nn.functional, pool)(
                t.ones((1, 2) + (4,) * k, dtype=getattr(t, dtype)), 3
            ),
            NotImplementedError,
            f"\"{kernel}\" not implemented for '{name}'",
        )
        for dtype, name in (("int32", "Int"), ("bool", "Bool"), ("complex64", "ComplexFloat"))
        for pool, k, kernel in (
            ("adaptive_avg_pool1d", 1, "adaptive_avg_pool2d"),
            ("adaptive_avg_pool2d", 2, "adaptive_avg_pool2d"),
            ("adaptive_max_pool1d", 1, "adaptive_max_pool2d"),
            ("adaptive_max_pool2d", 2, "adaptive_max_pool2d"),
        )
    ]
)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["int32", "bool", "complex64", "uint8"])
def test_nearest_takes_uint8_and_refuses_other_integers_as_pytorch(torch_ref, k, dtype):
    got = []
    for lib in (retrograd, torch_ref):
        x = (lib.arange(2 * 3**k) % 5).reshape((1, 2) + (3,) * k).to(getattr(lib, dtype))
        try:
            y = lib.nn.functional.interpolate(x, size=(5,) * k)
            got.append((str(y.dtype), y.tolist()))
        except NotImplementedError as e:
            got.append(str(e))
    assert got[0] == got[1]
