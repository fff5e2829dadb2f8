"""``torch.nn.modules.activation``: classes from ``retrograd.nn.activation``."""

from ..activation import (Threshold, ReLU, Hardtanh, ReLU6, Sigmoid, Hardsigmoid, Tanh, SiLU, Mish,
                          Hardswish, ELU, CELU, SELU, GLU, GELU, LeakyReLU, LogSigmoid, Softplus,
                          Softsign, Softmin, Softmax, LogSoftmax, PReLU, MultiheadAttention)

__all__ = ["Threshold", "ReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU",
           "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "LeakyReLU", "LogSigmoid",
           "Softplus", "Softsign", "Softmin", "Softmax", "LogSoftmax", "PReLU",
           "MultiheadAttention"]
