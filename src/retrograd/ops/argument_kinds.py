"""The signatures PyTorch's argument parser tries for the functions retrograd composes
from other ops, in its order: name -> ((the signature as PyTorch prints it, or None for a
function of one signature; its arguments), ...), each argument (position, None for
keyword-only; retrograd's keyword; PyTorch's name; kind; takes None; may be left out).
KINDS holds the functions, METHOD_KINDS the Tensor methods (positions count self as 0);
OP_KINDS and OP_METHOD_KINDS the same for the op table's functions and methods, which
check their arguments where they bind them (see registry);
HIDDEN the signatures PyTorch takes without listing them (its deprecated ones), each
argument's (name, kind);
NUMBERS_AS_TENSORS those whose Tensor arguments take Python numbers too (sub(2, x)).
Written by tools/argument_kinds.py from PyTorch; read by ops.arguments and ops.registry."""

KINDS = {
    "abs_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "acos_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "acosh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "addcdiv": (
        (
            "(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor out = "
            "None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addmv_": (
        (
            "(Tensor input, Tensor mat, Tensor vec, *, Number beta = 1, Number alpha = 1)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat", "mat", "Tensor", False, False),
                (2, "vec", "vec", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "adjoint": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "alias_copy": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "allclose": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (2, "rtol", "rtol", "float", False, True),
                (3, "atol", "atol", "float", False, True),
                (4, "equal_nan", "equal_nan", "bool", False, True),
            ),
        ),
    ),
    "aminmax": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "dim", "dim", "int", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "arccos_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "arccosh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "arcsin_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "arcsinh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "arctan_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "arctanh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "argsort": (
        (
            "(Tensor input, *, bool stable, int dim = -1, bool descending = False, Tensor out = "
            "None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "stable", "stable", "bool", False, False),
                (None, "dim", "dim", "int", False, True),
                (None, "descending", "descending", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim = -1, bool descending = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, True),
                (2, "descending", "descending", "bool", False, True),
            ),
        ),
    ),
    "argwhere": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "as_strided": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "size", "size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", False, False),
                (3, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "as_strided_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "size", "size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", False, False),
                (3, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "as_strided_scatter": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "src", "src", "Tensor", False, False),
                (2, "size", "size", "tuple of ints", False, False),
                (3, "stride", "stride", "tuple of ints", False, False),
                (4, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "asin_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "asinh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "atan_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "atanh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "bernoulli": (
        (
            "(Tensor input, *, torch.Generator generator = None, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "generator", "generator", "torch.Generator", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, float p, *, torch.Generator generator = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "p", "p", "float", False, False),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
    ),
    "bincount": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weights", "weights", "Tensor", True, True),
                (2, "minlength", "minlength", "int", False, True),
            ),
        ),
    ),
    "binomial": (
        (
            None,
            (
                (0, "count", "count", "Tensor", False, False),
                (1, "prob", "prob", "Tensor", False, False),
            ),
        ),
    ),
    "broadcast_to": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "size", "size", "tuple of ints", False, False),
            ),
        ),
    ),
    "bucketize": (
        (
            "(Tensor input, Tensor boundaries, *, bool out_int32 = False, bool right = False, "
            "Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "boundaries", "boundaries", "Tensor", False, False),
                (None, "out_int32", "out_int32", "bool", False, True),
                (None, "right", "right", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor boundaries, *, bool out_int32 = False, bool right = False)",
            (
                (0, "input", "self", "Number", False, False),
                (1, "boundaries", "boundaries", "Tensor", False, False),
                (None, "out_int32", "out_int32", "bool", False, True),
                (None, "right", "right", "bool", False, True),
            ),
        ),
    ),
    "cat": ((None, ((1, "dim", "dim", "int", False, True),)),),
    "ceil_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "celu": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "celu_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "cholesky": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "upper", "upper", "bool", False, True),
            ),
        ),
    ),
    "chunk": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "chunks", "chunks", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "clamp": (
        (
            "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "min", "min", "Tensor", True, True),
                (2, "max", "max", "Tensor", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "min", "min", "Number", True, True),
                (2, "max", "max", "Number", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "clamp_": (
        (
            "(Tensor input, Tensor min = None, Tensor max = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Tensor", True, True),
                (2, "max", "max", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number min = None, Number max = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Number", True, True),
                (2, "max", "max", "Number", True, True),
            ),
        ),
    ),
    "clamp_max": (
        (
            "(Tensor input, Tensor max, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bound", "max", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number max, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bound", "max", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "clamp_max_": (
        (
            "(Tensor input, Tensor max)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "max", "max", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number max)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "max", "max", "Number", False, False),
            ),
        ),
    ),
    "clamp_min": (
        (
            "(Tensor input, Tensor min, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bound", "min", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number min, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bound", "min", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "clamp_min_": (
        (
            "(Tensor input, Tensor min)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number min)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Number", False, False),
            ),
        ),
    ),
    "clip": (
        (
            "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "min", "min", "Tensor", True, True),
                (2, "max", "max", "Tensor", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "min", "min", "Number", True, True),
                (2, "max", "max", "Number", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "clip_": (
        (
            "(Tensor input, Tensor min = None, Tensor max = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Tensor", True, True),
                (2, "max", "max", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number min = None, Number max = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "min", "min", "Number", True, True),
                (2, "max", "max", "Number", True, True),
            ),
        ),
    ),
    "combinations": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "r", "r", "int", False, True),
                (2, "with_replacement", "with_replacement", "bool", False, True),
            ),
        ),
    ),
    "concat": ((None, ((1, "dim", "dim", "int", False, True),)),),
    "concatenate": ((None, ((1, "dim", "dim", "int", False, True),)),),
    "conj": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "conj_physical": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "conj_physical_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "conv1d": (
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of "
            "ints padding = 0, tuple of ints dilation = 1, int groups = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, str "
            'padding = "valid", tuple of ints dilation = 1, int groups = 1)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "str", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
    ),
    "conv2d": (
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of "
            "ints padding = 0, tuple of ints dilation = 1, int groups = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, str "
            'padding = "valid", tuple of ints dilation = 1, int groups = 1)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "str", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
    ),
    "conv3d": (
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of "
            "ints padding = 0, tuple of ints dilation = 1, int groups = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
        (
            "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, str "
            'padding = "valid", tuple of ints dilation = 1, int groups = 1)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "str", False, True),
                (5, "dilation", "dilation", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
            ),
        ),
    ),
    "conv_transpose1d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "output_padding", "output_padding", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
                (7, "dilation", "dilation", "tuple of ints", False, True),
            ),
        ),
    ),
    "conv_transpose2d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "output_padding", "output_padding", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
                (7, "dilation", "dilation", "tuple of ints", False, True),
            ),
        ),
    ),
    "conv_transpose3d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, True),
                (4, "padding", "padding", "tuple of ints", False, True),
                (5, "output_padding", "output_padding", "tuple of ints", False, True),
                (6, "groups", "groups", "int", False, True),
                (7, "dilation", "dilation", "tuple of ints", False, True),
            ),
        ),
    ),
    "convolution": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
                (2, "bias", "bias", "Tensor", True, True),
                (3, "stride", "stride", "tuple of ints", False, False),
                (4, "padding", "padding", "tuple of ints", False, False),
                (5, "dilation", "dilation", "tuple of ints", False, False),
                (6, "transposed", "transposed", "bool", False, False),
                (7, "output_padding", "output_padding", "tuple of ints", False, False),
                (8, "groups", "groups", "int", False, False),
            ),
        ),
    ),
    "copysign": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "corrcoef": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "cos_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "cosh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "count_nonzero": (
        (
            "(Tensor input, int dim = None)",
            ((0, "input", "input", "Tensor", False, False), (1, "dim", "dim", "int", True, True)),
        ),
        (
            "(Tensor input, tuple of ints dim)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
            ),
        ),
    ),
    "cov": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "correction", "correction", "int", False, True),
                (None, "fweights", "fweights", "Tensor", True, True),
                (None, "aweights", "aweights", "Tensor", True, True),
            ),
        ),
    ),
    "cross": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
            ),
        ),
    ),
    "cummax": (
        (
            None,
            ((0, "input", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "cummin": (
        (
            None,
            ((0, "input", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "cumulative_trapezoid": (
        (
            "(Tensor y, Tensor x, *, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (1, "x", "x", "Tensor", False, False),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor y, *, Number dx = 1, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (None, "dx", "dx", "Number", False, True),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "deg2rad_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "detach": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "detach_": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "diag": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "diagonal", "diagonal", "int", False, True),
            ),
        ),
    ),
    "diag_embed": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "offset", "offset", "int", False, True),
                (2, "dim1", "dim1", "int", False, True),
                (3, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "diagflat": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "offset", "offset", "int", False, True),
            ),
        ),
    ),
    "diagonal_scatter": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "src", "src", "Tensor", False, False),
                (2, "offset", "offset", "int", False, True),
                (3, "dim1", "dim1", "int", False, True),
                (4, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "diff": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "n", "n", "int", False, True),
                (2, "dim", "dim", "int", False, True),
                (3, "prepend", "prepend", "Tensor", True, True),
                (4, "append", "append", "Tensor", True, True),
            ),
        ),
    ),
    "div": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, str rounding_mode)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "divide": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, str rounding_mode)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "dsplit": (
        (
            "(Tensor input, int sections)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "sections", "int", False, False),
            ),
        ),
        (
            "(Tensor input, tuple of ints indices)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "indices", "tuple of ints", False, False),
            ),
        ),
    ),
    "empty_permuted": (
        (
            None,
            (
                (0, "size", "size", "tuple of ints", False, False),
                (1, "physical_layout", "physical_layout", "tuple of ints", False, False),
                (None, "pin_memory", "pin_memory", "bool", True, True),
            ),
        ),
    ),
    "empty_strided": (
        (
            None,
            (
                (0, "size", "size", "tuple of ints", False, False),
                (1, "stride", "stride", "tuple of ints", False, False),
                (None, "pin_memory", "pin_memory", "bool", True, True),
            ),
        ),
    ),
    "equal": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "erf_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "erfc_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "exp2_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "exp_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "expm1_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "fill": (
        (
            "(Tensor input, Tensor value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "fill_": (
        (
            "(Tensor input, Tensor value)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number value)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "fix_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "flatten": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "start_dim", "start_dim", "int", False, True),
                (2, "end_dim", "end_dim", "int", False, True),
            ),
        ),
    ),
    "fliplr": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "flipud": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "float_power": (
        (
            "(Tensor input, Tensor exponent, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "exponent", "exponent", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor exponent, *, Tensor out = None)",
            (
                (0, "input", "self", "Number", False, False),
                (1, "exponent", "exponent", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number exponent, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "exponent", "exponent", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "floor_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "floor_divide": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
            ),
        ),
    ),
    "frac_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "frobenius_norm": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "from_file": (
        (
            None,
            (
                (1, "shared", "shared", "bool", True, True),
                (2, "size", "size", "int", True, True),
                (None, "pin_memory", "pin_memory", "bool", True, True),
            ),
        ),
    ),
    "gather": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (None, "sparse_grad", "sparse_grad", "bool", False, True),
            ),
        ),
    ),
    "gcd_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "ger": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "vec2", "vec2", "Tensor", False, False),
            ),
        ),
    ),
    "get_device": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "gradient": (
        (
            "(Tensor input, *, tuple of ints dim, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "dim", "dim", "tuple of ints", False, False),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, Number spacing, tuple of ints dim, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "Number", True, False),
                (None, "dim", "dim", "tuple of ints", True, False),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, Number spacing = None, int dim = None, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "Number", True, True),
                (None, "dim", "dim", "int", True, True),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, tuple of Scalars spacing, int dim = None, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "tuple of Scalars", True, False),
                (None, "dim", "dim", "int", True, True),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, tuple of Scalars spacing, tuple of ints dim, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "tuple of Scalars", True, False),
                (None, "dim", "dim", "tuple of ints", True, False),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, tuple of Tensors spacing, int dim = None, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "tuple of Tensors", True, False),
                (None, "dim", "dim", "int", True, True),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
        (
            "(Tensor input, *, tuple of Tensors spacing, tuple of ints dim, int edge_order = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "spacing", "spacing", "tuple of Tensors", True, False),
                (None, "dim", "dim", "tuple of ints", True, False),
                (None, "edge_order", "edge_order", "int", False, True),
            ),
        ),
    ),
    "hash_tensor": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
                (None, "mode", "mode", "int", False, True),
            ),
        ),
    ),
    "heaviside": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "values", "values", "Tensor", False, False),
            ),
        ),
    ),
    "histc": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "int", False, True),
                (2, "min", "min", "Number", False, True),
                (3, "max", "max", "Number", False, True),
            ),
        ),
    ),
    "histogram": (
        (
            "(Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, tuple "
            "of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "Tensor", False, False),
                (None, "weight", "weight", "Tensor", True, True),
                (None, "density", "density", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
        (
            "(Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight = "
            "None, bool density = False, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "int", False, True),
                (None, "range", "range", "tuple of floats", True, True),
                (None, "weight", "weight", "Tensor", True, True),
                (None, "density", "density", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "histogramdd": (
        (
            "(Tensor input, int bins, tuple of floats range = None, Tensor weight = None, "
            "bool density = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "int", False, False),
                (2, "range", "range", "tuple of floats", True, True),
                (3, "weight", "weight", "Tensor", True, True),
                (4, "density", "density", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints bins, tuple of floats range = None, Tensor weight "
            "= None, bool density = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "tuple of ints", False, False),
                (2, "range", "range", "tuple of floats", True, True),
                (3, "weight", "weight", "Tensor", True, True),
                (4, "density", "density", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, tuple of Tensors bins, tuple of floats range = None, Tensor "
            "weight = None, bool density = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "bins", "bins", "tuple of Tensors", False, False),
                (2, "range", "range", "tuple of floats", True, True),
                (3, "weight", "weight", "Tensor", True, True),
                (4, "density", "density", "bool", False, True),
            ),
        ),
    ),
    "hsplit": (
        (
            "(Tensor input, int sections)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "sections", "int", False, False),
            ),
        ),
        (
            "(Tensor input, tuple of ints indices)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "indices", "tuple of ints", False, False),
            ),
        ),
    ),
    "i0_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "igamma": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "igammac": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "imag": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "index_add": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "index_copy": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
            ),
        ),
    ),
    "index_fill": (
        (
            "(Tensor input, int dim, Tensor index, Tensor value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, int dim, Tensor index, Number value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "index_reduce": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
                (None, "include_self", "include_self", "bool", False, True),
            ),
        ),
    ),
    "index_select": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
            ),
        ),
    ),
    "inner": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "is_complex": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_conj": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_distributed": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_inference": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_neg": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_nonzero": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "is_same_size": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "is_signed": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "isin": (
        (
            "(Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = "
            "False, Tensor out = None)",
            (
                (0, "elements", "elements", "Tensor", False, False),
                (1, "test_elements", "test_elements", "Tensor", False, False),
                (None, "assume_unique", "assume_unique", "bool", False, True),
                (None, "invert", "invert", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = "
            "False, Tensor out = None)",
            (
                (0, "elements", "element", "Number", False, False),
                (1, "test_elements", "test_elements", "Tensor", False, False),
                (None, "assume_unique", "assume_unique", "bool", False, True),
                (None, "invert", "invert", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = "
            "False, Tensor out = None)",
            (
                (0, "elements", "elements", "Tensor", False, False),
                (1, "test_elements", "test_element", "Number", False, False),
                (None, "assume_unique", "assume_unique", "bool", False, True),
                (None, "invert", "invert", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "kron": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "kthvalue": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "k", "k", "int", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "lcm": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "lcm_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "ldexp_": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "lerp": (
        (
            "(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor end, Number weight, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "log10_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "log1p_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "log2_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "log_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "logdet": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "lu_solve": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "LU_data", "LU_data", "Tensor", False, False),
                (2, "LU_pivots", "LU_pivots", "Tensor", False, False),
            ),
        ),
    ),
    "lu_unpack": (
        (
            None,
            (
                (0, "LU_data", "LU_data", "Tensor", False, False),
                (1, "LU_pivots", "LU_pivots", "Tensor", False, False),
                (2, "unpack_data", "unpack_data", "bool", False, True),
                (3, "unpack_pivots", "unpack_pivots", "bool", False, True),
            ),
        ),
    ),
    "masked_fill": (
        (
            "(Tensor input, Tensor mask, Tensor value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Tensor mask, Number value)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "masked_scatter": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "mask", "mask", "Tensor", False, False),
                (2, "source", "source", "Tensor", False, False),
            ),
        ),
    ),
    "masked_select": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "mask", "mask", "Tensor", False, False),
            ),
        ),
    ),
    "matmul": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "max": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "max_pool2d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "kernel_size", "kernel_size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", True, True),
                (3, "padding", "padding", "tuple of ints", False, True),
                (4, "dilation", "dilation", "tuple of ints", False, True),
                (5, "ceil_mode", "ceil_mode", "bool", False, True),
            ),
        ),
    ),
    "max_pool3d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "kernel_size", "kernel_size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", True, True),
                (3, "padding", "padding", "tuple of ints", False, True),
                (4, "dilation", "dilation", "tuple of ints", False, True),
                (5, "ceil_mode", "ceil_mode", "bool", False, True),
            ),
        ),
    ),
    "mean": (
        (
            "(Tensor input, *, torch.dtype dtype = None, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "dtype", "dtype", "torch.dtype", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
            "Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "median": (
        ("(Tensor input)", ((0, "input", "input", "Tensor", False, False),)),
        (
            "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "min": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "mode": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "moveaxis": (
        (
            "(Tensor input, int source, int destination)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "source", "source", "int", False, False),
                (2, "destination", "destination", "int", False, False),
            ),
        ),
        (
            "(Tensor input, tuple of ints source, tuple of ints destination)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "source", "source", "tuple of ints", False, False),
                (2, "destination", "destination", "tuple of ints", False, False),
            ),
        ),
    ),
    "movedim": (
        (
            "(Tensor input, int source, int destination)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "source", "source", "int", False, False),
                (2, "destination", "destination", "int", False, False),
            ),
        ),
        (
            "(Tensor input, tuple of ints source, tuple of ints destination)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "source", "source", "tuple of ints", False, False),
                (2, "destination", "destination", "tuple of ints", False, False),
            ),
        ),
    ),
    "msort": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "multinomial": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "num_samples", "num_samples", "int", False, False),
                (2, "replacement", "replacement", "bool", False, True),
            ),
        ),
    ),
    "nanmean": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "nanmedian": (
        ("(Tensor input)", ((0, "input", "input", "Tensor", False, False),)),
        (
            "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "nanquantile": (
        (
            "(Tensor input, Tensor q, int dim = None, bool keepdim = False, *, str "
            'interpolation = "linear", Tensor out = None)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "q", "q", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, float q, int dim = None, bool keepdim = False, *, str "
            'interpolation = "linear", Tensor out = None)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "q", "q", "float", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "nansum": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "narrow": (
        (
            "(Tensor input, int dim, Tensor start, int length)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "start", "start", "Tensor", False, False),
                (3, "length", "length", "int", False, False),
            ),
        ),
        (
            "(Tensor input, int dim, int start, int length)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "start", "start", "int", False, False),
                (3, "length", "length", "int", False, False),
            ),
        ),
    ),
    "neg_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "negative_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "nonzero": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "nonzero_static": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "size", "size", "int", False, False),
                (None, "fill_value", "fill_value", "int", False, True),
            ),
        ),
    ),
    "nuclear_norm": (
        (
            "(Tensor input, tuple of ints dim, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "outer": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "vec2", "vec2", "Tensor", False, False),
            ),
        ),
    ),
    "pinverse": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "rcond", "rcond", "float", False, True),
            ),
        ),
    ),
    "poisson": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "polygamma": (
        (None, ((0, "n", "n", "int", False, False), (1, "input", "input", "Tensor", False, False))),
    ),
    "positive": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "pow": (
        (
            "(Tensor input, Tensor exponent, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "exponent", "exponent", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor exponent, *, Tensor out = None)",
            (
                (0, "input", "self", "Number", False, False),
                (1, "exponent", "exponent", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number exponent, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "exponent", "exponent", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "prelu": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "weight", "weight", "Tensor", False, False),
            ),
        ),
    ),
    "prod": (
        (
            "(Tensor input, *, torch.dtype dtype = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "dtype", "dtype", "torch.dtype", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out "
            "= None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "put": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "index", "index", "Tensor", False, False),
                (2, "source", "source", "Tensor", False, False),
                (3, "accumulate", "accumulate", "bool", False, True),
            ),
        ),
    ),
    "qr": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "some", "some", "bool", False, True),
            ),
        ),
    ),
    "quantile": (
        (
            "(Tensor input, Tensor q, int dim = None, bool keepdim = False, *, str "
            'interpolation = "linear", Tensor out = None)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "q", "q", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, float q, int dim = None, bool keepdim = False, *, str interpolation "
            '= "linear", Tensor out = None)',
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "q", "q", "float", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "rad2deg_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "ravel": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "real": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "reciprocal_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "relu_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "repeat_interleave": (
        (
            "(Tensor input, Tensor repeats, int dim = None, *, int output_size = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "repeats", "repeats", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (None, "output_size", "output_size", "int", True, True),
            ),
        ),
        (
            "(Tensor repeats, *, int output_size = None)",
            (
                (0, "repeats", "repeats", "Tensor", False, False),
                (None, "output_size", "output_size", "int", True, True),
            ),
        ),
        (
            "(Tensor input, int repeats, int dim = None, *, int output_size = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "repeats", "repeats", "int", False, False),
                (2, "dim", "dim", "int", True, True),
                (None, "output_size", "output_size", "int", True, True),
            ),
        ),
    ),
    "reshape": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "shape", "shape", "tuple of ints", False, False),
            ),
        ),
    ),
    "resize_as_": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "the_template", "the_template", "Tensor", False, False),
            ),
        ),
    ),
    "resolve_conj": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "resolve_neg": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "roll": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "shifts", "shifts", "tuple of ints", False, False),
                (2, "dims", "dims", "tuple of ints", True, True),
            ),
        ),
    ),
    "rot90": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "k", "k", "int", False, True),
                (2, "dims", "dims", "tuple of ints", False, True),
            ),
        ),
    ),
    "round": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, *, int decimals, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "decimals", "decimals", "int", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "round_": (
        ("(Tensor input)", ((0, "self", "input", "Tensor", False, False),)),
        (
            "(Tensor input, *, int decimals)",
            (
                (0, "self", "input", "Tensor", False, False),
                (None, "decimals", "decimals", "int", False, False),
            ),
        ),
    ),
    "rrelu": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "lower", "lower", "Number", False, True),
                (2, "upper", "upper", "Number", False, True),
                (3, "training", "training", "bool", False, True),
            ),
        ),
    ),
    "rrelu_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "lower", "lower", "Number", False, True),
                (2, "upper", "upper", "Number", False, True),
                (3, "training", "training", "bool", False, True),
            ),
        ),
    ),
    "rsqrt_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "rsub": (
        (
            "(Tensor input, Tensor other, *, Number alpha = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
        (
            "(Tensor input, Number other, Number alpha = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (2, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "scatter": (
        (
            "(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "reduce", "reduce", "str", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
                (None, "reduce", "reduce", "str", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "scatter_add": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
            ),
        ),
    ),
    "scatter_reduce": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "include_self", "include_self", "bool", False, True),
            ),
        ),
    ),
    "searchsorted": (
        (
            "(Tensor sorted_sequence, Tensor input, *, bool out_int32 = False, bool right = "
            "False, str side = None, Tensor sorter = None, Tensor out = None)",
            (
                (0, "sorted_sequence", "sorted_sequence", "Tensor", False, False),
                (1, "input", "input", "Tensor", False, False),
                (None, "out_int32", "out_int32", "bool", False, True),
                (None, "right", "right", "bool", False, True),
                (None, "side", "side", "str", True, True),
                (None, "sorter", "sorter", "Tensor", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor sorted_sequence, Number self, *, bool out_int32 = False, bool right = "
            "False, str side = None, Tensor sorter = None, Tensor out = None)",
            (
                (0, "sorted_sequence", "sorted_sequence", "Tensor", False, False),
                (1, "input", "self", "Number", False, False),
                (None, "out_int32", "out_int32", "bool", False, True),
                (None, "right", "right", "bool", False, True),
                (None, "side", "side", "str", True, True),
                (None, "sorter", "sorter", "Tensor", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "segment_reduce": (
        (
            None,
            (
                (0, "data", "data", "Tensor", False, False),
                (None, "lengths", "lengths", "Tensor", True, True),
                (None, "indices", "indices", "Tensor", True, True),
                (None, "offsets", "offsets", "Tensor", True, True),
                (None, "axis", "axis", "int", False, True),
                (None, "unsafe", "unsafe", "bool", False, True),
                (None, "initial", "initial", "Number", True, True),
            ),
        ),
    ),
    "select": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "int", False, False),
            ),
        ),
    ),
    "select_scatter": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, False),
                (3, "index", "index", "int", False, False),
            ),
        ),
    ),
    "selu": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "selu_": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "sigmoid_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sin_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sinc_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sinh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "slice_inverse": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "start", "start", "int", True, True),
                (4, "end", "end", "int", True, True),
                (5, "step", "step", "int", False, True),
            ),
        ),
    ),
    "slice_scatter": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "start", "start", "int", True, True),
                (4, "end", "end", "int", True, True),
                (5, "step", "step", "int", False, True),
            ),
        ),
    ),
    "sort": (
        (
            "(Tensor input, *, bool stable, int dim = -1, bool descending = False, tuple of Tensors "
            "out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "stable", "stable", "bool", True, False),
                (None, "dim", "dim", "int", False, True),
                (None, "descending", "descending", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
        (
            "(Tensor input, int dim = -1, bool descending = False, *, tuple of Tensors out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, True),
                (2, "descending", "descending", "bool", False, True),
                (None, "out", "out", "tuple of Tensors", True, True),
            ),
        ),
    ),
    "split_with_sizes": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "split_sizes", "split_sizes", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "sqrt_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "square": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "square_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "squeeze": (
        ("(Tensor input)", ((0, "input", "input", "Tensor", False, False),)),
        (
            "(Tensor input, int dim)",
            ((0, "input", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
        (
            "(Tensor input, tuple of ints dim)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", False, False),
            ),
        ),
    ),
    "squeeze_copy": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "stack": ((None, ((1, "dim", "dim", "int", False, True),)),),
    "std": (
        (
            "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor "
            "out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = "
            "False, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, bool unbiased = True)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "unbiased", "unbiased", "bool", False, True),
            ),
        ),
    ),
    "std_mean": (
        (
            "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim "
            "= False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, bool unbiased = True)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "unbiased", "unbiased", "bool", False, True),
            ),
        ),
    ),
    "sub": (
        (
            "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "subtract": (
        (
            "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, Number alpha = 1)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (2, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "sum": (
        (
            "(Tensor input, *, torch.dtype dtype = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (None, "dtype", "dtype", "torch.dtype", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
            "Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "svd": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "some", "some", "bool", False, True),
                (2, "compute_uv", "compute_uv", "bool", False, True),
            ),
        ),
    ),
    "swapaxes": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "axis0", "axis0", "int", False, False),
                (2, "axis1", "axis1", "int", False, False),
            ),
        ),
    ),
    "t_copy": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "take": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "index", "index", "Tensor", False, False),
            ),
        ),
    ),
    "take_along_dim": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices", "indices", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
            ),
        ),
    ),
    "tan_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "tanh_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "tensor_split": (
        (
            "(Tensor input, tuple of ints indices, int dim = 0)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "indices", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor input, Tensor tensor_indices_or_sections, int dim = 0)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "tensor_indices_or_sections", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor input, int sections, int dim = 0)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "sections", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "threshold": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "threshold", "threshold", "Number", False, False),
                (2, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "threshold_": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "threshold", "threshold", "Number", False, False),
                (2, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "tile": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dims", "dims", "tuple of ints", False, False),
            ),
        ),
    ),
    "topk": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "k", "k", "int", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "largest", "largest", "bool", False, True),
                (4, "sorted", "sorted", "bool", False, True),
            ),
        ),
    ),
    "trapezoid": (
        (
            "(Tensor y, Tensor x, *, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (1, "x", "x", "Tensor", False, False),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor y, *, Number dx = 1, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (None, "dx", "dx", "Number", False, True),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "trapz": (
        (
            "(Tensor y, *, float dx = 1, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (None, "dx", "dx", "float", False, True),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor y, Tensor x, *, int dim = -1)",
            (
                (0, "y", "y", "Tensor", False, False),
                (1, "x", "x", "Tensor", False, False),
                (None, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "trunc_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "unflatten": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "sizes", "sizes", "tuple of ints", False, False),
            ),
        ),
    ),
    "unsafe_chunk": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "chunks", "chunks", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "vander": (
        (
            None,
            (
                (0, "x", "x", "Tensor", False, False),
                (1, "N", "N", "int", True, True),
                (2, "increasing", "increasing", "bool", False, True),
            ),
        ),
    ),
    "var": (
        (
            "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor "
            "out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = "
            "False, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, bool unbiased = True)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "unbiased", "unbiased", "bool", False, True),
            ),
        ),
    ),
    "var_mean": (
        (
            "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim "
            "= False)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(Tensor input, bool unbiased = True)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "unbiased", "unbiased", "bool", False, True),
            ),
        ),
    ),
    "view_as_complex_copy": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "view_as_real_copy": ((None, ((0, "input", "input", "Tensor", False, False),)),),
    "view_copy": (
        (
            "(Tensor input, torch.dtype dtype, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "dtype", "dtype", "torch.dtype", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints size, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "size", "size", "tuple of ints", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "vsplit": (
        (
            "(Tensor input, int sections)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "sections", "int", False, False),
            ),
        ),
        (
            "(Tensor input, tuple of ints indices)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "indices_or_sections", "indices", "tuple of ints", False, False),
            ),
        ),
    ),
    "where": (
        ("(Tensor condition)", ((0, "condition", "condition", "Tensor", False, False),)),
        (
            "(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "condition", "condition", "Tensor", False, False),
                (1, "input", "input", "Tensor", False, False),
                (2, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor condition, Number self, Tensor other)",
            (
                (0, "condition", "condition", "Tensor", False, False),
                (1, "input", "self", "Number", False, False),
                (2, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor condition, Tensor input, Number other)",
            (
                (0, "condition", "condition", "Tensor", False, False),
                (1, "input", "input", "Tensor", False, False),
                (2, "other", "other", "Number", False, False),
            ),
        ),
        (
            "(Tensor condition, Number self, Number other)",
            (
                (0, "condition", "condition", "Tensor", False, False),
                (1, "input", "self", "Number", False, False),
                (2, "other", "other", "Number", False, False),
            ),
        ),
    ),
    "xlogy": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other, *, Tensor out = None)",
            (
                (0, "input", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "xlogy_": (
        (
            "(Tensor input, Tensor other)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
            ),
        ),
    ),
    "zero_": ((None, ((0, "self", "input", "Tensor", False, False),)),),
}

