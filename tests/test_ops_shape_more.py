"""Shape, statistics, indexing and storage ops (ravel ... as_strided, resize_, the *_copy functions)
against PyTorch: the same program on both libraries gives the same values, dtypes, node names,
gradients, version counters and sharing of memory, and the same error type and text."""

import array
import warnings

import numpy as np
import pytest

import retrograd

X = np.random.default_rng(0).standard_normal((3, 4))
A = np.arange(12.0)


def _summary(lib, result):
    """What a program's result shows: each tensor's shape, dtype, node name and values (rounded);
    other values as they are."""
    if isinstance(result, (tuple, list)):
        return [_summary(lib, r) for r in result]
    if not isinstance(result, lib.Tensor):
        return result
    node = result.grad_fn.name() if result.grad_fn is not None else None
    values = result.detach().numpy()
    values = values.astype(complex) if values.dtype.kind == "c" else values.astype(float)
    return (tuple(result.shape), str(result.dtype), node, np.round(values, 6).tolist())


def _run(lib, program, *arrays):
    tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _summary(lib, program(lib, *tensors))
        except Exception as e:
            return ("raised", type(e).__name__, str(e))


def same(torch, program, *arrays):
    ours, theirs = _run(retrograd, program, *arrays), _run(torch, program, *arrays)
    assert ours == theirs


def _grads(t, f, *xs):
    """``f(t, *xs)`` and the gradients of its inputs for an output gradient 1, 2, 3 ..."""
    y = f(t, *xs)
    g = t.arange(1, y.numel() + 1, dtype=y.dtype).reshape(y.shape)
    return [y, *t.autograd.grad(y, xs, g, allow_unused=True)]


def _detached(results):
    return [r.detach() for r in results]


# --- errors -----------------------------------------------------------------------------------

