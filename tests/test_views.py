"""Views as PyTorch keeps them: one version counter per memory, a base that comes to require grad,
views made under no_grad or as one of several outputs, and writes whose memory overlaps.

Each program runs on retrograd and on PyTorch; what it shows (``see``) and the error it ends with,
if any, must be the same."""

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck


def _shown(T, value):
    if isinstance(value, T.Tensor):
        fn = value.grad_fn
        return (
            "tensor",
            value.detach().tolist(),
            str(value.dtype),
            value.requires_grad,
            value.is_leaf,
            None if fn is None else type(fn).__name__,
        )
    if isinstance(value, (tuple, list)):
        return tuple(_shown(T, v) for v in value)
    return value


def trace(T, program):
    """What ``program`` shows with ``see(...)``, then the type and text of the error it raised."""
    shown = []
    try:
        exec(program, {"T": T, "see": lambda *values: shown.append(_shown(T, values))})
    except Exception as e:  # noqa: BLE001 - the error is part of what is compared
        shown.append((type(e).__name__, str(e)))
    return shown


def same_as_pytorch(torch_ref, program):
    assert trace(retrograd, program) == trace(torch_ref, program)


NO_GRAD_VIEWS = {
    # ... so a backward pass cannot start from it: PyTorch's error for a tensor with no grad_fn
    "backward_from_a_view_made_under_no_grad": """
x = T.tensor([[1.5], [-0.5]], requires_grad=True)
y = x.exp()
with T.no_grad():
    v = y.diagonal()
with T.inference_mode():
    w = y.reshape(1, 2)
for out in (v, w):
    try:
        T.autograd.grad(out, [x], grad_outputs=T.ones_like(out), allow_unused=True)
    except RuntimeError as e:
        see(str(e))
v.sum().backward()
""",
    # A view made under no_grad of a tensor that requires grad requires grad too, yet it is a leaf
    # with no grad_fn, and nothing reaches its base through it.
    "requires_grad": """
x = T.tensor([[1.95, 1.41, 1.35, -1.79, 0.22]], requires_grad=True)
with T.no_grad():
    v = x.contiguous().view(5, 1, 1)
    a, b, c, d = x.view(5), x[0], x.expand(2, 5), x.unbind(0)[0]
see(v, a, b, c, d, v.grad_fn, v._base is x)
w = a * 2
see(w)
w.sum().backward()
see(x.grad)
""",
    "of_a_view_made_a_leaf": """
x = T.arange(9.0).reshape(3, 3).requires_grad_()
with T.no_grad():
    v = x.narrow(0, 0, 2)
with T.inference_mode():
    w = x[0:1]
see(v, w)
""",
    "of_a_non_leaf": """
x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
with T.no_grad():
    v = y[1:]
see(v, v.requires_grad_(False), v.requires_grad_())
(v * v).sum().backward()
see(x.grad)
""",
    "view_of_it_in_grad_mode": """
x = T.tensor([1.0, 2.0], requires_grad=True)
with T.no_grad():
    v = x[0:2]
w = v[0:1]
see(w)
w.mul_(2)
""",
    "written_directly": """
x = T.tensor([1.0, 2.0], requires_grad=True)
with T.no_grad():
    v = x[0:2]
v.mul_(2)
""",
    "index_put_with_another_dtype": """
x = T.zeros(4, requires_grad=True)
with T.no_grad():
    v = x[1:]
v[T.tensor([0])] = T.ones(1, dtype=T.float64)
""",
    "base_written_under_no_grad_then_used": """
x = T.tensor(-0.53, requires_grad=True)
with T.set_grad_enabled(False):
    v = x[None]
    x.add_(1.47)
see(v)
T.where(v < -0.3, 1.0, v)
""",
    "of_a_base_that_comes_to_require_grad": """
x = T.zeros(3)
with T.no_grad():
    v = x[0:2]
x.add_(T.ones(3, requires_grad=True))
see(v.requires_grad, v.is_leaf)
""",
    "written_and_used_under_no_grad": """
x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 1
with T.no_grad():
    v = y[1:]
    v.mul_(2)
    see(v * 1)
(y * y).sum().backward()
see(y, x.grad)
""",
}

