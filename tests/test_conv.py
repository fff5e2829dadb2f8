"""Convolutions (ops/conv.py): values and gradients against PyTorch, finite differences in float64,
double backward, and PyTorch's errors for bad shapes."""

import numpy as np
import pytest
from conftest import rand64
from error_texts import assert_raises_text

import retrograd
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck


def _both(torch, *arrays):
    """Each float32 array as a retrograd leaf and a torch leaf (None stays None)."""
    ours = [None if a is None else retrograd.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _compare(torch, fn_ours, fn_theirs, arrays, atol=1e-4):
    ours, theirs = _both(torch, *arrays)
    out, ref = fn_ours(*ours), fn_theirs(*theirs)
    assert out.shape == tuple(ref.shape)
    assert out.dtype == retrograd.float32
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=atol)
    seed = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(np.float32)
    out.backward(retrograd.tensor(seed))
    ref.backward(torch.tensor(seed))
    for a, b in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=atol)


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [None if s is None else rng.standard_normal(s).astype(np.float32) for s in shapes]


CONV2D = [
    # (input shape, weight shape, bias?, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ((2, 3, 7, 6), (4, 3, 3, 2), False, {"stride": 2}),
    ((1, 2, 9, 8), (3, 2, 3, 3), True, {"stride": (2, 3), "padding": (1, 2)}),
    ((2, 2, 9, 9), (2, 2, 3, 3), True, {"dilation": 2, "padding": 2}),
    ((2, 2, 10, 7), (2, 2, 2, 3), True, {"dilation": (2, 1), "stride": (3, 2), "padding": 1}),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((2, 4, 6, 5), (4, 1, 3, 3), True, {"groups": 4, "stride": 2}),  # depthwise
    ((1, 3, 5, 5), (2, 3, 1, 1), True, {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"padding": "same"}),
    # even kernel: one more on the right (PyTorch warns that it copies the input to pad it)
    pytest.param(
        (2, 3, 7, 6),
        (4, 3, 4, 2),
        True,
        {"padding": "same"},
        marks=pytest.mark.filterwarnings("ignore:Using padding='same'"),
    ),
    ((2, 3, 7, 6), (4, 3, 4, 3), True, {"padding": "same", "dilation": (1, 2)}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"padding": "valid"}),
    ((3, 5, 5), (4, 3, 3, 3), True, {"padding": 1}),  # unbatched
]


@pytest.mark.parametrize("xs, ws, bias, kw", CONV2D)
def test_conv2d_matches_torch(torch_ref, xs, ws, bias, kw):
    x, w, b = _arrays(xs, ws, (ws[0],) if bias else None)
    _compare(
        torch_ref,
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        lambda x, w, b: torch_ref.nn.functional.conv2d(x, w, b, **kw),
        [x, w, b],
    )


CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 3, 9), (4, 3, 2), {"stride": 2, "padding": 1, "dilation": 2}),
    ((2, 4, 8), (6, 2, 3), {"groups": 2, "padding": "same"}),
    ((2, 4, 8), (6, 4, 4), {"padding": "same"}),
    ((4, 8), (6, 4, 3), {}),  # unbatched
]


@pytest.mark.parametrize("xs, ws, kw", CONV1D)
def test_conv1d_matches_torch(torch_ref, xs, ws, kw):
    x, w, b = _arrays(xs, ws, (ws[0],))
    _compare(
        torch_ref,
        lambda x, w, b: F.conv1d(x, w, b, **kw),
        lambda x, w, b: torch_ref.nn.functional.conv1d(x, w, b, **kw),
        [x, w, b],
    )


CONV_T2D = [
    ((2, 3, 4, 5), (3, 4, 3, 3), {}),
    ((2, 3, 4, 5), (3, 2, 3, 2), {"stride": 2}),
    ((2, 3, 4, 5), (3, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 2, 5, 4), (2, 3, 3, 2), {"stride": (3, 2), "padding": (2, 0), "output_padding": (2, 1)}),
    ((2, 4, 3, 4), (4, 3, 3, 3), {"groups": 2, "stride": 2, "dilation": 2, "output_padding": 1}),
    ((2, 2, 4, 4), (2, 1, 2, 2), {"dilation": (1, 3), "padding": 1}),
    ((3, 4, 5), (3, 4, 3, 3), {"stride": 2}),  # unbatched
]


