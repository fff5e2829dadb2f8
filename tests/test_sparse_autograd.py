"""Autograd through sparse COO tensors: to_sparse, to_dense (masked_grad), sum and
torch.sparse.sum, coalesce, values, t, sparse_mask, sparse_coo_tensor of values that require grad,
mm and torch.sparse.mm, sparse sums and multiples -- node names, gradients (values and layouts)
and errors, each program run on retrograd and on PyTorch; gradcheck in float64 with PyTorch's
masked semantics."""

import numpy as np
import pytest
from test_sparse_coo import _run, _same

import retrograd


def _describe(t):
    """What a test compares of a tensor: layout, repr (indices, values, nnz, grad_fn), values."""
    if t is None:
        return None
    dense = t.to_dense() if t.is_sparse else t
    return (str(t.layout), repr(t), dense.detach().tolist())


def _node(t):
    """The name of a tensor's grad_fn, or of a node."""
    node = getattr(t, "grad_fn", t)
    return None if node is None else node.name().rpartition("::")[2]


def _error(fn):
    try:
        fn()
    except Exception as e:  # (the type and text are what the test compares)
        return type(e).__name__, str(e).split("\n")[0][:120]
    return None


def _leaf(lib, coalesced=False):
    """A 2 x 3 sparse leaf with a repeated index (uncoalesced) or without."""
    if coalesced:
        i, v = [[0, 1, 1], [2, 0, 2]], [1.5, -2.0, 3.0]
    else:
        i, v = [[0, 1, 1, 0], [2, 0, 2, 2]], [1.0, 2.0, 3.0, 4.0]
    return lib.sparse_coo_tensor(i, lib.tensor(v, dtype=lib.float64), (2, 3), requires_grad=True)


def _dense_leaf(lib):
    return lib.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]], dtype=lib.float64, requires_grad=True)


def _grad_out(lib, *shape):
    return lib.arange(float(np.prod(shape)), dtype=lib.float64).reshape(shape) - 2


def test_to_sparse_node_and_its_dense_gradient(torch_ref):
    def program(lib):
        x = _dense_leaf(lib)
        out = []
        for make in (
            lambda: x.to_sparse(),
            lambda: x.to_sparse(1),
            lambda: x.to_sparse(sparse_dim=2),
            lambda: x.to_sparse(layout=lib.sparse_coo),
            lambda: x.to_sparse_coo(),
        ):
            s = make()
            dense_g = lib.autograd.grad(s, x, _grad_out(lib, 2, 3))[0]
            sparse_g = lib.autograd.grad(make(), x, _grad_out(lib, 2, 3).to_sparse())[0]
            out.append((repr(s), _node(s), s.is_leaf, _describe(dense_g), _describe(sparse_g)))
        with lib.no_grad():
            out.append(x.to_sparse().grad_fn)
        out.append(_error(lambda: x.to_sparse(3)))
        out.append(_error(lambda: x.to_sparse(0)))
        xc = lib.tensor([[0, 1 + 2j], [3, 0]], dtype=lib.complex128, requires_grad=True)
        out.append(_error(lambda: xc.to_sparse()))
        out.append(_error(lambda: xc.to_sparse(1)))
        out.append(_error(lambda: x.to_sparse().to_sparse(1)))
        return out

    _same(program, torch_ref)


@pytest.mark.parametrize("coalesced", [False, True])
def test_to_dense_gradient_is_masked_or_not(torch_ref, coalesced):
    def program(lib):
        L = _leaf(lib, coalesced)
        d = L.to_dense()
        out = [_describe(d), _node(d)]
        (g,) = lib.autograd.grad(d, L, _grad_out(lib, 2, 3))
        out += [_describe(g), g.is_coalesced()]
        g_zeros = lib.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 5.0]], dtype=lib.float64)
        (g,) = lib.autograd.grad(L.to_dense(masked_grad=False), L, g_zeros)
        out.append(_describe(g))
        out.append(_error(lambda: L.to_dense(lib.float32)))
        x = _dense_leaf(lib)
        (g,) = lib.autograd.grad(x.to_sparse().to_dense(), x, _grad_out(lib, 2, 3))
        out.append(_describe(g))
        return out

    _same(program, torch_ref)


