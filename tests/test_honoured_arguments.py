"""Arguments that were accepted and ignored are now honoured, or raise ``NotImplementedError``
naming them: checked against PyTorch where it has the same behaviour."""

import warnings

import numpy as np
import pytest
from expression_parity import assert_same_outcome

import retrograd


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_weight(reduction, torch_ref):
    x, y, w = np.array([[1.0, 2.0, 3.0]]), np.zeros((1, 3)), np.array([[1.0, 0.0, 2.0]])
    results = []
    for torch in (retrograd, torch_ref):
        a = torch.tensor(x, requires_grad=True)
        loss = torch.nn.functional.mse_loss(
            a, torch.tensor(y), reduction=reduction, weight=torch.tensor(w)
        )
        loss.sum().backward()
        results.append((loss.tolist(), a.grad.tolist(), type(loss.grad_fn).__name__))
    assert results[0] == results[1]


def test_mse_loss_weight_must_fit(torch_ref):
    assert_same_outcome(
        "torch.nn.functional.mse_loss(torch.ones(3), torch.ones(3), weight=torch.ones(2))",
        torch_ref,
    )


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_dropout_inplace_writes_into_its_input(p, torch_ref):
    for torch in (retrograd, torch_ref):
        x = torch.ones(1000, requires_grad=True) * 1
        version = x._version
        y = torch.nn.functional.dropout(x, p, True, inplace=True)
        assert y is x
        assert x._version == version + (p > 0)
        kept = x.detach().numpy()
        assert set(np.unique(kept)) <= {0.0, 1 / (1 - p) if p < 1 else 0.0}
        module = torch.nn.Dropout(p, inplace=True)
        z = torch.ones(10) * 1
        assert module(z) is z
        leaf = torch.ones(3, requires_grad=True)
        if p > 0:
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
                torch.nn.functional.dropout(leaf, p, True, inplace=True)


def test_optimizer_options(torch_ref):
    for torch in (retrograd, torch_ref):
        p = torch.nn.Parameter(torch.ones(2))
        p.grad = torch.ones(2)
        for cls in (torch.optim.Adam, torch.optim.RMSprop):
            opt = cls([p], capturable=True)
            with pytest.raises(
                AssertionError,
                match="If capturable=True, params and state_steps must be on supported devices",
            ):
                opt.step()
        for cls, kw in (
            (torch.optim.Adam, {}),
            (torch.optim.SGD, {"lr": 0.1}),
            (torch.optim.Adagrad, {}),
        ):
            q = torch.nn.Parameter(torch.ones(2))
            q.grad = torch.ones(2)
            cls([q], fused=True, **kw).step()  # fused and foreach: the same update
            assert q.tolist() != [1.0, 1.0]
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        retrograd.optim.SGD(
            [retrograd.nn.Parameter(retrograd.ones(1))], lr=0.1, differentiable=True
        )
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        retrograd.optim.Adam(
            [{"params": [retrograd.nn.Parameter(retrograd.ones(1))], "differentiable": True}]
        )


def _function(lib, backward):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return backward(g)

    return F.apply


def test_gradcheck_nondet_tol(torch_ref):
    for torch in (retrograd, torch_ref):
        draws = iter(np.linspace(0, 1e-4, 1000))
        noisy = _function(torch, lambda g: g * (2 + float(next(draws))))
        x = torch.ones(3, dtype=torch.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="Backward is not reentrant"):
            torch.autograd.gradcheck(noisy, (x,))
        assert torch.autograd.gradcheck(noisy, (x,), nondet_tol=1e-3)
        assert not torch.autograd.gradcheck(noisy, (x,), raise_exception=False)


