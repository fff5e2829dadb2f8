"""Checkpoints side by side with PyTorch: ``save`` and ``load`` (``weights_only=True``) of a
state dict, in memory (a BytesIO), so the file system's speed is left out.

Two shapes of checkpoint: many small tensors (200 parameters of a 100-layer 64-wide MLP, where
the pickle dominates) and one large tensor (64 MiB, where copying the bytes dominates).
"""

import io

from harness import compare


def _state(lib, kind):
    lib.manual_seed(0)
    if kind == "small":
        layers = [lib.nn.Linear(64, 64) for _ in range(100)]
        return lib.nn.Sequential(*layers).state_dict()
    return {"w": lib.randn(4096, 4096)}


def save(kind):
    def make(lib):
        state = _state(lib, kind)

        def step():
            lib.save(state, io.BytesIO())

        return step

    return make


def load(kind):
    def make(lib):
        buf = io.BytesIO()
        lib.save(_state(lib, kind), buf)
        data = buf.getvalue()

        def step():
            lib.load(io.BytesIO(data), weights_only=True)

        return step

    return make


if __name__ == "__main__":
    compare("save 200 small tensors", save("small"), rounds=7, target=0.2)
    compare("load 200 small tensors", load("small"), rounds=7, target=0.2)
    compare("save one 64 MiB tensor", save("large"), rounds=5, target=0.3)
    compare("load one 64 MiB tensor", load("large"), rounds=5, target=0.3)
