"""Products: mm, dot, matmul (every dimension case, broadcast batches), bmm, outer and einsum —
values, gradients, node names, PyTorch parity and error texts."""

import numpy as np
import pytest
from op_checks import program_matches_pytorch
from test_ops_shape import Case, case_tests, check_parity, error_tests

import retrograd

CASES = [
    Case("mm", lambda t, a, b: a.mm(b), [(2, 3), (3, 4)], "MmBackward0"),
    Case("dot", lambda t, a, b: t.dot(a, b), [(3,), (3,)], "DotBackward0"),
    Case("matmul_2d", lambda t, a, b: a @ b, [(2, 3), (3, 4)], "MmBackward0"),
    Case("matmul_1d", lambda t, a, b: t.matmul(a, b), [(3,), (3,)], "DotBackward0"),
    Case("matmul_batched", lambda t, a, b: a @ b, [(2, 2, 3), (2, 3, 4)], "UnsafeViewBackward0"),
    Case(
        "matmul_broadcast", lambda t, a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)], "UnsafeViewBackward0"
    ),
    Case("matmul_3d_2d", lambda t, a, b: a @ b, [(2, 2, 3), (3, 4)], "UnsafeViewBackward0"),
    Case("bmm", lambda t, a, b: t.bmm(a, b), [(2, 2, 3), (2, 3, 4)], "BmmBackward0"),
    Case("bmm_method", lambda t, a, b: a.bmm(b), [(3, 1, 2), (3, 2, 2)], "BmmBackward0"),
    Case("outer", lambda t, a, b: t.outer(a, b), [(3,), (2,)], "MulBackward0"),
    Case("ger", lambda t, a, b: a.ger(b), [(2,), (2,)], "MulBackward0"),
]

# Checked for values and gradients here; einsum's nodes, views and dtypes against PyTorch's below.
EINSUM = [
    Case("einsum_mm", lambda t, a, b: t.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)], None),
    Case("einsum_implicit", lambda t, a, b: t.einsum("ij,kj", a, b), [(2, 3), (4, 3)], None),
    Case(
        "einsum_list",
        lambda t, a, b: t.einsum("bij,bjk->bik", [a, b]),
        [(2, 2, 3), (2, 3, 2)],
        None,
    ),
    Case("einsum_sum", lambda t, a: t.einsum("ij->", a), [(2, 3)], None),
    Case("einsum_reduce", lambda t, a: t.einsum("ij->j", a), [(2, 3)], None),
    Case("einsum_transpose", lambda t, a: t.einsum("ijk->kji", a), [(2, 3, 4)], None),
    Case("einsum_diag", lambda t, a: t.einsum("ii->i", a), [(3, 3)], None),
    Case("einsum_trace", lambda t, a: t.einsum("ii", a), [(3, 3)], None),
    Case(
        "einsum_diag_batch",
        lambda t, a, b: t.einsum("bii,bj->bij", a, b),
        [(2, 3, 3), (2, 2)],
        None,
    ),
    Case(
        "einsum_ellipsis",
        lambda t, a, b: t.einsum("...ij,jk->...ik", a, b),
        [(2, 2, 3), (3, 2)],
        None,
    ),
    Case(
        "einsum_ellipsis_broadcast",
        lambda t, a, b: t.einsum("...i,...i", a, b),
        [(2, 3), (3,)],
        None,
    ),
    Case("einsum_size_one", lambda t, a, b: t.einsum("i,i->i", a, b), [(1,), (3,)], None),
    Case(
        "einsum_three", lambda t, a, b, c: t.einsum("i,ij,j->", a, b, c), [(2,), (2, 3), (3,)], None
    ),
    Case("einsum_outer", lambda t, a, b: t.einsum("i,j", a, b), [(2,), (3,)], None),
    Case(
        "einsum_spaces", lambda t, a, b: t.einsum("i j , j k -> i k", a, b), [(2, 3), (3, 2)], None
    ),
]

