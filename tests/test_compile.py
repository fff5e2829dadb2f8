"""retrograd.compile: compiled results equal eager retrograd's bit for bit and PyTorch's values;
guards that fail trace again; what cannot be traced runs eagerly with the right answer."""

import contextlib

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd._compile import OptimizedModule


def _graphs(compiled):
    if isinstance(compiled, OptimizedModule):
        compiled = compiled._compiled_call
    return compiled._compiled_function.history


def _same(a, b):
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a._data, b._data)


def test_function_values_and_gradients_equal_eager_and_pytorch(torch_ref):
    torch = torch_ref

    def f(lib, w, x):
        h = w
        for _ in range(5):
            h = (h * 0.9 + x).sin().tanh()
        return (h * x).sum()

    cf = rg.compile(lambda w, x: f(rg, w, x))
    rng = np.random.default_rng(0)
    for step in range(3):
        wa, xa = (
            rng.standard_normal(4).astype(np.float32),
            rng.standard_normal(4).astype(np.float32),
        )
        w = rg.tensor(wa, requires_grad=True)
        x = rg.tensor(xa, requires_grad=True)
        y = cf(w, x)
        y.backward()
        w2 = rg.tensor(wa, requires_grad=True)
        x2 = rg.tensor(xa, requires_grad=True)
        y2 = f(rg, w2, x2)
        y2.backward()
        _same(y, y2)
        _same(w.grad, w2.grad)
        _same(x.grad, x2.grad)
        wt = torch.tensor(wa, requires_grad=True)
        xt = torch.tensor(xa, requires_grad=True)
        f(torch, wt, xt).backward()
        np.testing.assert_allclose(y.item(), f(torch, wt, xt).item(), rtol=1e-5)
        np.testing.assert_allclose(w.grad._data, wt.grad.numpy(), rtol=1e-5, atol=1e-6)
        if step:
            assert type(y.grad_fn).__name__ == "CompiledFunctionBackward"
    assert len(_graphs(cf)) == 1 and _graphs(cf)[0].graph


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(
        lib.nn.Linear(8, 16),
        lib.nn.ReLU(),
        lib.nn.Linear(16, 16),
        lib.nn.Tanh(),
        lib.nn.Linear(16, 3),
    )


def _conv(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(
        lib.nn.Conv2d(1, 4, 3, padding=1),
        lib.nn.ReLU(),
        lib.nn.AvgPool2d(2),
        lib.nn.Flatten(),
        lib.nn.Linear(4 * 4 * 4, 5),
    )


@pytest.mark.parametrize(("make", "shape"), [(_mlp, (6, 8)), (_conv, (3, 1, 8, 8))])
def test_module_training_matches_eager_and_pytorch(make, shape, torch_ref):
    torch = torch_ref
    model, twin, ref = make(rg), make(rg), make(torch)
    compiled = rg.compile(model)
    opt = rg.optim.SGD(model.parameters(), lr=0.1)
    opt2 = rg.optim.SGD(twin.parameters(), lr=0.1)
    opt3 = torch.optim.SGD(ref.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    for _ in range(4):
        xa = rng.standard_normal(shape).astype(np.float32)
        target = rng.integers(0, 3, shape[0])
        losses = []
        for lib, m, o in ((rg, compiled, opt), (rg, twin, opt2), (torch, ref, opt3)):
            o.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(lib.tensor(xa)), lib.tensor(target))
            loss.backward()
            o.step()
            losses.append(loss)
        _same(losses[0], losses[1])
        np.testing.assert_allclose(losses[0].item(), losses[2].item(), rtol=1e-5)
    for (n1, p1), (n2, p2), (_, p3) in zip(
        model.named_parameters(), twin.named_parameters(), ref.named_parameters()
    ):
        _same(p1, p2)
        np.testing.assert_allclose(p1._data, p3.detach().numpy(), rtol=1e-4, atol=1e-6)
    assert [e.graph for e in _graphs(compiled)] == [True]


def test_max_pool_runs_eagerly_with_the_right_answer():
    # its indices are computed in NumPy outside the op table: the trace breaks
    model = rg.nn.Sequential(rg.nn.Conv2d(1, 2, 3), rg.nn.MaxPool2d(2))
    compiled = rg.compile(model)
    x = rg.randn(2, 1, 6, 6)
    for _ in range(2):
        _same(compiled(x), model(x))
    assert not _graphs(compiled)[0].graph


def test_state_dict_keys_and_attributes_as_pytorch(torch_ref):
    torch = torch_ref
    m = rg.nn.Linear(2, 3)
    c = rg.compile(m)
    assert isinstance(c, rg._dynamo.eval_frame.OptimizedModule)
    validating = torch.distributions.Distribution._validate_args
    try:
        reference = torch.compile(torch.nn.Linear(2, 3))
    finally:  # (PyTorch's compile turns off the distributions' argument checks for the process)
        torch.distributions.Distribution.set_default_validate_args(validating)
    assert list(c.state_dict()) == list(reference.state_dict())
    assert c.weight is m.weight and c._orig_mod is m
    c.eval()
    assert not m.training and not c.training


def test_module_compile_in_place():
    m = _mlp(rg)
    twin = _mlp(rg)
    m.compile()
    assert list(m.state_dict()) == list(twin.state_dict())
    x = rg.randn(4, 8)
    for _ in range(2):
        _same(m(x), twin(x))
    assert m._compiled_call_impl is not None


def test_dropout_train_and_eval():
    def make():
        rg.manual_seed(0)
        return nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.5), nn.Linear(5, 2))

    model, twin = make(), make()
    compiled = rg.compile(model)
    x = rg.randn(3, 5)
    for mode in ("train", "eval", "train", "eval"):
        getattr(model, mode)()
        getattr(twin, mode)()
        rg.manual_seed(7)
        a = compiled(x)
        rg.manual_seed(7)
        b = twin(x)
        _same(a, b)
    assert rg.compile  # the train-mode trace broke (a random mask), the eval one holds
    kinds = {e.graph for e in _graphs(compiled)}
    assert kinds == {True, False}


