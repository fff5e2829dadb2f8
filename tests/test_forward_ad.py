"""Forward-mode AD (``retrograd.autograd.forward_ad``): API, errors, and tangents equal to the
Jacobian that reverse mode builds, op by op."""

import numpy as np
import pytest

import retrograd
from retrograd import _switches
from retrograd.autograd import forward_ad as fwad
from retrograd.autograd.gradcheck import _analytical_jacobian, _forward_jacobian, gradcheck
from tests.conftest import rand64


def pos64(*shape, seed=0):
    return rand64(*shape, seed=seed, low=0.5, high=2.0)


# One entry per op: (name, function, inputs).  Every float input requires grad.
OPS = [
    ("add", lambda a, b: a + b, lambda: (rand64(2, 3), rand64(3, seed=1))),
    (
        "add_alpha",
        lambda a, b: retrograd.add(a, b, alpha=2.5),
        lambda: (rand64(2, 3), rand64(2, 3, seed=1)),
    ),
    ("sub", lambda a, b: a - b, lambda: (rand64(2, 1), rand64(1, 3, seed=1))),
    ("mul", lambda a, b: a * b, lambda: (rand64(2, 3), rand64(3, seed=1))),
    ("mul_self", lambda a: a * a, lambda: (rand64(4),)),
    ("div", lambda a, b: a / b, lambda: (rand64(2, 3), pos64(3, seed=1))),
    ("neg", lambda a: -a, lambda: (rand64(3),)),
    ("pow_scalar", lambda a: a**3, lambda: (rand64(3),)),
    ("pow_tensor", lambda a, b: a**b, lambda: (pos64(3), rand64(3, seed=1))),
    ("rpow", lambda a: 2.0**a, lambda: (rand64(3),)),
    ("exp", lambda a: a.exp(), lambda: (rand64(3),)),
    ("log", lambda a: a.log(), lambda: (pos64(3),)),
    ("log1p", lambda a: a.log1p(), lambda: (pos64(3),)),
    ("expm1", lambda a: a.expm1(), lambda: (rand64(3),)),
    ("log2", lambda a: a.log2(), lambda: (pos64(3),)),
    ("sqrt", lambda a: a.sqrt(), lambda: (pos64(3),)),
    ("rsqrt", lambda a: a.rsqrt(), lambda: (pos64(3),)),
    ("abs", lambda a: a.abs(), lambda: (pos64(3),)),
    ("sin", lambda a: a.sin(), lambda: (rand64(3),)),
    ("cos", lambda a: a.cos(), lambda: (rand64(3),)),
    ("tan", lambda a: a.tan(), lambda: (rand64(3),)),
    ("tanh", lambda a: a.tanh(), lambda: (rand64(3),)),
    ("sigmoid", lambda a: a.sigmoid(), lambda: (rand64(3),)),
    ("relu", lambda a: a.relu(), lambda: (rand64(5, seed=3),)),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), lambda: (rand64(5, seed=3),)),
    ("maximum", lambda a, b: retrograd.maximum(a, b), lambda: (rand64(4), rand64(4, seed=1))),
    ("minimum", lambda a, b: retrograd.minimum(a, b), lambda: (rand64(4), rand64(4, seed=1))),
    ("where", lambda a, b: retrograd.where(a > 0, a, b), lambda: (rand64(4), rand64(4, seed=1))),
    ("sum", lambda a: a.sum(), lambda: (rand64(2, 3),)),
    ("sum_dim", lambda a: a.sum(1, keepdim=True), lambda: (rand64(2, 3),)),
    ("mean", lambda a: a.mean(), lambda: (rand64(2, 3),)),
    ("mean_dim", lambda a: a.mean(dim=0), lambda: (rand64(2, 3),)),
    ("view", lambda a: a.view(3, 2), lambda: (rand64(2, 3),)),
    ("reshape", lambda a: a.reshape(-1), lambda: (rand64(2, 3),)),
    ("expand", lambda a: a.expand(2, 3), lambda: (rand64(1, 3),)),
    ("transpose", lambda a: a.transpose(0, 1), lambda: (rand64(2, 3),)),
    ("t", lambda a: a.t(), lambda: (rand64(2, 3),)),
    ("permute", lambda a: a.permute(2, 0, 1), lambda: (rand64(2, 3, 2),)),
    ("unsqueeze", lambda a: a.unsqueeze(1), lambda: (rand64(3),)),
    ("squeeze", lambda a: a.squeeze(), lambda: (rand64(1, 3),)),
    ("flatten", lambda a: a.flatten(), lambda: (rand64(2, 3),)),
    ("clone", lambda a: a.clone(), lambda: (rand64(3),)),
    ("sum_to_size", lambda a: a.sum_to_size((1, 3)), lambda: (rand64(2, 3),)),
    ("to_float32", lambda a: a.to(retrograd.float32).to(retrograd.float64), lambda: (rand64(3),)),
    ("mm", lambda a, b: a.mm(b), lambda: (rand64(2, 3), rand64(3, 4, seed=1))),
    ("dot", lambda a, b: a.dot(b), lambda: (rand64(3), rand64(3, seed=1))),
    ("matmul_mv", lambda a, b: a @ b, lambda: (rand64(2, 3), rand64(3, seed=1))),
    ("matmul_batched", lambda a, b: a @ b, lambda: (rand64(2, 2, 3), rand64(3, 2, seed=1))),
    ("bmm", lambda a, b: a.bmm(b), lambda: (rand64(2, 2, 3), rand64(2, 3, 2, seed=1))),
    (
        "einsum",
        lambda a, b: retrograd.einsum("ij,jk->ik", a, b),
        lambda: (rand64(2, 3), rand64(3, 2, seed=1)),
    ),
    (
        "cat",
        lambda a, b: retrograd.cat([a, b], dim=1),
        lambda: (rand64(2, 3), rand64(2, 1, seed=1)),
    ),
    ("stack", lambda a, b: retrograd.stack([a, b]), lambda: (rand64(3), rand64(3, seed=1))),
    ("split", lambda a: a.split(2, dim=0), lambda: (rand64(5, 2),)),
    ("unbind", lambda a: a.unbind(1), lambda: (rand64(2, 3),)),
    ("flip", lambda a: a.flip(0), lambda: (rand64(3, 2),)),
    ("repeat", lambda a: a.repeat(2, 1), lambda: (rand64(2, 3),)),
    ("tril", lambda a: a.tril(), lambda: (rand64(3, 3),)),
    ("triu", lambda a: a.triu(1), lambda: (rand64(3, 3),)),
    ("index_slice", lambda a: a[1:, ::2], lambda: (rand64(3, 4),)),
    ("index_select_int", lambda a: a[1], lambda: (rand64(3, 4),)),
    ("index_tensor", lambda a: a[retrograd.tensor([0, 2, 0])], lambda: (rand64(3, 2),)),
    (
        "index_select",
        lambda a: a.index_select(0, retrograd.tensor([2, 0])),
        lambda: (rand64(3, 2),),
    ),
    ("gather", lambda a: a.gather(1, retrograd.tensor([[0, 0], [1, 0]])), lambda: (rand64(2, 3),)),
    ("masked_fill", lambda a: a.masked_fill(a > 0, 0.5), lambda: (rand64(2, 3),)),
    (
        "scatter_add",
        lambda a, b: a.scatter_add(0, retrograd.tensor([[0, 1, 0]]), b),
        lambda: (rand64(2, 3), rand64(1, 3, seed=1)),
    ),
]


