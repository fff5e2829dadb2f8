"""The package's layers (docs/design.md §2): a module imports, at module level, only modules of its
own layer or lower ones.  A lower layer reaches a higher one only inside a function, when called
(``Tensor.backward`` runs the engine), never while it is being imported: so there is no import
cycle between layers, and any module can be imported first.

Importing ``a.b.c`` runs the package ``a.b``'s ``__init__`` too, so that counts as importing it
(the root package ``retrograd`` aside: every module lives under it)."""

import ast
import pathlib

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"

# Lowest first.  "x.*" stands for every module under the package x; a module listed by name wins
# over its package's pattern.  Anything not listed belongs to the top layer (nn, optim, utils ...).
LAYERS = [
    # switches and the array library: import nothing of retrograd's
    ["_array", "_switches", "_device", "_threads", "version"],
    ["dtypes", "_sampling"],
    ["tensor", "printing"],
    ["_out", "_generator", "random", "creation", "types", "_meta"],
    # the graph and everything autograd: nodes and saved values, grad and anomaly modes, the
    # backward engine, custom Functions, forward mode, gradcheck.  Where these run ops (a formula,
    # forward mode rerunning an op, a view's node made anew) they reach the op table through the
    # Tensor methods or a function-local import, when called.
    ["autograd", "autograd.*"],
    # the op table and every op, recording into the graph
    ["ops", "ops.*"],
]


def _modules():
    root = SRC / "retrograd"
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        yield ".".join(parts), path, is_package


def _layer(name):
    rel = name.split(".", 1)[1] if "." in name else ""
    for i, layer in enumerate(LAYERS):
        if rel in layer:
            return i
    for i, layer in enumerate(LAYERS):
        if any(p.endswith(".*") and rel.startswith(p[:-1]) for p in layer):
            return i
    return len(LAYERS)


def _module_level_imports(tree):
    """Import statements run while the module is imported: not those inside a function."""
    out = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _targets(name, is_package, node, known):
    """The retrograd modules an import statement runs (each package ``__init__`` on the way)."""
    if isinstance(node, ast.Import):
        full = [a.name for a in node.names]
    else:
        if node.level:
            base = name.split(".") if is_package else name.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module
        full = [module] + [f"{module}.{a.name}" for a in node.names]
    found = set()
    for target in full:
        parts = target.split(".")
        for i in range(2, len(parts) + 1):  # from retrograd.x on: the root runs first anyway
            prefix = ".".join(parts[:i])
            if prefix in known:
                found.add(prefix)
    return found


def layer_violations():
    modules = {name: (path, is_package) for name, path, is_package in _modules()}
    bad = []
    for name, (path, is_package) in modules.items():
        mine = _layer(name)
        for node in _module_level_imports(ast.parse(path.read_text())):
            for target in _targets(name, is_package, node, modules):
                if target != name and _layer(target) > mine:
                    bad.append(f"{name} (layer {mine}) imports {target} (layer {_layer(target)})")
    return sorted(bad)


def test_no_module_imports_a_higher_layer_at_module_level():
    assert layer_violations() == []


def test_the_order_of_the_main_layers():
    order = ["_switches", "tensor", "creation", "autograd.engine", "ops.registry", "nn.module"]
    layers = [_layer(f"retrograd.{m}") for m in order]
    assert layers == sorted(layers) and len(set(layers)) == len(layers)
    assert _layer("retrograd.autograd.function") == _layer("retrograd.autograd")
    assert _layer("retrograd.optim.sgd") == _layer("retrograd.nn") == len(LAYERS)


def test_the_check_sees_an_upward_import():
    tree = ast.parse("from ..autograd.function import Function\ndef f():\n    from .. import nn\n")
    modules = {"retrograd.autograd", "retrograd.autograd.function", "retrograd.nn"}
    nodes = _module_level_imports(tree)
    assert len(nodes) == 1  # the import inside f() runs when f is called
    assert _targets("retrograd.ops.registry", False, nodes[0], modules) == {
        "retrograd.autograd",
        "retrograd.autograd.function",
    }