INFERENCE_MODE_VIEWS = {
    "written_in_normal_mode": """
x = T.tensor([1.0, 2.0], requires_grad=True) * 1
with T.inference_mode():
    v = x.t()
see(v.requires_grad)
v.zero_()
""",
    "view_of_it_written": """
x = T.tensor([1.0, 2.0], requires_grad=True) * 1
with T.inference_mode():
    v = x.t()
v[0:1].zero_()
""",
    "base_written_then_used": """
x = T.tensor([1.0, 2.0], requires_grad=True) * 1
with T.inference_mode():
    v = x.t()
with T.no_grad():
    x.add_(1)
v * 2
""",
    "split_of_it_stays_made_in_inference_mode": """
x = T.tensor([1.0, 2.0], requires_grad=True) * 1
with T.inference_mode():
    w = x[0:1].split(1)[0]
w.zero_()
""",
}

SEVERAL_VIEWS = {
    # An op that records reads its inputs' grad_fn before it checks anything: a stale view's
    # error comes before the op's own (dtypes, shapes, sizes to join, a value to expand).
    "the_view_error_comes_before_the_ops_own": """
x = T.tensor([[-1.5, 1.25, -0.75], [-1.5, -0.5, 1.75]], requires_grad=True)
v = T.chunk(x, 2, -1)[0]
with T.no_grad():
    v.sin_()
for f in (
    lambda: T.ones(2, 2, dtype=T.float64).lerp(v, 0.75),
    lambda: T.ones(2, 2, dtype=T.float64).mm(v),
    lambda: T.ones(3, 3) + v,
    lambda: v + T.ones(3, 3),
    lambda: v.sum(5),
    lambda: v.where(v > 0, T.ones(3, 3)),
    lambda: T.cat([v, T.ones(3, 3)]),
    lambda: T.stack([v, T.ones(3, 3)]),
    lambda: v.__setitem__(0, T.ones(5)),
    lambda: v.reshape(7),
):
    try:
        f()
    except RuntimeError as e:
        see(str(e)[:60])
with T.no_grad():
    v[0] = T.ones(5)
""",
    # The outputs of split, chunk and unbind (and views of them) may not be written, nor used after
    # their base was written.
    "base_written_under_no_grad": """
x = T.tensor([0.0, 1.46], dtype=T.float64, requires_grad=True)
v = x.chunk(2, 0)[1]
with T.set_grad_enabled(False):
    x.add_(1.27)
v.unsqueeze(-2)
""",
    "slice_of_it_written": """
s = T.tensor(0.22, dtype=T.float64)
x = T.tensor([0.07, 0.54, 1.87], dtype=T.float64, requires_grad=True)
v = (x.chunk(4, 0)[1].abs() + 1).log()
w = (v * s).split(1, 0)[0]
w[-1:] = v
""",
    "of_a_base_that_comes_to_require_grad": """
x = T.zeros(4)
a, b = x.split(2)
x.add_(T.ones(4, requires_grad=True))
see(b.requires_grad)
b * 1
""",
    "written_with_a_value_that_requires_grad": """
x = T.zeros(4)
a, b = x.split(2)
b[0:1] = T.ones(1, requires_grad=True)
""",
    "index_put_with_another_dtype": """
x = T.zeros(4, requires_grad=True).clone()
a, b = x.split(2)
b[T.tensor([0])] = T.ones(1, dtype=T.float64)
""",
    "slices_that_keep_the_whole_dimension": """
x = T.zeros(3, requires_grad=True).clone()
s = x.split(1)[0]
for key in (slice(-5, None), slice(-1, None), slice(0, 10), slice(None, 1), slice(0, None, 2)):
    try:
        s[key] = 5.0
    except RuntimeError as e:
        see(str(e)[:20])
""",
    "read_after_the_base_was_written": """
x = T.zeros(3, requires_grad=True).clone()
v = x.split(1)[0]
with T.no_grad():
    x.add_(1)
see(v.requires_grad, repr(v), v.output_nr)
for read in (lambda: v.is_leaf, lambda: v.grad_fn, lambda: v.retain_grad(), lambda: v.sum()):
    try:
        read()
    except RuntimeError as e:
        see(str(e))
v.detach_()
""",
    "squeeze_of_it_written": """
x = T.tensor([[0.5, 0.7]], requires_grad=True) * 1
v = x.chunk(2, -1)[0].squeeze(0)
v.sqrt_()
""",
    "nothing_written_after_the_error": """
x = T.zeros(3, requires_grad=True).clone()
s = x.split(1)[0]
try:
    s.mul_(0).add_(7)
except RuntimeError as e:
    see(str(e))
see(x, x._version)
""",
}