@pytest.mark.parametrize("name,fn,make", OPS, ids=[o[0] for o in OPS])
def test_forward_equals_reverse(name, fn, make):
    inputs = make()
    fwd = _forward_jacobian(fn, inputs)
    rev = _analytical_jacobian(fn, inputs)
    for f_i, r_i in zip(fwd, rev):
        for f, r in zip(f_i, r_i):
            np.testing.assert_allclose(f, r, rtol=1e-12, atol=1e-12)
    assert any(np.abs(f).sum() > 0 for f_i in fwd for f in f_i)


# A float32 round trip cannot match float64 finite differences: checked above against reverse mode.
EXACT = [o for o in OPS if o[0] != "to_float32"]


@pytest.mark.parametrize("name,fn,make", EXACT, ids=[o[0] for o in EXACT])
def test_gradcheck_forward_mode_against_finite_differences(name, fn, make):
    assert gradcheck(fn, make(), check_forward_ad=True)


def test_make_dual_and_unpack_dual():
    x = retrograd.tensor([1.0, 2.0, 3.0])
    t = retrograd.tensor([1.0, 0.0, -1.0])
    with fwad.dual_level() as level:
        assert level == 0
        d = fwad.make_dual(x, t)
        u = fwad.unpack_dual(d)
        assert isinstance(u, fwad.UnpackedDualTensor) and u._fields == ("primal", "tangent")
        assert u.primal.tolist() == [1.0, 2.0, 3.0]
        assert u.tangent.tolist() == [1.0, 0.0, -1.0]
        assert fwad.unpack_dual(x).tangent is None  # the original tensor carries no tangent
        y = d.sin() * 2
        np.testing.assert_allclose(
            fwad.unpack_dual(y).tangent.numpy(), 2 * np.cos(x.numpy()) * t.numpy(), rtol=1e-6
        )
        assert fwad.unpack_dual(d > 1).tangent is None  # no tangent on bool results
    assert fwad.unpack_dual(d).tangent is None  # leaving the level drops every tangent
    assert _switches.forward_ad_hook is None  # ordinary op calls pay nothing outside a level


