"""Legacy names that published PyTorch code still uses: ``autograd.Variable``, ``volatile``,
``.data``, ``size_average``/``reduce``, ``Tensor.type`` strings and types, ``torch.Tensor(...)``,
``torch.FloatTensor(...)`` and ``Tensor.new(...)`` — values, errors and warnings as PyTorch's."""

import pytest
from expression_parity import outcome

import retrograd

EXPRESSIONS = [
    "Variable(torch.ones(2))",
    "Variable(torch.ones(2), requires_grad=True)",
    "Variable(torch.ones(2), True)",
    "Variable(torch.ones(2), volatile=True)",
    "Variable(torch.ones(2), volatile=False)",
    "Variable()",
    "Variable(None)",
    "Variable([1.])",
    "Variable(torch.ones(2, requires_grad=True) * 2)",
    "Variable(torch.ones(2, requires_grad=True) * 2).grad_fn",
    "Variable(torch.ones(2, requires_grad=True)).requires_grad",
    "Variable(torch.ones(2, dtype=torch.long), requires_grad=True)",
    "Variable(torch.ones(2), foo=1)",
    "Variable(torch.ones(2), False, False, 3)",
    "type(Variable(torch.nn.Parameter(torch.ones(2)))).__name__",
    "isinstance(torch.ones(2), Variable)",
    "isinstance(3, Variable)",
    "torch.ones(2).volatile",
    "torch.nn.MSELoss(size_average=False).reduction",
    "torch.nn.MSELoss(reduce=False).reduction",
    "torch.nn.L1Loss(size_average=True, reduce=True).reduction",
    "torch.nn.CrossEntropyLoss(size_average=False).reduction",
    "torch.nn.functional.mse_loss(torch.ones(2), torch.zeros(2), size_average=False)",
    "torch.nn.functional.l1_loss(torch.ones(2), torch.zeros(2), reduce=False)",
    "torch.nn.functional.nll_loss(torch.zeros(2, 3), torch.tensor([0, 1]), size_average=False)",
    "torch.ones(2).type()",
    "torch.ones(2, dtype=torch.long).type()",
    "torch.nn.Linear(2, 2).weight.type()",
    "torch.ones(2).type(torch.DoubleTensor)",
    "torch.ones(2).type('torch.IntTensor')",
    "torch.ones(2).type(torch.float64)",
    "torch.ones(2).type('torch.FloatTensor', non_blocking=True)",
    "torch.ones(2, dtype=torch.long).type(torch.Tensor)",
    "torch.ones(2).type('float')",
    "torch.ones(2).type('torch.cuda.FloatTensor')",
    "torch.ones(2).type(torch.cuda.FloatTensor)",
    "torch.ones(2).type(torch.float64, foo=1)",
    "torch.Tensor(2, 3).shape",
    "torch.Tensor([1, 2])",
    "torch.Tensor((2, 3))",
    "torch.Tensor()",
    "torch.Tensor(torch.ones(2, dtype=torch.long))",
    "torch.Tensor(size=(2,)).shape",
    "torch.Tensor(torch.Size([2, 3])).shape",
    "torch.Tensor(2, device='cpu').shape",
    "torch.Tensor([1, 2], device='cpu')",
    "torch.Tensor(2, device='cuda')",
    "torch.Tensor(2, dtype=torch.float64)",
    "torch.Tensor(2.5)",
    "torch.Tensor(None)",
    "torch.Tensor('ab')",
    "torch.Tensor(3).dtype",
    "torch.FloatTensor([1, 2])",
    "torch.FloatTensor(2).shape",
    "torch.LongTensor([1.5])",
    "torch.DoubleTensor([1]).dtype",
    "torch.FloatTensor([[1, 2], [3, 4]]).shape",
    "torch.FloatTensor(torch.ones(2))",
    "torch.FloatTensor(torch.ones(2, dtype=torch.long))",
    "torch.LongTensor(torch.ones(2, dtype=torch.long)).dtype",
    "torch.FloatTensor(torch.Size([2, 3])).shape",
    "torch.FloatTensor(size=(2,)).shape",
    "torch.ByteTensor([1, 2]).dtype",
    "torch.BoolTensor([1, 0])",
    "torch.FloatTensor.dtype",
    "isinstance(torch.ones(2), torch.FloatTensor)",
    "isinstance(torch.ones(2), torch.LongTensor)",
    "issubclass(torch.FloatTensor, torch.Tensor)",
    "torch.ones(2).new(2, 3).shape",
    "torch.ones(2).new([1, 2])",
    "torch.ones(2).new()",
    "torch.ones(2, dtype=torch.long).new([1.5])",
    "torch.ones(2).new(torch.ones(3))",
    "torch.ones(2).new(torch.ones(3, dtype=torch.long))",
    "torch.ones(2).new((2, 3)).shape",
    "torch.ones(2).new(2, dtype=torch.float64)",
    "torch.nn.BatchNorm1d(2).type(torch.DoubleTensor).num_batches_tracked.dtype",
    "torch.nn.Linear(2, 2).type('torch.DoubleTensor').weight.dtype",
    "torch.nn.Linear(2, 2).type(torch.float64).weight.dtype",
    "torch.nn.Linear(2, 2).type(torch.cuda.FloatTensor)",
    "torch.ones(2, requires_grad=True).data",
    "torch.ones(2, requires_grad=True).data.requires_grad",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_same_as_pytorch(expression, torch_ref):
    ours = {"Variable": retrograd.autograd.Variable}
    theirs = {"Variable": torch_ref.autograd.Variable}
    our, our_warnings = outcome(retrograd, expression, ours)
    their, their_warnings = outcome(torch_ref, expression, theirs)
    assert our[0] == their[0], (our, their)
    if our[0] == "ok":
        assert our[1] == their[1]
    else:
        assert our[1].startswith(their[1]), (our, their)
    assert our_warnings == their_warnings


def test_variable_shares_memory_and_version_with_its_data():
    x = retrograd.ones(2)
    v = retrograd.autograd.Variable(x)
    x.add_(1)
    assert v.tolist() == [2.0, 2.0]
    assert v._version == x._version == 1


def test_data_is_outside_the_graph_and_writes_through(torch_ref):
    for torch in (retrograd, torch_ref):
        w = torch.ones(2, requires_grad=True)
        w.data.mul_(3)  # the old way of updating weights without recording it
        loss = (w * w).sum()
        loss.backward()
        assert w.grad.tolist() == [6.0, 6.0]
        w.data = torch.zeros(2)
        assert w.tolist() == [0.0, 0.0] and w.requires_grad


def test_buffer_as_pytorch(torch_ref):
    results = []
    for torch in (retrograd, torch_ref):

        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = torch.nn.Buffer(torch.ones(2))
                self.b = torch.nn.Buffer(torch.zeros(1), persistent=False)

        m = M()
        m.a = torch.nn.Buffer(torch.ones(3))
        grad = torch.nn.Buffer(torch.ones(1, requires_grad=True))
        results.append(
            (
                type(m.a).__name__,
                list(m.state_dict()),
                [n for n, _ in m.named_buffers()],
                tuple(m.a.shape),
                isinstance(m.a, torch.nn.Buffer),
                isinstance(torch.ones(1), torch.nn.Buffer),
                grad.requires_grad,
                grad.is_leaf,
                torch.nn.Buffer(torch.ones(1)).persistent,
            )
        )
    assert results[0] == results[1]
