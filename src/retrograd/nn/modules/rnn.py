"""``torch.nn.modules.rnn``: classes from ``retrograd.nn.rnn``."""

from ..rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from ..rnn import _CellBase as RNNCellBase
from ..rnn import _RNNBase as RNNBase

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
