"""torch.return_types: the named result types under PyTorch's names, the classes the ops return."""

import warnings

import pytest

import retrograd

CALLS = {
    "max": lambda t, x: t.max(x, 0),
    "min": lambda t, x: x.min(1),
    "sort": lambda t, x: t.sort(x),
    "topk": lambda t, x: x.topk(2),
    "kthvalue": lambda t, x: t.kthvalue(x, 2),
    "median": lambda t, x: x.median(0),
    "nanmedian": lambda t, x: t.nanmedian(x, 0),
    "mode": lambda t, x: t.mode(x, 0),
    "cummax": lambda t, x: t.cummax(x, 0),
    "cummin": lambda t, x: t.cummin(x, 0),
    "aminmax": lambda t, x: t.aminmax(x),
    "frexp": lambda t, x: t.frexp(x),
    "linalg_svd": lambda t, x: t.linalg.svd(x),
    "linalg_qr": lambda t, x: t.linalg.qr(x),
    "linalg_eigh": lambda t, x: t.linalg.eigh(x @ x.mT),
    "linalg_slogdet": lambda t, x: t.linalg.slogdet(x),
    "qr": lambda t, x: t.qr(x),
    "svd": lambda t, x: t.svd(x),
    "histogram": lambda t, x: t.histogram(x.flatten(), 3),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_result_is_the_named_class(torch_ref, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = CALLS[name](retrograd, retrograd.ones(3, 3) + retrograd.eye(3))
        want = CALLS[name](torch_ref, torch_ref.ones(3, 3) + torch_ref.eye(3))
    assert type(want).__name__ == name
    assert type(got) is getattr(retrograd.return_types, name)
    assert type(got) is getattr(retrograd.return_types, name + "_out")
    assert got._fields == type(want)._fields if hasattr(type(want), "_fields") else True
    assert isinstance(got, tuple)


def test_every_pytorch_name_is_there(torch_ref):
    for name in dir(torch_ref.return_types):
        value = getattr(torch_ref.return_types, name)
        if name.startswith("_") or not isinstance(value, type) or name == "SequenceKey":
            continue
        assert hasattr(retrograd.return_types, name), name
        ours = getattr(retrograd.return_types, name)
        assert ours.__module__ == "torch.return_types"
    assert len(retrograd.return_types.all_return_types) >= 30
