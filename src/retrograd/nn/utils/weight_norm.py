"""``nn.utils.weight_norm``: a weight written as a direction ``v`` times a magnitude ``g``.

The older, hook-based form PyTorch keeps (``torch.nn.utils.weight_norm``): the parameter ``name`` is
replaced by ``name_g`` and ``name_v``, and a forward pre-hook recomputes ``name`` from them before
each call, so gradients reach ``g`` and ``v``.
"""

import warnings

from ...ops.nnops import _weight_norm
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v, dim):
    axes = tuple(range(v.ndim)) if dim == -1 else tuple(i for i in range(v.ndim) if i != dim)
    squares = v * v
    if dim == -1:
        return squares.sum().sqrt()
    return (squares.sum(list(axes), keepdim=True) if axes else squares).sqrt()


def weight_norm_product(v, g, dim: int):
    """``torch._weight_norm(v, g, dim)``: ``v * (g / ||v||)``.  For dim 0 and the last dim it is one
    WeightNormInterfaceBackward0 node, as PyTorch's kernel; otherwise the same product of ops."""
    if dim == 0 or dim == v.ndim - 1:
        return _weight_norm(v, g, dim)
    return v * (g / _norm_except_dim(v, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return weight_norm_product(
            getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim
        )

    @staticmethod
    def apply(module, name: str, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}"
                )
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim=0):
    """``nn.utils.weight_norm``: reparametrise ``module.<name>`` as ``g * v / ||v||`` (the norm over
    every dimension but ``dim``; over all of them for ``dim=None``); returns the module."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """``nn.utils.remove_weight_norm``: ``name`` becomes one parameter again, with its value."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
