"""Sparse compressed tensors (``layout=torch.sparse_csr``, ``sparse_csc``, ``sparse_bsr``,
``sparse_bsc``): a graph network's adjacency matrix (``adj.to_sparse_csr() @ features``) and what
PyTorch's CPU build does with one -- the constructors (``sparse_csr_tensor`` ...
``sparse_compressed_tensor``, ``check_invariants``), the conversions (``to_sparse_csr`` ...,
``to_sparse(layout=)``, ``to_dense``), the parts (``crow_indices`` ... ``values``), PyTorch's
printing, batches of matrices (leading batch dimensions), multiplication by a number and the
zero-preserving functions of the values (``relu``, ``neg``, ``sin`` ...), and the products:
``mm``, ``matmul``, ``mv``, ``addmm`` with a compressed matrix, ``torch.sparse.mm`` (with
``reduce=``) and ``torch.sparse.sampled_addmm``, each with PyTorch's node and gradients (dense
or compressed where PyTorch's are).

A compressed tensor holds three arrays: the compressed indices (batch dimensions x the rows
(CSR, BSR) or columns (CSC, BSC) of blocks + 1), the plain indices (batch dimensions x nnz:
each entry's column, or row) and the values (batch dimensions x nnz x block x dense
dimensions).  Reading its dense array raises NotImplementedError, so an op not built here
refuses it rather than give a wrong answer.  Products go through SciPy's compiled sparse
matrices, imported on first use."""

from .. import _device, dtypes
from .._array import compressed_product, xp
from ..autograd.grad_mode import no_grad
from ..printing import _is_default_dtype, _with_suffixes
from ..tensor import Tensor, VersionCounter, _make
from . import sparse_coo
from .registry import node_class
from .sparse_coo import (
    CloneBackward0,
    MulBackward0,
    SparseTensor,
    TBackward0,
    _inner,
    _record,
    _recording,
)

CSR, CSC, BSR, BSC = (
    _device.sparse_csr,
    _device.sparse_csc,
    _device.sparse_bsr,
    _device.sparse_bsc,
)
_LAYOUTS = (CSR, CSC, BSR, BSC)
_NAMES = {CSR: "SparseCsr", CSC: "SparseCsc", BSR: "SparseBsr", BSC: "SparseBsc"}
_ROW = (CSR, BSR)  # (compressed over rows; the others over columns)
_BLOCKED = (BSR, BSC)
_PARTS = {  # (the names of the compressed and the plain indices)
    CSR: ("crow_indices", "col_indices"),
    BSR: ("crow_indices", "col_indices"),
    CSC: ("ccol_indices", "row_indices"),
    BSC: ("ccol_indices", "row_indices"),
}
_UNSUPPORTED = "unsupported tensor layout: {}"


def _not_built(layout) -> str:
    return (
        f"this operation is not built for {layout!r} tensors in retrograd: they have to_dense(), "
        "values(), their indices, the products (mm, matmul, addmm, torch.sparse.mm, "
        "torch.sparse.sampled_addmm), multiplication by a number and zero-preserving functions "
        "of the values; call .to_dense() first"
    )


