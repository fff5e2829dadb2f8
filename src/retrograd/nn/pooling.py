"""Max, average and adaptive average pooling layers, 1-d and 2-d, as in ``torch.nn``."""

from ..ops import conv as C
from ..tensor import Tensor
from . import functional as F
from .module import Module


class _MaxPoolNd(Module):
    """What the max-pooling layers share: their options, and how they print."""

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return self._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """``nn.MaxPool2d``: the maximum of each window (and its index with ``return_indices``)."""

    _pool = staticmethod(C.max_pool2d)


class _AvgPoolNd(Module):
    """What the average-pooling layers share: how they print."""

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolDivisorNd(_AvgPoolNd):
    """AvgPool2d and AvgPool3d: the same options (``divisor_override`` too), each its function."""

    _pool = staticmethod(C.avg_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return self._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AvgPool2d(_AvgPoolDivisorNd):
    """``nn.AvgPool2d``: the mean of each window."""


class _AdaptiveAvgPoolNd(Module):
    """What the adaptive average-pooling layers share: the output size, and how they print."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """``nn.AdaptiveAvgPool2d``: the mean over an even split of the plane into ``output_size``."""

    def forward(self, input: Tensor) -> Tensor:
        return C.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """``nn.AdaptiveAvgPool3d``: the mean over an even split of the volume into ``output_size``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


def _tuple1(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class MaxPool1d(_MaxPoolNd):
    """``nn.MaxPool1d``: the maximum of each window along the last dimension."""

    _pool = staticmethod(F.max_pool1d)


class AvgPool1d(_AvgPoolNd):
    """``nn.AvgPool1d``: the mean of each window along the last dimension."""

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ):
        super().__init__()
        # PyTorch keeps these as 1-tuples
        self.kernel_size = _tuple1(kernel_size)
        self.stride = _tuple1(stride if stride is not None else kernel_size)
        self.padding = _tuple1(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """``nn.AdaptiveAvgPool1d``: the mean over an even split of the last dimension."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    """What the adaptive max-pooling layers share: the output size, ``return_indices``."""

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """``nn.AdaptiveMaxPool1d``: the maximum over an even split of the last dimension."""

    def forward(self, input: Tensor):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """``nn.AdaptiveMaxPool2d``: the maximum over an even split of the plane."""

    def forward(self, input: Tensor):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """``nn.AdaptiveMaxPool3d``: the maximum over an even split of the volume."""

    def forward(self, input: Tensor):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class _LPPoolNd(Module):
    """What the power-average pooling layers share: their options, and how they print."""

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """``nn.LPPool1d``: the p-norm of each window along the last dimension."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """``nn.LPPool2d``: the p-norm of each window of the plane."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """``nn.LPPool3d``: the p-norm of each window of the volume."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class MaxPool3d(_MaxPoolNd):
    """``nn.MaxPool3d``: the maximum of each window of the volume (and its index with
    ``return_indices``)."""

    _pool = staticmethod(F.max_pool3d)


class AvgPool3d(_AvgPoolDivisorNd):
    """``nn.AvgPool3d``: the mean of each window of the volume."""

    _pool = staticmethod(F.avg_pool3d)


class _MaxUnpoolNd(Module):
    """What the max-unpooling layers share: kernel, stride and padding as tuples, and how they
    print."""

    _nd = 1

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = F._ntuple_of(kernel_size, self._nd)
        self.stride = F._ntuple_of(stride if stride is not None else kernel_size, self._nd)
        self.padding = F._ntuple_of(padding, self._nd)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """``nn.MaxUnpool1d``: the inverse of ``MaxPool1d`` that zeroes the non-maxima."""

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F.max_unpool1d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class MaxUnpool2d(_MaxUnpoolNd):
    """``nn.MaxUnpool2d``: the inverse of ``MaxPool2d`` that zeroes the non-maxima."""

    _nd = 2

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F.max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class MaxUnpool3d(_MaxUnpoolNd):
    """``nn.MaxUnpool3d``: the inverse of ``MaxPool3d`` that zeroes the non-maxima."""

    _nd = 3

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return F.max_unpool3d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class _FractionalMaxPoolNd(Module):
    """What the fractional max-pooling layers share: their checks and options; fixed
    ``_random_samples`` are a buffer, as in PyTorch."""

    _nd = 2

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices: bool = False,
        _random_samples=None,
    ):
        super().__init__()
        name = type(self).__name__
        if name == "FractionalMaxPool3d" and (
            (isinstance(kernel_size, int) and kernel_size <= 0)
            or (isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size))
        ):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = F._ntuple_of(kernel_size, self._nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = F._ntuple_of(output_size, self._nd) if output_size is not None else None
        self.output_ratio = (
            F._ntuple_of(output_ratio, self._nd) if output_ratio is not None else None
        )
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """``nn.FractionalMaxPool2d``: max pooling over pseudo-randomly spread windows."""

    def forward(self, input: Tensor):
        return F.fractional_max_pool2d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """``nn.FractionalMaxPool3d``: fractional max pooling over the last three dimensions."""

    _nd = 3

    def forward(self, input: Tensor):
        return F.fractional_max_pool3d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )
