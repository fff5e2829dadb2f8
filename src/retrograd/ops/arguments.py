"""PyTorch's argument parser for the functions retrograd composes from other ops (outside the op
table, whose functions check their inputs themselves, see registry): a Python number, tensor or
other value of the wrong kind for a Tensor, int, float, Number, bool or tuple-of-ints argument is
PyTorch's TypeError (``diff(): argument 'n' (position 2) must be int, not float``), raised
before the function runs.  What each function takes is one table, ``argument_kinds.KINDS``,
written from PyTorch's operator schemas; the checks wrap each public function and Tensor method
once, when the package is made, so calls between retrograd's own functions skip them."""

import functools

from .._array import ndarray, xp
from ..tensor import Tensor
from .argument_kinds import KINDS
from .registry import _type_name


def _is_int(a) -> bool:
    """An int as PyTorch's parser takes one: not a bool; a NumPy integer or a 0-d integer tensor
    too."""
    kind = type(a)
    if kind is int:
        return True
    if kind is bool or isinstance(a, xp.bool_):
        return False
    if isinstance(a, Tensor):
        return a.ndim == 0 and a._data.dtype.kind in "iu"
    return isinstance(a, (int, xp.integer))


def _is_float(a) -> bool:
    """A float: any real Python or NumPy number, or a 0-d tensor."""
    if isinstance(a, Tensor):
        return a.ndim == 0
    return isinstance(a, (int, float, xp.integer, xp.floating, xp.bool_))


def _is_number(a) -> bool:
    """A Number (PyTorch's Scalar): any Python or NumPy number, or a 0-d tensor."""
    if isinstance(a, Tensor):
        return a.ndim == 0
    return isinstance(a, (int, float, complex, xp.number, xp.bool_))


def _is_bool(a) -> bool:
    return isinstance(a, (bool, xp.bool_))


def _is_tensor(a) -> bool:
    return isinstance(a, (Tensor, ndarray))


def _is_ints(a) -> bool:
    if isinstance(a, (tuple, list)):
        return all(_is_int(x) for x in a)
    return _is_int(a) and not isinstance(a, Tensor)


_TESTS = {
    "int": _is_int,
    "float": _is_float,
    "bool": _is_bool,
    "Number": _is_number,
    "Tensor": _is_tensor,
    "ints": _is_ints,
}


# The kinds PyTorch's parser reads a number from, a 0-d tensor's too
_SCALARS = frozenset(("int", "float", "Number"))


def _refused(name, shown, position, kind, a) -> TypeError:
    """PyTorch's TypeError for ``a`` given for argument ``shown`` (``position`` None: given by
    keyword)."""
    where = "" if position is None else f" (position {position})"
    if kind == "ints" and isinstance(a, (tuple, list)):
        bad = next(i for i, x in enumerate(a) if not _is_int(x))
        if bad == 0:
            return TypeError(
                f"{name}(): argument '{shown}'{where} must be tuple of ints, but found element "
                f"of type {_type_name(a[0])} at pos 0"
            )
        return TypeError(
            f"{name}(): argument '{shown}' failed to unpack the object at pos {position or 1} "
            f'with error "type must be tuple of ints,but got {_type_name(a[bad])}"'
        )
    label = "tuple of ints" if kind == "ints" else kind
    return TypeError(f"{name}(): argument '{shown}'{where} must be {label}, not {_type_name(a)}")


# What most calls give, tested first: the argument's exact type (a Tensor subclass, NumPy
# numbers, 0-d tensors for numbers and None go the longer way, through _parsed).
_COMMON = {
    "int": frozenset((int,)),
    "float": frozenset((float, int)),
    "Number": frozenset((float, int, bool, complex)),
    "bool": frozenset((bool,)),
    "Tensor": frozenset((Tensor,)),
    "ints": frozenset((tuple, list, int)),
}


def _parsed(name, first, a, position, shown, kind, optional):
    """The value PyTorch's parser reads for ``a`` (a 0-d tensor's number), or its TypeError."""
    if optional and a is None:
        return a
    if not _TESTS[kind](a):
        raise _refused(name, shown, position, kind, a)
    if kind in _SCALARS and isinstance(a, Tensor):
        return a.item()
    return a


# Each function checked once: an alias (concatenate = cat) is the same checked function.
_CHECKED: dict = {}


def checked(fn, name, as_method=False):
    """``fn`` checking its arguments as PyTorch's parser does for ``name`` (``as_method``: the
    Tensor method, which counts arguments from after self); ``fn`` itself where the table has
    nothing to check."""
    spec = KINDS.get(name)
    first = 1 if as_method else 0
    if not spec or getattr(fn, "opdef", None) is not None:
        return fn
    key = (fn, first)
    if key not in _CHECKED:  # (named in errors as the function calls itself: outer, not ger)
        own = getattr(fn, "__name__", name)
        _CHECKED[key] = _checked(fn, own if own in KINDS else name, KINDS.get(own, spec), first)
    return _CHECKED[key]


def _checked(fn, name, spec, first):
    positional = tuple(
        (i, _COMMON[kind], (i + 1 - first, shown, kind, optional))
        for i, _, shown, kind, optional in spec
        if i is not None and i >= first
    )
    by_name = {ours: (None, shown, kind, optional) for _, ours, shown, kind, optional in spec}

    @functools.wraps(fn)
    def parsed(*args, **kwargs):
        n = len(args)
        for i, common, about in positional:
            if i < n and args[i].__class__ not in common:
                a = _parsed(name, first, args[i], *about)
                if a is not args[i]:
                    args = (*args[:i], a, *args[i + 1 :])
            elif i < n and about[2] == "ints" and args[i].__class__ is not int:
                _parsed(name, first, args[i], *about)  # (each element)
        if kwargs:
            for key, a in kwargs.items():
                about = by_name.get(key)
                if about is not None:
                    value = _parsed(name, first, a, *about)
                    if value is not a:
                        kwargs = {**kwargs, key: value}
        return fn(*args, **kwargs)

    return parsed
