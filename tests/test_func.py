"""``retrograd.func`` (torch.func): each transform run on the same programs as PyTorch's (float64),
their errors, their compositions, vmap over many ops with in_dims/out_dims variations, and the
randomness modes.  A program is written once as ``program(t)`` for the library ``t``."""

import warnings

import numpy as np
import pytest
import torch

import retrograd
import retrograd.nn.functional as RF
from retrograd.func import FALLBACKS

rng = np.random.default_rng(0)


def arr(*shape):
    return rng.standard_normal(shape)


def on(t, a):
    """``a`` (an array, or a tree of them) as tensors of library ``t``."""
    if isinstance(a, np.ndarray):
        return t.tensor(a)
    if isinstance(a, (tuple, list)):
        return type(a)(on(t, x) for x in a)
    if isinstance(a, dict):
        return {k: on(t, v) for k, v in a.items()}
    return a


def close(ours, ref, tol=1e-9):
    if isinstance(ref, (tuple, list)):
        assert type(ours) is type(ref) and len(ours) == len(ref), (ours, ref)
        for o, r in zip(ours, ref):
            close(o, r, tol)
    elif isinstance(ref, dict):
        assert list(ours) == list(ref)
        for k in ref:
            close(ours[k], ref[k], tol)
    elif isinstance(ref, torch.Tensor):
        assert isinstance(ours, retrograd.Tensor), type(ours)
        assert tuple(ours.shape) == tuple(ref.shape), (ours.shape, ref.shape)
        assert str(ours.dtype) == str(ref.dtype)
        np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    else:
        assert ours == ref


def same(program, *args, tol=1e-9, no_fallback=True):
    """``program(t)(*args)`` on both libraries, compared; with ``no_fallback``, no op ran as a
    loop over the batch."""
    ref = program(torch)(*on(torch, args))
    FALLBACKS.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = program(retrograd)(*on(retrograd, args))
    close(ours, ref, tol)
    if no_fallback:
        assert not FALLBACKS, dict(FALLBACKS)
    return ours


def raises(program, *args):
    """The same exception type and message on both libraries."""
    with pytest.raises(Exception) as theirs:
        program(torch)(*on(torch, args))
    with pytest.raises(Exception) as ours:
        program(retrograd)(*on(retrograd, args))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).startswith(str(theirs.value)), (str(ours.value), str(theirs.value))


# --- grad, grad_and_value -----------------------------------------------------------------------


def test_grad_values():
    same(lambda t: t.func.grad(lambda x: (x.sin() * x).sum()), arr(4))
    same(lambda t: t.func.grad(lambda x, y: (x * y.exp()).sum(), argnums=1), arr(3), arr(3))
    same(lambda t: t.func.grad(lambda x, y: (x * y.exp()).sum(), argnums=(0, 1)), arr(3), arr(3))
    same(lambda t: t.func.grad(lambda x, y: (x @ y).tanh(), argnums=-1), arr(3), arr(3))
    same(lambda t: t.func.grad(lambda d: (d["a"] * d["b"][0]).sum()), {"a": arr(2), "b": [arr(2)]})
    same(lambda t: t.func.grad(lambda x: t.tensor(1.0, dtype=t.float64)), arr(2))


def test_grad_has_aux_and_value():
    def prog(t):
        return t.func.grad_and_value(lambda x: ((x**2).sum(), {"m": x.mean()}), has_aux=True)

    same(prog, arr(3))
    same(lambda t: t.func.grad(lambda x: ((x**2).sum(), x * 2), has_aux=True), arr(3))


def test_grad_of_grad_and_outside_graph():
    same(lambda t: t.func.grad(lambda x: t.func.grad(lambda y: (y**3).sum())(x).sum()), arr(3))
    # an input that requires grad: the result is differentiable outside
    x = retrograd.tensor(arr(3), requires_grad=True)
    g = retrograd.func.grad(lambda x: (x**3).sum())(x)
    assert g.requires_grad
    (gx,) = retrograd.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gx.numpy(), 6 * x.detach().numpy())
    # and it is not when nothing outside needs it
    assert not retrograd.func.grad(lambda x: (x**3).sum())(retrograd.tensor(arr(2))).requires_grad


