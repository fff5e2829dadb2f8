"""How PyTorch's CPU samplers turn the Mersenne Twister's words into values, vectorised.

Each function takes a ``Generator`` and returns a flat array of values in the order PyTorch's kernel
writes them (its iteration order over the output), consuming exactly the words PyTorch consumes:

- a float32 (or float16) uniform uses the low 24 bits of one 32-bit word; a float64 uniform the low
  53 bits of one 64-bit draw (two words).  ``from + x * (to - from)`` is one fused multiply-add.
- ``normal`` on 16 or more contiguous elements fills them with uniforms and runs Box-Muller on each
  block of 16 (the first 8 give the radii, the last 8 the angles); a ragged end redraws 16 fresh
  uniforms for the last 16 places.  Float32 blocks go through PyTorch's AVX2 code: Cephes
  polynomials for log and sin/cos, evaluated in float32 with fused multiply-adds, which we replay
  operation for operation.  Fewer than 16 elements (or a strided output) take the scalar path: float64
  Box-Muller, two normals per two 64-bit uniforms, the second kept in the generator for the next call.
- integers are a word modulo the range: one 32-bit word, or a 64-bit draw once the range reaches 2**28.
- ``randperm`` is a forward Fisher-Yates shuffle with a 32-bit word modulo the remaining length.

NumPy has no fused multiply-add, so ``fma32``/``fma64`` compute one exactly from wider or split
arithmetic.
"""

import math
import warnings

from . import _switches
from ._array import libm, xp

_F32 = xp.float32
_F64 = xp.float64
_MASK24 = xp.uint64(0xFFFFFF)
_MASK53 = xp.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi


# --- uniforms -------------------------------------------------------------------------------------


def uniform01_f32(gen, n: int):
    """``n`` float32 uniforms on [0, 1): 24 bits of one word each."""
    return (gen.words32(n) & _MASK24).astype(_F32) * _F32(2.0**-24)


def uniform01_f64(gen, n: int):
    """``n`` float64 uniforms on [0, 1): 53 bits of one 64-bit draw each."""
    return (gen.words64(n) & _MASK53).astype(_F64) * (2.0**-53)


def _wide(dtype) -> bool:
    return dtype == _F64


# --- fused multiply-add ---------------------------------------------------------------------------


def fma32(a, b, c):
    """``a * b + c`` rounded once to float32 (a, b, c float32).  The product is exact in float64;
    the float64 sum rounds again only where it lands exactly halfway between two float32s, and
    there the sum's exact remainder decides the direction."""
    s = xp.atleast_1d(xp.multiply(a, b, dtype=_F64))
    s += c
    bits = s.view(xp.uint64) & xp.uint64(0x1FFFFFFF)
    halfway = bits == xp.uint64(0x10000000)
    if halfway.any():
        p = xp.multiply(a, b, dtype=_F64)
        p = xp.broadcast_to(p, s.shape)[halfway]
        c = xp.broadcast_to(xp.asarray(c, dtype=_F64), s.shape)[halfway]
        h = s[halfway]
        t = h - p
        rest = (p - (h - t)) + (c - t)
        s[halfway] = xp.where(rest == 0, h, xp.nextafter(h, xp.where(rest > 0, xp.inf, -xp.inf)))
    return s.astype(_F32)


def _split(x):
    hi = x * 134217729.0  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    hi = hi - (hi - x)
    return hi, x - hi


def fma64(a, b, c):
    """``a * b + c`` with one rounding in float64, from the exact product and sum errors."""
    a = xp.asarray(a, dtype=_F64)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(xp.asarray(b, dtype=_F64))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    t = s - p
    return s + (((p - (s - t)) + (c - t)) + e)


def _complex_part(dtype):
    """The real type of a complex ``dtype``'s parts, or None for a real ``dtype``."""
    return {"F": xp.dtype(xp.float32), "D": xp.dtype(xp.float64)}.get(xp.dtype(dtype).char)


def uniform(gen, n: int, dtype, low: float, high: float):
    """``uniform_(low, high)``: ``low + x * (high - low)`` in float32 (float64 for float64), a value
    that rounds up to ``high`` given back as ``low``; a complex number takes two, its real part
    first."""
    part = _complex_part(dtype)
    if part is not None:
        return uniform(gen, 2 * n, part, low, high).view(dtype)
    if low == 0.0 and high == 1.0:  # x * 1 + 0 is x: no arithmetic to round
        v = uniform01_f64(gen, n) if _wide(dtype) else uniform01_f32(gen, n)
    elif _wide(dtype):
        v = fma64(uniform01_f64(gen, n), high - low, low)
    else:
        lo, hi = _F32(low), _F32(high)
        v = fma32(uniform01_f32(gen, n), hi - lo, lo)
    v = v.astype(dtype, copy=False)
    v[v == dtype.type(high)] = dtype.type(low)
    return v


