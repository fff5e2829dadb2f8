"""``torch.backends.openmp``: retrograd starts no OpenMP threads of its own."""

__all__ = ["is_available"]


def is_available() -> bool:
    return False