def _traces(compiled):
    return len(_graphs(compiled))


def test_guards_retrace_new_shape_eval_no_grad_requires_grad():
    model = _mlp(rg)
    compiled = rg.compile(model)
    x = rg.randn(4, 8)
    _same(compiled(x), model._orig_mod(x) if hasattr(model, "_orig_mod") else model(x))
    compiled(x)
    assert _traces(compiled) == 1
    x2 = rg.randn(5, 8)
    _same(compiled(x2), model(x2))
    assert _traces(compiled) == 2
    model.eval()
    compiled(x)
    assert _traces(compiled) == 3
    with rg.no_grad():
        y = compiled(x)
        assert not y.requires_grad and y.grad_fn is None
    assert _traces(compiled) == 4
    xr = x.clone().requires_grad_()
    y = compiled(xr)
    y.sum().backward()
    xr2 = x.clone().requires_grad_()
    model(xr2).sum().backward()
    _same(xr.grad, xr2.grad)
    assert _traces(compiled) == 5
    model[0].weight.requires_grad_(False)
    compiled(x)
    assert _traces(compiled) == 6


def test_parameters_read_live_after_in_place_edit():
    model = _mlp(rg)
    compiled = rg.compile(model)
    x = rg.randn(4, 8)
    compiled(x)
    compiled(x)
    with rg.no_grad():
        model[0].weight.mul_(2.0)
        model[2].bias.fill_(0.5)
    _same(compiled(x), model(x))
    model[0].weight = nn.Parameter(rg.ones(16, 8))
    _same(compiled(x), model(x))


def test_python_attribute_guard():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 2.0

        def forward(self, x):
            return x * self.k

    m = Scale()
    c = rg.compile(m)
    x = rg.ones(3)
    assert c(x).tolist() == [2.0, 2.0, 2.0]
    c(x)
    m.k = 3.0
    assert c(x).tolist() == [3.0, 3.0, 3.0]


def test_item_breaks_the_graph_with_the_right_answer():
    def f(x):
        if x.sum().item() > 0:
            return x * 2
        return x * -1

    cf = rg.compile(f)
    assert cf(rg.ones(3)).tolist() == [2.0, 2.0, 2.0]
    assert cf(-rg.ones(3)).tolist() == [1.0, 1.0, 1.0]
    out = rg._dynamo.explain(f)(rg.ones(3))
    assert out.graph_count == 0 and out.graph_break_count == 1
    assert "item" in out.break_reasons[0].reason
    with pytest.raises(rg._dynamo.exc.Unsupported, match="item"):
        rg.compile(f, fullgraph=True)(rg.ones(3))


