"""class Tensor: an array, its dtype, ``requires_grad``, ``grad``, ``grad_fn`` and a version counter.

The differentiable methods and operators (``+``, ``.sum()`` ...) are attached by the op table in
``retrograd.ops``; this module holds what every tensor has whatever ops exist.
"""

import warnings

from . import _switches, dtypes
from ._array import contiguous_strides, ndarray, xp
from ._device import CPU as _CPU
from ._device import check_memory_format, contiguous_format, is_laid_out, preserve_format
from ._switches import grad_mode as _grad_state
from .printing import tensor_repr


class Size(tuple):
    """A tensor's shape (``torch.Size``): a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(n) for n in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
    "Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)

_LEAF_ONLY = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
    "in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)

_GRAD_DTYPE_HINT = (
    "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
    "downstream systems that assume they match."
)

_T_DEPRECATED = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and "
    "it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices "
    "or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
)


class Tensor:
    """A multi-dimensional array that records the ops applied to it (``torch.Tensor``)."""

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad_fn",
        "_vc",
        "_output_nr",
        "_cuts",  # where the graph was cut on the way to this tensor, or None (autograd.cuts)
        "__dict__",
        "__weakref__",
    )

    # Set on few tensors, so they live in the instance dict behind these class defaults: every op
    # makes a tensor, and each attribute set there costs.
    _grad = None  # the .grad Tensor
    _view_base = None  # the tensor whose data this one views (shares _vc with it)
    _custom_view = None  # "Output i of Name": a view a custom Function returned (no in-place)
    _item_view = False  # the view ``x[key] = v`` writes through: the name of its op, or None
    _view_meta = None  # how a view was made, when that limits writes: NO_GRAD_VIEW ...
    _attr_version = 0  # a view: the version its grad_fn was made at (stale once it differs)
    _acc = None  # weakref to a leaf's AccumulateGrad node
    _hooks = None  # a leaf's register_hook hooks (a non-leaf's live on its grad_fn)
    _hook_node = None  # (node, output_nr) its hooks go to, when not its grad_fn (hooks.py)
    _retains_grad = False
    _own_leaf = False  # a view made under no_grad that was told requires_grad_(): a leaf itself
    _counted = False  # an inference tensor detached outside inference_mode: it counts its writes
    _post_acc_hooks = None
    _name = None
    _sparse = False  # (True on the sparse COO class: a class attribute the engine reads fast)

    # Tensors win over NumPy arrays in mixed arithmetic (ndarray + tensor -> tensor.__radd__).
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        if cls is Tensor:
            from .creation import _legacy_new

            return _legacy_new(None, args, kwargs)
        return object.__new__(cls)

    # --- basic properties ---------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.FROM_NP[self._data.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        shape = self._data.shape
        if not shape:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return shape[_wrap_dim(dim, len(shape))]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def device(self):
        return _CPU

    def get_device(self) -> int:
        return -1  # PyTorch's answer for a CPU tensor

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind in "fV"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether the elements lie in memory in row-major order, or in the order of the
        channels-last ``memory_format`` given."""
        if memory_format is None or memory_format is contiguous_format:
            return self._data.flags.c_contiguous
        check_memory_format(memory_format)
        if memory_format is preserve_format:
            return self._data.flags.c_contiguous
        return is_laid_out(self._data.shape, self.stride(), memory_format)

    def stride(self, dim=None):
        a = self._data
        if a.size == 0 and not any(a.strides):
            # (NumPy gives an empty array no strides, unless they were set: PyTorch's fresh ones)
            strides = contiguous_strides(a.shape)
        else:
            strides = tuple(s // a.itemsize for s in a.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        """Where this tensor's first element sits in the memory it shares with the tensors it is a
        view of, in elements (0 for a tensor that owns its memory)."""
        root = self._data
        while isinstance(root.base, ndarray):
            root = root.base
        start = self._data.__array_interface__["data"][0]
        return (start - root.__array_interface__["data"][0]) // self._data.itemsize

    def is_inference(self) -> bool:
        """Whether this tensor was made inside ``inference_mode`` (or is a view of one that was)."""
        return type(self._vc) is InferenceVersionCounter

    @property
    def requires_grad(self) -> bool:
        if self._requires_grad:
            return True
        base = self._view_base  # a view requires grad when its base does, as in PyTorch
        return base is not None and base._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self._grad_fn is None and self._data.dtype.kind not in "fcV":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True):
        if requires_grad and self._data.dtype.kind not in "fcV":
            # (first, as in PyTorch: an integer inference tensor gets this error.)  Factories say
            # "Only Tensors of floating point and complex dtype ..."; this is PyTorch's (older)
            # wording for the method and the setter.
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if (
            requires_grad
            and type(self._vc) is InferenceVersionCounter
            and not _grad_state.inference
        ):
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed."
            )
        if self._grad_fn is not None:
            if requires_grad:
                return self  # a non-leaf already requires grad
            raise RuntimeError(_LEAF_ONLY)
        base = self._view_base
        if base is None:
            if self._requires_grad is not bool(requires_grad):
                self._requires_grad = bool(requires_grad)
                views_follow_base(self)
            return self
        # A view without a node that is told to require grad is a leaf of its own (its
        # gradient accumulates on it, not on its base), as in PyTorch.
        self._own_leaf = bool(requires_grad)
        if not requires_grad and base._requires_grad:
            return self  # a view made under no_grad: it requires grad through its base
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf).  A view whose memory was written since
        its node was made gets a fresh one first (or PyTorch's error, for a view that may not), as
        PyTorch's views do; the ops read ``_grad_fn``, having checked that themselves."""
        if self._vc.stale and self._view_base is not None:
            from .ops.inplace import fresh_grad_fn  # (the ops sit above this module)

            return fresh_grad_fn(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def grad(self):
        if self._grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{dtypes.CPP_NAMES[value.dtype]}' "
                    f"to a tensor with grad_dtype '{dtypes.scalar_type_name(self.dtype)}'. "
                    + _GRAD_DTYPE_HINT
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self) -> int:
        vc = self._vc
        if type(vc) is InferenceVersionCounter and not self._counted:
            raise RuntimeError("Inference tensors do not track version counter.")
        return vc.version

    @property
    def _base(self):
        """The tensor this one is a view of (``None`` when it owns its data)."""
        return self._view_base

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (has a ``_base``)."""
        return self._view_base is not None

    @property
    def name(self):
        return self._name

    @property
    def retains_grad(self) -> bool:
        return bool(self._retains_grad)

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def data(self):
        """The same array without the graph, and with a version counter of its own."""
        inference = type(self._vc) is InferenceVersionCounter
        t = _make(self._data, False, None, InferenceVersionCounter() if inference else None)
        if self._requires_grad or self._cuts is not None:
            _switches.cuts.note_detached(t, self, "data")
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        if value._data.shape != self._data.shape:
            from .autograd.node import keep_shape_of

            keep_shape_of(self)
        self._data = value._data

    @property
    def T(self):
        ndim = self._data.ndim  # (a permute in every case, as PyTorch records it)
        if ndim == 0:
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                "these cases.",
                UserWarning,
                stacklevel=2,
            )
        elif ndim != 2:
            warnings.warn(_T_DEPRECATED, UserWarning, stacklevel=2)
        return self.permute(tuple(range(ndim - 1, -1, -1)))

    # --- conversions ----------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        value = self._data.reshape(()).item()
        if self._requires_grad or self._cuts is not None:
            _switches.cuts.note_value(value, self, "item")
        return value

    def tolist(self):
        value = self._data.tolist()
        # (kept alive a while beside its record: not when it is large)
        if (self._requires_grad or self._cuts is not None) and self._data.size <= 4096:
            _switches.cuts.note_value(value, self, "tolist")
        return value

    def numpy(self, *, force: bool = False):
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if self._data.dtype.kind == "V":  # bfloat16: NumPy itself has no such type
            raise TypeError("Got unsupported ScalarType BFloat16")
        if self._requires_grad or self._cuts is not None:
            _switches.cuts.note_array(self._data, self)
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad or self._data.dtype.kind == "V":
            self.numpy()  # PyTorch's errors: requires grad, or bfloat16 (which NumPy lacks)
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """The tensor's memory as a DLPack capsule (NumPy's export of its array), for another
        library's ``from_dlpack``; a tensor that requires grad is refused, as in PyTorch."""
        if self._requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        return self.numpy().__dlpack__(
            stream=None if stream == -1 else stream,  # (-1, PyTorch's default: none on the CPU)
            max_version=max_version,
            dl_device=dl_device,
            copy=copy,
        )

    def __dlpack_device__(self):
        """``(1, 0)``: DLPack's CPU device, where every tensor's memory is."""
        return self._data.__dlpack_device__()

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self):
        if not _FLOAT_OF_GRAD_WARNED and _grad_state.enabled and self.requires_grad:
            _warn_float_of_grad()
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __bool__(self):
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data.reshape(()))

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __reversed__(self):
        return self.flip(0)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        return tensor_repr(self, tensor_contents)

    def __str__(self):
        return self.__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = _make(self._data.copy(), self._requires_grad, cls=type(self))
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    # --- the graph --------------------------------------------------------------------------
    def detach(self):
        """The same array, outside the graph; shares the version counter (in-place ops show)."""
        vc = self._vc
        if type(vc) is InferenceVersionCounter and not _grad_state.inference:
            # As in PyTorch: still an inference tensor, yet with a version counter of its own,
            # so it may be written in place (its views may not)
            t = _make(self._data, False, None, InferenceVersionCounter())
            t._counted = True
            return t
        t = _make(self._data, False, None, vc)
        if self._requires_grad or self._cuts is not None:
            _switches.cuts.note_detached(t, self, "detach")
        return t

    def detach_(self):
        # any view, as in PyTorch, whether or not it has a graph; an inference tensor's views
        # are no views to autograd
        if self._view_base is not None and type(self._vc) is not InferenceVersionCounter:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views "
                "of DDP buckets, and hence detach_() cannot be called on these gradients. To fix "
                "this error, please refer to the Optimizer.zero_grad() function in "
                "torch/optim/optimizer.py as the solution."
            )
        if self._requires_grad:
            _switches.cuts.note_detached(self, self, "detach_")
        if self._grad_fn is not None:
            from .autograd.node import note_detached

            note_detached(self)
        self.grad_fn = None
        if self._requires_grad:
            self._requires_grad = False
            views_follow_base(self)
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (a no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        from .autograd.hooks import retain_grad

        retain_grad(self)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one."""
        from .autograd.hooks import register_tensor_hook

        return register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been updated."""
        from .autograd.hooks import register_post_accumulate_grad_hook

        return register_post_accumulate_grad_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad`` (``Tensor.backward``)."""
        if not _engine:  # the engine sits above this module: imported on first use
            from .autograd import backward, engine

            _engine.extend((backward, engine.run))
        if (
            gradient is None
            and inputs is None
            and not create_graph
            and self._requires_grad
            and (self.__class__ is Tensor or not self.is_sparse)
        ):
            # loss.backward(): the engine straight from here (as from autograd.backward, one
            # call below the user's, where the engine reads the user's call site), with the
            # implicit gradient, ones: a copy (one C call) of ones of the loss's shape and dtype,
            # kept per shape (see _ONES)
            d = self._data
            ones = _ONES.get(d.shape)
            if ones is None or ones.dtype is not d.dtype:
                ones = None
                if d.size == 1 and d.dtype.kind in "fV":
                    ones = _ONES[d.shape] = xp.empty(d.shape, d.dtype)
                    ones.fill(1)
            if ones is not None:
                _engine[1]((self,), (_make(ones.copy()),), bool(retain_graph), False)
                return
        if inputs is not None and isinstance(inputs, Tensor):
            inputs = (inputs,)
        _engine[0](self, gradient, retain_graph, create_graph, None, inputs)

    # --- helpers for the engine ----------------------------------------------------------------
    def _add_grad_(self, grad, site=None):
        """``self += grad`` in place, as AccumulateGrad adds into an existing ``.grad``."""
        g = grad._data
        if g.shape == self._data.shape and self._data.flags.writeable:
            xp.add(self._data, g, out=self._data, casting="unsafe")
        else:
            self._data = self._data + g
        bump_version(self, site)  # site: the backward call that accumulated


def clear_grad(t, set_to_none: bool = True, site=None) -> None:
    """Drop ``t.grad`` (set_to_none) or zero it in place, for ``Module`` and ``Optimizer.zero_grad``."""
    g = t._grad
    if g is None:
        return
    if set_to_none:
        t._grad = None
        return
    if g.grad_fn is not None:
        g.detach_()
    else:
        g._requires_grad = False
    if g.is_sparse:
        g.zero_()
    elif g._data.flags.writeable:
        g._data.fill(0)
    else:  # a broadcast gradient: give it an array of its own
        g._data = g._data * 0
    bump_version(g, site)  # site: the zero_grad() call


def _wrap_dim(dim, ndim):
    """A dim in ``[-ndim, ndim)`` made non-negative; PyTorch's IndexError otherwise."""
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


# PyTorch's names of the types retrograd makes its own (its C types' names)
_TORCH_TYPE_NAMES = {
    "dtype": "torch.dtype",
    "device": "torch.device",
    "layout": "torch.layout",
    "memory_format": "torch.memory_format",
    "Generator": "torch._C.Generator",
    "Size": "torch.Size",
}


def type_name(a) -> str:
    """The type of ``a`` as PyTorch's argument errors name it (Tensor, numpy.ndarray, float)."""
    if isinstance(a, Tensor):
        return "Tensor"
    kind = type(a)
    if kind.__module__ == "numpy":
        return f"numpy.{kind.__name__}"
    if kind.__module__.startswith("retrograd"):
        return _TORCH_TYPE_NAMES.get(kind.__name__, kind.__name__)
    return kind.__name__


def _is_index(a) -> bool:
    """An int as PyTorch reads one into a size: a Python or NumPy integer or a 0-d integer
    tensor, not a bool."""
    kind = type(a)
    if kind is int:
        return True
    if kind is bool or isinstance(a, xp.bool_):
        return False
    if isinstance(a, Tensor):
        return a._data.ndim == 0 and a._data.dtype.kind in "iu"
    return isinstance(a, (int, xp.integer))


_ABSENT = object()


def int_list(name, shown, args, keyword=_ABSENT, overloaded=None) -> tuple:
    """The tuple of ints that ``args`` name, read as PyTorch reads a size that may be given as
    separate ints (``x.view(2, 3)``), one sequence (``x.view((2, 3))``, ``torch.Size``) or by
    keyword (``x.view(size=[2, 3])``, ``keyword``); PyTorch's TypeError otherwise, naming
    ``name()`` and its argument ``shown``.  ``overloaded``: for a function of several
    signatures (``view(dtype)``), what raises PyTorch's listing of them where a call fits none;
    the error about an element after the first is the same for both."""

    if keyword is _ABSENT and args:  # (the common calls: ints, or one tuple or Size of ints)
        items = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
        if all(n.__class__ is int for n in items):
            return items if items.__class__ is tuple else tuple(items)

    def refuse(text):
        if overloaded is not None:
            overloaded()
        raise TypeError(text)

    if keyword is not _ABSENT:
        if args:
            raise TypeError(f"{name}() got multiple values for argument '{shown}'")
        if not isinstance(keyword, (tuple, list)):
            refuse(f"{name}(): argument '{shown}' must be tuple of ints, not {type_name(keyword)}")
        items, where = keyword, ""
    elif not args:
        refuse(f'{name}() missing 1 required positional arguments: "{shown}"')
    elif len(args) > 1:
        if not _is_index(args[0]):
            refuse(f"{name}() takes 1 positional argument but {len(args)} were given")
        items = args
    elif isinstance(args[0], (tuple, list)):
        items, where = args[0], " (position 1)"
    elif _is_index(args[0]):
        items = args
    else:
        refuse(
            f"{name}(): argument '{shown}' (position 1) must be tuple of ints, not {type_name(args[0])}"
        )
    if items is not args and items and not _is_index(items[0]):
        refuse(
            f"{name}(): argument '{shown}'{where} must be tuple of ints, but found element of "
            f"type {type_name(items[0])} at pos 0"
        )
    for k in range(1, len(items)):  # (after the first, a bool counts as an int)
        if not (_is_index(items[k]) or isinstance(items[k], (bool, xp.bool_))):
            raise TypeError(
                f"{name}(): argument '{shown}' failed to unpack the object at pos {k + 1} with "
                f'error "type must be tuple of ints,but got {type_name(items[k])}"'
            )
    return tuple(int(n) for n in items)


_new = object.__new__
_engine = []  # autograd.backward and engine.run, once Tensor.backward has imported them
# shape -> ones of one element, of the dtype last asked for (a dtype is slow to hash):
# loss.backward()'s implicit gradient, copied
_ONES = {}


# How a view was made, when that forbids writing it (or its base) with the graph recorded later:
# while grad mode was off (in inference mode), as one of several views that one op returned
# (split, unbind ...), or by a custom Function.  A view of such a view inherits it (and a view of a
# view made in inference mode stays one).
NO_GRAD_VIEW = "no_grad"
INFERENCE_VIEW = "inference"
MULTI_VIEW = "multi"
CUSTOM_VIEW = "custom"


class VersionCounter:
    """The version a tensor shares with its views and its ``detach()`` aliases: every write bumps
    it, and a node that saved the tensor compares it with the version it saved.

    ``site``: where the last write was made (a ``caller_site()``, for the "modified by an inplace
    operation" error), or None.  ``views``: None until a view of the tensor is made, then a list of
    weak references to the views that should learn when their base comes to require grad.
    ``stale``: the memory was written while views of it existed, so from then on each view checks,
    when used, whether its grad_fn is older than the version."""

    # Made on every op call, so nothing is set when it is made: each field reads its class default
    # until a write sets it in the instance's dict (the slot below), which most counters never get.
    __slots__ = ("__dict__",)
    version = 0
    site = None
    views = None
    stale = False

    def __repr__(self):
        return f"VersionCounter(version={self.version})"


class InferenceVersionCounter(VersionCounter):
    """The version counter of an inference tensor (made inside ``inference_mode``), which its views
    share: its type is the mark.  As in PyTorch such a tensor may not be written, saved for
    backward, or made to require grad outside inference mode, and shows no version."""

    __slots__ = ()


_INFERENCE_WRITE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone "
    "to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)

INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


def bump_version(t, site) -> None:
    """A write changed ``t``: bump the version it shares with its views and remember ``site`` (a
    ``caller_site()``), which the "modified by an inplace operation" error names.  Every write must
    record its own site, else the error would name an older write."""
    vc = t._vc
    if type(vc) is InferenceVersionCounter and not _grad_state.inference and not t._counted:
        # (after the write, as PyTorch counts it: the values have changed all the same)
        raise RuntimeError(_INFERENCE_WRITE)
    vc.version += 1
    vc.site = site
    if vc.views is not None:
        vc.stale = True


# ``_attr_version`` of a view that stands for one made before its memory was last written: no
# version equals it, so its grad_fn is always looked at anew.
NEVER_CURRENT = -1


def made_stale(view):
    """``view``, remade to stand for a view made before its memory was last written (what an
    error about a saved view describes): its grad_fn is looked at as that view's would be."""
    vc = view._vc
    if vc.views is not None:
        vc.stale = True
    view._attr_version = NEVER_CURRENT
    return view


def views_follow_base(base) -> None:
    """``base`` has come to require grad, or stopped (``requires_grad_``, ``detach_``): so do its
    views that have no node and are no leaves of their own, whose requires_grad is their base's
    in PyTorch: those made while it did not require grad, and those made under no_grad or in
    inference mode while it did (both are listed on its version counter, which a ``detach()`` of
    it shares too)."""
    views = base._vc.views
    if views:
        flag = base._requires_grad
        for ref in views:
            v = ref()
            if v is not None and v._view_base is base and v._grad_fn is None and not v._own_leaf:
                v._requires_grad = flag


def _make(data, requires_grad=False, grad_fn=None, vc=None, cls=Tensor):
    """The fast constructor the ops use: wrap an ndarray (never copied) in a Tensor.

    The one- and two-input fast paths in ops/registry.py make their results inline the same way:
    a slot added here must be set there too."""
    t = _new(cls)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = grad_fn
    if vc is None:
        vc = (
            InferenceVersionCounter()  # made inside inference_mode: an inference tensor
            if _switches.inference_blocks and not requires_grad and _grad_state.inference
            else VersionCounter()
        )
    t._vc = vc
    t._output_nr = 0  # a slot, not a class default: read on every op that takes this tensor
    t._cuts = None  # (a slot too: read on every op whose result needs no gradient)
    return t


def _rebuild(data, requires_grad):
    return _make(data, requires_grad)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


__all__ = ["Tensor", "Size", "is_tensor", "ndarray", "xp"]


_FLOAT_OF_GRAD_WARNED = False


def _warn_float_of_grad():
    """``float(t)`` of a tensor that requires grad, with grad mode on: PyTorch's warning, once a
    process (the number leaves the graph; ``.item()`` and ``int()`` say nothing)."""
    global _FLOAT_OF_GRAD_WARNED
    _FLOAT_OF_GRAD_WARNED = True
    warnings.warn(
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first.",
        UserWarning,
        stacklevel=3,
    )
