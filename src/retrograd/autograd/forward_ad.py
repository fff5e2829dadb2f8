"""Forward-mode AD (``torch.autograd.forward_ad``): ``dual_level``, ``make_dual``, ``unpack_dual``.

One mechanism serves every op of the table, with no forward formula per op.  An op's backward
formulas are linear in the output gradient ``u``: ``vjp(u) = J^T u``.  Differentiating
``<vjp(u), t>`` with respect to ``u`` gives ``J t``, the tangent of the output (the "double-vjp"
trick).  So while a dual level is open, the op table calls :func:`_propagate` after each op whose
inputs carry tangents: it re-runs the op on inputs that require grad, takes the vjp with a symbolic
``u`` and then the gradient with respect to ``u``.  This costs a few extra op calls per op in
forward mode, and nothing outside it (one global read per op call).

Tangents live in a table keyed by the tensor's id (held weakly), not on the Tensor, so tensors pay
nothing for the feature.  As in PyTorch 2.13 only one level can be open at a time.
"""

import collections
import weakref

from .. import _switches
from .._array import memory_root, xp
from .._switches import grad_mode as _grad_state
from ..tensor import InferenceVersionCounter, Tensor, VersionCounter, _make
from .grad_mode import _DecoratorContextManager

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

UnpackedDualTensor = collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "What ``unpack_dual`` returns: the primal and its tangent (or None)."

_level = None  # the open level (0) or None
_tangents: dict = {}  # id(tensor) -> (weak reference to the tensor, tangent)
# A node keeps its own output as the bare array and makes a new Tensor of it when a formula reads
# it (``result``); that Tensor finds its tangent here: id(array) -> (weak refs to the array and
# the node, output number, tangent).  Needed when a backward pass runs inside a dual level.
_output_tangents: dict = {}
_OWN = object()  # marks a tangent that is no view of another tensor's (make_dual's result)


def enter_dual_level() -> int:
    """Open the dual level (``torch.autograd.forward_ad.enter_dual_level``); returns its index."""
    global _level
    if _level is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _level = 0
    _switches.forward_ad_hook = _propagate
    return _level


def exit_dual_level(*, level=None) -> None:
    """Close the level: every tangent made inside it is dropped."""
    global _level
    current = -1 if _level is None else _level
    if level is None:
        level = current
    if level != current:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. This is "
            "not supported."
        )
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    _level = None
    _switches.forward_ad_hook = None
    _tangents.clear()
    _output_tangents.clear()


class dual_level(_DecoratorContextManager):
    """Context manager (or decorator) for the forward-mode level
    (``torch.autograd.forward_ad.dual_level``)."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()


def _check_float(kind, t):
    if not isinstance(t, Tensor):
        raise AttributeError(f"'{type(t).__name__}' object has no attribute 'is_floating_point'")
    if t._data.dtype.kind not in "fcV":
        raise ValueError(f"Expected {kind} to be floating point or complex, but got: {t.dtype}")


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` that carries ``tangent`` (``torch.autograd.forward_ad.make_dual``)."""
    if _level is None:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if level is not None and level != _level:
        raise RuntimeError("Invalid level given to _make_dual")
    _check_float("primal", tensor)
    _check_float("tangent", tangent)
    if tangent_of(tensor) is not None:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward "
            f"gradient at the same level {_level} is not supported."
        )
    if tangent_of(tangent) is not None:
        raise RuntimeError(
            "Setting a forward grad that itself has a forward gradient at the same "
            f"level{_level} is not supported."
        )
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {_dims(tensor)} while the given "
            f"forward gradient is of size {_dims(tangent)}."
        )
    p, t = tensor._data, tangent._data
    if tuple(s // p.itemsize for s in p.strides) != tuple(
        s // t.itemsize for s in t.strides
    ) and any(s == 0 and n > 1 for s, n in zip(p.strides, p.shape)):
        # PyTorch copies a tangent laid out otherwise into the primal's layout: impossible for an
        # expanded primal, whose elements share memory.
        from ..ops.inplace import _OVERLAP

        raise RuntimeError(_OVERLAP)
    dual = _alias(tensor)  # the tangent keeps its own dtype, as in PyTorch
    _set_tangent(dual, _laid_out_as(tangent, p), _OWN)
    return dual


