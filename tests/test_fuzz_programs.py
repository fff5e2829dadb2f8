"""Programs the differential fuzzer found retrograd answering differently from PyTorch, reduced
to their few lines: each runs on both libraries and every step must leave the same record (values,
flags, node names, gradients, errors with their type and text)."""

import textwrap

import pytest

torch = pytest.importorskip("torch")  # the reference

from autograd_fuzz import compare, report, run
from autograd_fuzz.runner import Step

import retrograd


def _steps(text):
    """One step per top-level statement (a ``with`` block with its body)."""
    steps = []
    for line in textwrap.dedent(text).strip().splitlines():
        if line[:1].isspace() and steps:
            steps[-1] += "\n" + line
        else:
            steps.append(line)
    return [Step(src, f"test:{i}") for i, src in enumerate(steps)]


PROGRAMS = {
    "a 0-dim min over a dim saves its index: a second backward is an error": """
        x = torch.tensor(-0.649, dtype=torch.float64, requires_grad=True)
        y = torch.min(x, dim=-1)[0] + 1.5
        y.sum().backward()
        y.sum().backward()
        z = torch.max(x, 0, keepdim=True).values
        z.backward()
        z.backward()
    """,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_program_runs_as_in_pytorch(name):
    steps = _steps(PROGRAMS[name])
    diff = compare(steps, run(steps, torch), run(steps, retrograd))
    assert diff is None, "\n" + report(steps, diff)
