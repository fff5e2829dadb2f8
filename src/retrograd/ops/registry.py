"""The op table: one declaration per differentiable op.

An op is declared by its forward on arrays, the names of its tensor inputs, what it saves, and one
derivative formula per tensor input.  A formula is ``formula(grad, node)``: ``grad`` is the gradient
of the output (a tuple of them for an op with several outputs) and ``node`` gives the saved values by
name (``node.self``, ``node.result``, ``node.dim`` ...).  Formulas are written with retrograd ops, so
they are differentiable themselves and ``create_graph=True`` needs no extra code.

From a declaration, ``op`` makes the Python function (``retrograd.mul``), the Tensor method, and the
node class with PyTorch's name (``MulBackward0``)::

    @op(inputs="self other", saves=("other", "self"), broadcast=True, promote="binary",
        grads=(lambda g, n: g * n.other, lambda g, n: g * n.self))
    def mul(self, other):
        return xp.mul(self, other)

``saves`` is either one string, all kept whenever a node is made, or (as here) one string per input:
what that input's formula reads.  A node then keeps an input only when the one formula that reads it
will run: ``x * 2.0`` keeps 2.0 and not ``x``, and writing into ``x`` afterwards is no error.  As in
PyTorch, a value read by several formulas, a result, and sizes and dtypes are kept whichever inputs
need a gradient.  The plan for each combination of inputs needing one is made here, once.
"""

import inspect
import sys
import weakref

from .. import _switches, dtypes
from .._array import (
    iterator_layout,
    kept_layout,
    kept_order,
    memory_root,
    ndarray,
    size1_strides_matter,
    xp,
)
from .._out import call_with_out
from .._switches import grad_mode as _grad_state
from ..autograd.anomaly import INTERNAL_FILES, _getframe, caller_site, outside
from ..autograd.cuts import note as _note_cut
from ..autograd.cuts import op_name_of
from ..autograd.cuts import state as _cut_state
from ..autograd.node import (
    _NO_EDGE,
    RELEASED,
    BinaryNode,
    FunctionNode,
    ListInputNode,
    SavedOutput,
    UnaryNode,
    _edge,
    _sequence,
    freed_error,
)
from ..tensor import (
    INFERENCE_SAVED,
    INFERENCE_VIEW,
    MULTI_VIEW,
    NO_GRAD_VIEW,
    InferenceVersionCounter,
    Tensor,
    VersionCounter,
    _make,
    type_name,
)
from .argument_kinds import OP_KINDS, OP_METHOD_KINDS

_new = object.__new__
_next_seq = _sequence.__next__  # (a node's sequence number: one global read, no next() call)

_FLOAT_KINDS = "fcV"  # (V: bfloat16, from ml_dtypes)
# Set membership of a dtype is cheaper than reading its kind, on the paths every op call takes.
# (float16 is left to the general path, which computes it in float32 as PyTorch does)
_REAL_FLOAT_DTYPES = frozenset(xp.dtype(n) for n in ("float32", "float64"))
_FLOAT_DTYPES = _REAL_FLOAT_DTYPES | {xp.dtype("complex64"), xp.dtype("complex128")}
# A Python number operand of a ufunc costs NumPy a microsecond a call to work out as the array's
# type; as a 0-d array of that type the call computes the same thing.  Per dtype: number -> the
# operand to pass (the 0-d array, or the number itself where it does not convert exactly).
_NUMBER_OPERANDS = {dt: {} for dt in _REAL_FLOAT_DTYPES}
_NOT_SET = object()
_EVERY_OUTPUT = sys.maxsize  # outputs=None: as many as the forward returns


class Replay:
    """What an op-call interceptor (``_switches.batching``) returns to have the op record its
    node as usual but take ``value`` (its forward's arrays, kept from an earlier call) instead
    of running the forward: selective checkpointing's recomputation of a saved op."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _saved_property(i):
    def get(node):
        # The common cases inline (a live input or first output at the version it was saved
        # with, a Python value); everything else (freed, modified, packed by a hook, a later
        # output) goes through Node._unpack.
        saved = node._saved
        if saved is not None:
            t = saved[i]
            version = node._versions[i]
            if version is None:
                if t is not RELEASED:  # a Python value (x * 0.9 keeps 0.9), a size or dtype
                    return t
            elif t._vc.version == version:
                return t
            elif type(t) is SavedOutput and len(t) == 2 and t[1].version == version:
                return _make(t[0], True, node, t[1])  # the op's first output, as _unpack makes it
        return node._unpack(i)

    return property(get)


def _attr_property(i, default):
    # A call that left trailing attributes to their defaults recorded only those it was given.
    def get(node):
        attrs = node._attrs
        if attrs is None:  # released with the index it held
            raise freed_error(node)
        return attrs[i] if i < len(attrs) else default

    return property(get)


def node_class(
    name, formulas, saves, attrs, n_outputs=1, op_name="", base=FunctionNode, defaults=()
):
    """The node type of an op: properties for its saved values (``_saved_self``) and attributes."""
    ns = {
        "__slots__": (),
        "_formulas": tuple(formulas),
        "_n_outputs": n_outputs,
        "_saved_slots": {s: i for i, s in enumerate(saves)},
        "_op_name": op_name,
    }
    for i, s in enumerate(saves):
        ns[s] = ns["_saved_" + s] = _saved_property(i)
    for i, a in enumerate(attrs):
        if a not in ns:
            ns[a] = ns["_saved_" + a] = _attr_property(
                i, defaults[i] if i < len(defaults) else None
            )
    if (
        "::" in name
    ):  # PyTorch's C++ nodes: name() gives the qualified name, the class the last part
        ns["name"] = lambda self, full=name: full
        name = name.rsplit("::", 1)[1]
    return type(name, (base,), ns)


def _camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class OpDef:
    """What the table knows of one op; kept as ``retrograd.ops.OPS[name]`` for tests and tools."""

    def __init__(
        self,
        name,
        forward,
        inputs,
        saves,
        grads,
        broadcast,
        promote,
        outputs,
        view,
        node_name,
        returns,
        check,
        saves_for=None,
        array_fn=None,
        jvp=None,
        real=None,
        number_node=None,
        numbers=None,
        complex_grad=True,
        sparse=None,
    ):
        self.name = name
        self.sparse = sparse
        self.jvp = jvp
        self.real = real
        self.complex_grad = complex_grad
        self.forward = forward
        self.array_fn = array_fn
        self.inputs = inputs
        params = list(inspect.signature(forward).parameters.values())
        self.params = [p.name for p in params]
        self.defaults = [p.default for p in params]
        self.attrs = self.params[len(inputs) :]
        self.saves = saves
        self.broadcast = broadcast
        self.promote = promote
        self.outputs = outputs
        self.view = view
        self.returns = returns
        self.check = check
        self.listed = inputs == ("tensors",)  # one input: a list of tensors
        # The inputs a node has an edge to: as in PyTorch, only those with a derivative formula
        # (a mask, a condition, a loss's weight have none), unless none has one (the node of a
        # comparison refuses gradients through its inputs).  None: every input.
        self.grads = tuple(grads)  # as declared: one per input
        edged = tuple(i for i, f in enumerate(grads) if f is not None)
        self.edged = None if self.listed or len(edged) in (0, len(inputs)) else edged
        if self.edged is not None:
            grads = tuple(grads[i] for i in edged)
        n_edges = len(inputs) if self.edged is None else len(edged)
        # PyTorch's node for an op with no derivative has edges to the inputs that require grad
        # alone.
        self.needed_edges_only = node_name == "torch::autograd::NotImplemented"
        # Which inputs may be a Python number (see op): every input of a private op, which only
        # retrograd's own functions call.
        if name.startswith("_") or numbers == "all":
            self.numbers = frozenset(range(len(inputs)))
        else:
            self.numbers = frozenset(inputs.index(n) for n in (numbers or "").split())
        self.numbers_together = name.startswith("_") or numbers == "all"
        base = (
            ListInputNode
            if self.listed
            else UnaryNode
            if n_edges == 1 and outputs == 1 and grads[0] is not None
            else BinaryNode
            if n_edges == 2 and outputs == 1 and not self.needed_edges_only
            else FunctionNode
        )
        self.Node = node_class(
            node_name or _camel(name) + "Backward0",
            grads,
            saves,
            self.attrs,
            outputs,
            name,
            base,
            self.defaults[len(inputs) :],
        )
        # The node of the overload that takes the second input as a number: one edge.
        self.NumberNode = (
            None
            if number_node is None
            else node_class(
                number_node,
                grads[:1],
                saves,
                self.attrs,
                outputs,
                name,
                UnaryNode,
                self.defaults[len(inputs) :],
            )
        )
        self.differentiable = any(f is not None for f in grads)
        # Where each saved name comes from: an input (0, i), an output (1, j: "result", "result1"),
        # an input's shape (2, i: "self_shape"), dtype (3, i: "self_dtype") or strides in bytes
        # (4, i: "self_strides", for formulas that give a gradient the input's memory order).
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
            elif s.endswith("_strides") and s[:-8] in inputs:
                plan.append((4, inputs.index(s[:-8])))
            else:
                raise ValueError(
                    f"{name}: cannot save {s!r}: not an input, its shape or dtype, nor a result"
                )
        self.plan = tuple(plan)
        kept = frozenset(j for j, (kind, _) in enumerate(plan) if kind >= 2)
        for node in (self.Node, self.NumberNode) if self.NumberNode else (self.Node,):
            node._kept_on_release = kept
            # A release that only drops what was saved, which the engine does inline (see Node).
            node._plain_release = not kept
        self.saves_for = saves_for
        self.plans = None if saves_for is None else _plans_by_need(self.plan, saves, saves_for)
        # Whether a node may keep a tensor that the formulas it runs do not read (PyTorch checks
        # those too): with several inputs, unless each kept value is read by every formula.
        self.Node._check_unread = check_unread = (
            len(inputs) > 1
            and not self.listed
            and (
                saves_for is None
                or any(
                    kind < 2 and not all(s in reads for reads in saves_for)
                    for s, (kind, _) in zip(saves, plan)
                    if sum(s in reads for reads in saves_for) != 1
                )
            )
        )
        if self.NumberNode is not None:
            self.NumberNode._check_unread = check_unread

    def bind(self, args, kwargs):
        """Positional and keyword arguments in declaration order, defaults filled in."""
        n = len(self.params)
        if len(args) > n:
            plural = "" if n == 1 else "s"
            raise TypeError(
                f"{self.name}() takes {n} positional argument{plural} but {len(args)} were given"
            )
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
                    raise self._missing(full)
                full[i] = d
        return full

    def _missing(self, full) -> TypeError:
        """PyTorch's error for required arguments left out (its names: input for self)."""
        empty = inspect.Parameter.empty
        names = [
            "input" if p == "self" else p
            for p, v, d in zip(self.params, full, self.defaults)
            if v is _NOT_SET and d is empty
        ]
        listed = ", ".join(f'"{n}"' for n in names)
        return TypeError(
            f"{self.name}() missing {len(names)} required positional arguments: {listed}"
        )


