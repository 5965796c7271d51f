"""torchcompat: one code base, and one old script, on every PyTorch release from 0.3 to today.

``import torchcompat as tc`` gives "torch with fixes": every adapter of the shift registry
(``tc.no_grad``, ``tc.item``, ``tc.linalg.solve`` ...) is torch's own object where this torch has the
API, and a backport where it does not; any other name falls through to torch. Names resolve
lazily (PEP 562 ``__getattr__``) once, then are plain attributes.

Importing the package imports neither torch nor the registry: the first name looked up binds the registry to
the installed torch (and says in one sentence when torch is missing). So ``torchcompat check`` / ``migrate``
and ``torchcompat.version`` never pay for, or need, a torch import. ``import torchcompat.nn.functional as F``
works through a small finder that only answers for the namespaces of the registry.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
import types
from typing import Any, List, Optional

__version__ = "0.1.0"

from torchcompat._namesake import warn_if_namesake as _warn_if_namesake

_warn_if_namesake()  # the unrelated PyPI package also named "torchcompat" (one sentence, never raises)

_NO_TORCH = (
    "torchcompat needs PyTorch, which is not installed here: install torch first (pip install torch); "
    "only the migration tool (torchcompat check / migrate) works without it."
)

#: Our real submodules (everything else under ``torchcompat.`` is a namespace of adapters).
_SUBMODULES = frozenset(
    {"version", "probe", "registry", "shifts", "legacy", "migrate", "testing", "cli", "docs", "report"}
)
_VERSION_NAMES = frozenset({"TORCH_VERSION", "TORCH_RELEASE", "BUILD", "at_least"})

_torch: Any = None
_binding: Any = None
_bind_lock = threading.RLock()


def _bind() -> Any:
    """The binding of the registry to the installed torch (created on first use)."""
    global _torch, _binding
    if _binding is not None:
        return _binding
    with _bind_lock:  # the first lookups may come from several threads at once: one binding
        if _binding is not None:
            return _binding
        try:
            import torch
        except ImportError:
            raise ImportError(_NO_TORCH) from None
        import torchcompat.shifts  # noqa: F401 - hands the registry its areas
        from torchcompat.registry import Binding

        # pickle.whichmodule() looks objects without __module__ (torch 1.x dtypes) up in sys.modules
        # order: torch must come before this fall-through namespace, or torch.save would write
        # "torchcompat.float64". Re-inserting moves us after torch (imported just now, or before us). Not
        # covered: torchcompat imported before torch and a 1.x dtype pickled before any name of ours is used.
        me = sys.modules.pop(__name__, None)
        if me is not None:
            sys.modules[__name__] = me
        binding = Binding(torch)
        _install_namespaces(binding)
        _torch, _binding = torch, binding
        return _binding


def _install_namespaces(binding: Any) -> None:
    """Register ``torchcompat.nn``, ``torchcompat.linalg`` ... in ``sys.modules`` so that
    ``import torchcompat.nn.functional as F`` works like the attribute access."""
    from torchcompat.registry import REGISTRY

    for name in sorted(REGISTRY.namespaces()):
        if not name or name.split(".", 1)[0] in _SUBMODULES:
            continue
        full = __name__ + "." + name
        if full not in sys.modules:
            ns = binding.namespace(name)
            sys.modules[full] = ns
            parent = sys.modules[full.rsplit(".", 1)[0]]
            parent.__dict__.setdefault(name.rsplit(".", 1)[-1], ns)


class _NamespaceFinder:
    """Finds ``torchcompat.<namespace>`` (``torchcompat.nn.functional``) for ``import`` statements: binds
    torch on first use and hands out the namespace module. It answers only for names that are no real
    submodule (it runs after the path finder) and that the registry knows as namespaces."""

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> Optional[Any]:
        prefix = __name__ + "."
        if not fullname.startswith(prefix):
            return None
        rest = fullname[len(prefix) :]
        if rest.split(".", 1)[0] in _SUBMODULES or rest.startswith("_"):
            return None
        import torchcompat.shifts  # noqa: F401 - hands the registry its areas
        from torchcompat.registry import REGISTRY

        if not REGISTRY.is_namespace(rest):
            return None
        return importlib.machinery.ModuleSpec(fullname, cls)  # type: ignore[arg-type]

    @staticmethod
    def create_module(spec: Any) -> types.ModuleType:
        _bind()  # installs every namespace module in sys.modules
        return sys.modules[spec.name]

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        """Nothing to run: a namespace resolves its names on access."""


if not any(finder is _NamespaceFinder for finder in sys.meta_path):
    sys.meta_path.append(_NamespaceFinder)  # type: ignore[arg-type]


def bind(torch_module: types.ModuleType) -> types.ModuleType:
    """The torchcompat namespace for another torch module: an emulated old surface in tests, or a
    second torch. ``bind(fake).no_grad`` is what ``torchcompat.no_grad`` would be on that torch."""
    import torchcompat.shifts  # noqa: F401 - hands the registry its areas
    from torchcompat.registry import Binding

    return Binding(torch_module).namespace(
        "", module_name="torchcompat[%s]" % getattr(torch_module, "__version__", "?")
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(__name__ + "." + name)
    if name in _VERSION_NAMES:
        from torchcompat import version

        value = getattr(version, name)
    elif name == "InvalidCheckpointError":  # tc.load's error for bytes that are not a checkpoint (no torch needed)
        from torchcompat.shifts.serialization._damage import InvalidCheckpointError as value
    elif name.startswith("__"):
        raise AttributeError(name)
    else:
        value = _bind().lookup("", name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    import torchcompat.shifts  # noqa: F401 - hands the registry its areas
    from torchcompat.registry import REGISTRY

    names = set(globals()) | _VERSION_NAMES | {"InvalidCheckpointError"} | set(REGISTRY.adapter_names(""))
    return sorted(n for n in names if not n.startswith("_"))
