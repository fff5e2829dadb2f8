"""Write ``src/retrograd/ops/argument_kinds.py``: for each function retrograd composes from other
ops (outside the op table), and for each public op of the op table, the Python signatures
PyTorch's argument parser tries, in its order, with the kind of each argument (Tensor, int,
float, Number, bool, tuple of ints, str, dtype ...).
A function of several signatures has them as PyTorch prints them in its TypeError (read back from
that error, raised on purpose); a function of one, from its operator schema.  The function form
and the Tensor method (no self, no out=) are written apart.  PyTorch must be installed.

    PYTHONPATH=src python tools/argument_kinds.py
"""

import inspect
import pathlib
import pprint
import re
import warnings

import torch
import torchgen

import retrograd
from retrograd import ops
from retrograd.ops import arguments as parser
from retrograd.ops.registry import METHODS

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/retrograd/ops/argument_kinds.py"

# A schema's types as PyTorch prints them in its signatures
_KINDS = {
    "Tensor": "Tensor",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "SymInt": "int",
    "number": "Number",  # (PyTorch's Scalar)
    "List[int]": "tuple of ints",
    "List[SymInt]": "tuple of ints",
}

_NOTHING = [object()] * 25  # (more arguments than any signature takes)


def _python_schemas(name):
    """The schemas behind PyTorch's Python signatures of ``name`` (no out=, dimension-name,
    TorchScript list or generic overloads)."""
    found = []
    for s in torch._C._jit_get_schemas_for_operator("aten::" + name):
        o = s.overload_name
        if o == "out" or o.endswith("_out") or "dimname" in o.lower() or "names" in o:
            continue
        if any(a.is_out for a in s.arguments):  # (topk.values: an out= overload by another name)
            continue
        types = [str(a.type) for a in s.arguments]
        if any(t in ("t", "List[t]", "List[str]") or t.endswith("[t]") for t in types):
            continue
        if o in ("t", "int_list", "str", "Dimname") or any(a.name == "names" for a in s.arguments):
            continue
        found.append(s)
    return found


def _printed_signatures(call):
    """The signatures PyTorch lists when ``call`` matches none of them (None: it has one, and
    names it in no such list)."""
    try:
        call()
    except TypeError as e:
        text = str(e)
    else:
        return None
    if "but expected one of:" in text:
        return re.findall(r"^ \* (\(.*\))$", text, re.M)
    if "but expected (" in text:
        return [text.split("but expected ", 1)[1].strip()]
    return None


def _split(signature):
    """The arguments of a printed signature (``*`` included), split at top-level commas."""
    parts, depth, start = [], 0, 1
    for i, c in enumerate(signature[1:-1], 1):
        depth += c in "[(" and 1 or (-1 if c in "])" else 0)
        if c == "," and depth == 0:
            parts.append(signature[start:i].strip())
            start = i + 1
    last = signature[start:-1].strip()
    return [*parts, last] if last else parts


def _optional(name, names):
    """The arguments that take None in the schema of ``name`` whose other arguments are
    ``names`` (a printed signature shows no mark on an optional argument without default:
    sum's ``tuple of ints dim``); empty where no schema has them."""
    names = [n for n in names if n not in ("self", "input", "out")]
    for s in torch._C._jit_get_schemas_for_operator("aten::" + name):
        arguments = [a for a in s.arguments if a.name not in ("self", "out")]
        if [a.name for a in arguments] == names:
            return {a.name for a in arguments if str(a.type).startswith("Optional[")}
    return set()


def _parsed_signature(text, ours, method, name):
    """(text, arguments) of a printed signature: each argument as (position in the function's
    signature, or None for keyword-only; the keyword retrograd takes; PyTorch's name; kind;
    whether None is taken; whether it may be left out)."""
    out, keyword_only, position = [], False, int(method)
    parts = [part for part in _split(text) if part != "*"]
    optional = _optional(name, [part.partition(" = ")[0].rpartition(" ")[2] for part in parts])
    for part in _split(text):
        if part == "*":
            keyword_only = True
            continue
        head, _, default = part.partition(" = ")
        kind, _, shown = head.rpartition(" ")
        at = None if keyword_only else position
        position += 1
        key = shown
        if at is not None and at < len(ours) and shown not in ours:
            key = ours[at]  # (self for input)
        out.append((at, key, shown, kind, default == "None" or shown in optional, bool(default)))
    return (text, tuple(out))


