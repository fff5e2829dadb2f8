"""``torch.Stream`` and ``torch.Event``: the device-generic stream and event objects.

The CPU has one stream, which every operation runs on in order: a stream object stands for it
(``query()`` is True, ``synchronize()`` returns at once), and an event cannot be recorded on it, as
in PyTorch's CPU-only build.  A stream or event of any other device fails as moving memory there
is not linked in.
"""

from . import _device

__all__ = ["Stream", "Event"]

_NO_EVENTS = "cpu backend doesn't support events."


def _check(device) -> None:
    """Streams and events of a device other than the CPU: that device is not linked in."""
    kind = "cpu" if device is None else _device._as_device(device).type
    if kind != "cpu":
        raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")


class Stream:
    """``torch.Stream(device=None, *, priority=0)``: the CPU's one stream."""

    __module__ = "torch"

    def __init__(self, device=None, *, priority=0, stream_id=0, device_index=-1, device_type=0):
        _check(device)
        self.stream_id = stream_id
        self.device_index = device_index
        self.device_type = device_type  # (PyTorch's code of the CPU device type)

    @property
    def device(self):
        return _device.CPU

    @property
    def native_handle(self):
        raise RuntimeError("Backend doesn't support getting stream native handle.")

    def query(self) -> bool:
        return True  # (every operation on the CPU has finished when it returns)

    def synchronize(self) -> None:
        return None

    def is_capturing(self) -> bool:
        return False

    def wait_event(self, event) -> None:
        return None

    def wait_stream(self, stream) -> None:
        raise RuntimeError(_NO_EVENTS)

    def record_event(self, event=None):
        raise RuntimeError(_NO_EVENTS)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def __eq__(self, other):
        if not isinstance(other, Stream):
            return NotImplemented
        key = (self.stream_id, self.device_index, self.device_type)
        return key == (other.stream_id, other.device_index, other.device_type)

    def __hash__(self):
        return hash((self.stream_id, self.device_index, self.device_type))

    def __repr__(self):
        return (
            f"torch.Stream device_type=cpu, device_index={self.device_index}, "
            f"stream_id={self.stream_id}"
        )


class Event:
    """``torch.Event(device=None, *, enable_timing=False, blocking=False, interprocess=False)``:
    made on the CPU, where nothing can record it."""

    __module__ = "torch"

    def __init__(self, device=None, *, enable_timing=False, blocking=False, interprocess=False):
        _check(device)
        self._timing = bool(enable_timing)
        self.event_id = 0

    @property
    def device(self):
        return _device.CPU

    def record(self, stream=None) -> None:
        raise RuntimeError(_NO_EVENTS)

    def query(self) -> bool:
        return True

    def synchronize(self) -> None:
        return None

    def wait(self, stream=None) -> None:
        return None

    def elapsed_time(self, end_event) -> float:
        if not (self._timing and end_event._timing):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        raise ValueError("Both events must be recorded before calculating elapsed time.")

    def ipc_handle(self):
        raise NotImplementedError(
            "torch.Event ipc is not supported yet, please open an issue if you need this!"
        )

    @classmethod
    def from_ipc_handle(cls, device, ipc_handle):
        raise NotImplementedError(
            "torch.Event ipc is not supported yet, please open an issue if you need this!"
        )

    def __repr__(self):
        return (
            f"torch.Event device_type=cpu, device_index=-1, event_flag={int(self._timing)}, "
            f"event_id={self.event_id}"
        )
