"""``torch.func``'s derivative transforms: grad, grad_and_value, vjp, jvp, linearize, jacrev,
jacfwd, hessian; each a function of functions, built on the one backward engine."""

import functools

from .. import autograd
from .._switches import grad_mode
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from ..utils._pytree import tree_flatten as flatten
from ..utils._pytree import tree_unflatten as unflatten
from ..utils._pytree import treespec_pprint
from ._batching import BatchedTensor, fallback, running, wrap

_depth = [0]  # how many derivative transforms are running (an inner one keeps its graph)


# --- batched tensors at the physical level ------------------------------------------------------


def _unwrap(x):
    """The plain tensor under ``x``'s vmap wrappers, and the levels it is batched at (ascending;
    its leading dims in that order)."""
    levels = []
    while type(x) is BatchedTensor:
        levels.append(x._level)
        x = x._value
    return x, levels[::-1]


def _rewrap(x, levels):
    for level in levels:
        x = wrap(x, level)
    return x


def _with_levels(x, have, want):
    """The plain ``x`` (batched at ``have``) with a dim for each level of ``want`` (a superset),
    the new ones expanded."""
    for i, level in enumerate(want):
        if level not in have:
            shape = list(x.shape)
            shape.insert(i, running()[level - 1].size)
            x = x.unsqueeze(i).expand(shape)
    return x


def _active_levels():
    return list(range(1, len(running()) + 1))


def _prepare(x, want):
    """A differentiable stand-in for the input ``x``, as a plain tensor batched at every running
    vmap level (``want``; a copy per example: the gradients are per example), and that tensor
    wrapped."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    plain, have = _unwrap(x)
    plain = _with_levels(plain, have, want)
    if plain.requires_grad:
        leaf = plain.view_as(plain)  # still reached by an outer transform's gradients
    else:
        leaf = plain.detach().requires_grad_()
    return leaf, _rewrap(leaf, want)


def _keep_graph(inputs):
    return grad_mode.enabled and (_depth[0] > 1 or any(x.requires_grad for x in inputs))


def _reaches_outside(outputs, leaves):
    """Whether the graph of ``outputs`` reaches a leaf that requires grad other than the
    transform's stand-ins (a tensor ``f`` read from its closure): then the transform's results
    must stay differentiable with respect to it, as PyTorch's are."""
    from ..autograd.node import AccumulateGrad

    ours = {id(x) for x in leaves}
    seen = set()
    stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in ours:
                return True
            continue
        stack.extend(n for n, _ in node.next_functions)
    return False


def _release(x, keep):
    """An output handed back: detached from the transform's graph unless an outer one needs it."""
    if keep or not isinstance(x, Tensor):
        return x
    return x.detach()


