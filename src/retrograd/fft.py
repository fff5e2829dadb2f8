"""``retrograd.fft`` (PyTorch's ``torch.fft``): discrete Fourier transforms.

Each function is made of the three kernels of ``ops.spectral`` as PyTorch makes it, so the graph
holds PyTorch's nodes (``FftR2CBackward0``, ``FftC2RBackward0``, ``ConjBackward0`` ...) and the
gradients follow PyTorch's conventions.  ``n``/``s`` crop (a slice) or zero-pad (a constant pad)
the input first.  Single precision stays single precision (float32 gives complex64).
"""

from . import dtypes
from .ops.complex_numbers import conj_physical
from .ops.composite import narrow
from .ops.nnops import _constant_pad
from .ops.pointwise import conj
from .ops.shape import roll
from .ops.spectral import _fft_c2c, _fft_c2r, _fft_r2c
from .tensor import Tensor, _make, _wrap_dim

_UNSUPPORTED = {dtypes.float16: "Half", dtypes.bfloat16: "BFloat16"}


def _mode(norm, forward):
    """PyTorch's normalization number of a function that transforms ``forward`` or back."""
    if norm is None or norm == "backward":
        return 0 if forward else 2
    if norm == "ortho":
        return 1
    if norm == "forward":
        return 2 if forward else 0
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _floating(x, name=None):
    """``x`` in a type the transforms take: integers and bools in the default float dtype;
    ``name``: a function that takes real input only."""
    dt = x.dtype
    if dt in _UNSUPPORTED:
        raise RuntimeError(f"Unsupported dtype {_UNSUPPORTED[dt]}")
    if not (dt.is_floating_point or dt.is_complex):
        return x.to(dtypes.get_default_dtype())
    if name is not None and dt.is_complex:
        raise RuntimeError(
            f"{name} expects a real input tensor, but got {dt._tensor_name[: -len('Tensor')]}"
        )
    return x


def _complex(x):
    x = _floating(x)
    return x if x.dtype.is_complex else x.to(x.dtype.to_complex())


