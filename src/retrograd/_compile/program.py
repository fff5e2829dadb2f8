"""Programs: a recorded list of steps turned into one Python function on arrays, and the node
that runs a backward program in the graph.

A program is generated as Python source, one line per step (``s7 = f3(s2, k1)``), so a replay
costs one function call per NumPy call it makes and nothing else: no Tensor, no Node per op.
The calls are the very ones eager mode makes, in the same order, so the results are equal bit
for bit; where a step reads an array the program made and nothing else holds or reads later (a
product, then what was written into it), an elementwise step (a bias added, relu) writes its
result into it: the same NumPy loops with ``out=``, with no new array.
"""

from .. import _switches
from .._array import ndarray, xp
from .._switches import grad_mode as _grad_state
from ..autograd.node import Node, _modified_message, freed_error
from ..tensor import InferenceVersionCounter, Tensor, VersionCounter, _make
from .trace import CAST, CONST, LIST, SLOT, _AttrSlot

_DOUBLE_BACKWARD = "torch.compile with aot_autograd does not currently support double backward"
# The op modules' names, as this package is imported (a benchmark imports an earlier tree of it
# under another name, and its replays should take the same shortcuts)
_POINTWISE = __name__.split(".")[0] + ".ops.pointwise"
_LINALG = __name__.split(".")[0] + ".ops.linalg"