ERRORS = {
    "hsplit 0-d": lambda t, x: x[0, 0].hsplit(2),
    "hsplit uneven": lambda t, x: x.hsplit(3),
    "vsplit 1-d": lambda t, x: x[0].vsplit(2),
    "dsplit 2-d": lambda t, x: x.dsplit(2),
    "fliplr 1-d": lambda t, x: x[0].fliplr(),
    "flipud 0-d": lambda t, x: x[0, 0].flipud(),
    "renorm maxnorm": lambda t, x: x.renorm(2, 0, -1.0),
    "renorm p": lambda t, x: x.renorm(0, 0, 1.0),
    "renorm 1-d": lambda t, x: x[0].renorm(2, 0, 1.0),
    "inner sizes": lambda t, x: x.inner(x[0, :3]),
    "vdot 2-d": lambda t, x: x.vdot(x),
    "vdot dtypes": lambda t, x: x[0].vdot(x[0].float()),
    "dist integers": lambda t, x: t.dist(x.long(), x.long()),
    "cov 3-d": lambda t, x: x.reshape(1, 3, 4).cov(),
    "cov fweights float": lambda t, x: x.cov(fweights=t.ones(4)),
    "cov fweights negative": lambda t, x: x.cov(fweights=t.tensor([1, -1, 1, 1])),
    "cov aweights long": lambda t, x: x.cov(aweights=t.tensor([1, 1, 1, 1])),
    "cov aweights size": lambda t, x: x.cov(aweights=t.ones(3, dtype=t.float64)),
    "chain_matmul none": lambda t, x: t.chain_matmul(),
    "chain_matmul 1-d": lambda t, x: t.chain_matmul(x[0]),
    "nuclear_norm 1-d": lambda t, x: t.nuclear_norm(x[0]),
    "unravel_index float": lambda t, x: t.unravel_index(x, (3, 4)),
    "unravel_index negative shape": lambda t, x: t.unravel_index(t.tensor([1]), (3, -4)),
    "cholesky not positive-definite": lambda t, x: t.cholesky(-t.eye(3, dtype=t.float64)),
    "cholesky 1-d": lambda t, x: t.cholesky(x[0]),
    "matrix_rank removed": lambda t, x: t.matrix_rank(x),
    "solve removed": lambda t, x: t.solve(x, x),
    "lstsq removed": lambda t, x: x.lstsq(x),
    "symeig removed": lambda t, x: t.symeig(x),
    "eig removed": lambda t, x: x.eig(),
    "as_strided out of bounds": lambda t, x: x[1:].as_strided((2, 2), (1, 2), 11),
    "as_strided negative stride": lambda t, x: x.as_strided((2, 2), (-1, 2), 1),
    "as_strided negative offset": lambda t, x: x.as_strided((2,), (1,), -1),
    "as_strided lengths": lambda t, x: x.as_strided((2, 2), (1,)),
    "as_strided_ leaf": lambda t, x: x.as_strided_((2,), (1,)),
    "as_strided_scatter sizes": lambda t, x: t.as_strided_scatter(x, x[:2, :3], (2, 2), (1, 4)),
    "resize_ requires grad": lambda t, x: x.resize_(2, 2),
    "resize_ result requires grad": lambda t, x: (x * 1).resize_(12),
    "resize_ preserve": lambda t, x: x.detach().resize_(2, 6, memory_format=t.preserve_format),
    "resize keeps numel": lambda t, x: x.resize(3, 3),
    "empty_strided lengths": lambda t, x: t.empty_strided((2, 3), (1,)),
    "view_copy size": lambda t, x: t.view_copy(x, (5,)),
    "select_copy index": lambda t, x: t.select_copy(x, 1, 7),
    "view_as_complex_copy grad": lambda t, x: t.view_as_complex_copy(x.reshape(3, 2, 2)),
    "index_reduce sum": lambda t, x: x.index_reduce(0, t.tensor([0]), x[:1], "sum"),
    "index_reduce float index": lambda t, x: x.index_reduce(0, t.tensor([0.0]), x[:1], "prod"),
    "index_reduce count": lambda t, x: x.index_reduce(0, t.tensor([0, 1]), x[:1], "prod"),
    "index_reduce range": lambda t, x: x.index_reduce(0, t.tensor([5]), x[:1], "prod"),
    "index_reduce shape": lambda t, x: x.index_reduce(0, t.tensor([0]), x[:1, :2], "prod"),
    "put range": lambda t, x: x.put(t.tensor([12]), x[0, :1]),
    "put count": lambda t, x: x.put(t.tensor([0, 1]), x[0, :1]),
    "put dtype": lambda t, x: x.put(t.tensor([0]), x[0, :1].float()),
    "histogram long": lambda t, x: t.histogram(x.long(), 3),
    "histogram bins": lambda t, x: t.histogram(x.detach(), 0),
    "histogram range": lambda t, x: t.histogram(x.detach(), 3, range=(2.0, 1.0)),
    "histogramdd 1-d": lambda t, x: t.histogramdd(x.detach()[0], [2]),
    "unique_consecutive backward": lambda t, x: t.unique_consecutive(x).sum().backward(),
    "frombuffer offset": lambda t, x: t.frombuffer(bytearray(12), dtype=t.float32, offset=13),
    "frombuffer length": lambda t, x: t.frombuffer(bytearray(10), dtype=t.float32),
    "frombuffer count": lambda t, x: t.frombuffer(bytearray(12), dtype=t.float32, count=5),
    "asarray alias dtype": lambda t, x: t.asarray(x, dtype=t.float32, copy=False),
    "asarray alias list": lambda t, x: t.asarray([1, 2], copy=False),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_matches_pytorch(torch_ref, name):
    ours = _run(retrograd, ERRORS[name], X)
    assert ours[0] == "raised"
    assert ours == _run(torch_ref, ERRORS[name], X)


# --- values, nodes and gradients ---------------------------------------------------------------

PROGRAMS = {
    "ravel of a transpose": lambda t, x: _grads(t, lambda t, x: x.t().ravel(), x),
    "hsplit sections": lambda t, x: x.hsplit([1, 3]),
    "vsplit": lambda t, x: t.vsplit(x, 3),
    "unsafe_chunk": lambda t, x: x.unsafe_chunk(2, 1),
    "adjoint complex": lambda t, x: t.complex(x, x).adjoint().resolve_conj().detach(),
    "msort": lambda t, x: _grads(t, lambda t, x: x.msort(), x),
    "argwhere": lambda t, x: t.argwhere(x > 0),
    "unravel_index": lambda t, x: t.unravel_index(t.tensor([[1, 5], [7, -1]]), (3, 4)),
    "inner": lambda t, x: _grads(t, lambda t, x: t.inner(x, x), x),
    "dist inf": lambda t, x: _grads(t, lambda t, x: x.dist(x[0] * 2, float("inf")), x),
    "renorm": lambda t, x: _grads(t, lambda t, x: x.renorm(1, 1, 0.5), x),
    "renorm_": lambda t, x: _grads(t, lambda t, x: (x * 1).renorm_(2, 0, 1.0), x),
    "cov weighted": lambda t, x: _grads(
        t,
        lambda t, x: x.cov(
            correction=2,
            fweights=t.tensor([1, 2, 1, 3]),
            aweights=t.tensor([0.5, 1.0, 2.0, 1.0], dtype=t.float64),
        ),
        x,
    ),
    # the weights' gradient, which also reaches them through the normalisation
    "cov aweights gradient": lambda t, x: _grads(
        t,
        lambda t, x, w: x.cov(correction=1, fweights=t.tensor([1, 2, 1, 3]), aweights=w),
        x,
        t.tensor([0.5, 1.0, 2.0, 1.0], requires_grad=True),
    ),
    "cov aweights gradient unbiased": lambda t, x: _grads(
        t,
        lambda t, x, w: x.cov(correction=0, aweights=w),
        x,
        t.tensor([0.5, 1.0, 2.0, 1.0], requires_grad=True),
    ),
    "corrcoef": lambda t, x: _grads(t, lambda t, x: x.corrcoef(), x),
    # native_group_norm: the mean and 1 / std are outputs of the node, whose gradients reach
    # the input with the output's; an empty batch
    "native_group_norm": lambda t, x: tuple(
        t.native_group_norm(x.reshape(2, 2, 3), None, None, 2, 2, 3, 2, 1e-5)
    ),
    "native_group_norm gradients": lambda t, x: _grads(
        t,
        lambda t, x: (lambda r: r[0] * 2 + r[1].sum() * 3 - r[2].sum())(
            t.native_group_norm(x.reshape(2, 2, 3), None, None, 2, 2, 3, 2, 1e-5)
        ),
        x,
    ),
    "group_norm of an empty batch": lambda t, x: _grads(
        t, lambda t, x: t.nn.functional.group_norm(x[:0].reshape(0, 2, 2), 2), x
    ),
    # results in the graph where they are empty or constant
    "combinations of none": lambda t, x: t.combinations(x[0], 5),
    "combinations of none with replacement": lambda t, x: t.combinations(x[0, :0], 2, True),
    "matrix_power 0": lambda t, x: _grads(t, lambda t, x: t.linalg.matrix_power(x[:, :3], 0), x),
    # linear interpolation: q's gradient through the weight between the two values (values
    # and gradients: the last node's name is not PyTorch's yet)
    "quantile q gradient": lambda t, x: _detached(
        _grads(
            t,
            lambda t, x, q: t.quantile(x, q, dim=1),
            x,
            t.tensor([0.1, 0.5, 0.93], dtype=t.float64, requires_grad=True),
        )
    ),
    "nanquantile q gradient": lambda t, x: _detached(
        _grads(
            t,
            lambda t, x, q: t.nanquantile(t.where(x > 1, float("nan"), x), q, keepdim=True),
            x,
            t.tensor([0.2, 0.7], dtype=t.float64, requires_grad=True),
        )
    ),
    "chain_matmul": lambda t, x: _grads(t, lambda t, x: t.chain_matmul(x, x.t(), x), x),
    "frobenius_norm": lambda t, x: _grads(t, lambda t, x: t.frobenius_norm(x, 1, True), x),
    "nuclear_norm keepdim": lambda t, x: t.nuclear_norm(x, keepdim=True),
    "cholesky upper": lambda t, x: _grads(t, lambda t, x: (x @ x.t() + 1).cholesky(True), x),
    "index_reduce amin": lambda t, x: _grads(
        t, lambda t, x: x.index_reduce(1, t.tensor([0, 0, 3]), x[:, :3] * 2, "amin"), x
    ),
    "put accumulate": lambda t, x: _grads(
        t, lambda t, x: x.put(t.tensor([1, 1]), x[0, :2], True), x
    ),
    "histogram": lambda t, x: t.histogram(x.detach(), 4, range=(-1.0, 1.0), density=True),
    "histogramdd": lambda t, x: t.histogramdd(x.detach(), [2, 1, 2, 3]),
    "unique_consecutive": lambda t, x: t.unique_consecutive(
        (x > 0).long(), return_inverse=True, return_counts=True, dim=1
    ),
    "as_strided of a view": lambda t, x: _grads(
        t, lambda t, x: (x * 1)[1:].as_strided((3, 3), (1, 2), 1), x
    ),
    "as_strided of an unfolded view": lambda t, x: _grads(
        t, lambda t, x: x.unfold(1, 2, 1).as_strided((2, 3), (1, 2), 1), x
    ),
    "as_strided_scatter": lambda t, x: t.as_strided_scatter(x.detach(), x[0], (4,), (3,), 1),
    "view_copy": lambda t, x: _grads(t, lambda t, x: t.view_copy(x.t(), (2, 6)), x),
    "squeeze_copy": lambda t, x: _grads(t, lambda t, x: t.squeeze_copy(x[None], 0), x),
    "split_copy": lambda t, x: t.split_copy(x, 2, 1),
    "narrow_copy": lambda t, x: _grads(t, lambda t, x: x.narrow_copy(1, 1, 2), x),
    "diagonal_copy": lambda t, x: _grads(t, lambda t, x: t.diagonal_copy(x, -1), x),
    "expand_copy": lambda t, x: _grads(t, lambda t, x: t.expand_copy(x[:1], (2, 3, 4)), x),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_pytorch(torch_ref, name):
    ours = _run(retrograd, PROGRAMS[name], X)
    assert ours[0] != "raised", ours
    assert ours == _run(torch_ref, PROGRAMS[name], X)


# --- memory, views and version counters --------------------------------------------------------


def _memory(t):
    """Whether the pieces of programs share memory, and their versions, as PyTorch reports."""
    out = {}
    x = t.arange(12.0)
    y = x[2:].as_strided((2, 2), (1, 2), 0)  # the base's storage, from its offset 0
    y[0, 0] = 100.0
    out["as_strided writes reach the base"] = (x[0].item(), x._version, y._version)
    out["as_strided is a view"] = y._base is x
    out["storage_offset"] = x[2:].as_strided((2,), (1,)).storage_offset()
    strided = np.lib.stride_tricks.as_strided(np.arange(8.0), (2, 2), (8, 16))
    out["as_strided of a NumPy array made by as_strided reads its memory"] = (
        t.from_numpy(strided).as_strided((4,), (1,)).tolist()
    )
    z = t.arange(6.0)
    r = z.resize_(2, 2)
    out["resize_ returns self"] = r is z
    out["resize_ shape, version, strides"] = (tuple(z.shape), z._version, z.stride())
    z.resize_(2, 2)
    out["resize_ to the same shape keeps the version"] = z._version
    w = t.arange(6.0)
    w[1:].resize_(2, 2)
    out["resize_ of a view reads from its offset"] = w[1:].resize_(2, 2).tolist()
    g = t.arange(6.0)
    g.resize_(3, 3)
    out["resize_ grows, keeping the old elements"] = g.flatten()[:6].tolist()
    s = t.arange(12.0).reshape(3, 4)
    s.as_strided_((3, 2), (1, 3), 2)
    out["as_strided_"] = (s.tolist(), s._version, s.stride(), s.storage_offset())
    u = t.arange(12.0).reshape(3, 4)
    a, b = u.unsafe_split(2)
    a.add_(1)
    out["unsafe_split shares memory, not views"] = (u[0, 0].item(), a._base is None, u._version)
    c = t.arange(12.0).reshape(3, 4)
    copy = t.view_copy(c, (12,))
    copy[0] = 50.0
    out["copies own their memory"] = (c[0, 0].item(), copy.is_contiguous())
    out["permute_copy is contiguous"] = t.permute_copy(c, (1, 0)).stride()
    n = np.arange(3.0)
    shared = t.asarray(n)
    shared[0] = 7.0
    copied = t.asarray(n, copy=True)
    copied[1] = 9.0
    out["asarray shares a numpy array unless asked to copy"] = n.tolist()
    base = t.arange(3.0)
    out["asarray of a tensor is the tensor"] = t.asarray(base) is base
    buf = bytearray(np.arange(1, 4, dtype=np.float32).tobytes())
    f = t.frombuffer(buf, dtype=t.float32, count=2, offset=4)
    f[0] = 5.0
    out["frombuffer shares the buffer"] = np.frombuffer(buf, np.float32).tolist()
    out["frombuffer of a read-only buffer"] = t.frombuffer(
        array.array("d", [1.0, 2.0]), dtype=t.float64
    ).tolist()
    e = t.empty_strided((2, 3), (1, 2))
    out["empty_strided strides"] = (
        e.stride(),
        t.zeros(1).new_empty_strided((2, 2), (1, 2)).stride(),
    )
    i = t.zeros(4, 3)
    out["index_reduce_ returns self"] = (
        i.index_reduce_(0, t.tensor([0, 0]), t.ones(2, 3), "mean", include_self=False) is i,
        i._version,
    )
    p = t.zeros(4)
    out["put_ returns self"] = (
        p.put_(t.tensor([1, 1]), t.ones(2), accumulate=True) is p,
        p.tolist(),
    )
    return out


def test_memory_and_versions_match_pytorch(torch_ref):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _memory(retrograd) == _memory(torch_ref)


def test_saved_tensor_sees_a_resize_as_a_write():
    """A resize_ is a new version: a node that saved the tensor refuses to run, as in PyTorch."""
    x = retrograd.ones(4, requires_grad=True)
    a = retrograd.arange(4.0)
    y = (x * a).sum()
    a.resize_(2, 2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_as_strided_gradient_against_finite_differences():
    x = retrograd.tensor(np.random.default_rng(1).standard_normal(12), dtype=retrograd.float64)
    x.requires_grad_()
    assert retrograd.autograd.gradcheck(lambda x: x.as_strided((3, 3), (1, 2), 1), (x,))
    assert retrograd.autograd.gradgradcheck(lambda x: x[::2].as_strided((2, 2), (2, 1)), (x,))


def test_deprecation_warnings_match_pytorch(torch_ref):
    def caught(lib, program):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            program(lib)
        return [str(w.message).split(" (Triggered internally")[0] for w in seen]

    for program in (lambda t: t.ones(4).resize(2, 2), lambda t: t.cov(t.ones(3, 1))):
        assert caught(retrograd, program) == caught(torch_ref, program)
    # (PyTorch gives these once a process, so a test cannot count on seeing PyTorch's)
    for program, replacement in (
        (lambda t: t.chain_matmul(t.ones(2, 2)), "torch.linalg.multi_dot"),
        (lambda t: t.cholesky(t.eye(2)), "torch.linalg.cholesky"),
        (lambda t: t.frobenius_norm(t.ones(2, 2), (0, 1)), "linalg.vector_norm"),
        (lambda t: t.nuclear_norm(t.ones(2, 2)), "linalg.matrix_norm"),
    ):
        (message,) = caught(retrograd, program)
        assert "deprecated" in message and replacement in message


_UNSORTED_EDGES = [
    [[-4.8, -7.6], [-0.6, -1.5], [-2.0, -4.1], [-5.4, -4.8], [-4.2, 7.4]],
    [[-8.0, 3.0, -2.0, 8.0], [8.0, -8.0], [-9.0, 0.0, 9.0], [-9.0, 9.0], [-9.0, 9.0]],
    [[-8.0, 3.0, -2.0, 8.0], [-8.0, 8.0, 0.0], [-9.0, 0.0, 9.0], [-9.0, 9.0], [-9.0, 9.0]],
]


@pytest.mark.parametrize("edges", _UNSORTED_EDGES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("density", [False, True])
def test_histogramdd_with_edges_out_of_order_as_pytorch(torch_ref, edges, weighted, density):
    """Bin edges out of order (which NumPy refuses) bin each point where PyTorch's binary
    search of the edges as given puts it, leaving out a point outside the first and last edge."""

    def run(lib):
        rng = np.random.default_rng(0)
        x = lib.tensor(rng.uniform(-8, 8, (5, 5)))
        w = lib.tensor(rng.uniform(0, 1, 5)) if weighted else None
        bins = [lib.tensor(e, dtype=lib.float64) for e in edges]
        hist, _ = lib.histogramdd(x, bins, weight=w, density=density)
        return tuple(hist.shape), hist.numpy()

    (shape, ours), (shape_t, theirs) = run(retrograd), run(torch_ref)
    assert shape == shape_t
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
