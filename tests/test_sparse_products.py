"""Products and softmax with sparse COO operands: a dense tensor's own mm, mv, matmul and addmm taking a
sparse one, torch.sparse.addmm, products of two sparse matrices (torch.mm, @,
torch.sparse.mm), and every shape, dtype and layout error of mm, mv, matmul and
torch.sparse.mm; torch.sparse.softmax and log_softmax -- values, layouts, node names and gradients, each program run on retrograd and
on PyTorch."""

import numpy as np
import pytest
from test_sparse_autograd import _describe, _error, _grad_out, _leaf, _node
from test_sparse_coo import _run, _same

import retrograd


def _entries(t):
    """A sparse tensor as its parts (indices and values as stored, coalesced or not), a dense
    one as its values (a zero's sign aside: BLAS's products of zeros differ from NumPy's)."""
    if t is None:
        return None
    if not t.is_sparse:
        return (str(t.dtype), t.detach().tolist(), _node(t))
    return ("sparse", t.is_coalesced(), t._indices().tolist(), t._values().tolist(), _node(t))


def _edges(t):
    return [None if n is None else _node(n) for n, _ in t.grad_fn.next_functions]


def _matrices(lib):
    """A sparse 2 x 3 leaf with a repeated index, a dense 2 x 2, a dense 3 x 2 and vectors."""
    d = (lib.arange(4.0, dtype=lib.float64).reshape(2, 2) - 1).requires_grad_()
    w = (lib.arange(6.0, dtype=lib.float64).reshape(3, 2) / 3).requires_grad_()
    u = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
    sv = lib.sparse_coo_tensor([[2, 0, 2]], lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64), (3,))
    return _leaf(lib), d, w, u, sv.requires_grad_()


def test_a_dense_tensors_methods_take_a_sparse_operand(torch_ref):
    def program(lib):
        L, d, w, u, sv = _matrices(lib)
        out = []
        for f, wrt in (
            (lambda: d.mm(L), (d, L)),
            (lambda: lib.mm(d, L), (d, L)),
            (lambda: d.matmul(L), (d, L)),
            (lambda: d @ L, (d, L)),
            (lambda: u @ L, (u, L)),
            (lambda: u.matmul(L), (u, L)),
            (lambda: lib.matmul(u, L), (u, L)),
            (lambda: w.t().mv(sv), (w, sv)),
            (lambda: lib.mv(w.t(), sv), (w, sv)),
            (lambda: w.t() @ sv, (w, sv)),
            (lambda: sv @ w, (sv, w)),
            (lambda: lib.addmm(d, L, w), (d, L, w)),
            (lambda: d.addmm(L, w, beta=2, alpha=3), (d, L, w)),
            (lambda: lib.addmm(u[:1], L, w, beta=0.5), (u, L, w)),
            (lambda: lib.addmm(d, L, w, beta=0), (d, L, w)),
            (lambda: (d * 1).addmm_(L, w, beta=2, alpha=3), (d, L, w)),
            (lambda: lib.sparse.addmm(d, L, w, beta=2, alpha=3), (d, L, w)),
            (lambda: lib.sparse.addmm(u[:1], L, w), (u, L, w)),
        ):
            r = f()
            grads = lib.autograd.grad(r, wrt, _grad_out(lib, *r.shape), allow_unused=True)
            out.append((_entries(r), r.stride(), _edges(r), [_entries(g) for g in grads]))
        return out

    _same(program, torch_ref)


def test_matmul_folds_a_dense_batch_against_a_sparse_matrix(torch_ref):
    def program(lib):
        L, d, w, u, sv = _matrices(lib)
        batch = lib.arange(8.0, dtype=lib.float64).reshape(2, 2, 2).requires_grad_()
        columns = lib.arange(12.0, dtype=lib.float64).reshape(2, 3, 2).requires_grad_()
        out = []
        for f, wrt in (
            (lambda: batch @ L, (batch, L)),
            (lambda: L @ columns, (L, columns)),
            (lambda: L.matmul(columns), (L, columns)),
            (lambda: lib.ones(2, 2, 3, dtype=lib.float64) @ sv, (sv,)),
        ):
            r = f()
            grads = lib.autograd.grad(r, wrt, _grad_out(lib, *r.shape))
            out.append((_entries(r), _edges(r), [_entries(g) for g in grads]))
        return out

    _same(program, torch_ref)


