"""torch.signal.windows and the torch.*_window factories, against PyTorch."""

import numpy as np
import pytest
from op_checks import error_tests

import retrograd

WINDOWS = [
    ("hann", {}),
    ("hamming", {}),
    ("blackman", {}),
    ("nuttall", {}),
    ("bartlett", {}),
    ("cosine", {}),
    ("exponential", {}),
    ("exponential", {"tau": 2.5}),
    ("gaussian", {"std": 0.7}),
    ("kaiser", {"beta": 5.0}),
    ("general_hamming", {"alpha": 0.6}),
    ("general_cosine", {"a": [0.4, 0.3, 0.3]}),
]


@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("name, kwargs", WINDOWS)
def test_windows_match_pytorch(torch_ref, name, kwargs, M, sym):
    ours = getattr(retrograd.signal.windows, name)(M, sym=sym, **kwargs)
    theirs = getattr(torch_ref.signal.windows, name)(M, sym=sym, **kwargs)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)


FACTORIES = [
    ("hann_window", ()),
    ("hamming_window", ()),
    ("hamming_window", (0.6, 0.4)),
    ("blackman_window", ()),
    ("bartlett_window", ()),
    ("kaiser_window", (5.0,)),
]


@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("name, args", FACTORIES)
def test_window_factories_match_pytorch(torch_ref, name, args, M, periodic):
    ours = getattr(retrograd, name)(M, periodic, *args, dtype=retrograd.float64)
    theirs = getattr(torch_ref, name)(M, periodic, *args, dtype=torch_ref.float64)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)
    ours, theirs = getattr(retrograd, name)(4, requires_grad=True), getattr(torch_ref, name)(4)
    assert ours.requires_grad and str(ours.dtype) == str(theirs.dtype)
    # float32 windows are rounded from float64 ones: within an ulp of PyTorch's float32 sums
    np.testing.assert_allclose(ours.detach().numpy(), theirs.numpy(), atol=1e-7)


(test_window_error_type_and_text, test_window_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.signal.windows.hann(-1),
            ValueError,
            "general_cosine requires non-negative window length, got M=-1",
        ),
        (
            lambda t: t.hann_window(-1),
            RuntimeError,
            "hann_window requires non-negative window_length, got window_length=-1",
        ),
        (
            lambda t: t.signal.windows.gaussian(5, std=0),
            ValueError,
            "Standard deviation must be positive, got: 0 instead.",
        ),
        (
            lambda t: t.signal.windows.hann(5, dtype=t.int64),
            ValueError,
            "general_cosine expects float32 or float64 dtypes, got: torch.int64",
        ),
        (
            lambda t: t.signal.windows.kaiser(5, beta=-1),
            ValueError,
            "beta must be non-negative, got: -1 instead.",
        ),
        (
            lambda t: t.signal.windows.bartlett(-2),
            ValueError,
            "bartlett requires non-negative window length, got M=-2",
        ),
    ]
)
