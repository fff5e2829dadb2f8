"""The one place that imports the array library.

Every other module takes ``xp`` from here, so moving to another NumPy-like library (CuPy for 'cuda')
means changing this file alone.
"""

import threading
from sys import getrefcount

import numpy as xp

ndarray = xp.ndarray

_SCRATCH_TOTAL = 64 << 20  # bytes of scratch memory one thread keeps, all its slots together
_SCRATCH_IDLE = 64  # requests in a row for under a quarter of a slot's memory before it is freed


class _Scratch(threading.local):
    def __init__(self):
        self.slots = {}  # slot name -> [its memory, requests in a row for under a quarter of it]
        self.kept = 0  # bytes, all slots together


_scratch = _Scratch()  # per thread, freed with the thread


def scratch_array(slot, shape, dtype):
    """An uninitialised array in this thread's ``slot`` of scratch memory, which the next call for
    the same slot overwrites: for a temporary that no result keeps and that is dropped before the
    slot is asked for again (the columns of an im2col, a gradient on its way to a product).
    Reusing the memory spares a fresh allocation of megabytes per call, which the C library maps
    from the kernel a page fault per 4 KiB at a time and hands back when it is freed.

    A thread keeps at most ``_SCRATCH_TOTAL`` bytes (a request that would pass it gets fresh
    memory, not kept), and a slot whose requests have long been much smaller than its memory (a
    large layer no longer run) lets it go and keeps only what is asked for now."""
    size = xp.dtype(dtype).itemsize
    for n in shape:
        size *= n
    scratch = _scratch
    entry = scratch.slots.get(slot)
    if entry is not None:
        store = entry[0]
        if size > store.nbytes:
            entry = None
        elif 4 * size >= store.nbytes:
            entry[1] = 0
        else:
            entry[1] += 1
            if entry[1] >= _SCRATCH_IDLE:
                entry = None
        if entry is not None:
            return store[:size].view(dtype).reshape(shape)
        del scratch.slots[slot]
        scratch.kept -= store.nbytes
    if scratch.kept + size > _SCRATCH_TOTAL:
        return xp.empty(shape, dtype)
    store = xp.empty(size, xp.uint8)
    scratch.slots[slot] = [store, 0]
    scratch.kept += size
    return store.view(dtype).reshape(shape)


def release_scratch():
    """Free this thread's scratch memory (the next request of each slot allocates afresh)."""
    _scratch.slots.clear()
    _scratch.kept = 0


def shared_memory(nbytes: int, fd=None):
    """``nbytes`` of memory that other processes can map: an anonymous memory file mapped shared
    (a forked child sees the same pages; ``fd``, kept open, is what another process maps).
    ``fd`` given: map that file (received from another process) instead of making one.  Returns
    the mapping and the file's descriptor; the descriptor is None where the system has no
    anonymous memory files (the memory is then shared with forked children alone)."""
    import mmap
    import os

    size = max(nbytes, 1)  # (an empty mapping is refused)
    if fd is None and hasattr(os, "memfd_create"):
        fd = os.memfd_create("retrograd-shared")
        os.ftruncate(fd, size)
    return (mmap.mmap(-1, size) if fd is None else mmap.mmap(fd, size)), fd


def asarray(value, dtype=None):
    """A C-contiguous-or-not ndarray view of ``value`` (no copy when it already is one)."""
    return xp.asarray(value, dtype=dtype)


_FLOAT32 = xp.dtype(xp.float32)
_FLOAT64 = xp.dtype(xp.float64)

# 1 as a read-only 0-d array of each float type, which NumPy takes faster in a ufunc with arrays
# of that type than the Python number 1 (about a microsecond a call less: the number is first
# worked out as the array's type) and turns into the same value: ``ONE.get(dtype, 1)``.
ONE = {}
for _t in (_FLOAT32, _FLOAT64):
    ONE[_t] = xp.ones((), _t)
    ONE[_t].flags.writeable = False


