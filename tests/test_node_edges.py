"""A node's edges (``grad_fn.next_functions``) as PyTorch's: one per input that has a derivative
formula, in order, each the input's node (or ``None`` for an input that needs no gradient), and
none for a mask, a condition, a loss's weight, or a number that PyTorch's overload takes as a
Scalar (``2 - x``, ``fmod(x, 2)``); a node without derivatives (``NotImplemented``) has edges to
the inputs that require grad alone.

Checked on the result of every op sample in ``tests/op_samples.py`` against PyTorch, and on
programs with Python numbers, which the samples do not pass."""

import pytest
from op_samples import SAMPLES, graph_nodes, inputs, tensors_of

import retrograd
from retrograd.ops.registry import OPS

# Samples whose graph is composed otherwise than PyTorch's, so that the result's node has other
# edges for a reason that is not the edge rule above.
DIFFERENT_GRAPH = {
    # Second-derivative nodes: PyTorch's formula table gives the forward input a zero
    # derivative (an edge that never carries a gradient); retrograd's backward op does not take
    # that input, or takes it as an attribute (an index, the input's shape).
    "_conv_weight": "backward op without the forward input",
    "_index_backward": "backward op without the zeros tensor PyTorch's formula takes first",
    "_index_scatter": "backward op without the zeros tensor PyTorch's formula takes first",
    "_gather_backward": "backward op without the zeros tensor PyTorch's formula takes first",
    "_index_select_backward": "backward op without the zeros tensor PyTorch's formula takes first",
    "_ctc_loss_backward": "PyTorch's backward op also takes the loss (its node) as an input",
    "_batch_norm_backward": "PyTorch's backward op also takes the forward's reserve (empty on CPU)",
    # Composites: the node's inputs are made by other ops on one side.
    "_addmm_linear": "PyTorch's addmm takes weight.t() (TBackward0), retrograd's the weight itself",
    "_prelu": "PyTorch views the weight first (ViewBackward0)",
    "_select": "PyTorch's sample selects twice where retrograd selects once",
    "_index_gather": "PyTorch's sample sums the leaf where retrograd's indexes it first",
    "_copy_slices": "PyTorch's CopySlices keeps the leaf's edge where retrograd's reads a product",
    "_zero_flat": "the write into the flat view is composed otherwise (CopySlices in PyTorch)",
}

ROWS = [
    pytest.param(name, sample, id=f"{name}-{i}")
    for name, samples in SAMPLES.items()
    if name not in DIFFERENT_GRAPH
    for i, sample in enumerate(samples)
    if "edges" not in sample.xfail  # (a sample whose graph PyTorch composes otherwise)
]


def _edges(t):
    fn = t.grad_fn
    if fn is None:
        return None
    return [(None if f is None else f.name(), nr) for f, nr in fn.next_functions]


@pytest.mark.parametrize("name, sample", ROWS)
def test_sample_result_has_pytorchs_edges(torch_ref, name, sample):
    try:
        refs = tensors_of(sample.fn(torch_ref, *inputs(torch_ref, sample)))
    except Exception:  # noqa: BLE001 - a sample of an error: test_op_table checks it
        return
    outs = tensors_of(sample.fn(retrograd, *inputs(retrograd, sample)))
    assert [_edges(o) for o in outs] == [_edges(r) for r in refs]


def test_exceptions_are_samples():
    assert set(DIFFERENT_GRAPH) <= set(SAMPLES)


