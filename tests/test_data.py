"""retrograd.utils.data: datasets, samplers, collation, DataLoader and random_split."""

import warnings
from collections import Counter, OrderedDict, namedtuple

import numpy as np
import pytest

import retrograd
from retrograd.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": float(i), "y": i * i, "name": f"s{i}"}

    def __len__(self):
        return self.n


def test_collate_numbers_strings_and_containers(torch_ref):
    from torch.utils.data import default_collate as torch_collate

    batches = [
        [1, 2, 3], [1.5, 2.5], [True, False], ["a", "b"],
        [(1, 2.0), (3, 4.0)], [[1, 2], [3, 4]], [{"a": 1, "b": 0.5}, {"a": 2, "b": 1.5}],
        [np.float32(1.0), np.float32(2.0)], [np.int32(3), np.int32(4)],
    ]
    for batch in batches:
        assert _plain(default_collate(batch)) == _plain(torch_collate(batch)), batch


def _plain(value):
    """A comparable form: tensors as (dtype name, values), containers walked."""
    if hasattr(value, "dtype") and hasattr(value, "tolist"):
        return (str(value.dtype).replace("torch.", ""), value.tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_plain(v) for v in value])
    return value


def test_collate_keeps_mapping_and_namedtuple_types():
    Point = namedtuple("Point", "x y")
    out = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(out) is Point and out.x.tolist() == [1, 3]
    out = default_collate([OrderedDict(a=1), OrderedDict(a=2)])
    assert type(out) is OrderedDict and out["a"].tolist() == [1, 2]


def test_collate_errors_match_torch(torch_ref):
    from torch.utils.data import default_collate as torch_collate

    for batch in ([object()], [[1, 2], [3]]):
        with pytest.raises(Exception) as theirs:
            torch_collate(batch)
        with pytest.raises(type(theirs.value)) as ours:
            default_collate(batch)
        assert str(ours.value).replace("retrograd", "torch") == str(theirs.value)


def test_collate_stacks_tensors_and_arrays():
    out = default_collate([retrograd.ones(2), retrograd.zeros(2)])
    assert out.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    out = default_collate([np.ones(2), np.zeros(2)])
    assert out.dtype == retrograd.float64 and out.shape == (2, 2)
    out = default_collate([{"x": retrograd.ones(3), "y": 1}] * 2)
    assert out["x"].shape == (2, 3) and out["y"].tolist() == [1, 1]


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = retrograd.Generator().manual_seed(3)
    order = list(RandomSampler(range(10), generator=g))
    assert sorted(order) == list(range(10)) and order != list(range(10))
    g.manual_seed(3)
    assert list(RandomSampler(range(10), generator=g)) == order
    assert len(RandomSampler(range(10), num_samples=25)) == 25
    counts = sorted(Counter(RandomSampler(range(10), num_samples=25)).values())
    assert counts == [2] * 5 + [3] * 5  # two whole passes, then half of a third
    batches = list(BatchSampler(range(7), 3, drop_last=False))
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3
    assert len(BatchSampler(range(7), 3, True)) == 2


def test_loader_over_a_map_dataset_collates_dicts_and_has_len():
    loader = DataLoader(Squares(7), batch_size=3)
    assert len(loader) == 3
    batches = list(loader)
    assert [b["y"].tolist() for b in batches] == [[0, 1, 4], [9, 16, 25], [36]]
    assert batches[0]["x"].dtype == retrograd.float64
    assert batches[2]["name"] == ["s6"]
    loader = DataLoader(Squares(7), batch_size=3, drop_last=True)
    assert len(loader) == 2 and len(list(loader)) == 2


def test_shuffle_uses_the_generator_and_changes_each_epoch():
    def epoch_orders(seed):
        g = retrograd.Generator().manual_seed(seed)
        loader = DataLoader(Squares(20), batch_size=4, shuffle=True, generator=g)
        return [[y for b in loader for y in b["y"].tolist()] for _ in range(2)]

    first, second = epoch_orders(5)
    assert sorted(first) == sorted(i * i for i in range(20))
    assert first != second
    assert epoch_orders(5) == [first, second]
    assert epoch_orders(6) != [first, second]