def _plans_by_need(plan, saves, saves_for):
    """``plans[mask]``: what a node keeps when the inputs in ``mask`` (bit i: input i) need a
    gradient; ``None`` in place of an entry left out.  An input read by one formula alone is kept
    only for that formula; results, sizes, dtypes and inputs several formulas read always are."""
    only_for = []
    for s, (kind, _) in zip(saves, plan):
        readers = [i for i, reads in enumerate(saves_for) if s in reads]
        only_for.append(readers[0] if kind == 0 and len(readers) == 1 else None)
    return tuple(
        tuple(p if i is None or mask >> i & 1 else None for p, i in zip(plan, only_for))
        for mask in range(1 << len(saves_for))
    )


def _pytorch_order(saves, inputs):
    """The saved names in the order PyTorch's nodes save (and pack) them: inputs by name, then
    results, sizes and dtypes as declared."""
    return tuple(sorted(s for s in saves if s in inputs)) + tuple(
        s for s in saves if s not in inputs
    )


_COMPLEX_NAMES = {xp.dtype("complex64"): "ComplexFloat", xp.dtype("complex128"): "ComplexDouble"}


def refuse_complex(error, *operands):
    """Raise PyTorch's error for an op without a complex kernel when an operand (a tensor or an
    array; anything else is passed over) is complex.  ``error`` is the kernel's name, for the
    ``NotImplementedError`` PyTorch's dtype dispatch raises, or ``(exception type, text)``."""
    for a in operands:
        a = getattr(a, "_data", a)
        if type(a) is ndarray and a.dtype.kind == "c":
            if type(error) is str:
                raise NotImplementedError(
                    f"\"{error}\" not implemented for '{_COMPLEX_NAMES[a.dtype]}'"
                )
            raise error[0](error[1])


def dtype_refusal(kernel, a):
    """PyTorch's NotImplementedError for a kernel its dtype dispatch has none of for the dtype
    of the tensor or array ``a``."""
    name = dtypes.FROM_NP[getattr(a, "_data", a).dtype]._tensor_name[: -len("Tensor")]
    return NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def refuse_unless_floating(kernel, a):
    """``dtype_refusal`` for a kernel of floating types only, when the tensor or array ``a``
    holds integers, bools or complex numbers."""
    if getattr(a, "_data", a).dtype.kind not in "fV":
        raise dtype_refusal(kernel, a)


def _complex_check(error, check, k):
    """``check`` preceded by the refusal of complex inputs (the first ``k`` arrays)."""

    def checked(*args):
        refuse_complex(error, *args[:k])
        if check is not None:
            check(*args)

    return checked


OPS = {}
METHODS = {}  # Tensor method name -> function, installed on Tensor by retrograd.ops


def tensor_method(fn=None, *, name=None):
    """Make a function (an op or a composition of ops) a Tensor method too: ``x.fn(...)``."""

    def register(f):
        METHODS[name or f.__name__] = f
        return f

    return register(fn) if fn is not None else register


def _shared_grads(g, n, in_arrays, in_tensors):
    """The gradients of every input at once, by ``in_arrays`` or, under create_graph, by
    ``in_tensors``; the formulas that run after the first take theirs from the node, which lets
    them go when the last one has."""
    memo = n.__dict__
    cached = memo.get("_shared_grads")
    if cached is not None and cached[0] is g:
        return cached[1]
    grads = (in_tensors if _grad_state.enabled else in_arrays)(g, n)
    memo["_shared_grads"] = (g, grads)
    return grads


def input_edge(n, i=0):
    """What a backward op takes for the forward's input ``i`` whose derivative in it is zero
    (PyTorch's backward ops of the pools, pads and nll_loss take the forward's input): a
    tensor of no values (a 0-d zero) that carries only the forward node ``n``'s edge to that
    input, so the backward op's node gets the edge without the forward node keeping the
    input; None while grad mode is off (no node is recorded then) or where ``n`` has no edge."""
    if not _grad_state.enabled:
        return None
    fn, nr = n.next_functions[i]
    if fn is None:
        return None
    t = _make(xp.zeros(()), True, fn)
    t._output_nr = nr
    return t


def shared_formulas(count, in_arrays, in_tensors):
    """``grads=`` for an op whose inputs' gradients share their work: one computation,
    ``in_arrays(g, node)`` (on arrays, fast) or ``in_tensors(g, node)`` (in differentiable ops,
    under create_graph), returns all ``count`` of them."""

    def formula(i):
        def gradient(g, n):
            grads = _shared_grads(g, n, in_arrays, in_tensors)
            if not any(fn is not None for fn, _ in n.next_functions[i + 1 :]):
                n.__dict__.pop("_shared_grads", None)  # the last formula to run
            return grads[i]

        return gradient

    return tuple(formula(i) for i in range(count))


def op(
    name=None,
    *,
    inputs="self",
    saves="",
    grads=(),
    broadcast=False,
    promote=None,
    outputs=1,
    view=False,
    node=None,
    returns=None,
    check=None,
    method=True,
    array_fn=None,
    jvp=None,
    real=None,
    number_node=None,
    numbers=None,
    complex_grad=True,
    sparse=None,
):
    """Declare a differentiable op; see the module docstring.

    inputs:    names of the tensor parameters (first in the signature); the rest are attributes.
    saves:     inputs and ``result`` that the formulas read; attributes are always kept.  Either
               one string, or a tuple of one string per input: what that input's formula reads.
    grads:     one ``formula(grad, node)`` per tensor input, ``None`` where there is no gradient.
    broadcast: inputs broadcast against each other: gradients are summed back to each input's shape.
    promote:   ``"binary"`` for PyTorch's type promotion between inputs, ``"float"`` to compute
               integer inputs in the default float dtype.
    outputs:   how many differentiable outputs the forward returns (it may return more after them,
               which get no gradient, such as the indices of ``max``); ``None``: all of them, as
               many as it returns (``split``, ``unbind``).
    view:      the output shares memory (and the version counter) with the first input.
    returns:   a namedtuple type for ops with several outputs.
    check:     ``check(*arrays, *attrs)`` raising PyTorch's error for bad input, before the forward.
    method:    also a Tensor method of the same name (``x.mul(y)``); the op's name must not start
               with an underscore to be public.
    array_fn:  the array function that the forward is when called with the inputs alone
               (``xp.multiply`` for ``mul``): the fast paths call it directly, a Python call less.
    jvp:       ``jvp(tangents, inputs, results, *attrs)``: the output's tangent (a tuple of them
               for several outputs) written with retrograd ops, from the inputs' tangents (None
               where one has none), where PyTorch's forward formula makes a tangent whose graph
               differs from the one forward mode derives from ``grads`` (see autograd.forward_ad);
               ``"linear"`` for a one-input op linear in it: the op on the input's tangent.
    real:      the op has no complex kernel: a complex tensor input raises PyTorch's error, given
               as the kernel's name (``"erf_vml_cpu"``: ``"erf_vml_cpu" not implemented for
               'ComplexDouble'``) or as ``(exception type, text)`` (see refuse_complex).
    number_node: for a two-input op whose second input PyTorch also takes as a Python number in
               an overload of its own (``fmod(x, 2)``): that overload's node name.  Given a
               number, the node is of that name and has no edge for the number.
    numbers:   the inputs that may be given as a Python number, one at a time (PyTorch's overloads
               taking a Scalar: ``"other"`` for ``eq``), or ``"all"`` where any or all may be
               (PyTorch takes numbers as tensors for ``add``, ``mul`` ...); elsewhere a number
               is PyTorch's TypeError.  Every input of a private op may be a number.
    complex_grad: False where PyTorch computes the op for complex inputs but records no
               derivative for them: a complex result that would require grad raises PyTorch's
               error (``geqrf``).
    sparse:    the function that takes a call (every argument, by position) with a sparse COO
               tensor among its inputs (``torch.mm(dense, sparse)``, ``x.mm(sparse)``): the
               table's paths read dense arrays (a sparse tensor's read raises, and the table
               hands the call over: the dense path pays nothing).
    """
    inputs = tuple(inputs.split())
    if isinstance(saves, str):
        saves_for = None
        saves = _pytorch_order(saves.split(), inputs)
    else:
        saves_for = tuple(frozenset(reads.split()) for reads in saves)
        saves = _pytorch_order(dict.fromkeys(s for reads in saves for s in reads.split()), inputs)
        if len(saves_for) != len(inputs):
            raise ValueError(f"{name or '?'}: saves needs one string per input, {len(inputs)} here")

    def declare(forward):
        d = OpDef(
            name or forward.__name__,
            forward,
            inputs,
            saves,
            grads or (None,) * len(inputs),
            broadcast,
            promote,
            outputs,
            view,
            node,
            returns,
            check,
            saves_for,
            array_fn,
            jvp,
            real,
            number_node,
            numbers,
            complex_grad,
            sparse,
        )
        OPS[d.name] = d
        fn = _make_function(d)
        fn.__name__ = fn.__qualname__ = d.name
        fn.__doc__ = forward.__doc__
        fn.opdef = d
        if method and not d.name.startswith("_"):
            # The method is a function of its own: PyTorch counts a method's arguments in its
            # errors from after self (``x.atan2(2.)``: position 1).
            m = _make_function(d, as_method=True)
            m.__name__ = m.__qualname__ = d.name
            m.__doc__ = forward.__doc__
            m.opdef = d
            m.function = fn
            METHODS[d.name] = m
        return fn

    return declare


# Elementwise ops (``broadcast``) lay their result out as PyTorch's TensorIterator does, from the
# layouts of their inputs in the order it takes them: here, where that is not the op's own order.
_LAYOUT_OPERANDS = {
    "_rsub": (1, 0),  # other - input
    "_LeakyReluBackwardBackward0": (1, 0),  # PyTorch's kernel takes self first, grad_output second
    "_masked_fill_scalar": (),  # a contiguous copy of the input, written through the mask
    "_masked_fill_tensor": (),
    # PyTorch's composites start from a new tensor made from the target, (1 - target) * input
    # ..., which then decides the layout alone
    "_binary_cross_entropy_with_logits": (1,),
    "_binary_cross_entropy": (1,),
    # PyTorch's kernels of these write the input's gradient contiguous whatever the layouts
    "_mse_loss_backward": (),
    "_smooth_l1_loss_backward": (),
    "_huber_loss_backward": (),
}


# Public ops whose PyTorch function has no ``out=`` (views and nn functions aside, which never do).
_NO_OUT = frozenset(
    "channel_shuffle clone convolution dist flip isclose isfinite isinf isnan isreal matrix_exp "
    "pixel_shuffle pixel_unshuffle relu trace permute pdist affine_grid_generator".split()
)


def _into_out(general, d, args, kwargs):
    """``op(..., out=t)``: the op's result written into ``t`` (see _out), where PyTorch's function
    takes ``out``; an op called with ``out`` is outside the graph, so no input may need grad."""
    kwargs = dict(kwargs)
    out = kwargs.pop("out")
    if d.view or d.outputs is None or d.name.startswith("_") or d.name in _NO_OUT:
        raise TypeError(f"{d.name}() got an unexpected keyword argument 'out'")
    return call_with_out(d.name, general, args, kwargs, out)


def _laid_out(out, arrays, layout):
    """``out`` in PyTorch's layout for an elementwise op over ``arrays`` (the operands, see
    iterator_layout)."""
    operands = [arrays[i] for i in layout]
    for a in operands:
        if type(a) is ndarray and not a.flags.c_contiguous:
            return iterator_layout(out, operands)
    if out.ndim > 2 and size1_strides_matter(out, operands):
        return iterator_layout(out, operands)
    return out if out.flags.c_contiguous else xp.ascontiguousarray(out)


def _make_function(d, as_method=False):
    """The Python function of an op: arguments in, arrays through the forward, a node recorded
    (``as_method``: the Tensor method, whose errors count arguments from after self)."""
    k = len(d.inputs)
    layout = _LAYOUT_OPERANDS.get(d.name, tuple(range(k))) if d.broadcast else None
    nparams = len(d.params)
    tails = _default_tails(d)
    forward = d.forward
    promote = d.promote
    broadcast = d.broadcast
    view = d.view
    outputs = d.outputs if d.outputs is not None else _EVERY_OUTPUT
    returns = d.returns
    check = d.check if d.real is None else _complex_check(d.real, d.check, k)
    differentiable = d.differentiable
    bind = d.bind
    listed = d.listed
    record = _recorder(d)
    name = d.name
    shown = shown_name(d)
    # One array out, unless a namedtuple says the forward also returns non-differentiable results.
    single = outputs == 1 and returns is None
    halves = not view and not listed and name not in _HALF_STEPWISE
    kinds = _attribute_kinds(d, as_method)
    sparse = d.sparse

    def general(*args, **kwargs):
        if kwargs and kwargs.get("out") is not None:
            return _into_out(general, d, args, kwargs)
        replay = None
        if _switches.batching is not None:
            batched = _switches.batching(general, args, kwargs)
            if type(batched) is Replay:
                replay = batched.value
            elif batched is not NotImplemented:
                return batched
        given = args
        if kwargs:
            args = bind(args, kwargs)
        elif len(args) != nparams:
            tail = tails.get(len(args))
            args = args + tail if tail is not None else bind(args, kwargs)
        if kinds is not None:  # (the attributes' kinds, as PyTorch's parser reads them)
            n = len(given)
            every = n == nparams
            for i, positional, whole, keyword, _, ints in kinds:
                a = args[i]
                taken = (whole if every else positional) if i < n else keyword
                if a.__class__ not in taken and not (ints and _ints(a)):
                    args = _checked_attributes(d, args, given, kwargs, as_method, kinds)
                    break
        if not listed:
            args = _tensor_arguments(args, d, kwargs, as_method)
        cast = False
        try:  # (the try costs the dense path nothing)
            if k == 2 and not listed:  # most ops: two inputs, tensors or scalars
                tensors = args[:2]
                x, y = tensors
                if isinstance(x, Tensor) and isinstance(y, Tensor):
                    arrays = [x._data, y._data]
                    requires_grad = x._requires_grad or y._requires_grad
                    same_dtype = arrays[0].dtype == arrays[1].dtype and (
                        promote != "float" or arrays[0].dtype.kind in _FLOAT_KINDS
                    )
                else:
                    arrays, requires_grad = _arrays(tensors)
                    same_dtype = False
                if promote is not None and not same_dtype:
                    promoted = _promote(promote, tensors, arrays, name)
                    cast = promoted is not arrays
                    arrays = promoted
            else:
                if listed:
                    tensors = wrap_tensor_list(args[0])
                    args = (tensors, *args[1:])
                    requires_grad = any(t._requires_grad for t in tensors)
                    arrays = [[t._data for t in tensors]]
                elif k == 1 and isinstance(args[0], Tensor):
                    tensors = args[:1]
                    arrays = [args[0]._data]
                    requires_grad = args[0]._requires_grad
                else:
                    tensors = args[:k]
                    arrays, requires_grad = _arrays(tensors)
                if promote is not None:
                    promoted = _promote(promote, tensors, arrays, name)
                    cast = promoted is not arrays
                    arrays = promoted
        except NotImplementedError:  # a sparse COO input's dense array is unreadable: the
            if _takes_sparse(sparse, args[:k]):  # op's sparse= function takes the call
                return sparse(*args)
            if name in getattr(args[0], "_by_values", ()):  # (a compressed tensor's own)
                return getattr(args[0], name)(*args[1:])
            raise
        attrs = args[k:]
        low = None
        try:
            if check is not None:
                check(*arrays, *attrs)
            if replay is not None:
                out = replay
            else:
                if halves:  # float16 and bfloat16 computed in float32 (one check: 2 bytes each)
                    for a in arrays:
                        if type(a) is ndarray and a.itemsize == 2:
                            arrays, attrs, low = _half_in_float32(arrays, attrs, name)
                            break
                out = forward(*arrays, *attrs)
        except Exception as e:
            refresh_views(tensors)  # (PyTorch's view errors come before the op's own)
            if type(e) is ValueError:
                raise _shape_error(e, broadcast, arrays, name) from None
            raise
        if low is not None:
            out = _rounded(out, low)
        if layout is not None and type(out) is ndarray and out.ndim > 1:
            if (cast or low is not None) and out.ndim > 2:
                # the layout is read from the operands as given: a cast has C order's strides
                given = [t._data if isinstance(t, Tensor) else a for t, a in zip(tensors, arrays)]
                out = _laid_out(out, given, layout)
            else:
                out = _laid_out(out, arrays, layout)
        any_grad = requires_grad
        requires_grad = requires_grad and differentiable and _grad_state.enabled
        if single:
            if type(out) is not ndarray:
                out = xp.asarray(out)
            result = _wrap(out, tensors[0], requires_grad) if view else _make(out, requires_grad)
            if requires_grad:
                if broadcast and not cast and k == 2:
                    a, b = arrays  # no dtype change: inputs need fitting only when they broadcast
                    cast = type(a) is ndarray and type(b) is ndarray and a.shape != b.shape
                record(tensors, result, attrs, broadcast and (cast or k != 2))
            elif _cut_state.active:  # (not while a backward pass runs its formulas)
                if any_grad:
                    _note_cut(result, tensors, shown)
                else:
                    for t in tensors:
                        if isinstance(t, Tensor) and t._cuts is not None:
                            _note_cut(result, tensors, shown)
                            break
            if _switches.forward_ad_hook is not None:
                _switches.forward_ad_hook(general, args, tensors, (result,), 1)
            return result
        base = tensors[0] if view else None
        results = tuple(
            _wrap(a, base, requires_grad and i < outputs, True) for i, a in enumerate(out)
        )
        if requires_grad:
            record(tensors, results, attrs, broadcast)
            if len(results) > outputs and _cut_state.active:  # max's indices: no gradient
                _note_cut(results[outputs:], tensors, shown)
        elif _cut_state.active:
            if any_grad:
                _note_cut(results, tensors, shown)
            else:
                for t in tensors:
                    if isinstance(t, Tensor) and t._cuts is not None:
                        _note_cut(results, tensors, shown)
                        break
        if _switches.forward_ad_hook is not None:
            _switches.forward_ad_hook(general, args, tensors, results, outputs)
        return returns(*results) if returns is not None else results

    general.opdef = d  # (forward-mode AD reads the op's declaration)
    if listed or view or not single or d.check is not None or sparse or k not in (1, 2):
        return general
    if layout is not None and layout not in ((0, 1), (1, 0)):
        return general  # (a layout the fast path does not work out)
    # (the fast paths take the attributes after the inputs: their kinds counted from there)
    fast = None if kinds is None else tuple((i - k, p, w, ints) for i, p, w, _, _, ints in kinds)
    return (_unary if k == 1 else _binary)(d, general, record, tails, layout, fast)


