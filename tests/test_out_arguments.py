"""``out=`` is honoured wherever it is accepted: the result is written into ``out`` (cast, or
resized with PyTorch's warning) and ``out`` returned; errors as PyTorch's."""

import pytest
from expression_parity import assert_same_outcome

CALLS = [
    "torch.zeros(2, out=o)",
    "torch.ones(2, 3, out=o)",
    "torch.full((2,), 7, out=o)",
    "torch.arange(3, out=o)",
    "torch.linspace(0, 1, 3, out=o)",
    "torch.eye(2, out=o)",
    "torch.empty(2, out=o).shape",
    "torch.zeros(2, out=o, dtype=torch.float32)",
    "torch.cat([x, x], out=o)",
    "torch.stack([x, x], out=o)",
    "torch.hstack([x, x], out=o)",
    "torch.vstack([x, x], out=o)",
    "torch.column_stack([x, x], out=o)",
    "torch.dstack([x, x], out=o)",
    "torch.gather(x, 0, i, out=o)",
    "torch.index_select(x, 0, i, out=o)",
    "torch.scatter(x, 0, i, x[:2], out=o)",
    "torch.scatter(x, 0, i, value=5.0, out=o)",
    "torch.scatter_add(x, 0, i, x[:2], out=o)",
    "torch.take_along_dim(x, i, 0, out=o)",
    "torch.nonzero(x, out=o)",
    "torch.nonzero(x, out=o, as_tuple=True)",
]
OUTS = [
    "torch.empty(0)",
    "torch.empty(0, dtype=torch.float64)",
    "torch.empty(0, dtype=torch.long)",
    "torch.full((2, 3), -1.0)",
]


@pytest.mark.parametrize("out", OUTS)
@pytest.mark.parametrize("call", CALLS)
def test_out_as_pytorch(call, out, torch_ref):
    expression = (
        f"(lambda o, x, i: (lambda r: (r is o, r))({call}))"
        f"({out}, torch.tensor([1., 0., 3.]), torch.tensor([2, 0]))"
    )
    assert_same_outcome(expression, torch_ref, check_warnings=True)


@pytest.mark.parametrize(
    "call",
    [
        "torch.cat([w, w], out=o)",
        "torch.stack([w], out=o)",
        "torch.gather(w, 0, i, out=o)",
        "torch.zeros(3, out=w)",
        "torch.index_select(w, 0, i, out=o)",
    ],
)
def test_out_refuses_inputs_that_require_grad(call, torch_ref):
    expression = (
        f"(lambda o, w, i: {call})(torch.empty(0), torch.ones(3, requires_grad=True), "
        "torch.tensor([0]))"
    )
    assert_same_outcome(expression, torch_ref)


def test_out_writes_in_place_when_the_shape_fits(torch_ref):
    import retrograd

    for torch in (retrograd, torch_ref):
        o = torch.zeros(2, 2)
        view = o[0]
        torch.cat([torch.ones(1, 2), torch.full((1, 2), 2.0)], out=o)
        assert view.tolist() == [1.0, 1.0]
        assert o._version > 0
        with torch.no_grad():
            w = torch.ones(2, requires_grad=True)
            assert torch.stack([w, w], out=o).tolist() == [[1.0, 1.0], [1.0, 1.0]]
