"""Side-by-side timing: retrograd against PyTorch in one process, one thread each.

Every workload is a function ``make(lib) -> step`` written once against the shared API, so the same
code runs with ``lib = retrograd`` and ``lib = torch``.  Steps are timed in interleaved rounds
(retrograd, torch, retrograd, ...) with process CPU time, and the median of the rounds is compared:
that ratio holds steady on a shared, noisy machine where one absolute time would not.
"""

import gc
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import retrograd  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the comparison is skipped, the retrograd timings still print
    torch = None

# Importing PyTorch leaves ~150,000 Python objects that every full pass of the cycle collector
# would walk while retrograd runs, a cost no retrograd user pays (their process has no torch).
# Freezing what the imports made keeps those objects out of the collector's passes.
gc.freeze()


def _time(step, inner):
    t0 = time.process_time()
    for _ in range(inner):
        step()
    return (time.process_time() - t0) / inner


def _calibrate(step, target=0.02):
    """Repeat count that makes one round last about ``target`` seconds."""
    n = 1
    while True:
        t = _time(step, n) * n
        if t >= target / 4 or n >= 1 << 20:
            return max(1, int(n * target / max(t, 1e-9)))
        n *= 4


def compare(name, make, rounds=15, target=0.02):
    """Time ``make(lib)()`` for both libraries; print per-step times and the ratio."""
    libs = [("retrograd", retrograd)] + ([("torch", torch)] if torch is not None else [])
    steps = {label: make(lib) for label, lib in libs}
    for step in steps.values():
        step()  # warm up: caches, lazy imports
    inner = {label: _calibrate(step, target) for label, step in steps.items()}
    times = {label: [] for label in steps}
    for _ in range(rounds):
        for label, step in steps.items():
            times[label].append(_time(step, inner[label]))
    med = {label: statistics.median(ts) for label, ts in times.items()}
    line = f"{name:<34} retrograd {med['retrograd'] * 1e6:11.1f} us"
    ratio = None
    if "torch" in med:
        ratio = med["retrograd"] / med["torch"]
        line += f"   torch {med['torch'] * 1e6:11.1f} us   retrograd/torch {ratio:5.2f}"
    print(line, flush=True)
    return ratio
