"""Fixtures shared by the legacy-restore test modules."""

from __future__ import annotations

import warnings

import pytest

from torchcompat import legacy


@pytest.fixture
def era03():
    """Restores on with era 0.3 (names applied), undone afterwards; starts from an unpatched torch."""
    legacy.unpatch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = legacy.patch(era="0.3")
    try:
        yield names
    finally:
        legacy.unpatch()