PROGRAMS = [
    "2 - x",
    "lib.rsub(x, 2)",
    "lib.rsub(x, lib.tensor(2.0))",
    "x % 2",
    "lib.fmod(x, 2)",
    "lib.fmod(x, lib.tensor(2.0))",
    "lib.remainder(x, 2)",
    "lib.remainder(x, lib.tensor(2.0))",
    "x.fmod(2).remainder(0.5)",
    "x + 2",
    "x * 2",
    "x / 2",
    "x ** 2",
    "2 ** x",
    "lib.where(x > 0, x, 1.0)",
    "lib.where(x > 0, 1.0, x)",
    "lib.where(x > 0, x, x * 2)",
    "x.masked_fill(x > 0, 1.0)",
    "x.masked_fill(x > 0, lib.tensor(1.0))",
    "x.masked_fill(x > 0, y)",
    "lib.nn.functional.soft_margin_loss(x, c)",
    "lib.nn.functional.binary_cross_entropy(x.sigmoid(), c, c)",
    "lib.nn.functional.binary_cross_entropy_with_logits(x, c, c, pos_weight=c)",
    "lib.nn.functional.binary_cross_entropy_with_logits(x, x.sigmoid(), c)",
    "x // 2",
    "lib.floor_divide(c, x)",
    "lib.floor_divide(x, x)",
    "lib.heaviside(x, c)",
    "lib.heaviside(c, x)",
    "lib.heaviside(x, x)",
]


@pytest.mark.parametrize("program", PROGRAMS)
def test_numbers_masks_and_nodes_without_derivatives(torch_ref, program):
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([0.5, -1.5, 2.0], requires_grad=True)
        y = lib.tensor(0.25, requires_grad=True)
        c = lib.tensor([0.2, 0.7, 0.4])
        out = eval(program, {"lib": lib, "x": x, "y": y, "c": c})
        got.append((out.grad_fn.name(), _edges(out)))
    assert got[0] == got[1]


@pytest.mark.parametrize(
    "program",
    [
        lambda t, x: (2 - x) * t.fmod(x, 0.3) + t.remainder(x, 0.7) + x % 0.2,
        lambda t, x: t.where(x > 0.5, x * x, 1.0) + x.masked_fill(x < 0.3, 2.0).exp(),
        lambda t, x: x.clone().fmod_(0.3).remainder_(0.2) * x,
    ],
)
def test_gradients_through_fewer_edges(program):
    x = retrograd.tensor([0.13, 0.47, 0.71], dtype=retrograd.float64, requires_grad=True)
    assert retrograd.autograd.gradcheck(lambda x: program(retrograd, x), [x])
    assert retrograd.autograd.gradgradcheck(lambda x: program(retrograd, x), [x])


@pytest.mark.parametrize(
    "program",
    [
        lambda t, x, p: t.special.ndtri(x.sigmoid()),
        lambda t, x, p: t.special.log_ndtr(x),
        lambda t, x, p: t.nn.functional.binary_cross_entropy_with_logits(x, p),
        lambda t, x, p: t.nn.functional.binary_cross_entropy_with_logits(p, x.sigmoid()),
        lambda t, x, p: t.nn.functional.binary_cross_entropy(p, x.sigmoid()),
        lambda t, x, p: x.mean() * x.sum(),
        lambda t, x, p: x.mean(1, keepdim=True) * x * p,
        lambda t, x, p: t.var_mean(x, 1)[1] * x.sum(1),
    ],
)
def test_formulas_divide_by_a_number_as_pytorchs(torch_ref, program):
    """A derivative formula that divides by a number (the element count of a mean or a mean
    loss, a constant) records DivBackward1, PyTorch's division by a Scalar, in a create_graph gradient;
    a Python ``x / 2`` stays DivBackward0 (test_numbers_masks_and_nodes_without_derivatives)."""
    got = []
    for lib in (retrograd, torch_ref):
        x = lib.tensor([[0.5, -1.5, 2.0], [0.3, 1.1, -0.2]], requires_grad=True)
        p = lib.tensor([[0.2, 0.7, 0.4], [0.9, 0.35, 0.6]], requires_grad=True)
        (grad,) = lib.autograd.grad(program(lib, x, p).sum(), [x], create_graph=True)
        got.append(graph_nodes(grad))
    assert got[0] == got[1]


