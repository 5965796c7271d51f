"""Shifts of torch.testing: assert_allclose -> assert_close.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("testing")

TEST_ASSERT_ALLCLOSE = shift(
    "test-assert-allclose",
    "torch.testing.assert_allclose(a, b) → torch.testing.assert_close(a, b, check_dtype=False)",
    old="`torch.testing.assert_allclose(a, b)`",
    new="`torch.testing.assert_close(a, b, check_dtype=False, rtol=..., atol=...)`",
    added="1.9",
    deprecated="1.12",
    link="https://github.com/pytorch/pytorch/pull/61844",
    strategy="codemod",
    notes="deprecated: 1.12 (FutureWarning; guide in pytorch#61844); removed: still present as of 2.x (verified in stored source). Silent change: YES: `assert_close` checks dtype/device/layout by default and has different default tolerances. How common: ns (M)",
    kind="spelling",
)
