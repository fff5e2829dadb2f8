"""The core benchmarks of the first issue: each workload written once, run in both libraries."""

from harness import compare


def readme_program(lib):
    """The README's first program, forward and backward, per iteration."""
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)

    def step():
        a = lib.add(w, x)
        b = lib.add(w, 1)
        y = lib.mul(a, b)
        y.backward()
        w.grad = None
        x.grad = None

    return step


def elementwise_chain(lib, length=200):
    """A chain of 200 elementwise ops on a 16-element vector, then backward."""
    v = lib.linspace(-1, 1, 16).requires_grad_()

    def step():
        h = v
        for _ in range(length // 4):
            h = (h * 0.9).sin()
            h = h + 0.1
            h = h.tanh()
        h.sum().backward()
        v.grad = None

    return step


def mlp_step(lib, batch=128, sizes=(784, 512, 512, 10)):
    """One training step of a 784-512-512-10 MLP written with plain ops (no nn modules)."""
    gen = lib.Generator().manual_seed(0)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = (lib.randn(fan_in, fan_out, generator=gen) / fan_in**0.5).requires_grad_()
        b = lib.zeros(fan_out, requires_grad=True)
        params += [w, b]
    x = lib.randn(batch, sizes[0], generator=gen)
    y = lib.randint(0, sizes[-1], (batch,), generator=gen)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h.matmul(params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        logp = h - h.logsumexp(1, keepdim=True)
        loss = -logp.gather(1, y.unsqueeze(1)).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None

    return step


def deep_chain(lib, length=20_000):
    """A chain 20,000 ops deep on a 4-element vector, then backward."""
    v = lib.ones(4, requires_grad=True)

    def step():
        h = v
        for _ in range(length // 2):
            h = h * 1.0001
            h = h - 0.0001
        h.sum().backward()
        v.grad = None

    return step


def main():
    compare("README program (fwd+bwd)", readme_program)
    compare("200-op chain, 16 elements", elementwise_chain)
    compare("MLP 784-512-512-10, batch 128", mlp_step, rounds=7, target=0.2)
    compare("20,000-op deep chain", deep_chain, rounds=5, target=0.3)


if __name__ == "__main__":
    main()
