"""Sparse COO tensors (``layout=torch.sparse_coo``): the gradient a sparse embedding lookup
gives its weight, and what training on such a gradient needs -- ``sparse_coo_tensor``, indices
and values, ``coalesce``, ``to_dense``, addition (how gradients accumulate), multiplication by a
number (how optimizers scale them), PyTorch's printing -- and the differentiable conversions and
products a model on sparse inputs uses: ``to_sparse``, ``to_dense`` (``masked_grad``), ``sum``,
``torch.sparse.sum``, ``coalesce``, ``values``, ``t``, ``transpose``, ``unsqueeze``,
``sparse_mask``, ``sparse_coo_tensor`` of values that require grad, the products (``mm``,
``mv``, ``matmul``, ``addmm``, ``torch.sparse.mm`` and ``addmm``) of a sparse matrix and a dense
one or of two sparse matrices, ``torch.sparse.softmax`` and ``log_softmax``.
Their nodes carry PyTorch's names and give PyTorch's gradients, sparse where PyTorch's are (see
"the graph" below); the arithmetic above stays outside the graph and refuses an operand that
requires grad.

A sparse tensor is a ``Tensor`` subclass that holds an int64 array of indices (sparse_dim x nnz)
and an array of values (nnz x the dense dimensions) instead of one dense array.  The dense ops
never see it: reading its dense array raises NotImplementedError, so an op not built here
refuses it instead of giving a wrong answer, and the dense hot path pays nothing for it."""

from .. import _device, _switches, dtypes
from .._array import array_exp, array_log, coo_product, xp
from .._switches import grad_mode as _grad_state
from ..autograd.anomaly import caller_site
from ..autograd.grad_mode import no_grad
from ..autograd.node import _edge, _sequence
from ..printing import _contents, _is_default_dtype, _with_suffixes
from ..tensor import Size, Tensor, VersionCounter, _make, _wrap_dim, bump_version
from ..tensor import type_name as _type_name
from .pointwise import _input_part, _scaled_grad, cj
from .registry import _check_saveable, dtype_refusal, no_derivative, node_class

_NOT_BUILT = (
    "this operation is not built for sparse COO tensors in retrograd: they have indices(), "
    "values(), coalesce(), to_dense(), addition and multiplication by a number; call "
    ".to_dense() first"
)
_SPARSE_PLUS_DENSE = "add(sparse, dense) is not supported. Use add(dense, sparse) instead."


class SparseTensor(Tensor):
    """What the sparse layouts share: values ``_vals`` and a size ``_size``, and the tensor
    properties read from them (the COO layout and the compressed ones subclass it)."""

    __slots__ = ("_vals", "_size")
    _sparse = True  # (the op table hands a call with one to the op's sparse= function)

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

    def is_floating_point(self) -> bool:
        return self._vals.dtype.kind in "fV"

    def is_complex(self) -> bool:
        return self._vals.dtype.kind == "c"

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


