"""Convolution layers with ``padding_mode`` reflect, replicate and circular against PyTorch with
identical weights: the input padded by the mode and then convolved without padding, for numeric,
'same' and 'valid' padding, dilated and strided, batched and not."""

import pytest
from nn_parity import check_module, randn

import retrograd


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize(
    "padding,dilation,stride", [((2, 1, 1), 1, 2), ("same", 2, 1), ("valid", 1, 1)]
)
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_padding_modes_match_pytorch(torch_ref, nd, mode, padding, dilation, stride, batched):
    name = f"Conv{nd}d"
    pad = padding[:nd] if isinstance(padding, tuple) else padding
    kwargs = dict(padding=pad, padding_mode=mode, dilation=dilation, stride=stride)
    ours = getattr(retrograd.nn, name)(3, 4, 3, **kwargs)
    theirs = getattr(torch_ref.nn, name)(3, 4, 3, **kwargs)
    assert repr(ours) == repr(theirs)
    assert ours._reversed_padding_repeated_twice == list(theirs._reversed_padding_repeated_twice)
    shape = ((2,) if batched else ()) + (3,) + (6,) * nd
    # (a 3-d weight gradient sums hundreds of products of size ~30 to values near 1e-4: float32
    # summed in another order lands 1e-5 apart)
    check_module(torch_ref, ours, theirs, randn(nd, *shape), atol=5e-5)


def test_transposed_convolutions_take_zeros_only(torch_ref):
    for lib in (retrograd, torch_ref):
        with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
            lib.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
