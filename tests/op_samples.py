"""Sample inputs for every op in the op table (``retrograd.ops.OPS``), keyed by the op's registered
name; ``tests/test_op_table.py`` checks each sample against PyTorch, finite differences and forward
mode.  Declaring an op with ``@op`` without adding its samples here fails that test module.

A sample is ``S(fn, *specs)``: ``fn(lib, *tensors)`` runs the same program on retrograd or on
PyTorch (``lib``) and returns a tensor or a tuple of them; the op the sample is filed under must
record a node in the result's graph.  Each spec makes one input: ``(shape, domain)``, a floating
input that requires grad with values drawn from ``domain``, or an integer or bool input (domains
``INT``, ``BOOL``).  Ops reached only inside a backward formula are sampled through a double
backward (``backward_of``).  Where the op takes them, an op's samples include 0-d and empty inputs
(``unary``/``binary`` add both).  ``xfail={"values" | "gradcheck" | "gradgradcheck" |
"forward_ad": reason}`` marks a check that differs from PyTorch today: a strict xfail;
``"edges"`` leaves a sample out of ``tests/test_node_edges.py`` (PyTorch builds another graph).
"""

import collections

import numpy as np

import retrograd
from retrograd.ops.nnops import _weight_norm as _retrograd_weight_norm

ANY = (-1.0, 1.0)
POS = (0.5, 2.0)
UNIT = (-0.9, 0.9)
PROB = (0.1, 0.9)
AWAY = "away"  # signed, at least 0.1 from every multiple of 0.5: no kink of abs/relu/floor/round
DISTINCT = "distinct"  # no two values closer than 0.1: no ties for max, sort, pooling
INT = "int"
BOOL = "bool"
CPLX = "complex"  # complex values, both parts in (-1, 1): the input is complex64/complex128


class S:
    """One sample of an op; see the module docstring."""

    def __init__(self, fn, *specs, grad=True, xfail=None):
        self.fn = fn
        self.specs = [s if s and isinstance(s[0], tuple) else (s, ANY) for s in specs]
        self.grad = grad  # False: the op has no gradient in this sample (its inputs are integers)
        self.xfail = xfail or {}


def _values(shape, domain, rng):
    if domain == AWAY:
        return rng.integers(-4, 4, shape) * 0.5 + rng.uniform(0.1, 0.4, shape)
    if domain == DISTINCT:
        n = int(np.prod(shape))
        return (rng.permutation(n) - n / 2).reshape(shape) * 0.25 + rng.uniform(0, 0.05, shape)
    if domain == INT:
        return rng.integers(-5, 6, shape)
    if domain == BOOL:
        return rng.integers(0, 2, shape).astype(bool)
    if domain == CPLX:
        return rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)
    return rng.uniform(domain[0], domain[1], shape)


def inputs(lib, sample, dtype="float64"):
    """The sample's inputs as ``lib`` tensors: the same values for retrograd and PyTorch."""
    out = []
    for i, (shape, domain, *grad) in enumerate(sample.specs):
        a = _values(shape, domain, np.random.default_rng(100 + i))
        if domain in (INT, BOOL):
            out.append(lib.tensor(a))
        else:
            kind = getattr(lib, dtype)
            t = lib.tensor(a, dtype=kind.to_complex() if domain == CPLX else kind)
            if not a.size:  # (PyTorch's tensor() gives an empty array stride 0, which its
                t = lib.empty(a.shape, dtype=t.dtype)  # gradcheck refuses)
            out.append(t.requires_grad_(sample.grad and grad != [False]))
    return out


def tensors_of(result):
    """The tensors a sample returns, in order (an op may return a tuple, a namedtuple, a list)."""
    if isinstance(result, (tuple, list)):
        return [r for item in result for r in tensors_of(item)]
    return [result] if hasattr(result, "grad_fn") else []


def graph_nodes(t, edges=False):
    """The names of the nodes of ``t``'s graph, with how many of each (``edges``: and of each
    (node, next node) pair)."""
    found: collections.Counter = collections.Counter()
    todo, seen = [t.grad_fn], set()
    while todo:
        fn = todo.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        found[fn.name()] += 1
        for f, _ in fn.next_functions:
            if f is not None:
                todo.append(f)
                if edges:
                    found[f"{fn.name()} -> {f.name()}"] += 1
    return found


def random_weights(lib, outs, rng):
    """Standard normal draws of each output's shape and dtype (complex where it is): the
    gradients of a random weighting of the outputs, from the generator ``rng``."""
    ws = []
    for o in outs:
        w = rng.standard_normal(tuple(o.shape))
        if o.dtype.is_complex:
            w = w + 1j * rng.standard_normal(tuple(o.shape))
        ws.append(lib.tensor(w, dtype=o.dtype))
    return ws


# --- helpers for writing samples ----------------------------------------------------------------


def C(shape, domain=ANY):
    """A floating input that does not require grad (an op's target, weight, ...)."""
    return (shape, domain, False)


def unary(fn, domain=ANY, **kw):
    """A matrix, a 0-d and an empty input."""
    return [S(fn, ((3, 4), domain), **kw), S(fn, ((), domain), **kw), S(fn, ((0, 3), domain), **kw)]


def binary(fn, d1=ANY, d2=ANY, **kw):
    """Broadcasting shapes, a 0-d input against a matrix, and an empty input."""
    return [
        S(fn, ((3, 4), d1), ((4,), d2), **kw),
        S(fn, ((), d1), ((2, 3), d2), **kw),
        S(fn, ((0, 3), d1), ((3,), d2), **kw),
    ]


def backward_of(f):
    """``fn(lib, x, g)``: the gradient of ``f(lib, x)`` for output gradient ``g``, made with
    ``create_graph``: its graph holds the nodes of ``f``'s backward formulas."""
    return lambda t, x, g: t.autograd.grad(f(t, x), x, g, create_graph=True)[0]


def X(reason, *checks):
    """``xfail=`` for the checks (all four when none is named) that differ from PyTorch."""
    return dict.fromkeys(checks or ("values", "gradcheck", "gradgradcheck", "forward_ad"), reason)


NAMES = "values"  # the check that compares node names


def _idx(t, *values):
    return t.tensor(values)


def _seeded(f):
    def run(t, *xs):
        t.manual_seed(0)
        return f(t, *xs)

    return run


def _write_view(t, x, y):
    b = x * 1
    b[1].mul_(y)
    return b


def _view_after_write(t, x, y):
    b = x * 1
    v = b[1]
    b.mul_(y)  # the view's node is remade from its base's (PyTorch's AsStridedBackward0)
    return v


def _tangent(t, x, v):
    fwad = t.autograd.forward_ad
    with fwad.dual_level():
        return fwad.unpack_dual(fwad.make_dual(x, v).sin()).tangent


M = (3, 4)
SAMPLES = {}


def _add(name, *samples):
    SAMPLES.setdefault(name, []).extend(
        s for group in samples for s in (group if isinstance(group, list) else [group])
    )


# --- indexing ---------------------------------------------------------------------------------

# the backward of each kind of read, under the name of the op PyTorch's formula calls
_add("_index_backward", S(backward_of(lambda t, x: x[_idx(t, 0, 2)]), M, (2, 4)))
_add("_select_backward", S(backward_of(lambda t, x: x[1]), M, (4,)))
_add("_slice_backward", S(backward_of(lambda t, x: x[:, 1:3]), M, (3, 2)))
_add(
    "_gather_backward",
    S(backward_of(lambda t, x: t.gather(x, 1, t.tensor([[0, 3], [1, 1], [2, 0]]))), M, (3, 2)),
)
_add(
    "_index_select_backward",
    S(backward_of(lambda t, x: x.index_select(0, _idx(t, 2, 0))), M, (2, 4)),
)
_add(
    "_select", S(lambda t, x: x[1], M), S(lambda t, x: x[1, 2], M), S(lambda t, x: x[0], (0 + 2, 0))
)
_add("_slice", S(lambda t, x: x[1:3], M), S(lambda t, x: x[:, ::2], M), S(lambda t, x: x[2:2], M))
_add("_unsqueeze_index", S(lambda t, x: x[None], M), S(lambda t, x: x[None], ()))
_add("_alias", S(lambda t, x: x[...], M), S(lambda t, x: x[...], ()))


def _primal(t, x):
    """forward AD's primal of a dual tensor made of ``x``, read inside its level."""
    fw = t.autograd.forward_ad
    with fw.dual_level():
        return fw.unpack_dual(fw.make_dual(x, t.ones_like(x)))[0]


_add("_identity", S(_primal, M), S(_primal, ()))
_add(
    "_index",
    S(lambda t, x: x[_idx(t, 0, 2)], M),
    S(lambda t, x: x[:, _idx(t, 3, 0, 3)], M),
    S(lambda t, x: x[t.tensor([], dtype=t.int64)], M),
)
_add("_gather", S(lambda t, x: t.gather(x, 1, t.tensor([[0, 3], [1, 1], [2, 0]])), M))
_add("_index_select", S(lambda t, x: t.index_select(x, 0, _idx(t, 2, 0)), M))
_SCATTER = [[0, 1, 2, 0], [2, 0, 1, 1]]  # no row twice in one column
_add("_scatter_src", S(lambda t, x, s: x.scatter(0, t.tensor(_SCATTER), s), M, (2, 4)))
_add("_scatter_value", S(lambda t, x: x.scatter(0, t.tensor(_SCATTER), 2.5), M))
_add(
    "_scatter_add",
    S(lambda t, x, s: x.scatter_add(0, t.tensor([[0, 1, 2, 0], [0, 0, 1, 1]]), s), M, (2, 4)),
)
_MASK = [True, False, True, False]
_add(
    "_masked_fill_scalar",
    S(lambda t, x: x.masked_fill(t.tensor(_MASK), 0.5), M),
    S(lambda t, x: x.masked_fill(t.tensor(True), 0.5), ()),
)
_add("_masked_fill_tensor", S(lambda t, x, v: x.masked_fill(t.tensor(_MASK), v), M, ()))
_add(
    "tril",
    S(lambda t, x: x.tril(), M),
    S(lambda t, x: x.tril(-1), (2, 3, 3)),
    S(lambda t, x: x.tril(), (0, 3)),
)
_add("triu", S(lambda t, x: x.triu(1), M), S(lambda t, x: x.triu(), (2, 3, 3)))
_add(
    "_scatter_reduced",
    S(lambda t, x, s: x.scatter(0, _idx(t, [0, 1, 0, 2], [2, 0, 0, 1]), s, reduce="add"), M, M),
)
_add(
    "_scatter_reduced_value",
    S(lambda t, x: x.scatter(1, _idx(t, [0, 3], [1, 1]), 1.5, reduce="multiply"), M),
)
_add(
    "_masked_scatter",
    S(backward_of(lambda t, x: x.masked_select(t.tensor(_MASK))), M, (6,)),  # its backward
)
_add(
    "_masked_select",
    S(lambda t, x: x.masked_select(t.tensor(_MASK)), M),
    S(lambda t, x: x.masked_select(t.tensor(False)), ()),
)

# --- pointwise --------------------------------------------------------------------------------

_add(
    "add",
    binary(lambda t, x, y: x + y),
    S(lambda t, x, y: t.add(x, y, alpha=2.5), M, M),
    S(lambda t, x: 1.5 + x, M),
)
_add(
    "_rsub",
    S(lambda t, x: 2 - x, M),
    S(lambda t, x: 2 - x, ()),
    S(lambda t, x, y: t.rsub(x, y), M, M),
)
_add("_sub", binary(lambda t, x, y: x - y), S(lambda t, x, y: t.sub(x, y, alpha=-2), M, M))
_add("mul", binary(lambda t, x, y: x * y), S(lambda t, x: x * 3, M))
_add("true_divide", binary(lambda t, x, y: x / y, ANY, POS))
_add("neg", unary(lambda t, x: -x))
_add(
    "_pow_scalar",
    unary(lambda t, x: x**3),
    S(lambda t, x: x**2.5, (M, POS)),
    S(lambda t, x: x**0, M),
)
_add("_pow_tensor", binary(lambda t, x, y: x**y, POS, ANY))
_add("_pow_scalar_base", unary(lambda t, x: 2**x))
_add(
    "_rounded_div",
    binary(lambda t, x, y: t.div(x, y, rounding_mode="floor"), AWAY, POS),
    S(lambda t, x, y: t.div(x, y, rounding_mode="trunc"), (M, AWAY), ((4,), POS)),
)
_add(
    "_floor_divide",
    S(
        lambda t, x, y: x // y,
        (M, AWAY),
        ((4,), POS),
        xfail={
            "forward_ad": "forward AD of floor_divide raises NotImplementedError; PyTorch raises "
            "RuntimeError (its node has no derivative)",
        },
    ),
)
for _name, _dom in [
    ("exp", ANY),
    ("log", POS),
    ("log10", POS),
    ("log1p", POS),
    ("expm1", ANY),
    ("log2", POS),
    ("sqrt", POS),
    ("rsqrt", POS),
    ("reciprocal", POS),
    ("floor", AWAY),
    ("ceil", AWAY),
    ("trunc", AWAY),
    ("round", AWAY),
    ("frac", AWAY),
    ("abs", AWAY),
    ("sign", AWAY),
    ("sin", ANY),
    ("cos", ANY),
    ("tan", ANY),
    ("tanh", ANY),
    ("asin", UNIT),
    ("acos", UNIT),
    ("atan", ANY),
    ("sinh", ANY),
    ("cosh", ANY),
    ("sigmoid", ANY),
    ("relu", AWAY),
    ("erf", ANY),
    ("erfinv", UNIT),
    ("erfc", ANY),
    ("lgamma", POS),
    ("digamma", POS),
]:
    _add(_name, unary(lambda t, x, _name=_name: getattr(x, _name)(), _dom))
