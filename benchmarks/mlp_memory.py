"""Peak memory of a 16-layer, 2048-wide MLP forward and backward (batch 256, float32), retrograd
against PyTorch, each library in a fresh process of its own.

Each child builds ``nn.Sequential`` of Linear + ReLU layers, runs one warm-up step (so the ``.grad``
buffers exist, as in training), then reads its resident set size, runs one more forward and
backward, and reports how far the process's high-water mark (``ru_maxrss``) rose above it: the
memory the step itself needed, activations, saved values and gradient temporaries, whatever
allocator they came from.  Both children run with glibc's malloc told to map every large buffer on
its own and give it back when freed (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``), so
that the resident size follows what is live rather than what the allocator kept from the warm-up.

    python benchmarks/mlp_memory.py [--layers 16] [--width 2048] [--batch 256]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import os, resource, sys
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
sys.path.insert(0, {src!r})
import numpy as np
lib = __import__({lib!r})
if {lib!r} == "torch":
    lib.set_num_threads(1)
layers, width, batch = {layers}, {width}, {batch}
lib.manual_seed(0)
nn = lib.nn
model = nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(width, width), nn.ReLU())])
x = lib.tensor(np.random.default_rng(0).standard_normal((batch, width)).astype(np.float32))

def step():
    model(x).sum().backward()

step()


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


before = rss_kib()
peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
step()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak - before if peak > peak_before else -1)
"""


def measure(lib, layers, width, batch):
    src = str(Path(__file__).resolve().parents[1] / "src")
    code = CHILD.format(src=src, lib=lib, layers=layers, width=width, batch=batch)
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    kib = int(out.stdout.split()[-1])
    if kib < 0:
        raise RuntimeError(f"{lib}: the measured step stayed below the warm-up's peak")
    return kib


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, default=16)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--batch", type=int, default=256)
    args = p.parse_args()
    ours = measure("retrograd", args.layers, args.width, args.batch)
    line = (
        f"MLP {args.layers}x{args.width} batch {args.batch} fwd+bwd peak above start: "
        f"retrograd {ours / 1024:.0f} MiB"
    )
    try:
        theirs = measure("torch", args.layers, args.width, args.batch)
    except subprocess.CalledProcessError:  # PyTorch not installed: retrograd's figure alone
        print(line)
        return
    print(f"{line}   torch {theirs / 1024:.0f} MiB   retrograd/torch {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
