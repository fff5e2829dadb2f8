"""``nn.attention.flex_attention`` against PyTorch's eager flex attention: score and mask
functions, GQA, scale, the log-sum-exp, masks that leave a query no key, the CPU build's
refusals (inputs that require grad, max scores), and the mask helpers."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.attention.flex_attention

import retrograd
import retrograd.nn.attention.flex_attention


def _inputs(lib, hq=2, hkv=2, L=4, S=6, seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    return [
        lib.tensor(rng.standard_normal(shape), dtype=lib.float64, requires_grad=requires_grad)
        for shape in ((2, hq, L, 8), (2, hkv, S, 8), (2, hkv, S, 5))
    ]


def _causal(b, h, q, kv):
    return q >= kv


def _window(b, h, q, kv):
    return (q - kv).abs() <= 1


def _nothing(b, h, q, kv):
    return q < 0


def _rel(score, b, h, q, kv):
    return score + (q - kv) * 0.25


def _per_head(score, b, h, q, kv):
    return score * (h + 1) - b * 0.5


CASES = {
    "plain": {},
    "score_mod": {"score_mod": _rel},
    "per_head": {"score_mod": _per_head},
    "causal": {"mask": _causal},
    "window_and_mod": {"mask": _window, "score_mod": _rel},
    "or": {"mask": ("or", _causal, _window)},
    "and": {"mask": ("and", _causal, _window)},
    "empty_rows": {"mask": _nothing},
    "scale": {"scale": 0.3},
    "gqa": {"heads": (4, 2), "enable_gqa": True},
    "lse": {"return_lse": True, "mask": _causal},
    "aux": {"aux": True},
}


def _run(lib, case):
    fa = lib.nn.attention.flex_attention
    hq, hkv = case.get("heads", (2, 2))
    q, k, v = _inputs(lib, hq, hkv)
    kw = {}
    if "score_mod" in case:
        kw["score_mod"] = case["score_mod"]
    mask = case.get("mask")
    if isinstance(mask, tuple):
        mask = getattr(fa, mask[0] + "_masks")(*mask[1:])
    if mask is not None:
        kw["block_mask"] = fa.create_block_mask(mask, None, None, 4, 6)
    for name in ("scale", "enable_gqa", "return_lse"):
        if name in case:
            kw[name] = case[name]
    if case.get("aux"):
        kw["return_aux"] = fa.AuxRequest(lse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fa.flex_attention(q, k, v, **kw)
    out, extra = (result, None) if isinstance(result, lib.Tensor) else result
    if extra is not None and not isinstance(extra, lib.Tensor):
        extra = extra.lse
    values = [out] + ([extra] if extra is not None else [])
    return [x.numpy() for x in values]


@pytest.mark.parametrize("name", list(CASES))
def test_flex_attention_matches_pytorch(name):
    for r, t in zip(_run(retrograd, CASES[name]), _run(torch, CASES[name]), strict=True):
        np.testing.assert_allclose(r, t, rtol=1e-10, atol=1e-12)


def test_errors():
    def run(lib, **kw):
        fa = lib.nn.attention.flex_attention
        q, k, v = _inputs(lib, *kw.pop("heads"), requires_grad=kw.pop("requires_grad", False))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fa.flex_attention(q, k, v, **kw)
        except (ValueError, NotImplementedError) as e:
            return type(e).__name__, str(e)

    assert run(retrograd, heads=(4, 2)) == run(torch, heads=(4, 2))
    assert run(retrograd, heads=(3, 2), enable_gqa=True) == run(
        torch, heads=(3, 2), enable_gqa=True
    )
    assert run(retrograd, heads=(3, 2), requires_grad=True) == run(
        torch, heads=(3, 2), requires_grad=True
    )
    aux = {"heads": (2, 2)}
    assert run(
        retrograd,
        return_aux=retrograd.nn.attention.flex_attention.AuxRequest(max_scores=True),
        **dict(aux),
    ) == run(torch, return_aux=torch.nn.attention.flex_attention.AuxRequest(max_scores=True), **aux)


@pytest.mark.parametrize("B, H", [(1, 1), (2, None), (None, 3)])
def test_create_mask(B, H):
    def run(lib):
        fa = lib.nn.attention.flex_attention
        both = fa.or_masks(_causal, lambda b, h, q, kv: kv == 0)
        mask = fa.create_mask(both, B, H, 3, 5)
        block = fa.create_block_mask(_causal, B, H, 3, 5, BLOCK_SIZE=64)
        return (
            mask.dtype == lib.bool,
            mask.numpy().tolist(),
            tuple(block.shape),
            tuple(block.seq_lengths),
            tuple(block.BLOCK_SIZE),
            bool(fa.noop_mask(*[lib.tensor(0)] * 4)),
        )

    assert run(retrograd) == run(torch)


def test_block_sparse_form_is_named_not_built():
    fa = retrograd.nn.attention.flex_attention
    block = fa.create_block_mask(_causal, None, None, 4, 4)
    with pytest.raises(NotImplementedError, match="BlockMask.kv_indices"):
        block.kv_indices  # noqa: B018
