"""``torch.monitor``: PyTorch's events and aggregated statistics, which retrograd does not build.
Importing works; ``Aggregation`` is PyTorch's list of aggregations; each other name raises
``NotImplementedError`` when called or made."""

import enum

from .._device import not_built

__all__ = [
    "Aggregation",
    "Event",
    "EventHandlerHandle",
    "Stat",
    "TensorboardEventHandler",
    "data_value_t",
    "log_event",
    "register_event_handler",
    "unregister_event_handler",
]


class Aggregation(enum.Enum):
    """How a ``Stat`` aggregates its values."""

    VALUE = 0
    MEAN = 1
    COUNT = 2
    SUM = 3
    MAX = 4
    MIN = 5


VALUE, MEAN, COUNT, SUM, MAX, MIN = Aggregation

globals().update(
    not_built(
        "torch.monitor",
        "Event EventHandlerHandle Stat TensorboardEventHandler data_value_t log_event "
        "register_event_handler unregister_event_handler",
    )
)