def test_hybrid_tensor_gradients(torch_ref):
    def program(lib):
        values = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
        H = lib.sparse_coo_tensor([[0, 2]], values, (3, 2), requires_grad=True)
        out = []
        out.append(_describe(lib.autograd.grad(H.to_dense(), H, _grad_out(lib, 3, 2))[0]))
        zeros = lib.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]], dtype=lib.float64)
        out.append(_describe(lib.autograd.grad(H.to_dense(masked_grad=False), H, zeros)[0]))
        s1 = lib.sparse.sum(H, 1)
        out.append((_describe(s1), _node(s1)))
        g1 = lib.tensor([5.0, 6.0, 7.0], dtype=lib.float64)
        out.append(_describe(lib.autograd.grad(s1.to_dense(), H, g1)[0]))
        s0 = lib.sparse.sum(H, 0)
        out.append((_describe(s0), _node(s0)))
        g0 = lib.tensor([5.0, 6.0], dtype=lib.float64)
        out.append(_describe(lib.autograd.grad(s0, H, g0)[0]))
        x = lib.tensor([[0.0, 1.0], [0.0, 0.0], [2.0, 0.0]], dtype=lib.float64, requires_grad=True)
        s = x.to_sparse(1)
        out.append(_describe(lib.autograd.grad(lib.sparse.sum(s, 1).to_dense().sum(), x)[0]))
        out.append(_error(lambda: H.t()))
        return out

    _same(program, torch_ref)


def test_sums_of_a_sparse_tensor(torch_ref):
    def program(lib):
        L = _leaf(lib)
        out = []
        total = L.sum()
        out.append((_describe(total), _node(total), _node(lib.sum(L))))
        out.append(_describe(lib.autograd.grad(total, L)[0]))
        out.append(_describe(lib.autograd.grad(L.sum(dtype=lib.float32), L)[0]))
        s = lib.sparse.sum(L)
        out.append((_describe(s), _node(s), _node(s.grad_fn.next_functions[0][0])))
        out.append(_describe(lib.autograd.grad(s, L)[0]))
        for dim in (0, 1, (0, 1), -1):
            s = lib.sparse.sum(L, dim)
            g = lib.ones(s.shape, dtype=lib.float64) * 3
            grad = lib.autograd.grad(s, L, g.to_sparse() if s.is_sparse else g)[0]
            out.append((_describe(s), _node(s), _describe(grad)))
        out.append(_node(lib.sparse.sum(L, 0, dtype=lib.float32)))
        out.append(_error(lambda: lib.sparse.sum(L, 2)))
        out.append(_error(lambda: lib.sparse.sum(L, (0, 0))))
        Lc = lib.sparse_coo_tensor(
            [[0, 1]], lib.tensor([1 + 1j, 2j], dtype=lib.complex128), (3,), requires_grad=True
        )
        out.append(_error(lambda: lib.sparse.sum(Lc, 0)))
        out.append(_node(Lc.sum()))
        empty = lib.sparse_coo_tensor(
            lib.zeros(1, 0, dtype=lib.int64), lib.zeros(0, dtype=lib.float64), (3,)
        ).requires_grad_()
        out.append(_describe(lib.autograd.grad(lib.sparse.sum(empty), empty)[0]))
        out.append(_describe(lib.autograd.grad(empty.to_dense().sum(), empty)[0]))
        ints = lib.tensor([[0, 1], [2, 0]]).to_sparse()
        out.append((_describe(lib.sparse.sum(ints)), _describe(lib.sparse.sum(ints, 0))))
        return out

    _same(program, torch_ref)


