"""``autograd.detect_leaks`` and ``autograd.detect_pitfalls``: each warning, its sentence and the
line it names, and silence on a correct training loop."""

import gc
import os
import warnings

import pytest

import retrograd as torch
from retrograd import nn
from retrograd.autograd import engine, training_checks
from retrograd.nn import module as nn_module

HERE = os.path.abspath(__file__)


@pytest.fixture(autouse=True)
def _no_collector():
    """Garbage from earlier tests, collected half-way through a loop, would change the count of
    live nodes between two steps; collect it first and keep the collector out of the test."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _line(marker):
    """The line number of this file that holds ``marker`` (not counting this lookup's own lines)."""
    with open(__file__) as f:
        return next(i + 1 for i, text in enumerate(f) if marker in text and "_line(" not in text)


def _site(marker, text):
    return f"{HERE}:{_line(marker)} (`{text}`)"


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught], caught


class Net(nn.Module):
    def __init__(self, dropout=0.0, aux=False):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.head = nn.Linear(8, 1)
        if aux:
            self.aux = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.drop(self.body(x).relu()))


def _data():
    torch.manual_seed(0)
    return torch.randn(16, 4), torch.randn(16, 1)


# --- leaks ---------------------------------------------------------------------------------------


def test_total_loss_plus_equals_loss_is_named_with_its_variable():
    x, y = _data()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        total_loss = 0
        for _ in range(5):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            total_loss += loss  # LEAK-SUM
        return total_loss

    with torch.autograd.detect_leaks():
        messages, caught = _caught(train)
    assert len(messages) == 1
    assert messages[0].startswith(
        "The autograd graph alive across optimizer steps grew at each of the last 3 steps ("
    )
    assert (
        f"the graph made at {_site('# LEAK-SUM', 'total_loss += loss  # LEAK-SUM')} keeps the "
        "graphs of earlier steps alive" in messages[0]
    )
    assert (
        "it is held by `total_loss`, a local of train() in test_training_checks.py" in (messages[0])
    )
    assert messages[0].endswith(
        "Keep numbers rather than tensors across steps (`loss.item()`), or detach() what you "
        "carry from one step to the next."
    )
    # the warning points at the line itself, as a warning from that line would
    assert caught[0].filename == HERE and caught[0].lineno == _line("# LEAK-SUM")


def test_a_list_of_outputs_is_named():
    x, y = _data()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        outputs = []
        for _ in range(5):
            opt.zero_grad()
            out = model(x)  # LEAK-LIST
            loss = ((out - y) ** 2).mean()
            loss.backward()
            opt.step()
            outputs.append(out)

    with torch.autograd.detect_leaks():
        messages, _ = _caught(train)
    assert len(messages) == 1
    assert (
        f"3 graphs made at {_site('# LEAK-LIST', 'out = model(x)  # LEAK-LIST')}" in (messages[0])
    )
    assert (
        "they are held by an item of the list `outputs`, a local of train() in test_training_checks.py"
        in messages[0]
    )


def test_a_running_average_of_the_loss_is_named():
    x, y = _data()
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        smooth = 0.0
        for _ in range(6):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            smooth = 0.9 * smooth + 0.1 * loss  # SMOOTHED

    with torch.autograd.detect_leaks(steps=4):
        messages, _ = _caught(train)
    assert len(messages) == 1
    assert "grew at each of the last 4 steps" in messages[0]
    assert (
        f"the graph made at {_site('# SMOOTHED', 'smooth = 0.9 * smooth + 0.1 * loss  # SMOOTHED')}"
        in messages[0]
    )
    assert "it is held by `smooth`, a local of train()" in messages[0]


