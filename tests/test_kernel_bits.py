"""The last bit of float32 kernels: exp, log, pow and their kin, sigmoid and the activations made
of them, and tanh's gradient, against PyTorch's on fixed random inputs.

NumPy's float32 kernels differ from PyTorch's in the last bit in 10-70% of values (exp 39%,
log10 46%, x ** -1.7 70%); computed in float64 and rounded once they differ in a few percent at
most, and a gradient that reads the value inherits the bit.  Each case bounds the fraction of
values (and of first gradients) whose bits differ: the bound is a little above what the rounded-
once kernel gives and far below what NumPy's float32 kernel gave.  The inputs come in tensors of
seven elements, the size of the fuzzer's (PyTorch's pow takes another path for larger ones).
"""

import numpy as np
import pytest

import retrograd

CHUNK = 7


def _draws(domain, n=700):
    """``n`` float32 values of ``domain``: normal draws of four spreads, shaped to the domain."""
    rng = np.random.default_rng(8)
    x = np.concatenate([rng.standard_normal(n // 4) * s for s in (0.1, 1.0, 3.0, 10.0)])
    x = {"any": x, "pos": np.abs(x) + 1e-3, "gt-1": np.abs(x) - 0.99, "unit": np.tanh(x)}[domain]
    return x.astype(np.float32)


def _run(lib, program, x):
    """Values and first gradients (with a fixed upstream gradient), chunk by chunk."""
    values, grads = [], []
    g = np.linspace(-1.5, 1.5, CHUNK, dtype=np.float32)
    for i in range(0, x.size, CHUNK):
        t = lib.tensor(x[i : i + CHUNK], requires_grad=True)
        y = program(lib, t)
        (gt,) = lib.autograd.grad(y, t, lib.tensor(g[: y.numel()]))
        values.append(y.detach().numpy())
        grads.append(gt.numpy())
    return np.concatenate(values), np.concatenate(grads)


def _differ(a, b):
    same = (a == b) & (np.signbit(a) == np.signbit(b)) | np.isnan(a) & np.isnan(b)
    return 1 - same.mean()


def _f(lib):
    return lib.nn.functional


# name: (program, domain, most values that may differ, most gradients that may differ)
CASES = {
    "exp": (lambda t, x: x.exp(), "any", 0.02, 0.02),
    "expm1": (lambda t, x: x.expm1(), "any", 0.01, 0.01),
    "log": (lambda t, x: x.log(), "pos", 0.09, 0.0),
    "log1p": (lambda t, x: x.log1p(), "gt-1", 0.02, 0.0),
    "log2": (lambda t, x: x.log2(), "pos", 0.01, 0.0),
    "log10": (lambda t, x: x.log10(), "pos", 0.01, 0.0),
    "tan": (lambda t, x: x.tan(), "any", 0.2, 0.1),
    "cosh": (lambda t, x: x.cosh(), "any", 0.16, 0.25),
    "asin": (lambda t, x: x.asin(), "unit", 0.05, 0.0),
    "acos": (lambda t, x: x.acos(), "unit", 0.07, 0.0),
    "atan": (lambda t, x: x.atan(), "any", 0.08, 0.0),
    "sigmoid": (lambda t, x: x.sigmoid(), "any", 0.0, 0.0),
    "silu": (lambda t, x: _f(t).silu(x), "any", 0.0, 0.15),
    "softplus": (lambda t, x: _f(t).softplus(x), "any", 0.08, 0.01),
    "logsigmoid": (lambda t, x: _f(t).logsigmoid(x), "any", 0.07, 0.05),
    "elu": (lambda t, x: _f(t).elu(x), "any", 0.05, 0.01),
    "pow 2.5": (lambda t, x: x**2.5, "pos", 0.0, 0.0),
    "pow -1.7": (lambda t, x: x**-1.7, "pos", 0.0, 0.0),
    "pow tensor": (lambda t, x: x ** (x * 0.1), "pos", 0.01, 0.05),
    "scalar ** x": (lambda t, x: 1.46 ** (x * 0.1), "any", 0.01, 0.01),
}


@pytest.mark.parametrize("name", CASES)
def test_float32_bits_as_pytorch(torch_ref, name):
    program, domain, value_bound, grad_bound = CASES[name]
    x = _draws(domain)
    with np.errstate(all="ignore"):
        ours = _run(retrograd, program, x)
        theirs = _run(torch_ref, program, x)
    assert _differ(ours[0], theirs[0]) <= value_bound
    assert _differ(ours[1], theirs[1]) <= grad_bound


@pytest.mark.parametrize("dtype, bound", [("float32", 0.045), ("float64", 0.04)])
def test_sigmoid_of_a_large_tensor_keeps_the_last_bit_close(torch_ref, dtype, bound):
    """Above 32 elements PyTorch's sigmoid is vectorised; no NumPy kernel has its bits, but
    float32's exp taken in float64 and rounded once differs in about 4% of values, where NumPy's
    float32 exp differs in 17%.  (A 97x51 block: a recurrent cell's gate.)"""
    x = np.concatenate([np.random.default_rng(3).standard_normal(97 * 51) * s for s in (1, 4)])
    x = x.astype(dtype).reshape(2, 97, 51)
    ours = retrograd.from_numpy(x).sigmoid().numpy()
    theirs = torch_ref.from_numpy(x).sigmoid().numpy()
    assert _differ(ours, theirs) <= bound
    np.testing.assert_allclose(ours, theirs, rtol=4e-7 if dtype == "float32" else 1e-15, atol=0)