BASE_COMES_TO_REQUIRE_GRAD = {
    # A write that requires grad into one view reaches the base and its other views.
    "write_into_a_view_of_a_view": """
x0 = T.tensor([[0.88, -0.47, 0.05], [0.8, 0.86, -0.1]])
x2 = T.tensor([-0.25], requires_grad=True)
v = T.narrow(x0, 0, 1, 1)
v[0, 1:] = x2 * 3
see(v.requires_grad, x0)
(v.sum() + x2.sum()).backward()
see(v.requires_grad, x2.grad)
""",
    "sibling_views": """
x = T.zeros(2, 3)
y = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
a, b = x[0], x[1]
c = x.t()
a.copy_(y * 2)
see(a.requires_grad, b.requires_grad, c.requires_grad, x)
((b + 1) * c.sum()).sum().backward()
see(y.grad)
""",
    "leaf_base_requires_grad_later": """
x = T.zeros(3)
v = x[1:]
x.requires_grad_()
see(v.requires_grad, v.is_leaf)
see(v * 2)
""",
    "write_into_an_expanded_view": """
x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = T.tensor(7.0, requires_grad=True)
b = x * 1
y = b.expand(2, 3)
y[0, 1] = w * 2
see(y, b)
(y * T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
see(x.grad, w.grad)
""",
    "write_into_a_row_of_an_expanded_view": """
x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = x * 1
y = b[None].expand(2, 3)
y[1].mul_(2)
see(y, b)
(y * T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
see(x.grad)
""",
    "expand_that_expands_nothing": """
x = T.rand(2, 3, requires_grad=True)
y = T.tensor(-0.19, requires_grad=True)
v = T.neg(x.split([2], dim=0)[0]).expand(2, 3)
v[..., -2:-1:3, None, -1] = y
v.sum().backward()
see(x.grad, y.grad)
""",
}

