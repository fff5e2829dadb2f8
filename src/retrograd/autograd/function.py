"""Custom autograd Functions: ``retrograd.autograd.Function`` (PyTorch's ``torch.autograd.Function``).

A subclass gives static ``forward`` and ``backward``; ``apply`` runs the forward with grad mode off and
makes one node, ``<ClassName>Backward``, which is also the ``ctx`` both methods receive.  Its saved
tensors are version-checked and released like an op's, and a backward written with retrograd ops is
itself recorded when ``create_graph=True``, so higher derivatives work.
"""

import functools
import inspect
import warnings

from .. import _switches
from .._array import xp
from .._switches import grad_mode as _grad_state
from ..tensor import (
    CUSTOM_VIEW,
    INFERENCE_SAVED,
    InferenceVersionCounter,
    Tensor,
    _make,
    bump_version,
)
from .anomaly import caller_site, node_origin
from .forward_ad import _dims, _set_tangent, tangent_of
from .grad_mode import no_grad
from .graph import hooks_open, pack_saved
from .hooks import move_retain_grad
from .node import (
    FunctionNode,
    Node,
    PackedSaved,
    _edge,
    _sequence,
    check_version,
    freed_error,
)

_LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."
_VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_DIRTY_NOT_RETURNED = (
    "Some elements marked as dirty during the forward method were not returned as "
    "output. The inputs that are modified inplace must all be outputs of the "
    "Function."
)
_NO_JVP = (
    "You must implement the jvp function for custom autograd.Function to use it with forward "
    "mode AD."
)
_NO_BACKWARD = (
    "You must implement either the backward or vjp method for your custom "
    "autograd.Function to use it with backward mode AD."
)


class FunctionCtx:
    """What ``forward``/``setup_context`` may tell ``backward`` through ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs, outputs or None) for ``backward``; read them as ``saved_tensors``."""
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Keep tensors for ``jvp``, which reads them as ``saved_tensors``."""
        self._to_save_fwd = tensors

    def mark_dirty(self, *tensors) -> None:
        """These inputs were modified in place by ``forward`` (and are returned as outputs)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """These outputs get no gradient: they do not require grad, and ``backward`` gets zeros."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self._materialize = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of one ``Function.apply`` call; its class is ``<ClassName>Backward``."""

    _forward_cls = None
    _materialize = True
    _runs_on_none = True  # PyTorch calls backward with no gradient at all (zeros, or None)
    _to_save = ()
    _to_save_fwd = ()
    _jvp_saved = None  # what save_for_forward kept, while jvp runs
    _dirty = ()
    _non_differentiable = ()
    # positions in _saved of inputs that had a grad_fn when saved: one detached in place since
    # (detach_) is named in the version error as this node's output 0, as PyTorch names it
    _saved_with_history = ()

    @property
    def saved_tensors(self):
        if self._jvp_saved is not None:
            return self._jvp_saved
        saved = self._saved
        if saved is None:
            raise freed_error(self)
        out = []
        for i, entry in enumerate(saved):
            if entry is None:
                out.append(None)
                continue
            t, version, output_nr = entry
            if type(t) is PackedSaved:  # via saved_tensors_hooks: as in PyTorch, no version check
                t = t.unpack(self)
                if output_nr is not None:
                    t._output_nr = output_nr
                out.append(t)
                continue
            if output_nr is not None:  # one of our outputs, kept without a reference cycle
                data, vc = t
                t = _make(data, True, self, vc)
                t._output_nr = output_nr
            elif t._vc.version != version and t.grad_fn is None:
                if i in self._saved_with_history:  # (see _saved_with_history)
                    t = _make(t._data, True, self, t._vc)
            check_version(self, t, version)
            out.append(t)
        return tuple(out)

    @property
    def saved_variables(self):
        """The old name of ``saved_tensors``."""
        warnings.warn(
            "'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2
        )
        return self.saved_tensors

    def __call__(self, *grads):
        raise TypeError(f"'{type(self).__name__}' object is not callable")

    def __repr__(self):
        # PyTorch's custom Function nodes are Python classes of its autograd.function module
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def apply(self, *args):
        """Called by the engine as ``apply(grads, needed)`` (``grads`` a list); called by a user with
        the output gradients, it runs ``backward`` and returns what it returns, as in PyTorch."""
        if not args or type(args[0]) is not list:
            return _user_backward(self._forward_cls)(self, *args)
        return self._run(*args)

    def _run(self, grads, needed):
        n = len(self._outputs)
        grads = list(grads) + [None] * (n - len(grads))
        if self._materialize:  # (non-Tensor outputs, recorded as None, get None)
            grads = [
                g if g is not None or meta is None else _make(xp.zeros(meta[0], dtype=meta[1]))
                for g, meta in zip(grads, self._outputs)
            ]
        result = _user_backward(self._forward_cls)(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        nargs = len(self._args)
        if len(result) < nargs or any(r is not None for r in result[nargs:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of "
                f"gradients (expected {nargs}, got {len(result)})" + _where(self)
            )
        for pos in range(nargs):
            r = result[pos]
            if r is not None:
                if self._args[pos] is None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {pos + 1}, but the corresponding forward input was not a Variable"
                        + _where(self)
                    )
                if not isinstance(r, Tensor):
                    raise RuntimeError(
                        f"expected Variable or None (got {type(r).__name__})" + _where(self)
                    )
        out = []
        for (nxt, _), pos in zip(self.next_functions, self._tensor_positions):
            g = result[pos]
            if nxt is None:  # an input that needs no gradient: only node hooks see this one
                out.append(g)
                continue
            if g is None or (needed is not None and nxt not in needed):
                out.append(None)
                continue
            shape, dtype = self._args[pos]
            if g.dtype is not dtype and g.dtype.is_floating_point and dtype.is_floating_point:
                g = g.to(dtype)  # as PyTorch casts a returned gradient to its input's dtype
            if g.shape != shape:
                if not _sums_to(shape, g.shape):
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {pos} - got "
                        f"[{', '.join(map(str, g.shape))}] but expected shape compatible with "
                        f"[{', '.join(map(str, shape))}]" + _where(self)
                    )
                g = g.sum_to_size(shape)
            out.append(g)
        return out

    _release = FunctionNode._release  # drop the saved tensors, remembering which backward did
    _kept_on_release = ()
    _attrs = ()  # (FunctionNode._release looks at a declared op's attributes)


