"""The version, kept here alone (``torch.version``): pyproject.toml reads it for the package's
metadata, and ``retrograd.__version__`` is this string.

``cuda`` and ``hip`` are None, as in PyTorch's CPU-only build, which code checks before it asks
for a GPU."""

__all__ = ["__version__", "cuda", "hip", "xpu", "debug", "git_version"]

__version__ = "0.1.0"
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = None
