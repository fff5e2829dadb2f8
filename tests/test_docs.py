"""The documentation site builds with every warning an error (``make docs``): a broken link, a
page missing from the navigation or an API page naming a module that is gone fails here."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")

if os.environ.get("RETROGRAD_TEST_LIGHT"):
    pytest.importorskip("mkdocs")


def test_docs_build_strict(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "autograd" / "index.html").read_text()
    assert "backward" in api and "no_grad" in api  # the docstrings reached the API page
    explain = (tmp_path / "site" / "explain" / "index.html").read_text()
    assert "img/readme_graph_after.svg" in explain
    assert (tmp_path / "site" / "img" / "readme_graph_after.svg").exists()
