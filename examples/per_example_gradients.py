"""Differentially private style training with per-example gradients from ``torch.func``.

Each step takes the gradient of every example separately with ``vmap(grad(loss))`` (one batched
forward and backward pass, not a loop over the examples), clips each example's gradient to a
maximum norm, averages the clipped gradients and takes an SGD step — the core of DP-SGD, without
the noise, so that the run is deterministic and the same program gives PyTorch's losses.

    python examples/per_example_gradients.py            # retrograd
    python examples/per_example_gradients.py --torch    # the same program on PyTorch
"""

import argparse


def train(lib, steps=200, batch=64, lr=0.5, max_norm=1.0, seed=0):
    """A 2-16-16-1 MLP fitted to a noisy sine of the sum of its inputs; the losses, per step."""
    lib.manual_seed(seed)
    nn, F = lib.nn, lib.nn.functional
    from_func = lib.func
    model = nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
    )
    model = model.double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    x = lib.rand(512, 2, dtype=lib.float64) * 4 - 2
    y = (x.sum(1, keepdim=True)).sin() + 0.05 * lib.randn(512, 1, dtype=lib.float64)

    def loss(p, xi, yi):
        out = from_func.functional_call(model, p, (xi.unsqueeze(0),))
        return F.mse_loss(out, yi.unsqueeze(0))

    per_example = from_func.vmap(from_func.grad(loss), in_dims=(None, 0, 0))
    losses = []
    for step in range(steps):
        start = (step * batch) % x.shape[0]
        xb, yb = x[start : start + batch], y[start : start + batch]
        grads = per_example(params, xb, yb)
        norms = lib.stack([g.reshape(batch, -1).norm(dim=1) for g in grads.values()], 1).norm(dim=1)
        scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
        for k, g in grads.items():
            clipped = g * scale.reshape((batch,) + (1,) * (g.dim() - 1))
            params[k] = params[k] - lr * clipped.mean(0)
        with lib.no_grad():
            losses.append(F.mse_loss(from_func.functional_call(model, params, (x,)), y).item())
    return losses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    if args.torch:
        import torch as lib
    else:
        import retrograd as lib
    losses = train(lib, steps=args.steps)
    print(f"loss: first step {losses[0]:.6f}, last step {losses[-1]:.6f}")
    return losses


if __name__ == "__main__":
    main()