def test_in_place_write_and_hooks_run_eagerly():
    def writes(x):
        y = x * 2
        y.add_(1)
        return y

    def hooks(x):
        y = x * 2
        y.register_hook(lambda g: g * 3)
        return y.sum()

    cw = rg.compile(writes)
    for _ in range(2):
        assert cw(rg.ones(2)).tolist() == [3.0, 3.0]
    ch = rg.compile(hooks)
    for _ in range(2):
        x = rg.ones(2, requires_grad=True)
        ch(x).backward()
        assert x.grad.tolist() == [6.0, 6.0]
    assert not _graphs(cw)[0].graph and not _graphs(ch)[0].graph


def test_explain_of_a_graph():
    out = rg._dynamo.explain(lambda x: (x * 2).relu())(rg.ones(3))
    assert out.graph_count == 1 and out.graph_break_count == 0
    assert out.ops_per_graph == [["mul", "relu"]] and out.op_count == 2
    assert "Graph Count: 1" in str(out)


def test_backends_and_modes():
    with pytest.raises(NotImplementedError, match="Invalid backend: 'foo'"):
        rg.compile(lambda x: x, backend="foo")
    with pytest.raises(RuntimeError):
        rg.compile(lambda x: x, backend="foo")
    f = lambda x: x * 2  # noqa: E731
    assert rg.compile(f, backend="eager") is f
    for mode in ("default", "reduce-overhead", "max-autotune"):
        assert rg.compile(f, mode=mode, dynamic=True)(rg.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="Either mode or options"):
        rg.compile(f, mode="default", options={})
    rg._dynamo.reset()
    assert rg._dynamo.config.suppress_errors is False


def test_second_backward_and_double_backward_errors():
    cf = rg.compile(lambda x: (x * x).sum())
    x = rg.ones(3, requires_grad=True)
    cf(x)
    y = cf(x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="double backward"):
        rg.autograd.grad(cf(x), x, create_graph=True)


def test_saved_input_modified_in_place_errors_as_eager():
    cf = rg.compile(lambda x, w: (x * w).sum())
    w = rg.ones(3, requires_grad=True)
    x = rg.ones(3)
    cf(x, w)
    y = cf(x, w)
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_several_outputs_and_closure_tensors():
    w = rg.randn(3, requires_grad=True)

    def f(x):
        a = x * w
        return a.sum(), a.exp()

    cf = rg.compile(f)
    x = rg.randn(3)
    for _ in range(2):
        s, e = cf(x)
        s.backward(retain_graph=True)
        g1 = w.grad
        w.grad = None
        s2, _ = f(x)
        s2.backward()
        _same(g1, w.grad)
        w.grad = None
        e.sum().backward()
        g1 = w.grad
        w.grad = None
        f(x)[1].sum().backward()
        _same(g1, w.grad)
        w.grad = None
    assert _graphs(cf)[0].graph


def test_an_argument_passed_twice_and_a_closure_tensor_passed_as_argument():
    g = rg.compile(lambda a, b: a * 2 + b)
    x, y = rg.randn(2), rg.randn(2)
    for _ in range(2):
        _same(g(x, x), x * 2 + x)
        _same(g(x, y), x * 2 + y)
    w = rg.randn(3)
    f = rg.compile(lambda v: v * w)
    z = rg.randn(3)
    for _ in range(2):
        _same(f(w), w * w)
        _same(f(z), z * w)


def test_a_compiled_function_inside_another_is_part_of_its_trace():
    inner = rg.compile(lambda a: a.sin())
    outer = rg.compile(lambda a: inner(a) * 2)
    x = rg.randn(4, requires_grad=True)
    for _ in range(2):
        y = outer(x)
        y.sum().backward()
        _same(y, x.sin() * 2)
        _same(x.grad, x.detach().cos() * 2)
        x.grad = None
    assert [e.graph for e in _graphs(outer)] == [True]
    assert _graphs(outer)[0].ops == ("sin", "mul")


SCALE = 2.0


class _Scaled(nn.Module):
    def forward(self, x):
        return x * SCALE


def test_a_global_number_the_forward_reads_is_guarded():
    global SCALE
    m = rg.compile(_Scaled())
    x = rg.ones(2)
    try:
        assert m(x).tolist() == [2.0, 2.0]
        assert m(x).tolist() == [2.0, 2.0]
        SCALE = 5.0
        assert m(x).tolist() == [5.0, 5.0]
    finally:
        SCALE = 2.0


