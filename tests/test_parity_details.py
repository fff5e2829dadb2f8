"""Small programs run unchanged under retrograd and PyTorch, compared on everything a user can
see: values, gradients, dtypes, requires_grad, node names, layout, error type and text."""

import warnings

import pytest

import retrograd


def _err(fn, *args):
    """``fn(*args)``'s error as type and text, or "no error"."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return f"{type(e).__name__}: {e}"
    return "no error"


def _same(torch, program):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = program(retrograd)
        theirs = program(torch)
    assert ours == theirs


def _r(v):
    return float(f"{v:.4g}")  # four significant digits: float32 agrees to that


def _describe(t, node_name=True):
    """What the comparison looks at in one tensor (values rounded for float32's precision);
    without ``node_name`` only whether it has a grad_fn (tangents' formulas are PyTorch's own)."""
    if t is None:
        return "None"
    fn = t.grad_fn is not None
    if node_name and fn:
        fn = type(t.grad_fn).__name__
    plain = t.detach().new_zeros(t.shape) + t.detach()  # (PyTorch may give a storage-less zero)
    values = [complex(v) for v in plain.reshape(-1).tolist()]
    values = [(_r(v.real), _r(v.imag)) if v.imag else _r(v.real) for v in values]
    return f"{values} {t.dtype} {tuple(t.shape)} rg={t.requires_grad} {fn}"


# --- losses: result and gradient dtypes with float32 and float64 inputs ----------------------


def _loss_dtypes(name, shapes, **kwargs):
    def program(torch):
        out = []
        for sa, sb in shapes:
            for da, db in ((torch.float32, torch.float64), (torch.float64, torch.float32)):
                a = (torch.ones(sa, dtype=da) * 0.3).requires_grad_()
                b = (torch.ones(sb, dtype=db) * 0.6).requires_grad_()
                r = getattr(torch.nn.functional, name)(a, b, **kwargs)
                out.append(_describe(r))
                out.append(_err(lambda r: r.sum().backward(), r))
                out += [_describe(a.grad), _describe(b.grad)]
                if r.grad_fn is not None:
                    out.append(str([type(f).__name__ for f, _ in r.grad_fn.next_functions if f]))
        return out

    return program


BROADCAST_SHAPES = [((3,), (3,)), ((), (3,)), ((3,), ()), ((2, 1), (3,))]


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_loss_dtypes_and_nodes(torch_ref, name, reduction):
    """The input and target are expanded to one shape first (ExpandBackward0 nodes), so a 0-dim
    float64 and a float32 vector give float64; huber's loss has the input's dtype and its
    backward refuses two dtypes."""
    _same(torch_ref, _loss_dtypes(name, BROADCAST_SHAPES, reduction=reduction))


def test_smooth_l1_with_beta_zero_dtypes(torch_ref):
    _same(torch_ref, _loss_dtypes("smooth_l1_loss", BROADCAST_SHAPES, beta=0.0))


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_bce_with_logits_has_the_targets_dtype(torch_ref, reduction):
    _same(
        torch_ref,
        _loss_dtypes("binary_cross_entropy_with_logits", [((3,), (3,))], reduction=reduction),
    )


def test_bce_with_logits_weights_keep_the_targets_dtype(torch_ref):
    def program(torch):
        F = torch.nn.functional
        x = torch.tensor([0.2, -1.0, 3.0], dtype=torch.float64, requires_grad=True)
        out = []
        for t_dtype in (torch.float16, torch.float32):
            y = torch.tensor([0.0, 1.0, 0.5], dtype=t_dtype)
            w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)
            r = F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=w)
            out.append(str(r.dtype))
        return out

    _same(torch_ref, program)


def test_broadcast_tensors_returns_a_tensor_of_the_shape_itself(torch_ref):
    def program(torch):
        a = torch.ones(2, 3, requires_grad=True)
        b = torch.ones(1, 3, requires_grad=True)
        x, y = torch.broadcast_tensors(a, b)
        return [x is a, x.grad_fn, type(y.grad_fn).__name__]

    _same(torch_ref, program)


# --- lerp: no type promotion between input and end ---------------------------------------------


def test_lerp_dtype_checks(torch_ref):
    def program(torch):
        out = []
        values = {
            "f32": torch.tensor([1.0, 2.0]),
            "f64": torch.tensor([3.0, 4.0], dtype=torch.float64),
            "i64": torch.tensor([1, 2]),
            "c64": torch.tensor([1 + 1j, 2.0]),
            "f16": torch.tensor([1.0, 2.0], dtype=torch.float16),
            "0d64": torch.tensor(3.0, dtype=torch.float64),
        }
        weights = [
            0.3,
            2,
            True,
            torch.tensor([0.1, 0.2]),
            torch.tensor(0.5, dtype=torch.float64),
            torch.tensor([1, 0]),
            torch.tensor(0.5),
        ]
        for a in values.values():
            for b in values.values():
                for w in weights:
                    out.append(_err(lambda *x: out.append(_describe(torch.lerp(*x))), a, b, w))
                    out.append(
                        _err(lambda a, b, w: out.append(_describe(a.clone().lerp_(b, w))), a, b, w)
                    )
        out.append(_err(lambda: torch.lerp(values["f32"], 2.0, 0.5)))
        return out

    _same(torch_ref, program)


def test_lerp_gradient_with_a_0d_weight_of_another_dtype(torch_ref):
    def program(torch):
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
        r = torch.lerp(a, torch.tensor([3.0, 5.0]), w)
        r.sum().backward()
        return [_describe(r), _describe(a.grad), _describe(w.grad)]

    _same(torch_ref, program)


# --- dims checked by retrograd, never by NumPy (0-dim tensors have no axis in NumPy) -----------


def test_dims_of_0d_tensors(torch_ref):
    def program(torch):
        out = []
        calls = [
            lambda z: z.roll(1, -1),
            lambda z: z.roll(1, 0),
            lambda z: z.roll(1),
            lambda z: z.roll((1,), (0,)),
            lambda z: z.transpose(0, -1),
            lambda z: z.transpose(0, 1),
            lambda z: z.swapaxes(-1, 0),
            lambda z: z.movedim(0, -1),
            lambda z: z.movedim(1, 0),
            lambda z: z.squeeze(0),
            lambda z: z.squeeze((0, -1)),
            lambda z: z.squeeze(1),
            lambda z: z.squeeze(()),
            lambda z: (z * 1).t_(),
            lambda z: (z * 1).transpose_(0, -1),
            lambda z: torch.nn.functional.glu(z),
        ]
        for call in calls:
            z = torch.tensor(1.5, requires_grad=True)
            out.append(_err(lambda f, z: out.append(_describe(f(z))), call, z))
            out.append(_err(lambda f, z: f(z).sum().backward(), call, z))
            out.append(_describe(z.grad))
        return out

    _same(torch_ref, program)


def test_dims_out_of_range_and_repeated(torch_ref):
    def program(torch):
        v, m = torch.ones(3), torch.ones(1, 3, 1)
        calls = [
            lambda: v.roll(1, 2),
            lambda: m.roll((1, 1), (0, 3)),
            lambda: m.squeeze((0, 0)),
            lambda: m.squeeze((0, -1)).shape,
            lambda: m.squeeze(()).shape,
            lambda: torch.nn.functional.glu(m, 3),
            lambda: torch.nn.functional.glu(m, -2),
        ]
        return [_err(c) for c in calls]

    _same(torch_ref, program)


# --- forward-mode AD: tangents differentiable with respect to the primals they read ------------

_TANGENT_OPS = [
    lambda d: d.unsqueeze(0).expand(2, *d.shape) * 2,
    lambda d: d * 2,
    lambda d: d.sin(),
    lambda d: d.relu(),
    lambda d: d.view(-1),
    lambda d: d + 1,
    lambda d: d.sum(),
    lambda d: -d,
    lambda d: d.tanh(),
    lambda d: d * d,
    lambda d: d.expand(2, 3),
    lambda d: d.t(),
    lambda d: d.relu() * d.exp(),
]


@pytest.mark.parametrize("primal_grad, tangent_grad", [(True, True), (True, False), (False, True)])
def test_tangent_requires_grad_and_its_gradient(torch_ref, primal_grad, tangent_grad):
    def program(torch):
        fwAD = torch.autograd.forward_ad
        out = []
        for f in _TANGENT_OPS:
            x = torch.tensor([0.5, -1.0, 2.0], requires_grad=primal_grad)
            t = torch.tensor([1.0, 2.0, 3.0], requires_grad=tangent_grad)
            with fwAD.dual_level():
                e = f(fwAD.make_dual(x, t))
                q = fwAD.unpack_dual(e).tangent
                out.append(_describe(q, node_name=False))
                if q.requires_grad:
                    (q * q).sum().backward()
            out += [_describe(x.grad), _describe(t.grad)]
        return out

    _same(torch_ref, program)


def test_gradient_through_a_tangent_reaches_the_primal_as_zeros(torch_ref):
    def program(torch):
        fwAD = torch.autograd.forward_ad
        x = torch.tensor([[0.3, -1.2]], requires_grad=True)
        w = torch.tensor([[2.0, 0.5]])
        seen = []
        with fwAD.dual_level():
            d = fwAD.make_dual(x, torch.ones(1, 2))
            r = d.relu()
            q = fwAD.unpack_dual(r * w).tangent
            r.grad_fn.register_prehook(lambda go: seen.append(_describe(go[0])))
            q.sum().backward()
        return [_describe(x.grad)] + seen

    _same(torch_ref, program)


# --- tensor hooks of outputs that get no gradient ----------------------------------------------


def _logging_hook(log, name):
    def hook(g):
        log.append((name, None if g is None else g.tolist()))

    return hook


def test_hooks_of_an_output_without_gradient_get_none(torch_ref):
    def program(torch):
        log = []
        out = []

        class Pair(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b, a + b

            @staticmethod
            def backward(ctx, ga, gb):
                return ga + gb, ga + gb

        class Drop(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return None

        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        x, y = Pair.apply(a, b)
        y.register_hook(_logging_hook(log, "y"))
        x.register_hook(_logging_hook(log, "x"))
        x.sum().backward(retain_graph=True)
        out.append(str(torch.autograd.grad(x.sum(), [a], retain_graph=True)))
        y.register_hook(lambda g: g * 2)  # the user's hook fails on None
        out.append(_err(lambda: x.sum().backward()))
        for first in "pq":
            c = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
            p, q = (c * 1).split(2)
            q.retain_grad()
            for name in (first, "q" if first == "p" else "p"):
                (p if name == "p" else q).register_hook(_logging_hook(log, name))
            p.sum().backward()
            out.append(_describe(q.grad))
        c = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        p, q = c.split(2)
        q.register_hook(lambda g: torch.ones(2))
        out.append(_err(lambda: p.sum().backward()))
        e = c.exp()
        e.register_hook(_logging_hook(log, "e"))
        Drop.apply(e).sum().backward()
        return out + log

    _same(torch_ref, program)


# --- smaller ones --------------------------------------------------------------------------------


def test_select_and_narrow_errors(torch_ref):
    def program(torch):
        x = torch.ones(2, 3)
        calls = [
            lambda: x.select(-1, 4),
            lambda: x.select(-2, -3),
            lambda: x.select(1, 3),
            lambda: torch.tensor(1.0).select(0, 0),
            lambda: x.narrow(-1, -4, 1),
            lambda: x.narrow(-1, -3, 4),
            lambda: x.narrow(-1, 3, 0).shape,
            lambda: x.narrow(1, 4, -1),
            lambda: x.narrow(1, -2, 1).shape,
            lambda: torch.tensor(1.0).narrow(0, 0, 1),
        ]
        return [_err(c) for c in calls]

    _same(torch_ref, program)


def test_copy_into_an_integer_tensor_keeps_it_out_of_the_graph(torch_ref):
    def program(torch):
        f = torch.tensor([1.5, 2.5], requires_grad=True)
        out = []
        for dt in (torch.bool, torch.int64, torch.uint8):
            writes = [
                lambda t: t.copy_(f),
                lambda t: t.__setitem__(0, f[0]),
                lambda t: t.__setitem__(slice(None), f),
                lambda t: t.masked_fill_(torch.tensor([True, False]), f[0]),
                lambda t: t.fill_(f[0]),
            ]  # (these two do record, in PyTorch)
            for write in writes:
                t = torch.zeros(2, dtype=dt)
                write(t)
                out.append(_describe(t) + f" leaf={t.is_leaf}")
        return out

    _same(torch_ref, program)


# --- memory layout of results (whether a later view() works) -----------------------------------


def test_layout_of_results(torch_ref):
    def program(torch):
        m = torch.arange(12.0).reshape(3, 4)
        b3 = torch.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1)
        inputs = [m.t(), b3, m[:, ::2].t(), torch.ones(3).expand(2, 3)]
        ops = [
            lambda x: x.sin(),
            lambda x: x * 2,
            lambda x: x + x,
            lambda x: x.double(),
            lambda x: x.clone(),
            lambda x: x.contiguous(),
            lambda x: x.reshape(-1),
            lambda x: x.flip(0),
            lambda x: torch.zeros_like(x),
            lambda x: torch.ones_like(x),
            lambda x: torch.full_like(x, 2.0),
            lambda x: x.softmax(0),
            lambda x: x.log_softmax(-1),
            lambda x: x.cumsum(-1),
            lambda x: x.cumprod(0),
            lambda x: x.roll(1, 0),
            lambda x: x.masked_fill(x > 3, 0.0),
            lambda x: torch.cat([x, x], -1),
            lambda x: torch.stack([x, x], -1),
            lambda x: x.index_select(-1, torch.tensor([0, 1])),
            lambda x: torch.nn.functional.layer_norm(x, x.shape[-1:]),
            lambda x: x.logsumexp(-1),
            lambda x: x.norm(dim=-1),
            lambda x: x.all(-1),
            lambda x: 2**x,
            lambda x: 2 - x,
            lambda x: x**2,
        ]
        ops += [
            lambda x, f=f: getattr(x, f)(-1)
            for f in ("sum", "mean", "amax", "prod", "std", "var", "argmax")
        ]
        ops += [lambda x: x.max(-1)[0], lambda x: x.max(-1)[1]]
        return [(op(x).is_contiguous(), op(x).stride()) for x in inputs for op in ops]

    _same(torch_ref, program)


def test_view_after_softmax_of_a_transposed_tensor(torch_ref):
    def program(torch):
        x = torch.arange(12.0, requires_grad=True).reshape(3, 4)
        y = x.t().softmax(-1).view(-1)
        y.sum().backward()
        return [_describe(y), _describe(x.grad)]

    _same(torch_ref, program)


def test_make_dual_of_an_expanded_primal(torch_ref):
    def program(torch):
        fwAD = torch.autograd.forward_ad
        x = torch.ones(3).expand(2, 3)
        out = []
        with fwAD.dual_level():
            for t in (
                torch.zeros(3).expand(2, 3),
                torch.zeros(2, 1).expand(2, 3),
                torch.zeros(2, 3),
                torch.zeros(1, 3).expand(2, 3),
            ):
                out.append(
                    _err(
                        lambda t: out.append(
                            _describe(fwAD.unpack_dual(fwAD.make_dual(x, t).cos()).tangent)
                        ),
                        t,
                    )
                )
        return out

    _same(torch_ref, program)


def test_tangent_depends_on_an_operand_without_tangent(torch_ref):
    def program(torch):
        fwAD = torch.autograd.forward_ad
        w = torch.tensor([[0.5, -2.0, 3.0]], requires_grad=True)
        out = []
        for f in (lambda d: d.relu() * w, lambda d: d * w, lambda d: d + w, lambda d: d @ w.t()):
            with fwAD.dual_level():
                d = fwAD.make_dual(
                    torch.tensor([[1.0, -1.0, 2.0]]), torch.tensor([[1.0, 2.0, 3.0]])
                )
                q = fwAD.unpack_dual(f(d)).tangent
                out.append(_describe(q, node_name=False))
                if q.requires_grad:
                    q.sum().backward()
            out.append(_describe(w.grad))
        return out

    _same(torch_ref, program)


def test_inputs_without_a_derivative_refuse_requires_grad(torch_ref):
    def program(torch):
        F = torch.nn.functional
        x = torch.tensor([0.2, 0.7], requires_grad=True)
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        t = torch.tensor([0.0, 1.0])
        calls = [
            lambda: F.binary_cross_entropy(x, t, weight=w),
            lambda: F.binary_cross_entropy_with_logits(x, t, weight=w),
            lambda: F.binary_cross_entropy_with_logits(x, t, pos_weight=w),
            lambda: F.soft_margin_loss(x, w),
            lambda: F.soft_margin_loss(x.detach(), w),
        ]
        out = [_err(c) for c in calls]
        with torch.no_grad():
            out.append(_describe(F.soft_margin_loss(x, w)))
        return out

    _same(torch_ref, program)


def test_second_derivative_of_relu_reaches_its_input_as_zeros(torch_ref):
    def program(torch):
        x = torch.tensor([[1.625, -1.394], [1.54, 0.379]], requires_grad=True)
        (g,) = torch.autograd.grad(torch.relu(x).sum(), [x], create_graph=True)
        (gg,) = torch.autograd.grad(g.sum(), [x], allow_unused=True)
        return [_describe(g, node_name=False), _describe(gg)]

    _same(torch_ref, program)
