"""The op table: one declaration per differentiable op.

An op is declared by its forward on arrays, the names of its tensor inputs, what it saves, and one
derivative formula per tensor input.  A formula is ``formula(grad, node)``: ``grad`` is the gradient
of the output (a tuple of them for an op with several outputs) and ``node`` gives the saved values by
name (``node.self``, ``node.result``, ``node.dim`` ...).  Formulas are written with retrograd ops, so
they are differentiable themselves and ``create_graph=True`` needs no extra code.

From a declaration, ``op`` makes the Python function (``retrograd.mul``), the Tensor method, and the
node class with PyTorch's name (``MulBackward0``)::

    @op(inputs="self other", saves="self other", broadcast=True, promote="binary",
        grads=(lambda g, n: g * n.other, lambda g, n: g * n.self))
    def mul(self, other):
        return xp.mul(self, other)
"""

import inspect

from .. import dtypes
from .._array import ndarray, xp
from ..autograd.anomaly import INTERNAL_FILES, _getframe, check_forward, outside
from ..autograd.anomaly import state as _anomaly
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import FunctionNode, ListInputNode, _sequence, grad_accumulator
from ..tensor import Tensor, _make

_FLOAT_KINDS = "fc"
_NOT_SET = object()


def _edge(t):
    """The edge a node keeps to one input: its grad_fn, its AccumulateGrad, or nothing."""
    if type(t) is not Tensor and not isinstance(t, Tensor):
        return (None, 0)
    if t._view_base is not None and len(t._vc) > 3:  # a recorded write may have made it stale
        from .inplace import fresh_grad_fn

        fresh_grad_fn(t)
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return (None, 0)


def _saved_property(i):
    return property(lambda node: node._unpack(i))


def _attr_property(i):
    return property(lambda node: node._attrs[i])


def node_class(name, formulas, saves, attrs, n_outputs=1, op_name="", base=FunctionNode):
    """The node type of an op: properties for its saved values (``_saved_self``) and attributes."""
    ns = {"__slots__": (), "_formulas": tuple(formulas), "_n_outputs": n_outputs,
          "_saved_index": {s: i for i, s in enumerate(saves)}, "_op_name": op_name}
    for i, s in enumerate(saves):
        ns[s] = ns["_saved_" + s] = _saved_property(i)
    for i, a in enumerate(attrs):
        if a not in ns:
            ns[a] = ns["_saved_" + a] = _attr_property(i)
    return type(name, (base,), ns)


def _camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class OpDef:
    """What the table knows of one op; kept as ``retrograd.ops.OPS[name]`` for tests and tools."""

    def __init__(self, name, forward, inputs, saves, grads, broadcast, promote, outputs, view,
                 node_name, returns, check):
        self.name = name
        self.forward = forward
        self.inputs = inputs
        params = list(inspect.signature(forward).parameters.values())
        self.params = [p.name for p in params]
        self.defaults = [p.default for p in params]
        self.attrs = self.params[len(inputs):]
        self.saves = saves
        self.broadcast = broadcast
        self.promote = promote
        self.outputs = outputs
        self.view = view
        self.returns = returns
        self.check = check
        self.listed = inputs == ("tensors",)  # one input: a list of tensors
        self.Node = node_class(node_name or _camel(name) + "Backward0", grads, saves, self.attrs,
                               outputs, name, ListInputNode if self.listed else FunctionNode)
        self.differentiable = any(f is not None for f in grads)
        # Where each saved name comes from: an input (0, i), an output (1, j: "result", "result1"),
        # an input's shape (2, i: "self_shape") or dtype (3, i: "self_dtype").
        plan = []
        for s in saves:
            if s in inputs:
                plan.append((0, inputs.index(s)))
            elif s.startswith("result"):
                plan.append((1, int(s[6:] or 0)))
            elif s.endswith("_shape") and s[:-6] in inputs:
                plan.append((2, inputs.index(s[:-6])))
            elif s.endswith("_dtype") and s[:-6] in inputs:
                plan.append((3, inputs.index(s[:-6])))
            else:
                raise ValueError(f"{name}: cannot save {s!r}: not an input, its shape or dtype, "
                                 "nor a result")
        self.plan = tuple(plan)

    def bind(self, args, kwargs):
        """Positional and keyword arguments in declaration order, defaults filled in."""
        n = len(self.params)
        if len(args) > n:
            raise TypeError(f"{self.name}() takes {n} arguments but {len(args)} were given")
        full = list(args) + [_NOT_SET] * (n - len(args))
        for k, v in kwargs.items():
            if k == "input" and self.params[0] == "self":
                k = "self"
            elif k == "out" and v is None:
                continue
            try:
                i = self.params.index(k)
            except ValueError:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{k}'") from None
            if full[i] is not _NOT_SET and i < len(args):
                raise TypeError(f"{self.name}() got multiple values for argument '{k}'")
            full[i] = v
        for i, v in enumerate(full):
            if v is _NOT_SET:
                d = self.defaults[i]
                if d is inspect.Parameter.empty:
                    raise TypeError(f"{self.name}() missing required argument '{self.params[i]}'")
                full[i] = d
        return full