def test_errors_match_pytorch():
    x = retrograd.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="no level exists, make sure to enter_dual_level"):
        fwad.make_dual(x, retrograd.ones(3))
    with fwad.dual_level():
        with pytest.raises(RuntimeError) as e:
            fwad.make_dual(x, retrograd.ones(4))
        assert str(e.value) == (
            "Trying to set a forward gradient that has a different size than that of the original "
            "Tensor, this is not supported. Tensor is of size [3] while the given forward gradient "
            "is of size [4]."
        )
        with pytest.raises(
            RuntimeError, match="^Nested forward mode AD is not supported at the moment$"
        ):
            fwad.enter_dual_level()
        with pytest.raises(
            ValueError,
            match=r"^Expected primal to be floating point or complex, but got: torch.int64$",
        ):
            fwad.make_dual(retrograd.tensor([1, 2]), retrograd.tensor([1, 2]))


def test_tangent_stays_differentiable_forward_over_reverse():
    """With a primal that requires grad the tangent is in the graph: d/dx (J(x) v) = H v."""
    x = rand64(3)
    v = rand64(3, seed=5, requires_grad=False)
    with fwad.dual_level():
        d = fwad.make_dual(x, v)
        y = (d**3).sum()
        jv = fwad.unpack_dual(y).tangent
    assert jv.grad_fn is not None
    (hv,) = retrograd.autograd.grad(jv, x)
    np.testing.assert_allclose(hv.numpy(), 6 * x.detach().numpy() * v.numpy(), rtol=1e-12)


def test_dual_under_no_grad_and_non_dual_inputs():
    x = rand64(3, requires_grad=False)
    w = rand64(3, seed=1, requires_grad=False)
    with fwad.dual_level(), retrograd.no_grad():
        d = fwad.make_dual(x, retrograd.ones(3, dtype=retrograd.float64))
        y = d * w + w  # w has no tangent: it counts as a constant
        tangent = fwad.unpack_dual(y).tangent
    assert tangent.grad_fn is None
    np.testing.assert_allclose(tangent.numpy(), w.numpy())


def test_parity_with_pytorch(torch_ref):
    xs = np.array([0.3, -1.2, 2.0])
    ts = np.array([1.0, 0.5, -2.0])

    def f(m, x):
        return (m.sigmoid(x * x) @ m.tanh(x)).exp() + (x.sum() * x).mean()

    with fwad.dual_level():
        ours = fwad.unpack_dual(
            f(retrograd, fwad.make_dual(retrograd.tensor(xs), retrograd.tensor(ts)))
        ).tangent
    fw = torch_ref.autograd.forward_ad
    with fw.dual_level():
        ref = fw.unpack_dual(
            f(torch_ref, fw.make_dual(torch_ref.tensor(xs), torch_ref.tensor(ts)))
        ).tangent
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)


