"""Refuse a legacy-format checkpoint whose storage data is cut off before torch < 1.11 reads it.

torch 1.0 - 1.10 read each storage of a legacy (pre-1.6, non-zip) file with ``storage._set_from_file``, whose C++
(``THPStorage_(readFileRaw)``) wraps the storage it was given in an owning ``THWStoragePtr`` without taking a
reference: when the read fails (the data ends early) the pointer's destructor drops a reference the Python storage
object still holds. The storage is then freed one owner too early, and freeing the last owner later (after other
loads have reused the memory) aborts the process ("Fatal Python error: Aborted"; on torch 1.0 "intrusive_ptr: Can only
reclaim() owning pointers"). Measured: a failed ``_set_from_file`` drops a reference on 1.0 - 1.10, not on 1.11
(``readFileRaw`` takes an ``intrusive_ptr``), 2.2 or 2.13.

:func:`guard_legacy_storages` wraps the pickle module torch loads with: it records the storages the data pickle
declares, and once torch has read the storage key list (the last pickle, just before ``_set_from_file``) it checks
that every storage whose size header torch would accept has all its bytes in the file; otherwise it raises before
torch reads anything, and the caller's damage check turns that into :class:`InvalidCheckpointError`.
"""

from __future__ import annotations

import struct
import types
from typing import Any, Dict, List, Optional, Tuple

from torchcompat.shifts.serialization._damage import element_size, storage_cut_off_at

#: First release whose failed ``_set_from_file`` keeps the storage's references right.
FIXED_IN = "1.11"

#: root key -> (bytes per element or None when unknown, declared number of elements)
_Declared = Dict[Any, Tuple[Optional[int], int]]


def overreleases_failed_reads(env: Any) -> bool:
    """Does a failed legacy storage read drop a reference it does not own on ``env``'s torch (1.0 - 1.10)?
    By release: the experiment that would tell frees memory out from under Python on the affected ones."""
    return not env.at_least(FIXED_IN)


def _element_size(storage_type: Any) -> Optional[int]:
    """Bytes per element of a legacy storage class, by its name (``torch.cuda.FloatStorage`` -> 4), without
    creating one (a CUDA storage class needs CUDA)."""
    name = getattr(storage_type, "__name__", "")
    if not isinstance(name, str) or not name.endswith("Storage"):
        return None
    return element_size(name)


def storage_cut_off(fh: Any, keys: List[Any], declared: _Declared) -> Optional[str]:
    """Why torch's ``_set_from_file`` would fail inside the data of a storage (after accepting its size header),
    reading ``keys`` in order from ``fh``'s position; None when every read succeeds or fails before it starts
    (a missing or mismatched header: torch refuses those without the faulty path). ``fh``'s position is kept."""
    try:
        pos = fh.tell()
        fh.seek(0, 2)
        end = fh.tell()
    except Exception:  # torch checks seekability itself: nothing to judge here
        return None
    try:
        at = pos
        for key in keys:
            try:
                element, size = declared[key]
            except (KeyError, TypeError):
                return None  # torch's own assertion refuses it before reading
            if element is None:
                return None
            fh.seek(at)
            head = fh.read(8)
            if len(head) < 8 or struct.unpack("<q", head)[0] != size:
                return None
            short = storage_cut_off_at(key, size * element, at + 8, end)
            if short is not None:
                return short
            at += 8 + size * element
        return None
    finally:
        fh.seek(pos)


class _RecordingUnpickler:
    """Torch's unpickler for the data pickle, recording the legacy storage ids it resolves."""

    def __init__(self, inner: Any, declared: _Declared) -> None:
        self._inner = inner
        self._declared = declared

    @property
    def persistent_load(self) -> Any:
        return self._inner.persistent_load

    @persistent_load.setter
    def persistent_load(self, fn: Any) -> None:
        declared = self._declared

        def persistent_load(pid: Any) -> Any:
            obj = fn(pid)  # torch's (after the restricted unpickler's check): only ids it accepted are recorded
            if type(pid) is tuple and len(pid) == 6 and pid[0] in ("storage", b"storage") and type(pid[4]) is int:
                declared.setdefault(pid[2], (_element_size(pid[1]), pid[4]))
            return obj

        self._inner.persistent_load = persistent_load

    def load(self) -> Any:
        return self._inner.load()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _GuardedModule(types.ModuleType):
    """``base`` (a pickle module) whose ``load`` of the storage key list checks the storage data first."""

    def __init__(self, base: Any) -> None:
        super().__init__(getattr(base, "__name__", "pickle"))  # torch >= 1.9 reads the name (dill check)
        self._base = base
        self._declared: Optional[_Declared] = None

    def Unpickler(self, file: Any, **kwargs: Any) -> Any:
        self._declared = {}
        return _RecordingUnpickler(self._base.Unpickler(file, **kwargs), self._declared)

    def load(self, file: Any, **kwargs: Any) -> Any:
        value = self._base.load(file, **kwargs)
        if self._declared is not None and type(value) is list:  # the storage keys, after the data pickle
            reason = storage_cut_off(file, value, self._declared)
            if reason is not None:
                raise RuntimeError(
                    "unexpected EOF: %s. The file might be corrupted (torchcompat stopped torch before reading it: "
                    "torch < %s frees a storage whose read fails while it is still in use)" % (reason, FIXED_IN)
                )
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def guard_legacy_storages(env: Any, module: Any, f: Any) -> Any:
    """``module`` wrapped for one ``torch.load`` of ``f`` where a cut-off legacy file would trip the over-release
    (torch 1.0 - 1.10, not a zip file); ``module`` itself elsewhere."""
    if not overreleases_failed_reads(env) or _starts_as_zip(f):
        return module  # torch >= 1.9 subclasses the Unpickler of a zip file's pickle module: left as it is
    return _GuardedModule(module)


def _starts_as_zip(f: Any) -> bool:
    """Does ``f`` start with a zip local header (what ``torch.serialization._is_zipfile`` looks at)?"""
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        try:
            with open(f, "rb") as fh:
                return fh.read(4) == b"PK\x03\x04"
        except OSError:
            return False  # torch.load raises the caller's error
    try:
        pos = f.tell()
        try:
            return f.read(4) == b"PK\x03\x04"
        finally:
            f.seek(pos)
    except Exception:
        return False