def _schema_signature(schema, fn, method):
    """(None, arguments) of the one signature of ``schema`` (None where retrograd's parameters
    differ from PyTorch's), as _parsed_signature; ``method``: without self."""
    try:
        ours = list(inspect.signature(_parameters_of(fn)).parameters.values())
    except (TypeError, ValueError):
        return None, "no signature"
    names = {p.name for p in ours}
    out = []
    for i, a in enumerate(schema.arguments):
        t = str(a.real_type)  # (a dtype's type is int, its real type ScalarType)
        optional = t.startswith("Optional[")
        kind = _KINDS.get(t[len("Optional[") : -1] if optional else t)
        if kind is None or (method and i == 0):
            continue
        if kind == "tuple of ints" and a.has_default_value() and a.default_value == []:
            optional = True  # (PyTorch's parser reads None as the empty default: amax(x, None))
        shown = "input" if a.name == "self" else a.name
        may_omit = a.has_default_value() or optional
        if a.kwarg_only:  # (by name alone)
            if a.name not in names:
                return None, f"retrograd has no keyword argument {a.name!r}"
            out.append((None, a.name, shown, kind, optional, may_omit))
            continue
        if i < len(ours) and ours[i].kind is ours[i].POSITIONAL_OR_KEYWORD:
            if ours[i].name not in (a.name, shown):
                return None, f"parameter {i} is {ours[i].name!r} here, {shown!r} in PyTorch"
            key = ours[i].name
        else:
            return None, f"retrograd has no parameter {i} ({shown})"
        out.append((i, key, shown, kind, optional, may_omit))
    return ((None, tuple(out)),), None


def _parameters_of(fn):
    """The function whose parameters are ``fn``'s: an op's forward (the op's own function takes
    ``*args``), else ``fn``."""
    d = getattr(fn, "opdef", None)
    return fn if d is None else d.forward


def kinds_of(name, fn, method=False, theirs=None):
    """The signatures of PyTorch's function (``method``: Tensor method) ``name``, or of its
    built-in ``theirs``, for retrograd's ``fn``, and why not where there are none to check."""
    if theirs is None:
        theirs = getattr(torch.Tensor if method else torch, name, None)
    wanted = inspect.ismethoddescriptor if method else inspect.isbuiltin
    if theirs is None or not wanted(theirs):
        return None, "not a built-in of PyTorch's"
    try:
        parameters = inspect.signature(_parameters_of(fn)).parameters.values()
    except (TypeError, ValueError):
        return None, "no signature"
    ours = []  # (the names of retrograd's positional parameters)
    for p in parameters:
        if p.kind is not p.POSITIONAL_OR_KEYWORD:
            break
        ours.append(p.name)
    if method:
        printed = _printed_signatures(lambda: theirs(torch.ones(1), *_NOTHING))
    else:
        printed = _printed_signatures(lambda: theirs(*_NOTHING))
    if printed is not None:
        return tuple(_parsed_signature(s, ours, method, name) for s in printed), None
    schemas = _python_schemas(name)
    if len(schemas) != 1:
        return None, f"{len(schemas)} schemas"
    return _schema_signature(schemas[0], fn, method)


def _hidden():
    """The signatures PyTorch takes but does not list (its deprecated ones, without out=):
    name -> (arguments, ...), each as (PyTorch's name, kind)."""
    path = pathlib.Path(torchgen.__file__).parent / "packaged/autograd/deprecated.yaml"
    found = {}
    for name, arguments in re.findall(r"^- name: (\w+)\((.*)\) ->", path.read_text(), re.M):
        if "out" in arguments:
            continue
        pairs = [a.strip().split(" ") for a in arguments.split(",")]
        kinds = {"Tensor": "Tensor", "Tensor(a!)": "Tensor", "Scalar": "Number"}
        found.setdefault(name, []).append(tuple((n, kinds[t]) for t, n in pairs))
    return {name: tuple(signatures) for name, signatures in sorted(found.items())}


# A value of each kind, to call PyTorch with
_SAMPLES = {"int": 0, "float": 1.0, "Number": 1, "bool": False, "tuple of ints": (0,)}