METHOD_KINDS = {
    "add_": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addbmm_": (
        (
            "(Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addcdiv": (
        (
            "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
            (
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
            ),
        ),
    ),
    "addcdiv_": (
        (
            "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
            (
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
            ),
        ),
    ),
    "addcmul_": (
        (
            "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
            (
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
            ),
        ),
    ),
    "addmm_": (
        (
            "(Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "mat1", "mat1", "Tensor", False, False),
                (2, "mat2", "mat2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addmv_": (
        (
            "(Tensor mat, Tensor vec, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "mat", "mat", "Tensor", False, False),
                (2, "vec", "vec", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addr_": (
        (
            "(Tensor vec1, Tensor vec2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "vec1", "vec1", "Tensor", False, False),
                (2, "vec2", "vec2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "allclose": (
        (
            None,
            (
                (1, "other", "other", "Tensor", False, False),
                (2, "rtol", "rtol", "float", False, True),
                (3, "atol", "atol", "float", False, True),
                (4, "equal_nan", "equal_nan", "bool", False, True),
            ),
        ),
    ),
    "aminmax": (
        (
            None,
            (
                (None, "dim", "dim", "int", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "argsort": (
        (
            "(*, bool stable, int dim = -1, bool descending = False)",
            (
                (None, "stable", "stable", "bool", False, False),
                (None, "dim", "dim", "int", False, True),
                (None, "descending", "descending", "bool", False, True),
            ),
        ),
        (
            "(int dim = -1, bool descending = False)",
            (
                (1, "dim", "dim", "int", False, True),
                (2, "descending", "descending", "bool", False, True),
            ),
        ),
    ),
    "as_strided": (
        (
            None,
            (
                (1, "size", "size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", False, False),
                (3, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "as_strided_": (
        (
            None,
            (
                (1, "size", "size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", False, False),
                (3, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "as_strided_scatter": (
        (
            None,
            (
                (1, "src", "src", "Tensor", False, False),
                (2, "size", "size", "tuple of ints", False, False),
                (3, "stride", "stride", "tuple of ints", False, False),
                (4, "storage_offset", "storage_offset", "int", True, True),
            ),
        ),
    ),
    "baddbmm_": (
        (
            "(Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "bernoulli": (
        (
            "(*, torch.Generator generator = None)",
            ((None, "generator", "generator", "torch.Generator", True, True),),
        ),
        (
            "(float p, *, torch.Generator generator = None)",
            (
                (1, "p", "p", "float", False, False),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
    ),
    "bernoulli_": (
        (
            "(Tensor p, *, torch.Generator generator = None)",
            (
                (1, "p", "p", "Tensor", False, False),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
        (
            "(float p = 0.5, *, torch.Generator generator = None)",
            (
                (1, "p", "p", "float", False, True),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
    ),
    "bincount": (
        (
            None,
            (
                (1, "weights", "weights", "Tensor", True, True),
                (2, "minlength", "minlength", "int", False, True),
            ),
        ),
    ),
    "bitwise_and_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_left_shift_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_or_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_right_shift_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_xor_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "broadcast_to": ((None, ((1, "size", "size", "tuple of ints", False, False),)),),
    "cauchy_": (
        (
            None,
            (
                (1, "median", "median", "float", False, True),
                (2, "sigma", "sigma", "float", False, True),
            ),
        ),
    ),
    "cholesky": ((None, ((1, "upper", "upper", "bool", False, True),)),),
    "chunk": (
        (
            None,
            ((1, "chunks", "chunks", "int", False, False), (2, "dim", "dim", "int", False, True)),
        ),
    ),
    "clamp": (
        (
            "(Tensor min = None, Tensor max = None)",
            ((1, "min", "min", "Tensor", True, True), (2, "max", "max", "Tensor", True, True)),
        ),
        (
            "(Number min = None, Number max = None)",
            ((1, "min", "min", "Number", True, True), (2, "max", "max", "Number", True, True)),
        ),
    ),
    "clamp_": (
        (
            "(Tensor min = None, Tensor max = None)",
            ((1, "min", "min", "Tensor", True, True), (2, "max", "max", "Tensor", True, True)),
        ),
        (
            "(Number min = None, Number max = None)",
            ((1, "min", "min", "Number", True, True), (2, "max", "max", "Number", True, True)),
        ),
    ),
    "clamp_max": (
        ("(Tensor max)", ((1, "bound", "max", "Tensor", False, False),)),
        ("(Number max)", ((1, "bound", "max", "Number", False, False),)),
    ),
    "clamp_max_": (
        ("(Tensor max)", ((1, "max", "max", "Tensor", False, False),)),
        ("(Number max)", ((1, "max", "max", "Number", False, False),)),
    ),
    "clamp_min": (
        ("(Tensor min)", ((1, "bound", "min", "Tensor", False, False),)),
        ("(Number min)", ((1, "bound", "min", "Number", False, False),)),
    ),
    "clamp_min_": (
        ("(Tensor min)", ((1, "min", "min", "Tensor", False, False),)),
        ("(Number min)", ((1, "min", "min", "Number", False, False),)),
    ),
    "clip": (
        (
            "(Tensor min = None, Tensor max = None)",
            ((1, "min", "min", "Tensor", True, True), (2, "max", "max", "Tensor", True, True)),
        ),
        (
            "(Number min = None, Number max = None)",
            ((1, "min", "min", "Number", True, True), (2, "max", "max", "Number", True, True)),
        ),
    ),
    "clip_": (
        (
            "(Tensor min = None, Tensor max = None)",
            ((1, "min", "min", "Tensor", True, True), (2, "max", "max", "Tensor", True, True)),
        ),
        (
            "(Number min = None, Number max = None)",
            ((1, "min", "min", "Number", True, True), (2, "max", "max", "Number", True, True)),
        ),
    ),
    "copy_": (
        (
            "(Tensor other, bool non_blocking = False)",
            (
                (1, "src", "other", "Tensor", False, False),
                (2, "non_blocking", "non_blocking", "bool", False, True),
            ),
        ),
    ),
    "copysign": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "copysign_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "count_nonzero": (
        ("(int dim = None)", ((1, "dim", "dim", "int", True, True),)),
        ("(tuple of ints dim)", ((1, "dim", "dim", "tuple of ints", True, False),)),
    ),
    "cov": (
        (
            None,
            (
                (None, "correction", "correction", "int", False, True),
                (None, "fweights", "fweights", "Tensor", True, True),
                (None, "aweights", "aweights", "Tensor", True, True),
            ),
        ),
    ),
    "cross": (
        (
            None,
            ((1, "other", "other", "Tensor", False, False), (2, "dim", "dim", "int", True, True)),
        ),
    ),
    "cummax": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "cummin": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "diag": ((None, ((1, "diagonal", "diagonal", "int", False, True),)),),
    "diag_embed": (
        (
            None,
            (
                (1, "offset", "offset", "int", False, True),
                (2, "dim1", "dim1", "int", False, True),
                (3, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "diagflat": ((None, ((1, "offset", "offset", "int", False, True),)),),
    "diagonal_scatter": (
        (
            None,
            (
                (1, "src", "src", "Tensor", False, False),
                (2, "offset", "offset", "int", False, True),
                (3, "dim1", "dim1", "int", False, True),
                (4, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "diff": (
        (
            None,
            (
                (1, "n", "n", "int", False, True),
                (2, "dim", "dim", "int", False, True),
                (3, "prepend", "prepend", "Tensor", True, True),
                (4, "append", "append", "Tensor", True, True),
            ),
        ),
    ),
    "div": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        (
            "(Tensor other, *, str rounding_mode)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
        (
            "(Number other, *, str rounding_mode)",
            (
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "div_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        (
            "(Tensor other, *, str rounding_mode)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
        (
            "(Number other, *, str rounding_mode)",
            (
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "divide": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        (
            "(Tensor other, *, str rounding_mode)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
        (
            "(Number other, *, str rounding_mode)",
            (
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "divide_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        (
            "(Tensor other, *, str rounding_mode)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
        (
            "(Number other, *, str rounding_mode)",
            (
                (1, "other", "other", "Number", False, False),
                (None, "rounding_mode", "rounding_mode", "str", True, False),
            ),
        ),
    ),
    "dsplit": (
        ("(int sections)", ((1, "indices_or_sections", "sections", "int", False, False),)),
        (
            "(tuple of ints indices)",
            ((1, "indices_or_sections", "indices", "tuple of ints", False, False),),
        ),
    ),
    "eq_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "equal": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "expand_as": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "exponential_": ((None, ((1, "lambd", "lambd", "float", False, True),)),),
    "fill_": (
        ("(Tensor value)", ((1, "value", "value", "Tensor", False, False),)),
        ("(Number value)", ((1, "value", "value", "Number", False, False),)),
    ),
    "fill_diagonal_": (
        (
            None,
            (
                (1, "fill_value", "fill_value", "Number", False, False),
                (2, "wrap", "wrap", "bool", False, True),
            ),
        ),
    ),
    "flatten": (
        (
            None,
            (
                (1, "start_dim", "start_dim", "int", False, True),
                (2, "end_dim", "end_dim", "int", False, True),
            ),
        ),
    ),
    "float_power": (
        ("(Tensor exponent)", ((1, "exponent", "exponent", "Tensor", False, False),)),
        ("(Number exponent)", ((1, "exponent", "exponent", "Number", False, False),)),
    ),
    "float_power_": (
        ("(Tensor exponent)", ((1, "exponent", "exponent", "Tensor", False, False),)),
        ("(Number exponent)", ((1, "exponent", "exponent", "Number", False, False),)),
    ),
    "floor_divide": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "floor_divide_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "fmod_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "gather": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (None, "sparse_grad", "sparse_grad", "bool", False, True),
            ),
        ),
    ),
    "gcd_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "ge_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "geometric_": ((None, ((1, "p", "p", "float", False, False),)),),
    "ger": ((None, ((1, "vec2", "vec2", "Tensor", False, False),)),),
    "greater_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "greater_equal_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "gt_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "hash_tensor": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
                (None, "mode", "mode", "int", False, True),
            ),
        ),
    ),
    "heaviside": ((None, ((1, "values", "values", "Tensor", False, False),)),),
    "histc": (
        (
            None,
            (
                (1, "bins", "bins", "int", False, True),
                (2, "min", "min", "Number", False, True),
                (3, "max", "max", "Number", False, True),
            ),
        ),
    ),
    "histogram": (
        (
            "(Tensor bins, *, Tensor weight = None, bool density = False)",
            (
                (1, "bins", "bins", "Tensor", False, False),
                (None, "weight", "weight", "Tensor", True, True),
                (None, "density", "density", "bool", False, True),
            ),
        ),
        (
            "(int bins = 100, *, tuple of floats range = None, Tensor weight = None, bool "
            "density = False)",
            (
                (1, "bins", "bins", "int", False, True),
                (None, "range", "range", "tuple of floats", True, True),
                (None, "weight", "weight", "Tensor", True, True),
                (None, "density", "density", "bool", False, True),
            ),
        ),
    ),
    "hsplit": (
        ("(int sections)", ((1, "indices_or_sections", "sections", "int", False, False),)),
        (
            "(tuple of ints indices)",
            ((1, "indices_or_sections", "indices", "tuple of ints", False, False),),
        ),
    ),
    "igamma": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "igammac": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "index_add": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "index_copy": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
            ),
        ),
    ),
    "index_fill": (
        (
            "(int dim, Tensor index, Tensor value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "index_fill_": (
        (
            "(int dim, Tensor index, Tensor value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "index_reduce": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "source", "source", "Tensor", False, False),
                (None, "include_self", "include_self", "bool", False, True),
            ),
        ),
    ),
    "index_select": (
        (
            None,
            ((1, "dim", "dim", "int", False, False), (2, "index", "index", "Tensor", False, False)),
        ),
    ),
    "inner": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "is_same_size": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "is_set_to": ((None, ((1, "tensor", "tensor", "Tensor", False, False),)),),
    "kron": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "kthvalue": (
        (
            None,
            (
                (1, "k", "k", "int", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "lcm": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "lcm_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "ldexp_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "le_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "lerp": (
        (
            "(Tensor end, Tensor weight)",
            (
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor end, Number weight)",
            (
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Number", False, False),
            ),
        ),
    ),
    "lerp_": (
        (
            "(Tensor end, Tensor weight)",
            (
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor end, Number weight)",
            (
                (1, "end", "end", "Tensor", False, False),
                (2, "weight", "weight", "Number", False, False),
            ),
        ),
    ),
    "less_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "less_equal_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "log_normal_": (
        (
            None,
            ((1, "mean", "mean", "float", False, True), (2, "std", "std", "float", False, True)),
        ),
    ),
    "logical_and_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logical_or_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logical_xor_": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "lt_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "lu_solve": (
        (
            None,
            (
                (1, "LU_data", "LU_data", "Tensor", False, False),
                (2, "LU_pivots", "LU_pivots", "Tensor", False, False),
            ),
        ),
    ),
    "masked_fill": (
        (
            "(Tensor mask, Tensor value)",
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor mask, Number value)",
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "masked_fill_": (
        (
            "(Tensor mask, Tensor value)",
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor mask, Number value)",
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "value", "value", "Number", False, False),
            ),
        ),
    ),
    "masked_scatter": (
        (
            None,
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "source", "source", "Tensor", False, False),
            ),
        ),
    ),
    "masked_scatter_": (
        (
            None,
            (
                (1, "mask", "mask", "Tensor", False, False),
                (2, "source", "source", "Tensor", False, False),
            ),
        ),
    ),
    "masked_select": ((None, ((1, "mask", "mask", "Tensor", False, False),)),),
    "matmul": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "matrix_power": ((None, ((1, "n", "n", "int", False, False),)),),
    "max": (
        ("()", ()),
        ("(Tensor other)", ((1, "dim", "other", "Tensor", False, False),)),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "mean": (
        ("(*, torch.dtype dtype = None)", ((None, "dtype", "dtype", "torch.dtype", True, True),)),
        (
            "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)",
            (
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
            ),
        ),
    ),
    "median": (
        ("()", ()),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "min": (
        ("()", ()),
        ("(Tensor other)", ((1, "dim", "other", "Tensor", False, False),)),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "mode": (
        (
            None,
            ((1, "dim", "dim", "int", False, True), (2, "keepdim", "keepdim", "bool", False, True)),
        ),
    ),
    "moveaxis": (
        (
            "(int source, int destination)",
            (
                (1, "source", "source", "int", False, False),
                (2, "destination", "destination", "int", False, False),
            ),
        ),
        (
            "(tuple of ints source, tuple of ints destination)",
            (
                (1, "source", "source", "tuple of ints", False, False),
                (2, "destination", "destination", "tuple of ints", False, False),
            ),
        ),
    ),
    "movedim": (
        (
            "(int source, int destination)",
            (
                (1, "source", "source", "int", False, False),
                (2, "destination", "destination", "int", False, False),
            ),
        ),
        (
            "(tuple of ints source, tuple of ints destination)",
            (
                (1, "source", "source", "tuple of ints", False, False),
                (2, "destination", "destination", "tuple of ints", False, False),
            ),
        ),
    ),
    "multinomial": (
        (
            None,
            (
                (1, "num_samples", "num_samples", "int", False, False),
                (2, "replacement", "replacement", "bool", False, True),
            ),
        ),
    ),
    "multiply_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "nanmean": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "nanmedian": (
        ("()", ()),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "nanquantile": (
        (
            '(Tensor q, int dim = None, bool keepdim = False, *, str interpolation = "linear")',
            (
                (1, "q", "q", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
            ),
        ),
        (
            '(float q, int dim = None, bool keepdim = False, *, str interpolation = "linear")',
            (
                (1, "q", "q", "float", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
            ),
        ),
    ),
    "nansum": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "narrow": (
        (
            "(int dim, Tensor start, int length)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "start", "start", "Tensor", False, False),
                (3, "length", "length", "int", False, False),
            ),
        ),
        (
            "(int dim, int start, int length)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "start", "start", "int", False, False),
                (3, "length", "length", "int", False, False),
            ),
        ),
    ),
    "ne_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "new_empty_strided": (
        (
            None,
            (
                (1, "size", "size", "tuple of ints", False, False),
                (2, "stride", "stride", "tuple of ints", False, False),
                (None, "pin_memory", "pin_memory", "bool", True, True),
            ),
        ),
    ),
    "nonzero": (
        ("()", ()),
        ("(*, bool as_tuple)", ((None, "as_tuple", "as_tuple", "bool", False, False),)),
    ),
    "nonzero_static": (
        (
            None,
            (
                (None, "size", "size", "int", False, False),
                (None, "fill_value", "fill_value", "int", False, True),
            ),
        ),
    ),
    "normal_": (
        (
            None,
            ((1, "mean", "mean", "float", False, True), (2, "std", "std", "float", False, True)),
        ),
    ),
    "not_equal_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "outer": ((None, ((1, "vec2", "vec2", "Tensor", False, False),)),),
    "pinverse": ((None, ((1, "rcond", "rcond", "float", False, True),)),),
    "polygamma_": ((None, ((1, "n", "n", "int", False, False),)),),
    "pow": (
        ("(Tensor exponent)", ((1, "exponent", "exponent", "Tensor", False, False),)),
        ("(Number exponent)", ((1, "exponent", "exponent", "Number", False, False),)),
    ),
    "pow_": (
        ("(Tensor exponent)", ((1, "exponent", "exponent", "Tensor", False, False),)),
        ("(Number exponent)", ((1, "exponent", "exponent", "Number", False, False),)),
    ),
    "prelu": ((None, ((1, "weight", "weight", "Tensor", False, False),)),),
    "prod": (
        ("(*, torch.dtype dtype = None)", ((None, "dtype", "dtype", "torch.dtype", True, True),)),
        (
            "(int dim, bool keepdim = False, *, torch.dtype dtype = None)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
            ),
        ),
    ),
    "put": (
        (
            None,
            (
                (1, "index", "index", "Tensor", False, False),
                (2, "source", "source", "Tensor", False, False),
                (3, "accumulate", "accumulate", "bool", False, True),
            ),
        ),
    ),
    "qr": ((None, ((1, "some", "some", "bool", False, True),)),),
    "quantile": (
        (
            '(Tensor q, int dim = None, bool keepdim = False, *, str interpolation = "linear")',
            (
                (1, "q", "q", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
            ),
        ),
        (
            '(float q, int dim = None, bool keepdim = False, *, str interpolation = "linear")',
            (
                (1, "q", "q", "float", False, False),
                (2, "dim", "dim", "int", True, True),
                (3, "keepdim", "keepdim", "bool", False, True),
                (None, "interpolation", "interpolation", "str", False, True),
            ),
        ),
    ),
    "random_": (
        (
            "(*, torch.Generator generator = None)",
            ((None, "generator", "generator", "torch.Generator", True, True),),
        ),
        (
            "(int from, int to, *, torch.Generator generator = None)",
            (
                (1, "from_", "from", "int", False, False),
                (2, "to", "to", "int", True, False),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
        (
            "(int to, *, torch.Generator generator = None)",
            (
                (1, "to", "to", "int", False, False),
                (None, "generator", "generator", "torch.Generator", True, True),
            ),
        ),
    ),
    "remainder_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "repeat_interleave": (
        (
            "(Tensor repeats, int dim = None, *, int output_size = None)",
            (
                (1, "repeats", "repeats", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
                (None, "output_size", "output_size", "int", True, True),
            ),
        ),
        (
            "(int repeats, int dim = None, *, int output_size = None)",
            (
                (1, "repeats", "repeats", "int", False, False),
                (2, "dim", "dim", "int", True, True),
                (None, "output_size", "output_size", "int", True, True),
            ),
        ),
    ),
    "reshape_as": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "resize_as_": ((None, ((1, "the_template", "the_template", "Tensor", False, False),)),),
    "roll": (
        (
            None,
            (
                (1, "shifts", "shifts", "tuple of ints", False, False),
                (2, "dims", "dims", "tuple of ints", True, True),
            ),
        ),
    ),
    "rot90": (
        (
            None,
            ((1, "k", "k", "int", False, True), (2, "dims", "dims", "tuple of ints", False, True)),
        ),
    ),
    "round": (
        ("()", ()),
        ("(*, int decimals)", ((None, "decimals", "decimals", "int", False, False),)),
    ),
    "round_": (
        ("()", ()),
        ("(*, int decimals)", ((None, "decimals", "decimals", "int", False, False),)),
    ),
    "scatter": (
        (
            "(int dim, Tensor index, Tensor src)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Tensor src, *, str reduce)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "reduce", "reduce", "str", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value, *, str reduce)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
                (None, "reduce", "reduce", "str", False, False),
            ),
        ),
    ),
    "scatter_": (
        (
            "(int dim, Tensor index, Tensor src)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Tensor src, *, str reduce)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "reduce", "reduce", "str", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
            ),
        ),
        (
            "(int dim, Tensor index, Number value, *, str reduce)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "value", "value", "Number", False, False),
                (None, "reduce", "reduce", "str", False, False),
            ),
        ),
    ),
    "scatter_add": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
            ),
        ),
    ),
    "scatter_reduce": (
        (
            None,
            (
                (1, "dim", "dim", "int", False, False),
                (2, "index", "index", "Tensor", False, False),
                (3, "src", "src", "Tensor", False, False),
                (None, "include_self", "include_self", "bool", False, True),
            ),
        ),
    ),
    "select": (
        (
            None,
            ((1, "dim", "dim", "int", False, False), (2, "index", "index", "int", False, False)),
        ),
    ),
    "select_scatter": (
        (
            None,
            (
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, False),
                (3, "index", "index", "int", False, False),
            ),
        ),
    ),
    "set_": (
        ("()", ()),
        ("(torch.Storage source)", ((1, "source", "source", "torch.Storage", False, False),)),
        (
            "(torch.Storage source, int storage_offset, tuple of ints size, tuple of ints stride = "
            "None)",
            (
                (1, "source", "source", "torch.Storage", False, False),
                (2, "storage_offset", "storage_offset", "int", False, False),
                (3, "size", "size", "tuple of ints", False, False),
                (4, "stride", "stride", "tuple of ints", True, True),
            ),
        ),
        ("(Tensor source)", ((1, "source", "source", "Tensor", False, False),)),
        (
            "(Tensor source, int storage_offset, tuple of ints size, tuple of ints stride = None)",
            (
                (1, "source", "source", "Tensor", False, False),
                (2, "storage_offset", "storage_offset", "int", False, False),
                (3, "size", "size", "tuple of ints", False, False),
                (4, "stride", "stride", "tuple of ints", True, True),
            ),
        ),
    ),
    "slice_inverse": (
        (
            None,
            (
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "start", "start", "int", True, True),
                (4, "end", "end", "int", True, True),
                (5, "step", "step", "int", False, True),
            ),
        ),
    ),
    "slice_scatter": (
        (
            None,
            (
                (1, "src", "src", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "start", "start", "int", True, True),
                (4, "end", "end", "int", True, True),
                (5, "step", "step", "int", False, True),
            ),
        ),
    ),
    "sort": (
        (
            "(*, bool stable, int dim = -1, bool descending = False)",
            (
                (None, "stable", "stable", "bool", True, False),
                (None, "dim", "dim", "int", False, True),
                (None, "descending", "descending", "bool", False, True),
            ),
        ),
        (
            "(int dim = -1, bool descending = False)",
            (
                (1, "dim", "dim", "int", False, True),
                (2, "descending", "descending", "bool", False, True),
            ),
        ),
    ),
    "split_with_sizes": (
        (
            None,
            (
                (1, "split_sizes", "split_sizes", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "squeeze": (
        ("()", ()),
        ("(int dim)", ((1, "dim", "dim", "int", False, False),)),
        ("(tuple of ints dim)", ((1, "dim", "dim", "tuple of ints", False, False),)),
    ),
    "squeeze_": (
        ("()", ()),
        ("(int dim)", ((1, "dim", "dim", "int", False, False),)),
        ("(tuple of ints dim)", ((1, "dim", "dim", "tuple of ints", False, False),)),
    ),
    "std": (
        (
            "(tuple of ints dim, bool unbiased = True, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        ("(bool unbiased = True)", ((1, "unbiased", "unbiased", "bool", False, True),)),
    ),
    "sub": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "sub_": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "subtract": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
        (
            "(Number other, Number alpha = 1)",
            (
                (1, "other", "other", "Number", False, False),
                (2, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "subtract_": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
        (
            "(Number other, Number alpha = 1)",
            (
                (1, "other", "other", "Number", False, False),
                (2, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "sum": (
        ("(*, torch.dtype dtype = None)", ((None, "dtype", "dtype", "torch.dtype", True, True),)),
        (
            "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)",
            (
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "dtype", "dtype", "torch.dtype", True, True),
            ),
        ),
    ),
    "svd": (
        (
            None,
            (
                (1, "some", "some", "bool", False, True),
                (2, "compute_uv", "compute_uv", "bool", False, True),
            ),
        ),
    ),
    "swapaxes": (
        (
            None,
            (
                (1, "axis0", "axis0", "int", False, False),
                (2, "axis1", "axis1", "int", False, False),
            ),
        ),
    ),
    "swapdims_": (
        (
            None,
            ((1, "dim0", "dim0", "int", False, False), (2, "dim1", "dim1", "int", False, False)),
        ),
    ),
    "take": ((None, ((1, "index", "index", "Tensor", False, False),)),),
    "take_along_dim": (
        (
            None,
            (
                (1, "indices", "indices", "Tensor", False, False),
                (2, "dim", "dim", "int", True, True),
            ),
        ),
    ),
    "tensor_split": (
        (
            "(tuple of ints indices, int dim = 0)",
            (
                (1, "indices_or_sections", "indices", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor tensor_indices_or_sections, int dim = 0)",
            (
                (1, "indices_or_sections", "tensor_indices_or_sections", "Tensor", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(int sections, int dim = 0)",
            (
                (1, "indices_or_sections", "sections", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "to": (
        (
            "(torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool "
            "copy = False, *, torch.memory_format memory_format = None)",
            (
                (1, "device", "device", "torch.device", True, True),
                (2, "dtype", "dtype", "torch.dtype", True, True),
                (3, "non_blocking", "non_blocking", "bool", False, True),
                (4, "copy", "copy", "bool", False, True),
                (None, "memory_format", "memory_format", "torch.memory_format", True, True),
            ),
        ),
        (
            "(torch.dtype dtype, bool non_blocking = False, bool copy = False, *, torch.memory_format "
            "memory_format = None)",
            (
                (1, "dtype", "dtype", "torch.dtype", False, False),
                (2, "non_blocking", "non_blocking", "bool", False, True),
                (3, "copy", "copy", "bool", False, True),
                (None, "memory_format", "memory_format", "torch.memory_format", True, True),
            ),
        ),
        (
            "(Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format "
            "memory_format = None)",
            (
                (1, "tensor", "tensor", "Tensor", False, False),
                (2, "non_blocking", "non_blocking", "bool", False, True),
                (3, "copy", "copy", "bool", False, True),
                (None, "memory_format", "memory_format", "torch.memory_format", True, True),
            ),
        ),
    ),
    "topk": (
        (
            None,
            (
                (1, "k", "k", "int", False, False),
                (2, "dim", "dim", "int", False, True),
                (3, "largest", "largest", "bool", False, True),
                (4, "sorted", "sorted", "bool", False, True),
            ),
        ),
    ),
    "transpose_": (
        (
            None,
            ((1, "dim0", "dim0", "int", False, False), (2, "dim1", "dim1", "int", False, False)),
        ),
    ),
    "true_divide_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "unsafe_chunk": (
        (
            None,
            ((1, "chunks", "chunks", "int", False, False), (2, "dim", "dim", "int", False, True)),
        ),
    ),
    "unsqueeze_": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "var": (
        (
            "(tuple of ints dim, bool unbiased = True, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, False),
                (2, "unbiased", "unbiased", "bool", False, True),
                (3, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (None, "correction", "correction", "Number", True, True),
                (None, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        ("(bool unbiased = True)", ((1, "unbiased", "unbiased", "bool", False, True),)),
    ),
    "view": (
        ("(torch.dtype dtype)", ((1, "dtype", "dtype", "torch.dtype", False, False),)),
        ("(tuple of ints size)", ((1, "size", "size", "tuple of ints", False, False),)),
    ),
    "view_as": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "vsplit": (
        ("(int sections)", ((1, "indices_or_sections", "sections", "int", False, False),)),
        (
            "(tuple of ints indices)",
            ((1, "indices_or_sections", "indices", "tuple of ints", False, False),),
        ),
    ),
    "where": (
        (
            "(Tensor condition, Tensor other)",
            (
                (1, "condition", "condition", "Tensor", False, False),
                (2, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor condition, Number other)",
            (
                (1, "condition", "condition", "Tensor", False, False),
                (2, "other", "other", "Number", False, False),
            ),
        ),
    ),
    "xlogy": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "xlogy_": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
}

OP_KINDS = {
    "_standard_gamma_grad": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "output", "output", "Tensor", False, False),
            ),
        ),
    ),
    "abs": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "add": (
        (
            "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addbmm": (
        (
            "(Tensor input, Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1, "
            "Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addcmul": (
        (
            "(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor out = "
            "None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addmm": (
        (
            "(Tensor input, Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1, Tensor "
            "out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat1", "mat1", "Tensor", False, False),
                (2, "mat2", "mat2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor mat1, Tensor mat2, torch.dtype out_dtype, *, Number beta = 1, "
            "Number alpha = 1, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat1", "mat1", "Tensor", False, False),
                (2, "mat2", "mat2", "Tensor", False, False),
                (3, "beta", "out_dtype", "torch.dtype", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addmv": (
        (
            "(Tensor input, Tensor mat, Tensor vec, *, Number beta = 1, Number alpha = 1, Tensor "
            "out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat", "mat", "Tensor", False, False),
                (2, "vec", "vec", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "addr": (
        (
            "(Tensor input, Tensor vec1, Tensor vec2, *, Number beta = 1, Number alpha = 1, Tensor "
            "out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "vec1", "vec1", "Tensor", False, False),
                (2, "vec2", "vec2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "affine_grid_generator": (
        (
            None,
            (
                (0, "theta", "theta", "Tensor", False, False),
                (1, "size", "size", "tuple of ints", False, False),
                (2, "align_corners", "align_corners", "bool", False, False),
            ),
        ),
    ),
    "all": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "amax": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "amin": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "any": (
        (
            "(Tensor input, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "argmax": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "argmin": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "int", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "baddbmm": (
        (
            "(Tensor input, Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1, "
            "Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor batch1, Tensor batch2, torch.dtype out_dtype, *, Number beta "
            "= 1, Number alpha = 1, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (3, "beta", "out_dtype", "torch.dtype", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "batch_norm_update_stats": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "running_mean", "running_mean", "Tensor", True, True),
                (2, "running_var", "running_var", "Tensor", True, True),
                (3, "momentum", "momentum", "float", False, False),
            ),
        ),
    ),
    "bitwise_and": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "bitwise_left_shift": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "bitwise_not": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "bitwise_or": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "bitwise_right_shift": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "bitwise_xor": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "bmm": (
        (
            "(Tensor input, Tensor mat2, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat2", "mat2", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat2", "mat2", "Tensor", False, False),
                (2, "out_dtype", "out_dtype", "torch.dtype", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "channel_shuffle": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "groups", "groups", "int", False, False),
            ),
        ),
    ),
    "cholesky_inverse": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "upper", "upper", "bool", False, True),
            ),
        ),
    ),
    "cholesky_solve": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "input2", "input2", "Tensor", False, False),
                (2, "upper", "upper", "bool", False, True),
            ),
        ),
    ),
    "clone": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "complex": (
        (
            None,
            (
                (0, "real", "real", "Tensor", False, False),
                (1, "imag", "imag", "Tensor", False, False),
            ),
        ),
    ),
    "cumprod": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "cumsum": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "deg2rad": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "detach_copy": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "diagonal": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "offset", "offset", "int", False, True),
                (2, "dim1", "dim1", "int", False, True),
                (3, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "digamma": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "dist": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (2, "p", "p", "Number", False, True),
            ),
        ),
    ),
    "dot": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "tensor", "tensor", "Tensor", False, False),
            ),
        ),
    ),
    "eq": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "erfinv": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "exp2": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "flip": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dims", "dims", "tuple of ints", False, False),
            ),
        ),
    ),
    "fmax": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "fmin": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "fmod": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "frac": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "ge": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "geqrf": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "grid_sampler_2d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "grid", "grid", "Tensor", False, False),
                (2, "interpolation_mode", "interpolation_mode", "int", False, False),
                (3, "padding_mode", "padding_mode", "int", False, False),
                (4, "align_corners", "align_corners", "bool", False, False),
            ),
        ),
    ),
    "grid_sampler_3d": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "grid", "grid", "Tensor", False, False),
                (2, "interpolation_mode", "interpolation_mode", "int", False, False),
                (3, "padding_mode", "padding_mode", "int", False, False),
                (4, "align_corners", "align_corners", "bool", False, False),
            ),
        ),
    ),
    "gt": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "hardshrink": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "lambd", "lambd", "Number", False, True),
            ),
        ),
    ),
    "hypot": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "i0": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "isclose": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (2, "rtol", "rtol", "float", False, True),
                (3, "atol", "atol", "float", False, True),
                (4, "equal_nan", "equal_nan", "bool", False, True),
            ),
        ),
    ),
    "isneginf": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "isposinf": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "isreal": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "le": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "log2": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "log_softmax": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "logaddexp": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "logaddexp2": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "logcumsumexp": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "logical_and": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "logical_not": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "logical_or": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "logical_xor": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "logit": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "eps", "eps", "float", True, True)),
        ),
    ),
    "logsumexp": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim", "dim", "tuple of ints", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "lt": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "matrix_exp": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "maximum": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "minimum": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "mm": (
        (
            "(Tensor input, Tensor mat2, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat2", "mat2", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "mat2", "mat2", "Tensor", False, False),
                (2, "out_dtype", "out_dtype", "torch.dtype", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "mv": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "vec", "vec", "Tensor", False, False),
            ),
        ),
    ),
    "mvlgamma": (
        (None, ((0, "self", "input", "Tensor", False, False), (1, "p", "p", "int", False, False))),
    ),
    "nan_to_num": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "nan", "nan", "float", True, True),
                (2, "posinf", "posinf", "float", True, True),
                (3, "neginf", "neginf", "float", True, True),
            ),
        ),
    ),
    "ne": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "nextafter": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "ormqr": (
        (
            None,
            (
                (0, "input", "input", "Tensor", False, False),
                (1, "input2", "input2", "Tensor", False, False),
                (2, "input3", "input3", "Tensor", False, False),
                (3, "left", "left", "bool", False, True),
                (4, "transpose", "transpose", "bool", False, True),
            ),
        ),
    ),
    "pdist": (
        (None, ((0, "self", "input", "Tensor", False, False), (1, "p", "p", "float", False, True))),
    ),
    "permute": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dims", "dims", "tuple of ints", False, False),
            ),
        ),
    ),
    "pixel_shuffle": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "upscale_factor", "upscale_factor", "int", False, False),
            ),
        ),
    ),
    "pixel_unshuffle": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "downscale_factor", "downscale_factor", "int", False, False),
            ),
        ),
    ),
    "rad2deg": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "reciprocal": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "relu": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "remainder": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Number self, Tensor other)",
            (
                (0, "self", "self", "Number", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
        (
            "(Tensor input, Number other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
    ),
    "renorm": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "p", "p", "Number", False, False),
                (2, "dim", "dim", "int", False, False),
                (3, "maxnorm", "maxnorm", "Number", False, False),
            ),
        ),
    ),
    "rsqrt": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sgn": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sigmoid": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sign": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "signbit": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "sinc": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "softmax": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "split": (
        (
            "(Tensor input, int split_size, int dim = 0)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "split_size", "split_size", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
        (
            "(Tensor input, tuple of ints split_size, int dim = 0)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "split_size", "split_size", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "split_with_sizes": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "split_sizes", "split_sizes", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "t": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "trace": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "transpose": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "dim0", "dim0", "int", False, False),
                (2, "dim1", "dim1", "int", False, False),
            ),
        ),
    ),
    "triangular_solve": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "A", "A", "Tensor", False, False),
                (2, "upper", "upper", "bool", False, True),
                (3, "transpose", "transpose", "bool", False, True),
                (4, "unitriangular", "unitriangular", "bool", False, True),
            ),
        ),
    ),
    "tril": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "diagonal", "diagonal", "int", False, True),
            ),
        ),
    ),
    "triu": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "diagonal", "diagonal", "int", False, True),
            ),
        ),
    ),
    "true_divide": (
        (
            "(Tensor input, Tensor other, *, Tensor out = None)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
                (None, "out", "out", "Tensor", True, True),
            ),
        ),
        (
            "(Tensor input, Number other)",
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Number", False, False),
            ),
        ),
    ),
    "trunc": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "unbind": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, True)),
        ),
    ),
    "unsafe_split": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "split_size", "split_size", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "unsafe_split_with_sizes": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "split_sizes", "split_sizes", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "unsqueeze": (
        (
            None,
            ((0, "self", "input", "Tensor", False, False), (1, "dim", "dim", "int", False, False)),
        ),
    ),
    "vdot": (
        (
            None,
            (
                (0, "self", "input", "Tensor", False, False),
                (1, "other", "other", "Tensor", False, False),
            ),
        ),
    ),
    "view_as_complex": ((None, ((0, "self", "input", "Tensor", False, False),)),),
    "view_as_real": ((None, ((0, "self", "input", "Tensor", False, False),)),),
}

