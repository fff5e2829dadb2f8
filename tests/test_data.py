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
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        ["a", "b"],
        [(1, 2.0), (3, 4.0)],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": 0.5}, {"a": 2, "b": 1.5}],
        [np.float32(1.0), np.float32(2.0)],
        [np.int32(3), np.int32(4)],
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
    assert [b.tolist() for b in DataLoader(Count(), batch_size=2, drop_last=True)] == [
        [0, 1],
        [2, 3],
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
    ],
)
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
        return [
            list(s)
            for s in random_split(
                range(10), [4, 6], generator=retrograd.Generator().manual_seed(seed)
            )
        ]

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


# --- module layout ------------------------------------------------------------------------------
def test_module_paths_resolve_to_the_same_objects(torch_ref):
    import importlib

    from retrograd.utils import data

    for module, names in {
        "dataloader": [
            "DataLoader",
            "default_collate",
            "default_convert",
            "get_worker_info",
            "_DatasetKind",
        ],
        "dataset": [
            "Dataset",
            "IterableDataset",
            "TensorDataset",
            "StackDataset",
            "ConcatDataset",
            "ChainDataset",
            "Subset",
            "random_split",
        ],
        "sampler": [
            "Sampler",
            "SequentialSampler",
            "RandomSampler",
            "SubsetRandomSampler",
            "WeightedRandomSampler",
            "BatchSampler",
        ],
        "distributed": ["DistributedSampler"],
        "_utils.collate": ["default_collate", "default_convert"],
        "_utils.worker": ["get_worker_info"],
    }.items():
        ours = importlib.import_module(f"retrograd.utils.data.{module}")
        theirs = importlib.import_module(f"torch.utils.data.{module}")
        for name in names:
            assert hasattr(theirs, name), (module, name)
            assert getattr(ours, name) is getattr(data, name), (module, name)
    datapipes = {
        "DFIterDataPipe",
        "DataChunk",
        "IterDataPipe",
        "MapDataPipe",
        "argument_validation",
        "functional_datapipe",
        "guaranteed_datapipes_determinism",
        "non_deterministic",
        "runtime_validation",
        "runtime_validation_disabled",
    }
    assert set(data.__all__) == set(torch_ref.utils.data.__all__) - datapipes
    from retrograd.utils.data._utils.collate import collate, default_collate_fn_map  # noqa: F401

    assert isinstance(data.Dataset[int], type) and isinstance(data.Sampler[int], type)


# --- collation, compared with PyTorch -----------------------------------------------------------
Pair = namedtuple("Pair", "a b")


def _collate_cases(m):
    """Batches built from library ``m`` (retrograd or torch), so tensors are of that library."""
    return [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        ["a", "b"],
        [b"a", b"b"],
        [(1, 2.0), (3, 4.0)],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": 0.5}, {"a": 2, "b": 1.5}],
        [np.float32(1.0), np.float32(2.0)],
        [np.int32(3), np.int32(4)],
        [np.bool_(True)] * 2,
        [np.float64(0.5), np.float64(1.5)],
        [np.uint8(7), np.uint8(9)],
        [np.arange(3), np.arange(3) * 2],
        [np.ones((2, 2), np.float32)] * 3,
        [np.array([True, False])] * 2,
        [np.array(1.5), np.array(2.5)],
        [Pair(1, "x"), Pair(2, "y")],
        [
            {"img": m.ones(2, 3), "meta": {"id": 1, "tags": ["p", "q"]}},
            {"img": m.zeros(2, 3), "meta": {"id": 2, "tags": ["r", "s"]}},
        ],
        [m.tensor([1, 2], dtype=m.int16), m.tensor([3, 4], dtype=m.int16)],
        [(m.tensor(1.0), [np.int64(1), 2.0])] * 2,
        [OrderedDict(z=1, a=2)] * 2,
    ]


def test_default_collate_matches_torch_on_many_sample_types(torch_ref):
    for ours, theirs in zip(_collate_cases(retrograd), _collate_cases(torch_ref)):
        a = default_collate(ours)
        b = torch_ref.utils.data.default_collate(theirs)
        assert _plain(a) == _plain(b), ours
        assert type(a) is type(b) or type(b).__module__.startswith("torch")


