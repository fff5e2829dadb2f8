"""``torch.distributions.chi2``: the module path of ``Chi2`` (a ``Gamma`` with rate 1/2, built
beside it in ``gamma``)."""

from .gamma import Chi2

__all__ = ["Chi2"]
