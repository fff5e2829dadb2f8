"""``torch.utils.tensorboard``: PyTorch's module stands on the tensorboard package, and importing
it without that package fails as PyTorch's does.  With the package installed, ``SummaryWriter``
is not built here."""

import importlib.util

if importlib.util.find_spec("tensorboard") is None:
    raise ModuleNotFoundError("No module named 'tensorboard'", name="tensorboard")


class SummaryWriter:
    """``torch.utils.tensorboard.SummaryWriter``: not built."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "retrograd.utils.tensorboard.SummaryWriter is not built: log with the tensorboard "
            "package's own writer (tensorboard.summary.Writer), passing tensor.numpy() values"
        )