IN_PLACE = {
    # What an in-place op records, and what it refuses first.
    "one_value_fills": """
x = T.zeros(3, requires_grad=True).clone()
x[:] = T.tensor(1.0, requires_grad=True)
y = T.zeros(3, requires_grad=True).clone()
y[:] = T.tensor([1.0], requires_grad=True)
z = T.zeros(3, requires_grad=True).clone()
z[...] = 2.0
see(x, y, z)
""",
    "add_into_an_element": """
a = T.tensor([[1.0, 2.0]], requires_grad=True) * 1
a[0] += T.tensor([0.5])
see(a)
""",
    "integer_and_bool_destinations_take_no_gradient": """
y = T.tensor([1.5, 2.5], requires_grad=True)
a = T.zeros(2, dtype=T.long)
a[0] = y[1]
b = T.zeros(2, dtype=T.bool)
b.copy_(y)
d = T.zeros(2, dtype=T.long)
v = d[0:1]
v.copy_(y[0:1])
see(a, b, d, v)
""",
    "custom_function_writes_into_an_output_of_unbind": """
class Twice(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2

x = T.tensor([[-1.0, -1.1], [-0.7, -1.5]], requires_grad=True)
a, b = x.unbind(0)
Twice.apply(a)
""",
    "custom_function_input_stale_before_forward": """
class Twice(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2

x = T.tensor([1.0, -1.8, 0.6], dtype=T.float64, requires_grad=True)
v = x.split(1, 0)[0]
with T.no_grad():
    v.clamp_(-0.5, 0.5)
try:
    Twice.apply(v)
except RuntimeError as e:
    see(str(e))
see(x.detach())
""",
    "detach_of_a_leaf_already_in_a_graph": """
x = T.tensor([[-1.055], [0.876]], dtype=T.float64, requires_grad=True)
y = x.softmax(0)
x.detach_()
y.backward(T.tensor([[1.441], [1.908]], dtype=T.float64))
see(x.grad)
""",
    "detach_of_a_view": "x = T.arange(4.0).reshape(4, 1).requires_grad_()\nx.detach_()",
    "restride_a_view_of_a_leaf": """
x = T.tensor([[[0.8, -0.4], [1.2, -0.8]]], requires_grad=True)
x.transpose(2, 1).t_()
""",
    "unsqueeze_a_view_of_a_leaf": """
x = T.tensor([0.4, -0.7], requires_grad=True)
x.select(0, -2).view(1, -1).unsqueeze_(0)
""",
    "restride_a_view_under_no_grad": """
x = T.tensor([[0.5, 0.25]], requires_grad=True) * 1
v = x[0:1]
with T.no_grad():
    v.t_()
see(v)
""",
    "transpose_a_0_dim_tensor_in_place": """
x = T.tensor(1.5, requires_grad=True)
y = x * 2
y.t_()
y.backward()
see(y, x.grad)
""",
    "masks_indices_and_triangles_of_an_expanded_tensor": """
import warnings
m = T.tensor([[True, False, False], [False, True, False]])
for write in (lambda e: e.masked_fill_(m, 9.0), lambda e: e.tril_(), lambda e: e.triu_(1),
              lambda e: e.index_put_((T.tensor([1]), T.tensor([2])), T.tensor(7.0)),
              lambda e: e.fill_diagonal_(5.0)):
    z = T.tensor([[1.0, 2.0, 3.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write(z.expand(2, 3))
    see(z, [str(w.message).split(" (Triggered")[0] for w in caught])
""",
    "detach_of_a_view_then_its_base_requires_grad": """
x = T.tensor([[0.9, -0.5], [0.8, -1.4]], dtype=T.float64)
v = x.reshape(1, 4)
d = x.pow_(2).detach()
d *= T.tensor([[-1.3, 1.8], [-0.3, -0.3]], dtype=T.float64, requires_grad=True)
see(v.requires_grad, d.requires_grad, x.requires_grad)
""",
    "gradient_returned_as_a_view_made_under_no_grad": """
x = T.tensor([[-1.1, -1.8], [0.5, -1.7]], dtype=T.float64, requires_grad=True)
g, = T.autograd.grad(x.sum(), [x])
see(g, g._base is not None)
g.mul_(T.tensor([[-0.6], [-0.9]], dtype=T.float64, requires_grad=True))
""",
    "op_checks_before_the_overlap_check": """
b = T.tensor([True, False]).expand(2, 2)
b.neg_()
""",
    "fill_and_zero_an_expanded_tensor": """
z = T.zeros(2, 3)
z[0:1].expand(2, 3).zero_()
z[0:1].expand(2, 3).fill_(2.0)
see(z)
z[0:1].expand(2, 3).fill_(T.tensor(3.0))
""",
}