class Source:
    """Python source being written, one function at a time, with the Python objects it names
    (``k3`` a constant, ``f2`` a step's forward, ``c2`` its check) in its namespace."""

    def __init__(self, **names):
        self.ns = {
            "asarray": xp.asarray,
            "ndarray": ndarray,
            "make": _make,
            "new": object.__new__,
            "Tensor": Tensor,
            "VC": VersionCounter,
            "IVC": InferenceVersionCounter,
            "sw": _switches,
            "gs": _grad_state,
            **names,
        }
        self.lines = []
        self._consts = {}
        self._n = 0

    def const(self, v):
        key = (type(v), id(v))
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = f"k{len(self._consts)}"
            self.ns[name] = v
        return name

    def line(self, text):
        self.lines.append("    " + text)

    def tensor(self, name, array, node=None, vc="VC()"):
        """``name = make(array, node is not None, node)`` written out, as ``tensor._make`` does
        (keep the two in step): a call less per result.  ``vc``: the version counter's maker
        (``_make`` gives a result that needs no gradient, made in inference mode, an inference
        one: see ``inference_vc``)."""
        self.line(f"{name} = new(Tensor)")
        self.line(f"{name}._data = {array}")
        self.line(f"{name}._requires_grad = {node is not None}")
        self.line(f"{name}._grad_fn = {node}")
        self.line(f"{name}._vc = {vc}")
        self.line(f"{name}._output_nr = 0")
        self.line(f"{name}._cuts = None")

    def inference_vc(self):
        """A line that names the maker of the version counters of results needing no gradient
        ``vc``, as ``_make`` chooses it: inside ``inference_mode``, an inference counter."""
        self.line("vc = IVC if sw.inference_blocks and gs.inference else VC")

    def body(self, steps, arrays, results):
        """``steps`` (see ``steps``), then ``return`` the arrays in slots ``results`` as new
        tensors (None stands for no array)."""
        self.steps(steps, arrays, {r for r in results if r is not None})
        if any(r is not None for r in results):
            self.inference_vc()
        for j, r in enumerate(results):
            if r is not None:
                self.tensor(f"r{j}", f"s{r}", vc="vc()")
        items = "".join(("None" if r is None else f"r{j}") + ", " for j, r in enumerate(results))
        self.line(f"return [{items}]")

    def steps(self, steps, arrays=None, keep=()):
        """A line per step: ``s7 = f3(s2, k1)``.

        With ``arrays`` (the array each slot held when traced), an elementwise step whose operand
        is an array this program made, that nothing else refers to and nothing reads later, writes
        its result into that operand (``out=``: the same NumPy loop, so the same bits, without a
        new array); slots in ``keep`` (what the program returns or saves) are never written."""
        const = self.const
        last = {}  # slot -> index of the last step reading it
        for i, step in enumerate(steps):
            for s in _reads(step):
                last[s] = i
        # Slots holding a C-ordered array of this program's own (an mm's product, then what was
        # written into it) that only elementwise steps and mm have read: no view of it or other
        # reference to it exists, and its layout is the same on every replay.
        own = set()

        def reusable(i, step):
            """The slot ``step`` (number ``i``) may write its result into, or None: an operand
            of its own that nothing reads later, of the result's shape and dtype, where every
            other operand is a number, of its own or broadcast along one axis (so that the
            result would be C-ordered too)."""
            if arrays is None or step.zero_d[0]:
                return None
            out = arrays[step.outs[0]]
            into = None
            for kind, v in step.ins:
                if kind == CONST:
                    continue
                if kind != SLOT:
                    return None
                a = arrays[v]
                if (
                    into is None
                    and v in own
                    and v not in keep
                    and last.get(v) == i
                    and a.shape == out.shape
                    and a.dtype == out.dtype
                ):
                    into = v
                elif v not in own and (a.ndim > 1 or a.shape == out.shape):
                    return None
            return into

        def arg(kind, v):
            if kind == SLOT:
                return f"s{v}"
            if kind == CAST:
                return f"s{v[0]}.astype({const(v[1])})"
            if kind == CONST:
                return const(v)
            return "[" + ", ".join(arg(k, x) for k, x in v) + "]"

        def attr(v):
            if isinstance(v, _AttrSlot):
                return f"make(s{v.slot})" if v.tensor else f"s{v.slot}"
            if type(v) in (tuple, list) and _marked(v):
                items = ", ".join(attr(e) for e in v)
                return f"({items},)" if type(v) is tuple else f"[{items}]"
            return const(v)

        def operands(step):
            # (a number with an operand of the result's dtype: as a 0-d array of that dtype)
            if len(step.ins) != 2:
                return [arg(kind, v) for kind, v in step.ins]
            return [
                arg(kind, v)
                if kind != CONST or step.dtypes[1 - i] != step.dtypes[2]
                else const(_as_array(v, step.dtypes[2]))
                for i, (kind, v) in enumerate(step.ins)
            ]

        for i, step in enumerate(steps):
            n = self._n
            self._n += 1
            fn = f"f{n}"
            ufunc = _direct(step)
            relu = ufunc is None and _is_relu(step, arrays) and step.ins[0][1] in own
            into = reusable(i, step) if ufunc is not None or relu else None
            mm = step.name == "mm" and getattr(step.fn, "__module__", "") == _LINALG
            if ufunc is None and not relu and not mm:
                own.difference_update(_reads(step))  # (it may keep a view or the array itself)
            if relu:
                # relu as its forward computes it, max(zeros, x), with the zeros made once
                zeros = const(xp.zeros(arrays[step.outs[0]].shape, step.dtypes[-1]))
                out = f", out=s{into}" if into is not None else ""
                line = f"s{step.outs[0]} = {const(xp.maximum)}({zeros}, s{step.ins[0][1]}{out})"
                self.line(f"{line}  # relu")
                own.discard(step.ins[0][1])
                own.add(step.outs[0])
                continue
            if into is not None:  # (an elementwise step: a ufunc call, its result into an operand)
                line = f"s{step.outs[0]} = {const(ufunc)}({', '.join(operands(step))}, out=s{into})"
                self.line(f"{line}  # {step.name}")
                own.discard(into)
                own.add(step.outs[0])
                continue
            operator = _OPERATORS.get(step.name) if ufunc is not None else None
            if operator is not None and len(step.ins) == 2:
                out = f"s{step.outs[0]}"
                a, b = operands(step)
                self.line(f"{out} = {a} {operator} {b}  # {step.name}")
                if step.zero_d[0]:
                    self.line(f"if type({out}) is not ndarray: {out} = asarray({out})")
                continue
            if mm:  # (a new C-ordered array: matmul of two matrices)
                own.add(step.outs[0])
            self.ns[fn] = step.fn if ufunc is None else ufunc
            attrs = step.attrs if ufunc is None else _DIRECT[step.name][2]
            call_args = ", ".join([arg(k, v) for k, v in step.ins] + [attr(v) for v in attrs])
            if step.check is not None:
                self.ns[f"c{n}"] = step.check
                self.line(f"c{n}({call_args})")
            outs = [f"s{o}" for o in step.outs]
            if step.single:
                self.line(f"{outs[0]} = {fn}({call_args})  # {step.name}")
            else:
                self.line(f"{', '.join(outs)}, = {fn}({call_args})  # {step.name}")
            for o, z in zip(outs, step.zero_d):
                if z:
                    self.line(f"if type({o}) is not ndarray: {o} = asarray({o})")

    def function(self, header):
        """The function ``def header:`` whose body is the lines written since the last one."""
        name = header.split("(")[0]
        source = "\n".join([f"def {header}:", *self.lines])
        self.lines = []
        exec(compile(source, f"<retrograd.compile {name}>", "exec"), self.ns)
        fn = self.ns[name]
        fn._source = source  # (for reading what a replay runs)
        return fn