class SparseCOOTensor(SparseTensor):
    """A tensor in the sparse COO layout: ``_idx`` (sparse_dim x nnz, int64), ``_vals``
    (nnz x dense dimensions), ``_size`` and whether the indices are known to be sorted and
    distinct (``is_coalesced``).  ``type(t)`` is this class where PyTorch's is ``Tensor``."""

    __slots__ = ("_idx", "_coalesced")

    @property
    def _data(self):
        raise NotImplementedError(_NOT_BUILT)

    @property
    def is_sparse(self) -> bool:
        return True

    @property
    def layout(self):
        return _device.sparse_coo

    def is_contiguous(self, memory_format=None) -> bool:
        if memory_format is not None:
            _device.check_memory_format(memory_format)
        return False

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
        out = _make(self._vals)
        if _recording(self):
            _record(ValuesBackward0, (self,), out, (self,))
        return out

    def coalesce(self) -> "SparseCOOTensor":
        """The same tensor with its indices sorted and each given once (the values at a repeated
        index summed)."""
        if self._coalesced:
            return self
        idx, vals = _coalesced(self._idx, self._vals, self._size)
        out = sparse_coo(idx, vals, self._size, True)
        if _recording(self):
            _record(CoalesceBackward0, (self,), out)
        return out

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        """The dense tensor; its gradient is sparse: the incoming one at this tensor's entries
        (``masked_grad``, the default), or every nonzero of it (``masked_grad=False``)."""
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_to_dense")
        out = xp.zeros(self._size, self._vals.dtype)
        xp.add.at(out, tuple(self._idx), self._vals)
        result = _make(out)
        if _recording(self):
            _record(ToDenseBackward0, (self,), result, (self,), (masked_grad is not False,))
        return result

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if layout not in (None, _device.sparse_coo) or blocksize is not None or dense_dim:
            raise NotImplementedError("to_sparse: only the sparse COO layout is built in retrograd")
        if sparse_dim is not None and sparse_dim != self._idx.shape[0]:
            raise RuntimeError(
                "to_sparse: conversion from Sparse to Sparse with sparse_dim argument "
                "!=self.sparse_dim() is not supported"
            )
        return self

    def to_sparse_coo(self) -> "SparseCOOTensor":
        return self

    def sum(self, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        """The sum of every element, a dense 0-d tensor; or over ``dim``, sparse while a sparse
        dimension is left.  Either way the gradient is dense (PyTorch's SumBackward0/1)."""
        if dim is None and not keepdim:
            out = _make(self._vals).sum(dtype=dtype)
            if _recording(self):
                _record(SumBackward0, (self,), out, (), (self._size, self.dtype))
            return out
        n = len(self._size)
        dims = _sum_dims(range(n) if dim is None else dim, n)
        out = _summed(self, dims, keepdim, dtype)
        if _recording(self):
            _record(SumBackward1, (self,), out, (), (self._size, dims, keepdim, self.dtype))
        return out

    def t(self) -> "SparseCOOTensor":
        k, dense = self._idx.shape[0], self._vals.ndim - 1
        if k > 2 or dense:
            raise RuntimeError(
                "t() expects a tensor with <= 2 sparse and 0 dense dimensions, but got "
                f"{k} sparse and {dense} dense dimensions"
            )
        out = _swapped(self, 0, k - 1)
        if _recording(self):
            _record(TBackward0, (self,), out)
        return out

    def transpose(self, dim0, dim1) -> "SparseCOOTensor":
        n = len(self._size)
        out = _swapped(self, _wrap_dim(dim0, n), _wrap_dim(dim1, n))
        if _recording(self):
            _record(TransposeBackward0, (self,), out, (), (dim0, dim1))
        return out

    def unsqueeze(self, dim) -> "SparseCOOTensor":
        """A dimension of size one inserted at ``dim``: a sparse one (a row of zero indices)
        among the sparse dimensions, else a dense one in the values."""
        k = self._idx.shape[0]
        dim = _wrap_dim(dim, len(self._size) + 1)
        size = (*self._size[:dim], 1, *self._size[dim:])
        if dim <= k:
            idx = xp.insert(self._idx, dim, 0, axis=0)
            out = sparse_coo(idx, self._vals, size, self._coalesced)
        else:
            out = sparse_coo(self._idx, xp.expand_dims(self._vals, dim - k + 1), size, False)
            out._coalesced = self._coalesced
        if _recording(self):
            _record(UnsqueezeBackward0, (self,), out, (), (dim,))
        return out

    def mm(self, mat2) -> Tensor:
        _sparse_mm_type_error(self, mat2, "mm", ("self", "mat2"), 0)
        return mm(self, mat2)

    def matmul(self, other) -> Tensor:  # (the dense one's: it folds a dense batch)
        _sparse_mm_type_error(self, other, "matmul", ("self", "other"), 0)
        return Tensor.matmul(self, other)

    def mv(self, vec) -> Tensor:
        _sparse_mm_type_error(self, vec, "mv", ("self", "vec"), 0)
        return mv(self, vec)

    def __matmul__(self, other):
        return Tensor.matmul(self, other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other):
        return Tensor.matmul(other, self) if isinstance(other, Tensor) else NotImplemented

    def sparse_mask(self, mask) -> "SparseCOOTensor":
        """This tensor's elements (its repeated entries summed) at ``mask``'s entries, zero
        where it has none."""
        _check_mask(self, mask)
        idx, vals = (self._idx, self._vals) if self._coalesced else _coalesced(*self._parts())
        k = idx.shape[0]
        keys = xp.ravel_multi_index(tuple(idx), self._size[:k])
        wanted = xp.ravel_multi_index(tuple(mask._idx), self._size[:k])
        where = xp.minimum(xp.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = keys[where] == wanted if len(keys) else xp.zeros(len(wanted), bool)
        picked = xp.zeros((len(wanted), *vals.shape[1:]), vals.dtype)
        picked[found] = vals[where[found]]
        out = sparse_coo(mask._idx, picked, self._size, mask._coalesced)
        if _recording(self):
            _record(SparseMaskBackward0, (self,), out, (mask,), (False,))
        return out

    def _parts(self):
        return self._idx, self._vals, self._size

    def softmax(self, dim, dtype=None):
        raise NotImplementedError(_device.no_kernel("_softmax", "SparseCPU"))

    def log_softmax(self, dim, dtype=None):
        raise NotImplementedError(_device.no_kernel("_log_softmax", "SparseCPU"))

    def clone(self, memory_format=None) -> "SparseCOOTensor":
        if memory_format is not None:
            _device.check_memory_format(memory_format)
        out = sparse_coo(self._idx.copy(), self._vals.copy(), self._size, self._coalesced)
        if _recording(self):
            _record(CloneBackward0, (self,), out)
        return out

    def to(self, *args, **kwargs) -> "SparseCOOTensor":
        """``to(dtype)``: the values cast as a dense tensor's are, the indices shared; a floating
        result records ToCopyBackward0, whose gradient is cast back."""
        from .shape import _to_arguments

        dtype, copy, memory_format = _to_arguments(args, kwargs)
        same = dtype is None or dtype.np == self._vals.dtype
        if same and not copy and memory_format is _device.contiguous_format:
            return self  # (already as contiguous as a sparse tensor is: nothing to make)
        if memory_format is not None and memory_format is not _device.preserve_format:
            raise RuntimeError(
                "to(options): COO only supports memory format Preserve, but got "
                f"{memory_format.enum_name} instead."
            )
        if same:
            return self.clone() if copy else self
        vals = _make(self._vals).to(dtype)._data
        out = sparse_coo(self._idx, vals, self._size, self._coalesced)
        if dtype.category >= 2 and _recording(self):
            _record(ToCopyBackward0, (self,), out, (), (self.dtype,))
        return out

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
        out = sparse_coo(idx, vals, self._size, coalesced)
        if _recording(self, other):
            _record(AddBackward0, (self, other), out, (), (alpha,))
        return out

    __add__ = add

    def __radd__(self, other):
        if isinstance(other, Tensor) and not other.is_sparse:
            out = add_into_dense(other, self, 1, in_place=False)
            if _recording(other, self):
                _record(AddBackward0, (other, self), out, (), (1,))
            return out
        raise RuntimeError(_SPARSE_PLUS_DENSE)

    def add_(self, other, *, alpha=1) -> "SparseCOOTensor":
        _in_place("add_", self, other)
        self._idx, self._vals, self._coalesced = _sum(self, other, alpha)
        bump_version(self, None)
        return self

    __iadd__ = add_

    def sub(self, other, *, alpha=1) -> "SparseCOOTensor":
        idx, vals, coalesced = _sum(self, other, -alpha)
        out = sparse_coo(idx, vals, self._size, coalesced)
        if _recording(self, other):
            _record(SubBackward0, (self, other), out, (), (alpha,))
        return out

    __sub__ = sub

    def mul(self, other) -> "SparseCOOTensor":
        if isinstance(other, Tensor) and not other.is_sparse:
            _outside_graph("mul by a dense tensor", self, other)
            vals = xp.multiply(self._vals, _at_entries(self, other))
            return sparse_coo(self._idx, vals, self._size, self._coalesced)
        out = sparse_coo(self._idx, _scaled(self._vals, other), self._size, self._coalesced)
        if _recording(self):
            _record(MulBackward0, (self, None), out, (), (other,))
        return out

    __mul__ = mul
    __rmul__ = mul

    def mul_(self, other) -> "SparseCOOTensor":
        _in_place("mul_", self, other)
        self._vals = _scaled(self._vals, other)
        bump_version(self, None)
        return self

    __imul__ = mul_

    def div(self, other) -> "SparseCOOTensor":
        if isinstance(other, Tensor) and not other.is_sparse:
            _outside_graph("div by a dense tensor", self, other)
            with xp.errstate(divide="ignore", invalid="ignore"):
                vals = xp.true_divide(self._vals, _at_entries(self, other))
            return sparse_coo(self._idx, vals, self._size, self._coalesced)
        _number(other, "div")
        out = sparse_coo(self._idx, _make(self._vals).div(other)._data, self._size, self._coalesced)
        if _recording(self):
            _record(DivBackward0, (self, None), out, (), (other,))
        return out

    __truediv__ = div

    def neg(self) -> "SparseCOOTensor":
        out = sparse_coo(self._idx, -self._vals, self._size, self._coalesced)
        if _recording(self):
            _record(NegBackward0, (self,), out)
        return out

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


# --- the graph --------------------------------------------------------------------------------
# A sparse op's node is made here, not by the op table, whose paths read dense arrays: the same
# FunctionNode, with PyTorch's name, one ``formula(grad, node)`` per input written with
# retrograd's ops (dense or sparse: a gradient of a gradient records as any other), and the values
# its formulas read saved with their versions.  The gradient arriving at such a node is dense or
# sparse, as in PyTorch; ``_dense`` reads either as dense.

_NO_COMPLEX_GRAD = "{} does not support automatic differentiation for outputs with complex dtype."


def _recording(*tensors) -> bool:
    """Whether an op on ``tensors`` records a node: grad mode on and an input requires grad."""
    return _grad_state.enabled and any(isinstance(t, Tensor) and t.requires_grad for t in tensors)


def _outside_graph(name, *operands):
    """The sparse arithmetic of this module has no node: refuse an operand that would need one."""
    if _recording(*operands):
        raise NotImplementedError(
            f"{name} of sparse COO tensors that require grad: its gradient is not built in "
            "retrograd (to_dense() first, or detach())"
        )


def _in_place(name, self, *operands):
    """An in-place sparse op: PyTorch's error on a leaf that requires grad; no node otherwise."""
    if _grad_state.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    _outside_graph(name, self, *operands)


def _record(cls, inputs, result, saved=(), attrs=()):
    """Hang a new ``cls`` node on ``result``: an edge to each of ``inputs`` (None: no edge), the
    ``saved`` tensors with their versions (other values as they are) and ``attrs``."""
    if _switches.pack_hook is not None and any(isinstance(t, Tensor) for t in saved):
        raise NotImplementedError(
            f"saved_tensors_hooks on the tensors that {cls.__name__} saves (a sparse COO op): "
            "not built in retrograd"
        )
    node = cls.__new__(cls)
    node.next_functions = tuple(_edge(t) for t in inputs)
    node._seq = next(_sequence)
    node._attrs = tuple(attrs)
    node._meta = None
    node._saved = tuple(saved)
    node._versions = tuple(t._vc.version if isinstance(t, Tensor) else None for t in saved)
    if _switches.inference_seen:
        _check_saveable(node._saved)
    node._site, node._site_at = caller_site(2)
    result._requires_grad = True
    result._grad_fn = node
    if _switches.anomaly_hook is not None:
        _switches.anomaly_hook(node, inputs, (result,))
    return result


def _dense(g):
    return g.to_dense() if g.is_sparse else g


def _at_entries_of(g, mask):
    """The gradient ``g`` (dense or sparse) at the entries of sparse ``mask`` (each once: its
    coalesced pattern), as a sparse tensor: PyTorch's masked gradient of a sparse input."""
    return _dense(g).sparse_mask(mask.detach().coalesce())


def _sparse_sum_grad(g, n):
    self = n.self
    if _recording(g, self):  # (create_graph: PyTorch has no derivative of this gradient)
        with no_grad():
            grad = _sparse_sum_grad(g, n)
        return _record(_NoSparseSumDerivative, (g, self), grad)
    shape = list(self._size)
    for d in n.dim:
        shape[d] = 1
    full = _dense(g).reshape(shape).expand(self._size)
    if full.dtype != self.dtype:
        full = full.to(self.dtype)
    return _at_entries_of(full, self)


def _sum_grad(g, n):
    grad = g.expand(n.self_sym_sizes)
    return grad if grad.dtype == n.self_dtype else grad.to(n.self_dtype)


def _sum_dim_grad(g, n):
    if g.is_sparse:
        raise RuntimeError(EXPAND_SPARSE)
    if not n.keepdim:
        shape = list(n.self_sym_sizes)
        for d in n.dim:
            shape[d] = 1
        g = g.reshape(shape)
    grad = g.expand(n.self_sym_sizes)
    return grad if grad.dtype == n.self_dtype else grad.to(n.self_dtype)


def _cj(t):
    """``cj`` of a product's other factor, a sparse one too (conjugated outside the graph)."""
    if not t.is_sparse:
        return cj(t)
    if not t.is_complex():
        return t
    _outside_graph("the conjugate", t)
    return sparse_coo(t._idx, t._vals.conj(), t._size, t._coalesced)


def _outer(g, vec):
    """``g.unsqueeze(1) * vec``, the matrix's gradient of ``mv``: for a sparse ``vec``, a
    coalesced sparse matrix with a row of entries (each of vec's distinct ones) per element of
    ``g``."""
    if g.is_sparse:
        raise RuntimeError("reshape is not implemented for sparse tensors")
    if not vec.is_sparse:
        return g.unsqueeze(1) * vec
    v = vec.coalesce()
    rows = xp.repeat(xp.arange(g.shape[0]), v._nnz())
    cols = xp.tile(v._idx[0], g.shape[0])
    values = (_dense(g).unsqueeze(1) * v.values().unsqueeze(0)).reshape(-1)
    return _with_values(xp.stack([rows, cols]), values, (g.shape[0], v._size[0]), True)


def _masked_product_grad(g, n):
    """The sparse factor's gradient of ``torch.sparse.mm``: ``g @ mat2^H`` at its entries; a
    sparse ``g`` is PyTorch's error."""
    if g.is_sparse:
        raise RuntimeError(
            "sparse_addmm_sparse_backward: unsupported combination of layouts, grad: Sparse, "
            "mat1: Sparse, mat2: Strided"
        )
    return _at_entries_of(g.mm(_cj(n.mat2.t())), n.mat1)


def _sparse_grad(g):
    if not g.is_sparse:  # (PyTorch's sparse product of the dense gradient fails its own check)
        raise RuntimeError(
            'mat2_.is_sparse() INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/'
            'native/sparse/SparseMatMul.cpp":266, please report a bug to PyTorch. '
        )
    return g


def _mask_like(x, gx):
    """``gx`` (a gradient for sparse ``x``) at ``x``'s entries, as PyTorch chooses by the two's
    coalescedness and entry counts: gx.sparse_mask(x) (x's entries), or a projection (gx's own
    entries, each kept, zeroed where x has none: an op without a derivative)."""
    if not gx.is_sparse:
        return gx.sparse_mask(x.detach().coalesce())
    x = x.detach()
    if x._coalesced and (not gx._coalesced or x._nnz() < gx._nnz()):
        return gx.sparse_mask(x)
    if not x._coalesced and not gx._coalesced and x._nnz() < gx._nnz():
        return gx.sparse_mask(x.coalesce())
    return _projection(gx.coalesce(), x)


def _projection(gx, x):
    f = x.coalesce()
    k = f._idx.shape[0]
    keys = xp.ravel_multi_index(tuple(gx._idx), gx._size[:k])
    inside = xp.isin(keys, xp.ravel_multi_index(tuple(f._idx), gx._size[:k]))
    vals = xp.where(inside[(...,) + (None,) * (gx._vals.ndim - 1)], gx._vals, 0)
    out = sparse_coo(gx._idx, vals.astype(gx._vals.dtype), gx._size, True)
    if _recording(gx):
        _record(_NoProjectionDerivative, (gx, x), out)
    return out


def _unsqueeze_grad(g, n):
    if g.is_sparse:
        raise NotImplementedError(_device.no_kernel("as_strided", "SparseCPU"))
    return g.squeeze(n.dim)


def _values_grad(g, n):
    self = n.self
    return _with_values(self._idx, _dense(g), self._size, True)


def _entries_grad(g, n):
    """The gradient of ``sparse_coo_tensor``'s values: the incoming one at each entry's index."""
    return _dense(g)[tuple(_make(row) for row in n.indices)]


def _to_dense_grad(g, n):
    if n.masked_grad:
        return _at_entries_of(g, n.self)
    return _dense(g).to_sparse(n.self._idx.shape[0])


ToSparseBackward0 = node_class("ToSparseBackward0", (lambda g, n: _dense(g),), (), ())
ToSparseBackward1 = node_class("ToSparseBackward1", (lambda g, n: _dense(g),), (), ())
ToDenseBackward0 = node_class("ToDenseBackward0", (_to_dense_grad,), ("self",), ("masked_grad",))
CoalesceBackward0 = node_class("CoalesceBackward0", (lambda g, n: g,), (), ())
ValuesBackward0 = node_class("ValuesBackward0", (_values_grad,), ("self",), ())
SumBackward0 = node_class("SumBackward0", (_sum_grad,), (), ("self_sym_sizes", "self_dtype"))
SumBackward1 = node_class(
    "SumBackward1", (_sum_dim_grad,), (), ("self_sym_sizes", "dim", "keepdim", "self_dtype")
)
_no_sparse_sum_grad = no_derivative("_sparse_sum_backward")[0]
_NoSparseSumDerivative = node_class(
    "torch::autograd::NotImplemented", (_no_sparse_sum_grad, _no_sparse_sum_grad), (), ()
)
_no_projection_grad = no_derivative("_sparse_mask_projection")[0]
_NoProjectionDerivative = node_class(
    "torch::autograd::NotImplemented", (_no_projection_grad, _no_projection_grad), (), ()
)
SparseSumBackward0 = node_class("SparseSumBackward0", (_sparse_sum_grad,), ("self",), ("dim",))
TBackward0 = node_class("TBackward0", (lambda g, n: g.t(),), (), ())
TransposeBackward0 = node_class(
    "TransposeBackward0", (lambda g, n: g.transpose(n.dim0, n.dim1),), (), ("dim0", "dim1")
)
SparseMaskBackward0 = node_class(
    "SparseMaskBackward0",
    (
        lambda g, n: (
            _dense(g).sparse_mask(n.mask).to_dense() if n.self_dense else _mask_like(n.mask, g)
        ),
    ),
    ("mask",),
    ("self_dense",),
)
SparseCooTensorWithDimsAndTensorsBackward0 = node_class(
    "SparseCooTensorWithDimsAndTensorsBackward0", (_entries_grad,), (), ("indices",)
)
MmBackward0 = node_class(
    "MmBackward0",
    (lambda g, n: g.mm(_cj(n.mat2.t())), lambda g, n: _cj(n.self.t()).mm(g)),
    ("self", "mat2"),
    (),
)
MvBackward0 = node_class(
    "MvBackward0",
    (
        lambda g, n: _outer(g, _cj(n.vec)),
        lambda g, n: _cj(n.self.t()).mm(g.unsqueeze(1)).squeeze(1),
    ),
    ("self", "vec"),
    (),
)
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", (_unsqueeze_grad,), (), ("dim",))
AddBackward0 = node_class(
    "AddBackward0",
    (lambda g, n: g, lambda g, n: g if n.alpha == 1 else g * n.alpha),
    (),
    ("alpha",),
)
SubBackward0 = node_class(
    "SubBackward0",
    (lambda g, n: g, lambda g, n: -g if n.alpha == 1 else g * -n.alpha),
    (),
    ("alpha",),
)
MulBackward0 = node_class("MulBackward0", (lambda g, n: g * n.other, None), (), ("other",))
DivBackward0 = node_class("DivBackward0", (lambda g, n: g / n.other, None), (), ("other",))
NegBackward0 = node_class("NegBackward0", (lambda g, n: -g,), (), ())
CloneBackward0 = node_class("CloneBackward0", (lambda g, n: g,), (), ())
ToCopyBackward0 = node_class(
    "ToCopyBackward0", (lambda g, n: g.to(n.self_dtype),), (), ("self_dtype",)
)
SparseAddmmBackward0 = node_class(
    "SparseAddmmBackward0",
    (
        _input_part,
        lambda g, n: _scaled_grad(_masked_product_grad(g, n), n.alpha),
        lambda g, n: _scaled_grad(_cj(n.mat1.t()).mm(g), n.alpha),
    ),
    ("mat1", "mat2"),
    ("self_shape", "beta", "alpha"),
)
AddmmBackward0 = node_class(
    "AddmmBackward0",
    (
        _input_part,
        lambda g, n: _scaled_grad(g.mm(_cj(n.mat2.t())), n.alpha),
        lambda g, n: _scaled_grad(_cj(n.mat1.t()).mm(g), n.alpha),
    ),
    ("mat1", "mat2"),
    ("self_shape", "beta", "alpha"),
)
SparseSparseMatmulBackward0 = node_class(
    "SparseSparseMatmulBackward0",
    (
        lambda g, n: _mask_like(n.self, _sparse_sparse_matmul(_sparse_grad(g), _cj(n.other.t()))),
        lambda g, n: _mask_like(n.other, _sparse_sparse_matmul(_cj(n.self.t()), _sparse_grad(g))),
    ),
    ("self", "other"),
    (),
)


def _with_values(idx, values, size, coalesced) -> "SparseCOOTensor":
    """A sparse tensor of ``values`` (a Tensor, not copied) at ``idx``; its node, when values
    require grad, hands each entry the gradient at its index."""
    out = sparse_coo(idx, values._data, size, coalesced)
    if _recording(values):
        _record(SparseCooTensorWithDimsAndTensorsBackward0, (values,), out, (), (idx,))
    return out


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
    if pin_memory:  # (sparse factories ask for an accelerator first)
        raise RuntimeError(_device.NO_ACCELERATOR)
    idx = indices._data if isinstance(indices, Tensor) else _tensor(indices)._data
    values = values if isinstance(values, Tensor) else _tensor(values)
    if dtype is not None:
        values = values.to(dtype)
    vals = values._data
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
    t = _with_values(idx.astype(xp.int64, copy=False), values, size, bool(is_coalesced))
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """``Tensor.to_sparse()``: the nonzero entries of a dense tensor in the COO layout (the
    first ``sparse_dim`` dimensions indexed, the rest kept dense in the values); its gradient is
    the incoming one made dense."""
    if layout not in (None, _device.sparse_coo) or blocksize is not None or dense_dim:
        raise NotImplementedError("to_sparse: only the sparse COO layout is built in retrograd")
    a = self._data
    k = a.ndim if sparse_dim is None else sparse_dim
    if not 0 <= k <= a.ndim:
        raise RuntimeError(
            f"dense_to_sparse: sparse_dim argument must be in [0,{a.ndim}] range, but {k} is given"
        )
    if k == 0 and a.ndim:
        raise RuntimeError("dense_to_sparse: sparse_dim argument must be in >0 when self.dim()>0")
    recording = _recording(self)
    if recording and a.dtype.kind == "c":
        raise RuntimeError(_NO_COMPLEX_GRAD.format("_to_sparse"))
    nonzero = (a != 0).reshape(*a.shape[:k], -1).any(axis=-1) if k < a.ndim else a != 0
    idx = xp.stack(xp.nonzero(nonzero)).astype(xp.int64).reshape(k, -1)
    out = sparse_coo(idx, a[tuple(idx)].copy(), a.shape, True)
    if recording:  # (PyTorch's two overloads: with a sparse_dim, and with a layout)
        _record(ToSparseBackward1 if sparse_dim is None else ToSparseBackward0, (self,), out)
    return out


def sparse_mask(self, mask) -> SparseCOOTensor:
    """``Tensor.sparse_mask(mask)``: the elements of a dense tensor at the entries of a sparse
    one (its indices as they are, repeated ones too), as a sparse tensor."""
    _check_mask(self, mask)
    a = self._data
    out = sparse_coo(mask._idx, a[tuple(mask._idx)], mask._size, mask._coalesced)
    if _recording(self):
        _record(SparseMaskBackward0, (self,), out, (mask,), (True,))
    return out


def _check_mask(self, mask):
    if not isinstance(mask, SparseCOOTensor):
        raise NotImplementedError(_device.no_kernel("sparse_mask"))
    if tuple(self.shape) != mask._size:
        raise RuntimeError(
            f"sparse_mask(): operands have incompatible sizes; self has size {list(self.shape)} "
            f"but mask has size {list(mask._size)}"
        )


def _scalar_name(dt) -> str:
    return dtypes.FROM_NP[dt]._tensor_name[: -len("Tensor")]


def _is_coo(t) -> bool:
    return t.__class__ is SparseCOOTensor


# --- products -----------------------------------------------------------------------------------
# PyTorch multiplies a sparse matrix by a dense one as an addmm into a zero matrix of shape
# (sparse.size(-2), dense.size(-1)) expanded to (sparse.size(0), dense.size(1)); a dense matrix
# by a sparse one as the transpose of the product of the transposes; two sparse matrices by a
# product of its own.  The checks below are its, in its order, so the errors are its too.


def _expand_check(shape, target):
    """PyTorch's error where ``shape`` does not expand to ``target`` (aligned at the right)."""
    lead = len(target) - len(shape)
    for d, n in enumerate(shape):
        want = target[lead + d]
        if n != want and n != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({n}) at "
                f"non-singleton dimension {lead + d}.  Target sizes: {list(target)}.  Tensor "
                f"sizes: {list(shape)}"
            )


def _sparse_dense_product(sparse, dense, start=None):
    """The array of ``sparse @ dense`` (a sparse COO matrix and a dense one): each value times
    its column's row of ``dense``, summed into its row.  ``start``: the dense tensor added to
    (addmm's input), else zeros of (sparse.size(-2), dense.size(-1))."""
    if start is None:
        start_shape = (sparse.size(-2), dense.size(-1))
    else:
        start_shape = tuple(start.shape)
    _expand_check(start_shape, (sparse.size(0), dense.size(1)))
    k, dense_dims = sparse._idx.shape[0], sparse._vals.ndim - 1
    if k != 2:
        raise RuntimeError(f"addmm: matrices expected, got {k}D tensor")
    if dense_dims:
        raise RuntimeError(f"addmm: scalar values expected, got {dense_dims}D values")
    d = dense._data
    if d.ndim != 2:
        raise RuntimeError(f"addmm: matrices expected, got {d.ndim}D tensor")
    if d.shape[0] != sparse._size[1]:
        raise RuntimeError(
            f"addmm: Argument #3 (dense): Expected dim 0 size {sparse._size[1]}, got {d.shape[0]}"
        )
    for other in (dense, start):
        if other is not None and other.dtype != sparse.dtype:
            raise RuntimeError(
                f"expected scalar type {_scalar_name(sparse._vals.dtype)} but found "
                f"{_scalar_name(other._data.dtype)}"
            )
    if d.dtype == xp.bool_:
        raise dtype_refusal("addmm_sparse_dense", d)
    rows, cols = sparse._idx
    return coo_product(rows, cols, sparse._vals, sparse._size, d)


def _swapped(t, d0, d1) -> "SparseCOOTensor":
    """Sparse ``t`` with its dimensions ``d0`` and ``d1`` (wrapped; sparse ones) swapped,
    outside the graph: its indices' rows swapped (no longer known to be coalesced)."""
    k = t._idx.shape[0]
    if max(d0, d1) >= k:
        raise RuntimeError(
            f"sparse transpose: transposed dimensions must be sparse Got sparse_dim: {k}, "
            f"d0: {d0}, d1: {d1}"
        )
    if d0 == d1:
        return sparse_coo(t._idx, t._vals, t._size, t._coalesced)
    order = list(range(len(t._size)))
    order[d0], order[d1] = d1, d0
    return sparse_coo(t._idx[order[:k]], t._vals, [t._size[i] for i in order], False)


def _transposed(t):
    """``t.transpose(-2, -1)`` outside the graph, with PyTorch's errors."""
    n = t.dim()
    d0, d1 = _wrap_dim(-2, n), _wrap_dim(-1, n)
    return _swapped(t, d0, d1) if _is_coo(t) else _make(t._data.swapaxes(-2, -1))


_MAT_DIM = (
    "Expected {}_.dim() == 2 to be true, but got false.  (Could this error message be "
    "improved?  If so, please report an enhancement request to PyTorch.)"
)


def _sparse_sparse_product(a, b) -> SparseCOOTensor:
    """``a @ b`` for two sparse COO matrices: a coalesced sparse matrix, every pair of entries
    ``a[i, k]``, ``b[k, j]`` adding into ``(i, j)`` in the order of ``k`` (a zero sum is kept as
    an entry, as PyTorch keeps it)."""
    for name, t in (("mat1", a), ("mat2", b)):
        if t.dim() != 2:
            raise RuntimeError(_MAT_DIM.format(name))
    for t in (a, b):
        if t._vals.ndim != 1:
            raise RuntimeError(
                f"sparse_sparse_matmul_cpu: scalar values expected, got {t._vals.ndim - 1}D values"
            )
    if a._size[1] != b._size[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a._size[0]}x{a._size[1]} and "
            f"{b._size[0]}x{b._size[1]})"
        )
    if a._vals.dtype != b._vals.dtype:
        raise RuntimeError(
            f"mat1 dtype {_scalar_name(a._vals.dtype)} does not match mat2 dtype "
            f"{_scalar_name(b._vals.dtype)}"
        )
    if a._vals.dtype.kind not in "fc" or a._vals.itemsize < 4:
        raise dtype_refusal("sparse_matmul", a._vals)
    ai, av = _coalesced(a._idx, a._vals, a._size) if not a._coalesced else (a._idx, a._vals)
    bi, bv = _coalesced(b._idx, b._vals, b._size) if not b._coalesced else (b._idx, b._vals)
    # b's entries are in row order: row k's run starts at starts[k] and has counts[k] entries
    counts = xp.bincount(bi[0], minlength=b._size[0])
    starts = xp.cumsum(counts) - counts
    per = counts[ai[1]]  # (the entries of b each entry of a meets)
    first = xp.repeat(starts[ai[1]] - xp.cumsum(per) + per, per)
    which = first + xp.arange(first.size)  # (b's entry of each pair)
    rows = xp.repeat(ai[0], per)
    keys = rows * b._size[1] + bi[1][which]
    vals = xp.repeat(av, per) * bv[which]
    flat, where = xp.unique(keys, return_inverse=True)
    out = xp.zeros(flat.size, vals.dtype)
    xp.add.at(out, where.reshape(-1), vals)
    idx = xp.stack(xp.divmod(flat, b._size[1])).astype(xp.int64).reshape(2, -1)
    return sparse_coo(idx, out, (a._size[0], b._size[1]), True)


