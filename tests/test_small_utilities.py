"""Small names programs import, each against PyTorch: ``nn.utils.rnn.invert_permutation``, the
convolution weight memory-format converters, ``utils.swap_tensors`` / ``set_module``, the
autograd multithreading and view-replay switches, ``autograd.SavedTensor``, the deprecated
``nn.utils.stateless.functional_call`` and ``distributions.chi2``."""

import warnings

import numpy as np
import pytest
import torch

import retrograd


def _outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn()
            if hasattr(result, "detach"):
                result = (str(result.dtype), result.detach().numpy().tolist())
            out = ("returns", result)
        except Exception as e:
            out = ("raises", type(e).__name__, str(e))
    return out, [(w.category, str(w.message)) for w in caught]


def _same(fn):
    assert _outcome(lambda: fn(retrograd)) == _outcome(lambda: fn(torch))


@pytest.mark.parametrize(
    "values, dtype",
    [
        ([2, 0, 1], "int64"),
        ([], "int64"),
        (0, "int64"),
        ([1, 0], "int32"),
        ([1, 0], "int16"),
        ([1.0, 0.0], "float32"),
        ([[1, 0]], "int64"),
        ([5, 0], "int64"),
        ([-1, 0], "int64"),
    ],
)
def test_invert_permutation(values, dtype):
    _same(
        lambda lib: lib.nn.utils.rnn.invert_permutation(
            lib.tensor(values, dtype=getattr(lib, dtype))
        )
    )


def test_invert_permutation_of_none():
    assert retrograd.nn.utils.rnn.invert_permutation(None) is None


def test_conv_weight_memory_format():
    def run(lib, convert, fmt):
        model = lib.nn.Sequential(
            lib.nn.Conv2d(2, 3, 3), lib.nn.Conv3d(3, 2, 2), lib.nn.Linear(2, 2)
        )
        weights = [p.detach().clone() for p in model.parameters()]
        out = getattr(lib.nn.utils, convert)(model, getattr(lib, fmt))
        assert out is model
        return [
            (type(p).__name__, p.requires_grad, bool((p == w).all()), p.stride())
            for p, w in zip(model.parameters(), weights, strict=True)
        ]

    for convert, fmt in (
        ("convert_conv2d_weight_memory_format", "contiguous_format"),
        ("convert_conv3d_weight_memory_format", "contiguous_format"),
        ("convert_conv2d_weight_memory_format", "channels_last"),
        ("convert_conv3d_weight_memory_format", "channels_last_3d"),
    ):
        assert run(retrograd, convert, fmt) == run(torch, convert, fmt)


def test_swap_tensors():
    def run(lib):
        a = lib.tensor([1.0, 2.0])
        b = lib.tensor([3.0, 4.0, 5.0], requires_grad=True)
        a.tag = "a"
        lib.utils.swap_tensors(a, b)
        p = lib.nn.Parameter(lib.ones(2))
        lib.utils.swap_tensors(p, lib.zeros(3))
        g = lib.ones(2, requires_grad=True)
        g.grad = lib.full((2,), 7.0)
        h = lib.zeros(2)
        lib.utils.swap_tensors(g, h)
        x = lib.ones(2, requires_grad=True)
        y = x * 3
        lib.utils.swap_tensors(y, lib.zeros(1))
        return (
            a.tolist(),
            a.requires_grad,
            b.tolist(),
            b.requires_grad,
            getattr(b, "tag", None),
            getattr(a, "tag", None),
            type(p).__name__,
            p.tolist(),
            g.grad,
            h.grad.tolist(),
            h.requires_grad,
            y.tolist(),
            y.grad_fn,
        )

    assert run(retrograd) == run(torch)


def test_swap_tensors_errors():
    _same(lambda lib: lib.utils.swap_tensors(1, lib.ones(1)))
    _same(lambda lib: lib.utils.swap_tensors(lib.ones(1), 1))

    def saved_leaf(lib):
        x = lib.ones(2, requires_grad=True)
        y = x.sin()  # noqa: F841  (the graph holds x)
        return lib.utils.swap_tensors(x, lib.zeros(2))

    _same(saved_leaf)


