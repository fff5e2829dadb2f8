"""The meta device: tensors with a shape and a dtype but no values, a model built on it and
then given memory (``to_empty``) before ``load_state_dict`` or ``reset_parameters``; the same
programs run on retrograd and on PyTorch."""

import warnings

import pytest

import retrograd


def _outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = ("returns", fn())
        except Exception as e:
            out = ("raises", type(e).__name__, str(e))
    return out, [str(w.message) for w in caught]


def _same(fn, torch_ref):
    assert _outcome(lambda: fn(retrograd)) == _outcome(lambda: fn(torch_ref))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.empty(2, 3, device="meta"),
        lambda lib: lib.zeros(3, dtype=lib.float64, device="meta"),
        lambda lib: lib.randn(2, 2, device="meta", requires_grad=True),
        lambda lib: lib.empty((), device="meta"),
        lambda lib: lib.full((2,), 3, device="meta"),
        lambda lib: lib.ones(size=(4, 1), device=lib.device("meta")),
        lambda lib: lib.arange(5, device="meta"),
        lambda lib: lib.empty_like(lib.empty(2, 3, device="meta")),
        lambda lib: lib.zeros_like(lib.empty(2, 3, device="meta"), dtype=lib.float64),
    ],
)
def test_meta_factories_print_shape_and_dtype(make, torch_ref):
    def program(lib):
        t = make(lib)
        return (
            repr(t),
            str(t),
            t.is_meta,
            str(t.device),
            tuple(t.shape),
            str(t.dtype),
            t.stride(),
            t.numel(),
            t.requires_grad,
        )

    _same(program, torch_ref)


def test_meta_factories_draw_no_random_numbers(torch_ref):
    def program(lib):
        lib.manual_seed(0)
        lib.randn(100, device="meta")
        lib.rand(3, 3, device="meta")
        return lib.rand(2).tolist()

    _same(program, torch_ref)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, a: a.item(),
        lambda lib, a: lib.empty(1, device="meta").item(),
        lambda lib, a: a.tolist(),
        lambda lib, a: a.numpy(),
        lambda lib, a: a.to("cpu"),
        lambda lib, a: a.cpu(),
        lambda lib, a: a + lib.ones(2, 3),
        lambda lib, a: repr(a + 1),
        lambda lib, a: repr(2.5 * a),
        lambda lib, a: repr(a / lib.empty(3, dtype=lib.float64, device="meta")),
        lambda lib, a: repr(a + lib.empty(4, 3, device="meta")),
        lambda lib, a: repr(-a.exp()),
        lambda lib, a: repr(a @ lib.empty(3, 4, device="meta")),
        lambda lib, a: repr(a @ lib.empty(3, device="meta")),
        lambda lib, a: repr(a @ lib.empty(2, 4, device="meta")),
        lambda lib, a: repr(lib.nn.functional.linear(a, lib.empty(5, 3, device="meta"))),
        lambda lib, a: repr(a.t()),
        lambda lib, a: repr(a.view(3, 2)),
        lambda lib, a: repr(a.reshape(-1)),
        lambda lib, a: repr(a.to(lib.float64)),
        lambda lib, a: repr(lib.empty_like(a, device="cpu").shape),
        lambda lib, a: repr(a.uniform_()),
        lambda lib, a: repr(a.zero_()),
    ],
)
def test_meta_tensor_ops(call, torch_ref):
    _same(lambda lib: call(lib, lib.empty(2, 3, device="meta")), torch_ref)


def test_ops_not_built_for_meta_say_which():
    a = retrograd.empty(2, 3, device="meta")
    with pytest.raises(NotImplementedError, match="trace: not built for meta tensors"):
        a.trace()
    with pytest.raises(NotImplementedError, match="_kthvalue: not built for meta tensors"):
        a.kthvalue(1)


def test_model_built_on_meta_then_given_memory(torch_ref):
    def program(lib):
        out = []
        with lib.device("meta"):
            m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
            out.append(repr(lib.empty(1)))
        out.append((repr(m[0].weight), str(m[0].weight), repr(m)))
        out.append(repr(m[0](lib.empty(5, 3, device="meta")).shape))
        lib.manual_seed(0)
        state = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        state = state.state_dict()
        with pytest.raises(NotImplementedError) as err:
            m.to("cpu")
        out.append(str(err.value))
        m.to_empty(device="cpu")
        out.append((m[0].weight.is_meta, str(m[0].weight.device), type(m[0].weight).__name__))
        m.load_state_dict(state)
        x = lib.arange(6.0).reshape(2, 3)
        out.append(m(x).tolist())
        m(x).sum().backward()
        out.append(m[0].weight.grad.tolist())
        return out

    _same(program, torch_ref)


def test_meta_then_reset_parameters_and_load_into_meta(torch_ref):
    def program(lib):
        m = lib.nn.Linear(3, 2, device="meta")
        m.load_state_dict({"weight": lib.ones(2, 3), "bias": lib.zeros(2)})  # a no-op, warned
        still = m.weight.is_meta
        m.to_empty(device="cpu")
        lib.manual_seed(0)
        m.reset_parameters()
        e = lib.nn.Embedding(4, 2, padding_idx=1, device="meta")
        e.to_empty(device="cpu")
        lib.manual_seed(1)
        e.reset_parameters()
        return still, m.weight.tolist(), m.bias.tolist(), e.weight.tolist()

    _same(program, torch_ref)


def test_to_meta(torch_ref):
    def program(lib):
        x = lib.ones(2, 3)
        return [
            repr(x.to("meta")),
            repr(x.to(device="meta", dtype=lib.float64)),
            repr(x.to(lib.device("meta"), lib.float16)),
            repr(lib.empty(2, device="meta").to("meta")),
        ]

    _same(program, torch_ref)


def _described(out):
    """Shapes, dtypes, devices and requires_grad of a result (a tensor or a tuple of them)."""
    if isinstance(out, (tuple, list)):
        return type(out).__name__, [_described(t) for t in out]
    return tuple(out.shape), str(out.dtype), str(out.device), out.requires_grad


_INDEXING_AND_REDUCTIONS = {
    "sum": lambda lib, a, i: a.sum(),
    "sum dim": lambda lib, a, i: a.sum(1),
    "sum keepdim": lambda lib, a, i: a.sum(-1, keepdim=True),
    "sum dims": lambda lib, a, i: a.sum((0, 2)),
    "sum dtype": lambda lib, a, i: a.sum(dtype=lib.float64),
    "sum int": lambda lib, a, i: i.sum(0),
    "sum bad dim": lambda lib, a, i: a.sum(3),
    "mean": lambda lib, a, i: a.mean(1),
    "prod int": lambda lib, a, i: i.prod(1),
    "amax": lambda lib, a, i: a.amax((0, 1)),
    "max": lambda lib, a, i: a.max(),
    "max dim": lambda lib, a, i: a.max(1),
    "min keepdim": lambda lib, a, i: a.min(1, keepdim=True),
    "argmax": lambda lib, a, i: a.argmax(2, keepdim=True),
    "std": lambda lib, a, i: a.std(1),
    "var": lambda lib, a, i: a.var(),
    "norm": lambda lib, a, i: a.norm(dim=1),
    "logsumexp": lambda lib, a, i: a.logsumexp(1),
    "all": lambda lib, a, i: a.all(),
    "any": lambda lib, a, i: a.any(1),
    "cumsum int": lambda lib, a, i: i.cumsum(0),
    "softmax": lambda lib, a, i: a.softmax(-1),
    "log_softmax": lambda lib, a, i: a.log_softmax(1),
    "median": lambda lib, a, i: a.median(1),
    "sort": lambda lib, a, i: a.sort(0),
    "int": lambda lib, a, i: a[0],
    "slices": lambda lib, a, i: a[:, 1:3, ::2],
    "none and ellipsis": lambda lib, a, i: a[None, ..., -1],
    "out of range": lambda lib, a, i: a[5],
    "meta index": lambda lib, a, i: a[lib.empty(5, dtype=lib.int64, device="meta")],
    "meta indices": lambda lib, a, i: a[:, lib.empty(2, 5, dtype=lib.int64, device="meta")],
    "list index": lambda lib, a, i: a[[0, 1, 1]],
    "meta mask": lambda lib, a, i: a[lib.empty(2, 3, dtype=lib.bool, device="meta")],
    "index_select": lambda lib, a, i: a.index_select(
        1, lib.empty(5, dtype=lib.int64, device="meta")
    ),
    "gather": lambda lib, a, i: a.gather(2, lib.empty(2, 3, 2, dtype=lib.int64, device="meta")),
    "narrow": lambda lib, a, i: a.narrow(1, 1, 2),
    "select": lambda lib, a, i: a.select(2, 0),
    "unsqueeze": lambda lib, a, i: a.unsqueeze(1),
    "permute": lambda lib, a, i: a.permute(2, 0, 1),
    "expand": lambda lib, a, i: a[:, :1].expand(2, 5, 4),
    "split": lambda lib, a, i: a.split(3, 2),
    "chunk": lambda lib, a, i: a.chunk(2, 1),
    "unbind": lambda lib, a, i: a.unbind(0),
    "F.softmax": lambda lib, a, i: lib.nn.functional.softmax(a, 1),
    "F.log_softmax": lambda lib, a, i: lib.nn.functional.log_softmax(a, 0, dtype=lib.float64),
    "cat": lambda lib, a, i: lib.cat([a, a[:, :1], lib.empty(0, device="meta")], 1),
    "cat promotes": lambda lib, a, i: lib.cat([i, i.double()]),
    "cat mixed devices": lambda lib, a, i: lib.cat([a, lib.empty(2, 3, 4)]),
    "cat bad sizes": lambda lib, a, i: lib.cat([a, a[:1, :2]], 1),
    "cat bad dims": lambda lib, a, i: lib.cat([a, a[0]], 1),
    "stack": lambda lib, a, i: lib.stack([a, a], 2),
    "stack bad dim": lambda lib, a, i: lib.stack([a, a], 4),
    "masked_fill": lambda lib, a, i: a.masked_fill(
        lib.empty(3, 1, dtype=lib.bool, device="meta"), 0.0
    ),
}


@pytest.mark.parametrize("name", list(_INDEXING_AND_REDUCTIONS))
@pytest.mark.parametrize("grad", [False, True])
def test_meta_indexing_and_reductions_match_pytorchs_meta_device(name, grad, torch_ref):
    call = _INDEXING_AND_REDUCTIONS[name]

    def run(lib):
        a = lib.empty(2, 3, 4, device="meta", requires_grad=grad)
        i = lib.empty(2, 3, dtype=lib.int32, device="meta")
        return _described(call(lib, a, i))

    _same(run, torch_ref)


def _meta(lib, *shape, **kwargs):
    return lib.empty(*shape, device="meta", **kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, F: F.conv2d(_meta(lib, 2, 3, 10, 10), _meta(lib, 5, 3, 2, 2)),
        lambda lib, F: F.conv2d(
            _meta(lib, 3, 10, 9), _meta(lib, 6, 1, 3, 2), _meta(lib, 6), 2, 1, (2, 1), 3
        ),
        lambda lib, F: F.conv2d(_meta(lib, 1, 4, 7, 7), _meta(lib, 2, 4, 3, 3), padding="same"),
        lambda lib, F: F.conv1d(
            _meta(lib, 2, 4, 20, dtype=lib.float64),
            _meta(lib, 8, 2, 5, dtype=lib.float64),
            stride=3,
            groups=2,
        ),  # fmt: skip
        lambda lib, F: F.conv3d(_meta(lib, 1, 2, 5, 6, 7), _meta(lib, 3, 2, 2, 3, 1)),
        lambda lib, F: F.conv_transpose2d(
            _meta(lib, 2, 4, 5, 5), _meta(lib, 4, 3, 3, 3), stride=2, output_padding=1
        ),
        lambda lib, F: F.conv2d(_meta(lib, 2, 3, 1, 1), _meta(lib, 5, 3, 2, 2)),
        lambda lib, F: F.conv2d(
            _meta(lib, 2, 3, 10, 10, requires_grad=True), _meta(lib, 5, 3, 2, 2)
        ),
        lambda lib, F: F.max_pool2d(_meta(lib, 2, 6, 28, 28), 2, 2),
        lambda lib, F: F.max_pool2d(_meta(lib, 6, 9, 9), 3, 2, 1, ceil_mode=True),
        lambda lib, F: F.max_pool2d(_meta(lib, 1, 2, 8, 8), 2, return_indices=True),
        lambda lib, F: F.max_pool1d(_meta(lib, 2, 3, 11), 3),
        lambda lib, F: F.max_pool2d(_meta(lib, 2, 6, 1, 1), 2),
        lambda lib, F: F.max_pool2d(_meta(lib, 1, 1, 4, 4, dtype=lib.bool), 2),
        lambda lib, F: F.max_pool2d(_meta(lib, 1, 1, 4, 4, dtype=lib.complex64), 2),
        lambda lib, F: F.relu(_meta(lib, 2, 3, dtype=lib.float64)),
        lambda lib, F: lib.nn.MaxPool2d(2)(
            lib.nn.Conv2d(3, 6, 5, device="meta")(_meta(lib, 4, 3, 32, 32))
        ),
    ],
)
def test_convolution_and_pooling_of_meta_tensors_match_pytorchs_meta_device(call, torch_ref):
    """Their shapes and dtypes (what a model's shapes are worked out from), and their errors.
    (Not their nodes: a meta tensor's graph is not recorded.)"""

    def program(lib):
        out = call(lib, lib.nn.functional)
        outs = out if isinstance(out, tuple) else (out,)
        return [(t.shape, str(t.dtype), t.is_meta, t.requires_grad) for t in outs]

    _same(program, torch_ref)


def test_convolution_of_a_huge_meta_tensor_takes_no_memory():
    conv = retrograd.nn.Conv2d(3, 5, 2, device="meta")
    out = conv(_meta(retrograd, 2**10, 3, 2**16, 2**16))
    assert out.shape == (2**10, 5, 2**16 - 1, 2**16 - 1) and out.is_meta
