"""``make bench``: every benchmark script here, one after the other (one thread each).

Each script prints ``retrograd/torch`` ratios measured side by side in one process; see harness.py
for how (process CPU time, medians of interleaved rounds).
"""

import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

SCRIPTS = (
    "core.py",
    "compiled.py",
    "no_grad.py",
    "cut_cost.py",
    "linalg.py",
    "nn_layers.py",
    "rnn.py",
    "cnn_step.py",
    "checkpoint_memory.py",
    "mlp_memory.py",
    "serialization.py",
    "random_streams.py",
    "func.py",
)

for script in SCRIPTS:
    print(f"== {script}", flush=True)
    runpy.run_path(os.path.join(here, script), run_name="__main__")
