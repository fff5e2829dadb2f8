"""Small training programs in the spirit of PyTorch's "learning PyTorch with examples" tutorial.

Each program is written once against a module called ``torch`` and run twice: with retrograd and
with PyTorch, from the same initial values, on the same data, for the same number of steps. The
final losses must agree closely (same init, same data: only float32 rounding may differ), and the
loss must have fallen a long way (the program really trained).
"""

import math
import random

import numpy as np
import pytest

import retrograd

POINTS = 500
STEPS = 300


def _data(torch):
    x = torch.linspace(-math.pi, math.pi, POINTS)
    return x, torch.sin(x)


def _init(n, seed=0):
    """Initial coefficients, drawn once and given to both libraries."""
    return [float(v) for v in np.random.default_rng(seed).normal(0.0, 0.5, n).astype(np.float32)]


# --- the programs -------------------------------------------------------------------------------
def descend_by_hand(torch, weights, lr):
    """One gradient-descent step written out: in place, outside the graph, then clear the grads."""
    with torch.no_grad():
        for w in weights:
            w -= lr * w.grad
            w.grad = None


def fit_with_raw_autograd(torch, init, steps=STEPS, lr=4e-6):
    """Tensors that require grad, a hand-written loss, and a manual update under no_grad."""
    x, y = _data(torch)
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in init)
    for _ in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        descend_by_hand(torch, (a, b, c, d), lr)
    return loss.item()


def make_legendre3(torch):
    class Legendre3(torch.autograd.Function):
        """P3(t) = (5t^3 - 3t) / 2 with its derivative written by hand."""

        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t**3 - 3 * t)

        @staticmethod
        def backward(ctx, grad_output):
            (t,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * t**2 - 1)

    return Legendre3


def fit_with_custom_function(torch, init, steps=STEPS, lr=5e-5):
    """y = a + b * P3(c + d x) with P3 a custom autograd Function."""
    x, y = _data(torch)
    p3 = make_legendre3(torch).apply
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in init)
    for _ in range(steps):
        loss = (a + b * p3(c + d * x) - y).pow(2).sum()
        loss.backward()
        descend_by_hand(torch, (a, b, c, d), lr)
    return loss.item()


def _polynomial_features(torch, x):
    powers = torch.tensor([1, 2, 3])
    return x.unsqueeze(-1).pow(powers)


def _linear_model(torch, init):
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model[0].weight = torch.nn.Parameter(torch.tensor([init[1:]]))
    model[0].bias = torch.nn.Parameter(torch.tensor([init[0]]))
    return model


def fit_with_sequential(torch, init, steps=STEPS, lr=4e-6):
    """nn.Sequential(Linear, Flatten), a summed MSE loss, and a manual update."""
    x, y = _data(torch)
    features = _polynomial_features(torch, x)
    model = _linear_model(torch, init)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for _ in range(steps):
        loss = loss_fn(model(features), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return loss.item()


def train(torch, model, inputs, targets, optimizer, steps):
    """The canonical loop: zero the grads, compute the loss, backward, step."""
    criterion = torch.nn.MSELoss(reduction="sum")
    for _ in range(steps):
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def fit_with_rmsprop(torch, init, steps=STEPS, lr=1e-3):
    """The same model trained by optim.RMSprop."""
    x, y = _data(torch)
    model = _linear_model(torch, init)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=lr)
    return train(torch, model, _polynomial_features(torch, x), y, optimizer, steps)


def make_cubic(torch, init):
    class Cubic(torch.nn.Module):
        """a + b x + c x^2 + d x^3 as a Module with four scalar parameters."""

        def __init__(self):
            super().__init__()
            for name, value in zip("abcd", init):
                setattr(self, name, torch.nn.Parameter(torch.tensor(value)))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

    return Cubic()


def fit_with_custom_module(torch, init, steps=STEPS, lr=4e-6):
    """A custom nn.Module trained by optim.SGD."""
    x, y = _data(torch)
    model = make_cubic(torch, init)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return train(torch, model, x, y, optimizer, steps)


def make_dynamic_net(torch, init, depth_rng):
    class DynamicNet(torch.nn.Module):
        """A cubic plus 0 to 2 extra terms e x^k that reuse one parameter: the depth of the
        graph is drawn anew at every forward pass."""

        def __init__(self):
            super().__init__()
            for name, value in zip("abcde", init):
                setattr(self, name, torch.nn.Parameter(torch.tensor(value)))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for k in range(4, depth_rng.randint(4, 6)):
                y = y + self.e * x**k
            return y

    return DynamicNet()


def fit_dynamic_net(torch, init, steps=STEPS, lr=4e-8):
    """Control flow in forward: each step builds a graph of a different depth."""
    x, y = _data(torch)
    model = make_dynamic_net(torch, init, random.Random(1234))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    return train(torch, model, x, y, optimizer, steps)


# --- the checks ---------------------------------------------------------------------------------
def _check(program, torch_ref, n_params, init=None):
    init = _init(n_params) if init is None else init
    start = program(torch_ref, init, steps=1)
    theirs = program(torch_ref, init)
    ours = program(retrograd, init)
    assert theirs < start / 5, "the program should train (reference loss fell too little)"
    assert ours == pytest.approx(theirs, rel=1e-3)


def test_raw_autograd(torch_ref):
    _check(fit_with_raw_autograd, torch_ref, 4)


def test_custom_autograd_function(torch_ref):
    # P3(c + d x) only fits sin from near a good start: b < 0 and d about 1/3
    _check(fit_with_custom_function, torch_ref, 4, init=[0.05, -0.9, 0.0, 0.35])


def test_nn_sequential(torch_ref):
    _check(fit_with_sequential, torch_ref, 4)


def test_optim_rmsprop(torch_ref):
    _check(fit_with_rmsprop, torch_ref, 4)


def test_custom_module(torch_ref):
    _check(fit_with_custom_module, torch_ref, 4)


def test_dynamic_net(torch_ref):
    _check(fit_dynamic_net, torch_ref, 5)
