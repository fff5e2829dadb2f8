"""The order of the backward pass, pinned against PyTorch: with hooks on every tensor and every node
of graphs whose sibling branches could run in either order, the log of calls is PyTorch's.  The
engine runs the ready node made last first (highest sequence number); any other order (oldest
first, branch by branch) gives another log, and these tests fail."""

import pytest

import retrograd


def _hook_everything(tensors, leaves, log):
    """Log each tensor hook, node pre-hook and post-hook, and post-accumulate hook by name."""
    nodes = []
    for name, t in tensors.items():
        t.register_hook(lambda g, name=name: log.append(("tensor", name)))
        fn = t.grad_fn
        if fn is not None and all(fn is not n for n in nodes):
            nodes.append(fn)
            label = f"{fn.name()}:{name}"
            fn.register_prehook(lambda go, label=label: log.append(("pre", label)))
            fn.register_hook(lambda gi, go, label=label: log.append(("post", label)))
    for name, t in leaves.items():
        t.register_post_accumulate_grad_hook(lambda t, name=name: log.append(("accumulated", name)))


def _siblings(lib):
    """Two branches from each of two leaves, joined late, made in interleaved order."""
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = lib.tensor([1.5, 0.25, -0.5], requires_grad=True)
    a = x * 2
    b = w * 3
    c = a.sin()
    d = x * w
    e = b.cos()
    f = d.exp()
    g = c + e
    out = (g * f).sum() + a.sum()
    return out, {"x": x, "w": w}, dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g, out=out)


def _chain_and_fan(lib):
    """A long branch beside a short one, and a tensor used by three later ops."""
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    s = x.tanh()
    long1 = s * 2
    long2 = long1.exp()
    long3 = long2 * s
    short = s.sigmoid()
    third = s.sum()
    out = long3.sum() + short.sum() * third
    return (
        out,
        {"x": x},
        dict(s=s, long1=long1, long2=long2, long3=long3, short=short, third=third, out=out),
    )


def _run(lib, program, how):
    out, leaves, tensors = program(lib)
    log = []
    _hook_everything(tensors, leaves, log)
    if how == "backward":
        out.backward()
    elif how == "grad":
        lib.autograd.grad(out, list(leaves.values()))
    else:  # twice over a retained graph: the second pass in the same order
        out.backward(retain_graph=True)
        log.append(("again",))
        out.backward()
    return log


@pytest.mark.parametrize("how", ["backward", "grad", "retained"])
@pytest.mark.parametrize("program", [_siblings, _chain_and_fan])
def test_hook_order_is_pytorchs(torch_ref, program, how):
    ours = _run(retrograd, program, how)
    theirs = _run(torch_ref, program, how)
    assert ours == theirs


def test_sibling_branches_run_newest_first():
    """Without PyTorch: the branch made last runs first (the order the test above pins)."""
    x = retrograd.tensor([1.0], requires_grad=True)
    first = x * 2
    second = x * 3
    order = []
    first.register_hook(lambda g: order.append("first"))
    second.register_hook(lambda g: order.append("second"))
    (first + second).sum().backward()
    assert order == ["second", "first"]


def _leaves_of_one_node(lib, how, n):
    """``n`` leaves whose AccumulateGrads become ready together (one stack or cat), or one by one
    down a product chain; the log is the order of their post-accumulate hooks."""
    xs = [lib.tensor([1.0 + i], requires_grad=True) for i in range(n)]
    log = []
    for i, x in enumerate(xs):
        x.register_post_accumulate_grad_hook(lambda t, i=i: log.append(i))
    if how == "stack":
        out = lib.stack(xs).sum()
    elif how == "cat":
        out = lib.cat([x * 1 for x in xs]).sum()
    else:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        out = out.sum()
    out.backward()
    return log


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 8])
@pytest.mark.parametrize("how", ["stack", "cat", "product"])
def test_ready_leaves_accumulate_in_pytorchs_order(torch_ref, how, n):
    """AccumulateGrads tie in the ready queue: PyTorch pops them in its binary heap's order (0 2 1 3
    for four pushed at once), not newest first and not in push order."""
    assert _leaves_of_one_node(retrograd, how, n) == _leaves_of_one_node(torch_ref, how, n)


def test_four_tied_leaves_pop_in_heap_order():
    """Without PyTorch: four leaves of one stack accumulate in the order 0, 2, 1, 3."""
    assert _leaves_of_one_node(retrograd, "stack", 4) == [0, 2, 1, 3]
