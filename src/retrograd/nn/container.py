"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` and
``ParameterDict``."""

import operator
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from .module import Module, _addindent
from .parameter import Parameter


def _renumber(store: dict, items) -> None:
    """Fill ``store`` with ``items`` keyed "0", "1", ... (after a deletion or an insertion)."""
    items = list(items)
    store.clear()
    for i, m in enumerate(items):
        store[str(i)] = m


def _index(idx: int, n: int) -> int:
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


class Container(Module):
    """``nn.Container``: the deprecated base of containers, a Module holding the modules given
    by keyword."""

    def __init__(self, **kwargs) -> None:
        super().__init__()
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        for name, module in kwargs.items():
            self.add_module(name, module)


class Sequential(Module):
    """``nn.Sequential``: modules called one after the other."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_index(idx, len(keys))]]

    def __setitem__(self, idx, module) -> None:
        keys = list(self._modules)
        setattr(self, keys[_index(idx, len(keys))], module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules)
        doomed = keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys))]]
        for k in doomed:
            del self._modules[k]
        _renumber(self._modules, self._modules.values())  # from 0 again, as PyTorch

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __add__(self, other: "Sequential") -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )
        return Sequential(*self, *other)

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        items = list(self._modules.values())
        n = len(items)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        items.insert(index % (n + 1) if index < 0 else index, module)
        _renumber(self._modules, items)
        return self

    def pop(self, key):
        v = self[key]
        del self[key]
        return v


class ModuleList(Module):
    """``nn.ModuleList``: a list of modules, registered so their parameters are found."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx, module) -> None:
        setattr(self, str(_index(idx, len(self))), module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules)
        doomed = keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys))]]
        for k in doomed:
            del self._modules[k]
        _renumber(self._modules, self._modules.values())

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other) -> "ModuleList":
        return ModuleList([*self, *other])

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        _renumber(self._modules, items)

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def __repr__(self):
        """Runs of identical modules print once, as ``(0-2): 3 x Linear(...)``, as in PyTorch."""
        items = [(k, repr(m)) for k, m in self._modules.items()]
        if not items:
            return self._get_name() + "()"
        lines = []
        start = 0
        for i in range(1, len(items) + 1):
            if i == len(items) or items[i][1] != items[start][1]:
                text = _addindent(items[start][1], 2)
                if i - start == 1:
                    lines.append(f"({items[start][0]}): {text}")
                else:
                    lines.append(f"({items[start][0]}-{items[i - 1][0]}): {i - start} x {text}")
                start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class _DictMethods:
    """The mapping methods of ModuleDict and ParameterDict, over the store named ``_store``."""

    _store = ""

    def __getitem__(self, key: str):
        return self.__dict__[self._store][key]

    def __delitem__(self, key: str) -> None:
        del self.__dict__[self._store][key]

    def __len__(self) -> int:
        return len(self.__dict__[self._store])

    def __iter__(self):
        return iter(self.__dict__[self._store])

    def __contains__(self, key) -> bool:
        return key in self.__dict__[self._store]

    def keys(self):
        return self.__dict__[self._store].keys()

    def values(self):
        return self.__dict__[self._store].values()

    def items(self):
        return self.__dict__[self._store].items()

    def clear(self) -> None:
        self.__dict__[self._store].clear()

    def pop(self, key: str):
        v = self[key]
        del self[key]
        return v

    def update(self, values) -> None:
        pairs = values.items() if hasattr(values, "items") else values
        for k, v in pairs:
            self[k] = v  # type: ignore[index]  # the subclasses' __setitem__


class ModuleDict(_DictMethods, Module):
    """``nn.ModuleDict``: modules by name, registered so their parameters are found."""

    _store = "_modules"

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)


def _describe(params, type_name) -> str:
    return "\n".join(
        f"  ({k}): Parameter containing: [{type_name(p)} of size {'x'.join(map(str, p.shape))}]"
        for k, p in params.items()
    )


class ParameterList(Module):
    """``nn.ParameterList``: a list of parameters, registered on the module."""

    def __init__(self, values=None):
        super().__init__()
        for v in values or ():
            self.append(v)

    def __getitem__(self, idx):
        return self._parameters[str(_index(idx, len(self)))]

    def __setitem__(self, idx, param) -> None:
        self.register_parameter(str(_index(idx, len(self))), _as_param(param))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value) -> "ParameterList":
        self.register_parameter(str(len(self)), _as_param(value))
        return self

    def extend(self, values) -> "ParameterList":
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return _describe(self._parameters, lambda p: repr(p.dtype))


class ParameterDict(_DictMethods, Module):
    """``nn.ParameterDict``: parameters by name, registered on the module."""

    _store = "_parameters"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key: str, value) -> None:
        self.register_parameter(key, _as_param(value))

    def update(self, values) -> None:
        # As in PyTorch: an ordered source (OrderedDict, ParameterDict, a sequence of pairs) keeps
        # its order; any other mapping, a plain dict included, is added in the order of its keys.
        if isinstance(values, Mapping) and not isinstance(values, OrderedDict):
            values = sorted(values.items())
        super().update(values)

    def extra_repr(self) -> str:
        return _describe(self._parameters, lambda p: "torch." + p.dtype._tensor_name)


def _as_param(value):
    return value if isinstance(value, Parameter) or value is None else Parameter(value)
