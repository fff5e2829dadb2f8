"""The edges PyTorch's own per-op samples probe: 0-dim inputs to the indexing ops, nan signs,
rounded division by a tensor, broadcasting in cosine_similarity, every padding mode, and the
memory_format argument of the casts; each program run on both libraries."""

import numpy as np
import pytest
from op_checks import error_tests

import retrograd


def _f(lib):
    return lib.nn.functional


ZERO_DIM = [
    ("index_select", lambda t, x: t.index_select(x, 0, t.tensor([0]))),
    ("index_select_0d_index", lambda t, x: t.index_select(x, 0, t.tensor(0))),
    ("gather", lambda t, x: t.gather(x, 0, t.tensor(0))),
    ("gather_1d_index", lambda t, x: t.gather(x, 0, t.tensor([0]))),
    ("scatter", lambda t, x: t.scatter(x, 0, t.tensor(0), x * 3)),
    ("scatter_value", lambda t, x: t.scatter(x, 0, t.tensor(0), 2.0)),
    ("scatter_add", lambda t, x: t.scatter_add(x, 0, t.tensor(0), x * 3)),
    ("prelu", lambda t, x: _f(t).prelu(x - 3, t.tensor([0.25], dtype=t.float64))),
]


@pytest.mark.parametrize("name, fn", ZERO_DIM, ids=[c[0] for c in ZERO_DIM])
def test_zero_dim_inputs_match_pytorch(torch_ref, name, fn):
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        out = fn(lib, x)
        (g,) = lib.autograd.grad(out.sum(), [x])
        got.append((str(out.detach()), out.grad_fn.name(), str(g)))
    assert got[0] == got[1]


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.tensor([float("nan"), -1.0, 0.0, 2.0]).sign(),
        lambda t: t.div(5, t.tensor([2.0, -3.0]), rounding_mode="trunc"),
        lambda t: t.div(7, t.tensor([2, -3]), rounding_mode="floor"),
        lambda t: t.div(t.tensor([5, -7]), 2.5, rounding_mode="trunc"),
        lambda t: t.div(t.tensor([5, -7]), 2, rounding_mode="trunc"),
        lambda t: _f(t).cosine_similarity(
            t.tensor(np.arange(6.0).reshape(1, 2, 3)),
            t.tensor(np.arange(6.0).reshape(2, 1, 3) + 1),
            dim=-2,
        ),
        lambda t: t.ones(2, 3).float(memory_format=t.preserve_format).stride(),
        lambda t: t.ones(2, 3).double(memory_format=t.contiguous_format).dtype,
    ],
)
def test_values_at_the_edges_match_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


_SHAPES = {1: (2, 3, 6), 2: (1, 2, 4, 6), 3: (1, 1, 3, 4, 5)}
_PADS = {
    1: [(2, 1), (0, 3), (-1, 2)],
    2: [(2, 1, 1, 0), (1, 1, 3, 2), (-1, 2, 0, -1)],
    3: [(1, 1, 1, 0, 1, 1), (2, 0, 0, 1, 2, 2)],
}
PADDINGS = [
    (mode, k, pad, batched)
    for mode in ("reflect", "replicate", "circular")
    for k in (1, 2, 3)
    for pad in _PADS[k]
    for batched in (True, False)
]


@pytest.mark.parametrize("mode, k, pad, batched", PADDINGS)
def test_padding_modes_match_pytorch(torch_ref, mode, k, pad, batched):
    """Values, node name (ReflectionPad2DBackward0, CopySlices for circular ...) and gradients."""
    shape = _SHAPES[k] if batched else _SHAPES[k][1:]
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape) * 0.37)
        x.requires_grad_()
        out = _f(lib).pad(x, pad, mode=mode)
        w = lib.tensor(np.sin(np.arange(out.numel())).reshape(tuple(out.shape)))
        (g,) = lib.autograd.grad((out * w).sum(), [x])
        got.append((out.detach().numpy(), out.grad_fn.name(), g.numpy()))
    (v, node, g), (tv, tnode, tg) = got
    assert node == tnode
    np.testing.assert_array_equal(v, tv)
    np.testing.assert_allclose(g, tg, atol=1e-12)