def test_gradients_flow_on_into_the_graph_of_a_non_leaf_input():
    cf = rg.compile(lambda h: (h.sin() * h).sum())
    leaf = rg.randn(5, requires_grad=True)
    for _ in range(2):
        cf(leaf * 3).backward()
        g = leaf.grad
        leaf.grad = None
        h = leaf * 3
        (h.sin() * h).sum().backward()
        _same(g, leaf.grad)
        leaf.grad = None


def test_an_output_saved_for_backward_and_written_in_place_errors_as_eager():
    cf = rg.compile(lambda x: x.exp())
    x = rg.ones(3, requires_grad=True)
    cf(x)
    y = cf(x)
    with rg.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_pytorch_import_paths():
    from retrograd._dynamo.eval_frame import OptimizedModule

    assert isinstance(rg.compile(nn.Linear(1, 1)), OptimizedModule)
    rg._dynamo.config.suppress_errors = True
    rg._dynamo.config.suppress_errors = False
    rg.compiler.reset()
    assert rg.compiler.is_compiling() is False and rg._dynamo.is_compiling() is False


@pytest.mark.parametrize("body", ["w + x", "w * x", "(w * 2).sum() + x.sum()", "w.expand(3)"])
def test_gradients_given_to_grad_stay_apart(body, torch_ref):
    """A compiled backward's gradients become ``.grad`` without a copy only when nothing else
    refers to them: the caller's gradient, another leaf's .grad and a view stay apart when one
    .grad is written in place afterwards."""

    def program(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
        fn = eval(f"lambda w, x: {body}")
        f = lib.compile(fn) if lib is rg else fn
        results = []
        for _ in range(2):  # the trace, then a replay
            y = f(w, x)
            g = lib.ones(y.shape) * 2
            y.backward(g)
            w.grad.add_(100)
            x_grad = None if x.grad is None else x.grad.tolist()
            results.append([g.tolist(), w.grad.tolist(), x_grad])
            w.grad = x.grad = None
        return results

    assert program(rg) == program(torch_ref)


@contextlib.contextmanager
def _inference_with_grad():
    with rg.inference_mode(), rg.enable_grad():
        yield


def test_every_part_of_the_signature_is_checked_on_the_replay():
    """Each call differs from the one just replayed in one thing (a number, its type, a dtype, a
    shape, requires_grad, one tensor passed twice, grad mode, inference mode, the number or kind
    of arguments): each is traced anew, once, and gives eager retrograd's answer and gradient."""

    def f(x, w, k):
        return ((x * w + k).sin() * w).sum() + w.shape[0]

    cf = rg.compile(f)
    x = rg.tensor([0.5, -1.0, 2.0])
    w = rg.tensor([1.5, 0.25, -0.75], requires_grad=True)
    w2 = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def check(*args, mode=None):
        results = []
        for fn in (cf, f):
            w.grad = None
            with mode() if mode is not None else rg.enable_grad():
                y = fn(*args)
            if y.requires_grad:
                y.backward()
            results.append((y, None if w.grad is None else w.grad.clone()))
        (y1, g1), (y2, g2) = results
        _same(y1, y2)
        assert y1.requires_grad == y2.requires_grad
        assert (g1 is None) == (g2 is None)
        if g1 is not None:
            _same(g1, g2)

    variants = [
        ((x, w, 2.0), None),
        ((x, w, 2), None),
        ((x, w, True), None),
        ((x.double(), w.double(), 1.0), None),
        ((x[:2], w[:2], 1.0), None),
        ((x, w.detach(), 1.0), None),
        ((x, w, 1.0), rg.no_grad),
        ((x, w, 1.0), rg.inference_mode),
        ((x, w, 1.0), _inference_with_grad),
        ((2.0, w, 1.0), None),
        ((w, w, 1.0), None),  # (after (w2, w, 1.0), below)
    ]
    for round in range(2):
        for args, mode in variants:
            base = (w2, w, 1.0) if args[0] is w else (x, w, 1.0)
            check(*base)
            check(*base)
            traces = len(_graphs(cf))
            check(*args, mode=mode)
            assert len(_graphs(cf)) == traces + (round == 0)
        check(x, w, 1.0)
        with pytest.raises(TypeError):
            cf(x, w)
        check(x, w, 1.0)
        with pytest.raises(TypeError):
            cf(x, w, 1.0, 2.0)
        check(x, rg.nn.Parameter(w.detach().clone()), 1.0)  # (the same signature as w's)
    assert all(e.graph for e in _graphs(cf)) and len(_graphs(cf)) == 13

    # the default dtype: an integer tensor times a float is a tensor of the default dtype
    cg = rg.compile(lambda n: n * 1.5)
    n = rg.tensor([1, 2])
    previous = rg.get_default_dtype()
    for dtype in (rg.float32, rg.float64, rg.float32):
        rg.set_default_dtype(dtype)
        try:
            for _ in range(2):
                _same(cg(n), n * 1.5)
        finally:
            rg.set_default_dtype(previous)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "int32", "int64"])