def _product(a, b) -> Tensor:
    """``a @ b`` for two matrices at least one of which is sparse COO (no graph)."""
    if _is_coo(a):
        if _is_coo(b):
            return _sparse_sparse_product(a, b)
        return _make(_sparse_dense_product(a, b))
    product = _sparse_dense_product(_transposed(b), _transposed(a))
    return _make(product.T)  # (PyTorch's layout: the transposed product, column by column)


def mm(input, mat2) -> Tensor:
    """``torch.mm`` and ``Tensor.mm`` where either matrix is sparse COO: dense unless both are;
    gradients as PyTorch's MmBackward0 gives them (dense, or sparse where both factors of a
    gradient are)."""
    _sparse_mm_type_error(input, mat2, "mm", ("input", "mat2"))
    out = _product(input, mat2)
    if _recording(input, mat2):
        _record(MmBackward0, (input, mat2), out, (input, mat2))
    return out


def _sparse_mm_type_error(a, b, fn="_sparse_mm", names=("sparse", "dense"), first=1):
    """PyTorch's TypeError for an operand of a product that is not a tensor (``first``: the
    position of ``a``; a method's self is not counted)."""
    for i, (name, t) in enumerate(zip(names, (a, b))):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{fn}(): argument '{name}' (position {i + first}) must be Tensor, not "
                f"{_type_name(t)}"
            )