@pytest.mark.parametrize("xs, ws, kw", CONV_T2D)
def test_conv_transpose2d_matches_torch(torch_ref, xs, ws, kw):
    groups = kw.get("groups", 1)
    x, w, b = _arrays(xs, ws, (ws[1] * groups,))
    _compare(
        torch_ref,
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: torch_ref.nn.functional.conv_transpose2d(x, w, b, **kw),
        [x, w, b],
    )


def test_conv_transpose1d_matches_torch(torch_ref):
    x, w, b = _arrays((2, 3, 6), (3, 2, 3), (2,))
    kw = {"stride": 2, "padding": 1, "output_padding": 1}
    _compare(
        torch_ref,
        lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
        lambda x, w, b: torch_ref.nn.functional.conv_transpose1d(x, w, b, **kw),
        [x, w, b],
    )


CONV3D = [
    ((2, 3, 5, 6, 4), (4, 3, 3, 3, 2), {}, False),
    ((1, 4, 6, 5, 5), (4, 2, 2, 3, 3), {"stride": (2, 1, 2), "padding": 1, "groups": 2}, False),
    ((2, 2, 5, 5, 6), (3, 2, 2, 2, 3), {"dilation": (2, 1, 2), "padding": (1, 0, 2)}, False),
    ((2, 2, 4, 4, 3), (3, 2, 3, 3, 3), {"padding": "same"}, False),
    ((2, 3, 3, 4, 2), (3, 2, 3, 2, 2), {"stride": 2, "padding": 1, "output_padding": 1}, True),
    ((1, 4, 3, 3, 4), (4, 1, 2, 3, 2), {"groups": 2, "dilation": (1, 2, 3), "stride": 2}, True),
]


@pytest.mark.parametrize("xs, ws, kw, transposed", CONV3D)
def test_conv3d_and_its_transpose_match_torch(torch_ref, xs, ws, kw, transposed):
    name = "conv_transpose3d" if transposed else "conv3d"
    out_channels = ws[1] * kw.get("groups", 1) if transposed else ws[0]
    x, w, b = _arrays(xs, ws, (out_channels,))
    _compare(
        torch_ref,
        lambda x, w, b: getattr(F, name)(x, w, b, **kw),
        lambda x, w, b: getattr(torch_ref.nn.functional, name)(x, w, b, **kw),
        [x, w, b],
    )


def test_conv_node_names_and_exact_small_case():
    x = retrograd.tensor(
        [[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]], requires_grad=True
    )
    w = retrograd.tensor([[[[1.0, 0.0], [0.0, -1.0]]]], requires_grad=True)
    y = F.conv2d(x, w)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    assert y.tolist() == [[[[-4.0, -4.0], [-4.0, -4.0]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]]]
    assert w.grad.tolist() == [[[[12.0, 16.0], [24.0, 28.0]]]]
    assert F.conv2d(x.squeeze(0), w).grad_fn.name().startswith("SqueezeBackward")


GRADCHECK = [
    (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (1, 2, 5, 4), (2, 2, 3, 2), 2),
    (lambda x, w, b: F.conv2d(x, w, b, dilation=(2, 1), groups=2), (2, 2, 5, 4), (4, 1, 2, 2), 4),
    (lambda x, w, b: F.conv2d(x, w, b, padding="same"), (1, 2, 4, 3), (2, 2, 2, 3), 2),
    (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), (2, 2, 5), (3, 2, 3), 3),
    (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        (1, 2, 3, 2),
        (2, 2, 3, 3),
        2,
    ),
    (
        lambda x, w, b: F.conv_transpose2d(x, w, b, groups=2, dilation=2),
        (1, 4, 2, 3),
        (4, 1, 2, 2),
        2,
    ),
]