OVERLAP = {
    "index_put_of_the_destination_itself": """
x = T.rand(2, 1, 5, dtype=T.float64, requires_grad=True)
v = T.relu(x)
v[:, [0]] = v
""",
    "copy_from_a_shifted_view": "y = T.arange(5.0)\ny[1:].copy_(y[:-1])",
    "add_from_a_shifted_view": "y = T.arange(5.0)\ny[1:].add_(y[:-1])",
    "add_itself": "y = T.arange(5.0)\ny.add_(y)\nsee(y)",
    "add_a_0_dim_view_inside": "y = T.arange(5.0)\ny.add_(y[0])",
    "add_a_0_dim_view_outside": "y = T.arange(5.0)\ny[1:].add_(y[0])\nsee(y)",
    "copy_the_same_view": "y = T.arange(5.0)\ny[0:2] = y[0:2]\nsee(y)",
    "copy_a_transpose": "y = T.arange(6.0)\ny.view(2, 3).copy_(y.view(3, 2).t())",
    "copy_strided_views": "y = T.arange(6.0)\ny[::2].copy_(y[1::2])\nsee(y)",
    "copy_through_data": "y = T.arange(5.0)\ny[1:].copy_(y.data[:-1])",
    "index_put_of_a_disjoint_slice": "y = T.arange(6.0)\ny[[0, 1]] = y[3:5]",
    "one_value_into_a_mask": "y = T.arange(3.0)\ny[T.tensor([True, False, False])] = y[2]\nsee(y)",
    "fill_with_a_view": "y = T.arange(3.0)\ny.fill_(y[1])\nsee(y)",
    "clamp_by_views": "y = T.arange(6.0)\ny.clamp_(y[0], y[5])",
    "recorded_write": """
x = T.arange(5.0, requires_grad=True)
y = x * 1
y[1:].mul_(y[:-1])
""",
    "parts_of_an_expanded_tensor_that_share_no_memory": """
z = T.zeros(2, 3)
e = z[0:1].expand(2, 3)
e[0, 0] = 5.0
e[0:1] = 4.0
e[:, 1:2].t()[0, 1:].fill_(3.0)
see(z, e)
e[:, 0] = 1.0
""",
    # Same memory seen through other strides is an overlap, strides of size-1 dimensions and
    # the number of dimensions included; the same strides through other view ops are not.
    "a_0_dim_tensor_into_its_unsqueezed_view": "y = T.tensor(2.0) * 1\ny.unsqueeze(-1).mul_(y)",
    "size_1_dimension_sliced_with_a_step": "y = T.ones(2, 1, 1)\ny[..., ::2].lerp_(y, 0.25)",
    "unsqueezed_two_ways": """
y = T.arange(6.0).view(2, 3)
y[None].add_(y.unsqueeze(0))
y[:, None].add_(y.view(2, 1, 3))
y.expand(1, 2, 3).add_(y[None])
see(y)
y[None].add_(y.view(3, 2).t())
""",
    "augmented_assignment_into_an_item_under_no_grad": """
x = T.tensor([[0.5], [-1.25], [2.0]], requires_grad=True)
v = x.split(1, -1)[0]
with T.no_grad():
    v[0] += T.tensor(-0.5, requires_grad=True)
    v[1:] += v[1:]
see(x)
""",
    "expand_of_size_1_dimensions": """
z = T.zeros(2, 3)
for f in (lambda: z.expand(2, 3).add_(1), lambda: z.expand(1, 2, 3).add_(1),
          lambda: z[:, 0:1].expand(2, 1).add_(1), lambda: z[0:1].expand(1, 3).fill_(5)):
    f()
see(z)
z.expand(2, 2, 3).add_(1)
""",
}


@pytest.mark.parametrize("name", sorted(NO_GRAD_VIEWS))
def test_views_made_under_no_grad(name, torch_ref):
    same_as_pytorch(torch_ref, NO_GRAD_VIEWS[name])


@pytest.mark.parametrize("name", sorted(INFERENCE_MODE_VIEWS))
def test_views_made_in_inference_mode(name, torch_ref):
    same_as_pytorch(torch_ref, INFERENCE_MODE_VIEWS[name])


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_writes(name, torch_ref):
    same_as_pytorch(torch_ref, IN_PLACE[name])


@pytest.mark.parametrize("name", sorted(SEVERAL_VIEWS))
def test_outputs_of_ops_that_return_several_views(name, torch_ref):
    same_as_pytorch(torch_ref, SEVERAL_VIEWS[name])


@pytest.mark.parametrize("name", sorted(BASE_COMES_TO_REQUIRE_GRAD))
def test_views_of_a_base_that_comes_to_require_grad(name, torch_ref):
    same_as_pytorch(torch_ref, BASE_COMES_TO_REQUIRE_GRAD[name])


