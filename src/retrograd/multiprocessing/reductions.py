"""How a tensor travels to another process through ``multiprocessing`` (a queue, a pipe, the
arguments of a spawned process): its memory is moved into shared memory
(``Tensor.share_memory_``), and the pickle carries the descriptor of that memory's file and where
the tensor sits in it.  The receiver maps the same file, so both processes read and write one
memory; a storage received twice is mapped once, its views sharing it as in the sender."""

import os
import weakref
from multiprocessing import reduction

from .._array import ndarray, xp
from .._array import shared_memory as _shared_memory
from ..nn.parameter import Parameter
from ..ops.storage import _address, _register_shared, _root, shared_fd
from ..tensor import Tensor, _make

_NON_LEAF = (
    "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does not "
    "support crossing process boundaries.  If you just want to transfer the data, call detach() "
    "on the tensor before serializing (e.g., putting it on the queue)."
)

# (device, inode) of a memory file this process has mapped -> weakref to the array over it
_MAPPED: dict = {}


def _reduce_tensor(tensor: Tensor):
    if tensor.requires_grad and tensor.grad_fn is not None:
        raise RuntimeError(_NON_LEAF)
    tensor.share_memory_()
    a = tensor._data
    fd = shared_fd(a)
    if fd is None:  # (no memory files here: the tensor is copied)
        return tensor.__reduce_ex__(2)
    root = _root(a)
    layout = (a.dtype.str, a.shape, a.strides, _address(a) - _address(root) if a.size else 0)
    memory = (reduction.DupFd(fd), root.dtype.str, root.size)
    return _rebuild, (memory, layout, tensor.requires_grad, isinstance(tensor, Parameter))


def _rebuild(memory, layout, requires_grad: bool, parameter: bool) -> Tensor:
    shared, root_dtype, count = memory
    fd = shared.detach()
    stat = os.fstat(fd)
    key = (stat.st_dev, stat.st_ino)
    known = _MAPPED.get(key)
    flat = None if known is None else known()
    if flat is None:
        mapping, fd = _shared_memory(count * xp.dtype(root_dtype).itemsize, fd)
        flat = xp.frombuffer(mapping, dtype=root_dtype, count=count)
        _register_shared(flat, fd)
        _MAPPED[key] = weakref.ref(flat, lambda _, key=key: _MAPPED.pop(key, None))
    else:
        os.close(fd)  # (mapped already: the views share that mapping)
    dtype, shape, strides, offset = layout
    a = ndarray(shape, dtype, buffer=flat, offset=offset, strides=strides)
    tensor = _make(a, requires_grad)
    return Parameter(tensor, requires_grad) if parameter else tensor


def register() -> None:
    """Send tensors and parameters through shared memory from now on."""
    reduction.ForkingPickler.register(Tensor, _reduce_tensor)
    reduction.ForkingPickler.register(Parameter, _reduce_tensor)


__all__ = ["register"]
