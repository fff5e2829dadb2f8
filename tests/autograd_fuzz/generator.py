"""Random autograd programs, built step by step while running them on PyTorch.

Every step is chosen from the current state of the program on PyTorch (shapes, dtypes, values), so
most steps are valid, and steps whose answer would depend on rounding are avoided: inputs near the
kink of ``relu``/``abs``/``clamp``, near ties of ``max``/``sort``, near zero for ``log``/division,
or outputs that are large or not finite.  Steps that raise on PyTorch are kept (the error is part
of the behaviour compared) unless they were meant to be valid and a coin says drop them.
"""

import random
import warnings

import numpy as np
import torch

from .runner import Step

MARGIN = 1e-2  # distance kept from kinks and ties, relative to the values' size
BOUND = 1e3  # largest magnitude a new value may take

F = "torch.nn.functional"

# name, source template ({x} is the input), domain check on the input's values
UNARY = [
    ("neg", ["{x}.neg()", "-{x}", "torch.neg({x})"], None),
    ("exp", ["{x}.exp()", "torch.exp({x})"], lambda a: (a < 4).all()),
    ("log", ["{x}.log()", "torch.log({x})"], lambda a: (a > 0.1).all()),
    # (a large argument turns a last-bit difference of its value, which elementary functions
    # have between the libraries, into a visible one)
    ("sin", ["{x}.sin()", "torch.sin({x})"], lambda a: (np.abs(a) < 30).all()),
    ("cos", ["{x}.cos()", "torch.cos({x})"], lambda a: (np.abs(a) < 30).all()),
    ("tanh", ["{x}.tanh()", "torch.tanh({x})"], None),
    ("sigmoid", ["{x}.sigmoid()", "torch.sigmoid({x})"], None),
    ("relu", ["{x}.relu()", "torch.relu({x})", F + ".relu({x})"], lambda a: _away(a, 0)),
    ("abs", ["{x}.abs()", "torch.abs({x})", "abs({x})"], lambda a: _away(a, 0)),
    ("sqrt", ["{x}.sqrt()", "torch.sqrt({x})"], lambda a: (a > 0.1).all()),
    ("rsqrt", ["{x}.rsqrt()"], lambda a: (a > 0.1).all()),
    ("square", ["{x}.square()", "torch.square({x})"], None),
    ("reciprocal", ["{x}.reciprocal()"], lambda a: (np.abs(a) > 0.2).all()),
    ("expm1", ["{x}.expm1()"], lambda a: (a < 4).all()),
    ("log1p", ["{x}.log1p()"], lambda a: (a > -0.8).all()),
    ("atan", ["{x}.atan()"], None),
    ("erf", ["{x}.erf()", "torch.erf({x})"], None),
    ("sign", ["{x}.sign()"], lambda a: _away(a, 0)),
    ("floor", ["{x}.floor()"], lambda a: _away_int(a, 0.0)),
    ("round", ["{x}.round()"], lambda a: _away_int(a, 0.5)),
    ("clone", ["{x}.clone()", "torch.clone({x})"], None),
    ("detach", ["{x}.detach()"], None),
    ("contiguous", ["{x}.contiguous()"], None),
    ("double", ["{x}.double()", "{x}.to(torch.float64)"], None),
    ("float", ["{x}.float()", "{x}.to(dtype=torch.float32)"], None),
    ("long", ["{x}.long()"], lambda a: _away_int(a, 0.0)),
    ("gelu", [F + ".gelu({x})"], None),
    ("silu", [F + ".silu({x})"], None),
    ("softplus", [F + ".softplus({x})"], None),
    ("leaky_relu", [F + ".leaky_relu({x}, 0.1)"], lambda a: _away(a, 0)),
    ("elu", [F + ".elu({x})"], lambda a: _away(a, 0)),
    ("hardtanh", [F + ".hardtanh({x})"], lambda a: _away(a, 1) and _away(a, -1)),
    ("pow2", ["{x} ** 2", "{x}.pow(2)", "torch.pow({x}, 2)"], None),
    ("pow3", ["{x} ** 3"], lambda a: (np.abs(a) < 8).all()),
    ("powhalf", ["{x} ** 0.5"], lambda a: (a > 0.1).all()),
    ("powm1", ["{x} ** -1"], lambda a: (np.abs(a) > 0.2).all()),
    ("rpow", ["2 ** {x}"], lambda a: (a < 8).all()),
    ("addc", ["{x} + 1.5", "1.5 + {x}", "torch.add({x}, 2)"], None),
    ("subc", ["{x} - 0.5", "0.5 - {x}"], None),
    ("mulc", ["{x} * 2", "-1.5 * {x}", "{x}.mul(0.5)"], None),
    ("divc", ["{x} / 4", "{x}.div(2.5)"], None),
    ("rdiv", ["1 / {x}", "2.0 / {x}"], lambda a: (np.abs(a) > 0.2).all()),
    (
        "clamp",
        ["{x}.clamp(-0.5, 0.5)", "torch.clamp({x}, min=-0.5, max=0.5)"],
        lambda a: _away(a, 0.5) and _away(a, -0.5),
    ),
    ("clamp_min", ["{x}.clamp(min=0.25)", "{x}.clamp_min(0.25)"], lambda a: _away(a, 0.25)),
    ("clamp_max", ["{x}.clamp(max=0.25)"], lambda a: _away(a, 0.25)),
    ("masked_fill", ["{x}.masked_fill({x} > 0, 0.5)"], lambda a: _away(a, 0)),
    ("where0", ["torch.where({x} > 0, {x}, 0.5 * {x})"], lambda a: _away(a, 0)),
    ("gt", ["{x} > 0", "{x}.gt(0.5)"], lambda a: _away(a, 0) and _away(a, 0.5)),
]

