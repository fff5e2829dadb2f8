"""``torch.utils.benchmark``: timing Python statements as PyTorch's benchmark module does.

``Timer`` runs ``stmt`` after ``setup`` in a copy of ``globals`` (``torch`` is added, meaning
retrograd), with ``torch.set_num_threads(num_threads)`` for the measurement; ``timeit`` takes one
measurement of ``number`` runs after a warm-up, ``blocked_autorange`` grows a block of runs by
tens until the timer's own overhead is negligible and then times blocks until ``min_run_time``
has passed, ``adaptive_autorange`` times blocks until their spread is small.  ``Measurement``
holds the times and prints PyTorch's summary; ``Compare`` lays many out as PyTorch's table.

Not built: C++ statements (``Language.CPP``), Callgrind instruction counts and the fuzzers, which
need PyTorch's C++ library or its own data; each refuses with a NotImplementedError.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import enum
import math
import statistics
import textwrap
import timeit as _timeit
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import retrograd

__all__ = [
    "Colorize",
    "Compare",
    "Language",
    "Measurement",
    "TaskSpec",
    "Timer",
    "ordered_unique",
    "select_unit",
    "set_torch_threads",
    "timer",
    "trim_sigfig",
    "unit_to_english",
]

_MAX_SIGNIFICANT_FIGURES = 4
_MIN_CONFIDENCE_INTERVAL = 25e-9  # a timer cannot resolve finer than this
_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25
_NOT_BUILT = (
    "{what} is not built in retrograd: it times Python statements only "
    "(Timer(stmt, setup, globals=...) with timeit, blocked_autorange or adaptive_autorange)"
)


def timer() -> float:
    """The clock a Timer reads (there is no device to synchronize)."""
    return _timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """What a Timer measures (everything but its globals)."""

    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The label (and sub-label), else the statement."""
        sub = self.sub_label
        if self.label is not None:
            return self.label + (f": {sub}" if sub else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {sub}" if sub else "")
        return f"stmt:{f' ({sub})' if sub else ''}\n" + textwrap.indent(self.stmt, "  ")

    def setup_str(self) -> str:
        if not self.setup or self.setup == "pass":
            return ""
        if "\n" in self.setup:
            return "setup:\n" + textwrap.indent(self.setup, "  ")
        return f"setup: {self.setup}"

    def summarize(self) -> str:
        parts = [self.title, self.description or "", self.setup_str()]
        return "\n".join(p + "\n" if "\n" in p else p for p in parts if p)


_TASK_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


def _quantile(ordered: tuple[float, ...], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolated linearly between neighbours."""
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The times of one or more blocks of ``number_per_run`` runs of a Timer's statement."""

    number_per_run: int
    raw_times: list[float]
    task_spec: TaskSpec
    metadata: dict[Any, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name in _TASK_FIELDS:  # stmt, label, num_threads ... read through to the task
            return getattr(self.task_spec, name)
        raise AttributeError(f"'Measurement' object has no attribute '{name}'")

    @property
    def times(self) -> list[float]:
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def _sorted(self) -> tuple[float, ...]:
        return tuple(sorted(self.times))

    @property
    def median(self) -> float:
        return _quantile(self._sorted, 0.5)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)

    @property
    def iqr(self) -> float:
        ordered = self._sorted
        return _quantile(ordered, 0.75) - _quantile(ordered, 0.25)

    @property
    def significant_figures(self) -> int:
        """Digits the middle half of the times supports (a 90% interval for the median from
        their spread), between 1 and 4; ``Compare`` rounds to them when trimming."""
        ordered = self._sorted
        middle = ordered[len(ordered) // 4 : math.ceil(3 * len(ordered) / 4)]
        spread = 1.645 * statistics.pstdev(middle) / math.sqrt(len(middle))
        digits = math.floor(math.log10(self.median / max(spread, _MIN_CONFIDENCE_INTERVAL)))
        return min(max(digits, 1), _MAX_SIGNIFICANT_FIGURES)

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        return self.iqr / self.median < threshold

    @property
    def _warnings(self) -> tuple[str, ...]:
        if self.meets_confidence(_IQR_WARN_THRESHOLD):
            return ()
        gross = not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD)
        cause = (
            "This suggests significant environmental influence."
            if gross
            else "This could indicate system fluctuation."
        )
        share = self.iqr / self.median * 100
        return (
            f"  WARNING: Interquartile range is {share:.1f}% of the median measurement.\n"
            f"           {cause}",
        )

    @property
    def has_warnings(self) -> bool:
        return bool(self._warnings)

    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def as_row_name(self) -> str:
        return self.sub_label or self.stmt or "[Unknown]"

    def __repr__(self) -> str:
        n = len(self.raw_times)
        unit, scale = select_unit(self.median)
        ordered = self._sorted
        lines = [
            f"<torch.utils.benchmark.utils.common.Measurement object at {hex(id(self))}>",
            self.task_spec.summarize(),
            f"  {'Median: ' if n > 1 else ''}{self.median / scale:.2f} {unit}",
        ]
        if n >= 4:
            p25, p75 = _quantile(ordered, 0.25) / scale, _quantile(ordered, 0.75) / scale
            lines.append(f"  IQR:    {p75 - p25:.2f} {unit} ({p25:.2f} to {p75:.2f})")
        threads = self.num_threads
        lines.append(
            f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
            f"{'per measurement,' if n > 1 else ','} {threads} thread{'s' if threads > 1 else ''}"
        )
        lines.extend(self._warnings)
        return "\n".join(lines)

    @staticmethod
    def merge(measurements: Iterable[Measurement]) -> list[Measurement]:
        """One Measurement per task, its times those of all of the task's measurements."""
        by_task: dict[TaskSpec, list[Measurement]] = collections.defaultdict(list)
        for m in measurements:
            by_task[m.task_spec].append(m)
        return [
            Measurement(1, [t for m in group for t in m.times], task, group[0].metadata)
            for task, group in by_task.items()
        ]


def select_unit(t: float) -> tuple[str, float]:
    """The unit (ns, us, ms or s) a time of ``t`` seconds prints in, and its size in seconds."""
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(math.floor(math.log10(t)) // 3, "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def unit_to_english(u: str) -> str:
    return {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}[u]


def trim_sigfig(x: float, n: int) -> float:
    """``x`` rounded to ``n`` significant figures."""
    if n != int(n):
        raise AssertionError("n must be an integer")
    scale = 10 ** (math.ceil(math.log10(abs(x))) - n)
    return float(round(x / scale) * scale)


def ordered_unique(elements: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(elements))


@contextlib.contextmanager
def set_torch_threads(n: int) -> Iterator[None]:
    before = retrograd.get_num_threads()
    try:
        retrograd.set_num_threads(n)
        yield
    finally:
        retrograd.set_num_threads(before)


class Timer:
    """``torch.utils.benchmark.Timer``: time a Python statement."""

    def __init__(
        self,
        stmt: str = "pass",
        setup: str = "pass",
        global_setup: str = "",
        timer: Callable[[], float] = timer,
        globals: dict[str, Any] | None = None,
        label: str | None = None,
        sub_label: str | None = None,
        description: str | None = None,
        env: str | None = None,
        num_threads: int = 1,
        language: Language | str = Language.PYTHON,
    ) -> None:
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language in (Language.CPP, "cpp", "c++"):
            raise NotImplementedError(_NOT_BUILT.format(what="Timing C++ (Language.CPP)"))
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Invalid language `{language}`.")
        if global_setup:
            raise ValueError(
                f"global_setup is C++ only, got `{global_setup}`. Most "
                "likely this code can simply be moved to `setup`."
            )
        self._globals = dict(globals or {})  # a copy: the statement's assignments stay here
        self._globals.setdefault("torch", retrograd)
        stmt, setup = _trimmed(stmt), _trimmed(setup)
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = TaskSpec(
            stmt, setup, global_setup, label, sub_label, description, env, num_threads
        )

    def _timeit(self, number: int) -> float:
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number: int = 1000000) -> Measurement:
        """One measurement of ``number`` runs, after a warm-up of a hundredth as many."""
        with set_torch_threads(self._task_spec.num_threads):
            self._timeit(max(number // 100, 2))
            return Measurement(number, [self._timeit(number)], self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1) -> None:
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback: Callable[[int, float], Any] | None = None) -> None:
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _block_size(self, min_run_time: float) -> int:
        """Runs per block: tenfold steps until the timer's overhead is under 1e-4 of a block
        lasting a thousandth of ``min_run_time``, or a block outlasts ``min_run_time``."""
        with set_torch_threads(self._task_spec.num_threads):
            overhead = statistics.median(self._timeit(0) for _ in range(5))
            number = 1
            while number * 10 <= 2**31 - 1:
                took = self._timeit(number)
                if (overhead / took <= 1e-4 and took >= min_run_time / 1000) or took > min_run_time:
                    break
                number *= 10
        return number

    def _blocks(self, number, done, min_run_time, max_run_time=None, callback=None) -> Measurement:
        times: list[float] = []
        with set_torch_threads(self._task_spec.num_threads):
            while True:
                times.append(self._timeit(number))
                if callback:
                    callback(number, times[-1])
                total = sum(times)
                if total >= min_run_time and done(times):
                    break
                if max_run_time and total > max_run_time:
                    break
        return Measurement(number, times, self._task_spec)

    def blocked_autorange(
        self, callback: Callable[[int, float], Any] | None = None, min_run_time: float = 0.2
    ) -> Measurement:
        """Blocks of runs, each block long against the timer's overhead, for ``min_run_time``."""
        number = self._block_size(min_run_time)
        return self._blocks(number, lambda times: True, min_run_time, callback=callback)

    def adaptive_autorange(
        self,
        threshold: float = 0.1,
        *,
        min_run_time: float = 0.01,
        max_run_time: float = 10.0,
        callback: Callable[[int, float], Any] | None = None,
    ) -> Measurement:
        """Blocks of runs until there are more than three and their IQR is under ``threshold``
        of their median (or ``max_run_time`` has passed)."""
        number = self._block_size(0.05)

        def done(times: list[float]) -> bool:
            if len(times) <= 3:
                return False
            return Measurement(number, times, self._task_spec).meets_confidence(threshold)

        return self._blocks(number, done, min_run_time, max_run_time, callback)

    def collect_callgrind(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(_NOT_BUILT.format(what="Timer.collect_callgrind"))


def _trimmed(code: str) -> str:
    code = textwrap.dedent(code)
    return (code[1:] if code.startswith("\n") else code).rstrip()


class Colorize(enum.Enum):
    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


_BEST, _GOOD, _BAD, _VERY_BAD = (
    "\033[92m\033[1m",
    "\033[34m\033[1m",
    "\033[2m\033[91m",
    "\033[31m\033[1m",
)
_END = "\033[0m\033[0m"


def _colour(text: str, value: float, best: float) -> str:
    """``text`` coloured by how ``value`` compares with the best of its row or column."""
    if value <= best * 1.01 or value <= best + 100e-9:
        return _BEST + text + _END
    if value <= best * 1.1:
        return _GOOD + text + _END
    if value >= best * 5:
        return _VERY_BAD + text + _END
    if value >= best * 2:
        return _BAD + text + _END
    return text


class Compare:
    """``torch.utils.benchmark.Compare``: measurements as tables, one per label, a column per
    description and a row per sub-label (statement), grouped by thread count and env."""

    def __init__(self, results: list[Measurement]) -> None:
        self._results: list[Measurement] = []
        self.extend_results(results)
        self._trim = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def extend_results(self, results: Iterable[Measurement]) -> None:
        results = list(results)
        for r in results:
            if not isinstance(r, Measurement):
                raise ValueError(f"Expected an instance of `Measurement`, got {type(r)} instead.")
        self._results.extend(results)

    def trim_significant_figures(self) -> None:
        self._trim = True

    def colorize(self, rowwise: bool = False) -> None:
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self) -> None:
        self._highlight_warnings = True

    def print(self) -> None:
        print(str(self))

    def __str__(self) -> str:
        by_label: dict[str | None, list[Measurement]] = collections.defaultdict(list)
        for m in Measurement.merge(self._results):
            by_label[m.label].append(m)
        return "\n".join(self._table(group) for group in by_label.values())

    def _table(self, results: list[Measurement]) -> str:
        unit, scale = select_unit(min(r.median for r in results))
        row_keys = ordered_unique((r.num_threads, r.env, r.as_row_name) for r in results)
        row_keys.sort(key=lambda k: k[:2])  # stable: statements keep their order
        columns = ordered_unique(r.description for r in results)
        cells: dict[tuple, Measurement] = {}
        for r in results:
            cells[(r.num_threads, r.env, r.as_row_name), r.description] = r
        grid = [[cells.get((k, c)) for c in columns] for k in row_keys]
        warn = self._highlight_warnings and any(r.has_warnings for r in results)
        formats = [self._column_format(c, grid, row_keys, scale, warn) for c in range(len(columns))]

        envs = {r.env for r in results}
        env_width = max(len(str(e)) for e in envs) if len(envs) > 1 else 0
        texts = [[""] + [c or "" for c in columns]]
        previous: tuple | None = None  # (threads, env) of the row above: a new group shows its env
        for (threads, env, name), row in zip(row_keys, grid):
            shown = f"({env})" if env_width and (threads, env) != previous else ""
            previous = (threads, env)
            line = ["  " + shown.ljust(env_width + 4) + name]
            for m, (template, warn_col) in zip(row, formats):
                line.append(self._cell(m, template, warn_col, scale))
            texts.append(line)
        widths = [max(len(t[i]) for t in texts) for i in range(len(texts[0]))]
        header = "  |  ".join(t.center(w) for t, w in zip(texts[0], widths))
        lines = [header]
        previous_threads = None
        for (threads, _, _), text, row in zip(row_keys, texts[1:], grid):
            if threads != previous_threads:
                lines.append(f"{threads} threads: ".ljust(len(header), "-"))
                previous_threads = threads
            lines.append("  |  ".join(self._finish(text, widths, row, grid, row_keys, threads)))
        title = f"[{(' ' + (results[0].label or '') + ' ').center(len(header) - 2, '-')}]"
        note = (
            "(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n"
            if warn
            else ""
        )
        body = "\n".join(lines)
        return f"{title}\n{body}\n\nTimes are in {unit_to_english(unit)}s ({unit}).\n{note}"

    def _column_format(self, col, grid, row_keys, scale, warn) -> tuple[str, bool]:
        """The number template of column ``col``: wide enough for its largest value, with one
        decimal, or with trimming as many as its least precise value's figures allow."""
        ms = [row[col] for row in grid if row[col] is not None]
        lead = [math.ceil(math.log10(m.median / scale)) for m in ms]
        decimals = (
            min(max(m.significant_figures - d, 0) for m, d in zip(ms, lead)) if self._trim else 1
        )
        warn_col = warn and any(m.has_warnings for m in ms)
        width = max(lead) + decimals + (1 if decimals else 0)
        return f"{{:>{width}.{decimals}f}}{{:>{7 if warn_col else 0}}}", warn_col

    def _cell(self, m, template, warn_col, scale) -> str:
        if m is None:
            return " " * len(template.format(1, ""))
        value = m.median / scale
        if self._trim:
            value = trim_sigfig(value, m.significant_figures)
        spread = f" (! {m.iqr / m.median * 100:.0f}%)" if warn_col and m.has_warnings else ""
        return template.format(value, spread)

    def _finish(self, text, widths, row, grid, row_keys, threads) -> list[str]:
        out = [text[0].ljust(widths[0])]
        for j, (cell, width, m) in enumerate(zip(text[1:], widths[1:], row)):
            cell = cell.center(width)
            best = self._best(row, j, grid, row_keys, threads)
            if m is not None and best is not None:
                cell = _colour(cell, m.median, best)
            out.append(cell)
        return out

    def _best(self, row, col, grid, row_keys, threads) -> float | None:
        """The best median a cell is coloured against: its row's or, by default, its column's
        within its thread group; None when not colouring."""
        if self._colorize is Colorize.ROWWISE:
            return min(m.median for m in row if m is not None)
        if self._colorize is Colorize.COLUMNWISE:
            group = [r[col] for k, r in zip(row_keys, grid) if k[0] == threads]
            medians = [m.median for m in group if m is not None]
            return min(medians) if medians else None
        return None