def unpack_dual(tensor, *, level=None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of a dual tensor; the tangent is None when it has none
    (``torch.autograd.forward_ad.unpack_dual``)."""
    if level is not None and level != _level:
        raise RuntimeError("Invalid level given to _fw_primal")
    tangent = tangent_of(tensor)
    if tangent is None and _level is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor, primal=True), tangent)  # (a view, as PyTorch's)


def tangent_of(tensor):
    """The tangent ``tensor`` carries at the open level, or None."""
    entry = _tangents.get(id(tensor))
    if entry is not None and entry[0]() is tensor:
        if entry[2] != tensor._vc.version and entry[3] is not None and entry[3] is not _OWN:
            fresh = _from_parent(tensor, entry[3]())
            if fresh is not None:
                return fresh
        return entry[1]
    fn = tensor.grad_fn
    if fn is not None:
        entry = _output_tangents.get(id(tensor._data))
        if (
            entry is not None
            and entry[0]() is tensor._data
            and entry[1]() is fn
            and entry[2] == tensor._output_nr
        ):
            return entry[3]
    return None


def _from_parent(view, parent):
    """A view written to since its tangent was set (through its parent or another view of it):
    its tangent is read anew out of the parent's, as PyTorch's tangents are views too."""
    if parent is None:
        return None
    parent_tangent = tangent_of(parent)
    if parent_tangent is None:
        return None
    from ..ops.inplace import _flat_index, _take_flat

    hook, _switches.forward_ad_hook = _switches.forward_ad_hook, None
    try:
        fresh = _take_flat(parent_tangent, _flat_index(parent, view))
    except RuntimeError:  # a parent whose memory has gaps: keep the tangent as it was
        return None
    finally:
        _switches.forward_ad_hook = hook
    _set_tangent(view, fresh, _tangents[id(view)][3])
    return fresh


def _dims(t):
    return "[" + ", ".join(map(str, t._data.shape)) + "]"


def _alias(tensor, primal=False):
    """A view of all of ``tensor``, kept in the graph, without passing its tangent on: for
    make_dual ``view_as``'s (a ViewBackward0 node), for unpack_dual's ``primal`` one whose node
    hands the gradient on as it is (PyTorch's ``Identity``: the gradient is not a view)."""
    from ..ops.indexing import _identity

    hook, _switches.forward_ad_hook = _switches.forward_ad_hook, None
    try:
        if primal:
            return _identity(tensor, (Ellipsis,), False, _identity)
        return tensor.view_as(tensor)
    finally:
        _switches.forward_ad_hook = hook


def _set_tangent(tensor, tangent, parent=None):
    """``parent``: a weak reference to the tensor whose tangent this view's tangent is a view of,
    ``_OWN`` for a tensor whose tangent is its own (``make_dual``'s result), or None."""
    key = id(tensor)
    _tangents[key] = (
        weakref.ref(tensor, lambda _, k=key: _tangents.pop(k, None)),
        tangent,
        tensor._vc.version,
        parent,
    )
    fn = tensor.grad_fn
    if fn is not None:
        data = tensor._data
        akey = id(data)
        _output_tangents[akey] = (
            weakref.ref(data, lambda _, k=akey: _output_tangents.pop(k, None)),
            weakref.ref(fn),
            tensor._output_nr,
            tangent,
        )


def _parent_of(tensor):
    """What ``_set_tangent`` was told about ``tensor``'s parent (None when it has no tangent)."""
    entry = _tangents.get(id(tensor))
    return entry[3] if entry is not None and entry[0]() is tensor else None


# Ops whose PyTorch kernel writes its result into a new tensor through ``copy_``, which sees
# forward AD whatever the input: an inference tensor's tangent reaches their result.
_COPYING = frozenset(("clone", "_to_copy"))


def _sees_forward_ad(function, tensors):
    """Whether PyTorch's forward AD sees the op at all: an inference tensor carries no autograd
    dispatch key, so an op whose operands are all inference tensors runs past autograd, and its
    result has no tangent even where an input has one.  One ordinary tensor among the operands
    (or a number the op takes as a tensor, ``d * 2``, ``2 - d``), or a kernel that copies into a new tensor,
    brings the inference tensors' tangents in too."""
    opdef = getattr(function, "opdef", None)
    wrapped = opdef is not None and opdef.numbers_together
    for t in tensors:
        if isinstance(t, Tensor):
            if type(t._vc) is not InferenceVersionCounter:
                return True
        elif wrapped and isinstance(t, (int, float, complex)):
            return True
    return opdef is not None and opdef.name in _COPYING


def _propagate(function, args, tensors, results, n_outputs):
    """Give the op's differentiable outputs their tangents: the op's own forward formula where
    it declares one (``jvp``), else ``J t`` by the double-vjp trick above."""
    from ..ops.pointwise import _tangent_link

    if not _sees_forward_ad(function, tensors):
        return
    tangents = [tangent_of(t) if isinstance(t, Tensor) else None for t in tensors]
    if all(t is None for t in tangents):
        return
    if any(r is t for r in results for t in tensors):
        # Rerunning an in-place op would modify its input a second time.
        raise NotImplementedError(
            "forward-mode AD through an in-place op is not supported yet: "
            "use the out-of-place op on a dual tensor"
        )
    prev_mode = _grad_state.enabled
    # The tangent stays differentiable (forward-over-reverse) when its inputs are: the tangents
    # and every primal (``x * w``: the tangent t * w depends on w, which carries no tangent).
    keep_graph = prev_mode and (
        any(isinstance(t, Tensor) and t._requires_grad for t in tensors)
        or any(tg is not None and tg._requires_grad for tg in tangents)
    )
    opdef = getattr(function, "opdef", None)
    jvp = None if opdef is None else opdef.jvp
    _switches.forward_ad_hook = None
    try:
        if jvp is not None or (opdef is not None and opdef.view and len(tensors) == 1):
            # (in the caller's grad mode, as PyTorch: where nothing requires grad no graph is
            # made either way, but a view of a tangent made with grad mode off would be a
            # no_grad view, which an in-place write with grad mode on refuses)
            _grad_state.enabled = prev_mode
            listed = isinstance(args[0], list) and args[0] is tensors
            attrs = args[1 if listed else len(tensors) :]
            if jvp is None or jvp == "linear":
                # A view's tangent is the same view of its input's tangent, and a linear op's
                # the op on it, as in PyTorch.
                out = function(tangents[0], *attrs)
            else:
                out = jvp(tangents, _primals(tensors) if keep_graph else tensors, results, *attrs)
            tans = [out] if isinstance(out, Tensor) else list(out)
            read = []
        else:
            _grad_state.enabled = True
            tans, read = _derived(function, args, tensors, results, n_outputs, tangents, keep_graph)
        for k in range(min(n_outputs, len(results))):
            r = results[k]
            if r._data.dtype.kind not in "fcV":
                continue
            tan = tans[k] if k < len(tans) else None
            if tan is None:
                tan = _make(xp.zeros_like(r._data))
            elif not keep_graph and tan._requires_grad:
                tan = tan.detach()
            if tan._data.dtype != r._data.dtype:
                tan = tan.to(r.dtype)
            if r._view_base is None:
                tan = _laid_out_as(tan, r._data)
            for p in read:
                tan = _tangent_link(tan, p)
            parent = None
            if r._view_base is not None:  # a view op: the tangent is a view of the input's
                for i, tg in enumerate(tangents):
                    if tg is not None and tensors[i]._vc is r._vc:
                        parent = weakref.ref(tensors[i])
                        break
            _set_tangent(r, tan, parent)
    finally:
        _grad_state.enabled = prev_mode
        _switches.forward_ad_hook = _propagate


def _primals(tensors):
    """The inputs as a tangent's graph reads them: each that requires grad through a view of all
    of it (as PyTorch's forward formulas read a primal), so a value that graph saves is that
    view, and the error for one written in place since names the view's node."""
    return [
        _alias(t, primal=True) if isinstance(t, Tensor) and t._requires_grad else t for t in tensors
    ]


def _laid_out_as(tan, primal):
    """``tan`` laid out as ``primal`` (an array), as PyTorch stores a tangent: one whose layout
    differs (sizes and strides, where a dimension has more than one element; the storage's size
    and the offset in it) is copied into a fresh storage laid out as the primal's, by ``copy_``
    (so through a CopyBackwards node when it has a graph); its values are then its own, which a
    later write into ``tan`` does not reach."""
    from ..ops.storage import _offset

    a = tan._data
    if (
        a.shape == primal.shape
        and all(s == t or n < 2 for s, t, n in zip(a.strides, primal.strides, primal.shape))
        and _offset(a) == _offset(primal)
        and memory_root(a).nbytes // a.itemsize == memory_root(primal).nbytes // primal.itemsize
    ):
        return tan
    storage = xp.zeros(memory_root(primal).nbytes // primal.itemsize, dtype=a.dtype)
    out = xp.lib.stride_tricks.as_strided(
        storage[_offset(primal) :],
        primal.shape,
        tuple(s // primal.itemsize * a.itemsize for s in primal.strides),
    )
    out[...] = a
    if not tan._requires_grad:
        return _make(out)
    from ..ops.inplace import _copy_from

    copied = _copy_from(_make(xp.empty_like(out)), tan)
    copied._data = out  # the same values, in the primal's layout
    return copied


def _derived(function, args, tensors, results, n_outputs, tangents, keep_graph):
    """The output tangents ``J t`` of an op with no forward formula of its own, by the
    double-vjp trick, and the primal values they must stay differentiable with respect to."""
    from . import grad

    primals = list(tensors)
    diff = []
    for i, tg in enumerate(tangents):
        if tg is not None:
            t = tensors[i]
            # A fresh alias per input, so the vjp gives partial derivatives even when one
            # input depends on another; it stays connected to the caller's graph.
            # (an inference tensor's alias gets a counter of its own: nothing here is saved
            # for a backward the user runs, as PyTorch's forward AD saves nothing)
            vc = t._vc if type(t._vc) is VersionCounter else None
            primals[i] = t.view_as(t) if t._requires_grad else _make(t._data, True, None, vc)
            diff.append(i)
        elif keep_graph and isinstance(tensors[i], Tensor) and tensors[i]._requires_grad:
            primals[i] = _alias(tensors[i], primal=True)  # as in _primals
    if isinstance(args[0], list) and args[0] is tensors:  # an op over a list of tensors
        new_args = (primals, *args[1:])
    else:
        new_args = (*primals, *args[len(tensors) :])
    out = function(*new_args)
    outs = (out,) if isinstance(out, Tensor) else tuple(out)[:n_outputs]
    live = [k for k, o in enumerate(outs) if o._requires_grad]
    us = [_make(xp.zeros_like(outs[k]._data), True) for k in live]
    vjps = (
        grad(
            [outs[k] for k in live],
            [primals[i] for i in diff],
            us,
            create_graph=True,
            allow_unused=True,
        )
        if live
        else ()
    )
    total = None
    for g, i in zip(vjps, diff):
        if g is not None:
            # <vjp(u), t> as a real inner product (Re(sum(conj(vjp) t)) for complex values),
            # whose gradient in u, in PyTorch's convention, is J t
            term = (g.conj() * tangents[i]).sum()
            if term._data.dtype.kind == "c":
                term = term.real
            total = term if total is None else total + term
    jt = [None] * len(us)
    if total is not None and total._requires_grad:
        jt = list(grad(total, us, create_graph=keep_graph, allow_unused=True))
    tans = [jt[live.index(k)] if k in live else None for k in range(len(outs))]
    # The primal values the op's formulas read (its saved inputs and results) that require
    # grad: PyTorch's tangent is differentiable with respect to them.
    opdef = getattr(function, "opdef", None)
    read = (
        []
        if not keep_graph or opdef is None
        else [
            t
            for kind, i in opdef.plan
            if kind < 2
            for t in ((tensors if kind == 0 else results)[i],)
            if isinstance(t, Tensor) and t._requires_grad
        ]
    )
    return tans, read
