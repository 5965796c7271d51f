"""Restores on the domain libraries (``"torchvision:transforms.Scale"``) are applied when the script imports the
module they live in, not before: importing torchvision eagerly would cost every ``torchcompat run`` seconds, and
fail where the installed torchvision does not match torch. A meta-path hook waits for the module, lets it load,
then applies the waiting restores through the engine (so ``unpatch()`` undoes them like any other)."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["LIBRARIES", "owner_module", "defer", "clear", "waiting"]

#: Libraries whose attributes a restore may target (``"torchvision:transforms.Scale"``).
LIBRARIES = ("torchvision", "torchaudio", "torchtext")

_lock = threading.RLock()


def owner_module(target: str) -> Tuple[str, str]:
    """``"torchvision:transforms.Scale"`` -> (``"torchvision.transforms"``, ``"Scale"``)."""
    library, _, path = target.partition(":")
    owner_path, _, attr = path.rpartition(".")
    return library + ("." + owner_path if owner_path else ""), attr


class _Hook(importlib.abc.MetaPathFinder):
    """Finds nothing itself: for a waited-for module it returns the real spec with a loader that, once the module
    has run, applies the restores waiting on it."""

    def __init__(self) -> None:
        self.waiting: Dict[str, Tuple[List[str], str, Any]] = {}  # module -> (restore names, era, torch module)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Optional[Any]:
        if name not in self.waiting:
            return None
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            try:
                spec = importlib.util.find_spec(name)
            finally:
                if self.waiting:
                    sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _Loader(spec.loader, self, name)
        return spec

    def loaded(self, name: str) -> None:
        with _lock:
            found = self.waiting.pop(name, None)
            if not self.waiting and self in sys.meta_path:
                sys.meta_path.remove(self)
        if found is not None:
            from torchcompat.legacy import engine

            names, era, torch_module = found
            engine.patch(select=names, era=era, torch_module=torch_module)


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: Any, hook: _Hook, name: str) -> None:
        self.loader, self.hook, self.name = loader, hook, name

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        module.__loader__ = self.loader  # the module keeps its own loader (resources, reload)
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.hook.loaded(self.name)


_HOOK = _Hook()


def defer(restore: Any, era: str, torch_module: Any) -> bool:
    """True when ``restore`` targets a library module not imported yet (its restore waits for the import); False
    when the module is imported already (or the target is torch's), so the engine applies it now."""
    if ":" not in restore.target:
        return False
    module, _attr = owner_module(restore.target)
    if module in sys.modules:
        return False
    library = module.split(".", 1)[0]
    try:
        importable = library in sys.modules or importlib.util.find_spec(library) is not None
    except (ImportError, ValueError):
        importable = False
    if importable:
        with _lock:
            names = _HOOK.waiting.setdefault(module, ([], era, torch_module))[0]
            if restore.name not in names:
                names.append(restore.name)
            if _HOOK not in sys.meta_path:
                sys.meta_path.insert(0, _HOOK)
    return True


def waiting() -> Dict[str, List[str]]:
    """Restore names waiting for each library module's import."""
    with _lock:
        return {module: list(row[0]) for module, row in _HOOK.waiting.items()}


def clear() -> None:
    """Stop waiting (``unpatch()``): the hook leaves ``sys.meta_path``."""
    with _lock:
        _HOOK.waiting.clear()
        if _HOOK in sys.meta_path:
            sys.meta_path.remove(_HOOK)
