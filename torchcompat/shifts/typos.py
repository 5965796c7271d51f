"""Misspellings that every torch release accepts silently (so no version makes them wrong or right)."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("typos")

REQUIRE_GRAD_TYPO = shift(
    "require-grad-typo",
    "x.require_grad = True sets a new Python attribute → x.requires_grad = True",
    old="`x.require_grad = True`",
    new="`x.requires_grad = True`",
    link="https://github.com/pytorch-labs/torchfix#tor002",
    strategy="warn-only",
    notes="Tensors accept any attribute, so the misspelling silently leaves requires_grad False on every "
    "release (TorchFix TOR002). Reported only: fixing it changes what the program computes.",
    kind="meaning",
)
