"""Run 0.3/0.4-era code unmodified on today's torch.

``torchcompat.legacy.patch()`` restores, on the running torch, the old APIs and behaviours legacy code
relies on (``loss.data[0]``, ``Variable(x, volatile=True)``, legacy ``autograd.Function``,
``torch._six``, ``torch.gesv`` ...); ``unpatch()`` undoes it exactly; ``with patched():`` does both.
Each restore is the ``"restore"`` face of a registry record (:class:`Restore`); ``torchcompat run
script.py`` runs a script with them on.
"""

from __future__ import annotations

from torchcompat.legacy.engine import (
    ERAS,
    RestoredWarning,
    applied,
    first_uses,
    is_patched,
    is_removed_stub,
    patch,
    patched,
    reset_uses,
    unpatch,
)
from torchcompat.legacy.face import ADD, MODULE, WRAP, Restore, all_restores, attach

__all__ = [
    "ERAS",
    "ADD",
    "WRAP",
    "MODULE",
    "Restore",
    "RestoredWarning",
    "attach",
    "all_restores",
    "patch",
    "unpatch",
    "patched",
    "is_patched",
    "applied",
    "first_uses",
    "reset_uses",
    "is_removed_stub",
]
