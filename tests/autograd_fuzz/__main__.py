"""``python -m autograd_fuzz --n N [--seed S]`` (with ``tests`` on ``sys.path``): run N random
programs on retrograd and PyTorch, print every kind of difference once as a minimal program, and
a summary.  ``--self`` runs PyTorch against itself (must match 100%)."""

import argparse
import collections
import random
import sys
import time

import torch

import retrograd

from .causes import classify
from .generator import generate
from .runner import compare, gradient_difference, report, run, shrink


def main(argv=None):
    p = argparse.ArgumentParser(prog="autograd_fuzz")
    p.add_argument("--n", type=int, default=1000, help="number of programs")
    p.add_argument("--seed", type=int, default=None, help="first seed (default: a fresh one)")
    p.add_argument(
        "--self", dest="against_self", action="store_true", help="compare PyTorch with itself"
    )
    p.add_argument(
        "--examples", type=int, default=1, help="minimal programs printed per kind of difference"
    )
    p.add_argument("--timeout", type=int, default=30, help="seconds allowed per program")
    p.add_argument("--quiet", action="store_true", help="summary only")
    p.add_argument("--markdown", default=None, help="also write the differences to this file")
    p.add_argument(
        "--known",
        action="store_true",
        help="only print 'seed: cause' lines, as KNOWN_DIFFERENCES in test_fuzz.py",
    )
    args = p.parse_args(argv)
    seed0 = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    got_mod = torch if args.against_self else retrograd
    got_name = "torch (again)" if args.against_self else "retrograd"
    if not args.known:
        print(
            f"fuzz: {args.n} programs, seeds {seed0}..{seed0 + args.n - 1}, torch vs {got_name}",
            flush=True,
        )
    kinds = collections.Counter()
    causes = collections.Counter()
    seeds_by_kind = collections.defaultdict(list)
    silent = []
    crashed = []
    shown = collections.Counter()
    examples = collections.defaultdict(list)
    start = time.time()
    for i in range(args.n):
        seed = seed0 + i
        if i and i % 500 == 0 and not args.known:
            print(f"... {i} programs, {sum(kinds.values())} differ", flush=True)
        try:
            steps = generate(seed)
            ref = run(steps, torch)
            got = run(steps, got_mod, timeout=args.timeout)
            diff = compare(steps, ref, got)
            gdiff = gradient_difference(steps, ref, got) if diff is not None else None
            if gdiff is not None and not gdiff.is_silent_gradient():
                gdiff = None  # after the reference shared one .grad between tensors
        except Exception as e:  # noqa: BLE001 - a failure of the fuzzer itself is reported
            crashed.append((seed, f"{type(e).__name__}: {e}"))
            continue
        if diff is None:
            continue
        key = diff.signature
        kinds[key] += 1
        cause = classify(steps, diff)
        causes[cause] += 1
        if args.known:
            if gdiff is not None and not diff.is_silent_gradient():
                cause += "; gradients differ too"
            print(f"    {seed}: {cause!r},", flush=True)
            continue
        seeds_by_kind[key].append(seed)
        if gdiff is not None:
            silent.append(seed)
            if not diff.is_silent_gradient() and not args.quiet and len(silent) <= 10:
                # hidden behind another difference: show it too
                small, sgdiff = shrink(
                    steps, torch, got_mod, gdiff, timeout=args.timeout, gradients=True
                )
                text = report(small, sgdiff, "torch", got_name)
                examples[("silent gradient", f"seed {seed}")].append((seed, text))
                print(f"\n=== seed {seed}: gradients differ (behind a {diff.field} difference) ===")
                print(text, flush=True)
        if shown[key] < args.examples and not args.quiet:
            shown[key] += 1
            small, sdiff = shrink(steps, torch, got_mod, diff, timeout=args.timeout)
            print(f"\n=== seed {seed}: {key[0]} at {key[1]} ===", flush=True)
            text = report(small, sdiff, "torch", got_name)
            examples[key].append((seed, text))
            print(text, flush=True)
    n_diff = sum(kinds.values())
    ran = args.n - len(crashed)
    if args.known:
        return 0
    print("\n=== summary ===")
    print(
        f"programs: {ran} (fuzzer failures: {len(crashed)}), "
        f"{time.time() - start:.0f}s, first seed {seed0}"
    )
    print(f"match: {ran - n_diff}/{ran} = {100.0 * (ran - n_diff) / max(ran, 1):.2f}%")
    print(
        f"gradients differ without an error: {len(silent)}"
        + (f" (seeds {silent[:20]})" if silent else "")
    )
    print("by cause (first difference of each program):")
    for cause, c in causes.most_common():
        print(f"  {c:5d}  {cause}")
    print("by symptom (field, step):")
    for (field, tag), c in kinds.most_common():
        print(f"  {c:5d}  {field:18s} {tag}   seeds {seeds_by_kind[(field, tag)][:8]}")
    for seed, msg in crashed[:20]:
        print(f"  fuzzer failure at seed {seed}: {msg}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(f"# fuzz run: {ran} programs from seed {seed0}, torch vs {got_name}\n\n")
            f.write(
                f"match {ran - n_diff}/{ran} = {100.0 * (ran - n_diff) / max(ran, 1):.2f}%; "
                f"gradients differ without an error: {len(silent)} {silent[:20]}\n\n"
            )
            f.write("| count | cause |\n|---:|---|\n")
            for cause, c in causes.most_common():
                f.write(f"| {c} | {cause} |\n")
            f.write("\n| count | difference | step | seeds |\n|---:|---|---|---|\n")
            for (field, tag), c in kinds.most_common():
                f.write(f"| {c} | {field} | `{tag}` | {seeds_by_kind[(field, tag)][:6]} |\n")
            for (field, tag), c in kinds.most_common() + [
                (k, 1) for k in examples if k[0] == "silent gradient"
            ]:
                for seed, text in examples.get((field, tag), []):
                    f.write(
                        f"\n### {field} at `{tag}` ({c} programs; seed {seed})\n"
                        f"```python\n{text}```\n"
                    )
    return 0 if n_diff == 0 and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
