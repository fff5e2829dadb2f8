"""``retrograd.onnx``: the names code imports from ``torch.onnx``.  retrograd cannot record an
ONNX graph, so exporting raises ``NotImplementedError``."""

__all__ = [
    "export",
    "dynamo_export",
    "is_in_onnx_export",
    "register_custom_op_symbolic",
    "unregister_custom_op_symbolic",
    "select_model_mode_for_export",
    "TrainingMode",
    "OperatorExportTypes",
]


def _not_built(what: str):
    return NotImplementedError(
        f"{what}: retrograd cannot export ONNX graphs (it runs eagerly and "
        "records no program to translate). Export with PyTorch, loading "
        "the weights saved with torch.save."
    )


def export(
    model,
    args=(),
    f=None,
    *,
    kwargs=None,
    verbose=None,
    input_names=None,
    output_names=None,
    opset_version=None,
    dynamo=True,
    external_data=True,
    dynamic_shapes=None,
    custom_translation_table=None,
    report=False,
    optimize=True,
    verify=False,
    profile=False,
    dump_exported_program=False,
    artifacts_dir=".",
    export_params=True,
    keep_initializers_as_inputs=False,
    dynamic_axes=None,
    training=None,
    operator_export_type=None,
    do_constant_folding=True,
    custom_opsets=None,
    export_modules_as_functions=False,
    autograd_inlining=True,
):
    """``torch.onnx.export``: not built (see the module's docstring)."""
    raise _not_built("torch.onnx.export")


def dynamo_export(model, *model_args, export_options=None, **model_kwargs):
    raise _not_built("torch.onnx.dynamo_export")


def register_custom_op_symbolic(symbolic_name, symbolic_fn, opset_version):
    raise _not_built("torch.onnx.register_custom_op_symbolic")


def unregister_custom_op_symbolic(symbolic_name, opset_version):
    raise _not_built("torch.onnx.unregister_custom_op_symbolic")


def select_model_mode_for_export(model, mode):
    raise _not_built("torch.onnx.select_model_mode_for_export")


def is_in_onnx_export() -> bool:
    """False: no export ever runs here."""
    return False


class TrainingMode:
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OperatorExportTypes:
    ONNX = 0
    ONNX_ATEN = 1
    ONNX_ATEN_FALLBACK = 2
    ONNX_FALLTHROUGH = 3
