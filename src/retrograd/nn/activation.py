"""Activation modules, and ``MultiheadAttention``."""

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Inplace(Module):
    """An activation whose only option is ``inplace`` (write the result into the input)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """``nn.ReLU``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)


class ReLU6(_Inplace):
    """``nn.ReLU6``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input, self.inplace)


class SiLU(_Inplace):
    """``nn.SiLU``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, self.inplace)


class SELU(_Inplace):
    """``nn.SELU``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)


class LeakyReLU(Module):
    """``nn.LeakyReLU``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``nn.ELU``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``nn.GELU``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``nn.Softplus``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Tanh(Module):
    """``nn.Tanh``."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class Sigmoid(Module):
    """``nn.Sigmoid``."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class LogSigmoid(Module):
    """``nn.LogSigmoid``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Hardtanh(Module):
    """``nn.Hardtanh``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else ""
        )


class _DimModule(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_DimModule):
    """``nn.Softmax``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)


class LogSoftmax(_DimModule):
    """``nn.LogSoftmax``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)


class Softmin(_DimModule):
    """``nn.Softmin``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)


class MultiheadAttention(Module):
    """``nn.MultiheadAttention``: scaled dot-product attention over ``num_heads`` heads.

    Parameters as PyTorch names them (``in_proj_weight``, ``in_proj_bias``, ``out_proj``) when
    query, key and value share ``embed_dim``, else ``q_proj_weight``, ``k_proj_weight`` and
    ``v_proj_weight``.  Boolean masks mark the positions that may NOT be attended (True = masked);
    float masks are added.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim=None,
        vdim=None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ):
        super().__init__()
        from .linear import NonDynamicallyQuantizableLinear, empty_param

        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim="
                f"{embed_dim} and num_heads={num_heads} instead"
            )
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty_param(3 * embed_dim, embed_dim, dtype=dtype, device=device)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = empty_param(embed_dim, embed_dim, dtype=dtype, device=device)
            self.k_proj_weight = empty_param(embed_dim, self.kdim, dtype=dtype, device=device)
            self.v_proj_weight = empty_param(embed_dim, self.vdim, dtype=dtype, device=device)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty_param(3 * embed_dim, dtype=dtype, device=device)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, dtype=dtype
        )
        if add_bias_kv:  # one more key and value, learnt, that every query may attend to
            self.bias_k = empty_param(1, 1, embed_dim, dtype=dtype)
            self.bias_v = empty_param(1, 1, embed_dim, dtype=dtype)
        else:
            self.bias_k = self.bias_v = None  # type: ignore[assignment]
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        from . import init

        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask=None,
        need_weights: bool = True,
        attn_mask=None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ):
        from ..ops import attention as _attention

        batched = query.ndim == 3
        if batched and self.batch_first:  # (one transpose for one tensor, as PyTorch does)
            if key is value and query is key:
                query = key = value = query.transpose(0, 1)
            elif key is value:
                query, key = query.transpose(0, 1), key.transpose(0, 1)
                value = key
            else:
                query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        h, e = self.num_heads, self.embed_dim
        dropout = self.dropout if self.training else 0.0
        causal_without_mask = is_causal and attn_mask is None  # (an error, from the function)
        if (
            dropout == 0.0
            and query.ndim in (2, 3)
            and not causal_without_mask
            and self._fusable(query, key, value)
        ):
            x, padding = query, key_padding_mask
            if not batched:
                x = x.unsqueeze(1)
                padding = None if padding is None else padding.unsqueeze(0)
            tgt_len, bsz = x.shape[:2]
            bias = _attention_bias(attn_mask, padding, is_causal, x.dtype, bsz, h, tgt_len, tgt_len)
            if (need_weights or bias is None) and (bias is None or not bias.requires_grad):
                out, attn = _attention.self_attention(
                    x,
                    self.in_proj_weight,
                    self.in_proj_bias,
                    self.out_proj.weight,
                    self.out_proj.bias,
                    h,
                    bias,
                )
                out = out.view(tgt_len, bsz, e)  # (PyTorch's output node)
                return self._finish(
                    out, attn if need_weights else None, average_attn_weights, batched
                )
        out, weights = F.multi_head_attention_forward(
            query,
            key,
            value,
            e,
            h,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _fusable(self, query, key, value):
        """Whether the layer runs as one node (``self_attention``): self-attention with the packed
        in-projection, nothing added to the keys, and one floating dtype throughout (no dropout
        and a mask without gradient, checked by the caller)."""
        from .. import _switches

        if not (query is key and key is value and self._qkv_same_embed_dim):
            return False
        if self.bias_k is not None or self.add_zero_attn or query.numel() == 0:
            return False
        if (
            _switches.forward_ad_hook is not None
            or _switches.pack_hook is not None
            or _switches.autocast is not None
            or _switches.batching is not None
        ):
            return False  # (those see, or cast, the composed ops)
        dtype = query.dtype
        if not dtype.is_floating_point or dtype.itemsize == 2:
            return False  # (2-byte floats: the composed ops compute them in float32)
        params = (self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return all(p is None or p.dtype is dtype for p in params)

    def _finish(self, out, attn, average_attn_weights, batched):
        """The output (L, N, E) in the caller's layout, and the weights (N * heads, L, S) as
        PyTorch returns them (averaged over the heads unless asked not to)."""
        weights = None
        if attn is not None:
            bsz, tgt_len = out.shape[1], out.shape[0]
            weights = attn.view(bsz, self.num_heads, tgt_len, attn.shape[-1])
            if average_attn_weights:
                weights = weights.mean(1)
            if not batched:
                weights = weights.squeeze(0)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights


def _attention_bias(attn_mask, key_padding_mask, is_causal, dtype, bsz, h, tgt_len, src_len):
    """The masks as one additive bias on the scores, broadcasting to (N * heads, L, S), or None."""
    from .._array import xp
    from ..tensor import _make

    bias = None
    if is_causal and attn_mask is None:
        attn_mask = _make(~xp.tril(xp.ones((tgt_len, src_len), bool)))
    if attn_mask is not None:
        bias = _mask_as_bias(attn_mask, dtype)
        if bias.ndim == 3:
            bias = bias.reshape(bsz * h, tgt_len, src_len)
    if key_padding_mask is not None:
        pad = _mask_as_bias(key_padding_mask, dtype).reshape(bsz, 1, 1, src_len)
        pad = pad.expand(bsz, h, 1, src_len).reshape(bsz * h, 1, src_len)
        bias = pad if bias is None else bias + pad
    return bias


def _mask_as_bias(mask: Tensor, dtype) -> Tensor:
    """A boolean mask (True = not allowed) as an additive -inf bias; a float mask as it is."""
    from .._array import xp
    from ..tensor import _make

    if mask.dtype.is_floating_point:
        return mask
    return _make(xp.where(mask._data, -xp.inf, 0.0).astype(dtype.np))


class Hardswish(_Inplace):
    """``nn.Hardswish``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)

    def extra_repr(self) -> str:
        return ""


class Hardsigmoid(_Inplace):
    """``nn.Hardsigmoid``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)

    def extra_repr(self) -> str:
        return ""


class Mish(_Inplace):
    """``nn.Mish``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Softsign(Module):
    """``nn.Softsign``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class GLU(Module):
    """``nn.GLU``."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class CELU(Module):
    """``nn.CELU``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """``nn.Threshold``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else ""
        )


class PReLU(Module):
    """``nn.PReLU``: one learnt negative slope, or one per channel, starting at ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        from ..creation import full
        from .parameter import Parameter

        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype, device=device))

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardshrink(Module):
    """``nn.Hardshrink``."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """``nn.Softshrink``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)


class Tanhshrink(Module):
    """``nn.Tanhshrink``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class RReLU(Module):
    """``nn.RReLU``: a random negative slope per element in training, their mean in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


class Softmax2d(Module):
    """``nn.Softmax2d``: softmax over the channels of (N, C, H, W) or (C, H, W) inputs."""

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3, _stacklevel=5)