def _rounded_once(ufunc):
    """``ufunc`` whose float32 values are computed in float64 and rounded once to float32.
    PyTorch's float32 kernels of exp, log and their kin are accurate to about half a unit in the
    last place, NumPy's to a few: measured on random inputs, NumPy's float32 exp differs from
    PyTorch's in the last bit in 39% of values, exp rounded from float64 in 1% (log10 46% and
    0.1%, log1p 11% and 0.6%, expm1 12% and 0.3%).  A gradient that reads the value inherits the
    bit.  Other dtypes go straight to ``ufunc``."""

    def call(array):
        if array.dtype == _FLOAT32:
            return ufunc(array, dtype=_FLOAT64).astype(_FLOAT32)
        return ufunc(array)

    call.__name__ = call.__qualname__ = f"array_{ufunc.__name__}"
    return call


array_exp = _rounded_once(xp.exp)
array_expm1 = _rounded_once(xp.expm1)
array_log = _rounded_once(xp.log)
array_log1p = _rounded_once(xp.log1p)
array_log2 = _rounded_once(xp.log2)
array_log10 = _rounded_once(xp.log10)
array_tan = _rounded_once(xp.tan)
array_sinh = _rounded_once(xp.sinh)
array_cosh = _rounded_once(xp.cosh)
array_arcsin = _rounded_once(xp.arcsin)
array_arccos = _rounded_once(xp.arccos)
array_arctan = _rounded_once(xp.arctan)
array_arctanh = _rounded_once(xp.arctanh)
# tanh: NumPy's float32 kernel differs from PyTorch's in one value in three, and gives
# 1 - 2**-24 up to 10, which a gradient 1 - tanh**2 turns into 1.2e-7 where PyTorch's is 0;
# rounded from float64 the result is exactly 1 (or -1) from 9.0109 on.  (PyTorch's is from
# 9.01084: the few float32s between still give 1 - 2**-24.)  sin and cos stay in float32:
# rounded from float64 they differ from PyTorch's in 4% of values instead of 10%, but the two
# casts would cost the 200-op chain, made of sin and its cos, about a tenth more time.
array_tanh = _rounded_once(xp.tanh)


def array_power(base, exponent):
    """``xp.power``, float32 computed in float64 and rounded once (one operand a float32 array,
    the other one too or a Python number, taken as a float64): NumPy's float32 power differs
    from PyTorch's in the last bit in a fifth to two thirds of values, this in under 2%."""
    array, other = (base, exponent) if isinstance(base, ndarray) else (exponent, base)
    if array.dtype == _FLOAT32 and (
        type(other) in (int, float) or getattr(other, "dtype", None) == _FLOAT32
    ):
        return xp.power(base, exponent, dtype=_FLOAT64).astype(_FLOAT32)
    return xp.power(base, exponent)


_expit = []
# PyTorch's sigmoid runs element by element up to 32 float32 elements and 15 float64 ones (measured:
# its bits are then libm's); expit below this size is also the closer one for 16 to 32 float64s
_SCALAR_LOOP = 32


def array_sigmoid(array):
    """1 / (1 + exp(-x)) of a real float array, rounded as PyTorch's kernel rounds it.

    Up to about ``_SCALAR_LOOP`` elements PyTorch's kernel runs element by element with the C
    library's exp: SciPy's ``expit`` (imported on first use) computes the same and gives its
    bits.  Above that PyTorch runs a vectorised exp that neither SciPy nor NumPy reproduces, and
    expit (one element at a time) costs three to five times NumPy's ufuncs (a fifth of an
    LSTMCell loop's time went to it): float32 then takes exp in float64 rounded once to float32 (expit's
    bits, but for a few in 10,000), float64 NumPy's exp (which differs from PyTorch's in 3% of
    values, expit in 2.6%).  Half-width floats go through float32."""
    if array.dtype.itemsize < 4 or array.dtype.kind == "V":
        return array_sigmoid(array.astype(_FLOAT32)).astype(array.dtype, copy=False)
    if array.size <= _SCALAR_LOOP:
        if not _expit:
            from scipy.special import expit

            _expit.append(expit)
        return _expit[0](array)
    with xp.errstate(over="ignore"):  # exp(-x) of a large negative x is inf: 0, as meant
        if array.dtype == _FLOAT32:
            e = xp.exp(xp.negative(array, dtype=_FLOAT64)).astype(_FLOAT32)
        else:
            e = xp.exp(xp.negative(array))
    e += ONE.get(e.dtype, 1)
    return xp.divide(ONE.get(e.dtype, 1), e, out=e)