@pytest.mark.parametrize(
    "shape, pad", [((0, 3, 3), (1, 2)), ((0, 3, 3), (0, 1)), ((0, 3, 3, 3), (0, 2, 0, 1))]
)
def test_circular_padding_of_an_empty_batch(torch_ref, shape, pad):
    """An empty batch pads circularly as PyTorch's does (its copies write nothing): the shape,
    the strides of a fresh tensor and the node."""
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.zeros(shape, dtype=lib.float64, requires_grad=True)
        out = _f(lib).pad(x, pad, mode="circular")
        got.append((tuple(out.shape), out.stride(), out.grad_fn.name()))
    assert got[0] == got[1]


@pytest.mark.parametrize("shape", [(0, 3, 6), (2, 0, 3), (3, 0), (0,), (0, 3, 1)])
def test_strides_of_an_empty_tensor(torch_ref, shape):
    """A fresh empty tensor has PyTorch's row-major strides (a dimension of size 0 counted as
    1), though NumPy gives an empty array none."""
    assert retrograd.empty(shape).stride() == torch_ref.empty(shape).stride()
    assert retrograd.zeros(shape).contiguous().stride() == torch_ref.zeros(shape).stride()


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_second_derivatives(mode):
    x = retrograd.tensor(np.random.default_rng(0).random((1, 2, 4, 5)), requires_grad=True)
    assert retrograd.autograd.gradgradcheck(
        lambda t: retrograd.nn.functional.pad(t, (2, 1, 1, 2), mode=mode), [x]
    )


(test_edge_error_type_and_text, test_edge_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: _f(t).pad(t.ones(1, 2, 6), (6, 0), mode="reflect"),
            RuntimeError,
            "Argument #4: Padding size should be less than the corresponding input dimension, "
            "but got: padding (6, 0) at dimension 2 of input [1, 2, 6]",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 1, 4, 6), (1, 1, 4, 0), mode="reflect"),
            RuntimeError,
            "Argument #6: Padding size should be less than the corresponding input dimension, "
            "but got: padding (4, 0) at dimension 2 of input [1, 1, 4, 6]",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 1, 6), (-7, 1), mode="replicate"),
            RuntimeError,
            "input (W: 6) is too small. Calculated output W: 0",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 0, 6), (1, 1), mode="reflect"),
            RuntimeError,
            "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero "
            "dimensions for input, but got: [1, 0, 6]",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 2, 6), (7, 0), mode="circular"),
            RuntimeError,
            "Padding value causes wrapping around more than once.",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 2, 6), (2, 1), mode="foo"),
            NotImplementedError,
            "Unrecognised padding mode foo",
        ),
        (
            lambda t: _f(t).pad(t.ones(1, 2, 6), (2, 1), mode="reflect", value=1.0),
            RuntimeError,
            'Padding mode "reflect" doesn\'t take in value argument',
        ),
        (
            lambda t: _f(t).pad(t.ones(6), (2, 1), mode="reflect"),
            NotImplementedError,
            "Padding size 2 is not supported for 1D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
        ),
        (
            lambda t: _f(t).prelu(t.tensor(-1.0, dtype=t.float64), t.tensor([0.25])),
            RuntimeError,
            "prelu: Type promoting not supported. Got Double and Float",
        ),
    ]
)


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.histc(t.tensor([1.0, 2.0, 1.0, 4.0], requires_grad=True), bins=4, min=0, max=3),
        lambda t: t.histc(t.tensor([1.0, 2.0, 3.0]), bins=2, min=1, max=1),
        lambda t: t.histc(t.tensor([5.0, 5.0]), bins=2),
        lambda t: t.tensor([1.0, 2.0], dtype=t.float64).histc(bins=2).dtype,
        lambda t: t.gcd(t.tensor([4, 6, -9, 0]), t.tensor([6, 4, 6, 0])),
        lambda t: t.lcm(t.tensor([4, 6, -9, 0]), t.tensor([6, 4, 6, 5])),
        lambda t: t.gcd(t.tensor([4, 6]), t.tensor(3)),
        lambda t: t.gcd(t.tensor([4], dtype=t.int32), t.tensor([6])).dtype,
        lambda t: t.tensor([4, 6]).gcd_(t.tensor([6, 4])),
        lambda t: t.frexp(t.tensor([8.0, 0.3, -5.0, 0.0])),
    ],
)
def test_histograms_divisors_and_exponents_match_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


