"""DataLoader throughput with worker processes: items per second of ``num_workers=2`` against
``num_workers=0``, over a dataset whose items cost CPU time to make (NumPy work on a 64x64
image plus a little pure-Python feature code, a few milliseconds per item; no sleeping).

The two configurations run ``--repeats`` times each, alternately (the best, the median and the
speed-up of each pair are printed, since other processes may share the CPUs); the same workload runs on PyTorch's DataLoader when PyTorch is
installed. The target is a speed-up of at least 1.6x with two workers on a two-core machine.
The CPU time per item spent in the loader's process and in its workers is printed too: on a
machine that other programs keep busy, it shows whether the workers add work of their own, which
the wall-clock rates can't.

    python benchmarks/dataloader.py [--items 400] [--batch 16] [--workers 2] [--repeats 3]
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

import retrograd


def make_item(i: int, size: int = 64, rounds: int = 40):
    """A synthetic "decoded and augmented" image and its label, from CPU-bound work."""
    rng = np.random.default_rng(i)
    image = rng.standard_normal((size, size)).astype(np.float32)
    for _ in range(rounds):  # blur-like mixing and a pointwise nonlinearity
        image = np.tanh(0.5 * image + 0.25 * (np.roll(image, 1, 0) + np.roll(image, 1, 1)))
    row_means = [float(r.mean()) for r in image]  # per-row features in Python
    label = int(sum(m > 0 for m in row_means))
    return image, label


def datasets(lib):
    class Synthetic(lib.utils.data.Dataset):
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return make_item(i)

    return Synthetic


def _cpu_seconds() -> tuple:
    """CPU time of this process and of its finished (joined) children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def items_per_second(lib, items: int, batch: int, workers: int, cpu: dict) -> float:
    loader = lib.utils.data.DataLoader(datasets(lib)(items), batch_size=batch, num_workers=workers)
    before = _cpu_seconds()
    start = time.perf_counter()
    seen = sum(len(labels) for _, labels in loader)  # worker start-up counts too
    elapsed = time.perf_counter() - start
    after = _cpu_seconds()
    assert seen == items
    cpu.setdefault(workers, []).append([(a - b) / items for a, b in zip(after, before)])
    return items / elapsed


def measure(lib, args) -> dict:
    """Alternate the two configurations, so that a change in how busy the machine is affects
    both alike; each pair gives one speed-up."""
    rates, cpu = {0: [], args.workers: []}, {}
    for _ in range(args.repeats):
        for workers in rates:
            rates[workers].append(items_per_second(lib, args.items, args.batch, workers, cpu))
    for workers, runs in rates.items():
        loader_ms, workers_ms = (1e3 * statistics.median(c) for c in zip(*cpu[workers]))
        print(
            f"  {lib.__name__:9s} num_workers={workers}: best {max(runs):7.1f} items/s, "
            f"median {statistics.median(runs):7.1f} items/s  "
            f"({', '.join(f'{r:.0f}' for r in runs)}); CPU ms per item: loader "
            f"{loader_ms:.2f}, workers {workers_ms:.2f}"
        )
    pairs = [w / s for s, w in zip(rates[0], rates[args.workers])]
    print(
        f"  {lib.__name__:9s} speed-up with {args.workers} workers: best/best "
        f"{max(rates[args.workers]) / max(rates[0]):.2f}x, per pair "
        f"{', '.join(f'{p:.2f}' for p in pairs)} (median {statistics.median(pairs):.2f}x)"
    )
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    start = time.perf_counter()
    make_item(0)
    print(
        f"{cpus} CPUs, load average {os.getloadavg()[0]:.1f}; one item takes "
        f"{1e3 * (time.perf_counter() - start):.1f} ms to make; {args.items} items in batches "
        f"of {args.batch}"
    )
    ours = measure(retrograd, args)
    try:
        import torch
    except ImportError:
        return
    theirs = measure(torch, args)
    ratio = max(ours[args.workers]) / max(theirs[args.workers])
    print(f"retrograd/torch items per second with {args.workers} workers (best): {ratio:.2f}")


if __name__ == "__main__":
    main()
