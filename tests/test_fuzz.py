"""The differential fuzzer on a fixed slice of seeds: random autograd programs (ops, views, in-place
writes, grad modes, backward styles, hooks, custom Functions, checkpoint, forward AD) run on
retrograd and on PyTorch must agree on every value, flag, node name, gradient and error.

``make fuzz N=...`` runs the same fuzzer over fresh seeds and prints each difference as a minimal
program.  Seeds that differ today because of a known fault are listed in ``KNOWN_DIFFERENCES`` with
the fault; they are strict xfails, so a fix makes them fail until the entry is removed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # the fuzzer's reference, and the generator's oracle

from autograd_fuzz import compare, generate, render, report, run, shrink
from autograd_fuzz.runner import Step

import retrograd

SEEDS = range(200)
SELF_SEEDS = range(200, 300)

# seed -> the fault its program runs into first (as tests/autograd_fuzz/causes.py names it).
# Printed by `PYTHONPATH=src:tests python -m autograd_fuzz --n 200 --seed 0 --known`.
KNOWN_DIFFERENCES: dict[int, str] = {}


def _params():
    for seed in SEEDS:
        if seed in KNOWN_DIFFERENCES:
            yield pytest.param(
                seed, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[seed])
            )
        else:
            yield seed


@pytest.mark.parametrize("seed", list(_params()))
def test_retrograd_runs_random_programs_as_pytorch_does(seed):
    steps = generate(seed)
    diff = compare(steps, run(steps, torch), run(steps, retrograd, timeout=60))
    assert diff is None, "\n" + report(steps, diff)


def test_the_generator_is_honest_pytorch_matches_itself():
    """Every program of the slice, run twice on PyTorch, gives the same record: no program
    depends on rounding, ties, memory addresses or anything else that may change between runs."""
    bad = []
    for seed in SELF_SEEDS:
        steps = generate(seed)
        diff = compare(steps, run(steps, torch), run(steps, torch))
        if diff is not None:
            bad.append(report(steps, diff, "torch", "torch again"))
    assert not bad, "\n".join(bad)


def test_programs_use_what_the_issue_asks_for():
    """The slice covers every kind of step, and programs have between 3 and 25 operations."""
    tags, styles = set(), set()
    for seed in SEEDS:
        steps = generate(seed)
        tags.update(s.tag.split(":")[0] for s in steps)
        styles.update(s.tag for s in steps if s.tag.startswith("backward:"))
        ops = [s for s in steps if not s.tag.startswith(("leaf", "setup", "define"))]
        assert len(ops) >= 3
    for kind in (
        "unary",
        "binary",
        "reduce",
        "view",
        "inplace",
        "nograd_inplace",
        "mode",
        "matmul",
        "join",
        "backward",
        "hook",
        "custom",
        "checkpoint",
        "forward_ad",
        "functional",
        "saved_hooks",
        "error",
        "grad",
    ):
        assert kind in tags, kind
    for style in (
        "backward",
        "gradient",
        "inputs",
        "multi",
        "grad",
        "grad_cg",
        "second_order",
        "second_order_grad",
        "create_graph",
        "second_order_dotgrad",
    ):
        assert f"backward:{style}" in styles, style


def test_a_rendered_program_runs_as_a_script_on_both_libraries():
    """The printed repro is the program: the same text runs with ``torch`` bound to either."""
    seed = next(s for s in SEEDS if all(e is None for e, _ in run(generate(s), torch)))
    text = render(generate(seed))
    assert text.startswith("import torch\n")
    body = compile(text.replace("import torch\n", "", 1), "<fuzz>", "exec")
    for mod in (torch, retrograd):
        exec(body, {"torch": mod})


class _Wrong:
    """A library that is PyTorch except for one planted fault."""

    def __init__(self, **overrides):
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(torch, name)


def _program(*lines):
    return [Step(line, f"test:{i}") for i, line in enumerate(lines)]


def test_the_comparison_catches_a_wrong_value_a_wrong_gradient_and_a_wrong_error():
    prog = _program(
        "x = torch.tensor([1.0, 2.0], requires_grad=True)",
        "y = x.exp()",
        "y.sum().backward()",
        "z = x.view(3)",
    )
    assert compare(prog, run(prog, torch), run(prog, torch)) is None

    wrong_value = _Wrong(tensor=lambda v, **kw: torch.tensor(np.add(v, 1e-3).tolist(), **kw))
    d = compare(prog, run(prog, torch), run(prog, wrong_value))
    assert (d.step, d.field, d.where) == (0, "value", "x")

    prog_g = _program(
        "x = torch.tensor([1.0, 2.0], requires_grad=True)",
        "torch.autograd.backward([(x * x).sum()])",
    )
    wrong_grad = _Wrong(
        autograd=type(
            "A",
            (),
            {"backward": staticmethod(lambda ts: torch.autograd.backward([t * 2 for t in ts]))},
        )
    )
    d = compare(prog_g, run(prog_g, torch), run(prog_g, wrong_grad))
    assert (d.step, d.field, d.where) == (1, "grad", "x.grad") and d.is_silent_gradient()

    prog_e = _program("x = torch.ones(2)", "x.view(3)")
    wrong_error = _Wrong(ones=lambda *s: torch.ones(*s).expand(1, 2).mT.contiguous().mT)
    d = compare(prog_e, run(prog_e, torch), run(prog_e, wrong_error))
    assert d is not None


def test_a_gradient_pytorch_shares_between_two_leaves_is_named_not_counted_as_ours():
    """PyTorch keeps the one stride-0 gradient of stack's backward as both leaves' ``.grad`` and a
    second backward adds into it twice (3 where 2 is right).  The comparison names that cause
    instead of counting a silent wrong gradient of retrograd's, and only for the leaves PyTorch
    made share memory: a wrong gradient of another leaf is still silent."""
    prog = _program(
        "a = torch.tensor(-0.4, requires_grad=True)",
        "b = torch.tensor(0.3, requires_grad=True)",
        "c = torch.tensor(0.5, requires_grad=True)",
        "s = torch.stack([a, b], 0)",
        "s.sum().backward()",
        "s.sum().backward(); (c * 2).backward()",
    )
    ref = run(prog, torch)
    assert ref[4][1].aliased_grads == {"a", "b"}
    assert ref[5][1]["a"][1]["grad"][2] == 3.0  # the reference's defect this test is about
    got = run(prog, retrograd)
    assert got[4][1].aliased_grads == frozenset() and got[5][1]["a"][1]["grad"][2] == 2.0
    d = compare(prog, ref, got)
    assert (d.field, d.where) == ("grad-aliased-in-reference", "a.grad")
    assert not d.is_silent_gradient()
    # a wrong gradient of c, a leaf PyTorch gave memory of its own, stays a silent difference
    wrong = dict(ref[5][1])
    c = wrong["c"][1]
    wrong["c"] = ("T", {**c, "grad": (*c["grad"][:2], c["grad"][2] + 1, c["grad"][3])})
    d = compare(prog, ref, [*got[:5], (None, wrong)])
    assert (d.field, d.where) == ("grad", "c.grad") and d.is_silent_gradient()


def test_an_error_must_have_pytorchs_type_and_start_with_its_text():
    prog = _program("x = torch.ones(2)", "y = x.view(3)")
    ref = run(prog, torch)
    longer = [(None if e is None else (e[0], e[1] + " More help."), s) for e, s in ref]
    assert compare(prog, ref, longer) is None
    other_type = [(None if e is None else ("ValueError", e[1]), s) for e, s in ref]
    assert compare(prog, ref, other_type).field == "error-type"
    other_text = [(None if e is None else (e[0], "shape mismatch"), s) for e, s in ref]
    assert compare(prog, ref, other_text).field == "error-text"


def test_shrinking_keeps_only_the_steps_the_difference_needs():
    prog = _program(
        "a = torch.tensor([1.0, 2.0], requires_grad=True)",
        "b = a * 3",
        "c = torch.ones(4)",
        "d = a.sin()",
        "e = c + 1",
        "f = d.cos()",
    )
    wrong = _Wrong(cos=lambda t: t)
    prog[-1] = Step("f = torch.cos(d)", "test:cos")
    d = compare(prog, run(prog, torch), run(prog, wrong))
    assert d is not None and d.where.startswith("f")
    small, _ = shrink(prog, torch, wrong, d)
    assert [s.src for s in small] == [
        "a = torch.tensor([1.0, 2.0], requires_grad=True)",
        "d = a.sin()",
        "f = torch.cos(d)",
    ]