def _sparse_pair(lib, coalesced=False):
    """Sparse 2 x 3 and 3 x 2 leaves (repeated indices unless coalesced) whose product has an
    explicit zero where terms cancel."""
    a = lib.sparse_coo_tensor(
        [[0, 1, 1, 0, 1], [2, 0, 2, 2, 1]],
        lib.tensor([1.0, 2.0, 3.0, 4.0, -1.0], dtype=lib.float64),
        (2, 3),
    )
    b = lib.sparse_coo_tensor(
        [[2, 0, 1, 2, 1], [1, 0, 1, 1, 0]],
        lib.tensor([5.0, 6.0, 7.0, 8.0, 12.0], dtype=lib.float64),
        (3, 2),
    )
    if coalesced:
        a, b = a.coalesce(), b.coalesce()
    return a.requires_grad_(), b.requires_grad_()


@pytest.mark.parametrize("coalesced", [False, True])
def test_products_of_two_sparse_matrices(torch_ref, coalesced):
    """A sparse, coalesced result (a sum that cancels stays an entry); torch.mm's gradients are
    the products (sparse for a sparse incoming gradient, dense for a dense one), torch.sparse.mm's
    the products' entries, zero where the factor has none."""

    def program(lib):
        out = []
        dense_g = _grad_out(lib, 2, 2)
        uncoalesced_g = lib.sparse_coo_tensor(
            [[1, 1, 0], [0, 0, 1]], lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64), (2, 2)
        )
        for name, f in (
            ("mm", lambda a, b: lib.mm(a, b)),
            ("method", lambda a, b: a.mm(b)),
            ("@", lambda a, b: a @ b),
            ("matmul", lambda a, b: lib.matmul(a, b)),
            ("sparse.mm", lambda a, b: lib.sparse.mm(a, b)),
        ):
            a, b = _sparse_pair(lib, coalesced)
            r = f(a, b)
            row = [name, _entries(r), _edges(r)]
            for g in (dense_g.to_sparse(), uncoalesced_g, None, dense_g):
                a, b = _sparse_pair(lib, coalesced)
                r = f(a, b)
                try:
                    if g is None:  # (to_dense's masked gradient: the product's entries)
                        grads = lib.autograd.grad(r.to_dense().sum(), (a, b))
                    else:
                        grads = lib.autograd.grad(r, (a, b), g)
                    row.append([_entries(x) for x in grads])
                except RuntimeError as e:
                    row.append(str(e).split("\n")[0][:60])
            out.append(row)
        return out

    _same(program, torch_ref)


def test_sparse_products_of_edge_cases(torch_ref):
    def program(lib):
        f64 = lib.float64
        b = lib.sparse_coo_tensor([[2, 0, 1], [1, 0, 0]], lib.tensor([5.0, 6.0, 7.0]), (3, 2))
        out = []
        for a in (
            lib.sparse_coo_tensor([[0], [0]], lib.tensor([1.0]), (2, 3)),
            lib.sparse_coo_tensor(lib.zeros(2, 0, dtype=lib.long), lib.zeros(0), (2, 3)),
            lib.sparse_coo_tensor([[0, 1], [1, 2]], lib.tensor([0.0, 2.0]), (2, 3)),
        ):
            out.append(_entries(lib.mm(a, b)))
        rng = np.random.default_rng(0)
        for dtype in (lib.float32, lib.complex64, f64):
            x = lib.tensor(rng.standard_normal((6, 5)) * (rng.random((6, 5)) < 0.5)).to(dtype)
            y = lib.tensor(rng.standard_normal((5, 4)) * (rng.random((5, 4)) < 0.5)).to(dtype)
            p = lib.mm(x.to_sparse(), y.to_sparse())
            # (a sparse times a dense matrix: PyTorch adds each term with a fused multiply-add,
            # NumPy rounds the product first)
            q = lib.mm(x.to_sparse(), y)
            close = (lib.allclose(q, x @ y), lib.allclose(x @ y.to_sparse(), x @ y))
            out.append((_entries(p), str(q.dtype), close))
        return out

    _same(program, torch_ref)


