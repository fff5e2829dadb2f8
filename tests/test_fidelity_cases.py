"""Programs found by the differential fuzzer where retrograd once gave another gradient than
PyTorch with no error, each run on both libraries and compared."""

import math
import warnings

import numpy as np
import pytest

import retrograd


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if hasattr(value, "tolist"):
        return ["shape", list(value.shape), _rounded(value.detach().tolist())]
    return value


def _rounded(value):
    """Values to 6 significant digits (float32's exp differs in its last bit)."""
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _outcome(program, module):
    """What ``program(module)`` gives, or the type and first line of the error it raises."""
    try:
        return _lists(program(module))
    except RuntimeError as e:
        return ["error", str(e).split("\n")[0]]


def _same(torch_ref, program):
    ours, theirs = _outcome(program, retrograd), _outcome(program, torch_ref)
    if ours[:1] == ["error"] == theirs[:1]:
        assert ours[1].startswith(theirs[1])  # (retrograd may add a sentence)
    else:
        assert repr(ours) == repr(theirs)  # (repr: nan equals nan)
    return ours


def _twice(T):
    class Twice(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Twice


# --- retain_grad on a tensor written in place ------------------------------------------------


def test_retained_grad_follows_a_custom_functions_in_place_write(torch_ref):
    # (seed 802126) .grad is the gradient of the tensor's new value, not of the one it replaced
    def program(T):
        x = T.tensor([[-0.3, 1.1], [1.2, -0.8]], requires_grad=True)
        y = T.minimum(x, T.tensor([1.5, 1.3]))
        y.retain_grad()
        z = _twice(T).apply(y)
        z.mean().backward()
        return z is y, y.grad, x.grad

    assert _same(torch_ref, program)[1] == ["shape", [2, 2], [[0.25, 0.25], [0.25, 0.25]]]


def test_custom_in_place_write_clears_a_retained_grad(torch_ref):
    # (seed 814667) mark_dirty drops the .grad the tensor kept of its old value, also when the
    # write is then refused (a view of a leaf)
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.sum().backward()
        before = y.grad.clone()
        _twice(T).apply(y)
        after = y.grad
        v = x[:1]
        v.retain_grad()
        v.sum().backward()
        try:
            _twice(T).apply(v)
        except RuntimeError as e:
            refused = str(e)
        return before, after, v.grad, refused

    ours = _same(torch_ref, program)
    assert ours[1] is None and ours[2] is None


@pytest.mark.parametrize("write", ["mul_", "custom"])
def test_retained_grad_of_a_view_follows_the_write(torch_ref, write):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        v = y[:1]
        v.retain_grad()
        y.retain_grad()
        (v.sum() + y.sum()).backward(retain_graph=True)
        if write == "mul_":
            v.mul_(2)
        else:
            _twice(T).apply(v)
        kept = v.grad
        (v.sum() * 3 + y.sum()).backward()
        return kept, v.grad, y.grad, x.grad

    _same(torch_ref, program)


def test_retained_grad_follows_a_plain_in_place_write(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        (y * 3).sum().backward(retain_graph=True)
        kept = y.grad.clone()
        y.mul_(2)
        (y * 3).sum().backward()
        return kept, y.grad, x.grad

    _same(torch_ref, program)


_IN_PLACE_SHAPES = {
    "unsqueeze_": lambda y: y.unsqueeze_(0),
    "t_": lambda y: y.t_(),
    "transpose_": lambda y: y.transpose_(0, 1),
    "squeeze_": lambda y: y.squeeze_(),
}


@pytest.mark.parametrize("reshape", sorted(_IN_PLACE_SHAPES))
def test_retained_grad_stays_before_an_in_place_change_of_shape(torch_ref, reshape):
    """(fuzz seed 855728) an in-place change of shape leaves the retained gradient at the node
    before it, in the old shape, where an in-place write moves it."""

    def program(T):
        a = T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = a * 1.5
        y.retain_grad()
        _IN_PLACE_SHAPES[reshape](y)
        (y * y).sum().backward()
        return y.grad, a.grad

    _same(torch_ref, program)


def test_no_retained_grad_is_cleared_without_a_graph(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.sum().backward()
        with T.no_grad():
            _twice(T).apply(y)
        z = T.tensor([1.0, 2.0])
        z.grad = T.tensor([5.0, 5.0])
        _twice(T).apply(z)
        return y.grad, z.grad

    _same(torch_ref, program)


# --- a leaf that changed shape in place under no_grad ---------------------------------------

_RESHAPES = {
    "unsqueeze_0": lambda t: t.unsqueeze_(0),
    "unsqueeze_1": lambda t: t.unsqueeze_(1),
    "unsqueeze_-1": lambda t: t.unsqueeze_(-1),
    "squeeze_": lambda t: t.squeeze_(),
    "squeeze_0": lambda t: t.squeeze_(0),
    "t_": lambda t: t.t_() if t.dim() <= 2 else t.transpose_(0, 1),
    "transpose_": lambda t: t.transpose_(0, -1),
    "swapdims_": lambda t: t.swapdims_(0, 1),
}
_FORWARDS = {
    "mul": lambda T, x: (x * T.arange(x.numel()).reshape(x.shape)).sum(),
    "sum": lambda T, x: x.sum(),  # (an expanded gradient)
    "exp": lambda T, x: x.exp().sum(),
    "cat": lambda T, x: T.cat([x.reshape(-1), x.reshape(-1)]).sum(),
    "float64": lambda T, x: (x * T.ones(x.shape, dtype=T.float64)).sum(),
}


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 1, 3), (2, 3), (3, 1)])
@pytest.mark.parametrize("reshape", sorted(_RESHAPES))
@pytest.mark.parametrize("forward", sorted(_FORWARDS))
def test_grad_of_a_leaf_reshaped_in_place(torch_ref, shape, reshape, forward):
    # (seeds 806555, 813444) .grad takes the leaf's new shape where PyTorch copies the gradient
    # into the leaf's layout, keeps the gradient's where its strides already fit, or raises
    # copy_'s error
    def program(T):
        x = T.arange(float(math.prod(shape))).reshape(shape).requires_grad_()
        y = _FORWARDS[forward](T, x)
        with T.no_grad():
            _RESHAPES[reshape](x)
        y.backward()
        return x.grad, x.shape

    _same(torch_ref, program)


