"""``torch.func.vmap``: a function of one example run on a batch of them at once."""

import functools

from .. import _switches
from ..tensor import Tensor
from ..utils._pytree import broadcast_prefix
from ..utils._pytree import tree_flatten as flatten
from ..utils._pytree import tree_unflatten as unflatten
from . import _batching
from ._batching import BatchedTensor, Level, running, wrap

_RANDOMNESS = ("error", "different", "same")


def _name(func):
    return getattr(func, "__name__", repr(func))


def check_randomness(randomness):
    if randomness not in _RANDOMNESS:
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``torch.func.vmap``: ``func`` mapped over dimension ``in_dims`` of its inputs, its outputs
    stacked along ``out_dims``; the ops inside run once on the whole batch (see ``retrograd.func``).
    """
    check_randomness(randomness)
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)

    return wrapped


def _flat_in_dims(func, in_dims, args):
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
            "or a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    leaves, spec = flatten(args)
    if isinstance(in_dims, int):
        return leaves, spec, [in_dims] * len(leaves)
    dims = broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
            f"with the structure of `inputs`. in_dims has structure {flatten(in_dims)[1]} but "
            f"inputs has structure {spec}."
        )
    return leaves, spec, dims


def _batch_size(func, in_dims, leaves, dims):
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                "input but in_dim must be either an integer dimension or None."
            )
        if not isinstance(x, Tensor):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but the input is of type {type(x)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim"
            )
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {n} so expected in_dim to "
                f"satisfy -{n} <= in_dim < {n}."
            )
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    return sizes[0]


def _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs):
    leaves, spec, dims = _flat_in_dims(func, in_dims, args)
    size = _batch_size(func, in_dims, leaves, dims)
    if chunk_size is None or chunk_size >= size:
        return _run(func, out_dims, randomness, size, leaves, spec, dims, kwargs)
    from ..ops.shape import cat

    parts = []
    for start in range(0, size, chunk_size):
        n = min(chunk_size, size - start)
        chunk = [x if d is None else x.narrow(d, start, n) for x, d in zip(leaves, dims)]
        parts.append(_run(func, out_dims, randomness, n, chunk, spec, dims, kwargs))
    out_leaves, out_spec = flatten(parts[0])
    flat_dims = broadcast_prefix(out_dims, parts[0])
    joined = []
    for j, od in enumerate(flat_dims):
        pieces = [flatten(p)[0][j] for p in parts]
        joined.append(pieces[0] if od is None else cat(pieces, od))
    return unflatten(joined, out_spec)


def _run(func, out_dims, randomness, size, leaves, spec, dims, kwargs):
    running().append(Level(size, randomness))
    level = len(running())
    previous = _switches.set_handler(_batching.dispatch)
    try:
        batched = [
            x if d is None else wrap(x.movedim(d, 0) if d else x, level)
            for x, d in zip(leaves, dims)
        ]
        out = func(*unflatten(batched, spec), **kwargs)
        return _unbatched(func, out, out_dims, level, size)
    finally:
        running().pop()
        _switches.set_handler(previous)


def _unbatched(func, out, out_dims, level, size):
    if not (isinstance(out_dims, (int, tuple, list)) or out_dims is None) or isinstance(
        out_dims, bool
    ):
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
            "python collection of ints representing where in the outputs the vmapped dimension "
            "should appear."
        )
    leaves, spec = flatten(out)
    dims = (
        [out_dims] * len(leaves)
        if not isinstance(out_dims, (tuple, list))
        else broadcast_prefix(out_dims, out)
    )
    if dims is None:
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
            f"with the structure of `outputs`. out_dims has structure {flatten(out_dims)[1]} but "
            f"outputs has structure {spec}."
        )
    return unflatten([_unbatch(func, x, d, level, size) for x, d in zip(leaves, dims)], spec)


def _unbatch(func, x, d, level, size):
    batched = type(x) is BatchedTensor and x._level == level
    if d is None:
        if batched:
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` can not return a BatchedTensor when "
                "out_dim is None"
            )
        return x
    if not isinstance(x, Tensor):
        raise ValueError(
            f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
            f"{type(x)}. Did you mean to set out_dims= to None for output?"
        )
    v = x._value if batched else x.unsqueeze(0).expand((size,) + tuple(x.shape))
    n = v.dim()
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return v.movedim(0, d) if d % n else v
