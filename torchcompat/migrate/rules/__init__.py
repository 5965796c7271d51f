"""The rules, one module per fixer (``tc101_variable.py`` ...). Importing this package registers them
all in :data:`torchcompat.migrate.engine.RULES` and attaches each as the ``"rule"`` face of its shift."""

from __future__ import annotations

import importlib
import pkgutil


def _load() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(__name__ + "." + info.name)


_load()
