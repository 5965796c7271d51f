"""Which torch is running: its version, parsed once at import, and its build (cpu / CUDA / ROCm / MPS).

``TORCH_RELEASE`` is a plain int tuple computed at import, so comparing it is safe inside
``torch.compile``. Build facts are read from ``torch.version`` and never initialise CUDA.
"""

from __future__ import annotations

import sys
import types
from typing import NamedTuple, Optional, Tuple, Union

from packaging.version import Version

from torchcompat._release import FALLBACK, base, parse, release

__all__ = [
    "parse",
    "release",
    "base",
    "FALLBACK",
    "TORCH_VERSION",
    "TORCH_RELEASE",
    "at_least",
    "Build",
    "build",
    "BUILD",
    "version_of",
]


def version_of(torch_module: types.ModuleType) -> Version:
    """The parsed version of a torch module (or of an emulated one); garbage warns and falls back, never raises."""
    try:
        text = getattr(torch_module, "__version__", "")
    except Exception:  # a module-level __getattr__ that raises something other than AttributeError
        text = ""
    return parse(text)


class Build(NamedTuple):
    """How this torch was built: ``kind`` is ``"cpu"``, ``"cuda"`` or ``"rocm"``; MPS is separate."""

    kind: str
    cuda: Optional[str]
    hip: Optional[str]
    mps: bool
    local: Optional[str]

    def __str__(self) -> str:
        text = {"cuda": "CUDA %s" % self.cuda, "rocm": "ROCm %s" % self.hip}.get(self.kind, "CPU")
        return text + (" + MPS" if self.mps else "")


def build(torch_module: types.ModuleType) -> Build:
    """Read the build of ``torch_module`` from ``torch.version`` and the version's local label (no CUDA init)."""
    vinfo = getattr(torch_module, "version", None)
    cuda = getattr(vinfo, "cuda", None) or None
    hip = getattr(vinfo, "hip", None) or None
    local = version_of(torch_module).local
    if not cuda and not hip and local:
        # Some vendor builds leave torch.version.cuda empty but keep "+cu121" / "+rocm6.0".
        if local.startswith("cu") and local[2:].isdigit():
            digits = local[2:]
            cuda = "%s.%s" % (digits[:-1], digits[-1])
        elif local.startswith("rocm"):
            hip = local[4:]
    mps = False
    backends = getattr(torch_module, "backends", None)
    mps_mod = getattr(backends, "mps", None)
    if mps_mod is not None and hasattr(mps_mod, "is_built"):
        try:
            mps = bool(mps_mod.is_built())
        except Exception:  # pragma: no cover - defensive: a vendor build with a broken backend
            mps = False
    kind = "rocm" if hip else "cuda" if cuda else "cpu"
    return Build(kind, cuda, hip, mps, local)


def _compute_constants() -> None:
    """Import torch and set TORCH_VERSION / TORCH_RELEASE / BUILD (once)."""
    try:
        import torch as torch_module
    except ImportError:  # pragma: no cover - exercised by the no-torch test in a subprocess
        torch_module = None  # type: ignore[assignment]
    found = version_of(torch_module) if torch_module is not None else None
    globals().update(
        _torch=torch_module,
        TORCH_VERSION=found,
        TORCH_RELEASE=release(found) if found is not None else release(FALLBACK),
        BUILD=build(torch_module) if torch_module is not None else None,
    )


_LAZY = frozenset({"_torch", "TORCH_VERSION", "TORCH_RELEASE", "BUILD"})


def __getattr__(name: str) -> object:
    # The constants need torch; the pure helpers above do not, and the migration tool (which loads
    # the registry, hence this module) must not import torch: computed on first use, then plain
    # module attributes. Eager when torch is already imported (the usual case), as before.
    if name in _LAZY:
        _compute_constants()
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


if "torch" in sys.modules:
    _compute_constants()

#: The running torch's version (``None`` only when torch is not installed).
TORCH_VERSION: Optional[Version]
#: The running torch's release as a 3-int tuple, e.g. ``(2, 13, 0)``; ``(0, 0, 0)`` without torch.
TORCH_RELEASE: Tuple[int, ...]
#: The running torch's build.
BUILD: Optional[Build]


def at_least(minimum: Union[str, Version], version: Union[str, Version, None] = None) -> bool:
    """True when the running torch (or ``version``) is ``minimum`` or newer.

    A pre-release, dev or vendor build of 1.9 counts as 1.9 (as lightning-utilities'
    ``use_base_version`` does), so ``2.1.0a0+git`` satisfies ``at_least("2.1")``.
    """
    if version is not None:
        current = parse(version)
    else:
        current = globals()["TORCH_VERSION"] if "TORCH_VERSION" in globals() else __getattr__("TORCH_VERSION")
    if current is None:
        return False
    return base(current) >= base(minimum)
