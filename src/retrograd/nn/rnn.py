"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Parameter names, shapes, gate order (LSTM: input, forget, cell, output; GRU: reset, update, new)
and initialisation (every weight U(-1/sqrt(hidden), 1/sqrt(hidden))) follow PyTorch, so a state
dict moves between the two.  Each layer and direction runs as one fused kernel with one graph
node (``ops.rnn.layer``); an LSTM with ``proj_size`` (its hidden state projected by
``weight_hr_l{k}`` to that size) runs the composed step-by-step ops instead.  The cells take one
step with the same composed formulas.
"""

import math
import warnings

from .. import creation
from ..ops import rnn as _rnn
from ..ops.shape import cat, stack
from ..tensor import Tensor
from . import functional as F
from . import init
from .linear import empty_param
from .module import Module

_GATES = _rnn.GATES


def run_layers(mode: str, x: Tensor, h0, c0, weights, num_layers, directions, dropout, sizes):
    """Stacked recurrent layers over ``x`` (T, B, I): ``(output, h_n, c_n)``.  ``weights``: per
    layer and direction ``(w_ih, w_hh, b_ih, b_hh)`` (biases may be None), or with a fifth,
    ``w_hr``, an LSTM's projection of the hidden state (or None); ``dropout``: the
    probability between layers (0 in evaluation); ``sizes``: see ``ops.rnn.layer``.  The one
    implementation behind ``nn.RNN``/``LSTM``/``GRU`` and ``torch.lstm``/``gru``/``rnn_*``."""
    finals_h, finals_c = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            h = h0[k] if h0 is not None else None
            c = c0[k] if c0 is not None else None
            w_ih, w_hh, b_ih, b_hh, *w_hr = weights[k]
            out, h, c = _rnn.layer(
                mode, x, w_ih, w_hh, b_ih, b_hh, h, c, d == 1, sizes, w_hr[0] if w_hr else None
            )
            outs.append(out)
            finals_h.append(h)
            finals_c.append(c)
        x = outs[0] if directions == 1 else cat(outs, 2)
        if dropout and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    c_n = stack(finals_c) if mode == "LSTM" else None
    return x, stack(finals_h), c_n


def padded_from_packed(data: Tensor, sizes) -> Tensor:
    """A packed batch's ``data`` (sorted, ``sizes`` rows at each step) as a (T, B, *) tensor,
    zeros after each sequence's end."""
    from .utils.rnn import PackedSequence, pad_packed_sequence

    return pad_packed_sequence(PackedSequence(data, creation.tensor(sizes)))[0]


def _no_projection(options) -> None:
    """RNN and GRU refuse a ``proj_size`` argument, whatever its value."""
    if "proj_size" in options:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


class _RNNBase(Module):
    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the "
                "probability of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so "
                "non-zero dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            _no_projection({"proj_size": proj_size})
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size  # the size of h: projected from hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else out_size * directions
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_in)),
                    ("weight_hh", (gate_size, out_size)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, empty_param(*shape, dtype=dtype, device=device))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        std = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -std, std)

    @property
    def all_weights(self):
        """The weights of each layer and direction, one list each (``_flat_weights`` in order)."""
        names = self._flat_weights_names
        groups = self.num_layers * (2 if self.bidirectional else 1)
        per = len(names) // groups if groups else 0
        return [[getattr(self, n) for n in names[g * per : (g + 1) * per]] for g in range(groups)]

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """Nothing to do: the weights need no single buffer here (PyTorch packs them for cuDNN
        alone, and on the CPU this returns at once as well)."""

    def _weights(self, layer: int, direction: int):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (
            get("weight_ih" + suffix),
            get("weight_hh" + suffix),
            get("bias_ih" + suffix),
            get("bias_hh" + suffix),
            get("weight_hr" + suffix),
        )

    def forward(self, input: Tensor, hx=None):
        from .utils.rnn import PackedSequence

        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = input.ndim == 3
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                f"{input.ndim}D input instead"
            )
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        lstm = self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        if h0 is not None:
            self._check_state_dims(h0, c0, batched)
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
        self._check_forward_args(input, h0, c0, input.shape[1])
        out, h_n, c_n = self._run(input, h0, c0)
        if not batched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:  # (PyTorch's step-by-step GRU and RNN transpose in place)
            out = out.transpose(0, 1) if lstm else out.transpose_(0, 1)
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def _forward_packed(self, packed, hx):
        """A PackedSequence in and out: the sequences run padded, sorted longest first, and at step
        t only the first ``batch_sizes[t]`` rows move on (the others keep their state)."""
        from .utils.rnn import PackedSequence

        sizes = packed.batch_sizes.tolist()
        x = padded_from_packed(packed.data, sizes)
        lstm = self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        order = packed.sorted_indices
        if order is not None:  # the initial states come in the caller's order
            h0 = h0.index_select(1, order) if h0 is not None else None
            c0 = c0.index_select(1, order) if c0 is not None else None
        self._check_forward_args(x, h0, c0, sizes[0])
        out, h_n, c_n = self._run(x, h0, c0, sizes)
        data = cat([out[t, :n] for t, n in enumerate(sizes)])
        if packed.unsorted_indices is not None:
            h_n = h_n.index_select(1, packed.unsorted_indices)
            c_n = c_n.index_select(1, packed.unsorted_indices) if c_n is not None else None
        out = PackedSequence(
            data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
        )
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def _check_state_dims(self, h0, c0, batched):
        """PyTorch's check that the initial states have the input's batched-ness."""
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode != "LSTM":
            if h0.ndim != want:
                raise RuntimeError(
                    f"For {kind} input, hx should also be {want}-D but got {h0.ndim}-D tensor"
                )
        elif h0.ndim != want or c0.ndim != want:
            raise RuntimeError(
                f"For {kind} input, hx and cx should also be {want}-D but got "
                f"({h0.ndim}-D, {c0.ndim}-D) tensors"
            )

    def _check_forward_args(self, x, h0, c0, batch):
        """PyTorch's checks of the input (T, B, I) and the initial states against the layer."""
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({x.dtype})"
            )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )
        states = self.num_layers * (2 if self.bidirectional else 1)
        names = ("hidden[0]", "hidden[1]") if self.mode == "LSTM" else ("hidden",)
        sizes = (self.proj_size or self.hidden_size, self.hidden_size)
        for name, state, size in zip(names, (h0, c0), sizes):
            expected = (states, batch, size)
            if state is not None and tuple(state.shape) != expected:
                raise RuntimeError(f"Expected {name} size {expected}, got {list(state.shape)}")
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")

    def _run(self, x: Tensor, h0, c0, sizes=None):
        directions = 2 if self.bidirectional else 1
        weights = [
            self._weights(layer, d) for layer in range(self.num_layers) for d in range(directions)
        ]
        dropout = self.dropout if self.training else 0.0
        return run_layers(
            self.mode, x, h0, c0, weights, self.num_layers, directions, dropout, sizes
        )

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(_RNNBase):
    """``nn.RNN``: h' = tanh (or relu) (W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        **options,
    ):
        _no_projection(options)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
            **options,
        )


class LSTM(_RNNBase):
    """``nn.LSTM``: returns ``output, (h_n, c_n)``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ):
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )


class GRU(_RNNBase):
    """``nn.GRU``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        **options,
    ):
        _no_projection(options)
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
            **options,
        )


class _CellBase(Module):
    _mode = ""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gate_size = _GATES[self._mode] * hidden_size
        self.weight_ih = empty_param(gate_size, input_size, dtype=dtype, device=device)
        self.weight_hh = empty_param(gate_size, hidden_size, dtype=dtype, device=device)
        if bias:
            self.bias_ih = empty_param(gate_size, dtype=dtype, device=device)
            self.bias_hh = empty_param(gate_size, dtype=dtype, device=device)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        std = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -std, std)

    def _step(self, input: Tensor, h, c):
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
            h = h.unsqueeze(0) if h is not None else None
            c = c.unsqueeze(0) if c is not None else None
        zeros = creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        h = zeros if h is None else h
        c = zeros if c is None and self._mode == "LSTM" else c
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _rnn.cell(self._mode, gi, h, c, self.weight_hh, self.bias_hh)
        if not batched:
            h = h.squeeze(0)
            c = c.squeeze(0) if c is not None else None
        return h, c

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self._mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        return s


class RNNCell(_CellBase):
    """``nn.RNNCell``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ):
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx=None) -> Tensor:
        return self._step(input, hx, None)[0]


class LSTMCell(_CellBase):
    """``nn.LSTMCell``: returns ``(h', c')``."""

    _mode = "LSTM"

    def forward(self, input: Tensor, hx=None):
        h, c = hx if hx is not None else (None, None)
        return self._step(input, h, c)


class GRUCell(_CellBase):
    """``nn.GRUCell``."""

    _mode = "GRU"

    def forward(self, input: Tensor, hx=None) -> Tensor:
        return self._step(input, hx, None)[0]