def _operands(lib):
    f64 = lib.float64
    coo = lib.sparse_coo_tensor
    return {
        "S": coo([[0, 1], [2, 0]], lib.tensor([1.0, 2.0], dtype=f64), (2, 3)),
        "Sf": coo([[0, 1], [2, 0]], lib.tensor([1.0, 2.0]), (2, 3)),
        "Si": coo([[0, 1], [2, 0]], lib.tensor([1, 2]), (2, 3)),
        "Sc": coo([[0, 1], [2, 0]], lib.tensor([1.0, 2j]), (2, 3)),
        "Sb": coo([[0], [1]], lib.tensor([True]), (2, 3)),
        "Sh": coo([[0], [1]], lib.tensor([1.0], dtype=lib.float16), (2, 3)),
        "S1": coo([[0, 2]], lib.tensor([1.0, 2.0], dtype=f64), (3,)),
        "S1f": coo([[0, 2]], lib.tensor([1.0, 2.0]), (3,)),
        "S3": coo([[0, 1], [2, 0], [1, 1]], lib.tensor([1.0, 2.0], dtype=f64), (2, 3, 2)),
        "H": coo([[0, 1]], lib.ones(2, 3, dtype=f64), (2, 3)),
        "H2": coo([[0, 1], [0, 1]], lib.ones(2, 3, dtype=f64), (2, 3, 3)),
        "Hv": coo(lib.zeros(0, 1, dtype=lib.long), lib.ones(1, 3, dtype=f64), (3,)),
        "T": coo([[2, 0], [1, 0]], lib.tensor([1.0, 2.0], dtype=f64), (3, 2)),
        "Tf": coo([[2, 0], [1, 0]], lib.tensor([1.0, 2.0]), (3, 2)),
        "Ti": coo([[2, 0], [1, 0]], lib.tensor([1, 2]), (3, 2)),
        "Tc": coo([[2, 0], [1, 0]], lib.tensor([1.0, 2.0], dtype=lib.complex64), (3, 2)),
        "Tb": coo([[0], [1]], lib.tensor([True]), (3, 2)),
        "Th": coo([[0], [1]], lib.tensor([1.0], dtype=lib.float16), (3, 2)),
        "W": lib.ones(3, 2, dtype=f64),
        "Wt": lib.ones(2, 3, dtype=f64),
        "Wf": lib.ones(3, 2),
        "Wi": lib.ones(3, 2, dtype=lib.long),
        "Wc": lib.ones(3, 2, dtype=lib.complex64),
        "Wb": lib.ones(3, 2, dtype=lib.bool),
        "Wh": lib.ones(3, 2, dtype=lib.float16),
        "W3": lib.ones(1, 3, 2, dtype=f64),
        "W0": lib.tensor(1.0, dtype=f64),
        "v": lib.ones(3, dtype=f64),
        "vf": lib.ones(3),
        "v2": lib.ones(2, dtype=f64),
        "D": lib.ones(2, 2, dtype=f64),
        "Df": lib.ones(2, 2),
        "D3": lib.ones(1, 2, 2, dtype=f64),
        "D3t": lib.ones(2, 2, 1, dtype=f64).mT,
        "list": [[1.0]],
        "None": None,
    }


_PAIRS = (
    "S,W S,Wt S,v S,W3 S,W0 S,Wf S,Wi Si,Wi Sf,W Sc,W Sc,Wc Sb,Wb Sh,Wh S1,W S1,v S3,W H,W H,v "
    "H2,W D,S Wt,S Df,S v2,S v,S D3,S D3t,S D,S1 Wt,S1 Wt,S1f W,S1 D,S3 D,H Wt,Hv D,Sf Wi,Si "
    "S,T S,S S,Tf Si,Ti S,S1 S1,S S3,T S,H H,T Sc,Tc Sb,Tb Sh,Th S3,S3 S3,v v,S3 "
    "S,list list,S S,None"
).split()

_PRODUCTS = {
    "mm": lambda lib, a, b: lib.mm(a, b),
    "method mm": lambda lib, a, b: a.mm(b),
    "sparse.mm": lambda lib, a, b: lib.sparse.mm(a, b),
    "matmul": lambda lib, a, b: lib.matmul(a, b),
    "method matmul": lambda lib, a, b: a.matmul(b),
    "@": lambda lib, a, b: a @ b,
    "mv": lambda lib, a, b: lib.mv(a, b),
    "method mv": lambda lib, a, b: a.mv(b),
}


