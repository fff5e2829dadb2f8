"""The discrete Fourier transforms of the op table: the three kernels ``torch.fft`` is made of,
as in PyTorch (complex to complex, real to complex, complex to real), each over a list of dims.

``normalization`` is PyTorch's: 0 leaves the sums unscaled, 1 divides them by the square root of
the signal's size, 2 by its size; it scales a transform the same whichever its direction, so the
adjoint of a transform is the opposite one with the same ``normalization``.  That adjoint is each
formula: for a real loss, the gradient of ``y = W x`` in PyTorch's convention is ``W^H g``.
"""

from .._array import xp
from ..tensor import _make
from .nnops import _constant_pad
from .registry import op

# NumPy's name for a scaling, by (normalization, forward): NumPy's "backward" scales only the
# inverse transforms by 1/n, "forward" only the forward ones, "ortho" both by 1/sqrt(n).
_NUMPY_NORM = {
    (0, True): "backward",
    (0, False): "forward",
    (1, True): "ortho",
    (1, False): "ortho",
    (2, True): "forward",
    (2, False): "backward",
}


def _same_precision(out, a):
    """NumPy's transforms compute in double precision: single-precision inputs get theirs back."""
    single = a.dtype in (xp.float32, xp.complex64)
    if out.dtype.kind == "c":
        return out.astype(xp.complex64 if single else xp.complex128, copy=False)
    return out.astype(xp.float32 if single else xp.float64, copy=False)


@op(
    grads=(lambda g, n: _fft_c2c(g, n.dim, n.normalization, not n.forward),),
    node="FftC2CBackward0",
    jvp="linear",
    method=False,
)
def _fft_c2c(self, dim, normalization, forward):
    norm = _NUMPY_NORM[normalization, forward]
    if self.size == 0:
        return self.copy()
    transform = xp.fft.fftn if forward else xp.fft.ifftn
    return _same_precision(transform(self, axes=dim, norm=norm), self)


def _pad_along(t, d, amount):
    """``t`` with ``amount`` zeros appended along dim ``d`` (differentiably)."""
    pad = [0] * (2 * (t.ndim - d))
    pad[-1] = amount
    return _constant_pad(t, tuple(pad), 0)


def _r2c_grad(g, n):
    # Each output reads the whole real input: the gradient is the real part of the adjoint
    # (inverse) transform of the output gradient, completed with zeros for the half that the
    # one-sided output leaves out.
    dim = n.dim
    if n.onesided:
        last = dim[-1]
        missing = n.self_shape[last] - g.shape[last]
        if missing > 0:
            g = _pad_along(g, last, missing)
    return _fft_c2c(g, dim, n.normalization, False).real


@op(
    saves="self_shape",
    grads=(_r2c_grad,),
    node="FftR2CBackward0",
    jvp="linear",
    method=False,
)
def _fft_r2c(self, dim, normalization, onesided):
    norm = _NUMPY_NORM[normalization, True]
    if self.size == 0:
        shape = list(self.shape)
        if onesided:
            shape[dim[-1]] = shape[dim[-1]] // 2 + 1
        return xp.zeros(shape, xp.complex64 if self.dtype == xp.float32 else xp.complex128)
    transform = xp.fft.rfftn if onesided else xp.fft.fftn
    return _same_precision(transform(self, axes=dim, norm=norm), self)


def _c2r_grad(g, n):
    # PyTorch's gradient: the one-sided transform of the output gradient, its entries that stand
    # for two (a frequency and its mirror image) doubled.
    gi = _fft_r2c(g, n.dim, n.normalization, True)
    last = n.dim[-1]
    m = gi.shape[last]
    doubled = g.shape[last] - m
    if doubled <= 0:
        return gi
    weight = xp.ones(m, dtype=g._data.dtype)
    weight[1 : 1 + doubled] = 2
    return gi * _make(weight.reshape((m,) + (1,) * (gi.ndim - 1 - last)))


@op(grads=(_c2r_grad,), node="FftC2RBackward0", jvp="linear", method=False)
def _fft_c2r(self, dim, normalization, last_dim_size):
    norm = _NUMPY_NORM[normalization, False]
    sizes = [self.shape[d] for d in dim[:-1]] + [last_dim_size]
    if self.size == 0 or last_dim_size == 0:
        shape = list(self.shape)
        shape[dim[-1]] = last_dim_size
        return xp.zeros(shape, xp.float32 if self.dtype == xp.complex64 else xp.float64)
    return _same_precision(xp.fft.irfftn(self, s=sizes, axes=dim, norm=norm), self)


__all__: list[str] = []
