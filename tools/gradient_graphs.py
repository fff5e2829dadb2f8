"""Sweep the op table's samples for gradient graphs whose nodes differ from PyTorch's.

    PYTHONPATH=src python tools/gradient_graphs.py [--edges] [--tree] [op ...]

Each differentiable sample of ``tests/op_samples.py`` runs on retrograd and on PyTorch in float64
with the same inputs; the gradients of a random weighting of its outputs are taken with
``create_graph=True``, and the nodes reachable from each gradient's ``grad_fn`` are compared: their
names, with how many of each (``--edges``: the (node, next node) pairs too, which tell a graph's
shape apart where its names agree).  Prints, for each sample that differs, the names found only
in retrograd's graph (``+``) and only in PyTorch's (``-``), and at the end the number of ops with
a differing sample.  ``--tree`` prints both graphs of each differing sample, node by node
from the gradient's (a node met before is shown once, then as ``...``).

A difference shows a derivative formula that records other nodes than PyTorch's does under
``create_graph``: a product by a number recorded as a product of tensors (``MulBackward0`` for
PyTorch's ``MulBackward1``), or a composition where PyTorch calls one backward op.
"""

import argparse
import collections
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from op_samples import SAMPLES, graph_nodes, inputs, random_weights, tensors_of  # noqa: E402

import retrograd  # noqa: E402
from retrograd.ops.registry import OPS  # noqa: E402


def tree(t):
    """``t``'s graph as indented lines, one per node, depth first from its ``grad_fn``."""
    lines, seen = [], set()
    todo = [(t.grad_fn, 0)]
    while todo:
        fn, depth = todo.pop()
        if fn is None:
            continue
        lines.append("  " * depth + fn.name() + (" ..." if fn in seen else ""))
        if fn not in seen:
            seen.add(fn)
            todo += [(f, depth + 1) for f, _ in reversed(fn.next_functions)]
    return lines


def gradients(lib, sample):
    """The gradients of a random weighting of the sample's outputs, with ``create_graph``."""
    xs = inputs(lib, sample, "float64")
    outs = [o for o in tensors_of(sample.fn(lib, *xs)) if o.requires_grad]
    leaves = [x for x in xs if x.requires_grad]
    rng = np.random.default_rng(3)
    ws = random_weights(lib, outs, rng)
    return lib.autograd.grad(outs, leaves, ws, allow_unused=True, create_graph=True)


def gradient_graphs(lib, sample, edges=False):
    """The node counts of each gradient's graph (None for a gradient without one)."""
    grads = gradients(lib, sample)
    return [None if g is None or g.grad_fn is None else graph_nodes(g, edges) for g in grads]


def differences(names, edges=False):
    """Yields (op, sample number, [(retrograd's extra nodes, PyTorch's extra nodes)] per
    gradient) for each sample whose gradient graphs differ."""
    for name in names:
        if name not in OPS or not OPS[name].differentiable:
            continue
        for i, sample in enumerate(SAMPLES.get(name, [])):
            if not sample.grad or "values" in sample.xfail:
                continue
            try:
                theirs = gradient_graphs(torch, sample, edges)
            except Exception:  # noqa: BLE001 - no (double) derivative in PyTorch
                continue
            try:
                ours = gradient_graphs(retrograd, sample, edges)
            except Exception as e:  # noqa: BLE001
                yield name, i, [(collections.Counter({f"raised {e!r}": 1}), {})]
                continue
            found = []
            for a, b in zip(ours, theirs):
                a, b = a or collections.Counter(), b or collections.Counter()
                if a != b:
                    found.append((a - b, b - a))
            if found:
                yield name, i, found


def _names(counts):
    return ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(counts.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ops", nargs="*", help="op names (default: every sampled op)")
    parser.add_argument("--edges", action="store_true", help="compare (node, next node) pairs too")
    parser.add_argument("--tree", action="store_true", help="print both graphs where they differ")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    ops = set()
    for name, i, found in differences(args.ops or list(SAMPLES), args.edges):
        ops.add(name)
        for extra, missing in found:
            print(f"{name}-{i}: + {_names(extra)} | - {_names(missing)}", flush=True)
        if args.tree:
            sample = SAMPLES[name][i]
            for lib in (retrograd, torch):
                print(f"  {lib.__name__}:")
                for g in gradients(lib, sample):
                    print("\n".join("    " + line for line in tree(g)) if g is not None else "")
    print(f"{len(ops)} ops whose gradient graphs differ from PyTorch's")


if __name__ == "__main__":
    main()
