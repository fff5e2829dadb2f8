"""``retrograd.nn.functional``: activations, layers and losses as functions
(``torch.nn.functional``).

Activations with a formula of their own are ops in ``retrograd.ops.nnops``; the rest, and every loss
but ``nll_loss``, are compositions of ops, so their gradients (of any order) need no extra code.
"""

import functools
import math
import warnings

from .. import _meta, _sampling, _switches, dtypes
from .. import creation as _creation
from .. import ops as _ops
from .._array import xp
from .._device import contiguous_format
from .._generator import default_generator
from ..autograd.anomaly import caller_site
from ..autograd.grad_mode import no_grad as _no_grad
from ..creation import empty_like, ones_like, zeros_like
from ..dtypes import result_type
from ..ops import attention as _attention
from ..ops import autocast as _autocast
from ..ops import conv as _conv
from ..ops import ctc as _ctc
from ..ops import fold as _fold
from ..ops import fractional as _fractional
from ..ops import grid_sampler as _grid_sampler
from ..ops import nnops as _nn
from ..ops import pool3d as _pool3d
from ..ops import resample as _resample
from ..ops.inplace import inplace as _inplace_op
from ..ops.pointwise import _dtype_name
from ..tensor import Tensor, _make, bump_version
from .attention.bias import CausalBias as _CausalBias
from .attention.bias import CausalVariant as _CausalVariant

# --- activations ---------------------------------------------------------------------------------


def _activate(fn, input: Tensor, inplace: bool, *args) -> Tensor:
    """``fn(input, *args)``; with ``inplace=True`` written into ``input``, recorded as an in-place
    op (its node is ``fn``'s, and a value ``fn`` saved is kept from the write)."""
    if inplace:
        return _inplace_op(input, _nn.IN_PLACE.get(fn, fn), *args)
    return fn(input, *args)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.relu``: max(x, 0)."""
    if inplace:
        return input.relu_()
    if type(input) is not Tensor and input.is_meta:
        return input.relu()
    return _ops.relu(input)


def relu_(input: Tensor) -> Tensor:
    """``F.relu_``: ``relu`` written into ``input``."""
    return input.relu_()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.relu6``: min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """``F.hardtanh``: x clamped to [min_val, max_val] (gradient 0 at the bounds)."""
    return _activate(_nn._hardtanh, input, inplace, min_val, max_val)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``F.gelu``: x * Phi(x), exactly (``'none'``, with erf) or with the tanh approximation."""
    return _nn._gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.silu``: x * sigmoid(x)."""
    if input._requires_grad and input._data.dtype.kind == "c" and _switches.grad_mode.enabled:
        raise RuntimeError(
            "silu does not support automatic differentiation for outputs with complex dtype."
        )
    return _activate(_nn._silu, input, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``F.softplus``: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return _nn._softplus(input, beta, threshold)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``F.elu``: x where x > 0, else alpha (exp(x) - 1)."""
    return _activate(_nn._elu, input, inplace, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.selu``: a scaled ELU with PyTorch's constants."""
    return _nn.selu_(input) if inplace else _nn.selu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``F.leaky_relu``: x where x > 0, else negative_slope * x."""
    return _activate(_nn._leaky_relu, input, inplace, negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    """``F.sigmoid``."""
    return _ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """``F.tanh``."""
    return _ops.tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    """``F.logsigmoid``: log(sigmoid(x)), without overflow."""
    return _nn._log_sigmoid(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.hardsigmoid``: relu6(x + 3) / 6."""
    return _activate(_nn._hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.hardswish``: x relu6(x + 3) / 6."""
    return _activate(_nn._hardswish, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.mish``: x tanh(softplus(x))."""
    return _activate(_nn._mish, input, inplace)


def softsign(input: Tensor) -> Tensor:
    """``F.softsign``: x / (1 + |x|)."""
    return input / (input.abs() + 1)


def _threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``F.threshold``: x where x > threshold, else value (named ``_threshold``, as PyTorch's
    function is)."""
    return (_nn.threshold_ if inplace else _nn.threshold)(input, threshold, value)


threshold = _threshold


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``F.celu``: x where x > 0, else alpha (exp(x / alpha) - 1)."""
    return (_nn.celu_ if inplace else _nn.celu)(input, alpha)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``F.glu``: the first half of ``dim`` times the sigmoid of the second half."""
    return _nn._glu(input, dim)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``F.hardshrink``: x outside [-lambd, lambd], 0 inside."""
    return _nn.hardshrink(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``F.softshrink``: x moved lambd towards 0, and 0 inside [-lambd, lambd]."""
    return _nn._softshrink(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """``F.tanhshrink``: x - tanh(x)."""
    return input - input.tanh()


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """``F.rrelu``: leaky relu with a negative slope drawn from [lower, upper) per element in
    training (from the default generator, as PyTorch draws it), their mean in evaluation."""
    return (_nn.rrelu_ if inplace else _nn.rrelu)(input, lower, upper, training)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """``F.rrelu_``: ``rrelu`` written into ``input``."""
    return _nn.rrelu_(input, lower, upper, training)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``F.prelu``: x where x > 0, else weight x, one weight per channel (dim 1) or one for all."""
    return _nn.prelu(input, weight)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """The dim an implicit ``dim=None`` picks, with PyTorch's deprecation warning naming
    ``name``; ``stacklevel`` counts from the public function, as its ``_stacklevel`` does."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``F.softmax``: exp(x) / sum(exp(x)) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    if type(input) is not Tensor and input.is_meta:
        return input.softmax(dim, dtype=dtype)
    return _ops.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``F.log_softmax``: x - logsumexp(x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    if type(input) is not Tensor and input.is_meta:
        return input.log_softmax(dim, dtype=dtype)
    return _ops.log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``F.softmin``: softmax of -x."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return softmax(-input, dim, dtype=dtype)


# --- layers --------------------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``F.linear``: input @ weight.T + bias."""
    if type(input) is not Tensor and input.is_meta:
        return _meta.linear(input, weight, bias)
    if _switches.autocast is not None:
        input, weight, bias = _autocast.to_lower_precision(input, weight, bias)
    fused = bias is not None and bias.ndim == 1 and weight.ndim == 2
    if input.ndim == 2 and fused:
        return _nn._addmm_linear(bias, input, weight)
    if input.ndim == 1 and fused:  # PyTorch: one row through addmm, viewed back to a vector
        return _nn._addmm_linear(bias, input.view(1, input.shape[0]), weight).view(weight.shape[0])
    if input.ndim > 2 and fused:
        # one product over the leading dimensions folded into one (PyTorch's view, addmm, view);
        # a contiguous input's views made directly (reshape would work the shapes out again)
        shape = input.shape
        rows = (math.prod(shape[:-1]), shape[-1])  # (not -1: no features leave it open)
        if input._data.flags.c_contiguous and _switches.batching is None:
            flat = _ops.view(input, rows)
            return _ops.view(_nn._addmm_linear(bias, flat, weight), shape[:-1] + (weight.shape[0],))
        return _nn._addmm_linear(bias, input.reshape(rows), weight).reshape(
            shape[:-1] + (weight.shape[0],)
        )
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``F.bilinear``: out[..., k] = input1 @ weight[k] @ input2 + bias[k]."""
    # (..., 1, 1, in1) @ (out, in1, in2) -> (..., out, 1, in2), then dotted with input2.
    left = input1.unsqueeze(-2).unsqueeze(-2).matmul(weight)
    out = (left.squeeze(-2) * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """``F.dropout``: zero each element with probability p and scale the rest by 1 / (1 - p).

    The mask is PyTorch's: ``bernoulli_(1 - p)`` on the default generator, divided by ``1 - p``
    in the input's dtype, so a seeded program drops the elements PyTorch drops.
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(dropout, (input, p, training, inplace), {})
        if batched is not NotImplemented:
            return batched
    a = input._data
    if a.dtype.kind not in "fcV":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {_dtype_name(a)}"
        )
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    keep = _sampling.bernoulli_scalar(default_generator, a.size, 1.0 - p)
    mask = _make(_sampling.placed(keep, a).astype(a.dtype) / a.dtype.type(1.0 - p))
    return input.mul_(mask) if inplace else input * mask


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


# The constants of SELU's fixed point, which alpha dropout keeps: alpha is -scale * alpha of selu.
_ALPHA_DROPOUT = 1.7580993408473766


def _masked_dropout(input: Tensor, p: float, training: bool, inplace: bool, feature: bool, alpha):
    """Dropout with one Bernoulli(1 - p) draw per element (per channel for ``feature``: the noise
    has shape (N, C, 1, ...)), PyTorch's recipe: ``input * noise`` with the kept noise scaled by
    1 / (1 - p), or for ``alpha`` dropout rescaled and shifted so the mean and variance of SELU
    outputs are kept (``input * a*noise + b``)."""
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    a = input._data
    if a.dtype.kind not in "fV":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {_dtype_name(a)}"
        )
    if p == 1.0:
        zero = _make(xp.zeros((), a.dtype))
        return input.mul_(zero) if inplace else input * zero
    shape = a.shape[:2] + (1,) * (a.ndim - 2) if feature else a.shape
    n = math.prod(shape)
    keep = _sampling.bernoulli_scalar(default_generator, n, 1.0 - p).reshape(shape)
    noise = keep.astype(a.dtype)
    if alpha:
        scale = 1.0 / math.sqrt((_ALPHA_DROPOUT**2 * p + 1) * (1 - p))
        shift = (noise - 1) * a.dtype.type(_ALPHA_DROPOUT * scale)
        shift += a.dtype.type(_ALPHA_DROPOUT * scale * p)
        noise *= a.dtype.type(scale)
        out = input.mul_(_make(noise)) if inplace else input * _make(noise)
        return out.add_(_make(shift))
    noise /= a.dtype.type(1.0 - p)
    return input.mul_(_make(noise)) if inplace else input * _make(noise)


_FEATURE_DIMS = {1: "1 spatial dimension", 2: "2 spatial dimensions", 3: "3 spatial dimensions"}


def _channel_dropout(k: int, input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    """``F.dropout1d/2d/3d``: whole channels zeroed, for inputs with ``k`` spatial dimensions, a
    channel dimension and an optional batch one."""
    _check_p(p)
    name = f"dropout{k}d"
    ndim = input.dim()
    batched = ndim == k + 2
    if k == 1:
        if ndim not in (2, 3):
            raise RuntimeError(
                f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
                "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
                "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
                "inputs)."
            )
    elif ndim not in (k + 1, k + 2):
        warnings.warn(
            f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, please "
            f"use dropout instead. Note that {name} exists to provide channel-wise dropout on "
            f"inputs with {_FEATURE_DIMS[k]}, a channel dimension, and an optional batch "
            f"dimension (i.e. {k + 1}D or {k + 2}D inputs).",
            stacklevel=3,
        )
    if k == 2 and ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.",
            stacklevel=3,
        )
        batched = True
    if k == 2 or batched:
        return _masked_dropout(input, p, training, inplace, True, False)
    one = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    out = _masked_dropout(one, p, training, inplace, True, False)
    return out.squeeze_(0) if inplace else out.squeeze(0)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout1d``: zero whole channels of (N, C, L) or (C, L) inputs."""
    return _channel_dropout(1, input, p, training, inplace)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout2d``: zero whole channels of (N, C, H, W) or (C, H, W) inputs."""
    return _channel_dropout(2, input, p, training, inplace)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout3d``: zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _channel_dropout(3, input, p, training, inplace)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """``F.alpha_dropout``: dropout that keeps the self-normalising statistics of SELU."""
    _check_p(p)
    return _masked_dropout(input, p, training, inplace, False, True)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """``F.feature_alpha_dropout``: alpha dropout of whole channels."""
    _check_p(p)
    return _masked_dropout(input, p, training, inplace, True, True)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """``F.gumbel_softmax``: a sample of the Gumbel-softmax distribution over ``dim`` (the noise
    from ``exponential_`` on the default generator, as PyTorch draws it); with ``hard`` one-hot in
    the forward and the soft sample's gradient (the straight-through estimator)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits, memory_format=contiguous_format).exponential_().log()
    soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    one_hot = zeros_like(logits, memory_format=contiguous_format).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
) -> Tensor:
    """``F.embedding``: the rows of ``weight`` at the indices in ``input``."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            embedding,
            (input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse),
            {},
        )
        if batched is not NotImplemented:
            return batched
    idx = _nn.as_index(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following "
            "scalar types: Long, Int; but got torch.FloatTensor instead (while "
            "checking arguments for embedding)"
        )
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _nn.embedding_renorm_(weight, idx, max_norm, norm_type)
    return _nn._embedding(weight, idx, padding_idx, bool(scale_grad_by_freq), bool(sparse))


