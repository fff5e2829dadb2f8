"""The Tensor API: properties, conversions, graph attributes and their checks, as in PyTorch."""

import numpy as np
import pytest

import retrograd as torch


def test_shape_size_ndim_numel():
    t = torch.zeros(2, 3)
    assert t.shape == (2, 3) and isinstance(t.shape, torch.Size)
    assert repr(t.shape) == "torch.Size([2, 3])" and repr(t.shape[1:]) == "torch.Size([3])"
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.ndim == 2 and t.dim() == 2 and t.numel() == 6 and torch.numel(t) == 6
    assert torch.Size([2, 3]).numel() == 6
    with pytest.raises(
        IndexError,
        match=r"^Dimension out of range \(expected to be in range of "
        r"\[-2, 1\], but got 2\)$",
    ):
        t.size(2)


def test_dtype_and_default_float32():
    assert torch.ones(2).dtype is torch.float32
    assert torch.tensor([1.0]).double().dtype is torch.float64
    assert torch.tensor([1.7, -1.7]).long().tolist() == [1, -1]
    assert torch.tensor([1, 2]).float().dtype is torch.float32
    assert torch.tensor([1.5]).to(torch.float64).dtype is torch.float64
    assert torch.tensor([1.5]).to(dtype=torch.int32).tolist() == [1]
    assert torch.tensor([1.5]).to("cpu", torch.float64).dtype is torch.float64
    assert torch.tensor([1.5]).to(torch.tensor([1])).dtype is torch.int64
    t = torch.ones(2)
    assert t.to(torch.float32) is t


def test_type_names_and_conversion():
    assert torch.tensor([1.5]).type() == "torch.FloatTensor"
    assert torch.tensor([1]).type() == "torch.LongTensor"
    assert torch.tensor([1.5]).type(torch.float64).dtype is torch.float64
    assert torch.tensor([1.5]).type("torch.DoubleTensor").dtype is torch.float64


def test_item_tolist_numpy():
    assert torch.tensor([1.5]).item() == 1.5 and torch.tensor([[2]]).item() == 2
    assert torch.tensor([1, 2]).tolist() == [1, 2] and torch.tensor(2).tolist() == 2
    assert torch.tensor([True]).tolist() == [True]
    assert isinstance(torch.tensor(2.5).item(), float) and isinstance(torch.tensor(2).item(), int)
    t = torch.ones(2)
    a = t.numpy()
    a[0] = 5.0
    assert t.tolist() == [5.0, 1.0]  # numpy() shares memory
    assert np.asarray(t) is a or np.shares_memory(np.asarray(t), a)
    assert np.array(t, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (
            lambda: torch.tensor([1.0, 2.0]).item(),
            RuntimeError,
            "a Tensor with 2 elements cannot be converted to Scalar",
        ),
        (
            lambda: torch.tensor([]).item(),
            RuntimeError,
            "a Tensor with 0 elements cannot be converted to Scalar",
        ),
        (
            lambda: float(torch.tensor([1, 2])),
            ValueError,
            "only one element tensors can be converted to Python scalars",
        ),
        (
            lambda: int(torch.tensor([])),
            ValueError,
            "only one element tensors can be converted to Python scalars",
        ),
        (
            lambda: bool(torch.tensor([1, 2])),
            RuntimeError,
            "Boolean value of Tensor with more than one value is ambiguous",
        ),
        (
            lambda: bool(torch.tensor([])),
            RuntimeError,
            "Boolean value of Tensor with no values is ambiguous",
        ),
        (
            lambda: torch.ones(2, requires_grad=True).numpy(),
            RuntimeError,
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ),
        (
            lambda: np.asarray(torch.ones(2, requires_grad=True)),
            RuntimeError,
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ),
        (lambda: len(torch.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    ],
)
def test_conversion_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


def test_scalar_conversions():
    assert float(torch.tensor([2.5])) == 2.5 and int(torch.tensor(2.7)) == 2
    assert bool(torch.tensor([0])) is False and len(torch.ones(4, 2)) == 4
    assert [10, 20, 30][torch.tensor(1)] == 20


def test_transpose_property():
    t = torch.arange(6).reshape(2, 3)
    assert t.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert torch.ones(2, 2, 3).mT.shape == (2, 3, 2)
    with pytest.warns(
        UserWarning, match=r"^The use of `x\.T` on tensors of dimension other than 2"
    ):  # 1-D too, as PyTorch warns
        assert torch.ones(3).T.shape == (3,)
    with pytest.warns(
        UserWarning, match=r"^The use of `x\.T` on tensors of dimension other than 2"
    ):
        assert torch.ones(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match=r"^Tensor\.T is deprecated on 0-D tensors"):
        _ = torch.tensor(1.0).T


def test_leaf_grad_fn_and_requires_grad():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None and x.requires_grad
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name() == "MulBackward0"
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert y.grad_fn.next_functions[0][0].variable is x
    assert torch.ones(2).is_leaf and (torch.ones(2) * 2).is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    assert y.requires_grad_(True) is y  # a non-leaf already requires grad: no error


def test_integer_results_leave_the_graph():
    x = torch.ones(2, requires_grad=True)
    i = x.long()
    assert i.grad_fn is None and not i.requires_grad and repr(i) == "tensor([1, 1])"


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False),
            (
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            ),
        ),
        (
            lambda: torch.ones(2, dtype=torch.int64).requires_grad_(),
            "only Tensors of floating point dtype can require gradients",
        ),
        (
            lambda: setattr(torch.tensor([1, 2]), "requires_grad", True),
            "only Tensors of floating point and complex dtype can require gradients",
        ),
        (
            lambda: torch.ones(2).retain_grad(),
            "can't retain_grad on Tensor that has requires_grad=False",
        ),
    ],
)
def test_requires_grad_errors(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


def test_detach_clone_data():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), x.detach().numpy())
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and c.tolist() == [1.0, 2.0]
    assert not np.shares_memory(c.detach().numpy(), d.numpy())
    data = x.data
    assert not data.requires_grad and data.is_leaf
    assert np.shares_memory(data.numpy(), d.numpy())
    x.data = torch.zeros(3)
    assert x.tolist() == [0.0, 0.0, 0.0] and x.requires_grad
    y = torch.ones(2, requires_grad=True) * 2
    assert y.detach_() is y and y.is_leaf and not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize(
    "make",
    [
        "lib.ones(4)[:2]",  # a view without a graph
        "lib.arange(4.0).reshape(4, 1).requires_grad_()",  # a view that is a leaf
        "lib.ones(4, requires_grad=True)[:2]",
    ],
)
def test_detach_in_place_refuses_every_view(torch_ref, make):
    for lib in (torch, torch_ref):
        with pytest.raises(RuntimeError, match="^Can't detach views in-place. Use detach"):
            eval(make).detach_()