def c_order(array):
    """``array`` in C order, copied only when it is not: PyTorch's reductions, joins, softmax and
    the like give contiguous results whatever the layout of their input (NumPy keeps it), and
    whether a later ``view`` works depends on it."""
    return array if array.flags.c_contiguous else xp.array(array, order="C")


def column_major(array, copy=False):
    """``array`` with each matrix (its last two dimensions) in Fortran order and the batch in C
    order, copied only when it is not (or with ``copy``): the layout LAPACK leaves its results
    in, which PyTorch's factorizations and solvers return (``is_contiguous()`` is False, and
    ``view`` may refuse).  Dimensions of size 1 get the strides PyTorch gives them."""
    if array.ndim < 2:
        return array.copy() if copy else array
    t = xp.swapaxes(array, -1, -2)
    if copy or not t.flags.c_contiguous:
        t = xp.array(t, order="C")
    out = xp.swapaxes(t, -1, -2)
    if 1 in out.shape[-2:]:  # (NumPy's contiguous strides differ from PyTorch's there)
        m, n = out.shape[-2:]
        strides = (*t.strides[:-2], out.itemsize, m * out.itemsize)
        if strides != out.strides:
            out = xp.lib.stride_tricks.as_strided(out, strides=strides, writeable=True)
    return out


def memory_root(a):
    """The array that owns the memory ``a`` views (``a`` itself when it owns it).  An array that
    ``as_strided`` made (an unfolded view, NumPy's own stride tricks) has as base a holder of
    the array it views, followed too."""
    while True:
        base = a.base
        if not isinstance(base, ndarray):
            base = getattr(base, "base", None)  # (NumPy's stride tricks' holder)
            if not isinstance(base, ndarray):
                return a
        a = base


def libm(fn, a, *more):
    """``fn``, a function of Python's ``math`` module (the C library's), on each element of the
    float64 array ``a`` (and of the arrays ``more`` of its shape, its further arguments).  NumPy's
    own float64 ``log``, ``log1p``, ``exp``, ``tan`` and ``power`` differ from the C library's in
    the last bit for between 1 value in 300 and 1 in 14; PyTorch's samplers call the C
    library's, so the samplers that must give its bits call this (at the cost of a Python call
    per element)."""
    args = [b.ravel().tolist() for b in (a, *more)]
    return xp.fromiter(map(fn, *args), xp.float64, a.size).reshape(a.shape)


def kept_order(array):
    """The order a copy of ``array`` takes to keep its layout, as PyTorch's copies do: a dense
    array's ("K": a transposed one stays transposed); an expanded one's is "C", and the copy is
    then passed through ``kept_layout``."""
    return "C" if 0 in array.strides else "K"


def kept_layout(copy, array):
    """``copy`` (of ``array``, made in ``kept_order(array)``) laid out as PyTorch lays out a copy
    that keeps the layout of an expanded tensor: its other dimensions ordered by their strides
    (``iterator_layout`` with ``array`` alone), the expanded ones where C order puts them."""
    return copy if 0 not in array.strides else iterator_layout(copy, [array])


