"""Detect the unrelated PyPI package that is also imported as ``torchcompat``.

The index name ``torchcompat`` belongs to another project (an accelerator abstraction:
``import torchcompat.core as accelerator``), shipped as a namespace package (``torchcompat/core``,
``torchcompat/plugins``, no ``__init__.py``). This project is distributed as :data:`DISTRIBUTION`
and keeps the import name, so ``pip install torchcompat`` brings someone else's code, and the two
can end up merged in one ``site-packages/torchcompat`` folder or shadowing each other on ``sys.path``.
Only stdlib, a few ``stat`` calls: this runs on every ``import torchcompat``.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, Optional

#: Our name on the package index (``pip install pytorch-compat``); the import name stays ``torchcompat``.
DISTRIBUTION = "pytorch-compat"

#: Subpackages of the other project's wheels (1.0 ... 1.1.4); none of them exists in ours.
FOREIGN_SUBPACKAGES = ("core", "plugins")


def find_namesake(paths: Optional[Iterable[str]] = None, own_dir: Optional[str] = None) -> Optional[str]:
    """The folder of the other ``torchcompat`` package's files (``.../torchcompat``), or None.

    Looks in our own package folder (both installed into one ``site-packages``) and in every
    ``sys.path`` entry (installed side by side, one shadowing the other)."""
    if own_dir is None:
        own_dir = os.path.dirname(os.path.abspath(__file__))
    candidates = [own_dir]
    for entry in sys.path if paths is None else paths:
        if isinstance(entry, str):
            candidates.append(os.path.join(entry or os.curdir, "torchcompat"))
    for folder in candidates:
        for sub in FOREIGN_SUBPACKAGES:
            try:
                if os.path.isfile(os.path.join(folder, sub, "__init__.py")):
                    return os.path.abspath(folder)
            except (OSError, ValueError):  # unreadable or odd sys.path entries
                continue
    return None


def namesake_message(folder: str) -> str:
    """One sentence: what happened and how to fix it."""
    return (
        "torchcompat: the unrelated package also named 'torchcompat' on PyPI (an accelerator abstraction, "
        "`import torchcompat.core`) is installed at %s and shares this package's import name; "
        "if you did not mean to install it, run `pip uninstall torchcompat` and then "
        "`pip install --force-reinstall %s` (this project's name on the package index)" % (folder, DISTRIBUTION)
    )


def warn_if_namesake() -> None:
    """Warn once, at import, when the other ``torchcompat`` is installed (never raises)."""
    try:
        folder = find_namesake()
    except Exception:  # detection must never break the import
        return
    if folder is not None:
        import warnings

        warnings.warn(namesake_message(folder), RuntimeWarning, stacklevel=2)