def takes_numbers_as_tensors(name, signatures, method=False):
    """Whether PyTorch's ``name`` takes a Python number for a Tensor argument (``sub(2, x)``),
    as its parser does for the arithmetic and comparison functions: tried by calling it with
    1 for every Tensor up to the last one of a signature, where none of the signatures takes
    that call for its kinds alone (clamp(x, 1) is its Number signature)."""
    theirs = getattr(torch.Tensor if method else torch, name)
    checked = parser._signatures(lambda *a, **k: None, name, signatures, int(method))
    for _, arguments in signatures:
        positional = [a for a in arguments if a[0] is not None and a[0] >= method]
        last = max((k for k, a in enumerate(positional) if a[3] == "Tensor"), default=None)
        if last is None or any(a[3] not in (*_SAMPLES, "Tensor") for a in positional[: last + 1]):
            continue
        call = [1 if a[3] == "Tensor" else _SAMPLES[a[3]] for a in positional[: last + 1]]
        try:
            checked(retrograd.ones(2), *call) if method else checked(*call)
            continue
        except TypeError:
            pass
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs(torch.ones(2), *call) if method else theirs(*call)
        except TypeError:
            continue
        except Exception:  # (taken; refused for its values)
            pass
        return True
    return False


def _table(candidates, method):
    """(the composed functions' signatures, the op table's, what was left out and why, the
    names that take numbers as tensors)."""
    table, ops_table, skipped, numbers = {}, {}, {}, set()
    for name, fn in candidates:
        if name in table or name in ops_table or not inspect.isfunction(fn):
            continue
        d = getattr(fn, "opdef", None)
        if d is not None and d.name != name:  # (an alias of an op: checked under its own name)
            continue
        kinds, why = kinds_of(name, fn, method)
        if kinds and any(args for _, args in kinds):
            (table if d is None else ops_table)[name] = kinds
            if takes_numbers_as_tensors(name, kinds, method):
                numbers.add(name)
        elif why:
            skipped[name] = why
    return table, ops_table, skipped, numbers


# The op-table ops behind a Python function of PyTorch's that hands its arguments on to the
# built-in of the op's name (torch.split: an int to split, anything else to split_with_sizes),
# checked as that built-in checks them
_BEHIND_PYTHON = (("split", ops.shape._split), ("split_with_sizes", ops.shape._split_with_sizes))


def tables():
    """(functions, methods, the op table's functions, its methods, hidden, numbers as tensors,
    what was left out and why)."""
    candidates = [(n, getattr(m, n)) for m in ops.MODULES for n in m.__all__]
    functions, op_functions, skipped, numbers = _table(candidates, False)
    for name, fn in _BEHIND_PYTHON:
        op_functions[name] = kinds_of(name, fn, theirs=getattr(torch._VF, name))[0]
    methods, op_methods, skipped_methods, method_numbers = _table(list(METHODS.items()), True)
    numbers = frozenset(numbers | method_numbers)
    return (
        functions,
        methods,
        op_functions,
        op_methods,
        _hidden(),
        numbers,
        {**skipped_methods, **skipped},
    )


def main():
    functions, methods, op_functions, op_methods, hidden, numbers, skipped = tables()
    text = (
        '"""The signatures PyTorch\'s argument parser tries for the functions retrograd composes\n'
        "from other ops, in its order: name -> ((the signature as PyTorch prints it, or None for a\n"
        "function of one signature; its arguments), ...), each argument (position, None for\n"
        "keyword-only; retrograd's keyword; PyTorch's name; kind; takes None; may be left out).\n"
        "KINDS holds the functions, METHOD_KINDS the Tensor methods (positions count self as 0);\n"
        "OP_KINDS and OP_METHOD_KINDS the same for the op table's functions and methods, which\n"
        "check their arguments where they bind them (see registry);\n"
        "HIDDEN the signatures PyTorch takes without listing them (its deprecated ones), each\n"
        "argument's (name, kind);\n"
        "NUMBERS_AS_TENSORS those whose Tensor arguments take Python numbers too (sub(2, x)).\n"
        'Written by tools/argument_kinds.py from PyTorch; read by ops.arguments and ops.registry."""\n\n'
        f"KINDS = {pprint.pformat(dict(sorted(functions.items())), width=100)}\n\n"
        f"METHOD_KINDS = {pprint.pformat(dict(sorted(methods.items())), width=100)}\n\n"
        f"OP_KINDS = {pprint.pformat(dict(sorted(op_functions.items())), width=100)}\n\n"
        f"OP_METHOD_KINDS = {pprint.pformat(dict(sorted(op_methods.items())), width=100)}\n"
    )
    text += f"\nHIDDEN = {pprint.pformat(hidden, width=100)}\n"
    text += f"\nNUMBERS_AS_TENSORS = {pprint.pformat(numbers, width=100)}\n"
    OUT.write_text(text)
    print(
        f"{len(functions)} functions, {len(methods)} methods, {len(op_functions)} op functions "
        f"and {len(op_methods)} op methods written; left out:"
    )
    for name, why in sorted(skipped.items()):
        print(f"  {name}: {why}")


if __name__ == "__main__":
    main()
