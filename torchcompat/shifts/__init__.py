"""The registry's records, one module per area. Importing an area only declares records: no torch."""

from __future__ import annotations

import importlib

#: Area modules, imported in this order by :func:`load_all`.
AREAS = (
    "autograd",
    "tensor",
    "nn",
    "linalg",
    "fft",
    "serialization",
    "amp",
    "data",
    "distributed",
    "func",
    "optim",
    "six",
    "device",
    "misc",
)


def load_all() -> None:
    """Import every area module (idempotent)."""
    for area in AREAS:
        importlib.import_module("torchcompat.shifts." + area)
