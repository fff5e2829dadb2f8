"""Functions of PyTorch's namespace built from others: ``torch.gradient``, ``torch.range``,
``torch.detach``/``detach_``, ``torch.addmv_``, ``torch.embedding_renorm_`` and the CPU
settings ``init_num_threads``/``set_flush_denormal``, each run side by side with PyTorch."""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck


def _run(lib, expression):
    """The expression's result as plain data (tensors as dtype, values, grad_fn name), or its
    exception type and first line."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _plain(eval(expression, {"torch": lib}))
    except Exception as e:
        return type(e).__name__, str(e).splitlines()[0] if str(e) else ""


def _plain(r):
    if isinstance(r, (tuple, list)):
        return type(r).__name__, [_plain(x) for x in r]
    if hasattr(r, "grad_fn"):
        name = None if r.grad_fn is None else r.grad_fn.name()
        values = str(np.round(r.detach().numpy().astype(np.float64), 5).tolist())  # (nan too)
        return str(r.dtype), tuple(r.shape), values, r.requires_grad, name
    return r


def _same(torch_ref, expression):
    assert _run(retrograd, expression) == _run(torch_ref, expression)


X = "torch.tensor([[1., 2, 4, 8], [10, 20, 40, 85.]], requires_grad=True)"
C = "torch.tensor([0., 1, 3, 7.5])"

GRADIENT = [
    f"torch.gradient({X})",
    f"torch.gradient({X}, spacing=2., dim=1)",
    f"torch.gradient({X}, spacing=[2., 3.])",
    f"torch.gradient({X}, spacing=[{C}], dim=1, edge_order=2)",
    f"torch.gradient({X}, spacing=[{C}], dim=-1)",
    f"torch.gradient({X}, spacing=(torch.tensor([0., 1.5]), {C}))",
    f"torch.gradient({X}, dim=[1], edge_order=2)",
    f"torch.gradient({X}, spacing=[1., 2.], dim=1)",
    f"torch.gradient({X}, spacing=[torch.ones(4).double()], dim=1)",
    f"torch.gradient({X}, spacing=[torch.ones(3)], dim=1)",
    f"torch.gradient({X}, dim=[])",
    f"torch.gradient({X}, edge_order=3)",
    f"torch.gradient({X}, dim=2)",
    f"torch.gradient({X}, dim=(0, 0))",
    f"torch.gradient({X}, spacing=[1., 2., 3.])",
    f"torch.gradient({X}, spacing=[torch.ones(2, 2)], dim=0)",
    f"torch.gradient({X}, spacing=[torch.tensor(2.)], dim=0)",
    f"torch.gradient({X}[:, :1])",
    f"torch.gradient({X}[:, :2], edge_order=2)",
    "torch.gradient(torch.ones(1, 4), dim=1)",
    "torch.gradient(torch.tensor(1.))",
    "torch.gradient(torch.arange(5), edge_order=2)",
    "torch.gradient(torch.arange(4), spacing=2.)",
    "torch.gradient(torch.arange(4), spacing=[torch.arange(4)])",
    "torch.gradient(torch.ones(2, 4).double(), spacing=torch.tensor(2.))",
    "torch.gradient(2.)",
]


@pytest.mark.parametrize("expression", GRADIENT)
def test_gradient_matches_pytorch(torch_ref, expression):
    _same(torch_ref, expression)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"spacing": 0.5, "edge_order": 2},
        {"spacing": [2.0, 3.0], "dim": [1, 0]},
        {"spacing": "coordinates", "dim": 1},
        {"spacing": "coordinates", "dim": 1, "edge_order": 2},
    ],
)
def test_gradient_is_differentiable(kwargs):
    x = retrograd.tensor(np.random.default_rng(0).uniform(-1, 1, (3, 5)), requires_grad=True)
    coordinates = retrograd.tensor([0.0, 0.4, 1.1, 1.5, 2.6], dtype=retrograd.float64)
    coordinates.requires_grad_()
    kwargs = dict(kwargs)
    if kwargs.get("spacing") == "coordinates":
        kwargs["spacing"] = [coordinates]

        def f(x, c):
            return retrograd.gradient(x, **{**kwargs, "spacing": [c]})

        inputs = (x, coordinates)
    else:

        def f(x):
            return retrograd.gradient(x, **kwargs)

        inputs = (x,)
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


RANGE = [
    "torch.range(0, 3)",
    "torch.range(1, 2, 0.5)",
    "torch.range(0, 1, 0.1)",
    "torch.range(0, 1, 0.1, dtype=torch.float64)",
    "torch.range(0, 10, 3)",
    "torch.range(0.5, 2)",
    "torch.range(1, 1)",
    "torch.range(-1, 1, 0.1)",
    "torch.range(0, 3, dtype=torch.int64)",
    "torch.range(0, 3, requires_grad=True)",
    "torch.range(torch.tensor(0), torch.tensor(2))",
    "torch.range(0, 1, 0)",
    "torch.range(1, 0)",
    "torch.range(0, 1, -1)",
    "torch.range(0, float('inf'))",
]


@pytest.mark.parametrize("expression", RANGE)
def test_range_matches_pytorch(torch_ref, expression):
    _same(torch_ref, expression)


def test_range_warns_as_pytorch(torch_ref):
    with pytest.warns(UserWarning) as theirs:
        torch_ref.range(0, 2)
    with pytest.warns(UserWarning) as ours:
        retrograd.range(0, 2)
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # (pointed at the caller)


W = "torch.arange(15.).reshape(5, 3) - 7"
A = "torch.tensor([[2., 1, 0], [1, 3, 1], [0, 1, 4]], dtype=torch.float64)"
SINGULAR = "torch.tensor([[[1., 2], [2, 4]], [[1, 0], [0, 2.]]], dtype=torch.float64)"

OTHERS = [
    *(f"torch.linalg.cond({A}, {p!r})" for p in (None, "fro", "nuc", 1, -1, 2, -2)),
    *(f"torch.linalg.cond({A}, float({p!r}))" for p in ("inf", "-inf")),
    f"torch.linalg.cond({A} + 1j * {A}.flip(0), 1)",
    f"torch.linalg.cond({SINGULAR}, 'fro')",
    f"torch.linalg.cond({SINGULAR}, 1)",
    f"torch.linalg.cond({SINGULAR}, float('inf'))",
    f"torch.linalg.cond({A}[:2], 1)",
    f"torch.linalg.cond({A}[:2], 'nuc')",
    f"torch.linalg.cond({A}[:2], -2)",
    "torch.linalg.cond(torch.ones(2, 2), 3)",
    "torch.linalg.cond(torch.ones(2, 2), 'abc')",
    "torch.linalg.cond(torch.ones(2), 1)",
    "torch.linalg.cond(torch.ones(0, 0), 1)",
    "torch.linalg.cond(torch.ones(0, 0))",
    "torch.linalg.cond(torch.ones(2, 0, 0), 'nuc')",
    "torch.linalg.cond(torch.ones(2, 2, dtype=torch.int64), 1)",
    "torch.detach(2.)",
    "torch.detach_(2.)",
    "torch.detach((torch.ones(2, requires_grad=True) * 2))",
    "torch.detach_((torch.ones(2, requires_grad=True) * 2))",
    "torch.detach_((torch.ones(2, requires_grad=True) * 2)[:1])",
    "torch.addmv_(torch.ones(2), torch.ones(2, 3), torch.ones(3), beta=2, alpha=3)",
    "torch.addmv_(2., torch.ones(2, 3), torch.ones(3))",
    "torch.init_num_threads()",
    "torch.set_flush_denormal(1)",
    f"torch.embedding_renorm_({W}, torch.tensor([0, 2, 2]), 1.0, 2.0)",
    f"torch.embedding_renorm_({W}, torch.tensor([4, 1]), 3.0, 1.0)",
    f"torch.embedding_renorm_({W}, torch.tensor([4, 1]), 3.0, float('inf'))",
    f"torch.embedding_renorm_({W}, torch.tensor([[4, -1]]), 3.0, 2.0)",
    f"torch.embedding_renorm_({W}.double(), torch.tensor([0, 1], dtype=torch.int32), 0.5, 2)",
    f"torch.embedding_renorm_({W}, torch.tensor([0, 1]), 0.5, 0)",
    f"torch.embedding_renorm_({W}, torch.tensor([0, 1]), 0.5, -1)",
    f"torch.embedding_renorm_({W}, torch.tensor([0, 1]), -0.5, 2)",
    f"torch.embedding_renorm_({W}.requires_grad_(), torch.tensor([4, 1]), 3.0, 2.0)",
    f"torch.embedding_renorm_({W}, torch.tensor([4., 1]), 3.0, 2.0)",
    "torch.embedding_renorm_(torch.ones(3), torch.tensor([1]), 3.0, 2.0)",
    f"torch.embedding_renorm_({W}, torch.tensor([7]), 3.0, 2.0)",
    f"torch.embedding_renorm_({W}.int(), torch.tensor([1]), 3.0, 2.0)",
    f"torch.embedding_renorm_({W}, [1], 3.0, 2.0)",
    "torch.embedding_renorm_(2., torch.tensor([0, 1]), 0.5, 2)",
]


@pytest.mark.parametrize("expression", OTHERS)
def test_matches_pytorch(torch_ref, expression):
    _same(torch_ref, expression)


@pytest.mark.parametrize("p", [None, "fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")])
def test_cond_is_differentiable(p):
    # (PyTorch's own backward of the norm-based orders fails: it writes into the inverse it
    # saved; these gradients are checked against finite differences)
    a = np.random.default_rng(1).uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)
    x = retrograd.tensor(a, requires_grad=True)
    assert gradcheck(lambda x: retrograd.linalg.cond(x, p), (x,))
    assert gradgradcheck(lambda x: retrograd.linalg.cond(x, p), (x,))


def test_embedding_renorm_writes_in_place_under_no_grad(torch_ref):
    for lib in (retrograd, torch_ref):
        w = lib.ones(4, 2, requires_grad=True)
        with lib.no_grad():
            out = lib.embedding_renorm_(w, lib.tensor([1]), 0.5, 2.0)
        assert out is w
        assert w._version == 1
        assert w[1].tolist() == pytest.approx([0.5**0.5 / 2] * 2, rel=1e-5)


def test_set_flush_denormal_says_subnormals_are_kept():
    # NumPy offers no flush-to-zero switch: asking for it is refused (PyTorch's answer where
    # the processor has none), and subnormal numbers stay what they are
    assert retrograd.set_flush_denormal(True) is False
    assert retrograd.set_flush_denormal(False) is True
    assert retrograd.tensor([1e-320], dtype=retrograd.float64).item() == 1e-320
