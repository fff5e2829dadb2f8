"""``retrograd.utils.benchmark`` against ``torch.utils.benchmark``: the same recorded times give
the same statistics, summaries and tables; a Timer runs its statement in its own globals."""

import pickle

import pytest

import retrograd
import retrograd.utils.benchmark as benchmark

# blocks of runs with known times (seconds per block), some spread, some tight
TIMES = {
    "spread": (1000, [0.0123, 0.0093, 0.0141, 0.0110, 0.0250, 0.0119, 0.0098, 0.0131]),
    "tight": (100, [5.01e-4, 5.02e-4, 5.00e-4, 5.03e-4, 5.01e-4]),
    "one": (100, [7.19e-4]),
    "three": (10, [3.0e-6, 3.2e-6, 3.1e-6]),
    "slow": (1, [2.5, 2.7, 2.6, 2.55]),
}
TASKS = [
    dict(stmt="f(x, x)", setup="from __main__ import f"),
    dict(stmt="x * 2", setup="y = 1\nz = 2", label="L", sub_label="S", description="D"),
    dict(stmt="a = 1\nb = a + 1", setup="pass", sub_label="two lines", num_threads=4),
]


def _measurement(lib, times, task):
    number, raw = TIMES[times]
    return lib.Measurement(number, list(raw), lib.TaskSpec(**task))


def _without_address(text: str) -> str:
    return text.split("\n", 1)[1]


@pytest.mark.parametrize("task", range(len(TASKS)))
@pytest.mark.parametrize("times", sorted(TIMES))
def test_measurement_statistics_and_summary_match_torch(torch_ref, times, task):
    import torch.utils.benchmark as theirs

    ours_m = _measurement(benchmark, times, TASKS[task])
    theirs_m = _measurement(theirs, times, TASKS[task])
    for name in ("median", "mean", "iqr", "times"):
        assert getattr(ours_m, name) == pytest.approx(getattr(theirs_m, name), rel=1e-12)
    for name in ("significant_figures", "has_warnings", "title", "as_row_name", "env"):
        assert getattr(ours_m, name) == getattr(theirs_m, name), name
    assert ours_m.num_threads == theirs_m.num_threads and ours_m.stmt == theirs_m.stmt
    assert _without_address(repr(ours_m)) == _without_address(repr(theirs_m))
    assert repr(ours_m).startswith("<torch.utils.benchmark.utils.common.Measurement object at")


def _results(lib):
    """A grid of measurements: two sizes (rows), two descriptions (columns), two thread counts,
    one cell missing, and one measurement of another label."""
    out = []
    for threads in (1, 4):
        for i, size in enumerate(("[1, 64]", "[1024, 10000]")):
            for j, desc in enumerate(("mul/sum", "bmm")):
                if (threads, i, j) == (4, 1, 1):
                    continue
                number, raw = TIMES[("spread", "tight", "three", "slow")[(i + 2 * j) % 4]]
                raw = [t * (1 + 0.5 * i + 0.25 * j + 0.1 * threads) for t in raw]
                task = lib.TaskSpec(
                    "batched_dot(x, x)", "pass", label="Batched dot", sub_label=size,
                    description=desc, num_threads=threads,
                )  # fmt: skip
                out.append(lib.Measurement(number, raw, task))
    out.append(
        lib.Measurement(
            100, [1e-3, 1.1e-3], lib.TaskSpec("g()", "pass", label="Other", description="bmm")
        )
    )
    return out


@pytest.mark.parametrize("style", ["plain", "trimmed", "columns", "rows", "warnings"])
def test_compare_table_matches_torch(torch_ref, style):
    import torch.utils.benchmark as theirs

    tables = []
    for lib in (benchmark, theirs):
        compare = lib.Compare(_results(lib))
        if style != "plain":
            compare.trim_significant_figures()
        if style in ("columns", "rows"):
            compare.colorize(rowwise=style == "rows")
        if style == "warnings":
            compare.highlight_warnings()
        tables.append(str(compare))
    assert tables[0] == tables[1]


def test_compare_shows_envs_as_torch(torch_ref):
    import torch.utils.benchmark as theirs

    tables = []
    for lib in (benchmark, theirs):
        results = [
            lib.Measurement(
                10,
                [t * k for t in TIMES["spread"][1]],
                lib.TaskSpec(
                    "dot(x, x)",
                    "pass",
                    label="Batched dot",
                    description=f"[{k}, 1]",
                    env=env,
                    num_threads=threads,
                ),
            )  # fmt: skip
            for env in ("environment A: mul/sum", "environment B: bmm")
            for k in (1, 3)
            for threads in (1, 2)
            if (env[12], threads) != ("B", 1)  # B alone in the 2-thread group: shown again
        ]
        tables.append(str(lib.Compare(pickle.loads(pickle.dumps(results)))))
    assert tables[0] == tables[1]


def test_compare_refuses_what_is_not_a_measurement(torch_ref):
    import torch.utils.benchmark as theirs

    errors = []
    for lib in (benchmark, theirs):
        with pytest.raises(ValueError) as info:
            lib.Compare([1.0])
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_timer_runs_the_statement_in_a_copy_of_its_globals():
    seen = []
    globals_ = {"x": retrograd.ones(3), "seen": seen}
    timer = benchmark.Timer(
        stmt="""
        seen.append(torch.add(x, y))
        """,
        setup="""
        y = x * 2
        """,
        globals=globals_,
        label="add",
    )
    m = timer.timeit(7)
    assert isinstance(m, benchmark.Measurement) and m.number_per_run == 7
    assert len(m.raw_times) == 1 and m.raw_times[0] > 0
    assert len(seen) == 2 + 7  # a warm-up of max(number // 100, 2) runs, then the measurement
    assert seen[-1].tolist() == [3.0, 3.0, 3.0]
    assert (
        "y" not in globals_ and m.stmt == "seen.append(torch.add(x, y))" and m.setup == "y = x * 2"
    )
    assert m.title == "add"


def test_blocked_autorange_measures_blocks_for_the_minimum_time():
    m = benchmark.Timer("sum(range(100))").blocked_autorange(min_run_time=0.05)
    assert sum(m.raw_times) >= 0.05
    assert m.number_per_run >= 1 and str(m.number_per_run).strip("0") == "1"  # a power of ten
    m = benchmark.Timer("sum(range(100))").adaptive_autorange(max_run_time=0.5)
    assert len(m.raw_times) > 3 or sum(m.raw_times) > 0.5


def test_timer_restores_the_thread_count():
    before = retrograd.get_num_threads()
    try:
        retrograd.set_num_threads(3)  # (not the timer's count, whatever the machine's default)
        benchmark.Timer("pass", num_threads=1).timeit(10)
        assert retrograd.get_num_threads() == 3
    finally:
        retrograd.set_num_threads(before)


def test_timer_refusals_match_torch(torch_ref):
    import torch.utils.benchmark as theirs

    for kwargs, error in (
        (dict(stmt=len), ValueError),
        (dict(global_setup="int x = 1;"), ValueError),
        (dict(language="fortran"), ValueError),
    ):
        texts = []
        for lib in (benchmark, theirs):
            with pytest.raises(error) as info:
                lib.Timer(**kwargs)
            texts.append(str(info.value))
        assert texts[0] == texts[1]
    with pytest.raises(NotImplementedError, match="Language.CPP"):
        benchmark.Timer("x * y;", language=benchmark.Language.CPP)
    with pytest.raises(NotImplementedError, match="blocked_autorange"):
        benchmark.Timer().autorange()
