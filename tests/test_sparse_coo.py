"""Sparse COO tensors: the gradient of ``Embedding(sparse=True)`` / ``EmbeddingBag(sparse=True)``,
its accumulation, printing and layout, and the optimizers that take it (SGD, Adagrad, SparseAdam,
LBFGS) or refuse it -- each program run on retrograd and on PyTorch."""

import warnings

import numpy as np
import pytest

import retrograd


def _run(lib, program):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (PyTorch's note about sparse invariant checks)
        return program(lib)


def _same(program, torch_ref):
    ours, theirs = _run(retrograd, program), _run(torch_ref, program)
    assert ours == theirs


def _describe(t):
    """What a test compares of a gradient: layout, repr, and the dense values."""
    if t is None:
        return None
    dense = t.to_dense() if t.is_sparse else t
    return (str(t.layout), repr(t), dense.tolist())


def test_embedding_sparse_gradient_and_its_accumulation(torch_ref):
    def program(lib):
        lib.manual_seed(0)
        e = lib.nn.Embedding(5, 2, sparse=True)
        x = lib.tensor([[0, 2], [2, 4]])
        e(x).sum().backward()
        g = e.weight.grad
        out = [
            repr(e),
            _describe(g),
            (g.is_sparse, g.is_coalesced(), g._nnz(), tuple(g.shape), str(g.dtype)),
            (g.sparse_dim(), g.dense_dim(), g._indices().tolist(), g._values().tolist()),
        ]
        c = g.coalesce()
        out.append((repr(c), c.indices().tolist(), c.values().tolist(), c.is_coalesced()))
        (e(x) * 2).sum().backward()  # contiguous values: summed where indices meet
        out.append(_describe(e.weight.grad))
        e(lib.tensor([3, 0])).sum().backward()  # expanded values: side by side
        out.append(_describe(e.weight.grad))
        e.weight.grad = lib.ones(5, 2)  # a dense .grad takes a sparse gradient in place
        e(x).sum().backward()
        out.append(_describe(e.weight.grad))
        return out

    _same(program, torch_ref)


def test_sparse_gradient_meets_a_dense_one(torch_ref):
    def program(lib):
        lib.manual_seed(0)
        e = lib.nn.Embedding(5, 2, sparse=True, padding_idx=2)
        x = lib.tensor([[0, 2], [2, 4]])
        out = []
        (e(x).sum() + e.weight.sum()).backward()  # tied: the sum is dense
        out.append(_describe(e.weight.grad))
        e.weight.grad = None
        (e.weight.sum() * 3 + e(x).sum()).backward()
        out.append(_describe(e.weight.grad))
        e.weight.grad = None
        (e(x) * lib.arange(4.0).reshape(2, 2, 1)).sum().backward()  # padding row left out
        out.append(_describe(e.weight.grad))
        w = lib.randn(5, 2, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.nn.functional.embedding(x, w, sparse=True).sum(), w)
        out.append(_describe(g))
        seen = []
        e.weight.register_hook(lambda grad: seen.append(str(grad.layout)))
        e(x).sum().backward()
        out.append(seen)
        return out

    _same(program, torch_ref)


def test_embedding_sparse_gradient_errors(torch_ref):
    def program(lib):
        out = []
        x = lib.tensor([[0, 2], [2, 4]])
        for make in (
            lambda: lib.nn.Embedding(5, 2, sparse=True, scale_grad_by_freq=True)(x),
            lambda: lib.nn.EmbeddingBag(5, 2, mode="sum", sparse=True, scale_grad_by_freq=True)(x),
        ):
            with pytest.raises(RuntimeError) as err:
                make().sum().backward()
            out.append(str(err.value))
        with pytest.raises(ValueError) as err:
            lib.nn.EmbeddingBag(5, 2, mode="max", sparse=True)(x)
        out.append(str(err.value))
        return out

    _same(program, torch_ref)


def test_embedding_bag_sparse_gradient(torch_ref):
    def program(lib):
        lib.manual_seed(0)
        out = []
        for mode in ("sum", "mean"):
            b = lib.nn.EmbeddingBag(6, 2, mode=mode, sparse=True)
            b(lib.tensor([1, 2, 4, 5, 4, 3, 2, 3]), lib.tensor([0, 4])).sum().backward()
            out.append(_describe(b.weight.grad))
        b = lib.nn.EmbeddingBag(6, 2, mode="sum", sparse=True, padding_idx=2)
        psw = lib.tensor([[0.5, 2.0], [1.5, -1.0]], requires_grad=True)
        b(lib.tensor([[1, 2], [2, 4]]), per_sample_weights=psw).pow(2).sum().backward()
        out.append((repr(b.weight.grad), np.round(psw.grad.tolist(), 5).tolist()))
        return out

    _same(program, torch_ref)


def test_sparse_coo_tensor_and_its_arithmetic(torch_ref):
    def program(lib):
        a = lib.sparse_coo_tensor([[0, 2, 2]], lib.ones(3, 2), (5, 2))
        b = lib.sparse_coo_tensor([[0, 2, 3]], 2 * lib.ones(3, 2), (5, 2))
        out = [repr(a + b), repr(a.coalesce() + b.coalesce()), (a + b).is_coalesced()]
        out += [repr(a * 2), repr(2 * a), repr(a / 2), repr(-a), repr(a - b)]
        out += [repr(a.add(b, alpha=2)), repr(lib.ones(5, 2) + a)]
        out.append(repr(lib.ones(5, 2, dtype=lib.float64) + a))
        out.append(repr(lib.sparse_coo_tensor([[0, 1], [1, 0]], [3.0, 4.0], (2, 2)).to_dense()))
        out.append(repr(lib.sparse_coo_tensor([[0, 1], [1, 0]], [3, 4])))
        out.append(
            repr(lib.sparse_coo_tensor(lib.empty(1, 0, dtype=lib.long), lib.empty(0, 2), (5, 2)))
        )
        out.append(
            repr(
                lib.sparse_coo_tensor(
                    [[0, 1]], [3.0, 4.0], (2,), dtype=lib.float64, requires_grad=True
                )
            )
        )
        out.append(repr(lib.eye(2).to_sparse()))
        c = a.clone()
        c += b
        out.append(repr(c))
        c.zero_()
        out.append(repr(c))
        dense = lib.ones(2, 2)
        out.append((dense.is_sparse, str(dense.layout), dense.to_dense() is dense))
        for bad in (
            lambda: a + lib.ones(5, 2),
            lambda: a + lib.sparse_coo_tensor([[0]], lib.ones(1, 2), (4, 2)),
            lambda: a.indices(),
            lambda: a.values(),
            lambda: dense.coalesce(),
            lambda: dense.indices(),
            lambda: dense.values(),
            lambda: dense.is_coalesced(),
            lambda: a.numpy(),
        ):
            with pytest.raises((RuntimeError, TypeError)) as err:
                bad()
            out.append((type(err.value).__name__, str(err.value)))
        with pytest.raises(NotImplementedError) as err:
            dense._values()
        out.append(str(err.value).split(". ")[0])
        return out

    _same(program, torch_ref)


def test_dense_ops_refuse_a_sparse_tensor_instead_of_answering():
    a = retrograd.sparse_coo_tensor([[0, 2]], retrograd.ones(2, 2), (5, 2))
    for op in (lambda: a.mean(), lambda: a.exp(), lambda: a.cumsum(0)):
        with pytest.raises(NotImplementedError, match="sparse COO"):
            op()


@pytest.mark.parametrize(
    "name,options",
    [
        ("SGD", {}),
        ("SGD", {"momentum": 0.9, "nesterov": True}),
        ("SGD", {"momentum": 0.5, "dampening": 0.1, "maximize": True}),
        ("SGD", {"weight_decay": 0.1}),
        ("Adagrad", {}),
        ("Adagrad", {"lr_decay": 0.1, "maximize": True}),
        ("Adagrad", {"weight_decay": 0.1}),
        ("SparseAdam", {}),
        ("SparseAdam", {"maximize": True, "betas": (0.8, 0.9)}),
        ("LBFGS", {}),
        ("Adam", {}),
        ("AdamW", {}),
        ("RMSprop", {}),
        ("Adadelta", {}),
        ("Adamax", {}),
        ("ASGD", {}),
        ("NAdam", {}),
        ("RAdam", {}),
        ("Rprop", {}),
    ],
)
def test_optimizers_with_sparse_gradients(torch_ref, name, options):
    def program(lib):
        lib.manual_seed(0)
        e = lib.nn.Embedding(5, 2, sparse=True, dtype=lib.float64)
        opt = getattr(lib.optim, name)(e.parameters(), lr=0.1, **options)
        batches = [lib.tensor([[0, 2], [2, 4]]), lib.tensor([1, 2, 2]), lib.tensor([[4, 0]])]
        out = []
        for x in batches:
            opt.zero_grad()
            loss = (e(x) * lib.arange(1.0, x.numel() + 1).reshape(*x.shape, 1)).sum()
            loss.backward()
            try:
                if name == "LBFGS":
                    opt.step(lambda x=x: e(x).pow(2).sum())
                else:
                    opt.step()
            except RuntimeError as err:
                out.append(str(err))
                break
            out.append(np.round(e.weight.detach().tolist(), 10).tolist())
            buf = opt.state[e.weight].get("momentum_buffer")
            out.append(None if buf is None else _describe(buf))
        return out

    _same(program, torch_ref)


def test_sparse_adam_refuses_a_dense_gradient_and_zero_grad_keeps_a_sparse_one(torch_ref):
    def program(lib):
        e = lib.nn.Embedding(5, 2)
        opt = lib.optim.SparseAdam(e.parameters())
        e(lib.tensor([1, 2])).sum().backward()
        with pytest.raises(RuntimeError) as err:
            opt.step()
        s = lib.nn.Embedding(5, 2, sparse=True)
        s(lib.tensor([1, 2])).sum().backward()
        lib.optim.SGD(s.parameters(), lr=0.1).zero_grad(set_to_none=False)
        return [str(err.value), repr(s.weight.grad)]

    _same(program, torch_ref)


def test_sparse_gradient_under_create_graph_is_differentiable(torch_ref):
    """With create_graph=True the weight's gradient of a sparse lookup is differentiable, as
    PyTorch's (whose is a sparse tensor with a graph; here a dense one of the same values), so a
    second derivative through it reaches the weight."""

    def run(lib):
        w = lib.tensor(np.arange(12.0).reshape(4, 3) / 7, requires_grad=True)
        idx = lib.tensor([[0, 2], [2, 1]])
        out = lib.nn.functional.embedding(idx, w, sparse=True)
        (g,) = lib.autograd.grad(out.pow(3).sum(), w, create_graph=True)
        (gg,) = lib.autograd.grad(g.to_dense().pow(2).sum(), w)
        first = g.to_dense().tolist()
        out = lib.nn.functional.embedding(idx, w, sparse=True)
        out.pow(3).sum().backward(create_graph=True)
        gg = gg.to_dense().tolist()
        return g.requires_grad, first, gg, w.grad.requires_grad, w.grad.to_dense().tolist()

    ours, theirs = run(retrograd), run(torch_ref)
    assert ours[0] and theirs[0] and ours[3] and theirs[3]
    for a, b in zip(ours[1:], theirs[1:]):
        if not isinstance(a, bool):
            np.testing.assert_allclose(a, b, rtol=1e-12)


_NON_LEAF_WEIGHTS = {
    "times a number": lambda lib, w: w * 2,
    "times a tensor": lambda lib, w: (
        w * lib.linspace(0.5, 2.0, 12, dtype=lib.float64).reshape(4, 3)
    ),
    "plus a number": lambda lib, w: w + 1,
    "minus, negated": lambda lib, w: -(w - 1),
    "divided": lambda lib, w: w / 4,
    "exp": lambda lib, w: w.exp(),
    "clone": lambda lib, w: w.clone(),
    "broadcast factor": lambda lib, w: w * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64),
}


