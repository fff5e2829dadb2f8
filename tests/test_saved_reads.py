"""A node reads every tensor it saved before its formulas run, as PyTorch's do: a write into one
since is the version error even where the formula would not need its value."""

import pytest

import retrograd


def _number_base_power(t):
    x = t.tensor([[0.5, -1.0], [1.5, 0.25]], dtype=t.float64, requires_grad=True)
    e = x + 2
    y = 2**e
    with t.no_grad():
        e.neg_()
    y.backward(t.ones(2, 2, dtype=t.float64))
    return x.grad


@pytest.mark.parametrize("program", [_number_base_power])
def test_write_into_a_saved_tensor_is_refused(torch_ref, program):
    got = []
    for lib in (retrograd, torch_ref):
        try:
            got.append(str(program(lib)))
        except RuntimeError as e:
            got.append(str(e).split(" Hint:")[0])
    assert got[0] == got[1]