_add("_round_decimals", S(lambda t, x: t.round(x, decimals=1), (M, (0.11, 0.14))))
_add("tanh_backward", S(backward_of(lambda t, x: x.tanh()), M, M))
_add("sigmoid_backward", S(backward_of(lambda t, x: x.sigmoid()), M, M))
_add("threshold_backward", S(backward_of(lambda t, x: x.relu()), (M, AWAY), M))
_add(
    "_clamp_scalar",
    unary(lambda t, x: x.clamp(-0.5, 0.5), AWAY),
    S(lambda t, x: t.clamp(x, min=0.5), (M, AWAY)),
)
_add("_clamp_tensor", S(lambda t, x, lo, hi: x.clamp(lo, hi), M, (4,), ()))
_add(
    "_clamp_min_scalar",
    unary(lambda t, x: t.clamp_min(x, 0.0), AWAY),
)
_add("_clamp_max_scalar", unary(lambda t, x: x.clamp_max(0.0), AWAY))
_add("_clamp_min_tensor", binary(lambda t, x, y: x.clamp_min(y)))
_add("_clamp_max_tensor", binary(lambda t, x, y: t.clamp_max(x, y)))
_add("maximum", binary(lambda t, x, y: t.maximum(x, y)))
_add("minimum", binary(lambda t, x, y: t.minimum(x, y)))
_add(
    "_where",
    binary(lambda t, x, y: t.where(x > 0, x, y)),
    S(lambda t, x: t.where(x > 0, x, 0.0), M),
)
_add("_lerp_scalar", binary(lambda t, x, y: t.lerp(x, y, 0.3)))
_add("_lerp_tensor", S(lambda t, x, y, w: t.lerp(x, y, w), M, (4,), ()))
_add("addcmul", S(lambda t, x, y, z: t.addcmul(x, y, z, value=0.5), M, (4,), (3, 1)))
_add("_addcdiv", S(lambda t, x, y, z: t.addcdiv(x, y, z, value=0.5), M, (4,), ((3, 1), POS)))
for _name, _fn in [
    ("eq", lambda t, x, y: x == y),
    ("ne", lambda t, x, y: x != y),
    ("lt", lambda t, x, y: x < y),
    ("le", lambda t, x, y: x <= y),
    ("gt", lambda t, x, y: x > y),
    ("ge", lambda t, x, y: x >= y),
    ("logical_and", lambda t, x, y: t.logical_and(x, y)),
    ("logical_or", lambda t, x, y: t.logical_or(x, y)),
    ("logical_xor", lambda t, x, y: t.logical_xor(x, y)),
    ("isclose", lambda t, x, y: t.isclose(x, y, atol=0.3)),
]:
    _add(_name, binary(_fn))
for _name, _fn in [
    ("bitwise_and", lambda t, x, y: x & y),
    ("bitwise_or", lambda t, x, y: x | y),
    ("bitwise_xor", lambda t, x, y: x ^ y),
]:
    _add(_name, S(_fn, (M, INT), ((4,), INT), grad=False), S(_fn, (M, BOOL), (M, BOOL), grad=False))
_add(
    "bitwise_not",
    S(lambda t, x: ~x, (M, INT), grad=False),
    S(lambda t, x: ~x, ((), BOOL), grad=False),
)
_add("logical_not", unary(lambda t, x: t.logical_not(x)))
for _name in ["isnan", "isinf", "isfinite"]:
    _add(_name, unary(lambda t, x, _name=_name: getattr(x.log(), _name)()))
_add("nan_to_num", unary(lambda t, x: t.nan_to_num(x.log(), nan=0.5)))
for _name in ("remainder", "fmod"):
    _add(
        _name,
        unary(lambda t, x, _name=_name: getattr(t, _name)(x, 1.5), AWAY),
        binary(
            lambda t, x, y, _name=_name: getattr(t, _name)(x, y),
            AWAY,
            POS,
        ),
    )
_add(
    "_tangent_link",
    S(
        _tangent,
        M,
        M,
        xfail=X(
            "a forward-AD tangent made under grad mode ends in TangentLinkBackward0, a node "
            "PyTorch does not have (its tangent's grad_fn is the formula's last op, MulBackward0)",
            NAMES,
        ),
    ),
)

# --- reductions -------------------------------------------------------------------------------

_add(
    "_sum_dim",
    S(lambda t, x: x.sum(1), M),
    S(lambda t, x: x.sum((0, 1), keepdim=True), M),
    S(lambda t, x: x.sum(0), (0, 3)),
)
_add("_sum_all", unary(lambda t, x: x.sum()))
_add("_mean_dim", S(lambda t, x: x.mean(1), M), S(lambda t, x: x.mean(-1, keepdim=True), (2, 3, 4)))
_add("_mean_all", S(lambda t, x: x.mean(), M), S(lambda t, x: x.mean(), ()))
_add("_prod_all", S(lambda t, x: x.prod(), M), S(lambda t, x: x.prod(), ()))
_add("_prod_dim", S(lambda t, x: x.prod(1), M), S(lambda t, x: x.prod(0, keepdim=True), (0, 3)))
_add(
    "_var",
    S(lambda t, x: x.var(1), M),
    S(lambda t, x: x.var(), M),
    S(lambda t, x: x.var(0, correction=0), M),
)
_add("_std", S(lambda t, x: x.std(1), M), S(lambda t, x: x.std(), M))
_add("amax", S(lambda t, x: x.amax(1), (M, DISTINCT)), S(lambda t, x: x.amax(), ((), DISTINCT)))
_add("amin", S(lambda t, x: x.amin(0), (M, DISTINCT)))
_add("_max_all", S(lambda t, x: x.max(), (M, DISTINCT)), S(lambda t, x: x.max(), ((), DISTINCT)))
_add("_min_all", S(lambda t, x: x.min(), (M, DISTINCT)))
_add(
    "_max_dim",
    S(lambda t, x: x.max(1), (M, DISTINCT)),
    S(lambda t, x: x.max(0, keepdim=True), (M, DISTINCT)),
)
_add("_min_dim", S(lambda t, x: x.min(1), (M, DISTINCT)))
_add(
    "argmax", S(lambda t, x: x.argmax(1), (M, DISTINCT)), S(lambda t, x: x.argmax(), ((), DISTINCT))
)
_add("argmin", S(lambda t, x: x.argmin(), (M, DISTINCT)))
_add("any", S(lambda t, x: (x > 0).any(1), M), S(lambda t, x: x.any(), ((0, 3), BOOL), grad=False))
_add("all", S(lambda t, x: (x > 0).all(), M), S(lambda t, x: x.all(0), (M, BOOL), grad=False))
_add(
    "_vector_norm",
    S(lambda t, x: t.linalg.vector_norm(x), M),
    S(lambda t, x: t.linalg.vector_norm(x, 3, dim=1), M),
    S(lambda t, x: x.norm(), M),
)
_add(
    "_p_norm",
    S(lambda t, x, y: _f(t).pairwise_distance(x, y), M, (4,)),
    S(lambda t, x, y: _f(t).pairwise_distance(x, y, p=3, keepdim=True), (2, 3), (2, 3)),
)
_add(
    "logsumexp",
    S(lambda t, x: x.logsumexp(1), M),
    S(lambda t, x: t.logsumexp(x, 0), ()),
    # complex: shifted by the largest real part, the principal imaginary part
    S(lambda t, z: t.logsumexp(z * 4, 0), ((3, 4), CPLX)),
)
_add(
    "cumsum",
    S(lambda t, x: x.cumsum(1), M),
    S(lambda t, x: x.cumsum(0), ()),
    S(lambda t, x: x.cumsum(0), (0, 3)),
)
_add(
    "cumprod",
    S(lambda t, x: x.cumprod(1), M),
    S(lambda t, x: x.cumprod(0), ()),
)
_add("softmax", S(lambda t, x: x.softmax(1), M), S(lambda t, x: x.softmax(0), ()))
_add("log_softmax", S(lambda t, x: x.log_softmax(1), M), S(lambda t, x: x.log_softmax(0), (0, 3)))
_add(
    "_softmax_backward_data",
    S(backward_of(lambda t, x: x.softmax(1)), M, M),
    S(backward_of(lambda t, x: x.softmax(0)), (), ()),
)
_add(
    "_safe_softmax",
    S(lambda t, x: t._safe_softmax(x, 1), M),
    S(
        lambda t, x: t._safe_softmax(
            x.masked_fill(t.tensor([True, False, False]), -float("inf")), 0
        ),
        (2, 3),
    ),
    S(lambda t, x: t._safe_softmax(x, 0, t.float32), (3,)),
)
_add(
    "_log_softmax_backward_data",
    S(backward_of(lambda t, x: x.log_softmax(1)), M, M),
    S(backward_of(lambda t, x: x.log_softmax(-1)), (3,), (3,)),
)

# --- shapes -----------------------------------------------------------------------------------

_add(
    "view",
    S(lambda t, x: x.view(4, 3), M),
    S(lambda t, x: x.view(1), ()),
    S(lambda t, x: x.view(-1), (0, 3)),
)
_add("_unsafe_view", S(lambda t, x: x.t().reshape(-1), M))
_add(
    "_reshape_alias",
    S(lambda t, x: x[:, ::2].reshape(3, 1, 2), M),
    S(lambda t, x: x.t().reshape(1, 4, 3), M),
)
_add("expand", S(lambda t, x: x.expand(2, 3, 4), (3, 1)), S(lambda t, x: x.expand(3), ()))
_add(
    "_sum_keeping_dims", S(lambda t, x: x.sum_to_size(1, 4), M), S(lambda t, x: x.sum_to_size(4), M)
)
_add(
    "transpose", S(lambda t, x: x.transpose(0, 1), M), S(lambda t, x: x.transpose(0, -1), (2, 0, 3))
)
_add("t", S(lambda t, x: x.t(), M), S(lambda t, x: x.t(), ()))
_add("permute", S(lambda t, x: x.permute(2, 0, 1), (2, 3, 4)))
_add("unsqueeze", S(lambda t, x: x.unsqueeze(1), M), S(lambda t, x: x.unsqueeze(0), ()))
_add("_squeeze", S(lambda t, x: x.squeeze(), (3, 1, 4)), S(lambda t, x: x.squeeze(), ()))
_add("_squeeze_dim", S(lambda t, x: x.squeeze(1), (3, 1, 4)))
_add("_squeeze_dims", S(lambda t, x: x.squeeze((1, 2)), (3, 1, 1)))
_add(
    "clone",
    unary(lambda t, x: x.clone()),
    S(lambda t, x: x.clone(memory_format=t.channels_last), (2, 3, 2, 2)),
    S(lambda t, x: x.contiguous(memory_format=t.channels_last).clone(), (2, 3, 2, 2)),
)
_add(
    "_to_copy",
    S(lambda t, x: x.to(t.float32 if x.dtype == t.float64 else t.float64) * 1, M),
    S(lambda t, x: x.to(memory_format=t.channels_last) * 1, (2, 3, 2, 2)),
)
_add("repeat", S(lambda t, x: x.repeat(2, 1), M), S(lambda t, x: x.repeat(3), ()))
_add("flip", S(lambda t, x: x.flip(0), M), S(lambda t, x: x.flip(0, 1), (0, 3)))
_add(
    "split",
    S(lambda t, x: x.split(2), M),
    S(lambda t, x: x.split(3, dim=1), M),
    S(lambda t, x: t.split(x, t.tensor(2), 1), M),
)
_add("split_with_sizes", S(lambda t, x: x.split([1, 2]), M))
_add("unbind", S(lambda t, x: x.unbind(1), M))
_add(
    "cat",
    S(lambda t, x, y: t.cat([x, y]), M, (2, 4)),
    S(lambda t, x, y: t.cat([x, y], 1), M, (3, 0)),
)
_add(
    "stack", S(lambda t, x, y: t.stack([x, y]), M, M), S(lambda t, x, y: t.stack([x, y], 0), (), ())
)
_add("_roll", S(lambda t, x: x.roll(1, 0), M), S(lambda t, x: x.roll((1, -1), (0, 1)), M))

# --- convolution and pooling ------------------------------------------------------------------

_COMPLEX_CONV = dict.fromkeys(
    ("values", "edges"), "PyTorch composes a complex convolution of real ones: other nodes"
)
_add(
    "_convolution",
    S(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b), (1, 2, 3, 3), (2, 2, 2, 2), (2,)),
    S(lambda t, x, w: t.nn.functional.conv1d(x, w, stride=2, padding=1), (1, 2, 5), (2, 2, 3)),
    S(lambda t, x, w: t.nn.functional.conv_transpose2d(x, w), (1, 2, 2, 2), (2, 1, 2, 2)),
    # complex: each gradient conjugates the other factor
    # (the values and gradients against PyTorch's: tests/test_conv.py)
    S(
        lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1),
        ((1, 2, 3, 3), CPLX),
        ((2, 2, 2, 2), CPLX),
        ((2,), CPLX),
        xfail=_COMPLEX_CONV,
    ),
    S(
        lambda t, x, w: t.nn.functional.conv_transpose1d(x, w, stride=2, groups=2),
        ((1, 2, 3), CPLX),
        ((2, 2, 2), CPLX),
        xfail=_COMPLEX_CONV,
    ),
)
_add(
    "_conv_weight",
    S(
        lambda t, x, w, g: t.autograd.grad(t.nn.functional.conv2d(x, w), w, g, create_graph=True)[
            0
        ],
        (1, 1, 3, 3),
        (2, 1, 2, 2),
        (1, 2, 2, 2),
    ),
    S(
        lambda t, x, w, g: t.autograd.grad(t.nn.functional.conv1d(x, w), w, g, create_graph=True)[
            0
        ],
        ((1, 1, 4), CPLX),
        ((2, 1, 2), CPLX),
        ((1, 2, 3), CPLX),
        xfail=_COMPLEX_CONV,
    ),
)
_add("_max_pool2d", S(lambda t, x: t.nn.functional.max_pool2d(x, 2), ((1, 2, 4, 4), DISTINCT)))
_add(
    "_pool_scatter",
    S(
        backward_of(lambda t, x: t.nn.functional.max_pool2d(x, 2)),
        ((1, 2, 4, 4), DISTINCT),
        (1, 2, 2, 2),
    ),
)


def _max_pool2d_backward(t, x, g):
    indices = t.nn.functional.max_pool2d_with_indices(x.detach(), 3, 2, 1)[1]
    return t.ops.aten.max_pool2d_with_indices_backward(g, x, 3, 2, 1, 1, False, indices)


_add("_pool_scatter", S(_max_pool2d_backward, ((1, 2, 5, 4), DISTINCT), (1, 2, 3, 2)))
_add(
    "_adaptive_pool_scatter",
    S(
        backward_of(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (2, 3))),
        ((1, 2, 5, 4), DISTINCT),
        (1, 2, 2, 3),
    ),
)
_add(
    "avg_pool2d",
    S(lambda t, x: t.nn.functional.avg_pool2d(x, 2), (1, 2, 4, 4)),
    S(lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1), (1, 1, 5, 5)),
)
_add(
    "_avg_pool2d_backward",
    S(backward_of(lambda t, x: t.nn.functional.avg_pool2d(x, 2)), (1, 1, 4, 4), (1, 1, 2, 2)),
)
_add(
    "_adaptive_avg_pool2d",
    S(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (2, 2)), (1, 2, 5, 4)),
)
_add(
    "_adaptive_avg_pool2d_backward",
    S(
        backward_of(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (2, 3))),
        (1, 2, 5, 4),
        (1, 2, 2, 3),
    ),
)
_add(
    "_max_pool3d",
    S(lambda t, x: t.nn.functional.max_pool3d(x, 2), ((1, 2, 4, 4, 3), DISTINCT)),
    S(
        lambda t, x: t.nn.functional.max_pool3d(x, 3, 2, 1, ceil_mode=True),
        ((2, 4, 5, 3), DISTINCT),
    ),
)
_add(
    "_pool_scatter3d",
    S(
        backward_of(lambda t, x: t.nn.functional.max_pool3d(x, 2)),
        ((1, 2, 4, 4, 2), DISTINCT),
        (1, 2, 2, 2, 1),
    ),
)
_add(
    "avg_pool3d",
    S(lambda t, x: t.nn.functional.avg_pool3d(x, 2), (1, 2, 4, 4, 3)),
    S(lambda t, x: t.nn.functional.avg_pool3d(x, 3, 2, 1, True, False), (1, 5, 4, 5)),
)
_add(
    "_avg_pool3d_backward",
    S(
        backward_of(lambda t, x: t.nn.functional.avg_pool3d(x, 2)),
        (1, 1, 4, 4, 2),
        (1, 1, 2, 2, 1),
    ),
)
_add(
    "_max_unpool2d",
    S(
        lambda t, x: _f(t).max_unpool2d(*_f(t).max_pool2d(x, 2, return_indices=True), 2),
        ((1, 2, 4, 4), DISTINCT),
    ),
    S(
        lambda t, x: _f(t).max_unpool1d(
            *_f(t).max_pool1d(x, 2, return_indices=True), 2, output_size=(7,)
        ),
        ((2, 7), DISTINCT),
    ),
)
_add(
    "im2col",
    S(lambda t, x: _f(t).unfold(x, 2), (1, 2, 3, 4)),
    S(lambda t, x: _f(t).unfold(x, (2, 3), (1, 2), 1, (2, 1)), (2, 4, 5)),
)
_add(
    "col2im",
    S(lambda t, x: _f(t).fold(x, (3, 4), 2), (1, 8, 6)),
    S(lambda t, x: _f(t).fold(x, (4, 5), (2, 3), (1, 2), 1, (2, 1)), (12, 9)),
)


