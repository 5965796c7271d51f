"""``torch.load`` under torch >= 2.6 (``weights_only=True`` by default) for what old scripts load.

- a file this run wrote with ``torch.save`` is trusted (the script pickled it itself);
- plain data (numeric numpy arrays, ``argparse.Namespace``, builtin containers) loads through an
  extended ``weights_only`` allowlist;
- anything else (a whole pickled model from elsewhere) loads only with an explicit opt-in:
  ``torchcompat run --trust-checkpoints`` or ``TORCHCOMPAT_TRUST_CHECKPOINTS=1``; otherwise the error
  says how to allow it. Never silently.
"""

from __future__ import annotations

import argparse
import functools
import os
import pickle
import threading
from typing import Any, Dict, List, Optional, Tuple

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.serialization import SER_WEIGHTS_ONLY

__all__ = ["TRUST_ENV", "trust_checkpoints", "trusted", "plain_data_globals", "UntrustedCheckpointError"]

#: Environment variable that opts in to unpickling any checkpoint (``=1``).
TRUST_ENV = "TORCHCOMPAT_TRUST_CHECKPOINTS"

_trust = False
_lock = threading.Lock()
_written_paths: Dict[str, Tuple[int, int]] = {}
_written_files: Dict[int, Any] = {}


class UntrustedCheckpointError(pickle.UnpicklingError):
    """``torch.load`` refused to unpickle arbitrary objects from a file this run did not write."""


def trust_checkpoints(flag: bool = True) -> None:
    """Allow (or stop allowing) ``torch.load`` to unpickle any object, as ``--trust-checkpoints`` does."""
    global _trust
    _trust = bool(flag)


def trusted() -> bool:
    """Is unpickling of arbitrary checkpoints allowed (flag or ``TORCHCOMPAT_TRUST_CHECKPOINTS=1``)?"""
    return _trust or os.environ.get(TRUST_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _path_of(f: Any) -> Optional[str]:
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        try:
            return os.path.realpath(os.fsdecode(os.fspath(f)))
        except (TypeError, ValueError):
            return None
    return None


def _stamp(path: str) -> Optional[Tuple[int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _written_by_us(f: Any) -> bool:
    path = _path_of(f)
    if path is not None:
        stamp = _written_paths.get(path)
        return stamp is not None and stamp == _stamp(path)
    return _written_files.get(id(f)) is f


def plain_data_globals(numpy: Any = None) -> List[Any]:
    """The extra ``weights_only`` allowlist: numeric numpy arrays and scalars, ``argparse.Namespace``."""
    found: List[Any] = [argparse.Namespace]
    if numpy is None:
        try:
            import numpy
        except ImportError:
            return found
    found += [numpy.ndarray, numpy.dtype]
    for module_name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = __import__(module_name, fromlist=["_reconstruct"])
        except ImportError:
            continue
        for name in ("_reconstruct", "scalar"):
            fn = getattr(module, name, None)
            if fn is not None:
                found.append((fn, "numpy.core.multiarray." + name))
                found.append((fn, "numpy._core.multiarray." + name))
        break
    for code in "?bhilqBHILQefdgFDG":
        try:
            found.append(type(numpy.dtype(code)))
        except TypeError:  # pragma: no cover
            pass
    return found


def _safe_globals(env: Any) -> Any:
    """A ``safe_globals([...])`` context manager: torchcompat's own adapter when declared, else torch's."""
    from torchcompat.registry import REGISTRY, Binding

    try:
        REGISTRY.adapter("safe_globals")
        return Binding(env.torch).resolve("safe_globals")
    except KeyError:
        return env.torch.serialization.safe_globals


_HOW = (
    "torchcompat: torch.load refused to unpickle {what} from {where}: torch >= 2.6 loads with weights_only=True "
    "and this file was not written by this run. If you trust the file, rerun with "
    "`torchcompat run --trust-checkpoints ...` or set TORCHCOMPAT_TRUST_CHECKPOINTS=1 "
    "(or call torch.load(..., weights_only=False) yourself). Original error: {error}"
)


def _load(env: Any, era: str, original: Any) -> Any:
    numpy_globals = plain_data_globals()

    @functools.wraps(original)
    def load(f: Any, *args: Any, **kwargs: Any) -> Any:
        if "weights_only" in kwargs or len(args) >= 2 or kwargs.get("pickle_module") is not None:
            return original(f, *args, **kwargs)
        if _written_by_us(f):
            note("torch.load", "torch.load of a file this run saved: loaded with weights_only=False", 1)
            return original(f, *args, weights_only=False, **kwargs)
        position = f.tell() if hasattr(f, "tell") and hasattr(f, "seek") else None
        try:
            with _safe_globals(env)(numpy_globals):
                return original(f, *args, weights_only=True, **kwargs)
        except pickle.UnpicklingError as error:
            if position is not None:
                f.seek(position)
            if trusted():
                note("torch.load", "torch.load of an untrusted file allowed by --trust-checkpoints", 1)
                return original(f, *args, weights_only=False, **kwargs)
            where = repr(os.fspath(f)) if _path_of(f) else "a file object"
            first = str(error).strip().splitlines()
            raise UntrustedCheckpointError(
                _HOW.format(what="non-tensor objects", where=where, error=first[-1] if first else error)
            ) from error

    return load


def _save(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def save(obj: Any, f: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(obj, f, *args, **kwargs)
        path = _path_of(f)
        with _lock:
            if path is not None:
                stamp = _stamp(path)
                if stamp is not None:
                    _written_paths[path] = stamp
            else:
                _written_files[id(f)] = f
        return result

    return save


def _weights_only_default(env: Any) -> bool:
    return env.accepts("load", "weights_only") and env.at_least("2.6")


attach(
    SER_WEIGHTS_ONLY,
    Restore(
        "load",
        _load,
        WRAP,
        name="torch.load",
        needed=_weights_only_default,
        summary="torch.load of what old scripts load under torch >= 2.6",
    ),
)
attach(
    SER_WEIGHTS_ONLY,
    Restore(
        "save",
        _save,
        WRAP,
        name="torch.save",
        needed=_weights_only_default,
        summary="torch.save remembers the files this run wrote (they load as trusted)",
    ),
)
