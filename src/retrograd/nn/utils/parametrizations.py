"""``nn.utils.parametrizations``: ready-made parametrizations (``weight_norm``).

``orthogonal`` and ``spectral_norm`` are not built yet.
"""

from ..module import Module
from . import parametrize
from .weight_norm import _norm_except_dim, weight_norm_product

__all__ = ["weight_norm"]


class _WeightNorm(Module):
    """``weight = g * v / ||v||`` from ``original0`` (g) and ``original1`` (v)."""

    def __init__(self, dim=0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_product(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim=0) -> Module:
    """``nn.utils.parametrizations.weight_norm``: ``module.<name>`` becomes ``g * v / ||v||`` with
    ``parametrizations.<name>.original0`` (g) and ``original1`` (v) as its parameters."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module