def _fractional(t, x, nd, out):
    u = t.tensor(np.linspace(0.1, 0.9, x.shape[0] * x.shape[1] * nd), dtype=x.dtype)
    f = getattr(_f(t), f"fractional_max_pool{nd}d")
    return f(x, 2, out, _random_samples=u.reshape(x.shape[0], x.shape[1], nd))


_add(
    "_fractional_max_pool2d",
    S(lambda t, x: _fractional(t, x, 2, (3, 2)), ((2, 2, 5, 4), DISTINCT)),
)
_add(
    "_fractional_scatter2d",
    S(
        backward_of(lambda t, x: _fractional(t, x, 2, (3, 2))),
        ((1, 2, 5, 4), DISTINCT),
        (1, 2, 3, 2),
    ),
)
_add(
    "_fractional_max_pool3d",
    S(lambda t, x: _fractional(t, x, 3, (2, 2, 3)), ((1, 2, 4, 5, 5), DISTINCT)),
)
_add(
    "_fractional_scatter3d",
    S(
        backward_of(lambda t, x: _fractional(t, x, 3, (2, 2, 3))),
        ((1, 1, 4, 5, 5), DISTINCT),  # (one channel: the 2-d sample has two; the scatter is shared)
        (1, 1, 2, 2, 3),
    ),
)
_add(
    "_max_unpool3d",
    S(
        lambda t, x: _f(t).max_unpool3d(*_f(t).max_pool3d(x, 2, return_indices=True), 2),
        ((1, 2, 4, 2, 4), DISTINCT),
    ),
)

# --- in-place writes and their nodes ----------------------------------------------------------

_add("_copy_slices", S(_write_view, M, ()))
_add("_view_of_base", S(_view_after_write, M, ()))
_add(
    "_zero_flat",
    S(
        lambda t, x, y, g: t.autograd.grad(_write_view(t, x, y), x, g, create_graph=True)[0],
        M,
        (),
        M,
    ),
)
_add(
    "_take_flat",
    S(
        lambda t, x, y, g: t.autograd.grad(_write_view(t, x, y), y, g, create_graph=True)[0],
        M,
        (),
        M,
    ),
)
_add(
    "_put_flat",
    S(
        lambda t, x, y, g, h: t.autograd.grad(
            t.autograd.grad(_write_view(t, x, y), y, g, create_graph=True)[0],
            g,
            h,
            create_graph=True,
        )[0],
        M,
        (),
        M,
        (),
        xfail=X(
            "the second derivative through a write's source reads PutFlatBackward0; PyTorch's "
            "is as_strided's backward (AsStridedBackward0 over the write of it)",
            NAMES,
            "edges",
        ),
    ),
)
_add("_zero", S(lambda t, x: (x * 1).zero_(), M))
_add("_fill", S(lambda t, x: (x * 1).fill_(2.0), M))
_add("_fill_tensor", S(lambda t, x, v: (x * 1).fill_(v), M, ()))
_add(
    "_copy_from",
    S(lambda t, x, y: (x * 1).copy_(y), M, (4,)),
    S(
        lambda t, x, y: t.diff(x, 0, dim=0, prepend=y[None]), M, (4,)
    ),  # n = 0: a copy, prepend ignored
)
_add("_sub", S(lambda t, x, y: t.diff(x, 2, dim=0, prepend=y[None], append=x[:1]), M, (4,)))
_INDEX_PUT = lambda t, x, v: t.index_put(x, (_idx(t, 0, 2),), v)
_add(
    "_index_put",
    S(_INDEX_PUT, M, (2, 4)),
    S(lambda t, x, v: t.index_put(x, (_idx(t, 0, 0),), v, accumulate=True), M, (4,)),
)
_add(
    "_index_gather",
    S(
        lambda t, x, v, g: t.autograd.grad(_INDEX_PUT(t, x, v), v, g, create_graph=True)[0],
        M,
        (2, 4),
        M,
    ),
)
_add(
    "_index_scatter",
    S(
        lambda t, x, v, g, h: t.autograd.grad(
            t.autograd.grad(_INDEX_PUT(t, x, v), v, g, create_graph=True)[0],
            g,
            h,
            create_graph=True,
        )[0],
        M,
        (2, 4),
        M,
        (2, 4),
        xfail=X("the node is IndexScatterBackward0; PyTorch's is IndexPutImplBackward0", NAMES),
    ),
)
for _name, _fn in [
    ("_UniformBackward0", lambda t, x: (x * 1).uniform_()),
    ("_NormalBackward0", lambda t, x: (x * 1).normal_()),
    ("_BernoulliBackward2", lambda t, x: (x * 1).bernoulli_(0.3)),
    ("_ExponentialBackward0", lambda t, x: (x * 1).exponential_()),
    ("_GeometricBackward0", lambda t, x: (x * 1).geometric_(0.3)),
    ("_LogNormalBackward0", lambda t, x: (x * 1).log_normal_()),
    ("_CauchyBackward0", lambda t, x: (x * 1).cauchy_()),
    ("_RandomBackward0", lambda t, x: (x * 1).random_(2, 10)),
    ("_RandomBackward1", lambda t, x: (x * 1).random_(10)),
    ("_RandomBackward2", lambda t, x: (x * 1).random_()),
]:
    _add(_name, S(_seeded(_fn), M))
_add("_bernoulli_by_tensor", S(_seeded(lambda t, x, p: (x * 1).bernoulli_(p)), M, ((4,), PROB)))
_RESTRIDE = X(
    "forward AD of an in-place restride (t_, transpose_, unsqueeze_, squeeze_) leaves the "
    "tangent in its old shape",
    "forward_ad",
)
_add("_TBackward1", S(lambda t, x: (x * 1).t_(), M, xfail=_RESTRIDE))
_add("_TransposeBackward1", S(lambda t, x: (x * 1).transpose_(0, 1), M, xfail=_RESTRIDE))
_add("_UnsqueezeBackward1", S(lambda t, x: (x * 1).unsqueeze_(1), M, xfail=_RESTRIDE))
_add("_SqueezeBackward3", S(lambda t, x: (x * 1).squeeze_(), (3, 1, 4), xfail=_RESTRIDE))
_add("_SqueezeBackward4", S(lambda t, x: (x * 1).squeeze_(1), (3, 1, 4), xfail=_RESTRIDE))
_add("_SqueezeBackward5", S(lambda t, x: (x * 1).squeeze_((1, 2)), (3, 1, 1), xfail=_RESTRIDE))

# --- linear algebra ---------------------------------------------------------------------------

_add("mm", S(lambda t, x, y: x.mm(y), M, (4, 2)), S(lambda t, x, y: x @ y, (0, 4), (4, 2)))
_add("dot", S(lambda t, x, y: x.dot(y), (4,), (4,)), S(lambda t, x, y: x @ y, (0,), (0,)))
_add("bmm", S(lambda t, x, y: x.bmm(y), (2, 3, 4), (2, 4, 2)))
_add("_diagonal_backward", S(backward_of(lambda t, x: x.diagonal()), M, (3,)))
_add("diagonal", S(lambda t, x: x.diagonal(), M), S(lambda t, x: x.diagonal(1, 0, 2), (2, 3, 4)))
_add("trace", S(lambda t, x: x.trace(), M))
_add(
    "_diag_embed",
    S(lambda t, x: t.diag_embed(x), M),
    S(lambda t, x: t.diag_embed(x, 1), (3,)),
    S(lambda t, x: t.diag_embed(x, -1, 0, 2), (2, 3, 2)),
    S(lambda t, x: x.diag_embed(2, 2, 0), M),
)
_add("mv", S(lambda t, x, y: x.mv(y), M, (4,)))

# --- neural-network ops -----------------------------------------------------------------------


def _f(t):
    return t.nn.functional


def _weight_norm(t):
    # torch._weight_norm; retrograd keeps it in nn.utils (it has no top-level _weight_norm)
    return getattr(t, "_weight_norm", None) or _retrograd_weight_norm


_add("_addmm_linear", S(lambda t, x, w, b: _f(t).linear(x, w, b), M, (2, 4), (2,)))
_add(
    "_gelu", unary(lambda t, x: _f(t).gelu(x)), S(lambda t, x: _f(t).gelu(x, approximate="tanh"), M)
)
_add(
    "_gelu_backward",
    S(backward_of(lambda t, x: _f(t).gelu(x)), M, M),
    S(backward_of(lambda t, x: _f(t).gelu(x, approximate="tanh")), M, M),
)
_add("_silu", unary(lambda t, x: _f(t).silu(x)))
_add(
    "_softplus_backward",
    S(backward_of(lambda t, x: _f(t).softplus(x)), M, M),
    S(backward_of(lambda t, x: _f(t).softplus(x * 4, beta=2, threshold=1)), M, M),
)
_add(
    "_softplus",
    unary(lambda t, x: _f(t).softplus(x)),
    S(lambda t, x: _f(t).softplus(x, beta=2, threshold=1), M),
)
_add("_elu", unary(lambda t, x: _f(t).elu(x), AWAY), S(lambda t, x: _f(t).selu(x), (M, AWAY)))
_add(
    "_elu_backward",
    S(backward_of(lambda t, x: _f(t).elu(x)), (M, AWAY), M),
    S(backward_of(lambda t, x: _f(t).celu(x, 0.5)), (M, AWAY), M),
    S(backward_of(lambda t, x: _f(t).selu(x * 1, inplace=True)), (M, AWAY), M),
    S(backward_of(lambda t, x: _f(t).celu_(x * 1, 2.0)), (M, AWAY), M),
)
_add(
    "_LeakyReluBackwardBackward0",
    S(backward_of(lambda t, x: _f(t).leaky_relu(x, 0.1)), (M, AWAY), M),
)
_add(
    "_HardtanhBackwardBackward0",
    S(backward_of(lambda t, x: _f(t).hardtanh(x, -0.5, 0.5)), (M, AWAY), M),
)
_add("_leaky_relu", unary(lambda t, x: _f(t).leaky_relu(x, 0.1), AWAY))
_add("_hardtanh", unary(lambda t, x: _f(t).hardtanh(x, -0.5, 0.5), AWAY))
_add("_log_sigmoid_backward", S(backward_of(lambda t, x: _f(t).logsigmoid(x)), M, M))
_add("_log_sigmoid", unary(lambda t, x: _f(t).logsigmoid(x)))
_add("_hardsigmoid_backward", S(backward_of(lambda t, x: _f(t).hardsigmoid(x * 4)), (M, AWAY), M))
_add("_hardsigmoid", unary(lambda t, x: _f(t).hardsigmoid(x * 4), AWAY))
_add("_hardswish_backward", S(backward_of(lambda t, x: _f(t).hardswish(x * 4)), (M, AWAY), M))
_add("_hardswish", unary(lambda t, x: _f(t).hardswish(x * 4), AWAY))
_add("_mish", unary(lambda t, x: _f(t).mish(x)))
_add("_threshold", unary(lambda t, x: _f(t).threshold(x, 0.1, 20.0), AWAY))
_add("_celu", unary(lambda t, x: _f(t).celu(x, 0.5), AWAY))
_add("_elu_", S(lambda t, x: _f(t).elu_(x * 1), (M, AWAY)))
_add("_celu_", S(lambda t, x: _f(t).celu_(x * 1, 0.5), (M, AWAY)))
_add("_leaky_relu_", S(lambda t, x: _f(t).leaky_relu_(x * 1, 0.1), (M, AWAY)))
_add("_threshold_", S(lambda t, x: _f(t).threshold_(x * 1, 0.1, 20.0), (M, AWAY)))
_add(
    "hardshrink",
    unary(lambda t, x: _f(t).hardshrink(x), AWAY),
    S(lambda t, x: x.hardshrink(1.5), (M, AWAY)),
)
_add("_softshrink", unary(lambda t, x: _f(t).softshrink(x, 1.0), AWAY))
_add(
    "_HardshrinkBackwardBackward0",
    S(backward_of(lambda t, x: _f(t).hardshrink(x)), (M, AWAY), M),
)
_add(
    "_SoftshrinkBackwardBackward0",
    S(backward_of(lambda t, x: _f(t).softshrink(x)), (M, AWAY), M),
)
_add(
    "_rrelu_with_noise",
    unary(lambda t, x: _f(t).rrelu(x, 0.1, 0.3), AWAY),
    S(_seeded(lambda t, x: _f(t).rrelu(x, 0.1, 0.3, training=True)), (M, AWAY)),
)
_add(
    "_RreluWithNoiseBackwardBackward0",
    S(backward_of(lambda t, x: _f(t).rrelu(x, 0.1, 0.3)), (M, AWAY), M),
    S(_seeded(backward_of(lambda t, x: _f(t).rrelu(x, 0.1, 0.3, training=True))), (M, AWAY), M),
)
_add(
    "_rrelu_with_noise_",
    S(_seeded(lambda t, x: t.rrelu_(x * 1, 0.1, 0.3, training=True)), (M, AWAY)),
    S(lambda t, x: _f(t).rrelu(x * 1, 0.1, 0.3, inplace=True), (M, AWAY)),
)
_add(
    "pixel_shuffle",
    S(lambda t, x: t.pixel_shuffle(x, 2), (2, 8, 2, 3)),
    S(lambda t, x: t.pixel_shuffle(x, 1), (0, 1, 2)),
)
_add(
    "pixel_unshuffle",
    S(lambda t, x: t.pixel_unshuffle(x, 2), (2, 1, 4, 2)),
    S(lambda t, x: t.pixel_unshuffle(x.transpose(-1, -2), 3), (3, 3, 6)),
)
_add(
    "channel_shuffle",
    S(lambda t, x: t.channel_shuffle(x, 3), (2, 6, 2)),
    S(lambda t, x: t.channel_shuffle(x, 2), (0, 4, 2, 1)),
)
_add(
    "_multi_margin_loss",
    S(lambda t, x: _f(t).multi_margin_loss(x, t.tensor([1, 0, 3])), (3, 4)),
    S(
        lambda t, x: _f(t).multi_margin_loss(x, t.tensor([2, 0, 3]), 2, 0.5, reduction="none"),
        (3, 4),
    ),
    S(lambda t, x: _f(t).multi_margin_loss(x, t.tensor(2), reduction="sum"), (4,)),
)
_add(
    "_multilabel_margin_loss",
    S(lambda t, x: _f(t).multilabel_margin_loss(x, t.tensor([[1, -1, 0], [2, 0, 1]])), (2, 3)),
    S(
        lambda t, x: _f(t).multilabel_margin_loss(x, t.tensor([2, 1, -1]), reduction="none"),
        (3,),
    ),
)
_add(
    "_embedding_bag",
    *[
        S(
            lambda t, w, mode=mode: _f(t).embedding_bag(
                t.tensor([1, 2, 4, 4, 0, 3]), w, t.tensor([0, 2, 2]), mode=mode
            ),
            (5, 3),
        )
        for mode in ("sum", "mean", "max")
    ],
    S(
        lambda t, w, p: _f(t).embedding_bag(
            t.tensor([[1, 2, 4], [4, 0, 3]]), w, mode="sum", per_sample_weights=p, padding_idx=4
        ),
        (5, 3),
        (2, 3),
    ),
)


