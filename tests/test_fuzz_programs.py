"""Programs the differential fuzzer found retrograd answering differently from PyTorch, reduced
to their few lines: each runs on both libraries and every step must leave the same record (values,
flags, node names, gradients, errors with their type and text)."""

import textwrap

import pytest

torch = pytest.importorskip("torch")  # the reference

from autograd_fuzz import compare, report, run
from autograd_fuzz.runner import Step

import retrograd


def _steps(text):
    """One step per top-level statement (a ``with`` block with its body)."""
    steps = []
    for line in textwrap.dedent(text).strip().splitlines():
        if line[:1].isspace() and steps:
            steps[-1] += "\n" + line
        else:
            steps.append(line)
    return [Step(src, f"test:{i}") for i, src in enumerate(steps)]


PROGRAMS = {
    "a 0-dim min over a dim saves its index: a second backward is an error": """
        x = torch.tensor(-0.649, dtype=torch.float64, requires_grad=True)
        y = torch.min(x, dim=-1)[0] + 1.5
        y.sum().backward()
        y.sum().backward()
        z = torch.max(x, 0, keepdim=True).values
        z.backward()
        z.backward()
    """,
    "mm, linear and addmm give a transposed input a transposed gradient, others a contiguous one": """
        a = torch.ones(4, 3, dtype=torch.float64, requires_grad=True)
        b = torch.ones(5, 4, dtype=torch.float64, requires_grad=True)
        c = torch.ones(3, 4, dtype=torch.float64, requires_grad=True)
        bias = torch.ones(5, dtype=torch.float64, requires_grad=True)
        at = a.t()
        bt = b.t()
        g = torch.autograd.grad(torch.mm(at, bt).sum(), [a, b, at, bt])
        s1 = [x.stride() for x in g]
        g = torch.autograd.grad((c @ bt).sum(), [b, c, bt], create_graph=True)
        s2 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(at, b, bias).sum(), [a, b, at])
        s3 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(c, bt.t(), bias).sum(), [b, c, bt])
        s4 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.nn.functional.linear(at, b).sum(), [a, b, at])
        s5 = [x.stride() for x in g]
        g = torch.autograd.grad(torch.addmm(bias, at, bt).sum(), [a, b, at, bt])
        s6 = [x.stride() for x in g]
        g = torch.autograd.grad((c @ b.t().expand(2, 4, 5)).sum(), [b, c])
        s7 = [x.stride() for x in g]
    """,
    "a gradient summed back from a broadcast is contiguous": """
        b = torch.ones(4, 5, requires_grad=True)
        g, = torch.autograd.grad(b.expand(2, 4, 5), [b], torch.ones(2, 5, 4).mT)
        s = g.stride()
        b1 = torch.ones(1, 4, 5, requires_grad=True)
        g1, = torch.autograd.grad(b1.expand(2, 4, 5), [b1], torch.ones(2, 5, 4).mT)
        s1 = g1.stride()
    """,
    "a gradient is a view where PyTorch's is (a write from a value that requires grad fails)": """
        x = torch.ones(1, 2, 3, requires_grad=True)
        w = torch.ones(1, requires_grad=True)
        y = x[0, 0:1]
        g1, = torch.autograd.grad((x.repeat(2, 1, 1) ** 2).sum(), [x])
        g1.sub_(w)
        g2, = torch.autograd.grad((x.repeat(3, 2, 1, 1) ** 2).sum(), [x])
        g2.sub_(w)
        g3, = torch.autograd.grad((x[None] ** 2).sum(), [x])
        g3.sub_(w)
        g4, = torch.autograd.grad((x[:, None, ..., None] ** 2).sum(), [x])
        g4.sub_(w)
        g5, = torch.autograd.grad(torch.cumprod(y, dim=1).sum(), [y])
        g5.sub_(w)
        g6, = torch.autograd.grad(torch.cumprod(y, dim=0).sum(), [y])
        g6.sub_(w)
    """,
    "a Jacobian or Hessian over an output with no elements": """
        e = torch.zeros(0, dtype=torch.float64, requires_grad=True)
        x = torch.ones(2, dtype=torch.float64, requires_grad=True)
        j1 = torch.autograd.functional.jacobian(lambda a: a * 2, e)
        j2 = torch.autograd.functional.jacobian(lambda a: a.sum(), e)
        j3 = torch.autograd.functional.jacobian(lambda a: (a * 2, a[:0]), x)
        j4 = torch.autograd.functional.jacobian(lambda a: a[:0], x, vectorize=True)
        h5 = torch.autograd.functional.hessian(lambda a: (a ** 3).sum(), e)
    """,
    "a hook on a view is left behind by an in-place write into the view": """
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        log = []
        b = x * 1
        v = b[:2]
        v.register_hook(lambda g: log.append(g.tolist()))
        u = v * 3
        v.mul_(2)
        (u.sum() + v.sum() * 5).backward()
        w = (x * 1).view(3, 1)
        w.register_hook(lambda g: log.append(g.tolist()))
        w.retain_grad()
        w.tanh_()
        w.sum().backward()
        r = w.grad
    """,
    "forward AD: a dual of an inference tensor passes no tangent on; unpack_dual gives a view": """
        t1 = torch.tensor([1.0, -2.0], requires_grad=True)
        with torch.inference_mode():
            t2 = t1 * 2
        t3 = t1 * 3
        with torch.autograd.forward_ad.dual_level():
            d = torch.autograd.forward_ad.make_dual(t2, torch.ones(2))
            p, q = torch.autograd.forward_ad.unpack_dual(d)
            e = (d * d).exp().sum()
            p1, q1 = torch.autograd.forward_ad.unpack_dual(e)
            p2, q2 = torch.autograd.forward_ad.unpack_dual(d.relu() * t3)
            p3, q3 = torch.autograd.forward_ad.unpack_dual(t3)
            same = p3 is t3
    """,
    "seed 8101621: a saved b.tanh() recomputed by a checkpoint keeps the flag it was saved with": """
        a = torch.tensor([[-0.796, -0.433, 1.115]], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([[-1.546, -0.686, 1.148]], dtype=torch.float64) * 1
        y = torch.utils.checkpoint.checkpoint(lambda p, q: p.exp() * q.tanh(), a, b, use_reentrant=False)
        b.requires_grad_()
        ga, = torch.autograd.grad(y.sum(), [a], create_graph=True, allow_unused=True)
        gb, = torch.autograd.grad(ga.sum(), [b], allow_unused=True)
    """,
    "seed 8112466: a hooked leaf unsqueezed under no_grad keeps its gradient's shape": """
        t11 = torch.tensor(0.653, dtype=torch.float32, requires_grad=True)
        h13 = t11.register_hook(lambda g: g * 2)
        t14 = t11[None]
        with torch.no_grad():
            t11.unsqueeze_(0)
        t18 = t14.logsumexp(-1)
        t18.unsqueeze(0).sum().backward()
    """,
    "seed 7006486: a hooked saved output unsqueezed in place, the gradient summed back": """
        t1 = torch.tensor([[[1.629]], [[0.268]], [[0.624]], [[1.623]]], requires_grad=True)
        t4 = t1.reshape((4,))
        with torch.autograd.graph.saved_tensors_hooks(lambda t: (t,), lambda p: p[0]):
            t5 = torch.sigmoid(t4)
        t5.unsqueeze_(0)
        t6 = t5.neg()
        t19 = torch.tensor(1.801, dtype=torch.float32, requires_grad=True)
        g21, g22, g23, = torch.autograd.grad((t5 * t5).sum(), [t6, t19, t4], allow_unused=True)
    """,
    "seeds 7008219, 8200581: in-place writes from a column of the written tensor": """
        t2 = torch.tensor([[0.775, 0.482], [1.379, 1.499]], dtype=torch.float32, requires_grad=True)
        with torch.no_grad():
            t3 = t2[:, 1]
        with torch.no_grad():
            t2.addcmul_(t3, t3, value=0.5)
        g5, = torch.autograd.grad(t2 * 1, [t2], grad_outputs=torch.tensor([[1.54, 0.943], [1.368, 0.233]]))
        t7 = g5[:, 0]
        g5 += t7
    """,
    "seed 7009006: topk of a 0-d input scatters its gradient into a new tensor": """
        t1 = torch.tensor(0.586, dtype=torch.float32, requires_grad=True)
        t2 = t1.topk(1, dim=-1).values
        g3, g4, = torch.autograd.grad((t2 * t2).sum(), [t1, t2], create_graph=True)
        t5 = g3.pow_(2)
        t6 = torch.sqrt(g4)
        g10, = torch.autograd.grad(t6.sum(), [g4])
    """,
    "seed 9200371: sub_ with alpha of a 0-d tensor into its own unsqueezed view": """
        t2 = torch.tensor(-1.321, dtype=torch.float64, requires_grad=True)
        t3 = t2 * 2
        t4 = t3.unsqueeze(-1)
        with torch.no_grad():
            t4.sub_(t3, alpha=0.5)
        with torch.no_grad():
            t4.add_(t3, alpha=2)
    """,
    "seed 9201631: a reentrant checkpoint saves its inputs: an inference tensor among them": """
        t1 = torch.tensor([0.653], dtype=torch.float32)
        with torch.inference_mode():
            t10 = t1 * 2
        t14 = torch.tensor([-1.092], dtype=torch.float32, requires_grad=True)
        t16 = torch.utils.checkpoint.checkpoint(lambda a, b: a.exp() * b.tanh(), t10, t14, use_reentrant=True)
        t17 = torch.utils.checkpoint.checkpoint(lambda a, b: a.exp() * b.tanh(), t10, t1, use_reentrant=True)
    """,
    "seed 8205778: a view of a tangent is an ordinary view, written in place with grad mode on": """
        t19 = torch.tensor([[0.673, -0.218, 0.378], [0.459, -0.685, 1.14]], dtype=torch.float32)
        t23 = torch.tensor([[0.683, -1.002, -1.223], [-1.573, -0.281, 0.76]], dtype=torch.float32)
        with torch.autograd.forward_ad.dual_level():
            d24 = torch.autograd.forward_ad.make_dual(t19, t23)
            e25 = d24.cos().t()
            p26, q27 = torch.autograd.forward_ad.unpack_dual(e25)
        t36 = torch.tensor([[-1.49, -0.772], [-0.194, 0.677], [-0.595, 1.095]], dtype=torch.float32, requires_grad=True)
        q27.addcmul_(t36, t36, value=0.5)
        q27.sum().backward()
    """,
    "seed 9206875: a view of an inference tensor is no view to detach_": """
        t1 = torch.tensor([[-0.782, -1.687], [-0.934, 1.425]], dtype=torch.float32, requires_grad=True)
        with torch.inference_mode():
            t4 = t1.sum()
        t5 = t4.reshape((1,))
        t7 = t5.select(0, 0)
        t7.detach_()
        with torch.inference_mode():
            t8 = t5[:1]
            t8.detach_()
        t9 = t1 * 1
        with torch.inference_mode():
            t10 = t9[:1]
        t10.detach_()
    """,
    "seed 9205799: a result saved by a write through a view keeps the view node alive while the node of the next write lives": """
        t1 = torch.tensor([[0.167], [-1.788], [0.182]], dtype=torch.float32, requires_grad=True)
        t2 = t1.clamp_min(0.25)
        t6 = t2.squeeze(-2)
        t7 = torch.tensor([[-1.612], [-0.382], [-1.445]], dtype=torch.float64, requires_grad=True)
        t6.mul_(t7)
        t6.tanh_()
        t10 = t2.sort(0).values
        t11 = torch.tensor([[1.194], [-0.188], [1.438]], dtype=torch.float32, requires_grad=True)
        t6.mul_(t11)
        g27, g28, = torch.autograd.grad(t10.mean(), [t7, t11])
    """,
    "seed 9408266: a view of a tensor with no elements is a view (of an inference tensor too)": """
        x = torch.zeros(0, 2, requires_grad=True) * 1
        v1 = x.t()
        v2 = x[:, :1]
        v3 = x.reshape(2, 0)
        v4 = x.unsqueeze(0).expand(3, 0, 2)
        v5 = x.chunk(2, 1)[0]
        bases = [(v._base is x, v._is_view()) for v in (v1, v2, v3, v4, v5)]
        x.add_(1)
        versions = [v._version for v in (v1, v2, v3, v4, v5)]
        with torch.no_grad():
            v6 = x.t()
        v6.mul_(2)
        with torch.inference_mode():
            i = torch.zeros(0, 2)
        w = torch.ones(2, 2, requires_grad=True)
        it = i.mT
        inf = it.is_inference()
        y = w @ it
    """,
    "seed 9406575: stack's gradients are views of their own, not one of several views": """
        t3 = torch.tensor([[-1.486, -1.335, 1.06, 0.278], [1.439, -1.875, -1.824, -0.912]], requires_grad=True)
        t8 = t3.t() * 2
        t10 = torch.stack([t8, torch.ones(4, 2)], 2)
        g11, = torch.autograd.grad(t10.sum(), [t8], create_graph=True)
        g12, = torch.autograd.grad((t10 * t10).sum(), [t8], create_graph=True)
        t14 = torch.tensor([[0.7], [1.745], [-1.591], [1.219]], requires_grad=True)
        g11.lerp_(t14, 0.25)
        g12.lerp_(t14, 0.25)
        g12.sum().backward()
    """,
    "seed 9403333: a bool index adds a dimension first (a view), then a one-element mask reads it": """
        t1 = torch.tensor(-0.343, dtype=torch.float64, requires_grad=True)
        t2 = t1[t1 > 0]
        g4, = torch.autograd.grad((t2 * t2).sum(), [t1], retain_graph=True)
        t6 = torch.tensor(1.712, dtype=torch.float32, requires_grad=True)
        base = g4._base is not None
        n2 = t2.grad_fn.next_functions[0][0].name()
        x = torch.tensor([0.5, -1.0], requires_grad=True)
        r1 = x[True]
        r2 = x[..., torch.tensor(False)]
        n1 = r1.grad_fn.next_functions[0][0].name()
        y = x * 1
        y[True] = t6 * 2
        y[False] = t6 * 3
        gy, = torch.autograd.grad(y.sum(), [t6])
        t7 = g4.mul_(t6)
    """,
    "seed 9204931: a backward that failed inside a write through a view frees neither (PyTorch CopySlices)": """
        t1 = torch.tensor([[[0.237, -1.425, -1.8]], [[-1.077, 1.41, -1.088]], [[-1.811, -0.95, -1.456]], [[-1.714, -0.594, -0.373]]], requires_grad=True)
        t2 = torch.nn.functional.leaky_relu(t1, 0.1)
        t3 = torch.full((1, 3), 0.75, requires_grad=True)
        t4 = t3.mul(t2)
        t5 = t4[:, 0]
        t5.exp_()
        t5.t_()
        t9 = t4.log()
        t4.mean().backward(inputs=[t3])
        g12, g13, = torch.autograd.grad(t9.mean(), [t9, t3], create_graph=True, allow_unused=True)
        b = t1 * 2
        v = b[:2]
        v.sigmoid_()
        e = v * 1
        v.mul_(2)
        e.sum().backward()
        b.sum().backward()
    """,
    "seed 9800691: a tangent laid out otherwise than its primal (another storage) is a copy": """
        t8 = torch.tensor([1.542, 1.229], requires_grad=True)
        t12 = t8 * 2
        with torch.set_grad_enabled(False):
            t17, t18 = t12.unbind(-1)
        t19 = torch.tensor(-0.378)
        t20 = torch.tensor([0.5, -0.25, 2.0])
        with torch.autograd.forward_ad.dual_level():
            d20 = torch.autograd.forward_ad.make_dual(t18, t19)
            e21 = d20.tanh() + 1
            p22, q23 = torch.autograd.forward_ad.unpack_dual(e21)
            d21 = torch.autograd.forward_ad.make_dual(torch.ones(4)[1:], t20)
            q24 = torch.autograd.forward_ad.unpack_dual(d21).tangent
            same = q24 is t20
        t19.relu_()
        t20.mul_(3)
        q23.mean().backward()
    """,
    "seed 9900387: a view with no node requires grad as long as its base does": """
        t3 = torch.arange(8, dtype=torch.float32).add(1).div(8).reshape(2, 4).requires_grad_()
        t4 = torch.nn.functional.gelu(t3)
        with torch.inference_mode():
            t8 = t4.squeeze(0)
        t4.detach_()
        x = torch.ones(2, 3, requires_grad=True)
        with torch.no_grad():
            v = x[0]
        x.requires_grad_(False)
        b = v.requires_grad
        x.requires_grad_(True)
        z = torch.ones(2, 3)
        u = z[0]
        z.requires_grad_()
        z.detach_()
        p = torch.ones(2, 3)
        with torch.no_grad():
            q = p[0]
        q.requires_grad_()
        p.requires_grad_()
        p.detach_()
    """,
    "seed 10109273: minimum's and maximum's gradients end in a masked fill, as PyTorch's": """
        t1 = torch.tensor([-1.734, -0.602, -0.978, 0.698], dtype=torch.float64, requires_grad=True)
        t3 = t1.flatten()
        t4 = t3 + t1
        t10 = t3.mul(t4)
        t11 = torch.minimum(t10, t3)
        t12 = t11[None]
        g14, = torch.autograd.grad((t12 * t12).sum(), [t10], create_graph=True, allow_unused=True)
        t23 = g14.flatten()
        g15, = torch.autograd.grad((torch.maximum(t10, t3) ** 2).sum(), [t3], create_graph=True)
        (g14.sum() + g15.sum()).backward()
    """,
    "seed 10310451: an integer inference tensor told to require grad: the dtype error first": """
        t3 = torch.tensor([0.5, -1.25], requires_grad=True)
        with torch.inference_mode():
            t13 = t3.tanh().long()
            t14 = t3.tanh()
        t13.requires_grad_()
        t14.requires_grad_()
    """,
    "seed 10317399: cat of 1-d empty tensors alone checks no dim": """
        a = torch.tensor([], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([])
        c = torch.cat([a, b], dim=2)
        d = torch.cat([a], dim=-3)
        (c.sum() + d.sum()).backward()
        e = torch.cat([torch.ones(2), b], dim=2)
    """,
    "seed 10104912: a write through a view is freed by the backward it ran in, whatever it wrote": """
        a = torch.ones(3, 2, dtype=torch.float64, requires_grad=True)
        b = a.reciprocal()
        b[..., 0] = 2.0
        b.sum().backward()
        b.sum().backward()
        b.grad_fn.next_functions[0][0]._saved_result
        c = a.clone()
        c[..., 0] = torch.ones(3)
        c.sum().backward()
        c.sum().backward()
        w = torch.ones(3, requires_grad=True)
        d = a.clone()
        d[..., 0] = w.exp()
        g = torch.autograd.grad(d.sum(), [a])
        g = torch.autograd.grad(d.sum(), [a])
    """,
    "seed 10101458: a saved input written in place is named as output 0 of its node": """
        class MulPair(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b, a + b

            @staticmethod
            def backward(ctx, ga, gb):
                a, b = ctx.saved_tensors
                return ga * b + gb, ga * a + gb
        t1 = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
        t3 = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
        t4, t5 = MulPair.apply(t1, t3)
        t7 = t5.mul(t1)
        with torch.no_grad():
            t5.sigmoid_()
        t7.sum().backward()
        mn, mx = torch.aminmax(t1, dim=0)
        t8 = mx.mul(t1)
        with torch.no_grad():
            mx.add_(1)
        t8.sum().backward()
        class Split(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                u, v = a * 2, a * 3
                ctx.save_for_backward(v)
                return u, v

            @staticmethod
            def backward(ctx, gu, gv):
                v, = ctx.saved_tensors
                return gu + gv * v
        u, v = Split.apply(t1)
        with torch.no_grad():
            v.add_(1)
        (u.sum() + v.sum()).backward()
    """,
    "seed 10100666: a tangent's graph reads each primal through a view of it": """
        t2 = torch.tensor([[[0.947]], [[1.34]]], requires_grad=True)
        t3 = t2.cumsum(-3)
        t6 = torch.full((2, 1, 1), 0.75)
        with torch.autograd.forward_ad.dual_level():
            d7 = torch.autograd.forward_ad.make_dual(t3, t6)
            e8 = d7.relu() * t3
            p9, q10 = torch.autograd.forward_ad.unpack_dual(e8)
        n = q10.grad_fn.next_functions[1][0].next_functions[1][0].name()
        t11 = q10.amax(-3)
        d7.add_(torch.tensor([0.611]))
        t11.sum().backward()
    """,
    "seeds 10404918, 10407777: a product's tangent makes its terms last to first": """
        a = torch.ones(2, 3, requires_grad=True) * 1
        b = torch.ones(3, 4, requires_grad=True) * 1
        ta = torch.ones(2, 3)
        tb = torch.ones(3, 4)
        with torch.autograd.forward_ad.dual_level():
            e = torch.autograd.forward_ad.make_dual(a, ta) @ torch.autograd.forward_ad.make_dual(b, tb)
            q = torch.autograd.forward_ad.unpack_dual(e).tangent
            f = torch.bmm(torch.autograd.forward_ad.make_dual(a[None], ta[None]), b[None] * 2)
            qf = torch.autograd.forward_ad.unpack_dual(f).tangent
        ta.add_(1)
        tb.add_(1)
        q.sum().backward()
        qf.sum().backward()
        t1 = torch.tensor([[1.615, -1.092], [-1.441, -1.129]], dtype=torch.float64, requires_grad=True)
        t2 = torch.tensor([[-1.371, -1.487], [-0.694, -0.829]], dtype=torch.float64)
        with torch.autograd.forward_ad.dual_level():
            d3 = torch.autograd.forward_ad.make_dual(t1, t2)
            p5, q6 = torch.autograd.forward_ad.unpack_dual(d3.sin() * d3)
        t2.exp_()
        q6.mean().backward(inputs=[t1])
        q6.mean().backward()
    """,
    "seed 10402525: a norm's gradient is laid out as PyTorch's for each order": """
        x = torch.ones(3, 4, 5, dtype=torch.float64).permute(2, 0, 1).requires_grad_()
        g1, = torch.autograd.grad(torch.linalg.vector_norm(x, ord=1, dim=1), [x], torch.ones(5, 4))
        s1 = g1.stride()
        g2, = torch.autograd.grad(torch.linalg.vector_norm(x, dim=1), [x], torch.ones(5, 4), create_graph=True)
        s2 = g2.stride()
        c2 = g2.is_contiguous()
        g3, = torch.autograd.grad(x.norm(dim=0, keepdim=True), [x], torch.ones(1, 3, 4))
        s3 = g3.stride()
    """,
    "matmul's errors are those of the product it runs (bmm where it folds nothing), dot's and mv's": """
        x = torch.ones(2, 4, 3).mT
        y = torch.ones(4, 2, dtype=torch.float64)
        e1 = x @ y
        e2 = x @ torch.ones(5, 2)
        e3 = x @ torch.ones(4, dtype=torch.float64)
        e4 = x @ torch.ones(5)
        e5 = torch.ones(4) @ torch.ones(5, dtype=torch.int64)
        e6 = torch.dot(torch.ones(4, dtype=torch.int64), torch.ones(4))
        e7 = torch.mv(torch.ones(3, 4), torch.ones(4, dtype=torch.float64))
        e8 = torch.inner(torch.ones(3, 4), torch.ones(2, 4, dtype=torch.float64))
        e9 = torch.tensordot(torch.ones(3, 4), torch.ones(5, 2, dtype=torch.float64), 1)
    """,
    "seeds 9906836, 9906869: a non-reentrant checkpoint's input detached in place is refused": """
        x = torch.ones(2, requires_grad=True)
        a = x * 1
        c = x * 2
        b = torch.utils.checkpoint.checkpoint(lambda u, v: u.exp() * v, a, c, use_reentrant=False)
        with torch.no_grad():
            c.add_(1)
        a.detach_()
        b.sum().backward()
        y = torch.ones(2, requires_grad=True)
        u = y * 1
        v = y * 3
        d = torch.utils.checkpoint.checkpoint(lambda p, q: p.sin(), u, v, use_reentrant=False)
        v.detach_()
        g = torch.autograd.grad(d.sum(), [y])
        w = torch.ones(2, requires_grad=True)
        r = w * 1
        e = torch.utils.checkpoint.checkpoint(lambda p: p.sin(), r, use_reentrant=True)
        r.detach_()
        e.sum().backward()
    """,
    "seed 10509545: expand keeps the strides of size-1 dimensions, which later layouts read": """
        t1 = torch.tensor([[[-0.83], [1.17], [-1.75], [0.17]]], requires_grad=True)
        t6 = torch.sigmoid(t1).permute(2, 0, 1)[0:1]
        t9 = t6.expand(2, 1, 3, 4)
        t10 = t9.to(torch.float64)
        t11 = t9.clone()
        t12 = torch.ones(2, 1, 3).expand(1, 2, 4, 3).contiguous()
        t13 = torch.tensor(1.5).expand(3, 1).clone()
    """,
    "seed 10407070: a leaf an in-place op made a result since its graph was made is refused": """
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).sum()
        z = x * 3
        x.detach_()
        x[0] = torch.tensor(3.0, requires_grad=True) * 1
        y.backward()
        z.backward(torch.ones(2))
        g = torch.autograd.grad(x.sum() + y, [x])
    """,
    "seed 10600712: a custom Function's saved input detached in place is named as its output 0": """
        x = torch.ones(3, requires_grad=True)
        class Cube(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a ** 3
            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 3 * g * a ** 2
        y = x * 1
        z = Cube.apply(y)
        y.detach_()
        y.mul_(2)
        z.sum().backward()
        leaf = torch.ones(3, requires_grad=True)
        w = Cube.apply(leaf)
        leaf.detach_()
        leaf.mul_(2)
        w.sum().backward()
    """,
    "seeds 10601104, 10602977: a write's node lets go of the view's previous node when it runs": """
        a = torch.ones(4, 3, requires_grad=True)
        b = a * 1
        v = b.t()[1:]
        v.sigmoid_()
        v.mul_(2)
        v.sum().backward()
        c = a * 1
        u = c[1:]
        u.sigmoid_()
        early = u.sum()
        u.mul_(2)
        early.backward()
        d = a * 1
        r = d[1:]
        r.exp_()
        r.mul_(2)
        r.sum().backward(retain_graph=True)
        r.sum().backward()
    """,
    "seed 10600134: fill_ writes an expanded view of a view NumPy strides by hand": """
        x = torch.full((3, 1), 0.75, dtype=torch.float64, requires_grad=True)
        e = (x * 2).expand(2, 3, 1)
        e.fill_(0.5)
        e.sum().backward()
        z = torch.ones(3, 1).expand(2, 3, 2)
        z.index_fill_(1, torch.tensor([0]), 0.5)
        y = torch.stack([x, x], 2).square().expand(2, 3, 1, 2)
        y.zero_()
    """,
    "seed 10403942: a view of an inference tensor is one too: its write is the inference error": """
        with torch.inference_mode():
            a = torch.ones(2, 2)
            v1 = a[0]
        with torch.no_grad():
            v2 = a[0]
        w = torch.ones(2, requires_grad=True)
        v1.mul_(w)
        v2.mul_(w)
        a.split(1)[0][0].mul_(w)
        a.unbind()[1].mul_(w)
    """,
    "seed 10406708: hooks registered after t_ or squeeze_ join the tensor's hooks on its old node": """
        log = []
        x = torch.tensor([[1.0, 2.0]], requires_grad=True)
        y = x * 1
        y.register_hook(lambda g: log.append(("before", tuple(g.shape), g.sum().item())))
        y.t_()
        y.register_hook(lambda g: g * 2)
        y.register_hook(lambda g: log.append(("after", tuple(g.shape), g.sum().item())))
        (y * 1).sum().backward()
        z = x * 1
        z.t_()
        z.register_hook(lambda g: log.append(("t", tuple(g.shape))))
        z.squeeze_()
        z.register_hook(lambda g: log.append(("squeeze", tuple(g.shape))))
        z.mul_(2)
        z.register_hook(lambda g: log.append(("mul", tuple(g.shape))))
        (z * 1).sum().backward()
    """,
    "seed 10623122: a custom Function that writes a view keeps the view's previous node alive": """
        x = torch.tensor([1.5, -0.5, -1.0], requires_grad=True)
        class Twice(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                a.mul_(2)
                ctx.mark_dirty(a)
                return a
            @staticmethod
            def backward(ctx, g):
                return g * 2
        v = x.prod().reshape((1, -1))
        v.sqrt_()
        w = Twice.apply(v)
        w.sum().backward(retain_graph=True)
        w.sum().backward()
    """,
    "seed 10503839: a size-1 dimension's stride breaks the ties of an elementwise result's layout": """
        a = torch.tensor([[[0.5]], [[2.0]]], requires_grad=True).movedim(0, -1)
        b = torch.tensor([[1.0, -1.0], [0.25, 3.0]])
        c = a < b
        d = a + b
        e = torch.add(b, a)
        f = a * b.double()
        g = torch.atan2(a, b)
        h = a.exp() - 1
        i = b.expand(3, 2, 2).permute(1, 0, 2)[:1] * a
    """,
    "seed 10701176: minimum's and maximum's gradients compare self with other, so take self's layout": """
        x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
        y = torch.tensor([[1.0, 0.5], [-1.0, 0.0], [2.0, 3.0]], requires_grad=True)
        g1, g2 = torch.autograd.grad(torch.minimum(y, x.t()).sum(), [x, y], create_graph=True)
        s1 = (g1.stride(), g2.stride())
        g3, g4 = torch.autograd.grad(torch.maximum(y, x.t()).sum(), [x, y])
        s2 = (g3.stride(), g4.stride())
        g5, g6 = torch.autograd.grad(torch.maximum(x.t(), y).sum(), [x, y])
        s3 = (g5.stride(), g6.stride())
    """,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_program_runs_as_in_pytorch(name):
    steps = _steps(PROGRAMS[name])
    diff = compare(steps, run(steps, torch), run(steps, retrograd))
    assert diff is None, "\n" + report(steps, diff)
