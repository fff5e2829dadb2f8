"""Custom autograd Functions, run side by side with PyTorch's."""

import pytest
from conftest import rand64

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
        return (y.grad_fn.name(), len(y.grad_fn.next_functions), y.grad_fn.needs, y.tolist(),
                g.tolist(), x.grad.tolist())

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
        with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad has been used in "
                                               "an in-place operation.$"):
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