def _where(node):
    """Our sentence after PyTorch's error text: the node and the apply() call that made it."""
    return f" ({node_origin(node)}.)"


def _user_backward(cls):
    """The Function's ``backward``, or its ``vjp`` (PyTorch accepts either name, not both)."""
    backward, vjp = cls.backward, cls.vjp
    if vjp is Function.vjp or vjp is backward:
        return backward
    if backward is not Function.backward:
        raise RuntimeError(
            "Implementing both 'backward' and 'vjp' for a custom Function is not "
            "allowed. You should only implement one of them."
        )
    return vjp


def _sums_to(small, big):
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


class Function(FunctionCtx):
    """Base class of custom autograd operations (``torch.autograd.Function``)."""

    _uses_setup_context = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(
            cls.__name__ + "Backward",
            (BackwardCFunction,),
            {"_forward_cls": cls, "__module__": cls.__module__},
        )
        cls._uses_setup_context = cls.setup_context is not Function.setup_context
        cls._has_jvp = cls.jvp is not Function.jvp

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. "
            "Please use new-style autograd function with static forward method. "
            "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(_NO_BACKWARD)

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError(_NO_JVP)

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls._uses_setup_context:
            args, kwargs = _bind_defaults(cls.forward, args, kwargs)
        if kwargs:
            args = _place_keywords(cls.forward, args, kwargs, 0 if cls._uses_setup_context else 1)
        node = cls._backward_cls.__new__(cls._backward_cls)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = _grad_state.enabled and any(node.needs_input_grad)
        if record:  # the inputs' edges as they are before forward writes any (PyTorch's order)
            node._tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
            node.next_functions = tuple(_edge(args[i]) for i in node._tensor_positions)
        tangents = _input_tangents(args)
        # forward runs without a graph and, with tangents, without forward AD: jvp gives the
        # outputs' tangents
        prev = _grad_state.enabled
        _grad_state.enabled = False
        hook = None
        if tangents is not None:
            hook, _switches.forward_ad_hook = _switches.forward_ad_hook, None
        try:
            if cls._uses_setup_context:
                output = cls.forward(*args)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args)
        finally:
            _grad_state.enabled = prev
            if hook is not None:
                _switches.forward_ad_hook = hook
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        _check_dirty(node, outputs)
        if record:
            outputs = _connect(node, args, outputs)
        else:
            for t in node._dirty:
                bump_version(t, caller_site(3))
            outputs = _returned_inputs(node, args, outputs)
            output = outputs[0] if single else outputs
        if tangents is not None:
            _run_jvp(cls, node, args, tangents, outputs)
        if not record:
            return output
        return outputs[0] if single else outputs


