"""torch.profiler and torch.autograd.profiler: the rows, counts, nesting and schedule of
PyTorch's profiler, each compared with PyTorch running the same program."""

import json
import warnings

import pytest

import retrograd

# The rows both libraries record for the step below (PyTorch also records its allocations,
# conjugation checks and leaf accumulations, which retrograd has no op for).
_SHARED = [
    "aten::mm",
    "aten::add",
    "autograd::engine::evaluate_function: MmBackward0",
    "MmBackward0",
    "autograd::engine::evaluate_function: AddBackward0",
    "AddBackward0",
    "autograd::engine::evaluate_function: SumBackward0",
    "SumBackward0",
    "outer",
    "inner",
]


def _training_step(lib, steps=2):
    x = lib.ones(4, 3)
    w = lib.ones(3, 2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (CUDA is not available)
        prof = lib.profiler.profile(
            activities=[lib.profiler.ProfilerActivity.CPU, lib.profiler.ProfilerActivity.CUDA],
            record_shapes=True,
        )
    with prof:
        for _ in range(steps):
            with lib.profiler.record_function("outer"):
                with lib.profiler.record_function("inner"):
                    y = x.mm(w) + b
                loss = y.sum()
            loss.backward()
    return prof


def _counts(prof):
    return {e.key: e.count for e in prof.key_averages() if e.key in _SHARED}


def test_training_step_rows_and_counts(torch_ref):
    got = _counts(_training_step(retrograd))
    assert got == _counts(_training_step(torch_ref))
    assert got["aten::mm"] == 4  # two steps: the forward product and the weight's gradient


def test_record_function_nests_and_times_children():
    prof = _training_step(retrograd, steps=1)
    events = prof.events()
    outer = next(e for e in events if e.name == "outer")
    inner = next(e for e in events if e.name == "inner")
    assert inner.cpu_parent is outer
    assert {c.name for c in inner.cpu_children} == {"aten::mm", "aten::add"}
    assert outer.cpu_time_total >= inner.cpu_time_total >= 0
    assert inner.self_cpu_time_total == pytest.approx(
        inner.cpu_time_total - sum(c.cpu_time_total for c in inner.cpu_children)
    )
    node = next(e for e in events if e.name == "MmBackward0")
    assert node.cpu_parent.name == "autograd::engine::evaluate_function: MmBackward0"
    assert "aten::mm" in {c.name for c in node.cpu_children}


def test_record_function_as_decorator():
    @retrograd.profiler.record_function("my_step")
    def step(x):
        return x * 2

    with retrograd.profiler.profile() as prof:
        step(retrograd.ones(2))
        step(retrograd.ones(2))
    rows = {e.key: e for e in prof.key_averages()}
    assert rows["my_step"].count == 2
    assert rows["aten::mul"].count == 2


def test_nothing_recorded_outside_a_profiler():
    with retrograd.profiler.profile() as prof:
        pass
    retrograd.ones(2) + 1
    assert len(prof.events()) == 0
    assert retrograd._switches.batching is None and retrograd._switches.profiler is None


def test_group_by_input_shape(torch_ref):
    def rows(lib):
        with lib.profiler.profile(record_shapes=True) as prof:
            lib.ones(2, 3).mm(lib.ones(3, 4))
            lib.ones(5, 3).mm(lib.ones(3, 4))
            lib.ones(2, 3).mm(lib.ones(3, 1))
        return sorted(
            (e.key, str(e.input_shapes), e.count)
            for e in prof.key_averages(group_by_input_shape=True)
            if e.key == "aten::mm"
        )

    assert rows(retrograd) == rows(torch_ref)


def test_table_layout(torch_ref):
    def head(lib, **kw):
        with lib.profiler.profile(**kw) as prof:
            lib.ones(2, 3).mm(lib.ones(3, 4))
        lines = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10).splitlines()
        return lines[1].split("  "), lines[-1].split(":")[0], len(lines)

    for kw in ({}, {"profile_memory": True}):
        got = head(retrograd, **kw)
        want = head(torch_ref, **kw)
        assert [c for c in got[0] if c] == [c for c in want[0] if c]
        assert got[1] == want[1] == "Self CPU time total"


def test_chrome_trace(tmp_path):
    prof = _training_step(retrograd, steps=1)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    ops = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {"aten::mm", "outer", "MmBackward0"} <= {e["name"] for e in ops}
    for e in ops:
        assert e["dur"] >= 0 and isinstance(e["ts"], float)


def test_tensorboard_trace_handler(tmp_path):
    handler = retrograd.profiler.tensorboard_trace_handler(str(tmp_path / "log"), "worker0")
    with retrograd.profiler.profile(on_trace_ready=handler):
        retrograd.ones(2) + 1
    (written,) = (tmp_path / "log").iterdir()
    assert written.name.startswith("worker0.") and written.name.endswith(".pt.trace.json")
    names = {e["name"] for e in json.loads(written.read_text())["traceEvents"]}
    assert "aten::add" in names


