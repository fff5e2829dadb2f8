"""Run every benchmark: ``make bench`` (one thread each, ratios retrograd/torch)."""

import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

for script in ("core.py",):
    print(f"== {script}")
    runpy.run_path(os.path.join(here, script), run_name="__main__")
