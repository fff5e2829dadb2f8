"""``torch.overrides``: PyTorch's ``__torch_function__`` protocol, as far as retrograd has it.

retrograd's functions do not dispatch to ``__torch_function__`` (a Tensor subclass runs the
functions as they are), so no argument ever counts as overriding one: ``has_torch_function`` is
False for every argument, ``handle_torch_function`` (which a function calls only when it is True)
and entering a ``TorchFunctionMode`` raise ``NotImplementedError`` naming the protocol. The lists
of functions a subclass could override are there for the tools that read them.
"""

from __future__ import annotations

import contextlib
import functools
import types
from collections.abc import Callable, Iterable
from typing import Any

from .tensor import Tensor

__all__ = [
    "get_ignored_functions",
    "get_overridable_functions",
    "get_testing_overrides",
    "handle_torch_function",
    "has_torch_function",
    "has_torch_function_unary",
    "has_torch_function_variadic",
    "resolve_name",
    "is_tensor_like",
    "is_tensor_method_or_property",
    "wrap_torch_function",
    "enable_reentrant_dispatch",
    "TorchFunctionMode",
    "BaseTorchFunctionMode",
]

_NO_PROTOCOL = "{} is not built in retrograd: its functions do not dispatch to __torch_function__"


def has_torch_function(relevant_args: Iterable[Any]) -> bool:
    """Whether an argument overrides the function through ``__torch_function__``: never in
    retrograd."""
    return False


def has_torch_function_unary(arg: Any) -> bool:
    return False


def has_torch_function_variadic(*args: Any) -> bool:
    return False


def handle_torch_function(public_api: Callable, relevant_args: Iterable[Any], *args, **kwargs):
    raise NotImplementedError(_NO_PROTOCOL.format("torch.overrides.handle_torch_function"))


def is_tensor_like(inp: Any) -> bool:
    """A Tensor, a subclass's instance, or an object with ``__torch_function__``."""
    return isinstance(inp, Tensor) or hasattr(type(inp), "__torch_function__")


def _namespaces() -> dict:
    import retrograd

    from . import fft, linalg, nn, special

    return {
        retrograd: "torch",
        Tensor: "torch.Tensor",
        nn.functional: "torch.nn.functional",
        linalg: "torch.linalg",
        fft: "torch.fft",
        special: "torch.special",
    }


@functools.cache
def _overridable() -> dict:
    out: dict = {}
    for namespace in _namespaces():
        found = []
        for name in dir(namespace):
            if name.startswith("_"):
                continue
            value = getattr(namespace, name, None)
            if callable(value) and not isinstance(value, (type, types.ModuleType)):
                if name not in _IGNORED_NAMES:
                    found.append(value)
        out[namespace] = found
    return out


# Functions that take no tensor argument to dispatch on (factories, settings, predicates on types).
_IGNORED_NAMES = frozenset(
    "tensor as_tensor from_numpy zeros ones empty full arange linspace logspace eye rand randn "
    "randint randperm manual_seed seed initial_seed get_default_dtype set_default_dtype "
    "is_grad_enabled set_grad_enabled no_grad enable_grad is_tensor is_storage "
    "set_printoptions compile typename".split()
)


def get_overridable_functions() -> dict:
    """The public functions of each namespace (``torch``, ``torch.Tensor``,
    ``torch.nn.functional``, ``torch.linalg``, ``torch.fft``, ``torch.special``) that take a
    tensor, as lists keyed by the namespace."""
    return {k: list(v) for k, v in _overridable().items()}


def get_ignored_functions() -> set:
    """The public functions that take no tensor to dispatch on (factories, settings)."""
    import retrograd

    return {getattr(retrograd, n) for n in _IGNORED_NAMES if hasattr(retrograd, n)}


def get_testing_overrides() -> dict:
    """A stand-in (returning -1) for each overridable function, keyed by the function."""
    return {f: (lambda *args, **kwargs: -1) for fs in _overridable().values() for f in fs if f}


def resolve_name(f: Any) -> str | None:
    """``torch.add``-style name of an overridable function, None for another."""
    for namespace, prefix in _namespaces().items():
        for name in dir(namespace):
            if not name.startswith("__") and getattr(namespace, name, None) is f:
                return f"{prefix}.{name}"
    return None


def is_tensor_method_or_property(func: Callable) -> bool:
    """Whether ``func`` is a Tensor method or property (as ``Tensor.add``)."""
    name = getattr(func, "__name__", None)
    return name is not None and (
        Tensor.__dict__.get(name) is func or getattr(Tensor, name, None) is func
    )


def wrap_torch_function(dispatcher: Callable) -> Callable:
    """A decorator that would dispatch a function to ``__torch_function__``: retrograd has no
    dispatch, so the function is returned as it is."""

    def wrap(func: Callable) -> Callable:
        return func

    return wrap


@contextlib.contextmanager
def enable_reentrant_dispatch():
    yield


class TorchFunctionMode:
    """PyTorch's mode that sees every torch function call: retrograd does not dispatch to modes,
    so entering one raises ``NotImplementedError``."""

    inner: Any = None

    def __init__(self) -> None:
        pass

    def __torch_function__(self, func, types, args=(), kwargs=None):
        raise NotImplementedError

    def __enter__(self):
        raise NotImplementedError(_NO_PROTOCOL.format("torch.overrides.TorchFunctionMode"))

    def __exit__(self, *exc) -> None:
        pass

    @classmethod
    def push(cls, *args: Any, **kwargs: Any):
        raise NotImplementedError(_NO_PROTOCOL.format("torch.overrides.TorchFunctionMode"))


class BaseTorchFunctionMode(TorchFunctionMode):
    pass