def test_set_module():
    def run(lib):
        def f():
            pass

        lib.utils.set_module(f, "foo.bar")
        return f.__module__

    _same(run)
    _same(lambda lib: lib.utils.set_module(len, 3))


def test_multithreading_switch():
    def run(lib):
        seen = [lib.autograd.is_multithreading_enabled()]
        with lib.autograd.set_multithreading_enabled(False) as inside:
            seen += [inside, lib.autograd.is_multithreading_enabled()]
        seen.append(lib.autograd.is_multithreading_enabled())
        lib.autograd.set_multithreading_enabled(False)
        seen.append(lib.autograd.is_multithreading_enabled())
        lib.autograd.set_multithreading_enabled(True)
        seen.append(lib.autograd.is_multithreading_enabled())
        return seen

    _same(run)
    _same(lambda lib: lib.autograd.set_multithreading_enabled(3))
    _same(lambda lib: lib.autograd.is_view_replay_enabled())


def test_saved_tensor_cannot_be_made():
    _same(lambda lib: lib.autograd.SavedTensor())


def test_stateless_functional_call_warns_and_calls():
    def run(lib):
        layer = lib.nn.Linear(2, 1)
        params = {"weight": lib.tensor([[1.0, 2.0]]), "bias": lib.tensor([0.5])}
        return lib.nn.utils.stateless.functional_call(layer, params, (lib.ones(1, 2),))

    _same(run)


def test_chi2_module_path():
    from retrograd.distributions.chi2 import Chi2

    assert Chi2 is retrograd.distributions.Chi2
    df = np.array([1.5, 3.0, 7.0])
    x = np.array([0.5, 2.0, 6.5])
    rdf, tdf = retrograd.tensor(df, requires_grad=True), torch.tensor(df, requires_grad=True)
    r, t = Chi2(rdf), torch.distributions.chi2.Chi2(tdf)
    rlp = r.log_prob(retrograd.tensor(x))
    tlp = t.log_prob(torch.tensor(x))
    np.testing.assert_allclose(rlp.detach().numpy(), tlp.detach().numpy(), rtol=1e-12)
    rlp.sum().backward()
    tlp.sum().backward()
    np.testing.assert_allclose(rdf.grad.numpy(), tdf.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.mean.detach().numpy(), t.mean.detach().numpy())
    np.testing.assert_allclose(r.variance.detach().numpy(), t.variance.detach().numpy())
    np.testing.assert_allclose(r.entropy().detach().numpy(), t.entropy().detach().numpy())


def test_deterministic_debug_mode_and_warn_always(torch_ref):
    """``set_deterministic_debug_mode`` is ``use_deterministic_algorithms`` by another name (its
    values, their names and its errors as PyTorch's); ``set_warn_always`` keeps its flag."""

    def program(lib):
        seen = []
        for value in ("warn", "error", "default", 1, 2, 0):
            lib.set_deterministic_debug_mode(value)
            seen.append(
                (
                    lib.get_deterministic_debug_mode(),
                    lib.are_deterministic_algorithms_enabled(),
                    lib.is_deterministic_algorithms_warn_only_enabled(),
                )
            )
        lib.use_deterministic_algorithms(True, warn_only=True)
        seen.append(lib.get_deterministic_debug_mode())
        lib.use_deterministic_algorithms(False)
        for bad in (3, 1.5, "x"):
            try:
                lib.set_deterministic_debug_mode(bad)
            except (RuntimeError, TypeError) as e:
                seen.append((type(e).__name__, str(e)))
        lib.set_warn_always(True)
        seen.append(lib.is_warn_always_enabled())
        lib.set_warn_always(False)
        seen.append(lib.is_warn_always_enabled())
        try:
            lib.set_warn_always(1)
        except RuntimeError as e:
            seen.append(str(e))
        return seen

    assert program(retrograd) == program(torch_ref)
