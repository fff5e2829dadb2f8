"""``retrograd.jit``: TorchScript's names, run eagerly.

retrograd has no TorchScript compiler.  ``script`` and ``trace`` return a module or function that
runs the same Python code eagerly, so it gives the same results as the original; the decorators
(``ignore``, ``unused``, ``export``) leave functions unchanged, as they do in eager PyTorch; and
``is_scripting()`` / ``is_tracing()`` are False, as they are in eager code.  (So code that takes
another branch under TorchScript, ``if torch.jit.is_scripting(): ...``, takes its eager branch.)  What needs a compiled
program (``save``, ``load``, ``.code``, ``.graph``) raises ``NotImplementedError``.
"""

import copy
import functools
import typing
import warnings
from collections import namedtuple

from .futures import Future

__all__ = [
    "script",
    "trace",
    "trace_module",
    "ignore",
    "unused",
    "export",
    "is_scripting",
    "is_tracing",
    "annotate",
    "Attribute",
    "Final",
    "fork",
    "wait",
    "freeze",
    "optimize_for_inference",
    "save",
    "load",
    "script_method",
    "interface",
    "ScriptModule",
    "ScriptFunction",
    "RecursiveScriptModule",
    "Error",
    "optimized_execution",
]

Final = typing.Final
Attribute = namedtuple("Attribute", ["value", "type"])


class Error(RuntimeError):
    """``torch.jit.Error``: what a failing TorchScript program raises."""


def _deprecated(name: str, instead: str = "switch to `torch.compile` or `torch.export`") -> None:
    warnings.warn(
        f"`torch.jit.{name}` is deprecated. Please {instead}.", DeprecationWarning, stacklevel=3
    )


def _no_compiled_program(what: str):
    return NotImplementedError(
        f"{what}: retrograd has no TorchScript compiler; scripted and "
        "traced code runs eagerly, and there is no compiled program to show "
        "or save. Save the state_dict with torch.save instead."
    )


class ScriptModule:
    """A module returned by ``script`` or ``trace``: the original module's class, running its
    Python ``forward`` eagerly, sharing its parameters and buffers."""

    @property
    def original_name(self) -> str:
        return self._original_name

    @property
    def code(self):
        raise _no_compiled_program("ScriptModule.code")

    @property
    def graph(self):
        raise _no_compiled_program("ScriptModule.graph")

    def save(self, f, _extra_files=None):
        raise _no_compiled_program("ScriptModule.save")


RecursiveScriptModule = ScriptModule

_SCRIPTED_CLASSES = {}


def _as_script_module(module):
    """A shallow copy of ``module`` (the same parameters, buffers and submodules) whose class also
    derives from ScriptModule."""
    if isinstance(module, ScriptModule):
        return module
    cls = type(module)
    scripted = _SCRIPTED_CLASSES.get(cls)
    if scripted is None:
        scripted = type(cls.__name__, (cls, ScriptModule), {"__module__": cls.__module__})
        _SCRIPTED_CLASSES[cls] = scripted
    new = copy.copy(module)
    object.__setattr__(new, "__class__", scripted)
    object.__setattr__(new, "_original_name", cls.__name__)
    return new


class ScriptFunction:
    """A function returned by ``script`` or ``trace``: calling it runs the original eagerly."""

    def __init__(self, fn) -> None:
        functools.update_wrapper(self, fn)
        self._fn = fn

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    @property
    def code(self):
        raise _no_compiled_program("ScriptFunction.code")

    @property
    def graph(self):
        raise _no_compiled_program("ScriptFunction.graph")

    def save(self, f, _extra_files=None):
        raise _no_compiled_program("ScriptFunction.save")


def _wrap(obj):
    from .nn.module import Module

    if isinstance(obj, Module):
        return _as_script_module(obj)
    if isinstance(obj, ScriptFunction) or not callable(obj):
        return obj
    return ScriptFunction(obj)


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """``torch.jit.script``: here, ``obj`` unchanged in behaviour — a module (sharing the original's
    parameters) or function that runs its Python code eagerly, with the same results.

    ``optimize`` is deprecated in PyTorch and has no effect there either; ``example_inputs`` only
    guides TorchScript's type inference, which eager code does not need."""
    _deprecated("script")
    if optimize is not None:
        warnings.warn(
            "`optimize` is deprecated and has no effect. Use `with "
            "torch.jit.optimized_execution()` instead",
            FutureWarning,
            stacklevel=2,
        )
    return _wrap(obj)


