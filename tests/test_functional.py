"""``retrograd.autograd.functional``: values and nesting against PyTorch, and the strict-mode errors."""

import numpy as np
import pytest

import retrograd
from retrograd.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.5, 0.25, -0.5])
V = np.array([1.0, -2.0, 0.5])


def f1(m):
    return lambda x: (x.sin() * x).exp()


def f2(m):
    return lambda x, y: (x * y.tanh(), (x @ y) * x)


def s1(m):
    return lambda x: (x**3).sum() + (x.sin() * x).sum()


def s2(m):
    return lambda x, y: (x * x * y).sum() + (y.exp() * x).sum()


def _ours(a):
    return retrograd.tensor(a)


def _close(ours, ref):
    if isinstance(ref, (tuple, list)):
        assert type(ours) is type(ref) and len(ours) == len(ref)
        for o, r in zip(ours, ref):
            _close(o, r)
    else:
        assert not isinstance(ours, (tuple, list))
        assert tuple(ours.shape) == tuple(ref.shape)
        np.testing.assert_allclose(
            ours.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12
        )


CASES = [
    ("jacobian_single", jacobian, f1, (X,), None, {}),
    ("jacobian_tuple", jacobian, f2, (X, Y), None, {}),
    ("jacobian_vectorize", jacobian, f1, (X,), None, {"vectorize": True}),
    (
        "jacobian_forward_mode",
        jacobian,
        f2,
        (X, Y),
        None,
        {"vectorize": True, "strategy": "forward-mode"},
    ),
    (
        "jacobian_forward_mode_single",
        jacobian,
        f1,
        (X,),
        None,
        {"vectorize": True, "strategy": "forward-mode"},
    ),
    ("hessian_single", hessian, s1, (X,), None, {}),
    ("hessian_tuple", hessian, s2, (X, Y), None, {}),
    (
        "hessian_forward_over_reverse",
        hessian,
        s2,
        (X, Y),
        None,
        {"vectorize": True, "outer_jacobian_strategy": "forward-mode"},
    ),
    (
        "hessian_forward_over_reverse_single",
        hessian,
        s1,
        (X,),
        None,
        {"vectorize": True, "outer_jacobian_strategy": "forward-mode"},
    ),
    ("vjp_single", vjp, f1, (X,), (V,), {}),
    ("vjp_tuple", vjp, f2, (X, Y), (V, np.array(1.0) * V), {}),
    ("jvp_single", jvp, f1, (X,), (V,), {}),
    ("jvp_tuple", jvp, f2, (X, Y), (V, Y), {}),
    ("vhp_single", vhp, s1, (X,), (V,), {}),
    ("vhp_tuple", vhp, s2, (X, Y), (V, X), {}),
    ("hvp_single", hvp, s1, (X,), (V,), {}),
    ("hvp_tuple", hvp, s2, (X, Y), (V, X), {}),
]


@pytest.mark.parametrize("name,fn,make_f,xs,vs,kw", CASES, ids=[c[0] for c in CASES])
def test_values_and_nesting_match_pytorch(torch_ref, name, fn, make_f, xs, vs, kw):
    ref_fn = getattr(torch_ref.autograd.functional, fn.__name__)

    def args(m, wrap):
        inputs = tuple(wrap(x) for x in xs)
        a = [make_f(m), inputs if len(inputs) > 1 else inputs[0]]
        if vs is not None:
            v = tuple(wrap(x) for x in vs)
            if not (fn is vjp and make_f is f2) and len(v) == 1:
                v = v[0]
            a.append(v)
        return a

    ours = fn(*args(retrograd, _ours), **kw)
    ref = ref_fn(*args(torch_ref, torch_ref.tensor), **kw)
    _close(ours, ref)


