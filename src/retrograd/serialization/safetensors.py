"""safetensors files for retrograd tensors: the API of ``safetensors.torch`` (``save``,
``save_file``, ``load``, ``load_file``), built on the ``safetensors`` package's NumPy API.

``safetensors`` is an optional extra (``pip install retrograd[safetensors]``); it is imported on
first use. A safetensors file holds a dict of named, dense tensors and string metadata, never
code. ``retrograd.load`` of a path ending in ``.safetensors`` reads it with :func:`load_file`.
"""

from .._array import xp
from ..tensor import Tensor, _make


def _api():
    try:
        import safetensors.numpy as api
    except ImportError as e:
        raise RuntimeError(
            "Attempting to load a safetensors file but safetensors is not "
            "installed. Please install safetensors with: pip install "
            "safetensors"
        ) from e
    return api


def _arrays(tensors) -> dict:
    """The dense arrays to write, refusing what safetensors.torch refuses."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    names = list(tensors)
    shared = []
    for i, a in enumerate(names):
        group = [
            b
            for b in names[i + 1 :]
            if tensors[a]._data.size
            and tensors[b]._data.size
            and xp.shares_memory(tensors[a]._data, tensors[b]._data)
        ]
        if group and not any(a in g for g in shared):
            shared.append({a, *group})
    if shared:
        raise RuntimeError(
            "\n            Some tensors share memory, this will lead to duplicate memory on disk "
            "and potential differences when loading them again: "
            f"{shared}.\n            A potential way to correctly save your model is to use "
            "`save_model`.\n            More information at "
            "https://huggingface.co/docs/safetensors/torch_shared_tensors\n            "
        )
    return {k: xp.ascontiguousarray(v._data) for k, v in tensors.items()}


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (names to tensors)."""
    return _api().save(_arrays(tensors), metadata=metadata)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``tensors`` (names to tensors) to a safetensors file."""
    _api().save_file(_arrays(tensors), filename, metadata=metadata)


def _tensors(arrays: dict) -> dict:
    return {k: _make(a if a.flags.writeable else a.copy()) for k, a in arrays.items()}


def load(data: bytes) -> dict:
    """The tensors in the bytes of a safetensors file."""
    return _tensors(_api().load(data))


def load_file(filename, device="cpu") -> dict:
    """The tensors in a safetensors file, on ``device`` (the CPU: the only device)."""
    from . import _restore

    _restore(None, str(device))
    return _tensors(_api().load_file(filename))


__all__ = ["load", "load_file", "save", "save_file"]
