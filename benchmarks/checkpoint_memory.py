"""Peak memory of activation checkpointing: a 32-layer, 1024-wide MLP at batch 256, float32.

Measures, with tracemalloc (NumPy reports its array buffers to it), the peak of memory allocated
during one forward and backward pass above what was already held before it (the parameters and
their ``.grad`` buffers from a warm-up pass), with and without
``retrograd.utils.checkpoint.checkpoint`` around each group of layers.  Checks that the gradients
are equal and that the checkpointed peak is at most half the plain one.

    python benchmarks/checkpoint_memory.py [--layers 32] [--width 1024] [--batch 256]
"""

import argparse
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

import retrograd
from retrograd.utils.checkpoint import checkpoint


def make_params(layers, width, seed=0):
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(width)
    return [
        (
            retrograd.tensor(
                rng.uniform(-scale, scale, (width, width)).astype(np.float32), requires_grad=True
            ),
            retrograd.tensor(np.zeros(width, np.float32), requires_grad=True),
        )
        for _ in range(layers)
    ]


def layers_fn(params):
    def run(h):
        for w, b in params:
            h = (h @ w + b).relu()
        return h

    return run


def forward(x, params, segment):
    if segment is None:
        return layers_fn(params)(x)
    h = x
    for i in range(0, len(params), segment):
        h = checkpoint(layers_fn(params[i : i + segment]), h, use_reentrant=False)
    return h


def step(x, params, segment):
    loss = forward(x, params, segment).sum()
    loss.backward()


def measure(x, params, segment):
    """Peak bytes allocated during one step above what was held before it."""
    step(x, params, segment)  # warm-up: .grad buffers exist, later steps add into them in place
    for w, b in params:
        w.grad.zero_() if hasattr(w.grad, "zero_") else w.grad._data.fill(0)
        b.grad.zero_() if hasattr(b.grad, "zero_") else b.grad._data.fill(0)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step(x, params, segment)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, [w.grad.numpy().copy() for w, _ in params]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--segment", type=int, default=4, help="layers per checkpointed segment")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    x = retrograd.tensor(rng.standard_normal((args.batch, args.width)).astype(np.float32))
    params = make_params(args.layers, args.width)
    plain, g_plain = measure(x, params, None)
    ckpt, g_ckpt = measure(x, params, args.segment)
    mib = 1024 * 1024
    print(f"MLP {args.layers} layers x {args.width} wide, batch {args.batch}, float32")
    print(f"peak memory without checkpointing: {plain / mib:8.1f} MiB")
    print(f"peak memory with checkpointing:    {ckpt / mib:8.1f} MiB (every {args.segment} layers)")
    print(f"ratio: {ckpt / plain:.2f}")
    equal = all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(g_plain, g_ckpt))
    print(f"gradients equal: {equal}")
    ok = equal and ckpt <= plain / 2
    print("OK" if ok else "FAILED: checkpointed peak must be at most half, gradients equal")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
