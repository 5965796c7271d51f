"""Restore modules, one per area. Importing one attaches its restores as faces of registry records."""

from __future__ import annotations

import importlib

AREAS = ("autograd", "tensor", "scalars", "nn", "data", "linalg", "fft", "serialization", "export", "vision", "moves")


def load_all() -> None:
    """Import every restore module (idempotent)."""
    for area in AREAS:
        importlib.import_module("torchcompat.legacy.restores." + area)
