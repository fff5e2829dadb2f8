"""retrograd.nn.utils: gradient clipping and parameter vectors, against PyTorch."""

import math

import numpy as np
import pytest
from nn_parity import close, copy_weights, randn

import retrograd
import retrograd.nn as nn
from retrograd.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)


def _models_with_grads(torch):
    ours, theirs = (
        nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2)),
        torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)),
    )
    copy_weights(torch, ours, theirs)
    x = randn(0, 5, 3) * 10
    (ours(retrograd.tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm(torch_ref, norm_type, max_norm):
    ours, theirs = _models_with_grads(torch_ref)
    total = clip_grad_norm_(ours.parameters(), max_norm, norm_type)
    ttotal = torch_ref.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    close(total, ttotal, rtol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p.grad, tp.grad, rtol=1e-5)


def test_clip_grad_norm_single_tensor_and_nonfinite():
    p = nn.Parameter(retrograd.ones(4))
    p.grad = retrograd.full((4,), 3.0)
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(6.0)
    np.testing.assert_allclose(np.linalg.norm(p.grad.numpy()), 1.0, rtol=1e-5)
    p.grad = retrograd.tensor([float("inf"), 1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value(torch_ref):
    ours, theirs = _models_with_grads(torch_ref)
    assert clip_grad_value_(ours.parameters(), 0.7) is None
    torch_ref.nn.utils.clip_grad_value_(theirs.parameters(), 0.7)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p.grad, tp.grad)
        assert np.abs(p.grad.numpy()).max() <= 0.7


def test_parameters_to_vector_and_back(torch_ref):
    ours, theirs = _models_with_grads(torch_ref)
    vec = parameters_to_vector(ours.parameters())
    close(vec, torch_ref.nn.utils.parameters_to_vector(theirs.parameters()))
    (vec * vec).sum().backward()  # differentiable: gradients reach the parameters
    new = retrograd.arange(vec.numel(), dtype=retrograd.float32)
    weight = ours[0].weight
    vector_to_parameters(new, ours.parameters())
    assert ours[0].weight is weight
    np.testing.assert_array_equal(
        parameters_to_vector(ours.parameters()).detach().numpy(), new.numpy()
    )
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        vector_to_parameters([1.0], ours.parameters())