# name, source template ({x}, {y}), domain check on (x, y) values
BINARY = [
    ("add", ["{x} + {y}", "torch.add({x}, {y})", "{x}.add({y}, alpha=2)"], None),
    ("sub", ["{x} - {y}", "torch.sub({x}, {y})", "{x}.sub({y})"], None),
    ("mul", ["{x} * {y}", "torch.mul({x}, {y})", "{x}.mul({y})"], None),
    (
        "div",
        ["{x} / {y}", "torch.div({x}, {y})", "{x}.div({y})"],
        lambda a, b: (np.abs(b) > 0.2).all(),
    ),
    ("maximum", ["torch.maximum({x}, {y})", "{x}.maximum({y})"], lambda a, b: _away(a - b, 0)),
    ("minimum", ["torch.minimum({x}, {y})"], lambda a, b: _away(a - b, 0)),
    (
        "pow",
        ["{x} ** {y}", "torch.pow({x}, {y})"],
        lambda a, b: (a > 0.2).all() and (np.abs(b) < 3).all(),
    ),
    (
        "where",
        ["torch.where({x} > {y}, {x}, {y})", "torch.where({x} > 0, {y}, {x})"],
        lambda a, b: _away(a - b, 0) and _away(a, 0),
    ),
    ("lerp", ["torch.lerp({x}, {y}, 0.3)", "{x}.lerp({y}, 0.75)"], None),
    ("mse_loss", [F + ".mse_loss({x}, {y})", F + ".mse_loss({x}, {y}, reduction='sum')"], None),
    ("l1_loss", [F + ".l1_loss({x}, {y})"], lambda a, b: _away(a - b, 0)),
    (
        "smooth_l1",
        [F + ".smooth_l1_loss({x}, {y})"],
        lambda a, b: _away(a - b, 1) and _away(a - b, -1) and _away(a - b, 0),
    ),
    ("bce_logits", [F + ".binary_cross_entropy_with_logits({x}, {y})"], None),
    ("eq_shape_cmp", ["{x} < {y}"], lambda a, b: _away(a - b, 0)),
]


def _away(a, point):
    scale = max(1.0, abs(point))
    return bool((np.abs(np.asarray(a, dtype=np.float64) - point) > MARGIN * scale).all())


def _away_int(a, offset):
    a = np.asarray(a, dtype=np.float64) - offset
    return bool((np.abs(a - np.round(a)) > MARGIN).all())


def _no_ties(a, dim):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return True
    if dim is None:
        a = a.reshape(-1)
        dim = 0
    s = np.sort(a, axis=dim)
    d = np.diff(s, axis=dim)
    return d.size == 0 or bool((d > MARGIN).all())


def _lit(arr):
    """A Python literal of ``arr`` for ``torch.tensor``."""
    if isinstance(arr, np.ndarray) and arr.ndim == 0:
        arr = arr.item()
    if isinstance(arr, np.ndarray):
        return "[" + ", ".join(_lit(a) for a in arr) + "]"
    if isinstance(arr, (bool, np.bool_)):
        return repr(bool(arr))
    if isinstance(arr, (int, np.integer)):
        return repr(int(arr))
    return repr(round(float(arr), 3))