def test_shuffle_follows_manual_seed_without_a_generator():
    def order():
        retrograd.manual_seed(11)
        return [b["y"].item() for b in DataLoader(Squares(10), shuffle=True)]

    assert order() == order()


def test_tensor_dataset_and_loader_batches():
    x = retrograd.arange(10.0).reshape(5, 2)
    y = retrograd.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[1]
    assert xi.tolist() == [2.0, 3.0] and yi.item() == 1
    batches = list(DataLoader(ds, batch_size=2))
    assert isinstance(batches[0], list) and len(batches) == 3
    assert batches[0][0].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert batches[2][1].tolist() == [4]
    assert batches[0][1].dtype == retrograd.int64


def test_tensor_dataset_batches_equal_per_sample_collation():
    """The loader gathers TensorDataset rows in one go; that must equal stacking samples."""
    g = retrograd.Generator().manual_seed(0)
    ds = TensorDataset(retrograd.randn(13, 3), retrograd.arange(13))
    train, _ = random_split(ds, [0.7, 0.3], generator=g)
    fast = list(DataLoader(train, batch_size=4))
    slow = list(DataLoader(train, batch_size=4, collate_fn=lambda b: default_collate(b)))
    assert [[t.tolist() for t in b] for b in fast] == [[t.tolist() for t in b] for b in slow]


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(retrograd.ones(3), retrograd.ones(4))


def test_batch_size_none_yields_single_converted_samples():
    loader = DataLoader([np.ones(2), np.zeros(2)], batch_size=None)
    out = list(loader)
    assert len(loader) == 2 and isinstance(out[0], retrograd.Tensor)
    assert out[1].tolist() == [0.0, 0.0]


def test_custom_collate_and_batch_sampler():
    loader = DataLoader(list(range(6)), batch_sampler=[[5, 0], [2]], collate_fn=list)
    assert list(loader) == [[5, 0], [2]]
    assert len(loader) == 2


def test_iterable_dataset():
    class Count(IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 5

    loader = DataLoader(Count(), batch_size=2)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    assert len(loader) == 3
    assert [b.tolist() for b in DataLoader(Count(), batch_size=2, drop_last=True)] == [[0, 1],
                                                                                      [2, 3]]


@pytest.mark.parametrize("kwargs", [
    {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
])
def test_loader_option_errors_match_torch(kwargs, torch_ref):
    with pytest.raises(ValueError) as theirs:
        torch_ref.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_random_split_lengths_and_fractions_match_torch_sizes(torch_ref):
    g = retrograd.Generator().manual_seed(1)
    for lengths in ([3, 7], [0.33, 0.33, 0.34], [0.5, 0.5], [0.1, 0.9]):
        for n in (10, 11):
            if isinstance(lengths[0], int) and sum(lengths) != n:
                continue
            ours = random_split(range(n), lengths, generator=g)
            theirs = torch_ref.utils.data.random_split(range(n), lengths)
            assert [len(s) for s in ours] == [len(s) for s in theirs]
            assert sorted(i for s in ours for i in s) == list(range(n))


def test_random_split_is_reproducible_and_checks_lengths():
    def split(seed):
        return [list(s) for s in random_split(range(10), [4, 6],
                                              generator=retrograd.Generator().manual_seed(seed))]

    assert split(2) == split(2) and split(2) != split(3)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(2), [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 1]
    assert "Length of split at index 1 is 0" in str(caught[0].message)


def test_subset_and_concat():
    sub = Subset(Squares(10), [9, 2])
    assert len(sub) == 2 and sub[0]["y"] == 81 and sub[1]["y"] == 4
    both = Squares(3) + Squares(2)
    assert isinstance(both, ConcatDataset) and len(both) == 5
    assert [both[i]["y"] for i in range(5)] == [0, 1, 4, 0, 1]
    assert both[-1]["y"] == 1


def test_batches_of_tensors_that_require_grad_stay_in_the_graph(torch_ref):
    def grad_fns(m):
        x = m.arange(6.0).reshape(3, 2).requires_grad_()
        batch = next(iter(m.utils.data.DataLoader(m.utils.data.TensorDataset(x), batch_size=2)))
        batch[0].sum().backward()
        return type(batch[0].grad_fn).__name__, x.grad.tolist()

    assert grad_fns(retrograd) == grad_fns(torch_ref)
