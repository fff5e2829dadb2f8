"""Op-call and node-run overhead of two retrograd source trees, measured side by side.

    python benchmarks/op_overhead.py BASE_SRC NEW_SRC [rounds]
    python benchmarks/op_overhead.py --site SRC [rounds]

Each round is one process, pinned to one CPU, that imports both trees (each under the name
``retrograd``, its modules swapped into ``sys.modules`` while it runs) and times every case on both,
alternating which goes first, taking the process time per call of the least disturbed of many
repeats.  The growth quoted is the median over the rounds of new/base.  Used to show that the call-site
recording of issue 3 (errors that point home) costs at most 5% per op call: with BASE_SRC a tree
from before it (``git worktree add /tmp/base 6721bc4``, then ``/tmp/base/src``).

``--site SRC`` compares SRC with a copy of it that has the recording of the call site (the lines of
``record()`` in ``ops/registry.py`` from ``_getframe(2)`` to ``node._site_at``) taken out: what the
recording costs by itself.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

_CHILD = r"""
import json, os, sys, time
# One CPU: a process the scheduler moves between CPUs can run half again as slow.
os.sched_setaffinity(0, {int(sys.argv[1])})
n = 2000

def load(src):
    sys.path.insert(0, src)
    import retrograd as torch
    sys.path.remove(src)
    mods = {k: m for k, m in sys.modules.items() if k.split(".")[0] == "retrograd"}
    for k in mods:
        del sys.modules[k]
    return torch, mods

def cases(torch):
    a = torch.ones(4, requires_grad=True)
    b = torch.ones(4, requires_grad=True)
    c = torch.ones(4)
    # a and b are in no live graph, so each op on them makes their AccumulateGrad anew (as the
    # first op on a parameter in a training step does); h is an intermediate result, as most op
    # inputs are.
    h = torch.ones(4, requires_grad=True) * 2

    # Ops called from one long-lived frame (a loop body, as in a training script).
    def mul():
        for _ in range(n):
            a * b
    def add_scalar():
        for _ in range(n):
            a + 1
    def exp():
        for _ in range(n):
            a.exp()
    def exp_intermediate():
        for _ in range(n):
            h.exp()
    def mul_intermediate():
        for _ in range(n):
            h * h
    def mul_no_grad():
        for _ in range(n):
            c * c
    def exp_no_grad():
        for _ in range(n):
            c.exp()
    def sum_dim_no_grad():  # an op that takes the general path
        for _ in range(n):
            c.sum(0)
    # Where the graph is cut (issue 15 records each cut): a tensor made through one, ops under
    # no_grad on tensors that require grad, a detach.
    cut = (a * 2).detach()
    def exp_of_cut():
        for _ in range(n):
            cut.exp()
    def mul_under_no_grad():
        with torch.no_grad():
            for _ in range(n):
                a * b
    def detach():
        for _ in range(n):
            a.detach()
    # Ops in a small function called again and again (a module's forward): a new frame each call.
    def layer(x):
        y = x * b
        y = y + 1
        y = y.exp()
        return y * b
    def calls():
        for _ in range(n // 4):
            layer(h)
    def chain():
        for _ in range(n // 10):
            y = a
            for _ in range(10):
                y = y * b
            y.sum().backward()
    def readme():  # the README's first program: 3 ops and backward
        w = torch.tensor([1.0], requires_grad=True)
        x = torch.tensor([2.0], requires_grad=True)
        for _ in range(n // 3):
            y = torch.mul(torch.add(w, x), torch.add(w, 1))
            y.backward()
            w.grad = x.grad = None
    return {"mul of leaves": mul, "add a scalar (saves nothing)": add_scalar,
            "exp of a leaf (saves result)": exp, "exp of an intermediate": exp_intermediate,
            "mul of intermediates": mul_intermediate, "mul (no grad)": mul_no_grad,
            "exp (no grad)": exp_no_grad, "sum(0) (no grad)": sum_dim_no_grad,
            "exp of a cut tensor": exp_of_cut, "mul of leaves under no_grad": mul_under_no_grad,
            "detach of a leaf": detach,
            "4 ops in a fresh frame": calls, "10 muls + backward": chain,
            "README program (per op)": readme}

trees = [load(src) for src in sys.argv[2:4]]
loops = [cases(torch) for torch, _ in trees]
best = [{k: float("inf") for k in loops[0]} for _ in trees]
for rep in range(15):
    for i in ((0, 1) if rep % 2 == 0 else (1, 0)):
        sys.modules.update(trees[i][1])  # its own modules for any import made while it runs
        for k, loop in loops[i].items():
            t0 = time.process_time()
            loop()
            best[i][k] = min(best[i][k], time.process_time() - t0)
        for k in trees[i][1]:
            del sys.modules[k]
print(json.dumps([{k: t / n * 1e9 for k, t in b.items()} for b in best]))
"""


def _without_site(src, folder):
    """A copy of the tree ``src`` in ``folder`` whose ops record no call site."""
    copy = os.path.join(folder, "src")
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = os.path.join(copy, "retrograd", "ops", "registry.py")
    with open(path) as f:
        lines = f.readlines()
    start = next(i for i, line in enumerate(lines) if "= _getframe(2)" in line)
    end = next(i for i, line in enumerate(lines) if "node._site_at =" in line)
    with open(path, "w") as f:
        f.writelines(lines[:start] + lines[end + 1 :])
    return copy


def main():
    if sys.argv[1] == "--site":
        folder = tempfile.mkdtemp()
        try:
            compare(_without_site(sys.argv[2], folder), sys.argv[2], sys.argv[3:])
        finally:
            shutil.rmtree(folder)
    else:
        compare(sys.argv[1], sys.argv[2], sys.argv[3:])


def compare(base, new, rest):
    rounds = int(rest[0]) if rest else 9
    cpu = max(os.sched_getaffinity(0))
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    runs = []
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(cpu), base, new],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs.append(json.loads(out.stdout))
    print(
        f"{'ns per call (median of ' + str(rounds) + ' runs)':34} {'base':>8} {'new':>8} {'growth':>7}"
    )
    for key in runs[0][0]:
        b = statistics.median(r[0][key] for r in runs)
        n = statistics.median(r[1][key] for r in runs)
        growth = statistics.median(r[1][key] / r[0][key] for r in runs)
        print(f"{key:34} {b:8.0f} {n:8.0f} {100 * (growth - 1):+6.1f}%")


if __name__ == "__main__":
    main()
