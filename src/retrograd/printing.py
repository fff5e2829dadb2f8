"""``repr``/``str`` of tensors, character for character as PyTorch prints them."""

from . import dtypes
from ._array import xp

_options = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """``torch.set_printoptions``."""
    if profile == "default":
        _options.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        _options.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        _options.update(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            _options[k] = v
    _options["sci_mode"] = sci_mode


class _Formatter:
    """Chooses one format for all the values shown, so that the columns line up."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = _options["precision"]
        if not self.floating:
            self.max_width = max((len(self._int(v)) for v in values.ravel()), default=1)
            return
        finite = values[xp.isfinite(values)].astype(xp.float64)
        nonzero = xp.abs(finite[finite != 0])
        if finite.size and xp.any(finite != xp.ceil(finite)):
            self.int_mode = False
        if nonzero.size:
            lo, hi = nonzero.min(), nonzero.max()
            if self.int_mode:
                if hi / lo > 1000.0 or hi > 1.0e8:
                    self.sci_mode = True
            elif hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                self.sci_mode = True
        if _options["sci_mode"] is not None:
            self.sci_mode = _options["sci_mode"]
        self.fmt = (lambda v: f"{v:.{p}e}") if self.sci_mode else \
            (lambda v: f"{v:.0f}.") if self.int_mode else (lambda v: f"{v:.{p}f}")
        self.max_width = max((len(self.format_raw(v)) for v in values.ravel()), default=1)

    def _int(self, v):
        return str(bool(v)) if isinstance(v, (bool, xp.bool_)) else str(int(v))

    def format_raw(self, v):
        if not self.floating:
            return self._int(v)
        v = float(v)
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return self.fmt(v)

    def format(self, v):
        return self.format_raw(v).rjust(self.max_width)


def _summarize(a, edge):
    """The elements that are shown when the tensor is summarised (the rest become ...)."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * edge:
        parts = [_summarize(x, edge) for x in list(a[:edge]) + list(a[-edge:])]
    else:
        parts = [_summarize(x, edge) for x in a]
    return xp.concatenate([p.ravel() for p in parts]) if parts else a.ravel()


def _tensor_body(a, fmt, indent, summarize):
    edge = _options["edgeitems"]
    if a.ndim == 0:
        return fmt.format(a.item() if a.dtype.kind != "b" else bool(a))
    if a.ndim == 1:
        items = [fmt.format(v) for v in a.tolist()]
        if summarize and a.shape[0] > 2 * edge:
            items = items[:edge] + ["..."] + items[-edge:]
        width = fmt.max_width + 2
        per_line = max(1, (_options["linewidth"] - indent) // width)
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(a.shape[0]))
    if summarize and a.shape[0] > 2 * edge:
        rows = rows[:edge] + [None] + rows[-edge:]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    parts = ["..." if r is None else _tensor_body(a[r], fmt, indent + 1, summarize) for r in rows]
    return "[" + sep.join(parts) + "]"


def tensor_repr(t, prefix="tensor("):
    a = t._data
    summarize = a.size > _options["threshold"]
    shown = _summarize(a, _options["edgeitems"]) if summarize else a
    fmt = _Formatter(shown if shown.size else xp.zeros(0, a.dtype))
    indent = len(prefix)
    if a.size == 0 and a.ndim == 1 or a.size == 0:
        body = "[]"
    else:
        body = _tensor_body(a, fmt, indent, summarize)
    suffixes = []
    dt = dtypes.FROM_NP[a.dtype]
    if a.size == 0 and a.ndim != 1:
        suffixes.append(f"size={tuple(a.shape)}")
    default = dtypes.get_default_dtype()
    if dt not in (default, dtypes.int64, dtypes.bool) and not (
            dt is dtypes.complex64 and default is dtypes.float32):
        suffixes.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"
