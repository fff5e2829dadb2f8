"""``torch.profiler``: the profiler with activities, a schedule of steps and a handler for each
trace it completes, over ``autograd.profiler``'s collector (the CPU's ops and nodes).

CUDA and other devices' activities are accepted and record nothing, as in PyTorch's CPU-only
build, which warns that CUDA is not available.
"""

from __future__ import annotations

import enum
import os
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.profiler import (
    EventList,
    FunctionEvent,
    FunctionEventAvg,
    _Collector,
    _start,
    _stop,
    record_function,
)

__all__ = [
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
    "ExecutionTraceObserver",
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
]


class ProfilerActivity(enum.Enum):
    """What a profiler records: the CPU's ops (the one activity retrograd has), or a device's."""

    CPU = 0
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


def supported_activities() -> set[ProfilerActivity]:
    """The activities this build can record: the CPU alone."""
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What a profiler does at a step of its schedule."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """The action of each step: ``skip_first`` steps idle, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recorded steps (the last one saves), ``repeat`` cycles (0: for
    ever); ``skip_first_wait`` leaves out the first cycle's wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )

    def action(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError("step must be non-negative")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait and wait:
            step += wait  # (as though the first wait had passed)
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _always(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(
    dir_name: str, worker_name: str | None = None, use_gzip: bool = False
) -> Callable[[profile], None]:
    """An ``on_trace_ready`` handler writing each trace into ``dir_name`` as
    ``<worker>.<milliseconds>.pt.trace.json`` (``.gz`` when ``use_gzip``), TensorBoard's layout."""

    def handler(prof: profile) -> None:
        import socket

        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"
        if use_gzip:
            name += ".gz"
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler


class profile:
    """``torch.profiler.profile``: a context manager that records the steps its ``schedule``
    marks (every step without one), calls ``on_trace_ready(self)`` when a recorded cycle ends,
    and reports the last trace (``key_averages``, ``table``, ``export_chrome_trace``)."""

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[..., Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Any = None,
    ) -> None:
        chosen = set(activities) if activities is not None else supported_activities()
        if use_cuda:
            chosen.add(ProfilerActivity.CUDA)
        if ProfilerActivity.CUDA in chosen:
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)
        self.activities = chosen
        self.schedule = schedule or _always
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.acc_events = acc_events
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._recording: _Collector | None = None
        self._last: _Collector | None = None
        self._saved: _Collector | None = None

    # -- the schedule's transitions -----------------------------------------------------------

    def _begin(self) -> None:
        if self._recording is None and ProfilerAction(self.current_action) != ProfilerAction.NONE:
            self._recording = _Collector(self.record_shapes, self.profile_memory, self.with_stack)
            self._recording.warming = self.current_action == ProfilerAction.WARMUP
            _start(self._recording)

    def _finish(self, save: bool) -> None:
        collector, self._recording = self._recording, None
        if collector is None:
            return
        _stop(collector)
        if collector.warming:
            return  # (a warm-up left unrecorded: nothing to report)
        if self.acc_events and self._last is not None:  # (the cycles' events kept together)
            collector.events = self._last.events + collector.events
        self._last = collector
        if save and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def start(self) -> None:
        self._begin()

    def stop(self) -> None:
        action = self.current_action
        if self._recording is not None:
            if action == ProfilerAction.WARMUP:
                self._recording.warming = False  # (PyTorch records a warm-up cut short)
            self._finish(save=True)

    def step(self) -> None:
        """End the current step and act on the next one's action."""
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        now = self.current_action
        if previous == ProfilerAction.RECORD_AND_SAVE or (
            previous in (ProfilerAction.RECORD, ProfilerAction.WARMUP)
            and now == ProfilerAction.NONE
        ):
            if previous == ProfilerAction.WARMUP and self._recording is not None:
                self._recording.warming = False
            self._finish(save=True)
        elif (
            previous == ProfilerAction.WARMUP
            and now in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
            and self._recording is not None
        ):
            _stop(self._recording)  # the warm-up's events are dropped; recording starts afresh
            self._recording = None
        self._begin()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the last trace -----------------------------------------------------------------------

    def events(self) -> EventList:
        collector = self._last
        if collector is None:
            raise AssertionError("Profiler has no trace: no step of its schedule was recorded")
        return EventList(
            collector.events,
            profile_memory=self.profile_memory,
            with_shapes=self.record_shapes,
        )

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0, **_: Any
    ) -> EventList:
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        self.events().export_chrome_trace(path)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        """Each event's Python stack with its time, one line each (flame graph tools' input)."""
        with open(path, "w") as f:
            for e in self.events():
                if e.stack:
                    t = int(getattr(e, metric))
                    f.write(";".join(reversed(e.stack)) + f" {t}\n")

    def table(self, *args: Any, **kwargs: Any) -> str:
        return self.key_averages().table(*args, **kwargs)


class ExecutionTraceObserver:
    """PyTorch's execution-graph observer, which retrograd does not build."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("torch.profiler.ExecutionTraceObserver is not built in retrograd")
