"""``torch.testing.assert_close``: PyTorch's default tolerances per dtype and its messages;
``make_tensor``'s ranges, dtypes and options."""

import numpy as np
import pytest
from expression_parity import outcome

import retrograd

CASES = [
    "t([1., 2., 3.]), t([1., 2.5, 3.])",
    "t([[1., 2.], [3., 4.]]), t([[1., 2.], [3., 5.]])",
    "t(1.), t(2.)",
    "t([1, 2]), t([1, 3])",
    "t([1, 2]), t([1., 2.])",
    "t([1., 2.]), t([1., 2., 3.])",
    "t([1., 2.], dtype=torch.float64), t([1., 2.])",
    "t([1., nan]), t([1., nan])",
    "t([1., nan]), t([1., nan]), equal_nan=True",
    "t([1., 2.]), t([1., 2.]), rtol=1e-3",
    "1.0, 1.0 + 1e-9",
    "1.0, 1.1",
    "1, 2",
    "[t([1.])], [t([1.]), t([1.])]",
    "{'a': t([1., 1.])}, {'a': t([0., 0.])}",
    "[t([1., 1.]), t([1.])], [t([1., 1.]), t([0.])]",
    "t([True, False]), t([True, True])",
    "t([1., 1.]), t([0., 0.]), msg='custom'",
    "t([1., 1.]), t([0., 0.]), msg=lambda m: 'X' + m",
    "t([1., 2.]), t([1.0000001, 2.])",
    "t([1., 2.]), t([1., 2.]), check_dtype=False",
    "t([1, 2]), t([1., 2.]), check_dtype=False",
    "t([0.]), t([1e-6])",
    "t([inf]), t([inf])",
    "t([inf]), t([-inf])",
    "t([inf]), t([1e30])",
    "torch.ones(2, 3), torch.ones(3, 2)",
    "None, None",
    "np.ones(2), np.zeros(2)",
    "t([1, 2], dtype=torch.int32), t([1, 3], dtype=torch.int32)",
    "t([1.5, 2.]), t([1., 2.]), rtol=0, atol=0.1",
    "torch.ones(2, 2).t(), torch.ones(2, 2), check_stride=True",
    "t([1., 2.], dtype=torch.float16), t([1., 2.001], dtype=torch.float16)",
    "t([1., 2.], dtype=torch.float16), t([1., 2.01], dtype=torch.float16)",
    "True, False",
    "1, 1.0",
    "t([1+1j]), t([1+2j])",
    "[1.0, 2.0], (1.0, 2.0)",
    "(1, 2), [1, 3]",
    "t(nan), t(nan), equal_nan=True",
    "torch.zeros(0), torch.zeros(0)",
    "t([1., 2.]), t([1., nan])",
    "t([1, 2], dtype=torch.uint8), t([1, 3], dtype=torch.uint8)",
    "t([1, 2], dtype=torch.uint8), t([3, 0], dtype=torch.uint8)",
    "{'a': 1}, {'b': 1}",
    "t([1., 2.]), t([1., 2.]), atol=1e-3",
    "t([1., 2.]), t([1., 2.]), foo=1",
    "t([1.]), t([1.2]), rtol=0.1, atol=0.1",
    "t([[0., 1.], [2., 3.]]), t([[0., 1.], [2., 3.5]])",
    "t([100., 1.]), t([105., 1.5]), rtol=0.1, atol=0",
    "t([0, 1, 5]), t([0, 2, 5])",
]
# ones where the message names the classes, which are not torch's here: compare the types only
TYPE_ONLY = [
    "t([1., 1.]), [1., 1.]",
    "'a', 'a'",
    "t([1., 2.]), t([1., 2.]).numpy()",
    "t(1.), 1.0",
    "torch.nn.Parameter(torch.ones(2)), torch.ones(2), allow_subclasses=False",
]


def _run(torch, args):
    scope = {
        "t": torch.tensor,
        "nan": float("nan"),
        "inf": float("inf"),
        "np": np,
        "f": torch.testing.assert_close,
    }
    return outcome(torch, f"f({args})", scope)[0]


@pytest.mark.parametrize("args", CASES)
def test_assert_close_as_pytorch(args, torch_ref):
    assert _run(retrograd, args) == _run(torch_ref, args)


@pytest.mark.parametrize("args", TYPE_ONLY)
def test_assert_close_rejects_the_same_pairs(args, torch_ref):
    ours, theirs = _run(retrograd, args), _run(torch_ref, args)
    assert ours[0] == theirs[0]
    assert ours[1].startswith("No comparison pair") == theirs[1].startswith("No comparison pair")


def test_make_tensor():
    make = retrograd.testing.make_tensor
    x = make(1000, dtype=retrograd.float32, device="cpu")
    assert x.dtype is retrograd.float32 and x.shape == (1000,)
    assert -9 <= float(x.min()) and float(x.max()) < 9
    y = make((20, 30), dtype=retrograd.int64, device="cpu", low=-2, high=3)
    assert set(np.unique(y.numpy())) <= {-2, -1, 0, 1, 2}
    z = make(50, dtype=retrograd.float64, device="cpu", exclude_zero=True, requires_grad=True)
    assert z.requires_grad and bool((z != 0).all())
    b = make(10, dtype=retrograd.bool, device="cpu")
    assert b.dtype is retrograd.bool
    c = make(3, 4, dtype=retrograd.float32, device="cpu", noncontiguous=True)
    assert c.shape == (3, 4) and not c.is_contiguous()
    with pytest.raises(ValueError, match="`low` must be less than `high`, but got 2 >= 1"):
        make(3, dtype=retrograd.float32, device="cpu", low=2, high=1)
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'device'"):
        make(3, dtype=retrograd.float32)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        make(3, dtype=retrograd.float32, device="cuda")
