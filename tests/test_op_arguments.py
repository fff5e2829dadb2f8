"""What an op takes in place of a tensor, as PyTorch: a Python number only where PyTorch has an
overload taking one (``torch.eq(x, 2)``) or takes numbers as tensors (``torch.add(2, x)``), and
PyTorch's TypeError, with its text, anywhere else (``torch.sin(2.)``); and ``torch.typename``."""

import inspect

import numpy as np
import pytest

import retrograd
from retrograd.ops.argument_kinds import OP_KINDS, OP_METHOD_KINDS
from retrograd.ops.registry import OPS


def _function(lib, name):
    if name.startswith("special_"):
        return getattr(lib.special, name[len("special_") :], None)
    return getattr(lib, name, None)


# Every public op that is itself the function of its name (not one of several ops behind a
# function), taking no argument without a default beyond its tensors, and each tensor input.
CASES = [
    (name, i)
    for name, d in sorted(OPS.items())
    if not name.startswith("_")
    and not d.listed
    and getattr(_function(retrograd, name), "opdef", None) is d
    and all(v is not inspect.Parameter.empty for v in d.defaults[len(d.inputs) :])
    for i in range(len(d.inputs))
]


def _outcome(fn, args):
    try:
        fn(*args)
    except TypeError as e:
        return "TypeError", str(e).splitlines()[0]
    except Exception as e:
        return type(e).__name__, None
    return None, None


