"""Custom autograd Functions: ``retrograd.autograd.Function`` (PyTorch's ``torch.autograd.Function``).

A subclass gives static ``forward`` and ``backward``; ``apply`` runs the forward with grad mode off and
makes one node, ``<ClassName>Backward``, which is also the ``ctx`` both methods receive.  Its saved
tensors are version-checked and released like an op's, and a backward written with retrograd ops is
itself recorded when ``create_graph=True``, so higher derivatives work.
"""

import functools

from .._array import xp
from ..tensor import Tensor, _make, bump_version
from .anomaly import caller_site, node_origin
from .grad_mode import no_grad
from .grad_mode import state as _grad_state
from .graph import hooks_open, pack_saved
from .node import (_FREED, FunctionNode, Node, PackedSaved, _freed_hint, _modified_message,
                   _sequence)

_LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."
_NO_BACKWARD = ("You must implement either the backward or vjp method for your custom "
                "autograd.Function to use it with backward mode AD.")


class FunctionCtx:
    """What ``forward``/``setup_context`` may tell ``backward`` through ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs, outputs or None) for ``backward``; read them as ``saved_tensors``."""
        self._to_save = tensors

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
    _to_save = ()
    _dirty = ()
    _non_differentiable = ()

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED + _freed_hint(self))
        out = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            t, version, output_nr = entry
            if type(t) is PackedSaved:  # through saved_tensors_hooks: no version check, as in PyTorch
                t = t.unpack(self)[0]
                if output_nr is not None:
                    t._output_nr = output_nr
                out.append(t)
                continue
            if output_nr is not None:  # one of our outputs, kept without a reference cycle
                data, vc = t
                t = _make(data, True, self, vc)
                t._output_nr = output_nr
            if t._vc[0] != version:
                raise RuntimeError(_modified_message(self, t, t._vc[0], version, len(out),
                                                     t._vc[1] if len(t._vc) > 1 else None))
            out.append(t)
        return tuple(out)

    def apply(self, grads, needed):
        n = len(self._outputs)
        grads = list(grads) + [None] * (n - len(grads))
        if self._materialize:
            grads = [g if g is not None else _make(xp.zeros(shape, dtype=dt))
                     for g, (shape, dt) in zip(grads, self._outputs)]
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        nargs = len(self._args)
        if len(result) < nargs or any(r is not None for r in result[nargs:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {nargs}, got {len(result)})" + _where(self))
        out = []
        for (nxt, _), pos in zip(self.next_functions, self._tensor_positions):
            g = result[pos]
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})"
                                   + _where(self))
            if g is None or nxt is None or (needed is not None and nxt not in needed):
                out.append(None)
                continue
            shape = self._args[pos]
            if g.shape != shape:
                if not _sums_to(shape, g.shape):
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {pos} - got "
                        f"[{', '.join(map(str, g.shape))}] but expected shape compatible with "
                        f"[{', '.join(map(str, shape))}]" + _where(self))
                g = g.sum_to_size(shape)
            out.append(g)
        return out

    _release = FunctionNode._release  # drop the saved tensors, remembering which backward did


def _where(node):
    """Our sentence after PyTorch's error text: the node and the apply() call that made it."""
    return f" ({node_origin(node)}.)"


def _sums_to(small, big):
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


class Function(FunctionCtx):
    """Base class of custom autograd operations (``torch.autograd.Function``)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": cls.__module__})

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(_NO_BACKWARD)

    vjp = backward

    @classmethod
    def apply(cls, *args):
        node = cls._backward_cls.__new__(cls._backward_cls)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = _grad_state.enabled and any(node.needs_input_grad)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args)
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        if not record:
            return output
        outputs = _connect(node, args, outputs)
        return outputs[0] if single else outputs


def _connect(node, args, outputs):
    """Make ``node`` the grad_fn of the outputs and keep what backward needs."""
    from ..ops.registry import _edge

    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    node._tensor_positions = positions
    node.next_functions = tuple(_edge(args[i]) for i in positions)
    node._args = [a._data.shape if isinstance(a, Tensor) else None for a in args]
    node._seq = next(_sequence)
    node._site, node._site_at = caller_site(3)
    node._freed_at = None
    dirty = {id(t) for t in node._dirty}
    non_diff = {id(t) for t in node._non_differentiable}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    result = []
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            result.append(o)
            continue
        if id(o) in dirty:
            if o._requires_grad and o.grad_fn is None:
                raise RuntimeError(_LEAF_DIRTY)
            base = o._view_base
            if base is not None and base._requires_grad and base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            bump_version(o, (node._site, node._site_at))  # changed by this apply() call
        elif id(o) in inputs:  # an input returned as it is: a new tensor, as in PyTorch
            o = _make(o._data, False, None, o._vc)
        if id(outputs[i]) in non_diff:
            o._requires_grad = False
        else:
            o.grad_fn = node
            o._output_nr = i
            o._requires_grad = True
            if id(o) in dirty and o._view_base is not None:
                from ..ops.inplace import dirty_view  # (ops sit above autograd)

                dirty_view(o)
        result.append(o)
    node._outputs = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), xp.float32)
                     for o in result]
    node._saved = tuple(_save(t, result) for t in node._to_save)
    node._to_save = ()
    return tuple(result)


def _save(t, outputs):
    if t is None:
        return None
    for i, o in enumerate(outputs):
        if o is t and t.grad_fn is not None:
            if hooks_open():
                return (pack_saved(t, True), None, i)
            return ((t._data, t._vc), t._vc[0], i)  # no reference from the node to its output
    if hooks_open():
        return (pack_saved(t), None, None)
    return (t, t._vc[0], None)


def once_differentiable(fn):
    """Decorates a ``backward`` that cannot itself be differentiated: it runs with grad mode off."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper


__all__ = ["BackwardCFunction", "Function", "FunctionCtx", "once_differentiable"]