def test_default_convert_matches_torch(torch_ref):
    from retrograd.utils.data import default_convert

    cases = [
        np.ones(2),
        np.float32(2.0),
        np.int8(3),
        np.array(["a"]),
        np.str_("s"),
        (np.ones(1), 2),
        [np.zeros(2), "x"],
        {"a": np.int16(1), "b": [np.ones(1)]},
        Pair(np.ones(1), 3),
        5,
        "text",
        b"raw",
        1.5,
    ]
    for case in cases:
        a, b = default_convert(case), torch_ref.utils.data.default_convert(case)
        assert type(a).__name__ == type(b).__name__, case
        assert _plain(a) == _plain(b), case


def test_collate_with_an_extended_map(torch_ref):
    from retrograd.utils.data._utils.collate import collate, default_collate_fn_map

    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return sum(b.v for b in batch)

    out = collate(
        [{"b": Box(1), "n": 2}, {"b": Box(5), "n": 3}],
        collate_fn_map={**default_collate_fn_map, Box: collate_box},
    )
    assert out["b"] == 6 and out["n"].tolist() == [2, 3]


def test_collate_text_arrays_and_empty_batches_fail_as_in_torch(torch_ref):
    for batch in ([np.array(["a"]), np.array(["b"])], [], [np.array([object()])]):
        with pytest.raises(Exception) as theirs:
            torch_ref.utils.data.default_collate(batch)
        with pytest.raises(type(theirs.value)) as ours:
            default_collate(batch)
        assert str(ours.value) == str(theirs.value)


# --- datasets -----------------------------------------------------------------------------------
def test_stack_dataset_matches_torch(torch_ref):
    def run(m):
        D = m.utils.data
        a, b = D.TensorDataset(m.arange(4)), list("wxyz")
        tup, dic = D.StackDataset(a, b), D.StackDataset(x=a, y=b)
        loaded = [_plain(batch) for batch in D.DataLoader(dic, batch_size=3)]
        return (
            len(tup),
            _plain(tup[1]),
            _plain(dic[2]),
            _plain(tup.__getitems__([3, 0])),
            _plain(dic.__getitems__([1])),
            loaded,
        )

    assert run(retrograd) == run(torch_ref)
    for args, kwargs in [
        ((), {}),
        (([1],), {"y": [1]}),
        (([1], [1, 2]), {}),
        ((), {"x": [1], "y": [1, 2]}),
    ]:
        with pytest.raises(ValueError) as theirs:
            torch_ref.utils.data.StackDataset(*args, **kwargs)
        with pytest.raises(ValueError) as ours:
            retrograd.utils.data.StackDataset(*args, **kwargs)
        assert str(ours.value) == str(theirs.value)


def _count_class(base):
    class Count(base):
        def __init__(self, start, stop):
            self.start, self.stop = start, stop

        def __iter__(self):
            return iter(range(self.start, self.stop))

        def __len__(self):
            return self.stop - self.start

    return Count


Count = _count_class(IterableDataset)


def test_chain_dataset_and_iterable_add():
    from retrograd.utils.data import ChainDataset

    chain = Count(0, 3) + Count(10, 12)
    assert isinstance(chain, ChainDataset)
    assert list(chain) == [0, 1, 2, 10, 11] and len(chain) == 5
    assert [b.tolist() for b in DataLoader(chain, batch_size=2)] == [[0, 1], [2, 10], [11]]
    bad = ChainDataset([Count(0, 1), [5]])
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(bad)
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(bad)
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Count(0, 1)])
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])


def test_subset_reads_batches_through_getitems(torch_ref):
    calls = []

    class Batched(Dataset):
        def __getitem__(self, i):
            return i

        def __getitems__(self, indices):
            calls.append(list(indices))
            return [i * 10 for i in indices]

        def __len__(self):
            return 10

    sub = Subset(Batched(), [9, 7, 5, 3])
    assert [b.tolist() for b in DataLoader(sub, batch_size=3)] == [[90, 70, 50], [30]]
    assert calls == [[9, 7, 5], [3]]

    def subclass_error(m):
        class Shifted(m.utils.data.Subset):
            def __getitem__(self, i):
                return 0

        with pytest.raises(NotImplementedError) as info:
            Shifted([1, 2], [0])
        return str(info.value)

    assert subclass_error(retrograd) == subclass_error(torch_ref)


