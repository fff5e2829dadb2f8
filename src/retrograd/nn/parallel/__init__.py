"""``retrograd.nn.parallel``: ``DataParallel`` (the CPU-only build's behaviour: it runs the module)
and ``DistributedDataParallel``."""

from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
