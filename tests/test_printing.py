"""repr/str of tensors: character for character as PyTorch 2.13 prints them.

The expected strings below were produced by running PyTorch 2.13 on the same expressions; the parity
tests at the end compare against PyTorch live where it is installed.
"""

import numpy as np
import pytest

import retrograd
import retrograd as torch  # the expressions below are written as a PyTorch user would write them

EXPECTED = [
    ("torch.tensor([1, 2, 3])", "tensor([1, 2, 3])"),
    ("torch.tensor([True, False])", "tensor([ True, False])"),
    ("torch.tensor([1., 2.])", "tensor([1., 2.])"),
    ("torch.tensor([1.5, 2.25])", "tensor([1.5000, 2.2500])"),
    ("torch.tensor(3.5)", "tensor(3.5000)"),
    ("torch.tensor(3)", "tensor(3)"),
    ("torch.tensor(True)", "tensor(True)"),
    ("torch.tensor([])", "tensor([])"),
    ("torch.tensor([], dtype=torch.int64)", "tensor([], dtype=torch.int64)"),
    ("torch.zeros(0, 3)", "tensor([], size=(0, 3))"),
    ("torch.zeros(2, 0, dtype=torch.int32)", "tensor([], size=(2, 0), dtype=torch.int32)"),
    ("torch.tensor([0., 0.])", "tensor([0., 0.])"),
    ("torch.tensor([float('nan'), 1.])", "tensor([nan, 1.])"),
    ("torch.tensor([float('inf'), -float('inf'), float('nan')])", "tensor([inf, -inf, nan])"),
    ("torch.tensor([1e5, 1.])", "tensor([1.0000e+05, 1.0000e+00])"),
    ("torch.tensor([1e-5, 1.])", "tensor([1.0000e-05, 1.0000e+00])"),
    ("torch.tensor([1e9, 2.])", "tensor([1.0000e+09, 2.0000e+00])"),
    ("torch.tensor([123456789.])", "tensor([1.2346e+08])"),
    ("torch.tensor([-1., 2.5, -300.125])", "tensor([  -1.0000,    2.5000, -300.1250])"),
    ("torch.tensor([[1., 2.], [3., 4.]])", "tensor([[1., 2.],\n        [3., 4.]])"),
    (
        "torch.tensor([[1.5, -2.], [3., 4e6]])",
        "tensor([[ 1.5000e+00, -2.0000e+00],\n        [ 3.0000e+00,  4.0000e+06]])",
    ),
    (
        "torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)",
        "tensor([0.1000, 0.2000, 0.3000], dtype=torch.float64)",
    ),
    (
        "torch.tensor([0.1, 0.2], dtype=torch.float16)",
        "tensor([0.1000, 0.2000], dtype=torch.float16)",
    ),
    ("torch.tensor([1, 2], dtype=torch.int32)", "tensor([1, 2], dtype=torch.int32)"),
    ("torch.tensor(-0.0)", "tensor(-0.)"),
    (
        "torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])",
        "tensor([[[1, 2],\n         [3, 4]],\n\n        [[5, 6],\n         [7, 8]]])",
    ),
    ("torch.arange(2000)", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (
        "torch.arange(2000.)",
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
    ),
    (
        "torch.arange(50.) * 1.5",
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000, 45.0000, 46.5000,\n        48.0000, 49.5000, 51.0000, 52.5000, 54.0000, 55.5000, 57.0000, 58.5000,\n        60.0000, 61.5000, 63.0000, 64.5000, 66.0000, 67.5000, 69.0000, 70.5000,\n        72.0000, 73.5000])",
    ),
    (
        "torch.arange(40) * 1000",
        "tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000])",
    ),
    (
        "torch.arange(1600.).reshape(40, 40)",
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,\n         3.9000e+01],\n        [4.0000e+01, 4.1000e+01, 4.2000e+01,  ..., 7.7000e+01, 7.8000e+01,\n         7.9000e+01],\n        [8.0000e+01, 8.1000e+01, 8.2000e+01,  ..., 1.1700e+02, 1.1800e+02,\n         1.1900e+02],\n        ...,\n        [1.4800e+03, 1.4810e+03, 1.4820e+03,  ..., 1.5170e+03, 1.5180e+03,\n         1.5190e+03],\n        [1.5200e+03, 1.5210e+03, 1.5220e+03,  ..., 1.5570e+03, 1.5580e+03,\n         1.5590e+03],\n        [1.5600e+03, 1.5610e+03, 1.5620e+03,  ..., 1.5970e+03, 1.5980e+03,\n         1.5990e+03]])",
    ),
    (
        "torch.arange(5005).reshape(5, 1001)",
        "tensor([[   0,    1,    2,  ...,  998,  999, 1000],\n        [1001, 1002, 1003,  ..., 1999, 2000, 2001],\n        [2002, 2003, 2004,  ..., 3000, 3001, 3002],\n        [3003, 3004, 3005,  ..., 4001, 4002, 4003],\n        [4004, 4005, 4006,  ..., 5002, 5003, 5004]])",
    ),
    (
        "torch.arange(1716).reshape(11, 12, 13)",
        "tensor([[[   0,    1,    2,  ...,   10,   11,   12],\n         [  13,   14,   15,  ...,   23,   24,   25],\n         [  26,   27,   28,  ...,   36,   37,   38],\n         ...,\n         [ 117,  118,  119,  ...,  127,  128,  129],\n         [ 130,  131,  132,  ...,  140,  141,  142],\n         [ 143,  144,  145,  ...,  153,  154,  155]],\n\n        [[ 156,  157,  158,  ...,  166,  167,  168],\n         [ 169,  170,  171,  ...,  179,  180,  181],\n         [ 182,  183,  184,  ...,  192,  193,  194],\n         ...,\n         [ 273,  274,  275,  ...,  283,  284,  285],\n         [ 286,  287,  288,  ...,  296,  297,  298],\n         [ 299,  300,  301,  ...,  309,  310,  311]],\n\n        [[ 312,  313,  314,  ...,  322,  323,  324],\n         [ 325,  326,  327,  ...,  335,  336,  337],\n         [ 338,  339,  340,  ...,  348,  349,  350],\n         ...,\n         [ 429,  430,  431,  ...,  439,  440,  441],\n         [ 442,  443,  444,  ...,  452,  453,  454],\n         [ 455,  456,  457,  ...,  465,  466,  467]],\n\n        ...,\n\n        [[1248, 1249, 1250,  ..., 1258, 1259, 1260],\n         [1261, 1262, 1263,  ..., 1271, 1272, 1273],\n         [1274, 1275, 1276,  ..., 1284, 1285, 1286],\n         ...,\n         [1365, 1366, 1367,  ..., 1375, 1376, 1377],\n         [1378, 1379, 1380,  ..., 1388, 1389, 1390],\n         [1391, 1392, 1393,  ..., 1401, 1402, 1403]],\n\n        [[1404, 1405, 1406,  ..., 1414, 1415, 1416],\n         [1417, 1418, 1419,  ..., 1427, 1428, 1429],\n         [1430, 1431, 1432,  ..., 1440, 1441, 1442],\n         ...,\n         [1521, 1522, 1523,  ..., 1531, 1532, 1533],\n         [1534, 1535, 1536,  ..., 1544, 1545, 1546],\n         [1547, 1548, 1549,  ..., 1557, 1558, 1559]],\n\n        [[1560, 1561, 1562,  ..., 1570, 1571, 1572],\n         [1573, 1574, 1575,  ..., 1583, 1584, 1585],\n         [1586, 1587, 1588,  ..., 1596, 1597, 1598],\n         ...,\n         [1677, 1678, 1679,  ..., 1687, 1688, 1689],\n         [1690, 1691, 1692,  ..., 1700, 1701, 1702],\n         [1703, 1704, 1705,  ..., 1713, 1714, 1715]]])",
    ),
    (
        "torch.arange(24.).reshape(2, 3, 4)",
        "tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])",
    ),
    (
        "torch.arange(18.).reshape(3, 3, 2) / 7",
        "tensor([[[0.0000, 0.1429],\n         [0.2857, 0.4286],\n         [0.5714, 0.7143]],\n\n        [[0.8571, 1.0000],\n         [1.1429, 1.2857],\n         [1.4286, 1.5714]],\n\n        [[1.7143, 1.8571],\n         [2.0000, 2.1429],\n         [2.2857, 2.4286]]])",
    ),
    ("torch.ones(2, requires_grad=True)", "tensor([1., 1.], requires_grad=True)"),
    ("torch.ones(2, requires_grad=True) * 2", "tensor([2., 2.], grad_fn=<MulBackward0>)"),
    ("(torch.ones(2, requires_grad=True) * 2).sum()", "tensor(4., grad_fn=<SumBackward0>)"),
    (
        "torch.ones(2, dtype=torch.float64, requires_grad=True) * 2",
        "tensor([2., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)",
    ),
    (
        "torch.arange(16., dtype=torch.float64, requires_grad=True) * 1.5",
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000],\n       dtype=torch.float64, grad_fn=<MulBackward0>)",
    ),
    (
        "torch.arange(9., dtype=torch.float64, requires_grad=True) * 1.5",
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n        12.0000], dtype=torch.float64, grad_fn=<MulBackward0>)",
    ),
    (
        "torch.arange(12., dtype=torch.float16) * 1.5",
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n        12.0000, 13.5000, 15.0000, 16.5000], dtype=torch.float16)",
    ),
    (
        "torch.ones(3, 3, dtype=torch.float64)",
        "tensor([[1., 1., 1.],\n        [1., 1., 1.],\n        [1., 1., 1.]], dtype=torch.float64)",
    ),
    ("torch.tensor([1+2j, 3-4j])", "tensor([1.+2.j, 3.-4.j])"),
    ("torch.tensor([1.5e-3, 2e5, -7.])", "tensor([ 1.5000e-03,  2.0000e+05, -7.0000e+00])"),
]

