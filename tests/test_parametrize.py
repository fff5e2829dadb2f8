"""``nn.utils.parametrize`` and ``nn.utils.parametrizations.weight_norm`` against PyTorch: the
swapped class, state dict keys, repr, values, gradients, caching, removal and errors."""

import warnings

import pytest

import retrograd


def _err(fn):
    try:
        return repr(fn())
    except Exception as e:  # the type and text are what is compared
        return f"{type(e).__name__}: {e}"


def _program(torch):
    P = torch.nn.utils.parametrize

    class Sym(torch.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, X):
            return X.triu()

    class Pair(torch.nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, w):
            return w / 2, w / 2

    class Bad(torch.nn.Module):
        def forward(self, X):
            return X.double()

    class Shape(torch.nn.Module):
        def forward(self, X):
            return X[0]

    out = []
    m = torch.nn.Linear(3, 3)
    w0 = m.weight
    P.register_parametrization(m, "weight", Sym())
    out += [
        type(m).__name__,
        type(m).__mro__[1].__name__,
        list(m.state_dict()),
        m.parametrizations.weight.original is w0,
        repr(m),
        m.weight.grad_fn.name(),
        P.is_parametrized(m),
        P.is_parametrized(m, "bias"),
        P.type_before_parametrizations(m).__name__,
    ]
    P.register_parametrization(m, "weight", Sym())
    out.append(len(m.parametrizations.weight))
    P.remove_parametrizations(m, "weight")
    out += [type(m).__name__, list(m.state_dict()), m.weight is w0, hasattr(m, "parametrizations")]

    m2 = torch.nn.Linear(2, 2)
    P.register_parametrization(m2, "weight", Pair())
    out += [
        list(m2.state_dict()),
        [n for n, _ in m2.named_parameters()],
        _err(lambda: P.remove_parametrizations(m2, "weight", leave_parametrized=False)),
    ]
    P.remove_parametrizations(m2, "weight")
    out += [
        list(m2.state_dict()),
        type(m2.weight).__name__,
        m2.weight.requires_grad,
        _err(lambda: P.remove_parametrizations(m2, "weight")),
        _err(lambda: P.register_parametrization(torch.nn.Linear(2, 2), "weight", Bad())),
        _err(lambda: P.register_parametrization(torch.nn.Linear(2, 2), "weight", Shape())),
    ]

    m3 = torch.nn.Linear(2, 2)
    with torch.no_grad():
        m3.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    P.register_parametrization(m3, "weight", Sym())
    original = m3.parametrizations.weight.original
    out.append(repr(m3.weight))
    m3.weight = torch.ones(2, 2)
    out += [
        repr(m3.parametrizations.weight.original),
        m3.parametrizations.weight.original is original,
        _err(lambda: P.register_parametrization(m3, "foo", Sym())),
    ]
    with P.cached():
        out.append(m3.weight is m3.weight)
    out.append(m3.weight is m3.weight)

    bn = torch.nn.BatchNorm1d(2)
    P.register_parametrization(bn, "running_mean", torch.nn.Identity())
    out += [list(bn.state_dict()), [n for n, _ in bn.named_buffers()]]

    for dim in (0, 1, None):
        lin = torch.nn.Linear(3, 2)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[1.0, -2.0, 2.0], [0.0, 3.0, 4.0]]))
            lin.bias.zero_()
        torch.nn.utils.parametrizations.weight_norm(lin, dim=dim)
        lin(torch.tensor([[1.0, 1.0, 1.0]])).sum().backward()
        originals = lin.parametrizations.weight
        out += [
            list(lin.state_dict()),
            repr(originals.original0),
            repr(lin.weight),
            repr(lin),
            repr(originals.original0.grad),
            repr(originals.original1.grad),
        ]
    return out


def test_parametrize_as_pytorch(torch_ref):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _program(retrograd), _program(torch_ref)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a == b


def test_parametrized_module_trains():
    P = retrograd.nn.utils.parametrize

    class Positive(retrograd.nn.Module):
        def forward(self, x):
            return x.exp()

        def right_inverse(self, y):
            return y.log()

    layer = retrograd.nn.Linear(2, 1)
    with retrograd.no_grad():
        layer.weight.fill_(0.5)
    P.register_parametrization(layer, "weight", Positive())
    assert layer.weight.reshape(-1).tolist() == pytest.approx([0.5, 0.5])
    opt = retrograd.optim.SGD(layer.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        loss = (layer(retrograd.ones(1, 2)) + 3.0).pow(2).sum()
        loss.backward()
        opt.step()
    assert bool((layer.weight > 0).all())  # the parametrization keeps it positive
