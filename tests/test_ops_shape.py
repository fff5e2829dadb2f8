"""Shape ops, one table: known values, gradients (gradcheck, gradgradcheck), node names, PyTorch
parity (values, dtypes, node names, gradients), views and their version counter, and error texts.

``Case`` and the checks below are shared with test_ops_indexing.py and test_ops_linalg.py.
"""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

# --- the shared machinery ----------------------------------------------------------------------


def leaves(lib, shapes, seed=0):
    """Reproducible float64 leaves in [-1, 1) for ``lib`` (retrograd or torch)."""
    out = []
    for i, shape in enumerate(shapes):
        rng = np.random.default_rng(seed + i)
        out.append(lib.tensor(rng.uniform(-1, 1, shape), dtype=lib.float64, requires_grad=True))
    return out


class Case:
    """One op: ``fn(lib, *tensors)`` (``lib`` is retrograd or torch), the input shapes, and the node
    name PyTorch gives its output (each output's, for ops that return several)."""

    def __init__(self, name, fn, shapes, node, gradgrad=True):
        self.name, self.fn, self.shapes, self.node, self.gradgrad = name, fn, shapes, node, gradgrad

    def __repr__(self):
        return self.name


def outputs(result):
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def node_name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def check_gradcheck(case):
    xs = leaves(retrograd, case.shapes)
    assert gradcheck(lambda *a: case.fn(retrograd, *a), xs)


def check_gradgradcheck(case):
    xs = leaves(retrograd, case.shapes)
    assert gradgradcheck(lambda *a: case.fn(retrograd, *a), xs)


def check_node(case):
    outs = outputs(case.fn(retrograd, *leaves(retrograd, case.shapes)))
    assert all(node_name(o) == case.node for o in outs), [node_name(o) for o in outs]


