"""``torch.futures``: ``Future``, a value that may come later (``jit.fork`` returns one; users
chain callbacks with ``then``), and ``collect_all`` / ``wait_all`` over several."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Future", "collect_all", "wait_all"]

T = TypeVar("T")
S = TypeVar("S")


class Future(Generic[T]):
    """``torch.futures.Future``: completed once, by ``set_result`` or ``set_exception``; ``wait``
    blocks until then and returns the value (or raises the error); callbacks run when it
    completes, or at once when added to a completed one."""

    def __init__(self, *, devices: list | None = None) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], None]] = []

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> T:
        self._done.wait()
        return self.value()

    def value(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value

    def _complete(self, value: Any, error: BaseException | None) -> None:
        with self._lock:
            if self._done.is_set():
                raise RuntimeError(
                    "Attempting to mark a completed Future as complete again. Note that a Future "
                    "can only be marked completed once."
                )
            self._value, self._error = value, error
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)

    def set_result(self, result: T) -> None:
        self._complete(result, None)

    def set_exception(self, result: BaseException) -> None:
        if not isinstance(result, BaseException):
            raise AssertionError(f"{result} is of type {type(result)}, not an Exception.")
        self._complete(None, result)

    def add_done_callback(self, callback: Callable[[Future[T]], None]) -> None:
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self)

    def then(self, callback: Callable[[Future[T]], S]) -> Future[S]:
        """A new future completed with ``callback(self)`` (or its error) once this one is."""
        chained: Future[S] = Future()

        def run(done: Future[T]) -> None:
            try:
                result = callback(done)
            except Exception as e:  # (PyTorch's wrapping: the error and where it was raised)
                where = "".join(traceback.format_tb(e.__traceback__))
                chained.set_exception(
                    RuntimeError(
                        "Got the following error when running the callback: "
                        f"{type(e).__name__}: {e}\n\nAt:\n{where}"
                    )
                )
            else:
                chained.set_result(result)

        self.add_done_callback(run)
        return chained


def collect_all(futures: list[Future]) -> Future[list[Future]]:
    """A future completed with the list of ``futures`` once every one of them is."""
    together: Future[list[Future]] = Future()
    left = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Future) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            together.set_result(list(futures))

    if not futures:
        together.set_result([])
    for f in futures:
        f.add_done_callback(one_done)
    return together


def wait_all(futures: list[Future]) -> list:
    """The values of ``futures``, waiting for each (the first error raised)."""
    return [f.wait() for f in futures]