# check_forward while anomaly mode is on, else None (one global name tested per recorded op)
_forward_check = None


def _anomaly_changed(enabled):
    global _forward_check
    _forward_check = check_forward if enabled else None


_anomaly.listeners.append(_anomaly_changed)

OPS = {}
METHODS = {}  # Tensor method name -> function, installed on Tensor by retrograd.ops


def tensor_method(fn=None, *, name=None):
    """Make a function (an op or a composition of ops) a Tensor method too: ``x.fn(...)``."""
    def register(f):
        METHODS[name or f.__name__] = f
        return f

    return register(fn) if fn is not None else register


def op(name=None, *, inputs="self", saves="", grads=(), broadcast=False, promote=None, outputs=1,
       view=False, node=None, returns=None, check=None, method=True):
    """Declare a differentiable op; see the module docstring.

    inputs:    names of the tensor parameters (first in the signature); the rest are attributes.
    saves:     inputs and ``result`` that the formulas read; attributes are always kept.
    grads:     one ``formula(grad, node)`` per tensor input, ``None`` where there is no gradient.
    broadcast: inputs broadcast against each other: gradients are summed back to each input's shape.
    promote:   ``"binary"`` for PyTorch's type promotion between inputs, ``"float"`` to compute
               integer inputs in the default float dtype.
    outputs:   how many differentiable outputs the forward returns (it may return more after them,
               which get no gradient, such as the indices of ``max``).
    view:      the output shares memory (and the version counter) with the first input.
    returns:   a namedtuple type for ops with several outputs.
    check:     ``check(*arrays, *attrs)`` raising PyTorch's error for bad input, before the forward.
    method:    also a Tensor method of the same name (``x.mul(y)``); the op's name must not start
               with an underscore to be public.
    """
    inputs = tuple(inputs.split())
    saves = tuple(saves.split())

    def declare(forward):
        d = OpDef(name or forward.__name__, forward, inputs, saves, grads or (None,) * len(inputs),
                  broadcast, promote, outputs, view, node, returns, check)
        OPS[d.name] = d
        fn = _make_function(d)
        fn.__name__ = fn.__qualname__ = d.name
        fn.__doc__ = forward.__doc__
        fn.opdef = d
        if method and not d.name.startswith("_"):
            METHODS[d.name] = fn
        return fn

    return declare


def _make_function(d):
    k = len(d.inputs)
    nparams = len(d.params)
    forward = d.forward
    Node = d.Node
    plan = d.plan
    promote = d.promote
    broadcast = d.broadcast
    view = d.view
    outputs = d.outputs
    returns = d.returns
    check = d.check
    differentiable = d.differentiable
    bind = d.bind
    listed = d.listed

    def function(*args, **kwargs):
        if kwargs or len(args) != nparams:
            args = bind(args, kwargs)
        if listed:
            tensors = wrap_tensor_list(args[0])
            args = (tensors, *args[1:])
        else:
            tensors = args[:k]
        arrays = []
        requires_grad = False
        for t in tensors:
            if isinstance(t, Tensor):
                arrays.append(t._data)
                if t._requires_grad:
                    requires_grad = True
            elif isinstance(t, xp.generic):
                arrays.append(t.item())  # NumPy scalars count as Python scalars, as in PyTorch
            else:
                arrays.append(t)
        if promote is not None:
            arrays = _promote(promote, tensors, arrays, d.name)
        if listed:
            arrays = [arrays]
        attrs = args[k:]
        if check is not None:
            check(*arrays, *attrs)
        try:
            out = forward(*arrays, *attrs)
        except ValueError as e:
            raise _shape_error(e, broadcast, arrays, d.name) from None
        record = requires_grad and differentiable and _grad_state.enabled
        if outputs == 1:
            out = _wrap(out, tensors[0] if view else None, record)
            results = (out,)
        else:
            results = tuple(_wrap(a, tensors[0] if view else None, record and i < outputs)
                            for i, a in enumerate(out))
        if record:
            node = Node.__new__(Node)
            node.next_functions = (_edge(tensors[0]),) if k == 1 and not listed else tuple(
                map(_edge, tensors))
            node._seq = next(_sequence)
            node._pre_hooks = node._hooks = node._tensor_pre_hooks = None
            node._retain_grad_hooks = node.metadata = None
            node._attrs = attrs
            node._freed_at = None
            node._meta = _broadcast_meta(tensors, results[0]._data) if broadcast else None
            if plan:
                # Where the user called the op, for the errors about its saved values (freed,
                # modified): the first frame outside retrograd, its code and bytecode offset (the
                # line is worked out only for an error).  Nodes that save nothing need no site.
                f = _getframe(1)
                if f.f_code.co_filename in INTERNAL_FILES:
                    f = outside(f)
                node._site = f.f_code
                node._site_at = f.f_lasti
                saved = []
                versions = []
                for kind, i in plan:
                    if kind == 0:
                        t = tensors[i]
                        saved.append(t)
                        versions.append(t._vc[0] if isinstance(t, Tensor) else None)
                    elif kind == 1:
                        r = results[i]
                        saved.append((r._data, r._vc))
                        versions.append(~r._vc[0])
                    else:
                        a = tensors[i]._data
                        saved.append(a.shape if kind == 2 else dtypes.FROM_NP[a.dtype])
                        versions.append(None)
                node._saved = tuple(saved)
                node._versions = tuple(versions)
            else:
                node._saved = ()
                node._versions = ()
                node._site = None
            for i in range(outputs):
                r = results[i]
                r.grad_fn = node
                r._output_nr = i
            if _forward_check is not None:  # anomaly mode
                _forward_check(node, tensors, results)
        if outputs == 1:
            return out
        return returns(*results) if returns is not None else results

    return function


