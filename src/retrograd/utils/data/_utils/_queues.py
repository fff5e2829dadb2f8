"""The queue the loader's workers answer on (imported when a loader first starts workers, so
that ``import retrograd`` does not pay for ``multiprocessing``)."""

from multiprocessing import queues

from .worker import ExceptionWrapper, get_worker_info


class _ResultQueue(queues.Queue):
    """The workers' shared result queue. A batch that can't be pickled would otherwise be lost
    in the queue's feeder thread, leaving the parent waiting for it forever; it is answered with
    the pickling error instead."""

    def __init__(self, *, ctx) -> None:
        super().__init__(ctx=ctx)

    def _on_queue_feeder_error(self, e, obj) -> None:
        idx = obj[0] if isinstance(obj, tuple) and len(obj) == 2 else None
        where = f"in DataLoader worker process {get_worker_info().id}" if get_worker_info() else ""
        self.put((idx, ExceptionWrapper((type(e), e, e.__traceback__), where=where)))
