"""Everyday PyTorch idioms, each run unchanged under retrograd and (where installed) PyTorch.

Each program takes the library module (``torch`` or ``retrograd``) and returns text built from what
a user would print: reprs, dtypes, node names, error type and message.  The text expected is
PyTorch's own, so the parity test checks the expectation itself against PyTorch.
"""

import numpy as np
import pytest
from conftest import rand64

import retrograd


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return f"{type(e).__name__}: {e}"
    return "no error"


def numpy_scalars_act_as_python_numbers(torch):
    x = torch.tensor([1.0, 2.0])
    i = torch.tensor([1, 2])
    m = torch.arange(6.0).view(2, 3)
    return [
        repr(torch.arange(np.int64(3))),
        repr(torch.arange(np.float64(2.0))),
        repr(m * np.ones(3)),
        repr(m + np.ones((2, 3), dtype=np.float32)),
        repr(i + np.array([1, 2], dtype=np.int32)),
        repr(x + np.float64(1.0)),
        repr(np.float64(2.0) * x),
        repr(i * np.float32(1.5)),
        repr(i + np.int64(1)),
        str((x.double() - np.float32(1)).dtype),
        str((x / np.int32(2)).dtype),
    ]


def printed_losses_name_their_own_nodes(torch):
    F = torch.nn.functional
    p = torch.tensor([0.2, 0.8, 0.5], requires_grad=True)
    q = torch.tensor([0.0, 1.0, 0.3], requires_grad=True)
    out = []
    for f in (
        F.mse_loss,
        F.binary_cross_entropy,
        F.binary_cross_entropy_with_logits,
        F.smooth_l1_loss,
        F.huber_loss,
    ):
        for reduction in ("mean", "sum", "none"):
            out.append(repr(f(p, q, reduction=reduction)))
        out.append(repr(torch.autograd.grad(f(p, q), [p, q])))
    w = torch.tensor([1.0, 2.0, 3.0])
    out.append(repr(F.binary_cross_entropy(p, q, weight=w)))
    out.append(
        repr(F.binary_cross_entropy_with_logits(p, q, weight=w, pos_weight=torch.tensor([2.0])))
    )
    out.append(repr(torch.nn.MSELoss()(p, q.detach().long())))
    out.append(repr(F.smooth_l1_loss(p, q, beta=0.0)))
    out.append(_err(lambda: F.binary_cross_entropy(p, q.detach().long())))
    out.append(_err(lambda: F.binary_cross_entropy(p, q.detach().double())))
    out.append(_err(lambda: F.binary_cross_entropy_with_logits(p, q.detach().long())))
    out.append(_err(lambda: F.mse_loss(p, q, reduction="avg")))
    return out


def sort_argsort_topk(torch):
    x = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    v = x.sort(1, descending=True)
    out = [
        repr(v),
        repr(v.indices.requires_grad),
        repr(x.topk(2)),
        repr(x.argsort(1)),
        repr(torch.sort(x, dim=0, stable=True)),
        repr(torch.tensor(3.0).sort()),
        repr(torch.tensor(3.0).topk(1)),
        repr(x.topk(2, dim=0, largest=False, sorted=True)),
        repr(torch.tensor([1, 2, 2, 1]).sort(descending=True)),
        repr(torch.tensor([True, False]).sort()),
        repr(torch.argsort(torch.tensor([2, 0, 1]), descending=True)),
    ]
    values, indices = x.topk(2, dim=1)
    (values * torch.tensor([[1.0, 10.0]])).sum().backward()
    out.append(repr(x.grad))
    for bad in (
        lambda: x.topk(4),
        lambda: x.topk(-1),
        lambda: x.sort(dim=2),
        lambda: x.topk(1, dim=3),
    ):
        out.append(_err(bad))
    return out


def nan_checks_and_closeness(torch):
    x = torch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    out = [
        repr(torch.isnan(x)),
        repr(x.isinf()),
        repr(x.isfinite()),
        repr(x.isnan().any()),
        repr(torch.isnan(torch.tensor([1, 2]))),
        repr(torch.tensor([3]).isfinite()),
        repr(torch.equal(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))),
        repr(torch.equal(torch.ones(2), torch.ones(3))),
        repr(torch.ones(2).equal(torch.ones(2))),
        repr(torch.allclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.00001]))),
        repr(torch.tensor([1.0]).allclose(torch.tensor([1.1]))),
        repr(torch.isclose(x, x)),
        repr(torch.isclose(x, x, equal_nan=True)),
        repr(torch.nan_to_num(x)),
        repr(torch.nan_to_num(x, nan=0.0, posinf=1.0)),
        _err(lambda: torch.allclose(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))),
        _err(lambda: torch.allclose(torch.ones(2), torch.ones(3))),
    ]
    w = torch.tensor([float("nan"), 2.0, float("inf")], requires_grad=True)
    y = torch.nan_to_num(w, nan=1.0, posinf=5.0)
    (y * 3).sum().backward()
    return out + [repr(y), repr(w.grad)]


def add_with_alpha_keeps_float32(torch):
    x = torch.tensor([1.0, 2.0])
    return [
        repr(x.add(1, alpha=2)),
        repr(x.sub(1, alpha=2)),
        repr(x.add(1, alpha=0.5)),
        repr(torch.rsub(x, 2, alpha=2)),
        repr(torch.tensor([1, 2]).add(1, alpha=2)),
        repr(torch.add(x, torch.tensor([1.0, 1.0]), alpha=2)),
    ]


