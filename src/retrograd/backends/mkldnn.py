"""``torch.backends.mkldnn``: oneDNN switches.  retrograd computes with NumPy; ``enabled`` can be
set and read, and ``is_available()`` is False since no oneDNN kernel is used."""

__all__ = ["is_available", "enabled", "deterministic"]

enabled = True
deterministic = False


def is_available() -> bool:
    return False