def test_results_detached_unless_create_graph():
    x = retrograd.tensor(X, requires_grad=True)
    j = jacobian(lambda a: a**3, x)
    assert j.grad_fn is None and not j.requires_grad
    j = jacobian(lambda a: a**3, x, create_graph=True)
    assert j.requires_grad
    # The Jacobian stays connected to x: d/dx sum(diag(3 x^2)) = 6 x
    (g,) = retrograd.autograd.grad(j.sum(), x)
    np.testing.assert_allclose(g.numpy(), 6 * X)
    h = hessian(lambda a: (a**3).sum(), x, create_graph=True)
    (g,) = retrograd.autograd.grad(h.sum(), x)
    np.testing.assert_allclose(g.numpy(), 6 * np.ones(3))
    out, hv = hvp(lambda a: (a**3).sum(), x, retrograd.tensor(V), create_graph=True)
    assert hv.requires_grad and out.requires_grad


def test_independent_inputs_give_zeros():
    x, y = retrograd.tensor(X), retrograd.tensor(Y)
    jx, jy = jacobian(lambda a, b: a * 2, (x, y))
    assert jy.abs().sum().item() == 0 and jx.shape == (3, 3)
    _, (gx, gy) = vjp(lambda a, b: a * 2, (x, y), retrograd.ones(3, dtype=retrograd.float64))
    assert gy.tolist() == [0.0, 0.0, 0.0] and gx.tolist() == [2.0, 2.0, 2.0]


STRICT = [
    (
        lambda: vjp(
            lambda a: retrograd.ones(3), retrograd.tensor(X), retrograd.ones(3), strict=True
        ),
        (
            "Output 0 of the user-provided function does not require gradients. The outputs must be "
            "computed in a differentiable manner from the input when running in strict mode."
        ),
    ),
    (
        lambda: vjp(
            lambda a, b: a * 2,
            (retrograd.tensor(X), retrograd.tensor(Y)),
            retrograd.ones(3, dtype=retrograd.float64),
            strict=True,
        ),
        (
            "The output of the user-provided function is independent of input 1. This is not allowed in "
            "strict mode."
        ),
    ),
    (
        lambda: jacobian(
            lambda a, b: a * 2, (retrograd.tensor(X), retrograd.tensor(Y)), strict=True
        ),
        (
            "Output 0 of the user-provided function is independent of input 1. This is not allowed in "
            "strict mode."
        ),
    ),
    (
        lambda: jacobian(lambda a: a * 2, retrograd.tensor(X), strict=True, create_graph=True),
        (
            "The jacobian of the user-provided function is independent of input 0. This is not allowed "
            "in strict mode when create_graph=True."
        ),
    ),
    (
        lambda: hessian(lambda a: (a * 2).sum(), retrograd.tensor(X), strict=True),
        (
            "While computing the hessian, found that the jacobian of the user-provided function with "
            "respect to input 0 is independent of the input. This is not allowed in strict mode. You "
            "should ensure that your function is twice differentiable and that the jacobian depends on "
            "the inputs (this would be violated by a linear function for example)."
        ),
    ),
    (
        lambda: vhp(lambda a: (a * 2).sum(), retrograd.tensor(X), retrograd.tensor(V), strict=True),
        (
            "While computing the hessian, found that the jacobian of the user-provided function with "
            "respect to input 0 is independent of the input. This is not allowed in strict mode. You "
            "should ensure that your function is twice differentiable and that the jacobian depends on "
            "the inputs (this would be violated by a linear function for example)."
        ),
    ),
    (
        lambda: hvp(
            lambda a: (a * a).sum(),
            retrograd.tensor(X),
            retrograd.tensor(V),
            strict=True,
            create_graph=True,
        ),
        "The hessian of the user-provided function is independent of input 0. This is not "
        "allowed in strict mode when create_graph=True.",
    ),
    (
        lambda: jacobian(lambda a: a, retrograd.tensor(X), strict=True, vectorize=True),
        (
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported "
            "together. Please either set `strict=False` or `vectorize=False`."
        ),
    ),
]


@pytest.mark.parametrize("call,message", STRICT)
def test_strict_errors(call, message):
    with pytest.raises(RuntimeError) as e:
        call()
    assert str(e.value) == message


