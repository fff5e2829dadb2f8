"""``torch.utils.data.dataloader``: ``DataLoader``, in the loader's own process or, with
``num_workers > 0``, in worker processes.

Workers are ``multiprocessing`` processes (the default start method, or the loader's
``multiprocessing_context``). Batches cross back pickled through one result queue (large tensors
through shared memory, see ``_utils._transport``); the parent hands out at most
``prefetch_factor`` tasks per worker, round-robin, and returns batches in task order (or as they
arrive with ``in_order=False``). Workers end when
the pass ends, when the iterator is dropped, or when the parent dies; ``persistent_workers``
keeps them for the next pass."""

import itertools
import math
import os
import pickle
import warnings
from collections.abc import Callable, Iterator

from ... import creation, dtypes
from . import _utils
from ._utils.collate import default_collate, default_convert
from ._utils.fetch import _IterableDatasetFetcher, _MapDatasetFetcher
from ._utils.worker import (
    ExceptionWrapper,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
    get_worker_info,
)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        fetcher = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return fetcher(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """The "indices" of an iterable dataset: None forever (the dataset's stream decides)."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _cpu_count() -> int | None:
    """The CPUs this process may run on (its affinity set where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


_FROZEN_AFTER_INIT = (
    "batch_size",
    "batch_sampler",
    "sampler",
    "drop_last",
    "dataset",
    "persistent_workers",
)


class DataLoader:
    """Iterate over a dataset in batches (``torch.utils.data.DataLoader``)."""

    _initialized = False

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to "
                "disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in "
                "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                "otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            # the stream decides the order: no shuffling, no sampler of indices
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle "
                    f"option, but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler "
                    f"option, but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"batch_sampler option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True
        self._IterableDataset_len_called: int | None = None
        self._iterator: _BaseDataLoaderIter | None = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            import multiprocessing

            if self.num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process "
                    "loading (num_workers > 0), but got "
                    f"num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        "multiprocessing_context option should specify a valid "
                        f"start method in {methods!r}, but got "
                        f"multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context "
                    "object or a string specifying the start method, but got "
                    f"multiprocessing_context={context}"
                )
        self._multiprocessing_context = context

    def __setattr__(self, attr, value) -> None:
        if self._initialized and attr in _FROZEN_AFTER_INIT:
            raise ValueError(
                f"{attr} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(attr, value)

    def _get_iterator(self) -> "_BaseDataLoaderIter":
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self) -> "_BaseDataLoaderIter":
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the loader iterates: lists of indices with batching, single indices without."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            # remembered, to warn when the stream turns out longer than it said
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = (
                    length // self.batch_size
                    if self.drop_last
                    else math.ceil(length / self.batch_size)
                )
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warn when the loader would start more workers than there are CPUs to run them."""
        if not self.num_workers:
            return
        cpus = _cpu_count()
        if cpus is not None and self.num_workers <= cpus:
            return
        if cpus is None:
            suggestion = (
                "DataLoader is not able to compute a suggested max number of worker in "
                "current system."
            )
        else:
            unchecked = (
                "" if hasattr(os, "sched_getaffinity") else " (`cpuset` is not taken into account)"
            )
            suggestion = (
                f"Our suggested max number of worker in current system is {cpus}"
                f"{unchecked}, which is smaller than what this DataLoader is going to "
                "create."
            )
        warnings.warn(
            f"This DataLoader will create {self.num_workers} worker processes in "
            f"total. {suggestion} Please be aware that excessive worker creation might "
            "get DataLoader running slow or even freeze, lower the worker number to "
            "avoid potential slowness/freeze if necessary.",
            stacklevel=2,
        )


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn(
                "pin_memory_device is deprecated, the current accelerator will be used "
                f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                stacklevel=2,
            )
        if loader.pin_memory:  # there is no accelerator: batches stay in ordinary memory
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then "
                "device pinned memory won't be used.",
                stacklevel=2,
            )
        self._pin_memory = False
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # each pass takes one number from the loader's generator, to seed its workers
        self._base_seed = int(
            creation.empty((), dtype=dtypes.int64).random_(generator=loader.generator).item()
        )
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self) -> "_BaseDataLoaderIter":
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # StopIteration ends the pass

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (
            self._dataset_kind == _DatasetKind.Iterable
            and self._IterableDataset_len_called is not None
            and self._num_yielded > self._IterableDataset_len_called
        ):
            message = (
                f"Length of IterableDataset {self._dataset} was reported to be "
                f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                f"{self._num_yielded} samples have been fetched. "
            )
            if self._num_workers > 0:
                message += (
                    "For multiprocessing data-loading, this could be caused by not "
                    "properly configuring the IterableDataset replica at each worker. "
                    "Please see https://pytorch.org/docs/stable/data.html#torch.utils."
                    "data.IterableDataset for examples."
                )
            warnings.warn(message, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError("{} cannot be pickled", type(self).__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind,
            self._dataset,
            self._auto_collation,
            self._collate_fn,
            self._drop_last,
        )

    def _next_data(self):
        return self._dataset_fetcher.fetch(self._next_index())


# How long answers of the other workers are waited for once a worker is seen dead (seconds).
_GRACE = 0.5

_PICKLE_ERROR_HINT = (
    "Got pickle error when attempting to start a worker Process. This might be because the "
    "worker Process arguments are not picklable. Python 3.14+ changed the multiprocessing start "
    "method in non-Mac POSIX platforms to 'forkserver', which requires the worker Process "
    "arguments to be picklable. You can also try multiprocessing.set_start_method('fork')."
)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """One pass (or, with persistent workers, every pass) over the dataset in worker processes.

    Bookkeeping: ``_task_info`` maps each task sent and not yet answered to its worker;
    ``_results`` holds answers that came before their turn. ``_rcvd_idx`` is the next task to
    return; a task that is in neither (its worker's stream ended first) is skipped."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        import multiprocessing
        from multiprocessing import connection

        from ._utils._transport import _ResultQueue

        self._wait = connection.wait
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._shutdown = False
        self._owner_pid = os.getpid()
        self._workers_status = [True] * self._num_workers
        self._workers = []
        self._index_queues = []
        self._worker_result_queue = _ResultQueue(ctx=context)
        self._workers_done_event = context.Event()
        try:
            for worker_id in range(self._num_workers):
                index_queue = context.Queue()
                index_queue.cancel_join_thread()  # a dead worker must not block our exit
                worker = context.Process(
                    target=_worker_loop,
                    args=(
                        self._dataset_kind,
                        self._dataset,
                        index_queue,
                        self._worker_result_queue,
                        self._workers_done_event,
                        self._auto_collation,
                        self._collate_fn,
                        self._drop_last,
                        self._base_seed,
                        loader.worker_init_fn,
                        worker_id,
                        self._num_workers,
                    ),
                )
                worker.daemon = True  # ended by multiprocessing when the program exits
                try:
                    worker.start()
                except (TypeError, AttributeError, pickle.PicklingError):
                    warnings.warn(_PICKLE_ERROR_HINT, stacklevel=2)
                    raise
                self._index_queues.append(index_queue)
                self._workers.append(worker)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info: dict = {}
        self._results: dict = {}
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: start their next pass, drop the last one's
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            resumed = 0
            while resumed < self._num_workers:
                idx, _ = self._get_data()
                resumed += isinstance(idx, _ResumeIteration)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _active_sentinels(self) -> list:
        return [w.sentinel for w, active in zip(self._workers, self._workers_status) if active]

    def _get_data(self):
        """The next answer from any worker; raises if a working worker died or, with a
        ``timeout``, when none comes in time."""
        reader = self._worker_result_queue._reader
        timeout = self._timeout if self._timeout > 0 else None
        while True:
            ready = self._wait([reader, *self._active_sentinels()], timeout)
            if reader in ready:
                try:
                    return self._worker_result_queue.get()
                except (OSError, EOFError):  # a shared batch whose worker died before handing
                    self._raise_if_a_worker_died()  # over its memory
                    if all(w.is_alive() for w in self._workers):
                        raise
                    continue  # a batch of a worker already reported dead
            if not ready:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            # A worker died: what the others have sent or are about to send comes first, as
            # PyTorch looks at its workers only when no answer comes for a while.
            if self._wait([reader], _GRACE):
                continue
            self._raise_if_a_worker_died()

    def _raise_if_a_worker_died(self) -> None:
        dead = [
            worker_id
            for worker_id, (w, active) in enumerate(zip(self._workers, self._workers_status))
            if active and not w.is_alive()
        ]
        if dead:
            for worker_id in dead:  # iterating on skips its batches, as PyTorch does
                self._retire(worker_id)
            pids = ", ".join(str(self._workers[worker_id].pid) for worker_id in dead)
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")

    def _next_data(self):
        while True:
            while (
                self._rcvd_idx < self._send_idx
                and self._rcvd_idx not in self._results
                and self._rcvd_idx not in self._task_info
            ):
                self._rcvd_idx += 1  # its worker's stream ended before answering it
            if self._rcvd_idx == self._send_idx:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._results:
                data, worker_id = self._results.pop(self._rcvd_idx)
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            worker_id = self._task_info.pop(idx, None)
            if worker_id is None:
                continue  # an answer from a worker reported dead
            if isinstance(data, _IterableDatasetStopIteration):
                self._stream_ended(worker_id)
                continue
            if idx == self._rcvd_idx or not self._in_order:
                return self._process_data(data, worker_id)
            self._results[idx] = (data, worker_id)

    def _stream_ended(self, worker_id: int) -> None:
        """Worker ``worker_id`` has exhausted its copy of the iterable dataset: give its share
        of the prefetching to the others."""
        self._retire(worker_id)
        if not self._persistent_workers:
            self._index_queues[worker_id].put(None)
        self._try_put_index()

    def _retire(self, worker_id: int) -> None:
        """Send worker ``worker_id`` no more tasks and expect no answer to those it has."""
        for idx in [i for i, w in self._task_info.items() if w == worker_id]:
            del self._task_info[idx]
        self._workers_status[worker_id] = False

    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        if len(self._task_info) >= max_tasks:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        active = sum(self._workers_status)
        for _ in range(self._num_workers):  # the next active worker, round-robin
            worker_id = next(self._worker_queue_idx_cycle)
            if not self._workers_status[worker_id]:
                continue
            if self._in_order or (
                sum(w == worker_id for w in self._task_info.values()) < max_tasks // active
            ):
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = worker_id
        self._send_idx += 1

    def _process_data(self, data, worker_id: int):
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        """Stop the workers: ask each to end, wait a while, then terminate the stragglers.
        At interpreter exit, multiprocessing ends the (daemonic) workers itself."""
        if _utils.python_exit_status or self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id, index_queue in enumerate(self._index_queues):
                if self._persistent_workers or self._workers_status[worker_id]:
                    index_queue.put(None)
            for w in self._workers:
                w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            for index_queue in self._index_queues:
                index_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)

    def __del__(self) -> None:
        # a worker forked from this process inherits this object: only its owner stops workers
        if hasattr(self, "_shutdown") and self._owner_pid == os.getpid():
            self._shutdown_workers()


__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
