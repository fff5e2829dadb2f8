"""torch.quasirandom.SobolEngine: PyTorch's points, unscrambled and scrambled with a seed."""

import numpy as np
import pytest

import retrograd


def _points(lib, dimension, steps, scramble=False, seed=None, dtype=None):
    e = lib.quasirandom.SobolEngine(dimension, scramble=scramble, seed=seed)
    out = []
    for how, n in steps:
        if how == "draw":
            kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
            out.append(e.draw(n, **kw).numpy())
        elif how == "base2":
            out.append(e.draw_base2(n).numpy())
        elif how == "ff":
            e.fast_forward(n)
        else:
            e.reset()
    return out


_STEPS = [
    [("draw", 1), ("draw", 5), ("ff", 3), ("draw", 7), ("reset", 0), ("draw", 4)],
    [("base2", 3), ("base2", 3), ("draw", 2)],
    [("ff", 5), ("draw", 9), ("ff", 1), ("draw", 1)],
]


@pytest.mark.parametrize("dimension", [1, 3, 40, 1111])
@pytest.mark.parametrize("steps", _STEPS)
@pytest.mark.parametrize("scramble,seed", [(False, None), (True, 0), (True, 123)])
def test_points_equal_pytorch(torch_ref, dimension, steps, scramble, seed):
    got = _points(retrograd, dimension, steps, scramble, seed)
    want = _points(torch_ref, dimension, steps, scramble, seed)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("scramble", [False, True])
def test_float64_points(torch_ref, scramble):
    steps = [("draw", 3), ("draw", 4)]
    got = _points(retrograd, 5, steps, scramble, 7, dtype="float64")
    want = _points(torch_ref, 5, steps, scramble, 7, dtype="float64")
    for g, w in zip(got, want, strict=True):
        assert g.dtype == np.float64
        np.testing.assert_array_equal(g, w)


def test_state_and_repr(torch_ref):
    for kw in ({}, {"scramble": True, "seed": 3}, {"scramble": True}):
        e = retrograd.quasirandom.SobolEngine(4, **kw)
        r = torch_ref.quasirandom.SobolEngine(4, **kw)
        assert repr(e) == repr(r)
    e = retrograd.quasirandom.SobolEngine(6, scramble=True, seed=5)
    r = torch_ref.quasirandom.SobolEngine(6, scramble=True, seed=5)
    assert e.sobolstate.tolist() == r.sobolstate.tolist()
    assert e.shift.tolist() == r.shift.tolist()
    e.draw(3)
    r.draw(3)
    assert e.quasi.tolist() == r.quasi.tolist() and e.num_generated == r.num_generated == 3


def test_errors(torch_ref):
    def message(lib, call):
        try:
            call(lib)
        except ValueError as e:
            return str(e)
        return None

    calls = [
        lambda lib: lib.quasirandom.SobolEngine(0),
        lambda lib: lib.quasirandom.SobolEngine(21202),
        lambda lib: lib.quasirandom.SobolEngine(2).fast_forward(3).draw_base2(2),
    ]
    for call in calls:
        want = message(torch_ref, call)
        assert want is not None
        assert message(retrograd, call) == want


def test_fast_forward_by_nothing_on_a_fresh_engine(torch_ref):
    def program(lib):
        engine = lib.quasirandom.SobolEngine(2)
        engine.fast_forward(0)
        return engine.draw(2).tolist(), engine.num_generated

    assert program(retrograd) == program(torch_ref)
