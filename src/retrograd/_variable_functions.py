"""The nn functions PyTorch's ``torch`` namespace has besides ``torch.nn.functional``.

``torch.batch_norm``, ``torch.embedding``, ``torch.kl_div`` ... are ATen's own entry points: the
same computations as their ``F`` counterparts, often with the arguments in another order, a
reduction given as an int (0 none, 1 mean, 2 sum), and extra results (``native_batch_norm``'s
statistics, ``adaptive_max_pool1d``'s indices).  Each one here translates its arguments and calls
the one implementation in ``retrograd.nn.functional`` (or the op under it)."""

from . import _device, _sampling
from . import dtypes as _dtypes
from . import ops as _ops
from ._array import xp
from ._generator import default_generator
from ._switches import grad_mode as _grad_state
from .nn import functional as F
from .ops import grid_sampler as _grid_sampler
from .ops import nnops as _nn
from .ops.inplace import check_inplace
from .tensor import Tensor, _make

_REDUCTIONS = {1: "mean", 2: "sum"}  # every other int: no reduction, as ATen reads it


def _reduction(reduction: int) -> str:
    return _REDUCTIONS.get(reduction, "none")


# --- normalisation -------------------------------------------------------------------------------


def batch_norm(
    input: Tensor,
    weight,
    bias,
    running_mean,
    running_var,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.batch_norm``: ``F.batch_norm`` with the weight and bias first."""
    if not training and (running_mean is None or running_var is None):
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode")
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def native_batch_norm(
    input: Tensor, weight, bias, running_mean, running_var, training: bool, momentum, eps
):
    """``torch.native_batch_norm``: the output with the batch mean and 1 / std in training (empty
    in evaluation); the running statistics move as in ``F.batch_norm``."""
    return _native(
        _nn._batch_norm, input, weight, bias, running_mean, running_var, training, momentum, eps
    )


def _native(norm, input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``native_batch_norm`` by ``norm``: ``_nn._batch_norm`` or one of its namesakes that
    PyTorch's private operators record (``_nn.BATCH_NORM_OPS``)."""
    if training:
        count = input.numel() // input.shape[1] if input.ndim > 1 else 0
        if running_mean is not None and count > 1:
            dims = (0,) + tuple(range(2, input.ndim))
            data = input._data
            F._update_running(running_mean, data.mean(dims), momentum)
            F._update_running(running_var, data.var(dims) * (count / (count - 1)), momentum)
        return tuple(norm(input, weight, bias, None, None, True, eps))
    if running_mean is None or running_var is None:
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode")
    return tuple(norm(input, weight, bias, running_mean._data, running_var._data, False, eps))


def _native_batch_norm_legit(
    input: Tensor, weight, bias, running_mean, running_var, training=None, momentum=None, eps=None
):
    """``torch._native_batch_norm_legit``: ``native_batch_norm``; its ``no_stats`` overload
    ``(input, weight, bias, training, momentum, eps)`` keeps no running statistics.  Each
    overload records a node of its own (NativeBatchNormLegitBackward0, ...Backward1)."""
    norm = _nn.BATCH_NORM_OPS["_native_batch_norm_legit"]
    if isinstance(running_mean, bool):  # the no_stats overload
        training, momentum, eps = running_mean, running_var, training
        running_mean = running_var = None
        norm = _nn.BATCH_NORM_OPS["_native_batch_norm_legit_no_stats"]
    return _native(norm, input, weight, bias, running_mean, running_var, training, momentum, eps)


def _native_batch_norm_legit_no_training(
    input: Tensor, weight, bias, running_mean, running_var, momentum, eps
):
    """``torch._native_batch_norm_legit_no_training``: ``native_batch_norm`` in evaluation."""
    norm = _nn.BATCH_NORM_OPS["_native_batch_norm_legit_no_training"]
    return _native(norm, input, weight, bias, running_mean, running_var, False, momentum, eps)


def _batch_norm_with_update(input: Tensor, weight, bias, running_mean, running_var, momentum, eps):
    """``torch.ops.aten._batch_norm_with_update``: ``native_batch_norm`` in training, the running
    statistics updated, and an empty reserve (a cuDNN workspace elsewhere) after its results."""
    norm = _nn.BATCH_NORM_OPS["_batch_norm_with_update"]
    out = _native(norm, input, weight, bias, running_mean, running_var, True, momentum, eps)
    return (*out, _make(xp.empty(0, xp.uint8)))


def _batch_norm_no_update(input: Tensor, weight, bias, running_mean, running_var, momentum, eps):
    """``torch.ops.aten._batch_norm_no_update``: ``native_batch_norm`` in evaluation, and the
    empty reserve of ``_batch_norm_with_update``."""
    norm = _nn.BATCH_NORM_OPS["_batch_norm_no_update"]
    out = _native(norm, input, weight, bias, running_mean, running_var, False, momentum, eps)
    return (*out, _make(xp.empty(0, xp.uint8)))


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight=None,
    bias=None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    """``torch.layer_norm``: ``F.layer_norm`` (``cudnn_enable`` has no effect on the CPU)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def native_layer_norm(input: Tensor, normalized_shape, weight, bias, eps: float):
    """``torch.native_layer_norm``: the output, the mean and 1 / std (each kept over the
    normalised dims as size 1)."""
    k = F._normalized_dims(input, normalized_shape)
    return tuple(_nn._layer_norm(input, weight, bias, k, eps))


def group_norm(
    input: Tensor,
    num_groups: int,
    weight=None,
    bias=None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``torch.group_norm``: ``F.group_norm``."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def native_group_norm(input: Tensor, weight, bias, N: int, C: int, HxW: int, group: int, eps):
    """``torch.native_group_norm``: the output and the mean and 1 / std of each (sample, group)."""
    if input.numel() != N * C * HxW:
        raise RuntimeError(
            f"Expected input to have {N * C * HxW} elements, but got {input.numel()} elements"
        )
    if C % group:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={group}"
        )
    return tuple(_nn._group_norm(input, weight, bias, group, eps))


def instance_norm(
    input: Tensor,
    weight,
    bias,
    running_mean,
    running_var,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.instance_norm``: ``F.instance_norm`` with the weight and bias first."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


rms_norm = F.rms_norm


# --- embeddings ----------------------------------------------------------------------------------


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``torch.embedding``: ``F.embedding`` with the weight first; a negative ``padding_idx``
    means none (``F.embedding`` has already made a negative one count from the end)."""
    pad = padding_idx if padding_idx >= 0 else None
    return F.embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """``torch.embedding_renorm_``: the rows of ``input`` that ``indices`` name whose
    ``norm_type`` norm exceeds ``max_norm`` scaled down to it, in place (what ``F.embedding``
    does with ``max_norm``, outside the graph)."""
    for i, (name, t) in enumerate((("input", input), ("indices", indices))):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"embedding_renorm_(): argument '{name}' (position {i + 1}) must be Tensor, "
                f"not {type(t).__name__}"
            )
    checking = " (while checking arguments for embedding_renorm_)"
    if indices.dtype not in (_dtypes.int64, _dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #2 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {indices.type()} instead" + checking
        )
    if input.ndim != 2:
        raise RuntimeError(
            f"Expected 2-dimensional tensor, but got {input.ndim}-dimensional tensor for "
            "argument #1 'self'" + checking
        )
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_dtypes.scalar_type_name(input.dtype)} instead."
        )
    rows = input.shape[0]
    bad = (indices._data < -rows) | (indices._data >= rows)
    if bad.any():
        raise IndexError(
            f"select(): index {int(indices._data[bad].flat[0])} out of range for tensor of size "
            f"{list(input.shape)} at dimension 0"
        )
    if _grad_state.enabled and input.requires_grad:
        check_inplace(input)  # (a leaf that requires grad, or a view of one)
    return _nn.embedding_renorm_(input, indices, max_norm, norm_type)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(
    weight: Tensor,
    indices: Tensor,
    offsets: Tensor,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights=None,
    include_last_offset: bool = False,
    padding_idx=None,
):
    """``torch.embedding_bag``: ``(output, offset2bag, bag_size, max_indices)``, the output that
    of ``F.embedding_bag`` (mode 0 sum, 1 mean, 2 max) and the bookkeeping ATen returns beside it:
    the bag of each index (empty for sums), each bag's size (0 for sums) and, for max, the index
    each maximum came from (else the bag sizes again)."""
    name = _BAG_MODES[mode]
    out = F.embedding_bag(
        indices,
        weight,
        offsets,
        None,
        2,
        scale_grad_by_freq,
        name,
        sparse,
        per_sample_weights,
        include_last_offset,
        padding_idx,
    )
    bags = out.shape[0]
    starts = offsets._data.astype(xp.int64)[:bags]
    n = indices.numel()
    ends = xp.append(starts[1:], n)
    if include_last_offset:
        ends[-1:] = offsets._data[bags : bags + 1]
    sizes = xp.maximum(ends - starts, 0)
    offset2bag = xp.repeat(xp.arange(bags), sizes)
    if len(offset2bag) < n:
        offset2bag = xp.append(offset2bag, xp.full(n - len(offset2bag), max(bags - 1, 0)))
    if name == "sum":  # (PyTorch's fast float32 kernel leaves offset2bag empty)
        zeros = xp.zeros(bags, xp.int64)
        if weight._data.dtype == xp.float32:
            offset2bag = xp.zeros(0, xp.int64)
        return out, _make(offset2bag), _make(zeros), _make(zeros.copy())
    if name == "mean":
        return out, _make(offset2bag), _make(sizes), _make(sizes.copy())
    idx = indices._data.reshape(-1).astype(xp.int64)
    rows = weight._data[idx]  # (n, D): the first index whose row gives each bag's maximum
    hits = (rows == out._data[offset2bag]) & (offset2bag[:, None] < bags)
    position = xp.where(hits, xp.arange(n)[:, None], n)
    first = xp.full((bags, weight.shape[1]), n, xp.int64)
    xp.minimum.at(first, offset2bag, position)
    max_indices = xp.where(first < n, idx[xp.minimum(first, n - 1)] if n else 0, 0)
    return out, _make(offset2bag), _make(sizes), _make(max_indices.astype(xp.int64))


