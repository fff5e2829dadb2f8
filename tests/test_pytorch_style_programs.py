"""Programs written for PyTorch in the style of published ones (examples/char_gpt.py: a
character-level GPT with a device switch, a shuffling DataLoader, AdamW and clipping;
examples/word_lstm.py: a word-level LSTM language model with truncated backpropagation, dropout
and a falling learning rate) run unchanged on retrograd and end at PyTorch's losses, step for
step: the same seeded weights, shuffle order and dropout masks, then the same arithmetic."""

import os
import sys

import numpy as np
import pytest

import retrograd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import char_gpt  # noqa: E402
import word_lstm  # noqa: E402


@pytest.mark.parametrize("program", [char_gpt, word_lstm], ids=["char_gpt", "word_lstm"])
def test_program_ends_at_pytorchs_losses(torch_ref, program):
    ours = program.main(retrograd, log=lambda line: None)
    theirs = program.main(torch_ref, log=lambda line: None)
    assert len(ours) == len(theirs) >= 20
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)
    assert np.mean(ours[-5:]) < np.mean(ours[:5])  # and they learn
