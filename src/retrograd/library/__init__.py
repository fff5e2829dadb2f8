"""``torch.library``: registering custom operators with PyTorch's dispatcher, which retrograd does
not have (a custom op is an ``autograd.Function`` here). Importing works; each name raises
``NotImplementedError`` when called or made."""

from .._device import not_built

__all__ = (
    "Library impl define fallthrough_kernel impl_abstract register_autocast register_fake "
    "register_torch_dispatch register_vmap get_ctx get_kernel custom_op triton_op wrap_triton "
    "infer_schema register_autograd opcheck"
).split()

globals().update(not_built("torch.library", " ".join(__all__)))
