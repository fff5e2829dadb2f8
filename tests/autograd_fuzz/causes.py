"""Known causes of differences, recognised from a Difference, so that a summary counts causes
rather than symptoms.  A difference that matches none is reported by its field and step."""


def _text(d):
    return f"{d.ref} {d.got}"


def _err(d, phrase):
    return phrase in d.ref or phrase in d.got


CAUSES = [
    (
        "PyTorch's defect: two leaves' .grad share one memory (a stride-0 gradient kept as both); "
        "its next accumulation adds into both",
        lambda d, src: d.field == "grad-aliased-in-reference",
    ),
    (
        "silent gradient: broadcast not undone in a gradient (grad shape differs)",
        lambda d, src: d.field == "grad-shape",
    ),
    (
        "silent gradient: second order through checkpoint",
        lambda d, src: d.is_silent_gradient() and "checkpoint" in src and "create_graph" in src,
    ),
    (
        "silent gradient: a tensor hook is applied to the grad autograd.grad captures for it",
        lambda d, src: d.is_silent_gradient() and "register_hook" in src and "autograd.grad" in src,
    ),
    (
        "silent gradient: detach_() of a leaf in a graph",
        lambda d, src: d.is_silent_gradient() and ".detach_()" in src,
    ),
    (
        "silent gradient: forward-AD tangent not differentiable w.r.t. the primal",
        lambda d, src: d.is_silent_gradient() and "forward_ad" in src,
    ),
    (
        "custom Function gradient not cast to the input's dtype",
        lambda d, src: d.field == "dtype" and d.tag.startswith("backward") and ".apply(" in src,
    ),
    (
        "matmul/einsum/T/narrow/reshape record other nodes than PyTorch",
        lambda d, src: (
            (
                d.field == "grad_fn"
                and d.tag.split(":")[-1] in ("matmul", "einsum", "T", "narrow", "reshape")
            )
            or d.tag.startswith("matmul")
        ),
    ),
    (
        "create_graph: derivative of a piecewise-constant op not connected to its input "
        "(PyTorch: zeros / requires_grad)",
        lambda d, src: (
            d.tag.startswith("backward")
            and (d.field == "kind" or (d.field == "requires_grad" and d.where.startswith("g")))
        ),
    ),
    (
        "gradients / tangents are broadcast (stride-0) arrays: in-place on them is refused",
        lambda d, src: (
            "more than one element of the written-to tensor" in d.got
            and "more than one element of the written-to tensor" not in d.ref
        ),
    ),
    (
        "views of a base modified in place keep their node (PyTorch: AsStridedBackward0)",
        lambda d, src: d.field == "grad_fn" and "AsStridedBackward0" in _text(d),
    ),
    (
        "inference tensors: saved for backward / updated in place outside inference mode",
        lambda d, src: _err(d, "Inference tensors") or _err(d, "inference tensor"),
    ),
    (
        "views made under no_grad/inference_mode: requires_grad and in-place checks",
        lambda d, src: (
            (d.field == "requires_grad" and d.tag.startswith("mode:"))
            or _err(d, "A view was created in")
        ),
    ),
    (
        "in-place on an output of unbind/split/chunk (multi-view) not refused first",
        lambda d, src: _err(d, "function that returns multiple views"),
    ),
    (
        "in-place on a view of a leaf that requires grad not refused",
        lambda d, src: d.field == "missing-error" and _err(d, "a view of a leaf Variable"),
    ),
    ("detach_() of a view not refused", lambda d, src: _err(d, "Can't detach views in-place")),
    (
        "saved tensor modified in place not detected (or version count differs)",
        lambda d, src: _err(d, "modified by an inplace operation"),
    ),
    (
        "graph freed: nodes that save nothing may run again in PyTorch",
        lambda d, src: d.field == "unexpected-error" and _err(d, "backward through the graph"),
    ),
    (
        "loss functions: result dtype with mixed float32/float64",
        lambda d, src: (
            d.field == "dtype"
            and any(k in d.tag for k in ("bce_logits", "mse_loss", "l1_loss", "smooth_l1"))
        ),
    ),
    ("lerp: PyTorch refuses operands of different dtypes", lambda d, src: "lerp" in d.tag),
    (
        "in-place write of a value that requires grad: requires_grad of the target / its views",
        lambda d, src: (
            d.field == "requires_grad" and d.tag.startswith(("inplace", "nograd_inplace"))
        ),
    ),
    ("detach_() of a saved tensor not detected", lambda d, src: _err(d, "detached in-place")),
    (
        "accumulating into a .grad made with create_graph: PyTorch keeps its graph",
        lambda d, src: d.field == "grad-requires_grad",
    ),
    ("memory layout: is_contiguous differs", lambda d, src: d.field == "is_contiguous"),
    (
        "NumPy error leaks (AxisError and the like)",
        lambda d, src: "AxisError" in d.got or "axis" in d.got and "out of bounds" in d.got,
    ),
    ("forward AD: tangent requires_grad / layout errors", lambda d, src: "forward_ad" in d.tag),
]


def classify(steps, diff):
    src = "\n".join(s.src for s in steps)
    for label, test in CAUSES:
        try:
            if test(diff, src):
                return label
        except Exception:  # noqa: BLE001 - a rule that does not apply
            pass
    return f"other: {diff.field} at {diff.tag}"