def build(steps, inputs, results, name="program", arrays=None):
    """A function of the arrays in slots ``inputs`` that runs ``steps`` and returns the arrays in
    slots ``results`` as new tensors (None stands for no array); ``arrays``: see
    ``Source.steps``."""
    src = Source()
    src.body(steps, arrays, results)
    return src.function(f"{name}({', '.join(f's{i}' for i in inputs)})")


def node_class(steps, seed, saved, results, arrays, checks):
    """The node class of a trace with one output that requires grad: CompiledFunctionBackward
    whose ``apply`` is the backward program itself (``build``'s, with the gradient ``seed`` and
    the ``saved`` slots read from the node; ``checks``: whether it has saved tensors the user
    holds, whose versions it checks), one call where the general ``apply`` makes two."""
    src = Source(
        DOUBLE_BACKWARD=_DOUBLE_BACKWARD, freed_error=freed_error, RuntimeError=RuntimeError
    )
    src.line("if gs.enabled: raise RuntimeError(DOUBLE_BACKWARD)")
    src.line("saved = self._saved")
    src.line("if saved is None: raise freed_error(self)")
    if checks:
        src.line("self._check_versions()")
    if saved:
        src.line("".join(f"s{i}, " for i in saved) + "= saved")
    src.line(f"s{seed} = grads[0]._data")
    src.body(steps, arrays, results)
    apply = src.function("apply(self, grads, needed)")
    return type(
        "CompiledFunctionBackward",
        (CompiledFunctionBackward,),
        {"__slots__": (), "apply": apply, "__module__": CompiledFunctionBackward.__module__},
    )


# Forwards that are one ufunc call for the attributes given: the replay calls the ufunc itself
# (the same NumPy call, one Python call less).  name: (ufunc, attributes it must have, extra
# arguments of the ufunc).
_DIRECT = {
    "add": (xp.add, ((), (1,)), ()),
    "_sub": (xp.subtract, ((), (1,)), ()),
    "mul": (xp.multiply, ((),), ()),
    "sin": (xp.sin, ((),), ()),
    "cos": (xp.cos, ((),), ()),
}
# (not tanh or exp: their forwards round float32 through float64, where the ufunc alone would not)


# ... and those of them that an operator of ndarray calls (one Python call less again).
_OPERATORS = {"add": "+", "_sub": "-", "mul": "*"}


