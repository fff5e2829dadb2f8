"""dtype objects (``retrograd.float32`` ...), the default dtype, and PyTorch's type promotion."""

from . import _switches
from ._array import xp

_BOOL, _INT, _FLOAT, _COMPLEX = range(4)
# This module defines dtypes named bool, int and float; keep the Python types at hand.
_pybool, _pyint, _pyfloat, _pycomplex = type(True), type(0), type(0.0), type(0j)  # noqa: UP003


class dtype:
    """A tensor element type; prints as PyTorch does (``torch.float32``)."""

    __slots__ = ("_tensor_name", "category", "is_signed", "itemsize", "name", "np")

    def __init__(self, name, np_dtype, category, tensor_name, itemsize=None):
        self.name = name
        if np_dtype is not None:  # (else found when first needed: see __getattr__)
            self.np = xp.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize if itemsize is None else itemsize
        self.is_signed = category != _BOOL and not name.startswith("uint")
        self._tensor_name = tensor_name

    @property
    def is_floating_point(self) -> bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == _COMPLEX

    def to_real(self) -> "dtype":
        """``dtype.to_real()``: the real type of a complex one (others are returned as they are)."""
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> "dtype":
        """``dtype.to_complex()``: the complex type with this float's precision."""
        if self.category == _COMPLEX:
            return self
        if self is float64:
            return complex128
        if self is float32 or self is float16:
            return complex64  # PyTorch's complex32 has no NumPy counterpart
        raise RuntimeError(f"Unknown Complex ScalarType for {scalar_type_name(self)}")

    def __getattr__(self, name):
        # Only an unset slot comes here: bfloat16's NumPy type, which the ml_dtypes package
        # provides and which is imported when a tensor of it is first made.
        if name != "np" or self.name != "bfloat16":
            raise AttributeError(f"'torch.dtype' object has no attribute '{name}'")
        return _load_bfloat16()

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name


float16 = half = dtype("float16", "float16", _FLOAT, "HalfTensor")
float32 = float = dtype("float32", "float32", _FLOAT, "FloatTensor")
float64 = double = dtype("float64", "float64", _FLOAT, "DoubleTensor")
complex64 = cfloat = dtype("complex64", "complex64", _COMPLEX, "ComplexFloatTensor")
complex128 = cdouble = dtype("complex128", "complex128", _COMPLEX, "ComplexDoubleTensor")
uint8 = dtype("uint8", "uint8", _INT, "ByteTensor")
uint16 = dtype("uint16", "uint16", _INT, "UInt16Tensor")
uint32 = dtype("uint32", "uint32", _INT, "UInt32Tensor")
uint64 = dtype("uint64", "uint64", _INT, "UInt64Tensor")
int8 = dtype("int8", "int8", _INT, "CharTensor")
int16 = short = dtype("int16", "int16", _INT, "ShortTensor")
int32 = int = dtype("int32", "int32", _INT, "IntTensor")
int64 = long = dtype("int64", "int64", _INT, "LongTensor")
bool = dtype("bool", "bool", _BOOL, "BoolTensor")
bfloat16 = dtype("bfloat16", None, _FLOAT, "BFloat16Tensor", itemsize=2)

# The names PyTorch's messages use: the C++ element type and the ScalarType.
CPP_NAMES = {
    float16: "c10::Half",
    bfloat16: "c10::BFloat16",
    float32: "float",
    float64: "double",
    complex64: "c10::complex<float>",
    complex128: "c10::complex<double>",
    uint8: "unsigned char",
    uint16: "short unsigned int",
    uint32: "unsigned int",
    uint64: "long unsigned int",
    int8: "signed char",
    int16: "short int",
    int32: "int",
    int64: "long int",
    bool: "bool",
}


# The C++ names of PyTorch's checked scalar conversion ("value cannot be converted to type ..."):
# the integer types but int by their fixed-width names.
_CHECKED_NAMES = {
    **CPP_NAMES,
    uint8: "uint8_t",
    uint16: "uint16_t",
    uint32: "uint32_t",
    uint64: "uint64_t",
    int8: "int8_t",
    int16: "int16_t",
    int64: "int64_t",
}
# The largest finite value of each float type narrower than a Python float.
_FLOAT_MAX = {float16: 65504.0, bfloat16: 3.3895313892515355e38, float32: 3.4028234663852886e38}
_FLOAT_MAX[complex64] = _FLOAT_MAX[float32]