def _ctc(t, x, reduction="none", normalise=True):
    return _f(t).ctc_loss(
        x.log_softmax(2) if normalise else x,
        t.tensor([[1, 2, 2], [3, 1, 0]]),
        t.tensor([5, 4]),
        t.tensor([3, 2]),
        reduction=reduction,
    )


_CTC_FORWARD_AD = X(
    "forward AD through ctc_loss meets its missing second derivative (a RuntimeError); "
    "PyTorch has no forward formula for it (a NotImplementedError)",
    "forward_ad",
)
_add(
    "_ctc_loss",
    S(_ctc, (5, 2, 4), xfail=_CTC_FORWARD_AD),
    S(lambda t, x: _ctc(t, x, "mean"), (5, 2, 4), xfail=_CTC_FORWARD_AD),
)
_add(
    "_ctc_loss_backward",
    S(
        backward_of(lambda t, x: _ctc(t, x, normalise=False)),
        (5, 2, 4),
        (2,),
        xfail=_CTC_FORWARD_AD,
    ),
)
_add(
    "_adaptive_max_pool2d",
    S(lambda t, x: _f(t).adaptive_max_pool2d(x, (2, 3)), (1, 2, 5, 4)),
    S(lambda t, x: _f(t).adaptive_max_pool1d(x, 2), (2, 5)),
)
_add(
    "_glu_backward",
    S(backward_of(lambda t, x: _f(t).glu(x)), M, (3, 2)),
    S(backward_of(lambda t, x: _f(t).glu(x, 0)), (4, 2), (2, 2)),
)
_add("_glu", S(lambda t, x: _f(t).glu(x), M), S(lambda t, x: _f(t).glu(x, 0), (4, 2)))
_add(
    "_prelu",
    S(lambda t, x, w: _f(t).prelu(x, w), ((2, 3, 4), AWAY), (3,)),
    S(lambda t, x, w: _f(t).prelu(x, w), ((3, 4), AWAY), (1,)),
)
_add(
    "_layer_norm",
    S(lambda t, x, w, b: _f(t).layer_norm(x, (3,), w, b), (2, 3), (3,), (3,)),
    S(lambda t, x: _f(t).layer_norm(x, (3, 4)), (2, 3, 4)),
)
_add(
    "_batch_norm",
    S(lambda t, x, w, b: _f(t).batch_norm(x, None, None, w, b, training=True), (3, 2), (2,), (2,)),
    S(
        lambda t, x: _f(t).batch_norm(x, t.zeros(2, dtype=x.dtype), t.ones(2, dtype=x.dtype)),
        (3, 2, 2),
    ),
)


def _stats(t, x):
    return t.zeros(x.shape[1], dtype=x.dtype), t.ones(x.shape[1], dtype=x.dtype)


_add(
    "_native_batch_norm_legit",
    S(
        lambda t, x, w, b: t._native_batch_norm_legit(x, w, b, *_stats(t, x), True, 0.1, 1e-5)[0],
        (3, 2),
        (2,),
        (2,),
    ),
    S(
        lambda t, x: t._native_batch_norm_legit(x, None, None, *_stats(t, x), False, 0.1, 1e-5)[0],
        (3, 2, 2),
    ),
)
_add(
    "_native_batch_norm_legit_no_stats",
    S(
        lambda t, x, w, b: t._native_batch_norm_legit(x, w, b, True, 0.1, 1e-5)[0],
        (3, 2, 2),
        (2,),
        (2,),
    ),
)
_add(
    "_native_batch_norm_legit_no_training",
    S(
        lambda t, x, w, b: t._native_batch_norm_legit_no_training(
            x, w, b, *_stats(t, x), 0.1, 1e-5
        )[0],
        (3, 2),
        (2,),
        (2,),
    ),
)
_add(
    "_batch_norm_with_update",
    S(
        lambda t, x, w, b: t.ops.aten._batch_norm_with_update(x, w, b, *_stats(t, x), 0.1, 1e-5)[0],
        (3, 2, 2),
        (2,),
        (2,),
    ),
)
_add(
    "_batch_norm_no_update",
    S(
        lambda t, x, w, b: t.ops.aten._batch_norm_no_update(x, w, b, *_stats(t, x), 0.1, 1e-5)[0],
        (3, 2),
        (2,),
        (2,),
    ),
)
_add("_group_norm", S(lambda t, x, w, b: _f(t).group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,)))


def _affine_grads(f):
    """``fn(lib, x, w, b, g)``: the gradients of ``f(lib, x, w, b)`` for output gradient ``g``,
    made with ``create_graph``: a graph of the normalisation's backward op."""
    return lambda t, x, w, b, g: t.autograd.grad(f(t, x, w, b), (x, w, b), g, create_graph=True)


_add(
    "_layer_norm_backward",
    S(
        _affine_grads(lambda t, x, w, b: _f(t).layer_norm(x, (3,), w, b)),
        (2, 3),
        (3,),
        (3,),
        (2, 3),
    ),
    S(backward_of(lambda t, x: _f(t).layer_norm(x, (3, 4))), (2, 3, 4), (2, 3, 4)),
)
_add(
    "_native_batch_norm_backward",
    S(
        _affine_grads(lambda t, x, w, b: _f(t).batch_norm(x, None, None, w, b, training=True)),
        (3, 2, 2),
        (2,),
        (2,),
        (3, 2, 2),
    ),
    S(
        _affine_grads(
            lambda t, x, w, b: _f(t).batch_norm(x, *_stats(t, x), w, b, training=False, eps=0.5)
        ),
        (3, 2),
        (2,),
        (2,),
        (3, 2),
    ),
    S(backward_of(lambda t, x: _f(t).batch_norm(x, None, None, training=True)), (3, 2), (3, 2)),
)
_add(
    "_batch_norm_backward",
    S(
        _affine_grads(
            lambda t, x, w, b: t.ops.aten._batch_norm_with_update(
                x, w, b, *_stats(t, x), 0.1, 1e-5
            )[0]
        ),
        (3, 2, 2),
        (2,),
        (2,),
        (3, 2, 2),
    ),
)
_TARGET = [1, 0, 3]
_add(
    "_nll_loss",
    S(lambda t, x: _f(t).nll_loss(x, t.tensor(_TARGET)), M),
    S(lambda t, x: _f(t).nll_loss(x, t.tensor(_TARGET), reduction="none"), M),
    S(lambda t, x: _f(t).cross_entropy(x, t.tensor(_TARGET), ignore_index=0), M),
)
_add(
    "_nll_loss_backward",
    S(backward_of(lambda t, x: _f(t).nll_loss(x, t.tensor(_TARGET))), M, ()),
    S(backward_of(lambda t, x: _f(t).nll_loss(x, t.tensor(_TARGET), reduction="none")), M, (3,)),
    S(
        backward_of(
            lambda t, x: _f(t).nll_loss(
                x, t.tensor(_TARGET), t.tensor([0.5, 2.0, 1.0, 3.0], dtype=x.dtype), ignore_index=0
            )
        ),
        M,
        (),
    ),
)
for _name, _f2 in [
    ("_mse_loss", lambda t, x, y: _f(t).mse_loss(x, y)),
    ("_smooth_l1_loss", lambda t, x, y: _f(t).smooth_l1_loss(x, y, beta=0.5)),
    ("_huber_loss", lambda t, x, y: _f(t).huber_loss(x, y, reduction="sum", delta=0.5)),
]:
    _add(_name, S(_f2, (M, AWAY), M), S(_f2, ((), AWAY), ()))
for _name, _f2 in [
    ("_mse_loss_backward", lambda t, x, y: _f(t).mse_loss(x, y)),
    ("_smooth_l1_loss_backward", lambda t, x, y: _f(t).smooth_l1_loss(x, y, beta=0.5)),
    ("_huber_loss_backward", lambda t, x, y: _f(t).huber_loss(x, y, reduction="sum", delta=0.5)),
]:
    # (the gradients of the loss, taken with create_graph: a graph of the loss's backward op)
    _add(
        _name,
        S(
            lambda t, x, y, _f2=_f2: t.autograd.grad(_f2(t, x, y), (x, y), create_graph=True),
            (M, AWAY),
            M,
        ),
        S(
            lambda t, x, y, _f2=_f2: t.autograd.grad(_f2(t, x, y), (x, y), create_graph=True),
            ((), AWAY),
            (M, AWAY),
        ),
    )
_NO_TARGET_GRAD = X(
    "soft_margin_loss refuses a target that requires grad; PyTorch differentiates it", "values"
)
_add(
    "_soft_margin_loss",
    S(lambda t, x, y: _f(t).soft_margin_loss(x, y), (M, AWAY), C(M)),
    S(lambda t, x, y: _f(t).soft_margin_loss(x, y), (M, AWAY), M, xfail=_NO_TARGET_GRAD),
    S(lambda t, x, y: _f(t).soft_margin_loss(x, y), ((), AWAY), (), xfail=_NO_TARGET_GRAD),
)
_add(
    "_soft_margin_backward",
    S(
        backward_of(
            lambda t, x: _f(t).soft_margin_loss(x, t.tensor([1.0, -1.0, -1.0, 1.0]).to(x.dtype))
        ),
        (M, AWAY),
        (),
    ),
    S(
        lambda t, x, g: t.autograd.grad(
            _f(t).soft_margin_loss(x, x.detach().sign(), reduction="none"), x, g, create_graph=True
        )[0],
        (M, AWAY),
        M,
    ),
)
_add(
    "_binary_cross_entropy_backward",
    S(backward_of(lambda t, x: _f(t).binary_cross_entropy(x, t.full_like(x, 0.3))), (M, PROB), ()),
    S(
        lambda t, x, y, g: t.autograd.grad(
            _f(t).binary_cross_entropy(
                x, y, t.linspace(0.5, 2, 4, dtype=x.dtype), reduction="none"
            ),
            x,
            g,
            create_graph=True,
        )[0],
        (M, PROB),
        (M, PROB),
        M,
    ),
)
_add(
    "_binary_cross_entropy",
    S(lambda t, x, y: _f(t).binary_cross_entropy(x, y), (M, PROB), (M, PROB)),
    S(
        lambda t, x, y, w: _f(t).binary_cross_entropy(x, y, w, reduction="none"),
        (M, PROB),
        (M, PROB),
        C((4,)),
    ),
    S(
        lambda t, x, y, w: _f(t).binary_cross_entropy(x, y, w),
        (M, PROB),
        (M, PROB),
        (4,),
        xfail=X(
            "binary_cross_entropy refuses a weight that requires grad; PyTorch differentiates it",
            "values",
        ),
    ),
)
_add(
    "_binary_cross_entropy_with_logits",
    S(lambda t, x, y: _f(t).binary_cross_entropy_with_logits(x, y), M, (M, PROB)),
    S(
        lambda t, x, y, w, p: _f(t).binary_cross_entropy_with_logits(x, y, w, pos_weight=p),
        M,
        (M, PROB),
        C((4,)),
        C((4,), POS),
    ),
    S(
        lambda t, x, y, w, p: _f(t).binary_cross_entropy_with_logits(x, y, w, pos_weight=p),
        M,
        (M, PROB),
        (4,),
        ((4,), POS),
        xfail=X(
            "binary_cross_entropy_with_logits refuses a weight or pos_weight that requires "
            "grad; PyTorch differentiates both",
            "values",
        ),
    ),
)
_add(
    "_upsample_nearest_backward",
    S(
        backward_of(lambda t, x: _f(t).interpolate(x, scale_factor=2)),
        (1, 2, 3),
        (1, 2, 6),
        xfail=X(
            "the node is UpsampleNearestBackwardBackward0; PyTorch's names the dimensions "
            "(UpsampleNearest1DBackwardBackward0)",
            NAMES,
        ),
    ),
)
_add(
    "_upsample_nearest1d",
    S(lambda t, x: _f(t).interpolate(x, scale_factor=2), (1, 2, 3)),
    S(lambda t, x: _f(t).interpolate(x, size=5), (1, 2, 3)),
)
_add("_upsample_nearest2d", S(lambda t, x: _f(t).interpolate(x, scale_factor=2), (1, 2, 3, 2)))
_add("_upsample_nearest3d", S(lambda t, x: _f(t).interpolate(x, size=(2, 3, 4)), (1, 1, 2, 2, 2)))
# Resampling (ops/resample.py): each mode's op and its adjoint, the adjoint reached through a
# gradient taken with create_graph.
_RESAMPLING = {
    "UpsampleLinear1DBackward0": ((1, 2, 4), dict(size=7, mode="linear")),
    "UpsampleBilinear2DBackward0": (
        (1, 2, 3, 4),
        dict(scale_factor=1.5, mode="bilinear", align_corners=True),
    ),
    "UpsampleBicubic2DBackward0": ((1, 1, 4, 3), dict(size=(6, 2), mode="bicubic")),
    "UpsampleTrilinear3DBackward0": ((1, 1, 2, 3, 2), dict(size=(3, 2, 4), mode="trilinear")),
    "UpsampleNearestExact1DBackward0": ((1, 2, 3), dict(size=5, mode="nearest-exact")),
    "UpsampleNearestExact2DBackward0": ((1, 1, 3, 2), dict(size=(2, 5), mode="nearest-exact")),
    "UpsampleNearestExact3DBackward0": (
        (1, 1, 2, 2, 3),
        dict(size=(3, 1, 4), mode="nearest-exact"),
    ),
    "UpsampleBilinear2DAaBackward0": (
        (1, 1, 6, 5),
        dict(size=(3, 2), mode="bilinear", antialias=True),
    ),
    "UpsampleBicubic2DAaBackward0": (
        (1, 1, 6, 5),
        dict(size=(2, 4), mode="bicubic", antialias=True),
    ),
    "AdaptiveAvgPool3DBackward0": ((1, 1, 3, 4, 5), dict(size=(2, 3, 2), mode="area")),
}
for _node, (_shape, _kw) in _RESAMPLING.items():
    _back = _node[: -len("Backward0")] + "BackwardBackward0"
    _out = tuple(_f(retrograd).interpolate(retrograd.zeros(_shape), **_kw).shape)
    _add("_" + _node, S(lambda t, x, kw=_kw: _f(t).interpolate(x, **kw), _shape))
    _add(
        "_" + _back,
        S(backward_of(lambda t, x, kw=_kw: _f(t).interpolate(x, **kw)), _shape, _out),
    )