def _in_place_programs(T):
    """In-place writes on and into dual tensors: name -> program(d) returning the tensor written."""

    def plain():
        return T.tensor([0.5, -1.0, 2.0], dtype=T.float64)

    def clone(d):
        return d.clone()

    def setitem_2d(d):
        y = T.zeros(2, 3, dtype=T.float64)
        y[0] = d
        y[1, :2] = d[1:]
        return y

    def write(d, f, start=clone):
        y = start(d)
        f(y, d)
        return y

    return {
        "mul_": lambda d: write(d, lambda y, d: y.mul_(2)),
        "add_alpha": lambda d: write(d, lambda y, d: y.add_(plain(), alpha=2)),
        "add_dual_into_plain": lambda d: write(d, lambda y, d: y.add_(d), lambda d: plain() * 1),
        "iadd": lambda d: write(d, lambda y, d: y.__iadd__(d)),
        "copy_plain_into_dual": lambda d: write(d, lambda y, d: y.copy_(plain())),
        "zero_": lambda d: write(d, lambda y, d: y.zero_()),
        "fill_": lambda d: write(d, lambda y, d: y.fill_(3.0)),
        "exp_tanh_": lambda d: write(d, lambda y, d: y.exp_().tanh_()),
        "clamp_": lambda d: write(d, lambda y, d: y.clamp_(min=0.0)),
        "masked_fill_": lambda d: write(d, lambda y, d: y.masked_fill_(y > 0, 0.0)),
        "setitem_dual_value": lambda d: write(
            d, lambda y, d: y.__setitem__(1, d[0]), lambda d: T.zeros(3, dtype=T.float64)
        ),
        "setitem_plain_into_dual": lambda d: write(d, lambda y, d: y.__setitem__(0, 5.0)),
        "imul_through_view": lambda d: write(d, lambda y, d: y[1:].mul_(3)),
        "index_put": lambda d: write(d, lambda y, d: y.__setitem__(T.tensor([0, 2]), d[:2] * 3)),
        "setitem_2d": setitem_2d,
    }


@pytest.mark.parametrize("name", list(_in_place_programs(retrograd)))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_in_place_writes_carry_tangents(torch_ref, name, requires_grad):
    def program(T):
        fw = T.autograd.forward_ad
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=requires_grad)
        with fw.dual_level():
            d = fw.make_dual(x, T.tensor([1.0, 2.0, -1.0], dtype=T.float64))
            primal, tangent = fw.unpack_dual(_in_place_programs(T)[name](d))
            return primal.tolist(), None if tangent is None else tangent.tolist()

    ours, theirs = program(retrograd), program(torch_ref)
    assert theirs[1] is not None and ours[1] is not None
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9, atol=1e-15)


def _level_misuse(T):
    fw = T.autograd.forward_ad

    def inside(f):
        def program():
            with fw.dual_level():
                x = T.ones(2, dtype=T.float64)
                d = fw.make_dual(x, T.ones(2, dtype=T.float64))
                r = f(x, d)
                return [
                    None if t is None else (t.tolist(), str(t.dtype)) for t in fw.unpack_dual(r)
                ]

        return program

    return {
        "exit_without_level": lambda: fw.exit_dual_level(),
        "exit_level_0_without_level": lambda: fw.exit_dual_level(level=0),
        "make_dual_of_dual": inside(lambda x, d: fw.make_dual(d, T.ones(2))),
        "make_dual_of_dual_result": inside(lambda x, d: fw.make_dual(d * 2, T.ones(2))),
        "tangent_is_dual": inside(lambda x, d: fw.make_dual(x, d)),
        "make_dual_wrong_level": inside(lambda x, d: fw.make_dual(x, T.ones(2), level=1)),
        "unpack_dual_wrong_level": inside(lambda x, d: fw.unpack_dual(d, level=1).primal),
        "tangent_keeps_its_dtype": inside(lambda x, d: fw.make_dual(x * 1, T.ones(2))),
        "tangent_not_a_tensor": inside(lambda x, d: fw.make_dual(x * 1, 1.0)),
        "tangent_of_detached_dual": inside(lambda x, d: fw.make_dual(d.detach(), T.ones(2))),
    }