def _dtype_name(dt):
    return str(dt)  # 'torch.float32', the same text runs on retrograd


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.ns = {"torch": torch}
        self.steps = []
        self.live = []  # names of tensors that may be used as inputs
        self.count = 0
        self.classes = set()
        self.handles = []

    # --- bookkeeping ------------------------------------------------------------------------
    def new(self, prefix="t"):
        self.count += 1
        return f"{prefix}{self.count}"

    def val(self, name):
        return self.ns[name].detach().to(torch.float64).numpy()

    def t(self, name):
        return self.ns[name]

    def emit(self, src, tag, outs=(), pure=True, keep_error=0.5):
        """Run ``src`` on PyTorch and keep it as a step, unless it was meant to be harmless and
        made a value out of range (then it is undone by forgetting its outputs)."""
        step = Step(src, tag)
        try:
            exec(step.code, self.ns)
        except Exception:  # noqa: BLE001 - kept: the error is compared
            if pure and self.rng.random() > keep_error:
                return False
            self.steps.append(step)
            return True
        if pure:
            for o in outs:
                v = self.ns.get(o)
                if isinstance(v, torch.Tensor) and not self._ok_value(v):
                    for p in outs:
                        self.ns.pop(p, None)
                    return False
        self.steps.append(step)
        for o in outs:
            v = self.ns.get(o)
            if isinstance(v, torch.Tensor):
                if o in self.live:
                    self.live.remove(o)
                self.live.append(o)
        return True

    @staticmethod
    def _ok_value(t):
        if not (t.is_floating_point()):
            return True
        a = t.detach().to(torch.float64).numpy()
        return bool(np.isfinite(a).all() and (np.abs(a) <= BOUND).all())

    def pick(self, pred=None, recent=True):
        """A live tensor satisfying ``pred``, recent ones more likely."""
        names = [
            n
            for n in self.live
            if n in self.ns
            and isinstance(self.ns[n], torch.Tensor)
            and (pred is None or _holds(pred, self.ns[n]))
        ]
        if not names:
            return None
        if recent:
            weights = [1 + i for i in range(len(names))]
            return self.rng.choices(names, weights)[0]
        return self.rng.choice(names)

    # --- shapes and leaves ------------------------------------------------------------------
    def shape(self):
        r = self.rng
        rank = r.choices([0, 1, 2, 3], [1, 3, 4, 2])[0]
        return tuple(r.choice([1, 2, 2, 3, 3, 4]) for _ in range(rank))

    def partner_shape(self, shape):
        r = self.rng
        s = list(shape)
        c = r.random()
        if c < 0.4:
            return tuple(s)
        if c < 0.6 and s:
            return tuple(s[r.randrange(len(s) + 1) :])  # a suffix
        if c < 0.85:
            return tuple(1 if r.random() < 0.4 else d for d in s)
        return (r.choice([1, 2]),) + tuple(s)

    def leaf(self, shape=None, dtype=None, requires_grad=None, positive=False, values=None):
        r = self.rng
        if shape is None:
            shape = self.shape()
        if dtype is None:
            dtype = r.choice(["torch.float32", "torch.float32", "torch.float64"])
        if requires_grad is None:
            requires_grad = r.random() < 0.7
        n = int(np.prod(shape)) if shape else 1
        if values is None:
            mags = np.array([r.uniform(0.15, 2.0) for _ in range(n)])
            signs = np.ones(n) if positive else np.array([r.choice([-1, 1]) for _ in range(n)])
            values = (mags * signs).reshape(shape)
        name = self.new()
        rg = ", requires_grad=True" if requires_grad else ""
        kind = r.random()
        if kind < 0.85 or not shape:
            src = f"{name} = torch.tensor({_lit(np.asarray(values))}, dtype={dtype}{rg})"
        elif kind < 0.9:
            src = f"{name} = torch.ones({', '.join(map(str, shape))}, dtype={dtype}{rg})"
        elif kind < 0.95:
            src = f"{name} = torch.full({tuple(shape)!r}, 0.75, dtype={dtype}{rg})"
        else:
            src = (
                f"{name} = torch.arange({n}, dtype={dtype}).add(1).div({n}).reshape("
                f"{', '.join(map(str, shape))})" + (".requires_grad_()" if requires_grad else "")
            )
        self.emit(src, "leaf:tensor", [name], pure=False)
        return name

    def operand(self, shape, check=None, positive=False):
        """An existing tensor broadcastable to ``shape`` (``check`` on its values holds), or a new
        leaf of a broadcast-compatible shape."""
        r = self.rng
        if r.random() < 0.45:

            def ok(t):
                if not t.is_floating_point():
                    return False
                try:
                    np.broadcast_shapes(tuple(t.shape), tuple(shape))
                except ValueError:
                    return False
                return check is None or check(t.detach().double().numpy())

            name = self.pick(ok)
            if name is not None:
                return name
        return self.leaf(self.partner_shape(shape), positive=positive)

    # --- step kinds -------------------------------------------------------------------------
    def floating(self, t):
        return t.is_floating_point()

    def unary(self):
        name, forms, check = self.rng.choice(UNARY)
        x = self.pick(self.floating)
        if x is None:
            return False
        if check is not None and not check(self.val(x)):
            return False
        out = self.new()
        return self.emit(f"{out} = " + self.rng.choice(forms).format(x=x), f"unary:{name}", [out])

    def binary(self):
        name, forms, check = self.rng.choice(BINARY)
        x = self.pick(self.floating)
        if x is None:
            return False
        if name == "pow" and not (self.val(x) > 0.2).all():
            return False
        y = self.operand(tuple(self.t(x).shape), positive=(name == "div"))
        if self.rng.random() < 0.5 and name not in ("pow",):
            x, y = y, x
        if check is not None:
            try:
                if not check(*np.broadcast_arrays(self.val(x), self.val(y))):
                    return False
            except ValueError:
                pass  # shapes do not broadcast: PyTorch's error is compared
        out = self.new()
        return self.emit(
            f"{out} = " + self.rng.choice(forms).format(x=x, y=y), f"binary:{name}", [out]
        )

    def dim_of(self, t, allow_bad=0.03):
        nd = t.dim()
        if self.rng.random() < allow_bad:
            return nd + 1
        if nd == 0:
            return self.rng.choice([0, -1])
        d = self.rng.randrange(nd)
        return d - nd if self.rng.random() < 0.3 else d

    def reduction(self):
        r = self.rng
        x = self.pick(self.floating)
        if x is None:
            return False
        t = self.t(x)
        a = self.val(x)
        d = self.dim_of(t)
        kd = r.choice(["", ", keepdim=True"])
        dpos = d % max(t.dim(), 1) if t.dim() else None
        choices = [
            ("sum", f"{x}.sum()", None),
            ("sum_dim", f"{x}.sum({d}{kd})", None),
            ("sum_dims", f"{x}.sum(dim=({0}, {-1}))" if t.dim() >= 2 else f"{x}.sum(0)", None),
            ("mean", f"{x}.mean()", None),
            ("mean_dim", f"torch.mean({x}, {d}{kd})", None),
            (
                "prod",
                f"{x}.prod({d})" if t.dim() else f"{x}.prod()",
                lambda: (np.abs(a) > 0.1).all(),
            ),
            ("prod_all", f"{x}.prod()", lambda: (np.abs(a) > 0.2).all() and a.size <= 8),
            ("amax", f"{x}.amax({d}{kd})", lambda: _no_ties(a, dpos)),
            ("max_all", f"{x}.max()", lambda: _no_ties(a, None)),
            ("max_dim", f"{x}.max({d}{kd}).values", lambda: _no_ties(a, dpos)),
            ("min_dim", f"torch.min({x}, dim={d})[0]", lambda: _no_ties(a, dpos)),
            ("argmax", f"{x}.argmax({d})", lambda: _no_ties(a, dpos)),
            ("norm", f"{x}.norm()", lambda: np.abs(a).max() > 0.1),
            (
                "norm_dim",
                f"torch.linalg.vector_norm({x}, dim={d})",
                lambda: (np.abs(a) > 0.05).all(),
            ),
            ("var", f"{x}.var({d})", lambda: t.dim() and t.shape[dpos] >= 2),
            ("std", f"{x}.std()", lambda: a.size >= 2 and a.std() > 0.05),
            ("logsumexp", f"{x}.logsumexp({d})", lambda: (a < 5).all()),
            ("softmax", f"{x}.softmax({d})", None),
            ("softmax_f", f"{F}.softmax({x}, dim={d})", None),
            ("log_softmax", f"{x}.log_softmax({d})", lambda: (a < 5).all()),
            ("cumsum", f"{x}.cumsum({d})", None),
            ("cumprod", f"torch.cumprod({x}, dim={d})", lambda: (np.abs(a) > 0.1).all()),
            ("sort", f"{x}.sort({d}).values", lambda: _no_ties(a, dpos)),
            (
                "sort_desc",
                f"torch.sort({x}, dim={d}, descending=True)[0]",
                lambda: _no_ties(a, dpos),
            ),
            ("topk", f"{x}.topk(1, dim={d}).values", lambda: _no_ties(a, dpos)),
            ("flip", f"{x}.flip({d})", None),
            ("roll", f"{x}.roll(1, {d})", None),
            ("trace", f"{x}.trace()", None),
            ("tril", f"{x}.tril()", None),
            ("triu", f"torch.triu({x}, 1)", None),
        ]
        name, src, check = r.choice(choices)
        if check is not None and not check():
            return False
        out = self.new()
        return self.emit(f"{out} = {src}", f"reduce:{name}", [out])

    def view(self):
        r = self.rng
        x = self.pick(lambda t: t.numel() > 0)
        if x is None:
            return False
        t = self.t(x)
        nd = t.dim()
        shape = tuple(t.shape)
        n = t.numel()
        opts = []
        # view / reshape to a factorization of numel
        facs = [d for d in range(1, n + 1) if n % d == 0]
        f = r.choice(facs)
        new_shape = r.choice([(n,), (f, n // f), (-1,), (f, -1), (1, f, n // f)])
        opts.append(("view", f"{x}.view({', '.join(map(str, new_shape))})"))
        opts.append(("reshape", f"{x}.reshape({new_shape!r})"))
        opts.append(("flatten", f"{x}.flatten()"))
        opts.append(("unsqueeze", f"{x}.unsqueeze({r.randint(-nd - 1, nd)})"))
        opts.append(("index_none", f"{x}[None]"))
        opts.append(("detach", f"{x}.detach()"))
        if nd >= 1:
            d = self.dim_of(t)
            i = r.randrange(-shape[d % nd], shape[d % nd]) if r.random() > 0.03 else shape[0]
            opts.append(("select", f"{x}.select({d}, {i})"))
            opts.append(("index", f"{x}[{i}]"))
            a = r.randrange(shape[0])
            b = r.randint(a + 1, shape[0])
            opts.append(("slice", f"{x}[{a}:{b}]"))
            opts.append(("slice_step", f"{x}[..., ::2]"))
            opts.append(("narrow", f"{x}.narrow({d}, 0, {max(1, shape[d % nd] - 1)})"))
            opts.append(("squeeze", f"{x}.squeeze()"))
            opts.append(("squeeze_dim", f"{x}.squeeze({d})"))
            opts.append(("unbind", f"{x}.unbind({d})[{r.randrange(shape[d % nd])}]"))
            opts.append(("split", f"{x}.split(1, {d})[0]"))
            opts.append(("chunk", f"torch.chunk({x}, 2, {d})[0]"))
            exp = tuple(r.choice([s, 3]) if s == 1 else s for s in shape)
            opts.append(("expand", f"{x}.expand({', '.join(map(str, (2,) + exp))})"))
            opts.append(("index_list", f"{x}[[0, {shape[0] - 1}, 0]]"))
            opts.append(("index_select", f"{x}.index_select({d}, torch.tensor([0, 0]))"))
            opts.append(("repeat", f"{x}.repeat({', '.join(['2'] + ['1'] * (nd - 1))})"))
        if nd >= 2:
            d0, d1 = r.sample(range(nd), 2)
            opts.append(("transpose", f"{x}.transpose({d0}, {d1})"))
            perm = list(range(nd))
            r.shuffle(perm)
            opts.append(("permute", f"{x}.permute({', '.join(map(str, perm))})"))
            opts.append(("mT", f"{x}.mT"))
            opts.append(("diagonal", f"{x}.diagonal()"))
            opts.append(("slice2", f"{x}[:, {r.randrange(shape[1])}]"))
            opts.append(("movedim", f"{x}.movedim(0, -1)"))
        if nd <= 2:
            opts.append(("t", f"{x}.t()"))
        if nd == 2:
            opts.append(("T", f"{x}.T"))
        if t.is_floating_point():
            opts.append(("mask", f"{x}[{x} > 0]"))
        name, src = r.choice(opts)
        if name == "mask" and not _away(self.val(x), 0):
            return False
        if name == "unbind" and shape[d % nd] > 1 and r.random() < 0.5:
            # keep every output of a function that returns several views
            outs = [self.new() for _ in range(shape[d % nd])]
            return self.emit(f"{', '.join(outs)} = {x}.unbind({d})", "view:unbind_all", outs)
        out = self.new()
        return self.emit(f"{out} = {src}", f"view:{name}", [out])

    def matmul(self):
        r = self.rng
        x = self.pick(lambda t: t.is_floating_point() and 1 <= t.dim() <= 3)
        if x is None:
            return False
        t = self.t(x)
        k = t.shape[-1]
        m = r.choice([1, 2, 3])
        form = r.random()
        if t.dim() == 2 and form < 0.2:
            y = self.leaf((k, m), dtype=_dtype_name(t.dtype) if r.random() < 0.9 else None)
            src, name = f"{x}.mm({y})", "mm"
        elif t.dim() == 3 and form < 0.3:
            y = self.leaf((t.shape[0], k, m), dtype=_dtype_name(t.dtype))
            src, name = f"torch.bmm({x}, {y})", "bmm"
        elif t.dim() == 2 and form < 0.4:
            y = self.leaf((m, k), dtype=_dtype_name(t.dtype))
            src, name = f"{F}.linear({x}, {y})", "linear"
        elif t.dim() == 2 and form < 0.5:
            y = self.leaf((k, m), dtype=_dtype_name(t.dtype))
            src, name = f"torch.einsum('ij,jk->ik', {x}, {y})", "einsum"
        else:
            yshape = r.choice([(k,), (k, m), (2, k, m)])
            y = self.leaf(yshape, dtype=_dtype_name(t.dtype) if r.random() < 0.9 else None)
            src, name = r.choice([f"{x} @ {y}", f"torch.matmul({x}, {y})"]), "matmul"
            if r.random() < 0.3:
                src = r.choice([f"{y}.mT @ {x}.mT" if len(yshape) >= 2 and t.dim() >= 2 else src])
        out = self.new()
        return self.emit(f"{out} = {src}", f"matmul:{name}", [out])

    def join(self):
        r = self.rng
        x = self.pick(self.floating)
        if x is None:
            return False
        t = self.t(x)
        shape = tuple(t.shape)
        same = self.pick(lambda u: u.is_floating_point() and tuple(u.shape) == shape)
        y = same if same is not None and r.random() < 0.5 else self.leaf(shape)
        if r.random() < 0.5 or t.dim() == 0:
            d = r.randint(0, t.dim())
            out = self.new()
            return self.emit(f"{out} = torch.stack([{x}, {y}], {d})", "join:stack", [out])
        d = self.dim_of(t)
        out = self.new()
        return self.emit(f"{out} = torch.cat([{x}, {y}], dim={d})", "join:cat", [out])

    INPLACE = [
        # name, template ({x} target, {y} operand), needs operand, check on x / x,y
        ("add_", "{x}.add_({y})", True, None),
        ("add_scalar", "{x}.add_(1.5)", False, None),
        ("sub_", "{x}.sub_({y}, alpha=0.5)", True, None),
        ("mul_", "{x}.mul_({y})", True, None),
        ("mul_scalar", "{x}.mul_(2)", False, None),
        ("div_", "{x}.div_({y})", True, lambda a, b: (np.abs(b) > 0.2).all()),
        ("iadd", "{x} += {y}", True, None),
        ("imul", "{x} *= {y}", True, None),
        ("clamp_", "{x}.clamp_(-0.5, 0.5)", False, lambda a, b: _away(a, 0.5) and _away(a, -0.5)),
        ("relu_", "{x}.relu_()", False, lambda a, b: _away(a, 0)),
        ("exp_", "{x}.exp_()", False, lambda a, b: (a < 4).all()),
        ("sigmoid_", "{x}.sigmoid_()", False, None),
        ("tanh_", "{x}.tanh_()", False, None),
        ("sin_", "{x}.sin_()", False, lambda a, b: (np.abs(a) < 30).all()),  # (as sin)
        ("neg_", "{x}.neg_()", False, None),
        ("pow_", "{x}.pow_(2)", False, None),
        ("sqrt_", "{x}.sqrt_()", False, lambda a, b: (a > 0.1).all()),
        ("zero_", "{x}.zero_()", False, None),
        ("fill_", "{x}.fill_(0.5)", False, None),
        ("copy_", "{x}.copy_({y})", True, None),
        ("addcmul_", "{x}.addcmul_({y}, {y}, value=0.5)", True, None),
        ("lerp_", "{x}.lerp_({y}, 0.25)", True, None),
        ("masked_fill_", "{x}.masked_fill_({x} > 0, 0.25)", False, lambda a, b: _away(a, 0)),
        ("setitem", "{x}[0] = {y}", True, None),
        ("setitem_scalar", "{x}[..., 0] = 2.0", False, None),
        ("setitem_iadd", "{x}[0] += {y}", True, None),
        ("detach_", "{x}.detach_()", False, None),
        ("requires_grad_", "{x}.requires_grad_()", False, None),
        ("unsqueeze_", "{x}.unsqueeze_(0)", False, None),
        ("t_", "{x}.t_()", False, None),
    ]

    def inplace(self, no_grad=False):
        r = self.rng
        name, tmpl, needs, check = r.choice(self.INPLACE)
        x = self.pick(lambda t: t.numel() > 0)
        if x is None:
            return False
        t = self.t(x)
        y = None
        if needs:
            if name.startswith("setitem") and t.dim() >= 1:
                target_shape = tuple(t.shape[1:])
            elif name.startswith("setitem"):
                return False
            else:
                target_shape = tuple(t.shape)
            cand = self.partner_shape(target_shape)
            # the operand must broadcast to the target, not the other way
            cand = (
                tuple(cand[-len(target_shape) :])
                if len(cand) > len(target_shape) and r.random() < 0.9
                else cand
            )
            y = self.pick(lambda u: u.is_floating_point() and _broadcasts_to(u.shape, target_shape))
            if y is None or r.random() < 0.5:
                y = self.leaf(cand)
        if check is not None:
            try:
                b = None if y is None else self.val(y)
                if not check(self.val(x), b):
                    return False
            except ValueError:
                pass
        src = tmpl.format(x=x, y=y)
        if not self._inplace_bounded(src, x, y):
            return False
        if no_grad:
            src = "with torch.no_grad():\n    " + src
        out = None
        if r.random() < 0.2 and "=" not in tmpl:
            # keep what the method returns: PyTorch returns the tensor itself
            out = self.new()
            line = f"{out} = " + tmpl.format(x=x, y=y)
            src = f"with torch.no_grad():\n    {line}" if no_grad else line
        return self.emit(
            src,
            ("nograd_inplace:" if no_grad else "inplace:") + name,
            [o for o in (out, x) if o],
            pure=False,
        )

    def _inplace_bounded(self, src, x, y):
        """Would the in-place step keep values in range?  Tried on detached copies."""
        ns = {"torch": torch}
        for n in (x, y):
            if n is not None:
                ns[n] = self.ns[n].detach().clone()
        try:
            with torch.no_grad():
                exec(src, ns)
        except Exception:  # noqa: BLE001 - the real step will raise too: fine
            return True
        return self._ok_value(ns[x]) if isinstance(ns.get(x), torch.Tensor) else True

    def grad_mode(self):
        """An op run under no_grad / enable_grad / set_grad_enabled / inference_mode."""
        r = self.rng
        c = r.random()
        if c < 0.35:
            return self.inplace(no_grad=True)
        mode = r.choice(
            [
                "torch.no_grad()",
                "torch.no_grad()",
                "torch.set_grad_enabled(False)",
                "torch.inference_mode()",
                "torch.enable_grad()",
            ]
        )
        n_before = len(self.steps)
        ok = r.choice([self.unary, self.binary, self.reduction, self.view])()
        if not ok or len(self.steps) == n_before:
            return ok
        step = self.steps.pop()
        if not step.tag.startswith(("unary", "binary", "reduce", "view")):
            self.steps.append(step)
            return ok
        # rerun the step's line inside the mode (the plain run's outputs are replaced)
        lines = step.src
        if r.random() < 0.2 and mode == "torch.no_grad()":
            src = f"with torch.no_grad():\n    with torch.enable_grad():\n        {lines}"
        else:
            src = f"with {mode}:\n    {lines}"
        outs = [s.strip() for s in lines.split("=")[0].split(",")]
        return self.emit(src, f"mode:{mode.split('(')[0].split('.')[-1]}:{step.tag}", outs)

    def backward(self):
        r = self.rng
        root = (
            self.pick(lambda t: t.requires_grad and t.is_floating_point())
            if r.random() < 0.95
            else self.pick()
        )
        if root is None:
            return False
        t = self.t(root)
        leaves = [
            n
            for n in self.live
            if n in self.ns
            and isinstance(self.ns[n], torch.Tensor)
            and _holds(lambda u: u.requires_grad and u.is_leaf, self.ns[n])
        ]
        red = r.choice([f"{root}.sum()", f"{root}.mean()", f"({root} * {root}).sum()"])
        retain = ", retain_graph=True" if r.random() < 0.4 else ""
        c = r.random()
        if c < 0.3:
            return self.emit(
                f"{red}.backward({retain.lstrip(', ')})", "backward:backward", pure=False
            )
        if c < 0.36 and leaves:
            # double backward through .grad: backward(create_graph=True), then a loss of .grad
            ok = self.emit(
                f"{red}.backward(create_graph=True)", "backward:create_graph", pure=False
            )
            leaf = r.choice(leaves)
            if ok and self.ns[leaf].grad is not None and r.random() < 0.7:
                if r.random() < 0.5:
                    return self.emit(
                        f"({leaf}.grad * {leaf}.grad).sum().backward()",
                        "backward:second_order_dotgrad",
                        pure=False,
                    )
                o = self.new("g")
                return self.emit(
                    f"{o}, = torch.autograd.grad({leaf}.grad.sum(), [{leaf}], allow_unused=True)",
                    "backward:second_order_dotgrad",
                    [o],
                    pure=False,
                )
            return ok
        if c < 0.4:
            if t.dim() == 0 or r.random() < 0.2:
                src = f"{root}.backward({retain.lstrip(', ')})"
            else:
                # written inline: PyTorch may keep (a view of) the gradient given as a leaf's
                # .grad and add to it in place later, which would change a user's tensor
                dt = _dtype_name(t.dtype) if r.random() < 0.9 else "torch.float64"
                vals = np.array([r.uniform(-2, 2) for _ in range(t.numel())]).reshape(t.shape)
                src = f"{root}.backward(torch.tensor({_lit(vals)}, dtype={dt}){retain})"
            return self.emit(src, "backward:gradient", pure=False)
        if c < 0.47 and leaves:
            inp = r.choice(leaves)
            return self.emit(
                f"{red}.backward(inputs=[{inp}]{retain})", "backward:inputs", pure=False
            )
        if c < 0.52:
            others = self.pick(lambda u: u.requires_grad and u.is_floating_point())
            return self.emit(
                f"torch.autograd.backward([{red}, {others}.sum()]{retain})",
                "backward:multi",
                pure=False,
            )
        # autograd.grad, maybe with create_graph, then maybe second order
        wrt = [
            n
            for n in self.live
            if n in self.ns and isinstance(self.ns[n], torch.Tensor) and self.ns[n].requires_grad
        ]
        if not wrt:
            return False
        k = min(len(wrt), r.choice([1, 1, 2, 3]))
        chosen = r.sample(wrt, k)
        cg = r.random() < 0.6
        unused = r.random() < 0.7
        outs = [self.new("g") for _ in chosen]
        kw = (
            (", create_graph=True" if cg else "")
            + retain
            + (", allow_unused=True" if unused else "")
        )
        if t.dim() and r.random() < 0.3:
            vals = np.array([r.uniform(-2, 2) for _ in range(t.numel())]).reshape(t.shape)
            red = root
            kw = f", grad_outputs=torch.tensor({_lit(vals)}, dtype={_dtype_name(t.dtype)})" + kw
        src = f"{', '.join(outs)}, = torch.autograd.grad({red}, [{', '.join(chosen)}]{kw})"
        ok = self.emit(src, "backward:grad_cg" if cg else "backward:grad", outs, pure=False)
        if ok and cg and r.random() < 0.6:
            g = [
                o
                for o in outs
                if isinstance(self.ns.get(o), torch.Tensor) and self.ns[o].requires_grad
            ]
            if g:
                gg = r.choice(g)
                if r.random() < 0.5:
                    return self.emit(
                        f"({gg} * {gg}).sum().backward()", "backward:second_order", pure=False
                    )
                wrt2 = r.choice(chosen)
                o2 = self.new("g")
                return self.emit(
                    f"{o2}, = torch.autograd.grad({gg}.sum(), [{wrt2}], allow_unused=True)",
                    "backward:second_order_grad",
                    [o2],
                    pure=False,
                )
        return ok

    def zero_grad(self):
        x = self.pick(lambda t: t.grad is not None)
        if x is None:
            return False
        src = self.rng.choice([f"{self.rng.choice([x])}.grad = None", f"{x}.grad.zero_()"])
        return self.emit(src, "grad:reset", pure=False)

    def hook(self):
        r = self.rng
        # PyTorch 2.13 crashes (SIGSEGV) registering a hook on a view whose base was modified in
        # place through another view: such views are left alone.
        x = self.pick(
            lambda t: t.is_floating_point() and not (t._base is not None and t._version > 0)
        )
        if x is None:
            return False
        c = r.random()
        if c < 0.3:
            src, tag = f"{x}.register_hook(lambda g: g * 2)", "hook:tensor_double"
        elif c < 0.5:
            src, tag = (
                f"{x}.register_hook(lambda g: log.append(('{x}', g.sum().item())))",
                "hook:tensor_log",
            )
        elif c < 0.65:
            src, tag = f"{x}.retain_grad()", "hook:retain_grad"
        elif c < 0.75:
            src, tag = (
                f"{x}.register_post_accumulate_grad_hook(lambda p: "
                f"log.append(('acc {x}', p.grad.sum().item())))",
                "hook:post_accumulate",
            )
        elif c < 0.85:
            src, tag = (
                f"{x}.grad_fn.register_hook(lambda gi, go: log.append(('node {x}', "
                f"len(gi), len(go))))",
                "hook:node_post",
            )
        elif c < 0.92:
            src, tag = (f"{x}.grad_fn.register_prehook(lambda go: (go[0] * 3,))", "hook:node_pre")
        else:
            if not self.handles:
                return False
            h = self.handles.pop()
            return self.emit(f"{h}.remove()", "hook:remove", pure=False)
        if "register" in src and r.random() < 0.4:
            h = self.new("h")
            self.handles.append(h)
            src = f"{h} = {src}"
        return self.emit(src, tag, pure=False)

    CLASSES = {
        "Cube": """class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * g * x ** 2

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return 3 * t * x ** 2""",
        "MulPair": """class MulPair(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, ga, gb):
        a, b = ctx.saved_tensors
        return ga * b + gb, ga * a + gb""",
        "Twice": """class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2""",
        "Split": """class Split(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x.exp(), x.argmax()

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_non_differentiable(output[1])
        ctx.save_for_backward(output[0])

    @staticmethod
    def backward(ctx, g, gi):
        (e,) = ctx.saved_tensors
        return g * e""",
    }

    def ensure_class(self, name):
        if name not in self.classes:
            self.classes.add(name)
            self.emit(self.CLASSES[name], f"define:{name}", pure=False)

    def custom(self):
        r = self.rng
        x = self.pick(self.floating)
        if x is None:
            return False
        a = self.val(x)
        which = r.choice(["Cube", "MulPair", "Twice", "Split"])
        if which == "Cube":
            if not (np.abs(a) < 6).all():
                return False
            self.ensure_class(which)
            out = self.new()
            return self.emit(f"{out} = Cube.apply({x})", "custom:Cube", [out])
        if which == "MulPair":
            y = (
                self.operand(tuple(self.t(x).shape))
                if r.random() < 0.3
                else self.leaf(tuple(self.t(x).shape))
            )
            self.ensure_class(which)
            o1, o2 = self.new(), self.new()
            return self.emit(f"{o1}, {o2} = MulPair.apply({x}, {y})", "custom:MulPair", [o1, o2])
        if which == "Twice":
            self.ensure_class(which)
            out = self.new()
            return self.emit(f"{out} = Twice.apply({x})", "custom:Twice", [out, x], pure=False)
        if not (a < 4).all() or not _no_ties(a, None):
            return False
        self.ensure_class(which)
        o1, o2 = self.new(), self.new()
        return self.emit(f"{o1}, {o2} = Split.apply({x})", "custom:Split", [o1, o2])

    BODIES = [
        "lambda a: (a * a).sin()",
        "lambda a: a.tanh().exp() * 2",
        "lambda a: a.sigmoid() * a",
        "lambda a: (a.cos() + 1).sum(0)",
    ]

    def checkpoint(self):
        r = self.rng
        x = self.pick(lambda t: t.is_floating_point() and t.dim() >= 1)
        if x is None:
            return False
        reentrant = r.random() < 0.3
        out = self.new()
        if r.random() < 0.5:
            y = self.operand(tuple(self.t(x).shape))
            body = r.choice(["lambda a, b: (a * b).sin()", "lambda a, b: a.exp() * b.tanh()"])
            if "exp" in body and not (self.val(x) < 4).all():
                return False
            args = f"{x}, {y}"
        else:
            body = r.choice(self.BODIES)
            args = x
        if ("sin" in body or "cos" in body) and not (np.abs(self.val(x)) < 5).all():
            return False  # (a large argument makes a last-bit difference of its input visible)
        src = (
            f"{out} = torch.utils.checkpoint.checkpoint({body}, {args}, use_reentrant={reentrant})"
        )
        return self.emit(src, f"checkpoint:reentrant={reentrant}", [out])

    FW_BODIES = [
        "{d}.sin() * {d}",
        "({d} * {d}).exp().sum()",
        "{d}.tanh() + {o}",
        "{d} @ {d}.mT",
        "{d}.sigmoid().mul(2)",
        "{d}.softmax(-1)",
        "{d}.cos().t()",
        "Cube.apply({d})",
        "{d}.unsqueeze(0).expand(2, *{d}.shape) * 2",
        "{d}.relu() * {o}",
    ]

    def forward_ad(self):
        r = self.rng
        x = self.pick(self.floating)
        if x is None:
            return False
        t = self.t(x)
        body = r.choice(self.FW_BODIES)
        a = self.val(x)
        if "exp" in body and not (a < 2).all():
            return False
        if "relu" in body and not _away(a, 0):
            return False
        if "@" in body and t.dim() < 2:
            return False
        if "Cube" in body:
            if not (np.abs(a) < 6).all():
                return False
            self.ensure_class("Cube")
        tan = self.leaf(tuple(t.shape), dtype=_dtype_name(t.dtype), requires_grad=False)
        o = self.operand(tuple(t.shape)) if "{o}" in body else None
        # names: d/e dual tensors, p the primal, q the tangent (see runner._TENSOR_FIELDS)
        d, e, p, tg = self.new("d"), self.new("e"), self.new("p"), self.new("q")
        src = (
            "with torch.autograd.forward_ad.dual_level():\n"
            f"    {d} = torch.autograd.forward_ad.make_dual({x}, {tan})\n"
            f"    {e} = {body.format(d=d, o=o)}\n"
            f"    {p}, {tg} = torch.autograd.forward_ad.unpack_dual({e})"
        )
        return self.emit(src, "forward_ad:" + body.format(d="x", o="y"), [d, e, p, tg])

    FUNCS = [
        "lambda a: a.sin() * 2",
        "lambda a: (a * a).sum(0)",
        "lambda a: a.exp().sum()",
        "lambda a: a.tanh() * a",
        "lambda a: (a ** 3).sum()",
    ]

    def functional(self):
        """torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp."""
        r = self.rng
        x = self.pick(lambda t: t.is_floating_point() and t.numel() <= 6)
        if x is None:
            return False
        t = self.t(x)
        a = self.val(x)
        if not (np.abs(a) < 3).all():
            return False
        f = r.choice(self.FUNCS)
        cg = ", create_graph=True" if r.random() < 0.3 else ""
        which = r.choice(["jacobian", "hessian", "vjp", "jvp", "hvp"])
        if which == "hessian" or which == "hvp":
            f = r.choice([g for g in self.FUNCS if "sum()" in g])
        out = self.new("j")  # j*: results of derivative formulas, see runner
        if which == "jacobian":
            return self.emit(
                f"{out} = torch.autograd.functional.jacobian({f}, {x}{cg})",
                "functional:jacobian",
                [out],
            )
        if which == "hessian":
            return self.emit(
                f"{out} = torch.autograd.functional.hessian({f}, {x}{cg})",
                "functional:hessian",
                [out],
            )
        out2 = self.new("j")
        if which == "hvp":
            v = self.leaf(tuple(t.shape), dtype=_dtype_name(t.dtype), requires_grad=False)
            return self.emit(
                f"{out}, {out2} = torch.autograd.functional.hvp({f}, {x}, {v}{cg})",
                "functional:hvp",
                [out, out2],
            )
        ns = {"torch": torch, x: t}
        try:
            y = eval(f, ns)(t)
        except Exception:  # noqa: BLE001
            return False
        shape = tuple(y.shape) if which == "vjp" else tuple(t.shape)
        v = self.leaf(shape, dtype=_dtype_name(t.dtype), requires_grad=False)
        return self.emit(
            f"{out}, {out2} = torch.autograd.functional.{which}({f}, {x}, {v}{cg})",
            f"functional:{which}",
            [out, out2],
        )

    def saved_hooks(self):
        """An op run under saved-tensor hooks that pack into a tuple and unpack again."""
        n_before = len(self.steps)
        ok = self.rng.choice([self.unary, self.binary, self.reduction, self.custom])()
        if not ok or len(self.steps) == n_before:
            return ok
        step = self.steps.pop()
        if (
            not step.tag.startswith(("unary", "binary", "reduce", "custom"))
            or step.tag == "custom:Twice"
        ):  # not pure: it cannot run a second time
            self.steps.append(step)
            return ok
        src = (
            "with torch.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):\n"
            f"    {step.src}"
        )
        outs = [s.strip() for s in step.src.split("=")[0].split(",")]
        return self.emit(src, f"saved_hooks:{step.tag}", outs)

    def error_prone(self):
        """Steps that PyTorch rejects: in-place on a leaf that requires grad, backward twice."""
        r = self.rng
        c = r.random()
        if c < 0.4:
            x = self.pick(lambda t: t.is_leaf and t.requires_grad)
            if x is None:
                return False
            return self.emit(
                r.choice(
                    [
                        f"{x}.add_(1)",
                        f"{x}[0] = 1.0" if self.t(x).dim() else f"{x}.mul_(2)",
                        f"{x}.zero_()",
                    ]
                ),
                "error:leaf_inplace",
                pure=False,
            )
        if c < 0.7:
            x = self.pick(lambda t: t.grad_fn is not None)
            if x is None:
                return False
            return self.emit(
                f"{x}.sum().backward()\n{x}.sum().backward()", "error:backward_twice", pure=False
            )
        x = self.pick(lambda t: t.requires_grad and t.dim() >= 1 and t.is_floating_point())
        if x is None:
            return False
        return self.emit(f"{x}.backward()", "error:nonscalar_backward", pure=False)

    # --- the program ------------------------------------------------------------------------
    KINDS = [
        ("unary", 20),
        ("binary", 18),
        ("reduction", 10),
        ("view", 14),
        ("inplace", 12),
        ("matmul", 4),
        ("join", 3),
        ("grad_mode", 5),
        ("backward", 8),
        ("zero_grad", 1),
        ("hook", 4),
        ("custom", 3),
        ("checkpoint", 2),
        ("forward_ad", 2),
        ("functional", 2),
        ("saved_hooks", 2),
        ("error_prone", 1),
    ]

    def program(self):
        r = self.rng
        self.emit("log = []", "setup:log", pure=False)
        for _ in range(r.randint(1, 3)):
            self.leaf(requires_grad=True if r.random() < 0.8 else None)
        n_ops = r.randint(3, 25)
        names = [k for k, _ in self.KINDS]
        weights = [w for _, w in self.KINDS]
        done = tries = 0
        while done < n_ops and tries < 6 * n_ops:
            tries += 1
            kind = r.choices(names, weights)[0]
            try:
                ok = getattr(self, kind)()
            except Exception:  # noqa: BLE001 - a check PyTorch refused (e.g. is_leaf of a
                ok = False  # view whose base changed) or an empty tensor: try another step
            if ok:
                done += 1
        if r.random() < 0.85:
            for _ in range(5):
                try:
                    if self.backward():
                        break
                except Exception:  # noqa: BLE001 - as above
                    pass
        return self.steps


def _holds(pred, t):
    try:
        return pred(t)
    except Exception:  # noqa: BLE001 - e.g. grad_fn of a view whose base was modified
        return False


def _broadcasts_to(shape, target):
    shape, target = tuple(shape), tuple(target)
    if len(shape) > len(target):
        return False
    for a, b in zip(reversed(shape), reversed(target)):
        if a != b and a != 1:
            return False
    return True


def generate(seed):
    """The program of ``seed`` as a list of steps."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Generator(seed).program()
    finally:
        torch.set_grad_enabled(True)
