"""A/B: the core workloads on this tree and on an earlier revision, with PyTorch, imported side by
side in one process and timed in rounds whose order rotates (whichever runs first in a round pays
a few percent more).  The earlier tree is exported with ``git archive`` and imported under the
name ``retrograd_base``.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/ab.py REV [--rounds 21] [--layers | --compiled]

``--layers`` times the fused layers' training steps instead: the LSTMs of rnn.py, the
MultiheadAttention, LayerNorm, BatchNorm2d and grid_sample steps of nn_layers.py and the CNN step of cnn_step.py.
``--compiled``: the workloads of ``compiled.py`` (compiled on both trees, eager in PyTorch).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _export(rev, into):
    """``src/retrograd`` of ``rev`` as the package ``retrograd_base`` under ``into``."""
    archive = os.path.join(into, "base.tar")
    subprocess.run(["git", "-C", ROOT, "archive", "-o", archive, rev, "src/retrograd"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    os.rename(os.path.join(into, "src", "retrograd"), os.path.join(into, "retrograd_base"))
    sys.path.insert(0, into)


def _time(step, inner):
    t0 = time.process_time()
    for _ in range(inner):
        step()
    return (time.process_time() - t0) / inner


def _calibrate(step, target):
    n = 1
    while True:
        t = _time(step, n) * n
        if t >= target / 4 or n >= 1 << 20:
            return max(1, int(n * target / max(t, 1e-9)))
        n *= 4


def compare(name, make, libs, rounds, target):
    steps = {label: make(lib) for label, lib in libs}
    for step in steps.values():
        step()
    inner = {label: _calibrate(step, target) for label, step in steps.items()}
    times = {label: [] for label in steps}
    keys = list(steps)
    for r in range(rounds):
        order = keys[r % len(keys) :] + keys[: r % len(keys)]
        for label in order if r % 2 == 0 else order[::-1]:
            times[label].append(_time(steps[label], inner[label]))
    med = {label: statistics.median(t) for label, t in times.items()}
    line = f"{name:<32} new/base {med['new'] / med['base']:5.3f}"
    if "torch" in med:
        line += f"   new/torch {med['new'] / med['torch']:5.2f}   base/torch {med['base'] / med['torch']:5.2f}"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--layers", action="store_true", help="the fused layers' workloads")
    parser.add_argument("--compiled", action="store_true", help="the compiled workloads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _export(args.rev, tmp)
        sys.path.insert(0, HERE)
        import core
        import retrograd_base
        from harness import retrograd, torch  # (sets one thread for both libraries)

        libs = [("new", retrograd), ("base", retrograd_base)]
        if torch is not None:
            libs.append(("torch", torch))
        workloads = (
            ("README program (fwd+bwd)", core.readme_program, args.rounds, 0.02),
            ("200-op chain, 16 elements", core.elementwise_chain, args.rounds, 0.02),
            ("MLP 784-512-512-10, batch 128", core.mlp_step, max(5, args.rounds // 3), 0.2),
            ("20,000-op deep chain", core.deep_chain, max(5, args.rounds // 4), 0.3),
        )
        if args.layers:
            workloads = _layers(max(5, args.rounds // 2))
        elif args.compiled:
            import compiled

            workloads = (
                ("README program, compiled", compiled.readme_program, args.rounds, 0.02),
                ("200-op chain, compiled", compiled.elementwise_chain, args.rounds, 0.02),
                ("MLP step, compiled", compiled.mlp_step, max(5, args.rounds // 3), 0.2),
            )
        for name, make, rounds, target in workloads:
            compare(name, make, libs, rounds, target)


def _layers(rounds):
    import cnn_step
    import nn_layers
    import rnn

    return (
        ("LSTM step small (1x64, T35, B8)", rnn.rnn_step, rounds, 0.1),
        ("LSTM step large (2x256, T35, B20)", _large_lstm, rounds, 0.2),
        ("MHA self-attn d64 h4 L16 N4", nn_layers.attention_small, rounds, 0.05),
        ("MHA self-attn d128 h4 L64 N16", nn_layers.attention_large, rounds, 0.1),
        ("digits CNN step (batch 64)", cnn_step.cnn_step, rounds, 0.05),
        ("LayerNorm(64) 8x16x64", nn_layers.layer_norm_small, rounds, 0.02),
        ("LayerNorm(512) 32x64x512", nn_layers.layer_norm_large, rounds, 0.1),
        ("BatchNorm2d(16) 8x16x8x8", nn_layers.batch_norm_small, rounds, 0.02),
        ("BatchNorm2d(64) 32x64x32x32", nn_layers.batch_norm_large, rounds, 0.1),
        ("grid_sample bilinear 4x16x32x32", nn_layers.grid_bilinear, rounds, 0.05),
        ("grid_sample nearest 4x16x32x32", nn_layers.grid_nearest, rounds, 0.05),
        ("grid_sample bicubic 4x16x32x32", nn_layers.grid_bicubic, rounds, 0.05),
        ("grid_sample bilinear 1x3x8x8", nn_layers.grid_bilinear_small, rounds, 0.02),
        ("grid_sample trilinear 2x8x16^3", nn_layers.grid_trilinear, rounds, 0.05),
    )


def _large_lstm(lib):
    import rnn

    return rnn.rnn_step(lib, "LSTM", 2, 256, 35, 20)


if __name__ == "__main__":
    main()