def _bind_defaults(forward, args, kwargs):
    """With ``setup_context``, ``inputs`` holds every argument of ``forward``, defaults filled in."""
    code = getattr(forward, "__code__", None)
    if (
        not kwargs
        and code is not None
        and not code.co_flags & inspect.CO_VARARGS
        and len(args) == code.co_argcount
    ):
        return args, kwargs  # already exactly forward's positional parameters
    bound = inspect.signature(forward).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args, bound.kwargs


def _place_keywords(forward, args, kwargs, skip):
    """Keyword arguments become positional ones, in the order of ``forward``'s parameters (so they
    count as inputs, as in PyTorch); a gap left before them is an error."""
    code = inspect.unwrap(forward).__code__
    names = code.co_varnames[skip : code.co_argcount]
    placed = dict(enumerate(args))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{key}'")
        i = names.index(key)
        if i in placed:
            raise TypeError(f"forward() got multiple values for argument '{key}'")
        placed[i] = value
    for i in range(max(placed) + 1):
        if i not in placed:
            raise TypeError(f"forward() missing required argument: '{names[i]}' (position {i})")
    return tuple(placed[i] for i in range(len(placed)))


def _returned_inputs(node, args, outputs):
    """Without a graph, every output is one without grad (``_without_grad``)."""
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    if not any(id(o) in inputs for o in outputs):
        return outputs
    dirty = {id(t) for t in node._dirty}
    return tuple(_without_grad(o, id(o) in dirty) if id(o) in inputs else o for o in outputs)


def _without_grad(t, dirty):
    """An input returned as an output that gets no grad_fn (no graph is recorded, or it is marked
    non-differentiable), as PyTorch returns it: a detached alias if it requires grad (dirty or
    not), else a view of it, or itself if it is dirty."""
    if t._requires_grad:
        return _alias(t, False)
    return t if dirty else _alias(t, True)


def _alias(t, view):
    """A new tensor on ``t``'s memory and version counter, for an input a Function returns as it
    is; with ``view``, a view of ``t`` (of its base, for a view)."""
    alias = _make(t._data, False, None, t._vc)
    if view:
        alias._view_base = t._view_base if t._view_base is not None else t
        alias._attr_version = t._vc.version
    return alias


def _check_dirty(node, outputs):
    for t in node._dirty:
        if not any(o is t for o in outputs):
            raise RuntimeError(_DIRTY_NOT_RETURNED)


def _input_tangents(args):
    """The inputs' tangents while a forward-AD level is open and some input has one, else None."""
    if _switches.forward_ad_hook is None:
        return None
    tangents = [tangent_of(a) if isinstance(a, Tensor) else None for a in args]
    return tangents if any(t is not None for t in tangents) else None


def _run_jvp(cls, node, args, tangents, outputs):
    """Forward mode through a custom Function: its ``jvp`` maps input tangents to output tangents."""
    if not cls._has_jvp:
        raise NotImplementedError(_NO_JVP)
    # An input without a tangent gets zeros, a non-Tensor argument None.
    tangents = [
        t if t is not None or not isinstance(a, Tensor) else _make(xp.zeros_like(a._data))
        for a, t in zip(args, tangents)
    ]
    node._jvp_saved = tuple(node._to_save_fwd)
    try:
        result = cls.jvp(node, *tangents)
    finally:
        node._jvp_saved = None
        node._to_save_fwd = ()
    if not isinstance(result, tuple):
        result = (result,)
    n = sum(isinstance(o, Tensor) for o in outputs)
    if len(result) != n:
        raise RuntimeError(
            f"Function's jvp returned an invalid number of forward gradients "
            f"(expected {n} but got {len(result)})"
        )
    non_diff = {id(t) for t in node._non_differentiable}
    for k, (o, t) in enumerate(zip((o for o in outputs if isinstance(o, Tensor)), result)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise RuntimeError(
                f"expected Variable or None (got {type(t).__name__}) for grad output {k}."
            )
        if id(o) in non_diff or o._data.dtype.kind not in "fcV":
            raise RuntimeError(
                f"Function's jvp returned a gradient at position {k}, but  the "
                "corresponding forward output is not a differentiable Tensor.You "
                "should return None at that position instead."
            )
        if t._data.shape != o._data.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {_dims(o)} while the "
                f"given forward gradient is of size {_dims(t)}."
            )
        _set_tangent(o, t)


