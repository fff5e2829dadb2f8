"""Shared test helpers: float64 inputs for gradcheck, and PyTorch as the reference.

Without PyTorch the parity tests fail, so that a run that checked nothing does not look green;
``make test-light`` (``RETROGRAD_TEST_LIGHT=1``) skips them instead, on machines that cannot
install PyTorch.
"""

import os
import pathlib
import re

import numpy as np
import pytest

import retrograd

try:  # the reference implementation, used only where it is installed
    import torch as _torch
except ImportError:  # pragma: no cover - depends on the machine
    _torch = None


# Test modules that import PyTorch at their top: left out by `make test-light` without it.  Found
# by reading each module (a written list fell behind: a new module that imports PyTorch would stop
# the light run at collection).
collect_ignore = []
if _torch is None and os.environ.get("RETROGRAD_TEST_LIGHT"):
    _IMPORTS_TORCH = re.compile(r"^(import torch\b|from torch\b)", re.M)
    collect_ignore = [
        p.name
        for p in pathlib.Path(__file__).parent.glob("test_*.py")
        if _IMPORTS_TORCH.search(p.read_text(encoding="utf-8"))
    ]


@pytest.fixture
def torch_ref():
    """PyTorch: the reference a parity test compares with."""
    if _torch is None:
        if os.environ.get("RETROGRAD_TEST_LIGHT"):
            pytest.skip("PyTorch is not installed: parity check not run (make test-light)")
        pytest.fail(
            "PyTorch, the reference of the parity tests, is not installed: run `make test`, "
            "which installs it, or `make test-light` to skip the parity tests"
        )
    return _torch


def rand64(*shape, seed=0, requires_grad=True, low=-1.0, high=1.0):
    """A float64 leaf with reproducible values in [low, high)."""
    rng = np.random.default_rng(seed)
    return retrograd.tensor(
        rng.uniform(low, high, shape), dtype=retrograd.float64, requires_grad=requires_grad
    )


def doubling(lib):
    """A custom Function of ``lib`` (retrograd or torch) that doubles its input, backward only
    (no ``jvp``): the plainest Function, for tests about the machinery around one."""

    class Doubling(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Doubling
