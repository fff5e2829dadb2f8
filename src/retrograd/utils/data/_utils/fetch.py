"""``torch.utils.data._utils.fetch``: read one batch (or one sample) from a dataset, the same
way in the loader's own process and in its workers."""

from .... import creation
from ..dataset import Subset, TensorDataset
from .collate import default_collate


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Takes the next ``len(index)`` samples of the dataset's iterator (the index itself is
    a placeholder); raises StopIteration when the stream has nothing left for a batch."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """``dataset[i]`` for each index of the batch (one ``__getitems__`` call where the dataset
    has it), then ``collate_fn``."""

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if self.collate_fn is default_collate:
            rows = _tensor_rows(self.dataset, possibly_batched_index)
            if rows is not None:
                tensors, index = rows
                return [t[index] for t in tensors]
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            data = getitems(possibly_batched_index)
        else:
            data = [self.dataset[i] for i in possibly_batched_index]
        return self.collate_fn(data)


def _tensor_rows(dataset, indices: list):
    """The tensors of a TensorDataset (possibly inside Subsets) and the index tensor of the
    rows a batch takes, so that the batch is one gather per tensor instead of a stack of single
    rows (the same values); None otherwise: for indices other than plain ints, and for tensors
    that require grad, whose batches must come from ``stack`` to carry its node as in PyTorch."""
    if not indices or any(type(i) is not int for i in indices):
        return None
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset and not any(t.requires_grad for t in dataset.tensors):
        return dataset.tensors, creation.tensor(indices)
    return None
