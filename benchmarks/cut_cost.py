"""What recording where the graph is cut (``retrograd.autograd.cuts``) costs on the core
benchmarks: each workload timed with the records on and off, in interleaved rounds in one
process (the order flipping every round), and against PyTorch with them on and off.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/cut_cost.py [--rounds 21]
"""

import argparse
import statistics

import core
from harness import _calibrate, _time, torch

import retrograd
from retrograd.autograd import cuts

WORKLOADS = [
    ("README program (fwd+bwd)", core.readme_program, 0.02),
    ("200-op chain, 16 elements", core.elementwise_chain, 0.02),
    ("MLP 784-512-512-10, batch 128", core.mlp_step, 0.2),
    ("20,000-op deep chain", core.deep_chain, 0.3),
]


def _with_records(on, step):
    def run():
        cuts.set_enabled(on)
        step()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    for name, make, target in WORKLOADS:
        step = make(retrograd)
        timed = {"on": _with_records(True, step), "off": _with_records(False, step)}
        if torch is not None:
            timed["torch"] = make(torch)
        for run in timed.values():
            run()
        inner = {k: _calibrate(run, target) for k, run in timed.items()}
        times = {k: [] for k in timed}
        keys = list(timed)
        for r in range(args.rounds):
            # the order rotates and flips every round: whichever runs first in a round, or right
            # after PyTorch, pays a few percent more (caches), which a fixed order would charge
            # to one side (with a flip alone, "off" follows PyTorch every other round, "on" never)
            order = keys[r % len(keys) :] + keys[: r % len(keys)]
            for k in order if r % 2 == 0 else order[::-1]:
                times[k].append(_time(timed[k], inner[k]))
        med = {k: statistics.median(v) for k, v in times.items()}
        line = f"{name:<32} records on/off {med['on'] / med['off']:5.3f}"
        if "torch" in med:
            line += (
                f"   retrograd/torch: on {med['on'] / med['torch']:5.2f}, "
                f"off {med['off'] / med['torch']:5.2f}"
            )
        print(line, flush=True)
    cuts.set_enabled(True)


if __name__ == "__main__":
    main()