def _check_argnums(argnums, n):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        nums = (argnums,)
    elif isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if any(not isinstance(a, int) or isinstance(a, bool) for a in argnums):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        nums = argnums
        if len(set(a % n if -n <= a < n else a for a in nums)) != len(nums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in nums:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return nums


class _Tape:
    """One run of ``f`` on differentiable stand-ins for some of its inputs."""

    def __init__(self, func, args, kwargs, argnums):
        self.nums = None if argnums is None else _check_argnums(argnums, len(args))
        picked = args if argnums is None else tuple(args[a] for a in self.nums)
        leaves, self.in_spec = flatten(picked)
        self.keep = _keep_graph([x for x in leaves if isinstance(x, Tensor)])
        self.leaves = []
        self.levels = _active_levels()  # (the levels the stand-ins are batched at)
        wrapped = []
        for x in leaves:
            leaf, w = _prepare(x, self.levels)
            self.leaves.append(leaf)
            wrapped.append(w)
        new = unflatten(wrapped, self.in_spec)
        if argnums is None:
            self.args = new
        else:
            args = list(args)
            for a, v in zip(self.nums, new):
                args[a] = v
            self.args = tuple(args)
        self.kwargs = kwargs
        self.func = func

    def run(self):
        return self.func(*self.args, **self.kwargs)

    def note(self, outputs):
        """The plain ``outputs`` of the run: keep the graph also when they reach a tensor that
        requires grad from outside (``f``'s closure)."""
        if not self.keep and grad_mode.enabled:
            self.keep = _reaches_outside(outputs, self.leaves)

    def grads(self, outputs, cotangents, create_graph=None, retain_graph=True):
        """Gradients of the plain ``outputs`` weighted by ``cotangents`` for each input stand-in,
        wrapped at every running level (zeros where an input is not used)."""
        from ..creation import zeros_like

        create = self.keep if create_graph is None else create_graph
        pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
        if pairs:
            gs = autograd.grad(
                [o for o, _ in pairs],
                self.leaves,
                [c for _, c in pairs],
                retain_graph=retain_graph or create,
                create_graph=create,
                allow_unused=True,
            )
        else:
            gs = [None] * len(self.leaves)
        return [
            _rewrap(zeros_like(leaf) if g is None else g, self.levels)
            for g, leaf in zip(gs, self.leaves)
        ]

    def unflatten_grads(self, grads):
        tree = unflatten(grads, self.in_spec)
        if self.nums is not None and isinstance(self.nums, tuple) and len(self.nums) == 1:
            return tree[0]
        return tree


def _single(argnums, tree):
    return tree[0] if isinstance(argnums, int) else tree


# --- grad ---------------------------------------------------------------------------------------


def grad_and_value(func, argnums=0, has_aux=False):
    """``torch.func.grad_and_value``: the gradient of ``func``'s scalar output with respect to
    the arguments ``argnums``, and the output (with ``aux`` when ``has_aux``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with enable_grad():
            _depth[0] += 1
            try:
                tape = _Tape(func, args, kwargs, argnums)
                out = tape.run()
                aux = None
                if has_aux:
                    if not (isinstance(out, tuple) and len(out) == 2):
                        raise RuntimeError(
                            "grad_and_value(f)(*args): output of function f should be a tuple: "
                            "(output, aux) if has_aux is True"
                        )
                    out, aux = out
                if not isinstance(out, Tensor):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                        f"{type(out)}"
                    )
                if out.dim() != 0:
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                        f"got tensor with {out.dim()} dims. Maybe you wanted to use the vjp or "
                        "jacrev APIs instead?"
                    )
                plain, have = _unwrap(out)
                from ..creation import ones_like

                tape.note([plain])
                grads = tape.grads([plain], [ones_like(plain)])
            finally:
                _depth[0] -= 1
        g = _single(argnums, unflatten(grads, tape.in_spec))
        value = _release(out, tape.keep)
        if has_aux:
            return g, (value, _tree_release(aux, tape.keep))
        return g, value

    return wrapper


def _tree_release(tree, keep):
    leaves, spec = flatten(tree)
    return unflatten([_release(x, keep) for x in leaves], spec)


def grad(func, argnums=0, has_aux=False):
    """``torch.func.grad``: the gradient of ``func``'s scalar output with respect to the
    arguments ``argnums`` (with ``aux`` when ``has_aux``)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# --- vjp ----------------------------------------------------------------------------------------


def _outputs(out, prefix):
    leaves, spec = flatten(out)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(
                f"{prefix}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(x)}"
            )
    return leaves, spec


def vjp(func, *primals, has_aux=False):
    """``torch.func.vjp``: ``func(*primals)`` and a function of cotangents giving the
    vector-Jacobian products for each primal (with ``aux`` when ``has_aux``)."""
    with enable_grad():
        _depth[0] += 1
        try:
            tape = _Tape(func, primals, {}, None)
            out = tape.run()
        finally:
            _depth[0] -= 1
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(
                "vjp(f, *primals): output of function f should be a tuple: (output, aux) if "
                "has_aux is True"
            )
        out, aux = out
    leaves, spec = _outputs(out, "vjp(f, *primals)")
    plain = [_unwrap(x) for x in leaves]
    tape.note([o for o, _ in plain])
    keep = tape.keep

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        c_leaves, c_spec = flatten(cotangents)
        if c_spec != spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {treespec_pprint(c_spec)}, primal output: "
                f"{treespec_pprint(spec)}"
            )
        extra = _extra_level(c_leaves, plain)
        if extra:
            # Cotangents batched at a level the outputs are not (vmap over vjp_fn): one
            # backward pass per example of that level.
            return fallback(vjp_fn, "vjp_fn", extra, (cotangents,), {})
        cots = []
        for i, (c, (o, levels)) in enumerate(zip(c_leaves, plain)):
            if not isinstance(c, Tensor):
                raise RuntimeError(f"vjp: expected cotangents to be Tensors, got {type(c)}")
            if c.shape != leaves[i].shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and "
                    f"output[{i}] has a shape of {leaves[i].shape}."
                )
            cp, have = _unwrap(c)
            cots.append(_with_levels(cp, have, levels).to(o.dtype))
        _depth[0] += 1
        try:
            with enable_grad():
                grads = tape.grads(
                    [o for o, _ in plain],
                    cots,
                    (keep or _depth[0] > 1) if create_graph is None else create_graph,
                    retain_graph,
                )
        finally:
            _depth[0] -= 1
        return unflatten(grads, tape.in_spec)

    value = unflatten([_release(x, keep) for x in leaves], spec)
    if has_aux:
        return value, vjp_fn, _tree_release(aux, keep)
    return value, vjp_fn


