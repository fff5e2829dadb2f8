"""Op-call and node-run overhead of two retrograd source trees, measured interleaved.

    python benchmarks/op_overhead.py BASE_SRC NEW_SRC [rounds]

Each round runs one short subprocess per tree (alternating, so machine noise hits both alike) and
reads the process time per call; the medians over the rounds are compared.  Used to show that the
call-site recording of issue 3 (errors that point home) costs at most 5% per op call.
"""

import json
import statistics
import subprocess
import sys

_CHILD = r"""
import json, sys, time
import retrograd as torch
a = torch.ones(4, requires_grad=True)
b = torch.ones(4, requires_grad=True)
c = torch.ones(4)
n = 5000
def per_call(fn):
    t0 = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t0) / n * 1e9
res = {}
res["mul (records a node)"] = per_call(lambda: a * b)
res["add scalar (records)"] = per_call(lambda: a + 1)
res["exp (saves result)"] = per_call(lambda: a.exp())
res["mul (no grad)"] = per_call(lambda: c * c)
def chain():
    y = a
    for _ in range(10):
        y = y * b
    y.sum().backward()
res["10 muls + backward"] = per_call(chain) / 10
print(json.dumps(res))
"""


def _run(src):
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                         env={"PYTHONPATH": src, "OMP_NUM_THREADS": "1"}, check=True)
    return json.loads(out.stdout)


def main():
    base, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    results = {base: [], new: []}
    for _ in range(rounds):
        for src in (base, new):
            results[src].append(_run(src))
    print(f"{'ns per call (median of ' + str(rounds) + ')':32} {'base':>8} {'new':>8} {'growth':>7}")
    for key in results[base][0]:
        b = statistics.median(r[key] for r in results[base])
        n = statistics.median(r[key] for r in results[new])
        print(f"{key:32} {b:8.0f} {n:8.0f} {100 * (n / b - 1):+6.1f}%")


if __name__ == "__main__":
    main()