def _wrap(array, base, requires_grad):
    if type(array) is not ndarray:
        array = xp.asarray(array)
    if base is not None and xp.may_share_memory(array, base._data):
        t = _make(array, requires_grad, None, base._vc)
        t._view_base = base._view_base if base._view_base is not None else base
        vc = t._vc
        if len(vc) > 3:  # made after a recorded in-place write: its grad_fn is current
            vc[3][id(t)] = vc[2]
        return t
    return _make(array, requires_grad)


def _broadcast_meta(tensors, out):
    """Per input: (shape, dtype) to fit its gradient back to, or None when it already fits."""
    meta = None
    for i, t in enumerate(tensors):
        if isinstance(t, Tensor) and (t._data.shape != out.shape or t._data.dtype != out.dtype):
            if meta is None:
                meta = [None] * len(tensors)
            dt = dtypes.FROM_NP[t._data.dtype] if t._data.dtype != out.dtype else None
            meta[i] = (t._data.shape, dt)
    return meta


def _promote(mode, tensors, arrays, name):
    """Cast the input arrays to the dtype PyTorch computes this op in.

    Python scalars stay Python scalars: the array library already gives them the tensor's type.
    """
    if mode == "binary":
        a, b = tensors[0], tensors[1]
        if isinstance(a, Tensor):
            if isinstance(b, Tensor):
                if a._data.dtype == b._data.dtype:
                    return arrays
            elif a._data.dtype.kind == "f" and type(b) in _REAL:
                return arrays
        elif isinstance(b, Tensor) and b._data.dtype.kind == "f" and type(a) in _REAL:
            return arrays
        target = dtypes.result_type(*tensors)
    elif mode == "float":
        target = dtypes.result_type(*tensors)
        if target.category < 2:  # bool or integer: computed in the default float dtype
            target = dtypes.get_default_dtype()
    else:
        raise ValueError(f"{name}: unknown promotion {mode!r}")
    np_target = target.np
    return [a.astype(np_target) if isinstance(t, Tensor) and a.dtype != np_target else a
            for t, a in zip(tensors, arrays)]


_REAL = (float, int)


def _shape_error(err, broadcast, arrays, name):
    if broadcast and "broadcast" in str(err):
        shapes = [a.shape for a in arrays if isinstance(a, ndarray)]
        if len(shapes) == 2:
            sa, sb = shapes
            for i in range(1, max(len(sa), len(sb)) + 1):
                x = sa[-i] if i <= len(sa) else 1
                y = sb[-i] if i <= len(sb) else 1
                if x != y and x != 1 and y != 1:
                    dim = max(len(sa), len(sb)) - i
                    return RuntimeError(
                        f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                        f"non-singleton dimension {dim}"
                    )
    return RuntimeError(f"{name}: {err}")


def wrap_tensor_list(values):
    """Python scalars and arrays as Tensors; Tensors unchanged (for list-taking ops)."""
    return [v if isinstance(v, Tensor) else _make(xp.asarray(v)) for v in values]