def test_concat_dataset_indexing_errors(torch_ref):
    for m in (retrograd, torch_ref):
        both = m.utils.data.ConcatDataset([[1, 2], [3]])
        assert [both[i] for i in range(-3, 3)] == [1, 2, 3, 1, 2, 3]
        assert both.cumulative_sizes == [2, 3]
        with pytest.raises(ValueError, match="absolute value of index should not exceed"):
            both[-4]
        with pytest.raises(IndexError):
            both[3]


def test_random_split_fractions_give_torch_sizes_and_cover_everything(torch_ref):
    for n in (0, 1, 5, 10, 97):
        for fractions in ([0.5, 0.5], [0.2, 0.3, 0.5], [0.1] * 10, [1.0], [0.7, 0.3]):
            with warnings.catch_warnings(record=True) as ours_w:
                warnings.simplefilter("always")
                ours = random_split(range(n), fractions)
            with warnings.catch_warnings(record=True) as theirs_w:
                warnings.simplefilter("always")
                theirs = torch_ref.utils.data.random_split(range(n), fractions)
            assert [len(s) for s in ours] == [len(s) for s in theirs]
            assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
            assert sorted(i for s in ours for i in s) == list(range(n))
    for lengths in ([0.5, -0.5, 1.0], [1.5, -0.5]):
        with pytest.raises(ValueError) as theirs:
            torch_ref.utils.data.random_split(range(4), lengths)
        with pytest.raises(ValueError) as ours:
            random_split(range(4), lengths)
        assert str(ours.value) == str(theirs.value)


def test_random_split_follows_manual_seed():
    def split():
        retrograd.manual_seed(4)
        return [list(s) for s in random_split(range(20), [0.5, 0.5])]

    assert split() == split()


# --- samplers -----------------------------------------------------------------------------------
def test_random_sampler_with_replacement_draws_lazily():
    import itertools

    sampler = RandomSampler(range(7), replacement=True, num_samples=int(1e10))
    assert len(sampler) == int(1e10)
    head = list(itertools.islice(iter(sampler), 1000))  # would need 74.5 GiB if drawn at once
    assert set(head) == set(range(7))
    loader = DataLoader(range(7), sampler=sampler, batch_size=4)
    assert len(loader) == 2_500_000_000
    assert next(iter(loader)).shape == (4,)


def test_random_sampler_replacement_counts_and_reproducibility():
    for num_samples in (1, 31, 32, 33, 100):
        g = retrograd.Generator().manual_seed(9)
        drawn = list(
            RandomSampler(range(5), replacement=True, num_samples=num_samples, generator=g)
        )
        assert len(drawn) == num_samples and set(drawn) <= set(range(5))
        g.manual_seed(9)
        assert list(RandomSampler(range(5), True, num_samples, generator=g)) == drawn
    counts = Counter(
        RandomSampler(
            range(4),
            replacement=True,
            num_samples=8000,
            generator=retrograd.Generator().manual_seed(0),
        )
    )
    assert all(1800 < counts[i] < 2200 for i in range(4))


def test_random_sampler_without_a_generator_follows_manual_seed():
    def draw():
        retrograd.manual_seed(21)
        return list(RandomSampler(range(30))), list(RandomSampler(range(30), True, 40))

    first = draw()
    assert first == draw() and sorted(first[0]) == list(range(30))
    assert list(RandomSampler(range(30))) != list(RandomSampler(range(30)))