def checked_scalar(value, d: "dtype", path="scalar"):
    """The Python number ``value`` made a value of ``d`` as PyTorch converts a number that fills a
    tensor: NaN, infinity or a value out of ``d``'s range raises PyTorch's error; a negative
    integer wraps into an unsigned type as in C.  What is checked depends on the ``path`` the
    number takes in PyTorch: "scalar" (``fill_``, ``full``, ``masked_fill`` ...: every type),
    "index" (``x[i] = v``: read as a C long long or double first, so a wider integer raises; the
    16-bit float types take any float) or "tensor" (``tensor(data, dtype=...)``: as "index", no
    float type checked, the error names the dtype as ``int32`` is named).  Values other than
    Python ints and floats are returned as they are."""
    kind = type(value)
    if path == "tensor" and d is uint64:
        return _unsigned_long(value)
    if kind is _pyint:
        if path != "scalar" and not -(2**63) <= value < 2**63:
            raise ValueError("Overflow when unpacking long long")
        if value >= 2**64:
            raise OverflowError("int too big to convert")
        if value < -(2**63):
            raise OverflowError("can't convert negative int to unsigned")
    elif kind is not _pyfloat:
        return value  # (bool, complex, tensors: their own rules)
    category = d.category
    if category == _BOOL:
        return value != 0
    if category == _INT:
        info = xp.iinfo(d.np)
        if kind is _pyint:
            low, high = (info.min if d.is_signed else -info.max), info.max
        else:  # (compared as doubles)
            low, high = _pyfloat(info.min), _pyfloat(info.max)
        if not low <= value <= high:  # (NaN too)
            raise _overflow(d, d.name if path == "tensor" else _CHECKED_NAMES[d])
        return value % (info.max + 1) if value < 0 and not d.is_signed else value
    limit = _FLOAT_MAX.get(d) if path == "scalar" or (path == "index" and d.itemsize > 2) else None
    if limit is not None and limit < abs(value) != xp.inf:
        raise _overflow(d, _CHECKED_NAMES[d])
    return value


def _overflow(d, name):
    return RuntimeError(f"value cannot be converted to type {name} without overflow")


def scalar_type_name(d: dtype) -> str:
    """``Float``, ``Long`` ...: the ScalarType name PyTorch's messages use."""
    return d._tensor_name[: -len("Tensor")]


ALL = (
    float16,
    float32,
    float64,
    complex64,
    complex128,
    uint8,
    int8,
    int16,
    int32,
    int64,
    bool,
    uint16,
    uint32,
    uint64,
)
_WIDE_UNSIGNED = (uint16, uint32, uint64)
FROM_NP = {d.np: d for d in ALL}


def cast(array, np_dtype, order="K"):
    """``array.astype(np_dtype)``, rounding a float64 to bfloat16 through float32 as PyTorch
    does (ml_dtypes rounds once, which differs where the double lies near a tie)."""
    bfloat16 = _switches.bfloat16  # (None until loaded: NumPy reads ``dtype == None`` as float64)
    wide = array.dtype.itemsize > 4 and array.dtype.kind in "fc"
    if bfloat16 is not None and wide and np_dtype == bfloat16:
        array = array.astype(xp.float32, order=order)
    return array.astype(np_dtype, order=order)


def _load_bfloat16():
    """bfloat16's NumPy type, from ml_dtypes (imported now, not with retrograd: it takes a while);
    from then on arrays of it are bfloat16 tensors."""
    try:
        import ml_dtypes
    except ImportError:
        raise ModuleNotFoundError(
            "torch.bfloat16 tensors need the ml_dtypes package, which gives NumPy a bfloat16 type: "
            "pip install ml_dtypes (or retrograd[bf16])"
        ) from None
    np_dtype = bfloat16.np = xp.dtype(ml_dtypes.bfloat16)
    FROM_NP[np_dtype] = bfloat16
    _switches.bfloat16 = np_dtype
    return np_dtype


