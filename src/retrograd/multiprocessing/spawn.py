"""``torch.multiprocessing.spawn``: run ``fn(i, *args)`` in ``nprocs`` new processes, wait for them,
and raise in the parent what went wrong in a child (its traceback, or how it exited), stopping the
others.  Python's ``multiprocessing`` is imported when processes are first started."""

import os
import pickle
import sys
import warnings


class ProcessException(Exception):
    """What went wrong in one of the processes ``spawn`` started (the ``error_index``-th, with
    process id ``error_pid``)."""

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A process raised: the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A process exited with a nonzero code (``exit_code``) or was killed by a signal
    (``signal_name``; ``exit_code`` is then minus the signal's number)."""

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        args = (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)
        return type(self), args


def _wrap(fn, i, args, error_file):
    """A child's body: ``fn(i, *args)``; an exception's traceback is written to ``error_file``
    for the parent, and the child exits with 1."""
    import traceback

    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent stopped us (SIGINT)
    except Exception:
        with open(error_file, "wb") as f:
            pickle.dump(traceback.format_exc(), f)
        sys.exit(1)


class ProcessContext:
    """The processes one ``spawn(join=False)`` started: ``join`` them until it returns True."""

    def __init__(self, processes, error_files):
        self.error_files = error_files
        self.processes = processes
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list:
        return [int(p.pid) for p in self.processes]

    def _stop_all(self, grace_period) -> None:
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        for p in self.processes:
            p.join(grace_period)
            if p.is_alive():
                p.kill()
                p.join()

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: without limit) for a process to end.  True once
        every process has ended well; False while some still run; raises
        ``ProcessRaisedException`` or ``ProcessExitedException`` for the first that failed,
        after stopping the others (SIGTERM, then SIGKILL after ``grace_period`` seconds)."""
        from multiprocessing import connection

        if not self.sentinels:
            return True
        ready = connection.wait(self.sentinels.keys(), timeout=timeout)
        failed = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0:
                failed = index
                break
        if failed is None:
            return not self.sentinels
        self._stop_all(grace_period)
        process = self.processes[failed]
        code = process.exitcode
        if os.path.exists(self.error_files[failed]):
            with open(self.error_files[failed], "rb") as f:
                original = pickle.load(f)
            msg = f"\n\n-- Process {failed} terminated with the following error:\n{original}"
            raise ProcessRaisedException(msg, failed, process.pid)
        if code < 0:
            import signal

            name = signal.Signals(-code).name
            raise ProcessExitedException(
                f"process {failed} terminated with signal {name}",
                failed,
                process.pid,
                code,
                name,
            )
        raise ProcessExitedException(
            f"process {failed} terminated with exit code {code}", failed, process.pid, code
        )


class SpawnContext(ProcessContext):
    """The old name of ``ProcessContext`` (deprecated)."""

    def __init__(self, processes, error_files):
        warnings.warn("SpawnContext is renamed to ProcessContext since 1.4 release.", stacklevel=2)
        super().__init__(processes, error_files)


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes by ``start_method`` (``'spawn'``, ``'fork'``,
    ``'forkserver'``), the i-th running ``fn(i, *args)``; with ``join``, wait for all of them
    (``ProcessContext.join``), else return their ``ProcessContext``."""
    import multiprocessing
    import tempfile

    from . import init_reductions

    init_reductions()
    context = multiprocessing.get_context(start_method)
    error_files, processes = [], []
    for i in range(nprocs):
        with tempfile.NamedTemporaryFile(prefix="retrograd-spawn-", suffix=".pickle") as f:
            error_file = f.name  # (a name nobody has: the child creates it only if it fails)
        process = context.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        error_files.append(error_file)
        processes.append(process)
    processes_context = ProcessContext(processes, error_files)
    if not join:
        return processes_context
    try:
        while not processes_context.join():
            pass
    finally:
        for name in error_files:
            if os.path.exists(name):
                os.unlink(name)
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``torch.multiprocessing.spawn``: ``start_processes`` (by default with the ``'spawn'``
    method: fresh interpreters, ``fn`` and ``args`` sent by pickling, tensors among them
    through shared memory)."""
    if start_method != "spawn":
        warnings.warn(
            f"This method only supports start_method=spawn (got: {start_method}).\n"
            "To use a different start_method use:\n\t\t"
            " torch.multiprocessing.start_processes(...)",
            FutureWarning,
            stacklevel=2,
        )
    return start_processes(fn, args, nprocs, join, daemon, start_method)