def tensor_where_method_takes_the_condition_first(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.where(x > 1, torch.zeros(2))
    y.sum().backward()
    return [repr(y), repr(x.where(x > 1, 5.0)), repr(x.grad)]


def python_types_as_dtypes(torch):
    x = torch.ones(2)
    return [
        str(d)
        for d in (
            torch.zeros(2, dtype=int).dtype,
            torch.zeros(2, dtype=float).dtype,
            torch.zeros(2, dtype=bool).dtype,
            torch.tensor([1, 2], dtype=float).dtype,
            torch.arange(3, dtype=float).dtype,
            torch.full((2,), 1, dtype=float).dtype,
            torch.ones_like(x, dtype=int).dtype,
            torch.randn(2, dtype=float).dtype,
            torch.eye(2, dtype=int).dtype,
            x.to(float).dtype,
            x.to(int).dtype,
            x.new_zeros(2, dtype=int).dtype,
            x.sum(dtype=float).dtype,
            torch.randint(3, (2,), dtype=float).dtype,
        )
    ]


def stacking_grids_and_differences(torch):
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    s = torch.tensor(3.0)
    m = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    out = [
        repr(torch.hstack([s, v])),
        repr(torch.vstack([v, v])),
        repr(torch.vstack([s, s]).shape),
        repr(torch.hstack([torch.ones(2, 1), torch.ones(2, 2)]).shape),
        repr(torch.dstack([v, v]).shape),
        repr(torch.column_stack([v, v])),
        repr([t.shape for t in torch.atleast_3d(s, v, m)]),
        repr(torch.atleast_2d(v)),
        repr(torch.meshgrid(v, torch.arange(3.0), indexing="ij")),
        repr(torch.meshgrid(v, torch.arange(3.0), indexing="xy")[0]),
        repr(torch.broadcast_tensors(v, m)[0]),
        repr(torch.diff(torch.tensor([[1, 3], [6, 10]]), dim=0)),
        repr(torch.diff(v, n=2)),
        repr(torch.tensor([1.0, 3.0, 6.0]).diff(n=2)),
        repr(m.diff()),
        repr(torch.diff(v, prepend=torch.tensor([0.0]))),
        repr(m.mT),
    ]
    torch.vstack([v, v * 2]).sum().backward()
    return out + [repr(v.grad)]


def constant_padding(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.arange(6.0).view(2, 3).requires_grad_()
    y = F.pad(x, (2, 0))
    (y * torch.arange(10.0).view(2, 5)).sum().backward()
    return [
        repr(F.pad(x, (1, -1, 0, 1), value=9)),
        repr(x.grad),
        repr(F.pad(torch.tensor([1, 2]), (1, 1))),
        repr(F.pad(x, [1, 1]).shape),
        repr(F.pad(x, (1, 1), "constant", 0.5)),
        _err(lambda: F.pad(x, (1,))),
        _err(lambda: F.pad(x, (1, 1, 1, 1, 1, 1))),
        _err(lambda: F.pad(x, (-2, -2))),
        repr(nn.ZeroPad2d(1)(x.view(1, 2, 3)).shape),
        repr(nn.ConstantPad1d(2, 3.5)(x).shape),
        repr(nn.ZeroPad2d(1)),
        repr(nn.ConstantPad2d((1, 2, 3, 4), 0.0)),
        repr(nn.ConstantPad1d(2, 3.5)),
        repr(nn.ZeroPad1d(1).padding),
    ]


def activations_with_their_own_nodes(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.tensor([-4.0, -3.0, -1.0, 0.0, 1.0, 3.0, 4.0, 6.0], requires_grad=True)
    out = []
    for f in (
        F.hardswish,
        F.hardsigmoid,
        F.relu6,
        F.hardtanh,
        F.logsigmoid,
        F.mish,
        lambda t: F.threshold(t, 1.0, -2.0),
        F.celu,
        lambda t: F.celu(t, 0.5),
        F.softsign,
        nn.Hardswish(),
        nn.Mish(),
        nn.Softsign(),
        nn.CELU(0.5),
        nn.Hardsigmoid(),
    ):
        y = f(x)
        (g,) = torch.autograd.grad(y.sum(), x)
        out.append(
            f"{y.grad_fn.name()} {[round(v, 4) for v in y.tolist()]} "
            f"{[round(v, 4) for v in g.tolist()]}"
        )
    m = torch.tensor([[-1.0, 2.0, 0.5, -3.0], [3.0, -4.0, -0.5, 1.0]], requires_grad=True)
    y = F.glu(m)
    out.append(repr(y))
    out.append(repr(nn.GLU(0)(m)))
    p = nn.PReLU(4)
    z = p(m)
    z.sum().backward()
    out += [repr(z), repr(p.weight.grad), repr(m.grad), repr(nn.PReLU()(m).grad_fn.name())]
    out += [
        repr(mod)
        for mod in (
            nn.PReLU(),
            nn.PReLU(3),
            nn.CELU(),
            nn.GLU(),
            nn.Threshold(0.1, 20),
            nn.Hardswish(),
            nn.Mish(),
            nn.Softsign(),
            nn.Hardsigmoid(),
            nn.Mish(inplace=True),
            nn.CELU(0.5, inplace=True),
            nn.Threshold(0.1, 20, inplace=True),
        )
    ]
    out.append(_err(lambda: F.glu(torch.ones(3))))
    out.append(_err(lambda: F.prelu(torch.ones(2, 3), torch.ones(2))))
    return out


def everyday_ops_that_were_missing(torch):
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = [
        repr(x.log10()),
        repr(x.roll(1, 1)),
        repr(x.roll(1)),
        repr(x.roll((1, 1), (0, 1))),
        repr(x.diagonal()),
        repr(x.diagonal(1)),
        repr(x.trace()),
        repr(torch.diag(v)),
        repr(torch.diag(v, 1).shape),
        repr(torch.diag(x.detach())),
        repr(torch.count_nonzero(torch.tensor([[0, 1], [2, 0]]), dim=0)),
        repr(torch.tensor([[0, 1], [2, 0]]).count_nonzero()),
        repr(torch.lerp(v, v * 2, 0.5)),
        repr(torch.lerp(v, v * 2, torch.tensor(0.5))),
        repr(torch.addcmul(v, v, v, value=2)),
        repr(torch.addcdiv(v, v, v + 1)),
        repr(torch.mv(x, v)),
        repr(torch.logspace(0, 2, 3)),
        repr(torch.logspace(0, 2, 3, base=2)),
        repr(v.repeat_interleave(2)),
        repr(torch.repeat_interleave(x, 2, dim=0)),
        repr(v.repeat_interleave(torch.tensor([1, 0, 2]))),
        repr(torch.repeat_interleave(torch.tensor([2, 1]))),
        repr(v.cumprod(0)),
        repr(x.cumprod(1)),
        repr(torch.tensor([2.0, 0.0, 3.0]).cumprod(0)),
        _err(lambda: torch.trace(v)),
        _err(lambda: torch.mv(x, x)),
        _err(lambda: x.diagonal(0, 0, 0)),
    ]
    y = torch.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    (y.cumprod(0) * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (x.diagonal(1) * torch.tensor([10.0, 20.0])).sum().backward()
    (x.roll(1, 1) * torch.arange(6.0).view(2, 3)).sum().backward()
    return out + [repr(y.grad), repr(x.grad)]


def integer_tensors_cannot_require_grad(torch):
    a = torch.tensor([1, 2])
    return [
        _err(lambda: a.requires_grad_()),
        _err(lambda: setattr(a, "requires_grad", True)),
        _err(lambda: torch.nn.Parameter(a)),
        _err(lambda: torch.tensor([1, 2], requires_grad=True)),
        repr(torch.nn.Parameter(a, requires_grad=False)),
    ]


def views_norms_pooling_and_legacy_types(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.arange(8.0).view(1, 2, 4).requires_grad_()
    m = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    out = [
        f"{r.grad_fn.name()} {tuple(r.shape)}"
        for r in (
            x.narrow(2, 1, 2),
            x.select(2, 1),
            torch.movedim(x, 0, 2),
            x.swapaxes(0, 1),
            x.swapdims(1, 2),
            x.moveaxis(2, 0),
            torch.fliplr(x.view(2, 4)),
            torch.flipud(x.view(2, 4)),
            F.max_pool1d(x, 2),
            F.avg_pool1d(x, 3, 2, 1),
            F.adaptive_avg_pool1d(x, 2),
            F.max_pool1d(x[0], 2),
            nn.MaxPool1d(2)(x),
            nn.AvgPool1d(2)(x),
            nn.AdaptiveAvgPool1d(1)(x),
            torch.linalg.norm(x),
            torch.linalg.vector_norm(x, 1, dim=2),
        )
    ]
    out += [
        repr(v)
        for v in (
            x.narrow(2, -1, 1),
            torch.movedim(m, (0, 1), (1, 0)),
            torch.floor_divide(torch.tensor([7, -7]), 2),
            torch.tensor([7.5]).floor_divide(2),
            F.avg_pool1d(x, 3, 2, 1),
            torch.linalg.norm(m),
            torch.linalg.norm(m, dim=1),
            torch.linalg.norm(m, ord=1, dim=0),
            torch.linalg.vector_norm(m, ord=float("inf")),
            torch.linalg.matrix_norm(m),
            torch.linalg.norm(m, "fro"),
            torch.linalg.norm(torch.tensor([3.0, 4.0]), ord=1),
            nn.MaxPool1d(2),
            nn.AvgPool1d(3, 2),
            nn.AdaptiveAvgPool1d(4),
            torch.FloatTensor([1, 2]),
            torch.LongTensor([[1, 2]]),
            torch.FloatTensor(2, 3).shape,
            torch.LongTensor(2).dtype,
            isinstance(torch.ones(2), torch.FloatTensor),
            isinstance(torch.ones(2, dtype=torch.long), torch.FloatTensor),
            torch.ones(2).type(torch.LongTensor),
            torch.ones(2).type(torch.DoubleTensor).dtype,
        )
    ]
    out += [
        repr(x.unflatten(2, (2, -1)).shape),
        x.unflatten(1, (2, 1)).grad_fn.name(),
        repr(torch.unflatten(m, 0, (1, 2)).shape),
        _err(lambda: m.unflatten(1, (3, 2))),
    ]
    out.append(_err(lambda: m.narrow(1, 2, 1)))
    out.append(_err(lambda: m.select(0, 5)))
    return out


def median_and_linear_on_a_vector(torch):
    F = torch.nn.functional
    m = torch.tensor([[3.0, 1.0, 2.0], [4.0, 0.0, 5.0]], requires_grad=True)
    out = [
        repr(torch.median(torch.tensor([3.0, 1.0, 2.0, 4.0]))),
        repr(m.median(1)),
        repr(m.median(0, keepdim=True)),
        repr(m.median()),
    ]
    x = torch.tensor([1.0, 2.0, 2.0, 5.0], requires_grad=True)
    x.median().backward()
    m.median(1).values.sum().backward()
    w = torch.ones(2, 3, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    v = torch.ones(3, requires_grad=True)
    y = F.linear(v, w, b)
    y.sum().backward()
    return out + [
        repr(x.grad),
        repr(m.grad),
        repr(y),
        repr(v.grad),
        repr(b.grad),
        y.grad_fn.next_functions[0][0].name(),
    ]


def cosine_similarity_and_pairwise_distance(torch):
    F, nn = torch.nn.functional, torch.nn
    a = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], requires_grad=True)
    b = torch.tensor([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0]], requires_grad=True)
    out = [
        repr(F.cosine_similarity(a, a * 2)),
        repr(F.cosine_similarity(a, a.flip(0), dim=0)),
        repr(F.pairwise_distance(a, a.flip(0))),
        repr(F.cosine_similarity(a, b)),
        repr(nn.CosineSimilarity(dim=0)(a, b)),
        repr(nn.PairwiseDistance(p=1, keepdim=True)(a, b)),
        repr(nn.CosineSimilarity()),
        repr(nn.PairwiseDistance()),
        repr(nn.PairwiseDistance().norm),
    ]
    (F.cosine_similarity(a, b).sum() + F.pairwise_distance(a, b).sum()).backward()
    return out + [repr(a.grad), repr(b.grad)]


def masked_select_unique_bincount(torch):
    x = torch.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    y = x.masked_select(x > 2)
    (y * torch.tensor([10.0, 20.0])).sum().backward()
    t = torch.tensor([3, 1, 3, 2])
    return [
        repr(y),
        repr(x.grad),
        repr(torch.masked_select(x, torch.tensor([True, False]))),
        _err(lambda: x.masked_select(torch.tensor([1, 0]))),
        repr(t.unique()),
        repr(torch.unique(t, return_counts=True)),
        repr(torch.unique(t, sorted=True, return_inverse=True)),
        repr(torch.unique(torch.tensor([[1, 2], [1, 2]]), dim=0)),
        repr(torch.tensor([1.5, 0.5, 1.5]).unique()),
        repr(torch.tensor([0, 1, 1, 3]).bincount()),
        repr(torch.bincount(torch.tensor([0, 1]), minlength=4)),
        repr(torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0]))),
        repr(torch.bincount(torch.tensor([], dtype=torch.long))),
        _err(lambda: torch.bincount(torch.tensor([-1]))),
        _err(lambda: torch.bincount(torch.tensor([1.0]))),
    ]


