"""examples/legacy_style_training.py, written as published PyTorch code is (``import torch``,
``Variable``, ``.to(device)``, ``cudnn.benchmark``, ``torch.nn.modules`` imports), runs unchanged
with every ``torch`` module name bound to retrograd, and gives PyTorch's losses."""

import json
import os
import subprocess
import sys

import pytest

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "legacy_style_training.py")

# Makes ``import torch`` and ``import torch.x.y`` give retrograd's modules, then runs the example.
_AS_RETROGRAD = """
import importlib, importlib.abc, importlib.util, sys

class _Retrograd(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return importlib.import_module("retrograd" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass

sys.meta_path.insert(0, _Retrograd())
"""

_RUN = """
import json, runpy, warnings
warnings.simplefilter("ignore")
main = runpy.run_path({path!r}, run_name="example")["main"]
import torch
print(json.dumps({{"losses": main(["--epochs", "4"]), "torch": torch.__name__}}))
"""


def _run(prefix: str) -> dict:
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), "..", "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", prefix + _RUN.format(path=EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *printed, last = done.stdout.strip().splitlines()
    assert len(printed) == 4 and all(line.startswith("Epoch ") for line in printed)
    return json.loads(last)


def test_example_runs_on_retrograd_with_pytorchs_losses():
    pytest.importorskip("torch")
    ours = _run(_AS_RETROGRAD)
    theirs = _run("")
    assert ours["torch"] == "retrograd" and theirs["torch"] == "torch"
    assert len(ours["losses"]) == len(theirs["losses"]) == 4 * 6
    for a, b in zip(ours["losses"], theirs["losses"]):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-5)
    first, last = ours["losses"][:6], ours["losses"][-6:]
    assert sum(last) < 0.7 * sum(first)  # it learns
