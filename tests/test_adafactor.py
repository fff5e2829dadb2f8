"""``optim.Adafactor`` beyond the shared optimizer tests: factored parameters of three dimensions,
float64, a tensor learning rate, a state dict written by PyTorch, and the argument errors."""

import numpy as np
import pytest

import retrograd


def _run(lib, shapes, dtype, steps, **kwargs):
    rng = np.random.default_rng(0)
    params = [
        lib.nn.Parameter(lib.tensor(rng.standard_normal(s), dtype=getattr(lib, dtype)))
        for s in shapes
    ]
    opt = lib.optim.Adafactor(params, **kwargs)
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)), dtype=p.dtype)
        opt.step()
    return params, opt


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_factored_steps_and_state_match_pytorch(torch_ref, dtype):
    shapes = [(2, 3, 4), (5, 1), (1, 6), (3,)]
    kw = dict(lr=0.03, weight_decay=0.05, d=1.2)
    ours, opt = _run(retrograd, shapes, dtype, 8, **kw)
    theirs, ref = _run(torch_ref, shapes, dtype, 8, **kw)
    tol = 1e-12 if dtype == "float64" else 2e-6
    for p, q in zip(ours, theirs):
        assert p.dtype.__repr__() == repr(q.dtype)
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=tol, atol=tol)
    sd, rsd = opt.state_dict(), ref.state_dict()
    assert sd["param_groups"] == rsd["param_groups"]
    for i, state in rsd["state"].items():
        assert list(sd["state"][i]) == list(state)
        for key, value in state.items():
            assert sd["state"][i][key].dtype.__repr__() == repr(value.dtype)
            np.testing.assert_allclose(sd["state"][i][key].numpy(), value.numpy(), rtol=tol)


def test_tensor_lr_and_pytorchs_state_dict(torch_ref):
    theirs, ref = _run(torch_ref, [(3, 4), (4,)], "float32", 3, lr=torch_ref.tensor(0.02))
    ours, _ = _run(retrograd, [(3, 4), (4,)], "float32", 0)
    for p, q in zip(ours, theirs):
        p.data = retrograd.tensor(q.detach().numpy())
    opt = retrograd.optim.Adafactor(ours, lr=retrograd.tensor(0.5))
    sd = ref.state_dict()
    opt.load_state_dict(
        {
            "state": {
                k: {n: retrograd.tensor(v.numpy()) for n, v in s.items()}
                for k, s in sd["state"].items()
            },
            "param_groups": [{**g, "lr": float(g["lr"])} for g in sd["param_groups"]],
        }
    )
    rng = np.random.default_rng(5)
    for _ in range(3):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(tuple(p.shape)).astype(np.float32)
            p.grad, q.grad = retrograd.tensor(g), torch_ref.tensor(g)
        opt.step()
        ref.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=2e-6)


ERRORS = [
    dict(lr=-1.0),
    dict(beta2_decay=0.5),
    dict(eps=(-1.0, 1e-3)),
    dict(eps=(None, -1.0)),
    dict(d=0.5),
    dict(weight_decay=-0.1),
]


@pytest.mark.parametrize("kwargs", ERRORS)
def test_argument_errors_match_pytorch(torch_ref, kwargs):
    caught = []
    for lib in (retrograd, torch_ref):
        with pytest.raises(ValueError) as info:
            lib.optim.Adafactor([lib.nn.Parameter(lib.ones(2))], **kwargs)
        caught.append(str(info.value))
    assert caught[0] == caught[1]


def test_complex_parameters_are_refused_as_in_pytorch(torch_ref):
    caught = []
    for lib in (retrograd, torch_ref):
        p = lib.nn.Parameter(lib.ones(2, dtype=lib.complex64))
        p.grad = lib.ones(2, dtype=lib.complex64)
        with pytest.raises(RuntimeError) as info:
            lib.optim.Adafactor([p]).step()
        caught.append(str(info.value))
    assert caught[0] == caught[1]