_add(
    "_constant_pad",
    S(lambda t, x: _f(t).pad(x, (1, 2)), M),
    S(lambda t, x: _f(t).pad(x, (1, 0, 0, 1), value=0.5), M),
)
_add(
    "_embedding_backward",
    S(
        backward_of(lambda t, x: _f(t).embedding(t.tensor([[0, 2], [2, 1]]), x)),
        M,
        (2, 2, 4),
    ),
    S(
        backward_of(
            lambda t, x: _f(t).embedding(t.tensor([[0, 2], [2, 2]]), x, scale_grad_by_freq=True)
        ),
        M,
        (2, 2, 4),
    ),
)
_add(
    "_embedding",
    S(lambda t, w: _f(t).embedding(t.tensor([[0, 2], [2, 1]]), w), M),
    S(
        lambda t, w: _f(t).embedding(t.tensor([[0, 2], [2, 1]]), w, scale_grad_by_freq=True),
        M,
    ),
    S(
        lambda t, w: _f(t).embedding(t.tensor([0, 2, 0]), w, padding_idx=0),
        M,
        xfail=X(
            "the derivative of embedding's backward passes the padding row's gradient on",
            "gradgradcheck",
        ),
    ),
)
_WN = X(
    "PyTorch's own gradgradcheck of _weight_norm fails (its second derivative disagrees with "
    "finite differences); "
    "ours passes",
    "gradgradcheck",
)
_add(
    "_weight_norm",
    S(lambda t, v, g: _weight_norm(t)(v, g, 0), M, (3, 1), xfail=_WN),
    S(lambda t, v, g: _weight_norm(t)(v, g, 1), M, (1, 4), xfail=_WN),
)

# --- random sampling --------------------------------------------------------------------------

_add("_normal_mean", S(_seeded(lambda t, m: t.normal(m, 1.0)), M))
_add("_normal_std", S(_seeded(lambda t, s: t.normal(0.0, s)), (M, POS)))
_add("_normal_both", S(_seeded(lambda t, m, s: t.normal(m, s)), M, (M, POS)))
_add("_bernoulli_p", S(_seeded(lambda t, p: t.bernoulli(p)), (M, PROB)))
_NO_DERIVATIVE = {
    "forward_ad": "forward AD raises NotImplementedError; PyTorch raises RuntimeError (its node "
    "has no derivative)",
}
_add("_bernoulli_float", S(_seeded(lambda t, x: t.bernoulli(x, 0.5)), M, xfail=_NO_DERIVATIVE))
_add("_poisson", S(_seeded(lambda t, r: t.poisson(r)), (M, POS)))
_add(
    "_binomial",
    S(_seeded(lambda t, p: t.binomial(t.full_like(p, 5.0), p)), (M, PROB), xfail=_NO_DERIVATIVE),
)
_add("_gamma", S(_seeded(lambda t, a: t._standard_gamma(a)), (M, POS)))
_add(
    "_dirichlet_rsample",
    S(
        _seeded(lambda t, a: t.distributions.Dirichlet(a).rsample()),
        (M, POS),
        xfail=X(
            "Dirichlet.rsample raises NotImplementedError for a concentration that requires grad",
            "values",
            "gradcheck",
            "gradgradcheck",
        ),
    ),
)
_add(
    "_standard_gamma_grad",
    S(
        _seeded(backward_of(lambda t, a: t._standard_gamma(a))),
        (M, POS),
        M,
    ),
)

# --- sorting and special functions ------------------------------------------------------------

_add(
    "_sort",
    S(lambda t, x: x.sort(1), (M, DISTINCT)),
    S(lambda t, x: x.sort(0, descending=True), (M, DISTINCT)),
)
_add("_sort_stable", S(lambda t, x: x.sort(stable=True), (M, DISTINCT)))
_add(
    "_topk",
    S(lambda t, x: x.topk(2), (M, DISTINCT)),
    S(lambda t, x: x.topk(1, 0, largest=False), (M, DISTINCT)),
)
_add("_median_all", S(lambda t, x: x.median(), (M, DISTINCT)))
_add("_median_dim", S(lambda t, x: x.median(1), (M, DISTINCT)))
_add(
    "polygamma",
    S(lambda t, x: t.polygamma(1, x), (M, POS)),
    S(lambda t, x: t.polygamma(2, x), ((), POS)),
    S(lambda t, x: x.polygamma(2), (M, POS)),
)
for _name in ("igamma", "igammac"):
    _add(
        "_" + _name,
        S(lambda t, a, x, _name=_name: getattr(t, _name)(a, x), C(M, POS), (M, POS)),
        S(
            lambda t, a, x, _name=_name: getattr(t, _name)(a, x),
            (M, POS),
            (M, POS),
        ),
    )
_add("xlogy", binary(lambda t, x, y: t.xlogy(x, y), ANY, POS))
_add("xlogy_self_scalar", unary(lambda t, y: t.xlogy(2.0, y), POS))
_add("xlogy_other_scalar", unary(lambda t, x: x.xlogy(3), ANY))
_add("exp2", unary(lambda t, x: t.exp2(x)), S(lambda t, x: t.special.exp2(x), M))
_add("_mul_scalar", unary(lambda t, x: t.special.ndtr(x)))
# (the gradient of a mean loss: divided by the element count in its formula)
_add(
    "_div_scalar",
    S(
        backward_of(lambda t, x: _f(t).binary_cross_entropy_with_logits(x, t.full_like(x, 0.3))),
        M,
        (),
    ),
)
_add("_add_scalar", unary(lambda t, x: t.special.ndtr(x)))
_add("_sub_scalar", S(backward_of(lambda t, x: t.special.erfcx(x)), M, M))
_add("_polygamma_in_place", S(lambda t, x: (x * 1).polygamma_(1), (M, POS)))
_add("i0", unary(lambda t, x: t.special.i0(x)), S(lambda t, x: x.i0(), M))
for _name, _dom in [
    ("entr", POS),
    ("erfcx", ANY),
    ("log_ndtr", ANY),
    ("ndtri", PROB),
    ("i0e", AWAY),
    ("i1", ANY),
    ("i1e", AWAY),
]:
    _add("special_" + _name, unary(lambda t, x, _name=_name: getattr(t.special, _name)(x), _dom))
_add(
    "mvlgamma",
    unary(lambda t, x: t.special.multigammaln(x, 2), (2.0, 4.0)),
    S(lambda t, x: x.mvlgamma(3), (M, (2.0, 4.0))),
    S(lambda t, x: t.mvlgamma(x, 1), (M, POS)),
)
_add("special_xlog1py", binary(lambda t, x, y: t.special.xlog1py(x, y), ANY, POS))
_add("special_xlog1py_self_scalar", unary(lambda t, y: t.special.xlog1py(2.0, y), POS))
_add("special_xlog1py_other_scalar", unary(lambda t, x: t.special.xlog1py(x, 0.5), ANY))
_ZETA = lambda t, x, q: t.special.zeta(x, q)  # noqa: E731
_add(
    "special_zeta",
    S(_ZETA, C(M, (2.0, 4.0)), ((4,), POS)),
    S(_ZETA, C((), (2.0, 4.0)), ((2, 3), POS)),
    S(_ZETA, C((0, 3), (2.0, 4.0)), ((3,), POS)),
)
_add("special_zeta_self_scalar", unary(lambda t, q: t.special.zeta(3.0, q), POS))
_add(
    "special_zeta_other_scalar",
    S(
        lambda t, x: t.special.zeta(x, 2.0),
        (M, (2.0, 4.0)),
    ),
)
for _name in (
    "airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1 "
    "modified_bessel_k0 modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1 "
    "spherical_bessel_j0"
).split():
    _add(
        "special_" + _name,
        unary(lambda t, x, _name=_name: getattr(t.special, _name)(x), (0.1, 3.0), grad=False),
    )
for _name in (
    "chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v "
    "chebyshev_polynomial_w shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u "
    "shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_h "
    "hermite_polynomial_he laguerre_polynomial_l legendre_polynomial_p"
).split():
    _poly = lambda t, x, n, _name=_name: getattr(t.special, _name)(x, n)  # noqa: E731
    _add(
        "special_" + _name,
        S(_poly, M, ((4,), INT), grad=False),
        S(_poly, (), ((2, 3), INT), grad=False),
        S(_poly, (0, 3), ((3,), INT), grad=False),
        S(lambda t, x, _name=_name: getattr(t.special, _name)(x, 7), M, grad=False),
    )
_EYE = lambda t, a: 3 * t.eye(a.shape[-1], dtype=a.dtype)
_add(
    "_cholesky",
    S(lambda t, a: t.linalg.cholesky(a @ a.mT + _EYE(t, a)), (3, 3)),
    S(lambda t, a: t.linalg.cholesky(a @ a.mT + _EYE(t, a)), (2, 2, 2)),
    S(lambda t, a: t.linalg.cholesky(a @ a.mT + _EYE(t, a), upper=True), (2, 2)),
    S(lambda t, z: t.linalg.cholesky(z @ z.mH + _EYE(t, z)), ((3, 3), CPLX)),
    S(lambda t, z: t.linalg.cholesky(z @ z.mH + _EYE(t, z), upper=True), ((2, 2, 2), CPLX)),
)
_add(
    "_solve_triangular",
    S(
        lambda t, a, b: t.linalg.solve_triangular(a.triu() + _EYE(t, a), b, upper=True),
        (3, 3),
        (3, 1),
    ),
    S(
        lambda t, a, b: t.linalg.solve_triangular(
            a.tril() + _EYE(t, a), b, upper=False, left=False
        ),
        (2, 2),
        (1, 2),
    ),
    S(
        lambda t, z, w: t.linalg.solve_triangular(z.tril() + _EYE(t, z), w, upper=False),
        ((3, 3), CPLX),
        ((3, 2), CPLX),
    ),
)

# --- two-argument functions, the matmul family, reductions, indexing writes, linear algebra ----

_add("atan2", binary(lambda t, x, y: t.atan2(x, y)))
_add("hypot", binary(lambda t, x, y: t.hypot(x, y), AWAY, AWAY))
_add("logaddexp", binary(lambda t, x, y: t.logaddexp(x, y)))
_add("logaddexp2", binary(lambda t, x, y: t.logaddexp2(x, y)))
_add("_copysign", binary(lambda t, x, y: t.copysign(x, y), AWAY, AWAY))
_add("_copysign_scalar", unary(lambda t, x: x.copysign(-1.5), AWAY))
_add("nextafter", binary(lambda t, x, y: t.nextafter(x, y)))
_add(
    "_heaviside",
    S(
        lambda t, x, y: t.heaviside(x, y),
        (M, AWAY),
        (4,),
        xfail={
            "forward_ad": "forward AD of heaviside raises NotImplementedError; PyTorch raises "
            "RuntimeError (its node has no derivative)",
        },
    ),
)
_add("ldexp", binary(lambda t, x, y: t.ldexp(x, y)))
_add("logit", unary(lambda t, x: t.logit(x), PROB), S(lambda t, x: x.logit(eps=0.2), M))
_add("sinc", unary(lambda t, x: t.sinc(x), AWAY))
_add(
    "addmm",
    S(lambda t, a, b, c: t.addmm(a, b, c), (2, 5), (2, 3), (3, 5)),
    S(lambda t, a, b, c: t.addmm(a, b, c, beta=0.5, alpha=2), (5,), (2, 3), (3, 5)),
)
_add("addmv", S(lambda t, a, b, c: t.addmv(a, b, c, alpha=-1), (2,), (2, 3), (3,)))
_add("addr", S(lambda t, a, b, c: t.addr(a, b, c, beta=2), (2, 3), (2,), (3,)))
_add(
    "baddbmm", S(lambda t, a, b, c: t.baddbmm(a, b, c, alpha=0.5), (2, 3, 5), (2, 3, 4), (2, 4, 5))
)
_add("addbmm", S(lambda t, a, b, c: t.addbmm(a, b, c, beta=0.3), (3, 5), (2, 3, 4), (2, 4, 5)))
_add(
    "_var_mean",
    S(lambda t, x: t.var_mean(x, 1), M),
    S(lambda t, x: t.var_mean(x, 0, keepdim=True, correction=0), M),
)
_add("_std_mean", S(lambda t, x: t.std_mean(x, 1), M), S(lambda t, x: t.std_mean(x), M))
_add("_nansum", S(lambda t, x: t.nansum(x), M), S(lambda t, x: x.nansum(1, keepdim=True), M))
_add(
    "_aminmax",
    S(lambda t, x: t.aminmax(x), (M, DISTINCT)),
    S(lambda t, x: t.aminmax(x, dim=1), (M, DISTINCT)),
)
_add("logcumsumexp", S(lambda t, x: t.logcumsumexp(x, 1), M), S(lambda t, x: x.logcumsumexp(0), ()))
_add("_cummax", S(lambda t, x: t.cummax(x, 1), (M, DISTINCT)))
_add("_cummin", S(lambda t, x: t.cummin(x, 0), (M, DISTINCT)))
_add("_kthvalue", S(lambda t, x: t.kthvalue(x, 2, 1), (M, DISTINCT)))
_add("_mode", S(lambda t, x: t.mode(x * 0 + t.tensor([1.0, 2.0, 2.0, 3.0], dtype=x.dtype)), M))
_add("_nanmedian_all", S(lambda t, x: t.nanmedian(x), (M, DISTINCT)))
_add("_nanmedian_dim", S(lambda t, x: t.nanmedian(x, 1), (M, DISTINCT)))
_add("_index_add", S(lambda t, x, s: t.index_add(x, 1, _idx(t, 0, 0), s, alpha=2), M, (3, 2)))
_add("_take", S(lambda t, x: t.take(x, t.tensor([[0, -1], [5, 5]])), M))
_add(
    "_scatter_reduce",
    S(lambda t, x, s: x.scatter_reduce(1, t.tensor([[0, 0], [1, 3], [2, 2]]), s, "sum"), M, (3, 2)),
    S(
        lambda t, x, s: x.scatter_reduce(1, t.tensor([[0, 0], [1, 3], [2, 2]]), s, "amax"),
        (M, DISTINCT),
        ((3, 2), DISTINCT),
    ),
)
_add("_index_copy", S(lambda t, x, s: t.index_copy(x, 1, _idx(t, 0, 2), s), M, (3, 2)))
_add("_index_fill_scalar", S(lambda t, x: t.index_fill(x, 1, _idx(t, 0, 2), 5.0), M))
_add(
    "_index_fill_tensor",
    S(lambda t, x, v: x.index_fill(1, _idx(t, 1), v), M, ()),
    # a position named twice takes the value once: its gradient counts it once
    S(lambda t, x, v: x.index_fill(-1, _idx(t, 3, 0, 3), v), M, ()),
)
_add(
    "_masked_scatter",
    S(lambda t, x, s: x.masked_scatter(t.tensor(_MASK), s), M, M),
    # self and the mask broadcast together: the result is (3, 4), self's gradient summed back
    S(lambda t, x, s: x.masked_scatter(t.tensor([_MASK, _MASK[::-1], _MASK]), s), (4,), M),
)
_add(
    "_SelectScatterBackward0",
    S(lambda t, x, s: t.select_scatter(x, s, 0, 1), M, (4,)),
    S(lambda t, x, s: t.select_scatter(x, s, 0, -2), (5,), ()),
)
_add("_SliceScatterBackward0", S(lambda t, x, s: t.slice_scatter(x, s, 1, 0, 4, 2), M, (3, 2)))
_add("_DiagonalScatterBackward0", S(lambda t, x, s: t.diagonal_scatter(x, s, 1), M, (3,)))
_add("_block_diag", S(lambda t, a, b, c: t.block_diag(a, b, c), (2, 3), (3,), ()))
_add("_rot90", S(lambda t, x: t.rot90(x), M), S(lambda t, x: x.rot90(2, [1, 0]), (2, 3, 2)))
_add("unfold", S(lambda t, x: x.unfold(1, 2, 1), M), S(lambda t, x: x.unfold(0, 1, 1), ()))
_add("_unfold_backward", S(backward_of(lambda t, x: x.unfold(1, 2, 1)), M, (3, 3, 2)))
for _mode_name, _kind in (("reflect", "Reflection"), ("replicate", "Replication")):
    for _k, _shape in ((1, (2, 3, 6)), (2, (1, 2, 4, 6)), (3, (1, 1, 3, 4, 5))):
        _add(
            f"_pad_{_kind}Pad{_k}DBackward0",
            S(
                lambda t, x, k=_k, m=_mode_name: t.nn.functional.pad(
                    x, (2, 1, 1, 0, 1, 1)[: 2 * k], mode=m
                ),
                _shape,
            ),
        )
        _add(
            f"_unpad_{_kind}Pad{_k}DBackward0",
            S(
                backward_of(
                    lambda t, x, k=_k, m=_mode_name: t.nn.functional.pad(
                        x, (2, 1, 1, 0, 1, 1)[: 2 * k], mode=m
                    )
                ),
                _shape,
                _shape[:-_k] + tuple(n + (2, 1, 3)[i - _k] for i, n in enumerate(_shape[-_k:])),
            ),
        )
