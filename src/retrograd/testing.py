"""``retrograd.testing``: ``assert_close`` and ``make_tensor``, as ``torch.testing`` has them.

``assert_close`` uses PyTorch's default tolerances for each dtype and reports a mismatch in
PyTorch's words, so a test written for PyTorch passes and fails alike here.
"""

import cmath
from collections.abc import Mapping, Sequence

from . import dtypes
from ._array import ndarray, xp
from .tensor import Tensor, _make

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype when neither is given; integers and bools compare exactly.
_TOLERANCES = {
    dtypes.float16: (1e-3, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
    dtypes.complex64: (1.3e-6, 1e-5),
    dtypes.complex128: (1e-7, 1e-7),
}
_BFLOAT16 = getattr(dtypes, "bfloat16", None)
if _BFLOAT16 is not None:
    _TOLERANCES[_BFLOAT16] = (1.6e-2, 1e-5)


def _tolerances(*dts, rtol=None, atol=None):
    if rtol is not None:
        return rtol, atol
    pairs = [_TOLERANCES.get(d, (0.0, 0.0)) for d in dts]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


class _Mismatch(AssertionError):
    pass


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses: bool = True,
    rtol=None,
    atol=None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg=None,
) -> None:
    """``torch.testing.assert_close``: ``actual`` and ``expected`` (tensors, NumPy arrays, numbers,
    or sequences and mappings of them) are equal within ``rtol``/``atol``.

    Every tensor is a dense tensor on the CPU, so ``check_device`` and ``check_layout`` always hold.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'atol' if atol is None else 'rtol'}."
        )
    options = {
        "allow_subclasses": allow_subclasses,
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    try:
        _compare(actual, expected, (), options)
    except _Mismatch as e:
        text = str(e)
        if isinstance(msg, str):
            text = msg
        elif callable(msg):
            text = msg(text)
        raise AssertionError(text) from None


def _where(path) -> str:
    return "\n\nThe failure occurred for item " + "".join(f"[{k!r}]" for k in path) if path else ""


def _no_pair(actual, expected):
    return TypeError(
        f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
    )


def _compare(actual, expected, path, options) -> None:
    tensor_like = (Tensor, ndarray)
    if isinstance(actual, tensor_like) or isinstance(expected, tensor_like):
        if isinstance(actual, Tensor) and isinstance(expected, Tensor):
            if not options["allow_subclasses"] and type(actual) is not type(expected):
                raise _no_pair(actual, expected)
            _compare_arrays(actual, expected, path, options)
        elif isinstance(actual, ndarray) and isinstance(expected, ndarray):
            _compare_arrays(_make(actual), _make(expected), path, options)
        else:
            raise _no_pair(actual, expected)
    elif actual is None or expected is None:
        if actual is not None or expected is not None:
            raise _no_pair(actual, expected)
    elif isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise _Mismatch(f"Booleans mismatch: {actual} is not {expected}" + _where(path))
    elif isinstance(actual, (int, float, complex)) and isinstance(expected, (int, float, complex)):
        _compare_scalars(actual, expected, path, options)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            raise _Mismatch(
                "The keys of the mappings do not match:\nMissing keys in the actual "
                f"mapping: {sorted(set(expected) - set(actual), key=repr)}\n"
                "Additional keys in the actual mapping: "
                f"{sorted(set(actual) - set(expected), key=repr)}" + _where(path)
            )
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), options)
    elif (
        isinstance(actual, Sequence)
        and isinstance(expected, Sequence)
        and not isinstance(actual, str)
        and not isinstance(expected, str)
    ):
        if len(actual) != len(expected):
            raise _Mismatch(
                f"The length of the sequences mismatch: {len(actual)} != "
                f"{len(expected)}" + _where(path)
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + (i,), options)
    else:
        raise _no_pair(actual, expected)


def _compare_scalars(actual, expected, path, options) -> None:
    if options["check_dtype"] and type(actual) is not type(expected):
        raise _Mismatch(
            f"The (d)types do not match: {type(actual)} != {type(expected)}." + _where(path)
        )
    kinds = {type(actual), type(expected)}
    dt = dtypes.complex128 if complex in kinds else dtypes.float64 if float in kinds else None
    rtol, atol = _tolerances(dt, rtol=options["rtol"], atol=options["atol"])
    both_nan = cmath.isnan(actual) and cmath.isnan(expected)
    if actual == expected or (options["equal_nan"] and both_nan):
        return
    diff = abs(actual - expected)
    if diff <= atol + rtol * abs(expected) and cmath.isfinite(expected):
        return
    rel = diff / abs(expected) if expected != 0 else float("inf") if diff else float("nan")
    exact = rtol == 0 and atol == 0
    text = (
        f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {expected} but got "
        f"{actual}.\nAbsolute difference: {diff}{_allowed(atol, exact)}\n"
        f"Relative difference: {rel}{_allowed(rtol, exact)}"
    )
    raise _Mismatch(text + _where(path))


def _allowed(tol, exact: bool) -> str:
    return "" if exact else f" (up to {tol} allowed)"


def _compare_arrays(actual: Tensor, expected: Tensor, path, options) -> None:
    for name, a, e in (
        ("shape", actual.shape, expected.shape),
        ("dtype", actual.dtype, expected.dtype),
        ("stride()", actual.stride(), expected.stride()),
    ):
        if name == "dtype" and not options["check_dtype"]:
            continue
        if name == "stride()" and not options["check_stride"]:
            continue
        if a != e:
            raise _Mismatch(
                f"The values for attribute '{name}' do not match: {a} != {e}." + _where(path)
            )
    rtol, atol = _tolerances(
        actual.dtype, expected.dtype, rtol=options["rtol"], atol=options["atol"]
    )
    if options["rtol"] is not None and (rtol < 0 or atol < 0):
        raise RuntimeError(f"rtol and atol must be non-negative, got rtol={rtol} and atol={atol}")
    a, e = actual._data, expected._data
    if a.dtype != e.dtype:
        common = xp.result_type(a, e)
        a, e = a.astype(common), e.astype(common)
    exact_kind = a.dtype.kind in "biu"
    if exact_kind:  # differences of integers and bools, without wrapping around
        a, e = a.astype(xp.int64), e.astype(xp.int64)
    with xp.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diff = xp.abs(a - e)
        close = (a == e) | (diff <= atol + rtol * xp.abs(e))
        if not exact_kind:  # infinities match only themselves
            close &= (a == e) | xp.isfinite(e)
        if options["equal_nan"] and not exact_kind:
            close |= xp.isnan(a) & xp.isnan(e)
        if close.all():
            return
        scale = xp.abs(e)
        if exact_kind:  # relative differences in the default float dtype, as PyTorch's
            diff_f = diff.astype(dtypes.get_default_dtype().np)
            rel = diff_f / scale.astype(diff_f.dtype)
        else:
            rel = diff / scale
    exact = rtol == 0 and atol == 0
    if a.ndim == 0:
        text = (
            f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {e.item()} but got "
            f"{a.item()}.\nAbsolute difference: {diff.item()}{_allowed(atol, exact)}\n"
            f"Relative difference: {rel.item()}{_allowed(rtol, exact)}"
        )
        raise _Mismatch(text + _where(path))
    bad = int((~close).sum())
    total = close.size
    lines = [
        f"Tensor-likes are not {'equal' if exact else 'close'}!",
        "",
        f"Mismatched elements: {bad} / {total} ({100 * bad / total:.1f}%)",
    ]
    for label, values, tol in (("absolute", diff, atol), ("relative", rel, rtol)):
        values = xp.where(close, xp.zeros((), values.dtype), values)  # over the mismatches only
        flat = int(xp.argmax(values.ravel()))  # NaN counts as the greatest, as in PyTorch
        index = tuple(int(i) for i in xp.unravel_index(flat, values.shape))
        lines.append(
            f"Greatest {label} difference: {values.ravel()[flat].item()} at index "
            f"{index}{_allowed(tol, exact)}"
        )
    raise _Mismatch("\n".join(lines) + _where(path))


def make_tensor(
    *shape,
    dtype,
    device,
    low=None,
    high=None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format=None,
):
    """``torch.testing.make_tensor``: a tensor of uniform random values in ``[low, high)``
    (defaults: -9 and 9, clamped to the dtype's range), drawn from retrograd's generator."""
    from . import _device
    from .creation import rand, randint, tensor

    _device.check(device, True)
    _device.check_memory_format(memory_format)
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
            f"noncontiguous={noncontiguous} and memory_format={memory_format}"
        )
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if low is not None and high is not None and low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    if dtype is dtypes.bool:
        out = randint(0, 2, shape).to(dtypes.bool)
    elif dtype.category < 2:
        info = xp.iinfo(dtype.np)
        lo = max(info.min, -9 if low is None else int(low))
        hi = min(info.max, 10 if high is None else int(high))
        out = randint(lo, hi, shape, dtype=dtype)
    else:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        real = (
            dtypes.float32
            if dtype is dtypes.complex64
            else (dtypes.float64 if dtype is dtypes.complex128 else dtype)
        )
        out = rand(tuple(shape), dtype=real) * (hi - lo) + lo
        if dtype.is_complex:
            out = tensor(out._data + 1j * (rand(tuple(shape), dtype=real) * (hi - lo) + lo)._data)
    if exclude_zero:
        replacement = 1 if dtype.category < 2 else xp.finfo(out._data.dtype).tiny
        out._data[out._data == 0] = replacement
    if noncontiguous and out.numel() > 1:
        doubled = xp.repeat(out._data[..., None], 2, axis=-1).reshape(*out.shape[:-1], -1)
        out = _make(doubled[..., ::2]) if out.ndim else out
    elif memory_format is not None:
        out = out.clone(memory_format=memory_format)
    if requires_grad:
        out.requires_grad_(True)
    return out