def _also_used_densely(lib, w0, idx):
    w = w0.exp()
    w.retain_grad()
    out = lib.nn.functional.embedding(idx, w, sparse=True).pow(2).sum() + (w * 2).sum()
    return w, out


@pytest.mark.parametrize("name", [*_NON_LEAF_WEIGHTS, "also used densely"])
def test_sparse_gradient_through_a_non_leaf_weight(torch_ref, name):
    """A sparse lookup into a weight computed from a leaf: the sparse gradient passes on through
    the nodes whose gradient keeps its zeros (sums, products, quotients, exp, clone) as PyTorch's
    does, so the leaf's .grad and a retained non-leaf .grad are sparse there too."""

    def run(lib):
        w0 = lib.tensor(np.arange(12.0).reshape(4, 3) / 7, requires_grad=True)
        idx = lib.tensor([[0, 2], [2, 1]])
        if name == "also used densely":  # (sparse and dense gradients meet: dense)
            w, out = _also_used_densely(lib, w0, idx)
        else:
            w = _NON_LEAF_WEIGHTS[name](lib, w0)
            w.retain_grad()
            out = lib.nn.functional.embedding(idx, w, sparse=True).pow(2).sum()
        out.backward()
        return [(str(g.layout), g.to_dense().tolist()) for g in (w.grad, w0.grad)]

    ours, theirs = run(retrograd), run(torch_ref)
    assert [layout for layout, _ in ours] == [layout for layout, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
