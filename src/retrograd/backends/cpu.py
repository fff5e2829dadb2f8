"""``torch.backends.cpu``: what the CPU offers."""

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """The vector instruction set the kernels use; NumPy chooses its own, so: 'DEFAULT'."""
    return "DEFAULT"
