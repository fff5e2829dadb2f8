"""Making tensors: ``tensor``, ``zeros``, ``arange``, ``randn`` ... and the random number generator."""

import builtins

from . import dtypes
from ._array import ndarray, xp
from .tensor import Tensor, _make


class device:
    """``torch.device``: everything lives on the CPU; the name is kept for code that passes it."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        self.type, _, idx = str(type).partition(":")
        self.index = int(idx) if idx else index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return str(self) == str(device(other)) if isinstance(other, (str, device)) else False

    def __hash__(self):
        return hash(str(self))


def _check_grad_dtype(array, requires_grad):
    if requires_grad and array.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def _infer_array(data, dtype):
    """The array for ``tensor(data)``: Python floats take the default dtype, ints int64."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, ndarray):
        array = data
    elif isinstance(data, xp.generic):
        array = xp.asarray(data)
    else:
        data = _unwrap(data)
        array = xp.asarray(data)
        if array.dtype.kind == "f" and dtype is None:
            array = array.astype(dtypes.get_default_dtype().np)
        elif array.dtype.kind == "c" and dtype is None:
            array = array.astype(xp.complex64 if dtypes.get_default_dtype() is dtypes.float32
                                 else xp.complex128)
        elif array.dtype.kind in "iu" and dtype is None:
            array = array.astype(xp.int64)
        elif array.dtype.kind not in "biufc":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is not None:
        array = array.astype(dtype.np, copy=False)
    elif array.dtype not in dtypes.FROM_NP:
        dtypes.from_numpy_dtype(array.dtype)  # raises PyTorch's error for unsupported types
    return array


def _unwrap(data):
    """Nested lists may hold tensors (0-dim or not): use their values."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap(d) for d in data]
    return data


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``torch.tensor``: a new leaf tensor holding a copy of ``data``."""
    array = _infer_array(data, dtype)
    array = xp.array(array, copy=True)
    _check_grad_dtype(array, requires_grad)
    return _make(array, bool(requires_grad))


def as_tensor(data, dtype=None, device=None):
    """``torch.as_tensor``: shares memory with a NumPy array or tensor of the same dtype."""
    if isinstance(data, Tensor) and (dtype is None or dtype.np == data._data.dtype):
        return data
    if isinstance(data, ndarray) and (dtype is None or dtype.np == data.dtype):
        dtypes.from_numpy_dtype(data.dtype)
        return _make(data)
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """``torch.from_numpy``: a tensor sharing memory with ``array``."""
    if not isinstance(array, ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return _make(array)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(builtins.int(s) for s in size)


def _dt(dtype, default=None):
    return (dtype or default or dtypes.get_default_dtype()).np


def _filled(array, requires_grad):
    _check_grad_dtype(array, requires_grad)
    return _make(array, bool(requires_grad))


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.zeros``."""
    return _filled(xp.zeros(_shape(size), _dt(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.ones``."""
    return _filled(xp.ones(_shape(size), _dt(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None):
    """``torch.empty`` (its values are zeros here, never garbage)."""
    return _filled(xp.zeros(_shape(size), _dt(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``torch.full``: the dtype follows ``fill_value`` when none is given."""
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    return _filled(xp.full(_shape((size,)), fill_value, dtype.np), requires_grad)


def _like(t, dtype):
    return dtype.np if dtype is not None else t._data.dtype


def zeros_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(xp.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(xp.ones(input._data.shape, _like(input, dtype)), requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(xp.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(xp.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, out=None):
    """``torch.arange``: int64 when every bound is an integer, else the default float dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (s.item() if isinstance(s, Tensor) else s for s in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign"
        )
    if dtype is None:
        integral = all(isinstance(v, builtins.int) for v in (start, end, step))
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    # As PyTorch: the count is computed in double precision, the values as start + i * step.
    n = builtins.int(-((start - end) // step)) if all(
        isinstance(v, builtins.int) for v in (start, end, step)) else \
        builtins.int(xp.ceil((end - start) / step))
    values = start + xp.arange(n, dtype=xp.float64) * step if dtype.is_floating_point else \
        xp.arange(start, end, step)
    return _filled(values.astype(dtype.np), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, out=None):
    """``torch.linspace``: ``steps`` values from start to end, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _filled(xp.linspace(start, end, steps).astype(_dt(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, out=None):
    """``torch.eye``: ones on the diagonal."""
    return _filled(xp.eye(n, m, dtype=_dt(dtype)), requires_grad)


# --- random numbers ----------------------------------------------------------------------------


class Generator:
    """``torch.Generator``: a seeded source of random numbers (its own stream, not PyTorch's)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = xp.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = builtins.int(seed)
        self._rng = xp.random.default_rng(self._seed)
        return self

    def seed(self):
        s = builtins.int(xp.random.SeedSequence().entropy) % (1 << 63)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import json

        state = json.dumps(self._rng.bit_generator.state).encode()
        return _make(xp.frombuffer(state, dtype=xp.uint8).copy())

    def set_state(self, state):
        import json

        self._rng.bit_generator.state = json.loads(bytes(state._data.tolist()).decode())
        return self


default_generator = Generator()


def manual_seed(seed):
    """``torch.manual_seed``: reseed the default generator."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _rng(generator):
    return (generator or default_generator)._rng


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """``torch.rand``: uniform on [0, 1)."""
    return _filled(_rng(generator).random(_shape(size)).astype(_dt(dtype)), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """``torch.randn``: standard normal."""
    return _filled(_rng(generator).standard_normal(_shape(size)).astype(_dt(dtype)), requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False):
    """``torch.randint``: integers in [low, high), int64 by default."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    array = _rng(generator).integers(low, high, size=_shape((size,)))
    return _filled(array.astype(_dt(dtype, dtypes.int64)), requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    """``torch.randperm``: a random permutation of 0..n-1."""
    return _filled(_rng(generator).permutation(n).astype(_dt(dtype, dtypes.int64)), requires_grad)


def rand_like(input, dtype=None, generator=None, requires_grad=False, **kwargs):
    return _filled(_rng(generator).random(input._data.shape).astype(_like(input, dtype)),
                   requires_grad)


def randn_like(input, dtype=None, generator=None, requires_grad=False, **kwargs):
    return _filled(_rng(generator).standard_normal(input._data.shape).astype(
        _like(input, dtype)), requires_grad)


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, requires_grad=False, out=None):
    """``torch.normal``: normal samples; ``mean``/``std`` may be tensors (broadcast) or floats."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if isinstance(s, (builtins.int, builtins.float)) and s < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
    shape = _shape((size,)) if size is not None else xp.broadcast(m, s).shape
    dt = mean.dtype if isinstance(mean, Tensor) else std.dtype if isinstance(std, Tensor) else None
    array = m + s * _rng(generator).standard_normal(shape)
    return _filled(xp.asarray(array).astype(_dt(dtype or dt)), requires_grad)


def _legacy_new(*args):
    """``torch.Tensor(2, 3)`` (uninitialised floats) and ``torch.Tensor([1, 2])`` (float data)."""
    if len(args) == 1 and not isinstance(args[0], builtins.int):
        return tensor(args[0], dtype=dtypes.get_default_dtype())
    return zeros(*args)
