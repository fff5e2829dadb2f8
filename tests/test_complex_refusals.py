"""Ops without a complex kernel in PyTorch refuse complex input with PyTorch's error (type and
text), rather than answer or fail inside NumPy: each call runs on both libraries."""

import numpy as np
import pytest
import torch as torch_ref

import retrograd
from retrograd.autograd import gradcheck


def _z(t, dtype="complex128"):
    return t.tensor(
        [[1 + 2j, -0.5 + 0.3j, 2 - 1j], [0.2 - 0.7j, -1.5 + 0.1j, 0.3 + 0.4j]],
        dtype=getattr(t, dtype),
    )


CALLS = {
    "sort": lambda t, z: t.sort(z),
    "sort_method": lambda t, z: z.sort(dim=0, descending=True),
    "argsort": lambda t, z: t.argsort(z),
    "max": lambda t, z: t.max(z),
    "max_dim": lambda t, z: t.max(z, 1),
    "min": lambda t, z: z.min(),
    "min_dim": lambda t, z: t.min(z, 0),
    "amax": lambda t, z: t.amax(z),
    "amin": lambda t, z: t.amin(z, 1),
    "aminmax": lambda t, z: t.aminmax(z),
    "argmax": lambda t, z: t.argmax(z),
    "argmin": lambda t, z: z.argmin(1),
    "topk": lambda t, z: t.topk(z, 2),
    "kthvalue": lambda t, z: t.kthvalue(z, 1),
    "median": lambda t, z: t.median(z),
    "median_dim": lambda t, z: t.median(z, 1),
    "nanmedian": lambda t, z: t.nanmedian(z),
    "nanmedian_dim": lambda t, z: t.nanmedian(z, 0),
    "mode": lambda t, z: t.mode(z),
    "cummax": lambda t, z: t.cummax(z, 1),
    "cummin": lambda t, z: t.cummin(z, 0),
    "sign": lambda t, z: t.sign(z),
    "floor": lambda t, z: t.floor(z),
    "ceil": lambda t, z: z.ceil(),
    "trunc": lambda t, z: t.trunc(z),
    "round": lambda t, z: t.round(z),
    "round_decimals": lambda t, z: t.round(z, decimals=1),
    "clamp": lambda t, z: t.clamp(z, 0, 1),
    "clamp_min": lambda t, z: t.clamp(z, min=0),
    "clamp_tensor": lambda t, z: t.clamp(z, min=t.zeros(3, dtype=z.dtype)),
    "maximum": lambda t, z: t.maximum(z, z),
    "minimum": lambda t, z: t.minimum(z, z),
    "erf": lambda t, z: t.erf(z),
    "erf_": lambda t, z: z.erf_(),
    "erfc": lambda t, z: t.erfc(z),
    "erfinv": lambda t, z: t.erfinv(z),
    "entr": lambda t, z: t.special.entr(z),
    "xlogy": lambda t, z: t.xlogy(z, z),
    "xlog1py": lambda t, z: t.special.xlog1py(z, z),
    "zeta": lambda t, z: t.special.zeta(z, z),
    "searchsorted": lambda t, z: t.searchsorted(z[0], z),
    "bucketize": lambda t, z: t.bucketize(z, z[0]),
    "softmax": lambda t, z: t.softmax(z, 1),
    "softmax_dim0": lambda t, z: t.softmax(z, 0),
    "log_softmax": lambda t, z: t.nn.functional.log_softmax(z, 1),
    "nansum": lambda t, z: t.nansum(z),
    "nanmean": lambda t, z: t.nanmean(z),
    "unique": lambda t, z: t.unique(z),
    "unique_dim": lambda t, z: t.unique(z, dim=0),
    "gelu": lambda t, z: t.nn.functional.gelu(z),
    "softplus": lambda t, z: t.nn.functional.softplus(z),
    "elu": lambda t, z: t.nn.functional.elu(z),
    "elu_inplace": lambda t, z: t.nn.functional.elu(z, inplace=True),
    "celu": lambda t, z: t.nn.functional.celu(z),
    "selu": lambda t, z: t.nn.functional.selu(z),
    "mish": lambda t, z: t.nn.functional.mish(z),
    "logsigmoid": lambda t, z: t.nn.functional.logsigmoid(z),
    "hardtanh": lambda t, z: t.nn.functional.hardtanh(z),
    "relu": lambda t, z: t.relu(z),
    "relu6": lambda t, z: t.nn.functional.relu6(z),
    "leaky_relu": lambda t, z: t.nn.functional.leaky_relu(z),
    "leaky_relu_inplace": lambda t, z: t.nn.functional.leaky_relu(z, inplace=True),
    "hardsigmoid": lambda t, z: t.nn.functional.hardsigmoid(z),
    "hardswish": lambda t, z: t.nn.functional.hardswish(z),
    "threshold": lambda t, z: t.nn.functional.threshold(z, 0.1, 0.0),
    "glu": lambda t, z: t.nn.functional.glu(z[:, :2]),
    "frac": lambda t, z: t.frac(z),
    "i0": lambda t, z: t.i0(z),
    "mvlgamma": lambda t, z: t.mvlgamma(z, 1),
    "lgamma": lambda t, z: t.lgamma(z),
    "digamma": lambda t, z: t.digamma(z),
    "polygamma1": lambda t, z: t.polygamma(1, z),
    "polygamma2": lambda t, z: t.polygamma(2, z),
    "atan2": lambda t, z: t.atan2(z, z),
    "hypot": lambda t, z: t.hypot(z, z),
    "fmod": lambda t, z: t.fmod(z, z),
    "fmod_number": lambda t, z: t.fmod(z, 2),
    "remainder": lambda t, z: t.remainder(z, z),
    "logit": lambda t, z: t.logit(z),
    "copysign": lambda t, z: t.copysign(z, z),
    "nextafter": lambda t, z: t.nextafter(z, z),
    "heaviside": lambda t, z: t.heaviside(z, z),
    "frexp": lambda t, z: t.frexp(z),
    "logaddexp2": lambda t, z: t.logaddexp2(z, z),
    "lt": lambda t, z: t.lt(z, z),
    "ge": lambda t, z: z >= z,
    "erfcx": lambda t, z: t.special.erfcx(z),
    "ndtri": lambda t, z: t.special.ndtri(z),
    "log_ndtr": lambda t, z: t.special.log_ndtr(z),
    "i0e": lambda t, z: t.special.i0e(z),
    "i1": lambda t, z: t.special.i1(z),
    "mse_loss": lambda t, z: t.nn.functional.mse_loss(z, z),
    "huber_loss": lambda t, z: t.nn.functional.huber_loss(z, z * 2),
    "layer_norm": lambda t, z: t.nn.functional.layer_norm(z, (3,)),
    "silu_autograd": lambda t, z: t.nn.functional.silu(z.requires_grad_()),
    "kl_div": lambda t, z: t.nn.functional.kl_div(z.real, z, reduction="sum"),
    "cosine_similarity": lambda t, z: t.nn.functional.cosine_similarity(z.real, z),
    "cdist": lambda t, z: t.cdist(z.real, z),
    "binary_cross_entropy": lambda t, z: t.nn.functional.binary_cross_entropy(z, z),
    "max_pool1d": lambda t, z: t.nn.functional.max_pool1d(z[None], 2),
    "avg_pool1d": lambda t, z: t.nn.functional.avg_pool1d(z[None], 2),
    "max_pool2d": lambda t, z: t.nn.functional.max_pool2d(z[None, None], 2),
    "avg_pool2d": lambda t, z: t.nn.functional.avg_pool2d(z[None, None], 2),
    "histc": lambda t, z: t.histc(z),
    "bincount": lambda t, z: t.bincount(z[0]),
    "exponential_": lambda t, z: z.exponential_(),
}


def _outcome(t, fn, dtype):
    try:
        fn(t, _z(t, dtype))
    except Exception as e:  # noqa: BLE001 (the error is what is compared)
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", list(CALLS))
def test_refused_as_pytorch_refuses(name, dtype):
    want = _outcome(torch_ref, CALLS[name], dtype)
    assert want is not None, f"PyTorch now runs {name} for complex input"
    assert _outcome(retrograd, CALLS[name], dtype) == want


def test_real_inputs_still_run():
    x = retrograd.tensor([[0.5, -1.0, 2.0]], dtype=retrograd.float64)
    assert retrograd.erf(x).dtype == retrograd.float64
    assert retrograd.maximum(x, x).tolist() == x.tolist()
    assert retrograd.sort(x).values.tolist() == [[-1.0, 0.5, 2.0]]


def test_silu_complex_values_without_grad():
    with torch_ref.no_grad():
        want = torch_ref.nn.functional.silu(_z(torch_ref))
    got = retrograd.nn.functional.silu(_z(retrograd))
    assert str(got.dtype) == str(want.dtype)
    assert got.numpy() == pytest.approx(want.numpy())


@pytest.mark.parametrize("dim", [0, 1])
def test_complex_logaddexp_and_logcumsumexp(dim):
    go = [[0.5 - 1j, 2 + 0.1j, -0.3 + 0.2j], [1j, -1 + 0j, 0.7 - 0.7j]]

    def run(t):
        a = _z(t).requires_grad_()
        b = t.tensor([0.3 - 0.2j, 1.1 + 0.5j, -0.4 + 2j], dtype=t.complex128, requires_grad=True)
        out = []
        for y in (t.logaddexp(a, b), t.logcumsumexp(a * 3, dim)):
            gs = t.autograd.grad(y, [a, b], t.tensor(go), create_graph=True, allow_unused=True)
            gs = [g for g in gs if g is not None]
            (gg,) = t.autograd.grad(sum((g * g.conj()).real.sum() for g in gs), [a])
            out += [y.detach().numpy(), *(g.detach().numpy() for g in gs), gg.numpy()]
        return out

    for o, w in zip(run(retrograd), run(torch_ref), strict=True):
        assert o == pytest.approx(w, rel=1e-10, abs=1e-12)


