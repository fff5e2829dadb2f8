"""What a node saves depends on which inputs need a gradient, as in PyTorch: the same in-place
writes raise the version error, and saved-tensor hooks pack the same tensors, the same times."""

import itertools
import warnings

import numpy as np
import pytest

import retrograd

# name -> (input shapes, fn(lib, *inputs)); inputs are float64 values in [0.5, 1.5)
OPS = {
    "mul": ([(3,), (3,)], lambda T, a, b: a * b),
    "div": ([(3,), (3,)], lambda T, a, b: a / b),
    "mm": ([(2, 3), (3, 2)], lambda T, a, b: a.mm(b)),
    "mv": ([(2, 3), (3,)], lambda T, a, b: a.mv(b)),
    "bmm": ([(2, 2, 3), (2, 3, 2)], lambda T, a, b: a.bmm(b)),
    "dot": ([(3,), (3,)], lambda T, a, b: a.dot(b)),
    "matmul": ([(2, 2, 3), (3, 2)], lambda T, a, b: a @ b),
    "addcmul": ([(3,), (3,), (3,)], lambda T, a, b, c: T.addcmul(a, b, c)),
    "addcdiv": ([(3,), (3,), (3,)], lambda T, a, b, c: T.addcdiv(a, b, c)),
    "lerp": ([(3,), (3,), (3,)], lambda T, a, b, c: T.lerp(a, b, c)),
    "fmod": ([(3,), (3,)], lambda T, a, b: T.fmod(a, b)),
    "remainder": ([(3,), (3,)], lambda T, a, b: T.remainder(a, b)),
    "maximum": ([(3,), (3,)], lambda T, a, b: T.maximum(a, b)),
    "pow": ([(3,), (3,)], lambda T, a, b: a**b),
    "linear": ([(2, 3), (4, 3), (4,)], lambda T, a, b, c: T.nn.functional.linear(a, b, c)),
    "mul_number": ([(3,)], lambda T, a: a * 2.0),
    "number_mul": ([(3,)], lambda T, a: 2.0 * a),
    "div_number": ([(3,)], lambda T, a: a / 2.0),
    "scaled_dot_product_attention": (
        [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)],
        lambda T, q, k, v: T.nn.functional.scaled_dot_product_attention(q, k, v),
    ),
}


def _packed_counts(T, shapes, fn):
    """For each choice of inputs that require grad: how many tensors a pack hook saw, and which
    inputs raise the version error after being written in place (one at a time)."""
    out = {}
    for need in itertools.product([False, True], repeat=len(shapes)):
        if not any(need):
            continue
        rng = np.random.default_rng(0)
        arrays = [rng.uniform(0.5, 1.5, s) for s in shapes]
        seen = []
        with T.autograd.graph.saved_tensors_hooks(lambda t: seen.append(1) or t, lambda t: t):
            fn(T, *[T.tensor(a, requires_grad=r) for a, r in zip(arrays, need)])
        raising = []
        for k in range(len(shapes)):
            xs = [T.tensor(a, requires_grad=r) for a, r in zip(arrays, need)]
            y = fn(T, *xs)
            with T.no_grad():
                xs[k].add_(1.0)
            try:
                y.sum().backward()
            except RuntimeError as e:
                assert "modified by an inplace operation" in str(e)
                raising.append(k)
        out[need] = (len(seen), raising)
    return out


@pytest.mark.parametrize("name", sorted(OPS))
def test_saved_inputs_follow_which_inputs_need_a_gradient(torch_ref, name):
    shapes, fn = OPS[name]
    assert _packed_counts(retrograd, shapes, fn) == _packed_counts(torch_ref, shapes, fn)


def test_mul_by_a_number_keeps_the_number_only():
    x = retrograd.ones(3, requires_grad=True)
    node = (x * 2.0).grad_fn
    assert node._saved_self is None and node._saved_other == 2.0
    with retrograd.no_grad():
        x.mul_(3)  # not saved: no error
    (x * 2.0).sum().backward()


def test_matmul_keeps_only_what_a_needed_gradient_reads(torch_ref):
    def run(T):
        a = T.tensor([[1.0], [2.0]], requires_grad=True)
        m = a.exp().mean(dim=1, keepdim=True)
        y = T.matmul(m, T.tensor([0.5]))
        m.tanh_()
        y.sum().backward()
        return a.grad.tolist()

    assert np.allclose(run(retrograd), run(torch_ref))


