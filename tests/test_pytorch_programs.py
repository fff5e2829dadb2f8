"""Everyday PyTorch idioms, each run unchanged under retrograd and (where installed) PyTorch.

Each program takes the library module (``torch`` or ``retrograd``) and returns text built from what
a user would print: reprs, dtypes, node names, error type and message.  The text expected is
PyTorch's own, so the parity test checks the expectation itself against PyTorch.
"""

import numpy as np
import pytest

import retrograd


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return f"{type(e).__name__}: {e}"
    return "no error"


def numpy_scalars_act_as_python_numbers(torch):
    x = torch.tensor([1.0, 2.0])
    i = torch.tensor([1, 2])
    return [repr(x + np.float64(1.0)), repr(np.float64(2.0) * x), repr(i * np.float32(1.5)),
            repr(i + np.int64(1)), str((x.double() - np.float32(1)).dtype),
            str((x / np.int32(2)).dtype)]


PROGRAMS = {
    numpy_scalars_act_as_python_numbers: [
        "tensor([2., 3.])", "tensor([2., 4.])", "tensor([1.5000, 3.0000])", "tensor([2, 3])",
        "torch.float64", "torch.float32"],
}

CASES = list(PROGRAMS.items())
IDS = [f.__name__ for f in PROGRAMS]


@pytest.mark.parametrize("program, expected", CASES, ids=IDS)
def test_program_under_retrograd(program, expected):
    assert program(retrograd) == expected


@pytest.mark.parametrize("program, expected", CASES, ids=IDS)
def test_program_under_pytorch(torch_ref, program, expected):
    assert program(torch_ref) == expected
