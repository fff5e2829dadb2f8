"""``repr``/``str`` of tensors, character for character as PyTorch prints them.

The rules, as PyTorch applies them:
- one format is chosen for all the values shown (so columns line up), from the nonzero finite ones:
  integer-valued floats print as ``1.``, a wide range of magnitudes switches to ``1.0000e+05``;
- tensors with more than ``threshold`` elements show only ``edgeitems`` rows at each end of every
  dimension, with ``...`` in between;
- 1-D rows wrap at ``linewidth``, and the ``dtype=``/``grad_fn=`` suffixes move onto a new line when
  they would not fit on the last one.
"""

import math

from . import dtypes
from ._array import xp

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
_PROFILES = {
    "default": _DEFAULTS,
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = dict(_DEFAULTS, sci_mode=None)


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """``torch.set_printoptions``: a profile first, then each option given; ``sci_mode`` is always
    set (None: chosen per tensor)."""
    if profile is not None and profile in _PROFILES:
        _options.update(_PROFILES[profile])
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            _options[key] = value
    _options["sci_mode"] = sci_mode


class _Formatter:
    """The one format shared by every value shown, and the width they are padded to."""

    def __init__(self, values):
        self.floating = values.dtype.kind in "fV"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.ravel()
        if not self.floating:
            self.width = max((len(str(v)) for v in flat.tolist()), default=1)
            return
        shown = flat[xp.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return  # only zeros, nan and inf: integer style, width 1
        magnitude = xp.abs(shown).astype(xp.float64)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool((shown == xp.ceil(shown)).all())
        sci = _options["sci_mode"]
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        p = _options["precision"]
        values = shown.tolist()
        if self.sci_mode:
            self.width = max(self.width, max(len(f"{v:.{p}e}") for v in values))
        elif self.int_mode:
            self.width = max(self.width, max(len(f"{v:.0f}") + 1 for v in values))
        else:
            self.width = max(self.width, max(len(f"{v:.{p}f}") for v in values))

    def format(self, value) -> str:
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = f"{value:{self.width}.{_options['precision']}e}"
        elif self.int_mode:
            s = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                s += "."
        else:
            s = f"{value:.{_options['precision']}f}"
        return s.rjust(self.width)


class _ComplexFormatter:
    """Real and imaginary parts, each with its own format (``1.+2.j``)."""

    def __init__(self, values):
        self.real = _Formatter(values.real)
        self.imag = _Formatter(values.imag)
        self.width = self.real.width + self.imag.width + 1

    def format(self, value) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        sep = "" if imag[0] in "+-" else "+"
        return self.real.format(value.real) + sep + imag


def _summarized(a, edge):
    """The values that stay visible when ``a`` is summarised: the format is chosen from them."""
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return xp.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return a[(slice(0, 0),) * a.ndim]
    rows = (
        list(range(edge)) + list(range(a.shape[0] - edge, a.shape[0]))
        if a.shape[0] > 2 * edge
        else range(a.shape[0])
    )
    return xp.stack([_summarized(a[i], edge) for i in rows])


def _vector(a, indent, summarize, fmt):
    edge = _options["edgeitems"]
    if summarize and not edge:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        items = (
            [fmt.format(v) for v in a[:edge].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-edge:].tolist()]
        )
    else:
        items = [fmt.format(v) for v in a.tolist()]
    per_line = max(1, math.floor((_options["linewidth"] - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    edge = _options["edgeitems"]
    n = a.shape[0]
    if summarize and n > 2 * edge:
        parts = (
            [_body(a[i], indent + 1, summarize, fmt) for i in range(edge)]
            + ["..."]
            + [_body(a[i], indent + 1, summarize, fmt) for i in range(n - edge, n)]
        )
    else:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _contents(a, indent):
    summarize = a.size > _options["threshold"]
    shown = _summarized(a, _options["edgeitems"]) if summarize else a
    fmt = _ComplexFormatter(shown) if a.dtype.kind == "c" else _Formatter(shown)
    return _body(a, indent, summarize, fmt)


def _with_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items; one that would pass ``linewidth`` starts a new, indented line."""
    # PyTorch measures the last line this way (two more than its length); kept for identical output.
    last = len(text) - text.rfind("\n") + 1
    out = [text]
    for s in suffixes:
        if last + len(s) + 2 > _options["linewidth"]:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def _is_default_dtype(dt) -> bool:
    default = dtypes.get_default_dtype()
    default_complex = dtypes.complex128 if default is dtypes.float64 else dtypes.complex64
    return dt in (default, default_complex, dtypes.int64, dtypes.bool)


def tensor_repr(t, tensor_contents: str | None = None) -> str:
    """``repr(tensor)``: ``tensor([1., 2.], requires_grad=True)``."""
    prefix = "tensor("
    indent = len(prefix)
    a = t._data
    dt = dtypes.FROM_NP[a.dtype]
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        # No values to tell an empty tensor's dtype by: anything but the default is named.
        if dt is not dtypes.get_default_dtype():
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not _options["edgeitems"]:
            suffixes.append(f"size={tuple(a.shape)}")
        if not _is_default_dtype(dt):
            suffixes.append(f"dtype={dt!r}")
        body = _contents(a, indent)
    if tensor_contents is not None:
        body = tensor_contents
    try:
        fn = t.grad_fn
        name = None if fn is None else fn.name().rpartition("::")[2]
    except RuntimeError:  # a view whose grad_fn cannot be made anew after a write: as PyTorch shows
        name = "Invalid"
    if name is not None:
        suffixes.append(f"grad_fn=<{name}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)
