"""``optim.Muon`` against PyTorch: its checks, its update over several steps in float64 and
float32, and its state dict."""

import pytest
import torch

import retrograd

C = (3.4445, -4.775, 2.0315)


def _run(lib, p0, grads, **kw):
    p = lib.nn.Parameter(lib.tensor(p0.numpy()))
    opt = lib.optim.Muon([p], **kw)
    for g in grads:
        p.grad = lib.tensor(g.numpy())
        opt.step()
    return p, opt


CASES = [
    {},
    {"nesterov": False},
    {"adjust_lr_fn": "match_rms_adamw"},
    {"adjust_lr_fn": "original", "weight_decay": 0.5, "lr": 0.1},
    {"ns_steps": 2, "momentum": 0.5},
    {"ns_coefficients": (2.0, -1.5, 0.5), "weight_decay": 0.0},
    {"eps": 1e-3, "momentum": 0.0, "nesterov": False},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(3, 5), (6, 2), (8, 8)])
@pytest.mark.parametrize("kw", CASES)
def test_steps_match_pytorch(dtype, shape, kw):
    gen = torch.Generator().manual_seed(hash((shape, dtype)) % 1000)
    tdt = getattr(torch, dtype)
    p0 = torch.randn(*shape, generator=gen, dtype=tdt)
    grads = [torch.randn(*shape, generator=gen, dtype=tdt) for _ in range(4)]
    if "eps" in kw:  # a gradient whose norm is below eps
        grads = [g * 1e-5 for g in grads]
    tp, topt = _run(torch, p0, grads, **kw)
    rp, ropt = _run(retrograd, p0, grads, **kw)
    assert rp.dtype == getattr(retrograd, dtype)
    # the orthogonalisation runs in bfloat16: a different summation order may round one
    # element of the update the other way, so compare to a few bfloat16 steps of lr
    lr = kw.get("lr", 1e-3)
    torch.testing.assert_close(
        torch.from_numpy(rp.detach().numpy()), tp.detach(), atol=lr * 0.02, rtol=0
    )
    tbuf = topt.state[tp]["momentum_buffer"]
    rbuf = ropt.state[rp]["momentum_buffer"]
    torch.testing.assert_close(torch.from_numpy(rbuf.numpy()), tbuf)


def test_update_is_exact_on_small_matrices():
    gen = torch.Generator().manual_seed(3)
    p0 = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    grads = [torch.randn(3, 5, generator=gen, dtype=torch.float64) for _ in range(3)]
    tp, _ = _run(torch, p0, grads)
    rp, _ = _run(retrograd, p0, grads)
    assert (torch.from_numpy(rp.detach().numpy()) == tp.detach()).all()


def test_defaults_state_dict_and_repr():
    tp = torch.nn.Parameter(torch.ones(2, 3))
    rp = retrograd.nn.Parameter(retrograd.ones(2, 3))
    topt, ropt = torch.optim.Muon([tp]), retrograd.optim.Muon([rp])
    assert ropt.defaults == topt.defaults
    assert repr(ropt) == repr(topt)
    tp.grad, rp.grad = torch.ones(2, 3), retrograd.ones(2, 3)
    topt.step()
    ropt.step()
    tsd, rsd = topt.state_dict(), ropt.state_dict()
    assert rsd["param_groups"] == tsd["param_groups"]
    assert list(rsd["state"]) == list(tsd["state"])
    assert list(rsd["state"][0]) == list(tsd["state"][0]) == ["momentum_buffer"]
    ropt2 = retrograd.optim.Muon([retrograd.nn.Parameter(retrograd.ones(2, 3))])
    ropt2.load_state_dict(rsd)
    assert (ropt2.state_dict()["state"][0]["momentum_buffer"] == rp.grad * 0.05).all()


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": -1.0},
        {"weight_decay": -1.0},
        {"momentum": -0.5},
        {"adjust_lr_fn": "foo"},
    ],
)
def test_constructor_errors(kw):
    t = _error(lambda: torch.optim.Muon([torch.nn.Parameter(torch.ones(2, 2))], **kw))
    r = _error(lambda: retrograd.optim.Muon([retrograd.nn.Parameter(retrograd.ones(2, 2))], **kw))
    assert r == t


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_only_matrices(shape):
    t = _error(lambda: torch.optim.Muon([torch.nn.Parameter(torch.ones(*shape))]))
    r = _error(lambda: retrograd.optim.Muon([retrograd.nn.Parameter(retrograd.ones(*shape))]))
    assert r == t


@pytest.mark.parametrize(
    "kw, dtype, shape",
    [
        ({"ns_steps": 100}, "float32", (3, 4)),
        ({"ns_coefficients": (1.0, 2.0)}, "float32", (3, 4)),
        ({}, "complex64", (3, 4)),
    ],
)
def test_step_errors(kw, dtype, shape):
    def run(lib):
        p = lib.nn.Parameter(lib.ones(*shape, dtype=getattr(lib, dtype)))
        opt = lib.optim.Muon([p], **kw)
        p.grad = lib.ones(*shape, dtype=getattr(lib, dtype))
        return _error(opt.step)

    assert run(retrograd) == run(torch)


def test_vector_in_added_group_fails_at_step():
    def run(lib):
        opt = lib.optim.Muon([lib.nn.Parameter(lib.ones(2, 2))])
        v = lib.nn.Parameter(lib.ones(3))
        opt.add_param_group({"params": [v]})
        v.grad = lib.ones(3)
        return _error(opt.step)

    assert run(retrograd) == run(torch)


def test_swap_in_optimizer_params_and_state():
    """Not Muon's own, but the other optimizer helper PyTorch 2.13 added beside it."""
    import copy

    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 1).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[0.5, -0.25]]))
            m.bias.fill_(0.1)
        opt = lib.optim.Adam(m.parameters(), lr=0.1)
        m(lib.ones(1, 2, dtype=lib.float64)).sum().backward()
        opt.step()
        osd = copy.deepcopy(opt.state_dict())
        osd["param_groups"][0]["lr"] = 0.5
        params = {n: p.detach().clone() for n, p in m.named_parameters()}
        for p in params.values():
            p.grad = lib.ones_like(p)
        live = m.weight.detach().clone()
        with lib.optim.swap_in_optimizer_params_and_state(opt, params, osd):
            inside = (
                opt.param_groups[0]["lr"],
                opt.param_groups[0]["params"][0] is params["weight"],
                opt.state[params["weight"]]["exp_avg"] is osd["state"][0]["exp_avg"],
            )
            opt.step()
        after = (
            opt.param_groups[0]["lr"],
            opt.param_groups[0]["params"][0] is m.weight,
            bool((m.weight == live).all()),
            params["weight"].tolist(),
            float(osd["state"][0]["step"]),
            float(opt.state_dict()["state"][0]["step"]),
        )
        errors = []
        for args in ((opt, {"a": lib.ones(1)}, osd), (lib.optim.Adam(m.parameters()), params, osd)):
            try:
                with lib.optim.swap_in_optimizer_params_and_state(*args):
                    pass
            except RuntimeError as e:
                errors.append(str(e))
        return inside, after, errors

    assert run(retrograd) == run(torch)
