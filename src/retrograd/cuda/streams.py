"""``retrograd.cuda.streams``: streams and events need a GPU; without a stream, a ``stream``
block runs as it is."""

from .. import _device

__all__ = ["Stream", "Event", "StreamContext", "stream", "set_stream"]


class Stream:
    """``torch.cuda.Stream``: needs a GPU."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """``torch.cuda.Event``: needs a GPU."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event")


class StreamContext:
    """``torch.cuda.stream(s)``: with no GPU there is no stream to switch to (and none can be
    made), so the block runs as it is, as in PyTorch's CPU-only build."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def stream(stream) -> StreamContext:
    return StreamContext(stream)


def set_stream(stream) -> None:
    """``torch.cuda.set_stream(None)`` does nothing; any stream would need a GPU."""
    if stream is None:
        return
    stream.stream_id  # noqa: B018  (a stream object without a GPU is never made; others fail here)
    raise AssertionError(_device.NO_CUDA)
