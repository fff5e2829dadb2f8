"""Op-call and node-run overhead of two retrograd source trees, measured interleaved.

    python benchmarks/op_overhead.py BASE_SRC NEW_SRC [rounds]

Each round runs one short subprocess per tree (alternating, so machine noise hits both alike), which
takes the process time per call of the least disturbed of a few repeats; the medians over the
rounds are compared.  Used to show that the
call-site recording of issue 3 (errors that point home) costs at most 5% per op call.
"""

import json
import statistics
import subprocess
import sys

_CHILD = r"""
import json, time
import retrograd as torch
a = torch.ones(4, requires_grad=True)
b = torch.ones(4, requires_grad=True)
c = torch.ones(4)
n = 2000

def best(loop, per):
    t = float("inf")
    for _ in range(7):  # the least disturbed of a few repeats
        t0 = time.process_time()
        loop()
        t = min(t, time.process_time() - t0)
    return t / (n * per) * 1e9

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
def mul_no_grad():
    for _ in range(n):
        c * c
# Ops in a small function called again and again (a module's forward): a new frame each call.
def layer(x):
    y = x * b
    y = y + 1
    y = y.exp()
    return y * b
def calls():
    for _ in range(n):
        layer(a)
def chain():
    for _ in range(n // 10):
        y = a
        for _ in range(10):
            y = y * b
        y.sum().backward()
res = {"mul (records a node)": best(mul, 1), "add scalar (records)": best(add_scalar, 1),
       "exp (saves result)": best(exp, 1), "mul (no grad)": best(mul_no_grad, 1),
       "4 ops in a fresh frame": best(calls, 4), "10 muls + backward": best(chain, 1)}
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
