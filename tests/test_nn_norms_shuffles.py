"""InstanceNorm, LocalResponseNorm, RMSNorm, BatchNorm3d, SyncBatchNorm and the pixel and channel
shuffles against PyTorch with identical weights: outputs, input and parameter gradients, running
statistics, node names, reprs and errors; the shuffles and rms_norm also through gradcheck."""

import warnings

import numpy as np
import pytest
from nn_parity import check_module, close, randn
from op_checks import error_tests, program_matches_pytorch
from op_samples import graph_nodes

import retrograd
import retrograd.nn as nn
from retrograd.autograd import gradcheck, gradgradcheck


def _make(torch, name, *args, **kwargs):
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


LAYERS = [
    ("InstanceNorm1d", (3,), {}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 5)),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {"track_running_stats": True, "momentum": None}, (3, 4, 5)),
    ("InstanceNorm3d", (2,), {"affine": True}, (2, 2, 3, 3, 4)),
    ("LocalResponseNorm", (3,), {}, (2, 5, 4)),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, (2, 5, 3, 2, 2)),
    ("RMSNorm", (4,), {}, (2, 3, 4)),
    ("RMSNorm", ((3, 4),), {"eps": 1e-3}, (2, 3, 4)),
    ("RMSNorm", (4,), {"elementwise_affine": False}, (5, 4)),
    ("BatchNorm3d", (3,), {"momentum": 0.3}, (2, 3, 2, 3, 2)),
    ("SyncBatchNorm", (3,), {}, (4, 3, 2)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 2)),
    ("PixelShuffle", (3,), {}, (9, 2, 2)),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6)),
    ("ChannelShuffle", (3,), {}, (2, 6, 2, 2)),
    ("ChannelShuffle", (2,), {}, (2, 4, 3)),
]