MATMUL_FOLDED = [  # PyTorch names these after the reshape it ends with (SqueezeBackward4, ...)
    Case("matmul_2d_3d", lambda t, a, b: a @ b, [(2, 3), (2, 3, 4)], None),
    Case("matmul_1d_3d", lambda t, a, b: a @ b, [(3,), (2, 3, 4)], None),
    Case("matmul_1d_2d", lambda t, a, b: a @ b, [(3,), (3, 4)], None),
    Case("matmul_2d_1d", lambda t, a, b: a @ b, [(2, 3), (3,)], None),
    Case("matmul_3d_1d", lambda t, a, b: a @ b, [(2, 2, 3), (3,)], None),
]

ALL = CASES + EINSUM + MATMUL_FOLDED


test_gradcheck, test_gradgradcheck, test_node_name, test_parity_with_pytorch = case_tests(
    grad=ALL, gradgrad=ALL, node=CASES, parity=CASES
)


@pytest.mark.parametrize("case", EINSUM + MATMUL_FOLDED, ids=repr)
def test_values_and_gradients_match_pytorch(case, torch_ref):
    check_parity(case, torch_ref, names=False)


# --- known values ------------------------------------------------------------------------------


def test_products_known_values():
    a = retrograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = retrograd.tensor([1.0, -1.0])
    assert (a @ a).tolist() == [[7, 10], [15, 22]]
    assert (a @ v).tolist() == [-1, -1]
    assert (v @ a).tolist() == [-2, -2]
    assert (v @ v).item() == 2
    assert retrograd.bmm(a[None], a[None]).tolist() == [[[7, 10], [15, 22]]]
    assert retrograd.outer(v, retrograd.tensor([1, 2])).tolist() == [[1, 2], [-1, -2]]
    assert retrograd.outer(retrograd.tensor([1, 2]), v).dtype is retrograd.float32
    assert (retrograd.ones(5, 1, 2, 3) @ retrograd.ones(4, 3, 2)).shape == (5, 4, 2, 2)


def test_einsum_known_values():
    a = retrograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert retrograd.einsum("ii", a).item() == 5
    assert retrograd.einsum("ii->i", a).tolist() == [1, 4]
    assert retrograd.einsum("ij->ji", a).tolist() == [[1, 3], [2, 4]]
    assert retrograd.einsum("ba", a).tolist() == [[1, 3], [2, 4]]  # implicit: letters sorted
    assert retrograd.einsum("ij,ij->", a, a).item() == 30


def test_einsum_repeated_index_gradient_is_on_the_diagonal():
    a = retrograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (retrograd.einsum("ii->i", a) * retrograd.tensor([5.0, 7.0])).sum().backward()
    assert a.grad.tolist() == [[5, 0], [0, 7]]


def test_matmul_gradient_sums_broadcast_batches():
    a = retrograd.ones(2, 3, requires_grad=True)
    b = retrograd.ones(4, 3, 5, requires_grad=True)
    (a @ b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 3), 20.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full((4, 3, 5), 2.0))


# --- errors ------------------------------------------------------------------------------------


def _r(t, *shape, dtype=None):
    return t.zeros(*shape, dtype=dtype)


