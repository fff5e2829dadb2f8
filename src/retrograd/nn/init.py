"""``retrograd.nn.init``: fill parameters in place with PyTorch's initial distributions.

Every function writes into the tensor's array outside the graph (as ``torch.no_grad`` would) and
bumps its version counter, as an in-place op does; it returns the tensor.  The random numbers are
PyTorch's: its generator, consumed as ``Tensor.uniform_``/``normal_`` consume it, so a seeded
program's freshly made layers get PyTorch's weights.
"""

import math
import warnings

from .. import _sampling
from .._array import xp
from .._generator import resolve
from .._meta import MetaTensor
from ..autograd.anomaly import caller_site
from ..tensor import Tensor, bump_version

_GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param=None) -> float:
    """``nn.init.calculate_gain``: the std scale that keeps the activations' variance through a
    nonlinearity."""
    if nonlinearity in _GAINS:
        return _GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor: Tensor, values) -> Tensor:
    """Write ``values`` into ``tensor`` in place (outside the graph) and bump its version."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    a = tensor._data
    if a.flags.writeable:
        a[...] = values
    else:
        tensor._data = xp.array(xp.broadcast_to(values, a.shape), dtype=a.dtype)
    bump_version(tensor, caller_site(1))
    return tensor


def _fill_row(tensor: Tensor, index: int, value: float) -> Tensor:
    """``tensor[index] = value`` in place, outside the graph (an embedding's padding row)."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    values = xp.array(tensor._data)
    values[index] = value
    return _fill(tensor, values)


def _calculate_fan_in_and_fan_out(tensor: Tensor):
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _uniform(tensor: Tensor, a: float, b: float, generator):
    x = tensor._data
    values = _sampling.uniform(resolve(generator), x.size, x.dtype, float(a), float(b))
    return _sampling.placed(values, x)


def _normal(tensor: Tensor, mean: float, std: float, generator):
    x = tensor._data
    values = _sampling.normal(
        resolve(generator), x.size, x.dtype, float(mean), float(std), x.flags.c_contiguous
    )
    return _sampling.placed(values, x)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """``nn.init.uniform_``: U(a, b)."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    return _fill(tensor, _uniform(tensor, a, b, generator))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """``nn.init.normal_``: N(mean, std^2)."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    return _fill(tensor, _normal(tensor, mean, std, generator))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """``nn.init.trunc_normal_``: N(mean, std^2) restricted to [a, b], by PyTorch's rejection
    sampling, round for round: when [a, b] holds more than 30% of the mass, whole-tensor normal
    draws replace the values outside it; otherwise uniforms on [a, b] are accepted where the log
    of another uniform lies below their log-density (relative to its peak).  Each step computes in
    the tensor's dtype, as PyTorch's tensor ops do."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor

    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    dt = tensor._data.dtype.type
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        lo, hi = dt(a), dt(b)
        result = _normal(tensor, mean, std, generator)
        while True:
            outside = (result < lo) | (result > hi)
            if not outside.any():
                break
            result = xp.where(outside, _normal(tensor, mean, std, generator), result)
        return _fill(tensor, result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_density(x):
        x = (x - dt(mean)) / dt(std)
        return (x * x) * dt(-0.5) - dt(log_peak)

    def rejected(candidates):
        with xp.errstate(divide="ignore"):
            return xp.log(_uniform(tensor, 0.0, 1.0, generator)) > log_density(candidates)

    result = _uniform(tensor, a, b, generator)
    pending = rejected(result)
    while pending.any():
        candidates = _uniform(tensor, a, b, generator)
        result = xp.where(pending, candidates, result)
        pending = xp.where(pending, rejected(candidates), pending)
    return _fill(tensor, result)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """``nn.init.constant_``."""
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """``nn.init.ones_``."""
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """``nn.init.zeros_``."""
    return _fill(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """``nn.init.eye_``: the identity matrix (2-D tensors)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, xp.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """``nn.init.xavier_uniform_``: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """``nn.init.xavier_normal_``: N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _empty(tensor: Tensor) -> bool:
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """``nn.init.kaiming_uniform_``: U(-b, b), b = gain sqrt(3 / fan)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """``nn.init.kaiming_normal_``: N(0, std^2), std = gain / sqrt(fan)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """``nn.init.orthogonal_``: a (semi-)orthogonal matrix from the QR of a normal one."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _sampling.normal(resolve(generator), rows * cols, tensor._data.dtype).reshape(rows, cols)
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """``nn.init.sparse_``: N(0, std^2) with ``ceil(sparsity * rows)`` zeros in each column, at
    the first places of a random permutation of the rows per column.  As in PyTorch, the
    permutations come from the default generator even when ``generator`` is given."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    values = xp.array(_normal(tensor, 0.0, std, generator))
    for col in range(cols):  # one permutation per column, drawn in turn
        values[_sampling.randperm(resolve(None), rows)[:zeros], col] = 0
    return _fill(tensor, values)


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """``nn.init.dirac_``: a convolution kernel that passes each input channel through to the
    matching output channel of each group (a one at the centre of the kernel, zeros elsewhere)."""
    if isinstance(tensor, MetaTensor):  # (no values to write)
        return tensor
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    channel = xp.arange(min(per_group, sizes[1]))
    out = (xp.arange(groups)[:, None] * per_group + channel).reshape(-1)
    centre = tuple(n // 2 for n in sizes[2:])
    values = xp.zeros(sizes, dtype=tensor._data.dtype)
    values[(out, xp.tile(channel, groups)) + centre] = 1
    return _fill(tensor, values)


def _deprecated(fn):
    """``fn`` under its old name without the trailing underscore, with PyTorch's warning."""
    old = fn.__name__[:-1]

    def deprecated(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old}` is now deprecated in favor of `nn.init.{fn.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return fn(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old
    deprecated.__doc__ = f"``nn.init.{old}``: the old name of ``{fn.__name__}``."
    return deprecated


constant = _deprecated(constant_)
dirac = _deprecated(dirac_)
eye = _deprecated(eye_)
kaiming_normal = _deprecated(kaiming_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
normal = _deprecated(normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
uniform = _deprecated(uniform_)
xavier_normal = _deprecated(xavier_normal_)
xavier_uniform = _deprecated(xavier_uniform_)


__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
