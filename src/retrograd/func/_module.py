"""``torch.func.functional_call`` and ``stack_module_state``: a module run with parameters and
buffers given as tensors, and the state of several modules stacked for vmap."""


def _entry(module, name):
    """The module that holds ``name`` ("a.b.weight"), and the last part of the name."""
    *path, last = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, last


def _merge(dicts):
    if isinstance(dicts, dict):
        return dict(dicts)
    if not isinstance(dicts, (list, tuple)) or not all(isinstance(d, dict) for d in dicts):
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(dicts)}"
        )
    merged: dict = {}
    for d in dicts:
        repeated = [k for k in d if k in merged]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        merged.update(d)
    return merged


def _tied(module, values):
    """``values`` with each given tensor also under the names of the parameters and buffers tied
    to it (one object under several names)."""
    names: dict = {}
    for store in ("_parameters", "_buffers"):
        for prefix, m in module.named_modules(remove_duplicate=False):
            for n, t in getattr(m, store).items():
                if t is not None:
                    names.setdefault(id(t), []).append(f"{prefix}.{n}" if prefix else n)
    out = dict(values)
    for group in names.values():
        given = [n for n in group if n in values]
        if len(given) > 1 and any(values[n] is not values[given[0]] for n in given[1:]):
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(given)}, which are tied. "
                "Consider using tie_weights=False"
            )
        if given:
            for n in group:
                out.setdefault(n, values[given[0]])
    return out


def functional_call(
    module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    """``torch.func.functional_call``: ``module(*args, **kwargs)`` with the named parameters and
    buffers taking the given tensors' place for the call (the module is as before afterwards)."""
    values = _merge(parameter_and_buffer_dicts)
    if tie_weights:
        values = _tied(module, values)
    if strict:
        known = [n for n, _ in module.named_parameters(remove_duplicate=False)] + [
            n for n, _ in module.named_buffers(remove_duplicate=False)
        ]
        missing = sorted(set(known) - set(values))
        unexpected = sorted(set(values) - set(known))
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(lines)
            )
    saved = []
    try:
        for name, value in values.items():
            owner, last = _entry(module, name)
            d = owner.__dict__
            for store in ("_parameters", "_buffers"):
                if last in d[store]:
                    saved.append((d[store], last, d[store][last]))
                    d[store][last] = value
                    break
            else:
                saved.append((d, last, d.get(last, _ABSENT)))
                d[last] = value
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for store, name, old in reversed(saved):
            if old is _ABSENT:
                del store[name]
            else:
                store[name] = old


_ABSENT = object()


def stack_module_state(models):
    """``torch.func.stack_module_state``: the parameters and buffers of same-class modules,
    each stacked along a new first dim (parameters as new leaves that require grad as before)."""
    from ..ops.shape import stack

    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if any(m.training != models[0].training for m in models):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = {
        name: stack([dict(m.named_parameters())[name] for m in models])
        .detach()
        .requires_grad_(p.requires_grad)
        for name, p in models[0].named_parameters()
    }
    buffers = {
        name: stack([dict(m.named_buffers())[name] for m in models])
        for name, _ in models[0].named_buffers()
    }
    return params, buffers
