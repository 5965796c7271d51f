"""Capability probes on a torch module (the real one or an emulation), cached per module.

Adapters decide by probe first: is the attribute there, does the function take the keyword, what
does it do on a tiny tensor. The version is the fallback for what no probe can tell.
"""

from __future__ import annotations

import importlib
import inspect
import threading
import types
import warnings
from typing import Any, Callable, Dict, Optional, Tuple, Union

from packaging.version import Version

from torchcompat import version as _version

__all__ = ["TorchEnv", "env", "MISSING"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: Returned by :meth:`TorchEnv.get` when a dotted path does not exist.
MISSING: Any = _Missing()


class TorchEnv:
    """One torch module plus its cached facts: version, release, build and probe results."""

    _instances: Dict[int, "TorchEnv"] = {}
    _lock = threading.Lock()

    def __init__(self, torch_module: types.ModuleType) -> None:
        self.torch = torch_module
        self.version: Version = _version.version_of(torch_module)
        self.release: Tuple[int, ...] = _version.release(self.version)
        self.emulated: bool = bool(getattr(torch_module, "__torchcompat_emulated__", False))
        self._cache: Dict[Tuple[str, Any], Any] = {}

    @classmethod
    def of(cls, torch_module: types.ModuleType) -> "TorchEnv":
        """The shared env of ``torch_module`` (one per module object, so probes run once)."""
        key = id(torch_module)
        found = cls._instances.get(key)
        if found is None or found.torch is not torch_module:
            with cls._lock:
                found = cls._instances.get(key)
                if found is None or found.torch is not torch_module:
                    found = cls._instances[key] = cls(torch_module)
        return found

    # -- version fallbacks ---------------------------------------------------------------
    def at_least(self, minimum: Union[str, Version]) -> bool:
        """Release-based comparison (a 1.9 nightly counts as 1.9); use only where no probe can tell."""
        return _version.at_least(minimum, self.version)

    @property
    def build(self) -> _version.Build:
        return self._cached(("build", None), lambda: _version.build(self.torch))

    # -- probes --------------------------------------------------------------------------
    def _cached(self, key: Tuple[str, Any], compute: Callable[[], Any]) -> Any:
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    def get(self, path: str) -> Any:
        """The object at dotted ``path`` under torch (``"linalg.solve"``), importing real submodules
        (``torch.fft`` is a function on 1.7 until ``import torch.fft``); :data:`MISSING` if absent."""
        return self._cached(("get", path), lambda: self._lookup(path))

    def has(self, path: str) -> bool:
        """Is the dotted ``path`` present under torch?"""
        return self.get(path) is not MISSING

    def _lookup(self, path: str) -> Any:
        obj: Any = self.torch
        walked = getattr(self.torch, "__name__", "torch")
        parts = path.split(".")
        for i, part in enumerate(parts):
            walked += "." + part
            nxt = getattr(obj, part, MISSING)
            more = i + 1 < len(parts)
            wants_module = nxt is MISSING or (more and not isinstance(nxt, types.ModuleType))
            if wants_module and not self.emulated and self._is_real_package(obj):
                # Real submodules may need importing; on 1.7 ``torch.fft`` is a function until then.
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        nxt = importlib.import_module(walked)
                except Exception:
                    pass
            if nxt is MISSING:
                return MISSING
            obj = nxt
        return obj

    @staticmethod
    def _is_real_package(obj: types.ModuleType) -> bool:
        return hasattr(obj, "__path__")

    def accepts(self, path: str, keyword: str) -> bool:
        """Does the callable at ``path`` take ``keyword``? Reads the signature, or the docstring's
        first line for C builtins that have no signature (old releases)."""

        def compute() -> bool:
            fn = self.get(path)
            if fn is MISSING:
                return False
            target = fn.__init__ if inspect.isclass(fn) else fn
            try:
                params = inspect.signature(target).parameters
            except (TypeError, ValueError):
                doc = (getattr(fn, "__doc__", None) or "").split("\n\n", 1)[0]
                return (keyword + "=") in doc or ("*, " + keyword) in doc or (", " + keyword) in doc
            if keyword in params:
                return True
            return False

        return bool(self._cached(("accepts", (path, keyword)), compute))

    def behaves(self, key: str, check: Callable[[types.ModuleType], Any]) -> Any:
        """Run ``check(torch)`` once (a tiny-tensor experiment) and cache its result under ``key``.
        Warnings raised by the experiment are swallowed; an exception counts as ``False``."""

        def compute() -> Any:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return check(self.torch)
            except Exception:
                return False

        return self._cached(("behaves", key), compute)


def env(torch_module: Optional[types.ModuleType] = None) -> TorchEnv:
    """The :class:`TorchEnv` of ``torch_module``, or of the installed torch."""
    if torch_module is None:
        import torch as torch_module
    return TorchEnv.of(torch_module)