@pytest.mark.parametrize("name", list(_level_misuse(retrograd)))
def test_level_and_make_dual_misuse_match_pytorch(torch_ref, name):
    def run(T):
        try:
            return _level_misuse(T)[name]()
        except Exception as e:  # noqa: BLE001 - the error itself is compared
            return type(e).__name__, str(e)

    assert run(retrograd) == run(torch_ref)


def _view_tangent_programs(T):
    """Tangents of views follow writes into their base or into other views, as PyTorch's (views
    themselves) do; ``make_dual``'s result owns its tangent, so its primal gets none."""
    fw = T.autograd.forward_ad

    def plain():
        return T.tensor([0.5, -1.0, 2.0], dtype=T.float64)

    def dual(x=None):
        return fw.make_dual(
            plain() if x is None else x, T.tensor([1.0, 2.0, -1.0], dtype=T.float64)
        )

    def tangents(*ts):
        return [
            None if fw.unpack_dual(t).tangent is None else fw.unpack_dual(t).tangent.tolist()
            for t in ts
        ]

    def base_written(y, v):
        y.mul_(2)
        return tangents(v, y)

    def sibling_written(y, v, w):
        v.mul_(2)
        return tangents(w, y)

    def alias_written(x):
        d = dual(x)
        d.mul_(2)
        return tangents(x, d)

    def view_of_alias_written(x):
        d = dual(x)
        v = d[:2]
        v.mul_(3)
        return tangents(x, d, v)

    def alias_written_plain(x):
        d = dual(x)
        v = d[:2]
        d.add_(plain())
        return tangents(v, d)

    def plain_base_written_through_view(y):
        v = y[:2]
        v.copy_(dual()[:2])
        return tangents(y, v)

    return {
        "base_written": lambda: (lambda y: base_written(y, y[:2]))(dual().clone()),
        "sibling_written": lambda: (lambda y: sibling_written(y, y[:2], y[1:]))(dual().clone()),
        "alias_written": lambda: alias_written(plain()),
        "view_of_alias_written": lambda: view_of_alias_written(plain()),
        "alias_written_plain": lambda: alias_written_plain(plain()),
        "plain_base_written_through_view": lambda: plain_base_written_through_view(plain()),
    }


@pytest.mark.parametrize("name", list(_view_tangent_programs(retrograd)))
def test_view_tangents_follow_in_place_writes(torch_ref, name):
    def run(T):
        with T.autograd.forward_ad.dual_level():
            return _view_tangent_programs(T)[name]()

    assert run(retrograd) == run(torch_ref)


def test_dual_level_decorates_a_function(torch_ref):
    def program(T):
        fw = T.autograd.forward_ad

        @fw.dual_level()
        def f():
            d = fw.make_dual(T.tensor([0.5, -1.0]), T.tensor([1.0, 2.0]))
            return fw.unpack_dual(d * 2).tangent.tolist()

        return f(), f()

    assert program(retrograd) == program(torch_ref)


def _node_tree(fn, depth=2):
    """A node's name and its inputs' to ``depth`` (the primal's alias that forward AD makes is
    PyTorch's ``Identity``, a node with no Python class of its own)."""
    if fn is None:
        return None
    name = fn.name()
    if depth == 0:
        return name
    return (name, [_node_tree(n, depth - 1) for n, _ in fn.next_functions])


