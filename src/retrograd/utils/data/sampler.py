"""``torch.utils.data.sampler``: the orders in which a loader reads a map-style dataset.

Every random draw goes through retrograd's public random functions (``randperm``, ``randint``,
``rand``, ``Tensor.random_``) with the sampler's ``generator``, drawing as much, in the same
calls, as PyTorch's samplers do; so the orders follow whatever stream the generator gives."""

import itertools
from collections.abc import Iterable, Iterator, Sequence

from ... import creation, dtypes
from ..._array import xp

_REPLACEMENT_CHUNK = 32  # indices drawn with replacement come 32 at a time, lazily


class Sampler:
    """Yields dataset indices (``torch.utils.data.Sampler``); subclasses give ``__iter__``
    and, where they know it, ``__len__``."""

    def __iter__(self) -> Iterator:
        raise NotImplementedError

    def __class_getitem__(cls, item):  # Sampler[int] in type hints, as PyTorch's is Generic
        return cls


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _fresh_generator():
    """A generator seeded from the default one: what a sampler without a generator draws from,
    so each pass takes one number from the default stream (and follows ``manual_seed``)."""
    seed = int(creation.empty((), dtype=dtypes.int64).random_().item())
    return creation.Generator().manual_seed(seed)


class RandomSampler(Sampler):
    """A random order of the dataset, fresh on each pass: whole permutations (the last one cut
    short when ``num_samples`` is not a multiple of the length), or with ``replacement``
    ``num_samples`` independent uniform draws, made 32 at a time as the loader asks, so a huge
    ``num_samples`` costs no memory."""

    def __init__(
        self, data_source, replacement: bool = False, num_samples: int | None = None, generator=None
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            full, rest = divmod(self.num_samples, _REPLACEMENT_CHUNK)
            for size in itertools.chain(itertools.repeat(_REPLACEMENT_CHUNK, full), (rest,)):
                yield from creation.randint(
                    0, n, (size,), dtype=dtypes.int64, generator=generator
                ).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from creation.randperm(n, generator=generator).tolist()
        yield from creation.randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, fresh on each pass."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in creation.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``
    (as ``torch.multinomial`` draws them), with or without replacement."""

    def __init__(
        self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator=None
    ) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights = creation.as_tensor(weights, dtype=dtypes.float64)
        if weights.dim() != 1:  # type: ignore[attr-defined]  # a Tensor by now
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights.shape)}"  # type: ignore[attr-defined]
            )
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        yield from _multinomial(
            self.weights, self.num_samples, self.replacement, self.generator
        ).tolist()

    def __len__(self) -> int:
        return self.num_samples


def _multinomial(weights, num_samples: int, replacement: bool, generator):
    """Indices drawn from the categorical distribution ``weights`` (1-d, float64), with
    ``torch.multinomial``'s checks and error texts: with replacement by inverting the
    cumulative distribution at uniform draws; without, by keeping the ``num_samples`` largest
    ``weight / Exp(1)`` keys (the exponential-race form of sequential sampling); as on
    PyTorch's CPU, zero weights are taken last, once the others run out."""
    w = weights._data
    if not replacement and num_samples > w.shape[0]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if not (w >= 0).all():
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if not xp.isfinite(w).all():
        raise RuntimeError(
            "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
        )
    total = w.sum()
    if total <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        uniform = creation.rand(num_samples, dtype=dtypes.float64, generator=generator)._data
        cdf = xp.cumsum(w / total)
        picks = xp.searchsorted(cdf, uniform * cdf[-1], side="right")
        return xp.minimum(picks, w.shape[0] - 1)
    uniform = creation.rand(w.shape[0], dtype=dtypes.float64, generator=generator)._data
    keys = w / -xp.log1p(-uniform)
    return xp.argsort(-keys, kind="stable")[:num_samples]


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last one shorter,
    or dropped with ``drop_last``)."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size  # type: ignore[arg-type]
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size  # type: ignore[arg-type]


__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]
