"""``retrograd.nn.functional``: activations, layers and losses as functions."""

from ..ops.conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d,  # noqa: F401
                        conv_transpose1d, conv_transpose2d, max_pool2d, max_pool2d_with_indices)
