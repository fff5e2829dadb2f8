"""How batches travel from the loader's workers back to it (imported when a loader first starts
workers, so that ``import retrograd`` does not pay for ``multiprocessing``).

Batches are pickled onto one result queue. A large tensor's array goes round the pickle
instead: the worker copies it into an anonymous shared-memory file and the pickle carries only
the file descriptor (handed over by ``multiprocessing``'s resource sharer), which the loader maps
as the array of the tensor it rebuilds; no copy is made on the loader's side, and the memory is
freed with the last array that uses it."""

import os
from multiprocessing import queues, reduction

from ...._array import shared_memory, xp
from ....tensor import Tensor, _rebuild
from .worker import ExceptionWrapper, get_worker_info

_SHARED_MIN_BYTES = 1 << 20  # below this, pickling the bytes costs less than passing a file


class _ResultQueue(queues.Queue):
    """The workers' shared result queue. A batch that can't be pickled would otherwise be lost
    in the queue's feeder thread, leaving the parent waiting for it forever; it is answered with
    the pickling error instead."""

    def __init__(self, *, ctx) -> None:
        super().__init__(ctx=ctx)

    def _on_queue_feeder_error(self, e, obj) -> None:
        idx = obj[0] if isinstance(obj, tuple) and len(obj) == 2 else None
        info = get_worker_info()
        where = f"in DataLoader worker process {info.id}" if info else ""
        self.put((idx, ExceptionWrapper((type(e), e, e.__traceback__), where=where)))


def share_large_tensors() -> None:
    """In a worker: send tensors of at least ``_SHARED_MIN_BYTES`` through shared memory
    (where the system has anonymous memory files; elsewhere everything is pickled)."""
    if hasattr(os, "memfd_create"):
        reduction.ForkingPickler.register(Tensor, _reduce_tensor)


def _reduce_tensor(tensor: Tensor):
    array = tensor._data
    if array.nbytes < _SHARED_MIN_BYTES:
        return _rebuild, (array, tensor.requires_grad)
    memory, fd = shared_memory(array.nbytes)
    try:
        with memory:
            xp.frombuffer(memory, dtype=array.dtype).reshape(array.shape)[...] = array
        shared = reduction.DupFd(fd)  # a duplicate, kept until the loader has taken it
    finally:
        os.close(fd)
    return _rebuild_shared, (shared, array.dtype.str, array.shape, tensor.requires_grad)


def _rebuild_shared(shared, dtype: str, shape: tuple, requires_grad: bool) -> Tensor:
    fd = shared.detach()
    try:
        memory, _ = shared_memory(xp.dtype(dtype).itemsize * int(xp.prod(shape)), fd)
    finally:
        os.close(fd)  # the mapping keeps the memory
    return _rebuild(xp.frombuffer(memory, dtype=dtype).reshape(shape), requires_grad)