@pytest.mark.parametrize("number", [2.0, 2, True])
@pytest.mark.parametrize("name, i", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_a_number_for_a_tensor_input(torch_ref, name, i, number):
    theirs = _function(torch_ref, name)
    if theirs is None or name in ("all", "any", "polygamma"):
        return  # (no PyTorch function of this name, or one of another signature)
    k = len(OPS[name].inputs)
    ours = _function(retrograd, name)
    t_args = [torch_ref.ones(2, 2) for _ in range(k)]
    r_args = [retrograd.ones(2, 2) for _ in range(k)]
    t_args[i] = r_args[i] = number
    expected = _outcome(theirs, t_args)
    got = _outcome(ours, r_args)
    if expected[0] == "TypeError":
        assert got == expected
    else:
        assert got[0] != "TypeError", got


@pytest.mark.parametrize(
    "expression",
    [
        "torch.sin(2.)",
        "torch.sin(None)",
        "torch.sin([1.0])",
        "torch.sin(input=2.)",
        "torch.exp(True)",
        "torch.atan2(torch.ones(2), other=2)",
        "torch.maximum(torch.ones(2), 0.0)",
        "torch.addmm(torch.ones(2), 2.0, torch.ones(2))",
        "torch.eq(2.0, torch.ones(2))",
        "torch.xlogy(2.0, 3.0)",
        "torch.special.entr(0.5)",
        "torch.sin_(2.)",
        "torch.sin(torch.ones(2).numpy()[0])",
        "torch.atan2(torch.ones(2), torch.ones(2).numpy()[0])",
    ],
)
def test_not_a_tensor_is_pytorchs_type_error(torch_ref, expression):
    with pytest.raises(TypeError) as theirs:
        eval(expression, {"torch": torch_ref})
    with pytest.raises(TypeError) as ours:
        eval(expression, {"torch": retrograd})
    assert str(ours.value).splitlines()[0] == str(theirs.value).splitlines()[0]


@pytest.mark.parametrize(
    "expression",
    [
        "torch.add(2.0, torch.ones(2))",
        "torch.add(2.0, 3.0)",
        "torch.mul(2, 3)",
        "torch.true_divide(2, 3)",
        "torch.add(True, 2)",
        "torch.xlogy(2.0, torch.ones(2))",
        "torch.remainder(5, torch.ones(2) * 3)",
        "torch.bitwise_and(6, torch.tensor([3]))",
        "torch.special.zeta(2.0, torch.ones(2) * 3)",
        "torch.special.chebyshev_polynomial_t(0.5, torch.tensor([3]))",
        "torch.eq(torch.ones(2), 1)",
        "torch.fmod(torch.ones(2) * 5, 3)",
    ],
)
def test_numbers_where_pytorch_takes_them(torch_ref, expression):
    theirs = eval(expression, {"torch": torch_ref})
    ours = eval(expression, {"torch": retrograd})
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.tolist() == pytest.approx(theirs.tolist())


TYPENAME_OBJECTS = [
    "torch.ones(2)",
    "torch.ones(2, dtype=torch.int8)",
    "torch.ones(2, dtype=torch.float16)",
    "torch.nn.Parameter(torch.ones(2))",
    "torch.nn.Linear(1, 1)",
    "torch.nn.Flatten",
    "torch.nn.BatchNorm1d",
    "torch.optim.SGD",
    "torch.Tensor",
    "torch.float32",
    "torch.Size([2])",
    "torch.device('cpu')",
    "torch.nn.functional.relu",
    "torch.ones(2).sum",
    "torch.Generator()",
    "torch.autograd.Function",
    "torch.no_grad()",
    "torch.utils.data.DataLoader",
    "torch.distributions.Normal(0, 1)",
    "(torch.ones(2, requires_grad=True) * 2).grad_fn",
    "3",
    "len",
]


@pytest.mark.parametrize("expression", TYPENAME_OBJECTS)
def test_typename_gives_pytorchs_names(torch_ref, expression):
    theirs = torch_ref.typename(eval(expression, {"torch": torch_ref}))
    assert retrograd.typename(eval(expression, {"torch": retrograd})) == theirs


def _whole_outcome(call):
    """What ``call()`` gives: a TypeError's whole text, another error's type, or nothing."""
    try:
        call()
    except TypeError as e:
        return "TypeError", str(e)
    except Exception as e:
        return type(e).__name__, None
    return None, None


def _type_errors_as_torch(run, torch_ref):
    """``run(lib)`` raises PyTorch's TypeError, with its text, where PyTorch's does, and no
    TypeError where PyTorch raises none."""
    theirs = run(torch_ref)
    ours = run(retrograd)
    if theirs[0] == "TypeError":
        assert ours == theirs
    else:
        assert ours[0] != "TypeError", ours


def _message(fn):
    try:
        fn()
    except TypeError as e:
        return str(e)
    except Exception as e:
        return type(e).__name__
    return None


METHOD_CASES = [(n, i) for n, i in CASES if i > 0 and n in retrograd.ops.registry.METHODS]


@pytest.mark.parametrize("value", [2.0, "a"])
@pytest.mark.parametrize("name, i", METHOD_CASES, ids=[f"{n}-{i}" for n, i in METHOD_CASES])
def test_a_method_counts_its_arguments_from_after_self(torch_ref, name, i, value):
    """``x.atan2(2.)`` is position 1 to PyTorch, which leaves self out of a method's signatures."""
    k = len(OPS[name].inputs)
    if not hasattr(torch_ref.Tensor, name) or (name, value) == ("true_divide", "a"):
        return  # (true_divide's Number overload alone has no out=: its text differs)

    def call(lib):
        args = [lib.ones(2, 2) for _ in range(k)]
        args[i] = value
        return lambda: getattr(args[0], name)(*args[1:])

    expected = _message(call(torch_ref))
    if expected is not None and expected.startswith(f"{name}()"):
        assert _message(call(retrograd)) == expected


# Calls of functions composed from other ops (outside the op table) with an argument of the
# wrong kind: PyTorch's parser's TypeError, by position, by keyword, and as a method.
COMPOSED_CALLS = [
    "torch.diff(x, 1.0)",
    "torch.diff(x, n=1.0)",
    "torch.diff(x, 1, 0.0)",
    "x.diff(1.0)",
    "x.diff(True)",
    "torch.kron(x, 2.0)",
    "torch.kron(2.0, x)",
    "x.kron(2)",
    "torch.diagflat(x, 1.0)",
    "torch.diagflat(x, torch.tensor(1.0))",
    "torch.diagflat(x, torch.tensor(1))",
    "x.diagflat(np.int64(1))",
    "torch.swapaxes(x, 0.0, 1)",
    "x.swapaxes(0, '1')",
    "torch.tile(x, 2.0)",
    "torch.tile(x, [2.0])",
    "torch.tile(x, [1, 2.0])",
    "torch.tile(x, torch.tensor([2]))",
    "x.tile((1, 2))",
    "torch.vander(x[0], 2.0)",
    "torch.vander(x[0], None)",
    "torch.select(x, 0, 1.0)",
    "torch.select(x, True, 0)",
    "torch.select(x, torch.tensor(0), 1)",
    "x.select(0.0, 1)",
    "torch.index_select(x, 0.0, torch.tensor([0]))",
    "torch.index_select(x, 0, 1.0)",
    "x.index_select(0, [0])",
    "torch.roll(x, 1.0)",
    "torch.rot90(x, 1.0)",
    "torch.flatten(x, 0.0)",
    "x.flatten(end_dim=1.5)",
    "torch.take(x, 1)",
    "torch.gather(x, 1, 0)",
    "torch.allclose(x, x, 'a')",
    "torch.allclose(x, x, 1e-5, 1e-8, 1)",
    "torch.allclose(x, x, torch.tensor(1e-5))",
    "torch.nonzero_static(x, size=2.0)",
    "torch.nonzero_static(x, size=2, fill_value=1.5)",
    "torch.hash_tensor(x, 0.0)",
    "torch.hash_tensor(x, mode=0.0)",
    "torch.outer(x[0], 2)",
    "torch.matmul(x, 2.0)",
    "torch.celu(x, 'a')",
    "torch.chunk(x, 2.0)",
    "torch.unflatten(x, 0.0, (1, 2))",
    "torch.multinomial(x.abs(), 1.0)",
    "torch.cov(x, correction=1.5)",
    "torch.histc(x, 2.5)",
    "torch.square(2)",
    "torch.ravel([1])",
    # functions of several signatures: tried in PyTorch's order, their list where none fits
    "torch.clamp(x, 'a')",
    "torch.clamp('a', 1)",
    "torch.clamp(x, [1.0], 3)",
    "torch.clamp(x, 1, 'a', 'b', 'c')",
    "torch.clamp(x, min='a')",
    "torch.clamp(x, torch.tensor(0.5), 2)",
    "torch.clamp()",
    "torch.clip(x, 'a')",
    "x.clamp('a')",
    "x.clamp_((1, 2))",
    "torch.sum(x, 'a')",
    "torch.sum(x, (1,), 3, dtype=1)",
    "torch.sum(x, 0, True, 1, 3)",
    "torch.sum(x, (0,), foo=3)",
    "torch.sum(x, 0, True, 1, 3, foo=3)",
    "x.sum(0, 1, 2, 3)",
    "x.sum(dim=None)",
    "x.sum(None)",
    "x.sum(torch.tensor(1))",
    "torch.std(x, 1.5)",
    "torch.std(x, unbiased='a')",
    "torch.std(x, 'a', zz=1, aa=2, mm=3)",
    "torch.std(x, [1, 'a'], (2,))",
    "torch.std(x, (1, 'a'))",
    "x.std(1.5)",
    "x.std(0, True, False, 4)",
    "x.var(None, keepdim=True)",
    "torch.max(x, [1])",
    "torch.max(x, 1.5)",
    "x.max(1)",
    "torch.sub(x, 'a')",
    "torch.sub(2, x)",
    "torch.sub(x, 2, alpha=2)",
    "torch.subtract(x, 'a')",
    "x.add_(0, 'a')",
    "x.add_(2)",
    "x.add_(x, alpha='a')",
    "torch.div(x, 2, rounding_mode=1)",
    "x.div(0, 1, 'a')",
    "torch.pow(x, 0, 1, 'a')",
    "torch.masked_fill(x, 1, 1.5)",
    "torch.narrow(x, 0, 1.5, 1)",
    "torch.narrow(x, 0, 'a', 1, 5)",
    "torch.moveaxis('a')",
    "torch.bernoulli(x, 0.5, 1, foo=1)",
    "x.bernoulli_(0, 'a')",
    "x.to('a')",
    "x.to(torch.float64)",
    "x.to(float)",
    "x.squeeze(None)",
    "x.squeeze('a')",
    "torch.count_nonzero(x, None)",
    "torch.where(x > 0, x, 'a')",
]


@pytest.mark.parametrize("expression", COMPOSED_CALLS)
def test_composed_functions_check_argument_kinds_as_pytorch(torch_ref, expression):
    def run(lib):
        x = lib.arange(6.0).reshape(2, 3)
        return _whole_outcome(lambda: eval(expression, {"torch": lib, "x": x, "np": np}))

    _type_errors_as_torch(run, torch_ref)


def test_argument_kinds_table_is_current(torch_ref):
    """The table of argument kinds is what tools/argument_kinds.py writes from PyTorch for
    retrograd's functions today (rerun the tool after changing a signature)."""
    import importlib.util
    import pathlib

    from retrograd.ops import argument_kinds

    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / "argument_kinds.py"
    spec = importlib.util.spec_from_file_location("argument_kinds_tool", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.tables()[:6] == (
        argument_kinds.KINDS,
        argument_kinds.METHOD_KINDS,
        argument_kinds.OP_KINDS,
        argument_kinds.OP_METHOD_KINDS,
        argument_kinds.HIDDEN,
        argument_kinds.NUMBERS_AS_TENSORS,
    )


def _op_attribute_cases():
    """(op, method or not, position, how many positional arguments it needs) for each argument after the tensor inputs of an op-table
    function or method that PyTorch gives a kind."""
    cases = []
    for as_method, table in ((False, OP_KINDS), (True, OP_METHOD_KINDS)):
        for name, signatures in sorted(table.items()):
            d = OPS[name]
            positions = {
                i
                for _, arguments in signatures
                for i, key, _, kind, _, _ in arguments
                if i is not None and key in d.attrs and kind != "Tensor"
            }
            needed = max(
                (
                    i + 1
                    for _, arguments in signatures
                    for i, _, _, _, _, omit in arguments
                    if i is not None and not omit
                ),
                default=0,
            )
            cases += [(name, as_method, i, needed) for i in sorted(positions)]
    return cases


OP_ATTRIBUTE_CASES = _op_attribute_cases()


@pytest.mark.parametrize("value", [1.5, "a", None, (1.5,), [0, "a"]])
@pytest.mark.parametrize(
    "name, as_method, i, needed",
    OP_ATTRIBUTE_CASES,
    ids=[f"{n}-{'method' if m else 'function'}-{i}" for n, m, i, _ in OP_ATTRIBUTE_CASES],
)
def test_op_table_attributes_of_the_wrong_kind_as_pytorch(
    torch_ref, name, as_method, i, needed, value
):
    """An op-table function or method given a value of the wrong kind for an argument after its
    tensors (``torch.permute(x, 1.5)``, ``x.transpose(0, 'a')``) raises PyTorch's TypeError,
    with its text; a value PyTorch takes is no TypeError."""
    d = OPS[name]
    k = len(d.inputs)
    table = OP_METHOD_KINDS if as_method else OP_KINDS
    # (a value of its kind for every other argument, from the first signature naming it)
    kinds = {}
    for _, arguments in table[name]:
        for j, _, _, kind, _, _ in arguments:
            kinds.setdefault(j, kind)
    plain = {"tuple of ints": [1], "bool": False, "float": 1.0, "Number": 1}

    def run(lib):
        args = [lib.eye(2, dtype=lib.float64).reshape(1, 2, 2) + 1 for _ in range(k)]
        args += [plain.get(kinds.get(j), 0) for j in range(len(args), max(i + 1, needed))]
        args[i] = value
        fn = getattr(args[0], name) if as_method else getattr(lib, name)
        return _whole_outcome(lambda: fn(*args[1:]) if as_method else fn(*args))

    _type_errors_as_torch(run, torch_ref)


@pytest.mark.parametrize(
    "expression",
    [
        "torch.permute(x, (1, 0))",
        "torch.permute(x, [1, np.int64(0)])",
        "torch.permute(x, torch.Size([1, 0]))",
        "torch.transpose(x, torch.tensor(0), np.int64(1))",
        "torch.flip(x, dims=(0,))",
        "torch.tril(x, diagonal=torch.tensor(1))",
        "torch.cumsum(x, dim=np.int32(1))",
        "x.cumsum(torch.tensor(1))",
        "torch.add(x, x, alpha=torch.tensor(2.0))",
        "torch.amax(x, torch.tensor(1))",
        "torch.diagonal(x, 0, -2, torch.tensor(-1))",
        "x.unsqueeze(dim=np.int64(0))",
    ],
)
def test_op_table_attributes_read_as_pytorch_reads_them(torch_ref, expression):
    """Values PyTorch's parser takes for an int or a number (a 0-d tensor, a NumPy integer, a
    sequence with one) give PyTorch's results through the op table's check."""
    ours = eval(
        expression, {"torch": retrograd, "x": retrograd.arange(6.0).reshape(2, 3), "np": np}
    )
    theirs = eval(
        expression, {"torch": torch_ref, "x": torch_ref.arange(6.0).reshape(2, 3), "np": np}
    )
    assert ours.tolist() == theirs.tolist()


# A size or list of dims that a function also takes as separate ints (x.view(2, 3), x.view((2,
# 3)), x.view(size=[2, 3])): the forms PyTorch reads, and its TypeError for each it refuses.
SIZE_FORMS = [
    "()",
    "('a')",
    "(2.0)",
    "(2.0, 3)",
    "(2, 3.0)",
    "(2, None)",
    "((2, 3))",
    "([2, 3])",
    "((2.0, 3))",
    "((2, 3.0))",
    "((2, 3), 1)",
    "(True, 3)",
    "(2, True)",
    "(np.int64(2), 3)",
    "(torch.tensor(2), 3)",
    "(torch.tensor(2.0), 3)",
    "(torch.Size([2, 3]))",
    "(2, 3, 'a')",
    "(size=(2, 3))",
    "(-1, 3)",
    "(torch.tensor([2, 3]))",
    "(np.array([2, 3]))",
    "(2, (3,))",
]
SIZE_TAKERS = [
    "x.view",
    "x.reshape",
    "x.expand",
    "x.permute",
    "x.repeat",
    "x.flip",
    "x.tile",
    "x.sum_to_size",
    "x.squeeze",
    "x.new_zeros",
    "x.new_ones",
    "x.new_empty",
    "torch.zeros",
    "torch.ones",
    "torch.empty",
    "torch.rand",
]


def _size_outcome(lib, expression):
    x = lib.ones(2, 3)
    try:
        out = eval(expression, {"torch": lib, "x": x, "np": np})
    except Exception as e:
        return type(e).__name__, str(e).splitlines()[0]
    return "shape", tuple(out.shape)


@pytest.mark.parametrize("form", SIZE_FORMS)
@pytest.mark.parametrize("taker", SIZE_TAKERS)
def test_sizes_one_by_one_or_in_a_sequence_as_pytorch(torch_ref, taker, form):
    """Each form gives PyTorch's shape or PyTorch's error (before, floats were taken as sizes,
    ``size=`` was refused and wrong kinds raised NumPy's or Python's own errors)."""
    expression = taker + form
    expected = _size_outcome(torch_ref, expression)
    if taker == "torch.rand" and expected[1][:25] == "rand() received an invali":
        return  # (its listing of generator/names signatures is not reproduced)
    assert _size_outcome(retrograd, expression) == expected


VIEW_AS_DTYPE = [
    "x.view(torch.int32)",
    "x.view(torch.float16)",
    "x.view(torch.uint8)",
    "x.view(torch.bool)",
    "x.view(dtype=torch.int16)",
    "x.view(float)",
    "x.view(torch.float64)",
    "x.t().view(torch.int32)",
    "x.t().view(torch.float16)",
    "x[:, 1:3].view(torch.float64)",
    "x[:, :2].view(torch.float64)",
    "x[:, 2:].view(torch.float64)",
    "x.reshape(2, 2, 2)[:, :, :1].view(torch.float64)",
    "torch.tensor(1.5).view(torch.int32)",
    "torch.tensor(1.5).view(torch.float16)",
    "x.view(torch.complex64)",
    "x[:, :2].contiguous().view(torch.complex64)",
    "x.double().view(torch.float32)",
    "x.view(2, size=3)",
]


@pytest.mark.parametrize("expression", VIEW_AS_DTYPE)
def test_view_as_another_dtype_as_pytorch(torch_ref, expression):
    """``x.view(dtype)``: the same bytes, read as another dtype (values, shape, strides), or
    PyTorch's error; outside the graph, and writes show through to ``x``."""

    def run(lib):
        x = lib.arange(8.0).reshape(2, 4).requires_grad_()
        try:
            out = eval(expression, {"torch": lib, "x": x})
        except Exception as e:
            return type(e).__name__, str(e).splitlines()[0]
        plain = out.view(lib.uint8) if out.dtype.is_complex else out
        return (
            str(out.dtype).replace("torch.", ""),
            tuple(out.shape),
            out.stride(),
            plain.tolist(),
            out.requires_grad,
            out.grad_fn is None,
        )

    assert run(retrograd) == run(torch_ref)


def test_a_dtype_view_shares_memory_and_version():
    x = retrograd.arange(4.0)
    v = x.view(retrograd.int32)
    v[0] = 1
    assert x[0].item() == float(np.array(1, np.int32).view(np.float32))
    assert x._version == v._version == 1


def _full_outcome(call):
    """What ``call()`` gives: an error's type and whole text, or the shapes and values of its
    result (a tensor or a tuple of them)."""
    try:
        out = call()
    except Exception as e:
        return type(e).__name__, str(e)
    out = out if isinstance(out, tuple) else (out,)
    return [(tuple(t.shape), t.tolist()) for t in out]


SPLIT_AND_TENSORDOT = [
    "torch.split(x, 1.5)",
    "torch.split(x, 'a')",
    "torch.split(x, [1, 'a'])",
    "torch.split(x, [1.0, 1])",
    "torch.split(x, [True, 1])",
    "torch.split(x, None)",
    "torch.split(x, True)",
    "torch.split(x, 1, 1.5)",
    "torch.split(x, 1, dim=None)",
    "torch.split(x, (1, 1), dim=1.5)",
    "torch.split(x, (1, 1), 'a')",
    "torch.split(x, torch.tensor([1, 1]))",
    "torch.split(x, torch.tensor(1))",
    "torch.split(x, torch.tensor(1.5))",
    "torch.split(x, [1, np.int64(1)])",
    "torch.split(x, [1, 1], dim=torch.tensor(0))",
    "torch.split(x, 1, np.int64(1))",
    "torch.split(x, split_size_or_sections=2, dim=1)",
    "x.split(1.5)",
    "x.split(1, 'a')",
    "x.split(split_size=1)",
    "x.split([1, 3], 1)",
    "torch.tensordot(a, b, 1.5)",
    "torch.tensordot(a, b, None)",
    "torch.tensordot(a, b, {2: 0})",
    "torch.tensordot(a, b, True)",
    "torch.tensordot(a, b, (2, 0))",
    "torch.tensordot(a, b, ((2,), 0))",
    "torch.tensordot(a, b, ('a', [0]))",
    "torch.tensordot(a, b, ([2.0], [0]))",
    "torch.tensordot(a, b, ([2], [0.0]))",
    "torch.tensordot(a, b, ([2, 'a'], [0, 1]))",
    "torch.tensordot(a, b, (torch.tensor(2), [0]))",
    "torch.tensordot(a, b, ([torch.tensor(2)], [0]))",
    "torch.tensordot(a, b, torch.tensor(1.5))",
    "torch.tensordot(a, b, torch.tensor([2, 0]))",
    "torch.tensordot(a, b, torch.tensor([[2], [0]]))",
    "torch.tensordot(a, b, ([2, 2], [0, 0]))",
    "torch.tensordot(a, b, ([2, 2], [0, 1]))",
    "torch.tensordot(a, b, ([2, -1], [0, 1]))",
    "torch.tensordot(a, c, ([2], [0]))",
    "torch.tensordot(c, a, ([0, 1], [2, 1]))",
    "torch.tensordot(c, c, ([0, 2], [2, 0]))",
]


@pytest.mark.parametrize("expression", SPLIT_AND_TENSORDOT)
def test_split_and_tensordot_read_their_arguments_as_pytorch(torch_ref, expression):
    """torch.split hands an int to the split op and anything else to split_with_sizes, whose
    TypeErrors name them; tensordot takes an int, a pair of int lists or a tensor of either (its
    RuntimeError otherwise, its parser's TypeError for lists of other than ints), and sums a
    contracted dimension of size 1 against a longer one away, as PyTorch does."""

    def run(lib):
        x = lib.arange(8.0).reshape(2, 4)
        a = lib.arange(24.0).reshape(2, 3, 4)
        b = lib.arange(24.0).reshape(4, 3, 2) - 5
        c = lib.arange(3.0).reshape(1, 3, 1) + 1
        names = {"torch": lib, "np": np, "x": x, "a": a, "b": b, "c": c}
        return _full_outcome(lambda: eval(expression, names))

    assert run(retrograd) == run(torch_ref)


def test_tensordot_gradients_through_a_size_one_contraction():
    """The gradients of a tensordot that sums a size-1 contracted dimension away, by finite
    differences in float64."""
    a = retrograd.randn(2, 3, 4, dtype=retrograd.float64, requires_grad=True)
    c = retrograd.randn(1, 3, 1, dtype=retrograd.float64, requires_grad=True)
    for f in (
        lambda a, c: retrograd.tensordot(a, c, ([2], [0])),
        lambda a, c: retrograd.tensordot(c, a, ([0, 1], [2, 1])),
    ):
        assert retrograd.autograd.gradcheck(f, (a, c))
        assert retrograd.autograd.gradgradcheck(f, (a, c))


@pytest.mark.parametrize(
    "expression",
    [
        "torch.addmm(m, m, m, 1.5)",
        "torch.addmm(m, m, m, 1)",
        "torch.baddbmm(b, b, b, 2)",
        "torch.addmv(m, m, v, 2)",
        "torch.addr(m, v, v, 2)",
        "torch.addbmm(m, b, b, 2)",
        "m.addmm(m, m, 2)",
        "m.addmm_(m, m, 2)",
        "torch.addmm(m, m, m, beta=2, alpha=0.5)",
        "m.addmv(m, v, beta=0, alpha=2)",
    ],
)
def test_keyword_only_arguments_by_position_as_pytorch(torch_ref, expression):
    """An argument PyTorch takes by keyword alone (addmm's beta and alpha) given by position in
    a call that leaves others out is PyTorch's TypeError, not taken.  (A call giving every
    argument by position is taken: retrograd's own calls, forward AD's and vmap's reruns, give
    them so.)"""

    def run(lib):
        m = lib.eye(2, dtype=lib.float64) + 1
        v, b = m[0], m[None]
        names = {"torch": lib, "m": m, "v": v, "b": b}
        return _whole_outcome(lambda: eval(expression, names))

    assert run(retrograd) == run(torch_ref)
