"""PyTorch's argument parser for the functions retrograd composes from other ops (outside the op
table, whose functions check their inputs themselves, see registry): a Python number, tensor or
other value of the wrong kind for a Tensor, int, float, Number, bool, tuple-of-ints, str or dtype
argument is PyTorch's TypeError, raised before the function runs.  A function of one signature
names the argument (``diff(): argument 'n' (position 2) must be int, not float``); one of
several signatures (``clamp``: Tensor or Number bounds) is tried against each in PyTorch's order,
and where none takes the arguments the error lists them (``clamp() received an invalid
combination of arguments - got (Tensor, str), but expected one of: ...``).  What each function
takes is one table, ``argument_kinds``, written from PyTorch; the checks wrap each public function
and Tensor method once, when the package is made, so calls between retrograd's own functions skip
them."""

import functools

from .. import dtypes
from .._array import ndarray, xp
from .._generator import Generator
from ..tensor import Tensor, _is_index
from .argument_kinds import (
    HIDDEN,
    KINDS,
    METHOD_KINDS,
    NUMBERS_AS_TENSORS,
    OP_KINDS,
    OP_METHOD_KINDS,
)
from .registry import PLAIN_KINDS, _type_name

_is_int = _is_index  # (an int as PyTorch's parser takes one: not a bool; a NumPy integer or a
# 0-d integer tensor too)


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
    """A tuple of ints as PyTorch's parser tells one: an int, or a sequence whose first element
    is one (the others are read once the signature is chosen: _Unpack)."""
    if isinstance(a, (tuple, list)):
        return not a or _is_int(a[0])
    return _is_int(a)


class _Unpack(Exception):  # noqa: N818  (a message, not raised as it is)
    """An element after the first of a tuple of ints that is no int: PyTorch's error once it
    reads the tuple (``failed to unpack the object at pos 2``)."""

    def error(self, name):
        shown, k, x = self.args
        return TypeError(
            f"{name}(): argument '{shown}' failed to unpack the object at pos {k + 1} with error "
            f'"type must be tuple of ints,but got {_type_name(x)}"'
        )


def _is_floats(a) -> bool:
    if isinstance(a, (tuple, list)):
        return all(_is_float(x) for x in a)
    return _is_float(a)


def _is_numbers(a) -> bool:
    return isinstance(a, (tuple, list)) and all(_is_number(x) for x in a)


def _is_tensors(a) -> bool:
    return isinstance(a, (tuple, list)) and all(_is_tensor(x) for x in a)


def _is_dtype(a) -> bool:
    """A dtype, or one of the Python types PyTorch reads as one (float: float64 ...)."""
    return isinstance(a, dtypes.dtype) or (a.__class__ is type and a in (float, int, bool, complex))


_TESTS = {
    "int": _is_int,
    "float": _is_float,
    "bool": _is_bool,
    "Number": _is_number,
    "Tensor": _is_tensor,
    "tuple of ints": _is_ints,
    "tuple of floats": _is_floats,
    "tuple of Scalars": _is_numbers,
    "tuple of Tensors": _is_tensors,
    "str": lambda a: isinstance(a, str),
    "torch.dtype": _is_dtype,
    "torch.Generator": lambda a: isinstance(a, Generator),
    "Tensor or number": lambda a: _is_tensor(a) or _is_number(a),
}


def _anything(a) -> bool:  # (a kind not checked here: a device, a layout ...)
    return True


# The kinds PyTorch's parser reads a number from, a 0-d tensor's too
_SCALARS = frozenset(("int", "float", "Number"))

# What most calls give, tested first: the argument's exact type (a Tensor subclass, NumPy
# numbers, 0-d tensors for numbers, sequences and None go the longer way, through _taken); the
# op table reads the same classes where it binds an op's arguments.
_COMMON = PLAIN_KINDS
_NONE = frozenset()