def test_coalesce_values_and_t(torch_ref):
    def program(lib):
        L = _leaf(lib)
        c = L.coalesce()
        out = [_node(c), c.coalesce() is c, _node(c.values())]
        out.append(_node(c.values().grad_fn.next_functions[0][0]))
        g = lib.tensor([10.0, 20.0, 30.0], dtype=lib.float64)
        out.append(_describe(lib.autograd.grad(L.coalesce().values(), L, g)[0]))
        out.append(_describe(lib.autograd.grad(L.coalesce().to_dense().sum(), L)[0]))
        out.append(_error(lambda: L.values()))
        out.append((L._values().requires_grad, L._values().grad_fn))
        out.append(L.coalesce().indices().requires_grad)
        t = L.t()
        out.append((_describe(t), _node(t), t.is_coalesced(), L.coalesce().t().is_coalesced()))
        out.append(_describe(lib.autograd.grad(L.t().to_dense(), L, _grad_out(lib, 3, 2))[0]))
        x = _dense_leaf(lib)
        v = x.to_sparse().values()
        out.append(_describe(lib.autograd.grad(v, x, lib.ones(3, dtype=lib.float64))[0]))
        out.append(x.to_sparse()._values().grad_fn)
        return out

    _same(program, torch_ref)


def test_sparse_mask_and_sparse_coo_tensor_of_values_that_require_grad(torch_ref):
    def program(lib):
        mask = _leaf(lib).detach()
        w = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
        m = w.sparse_mask(mask)
        out = [_describe(m), _node(m), len(m.grad_fn.next_functions)]
        out.append(_describe(lib.autograd.grad(m.to_dense().sum(), w)[0]))
        out.append(_error(lambda: lib.ones(3, dtype=lib.float64).sparse_mask(mask)))
        out.append(_error(lambda: w.sparse_mask(w)))
        out.append(str(lib.ones(2, 3, dtype=lib.int64).sparse_mask(mask).dtype))
        v = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        S = lib.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], v, (2, 3))
        out.append((_describe(S), _node(S), S.requires_grad))
        out.append(_describe(lib.autograd.grad(S.to_dense(), v, _grad_out(lib, 2, 3))[0]))
        S2 = lib.sparse_coo_tensor(lib.tensor([[0, 0]]), v[:2], (3,))
        out.append(_describe(lib.autograd.grad(S2.to_dense().sum(), v)[0]))
        S3 = lib.sparse_coo_tensor([[0, 2]], v[1:], (3,))
        out.append(_describe(lib.autograd.grad(S3.sum(), v)[0]))
        return out

    _same(program, torch_ref)


def test_products_of_a_sparse_and_a_dense_matrix(torch_ref):
    def program(lib):
        L = _leaf(lib)
        w = (lib.arange(6.0, dtype=lib.float64).reshape(3, 2) / 3).requires_grad_()
        out = []
        for name, f in (
            ("sparse.mm", lambda: lib.sparse.mm(L, w)),
            ("mm", lambda: lib.mm(L, w)),
            ("method", lambda: L.mm(w)),
            ("matmul", lambda: lib.matmul(L, w)),
            ("@", lambda: L @ w),
        ):
            r = f()
            grads = lib.autograd.grad(r, [L, w], _grad_out(lib, 2, 2))
            edges = [n is None for n, _ in r.grad_fn.next_functions]
            out.append((name, _describe(r), _node(r), edges, [_describe(g) for g in grads]))
        d = (lib.arange(4.0, dtype=lib.float64).reshape(2, 2) - 1).requires_grad_()
        for name, f in (
            ("mm dense sparse", lambda: lib.mm(d, L)),
            ("dense @", lambda: d @ L),
            ("dense matmul", lambda: d.matmul(L)),
        ):
            r = f()
            grads = lib.autograd.grad(r, [d, L], _grad_out(lib, 2, 3))
            out.append((name, _describe(r), _node(r), [_describe(g) for g in grads]))
        r = lib.sparse.mm(d, L)
        out.append((_describe(r), [_describe(g) for g in lib.autograd.grad(r.sum(), [d, L])]))
        only = lib.sparse.mm(L, w.detach())
        out.append([n is None for n, _ in only.grad_fn.next_functions])
        out.append(_error(lambda: lib.sparse.mm(L, w.float())))
        out.append(_error(lambda: lib.mm(L, w.t())))
        out.append(_error(lambda: lib.mm(L, w[:, 0])))
        return out

    _same(program, torch_ref)