def test_version_counter():
    x = torch.ones(2, requires_grad=True)
    assert x._version == 0
    y = x * 2
    assert y._version == 0
    (y * y).sum().backward()
    g = x.grad
    before = g._version
    (x * 3).sum().backward()  # accumulates in place into the same .grad
    assert x.grad is g and g._version == before + 1
    assert x.detach()._version == x._version


def test_grad_assignment_and_checks():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.zeros(2)
    x.grad = g
    (x * 3).sum().backward()
    assert x.grad is g and g.tolist() == [3.0, 3.0]
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError) as info:
        x.grad = torch.ones(3)
    assert str(info.value) == (
        "attempting to assign a gradient of size '[3]' to a tensor of size "
        "'[2]'. Please ensure that the gradient and the tensor are the same size"
    )
    with pytest.raises(RuntimeError) as info:
        x.grad = torch.ones(2, dtype=torch.float64)
    assert str(info.value).startswith(
        "attempting to assign a gradient with dtype 'double' to a "
        "tensor with grad_dtype 'Float'. The gradient must match"
    )
    with pytest.raises(
        RuntimeError, match="with dtype 'long int' to a tensor with grad_dtype 'Float'"
    ):
        x.grad = torch.ones(2, dtype=torch.int64)
    with pytest.raises(
        TypeError, match="^assigned grad expected to be a Tensor or None but got grad of type list$"
    ):
        x.grad = [1.0, 2.0]


def test_retain_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad


def test_misc_properties():
    t = torch.ones(2, 3)
    assert t.stride() == (3, 1) and t.is_contiguous() and not t.t().is_contiguous()
    assert t.element_size() == 4 and str(t.device) == "cpu" and t.is_floating_point()
    assert not t.requires_grad and t.grad is None and torch.is_tensor(t)
    assert t.storage_offset() == 0


def test_new_factories_keep_dtype():
    t = torch.ones(2, dtype=torch.float64)
    assert t.new_zeros(3).dtype is torch.float64 and t.new_ones((1, 2)).shape == (1, 2)
    assert t.new_full((2,), 3).tolist() == [3.0, 3.0] and t.new_empty(4).shape == (4,)
    assert t.new_tensor([1, 2]).dtype is torch.float64
    assert t.new_zeros(2, dtype=torch.int32).dtype is torch.int32


def test_legacy_tensor_constructor():
    assert torch.Tensor([1, 2]).dtype is torch.float32
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.Tensor().shape == (0,)
    assert isinstance(torch.ones(1), torch.Tensor)