_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    if d not in (float16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    try:
        return FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{xp.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool."
        ) from None


def can_cast(from_: dtype, to: dtype) -> _pybool:
    """``torch.can_cast``: whether type promotion allows ``from_`` into ``to``: never to a
    lower category (complex to float, float to integer, a number to bool); any width goes."""
    for position, (name, value) in enumerate((("from_", from_), ("to", to)), 1):
        if not isinstance(value, dtype):
            raise TypeError(
                f"can_cast(): argument '{name}' (position {position}) must be torch.dtype, not "
                f"{type(value).__name__}"
            )
    return from_.category <= to.category


def promote_types(a: dtype, b: dtype) -> dtype:
    """``torch.promote_types``: a float beats any integer whatever its width."""
    if a is b:
        return a
    if (a in _WIDE_UNSIGNED or b in _WIDE_UNSIGNED) and not (
        a.category == _FLOAT or b.category == _FLOAT
    ):
        raise RuntimeError(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted "
            f"to promote {scalar_type_name(a)} and {scalar_type_name(b)}"
        )
    if a.category == b.category == _FLOAT and (a is bfloat16 or b is bfloat16):
        # bfloat16 and float16 hold no common subset: float32 holds both (NumPy agrees on the rest)
        return float32 if (a is float16 or b is float16) else (b if a is bfloat16 else a)
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo is float64:
            return complex128
        if lo.category == _BOOL or hi.category != _INT:
            return hi
    return FROM_NP[xp.promote_types(a.np, b.np)]


def _combine(higher, lower):
    """A lower-priority participant only counts when it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or lower.category <= higher.category:
        return higher
    if lower.category == _COMPLEX and higher.category == _FLOAT:
        # The float keeps its precision: float32 tensor + complex128 scalar -> complex64.  (PyTorch
        # gives complex32 for float16; NumPy has none, so complex64 stands in.)
        return complex128 if higher is float64 else complex64
    return promote_types(higher, lower)


def as_dtype(d):
    """A dtype argument as a dtype: PyTorch also takes Python's types (float -> float64,
    int -> int64, bool, complex -> complex128)."""
    return _PY_TYPES.get(d, d) if d.__class__ is type else d


def _unsigned_long(value):
    """A number of ``tensor(data, dtype=torch.uint64)``, which PyTorch reads as an unsigned
    64-bit C integer: a bool or an int in [0, 2**64), no float."""
    kind = type(value)
    if kind is _pyint:
        if value < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if value >= 2**64:
            raise OverflowError("int too big to convert")
    elif kind is _pyfloat or kind is _pycomplex:
        raise TypeError("an integer is required")
    return value


def scalar_dtype(value):
    """The dtype a Python scalar takes as a tensor of its own."""
    if isinstance(value, _pybool):
        return bool
    if isinstance(value, _pyint):
        return int64
    if isinstance(value, _pycomplex):
        return complex64 if _default[0] is float32 else complex128
    return _default[0]


def _operand_dtype(value):
    """The dtype a Python scalar takes as an op's operand: an int is read as a 64-bit scalar,
    an unsigned one from 2**63 on (a bool tensor plus 2**63 is then PyTorch's promotion error)."""
    if value.__class__ is _pyint and not -(2**63) <= value < 2**63:
        if 0 < value < 2**64:
            return uint64
        raise OverflowError(
            "int too big to convert" if value > 0 else "can't convert negative int to unsigned"
        )
    return scalar_dtype(value)


def result_type(*operands) -> dtype:
    """``torch.result_type``: tensors with dimensions outrank 0-dim tensors, which outrank scalars."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is not None and d.__class__ is not dtype:  # a NumPy array: its dtype as ours
            d = from_numpy_dtype(d)
        if d is None:
            d = _operand_dtype(x)
            wrapped = promote_types(wrapped, d) if wrapped else d
        elif x.ndim:
            dim = promote_types(dim, d) if dim else d
        else:
            zero = promote_types(zero, d) if zero else d
    return _combine(_combine(dim, zero), wrapped)


_PY_TYPES = {
    _pybool: bool,
    _pyint: int64,
    type(0.0): float64,  # noqa: UP003
    _pycomplex: complex128,
}  # (type(0.0): the name float is the dtype here)


# (significand bits after the point, exponent bits) of each floating type
_FLOAT_LAYOUT = {"float16": (10, 5), "bfloat16": (7, 8), "float32": (23, 8), "float64": (52, 11)}


class finfo:
    """``torch.finfo(dtype=None)``: the limits of a floating type (a complex one's real part),
    worked out from its layout, so bfloat16's need no ml_dtypes."""

    def __init__(self, type=None):
        d = _default[0] if type is None else type
        if not isinstance(d, dtype) or d.category < _FLOAT:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        d = d.to_real()
        mant, exp = _FLOAT_LAYOUT[d.name]
        bias = 2 ** (exp - 1) - 1
        self.bits = 1 + mant + exp
        self.eps = 2.0**-mant
        self.max = (2.0 - self.eps) * 2.0**bias
        self.min = -self.max
        self.tiny = self.smallest_normal = 2.0 ** (1 - bias)
        self.resolution = 10.0 ** -_pyint(mant * 0.30102999566398120)
        self.dtype = d.name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """``torch.iinfo(dtype)``: the limits of an integer type."""

    def __init__(self, type):
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if not isinstance(type, dtype) or type.category != _INT:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = xp.iinfo(type.np)
        self.bits = 8 * type.itemsize
        self.min = _pyint(info.min)
        self.max = _pyint(info.max)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