def _ints(a) -> bool:
    """A tuple or list of Python ints (what a tuple-of-ints argument mostly is)."""
    if a.__class__ is not tuple and a.__class__ is not list:
        return False
    for n in a:
        if n.__class__ is not int:
            return False
    return True


# The classes each kind of argument takes as they are, by exact type: anything else (a 0-d
# tensor or a NumPy integer for an int, a Tensor subclass, a value of the wrong kind) goes
# through PyTorch's whole parser (ops.arguments), which also reads this table.
PLAIN_KINDS = {
    "int": frozenset((int,)),
    "float": frozenset((float, int)),
    "Number": frozenset((float, int, bool, complex)),
    "bool": frozenset((bool,)),
    "Tensor": frozenset((Tensor,)),
    "tuple of ints": frozenset((int,)),
    "str": frozenset((str,)),
    "torch.dtype": frozenset((dtypes.dtype,)),
    "Tensor or number": frozenset((Tensor, float, int, bool, complex)),
}


class _Anything:
    """Takes every value: an argument of a kind not checked here, in one of the places."""

    def __contains__(self, value):
        return True


_ANYTHING = _Anything()
_NONE_TYPE = frozenset((type(None),))


def _attribute_kinds(d, as_method):
    """What the op's function (``as_method``: method) checks of its attributes, the arguments
    after its tensor inputs: for each one PyTorch's signatures give a kind to, (its index among
    the op's parameters; the classes taken as they are when given by position, in a call that
    leaves some argument out, then in one that gives every argument by position; the same by
    keyword; the forward's default; whether a tuple or list of ints is taken); None where there
    is nothing to check.  An argument PyTorch takes by keyword alone (addmm's beta) is refused
    by position, unless every argument is given so: retrograd's own calls, and forward AD's
    reruns, give them all by position."""
    signatures = (OP_METHOD_KINDS if as_method else OP_KINDS).get(d.name)
    if signatures is None:
        return None
    by_position, by_key = {}, {}
    ints = set()
    placed, unplaced = set(), set()  # (PyTorch's names some signature takes by position; not)
    for _, arguments in signatures:
        for position, key, shown, kind, none, _ in arguments:
            plain = PLAIN_KINDS.get(kind, _ANYTHING)
            if none and plain is not _ANYTHING:
                plain = plain | _NONE_TYPE
            for table, at in ((by_position, position), (by_key, key)):
                if at is not None:
                    old = table.get(at, frozenset())
                    table[at] = _ANYTHING if _ANYTHING in (old, plain) else old | plain
            if kind == "tuple of ints":
                ints.add(key)
                ints.add(position)
            (placed if position is not None else unplaced).add(shown)
    kinds = []
    for i in range(len(d.inputs), len(d.params)):
        key = d.params[i]
        keyword = by_key.get(key, _ANYTHING)
        positional = by_position.get(i, frozenset())
        whole = _ANYTHING if _ANYTHING in (positional, keyword) else positional | keyword
        if key in unplaced and key not in placed:  # (by keyword alone)
            positional = by_position.get(i, frozenset())
        else:
            positional = whole
        if whole is not _ANYTHING or positional is not _ANYTHING or keyword is not _ANYTHING:
            kinds.append((i, positional, whole, keyword, d.defaults[i], i in ints or key in ints))
    return tuple(kinds) or None


def _checked_attributes(d, args, given, kwargs, as_method, kinds):
    """``args`` (bound) with the attributes as PyTorch's parser reads the call (``given``,
    ``kwargs``): a 0-d tensor or a NumPy integer for an int read as the number; PyTorch's
    TypeError for a value of the wrong kind.  An attribute left out keeps the forward's
    default, of whatever kind."""
    n = len(given)
    every = n == len(d.params)
    for i, positional, whole, keyword, default, ints in kinds:
        a = args[i]
        taken = (whole if every else positional) if i < n else keyword
        if a.__class__ in taken or (ints and _ints(a)):
            continue
        if a is default and i >= n and d.params[i] not in kwargs:
            continue
        break
    else:
        return args
    from . import arguments  # (the parser, above the table: only on this path)

    given, kwargs = arguments.parsed_op_call(d.name, given, kwargs, as_method)
    k = len(d.inputs)
    bound = d.bind(given, kwargs)
    return (*args[:k], *bound[k:])


def _unary(d, general, record, tails, layout, kinds):
    """The fast path of a one-input op on a tensor that needs no promotion; else ``general``
    (attributes not of the plain ``kinds`` too, for its check)."""
    nparams = len(d.params)
    forward = d.forward
    call = d.array_fn or forward  # (called with the input alone)
    differentiable = d.differentiable
    float_only = d.promote is not None
    # A complex input goes to ``general``, which refuses it, when the op has no complex kernel.
    fast = _REAL_FLOAT_DTYPES if d.real is not None else _FLOAT_DTYPES
    real = d.real is not None
    shown = shown_name(d)
    alone = nparams == 1 or 1 in tails  # (the call with the input alone is a whole call)
    record_one = record.one

    # (the input positional-only, and the rest in a tuple of their own: no tuple to slice on the
    # common call, and a keyword of any name goes to kwargs as before)
    def unary(x=_NOT_SET, /, *rest, **kwargs):
        if _switches.forward_ad_hook is not None or _switches.batching is not None or kwargs:
            return general(*_given(x, rest), **kwargs)
        if rest:
            n = len(rest) + 1
            if n != nparams and n not in tails:
                return general(x, *rest)
            if kinds is not None:
                for i, plain, every, ints in kinds:
                    if i < n - 1:
                        a = rest[i]
                        if a.__class__ not in (every if n == nparams else plain) and not (
                            ints and _ints(a)
                        ):
                            return general(x, *rest)
        elif not alone:
            return general(*_given(x, rest))
        # Trailing arguments left out keep the forward's defaults (the node reads them the same).
        if not isinstance(x, Tensor):
            return general(*_given(x, rest))
        try:  # (free unless raised)
            a = x._data
        except NotImplementedError:  # (a sparse input: the general path says what to do)
            return general(x, *rest)
        # float16 and bfloat16 take the general path, which computes them in float32 (neither is
        # in _FLOAT_DTYPES; int16 goes there too, for the one check)
        if (
            (a.dtype not in fast)
            if float_only
            else (a.itemsize == 2 or (real and a.dtype.kind == "c"))
        ):
            return general(x, *rest)
        try:
            out = forward(a, *rest) if rest else call(a)
        except Exception:
            refresh_views((x,))  # (PyTorch's view errors come before the op's own)
            raise
        if type(out) is not ndarray:
            out = xp.asarray(out)
        # The result made inline, as _make does (keep the two in step): a call less per op,
        # measurably faster on small graphs.
        result = _new(Tensor)
        result._data = out
        result._grad_fn = None
        result._vc = VersionCounter()
        result._output_nr = 0
        result._cuts = None
        if x._requires_grad and differentiable and _grad_state.enabled:
            result._requires_grad = True
            if rest:
                record((x,), result, rest, False)
            elif record_one is not None:
                record_one(x, result)
            else:
                record((x,), result, (), False)
        else:
            result._requires_grad = False
            if x._requires_grad:
                if _cut_state.active:
                    _note_cut(result, (x,), shown)
            elif x._cuts is not None:
                result._cuts = x._cuts
            if _switches.inference_blocks and _grad_state.inference:  # made in inference_mode
                result._vc = InferenceVersionCounter()
        return result

    return unary