def _extra_level(c_leaves, plain):
    """The highest level a cotangent is batched at that its output is not (0: none)."""
    top = 0
    for c, (_, levels) in zip(c_leaves, plain):
        _, have = _unwrap(c) if isinstance(c, Tensor) else (None, [])
        for level in have:
            if level not in levels and level > top:
                top = level
    return top


# --- jvp and linearize (as the derivative of a vjp: linear in its cotangent) --------------------


def _check_jvp_args(primals, tangents):
    if not isinstance(primals, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
            "to call f(*primals)."
        )
    p_leaves, p_spec = flatten(primals)
    t_leaves, t_spec = flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
            f"Got primals with structure {p_spec} and tangents with structure {t_spec}"
        )
    for p in p_leaves:
        if not isinstance(p, Tensor):
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected primals to only contain Tensors, got {type(p)}"
            )
    for t in t_leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected tangents to only contain Tensors, got {type(t)}"
            )
    for p, t in zip(p_leaves, t_leaves):
        if p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}."
            )
    return t_leaves


class _Linearized:
    """``func`` run once at ``primals``, with the graph of its vjp kept: its Jacobian-vector
    product is the vjp's derivative with respect to the (dummy) cotangent."""

    def __init__(self, func, primals, has_aux, prefix):
        from ..creation import zeros_like

        with enable_grad():
            _depth[0] += 1
            try:
                self.tape = tape = _Tape(func, primals, {}, None)
                out = tape.run()
                self.aux = None
                if has_aux:
                    if not (isinstance(out, tuple) and len(out) == 2):
                        raise RuntimeError(
                            f"{prefix}: output of function f should be a tuple: (output, aux) if "
                            "has_aux is True"
                        )
                    out, self.aux = out
                self.leaves, self.spec = _outputs(out, prefix)
                self.plain = [_unwrap(x) for x in self.leaves]
                tape.note([o for o, _ in self.plain])
                self.dummies = [zeros_like(o).requires_grad_() for o, _ in self.plain]
                self.vjps = tape.grads([o for o, _ in self.plain], self.dummies, True)
            finally:
                _depth[0] -= 1
        self.keep = tape.keep

    def value(self):
        out = unflatten([_release(x, self.keep) for x in self.leaves], self.spec)
        return out

    def __call__(self, t_leaves, strict=False):
        from ..creation import zeros_like

        levels = self.tape.levels
        extra = max((lv for t in t_leaves for lv in _unwrap(t)[1] if lv not in levels), default=0)
        if extra:
            # Tangents batched at a level the primals are not (vmap over a jvp): one pass per
            # example of that level.
            return fallback(self, "jvp", extra, (list(t_leaves),), {})
        tangents = []
        for t, leaf in zip(t_leaves, self.tape.leaves):
            tp, have = _unwrap(t)
            tangents.append(_with_levels(tp, have, levels).to(leaf.dtype))
        pairs = [
            (_unwrap(g)[0], t) for g, t in zip(self.vjps, tangents) if _unwrap(g)[0].requires_grad
        ]
        _depth[0] += 1
        try:
            with enable_grad():
                if pairs:
                    outs = autograd.grad(
                        [g for g, _ in pairs],
                        self.dummies,
                        [t for _, t in pairs],
                        retain_graph=True,
                        create_graph=self.keep or _depth[0] > 1,
                        allow_unused=True,
                    )
                else:
                    outs = [None] * len(self.dummies)
        finally:
            _depth[0] -= 1
        if strict and any(o is None for o in outs):
            raise RuntimeError(
                "jvp(f, primals, tangents, strict=True): The output of f is independent of the "
                "inputs. This is not allowed with strict=True."
            )
        result = [
            _rewrap(zeros_like(d) if o is None else o, levels)
            for o, d, (_, levels) in zip(outs, self.dummies, self.plain)
        ]
        return unflatten([_release(x, self.keep) for x in result], self.spec)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``torch.func.jvp``: ``func(*primals)`` and its Jacobian-vector product with ``tangents``
    (with ``aux`` when ``has_aux``)."""
    t_leaves = _check_jvp_args(primals, tangents)
    lin = _Linearized(func, primals, has_aux, "jvp(f, primals, tangents)")
    out = (lin.value(), lin(t_leaves, strict))
    return (*out, _tree_release(lin.aux, lin.keep)) if has_aux else out


def linearize(func, *primals):
    """``torch.func.linearize``: ``func(*primals)`` and a function giving its Jacobian-vector
    product with given tangents, evaluated without running ``func`` again."""
    lin = _Linearized(func, primals, False, "linearize(f, *primals)")

    def jvp_fn(*tangents):
        return lin(_check_jvp_args(primals, tangents))

    return lin.value(), jvp_fn


# --- Jacobians and the Hessian ------------------------------------------------------------------


def _basis(n, like):
    from ..creation import eye

    return eye(n, dtype=like.dtype)


def _assemble(per_output, out_leaves, out_spec, in_leaves_by_arg, argnums):
    """The Jacobian tree: the outputs' structure, each leaf holding the inputs' structure (a
    tuple over ``argnums`` when it is a tuple)."""
    trees = []
    for rows in per_output:
        by_arg = [unflatten(r, spec) for r, spec in zip(rows, in_leaves_by_arg)]
        trees.append(by_arg[0] if isinstance(argnums, int) else tuple(by_arg))
    return unflatten(trees, out_spec)


def _argnum_specs(args, argnums):
    nums = _check_argnums(argnums, len(args))
    return nums, [flatten(args[a])[1] for a in nums]


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """``torch.func.jacrev``: the Jacobian of ``func`` with respect to the arguments
    ``argnums``, one vector-Jacobian product per output element."""
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums, specs = _argnum_specs(args, argnums)

        def inner(*picked):
            full = list(args)
            for a, v in zip(nums, picked):
                full[a] = v
            return func(*full, **kwargs)

        picked = tuple(args[a] for a in nums)
        res = vjp(inner, *picked, has_aux=has_aux)
        out, vjp_fn = res[0], res[1]
        out_leaves, out_spec = flatten(out)
        for o in out_leaves:
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(
                    "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                    f"Tensor with dtype {o.dtype}"
                )
        in_leaves = flatten(picked)[0]
        per_output = []
        for j, o in enumerate(out_leaves):
            m = o.numel()
            rows = []  # one vjp per element of this output
            eye = _basis(m, o)
            for k in range(m):
                cot = [
                    (eye[k].reshape(o.shape) if i == j else o.new_zeros(o.shape))
                    for i, o in enumerate(out_leaves)
                ]
                rows.append(flatten(vjp_fn(unflatten(cot, out_spec)))[0])
            per_input = []
            for i, x in enumerate(in_leaves):
                from ..ops.shape import stack

                col = stack([r[i] for r in rows]) if rows else x.new_zeros((0,) + tuple(x.shape))
                per_input.append(col.reshape(tuple(o.shape) + tuple(x.shape)))
            per_output.append(_split_by_arg(per_input, picked))
        jac = _assemble(per_output, out_leaves, out_spec, specs, argnums)
        return (jac, res[2]) if has_aux else jac

    return wrapper


def _split_by_arg(per_input, picked):
    rows, i = [], 0
    for arg in picked:
        n = len(flatten(arg)[0])
        rows.append(per_input[i : i + n])
        i += n
    return rows


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``torch.func.jacfwd``: the Jacobian of ``func`` with respect to the arguments
    ``argnums``, one Jacobian-vector product per input element."""
    from ._vmap import check_randomness

    check_randomness(randomness)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums, specs = _argnum_specs(args, argnums)

        def inner(*picked):
            full = list(args)
            for a, v in zip(nums, picked):
                full[a] = v
            return func(*full, **kwargs)

        picked = tuple(args[a] for a in nums)
        for x in flatten(picked)[0]:
            if not isinstance(x, Tensor):
                raise RuntimeError(
                    "jvp(f, primals, tangents): Expected primals to only contain Tensors, got "
                    f"{type(x)}"
                )
        lin = _Linearized(inner, picked, has_aux, "jvp(f, primals, tangents)")
        in_leaves = flatten(picked)[0]
        out_leaves = lin.leaves
        cols = [[[] for _ in in_leaves] for _ in out_leaves]  # [output][input] -> columns
        from ..ops.shape import stack

        for i, x in enumerate(in_leaves):
            eye = _basis(x.numel(), x)
            for k in range(x.numel()):
                tangents = [
                    eye[k].reshape(x.shape) if i2 == i else y.new_zeros(y.shape)
                    for i2, y in enumerate(in_leaves)
                ]
                outs = flatten(lin(tangents))[0]
                for j, t in enumerate(outs):
                    cols[j][i].append(t)
        per_output = []
        for j, o in enumerate(out_leaves):
            per_input = []
            for i, x in enumerate(in_leaves):
                c = cols[j][i]
                col = stack(c, -1) if c else o.new_zeros(tuple(o.shape) + (0,))
                per_input.append(col.reshape(tuple(o.shape) + tuple(x.shape)))
            per_output.append(_split_by_arg(per_input, picked))
        jac = _assemble(per_output, out_leaves, lin.spec, specs, argnums)
        return (jac, _tree_release(lin.aux, lin.keep)) if has_aux else jac

    return wrapper


def hessian(func, argnums=0):
    """``torch.func.hessian``: the Jacobian of the gradient (``jacfwd(jacrev(func))``)."""
    return jacfwd(jacrev(func, argnums), argnums)