def test_argument_errors():
    x = retrograd.tensor(X)
    with pytest.raises(
        TypeError,
        match=r"^The inputs given to jacobian must be either a Tensor or "
        r"a tuple of Tensors but the given inputs has type <class 'list'>\.$",
    ):
        jacobian(lambda a: a, [x])
    with pytest.raises(
        TypeError,
        match=r"outputs of the user-provided function given to vjp .* "
        r"but the value at index 1 has type <class 'int'>\.$",
    ):
        vjp(lambda a: (a, 2), x, x)
    with pytest.raises(
        RuntimeError,
        match=r"^v has invalid size: should be torch.Size\(\[3\]\) "
        r"but got torch.Size\(\[4\]\)\.$",
    ):
        jvp(lambda a: a * 2, x, retrograd.ones(4, dtype=retrograd.float64))
    with pytest.raises(
        RuntimeError,
        match="^The vector v can only be None if the user-provided "
        "function returns a single Tensor with a single element.$",
    ):
        vjp(lambda a: a * 2, x)
    with pytest.raises(
        RuntimeError,
        match="^The Tensor returned by the function given to hessian "
        "should contain a single element$",
    ):
        hessian(lambda a: a, x)
    with pytest.raises(
        RuntimeError, match="^The function given to hvp should return a single Tensor$"
    ):
        hvp(lambda a: (a.sum(),), x, x)
    with pytest.raises(
        AssertionError,
        match='^Expected strategy to be either "forward-mode" or '
        '"reverse-mode". Hint: If your function',
    ):
        jacobian(lambda a: a, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        jacobian(lambda a: a, x, strategy="forward-mode")
    out, g = vjp(lambda a: a.sum(), x)  # v may be left out for a single-element output
    assert g.tolist() == [1.0, 1.0, 1.0] and out.item() == pytest.approx(X.sum())


FUNCTIONAL_MISUSE = {
    "jacobian_of_integer_input": lambda T, F: F.jacobian(lambda a: a * 2, T.tensor([1, 2])),
    "hessian_of_a_tuple": lambda T, F: F.hessian(lambda a: ((a**2).sum(),), T.tensor([1.0, 2.0])),
    "hessian_bad_strategy": lambda T, F: F.hessian(
        lambda a: (a**2).sum(), T.tensor([1.0]), outer_jacobian_strategy="sideways"
    ),
    "jacobian_strict_forward_mode": lambda T, F: F.jacobian(
        lambda a: a, T.tensor([1.0]), strict=True, vectorize=True, strategy="forward-mode"
    ),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL_MISUSE))
def test_misuse_errors_match_pytorch(torch_ref, name):
    def run(T):
        try:
            return FUNCTIONAL_MISUSE[name](T, T.autograd.functional)
        except Exception as e:  # noqa: BLE001 - the error itself is compared
            return type(e).__name__, str(e)

    assert run(retrograd) == run(torch_ref)


@pytest.mark.parametrize("name", ["vjp", "jvp", "vhp", "hvp"])
def test_products_read_v_through_an_alias_that_sees_later_writes(torch_ref, name):
    """As in PyTorch, a product with ``create_graph`` keeps ``v`` (a detached alias: written in place
    later, the backward through the result fails, but for vhp, whose graph does not keep it),
    builds the graph PyTorch builds (hvp by the double-backward trick), and the error names no
    node for ``v`` even after ``v`` joined a graph."""

    def run(T):
        F = T.autograd.functional
        x = T.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=T.float64, requires_grad=True)
        v = T.tensor([[1.0, -2.0], [0.5, 1.5]], dtype=T.float64)
        fn = (lambda a: a.tanh() * a) if name in ("vjp", "jvp") else (lambda a: a.exp().sum())
        _, r = getattr(F, name)(fn, x, v, create_graph=True)
        top = r.grad_fn
        names = [top.name()] + [n.name() for n, _ in top.next_functions if n is not None]
        v += x  # v now has a grad_fn of its own
        try:
            r.sum().backward()
        except RuntimeError as e:
            return names, str(e).split(" Hint:")[0]
        return names, None

    ours = run(retrograd)
    assert ours == run(torch_ref) and (ours[1] is None) == (name == "vhp")
