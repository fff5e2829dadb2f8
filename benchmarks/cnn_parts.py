"""The digits CNN step of cnn_step.py taken apart: each layer's forward and backward timed side by
side with PyTorch's, to tell which part of the whole step's ratio each layer owes.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/cnn_parts.py

Each part runs on the activations the step gives it (batch 64) and is differentiated with a fixed
gradient of its output's shape (not through ``sum()``, whose expanded gradient takes other paths
than the step's), the input requiring grad where the step's does.
"""

from harness import compare  # first: it pins the BLAS to one thread before NumPy loads

# isort: split
import numpy as np
from cnn_step import make_model


def _inputs(lib, batch=64):
    """The model, the batch and the activations that reach each layer, as leaves."""
    lib.manual_seed(0)
    model = make_model(lib)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.uniform(0, 1, (batch, 1, 8, 8)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    F = lib.nn.functional
    with lib.no_grad():
        h1 = F.relu(model.conv1(x))
        c2 = model.conv2(h1)
        pooled = F.max_pool2d(F.relu(c2), 2)
    leaves = {
        "h1": h1.clone().requires_grad_(),
        "c2": c2.clone().requires_grad_(),
        "r2": F.relu(c2).clone().requires_grad_(),
        "pooled": pooled.clone().requires_grad_(),
    }
    return model, x, y, leaves


def _part(forward, leaf_names=()):
    """``make(lib)`` for one part: ``forward(lib, model, x, y, leaves)`` and its backward from a
    fixed gradient (a scalar output: its own backward)."""

    def make(lib):
        model, x, y, leaves = _inputs(lib)
        out = forward(lib, model, x, y, leaves)
        grad = None
        if out.dim():
            grad = lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)))
            grad = grad.to(out.dtype)

        def step():
            model.zero_grad()
            for name in leaf_names:
                leaves[name].grad = None
            forward(lib, model, x, y, leaves).backward(grad)

        return step

    return make


def _adam(lib):
    model, x, y, _ = _inputs(lib)
    lib.nn.functional.cross_entropy(model(x), y).backward()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return opt.step


PARTS = (
    ("conv1 (weight grads)", _part(lambda lib, m, x, y, v: m.conv1(x))),
    ("relu of conv1", _part(lambda lib, m, x, y, v: lib.relu(v["h1"]), ["h1"])),
    ("conv2 (all grads)", _part(lambda lib, m, x, y, v: m.conv2(v["h1"]), ["h1"])),
    ("relu of conv2", _part(lambda lib, m, x, y, v: lib.relu(v["c2"]), ["c2"])),
    (
        "max pool 2x2",
        _part(lambda lib, m, x, y, v: lib.nn.functional.max_pool2d(v["r2"], 2), ["r2"]),
    ),
    (
        "fc1, relu, fc2, cross entropy",
        _part(
            lambda lib, m, x, y, v: lib.nn.functional.cross_entropy(
                m.fc2(lib.relu(m.fc1(v["pooled"].flatten(1)))), y
            ),
            ["pooled"],
        ),
    ),
    ("Adam step", _adam),
)


def main():
    for name, make in PARTS:
        compare(name, make, rounds=11, target=0.05)


if __name__ == "__main__":
    main()
