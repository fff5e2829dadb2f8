"""``nn.attention`` against PyTorch: ``SDPBackend``, ``sdpa_kernel`` (which kernel runs, the
errors when none can, restoring the switches) and the causal biases of ``nn.attention.bias``."""

import numpy as np
import pytest
import torch
import torch.nn.attention.bias

import retrograd


def _tensors(lib, *shapes, seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    return [
        lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=requires_grad)
        for s in shapes
    ]


def test_backend_members():
    t, r = torch.nn.attention.SDPBackend, retrograd.nn.attention.SDPBackend
    assert [(k, int(v)) for k, v in r.__members__.items()] == [
        (k, int(v)) for k, v in t.__members__.items()
    ]
    for name in t.__members__:
        assert repr(getattr(r, name)) == repr(getattr(t, name))
        assert str(getattr(r, name)) == str(getattr(t, name))
        assert getattr(r, name).name == name
    assert retrograd.nn.attention.WARN_FOR_UNFUSED_KERNELS == (
        torch.nn.attention.WARN_FOR_UNFUSED_KERNELS
    )


BACKENDS = [
    ["MATH"],
    ["FLASH_ATTENTION"],
    ["EFFICIENT_ATTENTION"],
    ["CUDNN_ATTENTION"],
    ["OVERRIDEABLE"],
    ["ERROR"],
    [],
    ["EFFICIENT_ATTENTION", "MATH"],
    ["FLASH_ATTENTION", "MATH"],
]


def _sdpa_outcome(lib, names, shapes, set_priority=False, as_list=True, **kw):
    backend = lib.nn.attention.SDPBackend
    chosen = [getattr(backend, n) for n in names] if as_list else getattr(backend, names[0])
    q, k, v = _tensors(lib, *shapes, requires_grad=True)
    try:
        with lib.nn.attention.sdpa_kernel(chosen, set_priority=set_priority) as inside:
            out = lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)
            inner = (
                lib.backends.cuda.flash_sdp_enabled(),
                lib.backends.cuda.math_sdp_enabled(),
                lib.backends.cuda.mem_efficient_sdp_enabled(),
                lib.backends.cuda.cudnn_sdp_enabled(),
            )
    except RuntimeError as e:
        return ("raises", str(e)), lib.backends.cuda.flash_sdp_enabled()
    out.sum().backward()
    return (
        inside,
        inner,
        type(out.grad_fn).__name__,
        out.detach().numpy(),
        q.grad.numpy(),
    ), lib.backends.cuda.flash_sdp_enabled()


def _compare(a, b):
    if a[0][0] == "raises" or b[0][0] == "raises":
        assert a == b
        return
    (ri, rs, rn, ro, rg), rafter = a
    (ti, ts, tn, to, tg), tafter = b
    assert (ri, rs, rn, rafter) == (ti, ts, tn, tafter)
    np.testing.assert_allclose(ro, to, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rg, tg, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("names", BACKENDS)
@pytest.mark.parametrize("shapes", [[(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)], [(3, 4, 8)] * 3])
def test_sdpa_kernel_chooses_as_pytorch(names, shapes):
    _compare(_sdpa_outcome(retrograd, names, shapes), _sdpa_outcome(torch, names, shapes))


def test_single_backend_and_priority():
    shapes = [(2, 3, 4, 8)] * 3
    _compare(
        _sdpa_outcome(retrograd, ["MATH"], shapes, as_list=False),
        _sdpa_outcome(torch, ["MATH"], shapes, as_list=False),
    )
    names = ["MATH", "FLASH_ATTENTION"]
    _compare(
        _sdpa_outcome(retrograd, names, shapes, set_priority=True),
        _sdpa_outcome(torch, names, shapes, set_priority=True),
    )


@pytest.mark.parametrize("bad", ["math", 3, None, [0]])
def test_sdpa_kernel_rejects_non_backends(bad):
    def run(lib):
        try:
            with lib.nn.attention.sdpa_kernel(bad):
                return "entered"
        except AssertionError as e:
            return str(e)

    assert run(retrograd) == run(torch)


def test_sdpa_kernel_as_decorator_restores():
    def run(lib):
        @lib.nn.attention.sdpa_kernel(lib.nn.attention.SDPBackend.MATH)
        def inside():
            return lib.backends.cuda.flash_sdp_enabled(), lib.backends.cuda.math_sdp_enabled()

        return inside(), lib.backends.cuda.flash_sdp_enabled()

    assert run(retrograd) == run(torch)


@pytest.mark.parametrize("variant", ["causal_upper_left", "causal_lower_right"])
@pytest.mark.parametrize("lq, lk", [(4, 6), (5, 5), (6, 4)])
def test_causal_bias(variant, lq, lk):
    def run(lib):
        bias = getattr(lib.nn.attention.bias, variant)(lq, lk)
        q, k, v = _tensors(lib, (2, 2, lq, 8), (2, 2, lk, 8), (2, 2, lk, 8), requires_grad=True)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        out.sum().backward()
        return (
            bias._materialize().numpy(),
            int(bias.variant),
            (bias.seq_len_q, bias.seq_len_kv),
            np.nan_to_num(out.detach().numpy()),
            np.nan_to_num(k.grad.numpy()),
        )

    for a, b in zip(run(retrograd), run(torch), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_causal_bias_errors():
    def run(lib, fn):
        try:
            fn(lib.nn.attention.bias)
        except AssertionError as e:
            return str(e)

    for fn in (
        lambda b: b.causal_upper_left(3),
        lambda b: b.causal_lower_right(1, 2, 3),
        lambda b: b.CausalBias(3, 3, 4),
    ):
        assert run(retrograd, fn) == run(torch, fn)
    assert [
        (k, int(v)) for k, v in retrograd.nn.attention.bias.CausalVariant.__members__.items()
    ] == [(k, int(v)) for k, v in torch.nn.attention.bias.CausalVariant.__members__.items()]