# Ops whose gradients, taken with create_graph, PyTorch records with other nodes today, by cause
# (``tools/gradient_graphs.py --tree`` prints both graphs).
_OWN_BACKWARD = "PyTorch's gradient is one backward op of its own (...BackwardBackward0)"
_ZERO_EDGE = "PyTorch's backward op also takes the forward input, with a zero derivative"
_NO_SECOND = "PyTorch's backward op has no derivative (NotImplemented in its gradient's graph)"
_LINALG = "the factorization's derivative is composed of other matrix ops than PyTorch's"
_COMPLEX = "a complex formula conjugates or takes parts otherwise than PyTorch's"
_COMPOSED_SECOND = "PyTorch's second-derivative formula is composed of other ops than retrograd's"
_WRITES = "in-place writes and views composed otherwise (CopySlices, CloneBackward0 in PyTorch)"
GRADIENT_GRAPH_DIFFERS = {
    **dict.fromkeys(
        "_prelu "
        "_embedding_bag _cdist pdist grid_sampler_2d "
        "grid_sampler_3d _scaled_dot_product_flash_attention_for_cpu _attention_with_weights".split(),
        _OWN_BACKWARD,
    ),
    **dict.fromkeys(
        "_convolution".split(),
        _ZERO_EDGE,
    ),
    **dict.fromkeys("_multi_margin_loss _multilabel_margin_loss _ctc_loss".split(), _NO_SECOND),
    **dict.fromkeys(
        "_det _slogdet _eigh _svd _qr _pinv _lstsq matrix_exp _linalg_eig _lu_factor_ex _lu "
        "_lu_solve _householder_product triangular_solve ormqr _euclidean_dist".split(),
        _LINALG,
    ),
    **dict.fromkeys("tanh sigmoid cumprod sgn angle polar".split(), _COMPLEX),
    **dict.fromkeys(
        "_copy_slices _view_of_base _zero_flat _take_flat _put_flat _threshold_ "
        "_polygamma_in_place".split(),
        _WRITES,
    ),
    **dict.fromkeys("_gelu_backward _glu_backward".split(), _COMPOSED_SECOND),
    "_addmm_linear": "PyTorch's addmm reads weight.t() (TBackward0), retrograd's the weight itself",
    "_group_norm": "PyTorch's create_graph gradient is composed of views, sums and products",
    **dict.fromkeys(
        "_layer_norm_backward _native_batch_norm_backward _batch_norm_backward".split(),
        "PyTorch's second derivative of a normalisation is composed of other ops (sums, views)",
    ),
    "_weight_norm": "PyTorch's norm of the weight is reshaped (ViewBackward0)",
    "_gamma": "PyTorch's gradient of the sample reads no graph (_standard_gamma_grad)",
    "renorm": "PyTorch's formula is composed of other ops",
    "_index_reduce": "PyTorch's formula gathers with index_select, retrograd's with gather",
}

GRADIENT_ROWS = [
    pytest.param(name, sample, id=f"{name}-{i}")
    for name, samples in SAMPLES.items()
    if name in OPS and OPS[name].differentiable and name not in GRADIENT_GRAPH_DIFFERS
    for i, sample in enumerate(samples)
    if sample.grad and "values" not in sample.xfail
]


def _gradient_graphs(lib, sample):
    """The node names of the graph of each input's gradient, taken with create_graph (none for
    no gradient: whether a gradient of zeros is None is test_op_table's)."""
    xs = inputs(lib, sample)
    outs = [o for o in tensors_of(sample.fn(lib, *xs)) if o.requires_grad]
    leaves = [x for x in xs if x.requires_grad]
    ones = [lib.ones_like(o) for o in outs]
    grads = lib.autograd.grad(outs, leaves, ones, allow_unused=True, create_graph=True)
    return [{} if g is None else graph_nodes(g) for g in grads]


@pytest.mark.parametrize("name, sample", GRADIENT_ROWS)
def test_sample_gradient_has_pytorchs_graph(torch_ref, name, sample):
    """A derivative formula records PyTorch's nodes under create_graph: a product by a number
    is MulBackward1 (``_mul_scalar``), a sum with one AddBackward1, ``number - x`` SubBackward0,
    a reduction's gradient broadcasts without ExpandBackward0 ..."""
    try:
        theirs = _gradient_graphs(torch_ref, sample)
    except Exception:  # noqa: BLE001 - no derivative in PyTorch: test_op_table checks it
        return
    assert _gradient_graphs(retrograd, sample) == theirs


def test_gradient_graph_exceptions_are_samples():
    assert set(GRADIENT_GRAPH_DIFFERS) <= set(SAMPLES)