def trace(
    func,
    example_inputs=None,
    optimize=None,
    check_trace: bool = True,
    check_inputs=None,
    check_tolerance: float = 1e-5,
    strict: bool = True,
    _force_outplace: bool = False,
    _module_class=None,
    _compilation_unit=None,
    example_kwarg_inputs=None,
    _store_inputs: bool = True,
):
    """``torch.jit.trace``: runs ``func`` once on the example inputs, as tracing does, and returns a
    module or function that runs eagerly on every call, with the same results.

    What tracing would record is the eager code itself, so the trace checks (``check_trace``,
    ``check_inputs``, ``check_tolerance``) compare eager code with itself and always pass, and
    ``strict`` (which rejects mutable outputs a trace cannot record) has nothing to reject."""
    _deprecated("trace")
    if optimize is not None:
        warnings.warn(
            "`optimize` is deprecated and has no effect. Use `with "
            "torch.jit.optimized_execution()` instead",
            FutureWarning,
            stacklevel=2,
        )
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_kwarg_inputs or example_inputs must be provided")
    if example_kwarg_inputs is not None:
        func(**example_kwarg_inputs)
    else:
        args = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
        func(*args)
    return _wrap(func)


def trace_module(
    mod,
    inputs,
    optimize=None,
    check_trace: bool = True,
    check_inputs=None,
    check_tolerance: float = 1e-5,
    strict: bool = True,
    _force_outplace: bool = False,
    _module_class=None,
    _compilation_unit=None,
    example_inputs_is_kwarg: bool = False,
    _store_inputs: bool = True,
):
    """``torch.jit.trace_module``: runs each named method once on its inputs (``{name: inputs}``)
    and returns the module, running eagerly (see ``trace``)."""
    _deprecated("trace_module")
    for name, args in inputs.items():
        method = getattr(mod, name)
        if example_inputs_is_kwarg:
            method(**args)
        else:
            method(*(args if isinstance(args, tuple) else (args,)))
    return _as_script_module(mod)


def ignore(drop=False, **kwargs):
    """``torch.jit.ignore``: leave a function to Python.  Everything runs in Python here, so the
    function is returned as it is."""
    if callable(drop):
        return drop
    if drop:
        warnings.warn(
            "ignore(True) has been deprecated. TorchScript will now drop the function "
            "call on compilation. Use torch.jit.unused now. {}",
            FutureWarning,
            stacklevel=2,
        )
    return lambda fn: fn


def unused(fn):
    """``torch.jit.unused``: the function is kept and runs when called, as in eager PyTorch."""
    return fn


def export(fn):
    """``torch.jit.export``: mark a method to compile; eager code needs no mark."""
    return fn


def script_method(fn):
    return fn


def interface(obj):
    return obj


def is_scripting() -> bool:
    """False: code here never runs inside a TorchScript program."""
    return False


def is_tracing() -> bool:
    """False: ``trace`` runs code eagerly, never under a tracer."""
    return False


def annotate(the_type, the_value):
    """``torch.jit.annotate``: a type hint for the compiler; returns ``the_value``."""
    return the_value


def fork(func, *args, **kwargs) -> Future:
    """``torch.jit.fork``: runs ``func`` now (PyTorch runs it in parallel only in TorchScript);
    the future it returns is complete."""
    _deprecated("fork", "use `torch.compile` instead")
    future: Future = Future()
    future.set_result(func(*args, **kwargs))
    return future


def wait(future):
    _deprecated("wait", "use `torch.compile` instead")
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics: bool = True):
    """``torch.jit.freeze``: inlines parameters into a compiled program; with no compiled program,
    the module is returned unchanged (after PyTorch's checks on its input)."""
    _deprecated("freeze", "use `torch.compile` instead")
    if not isinstance(mod, ScriptModule):
        raise RuntimeError(
            "Freezing expects a ScriptModule as input. Please use torch.jit.script "
            "or torch.jit.trace to script your 'nn.Module'."
        )
    if mod.training:
        raise RuntimeError(
            "Freezing is currently only implemented for modules in eval mode. "
            "Please call .eval() on your module before freezing."
        )
    return mod


def optimize_for_inference(mod, other_methods=None):
    """``torch.jit.optimize_for_inference``: freezes the module (see ``freeze``)."""
    if not isinstance(mod, ScriptModule):
        raise RuntimeError(
            "optimize_for_inference expects a ScriptModule as input. Please use "
            "torch.jit.script or torch.jit.trace to script your 'nn.Module'."
        )
    return mod


class optimized_execution:
    """``torch.jit.optimized_execution``: a block with the TorchScript optimizer on or off; there is
    no optimizer here, so the block runs as it is."""

    def __init__(self, should_optimize: bool) -> None:
        self.should_optimize = should_optimize

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def save(m, f, _extra_files=None):
    raise _no_compiled_program("torch.jit.save")


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    raise _no_compiled_program("torch.jit.load")
