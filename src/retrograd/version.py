"""``retrograd.version``: ``torch.version``'s fields; no CUDA, HIP or XPU build is present."""

__all__ = ["__version__", "cuda", "hip", "xpu", "debug", "git_version"]

__version__ = "0.1.0"
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = None
