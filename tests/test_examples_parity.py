"""The example programs (examples/*.py: a Transformer language model, a VAE, a REINFORCE agent, an
L-BFGS curve fit, a weight-normalised TCN) run on retrograd and on PyTorch
from the same seed and end at the same losses, step for step: the same initial weights, batches,
dropout masks and sampled actions from the shared random stream, then the same arithmetic.

Each runs shortened, in float64 (close to exact agreement) and in float32 as written (agreement
to float32 rounding, compounded over the steps).  examples/per_example_gradients.py is checked the
same way in test_func.py, and char_gpt.py and word_lstm.py in test_pytorch_style_programs.py."""

import contextlib
import os
import sys

import numpy as np
import pytest

import retrograd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import lbfgs_curve_fit  # noqa: E402
import reinforce  # noqa: E402
import tcn  # noqa: E402
import transformer_lm  # noqa: E402
import vae  # noqa: E402

# program, shortened arguments, how many losses it reports at least
PROGRAMS = {
    "transformer_lm": (transformer_lm.main, {"steps": 12}, 13),
    "vae": (vae.main, {"epochs": 4}, 4),
    "reinforce": (reinforce.main, {"episodes": 40}, 40),
    "lbfgs_curve_fit": (lbfgs_curve_fit.main, {"rounds": 3}, 7),
    "tcn": (tcn.main, {"epochs": 1}, 9),
}


@contextlib.contextmanager
def default_dtype(lib, dtype):
    before = lib.get_default_dtype()
    lib.set_default_dtype(getattr(lib, dtype))
    try:
        yield
    finally:
        lib.set_default_dtype(before)


def run(lib, name, dtype):
    main, kwargs, _ = PROGRAMS[name]
    # the TCN's first block uses the old nn.utils.weight_norm, deprecated in both libraries
    deprecated = pytest.warns(FutureWarning, match="weight_norm` is deprecated")
    with default_dtype(lib, dtype), deprecated if name == "tcn" else contextlib.nullcontext():
        return main(lib, log=lambda line: None, **kwargs)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-9), ("float32", 1e-4)])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_example_ends_at_pytorchs_losses(torch_ref, name, dtype, rtol):
    ours, theirs = run(retrograd, name, dtype), run(torch_ref, name, dtype)
    assert len(ours) == len(theirs) >= PROGRAMS[name][2]
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * 1e-2)
