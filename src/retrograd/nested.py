"""``torch.nested``: tensors of tensors of different shapes.  retrograd has no nested layout;
each function says so, naming itself, rather than leaving the module path missing."""

from ._device import refusing

__all__ = [
    "as_nested_tensor",
    "masked_select",
    "narrow",
    "nested_tensor",
    "nested_tensor_from_jagged",
    "to_padded_tensor",
]


def _not_built(name):
    return refusing(
        name,
        f"torch.nested.{name}: nested tensors are not built in retrograd (pad the sequences "
        "to one length, e.g. with torch.nn.utils.rnn.pad_sequence, and pass a mask)",
    )


as_nested_tensor = _not_built("as_nested_tensor")
masked_select = _not_built("masked_select")
narrow = _not_built("narrow")
nested_tensor = _not_built("nested_tensor")
nested_tensor_from_jagged = _not_built("nested_tensor_from_jagged")
to_padded_tensor = _not_built("to_padded_tensor")