@pytest.mark.parametrize(
    "program",
    [
        lambda t: lambda x: t.func.grad(lambda x: x * 2)(x),  # not a scalar
        lambda t: lambda x: t.func.grad(lambda x: x.sum(), argnums=1)(x),
        lambda t: lambda x: t.func.grad(lambda x: x.sum(), argnums=-2)(x),
        lambda t: lambda x: t.func.grad(lambda x: x.sum(), argnums=())(x),
        lambda t: lambda x: t.func.grad(lambda x: x.sum(), argnums=1.0)(x),
        lambda t: lambda x: t.func.grad(lambda x, y: x.sum(), argnums=(0, 0))(x, x),
        lambda t: lambda x: t.func.grad(lambda x: x.sum(), has_aux=True)(x),
        lambda t: lambda x: t.func.grad(lambda x: (x.sum(), 1, 2), has_aux=True)(x),
        lambda t: lambda x: t.func.grad(lambda x: 3.0)(x),
        lambda t: lambda x: t.func.grad(lambda x: x.sum())(t.arange(3)),
    ],
)
def test_grad_errors(program):
    raises(program, arr(3))


# --- vjp, jvp, linearize ------------------------------------------------------------------------


def test_vjp():
    def prog(t):
        def run(x, y, c1, c2):
            out, fn = t.func.vjp(lambda x, y: (x * y.sin(), (x @ y) * x), x, y)
            return out, fn((c1, c2))

        return run

    same(prog, arr(3), arr(3), arr(3), arr(3))

    def aux(t):
        def run(x, c):
            out, fn, a = t.func.vjp(lambda x: (x.exp(), x.sum()), x, has_aux=True)
            return out, fn(c), a

        return run

    same(aux, arr(2, 3), arr(2, 3))


@pytest.mark.parametrize(
    "program",
    [
        lambda t: lambda x: t.func.vjp(lambda x: x, x, has_aux=True),
        lambda t: lambda x: t.func.vjp(lambda x: x, x)[1](t.zeros(4, dtype=t.float64)),
        lambda t: lambda x: t.func.vjp(lambda x: (x, x * 2), x)[1](x),
        lambda t: lambda x: t.func.vjp(lambda x: 1.0, x),
    ],
)
def test_vjp_errors(program):
    raises(program, arr(3))


def test_jvp_and_linearize():
    def prog(t):
        return lambda x, y, u, v: t.func.jvp(lambda a, b: (a * b.cos(), a @ b), (x, y), (u, v))

    same(prog, arr(3), arr(3), arr(3), arr(3))
    same(
        lambda t: lambda x, u: t.func.jvp(lambda a: (a.exp(), a[0]), (x,), (u,), has_aux=True),
        arr(3),
        arr(3),
    )

    def lin(t):
        def run(x, u, w):
            out, fn = t.func.linearize(lambda a: a.sin() * a, x)
            return out, fn(u), fn(w)

        return run

    same(lin, arr(4), arr(4), arr(4))
    same(
        lambda t: lambda x: t.func.jvp(lambda a: (a, a * 2), (x,), (x,), strict=True),
        arr(2),
    )
    same(lambda t: lambda x: t.func.jvp(lambda a: (a, t.ones(2)), (x,), (x,)), arr(2))


@pytest.mark.parametrize(
    "program",
    [
        lambda t: lambda x: t.func.jvp(lambda x: x, (x,), (t.zeros(4, dtype=t.float64),)),
        lambda t: lambda x: t.func.jvp(lambda x: x, x, x),
        lambda t: lambda x: t.func.jvp(lambda x: x, (x,), (x, x)),
        lambda t: lambda x: t.func.jvp(lambda x: x, (x,), x),
        lambda t: lambda x: t.func.jvp(lambda x: x, (1.0,), (1.0,)),
        lambda t: lambda x: t.func.jvp(lambda x: 1.0, (x,), (x,)),
        lambda t: lambda x: t.func.jvp(lambda x: t.ones(2), (x,), (x,), strict=True),
    ],
)
def test_jvp_errors(program):
    raises(program, arr(3))


# --- jacrev, jacfwd, hessian --------------------------------------------------------------------


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_jacobians(jac):
    same(lambda t: getattr(t.func, jac)(lambda x: x.sin() * x.sum()), arr(3))
    same(
        lambda t: getattr(t.func, jac)(lambda x, y: x[:, None] * y, argnums=(0, 1)), arr(2), arr(3)
    )
    same(
        lambda t: getattr(t.func, jac)(lambda x, y: (x @ y, x.exp()), argnums=1), arr(2, 3), arr(3)
    )
    same(lambda t: getattr(t.func, jac)(lambda x: (x.tanh(), x.sum()), has_aux=True), arr(3))
    same(lambda t: getattr(t.func, jac)(lambda d: d["w"] @ d["b"]), {"w": arr(2, 3), "b": arr(3)})


def test_hessian_and_compositions():
    f = lambda t: lambda x: (x.sin() * x.pow(3)).sum()  # noqa: E731
    same(lambda t: t.func.hessian(f(t)), arr(3))
    same(lambda t: t.func.jacrev(t.func.jacfwd(f(t))), arr(3))
    same(lambda t: t.func.jacfwd(t.func.jacrev(f(t))), arr(3))
    same(lambda t: t.func.jacrev(t.func.jacrev(f(t))), arr(3))
    same(lambda t: t.func.grad(t.func.grad(lambda x: x.sin() * x**2)), np.array(0.7))
    same(lambda t: t.func.hessian(lambda x, y: (x * y).sum() ** 2, argnums=(0, 1)), arr(2), arr(2))


def test_jacobian_errors():
    raises(lambda t: lambda x: t.func.jacrev(lambda x: x, argnums=2)(x), arr(3))
    raises(lambda t: lambda x: t.func.jacrev(lambda x: x, has_aux=True)(x), arr(3))
    raises(lambda t: lambda x: t.func.jacrev(lambda x: x.long())(x), arr(3))


# --- vmap ---------------------------------------------------------------------------------------

VMAP_PROGRAMS = [
    # elementwise and broadcasting
    ("sin", lambda t: lambda x: x.sin() * 2 + 1, (arr(4, 3),), 0),
    ("binary", lambda t: lambda x, y: t.maximum(x, y) - x * y, (arr(4, 3), arr(4, 3)), 0),
    ("broadcast_unbatched", lambda t: lambda x, y: x + y, (arr(4, 3), arr(2, 3)), (0, None)),
    ("broadcast_ranks", lambda t: lambda x, y: x * y, (arr(4, 3), arr(4, 2, 3)), 0),
    ("where", lambda t: lambda x, y: t.where(x > 0, x, y), (arr(4, 3), arr(3)), (0, None)),
    ("clamp", lambda t: lambda x: x.clamp(-0.5, 0.5).abs().sqrt(), (arr(4, 3),), 0),
    (
        "activations",
        lambda t: lambda x: t.nn.functional.gelu(x) + t.relu(x) + x.sigmoid(),
        (arr(4, 3),),
        0,
    ),
    # reductions
    ("sum_all", lambda t: lambda x: x.sum(), (arr(4, 3, 2),), 0),
    ("mean_dim", lambda t: lambda x: x.mean(-1) + x.sum(0).sum(), (arr(4, 3, 2),), 0),
    (
        "keepdim",
        lambda t: lambda x: x.amax(1, keepdim=True) - x.logsumexp(0, keepdim=True),
        (arr(4, 3, 2),),
        0,
    ),
    ("std_var", lambda t: lambda x: x.std() + x.var(0).sum(), (arr(4, 3, 2),), 0),
    ("max_dim", lambda t: lambda x: x.max(1).values * x.argmax(), (arr(4, 3, 2),), 0),
    ("norm", lambda t: lambda x: t.linalg.vector_norm(x, dim=-1), (arr(4, 3, 2),), 0),
    ("softmax", lambda t: lambda x: t.softmax(x, -1) + t.log_softmax(x, 0), (arr(4, 3, 2),), 0),
    ("cumsum", lambda t: lambda x: x.cumsum(0) * x.sort(-1).values, (arr(4, 3, 2),), 0),
    # matmul and linear
    ("matmul_vv", lambda t: lambda x, y: x @ y, (arr(4, 3), arr(4, 3)), 0),
    ("matmul_mv", lambda t: lambda x, y: x @ y, (arr(4, 2, 3), arr(3)), (0, None)),
    ("matmul_vm", lambda t: lambda x, y: x @ y, (arr(3), arr(4, 3, 2)), (None, 0)),
    ("matmul_mm", lambda t: lambda x, y: x @ y, (arr(4, 2, 3), arr(4, 3, 5)), 0),
    ("matmul_bmm", lambda t: lambda x, y: x @ y, (arr(4, 2, 2, 3), arr(3, 5)), (0, None)),
    ("matmul_b_unb", lambda t: lambda x, y: x @ y, (arr(2, 2, 3), arr(4, 3, 5)), (None, 0)),
    (
        "linear",
        lambda t: lambda x, w, b: t.nn.functional.linear(x, w, b),
        (arr(4, 3), arr(5, 3), arr(5)),
        (0, None, None),
    ),
    (
        "linear_w",
        lambda t: lambda x, w, b: t.nn.functional.linear(x, w, b),
        (arr(4, 2, 3), arr(4, 5, 3), arr(5)),
        (0, 0, None),
    ),
    (
        "mm_dot",
        lambda t: lambda x, y: t.mm(x, y).sum() + t.dot(x[0], y[:, 0]),
        (arr(4, 2, 3), arr(3, 2)),
        (0, None),
    ),
    # shape ops
    (
        "view_reshape",
        lambda t: lambda x: x.view(6).reshape(3, 2) + x.reshape(-1, 3).t(),
        (arr(4, 2, 3),),
        0,
    ),
    (
        "transpose",
        lambda t: lambda x: x.transpose(0, 1).permute(1, 0).unsqueeze(-1).squeeze(),
        (arr(4, 2, 3),),
        0,
    ),
    ("flatten", lambda t: lambda x: x.flatten().expand(2, 6) * x.flatten(0), (arr(4, 2, 3),), 0),
    (
        "cat_stack",
        lambda t: lambda x, y: t.cat([x, y], -1).sum(-1) + t.stack([x, y], 1).mean(1).sum(-1),
        (arr(4, 2, 3), arr(2, 3)),
        (0, None),
    ),
    ("flip_repeat", lambda t: lambda x: x.flip(0).repeat(2, 1), (arr(4, 2, 3),), 0),
    (
        "shape_reading",
        lambda t: lambda x: x.reshape(x.shape[0] * x.size(1)) / x.dim() / len(x),
        (arr(4, 2, 3),),
        0,
    ),
    # indexing
    (
        "index_basic",
        lambda t: lambda x: x[0] + x[1, :] + x[..., -1].sum() + x[None, 1:, ::2].sum(),
        (arr(4, 2, 3),),
        0,
    ),
    ("index_tensor", lambda t: lambda x, i: x[i] * 2, (arr(4, 5), np.array([0, 3, 3])), (0, None)),
    (
        "gather",
        lambda t: lambda x, i: x.gather(1, i) + x.index_select(1, i[0]).sum(),
        (arr(4, 3, 5), np.array([[0, 1], [2, 2], [4, 0]])),
        (0, None),
    ),
    (
        "masked_fill",
        lambda t: lambda x: x.masked_fill(x > 0, 0.0) + x.clamp(min=0.1) + x.clamp(max=x.mean()),
        (arr(4, 3, 5),),
        0,
    ),
    (
        "like",
        lambda t: (
            lambda x: x + x.new_zeros(3) + t.zeros_like(x) + t.ones_like(x) + t.full_like(x, 2.0)
        ),
        (arr(4, 3),),
        0,
    ),
    ("pow", lambda t: lambda x: x.abs() ** 1.5 + 2**x + x ** x.abs(), (arr(4, 3),), 0),
    # in-place writes into batched tensors
    (
        "inplace",
        lambda t: lambda x: t.nn.functional.relu(x * 1, inplace=True).add_(2).mul_(x).exp_(),
        (arr(4, 3),),
        0,
    ),
    (
        "setitem",
        lambda t: lambda x, v: (lambda y: (y.__setitem__((0, slice(1, 3)), v), y)[1])(x.clone()),
        (arr(4, 3, 3), arr(4, 2)),
        0,
    ),
    # layers
    (
        "conv2d",
        lambda t: lambda x, w: t.nn.functional.conv2d(x, w, padding=1),
        (arr(4, 2, 3, 6, 6), arr(5, 3, 3, 3)),
        (0, None),
    ),
    (
        "conv2d_unbatched",
        lambda t: lambda x, w: t.nn.functional.conv2d(x, w),
        (arr(4, 3, 6, 6), arr(5, 3, 3, 3)),
        (0, None),
    ),
    (
        "conv2d_weights",
        lambda t: lambda x, w: t.nn.functional.conv2d(x, w, stride=2, padding=1),
        (arr(4, 2, 3, 6, 6), arr(4, 5, 3, 3, 3)),
        0,
    ),
    (
        "conv1d_weights_bias",
        lambda t: lambda x, w, b: t.nn.functional.conv1d(x, w, b, groups=3),
        (arr(3, 6, 5), arr(4, 6, 2, 3), arr(4, 6)),
        (None, 0, 0),
    ),
    (
        "pools",
        lambda t: lambda x: t.nn.functional.max_pool2d(x, 2) + t.nn.functional.avg_pool2d(x, 2),
        (arr(4, 2, 3, 6, 6),),
        0,
    ),
    (
        "layer_norm",
        lambda t: lambda x, w, b: t.nn.functional.layer_norm(x, (5,), w, b),
        (arr(4, 3, 5), arr(5), arr(5)),
        (0, None, None),
    ),
    (
        "batch_norm_eval",
        lambda t: lambda x, m, v: t.nn.functional.batch_norm(x, m, v, training=False),
        (arr(4, 6, 3), arr(3) ** 2, arr(3) ** 2 + 1),
        (0, None, None),
    ),
    ("pad", lambda t: lambda x: t.nn.functional.pad(x, (1, 2)), (arr(4, 3, 2),), 0),
    (
        "attention",
        lambda t: lambda q, k, v: t.nn.functional.scaled_dot_product_attention(q, k, v),
        (arr(4, 2, 3, 8), arr(4, 2, 5, 8), arr(2, 5, 8)),
        (0, 0, None),
    ),
    (
        "cross_entropy",
        lambda t: lambda x, y: t.nn.functional.cross_entropy(x, y),
        (arr(4, 3, 5), np.array([[0, 1, 4]] * 4)),
        0,
    ),
    (
        "cross_entropy_one",
        lambda t: lambda x, y: t.nn.functional.cross_entropy(x, y, reduction="sum"),
        (arr(4, 5), np.array([0, 1, 4, 2])),
        0,
    ),
    (
        "nll_weighted",
        lambda t: lambda x, y, w: t.nn.functional.nll_loss(x, y, w, ignore_index=1),
        (arr(4, 3, 5), np.array([0, 1, 4]), np.abs(arr(5))),
        (0, None, None),
    ),
    (
        "embedding",
        lambda t: lambda i, w: t.nn.functional.embedding(i, w),
        (np.array([[0, 2], [1, 1], [3, 0]]), arr(4, 3)),
        (0, None),
    ),
    (
        "embedding_tables",
        lambda t: lambda i, w: t.nn.functional.embedding(i, w),
        (np.array([[0, 2], [1, 1], [3, 0]]), arr(3, 4, 2)),
        0,
    ),
    # in_dims/out_dims variations
    ("in_dim_1", lambda t: lambda x: x * 2, (arr(3, 4),), 1),
    ("in_dim_neg", lambda t: lambda x, y: x - y.sum(), (arr(3, 4), arr(2, 4)), (-1, 1)),
    (
        "nested_in",
        lambda t: lambda d: d["a"] * d["b"][0],
        ({"a": arr(4, 2), "b": [arr(2)]},),
        ({"a": 0, "b": None},),
    ),
    ("int_arg", lambda t: lambda x, k: x * k, (arr(4, 2), 3), (0, None)),
    ("const_out", lambda t: lambda x: t.ones(2, dtype=t.float64), (arr(4, 2),), 0),
]


@pytest.mark.parametrize(
    "name,program,args,in_dims", VMAP_PROGRAMS, ids=[p[0] for p in VMAP_PROGRAMS]
)
def test_vmap_ops(name, program, args, in_dims):
    same(lambda t: t.func.vmap(program(t), in_dims=in_dims), *args)


def test_vmap_out_dims_and_chunks():
    f = lambda t: lambda x: (x * 2, x.sum(0))  # noqa: E731
    same(lambda t: t.func.vmap(f(t), out_dims=(1, 0)), arr(4, 3, 2))
    same(lambda t: t.func.vmap(f(t), out_dims=-1), arr(4, 3, 2))
    same(lambda t: t.func.vmap(f(t), in_dims=1, out_dims=1, chunk_size=2), arr(3, 5, 2))
    same(lambda t: t.func.vmap(lambda x, c: (x * 2, c), (0, None), (0, None)), arr(4, 3), arr(2))
    same(lambda t: t.func.vmap(lambda x: [x, (x, x)]), arr(3))


def test_nested_vmap():
    same(lambda t: t.func.vmap(t.func.vmap(lambda x, y: x @ y)), arr(2, 3, 4), arr(2, 3, 4))
    same(
        lambda t: t.func.vmap(t.func.vmap(lambda x, y: x * y, (0, None)), (None, 0)),
        arr(3, 4),
        arr(2, 4),
    )
    same(lambda t: t.func.vmap(lambda x: t.func.vmap(lambda r: r.sum() * x.sum())(x)), arr(2, 3, 4))


