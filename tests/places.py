"""Where the tests find what is never committed: venvs with old torch releases and caches of other people's code.

Both default to folders beside the checkout (``../venvs`` and ``../cache``), and each can be moved with an
environment variable. Tests that need one of them skip, naming the variable, when it is absent; see
DEVELOPING.md ("Venvs and caches the tests use") for the commands that make them.
"""

from __future__ import annotations

import os

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: venvs with old releases (t1.0: torch 1.0.1 on Python 3.7; t1.8: torch 1.8.1; tv-*: torch + torchvision pairs)
VENVS = os.environ.get("TORCHCOMPAT_VENVS", os.path.join(os.path.dirname(_ROOT), "venvs"))
#: other people's code (2017 projects, notebooks, TorchFix, modern libraries), fetched, never committed
CACHE = os.environ.get("TORCHCOMPAT_CACHE", os.path.join(os.path.dirname(_ROOT), "cache"))


def venv_python(name: str) -> str:
    """The interpreter of venv ``name`` under :data:`VENVS` (it may not exist)."""
    return os.path.join(VENVS, name, "bin", "python")


def cached(name: str) -> str:
    """The folder ``name`` under :data:`CACHE` (it may not exist)."""
    return os.path.join(CACHE, name)


#: torch 1.0.1 with torchcompat installed editable (TORCHCOMPAT_T10_PYTHON overrides)
T10_PYTHON = os.environ.get("TORCHCOMPAT_T10_PYTHON", venv_python("t1.0"))
#: torch 1.8.1
T18_PYTHON = os.environ.get("TORCHCOMPAT_T18_PYTHON", venv_python("t1.8"))
