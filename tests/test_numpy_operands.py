"""NumPy scalars and arrays as operands, as PyTorch takes them; other objects get its TypeError."""

import numpy as np
import pytest

import retrograd


@pytest.mark.parametrize(
    "expr",
    [
        "x / np.sqrt(4.0)",
        "np.float64(2) * x",
        "x + np.int64(1)",
        "x * np.float32(2)",
        "x + np.ones(2)",
        "ints * np.float64(1.5)",
        # An array operand is computed as NumPy computes it, so a 0-d array counts fully:
        "x * np.array(2.0)",
        "x - np.array(2.0)",
        "x / np.array(2.0)",
        "x ** np.array(2.0)",
        "x.half() * np.array(2.0, dtype=np.float32)",
        "ints.int() * np.array(2)",
        "x * np.array(2)",
        "x.double() * np.array([2.0], dtype=np.float32)",
    ],
)
# PyTorch's own Tensor.__array_wrap__ draws a NumPy 2 deprecation warning here; retrograd draws none.
@pytest.mark.filterwarnings("ignore:__array_wrap__ must accept context:DeprecationWarning")
def test_numpy_operands_match_pytorch(expr, torch_ref):
    out = []
    for lib in (retrograd, torch_ref):
        scope = {"np": np, "x": lib.tensor([1.0, 2.0]), "ints": lib.tensor([1, 2])}
        r = eval(expr, scope)
        out.append((r.tolist(), str(r.dtype)))
    assert out[0] == out[1]


def test_other_objects_are_a_type_error():
    x = retrograd.ones(2)
    with pytest.raises(
        TypeError,
        match=r"add\(\): argument 'other' \(position 2\) must be Tensor, "
        r"not list",
    ):
        retrograd.add(x, [1, 2])


def test_where_takes_an_array_operand():
    x = retrograd.tensor([1.0, 2.0])
    out = retrograd.where(x > 1, x, np.zeros(2))
    assert out.tolist() == [0.0, 2.0] and out.dtype == retrograd.float64


def test_an_array_operand_keeps_the_graph():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    (x * np.array(3.0)).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and x.grad.dtype == retrograd.float32
