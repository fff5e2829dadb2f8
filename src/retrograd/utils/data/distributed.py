"""``torch.utils.data.distributed``: ``DistributedSampler``, one process's share of a dataset."""

import math
from collections.abc import Iterator

from ... import creation
from .sampler import Sampler


def _process_group_default(what: str) -> int:
    """The world size or rank of the default process group, for a sampler not told it."""
    try:
        from ... import distributed as dist
    except ImportError:
        raise RuntimeError("Requires distributed package to be available") from None
    if not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    return dist.get_world_size() if what == "world_size" else dist.get_rank()


class DistributedSampler(Sampler):
    """The indices replica ``rank`` of ``num_replicas`` reads: the dataset's order (a random
    one seeded by ``seed + epoch`` with ``shuffle``) is padded by repeating its start until all
    replicas get the same count (or cut short with ``drop_last``), then dealt out round-robin.
    Every replica computes the same order, so together they read each index once per epoch
    (up to the padding). Call ``set_epoch`` before each epoch for a new order."""

    def __init__(
        self,
        dataset,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None:
            num_replicas = _process_group_default("world_size")
        if rank is None:
            rank = _process_group_default("rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            generator = creation.Generator().manual_seed(self.seed + self.epoch)
            indices = creation.randperm(n, generator=generator).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[: self.total_size]
        else:
            padding = self.total_size - n
            indices += (indices * math.ceil(padding / n))[:padding] if padding else []
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch that seeds the next pass's order (with ``shuffle``)."""
        self.epoch = epoch


__all__ = ["DistributedSampler"]