class SparseCompressedTensor(SparseTensor):
    """A tensor in a sparse compressed layout: ``_cidx`` (compressed indices), ``_pidx`` (plain
    indices), ``_vals`` (values), ``_size`` and ``_layout``.  ``type(t)`` is this class where
    PyTorch's is ``Tensor``."""

    __slots__ = ("_layout", "_cidx", "_pidx")

    @property
    def _data(self):
        raise NotImplementedError(_not_built(self._layout))

    @property
    def is_sparse(self) -> bool:  # (PyTorch's: True of the COO layout alone)
        return False

    @property
    def is_sparse_csr(self) -> bool:
        return self._layout is CSR

    @property
    def layout(self):
        return self._layout

    def is_contiguous(self, memory_format=None) -> bool:
        raise RuntimeError(f"Sparse {_short(self._layout)} tensors do not have is_contiguous")

    def stride(self, dim=None):
        raise RuntimeError(f"Sparse {_short(self._layout)} tensors do not have strides")

    def numpy(self, *, force: bool = False):
        raise TypeError(
            f"can't convert {_NAMES[self._layout]} layout tensor to numpy. Use "
            "Tensor.to_dense() first."
        )

    def __repr__(self):
        return compressed_repr(self)

    __str__ = __repr__

    def detach(self) -> "SparseCompressedTensor":
        t = compressed(self._layout, self._cidx, self._pidx, self._vals, self._size)
        t._vc = self._vc
        return t

    def clone(self, memory_format=None) -> "SparseCompressedTensor":
        if memory_format is not None and memory_format is not _device.preserve_format:
            raise RuntimeError(f"unsupported memory format option {memory_format.enum_name}")
        return self._with_values(self._vals.copy(), CloneBackward0)

    # --- the compressed layout ---------------------------------------------------------------
    def _nnz(self) -> int:
        return self._pidx.shape[-1]

    def sparse_dim(self) -> int:
        return 2

    def dense_dim(self) -> int:
        return self._vals.ndim - self._pidx.ndim - (2 if self._layout in _BLOCKED else 0)

    def _batch_dims(self) -> int:
        return self._pidx.ndim - 1

    def _part(self, name, array):
        if name not in _PARTS[self._layout]:
            kind = "row" if name in _PARTS[CSR] else "column"
            raise RuntimeError(
                f"{name} expected sparse {kind} compressed tensor layout but got "
                f"{_NAMES[self._layout]}"
            )
        return _make(array)

    def crow_indices(self) -> Tensor:
        return self._part("crow_indices", self._cidx)

    def col_indices(self) -> Tensor:
        return self._part("col_indices", self._pidx)

    def ccol_indices(self) -> Tensor:
        return self._part("ccol_indices", self._cidx)

    def row_indices(self) -> Tensor:
        return self._part("row_indices", self._pidx)

    def values(self) -> Tensor:
        out = _make(self._vals)
        if _recording(self):
            _record(ValuesBackward0, (self,), out, (self,))
        return out

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        """The dense tensor; its gradient is the incoming one at this tensor's entries, in this
        tensor's layout (ToDenseBackward0)."""
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_csr_to_dense")
        out = _make(_to_dense_array(self))
        if _recording(self):
            _record(ToDenseBackward0, (self,), out, (self,), (masked_grad,))
        return out

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if layout is None or layout is _device.sparse_coo:
            return self._to_coo(sparse_dim)
        return self._converted(layout, blocksize, dense_dim)

    def to_sparse_coo(self):
        return self._to_coo(None)

    def _converted(self, layout, blocksize, dense_dim):
        """This tensor in another compressed layout: a transposition of the compressed form
        (CSR and CSC, BSR and BSC, blocks kept), else PyTorch's error."""
        if layout is self._layout and blocksize in (None, _blocksize(self)):
            return self
        _graph_refused(f"to_sparse({layout!r})", self)
        pair = {CSR: CSC, CSC: CSR, BSR: BSC, BSC: BSR}
        if pair[layout] is not self._layout or blocksize not in (None, _blocksize(self)):
            group = "SparseCsr or SparseCsc" if layout in (CSR, CSC) else "SparseBsr or SparseBsc"
            if layout in _BLOCKED and self._layout in (CSR, CSC):
                raise NotImplementedError(
                    f"to_sparse({layout!r}) of a {layout!r} tensor's blocks: not built in "
                    "retrograd (to_dense() first)"
                )
            raise RuntimeError(
                f"sparse_compressed_to_{_lname(layout)}: expected {group} layout but got "
                f"{_NAMES[self._layout]}"
            )
        return _flipped(self, layout)

    def to_sparse_csr(self, dense_dim=None):
        return self._converted(CSR, None, dense_dim)

    def to_sparse_csc(self, dense_dim=None):
        return self._converted(CSC, None, dense_dim)

    def to_sparse_bsr(self, blocksize, dense_dim=None):
        return self._converted(BSR, tuple(blocksize), dense_dim)

    def to_sparse_bsc(self, blocksize, dense_dim=None):
        return self._converted(BSC, tuple(blocksize), dense_dim)

    def _to_coo(self, sparse_dim):
        if self._layout in _BLOCKED or self._batch_dims() or self.dense_dim():
            raise NotImplementedError(
                f"to_sparse() of a {self._layout!r} tensor with blocks, batch or dense "
                "dimensions: not built in retrograd"
            )
        _graph_refused("to_sparse()", self)
        comp, plain = _coordinates(self)
        rows, cols = (comp, plain) if self._layout in _ROW else (plain, comp)
        idx = xp.stack([rows, cols]).astype(xp.int64)  # (a CSC's in column order: uncoalesced)
        return sparse_coo.sparse_coo(idx, self._vals, self._size, self._layout in _ROW)

    def t(self) -> "SparseCompressedTensor":
        """The transpose: the same arrays read in the other layout (CSR and CSC, BSR with
        each block transposed and BSC)."""
        if self.ndim != 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        pair = {CSR: CSC, CSC: CSR, BSR: BSC, BSC: BSR}
        vals = self._vals.swapaxes(1, 2) if self._layout in _BLOCKED else self._vals
        out = compressed(pair[self._layout], self._cidx, self._pidx, vals, self._size[::-1])
        if _recording(self):
            _record(TBackward0, (self,), out)
        return out

    def _accumulated(self):
        """Called as this tensor becomes or joins a leaf's ``.grad``: PyTorch accumulates a
        compressed gradient of the CSR layout alone, and fails on another with this error."""
        if self._layout is not CSR:
            raise RuntimeError(f"Sparse {_short(self._layout)} tensors do not have is_contiguous")

    # --- arithmetic on the values --------------------------------------------------------------
    def _with_values(self, vals, node=None, saved=(), attrs=()):
        out = compressed(self._layout, self._cidx, self._pidx, vals, self._size)
        if node is not None and _recording(self):
            _record(node, (self,), out, saved, attrs)
        return out

    def sum(self, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        """The sum of every element (a dense 0-d tensor); over dims and its gradient are not
        built."""
        if dim is not None or keepdim or _recording(self):
            raise NotImplementedError(
                f"sum over dims, or with a gradient, of a {self._layout!r} tensor: not built in "
                "retrograd"
            )
        return _make(self._vals).sum(dtype=dtype)

    def to(self, *args, **kwargs):
        """``to(dtype)``: the values converted (outside the graph); anything else is not built."""
        dtype = kwargs.pop("dtype", args[0] if args else None)
        if not isinstance(dtype, dtypes.dtype) or len(args) > 1 or kwargs or _recording(self):
            raise NotImplementedError(
                f"to() of a {self._layout!r} tensor other than to(dtype) without a gradient: not "
                "built in retrograd"
            )
        return self._with_values(self._vals.astype(dtype.np))

    def double(self):
        return self.to(dtypes.float64)

    def float(self):
        return self.to(dtypes.float32)

    def mul(self, other):
        if isinstance(other, Tensor):
            return _times_dense(self, other)
        if not isinstance(other, (int, float, bool, complex)):
            raise TypeError(f"mul(): argument 'other' must be Tensor or Number, not {type(other)}")
        vals = (_make(self._vals) * other)._data
        out = compressed(self._layout, self._cidx, self._pidx, vals, self._size)
        if _recording(self):
            _record(MulBackward0, (self, None), out, (), (other,))
        return out

    __mul__ = mul
    __rmul__ = mul

    def div(self, other, *, rounding_mode=None):
        raise RuntimeError(_UNSUPPORTED.format(_NAMES[self._layout]))

    __truediv__ = div

    def __matmul__(self, other):
        return matmul(self, other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other):
        return matmul(other, self) if isinstance(other, Tensor) else NotImplemented

    def matmul(self, other):
        return matmul(self, other)

    def mm(self, mat2):
        return mm(self, mat2)

    def mv(self, vec):
        return mv(self, vec)

    def add(self, other, *, alpha=1):
        """A sum with a compressed tensor of the same entries (as gradients accumulate); any
        other sum is not built."""
        if (
            isinstance(other, SparseCompressedTensor)
            and other._layout is self._layout
            and other._size == self._size
            and xp.array_equal(other._cidx, self._cidx)
            and xp.array_equal(other._pidx, self._pidx)
            and not _recording(self, other)
        ):
            return self._with_values(self._vals + other._vals * alpha)
        raise NotImplementedError(
            f"add of {self._layout!r} tensors of different entries, of a dense one, or that "
            "require grad: not built in retrograd (to_dense() first)"
        )

    __add__ = add


def _times_dense(t, other):
    """A compressed CSR tensor times a dense one of its shape (or a 0-d one): the values times
    the dense one's elements at the entries."""
    if other.__class__ is not Tensor or t._layout is not CSR or t._batch_dims() or t.dense_dim():
        raise RuntimeError(_UNSUPPORTED.format(_NAMES[t._layout]))
    if _recording(t, other):
        raise NotImplementedError(
            "mul of a sparse compressed tensor and a dense one that require grad: its gradient is "
            "not built in retrograd"
        )
    if other.ndim == 0:
        return t._with_values((_make(t._vals) * other)._data)
    if tuple(other.shape) != t._size:
        raise RuntimeError(
            f"sparse_mask(): operands have incompatible sizes; self has size {list(other.shape)} "
            f"but mask has size {list(t._size)}"
        )
    at = _make(_sampled(other._data, t))
    return t._with_values((_make(t._vals) * at)._data)


def _short(layout) -> str:
    return _NAMES[layout][len("Sparse") :].upper()


def _lname(layout) -> str:
    return "sparse_" + _NAMES[layout][len("Sparse") :].lower()


def _blocksize(t):
    return tuple(t._vals.shape[t._pidx.ndim : t._pidx.ndim + 2]) if t._layout in _BLOCKED else None


def _graph_refused(what, *tensors):
    if _recording(*tensors):
        raise NotImplementedError(
            f"{what} of a sparse compressed tensor that requires grad: its gradient is not "
            "built in retrograd"
        )


def compressed(layout, cidx, pidx, vals, size, requires_grad=False) -> SparseCompressedTensor:
    """Wrap the three arrays of a compressed tensor (never copied)."""
    t = Tensor.__new__(SparseCompressedTensor)
    t._layout = layout
    t._cidx = cidx
    t._pidx = pidx
    t._vals = vals
    t._size = tuple(int(n) for n in size)
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._vc = VersionCounter()
    t._output_nr = 0
    t._cuts = None
    return t


# --- between dense and compressed --------------------------------------------------------------


def _coordinates(t):
    """Each entry's compressed and plain index (of a tensor of one matrix)."""
    counts = xp.diff(t._cidx)
    return xp.repeat(xp.arange(len(counts)), counts), t._pidx


def _grid(shape, layout, blocksize, batch):
    """The shape of the grid of blocks (compressed dim first) and of each block."""
    rows, cols = shape[batch], shape[batch + 1]
    br, bc = blocksize if layout in _BLOCKED else (1, 1)
    return rows // br, cols // bc, br, bc


def _to_dense_array(t):
    batch = t._batch_dims()
    lead = t._size[:batch]
    nb = int(xp.prod(lead)) if batch else 1
    nr, nc, br, bc = _grid(t._size, t._layout, _blocksize(t), batch)
    dense_shape = t._size[batch + 2 :]
    ncomp = nr if t._layout in _ROW else nc
    counts = xp.diff(t._cidx.reshape(nb, ncomp + 1), axis=-1).reshape(-1)
    comp = xp.repeat(xp.tile(xp.arange(ncomp), nb), counts)
    n = t._nnz()
    which = xp.repeat(xp.arange(nb), n)
    grid = xp.zeros((nb, nr, nc, br, bc, *dense_shape), t._vals.dtype)
    plain = t._pidx.reshape(-1)
    vals = t._vals.reshape(nb * n, br, bc, *dense_shape)
    if t._layout in _ROW:
        grid[which, comp, plain] = vals
    else:
        grid[which, plain, comp] = vals
    out = grid.swapaxes(2, 3).reshape(nb, nr * br, nc * bc, *dense_shape)
    return out.reshape(*lead, *out.shape[1:])


def from_dense(x, layout, blocksize=None, dense_dim=None) -> SparseCompressedTensor:
    """``Tensor.to_sparse_csr`` ... ``to_sparse_bsc``: the entries (blocks) with a nonzero element,
    each row's (column's) in order; the same count in every matrix of a batch."""
    lname = _lname(layout)
    dense_dim = dense_dim or 0
    if dense_dim and not 0 <= dense_dim <= x.ndim - 2:
        raise RuntimeError(
            f"dense_to_{lname}: dense_dim argument must be in [0,{x.ndim - 2}] range, but "
            f"{dense_dim} is given"
        )
    if x.ndim < 2:  # (PyTorch's error: it reads the second index of each nonzero element)
        nnz = int((x._data != 0).sum())
        raise IndexError(
            f"select(): index 1 out of range for tensor of size [{nnz}, {x.ndim}] at dimension 1"
        )
    if layout in _BLOCKED:
        if blocksize is None:
            raise RuntimeError(
                f"dense_to_sparse: conversion from Strided to {_NAMES[layout]} without blocksize "
                "argument given is not supported"
            )
        blocksize = tuple(int(b) for b in blocksize)
    _graph_refused(f"to_{lname}", x)
    a = x._data
    batch = a.ndim - 2 - dense_dim
    rows, cols = a.shape[batch], a.shape[batch + 1]
    if layout in _BLOCKED and (rows % blocksize[0] or cols % blocksize[1]):
        raise RuntimeError(
            f"dense_to_{lname}: tensor sparse size ({rows},{cols}) must be divisible by given "
            f"blocksize ({blocksize[0]},{blocksize[1]})"
        )
    nr, nc, br, bc = _grid(a.shape, layout, blocksize, batch)
    lead, dense_shape = a.shape[:batch], a.shape[batch + 2 :]
    nb = int(xp.prod(lead)) if batch else 1
    blocks = a.reshape(nb, nr, br, nc, bc, *dense_shape).swapaxes(2, 3)
    if layout not in _ROW:
        blocks = blocks.swapaxes(1, 2)
    mask = (blocks != 0).reshape(*blocks.shape[:3], -1).any(-1)
    counts = mask.sum(-1)
    per_batch = counts.sum(-1)
    if nb and (per_batch != per_batch[0]).any():
        raise RuntimeError("Expect the same number of specified elements per batch.")
    nnz = int(per_batch[0]) if nb else 0
    cidx = xp.zeros((nb, mask.shape[1] + 1), xp.int64)
    xp.cumsum(counts, axis=-1, out=cidx[:, 1:])
    _, _, plain = xp.nonzero(mask)
    vals = blocks[mask]  # (a block stays rows x columns in either layout)
    if layout not in _BLOCKED:
        vals = vals.reshape(vals.shape[0], *dense_shape)
    vals = vals.reshape(*lead, nnz, *vals.shape[1:])
    return compressed(
        layout,
        cidx.reshape(*lead, -1),
        plain.astype(xp.int64).reshape(*lead, nnz),
        xp.ascontiguousarray(vals),
        a.shape,
    )


def _flipped(t, layout):
    """A tensor of one matrix in the other compressed layout of its kind (blocks kept)."""
    if t._batch_dims():
        raise NotImplementedError(
            f"to_sparse({layout!r}) of a batch of {t._layout!r} matrices: not built in retrograd"
        )
    comp, plain = _coordinates(t)
    order = xp.lexsort((comp, plain))
    blocks = _grid(t._size, t._layout, _blocksize(t), 0)
    n_new = blocks[1] if t._layout in _ROW else blocks[0]
    cidx = xp.zeros(n_new + 1, xp.int64)
    xp.cumsum(xp.bincount(plain, minlength=n_new), out=cidx[1:])
    return compressed(layout, cidx, comp[order].astype(xp.int64), t._vals[order], t._size)


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """``Tensor.to_sparse`` of a dense tensor: COO (``sparse_coo``'s) or a compressed layout."""
    if layout in _LAYOUTS:
        if sparse_dim is not None:
            raise RuntimeError(
                f"to_sparse: expected sparse_dim to be None when layout is {layout!r}"
            )
        return from_dense(self, layout, blocksize, dense_dim)
    return sparse_coo.to_sparse(
        self, sparse_dim, layout=layout, blocksize=blocksize, dense_dim=dense_dim
    )


def install_methods():
    """The conversions of a dense tensor to the compressed layouts, as Tensor methods."""
    Tensor.to_sparse = to_sparse
    Tensor.to_sparse_csr = lambda self, dense_dim=None: from_dense(self, CSR, None, dense_dim)
    Tensor.to_sparse_csc = lambda self, dense_dim=None: from_dense(self, CSC, None, dense_dim)
    Tensor.to_sparse_bsr = lambda self, blocksize, dense_dim=None: from_dense(
        self, BSR, blocksize, dense_dim
    )
    Tensor.to_sparse_bsc = lambda self, blocksize, dense_dim=None: from_dense(
        self, BSC, blocksize, dense_dim
    )


# --- constructors ------------------------------------------------------------------------------


def _array_of(x, dtype=None):
    if isinstance(x, Tensor):
        return x._data if dtype is None else x.to(dtype)._data
    from ..creation import tensor  # (the factories sit beside the op table)

    return tensor(x, dtype=dtype)._data


def _check_invariants(layout, cidx, pidx, vals, size):
    """PyTorch's checks of a compressed tensor's indices (``check_invariants=True``)."""
    cname, pname = _PARTS[layout]
    batch = pidx.ndim - 1
    nr, nc, _, _ = _grid(size, layout, _blocksize_of(layout, vals, batch), batch)
    ncomp, nplain = (nr, nc) if layout in _ROW else (nc, nr)
    what = "rows" if layout in _ROW else "columns"
    if cidx.shape[-1] != ncomp + 1:
        raise RuntimeError(
            f"{cname}.shape[-1] must be equal to the number of {what} + 1 (={ncomp + 1}), but "
            f"got {cidx.shape[-1]}"
        )
    nnz = pidx.shape[-1]
    if (cidx[..., 0] != 0).any():
        raise RuntimeError(f"`{cname}[..., 0] == 0` is not satisfied.")
    if (cidx[..., -1] != nnz).any():
        raise RuntimeError(f"`{cname}[..., -1] == nnz` is not satisfied.")
    if (xp.diff(cidx, axis=-1) < 0).any() or (xp.diff(cidx, axis=-1) > nplain).any():
        raise RuntimeError(
            f"`0 <= {cname}[..., 1:] - {cname}[..., :-1] <= {'ncols' if layout in _ROW else 'nrows'}` "
            "is not satisfied."
        )
    plain_name = "ncols" if layout in _ROW else "nrows"
    if ((pidx < 0) | (pidx >= nplain)).any():
        raise RuntimeError(f"`0 <= {pname} < {plain_name}` is not satisfied.")
    flat_c = cidx.reshape(-1, ncomp + 1)
    flat_p = pidx.reshape(-1, nnz)
    for c, p in zip(flat_c, flat_p):
        comp = xp.repeat(xp.arange(ncomp), xp.diff(c))
        if len(p) > 1 and not ((xp.diff(p) > 0) | (xp.diff(comp) > 0)).all():
            n = "nrows" if layout in _ROW else "ncols"
            raise RuntimeError(
                f"`{pname}[..., {cname}[..., i - 1]:{cname}[..., i]] for all i = 1, ..., {n} "
                f"are sorted and distinct along the last dimension values` is not satisfied."
            )


def _blocksize_of(layout, vals, batch):
    return tuple(vals.shape[batch + 1 : batch + 3]) if layout in _BLOCKED else None


def sparse_compressed_tensor(
    compressed_indices,
    plain_indices,
    values,
    size=None,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
    check_invariants=None,
) -> SparseCompressedTensor:
    """``torch.sparse_compressed_tensor``: a tensor of the given layout from its three parts
    (not copied when they are tensors of the right dtypes); ``size`` inferred when not given
    (the largest plain index + 1, the blocks' count times their size)."""
    if layout not in _LAYOUTS:
        raise RuntimeError(
            "sparse_compressed_tensor expected sparse compressed tensor layout but got "
            + {None: "none", _device.strided: "Strided", _device.sparse_coo: "Sparse"}.get(
                layout, repr(layout)
            )
        )
    if device is not None:
        _device.check(device, factory=True)
    if pin_memory:
        raise RuntimeError(_device.NO_ACCELERATOR)
    cidx = _array_of(compressed_indices)
    pidx = _array_of(plain_indices)
    vals = _array_of(values, dtype)
    if cidx.dtype.kind not in "iu":
        cidx = cidx.astype(xp.int64)
    if pidx.dtype.kind not in "iu":
        pidx = pidx.astype(xp.int64)
    batch = pidx.ndim - 1
    if size is None:
        size = _inferred_size(layout, cidx, pidx, vals, batch)
    size = tuple(int(n) for n in size)
    if check_invariants:
        _check_invariants(layout, cidx, pidx, vals, size)
    t = compressed(layout, cidx, pidx, vals, size)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _inferred_size(layout, cidx, pidx, vals, batch):
    bs = _blocksize_of(layout, vals, batch) or (1, 1)
    ncomp = cidx.shape[-1] - 1
    nplain = int(pidx.max()) + 1 if pidx.size else 0
    rows, cols = (ncomp, nplain) if layout in _ROW else (nplain, ncomp)
    dense = vals.shape[batch + 1 + (2 if layout in _BLOCKED else 0) :]
    return (*pidx.shape[:-1], rows * bs[0], cols * bs[1], *dense)


def _layout_constructor(layout):
    def make(
        compressed_indices,
        plain_indices,
        values,
        size=None,
        *,
        dtype=None,
        device=None,
        pin_memory=False,
        requires_grad=False,
        check_invariants=None,
    ):
        return sparse_compressed_tensor(
            compressed_indices,
            plain_indices,
            values,
            size,
            dtype=dtype,
            layout=layout,
            device=device,
            pin_memory=pin_memory,
            requires_grad=requires_grad,
            check_invariants=check_invariants,
        )

    make.__name__ = make.__qualname__ = _lname(layout) + "_tensor"
    make.__doc__ = f"``torch.{make.__name__}``: ``sparse_compressed_tensor`` of layout {layout!r}."
    return make


sparse_csr_tensor = _layout_constructor(CSR)
sparse_csc_tensor = _layout_constructor(CSC)
sparse_bsr_tensor = _layout_constructor(BSR)
sparse_bsc_tensor = _layout_constructor(BSC)


def compressed_repr(t) -> str:
    """PyTorch's printing of a compressed tensor: its two indices and its values, each on its
    own lines, then size, nnz, dtype and layout."""
    cname, pname = _PARTS[t._layout]
    prefix = "tensor("
    pad = " " * len(prefix)
    text = (
        prefix
        + f"{cname}="
        + _inner(t._cidx, len(prefix) + len(cname) + 1)
        + f",\n{pad}{pname}="
        + _inner(t._pidx, len(prefix) + len(pname) + 1)
        + f",\n{pad}values="
        + _inner(t._vals, len(prefix) + len("values="))
    )
    size = "(" + ", ".join(str(n) for n in t._size) + ("," if len(t._size) == 1 else "") + ")"
    suffixes = [f"size={size}", f"nnz={t._nnz()}"]
    if not _is_default_dtype(t.dtype):
        suffixes.append(f"dtype={t.dtype!r}")
    suffixes.append(f"layout={t._layout!r}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name().rpartition('::')[2]}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(text, suffixes, len(prefix))


# --- products ----------------------------------------------------------------------------------
# A compressed matrix times a dense one is SciPy's product; a dense one times a compressed one the
# transpose of the product of the transposes (a compressed transpose is free: CSR read as CSC).


def _is_compressed(t) -> bool:
    return t.__class__ is SparseCompressedTensor


def _matrix_parts(t, name):
    """Refuse what the products here do not build: batches, dense dimensions, complex values and
    the dtypes SciPy has no products of."""
    if t._batch_dims() or t.dense_dim() or t.ndim != 2:
        raise NotImplementedError(
            f"{name} of a {t._layout!r} tensor of {t.ndim} dimensions (a batch or dense "
            "dimensions): not built in retrograd (a product of one matrix is)"
        )
    if t._vals.dtype.kind not in "fiu" or t._vals.itemsize < 4:
        raise NotImplementedError(
            f"{name} of a {t._layout!r} tensor of dtype {t.dtype}: not built in retrograd"
        )


def _product(t, d, name):
    """The array of compressed ``t`` @ dense array ``d`` (a matrix)."""
    _matrix_parts(t, name)
    kind = _lname(t._layout)[len("sparse_") :]
    return compressed_product(kind, t._cidx, t._pidx, t._vals, t._size, d)


def _check_mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        which, t = ("self", a) if a.ndim != 2 else ("mat2", b)
        raise RuntimeError(f"{which} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    _same_dtype(a, b)


def _same_dtype(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_cname(a.dtype)} but found {_cname(b.dtype)}")


def _cname(dt) -> str:
    return sparse_coo._scalar_name(dt.np)


def _mm_array(a, b, name="mm"):
    """The array of ``a @ b`` where one of the two matrices is compressed."""
    if _is_compressed(a) and _is_compressed(b):
        raise NotImplementedError(
            f"{name} of two sparse compressed matrices: not built in retrograd (to_dense() one)"
        )
    if _is_compressed(a):
        return _product(a, b._data, name)
    return _product(b.t(), a._data.T, name).T


def mm(input, mat2) -> Tensor:
    """``torch.mm`` with a compressed operand: a dense matrix whose gradients are dense
    (MmBackward0)."""
    _check_mm(input, mat2)
    with no_grad():
        out = _make(xp.ascontiguousarray(_mm_array(input, mat2)))
    if _recording(input, mat2):
        _record(MmBackward0, (input, mat2), out, (input, mat2))
    return out


def mv(input, vec) -> Tensor:
    """``torch.mv`` of a compressed matrix (MvBackward0, dense gradients)."""
    if not _is_compressed(input) or vec.ndim != 1:
        raise NotImplementedError(_not_built(CSR))
    if input.size(1) != vec.size(0):
        raise RuntimeError(
            f"size mismatch, got input ({input.size(0)}), mat ({input.size(0)}x{input.size(1)}), "
            f"vec ({vec.size(0)})"
        )
    out = _make(_product(input, vec._data[:, None], "mv")[:, 0])
    if _recording(input, vec):
        _record(MvBackward0, (input, vec), out, (input, vec))
    return out


def matmul(input, other) -> Tensor:
    """``torch.matmul`` with a compressed operand: mm of two matrices, mv of a matrix and a
    vector; the other cases are not built."""
    if input.ndim == 2 and other.ndim == 2:
        return mm(input, other)
    if input.ndim == 2 and other.ndim == 1 and _is_compressed(input):
        return mv(input, other)
    raise NotImplementedError(
        f"matmul of a sparse compressed tensor with {input.ndim} and {other.ndim} dimensions: "
        "not built in retrograd (matrices and a matrix times a vector are)"
    )


def addmm(input, mat1, mat2, beta=1, alpha=1) -> Tensor:
    """``torch.addmm`` with a compressed ``mat1`` or ``mat2`` (a dense input):
    ``beta * input + alpha * (mat1 @ mat2)``, dense gradients (AddmmBackward0)."""
    if _is_compressed(input):
        raise RuntimeError(
            "addmm: computation on CPU is not implemented for "
            f"{_NAMES[input._layout]} + {_lay(mat1)} @ {_lay(mat2)}"
        )
    _same_dtype(input, mat1)
    _check_mm(mat1, mat2)
    with no_grad():
        product = _mm_array(mat1, mat2, "addmm")
    out = _make(sparse_coo._added(input, product, beta, alpha))
    if _recording(input, mat1, mat2):
        attrs = (tuple(input.shape), beta, alpha)
        _record(AddmmBackward0, (input, mat1, mat2), out, (mat1, mat2), attrs)
    return out


def _lay(t) -> str:
    return _NAMES[t._layout] if _is_compressed(t) else "Strided"


_REDUCTIONS = ("sum", "mean", "amax", "amin", "max", "min")


def sparse_mm(mat1, mat2, reduce=None) -> Tensor:
    """``torch.sparse.mm``: with a compressed ``mat1``, the product whose ``mat1`` gradient is
    compressed, at its entries (SparseAddmmBackward0); with ``reduce``, each row's entries'
    products reduced by sum, mean, amax or amin (SparseMmReduceImplBackward0); COO operands
    go to ``sparse_coo``."""
    if reduce is None:
        if not _is_compressed(mat1) and not _is_compressed(mat2):
            return sparse_coo.sparse_mm(mat1, mat2)
        _same_dtype(mat2, mat1)  # (torch.sparse.mm names the two the other way round)
        _check_mm(mat1, mat2)
        if not _is_compressed(mat1) or _is_compressed(mat2):
            raise NotImplementedError(
                "torch.sparse.mm of a dense matrix times a compressed one: not built in retrograd"
            )
        out = _make(_product(mat1, mat2._data, "torch.sparse.mm"))
        if _recording(mat1, mat2):
            _record(SparseAddmmBackward0, (None, mat1, mat2), out, (mat1, mat2), ((), 0, 1))
        return out
    if not _is_compressed(mat1):
        backend = "SparseCPU" if mat1.__class__ is sparse_coo.SparseCOOTensor else "CPU"
        raise NotImplementedError(_device.no_kernel("_sparse_mm_reduce_impl", backend))
    if mat1._layout is not CSR:
        raise RuntimeError(
            f"sparse_mm_reduce: expect self to be SparseCsr, got {_NAMES[mat1._layout]}"
        )
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"sparse_mm_reduce: reduce type of {reduce} has not been enabled.")
    if mat2.dtype != mat1.dtype:
        raise RuntimeError(
            f"Expected tensor for argument #1 'other' to have scalar type {_cname(mat1.dtype)}; "
            f"but got torch.{_cname(mat2.dtype)}Tensor instead (while checking arguments for "
            "sparse_mm_reduce)"
        )
    if mat2.ndim != 2 or mat2.shape[0] != mat1.shape[1]:
        raise RuntimeError(
            f"Expected a tensor of dimension 2 and tensor.size[0] == {mat1.shape[1]} but got: "
            f"dimension {mat2.ndim} and tensor.size[0] = {mat2.shape[0]}"
        )
    _matrix_parts(mat1, "torch.sparse.mm")
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    out = _make(_reduced(mat1, mat2._data, reduce)[0])
    if _recording(mat1, mat2):
        _record(SparseMmReduceImplBackward0, (mat1, mat2), out, (mat1, mat2), (reduce,))
    return out


def _reduced(t, d, reduce, which=False):
    """Each row's ``value * d[column]`` over its entries, reduced; with ``which``, for amax and
    amin, whether each entry's term gave the result's element (its row's first that did)."""
    rows, cols = _coordinates(t)
    counts = xp.diff(t._cidx)
    if reduce in ("sum", "mean"):
        out = _product(t, d, "torch.sparse.mm")
        if reduce == "mean":
            out = out / xp.maximum(counts, 1)[:, None].astype(out.dtype)
        return out, None
    # (terms laid out a column of d a row: each reduction runs over contiguous memory)
    terms = xp.ascontiguousarray(d[cols].T) * t._vals
    ufunc = xp.maximum if reduce == "amax" else xp.minimum
    out = xp.zeros((d.shape[1], t._size[0]), terms.dtype)
    full = counts > 0
    starts = t._cidx[:-1][full]
    if terms.shape[1]:
        out[:, full] = ufunc.reduceat(terms, starts, axis=1)
    if not which:
        return out.T.copy(), None
    position = xp.arange(terms.shape[1])
    where = xp.where(terms == out[:, rows], position, terms.shape[1])
    first = xp.full(out.shape, -1, xp.int64)
    if terms.shape[1]:
        first[:, full] = xp.minimum.reduceat(where, starts, axis=1)
    return out.T.copy(), (first[:, rows] == position).T


def _reduce_grads(g, n):
    """The two gradients of torch.sparse.mm(..., reduce): the matrix's at its entries, the dense
    operand's dense."""
    t, d = n.mat1, n.mat2
    _first_order(g, t, d)
    gd = _dense_grad(g)._data
    rows, cols = _coordinates(t)
    counts = xp.diff(t._cidx)
    if n.reduce in ("sum", "mean"):
        scale = 1 / xp.maximum(counts, 1)[rows] if n.reduce == "mean" else 1
        per_entry = (gd[rows] * d._data[cols]).sum(-1) * scale
        weighted = t.detach()._with_values((t._vals * scale).astype(t._vals.dtype, copy=False))
        other = _product(weighted.t(), gd, "torch.sparse.mm")  # (the transpose's product)
    else:
        _, first = _reduced(t, d._data, n.reduce, which=True)
        per_entry = (gd[rows] * d._data[cols] * first).sum(-1)
        other = _summed_rows(t._vals[:, None] * gd[rows] * first, cols, d.shape[0])
    return t.detach()._with_values(per_entry.astype(t._vals.dtype)), _make(other)


def _summed_rows(rows, index, n):
    """``out[index[k]] += rows[k]`` for every k, into zeros of n rows: a sort by index and one
    sum per run of it (NumPy's add.at is slower by an order of magnitude)."""
    out = xp.zeros((n, *rows.shape[1:]), rows.dtype)
    if len(index):
        order = xp.argsort(index, kind="stable")
        keys = index[order]
        starts = xp.flatnonzero(xp.r_[True, keys[1:] != keys[:-1]])
        out[keys[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
    return out


def sampled_addmm(input, mat1, mat2, *, beta=1.0, alpha=1.0, out=None) -> Tensor:
    """``torch.sparse.sampled_addmm``: ``beta * input + alpha * (mat1 @ mat2)`` at the entries of
    the CSR ``input`` alone (a CSR result of input's entries; batches of matrices too); its
    gradients: input's and the result's compressed, the two factors' dense
    (SparseSampledAddmmBackward0)."""
    if out is not None:
        raise NotImplementedError("torch.sparse.sampled_addmm's out=: not built in retrograd")
    if not _is_compressed(input):
        backend = "SparseCPU" if input.__class__ is sparse_coo.SparseCOOTensor else "CPU"
        raise NotImplementedError(_device.no_kernel("sparse_sampled_addmm", backend))
    if input._layout is not CSR:
        raise RuntimeError(
            "sampled_addmm: Expected result to have sparse csr layout, but got "
            f"{_NAMES[input._layout]}"
        )
    a, b = mat1._data, mat2._data
    if a.shape[-1] != b.shape[-2]:
        raise RuntimeError(
            f"sampled_addmm: mat1 and mat2 shapes cannot be multiplied ({a.shape[-2]}x"
            f"{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            "sampled_addmm: Expected mat1 and mat2 to have the same dtype, but got "
            f"{sparse_coo._scalar_name(a.dtype)} and {sparse_coo._scalar_name(b.dtype)}"
        )
    if input.shape[-2] != a.shape[-2]:
        raise RuntimeError("sampled_addmm: self.shape[-2] must match mat1.shape[-2]")
    if input.shape[-1] != b.shape[-1]:
        raise RuntimeError("sampled_addmm: self.shape[-1] must match mat2.shape[-1]")
    if input.dense_dim() or a.ndim != b.ndim or a.shape[:-2] != tuple(input.shape[:-2]):
        raise NotImplementedError(
            "torch.sparse.sampled_addmm of batches of different shapes or dense dimensions: not "
            "built in retrograd"
        )
    product = _sampled_product(input, a, b)
    if alpha != 1:
        product = product * alpha
    vals = product if beta == 0 else input._vals * beta + product
    result = input.detach()._with_values(vals.astype(input._vals.dtype, copy=False))
    if _recording(input, mat1, mat2):
        attrs = (alpha, beta)
        _record(
            SparseSampledAddmmBackward0, (input, mat1, mat2), result, (input, mat1, mat2), attrs
        )
    return result


def _entry_index(t):
    """Each entry's batch number, row and column (a CSR or CSC tensor, batched or not)."""
    nb = int(xp.prod(t._size[:-2])) if t._batch_dims() else 1
    ncomp, nnz = t._cidx.shape[-1] - 1, t._nnz()
    counts = xp.diff(t._cidx.reshape(nb, ncomp + 1), axis=-1).reshape(-1)
    comp = xp.repeat(xp.tile(xp.arange(ncomp), nb), counts)
    plain = t._pidx.reshape(-1)
    rows, cols = (comp, plain) if t._layout in _ROW else (plain, comp)
    return xp.repeat(xp.arange(nb), nnz), rows, cols


def _sampled_product(t, a, b):
    """``(a @ b)`` at the entries of CSR ``t`` (a matrix or a batch): one dot product each."""
    which, rows, cols = _entry_index(t)
    nb = int(xp.prod(t._size[:-2])) if t._batch_dims() else 1
    a = a.reshape(nb, *a.shape[-2:])
    b = b.reshape(nb, *b.shape[-2:])
    dots = xp.einsum("ij,ij->i", a[which, rows], b[which, :, cols])
    return dots.reshape(t._vals.shape)


def _sampled(dense, t):
    """Dense array ``dense`` (t's shape) at the entries of CSR ``t``: its values' array."""
    which, rows, cols = _entry_index(t)
    nb = int(xp.prod(t._size[:-2])) if t._batch_dims() else 1
    return dense.reshape(nb, *dense.shape[-2:])[which, rows, cols].reshape(t._vals.shape)


def _sampled_grads(g, n):
    t, a, b = n.self, n.mat1, n.mat2
    _first_order(g, t, a, b)
    beta, alpha = complex(n.beta).conjugate(), complex(n.alpha).conjugate()
    if t._vals.dtype.kind != "c":  # (complex factors: their conjugates; a real one as given)
        beta, alpha = n.beta, n.alpha
    if _is_compressed(g):  # (input's gradient: beta * g, in g's layout)
        gv = g._vals
        grad_in = t.detach()._with_values((gv * beta).astype(t._vals.dtype, copy=False))
    else:
        gv = _sampled(g._data, t)
        grad_in = _make((g._data * beta).astype(g._data.dtype, copy=False))
    ga = gv * alpha
    which, rows, cols = _entry_index(t)
    nb = int(xp.prod(t._size[:-2])) if t._batch_dims() else 1
    am, bm = a._data.reshape(nb, *a.shape[-2:]), b._data.reshape(nb, *b.shape[-2:])
    flat = ga.reshape(-1, 1)  # (a complex factor's gradient reads the other's conjugate)
    m, k, p = am.shape[1], am.shape[2], bm.shape[2]
    grad_a = _summed_rows(flat * bm[which, :, cols].conj(), which * m + rows, nb * m)
    grad_b = _summed_rows(flat * am[which, rows].conj(), which * p + cols, nb * p)
    grad_a = grad_a.reshape(nb, m, k).astype(am.dtype, copy=False)
    grad_b = grad_b.reshape(nb, p, k).swapaxes(1, 2).astype(bm.dtype, copy=False)
    return grad_in, _make(grad_a.reshape(a.shape)), _make(grad_b.reshape(b.shape))


# --- the graph ---------------------------------------------------------------------------------


def _first_order(*tensors):
    """Some gradients here are computed on arrays, outside the graph: one that would record a
    graph (create_graph, with the gradient or a saved input requiring grad) is refused."""
    if _recording(*tensors):
        raise NotImplementedError(
            "a derivative of a gradient of a sparse compressed op (create_graph=True): not "
            "built in retrograd"
        )


def _dense_grad(g):
    return g.to_dense() if _is_compressed(g) or g.is_sparse else g


def _at_entries(g, t):
    """Gradient ``g`` at the entries of compressed ``t``, in t's layout."""
    _first_order(g)
    if _is_compressed(g) and g._layout is t._layout and xp.array_equal(g._pidx, t._pidx):
        vals = g._vals
    elif t._layout in (CSR, CSC) and not t.dense_dim():
        vals = _sampled(_dense_grad(g)._data, t)
    else:
        raise NotImplementedError(
            f"the gradient of a {t._layout!r} tensor at its entries: not built in retrograd"
        )
    return t.detach()._with_values(vals)


def _mm_self_grad(g, n):
    return g.mm(n.mat2.t())


def _mm_mat2_grad(g, n):
    return n.self.t().mm(g)


def _sparse_mm_grad(g, n):
    _first_order(g, n.mat1, n.mat2)
    if _is_compressed(g):
        raise NotImplementedError(
            "a compressed gradient of torch.sparse.mm: not built in retrograd"
        )
    product = g._data @ n.mat2._data.T
    return _at_entries(_make(product), n.mat1)


def _values_grad(g, n):
    _first_order(g)
    if n.self._batch_dims():  # (as to_dense's: through COO, which PyTorch refuses)
        raise RuntimeError(
            f"coo_to_sparse_csr: conversion from Sparse to {_NAMES[n.self._layout]} for input "
            "tensors with sparse_dim()!=2 is not supported"
        )
    return n.self.detach()._with_values(_dense_grad(g)._data)


ValuesBackward0 = node_class("ValuesBackward0", (_values_grad,), ("self",), ())


def _to_dense_grad(g, n):
    if n.self._batch_dims():  # (PyTorch's masking of the gradient goes through COO)
        raise RuntimeError(
            f"sparse_coo_to_sparse: conversion from Sparse to {_NAMES[n.self._layout]} for "
            "input tensors with sparse_dim()!=2 is not supported"
        )
    return _at_entries(g, n.self)


ToDenseBackward0 = node_class("ToDenseBackward0", (_to_dense_grad,), ("self",), ("masked_grad",))
MmBackward0 = node_class("MmBackward0", (_mm_self_grad, _mm_mat2_grad), ("self", "mat2"), ())
MvBackward0 = node_class(
    "MvBackward0",
    (
        lambda g, n: g.unsqueeze(1) * n.vec,
        lambda g, n: mv(n.self.t(), g),
    ),
    ("self", "vec"),
    (),
)
AddmmBackward0 = node_class(
    "AddmmBackward0",
    (
        sparse_coo._input_part,
        lambda g, n: sparse_coo._scaled_grad(_mm_self_grad(g, n), n.alpha),
        lambda g, n: sparse_coo._scaled_grad(n.mat1.t().mm(g), n.alpha),
    ),
    ("mat1", "mat2"),
    ("self_shape", "beta", "alpha"),
)
SparseAddmmBackward0 = node_class(
    "SparseAddmmBackward0",
    (
        sparse_coo._input_part,
        _sparse_mm_grad,
        lambda g, n: n.mat1.t().mm(_dense_grad(g)),
    ),
    ("mat1", "mat2"),
    ("self_shape", "beta", "alpha"),
)
SparseMmReduceImplBackward0 = node_class(
    "SparseMmReduceImplBackward0",
    (lambda g, n: _reduce_grads(g, n)[0], lambda g, n: _reduce_grads(g, n)[1]),
    ("mat1", "mat2"),
    ("reduce",),
)
SparseSampledAddmmBackward0 = node_class(
    "SparseSampledAddmmBackward0",
    (
        lambda g, n: _sampled_grads(g, n)[0],
        lambda g, n: _sampled_grads(g, n)[1],
        lambda g, n: _sampled_grads(g, n)[2],
    ),
    ("self", "mat1", "mat2"),
    ("alpha", "beta"),
)


# --- functions of the values -------------------------------------------------------------------
# PyTorch applies the functions that map zero to zero to a compressed tensor's values alone; each
# derivative (of the value x, the result y) is a function of the values too, and the gradient is
# compressed, at the same entries.
_PI = 3.141592653589793
_DERIVATIVES = {
    "abs": lambda x, y: xp.sign(x),
    "neg": lambda x, y: -xp.ones_like(x),
    "relu": lambda x, y: (y > 0).astype(x.dtype),
    "log1p": lambda x, y: 1 / (1 + x),
    "deg2rad": lambda x, y: xp.full_like(x, _PI / 180),
    "rad2deg": lambda x, y: xp.full_like(x, 180 / _PI),
    "frac": lambda x, y: xp.ones_like(x),
}
_ZERO_GRADIENT = ("ceil", "floor", "round", "trunc", "sign")  # (PyTorch's has no entries)
_NODE_NAMES = {"log1p": "Log1P", "deg2rad": "Deg2Rad", "rad2deg": "Rad2Deg"}
_NO_DERIVATIVE = ("signbit", "isnan", "isinf", "isposinf", "isneginf")
# (PyTorch records a node for these, whose backward then fails on the compressed gradient: its
# error, by the step of the formula that fails)
_SUM_REFUSED = ("asin", "atan", "expm1")
_LAYOUT_REFUSED = ("sin", "sinh", "tan", "tanh", "asinh", "atanh", "sqrt", "erf", "erfinv")
# (the functions that record a node: sgn's backward has no kernel for a compressed gradient)
_WITH_NODE = (*_DERIVATIVES, *_ZERO_GRADIENT, "sgn", *_SUM_REFUSED, *_LAYOUT_REFUSED)
# (functions PyTorch refuses on a compressed tensor with its RuntimeError)
_REFUSED = ("exp", "log", "cos", "sigmoid", "square", "pow", "sub", "exp_", "log_", "cos_")


def _values_function(name):
    node = None
    if name in _WITH_NODE:
        node = node_class(
            _NODE_NAMES.get(name, _camel(name)) + "Backward0",
            (_values_function_grad,),
            ("self", "result"),
            ("fn",),
        )

    def method(self):
        vals = getattr(_make(self._vals), name)()._data
        out = compressed(self._layout, self._cidx, self._pidx, vals, self._size)
        if node is not None and _recording(self):
            _record(node, (self,), out, (self, out), (name,))
        return out

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``Tensor.{name}`` of a compressed tensor: of its values alone."
    return method


def _camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _values_function_grad(g, n):
    self, result = n.self, n.result
    if n.fn in _LAYOUT_REFUSED:
        raise RuntimeError(_UNSUPPORTED.format(_NAMES[self._layout]))
    if n.fn in _SUM_REFUSED:
        raise RuntimeError(
            "add: expected 'self' and 'other' to have same size, but self has size [] while other "
            f"has size {list(self._size)} (FYI: op2-sparse addition does not currently support "
            "broadcasting)"
        )
    if n.fn == "sgn":
        raise NotImplementedError(_device.no_kernel("_efficientzerotensor", "SparseCsrCPU"))
    name = _NAMES[self._layout]
    if self._layout is not CSR and n.fn in ("abs", "log1p"):
        raise RuntimeError(
            "Expected result Tensor to be of format CSR"
            if self._layout is CSC
            else "empty_sparse_compressed expected sparse compressed (non-block) tensor layout "
            f"but got {name}"
        )
    if self._layout is not CSR and n.fn in ("deg2rad", "rad2deg"):
        raise RuntimeError(
            f"sparse compressed layout must be SparseCsr but got {name}"
            if self._layout is BSR
            else f"col_indices expected sparse row compressed tensor layout but got {name}"
        )
    if n.fn in _ZERO_GRADIENT:
        lead, block = self._pidx.shape[:-1], self._vals.shape[self._pidx.ndim :]
        empty = xp.zeros((*lead, 0, *block), self._vals.dtype)
        return compressed(
            self._layout, xp.zeros_like(self._cidx), self._pidx[..., :0], empty, self._size
        )
    _first_order(g, self)
    gv = _at_entries(g, self)._vals
    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = _DERIVATIVES[n.fn](self._vals, result._vals)
    return self.detach()._with_values((gv * slope).astype(self._vals.dtype, copy=False))


def _refused(name):
    def method(self, *args, **kwargs):
        raise RuntimeError(_UNSUPPORTED.format(_NAMES[self._layout]))

    method.__name__ = method.__qualname__ = name
    return method


for _name in (*_WITH_NODE, *_NO_DERIVATIVE):
    setattr(SparseCompressedTensor, _name, _values_function(_name))
for _name in _REFUSED:
    setattr(SparseCompressedTensor, _name, _refused(_name))
SparseCompressedTensor.__neg__ = SparseCompressedTensor.neg
# (the op table's functions hand a compressed first input to these methods: torch.relu(x))
SparseCompressedTensor._by_values = frozenset((*_WITH_NODE, *_NO_DERIVATIVE, "mul"))
del _name


def either(coo, compressed_fn):
    """An op's ``sparse=`` function: ``compressed_fn`` when an operand is a compressed tensor,
    else the COO one."""

    def sparse(*args):
        for a in args:
            if a.__class__ is SparseCompressedTensor:
                return compressed_fn(*args)
        return coo(*args)

    return sparse
