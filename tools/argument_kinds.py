"""Write ``src/retrograd/ops/argument_kinds.py``: for each function retrograd composes from other
ops (outside the op table), the kinds of the arguments PyTorch's argument parser checks in its
one Python signature (Tensor, int, float, Number, bool, tuple of ints), read from PyTorch's operator
schemas.  PyTorch must be installed.  Functions of several signatures, and arguments whose name
or position differ in retrograd, are left out (the tool says which).

    PYTHONPATH=src python tools/argument_kinds.py
"""

import inspect
import pathlib
import pprint

import torch

from retrograd import ops
from retrograd.ops.registry import METHODS

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/retrograd/ops/argument_kinds.py"

_KINDS = {
    "Tensor": "Tensor",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "SymInt": "int",
    "number": "Number",  # (PyTorch's Scalar)
    "List[int]": "ints",
    "List[SymInt]": "ints",
}


def _python_schemas(name):
    """The schemas behind PyTorch's Python signatures of ``name`` (no out=, dimension-name,
    TorchScript list or generic overloads)."""
    found = []
    for s in torch._C._jit_get_schemas_for_operator("aten::" + name):
        o = s.overload_name
        if o == "out" or o.endswith("_out") or "dimname" in o.lower() or "names" in o:
            continue
        types = [str(a.type) for a in s.arguments]
        if any(t in ("t", "List[t]", "List[str]") or t.endswith("[t]") for t in types):
            continue
        if o in ("t", "int_list", "str", "Dimname") or any(a.name == "names" for a in s.arguments):
            continue
        found.append(s)
    return found


def _kind(t):
    optional = t.startswith("Optional[")
    base = t[len("Optional[") : -1] if optional else t
    kind = _KINDS.get(base)
    return None if kind is None else (kind, optional)


def kinds_of(name, fn):
    if not callable(getattr(torch, name, None)) and not hasattr(torch.Tensor, name):
        return None, "not in torch"
    builtin = type(getattr(torch, name, None)).__name__ == "builtin_function_or_method"
    method = inspect.ismethoddescriptor(getattr(torch.Tensor, name, None))
    if not (builtin or method):
        return None, "a Python function in PyTorch"
    schemas = _python_schemas(name)
    if len(schemas) != 1:
        return None, f"{len(schemas)} signatures"
    try:
        ours = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None, "no signature"
    out = []
    names = {p.name for p in ours}
    for i, a in enumerate(schemas[0].arguments):
        k = _kind(str(a.real_type))  # (a dtype's type is int, its real type ScalarType)
        if k is None:
            continue
        shown = "input" if a.name == "self" else a.name
        if a.kwarg_only:  # (by name alone)
            if a.name not in names:
                return None, f"retrograd has no keyword argument {a.name!r}"
            out.append((None, a.name, a.name, k[0], k[1]))
            continue
        if i >= len(ours) or ours[i].kind not in (ours[i].POSITIONAL_OR_KEYWORD,):
            return None, f"retrograd has no parameter {i} ({shown})"
        if ours[i].name not in (a.name, shown):
            return None, f"parameter {i} is {ours[i].name!r} here, {shown!r} in PyTorch"
        out.append((i, ours[i].name, shown, k[0], k[1]))
    return tuple(out), None


def main():
    table, skipped = {}, {}
    seen = set()
    candidates = [(n, getattr(m, n)) for m in ops.MODULES for n in m.__all__]
    candidates += list(METHODS.items())
    for name, fn in candidates:
        if name in seen or not inspect.isfunction(fn) or hasattr(fn, "opdef"):
            continue
        seen.add(name)
        kinds, why = kinds_of(name, fn)
        if kinds:
            table[name] = kinds
        elif why:
            skipped[name] = why
    text = (
        '"""The arguments PyTorch\'s argument parser checks for the functions retrograd composes\n'
        "from other ops: name -> (position (None: keyword-only), our name, PyTorch's name, kind,\n"
        "optional) for each\n"
        "Tensor, int, float, Number, bool or tuple-of-ints argument of PyTorch's one signature.  Written by\n"
        'tools/argument_kinds.py from PyTorch\'s operator schemas; read by ops.arguments."""\n\n'
        f"KINDS = {pprint.pformat(dict(sorted(table.items())), width=100, sort_dicts=True)}\n"
    )
    OUT.write_text(text)
    print(f"{len(table)} functions written, {len(skipped)} left out:")
    for name, why in sorted(skipped.items()):
        print(f"  {name}: {why}")


if __name__ == "__main__":
    main()
