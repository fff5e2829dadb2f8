"""``torch.nn.DataParallel`` as PyTorch's CPU-only build runs it: with no GPU to split the batch
over, it wraps the module and calls it (state dict keys gain the ``module.`` prefix, as there)."""

from ..module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """``nn.DataParallel(module, device_ids=None, output_device=None, dim=0)``.

    ``device_ids``, ``output_device`` and ``dim`` say how to split a batch across GPUs; with none
    available, PyTorch's CPU-only build sets ``device_ids = []`` and runs ``module`` whole, and so
    does this."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(
    module, inputs, device_ids=None, output_device=None, dim: int = 0, module_kwargs=None
):
    """``nn.parallel.data_parallel``: the functional form; it needs a GPU to place the inputs on,
    and fails without one, as in PyTorch's CPU-only build."""
    raise RuntimeError("device type could not be determined")
