"""PyTorch's CPU random engine: a 32-bit Mersenne Twister seeded and stepped as PyTorch's is.

``torch.Generator`` on the CPU is MT19937 seeded by the reference ``init_genrand`` recurrence from the
low 32 bits of the 64-bit seed (the whole 64-bit seed is still reported by ``initial_seed``).  NumPy's
``MT19937`` bit generator runs the same algorithm, so we compute the seeded key here and hand it to
NumPy, which then makes the raw 32-bit words in C, vectorised.  A 64-bit draw is two 32-bit words,
the first one the high half.

The generator also keeps PyTorch's cached second Box-Muller normal (the scalar normal path makes
two normals and keeps one for the next call) and the byte layout of ``get_state``/``set_state``, so
a state taken from PyTorch restores here, and the other way round.

Everything here works on NumPy arrays; the samplers that turn words into values are in
``_sampling``, and the public ``torch.random`` functions in ``random``.
"""

import builtins
import operator

from . import _switches, dtypes
from ._array import xp
from .tensor import Tensor, _make

DEFAULT_SEED = 67280421310721  # the seed a fresh torch.Generator starts from
_N = 624  # words in the Mersenne Twister's state
_STATE_BYTES = 5056  # PyTorch's CPUGeneratorImplState
_U64 = xp.dtype("<u8")
_U32 = xp.uint64(32)


def seeded_key(seed: int):
    """The Mersenne Twister state after ``init_genrand(seed mod 2**32)``.  Each word depends on the
    one before it, so this is one short loop of 623 steps, run once per ``manual_seed``."""
    key = [seed & 0xFFFFFFFF]
    x = key[0]
    for i in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        key.append(x)
    return xp.array(key, dtype=xp.uint32)


def _seed_value(seed) -> int:
    """``seed`` as the unsigned 64-bit value PyTorch stores: negative seeds wrap around."""
    seed = builtins.int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


class Generator:
    """``torch.Generator``: a CPU Mersenne Twister whose streams are PyTorch's, draw for draw."""

    __slots__ = ("_bits", "_float_cache", "_fresh", "_seed", "normal_cache")

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise NotImplementedError(
                f"retrograd runs on the CPU only; Generator(device='{device}') is not supported"
            )
        self._bits = xp.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self):
        from .creation import device

        return device("cpu")

    def manual_seed(self, seed) -> "Generator":
        """Reseed (the cached normal is dropped, as in PyTorch); returns this generator."""
        try:
            seed = _seed_value(operator.index(seed))
        except TypeError:
            raise RuntimeError(
                f"manual_seed expected a long, but got {type(seed).__name__}"
            ) from None
        self._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": seeded_key(seed), "pos": _N},
        }
        self._seed = seed
        self._fresh = True  # PyTorch reports next=0 (not 624) until the first draw
        self.normal_cache = None
        self._float_cache = None
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        s = builtins.int(xp.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    # --- raw words -------------------------------------------------------------------------------

    def words32(self, n: int):
        """``n`` draws of PyTorch's ``random()``: 32-bit words, as uint64."""
        if _switches.batching is not None:
            _switches.random_check()
        self._fresh = False
        return self._bits.random_raw(n)

    def words64(self, n: int):
        """``n`` draws of PyTorch's ``random64()``: two words each, the first the high half."""
        w = self.words32(2 * n)
        return (w[0::2] << _U32) | w[1::2]

    def mark(self):
        """Where the word stream stands now, for ``rewind``."""
        return self._bits.state, self._fresh

    def rewind(self, mark, words: int = 0) -> None:
        """Go back to ``mark``, then consume ``words`` words: for samplers that read ahead of
        what they end up using."""
        self._bits.state, self._fresh = mark
        if words:
            self.words32(words)

    # --- state in PyTorch's byte layout ----------------------------------------------------------

    def get_state(self) -> Tensor:
        """The state as PyTorch's 5056-byte ``CPUGeneratorImplState`` (a uint8 tensor)."""
        st = self._bits.state["state"]
        pos = builtins.int(st["pos"])
        left, nxt = (1, 0 if self._fresh else _N) if pos >= _N else (_N + 1 - pos, pos)
        buf = bytearray(_STATE_BYTES)
        head = xp.array([self._seed], dtype=_U64).tobytes()
        head += xp.array([left, 1], dtype="<i4").tobytes()
        head += xp.array([nxt], dtype=_U64).tobytes()
        head += st["key"].astype(_U64).tobytes()
        buf[: len(head)] = head
        cache = self.normal_cache
        tail = xp.array([0.0, 0.0 if cache is None else cache, 0.0], dtype="<f8").tobytes()
        tail += xp.array([cache is not None], dtype="<i4").tobytes()
        buf[5016:5044] = tail
        if self._float_cache is not None:
            buf[5048:5052] = xp.array([self._float_cache], dtype="<f4").tobytes()
            buf[5052] = 1
        return _make(xp.frombuffer(bytes(buf), dtype=xp.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        """Restore a state made by ``get_state`` (here or in PyTorch)."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._data.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(
                "Expected a CPUGeneratorImplState of size 5056 but found the input "
                f"RNG state size to be {len(raw)}"
            )
        seed = builtins.int(xp.frombuffer(raw[0:8], dtype=_U64)[0])
        left, seeded = (builtins.int(v) for v in xp.frombuffer(raw[8:16], dtype="<i4"))
        nxt = builtins.int(xp.frombuffer(raw[16:24], dtype=_U64)[0])
        if seeded != 1 or not 1 <= left <= _N or nxt > _N:
            raise RuntimeError("Invalid mt19937 state")
        key = (xp.frombuffer(raw[24:5016], dtype=_U64) & xp.uint64(0xFFFFFFFF)).astype(xp.uint32)
        self._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": _N if left == 1 else nxt},
        }
        self._seed = seed
        self._fresh = left == 1 and nxt == 0
        normal_y = builtins.float(xp.frombuffer(raw[5024:5032], dtype="<f8")[0])
        valid = builtins.int(xp.frombuffer(raw[5040:5044], dtype="<i4")[0])
        self.normal_cache = normal_y if valid else None
        self._float_cache = None
        if raw[5052]:
            self._float_cache = builtins.float(xp.frombuffer(raw[5048:5052], dtype="<f4")[0])
        return self


default_generator = Generator()


def resolve(generator) -> Generator:
    """The generator a sampler draws from: the one passed, else the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator
