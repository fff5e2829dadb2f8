"""Custom autograd Functions, run side by side with PyTorch's."""

import pytest
from conftest import doubling, rand64

import retrograd


def _classes(T):
    """The same custom Functions, written against ``T`` (retrograd or torch)."""
    Function = T.autograd.Function
    once = T.autograd.function.once_differentiable

    class Sq(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            ctx.needs = ctx.needs_input_grad
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

    class Two(Function):  # the setup_context style, with a non-differentiable output
        @staticmethod
        def forward(x, y):
            return x * y, x + y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)
            ctx.mark_non_differentiable(output[1])

        @staticmethod
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            ctx.g2 = g2.tolist()
            return g1 * y, g1 * x

    class NoMaterialize(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = g2
            return g1

    class Dirty(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return T.ones(3)

    class ExtraNone(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, None

    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

    return locals()


def _both(torch_ref, program):
    return program(retrograd, _classes(retrograd)), program(torch_ref, _classes(torch_ref))


def test_apply_names_node_and_double_backward(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = F["Sq"].apply(x, 3.0)
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        return (
            y.grad_fn.name(),
            len(y.grad_fn.next_functions),
            y.grad_fn.needs,
            y.tolist(),
            g.tolist(),
            x.grad.tolist(),
        )

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
    assert ours[0] == "SqBackward" and ours[2] == (True, False)


def test_setup_context_and_non_differentiable_output(torch_ref):
    def program(T, F):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0], requires_grad=True)
        p, s = F["Two"].apply(a, b)
        p.sum().backward()
        return s.requires_grad, s.grad_fn is None, p.grad_fn.g2, a.grad.tolist(), b.grad.tolist()

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == (False, True, [0.0, 0.0], [3.0, 4.0], [1.0, 2.0])


def test_set_materialize_grads_false_passes_none(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        o1, _ = F["NoMaterialize"].apply(x)
        o1.sum().backward()
        return o1.grad_fn.seen is None, x.grad.tolist()

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs == (True, [1.0, 1.0])


def test_mark_dirty(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        r = F["Dirty"].apply(y)
        r.sum().backward()
        return r is y, y.grad_fn.name(), y._version, x.grad.tolist()

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
    for T in (retrograd, torch_ref):
        with pytest.raises(
            RuntimeError,
            match="^a leaf Variable that requires grad has been used in an in-place operation.$",
        ):
            _classes(T)["Dirty"].apply(T.tensor([1.0], requires_grad=True))


def test_once_differentiable(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (g,) = T.autograd.grad(F["Once"].apply(x).sum(), x, create_graph=True)
        with pytest.raises(RuntimeError) as info:
            g.sum().backward()
        return g.tolist(), g.requires_grad, str(info.value)

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs


@pytest.mark.parametrize("name", ["TooFew", "WrongShape", "NoBackward"])
def test_bad_backward_errors(torch_ref, name):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        args = (x, x) if name == "TooFew" else (x,)
        y = F[name].apply(*args).sum()
        with pytest.raises((RuntimeError, NotImplementedError)) as info:
            y.backward()
        return type(info.value).__name__, str(info.value)

    ours, theirs = _both(torch_ref, program)
    assert ours[0] == theirs[0]
    assert ours[1].startswith(theirs[1])  # then ours: the node and the apply() call that made it


def test_trailing_none_gradients_are_accepted(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        F["ExtraNone"].apply(x).sum().backward()
        return x.grad.tolist()

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs


def test_no_graph_without_grad(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with T.no_grad():
            a = F["Sq"].apply(x, 2.0)
        b = F["Sq"].apply(T.ones(2), 2.0)
        return a.requires_grad, a.grad_fn is None, b.requires_grad, b.grad_fn is None

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs


def test_saved_tensors_are_version_checked_and_freed(torch_ref):
    def program(T, F):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y0 = x * 1
        y = F["Sq"].apply(y0, 1.0)
        y0.add_(1)
        with pytest.raises(RuntimeError) as modified:
            y.sum().backward()
        y = F["Sq"].apply(x, 1.0)
        y.sum().backward()
        with pytest.raises(RuntimeError) as freed:
            _ = y.grad_fn.saved_tensors
        return str(modified.value), str(freed.value)

    ours, theirs = _both(torch_ref, program)
    assert ours[0].startswith(theirs[0]) and ours[1].startswith(theirs[1])
    assert "SqBackward, made by the forward call at" in ours[0]
    assert "freed by the backward call at" in ours[1] and "y.sum().backward()" in ours[1]


def test_function_passes_gradcheck_and_gradgradcheck():
    F = _classes(retrograd)

    def f(x):
        return F["Sq"].apply(x, 1.5)

    assert retrograd.autograd.gradcheck(f, (rand64(3),))
    assert retrograd.autograd.gradgradcheck(f, (rand64(3),))


def test_output_saved_for_backward_makes_no_reference_cycle():
    import gc
    import weakref

    class Exp(retrograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    x = rand64(3)
    y = Exp.apply(x)
    (g,) = retrograd.autograd.grad(y.sum(), x, retain_graph=True)
    assert g.tolist() == pytest.approx(y.tolist())
    ref = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert ref() is None
    finally:
        gc.enable()


def _run(program, T):
    """``program(T)``'s result, or the type and text of the error it raised."""
    try:
        return program(T)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e)


def _kw_classes(T):
    class M(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y=None, k=2.0):
            ctx.needs = ctx.needs_input_grad
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            return g * 2, g * 3, None

    class KwOnly(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, *, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g, g

    class S(T.autograd.Function):  # setup_context style: inputs has every argument, defaults too
        @staticmethod
        def forward(x, y=None, k=2.0):
            return x * y * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.n_inputs = len(inputs)
            ctx.needs = ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g):
            return g * 2, g * 3, None

    return M, KwOnly, S


KEYWORD_CALLS = {
    "keywords_are_inputs": lambda M, K, S, a, b: M.apply(a, k=3.0, y=b),
    "all_keywords": lambda M, K, S, a, b: M.apply(x=a, y=b),
    "multiple_values": lambda M, K, S, a, b: M.apply(a, b, x=a),
    "unexpected": lambda M, K, S, a, b: M.apply(a, b, zz=a),
    "gap_before_keyword": lambda M, K, S, a, b: M.apply(a, k=3.0),
    "keyword_only": lambda M, K, S, a, b: K.apply(a, y=b),
    "setup_context_defaults": lambda M, K, S, a, b: S.apply(a, b),
    "setup_context_keywords": lambda M, K, S, a, b: S.apply(a, k=3.0, y=b),
    "setup_context_unexpected": lambda M, K, S, a, b: S.apply(a, b, zz=a),
    "setup_context_missing": lambda M, K, S, a, b: S.apply(),
}


@pytest.mark.parametrize("name", list(KEYWORD_CALLS))
def test_apply_with_keyword_arguments(torch_ref, name):
    def program(T):
        M, K, S = _kw_classes(T)
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0], requires_grad=True)
        y = KEYWORD_CALLS[name](M, K, S, a, b)
        y.sum().backward()
        return (
            y.tolist(),
            y.grad_fn.needs,
            getattr(y.grad_fn, "n_inputs", None),
            a.grad.tolist(),
            b.grad.tolist() if b.grad is not None else None,
        )

    assert _run(program, retrograd) == _run(program, torch_ref)


def _misuse(T):
    """Custom Functions used wrongly, each run as a program: name -> program."""
    Function = T.autograd.Function

    def fn(forward, backward=lambda ctx, g: g):
        return type(
            "Bad",
            (Function,),
            {"forward": staticmethod(forward), "backward": staticmethod(backward)},
        )

    def leaf():
        return T.tensor([1.0, 2.0], requires_grad=True)

    def save_number(ctx, x):
        ctx.save_for_backward(x, 2.5)
        return x * 2

    def dirty_not_returned(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x * 2

    def dirty_in_place(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    def float_and_index(ctx, x):
        return x * 2, x.argmax()

    def with_number(ctx, x):
        return x * 2, 5

    def seen(ctx, g, g2):
        ctx.seen = g2
        return g

    def backward_grads(fwd, bwd, *args):
        x = leaf()
        fn(fwd, bwd).apply(x, *args).sum().backward()
        return x.grad.tolist()

    def mixed_outputs(forward):
        x = leaf()
        y, z = fn(forward, seen).apply(x)
        y.sum().backward()
        g2 = y.grad_fn.seen
        return (
            z.requires_grad if isinstance(z, T.Tensor) else z,
            None if g2 is None else (g2.tolist(), str(g2.dtype)),
            x.grad.tolist(),
        )

    def dirty_without_grad():
        x = T.tensor([1.0, 2.0])
        y = fn(dirty_in_place).apply(x)
        return y is x, x._version, y.tolist()

    return {
        "save_number": lambda: fn(save_number).apply(leaf()),
        "save_number_without_grad": lambda: fn(save_number).apply(T.ones(2)).tolist(),
        "dirty_not_returned": lambda: fn(dirty_not_returned).apply(leaf() * 1),
        "dirty_not_returned_without_grad": lambda: fn(dirty_not_returned).apply(T.ones(2)),
        "dirty_without_grad": dirty_without_grad,
        "index_output": lambda: mixed_outputs(float_and_index),
        "number_output": lambda: mixed_outputs(with_number),
        "gradient_is_a_number": lambda: backward_grads(lambda ctx, x: x * 2, lambda ctx, g: 3.0),
        "gradient_for_a_number": lambda: backward_grads(
            lambda ctx, x, k: x * k, lambda ctx, g: (g, T.ones(2)), 2.0
        ),
        "integer_gradient": lambda: backward_grads(
            lambda ctx, x: x * 2, lambda ctx, g: T.ones(2, dtype=T.int64)
        ),
        "instantiated": lambda: fn(lambda ctx, x: x)()(leaf()),
    }


@pytest.mark.parametrize("name", list(_misuse(retrograd)))
def test_misuse_matches_pytorch(torch_ref, name):
    import warnings

    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = _run(lambda T: _misuse(T)[name](), retrograd)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = _run(lambda T: _misuse(T)[name](), torch_ref)
    if ours != theirs:  # an error about the node: PyTorch's text, then ours naming the node
        assert ours[0] == theirs[0] and ours[1].startswith(theirs[1] + " (")
    assert [(w.category, str(w.message)) for w in ours_warned] == [
        (w.category, str(w.message)) for w in theirs_warned
    ]


def _jvp_classes(T):
    Function = T.autograd.Function

    class MulK(Function):  # two tensor inputs (one without a tangent), a number, two outputs
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_forward(x, y)
            ctx.k = k
            return x * y * k, x + y

        @staticmethod
        def backward(ctx, g1, g2):
            return None, None, None

        @staticmethod
        def jvp(ctx, tx, ty, tk):
            x, y = ctx.saved_tensors
            ctx.got = (ty.tolist(), tk)
            return tx * y * ctx.k + ty * x * ctx.k, tx + ty

    class Twice(Function):  # setup_context style; the jvp deliberately differs from forward
        @staticmethod
        def forward(x):
            return x * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def jvp(ctx, t):
            return t * 5

    NoJvp = doubling(T)

    class TooMany(Twice):
        @staticmethod
        def jvp(ctx, t):
            return t, t

    class WrongSize(Twice):
        @staticmethod
        def jvp(ctx, t):
            return T.ones(3)

    class DirtyJvp(_classes(T)["Dirty"]):
        @staticmethod
        def jvp(ctx, t):
            return t.mul_(2)

    return locals()


@pytest.mark.parametrize(
    "name", ["MulK", "Twice", "NoJvp", "TooMany", "WrongSize", "DirtyJvp", "no_tangent", "no_grad"]
)
def test_forward_mode_runs_the_jvp_staticmethod(torch_ref, name):
    def program(T):
        fw = T.autograd.forward_ad
        F = _jvp_classes(T)
        with fw.dual_level():
            d = fw.make_dual(T.tensor([1.0, 2.0]), T.tensor([1.0, -1.0]))
            if name == "MulK":
                out = F[name].apply(d, T.tensor([3.0, 4.0]), 2.0)
                got = out[0].grad_fn if out[0].grad_fn is not None else None
                return [
                    tuple(x.tolist() if x is not None else None for x in fw.unpack_dual(o))
                    for o in out
                ], got
            if name == "no_tangent":  # a Function with no jvp is fine on plain tensors
                return F["NoJvp"].apply(T.tensor([1.0, 2.0])).tolist()
            if name == "no_grad":
                with T.no_grad():
                    return fw.unpack_dual(F["NoJvp"].apply(d)).tangent.tolist()
            out = F[name].apply(d)
            return out is d, [x.tolist() for x in fw.unpack_dual(out)]

    assert _run(program, retrograd) == _run(program, torch_ref)


def test_forward_mode_jvp_gets_zeros_and_none_for_missing_tangents():
    fw = retrograd.autograd.forward_ad
    F = _jvp_classes(retrograd)
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    with fw.dual_level():
        p, s = F["MulK"].apply(
            fw.make_dual(x, retrograd.tensor([1.0, -1.0])), retrograd.tensor([3.0, 4.0]), 2.0
        )
        assert p.grad_fn.got == ([0.0, 0.0], None)
        assert fw.unpack_dual(p).tangent.tolist() == [6.0, -8.0]
        assert fw.unpack_dual(s).tangent.tolist() == [1.0, -1.0]
    assert p.grad_fn.name() == "MulKBackward"


def _view_classes(T):
    Function = T.autograd.Function

    class AsIs(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class Head(Function):
        @staticmethod
        def forward(ctx, x):
            return x[:2]

        @staticmethod
        def backward(ctx, g):
            return T.cat([g, g.new_zeros(1)])

    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    return AsIs, Head, Double


def _as_is_no_grad(T, AsIs, a, b):
    found = []
    with T.no_grad():
        for x in (a, b, T.ones(3)):
            y = AsIs.apply(x)
            found.append((y is x, y._base is x, y.requires_grad))
    return found


VIEW_PROGRAMS = {
    # An input returned as it is comes back as a view of it (a detached alias under no_grad when
    # it requires grad); in-place on a view a Function returned would bypass its backward.
    "as_is_is_a_view": lambda T, AsIs, Head, Double, a, b: (
        lambda y: (y is b, y._base is b, y.grad_fn.name())
    )(AsIs.apply(b)),
    "as_is_in_place": lambda T, AsIs, Head, Double, a, b: AsIs.apply(b).mul_(2),
    "as_is_of_leaf_in_place": lambda T, AsIs, Head, Double, a, b: AsIs.apply(a).mul_(2),
    "as_is_no_grad": lambda T, AsIs, Head, Double, a, b: _as_is_no_grad(T, AsIs, a, b),
    "as_is_not_requiring_grad": lambda T, AsIs, Head, Double, a, b: (
        lambda x: (lambda y: (y is x, y._base is x, y.requires_grad))(AsIs.apply(x))
    )(T.ones(3)),
    "view_in_place": lambda T, AsIs, Head, Double, a, b: Head.apply(b).add_(1),
    "view_of_view_in_place": lambda T, AsIs, Head, Double, a, b: Head.apply(b)[:1].mul_(2),
    "view_of_view_in_place_after_unsqueeze": lambda T, AsIs, Head, Double, a, b: (
        Head.apply(b).unsqueeze(0)[0].mul_(2)
    ),
    "view_without_grad_in_place": lambda T, AsIs, Head, Double, a, b: (
        Head.apply(T.ones(3)).add_(1).tolist()
    ),
    "base_written_then_view_used": lambda T, AsIs, Head, Double, a, b: (
        lambda y: (b.mul_(2), (y * 1).sum().backward())
    )(Head.apply(b)),
    "dirty_view": lambda T, AsIs, Head, Double, a, b: (
        lambda v: (
            lambda y: (
                y is v,
                repr(y),
                repr(b),
                b._version,
                (b * T.tensor([1.0, 10.0, 100.0])).sum().backward(),
                a.grad.tolist(),
            )
        )(Double.apply(v))
    )(b[:2]),
    "dirty_view_of_leaf": lambda T, AsIs, Head, Double, a, b: Double.apply(a[:2]),
}


@pytest.mark.parametrize("name", list(VIEW_PROGRAMS))
def test_views_returned_by_a_function(torch_ref, name):
    def program(T):
        a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        result = VIEW_PROGRAMS[name](T, *_view_classes(T), a, a * 1)
        return None if isinstance(result, T.Tensor) else result

    assert _run(program, retrograd) == _run(program, torch_ref)


def test_saved_tensors_hooks_pack_what_a_function_saves(torch_ref):
    def program(T):
        class Both(T.autograd.Function):  # saves an input and its own output
            @staticmethod
            def forward(ctx, x):
                y = x * x + 1
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                ctx.seen = (x.requires_grad, y.grad_fn is ctx, y.tolist())
                return g * y * x

        log = []

        def pack(t):
            log.append(("pack", t.tolist()))
            return t * 1

        def unpack(t):
            log.append(("unpack", t.tolist()))
            return t

        a = T.tensor([0.0, 1.0], requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = Both.apply(a)
        y.sum().backward()
        return log, y.grad_fn.seen, a.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_node_called_directly(torch_ref):
    import warnings

    def program(T):
        F = _classes(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        node = F["Sq"].apply(x, 3.0).grad_fn
        direct = node.apply(T.ones(2))  # the user's backward, run as it is
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            saved = [t.tolist() for t in node.saved_variables]
        return (
            [None if g is None else g.tolist() for g in direct],
            saved,
            [(w.category, str(w.message)) for w in warned],
            _run(lambda T: node(T.ones(2)), T),
        )

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("both", [False, True])
def test_vjp_may_stand_for_backward(torch_ref, both):
    def program(T):
        body = {
            "forward": staticmethod(lambda ctx, x: x * 2),
            "vjp": staticmethod(lambda ctx, g: g * 7),
        }
        if both:
            body["backward"] = staticmethod(lambda ctx, g: g * 3)
        V = type("V", (T.autograd.Function,), body)
        a = T.ones(2, requires_grad=True)
        V.apply(a).sum().backward()
        return a.grad.tolist()

    assert _run(program, retrograd) == _run(program, torch_ref)


def test_once_differentiable_outputs_raise_when_differentiated(torch_ref):
    def program(T):
        F = _classes(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        go = T.ones(2, requires_grad=True)  # a grad output that requires grad: a graph is built
        (g,) = T.autograd.grad(F["Once"].apply(x), x, go, create_graph=True)
        found = (
            g.tolist(),
            g.requires_grad,
            g.grad_fn.name(),
            type(g.grad_fn).__name__,
            g.is_leaf,
            T.autograd.grad(g.sum(), go, allow_unused=True),
        )
        return found, _run(lambda T: g.sum().backward(), T)

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("returned", ["number", "for_non_differentiable"])
def test_jvp_returning_wrong_things(torch_ref, returned):
    def program(T):
        fw = T.autograd.forward_ad

        class C(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y, z = x * 2, x * 3
                ctx.mark_non_differentiable(z)
                return y, z

            @staticmethod
            def backward(ctx, g, gz):
                return g * 2

            @staticmethod
            def jvp(ctx, t):
                return (3.0, None) if returned == "number" else (t * 2, t * 3)

        with fw.dual_level():
            C.apply(fw.make_dual(T.ones(2), T.ones(2)))

    assert _run(program, retrograd) == _run(program, torch_ref)


def test_backward_runs_when_no_gradient_arrives(torch_ref):
    """PyTorch calls a Function's backward even when every gradient reaching it is undefined:
    with zeros (or None without materialized grads), and accumulates what it returns."""

    def program(T):
        calls = []

        def make(materialize):
            class Inner(T.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    ctx.set_materialize_grads(materialize)
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    calls.append(None if g is None else g.tolist())
                    return None if g is None else g * 2

            return Inner

        class DropsFirst(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x + y

            @staticmethod
            def backward(ctx, g):
                return None, g

        a = T.ones(2, requires_grad=True)
        b = T.ones(2, requires_grad=True)
        DropsFirst.apply(make(True).apply(a), b).sum().backward()
        DropsFirst.apply(make(False).apply(a), b).sum().backward()
        DropsFirst.apply(make(True).apply(a) * 3, b).sum().backward()
        return calls, a.grad.tolist()

    ours = program(retrograd)
    assert ours == program(torch_ref)
    assert ours[0][:2] == [[0.0, 0.0], None]  # zeros, then None without materialized grads


def test_mark_dirty_on_a_view_records_the_write_into_its_base(torch_ref):
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = x * 1
        v = b[1:]
        out = _classes(lib)["Dirty"].apply(v)
        names = (out is v, v.grad_fn.name(), b.grad_fn.name(), b._version)
        (b * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        leaf = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            _classes(lib)["Dirty"].apply(leaf[1:])
        return names, b.tolist(), x.grad.tolist(), str(err.value)

    assert program(retrograd) == program(torch_ref)


def test_mark_dirty_on_a_view_of_any_leaf_is_refused(torch_ref):
    """As an in-place op: a view whose base is a leaf is refused, whether the base requires grad
    or the view does on its own (a view made a leaf that requires grad, then viewed again)."""

    def program(lib):
        Dirty = _classes(lib)["Dirty"]
        own = lib.arange(2, dtype=lib.float32).reshape(2).requires_grad_()
        errors = []
        for v in (own[None], lib.ones(2, requires_grad=True)[None]):
            try:
                Dirty.apply(v)
            except RuntimeError as e:
                errors.append(str(e))
        return errors

    ours = program(retrograd)
    assert ours == program(torch_ref) and len(ours) == 2


def _dirty_without_graph(T):
    """A dirty input returned without a graph: as itself when it does not require grad, else as
    a detached alias, as any input returned then is."""
    Dirty = _classes(T)["Dirty"]
    leaf = T.tensor([1.0, 2.0], requires_grad=True)
    inputs = (leaf * 1, leaf, T.tensor([1.0, 2.0]))
    found = []
    with T.no_grad():
        for x in inputs:
            before = x._version
            y = Dirty.apply(x)
            found.append(
                (
                    y is x,
                    y.requires_grad,
                    y.grad_fn is None,
                    x._version - before,
                    y._version == x._version,
                )
            )
    return found


def test_dirty_input_returned_without_a_graph_matches_pytorch(torch_ref):
    assert _dirty_without_graph(retrograd) == _dirty_without_graph(torch_ref)


def _non_differentiable_inputs_returned(T):
    """An input returned but marked non-differentiable (dirty or not) comes back as a detached
    alias when it requires grad; the input itself keeps requiring grad and its grad_fn."""

    def make(dirty):
        class ND(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                if dirty:
                    x.mul_(2)
                    ctx.mark_dirty(x)
                ctx.mark_non_differentiable(x)
                return x, y * 2

            @staticmethod
            def backward(ctx, g1, g2):
                return None, g2 * 2

        return ND

    found = []
    for dirty in (False, True):
        for leaf in (False, True):  # a dirty leaf is no error: the write is not differentiated
            a = T.ones(2, requires_grad=True)
            a = a if leaf else a * 1
            r, _ = make(dirty).apply(a, T.ones(2, requires_grad=True))
            found.append(
                (
                    r is a,
                    r.requires_grad,
                    r.grad_fn is None,
                    r._base is a,
                    a.requires_grad,
                    a.grad_fn is None,
                    a._version,
                )
            )
    return found


def test_non_differentiable_input_returned_matches_pytorch(torch_ref):
    assert _non_differentiable_inputs_returned(retrograd) == _non_differentiable_inputs_returned(
        torch_ref
    )


def test_gradient_of_another_dtype_is_cast_to_the_input_dtype(torch_ref):
    """A backward may return a gradient of another floating dtype; the engine casts it to the
    input's dtype before it goes on (a float64 gradient for a float32 input arrives float32)."""
    results = []
    for lib in (retrograd, torch_ref):

        class Mixed(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def backward(ctx, g):
                return g.double() * 3, g.double() * 5

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        ga, gb = lib.autograd.grad(Mixed.apply(a, b).sum(), [a, b])
        results.append((ga.dtype is lib.float32, gb.dtype is lib.float64, ga.tolist(), gb.tolist()))
    assert results[0] == results[1] == (True, True, [3.0, 3.0], 10.0)


def test_a_refused_dirty_input_still_counts_the_write(torch_ref):
    """``mark_dirty`` counts the write in the version of every dirty tensor before the outputs are
    checked: a leaf (or a view of one) refused there still shows it, and a graph that saved it
    says so with PyTorch's version numbers.  Also from the top of a script (no caller frames)."""

    def program(T, F):
        out = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()  # saves x at version 0
        for target in (x, x[0:1]):
            with pytest.raises(RuntimeError) as info:
                F["Dirty"].apply(target)
            out.append((str(info.value), x._version))
        with pytest.raises(RuntimeError) as info:
            y.backward()
        out.append(str(info.value).split(" Hint")[0])
        return out

    ours, theirs = _both(torch_ref, program)
    assert ours == theirs
    for T in (retrograd, torch_ref):  # apply() called from a module's top level
        exec(
            "x = T.ones(2) * 1\nF['Dirty'].apply(x)\nv = x._version",
            ns := {"T": T, "F": _classes(T)},
        )
        assert ns["v"] == 2
