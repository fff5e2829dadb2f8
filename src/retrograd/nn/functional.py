"""``retrograd.nn.functional``: activations, layers and losses as functions."""
