"""``make bench-ddp``: DistributedDataParallel on the digits CNN (examples/digits_ddp.py).

1. Time per epoch on 1 and on 2 ranks (the same global batch of 64, so the same number of steps
   per epoch) and the scaling efficiency: t1 / (2 * t2) of the ideal 2x.  Wall-clock time: on a
   machine whose cores are shared with other work the numbers move; run it on an idle one.  Also
   rank 0's CPU time per epoch, which other processes on the cores do not inflate.
2. The share of all-reduce time hidden behind the backward pass, on 2 ranks: per step, the time
   ``backward()`` still waits for all-reduces after every rank's last gradient is ready (the
   "exposed" time), against the time the same buckets take to all-reduce on their own (blocking,
   one after the other): hidden = 1 - exposed / alone.  Reported for the default buckets (25 MB,
   the first 1 MB: this 0.6 MB model fits in one bucket, which can only start when the last
   gradient is ready) and for 0.25 MB buckets (the fully connected layers' bucket starts while
   the convolutions run backward).

    python benchmarks/ddp_scaling.py [--epochs 4] [--steps 30] [--batch-size 64] [--width 1]
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def launch(n, *args):
    env = dict(
        os.environ,
        OMP_NUM_THREADS="1",
        TQDM_DISABLE="1",
        PYTHONPATH=os.pathsep.join(
            p for p in (os.path.join(ROOT, "src"), os.environ.get("PYTHONPATH")) if p
        ),
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrograd.distributed.run",
            "--nproc-per-node",
            str(n),
            "--timeout",
            "900",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stdout + out.stderr)
    return out.stdout


def epochs(args):
    times, busy = {}, {}
    for n in (1, 2):
        out = launch(
            n,
            os.path.join(ROOT, "examples", "digits_ddp.py"),
            "--epochs",
            str(args.epochs),
            "--min-accuracy",
            "0",
            "--batch-size",
            str(args.batch_size),
            "--width",
            str(args.width),
        )
        found = re.search(r"([\d.]+) s per epoch, rank 0 busy ([\d.]+) s", out)
        times[n], busy[n] = float(found.group(1)), float(found.group(2))
        print(
            f"digits CNN (width {args.width}), global batch {args.batch_size}, {n} rank{'s' if n > 1 else ''}: "
            f"{times[n]:.2f} s per epoch, rank 0 "
            f"on a core {busy[n]:.2f} s of it (medians of epochs 2..{args.epochs})",
            flush=True,
        )
    print(
        f"wall clock: speed-up {times[1] / times[2]:.2f}x on 2 ranks, scaling efficiency "
        f"{times[1] / (2 * times[2]):.0%}",
        flush=True,
    )
    print(
        f"CPU time of rank 0 per epoch: {busy[1] / busy[2]:.2f}x less on 2 ranks (an estimate "
        "of the speed-up on 2 idle cores: it counts rank 0 polling while it waits for rank 1)",
        flush=True,
    )


def overlap_worker(steps, width):
    """Runs on each rank (--worker): the hidden share of the all-reduce time, rank 0 prints.

    The wait that counts is the one after the slowest rank's last gradient: before that moment a
    rank waits for its peer's computation, not for communication (on a loaded machine that skew is
    most of the wait).  perf_counter is the system-wide monotonic clock on Linux, so the ranks'
    times compare."""
    import numpy as np

    sys.path.insert(0, os.path.join(ROOT, "examples"))
    from digits_cnn import DigitsCNN, load_data

    import retrograd as torch
    import retrograd.distributed as dist
    import retrograd.nn.functional as F
    from retrograd.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y, _, _ = load_data(0)
    ready, done = [], []  # per step: this rank's last gradient ready, its all-reduces written back
    finish = DDP._finish

    def timed_finish(self):
        ready.append(time.perf_counter())
        finish(self)
        done.append(time.perf_counter())

    DDP._finish = timed_finish
    for cap in (None, 0.25):
        torch.manual_seed(0)
        model = DDP(DigitsCNN(width), bucket_cap_mb=cap)
        sizes = [b.buffer.size for b in model._buckets]
        rows = np.arange(rank * 32, (rank + 1) * 32)
        backward, alone = [], []
        del ready[:], done[:]
        for _ in range(steps):
            model.zero_grad()
            loss = F.cross_entropy(model(x[rows]), y[rows])
            dist.barrier()
            start = time.perf_counter()
            loss.backward()
            backward.append(time.perf_counter() - start)
            buffers = [torch.randn(n) for n in sizes]
            dist.barrier()
            start = time.perf_counter()
            for b in buffers:
                dist.all_reduce(b)
            alone.append(time.perf_counter() - start)
        everyone = [torch.zeros(steps, dtype=torch.float64) for _ in range(world)]
        dist.all_gather(everyone, torch.tensor(ready, dtype=torch.float64))
        last_ready = np.max([t.numpy() for t in everyone], axis=0)
        exposed = np.maximum(np.array(done) - last_ready, 0.0)
        waited = np.array(done) - np.array(ready)
        skip = steps // 5  # warm-up
        if rank == 0:
            print(
                f"buckets {'default' if cap is None else f'{cap} MB'} ({len(sizes)}: "
                f"{', '.join(f'{n * 4 / 1e6:.2f}' for n in sizes)} MB)",
                flush=True,
            )
            # the median, and the 10th percentile: what a step sees when no other process
            # takes the core away at the wrong moment
            for label, q in (("median", 50), ("10th percentile", 10)):
                b, w, e, a = (
                    float(np.percentile(v[skip:], q)) for v in (backward, waited, exposed, alone)
                )
                print(
                    f"  {label}: backward {b * 1e3:.1f} ms; at its end rank 0 waits "
                    f"{w * 1e3:.2f} ms, {e * 1e3:.2f} ms of it after the slowest rank's last "
                    f"gradient; the same all-reduces alone {a * 1e3:.2f} ms: "
                    f"{max(0.0, 1 - e / a):.0%} of the all-reduce time hidden",
                    flush=True,
                )
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help="global batch of the epochs (a larger one gives each step more computation "
        "against the same all-reduce and optimizer step)",
    )
    parser.add_argument(
        "--width",
        type=int,
        default=1,
        help="multiplies the convolutions' channels: a heavier, more compute-bound model",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return overlap_worker(args.steps, args.width)
    print(
        f"machine: {os.cpu_count()} cores (wall-clock times; other work on them shows)", flush=True
    )
    epochs(args)
    worker = (os.path.abspath(__file__), "--worker", "--steps", str(args.steps), "--width")
    print(launch(2, *worker, str(args.width)), end="")


if __name__ == "__main__":
    main()
