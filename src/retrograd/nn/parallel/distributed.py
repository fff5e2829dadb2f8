"""``torch.nn.parallel.DistributedDataParallel``: not built yet."""

from ..module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """``nn.parallel.DistributedDataParallel``: data parallelism across processes (not built)."""

    def __init__(self, module, *args, **kwargs) -> None:
        raise NotImplementedError("DistributedDataParallel is not built in retrograd yet; wrap "
                                  "the module in nothing (one process) or in nn.DataParallel")