_FAST_BAG_DTYPES = (dtypes.float32, dtypes.float16)


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets=None,
    max_norm=None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights=None,
    include_last_offset: bool = False,
    padding_idx=None,
) -> Tensor:
    """``F.embedding_bag``: the sum, mean or max of each bag of embeddings, the bags the rows of
    a 2-D ``input`` or the runs of a 1-D one that start at ``offsets``."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then "
            f"it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            kind = "<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else str(type(offsets))
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                f"of fixed length sequences. However, found offsets of type {kind}"
            )
        starts = xp.arange(0, input.numel(), input.shape[1])
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = _nn.as_index(offsets)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    idx = _nn.as_index(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            "types: Long, Int; but got torch.FloatTensor instead (while checking arguments for "
            "embedding_bag)"
        )
    if max_norm is not None:
        _nn.embedding_renorm_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    n = len(idx)
    if len(starts) and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
            f"position 0. However, got {starts[0]}\n[ torch.LongTensor{{}} ]"
        )
    if len(starts) and starts[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
            f"{starts[-1]}"
        )
    bad = (idx < 0) | (idx >= weight.shape[0])
    if bad.any():
        k = int(xp.argmax(bad))
        raise RuntimeError(
            f"Index {k} of input takes value {idx[k]} which is not in the valid range "
            f"[0, {weight.shape[0]})"
        )
    ends = xp.append(starts[1:], n)
    if include_last_offset:
        # The last offset ends the last bag for sums of float32 and float16 weights (PyTorch's
        # fast kernel); PyTorch's other kernels run the last bag on to the end of the input.
        starts, ends = starts[:-1], ends[:-1].copy()
        fast = mode == "sum" and weight.dtype in _FAST_BAG_DTYPES
        if len(ends) and not fast:
            ends[-1] = n
    lengths = xp.maximum(ends - starts, 0)
    bag_of = xp.repeat(xp.arange(len(starts)), lengths)
    used = int(ends[-1]) if len(ends) else 0  # the bags cover positions [0, used)
    if used != n:
        idx = idx[:used]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[:used]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    valid = idx != padding_idx if padding_idx is not None else xp.ones(len(idx), bool)
    return _nn._embedding_bag(
        weight,
        per_sample_weights,
        idx,
        bag_of,
        len(starts),
        mode,
        valid,
        bool(scale_grad_by_freq),
        bool(sparse),
    )


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``F.one_hot``: int64 indices of any shape -> that shape plus a trailing class dim."""
    idx = tensor._data
    if idx.dtype != xp.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _make((idx[..., None] == xp.arange(num_classes)).astype(xp.int64))