OP_METHOD_KINDS = {
    "add": (
        (
            "(Tensor other, *, Number alpha = 1)",
            (
                (1, "other", "other", "Tensor", False, False),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addbmm": (
        (
            "(Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addcmul": (
        (
            "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
            (
                (1, "tensor1", "tensor1", "Tensor", False, False),
                (2, "tensor2", "tensor2", "Tensor", False, False),
                (None, "value", "value", "Number", False, True),
            ),
        ),
    ),
    "addmm": (
        (
            "(Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "mat1", "mat1", "Tensor", False, False),
                (2, "mat2", "mat2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addmv": (
        (
            "(Tensor mat, Tensor vec, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "mat", "mat", "Tensor", False, False),
                (2, "vec", "vec", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "addr": (
        (
            "(Tensor vec1, Tensor vec2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "vec1", "vec1", "Tensor", False, False),
                (2, "vec2", "vec2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "all": (
        ("()", ()),
        (
            "(tuple of ints dim = None, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "amax": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "amin": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "any": (
        ("()", ()),
        (
            "(tuple of ints dim = None, bool keepdim = False)",
            (
                (1, "dim", "dim", "tuple of ints", True, True),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
        (
            "(int dim, bool keepdim = False)",
            (
                (1, "dim", "dim", "int", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "argmax": (
        (
            None,
            ((1, "dim", "dim", "int", True, True), (2, "keepdim", "keepdim", "bool", False, True)),
        ),
    ),
    "argmin": (
        (
            None,
            ((1, "dim", "dim", "int", True, True), (2, "keepdim", "keepdim", "bool", False, True)),
        ),
    ),
    "baddbmm": (
        (
            "(Tensor batch1, Tensor batch2, *, Number beta = 1, Number alpha = 1)",
            (
                (1, "batch1", "batch1", "Tensor", False, False),
                (2, "batch2", "batch2", "Tensor", False, False),
                (None, "beta", "beta", "Number", False, True),
                (None, "alpha", "alpha", "Number", False, True),
            ),
        ),
    ),
    "bitwise_and": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_left_shift": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_or": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_right_shift": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "bitwise_xor": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "cholesky_inverse": ((None, ((1, "upper", "upper", "bool", False, True),)),),
    "cholesky_solve": (
        (
            None,
            (
                (1, "input2", "input2", "Tensor", False, False),
                (2, "upper", "upper", "bool", False, True),
            ),
        ),
    ),
    "cumprod": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "cumsum": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "diagonal": (
        (
            None,
            (
                (1, "offset", "offset", "int", False, True),
                (2, "dim1", "dim1", "int", False, True),
                (3, "dim2", "dim2", "int", False, True),
            ),
        ),
    ),
    "dist": (
        (
            None,
            ((1, "other", "other", "Tensor", False, False), (2, "p", "p", "Number", False, True)),
        ),
    ),
    "dot": ((None, ((1, "tensor", "tensor", "Tensor", False, False),)),),
    "eq": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "fmax": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "fmin": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "fmod": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "ge": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "gt": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "hardshrink": ((None, ((1, "lambd", "lambd", "Number", False, True),)),),
    "hypot": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "isclose": (
        (
            None,
            (
                (1, "other", "other", "Tensor", False, False),
                (2, "rtol", "rtol", "float", False, True),
                (3, "atol", "atol", "float", False, True),
                (4, "equal_nan", "equal_nan", "bool", False, True),
            ),
        ),
    ),
    "le": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "log_softmax": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "logaddexp": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logaddexp2": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logcumsumexp": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "logical_and": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logical_or": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logical_xor": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "logit": ((None, ((1, "eps", "eps", "float", True, True),)),),
    "logsumexp": (
        (
            None,
            (
                (1, "dim", "dim", "tuple of ints", False, False),
                (2, "keepdim", "keepdim", "bool", False, True),
            ),
        ),
    ),
    "lt": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "maximum": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "minimum": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "mv": ((None, ((1, "vec", "vec", "Tensor", False, False),)),),
    "mvlgamma": ((None, ((1, "p", "p", "int", False, False),)),),
    "nan_to_num": (
        (
            None,
            (
                (1, "nan", "nan", "float", True, True),
                (2, "posinf", "posinf", "float", True, True),
                (3, "neginf", "neginf", "float", True, True),
            ),
        ),
    ),
    "ne": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "nextafter": ((None, ((1, "other", "other", "Tensor", False, False),)),),
    "ormqr": (
        (
            None,
            (
                (1, "input2", "input2", "Tensor", False, False),
                (2, "input3", "input3", "Tensor", False, False),
                (3, "left", "left", "bool", False, True),
                (4, "transpose", "transpose", "bool", False, True),
            ),
        ),
    ),
    "remainder": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "renorm": (
        (
            None,
            (
                (1, "p", "p", "Number", False, False),
                (2, "dim", "dim", "int", False, False),
                (3, "maxnorm", "maxnorm", "Number", False, False),
            ),
        ),
    ),
    "softmax": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "transpose": (
        (
            None,
            ((1, "dim0", "dim0", "int", False, False), (2, "dim1", "dim1", "int", False, False)),
        ),
    ),
    "triangular_solve": (
        (
            None,
            (
                (1, "A", "A", "Tensor", False, False),
                (2, "upper", "upper", "bool", False, True),
                (3, "transpose", "transpose", "bool", False, True),
                (4, "unitriangular", "unitriangular", "bool", False, True),
            ),
        ),
    ),
    "tril": ((None, ((1, "diagonal", "diagonal", "int", False, True),)),),
    "triu": ((None, ((1, "diagonal", "diagonal", "int", False, True),)),),
    "true_divide": (
        ("(Tensor other)", ((1, "other", "other", "Tensor", False, False),)),
        ("(Number other)", ((1, "other", "other", "Number", False, False),)),
    ),
    "unbind": ((None, ((1, "dim", "dim", "int", False, True),)),),
    "unfold": (
        (
            None,
            (
                (1, "dimension", "dimension", "int", False, False),
                (2, "size", "size", "int", False, False),
                (3, "step", "step", "int", False, False),
            ),
        ),
    ),
    "unsafe_split": (
        (
            None,
            (
                (1, "split_size", "split_size", "int", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "unsafe_split_with_sizes": (
        (
            None,
            (
                (1, "split_sizes", "split_sizes", "tuple of ints", False, False),
                (2, "dim", "dim", "int", False, True),
            ),
        ),
    ),
    "unsqueeze": ((None, ((1, "dim", "dim", "int", False, False),)),),
    "vdot": ((None, ((1, "other", "other", "Tensor", False, False),)),),
}

HIDDEN = {
    "add": ((("self", "Tensor"), ("alpha", "Number"), ("other", "Tensor")),),
    "add_": ((("self", "Tensor"), ("alpha", "Number"), ("other", "Tensor")),),
    "addbmm": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("batch1", "Tensor"),
            ("batch2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("batch1", "Tensor"), ("batch2", "Tensor")),
    ),
    "addbmm_": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("batch1", "Tensor"),
            ("batch2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("batch1", "Tensor"), ("batch2", "Tensor")),
    ),
    "addcdiv": (
        (("self", "Tensor"), ("value", "Number"), ("tensor1", "Tensor"), ("tensor2", "Tensor")),
    ),
    "addcdiv_": (
        (("self", "Tensor"), ("value", "Number"), ("tensor1", "Tensor"), ("tensor2", "Tensor")),
    ),
    "addcmul": (
        (("self", "Tensor"), ("value", "Number"), ("tensor1", "Tensor"), ("tensor2", "Tensor")),
    ),
    "addcmul_": (
        (("self", "Tensor"), ("value", "Number"), ("tensor1", "Tensor"), ("tensor2", "Tensor")),
    ),
    "addmm": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("mat1", "Tensor"),
            ("mat2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("mat1", "Tensor"), ("mat2", "Tensor")),
    ),
    "addmm_": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("mat1", "Tensor"),
            ("mat2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("mat1", "Tensor"), ("mat2", "Tensor")),
    ),
    "addmv": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("mat", "Tensor"),
            ("vec", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("mat", "Tensor"), ("vec", "Tensor")),
    ),
    "addmv_": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("mat", "Tensor"),
            ("vec", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("mat", "Tensor"), ("vec", "Tensor")),
    ),
    "addr": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("vec1", "Tensor"),
            ("vec2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("vec1", "Tensor"), ("vec2", "Tensor")),
    ),
    "addr_": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("vec1", "Tensor"),
            ("vec2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("vec1", "Tensor"), ("vec2", "Tensor")),
    ),
    "baddbmm": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("batch1", "Tensor"),
            ("batch2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("batch1", "Tensor"), ("batch2", "Tensor")),
    ),
    "baddbmm_": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("batch1", "Tensor"),
            ("batch2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("batch1", "Tensor"), ("batch2", "Tensor")),
    ),
    "sspaddmm": (
        (
            ("beta", "Number"),
            ("self", "Tensor"),
            ("alpha", "Number"),
            ("mat1", "Tensor"),
            ("mat2", "Tensor"),
        ),
        (("beta", "Number"), ("self", "Tensor"), ("mat1", "Tensor"), ("mat2", "Tensor")),
    ),
    "sub": ((("self", "Tensor"), ("alpha", "Number"), ("other", "Tensor")),),
    "sub_": ((("self", "Tensor"), ("alpha", "Number"), ("other", "Tensor")),),
}

NUMBERS_AS_TENSORS = frozenset(
    {
        "add",
        "add_",
        "copy_",
        "div",
        "div_",
        "divide",
        "floor_divide",
        "sub",
        "sub_",
        "subtract",
        "true_divide",
    }
)
