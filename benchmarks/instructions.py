"""Machine instructions per step of the benchmark workloads, counted by valgrind's callgrind: a
measure that other work on the machine does not move (timings on a shared machine scatter by
several percent), for developing speed work; confirm with ``ab.py``'s timings against PyTorch.

    python benchmarks/instructions.py [WORKLOAD ...] [--rev REV] [--steps N]

A workload is ``module.function`` of this folder, called with ``retrograd`` for a step function
(``core.elementwise_chain``, ``rnn.rnn_step`` ...); with none given, the core workloads and the
small LSTM step.  ``--rev REV`` counts the same workloads on an earlier revision too (its
``src/retrograd`` exported with ``git archive``) and prints new/base.  Each count covers the steps
alone (collection is switched on for one ``sys.call_tracing`` of the loop) after warm-up steps;
PyTorch is not imported.  ``--callgrind-out DIR`` keeps each run's callgrind profile there, for
``callgrind_annotate``.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DEFAULT = {  # workload -> steps counted
    "core.readme_program": 300,
    "core.elementwise_chain": 20,
    "core.mlp_step": 2,
    "core.deep_chain": 1,
    "rnn.rnn_step": 3,
}
STEPS = {  # steps counted of workloads not counted by default (one step is too few: see worker)
    "compiled.readme_program": 300,
    "compiled.elementwise_chain": 20,
    "compiled.mlp_step": 2,
}


def worker(workload, steps):
    """Runs under callgrind: warm up, then the counted steps inside one ``sys.call_tracing``
    (a function nothing else calls: the ``eval`` counted before also counted the evals that
    imports make)."""
    import importlib

    sys.modules["torch"] = None  # (the harness imports torch when it can: not here)
    import retrograd

    module, function = workload.split(".")
    step = getattr(importlib.import_module(module), function)(retrograd)
    for _ in range(3):
        step()
    sys.call_tracing(_steps, (step, steps))


def _steps(step, steps):
    for _ in range(steps):
        step()


def callgrind(script, arguments, steps, pythonpath, out_file="/dev/null"):
    """Instructions per step of ``script --worker arguments...`` run under callgrind, counted
    inside its ``sys.call_tracing`` (see worker)."""
    env = dict(
        os.environ,
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        PYTHONPATH=os.pathsep.join(pythonpath),
    )
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out_file}",
            "--collect-atstart=no",
            "--toggle-collect=sys_call_tracing",
            sys.executable,
            os.path.abspath(script),
            "--worker",
            *arguments,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not found:
        raise RuntimeError(f"{arguments} under callgrind failed:\n{run.stderr[-3000:]}")
    return int(found.group(1)) / steps


def count(workload, steps, src, out_file="/dev/null"):
    return callgrind(__file__, (workload, str(steps)), steps, (src, HERE), out_file)


def _export(rev, into):
    """``src/retrograd`` of ``rev`` under ``into/src``."""
    archive = subprocess.run(
        ["git", "-C", ROOT, "archive", rev, "src/retrograd"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def main():
    if sys.argv[1:2] == ["--worker"]:
        return worker(sys.argv[2], int(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", help="module.function of benchmarks/")
    parser.add_argument("--rev", help="an earlier revision to count too")
    parser.add_argument("--steps", type=int, help="steps counted (default: per workload)")
    parser.add_argument("--callgrind-out", help="a folder for the callgrind profiles")
    args = parser.parse_args()
    workloads = args.workloads or list(DEFAULT)
    with tempfile.TemporaryDirectory() as tmp:
        base_src = _export(args.rev, tmp) if args.rev else None
        for workload in workloads:
            steps = args.steps or DEFAULT.get(workload) or STEPS.get(workload, 1)
            out = "/dev/null"
            if args.callgrind_out:
                out = os.path.join(args.callgrind_out, f"{workload}.callgrind")
            new = count(workload, steps, os.path.join(ROOT, "src"), out)
            line = f"{workload:<26} {new:14,.0f} instructions/step"
            if base_src:
                base = count(workload, steps, base_src)
                line += f"   base {base:14,.0f}   new/base {new / base:.4f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