@pytest.mark.parametrize("name", sorted(OVERLAP))
def test_writes_whose_memory_overlaps(name, torch_ref):
    same_as_pytorch(torch_ref, OVERLAP[name])


def test_write_into_a_view_of_a_buffer_passes_gradcheck():
    """The gradient of a value written into a view of a buffer that needed none reaches it through
    the buffer and through the buffer's other views."""

    def f(y):
        x = retrograd.zeros(2, 3, dtype=retrograd.float64)
        rows = x[0], x[1]
        whole = x.t()
        rows[0][1:] = y * 3
        return rows[0] * 2 + whole.sum(1)[:1]

    y = retrograd.tensor(np.array([0.3, -0.7]), requires_grad=True)
    assert gradcheck(f, (y,))


def test_views_listed_for_their_base_are_let_go():
    """A base that never requires grad keeps weak references to its views, pruned as they die."""
    x = retrograd.zeros(10)
    for _ in range(1000):
        x[1:].sum()
    assert len(x._vc.views) < 128


@pytest.mark.parametrize("create_graph", [True, False])
def test_the_gradients_cat_hands_back_are_views_one_may_write(torch_ref, create_graph):
    # cat's backward narrows its gradient for each input, as PyTorch's does: views of their own,
    # not the several views of one split, which refuse in-place writes.  An input added as
    # x[None] gets it squeezed back (SqueezeBackward1 under create_graph).
    def outcome(T):
        a = T.tensor([-0.62, -0.339, -1.269], dtype=T.float64, requires_grad=True)
        b = T.tensor([[0.782, 1.837, 1.502]], dtype=T.float64, requires_grad=True)
        c = T.cat([a[None, None][0], b], dim=0)
        ga, gb = T.autograd.grad((c * c).sum(), [a, b], create_graph=create_graph)
        names = []
        node = ga.grad_fn
        while node is not None and node.name() != "MulBackward0":
            names.append(node.name())
            node = node.next_functions[0][0]
        gb.lerp_(gb * 0, 0.25)
        ga.mul_(2)
        return names, gb.tolist(), ga.tolist()

    assert outcome(retrograd) == outcome(torch_ref)


_BASES = {
    "contiguous": lambda T: T.arange(6.0).reshape(2, 3),
    "transposed": lambda T: T.arange(6.0).reshape(2, 3).t(),
    "strided": lambda T: T.arange(12.0).reshape(3, 4)[:, ::2],
    "size 1": lambda T: T.arange(8.0).reshape(2, 4)[:1, ::2],
    "1-dim": lambda T: T.arange(3.0),
    "0-dim": lambda T: T.tensor(1.0),
}
_NEW_AXES = {
    "x[None]": lambda x: x[None],
    "x[..., None]": lambda x: x[..., None],
    "x[None, ..., None]": lambda x: x[None, ..., None],
    "x[None][None]": lambda x: x[None][None],
    "x[None, None]": lambda x: x[None, None],
    "x[:, None]": lambda x: x[:, None] if x.ndim else x[None, None],
    "x[0, None]": lambda x: x[0, None] if x.ndim else x[None],
    "x[None, 0]": lambda x: x[None, 0] if x.ndim else x[None],
    "x[None, 1:]": lambda x: x[None, 1:] if x.ndim else x[None],
    "unsqueeze(0)": lambda x: x.unsqueeze(0),
    "unsqueeze(-1)": lambda x: x.unsqueeze(-1),
    "unsqueeze(1)": lambda x: x.unsqueeze(1) if x.ndim else x.unsqueeze(0),
}


@pytest.mark.parametrize("base", sorted(_BASES))
def test_a_new_dimension_has_pytorchs_stride(torch_ref, base):
    """A dimension that None or unsqueeze adds gets the extent of the dimension it goes before
    (1 element at the end), as in PyTorch, where NumPy gives stride 0 (or the last stride)."""
    got = [
        [(k, f(_BASES[base](T)).stride()) for k, f in _NEW_AXES.items()]
        for T in (retrograd, torch_ref)
    ]
    assert got[0] == got[1]
