"""``retrograd.nn.init``: fill parameters in place with PyTorch's initial distributions.

Every function writes into the tensor's array outside the graph (as ``torch.no_grad`` would) and
bumps its version counter, as an in-place op does; it returns the tensor.  The random numbers come
from retrograd's generator (``retrograd.manual_seed``): the same distributions as PyTorch, not the
same draws.
"""

import math
import warnings

from .._array import xp
from ..creation import _rng
from ..autograd.anomaly import caller_site
from ..tensor import Tensor, bump_version

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
          "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
          "relu": math.sqrt(2.0), "selu": 3.0 / 4}


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
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor: Tensor, values) -> Tensor:
    """Write ``values`` into ``tensor`` in place (outside the graph) and bump its version."""
    a = tensor._data
    if a.flags.writeable:
        a[...] = values
    else:
        tensor._data = xp.array(xp.broadcast_to(values, a.shape), dtype=a.dtype)
    bump_version(tensor, caller_site(1))
    return tensor


def _fill_row(tensor: Tensor, index: int, value: float) -> Tensor:
    """``tensor[index] = value`` in place, outside the graph (an embedding's padding row)."""
    values = xp.array(tensor._data)
    values[index] = value
    return _fill(tensor, values)


def _calculate_fan_in_and_fan_out(tensor: Tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
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


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """``nn.init.uniform_``: U(a, b)."""
    return _fill(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """``nn.init.normal_``: N(mean, std^2)."""
    return _fill(tensor, _rng(generator).normal(mean, std, tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """``nn.init.trunc_normal_``: N(mean, std^2) restricted to [a, b] (by inverting the CDF)."""
    from ..ops.nnops import erf_array

    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
    u = _rng(generator).uniform(2 * lo - 1, 2 * hi - 1, tensor.shape)
    values = _erfinv(u, erf_array) * (std * math.sqrt(2.0)) + mean
    return _fill(tensor, xp.clip(values, a, b))


def _erfinv(y, erf):
    """The inverse of erf: a first guess refined by Newton steps (to double precision)."""
    y = xp.clip(y, -1 + 1e-15, 1 - 1e-15)
    w = -xp.log((1.0 - y) * (1.0 + y))
    t = 2 / (math.pi * 0.147) - w / 2  # Winitzki's approximation, good to 2e-3
    x = xp.sign(y) * xp.sqrt(xp.sqrt(t * t + w / 0.147) - t)
    for _ in range(3):
        x = x - (erf(x) - y) / (2 / math.sqrt(math.pi) * xp.exp(-x * x))
    return x


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


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """``nn.init.kaiming_uniform_``: U(-b, b), b = gain sqrt(3 / fan)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """``nn.init.kaiming_normal_``: N(0, std^2), std = gain / sqrt(fan)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """``nn.init.orthogonal_``: a (semi-)orthogonal matrix from the QR of a normal one."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_"]