def test_a_correct_loop_gives_no_warning():
    x, y = _data()
    model = Net(dropout=0.2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def train():
        total = 0.0
        history = []
        for _ in range(6):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            total += loss.item()
            history.append(loss.detach())
        model.eval()
        with torch.no_grad():
            model(x)
        model.train()

    with torch.autograd.detect_leaks(), torch.autograd.detect_pitfalls():
        messages, _ = _caught(train)
    assert messages == []


def test_retain_graph_that_nothing_used_is_named_once():
    x, y = _data()
    model = Net()

    def train():
        for _ in range(3):
            loss = ((model(x) - y) ** 2).mean()
            loss.backward(retain_graph=True)  # RETAINED
        del loss

    with torch.autograd.detect_leaks():
        messages, _ = _caught(train)
    site = _site("# RETAINED", "loss.backward(retain_graph=True)  # RETAINED")
    assert messages == [
        f"backward(retain_graph=True) at {site} kept 832 bytes of saved tensors that no later "
        "backward pass used before the graph was freed: leave out retain_graph=True there, so "
        "they are freed as the backward pass runs."
    ]


def test_retain_graph_used_by_a_second_backward_is_fine():
    x, y = _data()
    model = Net()

    def train():
        for _ in range(3):
            out = model(x)
            loss1 = ((out - y) ** 2).mean()
            loss2 = out.abs().mean()
            loss1.backward(retain_graph=True)
            loss2.backward()  # runs through the retained part of the graph
        del out, loss1, loss2

    with torch.autograd.detect_leaks():
        messages, _ = _caught(train)
    assert messages == []


# --- pitfalls ------------------------------------------------------------------------------------


def test_step_after_two_backward_passes_without_zero_grad():
    x, y = _data()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        for _ in range(3):
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()  # NO-ZERO-BACKWARD
            opt.step()  # NO-ZERO-STEP

    with torch.autograd.detect_pitfalls():
        messages, caught = _caught(train)
    assert messages == [
        f"optimizer.step() at {_site('# NO-ZERO-STEP', 'opt.step()  # NO-ZERO-STEP')} applies "
        "gradients summed over 2 backward() calls since they were last cleared (the last at "
        f"{_site('# NO-ZERO-BACKWARD', 'loss.backward()  # NO-ZERO-BACKWARD')}): call "
        "optimizer.zero_grad() before each backward(), or declare gradient accumulation with "
        "detect_pitfalls(accumulate=2)."
    ]
    assert caught[0].lineno == _line("# NO-ZERO-STEP")


@pytest.mark.parametrize("clear", ["optimizer", "module", "in_place", "none"])
def test_every_way_of_clearing_gradients_counts(clear):
    x, y = _data()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        for _ in range(3):
            if clear == "optimizer":
                opt.zero_grad()
            elif clear == "module":
                model.zero_grad()
            elif clear == "in_place":
                opt.zero_grad(set_to_none=False)
            else:
                for p in model.parameters():
                    p.grad = None
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    with torch.autograd.detect_pitfalls():
        messages, _ = _caught(train)
    assert messages == []


def test_declared_accumulation_is_quiet_and_overrun_is_named():
    x, y = _data()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train(every):
        opt.zero_grad()
        for i in range(6):
            ((model(x) - y) ** 2).mean().backward()
            if i % every == every - 1:
                opt.step()  # ACCUMULATED
                opt.zero_grad()

    with torch.autograd.detect_pitfalls(accumulate=2):
        messages, _ = _caught(lambda: train(2))
    assert messages == []
    with torch.autograd.detect_pitfalls(accumulate=True):
        messages, _ = _caught(lambda: train(3))
    assert messages == []
    with torch.autograd.detect_pitfalls(accumulate=2):
        messages, _ = _caught(lambda: train(3))
    assert len(messages) == 1 and messages[0].startswith(
        f"optimizer.step() at {_site('# ACCUMULATED', 'opt.step()  # ACCUMULATED')} applies "
        "gradients summed over 3 backward() calls since they were last cleared"
    )
    assert messages[0].endswith(
        "call zero_grad() every 2 backward passes, as declared by detect_pitfalls(accumulate=2)."
    )
    with pytest.raises(ValueError, match="accumulate must be"):
        torch.autograd.detect_pitfalls(accumulate=0)


def test_train_mode_under_no_grad_names_dropout_and_batchnorm():
    x, _ = _data()
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 1))

    def evaluate():
        with torch.no_grad():
            model(x)  # EVAL-IN-TRAIN
            model(x)

    with torch.autograd.detect_pitfalls():
        messages, caught = _caught(evaluate)
    assert messages == [
        "Sequential is called in train() mode inside no_grad at "
        f"{_site('# EVAL-IN-TRAIN', 'model(x)  # EVAL-IN-TRAIN')}: its BatchNorm1d `1`, "
        "Dropout `2` act as in training (dropout zeroes values at random; batch norm uses the "
        "batch's statistics and updates its running ones). Call .eval() on the module before "
        "evaluating, and .train() after."
    ]
    assert caught[0].lineno == _line("# EVAL-IN-TRAIN")
    model.eval()
    with torch.autograd.detect_pitfalls():
        messages, _ = _caught(evaluate)
    assert messages == []
    plain = nn.Sequential(nn.Linear(4, 2), nn.ReLU())
    with torch.autograd.detect_pitfalls(), torch.no_grad():
        messages, _ = _caught(lambda: plain(x))
    assert messages == []


def test_backward_that_misses_parameters_names_them_by_module_path():
    x, y = _data()
    model = Net(aux=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        for _ in range(2):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()  # MISSES-AUX
            opt.step()

    with torch.autograd.detect_pitfalls():
        messages, _ = _caught(train)
    assert messages == [
        f"backward() at {_site('# MISSES-AUX', 'loss.backward()  # MISSES-AUX')} reaches 4 of "
        "the 6 parameters that SGD updates: the loss does not depend on `Net.aux.weight` and "
        "`Net.aux.bias`, so their .grad gets nothing from it. Use them in the loss, or leave "
        "them out of the optimizer (or set their requires_grad=False)."
    ]


def test_a_loss_of_another_optimizers_model_is_not_a_pitfall():
    # as a GAN's discriminator step: its loss reaches none of the generator's parameters
    x, _ = _data()
    gen, disc = nn.Linear(4, 4), nn.Linear(4, 1)
    opt_g = torch.optim.SGD(gen.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(disc.parameters(), lr=0.1)

    def train():
        for _ in range(3):
            opt_d.zero_grad()
            disc(gen(x).detach()).mean().backward()
            opt_d.step()
            opt_g.zero_grad()
            (-disc(gen(x)).mean()).backward()
            opt_g.step()

    with torch.autograd.detect_pitfalls():
        messages, _ = _caught(train)
    assert messages == []


def test_off_means_no_hook_anywhere():
    assert engine.observer is None and nn_module._call_check is None
    with torch.autograd.detect_pitfalls():
        assert engine.observer is not None and nn_module._call_check is not None
        with torch.autograd.detect_leaks():
            assert torch.autograd.anomaly.state.record_sites
        assert not torch.autograd.anomaly.state.record_sites
    assert engine.observer is None and nn_module._call_check is None
    assert not training_checks.state.active


def test_as_a_decorator():
    x, y = _data()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    @torch.autograd.detect_pitfalls()
    def train():
        for _ in range(2):
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    messages, _ = _caught(train)
    assert len(messages) == 1 and "summed over 2 backward() calls" in messages[0]
    assert not training_checks.state.active
