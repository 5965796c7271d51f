"""The registry's records, one module (or package) per area. Importing an area only declares records: no torch.

Importing this package hands the registry its loader (:func:`load_all`) and the torch submodules that are
namespaces of ``torchcompat``; the registry itself never imports its areas. Consumers (``torchcompat``'s
namespace, ``legacy``, ``migrate``, ``docs``, ``report``) import this package before they read the registry."""

from __future__ import annotations

import importlib

from torchcompat.registry import REGISTRY

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
    "export",
    "testing",
    "vision",
    "audio",
    "text",
    "typos",
)

#: torch's own submodules that are ``torchcompat`` namespaces even before an adapter lands in them.
NAMESPACES = (
    "nn",
    "nn.functional",
    "nn.init",
    "nn.utils",
    "linalg",
    "fft",
    "func",
    "distributed",
    "six",
    "amp",
    "utils",
    "utils.data",
)


def load_all() -> None:
    """Import every area module (idempotent)."""
    for area in AREAS:
        importlib.import_module("torchcompat.shifts." + area)


REGISTRY.set_loader(load_all, NAMESPACES, AREAS)