def batch_norm(
    input: Tensor,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``F.batch_norm``: normalise each channel (dim 1) over the batch and spatial dims.

    In training the batch statistics are used and the running ones updated in place (the running
    variance with the unbiased estimate, as PyTorch); in eval the running statistics are used.
    """
    if training:
        count = math.prod(input.shape[:1] + input.shape[2:])  # (values per channel)
        if count == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input "
                f"size {input.shape}"
            )
    if input.numel() == 0:
        # As PyTorch: no statistics to take or update; the input copied, scaled by the first
        # channel's weight and shifted by its bias.
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out if bias is None else out + bias[0]
    if training:
        if running_mean is not None:
            dims = (0,) + tuple(range(2, input.ndim))
            data = input._data
            _update_running(running_mean, data.mean(dims), momentum)
            _update_running(running_var, data.var(dims) * (count / (count - 1)), momentum)
        return _nn._batch_norm(input, weight, bias, None, None, True, eps)[0]
    return _nn._batch_norm(input, weight, bias, running_mean._data, running_var._data, False, eps)[
        0
    ]


def _update_running(stat: Tensor, batch_value, momentum) -> None:
    """``stat = (1 - momentum) stat + momentum batch_value``, in place, outside the graph."""
    a = stat._data
    a *= 1 - momentum
    a += momentum * batch_value.astype(a.dtype, copy=False)
    bump_version(stat, caller_site(1))


def layer_norm(
    input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5
) -> Tensor:
    """``F.layer_norm``: normalise over the last ``len(normalized_shape)`` dims."""
    k = _normalized_dims(input, normalized_shape)
    return _nn._layer_norm(input, weight, bias, k, eps)[0]


def _normalized_dims(input, normalized_shape) -> int:
    """PyTorch's error for a layer norm whose input does not end in ``normalized_shape`` (an int
    or sizes); the number of normalised dims."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k :]) != tuple(normalized_shape):
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(input.shape)}"
        )
    return k


