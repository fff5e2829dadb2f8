"""The public modules type-check: mypy, configured in pyproject.toml (``[tool.mypy]``: the package
root, the Tensor stub, autograd, nn, optim, utils.data), reports no error.  ``make lint`` runs it
too; this test makes ``make test`` fail as well when an annotation goes wrong."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_mypy_is_clean_on_the_public_modules():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
