"""Autograd functions behind legacy layers (``torch.nn.modules._functions``): ``CrossMapLRN2d``,
local response normalisation across channels as Lua Torch computed it, with its own gradient."""

from ..autograd.function import Function, once_differentiable
from ..creation import arange, zeros_like
from ..ops.shape import cat


def _window_sums(values, low, high):
    """Per channel c, the sum of ``values`` over channels ``low[c] <= i < high[c]`` (N, C, H, W)."""
    totals = cat([zeros_like(values[:, :1]), values.cumsum(1)], 1)
    return totals.index_select(1, high) - totals.index_select(1, low)


class CrossMapLRN2d(Function):
    """``x / (k + alpha / size * s) ** beta`` with ``s`` a sum of squares over nearby channels.
    The window follows the running-sum recurrence of the original kernel, which never drops
    channel 0 from it; the gradient is that kernel's own formula (a symmetric-window
    approximation, not the exact derivative of the forward), as PyTorch keeps it."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        channels = input.shape[1]
        pre_pad = int((size - 1) / 2 + 1)
        c = arange(channels)
        # channels [0, c + pre_pad - 1] less channels [1, c - pre_pad]
        upper = _window_sums(input * input, c * 0, (c + pre_pad).clamp(max=channels))
        lower = _window_sums(input * input, c * 0 + 1, (c - pre_pad + 1).clamp(min=1))
        scale = (upper - lower) * (alpha / size) + k
        output = input * scale.pow(-beta)
        ctx.save_for_backward(input, output, scale)
        return output

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        input, output, scale = ctx.saved_tensors
        size, channels = ctx.size, input.shape[1]
        before = int(size - (size - 1) / 2)
        if before > size - 1:
            raise RuntimeError(
                f"start ({before}) + length ({channels}) exceeds dimension size "
                f"({channels + size - 1})."
            )
        ratio = grad_output * output / scale
        c = arange(channels)
        accum = _window_sums(
            ratio, (c - before).clamp(0, channels), (c + size - before).clamp(0, channels)
        )
        cache = 2 * ctx.alpha * ctx.beta / size
        grad_input = scale.pow(-ctx.beta) * grad_output - cache * input * accum
        return grad_input, None, None, None, None
