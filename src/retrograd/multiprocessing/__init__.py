"""``torch.multiprocessing``: Python's ``multiprocessing`` (every name of it is here), with tensors
sent between processes through shared memory instead of copied (``reductions``), and ``spawn``.

Python's module is imported when one of its names is first read here, or processes are first
spawned, so ``import retrograd`` does not pay for it; from then on a tensor put on a queue or
passed to a new process is moved into shared memory, and the receiver maps the same memory (as
PyTorch does; its two sharing strategies both name this one mechanism here)."""

from .spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    SpawnContext,
    spawn,
    start_processes,
)

_all_sharing_strategies = {"file_descriptor", "file_system"}
_sharing_strategy = ["file_descriptor"]
_registered = [False]


def init_reductions() -> None:
    """Send tensors between processes through shared memory (done once, on first use)."""
    if not _registered[0]:
        from .reductions import register

        register()
        _registered[0] = True


def set_sharing_strategy(new_strategy) -> None:
    """``torch.multiprocessing.set_sharing_strategy``: one of ``get_all_sharing_strategies()``.
    Both hand the receiver a descriptor of an anonymous memory file here."""
    if new_strategy not in _all_sharing_strategies:
        expected = "{" + ", ".join(repr(s) for s in sorted(_all_sharing_strategies)) + "}"
        raise AssertionError(
            f"invalid sharing strategy {new_strategy!r}, expected one of {expected}"
        )
    _sharing_strategy[0] = new_strategy


def get_sharing_strategy() -> str:
    return _sharing_strategy[0]


def get_all_sharing_strategies() -> set:
    return set(_all_sharing_strategies)


_OWN = [
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "SpawnContext",
    "get_all_sharing_strategies",
    "get_sharing_strategy",
    "init_reductions",
    "set_sharing_strategy",
    "spawn",
    "start_processes",
]


def __getattr__(name: str):
    """Python's ``multiprocessing`` names (``Process``, ``Queue``, ``set_start_method`` ...),
    read from it once it is imported (with tensors then shared through it)."""
    if name.startswith("__") and name != "__all__":
        raise AttributeError(name)
    import multiprocessing

    init_reductions()
    if name == "__all__":
        return sorted(set(multiprocessing.__all__) | set(_OWN))
    if name in globals():  # (the reductions module, imported just now)
        return globals()[name]
    try:
        return getattr(multiprocessing, name)
    except AttributeError:
        raise AttributeError(
            f"module 'retrograd.multiprocessing' has no attribute '{name}'"
        ) from None


def __dir__() -> list:
    import multiprocessing

    return sorted(set(globals()) | set(multiprocessing.__all__))
