"""Complex numbers: their parts as views (``view_as_real``, ``real``, ``imag``), complex tensors
made of real ones (``complex``, ``polar``, ``view_as_complex``), and the conjugation queries.

Gradients follow PyTorch's convention for complex values: the gradient of a real loss ``L`` with
respect to ``z = x + iy`` is ``dL/dx + i dL/dy``.  ``conj``, ``angle`` and ``sgn`` are elementwise
ops in ``pointwise``.
"""

from .._array import xp
from ..dtypes import FROM_NP
from ..tensor import Tensor
from .pointwise import cj
from .registry import op, tensor_method


def _type_name(a):
    return FROM_NP[a.dtype]._tensor_name[: -len("Tensor")]


def _check_view_as_real(a):
    if a.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")


@op(
    view=True,
    check=_check_view_as_real,
    grads=(lambda g, n: view_as_complex(g.contiguous()),),
    node="ViewAsRealBackward0",
)
def view_as_real(self):
    """``torch.view_as_real``: a complex tensor seen as real pairs in a last dimension of 2, of
    any strides (the new last axis is the one whose items change size)."""
    return self[..., None].view(self.real.dtype)


def _check_view_as_complex(a):
    if a.dtype not in (xp.float32, xp.float64, xp.float16):
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {_type_name(a)}"
        )
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.size == 0:  # (NumPy gives an array with no elements strides of its own: no check)
        return
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * a.itemsize) for s, n in zip(a.strides[:-1], a.shape) if n > 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if a.__array_interface__["data"][0] % (2 * a.itemsize):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")


@op(view=True, check=_check_view_as_complex, grads=(lambda g, n: view_as_real(g),))
def view_as_complex(self):
    """``torch.view_as_complex``: real pairs in a last dimension of 2 seen as complex numbers."""
    if self.dtype == xp.float16:
        raise NotImplementedError("view_as_complex of float16 (complex32) is not supported")
    return self.view(_complex_of(self))[..., 0]


@tensor_method
def real(input):
    """``torch.real``: the real part of a complex tensor, as a view (writes reach the tensor);
    a real tensor is its own real part."""
    if input._data.dtype.kind != "c":
        return input
    return view_as_real(input).select(-1, 0)


@tensor_method
def imag(input):
    """``torch.imag``: the imaginary part of a complex tensor, as a view."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _set_part(part):
    def setter(self, value):
        part(self).copy_(value)

    return setter


def _check_complex_parts(a, b, what):
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"Expected object of scalar type {_type_name(a)} but got scalar type {_type_name(b)} "
            "for second argument"
        )
    if a.dtype not in (xp.float32, xp.float64):
        raise RuntimeError(
            f"Expected both inputs to be Half, Float or Double tensors but got {_type_name(a)} "
            f"and {_type_name(b)}"
        )


@op(
    inputs="real imag",
    broadcast=True,
    check=lambda a, b: _check_complex_parts(a, b, "complex"),
    grads=(lambda g, n: g.real, lambda g, n: g.imag if g.is_complex() else g * 0),
)
def complex(real, imag):
    """``torch.complex``: real + i imag, from two float tensors of one dtype."""
    out = xp.empty(xp.broadcast_shapes(real.shape, imag.shape), _complex_of(real))
    out.real = real
    out.imag = imag
    return out


def _complex_of(a):
    return xp.complex64 if a.dtype == xp.float32 else xp.complex128


def _polar_abs_grad(g, n):
    # z = r (cos t + i sin t): dL/dr = Re(conj(g) dz/dr)
    t = n.angle
    return g.real * t.cos() + g.imag * t.sin()


def _polar_angle_grad(g, n):
    # dL/dt = Re(conj(g) i z) = Im(g conj(z))
    return (g * cj(n.result)).imag


@op(
    inputs="abs angle",
    saves=("angle", "result"),
    broadcast=True,
    check=lambda a, b: _check_complex_parts(a, b, "polar"),
    grads=(_polar_abs_grad, _polar_angle_grad),
)
def polar(abs, angle):
    """``torch.polar``: abs * (cos(angle) + i sin(angle))."""
    out = xp.empty(xp.broadcast_shapes(abs.shape, angle.shape), _complex_of(abs))
    out.real = abs * xp.cos(angle)
    out.imag = abs * xp.sin(angle)
    return out


@op(
    grads=(lambda g, n: conj_physical(g),),
    jvp="linear",
    node="ConjPhysicalBackward0",
    method=False,
)
def _conj_physical(self):
    return xp.conj(self)


@tensor_method
def conj_physical(input):
    """``torch.conj_physical``: the conjugate computed at once (here ``conj`` is too); a real
    tensor is returned as it is."""
    if input._data.dtype.kind != "c":
        return input
    return _conj_physical(input)


@tensor_method
def resolve_conj(input):
    """``torch.resolve_conj``: conjugates here are never lazy, so the tensor itself."""
    return input


@tensor_method
def resolve_neg(input):
    """``torch.resolve_neg``: negations here are never lazy, so the tensor itself."""
    return input


def _tensor_argument(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )


@tensor_method
def is_conj(input) -> bool:
    """``torch.is_conj``: False (conjugates are computed, never lazy views)."""
    _tensor_argument("is_conj", input)
    return False


@tensor_method
def is_neg(input) -> bool:
    """``torch.is_neg``: False (negations are computed, never lazy views)."""
    _tensor_argument("is_neg", input)
    return False


def is_complex(input) -> bool:
    """``torch.is_complex``."""
    return input.is_complex()


def install_parts():
    """``Tensor.real`` and ``Tensor.imag``: properties that read the views and write through them
    (``z.real = x`` copies ``x`` in)."""
    Tensor.real = property(real, _set_part(real))
    Tensor.imag = property(imag, _set_part(imag))


__all__ = [
    "view_as_real",
    "view_as_complex",
    "real",
    "imag",
    "complex",
    "polar",
    "conj_physical",
    "resolve_conj",
    "resolve_neg",
    "is_conj",
    "is_neg",
    "is_complex",
]