ERRORS = [
    (
        lambda t: t.mm(_r(t, 2, 3), _r(t, 2, 3)),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    (lambda t: t.mm(_r(t, 3), _r(t, 3, 2)), RuntimeError, "self must be a matrix"),
    (lambda t: t.mm(_r(t, 2, 3), _r(t, 3)), RuntimeError, "mat2 must be a matrix"),
    (
        lambda t: t.mm(_r(t, 2, 3), _r(t, 3, 2, dtype=t.float64)),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda t: t.dot(_r(t, 2, 3), _r(t, 2, 3)),
        RuntimeError,
        "1D tensors expected, but got 2D and 2D tensors",
    ),
    (
        lambda t: t.dot(_r(t, 3), _r(t, 2)),
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [3] and src [2] to have the same number of "
            "elements, but got 3 and 2 elements respectively"
        ),
    ),
    (
        lambda t: t.dot(_r(t, 3), _r(t, 3, dtype=t.float64)),
        RuntimeError,
        "dot : expected both vectors to have same dtype, but found Float and Double",
    ),
    (
        lambda t: t.addmv(_r(t, 2, 1), _r(t, 2, 2), _r(t, 2)),
        RuntimeError,
        "vector + matrix @ vector expected, got 2, 2, 1",
    ),
    (
        lambda t: t.addmv(_r(t, 2), _r(t, 1, 2, 2), _r(t, 2)),
        RuntimeError,
        "vector + matrix @ vector expected, got 1, 3, 1",
    ),
    (
        lambda t: t.addmv(_r(t, 3), _r(t, 2, 2), _r(t, 2)),
        RuntimeError,
        "size mismatch, got input (3), mat (2x2), vec (2)",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3), t.tensor(1.0)),
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 2D and 0D",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3), _r(t, 2)),
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (2)",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 2, 3), _r(t, 2)),
        RuntimeError,
        "size mismatch, got input (4), mat (4x3), vec (2)",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3), _r(t, 3, dtype=t.float64)),
        RuntimeError,
        "addmv input tensors must have the same dtype, but got Double, Float, and Double",
    ),
    (
        lambda t: t.matmul(_r(t, 4), _r(t, 2)),
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [4] and src [2] to have the same number of "
            "elements, but got 4 and 2 elements respectively"
        ),
    ),
    (
        lambda t: t.matmul(_r(t, 2), _r(t, 3, 2)),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x2 and 3x2)",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3, 4), _r(t, 5, 2)),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3, 4), _r(t, 4, 2, dtype=t.float64)),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 3), _r(t, 2, 2, 2)),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 2].",
    ),
    (
        lambda t: t.matmul(_r(t, 3), _r(t, 2, 2, 3)),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 2].",
    ),
    (
        lambda t: t.matmul(_r(t, 3, 2, 3), _r(t, 2, 3, 2)),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    ),
    (
        lambda t: t.matmul(_r(t, 2, 2, 3), _r(t, 2, 3, 2, dtype=t.float64)),
        RuntimeError,
        "expected scalar type Float but found Double",
    ),
    (lambda t: t.bmm(_r(t, 2, 3), _r(t, 2, 3)), RuntimeError, "batch1 must be a 3D tensor"),
    (lambda t: t.bmm(_r(t, 2, 2, 3), _r(t, 2, 3)), RuntimeError, "batch2 must be a 3D tensor"),
    (
        lambda t: t.bmm(_r(t, 2, 2, 3), _r(t, 3, 3, 2)),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].",
    ),
    (
        lambda t: t.bmm(_r(t, 2, 2, 3, dtype=t.float64), _r(t, 2, 3, 2)),
        RuntimeError,
        "expected scalar type Double but found Float",
    ),
    (
        lambda t: t.outer(_r(t, 2, 3), _r(t, 2)),
        RuntimeError,
        "outer: Expected 1-D argument self, but got 2-D",
    ),
    (
        lambda t: t.outer(_r(t, 2), _r(t, 2, 3)),
        RuntimeError,
        "outer: Expected 1-D argument vec2, but got 2-D",
    ),
    (
        lambda t: t.einsum("ij,jk", _r(t, 2, 3), _r(t, 2, 3)),
        RuntimeError,
        (
            "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously "
            "seen size 3"
        ),
    ),
    (
        lambda t: t.einsum("ij->k", _r(t, 2, 3)),
        RuntimeError,
        "einsum(): output subscript k does not appear in the equation for any input operand",
    ),
    (
        lambda t: t.einsum("i->ii", _r(t, 2)),
        RuntimeError,
        "einsum(): output subscript i appears more than once in the output",
    ),
    (
        lambda t: t.einsum("ij", _r(t, 2, 3), _r(t, 2, 3)),
        RuntimeError,
        "einsum(): more operands were provided than specified in the equation",
    ),
    (
        lambda t: t.einsum("ij,jk->", _r(t, 2, 3)),
        RuntimeError,
        "einsum(): fewer operands were provided than specified in the equation",
    ),
    (
        lambda t: t.einsum("ijk", _r(t, 2, 3)),
        RuntimeError,
        (
            "einsum(): the number of subscripts in the equation (3) does not match the number of "
            "dimensions (2) for operand 0 and no ellipsis was given"
        ),
    ),
    (
        lambda t: t.einsum("ii", _r(t, 2, 3)),
        RuntimeError,
        "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2",
    ),
    (
        lambda t: t.einsum("i1,jk", _r(t, 2, 3), _r(t, 2, 3)),
        RuntimeError,
        (
            "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in "
            "[a-zA-Z]"
        ),
    ),
    (
        lambda t: t.einsum("ij.,jk", _r(t, 2, 3), _r(t, 3, 2)),
        RuntimeError,
        "einsum(): found '.' for operand 0 that is not part of any ellipsis",
    ),
    (
        lambda t: t.einsum("ij,jk", _r(t, 2, 3), _r(t, 3, 2, dtype=t.float64)),
        RuntimeError,
        "expected scalar type Float but found Double",
    ),
]


test_errors, test_errors_match_pytorch = error_tests(ERRORS)


def _node_names(t):
    names, seen, stack = [], set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        names.append(type(fn).__name__)
        stack.extend(f for f, _ in fn.next_functions)
    return sorted(names)


@pytest.mark.parametrize(
    "shapes",
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3,)),
        ((5, 2, 3), (3, 4)),
        ((3,), (5, 3, 2)),
        ((2, 3), (5, 3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((5, 2, 3), (1, 3, 4)),
        ((7, 5, 2, 3), (5, 3, 4)),
        ((1, 2, 3), (5, 3, 4)),
        ((4, 1, 2, 3), (5, 3, 2)),
        ((3,), (2, 3, 1)),
    ],
    ids=str,
)
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)], ids=str)
def test_matmul_records_pytorchs_nodes(torch_ref, shapes, grads):
    """matmul is composed of dot/mv/mm/bmm as PyTorch composes it (folding the batch into one
    mm when PyTorch does): the same nodes, a result that is not a view, the same gradients."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    results = []
    for lib in (retrograd, torch_ref):
        a, b = (lib.tensor(x, requires_grad=g) for x, g in zip(arrays, grads))
        out = a @ b
        out.backward(lib.ones_like(out))
        results.append(
            (
                _node_names(out),
                out._base is None,
                out.is_contiguous(),
                out.detach().numpy(),
                [None if t.grad is None else t.grad.numpy() for t in (a, b)],
            )
        )
    ours, theirs = results
    assert ours[:3] == theirs[:3]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-12)
    for g, h in zip(ours[4], theirs[4]):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-12)


# --- einsum built as PyTorch builds it ------------------------------------------------------------

EINSUM_BUILT = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk->ki", [(2, 3), (3, 4)]),
    ("i->i", [(3,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("i,jk->k", [(2,), (3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i,i->", [(3,), (3,), (3,)]),
    ("bii,bj->bij", [(2, 3, 3), (2, 2)]),
    ("...i,...i", [(2, 3), (3,)]),
    ("i,i->", [(1,), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),
    ("ij,jk->ik", [(2, 0), (0, 4)]),
    ("iij->j", [(2, 2, 3)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM_BUILT, ids=[e for e, _ in EINSUM_BUILT])
def test_einsum_is_built_from_the_ops_pytorch_uses(torch_ref, equation, shapes):
    """Same values, gradients and second gradients; a view where PyTorch's result is one; the
    same node at the output."""

    def run(T):
        rng = np.random.default_rng(0)
        ops = [T.tensor(rng.uniform(-1, 1, s), requires_grad=True) for s in shapes]
        r = T.einsum(equation, *ops)
        gs = T.autograd.grad(r.sum(), ops, create_graph=True)
        s2 = sum((g * g).sum() for g in gs)
        gg = T.autograd.grad(s2, ops, allow_unused=True) if s2.requires_grad else ()
        arrays = [r] + list(gs) + [g for g in gg if g is not None]
        return (
            [a.detach().numpy() for a in arrays],
            r._base is not None,
            r.grad_fn.name(),
            [g is None for g in gg],
        )

    ours, theirs = run(retrograd), run(torch_ref)
    assert ours[1:] == theirs[1:]
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "equation,shapes,dtypes",
    [
        ("i,j->ij", [(2,), (2,)], ("float64", "float32")),
        ("i,i->i", [(2,), (2,)], ("int64", "float32")),
        ("i,jk->k", [(2,), (2, 2)], ("float32", "float64")),
        ("i,i->", [(2,), (2,)], ("float64", "float32")),
        ("ij,jk->ik", [(2, 2), (2, 2)], ("float32", "float64")),
        ("ij,jk->ik", [(2, 2), (2, 2)], ("int64", "int64")),
    ],
)
def test_einsum_promotes_where_pytorch_multiplies_and_refuses_where_it_contracts(
    torch_ref, equation, shapes, dtypes
):
    def run(T):
        ops = [T.ones(*s, dtype=getattr(T, d)) for s, d in zip(shapes, dtypes)]
        try:
            r = T.einsum(equation, *ops)
        except RuntimeError as e:
            return str(e)
        return str(r.dtype), r.tolist()

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize(
    "equation,shapes",
    [
        ("i,ji->j", [(3,), (2, 3)]),
        ("i,jk->k", [(2,), (1, 3)]),
        ("ij,jk->ik", [(2, 3), (3, 4)]),
        ("i,j->ij", [(2,), (3,)]),
    ],
)
def test_einsum_checks_what_it_saved_for_in_place_writes(torch_ref, equation, shapes):
    """A summed-away operand is saved as its sum, which a later write does not change; one that
    takes part in a product is saved as a view of it, and the write raises."""

    def run(T):
        a = T.tensor(np.linspace(0.5, 1.5, int(np.prod(shapes[0]))).reshape(shapes[0]))
        b = T.ones(*shapes[1], dtype=T.float64, requires_grad=True)
        r = T.einsum(equation, a, b)
        with T.no_grad():
            a.add_(1.13)
        try:
            r.sum().backward()
        except RuntimeError as e:
            return str(e).split(" is at version")[0]
        return b.grad.tolist()

    assert run(retrograd) == run(torch_ref)


def test_einsum_that_only_reorders_is_a_view(torch_ref):
    def run(T):
        x1 = T.tensor(-1.82, requires_grad=True)
        v0 = x1 * T.tensor([0.06, 0.24])
        v3 = T.einsum("i->i", v0)
        v3 += v0.flip(0)
        v0.sum().backward()
        x = T.zeros(3, 3)
        T.einsum("ii->i", x).add_(1)
        return x1.grad.item(), x.tolist()

    ours, theirs = run(retrograd), run(torch_ref)
    assert ours[1] == theirs[1] and np.isclose(ours[0], theirs[0])


# --- matmul dispatched as PyTorch dispatches it -------------------------------------------------

MATMUL_SHAPES = [
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 2, 3), (3,)),
    ((2, 2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 3), (2, 3, 4)),
    ((2, 2, 3), (2, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((4,), (2, 4, 1)),
    ((2, 3), (1, 3, 4)),
    ((1, 2, 3), (4, 3, 5)),
    ((4, 2, 3), (1, 3, 5)),
    ((1, 1, 1), (2, 1, 1)),
    ((1, 2, 3), (1, 3, 5)),
]


def _node_chain(t, n=3):
    out, fn = [], t.grad_fn
    while fn is not None and len(out) < n:
        out.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None and "Accum" not in f.name()]
        fn = nxt[0] if nxt else None
    return out


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)], ids=str)
def test_matmul_records_pytorch_nodes_and_saves_what_they_save(torch_ref, shapes, needs):
    def run(T):
        a, b = (T.ones(*s, requires_grad=r) for s, r in zip(shapes, needs))
        saved = []
        with T.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(tuple(t.shape)) or t, lambda t: t
        ):
            r = a @ b
        r.sum().backward()
        grads = [None if t.grad is None else t.grad.tolist() for t in (a, b)]
        return (
            tuple(r.shape),
            _node_chain(r),
            r._base is not None,
            r.is_contiguous(),
            sorted(saved),
            grads,
        )

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_errors_name_the_product_pytorch_calls(torch_ref, shapes):
    def run(T):
        out = []
        for first in (True, False):
            a = T.ones(*shapes[0], requires_grad=first)
            for b in (T.ones(*shapes[1], dtype=T.float64), T.ones(*shapes[1][:-1], 7)):
                for x, y in ((a, b), (b, a)):
                    try:
                        out.append(tuple((x @ y).shape))
                    except RuntimeError as e:
                        out.append(str(e))
        return out

    assert run(retrograd) == run(torch_ref)


# --- the matmul family with an added term ------------------------------------------------------

_G = np.random.default_rng(5).standard_normal

ADDED = [
    ("addmm", lambda t, a, b, c: t.addmm(a, b, c), [_G((2, 5)), _G((2, 3)), _G((3, 5))]),
    (
        "addmm_broadcast_scaled",
        lambda t, a, b, c: t.addmm(a, b, c, beta=0.5, alpha=2),
        [_G(5), _G((2, 3)), _G((3, 5))],
    ),
    (
        "addmm_beta_zero",
        lambda t, a, b, c: a.addmm(b, c, beta=0),
        [_G((2, 5)), _G((2, 3)), _G((3, 5))],
    ),
    (
        "addmm_inplace",
        lambda t, a, b, c: (a * 1).addmm_(b, c),
        [_G((2, 5)), _G((2, 3)), _G((3, 5))],
    ),
    ("addmv", lambda t, a, b, c: t.addmv(a, b, c, alpha=-1), [_G(2), _G((2, 3)), _G(3)]),
    ("addr", lambda t, a, b, c: t.addr(a, b, c, beta=2), [_G((2, 3)), _G(2), _G(3)]),
    (
        "baddbmm",
        lambda t, a, b, c: t.baddbmm(a, b, c, alpha=0.5),
        [_G((2, 3, 5)), _G((2, 3, 4)), _G((2, 4, 5))],
    ),
    (
        "addbmm",
        lambda t, a, b, c: t.addbmm(a, b, c, beta=0.3, alpha=2),
        [_G((3, 5)), _G((2, 3, 4)), _G((2, 4, 5))],
    ),
]


@pytest.mark.parametrize("name, fn, arrays", ADDED, ids=[c[0] for c in ADDED])
def test_matmul_with_added_term_matches_pytorch(torch_ref, name, fn, arrays):
    program_matches_pytorch(torch_ref, fn, arrays, np.linspace, atol=1e-12)
    ts = [retrograd.tensor(a, requires_grad=True) for a in arrays]
    assert retrograd.autograd.gradgradcheck(lambda *xs: fn(retrograd, *xs), ts)


@pytest.mark.parametrize(
    "program",
    [
        lambda t: t.addmm(t.tensor([[float("nan")]]), t.ones(1, 3), t.ones(3, 1), beta=0),
        lambda t: t.addmm(
            t.ones(2, 2, dtype=t.int64),
            t.ones(2, 3, dtype=t.int64),
            t.ones(3, 2, dtype=t.int64),
            beta=2,
            alpha=3,
        ),
    ],
)
def test_matmul_with_added_term_values_match_pytorch(torch_ref, program):
    assert str(program(retrograd)) == str(program(torch_ref))


(test_added_matmul_error_type_and_text, test_added_matmul_error_texts_are_pytorchs) = error_tests(
    [
        (
            lambda t: t.addmm(t.ones(3), t.ones(2, 3), t.ones(4, 5)),
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
        ),
        (
            lambda t: t.addmm(t.ones(3), t.ones(2, 3), t.ones(3, 5)),
            RuntimeError,
            "The expanded size of the tensor (5) must match the existing size (3) at "
            "non-singleton dimension 1.  Target sizes: [2, 5].  Tensor sizes: [3]",
        ),
        (
            lambda t: t.addmm(t.ones(5), t.ones(2, 3, 1), t.ones(3, 5)),
            RuntimeError,
            "mat1 must be a matrix, got 3-D tensor",
        ),
        (
            lambda t: t.addmv(t.ones(2), t.ones(2, 3), t.ones(4)),
            RuntimeError,
            "size mismatch, got input (2), mat (2x3), vec (4)",
        ),
        (
            lambda t: t.baddbmm(t.ones(2, 3, 5), t.ones(2, 3, 4), t.ones(3, 4, 5)),
            RuntimeError,
            "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: "
            "[3, 4].",
        ),
        (
            lambda t: t.addbmm(t.ones(3, 5), t.ones(2, 3, 4), t.ones(2, 5, 5)),
            RuntimeError,
            "Incompatible matrix sizes for bmm (3x4 and 5x5)",
        ),
        (
            lambda t: t.addmm(t.ones(2, 5, dtype=t.float64), t.ones(2, 3), t.ones(3, 5)),
            RuntimeError,
            "self and mat2 must have the same dtype, but got Double and Float",
        ),
    ]
)