def ranking_and_embedding_losses(torch):
    F, nn = torch.nn.functional, torch.nn
    p = torch.tensor([0.2, 0.8, -0.5], requires_grad=True)
    q = torch.tensor([0.0, 1.0, 1.0])
    y = torch.tensor([1.0, -1.0, 1.0])
    a = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], requires_grad=True)
    b = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, 1.0]])
    out = []
    for r in ("mean", "sum", "none"):
        out += [
            repr(F.margin_ranking_loss(p, q, y, 0.1, reduction=r)),
            repr(F.hinge_embedding_loss(p, y, reduction=r)),
            repr(F.soft_margin_loss(p, y, reduction=r)),
            repr(F.triplet_margin_loss(a, b, a.flip(0), reduction=r)),
            repr(F.poisson_nll_loss(p, q, reduction=r)),
            repr(F.cosine_embedding_loss(a, b, torch.tensor([1, -1]), reduction=r)),
        ]
    out += [
        repr(
            F.poisson_nll_loss(p.exp(), torch.tensor([0.0, 2.0, 3.0]), log_input=False, full=True)
        ),
        repr(F.triplet_margin_loss(a, b, a.flip(0), swap=True, p=1)),
        repr(F.cosine_embedding_loss(a, b, torch.tensor([-1, -1]), margin=0.5)),
    ]
    total = (
        nn.MarginRankingLoss(0.2)(p, q, y)
        + nn.HingeEmbeddingLoss()(p, y)
        + nn.SoftMarginLoss()(p, y)
        + nn.TripletMarginLoss()(a, b, a.flip(0))
        + nn.PoissonNLLLoss()(p, q)
        + nn.CosineEmbeddingLoss()(a, b, torch.tensor([1, -1]))
    )
    total.backward()
    out += [repr(total), repr(p.grad), repr(a.grad)]
    out += [
        repr(m)
        for m in (
            nn.MarginRankingLoss(),
            nn.HingeEmbeddingLoss(),
            nn.SoftMarginLoss(),
            nn.TripletMarginLoss(),
            nn.PoissonNLLLoss(),
            nn.CosineEmbeddingLoss(),
        )
    ]
    return out


def padded_sequence_batches(torch):
    from_rnn = torch.nn.utils.rnn.pad_sequence
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0], requires_grad=True)
    y = from_rnn([a, b])
    (y * torch.arange(6.0).view(3, 2)).sum().backward()
    return [
        repr(y.detach()),
        repr(y.is_contiguous()),
        repr(from_rnn([a, b], batch_first=True, padding_value=-1).detach()),
        repr(from_rnn([torch.ones(2, 2), torch.ones(1, 2)], batch_first=True).shape),
        repr(from_rnn([a, b], batch_first=True, padding_side="left").detach()),
        repr(a.grad),
        repr(b.grad),
    ]