_add(
    "_cdist",
    S(lambda t, a, b: t.cdist(a, b), (2, 3), (4, 3)),
    S(lambda t, a, b: t.cdist(a, b, p=1), (2, 3), (4, 3)),
)
# (the product asked for by name: the default picks it only past 25 rows, a gradgradcheck of
# seconds; tests/test_ops_shape.py's cdist_by_product checks that choice against PyTorch)
_add(
    "_euclidean_dist",
    S(lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), (5, 3), (4, 3)),
)
_SPD = lambda t, a: a @ a.mT + 3 * t.eye(a.shape[-1], dtype=a.dtype)  # noqa: E731
_HPD = lambda t, z: z @ z.mH + 3 * t.eye(z.shape[-1], dtype=z.dtype)  # noqa: E731
_add(
    "_inv",
    S(lambda t, a: t.linalg.inv(_SPD(t, a)), (3, 3)),
    S(lambda t, z: t.linalg.inv(_HPD(t, z)), ((2, 3, 3), CPLX)),
)
_add(
    "_det",
    S(lambda t, a: t.linalg.det(a), (3, 3)),
    S(lambda t, a: t.det(a), (2, 2, 2)),
    S(lambda t, z: t.linalg.det(z), ((3, 3), CPLX)),
)
_add(
    "_slogdet",
    S(lambda t, a: t.linalg.slogdet(_SPD(t, a)).logabsdet, (3, 3)),
    S(lambda t, z: t.linalg.slogdet(_HPD(t, z) + z), ((3, 3), CPLX)),
    S(lambda t, z: t.logdet(_HPD(t, z) + z), ((2, 2), CPLX)),
)
_add(
    "_solve",
    S(lambda t, a, b: t.linalg.solve(_SPD(t, a), b), (3, 3), (3, 2)),
    S(lambda t, a, b: t.linalg.solve(_SPD(t, a), b), (3, 3), (3,)),
    S(lambda t, z, w: t.linalg.solve(_HPD(t, z), w), ((3, 3), CPLX), ((3, 2), CPLX)),
    S(lambda t, z, w: t.linalg.solve(_HPD(t, z), w, left=False), ((3, 3), CPLX), ((2, 3), CPLX)),
)
_add(
    "_eigh",
    S(lambda t, a: t.linalg.eigvalsh(a + a.mT), (3, 3)),
    S(lambda t, z: t.linalg.eigvalsh(z + z.mH, UPLO="U"), ((2, 3, 3), CPLX)),
    S(lambda t, z: t.linalg.eigh(z + z.mH).eigenvectors.abs(), ((3, 3), CPLX)),
)
_add(
    "_svd",
    S(lambda t, a: t.linalg.svdvals(a), (4, 3)),
    S(lambda t, z: t.linalg.svdvals(z), ((2, 3, 4), CPLX)),
    S(lambda t, z: t.linalg.svd(z, full_matrices=False).U.abs(), ((4, 3), CPLX)),
    # full_matrices=True on a non-square matrix: the columns past k are not unique, the rest are
    S(lambda t, a: t.linalg.svd(a).U[:, :3].abs(), (4, 3)),
    S(lambda t, a: t.linalg.svd(a).Vh[..., :3, :].abs(), (2, 3, 5)),
    S(lambda t, z: t.linalg.matrix_norm(z, "nuc"), ((3, 3), CPLX)),
    # gauge-invariant functions of complex singular vectors: U Vh, and U V^H of torch.svd
    S(
        lambda t, z: (lambda u, s, vh: u @ vh)(*t.linalg.svd(z, full_matrices=False)),
        ((4, 3), CPLX),
    ),
    S(lambda t, z: (lambda u, s, v: (u * s.unsqueeze(-2)) @ v.mH)(*t.svd(z)), ((2, 3, 5), CPLX)),
)
_add(
    "_qr",
    S(lambda t, a: t.linalg.qr(a).R.diagonal().abs(), (4, 3)),
    S(lambda t, z: t.linalg.qr(z).R.abs(), ((2, 4, 3), CPLX)),
    S(lambda t, z: t.linalg.qr(z).Q.real, ((3, 3), CPLX)),
    S(lambda t, a: t.linalg.qr(a).R, (3, 5)),
    S(lambda t, a: t.linalg.qr(a, mode="complete").Q, (2, 3, 4)),
    S(lambda t, z: t.linalg.qr(z).R.abs(), ((2, 4), CPLX)),
)
_add(
    "_pinv",
    S(lambda t, a: t.linalg.pinv(a), (4, 3)),
    S(lambda t, a: t.linalg.pinv(a, hermitian=True), (3, 3)),
    S(lambda t, z: t.linalg.pinv(z), ((3, 4), CPLX)),
    S(lambda t, z: t.linalg.pinv(_HPD(t, z), hermitian=True), ((3, 3), CPLX)),
)
_add(
    "_lstsq",
    S(lambda t, a, b: t.linalg.lstsq(a, b).solution, (4, 3), (4, 2)),
    S(lambda t, z, w: t.linalg.lstsq(z, w).solution, ((4, 3), CPLX), ((4, 2), CPLX)),
    S(lambda t, a, b: t.linalg.lstsq(a, b, driver="gelsd").residuals, (4, 3), (4, 2)),
    S(
        lambda t, z, w: t.linalg.lstsq(z, w, driver="gels").residuals,
        ((4, 3), CPLX),
        ((4, 2), CPLX),
    ),
)
_add(
    "matrix_exp",
    S(lambda t, a: t.linalg.matrix_exp(a), ((3, 3), UNIT)),
    S(lambda t, z: t.linalg.matrix_exp(z), ((2, 2, 2), CPLX)),
)
_add("_cross", S(lambda t, a, b: t.linalg.cross(a, b), (4, 3), (4, 3)))
_add(
    "_scaled_dot_product_flash_attention_for_cpu",
    S(
        lambda t, q, k, v: t.nn.functional.scaled_dot_product_attention(q, k, v),
        (1, 2, 3, 4),
        (1, 2, 5, 4),
        (1, 2, 5, 4),
    ),
    S(
        lambda t, q, k, v: t.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
        (1, 2, 3, 4),
        (1, 2, 3, 4),
        (1, 2, 3, 4),
    ),
)
_add(
    "_attention_with_weights",
    S(
        _seeded(lambda t, x: t.nn.MultiheadAttention(4, 2, dtype=x.dtype)(x, x * 2, x * 2)[0]),
        (3, 2, 4),
    ),
)
_add("frexp", S(lambda t, x: t.frexp(x).mantissa, M), S(lambda t, x: x.frexp()[0], ((), POS)))

# --- complex numbers: PyTorch's convention for gradients of complex inputs ---------------------
Z = ((3, 4), CPLX)
_add(
    "_conj",
    S(lambda t, z: z.conj() * z, Z),
    S(lambda t, z: t.conj(z), ((), CPLX)),
    S(lambda t, z: t.conj(z), ((0, 2), CPLX)),
)
_add("_conj_physical", S(lambda t, z: t.conj_physical(z), Z))
# Holomorphic functions: the gradient conjugates the derivative (a formula that forgets gives
# the right values and a wrong gradient, which gradcheck's perturbation of both parts finds).
for _name in ("tanh", "sinh", "cosh", "asin", "acos", "atan", "sinc", "sigmoid", "exp2"):
    _add(_name, S(lambda t, z, _name=_name: getattr(t, _name)(z), Z))
_add("_var", S(lambda t, z: z.var(1), Z))
_add("_std", S(lambda t, z: z.std(), Z))
_add("trace", S(lambda t, z: z.trace(), Z))
_add("sgn", S(lambda t, z: z.sgn(), Z), unary(lambda t, x: t.sgn(x), AWAY))
_add("angle", S(lambda t, z: t.angle(z), Z), unary(lambda t, x: t.angle(x), AWAY))
_add(
    "view_as_real",
    S(lambda t, z: t.view_as_real(z), Z),
    S(lambda t, z: z.real * 2 + z.imag, Z),
    S(lambda t, z: t.view_as_real(z), ((), CPLX)),
)
_add(
    "view_as_complex",
    S(lambda t, x: t.view_as_complex(x), (3, 2)),
    S(lambda t, x: t.view_as_complex(x[:, :2]), (3, 4)),
)
_add(
    "complex",
    S(lambda t, x, y: t.complex(x, y), M, (4,)),
    S(lambda t, x, y: t.complex(x, y), (), ()),
)
_add("polar", S(lambda t, r, a: t.polar(r, a), (M, POS), (4,)))
_add(
    "mul",
    S(lambda t, z, w: z * w, Z, ((4,), CPLX)),
    S(lambda t, z, x: z * x, Z, (4,)),
    S(lambda t, z: z * (2 - 1j), Z),
)
_add("true_divide", S(lambda t, z, w: z / w, Z, ((4,), CPLX)), S(lambda t, z, x: x / z, Z, (4,)))
_add("abs", S(lambda t, z: z.abs(), Z))
_add("exp", S(lambda t, z: z.exp(), Z))
_add("log", S(lambda t, z: z.log(), Z))
_add("sqrt", S(lambda t, z: z.sqrt(), Z))
_add("reciprocal", S(lambda t, z: z.reciprocal(), Z))
_add("_pow_scalar", S(lambda t, z: z**3, Z))
_add("_pow_tensor", S(lambda t, z, w: z**w, Z, ((4,), CPLX)))
_add("sin", S(lambda t, z: z.sin(), Z))
_add("cos", S(lambda t, z: z.cos(), Z))
_add("mm", S(lambda t, z, w: z @ w, Z, ((4, 2), CPLX)))
_add("bmm", S(lambda t, z, w: t.bmm(z, w), ((2, 3, 4), CPLX), ((2, 4, 2), CPLX)))
_add("dot", S(lambda t, z, w: t.dot(z, w), ((4,), CPLX), ((4,), CPLX)))
_add("mv", S(lambda t, z, w: t.mv(z, w), Z, ((4,), CPLX)))
_add("addmm", S(lambda t, a, z, w: t.addmm(a, z, w), ((3, 2), CPLX), Z, ((4, 2), CPLX)))
# complex beta and alpha: each input's gradient is scaled by their conjugates
_B, _A = 0.2 + 0.6j, 0.4 - 0.3j
_add(
    "addmm",
    S(lambda t, a, z, w: t.addmm(a, z, w, beta=_B, alpha=_A), ((3, 2), CPLX), Z, ((4, 2), CPLX)),
)
_add(
    "addmv",
    S(lambda t, a, z, w: t.addmv(a, z, w, beta=_B, alpha=_A), ((3,), CPLX), Z, ((4,), CPLX)),
)
_add(
    "addr",
    S(lambda t, a, z, w: t.addr(a, z, w, beta=_B, alpha=_A), Z, ((3,), CPLX), ((4,), CPLX)),
)
_add(
    "baddbmm",
    S(
        lambda t, a, z, w: t.baddbmm(a, z, w, beta=_B, alpha=_A),
        ((2, 3, 2), CPLX),
        ((2, 3, 4), CPLX),
        ((2, 4, 2), CPLX),
    ),
)
_add(
    "addbmm",
    S(
        lambda t, a, z, w: t.addbmm(a, z, w, beta=_B, alpha=_A),
        ((3, 2), CPLX),
        ((2, 3, 4), CPLX),
        ((2, 4, 2), CPLX),
    ),
)
_add(
    "_addcdiv",
    S(lambda t, a, z, w: t.addcdiv(a, z, w, value=0.5), Z, Z, ((4,), CPLX)),
)
_add(
    "addcmul",
    S(lambda t, a, z, w: t.addcmul(a, z, w, value=0.5), Z, Z, ((4,), CPLX)),
)
_add("_sum_all", S(lambda t, z: z.sum(), Z))

