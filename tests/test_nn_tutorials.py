"""Programs in the style of PyTorch's nn tutorials (fitting sin(x) with a cubic), written once and
run with ``lib = retrograd`` and ``lib = torch`` from the same initial weights: the same losses.

Updates go through ``param.data`` (no optimizer, no in-place ops), so only nn is exercised.
"""

import math
import random

import numpy as np
import pytest


def _data(lib):
    x = lib.linspace(-math.pi, math.pi, 200)
    return x, lib.sin(x)


def _fit(model, compute_loss, steps, lr):
    """Plain gradient descent; the loss of each step."""
    losses = []
    for _ in range(steps):
        loss = compute_loss()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            if p.grad is not None:  # a parameter a step did not use gets no gradient
                p.data = p.data - lr * p.grad
        losses.append(loss.item())
    return losses


def sequential_program(lib, init, steps=150, lr=1e-5):
    """nn.Sequential(Linear(3, 1), Flatten(0, 1)) on the powers x, x^2, x^3, MSELoss(sum)."""
    x, y = _data(lib)
    xx = x.unsqueeze(-1).pow(lib.tensor([1, 2, 3]))
    model = lib.nn.Sequential(lib.nn.Linear(3, 1), lib.nn.Flatten(0, 1))
    model.load_state_dict({k: lib.tensor(v) for k, v in init.items()})
    loss_fn = lib.nn.MSELoss(reduction="sum")
    return _fit(model, lambda: loss_fn(model(xx), y), steps, lr)


def custom_module_program(lib, init, steps=150, lr=1e-5):
    """A Module with four scalar Parameters: y = a + b x + c x^2 + d x^3."""

    class Polynomial3(lib.nn.Module):
        def __init__(self):
            super().__init__()
            for name in "abcd":
                setattr(self, name, lib.nn.Parameter(lib.tensor(init[name])))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

    x, y = _data(lib)
    model = Polynomial3()
    return _fit(model, lambda: (model(x) - y).pow(2).sum(), steps, lr)


def dynamic_program(lib, init, steps=100, lr=1e-7):
    """The dynamic net: the e x^4 term is reused a random number of times each step."""

    class Dynamic(lib.nn.Module):
        def __init__(self):
            super().__init__()
            for name in "abcde":
                setattr(self, name, lib.nn.Parameter(lib.tensor(init[name])))

        def forward(self, x, reps):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, 4 + reps):
                y = y + self.e * x**exp
            return y

    x, y = _data(lib)
    model = Dynamic()
    rng = random.Random(0)
    return _fit(model, lambda: (model(x, rng.randint(0, 2)) - y).pow(2).sum(), steps, lr)


@pytest.mark.parametrize(
    "program,init",
    [
        (sequential_program, {"0.weight": [[0.3, -0.2, 0.1]], "0.bias": [0.05]}),
        (custom_module_program, {"a": 0.1, "b": -0.3, "c": 0.2, "d": 0.05}),
        (dynamic_program, {"a": 0.1, "b": -0.3, "c": 0.2, "d": 0.05, "e": 0.01}),
    ],
    ids=["sequential", "custom_module", "dynamic"],
)
def test_tutorial_program_matches_torch(torch_ref, program, init):
    import retrograd

    ours, theirs = program(retrograd, init), program(torch_ref, init)
    assert min(ours[-10:]) < 0.7 * ours[0]  # it learns
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)