def _connect(node, args, outputs):
    """Make ``node`` the grad_fn of the outputs and keep what backward needs."""
    node._args = [(a._data.shape, a.dtype) if isinstance(a, Tensor) else None for a in args]
    node._seq = next(_sequence)
    node._site, node._site_at = caller_site(3)
    node._freed_at = None
    dirty = {id(t) for t in node._dirty}
    non_diff = {id(t) for t in node._non_differentiable}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    for t in node._dirty:  # changed by this apply() call: counted first, also when refused below
        bump_version(t, (node._site, node._site_at))
    result = []
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            result.append(o)
            continue
        is_dirty, is_input = id(o) in dirty, id(o) in inputs
        if id(o) in non_diff or o._data.dtype.kind not in "fcV":
            if is_input:
                o = _without_grad(o, is_dirty)
            else:
                o._requires_grad = False
        else:
            if is_dirty:
                if o._requires_grad and o._grad_fn is None:
                    raise RuntimeError(_LEAF_DIRTY)
                o._grad = None  # a .grad it retained was of its old value (PyTorch clears it)
                base = o._view_base
                if base is not None and o._view_meta is not None:
                    from ..ops.inplace import _view_error  # (ops sit above autograd)

                    raise _view_error(o, False)
                if base is not None and o.requires_grad and base.grad_fn is None:
                    raise RuntimeError(_VIEW_OF_LEAF)  # (a leaf base, requiring grad or not)
                move_retain_grad(o, node, i)
            elif is_input:  # an input returned as it is: a new tensor viewing it, as in PyTorch
                o = _alias(o, True)
            o.grad_fn = node
            o._output_nr = i
            o._requires_grad = True
            if o._view_base is not None:
                if id(o) in dirty:
                    from ..ops.inplace import dirty_view  # (ops sit above autograd)

                    positions = node._tensor_positions
                    dirty_view(o, node, [j for j, p in enumerate(positions) if args[p] is o])
                else:  # the custom backward must not be replaced by view+inplace handling
                    o._custom_view = f"Output {i} of {node._forward_cls.__name__}"
                    o._view_meta = CUSTOM_VIEW
        result.append(o)
    node._outputs = [
        (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in result
    ]
    node._saved = tuple(_save(i, t, result) for i, t in enumerate(node._to_save))
    with_history = tuple(
        i
        for i, e in enumerate(node._saved)
        if e is not None
        and e[2] is None
        and type(e[0]) is not PackedSaved
        and e[0].grad_fn is not None
    )
    if with_history:
        node._saved_with_history = with_history
    node._to_save = ()
    return tuple(result)


def _save(index, t, outputs):
    if t is None:
        return None
    if not isinstance(t, Tensor):
        raise TypeError(
            f"save_for_backward can only save variables, but argument {index} is of "
            f"type {type(t).__name__}"
        )
    if type(t._vc) is InferenceVersionCounter:
        raise RuntimeError(INFERENCE_SAVED)
    output_nr = None
    for i, o in enumerate(outputs):
        if o is t and t.grad_fn is not None:
            output_nr = i
            break
    if hooks_open():  # saved_tensors_hooks are open: keep what pack_hook returns
        return (pack_saved(t, output_nr), t._vc.version, output_nr)
    if output_nr is not None:
        return (
            (t._data, t._vc),
            t._vc.version,
            output_nr,
        )  # no reference from the node to its output
    return (t, t._vc.version, None)


class Error(Node):
    """What a ``once_differentiable`` backward returns while a graph is being built: its outputs
    require grad, and differentiating through them raises (PyTorch's ``DelayedError`` node)."""

    def name(self) -> str:
        return "torch::autograd::Error"

    def apply(self, grads, needed):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def _delayed_error(outputs):
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    node = Error()
    # Each output's edge leads to a fresh leaf alias of it, so the outputs require grad.
    node.next_functions = tuple(
        _edge(_make(o._data, True)) if isinstance(o, Tensor) else (None, 0) for o in outs
    )
    node._seq = next(_sequence)
    result = []
    for k, o in enumerate(outs):
        if isinstance(o, Tensor):
            o = _make(o._data, True, node)
            o._output_nr = k
        result.append(o)
    return result[0] if single else tuple(result)


def once_differentiable(fn):
    """Decorates a ``backward`` that cannot itself be differentiated: it runs with grad mode off,
    and when a graph is being built (``create_graph``, grad outputs that require grad) its outputs
    lead to a node that raises if differentiated."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not _grad_state.enabled or not any(
            isinstance(a, Tensor) and a._requires_grad for a in args
        ):
            return outputs
        return _delayed_error(outputs)

    return wrapper


__all__ = ["BackwardCFunction", "Function", "FunctionCtx", "once_differentiable"]
