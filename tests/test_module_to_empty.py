"""``Module.to_empty`` against PyTorch: fresh memory of each parameter's and buffer's shape and
dtype, the same Parameter objects, ``recurse``, and the CPU-only build's errors; the 'meta'
device is named as not built."""

import pytest
import torch

import retrograd


def _run(lib, recurse=True, device="cpu"):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
    params = list(m.parameters())
    m[0].weight.grad = lib.ones(2, 3)
    out = m.to_empty(device=device, recurse=recurse)
    return (
        out is m,
        all(a is b for a, b in zip(params, m.parameters(), strict=True)),
        [(n, tuple(t.shape), str(t.dtype), t.requires_grad) for n, t in m.state_dict().items()],
        m[0].weight.grad.shape == m[0].weight.shape,
    )


@pytest.mark.parametrize("device", ["cpu", "cpu:0"])
def test_to_empty_keeps_shapes_dtypes_and_parameters(device):
    assert _run(retrograd, device=device) == _run(torch, device=device)


def test_to_empty_fresh_memory():
    m = retrograd.nn.Linear(3, 2)
    before = m.weight._data
    m.to_empty(device=retrograd.device("cpu"))
    assert m.weight._data is not before
    assert m.weight._data.base is not before


def test_to_empty_not_recursing_leaves_children():
    m = retrograd.nn.Sequential(retrograd.nn.Linear(3, 2))
    before = m[0].weight._data
    m.to_empty(device="cpu", recurse=False)
    assert m[0].weight._data is before


def test_to_empty_errors():
    def run(lib, **kw):
        try:
            lib.nn.Linear(2, 2).to_empty(**kw)
        except (TypeError, AssertionError) as e:
            return type(e).__name__, str(e)

    assert run(retrograd) == run(torch)
    assert run(retrograd, device="cuda") == run(torch, device="cuda")
    with pytest.raises(NotImplementedError, match="meta"):
        retrograd.nn.Linear(2, 2).to_empty(device="meta")