GRADCHECK += [
    (
        lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1),
        (1, 2, 3, 4, 3),
        (2, 2, 2, 3, 2),
        2,
    ),
    (
        lambda x, w, b: F.conv_transpose3d(x, w, b, stride=2, output_padding=(1, 0, 1), groups=2),
        (1, 2, 2, 3, 2),
        (2, 1, 2, 2, 2),
        2,
    ),
    (
        lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=2, dilation=2),
        (2, 2, 4),
        (2, 3, 3),
        3,
    ),
]


@pytest.mark.parametrize("fn, xs, ws, nb", GRADCHECK)
def test_conv_gradcheck_and_gradgradcheck(fn, xs, ws, nb):
    x, w, b = rand64(*xs, seed=1), rand64(*ws, seed=2), rand64(nb, seed=3)
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_double_backward_matches_torch(torch_ref):
    """A gradient penalty: the input gradient's norm differentiated again, as WGAN-GP does."""
    x, w = _arrays((2, 2, 6, 5), (3, 2, 3, 3))
    results = []
    for lib in (retrograd, torch_ref):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = (lib.nn.functional.conv2d(xt, wt, stride=2, padding=1) ** 2).sum()
        (gx,) = lib.autograd.grad(out, xt, create_graph=True)
        (gx * gx).sum().backward()
        results.append((wt.grad.detach().numpy(), xt.grad.detach().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


def test_conv_float64_stays_float64():
    y = F.conv2d(rand64(1, 1, 4, 4), rand64(1, 1, 3, 3))
    assert y.dtype == retrograd.float64


ERRORS = [
    (
        lambda: F.conv2d(retrograd.randn(2, 3, 8, 8), retrograd.randn(4, 2, 3, 3)),
        "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 8, 8] to have 2 channels, "
        "but got 3 channels instead",
    ),
    (
        lambda: F.conv2d(retrograd.randn(8, 8), retrograd.randn(4, 3, 3, 3)),
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]",
    ),
    (
        lambda: F.conv1d(retrograd.randn(3, 8, 8, 8), retrograd.randn(4, 3, 3)),
        "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
        "[3, 8, 8, 8]",
    ),
    (
        lambda: F.conv2d(retrograd.randn(1, 3, 2, 2), retrograd.randn(4, 3, 3, 3)),
        "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't "
        "be greater than actual input size",
    ),
    (
        lambda: F.conv2d(retrograd.randn(2, 3, 8, 8), retrograd.randn(4, 3, 3)),
        "expected stride to be a single integer value or a list of 1 values to match the convolution "
        "dimensions, but got stride=[1, 1]",
    ),
    (
        lambda: F.conv2d(retrograd.randn(2, 3, 8, 8), retrograd.randn(4, 1, 3, 3), groups=2),
        "Given groups=2, weight of size [4, 1, 3, 3], expected input[2, 3, 8, 8] to have 2 channels, "
        "but got 3 channels instead",
    ),
    (
        lambda: F.conv2d(
            retrograd.randn(2, 3, 8, 8), retrograd.randn(3, 1, 3, 3), retrograd.randn(4), groups=3
        ),
        "Given weight of size [3, 1, 3, 3], expected bias to be 1-dimensional with 3 elements, but "
        "got bias of size [4] instead",
    ),
    (
        lambda: F.conv2d(retrograd.randn(1, 3, 8, 8), retrograd.randn(4, 3, 3, 3), stride=0),
        "non-positive stride is not supported",
    ),
    (
        lambda: F.conv2d(retrograd.randn(1, 3, 8, 8), retrograd.randn(4, 3, 3, 3), padding=-1),
        "negative padding is not supported",
    ),
    (
        lambda: F.conv2d(
            retrograd.randn(1, 3, 8, 8), retrograd.randn(4, 3, 3, 3), padding="same", stride=2
        ),
        "padding='same' is not supported for strided convolutions",
    ),
    (
        lambda: F.conv2d(retrograd.randn(1, 3, 8, 8), retrograd.randn(4, 3, 3, 3), padding="foo"),
        "Invalid padding string: 'foo'",
    ),
    (
        lambda: F.conv_transpose2d(retrograd.randn(2, 3, 8, 8), retrograd.randn(4, 4, 3, 3)),
        "Given transposed=1, weight of size [4, 4, 3, 3], expected input[2, 3, 8, 8] to have 4 "
        "channels, but got 3 channels instead",
    ),
    (
        lambda: F.conv_transpose2d(
            retrograd.randn(2, 3, 8, 8), retrograd.randn(3, 4, 3, 3), stride=2, output_padding=2
        ),
        "output padding must be smaller than either stride or dilation, but got "
        "output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 "
        "dilation_height: 1 dilation_width: 1",
    ),
    (
        lambda: F.conv2d(
            retrograd.randn(1, 3, 8, 8, dtype=retrograd.float64), retrograd.randn(4, 3, 3, 3)
        ),
        "expected scalar type Double but found Float",
    ),
    (
        lambda: F.conv2d(
            retrograd.randn(1, 3, 8, 8),
            retrograd.randn(4, 3, 3, 3),
            retrograd.randn(4, dtype=retrograd.float64),
        ),
        "Input type (float) and bias type (double) should be the same",
    ),
]


@pytest.mark.parametrize("fn, message", ERRORS)
def test_conv_errors_are_pytorchs(fn, message):
    assert_raises_text(fn, message)


@pytest.mark.parametrize("fn, message", ERRORS)
def test_conv_error_texts_are_pytorchs_own(torch_ref, fn, message):
    assert_raises_text(fn, message, retrograd=torch_ref, F=torch_ref.nn.functional)


# --- modules ----------------------------------------------------------------------------------

MODULES = [
    ("Conv2d", (1, 8, 3), {"padding": 1}, (2, 1, 8, 8)),
    (
        "Conv2d",
        (4, 6, (3, 2)),
        {"stride": 2, "dilation": (1, 2), "groups": 2, "bias": False},
        (2, 4, 9, 9),
    ),
    ("Conv2d", (2, 4, 4), {"padding": "same", "groups": 2}, (1, 2, 7, 7)),
    ("Conv2d", (2, 4, 3), {"padding": "valid"}, (1, 2, 7, 7)),
    ("Conv1d", (2, 8, 3), {}, (2, 2, 10)),
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": 2, "dilation": 2}, (2, 2, 10)),
    ("ConvTranspose2d", (2, 8, 3), {"stride": 2, "output_padding": 1}, (2, 2, 4, 4)),
    ("Conv3d", (2, 4, 3), {"padding": 1, "stride": (1, 2, 1)}, (2, 2, 5, 6, 4)),
    ("ConvTranspose1d", (2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 2, 5)),
    ("ConvTranspose3d", (4, 2, 2), {"stride": 2, "groups": 2}, (1, 4, 2, 3, 2)),
    (
        "ConvTranspose2d",
        (4, 2, 3),
        {"stride": 2, "padding": 1, "groups": 2, "dilation": 2},
        (1, 4, 3, 5),
    ),
]


def _pair_modules(torch, name, args, kw):
    ours = getattr(retrograd.nn, name)(*args, **kw)
    theirs = getattr(torch.nn, name)(*args, **kw)
    with torch.no_grad():  # the same weights in both
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
        if ours.bias is not None:
            theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
    return ours, theirs


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name, args, kw, shape", MODULES)
def test_conv_modules_match_torch(torch_ref, name, args, kw, shape):
    ours, theirs = _pair_modules(torch_ref, name, args, kw)
    assert ours.extra_repr() == theirs.extra_repr()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]
    (x,) = _arrays(shape)
    out, ref = ours(retrograd.tensor(x)), theirs(torch_ref.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv_transpose_output_size_matches_torch(torch_ref):
    ours, theirs = _pair_modules(torch_ref, "ConvTranspose2d", (2, 3, 3), {"stride": 2})
    (x,) = _arrays((1, 2, 4, 4))
    out = ours(retrograd.tensor(x), output_size=[10, 9])
    ref = theirs(torch_ref.tensor(x), output_size=[10, 9])
    assert out.shape == (1, 3, 10, 9)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError) as ours_err:
        ours(retrograd.tensor(x), output_size=[12, 9])
    with pytest.raises(ValueError) as theirs_err:
        theirs(torch_ref.tensor(x), output_size=[12, 9])
    assert str(ours_err.value) == str(theirs_err.value)


