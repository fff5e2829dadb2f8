"""Check that the test suite catches three planted bugs; each must make some test fail.

    python tools/mutation_check.py [--full] [mutation ...]

Each mutation is applied to a copy of the repository in a temporary directory (the working tree
is never touched), then pytest runs there on the tests that should notice it (``--full``: the
whole suite).  The mutations:

- ``engine-order``: the backward pass runs the oldest ready node first instead of the newest;
- ``sin-sign``: the derivative formula of ``sin`` has its sign flipped;
- ``no-samples``: a new op is registered without samples in ``tests/op_samples.py``.

Prints, for each mutation, the tests that failed; exits 1 if a mutation went unnoticed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _engine_order(root):
    path = root / "src/retrograd/autograd/engine.py"
    text, n = re.subn(r"\(-(\w+)\._seq", r"(\1._seq", path.read_text())
    assert n >= 3, "engine.py no longer orders nodes by -seq: update this mutation"
    path.write_text(text)


def _sin_sign(root):
    path = root / "src/retrograd/ops/pointwise.py"
    old = "grads=(lambda g, n: g * n.self.cos(),))\ndef sin(self):"
    text = path.read_text()
    assert old in text, "sin's formula changed: update this mutation"
    path.write_text(text.replace(old, old.replace("g * n.self.cos()", "-g * n.self.cos()")))


def _no_samples(root):
    path = root / "src/retrograd/ops/pointwise.py"
    path.write_text(
        path.read_text()
        + "\n\n@op(grads=(lambda g, n: g,), method=False)\n"
        + "def _unsampled_identity(self):\n    return self.copy()\n"
    )


MUTATIONS = {
    # name: (apply, the tests that should notice it)
    "engine-order": (_engine_order, ["tests/test_engine_order.py", "tests/test_hooks.py"]),
    "sin-sign": (_sin_sign, ["tests/test_op_table.py", "-k", "sin"]),
    "no-samples": (_no_samples, ["tests/test_op_table.py", "-k", "registered"]),
}


def check(name, full):
    apply, selection = MUTATIONS[name]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(
            ROOT,
            root,
            ignore=shutil.ignore_patterns(".git", ".venv*", "build", "__pycache__", "*.egg-info"),
        )
        apply(root)
        env = dict(os.environ, PYTHONPATH=str(root / "src"))
        args = ["tests"] if full else selection
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
    failed = sorted(
        {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("FAILED ")}
    )
    print(f"{name}: {len(failed)} failed" + ("" if failed else " -- NOT CAUGHT"))
    for test in failed:
        print(f"    {test}")
    return bool(failed) and proc.returncode != 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mutations", nargs="*", help=f"some of {', '.join(MUTATIONS)} (all)")
    parser.add_argument("--full", action="store_true", help="run the whole suite on each mutant")
    args = parser.parse_args()
    unknown = set(args.mutations) - set(MUTATIONS)
    if unknown:
        parser.error(f"unknown mutations: {sorted(unknown)}")
    caught = [check(name, args.full) for name in args.mutations or MUTATIONS]
    sys.exit(0 if all(caught) else 1)


if __name__ == "__main__":
    main()
