"""``torch.signal.windows``: tapering windows of ``M`` points, symmetric by default (``sym=False``
gives the periodic window used for spectral analysis: one point longer, the last one dropped).

The windows are computed in float64 and given in the requested floating dtype (the default one
unless ``dtype`` says otherwise); they do not require grad unless asked.
"""

import math

from .. import dtypes
from .._array import xp
from ..creation import _python_dtypes
from ..tensor import _make


def _check(name, M, dtype, layout=None, device=None):
    from .. import _device

    if device is not None:
        _device.check(device, True)
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
    if dt not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def _finish(values, dt, requires_grad):
    t = _make(xp.asarray(values, dtype=dt.np))
    return t.requires_grad_() if requires_grad else t


def _points(M, sym):
    """The sample positions 0..N-1 of the symmetric window the result is cut from, and N."""
    n = M if sym else M + 1
    return xp.arange(n, dtype=xp.float64), n


def _general_cosine(name, M, a, sym, dtype, layout, device, requires_grad):
    def formula(k, n):
        return sum((-1) ** i * c * xp.cos(2 * math.pi * i * k / (n - 1)) for i, c in enumerate(a))

    return _simple(name, M, sym, dtype, layout, device, requires_grad, formula)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """A sum of cosines with coefficients ``a``: w[n] = sum_k (-1)^k a[k] cos(2 pi k n / (N-1))."""
    return _general_cosine("general_cosine", M, a, sym, dtype, layout, device, requires_grad)


def general_hamming(
    M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False
):
    """alpha - (1 - alpha) cos(2 pi n / (N-1))."""
    return _general_cosine(
        "general_cosine", M, (alpha, 1.0 - alpha), sym, dtype, layout, device, requires_grad
    )


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hann window: a raised cosine that reaches zero at both ends."""
    return general_hamming(
        M,
        alpha=0.5,
        sym=sym,
        dtype=dtype,
        layout=layout,
        device=device,
        requires_grad=requires_grad,
    )


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hamming window: a raised cosine with alpha = 0.54."""
    return general_hamming(
        M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad
    )


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Blackman window: three cosine terms (0.42, 0.5, 0.08)."""
    return _general_cosine(
        "general_cosine", M, (0.42, 0.5, 0.08), sym, dtype, layout, device, requires_grad
    )


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window."""
    a = (0.3635819, 0.4891775, 0.1365995, 0.0106411)
    return _general_cosine("general_cosine", M, a, sym, dtype, layout, device, requires_grad)


def _simple(name, M, sym, dtype, layout, device, requires_grad, formula):
    dt = _check(name, M, dtype, layout, device)
    if M == 0:
        return _finish(xp.zeros(0), dt, requires_grad)
    if M == 1:
        return _finish(xp.ones(1), dt, requires_grad)
    k, n = _points(M, sym)
    return _finish(formula(k, n)[:M], dt, requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Bartlett (triangular) window, zero at both ends."""
    return _simple(
        "bartlett", M, sym, dtype, layout, device, requires_grad,
        lambda k, n: 1 - xp.abs(2 * k / (n - 1) - 1),
    )  # fmt: skip


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The cosine (sine) window: sin(pi (n + 1/2) / N)."""
    return _simple(
        "cosine", M, sym, dtype, layout, device, requires_grad,
        lambda k, n: xp.sin(math.pi * (k + 0.5) / n),
    )  # fmt: skip


def exponential(
    M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
    requires_grad=False,
):  # fmt: skip
    """exp(-|n - center| / tau), centred on the middle of the window by default."""
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")

    def formula(k, n):
        c = (n - 1) / 2 if center is None else center
        return xp.exp(-xp.abs(k - c) / tau)

    return _simple("exponential", M, sym, dtype, layout, device, requires_grad, formula)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """exp(-((n - (N-1)/2) / std)^2 / 2)."""
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    return _simple(
        "gaussian", M, sym, dtype, layout, device, requires_grad,
        lambda k, n: xp.exp(-(((k - (n - 1) / 2) / std) ** 2) / 2),
    )  # fmt: skip


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Kaiser window: I0(beta sqrt(1 - (2n / (N-1) - 1)^2)) / I0(beta)."""
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return _simple(
        "kaiser", M, sym, dtype, layout, device, requires_grad,
        lambda k, n: xp.i0(beta * xp.sqrt(xp.maximum(0, 1 - (2 * k / (n - 1) - 1) ** 2)))
        / xp.i0(beta),
    )  # fmt: skip


# --- torch.*_window: the periodic forms by default, over window_length ------------------------


def _window(name, window_length, periodic, make):
    if window_length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={window_length}"
        )
    return make(window_length, not periodic)


@_python_dtypes
def hann_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """``torch.hann_window``: the Hann window, periodic unless ``periodic`` is False."""
    return _window(
        "hann_window",
        window_length,
        periodic,
        lambda M, sym: hann(M, sym=sym, dtype=dtype, requires_grad=requires_grad),
    )


@_python_dtypes
def hamming_window(
    window_length,
    periodic=True,
    alpha=0.54,
    beta=0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """``torch.hamming_window``: alpha - beta cos(2 pi n / (N - 1))."""
    return _window(
        "hamming_window",
        window_length,
        periodic,
        lambda M, sym: general_cosine(
            M, a=(alpha, beta), sym=sym, dtype=dtype, requires_grad=requires_grad
        ),
    )


@_python_dtypes
def blackman_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """``torch.blackman_window``."""
    return _window(
        "blackman_window",
        window_length,
        periodic,
        lambda M, sym: blackman(M, sym=sym, dtype=dtype, requires_grad=requires_grad),
    )


@_python_dtypes
def bartlett_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """``torch.bartlett_window``."""
    return _window(
        "bartlett_window",
        window_length,
        periodic,
        lambda M, sym: bartlett(M, sym=sym, dtype=dtype, requires_grad=requires_grad),
    )


@_python_dtypes
def kaiser_window(
    window_length,
    periodic=True,
    beta=12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """``torch.kaiser_window``."""
    return _window(
        "kaiser_window",
        window_length,
        periodic,
        lambda M, sym: kaiser(M, beta=beta, sym=sym, dtype=dtype, requires_grad=requires_grad),
    )


__all__ = [
    "bartlett",
    "blackman",
    "cosine",
    "exponential",
    "gaussian",
    "general_cosine",
    "general_hamming",
    "hamming",
    "hann",
    "kaiser",
    "nuttall",
]
