"""``F.multi_head_attention_forward`` against PyTorch with the same weights and inputs (outputs,
attention weights and every gradient, float64 and float32), through gradcheck and
gradgradcheck, and its errors."""

import warnings

import numpy as np
import pytest
import torch

import retrograd
from retrograd.autograd import gradcheck, gradgradcheck

E, H, L, S, N = 8, 2, 3, 4, 2
_RNG = np.random.default_rng(0)


def _arr(*shape):
    return _RNG.standard_normal(shape) * 0.5


_BASE = {
    "q": _arr(L, N, E),
    "k": _arr(S, N, E),
    "v": _arr(S, N, E),
    "w": _arr(3 * E, E),
    "b": _arr(3 * E),
    "wo": _arr(E, E),
    "bo": _arr(E),
    "bk": _arr(1, 1, E),
    "bv": _arr(1, 1, E),
    "qw": _arr(E, E),
    "kw": _arr(E, 5),
    "vw": _arr(E, 6),
    "k5": _arr(S, N, 5),
    "v6": _arr(S, N, 6),
    "sk": _arr(N * H, S, E // H),
    "sv": _arr(N * H, S, E // H),
    "fm": _arr(L, S),
    "fm3": _arr(N * H, L, S),
    "kpm": np.array([[0, 0, 1, 0], [0, 1, 0, 0]], bool),
    "am": np.triu(np.ones((L, S), bool), 1),
}
_GRADS = ["q", "k", "v", "w", "b", "wo", "bo", "bk", "bv", "qw", "kw", "vw", "k5", "v6"]
_GRADS += ["sk", "sv", "fm", "fm3"]


def _run(lib, dtype, cfg):
    dt = getattr(lib, dtype)
    t = {
        name: lib.tensor(a, dtype=lib.bool) if a.dtype == bool else lib.tensor(a, dtype=dt)
        for name, a in _BASE.items()
    }
    for name in _GRADS:
        t[name].requires_grad_(cfg.get("mask_grad", True) or name not in ("fm", "fm3"))
    q, k, v = t["q"], t[cfg.get("kname", "k")], t[cfg.get("vname", "v")]
    if cfg.get("self"):
        k = v = q
    if cfg.get("kv_same"):
        v = k
    kw = {"need_weights": cfg.get("nw", True), "average_attn_weights": cfg.get("avg", True)}
    if cfg.get("kpm"):
        kw["key_padding_mask"] = t["kpm"]
    if cfg.get("am"):
        kw["attn_mask"] = t[cfg["am"]]
    if cfg.get("sep"):
        kw.update(use_separate_proj_weight=True)
        kw.update(q_proj_weight=t["qw"], k_proj_weight=t["kw"], v_proj_weight=t["vw"])
    if cfg.get("static"):
        kw.update(static_k=t["sk"], static_v=t["sv"])
    if cfg.get("causal"):
        kw["is_causal"] = True
    if cfg.get("unbatched"):
        q, k, v = q[:, 0], k[:, 0], v[:, 0]
        if "key_padding_mask" in kw:
            kw["key_padding_mask"] = kw["key_padding_mask"][0]
    bias_kv = (t["bk"], t["bv"]) if cfg.get("biaskv") else (None, None)
    in_w = None if cfg.get("sep") else t["w"]
    in_b = None if cfg.get("nobias") else t["b"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, weights = lib.nn.functional.multi_head_attention_forward(
            q, k, v, E, H, in_w, in_b, *bias_kv, cfg.get("zero", False), 0.0, t["wo"], t["bo"],
            training=cfg.get("training", True), **kw,
        )  # fmt: skip
    loss = out.pow(2).sum()
    if weights is not None:
        loss = loss + weights.pow(2).sum()
    loss.backward()
    result = [out.detach().numpy(), None if weights is None else weights.detach().numpy()]
    return result + [None if t[n].grad is None else t[n].grad.numpy() for n in _GRADS]


_CASES = [
    {},
    {"self": True},
    {"kv_same": True},
    {"nw": False},
    {"avg": False},
    {"kpm": True},
    {"am": "am"},
    {"am": "fm"},
    {"am": "fm", "mask_grad": False},
    {"am": "fm3"},
    {"am": "fm", "kpm": True, "nw": False},
    {"biaskv": True, "kpm": True, "am": "am"},
    {"zero": True, "kpm": True, "am": "fm"},
    {"biaskv": True, "zero": True},
    {"sep": True, "kname": "k5", "vname": "v6"},
    {"static": True},
    {"static": True, "zero": True, "nw": False},
    {"causal": True, "am": "am", "nw": False},
    {"causal": True, "am": "am"},
    {"unbatched": True},
    {"unbatched": True, "kpm": True, "nw": False},
    {"nobias": True},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", range(len(_CASES)))
def test_matches_pytorch(dtype, case):
    got = _run(retrograd, dtype, _CASES[case])
    want = _run(torch, dtype, _CASES[case])
    tol = 1e-10 if dtype == "float64" else 1e-4
    for name, a, b in zip(["out", "weights", *_GRADS], got, want, strict=True):
        assert (a is None) == (b is None), name
        if a is not None:
            scale = max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale, err_msg=name)


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(1)

    def p(*shape):
        return retrograd.tensor(rng.standard_normal(shape) * 0.5, requires_grad=True)

    q, k, w, b, wo, bo = p(2, 1, 4), p(3, 1, 4), p(12, 4), p(12), p(4, 4), p(4)
    mask = retrograd.tensor([[False, True, False], [False, False, False]])
    for need_weights in (True, False):

        def fn(q, k, w, b, wo, bo, need_weights=need_weights):
            out, weights = retrograd.nn.functional.multi_head_attention_forward(
                q, k, k, 4, 2, w, b, None, None, False, 0.0, wo, bo,
                need_weights=need_weights, attn_mask=mask,
            )  # fmt: skip
            return out if weights is None else (out, weights)

        assert gradcheck(fn, (q, k, w, b, wo, bo))
        assert gradgradcheck(fn, (q, k, w, b, wo, bo))


def test_dropout_only_in_training():
    x = retrograd.randn(3, 2, 4)
    w, wo = retrograd.randn(12, 4), retrograd.randn(4, 4)
    F = retrograd.nn.functional

    def call(training):
        return F.multi_head_attention_forward(
            x, x, x, 4, 2, w, None, None, None, False, 0.9, wo, None, training=training
        )

    first, second = call(False), call(False)
    assert retrograd.equal(first[0], second[0])
    assert not retrograd.equal(call(True)[1], first[1])


def _err(fn):
    try:
        fn()
    except Exception as e:  # the type and text are what is compared
        return f"{type(e).__name__}: {e}"
    return None


def _errors(lib):
    F = lib.nn.functional
    x, y = lib.randn(3, 2, 4), lib.randn(5, 2, 4)
    w, wo = lib.randn(12, 4), lib.randn(4, 4)

    def mha(q=x, k=y, v=y, embed=4, heads=2, in_w=w, **kw):
        return F.multi_head_attention_forward(
            q, k, v, embed, heads, in_w, None, kw.pop("bk", None), kw.pop("bv", None), False,
            0.0, wo, None, **kw,
        )  # fmt: skip

    return [
        _err(lambda: mha(q=lib.randn(2, 3, 2, 4))),
        _err(lambda: mha(k=lib.randn(5, 4))),
        _err(lambda: mha(key_padding_mask=lib.zeros(2, 5, 1, dtype=lib.bool))),
        _err(lambda: mha(attn_mask=lib.zeros(1, 2, 3, 5, dtype=lib.bool))),
        _err(lambda: mha(embed=6)),
        _err(lambda: mha(heads=3)),
        _err(lambda: mha(v=lib.randn(4, 2, 4))),
        _err(lambda: mha(in_w=None)),
        _err(lambda: mha(use_separate_proj_weight=True)),
        _err(lambda: mha(attn_mask=lib.zeros(3, 4, dtype=lib.bool))),
        _err(lambda: mha(attn_mask=lib.zeros(3, 3, 5, dtype=lib.bool))),
        _err(lambda: mha(attn_mask=lib.zeros(3, 5, dtype=lib.int64))),
        _err(lambda: mha(is_causal=True)),
        _err(lambda: mha(bk=lib.randn(1, 1, 4))),
        _err(lambda: mha(bv=lib.randn(1, 1, 4))),
        _err(
            lambda: mha(bk=lib.randn(1, 1, 4), bv=lib.randn(1, 1, 4), static_k=lib.randn(4, 5, 2))
        ),
        _err(lambda: mha(static_k=lib.randn(3, 5, 2))),
        _err(lambda: mha(static_v=lib.randn(4, 5, 3))),
        _err(lambda: mha(key_padding_mask=lib.zeros(2, 4, dtype=lib.bool))),
        _err(lambda: mha(key_padding_mask=lib.zeros(3, 5, dtype=lib.bool))),
        _err(
            lambda: mha(
                q=lib.randn(3, 4),
                k=lib.randn(5, 4),
                v=lib.randn(5, 4),
                attn_mask=lib.zeros(3, 3, 5, dtype=lib.bool),
            )
        ),  # fmt: skip
    ]


def test_errors_match_pytorch():
    assert _errors(retrograd) == _errors(torch)


def test_mismatched_mask_types_warn_as_pytorch():
    def warned(lib):
        x, w = lib.randn(3, 2, 4), lib.randn(12, 4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.multi_head_attention_forward(
                x, x, x, 4, 2, w, None, None, None, False, 0.0, lib.randn(4, 4), None,
                key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3),
            )  # fmt: skip
        return [(w.category, str(w.message)) for w in caught]

    assert warned(retrograd) == warned(torch)