_INF, _NAN = float("inf"), float("nan")


@pytest.mark.parametrize(
    "values",
    [
        [complex(-_INF, 1), complex(-_INF, 2), 1 - 0j, complex(_INF, 1), complex(_INF, 2)],
        [1 + 3j, 1 - 3j, 1 + 3j],  # equal real parts: which one the log starts from
        [complex(1, _NAN), 1 + 2j],
        [complex(_NAN, 1), 1 + 2j],
    ],
)
def test_complex_logaddexp_and_logcumsumexp_at_infinities_ties_and_nans(values):
    """The running value starts from -inf+0j, an element of real part -inf leaves it as it is,
    equal real parts start from the element; logaddexp keeps its first argument's on a tie."""

    def run(t):
        z = t.tensor(values, dtype=t.complex128)
        return [t.logcumsumexp(z, 0).numpy(), t.logaddexp(z, z.flip(0)).numpy()]

    for o, w in zip(run(retrograd), run(torch_ref), strict=True):
        np.testing.assert_allclose(o, w, rtol=1e-14)


def test_complex_logcumsumexp_gradient_with_zero_output_gradients():
    """Gradcheck's one-hot output gradients: the log of a zero is -inf, and the reversed running
    sum of -inf terms is -inf+0j, not nan."""
    z = retrograd.tensor(_z(torch_ref).numpy(), requires_grad=True)
    assert gradcheck(lambda z: retrograd.logcumsumexp(z, 1), [z])

    def outcome(t):
        try:
            t.nanquantile(t.tensor([1, 2]), 0.5)
        except RuntimeError as e:
            return str(e)

    assert outcome(retrograd) == outcome(torch_ref)
