"""Lazy modules against PyTorch: before the first call (repr, placeholders, the shape error),
after it (the plain layer they become, its repr, outputs and state dict, and the generator's
stream: initialisation draws what PyTorch draws), and a state dict loaded before any call."""

import numpy as np
import pytest

import retrograd
from retrograd.nn.parameter import UninitializedParameter, is_lazy

LAYERS = [
    ("LazyLinear(3)", (2, 4)),
    ("LazyLinear(3, bias=False)", (2, 5, 4)),
    ("LazyConv1d(4, 3, groups=2, padding=1)", (2, 4, 6)),
    ("LazyConv2d(4, 3)", (1, 2, 5, 5)),
    ("LazyConv3d(2, 2)", (3, 3, 3, 3)),
    ("LazyConvTranspose1d(2, 3)", (2, 4, 6)),
    ("LazyConvTranspose2d(4, 3, stride=2)", (1, 2, 5, 5)),
    ("LazyConvTranspose3d(2, 2, bias=False)", (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d()", (4, 3)),
    ("LazyBatchNorm2d(affine=False)", (4, 3, 2, 2)),
    ("LazyBatchNorm3d(momentum=0.5)", (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d()", (4, 3, 5)),
    ("LazyInstanceNorm2d(affine=True)", (4, 3, 2, 2)),
    ("LazyInstanceNorm3d(track_running_stats=False)", (2, 3, 2, 2, 2)),
]


def _run(lib, layer, shape):
    lib.manual_seed(0)
    m = eval("lib.nn." + layer, {"lib": lib})
    before = (repr(m), [type(t).__name__ for t in m.state_dict().values()])
    x = lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    y = m(x)
    state = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    return before, repr(m), type(m).__name__, y.detach().numpy(), state, lib.rand(3).tolist()


@pytest.mark.parametrize("layer,shape", LAYERS)
def test_lazy_layer_matches_pytorch(torch_ref, layer, shape):
    ours, theirs = _run(retrograd, layer, shape), _run(torch_ref, layer, shape)
    assert ours[0] == theirs[0]
    assert ours[1:3] == theirs[1:3]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-5, atol=1e-6)
    assert list(ours[4]) == list(theirs[4])
    for k in ours[4]:
        np.testing.assert_allclose(ours[4][k], theirs[4][k], rtol=1e-6, atol=1e-7, err_msg=k)
    assert ours[5] == theirs[5]  # the same draws consumed


def test_placeholders_have_no_shape_until_the_first_call(torch_ref):
    texts = []
    for lib in (retrograd, torch_ref):
        m = lib.nn.LazyLinear(3)
        assert lib.nn.parameter.is_lazy(m.weight) and m.has_uninitialized_params()
        with pytest.raises(RuntimeError) as err:
            m.weight.shape
        texts.append((str(err.value), repr(m.weight)))
    assert texts[0] == texts[1]


def test_state_dict_loaded_before_the_first_call_gives_the_shapes():
    source = retrograd.nn.Linear(5, 3)
    lazy = retrograd.nn.LazyLinear(3)
    lazy.load_state_dict(source.state_dict())
    assert type(lazy).__name__ == "LazyLinear" and not is_lazy(lazy.weight)
    x = retrograd.randn(2, 5)
    assert lazy(x).tolist() == source(x).tolist()
    assert type(lazy) is retrograd.nn.Linear


def test_materialize_and_errors(torch_ref):
    p = UninitializedParameter()
    p.materialize((2, 3))
    assert type(p) is retrograd.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
    for lib in (retrograd, torch_ref):
        with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\)"):
            lib.nn.LazyConv2d(2, 3)(lib.ones(5, 5))
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv1d(4, 3, groups=2)(lib.ones(1, 3, 5))
