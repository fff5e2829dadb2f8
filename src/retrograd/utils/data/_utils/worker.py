"""``torch.utils.data._utils.worker``: what a loader's worker process runs.

A worker takes ``(task index, dataset indices)`` from its own index queue, reads and collates
that batch, and puts ``(task index, batch)`` on the result queue it shares with the other
workers; the parent puts the batches back in order. A failure is sent as an ``ExceptionWrapper``
that the parent re-raises with the worker's traceback. ``None`` on the index queue ends the
worker; so does its parent's death."""

import dataclasses
import os
import queue
import random
import sys

from .... import creation
from ...._array import xp
from . import MP_STATUS_CHECK_INTERVAL


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id`` (0 to num_workers - 1),
    ``num_workers``, the ``seed`` its random generators were seeded with, and ``dataset``, the
    worker's own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """``torch.utils.data.get_worker_info``: this worker's ``WorkerInfo``, or None outside a
    loader's worker process. A dataset or ``worker_init_fn`` uses it to give each worker its own
    share of the work."""
    return _worker_info


@dataclasses.dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's answer once its copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclasses.dataclass(frozen=True)
class _ResumeIteration:
    """Tells a persistent worker that a new pass begins (it answers with the same object)."""


class KeyErrorMessage(str):
    """A KeyError's message that prints as itself: KeyError shows the repr of its argument,
    which would put a traceback on one line with its newlines escaped."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the parent as its type and traceback text
    (the exception object itself may not survive pickling)."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        import traceback

        exc_type, exc_value, tb = exc_info or sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc_value, tb))
        self.where = where

    def reraise(self):
        """Raise an exception of the caught type whose message names where it was caught and
        holds the original traceback; a RuntimeError when the type can't take a message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            del exception  # the frame would hold its own exception: a cycle keeping the loader


def _one_blas_thread() -> None:
    """One BLAS thread per worker, as PyTorch's workers run with one thread each: the workers
    already share the cores between them, and more threads would only contend for them."""
    from .... import _threads

    if _threads._controller() is not None:
        _threads.set_num_threads(1)


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's, retrograd's and NumPy's global generators for this worker, as PyTorch's
    workers do: ``base_seed + worker_id`` for the first two, and for NumPy's legacy global
    state four words mixed from the worker id and the base seed's two halves."""
    seed = base_seed + worker_id
    random.seed(seed)
    creation.manual_seed(seed)
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    xp.random.seed(xp.random.SeedSequence(words).generate_state(4))
    return seed


class _ParentWatch:
    """Tells whether the process that started this worker still runs: its sentinel (a pipe the
    parent holds) wakes a waiting worker when the parent dies; the parent's pid is checked too."""

    def __init__(self) -> None:
        import multiprocessing
        from multiprocessing import connection

        self.sentinel = getattr(multiprocessing.parent_process(), "sentinel", None)
        self.parent_pid = os.getppid()
        self._wait = connection.wait

    def wait(self, reader, timeout: float) -> bool:
        """Wait until ``reader`` has data or the parent is gone; True while the parent runs."""
        self._wait([reader] if self.sentinel is None else [reader, self.sentinel], timeout)
        return self.alive()

    def alive(self) -> bool:
        if self.sentinel is not None and self._wait([self.sentinel], 0):
            return False
        return os.getppid() == self.parent_pid


def _worker_loop(
    dataset_kind,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
) -> None:
    from ..dataloader import _DatasetKind
    from ._transport import share_large_tensors

    global _worker_info
    watch = _ParentWatch()
    share_large_tensors()
    _one_blas_thread()
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"

        def start_pass():
            """A fetcher for a new pass, or the error that answers every task instead."""
            try:
                return _DatasetKind.create_fetcher(
                    dataset_kind, dataset, auto_collation, collate_fn, drop_last
                ), None
            except Exception:
                return None, ExceptionWrapper(where=where)

        init_failed = False
        try:
            if init_fn is not None:
                init_fn(worker_id)
        except Exception:
            init_failed = True  # its error answers every task of every pass
            fetcher, error = None, ExceptionWrapper(where=where)
        else:
            fetcher, error = start_pass()
        iteration_end = False
        while watch.wait(index_queue._reader, MP_STATUS_CHECK_INTERVAL):
            try:
                task = index_queue.get(timeout=0)
            except queue.Empty:
                continue
            if isinstance(task, _ResumeIteration):
                data_queue.put((task, None))
                iteration_end = False
                if not init_failed:
                    fetcher, error = start_pass()
                continue
            if task is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # the parent no longer wants batches of this pass
            idx, index = task
            if error is not None:
                data = error
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=where)
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((idx, data))
            del data, task, index  # don't hold a batch while waiting for the next task
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent handles it
        pass
    if done_event.is_set() or not watch.alive():
        data_queue.cancel_join_thread()  # exit now: nobody will read what is still buffered
    data_queue.close()