@pytest.mark.parametrize("product", list(_PRODUCTS))
def test_product_errors_are_pytorchs(torch_ref, product):
    """Each pair of operands (sparse and dense matrices, vectors, batches, hybrid tensors, every
    dtype) gives PyTorch's result kind or its exception type and text."""
    fn = _PRODUCTS[product]

    def program(lib):
        ops = _operands(lib)
        out = []
        for pair in _PAIRS:
            a, b = (ops[name] for name in pair.split(","))
            if product.startswith("method") and not hasattr(a, "mm"):
                continue
            try:
                r = fn(lib, a, b)
                out.append((pair, str(r.layout), tuple(r.shape), str(r.dtype)))
            except (RuntimeError, IndexError, TypeError, NotImplementedError) as e:
                out.append((pair, _error(lambda e=e: (_ for _ in ()).throw(e))))
        return out

    ours, theirs = _run(__import__("retrograd"), program), _run(torch_ref, program)
    for mine, pytorchs in zip(ours, theirs):
        if mine[0] in ("S,list", "list,S", "S,None") and product == "@":
            continue  # (Python names the operand's class: SparseCOOTensor, not Tensor)
        if mine[0] in ("Sb,Wb",) and product.endswith("mv"):
            continue
        assert mine == pytorchs


def test_addmm_errors_are_pytorchs(torch_ref):
    def program(lib):
        ops = _operands(lib)
        S, W, D = ops["S"], ops["W"], ops["D"]
        return [
            _error(lambda: lib.addmm(D.to_sparse(), S, W)),
            _error(lambda: S.addmm(S, W)),
            _error(lambda: lib.addmm(D, ops["Wt"], S)),
            _error(lambda: lib.addmm(D, S, ops["T"])),
            _error(lambda: lib.addmm(D, S, ops["Wf"])),
            _error(lambda: lib.addmm(ops["Df"], S, W)),
            _error(lambda: lib.addmm(lib.ones(3, dtype=lib.float64), S, W)),
            _error(lambda: lib.addmm(D, S, ops["D"])),
            _error(lambda: lib.sparse.addmm(D.to_sparse(), S, W)),
            _error(lambda: lib.sparse.addmm(D, S, ops["T"])),
            _error(lambda: lib.addmv(ops["v2"], S, ops["v"])),
            _error(lambda: lib.bmm(lib.ones(1, 2, 3, dtype=lib.float64), ops["S3"])),
            lib.sparse.addmm(D, ops["Wt"], W).tolist(),
        ]

    _same(program, torch_ref)


def test_backward_errors_of_sparse_products(torch_ref):
    """Incoming gradients PyTorch's product formulas refuse: a sparse one through
    torch.sparse.mm or mv, a dense one through torch.sparse.mm of two sparse matrices."""

    def program(lib):
        L, d, w, u, sv = _matrices(lib)
        g2 = lib.tensor([[0.0, 1.0], [2.0, 0.0]], dtype=lib.float64)
        g3 = lib.tensor([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]], dtype=lib.float64)
        a, b = _sparse_pair(lib)
        out = []
        for r, wrt, g in (
            (lib.sparse.mm(L, w), (L, w), g2.to_sparse()),
            (lib.sparse.mm(d, L), (d, L), g3.to_sparse()),
            (lib.mv(L, w[:, 0]), (L, w), lib.tensor([0.0, 2.0], dtype=lib.float64).to_sparse()),
            (lib.sparse.mm(a, b), (a, b), g2),
            (lib.mm(L, w), (L, w), g2.to_sparse()),
            (lib.mm(d, L), (d, L), g3.to_sparse()),
        ):
            try:
                out.append([_entries(x) for x in lib.autograd.grad(r, wrt, g)])
            except RuntimeError as e:
                out.append(str(e).split("\n")[0][:60])
        return out

    _same(program, torch_ref)


def test_gradients_of_gradients_through_sparse_products(torch_ref):
    def program(lib):
        out = []
        for product in (lib.mm, lib.sparse.mm):
            a, b = _sparse_pair(lib, coalesced=True)
            r = product(a, b)
            (ga,) = lib.autograd.grad(r, a, _grad_out(lib, 2, 2).to_sparse(), create_graph=True)
            second = lib.autograd.grad(ga.to_dense().pow(2).sum(), b)
            out.append((_entries(ga), [_entries(x) for x in second]))
        L, d, w, u, sv = _matrices(lib)
        (g,) = lib.autograd.grad(lib.addmm(d, L, w).pow(2).sum(), w, create_graph=True)
        out.append((_describe(g), [_entries(x) for x in lib.autograd.grad(g.sum(), [d, L])]))
        return out

    _same(program, torch_ref)