def test_numbers_in_the_program_give_eager_results_bit_for_bit(dtype):
    """A replay may hand NumPy a number as a 0-d array of the result's dtype: the results stay
    those of eager mode, bit for bit, for numbers that fit the dtype, numbers that round, ones
    too large for it, nan, inf and -0.0, on either side of the operator."""
    numbers = [1, -3, 0.1, 0.9, 16777217, 2**40, 1e30, 1e-40, -0.0, float("inf"), float("nan")]
    rng = np.random.default_rng(3)
    values = (rng.standard_normal(8) * 100).astype(dtype)
    x = rg.tensor(values)
    for k in numbers:

        def f(x):
            return [x + k, x - k, k - x, x * k, (x * k + k) * 2]

        cf = rg.compile(f)
        with np.errstate(all="ignore"):
            try:
                f(x)
            except Exception as e:  # (a number an integer dtype cannot hold: as eager)
                with pytest.raises(type(e)):
                    cf(x)
                continue
            for _ in range(2):
                for a, b in zip(cf(x), f(x)):
                    assert a.dtype == b.dtype
                    assert a._data.tobytes() == b._data.tobytes(), (k, a, b)
        # (float16 runs eagerly: eager computes it in float32 and rounds once per op)
        assert bool(_graphs(cf)[0].graph) == (dtype != "float16")


def test_a_broadcast_input_is_traced_with_its_gradient_summed_back():
    # (a bias added to a batch: its gradient is summed back to its shape in the backward program)
    w = rg.randn(5, 3, requires_grad=True)
    b = rg.zeros(3, requires_grad=True)
    x = rg.randn(4, 5)

    def f(x):
        h = x.matmul(w) + b
        return (h - h.logsumexp(1, keepdim=True)).mean()

    out = rg._dynamo.explain(f)(x)
    assert out.graph_count == 1 and out.graph_break_count == 0
    cf = rg.compile(f)
    for _ in range(2):
        cf(x).backward()
        got = (w.grad, b.grad)
        w.grad = b.grad = None
        f(x).backward()
        _same(got[0], w.grad)
        _same(got[1], b.grad)
        w.grad = b.grad = None
    assert [e.graph for e in _graphs(cf)] == [True]


@pytest.mark.parametrize(
    "kwargs", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1}], ids=str
)
def test_cross_entropy_is_traced_and_replayed_as_eager(kwargs):
    # (nll_loss's gradient is an op of the table, so the backward program records it)
    w = rg.randn(6, 4, requires_grad=True)
    x = rg.randn(80, 6)
    y = rg.randint(0, 4, (80,))

    def f(x, y):
        loss = rg.nn.functional.cross_entropy(x.matmul(w), y, **kwargs)
        return loss if loss.ndim == 0 else (loss * loss).sum()

    out = rg._dynamo.explain(f)(x, y)
    assert out.graph_count == 1 and out.graph_break_count == 0
    cf = rg.compile(f)
    for _ in range(2):
        got = cf(x, y)
        got.backward()
        got_grad, w.grad = w.grad, None
        want = f(x, y)
        want.backward()
        _same(got, want)
        _same(got_grad, w.grad)
        w.grad = None
    assert [e.graph for e in _graphs(cf)] == [True]


def test_compiled_float32_tanh_is_eagers_bit_for_bit():
    """Eager float32 tanh rounds from float64 (and so saturates where PyTorch's does); the
    replay must not call NumPy's float32 kernel instead."""
    x = rg.tensor(np.linspace(-12.0, 12.0, 4001, dtype=np.float32))
    cf = rg.compile(lambda t: (t * 1.0).tanh())
    for _ in range(2):  # (the trace, then the replay)
        _same(cf(x), (x * 1.0).tanh())
    assert len(_graphs(cf)) == 1 and _graphs(cf)[0].graph


