"""Ops on tensors that need no gradient, where retrograd records where the graph is cut
(``retrograd.autograd.cuts``): with the records on (the default), then off."""

from harness import compare

from retrograd.autograd import cuts


def no_grad_eval(lib, batch=4, sizes=(64, 64, 64, 10)):
    """A small MLP's forward under no_grad, its weights requiring grad: the graph is cut there."""
    gen = lib.Generator().manual_seed(0)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = (lib.randn(fan_in, fan_out, generator=gen) / fan_in**0.5).requires_grad_()
        params += [w, lib.zeros(fan_out, requires_grad=True)]
    x = lib.randn(batch, sizes[0], generator=gen)

    def step():
        with lib.no_grad():
            h = x
            for i in range(0, len(params), 2):
                h = (h.matmul(params[i]) + params[i + 1]).relu()
            return h.argmax(1)

    return step


def data_chain(lib, length=200):
    """200 elementwise ops on a tensor that needs no gradient: no cut anywhere."""
    v = lib.linspace(-1, 1, 16)

    def step():
        h = v
        for _ in range(length // 4):
            h = (h * 0.9).sin()
            h = h + 0.1
            h = h.tanh()
        return h.sum()

    return step


def no_grad_chain(lib, length=200):
    """The same chain under no_grad on a tensor that requires grad: its first op cuts the graph,
    the others pass the record on."""
    v = lib.linspace(-1, 1, 16).requires_grad_()

    def step():
        with lib.no_grad():
            h = v
            for _ in range(length // 4):
                h = (h * 0.9).sin()
                h = h + 0.1
                h = h.tanh()
        return h.sum()

    return step


def main():
    for enabled in (True, False):
        cuts.set_enabled(enabled)
        print(f"-- cut records {'on' if enabled else 'off'}")
        compare("no_grad eval, MLP 64-64-64-10", no_grad_eval, rounds=21)
        compare("200-op chain, no grad needed", data_chain, rounds=21)
        compare("200-op chain under no_grad", no_grad_chain, rounds=21)
    cuts.set_enabled(True)


if __name__ == "__main__":
    main()