def test_sparse_mask_of_a_sparse_tensor(torch_ref):
    def program(lib):
        f64 = lib.float64
        s = lib.sparse_coo_tensor(
            [[0, 1, 0], [2, 0, 2]], lib.tensor([1.0, 2.0, 3.0], dtype=f64), (2, 3)
        )
        m = lib.sparse_coo_tensor([[1, 0, 1], [1, 2, 0]], lib.tensor([9.0, 9.0, 9.0]), (2, 3))
        out = []
        for a, b in ((s, m), (s.coalesce(), m.coalesce()), (s.coalesce(), m), (s, m.coalesce())):
            a = a.detach().requires_grad_()
            r = a.sparse_mask(b)
            g = lib.autograd.grad(r, a, _grad_out(lib, 2, 3).to_sparse())[0]
            out.append((_entries(r), _entries(g)))
        out.append(_error(lambda: s.sparse_mask(m.t())))
        return out

    _same(program, torch_ref)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_sparse_softmax_over_the_specified_elements(torch_ref, name):
    """Over each group of entries along a sparse dim (unspecified elements left out), along the
    values for a dense one; a sparse gradient at the result's entries (PyTorch's, whose
    gradient for a dim counted from the end takes each element on its own); PyTorch's errors."""

    def program(lib):
        f64 = lib.float64
        f = getattr(lib.sparse, name)
        L = _leaf(lib)
        H = lib.sparse_coo_tensor(
            [[0, 2]], lib.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=f64), (3, 2), requires_grad=True
        )
        S3 = lib.sparse_coo_tensor(
            [[0, 1, 1], [2, 0, 0], [1, 1, 0]],
            lib.tensor([1.0, 2.0, 3.0], dtype=f64),
            (2, 3, 2),
            requires_grad=True,
        )
        out = []
        for x, dims in ((L, (0, 1, -1, -2)), (H, (0, 1, -1)), (S3, (0, 1, 2))):
            for dim in dims:
                r = f(x, dim)
                (g,) = lib.autograd.grad(r.to_dense().pow(2).sum(), x)
                out.append((_entries(r), _entries(g)))
        r = f(L, 1)
        out.append(_error(lambda: lib.autograd.grad(r, L, lib.ones(2, 3, dtype=f64))))
        (g,) = lib.autograd.grad(f(L, 1).to_dense().pow(2).sum(), L, create_graph=True)
        out.append((_entries(g), _error(lambda: lib.autograd.grad(g.to_dense().sum(), L))))
        out.append(_entries(f(L.detach(), 0, lib.float32)))
        empty = lib.sparse_coo_tensor(lib.zeros(2, 0, dtype=lib.long), lib.zeros(0), (2, 3))
        out.append(_entries(f(empty, 1)))
        out.append(_error(lambda: f(L, 2)))
        out.append(_error(lambda: f(L.detach().to_dense(), 0)))
        out.append(_error(lambda: f(lib.sparse_coo_tensor([[0, 1]], lib.tensor([1, 2]), (3,)), 0)))
        out.append(_error(lambda: getattr(L.detach(), name)(0)))
        return out

    _same(program, torch_ref)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex128"])