@pytest.mark.parametrize(
    "make",
    [
        lambda D: D.RandomSampler(range(3), replacement=1),
        lambda D: D.RandomSampler(range(3), num_samples=0),
        lambda D: D.RandomSampler(range(3), num_samples=2.0),
        lambda D: D.RandomSampler([]),
        lambda D: D.BatchSampler(range(3), 0, False),
        lambda D: D.BatchSampler(range(3), True, False),
        lambda D: D.BatchSampler(range(3), 2, None),
        lambda D: D.WeightedRandomSampler([1.0, 2.0], 0),
        lambda D: D.WeightedRandomSampler([1.0, 2.0], True),
        lambda D: D.WeightedRandomSampler([1.0, 2.0], 2, replacement=0),
        lambda D: D.WeightedRandomSampler([[1.0, 2.0]], 2),
        lambda D: list(D.WeightedRandomSampler([0.0, 0.0], 2)),
        lambda D: list(D.WeightedRandomSampler([-1.0, 2.0], 2)),
        lambda D: list(D.WeightedRandomSampler([float("nan"), 2.0], 2)),
        lambda D: list(D.WeightedRandomSampler([float("inf"), 2.0], 2)),
        lambda D: list(D.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
        lambda D: D.DistributedSampler(range(4), num_replicas=2, rank=2),
        lambda D: D.DistributedSampler(range(4), num_replicas=2, rank=-1),
        lambda D: D.Sampler(range(3)),
    ],
)
def test_sampler_errors_match_torch(make, torch_ref):
    with pytest.raises(Exception) as theirs:
        make(torch_ref.utils.data)
    with pytest.raises(type(theirs.value)) as ours:
        make(retrograd.utils.data)
    assert str(ours.value).replace("retrograd", "torch") == str(theirs.value)


def test_weighted_random_sampler_distribution():
    from retrograd.utils.data import WeightedRandomSampler

    g = retrograd.Generator().manual_seed(1)
    sampler = WeightedRandomSampler([0.0, 1.0, 3.0], 8000, generator=g)
    counts = Counter(sampler)
    assert len(sampler) == 8000 and counts[0] == 0
    assert 2.7 < counts[2] / counts[1] < 3.3
    assert isinstance(next(iter(sampler)), int)
    assert sampler.weights.dtype == retrograd.float64
    for _ in range(20):  # without replacement: distinct indices, never a zero weight
        drawn = list(WeightedRandomSampler([1, 0, 5, 2, 0, 1], 4, replacement=False, generator=g))
        assert len(set(drawn)) == 4 and not {1, 4} & set(drawn)
    firsts = Counter(
        next(iter(WeightedRandomSampler([1.0, 9.0], 1, False, generator=g))) for _ in range(2000)
    )
    assert 0.85 < firsts[1] / 2000 < 0.95
    g.manual_seed(5)
    again = list(WeightedRandomSampler([1.0, 2.0, 3.0], 50, generator=g))
    g.manual_seed(5)
    assert list(WeightedRandomSampler([1.0, 2.0, 3.0], 50, generator=g)) == again


def test_subset_random_sampler():
    from retrograd.utils.data import SubsetRandomSampler

    g = retrograd.Generator().manual_seed(2)
    sampler = SubsetRandomSampler([10, 20, 30, 40, 50], generator=g)
    order = list(sampler)
    assert sorted(order) == [10, 20, 30, 40, 50] and len(sampler) == 5
    g.manual_seed(2)
    assert list(sampler) == order
    batches = list(DataLoader(range(100), sampler=SubsetRandomSampler(range(5, 9)), batch_size=2))
    assert sorted(i for b in batches for i in b.tolist()) == [5, 6, 7, 8]


def test_batch_sampler_matches_torch(torch_ref):
    for n in (0, 1, 7, 9):
        for size in (1, 3, 9, 10):
            for drop in (False, True):
                ours = BatchSampler(range(n), size, drop)
                theirs = torch_ref.utils.data.BatchSampler(range(n), size, drop)
                assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert list(BatchSampler(iter([4, 2, 0]), 2, False)) == [[4, 2], [0]]


def test_distributed_sampler_partitions_match_torch(torch_ref):
    from retrograd.utils.data import DistributedSampler

    for n in (1, 5, 10, 11):
        for replicas in (1, 2, 3, 4, 7):
            for drop in (False, True):
                for rank in range(replicas):
                    ours = DistributedSampler(
                        range(n), replicas, rank, shuffle=False, drop_last=drop
                    )
                    theirs = torch_ref.utils.data.DistributedSampler(
                        range(n), replicas, rank, shuffle=False, drop_last=drop
                    )
                    assert list(ours) == list(theirs), (n, replicas, rank, drop)
                    assert len(ours) == len(theirs) == len(list(ours))
                    assert (ours.num_samples, ours.total_size) == (
                        theirs.num_samples,
                        theirs.total_size,
                    )


def test_distributed_sampler_shuffles_by_seed_and_epoch():
    from retrograd.utils.data import DistributedSampler

    def epoch(e, seed=0, n=23, replicas=4):
        parts = []
        for rank in range(replicas):
            s = DistributedSampler(range(n), replicas, rank, seed=seed)
            s.set_epoch(e)
            parts.append(list(s))
        return parts

    parts = epoch(0)
    flat = [i for p in parts for i in p]
    assert len(flat) == 24 and set(flat) == set(range(23))  # one index repeated as padding
    assert epoch(0) == parts and epoch(1) != parts and epoch(0, seed=1) != parts
    dropped = [list(DistributedSampler(range(23), 4, r, drop_last=True)) for r in range(4)]
    assert all(len(p) == 5 for p in dropped) and len({i for p in dropped for i in p}) == 20


def test_distributed_sampler_needs_a_process_group_without_explicit_rank():
    from retrograd.utils.data import DistributedSampler

    with pytest.raises((RuntimeError, ValueError)):
        DistributedSampler(range(4))


# --- the loader's options -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": 0, "prefetch_factor": 2},
        {"persistent_workers": True},
        {"timeout": -1},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "bogus"},
        {"num_workers": 1, "multiprocessing_context": 3},
        {"num_workers": 1, "prefetch_factor": -1},
        {"batch_sampler": [[0]], "shuffle": True},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_sampler": [[0]], "sampler": [0]},
        {"batch_size": 0},
        {"batch_size": 1.5},
        {"drop_last": 1},
    ],
)
def test_more_loader_option_errors_match_torch(kwargs, torch_ref):
    with pytest.raises(Exception) as theirs:
        torch_ref.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_iterable_dataset_option_errors_match_torch(torch_ref):
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError) as theirs:
            torch_ref.utils.data.DataLoader(
                _count_class(torch_ref.utils.data.IterableDataset)(0, 3), **kwargs
            )
        with pytest.raises(ValueError) as ours:
            DataLoader(Count(0, 3), **kwargs)
        assert str(ours.value) == str(theirs.value)