@pytest.mark.parametrize(
    "make",
    [
        lambda T, x: x.sum(),
        lambda T, x: x.sum(0),
        lambda T, x: x.mean(),
        lambda T, x: x.expand(2, 3),
        lambda T, x: x + 1,
        lambda T, x: 1 - x,
        lambda T, x: x * 2.0,
        lambda T, x: x.exp(),
        lambda T, x: x * T.ones(3),
        lambda T, x: x[0],
    ],
)
def test_a_second_backward_needs_only_saved_tensors_kept(torch_ref, make):
    """Sizes and dtypes outlive a backward pass; saved tensors and numbers do not."""

    def run(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = make(T, x).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            return str(e)[:60]
        return x.grad.tolist()

    assert run(retrograd) == run(torch_ref)


def test_saves_form_keeps_old_and_per_input_declarations_apart():
    from retrograd.ops.registry import OPS as TABLE

    mul = TABLE["mul"]
    assert mul.saves == ("other", "self")  # by name, as PyTorch keeps (and packs) them
    assert mul.plans[0b01] == ((0, 1), None) and mul.plans[0b10] == (None, (0, 0))
    assert TABLE["_pow_tensor"].plans is None  # one string: everything, always


def _error_or(fn):
    try:
        return fn()
    except RuntimeError as e:
        return "error: " + str(e)[:80]


def test_prod_saves_its_result_as_pytorch_does(torch_ref):
    def run(T):
        x1 = T.tensor(0.14, dtype=T.float64, requires_grad=True)
        v0 = T.prod(x1)
        with T.no_grad():
            v0.mul_(1.38)
        return _error_or(
            lambda: T.autograd.grad(1.75 * v0.sum(), [x1], create_graph=True)[0].item()
        )

    ours = run(retrograd)
    assert ours == run(torch_ref) and ours.startswith("error: one of the variables needed")


@pytest.mark.parametrize(
    "shape,dim", [((), None), ((1,), None), ((1, 1), 1), ((), 0), ((3,), None)]
)
def test_prod_gradient_over_one_element(torch_ref, shape, dim):
    """A 0-d input's gradient is the incoming one, outside the graph; more dims go through it."""

    def run(T):
        x = T.full(shape, 3.0, requires_grad=True)
        y = x.prod() if dim is None else x.prod(dim)
        (g,) = T.autograd.grad(y.sum(), [x], create_graph=True)
        return g.tolist(), g.requires_grad

    assert run(retrograd) == run(torch_ref)


def test_double_backward_through_relu_gives_zeros(torch_ref):
    def run(T):
        x0 = T.tensor([[-1.72, -1.4, -1.42, 0.44]], requires_grad=True)
        (g,) = T.autograd.grad(0.57 * T.nn.functional.relu(x0).sum(), [x0], create_graph=True)
        r = T.autograd.grad((g * g).sum(), [x0], allow_unused=True)[0]
        return None if r is None else r.tolist()

    assert run(retrograd) == run(torch_ref) == [[0.0] * 4]


def test_a_gradient_is_cast_to_its_input_dtype_when_a_0d_tensor_of_another_takes_part(torch_ref):
    def run(T):
        x1 = T.tensor([[0.36], [1.42]], requires_grad=True)
        x2 = T.tensor([[-0.48], [0.26]], dtype=T.float64, requires_grad=True)
        v7 = (x2.min().abs() + 0.5) ** x1
        g1, g2 = T.autograd.grad(v7.sum(), [x1, x2], create_graph=True)
        return str(g1.dtype), str(g2.dtype), g1.tolist(), g2.tolist()

    ours, theirs = run(retrograd), run(torch_ref)
    assert ours[:2] == theirs[:2] == ("torch.float32", "torch.float64")
    assert np.allclose(ours[2], theirs[2]) and np.allclose(ours[3], theirs[3])


def test_double_backward_through_std_at_zero_variance_is_finite(torch_ref):
    def run(T):
        x1 = T.tensor(-1.98, requires_grad=True)
        v1 = T.stack([x1, x1], dim=0)
        v6 = T.minimum(v1, T.std(v1, dim=-1))
        v16 = 1.46 ** T.concat([v6, v6], 0)
        (g1,) = T.autograd.grad(v16.mean(), [x1], create_graph=True)
        return T.autograd.grad((g1 * g1).sum(), [x1])[0].item()

    ours = run(retrograd)
    assert np.isfinite(ours) and np.isclose(ours, run(torch_ref))


@pytest.mark.parametrize(
    "make",
    [
        lambda T, x, y: T.minimum(x, y),
        lambda T, x, y: T.maximum(x, y),
        lambda T, x, y: x.clamp(-0.5, 0.5),
        lambda T, x, y: x.clamp(min=0.0),
        lambda T, x, y: x.clamp(max=0.0),
        lambda T, x, y: T.relu(x),
    ],
)
def test_an_infinite_gradient_for_the_unchosen_input_makes_no_nan(torch_ref, make):
    def run(T):
        x = T.tensor([-1.0, 0.0, 1.0], requires_grad=True)
        y = T.tensor([0.0, 0.0, 0.0], requires_grad=True)
        out = make(T, x, y)
        gx, gy = T.autograd.grad(out, [x, y], T.tensor([float("inf")] * 3), allow_unused=True)
        return [None if g is None else g.tolist() for g in (gx, gy)]

    assert run(retrograd) == run(torch_ref)


def test_a_retained_grad_under_create_graph_is_in_the_graph(torch_ref):
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward(create_graph=True)
        first = (y.grad.tolist(), y.grad.requires_grad, y.grad.grad_fn.name())
        (y * y).sum().backward(create_graph=True)
        return first, y.grad.tolist(), y.grad.grad_fn.name()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning
        assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_a_loss_broadcasts_its_target_first(torch_ref, loss):
    """A 0-d target's gradient is summed back to its shape; a 0-d float64 target promotes."""

    def run(T):
        f = getattr(T.nn.functional, loss)
        x = T.tensor([-0.679, 1.936], requires_grad=True)
        z = T.tensor(-1.295, requires_grad=True)
        with pytest.warns(UserWarning, match="target size"):
            r = f(x, z, reduction="sum")
        r.backward()
        with pytest.warns(UserWarning, match="target size"):
            d = f(x, T.tensor(0.5, dtype=T.float64))
        return r.item(), z.grad.tolist(), x.grad.tolist(), str(d.dtype)

    ours, theirs = run(retrograd), run(torch_ref)
    assert ours[3] == theirs[3]
    assert np.allclose(ours[0], theirs[0]) and np.allclose(ours[1], theirs[1])
    assert np.allclose(ours[2], theirs[2])


@pytest.mark.parametrize(
    "loss",
    [
        "huber_loss",
        "mse_loss",
        "smooth_l1_loss",
        "l1_loss",
        "binary_cross_entropy_with_logits",
        "soft_margin_loss",
    ],
)
@pytest.mark.parametrize(
    "input_dtype,target_dtype", [("float32", "float64"), ("float64", "float32")]
)
def test_loss_result_and_gradient_dtypes_with_mixed_inputs(
    torch_ref, loss, input_dtype, target_dtype
):
    def run(T):
        x = T.tensor([0.3, -0.2], dtype=getattr(T, input_dtype), requires_grad=True)
        y = T.tensor([0.4, 0.9], dtype=getattr(T, target_dtype))
        r = getattr(T.nn.functional, loss)(x, y)
        try:
            r.backward()
        except RuntimeError as e:
            return str(r.dtype), str(e)
        return str(r.dtype), str(x.grad.dtype)

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize(
    "dtypes",
    [
        ("float32", "float64", None),
        ("int64", "float32", None),
        ("float32", "float32", "float64"),
        ("int64", "int64", None),
        ("float64", "float32", "float32"),
        ("int32", "int64", None),
    ],
)
def test_lerp_wants_one_dtype(torch_ref, dtypes):
    def run(T):
        a, b, w = dtypes
        x, y = T.ones(2, dtype=getattr(T, a)), T.ones(2, dtype=getattr(T, b))
        try:
            return T.lerp(x, y, 0.3 if w is None else T.ones(2, dtype=getattr(T, w))).tolist()
        except (RuntimeError, NotImplementedError) as e:
            return type(e).__name__, str(e)

    assert run(retrograd) == run(torch_ref)


def test_a_custom_functions_gradient_is_cast_to_its_inputs_dtype(torch_ref):
    def run(T):
        class MulPair(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b, a + b

            @staticmethod
            def backward(ctx, ga, gb):
                a, b = ctx.saved_tensors
                return ga * b + gb, ga * a + gb

        e = T.ones(2, 3, 1, dtype=T.float64, requires_grad=True).sum()
        t26 = T.tensor(0.212, dtype=T.float32, requires_grad=True)
        _, t28 = MulPair.apply(e, t26)
        (g,) = T.autograd.grad(t28.mean(), [t26])
        return str(g.dtype), g.item()

    assert run(retrograd) == run(torch_ref)


def test_double_backward_through_a_non_reentrant_checkpoint(torch_ref):
    """What the checkpoint's unpack hook returns takes the saved input's place in the graph."""

    def run(T):
        from importlib import import_module

        cp = import_module(T.__name__ + ".utils.checkpoint").checkpoint
        t1 = T.tensor([0.667, 0.2], requires_grad=True)
        w = T.tensor([1.5, -0.5], requires_grad=True)
        t9 = t1 * 1.0
        out = cp(lambda a, b: (a.cos() * b + a * a.exp()).sum(), t9, w, use_reentrant=False)
        g1, g2 = T.autograd.grad(out, [t1, w], create_graph=True)
        (g1 * g1 + g2 * g1).sum().backward()
        return t1.grad.tolist(), w.grad.tolist()

    ours, theirs = run(retrograd), run(torch_ref)
    assert np.allclose(ours, theirs)


def test_accumulating_into_a_grad_that_has_a_graph_keeps_it(torch_ref):
    """Without create_graph the new gradient is added in place, as PyTorch's AccumulateGrad does:
    the .grad made with create_graph keeps its graph and its identity."""

    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward(create_graph=True)
        g0 = x.grad
        (x.grad * x.grad).sum().backward()
        return x.grad is g0, x.grad.requires_grad, x.grad.grad_fn is not None, x.grad.tolist()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning
        assert run(retrograd) == run(torch_ref)


ORDERED = {
    "mul": (2, lambda T, a, b: a * b),
    "div": (2, lambda T, a, b: a / b),
    "pow": (2, lambda T, a, b: a**b),
    "maximum": (2, lambda T, a, b: T.maximum(a, b)),
    "lerp": (3, lambda T, a, b, c: T.lerp(a, b, c)),
    "clamp": (3, lambda T, a, b, c: T.clamp(a, b, c)),
    "addcdiv": (3, lambda T, a, b, c: T.addcdiv(a, b, c)),
    "mse_loss": (2, lambda T, a, b: T.nn.functional.mse_loss(a, b)),
    "cumprod": (1, lambda T, a: a.cumprod(0)),
    "prod": (1, lambda T, a: a.prod()),
}


@pytest.mark.parametrize("name", sorted(ORDERED))
def test_saved_tensors_are_packed_in_pytorchs_order(torch_ref, name):
    """Inputs by name, then results: the order pack hooks see them."""
    k, fn = ORDERED[name]

    def run(T):
        hs = [(T.tensor([0.5, 1.5, 2.5]) * (i + 1)).requires_grad_() * 1 for i in range(k)]
        names = {id(h): "abc"[i] for i, h in enumerate(hs)}
        seen = []
        with T.autograd.graph.saved_tensors_hooks(
            lambda t: seen.append(names.get(id(t), "result")) or t, lambda t: t
        ):
            fn(T, *hs)
        return seen

    assert run(retrograd) == run(torch_ref)


def test_cumprod_keeps_its_result(torch_ref):
    def run(T):
        t1 = T.tensor([0.566, 1.161, -1.368, -0.539], dtype=T.float64, requires_grad=True)
        t8 = T.cumprod(t1, dim=0).flatten()
        t8.zero_()
        return _error_or(lambda: t8.mean().backward())

    ours = run(retrograd)
    assert ours == run(torch_ref) and ours.startswith("error: one of the variables")


@pytest.mark.parametrize(
    "make",
    [
        lambda F, x: F.leaky_relu(x, 0.1),
        lambda F, x: F.hardtanh(x),
        lambda F, x: F.relu6(x),
        lambda F, x: F.threshold(x, 0.1, 2.0),
        lambda F, x: F.relu(x),
        lambda F, x: F.leaky_relu(x * 1, 0.1, inplace=True),
    ],
)
def test_piecewise_linear_gradients_stay_in_the_graph(torch_ref, make):
    """Their gradient under create_graph requires grad, and its own gradient is zeros."""

    def run(T):
        x = T.tensor([-1.5, 0.3, 2.0, 7.0], dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(make(T.nn.functional, x).sum() * 3, [x], create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), [x])
        return g.tolist(), g.requires_grad, gg.tolist()

    assert run(retrograd) == run(torch_ref)


def test_autograd_grad_captures_before_the_hooks_of_a_node_that_also_runs(torch_ref):
    """A tensor asked for whose node still runs (to reach another input) gives its gradient as it
    arrived; one only captured gives it after its hooks, as PyTorch's engine does."""

    def run(T):
        t1 = T.tensor([[0.5], [1.0]], requires_grad=True)
        t5 = t1.log1p()
        t5.register_hook(lambda g: g * 2)
        both = T.autograd.grad(t5.sum(), [t5, t1], retain_graph=True)
        alone = T.autograd.grad(t5.sum(), [t5], retain_graph=True)
        return [g.tolist() for g in both + alone]

    assert run(retrograd) == run(torch_ref)


class _NoGradient:
    """A custom Function whose backward gives its input no gradient (None)."""

    @staticmethod
    def make(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a.clone()

            @staticmethod
            def backward(ctx, g):
                return None

        return F


@pytest.mark.parametrize("second", [False, True])
@pytest.mark.parametrize("reach", ["no_grad_view", "no_gradient", "binary"])
def test_a_node_that_runs_checks_its_saved_values_whatever_its_formulas_read(
    torch_ref, reach, second
):
    """PyTorch reads every saved value of a node that runs, before its formulas: a node with no
    edge to follow (its input a view made under no_grad), or one that no gradient reached, still
    raises the version error, and the freed-graph error in a second backward.  A binary op whose
    inputs both have no edge saves nothing, so neither error comes."""

    def run(T):
        x = T.tensor([[1.5, 2.0], [0.5, 3.0]], requires_grad=True)
        if reach == "no_gradient":
            y = x.exp()
            loss = lambda: _NoGradient.make(T).apply(y).sum()  # noqa: E731
        else:
            t = (x * 2).t()
            with T.no_grad():
                v = t[..., ::2]
            y = v.prod(0) if reach == "no_grad_view" else v * v
            loss = lambda: y.sum()  # noqa: E731
            if reach == "binary":
                y = v  # mul saves its inputs, prod its result
        if second:
            out = loss()
            out.backward()
            return _error_or(lambda: out.backward())
        out = loss()
        with T.no_grad():
            y.mul_(2)
        return _error_or(lambda: out.backward())

    ours = run(retrograd)
    assert ours == run(torch_ref) and (ours is None) == (reach == "binary")


_BY_INDEX = {
    "index_select": lambda T, v: v.index_select(1, T.tensor([0, 1, 1])),
    "gather": lambda T, v: v.gather(1, T.tensor([[0, 1], [1, 0]])),
    "index": lambda T, v: v[:, T.tensor([0, 1, 1])],
    "mask": lambda T, v: v[v > 1],
    "take": lambda T, v: v.take(T.tensor([0, 3])),
    "scatter_value": lambda T, v: v.scatter(1, T.tensor([[0], [1]]), 5.0),
    "scatter_src": lambda T, v: v.scatter(1, T.tensor([[0], [1]]), v[:, :1] * 1),
    "embedding": lambda T, v: T.nn.functional.embedding(T.tensor([0, 1]), v),
    "index_put": lambda T, v: v.index_put((T.tensor([0]),), T.tensor([9.0])),
}


@pytest.mark.parametrize("name", sorted(_BY_INDEX))
def test_an_index_kept_by_a_node_with_no_edge_is_freed_with_the_graph(torch_ref, name):
    """A node that kept an index (index_select, gather, indexing ...) and has no edge to follow
    (its input a view made under no_grad) still runs in a second backward, where PyTorch reads
    the freed index: the freed-graph error."""

    def run(T):
        x = T.tensor([[1.5, 2.0], [0.5, 3.0]], requires_grad=True)
        with T.no_grad():
            v = x[:]
        out = _BY_INDEX[name](T, v).sum()
        out.backward()
        return _error_or(lambda: out.backward())

    ours = run(retrograd)
    assert ours is not None and ours == run(torch_ref)


@pytest.mark.parametrize(
    "make",
    [
        lambda T, x: 2**x,
        lambda T, x: x.prod(),
        lambda T, x: x.norm(),
        lambda T, x: T.cumprod(x, 0),
    ],
)
def test_of_several_modified_saved_tensors_the_first_one_saved_is_named(torch_ref, make):
    """PyTorch reads a node's saved values in the order it saved them (inputs, then results): when
    an input and the result were both written since, the error is about the input."""

    def run(T):
        x = T.tensor([1.5, 0.5, 2.0], requires_grad=True)
        y = make(T, x)
        with T.no_grad():
            y.mul_(2)
            x.add_(1)
        try:
            y.sum().backward()
        except RuntimeError as e:
            return str(e).split(" Hint:")[0]

    ours = run(retrograd)
    assert ours == run(torch_ref) and ours.endswith(
        "[torch.FloatTensor [3]] is at version 1; expected version 0 instead."
    )
