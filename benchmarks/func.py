"""Per-example gradients with torch.func: ``vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)``.

A 10-32-32-1 MLP (Linear, Tanh, Linear, Tanh, Linear; mean squared error), 256 examples, float32,
in the style of PyTorch's per-sample-gradients tutorial (``functional_call`` on the module with a
dict of detached parameters, one example made a batch of one).  Timed side by side with PyTorch's
torch.func, and against a Python loop over the examples in retrograd (one ``grad`` per example,
the gradients stacked), with process CPU time, one thread, medians of interleaved rounds.

    PYTHONPATH=src python benchmarks/func.py
"""

import statistics

from harness import _calibrate, _time, compare, retrograd

SIZES = (10, 32, 32, 1)
EXAMPLES = 256


def _setup(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(SIZES[0], SIZES[1]),
        nn.Tanh(),
        nn.Linear(SIZES[1], SIZES[2]),
        nn.Tanh(),
        nn.Linear(SIZES[2], SIZES[3]),
    )
    params = {k: v.detach() for k, v in model.named_parameters()}
    x, y = lib.randn(EXAMPLES, SIZES[0]), lib.randn(EXAMPLES, SIZES[-1])

    def loss(p, xi, yi):
        out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
        return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))

    return params, x, y, loss


def per_example_vmap(lib):
    params, x, y, loss = _setup(lib)
    per_example = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))
    return lambda: per_example(params, x, y)


def per_example_loop(lib):
    params, x, y, loss = _setup(lib)
    g = lib.func.grad(loss)

    def step():
        grads = [g(params, x[i], y[i]) for i in range(EXAMPLES)]
        return {k: lib.stack([gi[k] for gi in grads]) for k in params}

    return step


def _same_answer():
    vm = per_example_vmap(retrograd)()
    lo = per_example_loop(retrograd)()
    for k in vm:
        assert vm[k].shape == lo[k].shape and retrograd.allclose(vm[k], lo[k], atol=1e-6), k


def loop_over_vmap(rounds=7):
    """Median time of the loop over that of vmap, both retrograd, interleaved rounds."""
    steps = {"vmap": per_example_vmap(retrograd), "loop": per_example_loop(retrograd)}
    for s in steps.values():
        s()
    inner = {k: _calibrate(s, 0.05) for k, s in steps.items()}
    times = {k: [] for k in steps}
    for _ in range(rounds):
        for k, s in steps.items():
            times[k].append(_time(s, inner[k]))
    med = {k: statistics.median(t) for k, t in times.items()}
    ratio = med["loop"] / med["vmap"]
    print(
        f"{'per-example grads: loop/vmap':<34} vmap {med['vmap'] * 1e6:11.1f} us   "
        f"loop {med['loop'] * 1e6:11.1f} us   loop/vmap {ratio:5.1f}",
        flush=True,
    )
    return ratio


if __name__ == "__main__":
    _same_answer()
    compare(f"vmap(grad) MLP {'-'.join(map(str, SIZES))} x{EXAMPLES}", per_example_vmap)
    loop_over_vmap()