_TANGENT_BODIES = {
    "sin_mul": lambda T, d, o: d.sin() * d,
    "exp_sum": lambda T, d, o: (d * d).exp().sum(),
    "tanh_add": lambda T, d, o: d.tanh() + o,
    "mm": lambda T, d, o: d @ d.mT,
    "batched_matmul": lambda T, d, o: d[None] @ d[None].mT,
    "sigmoid_mul_scalar": lambda T, d, o: d.sigmoid().mul(2),
    "softmax": lambda T, d, o: d.softmax(-1),
    "log_softmax": lambda T, d, o: d.log_softmax(0),
    "cos_t": lambda T, d, o: d.cos().t(),
    "relu_mul": lambda T, d, o: d.relu() * o,
    "mean_sub": lambda T, d, o: d.mean(0) - o,
    "clone_neg": lambda T, d, o: -d.clone(),
}


@pytest.mark.parametrize("name", list(_TANGENT_BODIES))
@pytest.mark.parametrize("requires_grad", [True, False])
def test_tangents_are_made_by_pytorchs_forward_formulas(torch_ref, name, requires_grad):
    """A tangent's graph is the one PyTorch's forward formula builds (other_t * self_p +
    self_t * other_p for mul, tanh_backward(self_t, result) for tanh, the view on the tangent for
    a view ...): its node, the nodes it reads, requires_grad, layout and whether it is a view
    show through to the ops a program runs on it (x.double() is x for a float64 x)."""

    def program(T):
        fw = T.autograd.forward_ad
        x = T.tensor([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4]], dtype=T.float64)
        x.requires_grad_(requires_grad)
        o = T.tensor([0.1, 0.2, 0.3], dtype=T.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, T.tensor([[1.0, 2.0, -1.0], [0.5, -0.3, 0.7]], dtype=T.float64))
            q = fw.unpack_dual(_TANGENT_BODIES[name](T, d, o)).tangent
        q = q.double()
        return (
            _node_tree(q.grad_fn),
            q.requires_grad,
            q.stride(),
            q._base is not None,
            [round(v, 6) for v in q.flatten().tolist()],
        )

    assert program(retrograd) == program(torch_ref)


def test_softmax_tangent_scales_the_exponential_in_place(torch_ref):
    """PyTorch's softmax tangent multiplies the shifted exponential by the tangent in place: a
    backward pass through the tangent that reaches that exponential raises the "modified by an
    inplace operation" error for exp's saved result, and retrograd's does the same."""

    def program(T):
        fw = T.autograd.forward_ad
        x = T.tensor([[-0.4, -1.6, 1.3], [-1.6, -1.5, -1.9]], requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, T.tensor([[0.7, 0.6, 1.0], [1.3, -1.7, 0.3]]))
            q = fw.unpack_dual(d.softmax(-1)).tangent
        y = T.tensor([[-0.4, 0.7, -1.0], [-1.5, 0.7, 1.8]], requires_grad=True)
        loss = T.nn.functional.mse_loss(y, q)
        try:
            loss.backward()
        except RuntimeError as e:
            return str(e).split(" Hint:")[0]
        return None

    theirs = program(torch_ref)
    assert "output 0 of Exp" in theirs
    assert program(retrograd) == theirs


@pytest.mark.parametrize("tangent_layout", ["contiguous", "transposed"])
def test_tangents_take_the_primals_layout(torch_ref, tangent_layout):
    """PyTorch stores a tangent with its primal's strides (copying one laid out otherwise), so
    a tangent of a transposed primal is transposed, and so are the elementwise tangents after it;
    a broadcast result's tangent is laid out as the result."""

    def program(T):
        fw = T.autograd.forward_ad
        x = T.tensor([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4]], requires_grad=True).t()
        t = T.ones(3, 2) if tangent_layout == "contiguous" else T.ones(2, 3).t()
        y = T.tensor([0.5, 0.2])
        with fw.dual_level():
            d = fw.make_dual(x, t)
            out = [fw.unpack_dual(d).tangent, fw.unpack_dual(d.relu() * 2).tangent]
            out.append(fw.unpack_dual(d.sin()).tangent)
            out.append(fw.unpack_dual(fw.make_dual(y, T.ones(2)).tanh() + T.ones(3, 1)).tangent)
        return [(q.stride(), q.is_contiguous(), q.tolist()) for q in out]

    assert program(retrograd) == program(torch_ref)
