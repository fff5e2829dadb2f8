"""The version, kept here alone (``torch.version``): pyproject.toml reads it for the package's
metadata, and ``retrograd.__version__`` is this string.

``cuda`` and ``hip`` are None, as in PyTorch's CPU-only build, which code checks before it asks
for a GPU."""

__version__ = "0.1.0"
cuda = None
hip = None
debug = False
