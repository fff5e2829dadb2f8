"""``nn.utils.weight_norm`` / ``remove_weight_norm`` against PyTorch: parameters, values,
gradients, node names, errors; the op's derivatives against finite differences."""

import warnings

import numpy as np
import pytest

import retrograd
from retrograd.ops.nnops import _weight_norm


def _layer(torch, kind):
    rng = np.random.default_rng(0)
    layer = torch.nn.Linear(3, 2) if kind == "linear" else torch.nn.Conv2d(2, 3, 2)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)), dtype=torch.float32))
    return layer


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_as_pytorch(kind, dim, torch_ref):
    x = np.random.default_rng(1).standard_normal((2, 3) if kind == "linear" else (1, 2, 3, 3))
    results = []
    for torch in (retrograd, torch_ref):
        layer = _layer(torch, kind)
        before = layer.weight.detach().clone()
        with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
            assert torch.nn.utils.weight_norm(layer, dim=dim) is layer
        out = layer(torch.tensor(x, dtype=torch.float32))
        out.pow(2).sum().backward()
        names = [n for n, _ in layer.named_parameters()]
        results.append(
            (
                names,
                list(layer.state_dict()),
                tuple(layer.weight_g.shape),
                type(layer.weight.grad_fn).__name__,
                out.tolist(),
                layer.weight_g.grad.tolist(),
                layer.weight_v.grad.tolist(),
                layer.weight.detach().tolist(),
            )
        )
        assert np.allclose(layer.weight.detach().numpy(), before.numpy(), atol=1e-6)
        with pytest.raises(
            RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.nn.utils.weight_norm(layer, dim=dim)
        torch.nn.utils.remove_weight_norm(layer)
        assert [n for n, _ in layer.named_parameters()] == ["bias", "weight"]  # as PyTorch
        assert isinstance(layer.weight, torch.nn.Parameter)
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
            torch.nn.utils.remove_weight_norm(layer)
    ours, theirs = results
    assert ours[:4] == theirs[:4]
    for a, b in zip(ours[4:], theirs[4:]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dim, g_shape", [(0, (3, 1, 1)), (1, (1, 4, 1)), (2, (1, 1, 2)), (-1, ())])
def test_weight_norm_op_derivatives(dim, g_shape):
    rng = np.random.default_rng(2)
    v = retrograd.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    g = retrograd.tensor(rng.standard_normal(g_shape), requires_grad=True)
    assert retrograd.autograd.gradcheck(lambda a, b: _weight_norm(a, b, dim), (v, g))
    assert retrograd.autograd.gradgradcheck(lambda a, b: _weight_norm(a, b, dim), (v, g))


def test_weight_norm_of_a_vector():
    v = retrograd.tensor([3.0, -4.0], dtype=retrograd.float64, requires_grad=True)
    g = retrograd.tensor([2.0, 1.0], dtype=retrograd.float64, requires_grad=True)
    assert _weight_norm(v, g, 0).tolist() == [2.0, -1.0]  # each element its own norm
    assert retrograd.autograd.gradcheck(lambda a, b: _weight_norm(a, b, 0), (v, g))
