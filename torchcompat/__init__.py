"""torchcompat: one code base, and one old script, on every PyTorch release from 0.3 to today.

``import torchcompat as tc`` gives "torch with fixes": every adapter of the shift registry
(``tc.no_grad``, ``tc.item``, ``tc.linalg.solve`` ...) is torch's own object where this torch has the
API, and a backport where it does not; any other name falls through to torch. Names resolve
lazily (PEP 562) once, then are plain attributes.
"""

from __future__ import annotations

import sys
import types
from typing import Any, List

__version__ = "0.1.0"

from torchcompat._namesake import warn_if_namesake as _warn_if_namesake

_warn_if_namesake()  # the unrelated PyPI package also named "torchcompat" (one sentence, never raises)

_NO_TORCH = (
    "torchcompat needs PyTorch, which is not installed here: install torch first (pip install torch); "
    "only the migration tool (torchcompat check / migrate) works without it."
)


def _importing_submodule() -> bool:
    """True while Python imports one of our real submodules (``torchcompat.cli``,
    ``torchcompat.migrate`` ...), the package being only its parent: the CLI and the migration tool
    must not pay for, or need, a torch import. Namespaces (``torchcompat.nn``) still bind torch."""
    frame = sys._getframe(1)
    while frame is not None:
        for key in ("name", "mod_name", "fullname"):
            value = frame.f_locals.get(key)
            if isinstance(value, str) and value.startswith(__name__ + "."):
                first = value[len(__name__) + 1 :].split(".", 1)[0]
                return first in _SUBMODULES or first.startswith("_")
        frame = frame.f_back
    return False


_torch: Any = None
_binding: Any = None


def _bind() -> Any:
    """The binding of the registry to the installed torch (created on first use)."""
    global _torch, _binding
    if _binding is None:
        try:
            import torch
        except ImportError:
            raise ImportError(_NO_TORCH) from None
        from torchcompat.registry import Binding

        # pickle.whichmodule() looks objects without __module__ (torch 1.x dtypes) up in sys.modules
        # order: torch must come before this fall-through namespace, or torch.save would write
        # "torchcompat.float64". We precede torch when imported as the parent of a submodule first.
        me = sys.modules.pop(__name__, None)
        if me is not None:
            sys.modules[__name__] = me
        _torch = torch
        _binding = Binding(torch)
        _install_namespaces(_binding)
    return _binding


#: Our real submodules (everything else under ``torchcompat.`` is a namespace of adapters).
_SUBMODULES = frozenset(
    {"version", "probe", "registry", "shifts", "legacy", "migrate", "testing", "cli", "docs", "report"}
)
_VERSION_NAMES = frozenset({"TORCH_VERSION", "TORCH_RELEASE", "BUILD", "at_least"})


def _install_namespaces(binding: Any) -> None:
    """Register ``torchcompat.nn``, ``torchcompat.linalg`` ... in ``sys.modules`` so that
    ``import torchcompat.nn.functional as F`` works like the attribute access."""
    from torchcompat.registry import REGISTRY, _load

    _load()
    for name in sorted(REGISTRY._namespaces):
        if not name or name.split(".", 1)[0] in _SUBMODULES:
            continue
        full = __name__ + "." + name
        if full not in sys.modules:
            ns = binding.namespace(name)
            sys.modules[full] = ns
            parent = sys.modules[full.rsplit(".", 1)[0]]
            parent.__dict__.setdefault(name.rsplit(".", 1)[-1], ns)


def bind(torch_module: types.ModuleType) -> types.ModuleType:
    """The torchcompat namespace for another torch module: an emulated old surface in tests, or a
    second torch. ``bind(fake).no_grad`` is what ``torchcompat.no_grad`` would be on that torch."""
    from torchcompat.registry import Binding

    return Binding(torch_module).namespace(
        "", module_name="torchcompat[%s]" % getattr(torch_module, "__version__", "?")
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(__name__ + "." + name)
    if name in _VERSION_NAMES:
        from torchcompat import version

        value = getattr(version, name)
    elif name == "InvalidCheckpointError":  # tc.load's error for bytes that are not a checkpoint (no torch needed)
        from torchcompat._unpickler import InvalidCheckpointError as value
    elif name.startswith("__"):
        raise AttributeError(name)
    else:
        value = _bind().lookup("", name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    from torchcompat.registry import REGISTRY

    names = set(globals()) | _VERSION_NAMES | {"InvalidCheckpointError"} | set(REGISTRY.adapter_names(""))
    return sorted(n for n in names if not n.startswith("_"))


if not _importing_submodule():
    # ``import torchcompat``: bind now, so a missing torch fails here with one clear sentence.
    _bind()
