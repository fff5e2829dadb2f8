"""Helpers for the nn parity tests: the same values into retrograd and PyTorch, compared."""

import numpy as np

import retrograd


def pair(torch, array, requires_grad=True):
    """A retrograd tensor and a torch tensor holding the same float32 values."""
    a = np.asarray(array, dtype=np.float32)
    return (
        retrograd.tensor(a, requires_grad=requires_grad),
        torch.tensor(a, requires_grad=requires_grad),
    )


def randn(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def close(ours, theirs, atol=1e-5, rtol=1e-4):
    """``ours`` (retrograd) equals ``theirs`` (torch) to float32 tolerance."""
    a = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol)


def copy_weights(torch, ours, theirs):
    """Load our module's state into the torch module, so both hold the same weights."""
    sd = {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(sd)


def check_module(torch, ours, theirs, *inputs, atol=1e-5, rtol=1e-4, grad_inputs=True):
    """Same weights, same inputs: outputs, input gradients and parameter gradients all equal."""
    copy_weights(torch, ours, theirs)
    ours_in, theirs_in = [], []
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            a, b = pair(torch, x, requires_grad=grad_inputs)
        else:
            a, b = retrograd.tensor(x), torch.tensor(x)
        ours_in.append(a)
        theirs_in.append(b)
    out_a, out_b = ours(*ours_in), theirs(*theirs_in)
    flat_a, flat_b = _flatten(out_a), _flatten(out_b)
    assert len(flat_a) == len(flat_b)
    total_a = total_b = 0
    for i, (a, b) in enumerate(zip(flat_a, flat_b)):
        close(a, b, atol, rtol)
        w = randn(100 + i, *b.shape)
        total_a = total_a + (a * retrograd.tensor(w)).sum()
        total_b = total_b + (b * torch.tensor(w)).sum()
    total_a.backward()
    total_b.backward()
    for a, b in zip(ours_in, theirs_in):
        if b.requires_grad:
            close(a.grad, b.grad, atol, rtol)
    named_b = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert (p.grad is None) == (named_b[name].grad is None), name
        if p.grad is not None:
            close(p.grad, named_b[name].grad, atol, rtol)
    return out_a, out_b


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o)]
    return [] if out is None else [out]
