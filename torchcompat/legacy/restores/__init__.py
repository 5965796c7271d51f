"""Restore modules, one per area. Importing one attaches its restores as faces of registry records."""

from __future__ import annotations

import importlib

AREAS = ("autograd", "tensor", "nn", "data", "linalg", "fft", "serialization", "moves")


def load_all() -> None:
    """Import every restore module (idempotent)."""
    for area in AREAS:
        importlib.import_module("torchcompat.legacy.restores." + area)