def sparse_mm(mat1, mat2, reduce=None) -> Tensor:
    """``torch.sparse.mm``: the product of a sparse and a dense matrix, dense, whose sparse
    factor's gradient is sparse, at its own entries (SparseAddmmBackward0; a dense matrix first:
    the transpose of the product of the transposes); or of two sparse matrices, sparse, each
    gradient at its factor's entries (SparseSparseMatmulBackward0).  ``reduce`` (a compressed
    layout's) is not built."""
    if reduce is not None:
        raise NotImplementedError(
            "torch.sparse.mm(..., reduce=...) is not built in retrograd (a sparse COO matrix's "
            "product without reduce is)"
        )
    _sparse_mm_type_error(mat1, mat2)
    if not _is_coo(mat1):
        if not _is_coo(mat2):
            return mat1.mm(mat2)
        product = _sparse_dense_product(_transposed(mat2), _transposed(mat1))
        return _sparse_addmm_result(mat2.t(), mat1.t(), product).transpose(0, 1)
    if _is_coo(mat2):
        return _sparse_sparse_matmul(mat1, mat2)
    return _sparse_addmm_result(mat1, mat2, _sparse_dense_product(mat1, mat2))


def _sparse_sparse_matmul(a, b) -> SparseCOOTensor:
    """The product of two sparse matrices whose gradients are at the factors' entries
    (SparseSparseMatmulBackward0)."""
    out = _sparse_sparse_product(a, b)
    if _recording(a, b):
        _record(SparseSparseMatmulBackward0, (a, b), out, (a, b))
    return out


def _sparse_addmm_result(mat1, mat2, product, input=None, beta=0, alpha=1):
    """The tensor of ``product`` (of sparse ``mat1`` and dense ``mat2``) and its node, whose
    sparse factor's gradient is at its entries."""
    out = _make(product)
    if _recording(input, mat1, mat2):
        attrs = ((), 0, 1) if input is None else (tuple(input.shape), beta, alpha)
        _record(SparseAddmmBackward0, (input, mat1, mat2), out, (mat1, mat2), attrs)
    return out


def _addmm_layouts(input, mat1, mat2):
    target = (mat1.size(0), mat2.size(1))  # (the input expanded to the result's shape first)
    if not _is_coo(input):
        _expand_check(tuple(input.shape), target)
    elif tuple(input.shape) != target:
        raise RuntimeError(EXPAND_SPARSE)
    else:
        raise RuntimeError(
            "addmm_sparse_dense: expected strided result tensor, got tensor with layout Sparse"
        )
    if not _is_coo(mat1) or _is_coo(mat2):
        raise RuntimeError(
            "addmm_sparse_dense: expected either 'mat1' to have sparse layout and 'mat2' to have "
            f"strided layout, got 'mat1' with layout {'Sparse' if _is_coo(mat1) else 'Strided'} "
            f"and 'mat2' with layout {'Sparse' if _is_coo(mat2) else 'Strided'}"
        )


