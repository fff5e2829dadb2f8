"""``nn.utils.spectral_norm`` / ``remove_spectral_norm`` against PyTorch.  The starting vectors
are random in both, so PyTorch's are copied in; from there every power-iteration step, output and
gradient must agree."""

import numpy as np
import pytest

import retrograd


def _pair(kind, torch_ref, **options):
    rng = np.random.default_rng(0)
    layers = []
    for torch in (retrograd, torch_ref):
        layer = {
            "linear": lambda: torch.nn.Linear(4, 3),
            "conv": lambda: torch.nn.Conv2d(2, 3, 2),
            "convT": lambda: torch.nn.ConvTranspose2d(2, 3, 2),
        }[kind]()
        with torch.no_grad():
            for p in layer.parameters():
                p.copy_(
                    torch.tensor(
                        np.random.default_rng(1).standard_normal(tuple(p.shape)),
                        dtype=torch.float32,
                    )
                )
        layers.append(torch.nn.utils.spectral_norm(layer, **options))
    ours, theirs = layers
    with retrograd.no_grad():
        ours.weight_u.copy_(retrograd.tensor(theirs.weight_u.numpy()))
        ours.weight_v.copy_(retrograd.tensor(theirs.weight_v.numpy()))
    shape = (2, 4) if kind == "linear" else (1, 2, 3, 3)
    return ours, theirs, rng.standard_normal(shape)


@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
@pytest.mark.parametrize("iterations", [1, 3])
def test_spectral_norm_as_pytorch(kind, iterations, torch_ref):
    ours, theirs, x = _pair(kind, torch_ref, n_power_iterations=iterations)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for step in range(3):
        if step == 2:
            ours.eval()
            theirs.eval()
        outs = []
        for layer, lib in ((ours, retrograd), (theirs, torch_ref)):
            layer.zero_grad()
            out = layer(lib.tensor(x, dtype=lib.float32))
            out.pow(2).sum().backward()
            outs.append(
                (
                    out.detach().numpy(),
                    layer.weight_orig.grad.numpy(),
                    layer.weight_u.numpy(),
                    layer.weight_v.numpy(),
                    type(layer.weight.grad_fn).__name__,
                )
            )
        for a, b in zip(*outs):
            if isinstance(a, str):
                assert a == b
            else:
                np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-5)


def test_spectral_norm_errors_and_removal(torch_ref):
    for torch in (retrograd, torch_ref):
        layer = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 2))
        with pytest.raises(
            RuntimeError,
            match="Cannot register two spectral_norm hooks on the same parameter weight",
        ):
            torch.nn.utils.spectral_norm(layer)
        layer.eval()
        expected = layer(torch.ones(1, 3))
        torch.nn.utils.remove_spectral_norm(layer)
        assert list(layer.state_dict()) == ["bias", "weight"]
        assert isinstance(layer.weight, torch.nn.Parameter)
        assert np.allclose(layer(torch.ones(1, 3)).detach().numpy(), expected.detach().numpy())
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
            torch.nn.utils.remove_spectral_norm(layer)
        with pytest.raises(
            ValueError,
            match="Expected n_power_iterations to be positive, but got n_power_iterations=0",
        ):
            torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=0)


def test_spectral_norm_bounds_the_largest_singular_value():
    layer = retrograd.nn.utils.spectral_norm(retrograd.nn.Linear(6, 5), n_power_iterations=30)
    layer(retrograd.ones(1, 6))
    sigma = np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=1e-3)