@pytest.mark.parametrize("i", range(len(LAYERS)))
def test_layer_matches_pytorch_in_training_then_eval(torch_ref, i):
    name, args, kwargs, shape = LAYERS[i]
    ours, theirs = _make(torch_ref, name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    if any(True for _ in ours.parameters()):  # weights that are not all ones
        for p in ours.parameters():
            p.data = retrograd.tensor(randn(9, *p.shape))
    for step in range(2):
        check_module(torch_ref, ours, theirs, randn(step, *shape) * 2 + 1)
    for b_ours, b_theirs in zip(ours.buffers(), theirs.buffers()):
        close(b_ours, b_theirs)
    ours.eval()
    theirs.eval()
    check_module(torch_ref, ours, theirs, randn(5, *shape))


FUNCTIONS = [
    (lambda t, x: t.nn.functional.instance_norm(x), [(2, 3, 4)]),
    (
        lambda t, x, w, b: t.nn.functional.instance_norm(x, weight=w, bias=b),
        [(2, 3, 4), (3,), (3,)],
    ),
    (lambda t, x: t.nn.functional.local_response_norm(x, 4), [(2, 6, 3)]),
    (lambda t, x: t.nn.functional.rms_norm(x, (4,)), [(3, 4)]),
    (lambda t, x, w: t.nn.functional.rms_norm(x, (3, 4), w), [(2, 3, 4), (3, 4)]),
    (lambda t, x: t.pixel_shuffle(x, 2), [(8, 2, 3)]),
    (lambda t, x: t.pixel_unshuffle(x, 3), [(2, 1, 6, 3)]),
    (lambda t, x: t.channel_shuffle(x, 2), [(2, 6, 3)]),
    (lambda t, x: t.nn.functional.pixel_shuffle(x.transpose(-1, -2), 1), [(4, 2, 3)]),
]


@pytest.mark.parametrize("i", range(len(FUNCTIONS)))
def test_functions_match_pytorch_in_float64(torch_ref, i):
    fn, shapes = FUNCTIONS[i]
    arrays = [np.random.default_rng(k).standard_normal(s) for k, s in enumerate(shapes)]
    program_matches_pytorch(torch_ref, fn, arrays, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("i", range(len(FUNCTIONS)))
def test_functions_gradcheck_and_gradgradcheck(i):
    fn, shapes = FUNCTIONS[i]
    xs = [
        retrograd.tensor(np.random.default_rng(k).standard_normal(s), requires_grad=True)
        for k, s in enumerate(shapes)
    ]
    f = lambda *a: fn(retrograd, *a)  # noqa: E731
    assert gradcheck(f, xs)
    assert gradgradcheck(f, xs)


def test_shuffles_never_return_their_inputs_memory():
    x = retrograd.arange(8.0).reshape(2, 4, 1, 1)
    for y in (retrograd.pixel_shuffle(x, 1), retrograd.channel_shuffle(x, 1)):
        y.add_(1)
    assert x.tolist() == retrograd.arange(8.0).reshape(2, 4, 1, 1).tolist()


def test_instance_norm_warns_when_channels_differ_without_affine(torch_ref):
    texts = []
    for lib in (retrograd, torch_ref):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.InstanceNorm1d(3)(lib.ones(2, 4, 5))
        texts.append([str(w.message) for w in caught])
    assert texts[0] == texts[1] and texts[0]


def test_convert_sync_batchnorm_keeps_parameters_and_statistics():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm1d(4)))
    model[1].running_mean.fill_(0.5)
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert type(converted[1]) is nn.SyncBatchNorm and type(converted[2][0]) is nn.SyncBatchNorm
    assert converted[1].weight is model[1].weight
    assert converted[1].running_mean.tolist() == [0.5, 0.5]
    assert list(converted.state_dict()) == list(model.state_dict())


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: t.pixel_shuffle(t.ones(2, 3), 2),
            RuntimeError,
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 "
            "dimension(s)",
        ),
        (
            lambda t: t.pixel_shuffle(t.ones(2, 5, 3, 3), 2),
            RuntimeError,
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            "of upscale_factor, but input.size(-3)=5 is not divisible by 4",
        ),
        (
            lambda t: t.pixel_shuffle(t.ones(2, 4, 3, 3), 0),
            RuntimeError,
            "pixel_shuffle expects a positive upscale_factor, but got 0",
        ),
        (
            lambda t: t.pixel_unshuffle(t.ones(2, 4, 3, 4), 2),
            RuntimeError,
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            "input.size(-2)=3 is not divisible by 2",
        ),
        (
            lambda t: t.pixel_unshuffle(t.ones(2, 4, 4, 3), 2),
            RuntimeError,
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            "input.size(-1)=3 is not divisible by 2",
        ),
        (
            lambda t: t.channel_shuffle(t.ones(2, 6, 3), 4),
            RuntimeError,
            "Number of channels must be divisible by groups. Got 6 channels and 4 groups.",
        ),
        (
            lambda t: t.channel_shuffle(t.ones(2, 6), 2),
            RuntimeError,
            "channel_shuffle expects input with > 2 dims, but got input with sizes [2, 6]",
        ),
        (
            lambda t: t.nn.functional.local_response_norm(t.ones(2, 3), 2),
            ValueError,
            "Expected 3D or higher dimensionality                          input (got 2 "
            "dimensions)",
        ),
        (
            lambda t: t.nn.functional.rms_norm(t.ones(2, 3, 4), (3, 5)),
            RuntimeError,
            "Given normalized_shape=[3, 5], expected input with shape [*3, 5], but got input of "
            "size[2, 3, 4]",
        ),
        (
            lambda t: t.nn.functional.rms_norm(t.ones(2, 3), (3,), t.ones(2)),
            RuntimeError,
            "Expected weight to be of same shape as normalized_shape, but got weight of shape [2] "
            "and normalized_shape = [3]",
        ),
        (
            lambda t: t.nn.InstanceNorm1d(3)(t.ones(2, 3, 4, 5)),
            ValueError,
            "expected 2D or 3D input (got 4D input)",
        ),
        (
            lambda t: t.nn.InstanceNorm1d(3, affine=True)(t.ones(2, 4, 5)),
            ValueError,
            "expected input's size at dim=1 to match num_features (3), but got: 4.",
        ),
        (
            lambda t: t.nn.functional.instance_norm(t.ones(2, 3, 1)),
            ValueError,
            "Expected more than 1 spatial element when training, got input size "
            "torch.Size([2, 3, 1])",
        ),
        (
            lambda t: t.nn.BatchNorm3d(3)(t.ones(2, 3, 4)),
            ValueError,
            "expected 5D input (got 3D input)",
        ),
        (
            lambda t: t.nn.SyncBatchNorm(3)(t.ones(3)),
            ValueError,
            "expected at least 2D input (got 1D input)",
        ),
    ]
)


@pytest.mark.parametrize("norm", ["LayerNorm", "BatchNorm1d", "GroupNorm"])
def test_gradient_penalty_through_a_norm_matches_pytorch(torch_ref, norm):
    """A WGAN-GP gradient penalty through a normalisation layer: the input gradient taken with
    create_graph has PyTorch's nodes (layer and batch norm: one ...BackwardBackward0 node of
    their own) and the penalty's parameter gradients PyTorch's values."""
    rng = np.random.default_rng(0)
    x0, w0, b0 = rng.standard_normal((6, 4)), rng.standard_normal(4), rng.standard_normal(4)
    got = []
    for lib in (retrograd, torch_ref):
        layer = {
            "LayerNorm": lambda: lib.nn.LayerNorm(4),
            "BatchNorm1d": lambda: lib.nn.BatchNorm1d(4),
            "GroupNorm": lambda: lib.nn.GroupNorm(2, 4),
        }[norm]().double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(w0))
            layer.bias.copy_(lib.tensor(b0))
        x = lib.tensor(x0, requires_grad=True)
        score = (layer(x).tanh() * lib.tensor(x0)).sum()
        (grad,) = lib.autograd.grad(score, x, create_graph=True)
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        nodes = graph_nodes(grad) if norm != "GroupNorm" else None
        got.append((nodes, [layer.weight.grad.numpy(), layer.bias.grad.numpy(), x.grad.numpy()]))
    assert got[0][0] == got[1][0]
    for a, b in zip(got[0][1], got[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