def test_conv_init_is_pytorchs_distribution():
    """kaiming_uniform_(a=sqrt(5)): weight and bias in U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    retrograd.manual_seed(0)
    m = retrograd.nn.Conv2d(8, 64, 3, groups=2)
    bound = 1 / np.sqrt(4 * 9)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (64, 4, 3, 3)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound  # the std of a uniform
    assert np.abs(b).max() <= bound and b.std() > 0.3 * bound
    t = retrograd.nn.ConvTranspose2d(4, 6, 2, groups=2)
    assert t.weight.shape == (4, 3, 2, 2)
    assert np.abs(t.weight.detach().numpy()).max() <= 1 / np.sqrt(3 * 4)
    assert isinstance(m.weight, retrograd.nn.Parameter) and m.weight.requires_grad


CTOR_ERRORS = [
    (lambda nn: nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda nn: nn.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
    (lambda nn: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
    (
        lambda nn: nn.Conv2d(4, 4, 3, stride=2, padding="same"),
        "padding='same' is not supported for strided convolutions",
    ),
    (lambda nn: nn.Conv2d(4, 4, 3, padding="full"), None),
    (lambda nn: nn.Conv2d(4, 4, 3, padding_mode="mirror"), None),
]


@pytest.mark.parametrize("make, message", CTOR_ERRORS)
def test_conv_module_errors_match_torch(torch_ref, make, message):
    with pytest.raises(ValueError) as theirs:
        make(torch_ref.nn)
    with pytest.raises(ValueError) as ours:
        make(retrograd.nn)
    assert _unordered(str(ours.value)) == _unordered(str(theirs.value))
    if message is not None:
        assert str(ours.value) == message


def _unordered(text):
    """A message with the set it prints read as a set: a set's print order varies by process."""
    if "{" not in text:
        return text
    head, rest = text.split("{", 1)
    inside, tail = rest.split("}", 1)
    return head, frozenset(inside.split(", ")), tail


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name, args, kw, shape", MODULES)
def test_conv_module_repr_is_pytorchs(torch_ref, name, args, kw, shape):
    ours, theirs = _pair_modules(torch_ref, name, args, kw)
    assert repr(ours) == repr(theirs)


