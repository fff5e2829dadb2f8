"""``torch.utils.data._utils``: the loader's machinery: collation (``collate``), reading samples
(``fetch``) and worker processes (``worker``)."""

import atexit

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds a worker waits for a task before it checks that its parent is still alive (it also
wakes at once when the parent dies, where the start method lets it see that)."""

python_exit_status = False
"""True once the interpreter is shutting down: loaders then leave their workers to
``multiprocessing``'s own exit handler instead of stopping them one by one."""


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)

from . import collate, fetch, worker  # noqa: E402 (they read the names above)

__all__ = ["MP_STATUS_CHECK_INTERVAL", "collate", "fetch", "worker"]