EXPECTED_WITH_OPTIONS = [
    ("dict(precision=2)", "torch.tensor([1.123456789, 2e5])", "tensor([1.12e+00, 2.00e+05])"),
    (
        "dict(precision=2)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    ("dict(precision=2)", "torch.tensor([1e-5, 3.])", "tensor([1.00e-05, 3.00e+00])"),
    ("dict(precision=2)", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    (
        "dict(precision=8)",
        "torch.tensor([1.123456789, 2e5])",
        "tensor([1.12345684e+00, 2.00000000e+05])",
    ),
    (
        "dict(precision=8)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    ("dict(precision=8)", "torch.tensor([1e-5, 3.])", "tensor([9.99999975e-06, 3.00000000e+00])"),
    ("dict(precision=8)", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    ("dict(sci_mode=True)", "torch.tensor([1.123456789, 2e5])", "tensor([1.1235e+00, 2.0000e+05])"),
    (
        "dict(sci_mode=True)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00],\n        [3.0000e+00, 4.0000e+00, 5.0000e+00],\n        [6.0000e+00, 7.0000e+00, 8.0000e+00]])",
    ),
    ("dict(sci_mode=True)", "torch.tensor([1e-5, 3.])", "tensor([1.0000e-05, 3.0000e+00])"),
    ("dict(sci_mode=True)", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    (
        "dict(sci_mode=False)",
        "torch.tensor([1.123456789, 2e5])",
        "tensor([     1.1235, 200000.0000])",
    ),
    (
        "dict(sci_mode=False)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    ("dict(sci_mode=False)", "torch.tensor([1e-5, 3.])", "tensor([0.0000, 3.0000])"),
    ("dict(sci_mode=False)", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    ("dict(linewidth=40)", "torch.tensor([1.123456789, 2e5])", "tensor([1.1235e+00, 2.0000e+05])"),
    (
        "dict(linewidth=40)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    ("dict(linewidth=40)", "torch.tensor([1e-5, 3.])", "tensor([1.0000e-05, 3.0000e+00])"),
    ("dict(linewidth=40)", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    (
        "dict(threshold=5, edgeitems=2)",
        "torch.tensor([1.123456789, 2e5])",
        "tensor([1.1235e+00, 2.0000e+05])",
    ),
    (
        "dict(threshold=5, edgeitems=2)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    (
        "dict(threshold=5, edgeitems=2)",
        "torch.tensor([1e-5, 3.])",
        "tensor([1.0000e-05, 3.0000e+00])",
    ),
    ("dict(threshold=5, edgeitems=2)", "torch.arange(1, 9)", "tensor([1, 2,  ..., 7, 8])"),
    ("dict(profile='short')", "torch.tensor([1.123456789, 2e5])", "tensor([1.12e+00, 2.00e+05])"),
    (
        "dict(profile='short')",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])",
    ),
    ("dict(profile='short')", "torch.tensor([1e-5, 3.])", "tensor([1.00e-05, 3.00e+00])"),
    ("dict(profile='short')", "torch.arange(1, 9)", "tensor([1, 2, 3, 4, 5, 6, 7, 8])"),
    (
        "dict(edgeitems=0, threshold=3)",
        "torch.tensor([1.123456789, 2e5])",
        "tensor([1.1235e+00, 2.0000e+05], size=(2,))",
    ),
    (
        "dict(edgeitems=0, threshold=3)",
        "torch.arange(9.).reshape(3, 3)",
        "tensor([...], size=(3, 3))",
    ),
    (
        "dict(edgeitems=0, threshold=3)",
        "torch.tensor([1e-5, 3.])",
        "tensor([1.0000e-05, 3.0000e+00], size=(2,))",
    ),
    ("dict(edgeitems=0, threshold=3)", "torch.arange(1, 9)", "tensor([...], size=(8,))"),
]


@pytest.fixture(autouse=True)
def _default_printoptions():
    yield
    retrograd.set_printoptions(profile="default")


@pytest.mark.parametrize("expr,expected", EXPECTED, ids=[e for e, _ in EXPECTED])
def test_repr_matches_pytorch(expr, expected):
    t = eval(expr)
    assert repr(t) == expected
    assert str(t) == expected


@pytest.mark.parametrize(
    "options,expr,expected",
    EXPECTED_WITH_OPTIONS,
    ids=[f"{o}-{e}" for o, e, _ in EXPECTED_WITH_OPTIONS],
)
def test_set_printoptions(options, expr, expected):
    retrograd.set_printoptions(**eval(options))
    assert repr(eval(expr)) == expected


def test_set_printoptions_resets_sci_mode_when_not_given():
    retrograd.set_printoptions(sci_mode=True)
    retrograd.set_printoptions(precision=4)
    assert repr(torch.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"


def test_summarised_tensor_shows_edge_items_and_ellipsis():
    text = repr(torch.arange(1001))
    assert text == "tensor([   0,    1,    2,  ...,  998,  999, 1000])"


def test_long_tensor_wraps_at_linewidth():
    lines = repr(torch.arange(30.0) * 1.5).split("\n")
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines)
    assert all(line.startswith(" " * 8) for line in lines[1:])


def test_default_dtype_float64_hides_its_suffix_and_shows_float32():
    retrograd.set_default_dtype(retrograd.float64)
    try:
        assert repr(torch.tensor([1.5])) == "tensor([1.5000])"
        assert (
            repr(torch.tensor([1.5], dtype=torch.float32))
            == "tensor([1.5000], dtype=torch.float32)"
        )
    finally:
        retrograd.set_default_dtype(retrograd.float32)


def test_tensor_contents_replaces_the_body():
    t = torch.ones(2, requires_grad=True)
    assert t.__repr__(tensor_contents="[...]") == "tensor([...], requires_grad=True)"


def test_format_of_a_zero_dim_tensor_uses_its_value():
    assert f"{torch.tensor(2.5):.2f}" == "2.50"


# --- parity with PyTorch, live ---------------------------------------------------------------

SHAPES = [
    (1,),
    (7,),
    (33,),
    (2000,),
    (4, 5),
    (40, 40),
    (5, 1001),
    (1001, 2),
    (3, 4, 5),
    (2, 3, 200),
    (11, 12, 13),
    (2, 2, 2, 3),
    (0, 3),
    (2, 0, 4),
    (0,),
    (1, 1, 1),
    (),
]
KINDS = ["float32", "float64", "float16", "int64", "int32", "bool", "int8"]


def _sample(rng, shape, kind):
    """Values that exercise every format: integers, wide magnitudes, nan/inf, negatives."""
    style = rng.integers(5)
    a = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 9))
    if style == 1:
        a = np.asarray(np.round(a))
    elif style == 2 and a.size:
        a.flat[rng.integers(a.size)] = rng.choice([np.nan, np.inf, -np.inf])
    elif style == 3:
        a = np.asarray(np.abs(a))
    if kind == "bool":
        return np.asarray(a > 0)
    if kind.startswith("int"):
        return np.asarray(np.nan_to_num(a).clip(-100, 100).astype(kind))
    with np.errstate(over="ignore"):
        return np.asarray(a.astype(kind))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_repr_parity_random(torch_ref, shape):
    rng = np.random.default_rng(abs(hash(shape)) % 1000)
    for kind in KINDS:
        a = _sample(rng, shape, kind)
        ours, theirs = retrograd.from_numpy(a.copy()), torch_ref.from_numpy(a.copy())
        assert repr(ours) == repr(theirs), (kind, a)


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 7},
        {"sci_mode": True},
        {"sci_mode": False},
        {"linewidth": 50},
        {"threshold": 10, "edgeitems": 1},
        {"profile": "short"},
        {"profile": "full"},
    ],
    ids=str,
)
def test_repr_parity_with_options(torch_ref, options):
    rng = np.random.default_rng(3)
    retrograd.set_printoptions(**options)
    torch_ref.set_printoptions(**options)
    try:
        for shape in [(9,), (3, 4), (30,), (2, 3, 4)]:
            a = _sample(rng, shape, "float32")
            assert repr(retrograd.from_numpy(a.copy())) == repr(torch_ref.from_numpy(a.copy()))
    finally:
        torch_ref.set_printoptions(profile="default")


@pytest.mark.parametrize("n", [3, 9, 12, 16, 25])
def test_suffix_moves_to_new_line_like_pytorch(torch_ref, n):
    ours = retrograd.arange(float(n), dtype=retrograd.float64, requires_grad=True) * 1.5
    theirs = torch_ref.arange(float(n), dtype=torch_ref.float64, requires_grad=True) * 1.5
    assert repr(ours) == repr(theirs)


def test_complex_parity(torch_ref):
    for data in ([1 + 2j, 3 - 4j], [1.5j, -2.25 + 0j], 1 + 1j, [[1e5 + 1j, 2j]]):
        assert repr(retrograd.tensor(data)) == repr(torch_ref.tensor(data))


def test_node_names_and_reprs_match_pytorch(torch_ref):
    """name() may be longer than the class name (torch::autograd::...); reprs use the class."""

    def names(T):
        x = T.ones(2, requires_grad=True)
        y = x * 1
        y[0] = 3.0
        acc = (x * 2).grad_fn.next_functions[0][0]
        return [
            repr(y),
            y.grad_fn.name(),
            type(y.grad_fn).__name__,
            repr(y.grad_fn).split(" object")[0],
            acc.name(),
            type(acc).__name__,
            repr(acc).split(" object")[0],
        ]

    assert names(retrograd) == names(torch_ref)
