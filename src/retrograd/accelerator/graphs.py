"""``retrograd.accelerator.graphs``: capturing a graph of device work needs an accelerator."""

from .. import _device

__all__ = ["Graph"]


class Graph:
    """``torch.accelerator.Graph``: making one needs an accelerator."""

    def __init__(self, keep_graph: bool = False, *, pool=None):
        raise RuntimeError(_device.NO_ACCELERATOR)
