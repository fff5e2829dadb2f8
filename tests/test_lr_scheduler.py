"""retrograd.optim.lr_scheduler against torch's: the same rates, float for float."""

import math
import warnings

import pytest

import retrograd
from retrograd.optim import lr_scheduler

EPOCHS = 25

SCHEDULES = [
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 7, 7, 15], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda e: 0.95**e / (1 + e)}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": EPOCHS}),
    (
        "OneCycleLR",
        {
            "max_lr": [0.5, 2.0],
            "epochs": 5,
            "steps_per_epoch": 5,
            "pct_start": 0.4,
            "anneal_strategy": "linear",
            "div_factor": 10.0,
        },
    ),
    ("OneCycleLR", {"max_lr": 0.8, "total_steps": EPOCHS, "three_phase": True}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9 if e % 2 else 0.97}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 6}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.8, "total_iters": 9}),
    ("PolynomialLR", {"total_iters": 12, "power": 2.0}),
]


def _ids(config):
    return config[0] + "-" + "-".join(f"{k}" for k in config[1])


def _optimizer(m, name="SGD"):
    a = m.nn.Parameter(m.ones(2))
    b = m.nn.Parameter(m.ones(3))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.3}]
    if name == "SGD":
        return m.optim.SGD(groups, lr=0.1, momentum=0.9)
    return m.optim.Adam(groups, lr=0.1)


def _run(m, optimizer_name, name, kwargs, metrics=None):
    opt = _optimizer(m, optimizer_name)
    sched = getattr(m.optim.lr_scheduler, name)(opt, **kwargs)
    seen = [list(sched.get_last_lr())]
    momenta = []
    for epoch in range(EPOCHS - 1):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[epoch])
        seen.append(list(sched.get_last_lr()))
        assert seen[-1] == [g["lr"] for g in opt.param_groups]
        momenta.append([g.get("momentum", g.get("betas")) for g in opt.param_groups])
    return seen, momenta, sched


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
@pytest.mark.parametrize("config", SCHEDULES, ids=_ids)
def test_rates_equal_torch(config, optimizer_name, torch_ref):
    name, kwargs = config
    ours, our_momenta, sched = _run(retrograd, optimizer_name, name, kwargs)
    theirs, their_momenta, ref = _run(torch_ref, optimizer_name, name, kwargs)
    assert ours == theirs
    assert our_momenta == their_momenta
    if "Lambda" not in name and "Multiplicative" not in name:
        assert sched.state_dict() == ref.state_dict()


def test_sequential_warmup_then_decay_equals_torch(torch_ref):
    def rates(m):
        s = m.optim.lr_scheduler
        opt = _optimizer(m)
        sched = s.SequentialLR(
            opt,
            [
                s.LinearLR(opt, start_factor=0.2, total_iters=4),
                s.ExponentialLR(opt, gamma=0.8),
                s.CosineAnnealingLR(opt, T_max=6),
            ],
            milestones=[5, 12],
        )
        seen = [sched.get_last_lr()]
        for _ in range(EPOCHS):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        return seen

    assert rates(retrograd) == rates(torch_ref)


def test_closed_forms_equal_torch(torch_ref):
    """``step(epoch)`` jumps with the closed form of each schedule."""

    def rates(m):
        s = m.optim.lr_scheduler
        out = []
        for name, kwargs in SCHEDULES[:5] + SCHEDULES[-3:]:
            opt = _optimizer(m)
            sched = getattr(s, name)(opt, **kwargs)
            opt.step()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for epoch in (3, 7, 15, 4):
                    sched.step(epoch)
                    out.append(sched.get_last_lr())
        return out

    assert rates(retrograd) == rates(torch_ref)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {
            "mode": "max",
            "factor": 0.5,
            "patience": 2,
            "threshold": 0.1,
            "threshold_mode": "abs",
            "cooldown": 2,
        },
        {"patience": 1, "min_lr": [0.01, 0.05], "eps": 1e-3},
    ],
)
def test_reduce_on_plateau_equals_torch(kwargs, torch_ref):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 1.2, 0.7] + [0.7] * 13
    ours, _, sched = _run(retrograd, "SGD", "ReduceLROnPlateau", kwargs, metrics)
    theirs, _, ref = _run(torch_ref, "SGD", "ReduceLROnPlateau", kwargs, metrics)
    assert ours == theirs
    assert sched.state_dict() == ref.state_dict()


