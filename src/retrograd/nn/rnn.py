"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Parameter names, shapes, gate order (LSTM: input, forget, cell, output; GRU: reset, update, new)
and initialisation (every weight U(-1/sqrt(hidden), 1/sqrt(hidden))) follow PyTorch, so a state
dict moves between the two.  The input projection of a whole sequence is one matmul; only the
hidden-to-hidden step loops over time.
"""

import math
import warnings

from .. import creation
from ..ops.shape import cat, stack
from ..tensor import Tensor
from . import functional as F
from . import init
from .linear import empty_param
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_step(mode, gi, h, c, w_hh, b_hh):
    """One time step: ``gi`` is the input's projection (with its bias) for this step."""
    gh = F.linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c
    if mode == "GRU":
        ir, iz, in_ = gi.chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = (ir + hr).sigmoid()
        z = (iz + hz).sigmoid()
        n = (in_ + r * hn).tanh()
        return (1 - z) * n + z * h, None
    pre = gi + gh
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


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
        if proj_size:
            raise NotImplementedError("proj_size is not supported by retrograd's LSTM yet")
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
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * directions
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_in)),
                    ("weight_hh", (gate_size, hidden_size)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
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
        return [
            [getattr(self, n) for n in self._flat_weights_names if n.endswith(f"_l{layer}")]
            for layer in range(self.num_layers)
        ]

    def _weights(self, layer: int, direction: int):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (
            get("weight_ih" + suffix),
            get("weight_hh" + suffix),
            get("bias_ih" + suffix),
            get("bias_hh" + suffix),
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
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]}"
            )
        lstm = self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        if h0 is not None and not batched:
            h0 = h0.unsqueeze(1)
            c0 = c0.unsqueeze(1) if c0 is not None else None
        out, h_n, c_n = self._run(input, h0, c0)
        if not batched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def _forward_packed(self, packed, hx):
        """A PackedSequence in and out: the sequences run padded, sorted longest first, and at step
        t only the first ``batch_sizes[t]`` rows move on (the others keep their state)."""
        from .utils.rnn import PackedSequence, pad_packed_sequence

        sizes = packed.batch_sizes.tolist()
        sorted_packed = PackedSequence(packed.data, packed.batch_sizes)
        x, _ = pad_packed_sequence(sorted_packed)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )
        lstm = self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        order = packed.sorted_indices
        if order is not None:  # the initial states come in the caller's order
            h0 = h0.index_select(1, order) if h0 is not None else None
            c0 = c0.index_select(1, order) if c0 is not None else None
        out, h_n, c_n = self._run(x, h0, c0, sizes)
        data = cat([out[t, :n] for t, n in enumerate(sizes)])
        if packed.unsorted_indices is not None:
            h_n = h_n.index_select(1, packed.unsorted_indices)
            c_n = c_n.index_select(1, packed.unsorted_indices) if c_n is not None else None
        out = PackedSequence(
            data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
        )
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def _run(self, x: Tensor, h0, c0, sizes=None):
        steps, batch = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        zeros = creation.zeros(batch, self.hidden_size, dtype=x.dtype)
        finals_h, finals_c = [], []
        h0 = h0.unbind(0) if h0 is not None else None
        c0 = c0.unbind(0) if c0 is not None else None
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                h = h0[k] if h0 is not None else zeros
                c = (c0[k] if c0 is not None else zeros) if self.mode == "LSTM" else None
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                projected = F.linear(x, w_ih, b_ih).unbind(0)  # every time step at once
                hs = [None] * steps
                for t in range(steps - 1, -1, -1) if d else range(steps):
                    h_new, c_new = _rnn_step(self.mode, projected[t], h, c, w_hh, b_hh)
                    if sizes is not None and sizes[t] < batch:  # finished or not yet started
                        n = sizes[t]
                        h_new = cat([h_new[:n], h[n:]])
                        c_new = cat([c_new[:n], c[n:]]) if c is not None else None
                    h, c = h_new, c_new
                    hs[t] = h
                outs.append(stack(hs))
                finals_h.append(h)
                finals_c.append(c)
            x = outs[0] if directions == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        c_n = stack(finals_c) if self.mode == "LSTM" else None
        return x, stack(finals_h), c_n

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
    ):
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
    ):
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
        h, c = _rnn_step(self._mode, gi, h, c, self.weight_hh, self.bias_hh)
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
