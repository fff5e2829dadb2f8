"""``unfold`` (im2col) and ``fold`` (col2im): the sliding blocks of a batch of images as columns,
and the columns summed back into images.  Each is the other's adjoint, so each one's derivative
formula is the other and double backward needs nothing more.

im2col is one strided view of the padded images copied once into [N, C * kh * kw, L]; col2im adds
the columns back with the convolution's ``_col2im`` (one whole-array add per kernel offset).
"""

from .conv import _col2im, _pad, _windows
from .registry import op


def _trunc_div(a, b):
    """Integer division rounding toward zero (the C++ kernels' sizes before they are checked)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def _check_args(kernel_size, dilation, padding, stride):
    for name, value in (
        ("kernel_size", kernel_size),
        ("dilation", dilation),
        ("padding", padding),
        ("stride", stride),
    ):
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    if min(kernel_size) <= 0:
        raise RuntimeError(
            "kernel size should be greater than zero, but got kernel_height: {} kernel_width: "
            "{}".format(*kernel_size)
        )
    if min(stride) <= 0:
        raise RuntimeError(
            "stride should be greater than zero, but got stride_height: {} stride_width: {}".format(
                *stride
            )
        )
    if min(dilation) <= 0:
        raise RuntimeError(
            "dilation should be greater than zero, but got dilation_height: {} dilation_width: "
            "{}".format(*dilation)
        )
    if min(padding) < 0:
        raise RuntimeError(
            "padding should be non-negative, but got pad_height: {} pad_width: {}".format(*padding)
        )


def _blocks(size, kernel_size, dilation, padding, stride):
    return tuple(
        _trunc_div(n + 2 * p - (d * (k - 1) + 1), s) + 1
        for n, k, d, p, s in zip(size, kernel_size, dilation, padding, stride)
    )


def _not_float(a, kernel):
    if a.dtype.kind not in "fcV":
        from .pointwise import _dtype_name

        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(a)}'")


def _im2col_check(shape, kernel_size, dilation, padding, stride):
    _check_args(kernel_size, dilation, padding, stride)
    if len(shape) < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{len(shape)}, "
            f"{len(shape) - 1}], but got {len(shape)})"
        )
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(shape)}"
        )
    blocks = _blocks(shape[-2:], kernel_size, dilation, padding, stride)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(shape[-2:])}, kernel_size={kernel_size}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {blocks}, but its components must be at least one."
        )
    return blocks


@op(
    saves="self_shape",
    method=False,
    node="Im2ColBackward0",
    grads=(
        lambda g, n: col2im(
            g, tuple(n.self_shape[-2:]), n.kernel_size, n.dilation, n.padding, n.stride
        ),
    ),
)
def im2col(self, kernel_size, dilation, padding, stride):
    """``torch._C._nn.im2col``: [N, C, H, W] -> [N, C * kh * kw, L], each column one sliding
    block (channel first, then the kernel row-major), the blocks in row-major order."""
    blocks = _im2col_check(self.shape, kernel_size, dilation, padding, stride)
    _not_float(self, "im2col_out_cpu")
    x = self[None] if self.ndim == 3 else self
    n, c = x.shape[:2]
    win = _windows(_pad(x, tuple((p, p) for p in padding)), blocks, kernel_size, stride, dilation)
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(
        n, c * kernel_size[0] * kernel_size[1], blocks[0] * blocks[1]
    )
    return cols[0] if self.ndim == 3 else cols


def _col2im_check(shape, output_size, kernel_size, dilation, padding, stride):
    if len(output_size) != 2:
        raise RuntimeError(
            f"It is expected output_size equals to 2, but got size {len(output_size)}"
        )
    _check_args(kernel_size, dilation, padding, stride)
    if len(shape) not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(shape)}"
        )
    rows, length = shape[-2:]
    kk = kernel_size[0] * kernel_size[1]
    if rows % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={rows} and kernel_size={kernel_size}."
        )
    blocks = _blocks(output_size, kernel_size, dilation, padding, stride)
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(
            f"Given output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={length}."
        )
    return blocks


@op(
    method=False,
    node="Col2ImBackward0",
    grads=(lambda g, n: im2col(g, n.kernel_size, n.dilation, n.padding, n.stride),),
)
def col2im(self, output_size, kernel_size, dilation, padding, stride):
    """``torch._C._nn.col2im``: the adjoint of ``im2col``, each column's values added back at
    the places of its block (overlapping blocks add up)."""
    blocks = _col2im_check(self.shape, output_size, kernel_size, dilation, padding, stride)
    _not_float(self, "col2im_out_cpu")
    cols = self[None] if self.ndim == 2 else self
    n = cols.shape[0]
    c = cols.shape[1] // (kernel_size[0] * kernel_size[1])
    cols = cols.reshape((n, c) + tuple(kernel_size) + blocks)
    out = _col2im(cols, output_size, stride, dilation, padding, 2)
    return out[0] if self.ndim == 2 else out


__all__: list[str] = []
