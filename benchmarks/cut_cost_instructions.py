"""What the cut records (``retrograd.autograd.cuts``) cost on the core benchmarks, in machine
instructions per step counted by valgrind's callgrind with the records on and off: a count that
other work on the machine does not move, where timings on a shared 2-core machine scatter by
several percent (``cut_cost.py`` times the same workloads).

    python benchmarks/cut_cost_instructions.py            (valgrind must be installed)

Each count covers the steps alone (collection is switched on for one ``sys.call_tracing`` of the
loop), after warm-up steps; PyTorch is not imported.
"""

import os
import sys

from instructions import _steps, callgrind

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKLOADS = [  # (name in core.py, label, steps counted)
    ("readme_program", "README program (fwd+bwd)", 300),
    ("elementwise_chain", "200-op chain, 16 elements", 20),
    ("mlp_step", "MLP 784-512-512-10, batch 128", 2),
    ("deep_chain", "20,000-op deep chain", 1),
]


def worker(name, steps, on):
    """Runs under callgrind: warm up, then the counted steps inside one ``sys.call_tracing``
    (a function nothing else calls: the ``eval`` counted before also counted the evals that
    imports make)."""
    sys.modules["torch"] = None  # (the harness imports torch when it can: not here)
    import core

    import retrograd
    from retrograd.autograd import cuts

    cuts.set_enabled(on)
    step = getattr(core, name)(retrograd)
    for _ in range(3):
        step()
    sys.call_tracing(_steps, (step, steps))


def count(name, steps, on):
    return callgrind(
        __file__,
        (name, str(steps), "on" if on else "off"),
        steps,
        (os.path.join(ROOT, "src"), HERE),
    )


def main():
    if sys.argv[1:2] == ["--worker"]:
        name, steps, on = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "on"
        return worker(name, steps, on)
    for name, label, steps in WORKLOADS:
        on, off = count(name, steps, True), count(name, steps, False)
        print(
            f"{label:<32} records on {on:14,.0f}  off {off:14,.0f} instructions/step   "
            f"on/off {on / off:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