def _added(input, product, beta, alpha):
    """The array ``beta * input + alpha * product`` (input broadcast; unread where beta is 0)."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    start = input._data if beta == 1 else input._data * beta
    return (start + product).astype(product.dtype, copy=False)


def addmm(input, mat1, mat2, beta=1, alpha=1) -> Tensor:
    """``torch.addmm`` with a sparse COO ``mat1`` (and dense ``input`` and ``mat2``):
    ``beta * input + alpha * (mat1 @ mat2)``, dense gradients (AddmmBackward0)."""
    _addmm_layouts(input, mat1, mat2)
    out = _make(_added(input, _sparse_dense_product(mat1, mat2, input), beta, alpha))
    if _recording(input, mat1, mat2):
        _record(
            AddmmBackward0,
            (input, mat1, mat2),
            out,
            (mat1, mat2),
            (tuple(input.shape), beta, alpha),
        )
    return out


def sparse_addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    """``torch.sparse.addmm``: ``beta * input + alpha * (mat1 @ mat2)`` for a sparse COO
    ``mat1``; its gradient is sparse, at its own entries (SparseAddmmBackward0)."""
    if not any(_is_coo(t) for t in (input, mat1, mat2)):
        return input.addmm(mat1, mat2, beta=beta, alpha=alpha)
    _addmm_layouts(input, mat1, mat2)
    product = _added(input, _sparse_dense_product(mat1, mat2, input), beta, alpha)
    return _sparse_addmm_result(mat1, mat2, product, input, beta, alpha)


def mv(input, vec) -> Tensor:
    """``torch.mv`` and ``Tensor.mv`` where the matrix or the vector is sparse COO: a dense
    vector; the matrix's gradient is sparse where the vector is (MvBackward0)."""
    _sparse_mm_type_error(input, vec, "mv", ("input", "vec"))
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            "mv: two tensor dim should be 2 and 1, but got SparseTensor Dim: "
            f"{input.dim()}Tensor Dim: {vec.dim()}"
        )
    if input.size(-1) != vec.size(-1):
        raise RuntimeError("mv: expected self.size(-1) == vec.size(-1)")
    if _is_coo(vec):
        if _is_coo(input):
            raise NotImplementedError(_device.no_kernel("as_strided", "SparseCPU"))
        out = _dense_times_sparse_vector(input, vec)
    else:
        column = _make(vec._data[:, None])
        out = _make(_sparse_dense_product(input, column)[:, 0])
    if _recording(input, vec):
        _record(MvBackward0, (input, vec), out, (input, vec))
    return out


def _dense_times_sparse_vector(matrix, vec):
    m = matrix._data
    if vec._idx.shape[0] == 0:  # (PyTorch transposes it as a column)
        raise RuntimeError(
            "sparse transpose: transposed dimensions must be sparse Got sparse_dim: 0, d0: 0, d1: 1"
        )
    if m.dtype != vec._vals.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_name(vec._vals.dtype)} but found "
            f"{_scalar_name(m.dtype)}"
        )
    return _make(xp.matmul(m[:, vec._idx[0]], vec._vals))


