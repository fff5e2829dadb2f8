"""DLPack: tensors shared with NumPy and PyTorch without a copy, both ways, with PyTorch's errors."""

import numpy as np
import pytest

import retrograd


def test_numpy_reads_a_tensor_and_sees_its_writes():
    t = retrograd.arange(6.0).reshape(2, 3)[:, 1:]
    a = np.from_dlpack(t)
    assert a.tolist() == [[1.0, 2.0], [4.0, 5.0]]
    t.add_(1)
    assert a.tolist() == [[2.0, 3.0], [5.0, 6.0]]
    assert tuple(int(v) for v in t.__dlpack_device__()) == (1, 0)


def test_from_dlpack_shares_numpys_memory():
    a = np.zeros((2, 3)).T
    x = retrograd.from_dlpack(a)
    assert x.dtype is retrograd.float64 and x.stride() == (1, 3)
    x[0, 1] = 5
    assert a[0, 1] == 5
    assert retrograd.utils.dlpack.from_dlpack(np.arange(3)).dtype is retrograd.int64


def test_capsules_are_taken_over_once(torch_ref):
    capsule = retrograd.utils.dlpack.to_dlpack(retrograd.arange(3))
    assert type(capsule).__name__ == "PyCapsule"
    assert retrograd.from_dlpack(capsule).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError) as ours:
        retrograd.from_dlpack(capsule)
    with pytest.raises(RuntimeError) as theirs:
        torch_ref.from_dlpack(3)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="invalid capsule"):
        retrograd.from_dlpack(3)


def test_pytorch_and_retrograd_exchange_tensors(torch_ref):
    ours = retrograd.arange(6.0).reshape(2, 3)
    theirs = torch_ref.from_dlpack(ours)
    theirs[0, 0] = 7  # the same memory
    assert ours[0, 0].item() == 7
    back = retrograd.from_dlpack(torch_ref.arange(4).reshape(2, 2).t())
    assert back.tolist() == [[0, 2], [1, 3]] and back.dtype is retrograd.int64
    t = retrograd.ones(1)
    assert retrograd.from_dlpack(t)._version == t._version  # a tensor: itself, detached


@pytest.mark.parametrize(
    "expression, error",
    [
        ("torch.ones(2, requires_grad=True).__dlpack__()", BufferError),
        ("torch.to_dlpack(2.)", TypeError),
    ],
)
def test_errors_match_pytorch(torch_ref, expression, error):
    with pytest.raises(error) as theirs:
        eval(expression, {"torch": torch_ref})
    with pytest.raises(error) as ours:
        eval(expression, {"torch": retrograd})
    assert str(ours.value) == str(theirs.value)


def test_a_tensor_that_requires_grad_is_exported_by_to_dlpack():
    t = retrograd.ones(2, requires_grad=True)
    assert np.from_dlpack(retrograd.from_dlpack(retrograd.to_dlpack(t))).tolist() == [1.0, 1.0]
