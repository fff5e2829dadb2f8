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
