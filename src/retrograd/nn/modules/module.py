"""``torch.nn.modules.module``: ``Module`` and the global module hooks, from
``retrograd.nn.module``."""

from ..module import (
    Module,
    register_module_backward_hook,
    register_module_buffer_registration_hook,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
    register_module_module_registration_hook,
    register_module_parameter_registration_hook,
)

__all__ = [
    "Module",
    "register_module_backward_hook",
    "register_module_buffer_registration_hook",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]


def __getattr__(name):
    # the global hook dicts and flags live (and are rebound) in retrograd.nn.module
    from .. import module

    if name.startswith("_global_"):
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