def _binary(d, general, record, tails, layout, kinds):
    """The fast path of a two-input op on two tensors of one dtype, or a float tensor and a
    Python number; anything else goes to ``general`` (attributes not of the plain ``kinds``
    too, for its check)."""
    nparams = len(d.params)
    forward = d.forward
    call = d.array_fn or forward  # (called with the inputs alone)
    differentiable = d.differentiable
    broadcast = d.broadcast
    name = d.name
    shown = shown_name(d)
    float_only = d.promote == "float"
    fast = _REAL_FLOAT_DTYPES if d.real is not None else _FLOAT_DTYPES  # (see unary)
    real = d.real is not None
    lead = layout == (0, 1)  # (else (1, 0): the second input's layout comes first)
    direct = d.array_fn is not None  # (a ufunc: see _number_operand)
    numbers = 1 in d.numbers  # (a number second: else general's TypeError)
    whole = nparams == 2 or 2 in tails  # (two inputs alone are a whole call)
    record_two = record.two

    # (the inputs positional-only, the rest in a tuple of their own: see unary)
    def binary(x=_NOT_SET, y=_NOT_SET, /, *rest, **kwargs):
        if _switches.forward_ad_hook is not None or _switches.batching is not None or kwargs:
            return general(*_given2(x, y, rest), **kwargs)
        if rest:
            n = len(rest) + 2
            if n != nparams and n not in tails:
                return general(x, y, *rest)
            if kinds is not None:
                for i, plain, every, ints in kinds:
                    if i < n - 2:
                        a = rest[i]
                        if a.__class__ not in (every if n == nparams else plain) and not (
                            ints and _ints(a)
                        ):
                            return general(x, y, *rest)
        elif not whole or y is _NOT_SET:
            return general(*_given2(x, y, rest))
        # Trailing arguments left out keep the forward's defaults (the node reads them the same).
        if not isinstance(x, Tensor):
            return general(x, y, *rest)
        try:  # (free unless raised)
            a = x._data
        except NotImplementedError:  # (a sparse input: the general path says what to do)
            return general(x, y, *rest)
        if isinstance(y, Tensor):
            b = y._data
            if a.dtype != b.dtype or (
                (a.dtype not in fast)
                if float_only
                else (a.itemsize == 2 or (real and a.dtype.kind == "c"))
            ):
                return general(x, y, *rest)  # (float16 and bfloat16 too: see unary)
            requires_grad = x._requires_grad or y._requires_grad
            fit = broadcast and a.shape != b.shape
            number = False
        elif (
            numbers
            and (type(y) is float or type(y) is int)
            and (operands := _NUMBER_OPERANDS.get(a.dtype)) is not None  # float32 or float64
        ):
            b = y
            if direct and not rest:  # the ufunc itself: the number as a 0-d array of a's type
                b = operands.get(y)
                if b is None:
                    b = _number_operand(y, a.dtype)
            requires_grad = x._requires_grad
            fit = False
            number = True
        else:
            return general(x, y, *rest)
        try:
            out = forward(a, b, *rest) if rest else call(a, b)
        except Exception as e:
            refresh_views((x, y))  # (PyTorch's view errors come before the op's own)
            if type(e) is ValueError:
                raise _shape_error(e, broadcast, (a, b), name) from None
            raise
        if type(out) is not ndarray:
            out = xp.asarray(out)
        elif layout is not None and not number and out.ndim > 1:
            # PyTorch's layout, which differs from NumPy's only when an operand is not in C order
            # (a result of one dimension or none has one layout: ``.ndim`` costs a third of
            # ``.flags``); a first operand in C order and of the result's shape decides for C
            # order alone.
            if not (
                (a if lead else b).flags.c_contiguous
                and (not fit or (b if lead else a).flags.c_contiguous)
            ):
                out = iterator_layout(out, (a, b) if lead else (b, a))
            elif out.ndim > 2 and size1_strides_matter(out, (a, b)):
                out = iterator_layout(out, (a, b) if lead else (b, a))
        # The result made inline, as _make does (keep the two in step): a call less per op,
        # measurably faster on small graphs.
        result = _new(Tensor)
        result._data = out
        result._grad_fn = None
        result._vc = VersionCounter()
        result._output_nr = 0
        result._cuts = None
        if requires_grad and differentiable and _grad_state.enabled:
            result._requires_grad = True
            if rest:
                record((x, y), result, rest, fit)
            elif record_two is not None:
                record_two(x, y, result, fit)
            else:
                record((x, y), result, (), fit)
        else:
            result._requires_grad = False
            if requires_grad:
                if _cut_state.active:
                    _note_cut(result, (x, y), shown)
            elif number:
                result._cuts = x._cuts  # the input's records, passed on
            elif x._cuts is not None or y._cuts is not None:
                _note_cut(result, (x, y), shown)
            if _switches.inference_blocks and _grad_state.inference:  # made in inference_mode
                result._vc = InferenceVersionCounter()
        return result

    return binary


def _given(x, rest):
    """The positional arguments the one-input fast path was called with, for ``general``."""
    return () if x is _NOT_SET else (x, *rest)


def _given2(x, y, rest):
    """The positional arguments the two-input fast path was called with, for ``general``."""
    if x is _NOT_SET:
        return ()
    if y is _NOT_SET:
        return (x,)
    return (x, y, *rest)


def _number_operand(y, dtype):
    """The operand that stands for the Python number ``y`` in a ufunc call on an array of
    ``dtype`` (float32 or float64), kept for the next call: a 0-d array of ``dtype`` where that
    is the value NumPy converts the number to (so the result is the same bit for bit), else the
    number itself (a zero, whose sign a 0.0 key would lose; a nan; an integer a float may not
    hold exactly; a value out of the type's range)."""
    operands = _NUMBER_OPERANDS[dtype]
    if y == 0 or y != y or (type(y) is int and not -(1 << 24) <= y <= 1 << 24):
        return y
    with xp.errstate(all="raise"):
        try:
            operand = xp.asarray(y, dtype)
            operand.flags.writeable = False
        except (OverflowError, FloatingPointError, ValueError):
            operand = y
    if len(operands) >= 256:  # (a loop over many numbers: keep the latest)
        operands.clear()
    operands[y] = operand
    return operand


# How PyTorch's CPU kernels treat float16 and bfloat16 beyond computing in float32 and rounding
# once: ops that round after every step (as NumPy does), ops that take a Python number input as it
# is (the others round it to the tensor's type first), and number attributes rounded too.
_HALF_STEPWISE = frozenset(
    (
        "_prod_all",
        "_prod_dim",
        # adding at indices, repeated ones one after another (index_put_ with accumulate, the
        # gradients of indexing and embedding); not scatter_add, nor index_add (but of a 1-d
        # tensor) and with it index_select's gradient
        "_index_put",
        "_masked_put",
        "_index_backward",
        "_embedding_backward",
        # (as the composition of ops they replaced did, measured: 44% and 15% more differed in
        # one float32 pass)
        "_soft_margin_backward",
        "_glu_backward",
    )
)
_HALF_EXACT_NUMBERS = frozenset(("mul", "true_divide", "div"))
_HALF_ROUNDED_ATTRS = {"add": 0, "_sub": 0, "_rsub": 0, "_pow_scalar": 0, "_pow_scalar_base": 0}
_FLOAT16 = xp.dtype(xp.float16)


def _half_in_float32(arrays, attrs, name):
    """float16 and bfloat16 inputs as float32, the attributes, and the type to round the results
    to; or the arrays as they are, the attributes and None.  PyTorch's CPU kernels compute these
    types in float32 and round once per result (a sum or a product of matrices accumulates in
    float32), where NumPy rounds after every step.  An op told its result's dtype
    (``sum(dtype=...)``, a cast) runs on the arrays themselves."""
    low = None
    for a in arrays:
        if type(a) is ndarray and a.itemsize == 2:
            d = a.dtype
            if d == _FLOAT16 or d == _switches.bfloat16:
                low = d
                break
    if low is None or name in _HALF_STEPWISE or any(a.__class__ is dtypes.dtype for a in attrs):
        return arrays, attrs, None
    f32 = xp.float32
    exact = name in _HALF_EXACT_NUMBERS
    arrays = [
        a.astype(f32)
        if type(a) is ndarray and a.dtype == low
        else a
        if exact or type(a) is not float
        else _round_number(a, low)
        for a in arrays
    ]
    i = _HALF_ROUNDED_ATTRS.get(name)
    if i is not None and i < len(attrs) and type(attrs[i]) is float:
        attrs = (*attrs[:i], _round_number(attrs[i], low), *attrs[i + 1 :])
    return arrays, attrs, low


def _round_number(value, low):
    return float(xp.float32(value).astype(low))


def _rounded(out, low):
    """An op's float32 results (computed from float16 or bfloat16 inputs) rounded back."""
    if type(out) in (tuple, list):
        return type(out)(_rounded(o, low) for o in out)
    if isinstance(out, (ndarray, xp.generic)) and out.dtype == xp.float32:
        return xp.asarray(out).astype(low)
    return out


def _tensor_arguments(args, d, kwargs, as_method=False):
    """Tensor inputs as the op takes them: NumPy scalars become Python numbers and NumPy arrays
    tensors (as PyTorch converts them); a Python number where the op takes none (see ``op``), or
    anything else, is PyTorch's TypeError."""
    k = len(d.inputs)
    for a in args[:k]:
        if not isinstance(a, Tensor) and a is not None:
            break
    else:  # tensors, and None for optional inputs (``weight=None``): nothing to convert
        if not args or args[0] is not None:
            return args
    given = args  # (a NumPy scalar is named as given)
    args = list(args)
    arrays = False
    numbers = []
    for i in range(k):
        a = args[i]
        if isinstance(a, xp.generic):  # before the Python types: np.float64 is a float
            args[i] = a.item()
            numbers.append(i)
        elif isinstance(a, ndarray):
            args[i] = _make(a)
            arrays = True
        elif isinstance(a, (int, float, complex)):  # (bool too)
            numbers.append(i)
        elif not isinstance(a, Tensor) and (a is not None or i == 0):
            # (None for an optional input, never the first)
            if i in d.numbers and not d.numbers_together:  # neither a tensor nor a number
                raise _no_signature(d, given[:k], as_method)
            raise _not_a_tensor(d, i, a, kwargs, as_method)
    if numbers:
        refused = [i for i in numbers if i not in d.numbers]
        if refused or (len(numbers) == k and not d.numbers_together):
            if not d.numbers:  # PyTorch's one signature: the first argument it refuses
                raise _not_a_tensor(d, refused[0], given[refused[0]], kwargs, as_method)
            raise _no_signature(d, given[:k], as_method)
        if len(numbers) == k:  # numbers as tensors: of PyTorch's dtype for the kind of number
            args[0] = _make(xp.asarray(args[0], dtypes.scalar_dtype(args[0]).np))
    if arrays and d.promote is not None:
        # PyTorch hands a tensor and an array to NumPy, so the result has NumPy's dtype, in which
        # a 0-d array counts as much as any (float32 tensor * float64 0-d array -> float64).
        target = dtypes.FROM_NP[
            xp.result_type(*[a._data for a in args[:k] if isinstance(a, Tensor)])
        ]
        for i in range(k):
            if isinstance(args[i], Tensor) and args[i].dtype is not target:
                args[i] = args[i].to(target)
    return tuple(args)


_type_name = type_name  # (named here for the ops that import it from the table)


def _not_a_tensor(d, i, a, kwargs, as_method=False):
    """PyTorch's TypeError for a value that is not a tensor given for the op's input ``i``
    (by keyword: no position; a method counts from after self)."""
    name = d.inputs[i]
    if name == "self":
        name = "input"
    by_keyword = kwargs and (name in kwargs or d.inputs[i] in kwargs)
    where = "" if by_keyword else f" (position {i + 1 - as_method})"
    return TypeError(f"{d.name}(): argument '{name}'{where} must be Tensor, not {_type_name(a)}")