@pytest.mark.parametrize(
    "kw",
    [
        dict(wait=1, warmup=1, active=2, repeat=2, skip_first=1),
        dict(wait=0, warmup=0, active=1),
        dict(wait=2, warmup=0, active=3, repeat=1),
        dict(wait=2, warmup=1, active=1, skip_first_wait=1),
    ],
)
def test_schedule_actions(torch_ref, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = retrograd.profiler.schedule(**kw)
        want = torch_ref.profiler.schedule(**kw)
    assert [got(i).name for i in range(20)] == [want(i).name for i in range(20)]


@pytest.mark.parametrize(
    "kw",
    [
        dict(wait=1, warmup=1, active=2, repeat=2),
        dict(wait=0, warmup=1, active=1, repeat=0, skip_first=2),
        dict(wait=1, warmup=0, active=3),
    ],
)
def test_schedule_records_the_steps_pytorch_records(torch_ref, kw):
    def traces(lib, steps=11):
        seen = []

        def ready(prof):
            seen.append(sorted(e.key for e in prof.key_averages() if e.key.startswith("s")))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = lib.profiler.schedule(**kw)
        with lib.profiler.profile(schedule=sched, on_trace_ready=ready) as prof:
            for i in range(steps):
                with lib.profiler.record_function(f"s{i:02d}"):
                    lib.ones(1) + 1
                prof.step()
        return seen

    assert traces(retrograd) == traces(torch_ref)


def test_autograd_profiler_legacy(torch_ref):
    def rows(lib):
        with lib.autograd.profiler.profile() as prof:
            (lib.ones(2, requires_grad=True) * 3).sum().backward()
        return sorted(e.key for e in prof.key_averages() if e.key.endswith("Backward0"))

    assert rows(retrograd) == rows(torch_ref)


def test_profiler_around_vmap_and_selective_checkpoint():
    """The op-call handlers of vmap and selective checkpointing take over inside their regions
    (their ops go untimed) and give the profiler's back after."""
    import functools

    cp = retrograd.utils.checkpoint
    context = functools.partial(
        cp.create_selective_checkpoint_contexts,
        lambda ctx, op, *a, **k: cp.CheckpointPolicy.MUST_SAVE,
    )
    x = retrograd.ones(2, 3, requires_grad=True)
    with retrograd.profiler.profile() as prof:
        out = cp.checkpoint(lambda t: t.sin() * 2, x, use_reentrant=False, context_fn=context)
        out.sum().backward()
        batched = retrograd.func.vmap(lambda r: r.cos())(retrograd.ones(2, 3))
        retrograd.ones(2) + 1
    assert x.grad is not None and batched.shape == (2, 3)
    assert {e.key: e.count for e in prof.key_averages()}["aten::add"] >= 1
    assert retrograd._switches.batching is None


def test_acc_events_keeps_every_cycle(torch_ref):
    def traces(lib, acc):
        seen = []

        def ready(prof):
            seen.append(sorted(e.key for e in prof.key_averages() if e.key.startswith("s")))

        sched = lib.profiler.schedule(wait=0, warmup=1, active=1, repeat=3)
        with lib.profiler.profile(schedule=sched, on_trace_ready=ready, acc_events=acc) as p:
            for i in range(7):
                with lib.profiler.record_function(f"s{i}"):
                    lib.ones(1) + 1
                p.step()
        return seen

    for acc in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert traces(retrograd, acc) == traces(torch_ref, acc)


def test_group_by_stack_n():
    def two_places():
        retrograd.ones(2) * 2
        retrograd.ones(2) * 2

    with retrograd.profiler.profile(with_stack=True) as prof:
        two_places()
    muls = [e for e in prof.key_averages(group_by_stack_n=1) if e.key == "aten::mul"]
    assert len(muls) == 2 and all(e.count == 1 for e in muls)
    assert "two_places" in muls[0].stack[0]
    assert [e.count for e in prof.key_averages() if e.key == "aten::mul"] == [2]


def test_a_profiler_leaves_the_op_handler_in_place_its_own(torch_ref):
    """A profiler opened inside a region that decides how ops run (allow_mutation_on_saved_tensors
    keeps the value a node saved before an in-place write; vmap batches) changes no result: the
    saved value is the one before add_, cos(2), not cos(3)."""

    def program(lib):
        x = lib.tensor(2.0, requires_grad=True)
        with lib.autograd.graph.allow_mutation_on_saved_tensors():
            with lib.profiler.profile():
                y = x * 1
                z = y.sin()
                y.add_(1)
            z.backward()
        with lib.profiler.profile():
            batched = lib.func.vmap(lambda t: (t * 2).sum())(lib.ones(3, 2))
        return round(x.grad.item(), 6), batched.tolist()

    assert program(retrograd) == program(torch_ref)


def test_activity_values_and_device_sort_keys_as_pytorch(torch_ref):
    """ProfilerActivity's values are PyTorch's (CUDA 2, HPU 3, MTIA 4); a table sorts by a
    device's times (zeros without one) and flops, and refuses a key no event has."""

    def program(lib):
        activities = [(m.name, m.value) for m in lib.profiler.ProfilerActivity.__members__.values()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.profiler.profile() as p:
                lib.ones(3) + 1
        sorted_by = []
        for key in ("cuda_time_total", "self_cuda_time_total", "device_time_total", "flops", "x"):
            try:
                p.key_averages().table(sort_by=key, row_limit=1)
                sorted_by.append((key, None))
            except AttributeError as e:
                sorted_by.append((key, str(e)))
        return activities, sorted_by

    assert program(retrograd) == program(torch_ref)