def nearest_upsampling(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.arange(6.0).view(1, 1, 2, 3).requires_grad_()
    y = F.interpolate(x, size=(3, 5))
    (y * torch.arange(15.0).view(1, 1, 3, 5)).sum().backward()
    line = torch.arange(3.0).view(1, 1, 3)
    return [
        repr(F.interpolate(x, scale_factor=2).detach()),
        repr(y),
        repr(x.grad),
        repr(F.interpolate(line, scale_factor=1.5)),
        repr(F.interpolate(line, size=2)),
        repr(F.interpolate(line, size=7)),
        F.interpolate(x, scale_factor=2).grad_fn.name(),
        F.interpolate(line.requires_grad_(), size=5).grad_fn.name(),
        repr(nn.Upsample(scale_factor=2)(x).shape),
        repr(nn.Upsample(scale_factor=2)),
        repr(nn.Upsample(size=(2, 2), mode="nearest")),
        _err(lambda: F.interpolate(x, scale_factor=2, size=3)),
        _err(lambda: F.interpolate(x)),
    ]


PROGRAMS = {
    numpy_scalars_act_as_python_numbers: [
        "tensor([0, 1, 2])",
        "tensor([0., 1.])",
        "tensor([[0., 1., 2.],\n        [3., 4., 5.]], dtype=torch.float64)",
        "tensor([[1., 2., 3.],\n        [4., 5., 6.]])",
        "tensor([2, 4])",
        "tensor([2., 3.])",
        "tensor([2., 4.])",
        "tensor([1.5000, 3.0000])",
        "tensor([2, 3])",
        "torch.float64",
        "torch.float32",
    ],
    printed_losses_name_their_own_nodes: [
        "tensor(0.0400, grad_fn=<MseLossBackward0>)",
        "tensor(0.1200, grad_fn=<MseLossBackward0>)",
        "tensor([0.0400, 0.0400, 0.0400], grad_fn=<MseLossBackward0>)",
        "(tensor([ 0.1333, -0.1333,  0.1333]), tensor([-0.1333,  0.1333, -0.1333]))",
        "tensor(0.3798, grad_fn=<BinaryCrossEntropyBackward0>)",
        "tensor(1.1394, grad_fn=<BinaryCrossEntropyBackward0>)",
        "tensor([0.2231, 0.2231, 0.6931], grad_fn=<BinaryCrossEntropyBackward0>)",
        "(tensor([ 0.4167, -0.4167,  0.2667]), tensor([ 0.4621, -0.4621, -0.0000]))",
        "tensor(0.6644, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)",
        "tensor(1.9933, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)",
        "tensor([0.7981, 0.3711, 0.8241],\n       grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)",
        "(tensor([ 0.1833, -0.1033,  0.1075]), tensor([-0.0667, -0.2667, -0.1667]))",
        "tensor(0.0200, grad_fn=<SmoothL1LossBackward0>)",
        "tensor(0.0600, grad_fn=<SmoothL1LossBackward0>)",
        "tensor([0.0200, 0.0200, 0.0200], grad_fn=<SmoothL1LossBackward0>)",
        "(tensor([ 0.0667, -0.0667,  0.0667]), tensor([-0.0667,  0.0667, -0.0667]))",
        "tensor(0.0200, grad_fn=<HuberLossBackward0>)",
        "tensor(0.0600, grad_fn=<HuberLossBackward0>)",
        "tensor([0.0200, 0.0200, 0.0200], grad_fn=<HuberLossBackward0>)",
        "(tensor([ 0.0667, -0.0667,  0.0667]), tensor([-0.0667,  0.0667, -0.0667]))",
        "tensor(0.9163, grad_fn=<BinaryCrossEntropyBackward0>)",
        "tensor(1.7271, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)",
        "tensor(0.1100, grad_fn=<MseLossBackward0>)",
        "tensor(0.2000, grad_fn=<MeanBackward0>)",
        "RuntimeError: Found dtype Long but expected Float",
        "RuntimeError: Found dtype Double but expected Float",
        "RuntimeError: result type Float can't be cast to the desired output type Long",
        "ValueError: avg is not a valid value for reduction",
    ],
    sort_argsort_topk: [
        "torch.return_types.sort(\nvalues=tensor([[3., 2., 1.],\n        [5., 4., 0.]], "
        "grad_fn=<SortBackward0>),\nindices=tensor([[0, 2, 1],\n        [1, 2, 0]]))",
        "False",
        "torch.return_types.topk(\nvalues=tensor([[3., 2.],\n        [5., 4.]], "
        "grad_fn=<TopkBackward0>),\nindices=tensor([[0, 2],\n        [1, 2]]))",
        "tensor([[1, 2, 0],\n        [0, 2, 1]])",
        "torch.return_types.sort(\nvalues=tensor([[0., 1., 2.],\n        [3., 5., 4.]], "
        "grad_fn=<SortBackward1>),\nindices=tensor([[1, 0, 0],\n        [0, 1, 1]]))",
        "torch.return_types.sort(\nvalues=tensor(3.),\nindices=tensor(0))",
        "torch.return_types.topk(\nvalues=tensor(3.),\nindices=tensor(0))",
        "torch.return_types.topk(\nvalues=tensor([[0., 1., 2.],\n        [3., 5., 4.]], "
        "grad_fn=<TopkBackward0>),\nindices=tensor([[1, 0, 0],\n        [0, 1, 1]]))",
        "torch.return_types.sort(\nvalues=tensor([2, 2, 1, 1]),\nindices=tensor([1, 2, 0, 3]))",
        "torch.return_types.sort(\nvalues=tensor([False,  True]),\nindices=tensor([1, 0]))",
        "tensor([0, 2, 1])",
        "tensor([[ 1.,  0., 10.],\n        [ 0.,  1., 10.]])",
        "RuntimeError: selected index k out of range",
        "RuntimeError: selected index k out of range",
        "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ],
    nan_checks_and_closeness: [
        "tensor([False,  True, False, False])",
        "tensor([False, False,  True,  True])",
        "tensor([ True, False, False, False])",
        "tensor(True)",
        "tensor([False, False])",
        "tensor([True])",
        "True",
        "False",
        "True",
        "True",
        "False",
        "tensor([ True, False,  True,  True])",
        "tensor([True, True, True, True])",
        "tensor([ 1.0000e+00,  0.0000e+00,  3.4028e+38, -3.4028e+38])",
        "tensor([ 1.0000e+00,  0.0000e+00,  1.0000e+00, -3.4028e+38])",
        "RuntimeError: Long did not match Float",
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (3) at "
        "non-singleton dimension 0",
        "tensor([1., 2., 5.], grad_fn=<NanToNumBackward0>)",
        "tensor([0., 3., 0.])",
    ],
    add_with_alpha_keeps_float32: [
        "tensor([3., 4.])",
        "tensor([-1.,  0.])",
        "tensor([1.5000, 2.5000])",
        "tensor([ 0., -2.])",
        "tensor([3, 4])",
        "tensor([3., 4.])",
    ],
    tensor_where_method_takes_the_condition_first: [
        "tensor([0., 2.], grad_fn=<WhereBackward0>)",
        "tensor([5., 2.], grad_fn=<WhereBackward0>)",
        "tensor([0., 1.])",
    ],
    python_types_as_dtypes: [
        "torch.int64",
        "torch.float64",
        "torch.bool",
        "torch.float64",
        "torch.float64",
        "torch.float64",
        "torch.int64",
        "torch.float64",
        "torch.int64",
        "torch.float64",
        "torch.int64",
        "torch.int64",
        "torch.float64",
        "torch.float64",
    ],
    stacking_grids_and_differences: [
        "tensor([3., 1., 2.], grad_fn=<CatBackward0>)",
        "tensor([[1., 2.],\n        [1., 2.]], grad_fn=<CatBackward0>)",
        "torch.Size([2, 1])",
        "torch.Size([2, 3])",
        "torch.Size([1, 2, 2])",
        "tensor([[1., 1.],\n        [2., 2.]], grad_fn=<CatBackward0>)",
        "[torch.Size([1, 1, 1]), torch.Size([1, 2, 1]), torch.Size([2, 2, 1])]",
        "tensor([[1., 2.]], grad_fn=<UnsqueezeBackward0>)",
        "(tensor([[1., 1., 1.],\n        [2., 2., 2.]], grad_fn=<ExpandBackward0>), "
        "tensor([[0., 1., 2.],\n        [0., 1., 2.]]))",
        "tensor([[1., 2.],\n        [1., 2.],\n        [1., 2.]], grad_fn=<ExpandBackward0>)",
        "tensor([[1., 2.],\n        [1., 2.]], grad_fn=<ExpandBackward0>)",
        "tensor([[5, 7]])",
        "tensor([], grad_fn=<SubBackward0>)",
        "tensor([1.])",
        "tensor([[-3.],\n        [ 1.]], grad_fn=<SubBackward0>)",
        "tensor([1., 1.], grad_fn=<SubBackward0>)",
        "tensor([[ 1.,  3.],\n        [-2.,  4.]], grad_fn=<TransposeBackward0>)",
        "tensor([3., 3.])",
    ],
    constant_padding: [
        "tensor([[9., 0., 1.],\n        [9., 3., 4.],\n        [9., 9., 9.]], "
        "grad_fn=<ConstantPadNdBackward0>)",
        "tensor([[2., 3., 4.],\n        [7., 8., 9.]])",
        "tensor([0, 1, 2, 0])",
        "torch.Size([2, 5])",
        "tensor([[0.5000, 0.0000, 1.0000, 2.0000, 0.5000],\n        [0.5000, 3.0000, 4.0000, "
        "5.0000, 0.5000]],\n       grad_fn=<ConstantPadNdBackward0>)",
        "RuntimeError: Padding length must be divisible by 2",
        "RuntimeError: Padding length should be less than or equal to two times the input "
        "dimension but got padding length 6 and input of dimension 2",
        "RuntimeError: narrow(): length must be non-negative.",
        "torch.Size([1, 4, 5])",
        "torch.Size([2, 7])",
        "ZeroPad2d((1, 1, 1, 1))",
        "ConstantPad2d(padding=(1, 2, 3, 4), value=0.0)",
        "ConstantPad1d(padding=(2, 2), value=3.5)",
        "(1, 1)",
    ],
    activations_with_their_own_nodes: [
        "HardswishBackward0 [-0.0, -0.0, -0.3333, 0.0, 0.6667, 3.0, 4.0, 6.0] [0.0, 0.0, "
        "0.1667, 0.5, 0.8333, 1.0, 1.0, 1.0]",
        "HardsigmoidBackward0 [0.0, 0.0, 0.3333, 0.5, 0.6667, 1.0, 1.0, 1.0] [0.0, 0.0, "
        "0.1667, 0.1667, 0.1667, 0.0, 0.0, 0.0]",
        "HardtanhBackward0 [0.0, 0.0, 0.0, 0.0, 1.0, 3.0, 4.0, 6.0] [0.0, 0.0, 0.0, 0.0, 1.0, "
        "1.0, 1.0, 0.0]",
        "HardtanhBackward0 [-1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0, 1.0] [0.0, 0.0, 0.0, 1.0, "
        "0.0, 0.0, 0.0, 0.0]",
        "LogSigmoidBackward0 [-4.0181, -3.0486, -1.3133, -0.6931, -0.3133, -0.0486, -0.0181, "
        "-0.0025] [0.982, 0.9526, 0.7311, 0.5, 0.2689, 0.0474, 0.018, 0.0025]",
        "MishBackward0 [-0.0726, -0.1456, -0.3034, 0.0, 0.8651, 2.9865, 3.9974, 5.9999] "
        "[-0.0538, -0.0934, 0.0592, 0.6, 1.049, 1.0211, 1.0044, 1.0001]",
        "ThresholdBackward0 [-2.0, -2.0, -2.0, -2.0, -2.0, 3.0, 4.0, 6.0] [0.0, 0.0, 0.0, 0.0, "
        "0.0, 1.0, 1.0, 1.0]",
        "CeluBackward0 [-0.9817, -0.9502, -0.6321, 0.0, 1.0, 3.0, 4.0, 6.0] [0.0183, 0.0498, "
        "0.3679, 1.0, 1.0, 1.0, 1.0, 1.0]",
        "CeluBackward0 [-0.4998, -0.4988, -0.4323, 0.0, 1.0, 3.0, 4.0, 6.0] [0.0003, 0.0025, "
        "0.1353, 1.0, 1.0, 1.0, 1.0, 1.0]",
        "DivBackward0 [-0.8, -0.75, -0.5, 0.0, 0.5, 0.75, 0.8, 0.8571] [0.04, 0.0625, 0.25, "
        "1.0, 0.25, 0.0625, 0.04, 0.0204]",
        "HardswishBackward0 [-0.0, -0.0, -0.3333, 0.0, 0.6667, 3.0, 4.0, 6.0] [0.0, 0.0, "
        "0.1667, 0.5, 0.8333, 1.0, 1.0, 1.0]",
        "MishBackward0 [-0.0726, -0.1456, -0.3034, 0.0, 0.8651, 2.9865, 3.9974, 5.9999] "
        "[-0.0538, -0.0934, 0.0592, 0.6, 1.049, 1.0211, 1.0044, 1.0001]",
        "DivBackward0 [-0.8, -0.75, -0.5, 0.0, 0.5, 0.75, 0.8, 0.8571] [0.04, 0.0625, 0.25, "
        "1.0, 0.25, 0.0625, 0.04, 0.0204]",
        "CeluBackward0 [-0.4998, -0.4988, -0.4323, 0.0, 1.0, 3.0, 4.0, 6.0] [0.0003, 0.0025, "
        "0.1353, 1.0, 1.0, 1.0, 1.0, 1.0]",
        "HardsigmoidBackward0 [0.0, 0.0, 0.3333, 0.5, 0.6667, 1.0, 1.0, 1.0] [0.0, 0.0, "
        "0.1667, 0.1667, 0.1667, 0.0, 0.0, 0.0]",
        "tensor([[-0.6225,  0.0949],\n        [ 1.1326, -2.9242]], grad_fn=<GluBackward0>)",
        "tensor([[-0.9526,  0.0360,  0.1888, -2.1932]], grad_fn=<GluBackward0>)",
        "tensor([[-0.2500,  2.0000,  0.5000, -0.7500],\n"
        "        [ 3.0000, -1.0000, -0.1250,  1.0000]], grad_fn=<PreluKernelBackward0>)",
        "tensor([-1.0000, -4.0000, -0.5000, -3.0000])",
        "tensor([[0.2500, 1.0000, 1.0000, 0.2500],\n        [1.0000, 0.2500, 0.2500, 1.0000]])",
        "'PreluKernelBackward0'",
        "PReLU(num_parameters=1)",
        "PReLU(num_parameters=3)",
        "CELU(alpha=1.0)",
        "GLU(dim=-1)",
        "Threshold(threshold=0.1, value=20)",
        "Hardswish()",
        "Mish()",
        "Softsign()",
        "Hardsigmoid()",
        "Mish(inplace=True)",
        "CELU(alpha=0.5, inplace=True)",
        "Threshold(threshold=0.1, value=20, inplace=True)",
        "RuntimeError: Halving dimension must be even, but dimension 0 is size 3",
        "RuntimeError: Mismatch of parameter numbers and input channel size. Found parameter "
        "numbers = 2 and channel size = 3.",
    ],
    everyday_ops_that_were_missing: [
        "tensor([[0.0000, 0.3010, 0.4771],\n"
        "        [0.6021, 0.6990, 0.7782]], grad_fn=<Log10Backward0>)",
        "tensor([[3., 1., 2.],\n        [6., 4., 5.]], grad_fn=<RollBackward0>)",
        "tensor([[6., 1., 2.],\n        [3., 4., 5.]], grad_fn=<RollBackward0>)",
        "tensor([[6., 4., 5.],\n        [3., 1., 2.]], grad_fn=<RollBackward0>)",
        "tensor([1., 5.], grad_fn=<DiagonalBackward0>)",
        "tensor([2., 6.], grad_fn=<DiagonalBackward0>)",
        "tensor(6., grad_fn=<TraceBackward0>)",
        "tensor([[1., 0., 0.],\n"
        "        [0., 2., 0.],\n"
        "        [0., 0., 3.]], grad_fn=<DiagEmbedBackward0>)",
        "torch.Size([4, 4])",
        "tensor([1., 5.])",
        "tensor([1, 1])",
        "tensor(2)",
        "tensor([1.5000, 3.0000, 4.5000], grad_fn=<LerpBackward0>)",
        "tensor([1.5000, 3.0000, 4.5000], grad_fn=<LerpBackward1>)",
        "tensor([ 3., 10., 21.], grad_fn=<AddcmulBackward0>)",
        "tensor([1.5000, 2.6667, 3.7500], grad_fn=<AddcdivBackward0>)",
        "tensor([14., 32.], grad_fn=<MvBackward0>)",
        "tensor([  1.,  10., 100.])",
        "tensor([1., 2., 4.])",
        "tensor([1., 1., 2., 2., 3., 3.], grad_fn=<ViewBackward0>)",
        "tensor([[1., 2., 3.],\n"
        "        [1., 2., 3.],\n"
        "        [4., 5., 6.],\n"
        "        [4., 5., 6.]], grad_fn=<ViewBackward0>)",
        "tensor([1., 3., 3.], grad_fn=<IndexSelectBackward0>)",
        "tensor([0, 0, 1])",
        "tensor([1., 2., 6.], grad_fn=<CumprodBackward0>)",
        "tensor([[  1.,   2.,   6.],\n        [  4.,  20., 120.]], grad_fn=<CumprodBackward0>)",
        "tensor([2., 0., 0.])",
        "RuntimeError: trace: expected a matrix, but got tensor with dim 1",
        "RuntimeError: vector + matrix @ vector expected, got 1, 2, 2",
        "RuntimeError: diagonal dimensions cannot be identical 0, 0",
        "tensor([  1., 118.,   0.,   0.])",
        "tensor([[ 1., 12.,  0.],\n        [ 4.,  5., 23.]])",
    ],
    integer_tensors_cannot_require_grad: [
        "RuntimeError: only Tensors of floating point dtype can require gradients",
        "RuntimeError: only Tensors of floating point and complex dtype can require gradients",
        "RuntimeError: Only Tensors of floating point and complex dtype can require gradients",
        "RuntimeError: Only Tensors of floating point and complex dtype can require gradients",
        "Parameter containing:\ntensor([1, 2])",
    ],
    views_norms_pooling_and_legacy_types: [
        "SliceBackward0 (1, 2, 2)",
        "SelectBackward0 (1, 2)",
        "PermuteBackward0 (2, 4, 1)",
        "TransposeBackward0 (2, 1, 4)",
        "TransposeBackward0 (1, 4, 2)",
        "PermuteBackward0 (4, 1, 2)",
        "FlipBackward0 (2, 4)",
        "FlipBackward0 (2, 4)",
        "SqueezeBackward1 (1, 2, 2)",
        "SqueezeBackward1 (1, 2, 2)",
        "SqueezeBackward1 (1, 2, 2)",
        "SqueezeBackward1 (2, 2)",
        "SqueezeBackward1 (1, 2, 2)",
        "SqueezeBackward1 (1, 2, 2)",
        "SqueezeBackward1 (1, 2, 1)",
        "LinalgVectorNormBackward0 ()",
        "LinalgVectorNormBackward0 (1, 2)",
        "tensor([[[3.],\n         [7.]]], grad_fn=<SliceBackward0>)",
        "tensor([[ 1.,  3.],\n        [-2.,  4.]])",
        "tensor([ 3, -4])",
        "tensor([3.])",
        "tensor([[[0.3333, 2.0000],\n         [3.0000, 6.0000]]], grad_fn=<SqueezeBackward1>)",
        "tensor(5.4772)",
        "tensor([2.2361, 5.0000])",
        "tensor([4., 6.])",
        "tensor(4.)",
        "tensor(5.4772)",
        "tensor(5.4772)",
        "tensor(7.)",
        "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))",
        "AdaptiveAvgPool1d(output_size=4)",
        "tensor([1., 2.])",
        "tensor([[1, 2]])",
        "torch.Size([2, 3])",
        "torch.int64",
        "True",
        "False",
        "tensor([1, 1])",
        "torch.float64",
        "torch.Size([1, 2, 2, 2])",
        "ViewBackward0",
        "torch.Size([1, 2, 2])",
        "RuntimeError: unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 1 "
        "(2) in the input tensor",
        "RuntimeError: start (2) + length (1) exceeds dimension size (2).",
        "IndexError: select(): index 5 out of range for tensor of size [2, 2] at dimension 0",
    ],
    median_and_linear_on_a_vector: [
        "tensor(2.)",
        "torch.return_types.median(\n"
        "values=tensor([2., 4.], grad_fn=<MedianBackward1>),\n"
        "indices=tensor([2, 0]))",
        "torch.return_types.median(\n"
        "values=tensor([[3., 0., 2.]], grad_fn=<MedianBackward1>),\n"
        "indices=tensor([[0, 1, 0]]))",
        "tensor(2., grad_fn=<MedianBackward0>)",
        "tensor([0.0000, 0.5000, 0.5000, 0.0000])",
        "tensor([[0., 0., 1.],\n        [1., 0., 0.]])",
        "tensor([4., 4.], grad_fn=<ViewBackward0>)",
        "tensor([2., 2., 2.])",
        "tensor([1., 1.])",
        "AddmmBackward0",
    ],
    cosine_similarity_and_pairwise_distance: [
        "tensor([1.0000, 1.0000], grad_fn=<SumBackward1>)",
        "tensor([0.1980, 0.1980, 0.3243], grad_fn=<SumBackward1>)",
        "tensor([3.2094, 3.2094], grad_fn=<NormBackward1>)",
        "tensor([0.0000, 0.8007], grad_fn=<SumBackward1>)",
        "tensor([ 0.0995, -0.0995,  0.9864], grad_fn=<SumBackward1>)",
        "tensor([[3.5000],\n        [3.1000]], grad_fn=<NormBackward1>)",
        "CosineSimilarity()",
        "PairwiseDistance()",
        "2.0",
        "tensor([[ 0.4364,  0.8729,  0.2182],\n        [-0.3724,  0.5122,  0.5607]])",
        "tensor([[ 4.3644e+07,  8.7287e+07,  2.1822e+07],\n"
        "        [ 3.7936e-01, -5.0505e-01, -4.1447e-01]])",
    ],
    masked_select_unique_bincount: [
        "tensor([5., 3.], grad_fn=<MaskedSelectBackward0>)",
        "tensor([[ 0., 10.],\n        [20.,  0.]])",
        "tensor([1., 3.], grad_fn=<MaskedSelectBackward0>)",
        "RuntimeError: masked_select: expected BoolTensor for mask",
        "tensor([1, 2, 3])",
        "(tensor([1, 2, 3]), tensor([1, 1, 2]))",
        "(tensor([1, 2, 3]), tensor([2, 0, 2, 1]))",
        "tensor([[1, 2]])",
        "tensor([0.5000, 1.5000])",
        "tensor([1, 2, 0, 1])",
        "tensor([1, 1, 0, 0])",
        "tensor([0.5000, 3.0000])",
        "tensor([], dtype=torch.int64)",
        "RuntimeError: bincount only supports 1-d non-negative integral inputs.",
        "NotImplementedError: \"bincount_cpu\" not implemented for 'Float'",
    ],
    ranking_and_embedding_losses: [
        "tensor(0.5333, grad_fn=<MeanBackward0>)",
        "tensor(-0.0333, grad_fn=<MeanBackward0>)",
        "tensor(0.9144, grad_fn=<SoftMarginLossBackward0>)",
        "tensor(0.5909, grad_fn=<MeanBackward0>)",
        "tensor(1.2512, grad_fn=<MeanBackward0>)",
        "tensor(0.9119, grad_fn=<MeanBackward0>)",
        "tensor(1.6000, grad_fn=<SumBackward0>)",
        "tensor(-0.1000, grad_fn=<SumBackward0>)",
        "tensor(2.7433, grad_fn=<SoftMarginLossBackward0>)",
        "tensor(1.1818, grad_fn=<SumBackward0>)",
        "tensor(3.7535, grad_fn=<SumBackward0>)",
        "tensor(1.8239, grad_fn=<SumBackward0>)",
        "tensor([0.0000, 0.0000, 1.6000], grad_fn=<ClampMinBackward0>)",
        "tensor([ 0.2000,  0.2000, -0.5000], grad_fn=<AddBackward0>)",
        "tensor([0.5981, 1.1711, 0.9741], grad_fn=<SoftMarginLossBackward0>)",
        "tensor([1.1818, 0.0000], grad_fn=<ClampMinBackward0>)",
        "tensor([1.2214, 1.4255, 1.1065], grad_fn=<SubBackward0>)",
        "tensor([1.0952, 0.7287], grad_fn=<AddBackward0>)",
        "tensor(2.1231, grad_fn=<MeanBackward0>)",
        "tensor(2.5000, grad_fn=<MeanBackward0>)",
        "tensor(0.1143, grad_fn=<MeanBackward0>)",
        "tensor(4.2018, grad_fn=<AddBackward0>)",
        "tensor([ 0.2571,  0.6385, -0.3386])",
        "tensor([[-0.1232,  0.2390, -0.0267],\n        [ 0.2537,  0.2724, -0.3927]])",
        "MarginRankingLoss()",
        "HingeEmbeddingLoss()",
        "SoftMarginLoss()",
        "TripletMarginLoss()",
        "PoissonNLLLoss()",
        "CosineEmbeddingLoss()",
    ],
    padded_sequence_batches: [
        "tensor([[1., 4.],\n        [2., 0.],\n        [3., 0.]])",
        "True",
        "tensor([[ 1.,  2.,  3.],\n        [ 4., -1., -1.]])",
        "torch.Size([2, 2, 2])",
        "tensor([[1., 2., 3.],\n        [0., 0., 4.]])",
        "tensor([0., 2., 4.])",
        "tensor([1.])",
    ],
    nearest_upsampling: [
        "tensor([[[[0., 0., 1., 1., 2., 2.],\n"
        "          [0., 0., 1., 1., 2., 2.],\n"
        "          [3., 3., 4., 4., 5., 5.],\n"
        "          [3., 3., 4., 4., 5., 5.]]]])",
        "tensor([[[[0., 0., 1., 1., 2.],\n"
        "          [0., 0., 1., 1., 2.],\n"
        "          [3., 3., 4., 4., 5.]]]], grad_fn=<UpsampleNearest2DBackward0>)",
        "tensor([[[[12., 20., 13.],\n          [21., 25., 14.]]]])",
        "tensor([[[0., 0., 1., 2.]]])",
        "tensor([[[0., 1.]]])",
        "tensor([[[0., 0., 0., 1., 1., 2., 2.]]])",
        "UpsampleNearest2DBackward0",
        "UpsampleNearest1DBackward0",
        "torch.Size([1, 1, 4, 6])",
        "Upsample(scale_factor=2.0, mode='nearest')",
        "Upsample(size=(2, 2), mode='nearest')",
        "ValueError: only one of size or scale_factor should be defined",
        "ValueError: either size or scale_factor should be defined",
    ],
}

CASES = list(PROGRAMS.items())
IDS = [f.__name__ for f in PROGRAMS]


@pytest.mark.parametrize("program, expected", CASES, ids=IDS)
def test_program_under_retrograd(program, expected):
    assert program(retrograd) == expected


@pytest.mark.filterwarnings("ignore:__array_wrap__")  # PyTorch's own, with NumPy 2 operands
@pytest.mark.parametrize("program, expected", CASES, ids=IDS)
def test_program_under_pytorch(torch_ref, program, expected):
    assert program(torch_ref) == expected


# --- the loss nodes' own formulas: first and second derivatives against finite differences ------

_LOSSES = {
    "mse": lambda x, y, r: retrograd.nn.functional.mse_loss(x, y, reduction=r),
    "smooth_l1": lambda x, y, r: retrograd.nn.functional.smooth_l1_loss(
        x, y, reduction=r, beta=0.7
    ),
    "huber": lambda x, y, r: retrograd.nn.functional.huber_loss(x, y, reduction=r, delta=0.6),
    "bce": lambda x, y, r: retrograd.nn.functional.binary_cross_entropy(
        x.sigmoid(),
        y.sigmoid(),
        reduction=r,
        weight=retrograd.tensor([0.5, 2.0, 1.0, 3.0], dtype=retrograd.float64),
    ),
    "bce_logits": lambda x, y, r: retrograd.nn.functional.binary_cross_entropy_with_logits(
        x,
        y,
        reduction=r,
        pos_weight=retrograd.tensor([2.0, 0.5, 1.0, 3.0], dtype=retrograd.float64),
    ),
    "bce_logits_plain": lambda x, y, r: retrograd.nn.functional.binary_cross_entropy_with_logits(
        x, y, reduction=r
    ),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(_LOSSES))
def test_loss_node_gradients(name, reduction):
    loss = _LOSSES[name]
    x, y = rand64(3, 4, seed=1, low=-2, high=2), rand64(3, 4, seed=2, low=-2, high=2)
    fn = lambda a, b: loss(a, b, reduction)
    assert retrograd.autograd.gradcheck(fn, (x, y))
    assert retrograd.autograd.gradgradcheck(fn, (x, y))


@pytest.mark.parametrize("name", ["mse", "smooth_l1", "huber"])
def test_loss_node_gradients_broadcast(name):
    x, y = rand64(3, 4, seed=3, low=-2, high=2), rand64(4, seed=4, low=-2, high=2)
    with pytest.warns(UserWarning, match="target size"):
        assert retrograd.autograd.gradcheck(lambda a, b: _LOSSES[name](a, b, "mean"), (x, y))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.sort(1)[0],
        lambda x: x.sort(0, descending=True)[0],
        lambda x: x.topk(2)[0],
        lambda x: x.topk(2, dim=0, largest=False)[0],
    ],
    ids=["sort", "sort_descending", "topk", "topk_smallest"],
)
def test_sorting_gradients(fn):
    x = rand64(3, 4, seed=5)
    assert retrograd.autograd.gradcheck(fn, (x,))
    assert retrograd.autograd.gradgradcheck(fn, (x,))


