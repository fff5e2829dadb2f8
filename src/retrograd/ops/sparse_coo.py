"""Sparse COO tensors (``layout=torch.sparse_coo``): the gradient a sparse embedding lookup
gives its weight, and what training on such a gradient needs -- ``sparse_coo_tensor``, indices
and values, ``coalesce``, ``to_dense``, addition (how gradients accumulate), multiplication by a
number (how optimizers scale them), PyTorch's printing.

A sparse tensor is a ``Tensor`` subclass that holds an int64 array of indices (sparse_dim x nnz)
and an array of values (nnz x the dense dimensions) instead of one dense array.  The dense ops
never see it: reading its dense array raises NotImplementedError, so an op not built here
refuses it instead of giving a wrong answer, and the dense hot path pays nothing for it."""

from .. import _device, dtypes
from .._array import xp
from ..printing import _contents, _is_default_dtype, _with_suffixes
from ..tensor import Size, Tensor, VersionCounter, _make, _wrap_dim, bump_version

_NOT_BUILT = (
    "this operation is not built for sparse COO tensors in retrograd: they have indices(), "
    "values(), coalesce(), to_dense(), addition and multiplication by a number; call "
    ".to_dense() first"
)
_SPARSE_PLUS_DENSE = "add(sparse, dense) is not supported. Use add(dense, sparse) instead."


