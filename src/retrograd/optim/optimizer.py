"""``Optimizer``: parameter groups, per-parameter state, and state dicts laid out as PyTorch's.

Updates work on the parameters' arrays in place (the parameter objects keep their identity, and
their version counters move on, so a graph that saved a parameter before the step notices).
Optimizers are not differentiable here, so they may use the array library directly.
"""

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from functools import wraps
from itertools import chain

from .._array import xp
from ..autograd import enable_grad
from ..autograd import training_checks as _checks
from ..autograd.anomaly import caller_site
from ..autograd.node import RemovableHandle, _HookDict, add_to
from ..tensor import Tensor, _make, clear_grad


class _RequiredParameter:
    """The default of an option that every parameter group must give (``lr`` of old optimizers)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    """The type name PyTorch prints for an object (``torch.FloatTensor`` for a float32 tensor)."""
    if isinstance(obj, Tensor):
        return "torch." + obj.dtype._tensor_name
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", "__builtin__", None) else f"{module}.{name}"


_HOOK_SLOTS = (
    "_optimizer_step_pre_hooks",
    "_optimizer_step_post_hooks",
    "_optimizer_state_dict_pre_hooks",
    "_optimizer_state_dict_post_hooks",
    "_optimizer_load_state_dict_pre_hooks",
    "_optimizer_load_state_dict_post_hooks",
)


class Optimizer:
    """The base class of every optimizer (``torch.optim.Optimizer``).

    ``param_groups`` is a list of dicts, each holding ``'params'`` and every option (the defaults
    filled in); ``state`` maps each parameter to a dict of its own buffers.
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        if _checks.state.active:  # a leak or pitfall detector is on: it watches this optimizer
            _checks.state.optimizers.add(self)
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict[int, Callable] = _HookDict()
        self._optimizer_step_post_hooks: dict[int, Callable] = _HookDict()
        self._optimizer_state_dict_pre_hooks: dict[int, Callable] = _HookDict()
        self._optimizer_state_dict_post_hooks: dict[int, Callable] = _HookDict()
        self._optimizer_load_state_dict_pre_hooks: dict[int, Callable] = _HookDict()
        self._optimizer_load_state_dict_post_hooks: dict[int, Callable] = _HookDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                "Tensors or dicts, but got " + _typename(params)
            )
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        self.param_groups: list = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        # A subclass's own step (a user's optimizer) runs the step hooks too, as in PyTorch.
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    # --- the step: built-in optimizers give _step; the closure is handled here once ----------
    def step(self, closure: Callable | None = None):
        """Update every parameter from its ``.grad``; ``closure`` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            if group.get("capturable"):  # CUDA graph capture: PyTorch refuses CPU parameters
                raise AssertionError(
                    "If capturable=True, params and state_steps must be on "
                    "supported devices: ['cuda', 'xpu', 'hpu', 'privateuseone', "
                    "'xla']."
                )
        if self._sparse_refusal is not None:
            _refuse_sparse(self)
        self._step()
        return loss

    # PyTorch's error for a sparse gradient, or None where the optimizer takes one
    _sparse_refusal: str | None = "{} does not support sparse gradients"

    def _step(self) -> None:
        raise NotImplementedError

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step`` (``args`` starting with the
        optimizer); it may return new ``(args, kwargs)``."""
        return add_to(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        return add_to(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer)`` runs before ``state_dict``."""
        return add_to(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs after ``state_dict``; what it returns, if not None,
        is the state dict."""
        return add_to(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs before ``load_state_dict``; what it returns, if
        not None, is loaded instead."""
        return add_to(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return add_to(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    @staticmethod
    def profile_hook_step(func: Callable) -> Callable:
        """``func`` (a ``step``) running the global and the optimizer's step hooks around it."""
        return _with_step_hooks(func)

    # --- parameter groups --------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with options of its own (``Optimizer.add_param_group``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        if param_group.get("differentiable", self.defaults.get("differentiable")):
            raise NotImplementedError(
                "differentiable=True: retrograd's optimizer steps update the "
                "parameters outside the graph; a step that autograd can "
                "differentiate through is not built"
            )
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, "
                "but the ordering of tensors in sets will change between runs. Please "
                "use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param "
                    "names are missing"
                )
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not (p.is_leaf or p._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in "
                "future, this will cause an error; see "
                "github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        for g in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in g):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if any(id(p) in existing for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (default) or zero every parameter's ``.grad`` (``Optimizer.zero_grad``)."""
        site = None if set_to_none else caller_site(1)  # zeroing in place is a write
        for group in self.param_groups:
            for p in group["params"]:
                clear_grad(p, set_to_none, site)
        if _checks.state.active:
            _checks.zero_grad_called(self)

    # --- state dicts -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``, through
        the state-dict hooks."""
        for hook in list(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        state_dict = self._state_dict()
        for hook in list(self._optimizer_state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in the order of the groups, as PyTorch does, so a state dict can be
        loaded into another optimizer built over other (equally shaped) parameters.
        """
        index: dict = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                ids.append(index.setdefault(id(p), len(index)))
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and buffers saved by ``state_dict`` (``Optimizer.load_state_dict``),
        through the load hooks."""
        state_dict = dict(state_dict)
        for hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        self._load_state_dict(state_dict)
        for hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)

    def _load_state_dict(self, state_dict: dict) -> None:
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match "
                "the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(s["params"] for s in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
            )
        )
        state: defaultdict[Tensor, dict] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {key: _cast_state(param, key, value) for key, value in v.items()}
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for slot in _HOOK_SLOTS:  # (an older pickle lacks some)
            self.__dict__.setdefault(slot, _HookDict())

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _with_step_hooks(step: Callable) -> Callable:
    """``step`` running the global and then the optimizer's pre-hooks (which may replace its
    arguments, the optimizer first among them) before it, and the post-hooks after it."""
    if getattr(step, "hooked", False):
        return step

    @wraps(step)
    def hooked(*args, **kwargs):
        self = args[0]
        if _checks.state.active:
            _checks.before_step(self)
        for hook in [
            *_global_optimizer_pre_hooks.values(),
            *self._optimizer_step_pre_hooks.values(),
        ]:
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{_step_repr(self, step)} must return None or a tuple of (new_args, "
                        f"new_kwargs), but got {result}."
                    )
                args, kwargs = result
        out = step(*args, **kwargs)
        for hook in [
            *self._optimizer_step_post_hooks.values(),
            *_global_optimizer_post_hooks.values(),
        ]:
            hook(self, args, kwargs)
        return out

    hooked.hooked = True  # type: ignore[attr-defined]
    return hooked


def _step_repr(optimizer, step) -> str:
    """How PyTorch names the step in its hook error: by the class that defines it (each built-in
    optimizer defines its own there; here they share the base class's)."""
    owner = next(
        (
            c
            for c in type(optimizer).__mro__
            if c is not Optimizer
            and ("step" in c.__dict__ or c.__module__.startswith("retrograd.optim."))
        ),
        Optimizer,
    )
    return f"<function {owner.__name__}.step at {hex(id(step))}>"


_global_optimizer_pre_hooks = _HookDict()
_global_optimizer_post_hooks = _HookDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs before the step of every optimizer, before its own
    pre-hooks; it may return new ``(args, kwargs)``."""
    return add_to(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs after the step of every optimizer."""
    return add_to(_global_optimizer_post_hooks, hook)


Optimizer.step = _with_step_hooks(Optimizer.step)  # type: ignore[method-assign]


def _cast_state(param: Tensor, key, value):
    """A copy of a saved buffer, in the parameter's floating dtype (``step`` keeps its own)."""
    if isinstance(value, Tensor):
        array = value._data
        if key != "step" and param._data.dtype.kind in "fV" and array.dtype.kind in "fV":
            array = array.astype(param._data.dtype)
        else:
            array = array.copy()
        return _make(array)
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    return deepcopy(value)


def _grads(group: dict):
    """``(param, gradient array)`` for each parameter of a group that has a gradient, the
    gradient negated under ``maximize``; a sparse gradient comes as its sparse tensor."""
    maximize = group.get("maximize", False)
    for p in group["params"]:
        g = p._grad
        if g is None:
            continue
        if type(g) is not Tensor and g.is_sparse:
            yield p, (-g if maximize else g)
            continue
        yield p, (-g._data if maximize else g._data)


def _refuse_sparse(optimizer) -> None:
    """PyTorch's error of an optimizer that takes dense gradients alone, given a sparse one."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            g = p._grad
            if g is not None and type(g) is not Tensor and g.is_sparse:
                raise RuntimeError(optimizer._sparse_refusal.format(type(optimizer).__name__))


def _real(array):
    """A complex array seen as real pairs (PyTorch's ``view_as_real``), so squares and square
    roots act on the real and imaginary parts apart, as PyTorch's optimizers do; other arrays
    unchanged. The extra axis keeps it a view whatever the strides."""
    if array.dtype.kind != "c":
        return array
    return array[..., None].view(array.real.dtype)


def _lerp_(a, b, weight: float) -> None:
    """``a.lerp_(b, weight)`` with PyTorch's two formulas (the one for weight >= 0.5 keeps
    ``lerp(a, b, 1) == b`` exact)."""
    if abs(weight) < 0.5:
        a += weight * (b - a)
    else:
        diff = b - a
        diff *= 1 - weight
        xp.subtract(b, diff, out=a)


def _step_count(state: dict) -> float:
    """Increment the float32 ``state['step']`` tensor (PyTorch keeps the count as one) and return
    its new value."""
    step = state["step"]
    step._data += 1
    return float(step._data)


def _zeros_like(p: Tensor) -> Tensor:
    return _make(xp.zeros_like(p._data))


def _scalar_step() -> Tensor:
    return _make(xp.array(0.0, dtype=xp.float32))


def _decayed(param, g, lr: float, weight_decay: float, decoupled: bool):
    """Weight decay as the Adam family applies it: decoupled (AdamW) shrinks the parameter in
    place, else the decay is added to the gradient; returns the gradient to use."""
    if weight_decay != 0:
        if decoupled:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    return g


def _adam_moments(state: dict, g, beta1: float, beta2: float):
    """Update the running averages of the gradient and of its square (``exp_avg``,
    ``exp_avg_sq``) in place, as the Adam family does; returns them as real arrays."""
    m, v = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
    _lerp_(m, g, 1 - beta1)
    v *= beta2
    v += (1 - beta2) * g * g
    return m, v