def instance_norm(
    input: Tensor,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``F.instance_norm``: each channel of each sample normalised over its spatial dims: batch
    normalisation of the input seen as one sample of N * C channels; running statistics, when
    given, move towards the mean over the batch of the per-sample ones."""
    if use_input_stats and math.prod(input.shape[2:]) <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.shape}"
        )
    n, c = input.shape[:2]
    stats = [None if s is None else s.repeat(n) for s in (running_mean, running_var)]
    out = batch_norm(
        input.reshape(1, n * c, *input.shape[2:]),
        stats[0],
        stats[1],
        None if weight is None else weight.repeat(n),
        None if bias is None else bias.repeat(n),
        use_input_stats,
        momentum,
        eps,
    )
    if use_input_stats:
        for kept, moved in zip((running_mean, running_var), stats):
            if kept is not None and moved is not None:
                kept._data[...] = moved._data.reshape(n, c).mean(0)
                bump_version(kept, caller_site(1))
    return out.view(input.shape)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """``F.local_response_norm``: each value divided by (k + alpha * the mean of the squares of
    the ``size`` channels around it, zero-padded) ** beta."""
    if input.dim() < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input "
            f"(got {input.dim()} dimensions)"
        )
    if input.numel() == 0:
        return input
    squares = input * input
    c = input.shape[1]
    padded = pad(squares, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    window = padded.narrow(1, 0, c)
    for i in range(1, size):  # (a loop over the window's offsets, not over elements)
        window = window + padded.narrow(1, i, c)
    return input / (window / size * alpha + k).pow(beta)


def rms_norm(input: Tensor, normalized_shape, weight=None, eps=None) -> Tensor:
    """``F.rms_norm``: x / sqrt(mean(x^2) + eps) over the last ``len(normalized_shape)`` dims,
    times ``weight``; ``eps`` by default the dtype's machine epsilon."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = list(normalized_shape)
    k = len(shape)
    if list(input.shape[input.ndim - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={shape}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    if weight is not None and list(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {shape}"
        )
    if eps is None:
        eps = float(xp.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``F.pixel_shuffle``."""
    return _nn.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``F.pixel_unshuffle``."""
    return _nn.pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``F.channel_shuffle``."""
    return _nn.channel_shuffle(input, groups)


native_channel_shuffle = channel_shuffle


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """``F.group_norm``: channels split into groups, each normalised over its channels and space."""
    c = input.shape[1]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {list(input.shape)} and num_groups="
            f"{num_groups}"
        )
    return _nn._group_norm(input, weight, bias, num_groups, eps)[0]


def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """``F.pad``: ``pad`` gives (before, after) amounts from the last dimension back; negative
    amounts crop.  'constant' fills with ``value``; 'reflect' mirrors the input at its edges,
    'replicate' repeats the edge, 'circular' wraps around."""
    pad = tuple(pad)
    if mode == "constant":
        return _nn._constant_pad(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if len(pad) % 2 or not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if mode == "circular":
        return _circular_pad(input, pad)
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(input.shape)}"
        )
    for i in range(k):
        d = input.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        n = input.shape[d]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({before}, {after}) at dimension {d} of "
                f"input {list(input.shape)}"
            )
        if n + before + after <= 0:
            label = "WHD"[i]
            raise RuntimeError(
                f"input ({label}: {n}) is too small. Calculated output {label}: "
                f"{n + before + after}"
            )
    return _nn.map_pad(input, pad, mode)


def _circular_pad(input: Tensor, pad) -> Tensor:
    """Circular padding as PyTorch composes it: the input copied into the middle of a new tensor,
    then each border copied from the opposite side of that tensor (its graph: CopySlices)."""
    k = len(pad) // 2
    for i in range(k):
        d = input.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if before > input.shape[d] or after > input.shape[d]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
    crop = [slice(None)] * input.ndim
    for i in range(k):
        d = input.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        crop[d] = slice(max(-before, 0), input.shape[d] - max(-after, 0))
    if any(c != slice(None) for c in crop):
        input = input[tuple(crop)]
    shape = list(input.shape)
    for i in range(k):
        shape[input.ndim - 1 - i] += max(pad[2 * i], 0) + max(pad[2 * i + 1], 0)
    out = input.new_empty(shape)
    middle = [slice(None)] * input.ndim
    for i in range(k):
        d = input.ndim - 1 - i
        before = max(pad[2 * i], 0)
        middle[d] = slice(before, before + input.shape[d])
    out[tuple(middle)] = input
    for i in reversed(range(k)):  # the first padded dimension first, as PyTorch
        d = input.ndim - 1 - i
        before, after = max(pad[2 * i], 0), max(pad[2 * i + 1], 0)
        n = input.shape[d]
        if before:
            dst = [slice(None)] * input.ndim
            src = [slice(None)] * input.ndim
            dst[d], src[d] = slice(0, before), slice(n, n + before)
            out[tuple(dst)] = out[tuple(src)]
        if after:
            dst = [slice(None)] * input.ndim
            src = [slice(None)] * input.ndim
            dst[d], src[d] = slice(before + n, before + n + after), slice(before, before + after)
            out[tuple(dst)] = out[tuple(src)]
    return out


# --- losses --------------------------------------------------------------------------------------


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _valid_reduction(reduction: str) -> str:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average, reduce, reduction):
    """``reduction`` from the older ``size_average``/``reduce`` pair, with PyTorch's warning."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _warn_size(input: Tensor, target: Tensor, stacklevel: int = 3) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=stacklevel,
        )


def _broadcast_loss_inputs(input: Tensor, target: Tensor):
    """Input and target expanded to one shape before the loss, as PyTorch's pointwise losses do:
    the graph has its ExpandBackward0 nodes, and neither counts as a 0-dim tensor in the type
    promotion (a 0-dim float64 and a float32 vector give a float64 loss)."""
    if target.shape == input.shape:
        return input, target
    _warn_size(input, target, 4)
    return _ops.broadcast_tensors(input, target)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight=None,
) -> Tensor:
    """``F.mse_loss``: the (mean) squared difference, each term times ``weight`` when given (a
    tensor of the input's size; the mean then divides the weighted sum by the element count)."""
    if _switches.autocast is not None:
        input, target, weight = _autocast.to_float32(input, target, weight)
    input, target = _broadcast_loss_inputs(input, target)
    reduction = _valid_reduction(_legacy_reduction(size_average, reduce, reduction))
    if weight is None:
        return _nn._mse_loss(input, target, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = (input - target) ** 2 * weight
    if reduction == "none":
        return weighted
    total = weighted.sum()
    return total / weighted.numel() if reduction == "mean" else total


def l1_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """``F.l1_loss``: the (mean) absolute difference."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    input, target = _broadcast_loss_inputs(input, target)
    return _reduce((input - target).abs(), _legacy_reduction(size_average, reduce, reduction))


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``F.smooth_l1_loss``: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    input, target = _broadcast_loss_inputs(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta == 0.0:  # PyTorch computes the l1 loss then, with its nodes
        return _reduce((input - target).abs(), reduction)
    return _nn._smooth_l1_loss(input, target, _valid_reduction(reduction), beta)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """``F.huber_loss``: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    input, target = _broadcast_loss_inputs(input, target)
    return _nn._huber_loss(input, target, _valid_reduction(reduction), delta)


def _check_nll_shapes(input: Tensor, target) -> None:
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim > 1 and input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target "
            f"batch_size ({target.shape[0]})."
        )


def _target_index(target: Tensor):
    idx = _nn.as_index(target)
    if idx.dtype != xp.int64 and idx.dtype != xp.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(idx)}")
    return idx


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.nll_loss``: minus the input at each target class, weighted, averaged over the weights."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            nll_loss, (input, target, weight, size_average, ignore_index, reduce, reduction), {}
        )
        if batched is not NotImplemented:
            return batched
    if _switches.autocast is not None:
        input, target, weight = _autocast.to_float32(input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    idx = _target_index(target)
    _check_nll_shapes(input, idx)
    w = None if weight is None else weight._data
    return _nn._nll_loss(input, idx, w, reduction, ignore_index)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """``F.cross_entropy``: log_softmax over dim 1 (dim 0 unbatched), then nll_loss; or, for
    float targets of the input's shape, class probabilities; with optional label smoothing."""
    if _switches.autocast is not None:
        input, target, weight = _autocast.to_float32(input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    class_dim = 0 if input.ndim == 1 else 1
    logp = _ops.log_softmax(input, class_dim)
    n_classes = input.shape[class_dim]
    if target.is_floating_point():
        if target.shape != input.shape:
            _target_index(target)  # PyTorch's error for a float target of the wrong shape
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        per = logp * target
        if weight is not None:
            per = per * _class_shape(weight, input.ndim)
        loss = -per.sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // n_classes)
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    return (1 - label_smoothing) * nll + (label_smoothing / n_classes) * _smooth_term(
        logp, _target_index(target), weight, ignore_index, reduction, class_dim
    )


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias=None,
    weight=None,
    reduction: str = "mean",
    ignore_index=None,
    label_smoothing: float = 0.0,
    options=None,
) -> Tensor:
    """``F.linear_cross_entropy``: ``cross_entropy(linear(input, linear_weight, linear_bias),
    target)``; ``linear_weight`` of shape (C, d_1, ..., d_K, in) gives K-dimensional logits (N,
    C, d_1, ..., d_K).  ``options`` (PyTorch's chunking of the batch, to save memory) does not
    change the result: the logits are made whole here."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(
            f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}"
        )
    batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), got "
            f"{in_features} and {linear_weight.shape[-1]}, respectively"
        )
    classes = linear_weight.shape[0]
    extra = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes, *extra):
        raise RuntimeError(
            f"expected linear_bias shape {(classes, *extra)}, got {tuple(linear_bias.shape)}"
        )
    if extra and not batches:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
            f"requires batched input, (N, {in_features}), got unbatched input with shape "
            f"{tuple(input.shape)}"
        )
    logits_shape = (*batches, classes, *extra)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if extra:
        linear_weight = linear_weight.reshape(math.prod(extra, start=classes), in_features)
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(math.prod(extra, start=classes))
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        ignore_index=-100 if ignore_index is None else ignore_index,
        label_smoothing=label_smoothing,
    )


def _class_shape(weight: Tensor, ndim: int) -> Tensor:
    return weight.reshape((-1,) + (1,) * (ndim - 2)) if ndim > 1 else weight


def _smooth_term(logp: Tensor, idx, weight, ignore_index, reduction, class_dim) -> Tensor:
    """Label smoothing's share: minus the (weighted) sum of log-probabilities over the classes."""
    if weight is not None:
        logp = logp * _class_shape(weight, logp.ndim)
    kept = idx != ignore_index
    smooth = -logp.sum(class_dim) * _make(kept.astype(logp._data.dtype))
    if reduction == "none":
        return smooth
    if reduction == "sum":
        return smooth.sum()
    if weight is not None:
        denom = weight._data[xp.where(kept, idx, 0)][kept].sum()
    else:
        denom = kept.sum()
    return smooth.sum() / float(denom)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.binary_cross_entropy``: -(y log p + (1 - y) log(1 - p)), each log at least -100."""
    if _switches.autocast is not None:
        input, target, weight = _autocast.to_float32(input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input "
            f"size ({input.shape}) is deprecated. Please ensure they have the same "
            "size."
        )
    data = input._data
    _ops.registry.refuse_complex("binary_cross_entropy", data)
    if data.size and (data.min() < 0 or data.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    return _nn._binary_cross_entropy(input, target, weight, _valid_reduction(reduction))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight=None,
) -> Tensor:
    """``F.binary_cross_entropy_with_logits``: sigmoid and binary cross entropy in one stable step.

    loss = (1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x))
    """
    if _switches.autocast is not None:
        input, target, weight, pos_weight = _autocast.to_float32(input, target, weight, pos_weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    if input.is_floating_point() and not target.is_floating_point():
        raise RuntimeError(
            f"result type {_dtype_name(input._data)} can't be cast to the desired "
            f"output type {_dtype_name(target._data)}"
        )
    return _nn._binary_cross_entropy_with_logits(
        input, target, weight, pos_weight, _valid_reduction(reduction)
    )


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.margin_ranking_loss``: max(0, -y (x1 - x2) + margin)."""
    if _switches.autocast is not None:
        input1, input2, target = _autocast.to_float32(input1, input2, target)
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.hinge_embedding_loss``: x where y = 1, max(0, margin - x) where y = -1."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    zeros = zeros_like(input)
    loss = _ops.where(target != 1, (margin - input).clamp_min(0), zeros) + _ops.where(
        target != -1, input, zeros
    )
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """``F.soft_margin_loss``: log(1 + exp(-y x))."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    reduction = _valid_reduction(_legacy_reduction(size_average, reduce, reduction))
    return _nn._soft_margin_loss(input, target, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.triplet_margin_loss``: max(0, margin + d(a, p) - d(a, n)), d the pairwise distance."""
    if _switches.autocast is not None:
        anchor, positive, negative = _autocast.to_float32(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _ops.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


def _lengths(value, name: str):
    """Sequence lengths given as a tensor or a tuple of ints, as an int64 array."""
    if isinstance(value, Tensor):
        return value._data.astype(xp.int64).reshape(-1)
    if isinstance(value, (tuple, list)):
        return xp.asarray(value, xp.int64).reshape(-1)
    raise TypeError(
        f"ctc_loss(): argument '{name}' must be tuple of ints or Tensor, not {type(value).__name__}"
    )


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """``F.ctc_loss``: the connectionist temporal classification loss of (T, N, C) (or (T, C))
    log-probabilities against targets padded to (N, S) or concatenated; 'mean' divides each
    sequence's loss by its target length before averaging over the batch."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if _switches.autocast is not None:
        (log_probs,) = _autocast.to_float32(log_probs)
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    t_max, n, c = lp.shape
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    tg = targets._data.astype(xp.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    if blank < 0 or blank >= c:
        raise RuntimeError("blank must be in label range")
    if il.size and il.max() > t_max:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {t_max}, but got value {il.max()} "
            "(while checking arguments for ctc_loss_allocate_outputs)"
        )
    if tg.ndim == 1:  # concatenated: split by the lengths into a padded (N, S) array
        ends = xp.cumsum(tl)
        width = int(tl.max()) if tl.size else 0
        cols = xp.arange(width)
        take = cols[None, :] < tl[:, None]
        src = xp.where(take, (ends - tl)[:, None] + cols[None, :], 0)
        tg = xp.where(take, tg[xp.minimum(src, max(tg.size - 1, 0))] if tg.size else 0, 0)
    elif tl.size and tl.max() > tg.shape[1]:
        raise RuntimeError(
            f"Expected tensor to have size at least {tl.max()} at dimension 1, but got size "
            f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for "
            "ctc_loss_allocate_outputs)"
        )
    loss = _ctc.ctc_loss(lp, tg, il, tl, blank, zero_infinity)
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == "mean":
        lengths = _make(xp.maximum(tl, 1).astype(loss._data.dtype))
        return (loss / (lengths.squeeze(0) if unbatched else lengths)).mean()
    return loss.sum() if reduction == "sum" else loss


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """``F.gaussian_nll_loss``: 0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi with
    ``full``), var clamped below at ``eps`` outside the graph (its gradient passes unclamped).
    ``var`` may be one dimension short of the input, or differ from it in one dimension of size 1
    (one variance shared along it), or be a float."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (
            input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with _no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.multi_margin_loss``: per sample, the mean over classes other than the target of
    max(0, margin - x[target] + x[class]) ** p, times the target's weight."""
    reduction = _valid_reduction(_legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if _switches.autocast is not None:
        input, weight = _autocast.to_float32(input, weight)
    x = input._data
    t = _target_index(target)
    rows = x.shape[0] if x.ndim > 1 else 1
    if x.ndim > 2 or t.size != rows or (x.ndim == 2 and t.ndim != 1):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{rows}], but got "
            f"{list(t.shape)}. Input has shape {list(x.shape)}."
        )
    classes = x.shape[-1] if x.ndim else 1
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")
    w = None
    if weight is not None:
        w = weight._data
        if w.size != classes:
            raise RuntimeError(
                f"inconsistent weight size, expected {classes} but got {list(w.shape)}"
            )
    return _nn._multi_margin_loss(input, t, p, margin, w, reduction)