def copy_in_order(array, order, dtype=None):
    """A copy of ``array`` (cast to ``dtype``) whose memory runs through its dimensions in
    ``order``, the outermost first (channels last: ``(0, 2, 3, 1)``)."""
    buffer = xp.empty([array.shape[d] for d in order], dtype or array.dtype)
    out = buffer.transpose(xp.argsort(order))
    with xp.errstate(invalid="ignore", over="ignore"):  # (a cast to an integer wraps silently)
        xp.copyto(out, array, casting="unsafe")
    return out


def copy_rows(out, array):
    """``array`` copied into ``out`` (of its shape), both with a contiguous last dimension, each
    row of that dimension moved as one opaque item: a transposing copy of short rows (the
    recurrent kernels' (steps, features, batch) blocks) then costs NumPy one item per row, about
    half the time of copying it element by element."""
    if array.size == 0:
        return
    row = xp.dtype((xp.void, array.shape[-1] * array.itemsize))
    out.view(row)[..., 0] = array.view(row)[..., 0]


def contiguous_strides(shape):
    """The strides, in elements, of a row-major tensor of ``shape`` as PyTorch gives them (a
    dimension of size 0 counted as 1: ``(0, 3, 6)`` has ``(18, 6, 1)``)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def summed_into(a, b):
    """``a + b`` of two arrays of one dtype and shape, written into ``a``'s memory (which must be
    writable: else NumPy's ValueError) unless ``a`` has one element, where NumPy's in-place sum
    costs several times a new array's (the caller must hold ``a`` alone either way)."""
    if a.size == 1:
        s = a + b
        return s if type(s) is ndarray else xp.asarray(s)
    return xp.add(a, b, out=a)


def is_dense(a):
    """Whether ``a`` covers its memory with no gaps, in any order of dimensions (a permuted
    contiguous tensor too), with positive strides; one with no elements has no gaps."""
    if a.size == 0:
        return True
    expected = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n > 1):
        if stride != expected:
            return False
        expected *= n
    return True


def memory_of_its_own(a):
    """Whether array ``a`` alone reads its memory, as far as arrays go: it owns it, or it is a
    dense view (no gaps, no overlap) of an array that nothing but ``a`` refers to, as a reshaped
    new result is.  (Whether anything refers to ``a`` itself is the caller's count.)"""
    b = a.base
    if b is None:
        return True
    return (
        type(b) is xp.ndarray
        and b.base is None
        and getrefcount(b) == 3  # (a.base, the name b, getrefcount's argument)
        and is_dense(a)
    )


def empty_in_layout(like, dtype):
    """An array of ``like``'s shape and of ``dtype``, not filled, laid out as ``like`` when that
    covers its memory densely (permuted dimensions included), else in C order: the strides
    PyTorch gives a leaf's ``.grad`` that it copies from a gradient."""
    if like.ndim < 2 or like.flags.c_contiguous or not is_dense(like):
        return xp.empty(like.shape, dtype)
    return xp.empty_like(like, dtype=dtype)  # (order K: like's own order of dimensions)


def copy_in_layout(a, like):
    """A copy of array ``a`` laid out as ``like``, an array of its shape (see empty_in_layout)."""
    if like.ndim < 2:
        return a.copy()
    out = empty_in_layout(like, a.dtype)
    out[...] = a
    return out


def like_layout(copy, array):
    """``copy`` (a C-ordered result of ``array``'s shape) laid out as PyTorch's ops that start
    from a copy of their input that keeps its layout (``sort``) lay it out: ordered by
    ``array``'s strides, expanded dimensions in C order."""
    return copy if array.flags.c_contiguous else iterator_layout(copy, [array])


def reshaped_view(array, shape):
    """``array`` seen with ``shape`` without copying, or None when its strides cannot express it.

    NumPy 2.1+ says so through ``reshape(copy=False)``; older NumPy only by assigning ``.shape``
    to a view, which NumPy 2.5 deprecates."""
    try:
        return _reshape_no_copy(array, shape)
    except (AttributeError, ValueError):
        return None


if xp.lib.NumpyVersion(xp.__version__) >= "2.1.0":

    def _reshape_no_copy(array, shape):
        return xp.reshape(array, shape, copy=False)
