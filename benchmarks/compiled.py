"""``retrograd.compile`` against PyTorch's eager mode: the core workloads, compiled in retrograd.

Each workload is written once; ``lib.compile`` is applied only on retrograd's side (the comparison
is with PyTorch's eager mode, as a user moving from it would see).  The step includes the backward
pass, and for the MLP the SGD update, run outside the compiled function as in a training loop.
"""

from harness import compare


def _compiled(lib, fn):
    return lib.compile(fn) if lib.__name__.startswith("retrograd") else fn


def readme_program(lib):
    """The README's first program: (w + x) * (w + 1), forward compiled, then backward."""
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)
    f = _compiled(lib, lambda w, x: lib.mul(lib.add(w, x), lib.add(w, 1)))

    def step():
        f(w, x).backward()
        w.grad = None
        x.grad = None

    return step


def elementwise_chain(lib, length=200):
    """200 elementwise ops on a 16-element vector, compiled, then backward."""
    v = lib.linspace(-1, 1, 16).requires_grad_()

    def chain(h):
        for _ in range(length // 4):
            h = (h * 0.9).sin()
            h = h + 0.1
            h = h.tanh()
        return h.sum()

    f = _compiled(lib, chain)

    def step():
        f(v).backward()
        v.grad = None

    return step


def mlp_step(lib, batch=128, sizes=(784, 512, 512, 10)):
    """One training step of a 784-512-512-10 MLP (plain ops, the loss compiled with it), SGD."""
    gen = lib.Generator().manual_seed(0)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = (lib.randn(fan_in, fan_out, generator=gen) / fan_in**0.5).requires_grad_()
        b = lib.zeros(fan_out, requires_grad=True)
        params += [w, b]
    x = lib.randn(batch, sizes[0], generator=gen)
    y = lib.randint(0, sizes[-1], (batch,), generator=gen)

    def loss_of(x, y):
        h = x
        for i in range(0, len(params), 2):
            h = h.matmul(params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        logp = h - h.logsumexp(1, keepdim=True)
        return -logp.gather(1, y.unsqueeze(1)).mean()

    f = _compiled(lib, loss_of)

    def step():
        f(x, y).backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None

    return step


def main():
    compare("README program, compiled", readme_program)
    compare("200-op chain, compiled", elementwise_chain)
    compare("MLP 784-512-512-10 step, compiled", mlp_step, rounds=7, target=0.2)


if __name__ == "__main__":
    main()