def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """``F.multilabel_margin_loss``: per sample, the hinge 1 - x[named] + x[other] summed over
    the classes named in ``target`` (up to its first -1) and the classes it does not name, over
    the number of classes."""
    reduction = _valid_reduction(_legacy_reduction(size_average, reduce, reduction))
    if _switches.autocast is not None:
        (input,) = _autocast.to_float32(input)
    return _nn._multilabel_margin_loss(input, _target_index(target), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.multilabel_soft_margin_loss``: binary cross-entropy of sigmoid(input) against each
    class's 0/1 target, averaged over the classes of each sample."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``F.triplet_margin_with_distance_loss``: max(0, margin + d(a, p) - d(a, n)) for any
    distance function (``pairwise_distance`` by default)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = _ops.minimum(d_neg, distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.poisson_nll_loss``: exp(x) - y x for log-rates, x - y log(x + eps) for rates; with
    ``full``, Stirling's term for y > 1."""
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        t = _ops.where(big, target, 1.0)  # no log of 0 (nor 0 * -inf) where the term is unused
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + stirling.masked_fill(~big, 0)
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``F.cosine_embedding_loss``: 1 - cos(x1, x2) where y = 1, max(0, cos - margin) where
    y = -1."""
    if _switches.autocast is not None:
        input1, input2, target = _autocast.to_float32(input1, input2, target)
    dim = input1.ndim - 1
    eps = 1e-12
    cos = (input1 * input2).sum(dim) / (
        ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    ).sqrt()
    zeros = zeros_like(cos)
    loss = _ops.where(target == 1, 1 - cos, zeros) + _ops.where(
        target == -1, (cos - margin).clamp_min(0), zeros
    )
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """``F.kl_div``: target (log target - input), input being log-probabilities."""
    if input.is_complex() or target.is_complex():
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if _switches.autocast is not None:
        input, target = _autocast.to_float32(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "batchmean":
        return _kl_div(input, target, "sum", log_target) / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the "
            "support size.'batchmean' divides only by the batch size, and aligns with "
            "the KL div math definition.'mean' will be changed to behave the same as "
            "'batchmean' in the next major release.",
            stacklevel=2,
        )
    return _kl_div(input, target, reduction, log_target)


def _kl_div(input: Tensor, target: Tensor, reduction: str, log_target: bool) -> Tensor:
    """The pointwise KL divergence, reduced ('mean': over every element, as ``torch.kl_div``)."""
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # 0 log 0 = 0: the log is taken of 1 where the target is 0, so no inf * 0 appears
        safe_log = _ops.where(target == 0, 1.0, target).log()
        loss = target * safe_log - target * input
    return _reduce(loss, reduction)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``F.cosine_similarity``: the dot product of x1 / max(|x1|, eps) and x2 / max(|x2|, eps)
    along ``dim``, as PyTorch computes it."""
    if x1.is_complex() or x2.is_complex():
        common = result_type(x1, x2)
        raise RuntimeError(
            "expected common dtype to be floating point, yet common dtype is "
            f"{common._tensor_name[:-6]}"
        )
    if x1.shape != x2.shape:  # broadcast first: a norm over a dim one input has as size 1 is not
        x1, x2 = _ops.composite.broadcast_tensors(x1, x2)  # the norm of the broadcast vectors
    # The norm op, whose gradient at a zero vector is 0 (sqrt's would be inf * 0 = nan).
    n1 = x1.norm(dim=dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(dim=dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``F.pairwise_distance``: the p-norm of x1 - x2 + eps over the last dimension."""
    return _ops.reduction._p_norm(_ops.pointwise._add_scalar(x1 - x2, eps), p, -1, keepdim, None)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``F.normalize``: input / max(||input||_p, eps) along ``dim``."""
    norm = input.norm(p, dim, keepdim=True)  # its gradient at a zero vector is 0, not nan
    return input / norm.clamp(min=eps)


def _fused_attention(query, key, value, attn_mask, dropout_p, is_causal) -> bool:
    """Whether PyTorch's fused CPU attention kernel takes this call."""
    q, k, v = query._data, key._data, value._data
    return (
        q.ndim == k.ndim == v.ndim == 4
        and q.dtype == k.dtype == v.dtype
        and q.dtype.kind in "fV"
        and q.shape[:2] == k.shape[:2] == v.shape[:2]
        and q.shape[-1] == k.shape[-1] == v.shape[-1]
        and k.shape[-2] == v.shape[-2]
        and dropout_p == 0.0
        and (
            attn_mask is None
            or not is_causal
            and not attn_mask.requires_grad
            and attn_mask._data.dtype in (bool, q.dtype)
        )
    )


def _use_fused_attention(query, key, value, attn_mask, dropout_p, is_causal) -> bool:
    """Whether the fused CPU kernel runs (else the composed one): it does when enabled
    (``nn.attention.sdpa_kernel``, ``backends.cuda.enable_*_sdp``) and able to take the call,
    whatever the priority, as in PyTorch's CPU build; PyTorch's errors when no kernel is left."""
    enabled = _switches.sdp_enabled
    if enabled["flash"] and _fused_attention(query, key, value, attn_mask, dropout_p, is_causal):
        return True
    if enabled["math"]:
        return False
    if enabled["flash"]:
        raise RuntimeError("No available kernel.  Aborting execution.")
    raise RuntimeError(
        "No viable backend for scaled_dot_product_attention was found. This is likely due to "
        "turning off both the math kernel and the fused kernels."
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale=None,
) -> Tensor:
    """``F.scaled_dot_product_attention``: softmax(q k^T * scale + mask) v.

    Where PyTorch's CPU kernel takes the call (4-d inputs of one dtype and shape but their length,
    no dropout, a mask that needs no gradient), one op and one node; elsewhere composed of
    matmul and softmax, as PyTorch's own fallback is."""
    if _switches.batching is not None:  # (vmap: see retrograd.func)
        batched = _switches.batching(
            scaled_dot_product_attention,
            (query, key, value, attn_mask, dropout_p, is_causal, scale),
            {},
        )
        if batched is not NotImplemented:
            return batched
    if _switches.autocast is not None:
        query, key, value, attn_mask = _autocast.to_lower_precision(query, key, value, attn_mask)
    if isinstance(attn_mask, _CausalBias):
        if attn_mask.variant == _CausalVariant.UPPER_LEFT:
            attn_mask, is_causal = None, True
        else:
            attn_mask = attn_mask._materialize()
    if _use_fused_attention(query, key, value, attn_mask, dropout_p, is_causal):
        if attn_mask is not None and attn_mask._data.dtype == bool:
            attn_mask = _make(xp.where(attn_mask._data, 0.0, -xp.inf).astype(query._data.dtype))
        return _attention._scaled_dot_product_flash_attention_for_cpu(
            query, key, value, attn_mask, dropout_p, is_causal, scale
        )[0]
    d = query.shape[-1]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if is_causal:
        lq, lk = query.shape[-2], key.shape[-2]
        attn_mask = _make(xp.tril(xp.ones((lq, lk), bool)))
    if attn_mask is not None:
        if attn_mask.dtype.is_floating_point:
            scores = scores + attn_mask
        else:
            scores = _ops.where(attn_mask, scores, -math.inf)
    attn = _ops.softmax(scores, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p)
    return attn.matmul(value)


from ..ops.conv import (  # noqa: E402,F401
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    max_pool2d,
    max_pool2d_with_indices,
)

_MODES_NEEDING = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")


def _canonical_mask(mask, name: str, other, other_name: str, dtype):
    """A key-padding or attention mask as an additive float mask (True, not allowed, as -inf);
    a float mask as it is.  ``other``: the mask whose dtype this one should share (a warning
    when not), or None."""
    if mask is None:
        return None
    if mask.dtype is not dtypes.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and mask.dtype is not other.dtype:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
            "both instead.",
            stacklevel=3,
        )
    if mask.dtype.is_floating_point:
        return mask
    return _creation.zeros_like(mask, dtype=dtype).masked_fill_(mask, -math.inf)


def _mha_is_batched(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the inputs are batched (3-d) or one sequence (2-d), with PyTorch's checks."""
    if query.dim() not in (2, 3):
        raise AssertionError(
            "query should be unbatched 2D or batched 3D tensor but received "
            f"{query.dim()}-D query tensor"
        )
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
            f"{key.dim()}-D and {value.dim()}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
            f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{attn_mask.dim()}-D tensor instead"
            )
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.shape != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
    return batched


def _mha_in_projection(query, key, value, weight, bias, embed_dim):
    """q, k and v through the packed in-projection: one product for self-attention, one for key
    and value when they are one tensor, else three."""
    if key is value and query is key:
        proj = linear(query, weight, bias).unflatten(-1, (3, embed_dim))
        return proj.unbind(-2)
    w = weight.split([embed_dim, 2 * embed_dim])
    b = (None, None) if bias is None else bias.split([embed_dim, 2 * embed_dim])
    if key is value:
        kv = linear(key, w[1], b[1]).unflatten(-1, (2, embed_dim)).unbind(-2)
        return linear(query, w[0], b[0]), kv[0], kv[1]
    wk, wv = w[1].chunk(2)
    bk, bv = (None, None) if b[1] is None else b[1].chunk(2)
    return linear(query, w[0], b[0]), linear(key, wk, bk), linear(value, wv, bv)


def _static_kv(t, static, name: str, rows: int, head_dim: int):
    """(S, N, E) -> (N * heads, S, head_dim), or the given static keys (values) checked."""
    if static is None:
        return t.reshape(t.shape[0], rows, head_dim).transpose(0, 1)
    if static.size(0) != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias,
    training: bool = True,
    key_padding_mask=None,
    need_weights: bool = True,
    attn_mask=None,
    use_separate_proj_weight: bool = False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
):
    """``F.multi_head_attention_forward``: multi-head attention of (L, N, E) (or unbatched
    (L, E)) inputs with explicit weights, returning the output and the attention weights (averaged
    over the heads unless ``average_attn_weights`` is False; None unless ``need_weights``).
    ``static_k``/``static_v`` (N * heads, S, head_dim) replace the projected keys/values."""
    batched = _mha_is_batched(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the fused attention applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
        bq, bk, bv = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q = linear(query, q_proj_weight, bq)
        k, v = linear(key, k_proj_weight, bk), linear(value, v_proj_weight, bv)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _mha_in_projection(query, key, value, in_proj_weight, in_proj_bias, embed_dim)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if attn_mask.shape != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if attn_mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _ops.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _ops.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _one_more_key(attn_mask, key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    rows = bsz * num_heads
    q = q.reshape(tgt_len, rows, head_dim).transpose(0, 1)
    k = _static_kv(k, static_k, "static_k", rows, head_dim)
    v = _static_kv(v, static_v, "static_v", rows, head_dim)
    if add_zero_attn:
        zeros = _creation.zeros((rows, 1, head_dim), dtype=k.dtype)
        k, v = _ops.cat([k, zeros], 1), _ops.cat([v, zeros.to(v.dtype)], 1)
        attn_mask, key_padding_mask = _one_more_key(attn_mask, key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                f"{key_padding_mask.shape[0]}"
            )
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                f"{key_padding_mask.shape[1]}"
            )
        pad = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        pad = pad.reshape(rows, 1, src_len)
        attn_mask = pad if attn_mask is None else attn_mask + pad
    if not training:
        dropout_p = 0.0
    if need_weights:
        scale = math.sqrt(1.0 / float(head_dim))
        if dropout_p == 0.0 and (attn_mask is None or not attn_mask.requires_grad):
            out, weights = _attention._attention_with_weights(q, k, v, attn_mask, scale)
        else:  # composed, for dropout and masks that need a gradient
            scores = (q * scale).bmm(k.transpose(-2, -1))
            if attn_mask is not None:
                scores = scores + attn_mask
            weights = softmax(scores, dim=-1)
            if dropout_p > 0.0:
                weights = dropout(weights, p=dropout_p)
            out = weights.bmm(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    out = scaled_dot_product_attention(
        q.reshape(bsz, num_heads, tgt_len, head_dim),
        k.reshape(bsz, num_heads, src_len, head_dim),
        v.reshape(bsz, num_heads, src_len, head_dim),
        attn_mask,
        dropout_p,
        is_causal,
    )
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    return (out if batched else out.squeeze(1)), None


def _one_more_key(attn_mask, key_padding_mask):
    """Both masks with a column more, attendable, for an added key (``bias_k``/``bias_v``,
    ``add_zero_attn``)."""
    if attn_mask is not None:
        attn_mask = pad(attn_mask, (0, 1))
    if key_padding_mask is not None:
        key_padding_mask = pad(key_padding_mask, (0, 1))
    return attn_mask, key_padding_mask


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias: bool = False,
) -> Tensor:
    """``F.interpolate``: resample the spatial dimensions to ``size`` or by ``scale_factor``:
    'nearest' and 'nearest-exact' copy, 'linear'/'bilinear'/'trilinear' and 'bicubic' weigh the
    neighbours (with ``align_corners``, the corner samples of input and output coincide; with
    ``antialias``, bilinear and bicubic downsampling average over the whole footprint), 'area'
    averages as adaptive average pooling does."""
    if mode not in _INTERPOLATING:
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    k = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != k:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                    "in (o1, o2, ...,oK) format."
                )
            sizes = list(size)
        else:
            sizes = [size] * k
    elif scale_factor is not None:
        sizes = []  # (from the scale factors, below)
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != k:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(f) for f in scale_factor]
        else:
            scales = [float(scale_factor)] * k
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and size is None:
        recompute_scale_factor = True
    if scales is not None:
        computed = [int(math.floor(float(n * f))) for n, f in zip(spatial, scales)]
        if recompute_scale_factor:
            sizes, scales = computed, None
        else:
            sizes = computed
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
            "a 4-D tensor as input"
        )
    if input.ndim not in (3, 4, 5) or mode not in (
        "nearest",
        "nearest-exact",
        "area",
        "lanczos",
        *_INTERPOLATING,
    ):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _MODES_NEEDING and input.ndim != _MODES_NEEDING[mode]:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_MODES_NEEDING[mode]}D input"
        )
    if mode == "lanczos":
        raise NotImplementedError("F.interpolate: mode 'lanczos' is not built in retrograd")
    if mode == "nearest":
        return _nn._upsample_nearest(input, tuple(sizes), tuple(scales or (None,) * k))
    if mode == "area":
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, _resample.adaptive_avg_pool3d)[k - 1]
        return pool(input, tuple(sizes))
    return _resample.resample(input, mode, tuple(sizes), align_corners, scales, antialias)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """``F.adaptive_avg_pool3d``: the mean over an even split of the last three dimensions."""
    return _resample.adaptive_avg_pool3d(input, output_size)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """``F.upsample``: the old name of ``interpolate``, with PyTorch's warning."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """``F.upsample_nearest``: the old name of ``interpolate(..., mode='nearest')``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """``F.upsample_bilinear``: the old name of ``interpolate(..., mode='bilinear',
    align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --- 1-d pooling: the 2-d pooling over a height of 1, as PyTorch computes it --------------------


def _one(v):
    return v[0] if isinstance(v, (tuple, list)) else v


def max_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """``F.max_pool1d``: the maximum of each window along the last dimension."""
    if not input.is_meta:  # (a meta tensor has no array to read: max_pool2d's checks see it)
        _ops.registry.refuse_complex("max_pool1d_impl", input)
    if input.dtype is dtypes.bool and not return_indices:
        raise _ops.registry.dtype_refusal("max_pool1d_impl", input)
    k = _one(kernel_size)
    s = k if stride is None or stride == [] else _one(stride)
    out = max_pool2d(
        input.unsqueeze(-2),
        (1, k),
        (1, s),
        (0, _one(padding)),
        (1, _one(dilation)),
        ceil_mode,
        return_indices,
    )
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = True,
):
    """``F.max_pool1d_with_indices``: the window maxima and their indices, whatever
    ``return_indices`` says (as in PyTorch)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``F.avg_pool1d``: the mean of each window along the last dimension."""
    k = _one(kernel_size)
    s = k if stride is None or stride == [] else _one(stride)
    return avg_pool2d(
        input.unsqueeze(-2), (1, k), (1, s), (0, _one(padding)), ceil_mode, count_include_pad
    ).squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """``F.adaptive_max_pool1d``: the maximum over an even split of the last dimension."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"adaptive_max_pool1d(): Expected 2D or 3D input, but got {input.ndim}D input"
        )
    values, indices = _conv.adaptive_max_pool2d(input.unsqueeze(-2), (1, _one(output_size)), True)
    values, indices = values.squeeze(-2), indices.squeeze(-2)
    return (values, indices) if return_indices else values


