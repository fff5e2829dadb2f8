"""``torch.func.functionalize`` and ``replace_all_batch_norm_modules_`` against PyTorch: the same
outputs and gradients, input mutations still visible, views kept or copied by ``remove``."""

import numpy as np
import pytest
import torch

import retrograd


def _program(lib):
    def f(x, w):
        y = x.clone()
        y.add_(w)
        x.mul_(2)
        v = x.view(-1)
        v[0] = 7
        return y, v, {"t": x.t(), "n": 3}, [x[0]]

    return f


def _describe(out, x):
    y, v, d, (row,) = out
    return (
        y.tolist(),
        v.tolist(),
        d["t"].tolist(),
        d["n"],
        row.tolist(),
        x.tolist(),
        v._base is None,
        d["t"]._base is None,
        row._base is None,
        d["t"].is_contiguous(),
    )


@pytest.mark.parametrize("remove", ["mutations", "mutations_and_views"])
def test_outputs_mutations_and_views(remove):
    def run(lib):
        x = lib.arange(4.0, dtype=lib.float64).reshape(2, 2)
        w = lib.tensor(0.5, dtype=lib.float64)
        out = lib.func.functionalize(_program(lib), remove=remove)(x, w)
        return _describe(out, x)

    assert run(retrograd) == run(torch)


def test_gradients_through_functionalize():
    def run(lib):
        w = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)

        def f(w):
            y = w * 2
            y.sin_()
            return (y.view(3, 1) * w).sum()

        g = lib.func.grad(lib.func.functionalize(f))(w)
        loss = lib.func.functionalize(f, remove="mutations_and_views")(w)
        loss.backward()
        return g.detach().numpy(), w.grad.numpy()

    for a, b in zip(run(retrograd), run(torch), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_returns_none_and_keeps_name():
    def run(lib):
        def h(x):
            x.add_(1)

        x = lib.zeros(2)
        wrapped = lib.func.functionalize(h)
        return wrapped(x), x.tolist(), wrapped.__name__

    assert run(retrograd) == run(torch)


def test_invalid_remove():
    def run(lib):
        with pytest.raises(RuntimeError) as info:
            lib.func.functionalize(len, remove="views")
        return str(info.value)

    assert run(retrograd) == run(torch)


def test_replace_all_batch_norm_modules_():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Sequential(
            lib.nn.BatchNorm1d(3),
            lib.nn.Linear(3, 3),
            lib.nn.SyncBatchNorm(3),
            lib.nn.InstanceNorm1d(3, track_running_stats=True),
        )
        out = lib.func.replace_all_batch_norm_modules_(m)
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=lib.float32)
        m.eval()
        return (
            out is m,
            [repr(c) for c in m],
            [sorted(c.state_dict()) for c in m],
            [(c.track_running_stats, c.running_mean) for c in (m[0], m[2])],
            m[3].running_mean.tolist(),
            m[0](x).detach().numpy().round(5).tolist(),
        )

    assert run(retrograd) == run(torch)