def test_gradcheck_grad_dtypes():
    """The check fails exactly when backward hands an input a gradient of another dtype."""
    wrong = _function(retrograd, lambda g: (g * 2).float())
    x = retrograd.ones(3, dtype=retrograd.float64, requires_grad=True)
    (g,) = retrograd.autograd.grad(wrong(x).sum(), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert retrograd.autograd.gradcheck(wrong, (x,), atol=1e-5)
        if g.dtype is x.dtype:
            assert retrograd.autograd.gradcheck(wrong, (x,), check_grad_dtypes=True)
        else:
            with pytest.raises(RuntimeError, match="Gradient has dtype mismatch"):
                retrograd.autograd.gradcheck(wrong, (x,), check_grad_dtypes=True)
    right = _function(retrograd, lambda g: g * 2)
    assert retrograd.autograd.gradcheck(right, (x,), check_grad_dtypes=True)


def test_gradcheck_fast_mode_and_masked_still_check():
    bad = _function(retrograd, lambda g: g * 3)
    x = retrograd.ones(3, dtype=retrograd.float64, requires_grad=True)
    for options in ({"fast_mode": True}, {"masked": True}):
        assert not retrograd.autograd.gradcheck(bad, (x,), raise_exception=False, **options)
        assert retrograd.autograd.gradcheck(_function(retrograd, lambda g: g * 2), (x,), **options)


def test_gradcheck_batched_checks_are_not_built():
    x = retrograd.ones(2, dtype=retrograd.float64, requires_grad=True)
    for name in ("check_batched_grad", "check_batched_forward_grad"):
        with pytest.raises(NotImplementedError, match=name):
            retrograd.autograd.gradcheck(lambda t: t * 2, (x,), **{name: True})
    with pytest.raises(NotImplementedError, match="check_batched_grad"):
        retrograd.autograd.gradgradcheck(lambda t: t * t, (x,), check_batched_grad=True)


def test_gradgradcheck_non_contiguous_grad_outputs():
    x = retrograd.tensor([0.5, -1.0, 2.0], dtype=retrograd.float64, requires_grad=True)
    assert retrograd.autograd.gradgradcheck(
        lambda t: (t * t).sin(), (x,), gen_non_contig_grad_outputs=True
    )
    from retrograd.autograd.gradcheck import _non_contiguous

    g = _non_contiguous(retrograd.arange(4.0))
    assert not g.is_contiguous() and g.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_grad_is_grads_batched(torch_ref):
    results = []
    for torch in (retrograd, torch_ref):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x**3
        (first,) = torch.autograd.grad(y, x, torch.eye(3), is_grads_batched=True, create_graph=True)
        (second,) = torch.autograd.grad(first.sum(), x)
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        unused = torch.autograd.grad(
            (w * 2).sum(), [w, x], torch.ones(4), is_grads_batched=True, allow_unused=True
        )
        results.append((first.tolist(), second.tolist(), unused[0].tolist(), unused[1]))
    assert results[0] == results[1]


def test_storage_offset(torch_ref):
    exprs = [
        "x[1]",
        "x[:, 1]",
        "x[1, 2, 3]",
        "x[..., 2:]",
        "x.view(6, 4)[3:]",
        "x.transpose(0, 1)[1]",
        "x.reshape(-1)[5:]",
        "x[1].clone()",
        "x.narrow(2, 1, 2)",
        "x.select(1, 2)",
        "x.unbind(0)[1]",
        "x.chunk(2, 2)[1]",
        "x.split(1, 0)[1]",
        "x[1].detach()",
    ]
    for e in exprs:
        assert_same_outcome(
            f"(lambda x: {e}.storage_offset())(torch.arange(24.).reshape(2, 3, 4))", torch_ref
        )


def test_load_state_dict_assign(torch_ref):
    for torch in (retrograd, torch_ref):
        model = torch.nn.Linear(2, 2)
        weight = model.weight
        state = {"weight": torch.zeros(2, 2, dtype=torch.float64), "bias": torch.ones(2)}
        model.load_state_dict(state, assign=True)
        assert model.weight is not weight
        assert isinstance(model.weight, torch.nn.Parameter) and model.weight.requires_grad
        assert model.weight.dtype == torch.float64
        assert model.weight.data_ptr() == state["weight"].data_ptr()
        bn = torch.nn.BatchNorm1d(2)
        mean = torch.arange(2.0)
        bn.load_state_dict({**bn.state_dict(), "running_mean": mean}, assign=True)
        assert bn.running_mean is mean
        frozen = torch.nn.Linear(2, 2).requires_grad_(False)
        frozen.load_state_dict(model.state_dict(), assign=True)
        assert not frozen.weight.requires_grad


def test_forward_hook_always_call(torch_ref):
    for torch in (retrograd, torch_ref):
        model = torch.nn.Linear(2, 2)
        seen = []
        model.register_forward_hook(lambda m, a, o: seen.append(("always", o)), always_call=True)
        model.register_forward_hook(lambda m, a, o: seen.append(("normal", o)))

        def failing(m, a, o):
            raise ValueError("hook")

        model.register_forward_hook(failing, always_call=True)
        with pytest.warns(
            UserWarning,
            match="raised an exception that was silenced as another "
            "error was raised in forward: hook",
        ):
            with pytest.raises(RuntimeError, match="cannot be multiplied"):
                model(torch.ones(3))
        assert seen == [("always", None)]


@pytest.mark.parametrize(
    "expression",
    [
        "torch.nn.functional.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, align_corners=True)",
        "torch.nn.functional.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, antialias=True)",
        "torch.nn.functional.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, align_corners=None)",
        "torch.repeat_interleave(torch.tensor([[1, 2]]), 2, dim=1, output_size=3)",
        "torch.repeat_interleave(torch.tensor([[1, 2]]), 2, dim=1, output_size=4)",
        "torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([1, 2]), output_size=4)",
        "torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([1, 2]), output_size=3)",
    ],
)
def test_more_arguments_as_pytorch(expression, torch_ref):
    assert_same_outcome(expression, torch_ref)


CHANNELS_LAST = [
    "x.to(memory_format=cl)",
    "y.to(memory_format=cl)",
    "x.to(torch.float64, memory_format=cl)",
    "x.to(torch.float64, copy=True, memory_format=cf)",
    "x.contiguous(memory_format=cl)",
    "x.clone(memory_format=cl)",
    "x.clone(memory_format=cf)",
    "xc.to(memory_format=cl)",
    "xc.to(memory_format=pf)",
    "xc.contiguous(memory_format=cl)",
    "xc.contiguous()",
    "xc.clone()",
    "xc.to(torch.float64)",
    "xc * 2",
    "xc + x",
    "x + xc",
    "xc.exp()",
    "xc.sum(1)",
    "xc.relu()",
    "xc.permute(0, 2, 3, 1)",
    "xc.reshape(2, 3, 6)",
    "xc.view(2, 3, 6)",
    "x.cpu(memory_format=cl)",
    "xc.cpu()",
    "x.float(memory_format=cl)",
    "x.double(memory_format=cl)",
    "x.int(memory_format=cl)",
    "xc.float(memory_format=pf)",
    "xc.double()",
    "x[0].contiguous(memory_format=cl)",
    "x[0].to(memory_format=cl)",
    "x[0].clone(memory_format=cl)",
    "z.contiguous(memory_format=cl)",
    "z.contiguous(memory_format=cl3)",
    "z.to(memory_format=cl3)",
    "x.contiguous(memory_format=cl3)",
    "x.is_contiguous(memory_format=cl3)",
    "x[0].is_contiguous(memory_format=cl)",
    "z.is_contiguous(memory_format=cl)",
    "xc.is_contiguous(memory_format=cl)",
    "xc.is_contiguous()",
    "xc[:, :, :1].is_contiguous(memory_format=cl)",
    "torch.ones(2, 1, 1, 1).is_contiguous(memory_format=cl)",
    "torch.ones(2, 3, 1, 1).is_contiguous(memory_format=cl)",
    "torch.ones(2, 1, 3, 3).contiguous(memory_format=cl)",
    "torch.empty(2, 3, 2, 2, memory_format=cl).zero_()",
    "torch.empty(2, 3, memory_format=cl)",
    "torch.empty_like(xc).zero_()",
    "torch.zeros_like(x, memory_format=cl)",
    "torch.ones_like(xc)",
    "torch.ones_like(xc, memory_format=cf)",
    "torch.full_like(y, 2.0, memory_format=cl)",
]


@pytest.mark.parametrize("expression", CHANNELS_LAST)
def test_channels_last_as_pytorch(torch_ref, expression):
    """The channels-last layouts: ``to``, ``contiguous``, ``clone``, ``float()`` and kin and the
    factories lay their results out as PyTorch does (strides, contiguity in each format, node,
    values; the input itself where it is laid out so already), ops on a channels-last tensor
    keep its layout where PyTorch's do, and a tensor of another rank is PyTorch's error."""

    def run(lib):
        x = lib.arange(36.0).reshape(2, 3, 2, 3).requires_grad_()
        names = {
            "torch": lib,
            "x": x,
            "y": x.detach(),
            "xc": x.contiguous(memory_format=lib.channels_last),
            "z": lib.arange(72.0).reshape(2, 3, 2, 3, 2),
            "cl": lib.channels_last,
            "cl3": lib.channels_last_3d,
            "cf": lib.contiguous_format,
            "pf": lib.preserve_format,
        }
        try:
            r = eval(expression, names)
        except Exception as e:
            return type(e).__name__, str(e)
        if isinstance(r, bool):
            return r
        return (
            tuple(r.shape),
            r.stride(),
            r.is_contiguous(),
            r.ndim == 4 and r.is_contiguous(memory_format=lib.channels_last),
            r.grad_fn.name() if r.grad_fn is not None else None,
            r is names["x"] or r is names["xc"],
            str(r.dtype),
            r.detach().tolist(),
        )

    assert run(retrograd) == run(torch_ref)


def test_channels_last_copies_pass_gradients_back():
    """A channels-last copy's gradient reaches its input, in float64 by finite differences."""
    x = retrograd.randn(2, 3, 2, 2, dtype=retrograd.float64, requires_grad=True)
    cl = retrograd.channels_last
    for f in (
        lambda t: t.contiguous(memory_format=cl) * t,
        lambda t: t.to(memory_format=cl).exp(),
        lambda t: t.clone(memory_format=cl).sum(1),
    ):
        assert retrograd.autograd.gradcheck(f, (x,))
        assert retrograd.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize(
    "args",
    [
        "memory_format=cl",
        "torch.float64, memory_format=cl",
        "memory_format=cl3",
        "memory_format=cf",
    ],
)
def test_module_to_a_memory_format_as_pytorch(torch_ref, args):
    """``Module.to(memory_format=...)`` lays out the 4-d and 5-d parameters as asked (PyTorch's
    error for a format of another rank), the others as they were."""

    def run(lib):
        m = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.Linear(2, 2), lib.nn.BatchNorm2d(3))
        names = {"torch": lib, "m": m, "cl": lib.channels_last, "cl3": lib.channels_last_3d}
        names["cf"] = lib.contiguous_format
        try:
            eval(f"m.to({args})", names)
        except Exception as e:
            return type(e).__name__, str(e)
        return [(tuple(p.shape), p.stride(), str(p.dtype)) for p in m.parameters()]

    assert run(retrograd) == run(torch_ref)


def test_layouts_not_built_are_named():
    with pytest.raises(NotImplementedError, match="sparse_coo"):
        retrograd.zeros(2, layout=retrograd.sparse_coo)


def test_memory_report_keeps_the_params_given():
    from retrograd import viz

    w = retrograd.ones(3, requires_grad=True)
    x = retrograd.ones(3) * 2  # not a leaf of the graph below: its array is saved by the Mul
    loss = (w * x).sum()
    without = viz.memory_report(loss)
    with_params = viz.memory_report(loss, params={"x": x})
    assert without != with_params
