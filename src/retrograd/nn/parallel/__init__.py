"""``retrograd.nn.parallel``: ``DistributedDataParallel`` (multi-process data parallelism on MPI)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