# What some calls give that is surely of another kind: the other signatures of a function are
# tried without a call (max(x, 1): the int is no Tensor other, it is the dim)
_SEQUENCES = frozenset((tuple, list, str))
_SURELY_NOT = {
    "Tensor": frozenset((int, float, bool, complex)) | _SEQUENCES,
    "int": frozenset((float, bool, complex)) | _SEQUENCES,
    "Number": _SEQUENCES,
    "float": frozenset((complex,)) | _SEQUENCES,
    "bool": frozenset((int, float, complex)) | _SEQUENCES,
    "tuple of ints": frozenset((float, bool, complex, str)),
    "Tensor or number": _SEQUENCES,
}


def _as_tensors(arguments):
    """``arguments`` of a function that takes a Python number for a Tensor, as PyTorch's parser
    does for the arithmetic ones (``sub(2, x)``): their kind read as "Tensor or number"."""
    return tuple((*a[:3], "Tensor or number", *a[4:]) if a[3] == "Tensor" else a for a in arguments)


_REFUSED = object()  # (what _taken gives for a value of the wrong kind)


def _taken(a, kind, optional):
    """The value PyTorch's parser reads for ``a`` (a 0-d tensor's number), or _REFUSED."""
    if a is None:
        return a if optional else _REFUSED
    if not _TESTS.get(kind, _anything)(a):
        return _REFUSED
    if kind in _SCALARS and isinstance(a, Tensor):
        return a.item()
    if kind == "tuple of ints" and isinstance(a, Tensor):
        return a.item()
    return a


def _unpacked(name, shown, a):
    """PyTorch's error for a tuple of ints with an element after the first that is no int, which
    it reads once the signature is chosen."""
    for k, x in enumerate(a):  # (after the first, a bool counts as an int)
        if not (_is_int(x) or (k and _is_bool(x))):
            raise _Unpack(shown, k, x).error(name)


def _refused(name, shown, position, kind, a) -> TypeError:
    """PyTorch's TypeError for ``a`` given for argument ``shown`` (``position`` None: given by
    keyword)."""
    where = "" if position is None else f" (position {position})"
    if kind == "tuple of ints" and isinstance(a, (tuple, list)):
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
    kind = "Tensor" if kind == "Tensor or number" else kind
    return TypeError(f"{name}(): argument '{shown}'{where} must be {kind}, not {_type_name(a)}")


def int_list(name, shown, position, a) -> list:
    """``a`` read as PyTorch's parser reads an int list of no fixed length (tensordot's dims):
    a tuple or list of ints, never one int alone; its TypeError otherwise."""
    if not isinstance(a, (tuple, list)) or not _is_ints(a):
        raise _refused(name, shown, position, "tuple of ints", a)
    _unpacked(name, shown, a)
    return [int(x) for x in a]


# Each function checked once: an alias (concatenate = cat) is the same checked function.
_CHECKED: dict = {}


def checked(fn, name, as_method=False):
    """``fn`` checking its arguments as PyTorch's parser does for ``name`` (``as_method``: the
    Tensor method, which counts arguments from after self); ``fn`` itself where the table has
    nothing to check."""
    table = METHOD_KINDS if as_method else KINDS
    if name not in table or getattr(fn, "opdef", None) is not None:
        return fn
    # (named as called, with the signatures of that name: a method, a function of several
    # signatures (clip is clamp); an alias of one signature stays one function, named as it
    # calls itself: concatenate is cat)
    own = getattr(fn, "__name__", name)
    if as_method or table[name][0][0] is not None or own not in table:
        own = name
    key = (fn, own, as_method)
    if key not in _CHECKED:
        _CHECKED[key] = _parser(fn, own, table[own], as_method)
    return _CHECKED[key]


def _parser(fn, name, signatures, as_method):
    """``fn`` taking its arguments as PyTorch's parser does for ``signatures`` of ``name``."""
    if name in NUMBERS_AS_TENSORS:
        signatures = tuple((text, _as_tensors(arguments)) for text, arguments in signatures)
    if signatures[0][0] is None:
        return _one_signature(fn, name, signatures, int(as_method))
    hidden = _hidden(HIDDEN.get(name, ()), as_method)
    return _signatures(fn, name, signatures, int(as_method), hidden)