@pytest.mark.parametrize("reshape", sorted(_RESHAPES))
@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_added_into_a_leaf_reshaped_in_place(torch_ref, reshape, create_graph):
    # an existing .grad of the old shape is added into as ``+=`` adds (or ``+`` under create_graph)
    def program(T):
        x = T.arange(6.0).reshape(1, 2, 3).requires_grad_()
        (x * 2).sum().backward()
        with T.no_grad():
            _RESHAPES[reshape](x)
        (x * 3).sum().backward(create_graph=create_graph)
        return x.grad, x.shape

    _same(torch_ref, program)


def test_first_grad_under_create_graph_takes_the_reshaped_leafs_shape(torch_ref):
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        with T.no_grad():
            x.unsqueeze_(0)
        y.backward(create_graph=True)
        return x.grad, x.grad.requires_grad

    _same(torch_ref, program)


# --- max(), min(), median() of all elements ------------------------------------------------

_EVEN = {
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "median": lambda x: x.median(),
    "nanmedian": lambda x: x.nanmedian(),
    "amax": lambda x: x.amax(),
}


@pytest.mark.parametrize("name", sorted(_EVEN))
def test_even_share_when_no_element_equals_the_saved_result(torch_ref, name):
    # (seed 803336) the saved result, kept by saved_tensors_hooks, is changed in place: no element
    # equals it, and max()/min()/median() give exact zeros (amax's formula gives nan)
    def program(T):
        x = T.tensor([-1.5, 1.55, -1.52, 1.55], dtype=T.float64, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):
            y = _EVEN[name](x)
        y.mul_(T.tensor(0.281, requires_grad=True))
        y.sum().backward()
        return x.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian"])
@pytest.mark.parametrize("values", [[-1.5, math.nan, -1.52, 1.55], [math.nan, 1.0, math.nan]])
def test_even_share_among_nan_elements(torch_ref, name, values):
    # a nan result: its gradient is shared by the nan elements
    def program(T):
        x = T.tensor(values, dtype=T.float64, requires_grad=True)
        y = _EVEN[name](x)
        (g,) = T.autograd.grad(y * 2, x, create_graph=True)
        return y, g

    _same(torch_ref, program)


@pytest.mark.parametrize("dim", [None, 0, -1])
def test_median_of_slices_with_nan(torch_ref, dim):
    # a nan in a slice is its median (the first nan's index), and takes the gradient
    def program(T):
        x = T.tensor([[1.0, math.nan, 3.0], [2.0, 1.0, 0.0]], requires_grad=True)
        y = x.median() if dim is None else x.median(dim)
        values = y if dim is None else y[0]
        values.sum().backward()
        return y if dim is None else list(y), x.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("ord", [math.inf, -math.inf])
@pytest.mark.parametrize("dim", [None, -1])
def test_inf_norm_gradient_with_nan(torch_ref, ord, dim):
    def program(T):
        x = T.tensor([[-1.5, math.nan, 1.5], [2.0, -2.0, 0.5]], requires_grad=True)
        T.linalg.vector_norm(x, ord, dim=dim).sum().backward()
        return x.grad

    _same(torch_ref, program)


# --- an in-place write through a view -------------------------------------------------------


def test_write_through_a_view_bypasses_the_views_history(torch_ref):
    # (seed 831065) the written region's gradient goes straight to the base's node, as PyTorch's
    # CopySlices sends it: hooks on the nodes of the view's history (here the transpose another
    # view of the same base was made by) do not run
    def program(T):
        x = T.tensor([[1.54, -1.95], [0.32, 0.36]], dtype=T.float64, requires_grad=True)
        c = (x**-1).cos()
        e = c.t()
        p = e.view_as(e)
        e.register_hook(lambda g: g * 2)
        p.neg_()
        p.mean().backward()
        return x.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("write", ["mul_", "custom"])
@pytest.mark.parametrize("kept", ["hooks", "retain_grad", "base"])
def test_hooks_of_views_after_a_write_through_one(torch_ref, kept, write):
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = x * 1
        v = b.t()
        w = v[0]
        log = []
        v.register_hook(lambda g: log.append(("v", g.tolist())) or g * 10)
        w.register_hook(lambda g: log.append(("w", g.tolist())) or g * 100)
        if kept == "retain_grad":
            v.retain_grad()
            w.retain_grad()
        if kept == "base":
            b.retain_grad()
            b.register_hook(lambda g: log.append(("b", g.tolist())))
        if write == "mul_":
            w.mul_(3)
        else:  # a custom Function's write (mark_dirty) is routed as a built-in one
            _twice(T).apply(w)
        (w.sum() + v.sum() * 2 + b.sum() * 5).backward()
        grads = (v.grad, w.grad) if kept == "retain_grad" else b.grad if kept == "base" else None
        return log, x.grad, grads

    _same(torch_ref, program)


# --- a second backward through nodes that saved no tensor ---------------------------------

_UNSAVED = {
    "t_": lambda T, x: (x + 1).t_(),
    "transpose_": lambda T, x: (x + 1).transpose_(0, 1),
    "unsqueeze_": lambda T, x: (x + 1).unsqueeze_(0),
    "squeeze_": lambda T, x: (x + 1)[:1].squeeze_(0),
    "view": lambda T, x: (x + 1).view(4),
    "expand": lambda T, x: (x + 1)[:1].expand(3, 2),
    "mul": lambda T, x: (x + 1) * 2,  # (saves its scalar as a tensor: the freed error)
}