# --- Fourier transforms: the three kernels torch.fft is made of --------------------------------
_add(
    "_fft_c2c",
    S(lambda t, z: t.fft.fft(z), Z),
    S(lambda t, z: t.fft.ifft(z, n=6, norm="ortho"), Z),
    S(lambda t, x: t.fft.fft2(x, s=(2, 5), norm="forward"), M),
    S(lambda t, x: t.fft.ihfft2(x), M),
    S(lambda t, z: t.fft.ifftn(z), ((), CPLX)),
)
_add(
    "_fft_r2c",
    S(lambda t, x: t.fft.rfft(x), M),
    S(lambda t, x: t.fft.rfft(x, n=7, norm="ortho"), M),
    S(lambda t, x: t.fft.fft(x, n=3), M),
    S(lambda t, x: t.fft.ifft(x, dim=0), M),
    S(lambda t, x: t.fft.rfft2(x, norm="forward"), M),
    S(lambda t, x: t.fft.ihfft(x, n=5), M),
)
_add(
    "_fft_c2r",
    S(lambda t, z: t.fft.irfft(z), Z),
    S(lambda t, z: t.fft.irfft(z, n=5, norm="ortho"), Z),
    S(lambda t, z: t.fft.irfft(z, n=9), Z),
    S(lambda t, z: t.fft.hfft(z, n=4, norm="forward"), Z),
    S(lambda t, z: t.fft.irfft2(z, s=(3, 7)), Z),
    S(lambda t, z: t.fft.hfftn(z), Z),
)

# --- general eigendecomposition (eigenvectors compared by modulus: a phase is LAPACK's choice) ---
_add(
    "_linalg_eig",
    S(lambda t, a: t.linalg.eigvals(a), (3, 3)),
    S(lambda t, a: t.linalg.eig(a).eigenvectors.abs(), (2, 3, 3)),
    S(lambda t, z: t.linalg.eig(z)[0], ((3, 3), CPLX)),
)
_WELL = lambda t, a: a + 3 * t.eye(a.shape[-1], dtype=a.dtype)  # noqa: E731  (no tiny pivot)
_add(
    "_lu_factor_ex",
    S(lambda t, a: t.linalg.lu_factor(a), (3, 3)),
    S(lambda t, a: t.linalg.lu_factor_ex(a), (2, 3, 4)),
    S(lambda t, a: t.linalg.lu_factor(a), (4, 2)),
    S(lambda t, z: t.linalg.lu_factor(z), ((3, 3), CPLX)),
    S(lambda t, z: t.linalg.lu_factor_ex(z).LU, ((2, 4, 3), CPLX)),
)
_add(
    "_lu",
    S(lambda t, a: t.linalg.lu(a), (3, 3)),
    S(lambda t, a: t.linalg.lu(a), (2, 2, 4)),
    S(lambda t, a: t.linalg.lu(a).L, (2, 4, 3)),
    S(lambda t, z: t.linalg.lu(z)[1:], ((2, 3, 4), CPLX)),
)
_add(
    "_lu_unpack",
    S(lambda t, a: t.lu_unpack(a, t.tensor([3, 2, 3], dtype=t.int32)), (3, 3)),
    S(lambda t, a: t.lu_unpack(a, t.tensor([[2, 2], [1, 2]], dtype=t.int32)), (2, 2, 4)),
    S(lambda t, a: t.lu_unpack(a, t.tensor([3, 2], dtype=t.int32)).U, (4, 2)),
)
_add(
    "_lu_solve",
    S(lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(_WELL(t, a)), b), (3, 3), (3, 2)),
    S(lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(a), b), (2, 0, 0), (2, 0, 3)),
    S(
        lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(_WELL(t, a)), b, adjoint=True),
        (2, 3, 3),
        (2, 3, 1),
    ),
    S(
        lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(_WELL(t, a)), b, left=False),
        (3, 3),
        (2, 2, 3),
    ),
    *(
        S(
            lambda t, a, b, left=left, adjoint=adjoint: t.linalg.lu_solve(
                *t.linalg.lu_factor(_WELL(t, a)), b, left=left, adjoint=adjoint
            ),
            ((3, 3), CPLX),
            ((3, 2) if left else (2, 3), CPLX),
        )
        for left in (True, False)
        for adjoint in (True, False)
    ),
)
_add(
    "_householder_product",
    S(lambda t, a, tau: t.linalg.householder_product(a, tau), (4, 3), (2,)),
    S(lambda t, a, tau: t.orgqr(a, tau), (2, 3, 3), (2, 3)),
    S(lambda t, a, tau: t.linalg.householder_product(a, tau), (4, 3), (0,)),  # no reflector
    S(lambda t, z, w: t.linalg.householder_product(z, w), ((4, 3), CPLX), ((2,), CPLX)),
    S(lambda t, z, w: t.orgqr(z, w), ((2, 3, 3), CPLX), ((2, 3), CPLX)),
)
_SYM = lambda t, a: a + a.mT + 4 * t.eye(a.shape[-1], dtype=a.dtype)  # noqa: E731
_add(
    "_ldl_factor_ex",
    S(lambda t, a: t.linalg.ldl_factor(_SYM(t, a)), (3, 3), xfail=_NO_DERIVATIVE),
    S(lambda t, a: t.linalg.ldl_factor_ex(_SYM(t, a)), (2, 3, 3), xfail=_NO_DERIVATIVE),
    S(lambda t, z: t.linalg.ldl_factor(_SYM(t, z)), ((3, 3), CPLX), xfail=_NO_DERIVATIVE),
    S(
        lambda t, z: t.linalg.ldl_factor(_SYM(t, z).mT.conj() + _SYM(t, z), hermitian=True),
        ((2, 3, 3), CPLX),
        xfail=_NO_DERIVATIVE,
    ),
)
_add(
    "_ldl_solve",
    S(
        lambda t, a, b: t.linalg.ldl_solve(*t.linalg.ldl_factor(_SYM(t, a).detach()), b),
        (2, 3, 3),
        (3, 2),
        xfail=_NO_DERIVATIVE,
    ),
    *(
        S(
            lambda t, z, b, h=hermitian: t.linalg.ldl_solve(
                *t.linalg.ldl_factor((_SYM(t, z) + h * _SYM(t, z).mH).detach(), hermitian=h),
                b,
                hermitian=h,
            ),
            ((3, 3), CPLX),
            ((3, 2), CPLX),
            xfail=_NO_DERIVATIVE,
        )
        for hermitian in (False, True)
    ),
)
_CHOL = lambda t, a: t.linalg.cholesky(_SPD(t, a))  # noqa: E731
_WRONG_TANGENT = {
    "forward_ad": "PyTorch's forward-mode tangent disagrees with finite differences and with its "
    "own reverse mode (ours agrees with both)",
}
_BROADCAST_TANGENT = {
    "forward_ad": "PyTorch's forward mode refuses A broadcast over b's batch (a tangent of a "
    "different size); ours gives the tangent",
}
_add(
    "cholesky_solve",
    S(lambda t, a, b: t.cholesky_solve(b, _CHOL(t, a)), (3, 3), (3, 2)),
    S(lambda t, a, b: t.cholesky_solve(b, _CHOL(t, a).mT, upper=True), (2, 3, 3), (3, 1)),
    # complex: A = L L^H, and each gradient conjugates
    S(
        lambda t, z, w: t.cholesky_solve(w, t.linalg.cholesky(_HPD(t, z))),
        ((3, 3), CPLX),
        ((3, 2), CPLX),
    ),
    S(
        lambda t, z, w: t.cholesky_solve(w, t.linalg.cholesky(_HPD(t, z)).mH, upper=True),
        ((2, 3, 3), CPLX),
        ((3, 1), CPLX),
    ),
)
_add(
    "cholesky_inverse",
    S(lambda t, a: t.cholesky_inverse(_CHOL(t, a)), (3, 3), xfail=_WRONG_TANGENT),
    S(
        lambda t, a: t.cholesky_inverse(_CHOL(t, a).mT, upper=True),
        (2, 3, 3),
        xfail=_WRONG_TANGENT,
    ),
    S(
        lambda t, z: t.cholesky_inverse(t.linalg.cholesky(_HPD(t, z))),
        ((3, 3), CPLX),
        xfail=_WRONG_TANGENT,
    ),
)
_add(
    "triangular_solve",
    S(lambda t, b, a: t.triangular_solve(b, _WELL(t, a)), (3, 2), (3, 3), xfail=_WRONG_TANGENT),
    S(
        lambda t, b, a: t.triangular_solve(b, _WELL(t, a), False, True, True),
        (2, 3, 1),
        (3, 3),
        xfail=_BROADCAST_TANGENT,
    ),
    S(
        lambda t, w, z: t.triangular_solve(w, _WELL(t, z)),
        ((3, 2), CPLX),
        ((3, 3), CPLX),
        xfail=_WRONG_TANGENT,
    ),
    S(
        lambda t, w, z: t.triangular_solve(w, _WELL(t, z), False, True),
        ((3, 2), CPLX),
        ((3, 3), CPLX),
        xfail=_WRONG_TANGENT,
    ),
)
_add("geqrf", S(lambda t, a: t.geqrf(a), (4, 3)), S(lambda t, a: t.geqrf(a), (2, 3, 3)))
_add(
    "ormqr",
    S(lambda t, a, tau, c: t.ormqr(a, tau, c), (4, 3), (3,), (4, 2)),
    S(lambda t, a, tau, c: t.ormqr(a, tau, c, False, True), (2, 3, 3), (2, 3), (2, 2, 3)),
    S(lambda t, a, tau, c: t.ormqr(a, tau, c), (4, 0), (0,), (4, 2)),  # no reflector
    S(lambda t, z, w, c: t.ormqr(z, w, c), ((4, 3), CPLX), ((3,), CPLX), ((4, 2), CPLX)),
    S(
        lambda t, z, w, c: t.ormqr(z, w, c, False, True),
        ((2, 3, 3), CPLX),
        ((2, 3), CPLX),
        ((2, 2, 3), CPLX),
    ),
)

# --- the nn functions of torch's namespace -----------------------------------------------------
_add(
    "pdist",
    S(lambda t, x: t.pdist(x), (5, 3)),
    S(lambda t, x: t.pdist(x, 1.0), (4, 3)),
    S(lambda t, x: t.pdist(x, 3.0), (4, 2)),
    S(lambda t, x: t.nn.functional.pdist(x, 0.5), (3, 4)),
    S(lambda t, x: t.pdist(x, float("inf")), (4, 3)),
)
_add(
    "affine_grid_generator",
    S(lambda t, th: t.affine_grid_generator(th, [2, 1, 3, 4], False), (2, 2, 3)),
    S(lambda t, th: t.affine_grid_generator(th, [1, 2, 2, 3, 2], True), (1, 3, 4)),
    S(lambda t, th: t.nn.functional.affine_grid(th, [2, 3, 1, 4], align_corners=False), (2, 2, 3)),
)
# (align_corners with AWAY points on a size-3 or size-5 side: no point on a pixel line or a fold)
_add(
    "grid_sampler_2d",
    S(lambda t, x, g: t.grid_sampler_2d(x, g, 0, 1, True), (1, 2, 3, 3), ((1, 2, 3, 2), AWAY)),
    S(lambda t, x, g: t.grid_sampler_2d(x, g, 2, 0, True), (2, 1, 5, 3), ((2, 1, 2, 2), AWAY)),
    S(lambda t, x, g: t.grid_sampler_2d(x, g, 2, 2, True), (1, 2, 3, 5), ((1, 2, 1, 2), AWAY)),
    S(lambda t, x, g: t.grid_sampler_2d(x, g, 1, 2, True), (1, 2, 3, 3), ((1, 2, 2, 2), AWAY)),
)
_add(
    "grid_sampler_3d",
    S(
        lambda t, x, g: t.grid_sampler_3d(x, g, 0, 2, True),
        (1, 2, 3, 3, 5),
        ((1, 2, 1, 2, 3), AWAY),
    ),
    S(
        lambda t, x, g: t.grid_sampler_3d(x, g, 1, 0, True),
        (1, 1, 3, 5, 3),
        ((1, 1, 2, 2, 3), AWAY),
    ),
)


def _dropout_backward(t, g):
    mask = t.tensor([[True, False, True], [False, True, True]])
    return t.ops.aten.native_dropout_backward(g, mask, 2.0)


_add(
    "_dropout_backward",
    S(
        _dropout_backward,
        (2, 3),
        xfail={"edges": "PyTorch's node keeps an empty edge for the mask, which has no formula"},
    ),
)
_add(
    "_masked_scale",
    S(lambda t, x: t.native_dropout(x, 0.5, False)[0], M),
    S(_seeded(lambda t, x: t.native_dropout(x, 0.25, True)[0]), M),
    S(
        _seeded(lambda t, x: t.native_dropout(x, 0.25, None)[0]),
        M,
        xfail=X(
            "with train=None PyTorch scales the output and not the gradient (its backward is not "
            "the derivative of its forward), and so do we: forward and reverse mode disagree",
            "forward_ad",
        ),
    ),
)

