"""``nn.Module``: parameters, buffers and submodules registered by attribute assignment."""

import itertools
import warnings
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from .. import _device, dtypes
from .._array import copy_in_order, xp
from .._meta import MetaTensor, give_memory
from ..autograd import training_checks as _checks
from ..autograd.anomaly import caller_site
from ..autograd.node import RemovableHandle, _HookDict, add_to
from ..tensor import Tensor, bump_version, clear_grad
from ..utils.hooks import BackwardHook
from .parameter import Buffer, Parameter, is_lazy

T_destination = TypeVar("T_destination", bound=dict[str, Any])


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and the ones it did not use."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _type_name(value) -> str:
    """The type as PyTorch's assignment errors name it: ``torch.FloatTensor``, ``int`` ..."""
    if isinstance(value, Tensor):
        return "torch." + value.dtype._tensor_name
    return type(value).__name__


# ``training_checks.check_module_call`` while ``autograd.detect_pitfalls`` is on, None otherwise
# (so a module call pays one global read for it).
_call_check = None


def _checks_changed(state) -> None:
    global _call_check
    _call_check = _checks.check_module_call if state.pitfalls else None


_checks.state.listeners.append(_checks_changed)

# Hooks of every module (``register_module_*_hook``), run before each module's own.
_global_forward_pre_hooks = _HookDict()
_global_forward_hooks = _HookDict()
_global_forward_hooks_with_kwargs = _HookDict()
_global_forward_hooks_always_called = _HookDict()
_global_backward_pre_hooks = _HookDict()
_global_backward_hooks = _HookDict()
_global_is_full_backward_hook: bool | None = None  # legacy (False) or full (True) global hooks
_global_buffer_registration_hooks = _HookDict()
_global_module_registration_hooks = _HookDict()
_global_parameter_registration_hooks = _HookDict()
# Set when a global call hook is registered, so a module call pays one global read while none is;
# the call that finds all those dicts empty again clears it.
_call_hooks_on = False


def _any_call_hooks() -> bool:
    global _call_hooks_on
    _call_hooks_on = bool(
        _global_forward_pre_hooks
        or _global_forward_hooks
        or _global_backward_pre_hooks
        or _global_backward_hooks
    )
    return _call_hooks_on


def _global_hook(hooks, hook, extra=()) -> RemovableHandle:
    global _call_hooks_on
    _call_hooks_on = True
    return add_to(hooks, hook, False, extra)


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, args)`` runs before the forward of every module, before its own hooks."""
    return _global_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable, *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """``hook(module, args, output)`` (with ``with_kwargs``: ``(module, args, kwargs, output)``)
    runs after the forward of every module, before its own hooks; with ``always_call`` also when
    the forward raises."""
    handle = _global_hook(
        _global_forward_hooks,
        hook,
        [_global_forward_hooks_with_kwargs, _global_forward_hooks_always_called],
    )
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def _set_global_backward_kind(full: bool) -> None:
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not full):
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks as a global Module "
            "hook. Please use only one of them."
        )
    _global_is_full_backward_hook = full


def register_module_backward_hook(hook: Callable) -> RemovableHandle:
    """The legacy backward hook, on every module (see ``Module.register_backward_hook``)."""
    _set_global_backward_kind(False)
    return _global_hook(_global_backward_hooks, hook)


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, grad_input, grad_output)`` for every module, before its own."""
    _set_global_backward_kind(True)
    return _global_hook(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, grad_output)`` for every module, before its own."""
    return _global_hook(_global_backward_pre_hooks, hook)


def register_module_buffer_registration_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, name, buffer)`` on every buffer registered; it may return a replacement."""
    return add_to(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, name, submodule)`` on every submodule registered; it may return a
    replacement."""
    return add_to(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, name, param)`` on every parameter registered; it may return a
    replacement."""
    return add_to(_global_parameter_registration_hooks, hook)


def _registered(hooks, module, name, value):
    """``value`` after the global registration hooks ``hooks``, each of which may replace it."""
    for hook in list(hooks.values()):
        new = hook(module, name, value)
        if new is not None:
            value = new
    return value


_LEGACY_FIX = " Please use register_full_backward_hook to get the documented behavior."