def _as_given(*args, **kwargs):
    return args, kwargs


_OP_PARSERS: dict = {}


def parsed_op_call(name, args, kwargs, as_method=False):
    """The arguments of a call of the op table's function (``as_method``: method) ``name`` as
    PyTorch's parser reads them, (args, kwargs), or its TypeError; the op table calls this for
    a call whose attributes are not all of the plain classes (see registry)."""
    key = (name, as_method)
    parse = _OP_PARSERS.get(key)
    if parse is None:
        table = OP_METHOD_KINDS if as_method else OP_KINDS
        parse = _OP_PARSERS[key] = _parser(_as_given, name, table[name], as_method)
    return parse(*args, **kwargs)


def _hidden(signatures, as_method):
    """PyTorch's unlisted signatures as the table's: positional arguments, self left out of a
    method's."""
    made = []
    for arguments in signatures:
        kept = [a for a in arguments if not (as_method and a[0] == "self")]
        start = int(as_method)
        made.append(tuple((i, n, n, kind, False, False) for i, (n, kind) in enumerate(kept, start)))
    return tuple(made)


def _one_signature(fn, name, signatures, first):
    """``fn`` checking the arguments of the one signature in ``signatures``."""
    ((_, arguments),) = signatures
    positional = tuple(
        (i, _COMMON.get(kind, _NONE), (i + 1 - first, shown, kind, optional))
        for i, _, shown, kind, optional, _ in arguments
        if i is not None and i >= first
    )
    by_name = {key: (None, shown, kind, optional) for _, key, shown, kind, optional, _ in arguments}

    def take(a, position, shown, kind, optional):
        value = _taken(a, kind, optional)
        if value is _REFUSED:
            raise _refused(name, shown, position, kind, a)
        if kind == "tuple of ints" and isinstance(a, (tuple, list)):
            _unpacked(name, shown, a)
        return value

    @functools.wraps(fn)
    def parsed(*args, **kwargs):
        n = len(args)
        for i, common, about in positional:
            if i < n and args[i].__class__ not in common:
                a = take(args[i], *about)
                if a is not args[i]:
                    args = (*args[:i], a, *args[i + 1 :])
        if kwargs:
            for key, a in kwargs.items():
                about = by_name.get(key)
                if about is not None:
                    value = take(a, *about)
                    if value is not a:
                        kwargs = {**kwargs, key: value}
        return fn(*args, **kwargs)

    return parsed


def _signature(arguments, first):
    """One signature made ready to test a call against: (the most positional arguments; for
    each count of positional arguments, those arguments' (index, common types, kind, takes
    None); the keywords' (common types, kind, takes None); the count of positional arguments
    below which one that must be given may be missing, and those (index, keyword); the
    keyword-only arguments that must be given)."""
    listed = [a for a in arguments if a[0] is None or a[0] >= first]
    positional = [
        (i, _COMMON.get(kind, _NONE), _SURELY_NOT.get(kind, _NONE), kind, none, shown)
        for i, _, shown, kind, none, _ in listed
        if i is not None
    ]
    given = tuple(
        tuple(a for a in positional[: max(0, n - first)] if a[3] in _TESTS)  # (others: any)
        for n in range(first + len(positional) + 1)
    )
    by_name = {
        key: (_COMMON.get(kind, _NONE), kind, none, shown, i)
        for i, key, shown, kind, none, _ in listed
    }
    needed = tuple((i, key) for i, key, _, _, _, omit in listed if i is not None and not omit)
    least = max((i + 1 for i, _ in needed), default=0)
    keywords = tuple(key for i, key, _, _, _, omit in listed if i is None and not omit)
    return len(given) - 1, given, by_name, least, needed, keywords