def test_sparse_times_dense_sums_each_row_in_entry_order(torch_ref, dtype):
    """``spmm`` (mm by another name) of an uncoalesced matrix whose entries come in no row order,
    with repeated entries: each output row is the sum of its entries' products in the order
    they are stored (bit for bit the sums of ``np.add.at``), and PyTorch's values.  (PyTorch adds
    each product with a fused multiply-add, which NumPy has none of: the last bits of float
    sums differ.)"""
    rng = np.random.default_rng(7)
    rows, cols = rng.integers(0, 30, 400), rng.integers(0, 40, 400)
    vals = rng.standard_normal(400) * 3
    dense = rng.standard_normal((40, 5)) * 3
    if dtype == "int64":
        vals, dense = vals.round(), dense.round()
    elif dtype == "complex128":
        vals, dense = vals + 1j * vals[::-1], dense - 2j * dense

    def program(lib):
        kind = getattr(lib, dtype)
        s = lib.sparse_coo_tensor(lib.tensor(np.stack([rows, cols])), lib.tensor(vals), (30, 40))
        s, d = s.to(kind), lib.tensor(dense).to(kind)
        return lib.spmm(s, d), lib.dsmm(s, d), lib.mm(s.coalesce(), d), s.coalesce()

    *ours, coalesced = program(retrograd)
    *theirs, _ = program(torch_ref)
    np_vals, np_dense = ours[0].numpy().dtype.type(vals), dense.astype(ours[0].numpy().dtype)
    in_order = np.zeros((30, 5), np_dense.dtype)
    np.add.at(in_order, rows, np_vals.astype(np_dense.dtype)[:, None] * np_dense[cols])
    by_row = np.zeros_like(in_order)
    (r, c), v = coalesced.indices().numpy(), coalesced.values().numpy()
    np.add.at(by_row, r, v[:, None] * np_dense[c])
    for a, b, sums in zip(ours, theirs, (in_order, in_order, by_row)):
        assert str(a.dtype) == str(b.dtype)
        assert np.array_equal(a.numpy(), sums)
        tol = {"float32": 1e-5, "int64": 0}.get(dtype, 1e-12)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol)


SPARSE_RESULT_CALLS = [
    "torch.smm(s, d)",
    "torch.hspmm(s, d)",
    "torch.hsmm(s, d)",
    "torch.sspaddmm(x, s, d)",
    "torch.sspaddmm(x, s, d, beta=2, alpha=3)",
    "torch.saddmm(x, s, d)",
    "s.smm(d)",
    "x.sspaddmm(s, d)",
    "s.sspaddmm(s, d)",
    "torch.smm(s, d).is_coalesced()",
    "torch.smm(d, d)",
    "torch.hspmm(d, d)",
    "torch.resize_as_sparse_(torch.sparse_coo_tensor(i, v, (2, 3)), x3)",
    "torch.indices_copy(s)",
    "torch.values_copy(s)",
    "torch.indices_copy(d)",
    "torch.crow_indices_copy(c)",
    "torch.col_indices_copy(c)",
    "torch.ccol_indices_copy(c)",
    "torch.ccol_indices_copy(cc)",
    "torch.row_indices_copy(cc)",
    "torch.crow_indices_copy(d)",
]


@pytest.mark.parametrize("call", SPARSE_RESULT_CALLS)
def test_products_with_a_sparse_result_and_part_copies(torch_ref, call):
    """smm, hspmm and sspaddmm keep the dense product's rows that the sparse factor has entries
    in, as sparse tensors (hspmm's rows dense values), printed as PyTorch prints them; the
    copies of a sparse tensor's parts, and what PyTorch's CPU build refuses of them."""

    def outcome(lib):
        i, v = lib.tensor([[0, 1, 1], [2, 0, 2]]), lib.tensor([3.0, 4.0, 5.0])
        s = lib.sparse_coo_tensor(i, v, (2, 3))
        names = {
            "torch": lib,
            "i": i,
            "v": v,
            "s": s,
            "d": lib.arange(6.0).reshape(3, 2) / 7,
            "x": lib.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2)),
            "x3": lib.sparse_coo_tensor(i, v, (3, 4)),
            "c": s.to_dense().to_sparse_csr(),
            "cc": s.to_dense().to_sparse_csc(),
        }
        try:
            return repr(eval(call, names))  # noqa: S307 - the calls above, on either library
        except Exception as e:  # (PyTorch's no-kernel text goes on to list its backends)
            return type(e).__name__, str(e).split(" If you are a Facebook employee")[0]

    assert outcome(retrograd) == outcome(torch_ref)


@pytest.mark.parametrize(
    "call", ["torch.smm(s, d)", "torch.hspmm(s, d)", "torch.sspaddmm(x, s, d)"]
)
def test_products_with_a_sparse_result_have_no_derivative(torch_ref, call):
    def outcome(lib):
        s = lib.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [3.0, 4.0, 5.0], (2, 3))
        x = lib.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2))
        d = (lib.arange(6.0).reshape(3, 2) / 7).requires_grad_()
        r = eval(call, {"torch": lib, "s": s.requires_grad_(), "x": x, "d": d})  # noqa: S307
        try:
            r.to_dense().sum().backward()
            raised = None
        except RuntimeError as e:
            raised = str(e)
        return r.grad_fn.name(), r.requires_grad, raised

    assert outcome(retrograd) == outcome(torch_ref)