adaptive_max_pool1d_with_indices = functools.partial(adaptive_max_pool1d, return_indices=True)
adaptive_max_pool2d_with_indices = functools.partial(adaptive_max_pool2d, return_indices=True)


def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``F.lp_pool2d``: the p-norm of each window (the p-th root of the sum of p-th powers)."""
    kw, kh = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (_ops.sign(out) * _ops.relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool3d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``F.lp_pool3d``: the p-norm of each window of the volume."""
    kd, kh, kw = (kernel_size,) * 3 if isinstance(kernel_size, int) else kernel_size
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (_ops.sign(out) * _ops.relu(out.abs())).mul(kd * kh * kw).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``F.lp_pool1d``: the p-norm of each window along the last dimension."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (_ops.sign(out) * _ops.relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """``F.adaptive_avg_pool1d``: the mean over an even split of the last dimension."""
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _one(output_size))).squeeze(-2)


# The in-place spellings of PyTorch's functional API (``F.elu_(x)`` is ``F.elu(x, inplace=True)``).
def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``F.hardtanh_``."""
    return hardtanh(input, min_val, max_val, True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``F.elu_``."""
    return elu(input, alpha, True)


def selu_(input: Tensor) -> Tensor:
    """``F.selu_``."""
    return _nn.selu_(input)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``F.celu_``."""
    return _nn.celu_(input, alpha)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``F.leaky_relu_``."""
    return leaky_relu(input, negative_slope, True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``F.threshold_``."""
    return _nn.threshold_(input, threshold, value)


# --- 3-d pooling and max unpooling ---------------------------------------------------------------

from ..ops.nnops import pdist  # noqa: E402,F401


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """``F.conv_tbc``: a 1-d convolution of a (time, batch, channels) input with a (kernel,
    in_channels, out_channels) weight, ``pad`` zeros at both ends of time."""
    if input.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError(
            "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels."
        )
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    x = input.permute(1, 2, 0)
    if pad < 0:  # (PyTorch crops the time axis by -pad at each end)
        x, pad = x[..., -pad : x.shape[-1] + pad], 0
    out = conv1d(x, weight.permute(2, 1, 0), bias, 1, pad)
    return out.permute(2, 0, 1)


from ..ops.pool3d import (  # noqa: E402,F401
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    avg_pool3d,
    max_pool3d,
    max_pool3d_with_indices,
)


def _unpool_size(input: Tensor, kernel_size, stride, padding, output_size, nd: int):
    """The unpooled spatial size: the size the pooling came from, or ``output_size`` (the spatial
    sizes alone or with the two leading ones) when it lies strictly within a stride of it."""
    kernel = _ntuple_of(kernel_size, nd)
    stride = kernel if stride is None else _ntuple_of(stride, nd)
    padding = _ntuple_of(padding, nd)
    spatial = input.shape[-nd:]
    default = [(n - 1) * s + k - 2 * p for n, s, k, p in zip(spatial, stride, kernel, padding)]
    if output_size is None:
        return tuple(default)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
            f"a length of '{len(output_size)}'"
        )
    for d in range(nd):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(
                f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})'
            )
    return tuple(int(n) for n in output_size)


