"""What a weights-only ``torchcompat.load`` never allows, and how it says so: :class:`UnsafeLoadError`, the blocked
modules and builtins, :func:`is_blocked` and the refusal message.

Shared by the restricted unpickler (``_unpickler``, ``_allowlist``) and the damage check (``_damage``), so that
none of them imports another; nothing here imports torch.
"""

from __future__ import annotations

import pickle
from typing import Any, Optional


class UnsafeLoadError(pickle.UnpicklingError):
    """``torchcompat.load(weights_only=True)`` refused a file. ``.name`` is the refused global (or None)."""

    def __init__(self, message: str, name: Optional[str] = None) -> None:
        super().__init__(message)
        self.name = name


#: The first torch whose own weights-only unpickler torchcompat.load uses (see shifts/serialization/__init__.py).
NATIVE_FROM = "2.10"

#: Modules whose globals can run code or reach the interpreter: never allowed, even if allowlisted.
BLOCKED_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "posixpath",
        "ntpath",
        "subprocess",
        "sys",
        "importlib",
        "runpy",
        "shutil",
        "socket",
        "pickle",
        "_pickle",
        "marshal",
        "ctypes",
        "pty",
        "code",
        "codeop",
        "types",
        "functools",
        "operator",
        "webbrowser",
        "multiprocessing",
        "signal",
        "platform",
        "commands",
        "pdb",
        "timeit",
        "trace",
        "profile",
        "cProfile",
        "asyncio",
        "threading",
        "_thread",
        "thread",
        "io",
        "_io",
        "tempfile",
        "glob",
        "pathlib",
        "zipimport",
        "pkgutil",
        "inspect",
        "gc",
        "site",
        "shelve",
        "dbm",
        "sqlite3",
        "urllib",
        "http",
        "ftplib",
        "smtplib",
        "telnetlib",
        "xmlrpc",
        "popen2",
        "distutils",
        "setuptools",
        "pip",
        "torch.hub",
        "torch.jit",
        "torch._C",
        "torch.storage",
        "torch.serialization",
        "torch.package",
        "torch.ops",
        "torch.utils.cpp_extension",
    }
)
#: The builtins a weights-only file may name (``object`` only as ``copyreg._reconstructor``'s base).
_SAFE_BUILTINS = ("set", "complex", "bytearray", "bytes", "object")  # what torch >= 2.10 allows by default
_NOT_CALLABLE_BUILTINS = ("object",)
#: Builtins that evaluate code, reach attributes or the file system: never allowed.
_DANGEROUS_BUILTINS = frozenset(
    "eval exec compile getattr setattr delattr open input globals locals vars breakpoint exit quit help "
    "apply execfile file reload type super memoryview classmethod staticmethod property dir "
    "print callable hasattr id".split()
)


def qualified_name(obj: Any) -> str:
    """``module.qualname`` of a class or function: the key it has in a pickle's GLOBAL opcode."""
    module = getattr(obj, "__module__", None) or "builtins"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is None:
        raise TypeError("%r has no __name__: pass (obj, 'module.name') instead" % (obj,))
    return "%s.%s" % (module, name)


def is_blocked(name: str) -> bool:
    """Is the global ``module.name`` one that can run code (never allowed by a weights-only load)?"""
    module, _, attr = name.rpartition(".")
    if module in ("builtins", "__builtin__"):
        return attr in _DANGEROUS_BUILTINS or attr.startswith("_")
    if module in ("copyreg", "copy_reg"):
        return attr != "_reconstructor"
    parts = module.split(".")
    return any(".".join(parts[: i + 1]) in BLOCKED_MODULES for i in range(len(parts)))


def describe_refusal(name: str, why: str = "") -> str:
    """The one error message of a refused global, with the exact call that would allow it."""
    if is_blocked(name):
        return (
            "torchcompat.load(weights_only=True) refused this file: it calls `%s`, which can run arbitrary "
            "code and is never allowed in a weights-only load; the file is probably malicious. "
            "Only if you trust its source: torchcompat.load(f, weights_only=False)%s" % (name, _why(why))
        )
    return (
        "torchcompat.load(weights_only=True) refused this file: it needs the global `%s`, which is not on "
        "the weights-only allowlist. If you trust this class/function, allow it: "
        "torchcompat.add_safe_globals([%s]) (or `with torchcompat.safe_globals([%s]): ...`); "
        "if you trust the whole file: torchcompat.load(f, weights_only=False)%s" % (name, name, name, _why(why))
    )


def _why(why: str) -> str:
    return " (%s)" % why if why else ""


def _refuse(message: str, name: Optional[str] = None) -> UnsafeLoadError:
    return UnsafeLoadError("torchcompat.load(weights_only=True) refused this file: " + message, name)


def _op(code: bytes) -> int:
    """The dispatch-table key of a pickle opcode (``pickle.REDUCE`` -> its byte value)."""
    return code[0]