def test_a_replay_writing_into_its_own_products_gives_eager_results():
    """The replay writes elementwise results into the product they read when nothing else holds
    it (a bias added, relu): values, gradients and layouts stay eager's, bit for bit, also with
    nan and -0.0, inputs of another layout, and a view of the product held elsewhere."""
    rng = np.random.default_rng(5)
    w = rg.tensor(rng.standard_normal((6, 5)).astype("float32"), requires_grad=True)
    b = rg.tensor(np.array([np.nan, -0.0, 0.0, -1.0, 2.0], "float32"), requires_grad=True)
    data = rng.standard_normal((4, 6)).astype("float32")
    data[2] = -0.0
    w2 = rg.tensor(rng.standard_normal((5, 3)).astype("float32"), requires_grad=True)
    # (a full-shape bias: its gradient is relu's backward itself; nan: relu passes the gradient
    # there, -100: it zeroes it)
    b2 = np.array([[0.5, np.nan, 0.0, -100.0, 2.0]] * 4, "float32")
    b2[2, 4] = -100.0
    b2 = rg.tensor(b2, requires_grad=True)

    def f(x):
        p = x.matmul(w)
        v = p.t()  # (a view of p, made before p's last read)
        h = (p + b).relu()
        r = (x.matmul(w) + b).relu()
        z = (x.matmul(w) + b2).relu().matmul(w2)
        return (h * 2 - 1).sum() + h.exp().sum() + r.exp().sum() + z.sum(), v, h

    cf = rg.compile(f)
    for x in (rg.tensor(data), rg.tensor(np.asfortranarray(data)), rg.tensor(data)):
        got = cf(x)
        got[0].backward()
        grads = (w.grad, b.grad, w2.grad, b2.grad)
        w.grad = b.grad = w2.grad = b2.grad = None
        want = f(x)
        want[0].backward()
        for a, e in zip(got + grads, want + (w.grad, b.grad, w2.grad, b2.grad)):
            assert a._data.tobytes() == e._data.tobytes()
            assert a.stride() == e.stride()
        w.grad = b.grad = w2.grad = b2.grad = None
        assert x._data.tobytes() == data.tobytes()
    (entry,) = _graphs(cf)
    assert "out=" in entry.fast._source  # (the second product's bias and relu)
    assert [e.graph for e in _graphs(cf)] == [True]


def test_what_a_user_keeps_from_a_replay_is_never_written_by_the_next():
    """Outputs, views of them and gradients that the user still holds after a step keep their
    values through later replays, however the replay lays out or reuses its own arrays (the
    products, what is written into them, the gradients it hands to ``.grad``)."""
    rng = np.random.default_rng(9)
    w1 = rg.tensor(rng.standard_normal((6, 5)).astype("float32"), requires_grad=True)
    b1 = rg.tensor(rng.standard_normal(5).astype("float32"), requires_grad=True)
    w2 = rg.tensor(rng.standard_normal((5, 3)).astype("float32"), requires_grad=True)

    def f(x):
        h = (x.matmul(w1) + b1).relu()
        out = h.matmul(w2)
        return out.sum(), h, out

    cf = rg.compile(f)
    kept = []
    for _ in range(4):
        x = rg.tensor(rng.standard_normal((4, 6)).astype("float32"))
        loss, h, out = cf(x)
        loss.backward()
        held = [loss, h, out, h[1:], out.t(), w1.grad, b1.grad, w2.grad]
        kept.append((held, [t._data.copy() for t in held]))
        w1.grad = b1.grad = w2.grad = None  # (the tensors live on in ``held``)
        with rg.no_grad():
            for p in (w1, b1, w2):
                p -= 0.1 * rg.ones_like(p)
    for held, values in kept:
        for t, v in zip(held, values):
            assert t._data.tobytes() == v.tobytes()
    assert len(_graphs(cf)) == 1


def test_a_compiled_function_is_a_function_and_a_compiled_method_binds():
    """As from PyTorch, compile gives a plain function (with the name and docstring of the one
    compiled), so that compiling a method in a class body binds the instance."""

    def scaled(x):
        """doc"""
        return (x * 2).sin()

    f = rg.compile(scaled)
    assert type(f).__name__ == "function"
    assert f.__name__ == "scaled" and f.__doc__ == "doc"

    class Scaler:
        k = 3.0

        @rg.compile
        def apply(self, x):
            return x * self.k

    x = rg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        y = Scaler().apply(x)
        _same(y, x * 3.0)
        y.sum().backward()
    _same(x.grad, rg.full((2,), 9.0))
