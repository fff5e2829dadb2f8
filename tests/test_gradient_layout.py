"""The memory layout of gradients, as PyTorch's: a view read anew out of a base written in
place (``AsStridedBackward0``) gives the base a gradient laid out as the base is."""

import numpy as np
import pytest

import retrograd


@pytest.mark.parametrize("dims", [(0, 1), (0, 2), (1, 2)])
def test_as_strided_gradient_keeps_the_bases_layout(torch_ref, dims):
    got = []
    for lib in (retrograd, torch_ref):
        a = lib.tensor(np.arange(16.0).reshape(2, 4, 2) / 7, requires_grad=True)
        b = a.transpose(*dims) * 1
        v = b[..., ::2]
        b.mul_(2)
        (g,) = lib.autograd.grad(v, [b], lib.ones(tuple(v.shape), dtype=lib.float64))
        got.append((v.grad_fn.name(), b.stride(), g.stride(), g.is_contiguous(), g.tolist()))
    assert got[0] == got[1]


def test_as_strided_gradient_second_order():
    a = retrograd.rand(2, 3, 2, dtype=retrograd.float64, requires_grad=True)

    def f(a):
        b = a.transpose(0, 1) * a.transpose(0, 1)
        v = b[..., ::2]
        b.mul_(2)
        return v * b[..., :1]

    assert retrograd.autograd.gradcheck(f, [a])
    assert retrograd.autograd.gradgradcheck(f, [a])


def _leaf(lib, layout):
    """A leaf of shape (3, 4): C order, F order, or a strided slice (not dense)."""
    data = np.arange(1.0, 25.0) / 7
    if layout == "C":
        t = lib.tensor(data[:12].reshape(3, 4))
    elif layout == "F":
        t = lib.tensor(data[:12].reshape(4, 3)).t()
    else:
        t = lib.tensor(data.reshape(3, 8))[:, ::2]
    return t.detach().requires_grad_()


_LEAF_GRAD_PROGRAMS = {
    "through a node": lambda lib, x, w: (x * 2).sum().backward(),
    "other factor F": lambda lib, x, w: (x * w).sum().backward(),
    "one node": lambda lib, x, w: (x * w).backward(lib.ones(3, 4, dtype=lib.float64)),
    "one node, scaled": lambda lib, x, w: (x * 2).backward(lib.ones(3, 4, dtype=lib.float64)),
    "through a view": lambda lib, x, w: (x.t() * 2).t().sum().backward(),
    "create_graph": lambda lib, x, w: (x * w).sum().backward(create_graph=True),
    "twice": lambda lib, x, w: ((x * 2).sum().backward(), (x * 3).sum().backward()),
}


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("program", list(_LEAF_GRAD_PROGRAMS))
def test_a_leafs_first_grad_takes_the_leafs_layout(torch_ref, layout, program):
    """A leaf's ``.grad``, taken from the engine's gradient or copied, has the leaf's strides when
    the leaf is dense (in C order otherwise), whatever layout the gradient came in, as PyTorch's
    AccumulateGrad lays it out."""
    got = []
    for lib in (retrograd, torch_ref):
        x = _leaf(lib, layout)
        w = lib.tensor(np.arange(12.0).reshape(4, 3)).t()  # (F order: the product follows it)
        _LEAF_GRAD_PROGRAMS[program](lib, x, w)
        got.append((x.grad.stride(), x.grad.tolist()))
    assert got[0] == got[1]


def _as_strided_views(lib):
    x = lib.arange(6.0, dtype=lib.float64, requires_grad=True)
    yield x, x.as_strided((2,), (2,), 1)
    yield x, x.as_strided((2, 2), (0, 1))  # the output reads a position twice: summed first
    yield x, x.as_strided((2, 2), (1, 1))  # overlapping positions: added one by one
    b = x * 1
    v = b[1::2]
    b.mul_(2)  # v's node is read anew out of b (AsStridedBackward0)
    yield b, v


@pytest.mark.parametrize("create_graph", [False, True])
def test_as_strided_gradient_is_a_view_of_the_storage_it_was_written_into(torch_ref, create_graph):
    """PyTorch's as_strided backward writes the gradient into zeros the size of the storage and
    returns a view of them with the input's geometry: the gradient is a view, and under
    create_graph its node is AsStridedBackward0 over the node of that write."""
    got = []
    for lib in (retrograd, torch_ref):
        seen = []
        for x, y in _as_strided_views(lib):
            (g,) = lib.autograd.grad((y * y).sum(), [x], create_graph=create_graph)
            fn = g.grad_fn
            base_fn = g._base.grad_fn if g._is_view() else None
            seen.append(
                (
                    g._is_view(),
                    g.stride(),
                    g.tolist(),
                    fn and fn.name(),
                    base_fn and base_fn.name(),
                    base_fn and base_fn.next_functions[0][0],
                )
            )
        got.append(seen)
    assert got[0] == got[1]


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x.transpose(2, 1).sign().clamp_(-0.5, 0.5),  # a formula reads the old value
        lambda x: x.transpose(2, 1).max().reshape(1),  # the gradient written into new zeros
        lambda x: x.transpose(2, 1).median().reshape(1),
    ],
)
def test_gradient_layout_through_in_place_ops_and_full_reductions(torch_ref, make):
    """The old value of a tensor written in place, kept for a formula, is copied in its layout,
    and a max() or median() of all elements gives a contiguous gradient, as in PyTorch."""
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor(np.arange(24.0).reshape(2, 3, 4) % 7, requires_grad=True)
        y = x * 1
        (g,) = lib.autograd.grad(make(y).sum(), [y])
        got.append((g.stride(), g.is_contiguous(), g.tolist()))
    assert got[0] == got[1]