def test_sum_over_dims_has_a_dense_gradient(torch_ref):
    def program(lib):
        L = _leaf(lib)
        values = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
        H = lib.sparse_coo_tensor([[0, 2]], values, (3, 2), requires_grad=True)
        out = []
        for t, dim, keepdim in (
            (L, 0, False),
            (L, -1, False),
            (L, (0, 1), False),
            (L, (0, 1), True),
            (L, 1, True),
            (L, None, True),
            (H, 1, False),
            (H, 0, False),
            (H, 0, True),
        ):
            r = t.sum(dim, keepdim)
            g = _grad_out(lib, *r.shape)
            out.append((_describe(r), _node(r), _describe(lib.autograd.grad(r, t, g)[0])))
        r = lib.sum(L, 0, dtype=lib.float32)
        out.append((_describe(r), _describe(lib.autograd.grad(r, L, lib.ones(3))[0])))
        g = lib.ones(3, dtype=lib.float64).to_sparse()
        out.append(_error(lambda: lib.autograd.grad(L.sum(0), L, g)))
        return out

    _same(program, torch_ref)


def test_matrix_vector_products_and_complex_gradients(torch_ref):
    def program(lib):
        L = _leaf(lib)
        v = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        u = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        out = []
        for f, wrt in (
            (lambda: lib.mv(L, v), (L, v)),
            (lambda: L.mv(v), (L, v)),
            (lambda: L @ v, (L, v)),
            (lambda: lib.matmul(L, v), (L, v)),
            (lambda: u @ L, (u, L)),
        ):
            r = f()
            grads = lib.autograd.grad(r, wrt, _grad_out(lib, *r.shape))
            out.append((r.tolist(), _node(r)))  # (vector @ matrix: SqueezeBackward4, in place)
            # (values: a zero's sign differs, as BLAS's products of zeros do)
            out.append([_describe(g)[2] for g in grads])
        c = lib.tensor([1 + 1j, 2 - 1j, 3j], dtype=lib.complex128)
        C = lib.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], c, (2, 3), requires_grad=True)
        w = lib.tensor([[1 + 2j, 2], [3, -1j], [0.5, 2 + 1j]], dtype=lib.complex128)
        w.requires_grad_()
        z = lib.tensor([1 + 2j, 2, 3j], dtype=lib.complex128, requires_grad=True)
        g = lib.tensor([[1 + 1j, 2], [3j, -1]], dtype=lib.complex128)
        for r, wrt, gr in (
            (lib.mm(C, w), (C, w), g),
            (lib.sparse.mm(C, w), (C, w), g),
            (lib.mv(C, z), (C, z), g[0]),
            (C.to_dense(), (C,), lib.ones(2, 3, dtype=lib.complex128) * 1j),
        ):
            out.append([_describe(x) for x in lib.autograd.grad(r, wrt, gr)])
        return out

    _same(program, torch_ref)


def test_sums_and_multiples_of_sparse_tensors_that_require_grad(torch_ref):
    def program(lib):
        def make():
            v = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
            return lib.sparse_coo_tensor([[0, 1, 0]], v, (3,), requires_grad=True)

        L = make()
        M = lib.sparse_coo_tensor(
            [[2, 1]], lib.tensor([5.0, 7.0], dtype=lib.float64), (3,), requires_grad=True
        )
        d = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        g = lib.tensor([10.0, 20.0, 30.0], dtype=lib.float64)
        out = []
        for f in (
            lambda: L + M,
            lambda: L.add(M, alpha=3),
            lambda: L - M,
            lambda: L.sub(M, alpha=2),
            lambda: L * 2,
            lambda: 2 * L,
            lambda: L / 2,
            lambda: -L,
            lambda: L.clone(),
        ):
            r = f()
            grads = lib.autograd.grad(r.to_dense(), [L, M], g, allow_unused=True)
            edges = [n is None for n, _ in r.grad_fn.next_functions]
            out.append((_node(r), edges, [_describe(x) for x in grads]))
        r = d + L
        out.append(
            (_node(r), _describe(r), [_describe(x) for x in lib.autograd.grad(r, [d, L], g)])
        )
        out.append(_describe(lib.autograd.grad((L * 2).sum(), L)[0]))
        out.append(_error(lambda: make().add_(M)))
        out.append(_error(lambda: make().mul_(2)))
        out.append(_error(lambda: L + d))
        return out

    _same(program, torch_ref)


