"""ChainedScheduler, CosineAnnealingWarmRestarts, CyclicLR and ``optim.swa_utils`` against PyTorch:
the same rates (and momenta) float for float over many steps, state-dict keys, averaged weights
and recomputed BatchNorm statistics, and PyTorch's errors."""

import warnings

import numpy as np
import pytest
from op_checks import error_tests

import retrograd


def _optimizer(lib, kind="sgd"):
    params = [lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.05}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _schedules(lib, which):
    L = lib.optim.lr_scheduler
    opt = _optimizer(lib, "adam" if "adam" in which else "sgd")
    make = {
        "chained": lambda: L.ChainedScheduler(
            [L.StepLR(opt, 3, 0.5), L.ExponentialLR(opt, 0.9), L.ConstantLR(opt, 0.5, 4)]
        ),
        "warm restarts": lambda: L.CosineAnnealingWarmRestarts(opt, 4),
        "warm restarts doubling": lambda: L.CosineAnnealingWarmRestarts(opt, 3, 2, 0.001),
        "cyclic": lambda: L.CyclicLR(opt, 0.01, 0.1, 3),
        "cyclic triangular2 adam": lambda: L.CyclicLR(
            opt, [0.01, 0.02], 0.1, 2, 4, mode="triangular2"
        ),
        "cyclic exp_range": lambda: L.CyclicLR(opt, 0.01, 0.1, 2, mode="exp_range", gamma=0.9),
        "cyclic scale_fn": lambda: L.CyclicLR(
            opt, 0.01, 0.1, 3, scale_fn=lambda x: 0.5**x, scale_mode="iterations"
        ),
        "swalr": lambda: lib.optim.swa_utils.SWALR(opt, 0.02, anneal_epochs=5),
        "swalr linear instant": lambda: lib.optim.swa_utils.SWALR(
            opt, [0.02, 0.01], anneal_epochs=0, anneal_strategy="linear"
        ),
    }
    return opt, make[which]()


def _trace(lib, which, steps=25):
    opt, sched = _schedules(lib, which)
    seen = []
    for _ in range(steps):
        opt.step()
        sched.step()
        groups = opt.param_groups
        seen.append(
            [g["lr"] for g in groups]
            + [g.get("momentum", g.get("betas", (None,))[0]) for g in groups]
            + sched.get_last_lr()
        )
    return seen, sorted(sched.state_dict())


SCHEDULES = [
    "chained",
    "warm restarts",
    "warm restarts doubling",
    "cyclic",
    "cyclic triangular2 adam",
    "cyclic exp_range",
    "cyclic scale_fn",
    "swalr",
    "swalr linear instant",
]


@pytest.mark.parametrize("which", SCHEDULES)
def test_rates_and_state_are_pytorchs(torch_ref, which):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _trace(retrograd, which), _trace(torch_ref, which)
    assert ours[1] == theirs[1]
    assert ours[0] == theirs[0]


@pytest.mark.parametrize("epochs", [[0.5, 1.25, 7, 2, 30.5], [0, 3, 9, 21, 22.75]])
def test_warm_restarts_at_given_epochs(torch_ref, epochs):
    seen = []
    for lib in (retrograd, torch_ref):
        opt, sched = _schedules(lib, "warm restarts doubling")
        rates = []
        for e in epochs:
            sched.step(e)
            rates.append((sched.get_last_lr(), sched.T_i, sched.T_cur, sched.last_epoch))
        seen.append(rates)
    assert seen[0] == seen[1]


def test_cyclic_state_dict_round_trip():
    opt, sched = _schedules(retrograd, "cyclic")
    for _ in range(4):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt2, again = _schedules(retrograd, "cyclic")
    again.load_state_dict(state)
    opt.step()
    sched.step()
    opt2.step()
    again.step()
    assert again.get_last_lr() == sched.get_last_lr()


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 1))


@pytest.mark.parametrize(
    "how",
    ["swa", "swa with buffers", "ema avg_fn", "ema multi_avg_fn", "swa multi_avg_fn"],
)
def test_averaged_model_matches_pytorch(torch_ref, how):
    states = []
    for lib in (retrograd, torch_ref):
        swa = lib.optim.swa_utils
        model = _model(lib)
        kwargs = {
            "swa": {},
            "swa with buffers": {"use_buffers": True},
            "ema avg_fn": {"avg_fn": swa.get_ema_avg_fn(0.9)},
            "ema multi_avg_fn": {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9)},
            "swa multi_avg_fn": {"multi_avg_fn": swa.get_swa_multi_avg_fn()},
        }[how]
        averaged = swa.AveragedModel(model, **kwargs)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        data = lib.tensor(np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32))
        for _ in range(4):
            opt.zero_grad()
            model(data).pow(2).mean().backward()
            opt.step()
            averaged.update_parameters(model)
        swa.update_bn([(data[:3],), (data[3:],)], averaged)
        out = averaged(data)
        states.append(
            (
                {k: v.numpy().copy() for k, v in averaged.state_dict().items()},
                out.detach().numpy(),
                repr(averaged),
            )
        )
    (ours, out, text), (theirs, tout, ttext) = states
    assert list(ours) == list(theirs) and text == ttext
    for k in ours:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, atol=1e-7, err_msg=k)
    np.testing.assert_allclose(out, tout, rtol=1e-5, atol=1e-6)


def test_update_bn_restores_momentum_and_mode():
    model = _model(retrograd).eval()
    retrograd.optim.swa_utils.update_bn([retrograd.randn(4, 3)], model)
    assert model[1].momentum == 0.1 and not model.training
    assert int(model[1].num_batches_tracked) == 1


def _opt(t):
    return t.optim.SGD([t.nn.Parameter(t.ones(2))], lr=0.1, momentum=0.9)


test_error_type_and_text, test_error_texts_are_pytorchs = error_tests(
    [
        (
            lambda t: t.optim.lr_scheduler.ChainedScheduler([]),
            ValueError,
            "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.",
        ),
        (
            lambda t: t.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(t), 0),
            ValueError,
            "Expected positive integer T_0, but got 0",
        ),
        (
            lambda t: t.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(t), 2, 0),
            ValueError,
            "Expected integer T_mult >= 1, but got 0",
        ),
        (
            lambda t: t.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(t), 2).step(-1),
            ValueError,
            "Expected non-negative epoch, but got -1",
        ),
        (
            lambda t: t.optim.lr_scheduler.CyclicLR(_opt(t), 0.01, 0.1, mode="x"),
            ValueError,
            "mode is invalid and scale_fn is None",
        ),
        (
            lambda t: t.optim.lr_scheduler.CyclicLR(
                t.optim.Adagrad([t.nn.Parameter(t.ones(2))]), 0.01, 0.1
            ),
            ValueError,
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
        ),
        (
            lambda t: t.optim.lr_scheduler.CyclicLR(_opt(t), [0.01, 0.1], 0.1),
            ValueError,
            "base_lr must have the same length as optimizer.param_groups. base_lr has 2 values, "
            "param_groups has 1.",
        ),
        (
            lambda t: t.optim.swa_utils.SWALR(_opt(t), 1, anneal_strategy="x"),
            ValueError,
            "anneal_strategy must be one of 'cos' or 'linear', instead got x",
        ),
        (
            lambda t: t.optim.swa_utils.SWALR(_opt(t), 1, anneal_epochs=-1),
            ValueError,
            "anneal_epochs must be equal or greater than 0, got -1",
        ),
    ]
)
