"""``torch.export``: whole-program capture into an exported graph, which retrograd does not build.
Importing works; each name raises ``NotImplementedError`` when called or made."""

from .._device import not_built

__all__ = (
    "AdditionalInputs Constraint CustomDecompTable default_decompositions Dim dims draft_export "
    "export ExportBackwardSignature ExportedProgram ExportGraphSignature FlatArgsAdapter load "
    "ModuleCallEntry ModuleCallSignature register_dataclass save ShapesCollection unflatten "
    "UnflattenedModule"
).split()

globals().update(not_built("torch.export", " ".join(__all__)))
