"""examples/digits_cnn.py end to end, shortened to two epochs: it trains, writes its checkpoint and
loss plot, and the reloaded checkpoint gives the same test accuracy (the script checks that itself).
The full run (15 epochs, at least 97%) is ``make demo``."""

import os
import runpy

import pytest

# The examples' packages are installed by `make test` (the examples extra), so these must import;
# `make test-light` installs only the test extra and skips this file.
if os.environ.get("RETROGRAD_TEST_LIGHT"):
    for name in ("matplotlib", "sklearn", "tqdm"):
        pytest.importorskip(name)
import matplotlib  # noqa: E402,F401
import sklearn  # noqa: E402,F401
import tqdm  # noqa: E402,F401

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "digits_cnn.py")


def test_digits_example_trains_and_round_trips_its_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    main = runpy.run_path(EXAMPLE, run_name="digits_cnn")["main"]
    accuracy = main(["--epochs", "2", "--out", str(tmp_path), "--min-accuracy", "0"])
    assert accuracy > 0.5  # ten classes: far above chance after two epochs
    assert (tmp_path / "digits_cnn.pt").stat().st_size > 0
    assert (tmp_path / "digits_cnn_loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