def _no_signature(d, given, as_method=False):
    """PyTorch's TypeError for inputs that match none of an op's signatures: one taking tensors,
    and one for each input that may be a number instead.  A method's signatures leave self out,
    and say which arguments each one refuses."""
    names = ["input" if n == "self" else n for n in d.inputs]
    kinds = [["Tensor"] * len(names)]
    kinds += [
        ["Number" if j == i else "Tensor" for j in range(len(names))] for i in sorted(d.numbers)
    ]
    first = 1 if as_method else 0
    kinds = [kind for kind in kinds if kind[0] == "Tensor" or not as_method]
    # PyTorch says why each signature refused the arguments, except for those taking out=
    has_out = not (as_method or d.view or d.outputs is None or d.name in _NO_OUT)
    got = ", ".join(_type_name(a) for a in given[first:])
    listed = ""
    for kind in kinds:
        listed += f"\n * ({', '.join(f'{k} {n}' for k, n in zip(kind[first:], names[first:]))}"
        listed += ", *, Tensor out = None)" if has_out else ")"
        if not has_out:
            marked = [
                _type_name(a) if _fits(k, a) else f"!{_type_name(a)}!"
                for k, a in zip(kind[first:], given[first:])
            ]
            listed += (
                "\n      didn't match because some of the arguments have invalid types: "
                f"({', '.join(marked)})"
            )
    return TypeError(
        f"{d.name}() received an invalid combination of arguments - got ({got}), but expected "
        f"one of:{listed}\n"
    )


def _fits(kind, a):
    """Whether ``a`` is what a signature's ``Tensor`` or ``Number`` argument takes."""
    if kind == "Tensor":
        return isinstance(a, Tensor)
    return isinstance(a, (int, float, complex, xp.generic))


def _takes_sparse(sparse, tensors) -> bool:
    """Whether an op's ``sparse=`` function takes a call with these inputs: one is sparse COO."""
    if sparse is not None:
        for t in tensors:
            if isinstance(t, Tensor) and t._sparse:
                return True
    return False


def _arrays(tensors):
    """The arrays of an op's inputs, and whether any input requires grad."""
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
    return arrays, requires_grad


def _default_tails(d):
    """For each count of positional arguments that leaves only defaulted parameters: those defaults."""
    tails = {}
    for n in range(len(d.params) - 1, -1, -1):
        if d.defaults[n] is inspect.Parameter.empty:
            break
        tails[n] = tuple(d.defaults[n:])
    return tails


# How a node stores what its formulas read: the plans most ops have are written out in record(),
# since it runs on every recorded op call; any other plan goes through _save_plan.
# Two inputs are kept by name ("other" before "self"): often the second one first.  For one of
# two kept: _SAVE_<input><slot>, e.g. _SAVE_B0: the second input, in the first place.
(
    _SAVE_NOTHING,
    _SAVE_INPUT,
    _SAVE_RESULT,
    _SAVE_BOTH_INPUTS,
    _SAVE_BOTH_SWAPPED,
    _SAVE_A0,
    _SAVE_B1,
    _SAVE_B0,
    _SAVE_A1,
    _SAVE_TWO_WITH_STRIDES,
    _SAVE_OTHER,
) = range(11)
_SAVE_MODES = {
    (): _SAVE_NOTHING,
    ((0, 0),): _SAVE_INPUT,
    ((1, 0),): _SAVE_RESULT,
    ((0, 0), (0, 1)): _SAVE_BOTH_INPUTS,
    ((0, 1), (0, 0)): _SAVE_BOTH_SWAPPED,
    ((0, 0), None): _SAVE_A0,
    (None, (0, 1)): _SAVE_B1,
    ((0, 1), None): _SAVE_B0,
    (None, (0, 0)): _SAVE_A1,
}
# Products (mm, linear): each of two inputs, where the other's gradient reads it, then the strides
# of both (each gradient takes its input's layout).
_SAVE_MODES.update(
    ((a, b, (4, 0), (4, 1)), _SAVE_TWO_WITH_STRIDES)
    for a in (None, (0, 0), (0, 1))
    for b in (None, (0, 0), (0, 1))
)


def _recorder(d):
    """``record(tensors, results, attrs)``: make the op's node and hang the results on it."""
    Node = d.Node
    outputs = d.outputs if d.outputs is not None else _EVERY_OUTPUT
    single_edge = len(d.inputs) == 1 and not d.listed
    # The plan and its mode by which inputs need a gradient (bit i: input i), or one for all.
    plans = d.plans
    modes = None if plans is None else tuple(_SAVE_MODES.get(p, _SAVE_OTHER) for p in plans)
    edged = d.edged
    needed_only = d.needed_edges_only
    general = edged is not None or needed_only
    NumberNode = d.NumberNode
    # Inputs the op has no formula for: PyTorch refuses them when they require grad.
    nondiff = (
        tuple(i for i in range(len(d.inputs)) if i not in edged)
        if edged is not None
        else tuple(i for i, f in enumerate(d.Node._formulas) if f is None) or None
    )

    one_mode = _SAVE_MODES.get(d.plan, _SAVE_OTHER)

    # (plan and mode are parameters only to be fast locals; callers pass neither)
    def record(tensors, results, attrs, fit, plan=d.plan, mode=one_mode):
        """Make the node of one call.  ``results``: the output tensor, or a tuple of them;
        ``fit``: an input's gradient may need summing back to its shape or casting back."""
        if nondiff is not None:
            _check_nondiff(d, tensors, nondiff)
        # An input made by an op (not a view written since): its edge inline, the common case;
        # anything else through _edge.
        if general:
            node = _new(Node)
            # inputs with no formula have no edge (nor, for a node without formulas, those
            # that need no gradient)
            positions = edged or range(len(tensors))
            edges = tuple(_edge(tensors[i]) for i in positions)
            if modes is not None:
                need = 0
                for i, (fn, _) in zip(positions, edges):
                    if fn is not None:
                        need |= 1 << i
                plan, mode = plans[need], modes[need]
            if needed_only:
                edges = tuple(e for e in edges if e[0] is not None)
            node.next_functions = edges
        elif single_edge:
            node = _new(Node)
            x = tensors[0]
            fn = x._grad_fn if type(x) is Tensor else None
            node.next_functions = (
                (fn, x._output_nr) if fn is not None and not x._vc.stale else _edge(x),
            )
        elif len(tensors) == 2:
            x, y = tensors
            fn = x._grad_fn if type(x) is Tensor else None
            e0 = (fn, x._output_nr) if fn is not None and not x._vc.stale else _edge(x)
            if isinstance(y, Tensor):
                node = _new(Node)
                fn = y._grad_fn
                e1 = (fn, y._output_nr) if fn is not None and not y._vc.stale else _edge(y)
                node.next_functions = (e0, e1)
            elif NumberNode is not None:  # PyTorch's overload that takes a number: one edge
                node = _new(NumberNode)
                e1 = _NO_EDGE
                node.next_functions = (e0,)
            else:
                node = _new(Node)
                e1 = _NO_EDGE
                node.next_functions = (e0, e1)
            if modes is not None and (e0[0] is None or e1[0] is None):
                # one input needs no gradient (with both, the full plan stands), or neither
                # does: inputs that require grad through views made under no_grad have no edge
                need = (e0[0] is not None) | (e1[0] is not None) << 1
                plan = plans[need]
                mode = modes[need]
        else:
            node = _new(Node)
            edges = node.next_functions = tuple(map(_edge, tensors))
            if modes is not None:
                need = 0
                for i, (fn, _) in enumerate(edges):
                    if fn is not None:
                        need |= 1 << i
                plan, mode = plans[need], modes[need]
        node._seq = _next_seq()
        node._attrs = attrs
        if type(results) is not tuple:  # one output (the fast paths' case)
            first = results
            first._grad_fn = node
        else:
            first = results[0]
            for i, r in enumerate(results[:outputs]):
                r._grad_fn = node
                r._output_nr = i
            if outputs == _EVERY_OUTPUT:  # split, unbind ...: as many as this call made
                node._outputs_made = len(results)
        node._meta = _broadcast_meta(tensors, first._data, edged) if fit else None
        if mode == _SAVE_NOTHING:
            node._saved = node._versions = ()
        else:
            if mode == _SAVE_INPUT:
                t = tensors[0]
                node._saved = (t,)
                node._versions = (t._vc.version,)
            elif mode == _SAVE_RESULT:
                # the output as its array and version counter, not the tensor, which holds this
                # node (that would be a cycle)
                vc = first._vc
                node._saved = (SavedOutput((first._data, vc)),)
                node._versions = (vc.version,)
            elif mode == _SAVE_BOTH_SWAPPED:
                b, a = node._saved = tensors[1], tensors[0]
                node._versions = (
                    b._vc.version if isinstance(b, Tensor) else None,
                    a._vc.version if isinstance(a, Tensor) else None,
                )
            elif mode == _SAVE_BOTH_INPUTS:
                a, b = node._saved = tensors[0], tensors[1]
                node._versions = (
                    a._vc.version if isinstance(a, Tensor) else None,
                    b._vc.version if isinstance(b, Tensor) else None,
                )
            elif mode <= _SAVE_A1:  # one of two inputs: what the other's gradient reads
                t = tensors[0 if mode == _SAVE_A0 or mode == _SAVE_A1 else 1]
                version = t._vc.version if isinstance(t, Tensor) else None
                if mode == _SAVE_A0 or mode == _SAVE_B0:
                    node._saved = (t, None)
                    node._versions = (version, None)
                else:
                    node._saved = (None, t)
                    node._versions = (None, version)
            elif mode == _SAVE_TWO_WITH_STRIDES:
                p, q = plan[0], plan[1]
                a = None if p is None else tensors[p[1]]
                b = None if q is None else tensors[q[1]]
                node._saved = (a, b, tensors[0]._data.strides, tensors[1]._data.strides)
                node._versions = (
                    None if a is None else a._vc.version,
                    None if b is None else b._vc.version,
                    None,
                    None,
                )
            else:
                _save_plan(node, plan, tensors, _as_tuple(results))
            if _switches.inference_seen:  # an inference tensor may not be saved (PyTorch's error)
                _check_saveable(node._saved)
            # Where the user called the op, for the errors about its saved values (freed,
            # modified): the first frame outside retrograd, its code and bytecode offset (the line
            # is worked out only for an error).  Nodes that save nothing need no site.
            f = _getframe(2)
            code = f.f_code
            if code.co_filename in INTERNAL_FILES:
                f = outside(f)
                code = f.f_code
            node._site = code
            node._site_at = f.f_lasti
            if _switches.pack_hook is not None:
                node._saved = _switches.pack_hook(node._saved, plan, _as_tuple(results))
                if not needed_only:
                    node._meta = _packed_meta(node._meta, tensors, edged)
        if _switches.anomaly_hook is not None:
            _switches.anomaly_hook(node, tensors, _as_tuple(results))
        return node

    if not d.complex_grad:
        record = _real_results_only(record, d.name)
    record.one = record.two = None
    if general or nondiff is not None or d.listed or len(d.inputs) > 2 or not d.complex_grad:
        return record
    if single_edge:
        record.one = _record_one(Node, d.plan, one_mode)
    elif NumberNode is None:
        record.two = _record_two(Node, d.plan, one_mode, plans, modes)
    return record


