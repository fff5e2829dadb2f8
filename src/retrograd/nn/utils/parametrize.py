"""``nn.utils.parametrize``: a parameter or buffer computed by modules from tensors kept instead.

``register_parametrization(module, "weight", P())`` moves ``weight`` to
``module.parametrizations.weight.original`` and makes ``module.weight`` a property returning
``P()(original)``: the module's class is swapped for a subclass (``ParametrizedLinear``) holding the
property, as PyTorch does, so state dicts, repr and autograd see what PyTorch's would.
"""

import contextlib

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor, bump_version
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "register_parametrization",
    "remove_parametrizations",
    "is_parametrized",
    "cached",
    "type_before_parametrizations",
    "transfer_parametrizations_and_params",
    "ParametrizationList",
]

_cache = {"enabled": 0, "values": {}}


@contextlib.contextmanager
def cached():
    """Within the block, each parametrized tensor is computed once and reused."""
    _cache["enabled"] += 1
    try:
        yield
    finally:
        _cache["enabled"] -= 1
        if not _cache["enabled"]:
            _cache["values"] = {}


def _set_in_place(original: Tensor, value: Tensor) -> None:
    """``original.set_(value)``: the same tensor object (a Parameter keeps its identity) with the
    new value."""
    original._data = value._data
    bump_version(original, None)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to ``original`` (or to
    ``original0, original1, ...`` when the first one's ``right_inverse`` returns several)."""

    def __init__(self, modules, original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        with no_grad():
            new = original
            # a missing right_inverse, or one that is not built, counts as the identity
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    continue
                try:
                    new = module.right_inverse(new)
                except NotImplementedError:
                    pass
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != dtype or new.shape != shape):
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the "
                    "dtype or shape of the tensor, unless `unsafe` flag is enabled."
                )
            with no_grad():
                _set_in_place(original, new)
            self._register_original("original", original, original)
        else:
            for i, t in enumerate(new):
                self._register_original(f"original{i}", t, original)
        if not unsafe:
            self._check(original.shape, original.dtype)

    def _register_original(self, name: str, value: Tensor, like: Tensor) -> None:
        if isinstance(like, Parameter):
            if not isinstance(value, Parameter):
                value = Parameter(value.detach(), like.requires_grad)
            self.register_parameter(name, value)
        else:
            self.register_buffer(name, value)

    def _check(self, shape, dtype) -> None:
        z = self()
        if not isinstance(z, Tensor):
            raise ValueError(f"A parametrization must return a tensor. Got {type(z).__name__}.")
        if z.dtype != dtype:
            raise ValueError(
                "Registering a parametrization may not change the dtype of the "
                "tensor, unless `unsafe` flag is enabled.\n"
                f"unparametrized dtype: {dtype}\nparametrized dtype: {z.dtype}"
            )
        if z.shape != shape:
            raise ValueError(
                "Registering a parametrization may not change the shape of the "
                "tensor, unless `unsafe` flag is enabled.\n"
                f"unparametrized shape: {shape}\nparametrized shape: {z.shape}"
            )

    def right_inverse(self, value: Tensor) -> None:
        """Set the originals so that the parametrized tensor becomes ``value``."""
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = module.right_inverse(value)
            if self.is_tensor:
                _set_in_place(self.original, value)
            else:
                for i, t in enumerate(value):
                    _set_in_place(getattr(self, f"original{i}"), t)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _parametrized_class(module: Module) -> type:
    cls = module.__class__
    return type(f"Parametrized{cls.__name__}", (cls,), {"__module__": cls.__module__})


def _add_property(module: Module, name: str) -> None:
    def get(self):
        parametrization = self.parametrizations[name]
        if not _cache["enabled"]:
            return parametrization()
        key = (id(self), name)
        if key not in _cache["values"]:
            _cache["values"][key] = parametrization()
        return _cache["values"][key]

    def set_(self, value):
        self.parametrizations[name].right_inverse(value)

    setattr(module.__class__, name, property(get, set_))


def is_parametrized(module: Module, tensor_name=None) -> bool:
    """Whether ``module`` has any parametrization (on ``tensor_name``, when given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization swapped it."""
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """``nn.utils.parametrize.register_parametrization``: from now on ``module.<tensor_name>`` is
    ``parametrization(original)``; a second registration on the same tensor is applied after the
    first.  Unless ``unsafe``, the result must keep the tensor's dtype and shape."""
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            shape, dtype = getattr(module, tensor_name).shape, getattr(module, tensor_name).dtype
        plist.append(parametrization)
        if not unsafe:
            plist._check(shape, dtype)
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a "
            f"parametrized element with name '{tensor_name}'"
        )
    original = getattr(module, tensor_name)
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    module._parameters.pop(tensor_name, None)
    module._buffers.pop(tensor_name, None)
    if not is_parametrized(module):
        module.__class__ = _parametrized_class(module)
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = plist
    _add_property(module, tensor_name)
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo ``register_parametrization`` on ``tensor_name``: it becomes a parameter (or buffer)
    again, holding the parametrized value (``leave_parametrized``) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            with no_grad():
                _set_in_place(original, value)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                "that is parametrized in terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name)
        first = plist.original0
        original = (
            Parameter(value.detach(), first.requires_grad)
            if isinstance(first, Parameter)
            else value.detach()
        )
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    if isinstance(original, Parameter):
        module.register_parameter(tensor_name, original)
    else:
        module.register_buffer(tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def transfer_parametrizations_and_params(
    from_module: Module, to_module: Module, tensor_name: str | None = None
) -> Module:
    """``nn.utils.parametrize.transfer_parametrizations_and_params``: register on ``to_module`` the
    parametrizations of ``from_module`` (all of them, or those of ``tensor_name``), the very same
    parametrization modules, with ``to_module``'s originals then being ``from_module``'s own
    tensors; a tensor ``to_module`` lacks is first created as a parameter."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        source = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if source.is_tensor:
            target.original = source.original
        else:
            for i in range(source.ntensors):
                setattr(target, f"original{i}", getattr(source, f"original{i}"))
    return to_module