# --- dropout -------------------------------------------------------------------------------------


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout``: ``F.dropout``."""
    _check_p(p)
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: ``F.dropout`` in place."""
    _check_p(p)
    return F.dropout(input, p, train, True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout``: ``F.alpha_dropout``."""
    _check_p(p)
    return F._masked_dropout(input, p, train, False, False, True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout_``: ``F.alpha_dropout`` in place."""
    _check_p(p)
    return F._masked_dropout(input, p, train, True, False, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: whole channels (dim 1) zeroed, as ``F.dropout2d`` does."""
    _check_p(p)
    return F._masked_dropout(input, p, train, False, True, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout_``: ``feature_dropout`` in place."""
    _check_p(p)
    return F._masked_dropout(input, p, train, True, True, False)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout``: ``F.feature_alpha_dropout``."""
    _check_p(p)
    return F._masked_dropout(input, p, train, False, True, True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout_``: ``F.feature_alpha_dropout`` in place."""
    _check_p(p)
    return F._masked_dropout(input, p, train, True, True, True)


def native_dropout(input: Tensor, p: float, train=None):
    """``torch.native_dropout``: ``(output, mask)``; the mask (bool) is the kept elements, drawn
    as ``F.dropout`` draws them (``train=None`` trains, though its gradient is not scaled)."""
    if train is False:
        keep = xp.ones(input.shape, bool)
        return _nn._masked_scale(input, keep, 1.0, 1.0), _make(keep)
    if not 0.0 <= 1.0 - p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1.0 - p}")
    a = input._data
    keep = _sampling.placed(_sampling.bernoulli_scalar(default_generator, a.size, 1.0 - p), a)
    keep = keep.reshape(a.shape).astype(bool)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    # (PyTorch's gradient is scaled only when train was given as True)
    return _nn._masked_scale(input, keep, scale, scale if train else 1.0), _make(keep)


# --- products and distances ----------------------------------------------------------------------

bilinear = F.bilinear
cosine_similarity = F.cosine_similarity
pairwise_distance = F.pairwise_distance


# --- losses --------------------------------------------------------------------------------------


def kl_div(input: Tensor, target: Tensor, reduction: int = 1, *, log_target: bool = False):
    """``torch.kl_div``: ``F.kl_div`` with an int reduction (mean: over every element, without
    ``F``'s warning about 'batchmean')."""
    return F._kl_div(input, target, _reduction(reduction), log_target)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: int = 1,
    zero_infinity: bool = False,
) -> Tensor:
    """``torch.ctc_loss``: ``F.ctc_loss`` with an int reduction."""
    return F.ctc_loss(
        log_probs,
        targets,
        input_lengths,
        target_lengths,
        blank,
        _reduction(reduction),
        zero_infinity,
    )


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``torch.margin_ranking_loss``: ``F.margin_ranking_loss`` with an int reduction."""
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 1
) -> Tensor:
    """``torch.hinge_embedding_loss``: ``F.hinge_embedding_loss`` with an int reduction."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``torch.cosine_embedding_loss``: ``F.cosine_embedding_loss`` with an int reduction."""
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 1,
) -> Tensor:
    """``torch.triplet_margin_loss``: ``F.triplet_margin_loss`` with an int reduction."""
    return F.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction)
    )


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int
) -> Tensor:
    """``torch.poisson_nll_loss``: ``F.poisson_nll_loss`` with every argument given and an int
    reduction."""
    return F.poisson_nll_loss(
        input, target, log_input, full, eps=eps, reduction=_reduction(reduction)
    )


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight=None, pos_weight=None, reduction: int = 1
) -> Tensor:
    """``torch.binary_cross_entropy_with_logits``: ``F.binary_cross_entropy_with_logits`` with
    an int reduction."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight
    )


# --- padding and pooling -------------------------------------------------------------------------


def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    """``torch.constant_pad_nd``: ``F.pad`` in 'constant' mode."""
    return F.pad(input, pad, "constant", value)


def _stride(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and not stride) else stride


def max_pool1d(
    input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False
) -> Tensor:
    """``torch.max_pool1d``: ``F.max_pool1d`` (an empty stride: the kernel size)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(
    input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False
):
    """``torch.max_pool1d_with_indices``: the window maxima and their indices."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, True)


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=(),
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``torch.avg_pool1d``: ``F.avg_pool1d`` (an empty stride: the kernel size)."""
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