class SparseCOOTensor(Tensor):
    """A tensor in the sparse COO layout: ``_idx`` (sparse_dim x nnz, int64), ``_vals``
    (nnz x dense dimensions), ``_size`` and whether the indices are known to be sorted and
    distinct (``is_coalesced``).  ``type(t)`` is this class where PyTorch's is ``Tensor``."""

    __slots__ = ("_idx", "_vals", "_size", "_coalesced")

    @property
    def _data(self):
        raise NotImplementedError(_NOT_BUILT)

    # --- what every tensor has ---------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.FROM_NP[self._vals.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._size)

    def size(self, dim=None):
        return Size(self._size) if dim is None else self._size[_wrap_dim(dim, len(self._size))]

    @property
    def ndim(self) -> int:
        return len(self._size)

    def dim(self) -> int:
        return len(self._size)

    ndimension = dim

    def numel(self) -> int:
        return Size(self._size).numel()

    nelement = numel

    def element_size(self) -> int:
        return self._vals.itemsize

    @property
    def itemsize(self) -> int:
        return self._vals.itemsize

    @property
    def is_sparse(self) -> bool:
        return True

    @property
    def layout(self):
        return _device.sparse_coo

    def is_floating_point(self) -> bool:
        return self._vals.dtype.kind in "fV"

    def is_complex(self) -> bool:
        return self._vals.dtype.kind == "c"

    def is_contiguous(self, memory_format=None) -> bool:
        if memory_format is not None:
            _device.check_memory_format(memory_format)
        return False

    def requires_grad_(self, requires_grad: bool = True):
        if requires_grad and self._vals.dtype.kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def data(self):
        return self.detach()

    def __len__(self):
        return self._size[0]

    def numpy(self, *, force: bool = False):
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() first.")

    def __repr__(self):
        return sparse_repr(self)

    def __str__(self):
        return sparse_repr(self)

    def __deepcopy__(self, memo):
        new = self.clone()
        memo[id(self)] = new
        return new

    # --- the COO layout ----------------------------------------------------------------------
    def sparse_dim(self) -> int:
        return self._idx.shape[0]

    def dense_dim(self) -> int:
        return self._vals.ndim - 1

    def _nnz(self) -> int:
        return self._idx.shape[1]

    def is_coalesced(self) -> bool:
        return self._coalesced

    def _indices(self) -> Tensor:
        return _make(self._idx)

    def _values(self) -> Tensor:
        return _make(self._vals)

    def indices(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError(
                "Cannot get indices on an uncoalesced tensor, please call .coalesce() first"
            )
        return _make(self._idx)

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError(
                "Cannot get values on an uncoalesced tensor, please call .coalesce() first"
            )
        return _make(self._vals)

    def coalesce(self) -> "SparseCOOTensor":
        """The same tensor with its indices sorted and each given once (the values at a repeated
        index summed)."""
        if self._coalesced:
            return self
        idx, vals = _coalesced(self._idx, self._vals, self._size)
        return sparse_coo(idx, vals, self._size, True)

    def to_dense(self, dtype=None) -> Tensor:
        out = xp.zeros(self._size, self._vals.dtype if dtype is None else dtype.np)
        xp.add.at(out, tuple(self._idx), self._vals)
        return _make(out)

    def to_sparse(self, *args, **kwargs) -> "SparseCOOTensor":
        return self

    def clone(self, memory_format=None) -> "SparseCOOTensor":
        if memory_format is not None:
            _device.check_memory_format(memory_format)
        return sparse_coo(self._idx.copy(), self._vals.copy(), self._size, self._coalesced)

    def detach(self) -> "SparseCOOTensor":
        t = sparse_coo(self._idx, self._vals, self._size, self._coalesced)
        t._vc = self._vc
        return t

    def zero_(self) -> "SparseCOOTensor":
        self._idx = xp.zeros((self._idx.shape[0], 0), xp.int64)
        self._vals = xp.zeros((0, *self._vals.shape[1:]), self._vals.dtype)
        self._coalesced = True
        bump_version(self, None)
        return self

    # --- arithmetic: sums of sparse tensors, multiples by a number ----------------------------
    def add(self, other, *, alpha=1) -> "SparseCOOTensor":
        idx, vals, coalesced = _sum(self, other, alpha)
        return sparse_coo(idx, vals, self._size, coalesced)

    __add__ = add

    def __radd__(self, other):
        if isinstance(other, Tensor) and not other.is_sparse:
            return add_into_dense(other, self, 1, in_place=False)
        raise RuntimeError(_SPARSE_PLUS_DENSE)

    def add_(self, other, *, alpha=1) -> "SparseCOOTensor":
        self._idx, self._vals, self._coalesced = _sum(self, other, alpha)
        bump_version(self, None)
        return self

    __iadd__ = add_

    def sub(self, other, *, alpha=1) -> "SparseCOOTensor":
        return self.add(other, alpha=-alpha)

    __sub__ = sub

    def mul(self, other) -> "SparseCOOTensor":
        if isinstance(other, Tensor) and not other.is_sparse:
            vals = xp.multiply(self._vals, _at_entries(self, other))
            return sparse_coo(self._idx, vals, self._size, self._coalesced)
        return sparse_coo(self._idx, _scaled(self._vals, other), self._size, self._coalesced)

    __mul__ = mul
    __rmul__ = mul

    def mul_(self, other) -> "SparseCOOTensor":
        self._vals = _scaled(self._vals, other)
        bump_version(self, None)
        return self

    __imul__ = mul_

    def div(self, other) -> "SparseCOOTensor":
        if isinstance(other, Tensor) and not other.is_sparse:
            with xp.errstate(divide="ignore", invalid="ignore"):
                vals = xp.true_divide(self._vals, _at_entries(self, other))
            return sparse_coo(self._idx, vals, self._size, self._coalesced)
        _number(other, "div")
        return self.mul(1 / other)

    __truediv__ = div

    def neg(self) -> "SparseCOOTensor":
        return self.mul(-1)

    __neg__ = neg


def sparse_coo(idx, vals, size, coalesced=False, requires_grad=False) -> SparseCOOTensor:
    """Wrap an indices array (sparse_dim x nnz, int64) and a values array (never copied)."""
    t = Tensor.__new__(SparseCOOTensor)
    t._idx = idx
    t._vals = vals
    t._size = tuple(int(n) for n in size)
    t._coalesced = coalesced
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._vc = VersionCounter()
    t._output_nr = 0
    t._cuts = None
    return t


def _coalesced(idx, vals, size):
    """Sorted distinct indices and the sums of the values at each."""
    k = idx.shape[0]
    if idx.shape[1] == 0:
        return idx, vals
    flat = xp.ravel_multi_index(tuple(idx), size[:k])
    keys, where = xp.unique(flat, return_inverse=True)
    out = xp.zeros((len(keys), *vals.shape[1:]), vals.dtype)
    xp.add.at(out, where.reshape(-1), vals)
    return xp.stack(xp.unravel_index(keys, size[:k])).astype(xp.int64), out


def _at_entries(sparse, dense):
    """The elements of ``dense`` (broadcast to the sparse tensor's shape, as a gradient's factor
    is) at the sparse tensor's entries, shaped as its values: multiplying the values by them is
    the elementwise product, which keeps the sparse tensor's zeros."""
    try:
        full = xp.broadcast_to(dense._data, sparse._size)
    except ValueError:
        raise NotImplementedError(
            "the product of a sparse COO tensor and a dense one that does not broadcast to its "
            "shape: not built in retrograd"
        ) from None
    return full[tuple(sparse._idx)]


def _number(value, name):
    if isinstance(value, Tensor) or not isinstance(value, (int, float, complex, bool)):
        raise NotImplementedError(
            f"{name} of a sparse COO tensor and a tensor: not built in retrograd (a number is)"
        )


def _scaled(vals, factor):
    _number(factor, "mul")
    return _make(vals).mul(factor)._data


def _sum(a, b, alpha):
    """Indices, values and coalesced-ness of ``a + alpha * b`` for sparse ``a`` and ``b``, as
    PyTorch adds them: when the values of both are contiguous, one walk along both entry lists
    (an entry with the same index on both sides is summed, else the smaller index goes first);
    otherwise the entries of both side by side."""
    if not isinstance(b, SparseCOOTensor):
        raise RuntimeError(_SPARSE_PLUS_DENSE)
    if a._size != b._size:
        raise RuntimeError(
            f"add: expected sizes of 'self' and 'other' to match, but {list(a._size)} != "
            f"{list(b._size)}"
        )
    va, vb = _make(a._vals), _make(b._vals)
    if alpha != 1:
        vb = vb.mul(alpha)
    dt = dtypes.promote_types(va.dtype, vb.dtype).np
    va, vb = va._data.astype(dt, copy=False), vb._data.astype(dt, copy=False)
    if not b._idx.shape[1]:
        return a._idx, va.copy(), a._coalesced
    if not a._idx.shape[1]:
        return b._idx, vb.copy(), b._coalesced
    if not (a._vals.flags.c_contiguous and b._vals.flags.c_contiguous):
        idx = xp.concatenate([a._idx, b._idx], axis=1)
        return idx, xp.concatenate([va, vb]), False
    k = a._idx.shape[0]
    ka = xp.ravel_multi_index(tuple(a._idx), a._size[:k])  # (ordered as the indices are)
    kb = xp.ravel_multi_index(tuple(b._idx), a._size[:k])
    pa, pb, n = _walk(ka.tolist(), kb.tolist())
    keys = xp.empty(n, xp.int64)
    keys[pa] = ka
    keys[pb] = kb
    vals = xp.zeros((n, *va.shape[1:]), dt)
    vals[pa] = va
    vals[pb] += vb
    idx = xp.stack(xp.unravel_index(keys, a._size[:k])).astype(xp.int64).reshape(k, n)
    return idx, vals, a._coalesced and b._coalesced


def _walk(ka, kb):
    """Where each entry of ``ka`` and of ``kb`` lands in the walk along both (see _sum), and
    how many entries it makes."""
    pa, pb = [0] * len(ka), [0] * len(kb)
    i = j = n = 0
    while i < len(ka) and j < len(kb):
        if ka[i] == kb[j]:
            pa[i] = pb[j] = n
            i += 1
            j += 1
        elif ka[i] < kb[j]:
            pa[i] = n
            i += 1
        else:
            pb[j] = n
            j += 1
        n += 1
    for rest in range(i, len(ka)):
        pa[rest] = n
        n += 1
    for rest in range(j, len(kb)):
        pb[rest] = n
        n += 1
    return pa, pb, n


def add_into_dense(dense, sparse, alpha=1, in_place=True, site=None):
    """``dense + alpha * sparse`` (or ``dense.add_(sparse, alpha=alpha)``): each value added at
    its index, repeated indices each time.  Outside the graph; ``site``: the write's caller."""
    if tuple(dense.shape) != sparse._size:
        raise RuntimeError(
            f"add: expected 'self' and 'other' to have same size, but self has size "
            f"{list(dense.shape)} while other has size {list(sparse._size)} (FYI: dense-sparse "
            "addition does not currently support broadcasting)"
        )
    vals = sparse._vals if alpha == 1 else _scaled(sparse._vals, alpha)
    if in_place:
        out = dense._data
        if not out.flags.writeable:  # (a broadcast gradient: give it an array of its own)
            dense._data = out = out.copy()
        xp.add.at(out, tuple(sparse._idx), vals.astype(out.dtype, copy=False))
        bump_version(dense, site)
        return dense
    dt = dtypes.promote_types(dense.dtype, dtypes.FROM_NP[vals.dtype]).np
    out = dense._data.astype(dt, copy=True)
    xp.add.at(out, tuple(sparse._idx), vals.astype(dt, copy=False))
    return _make(out)


def sparse_coo_tensor(
    indices,
    values,
    size=None,
    *,
    dtype=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
    check_invariants=None,
    is_coalesced=None,
) -> SparseCOOTensor:
    """``torch.sparse_coo_tensor``: a sparse tensor with ``values`` at ``indices`` (one column
    per entry); without ``size``, the smallest that holds every index."""
    from ..creation import tensor as _tensor

    if device is not None:
        _device.check(device, factory=True)
    if pin_memory:
        from ..creation import _NO_PINNED

        raise RuntimeError(_NO_PINNED)
    idx = indices._data if isinstance(indices, Tensor) else _tensor(indices)._data
    vals = values if isinstance(values, Tensor) else _tensor(values)
    vals = (vals if dtype is None else vals.to(dtype))._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"indices must be an int64 tensor, got {dtypes.FROM_NP[idx.dtype]}")
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    if vals.ndim == 0 or vals.shape[0] != idx.shape[1]:
        raise RuntimeError(
            f"indices and values must have same nnz, but got nnz from indices: {idx.shape[1]}, "
            f"nnz from values: {vals.shape[0] if vals.ndim else 1}"
        )
    k = idx.shape[0]
    if size is None:
        top = idx.max(axis=1) + 1 if idx.shape[1] else xp.zeros(k, xp.int64)
        size = (*(int(n) for n in top), *vals.shape[1:])
    size = tuple(int(n) for n in size)
    if len(size) != k + vals.ndim - 1:
        raise RuntimeError(
            f"number of dimensions must be sparse_dim ({k}) + dense_dim ({vals.ndim - 1}), "
            f"but got {len(size)}"
        )
    if check_invariants and idx.shape[1]:
        for d in range(k):
            if idx[d].min() < 0 or idx[d].max() >= size[d]:
                raise RuntimeError(
                    f"size is inconsistent with indices: for dim {d}, size is {size[d]} but "
                    f"found index {int(idx[d].max())}"
                )
    t = sparse_coo(idx.astype(xp.int64, copy=False), vals, size, bool(is_coalesced))
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """``Tensor.to_sparse()``: the nonzero entries of a dense tensor in the COO layout (the
    first ``sparse_dim`` dimensions indexed, the rest kept dense in the values)."""
    if layout not in (None, _device.sparse_coo) or blocksize is not None or dense_dim:
        raise NotImplementedError("to_sparse: only the sparse COO layout is built in retrograd")
    a = self._data
    k = a.ndim if sparse_dim is None else sparse_dim
    nonzero = (a != 0).reshape(*a.shape[:k], -1).any(axis=-1) if k < a.ndim else a != 0
    idx = xp.stack(xp.nonzero(nonzero)).astype(xp.int64).reshape(k, -1)
    return sparse_coo(idx, a[tuple(idx)].copy(), a.shape, True)


def sparse_repr(t) -> str:
    """PyTorch's printing of a sparse tensor: its indices, its values, then size, nnz, dtype
    and layout, each part on its own lines."""
    prefix = "tensor("
    lines = [prefix + "indices=" + _inner(t._idx, len(prefix) + len("indices="))]
    lines.append(",\n" + " " * len(prefix) + "values=" + _inner(t._vals, 14))
    text = "".join(lines) + ",\n" + " " * len(prefix) + f"size={t._size}"
    suffixes = [f"nnz={t._idx.shape[1]}"]
    if not _is_default_dtype(t.dtype):
        suffixes.append(f"dtype={t.dtype!r}")
    suffixes.append("layout=torch.sparse_coo")
    if t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(text, suffixes, len(prefix))


def _inner(a, indent):
    """A tensor as PyTorch prints it inside a sparse one: no dtype, ``size=`` when empty (even
    when it has one dimension, which a dense tensor's repr leaves out)."""
    if a.size == 0:
        return f"tensor([], size={tuple(a.shape)})"
    return "tensor(" + _contents(a, indent + len("tensor(")) + ")"
