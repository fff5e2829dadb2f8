"""``torch.random``: the default CPU generator, its seed and its state.

The generator is PyTorch's Mersenne Twister (``retrograd._generator``), so a seeded program draws
the numbers PyTorch draws.
"""

import builtins
import contextlib

from ._generator import Generator, default_generator

__all__ = [
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
    "thread_safe_generator",
]


def manual_seed(seed) -> Generator:
    """``torch.manual_seed``: reseed the default generator; returns it."""
    return default_generator.manual_seed(builtins.int(seed))


def seed() -> int:
    """``torch.seed``: reseed the default generator from the operating system; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """``torch.initial_seed``: the seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """``torch.get_rng_state``: the default generator's state, a uint8 tensor (PyTorch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """``torch.set_rng_state``: restore a state from ``get_rng_state`` (here or in PyTorch)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None
):
    """``torch.random.fork_rng``: the default generator's state is restored on leaving the block.
    retrograd has no accelerator, so there are no device generators to fork."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


def thread_safe_generator():
    """``torch.random.thread_safe_generator``: the generator of the DataLoader thread worker this
    runs in, or None (the default generator) anywhere else."""
    from .utils import data

    get_worker_info = getattr(data, "get_worker_info", None)
    info = get_worker_info() if get_worker_info is not None else None
    if info is not None and getattr(info, "worker_method", None) == "thread":
        rng = getattr(info, "rng", None)
        if rng is not None:
            return rng.torch_generator
    return None
