"""``tc.nn.functional.scaled_dot_product_attention`` (2.0): torch's where it takes ``scale``/``enable_gqa``,
else a reference (math) implementation."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from torchcompat.probe import MISSING
from torchcompat.registry import REGISTRY, Resolution, backport, native
from torchcompat.shifts.nn.backports import (
    BACKPORTS,
)
from torchcompat.shifts.nn.records import (
    NN_SDPA_BACKPORT,
)

# -- F.scaled_dot_product_attention ------------------------------------------------------------------


@REGISTRY.builder("nn.functional.scaled_dot_product_attention")
def _build_sdpa(torch: Any) -> Callable[..., Any]:
    dropout = torch.nn.functional.dropout
    softmax = torch.nn.functional.softmax
    mask_dtypes = tuple(getattr(torch, n) for n in ("bool", "uint8") if hasattr(torch, n))

    def scaled_dot_product_attention(
        query: Any,
        key: Any,
        value: Any,
        attn_mask: Any = None,
        dropout_p: float = 0.0,
        is_causal: bool = False,
        scale: Optional[float] = None,
        enable_gqa: bool = False,
    ) -> Any:
        """Reference (math) ``F.scaled_dot_product_attention`` for torch < 2.0, and for the ``scale``
        (2.1) and ``enable_gqa`` (2.5) arguments (https://github.com/pytorch/pytorch/pull/92189). A boolean mask
        (uint8 before
        torch 1.2) keeps the True positions, a float mask is added; rows with every key masked give 0,
        as torch >= 2.5 does. Remove when torch >= 2.5."""
        L, S = query.size(-2), key.size(-2)
        factor = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
        if enable_gqa and key.dim() >= 3 and query.size(-3) != key.size(-3):
            groups = query.size(-3) // key.size(-3)

            def repeat(t: Any) -> Any:
                shape = list(t.shape)
                t = t.unsqueeze(-3).expand(*(shape[:-2] + [groups] + shape[-2:]))
                return t.reshape(*(shape[:-3] + [shape[-3] * groups] + shape[-2:]))

            key, value = repeat(key), repeat(value)
        scores = torch.matmul(query, key.transpose(-2, -1)) * factor
        if is_causal:
            if attn_mask is not None:
                raise RuntimeError(
                    "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
                )
            keep = torch.ones(L, S, dtype=query.dtype, device=query.device).tril()
            scores = scores.masked_fill(keep == 0, float("-inf"))
        elif attn_mask is not None:
            if attn_mask.dtype in mask_dtypes:
                scores = scores.masked_fill(attn_mask == 0, float("-inf"))
            else:
                scores = scores + attn_mask
        weights = softmax(scores, dim=-1)
        if is_causal or attn_mask is not None:
            dead = (scores == float("-inf")).sum(-1, keepdim=True) == S
            weights = weights.masked_fill(dead, 0.0)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p, training=True)
        return torch.matmul(weights, value)

    return scaled_dot_product_attention


@NN_SDPA_BACKPORT.adapter("nn.functional.scaled_dot_product_attention")
def _sdpa(env: Any) -> Resolution:
    path = "nn.functional.scaled_dot_product_attention"
    reference = BACKPORTS[path](env.torch)
    base = env.get(path)
    if base is MISSING:
        return backport(reference, "reference (math) implementation")
    has_scale = env.accepts(path, "scale")
    if has_scale and env.accepts(path, "enable_gqa"):
        return native(base)

    def scaled_dot_product_attention(
        query: Any,
        key: Any,
        value: Any,
        attn_mask: Any = None,
        dropout_p: float = 0.0,
        is_causal: bool = False,
        scale: Optional[float] = None,
        enable_gqa: bool = False,
    ) -> Any:
        """torch's SDPA, with the reference implementation for ``scale`` (2.1) and ``enable_gqa`` (2.5)
        where this torch lacks them (https://github.com/pytorch/pytorch/pull/92189). Fully masked rows
        stay torch's own here (NaN before 2.5). Remove when torch >= 2.5."""
        if not enable_gqa or query.size(-3) == key.size(-3):
            if scale is None:
                return base(query, key, value, attn_mask, dropout_p, is_causal)
            if has_scale:
                return base(query, key, value, attn_mask, dropout_p, is_causal, scale=scale)
        return reference(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)

    return backport(scaled_dot_product_attention, "scale / enable_gqa through the reference implementation")