def check_parity(case, torch, names=True):
    """Same values, dtypes, node names (unless ``names`` is False) and gradients as PyTorch."""
    ours = leaves(retrograd, case.shapes)
    theirs = leaves(torch, case.shapes)
    o_out, t_out = outputs(case.fn(retrograd, *ours)), outputs(case.fn(torch, *theirs))
    assert len(o_out) == len(t_out)
    rng = np.random.default_rng(7)
    o_loss = t_loss = 0
    for o, t in zip(o_out, t_out):
        assert tuple(o.shape) == tuple(t.shape)
        assert str(o.dtype) == str(t.dtype)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert not names or node_name(o) == node_name(t)
        w = rng.uniform(-1, 1, tuple(o.shape))
        o_loss = o_loss + (o * retrograd.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    o_loss.backward()
    t_loss.backward()
    for a, b in zip(ours, theirs):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


def check_error(fn, exc, message, lib=retrograd):
    with pytest.raises(exc) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's deprecation warnings (list-of-lists keys)
        fn(lib)
    assert str(err.value) == message


def case_tests(grad, gradgrad, node, parity):
    """The four table-driven tests of a module, each over its own list of cases."""

    @pytest.mark.parametrize("case", grad, ids=repr)
    def test_gradcheck(case):
        check_gradcheck(case)

    @pytest.mark.parametrize("case", gradgrad, ids=repr)
    def test_gradgradcheck(case):
        check_gradgradcheck(case)

    @pytest.mark.parametrize("case", node, ids=repr)
    def test_node_name(case):
        check_node(case)

    @pytest.mark.parametrize("case", parity, ids=repr)
    def test_parity_with_pytorch(case, torch_ref):
        check_parity(case, torch_ref)

    return test_gradcheck, test_gradgradcheck, test_node_name, test_parity_with_pytorch


def error_tests(errors):
    """``test_errors`` (our type and text) and ``test_errors_match_pytorch`` (PyTorch's, the same)
    over a table of ``(fn(lib), exception type, message)``."""

    @pytest.mark.parametrize("i", range(len(errors)))
    def test_errors(i):
        fn, exc, message = errors[i]
        check_error(fn, exc, message)

    @pytest.mark.parametrize("i", range(len(errors)))
    def test_errors_match_pytorch(i, torch_ref):
        fn, exc, message = errors[i]
        check_error(fn, exc, message, torch_ref)

    return test_errors, test_errors_match_pytorch


# --- the table ---------------------------------------------------------------------------------

CASES = [
    Case("view", lambda t, x: x.view(3, 2), [(2, 3)], "ViewBackward0"),
    Case("view_infer", lambda t, x: x.view(-1), [(2, 3)], "ViewBackward0"),
    Case("view_as", lambda t, x: x.view_as(t.zeros(6)), [(2, 3)], "ViewBackward0"),
    Case("reshape_view", lambda t, x: x.reshape(6), [(2, 3)], "ViewBackward0"),
    Case("reshape_copy", lambda t, x: x.t().reshape(6), [(2, 3)], "UnsafeViewBackward0"),
    Case("reshape_fn", lambda t, x: t.reshape(x, (3, -1)), [(2, 3)], "ViewBackward0"),
    Case("flatten", lambda t, x: x.flatten(), [(2, 3, 2)], "ViewBackward0"),
    Case("flatten_range", lambda t, x: t.flatten(x, 1, 2), [(2, 3, 2)], "ViewBackward0"),
    Case("squeeze_all", lambda t, x: x.squeeze(), [(2, 1, 3, 1)], "SqueezeBackward0"),
    Case("squeeze_dim", lambda t, x: x.squeeze(1), [(2, 1, 3)], "SqueezeBackward1"),
    Case("squeeze_dims", lambda t, x: x.squeeze((1, -1)), [(2, 1, 3, 1)], "SqueezeBackward2"),
    Case("unsqueeze", lambda t, x: x.unsqueeze(-1), [(2, 3)], "UnsqueezeBackward0"),
    Case("transpose", lambda t, x: x.transpose(0, 2), [(2, 3, 4)], "TransposeBackward0"),
    Case("t", lambda t, x: x.t(), [(2, 3)], "TBackward0"),
    Case("t_vector", lambda t, x: t.t(x), [(3,)], "TBackward0"),
    Case("permute", lambda t, x: x.permute(2, 0, 1), [(2, 3, 4)], "PermuteBackward0"),
    Case("permute_neg", lambda t, x: t.permute(x, (-1, 0, 1)), [(2, 3, 4)], "PermuteBackward0"),
    Case("expand", lambda t, x: x.expand(4, 2, 3), [(2, 1)], "ExpandBackward0"),
    Case("expand_keep", lambda t, x: x.expand(-1, 3), [(2, 1)], "ExpandBackward0"),
    Case("expand_as", lambda t, x: x.expand_as(t.zeros(2, 2, 3)), [(1, 3)], "ExpandBackward0"),
    Case("sum_to_size", lambda t, x: x.sum_to_size(2, 1), [(2, 3)], "SumBackward1"),
    Case("clone", lambda t, x: x.clone(), [(2, 3)], "CloneBackward0"),
    Case("contiguous", lambda t, x: x.t().contiguous(), [(2, 3)], "CloneBackward0"),
    Case("to_float32", lambda t, x: x.to(t.float32), [(2, 3)], "ToCopyBackward0", gradgrad=False),
    Case("repeat", lambda t, x: x.repeat(2, 3), [(2, 3)], "RepeatBackward0"),
    Case("repeat_lead", lambda t, x: x.repeat(2, 1, 2), [(2, 3)], "RepeatBackward0"),
    Case("repeat_tuple", lambda t, x: x.repeat((3,)), [(2,)], "RepeatBackward0"),
    Case("flip", lambda t, x: x.flip(0), [(2, 3)], "FlipBackward0"),
    Case("flip_dims", lambda t, x: t.flip(x, (0, -1)), [(2, 3, 2)], "FlipBackward0"),
    Case("split", lambda t, x: x.split(2), [(5, 2)], "SplitBackward0"),
    Case("split_dim", lambda t, x: t.split(x, 2, dim=1), [(2, 3)], "SplitBackward0"),
    Case("split_sizes", lambda t, x: x.split([1, 3, 1]), [(5, 2)], "SplitWithSizesBackward0"),
    Case("split_one_used", lambda t, x: x.split([1, 2, 2])[1], [(5, 2)], "SplitWithSizesBackward0"),
    Case("chunk", lambda t, x: x.chunk(3, 1), [(2, 7)], "SplitBackward0"),
    Case("chunk_fn", lambda t, x: t.chunk(x, 4), [(2, 3)], "SplitBackward0"),
    Case("unbind", lambda t, x: x.unbind(1), [(2, 3)], "UnbindBackward0"),
    Case("unbind_fn_last", lambda t, x: t.unbind(x)[-1], [(3, 2)], "UnbindBackward0"),
    Case("cat", lambda t, x, y: t.cat([x, y]), [(2, 3), (1, 3)], "CatBackward0"),
    Case("cat_dim", lambda t, x, y: t.cat((x, y, x), dim=-1), [(2, 3), (2, 1)], "CatBackward0"),
    Case("concat", lambda t, x, y: t.concat([x, y], 1), [(2, 3), (2, 2)], "CatBackward0"),
    Case(
        "cat_legacy_empty",
        lambda t, x: t.cat([x, t.zeros(0, dtype=t.float64)]),
        [(2, 3)],
        "CatBackward0",
    ),
    Case(
        "cat_promote",
        lambda t, x, y: t.cat([x.float(), y]),
        [(2,), (3,)],
        "CatBackward0",
        gradgrad=False,
    ),
    Case("stack", lambda t, x, y: t.stack([x, y]), [(2, 3), (2, 3)], "StackBackward0"),
    Case("stack_last", lambda t, x, y: t.stack((x, y), -1), [(2, 3), (2, 3)], "StackBackward0"),
]

# float32 steps are too coarse for finite differences: these run only in the node/parity checks.
NO_GRADCHECK = {"to_float32", "cat_promote"}


test_gradcheck, test_gradgradcheck, test_node_name, test_parity_with_pytorch = case_tests(
    grad=[c for c in CASES if c.name not in NO_GRADCHECK],
    gradgrad=[c for c in CASES if c.gradgrad],
    node=CASES,
    parity=CASES,
)


# --- known values ------------------------------------------------------------------------------


def _arange(*shape):
    n = int(np.prod(shape))
    return retrograd.arange(n).reshape(shape)


def test_repeat_values():
    x = retrograd.tensor([[1, 2], [3, 4]])
    assert x.repeat(1, 2).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    assert x.repeat(2, 1, 1).shape == (2, 2, 2)
    assert x.repeat(0, 2).shape == (0, 4)


def test_repeat_gradient_sums_the_copies():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    (x.repeat(3) * retrograd.tensor([1.0, 2, 3, 4, 5, 6])).sum().backward()
    assert x.grad.tolist() == [9.0, 12.0]


def test_flip_values_and_copy():
    x = _arange(2, 3)
    assert x.flip(1).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert x.flip(0, 1).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert x.flip(()).tolist() == x.tolist()
    y = x.flip(0)
    assert y._vc is not x._vc  # PyTorch's flip copies
    assert list(reversed(retrograd.tensor([1, 2, 3]))) == [3, 2, 1]


def test_split_chunk_unbind_values():
    x = _arange(5, 2)
    assert [p.shape[0] for p in x.split(2)] == [2, 2, 1]
    assert [p.shape[0] for p in x.split([4, 1])] == [4, 1]
    assert [p.shape[0] for p in x.chunk(2)] == [3, 2]
    assert [p.shape[0] for p in x.chunk(10)] == [1] * 5
    assert [p.tolist() for p in x.unbind(1)] == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    assert [p.tolist() for p in x[:2]] == [[0, 1], [2, 3]]  # iteration unbinds
    assert len(retrograd.zeros(0, 3).split(2)) == 1
    assert isinstance(x.split(5), tuple)


def test_multi_output_ops_with_unused_outputs_get_zeros():
    x = retrograd.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    b = x.unbind(0)[1]
    (b * 2).sum().backward()
    assert x.grad.tolist() == [[0, 0], [2, 2], [0, 0]]
    x.grad = None
    parts = x.split([1, 2], 0)
    parts[1].sum().backward()
    assert x.grad.tolist() == [[0, 0], [1, 1], [1, 1]]
    x.grad = None
    first = x.chunk(2, 1)[0]
    (first * 3).sum().backward()
    assert x.grad.tolist() == [[3, 0], [3, 0], [3, 0]]


def test_split_outputs_are_views_with_output_numbers():
    x = retrograd.zeros(4, 2, requires_grad=True)
    parts = x.split(1)
    assert [p.output_nr for p in parts] == [0, 1, 2, 3]
    assert all(p._vc is x._vc and p._base is x for p in parts)
    assert all(p.grad_fn is parts[0].grad_fn for p in parts)


def test_cat_and_stack_values_and_dtypes():
    a, b = retrograd.tensor([[1, 2]]), retrograd.tensor([[3.5, 4.5]])
    assert retrograd.cat([a, b]).tolist() == [[1.0, 2.0], [3.5, 4.5]]
    assert retrograd.cat([a, b]).dtype is retrograd.float32
    assert retrograd.cat([a, a], 1).tolist() == [[1, 2, 1, 2]]
    assert retrograd.stack([a, a], 1).shape == (1, 2, 2)
    assert retrograd.stack([b.double(), b]).dtype is retrograd.float64
    assert retrograd.cat([retrograd.zeros(0), retrograd.zeros(0)]).shape == (0,)
    assert retrograd.concatenate is retrograd.cat


def test_cat_gradient_is_cast_back_to_each_input_dtype():
    a = retrograd.tensor([1.0], requires_grad=True)
    b = retrograd.tensor([2.0], dtype=retrograd.float64, requires_grad=True)
    out = retrograd.cat([a, b])
    assert out.dtype is retrograd.float64
    out.sum().backward()
    assert a.grad.dtype is retrograd.float32 and b.grad.dtype is retrograd.float64


def test_squeeze_and_friends_values():
    x = retrograd.zeros(2, 1, 3, 1)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(0).shape == (2, 1, 3, 1)
    assert x.squeeze((1, 3)).shape == (2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 1, 3, 1)
    assert x.flatten(1).shape == (2, 3)
    assert x.flatten(0, 0) is x
    assert retrograd.tensor(1.0).flatten().shape == (1,)
    assert x.permute(3, 2, 1, 0).shape == (1, 3, 1, 2)
    assert retrograd.zeros(2, 1).expand(-1, 4).shape == (2, 4)
    assert _arange(2, 3).sum_to_size(1, 3).tolist() == [[3, 5, 7]]


def test_contiguous_and_to():
    x = retrograd.zeros(2, 3, requires_grad=True)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.is_contiguous() and y.grad_fn.name() == "CloneBackward0"
    assert x.to(retrograd.float32) is x
    assert x.to(retrograd.float64).dtype is retrograd.float64
    assert x.to(retrograd.float32, copy=True) is not x


# --- views: memory and version counter ---------------------------------------------------------

VIEWS = {
    "view": lambda x: x.view(6),
    "reshape": lambda x: x.reshape(3, 2),
    "flatten": lambda x: x.flatten(),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "permute": lambda x: x.permute(1, 0),
    "expand": lambda x: x[:1].expand(4, 3),
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[0],
    "unbind": lambda x: x.unbind(1)[2],
    "select": lambda x: x[1],
    "slice": lambda x: x[:, ::2],
    "alias": lambda x: x[...],
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_share_the_version_counter(name):
    x = retrograd.zeros(2, 3, requires_grad=True)
    y = VIEWS[name](x)
    assert x._version == y._version
    assert y._vc is x._vc
    assert y._base is x
    assert np.shares_memory(y.numpy(force=True), x.numpy(force=True))
    y.detach()._add_grad_(retrograd.ones(y.shape))  # an in-place write through the view
    assert x._version == y._version == 1


def test_copies_do_not_share_the_version_counter():
    x = retrograd.zeros(2, 3, requires_grad=True)
    for y in (
        x.t().reshape(6),
        x.clone(),
        x.repeat(1, 1),
        x.flip(0),
        retrograd.cat([x]),
        x[[0, 1]],
    ):
        assert y._vc is not x._vc and y._base is None


def test_write_through_a_view_is_seen_by_saved_tensors():
    x = retrograd.ones(2, 3, requires_grad=True)
    base = x * 1
    y = base.exp()  # saves its result...
    view = y.view(6)
    view.detach()._add_grad_(retrograd.ones(6))  # ...which is then modified through a view
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_view_refuses_non_viewable_strides():
    x = retrograd.zeros(2, 3)
    with pytest.raises(RuntimeError) as err:
        x.t().view(6)
    assert str(err.value) == (
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead."
    )
    assert x.t().reshape(6).tolist() == [0.0] * 6


# --- errors ------------------------------------------------------------------------------------

ERRORS = [
    (lambda t: t.zeros(2, 3).view(4), RuntimeError, "shape '[4]' is invalid for input of size 6"),
    (lambda t: t.zeros(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (
        lambda t: t.zeros(2, 3).repeat(2),
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    ),
    (
        lambda t: t.zeros(2, 3).repeat(-1, 1),
        RuntimeError,
        "Trying to create tensor with negative dimension -2: [-2, 3]",
    ),
    (
        lambda t: t.zeros(2, 3).flip(5),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
    ),
    (
        lambda t: t.zeros(2, 3).flip(0, 0),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda t: t.zeros(2, 3).split(0),
        RuntimeError,
        "split_size can only be 0 if dimension size is 0, but got dimension size of 2",
    ),
    (
        lambda t: t.zeros(2, 3).split(-1),
        RuntimeError,
        "split expects split_size be non-negative, but got split_size=-1",
    ),
    (
        lambda t: t.zeros(2, 3).split([1, 2], 0),
        RuntimeError,
        (
            "split_with_sizes expects split_sizes to sum exactly to 2 (input tensor's size at dimension "
            "0), but got split_sizes=[1, 2]"
        ),
    ),
    (
        lambda t: t.zeros(2, 3).chunk(0),
        RuntimeError,
        "chunk expects `chunks` to be greater than 0, got: 0",
    ),
    (
        lambda t: t.zeros(2, 3).unbind(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda t: t.zeros(()).unbind(0),
        IndexError,
        "Dimension specified as 0 but tensor has no dimensions",
    ),
    (lambda t: t.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    (
        lambda t: t.cat([t.zeros(2, 3), t.zeros(2)]),
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    (
        lambda t: t.cat([t.tensor(1.0), t.tensor(2.0)]),
        RuntimeError,
        "zero-dimensional tensor (at position 0) cannot be concatenated",
    ),
    (
        lambda t: t.cat([t.ones(2), t.ones(2), t.tensor(3)], -1),
        RuntimeError,
        "zero-dimensional tensor (at position 2) cannot be concatenated",
    ),
    (
        lambda t: t.cat([t.ones(0), t.tensor(1.0)]),
        RuntimeError,
        "zero-dimensional tensor (at position 1) cannot be concatenated",
    ),
    (
        lambda t: t.cat([t.tensor(1.0)], 5),
        RuntimeError,
        "zero-dimensional tensor (at position 0) cannot be concatenated",
    ),
    (
        lambda t: t.cat([t.zeros(2, 3), t.zeros(2, 2)]),
        RuntimeError,
        (
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for "
            "tensor number 1 in the list."
        ),
    ),
    (
        lambda t: t.cat([t.zeros(2, 3), t.zeros(2, 3)], 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda t: t.cat(t.zeros(2)),
        TypeError,
        "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor",
    ),
    (
        lambda t: t.cat([t.zeros(2), 1]),
        TypeError,
        "expected Tensor as element 1 in argument 0, but got int",
    ),
    (lambda t: t.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (
        lambda t: t.stack([t.zeros(2, 3), t.zeros(3, 2)]),
        RuntimeError,
        "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1",
    ),
    (
        lambda t: t.stack([t.zeros(2, 3)], 3),
        IndexError,
        "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
    ),
    (
        lambda t: t.zeros(2, 3).squeeze((0, 5)),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
    ),
    (
        lambda t: t.zeros(2, 3).unsqueeze(3),
        IndexError,
        "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
    ),
    (
        lambda t: t.zeros(2, 3).transpose(0, 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda t: t.zeros(2, 3, 4).t(),
        RuntimeError,
        "t() expects a tensor with <= 2 dimensions, but self is 3D",
    ),
    (
        lambda t: t.zeros(2, 3).permute(0),
        RuntimeError,
        (
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
            "the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1"
        ),
    ),
    (
        lambda t: t.zeros(2, 3).permute(0, 0),
        RuntimeError,
        "permute(): duplicate dims are not allowed.",
    ),
    (
        lambda t: t.zeros(2, 3).expand(3),
        RuntimeError,
        (
            "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be "
            "greater or equal to the number of dimensions in the tensor (2)"
        ),
    ),
    (
        lambda t: t.zeros(2, 3).expand(4, 3),
        RuntimeError,
        (
            "The expanded size of the tensor (4) must match the existing size (2) at non-singleton "
            "dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]"
        ),
    ),
    (
        lambda t: t.zeros(2, 3).expand(-1, 2, 3),
        RuntimeError,
        "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0",
    ),
    (
        lambda t: t.zeros(2, 3).sum_to_size(4),
        RuntimeError,
        "size {[4]} is not expandable to size {[2, 3]}.",
    ),
    (
        lambda t: t.zeros(2, 3).flatten(1, 0),
        RuntimeError,
        "flatten() has invalid args: start_dim cannot come after end_dim",
    ),
]


test_errors, test_errors_match_pytorch = error_tests(ERRORS)


@pytest.mark.parametrize(
    "expr",
    [
        "x.T",
        "y.T",
        "x.narrow(0, 0, 2)",
        "x.narrow(1, 0, 3)",
        "x.narrow(-1, 1, 2)",
        "y.narrow(0, 0, 3)",
    ],
)
def test_transpose_property_and_narrow_record_pytorchs_nodes(torch_ref, expr):
    """x.T is a permute for every rank (PyTorch warns below 2-D as above), and narrow is always
    a slice node, even over a whole dimension."""
    import warnings

    seen = []
    for lib in (retrograd, torch_ref):
        x = lib.ones(2, 3, requires_grad=True) * 1
        y = lib.ones(3, requires_grad=True) * 1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = eval(expr)
        out.sum().backward()
        seen.append((type(out.grad_fn).__name__, tuple(out.shape), len(caught)))
    assert seen[0] == seen[1]


# --- tiling, splitting at indices, Kronecker and tensor products, quarter turns, distances ----

_R = np.random.default_rng(11)
_M, _N, _V = _R.standard_normal((2, 3)), _R.standard_normal((3, 4)), _R.standard_normal(3)

MORE = [
    ("broadcast_to", lambda t, a: t.broadcast_to(a, (4, 3)), [_V]),
    ("tile", lambda t, a: t.tile(a, (2,)), [_M]),
    ("tile_more_dims", lambda t, a: a.tile((2, 1, 2)), [_M]),
    ("tensor_split_sections", lambda t, a: t.tensor_split(a, 2, dim=1)[0], [_M]),
    ("tensor_split_indices", lambda t, a: a.tensor_split([1, 5], 1)[1], [_M]),
    ("tensor_split_tensor", lambda t, a: a.tensor_split(t.tensor(2), 1)[1], [_M]),
    ("cartesian_prod", lambda t, a, b: t.cartesian_prod(a, b), [_V, _V]),
    ("diagflat", lambda t, a: t.diagflat(a, 1), [_M]),
    ("diagflat_vector", lambda t, a: a.diagflat(-1), [_V]),
    ("kron", lambda t, a, b: t.kron(a, b), [_M, _N]),
    ("kron_ranks", lambda t, a, b: a.kron(b), [_M, _V]),
    ("tensordot", lambda t, a, b: t.tensordot(a, b, dims=1), [_M, _N]),
    ("tensordot_lists", lambda t, a, b: t.tensordot(a, b, dims=([0], [1])), [_M, _M.T]),
    ("tensordot_outer", lambda t, a, b: t.tensordot(a, b, dims=0), [_V, _V]),
    ("rot90", lambda t, a: t.rot90(a), [_M]),
    ("rot90_half", lambda t, a: a.rot90(2), [_M]),
    ("rot90_back", lambda t, a: a.rot90(-1, [1, 0]), [_M]),
    ("rot90_full", lambda t, a: a.rot90(4), [_M]),
    ("block_diag", lambda t, a, b, c: t.block_diag(a, b, c), [_M, _V, np.array(2.0)]),
    ("cdist", lambda t, a, b: t.cdist(a, b), [_M, _N.T[:, :3]]),
    ("cdist_p1", lambda t, a, b: t.cdist(a, b, p=1), [_M, _N.T[:, :3]]),
    ("cdist_p3", lambda t, a, b: t.cdist(a, b, p=3), [_M, _N.T[:, :3]]),
    ("cdist_inf", lambda t, a, b: t.cdist(a, b, p=float("inf")), [_M, _N.T[:, :3]]),
    ("cdist_by_product", lambda t, a, b: t.cdist(a, b), [_R.standard_normal((30, 3)), _N.T]),
    ("cdist_batched", lambda t, a, b: t.cdist(a, b), [_R.standard_normal((2, 4, 3)), _N.T[None]]),
]


@pytest.mark.parametrize("name, fn, arrays", MORE, ids=[c[0] for c in MORE])
def test_tiling_products_turns_and_distances_match_pytorch(torch_ref, name, fn, arrays):
    """Values, shape, node name, contiguity and gradients as PyTorch's; second derivatives agree
    with finite differences (gradgradcheck in float64)."""
    got = []
    for lib in (retrograd, torch_ref):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *ts)
        w = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        grads = lib.autograd.grad((out * w).sum(), ts)
        got.append(
            (
                out.detach().numpy(),
                out.grad_fn.name(),
                out.is_contiguous(),
                [g.numpy() for g in grads],
            )
        )
    (v, node, contiguous, grads), (tv, tnode, tcontiguous, tgrads) = got
    assert (node, contiguous) == (tnode, tcontiguous)
    np.testing.assert_allclose(v, tv, rtol=1e-10, atol=1e-12)
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g, tg, rtol=1e-10, atol=1e-12)
    ts = [retrograd.tensor(a, requires_grad=True) for a in arrays]
    assert retrograd.autograd.gradgradcheck(lambda *xs: fn(retrograd, *xs), ts)


@pytest.mark.parametrize("dtype", ["int32", "uint8", "float32"])
def test_tensordot_summing_a_size_1_dimension_keeps_the_dtype(torch_ref, dtype):
    """A contracted dimension of size 1 against a longer one is summed away in the inputs'
    dtype (integers are not widened to int64 before the product)."""

    def run(lib):
        a = lib.arange(1, 4).reshape(1, 3, 1).to(getattr(lib, dtype))
        b = lib.arange(1, 9).reshape(2, 2, 2).to(getattr(lib, dtype))
        r = lib.tensordot(a, b, dims=([0, 2], [2, 0]))
        return str(r.dtype), r.tolist()

    assert run(retrograd) == run(torch_ref)


(
    test_tiling_products_turns_error_type_and_text,
    test_tiling_products_turns_error_texts_are_pytorchs,
) = error_tests(
    [
        (
            lambda t: t.tile(t.ones(2, 3), (-1,)),
            RuntimeError,
            "Trying to create tensor with negative dimension -3: [2, -3]",
        ),
        (
            lambda t: t.tensor_split(t.ones(2, 3), 0),
            RuntimeError,
            "number of sections must be larger than 0, got 0",
        ),
        (
            lambda t: t.tensor_split(t.tensor(1.0), 1),
            RuntimeError,
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims",
        ),
        (
            lambda t: t.tensor_split(t.ones(2, 3), t.tensor([[1]])),
            RuntimeError,
            "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
            "one-dimensional tensor, but got a tensor with 2 dims",
        ),
        (
            lambda t: t.tensordot(t.ones(2, 3), t.ones(2, 3), dims=-1),
            RuntimeError,
            "tensordot expects dims >= 0, but got dims=-1",
        ),
        (
            lambda t: t.tensordot(t.ones(2, 3), t.ones(2, 3), dims=([0], [1])),
            RuntimeError,
            "contracted dimensions need to match, but first has size 2 in dim 0 and second has "
            "size 3 in dim 1",
        ),
        (
            lambda t: t.cartesian_prod(t.ones(2, 3)),
            RuntimeError,
            "Expect a 1D vector, but got shape [2, 3]",
        ),
        (
            lambda t: t.block_diag(t.ones(2, 2, 2)),
            RuntimeError,
            "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 0 has 3 "
            "dimensions",
        ),
        (
            lambda t: t.rot90(t.ones(2, 3), 1, [0, 1, 2]),
            RuntimeError,
            "expected total rotation dims == 2, but got dims = 3",
        ),
        (
            lambda t: t.rot90(t.ones(3)),
            RuntimeError,
            "expected total dims >= 2, but got total dims = 1",
        ),
        (
            lambda t: t.rot90(t.ones(2, 3), 1, [0, 0]),
            RuntimeError,
            "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0",
        ),
        (
            lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), p=-1),
            RuntimeError,
            "cdist only supports non-negative p values",
        ),
        (
            lambda t: t.cdist(t.ones(3), t.ones(2, 3)),
            RuntimeError,
            "cdist only supports at least 2D tensors, X1 got: 1D",
        ),
        (
            lambda t: t.cdist(t.ones(2, 4), t.ones(2, 3)),
            RuntimeError,
            "X1 and X2 must have the same number of columns. X1: 4 X2: 3",
        ),
        (
            lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), compute_mode="x"),
            ValueError,
            "x is not a valid value for compute_mode",
        ),
    ]
)


def test_block_diag_of_nothing_and_of_mixed_dtypes_match_pytorch(torch_ref):
    for program in (
        lambda t: t.block_diag(),
        lambda t: t.block_diag(t.tensor([1, 2]), t.tensor([[1.5]])),
        lambda t: t.block_diag(t.tensor([[1, 2]]), t.tensor(3, dtype=t.int32)),
    ):
        ours, theirs = program(retrograd), program(torch_ref)
        assert str(ours) == str(theirs) and ours.shape == theirs.shape


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: x.unfold(1, 2, 1),
        lambda t, x: x.unfold(0, 2, 1),
        lambda t, x: x.unfold(-1, 3, 2),
        lambda t, x: x.unfold(1, 2, 2) * x.unfold(1, 2, 2),
    ],
)
def test_unfold_matches_pytorch(torch_ref, fn):
    """A view of overlapping windows: values, strides, node, and the gradient that adds the
    windows back up; second derivatives by finite differences."""
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(np.arange(20.0).reshape(4, 5), requires_grad=True)
        out = fn(lib, x)
        w = lib.tensor(np.sin(np.arange(out.numel())).reshape(tuple(out.shape)))
        (g,) = lib.autograd.grad((out * w).sum(), [x])
        got.append((out.detach().numpy(), out.stride(), out.grad_fn.name(), g.numpy()))
    (v, stride, node, g), (tv, tstride, tnode, tg) = got
    assert (node, stride if node == "UnfoldBackward0" else None) == (
        tnode,
        tstride if tnode == "UnfoldBackward0" else None,
    )
    np.testing.assert_array_equal(v, tv)
    np.testing.assert_allclose(g, tg)
    x = retrograd.tensor(np.random.default_rng(0).random((4, 5)), requires_grad=True)
    assert gradgradcheck(lambda a: fn(retrograd, a), [x])


(test_unfold_error_type_and_text, test_unfold_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.ones(3, 4).unfold(1, 5, 1),
            RuntimeError,
            "maximum size for tensor at dimension 1 is 4 but size is 5",
        ),
        (lambda t: t.ones(3, 4).unfold(1, 2, 0), RuntimeError, "step is 0 but must be > 0"),
        (
            lambda t: t.tensor(3.0).unfold(0, 2, 1),
            RuntimeError,
            "maximum size for tensor at dimension 0 is 1 but size is 2",
        ),
    ]
)


@pytest.mark.parametrize(
    "program",
    [
        lambda x: x.reshape(1, 6),  # contiguous: ViewBackward0
        lambda x: x[..., ::2].reshape(1, 3, 1),  # not contiguous, viewable: ReshapeAliasBackward0
        lambda x: x.t().reshape(2, 3, 1),
        lambda x: x[:, :1].flatten(),
        lambda x: x.t().reshape(6),  # not viewable: a copy, UnsafeViewBackward0
    ],
)
def test_reshape_records_pytorchs_node(torch_ref, program):
    def run(T):
        x = T.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], dtype=T.float64, requires_grad=True)
        y = program(x * 2)
        y.sum().backward()
        return type(y.grad_fn).__name__, y._base is not None, y.stride(), x.grad.tolist()

    assert run(retrograd) == run(torch_ref)
