"""Sparse compressed tensors (CSR, CSC, BSR, BSC): construction, conversions, parts, printing,
the functions of their values, the products (mm, matmul, mv, addmm, torch.sparse.mm with and
without reduce, torch.sparse.sampled_addmm) -- values, layouts, node names, gradients and
errors, each program run on retrograd and on PyTorch; gradients by finite differences too."""

import numpy as np
import pytest
from test_sparse_coo import _same

import retrograd

_LAYOUTS = ("csr", "csc", "bsr", "bsc")


def _error(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 (the error is what is compared)
        return (type(e).__name__, str(e).split("\n")[0][:200])
    return None


def _node(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _describe(t):
    """A result or gradient: its layout, its printing (a compressed one) and its dense values."""
    if t is None:
        return None
    dense = t if str(t.layout) == "torch.strided" else t.to_dense()
    return (str(t.layout), repr(t) if dense is not t else None, dense.detach().tolist())


def _dense(lib, batch=()):
    rng = np.random.default_rng(3)
    a = rng.integers(-3, 4, (*batch, 4, 6)) * (rng.random((*batch, 4, 6)) < 0.4)
    if batch:  # (the same count of entries in every matrix of a batch, as PyTorch asks)
        a = np.broadcast_to(a[(0,) * len(batch)], a.shape)
    return lib.tensor(a.astype(np.float64))


@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
def test_conversions_parts_and_printing(torch_ref, batch):
    def program(lib):
        d = _dense(lib, batch)
        out = []
        for layout, args in (
            ("csr", ()),
            ("csc", ()),
            ("bsr", ((2, 3),)),
            ("bsr", ((1, 1),)),
            ("bsc", ((2, 2),)),
            ("bsc", ((4, 1),)),
        ):
            x = getattr(d, "to_sparse_" + layout)(*args)
            names = (
                ("crow_indices", "col_indices")
                if layout in ("csr", "bsr")
                else ("ccol_indices", "row_indices")
            )
            parts = [getattr(x, n)().tolist() for n in names]
            out.append((repr(x), str(x.layout), x._nnz(), x.to_dense().tolist(), parts))
            out.append(
                (x.values().tolist(), x.is_sparse, x.is_sparse_csr, x.sparse_dim(), x.dense_dim())
            )
            out.append(
                _error(
                    lambda: getattr(
                        x, "ccol_indices" if layout in ("csr", "bsr") else "col_indices"
                    )()
                )
            )
            out.append(_error(lambda: x.stride()))
            out.append(_error(lambda: x.numpy()))
        out.append(repr(d.to_sparse(layout=lib.sparse_csc)))
        out.append(repr(d.to_sparse(layout=lib.sparse_bsr, blocksize=(2, 2))))
        out.append(_error(lambda: d.to_sparse(layout=lib.sparse_bsr)))
        out.append(_error(lambda: d.to_sparse_bsr((3, 3))))
        return out

    _same(program, torch_ref)


def test_between_compressed_layouts_and_to_coo(torch_ref):
    def program(lib):
        d = _dense(lib)
        out = []
        for x in (d.to_sparse_csr(), d.to_sparse_csc()):
            out.append(repr(x.to_sparse_csc()))
            out.append(repr(x.to_sparse_csr()))
            out.append(repr(x.to_sparse()))
            out.append(repr(x.t()))
        b = d.to_sparse_bsr((2, 3))
        out.append(repr(b.to_sparse_bsc((2, 3))))
        out.append(repr(b.t()))
        out.append(_error(lambda: b.to_sparse_csr()))
        return out

    _same(program, torch_ref)


def test_constructors_and_their_invariant_checks(torch_ref):
    def program(lib):
        out = []
        csr = lib.sparse_csr_tensor
        out.append(repr(csr([0, 1, 3], [1, 0, 2], [2.0, 1.0, 3.0], (2, 3))))
        out.append(
            repr(csr(lib.tensor([0, 1, 3]), lib.tensor([1, 0, 2]), lib.tensor([2.0, 1.0, 3.0])))
        )
        out.append(repr(csr([0, 1, 3], [1, 0, 2], [2, 1, 3], (2, 3), dtype=lib.float64)))
        out.append(repr(csr([0, 1, 3], [1, 0, 2], [2.0, 1.0, 3.0], (2, 3), requires_grad=True)))
        out.append(repr(lib.sparse_csc_tensor([0, 1, 3], [1, 0, 2], [2.0, 1.0, 3.0], (3, 2))))
        out.append(repr(lib.sparse_bsr_tensor([0, 1, 2], [1, 0], lib.ones(2, 1, 2), (2, 4))))
        out.append(repr(lib.sparse_bsc_tensor([0, 1, 2], [1, 0], lib.ones(2, 2, 1), (4, 2))))
        out.append(
            repr(
                lib.sparse_compressed_tensor(
                    lib.tensor([0, 1, 3]),
                    lib.tensor([1, 0, 2]),
                    lib.tensor([2.0, 1.0, 3.0]),
                    (2, 3),
                    layout=lib.sparse_csc,
                )
            )
        )
        out.append(_error(lambda: lib.sparse_compressed_tensor([0, 1], [0], [1.0], (1, 1))))
        for c, p in (
            ([0, 1, 3], [1, 0, 5]),
            ([0, 2, 3], [1, 0, 2]),
            ([1, 2, 3], [1, 0, 2]),
            ([0, 2, 1], [1, 0, 2]),
            ([0, 1, 3, 3], [1, 0, 2]),
            ([0, 1, 2], [1, 0, 2]),
        ):
            out.append(_error(lambda: csr(c, p, [2.0, 1.0, 3.0], (2, 3), check_invariants=True)))
        return out

    _same(program, torch_ref)


def _matrix(lib):
    d = lib.tensor([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0], [0.0, -0.25, 0.5]], dtype=lib.float64)
    b = lib.tensor(np.arange(6.0).reshape(3, 2) - 2.5, requires_grad=True)
    return d, b


def _weights(y, lib):
    yd = y if str(y.layout) == "torch.strided" else y.to_dense()
    return yd, lib.arange(yd.numel(), dtype=lib.float64).reshape(yd.shape) - 1


@pytest.mark.parametrize("layout", ["csr", "csc"])
def test_products_and_their_gradients(torch_ref, layout):
    def program(lib):
        d, b = _matrix(lib)
        v = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
        out = []
        cases = [
            lambda x: x @ b,
            lambda x: lib.mm(x, b),
            lambda x: x.mm(b),
            lambda x: lib.addmm(lib.ones(3, 2, dtype=lib.float64), x, b, beta=2, alpha=0.5),
            lambda x: lib.ones(4, 3, dtype=lib.float64) @ x,
            lambda x: x.t() @ b,
            lambda x: x @ v,
            lambda x: lib.mv(x, v),
            lambda x: x * 2,
            lambda x: 2.5 * x,
            lambda x: x.values(),
            lambda x: x.to_dense(),
            lambda x: -x,
            lambda x: lib.relu(x),
            lambda x: x.abs(),
            lambda x: x.log1p(),
            lambda x: x.deg2rad(),
            lambda x: x.frac(),
            lambda x: x.floor(),
        ]
        if layout == "csr":
            cases.append(lambda x: lib.sparse.mm(x, b))
            cases += [
                (lambda r: lambda x: lib.sparse.mm(x, b, r))(r)
                for r in ("sum", "mean", "amax", "amin")
            ]
        for f in cases:
            x = getattr(d, "to_sparse_" + layout)().requires_grad_()
            b.grad = v.grad = None
            y = f(x)
            edges = [None if n is None else type(n).__name__ for n, _ in y.grad_fn.next_functions]
            yd, w = _weights(y, lib)
            failed = _error(lambda: (yd * w).sum().backward())
            grads = [_describe(t.grad) for t in (x, b, v)]
            out.append((_describe(y), _node(y), edges, failed, grads))
        return out

    _same(program, torch_ref)


def test_sampled_addmm_and_its_gradients(torch_ref):
    def program(lib):
        out = []
        for batch in ((), (2,)):
            d = _dense(lib, batch)
            x = d.to_sparse_csr().requires_grad_()
            # (whole numbers: sums in any order are exact)
            m1 = (lib.arange(24.0, dtype=lib.float64).reshape(4, 6) % 5 - 2).expand(*batch, 4, 6)
            m1 = m1.clone().requires_grad_()
            m2 = (lib.arange(36.0, dtype=lib.float64).reshape(6, 6) % 7 - 3).expand(*batch, 6, 6)
            m2 = m2.clone().requires_grad_()
            for beta, alpha in ((1.0, 1.0), (0.5, 2.0), (0.0, -1.0)):
                for through_values in (False, True):
                    x.grad = m1.grad = m2.grad = None
                    y = lib.sparse.sampled_addmm(x, m1, m2, beta=beta, alpha=alpha)
                    yd, w = _weights(y.values() if through_values else y, lib)
                    failed = _error(lambda: (yd * w).sum().backward())
                    grads = [_describe(t.grad) for t in (x, m1, m2)]
                    out.append((_describe(y), _node(y), failed, grads))
        return out

    _same(program, torch_ref)


def test_what_pytorch_refuses_is_refused_with_its_error(torch_ref):
    def program(lib):
        d, b = _matrix(lib)
        x = d.to_sparse_csr()
        out = [
            _error(lambda: x.exp()),
            _error(lambda: x.sigmoid()),
            _error(lambda: x / 2),
            repr(x * lib.full((3, 3), 2.0, dtype=lib.float64)),
            repr(x * lib.tensor(3.0, dtype=lib.float64)),
            _error(lambda: x * lib.ones(3, dtype=lib.float64)),
            _error(lambda: lib.ones(2, 2, 2).to_sparse_csr(dense_dim=2)),
            _error(lambda: x.is_contiguous()),
            _error(lambda: lib.mm(x, lib.ones(4, 2, dtype=lib.float64))),
            _error(lambda: lib.sparse.mm(x, lib.ones(4, 2, dtype=lib.float64), "sum")),
            _error(lambda: lib.sparse.mm(x, b, "prod")),
            _error(lambda: lib.sparse.mm(d, b, "sum")),
            _error(lambda: lib.sparse.mm(d.to_sparse(), b, "sum")),
            _error(lambda: lib.sparse.mm(d.to_sparse_csc(), b, "sum")),
            _error(lambda: lib.sparse.sampled_addmm(d, b, b.t())),
            _error(lambda: lib.sparse.sampled_addmm(d.to_sparse_csc(), b, b.t())),
            _error(lambda: lib.sparse.sampled_addmm(x, b, lib.ones(3, 3, dtype=lib.float64))),
            _error(lambda: lib.sparse.sampled_addmm(x, lib.ones(2, 2, dtype=lib.float64), b.t())),
            _error(lambda: lib.sparse.sampled_addmm(x, b, b.t().float())),
            _error(lambda: lib.addmm(x, b, b.t())),
            _error(lambda: lib.mm(x, b.float())),
            _error(lambda: lib.mm(b.t().float(), x)),
            _error(lambda: x @ b.float()),
            _error(lambda: lib.sparse.mm(x, b.float())),
            _error(lambda: lib.sparse.mm(x, b.float(), "sum")),
            _error(lambda: lib.addmm(lib.ones(3, 2), x, b.float())),
            (x.sum().item(), repr(x.float()), repr(x.to(lib.float32).double())),
            _error(lambda: d.to_sparse_csr(dense_dim=1)),
            _error(lambda: lib.ones(3).to_sparse_csr()),
        ]
        for name in ("sin", "tanh", "sqrt", "atan", "expm1", "sgn"):
            y = getattr(d.to_sparse_csr().requires_grad_(), name)()
            out.append((_node(y), _error(lambda: y.to_dense().sum().backward())))
        return out

    _same(program, torch_ref)


def test_gradients_agree_with_finite_differences():
    """The dense operands' gradients of each product, by gradcheck in float64 (a compressed
    operand held constant); the compressed one's by differences of its values."""
    adj = _dense(retrograd).to_sparse_csr()
    m = retrograd.randn(6, 3, dtype=retrograd.float64, requires_grad=True)
    m1 = retrograd.randn(4, 5, dtype=retrograd.float64, requires_grad=True)
    m2 = retrograd.randn(5, 6, dtype=retrograd.float64, requires_grad=True)
    for f, inputs in (
        (lambda m: adj @ m, (m,)),
        (lambda m: retrograd.sparse.mm(adj, m), (m,)),
        (lambda m: retrograd.sparse.mm(adj, m, "mean"), (m,)),
        (lambda m: retrograd.sparse.mm(adj, m, "amax"), (m,)),
        (lambda a, b: retrograd.sparse.sampled_addmm(adj, a, b, alpha=0.5).values(), (m1, m2)),
    ):
        assert retrograd.autograd.gradcheck(f, inputs)
    vals = adj.values()
    for reduce in ("sum", "mean", "amin"):

        def of_values(v, reduce=reduce):
            x = retrograd.sparse_csr_tensor(adj.crow_indices(), adj.col_indices(), v, adj.shape)
            x.requires_grad_()
            y = retrograd.sparse.mm(x, m.detach(), reduce)
            return x, y

        x, y = of_values(vals.clone())
        w = retrograd.randn(*y.shape, dtype=retrograd.float64)
        (y * w).sum().backward()
        eps, numeric = 1e-6, []
        for i in range(vals.numel()):
            up, down = vals.clone(), vals.clone()
            up[i] += eps
            down[i] -= eps
            hi = (of_values(up)[1] * w).sum().item()
            lo = (of_values(down)[1] * w).sum().item()
            numeric.append((hi - lo) / (2 * eps))
        assert np.allclose(x.grad.values().numpy(), numeric, atol=1e-6)


def test_a_gradient_of_a_gradient_is_refused():
    x = _dense(retrograd).to_sparse_csr().requires_grad_()
    m = retrograd.randn(6, 2, dtype=retrograd.float64, requires_grad=True)
    for y, wrt in (
        (retrograd.sparse.mm(x, m, "sum").sum(), m),
        (retrograd.sparse.mm(x, m).sum(), x),
        (x.relu().to_dense().sum(), x),
    ):
        with pytest.raises(NotImplementedError, match="create_graph"):
            retrograd.autograd.grad(y, wrt, create_graph=True)
    # (a product's own gradients are made of recorded ops: a second derivative is PyTorch's)
    y = (x @ m).pow(2).sum()
    (gm,) = retrograd.autograd.grad(y, m, create_graph=True)
    assert gm.grad_fn is not None


def test_what_is_not_built_says_so():
    d = _dense(retrograd, (2,))
    x = d.to_sparse_csr()
    with pytest.raises(NotImplementedError, match="sparse_csr"):
        x.sum(0)
    with pytest.raises(NotImplementedError, match="not built"):
        x @ retrograd.ones(6, 2, dtype=retrograd.float64)
    with pytest.raises(NotImplementedError, match="not built"):
        d[0].to_sparse_csr() @ d[0].to_sparse_csr().t()
    with pytest.raises(NotImplementedError, match="not built"):
        d.requires_grad_().to_sparse_csr()


def test_compressed_tensor_sizes_read_from_its_values(torch_ref):
    def program(lib):
        c = lib.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=lib.float64).to_sparse_csr()
        return c.itemsize, c.element_size(), len(c), c.is_floating_point(), str(c.dtype)

    assert program(retrograd) == program(torch_ref)


def test_a_products_second_derivative_is_pytorchs(torch_ref):
    """The dense operand's gradient of a CSR product is made of recorded ops: differentiated
    again, the same node and the same values as PyTorch's."""

    def program(lib):
        x = _dense(lib).to_sparse_csr()
        m = lib.tensor(np.linspace(-1, 1, 12).reshape(6, 2), requires_grad=True)
        (gm,) = lib.autograd.grad((x @ m).pow(2).sum(), m, create_graph=True)
        (ggm,) = lib.autograd.grad((gm * gm).sum(), m)
        return gm.grad_fn.name(), gm.tolist(), ggm.tolist()

    ours, theirs = program(retrograd), program(torch_ref)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1:], theirs[1:], rtol=1e-12)