def test_gradients_meet_and_accumulate_into_sparse_and_dense_leaves(torch_ref):
    def program(lib):
        L = _leaf(lib)
        out = []
        L.sum().backward()
        out.append(_describe(L.grad))
        L.to_dense().sum().backward()
        out.append(_describe(L.grad))
        L.grad = None
        L.to_dense().sum().backward()
        out.append(_describe(L.grad))
        L.coalesce().to_dense().sum().backward()
        out.append(_describe(L.grad))
        out.append(_describe(lib.autograd.grad(L.to_dense().sum() + L.sum(), L)[0]))
        both = (L.to_dense() + lib.sparse.sum(L, 1).to_dense()[:, None]).sum()
        out.append(_describe(lib.autograd.grad(both, L)[0]))
        x = _dense_leaf(lib)
        s = x.to_sparse()
        (s.to_dense() * 2 + s.sum()).sum().backward()
        out.append(_describe(x.grad))
        c = L.coalesce()
        out.append(_error(lambda: c.backward()))
        c.backward(lib.ones(2, 3, dtype=lib.float64))
        out.append(_describe(L.grad))
        out.append(_error(lambda: lib.autograd.grad(L.coalesce(), L, lib.ones(3))))
        dense_g = lib.ones(2, 3, dtype=lib.float64)
        out.append(_describe(lib.autograd.grad(L.coalesce(), L, dense_g.to_sparse())[0]))
        out.append(_describe(lib.autograd.grad(L.to_dense(), L, dense_g.to_sparse())[0]))
        return out

    _same(program, torch_ref)


def test_what_is_not_built_refuses_by_name():
    L = retrograd.sparse_coo_tensor(
        [[0, 1], [1, 0]], retrograd.tensor([1.0, 2.0], dtype=retrograd.float64), (2, 2)
    ).requires_grad_()
    d = retrograd.ones(2, dtype=retrograd.float64, requires_grad=True)
    batch = retrograd.sparse_coo_tensor([[0], [1], [0]], [1.0], (1, 2, 2))
    for fn, name in (
        (lambda: L * d, "mul by a dense tensor"),
        (lambda: retrograd.sparse.softmax(L, 0, dtype=retrograd.float32), "ToCopyBackward0"),
        (lambda: retrograd.bmm(batch, retrograd.ones(1, 2, 2)), "bmm"),
    ):
        with pytest.raises(NotImplementedError, match=name):
            fn()
    with retrograd.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with pytest.raises(NotImplementedError, match="ToDenseBackward0"):
            L.to_dense()


