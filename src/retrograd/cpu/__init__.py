"""``retrograd.cpu``: ``torch.cpu``, the device every tensor lives on."""

from . import amp

__all__ = [
    "amp",
    "is_available",
    "device_count",
    "current_device",
    "synchronize",
    "set_device",
    "current_stream",
    "stream",
    "Stream",
    "Event",
    "device",
]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def set_device(device) -> None:
    """Only one CPU device exists; as in PyTorch, setting it does nothing."""


def synchronize(device=None) -> None:
    """Every op has finished when it returns: nothing to wait for."""


class Stream:
    """``torch.cpu.Stream``: the CPU runs one stream, in order."""

    def __init__(self, priority: int = -1) -> None:
        self.priority = priority

    def wait_stream(self, stream) -> None:
        pass


_stream = Stream()


def current_stream(device=None) -> Stream:
    return _stream


class StreamContext:
    def __init__(self, stream) -> None:
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def stream(stream) -> StreamContext:
    return StreamContext(stream)


class Event:
    """``torch.cpu.Event``: ops finish in order, so every event has happened when queried."""

    def query(self) -> bool:
        return True

    def record(self, stream=None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def wait(self, stream=None) -> None:
        pass


class device:
    """``torch.cpu.device(idx)``: a block on the CPU, which is where everything runs."""

    def __init__(self, device) -> None:
        self.idx = device

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