def test_constant_pad_gradients():
    F = retrograd.nn.functional
    x = rand64(2, 3, 4, seed=6)
    for amounts in [(1, 2), (0, 1, 2, 0), (-1, 2, 1, -1), (1, 1, 1, 1, 1, 1)]:
        fn = lambda t, a=amounts: F.pad(t, a, value=0.5)
        assert retrograd.autograd.gradcheck(fn, (x,))
        assert retrograd.autograd.gradgradcheck(fn, (x,))


_ACTIVATIONS = {
    "hardswish": lambda t: retrograd.nn.functional.hardswish(t),
    "hardsigmoid": lambda t: retrograd.nn.functional.hardsigmoid(t),
    "hardtanh": lambda t: retrograd.nn.functional.hardtanh(t, -0.5, 0.5),
    "logsigmoid": lambda t: retrograd.nn.functional.logsigmoid(t),
    "mish": lambda t: retrograd.nn.functional.mish(t),
    "threshold": lambda t: retrograd.nn.functional.threshold(t, 0.1, -2.0),
    "celu": lambda t: retrograd.nn.functional.celu(t, 0.5),
    "glu": lambda t: retrograd.nn.functional.glu(t, 1),
}


@pytest.mark.parametrize("name", list(_ACTIVATIONS))
def test_activation_gradients(name):
    x = rand64(3, 4, seed=7, low=-4, high=4)
    assert retrograd.autograd.gradcheck(_ACTIVATIONS[name], (x,))
    if name == "hardsigmoid":  # PyTorch's hardsigmoid_backward has no derivative
        with pytest.raises(RuntimeError, match="aten::hardsigmoid_backward is not implemented"):
            retrograd.autograd.gradgradcheck(_ACTIVATIONS[name], (x,))
        return
    assert retrograd.autograd.gradgradcheck(_ACTIVATIONS[name], (x,))