# The records of the fast paths (_unary, _binary): record() written out for a call on one tensor,
# or on two inputs of which the second may be a number, with one result and no attributes; the
# common save modes inline, any other through _save_plan (as record() has it).  Keep in step.


def _record_one(Node, plan, mode):
    def record_one(x, result):
        node = Node()
        fn = x._grad_fn if type(x) is Tensor else None
        node.next_functions = (
            (fn, x._output_nr) if fn is not None and not x._vc.stale else _edge(x),
        )
        node._seq = _next_seq()
        node._attrs = ()
        result._grad_fn = node
        node._meta = None
        if mode == _SAVE_NOTHING:
            node._saved = node._versions = ()
        else:
            if mode == _SAVE_INPUT:
                node._saved = (x,)
                node._versions = (x._vc.version,)
            elif mode == _SAVE_RESULT:
                vc = result._vc
                node._saved = (SavedOutput((result._data, vc)),)
                node._versions = (vc.version,)
            else:
                _save_plan(node, plan, (x,), (result,))
            if _switches.inference_seen:
                _check_saveable(node._saved)
            f = _getframe(2)  # (see record)
            code = f.f_code
            if code.co_filename in INTERNAL_FILES:
                f = outside(f)
                code = f.f_code
            node._site = code
            node._site_at = f.f_lasti
            if _switches.pack_hook is not None:
                node._saved = _switches.pack_hook(node._saved, plan, (result,))
                node._meta = _packed_meta(None, (x,))
        if _switches.anomaly_hook is not None:
            _switches.anomaly_hook(node, (x,), (result,))
        return node

    return record_one


def _record_two(Node, full_plan, full_mode, plans, modes):
    def record_two(x, y, result, fit):
        fn = x._grad_fn if type(x) is Tensor else None
        e0 = (fn, x._output_nr) if fn is not None and not x._vc.stale else _edge(x)
        node = Node()
        if isinstance(y, Tensor):
            fn = y._grad_fn
            e1 = (fn, y._output_nr) if fn is not None and not y._vc.stale else _edge(y)
            node.next_functions = (e0, e1)
            if modes is not None and (e0[0] is None or e1[0] is None):
                need = (e0[0] is not None) | (e1[0] is not None) << 1
                plan = plans[need]
                mode = modes[need]
            else:
                plan = full_plan
                mode = full_mode
        else:
            node.next_functions = (e0, _NO_EDGE)
            if modes is not None:
                need = e0[0] is not None
                plan = plans[need]
                mode = modes[need]
            else:
                plan = full_plan
                mode = full_mode
        node._seq = _next_seq()
        node._attrs = ()
        result._grad_fn = node
        node._meta = _broadcast_meta((x, y), result._data) if fit else None
        if mode == _SAVE_NOTHING:
            node._saved = node._versions = ()
        else:
            if mode == _SAVE_INPUT:
                node._saved = (x,)
                node._versions = (x._vc.version,)
            elif mode == _SAVE_RESULT:
                vc = result._vc
                node._saved = (SavedOutput((result._data, vc)),)
                node._versions = (vc.version,)
            elif mode == _SAVE_BOTH_SWAPPED:
                node._saved = (y, x)
                node._versions = (
                    y._vc.version if isinstance(y, Tensor) else None,
                    x._vc.version,
                )
            elif mode == _SAVE_BOTH_INPUTS:
                node._saved = (x, y)
                node._versions = (
                    x._vc.version,
                    y._vc.version if isinstance(y, Tensor) else None,
                )
            elif mode <= _SAVE_A1:
                t = x if mode == _SAVE_A0 or mode == _SAVE_A1 else y
                version = t._vc.version if isinstance(t, Tensor) else None
                if mode == _SAVE_A0 or mode == _SAVE_B0:
                    node._saved = (t, None)
                    node._versions = (version, None)
                else:
                    node._saved = (None, t)
                    node._versions = (None, version)
            else:
                _save_plan(node, plan, (x, y), (result,))
            if _switches.inference_seen:
                _check_saveable(node._saved)
            f = _getframe(2)  # (see record)
            code = f.f_code
            if code.co_filename in INTERNAL_FILES:
                f = outside(f)
                code = f.f_code
            node._site = code
            node._site_at = f.f_lasti
            if _switches.pack_hook is not None:
                node._saved = _switches.pack_hook(node._saved, plan, (result,))
                node._meta = _packed_meta(node._meta, (x, y))
        if _switches.anomaly_hook is not None:
            _switches.anomaly_hook(node, (x, y), (result,))
        return node

    return record_two


class FusedNode(FunctionNode):
    """The node of a fused kernel: a whole layer as one node, its backward pass written by hand
    on arrays (``apply``), which ``_work`` holds what the forward kept for.  Under
    ``create_graph`` a subclass recomputes its outputs with the composed ops and differentiates
    those (``_differentiate``), so gradients of gradients work as they do everywhere else."""

    __slots__ = ("_work",)

    def _differentiate(self, inputs, results, grads, want):
        """The gradients of ``results`` (the outputs recomputed in composed ops from ``inputs``,
        None where absent) against ``grads``, for the inputs that ``want`` marks (None for the
        others), with a graph of their own."""
        from ..autograd import engine

        roots = [(r, g) for r, g in zip(results, grads) if r is not None and g is not None]
        targets = [t for t, w in zip(inputs, want) if w]
        got = iter(
            engine.run([r for r, _ in roots], [g for _, g in roots], True, True, targets, False)
        )
        return [next(got) if w else None for w in want]

    def _release(self, where=None):
        super()._release(where)
        self._work = None


def record_fused(cls, inputs, results, attrs, work, saved_outputs=()):
    """Make the node of one fused kernel call: a ``cls`` (a ``FusedNode``) with an edge to each of
    ``inputs`` (tensors or None), which it keeps with their versions, and after them the outputs
    numbered in ``saved_outputs`` (as their arrays and version counters: a write into one fails
    the backward pass); ``results`` (None where an output is absent) hang on it."""
    node = _new(cls)
    node.next_functions = tuple(map(_edge, inputs))
    node._seq = _next_seq()
    node._attrs = attrs
    node._meta = None
    node._work = work
    saved = list(inputs)
    versions = [None if t is None else t._vc.version for t in inputs]
    for i in saved_outputs:
        r = results[i]
        saved.append(SavedOutput((r._data, r._vc) if i == 0 else (r._data, r._vc, i)))
        versions.append(r._vc.version)
    node._saved = tuple(saved)
    node._versions = tuple(versions)
    if _switches.inference_seen:  # an inference tensor may not be saved (PyTorch's error)
        _check_saveable(node._saved)
    node._site, node._site_at = caller_site(2)
    for i, r in enumerate(results):
        if r is not None:
            r._grad_fn = node
            r._output_nr = i
    if _switches.anomaly_hook is not None:
        _switches.anomaly_hook(node, inputs, [r for r in results if r is not None])
    return node


def _as_tuple(results):
    return results if type(results) is tuple else (results,)


def refresh_views(tensors):
    """Before an op that records reports an error of its own: each input's grad_fn as PyTorch
    reads it first (``Tensor.grad_fn``), so that a view written since it was made and that may not
    get a fresh grad_fn (one of several views, made under no_grad) raises its error instead."""
    if not _grad_state.enabled:
        return
    if not any(isinstance(t, Tensor) and t.requires_grad for t in tensors):
        return
    for t in tensors:
        if isinstance(t, Tensor) and t._vc.stale and t._view_base is not None:
            t.grad_fn  # noqa: B018 (made anew, or the error)


def shown_name(d):
    """The op's name as a user calls it: a private op (``_sum_all``) is named by its node
    (``SumBackward0``: ``sum``)."""
    return d.name if not d.name.startswith("_") else op_name_of(d.Node.__name__)


def _real_results_only(record, name):
    """``record`` refusing a complex result, for an op PyTorch has no complex derivative for."""

    def record_real(tensors, results, attrs, fit):
        first = results if type(results) is Tensor else results[0]
        if first._data.dtype.kind == "c":
            raise RuntimeError(
                f"{name} does not support automatic differentiation for outputs with complex dtype."
            )
        return record(tensors, results, attrs, fit)

    return record_real


def _check_nondiff(d, tensors, nondiff):
    for i in nondiff:
        t = tensors[i]
        if isinstance(t, Tensor) and t._requires_grad:
            raise RuntimeError(
                f"The function '{d.name.lstrip('_')}' is not differentiable with "
                f"respect to argument '{d.inputs[i]}'. This input cannot have "
                "requires_grad True."
            )


def _version(t):
    return t._vc.version if isinstance(t, Tensor) else None


def _check_saveable(saved):
    """PyTorch's error for an inference tensor among the values a node saves."""
    for t in saved:
        if isinstance(t, Tensor) and type(t._vc) is InferenceVersionCounter:
            raise RuntimeError(INFERENCE_SAVED)


