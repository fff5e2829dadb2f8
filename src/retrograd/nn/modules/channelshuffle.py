"""``torch.nn.modules.channelshuffle``: classes from ``retrograd.nn.pixelshuffle``."""

from ..pixelshuffle import ChannelShuffle

__all__ = ["ChannelShuffle"]