@pytest.mark.parametrize("name", sorted(_UNSAVED))
def test_second_backward_through_nodes_that_saved_no_tensor(torch_ref, name):
    # (seed 831851) t_ recorded the new array among its node's arguments, which the first
    # backward freed as if it were a saved index: the second raised before any leaf got its share
    def program(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = T.tensor(-0.6, requires_grad=True)
        y = _UNSAVED[name](T, x).add_(b).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            return "error", str(e).split(".")[0], x.grad, b.grad
        return x.grad, b.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (1, 3), (2, 3)])
@pytest.mark.parametrize("reshape", ["unsqueeze_0", "unsqueeze_-1", "squeeze_", "t_"])
def test_leaf_reshaped_after_a_graph_used_it(torch_ref, shape, reshape):
    # (seed 834220) the leaf's AccumulateGrad was made with its old shape: every gradient that
    # reaches it is summed to that shape first, as PyTorch checks a gradient against the shape
    # its node recorded, also the gradient of a graph made after the change
    def program(T):
        x = T.ones(shape, requires_grad=True)
        y = (x * 2).sum()
        with T.no_grad():
            _RESHAPES[reshape](x)
        z = (x * T.arange(1.0, x.numel() + 1).reshape(x.shape)).sum()
        z.backward()
        first = x.grad
        y.backward()
        return first, x.grad

    _same(torch_ref, program)


def test_leaf_given_data_of_another_shape_after_a_graph_used_it(torch_ref):
    def program(T):
        x = T.ones(1, 2, requires_grad=True)
        y = (x * 2).sum()
        x.data = T.ones(1, 1, 2)
        (x * 3).sum().backward()
        return x.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_gradient_reads_the_saved_result(torch_ref, dim):
    # (seed 834438) with no zero, the gradient is result / x as PyTorch's formula reads it: a
    # second-order gradient reaches prod's node, and so the .grad prod's output retains
    def program(T):
        x = T.tensor([[1.446, -0.5], [2.0, 3.0]], dtype=T.float64, requires_grad=True)
        y = x * 1
        p = y.prod() if dim is None else y.prod(dim)
        p.retain_grad()
        (g,) = T.autograd.grad(p.sum(), [y], create_graph=True)
        (gg,) = T.autograd.grad(g.sum(), [y])
        return g, gg, p.grad

    _same(torch_ref, program)


def test_a_view_made_by_backward_without_a_graph_refuses_a_recorded_write(torch_ref):
    # (seed 891303) sum_to_size drops leading dimensions with a view, as PyTorch's does; made by
    # a backward pass without create_graph, it is a view made under no_grad, which a write that
    # is recorded may not change.
    def program(T):
        x = T.tensor([[0.35, 0.49], [1.7, 0.27]], requires_grad=True)
        (g,) = T.autograd.grad((1 / x.expand(2, 2, 2)).sum(), [x])
        g.lerp_(x, 0.25)
        return g

    assert _same(torch_ref, program)[0] == "error"


def test_cumprod_gradient_reads_the_result_a_hook_hands_back(torch_ref):
    # (seed 914624) with a pack hook that keeps the tensor itself, a later in-place write into
    # cumprod's result is no error, and PyTorch's gradient is computed from the result as it is
    # then; retrograd's formula recomputed the products from the input
    def program(T):
        x = T.tensor([0.8, 1.6, -1.9, -1.75], requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):
            y = T.cumprod(x * 1, dim=-1)
        y.sub_(T.tensor(-1.5, requires_grad=True), alpha=0.5)
        y.mean().backward()
        return x.grad

    _same(torch_ref, program)


# --- a view made under no_grad, then told to require grad -------------------------------------


@pytest.mark.parametrize("under_no_grad", [True, False])
def test_view_made_under_no_grad_becomes_its_own_leaf(torch_ref, under_no_grad):
    # (seed 915938) requires_grad_() gives the view a gradient of its own; its base gets none
    def program(T):
        x = T.tensor([-0.9, -1.1, 0.3, 1.0], dtype=T.float64, requires_grad=True)
        with T.no_grad():
            v = x[0:4]
        before = T.autograd.grad((v * 2).sum(), [v], allow_unused=True)
        with T.set_grad_enabled(not under_no_grad):
            v.requires_grad_()
        after = T.autograd.grad((v * 2).sum(), [v, x], allow_unused=True)
        (v * 3).sum().backward()
        return before, after, v.grad, x.grad, v.is_leaf

    assert _same(torch_ref, program)[1][0] == ["shape", [4], [2.0, 2.0, 2.0, 2.0]]


# --- powers PyTorch computes by multiplying -------------------------------------------------