def matmul(input, other) -> Tensor:
    """``torch.matmul`` where an operand is sparse COO and neither has more than 2 dimensions,
    or the sparse one has more (refused with PyTorch's errors: PyTorch would reshape or expand
    it), composed as PyTorch composes it: mm, mv, a vector made a matrix of one row.  A dense
    operand of more dimensions times a sparse matrix or vector takes the dense path (a fold)."""
    _sparse_mm_type_error(input, other, "matmul", ("input", "other"))
    a, b = input.dim(), other.dim()
    if a == 0 or b == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a}D and {b}D"
        )
    if a == 2 and b == 2:
        return mm(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 1:
        raise NotImplementedError(_device.no_kernel("dot", "SparseCPU"))
    if a == 1 and b == 2:
        return mm(input.unsqueeze(0), other).squeeze_(0)
    big, small = (input, other) if a >= b else (other, input)
    if _is_coo(big) and small.dim() <= 2 and (small.requires_grad or a != 2):
        raise RuntimeError("reshape is not implemented for sparse tensors")  # (a fold)
    raise RuntimeError(EXPAND_SPARSE)


EXPAND_SPARSE = "expand is unsupported for Sparse tensors"


def no_sparse_kernel(name):
    """The ``sparse=`` function of an op of the table that PyTorch has no sparse COO kernel
    for (addmv, dot): its NotImplementedError."""

    def refused(*args):
        raise NotImplementedError(_device.no_kernel(name, "SparseCPU"))

    return refused


def bmm(input, mat2):
    """``torch.bmm`` with a sparse COO operand: PyTorch's error for a sparse second one; a
    sparse batch first is not built."""
    if not _is_coo(input) or _is_coo(mat2):
        raise RuntimeError("bmm_sparse: Tensor 'mat2' must be dense")
    raise NotImplementedError(
        "bmm of a sparse COO batch of matrices: not built in retrograd (products of sparse "
        "matrices are)"
    )


def _sum_dims(dim, ndim):
    dims = (dim,) if isinstance(dim, int) else tuple(dim)  # (a dim of a sum: wrapped, once)
    wrapped = tuple(_wrap_dim(d, ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _summed(x, dims, keepdim, dtype):
    """The sum of sparse ``x`` over ``dims`` (no graph): sparse while a sparse dimension is
    left (coalesced; with ``keepdim`` the summed ones kept at index 0), else dense."""
    k = x._idx.shape[0]
    vals = _make(x._vals)
    if dtype is not None:
        vals = vals.to(dtype)
    dense_axes = [d - k + 1 for d in dims if d >= k]
    if dense_axes:
        vals = vals.sum(dense_axes, keepdim)
    kept = [d for d in range(k) if d not in dims]
    if not kept:
        out = vals.sum(0)
        return out.reshape((1,) * k + tuple(out.shape)) if keepdim else out
    idx, v = _coalesced(x._idx[kept], vals._data, tuple(x._size[d] for d in kept))
    if keepdim:
        size = tuple(1 if d in dims else n for d, n in enumerate(x._size))
        full = xp.zeros((k, idx.shape[1]), xp.int64)
        full[kept] = idx
        idx = full
    else:
        size = tuple(n for d, n in enumerate(x._size) if d not in dims)
    return sparse_coo(idx, v, size, True)


def sparse_sum(input, dim=None, dtype=None) -> Tensor:
    """``torch.sparse.sum``: over every element (a dense 0-d tensor: the sum of the coalesced
    values), or over ``dim``, sparse while a sparse dimension is left, else dense; the gradient
    of the latter is sparse, at the input's entries (SparseSumBackward0)."""
    if not isinstance(input, SparseCOOTensor):
        raise NotImplementedError(_device.no_kernel("_indices"))
    if dim is None:
        return input.coalesce().values().sum(dtype=dtype)
    dims = _sum_dims(dim, len(input._size))
    recording = _recording(input)
    if recording and input.is_complex():
        raise RuntimeError(_NO_COMPLEX_GRAD.format("_sparse_sum"))
    out = _summed(input, dims, False, dtype)
    if recording:
        _record(SparseSumBackward0, (input,), out, (input,), (dims,))
    return out


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
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name().rpartition('::')[2]}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(text, suffixes, len(prefix))


def _inner(a, indent):
    """A tensor as PyTorch prints it inside a sparse one: no dtype, ``size=`` when empty (even
    when it has one dimension, which a dense tensor's repr leaves out)."""
    if a.size == 0:
        return f"tensor([], size={tuple(a.shape)})"
    return "tensor(" + _contents(a, indent + len("tensor(")) + ")"


# --- softmax over the specified elements ---------------------------------------------------------


def _groups(idx, size, dim):
    """For each entry of coalesced indices: the number of its group, the entries that share
    every sparse index but ``dim``'s (softmax runs over each group), and how many groups."""
    rest = [d for d in range(idx.shape[0]) if d != dim]
    if not rest or not idx.shape[1]:
        return xp.zeros(idx.shape[1], xp.int64), min(idx.shape[1], 1)
    keys = xp.ravel_multi_index(tuple(idx[rest]), tuple(size[d] for d in rest))
    _, group = xp.unique(keys, return_inverse=True)
    group = group.reshape(-1)
    return group, int(group.max()) + 1


def _group_sum(values, group, n):
    out = xp.zeros((n, *values.shape[1:]), values.dtype)
    xp.add.at(out, group, values)
    return out


def _softmax_values(vals, idx, size, dim, log):
    """Softmax (or log-softmax) of the values of a coalesced sparse tensor along ``dim``: over
    each group of entries for a sparse dim (the unspecified elements left out), along the
    values' axis for a dense one."""
    k = idx.shape[0]
    # (grouped as PyTorch computes them: x - (max + log(sum)) over sparse groups, (x - max) -
    # log(sum) along the values, exp(x - max) * (1 / sum) either way)
    if dim >= k:  # (a dense dimension: each entry's values on their own)
        axis = dim - k + 1
        top = vals.max(axis=axis, keepdims=True)
        e = array_exp(vals - top)
        total = e.sum(axis=axis, keepdims=True)
        if log:
            return (vals - top) - array_log(total)
    else:
        group, n = _groups(idx, size, dim)
        top = xp.full((n, *vals.shape[1:]), -xp.inf, vals.dtype)
        xp.maximum.at(top, group, vals)
        top = top[group]
        e = array_exp(vals - top)
        total = _group_sum(e, group, n)[group]
        if log:
            return vals - (top + array_log(total))
    return e * (1 / total)


def _softmax_grad(g, n):
    """The input's gradient of torch.sparse.softmax and log_softmax (dense, PyTorch's error),
    at the result's entries: y * (g - sum(g * y)), or g - exp(y) * sum(g), over each group."""
    result = n.result
    if _recording(g, result):  # (create_graph: PyTorch has no derivative of this gradient)
        with no_grad():
            grad = _softmax_grad(g, n)
        return _record(
            _NoLogSoftmaxDerivative if n.log else _NoSoftmaxDerivative, (g, result), grad
        )
    if not g.is_sparse:
        raise RuntimeError("coalesce expected sparse coordinate tensor layout but got Strided")
    y, dim = result._vals.astype(xp.float64), n.dim  # (summed in float64, as PyTorch sums)
    gv = g.sparse_mask(result.detach())._vals.astype(xp.float64)
    k = result._idx.shape[0]
    if dim < 0:  # (PyTorch's gradient for a dim given from the end: each element on its own)
        reduce = lambda v: v  # noqa: E731
    elif dim >= k:
        reduce = lambda v: v.sum(axis=dim - k + 1, keepdims=True)  # noqa: E731
    else:
        group, count = _groups(result._idx, result._size, dim)
        reduce = lambda v: _group_sum(v, group, count)[group]  # noqa: E731
    vals = gv - xp.exp(y) * reduce(gv) if n.log else y * (gv - reduce(gv * y))
    return sparse_coo(result._idx, vals.astype(result._vals.dtype), result._size, True)


def _softmax(input, dim, dtype, log):
    name = "log_softmax" if log else "softmax"
    if not _is_coo(input):
        raise NotImplementedError(_device.no_kernel(f"_sparse_{name}", "CPU"))
    given, dim = dim, _wrap_dim(dim, len(input._size))
    x = input.coalesce() if not input._coalesced else input
    idx, vals = x._idx, x._vals
    if dtype is not None and dtype.np != vals.dtype:
        if _recording(input):
            raise NotImplementedError(
                f"torch.sparse.{name} with a dtype of a sparse tensor that requires grad (its "
                "ToCopyBackward0): not built in retrograd"
            )
        vals = vals.astype(dtype.np)
    if vals.dtype.kind not in "fV":
        raise dtype_refusal(name, vals)
    with xp.errstate(invalid="ignore", divide="ignore", over="ignore"):  # (in float64, as
        out_vals = _softmax_values(vals.astype(xp.float64), idx, x._size, dim, log)  # PyTorch)
    out = sparse_coo(idx, out_vals.astype(vals.dtype, copy=False), x._size, True)
    if _recording(input):
        node = SparseLogSoftmaxBackward0 if log else SparseSoftmaxBackward0
        _record(node, (input,), out, (out,), (given, log))
    return out


def sparse_softmax(input, dim, dtype=None) -> SparseCOOTensor:
    """``torch.sparse.softmax``: softmax along ``dim`` over the specified elements alone (the
    unspecified ones count as minus infinity); a sparse result with the coalesced input's
    entries, whose gradient is sparse (SparseSoftmaxBackward0)."""
    return _softmax(input, dim, dtype, log=False)


def sparse_log_softmax(input, dim, dtype=None) -> SparseCOOTensor:
    """``torch.sparse.log_softmax``: as ``sparse_softmax``, the logarithm of it
    (SparseLogSoftmaxBackward0)."""
    return _softmax(input, dim, dtype, log=True)


SparseSoftmaxBackward0 = node_class(
    "SparseSoftmaxBackward0", (_softmax_grad,), ("result",), ("dim", "log")
)
SparseLogSoftmaxBackward0 = node_class(
    "SparseLogSoftmaxBackward0", (_softmax_grad,), ("result",), ("dim", "log")
)
_NoSoftmaxDerivative, _NoLogSoftmaxDerivative = (
    node_class("torch::autograd::NotImplemented", (formula, formula), (), ())
    for formula in (
        no_derivative(f"_sparse_{name}_backward_data")[0] for name in ("softmax", "log_softmax")
    )
)


# --- products with a sparse result, and copies of a sparse tensor's parts --------------------
# PyTorch's sparse-result products of a sparse and a dense matrix record no derivative (a node
# whose backward raises); each keeps the dense product's rows that the sparse factor has entries in


def _sparse_result_node(name):
    no = no_derivative(name)[0]
    return node_class("torch::autograd::NotImplemented", (no, no, no), (), ())


_HspmmNotImplemented = _sparse_result_node("hspmm")
_SspaddmmNotImplemented = _sparse_result_node("sspaddmm")


def _product_rows(sparse, dense):
    """The rows the sparse factor has entries in (sorted), and those rows of its product."""
    rows = xp.unique(sparse._idx[0])
    return rows, _sparse_dense_product(sparse, dense)[rows]


def hspmm(mat1, mat2) -> SparseCOOTensor:
    """``torch.hspmm``: ``mat1 @ mat2`` as a hybrid sparse tensor, one sparse dimension (the
    rows ``mat1`` has entries in) and each row's values dense."""
    if not mat1.is_sparse:
        raise NotImplementedError(_device.no_kernel("hspmm", "CPU"))
    rows, values = _product_rows(mat1, mat2)
    out = sparse_coo(rows[None], values, (mat1.size(0), mat2.size(1)))
    if _recording(mat1, mat2):
        _record(_HspmmNotImplemented, (mat1, mat2), out)
    return out


hsmm = hspmm


def sspaddmm(input, mat1, mat2, *, beta=1, alpha=1) -> SparseCOOTensor:
    """``torch.sspaddmm``: ``beta * input + alpha * (mat1 @ mat2)`` as a sparse tensor: the
    entries of ``input`` (times ``beta``), then every entry of the product's rows that ``mat1``
    has entries in (times ``alpha``), uncoalesced."""
    if not (input.is_sparse and mat1.is_sparse):
        raise RuntimeError("tensor.sspaddmm(...) can only be called on sparse tensors")
    want = (mat1.size(0), mat2.size(1))
    for d in (0, 1):
        if input.size(d) != want[d]:
            raise RuntimeError(
                f"sspaddmm: Argument #1: Expected dim {d} size {want[d]}, got {input.size(d)}"
            )
    rows, values = _product_rows(mat1, mat2)
    n = values.shape[1]
    product_idx = xp.stack([xp.repeat(rows, n), xp.tile(xp.arange(n), rows.size)])
    idx = xp.concatenate([input._idx, product_idx], 1)
    vals = xp.concatenate([_scaled(input._vals, beta), _scaled(values.ravel(), alpha)])
    out = sparse_coo(idx, vals, want)
    if _recording(input, mat1, mat2):
        _record(_SspaddmmNotImplemented, (input, mat1, mat2), out)
    return out


saddmm = sspaddmm


def smm(input, mat) -> SparseCOOTensor:
    """``torch.smm``: ``input @ mat`` as a sparse tensor (``sspaddmm`` from no entries)."""
    if not input.is_sparse:
        raise RuntimeError("tensor.sspaddmm(...) can only be called on sparse tensors")
    empty = xp.zeros((0,), input._vals.dtype)
    start = sparse_coo(xp.zeros((2, 0), xp.int64), empty, (input.size(0), mat.size(1)))
    return sspaddmm(start, input, mat)


def resize_as_sparse_(self, the_template) -> SparseCOOTensor:
    """``torch.resize_as_sparse_``: ``self`` takes the template's size (its entries kept)."""
    if not (self.is_sparse and the_template.is_sparse):
        raise RuntimeError("resize_as_sparse_: expected sparse tensors")
    self._size = tuple(the_template._size)
    return self


def _part_copy(name, part):
    """``torch.indices_copy`` and kin: a copy of a part of a sparse tensor, as PyTorch's CPU build
    has them (a COO tensor's indices and values have no kernel there)."""

    def copy(input):
        if input.is_sparse and name in ("indices_copy", "values_copy"):
            raise NotImplementedError(_device.no_kernel(name, "SparseCPU"))
        return getattr(input, part)().clone()

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = f"``torch.{name}``: a copy of ``input.{part}()``."
    return copy


indices_copy = _part_copy("indices_copy", "indices")
values_copy = _part_copy("values_copy", "values")
crow_indices_copy = _part_copy("crow_indices_copy", "crow_indices")
col_indices_copy = _part_copy("col_indices_copy", "col_indices")
ccol_indices_copy = _part_copy("ccol_indices_copy", "ccol_indices")
row_indices_copy = _part_copy("row_indices_copy", "row_indices")
