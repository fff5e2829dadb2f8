"""``torch.quasirandom``: Sobol' sequences, point for point PyTorch's.

The direction numbers are Joe and Kuo's for 30 bits, which SciPy's ``qmc.Sobol`` computes (the same
numbers PyTorch uses: imported when the first engine is made). Points come in Gray-code order: each
one is the last XOR the direction number of the lowest zero bit of the last index. Scrambling
draws from a generator seeded as PyTorch's does, in its order (a digital shift, then one
lower-triangular bit matrix per dimension, with a unit diagonal, applied to the direction numbers
with their highest bit first), so a seed gives PyTorch's scrambled points too.
"""

from __future__ import annotations

from typing import Any

from ._array import xp
from ._generator import Generator
from .creation import randint, tensor
from .dtypes import get_default_dtype, int64
from .tensor import Tensor

__all__ = ["SobolEngine"]


def _lowest_zero_bits(start: int, n: int):
    """The position of the lowest zero bit of each index from ``start`` to ``start + n - 1``."""
    k = xp.arange(start, start + n, dtype=xp.int64)
    lowest_one = ~k & (k + 1)  # (the lowest zero of k, as a one)
    return xp.log2(lowest_one).astype(xp.intp) if n else k.astype(xp.intp)


class SobolEngine:
    """``torch.quasirandom.SobolEngine``: ``draw``, ``draw_base2``, ``fast_forward`` and ``reset``
    over ``dimension`` coordinates, each point in [0, 1)."""

    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension: int, scramble: bool = False, seed: int | None = None) -> None:
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(
                f"Supported range of dimensionality for SobolEngine is [1, {self.MAXDIM}]"
            )
        from scipy.stats import qmc

        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        state = qmc.Sobol(dimension, scramble=False, bits=self.MAXBIT)._sv.astype(xp.int64)
        shift = xp.zeros(dimension, dtype=xp.int64)
        if scramble:
            state, shift = self._scrambled(state)
        self._state = state  # (dimension, MAXBIT) direction numbers
        self._shift = shift
        self._quasi = shift.copy()
        self.num_generated = 0

    def _scrambled(self, state):
        g = Generator()
        if self.seed is None:
            g.seed()
        else:
            g.manual_seed(self.seed)
        d, bits = self.dimension, self.MAXBIT
        shift_bits = randint(2, (d, bits), generator=g).numpy()
        shift = shift_bits @ (xp.int64(1) << xp.arange(bits, dtype=xp.int64))
        lower = xp.tril(randint(2, (d, bits, bits), generator=g).numpy())
        lower[:, xp.arange(bits), xp.arange(bits)] = 1
        high_first = xp.arange(bits - 1, -1, -1, dtype=xp.int64)
        digits = (state[:, :, None] >> high_first) & 1  # (d, direction, bit: highest first)
        mixed = xp.einsum("dpq,djq->djp", lower, digits) & 1
        return (mixed << high_first).sum(-1), shift

    @property
    def sobolstate(self) -> Tensor:
        return tensor(self._state, dtype=int64)

    @property
    def shift(self) -> Tensor:
        return tensor(self._shift, dtype=int64)

    @property
    def quasi(self) -> Tensor:
        return tensor(self._quasi, dtype=int64)

    def _advance(self, start: int, n: int):
        """The next ``n`` states from the index ``start`` on (the state moves to the last)."""
        steps = self._state[:, _lowest_zero_bits(start, n)].T  # (n, dimension)
        states = xp.bitwise_xor.accumulate(xp.concatenate([self._quasi[None], steps]), axis=0)[1:]
        if n:
            self._quasi = states[-1].copy()
        return states

    def draw(self, n: int = 1, out: Tensor | None = None, dtype: Any = None) -> Tensor:
        """The next ``n`` points, an ``(n, dimension)`` tensor of ``dtype`` (the default dtype
        when None)."""
        dtype = dtype if dtype is not None else get_default_dtype()
        scale = 1.0 / (1 << self.MAXBIT)
        if self.num_generated == 0:
            # the first point is the shift, divided in the default dtype as PyTorch divides it
            first = tensor(self._quasi, dtype=int64) / (1 << self.MAXBIT)
            rest = self._advance(0, n - 1)
            result = tensor(
                xp.concatenate([first.to(dtype).numpy()[None], rest * scale]), dtype=dtype
            )
        else:
            result = tensor(self._advance(self.num_generated - 1, n) * scale, dtype=dtype)
        self.num_generated += n
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m: int, out: Tensor | None = None, dtype: Any = None) -> Tensor:
        """The next ``2 ** m`` points, keeping the sequence's balance: the total drawn must stay a
        power of 2."""
        n = 2**m
        total = self.num_generated + n
        if total & (total - 1):
            raise ValueError(
                "The balance properties of Sobol' points require n to be a power of 2. "
                f"{self.num_generated} points have been previously generated, then: "
                f"n={self.num_generated}+2**{m}={total}. If you still want to do this, please "
                "use 'SobolEngine.draw()' instead."
            )
        return self.draw(n, out=out, dtype=dtype)

    def reset(self) -> SobolEngine:
        """Back to the first point."""
        self._quasi = self._shift.copy()
        self.num_generated = 0
        return self

    def fast_forward(self, n: int) -> SobolEngine:
        """Skip ``n`` points."""
        if self.num_generated == 0:
            if n > 0:  # (the first point is where a fresh engine stands)
                self._advance(0, n - 1)
        else:
            self._advance(self.num_generated - 1, n)
        self.num_generated += n
        return self

    def __repr__(self) -> str:
        more = [f"dimension={self.dimension}"]
        if self.scramble:
            more.append("scramble=True")
        if self.seed is not None:
            more.append(f"seed={self.seed}")
        return f"{self.__class__.__name__}({', '.join(more)})"