def _as_array(value, dtype):
    """A Python number among a ufunc's operands, as the 0-d array of the result's ``dtype``
    when that gives the same result: NumPy then skips working out what the number means (a
    microsecond a call), and computes with the number cast to ``dtype`` either way.  As it is
    otherwise (a bool, a number of another kind than ``dtype``, one that does not fit)."""
    if type(value) not in (int, float) or dtype.kind not in (
        "fc" if type(value) is float else "fciu"
    ):
        return value
    with xp.errstate(all="raise"):
        try:
            array = xp.asarray(value, dtype)
        except (OverflowError, FloatingPointError, ValueError):
            return value
    if type(value) is int and array.item() != value:  # (an integer too large for a float)
        return value
    return array


def _direct(step):
    entry = _DIRECT.get(step.name)
    if entry is None or step.check is not None or not step.single:
        return None
    ufunc, attrs, _ = entry
    if not any(step.attrs == a and all(type(x) is int for x in a) for a in attrs):
        return None
    # the op's own forward, not one of the same name elsewhere
    if getattr(step.fn, "__module__", "") != _POINTWISE:
        return None
    return ufunc


def _reads(step):
    """The slots ``step`` reads: its array inputs and the arrays among its attributes."""
    used = []
    for kind, v in step.ins:
        _collect(kind, v, used)
    for a in step.attrs:
        _collect_attr(a, used)
    return used


def _collect(kind, v, used):
    if kind == SLOT:
        used.append(v)
    elif kind == CAST:
        used.append(v[0])
    elif kind == LIST:
        for k, x in v:
            _collect(k, x, used)


def _collect_attr(a, used):
    if isinstance(a, _AttrSlot):
        used.append(a.slot)
    elif type(a) in (tuple, list):
        for e in a:
            _collect_attr(e, used)


def _is_relu(step, arrays):
    """relu of a float array this program made (C-ordered, no zero strides), which its forward
    computes as max(zeros_like(x), x): the replay passes zeros made once instead."""
    return (
        arrays is not None
        and step.name == "relu"
        and step.check is None
        and getattr(step.fn, "__module__", "") == _POINTWISE
        and len(step.ins) == 1
        and step.ins[0][0] == SLOT
        and not step.zero_d[0]
        and step.dtypes[-1].kind == "f"
        and step.dtypes[0] == step.dtypes[-1]
    )


def _marked(v):
    return any(isinstance(e, _AttrSlot) or (type(e) in (tuple, list) and _marked(e)) for e in v)


class CompiledFunctionBackward(Node):
    """The one node of a compiled function's outputs: runs the recorded backward program.

    ``_saved``: the arrays the backward programs read; ``_programs[mask]``: the program for the
    outputs in ``mask`` (bit i: output i got a gradient); ``_checks``: the saved values that are
    tensors the user holds (inputs, parameters, outputs), with their versions then.  A trace
    with one output that requires grad has a class of its own whose ``apply`` is the program
    (``node_class``).
    """

    __slots__ = ("_saved", "_programs", "_checks", "_freed_at")
    _formula_grads = True  # (the recorded formulas of the op table)

    def apply(self, grads, needed):
        if _grad_state.enabled:
            raise RuntimeError(_DOUBLE_BACKWARD)
        saved = self._saved
        if saved is None:
            raise freed_error(self)
        self._check_versions()
        if len(grads) == 1:  # one output
            return self._programs[1](grads[0]._data, *saved)
        mask = 0
        arrays = []
        for i, g in enumerate(grads):
            if g is not None:
                mask |= 1 << i
                arrays.append(g._data)
        program = self._programs.get(mask)
        if program is None:  # gradients for outputs in a combination not traced
            raise RuntimeError(
                "retrograd.compile: this combination of outputs with gradients was not traced; "
                "call the function eagerly for it"
            )
        return program(*arrays, *saved)

    def _check_versions(self):
        """PyTorch's error if a saved tensor the user holds was changed in place since."""
        for t, version, vc, array in self._checks:
            if t is None:
                if vc.version != version:
                    raise RuntimeError(
                        _modified_message(self, _make(array, True, self, vc), version)
                    )
            elif t._vc.version != version:
                raise RuntimeError(_modified_message(self, t, version))

    def _release(self, where=None):
        if self._saved is not None:
            self._saved = None
            self._freed_at = where
