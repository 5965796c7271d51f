"""pytest plugin (entry point ``pytest11``): the ``torch_version`` marker, fixture and report header."""

from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "torch_version(spec): skip unless the running torch satisfies the specifier, e.g. '>=1.9'"
    )