# --- normals --------------------------------------------------------------------------------------


_LOG_POLY = (
    7.0376836292e-2,
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
)


def _log_f32(x):
    """Natural log of positive float32s as PyTorch's AVX2 kernel computes it: the Cephes logf
    polynomial on the mantissa moved to [sqrt(1/2), sqrt(2)), with its multiply-adds fused."""
    bits = x.view(xp.int32)
    e = ((bits >> 23) - 126).astype(_F32)
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(_F32)  # x = m * 2**e, m in [0.5, 1)
    small = m < _F32(0.707106781186547524)
    e -= small
    m = (m - _F32(1)) + xp.where(small, m, _F32(0))
    z = m * m
    y = xp.full_like(m, _F32(_LOG_POLY[0]))
    for c in _LOG_POLY[1:]:
        y = fma32(y, m, _F32(c))
    y = fma32(y * m, z, e * _F32(-2.12194440e-4))
    y = fma32(z, _F32(-0.5), y)
    return fma32(e, _F32(0.693359375), m + y)


def _sincos_f32(x):
    """Sine and cosine of non-negative float32s as PyTorch's AVX2 kernel computes them: reduce by
    multiples of pi/4 in three fused steps, then the Cephes sinf and cosf polynomials."""
    j = (x * _F32(1.27323954473516)).astype(xp.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for step in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma32(y, _F32(step), x)
    z = x * x
    cos = fma32(xp.full_like(z, _F32(2.443315711809948e-005)), z, _F32(-1.388731625493765e-003))
    cos = fma32(cos, z, _F32(4.166664568298827e-002))
    cos = fma32(cos * z, z, -(z * _F32(0.5))) + _F32(1)
    sin = fma32(xp.full_like(z, _F32(-1.9515295891e-4)), z, _F32(8.3321608736e-3))
    sin = fma32(sin, z, _F32(-1.6666654611e-1))
    sin = fma32(sin * z, x, x)
    swap = (j & 2) != 0  # the octant where sine and cosine trade polynomials
    s = xp.where(swap, cos, sin)
    c = xp.where(swap, sin, cos)
    s = xp.where((j & 4) != 0, -s, s)
    c = xp.where((~(j - 2) & 4) != 0, -c, c)
    return s, c


def _box_muller_16(u, mean, std, dtype):
    """Blocks of 16 uniforms (rows of ``u``) into 16 normals each, as PyTorch's vectorised fill."""
    u = u.reshape(-1, 2, 8)
    if _wide(dtype):
        radius = xp.sqrt(-2.0 * libm(math.log, 1.0 - u[:, 0]))
        theta = _TWO_PI * u[:, 1]
        out = (radius * xp.cos(theta), radius * xp.sin(theta))
        scale = fma64
    else:
        radius = xp.sqrt(_F32(-2) * _log_f32(_F32(1) - u[:, 0]))
        sin, cos = _sincos_f32(_F32(_TWO_PI) * u[:, 1])
        out = (radius * cos, radius * sin)
        scale, mean, std = fma32, _F32(mean), _F32(std)
    if mean != 0 or std != 1:  # z * 1 + 0 is z
        out = (scale(out[0], std, mean), scale(out[1], std, mean))
    return xp.concatenate(out, axis=1).reshape(-1)


def standard_normal_pairs(gen, n: int):
    """``n`` float64 standard normals from PyTorch's scalar Box-Muller: each two 64-bit uniforms
    give ``r cos`` then ``r sin``; a normal cached by the previous call comes first, and an unused
    last one is cached for the next."""
    out = xp.empty(n, dtype=_F64)
    start = 0
    if n and gen.normal_cache is not None:
        if _switches.batching is not None:  # (a draw, though no word is read: vmap's check)
            _switches.random_check()
        out[0] = gen.normal_cache
        gen.normal_cache = None
        start = 1
    m = n - start
    if m:
        pairs = (m + 1) // 2
        u = uniform01_f64(gen, 2 * pairs).reshape(pairs, 2)
        radius = xp.sqrt(-2.0 * libm(math.log1p, -u[:, 1]))
        theta = _TWO_PI * u[:, 0]
        z = xp.stack((radius * xp.cos(theta), radius * xp.sin(theta)), axis=1).reshape(-1)
        out[start:] = z[:m]
        if m % 2:
            gen.normal_cache = float(z[-1])
    return out


def normal(gen, n: int, dtype, mean: float = 0.0, std: float = 1.0, contiguous: bool = True):
    """``normal_(mean, std)`` of ``n`` elements of ``dtype``; a complex number takes two, each part
    with variance std**2 / 2."""
    part = _complex_part(dtype)
    if part is not None:
        return normal(gen, 2 * n, part, mean, std / math.sqrt(2), contiguous).view(dtype)
    if n >= 16 and contiguous:
        whole = n - n % 16
        # float32/float64 draw a uniform for every element first (those past the last whole
        # block go unused); float16 draws block by block, so only for whole blocks.
        drawn = whole if dtype == xp.float16 else n
        u = uniform01_f64(gen, drawn) if _wide(dtype) else uniform01_f32(gen, drawn)
        out = xp.empty(n, dtype=_F64 if _wide(dtype) else _F32)
        out[:whole] = _box_muller_16(u[:whole], mean, std, dtype)
        if whole != n:
            tail = uniform01_f64(gen, 16) if _wide(dtype) else uniform01_f32(gen, 16)
            out[n - 16 :] = _box_muller_16(tail, mean, std, dtype)
        return out.astype(dtype, copy=False)
    z = standard_normal_pairs(gen, n)
    if mean != 0 or std != 1:
        z = fma64(z, std, mean)
    return z.astype(dtype)


# --- integers -------------------------------------------------------------------------------------


def float_range(dtype, low: int, high: int):
    """``[low, high)`` for ``random_`` into a float dtype, as PyTorch narrows it: a bound whose
    neighbour inside the range rounds outside it in ``dtype`` moves in by one spacing, so no drawn
    integer can round to a value outside the range (with PyTorch's warning where the bounds exceed
    the integers ``dtype`` holds exactly).  Integer dtypes keep their bounds."""
    if dtype.kind not in "fV":
        return low, high
    _warn_float_range(dtype, low, high)
    digits = xp.finfo(dtype).nmant + 1
    inside = int(dtype.type(low + 1))
    if inside < low:
        low = inside + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    inside = int(dtype.type(high - 1))
    if inside >= high:
        high = inside - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    return low, high


def _warn_float_range(dtype, low: int, high: int) -> None:
    """PyTorch's warning for integer bounds a float dtype cannot hold exactly."""
    digits = xp.finfo(dtype).nmant + 1
    name = {2: "Half", 4: "float", 8: "double"}[dtype.itemsize]
    for what, value in (("from", low), ("to - 1", high - 1)):
        if not -(1 << digits) <= value <= 1 << digits:
            warnings.warn(
                f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                f"limitations {name} can support discrete uniform distribution only "
                "within this range. This warning will become an error in version 1.7 "
                "release, please fix the code in advance",
                UserWarning,
                stacklevel=4,
            )


def random_from_to(gen, n: int, span: int, low: int):
    """``random_(low, low + span)`` as int64: a word modulo ``span`` (64-bit draws from 2**28)."""
    words = gen.words64(n) if span >= 1 << 28 else gen.words32(n)
    return (words % xp.uint64(span)).astype(xp.int64) + xp.int64(low)


def random_full_range(gen, n: int):
    """``random_(-2**63, None)``: every 64-bit pattern."""
    return gen.words64(n).view(xp.int64)


def random_default(gen, n: int, dtype):
    """``random_()``: [0, 2**mantissa] for floats (inclusive), [0, max] for integers, bits for
    bool; int64 and float64 draw 64 bits, the others 32."""
    if dtype == xp.bool_:
        return (gen.words32(n) & xp.uint64(1)).astype(bool)
    if dtype.kind in "fV":
        digits = xp.finfo(dtype).nmant + 1
        words = gen.words64(n) if _wide(dtype) else gen.words32(n)
        return (words % xp.uint64((1 << digits) + 1)).astype(dtype)
    words = gen.words64(n) if dtype == xp.int64 else gen.words32(n)
    return (words % xp.uint64(int(xp.iinfo(dtype).max) + 1)).astype(dtype)


def randperm(gen, n: int):
    """A permutation of ``range(n)`` by PyTorch's forward Fisher-Yates shuffle: step ``i`` swaps
    places ``i`` and ``target[i] = i + word % (n - i)``.  The swaps are resolved without a loop
    over them: the value at a place just before a step is the one an earlier step last wrote
    there, and chains of such writes are followed by pointer jumping."""
    if n < 2:
        return xp.arange(n, dtype=xp.int64)
    steps = n - 1
    i = xp.arange(steps, dtype=xp.int64)
    target = i + (gen.words32(steps) % (n - i).astype(xp.uint64)).astype(xp.int64)
    moved = target != i
    # The steps sorted by the place they swap into, then by step: each place's writers in order.
    key = xp.sort(target * n + i)
    into, step = xp.divmod(key, n)
    same = into[1:] == into[:-1]
    # earlier[i]: the last step before i with the same target.
    earlier = xp.full(steps, -1, dtype=xp.int64)
    earlier[step[1:][same]] = step[:-1][same]
    # before[k]: the value at place k just before step k (after all steps, for the last place):
    # what the last earlier step into place k carried there, else k itself.  A self-swap at k is
    # the last of its group and is not an earlier write.
    writes = into != step
    into, step = into[writes], step[writes]
    last = xp.ones(into.size, dtype=bool)
    last[:-1] = into[1:] != into[:-1]
    before = xp.arange(n, dtype=xp.int64)
    before[into[last]] = step[last]
    while True:
        hop = before[before]
        if (hop == before).all():
            break
        before = hop
    # Step i leaves at place i what its target held: what the earlier step into that target
    # carried, else the target's own starting value (for a self-swap, place i's value).
    out = xp.empty(n, dtype=xp.int64)
    out[:steps] = xp.where(moved, xp.where(earlier >= 0, before[earlier], target), before[:steps])
    out[-1] = before[-1]
    return out


# --- other distributions -------------------------------------------------------------------------


def bernoulli_scalar(gen, n: int, p: float):
    """``bernoulli_(p)``: a float64 uniform below ``p``."""
    return uniform01_f64(gen, n) < p


def bernoulli_tensor(gen, p):
    """``bernoulli_(p)`` for a flat array of probabilities: a float64 uniform for float64 ``p``, a
    float32 one otherwise."""
    if p.dtype == _F64:
        return uniform01_f64(gen, p.size) < p
    return uniform01_f32(gen, p.size) < p.astype(_F32, copy=False)


def exponential(gen, n: int, lambd: float, exact: bool = False):
    """``exponential_(lambd)``: ``-log(1 - u) / lambd`` in float64 (``exact``: to the C
    library's last bit, see ``libm``)."""
    u = -uniform01_f64(gen, n)
    return (-1.0 / lambd) * (libm(math.log1p, u) if exact else xp.log1p(u))


def geometric(gen, n: int, p: float):
    """``geometric_(p)``: ``ceil(log(u) / log(1 - p))`` in float64."""
    with xp.errstate(divide="ignore"):
        return xp.ceil(xp.log(uniform01_f64(gen, n)) / math.log(1.0 - p))


def log_normal(gen, n: int, mean: float, std: float, exact: bool = False):
    """``log_normal_(mean, std)``: exp of the scalar path's normals (which share its cache)."""
    z = fma64(standard_normal_pairs(gen, n), std, mean)
    return libm(math.exp, z) if exact else xp.exp(z)


def cauchy(gen, n: int, median: float, sigma: float, exact: bool = False):
    """``cauchy_(median, sigma)``: ``median + sigma * tan(pi (u - 1/2))`` in float64."""
    angle = math.pi * (uniform01_f64(gen, n) - 0.5)
    return fma64(xp.full(n, sigma), libm(math.tan, angle) if exact else xp.tan(angle), median)


def multinomial(gen, probs, n_sample: int, replacement: bool):
    """``multinomial`` of a 2-D array of non-negative weights, one row per distribution.

    Without replacement (or for one sample) PyTorch draws ``q ~ Exp(1)`` for every weight and takes
    the largest ``p / q``; with replacement it draws one float64 uniform per sample and finds it in
    the row's normalised running sum (in the weights' dtype) by binary search."""
    rows, cats = probs.shape
    if not replacement or n_sample == 1:
        q = exponential(gen, probs.size, 1.0).astype(probs.dtype).reshape(probs.shape)
        with xp.errstate(divide="ignore", invalid="ignore"):
            score = probs / q
        if n_sample == 1:
            return xp.argmax(score, axis=1)[:, None]
        return xp.argsort(-score, axis=1, kind="stable")[:, :n_sample]
    cum = xp.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    cum[:, -1] = 1
    u = uniform01_f64(gen, rows * n_sample).reshape(rows, n_sample)
    lo = xp.zeros((rows, n_sample), dtype=xp.int64)
    hi = xp.full((rows, n_sample), cats, dtype=xp.int64)
    row = xp.arange(rows)[:, None]
    while (lo < hi).any():
        mid = (lo + hi) // 2
        below = cum[row, xp.minimum(mid, cats - 1)] < u
        open_ = lo < hi
        lo = xp.where(open_ & below, mid + 1, lo)
        hi = xp.where(open_ & ~below, mid, hi)
    return lo


# --- Poisson and binomial: rejection samplers read ahead ------------------------------------------


_CHAIN = 256  # elements resolved together
_WINDOW = 256  # starting points tried for each, around its expected one


def poisson(gen, rates):
    """``torch.poisson`` of a flat float64 array of rates, each drawn as PyTorch draws it: Knuth's
    product of uniforms below rate 10, Hormann's transformed rejection (two uniforms a try) from
    10 on."""
    mark = gen.mark()
    expected = xp.where(rates >= 10, 2.0, xp.where(rates > 0, rates + 1.0, 0.0))
    values, end = _read_ahead(
        _Uniforms(gen), _poisson_from, (rates,), expected, float(rates.max(initial=1.0))
    )
    gen.rewind(mark, 2 * end)
    return values


def binomial(gen, count, prob):
    """``torch.binomial`` of flat arrays of trial counts and success probabilities (one dtype, the
    result's): PyTorch's inversion by geometric gaps where the mean is below 10, its BTRS
    rejection (two uniforms a try) from 10 on, on the rarer outcome's probability."""
    q = xp.where(prob > 0.5, prob.dtype.type(1) - prob, prob)
    mean = count * q
    expected = xp.where(
        mean >= 10, 2.0, xp.where((count > 0) & (prob > 0) & (prob < 1), mean + 1.0, 0.0)
    )
    mark = gen.mark()
    values, end = _read_ahead(_Uniforms(gen), _binomial_from, (count, prob), expected, 10.0)
    gen.rewind(mark, 2 * end)
    return values


def _read_ahead(buffer, sample_from, params, expected, spread, first=0):
    """Run ``sample_from(buffer, states, *params) -> (values, next states)``, a sampler whose
    elements each take a number of uniforms that depends on what they draw, as PyTorch's serial
    loop runs it: each element starting in the state the previous one left (a state is where in
    the stream it starts, plus whatever else carries over).  Returns (values, final state).

    With one setting for all elements, what an element does depends only on its starting state,
    so every state in a stretch links to the next element's, and the path from the first state
    is followed by pointer doubling.  Otherwise each element of a run is sampled from every state
    in a window around where it is expected to start, which links (element, state) to the next
    element's state, and the path is followed the same way; a run stops where the path leaves the
    windows and the next run begins there."""
    n = params[0].size
    if n and all((p == p[0]).all() for p in params):
        return _one_setting(
            buffer, sample_from, [p[:1] for p in params], n, float(expected[0]), spread, first
        )
    values = xp.empty(n, dtype=_F64)
    state, done = first, 0
    while done < n:
        part = slice(done, done + _CHAIN)
        got, state = _run(buffer, state, sample_from, [p[part] for p in params], expected[part])
        values[done : done + got.size] = got
        done += got.size
    return values, state


def _one_setting(buffer, sample_from, params, n, mean, spread, first):
    span = int(n * mean + 8 * math.sqrt(n * spread + 1)) + 64
    while True:
        states = first + xp.arange(span)
        values, nxt = sample_from(buffer, states, *(xp.broadcast_to(p, (span,)) for p in params))
        link = xp.append(xp.minimum(nxt - first, span), span)  # past the stretch: a sink
        state = _follow(link, n)
        if state[-1] < span:
            return values[state], int(nxt[state[-1]])
        span *= 2


def _follow(link, n):
    """Positions 0, link[0], link[link[0]], ... (``n`` of them), by the bits of each index."""
    j = xp.arange(n)
    state = xp.zeros(n, dtype=xp.int64)
    for bit in range(max(n - 1, 1).bit_length()):
        take = ((j >> bit) & 1).astype(bool)
        state[take] = link[state[take]]
        link = link[link]
    return state


def _run(buffer, first, sample_from, params, expected):
    """The leading elements whose states can be followed from ``first`` within their windows:
    (values, the state after the last of them)."""
    m, w = params[0].size, _WINDOW
    low = xp.maximum(first + _exclusive_cumsum(xp.rint(expected)) - w // 2, first)
    low[0] = first
    states = low[:, None] + xp.arange(w)
    values, nxt = sample_from(buffer, states.reshape(-1), *(xp.repeat(p, w) for p in params))
    values, nxt = values.reshape(m, w), nxt.reshape(m, w)
    # Link (element j, slot) to (element j + 1, slot of its state), or to a sink past the window.
    sink = m * w
    link = xp.full(sink + 1, sink, dtype=xp.int64)
    slot = nxt[:-1] - low[1:, None]
    inside = (slot >= 0) & (slot < w)
    here = xp.arange((m - 1) * w).reshape(m - 1, w)
    link[here[inside]] = (xp.arange(1, m)[:, None] * w + slot)[inside]
    state = _follow(link, m)  # element j's (element, slot) on the path from (0, 0)
    lost = xp.nonzero(state == sink)[0]
    k = int(lost[0]) if lost.size else m
    return values.reshape(-1)[state[:k]], int(nxt.reshape(-1)[state[k - 1]])


def _exclusive_cumsum(counts):
    total = xp.cumsum(counts, dtype=xp.int64)
    return total - counts.astype(xp.int64)


class _Uniforms:
    """Float64 uniforms drawn ahead from a generator, grown on demand."""

    def __init__(self, gen):
        self.gen = gen
        self.values = xp.empty(0)

    def at(self, index):
        need = int(index.max()) + 1 if index.size else 0
        if need > self.values.size:
            more = max(need - self.values.size, self.values.size, 1024)
            self.values = xp.concatenate((self.values, uniform01_f64(self.gen, more)))
        return self.values[index]


def _poisson_from(buffer, start, lam):
    """Each rate's Poisson draw reading uniforms from its ``start``: (values, where the next
    element starts)."""
    values = xp.zeros(lam.size, dtype=_F64)
    used = xp.zeros(lam.size, dtype=xp.int64)
    small = xp.nonzero((lam > 0) & (lam < 10))[0]
    if small.size:
        values[small], used[small] = _knuth(buffer, start[small], lam[small])
    big = xp.nonzero(lam >= 10)[0]
    if big.size:
        values[big], used[big] = _hormann(buffer, start[big], lam[big])
    return values, start + used


def _knuth(buffer, start, lam):
    """Knuth's method for rates below 10: multiply uniforms until the running product falls to
    exp(-rate); the count is one less than the uniforms used.  The running products of a block of
    uniforms are taken at once (``cumprod`` multiplies in order, as the loop does)."""
    floor = xp.exp(-lam)
    top = float(lam.max())
    width = int(top + 6 * math.sqrt(top)) + 8
    product = xp.ones(lam.size)
    used = xp.zeros(lam.size, dtype=xp.int64)
    live = xp.arange(lam.size)
    while live.size:
        block = buffer.at(start[live, None] + used[live, None] + xp.arange(width))
        block[:, 0] *= product[live]
        running = xp.cumprod(block, axis=1)
        below = running <= floor[live, None]
        stop = below.any(axis=1)
        first = xp.argmax(below, axis=1)
        used[live] += xp.where(stop, first + 1, width)
        product[live] = running[:, -1]
        live = live[~stop]
    return used - 1, used


def _hormann(buffer, start, lam):
    """Hormann's PTRS for rates of 10 or more, all tries of all elements at once."""
    slam = xp.sqrt(lam)
    loglam = xp.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    values = xp.zeros(lam.size)
    tries = xp.zeros(lam.size, dtype=xp.int64)
    live = xp.arange(lam.size)
    from scipy.special import gammaln

    with xp.errstate(divide="ignore", invalid="ignore"):
        while live.size:
            at = start[live] + 2 * tries[live]
            u = buffer.at(at) - 0.5
            v = buffer.at(at + 1)
            tries[live] += 1
            us = 0.5 - xp.abs(u)
            k = xp.floor((2 * a[live] / us + b[live]) * u + lam[live] + 0.43)
            k = xp.where(xp.isfinite(k), k, -1.0)
            quick = (us >= 0.07) & (v <= vr[live])
            retry = ~quick & ((k < 0) | ((us < 0.013) & (v > us)))
            slow = ~quick & ~retry
            lhs = xp.log(v) + xp.log(invalpha[live]) - xp.log(a[live] / (us * us) + b[live])
            rhs = -lam[live] + k * loglam[live] - gammaln(k + 1)
            done = quick | (slow & (lhs <= rhs))
            values[live[done]] = k[done]
            live = live[~done]
    return values, 2 * tries


def standard_gamma(gen, alpha):
    """``torch._standard_gamma`` of a flat array of shapes (the result's dtype): Marsaglia and
    Tsang's method as PyTorch runs it, shapes below 1 boosted by one uniform first.  Its normals
    come from the generator's Box-Muller pairs, the second of a pair cached for the next normal,
    across elements and calls; so an element's starting state is its place in the stream and
    whether a normal is cached (always the second of the pair drawn three uniforms back, once
    this call has drawn one; before that, the generator's own)."""
    n = alpha.size
    mark = gen.mark()
    buffer = _Uniforms(gen)
    values = xp.zeros(n)
    state, done = 0, 0
    if gen.normal_cache is not None:
        # Up to the first element that draws a normal, the cache is the generator's.
        nonzero = xp.nonzero(alpha != 0)[0]
        done = int(nonzero[0]) + 1 if nonzero.size else n
        state = 1
        if nonzero.size:
            got, nxt = _gamma_from(
                buffer, xp.array([1]), alpha[done - 1 : done], cached=gen.normal_cache
            )
            values[done - 1] = got[0]
            state = int(nxt[0])
    if done < n:
        expected = xp.where(alpha[done:] < 1, 6.0, 4.0)  # two states per uniform
        values[done:], state = _read_ahead(
            buffer, _gamma_from, (alpha[done:],), expected, 4.0, state
        )
    pos = state >> 1
    gen.rewind(mark, 2 * pos)
    if not state & 1:
        gen.normal_cache = None
    elif pos:  # a pair this call drew: its second normal waits
        u = buffer.at(xp.array([pos - 3, pos - 2]))
        gen.normal_cache = math.sqrt(-2.0 * math.log1p(-float(u[1]))) * math.sin(
            _TWO_PI * float(u[0])
        )
    out = values.astype(alpha.dtype)
    return xp.maximum(out, xp.finfo(alpha.dtype).tiny)


def _logs(exact):
    """log and log1p for a sampler's float64 arithmetic: the C library's where its values must
    have PyTorch's last bit (``libm``), NumPy's otherwise."""
    if exact:
        return (lambda a: libm(math.log, a)), (lambda a: libm(math.log1p, a))
    return xp.log, xp.log1p


def _gamma_from(buffer, states, alpha, cached=None):
    """Each shape's gamma draw from its state (2 * place + whether a normal is cached): (values,
    next states).  ``cached``: the cached normal, where it is not one drawn in this call."""
    dt = alpha.dtype.type
    # (float64 shapes: their values to PyTorch's last bit; the others round alike either way)
    exact = alpha.dtype == _F64
    log, log1p = _logs(exact)
    pos = states >> 1
    has = (states & 1).astype(bool)
    cache = xp.zeros(alpha.size)
    if cached is not None:
        cache[:] = cached
    else:
        back = xp.maximum(pos - 3, 0)
        radius = xp.sqrt(-2.0 * log1p(-buffer.at(back + 1)))
        cache = radius * xp.sin(_TWO_PI * buffer.at(back))
    values = xp.zeros(alpha.size)
    live = xp.nonzero(alpha != 0)[0]
    a = alpha.copy()
    scale = xp.ones(alpha.size)
    boost = live[alpha[live] < 1]
    if boost.size:
        u = buffer.at(pos[boost])
        pos[boost] += 1
        power = (dt(1) / alpha[boost]).astype(_F64)
        scale[boost] = libm(math.pow, 1 - u, power) if exact else xp.power(1 - u, power)
        a[boost] = a[boost] + dt(1)
    d = (a - xp.float32(1) / xp.float32(3)).astype(_F64)
    tail = float(xp.float32(0.0331))
    with xp.errstate(divide="ignore", invalid="ignore"):  # shape 0 takes no draws
        c = 1.0 / xp.sqrt(9.0 * d)
        while live.size:
            # A normal: the cached one, else a fresh pair whose second is cached.
            fresh = live[~has[live]]
            x = cache[live].copy()
            if fresh.size:
                u1, u2 = buffer.at(pos[fresh]), buffer.at(pos[fresh] + 1)
                pos[fresh] += 2
                radius = xp.sqrt(-2.0 * log1p(-u2))
                x[~has[live]] = radius * xp.cos(_TWO_PI * u1)
                cache[fresh] = radius * xp.sin(_TWO_PI * u1)
            has[live] = ~has[live]
            y = 1.0 + c[live] * x
            go = y > 0  # the others draw another normal
            on, x, y = live[go], x[go], y[go]
            v = y * y * y
            u = 1 - buffer.at(pos[on])
            pos[on] += 1
            xx = x * x
            dd = d[on]
            take = (u < 1.0 - tail * xx * xx) | (log(u) < 0.5 * xx + dd * (1.0 - v + log(v)))
            values[on[take]] = scale[on[take]] * dd[take] * v[take]
            live = xp.setdiff1d(live, on[take], assume_unique=True)
    return values, 2 * pos + has


_STIRLING_TAIL = xp.array(
    [
        0.0810614667953272,
        0.0413406959554092,
        0.0276779256849983,
        0.02079067210376509,
        0.0166446911898211,
        0.0138761288230707,
        0.0118967099458917,
        0.0104112652619720,
        0.00925546218271273,
        0.00833056343336287,
    ]
)


def _stirling_tail(k):
    """log(k!) minus its Stirling approximation: a table below 10, the series above."""
    small = k < 10
    kp1sq = (k + 1) * (k + 1)
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    return xp.where(small, _STIRLING_TAIL[xp.clip(k, 0, 9).astype(xp.int64)], series)


def _binomial_from(buffer, start, count, prob):
    """Each (count, prob)'s binomial draw reading uniforms from its ``start``, with PyTorch's
    arithmetic in the result's dtype where it has it: (values, where the next element starts)."""
    one = count.dtype.type(1)
    values = xp.zeros(count.size, dtype=_F64)
    used = xp.zeros(count.size, dtype=xp.int64)
    some = (count > 0) & (prob > 0)
    values[some & (prob >= 1)] = count[some & (prob >= 1)]
    values[some & xp.isnan(prob)] = xp.nan
    flip = some & (prob > 0.5) & (prob < 1)
    q = xp.where(flip, one - prob, prob)
    draw = some & (q <= 0.5) & (q > 0)
    wide = draw & (count * q >= 10.0)
    for mask, method in ((wide, _btrs), (draw & ~wide, _binomial_inversion)):
        idx = xp.nonzero(mask)[0]
        if idx.size:
            got, used[idx] = method(buffer, start[idx], count[idx], q[idx])
            values[idx] = xp.where(flip[idx], (count[idx] - got.astype(count.dtype)), got)
    return values, start + used


def _binomial_inversion(buffer, start, count, q):
    """Count geometric gaps between successes until they pass ``count``."""
    logq = xp.log1p(-q).astype(_F64)  # in the dtype of q, as PyTorch's log1p of it
    total = xp.zeros(q.size)
    got = xp.zeros(q.size)
    used = xp.zeros(q.size, dtype=xp.int64)
    live = xp.arange(q.size)
    with xp.errstate(divide="ignore"):
        while live.size:
            u = buffer.at(start[live] + used[live])
            used[live] += 1
            total[live] += xp.ceil(xp.log(u) / logq[live])
            over = total[live] > count[live]
            got[live[~over]] += 1
            live = live[~over]
    return got, used


def _btrs(buffer, start, count, p):
    """Hormann's BTRS, as PyTorch writes it (the count-dependent terms in the result's dtype)."""
    one = count.dtype.type(1)
    stddev = xp.sqrt(count * p * (one - p)).astype(_F64)
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * p.astype(_F64)
    c = (count * p).astype(_F64) + 0.5
    v_r = 0.92 - 4.2 / b
    r = (p / (one - p)).astype(_F64)
    alpha = (2.83 + 5.1 / b) * stddev
    m = xp.floor((count + one) * p).astype(_F64)
    n = count.astype(_F64)
    got = xp.zeros(p.size)
    tries = xp.zeros(p.size, dtype=xp.int64)
    live = xp.arange(p.size)
    with xp.errstate(divide="ignore", invalid="ignore"):
        while live.size:
            at = start[live] + 2 * tries[live]
            u = buffer.at(at) - 0.5
            v = buffer.at(at + 1)
            tries[live] += 1
            us = 0.5 - xp.abs(u)
            k = xp.floor((2 * a[live] / us + b[live]) * u + c[live]).astype(count.dtype)
            k = k.astype(_F64)
            nl, ml, rl = n[live], m[live], r[live]
            fits = (k >= 0) & (k <= nl)
            quick = fits & (us >= 0.07) & (v <= v_r[live])
            lhs = xp.log(v * alpha[live] / (a[live] / (us * us) + b[live]))
            bound = (
                (ml + 0.5) * xp.log((ml + 1) / (rl * (nl - ml + 1)))
                + (nl + 1) * xp.log((nl - ml + 1) / (nl - k + 1))
                + (k + 0.5) * xp.log(rl * (nl - k + 1) / (k + 1))
                + _stirling_tail(ml)
                + _stirling_tail(nl - ml)
                - _stirling_tail(k)
                - _stirling_tail(nl - k)
            )
            done = quick | (fits & (lhs <= bound))
            got[live[done]] = k[done]
            live = live[~done]
    return got, 2 * tries


# --- iteration order ------------------------------------------------------------------------------


def _memory_axes(array):
    """``array``'s axes from outermost to innermost in memory: the order PyTorch's kernels visit a
    strided output in (None for a C-contiguous array, visited in index order)."""
    if array.flags.c_contiguous:
        return None
    return sorted(range(array.ndim), key=lambda d: -abs(array.strides[d]))


def placed(flat, like):
    """Values drawn in ``like``'s visiting order, arranged in ``like``'s shape."""
    axes = _memory_axes(like)
    if axes is None:
        return flat.reshape(like.shape)
    return flat.reshape([like.shape[d] for d in axes]).transpose(xp.argsort(axes))


def visited(values, like):
    """``values`` (broadcast to ``like``'s shape) read in ``like``'s visiting order, flat."""
    values = xp.broadcast_to(values, like.shape)
    axes = _memory_axes(like)
    return values.reshape(-1) if axes is None else values.transpose(axes).reshape(-1)
