"""``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``: convolution layers as ``torch.nn`` has them."""

import math

from .. import creation
from ..ops import conv as C
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _ntuple(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


class _ConvNd(Module):
    """What every convolution layer shares: checks, parameters, initialisation and repr."""

    _nd = 2

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
        bias,
        padding_mode,
        dtype=None,
        device=None,
    ):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        stride = _ntuple(stride, nd)
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}"
                )
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, nd)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, nd)
        self.stride = stride
        self.padding = padding
        self.dilation = _ntuple(dilation, nd)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's order (last dim first, each side), for the modes that pad before convolving
        if isinstance(padding, str):
            sides = []
            for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = d * (k - 1) if padding == "same" else 0
                sides += [total // 2, total - total // 2]
            self._reversed_padding_repeated_twice = sides
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in (0, 1)]
        shape = (
            (in_channels, out_channels // groups)
            if transposed
            else (out_channels, in_channels // groups)
        ) + self.kernel_size
        self.weight = Parameter(creation.empty(tuple(shape), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, which comes to
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """Conv1d and Conv2d: the same constructor, each with its own functional form."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            False,
            0,
            groups,
            bias,
            padding_mode,
            dtype,
            device,
        )

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding
        if self.padding_mode != "zeros":  # pad by the mode, then convolve without padding
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            padding = (0,) * self._nd
        return self._function(
            input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups
        )


class Conv1d(_Conv):
    """``nn.Conv1d``: a 1-d convolution over (N, C, L) or (C, L) input."""

    _nd = 1
    _function = staticmethod(C.conv1d)


class Conv2d(_Conv):
    """``nn.Conv2d``: a 2-d convolution over (N, C, H, W) or (C, H, W) input."""

    _nd = 2
    _function = staticmethod(C.conv2d)


class Conv3d(_Conv):
    """``nn.Conv3d``: a 3-d convolution over (N, C, D, H, W) or (C, D, H, W) input."""

    _nd = 3
    _function = staticmethod(C.conv3d)


class _ConvTransposeNd(_ConvNd):
    """ConvTranspose1d, 2d and 3d: the same constructor, each with its own functional form."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            True,
            output_padding,
            groups,
            bias,
            padding_mode,
            dtype,
            device,
        )

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        nd = self._nd
        if len(output_size) == nd + 2:
            output_size = tuple(output_size)[2:]
        if len(output_size) != nd:
            raise ValueError(
                f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have "
                f"{nd} or {nd + 2} elements (got {len(output_size)})"
            )
        size = input.shape[-nd:]  # a torch.Size, printed as such in the error
        lows = tuple(
            (n - 1) * s - 2 * p + d * (k - 1) + 1
            for n, s, p, d, k in zip(
                size, self.stride, self.padding, self.dilation, self.kernel_size
            )
        )
        highs = tuple(lo + s - 1 for lo, s in zip(lows, self.stride))
        if any(not lo <= o <= hi for o, lo, hi in zip(output_size, lows, highs)):
            raise ValueError(
                f"requested an output size of {list(output_size)}, but valid sizes "
                f"range from {list(lows)} to {list(highs)} (for an input of "
                f"{size})"
            )
        return tuple(o - lo for o, lo in zip(output_size, lows))

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return self._function(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """``nn.ConvTranspose1d``: the transposed (fractionally strided) 1-d convolution."""

    _nd = 1
    _function = staticmethod(C.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """``nn.ConvTranspose2d``: the transposed (fractionally strided) 2-d convolution."""

    _nd = 2
    _function = staticmethod(C.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """``nn.ConvTranspose3d``: the transposed (fractionally strided) 3-d convolution."""

    _nd = 3
    _function = staticmethod(C.conv_transpose3d)