def _signatures(fn, name, signatures, first, hidden=()):
    """``fn`` taking its arguments as the first of PyTorch's ``signatures`` (then of those it
    takes without listing them, ``hidden``) that accepts them (a 0-d tensor for a number read as
    the number), and PyTorch's TypeError where none does."""
    tried = tuple(_signature(arguments, first) for _, arguments in signatures)
    tried += tuple(_signature(arguments, first) for arguments in hidden)

    @functools.wraps(fn)
    def parsed(*args, **kwargs):
        n = len(args)
        for most, given, by_name, least, needed, keywords in tried:
            if n > most:
                continue
            taken = unpack = None
            for i, common, refused, kind, none, shown in given[n]:
                a = args[i]
                if a.__class__ not in common:
                    if a.__class__ in refused:
                        taken = _REFUSED
                        break
                    value = _taken(a, kind, none)
                    if value is _REFUSED:
                        taken = _REFUSED
                        break
                    if value is not a:
                        taken = [*args] if taken is None else taken
                        taken[i] = value
                    elif kind == "tuple of ints" and a.__class__ in _SEQUENCES:
                        unpack = [(shown, a)] if unpack is None else [*unpack, (shown, a)]
            if taken is _REFUSED:
                continue
            if n < least:  # (given by keyword?)
                for i, key in needed:
                    if i >= n and key not in kwargs:
                        taken = _REFUSED
                        break
                if taken is _REFUSED:
                    continue
            if kwargs:
                named = kwargs
                for key, a in kwargs.items():
                    about = by_name.get(key)
                    if about is None or (about[4] is not None and about[4] < n):
                        named = None  # (unknown, or given by position too)
                        break
                    if a.__class__ not in about[0]:
                        value = _taken(a, *about[1:3])
                        if value is _REFUSED:
                            named = None
                            break
                        if value is not a:
                            named = {**named, key: value}
                        elif about[1] == "tuple of ints" and a.__class__ in _SEQUENCES:
                            unpack = [(about[3], a)] if unpack is None else [*unpack, (about[3], a)]
                if named is None:
                    continue
                if keywords and any(key not in kwargs for key in keywords):
                    continue
                for shown, a in unpack or ():
                    _unpacked(name, shown, a)
                return fn(*(args if taken is None else taken), **named)
            if keywords:
                continue
            for shown, a in unpack or ():
                _unpacked(name, shown, a)
            return fn(*(args if taken is None else taken))

        error = _no_signature(name, signatures, args, kwargs, first)
        if error is not None:
            raise error
        return fn(*args, **kwargs)

    return parsed


def _refusal(arguments, args, kwargs, first):
    """Why a signature does not take a call, as PyTorch's parser says it: a count of positional
    arguments, the first argument of the wrong kind, a keyword it does not have; None where it
    takes the call or leaves it out for another reason (left to the function)."""
    n = len(args)
    listed = [a for a in arguments if a[0] is None or a[0] >= first]
    most = sum(1 for a in listed if a[0] is not None)
    if n - first > most:
        least = sum(1 for a in listed if a[0] is not None and not a[5])
        takes = f"from {least} to {most}" if least != most else str(most)
        plural = "" if most == 1 and least == most else "s"
        return f"takes {takes} positional argument{plural} but {n - first} were given"
    for i, key, shown, kind, none, omit in listed:
        if i is not None and i < n:
            a, position = args[i], i + 1 - first
        elif key in kwargs:
            a, position = kwargs[key], None
        elif omit:
            continue
        else:
            missing = [b[2] for b in listed if b[0] is not None and b[0] >= n and not b[5]]
            missing = [m for m in missing if m not in kwargs] or [shown]
            names = ", ".join(f'"{m}"' for m in missing)
            return f"missing {len(missing)} required positional arguments: {names}"
        if _taken(a, kind, none) is _REFUSED:
            return shown, position, kind, a
    names = {a[1] for a in listed}
    unknown = next((key for key in kwargs if key not in names), None)
    return None if unknown is None else f"got an unexpected keyword argument '{unknown}'"


