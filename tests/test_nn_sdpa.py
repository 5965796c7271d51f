"""F.scaled_dot_product_attention: native from 2.0 (identity where it takes scale and enable_gqa); the
reference implementation below, checked against torch's own (2.x) and a NumPy softmax(QK^T)V (always)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.shifts.nn import BACKPORTS

F = torch.nn.functional
NATIVE = getattr(F, "scaled_dot_product_attention", None)
REF = BACKPORTS["nn.functional.scaled_dot_product_attention"](torch)
BOOL = getattr(torch, "bool", torch.uint8)  # torch < 1.2: masks are uint8


def _qkv(L: int = 4, S: int = 6, E: int = 5, Ev: int = 3, heads=(2, 3), kv_heads=None):  # type: ignore[no-untyped-def]
    g = torch.Generator().manual_seed(L * 100 + S)
    kvh = heads if kv_heads is None else kv_heads
    q = torch.randn(*(list(heads) + [L, E]), generator=g, dtype=torch.float64)
    k = torch.randn(*(list(kvh) + [S, E]), generator=g, dtype=torch.float64)
    v = torch.randn(*(list(kvh) + [S, Ev]), generator=g, dtype=torch.float64)
    return q, k, v


def _np_attention(q, k, v, bias=None, scale=None):  # type: ignore[no-untyped-def]
    q, k, v = q.numpy(), k.numpy(), v.numpy()
    s = (q @ np.swapaxes(k, -1, -2)) * (1.0 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is not None:
        s = s + bias
    m = s.max(-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(s - m)
    total = e.sum(-1, keepdims=True)
    w = np.where(total > 0, e / np.where(total > 0, total, 1.0), 0.0)  # fully masked rows: 0 (torch >= 2.5)
    return w @ v


def _bias(mask):  # type: ignore[no-untyped-def]
    return np.where(mask.numpy() != 0, 0.0, -np.inf)


def test_identity_or_backport() -> None:
    fn = tc.nn.functional.scaled_dot_product_attention
    status = tc._bind().status("nn.functional.scaled_dot_product_attention")
    if NATIVE is None:
        assert status == "backported" and fn is REF
    elif tc.at_least("2.5"):
        assert status == "native" and fn is NATIVE
    else:
        assert status == "backported"


def _all_fns():  # type: ignore[no-untyped-def]
    return [REF, tc.nn.functional.scaled_dot_product_attention] + ([NATIVE] if NATIVE is not None else [])


@pytest.mark.parametrize("L,S", [(4, 6), (6, 4), (5, 5), (1, 7)])
def test_plain_and_scaled(L: int, S: int) -> None:
    q, k, v = _qkv(L, S)
    for fn in _all_fns():
        np.testing.assert_allclose(fn(q, k, v).numpy(), _np_attention(q, k, v), rtol=1e-10, atol=1e-12)
    for fn in (REF, tc.nn.functional.scaled_dot_product_attention):
        out = fn(q, k, v, scale=0.37)
        np.testing.assert_allclose(out.numpy(), _np_attention(q, k, v, scale=0.37), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("L,S", [(4, 6), (6, 4), (5, 5)])
def test_masks_and_causal(L: int, S: int) -> None:
    q, k, v = _qkv(L, S)
    g = torch.Generator().manual_seed(7)
    keep = torch.rand(L, S, generator=g) > 0.4
    keep[:, 0] = 1  # no row fully masked here
    float_mask = torch.randn(2, 1, L, S, generator=g, dtype=torch.float64)
    causal = np.where(np.tril(np.ones((L, S))) > 0, 0.0, -np.inf)
    cases = [
        ({"attn_mask": keep.to(BOOL)}, _bias(keep)),
        ({"attn_mask": float_mask}, float_mask.numpy()),
        ({"is_causal": True}, causal),
    ]
    for kwargs, bias in cases:
        expected = _np_attention(q, k, v, bias)
        for fn in _all_fns():
            np.testing.assert_allclose(fn(q, k, v, **kwargs).numpy(), expected, rtol=1e-10, atol=1e-12)
        if NATIVE is not None:  # the brief: within 1e-6 of torch's own in float64
            assert torch.allclose(REF(q, k, v, **kwargs), NATIVE(q, k, v, **kwargs), rtol=0, atol=1e-6)
    with pytest.raises(RuntimeError):
        REF(q, k, v, attn_mask=keep.to(BOOL), is_causal=True)


def test_fully_masked_rows_give_zero() -> None:
    q, k, v = _qkv(3, 5)
    keep = torch.ones(3, 5).to(BOOL)
    keep[1] = 0
    out = REF(q, k, v, attn_mask=keep)
    assert bool((out[..., 1, :] == 0).all())
    np.testing.assert_allclose(out.numpy(), _np_attention(q, k, v, _bias(keep)), rtol=1e-10, atol=1e-12)
    if NATIVE is not None and tc.at_least("2.5"):
        assert torch.allclose(out, NATIVE(q, k, v, attn_mask=keep), rtol=0, atol=1e-6)


def test_dropout() -> None:
    q, k, v = _qkv()
    np.testing.assert_allclose(REF(q, k, v, dropout_p=0.0).numpy(), _np_attention(q, k, v), rtol=1e-10)
    assert bool((REF(q, k, v, dropout_p=1.0) == 0).all())
    torch.manual_seed(0)
    dropped = REF(q, k, v, dropout_p=0.5)
    assert dropped.shape == (2, 3, 4, 3)
    assert not torch.allclose(dropped, REF(q, k, v))
    # dropout keeps the expectation: averaged over many draws it approaches the plain result
    torch.manual_seed(1)
    mean = sum(REF(q, k, v, dropout_p=0.5) for _ in range(400)) / 400
    assert float((mean - REF(q, k, v)).abs().max()) < 0.25


def test_grouped_query_attention() -> None:
    q, _, _ = _qkv(heads=(2, 4))
    _, k, v = _qkv(heads=(2, 2))
    k_full = k.unsqueeze(-3).expand(2, 2, 2, 6, 5).reshape(2, 4, 6, 5)
    v_full = v.unsqueeze(-3).expand(2, 2, 2, 6, 3).reshape(2, 4, 6, 3)
    expected = _np_attention(q, k_full, v_full)
    for fn in (REF, tc.nn.functional.scaled_dot_product_attention):
        np.testing.assert_allclose(fn(q, k, v, enable_gqa=True).numpy(), expected, rtol=1e-10, atol=1e-12)
    if NATIVE is not None and tc.at_least("2.5"):
        assert torch.allclose(REF(q, k, v, enable_gqa=True), NATIVE(q, k, v, enable_gqa=True), rtol=0, atol=1e-6)


@pytest.mark.torch_version(">=2.0")
def test_gradients_match_native() -> None:
    q, k, v = _qkv()
    grads = []
    for fn in (REF, NATIVE):
        qq, kk, vv = (t.clone().requires_grad_() for t in (q, k, v))
        fn(qq, kk, vv, is_causal=True).sum().backward()
        grads.append([qq.grad, kk.grad, vv.grad])
    for a, b in zip(*grads):
        assert torch.allclose(a, b, rtol=0, atol=1e-6)
