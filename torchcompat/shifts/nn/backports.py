"""The nn backports' plumbing: :data:`BACKPORTS` (a view of the registry's builders), the class naming that
lets ``torch.save(model)`` pickle a backported module by reference, and the pickle hook behind it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Callable, Iterator

from torchcompat.registry import REGISTRY

# -- backports: built per torch module by the registry (REGISTRY.builder / REGISTRY.build) ---------------


class _Backports(Mapping):  # type: ignore[type-arg]
    """Adapter name -> ``build(torch)`` of its backport (``BACKPORTS["nn.SiLU"](torch)``): a view of the
    registry's builders, one object per torch module; tests run the backports against the native API."""

    def __getitem__(self, name: str) -> Callable[[Any], Any]:
        if name not in REGISTRY.builders():
            raise KeyError(name)
        return functools.partial(REGISTRY.build, name)

    def __iter__(self) -> Iterator[str]:
        return iter([n for n in REGISTRY.builders() if n.startswith("nn.")])

    def __len__(self) -> int:
        return len(list(iter(self)))


BACKPORTS = _Backports()

#: Where backported ``nn.Module`` classes say they live: the package, whose ``__getattr__`` serves
#: ``_tc_<Name>`` (so ``torch.save(model)`` pickles them by reference).
PICKLE_MODULE = "torchcompat.shifts.nn"


def _module_class(cls: Any) -> Any:
    cls.__module__ = PICKLE_MODULE
    cls.__qualname__ = "_tc_" + cls.__name__
    return cls


def backported_class(attr: str) -> Any:
    """``_tc_<Name>``: the backported module class built for the installed torch (the pickle hook)."""
    if attr.startswith("_tc_") and "nn." + attr[4:] in REGISTRY.builders():
        import torch

        return REGISTRY.build("nn." + attr[4:], torch)
    raise AttributeError("module %r has no attribute %r" % (PICKLE_MODULE, attr))


def _F(torch: Any, name: str) -> Any:
    """torch.nn.functional.<name>, or its backport."""
    fn = getattr(torch.nn.functional, name, None)
    return fn if fn is not None else BACKPORTS["nn.functional." + name](torch)