adaptive_avg_pool1d = F.adaptive_avg_pool1d


def adaptive_max_pool1d(input: Tensor, output_size):
    """``torch.adaptive_max_pool1d``: the maxima and their indices, always both."""
    return F.adaptive_max_pool1d(input, output_size, True)


native_channel_shuffle = F.native_channel_shuffle


# --- sampling grids ------------------------------------------------------------------------------


def grid_sampler(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """``torch.grid_sampler``: ``F.grid_sample`` with the modes as ints (interpolation: 0
    bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection)."""
    return F.grid_sample(
        input,
        grid,
        _grid_sampler.MODES[interpolation_mode],
        _grid_sampler.PADDINGS[padding_mode],
        align_corners,
    )


# --- norms ---------------------------------------------------------------------------------------


def native_norm(input: Tensor, p=2, dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """``torch.native_norm``: PyTorch's CPU build has it for sparse tensors alone, and retrograd
    has no sparse tensors, so every call is refused with PyTorch's error."""
    raise NotImplementedError(
        _device.no_kernel("native_norm") + " (It exists for sparse tensors alone; here it was "
        f"given p={p}, dim={dim}, keepdim={keepdim}, dtype={dtype}.)"
    )


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """``torch.norm_except_dim``: the ``pow``-norm of each slice of ``v`` along ``dim`` (over
    every other dim, kept as size 1); ``dim=-1``: the norm of the whole tensor."""
    if dim == -1:
        return v.norm(pow)
    dim = dim % v.ndim if v.ndim else 0
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.norm(pow, others, keepdim=True) if others else v.abs().pow(pow).pow(1.0 / pow)


# --- convolution ---------------------------------------------------------------------------------

conv_tbc = F.conv_tbc


# --- recurrent cells and layers --------------------------------------------------------------------


def _cell(mode: str, input: Tensor, h, c, w_ih, w_hh, b_ih, b_hh):
    return _ops.rnn.cell(mode, F.linear(input, w_ih, b_ih), h, c, w_hh, b_hh)


def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """``torch.lstm_cell``: one LSTM step, ``hx = (h, c)``; returns ``(h', c')``."""
    if len(hx) != 2:
        raise RuntimeError(f"lstm_cell expects two hidden states, got {len(hx)}")
    return _cell("LSTM", input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """``torch.gru_cell``: one GRU step."""
    return _cell("GRU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """``torch.rnn_tanh_cell``: one step of an Elman RNN with tanh."""
    return _cell("RNN_TANH", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """``torch.rnn_relu_cell``: one step of an Elman RNN with relu."""
    return _cell("RNN_RELU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def _recurrent(mode: str, args):
    """The flat-weights form of the recurrent layers, in ATen's two overloads: ``(input, hx,
    params, has_biases, num_layers, dropout, train, bidirectional, batch_first)`` for a padded
    input, ``(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
    bidirectional)`` for a packed one; ``params`` per layer and direction ``w_ih, w_hh`` and, with
    ``has_biases``, ``b_ih, b_hh``, then for a projected LSTM (whose ``hx`` states differ in
    size) ``w_hr``."""
    from .nn import rnn as _rnn_modules

    packed = isinstance(args[3], (list, tuple))  # the packed form's params come one later
    if packed:
        data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
        sizes = batch_sizes.tolist()
        x = _rnn_modules.padded_from_packed(data, sizes)
        batch_first = False
    else:
        x, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
        sizes = None
        x = x.transpose(0, 1) if batch_first else x
    h0, c0 = (hx[0], hx[1]) if mode == "LSTM" else (hx, None)
    # an LSTM is projected when its states differ in size: then each group ends with w_hr
    projected = c0 is not None and h0.shape[-1] != c0.shape[-1]
    per = (4 if has_biases else 2) + projected
    params = list(params)
    directions = 2 if bidirectional else 1
    if len(params) != per * num_layers * directions:
        raise RuntimeError("got an incorrect number of RNN parameters")
    weights = [
        tuple(params[i * per : i * per + 2])
        + (tuple(params[i * per + 2 : i * per + 4]) if has_biases else (None, None))
        + ((params[i * per + per - 1],) if projected else ())
        for i in range(num_layers * directions)
    ]
    out, h_n, c_n = _rnn_modules.run_layers(
        mode, x, h0, c0, weights, num_layers, directions, dropout if train else 0.0, sizes
    )
    if packed:
        out = _ops.cat([out[t, :n] for t, n in enumerate(sizes)])
    elif batch_first:  # (as the modules do: PyTorch's GRU and RNN transpose in place)
        out = out.transpose(0, 1) if mode == "LSTM" else out.transpose_(0, 1)
    return (out, h_n, c_n) if mode == "LSTM" else (out, h_n)


def _flat_layers(mode: str):
    def layers(*args):
        if len(args) != 9:
            raise TypeError(f"{name}() takes 9 arguments ({len(args)} given)")
        return _recurrent(mode, args)

    name = "rnn_" + mode[4:].lower() if mode.startswith("RNN") else mode.lower()
    layers.__name__ = layers.__qualname__ = name
    outputs = "(output, h_n, c_n)" if mode == "LSTM" else "(output, h_n)"
    layers.__doc__ = f"``torch.{name}``: the flat-weights layers ``nn.{mode}`` runs: {outputs}."
    return layers


lstm = _flat_layers("LSTM")
gru = _flat_layers("GRU")
rnn_tanh = _flat_layers("RNN_TANH")
rnn_relu = _flat_layers("RNN_RELU")


def _cuda_only(name):
    """An ATen function PyTorch's CPU build has no kernel for (sync batch norm's pieces)."""
    doc = f"``torch.{name}``: a CUDA kernel alone in PyTorch; refused on the CPU."
    return _device.refusing(name, _device.no_kernel(name), doc)


batch_norm_stats = _cuda_only("batch_norm_stats")
batch_norm_elemt = _cuda_only("batch_norm_elemt")
batch_norm_gather_stats = _cuda_only("batch_norm_gather_stats")
batch_norm_gather_stats_with_counts = _cuda_only("batch_norm_gather_stats_with_counts")
batch_norm_backward_reduce = _cuda_only("batch_norm_backward_reduce")
batch_norm_backward_elemt = _cuda_only("batch_norm_backward_elemt")


__all__ = [
    "batch_norm_stats",
    "batch_norm_elemt",
    "batch_norm_gather_stats",
    "batch_norm_gather_stats_with_counts",
    "batch_norm_backward_reduce",
    "batch_norm_backward_elemt",
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "alpha_dropout",
    "alpha_dropout_",
    "avg_pool1d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy_with_logits",
    "constant_pad_nd",
    "conv_tbc",
    "cosine_embedding_loss",
    "cosine_similarity",
    "ctc_loss",
    "dropout",
    "dropout_",
    "embedding",
    "embedding_bag",
    "embedding_renorm_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "grid_sampler",
    "group_norm",
    "gru",
    "gru_cell",
    "hinge_embedding_loss",
    "instance_norm",
    "kl_div",
    "layer_norm",
    "lstm",
    "lstm_cell",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "native_batch_norm",
    "native_channel_shuffle",
    "native_dropout",
    "_native_batch_norm_legit",
    "_native_batch_norm_legit_no_training",
    "native_group_norm",
    "native_layer_norm",
    "native_norm",
    "norm_except_dim",
    "pairwise_distance",
    "poisson_nll_loss",
    "rms_norm",
    "rnn_relu",
    "rnn_relu_cell",
    "rnn_tanh",
    "rnn_tanh_cell",
    "triplet_margin_loss",
]