def _channels_last(a):
    """The same values, laid out channels-last in memory (as conv outputs are here)."""
    return np.ascontiguousarray(np.moveaxis(a, 1, -1)).transpose(0, 3, 1, 2)


CHUNKED = [
    # (function name, input shape, weight shape, kwargs)
    ("conv2d", (5, 3, 7, 6), (4, 3, 3, 3), {"padding": 1}),
    ("conv2d", (5, 4, 7, 6), (6, 2, 3, 2), {"groups": 2, "stride": 2, "dilation": (1, 2)}),
    ("conv_transpose2d", (5, 4, 5, 4), (4, 3, 3, 3), {"stride": 2, "output_padding": 1}),
    ("conv_transpose2d", (5, 4, 5, 4), (4, 1, 3, 3), {"groups": 2, "padding": 1}),
    ("conv1d", (5, 3, 9), (4, 3, 3), {"padding": "same"}),
    ("conv1d", (5, 4, 11), (6, 2, 3), {"groups": 2, "stride": 2, "dilation": 2, "padding": 1}),
    ("conv3d", (5, 2, 4, 4, 3), (3, 2, 2, 3, 2), {"padding": 1}),
    ("conv3d", (5, 4, 4, 5, 3), (4, 1, 2, 2, 2), {"groups": 4, "stride": (1, 2, 1)}),
    ("conv2d", (5, 3, 7, 6), (4, 3, 4, 2), {"padding": "same"}),
    ("conv2d", (5, 3, 7, 6), (4, 3, 3, 3), {"padding": "valid", "dilation": (2, 1)}),
    ("conv_transpose1d", (5, 4, 6), (4, 3, 3), {"stride": 3, "output_padding": 2, "padding": 1}),
    ("conv_transpose3d", (5, 4, 3, 2, 3), (4, 1, 2, 3, 2), {"groups": 2, "dilation": (1, 2, 1)}),
]


