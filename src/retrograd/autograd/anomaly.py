"""Anomaly detection (``torch.autograd.detect_anomaly``) and the call sites that errors point to.

Every node records where its forward op was called: the code object and the bytecode offset of the
first frame outside retrograd (``caller_site``), a few attribute reads, never a traceback.  The line
number and its text are worked out only when an error is formatted (``describe_site``).

In anomaly mode the engine checks each node's gradients for NaN and names the forward call that made
the node, and ops check their results for NaN/inf as they are recorded.
"""

import linecache
import os
import sys
import warnings

from .. import _switches
from .._array import xp

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_getframe = sys._getframe


# Code that uses retrograd as a user would: its calls are the sites errors should name.
_USER_FILES = ("demo.py",)


def _package_files():
    """Every source file of retrograd, as code objects name them (a set: one hash lookup a frame)."""
    found = set()
    for folder, _, names in os.walk(_PACKAGE_DIR):
        found.update(os.path.join(folder, n) for n in names if n.endswith(".py"))
    return frozenset(found - {os.path.join(_PACKAGE_DIR, n) for n in _USER_FILES})


INTERNAL_FILES = _package_files()


def _set(enabled, check_nan) -> None:
    """Anomaly mode on or off: its switches, and the check the op table runs on each recorded op."""
    _switches.anomaly = bool(enabled)
    _switches.anomaly_check_nan = bool(check_nan)
    _set_hook()


def _set_hook() -> None:
    """The op table's hook: anomaly mode's check, else (while the leak detector runs) the note of
    each node's call site, else none."""
    _switches.anomaly_hook = (
        check_forward if _switches.anomaly else _record_site if state.record_sites else None
    )


class _SiteWatch:
    """What the leak detector asks of the op table while it runs: every recorded node notes its
    call site and joins ``watched`` (a WeakSet), so that a graph that stays alive can be named."""

    def __init__(self):
        self._users = 0
        self.watched = None

    @property
    def record_sites(self) -> bool:
        return self._users > 0

    def want_sites(self, on: bool) -> None:
        """Count one more (or one fewer) user of the site notes; nested detectors each ask."""
        self._users = max(0, self._users + (1 if on else -1))
        _set_hook()


state = _SiteWatch()


def caller_site(depth: int = 2):
    """``(code, offset)`` of the innermost frame outside retrograd, ``depth`` frames up or further.

    The bytecode offset, not ``f_lineno``: reading the line number scans the code's line table.
    """
    try:
        f = _getframe(depth)
    except ValueError:  # called from nearer the top of the stack: the outermost frame
        f = _getframe(1)
        while f.f_back is not None:
            f = f.f_back
    if f.f_code.co_filename in INTERNAL_FILES:
        f = outside(f)
    return (f.f_code, f.f_lasti)


def outside(f):
    """The first frame above ``f`` that is not retrograd's (``f`` itself if there is none)."""
    g = f.f_back
    while g is not None:
        if g.f_code.co_filename not in INTERNAL_FILES:
            return g
        g = g.f_back
    return f


def node_site(node):
    """The ``(code, offset)`` a node recorded for its forward call, or None."""
    code = getattr(node, "_site", None)
    return None if code is None else (code, node._site_at)


def site_line(site) -> int:
    """The line number of a recorded ``(code, offset)``."""
    code, offset = site
    line = code.co_firstlineno
    for start, _, number in code.co_lines():
        if start > offset:
            break
        if number is not None:
            line = number
    return line


def describe_site(site) -> str:
    """``file.py:12 (`y = x.exp()`)``: the place and text of a recorded call, read only now."""
    if site is None:
        return "an unknown place"
    code = site[0]
    line = site_line(site)
    text = linecache.getline(code.co_filename, line).strip()
    where = f"{code.co_filename}:{line}"
    return f"{where} (`{text}`)" if text else where


def node_origin(node) -> str:
    """ "MulBackward0, made by the forward call at file.py:12 (`...`)"."""
    site = node_site(node)
    if site is None:  # a node that saves nothing records no site outside anomaly mode
        return node.name()
    return f"{node.name()}, made by the forward call at {describe_site(site)}"


def is_anomaly_enabled() -> bool:
    return _switches.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return _switches.anomaly_check_nan


_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should "
    "only be enabled for debugging."
)


class detect_anomaly:
    """``torch.autograd.detect_anomaly``: anomaly mode on inside a ``with`` block (or a decorated
    function); the previous mode comes back afterwards."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self.prev = (_switches.anomaly, _switches.anomaly_check_nan)
        _set(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        _set(*self.prev)

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            mode = object.__new__(type(self))  # warned once already, when decorating
            mode.check_nan = self.check_nan
            with mode:
                return fn(*args, **kwargs)

        return wrapper


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled``: anomaly mode on or off at once (no warning, no restoring:
    ``set_detect_anomaly`` is the user-facing form)."""
    for name, value, position in (
        ("enabled", enabled, " (position 1)"),
        ("check_nan", check_nan, ""),
    ):
        if not isinstance(value, bool):
            raise TypeError(
                f"set_anomaly_enabled(): argument '{name}'{position} must be bool, not "
                f"{type(value).__name__}"
            )
    _set(enabled, check_nan)


class set_detect_anomaly:
    """``torch.autograd.set_detect_anomaly(mode, check_nan=True)``: sets the mode at once; used as a
    context manager it also restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_switches.anomaly, _switches.anomaly_check_nan)
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _set(*self.prev)


def _warn_at(site, message, category) -> None:
    """Warn as if from the user's forward call (its file and line), where the warning is about."""
    if site is None:
        warnings.warn(message, category, stacklevel=3)
        return
    code = site[0]
    warnings.warn_explicit(message, category, code.co_filename, site_line(site))


def check_gradients(node, grads) -> None:
    """Anomaly mode, after a node ran: PyTorch's error if a gradient it returned holds NaN."""
    if not _switches.anomaly_check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in "fcV" and xp.isnan(g._data).any():
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output. "
                f"({node_origin(node)}.)"
            )


def warn_error_in(node) -> None:
    """Anomaly mode, a node's backward raised: say which forward call made the node."""
    site = node_site(node)
    _warn_at(
        site,
        f"Error detected in {node.name()}. The forward call that caused the error: "
        f"{describe_site(site)}",
        UserWarning,
    )


def _record_site(node, inputs, results) -> None:
    """Give a node its forward call site if it has none (the op table records one only for nodes
    that save values), so that every node can be named; and add it to ``state.watched``."""
    if getattr(node, "_site", None) is None:
        node._site, node._site_at = caller_site(3)  # outside() walks on to the user frame
    if state.watched is not None:
        state.watched.add(node)


def check_forward(node, inputs, results) -> None:
    """Anomaly mode, as an op is recorded: warn when it made NaN or inf out of finite inputs (so only
    the op where they first appear is named, not every op they flow through).  Also gives the
    node its forward call site (``_record_site``), so every node can be named in anomaly mode."""
    _record_site(node, inputs, results)
    for r in results:
        a = r._data
        if a.dtype.kind in "fcV" and not xp.isfinite(a).all():
            for t in inputs:
                d = getattr(t, "_data", None)
                if d is not None and d.dtype.kind in "fcV" and not xp.isfinite(d).all():
                    return
            site = node_site(node)
            _warn_at(
                site,
                f"{node.name()} was made by a forward op whose result holds NaN or inf "
                f"although its inputs were finite, at {describe_site(site)}.",
                RuntimeWarning,
            )
            return