_GRADCHECKS = {
    "to_dense": (lambda lib, s: s.to_dense(), "L"),
    "to_dense unmasked": (lambda lib, s: s.to_dense(masked_grad=False), "L"),
    "sum": (lambda lib, s: s.sum(), "L"),
    "sparse.sum": (lambda lib, s: lib.sparse.sum(s), "L"),
    "sparse.sum dim": (lambda lib, s: lib.sparse.sum(s, 1).to_dense(), "L"),
    "sparse.sum hybrid": (lambda lib, s: lib.sparse.sum(s, 0), "H"),
    "hybrid to_dense": (lambda lib, s: s.to_dense(), "H"),
    "sparse.mm": (lambda lib, s, w: lib.sparse.mm(s, w), "Lw"),
    "mm": (lambda lib, s, w: lib.mm(s, w), "Lw"),
    "t": (lambda lib, s: s.t().to_dense(), "L"),
    "sums and multiples": (lambda lib, s: (s + s * 2 - s / 4).to_dense(), "L"),
    "sum over a dim": (lambda lib, s: s.sum(0), "H"),
    "sum over all dims": (lambda lib, s: s.sum((0, 1), keepdim=True), "L"),
    "mv": (lambda lib, s, w: lib.mv(s, w[:, 0]), "Lw"),
    "values": (lambda lib, s: s.coalesce().values() * 3, "C"),
    "dense to_sparse": (lambda lib, x: x.to_sparse().to_dense(), "x"),
    "dense to_sparse(1) summed": (lambda lib, x: lib.sparse.sum(x.to_sparse(1), 1).to_dense(), "x"),
    "sparse_mask": (lambda lib, x: x.sparse_mask(_leaf(lib).detach()).to_dense(), "x"),
    "sparse.softmax": (lambda lib, s: lib.sparse.softmax(s, 1).to_dense(), "L"),
    "sparse.log_softmax": (lambda lib, s: lib.sparse.log_softmax(s, 0).to_dense(), "H"),
    "mm of two sparse matrices": (lambda lib, a, b: lib.mm(a, b).to_dense(), "AB"),
    "sparse.mm of two sparse matrices": (lambda lib, a, b: lib.sparse.mm(a, b).to_dense(), "AB"),
    "dense mm sparse": (lambda lib, s, w: w.t().mm(s.t()), "Lw"),
    "addmm": (lambda lib, s, w: lib.addmm(w[:2], s, w, beta=0.5, alpha=2), "Lw"),
    "sparse.addmm": (lambda lib, s, w: lib.sparse.addmm(w[:2], s, w, alpha=2), "Lw"),
    "mv of a sparse vector": (lambda lib, s, w: lib.mv(w.t(), s), "vw"),
    "sparse_coo_tensor": (
        lambda lib, v: lib.sparse_coo_tensor([[0, 2, 0]], v, (3,)).to_dense(),
        "v",
    ),
}


def _gradcheck_inputs(lib, kind):
    rng = np.random.default_rng(3)
    w = lib.tensor(rng.standard_normal((3, 2)), dtype=lib.float64, requires_grad=True)
    values = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
    return {
        "L": lambda: (_leaf(lib),),
        "C": lambda: (_leaf(lib, coalesced=True).detach().coalesce().requires_grad_(),),
        "H": lambda: (lib.sparse_coo_tensor([[0, 2]], values, (3, 2), requires_grad=True),),
        "Lw": lambda: (_leaf(lib), w),
        "x": lambda: (_dense_leaf(lib),),
        "v": lambda: (lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True),),
        "AB": lambda: (
            _leaf(lib),
            lib.sparse_coo_tensor(
                [[2, 0, 1, 2], [1, 0, 1, 1]], values[0].repeat(2), (3, 2), requires_grad=True
            ),
        ),
        "vw": lambda: (
            lib.sparse_coo_tensor([[2, 0, 2]], values[1, :1].repeat(3), (3,), requires_grad=True),
            w,
        ),
    }[kind]()


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("name", list(_GRADCHECKS))
def test_gradcheck_against_finite_differences_as_pytorch_judges(torch_ref, name, masked):
    """gradcheck in float64 passes where PyTorch's passes, and fails where PyTorch's fails (a
    masked gradient checked without ``masked``, a dense gradient of unspecified elements checked
    with it, a pattern that moves with the values)."""
    fn, kind = _GRADCHECKS[name]

    def program(lib):
        inputs = _gradcheck_inputs(lib, kind)
        try:
            return lib.autograd.gradcheck(
                lambda *a: fn(lib, *a), inputs, masked=masked, raise_exception=False
            )
        except RuntimeError:  # (values without masked: the output's size follows the pattern)
            return "RuntimeError"

    ours, theirs = _run(retrograd, program), _run(torch_ref, program)
    assert ours == theirs


def test_gradcheck_errors_of_sparse_outputs_and_messages(torch_ref):
    def program(lib):
        L = _leaf(lib)
        return [
            _error(lambda: lib.autograd.gradcheck(lambda s: s.coalesce(), (L,))),
            _error(lambda: lib.autograd.gradcheck(lambda s: s * 2, (L,), masked=True)),
            _error(lambda: lib.autograd.gradcheck(lambda s: s.to_dense(), (L,))),
            _error(lambda: lib.autograd.gradcheck(lambda s: s.sum(), (L,), masked=True)),
            lib.autograd.gradcheck(lambda s: s.to_dense(), (L,), masked=True),
        ]

    _same(program, torch_ref)


