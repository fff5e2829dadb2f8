"""Sweep the op table's samples for gradients whose bits differ from PyTorch's.

    PYTHONPATH=src python tools/grad_bits.py [--trials N] [--dtype float32 ...] [--second] [op ...]

Each differentiable sample of ``tests/op_samples.py`` runs on retrograd and on PyTorch with the
same random inputs (drawn from the sample's domains, a fresh draw per trial) and the same random
upstream gradient; the first gradients are compared bit for bit (``--second``: the gradient of a
random weighting of the first gradients, too).  Prints, for each op and dtype where a value
differs, the fraction of elements whose bits differ: of the forward result (a kernel's rounding,
which a gradient that reads the result inherits), of the first gradient and of the second.

A difference in the forward result points at the array kernel; one in the gradient alone, at how
the derivative formula groups its arithmetic, or at a kernel the formula calls (exp, log, ...).
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from op_samples import BOOL, CPLX, INT, SAMPLES, _values, random_weights, tensors_of  # noqa: E402

import retrograd  # noqa: E402
from retrograd.ops.registry import OPS  # noqa: E402


def _inputs(lib, sample, dtype, seed):
    """The sample's inputs, drawn from its domains with ``seed``: the same for both libraries."""
    out = []
    for i, (shape, domain, *grad) in enumerate(sample.specs):
        a = _values(shape, domain, np.random.default_rng([seed, i]))
        if domain in (INT, BOOL):
            out.append(lib.tensor(a))
            continue
        kind = getattr(lib, dtype)
        t = lib.tensor(a, dtype=kind.to_complex() if domain == CPLX else kind)
        out.append(t.requires_grad_(grad != [False]))
    return out


def _bits(t):
    """A tensor's values as an array (None for no gradient), negative zero kept apart."""
    if t is None:
        return None
    return np.atleast_1d(t.detach().resolve_conj().resolve_neg().numpy())


def _same(a, b, zero_sign=True):
    """Elementwise: the bits agree (NaN equals NaN; -0.0 differs from 0.0 unless not
    ``zero_sign``; complex part by part)."""
    if a.dtype.kind == "c":
        return _same(a.real, b.real, zero_sign) & _same(a.imag, b.imag, zero_sign)
    if a.dtype.kind not in "f":
        return a == b
    same = a == b
    if zero_sign:
        same &= np.signbit(a) == np.signbit(b)
    return same | np.isnan(a) & np.isnan(b)


def _differ(a, b, where=None, zero_sign=True):
    """(elements whose bits differ, elements compared), of those ``where`` is True if given."""
    if a is None or b is None:
        return (0, 0)
    if a.shape != b.shape or a.dtype != b.dtype:
        return (a.size, a.size)
    same = _same(a, b, zero_sign)
    if where is not None:
        same = same[where]
    return (int(np.sum(~same)), same.size)


def _run(lib, sample, dtype, seed, second):
    """Forward values, first gradients and (with ``second``) second gradients of one trial."""
    xs = _inputs(lib, sample, dtype, seed)
    outs = [o for o in tensors_of(sample.fn(lib, *xs)) if o.requires_grad]
    leaves = [x for x in xs if x.requires_grad]
    rng = np.random.default_rng([seed, 99])
    ws = random_weights(lib, outs, rng)
    grads = lib.autograd.grad(outs, leaves, ws, allow_unused=True, create_graph=second)
    seconds = []
    if second:
        used = [(g, x) for g, x in zip(grads, leaves) if g is not None and g.requires_grad]
        if used:
            vs = [lib.tensor(rng.standard_normal(tuple(g.shape)), dtype=g.dtype) for g, _ in used]
            total = sum(
                ((g * v).real if g.is_complex() else g * v).sum() for (g, _), v in zip(used, vs)
            )
            seconds = lib.autograd.grad(total, leaves, allow_unused=True)
    return [_bits(o) for o in outs], [_bits(g) for g in grads], [_bits(g) for g in seconds]


def _tally(counts, ours, theirs):
    """Add one trial's differing and compared elements to ``counts``: forward, first gradient,
    second gradient, the first gradient where the forward agreed (an elementwise op's), and the
    first gradient with 0.0 equal to -0.0."""
    for k in range(3):
        for a, b in zip(ours[k], theirs[k]):
            for i, n in enumerate(_differ(a, b)):
                counts[k][i] += n
            if k == 1:
                for i, n in enumerate(_differ(a, b, zero_sign=False)):
                    counts[4][i] += n
    if len(ours[0]) != 1 or ours[0][0].shape != theirs[0][0].shape:
        return
    agreed = _same(ours[0][0], theirs[0][0])
    for a, b in zip(ours[1], theirs[1]):
        if a is not None and a.shape == agreed.shape:
            for i, n in enumerate(_differ(a, b, agreed)):
                counts[3][i] += n


def sweep(names, dtypes, trials, second, complex_too=False):
    """Yields (op, dtype, counts) op by op: [forward, first, second, first where the forward
    agreed, first with signed zeros equal], each [differing, compared] elements."""
    for name in names:
        if name not in OPS or not OPS[name].differentiable:
            continue
        found = {dtype: [[0, 0] for _ in range(5)] for dtype in dtypes}
        for sample in SAMPLES.get(name, []):
            if not sample.grad or "values" in sample.xfail:
                continue
            if not complex_too and any(d == CPLX for _, d, *_ in sample.specs):
                continue
            for dtype in dtypes:
                counts = found[dtype]
                for trial in range(trials):
                    try:
                        ours = _run(retrograd, sample, dtype, trial, second)
                        theirs = _run(torch, sample, dtype, trial, second)
                    except Exception:  # no gradient (or second gradient) in this sample
                        continue
                    _tally(counts, ours, theirs)
        for dtype, counts in found.items():
            yield name, dtype, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ops", nargs="*", help="op names (default: every sampled op)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--dtype", action="append", choices=["float32", "float64"])
    parser.add_argument("--second", action="store_true", help="compare second gradients too")
    parser.add_argument("--complex", action="store_true", help="complex samples too")
    parser.add_argument("--all", action="store_true", help="print ops that agree as well")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    dtypes = args.dtype or ["float32", "float64"]
    print(
        f"{'op':32} {'dtype':8} {'forward':>8} {'grad':>8} {'2nd':>8} {'grad|fwd=':>9} {'grad|±0':>8}"
    )
    for name, dtype, counts in sweep(
        args.ops or list(SAMPLES), dtypes, args.trials, args.second, args.complex
    ):
        fractions = [d / n if n else 0.0 for d, n in counts]
        if args.all or any(fractions):
            cells = " ".join(
                f"{f:8.3f}" if n else f"{'-':>8}" for f, (_, n) in zip(fractions, counts)
            )
            print(f"{name:32} {dtype:8} {cells}", flush=True)


if __name__ == "__main__":
    main()