def test_cosine_annealing_goes_down_to_eta_min():
    opt = _optimizer(retrograd)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.05)
    for _ in range(4):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.05, 0.05])


def test_closed_form_with_epoch_argument_warns_and_equals_torch(torch_ref):
    def rates(m):
        opt = _optimizer(m)
        sched = m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(6)
        return sched.get_last_lr(), [str(w.message)[:40] for w in caught]

    assert rates(retrograd) == rates(torch_ref)


def test_scheduler_step_before_optimizer_step_warns(torch_ref):
    def messages(m):
        opt = _optimizer(m)
        sched = m.optim.lr_scheduler.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step()
        return [str(w.message) for w in caught]

    ours, theirs = messages(retrograd), messages(torch_ref)
    assert ours == theirs and len(ours) == 1


def test_state_dict_round_trip_resumes_schedule():
    opt = _optimizer(retrograd)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    for _ in range(4):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved
    opt2 = _optimizer(retrograd)
    sched2 = lr_scheduler.StepLR(opt2, step_size=1, gamma=0.9)
    sched2.load_state_dict(saved)
    assert sched2.last_epoch == 4 and sched2.step_size == 3
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_lambda_lr_state_dict_keeps_callable_objects_state(torch_ref):
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate**epoch

    opt = _optimizer(retrograd)
    sched = lr_scheduler.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}, None]
    other = lr_scheduler.LambdaLR(_optimizer(retrograd), [Decay(0.9), lambda e: 2.0])
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].rate == 0.5


def _sequential(m, schedulers=None, milestones=(3,)):
    opt = _optimizer(m)
    s = m.optim.lr_scheduler
    if schedulers is None:
        schedulers = [s.ConstantLR(opt), s.ExponentialLR(opt, 0.5)]
    return s.SequentialLR(opt, schedulers, list(milestones))


def test_errors_match_torch(torch_ref):
    def error(case, m):
        try:
            case(m)
        except Exception as e:  # noqa: BLE001 - type and text are compared
            return type(e).__name__, str(e)

    cases = [
        lambda m: m.optim.lr_scheduler.StepLR(object(), 2),
        lambda m: m.optim.lr_scheduler.StepLR(_optimizer(m), 2, last_epoch=3),
        lambda m: m.optim.lr_scheduler.LambdaLR(_optimizer(m), [lambda e: 1.0]),
        lambda m: m.optim.lr_scheduler.OneCycleLR(_optimizer(m), 1.0),
        lambda m: m.optim.lr_scheduler.OneCycleLR(_optimizer(m), [1.0], total_steps=3),
        lambda m: m.optim.lr_scheduler.OneCycleLR(
            _optimizer(m), 1.0, total_steps=3, anneal_strategy="x"
        ),
        lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(m), factor=1.0),
        lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(m), mode="avg"),
        lambda m: m.optim.lr_scheduler.ConstantLR(_optimizer(m), factor=2.0),
        lambda m: m.optim.lr_scheduler.LinearLR(_optimizer(m), start_factor=0.0),
        lambda m: m.optim.lr_scheduler.LinearLR(_optimizer(m), end_factor=1.5),
        lambda m: m.optim.lr_scheduler.MultiplicativeLR(_optimizer(m), lr_lambda=3),
        lambda m: _sequential(m, milestones=[1, 2]),
        lambda m: _sequential(m, schedulers=[]),
    ]
    for case in cases:
        theirs = error(case, torch_ref)
        assert theirs is not None
        assert error(case, retrograd) == theirs


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _optimizer(retrograd)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    sched.step()
    opt.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        sched.step()
    assert not math.isnan(opt.param_groups[0]["lr"])
