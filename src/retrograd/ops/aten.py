"""``torch.ops.aten``: names for retrograd's ops as PyTorch's operator overloads
(``torch.ops.aten.mm.default``), so code that selects ops by them -- a selective-checkpoint
policy -- can name retrograd's.  Each name gives the same object every time, so ``op in [...]``
and ``op is ...`` compare as in PyTorch.  The objects only name ops; calling one runs the op of
that name in retrograd's table (the default overload's behaviour)."""

import sys

# The overload PyTorch's dispatcher reports for ops with several: a binary arithmetic op on
# tensors is its "Tensor" overload (a number operand is wrapped into a tensor first).
_OVERLOAD = {"add": "Tensor", "sub": "Tensor", "mul": "Tensor", "div": "Tensor", "rsub": "Tensor"}
_RENAMED = {"true_divide": "div", "_sum_all": "sum", "_rsub": "rsub", "_sub": "sub"}
# ops of the table that are another overload of an operator: (operator, overload)
_OVERLOAD_OPS = {"_native_batch_norm_legit_no_stats": ("_native_batch_norm_legit", "no_stats")}


class OpOverload:
    """One overload of an operator (``torch.ops.aten.mm.default``)."""

    def __init__(self, packet: "OpOverloadPacket", overload: str) -> None:
        self.overloadpacket = packet
        self._overloadname = overload

    def name(self) -> str:
        return f"aten::{self.overloadpacket._name}" + (
            "" if self._overloadname == "default" else f".{self._overloadname}"
        )

    def __repr__(self) -> str:
        return (
            f"<OpOverload(op='aten.{self.overloadpacket._name}', overload='{self._overloadname}')>"
        )

    def __str__(self) -> str:
        return f"aten.{self.overloadpacket._name}.{self._overloadname}"

    def __call__(self, *args, **kwargs):
        return self.overloadpacket(*args, **kwargs)


class OpOverloadPacket:
    """An operator with all its overloads (``torch.ops.aten.mm``)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._overloads: dict = {}

    def __getattr__(self, overload: str) -> OpOverload:
        if overload.startswith("__"):
            raise AttributeError(overload)
        found = self._overloads.get(overload)
        if found is None:
            found = self._overloads[overload] = OpOverload(self, overload)
        return found

    def __repr__(self) -> str:
        return f"<OpOverloadPacket(op='aten.{self._name}')>"

    def __str__(self) -> str:
        return f"aten.{self._name}"

    def _function(self):
        """retrograd's function of this name: ``retrograd.<name>``, or where ``_ATEN_ONLY`` says."""
        obj = sys.modules[__name__.split(".")[0]]  # (retrograd's namespace, imported by now)
        for part in _ATEN_ONLY.get(self._name, self._name).split("."):
            obj = getattr(obj, part, None)
        return obj if callable(obj) else None

    def exists(self) -> bool:
        """Whether retrograd has this operator."""
        return self._function() is not None

    def __call__(self, *args, **kwargs):
        fn = self._function()
        if fn is None:
            raise NotImplementedError(f"torch.ops.aten.{self._name}: no such op in retrograd")
        return fn(*args, **kwargs)


# Operators PyTorch names only under torch.ops.aten (there is no torch.<name>): where retrograd
# has each, from its top-level namespace.
_ATEN_ONLY = {
    "_batch_norm_no_update": "_variable_functions._batch_norm_no_update",
    "_batch_norm_with_update": "_variable_functions._batch_norm_with_update",
    "_upsample_bilinear2d_aa": "ops.resample.upsample_bilinear2d_aa",
    "log_sigmoid": "nn.functional.logsigmoid",
    "max_pool2d_with_indices_backward": "ops.conv.max_pool2d_with_indices_backward",
    "native_dropout_backward": "ops.nnops.native_dropout_backward",
    "slice": "ops.composite.slice_tensor",
}


_PACKETS: dict = {}


def __getattr__(name: str) -> OpOverloadPacket:
    if name.startswith("__"):
        raise AttributeError(name)
    found = _PACKETS.get(name)
    if found is None:
        found = _PACKETS[name] = OpOverloadPacket(name)
    return found


def overload_of(op_name: str) -> OpOverload:
    """The overload PyTorch's dispatcher would name for a call of retrograd's op ``op_name``."""
    if op_name in _OVERLOAD_OPS:
        name, overload = _OVERLOAD_OPS[op_name]
        return getattr(__getattr__(name), overload)
    name = _RENAMED.get(op_name, op_name)
    return getattr(__getattr__(name), _OVERLOAD.get(name, "default"))