def test_loader_attributes_frozen_after_init_as_in_torch(torch_ref):
    for m in (retrograd, torch_ref):
        loader = m.utils.data.DataLoader(range(4))
        for attr in (
            "batch_size",
            "sampler",
            "batch_sampler",
            "drop_last",
            "dataset",
            "persistent_workers",
        ):
            with pytest.raises(
                ValueError,
                match=f"{attr} attribute should not be set after DataLoader is initialized",
            ):
                setattr(loader, attr, getattr(loader, attr))
        loader.num_workers = 0
        loader.collate_fn = list


def test_timeout_without_workers_and_pin_memory_warnings_match_torch(torch_ref):
    def run(m):
        with pytest.raises(AssertionError) as info:
            iter(m.utils.data.DataLoader(range(3), timeout=1))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            batches = list(
                m.utils.data.DataLoader(range(3), pin_memory=True, pin_memory_device="cuda")
            )
        return str(info.value), [str(w.message) for w in caught], _plain(batches)

    assert run(retrograd) == run(torch_ref)


def test_loader_len_and_attributes_match_torch(torch_ref):
    def run(m):
        D = m.utils.data
        out = []
        for kwargs in (
            {},
            {"batch_size": 3},
            {"batch_size": 3, "drop_last": True},
            {"batch_size": None},
            {"shuffle": True, "batch_size": 2},
        ):
            loader = D.DataLoader(list(range(7)), **kwargs)
            out.append(
                (
                    len(loader),
                    type(loader.sampler).__name__,
                    type(loader.batch_sampler).__name__,
                    loader.batch_size,
                    loader.drop_last,
                    loader.prefetch_factor,
                    loader._auto_collation,
                    loader._dataset_kind,
                )
            )
        stream = D.DataLoader(_count_class(D.IterableDataset)(0, 7), batch_size=3)
        out.append((len(stream), type(stream.sampler).__name__, next(iter(stream.sampler))))
        return out

    assert run(retrograd) == run(torch_ref)


def test_iterable_longer_than_its_len_warns_as_in_torch(torch_ref):
    class Liar(IterableDataset):
        def __iter__(self):
            return iter(range(4))

        def __len__(self):
            return 2

        def __repr__(self):
            return "Liar"

    def run(m):
        D = m.utils.data

        class Lying(D.IterableDataset):
            __iter__, __len__, __repr__ = Liar.__iter__, Liar.__len__, Liar.__repr__

        loader = D.DataLoader(Lying(), batch_size=None)
        assert len(loader) == 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            items = [int(x) for x in loader]
        return items, [str(w.message) for w in caught]

    assert run(retrograd) == run(torch_ref)
