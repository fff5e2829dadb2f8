"""The Tensor stub (``src/retrograd/tensor.pyi``) that editors and type checkers read matches the
class as the op table builds it: a new op or method without a regenerated stub fails here."""

import os
import subprocess
import sys

import retrograd

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tensor_stub  # noqa: E402


def test_stub_is_current():
    with open(tensor_stub.PATH) as f:
        committed = f.read()
    assert committed == tensor_stub.render(), (
        "src/retrograd/tensor.pyi is stale: run `python tools/tensor_stub.py`"
    )


def test_stub_lists_every_method_and_is_valid_python():
    with open(tensor_stub.PATH) as f:
        text = f.read()
    compile(text, "tensor.pyi", "exec")
    for name in ("sum", "view", "backward", "add_", "__add__", "grad", "shape", "relu"):
        assert hasattr(retrograd.Tensor, name)
        assert f"def {name}(" in text, name


def test_type_checker_finds_the_methods(tmp_path):
    """mypy, reading the package as a user's project would (PEP 561: ``py.typed``), accepts op
    methods on a Tensor and rejects a name the class does not have."""
    assert os.path.exists(os.path.join(ROOT, "src", "retrograd", "py.typed"))
    program = tmp_path / "uses_tensor.py"
    program.write_text(
        "from retrograd import Tensor\n\n\n"
        "def f(t: Tensor) -> Tensor:\n"
        "    return t.sum(dim=0).view(2).relu().add_(1)\n\n\n"
        "def g(t: Tensor) -> None:\n"
        "    t.no_such_method()\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--follow-imports=silent",
            "--no-incremental",
            "--ignore-missing-imports",
            str(program),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.path.join(ROOT, "src")},
    )
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and '"Tensor" has no attribute "no_such_method"' in errors[0], (
        out.stdout
    )