def _save_plan(node, plan, tensors, results):
    """Store what the formulas read, each with its version (plans record() does not write out)."""
    saved = []
    versions = []
    for entry in plan:
        if entry is None:  # not needed by the gradients this node will compute
            saved.append(None)
            versions.append(None)
            continue
        kind, i = entry
        if kind == 0:  # an input
            t = tensors[i]
            saved.append(t)
            versions.append(_version(t))
        elif kind == 1:  # an output: kept as its array and version counter, not the
            r = results[i]  # tensor, which holds this node (that would be a cycle); an output
            # after the first keeps its number, so that a gradient through it reaches its slot
            saved.append(SavedOutput((r._data, r._vc) if i == 0 else (r._data, r._vc, i)))
            versions.append(r._vc.version)
        else:  # an input's shape, dtype or strides
            a = tensors[i]._data
            if kind == 4:
                saved.append(a.strides)
            else:
                saved.append(a.shape if kind == 2 else dtypes.FROM_NP[a.dtype])
            versions.append(None)
    node._saved = tuple(saved)
    node._versions = tuple(versions)


def _wrap(array, base, requires_grad, multi=False):
    """An op's result: a view of ``base`` when it shares its memory (``multi``: one of several
    views the op returns), else a tensor of its own."""
    if type(array) is not ndarray:
        array = xp.asarray(array)
    if base is not None and (
        xp.may_share_memory(array, base._data)
        # (an array with no elements shares no bytes: a view of an empty tensor is one all the same)
        or (array.size == 0 and memory_root(array) is memory_root(base._data))
    ):
        vc = base._vc
        t = _make(array, requires_grad, None, vc)
        root = base._view_base
        t._view_base = base if root is None else root
        if vc.version:  # (the class default is 0: most views are of tensors never written)
            t._attr_version = vc.version
        # requires_grad: grad mode is on and the base requires grad, the common case, with nothing
        # more to note unless the view is one of several or of a view made apart
        if not requires_grad or multi or vc.views is None or base._view_meta is not None:
            note_view(t, base, multi)
        return t
    return _make(array, requires_grad)


def note_view(t, base, multi=False):
    """What a new view ``t`` of ``base`` must know beyond its base, as PyTorch's views know it: how
    it was made (under no_grad or in inference mode, or as one of several views: a view of such a
    view inherits that), and, made under no_grad from a tensor that requires grad, that it
    requires grad too (yet has no grad_fn, and no gradient reaches its base through it).  A view
    of a tensor that does not require grad is listed on the shared version counter, to learn when
    its base comes to: one made under no_grad then requires grad too, and an op that takes it
    reads its grad_fn, which is PyTorch's error for such a view."""
    vc = t._vc
    views = vc.views
    if views is None:  # the first view: from now on a write makes views check their grad_fn
        views = vc.views = []
    meta = base._view_meta
    root = t._view_base  # (``base`` may be a view made a leaf that requires grad of its own)
    if type(vc) is InferenceVersionCounter:
        pass  # a view of an inference tensor is one too, which no graph tracks: no limit to note
    elif not _grad_state.enabled:
        t._requires_grad = root._requires_grad
        t._view_meta = (
            meta
            if meta is INFERENCE_VIEW
            else INFERENCE_VIEW
            if _grad_state.inference
            else NO_GRAD_VIEW
        )
    else:
        if multi and meta is not INFERENCE_VIEW:
            meta = MULTI_VIEW
        if meta is not None:
            t._view_meta = meta
    if not root._requires_grad or not _grad_state.enabled:  # (see tensor.views_follow_base)
        views.append(weakref.ref(t))
        n = len(views)
        if n >= 64 and not n & (n - 1):  # at each power of two: drop the dead (amortized O(1))
            views[:] = [r for r in views if r() is not None]


def _packed_meta(meta, tensors, edged=None):
    """``meta`` (see ``_broadcast_meta``) for a node whose saved values went through saved-tensor
    hooks: they come back as the unpack hook gives them, with no version check, so maybe with
    another shape (the tensor itself, reshaped in place since).  Each input's gradient is then
    summed back to the shape the input had, as PyTorch checks every gradient against its input's."""
    positions = range(len(tensors)) if edged is None else edged
    out = []
    for j, i in enumerate(positions):
        m = None if meta is None else meta[j]
        t = tensors[i]
        if m is None and isinstance(t, Tensor):
            m = (t._data.shape, None)
        out.append(m)
    return out


def _broadcast_meta(tensors, out, edged=None):
    """Per input (per input in ``edged``, those with an edge, when given): (shape, dtype) to fit
    its gradient back to, or None when it already fits.

    A formula's gradient has the inputs' broadcast shape: the output's, except for an op that
    reduces what it broadcast (a loss), whose 0-d output says nothing of that shape. Where the
    inputs' dtypes differ, every input's gradient is cast back to its own dtype: a formula that
    reads another input may compute in that one's (PyTorch casts each gradient to its input's
    dtype)."""
    shape = out.shape
    if any(isinstance(t, Tensor) and t._data.ndim > out.ndim for t in tensors):
        shape = xp.broadcast_shapes(*(t._data.shape for t in tensors if isinstance(t, Tensor)))
    meta = None
    mixed = any(isinstance(t, Tensor) and t._data.dtype != out.dtype for t in tensors)
    for i, t in enumerate(tensors):
        if isinstance(t, Tensor) and (mixed or t._data.shape != shape):
            if meta is None:
                meta = [None] * len(tensors)
            meta[i] = (t._data.shape, dtypes.FROM_NP[t._data.dtype] if mixed else None)
    if meta is not None and edged is not None:
        meta = [meta[i] for i in edged]
    return meta


def _promote(mode, tensors, arrays, name):
    """Cast the input arrays to the dtype PyTorch computes this op in.

    Python scalars stay Python scalars: the array library already gives them the tensor's type.
    """
    if mode == "binary":
        a, b = tensors[0], tensors[1]
        if len(tensors) > 2:
            pass  # a third input may change the type too
        elif isinstance(a, Tensor):
            if isinstance(b, Tensor):
                if a._data.dtype == b._data.dtype:
                    return arrays
            elif a._data.dtype.kind in "fV" and type(b) in _REAL:
                return arrays
        elif isinstance(b, Tensor) and b._data.dtype.kind in "fV" and type(a) in _REAL:
            return arrays
        target = dtypes.result_type(*tensors)
    elif mode == "float":
        a = tensors[0]
        if len(tensors) == 1 and a._data.dtype.kind in _FLOAT_KINDS:
            return arrays
        target = dtypes.result_type(*tensors)
        if target.category < 2:  # bool or integer: computed in the default float dtype
            target = dtypes.get_default_dtype()
    else:
        raise ValueError(f"{name}: unknown promotion {mode!r}")
    np_target = target.np
    if np_target.kind in "iu":  # a Python int wraps into the integer type, as a C cast does
        arrays = [wrapped_int(a, np_target) if type(a) is int else a for a in arrays]
    # (cast as Tensor.to casts: an expanded array to a contiguous one, else in its own layout,
    # which the result's layout then follows, as in PyTorch)
    return [
        kept_layout(a.astype(np_target, order=kept_order(a)), a)
        if isinstance(t, Tensor) and a.dtype != np_target
        else a
        for t, a in zip(tensors, arrays)
    ]


_REAL = (float, int)


def wrapped_int(value, np_dtype):
    """The Python int ``value`` as PyTorch hands it to an op on integers of ``np_dtype``: read
    as a 64-bit integer, then wrapped into the type (NumPy refuses a value out of its range)."""
    info = xp.iinfo(np_dtype)
    if info.min <= value <= info.max:
        return value
    if not -(2**63) <= value < 2**64:
        raise OverflowError(
            "int too big to convert" if value > 0 else "can't convert negative int to unsigned"
        )
    size = 2**info.bits
    value %= size
    return value - size if value > info.max else value


def declared_again(fn, name, node, forward=None):
    """``fn``'s op declared once more as the op ``name``, recorded by ``node``: the same inputs,
    saved values, derivative formulas, checks and results, computed by ``forward`` where one is
    given (a copying one: the *_copy ops of the views), else by ``fn``'s own."""
    d = fn.opdef
    return op(
        name,
        inputs=" ".join(d.inputs),
        saves=" ".join(d.saves),
        grads=d.grads,
        outputs=d.outputs,
        returns=d.returns,
        check=d.check,
        method=False,
        node=node,
    )(forward or d.forward)


def no_derivative(backward_name, forward_name=None):
    """The formula and jvp of an op that PyTorch records with no derivative: each raises
    PyTorch's error naming its ATen op (``forward_name`` for forward AD, when another)."""

    def formula(g, n):
        raise RuntimeError(f"derivative for aten::{backward_name} is not implemented")

    def jvp(tangents, inputs, results, *attrs):
        raise NotImplementedError(
            f"Trying to use forward AD with aten::{forward_name or backward_name} that does not "
            "support it."
        )

    return formula, jvp


def broadcast_pair(sa, sb):
    """The shape the shapes ``sa`` and ``sb`` broadcast to, or PyTorch's error naming them
    tensor a and tensor b."""
    n = max(len(sa), len(sb))
    for i in range(1, n + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - i}"
            )
    return xp.broadcast_shapes(sa, sb)


def _shape_error(err, broadcast, arrays, name):
    if broadcast and "broadcast" in str(err):
        # PyTorch broadcasts the operands in order, each against the shape of those before it
        shapes = [a.shape for a in arrays if isinstance(a, ndarray)]
        sa = shapes[0] if shapes else ()
        for sb in shapes[1:]:
            try:
                sa = broadcast_pair(sa, sb)
            except RuntimeError as e:
                return e
    return RuntimeError(f"{name}: {err}")


def wrap_tensor_list(values):
    """Python scalars and arrays as Tensors; Tensors unchanged (for list-taking ops)."""
    return [v if isinstance(v, Tensor) else _make(xp.asarray(v)) for v in values]