@pytest.mark.parametrize("wshape", [(1,), (3,)])
def test_prelu_gradients(wshape):
    x, w = rand64(2, 3, 4, seed=8), rand64(*wshape, seed=9)
    fn = retrograd.nn.functional.prelu
    assert retrograd.autograd.gradcheck(fn, (x, w))
    assert retrograd.autograd.gradgradcheck(fn, (x, w))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.abs().log10(),
        lambda x: x.roll(1, 1),
        lambda x: x.roll((1, -1), (0, 1)),
        lambda x: x.roll(2),
        lambda x: x.diagonal(),
        lambda x: x.diagonal(-1),
        lambda x: x.unsqueeze(0).diagonal(1, 1, 2),
        lambda x: x[:3].trace(),
        lambda x: retrograd.diag(x[0], 1),
        lambda x: x.cumprod(1),
        lambda x: x.cumprod(0),
        lambda x: x.repeat_interleave(2, dim=1),
        lambda x: retrograd.lerp(x, x * x, 0.3),
        lambda x: retrograd.lerp(x, x * 2, x.sigmoid()),
        lambda x: retrograd.addcmul(x, x, x, value=3),
        lambda x: retrograd.addcdiv(x, x, x.exp()),
        lambda x: retrograd.mv(x, x[0]),
    ],
)
def test_missing_ops_gradients(fn):
    x = rand64(4, 4, seed=10)
    assert retrograd.autograd.gradcheck(fn, (x,))
    assert retrograd.autograd.gradgradcheck(fn, (x,))


def test_cumprod_gradient_with_zeros():
    x = retrograd.tensor(
        [[2.0, 0.0, 3.0, 0.0], [0.5, 1.5, 0.0, 2.0]], dtype=retrograd.float64, requires_grad=True
    )
    assert retrograd.autograd.gradcheck(lambda t: t.cumprod(1), (x,))
    assert retrograd.autograd.gradgradcheck(lambda t: t.cumprod(1), (x,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.median(),
        lambda x: x.median(1)[0],
        lambda x: x.median(0, keepdim=True)[0],
        lambda x: retrograd.nn.functional.linear(x[0], x, x[:, 0]),
    ],
)
def test_median_and_vector_linear_gradients(fn):
    x = rand64(3, 3, seed=11)
    assert retrograd.autograd.gradcheck(fn, (x,))
    assert retrograd.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize(
    "shape, k, affine",
    [((3, 4), 1, True), ((2, 3, 4), 2, True), ((2, 3), 1, False), ((4,), 1, True)],
)
def test_layer_norm_node_gradients(shape, k, affine):
    x = rand64(*shape, seed=12, low=-2, high=2)
    w = rand64(*shape[len(shape) - k :], seed=13) if affine else None
    b = rand64(*shape[len(shape) - k :], seed=14) if affine else None
    norm_shape = shape[len(shape) - k :]
    F = retrograd.nn.functional
    if affine:
        fn, args = (lambda x, w, b: F.layer_norm(x, norm_shape, w, b)), (x, w, b)
    else:
        fn, args = (lambda x: F.layer_norm(x, norm_shape)), (x,)
    assert fn(*args).grad_fn.name() == "NativeLayerNormBackward0"
    assert retrograd.autograd.gradcheck(fn, args)
    assert retrograd.autograd.gradgradcheck(fn, args)


def test_layer_norm_matches_torch(torch_ref):
    rng = np.random.default_rng(15)
    data = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 4), (3, 4), (3, 4))]
    outs = []
    for lib in (retrograd, torch_ref):
        x, w, b = (lib.tensor(d, requires_grad=True) for d in data)
        y = lib.nn.functional.layer_norm(x, (3, 4), w, b)
        (y * lib.tensor(data[0])).sum().backward()
        outs.append([t.detach().numpy() for t in (y, x.grad, w.grad, b.grad)])
    for ours, theirs in zip(*outs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_batch_norm_node_gradients(training, shape):
    F = retrograd.nn.functional
    x, w, b = rand64(*shape, seed=16, low=-2, high=2), rand64(3, seed=17), rand64(3, seed=18)
    rm = retrograd.tensor([0.1, -0.2, 0.3], dtype=retrograd.float64)
    rv = retrograd.tensor([0.5, 1.5, 2.0], dtype=retrograd.float64)
    fn = lambda x, w, b: F.batch_norm(
        x, None if training else rm, None if training else rv, w, b, training
    )
    assert fn(x, w, b).grad_fn.name() == "NativeBatchNormBackward0"
    assert retrograd.autograd.gradcheck(fn, (x, w, b))
    assert retrograd.autograd.gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("train", [True, False])
def test_batch_norm_module_matches_torch(torch_ref, train):
    rng = np.random.default_rng(19)
    data = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    outs = []
    for lib in (retrograd, torch_ref):
        bn = lib.nn.BatchNorm2d(3)
        bn.train(train)
        x = lib.tensor(data, requires_grad=True)
        y = bn(x)
        (y * lib.tensor(data)).sum().backward()
        outs.append(
            [
                t.detach().numpy()
                for t in (y, x.grad, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var)
            ]
            + [y.grad_fn.name()]
        )
    for ours, theirs in zip(outs[0][:-1], outs[1][:-1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    assert outs[0][-1] == outs[1][-1]


@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_node_gradients(affine):
    F = retrograd.nn.functional
    x = rand64(2, 4, 3, seed=20, low=-2, high=2)
    w, b = (rand64(4, seed=21), rand64(4, seed=22)) if affine else (None, None)
    if affine:
        fn, args = (lambda x, w, b: F.group_norm(x, 2, w, b)), (x, w, b)
    else:
        fn, args = (lambda x: F.group_norm(x, 2)), (x,)
    assert fn(*args).grad_fn.name() == "NativeGroupNormBackward0"
    assert retrograd.autograd.gradcheck(fn, args)
    assert retrograd.autograd.gradgradcheck(fn, args)


def test_group_norm_module_matches_torch(torch_ref):
    data = np.random.default_rng(23).standard_normal((2, 4, 3)).astype(np.float32)
    outs = []
    for lib in (retrograd, torch_ref):
        gn = lib.nn.GroupNorm(2, 4)
        x = lib.tensor(data, requires_grad=True)
        y = gn(x)
        (y * lib.tensor(data)).sum().backward()
        outs.append([t.detach().numpy() for t in (y, x.grad, gn.weight.grad, gn.bias.grad)])
    for ours, theirs in zip(*outs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (2, 3, 4)])
def test_masked_select_gradients(mask_shape):
    x = rand64(3, 4, seed=24)
    mask = retrograd.tensor(np.random.default_rng(25).random(mask_shape) > 0.4)
    fn = lambda t: t.masked_select(mask)
    assert retrograd.autograd.gradcheck(fn, (x,))
    assert retrograd.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: retrograd.nn.functional.margin_ranking_loss(x[0], y[0], x[1].sign(), 0.1),
        lambda x, y: retrograd.nn.functional.hinge_embedding_loss(x[0], y[1].sign()),
        lambda x, y: retrograd.nn.functional.soft_margin_loss(
            x, y.sign().detach(), reduction="sum"
        ),
        lambda x, y: retrograd.nn.functional.triplet_margin_loss(x, y, x.flip(0) * 2, margin=3.0),
        lambda x, y: retrograd.nn.functional.poisson_nll_loss(x, y.abs()),
        lambda x, y: retrograd.nn.functional.cosine_embedding_loss(
            x, y, retrograd.tensor([1, -1, 1]), margin=-1.0
        ),
    ],
    ids=["margin_ranking", "hinge", "soft_margin", "triplet", "poisson", "cosine_embedding"],
)
def test_ranking_and_embedding_loss_gradients(fn):
    x, y = rand64(3, 4, seed=26), rand64(3, 4, seed=27)
    assert retrograd.autograd.gradcheck(fn, (x, y))
    assert retrograd.autograd.gradgradcheck(fn, (x, y))


@pytest.mark.parametrize(
    "kw", [{"scale_factor": 2}, {"size": (3, 5)}, {"scale_factor": 1.5}, {"size": (1, 2)}]
)
def test_nearest_upsampling_gradients(kw):
    x = rand64(1, 2, 2, 3, seed=28)
    fn = lambda t: retrograd.nn.functional.interpolate(t, **kw)
    assert retrograd.autograd.gradcheck(fn, (x,))
    assert retrograd.autograd.gradgradcheck(fn, (x,))