def test_gradients_of_gradients_through_sparse_ops(torch_ref):
    """Under create_graph the formulas record as any op does, so a second derivative reaches the
    sparse and the dense inputs as PyTorch's does; torch.sparse.sum's gradient has none in
    PyTorch, and the same error comes when one is asked for."""

    def program(lib):
        w = lib.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]], dtype=lib.float64)
        w.requires_grad_()
        out = []
        for product in (lib.sparse.mm, lib.mm):
            a = _leaf(lib, coalesced=True)
            (g,) = lib.autograd.grad(product(a, w).pow(2).sum(), w, create_graph=True)
            out.append((_describe(g), [_describe(x) for x in lib.autograd.grad(g.sum(), [a, w])]))
        x = _dense_leaf(lib)
        (g,) = lib.autograd.grad(x.to_sparse().to_dense().pow(3).sum(), x, create_graph=True)
        out.append((_describe(g), _describe(lib.autograd.grad(g.sum(), x)[0])))
        a = _leaf(lib)
        (g,) = lib.autograd.grad(a.to_dense().pow(3).sum(), a, create_graph=True)
        out.append((_describe(g), _describe(lib.autograd.grad(g.to_dense().sum(), a)[0])))
        a = _leaf(lib, coalesced=True)
        (g,) = lib.autograd.grad(lib.sparse.sum(a, 1).to_dense().pow(2).sum(), a, create_graph=True)
        out.append((_describe(g), _error(lambda: lib.autograd.grad(g.to_dense().sum(), a))))
        return out

    _same(program, torch_ref)


def test_hooks_and_retained_gradients_of_sparse_tensors(torch_ref):
    def program(lib):
        v = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        L = lib.sparse_coo_tensor([[0, 1, 0]], v, (3,), requires_grad=True)
        seen = []
        L.register_hook(lambda g: seen.append(_describe(g)))
        L.to_dense().sum().backward()
        x = lib.tensor([0.0, 1.0, 2.0], dtype=lib.float64, requires_grad=True)
        s = x.to_sparse()
        s.retain_grad()
        (s.to_dense() * 3).sum().backward()
        return [
            seen,
            _describe(L.grad),
            _describe(s.grad),
            _describe(x.grad),
            (L.is_leaf, s.is_leaf, s.detach().requires_grad, s.detach().grad_fn),
        ]

    _same(program, torch_ref)


@pytest.mark.parametrize("coalesce", [False, True])
def test_sparse_to_another_dtype(torch_ref, coalesce):
    """``to(dtype)`` and ``.double()`` of a sparse COO tensor cast its values (indices kept, the
    coalesced flag too); a floating result records ToCopyBackward0, whose gradient comes back in
    the input's dtype; an integer one is outside the graph; a memory format other than
    preserve_format is refused with PyTorch's text, except contiguous_format with the same dtype,
    which returns the tensor itself."""

    def program(lib):
        s = lib.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [3.0, 4.0, 5.0], (2, 3))
        s = (s.coalesce() if coalesce else s).requires_grad_()
        t = s.to(lib.float64)
        (g,) = lib.autograd.grad((t.to_dense() * lib.arange(6.0).reshape(2, 3)).sum(), [s])
        ints = s.to(lib.int64)
        try:
            s.to(memory_format=lib.channels_last)
            refused = None
        except RuntimeError as e:
            refused = str(e)
        return (
            str(t.dtype),
            t.is_coalesced(),
            t.grad_fn.name(),
            t.to_dense().tolist(),
            str(g.dtype),
            g.to_dense().tolist(),
            ints.requires_grad,
            ints.to_dense().tolist(),
            str(s.double().dtype),
            s.float() is s,
            s.to(lib.float32, copy=True) is s,
            refused,
            s.to(memory_format=lib.contiguous_format) is s,
        )

    assert program(retrograd) == program(torch_ref)