def _checked_size(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _resized(x, dims, sizes):
    """``x`` cropped or zero-padded to ``sizes`` along ``dims`` (PyTorch's slices, then one pad)."""
    for d, n in zip(dims, sizes):
        if n < x.shape[d]:
            x = narrow(x, d, 0, n)
    grow = [(d, n - x.shape[d]) for d, n in zip(dims, sizes) if n > x.shape[d]]
    if not grow:
        return x
    pad = [0] * (2 * (x.ndim - min(d for d, _ in grow)))
    for d, amount in grow:
        pad[2 * (x.ndim - 1 - d) + 1] = amount
    return _constant_pad(x, tuple(pad), 0)


def _one_dim(x, n, dim):
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    return d, _checked_size(x.shape[d] if n is None else n)


def _dims_and_sizes(x, s, dim, half=False):
    """The dims a multi-dimensional transform runs over and the signal's size along each;
    ``half``: the input's last dim holds one half of a Hermitian signal (sizes are the output's)."""
    if isinstance(dim, int):
        dim = (dim,)
    if s is not None:
        s = tuple(s)
        if dim is not None and len(dim) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > x.ndim:
            raise RuntimeError(
                f"Got shape with {len(s)} values but input tensor only has {x.ndim} dimensions."
            )
        if dim is None:
            dim = tuple(range(x.ndim - len(s), x.ndim))
    if dim is None:
        dim = tuple(range(x.ndim))
    if x.ndim == 0 and dim:
        raise IndexError(f"Dimension specified as {dim[0]} but tensor has no dimensions")
    dims = tuple(_wrap_dim(d, x.ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        sizes = [x.shape[d] for d in dims]
        if half and dims:
            sizes[-1] = 2 * (sizes[-1] - 1)
    else:
        sizes = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
        if half and dims and s[-1] == -1:
            sizes[-1] = 2 * (x.shape[dims[-1]] - 1)
    for n in sizes:
        _checked_size(n)
    return dims, sizes


# --- one dimension ------------------------------------------------------------------------------


def fft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.fft``: the discrete Fourier transform along one dim."""
    x = _floating(input)
    d, n = _one_dim(x, n, dim)
    x = _resized(x, (d,), (n,))
    if not x.dtype.is_complex:
        return _fft_r2c(x, (d,), _mode(norm, True), False)
    return _fft_c2c(x, (d,), _mode(norm, True), True)


def ifft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.ifft``: the inverse of ``fft``."""
    x = _floating(input)
    d, n = _one_dim(x, n, dim)
    x = _resized(x, (d,), (n,))
    if not x.dtype.is_complex:  # of a real signal: the conjugate of its forward transform
        return conj(_fft_r2c(x, (d,), _mode(norm, False), False))
    return _fft_c2c(x, (d,), _mode(norm, False), False)


def rfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.rfft``: the transform of a real signal, its non-negative frequencies only."""
    x = _floating(input, "rfft")
    d, n = _one_dim(x, n, dim)
    return _fft_r2c(_resized(x, (d,), (n,)), (d,), _mode(norm, True), True)


def irfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.irfft``: the inverse of ``rfft``, a real signal of ``n`` points (by default
    ``2 * (size - 1)``)."""
    x = _complex(input)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    n = _checked_size(2 * (x.shape[d] - 1) if n is None else n)
    x = _resized(x, (d,), (n // 2 + 1,))
    return _fft_c2r(x, (d,), _mode(norm, False), n)


def hfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.hfft``: the transform of a Hermitian signal given by its first half, real."""
    x = _complex(input)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    n = _checked_size(2 * (x.shape[d] - 1) if n is None else n)
    x = _resized(x, (d,), (n // 2 + 1,))
    return _fft_c2r(conj(x), (d,), _mode(norm, True), n)


def ihfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """``torch.fft.ihfft``: the inverse of ``hfft``, of a real signal."""
    x = _floating(input, "ihfft")
    d, n = _one_dim(x, n, dim)
    return conj(_fft_r2c(_resized(x, (d,), (n,)), (d,), _mode(norm, False), True))


# --- several dimensions -------------------------------------------------------------------------


def fftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.fftn``: the transform over ``dim`` (all dims by default)."""
    x = _complex(input)
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _fft_c2c(_resized(x, dims, sizes), dims, _mode(norm, True), True)


def ifftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.ifftn``: the inverse of ``fftn``."""
    x = _complex(input)
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _fft_c2c(_resized(x, dims, sizes), dims, _mode(norm, False), False)


def rfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.rfftn``: ``fftn`` of a real signal, one-sided along the last dim."""
    x = _floating(input, "rfftn")
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _fft_r2c(_resized(x, dims, sizes), dims, _mode(norm, True), True)


def irfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.irfftn``: the inverse of ``rfftn``."""
    x = _complex(input)
    dims, sizes = _dims_and_sizes(x, s, dim, half=True)
    last = sizes[-1]
    x = _resized(x, dims, sizes[:-1] + [last // 2 + 1])
    return _fft_c2r(x, dims, _mode(norm, False), last)


def hfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.hfftn``: ``hfft`` over several dims, real."""
    x = _complex(input)
    dims, sizes = _dims_and_sizes(x, s, dim, half=True)
    last = sizes[-1]
    x = _resized(x, dims, sizes[:-1] + [last // 2 + 1])
    return _fft_c2r(conj(x), dims, _mode(norm, True), last)


def ihfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """``torch.fft.ihfftn``: the inverse of ``hfftn``, of a real signal, one-sided."""
    x = _floating(input, "ihfftn")
    dims, sizes = _dims_and_sizes(x, s, dim)
    x = _resized(x, dims, sizes)
    mode = _mode(norm, False)
    out = _fft_r2c(x, dims[-1:], mode, True)
    if len(dims) == 1:
        return conj(out)
    return _fft_c2c(conj_physical(out), dims[:-1], mode, False)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.fft2``: ``fftn`` over the last two dims."""
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.ifft2``: ``ifftn`` over the last two dims."""
    return ifftn(input, s, dim, norm)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.rfft2``: ``rfftn`` over the last two dims."""
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.irfft2``: ``irfftn`` over the last two dims."""
    return irfftn(input, s, dim, norm)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.hfft2``: ``hfftn`` over the last two dims."""
    return hfftn(input, s, dim, norm)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """``torch.fft.ihfft2``: ``ihfftn`` over the last two dims."""
    return ihfftn(input, s, dim, norm)


# --- frequencies and shifts ---------------------------------------------------------------------


def _frequencies(values, dtype, layout, device, requires_grad):
    from ._device import check, strided

    check(device, factory=True)
    if layout is not None:
        if layout is not strided:
            raise NotImplementedError(f"fft frequencies with layout {layout}")
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    return _make(values.astype(dtype.np), requires_grad)


def fftfreq(
    n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``torch.fft.fftfreq``: the sample frequencies of ``fft`` for ``n`` points spaced ``d``."""
    from ._array import xp

    return _frequencies(xp.fft.fftfreq(n, d), dtype, layout, device, requires_grad)


def rfftfreq(
    n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``torch.fft.rfftfreq``: the sample frequencies of ``rfft``."""
    from ._array import xp

    return _frequencies(xp.fft.rfftfreq(n, d), dtype, layout, device, requires_grad)


def _shifted(x, dim, shift):
    if dim is None:
        dim = tuple(range(x.ndim))
    elif isinstance(dim, int):
        dim = (dim,)
    dims = [_wrap_dim(d, x.ndim) for d in dim]
    return roll(x, [shift(x.shape[d]) for d in dims], dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """``torch.fft.fftshift``: the zero frequency moved to the middle (a ``roll``)."""
    return _shifted(input, dim, lambda n: n // 2)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """``torch.fft.ifftshift``: the inverse of ``fftshift``."""
    return _shifted(input, dim, lambda n: (n + 1) // 2)


__all__ = [
    "fft",
    "ifft",
    "fft2",
    "ifft2",
    "fftn",
    "ifftn",
    "rfft",
    "irfft",
    "rfft2",
    "irfft2",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "hfft2",
    "ihfft2",
    "hfftn",
    "ihfftn",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]


def _take_out():
    """PyTorch's ``out=`` on every transform (see _out)."""
    from ._out import with_out

    g = globals()
    for name in __all__[:20]:  # (the transforms and frequencies; the shifts take no out)
        g[name] = with_out(g[name], f"fft_{name}")


_take_out()
