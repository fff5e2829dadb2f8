"""``torch.fx``: symbolic tracing into a graph of Python code, which retrograd does not build
(``retrograd.compile`` traces instead). Importing works; each name raises
``NotImplementedError`` when called or made, except ``wrap``, which marks a function for tracers
and so has nothing to do here: it returns the function."""

from typing import Any

from .._device import not_built

globals().update(
    not_built(
        "torch.fx",
        "symbolic_trace Tracer Graph GraphModule Interpreter Transformer Node Proxy "
        "replace_pattern has_side_effect map_arg",
    )
)


def wrap(fn_or_name: Any) -> Any:
    """``torch.fx.wrap``: mark a function as a leaf for symbolic tracing (which retrograd does not
    build): returned as it is."""
    return fn_or_name


__all__ = [
    "symbolic_trace",
    "Tracer",
    "wrap",
    "Graph",
    "GraphModule",
    "Interpreter",
    "Transformer",
    "Node",
    "Proxy",
    "replace_pattern",
    "has_side_effect",
    "map_arg",
]