@pytest.mark.parametrize(
    "program",
    [
        lambda t: lambda x: t.func.vmap(lambda x: x, in_dims=(0, 0))(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, in_dims=1)(x),
        lambda t: lambda x: t.func.vmap(lambda x, y: x + y)(x, t.zeros(4)),
        lambda t: lambda x: t.func.vmap(lambda x: x, in_dims=None)(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, in_dims=(None,))(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, in_dims=[0])(x),
        lambda t: lambda x: t.func.vmap(lambda x: x)(x.sum()),
        lambda t: lambda x: t.func.vmap(lambda x: x)(3.0),
        lambda t: lambda x: t.func.vmap(lambda x: x.item())(x),
        lambda t: lambda x: t.func.vmap(lambda x: 1.0)(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, out_dims=1)(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, out_dims=(0, 0))(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, out_dims="a")(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, out_dims=None)(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, chunk_size=0)(x),
        lambda t: lambda x: t.func.vmap(lambda x: x, randomness="foo")(x),
        lambda t: (
            lambda x: t.func.vmap(lambda d: d["a"], in_dims=({"a": 0, "c": None},))(
                {"a": x, "b": x}
            )
        ),
    ],
)
def test_vmap_errors(program):
    raises(program, arr(3))


# --- randomness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program",
    [
        lambda t: lambda x: t.func.vmap(lambda x: x + t.randn(()))(x),
        lambda t: lambda x: t.func.vmap(lambda x: t.nn.functional.dropout(x, 0.5))(x),
        lambda t: lambda x: t.func.vmap(lambda x: t.rand_like(x))(x),
    ],
)
def test_random_ops_raise_in_error_mode(program):
    raises(program, arr(3, 4))


def test_random_ops_raise_in_error_mode_with_a_normal_cached():
    """A draw that reads no new word (randn's cached second normal of a pair) is a draw."""

    def program(t):
        def run(x):
            t.manual_seed(0)
            t.randn(1)  # (leaves the pair's second normal cached)
            return t.func.vmap(lambda x: x + t.randn(()))(x)

        return run

    raises(program, arr(3, 4))