def test_frexp_mantissa_gradient_matches_pytorch(torch_ref):
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([8.0, 0.3, -5.0, 0.0], requires_grad=True)
        lib.frexp(x).mantissa.sum().backward()
        got.append(x.grad.tolist())
    assert got[0] == got[1]


(test_divisor_error_type_and_text, test_divisor_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.gcd(t.tensor([1.0]), t.tensor([2.0])),
            NotImplementedError,
            "\"gcd_cpu\" not implemented for 'Float'",
        ),
        (
            lambda t: t.frexp(t.tensor([1, 2])),
            RuntimeError,
            "torch.frexp() only supports floating-point dtypes",
        ),
        (
            lambda t: t.histc(t.tensor([1.0]), bins=-1),
            RuntimeError,
            "torch.histogram(): bins must be > 0, but got -1 for dimension 0",
        ),
        (
            lambda t: t.histc(t.tensor([1.0]), min=2, max=1),
            RuntimeError,
            "torch.histc: max must be larger than min",
        ),
        (
            lambda t: t.histc(t.tensor([1, 2])),
            NotImplementedError,
            "\"histogram_cpu\" not implemented for 'Long'",
        ),
    ]
)


def _empty_norm_program(t, shape, kind):
    """A normalisation of a tensor with no elements: its output, node, statistics (running ones
    untouched) and gradients, as printed."""
    x = t.zeros(shape, dtype=t.float64, requires_grad=True)
    c = shape[1] if len(shape) > 1 else 0
    if kind == "layer":
        w = t.ones(shape[-1], dtype=t.float64, requires_grad=True)
        out, mean, rstd = t.native_layer_norm(x, shape[-1:], w, w, 1e-5)
        stats = (mean, rstd)
    else:
        w = t.ones(max(c, 1), dtype=t.float64, requires_grad=True)
        running = t.zeros(c, dtype=t.float64), t.ones(c, dtype=t.float64)
        out = _f(t).batch_norm(x, *running, w, w, training=kind == "train")
        stats = running
    grads = t.autograd.grad(out.sum(), [x, w], allow_unused=True)
    return str((out, out.grad_fn.name(), stats, grads))


@pytest.mark.parametrize(
    "shape, kind",
    [
        ((0, 1), "layer"),
        ((2, 0), "layer"),
        ((0, 3, 2), "layer"),
        ((0,), "train"),
        ((0,), "eval"),
        ((0, 3), "train"),
        ((0, 2, 3), "eval"),
    ],
)
def test_normalisations_of_no_elements(torch_ref, shape, kind):
    assert _empty_norm_program(retrograd, shape, kind) == _empty_norm_program(
        torch_ref, shape, kind
    )


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.linalg.vander(t.tensor(1.5, dtype=t.float64, requires_grad=True), N=3),
        lambda t: t.masked.mean(t.tensor(2.5, requires_grad=True), 0, keepdim=True),
        lambda t: t.masked.mean(t.tensor(2.5, requires_grad=True), -1),
        lambda t: t.gradient(t.tensor([1.0, 4.0, 9.0, 16.0]), spacing=None, edge_order=2),
        lambda t: t.arange(5.0).masked_scatter(t.ones(3, dtype=t.bool), t.arange(25.0)),
        lambda t: t.arange(5.0).masked_scatter_(t.ones(3, dtype=t.bool), t.arange(25.0)),
        lambda t: t.arange(5.0).masked_scatter_(t.ones(2, 1, dtype=t.bool), t.arange(25.0)),
        # an empty index of another number of dims: nothing read or written
        lambda t: t.gather(t.arange(6.0).reshape(2, 3), 0, t.zeros(2, 0, 4, dtype=t.long)),
        lambda t: t.ones(2, 3).scatter(0, t.zeros(0, dtype=t.long), 1.0),
        lambda t: t.ones(2, 3).scatter_add(1, t.zeros(3, 0, 2, dtype=t.long), t.zeros(3, 0, 2)),
    ],
)
def test_samples_pytorch_probes(torch_ref, program):
    def run(t):
        try:
            return str(program(t))
        except RuntimeError as e:
            return f"RuntimeError: {e}"

    assert run(retrograd) == run(torch_ref)