def _ntuple_of(v, nd):
    if not isinstance(v, (tuple, list)):
        return (v,) * nd
    return tuple(v) * (nd if len(v) == 1 else 1)


def _check_unpool_input(input: Tensor, dims: int) -> None:
    """PyTorch's errors for the input of ``max_unpool{dims}d``: its rank, then its dtype."""
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Input to max_unpooling{dims}d should be a {dims + 1}d or {dims + 2}d Tensor, but "
            f"got a tensor with {input.ndim} dimensions."
        )
    if input._data.dtype.kind not in "fcV":
        raise NotImplementedError(
            f"\"max_unpool{dims}d\" not implemented for '{_dtype_name(input._data)}'"
        )


def max_unpool2d(
    input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """``F.max_unpool2d``: the inverse of ``max_pool2d`` that zeroes the non-maxima: each value is
    written at the flat index into the H*W plane that ``indices`` gives."""
    size = _unpool_size(input, kernel_size, stride, padding, output_size, 2)
    _check_unpool_input(input, 2)
    return _pool3d._max_unpool2d(input, indices._data, size)


def max_unpool1d(
    input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """``F.max_unpool1d``: the 2-d unpooling over a width of 1, as PyTorch computes it."""
    kernel = _ntuple_of(kernel_size, 1)
    stride = kernel if stride is None else _ntuple_of(stride, 1)
    padding = _ntuple_of(padding, 1)
    size = _unpool_size(input, kernel, stride, padding, output_size, 1)
    out = max_unpool2d(
        input.unsqueeze(-1),
        indices.unsqueeze(-1),
        kernel + (1,),
        stride + (1,),
        padding + (0,),
        size + (1,),
    )
    return out.squeeze(-1)


def max_unpool3d(
    input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """``F.max_unpool3d``: each value written at the flat index into the D*H*W volume that
    ``indices`` gives, zeros elsewhere."""
    size = _unpool_size(input, kernel_size, stride, padding, output_size, 3)
    _check_unpool_input(input, 3)
    return _pool3d._max_unpool3d(input, indices._data, size)


# --- fold and unfold (col2im and im2col) --------------------------------------------------------


def _pair_of(v):
    """PyTorch's ``_pair``: an int twice, a sequence as it is (its length is checked later)."""
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """``F.unfold``: the sliding blocks of a batch of images, one column each (im2col)."""
    return _fold.im2col(
        input, _pair_of(kernel_size), _pair_of(dilation), _pair_of(padding), _pair_of(stride)
    )


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """``F.fold``: columns of sliding blocks summed back into images (col2im)."""
    return _fold.col2im(
        input,
        _pair_of(output_size),
        _pair_of(kernel_size),
        _pair_of(dilation),
        _pair_of(padding),
        _pair_of(stride),
    )


# --- fractional max pooling ------------------------------------------------------------------------


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, samples, nd, name):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = _ntuple_of(output_ratio, nd)
        output_size = [int(n * r) for n, r in zip(input.shape[-nd:], ratio)]
    if samples is None:
        # drawn as PyTorch draws them, so that a seed gives PyTorch's windows
        batch = 1 if input.ndim == nd + 1 else input.shape[0]
        samples = _creation.rand(batch, input.shape[-nd - 1], nd, dtype=input.dtype)
    if isinstance(kernel_size, int):
        kernel = (kernel_size,) * nd
    elif len(kernel_size) == nd:
        kernel = tuple(kernel_size)
    else:
        raise RuntimeError(f"{name}: kernel_size must either be a single Int or tuple of Ints")
    out = (output_size,) * nd if isinstance(output_size, int) else tuple(output_size)
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must either be a single Int or tuple of Ints")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    _fractional.check(tuple(input.shape), kernel, out, samples._data, name)
    idx = _fractional.indices(input._data, kernel, out, samples._data)
    pool = _fractional._fractional_max_pool2d if nd == 2 else _fractional._fractional_max_pool3d
    return pool(input, idx), _make(idx)


def fractional_max_pool2d(
    input: Tensor,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """``F.fractional_max_pool2d``: max pooling over windows of ``kernel_size`` whose starts are
    spread pseudo-randomly (one uniform sample per plane and dimension, drawn from the default
    generator unless ``_random_samples`` gives them) to reach ``output_size`` or
    ``output_ratio`` of the input's size."""
    out, idx = _fractional_max_pool(
        input, kernel_size, output_size, output_ratio, _random_samples, 2, "fractional_max_pool2d"
    )
    return (out, idx) if return_indices else out


def fractional_max_pool3d(
    input: Tensor,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """``F.fractional_max_pool3d``: fractional max pooling over the last three dimensions."""
    out, idx = _fractional_max_pool(
        input, kernel_size, output_size, output_ratio, _random_samples, 3, "fractional_max_pool3d"
    )
    return (out, idx) if return_indices else out


fractional_max_pool2d_with_indices = functools.partial(fractional_max_pool2d, return_indices=True)
fractional_max_pool3d_with_indices = functools.partial(fractional_max_pool3d, return_indices=True)


# --- affine grids and sampling at grid points ------------------------------------------------------

_ALIGN_DEFAULT = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
    "Please specify align_corners=True if the old behavior is desired. See the documentation of "
    "grid_sample for details."
)


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """``F.affine_grid``: the sampling grid [N, (D,) H, W, 2 or 3] that the affine maps
    ``theta`` [N, 2, 3] (or [N, 3, 4]) make of the normalised output coordinates."""
    if align_corners is None:
        warnings.warn(_ALIGN_DEFAULT, stacklevel=2)
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    nd = len(size) - 2
    if nd not in (2, 3):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if theta.ndim != 3 or tuple(theta.shape[-2:]) != (nd, nd + 1):
        what = (
            "2D affine matrices of shape Nx2x3" if nd == 2 else "3D affine matrices of shape Nx3x4"
        )
        raise ValueError(f"Expected a batch of {what} for size {size}. Got {theta.shape}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if align_corners and max(size[2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    return _nn.affine_grid_generator(theta, size, bool(align_corners))


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners=None,
) -> Tensor:
    """``F.grid_sample``: ``input`` [N, C, H, W] read at the normalised (x, y) points of ``grid``
    [N, Ho, Wo, 2] (or [N, C, D, H, W] at (x, y, z) points of [N, Do, Ho, Wo, 3]), by bilinear
    (trilinear) weights, bicubic weights (2-D) or the nearest pixel; outside points read zeros,
    the border, or the input reflected: ``torch.grid_sampler_2d`` or ``grid_sampler_3d``."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_DEFAULT, stacklevel=2)
        align_corners = False
    sampler = _ops.grid_sampler_2d if input.ndim == 4 else _ops.grid_sampler_3d
    return sampler(
        input,
        grid,
        _grid_sampler.MODES.index(mode),
        _grid_sampler.PADDINGS.index(padding_mode),
        bool(align_corners),
    )
