"""``retrograd.hub``: models published with a ``hubconf.py``.

Models in a local directory load (``source='local'``); fetching from GitHub or a URL needs the
network, which retrograd does not use, and raises ``NotImplementedError`` saying so.
"""

import os
import sys

__all__ = [
    "load",
    "list",
    "help",
    "get_dir",
    "set_dir",
    "download_url_to_file",
    "load_state_dict_from_url",
]

_hub_dir = [None]
_list = list


def _no_network(what: str):
    return NotImplementedError(
        f"{what}: retrograd.hub does not download (no network access is "
        "built in). Clone the repository and call "
        "hub.load(path, model, source='local'), or download the file and "
        "use torch.load."
    )


def get_dir() -> str:
    """Where downloaded models would be kept: ``set_dir``'s directory, ``$TORCH_HOME/hub``, or
    ``~/.cache/torch/hub``."""
    if _hub_dir[0] is not None:
        return _hub_dir[0]
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch"
    )
    return os.path.join(os.path.expanduser(home), "hub")


def set_dir(d) -> None:
    _hub_dir[0] = os.path.expanduser(d)


def _hubconf(repo_or_dir: str, source: str):
    if source not in ("github", "gitlab", "local"):
        raise ValueError(
            f'Unknown source: "{source}". Allowed values: "github" | "gitlab" | "local".'
        )
    if source != "local":
        raise _no_network(f"hub with source='{source}'")
    import importlib.util

    path = os.path.join(repo_or_dir, "hubconf.py")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Cannot find hubconf.py in {repo_or_dir}")
    spec = importlib.util.spec_from_file_location("hubconf", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, repo_or_dir)  # hubconf.py imports the repository's own modules
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(repo_or_dir)
    return module


def _entry(module, model: str):
    fn = getattr(module, model, None)
    if fn is None or not callable(fn):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return fn


def list(
    github,
    force_reload: bool = False,
    skip_validation: bool = False,
    trust_repo=None,
    verbose: bool = True,
):
    """The entry points a repository's ``hubconf.py`` offers (a local directory here)."""
    module = _hubconf(github, "local" if os.path.isdir(github) else "github")
    return [n for n in dir(module) if callable(getattr(module, n)) and not n.startswith("_")]


def help(github, model, force_reload: bool = False, skip_validation: bool = False, trust_repo=None):
    module = _hubconf(github, "local" if os.path.isdir(github) else "github")
    return _entry(module, model).__doc__


def load(
    repo_or_dir,
    model,
    *args,
    source: str = "github",
    trust_repo=None,
    force_reload: bool = False,
    verbose: bool = True,
    skip_validation: bool = False,
    **kwargs,
):
    """``torch.hub.load``: call ``model(*args, **kwargs)`` from the ``hubconf.py`` in
    ``repo_or_dir``.  Only ``source='local'`` is built (``trust_repo``, ``force_reload``,
    ``verbose`` and ``skip_validation`` concern downloads, so they do not apply to it)."""
    module = _hubconf(repo_or_dir, source)
    return _entry(module, model)(*args, **kwargs)


def download_url_to_file(url, dst, hash_prefix=None, progress: bool = True) -> None:
    raise _no_network("hub.download_url_to_file")


def load_state_dict_from_url(
    url,
    model_dir=None,
    map_location=None,
    progress: bool = True,
    check_hash: bool = False,
    file_name=None,
    weights_only: bool = False,
):
    """Loads the file if it is already in the hub's checkpoint directory; downloading it is not
    built.  (``check_hash`` and ``progress`` concern downloads: PyTorch too skips them for a file
    already there.)"""
    name = file_name or os.path.basename(url.split("?")[0])
    path = os.path.join(model_dir or os.path.join(get_dir(), "checkpoints"), name)
    if not os.path.isfile(path):
        raise _no_network(f"hub.load_state_dict_from_url({url!r}) (no cached copy at {path})")
    from .serialization import load as _load

    return _load(path, map_location=map_location, weights_only=weights_only)