def _warn_legacy_backward_hook(args, output, node) -> None:
    """PyTorch's FutureWarnings for a legacy backward hook whose node (that of the first output)
    does not stand for the whole module: the hook then misses gradients."""

    def all_tensors(values):
        return isinstance(values, tuple) and all(isinstance(v, Tensor) for v in values)

    outputs = (output,) if isinstance(output, Tensor) else output
    if not all_tensors(outputs):
        return _future(
            "non-full backward hooks on a Module that does not return a single Tensor or a "
            "tuple of Tensors",
            "of the grad_output." + _LEGACY_FIX,
        )
    if not all_tensors(args):
        return _future(
            "non-full backward hooks on a Module that does not take as input a single Tensor or "
            "a tuple of Tensors",
            "of the grad_input." + _LEGACY_FIX,
        )
    output_nodes = {t.grad_fn for t in outputs if t.grad_fn is not None}
    if not output_nodes or (len(output_nodes) == 1 and node not in output_nodes):
        return _future(
            "a non-full backward hook when outputs are nested in python data structure",
            "grad_output.",
        )
    if len(output_nodes) > 1:
        return _future(
            "a non-full backward hook when outputs are generated by different autograd Nodes",
            "grad_output." + _LEGACY_FIX,
        )
    input_nodes = {t.grad_fn for t in args if t.grad_fn is not None}
    if input_nodes != {n for n, _ in node.next_functions}:
        _future(
            "a non-full backward hook when the forward contains multiple autograd Nodes",
            "grad_input." + _LEGACY_FIX,
        )


def _future(what: str, missing: str) -> None:
    warnings.warn(
        f"Using {what} is deprecated and will be removed in future versions. This hook will be "
        f"missing some {missing}",
        FutureWarning,
        stacklevel=5,
    )


class _WrappedHook:
    """A hook called with its module first, holding the module weakly (a hook stored on a node
    or in the module's own dicts keeps no module alive)."""

    def __init__(self, hook: Callable, module=None):
        self.hook = hook
        self.module = None if module is None else weakref.ref(module)

    def __getstate__(self):
        module = None if self.module is None else self.module()
        return {"hook": self.hook, "module": module, "with_module": self.module is not None}

    def __setstate__(self, state):
        self.hook = state["hook"]
        self.module = weakref.ref(state["module"]) if state["with_module"] else None

    def __call__(self, *args):
        if self.module is None:
            return self.hook(*args)
        module = self.module()
        if module is None:
            raise RuntimeError("You are trying to call the hook of a dead Module!")
        return self.hook(module, *args)


_EXTRA_STATE = "_extra_state"  # a module's get_extra_state() in its state dict
_NEVER_CALLED = (
    "Reached a code path in Module.{}() that should never be called. Please file an issue at "
    "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug."
)