# --- shape, statistics and storage ops: ravel ... as_strided, the *_copy functions ---------------
_add(
    "unsafe_split",
    S(lambda t, x: x.unsafe_split(2), M),
    S(lambda t, x: t.unsafe_split(x, 3, 1), M),
    S(lambda t, x: x.unsafe_chunk(2, 1), M),
)
_add(
    "unsafe_split_with_sizes",
    S(lambda t, x: x.unsafe_split_with_sizes([2, 1]), M),
    S(lambda t, x: t.unsafe_split_with_sizes(x, [0, 4], -1), M),
)
_add(
    "vdot",
    S(lambda t, x, y: t.vdot(x, y), (4,), (4,)),
    S(lambda t, x, y: x.vdot(y), (0,), (0,)),
    S(lambda t, x, y: t.vdot(x, y), ((3,), CPLX), ((3,), CPLX)),
)
_add(
    "dist",
    S(lambda t, x, y: t.dist(x, y), M, (4,)),
    S(lambda t, x, y: x.dist(y, 1), (M, AWAY), C((4,), AWAY)),
    S(lambda t, x, y: x.dist(y, 3), (), (2, 3)),
    S(lambda t, x, y: x.dist(y, 0.5), (M, DISTINCT), C(M, DISTINCT)),
    S(lambda t, x, y: x.dist(y, float("inf")), (M, DISTINCT), C((4,), DISTINCT)),
)
_add(
    "renorm",
    S(lambda t, x: x.renorm(2, 0, 1.0), (M, (-1.0, 1.0))),
    S(lambda t, x: t.renorm(x, 1, 1, 0.8), (M, POS)),
    S(lambda t, x: x.renorm(3, -1, 0.5), (2, 3, 2)),
    S(lambda t, x: (x * 1).renorm_(2, 0, 0.7), M),
    S(lambda t, z: z.renorm(2, 0, 0.5), ((3, 4), CPLX)),
    S(lambda t, z: z.renorm(1.5, 1, 0.4), ((3, 4), CPLX)),
)
_add(
    "_legacy_cholesky",
    S(lambda t, a: t.cholesky(_SPD(t, a)), (3, 3)),
    S(lambda t, a: _SPD(t, a).cholesky(upper=True), (2, 3, 3)),
)
_add(
    "_as_strided",
    S(lambda t, x: x.as_strided((2, 2), (1, 2)), M),
    S(lambda t, x: (x * 1)[1:].as_strided((2, 3), (1, 2), 1), M),
    S(lambda t, x: t.as_strided(x.t(), (3, 3), (1, 1), 2), M),  # positions read twice
    S(lambda t, x: x[0].expand(3, 4).as_strided((2, 2), (1, 1)), M),  # an input read twice
    S(lambda t, x: x.as_strided((0, 2), (1, 2)), M),
)
_add(
    "_AsStridedBackward1",
    S(lambda t, x: (x * 1).as_strided_((3, 2), (2, 1), 1), M, xfail=_RESTRIDE),
    S(lambda t, x: (x * 1).t().as_strided_((2, 2), (0, 1)), M),
)
_AS_STRIDED_SCATTER_SELF = X(
    "PyTorch's gradient for self is the gradient at the written positions and zero elsewhere, "
    "the reverse of the derivative (finite differences agree with ours)",
    "values",
    "gradcheck",
)
_add(
    "_as_strided_scatter",
    S(
        lambda t, x, s: t.as_strided_scatter(x * 1, s, (2, 2), (1, 4), 1),
        M,
        (2, 2),
        xfail=_AS_STRIDED_SCATTER_SELF,
    ),
    S(lambda t, x, s: t.as_strided_scatter(x.detach(), s, (3,), (5,)), M, (3,)),
)
_add("_resize", S(lambda t, x: x.resize(4, 3), M), S(lambda t, x: x.t().resize_as(x), M))
_add(
    "_view_copy",
    S(lambda t, x: t.view_copy(x, (2, 6)), M),
    S(
        lambda t, x: t.view_copy(x.t(), (-1,)),
        M,
        xfail=X(
            "PyTorch's forward mode views the tangent of a transposed input and refuses; ours "
            "gives the tangent",
            "forward_ad",
        ),
    ),
)
_add("_permute_copy", S(lambda t, x: t.permute_copy(x, (2, 0, 1)), (2, 3, 4)))
_add("_transpose_copy", S(lambda t, x: t.transpose_copy(x, 0, 1), M))
_add("_t_copy", S(lambda t, x: t.t_copy(x), M), S(lambda t, x: t.t_copy(x), (3,)))
_add("_expand_copy", S(lambda t, x: t.expand_copy(x, (2, 3, 4)), (3, 1)))
_add("_squeeze_copy", S(lambda t, x: t.squeeze_copy(x), (3, 1, 4)))
_add("_squeeze_dim_copy", S(lambda t, x: t.squeeze_copy(x, 1), (3, 1, 4)))
_add("_squeeze_dims_copy", S(lambda t, x: t.squeeze_copy(x, (0, 1)), (3, 1, 4)))
_add("_unsqueeze_copy", S(lambda t, x: t.unsqueeze_copy(x, 1), M))
_add("_select_copy", S(lambda t, x: t.select_copy(x, 1, 2), M))
_add(
    "_slice_copy",
    S(lambda t, x: t.slice_copy(x, 1, 1, 3), M),
    S(lambda t, x: t.slice_copy(x, 1, 0, 4, 2), M),
    S(lambda t, x: t.slice_copy(x), M),
)
_add("_split_copy", S(lambda t, x: t.split_copy(x, 2), M), S(lambda t, x: t.split_copy(x, 3, 1), M))
_add("_split_with_sizes_copy", S(lambda t, x: t.split_with_sizes_copy(x, [1, 3], 1), M))
_add("_unbind_copy", S(lambda t, x: t.unbind_copy(x, 1), M))
_add("_diagonal_copy", S(lambda t, x: t.diagonal_copy(x, 1), M))
_add("_alias_copy", S(lambda t, x: t.alias_copy(x), M), S(lambda t, x: t.alias_copy(x), ()))
_add(
    "_narrow_copy",
    S(lambda t, x: t.narrow_copy(x, 1, 1, 2), M),
    S(lambda t, x: x.narrow_copy(0, 0, 2), M),
)
_add("_unfold_copy", S(lambda t, x: t.unfold_copy(x, 1, 2, 1), M))
_add("_as_strided_copy", S(lambda t, x: t.as_strided_copy(x, (2, 2), (1, 2), 3), M))
_add("_view_as_real_copy", S(lambda t, x: t.view_as_real_copy(x), ((3,), CPLX)))
_add("detach_copy", S(lambda t, x: t.detach_copy(x), M))
_IR_INDEX = [0, 2, 0, 3, 2]
for _reduce in ("prod", "mean", "amax", "amin"):
    for _self in (True, False):
        _add(
            "_index_reduce",
            S(
                lambda t, x, s, r=_reduce, i=_self: x.index_reduce(
                    0, t.tensor(_IR_INDEX), s, r, include_self=i
                ),
                ((4, 3), DISTINCT),
                ((5, 3), DISTINCT),
            ),
        )
_add(
    "_index_reduce",
    S(lambda t, x, s: t.index_reduce(x, 1, t.tensor([1, 1]), s, "prod"), M, (3, 2)),
    S(lambda t, x, s: (x * 1).index_reduce_(0, t.tensor([2, 0]), s, "mean"), M, (2, 4)),
)
_add(
    "_put",
    S(lambda t, x, s: x.put(t.tensor([0, 5, -1]), s), M, (3,)),
    S(lambda t, x, s: t.put(x, t.tensor([0, 5, 0]), s, accumulate=True), M, (3,)),
    S(lambda t, x, s: x.t().put(t.tensor([[1], [7]]), s), M, (2, 1)),
    S(lambda t, x, s: (x * 1).put_(t.tensor([3, 3]), s, True), M, (2,)),
)
_add(
    "_histogram_recorded",
    S(lambda t, x: t.histogram(x, 3), (5,)),
)
_add(
    "_histogramdd_recorded",
    S(lambda t, x: t.histogramdd(x, [2, 3]), (5, 2)),
)
_add(
    "_unique_consecutive",
    S(lambda t, x: t.unique_consecutive(x.round()), (8,)),
)
# --- more pointwise ops: inverse hyperbolics, angles, NaN-ignoring extrema, shifts, in-place -----
# comparisons, fill ---------------------------------------------------------------------------------

_add(
    "acosh",
    unary(lambda t, x: x.acosh(), (1.2, 3.0)),
    S(lambda t, x: t.arccosh(x), (M, (-2.0, 3.0))),  # NaN below 1
    S(lambda t, z: z.acosh(), Z),
)
_add("asinh", unary(lambda t, x: t.asinh(x)), S(lambda t, z: t.arcsinh(z), Z))
_add(
    "atanh",
    unary(lambda t, x: x.arctanh(), UNIT),
    S(lambda t, x: t.atanh(x * 1.5), M),  # +-inf at +-1, NaN beyond
    S(lambda t, z: z.atanh(), Z),
)
_add("deg2rad", unary(lambda t, x: t.deg2rad(x)), S(lambda t, x: (x * 1).deg2rad_(), M))
_add("rad2deg", unary(lambda t, x: x.rad2deg()), S(lambda t, x: t.rad2deg_(x * 1), M))
for _name in ("fmax", "fmin"):
    _add(
        _name,
        binary(lambda t, x, y, _name=_name: getattr(t, _name)(x, y)),
        # NaN against numbers and against NaN: the number wins, the gradient follows it
        S(lambda t, x, y, _name=_name: getattr(x.log(), _name)(y.log()), M, (4,)),
    )
_add(
    "signbit",
    unary(lambda t, x: t.signbit(x * 0)),  # -0.0 has its sign bit set
    S(lambda t, x: x.signbit(), (M, INT), grad=False),
)
_add(
    "isposinf",
    unary(lambda t, x: t.isposinf(x / (x - x))),  # +-inf by the sign of x
    S(lambda t, x: x.isposinf(), (M, INT), grad=False),
)
_add("isneginf", unary(lambda t, x: (x / (x - x)).isneginf()))
_add("isreal", unary(lambda t, x: t.isreal(x)), S(lambda t, z: z.isreal(), Z))
for _name, _op in (("bitwise_left_shift", "<<"), ("bitwise_right_shift", ">>")):
    _fn = lambda t, x, y, _name=_name: getattr(t, _name)(x, y)  # noqa: E731
    _add(
        _name,
        S(_fn, (M, INT), ((4,), INT), grad=False),  # negative amounts too
        S(lambda t, x, _name=_name: getattr(x, _name)(70), (M, INT), grad=False),
        S(
            lambda t, x, y, _name=_name: getattr(t, _name)(x.to(t.int8), y * 2),
            (M, INT),
            ((), INT),
            grad=False,
        ),
        S(lambda t, x, _name=_name: getattr(t, _name)(-3, x), ((0, 3), INT), grad=False),
    )
_add(
    "_conj_physical_in_place",
    S(lambda t, z: (z * 1).conj_physical_(), Z),
    S(lambda t, x: t.conj_physical_(x * 1), M),
)
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    _add(
        f"_{_name}_number_",
        unary(lambda t, x, _name=_name: getattr(x.floor(), _name + "_")(0.0), AWAY),
    )
    _add(
        f"_{_name}_tensor_",
        *(  # (the written tensor must hold the broadcast shape)
            S(lambda t, x, y, _name=_name: getattr(x.floor(), _name + "_")(y.floor()), a, b)
            for a, b in (((M, AWAY), ((4,), AWAY)), ((M, AWAY), ((), AWAY)), ((0, 3), (3,)))
        ),
    )
_add("_fill_new", unary(lambda t, x: t.fill(x, 2.5)))
_add(
    "_fill_tensor_new",
    S(lambda t, x, v: t.fill(x, v), M, ()),
    S(lambda t, x, v: t.fill(x, v), (0, 2), ()),
)
# torch's own spellings of nn.functional's activations: the same ops
_add("_threshold", S(lambda t, x: t.threshold(x, 0.1, 20.0), (M, AWAY)))
_add("_threshold_", S(lambda t, x: t.threshold_(x * 1, 0.1, -2.0), (M, AWAY)))
_add("_celu", S(lambda t, x: t.celu(x, 2.0), (M, AWAY)))
_add("_celu_", S(lambda t, x: t.celu_(x * 1, alpha=0.5), (M, AWAY)))
_add("_elu", S(lambda t, x: t.selu(x), (M, AWAY)))
_add("_elu_", S(lambda t, x: t.selu_(x * 1), (M, AWAY)))
_add("_prelu", S(lambda t, x, w: x.prelu(w), ((2, 3, 4), AWAY), (3,)))
_add("_prelu", S(lambda t, x, w: t.prelu(x, w), ((), AWAY), (1,)))
# --- nn pieces: adaptive 3-d max pooling ---------------------------------------------------------
_add(
    "_adaptive_max_pool3d",
    S(lambda t, x: _f(t).adaptive_max_pool3d(x, (2, 3, None)), (1, 2, 5, 4, 3)),
    S(lambda t, x: _f(t).adaptive_max_pool3d(x, 2), (2, 3, 3, 4)),
)
_add(
    "_adaptive_pool_scatter3d",
    S(
        backward_of(lambda t, x: _f(t).adaptive_max_pool3d(x, (2, 3, 2))),
        ((1, 2, 5, 4, 3), DISTINCT),
        (1, 2, 2, 3, 2),
    ),
)
# --- complex inputs of reductions and products: gradients conjugate their derivatives ----------
_add("logaddexp", S(lambda t, z, w: t.logaddexp(z, w), Z, ((4,), CPLX)))
_add(
    "logcumsumexp",
    S(lambda t, z: t.logcumsumexp(z, 1), Z),
    S(lambda t, z: t.logcumsumexp(z * 3, 0), Z),
)
_add("logsumexp", S(lambda t, z: t.logsumexp(z, 1), Z))
_add("_prod_all", S(lambda t, z: z.prod(), Z))
_add("_prod_dim", S(lambda t, z: z.prod(1, keepdim=True), Z))
_add("cumprod", S(lambda t, z: z.cumprod(0), Z))
_add("_cross", S(lambda t, z, w: t.linalg.cross(z, w, dim=0), ((3, 2), CPLX), ((3, 2), CPLX)))
_add("_pow_scalar_base", S(lambda t, z: 2.0**z, Z))
_add("add", S(lambda t, z, w: t.add(z, w, alpha=2 - 1j), Z, ((4,), CPLX)))
_add("_sub", S(lambda t, z, w: t.sub(z, w, alpha=0.5j), Z, ((4,), CPLX)))
_add(
    "_vector_norm",
    S(lambda t, z: t.linalg.vector_norm(z, 1), Z),
    S(lambda t, z: t.linalg.vector_norm(z, 0, dim=1) * z.abs().sum(), Z),  # a real count
    S(lambda t, z: t.linalg.vector_norm(z[:0], float("inf"), dim=1) + z.abs().sum(), Z),
    S(lambda t, z: t.linalg.vector_norm(z, float("inf"), dim=1), Z),
)
# --- segment reductions --------------------------------------------------------------------------
_add(
    "_segment_reduce",
    S(lambda t, x: t.segment_reduce(x, "sum", lengths=t.tensor([2, 0, 3, 1])), (6,)),
    S(lambda t, x: t.segment_reduce(x, "mean", lengths=t.tensor([2, 0, 3, 1]), initial=0.5), (6,)),
    S(
        lambda t, x: t.segment_reduce(x, "max", lengths=t.tensor([1, 3]), axis=0),
        ((4, 2), DISTINCT),
    ),
    S(
        lambda t, x: t.segment_reduce(x, "amin", lengths=t.tensor([[1, 2], [2, 1]]), axis=1),
        ((2, 3), DISTINCT),
    ),
    S(lambda t, x: t.segment_reduce(x, "prod", offsets=t.tensor([0, 2, 2, 5])), ((5, 2), POS)),
    S(lambda t, x: t.segment_reduce(x, "sum", lengths=t.tensor([0, 0])), (0, 3)),
)
_add(
    "_segment_reduce_backward",
    S(
        backward_of(lambda t, x: t.segment_reduce(x, "prod", lengths=t.tensor([3, 1]))),
        (4,),
        (2,),
    ),
)
_add(
    "_slice_inverse",
    S(lambda t, x, s: t.slice_inverse(x, s, 1), M, M),
    S(lambda t, x, s: x.slice_inverse(s, 0, 0, 3), (3, 2), (3, 2)),
)


def _masked_indices(t):
    return [t.tensor([[1], [0], [4], [2]]), t.tensor([[3, -1, 5]])]


def _masked(t):
    return t.tensor([[True, False, True], [False, True, True], [True, True, False], [True] * 3])


_add(
    "_masked_index",
    S(lambda t, x: t._unsafe_masked_index(x, _masked(t), _masked_indices(t), -1.5), (3, 4)),
)
_add(
    "_masked_put",
    S(
        lambda t, x, v: t._unsafe_masked_index_put_accumulate(x, _masked(t), _masked_indices(t), v),
        (3, 4),
        (4, 3),
    ),
)
_add(
    "_chunk_cat",
    S(lambda t, a, b: t._chunk_cat([a, b], 1, 2), (2, 3, 5), (2, 3, 2, 2)),
    S(lambda t, a: t._chunk_cat([a], -1, 4), (2, 3)),
)
_add(
    "batch_norm_update_stats",
    S(lambda t, x: t.batch_norm_update_stats(x, None, None, 0.1), (2, 3, 4)),
    S(
        lambda t, x: t.batch_norm_update_stats(
            x, t.zeros(3, dtype=x.dtype), t.ones(3, dtype=x.dtype), 0.3
        )[1],
        (4, 3),
    ),
)