@pytest.mark.parametrize("planar", [False, True])
@pytest.mark.parametrize("chunk_bytes", [1, 10_000, 1 << 19])
@pytest.mark.parametrize("name,xs,ws,kw", CHUNKED)
def test_convolutions_a_few_images_at_a_time_match_torch(
    torch_ref, monkeypatch, planar, chunk_bytes, name, xs, ws, kw
):
    """The kernels copy and multiply their columns a chunk of images at a time, and the
    backward pass makes the input's, weight's and bias's gradients in one pass over the chunks;
    the columns are channels-last or, with few channels a group, in the input's own layout (each
    image's product its result, the weight gradient in the weight's layout).  With one image a
    chunk, with chunks that leave a shorter last one, and in either layout, values and gradients
    are PyTorch's, and so are the float64 gradients by finite differences."""
    from retrograd.ops import conv

    monkeypatch.setattr(conv, "_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(conv, "_planar_pays", lambda channels, out: planar)
    out_channels = ws[1] * kw.get("groups", 1) if "transpose" in name else ws[0]
    _compare(
        torch_ref,
        lambda x, w, b: getattr(F, name)(x, w, b, **kw),
        lambda x, w, b: getattr(torch_ref.nn.functional, name)(x, w, b, **kw),
        _arrays(xs, ws, (out_channels,)),
    )
    if chunk_bytes == 1:
        x, w, b = rand64(*xs, seed=1), rand64(*ws, seed=2), rand64(out_channels, seed=3)
        fn = lambda x, w, b: getattr(F, name)(x, w, b, **kw)  # noqa: E731
        assert gradcheck(fn, (x, w, b))


def test_few_channels_take_columns_in_the_inputs_own_layout(monkeypatch):
    """The digits CNN's first convolution (one channel in, 8x8 outputs) takes the input's own
    layout; its second (32 channels) the channels-last one."""
    from retrograd.ops import conv

    chosen = []
    real = conv._planar_pays
    monkeypatch.setattr(
        conv, "_planar_pays", lambda c, out: chosen.append(real(c, out)) or real(c, out)
    )
    x = retrograd.zeros(2, 1, 8, 8)
    h = F.conv2d(x, retrograd.zeros(32, 1, 3, 3), padding=1)
    F.conv2d(h, retrograd.zeros(64, 32, 3, 3), padding=1)
    assert chosen == [True, False]


@pytest.mark.parametrize("kw", [{"padding": 1}, {"groups": 2, "stride": 2}, {"dilation": 2}])
def test_conv2d_on_channels_last_and_strided_inputs_matches_torch(torch_ref, kw):
    """Inputs in any memory layout: channels-last, and a spatially transposed view."""
    groups = kw.get("groups", 1)
    x, w, wt, b = _arrays((2, 4, 7, 6), (6, 4 // groups, 3, 3), (4, 6 // groups, 3, 3), (6,))
    for layout in (_channels_last(x), x.transpose(0, 1, 3, 2)):
        _compare(
            torch_ref,
            lambda x, w, b: F.conv2d(x, w, b, **kw),
            lambda x, w, b: torch_ref.nn.functional.conv2d(x, w, b, **kw),
            [layout, w, b],
        )
        _compare(
            torch_ref,
            lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
            lambda x, w, b: torch_ref.nn.functional.conv_transpose2d(x, w, b, **kw),
            [layout, wt, b],
        )


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("needs", [(True, False, False), (False, True, True), (True, True, False)])
def test_conv_gradients_of_only_the_inputs_that_need_them_match_torch(torch_ref, transposed, needs):
    """One backward computation gives the input's, weight's and bias's gradients: those that
    are needed, each as PyTorch's; padding given as lists (which no cache can key) works too."""
    ws, bs = ((4, 3, 3, 3), (6,)) if transposed else ((5, 4, 3, 3), (5,))
    x, w, b = _arrays((2, 4, 5, 6), ws, bs, seed=3)
    kw = {"stride": [2, 1], "padding": [1, 0]}
    if transposed:  # (4 channels in, 2 groups of 3 out)
        kw.update(output_padding=[1, 0], groups=2)
    ours = [retrograd.tensor(a, requires_grad=r) for a, r in zip((x, w, b), needs)]
    theirs = [torch_ref.tensor(a, requires_grad=r) for a, r in zip((x, w, b), needs)]
    fn = "conv_transpose2d" if transposed else "conv2d"
    for _ in range(2):  # (the second call finds its checks and geometry cached)
        out = getattr(F, fn)(*ours, **kw)
        ref = getattr(torch_ref.nn.functional, fn)(*theirs, **kw)
        seed = np.random.default_rng(4).standard_normal(tuple(ref.shape)).astype(np.float32)
        out.backward(retrograd.tensor(seed))
        ref.backward(torch_ref.tensor(seed))
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-4)
        for a, t in zip(ours, theirs):
            assert (a.grad is None) == (t.grad is None)
            if a.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)
                a.grad = t.grad = None


def test_conv_checks_run_again_for_other_shapes():
    """The checks a convolution passed are remembered by shape: other shapes are checked anew."""
    w = retrograd.randn(4, 3, 3, 3)
    F.conv2d(retrograd.randn(1, 3, 5, 5), w, retrograd.randn(4))
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 4 elements"):
        F.conv2d(retrograd.randn(1, 3, 5, 5), w, retrograd.randn(5))
    with pytest.raises(RuntimeError, match="to have 3 channels, but got 2 channels"):
        F.conv2d(retrograd.randn(1, 2, 5, 5), w)


def test_conv_results_survive_later_convolutions_and_other_threads(torch_ref):
    """The columns of a convolution live in reused scratch memory: no result, forward or
    backward, may share it, so results held while more convolutions of the same shape run (in
    this thread and in others at the same time) keep PyTorch's values."""
    import threading

    inputs = _arrays((2, 3, 6, 6), (2, 3, 6, 6), seed=3)
    w_array, seed = _arrays((4, 3, 3, 3), (2, 3, 6, 6), seed=4)

    def run(lib, x):
        x, w = (lib.tensor(a, requires_grad=True) for a in (x, w_array))
        y = lib.nn.functional.conv2d(x, w, padding=1)
        t = lib.nn.functional.conv_transpose2d(y, w, padding=1)
        t.backward(lib.tensor(seed))
        return y, t, x.grad, w.grad

    want = [run(torch_ref, x) for x in inputs]
    ours = {i: run(retrograd, x) for i, x in enumerate(inputs)}

    def in_thread(i):
        ours[i] = run(retrograd, inputs[i % 2])

    threads = [threading.Thread(target=in_thread, args=(i,)) for i in range(2, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ours) == list(range(6))
    for i, got in ours.items():
        for a, b in zip(got, want[i % 2]):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-4)


def test_outputs_are_laid_out_as_pytorchs_and_view_after_a_pool_works(torch_ref):
    """PyTorch's MNIST example flattens with ``x.view(-1, 320)`` after conv, pool and relu: that
    needs the outputs in (N, C, *spatial) order, as PyTorch gives them, not a channels-last view
    of the kernel's memory."""

    def program(T):
        T.manual_seed(0)
        x = T.randn(4, 1, 28, 28, requires_grad=True)
        c1, c2 = T.nn.Conv2d(1, 10, 5), T.nn.Conv2d(10, 20, 5)
        h1 = c1(x)
        h = T.nn.functional.relu(T.nn.functional.max_pool2d(h1, 2))
        h = T.nn.functional.relu(T.nn.functional.max_pool2d(c2(h), 2))
        flat = h.view(-1, 320)
        flat.sum().backward()
        outs = [
            h1,
            T.nn.ConvTranspose2d(3, 4, 3)(T.randn(2, 3, 5, 5)),
            T.nn.Conv1d(3, 4, 3)(T.randn(2, 3, 5)),
            T.nn.Conv3d(2, 3, 3, padding=1)(T.randn(1, 2, 4, 4, 4)),
            T.nn.Conv2d(4, 4, 3, groups=2)(T.randn(2, 4, 6, 6)),
        ]
        return [(o.stride(), o.is_contiguous()) for o in outs], flat.shape, x.grad.stride()

    assert program(retrograd) == program(torch_ref)


def test_gradients_on_their_way_back_are_laid_out_as_pytorchs(torch_ref):
    """The gradient a convolution or a pool hands back to its input is in (N, C, *spatial) order,
    as PyTorch's: a hook on an intermediate result sees its strides, and the next backward step
    reads its operands alike (a channels-last view of the kernel's memory gave other strides)."""

    def program(T):
        T.manual_seed(0)
        seen = []

        def watch(t):
            t.register_hook(lambda g: seen.append((g.stride(), g.is_contiguous())))
            return t

        F_ = T.nn.functional
        x = T.randn(3, 2, 8, 8)
        w1, w2 = T.randn(6, 2, 3, 3, requires_grad=True), T.randn(4, 6, 3, 3, requires_grad=True)
        a = watch(F_.conv2d(x, w1, padding=1))
        b = watch(F_.relu(F_.conv2d(a, w2, padding=1)))
        loss = F_.max_pool2d(b, 2).sum()
        wt = T.randn(6, 2, 3, 3, requires_grad=True)
        c = watch(F_.conv2d(x, T.randn(6, 2, 3, 3, requires_grad=True), stride=2))
        loss = loss + F_.conv_transpose2d(c, wt, stride=2, groups=2).sum()
        d = watch(F_.conv1d(T.randn(2, 4, 9), T.randn(6, 4, 3, requires_grad=True)))
        loss = loss + F_.conv1d(d, T.randn(4, 3, 3), groups=2).sum()
        e = watch(F_.conv3d(T.randn(1, 2, 4, 4, 4), T.randn(4, 2, 3, 3, 3, requires_grad=True)))
        loss = loss + F_.max_pool2d(e.flatten(2, 3), 2).sum()
        loss.backward()
        return seen

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize(
    "name, x_shape, w_shape, kwargs",
    [
        ("conv2d", (1, 2, 4, 4), (3, 2, 3, 3), {"padding": 1}),
        ("conv_transpose2d", (1, 2, 4, 4), (2, 3, 3, 3), {"stride": 2}),
        ("conv1d", (2, 4, 5), (2, 2, 2), {"groups": 2}),
    ],
)
@pytest.mark.parametrize("create_graph", [False, True])
def test_complex_convolution_gradients_match_pytorch(
    torch_ref, name, x_shape, w_shape, kwargs, create_graph
):
    """A complex convolution's gradients conjugate the other factor (input, weight, bias)."""
    rng = np.random.default_rng(0)
    bias = w_shape[1] if "transpose" in name else w_shape[0]
    arrays = [
        rng.standard_normal(s) + 1j * rng.standard_normal(s) for s in (x_shape, w_shape, bias)
    ]
    results = []
    for lib in (retrograd, torch_ref):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = getattr(lib.nn.functional, name)(*leaves, **kwargs)
        g = np.cos(np.arange(out.numel())).reshape(tuple(out.shape)) * (1 + 0.5j)
        grads = lib.autograd.grad(out, leaves, lib.tensor(g), create_graph=create_graph)
        results.append([t.detach().numpy() for t in (out, *grads)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