def test_randomness_same_and_different():
    x = retrograd.ones(6, 50)
    same_mask = retrograd.func.vmap(lambda r: RF.dropout(r, 0.5), randomness="same")(x)
    assert (same_mask == same_mask[0]).all()
    assert {0.0, 2.0} == set(same_mask.unique().tolist())
    different = retrograd.func.vmap(lambda r: RF.dropout(r, 0.5), randomness="different")(x)
    assert not (different == different[0]).all()
    noise = retrograd.func.vmap(lambda r: r + retrograd.randn(50), randomness="same")(x)
    assert (noise == noise[0]).all()
    noise = retrograd.func.vmap(lambda r: r + retrograd.randn(50), randomness="different")(x)
    assert noise.shape == (6, 50) and not (noise == noise[0]).all()
    # a random op with no batching rule draws one value for all: honest only under "same"
    ints = retrograd.func.vmap(lambda r: r + retrograd.randint(0, 9, (50,)), randomness="same")(x)
    assert (ints == ints[0]).all()
    with pytest.raises(NotImplementedError, match="randomness='different'"):
        retrograd.func.vmap(lambda r: r + retrograd.randint(0, 9, (50,)), randomness="different")(x)


# --- vmap with the derivative transforms ------------------------------------------------------


def test_per_example_gradients():
    def prog(t):
        def loss(w, b, x, y):
            return ((t.tanh(x @ w.T + b) - y) ** 2).mean()

        return t.func.vmap(t.func.grad(loss, argnums=(0, 1)), in_dims=(None, None, 0, 0))

    same(prog, arr(3, 4), arr(3), arr(8, 4), arr(8, 3))


def test_per_example_gradients_of_a_module():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 1)
    ).double()
    ours = retrograd.nn.Sequential(
        retrograd.nn.Linear(5, 7), retrograd.nn.ReLU(), retrograd.nn.Linear(7, 1)
    ).double()
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})

    def prog(t, model):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            out = t.func.functional_call(model, p, (x.unsqueeze(0),))
            return t.nn.functional.mse_loss(out, y.unsqueeze(0))

        return lambda x, y: t.func.vmap(t.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)

    x, y = arr(6, 5), arr(6, 1)
    ref = prog(torch, theirs)(torch.tensor(x), torch.tensor(y))
    FALLBACKS.clear()
    got = prog(retrograd, ours)(retrograd.tensor(x), retrograd.tensor(y))
    close(got, ref)
    assert not FALLBACKS, dict(FALLBACKS)


def test_vmap_of_transforms():
    f = lambda t: lambda x: (x.sin() * x).sum()  # noqa: E731
    same(lambda t: t.func.vmap(t.func.jacrev(lambda x: x.sin() * x)), arr(3, 2), no_fallback=False)
    same(lambda t: t.func.vmap(t.func.hessian(f(t))), arr(3, 2), no_fallback=False)
    same(lambda t: t.func.vmap(t.func.grad(t.func.grad(lambda x: x.sin() * x))), arr(4))
    same(lambda t: t.func.grad(lambda x: t.func.vmap(lambda r: (r**2).sum())(x).sum()), arr(3, 2))

    def vmap_vjp(t):
        def run(x, cots):
            _, fn = t.func.vjp(lambda a: a.sin() * a.sum(), x)
            return t.func.vmap(fn)(cots)

        return run

    same(vmap_vjp, arr(3), arr(5, 3), no_fallback=False)
    same(
        lambda t: lambda x, v: t.func.vmap(lambda u: t.func.jvp(lambda a: a.exp(), (x,), (u,)))(v),
        arr(3),
        arr(4, 3),
    )


# --- functional_call, stack_module_state --------------------------------------------------------


def _twins():
    torch.manual_seed(1)
    theirs = torch.nn.Linear(3, 2).double()
    ours = retrograd.nn.Linear(3, 2).double()
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def test_functional_call():
    ours, theirs = _twins()
    w, b, x = arr(2, 3), arr(2), arr(3)

    def prog(t, m):
        return lambda w, b, x: (
            t.func.functional_call(m, {"weight": w, "bias": b}, (x,)),
            t.func.functional_call(m, ({"weight": w}, {"bias": b}), x),
            t.func.functional_call(m, {"weight": w}, args=(), kwargs={"input": x}),
            m(x),  # the module as before
        )

    close(
        prog(retrograd, ours)(*on(retrograd, (w, b, x))), prog(torch, theirs)(*on(torch, (w, b, x)))
    )


