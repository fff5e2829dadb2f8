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
    "mm, linear and addmm give a transposed input a transposed gradient, others a contiguous one": """
        a = torch.ones(4, 3, dtype=torch.float64, requires_grad=True)
        b = torch.ones(5, 4, dtype=torch.float64, requires_grad=True)
        c = torch.ones(3, 4, dtype=torch.float64, requires_grad=True)
        bias = torch.ones(5, dtype=torch.float64, requires_grad=True)
        at = a.t()
        bt = b.t()
        g = torch.autograd.grad(torch.mm(at, bt).sum(), [a, b, at, bt])
        s1 = [x.stride() for x in g]
        g = torch.autograd.grad((c @ bt).sum(), [b, c, bt], create_graph=True)
        s2 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(at, b, bias).sum(), [a, b, at])
        s3 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(c, bt.t(), bias).sum(), [b, c, bt])
        s4 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(at, b).sum(), [a, b, at])
        s5 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.addmm(bias, at, bt).sum(), [a, b, at, bt])
        s6 = [x.stride() for x in g]
        g = torch.autograd.grad((c @ b.t().expand(2, 4, 5)).sum(), [b, c])
        s7 = [x.stride() for x in g]
    """,
    "a gradient summed back from a broadcast is contiguous": """
        b = torch.ones(4, 5, requires_grad=True)
        g, = torch.autograd.grad(b.expand(2, 4, 5), [b], torch.ones(2, 5, 4).mT)
        s = g.stride()
        b1 = torch.ones(1, 4, 5, requires_grad=True)
        g1, = torch.autograd.grad(b1.expand(2, 4, 5), [b1], torch.ones(2, 5, 4).mT)
        s1 = g1.stride()
    """,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_program_runs_as_in_pytorch(name):
    steps = _steps(PROGRAMS[name])
    diff = compare(steps, run(steps, torch), run(steps, retrograd))
    assert diff is None, "\n" + report(steps, diff)