@pytest.mark.parametrize("exponent", [3, -2, -0.5, 3.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_small_powers_round_as_pytorchs(torch_ref, exponent, dtype):
    # (seed 923278) x ** 3 is x * x * x in PyTorch: its last bit shows in sin(x ** 3 * x ** 3),
    # so the values must be equal to the bit
    def program(T):
        x = T.tensor([3.2363510131835938, 0.7, 1.9, 2.5, 0.0, -1.3], dtype=getattr(T, dtype))
        return (x**exponent).tolist()

    ours = _outcome(program, retrograd)
    assert repr(ours) == repr(_outcome(program, torch_ref))  # (repr: nan equals nan)


# --- the layout of elementwise results and gradients ----------------------------------------


@pytest.mark.parametrize(
    "fn",
    ["relu", "sigmoid", "tanh", "erf", "sign", "hardtanh", "relu6", "leaky_relu", "softshrink"],
)
@pytest.mark.parametrize("grad_layout", ["permuted", "expanded"])
def test_layout_of_an_activation_and_its_gradient(torch_ref, fn, grad_layout):
    # (seeds 910056, 912550, 913169) relu of an expanded tensor is contiguous; PyTorch's fused
    # backward kernels lay the gradient out after grad_output first (leaky_relu's after self)
    def program(T):
        f = getattr(T, fn, None) or getattr(T.nn.functional, fn)
        x = (T.arange(24.0).reshape(2, 4, 3) / 12 - 1).requires_grad_()
        y = f(x)
        go = (
            T.ones(3, 4, 2).permute(2, 1, 0)
            if grad_layout == "permuted"
            else T.ones(3).expand(2, 4, 3)
        )
        (g,) = T.autograd.grad(y, [x], grad_outputs=go)
        e = f(x.detach()[0].expand(2, 4, 3))
        return g.stride(), e.stride(), g.is_contiguous(), e.is_contiguous()

    _same(torch_ref, program)


@pytest.mark.parametrize("loss", ["mse_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_the_gradient_of_a_pointwise_loss_is_contiguous(torch_ref, loss, reduction):
    # (seed 9404432) PyTorch's kernels of these three write their input gradient contiguous
    # whatever the input's and the target's layout; computed elementwise, it followed theirs
    def program(T):
        x = T.linspace(-2, 2, 12, dtype=T.float64).reshape(4, 3).requires_grad_().t()
        target = T.linspace(1, -1, 12, dtype=T.float64).reshape(4, 3).requires_grad_().t()
        value = getattr(T.nn.functional, loss)(x, target, reduction=reduction)
        gx, gt = T.autograd.grad(value.sum(), [x, target])
        return gx, gx.stride(), gt.stride()

    _same(torch_ref, program)


# --- errors PyTorch raises that were missed -------------------------------------------------


@pytest.mark.parametrize("alpha", [1, 0.5])
def test_partial_overlap_is_refused_with_alpha_too(torch_ref, alpha):
    # (seed 915876) sub_(view of self, alpha=...): other is looked at before alpha scales it
    def program(T):
        x = T.tensor([[-1.8, -0.5, 0.3]])
        x.sub_(x.select(0, -1), alpha=alpha)
        return x

    assert _same(torch_ref, program)[0] == "error"


@pytest.mark.parametrize("view", [False, True])
def test_checkpoint_input_written_after_a_retained_backward(torch_ref, view):
    # (seed 926771) the second backward reads the values recomputed by the first: the inputs
    # are checked all the same
    def program(T):
        import importlib

        checkpoint = importlib.import_module(T.__name__ + ".utils.checkpoint").checkpoint
        a = T.tensor([-0.4], dtype=T.float64, requires_grad=True)
        b = T.tensor(1.9, requires_grad=True)
        c = b.t() if view else b * 1
        y = checkpoint(lambda p, q: (p * q).sin(), a, c, use_reentrant=False)
        y.sum().backward(retain_graph=True)
        with T.no_grad():
            c.div_(-1.7)
        y.sum().backward()
        return a.grad

    assert _same(torch_ref, program)[0] == "error"


# --- gradients summed in place by the backward pass -------------------------------------------


def test_versions_of_gradients_summed_in_place(torch_ref):
    # (seeds 910903, 920843) PyTorch adds each further gradient of a tensor into the first when
    # nothing else holds it: the sum's version counts the additions, and an error names them
    def program(T):
        x = T.ones(3, requires_grad=True)
        (x * x + x.exp() * x).sum().backward()
        y = x * 2
        (g,) = T.autograd.grad((y * y * y + y.exp() * y).sum(), [y])
        go = T.ones(3)
        (h,) = T.autograd.grad([y * y, y * y * 3], [y], grad_outputs=[go, go])
        (k,) = T.autograd.grad((y[1:] * y[1:]).sum() + (y * y).sum(), [y])
        w = T.tensor([0.6, -1.2, 0.5], requires_grad=True)
        m = g * w
        g.add_(1.5)
        try:
            m.sum().backward()
        except RuntimeError as e:
            error = str(e).split(" Hint")[0]
        return [t._version for t in (x.grad, g, h, go, k)], error

    _same(torch_ref, program)


def test_reentrant_checkpoint_refuses_grad_before_reporting_freed_inputs(torch_ref):
    # (seed 913611) the second backward released the inputs; autograd.grad is refused first
    def program(T):
        import importlib

        checkpoint = importlib.import_module(T.__name__ + ".utils.checkpoint").checkpoint
        x = T.tensor([[-0.9, 0.7], [0.4, -0.5]], requires_grad=True)
        y = checkpoint(lambda a: a.tanh().exp() * 2, x * 1, use_reentrant=True)
        y.sum().backward()
        return T.autograd.grad(y.sum(), [x])

    assert _same(torch_ref, program)[0] == "error"


# --- an inference tensor detached outside inference_mode -------------------------------------


def test_inference_tensor_detached_outside_inference_mode_may_be_written(torch_ref):
    # (seeds 916201, 922067) it counts versions of its own; the original and views still refuse
    def program(T):
        with T.inference_mode():
            a = T.ones(2)
        b = a.detach()
        out = [a.is_inference(), b.is_inference(), b._version]
        for write in (b.relu_, lambda: b.add_(1), lambda: a.add_(1), lambda: b.view(2).mul_(2)):
            try:
                write()
                out.append(["ok", b.tolist(), b._version])
            except RuntimeError as e:
                out.append(str(e)[:40])
        c = b.detach()
        c.add_(1)
        return out, c._version, b._version, a.tolist()

    _same(torch_ref, program)


@pytest.mark.parametrize("key", ["all", "row", "copy_"])
def test_setitem_expands_its_value_before_the_overlap_check(torch_ref, key):
    # (seeds 913825, 922434) x[:] = x[0] runs (the value is expanded first); copy_ refuses it
    def program(T):
        x = T.tensor([[0.4, -0.5, 0.9], [1.1, 0.2, -0.3]], requires_grad=True)
        y = x * 2
        if key == "all":
            y[:] = y[0]
        elif key == "row":
            y[0] = y.unbind(1)[0][:1]
        else:
            y.copy_(y[0])
        y.sum().backward()
        return y, x.grad

    _same(torch_ref, program)


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_view_error_comes_before_a_joins_dimension_error(torch_ref, join):
    # (seed 921628) one of several views whose base came to require grad in place
    def program(T):
        w = T.tensor([0.5, 1.9], requires_grad=True)
        base = T.ones(1, 2, 2)
        part = base.split(1, 0)[0]
        base.sub_(w, alpha=0.5)
        return getattr(T, join)([part, part], dim=5)

    assert _same(torch_ref, program)[0] == "error"


# --- float32 tanh is exactly 1 where PyTorch's is --------------------------------------------


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "0-d", "in-place"])
def test_float32_tanh_rounds_to_one_where_pytorchs_does(torch_ref, layout):
    # (seed 922397) NumPy's float32 tanh gives 1 - 2**-24 for |x| in [9.01084, 10), where the
    # nearest float32, and PyTorch's, is 1: the gradient 1 - y * y was 1.2e-7 there, not 0, and a
    # large upstream gradient made that 1e-4
    lo, hi = np.array([8.9, 10.1], np.float32).view(np.int32)
    edge = np.arange(lo, hi, 37, dtype=np.int32).view(np.float32)  # every 37th float32

    def program(T):
        x = T.from_numpy(np.concatenate([edge, -edge, np.float32([0.5, np.inf, -np.inf, np.nan])]))
        if layout == "transposed":
            x = x[: x.numel() // 4 * 4].reshape(4, -1).t()
        x.requires_grad_()
        if layout == "0-d":
            ys = [x[i].tanh() for i in range(0, x.numel(), 97)]
            y = T.stack(ys)
        elif layout == "in-place":
            y = (x * 1).tanh_()
        else:
            y = x.tanh()
        y.backward(T.full_like(y, 1e4))
        return y.detach().numpy(), x.grad.numpy()

    (y, grad), (y_ref, grad_ref) = program(retrograd), program(torch_ref)
    assert (np.abs(y_ref) == 1).sum() > 100  # the range tested saturates in PyTorch
    # PyTorch's is exactly 1 from 9.01084 on, retrograd's from 9.0109 (see array_tanh): of the
    # every-37th float32s tested, two of each sign lie between, and there only may they differ
    between = (np.abs(y_ref) == 1) & (np.abs(y) != 1)
    assert between.sum() <= 4
    assert np.all(np.abs(y[between]) == np.float32(1 - 2**-24))
    outside = ~between
    assert np.array_equal((np.abs(y) == 1)[outside], (np.abs(y_ref) == 1)[outside])
    np.testing.assert_allclose(y, y_ref, rtol=2e-7, atol=0)
    if layout == "0-d":  # (the gradient covers every input, y every 97th)
        outside = np.ones(grad.shape, bool)
        outside[::97][between] = False
    np.testing.assert_array_equal((grad == 0)[outside], (grad_ref == 0)[outside])


# --- forward AD through inference tensors ----------------------------------------------------

_INFERENCE_DUAL_BODIES = {
    "sin": lambda T, d, n: d.sin(),
    "sin * d": lambda T, d, n: d.sin() * d,  # (seeds 3000641, 3004940, 3005768)
    "d * d": lambda T, d, n: d * d,
    "d * n": lambda T, d, n: d * n,
    "d @ n": lambda T, d, n: d @ n,
    "d * 2": lambda T, d, n: d * 2,
    "2 * d": lambda T, d, n: 2 * d,
    "d - 2": lambda T, d, n: d - 2,
    "2 - d": lambda T, d, n: 2 - d,
    "d / 2": lambda T, d, n: d / 2,
    "d ** 2": lambda T, d, n: d**2,
    "add(1)": lambda T, d, n: d.add(1),
    "sum": lambda T, d, n: d.sum(),
    "view * 2": lambda T, d, n: d.t() * 2,
    "clone": lambda T, d, n: d.clone(),
    "float": lambda T, d, n: d.float(),
    "cat": lambda T, d, n: T.cat([d, n]),
    "where": lambda T, d, n: T.where(n > 0.4, d, n),
    "lerp": lambda T, d, n: d.lerp(n, 0.5),
}


@pytest.mark.parametrize("body", sorted(_INFERENCE_DUAL_BODIES))
def test_a_dual_inference_tensor_gives_its_tangent_only_to_ops_autograd_sees(torch_ref, body):
    # An op on inference tensors alone runs past autograd in PyTorch: its result has no tangent.
    # One ordinary tensor among the operands (a number the op takes as a tensor, the new tensor
    # that clone copies into) brings the inference tensor's tangent in.
    def program(T):
        fw = T.autograd.forward_ad
        with T.inference_mode():
            x = T.tensor([[0.5, 1.0], [0.2, 0.3]], dtype=T.float64) * 2
        n = T.tensor([[0.5, 1.0], [0.2, 0.3]], dtype=T.float64)
        with fw.dual_level():
            d = fw.make_dual(x, T.tensor([[0.6, 0.3], [0.1, 0.2]], dtype=T.float64))
            out = _INFERENCE_DUAL_BODIES[body](T, d, n)
            primal, tangent = fw.unpack_dual(out)
            return primal, tangent, out.is_inference()

    _same(torch_ref, program)


# --- a view made under no_grad of a tensor that comes to require grad ------------------------

_LATE_VIEW_USES = {
    "grad_fn": lambda T, v, y: v.grad_fn,
    "mul": lambda T, v, y: v * 2,
    "autograd.grad": lambda T, v, y: T.autograd.grad(y.sum(), [v, y], allow_unused=True),
    "backward": lambda T, v, y: (v.sum() + y.sum()).backward(),
}


@pytest.mark.parametrize("use", sorted(_LATE_VIEW_USES))
@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
@pytest.mark.parametrize("how", ["written", "requires_grad_"])
def test_a_view_made_apart_sees_its_base_come_to_require_grad(torch_ref, use, mode, how):
    # (seeds 3001172, 3007709) written in place with a value that requires grad, the base makes
    # its views made under no_grad require grad too, and an op that takes one reads its grad_fn:
    # PyTorch's error for such a view; told to require grad, the view requires grad with no node
    def program(T):
        base = T.ones(2, 2) * 2
        with getattr(T, mode)():
            v = base.split(1, 0)[0]
        if how == "written":
            base.div_(T.ones(2, 2, dtype=T.float64, requires_grad=True))
        else:
            base.requires_grad_()
        y = T.ones(2, requires_grad=True)
        out = _LATE_VIEW_USES[use](T, v, y)
        return v.requires_grad, getattr(out, "requires_grad", out), base.grad

    _same(torch_ref, program)


# --- a value saved by hessian's function is a view ------------------------------------------


@pytest.mark.parametrize("requires_grad", [False, True])
def test_hessian_differentiates_at_views_of_its_inputs(torch_ref, requires_grad):
    # (seed 3008675) hessian is a Jacobian of a Jacobian, each taken at views of its inputs
    def program(T):
        x = T.tensor([[0.7, -1.1], [-0.5, -1.0]], dtype=T.float64, requires_grad=requires_grad)
        x = x * 1
        h = T.autograd.functional.hessian(lambda a: (a**3).sum(), x, create_graph=True)
        with T.no_grad():
            x.sin_()
        h.sum().backward()

    _same(torch_ref, program)


# --- gradient layouts: norm's follows its input, copy_'s overwritten tensor's is C order -----


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_the_2_norms_gradient_is_laid_out_as_its_input(torch_ref, dim):
    # (seeds 3009314, 3009187) PyTorch's formula is self * (grad / norm): a permuted input gets a
    # permuted gradient, and a permute's backward then a contiguous one
    def program(T):
        x = T.tensor([[0.4, -1.2], [1.5, -1.1], [0.3, 1.0]], requires_grad=True)
        xt = x.mT
        norm = T.linalg.vector_norm(xt, dim=dim)
        g_xt, g_x = T.autograd.grad(norm.sum(), [xt, x])
        return g_xt, g_xt.stride(), g_x.stride(), g_x.is_contiguous()

    _same(torch_ref, program)


def test_copy_gives_the_tensor_it_overwrote_contiguous_zeros(torch_ref):
    # (seed 3009365) whatever the layout of the gradient that reaches CopyBackwards
    def program(T):
        a = T.ones(2, 3, requires_grad=True)
        y = a * 1
        y.copy_(T.ones(2, 1, requires_grad=True))
        z = y.t() ** 3
        (g,) = T.autograd.grad(z, [a], T.ones(3, 2))
        return g, g.stride()

    _same(torch_ref, program)


# --- a gradient of the wrong shape is an error as soon as its node has run --------------------


def test_a_gradient_that_cannot_fit_is_refused_before_other_nodes_run(torch_ref):
    # (seed 7000591) t6 is transposed in place under no_grad after softplus made it: log1p's
    # gradient for it cannot be summed back to softplus's shape.  PyTorch checks it right after
    # log1p's node runs; checked when softplus's node was due, w's gradient was accumulated first
    def program(T):
        x = T.tensor([[-0.8], [-0.4], [1.4]], requires_grad=True)
        w = T.tensor([[-0.7], [-0.5], [1.5]], requires_grad=True)
        t6 = T.nn.functional.softplus(x)
        with T.no_grad():
            t6.t_()
        y = T.tensor([1.9, 1.7], requires_grad=True).floor() * w  # (made after softplus)
        z = T.ones(1, 3) - t6.log1p()
        try:
            T.autograd.backward([(y * y).sum(), z.sum()])
            error = None
        except RuntimeError as e:
            error = str(e)
        return error, w.grad, x.grad

    _same(torch_ref, program)


def test_reentrant_checkpoint_reads_whether_an_input_requires_grad_at_backward(torch_ref):
    # (seed 8005560) an input of a reentrant checkpoint detached in place after the forward gets
    # no gradient from the segment in PyTorch, which reads its saved inputs' flags at backward
    def program(T):
        t6 = T.tensor([[0.62, 1.987], [0.304, -0.402], [0.509, 0.42]], requires_grad=True)
        t9 = t6.reciprocal()
        t12 = T.tensor([[-1.356, 1.47], [1.113, -0.496], [-0.96, 1.781]], requires_grad=True)
        t11 = T.utils.checkpoint.checkpoint(lambda a, b: (a * b).sin(), t9, t12, use_reentrant=True)
        t13 = T.cat([t9, t11], dim=1)
        with T.no_grad():
            t9.detach_()
        t13.mean().backward()
        return t6.grad.numpy(), t12.grad.numpy()

    for ours, theirs in zip(program(retrograd), program(torch_ref)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_reentrant_checkpoint_whose_inputs_all_stopped_requiring_grad_says_so(torch_ref):
    # (seed 9403395) every input detached in place after the forward: the rerun's outputs do not
    # require grad, which PyTorch reports at backward; retrograd gave no gradient and no error
    def program(T):
        a = T.ones(3, requires_grad=True)
        b = a * 2
        y = T.utils.checkpoint.checkpoint(lambda t: t.tanh() * 2, b, use_reentrant=True)
        b.detach_()
        with pytest.raises(RuntimeError) as caught:
            y.sum().backward()
        return str(caught.value), a.grad

    assert program(retrograd) == program(torch_ref)


def test_the_gradient_through_a_primal_of_forward_ad_is_handed_on_as_it_is(torch_ref):
    # (seed 9407986) unpack_dual's primal is a view whose node passes the gradient on itself:
    # a view of it, made while the backward ran without grad mode, refused an in-place write
    def program(T):
        fw = T.autograd.forward_ad
        x = T.ones(3, requires_grad=True)
        with fw.dual_level():
            dual = fw.make_dual(x * 2, T.ones(3)) * 2
            primal = fw.unpack_dual(dual).primal
        go = T.full((3,), 0.5)
        (g,) = T.autograd.grad(primal, [dual], grad_outputs=go)
        same = (g is go, g.data_ptr() == go.data_ptr())
        g.sub_(T.ones(3, requires_grad=True))
        return primal.grad_fn.name(), same, g.requires_grad, type(g.grad_fn).__name__

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("how", ["setitem", "copy_ of the same view", "copy_ of the base"])
def test_a_copy_onto_the_same_view_of_expanded_memory_does_nothing(torch_ref, how):
    # (seed 9501783) x.expand(2, 3)[0] = x: the value, expanded to the row, reads the very
    # elements it writes, which PyTorch's copy_ leaves alone without its overlap error; from
    # memory laid out otherwise, the error stays
    def program(T):
        x = T.tensor([-2.0], requires_grad=True)
        v = x * 3
        e = v.expand(2, 3)
        try:
            if how == "setitem":
                e[0] = v
            elif how == "copy_ of the same view":
                e[0].copy_(v.expand(3))
            else:
                e[0].copy_(v)
        except RuntimeError as error:
            return "in the forward", str(error)
        seen = type(e.grad_fn).__name__, e.tolist(), v._version
        try:  # (the gradient through the base, PyTorch's CopySlices, writes into it as well)
            e.sum().backward()
        except RuntimeError as error:
            return seen, "in the backward", str(error)
        return seen, x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


@pytest.mark.parametrize("write", ["masked_fill_", "fill_", "zero_", "index_put_"])
def test_no_gradient_through_a_write_into_an_expanded_view(torch_ref, write):
    # PyTorch lets these write into an expanded view of a tensor that requires grad, but its
    # backward refuses (the gradient would go through the view's shared elements); retrograd
    # summed over them and gave a gradient (54 where the row's true share is 18)
    def program(T):
        x = T.tensor([-2.0], requires_grad=True)
        e = (x * 3).expand(2, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (PyTorch's deprecation of writes into expanded)
            if write == "masked_fill_":
                e.masked_fill_(T.tensor([[True, False, False], [False] * 3]), 1.0)
            elif write == "index_put_":
                e.index_put_((T.tensor([0]),), T.ones(3))
            else:
                getattr(e, write)(*([1.0] if write == "fill_" else []))
        try:
            e.sum().backward()
        except RuntimeError as error:
            return type(e.grad_fn).__name__, str(error)
        return x.grad.tolist()

    assert program(retrograd) == program(torch_ref)


def test_division_gradient_for_the_divisor_has_pytorchs_bits(torch_ref):
    # (seeds 8101621, 8105647) PyTorch groups the divisor's gradient as -g * ((x / y) / y); the
    # second derivative of x / x, exactly 0, is rounding noise whose sign followed the grouping
    rng = np.random.default_rng(0)
    a, b, g = (rng.standard_normal(4096).astype(np.float32) for _ in range(3))

    def program(T):
        x, y = T.tensor(a, requires_grad=True), T.tensor(b, requires_grad=True)
        (x / y).backward(T.tensor(g))
        return y.grad.numpy()

    np.testing.assert_array_equal(program(retrograd), program(torch_ref))


# --- a gradient is a new tensor, a view or the incoming gradient itself, as PyTorch's -----------


_PICKS = {
    "topk": lambda t: t.topk(1, dim=-1).values,
    "sort": lambda t: t.sort(dim=-1).values,
    "max": lambda t: t.max(dim=-1).values,
    "kthvalue": lambda t: t.kthvalue(1, dim=-1).values,
    "median": lambda t: t.median(dim=-1).values,
    "mode": lambda t: t.mode(dim=-1).values,
    "cummax": lambda t: t.cummax(dim=-1).values,
    "cumsum": lambda t: t.cumsum(-1),
    "squeeze": lambda t: t.squeeze(),
    "squeeze_dim": lambda t: t.squeeze(0),
    "squeeze_last": lambda t: t.squeeze(-1),
    "squeeze_dims": lambda t: t.squeeze((0, -1)),
    "expand": lambda t: t.expand(t.shape),
    "sum_to_size": lambda t: t.sum_to_size(t.shape),
    "movedim": lambda t: t.movedim(-1, 0),
}


@pytest.mark.parametrize("shape", [(), (1,), (2, 1, 3), (2, 1, 3, 1)])
@pytest.mark.parametrize("name", list(_PICKS))
def test_a_gradient_shares_memory_with_the_incoming_one_where_pytorchs_does(torch_ref, name, shape):
    # (seed 7009006) topk of a 0-d input returned the output's gradient itself as the input's:
    # an in-place op on one gradient then changed the other; PyTorch scatters it into zeros
    def program(T):
        x = (T.arange(6.0)[: math.prod(shape)] * 0.25 + 0.5).reshape(shape).requires_grad_()
        y = _PICKS[name](x)
        gx, gy = T.autograd.grad((y * y).sum(), [x, y], create_graph=True)
        return (
            gx.data_ptr() == gy.data_ptr(),
            gx is gy,
            gx._base is not None,
            type(gx.grad_fn).__name__,
            gx.pow_(2),
            gy,
        )

    _same(torch_ref, program)


# --- an in-place write reads an input that shares memory with it as PyTorch's kernels read it ---


_WRITES = {
    "add_": lambda x, v: x.add_(v),
    "iadd": lambda x, v: x.__iadd__(v),
    "mul_": lambda x, v: x.mul_(v),
    "addcmul_": lambda x, v: x.addcmul_(v, v, value=0.5),
    "lerp_": lambda x, v: x.lerp_(v, 0.25),
    "copy_": lambda x, v: x.copy_(v),
    "setitem": lambda x, v: x.__setitem__(slice(None), v),
}


@pytest.mark.parametrize("name", list(_WRITES))
@pytest.mark.parametrize("operand", ["column", "transposed"])
def test_an_in_place_write_from_a_view_of_its_own_memory_reads_the_values_written_before(
    torch_ref, name, operand
):
    # (seeds 7008219, 8200581) PyTorch refuses such an input only when both are dense; otherwise
    # its kernel goes through the elements in memory order, and an element of the input that
    # was written already is read with its new value
    def program(T):
        x = T.tensor([[0.775, 0.482, -0.3], [1.379, 1.499, 0.2], [-0.5, 0.25, 1.125]])
        v = x[:, 1] if operand == "column" else x.t()
        with T.no_grad():
            _WRITES[name](x, v)
        return x

    _same(torch_ref, program)


# --- a saved tensor that went through saved-tensor hooks comes back as it was saved -------------


@pytest.mark.parametrize("how", ["checkpoint", "hooks"])
def test_a_saved_input_that_did_not_require_grad_comes_back_without_a_graph(torch_ref, how):
    # (seed 8101621) b required grad only after the forward: the recomputed (or hooked) b.tanh()
    # that the product saved then led back to b, where PyTorch's saved value keeps the flag it
    # had when saved, and the second derivative for b is None
    def program(T):
        a = T.tensor([-0.796, -0.433, 1.115], dtype=T.float64, requires_grad=True)
        b = T.tensor([-1.546, -0.686, 1.148], dtype=T.float64) * 1
        if how == "checkpoint":
            y = T.utils.checkpoint.checkpoint(
                lambda p, q: p.exp() * q.tanh(), a, b, use_reentrant=False
            )
        else:
            with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                y = a.exp() * b
        b.requires_grad_()
        (ga,) = T.autograd.grad(y.sum(), [a], create_graph=True)
        (gb,) = T.autograd.grad(ga.sum(), [b], allow_unused=True)
        return ga, gb

    _same(torch_ref, program)


def test_a_custom_functions_hooked_saved_input_leads_back_to_its_graph(torch_ref):
    # (seed 8215147) the input a custom Function saved, through saved-tensor hooks, comes back
    # where it stood in the graph: the backward's graph goes on to it, a second derivative too
    def program(T):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * g * x**2

        x = T.full((2,), 0.75, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):
            y = Cube.apply(x)
        (g,) = T.autograd.grad(y.sum(), [x], create_graph=True)
        (h,) = T.autograd.grad(g.sum(), [x])
        return g, h

    _same(torch_ref, program)


# --- .grad takes the gradient a leaf's hooks leave when nothing else holds it --------------------


_LEAF_HOOKS = {
    "returns a new one": lambda kept: lambda g: g * 2,
    "returns None": lambda kept: lambda g: None,
    "returns it": lambda kept: lambda g: g,
    "keeps it": lambda kept: lambda g: kept.append(g),
    "keeps what it returns": lambda kept: lambda g: kept.append(g * 2) or kept[-1],
}


@pytest.mark.parametrize("hook", list(_LEAF_HOOKS))
def test_a_leaf_reshaped_in_place_gets_the_gradients_shape_unless_a_hook_kept_it(torch_ref, hook):
    # (seed 8112466) PyTorch keeps the gradient itself as .grad when nothing but its engine holds
    # it (it counts references), so the leaf unsqueezed under no_grad gets a 0-d .grad; a copy
    # takes the leaf's new shape.  Any hook made retrograd copy.
    def program(T):
        kept = []
        x = T.tensor(0.653, requires_grad=True)
        x.register_hook(_LEAF_HOOKS[hook](kept))
        y = x[None]
        with T.no_grad():
            x.unsqueeze_(0)
        y.logsumexp(-1).sum().backward()
        return x.grad

    _same(torch_ref, program)


# --- a gradient computed from a saved value of another shape is summed back to its input's -----


@pytest.mark.parametrize("op", ["sigmoid", "exp", "tanh"])
@pytest.mark.parametrize("dim", [0, 1])
def test_a_hooked_saved_output_reshaped_in_place_gives_a_gradient_of_the_inputs_shape(
    torch_ref, op, dim
):
    # (seed 7006486) the unpack hook returns the output itself, unsqueezed in place since (no
    # version check through hooks): the formula's result broadcasts to another shape, which
    # PyTorch sums back to the input's, as it checks every gradient against its input's shape
    def program(T):
        x = T.tensor([[[1.629]], [[0.268]], [[0.624]], [[1.623]]], requires_grad=True)
        x4 = x.reshape((4,))
        with T.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):
            y = getattr(T, op)(x4)
        y.unsqueeze_(dim)
        (g,) = T.autograd.grad((y * y).sum(), [x4])
        return g

    _same(torch_ref, program)


# --- a gradient has its input's dtype ------------------------------------------------------------


@pytest.mark.parametrize("name", ["fill_", "torch.fill", "row", "column"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_a_fill_values_gradient_has_the_values_dtype(torch_ref, name, create_graph):
    # (seed 8209942) t[0] = v with a 0-d float64 v fills a float32 tensor: v's gradient, the sum
    # of the filled elements', is float64 in PyTorch, which casts every gradient to its input's
    def program(T):
        v = T.tensor(1.25, dtype=T.float64, requires_grad=True)
        t = T.zeros(2, 4)
        if name == "torch.fill":
            t = T.fill(t, v)
        elif name == "fill_":
            t.fill_(v)
        elif name == "row":
            t[0] = v
        else:
            t[:, 1] = v
        (g,) = T.autograd.grad(t, [v], T.ones(2, 4), create_graph=create_graph)
        return g, str(g.dtype)

    _same(torch_ref, program)


def test_the_reciprocals_gradient_has_pytorchs_bits(torch_ref):
    # (seed 8215012) PyTorch's is -g * (r * r); as (-g * r) * r about a third of the float32
    # gradients differed in the last bit, which a cos of a large second gradient made visible
    rng = np.random.default_rng(0)
    a = rng.uniform(0.1, 2, 4096).astype(np.float32)
    g = rng.standard_normal(4096).astype(np.float32)

    def program(T):
        x = T.tensor(a, requires_grad=True)
        x.reciprocal().backward(T.tensor(g))
        return x.grad.numpy()

    np.testing.assert_array_equal(program(retrograd), program(torch_ref))