def _no_signature(name, signatures, args, kwargs, first):
    """PyTorch's TypeError for a call that none of ``signatures`` takes (None: leave the call
    to the function, which says what is missing)."""
    refusals = [_refusal(arguments, args, kwargs, first) for _, arguments in signatures]
    if not any(refusals):
        return None
    given = len(args) - first + len(kwargs)
    plausible = []
    for k, (_, arguments) in enumerate(signatures):
        listed = [a for a in arguments if a[0] is None or a[0] >= first]
        if sum(not a[5] for a in listed) <= given <= len(listed):
            plausible.append(k)
    if len(plausible) == 1:
        refusal = refusals[plausible[0]]
        if refusal is None:
            return None
        if type(refusal) is str:
            return TypeError(f"{name}() {refusal}")
        return _refused(name, *refusal)
    head = f"{name}() received an invalid combination of arguments - got "
    if len(signatures) == 1:
        return TypeError(
            f"{head}{_described(args[first:], kwargs)}, but expected {signatures[0][0]}"
        )
    lines = [f"{head}{_described(args[first:], kwargs)}, but expected one of:"]
    for text, arguments in signatures:
        lines.append(f" * {text}")
        items = _items(arguments, first)
        if given == len(items):
            # (PyTorch's listing reads a name only where the argument has no default)
            start = max(0, len(items) - len(kwargs))
            names = {a[2] for a in items[start:] if a is not None and not a[5]}
            unknown = [key for key in reversed(kwargs) if key not in names]
            if unknown:
                why = "some of the keywords were incorrect: " + ", ".join(unknown)
            else:
                marked = _marked(items, args[first:], kwargs)
                why = "some of the arguments have invalid types: " + marked
            lines.append(f"      didn't match because {why}")
    return TypeError("\n".join(lines) + "\n")


def _items(arguments, first):
    """A signature's arguments as PyTorch's listing counts them: the ``*`` before the
    keyword-only ones is one too (None here)."""
    listed = [a for a in arguments if a[0] is None or a[0] >= first]
    bare = next((k for k, a in enumerate(listed) if a[0] is None), None)
    if not listed:  # (an empty signature counts one)
        return [None]
    return listed if bare is None else [*listed[:bare], None, *listed[bare:]]


def _listed_kind(a, kind) -> bool:
    """Whether PyTorch's listing marks ``a`` as of ``kind`` (a sequence for a tuple)."""
    if kind == "tuple of ints":
        return isinstance(a, (tuple, list)) and all(_is_int(x) for x in a)
    if kind == "Number":  # (never, as PyTorch lists them)
        return False
    if kind == "Tensor or number":  # (a number is no Tensor in PyTorch's listing)
        kind = "Tensor"
    return _taken(a, kind, False) is not _REFUSED


def _described(args, kwargs):
    """The types of a call's arguments as PyTorch lists them: ``(Tensor, str, dim=int)`` (the
    keywords last, latest first)."""
    named = [f"{key}={_type_name(kwargs[key])}" for key in reversed(kwargs)]
    if named and not args:  # (PyTorch's listing leaves the last comma then)
        return "(" + "".join(f"{n}, " for n in named) + ")"
    return "(" + ", ".join([*map(_type_name, args), *named]) + ")"


def _marked(listed, args, kwargs):
    """The types of a call's arguments with those a signature refuses between ``!`` marks,
    sequences with their elements' types: ``(Tensor, !list of [str]!)``."""
    shown = []
    for i in range(len(args) + len(kwargs)):
        about = listed[i] if i < len(listed) else None
        if i < len(args):
            a, prefix = args[i], ""
        else:
            key = about[2] if about is not None else "*"
            a, prefix = kwargs.get(key), f"{key}="
        ok = about is not None and not about[5] and _listed_kind(a, about[3])
        if isinstance(a, (tuple, list)):
            inner = ", ".join(map(_type_name, a))
            if isinstance(a, tuple):
                described = f"tuple of ({inner}{',' if len(a) == 1 else ''})"
            else:
                described = f"list of [{inner}]"
        else:
            described = _type_name(a)
        shown.append(f"{prefix}{described}" if ok else f"!{prefix}{described}!")
    return "(" + ", ".join(shown) + ")"