def test_functional_call_errors_and_ties():
    ours, theirs = _twins()
    for m, t in ((ours, retrograd), (theirs, torch)):
        with pytest.raises(RuntimeError) as e:
            t.func.functional_call(m, {"foo": t.zeros(2, 2)}, (t.zeros(3),), strict=True)
        assert str(e.value) == (
            "Error(s) in reparametrizing for Linear:\n\tUnexpected key(s): 'foo'.\n\t"
            "Missing key(s): 'bias', 'weight'."
        )
        with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
            t.func.functional_call(m, ({"bias": t.zeros(2)}, {"bias": t.zeros(2)}), (t.zeros(3),))

    def tied(t):
        class Tied(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = t.nn.Linear(2, 2)
                self.b = t.nn.Linear(2, 2)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.b(self.a(x))

        return Tied()

    for t in (retrograd, torch):
        m = tied(t)
        one = t.ones(2, 2)
        out = t.func.functional_call(
            m, {"a.weight": one, "a.bias": t.zeros(2), "b.bias": t.zeros(2)}, t.ones(2)
        )
        assert out.tolist() == [4.0, 4.0]
        with pytest.raises(ValueError, match="which are tied"):
            t.func.functional_call(m, {"a.weight": one, "b.weight": t.zeros(2, 2)}, t.ones(2))


def test_stack_module_state_ensemble():
    torch.manual_seed(2)
    theirs = [torch.nn.Linear(3, 2).double() for _ in range(4)]
    ours = [retrograd.nn.Linear(3, 2).double() for _ in range(4)]
    for o, th in zip(ours, theirs):
        o.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in th.state_dict().items()})

    def prog(t, models):
        params, buffers = t.func.stack_module_state(models)
        assert all(p.is_leaf and p.requires_grad for p in params.values())

        def run(p, b, x):
            return t.func.functional_call(models[0], (p, b), (x,))

        return lambda x: t.func.vmap(run, in_dims=(0, 0, None))(params, buffers, x)

    x = arr(5, 3)
    close(prog(retrograd, ours)(retrograd.tensor(x)), prog(torch, theirs)(torch.tensor(x)))
    for t, m in ((retrograd, ours), (torch, theirs)):
        with pytest.raises(RuntimeError, match="Expected all models to be of the same class"):
            t.func.stack_module_state([m[0], t.nn.ReLU()])
        with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
            t.func.stack_module_state([])


def test_fallback_is_declared():
    x = retrograd.tensor(arr(3, 4, 4))
    FALLBACKS.clear()
    with pytest.warns(UserWarning, match="no batching rule"):
        got = retrograd.func.vmap(lambda m: m.trace() * m)(x)
    assert FALLBACKS["trace"] == 1
    expected = torch.func.vmap(lambda m: m.trace() * m)(torch.tensor(x.numpy()))
    close(got, expected)


def test_per_example_gradients_example_ends_at_pytorchs_loss():
    import os
    import runpy

    path = os.path.join(os.path.dirname(__file__), "..", "examples", "per_example_gradients.py")
    train = runpy.run_path(path)["train"]
    ours, theirs = train(retrograd, steps=40), train(torch, steps=40)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    assert ours[-1] < 0.5 * ours[0]


def test_results_stay_differentiable_for_closed_over_tensors():
    def prog(t):
        def run(w, x):
            w = w.clone().requires_grad_()
            g = t.func.grad(lambda x: (w * x.sin()).sum())(x)
            (gw,) = t.autograd.grad(g.sum(), w)
            out, fn = t.func.vjp(lambda x: w * x, x)
            (gw2,) = t.autograd.grad(fn(t.ones_like(x))[0].sum(), w)
            return g.detach(), gw, gw2, out.requires_grad

        return run

    same(prog, arr(3), arr(3))


def test_vmap_state_is_per_thread():
    import threading

    errors = []
    inside, done = threading.Event(), threading.Event()

    def other_thread():
        inside.wait()
        try:
            retrograd.randn(3)  # no vmap here: draws as usual
            assert retrograd.ones(2).sum().item() == 2.0
        except Exception as e:  # pragma: no cover (reported below)
            errors.append(e)
        done.set()

    def f(x):
        inside.set()
        done.wait()
        return x * 2

    t = threading.Thread(target=other_thread)
    t.start()
    retrograd.func.vmap(f)(retrograd.ones(4, 3))
    t.join()
    assert not errors