# The dicts of hooks each module holds, under PyTorch's attribute names.
_HOOK_SLOTS = (
    "_forward_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


class Module:
    """The base class of every layer and model (``torch.nn.Module``)."""

    training: bool
    _version = 1
    dump_patches: bool = False
    call_super_init: bool = False  # pass __init__'s arguments on to the next class's __init__
    T_destination = T_destination

    def __init__(self, *args, **kwargs):
        if not self.call_super_init and (args or kwargs):
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
                if kwargs
                else f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        for slot in _HOOK_SLOTS:
            d[slot] = _HookDict()
        d["_is_full_backward_hook"] = None
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    def __setstate__(self, state):
        """An unpickled module (``torch.load`` of a whole model): its hooks dicts, pickled as
        PyTorch's OrderedDicts, become the kind a hook's handle can refer to again; those an
        older pickle lacks are made empty."""
        self.__dict__.update(state)
        for slot in _HOOK_SLOTS:
            hooks = self.__dict__.get(slot)
            if type(hooks) is not _HookDict:
                self.__dict__[slot] = _HookDict(hooks or ())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    # --- calling ----------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    _compiled_call_impl = None  # set by compile(): the traced call

    def __call__(self, *args, **kwargs):
        if self._compiled_call_impl is not None:
            return self._compiled_call_impl(*args, **kwargs)
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
            or _call_check
            or (_call_hooks_on and _any_call_hooks())
        ):
            return self.forward(*args, **kwargs)
        if _call_check is not None:
            _call_check(self)
        return self._call_impl(*args, **kwargs)

    def _call_impl(self, *args, **kwargs):
        """The call as it is, hooks and forward (what ``compile()`` traces)."""
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
            or (_call_hooks_on and _any_call_hooks())
        ):
            return self.forward(*args, **kwargs)
        try:
            return self._run_with_hooks(args, kwargs)
        except Exception:
            self._run_always_called_hooks(args, kwargs)
            raise

    def compile(self, *args, **kwargs) -> None:
        """``Module.compile``: calls of this module go through ``retrograd.compile`` from now on,
        the module itself unchanged (its state-dict keys too); arguments as ``compile``'s."""
        from .._compile import compile as _compile

        self.__dict__["_compiled_call_impl"] = _compile(self._call_impl, *args, **kwargs)

    def _run_always_called_hooks(self, args, kwargs) -> None:
        """After an error, the forward hooks registered with ``always_call=True`` still run (with
        no output), the global ones first; an error of theirs is reported as a warning, the
        first error is raised."""
        for hooks, always, with_kwargs in (
            (
                _global_forward_hooks,
                _global_forward_hooks_always_called,
                _global_forward_hooks_with_kwargs,
            ),
            (
                self._forward_hooks,
                self._forward_hooks_always_called,
                self._forward_hooks_with_kwargs,
            ),
        ):
            for hid, hook in list(hooks.items()):
                if hid not in always:
                    continue
                try:
                    if hid in with_kwargs:
                        hook(self, args, kwargs, None)
                    else:
                        hook(self, args, None)
                except Exception as e:  # the forward's error is the one to raise
                    warnings.warn(
                        "module forward hook with ``always_call=True`` raised an exception "
                        f"that was silenced as another error was raised in forward: {e}",
                        UserWarning,
                        stacklevel=4,
                    )

    def _run_with_hooks(self, args, kwargs):
        for hid, hook in [*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()]:
            if hid in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of "
                            f"(new_args, new_kwargs), but got {result}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        full, legacy = self._backward_hook_lists()
        pre = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
        backward_hook = None
        if full or pre:
            backward_hook = BackwardHook(self, full, pre)
            args = backward_hook.setup_input_hook(args)
        output = self.forward(*args, **kwargs)
        for hid, hook in [*_global_forward_hooks.items(), *self._forward_hooks.items()]:
            if hid in self._forward_hooks_with_kwargs or hid in _global_forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if backward_hook is not None:
            if not isinstance(output, (Tensor, tuple)):
                warnings.warn(
                    "For backward hooks to be called, module output should be a Tensor or a "
                    f"tuple of Tensors but received {type(output)}",
                    stacklevel=3,
                )
            output = backward_hook.setup_output_hook(output)
        if legacy:
            self._put_legacy_backward_hooks(legacy, args, output)
        return output

    def _backward_hook_lists(self):
        """The full backward hooks and the legacy ones that apply to this module, global first."""
        full, legacy = [], []
        if _global_is_full_backward_hook is True:
            full += _global_backward_hooks.values()
        elif _global_is_full_backward_hook is False:
            legacy += _global_backward_hooks.values()
        if self._is_full_backward_hook is True:
            full += self._backward_hooks.values()
        elif self._is_full_backward_hook is False:
            legacy += self._backward_hooks.values()
        return full, legacy

    def _put_legacy_backward_hooks(self, hooks, args, output) -> None:
        """``register_backward_hook``'s hooks go on the node of the first output tensor (the
        deprecated behaviour: that node's gradients only), with PyTorch's warnings where that
        node is not the whole module."""
        first = output
        while not isinstance(first, Tensor):
            if isinstance(first, dict):
                first = next(v for v in first.values() if isinstance(v, Tensor))
            else:
                first = first[0]
        node = first.grad_fn
        if node is None:
            return
        for hook in hooks:
            node.register_hook(_WrappedHook(hook, self))
        _warn_legacy_backward_hook(args, output, node)

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; it may return new args."""
        return self._add_hook(
            self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs, with_kwargs
        )

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; it may return a new output.
        With ``always_call``, it also runs (with ``output=None``) when the call raises."""
        handle = self._add_hook(
            self._forward_hooks,
            hook,
            prepend,
            self._forward_hooks_with_kwargs,
            with_kwargs,
            self._forward_hooks_always_called,
        )
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def _set_backward_kind(self, full: bool) -> None:
        if self._is_full_backward_hook is (not full):
            raise RuntimeError(
                "Cannot use both regular backward hooks and full backward hooks on a single "
                "Module. Please use only one of them."
            )
        self.__dict__["_is_full_backward_hook"] = full

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs once the gradients of the module's
        inputs are computed; it may return replacements for ``grad_input``."""
        self._set_backward_kind(True)
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` runs once the gradients of the module's outputs are
        computed, before those of its inputs; it may return replacements for ``grad_output``."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """The deprecated backward hook: ``hook(module, grad_input, grad_output)`` on the node
        of the module's first output only (use ``register_full_backward_hook``)."""
        self._set_backward_kind(False)
        return self._add_hook(self._backward_hooks, hook, False)

    @staticmethod
    def _add_hook(hooks, hook, prepend, kwarg_ids=None, with_kwargs=False, *extra):
        handle = add_to(hooks, hook, prepend, [d for d in (kwarg_ids, *extra) if d is not None])
        if with_kwargs:
            kwarg_ids[handle.id] = True
        return handle

    # --- registration -----------------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Buffer):  # nn.Buffer: registered as a buffer wherever it goes
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            if name not in d["_buffers"]:  # a buffer replaced keeps its place
                self._forget(name)
            self.register_buffer(name, value, value.persistent)
        elif isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            d["_modules"][name] = _registered(_global_module_registration_hooks, self, name, value)
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            d["_modules"][name] = _registered(_global_module_registration_hooks, self, name, None)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                    "(torch.Tensor or None expected)"
                )
            d["_buffers"][name] = _registered(_global_buffer_registration_hooks, self, name, value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        d = self.__dict__
        d.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            d[store].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if name in d.get(store, {}):
                del d[store][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = (
            list(object.__dir__(self))
            + list(self._parameters)
            + list(self._modules)
            + list(self._buffers)
        )
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def _check_name(self, name, kind):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def register_parameter(self, name: str, param) -> None:
        """Add ``param`` (a Parameter, or None) under ``name``."""
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, compute"
                " the value in the forward() method."
            )
        self._parameters[name] = _registered(
            _global_parameter_registration_hooks, self, name, param
        )

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (running statistics ...)."""
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = _registered(_global_buffer_registration_hooks, self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        self._check_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = _registered(_global_module_registration_hooks, self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def set_submodule(self, target: str, module: "Module", strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target``; with ``strict``, only in place of an
        existing submodule."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        path, _, name = target.rpartition(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self.get_submodule(path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return mod._buffers[name]

    # --- walking the tree -------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(
                    memo, prefix + ("." if prefix else "") + name, remove_duplicate
                )

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and m not in seen:
                seen.add(m)
                yield name, m

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store, prefix, recurse, remove_duplicate):
        seen = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mp, m in mods:
            for name, v in m.__dict__[store].items():
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in seen:
                        continue
                    seen.add(id(v))
                yield mp + ("." if mp else "") + name, v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ):
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable) -> "Module":
        """``fn`` on every submodule (children first) and then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.__dict__["training"] = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad``: to None (default) or to zeros in place."""
        site = None if set_to_none else caller_site(1)  # zeroing in place is a write
        for p in self.parameters():
            clear_grad(p, set_to_none, site)

    # --- dtype and device -------------------------------------------------------------------------
    def _apply(self, fn: Callable) -> "Module":
        """Replace the array of every parameter, gradient and buffer by ``fn(array)``, keeping the
        Parameter objects (an optimizer holding them sees the change)."""
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is None:
                        continue
                    new = fn(t._data)
                    if new is not t._data:
                        t._data = new
                        if t._grad is not None:
                            t._grad._data = fn(t._grad._data)
        return self

    def to_empty(self, *, device, recurse: bool = True) -> "Module":
        """Give every parameter and buffer (of this module alone unless ``recurse``) fresh,
        uninitialised memory of its shape and dtype on ``device``, keeping the Parameter
        objects; the way to materialise a module built on the meta device.  Only the CPU holds
        memory here."""
        _device.check(device, factory=True)
        for m in self.modules() if recurse else (self,):
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is None:
                        continue
                    if isinstance(t, MetaTensor):
                        give_memory(t, Parameter if isinstance(t, Parameter) else Tensor)
                        continue
                    t._data = xp.empty_like(t._data)
                    if t._grad is not None:
                        t._grad._data = xp.empty_like(t._grad._data)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Cast floating-point parameters and buffers to a dtype; the device must be the CPU, as
        in PyTorch's CPU-only build."""
        from ..ops.shape import _to_arguments

        first = args[0] if args else None
        device = kwargs.get("device", first if isinstance(first, (str, _device.device)) else None)
        if device is not None and str(device) != "meta":
            self._no_meta(
                " Please use torch.nn.Module.to_empty() instead of torch.nn.Module.to() when "
                "moving module from meta to a different device."
            )
        dtype, _, memory_format = _to_arguments(args, kwargs)
        if memory_format is not None and memory_format is not _device.preserve_format:
            # (PyTorch lays out the 4-d and 5-d parameters and buffers alone)
            self._apply(
                lambda a: (
                    copy_in_order(a, _device.memory_order(memory_format, a.ndim))
                    if a.ndim in (4, 5)
                    else a
                )
            )
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got "
                f"desired dtype={dtype}"
            )
        target = dtype.np
        return self._apply(
            lambda a: dtypes.cast(a, target) if a.dtype.kind in "fV" and a.dtype != target else a
        )

    def float(self) -> "Module":
        return self.to(dtypes.float32)

    def double(self) -> "Module":
        return self.to(dtypes.float64)

    def half(self) -> "Module":
        return self.to(dtypes.float16)

    def bfloat16(self) -> "Module":
        return self.to(dtypes.bfloat16)

    def type(self, dst_type) -> "Module":
        """Cast every parameter and buffer to ``dst_type``: a dtype, a legacy type
        (``torch.DoubleTensor``) or its name, read as ``Tensor.type`` reads it."""
        target = Tensor.type(Tensor(), dst_type)._data.dtype
        return self._apply(lambda a: a.astype(target))

    def cpu(self) -> "Module":
        self._no_meta("")
        return self

    def _no_meta(self, hint: str) -> None:
        """PyTorch's error for copying a module's meta tensors to memory: they have no values."""
        for t in itertools.chain(self.parameters(), self.buffers()):
            if isinstance(t, MetaTensor):
                raise NotImplementedError("Cannot copy out of meta tensor; no data!" + hint)

    def cuda(self, device=None) -> "Module":  # type: ignore[return]  # always raises
        """PyTorch's CPU-only build has no CUDA device, and says so."""
        _device.accelerator_call("cuda", device)

    def xpu(self, device=None) -> "Module":
        """PyTorch's CPU-only build has no XPU: an error once there is a tensor to move."""
        return self._no_device("xpu", device)

    def ipu(self, device=None) -> "Module":
        """PyTorch's CPU-only build has no IPU: an error once there is a tensor to move."""
        return self._no_device("ipu", device)

    def mtia(self, device=None) -> "Module":
        """PyTorch's CPU-only build has no MTIA: an error once there is a tensor to move."""
        return self._no_device("mtia", device)

    def _no_device(self, kind: str, device) -> "Module":
        for _ in itertools.chain(self.parameters(), self.buffers()):
            _device.accelerator_call(kind, device)  # (each tensor's move raises)
        return self

    def share_memory(self) -> "Module":
        """Move every parameter, its gradient and every buffer into shared memory
        (``Tensor.share_memory_``): processes forked or spawned later train the same weights."""
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is not None:
                        t.share_memory_()
                        if t._grad is not None:
                            t._grad.share_memory_()
        return self

    # --- state dicts ------------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        """This module's own entries: parameters, persistent buffers, then its extra state."""
        for name, p in self._parameters.items():
            if p is not None:
                # (a lazy module's placeholder is saved as itself)
                destination[prefix + name] = p if keep_vars or is_lazy(p) else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars or is_lazy(b) else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and persistent buffers by dotted name, as detached tensors sharing memory
        (and ``_extra_state`` for a module that defines ``get_extra_state``)."""
        if args:  # the old positional form: (destination, prefix, keep_vars)
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        meta = getattr(destination, "_metadata", None)
        if meta is not None:
            meta[prefix[:-1]] = local_metadata
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        for hook in list(self._state_dict_hooks.values()):
            result = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif result is not None:
                destination = result
        return destination

    def get_extra_state(self) -> Any:
        """What a module saves beyond its tensors, under ``_extra_state`` in its state dict; a
        module that has some overrides this and ``set_extra_state``."""
        raise RuntimeError(_NEVER_CALLED.format("get_extra_state"))

    def set_extra_state(self, state: Any) -> None:
        """Restore what ``get_extra_state`` returned (called by ``load_state_dict``)."""
        raise RuntimeError(_NEVER_CALLED.format("set_extra_state"))

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict`` saves this module."""
        return self._add_hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs after ``state_dict`` saved
        this module and its children; it may change ``state_dict`` in place and returns None."""
        hook._from_public_api = True  # type: ignore[attr-defined]
        return self._add_hook(self._state_dict_hooks, hook, False)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """The older post-hook: one whose return value, if not None, becomes the state dict."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was "
                "previously registered via register_state_dict_post_hook"
            )
        return self._add_hook(self._state_dict_hooks, hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs before ``load_state_dict`` loads this module; it may
        change ``state_dict`` in place (renaming keys ...)."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable, with_module: bool = False
    ) -> RemovableHandle:
        """The same, called without the module unless ``with_module``."""
        wrapped = _WrappedHook(hook, self if with_module else None)
        return self._add_hook(self._load_state_dict_pre_hooks, wrapped, False)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` runs after ``load_state_dict`` loaded this module
        and its children; it may change the missing and unexpected keys in place."""
        return self._add_hook(self._load_state_dict_post_hooks, hook, False)

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        for hook in list(self._load_state_dict_pre_hooks.values()):
            hook(
                state_dict,
                prefix,
                local_metadata,
                strict,
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
        persistent = {
            k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set
        }
        local = {**{k: v for k, v in self._parameters.items()}, **persistent}
        for name, target in local.items():
            key = prefix + name
            if target is None:
                continue
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected '
                    "torch.Tensor or Tensor-like object from checkpoint but "
                    f"received {type(value)}"
                )
                continue
            if value.shape != target.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
                continue
            if local_metadata.get("assign_to_params_buffers", False):
                _assign(self, name, target, value)
            elif isinstance(target, MetaTensor) and not isinstance(value, MetaTensor):
                warnings.warn(
                    f"for {key}: copying from a non-meta parameter in the checkpoint to a meta "
                    "parameter in the current model, which is a no-op. (Did you mean to pass "
                    "`assign=True` to assign items in the state dictionary to their "
                    "corresponding key in the module instead of copying them in place?)",
                    UserWarning,
                    stacklevel=3,
                )
            else:
                _copy_into(target, value)
        extra_key = prefix + _EXTRA_STATE
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    rest = key[len(prefix) :]
                    name = rest.split(".", 1)[0]
                    if name not in self._modules and name not in local:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy parameters and buffers from ``state_dict`` into this module (in place).

        With ``strict``, missing and unexpected keys raise PyTorch's error listing all of them;
        shape mismatches raise either way.  With ``assign``, the state dict's tensors become the
        parameters and buffers themselves (a parameter keeps its ``requires_grad``).  Each
        module gets the entries under its prefix (after its parent's load pre-hooks ran).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # the hooks may change this copy, not the caller's
        if metadata is not None:
            state_dict._metadata = metadata
        keys = _IncompatibleKeys(missing, unexpected)

        def load(m, local, prefix):
            local_meta = {} if metadata is None else metadata.get(prefix[:-1], {})
            if assign:
                local_meta = {**local_meta, "assign_to_params_buffers": True}
            m._load_from_state_dict(local, prefix, local_meta, True, missing, unexpected, errors)
            for name, child in m._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local.items() if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)
            for hook in list(m._load_state_dict_post_hooks.values()):
                if hook(m, keys) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace."
                    )

        load(self, state_dict, "")
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in unexpected)
                    ),
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in missing)
                    ),
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    self._get_name(), "\n\t".join(errors)
                )
            )
        return _IncompatibleKeys(missing, unexpected)

    # --- printing ---------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr``; layers override it."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, m in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(m), 2))
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _assign(module, name: str, target: Tensor, value: Tensor) -> None:
    """``load_state_dict(assign=True)``: ``value`` itself takes the place of ``target``."""
    if name in module._parameters:
        if not isinstance(value, Parameter):
            value = Parameter(value, requires_grad=target.requires_grad)
        module._parameters[name] = value
    else:
        module._buffers[name] = value


def _copy_into(target: Tensor, value: Tensor) -> None:
    """``target.copy_(value)`` outside the graph: the Parameter object and its memory are kept."""
    src = value._data
    if target._data.flags.writeable:
        target._data[...] = src
    else:
        target._data = src.astype(target._data.dtype, copy=True)
    bump_version(target, caller_site(1))