else:  # pragma: no cover - NumPy before 2.1

    def _reshape_no_copy(array, shape):
        v = array.view()
        v.shape = shape
        return v


def sum_to_shape(array, shape):
    """Sum a broadcast array back down to ``shape`` (the inverse of broadcasting)."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and array.shape[i + lead] != 1
    )
    if not axes:
        return array.reshape(shape)
    # (ndarray.sum's own reduction, called directly; a sum is contiguous)
    return c_order(xp.add.reduce(array, axis=axes, keepdims=True)).reshape(shape)


def iterator_layout(out, operands):
    """``out``, the result of an elementwise op that NumPy computed, in the memory layout that
    PyTorch's TensorIterator gives it: the dimensions ordered by the strides of the operands
    (arrays, in the op's order; numbers and 0-dim arrays have no say), the first operand whose
    strides tell two dimensions apart deciding, broadcast (stride-0) dimensions and ties left in
    C order.  NumPy picks C order as soon as its operands disagree (``x.T + x``); PyTorch follows
    ``x.T``.  A copy only when the layouts differ."""
    shape = out.shape
    n = len(shape)
    if n < 2:
        return out
    strides = []
    for a in operands:
        if type(a) is not ndarray or a.ndim == 0:
            continue
        lead = n - a.ndim  # broadcast dimensions in front, and size-1 ones, have stride 0
        strides.append(
            (0,) * lead
            + tuple(
                0 if size == 1 and shape[lead + i] != 1 else s
                for i, (size, s) in enumerate(zip(a.shape, a.strides))
            )
        )
    return strided_layout(out, strides)


def size1_strides_matter(out, operands):
    """Whether PyTorch's TensorIterator may give ``out`` a layout other than C order though every
    operand is in C order by NumPy's flag, which reads no stride of a size-1 dimension: the
    iterator reads them (they break its ties between dimensions, see ``iterator_layout``), so an
    operand whose size-1 dimension has a stride other than C order's (``movedim``, ``permute``)
    may turn the others.  Only a result of three dimensions or more, one of them of size 1, can
    show it; callers read ``out.ndim`` first, which keeps the check off the common path."""
    if 1 not in out.shape:
        return False
    for a in operands:
        if type(a) is not ndarray or 1 not in a.shape:
            continue
        step = a.itemsize
        for n, s in zip(reversed(a.shape), reversed(a.strides)):
            if n == 1 and s != step:
                return True
            step *= n
    return False


def strided_layout(out, strides):
    """``iterator_layout`` from the operands' strides, one tuple per operand with one stride
    for each dimension of ``out`` (0 where the operand is broadcast)."""
    shape = out.shape
    n = len(shape)

    def order(d0, d1):  # > 0: d0 goes after d1 (is slower); < 0: before; 0: no operand tells
        for st in strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:  # equal strides: the smaller dimension goes first
                return 1
        return 0

    perm = list(range(n - 1, -1, -1))  # fastest dimension first: C order
    for i in range(1, n):  # an insertion sort that stops where no operand tells
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = order(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    want = [0] * n
    step = out.itemsize
    for d in perm:
        want[d] = step
        step *= shape[d]
    if all(s == w for s, w, size in zip(out.strides, want, shape) if size != 1):
        return out
    slow_first = perm[::-1]
    laid = xp.empty([shape[d] for d in slow_first], out.dtype)
    laid = laid.transpose([slow_first.index(d) for d in range(n)])
    laid[...] = out
    return laid


_sparsetools = []


def _sparse_kernels():
    # SciPy's compiled sparse-matrix loops (imported on first use): one pass over the taps,
    # each moving a whole row of channels, with no index array per channel
    if not _sparsetools:
        from scipy.sparse import _sparsetools as kernels

        _sparsetools.append(kernels)
    return _sparsetools[0]


def _taps_by_row(index, weights):
    """The CSR/CSC arrays of a matrix with one row (column) a point and K entries in it, from
    ``index`` and ``weights`` [K, P], and how many rows of them there are: all the taps in one
    structure where they are few (a transposed copy of K * P items is cheap, a call per tap is
    not), else one structure a tap (no copy: each row of ``index`` is one)."""
    k, p = index.shape
    if k > 1 and k * p <= _FEW_TAPS:
        return [(xp.arange(0, k * p + 1, k), index.T.ravel(), weights.T.ravel())]
    rows = xp.arange(p + 1)
    return [(rows, index[i], weights[i]) for i in range(k)]


_FEW_TAPS = 4096


def weighted_rows(out, table, index, weights):
    """Adds into row ``p`` of ``out`` [P, C] the sum over ``k`` of ``weights[k, p] *
    table[index[k, p]]``: ``table`` [R, C], ``index`` [K, P] (intp), ``weights`` [K, P] of the
    table's dtype (``out`` and ``table`` C-contiguous)."""
    if out.size:
        kernels = _sparse_kernels()
        flat, into = table.ravel(), out.ravel()
        for pointers, columns, values in _taps_by_row(index, weights):
            kernels.csr_matvecs(out.shape[0], *table.shape, pointers, columns, values, flat, into)
    return out


def coo_product(rows, cols, values, shape, dense):
    """The array ``A @ dense`` for the COO matrix ``A`` of ``shape`` with entries ``values`` at
    (``rows``, ``cols``): each row the sum of its entries' products in the order they are stored
    (``np.add.at``'s sums without its per-element dispatch), as CSR rows (stably sorted by row
    where they are not already) through ``compressed_product``.  Half floats (SciPy has no loop
    for them) and complex numbers (SciPy's complex product rounds otherwise than NumPy's) take
    ``np.add.at``."""
    dt = xp.result_type(values, dense)
    if not values.size or dt.kind in "Vc" or (dt.kind == "f" and dt.itemsize < 4):
        out = xp.zeros((shape[0], dense.shape[1]), dt)
        xp.add.at(out, rows, values[:, None] * dense[cols])
        return out
    if rows.size > 1 and (rows[1:] < rows[:-1]).any():
        order = xp.argsort(rows, kind="stable")
        rows, cols, values = rows[order], cols[order], values[order]
    pointers = xp.searchsorted(rows, xp.arange(shape[0] + 1))
    return compressed_product("csr", pointers, cols, values, shape, dense)


def added_rows(out, index, weights, values):
    """The adjoint of ``weighted_rows``: adds ``weights[k, p] * values[p]`` into row
    ``index[k, p]`` of ``out`` [R, C] (C-contiguous), for every ``k`` and ``p``."""
    if out.size and values.size:
        kernels = _sparse_kernels()
        flat, into = xp.ascontiguousarray(values).ravel(), out.ravel()
        for pointers, rows, entries in _taps_by_row(index, weights):
            kernels.csc_matvecs(out.shape[0], *values.shape, pointers, rows, entries, flat, into)
    return out


def compressed_product(kind, compressed, plain, values, shape, dense):
    """The array ``A @ dense`` for a matrix ``A`` of ``shape`` in a compressed layout (``kind``:
    "csr", "csc", "bsr" or "bsc", as ``torch.sparse_csr`` ...), through SciPy's compiled sparse
    matrices; ``dense`` [shape[1], N]."""
    from scipy import sparse  # (imported on first use: the import costs a tenth of a second)

    if kind == "bsc":  # (the transpose of a BSR matrix of transposed blocks)
        a = sparse.bsr_matrix((values.swapaxes(1, 2), plain, compressed), shape=shape[::-1]).T
    else:
        make = {"csr": sparse.csr_matrix, "csc": sparse.csc_matrix, "bsr": sparse.bsr_matrix}
        a = make[kind]((values, plain, compressed), shape=shape)
    return xp.asarray(a @ dense, dtype=xp.result_type(values, dense))
